//! `sicol rules test`: the bundled test cases pass and fire every bundled rule; a failing case
//! lists every difference; a broken test file is located like a broken assessment; exit codes.

mod util;

use std::collections::BTreeMap;
use std::process::Command;

use sicol::authoring::cases::{run_tests, RuleTest};
use sicol::authoring::lint::declared_rules;
use sicol::{files, RuleFiles, RuleSet};

fn bundled_cases() -> Vec<(String, String)> {
    files::read_rule_tests(&util::rules_dir()).expect("rules/tests readable")
}

const CASE: &str = "\
id: T-1
assessed_at: 2026-11-20T14:30:00Z
person: { age: 46, lives: alone }
stressors:
  - { kind: eviction, severity: 3, due: 2026-11-25 }
  - { kind: debt, severity: 2 }
";

#[test]
fn every_bundled_case_passes() {
    let cases = bundled_cases();
    assert!(cases.len() >= 15, "found {} cases", cases.len());
    let report = run_tests(util::bundled(), &cases);
    assert!(report.invalid.is_empty(), "{}", report.render());
    assert_eq!(report.failed(), 0, "{}", report.render());
    assert_eq!(report.passed(), cases.len());
}

/// Rules that only a kind not yet in the vocabulary can reach; each is proven to fire below.
const REACHED_ONLY_BY_NEW_KINDS: &[&str] = &["strengths.other_strength"];

#[test]
fn the_bundled_cases_fire_every_bundled_rule() {
    let rules = util::bundled();
    let declared = declared_rules(rules);
    assert!(declared.len() >= 60, "found {} rules", declared.len());
    assert!(declared.contains("context.section_136"));
    let report = run_tests(rules, &bundled_cases());
    assert_eq!(
        report.untested_rules, REACHED_ONLY_BY_NEW_KINDS,
        "every rule must be fired by a case in rules/tests/"
    );
}

#[test]
fn a_strength_added_to_the_vocabulary_later_is_counted_by_the_catch_all_rule() {
    let mut files = files::read_rule_files(&util::rules_dir()).expect("bundled rules");
    let vocabulary = files
        .files
        .get("vocabulary.yaml")
        .expect("vocabulary")
        .clone();
    assert!(vocabulary.contains("\nstrengths:\n"));
    files.files.insert(
        "vocabulary.yaml".to_owned(),
        vocabulary.replacen(
            "\nstrengths:\n",
            "\nstrengths:\n  allotment:\n    label: Allotment\n    description: Grows vegetables with others.\n",
            1,
        ),
    );
    let rules = RuleSet::from_files(&files).expect("extended rules load");
    let case = format!(
        "{CASE}strengths:\n  - kind: allotment\nexpect:\n  rules_fired: {REACHED_ONLY_BY_NEW_KINDS:?}\n"
    )
    .replace('"', "");
    let report = run_tests(&rules, &[("allotment.yaml".to_owned(), case)]);
    assert_eq!(report.failed(), 0, "{}", report.render());
    assert!(report.invalid.is_empty(), "{}", report.render());
}

#[test]
fn a_failing_case_lists_every_difference() {
    let case = format!(
        "{CASE}expect:
  balance: medical_led
  urgency: low
  urgency_at_least: emergency
  urgency_at_most: moderate
  recommendation: crisis_team
  referrals: [crisis_team]
  no_referrals: [housing_advice]
  referral_urgency: {{ debt_advice: same_day, befriending: routine }}
  rules_fired: [medical_risk.suicidal_ideation]
  rules_not_fired: [housing.eviction_imminent]
"
    );
    let report = run_tests(
        util::bundled(),
        &[("rules/tests/wrong.yaml".to_owned(), case)],
    );
    assert_eq!(report.failed(), 1);
    let rendered = report.render();
    // The untested-rules line depends on the whole rule set; the differences are what matters here.
    let rendered: String = rendered
        .lines()
        .filter(|line| !line.starts_with("rules no case fires"))
        .collect::<Vec<_>>()
        .join("\n");
    util::snapshot_settings().bind(|| insta::assert_snapshot!("rules_test__differences", rendered));
}

#[test]
fn a_rule_that_stops_fails_its_case() {
    let mut files = files::read_rule_files(&util::rules_dir()).expect("bundled rules");
    files.files.insert(
        "broken.rhai".to_owned(),
        "let kind = \"debt\" + \"s\";\nif has(kind) { note(\"never\"); }\n".to_owned(),
    );
    let ruleset =
        files.files.get("ruleset.yaml").expect("ruleset").clone() + "  - file: broken.rhai\n";
    files.files.insert("ruleset.yaml".to_owned(), ruleset);
    let rules = RuleSet::from_files(&files).expect("compiles");
    // Social load alone is routine (F) under the bundled rules, so the only difference is the
    // stopped rule.
    let case = format!("{CASE}expect:\n  urgency: routine\n");
    let report = run_tests(&rules, &[("case.yaml".to_owned(), case)]);
    assert_eq!(report.failed(), 1, "{}", report.render());
    let differences = &report.outcomes[0].differences;
    assert_eq!(differences.len(), 1, "{differences:?}");
    assert!(
        differences[0].starts_with(
            "rule stopped: broken.rhai:2:4: rule broken stopped: unknown kind `debts`"
        ),
        "{differences:?}"
    );
}

fn parse_errors(text: &str) -> String {
    match RuleTest::parse(text, "rules/tests/bad.yaml", util::bundled()) {
        Ok(_) => panic!("expected problems in:\n{text}"),
        Err(problems) => problems.to_string(),
    }
}

