//! `sicol rules concordance`: the measures on hand-built outcomes, the rendered report, vignette
//! files located like assessments, the command's exit codes on a small fixture folder, and the
//! bundled rules against the bundled MHTS reference set (issue 12's targets).

mod util;

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

use sicol::authoring::concordance::urgency_for_code;
use sicol::authoring::concordance::{
    measure, parse_vignettes, Concordance, Outcome, Reference, Targets, Verdict, Vignette, CODES,
};
use sicol::rules::RuleSetId;
use sicol::{files, Urgency};

fn ruleset_id() -> RuleSetId {
    RuleSetId {
        name: "test-rules".to_owned(),
        version: "1.0".to_owned(),
        sha256: "0".repeat(64),
    }
}

fn code(letter: char) -> Urgency {
    urgency_for_code(letter).expect("a triage code")
}

/// One outcome: the vignette `file`, its reference code and sicol's code.
fn outcome(file: &str, reference: char, sicol: char) -> Outcome {
    Outcome {
        file: format!("tests/reference/mhts/{file}.yaml"),
        reference: Reference {
            code: code(reference),
            descriptor: format!("descriptor of {reference}"),
        },
        sicol: code(sicol),
        reason: format!("rule.{file} set {}", code(sicol)),
    }
}

fn concordance(outcomes: Vec<Outcome>) -> Concordance {
    Concordance {
        ruleset: ruleset_id(),
        outcomes,
    }
}

/// Ten vignettes: seven exact, two over-triaged (one by two codes), one under-triaged.
fn ten() -> Concordance {
    concordance(vec![
        outcome("a01", 'A', 'A'),
        outcome("b01", 'B', 'B'),
        outcome("b02", 'B', 'C'),
        outcome("c01", 'C', 'C'),
        outcome("c02", 'C', 'A'),
        outcome("d01", 'D', 'D'),
        outcome("e01", 'E', 'E'),
        outcome("e02", 'E', 'D'),
        outcome("f01", 'F', 'F'),
        outcome("f02", 'F', 'F'),
    ])
}

#[test]
fn verdicts_compare_urgency_not_letters() {
    assert_eq!(outcome("x", 'B', 'C').verdict(), Verdict::UnderTriage);
    assert_eq!(outcome("x", 'C', 'A').verdict(), Verdict::OverTriage);
    assert_eq!(outcome("x", 'F', 'F').verdict(), Verdict::Exact);
    assert_eq!(outcome("x", 'C', 'A').distance(), 2);
    assert_eq!(outcome("x", 'A', 'F').distance(), 5);
    assert_eq!(CODES, ['A', 'B', 'C', 'D', 'E', 'F']);
}

#[test]
fn counts_rates_and_matrix_add_up() {
    let measured = ten();
    assert_eq!(measured.total(), 10);
    assert_eq!(measured.count(Verdict::Exact), 7);
    assert_eq!(measured.count(Verdict::OverTriage), 2);
    assert_eq!(measured.count(Verdict::UnderTriage), 1);
    assert_eq!(measured.rate(Verdict::Exact), 70.0);
    assert_eq!(measured.rate(Verdict::OverTriage), 20.0);
    assert_eq!(measured.rate(Verdict::UnderTriage), 10.0);

    let matrix = measured.matrix();
    // Rows are the reference code, columns sicol's, both A first.
    assert_eq!(matrix[0], [1, 0, 0, 0, 0, 0]);
    assert_eq!(matrix[1], [0, 1, 1, 0, 0, 0]);
    assert_eq!(matrix[2], [1, 0, 1, 0, 0, 0]);
    assert_eq!(matrix[4], [0, 0, 0, 1, 1, 0]);
    assert_eq!(matrix[5], [0, 0, 0, 0, 0, 2]);
    let diagonal: usize = (0..6).map(|i| matrix[i][i]).sum();
    assert_eq!(diagonal, measured.count(Verdict::Exact));
    let below_diagonal: usize = (0..6)
        .flat_map(|r| (0..r).map(move |c| (r, c)))
        .map(|(r, c)| matrix[r][c])
        .sum();
    assert_eq!(below_diagonal, measured.count(Verdict::OverTriage));
    assert_eq!(matrix.iter().flatten().sum::<usize>(), 10);
}

