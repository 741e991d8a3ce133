//! The rule-writing guide (`rules/README.md`) is tested like code: its host API reference is the
//! runtime's own table, its worked example is a real rule with real test cases that `rules check`
//! and `rules test` accept once added to the bundled rule set exactly as the guide says, and the
//! snippets it shows are those files.

mod util;

use std::path::Path;
use std::process::Command;

use sicol::authoring::{cases, guide, lint};
use sicol::files;

/// The lines the guide tells a service lead to add to ruleset.yaml.
const WEIGHT_LINE: &str =
    "  hungry_children: 1.0        # food insecurity with dependants at home (guide_example.rhai)\n";
const SCRIPT_ENTRY: &str = "  - file: guide_example.rhai\n    when: [food_insecurity]\n";

fn guide_text() -> String {
    std::fs::read_to_string(util::rules_dir().join("README.md")).expect("rules/README.md exists")
}

#[test]
fn the_api_reference_in_the_guide_is_generated_from_the_host_api_table() {
    let path = util::rules_dir().join("README.md");
    let text = guide_text();
    let current = guide::with_current_api(&text).expect("the guide has the host-api markers");
    if std::env::var_os("SICOL_UPDATE_GUIDE").is_some() {
        std::fs::write(&path, &current).expect("write the guide");
        return;
    }
    assert!(
        text == current,
        "the host API section of rules/README.md is out of date: run `SICOL_UPDATE_GUIDE=1 cargo test --test guide`"
    );
}

/// A copy of the bundled rules with the guide's example added as the guide says, in `dir`.
fn rules_with_the_example(dir: &Path) {
    let bundled = util::rules_dir();
    for entry in std::fs::read_dir(&bundled).expect("rules folder") {
        let path = entry.expect("entry").path();
        if path.is_file() {
            let name = path.file_name().expect("file name");
            std::fs::copy(&path, dir.join(name)).expect("copy rule file");
        }
    }
    let ruleset = std::fs::read_to_string(bundled.join("ruleset.yaml")).expect("ruleset");
    assert!(
        ruleset.contains("\nweights:\n") && ruleset.trim_end().ends_with("five_ps.rhai                # always, last: builds the 5P formulation from the record"),
        "the guide assumes `weights:` and a final `scripts:` list in ruleset.yaml"
    );
    let ruleset =
        ruleset.replacen("\nweights:\n", &format!("\nweights:\n{WEIGHT_LINE}"), 1) + SCRIPT_ENTRY;
    std::fs::write(dir.join("ruleset.yaml"), ruleset).expect("write ruleset");
    let examples = bundled.join("examples");
    std::fs::copy(
        examples.join("guide_example.rhai"),
        dir.join("guide_example.rhai"),
    )
    .expect("copy example rule");
    let tests = dir.join("tests");
    std::fs::create_dir(&tests).expect("tests folder");
    for source in [bundled.join("tests"), examples] {
        for entry in std::fs::read_dir(&source).expect("cases folder") {
            let path = entry.expect("entry").path();
            if path.extension().is_some_and(|ext| ext == "yaml") {
                std::fs::copy(&path, tests.join(path.file_name().expect("name"))).expect("copy");
            }
        }
    }
}

#[test]
fn the_guide_example_passes_rules_check_and_rules_test() {
    let dir = tempfile::tempdir().expect("temp dir");
    rules_with_the_example(dir.path());

    let rule_files = files::read_rule_files(dir.path()).expect("read rules");
    let report = lint::check(&rule_files);
    assert!(report.findings.is_empty(), "{report}");

    let ruleset = files::load_rules(dir.path()).expect("rules with the example load");
    let test_files = files::read_rule_tests(dir.path()).expect("read cases");
    let results = cases::run_tests(&ruleset, &test_files);
    assert!(results.invalid.is_empty(), "{}", results.render());
    assert_eq!(results.failed(), 0, "{}", results.render());
    assert!(
        results
            .outcomes
            .iter()
            .any(|outcome| outcome.fired.contains("guide_example.hungry_children")),
        "the example rule fires in its own case:\n{}",
        results.render()
    );

    for command in ["check", "test"] {
        let status = Command::new(env!("CARGO_BIN_EXE_sicol"))
            .args(["rules", command, "--rules"])
            .arg(dir.path())
            .output()
            .expect("run sicol");
        assert_eq!(
            status.status.code(),
            Some(0),
            "sicol rules {command}:\n{}",
            String::from_utf8_lossy(&status.stdout)
        );
    }
}

#[test]
fn the_guide_tells_the_lines_the_example_needs_in_ruleset_yaml() {
    let text = guide_text();
    assert!(text.contains(WEIGHT_LINE.trim_end()), "weight line");
    assert!(text.contains(SCRIPT_ENTRY.trim_end()), "scripts entry");
}

/// The lines of a snippet that are code: no blank lines, no comment lines, no `// (n)`
/// annotations, no trailing spaces.
fn code_lines(text: &str, comment: &str) -> Vec<String> {
    text.lines()
        .map(|line| match line.find(&format!("{comment} (")) {
            Some(cut) => &line[..cut],
            None => line,
        })
        .map(str::trim_end)
        .filter(|line| !line.trim().is_empty() && !line.trim_start().starts_with(comment))
        .map(str::to_owned)
        .collect()
}

