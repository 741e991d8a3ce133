//! The rules sandbox: a rule that loops, recurses, grows a huge value, throws, or names something
//! unknown is stopped and reported as a warning with its file and line, and every other rule's
//! contribution still stands.

mod util;

use std::collections::BTreeMap;

use sicol::{Assessment, RuleFiles, RuleSet};

const RULESET: &str = "\
name: sandbox-test
version: '1'
thresholds:
  balance_margin: 0.15
  urgency_cutoffs: { low: 1, moderate: 4, high: 8, very_high: 12, emergency: 20 }
urgency_score: { social: 1, medical: 1, protective: 1 }
weights:
  debt: 2.0
recommendations:
  - option: signposting
    label: Signposting
scripts:
  - file: before.rhai
  - file: bad.rhai
  - file: after.rhai
";

const BEFORE: &str =
    "rule(\"first\");\nadd_factor(\"debt\", \"social\", weight(\"debt\"), \"debt recorded\");\n";
const AFTER: &str = "rule(\"last\");\nadd_factor(\"debt\", \"social\", 1, \"still runs\");\n";

/// The fixture rules folder: the bundled vocabulary, a small rule set, and `bad` between two
/// good scripts.
fn fixture(bad: &str) -> RuleFiles {
    let vocabulary = std::fs::read_to_string(util::rules_dir().join("vocabulary.yaml"))
        .expect("bundled vocabulary");
    let files = BTreeMap::from([
        ("vocabulary.yaml".to_owned(), vocabulary),
        ("ruleset.yaml".to_owned(), RULESET.to_owned()),
        ("before.rhai".to_owned(), BEFORE.to_owned()),
        ("bad.rhai".to_owned(), bad.to_owned()),
        ("after.rhai".to_owned(), AFTER.to_owned()),
    ]);
    RuleFiles {
        origin: "fixture".to_owned(),
        files,
    }
}

fn rules_with(bad: &str) -> RuleSet {
    RuleSet::from_files(&fixture(bad))
        .unwrap_or_else(|problems| panic!("fixture compiles: {problems}"))
}

/// The problems of a fixture whose `bad` script must not compile.
fn compile_error(bad: &str) -> String {
    match RuleSet::from_files(&fixture(bad)) {
        Ok(_) => panic!("expected a compile error for:\n{bad}"),
        Err(problems) => problems.to_string(),
    }
}

fn case(rules: &RuleSet) -> Assessment {
    let text =
        "id: T-1\nassessed_at: 2026-11-20T10:00:00Z\nstressors:\n  - kind: debt\n    severity: 2\n";
    Assessment::parse(text, "case.yaml", &rules.vocabulary).expect("valid case")
}

/// Runs the bad rule and checks the good ones still contributed; returns the single warning.
fn only_warning(bad: &str) -> String {
    let rules = rules_with(bad);
    let formulation = sicol::evaluate(&rules, &case(&rules));
    let rule_names: Vec<&str> = formulation
        .factors
        .iter()
        .map(|f| f.rule.as_str())
        .collect();
    assert!(rule_names.contains(&"before.first"), "{rule_names:?}");
    assert!(rule_names.contains(&"after.last"), "{rule_names:?}");
    assert_eq!(formulation.social_weight, 3.0);
    assert_eq!(formulation.warnings.len(), 1, "{:?}", formulation.warnings);
    formulation.warnings[0].to_string()
}

#[test]
fn an_endless_loop_is_stopped() {
    let warning = only_warning("rule(\"spin\");\nlet n = 0;\nloop {\n  n += 1;\n}\n");
    assert_eq!(
        warning,
        "bad.rhai:4:3: rule bad.spin stopped: it ran more than 200000 steps, so it probably loops forever"
    );
}

#[test]
fn endless_recursion_is_stopped() {
    let warning = only_warning("fn deeper(n) {\n  deeper(n + 1)\n}\ndeeper(0);\n");
    assert_eq!(
        warning,
        "bad.rhai:4:1: rule bad stopped: functions called each other too deeply (recursion without an end?)"
    );
}

#[test]
fn a_huge_string_is_stopped() {
    let warning = only_warning("let s = \"x\";\nloop {\n  s += s;\n}\n");
    assert_eq!(
        warning,
        "bad.rhai:3:5: rule bad stopped: a piece of text grew beyond the limit of 10000 characters"
    );
}

#[test]
fn a_huge_array_is_stopped() {
    let warning = only_warning("let a = [];\nloop {\n  a.push(1);\n}\n");
    assert_eq!(
        warning,
        "bad.rhai:3:5: rule bad stopped: a list grew beyond the limit of 1000 items"
    );
}

