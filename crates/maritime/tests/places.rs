//! The bundled ports, coastline and flag table, checked on real places.

use resolute_maritime::geo::{LatLon, METRES_PER_NM};
use resolute_maritime::places::{Flags, PortIndex, Shore};

#[test]
fn world_port_index_has_the_ten_dprk_ports() {
    let ports = PortIndex::bundled().expect("ports");
    assert_eq!(ports.ports().len(), 3768);
    let mut dprk: Vec<&str> = ports
        .ports()
        .iter()
        .filter(|p| p.dprk)
        .map(|p| p.name.as_str())
        .collect();
    dprk.sort();
    assert_eq!(
        dprk,
        [
            "Ch'aho",
            "Ch'ongjin",
            "Haeju Hang",
            "Hungnam",
            "Kimch'aek",
            "Kyomip'o",
            "Najin",
            "Nampo",
            "Senbong",
            "Wonsan"
        ]
    );
    let nampo = ports
        .by_name("Chinnampo")
        .expect("Nampo by its alternate name");
    assert_eq!(
        (nampo.wpi.as_str(), nampo.unlocode.as_str()),
        ("60280", "KP NAM")
    );
    // Kyomip'o (Songnim) is 19 km from Nampo: the nearest port to a point 1 km off Nampo is Nampo.
    let (i, d) = ports
        .nearest(LatLon::new(38.7257, 125.4), 20_000.0)
        .expect("a port");
    assert_eq!(ports.get(i).map(|p| p.wpi.as_str()), Some("60280"));
    assert!((d - 1000.0).abs() < 5.0, "{d}");
}

#[test]
fn distance_to_shore_on_known_places() {
    let shore = Shore::bundled().expect("coastline");
    // The middle of the North Atlantic is far from any coast.
    assert_eq!(shore.distance_m(LatLon::new(35.0, -40.0), 100_000.0), None);
    // Off New York harbour (Ambrose light, ~12 km off Sandy Hook / Rockaway): under 20 km.
    let d = shore
        .distance_m(LatLon::new(40.4586, -73.8306), 100_000.0)
        .expect("near shore");
    assert!(d < 20_000.0, "{d}");
    // Nampo's WPI position is on the coast of the Taedong estuary.
    let d = shore
        .distance_m(LatLon::new(38.716667, 125.4), 100_000.0)
        .expect("near shore");
    assert!(d < 5.0 * METRES_PER_NM, "{d}");
}

#[test]
fn mmsi_flags_map_to_iso_codes() {
    let flags = Flags::bundled().expect("flags");
    let kp = flags.of_mmsi(445_114_000).expect("DPRK MID");
    assert!(kp.is_dprk());
    assert_eq!(kp.country.as_deref(), Some("KP"));
    for (mmsi, code) in [
        (538_000_001, "MH"),
        (636_021_061, "LR"),
        (477_000_001, "HK"),
        (366_000_001, "US"),
        (440_000_001, "KR"),
        (273_428_880, "RU"),
    ] {
        assert_eq!(
            flags.of_mmsi(mmsi).and_then(|f| f.country.as_deref()),
            Some(code),
            "{mmsi}"
        );
    }
    // Not ship stations: base station (00MID…), auxiliary craft (98…).
    assert_eq!(flags.of_mmsi(2_579_999), None);
    assert_eq!(flags.of_mmsi(982_570_001), None);
    let unmapped: Vec<&str> = flags
        .all()
        .filter(|f| f.country.is_none())
        .map(|f| f.allocated_to.as_str())
        .collect();
    assert!(
        unmapped.is_empty(),
        "MIDs without an ISO code: {unmapped:?}"
    );
}