/// The fenced code blocks of the guide in a language.
fn blocks<'a>(text: &'a str, language: &str) -> Vec<&'a str> {
    let fence = format!("```{language}\n");
    let mut found = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find(&fence) {
        let body = &rest[start + fence.len()..];
        let Some(end) = body.find("```") else { break };
        found.push(&body[..end]);
        rest = &body[end..];
    }
    found
}

#[test]
fn the_guide_shows_the_example_files_as_they_are() {
    let text = guide_text();
    let examples = util::rules_dir().join("examples");
    let read = |name: &str| std::fs::read_to_string(examples.join(name)).expect("example file");
    let rule = code_lines(&read("guide_example.rhai"), "//");
    assert!(
        blocks(&text, "rhai")
            .iter()
            .any(|block| code_lines(block, "//") == rule),
        "rules/README.md must show examples/guide_example.rhai (annotations aside)"
    );
    for case in [
        "guide_example_children.yaml",
        "guide_example_no_children.yaml",
    ] {
        let lines = code_lines(&read(case), "#");
        assert!(
            blocks(&text, "yaml")
                .iter()
                .any(|block| code_lines(block, "#") == lines),
            "rules/README.md must show examples/{case}"
        );
    }
}

/// The names a test case's `expect:` uses that a rules-test schema does not allow: every field
/// must be a property, and every value of a field with an `enum` (or items with one) must be in
/// it. A small check of the parts of JSON Schema that sicol's generated schemas use for names.
fn names_the_schema_refuses(case: &str, schema: &serde_json::Value) -> Vec<String> {
    let value: serde_json::Value = serde_yaml::from_str(case).expect("the case is YAML");
    let mut refused = Vec::new();
    let expect = value
        .get("expect")
        .and_then(|e| e.as_object())
        .expect("expect");
    let properties = &schema["properties"]["expect"]["properties"];
    for (field, given) in expect {
        let Some(property) = properties.get(field) else {
            refused.push(format!("expect.{field}"));
            continue;
        };
        let allowed = property
            .get("enum")
            .or_else(|| property.pointer("/items/enum"))
            .and_then(|allowed| allowed.as_array());
        let Some(allowed) = allowed else { continue };
        let given: Vec<&serde_json::Value> = match given {
            serde_json::Value::Array(items) => items.iter().collect(),
            other => vec![other],
        };
        for item in given {
            if !allowed.contains(item) {
                refused.push(format!("expect.{field}: {item}"));
            }
        }
    }
    refused
}

#[test]
fn the_guide_example_passes_the_schema_written_next_to_its_rules() {
    let dir = tempfile::tempdir().expect("temp dir");
    rules_with_the_example(dir.path());
    // As the guide says: write the schemas next to the rules (`my-rules/schemas/`), which the
    // example's first line points at from `my-rules/tests/`.
    let output = Command::new(env!("CARGO_BIN_EXE_sicol"))
        .args(["schema", "--rules"])
        .arg(dir.path())
        .output()
        .expect("run sicol schema");
    assert_eq!(output.status.code(), Some(0));
    let case = std::fs::read_to_string(dir.path().join("tests/guide_example_children.yaml"))
        .expect("the example case");
    assert!(case.starts_with("# yaml-language-server: $schema=../schemas/rules-test.schema.json\n"));
    let schema_path = dir.path().join("tests/../schemas/rules-test.schema.json");
    let schema: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(schema_path).expect("schema written"))
            .expect("schema is JSON");
    assert_eq!(
        names_the_schema_refuses(&case, &schema),
        Vec::<String>::new()
    );

    // The repository's schemas describe the bundled rules, which have no such rule: pointing
    // the example at them (as the guide once did) marks it wrong.
    let shipped: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(util::root().join("schemas/rules-test.schema.json"))
            .expect("shipped schema"),
    )
    .expect("JSON");
    assert_eq!(
        names_the_schema_refuses(&case, &shipped),
        ["expect.rules_fired: \"guide_example.hungry_children\""]
    );

    // With the schemas in place, `rules check` compares them with the vocabulary.
    let check = || {
        Command::new(env!("CARGO_BIN_EXE_sicol"))
            .args(["rules", "check", "--rules"])
            .arg(dir.path())
            .output()
            .expect("run sicol rules check")
    };
    let fresh = check();
    assert_eq!(
        String::from_utf8_lossy(&fresh.stdout)
            .matches("warning")
            .count(),
        0
    );
    let vocabulary = dir.path().join("vocabulary.yaml");
    let text = std::fs::read_to_string(&vocabulary).expect("vocabulary");
    std::fs::write(
        &vocabulary,
        text.replacen(
            "\nstrengths:\n",
            "\nstrengths:\n  allotment:\n    label: Allotment\n    description: Grows vegetables with others.\n",
            1,
        ),
    )
    .expect("write vocabulary");
    let stale = String::from_utf8_lossy(&check().stdout).into_owned();
    assert!(
        stale.contains("schemas/assessment.schema.json: out of date: it no longer matches this folder's vocabulary and rules"),
        "{stale}"
    );
}
