//! `sicol evaluate --batch DIR --out DIR`: one output per case, on several threads, the same
//! bytes as evaluating each case alone, bad cases reported per file while the good ones are
//! still written, and never an output over an input.

mod util;

use std::num::NonZeroUsize;
use std::path::{Path, PathBuf};
use std::process::Command;

use sicol::batch::{self, BatchOptions};
use sicol::report::{OutputFormat as Format, Report};
use sicol::{files, Error};

/// Copies the golden cases into a fresh folder, plus `extra` files (name, text).
fn case_folder(extra: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temporary folder");
    for case in util::example_cases() {
        let name = case.file_name().expect("file name");
        std::fs::copy(&case, dir.path().join(name)).expect("copy case");
    }
    for (name, text) in extra {
        std::fs::write(dir.path().join(name), text).expect("write extra case");
    }
    dir
}

fn options(format: Format, threads: usize) -> BatchOptions {
    BatchOptions {
        format,
        threads: NonZeroUsize::new(threads).expect("at least one thread"),
    }
}

/// What `sicol evaluate` gives for one case on its own.
fn alone(case: &Path, format: Format) -> String {
    let rules = util::bundled();
    let assessment = files::read_assessment(case, rules).expect("valid case");
    let formulation = sicol::evaluate(rules, &assessment);
    Report {
        assessment: &assessment,
        formulation: &formulation,
        choices: None,
        vocabulary: &rules.vocabulary,
    }
    .render(format)
}

const BAD_CASE: &str =
    "id: B-1\nassessed_at: 2026-11-20T10:00:00Z\nstressors:\n  - kind: evicton\n    severity: 3\n";

