//! Robustness: whatever text arrives as an assessment or a rule file, sicol never panics and
//! always answers with a problem that names the file (and a place in it that exists); whatever a
//! valid but mutated rule set does at run time, evaluation finishes and failures become warnings.
//!
//! Inputs are random bytes, YAML-ish text built from the assessment's own keys, and mutations of
//! real files (lines deleted, duplicated, swapped, re-indented, values replaced by odd scalars,
//! the file cut short). The `fuzz/` crate runs the same entry points under libFuzzer.

mod util;

use std::path::Path;

use proptest::prelude::*;
use proptest::sample::select;
use proptest::test_runner::FileFailurePersistence;

use sicol::{files, Assessment, Problems, RuleFiles, RuleSet};

/// `cases` runs, with any failure saved beside this file so that it is replayed first next time.
fn config(cases: u32) -> ProptestConfig {
    ProptestConfig {
        cases,
        failure_persistence: Some(Box::new(FileFailurePersistence::WithSource("regressions"))),
        ..ProptestConfig::default()
    }
}

const CASE_FILE: &str = "cases/fuzzed.yaml";

/// Scalars that have broken YAML readers before: nulls, huge and odd numbers, unclosed
/// brackets and quotes, anchors, aliases, tags, block markers, bad dates, tabs.
const ODD_SCALARS: &[&str] = &[
    "",
    "~",
    "null",
    "-1",
    "0",
    "4",
    "3.5",
    "99999999999999999999999",
    "-9223372036854775809",
    "1e309",
    ".nan",
    ".inf",
    "true",
    "[",
    "]",
    "{",
    "}",
    "[1, [2, [3]]]",
    "{a: {b: c}}",
    "\"",
    "'",
    "\"unterminated",
    "*anchor",
    "&anchor x",
    "!!binary AA==",
    "!custom x",
    "2026-13-45",
    "2026-02-29",
    "2026-11-20T25:61:00Z",
    "0000-01-01",
    "é ü ☃ \u{202e}",
    ": ",
    "- ",
    "- - -",
    "|",
    ">-",
    "\t",
    "? complex",
    "%YAML 1.2",
    "---",
    "...",
    "#",
    "kind: eviction",
    "eviction",
    "severity: 3",
];

/// One edit to a text file, line by line.
#[derive(Debug, Clone)]
enum Mutation {
    Delete(usize),
    Duplicate(usize),
    Swap(usize, usize),
    /// Change the indentation by this many spaces (negative removes).
    Indent(usize, i8),
    /// Replace the value after `key:` (or the whole line) with the text.
    Replace(usize, String),
    Insert(usize, String),
    /// Cut the file after this many bytes (at a character boundary).
    Truncate(usize),
}

fn odd_scalar() -> BoxedStrategy<String> {
    prop_oneof![
        3 => select(ODD_SCALARS).prop_map(str::to_owned),
        1 => "[ -~]{0,16}",
        1 => any::<String>().prop_map(|text| text.chars().take(16).collect()),
    ]
    .boxed()
}

fn mutation(tokens: BoxedStrategy<String>) -> impl Strategy<Value = Mutation> {
    prop_oneof![
        (0usize..200).prop_map(Mutation::Delete),
        (0usize..200).prop_map(Mutation::Duplicate),
        (0usize..200, 0usize..200).prop_map(|(a, b)| Mutation::Swap(a, b)),
        (0usize..200, -4i8..=4).prop_map(|(line, by)| Mutation::Indent(line, by)),
        (0usize..200, tokens.clone()).prop_map(|(line, text)| Mutation::Replace(line, text)),
        (0usize..200, tokens).prop_map(|(line, text)| Mutation::Insert(line, text)),
        (0usize..4000).prop_map(Mutation::Truncate),
    ]
}

fn mutations(tokens: BoxedStrategy<String>) -> impl Strategy<Value = Vec<Mutation>> {
    proptest::collection::vec(mutation(tokens), 1..6)
}

