//! `sicol rules check`: the bundled rules pass, and each lint finds its broken fixture with the
//! exact message, place and fix (insta snapshots in `snapshots/`). Fixtures are the bundled rules
//! with one thing broken, so each snapshot shows only what that break causes.

mod util;

use std::process::Command;

use sicol::authoring::{lint, Severity};
use sicol::{files, RuleFiles};

/// The bundled rule files, named `rules` in messages.
fn bundled_files() -> RuleFiles {
    let mut files = files::read_rule_files(&util::rules_dir()).expect("bundled rules readable");
    files.origin = "rules".to_owned();
    files
}

/// The bundled rules with `fixture.rhai` added at the end of the evaluation order.
fn with_script(source: &str) -> RuleFiles {
    let mut files = bundled_files();
    files
        .files
        .insert("fixture.rhai".to_owned(), source.to_owned());
    edit(&mut files, "ruleset.yaml", |text| {
        format!("{text}  - file: fixture.rhai\n")
    });
    files
}

fn edit(files: &mut RuleFiles, name: &str, change: impl FnOnce(&str) -> String) {
    let text = files.files.get(name).cloned().expect("file exists");
    let changed = change(&text);
    assert_ne!(changed, text, "the fixture must change {name}");
    files.files.insert(name.to_owned(), changed);
}

fn replace(files: &mut RuleFiles, name: &str, from: &str, to: &str) {
    edit(files, name, |text| {
        assert!(text.contains(from), "{name} contains {from:?}");
        text.replacen(from, to, 1)
    });
}

/// Runs the check and snapshots its report under `check__<name>`.
fn snapshot(name: &str, files: &RuleFiles) -> sicol::authoring::CheckReport {
    let report = lint::check(files);
    util::snapshot_settings().bind(|| {
        insta::assert_snapshot!(format!("check__{name}"), report.to_string());
    });
    report
}

#[test]
fn the_bundled_rules_have_no_problems_at_all() {
    let report = lint::check(&bundled_files());
    assert!(report.findings.is_empty(), "{report}");
    assert_eq!(report.summary(), "rules: no problems found");
}

#[test]
fn syntax_errors_and_missing_scripts_in_several_files_are_reported_together() {
    let mut files = bundled_files();
    replace(
        &mut files,
        "housing.rhai",
        "if has(\"eviction\") {",
        "if has(\"eviction\" {",
    );
    replace(
        &mut files,
        "money.rhai",
        "let stage = \"behind on some bills\";",
        "let stage = \"behind on some bills\"",
    );
    edit(&mut files, "ruleset.yaml", |text| {
        format!("{text}  - file: missing.rhai\n")
    });
    let report = snapshot("syntax_and_missing", &files);
    assert_eq!(report.count(Severity::Error), 3, "{report}");
}

#[test]
fn unknown_function_suggests_the_nearest_host_function() {
    let report = snapshot(
        "unknown_function",
        &with_script("if hass(\"debt\") {\n    note(\"x\");\n}\nlet n = \"abc\".lenght();\n"),
    );
    assert!(report.has_errors());
}

#[test]
fn functions_the_script_defines_are_not_unknown() {
    let report = lint::check(&with_script(
        "fn twice(x) { x * 2 }\nif has(\"debt\") { rule(\"twice\"); note(`${twice(2)}`); }\n",
    ));
    assert!(report.findings.is_empty(), "{report}");
}

#[test]
fn wrong_number_of_arguments_shows_the_signature() {
    snapshot(
        "wrong_arity",
        &with_script("refer(\"debt_advice\", \"why\");\nlet s = severity();\n"),
    );
}

#[test]
fn unknown_kinds_and_categories_in_literal_arguments() {
    snapshot(
        "unknown_kind_and_category",
        &with_script(concat!(
            "if has(\"evicton\") && severity(\"detb\") > 1 {\n",
            "    add_factor(\"eviction+debts\", \"social\", 1.0, \"x\");\n",
            "    refer(\"housing_advise\", \"same_day\", \"x\");\n",
            "    let l = label(\"food_suport\");\n",
            "}\n",
        )),
    );
}

