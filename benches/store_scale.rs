//! Store work at the scale of a service's years: `cargo bench --bench store_scale`.
//!
//! Builds a synthetic store of about 100,000 records once (`sicol demo-store`, kept in
//! `target/store-scale-<records>/` so later runs reuse it), then times each command over it as a
//! user runs it, through the release binary: replay, verify, report and `rules impact` (a
//! proposed copy of the bundled rules under a new version, so every record is formulated under
//! both, against the rules deployed now), and the export of one record
//! (which reads the whole store for its referral statuses). With `SICOL_TEST_PG_URL` set (see
//! `.ci/postgres.sh`) the store is copied into a fresh PostgreSQL database and the same
//! commands are timed against it.
//!
//! These are wall-clock figures of whole commands, each the best of `SICOL_BENCH_RUNS` runs
//! (default 3), so a timing is not a criterion statistic; BENCHMARKS.md records them.
//! `SICOL_BENCH_PEOPLE` sets the demo store's people (default 59,000, about 100,300 records).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

fn sicol() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_sicol"));
    command
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env_remove("SICOL_STORE");
    command
}

fn env_number(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|text| text.parse().ok())
        .unwrap_or(default)
}

/// The demo store, made once per size.
fn store(people: usize) -> PathBuf {
    let target = target_dir();
    let dir = target.join(format!("store-scale-{people}"));
    if dir.join("00000001.json").is_file() {
        return dir;
    }
    let building = target.join(format!("store-scale-{people}.building"));
    let _ = std::fs::remove_dir_all(&building);
    let started = Instant::now();
    let status = sicol()
        .args(["demo-store", "--out"])
        .arg(&building)
        .args(["--count", &people.to_string(), "--days", "1460"])
        .status()
        .expect("demo-store runs");
    assert!(status.success(), "demo-store failed");
    std::fs::rename(&building, &dir).expect("store in place");
    println!(
        "built the store of {people} people in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    dir
}

/// The best of `runs` runs of a command, which must exit with one of `ok`.
fn time(runs: usize, ok: &[i32], args: &[&str]) -> Duration {
    let mut best = Duration::MAX;
    for _ in 0..runs {
        let started = Instant::now();
        let output = sicol().args(args).output().expect("sicol runs");
        let elapsed = started.elapsed();
        let code = output.status.code().unwrap_or(-1);
        assert!(
            ok.contains(&code),
            "sicol {} exited {code}: {}",
            args.join(" "),
            String::from_utf8_lossy(&output.stderr)
        );
        best = best.min(elapsed);
    }
    best
}

/// A proposed rule set: the bundled rules under a new version (another sha256, the same
/// outcomes), so `rules impact` formulates every record twice, as for a real proposal.
fn proposed_rules(target: &Path) -> PathBuf {
    let bundled = Path::new(env!("CARGO_MANIFEST_DIR")).join("rules");
    let dir = target.join("store-scale-proposed-rules");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("rules folder");
    for entry in std::fs::read_dir(&bundled)
        .expect("bundled rules")
        .flatten()
    {
        if entry.path().is_file() {
            let mut text = std::fs::read_to_string(entry.path()).expect("rule file");
            if entry.file_name() == "ruleset.yaml" {
                text = text.replacen("\nversion: ", "\nversion: 9999.", 1);
            }
            std::fs::write(dir.join(entry.file_name()), text).expect("written");
        }
    }
    dir
}

fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("target"))
}

fn commands(store: &str, runs: usize) -> Vec<(&'static str, Duration)> {
    let proposed = proposed_rules(&target_dir());
    let rules = proposed.to_str().expect("a UTF-8 path");
    let current = concat!(env!("CARGO_MANIFEST_DIR"), "/rules");
    vec![
        ("replay", time(runs, &[0, 1], &["replay", store])),
        ("verify", time(runs, &[0], &["verify", store])),
        ("report", time(runs, &[0], &["report", "--store", store])),
        (
            "rules impact",
            time(
                runs,
                &[0, 1],
                &[
                    "--rules",
                    rules,
                    "rules",
                    "impact",
                    "--store",
                    store,
                    "--current",
                    current,
                ],
            ),
        ),
        (
            "export (one record)",
            time(runs, &[0], &["export", "00000001", "--store", store]),
        ),
    ]
}

fn print(backend: &str, records: usize, figures: &[(&str, Duration)]) {
    for (command, elapsed) in figures {
        println!(
            "{backend:<10} {records:>7} records  {command:<20} {:>7.2} s",
            elapsed.as_secs_f64()
        );
    }
}

fn main() {
    // `cargo bench` passes --bench; `cargo test --benches` runs this without it: do nothing then.
    if !std::env::args().any(|arg| arg == "--bench") {
        return;
    }
    let people = env_number("SICOL_BENCH_PEOPLE", 59_000);
    let runs = env_number("SICOL_BENCH_RUNS", 3).max(1);
    let dir = store(people);
    let records = std::fs::read_dir(&dir)
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .filter(|entry| entry.file_name().to_string_lossy().ends_with(".json"))
                .count()
        })
        .unwrap_or(0);
    let folder = dir.display().to_string();
    print("folder", records, &commands(&folder, runs));

    let Ok(admin) = std::env::var("SICOL_TEST_PG_URL") else {
        println!("(no SICOL_TEST_PG_URL: PostgreSQL not timed; source .ci/postgres.sh first)");
        return;
    };
    let database = format!("sicol_bench_{people}");
    let url = admin.replacen("/postgres?", &format!("/{database}?"), 1);
    let fresh = Command::new("psql")
        .arg(&admin)
        .args(["-q", "-c", &format!("DROP DATABASE IF EXISTS {database}")])
        .args(["-c", &format!("CREATE DATABASE {database}")])
        .status()
        .is_ok_and(|status| status.success());
    assert!(fresh, "psql could not make the benchmark database");
    let init = sicol().args(["store", "init", &url]).status();
    assert!(
        init.is_ok_and(|status| status.success()),
        "store init failed"
    );
    let started = Instant::now();
    let copied = sicol().args(["store", "copy", &folder, &url]).status();
    assert!(copied.is_ok_and(|status| status.success()), "copy failed");
    println!(
        "copied into PostgreSQL in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    print("postgres", records, &commands(&url, runs));
}
