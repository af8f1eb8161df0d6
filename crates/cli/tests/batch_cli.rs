//! `resolute batch` and `resolute cluster` run as binaries on real list data:
//! the same results as `resolute match`, per-row errors, a malformed file, as-of
//! re-screening on the dated UN lists, and a Ballista cluster on loopback that
//! loses an executor mid-job.
//!
//! These need the CLI's `batch` feature (`cargo test -p resolute-cli --features batch --test
//! batch_cli`); without it, only the test that `resolute batch` says how to get it runs.

const BIN: &str = env!("CARGO_BIN_EXE_resolute");

#[cfg(not(feature = "batch"))]
#[test]
fn without_the_feature_batch_says_how_to_build_it() {
    let out = std::process::Command::new(BIN)
        .args([
            "batch",
            "--input",
            "x.parquet",
            "--names",
            "--output",
            "y.parquet",
        ])
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("--features batch"), "{stderr}");
}

#[cfg(feature = "batch")]
mod with_batch {
    use super::BIN;

    use std::collections::BTreeMap;
    use std::io::Write;
    use std::net::TcpListener;
    use std::path::{Path, PathBuf};
    use std::process::{Child, Command, Output, Stdio};
    use std::time::{Duration, Instant};

    use serde_json::{Value, json};

    fn root() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
    }

    fn run(args: &[&str]) -> Output {
        Command::new(BIN)
            .args(args)
            .output()
            .unwrap_or_else(|e| panic!("running resolute {args:?}: {e}"))
    }

    fn ok(args: &[&str]) -> Output {
        let out = run(args);
        assert!(
            out.status.success(),
            "resolute {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        out
    }

    fn read_jsonl(path: &Path) -> Vec<Value> {
        std::fs::read_to_string(path)
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{l}: {e}")))
            .collect()
    }

    fn s(p: &Path) -> &str {
        p.to_str()
            .unwrap_or_else(|| panic!("non-UTF-8 path {}", p.display()))
    }

    /// Deterministic xorshift: the same rows on every run.
    struct Rng(u64);

    impl Rng {
        fn below(&mut self, n: usize) -> usize {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            (self.0 % n.max(1) as u64) as usize
        }
    }

    /// `n` customer rows: names of the bundled lists' entries, perturbed (word
    /// order, case, one letter), half with the entry's nationality and birth date,
    /// and made-up names from their words. Written both as a table (JSONL) and as
    /// `resolute match` queries.
    fn write_rows(n: usize, table: &Path, queries: &Path) {
        let versions = resolute_lists::bundled().unwrap_or_else(|e| panic!("{e}"));
        let entities: Vec<&resolute_model::Entity> =
            versions.iter().flat_map(|v| v.entities.iter()).collect();
        let words: Vec<&str> = entities
            .iter()
            .flat_map(|e| e.caption.split_whitespace())
            .filter(|w| w.len() > 2)
            .collect();
        let mut rng = Rng(0x05EE_D0FB_A7C4);
        let mut t =
            std::io::BufWriter::new(std::fs::File::create(table).unwrap_or_else(|e| panic!("{e}")));
        let mut q = std::io::BufWriter::new(
            std::fs::File::create(queries).unwrap_or_else(|e| panic!("{e}")),
        );
        for i in 0..n {
            let e = entities[rng.below(entities.len())];
            let (schema, name) = if i % 2 == 0 {
                let mut toks: Vec<String> =
                    e.caption.split_whitespace().map(str::to_string).collect();
                match rng.below(3) {
                    0 => toks.reverse(),
                    1 => {
                        if let Some(t) = toks.iter_mut().max_by_key(|t| t.len())
                            && t.len() > 5
                            && t.is_ascii()
                        {
                            let k = 1 + rng.below(t.len() - 2);
                            t.replace_range(k..k + 1, "e");
                        }
                    }
                    _ => toks.iter_mut().for_each(|t| *t = t.to_lowercase()),
                }
                (e.schema.as_str().to_string(), toks.join(" "))
            } else {
                let k = 2 + rng.below(2);
                let made: Vec<&str> = (0..k).map(|_| words[rng.below(words.len())]).collect();
                ("Person".to_string(), made.join(" "))
            };
            let with_quals = i % 4 == 0;
            let nationality = e
                .get("nationality")
                .first()
                .filter(|_| with_quals)
                .map(|c| c.to_string());
            let dob = e
                .get("birthDate")
                .first()
                .filter(|_| with_quals)
                .map(|d| d.to_string());
            let id = format!("r{i:05}");
            writeln!(
            t,
            "{}",
            json!({"id": id, "schema": schema, "name": name, "nationality": nationality, "dob": dob})
        )
        .ok();
            let mut props = json!({"name": [name]});
            if let Some(c) = &nationality {
                props["nationality"] = json!([c]);
            }
            if let Some(d) = &dob {
                props["birthDate"] = json!([d]);
            }
            writeln!(
                q,
                "{}",
                json!({"id": id, "schema": schema, "properties": props})
            )
            .ok();
        }
        t.flush().ok();
        q.flush().ok();
    }

    /// `(ref, score, match, explanation)` per hit, by row id.
    type Hits = BTreeMap<String, Vec<(String, f64, bool, Value)>>;

    fn hits_of_batch(rows: &[Value]) -> Hits {
        rows.iter()
            .map(|r| {
                let id = r["id"].as_str().unwrap_or_default().to_string();
                let hits = r["hits"]
                    .as_array()
                    .unwrap_or_else(|| panic!("row without hits: {r}"))
                    .iter()
                    .map(|h| {
                        let explanation: Value =
                            serde_json::from_str(h["explanation"].as_str().unwrap_or("null"))
                                .unwrap_or(Value::Null);
                        (
                            h["ref"].as_str().unwrap_or_default().to_string(),
                            h["score"].as_f64().unwrap_or(f64::NAN),
                            h["match"].as_bool().unwrap_or_default(),
                            explanation,
                        )
                    })
                    .collect();
                (id, hits)
            })
            .collect()
    }

    fn hits_of_match(rows: &[Value]) -> Hits {
        rows.iter()
            .map(|r| {
                let id = r["id"].as_str().unwrap_or_default().to_string();
                let hits = r["results"]
                    .as_array()
                    .unwrap_or_else(|| panic!("match row without results: {r}"))
                    .iter()
                    .map(|h| {
                        (
                            h["ref"].as_str().unwrap_or_default().to_string(),
                            h["score"].as_f64().unwrap_or(f64::NAN),
                            h["match"].as_bool().unwrap_or_default(),
                            h["explanations"].clone(),
                        )
                    })
                    .collect();
                (id, hits)
            })
            .collect()
    }

    #[test]
    fn batch_on_parquet_gives_the_results_of_resolute_match_on_10000_rows() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let (table, queries) = (dir.path().join("rows.jsonl"), dir.path().join("q.jsonl"));
        write_rows(10_000, &table, &queries);
        let parquet = dir.path().join("customers.parquet");
        ok(&[
            "batch",
            "--input",
            s(&table),
            "--sql",
            "SELECT * FROM input",
            "--output",
            s(&parquet),
            "--progress",
            "none",
        ]);
        let hits = dir.path().join("hits.parquet");
        let out = ok(&[
            "batch",
            "--input",
            s(&parquet),
            "--output",
            s(&hits),
            "--progress",
            "json",
            "--sql",
            "SELECT id, screen_name(schema, name, nationality, dob, NULL) AS hits FROM input",
        ]);
        // Progress lines are JSON objects counting rows up to the total.
        let stderr = String::from_utf8_lossy(&out.stderr);
        let last_progress: Value = stderr
            .lines()
            .rev()
            .find_map(|l| serde_json::from_str::<Value>(l).ok())
            .unwrap_or(Value::Null);
        assert_eq!(last_progress["rows"], 10_000, "{stderr}");
        assert_eq!(last_progress["total"], 10_000, "{stderr}");

        // The versions are in the Parquet file's metadata.
        let meta: BTreeMap<String, String> = resolute_batch::job::parquet_metadata(&hits)
            .unwrap_or_else(|e| panic!("{e}"))
            .into_iter()
            .collect();
        let lists = meta.get("resolute.lists").cloned().unwrap_or_default();
        assert!(
            lists.starts_with("un@2026-02-27#") && lists.contains(",ofac-sdn@2024-05-03#"),
            "{meta:?}"
        );
        assert!(
            meta.get("resolute.regime")
                .is_some_and(|r| r.starts_with("dprk-regime#")),
            "{meta:?}"
        );

        let as_jsonl = dir.path().join("hits.jsonl");
        ok(&[
            "batch",
            "--input",
            s(&hits),
            "--sql",
            "SELECT * FROM input",
            "--output",
            s(&as_jsonl),
            "--progress",
            "none",
        ]);
        let batch = hits_of_batch(&read_jsonl(&as_jsonl));

        let matched = dir.path().join("match.jsonl");
        ok(&["match", "--input", s(&queries), "--output", s(&matched)]);
        let expected = hits_of_match(&read_jsonl(&matched));

        assert_eq!(batch.len(), 10_000);
        let with_hits = expected.values().filter(|h| !h.is_empty()).count();
        assert!(
            with_hits > 4_000,
            "only {with_hits} rows with hits: the rows are not realistic"
        );
        let differing: Vec<&String> = expected
            .iter()
            .filter(|(id, h)| batch.get(*id) != Some(*h))
            .map(|(id, _)| id)
            .collect();
        assert!(
            differing.is_empty(),
            "{} rows differ, e.g. {:?}: batch {:?} vs match {:?}",
            differing.len(),
            differing.first(),
            differing.first().and_then(|id| batch.get(*id)),
            differing.first().and_then(|id| expected.get(*id))
        );
    }

    #[test]
    fn names_shorthand_screens_csv_and_reports_bad_rows_in_the_error_column() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let out = dir.path().join("hits.jsonl");
        let input = root().join("tests/fixtures/batch/customers.csv");
        ok(&[
            "batch",
            "--names",
            "--input",
            s(&input),
            "--output",
            s(&out),
            "--progress",
            "none",
            "--list",
            s(&root().join("data/lists/un/consolidated-2026-02-27.xml")),
        ]);
        let rows = read_jsonl(&out);
        let by_id: BTreeMap<&str, &Value> = rows
            .iter()
            .map(|r| (r["id"].as_str().unwrap_or(""), r))
            .collect();
        assert_eq!(by_id.len(), 8, "{rows:#?}");
        let top = |id: &str| {
            by_id[id]["hits"][0]["ref"]
                .as_str()
                .unwrap_or("")
                .to_string()
        };
        assert_eq!(top("c1"), "KPi.048");
        assert_eq!(top("c2"), "KPe.047");
        assert_eq!(top("c7"), "KPe.001");
        assert_eq!(top("c8"), "KPi.001");
        assert_eq!(by_id["c1"]["hits"][0]["list"], "un");
        assert_eq!(by_id["c2"]["hits"][0]["listed_on"], "2017-08-05");
        assert!(
            by_id["c3"]["hits"]
                .as_array()
                .is_some_and(|h| h.iter().all(|h| h["match"] == false))
        );
        for (id, error) in [
            ("c4", "name: missing"),
            ("c5", "schema: unknown \"Persn\""),
            ("c6", "birth_date: \"not a date\""),
        ] {
            let e = by_id[id]["error"].as_str().unwrap_or_default();
            assert!(e.starts_with(error), "{id}: {e}");
            assert!(
                by_id[id].get("hits").is_none_or(Value::is_null),
                "{id}: {}",
                by_id[id]
            );
        }
        for id in ["c1", "c2", "c3", "c7", "c8"] {
            assert!(
                by_id[id].get("error").is_none_or(Value::is_null),
                "{id}: {}",
                by_id[id]
            );
        }
        // CSV and JSON Lines carry the versions in a file next to them.
        let sidecar: Value = serde_json::from_str(
            &std::fs::read_to_string(dir.path().join("hits.jsonl.versions.json"))
                .unwrap_or_default(),
        )
        .unwrap_or(Value::Null);
        assert_eq!(sidecar["rows"], 8);
        assert!(
            sidecar["versions"]["lists"][0]
                .as_str()
                .is_some_and(|l| l.starts_with("un@2026-02-27#"))
        );
    }

    #[test]
    fn a_malformed_file_fails_naming_the_file_and_line_and_leaves_no_output() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let out = dir.path().join("hits.parquet");
        let input = root().join("tests/fixtures/batch/malformed.csv");
        let result = run(&[
            "batch",
            "--names",
            "--input",
            s(&input),
            "--output",
            s(&out),
            "--progress",
            "none",
        ]);
        assert_eq!(result.status.code(), Some(2));
        let stderr = String::from_utf8_lossy(&result.stderr);
        assert!(stderr.contains("malformed.csv"), "{stderr}");
        assert!(
            stderr.contains("row 4") || stderr.contains("line 4"),
            "{stderr}"
        );
        let left: Vec<_> = std::fs::read_dir(dir.path())
            .map(|d| d.flatten().map(|e| e.file_name()).collect())
            .unwrap_or_default();
        assert!(left.is_empty(), "left behind: {left:?}");
    }

    #[test]
    fn transactions_shorthand_gives_the_decisions_of_resolute_screen() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let input = root().join("tests/fixtures/transactions/scenarios.jsonl");
        let out = dir.path().join("decisions.jsonl");
        ok(&[
            "batch",
            "--transactions",
            "--input",
            s(&input),
            "--output",
            s(&out),
            "--progress",
            "none",
        ]);
        let screened = dir.path().join("screen.jsonl");
        ok(&["screen", "--input", s(&input), "--output", s(&screened)]);
        let batch = read_jsonl(&out);
        let expected = read_jsonl(&screened);
        assert_eq!(batch.len(), expected.len());
        let mut same = 0;
        for (b, e) in batch.iter().zip(&expected) {
            assert_eq!(b["id"], e["id"]);
            if e.get("error").is_some() {
                assert!(b["error"].is_string(), "{b} vs {e}");
                continue;
            }
            // Rows are screened one by one in a batch job: a row whose decision came
            // from a cap drawn down by earlier rows of the file may differ.
            let cap_dependent = e["findings"].as_array().is_some_and(|f| {
                f.iter()
                    .any(|f| f["summary"].as_str().is_some_and(|s| s.contains("cap")))
            });
            if !cap_dependent {
                assert_eq!(b["decision"], e["decision"], "{b} vs {e}");
                let rules = |v: &Value| {
                    v["findings"]
                        .as_array()
                        .map(|f| f.iter().map(|f| f["rule"].clone()).collect::<Vec<_>>())
                };
                assert_eq!(rules(b), rules(e), "{b} vs {e}");
                same += 1;
            }
        }
        assert!(same >= expected.len() / 2, "only {same} comparable rows");
    }

    #[test]
    fn as_of_designations_finds_who_2371s_designations_would_have_hit() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let input = root().join("tests/fixtures/batch/customers.csv");
        let out = dir.path().join("asof.jsonl");
        ok(&[
            "batch",
            "--as-of-designations",
            "--program",
            "DPRK",
            "--history",
            s(&root().join("tests/fixtures/un")),
            "--input",
            s(&input),
            "--output",
            s(&out),
            "--progress",
            "none",
        ]);
        let rows = read_jsonl(&out);
        // Every hit on the entries designated that day (match or not).
        let on = |date: &str| -> Vec<(String, String)> {
            rows.iter()
                .filter(|r| r["as_of"] == date)
                .map(|r| {
                    (
                        r["id"].as_str().unwrap_or("").to_string(),
                        r["ref"].as_str().unwrap_or("").to_string(),
                    )
                })
                .collect()
        };
        // Resolution 2371 (5 August 2017) designated the Foreign Trade Bank (KPe.047); the
        // customer's longer name ("… of the DPRK") scores below the match threshold.
        assert!(
            on("2017-08-05").contains(&("c2".to_string(), "KPe.047".to_string())),
            "{rows:#?}"
        );
        // KOMID (KPe.001): listed 24 April 2009; Yun Ho-jin (KPi.001): 16 July 2009 (the
        // listed_on dates of the dated UN lists in tests/fixtures/un).
        assert!(
            on("2009-04-24").contains(&("c7".to_string(), "KPe.001".to_string())),
            "{rows:#?}"
        );
        let first = on("2009-07-16");
        assert!(
            first.contains(&("c8".to_string(), "KPi.001".to_string())),
            "{first:?}"
        );
        assert!(!first.iter().any(|(id, _)| id == "c2"), "{first:?}");
    }

    /// A free TCP port on loopback (bound, then released).
    fn free_port() -> u16 {
        TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
            .unwrap_or_else(|e| panic!("{e}"))
    }

    struct Proc(Child);

    impl Drop for Proc {
        fn drop(&mut self) {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }

    fn spawn(args: &[String], log: &Path) -> Proc {
        let file = std::fs::File::create(log).unwrap_or_else(|e| panic!("{e}"));
        let child = Command::new(BIN)
            .args(args)
            .stdout(Stdio::null())
            .stderr(file)
            .spawn()
            .unwrap_or_else(|e| panic!("{e}"));
        Proc(child)
    }

    fn wait_for_port(port: u16, within: Duration) {
        let start = Instant::now();
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(start.elapsed() < within, "nothing listens on port {port}");
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    fn executor_args(scheduler: u16, extra: &[&str]) -> Vec<String> {
        let mut a: Vec<String> = ["cluster", "executor", "--scheduler"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        a.push(format!("df://127.0.0.1:{scheduler}"));
        a.extend([
            "--port".to_string(),
            free_port().to_string(),
            "--grpc-port".to_string(),
            free_port().to_string(),
        ]);
        a.extend(
            [
                "--concurrent-tasks",
                "1",
                "--heartbeat",
                "1",
                "--executor-timeout",
                "4",
            ]
            .iter()
            .map(|s| s.to_string()),
        );
        a.extend(extra.iter().map(|s| s.to_string()));
        a
    }

    /// Rows of the cluster test: enough that the survivor still works for longer
    /// than the scheduler takes to notice the killed executor (`--executor-timeout 2`).
    const CLUSTER_ROWS: usize = 60_000;

    #[test]
    fn cluster_job_survives_an_executor_killed_mid_job_and_equals_the_embedded_run() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let (table, queries) = (dir.path().join("rows.jsonl"), dir.path().join("q.jsonl"));
        write_rows(CLUSTER_ROWS, &table, &queries);
        // Several files: Ballista gives each file (and row group) its own tasks.
        let mut parts = Vec::new();
        for k in 0..6 {
            let part = dir.path().join(format!("part{k}.parquet"));
            let sql = format!("SELECT * FROM input WHERE CAST(substr(id, 2) AS INT) % 6 = {k}");
            ok(&[
                "batch",
                "--input",
                s(&table),
                "--sql",
                &sql,
                "--output",
                s(&part),
                "--progress",
                "none",
            ]);
            parts.push(part);
        }
        // Every hit of every row, with its explanation.
        let union: Vec<String> = (0..6)
        .map(|k| format!("SELECT id, unnest(screen_name(schema, name, nationality, dob, NULL)) AS h FROM p{k}"))
        .collect();
        let sql = format!(
            "SELECT id, h['ref'] AS ref, h['score'] AS score, h['match'] AS m, h['explanation'] AS e \
         FROM ({})",
            union.join(" UNION ALL ")
        );
        let job = |output: &Path, cluster: Option<u16>| -> Vec<String> {
            let mut args: Vec<String> = [
                "batch",
                "--input",
                s(&parts[0]),
                "--progress",
                "none",
                "--sql",
                &sql,
                "--output",
                s(output),
            ]
            .iter()
            .map(|s| s.to_string())
            .collect();
            for (k, p) in parts.iter().enumerate() {
                args.push("--table".into());
                args.push(format!("p{k}={}", s(p)));
            }
            if let Some(port) = cluster {
                args.extend([
                    "--cluster".to_string(),
                    format!("df://127.0.0.1:{port}"),
                    "--threads".into(),
                    "4".into(),
                ]);
            }
            args
        };

        let embedded = dir.path().join("embedded.jsonl");
        let refs: Vec<String> = job(&embedded, None);
        ok(&refs.iter().map(String::as_str).collect::<Vec<_>>());

        let scheduler_port = free_port();
        let _scheduler = spawn(
            &[
                "cluster",
                "scheduler",
                "--bind",
                &format!("127.0.0.1:{scheduler_port}"),
                "--heartbeat",
                "1",
                "--executor-timeout",
                "2",
            ]
            .map(str::to_string),
            &dir.path().join("scheduler.log"),
        );
        wait_for_port(scheduler_port, Duration::from_secs(60));
        let _survivor = spawn(
            &executor_args(scheduler_port, &[]),
            &dir.path().join("executor1.log"),
        );
        let mut victim = spawn(
            &executor_args(scheduler_port, &[]),
            &dir.path().join("executor2.log"),
        );
        std::thread::sleep(Duration::from_secs(3));

        let clustered = dir.path().join("cluster.jsonl");
        let started = Instant::now();
        let client = Command::new(BIN)
            .args(job(&clustered, Some(scheduler_port)))
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("{e}"));
        // Let both executors start on the job (the client loads the lists first), then kill one.
        std::thread::sleep(Duration::from_millis(2500));
        victim.0.kill().unwrap_or_else(|e| panic!("{e}"));
        let killed_after = started.elapsed();
        let out = client.wait_with_output().unwrap_or_else(|e| panic!("{e}"));
        let logs = |name: &str| std::fs::read_to_string(dir.path().join(name)).unwrap_or_default();
        assert!(
            out.status.success(),
            "cluster job failed after an executor was killed: {}\nscheduler: {}\nsurvivor: {}",
            String::from_utf8_lossy(&out.stderr),
            logs("scheduler.log"),
            logs("executor1.log")
        );
        let took = started.elapsed();
        assert!(took > killed_after, "the job ended before the kill");
        eprintln!("cluster job: {took:?}, executor killed after {killed_after:?}");

        let sorted = |path: &Path| {
            let mut rows: Vec<String> = read_jsonl(path).iter().map(Value::to_string).collect();
            rows.sort();
            rows
        };
        let a = sorted(&embedded);
        let b = sorted(&clustered);
        assert!(a.len() > CLUSTER_ROWS / 2, "only {} hits", a.len());
        assert_eq!(b.len(), a.len());
        assert!(
            a == b,
            "the cluster's result differs from the embedded run's"
        );
    }

    #[test]
    fn cluster_refuses_a_job_planned_with_other_versions() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let scheduler_port = free_port();
        // The scheduler reports at most 3 hits per row; the client 5: other results, other fingerprint.
        let _scheduler = spawn(
            &[
                "cluster",
                "scheduler",
                "--bind",
                &format!("127.0.0.1:{scheduler_port}"),
                "--limit",
                "3",
            ]
            .map(str::to_string),
            &dir.path().join("scheduler.log"),
        );
        wait_for_port(scheduler_port, Duration::from_secs(60));
        let _executor = spawn(
            &executor_args(scheduler_port, &["--limit", "3"]),
            &dir.path().join("executor.log"),
        );
        let out = dir.path().join("hits.parquet");
        let input = root().join("tests/fixtures/batch/customers.csv");
        let url = format!("df://127.0.0.1:{scheduler_port}");
        let result = run(&[
            "batch",
            "--names",
            "--input",
            s(&input),
            "--output",
            s(&out),
            "--progress",
            "none",
            "--cluster",
            &url,
        ]);
        assert_eq!(result.status.code(), Some(2));
        let stderr = String::from_utf8_lossy(&result.stderr);
        assert!(stderr.contains("versions differ"), "{stderr}");
        assert!(!out.exists());
    }
}