#[test]
fn misses_list_under_triage_first_then_the_furthest_off() {
    let measured = ten();
    let files: Vec<&str> = measured
        .misses()
        .iter()
        .map(|outcome| outcome.file.as_str())
        .collect();
    assert_eq!(
        files,
        [
            "tests/reference/mhts/b02.yaml",
            "tests/reference/mhts/c02.yaml",
            "tests/reference/mhts/e02.yaml"
        ]
    );
}

#[test]
fn any_under_triage_fails_whatever_the_other_targets() {
    let measured = ten();
    assert!(!measured.passed(&Targets::default()));
    let results = measured.targets(&Targets::default());
    assert_eq!(results.len(), 1, "only under-triage without targets");
    assert_eq!(results[0].measure, "under_triage");
    assert!(!results[0].met);

    let safe = concordance(vec![outcome("a", 'A', 'A'), outcome("b", 'C', 'B')]);
    assert!(safe.passed(&Targets::default()));
}

#[test]
fn rate_targets_are_met_at_the_boundary_and_missed_past_it() {
    // 10 vignettes, 2 over-triaged (20 %), 8 exact (80 %): exactly the bundled targets.
    let mut outcomes: Vec<Outcome> = (0..8)
        .map(|i| outcome(&format!("c{i}"), 'C', 'C'))
        .collect();
    outcomes.push(outcome("o1", 'D', 'C'));
    outcomes.push(outcome("o2", 'F', 'E'));
    let at_boundary = concordance(outcomes.clone());
    assert!(
        at_boundary.passed(&Targets::BUNDLED),
        "{:?}",
        at_boundary.targets(&Targets::BUNDLED)
    );

    // One more over-triage: 3 of 11 (27.3 %) over, 8 of 11 (72.7 %) exact.
    outcomes.push(outcome("o3", 'E', 'A'));
    let past = concordance(outcomes);
    let results = past.targets(&Targets::BUNDLED);
    let met: BTreeMap<&str, bool> = results.iter().map(|r| (r.measure, r.met)).collect();
    assert_eq!(
        met,
        BTreeMap::from([
            ("exact_agreement", false),
            ("over_triage", false),
            ("under_triage", true)
        ])
    );
    assert!(!past.passed(&Targets::BUNDLED));
    assert!(past.passed(&Targets {
        max_over_triage: Some(30.0),
        min_agreement: Some(70.0),
    }));
}

#[test]
fn nothing_measured_meets_no_agreement_target() {
    let empty = concordance(Vec::new());
    assert_eq!(empty.rate(Verdict::Exact), 0.0);
    assert!(empty.passed(&Targets::default()));
    assert!(!empty.passed(&Targets::BUNDLED));
}

#[test]
fn the_report_shows_matrix_rates_targets_and_each_miss() {
    let rendered = ten().render_text(&Targets::BUNDLED);
    util::snapshot_settings().bind(|| insta::assert_snapshot!("concordance__report", rendered));
}

#[test]
fn the_json_report_carries_the_same_figures() {
    let json = ten().to_json(&Targets::BUNDLED);
    assert_eq!(json["vignettes"], 10);
    assert_eq!(json["under_triage"]["count"], 1);
    assert_eq!(json["over_triage"]["rate"], 20.0);
    assert_eq!(json["exact_agreement"]["rate"], 70.0);
    assert_eq!(json["matrix"]["counts"][1][2], 1);
    assert_eq!(json["passed"], false);
    assert_eq!(json["misses"][0]["verdict"], "under_triage");
    assert_eq!(json["misses"][0]["reference"]["code"], "B");
    assert_eq!(json["misses"][0]["sicol"]["reason"], "rule.b02 set high");
}

const PLAIN: &str = "\
id: T-1
assessed_at: 2026-11-20T14:30:00Z
person: { age: 40, lives: alone }
";

fn vignette(code: &str, descriptor: &str, rest: &str) -> String {
    format!("# a fixture\nmhts:\n  code: {code}\n  descriptor: \"{descriptor}\"\n{rest}")
}

