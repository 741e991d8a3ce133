//! Hostile and careless input (issue 19), as an attacker or a tired user would give it: each
//! input is generated here at test time (nothing large is stored), run through the real binary,
//! and must get its exit code and a message naming the limit or field, the file and the line.

mod util;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const CASE_HEAD: &str = "id: H-1\nassessed_at: 2026-11-20T14:30:00Z\n";

fn sicol(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_sicol"));
    command.args(args).current_dir(util::root());
    for variable in [
        "SICOL_MAX_CASE_BYTES",
        "SICOL_MAX_RULE_FILE_BYTES",
        "SICOL_MAX_RECORD_BYTES",
        "SICOL_MAX_DEPTH",
    ] {
        command.env_remove(variable);
    }
    command.envs(env.iter().copied());
    command.output().expect("sicol runs")
}

/// Runs sicol and checks the exit code and that stderr says each of `says`.
fn check(args: &[&str], env: &[(&str, &str)], code: i32, says: &[&str]) -> Output {
    let output = sicol(args, env);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(
        output.status.code(),
        Some(code),
        "sicol {args:?}\nstderr: {stderr}"
    );
    for words in says {
        assert!(
            stderr.contains(words),
            "sicol {args:?}: expected `{words}` in:\n{stderr}"
        );
    }
    output
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    fs::write(&path, text).expect("written");
    path
}

fn text(path: &Path) -> &str {
    path.to_str().expect("utf-8 path")
}

#[test]
fn deep_nesting_inside_a_field_is_refused_at_its_line() {
    let dir = tempfile::tempdir().expect("temp dir");
    let depth = 100_000;
    let corpus = [
        (
            "lists.yaml",
            format!(
                "{CASE_HEAD}wishes: {}{}\n",
                "[".repeat(depth),
                "]".repeat(depth)
            ),
        ),
        (
            "maps.yaml",
            format!(
                "{CASE_HEAD}person: {}1{}\n",
                "{a: ".repeat(depth),
                "}".repeat(depth)
            ),
        ),
        (
            "hundred.yaml",
            format!(
                "{CASE_HEAD}wishes: {}{}\n",
                "[".repeat(100),
                "]".repeat(100)
            ),
        ),
    ];
    for (name, case) in &corpus {
        let path = write(dir.path(), name, case);
        let expected = if name.starts_with("hundred") {
            "nesting is deeper than the limit of 64 levels"
        } else {
            "brackets"
        };
        check(
            &["evaluate", text(&path)],
            &[],
            2,
            &[&format!("{name}:3:"), expected],
        );
    }
    // The same in --choices.
    let choices = write(
        dir.path(),
        "choices.yaml",
        &format!("- referral: {}{}\n", "[".repeat(100), "]".repeat(100)),
    );
    check(
        &[
            "evaluate",
            "tests/cases/social_led_eviction.yaml",
            "--choices",
            text(&choices),
        ],
        &[],
        2,
        &["choices.yaml:1:", "nesting is deeper"],
    );
    // And a service that needs it can raise the depth (and then gets serde's own answer).
    check(
        &[
            "--max-depth",
            "200",
            "evaluate",
            text(&dir.path().join("hundred.yaml")),
        ],
        &[],
        2,
        &["hundred.yaml:3:", "wishes"],
    );
}

/// A copy of the bundled rules with one file replaced.
fn rules_with(dir: &Path, name: &str, text: &str) -> PathBuf {
    let rules = dir.join("rules");
    fs::create_dir_all(&rules).expect("rules folder");
    for entry in fs::read_dir(util::rules_dir()).expect("bundled rules") {
        let path = entry.expect("entry").path();
        if path.is_file() {
            fs::copy(&path, rules.join(path.file_name().expect("name"))).expect("copied");
        }
    }
    fs::write(rules.join(name), text).expect("replaced");
    rules
}

