//! Cap ledger: draws commit with the screening's audit record or not at all,
//! stale seeds are refused, opening amounts are audited, all survives reopening.

use chrono::NaiveDate;
use resolute_store::{CapAccount, NewCapDraw, Store, StoreError, StoreOptions};
use serde_json::json;

const PETROLEUM: &str = "dprk/2397/5/refined-petroleum";

fn account() -> CapAccount {
    CapAccount::new(
        PETROLEUM,
        NaiveDate::from_ymd_opt(2018, 1, 1).expect("date"),
        "bbl",
    )
}

fn draw(tx: &str, amount: f64) -> NewCapDraw {
    NewCapDraw {
        transaction_id: tx.into(),
        account: account(),
        amount,
    }
}

/// A screening job: audit record + draws in one write, as the server does it.
fn screen(store: &Store, id: &str, draws: Vec<NewCapDraw>, seeded: f64) -> Result<i64, StoreError> {
    let id = id.to_string();
    store.write(move |ctx| {
        let receipt = ctx.append_audit(
            "screening.transaction",
            "key:test",
            &json!({"screening_id": id, "cap_draws": draws}),
        )?;
        ctx.record_cap_draws(&id, receipt.seq, "key:test", &draws, &[(account(), seeded)])?;
        Ok(receipt.seq)
    })
}

fn used(store: &Store) -> f64 {
    store
        .cap_balances()
        .expect("balances")
        .into_iter()
        .find(|b| b.account == account())
        .map(|b| b.used)
        .unwrap_or(0.0)
}

#[test]
fn draws_commit_with_the_audit_record_and_stale_seeds_are_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Store::open(dir.path(), StoreOptions::default()).expect("open");
    let seq = screen(&store, "scr_1", vec![draw("a", 300_000.0)], 0.0).expect("first");
    assert_eq!(used(&store), 300_000.0);
    let draws = store.cap_draws(None, 10).expect("draws");
    assert_eq!(draws.len(), 1);
    assert_eq!(
        (
            draws[0].audit_seq,
            draws[0].screening_id.as_str(),
            draws[0].transaction_id.as_str(),
            draws[0].actor.as_str()
        ),
        (seq, "scr_1", "a", "key:test")
    );

    // A second screening seeded before the first committed (it saw 0 used): refused, nothing written.
    let records = store.audit_count().expect("count");
    let err = screen(&store, "scr_2", vec![draw("b", 300_000.0)], 0.0).expect_err("stale seed");
    assert!(matches!(err, StoreError::Conflict(_)), "{err}");
    assert_eq!(
        store.audit_count().expect("count"),
        records,
        "the audit record was rolled back with the draws"
    );
    assert_eq!(used(&store), 300_000.0);

    // A job that fails after writing its audit record and draws leaves nothing behind.
    let failed = store.write(|ctx| -> Result<(), StoreError> {
        let receipt = ctx.append_audit(
            "screening.transaction",
            "key:test",
            &json!({"screening_id": "scr_3"}),
        )?;
        ctx.record_cap_draws(
            "scr_3",
            receipt.seq,
            "key:test",
            &[draw("c", 1.0)],
            &[(account(), 300_000.0)],
        )?;
        Err(StoreError::Invalid(
            "simulated failure after the writes".into(),
        ))
    });
    assert!(failed.is_err());
    assert_eq!(store.audit_count().expect("count"), records);
    assert_eq!(store.cap_draws(None, 10).expect("draws").len(), 1);
    assert_eq!(used(&store), 300_000.0);
    // A draw that is not a finite non-negative amount is refused the same way.
    assert!(screen(&store, "scr_4", vec![draw("d", f64::NAN)], 300_000.0).is_err());
    assert_eq!(store.audit_count().expect("count"), records);

    // Seeded with the committed amount, it goes through; the chain verifies.
    screen(&store, "scr_5", vec![draw("e", 150_000.0)], 300_000.0).expect("fresh seed");
    assert_eq!(used(&store), 450_000.0);
    assert!(store.verify_audit().expect("verify").ok);
}

#[test]
fn opening_amounts_are_audited_replace_each_other_and_survive_reopening() {
    let dir = tempfile::tempdir().expect("tempdir");
    {
        let store = Store::open(dir.path(), StoreOptions::default()).expect("open");
        let (b, receipt) = store
            .set_cap_opening(
                account(),
                120_000.0,
                "delivered Jan-Mar per national customs",
                "key:admin",
            )
            .expect("opening");
        assert_eq!((b.opening, b.used, b.draws), (120_000.0, 120_000.0, 0));
        let rec = store.audit_record(receipt.seq).expect("audit");
        assert_eq!(rec.kind, "cap.opening_set");
        assert_eq!(rec.actor, "key:admin");
        assert_eq!(rec.payload["opening"], 120_000.0);
        assert_eq!(rec.payload["previous_opening"], serde_json::Value::Null);
        assert_eq!(
            rec.payload["note"],
            "delivered Jan-Mar per national customs"
        );

        screen(&store, "scr_1", vec![draw("a", 50_000.0)], 120_000.0).expect("draw");
        // Replacing the opening keeps the draws: used = opening + draws.
        let (b, receipt) = store
            .set_cap_opening(account(), 200_000.0, "1718 Committee figure", "key:admin")
            .expect("again");
        assert_eq!((b.opening, b.used, b.draws), (200_000.0, 250_000.0, 1));
        assert_eq!(
            store.audit_record(receipt.seq).expect("audit").payload["previous_opening"],
            120_000.0
        );
        assert!(
            store
                .set_cap_opening(account(), -1.0, "x", "key:admin")
                .is_err()
        );
        store.close();
    }
    let store = Store::open(dir.path(), StoreOptions::default()).expect("reopen");
    let b = store.cap_balances().expect("balances");
    assert_eq!(b.len(), 1);
    assert_eq!(
        (b[0].opening, b[0].used, b[0].draws),
        (200_000.0, 250_000.0, 1)
    );
    assert!(store.verify_audit().expect("verify").ok);
}