#[test]
fn a_thrown_error_is_reported_with_its_line() {
    let warning = only_warning("rule(\"boom\");\n\nthrow \"landlord data missing\";\n");
    assert_eq!(
        warning,
        "bad.rhai:3:1: rule bad.boom stopped: landlord data missing"
    );
}

#[test]
fn an_unknown_kind_is_reported_with_a_suggestion() {
    let warning = only_warning("if has(\"evicton\") {\n  note(\"x\");\n}\n");
    assert_eq!(
        warning,
        "bad.rhai:1:8: rule bad stopped: unknown kind `evicton`: did you mean `eviction`? (all names are in rules/vocabulary.yaml)"
    );
}

#[test]
fn an_unknown_weight_is_reported() {
    let warning = only_warning("add_factor(\"debt\", \"social\", weight(\"dbt\"), \"x\");\n");
    assert!(warning.contains("no weight named `dbt`"), "{warning}");
    assert!(warning.contains("did you mean `debt`?"), "{warning}");
}

#[test]
fn a_negative_weight_is_refused() {
    let warning = only_warning("add_factor(\"debt\", \"social\", -1, \"x\");\n");
    assert!(
        warning.contains("must be a number of 0 or more"),
        "{warning}"
    );
}

#[test]
fn scripts_cannot_import_or_eval() {
    let error = compile_error("import \"secrets\" as s;\n");
    assert!(error.starts_with("fixture/bad.rhai:1:"), "{error}");
    let error = compile_error("eval(\"1 + 1\");\n");
    assert!(error.starts_with("fixture/bad.rhai:1:"), "{error}");
}

#[test]
fn a_syntax_error_names_file_line_and_a_fix() {
    let message = compile_error("if has(\"debt\") {\n  note(\"x\");\n");
    assert!(message.starts_with("fixture/bad.rhai:"), "{message}");
    assert!(
        message.contains("fix: check that every `{` has a matching `}`"),
        "{message}"
    );
}

#[test]
fn a_huge_map_is_stopped() {
    // Rhai checks a map's size when the map is next used, so the rule is stopped there ...
    let warning =
        only_warning("let m = #{};\nfor i in 0..5000 {\n  m[`k${i}`] = i;\n}\nlet n = m.len();\n");
    assert_eq!(
        warning,
        "bad.rhai:5:11: rule bad stopped: a map grew beyond the limit of 1000 entries"
    );
    // ... and a map grown forever without being used runs out of operations first.
    let warning =
        only_warning("let m = #{};\nlet i = 0;\nloop {\n  m[`k${i}`] = i;\n  i += 1;\n}\n");
    assert!(
        warning.starts_with("bad.rhai:") && warning.contains("it ran more than 200000 steps"),
        "{warning}"
    );
}

#[test]
fn an_array_that_contains_itself_is_stopped() {
    let warning = only_warning("let a = [1];\nloop {\n  a.push(a);\n}\n");
    assert_eq!(
        warning,
        "bad.rhai:3:5: rule bad stopped: a list grew beyond the limit of 1000 items"
    );
}

#[test]
fn deeply_nested_expressions_are_refused_when_the_rules_load() {
    let nested = format!("let x = {}1{};\n", "(".repeat(200), ")".repeat(200));
    let message = compile_error(&nested);
    assert!(message.starts_with("fixture/bad.rhai:1:"), "{message}");
    assert!(message.contains("exceeds maximum complexity"), "{message}");
}

#[test]
fn deep_recursion_through_several_functions_is_stopped() {
    let warning =
        only_warning("fn ping(n) {\n  pong(n + 1)\n}\nfn pong(n) {\n  ping(n + 1)\n}\nping(0);\n");
    assert_eq!(
        warning,
        "bad.rhai:7:1: rule bad stopped: functions called each other too deeply (recursion without an end?)"
    );
}

/// Run-time messages are for a service lead: no Rhai type names, no "stopped: stopped:".
fn assert_plain(warning: &str) {
    for internal in [
        "ImmutableString",
        "&str",
        "i64",
        "f64",
        "stopped: stopped",
        "(line ",
    ] {
        assert!(!warning.contains(internal), "{internal} in {warning}");
    }
}

#[test]
fn a_call_with_too_few_arguments_says_what_the_function_takes() {
    let warning = only_warning("rule(\"short\");\nrefer(\"debt_advice\", \"debt\");\n");
    assert_eq!(
        warning,
        "bad.rhai:2:1: rule bad.short stopped: `refer` takes 3 values (category, urgency, why), but was given 2 values (text, text)"
    );
    assert_plain(&warning);
}

