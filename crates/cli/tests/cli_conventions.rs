//! What every command does the same way: exit status, error text, unreadable
//! input lines, a reader that goes away.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

fn resolute() -> Command {
    Command::new(env!("CARGO_BIN_EXE_resolute"))
}

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

#[test]
fn a_missing_file_is_one_clear_error_with_status_2() {
    let out = resolute()
        .args(["lists", "inspect", "no-such-list.xml"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("no-such-list.xml"), "{err}");
    assert_eq!(err.matches("os error 2").count(), 1, "said once: {err}");
    assert!(
        !err.contains('\u{1b}'),
        "no ANSI colours off a terminal: {err}"
    );
}

#[test]
fn an_unknown_entry_is_status_1() {
    let out = resolute()
        .args(["lists", "show", "KPe.999"])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Run `args` with `input` on stdin; (status, stdout lines as JSON).
fn run_with_stdin(args: &[&str], input: &str) -> (Option<i32>, Vec<serde_json::Value>) {
    let mut child = resolute()
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run resolute");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(input.as_bytes())
        .expect("write stdin");
    let out = child.wait_with_output().expect("wait");
    let lines = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("JSON line"))
        .collect();
    (out.status.code(), lines)
}

#[test]
fn unreadable_lines_have_one_id_convention_and_a_batch_of_only_those_fails() {
    let bad = "{oops\n{\"id\": \"t7\", \"kind\": \"goods\"}\n";
    let (status, screened) = run_with_stdin(&["screen", "--input", "-", "--no-lists"], bad);
    assert_eq!(status, Some(2), "{screened:?}");
    let (status, matched) = run_with_stdin(
        &[
            "match",
            "--input",
            "-",
            "--list",
            &repo()
                .join("tests/fixtures/un/consolidated-2017-07-03.xml")
                .to_string_lossy(),
        ],
        "{oops\n{\"id\": \"q7\", \"schema\": \"Nonsense\"}\n",
    );
    assert_eq!(status, Some(2), "{matched:?}");
    // The line number (as text) when the line has no readable id; its own id otherwise.
    assert_eq!(screened[0]["id"], "1");
    assert_eq!(matched[0]["id"], "1");
    assert!(
        screened[0]["error"]
            .as_str()
            .unwrap()
            .starts_with("line 1: not JSON")
    );
    assert!(
        matched[0]["error"]
            .as_str()
            .unwrap()
            .starts_with("line 1: not JSON")
    );
    assert_eq!(screened[1]["id"], "t7");
    assert_eq!(matched[1]["id"], "q7");
    // One good line among bad ones: the batch goes on and succeeds.
    let mixed = format!(
        "{bad}{}\n",
        r#"{"id":"ok","kind":"goods","date":"2017-10-02","hs_code":"2701.12","origin":"KP","from":"KP","to":"CN"}"#
    );
    let (status, screened) = run_with_stdin(&["screen", "--input", "-", "--no-lists"], &mixed);
    assert_eq!(status, Some(0));
    assert_eq!(screened[2]["decision"], "prohibited");
}

#[test]
fn a_reader_that_goes_away_ends_the_command_quietly() {
    // `resolute lists diff … | head -c 10`: the pipe closes after a few bytes
    // of ~100 KB of output (more than a pipe buffers).
    let un = |f: &str| repo().join("tests/fixtures/un").join(f);
    let mut child = resolute()
        .args(["lists", "diff", "--json"])
        .arg(un("consolidated-2017-07-03.xml"))
        .arg(un("consolidated-2020-03-20.xml"))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = child.stdout.take().unwrap();
    let mut first = [0u8; 10];
    stdout.read_exact(&mut first).unwrap();
    drop(stdout);
    let out = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!err.contains("panicked"), "{err}");
    assert_eq!(out.status.code(), Some(0), "{err}");
}