#[test]
fn a_vignette_is_an_assessment_with_its_reference() {
    let text = vignette("C", "suicidal ideation without a plan", PLAIN);
    let parsed = Vignette::parse(&text, "c.yaml", &util::bundled().vocabulary).expect("parses");
    assert_eq!(parsed.reference.code, Urgency::High);
    assert_eq!(
        parsed.reference.descriptor,
        "suicidal ideation without a plan"
    );
    assert_eq!(parsed.assessment.id, "T-1");
}

#[test]
fn problems_in_a_vignette_are_located_with_a_fix() {
    let vocabulary = &util::bundled().vocabulary;
    let errors = |text: &str| match Vignette::parse(text, "bad.yaml", vocabulary) {
        Ok(_) => panic!("expected problems in:\n{text}"),
        Err(problems) => problems.to_string(),
    };
    let wrong_code = errors(&vignette("G", "x", PLAIN));
    assert!(
        wrong_code.contains("bad.yaml:3:9: mhts.code: `G` is not a triage code"),
        "{wrong_code}"
    );
    assert!(
        wrong_code.contains("fix: write one of the scale's codes A, B, C, D, E or F"),
        "{wrong_code}"
    );

    let no_block = errors(PLAIN);
    assert!(
        no_block.contains("bad.yaml: mhts: no `mhts:` block"),
        "{no_block}"
    );

    let empty_descriptor = errors(&vignette("B", " ", PLAIN));
    assert!(
        empty_descriptor.contains("mhts.descriptor: missing descriptor"),
        "{empty_descriptor}"
    );

    let unknown_field = errors(&format!(
        "mhts:\n  code: B\n  descriptor: x\n  urgency: high\n{PLAIN}"
    ));
    assert!(
        unknown_field.contains("bad.yaml:4:3: mhts: unknown field `urgency`"),
        "{unknown_field}"
    );

    // The assessment part is checked as an assessment, with its line kept.
    let wrong_kind = errors(&vignette(
        "D",
        "x",
        &format!("{PLAIN}medical:\n  - {{ kind: psychosys, severity: 1 }}\n"),
    ));
    assert!(
        wrong_kind.contains("bad.yaml:9:13: medical[0].kind"),
        "{wrong_kind}"
    );
    assert!(
        wrong_kind.contains("did you mean `psychosis`?"),
        "{wrong_kind}"
    );
}

#[test]
fn two_vignettes_with_one_id_are_a_problem_in_the_second() {
    let files = [
        ("one.yaml".to_owned(), vignette("F", "x", PLAIN)),
        ("two.yaml".to_owned(), vignette("F", "y", PLAIN)),
    ];
    let problems = parse_vignettes(&files, &util::bundled().vocabulary)
        .expect_err("a duplicate id")
        .to_string();
    assert!(
        problems.starts_with("two.yaml:5:5: id: id `T-1` is already used by one.yaml"),
        "{problems}"
    );
}

fn write_reference(dir: &Path, vignettes: &[(&str, String)]) {
    for entry in std::fs::read_dir(dir).expect("fixture folder") {
        std::fs::remove_file(entry.expect("entry").path()).expect("clear fixture");
    }
    for (name, text) in vignettes {
        std::fs::write(dir.join(name), text).expect("write vignette");
    }
}