#[test]
fn unknown_urgencies_domains_and_five_ps() {
    snapshot(
        "unknown_scale_names",
        &with_script(concat!(
            "refer(\"debt_advice\", \"today\", \"x\");\n",
            "urgency_at_least(\"hihg\", \"x\");\n",
            "add_factor(\"debt\", \"socail\", 1, \"x\");\n",
            "five_p(\"presnting\", \"x\");\n",
        )),
    );
}

#[test]
fn unknown_weights_bad_rule_names_negative_weights_and_empty_reasons() {
    snapshot(
        "weights_and_rule_names",
        &with_script(concat!(
            "rule(\"Eviction Soon\");\n",
            "let w = weight(\"debt_per_sevrity\");\n",
            "add_factor(\"debt\", \"social\", -1, \"\");\n",
        )),
    );
}

#[test]
fn a_referral_category_no_partner_serves_is_a_warning() {
    let mut files = with_script("refer(\"peer_support\", \"routine\", \"x\");\n");
    replace(
        &mut files,
        "vocabulary.yaml",
        "referral_categories:\n",
        "referral_categories:\n  peer_support:\n    label: Peer support\n    description: People with lived experience.\n",
    );
    let report = snapshot("category_without_partner", &files);
    assert!(!report.has_errors(), "{report}");
}

#[test]
fn partners_with_unknown_categories() {
    let mut files = bundled_files();
    replace(
        &mut files,
        "partners.yaml",
        "categories: [housing_advice, advocacy]",
        "categories: [housing_advise, advocacy]",
    );
    snapshot("partner_category", &files);
}

#[test]
fn thresholds_out_of_range_or_out_of_order() {
    let mut files = bundled_files();
    // The bundled rules are risk-led and have no cut-offs; a score-led rule set (as before
    // 2026.12) still has them checked.
    replace(
        &mut files,
        "ruleset.yaml",
        "balance_margin: 0.15",
        "balance_margin: 0.6\n  urgency_cutoffs: { low: 1.0, moderate: 4.0, high: 3.0, very_high: 12.0, emergency: 20.0 }",
    );
    replace(
        &mut files,
        "ruleset.yaml",
        "eviction_soon_bonus: 1.0 ",
        "eviction_soon_bonus: -1.0",
    );
    snapshot("thresholds", &files);
}

#[test]
fn recommendations_that_can_never_be_chosen() {
    let mut files = bundled_files();
    replace(
        &mut files,
        "ruleset.yaml",
        "when: { urgency_at_least: emergency }",
        "when: { urgency_at_least: emergency, urgency_at_most: high }",
    );
    replace(
        &mut files,
        "ruleset.yaml",
        "when: { urgency_at_least: moderate, balance: [medical_led] }",
        "when: { urgency_at_least: moderate, balance: [] }",
    );
    replace(
        &mut files,
        "ruleset.yaml",
        "    when: { urgency_at_least: low, balance: [medical_led] }\n",
        "",
    );
    snapshot("unreachable_recommendations", &files);
}

#[test]
fn a_script_that_is_not_listed_is_a_warning_and_still_checked() {
    let mut files = bundled_files();
    files.files.insert(
        "draft.rhai".to_owned(),
        "if has(\"debt\") { refer(\"debt_advise\", \"routine\", \"x\"); }\n".to_owned(),
    );
    snapshot("unlisted_script", &files);
}

#[test]
fn kinds_no_rule_reads_and_weights_no_script_uses_are_warnings() {
    let mut files = bundled_files();
    replace(
        &mut files,
        "vocabulary.yaml",
        "strengths:\n",
        "strengths:\n  allotment:\n    label: Allotment\n    description: Grows vegetables with others.\n",
    );
    replace(
        &mut files,
        "ruleset.yaml",
        "weights:\n",
        "weights:\n  retired_weight: 2.0\n",
    );
    let report = snapshot("unused_kind_and_weight", &files);
    assert_eq!(report.count(Severity::Warning), 2, "{report}");
    assert!(!report.has_errors());
}

