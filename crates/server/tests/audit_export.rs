//! Issue 19 §4: the audit chain's signed checkpoints leave the machine.
//! `GET /audit/checkpoints?since=` (admin) gives them with the public key
//! that verifies them; an exporter keeps the last seq and asks for what came
//! after it.

mod support;

use resolute_store::Checkpoint;
use support::{TestServer, one_query};

#[test]
fn signed_checkpoints_export_and_verify() {
    let s = TestServer::start();
    let (status, _) = s.post(
        "/match/default",
        Some(&s.screener),
        &one_query("Company", "Foreign Trade Bank"),
    );
    assert_eq!(status, 200);
    let signed = s.state.store.checkpoint_now().expect("checkpoint");

    let (status, v) = s.get("/audit/checkpoints?since=0", Some(&s.admin));
    assert_eq!(status, 200, "{v}");
    let public_key = v["public_key"].as_str().expect("public key").to_string();
    let checkpoints: Vec<Checkpoint> =
        serde_json::from_value(v["checkpoints"].clone()).expect("checkpoints");
    assert!(checkpoints.iter().any(|c| c.seq == signed.seq), "{v}");
    assert!(
        checkpoints.iter().all(|c| c.verify_with(&public_key)),
        "{v}"
    );
    // A forged head does not verify under the exported key.
    let mut forged = signed.clone();
    forged.hash = "0".repeat(forged.hash.len());
    assert!(!forged.verify_with(&public_key));

    // Nothing new after the last one exported.
    let (_, after) = s.get(
        &format!("/audit/checkpoints?since={}", signed.seq),
        Some(&s.admin),
    );
    assert_eq!(after["checkpoints"], serde_json::json!([]), "{after}");
    // Admins only.
    let (status, _) = s.get("/audit/checkpoints", Some(&s.viewer));
    assert_eq!(status, 403);
}