fn sicol_concordance(dir: &Path, extra: &[&str]) -> (Option<i32>, String, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_sicol"))
        .args(["rules", "concordance", "--rules"])
        .arg(util::rules_dir())
        .arg("--reference")
        .arg(dir)
        .args(extra)
        .output()
        .expect("run sicol");
    (
        output.status.code(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[test]
fn the_command_exits_0_when_met_1_on_under_triage_or_a_missed_target_and_2_on_a_bad_file() {
    let dir = tempfile::tempdir().expect("temp dir");
    // Nothing at all is recorded: any rule set gives F.
    let nothing = vignette("F", "advice or information only", PLAIN);
    // A suicide attempt in the last days: any safe rule set gives more than F. Coded F here only
    // to make an over-triage on purpose.
    let attempt = vignette(
        "F",
        "deliberately wrong, to make an over-triage",
        &format!("{PLAIN}medical:\n  - {{ kind: recent_suicide_attempt, severity: 3 }}\n")
            .replace("T-1", "T-2"),
    );

    write_reference(dir.path(), &[("f01.yaml", nothing.clone())]);
    let (code, out, err) = sicol_concordance(dir.path(), &[]);
    assert_eq!(code, Some(0), "{out}{err}");
    assert!(out.contains("exact agreement    1 of 1  100.0%"), "{out}");
    assert!(out.contains("no misses"), "{out}");

    write_reference(
        dir.path(),
        &[("f01.yaml", nothing.clone()), ("f02.yaml", attempt.clone())],
    );
    let (code, out, err) = sicol_concordance(dir.path(), &[]);
    assert_eq!(
        code,
        Some(0),
        "over-triage alone passes without targets: {out}{err}"
    );
    assert!(out.contains("over-triage        1 of 2   50.0%"), "{out}");
    let (code, out, _) = sicol_concordance(dir.path(), &["--max-over-triage", "20"]);
    assert_eq!(code, Some(1), "{out}");
    assert!(out.contains("target ≤ 20%: MISSED"), "{out}");
    let (code, out, _) = sicol_concordance(dir.path(), &["--min-agreement", "80%"]);
    assert_eq!(code, Some(1), "{out}");
    let (code, out, _) = sicol_concordance(
        dir.path(),
        &["--max-over-triage", "50", "--min-agreement", "50"],
    );
    assert_eq!(code, Some(0), "{out}");
    let (code, out, _) = sicol_concordance(dir.path(), &["--format", "json"]);
    assert_eq!(code, Some(0), "{out}");
    let json: serde_json::Value = serde_json::from_str(&out).expect("json output");
    assert_eq!(json["vignettes"], 2);
    assert_eq!(json["over_triage"]["count"], 1);

    let under = vignette("A", "deliberately wrong, to make an under-triage", PLAIN);
    write_reference(dir.path(), &[("a01.yaml", under)]);
    let (code, out, _) = sicol_concordance(dir.path(), &[]);
    assert_eq!(code, Some(1), "{out}");
    assert!(out.contains("UNDER  "), "{out}");
    assert!(
        out.contains("under-triage       1 of 1  100.0%  target 0: MISSED"),
        "{out}"
    );

    write_reference(
        dir.path(),
        &[
            ("f01.yaml", nothing),
            ("bad.yaml", vignette("G", "x", PLAIN)),
        ],
    );
    let (code, out, err) = sicol_concordance(dir.path(), &[]);
    assert_eq!(code, Some(2), "{out}{err}");
    assert!(err.contains("bad.yaml:3:9: mhts.code"), "{err}");
    assert!(err.contains("fix: "), "{err}");
    assert!(out.is_empty(), "no partial measure: {out}");

    write_reference(dir.path(), &[]);
    let (code, _, err) = sicol_concordance(dir.path(), &[]);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("no reference vignettes"), "{err}");

    let (code, _, err) = sicol_concordance(dir.path(), &["--max-over-triage", "120"]);
    assert_eq!(code, Some(2), "{err}");
}

fn bundled_reference() -> Vec<Vignette> {
    let dir = util::root().join("tests/reference/mhts");
    let texts = files::read_yaml_files(&dir).expect("tests/reference/mhts readable");
    match parse_vignettes(&texts, &util::bundled().vocabulary) {
        Ok(vignettes) => vignettes,
        Err(problems) => panic!("every bundled vignette must parse:\n{problems}"),
    }
}

/// Issue 12's targets for the bundled rules: no under-triage, over-triage at most 20 %, exact
/// agreement at least 80 %, on a reference set of at least 48 vignettes with at least 4 per code.
#[test]
fn the_bundled_rules_meet_the_mhts_targets_on_the_bundled_reference_set() {
    let vignettes = bundled_reference();
    assert!(vignettes.len() >= 48, "found {} vignettes", vignettes.len());
    for letter in CODES {
        let count = vignettes
            .iter()
            .filter(|vignette| vignette.reference.code == code(letter))
            .count();
        assert!(count >= 4, "only {count} vignettes for code {letter}");
    }
    let measured = measure(util::bundled(), &vignettes);
    let report = measured.render_text(&Targets::BUNDLED);
    assert_eq!(measured.count(Verdict::UnderTriage), 0, "{report}");
    assert!(measured.passed(&Targets::BUNDLED), "{report}");
}
