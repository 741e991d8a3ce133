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
    assert!(
        warning.starts_with("bad.rhai:4:")
            && warning.contains("rule bad.spin stopped: stopped after 200000 operations"),
        "{warning}"
    );
}

#[test]
fn endless_recursion_is_stopped() {
    let warning = only_warning("fn deeper(n) {\n  deeper(n + 1)\n}\ndeeper(0);\n");
    assert!(warning.starts_with("bad.rhai:"), "{warning}");
    assert!(warning.contains("nested too deeply"), "{warning}");
}

#[test]
fn a_huge_string_is_stopped() {
    let warning = only_warning("let s = \"x\";\nloop {\n  s += s;\n}\n");
    assert!(
        warning.contains("grew beyond the sandbox limit"),
        "{warning}"
    );
}

#[test]
fn a_huge_array_is_stopped() {
    let warning = only_warning("let a = [];\nloop {\n  a.push(1);\n}\n");
    assert!(
        warning.contains("grew beyond the sandbox limit"),
        "{warning}"
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
        "bad.rhai:1:4: rule bad stopped: unknown kind `evicton`: did you mean `eviction`? (all names are in rules/vocabulary.yaml)"
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
    assert!(
        warning.starts_with("bad.rhai:5:")
            && warning.contains("object map grew beyond the sandbox limit"),
        "{warning}"
    );
    // ... and a map grown forever without being used runs out of operations first.
    let warning =
        only_warning("let m = #{};\nlet i = 0;\nloop {\n  m[`k${i}`] = i;\n  i += 1;\n}\n");
    assert!(
        warning.starts_with("bad.rhai:") && warning.contains("stopped after 200000 operations"),
        "{warning}"
    );
}

#[test]
fn an_array_that_contains_itself_is_stopped() {
    let warning = only_warning("let a = [1];\nloop {\n  a.push(a);\n}\n");
    assert!(
        warning.contains("grew beyond the sandbox limit"),
        "{warning}"
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
    assert!(warning.contains("nested too deeply"), "{warning}");
}
