//! Score a name_bench CSV (`schema,name1,name2,is_match,...`) and print
//! precision/recall/F1 at the default threshold, plus the misclassified pairs.
//! `cargo run --release -p resolute-matching --example namebench -- CASES.csv`
use resolute_matching::compare_names;
use resolute_model::Schema;

fn main() {
    let path = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "tests/fixtures/matching/opensanctions-name-bench-cases.csv".into());
    let verbose = std::env::args().any(|a| a == "-v");
    let mut rdr = match csv::Reader::from_path(&path) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("{path}: {e}");
            std::process::exit(2);
        }
    };
    let (mut tp, mut fp, mut fnn, mut tn) = (0, 0, 0, 0);
    for (i, rec) in rdr.records().enumerate() {
        let Ok(r) = rec else { continue };
        let schema = Schema::parse(&r[1]).unwrap_or(Schema::Thing);
        let gold = r[4].trim().eq_ignore_ascii_case("true");
        let (s, ex) = compare_names(schema, &r[2], &r[3]);
        let pred = s >= 0.7;
        match (gold, pred) {
            (true, true) => tp += 1,
            (false, true) => fp += 1,
            (true, false) => fnn += 1,
            (false, false) => tn += 1,
        }
        if gold != pred {
            println!(
                "{} {:>3} {:.3} {:<10} {} | {}",
                if gold { "FN" } else { "FP" },
                i + 1,
                s,
                &r[1],
                &r[2],
                &r[3]
            );
            if verbose {
                print!("{ex}");
            }
        }
    }
    let p = tp as f64 / (tp + fp).max(1) as f64;
    let rc = tp as f64 / (tp + fnn).max(1) as f64;
    println!("tp {tp} fp {fp} fn {fnn} tn {tn}");
    println!(
        "namebench: f1={:.3} p={:.3} r={:.3}",
        2.0 * p * rc / (p + rc).max(1e-9),
        p,
        rc
    );
}
