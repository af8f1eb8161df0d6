//! The screening functions in an embedded DataFusion session, on the real UN
//! lists: hits, per-row errors, as-of screening over the dated UN lists, and
//! the version check of the cluster codecs.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono::NaiveDate;
use datafusion::arrow::array::{Array, AsArray, RecordBatch, StringArray};
use datafusion::arrow::datatypes::{DataType, Field, Schema};
use datafusion::datasource::MemTable;
use datafusion::logical_expr::ScalarUDF;
use datafusion_proto::logical_plan::LogicalExtensionCodec;
use resolute_batch::cluster::{LogicalCodec, embedded_context};
use resolute_batch::{Screening, ScreeningConfig};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn un_config() -> ScreeningConfig {
    ScreeningConfig {
        lists: vec![root().join("data/lists/un/consolidated-2026-02-27.xml")],
        ..ScreeningConfig::default()
    }
}

fn screening(config: &ScreeningConfig) -> Arc<Screening> {
    Arc::new(Screening::load(config).unwrap_or_else(|e| panic!("{e}")))
}

/// A table `people(id, name, dob)` of the given rows.
fn people(rows: &[(&str, Option<&str>, Option<&str>)]) -> MemTable {
    let schema = Arc::new(Schema::new(vec![
        Field::new("id", DataType::Utf8, false),
        Field::new("name", DataType::Utf8, true),
        Field::new("dob", DataType::Utf8, true),
    ]));
    type Row<'a> = (&'a str, Option<&'a str>, Option<&'a str>);
    let col = |f: for<'a> fn(&Row<'a>) -> Option<&'a str>| {
        Arc::new(rows.iter().map(f).collect::<StringArray>()) as Arc<dyn Array>
    };
    let batch = RecordBatch::try_new(
        schema.clone(),
        vec![col(|r| Some(r.0)), col(|r| r.1), col(|r| r.2)],
    )
    .unwrap_or_else(|e| panic!("{e}"));
    MemTable::try_new(schema, vec![vec![batch]]).unwrap_or_else(|e| panic!("{e}"))
}

async fn query(ctx: &datafusion::prelude::SessionContext, sql: &str) -> Vec<RecordBatch> {
    ctx.sql(sql)
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
        .collect()
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
}

fn strings(batches: &[RecordBatch], column: usize) -> Vec<Option<String>> {
    batches
        .iter()
        .flat_map(|b| {
            let c = datafusion::arrow::compute::cast(b.column(column), &DataType::Utf8)
                .unwrap_or_else(|e| panic!("{e}"));
            let c = c.as_string::<i32>().clone();
            (0..c.len())
                .map(move |i| (!c.is_null(i)).then(|| c.value(i).to_string()))
                .collect::<Vec<_>>()
        })
        .collect()
}