#[test]
fn rule_files_refuse_deep_nesting_and_duplicate_keys_naming_both_lines() {
    let dir = tempfile::tempdir().expect("temp dir");
    let ruleset = fs::read_to_string(util::rules_dir().join("ruleset.yaml")).expect("ruleset");
    let deep = format!("{ruleset}\nextra: {}{}\n", "[".repeat(100), "]".repeat(100));
    let rules = rules_with(dir.path(), "ruleset.yaml", &deep);
    check(
        &["--rules", text(&rules), "rules", "check"],
        &[],
        2,
        &["ruleset.yaml:", "nesting is deeper"],
    );
    // A weight given twice: the last used to win silently.
    let vocabulary =
        fs::read_to_string(util::rules_dir().join("vocabulary.yaml")).expect("vocabulary");
    let line = vocabulary
        .lines()
        .find(|line| line.starts_with("  eviction:"))
        .expect("eviction is in the vocabulary");
    let twice = vocabulary.replacen(line, &format!("{line}\n    label: Eviction again"), 1);
    let dup = dir.path().join("dup");
    fs::create_dir_all(&dup).expect("folder");
    let rules = rules_with(&dup, "vocabulary.yaml", &twice);
    let output = check(
        &["--rules", text(&rules), "rules", "check"],
        &[],
        2,
        &["vocabulary.yaml:", "given twice in the same map"],
    );
    let stderr = String::from_utf8_lossy(&output.stderr);
    // The first two labels after the eviction line are its own (the original, then ours).
    let label_lines: Vec<usize> = twice
        .lines()
        .enumerate()
        .skip_while(|(_, text)| !text.starts_with("  eviction:"))
        .filter(|(_, text)| text.starts_with("    label:"))
        .map(|(index, _)| index + 1)
        .take(2)
        .collect();
    assert_eq!(label_lines.len(), 2, "two labels for eviction");
    assert!(
        stderr.contains(&format!(
            "on lines {} and {}",
            label_lines[0], label_lines[1]
        )),
        "{stderr}"
    );
    assert!(!stderr.contains("no problems found"), "{stderr}");
}

#[test]
fn oversized_binary_and_alias_bombs_are_refused_without_reading_them_whole() {
    let dir = tempfile::tempdir().expect("temp dir");
    // A sparse 1 GiB file: refused from its size, so the test takes no disk and no time.
    let huge = dir.path().join("huge.yaml");
    fs::File::create(&huge)
        .and_then(|file| file.set_len(1 << 30))
        .expect("sparse file");
    check(
        &["evaluate", text(&huge)],
        &[],
        2,
        &[
            "huge.yaml",
            "larger than the size limit for a case (1 MiB)",
            "SICOL_MAX_CASE_BYTES",
        ],
    );
    // A stream has no size to read: reading stops one byte past the limit.
    check(
        &["evaluate", "/dev/zero"],
        &[],
        2,
        &["larger than the size limit"],
    );
    // NUL bytes in a small file.
    let nul = write(
        dir.path(),
        "nul.yaml",
        &format!("{CASE_HEAD}wishes: a\0b\n"),
    );
    check(
        &["evaluate", text(&nul)],
        &[],
        2,
        &["nul.yaml:3:", "NUL byte"],
    );
    // 999 aliases of a factor with a 200 KB note.
    let mut bomb = format!(
        "{CASE_HEAD}stressors:\n  - &f {{kind: debt, severity: 2, note: \"{}\"}}\n",
        "x".repeat(200_000)
    );
    for _ in 0..999 {
        bomb.push_str("  - *f\n");
    }
    let bomb = write(dir.path(), "bomb.yaml", &bomb);
    check(
        &["evaluate", text(&bomb)],
        &[],
        2,
        &[
            "bomb.yaml:",
            "aliases expand the file to more than 4 times its size",
        ],
    );
    // A 2 MB note is over the case limit; a service may raise it.
    let long = write(
        dir.path(),
        "long.yaml",
        &format!("{CASE_HEAD}wishes: \"{}\"\n", "y".repeat(2 << 20)),
    );
    check(
        &["evaluate", text(&long)],
        &[],
        2,
        &["larger than the size limit"],
    );
    check(
        &["evaluate", text(&long)],
        &[("SICOL_MAX_CASE_BYTES", "4000000")],
        0,
        &[],
    );
    check(
        &["--max-case-bytes", "4000000", "evaluate", text(&long)],
        &[],
        0,
        &[],
    );
    check(
        &["evaluate", text(&long)],
        &[("SICOL_MAX_CASE_BYTES", "lots")],
        2,
        &["--max-case-bytes"],
    );
}