#[test]
fn every_good_case_is_written_and_a_bad_one_is_reported_against_its_file() {
    let input = case_folder(&[("zz_bad.yaml", BAD_CASE), ("notes.txt", "not a case")]);
    let out = tempfile::tempdir().expect("output folder");
    let cases = batch::case_files(input.path()).expect("list cases");
    assert_eq!(cases.len(), util::example_cases().len() + 1, "{cases:?}");

    let report = batch::evaluate_files(
        util::bundled(),
        &cases,
        out.path(),
        options(Format::Yaml, 2),
    )
    .expect("batch runs");

    assert_eq!(report.written(), util::example_cases().len());
    let failures: Vec<(&Path, &Error)> = report.failures().collect();
    assert_eq!(failures.len(), 1);
    assert!(failures[0].0.ends_with("zz_bad.yaml"));
    let message = failures[0].1.to_string();
    assert!(
        message.contains("zz_bad.yaml:4:") && message.contains("did you mean `eviction`?"),
        "{message}"
    );
    for case in util::example_cases() {
        let output = out.path().join(format!("{}.yaml", util::stem(&case)));
        let written = std::fs::read_to_string(&output).expect("output written");
        assert_eq!(written, alone(&case, Format::Yaml), "{}", output.display());
    }
    assert!(!out.path().join("zz_bad.yaml").exists());
    let leftovers: Vec<PathBuf> = std::fs::read_dir(out.path())
        .expect("list outputs")
        .map(|entry| entry.expect("entry").path())
        .filter(|path| path.to_string_lossy().ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn one_thread_and_several_threads_write_the_same_bytes() {
    // Many copies of the golden cases under new names, so that work is spread over the threads.
    let input = tempfile::tempdir().expect("input folder");
    let mut cases = Vec::new();
    for copy in 0..6 {
        for case in util::example_cases() {
            let path = input
                .path()
                .join(format!("{}_{copy}.yaml", util::stem(&case)));
            std::fs::copy(&case, &path).expect("copy");
            cases.push(path);
        }
    }
    let one = tempfile::tempdir().expect("output folder");
    let two = tempfile::tempdir().expect("output folder");
    let report_one = batch::evaluate_files(
        util::bundled(),
        &cases,
        one.path(),
        options(Format::Json, 1),
    )
    .expect("batch runs");
    let report_two = batch::evaluate_files(
        util::bundled(),
        &cases,
        two.path(),
        options(Format::Json, 3),
    )
    .expect("batch runs");
    assert_eq!(report_one.written(), cases.len());
    assert_eq!(report_two.written(), cases.len());
    // Outcomes come back in input order whatever thread did the work.
    for ((case, first), second) in cases
        .iter()
        .zip(&report_one.outcomes)
        .zip(&report_two.outcomes)
    {
        assert_eq!(&first.input, case);
        assert_eq!(&second.input, case);
    }
    for case in &cases {
        let name = format!("{}.json", util::stem(case));
        let a = std::fs::read(one.path().join(&name)).expect("written by one thread");
        let b = std::fs::read(two.path().join(&name)).expect("written by three threads");
        assert_eq!(a, b, "{name}");
    }
}

#[test]
fn the_output_folder_may_not_be_the_case_folder() {
    let input = case_folder(&[]);
    let before =
        std::fs::read_to_string(input.path().join("social_led_eviction.yaml")).expect("case");
    let cases = batch::case_files(input.path()).expect("list cases");
    let error = batch::evaluate_files(
        util::bundled(),
        &cases,
        input.path(),
        options(Format::Yaml, 2),
    )
    .expect_err("outputs would overwrite the cases");
    assert!(
        error.to_string().contains("could be overwritten"),
        "{error}"
    );
    let after =
        std::fs::read_to_string(input.path().join("social_led_eviction.yaml")).expect("case");
    assert_eq!(before, after);
}

#[test]
fn two_cases_with_one_stem_do_not_overwrite_each_other() {
    let input = tempfile::tempdir().expect("input folder");
    let case = util::root().join("tests/cases/social_led_eviction.yaml");
    let first = input.path().join("same.yaml");
    let second = input.path().join("same.yml");
    std::fs::copy(&case, &first).expect("copy");
    std::fs::copy(&case, &second).expect("copy");
    let out = tempfile::tempdir().expect("output folder");
    let report = batch::evaluate_files(
        util::bundled(),
        &[first, second],
        out.path(),
        options(Format::Text, 2),
    )
    .expect("batch runs");
    assert!(report.outcomes[0].result.is_ok());
    let error = report.outcomes[1].result.as_ref().expect_err("clash");
    assert!(error.to_string().contains("same.yml"), "{error}");
    assert!(out.path().join("same.txt").exists());
}

#[test]
fn the_command_writes_outputs_and_exits_2_when_a_case_is_bad() {
    let input = case_folder(&[("zz_bad.yaml", BAD_CASE)]);
    let out = tempfile::tempdir().expect("output folder");
    let run = Command::new(env!("CARGO_BIN_EXE_sicol"))
        .arg("--rules")
        .arg(util::rules_dir())
        .args(["evaluate", "--format", "text", "--jobs", "2", "--batch"])
        .arg(input.path())
        .arg("--out")
        .arg(out.path())
        .output()
        .expect("sicol runs");
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert_eq!(run.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("zz_bad.yaml:4:"), "{stderr}");
    let cases = util::example_cases().len();
    assert!(
        stderr.contains(&format!("formulated {cases} of {} case(s)", cases + 1)),
        "{stderr}"
    );
    let case = util::root().join("tests/cases/mixed_bereavement.yaml");
    let written =
        std::fs::read_to_string(out.path().join("mixed_bereavement.txt")).expect("written");
    assert_eq!(written, alone(&case, Format::Text));

    // All good: exit 0.
    std::fs::remove_file(input.path().join("zz_bad.yaml")).expect("remove bad case");
    let run = Command::new(env!("CARGO_BIN_EXE_sicol"))
        .arg("--rules")
        .arg(util::rules_dir())
        .args(["evaluate", "--batch"])
        .arg(input.path())
        .arg("--out")
        .arg(out.path())
        .output()
        .expect("sicol runs");
    assert_eq!(
        run.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
}

#[test]
fn batch_needs_an_output_folder() {
    let run = Command::new(env!("CARGO_BIN_EXE_sicol"))
        .args(["evaluate", "--batch", "tests/cases"])
        .current_dir(util::root())
        .output()
        .expect("sicol runs");
    assert_eq!(run.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&run.stderr).contains("--out"));
}

#[test]
fn an_incomplete_formulation_in_a_batch_is_written_listed_and_exits_1() {
    let rules = tempfile::tempdir().expect("rules folder");
    let bundled = sicol::files::read_rule_files(&util::rules_dir()).expect("bundled rules");
    for (name, text) in &bundled.files {
        let text = if name == "ruleset.yaml" {
            format!("{text}  - file: boom.rhai\n")
        } else {
            text.clone()
        };
        std::fs::write(rules.path().join(name), text).expect("write rule file");
    }
    std::fs::write(
        rules.path().join("boom.rhai"),
        "rule(\"boom\");\nthrow \"no data\";\n",
    )
    .expect("write boom.rhai");
    let input = case_folder(&[]);
    let out = tempfile::tempdir().expect("output folder");
    let run = Command::new(env!("CARGO_BIN_EXE_sicol"))
        .arg("--rules")
        .arg(rules.path())
        .args(["evaluate", "--batch"])
        .arg(input.path())
        .arg("--out")
        .arg(out.path())
        .output()
        .expect("sicol runs");
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert_eq!(run.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("mixed_bereavement.yaml: incomplete formulation: a rule failed, so what it would have added is missing\n  boom.rhai:2:1: rule boom.boom stopped: no data\n"),
        "{stderr}"
    );
    let cases = util::example_cases().len();
    assert!(
        stderr.contains(&format!("{cases} INCOMPLETE (a rule failed)")),
        "{stderr}"
    );
    let written =
        std::fs::read_to_string(out.path().join("mixed_bereavement.yaml")).expect("written");
    assert!(written.contains("\nincomplete: true\n"), "{written}");
}