#[test]
fn problems_in_a_test_file_are_located_like_assessments() {
    let text = format!(
        "{}expect:
  urgency: hihg
",
        CASE.replace("kind: debt", "kind: detb")
    );
    let wrong_values = format!(
        "{CASE}expect:
  recommendation: crisis_teem
  referrals: [housing_advise]
  no_referrals: [debt_advice]
  referral_urgency: {{ befriending: routine }}
  rules_fired: [housing.eviction_imminnent]
  rules_not_fired: [money.debt]
  referrals_extra: [x]
"
    );
    let fixed = format!(
        "{CASE}expect:
  recommendation: crisis_teem
  referrals: [housing_advise, debt_advice]
  no_referrals: [debt_advice]
  rules_fired: [housing.eviction_imminnent]
"
    );
    let report = [
        ("bad value", parse_errors(&text)),
        ("unknown field", parse_errors(&wrong_values)),
        ("unknown names", parse_errors(&fixed)),
        ("no expect", parse_errors(CASE)),
        (
            "empty expect",
            parse_errors(&format!("{CASE}expect: {{}}\n")),
        ),
    ]
    .map(|(what, errors)| format!("--- {what}\n{errors}"))
    .join("\n");
    util::snapshot_settings().bind(|| insta::assert_snapshot!("rules_test__invalid_files", report));
}

fn write_rules(dir: &std::path::Path, cases: &BTreeMap<&str, String>) {
    let bundled: RuleFiles = files::read_rule_files(&util::rules_dir()).expect("bundled");
    for (name, text) in &bundled.files {
        std::fs::write(dir.join(name), text).expect("write rule file");
    }
    let tests = dir.join("tests");
    std::fs::create_dir_all(&tests).expect("tests folder");
    for (name, text) in cases {
        std::fs::write(tests.join(name), text).expect("write case");
    }
}

fn sicol_rules_test(dir: &std::path::Path) -> (Option<i32>, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_sicol"))
        .args(["rules", "test", "--rules"])
        .arg(dir)
        .output()
        .expect("run sicol");
    (
        output.status.code(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
    )
}

#[test]
fn the_command_exits_0_when_all_pass_1_on_a_failure_and_2_on_a_broken_file() {
    let (code, out) = sicol_rules_test(&util::rules_dir());
    assert_eq!(code, Some(0), "{out}");
    assert!(out.contains(" passed, 0 failed"), "{out}");

    let dir = tempfile::tempdir().expect("temp dir");
    let mut cases = BTreeMap::new();
    cases.insert(
        "good.yaml",
        format!("{CASE}expect:\n  balance: social_led\n"),
    );
    cases.insert(
        "failing.yaml",
        format!("{CASE}expect:\n  balance: medical_led\n"),
    );
    write_rules(dir.path(), &cases);
    let (code, out) = sicol_rules_test(dir.path());
    assert_eq!(code, Some(1), "{out}");
    assert!(out.contains("FAIL"), "{out}");
    assert!(out.contains("2 cases: 1 passed, 1 failed"), "{out}");

    cases.insert("broken.yaml", format!("{CASE}expect:\n  urgency: soon\n"));
    write_rules(dir.path(), &cases);
    let (code, out) = sicol_rules_test(dir.path());
    assert_eq!(code, Some(2), "{out}");
    assert!(out.contains("broken.yaml:8:12"), "{out}");
}

#[test]
fn a_case_can_pin_the_partners_and_the_lead_coordinator() {
    let money = bundled_cases()
        .into_iter()
        .find(|(name, _)| name.ends_with("money_destitution.yaml"))
        .map(|(_, text)| text)
        .expect("the bundled money case");
    let (assessment, _) = money.split_once("expect:").expect("an expect block");
    let pinned = format!(
        "{assessment}expect:\n  partners: [cv-money-matters]\n  no_partners: [cv-welfare-rights]\n  lead_coordinator: cv-city-advice\n"
    );
    let report = run_tests(util::bundled(), &[("pinned.yaml".to_owned(), pinned)]);
    assert_eq!(report.failed(), 0, "{}", report.render());
    assert!(report.invalid.is_empty(), "{}", report.render());

    let wrong = format!(
        "{assessment}expect:\n  partners: [cv-welfare-rights]\n  no_partners: [cv-money-matters]\n  lead_coordinator: none\n"
    );
    let report = run_tests(util::bundled(), &[("wrong.yaml".to_owned(), wrong)]);
    let differences = &report.outcomes[0].differences;
    assert_eq!(differences.len(), 3, "{}", report.render());
    assert!(
        differences[0]
            .starts_with("partners: expected a referral to cv-welfare-rights, the plan refers to "),
        "{}",
        differences[0]
    );
    assert!(
        differences[1]
            .starts_with("partners: did not expect a referral to cv-money-matters, it takes "),
        "{}",
        differences[1]
    );
    assert_eq!(
        differences[2],
        "lead coordinator: expected none, got cv-city-advice"
    );
}

#[test]
fn an_unknown_partner_in_expect_is_located_with_a_suggestion() {
    let case = format!("{CASE}expect:\n  partners: [cv-city-advise]\n");
    let report = run_tests(util::bundled(), &[("typo.yaml".to_owned(), case)]);
    assert_eq!(
        report.invalid.iter().map(ToString::to_string).collect::<Vec<_>>(),
        ["typo.yaml:8:14: expect.partners[0]: no partner has the id `cv-city-advise`\n  fix: did you mean `cv-city-advice` or `cv-community-law` or `cv-idva-service`? (all names are in partners.yaml, as `id:`)"]
    );
}