#[test]
fn a_value_of_the_wrong_type_is_named_in_words() {
    let warning = only_warning("add_factor(\"debt\", \"social\", \"2\", \"debt\");\n");
    assert_eq!(
        warning,
        "bad.rhai:1:1: rule bad stopped: `add_factor` needs a number for `weight`, but was given text"
    );
    assert_plain(&warning);
}

#[test]
fn a_function_that_does_not_exist_is_named_with_what_it_was_given() {
    let warning = only_warning("let n = month(3);\n");
    assert_eq!(
        warning,
        "bad.rhai:1:9: rule bad stopped: there is no function `month` that takes 1 value (a whole number): check the name and what is passed to it against rules/README.md"
    );
    assert_plain(&warning);
}

#[test]
fn a_run_time_failure_is_placed_where_rules_check_places_the_same_mistake() {
    let bad = "if has(\"evicton\") {\n  note(\"x\");\n}\n";
    let warning = only_warning(bad);
    let report = sicol::authoring::lint::check(&fixture(bad));
    let finding = report
        .findings
        .iter()
        .find(|finding| finding.problem.message.contains("evicton"))
        .unwrap_or_else(|| panic!("rules check finds the kind: {report}"));
    let place = format!(
        "bad.rhai:{}:{}:",
        finding.problem.position.line, finding.problem.position.column
    );
    assert!(warning.starts_with(&place), "{warning} vs {place}");
}

#[test]
fn a_failed_rule_marks_the_formulation_incomplete_and_says_so_first() {
    let rules = rules_with("rule(\"boom\");\nthrow \"no data\";\n");
    let formulation = sicol::evaluate(&rules, &case(&rules));
    assert!(formulation.incomplete);
    let yaml = sicol::formulation::render::to_yaml(&formulation);
    assert!(yaml.contains("\nincomplete: true\n"), "{yaml}");
    let text = sicol::formulation::render::to_text(&formulation, &rules.vocabulary);
    assert!(
        text.starts_with("!!! INCOMPLETE FORMULATION: 1 rule failed (bad.boom), so what it would have added is missing and the urgency, weights and referrals may be too low; do not rely on this formulation until the rules are fixed\n"),
        "{text}"
    );
}

#[test]
fn a_complete_formulation_does_not_mention_completeness() {
    let rules = rules_with("rule(\"fine\");\n");
    let formulation = sicol::evaluate(&rules, &case(&rules));
    assert!(!formulation.incomplete);
    assert_eq!(formulation.incomplete_notice(), None);
    let yaml = sicol::formulation::render::to_yaml(&formulation);
    assert!(!yaml.contains("incomplete"), "{yaml}");
}

#[test]
fn rules_read_the_assessment_date_and_days_since_a_factor() {
    let rules = rules_with(
        "rule(\"dates\");\nnote(`${assessment_year()}-${assessment_month()}-${assessment_day()} ${assessment_weekday()}`);\nif has_since(\"debt\") { note(`debt for ${days_since(\"debt\")} days`); }\nif !has_since(\"eviction\") { note(\"no eviction date\"); }\n",
    );
    let text = "id: T-1\nassessed_at: 2026-11-20T23:30:00-02:00\nstressors:\n  - { kind: debt, severity: 2, since: 2026-11-01 }\n";
    let assessment = Assessment::parse(text, "case.yaml", &rules.vocabulary).expect("valid case");
    let formulation = sicol::evaluate(&rules, &assessment);
    let notes: Vec<&str> = formulation.notes.iter().map(|n| n.text.as_str()).collect();
    // The date is the one written in assessed_at, in its own time zone.
    assert_eq!(
        notes,
        ["2026-11-20 friday", "debt for 19 days", "no eviction date"]
    );
}

#[test]
fn days_since_without_a_since_date_stops_the_rule_with_advice() {
    let warning = only_warning("let d = days_since(\"debt\");\n");
    assert_eq!(
        warning,
        "bad.rhai:1:20: rule bad stopped: `debt` has no since date: check has_since(\"debt\") before days_since"
    );
}

#[test]
fn an_operator_on_a_number_and_text_is_explained() {
    let warning = only_warning("let left = severity(\"debt\") - \"1\";\n");
    assert_eq!(
        warning,
        "bad.rhai:1:29: rule bad stopped: `-` cannot be used on a whole number and text: use numbers with numbers and text with text (write numbers without quotes)"
    );
    assert_plain(&warning);
}

#[test]
fn a_for_loop_over_a_number_is_explained() {
    let warning = only_warning("let n = 3;\nfor k in n {\n  note(\"x\");\n}\n");
    assert_eq!(
        warning,
        "bad.rhai:2:10: rule bad stopped: `for` can only go through a list, a range such as 0..3, or a text"
    );
}