fn apply(text: &str, mutations: &[Mutation]) -> String {
    let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
    for mutation in mutations {
        let count = lines.len().max(1);
        match mutation {
            Mutation::Delete(line) if !lines.is_empty() => {
                lines.remove(line % count);
            }
            Mutation::Duplicate(line) if !lines.is_empty() => {
                let copy = lines[line % count].clone();
                lines.insert(line % count, copy);
            }
            Mutation::Swap(a, b) if !lines.is_empty() => lines.swap(a % count, b % count),
            Mutation::Indent(line, by) if !lines.is_empty() => {
                let target = &mut lines[line % count];
                if *by >= 0 {
                    target.insert_str(0, &" ".repeat(*by as usize));
                } else {
                    let strip = target
                        .chars()
                        .take(by.unsigned_abs() as usize)
                        .take_while(|c| *c == ' ')
                        .count();
                    target.drain(..strip);
                }
            }
            Mutation::Replace(line, value) if !lines.is_empty() => {
                let target = &mut lines[line % count];
                match target.find(": ") {
                    Some(colon) => target.replace_range(colon + 2.., value),
                    None => *target = value.clone(),
                }
            }
            Mutation::Insert(line, value) => lines.insert(line % (lines.len() + 1), value.clone()),
            Mutation::Truncate(at) => {
                let mut joined = lines.join("\n");
                let mut cut = (*at).min(joined.len());
                while !joined.is_char_boundary(cut) {
                    cut -= 1;
                }
                joined.truncate(cut);
                lines = joined.lines().map(str::to_owned).collect();
            }
            _ => {}
        }
    }
    lines.join("\n")
}

/// Lines built from the assessment's own keys and odd scalars, at random indentation: text that
/// gets past the YAML reader more often than random bytes do.
fn yamlish() -> impl Strategy<Value = String> {
    let keys = select(vec![
        "id",
        "assessed_at",
        "assessor",
        "person",
        "age",
        "lives",
        "dependants",
        "context",
        "referral_source",
        "setting",
        "stressors",
        "medical",
        "strengths",
        "- kind",
        "kind",
        "severity",
        "since",
        "due",
        "note",
        "wishes",
        "-",
        "unknown_field",
    ]);
    let line = (0usize..6, keys, odd_scalar())
        .prop_map(|(indent, key, value)| format!("{}{key}: {value}", " ".repeat(indent * 2)));
    proptest::collection::vec(line, 0..25).prop_map(|lines| lines.join("\n"))
}

fn valid_case_text() -> String {
    std::fs::read_to_string(util::root().join("tests/cases/social_led_eviction.yaml"))
        .unwrap_or_default()
}

/// Checks the parser's answer to any text: a valid assessment that the bundled rules formulate
/// cleanly, or problems that each name the file and a line that exists.
fn check_parse(text: &str) -> Result<(), TestCaseError> {
    let rules = util::bundled();
    match Assessment::parse(text, CASE_FILE, &rules.vocabulary) {
        Ok(assessment) => {
            let formulation = sicol::evaluate(rules, &assessment);
            prop_assert!(
                formulation.warnings.is_empty(),
                "{:?}\n{text}",
                formulation.warnings
            );
        }
        Err(problems) => check_problems(&problems, text, &[CASE_FILE])?,
    }
    Ok(())
}

fn check_problems(problems: &Problems, text: &str, files: &[&str]) -> Result<(), TestCaseError> {
    prop_assert!(!problems.0.is_empty(), "an error with no problem in it");
    let last_line = text.lines().count() + 1;
    for problem in &problems.0 {
        let shown = problem.to_string();
        prop_assert!(
            files.iter().any(|file| shown.starts_with(file)),
            "{shown} names none of {files:?}"
        );
        prop_assert!(!problem.message.trim().is_empty(), "{shown}");
        if problem.file == files[0] {
            prop_assert!(
                problem.position.line <= last_line,
                "{shown} points past the end ({last_line} lines)"
            );
        }
    }
    Ok(())
}

fn bundled_files() -> RuleFiles {
    match files::read_rule_files(&util::rules_dir()) {
        Ok(mut files) => {
            files.origin = "fixture".to_owned();
            files
        }
        Err(error) => panic!("bundled rules are readable: {error}"),
    }
}