#[test]
fn control_characters_are_refused_and_never_printed_raw() {
    let dir = tempfile::tempdir().expect("temp dir");
    let escape = write(
        dir.path(),
        "escape.yaml",
        "id: \"A\\e[2J\\e[31mRED\"\nassessed_at: 2026-11-20T14:30:00Z\nwishes: \"fine\\nand\\ttabbed\"\nstressors:\n  - kind: debt\n    severity: 2\n    note: \"csi \\u009b here\"\n",
    );
    let output = check(
        &["evaluate", "--format", "text", text(&escape)],
        &[],
        2,
        &[
            "escape.yaml:1:",
            "id: the text has a control character U+001B (escape)",
            "stressors[0].note: the text has a control character U+009B",
        ],
    );
    assert!(!output.stdout.contains(&0x1b) && !output.stderr.contains(&0x1b));
    // The message quoting a bad kind escapes it too.
    let kind = write(
        dir.path(),
        "kind.yaml",
        &format!("{CASE_HEAD}stressors:\n  - kind: \"debt\\e[2J\"\n    severity: 2\n"),
    );
    let output = check(&["evaluate", text(&kind)], &[], 2, &["kind.yaml:4:"]);
    assert!(
        !output.stderr.contains(&0x1b),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    // The person's reasons in --choices too.
    let choices = write(
        dir.path(),
        "choices.yaml",
        "- referral: cv-housing-options\n  decision: declined\n  reason: \"no\\e]0;title\\a\"\n",
    );
    check(
        &[
            "evaluate",
            "tests/cases/social_led_eviction.yaml",
            "--choices",
            text(&choices),
        ],
        &[],
        2,
        &["choices.yaml:3:", "[0].reason", "U+001B"],
    );
}

#[test]
fn implausible_dates_are_refused_naming_the_field() {
    let dir = tempfile::tempdir().expect("temp dir");
    let corpus = [
        (
            "zero.yaml",
            format!("{CASE_HEAD}stressors:\n  - kind: debt\n    severity: 2\n    since: 0000-01-01\n"),
            "stressors[0].since: `0000-01-01` is not a plausible date",
        ),
        (
            "year.yaml",
            "id: H-1\nassessed_at: 0226-11-20T14:30:00Z\n".to_owned(),
            "assessed_at: `0226-11-20T14:30:00Z` is not a plausible date",
        ),
        (
            "since.yaml",
            format!("{CASE_HEAD}stressors:\n  - kind: eviction\n    severity: 3\n    since: 2026-11-25\n"),
            "stressors[0].since: it began on 2026-11-25, after the assessment on 2026-11-20",
        ),
        (
            "future.yaml",
            "id: H-1\nassessed_at: 2199-01-01T09:00:00Z\n".to_owned(),
            "assessed_at: the assessment time 2199-01-01T09:00:00+00:00 is in the future",
        ),
    ];
    for (name, case, says) in &corpus {
        let path = write(dir.path(), name, case);
        check(&["evaluate", text(&path)], &[], 2, &[name, says]);
    }
}

#[cfg(unix)]
#[test]
fn written_files_stay_in_their_folder_are_private_and_follow_no_symlink() {
    use std::os::unix::fs::PermissionsExt;
    let mode = |path: &Path| fs::metadata(path).expect("exists").permissions().mode() & 0o777;
    let dir = tempfile::tempdir().expect("temp dir");
    let cases = dir.path().join("cases");
    fs::create_dir_all(&cases).expect("cases");
    let golden = fs::read_to_string(util::root().join("tests/cases/social_led_eviction.yaml"))
        .expect("golden");
    write(&cases, "..yaml", &golden);
    write(&cases, "ok.yaml", &golden);
    let out = dir.path().join("out");
    check(
        &[
            "evaluate",
            "--batch",
            text(&cases),
            "--out",
            text(&out),
            "--format",
            "json",
        ],
        &[],
        0,
        &[],
    );
    assert!(
        !dir.path().join("out.json").exists(),
        "a case named ..yaml wrote outside --out"
    );
    let mut written: Vec<String> = fs::read_dir(&out)
        .expect("out")
        .map(|entry| {
            entry
                .expect("entry")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    written.sort();
    assert_eq!(written, ["ok.json", "unnamed.json"]);
    assert_eq!(mode(&out), 0o700);
    assert_eq!(mode(&out.join("ok.json")), 0o600);

    // export --out does not write through a symlink planted at its file name.
    let victim = write(dir.path(), "victim.txt", "keep me");
    let fhir = dir.path().join("fhir");
    fs::create_dir_all(&fhir).expect("fhir");
    std::os::unix::fs::symlink(&victim, fhir.join("00000001.fhir.json")).expect("symlink");
    check(
        &["export", "--out", text(&fhir), "formulations/00000001.json"],
        &[],
        0,
        &[],
    );
    assert_eq!(fs::read_to_string(&victim).expect("victim"), "keep me");
    let exported = fhir.join("00000001.fhir.json");
    assert!(!fs::symlink_metadata(&exported)
        .expect("written")
        .file_type()
        .is_symlink());
    assert_eq!(mode(&exported), 0o600);
}

#[test]
fn a_broken_chain_stops_the_store_readers_unless_forensic() {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = dir.path().join("store");
    check(
        &["demo-store", "--out", text(&store), "--count", "30"],
        &[],
        0,
        &[],
    );
    // Exporting the whole store reaches its end, past every follow-up and status.
    let fhir = dir.path().join("fhir");
    let output = check(&["export", "--out", text(&fhir), text(&store)], &[], 0, &[]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    let assessments = fs::read_dir(&store)
        .expect("store")
        .filter_map(|entry| {
            let path = entry.ok()?.path();
            let record = sicol::records::store::read_record(&path).ok()?;
            record.is_assessment().then_some(())
        })
        .count();
    assert!(stderr.contains("is a follow-up of record"), "{stderr}");
    assert_eq!(fs::read_dir(&fhir).expect("fhir").count(), assessments);

    fs::remove_file(store.join("00000005.json")).expect("a record deleted");
    let commands: [&[&str]; 4] = [
        &["replay", text(&store)],
        &["report", "--store", text(&store)],
        &["export", text(&store)],
        &["rules", "impact", "--store", text(&store)],
    ];
    for args in commands {
        let refused = check(
            args,
            &[],
            1,
            &[
                "missing link: record 00000005 is absent",
                "chain broken after 4 good records",
            ],
        );
        // Replay, report and impact check the chain in the same pass as they read the
        // records, and hold back what they would show until it is judged: nothing is shown.
        assert!(
            refused.stdout.is_empty(),
            "{args:?} showed: {}",
            String::from_utf8_lossy(&refused.stdout)
        );
        let mut forensic = args.to_vec();
        forensic.push("--forensic");
        let output = sicol(&forensic, &[]);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains("FORENSIC"), "{args:?}: {stderr}");
    }
    let output = sicol(&["report", "--store", text(&store), "--forensic"], &[]);
    assert!(String::from_utf8_lossy(&output.stdout).starts_with("FORENSIC"));
}