#[test]
fn a_broken_vocabulary_does_not_hide_the_scripts_syntax_errors() {
    let mut files = bundled_files();
    replace(
        &mut files,
        "vocabulary.yaml",
        "stressors:\n",
        "stressors:\n  Bad Kind: [\n",
    );
    replace(
        &mut files,
        "loss.rhai",
        "if has(\"bereavement\") {",
        "if has(\"bereavement\") {{",
    );
    snapshot("broken_vocabulary", &files);
}

#[test]
fn the_command_exits_1_on_errors_and_0_with_warnings_only() {
    let dir = tempfile::tempdir().expect("temp dir");
    for (name, text) in &bundled_files().files {
        std::fs::write(dir.path().join(name), text).expect("write");
    }
    let run = || {
        Command::new(env!("CARGO_BIN_EXE_sicol"))
            .args(["rules", "check", "--rules"])
            .arg(dir.path())
            .output()
            .expect("run sicol")
    };
    std::fs::write(dir.path().join("draft.rhai"), "note(\"draft\");\n").expect("write");
    let warned = run();
    assert_eq!(warned.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&warned.stdout).contains("1 warning"));

    std::fs::write(
        dir.path().join("draft.rhai"),
        "note(\"draft\")\nnote(1 +);\n",
    )
    .expect("write");
    let failed = run();
    assert_eq!(failed.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&failed.stdout).contains("syntax error"));
}

#[test]
fn a_rule_that_loops_on_some_cases_fails_rules_check_with_the_case_that_made_it_loop() {
    let files = with_script(
        "// loops on a severe bereavement only\nrule(\"grief_spiral\");\nif severity(\"bereavement\") == 3 {\n    let n = 0;\n    while n >= 0 {\n        n += 1;\n    }\n}\n",
    );
    let report = snapshot("loops_when_run", &files);
    assert!(report.has_errors(), "{report}");
    let loop_finding = report
        .findings
        .iter()
        .find(|finding| finding.problem.file == "rules/fixture.rhai")
        .unwrap_or_else(|| panic!("a finding in the fixture: {report}"));
    assert_eq!(
        loop_finding.problem.message,
        "rule fixture.grief_spiral fails when it runs: it ran more than 200000 steps, so it probably loops forever"
    );
    let hint = loop_finding.problem.hint.as_deref().unwrap_or_default();
    assert!(hint.contains("bereavement 3"), "{hint}");
}

#[test]
fn a_rule_that_throws_on_a_kind_built_at_run_time_fails_rules_check() {
    // `rules check` cannot read a kind built while the script runs; running it finds the typo.
    let files = with_script(
        "rule(\"typo\");\nfor k in stressors() {\n    if k == \"debt\" {\n        let other = k + \"_advise\";\n        if has(other) { note(\"x\"); }\n    }\n}\n",
    );
    let report = lint::check(&files);
    let finding = report
        .findings
        .iter()
        .find(|finding| finding.problem.file == "rules/fixture.rhai")
        .unwrap_or_else(|| panic!("a finding in the fixture: {report}"));
    assert_eq!(finding.severity, Severity::Error);
    assert_eq!(
        finding.to_string().lines().next().unwrap_or_default(),
        "error: rules/fixture.rhai:5:12: rule fixture.typo fails when it runs: unknown kind `debt_advise`: did you mean `debt`? (all names are in rules/vocabulary.yaml)"
    );
}