#[tokio::test]
async fn screen_name_finds_designees_and_reports_bad_rows() {
    let s = screening(&un_config());
    let ctx = embedded_context(&s, 2);
    ctx.register_table(
        "people",
        Arc::new(people(&[
            ("p1", Some("Foreign Trade Bank"), None),
            ("p2", None, None),
            ("p3", Some("Paek Se Bong"), Some("1966-03-06")),
            ("p4", Some("Kim Example"), Some("66-03")),
        ])),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let rows = query(
        &ctx,
        "SELECT id, h['ref'], h['list'], h['match'], h['listed_on'], err FROM \
         (SELECT id, unnest(screen_name('Organization', name, NULL, dob, NULL)) AS h, \
                 screen_name_error('Organization', name, NULL, dob, NULL) AS err FROM people) \
         ORDER BY id, h['score'] DESC",
    )
    .await;
    let ids = strings(&rows, 0);
    let refs = strings(&rows, 1);
    assert_eq!(ids.first().cloned().flatten().as_deref(), Some("p1"));
    assert_eq!(refs.first().cloned().flatten().as_deref(), Some("KPe.047"));
    assert_eq!(strings(&rows, 2)[0].as_deref(), Some("un"));
    assert_eq!(strings(&rows, 3)[0].as_deref(), Some("true"));
    assert_eq!(strings(&rows, 4)[0].as_deref(), Some("2017-08-05"));
    // Unnest drops rows whose hits are NULL (p2: no name; p4: a bad date).
    assert!(
        !ids.iter()
            .any(|i| matches!(i.as_deref(), Some("p2" | "p4")))
    );

    let errors = query(
        &ctx,
        "SELECT id, screen_name_error('Person', name, NULL, dob, NULL), \
                screen_name('Person', name, NULL, dob, NULL) IS NULL FROM people ORDER BY id",
    )
    .await;
    assert_eq!(
        strings(&errors, 1),
        vec![
            None,
            Some("name: missing".to_string()),
            None,
            Some("birth_date: \"66-03\" is not a date (YYYY, YYYY-MM or YYYY-MM-DD)".to_string()),
        ]
    );
    assert_eq!(
        strings(&errors, 2),
        ["false", "true", "false", "true"].map(|s| Some(s.to_string()))
    );
}

#[tokio::test]
async fn as_of_screening_uses_what_was_designated_on_the_date() {
    let config = ScreeningConfig {
        history: vec![root().join("tests/fixtures/un")],
        ..un_config()
    };
    let s = screening(&config);
    assert_eq!(s.versions().history.len(), 4, "{:?}", s.versions().history);
    // 2371 (5 August 2017) designated the Foreign Trade Bank: in no list of 3 July 2017,
    // first shown by the list of 29 October 2018.
    let dates = s.designation_dates(Some("DPRK"));
    let aug5 = NaiveDate::from_ymd_opt(2017, 8, 5).unwrap_or_default();
    assert!(
        dates
            .get(&aug5)
            .is_some_and(|refs| refs.contains(&"KPe.047".to_string())),
        "{dates:?}"
    );

    let ctx = embedded_context(&s, 1);
    ctx.register_table(
        "people",
        Arc::new(people(&[("p1", Some("Foreign Trade Bank"), None)])),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let top_on = |date: &'static str| {
        let ctx = ctx.clone();
        async move {
            let sql = format!(
                "SELECT h['ref'] FROM (SELECT unnest(screen_name('Organization', name, NULL, NULL, NULL, \
                 DATE '{date}')) AS h FROM people) WHERE h['match']"
            );
            strings(&query(&ctx, &sql).await, 0)
        }
    };
    assert_eq!(
        top_on("2017-08-05").await,
        vec![Some("KPe.047".to_string())]
    );
    assert_eq!(top_on("2017-08-04").await, Vec::<Option<String>>::new());
}

#[test]
fn functions_compare_by_fingerprint_and_codecs_refuse_other_versions() {
    let a = screening(&un_config());
    let b = screening(&un_config());
    let other = screening(&ScreeningConfig {
        limit: 3,
        ..un_config()
    });
    assert_eq!(a.fingerprint(), b.fingerprint());
    assert_ne!(a.fingerprint(), other.fingerprint());
    let udf = |s: &Arc<Screening>| {
        ScalarUDF::from(resolute_batch::udf::ScreenName::new(s.clone(), false))
    };
    assert_eq!(udf(&a), udf(&b));
    assert_ne!(udf(&a), udf(&other));

    let mut wire = Vec::new();
    LogicalCodec::new(a.clone())
        .try_encode_udf(&udf(&a), &mut wire)
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(
        LogicalCodec::new(b)
            .try_decode_udf("screen_name", &wire)
            .is_ok()
    );
    let refused = LogicalCodec::new(other)
        .try_decode_udf("screen_name", &wire)
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(refused.contains("versions differ"), "{refused}");
    assert!(refused.contains(a.fingerprint()), "{refused}");
}
