//! FtM JSON of a few real entries, as reviewed snapshots (tests/snapshots/).

mod common;

use common::{SDN, UN};

#[test]
fn un_kpi_016_after_the_2371_amendment() {
    insta::assert_json_snapshot!(
        "un_2018_kpi_016",
        UN[2].get("KPi.016").expect("KPi.016").to_ftm_json()
    );
}

#[test]
fn un_kpe_020_ocean_maritime_management() {
    insta::assert_json_snapshot!(
        "un_2026_kpe_020",
        UN[4].get("KPe.020").expect("KPe.020").to_ftm_json()
    );
}

#[test]
fn sdn_individual_and_vessel() {
    insta::assert_json_snapshot!("sdn_15667", SDN.get("15667").expect("15667").to_ftm_json());
    insta::assert_json_snapshot!("sdn_17069", SDN.get("17069").expect("17069").to_ftm_json());
}