/// The bundled test cases, named as `rules/tests/<file>` in messages.
fn bundled_tests() -> Vec<(String, String)> {
    files::read_rule_tests(&util::rules_dir())
        .expect("bundled tests")
        .into_iter()
        .map(|(name, text)| {
            let file = std::path::Path::new(&name)
                .file_name()
                .map(|file| file.to_string_lossy().into_owned())
                .unwrap_or(name);
            (format!("rules/tests/{file}"), text)
        })
        .collect()
}

#[test]
fn a_partner_joining_welfare_benefits_is_reported_with_the_cases_it_moves() {
    let deployed = bundled_files();
    let mut proposed = bundled_files();
    proposed.origin = "my-rules".to_owned();
    edit(&mut proposed, "partners.yaml", |text| {
        format!(
            "{text}\n  - id: cv-warm-homes\n    name: Warm Homes Energy Charity\n    categories: [welfare_benefits, food_support, debt_advice]\n    contact: \"01632 960999\"\n    hours: always\n    same_day: true\n    eligibility:\n      min_age: 18\n      max_age: 64\n      only_when:\n        welfare_benefits: {{ recorded: [benefits_problem], min_severity: 3 }}\n"
        )
    });
    let tests = bundled_tests();
    let context = lint::CheckContext {
        tests: &tests,
        deployed: Some(&deployed),
        deployed_from_records: false,
        schemas: None,
    };
    let report = lint::check_with(&proposed, context);
    util::snapshot_settings().bind(|| {
        insta::assert_snapshot!("check__partner_trap", report.to_string());
    });
    assert!(!report.has_errors(), "{report}");
    assert_eq!(report.findings.len(), 1, "{report}");
    let joins = &report.findings[0];
    assert_eq!(joins.severity, Severity::Warning);
    assert!(joins
        .problem
        .message
        .starts_with("compared with rules, partner `cv-warm-homes` is new and serves `welfare_benefits` (already served by cv-city-advice, cv-welfare-rights, cv-benefits-dropin, cv-later-life)"),
        "{}", joins.problem.message);
    assert!(joins
        .problem
        .message
        .ends_with("the referral plans of 3 test cases change"));
    let hint = joins.problem.hint.as_deref().unwrap_or_default();
    // The trial's trap: the newcomer is more specific for a severe benefits problem, so the
    // benefits case moves to it; it cannot coordinate, so the case loses its lead coordinator
    // (a lead must be marked can_coordinate). The check names each move.
    assert!(
        hint.contains("rules/tests/money_destitution.yaml (welfare_benefits: cv-city-advice → cv-warm-homes; lead coordinator: cv-city-advice → none)"),
        "{hint}"
    );
    assert!(
        hint.contains("sicol rules impact --rules my-rules"),
        "{hint}"
    );
}

#[test]
fn an_unchanged_directory_warns_about_nothing() {
    let tests = bundled_tests();
    let deployed = bundled_files();
    let context = lint::CheckContext {
        tests: &tests,
        deployed: Some(&deployed),
        deployed_from_records: false,
        schemas: None,
    };
    let report = lint::check_with(&bundled_files(), context);
    assert!(report.findings.is_empty(), "{report}");
}

#[test]
fn schemas_kept_in_the_rules_folder_are_compared_by_content() {
    let ruleset = util::bundled();
    let mut kept: std::collections::BTreeMap<String, String> =
        sicol::authoring::schema::schemas(ruleset)
            .into_iter()
            .map(|schema| (schema.file_name.to_owned(), schema.text))
            .collect();
    let current = lint::check_with(
        &bundled_files(),
        lint::CheckContext {
            schemas: Some(&kept),
            ..Default::default()
        },
    );
    assert!(current.findings.is_empty(), "{current}");
    kept.insert(
        "assessment.schema.json".to_owned(),
        "{ \"old\": true }\n".to_owned(),
    );
    let stale = lint::check_with(
        &bundled_files(),
        lint::CheckContext {
            schemas: Some(&kept),
            ..Default::default()
        },
    );
    assert_eq!(
        stale.to_string(),
        "warning: rules/schemas/assessment.schema.json: out of date: it no longer matches this folder's vocabulary and rules, so editors check files against old names\n  fix: run `sicol schema --rules rules` to write them again\nrules: 0 errors, 1 warning"
    );
}