/// Tokens that break Rhai scripts in interesting ways, including ones that compile and then run
/// away, so that the sandbox is exercised too.
fn rhai_token() -> BoxedStrategy<String> {
    prop_oneof![
        3 => select(vec![
            "{", "}", "(", ")", ";", "\"", "`", "let", "fn", "if", "else", "=", "+", "//",
            "/*", "loop { }", "while true { }", "fn f(x) { f(x + 1) } f(0);",
            "throw \"boom\";", "let s = \"x\"; loop { s += s; }", "let a = []; loop { a.push(a); }",
            "let m = #{}; let i = 0; loop { m[`k${i}`] = i; i += 1; }",
            "1 / 0;", "[1][5];", "has(\"no_such_kind\");", "weight(\"no_such_weight\");",
            "add_factor(\"debt\", \"social\", -1, \"x\");", "refer(\"x\", \"y\", \"z\");",
            "rule(\"Bad Name\");", "days_until_due(\"eviction\");", "import \"x\" as y;",
            "eval(\"1\");", "((((((((((((((((((((((((((((((((((1))))))))))))))))))))))))))))))))))",
        ])
        .prop_map(str::to_owned),
        1 => odd_scalar(),
    ]
    .boxed()
}

fn rule_file_and_mutations() -> impl Strategy<Value = (String, Vec<Mutation>)> {
    let names: Vec<String> = bundled_files().files.keys().cloned().collect();
    select(names).prop_flat_map(|name| {
        let tokens = if name.ends_with(".rhai") {
            rhai_token()
        } else {
            odd_scalar()
        };
        (Just(name), mutations(tokens))
    })
}

proptest! {
    #![proptest_config(config(512))]

    #[test]
    fn random_bytes_never_panic_the_assessment_parser(
        bytes in proptest::collection::vec(any::<u8>(), 0..600)
    ) {
        check_parse(&String::from_utf8_lossy(&bytes))?;
    }

    #[test]
    fn yamlish_text_never_panics_the_assessment_parser(text in yamlish()) {
        check_parse(&text)?;
    }

    #[test]
    fn a_mutated_case_is_either_valid_or_a_clear_problem(edits in mutations(odd_scalar())) {
        check_parse(&apply(&valid_case_text(), &edits))?;
    }
}

proptest! {
    // Each case compiles the whole rule set, so fewer cases keep the debug suite quick.
    #![proptest_config(config(96))]

    #[test]
    fn a_mutated_rule_set_loads_or_names_the_file_and_never_panics(
        (name, edits) in rule_file_and_mutations()
    ) {
        let mut rule_files = bundled_files();
        let Some(original) = rule_files.files.get(&name) else {
            return Err(TestCaseError::fail(format!("{name} vanished")));
        };
        let mutated = apply(original, &edits);
        rule_files.files.insert(name.clone(), mutated.clone());
        match RuleSet::from_files(&rule_files) {
            Err(problems) => {
                // A broken vocabulary can surface as a problem in ruleset.yaml (an unknown kind
                // under `when:`), so any file of the folder may be named, the mutated one first.
                let shown: Vec<String> = rule_files.files.keys().map(|file| format!("fixture/{file}")).collect();
                let mut names = vec![format!("fixture/{name}")];
                names.extend(shown);
                let names: Vec<&str> = names.iter().map(String::as_str).collect();
                check_problems(&problems, &mutated, &names)?;
            }
            Ok(rules) => {
                // Whatever the mutated rules do at run time, every example case is formulated and
                // any failure is a warning naming a script of the rule set.
                for path in util::example_cases().iter().take(3) {
                    let assessment = match files::read_assessment(path, &rules) {
                        Ok(assessment) => assessment,
                        // A mutated vocabulary may no longer know a kind the case uses.
                        Err(_) => continue,
                    };
                    let formulation = sicol::evaluate(&rules, &assessment);
                    for warning in &formulation.warnings {
                        prop_assert!(
                            rules.scripts().iter().any(|script| script.file == warning.file),
                            "{warning}"
                        );
                        prop_assert!(!warning.message.is_empty(), "{warning}");
                    }
                }
            }
        }
    }
}

#[test]
fn an_unreadable_case_names_the_file() {
    let missing = Path::new("cases/does-not-exist.yaml");
    let error = files::read_assessment(missing, util::bundled()).expect_err("missing file");
    assert!(
        error.to_string().starts_with("cases/does-not-exist.yaml: "),
        "{error}"
    );
}