#[test]
fn the_command_fails_on_a_rule_that_loops() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut files = bundled_files();
    files.files.insert(
        "spin.rhai".to_owned(),
        "rule(\"spin\");\nloop { }\n".to_owned(),
    );
    edit(&mut files, "ruleset.yaml", |text| {
        format!("{text}  - file: spin.rhai\n")
    });
    for (name, text) in &files.files {
        std::fs::write(dir.path().join(name), text).expect("write");
    }
    let output = Command::new(env!("CARGO_BIN_EXE_sicol"))
        .args(["rules", "check", "--rules"])
        .arg(dir.path())
        .output()
        .expect("run sicol");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(1), "{stdout}");
    assert!(
        stdout.contains("spin.rhai:2:6: rule spin.spin fails when it runs: it ran more than 200000 steps, so it probably loops forever"),
        "{stdout}"
    );
}

/// Copies a folder tree.
fn copy_tree(from: &std::path::Path, to: &std::path::Path) {
    std::fs::create_dir_all(to).expect("create folder");
    for entry in std::fs::read_dir(from).expect("read folder") {
        let path = entry.expect("entry").path();
        let target = to.join(path.file_name().expect("name"));
        if path.is_dir() {
            copy_tree(&path, &target);
        } else {
            std::fs::copy(&path, &target).expect("copy file");
        }
    }
}

#[test]
fn a_partner_added_to_the_deployed_rules_in_place_is_compared_with_the_newest_record() {
    let temp = tempfile::tempdir().expect("temp dir");
    copy_tree(&util::rules_dir(), &temp.path().join("rules"));
    copy_tree(
        &util::root().join("formulations"),
        &temp.path().join("formulations"),
    );
    let partners = temp.path().join("rules/partners.yaml");
    let text = std::fs::read_to_string(&partners).expect("partners");
    std::fs::write(
        &partners,
        format!("{text}\n  - id: cv-warm-homes\n    name: Warm Homes Energy Charity\n    categories: [welfare_benefits]\n    contact: \"01632 960999\"\n    hours: always\n    same_day: true\n"),
    )
    .expect("write partners");
    let output = Command::new(env!("CARGO_BIN_EXE_sicol"))
        .args(["rules", "check"])
        .current_dir(temp.path())
        .output()
        .expect("run sicol");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(0), "{stdout}");
    assert!(
        stdout.contains(": compared with the rules of the newest record in formulations, partner `cv-warm-homes` is new and serves `welfare_benefits`"),
        "{stdout}"
    );
    assert!(
        stdout.contains("run `sicol rules impact --rules rules --against recorded`"),
        "{stdout}"
    );
}

#[test]
fn a_mistake_found_by_reading_does_not_hide_a_loop_elsewhere_and_is_not_reported_twice() {
    let mut files = with_script("rule(\"spin\");\nloop { }\n");
    replace(
        &mut files,
        "loss.rhai",
        "has(\"bereavement\")",
        "has(\"bereavment\")",
    );
    let report = lint::check(&files);
    let errors: Vec<String> = report
        .findings
        .iter()
        .filter(|finding| finding.severity == Severity::Error)
        .map(|finding| {
            let line = finding.to_string();
            line.lines().next().unwrap_or_default().to_owned()
        })
        .collect();
    assert_eq!(errors.len(), 2, "{report}");
    assert!(
        errors[0]
            .starts_with("error: rules/fixture.rhai:2:6: rule fixture.spin fails when it runs"),
        "{errors:?}"
    );
    assert!(
        errors[1].starts_with("error: rules/loss.rhai:")
            && errors[1].ends_with("unknown kind `bereavment`"),
        "{errors:?}"
    );
}
