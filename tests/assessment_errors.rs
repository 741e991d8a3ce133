//! Bad assessments: every error names the file, line, column and field, says what is wrong and
//! how to fix it, and the binary exits 2.

mod util;

use sicol::Assessment;

const GOOD: &str = "\
id: A-2026-0001
assessed_at: 2026-11-20T14:30:00Z
person:
  age: 46
  lives: alone
stressors:
  - kind: eviction
    severity: 3
    since: 2026-09-01
    due: 2026-11-27
medical:
  - kind: suicidal_ideation
    severity: 2
strengths:
  - kind: family_support
";

/// Parses `text` as `case.yaml` and returns the rendered errors.
fn errors(text: &str) -> String {
    match Assessment::parse(text, "case.yaml", &util::bundled().vocabulary) {
        Ok(_) => panic!("expected errors for:\n{text}"),
        Err(problems) => problems.to_string(),
    }
}

#[test]
fn the_good_case_parses() {
    let assessment =
        Assessment::parse(GOOD, "case.yaml", &util::bundled().vocabulary).expect("valid");
    assert_eq!(assessment.id, "A-2026-0001");
    assert_eq!(assessment.stressors[0].severity, 3);
    assert_eq!(assessment.person.lives.as_deref(), Some("alone"));
}

#[test]
fn unknown_stressor_names_the_place_and_the_nearest_kinds() {
    let text = GOOD.replace("kind: eviction", "kind: evicton");
    assert_eq!(
        errors(&text),
        "case.yaml:7:11: stressors[0].kind: unknown stressor kind `evicton`\n  \
         fix: did you mean `eviction`? (all names are in rules/vocabulary.yaml under `stressors:`)"
    );
}

#[test]
fn a_medical_kind_under_stressors_says_where_it_belongs() {
    let text = GOOD.replace("kind: eviction", "kind: psychosis");
    assert_eq!(
        errors(&text),
        "case.yaml:7:11: stressors[0].kind: `psychosis` is a medical factor, not a stressor\n  \
         fix: move this entry under `medical:`"
    );
}

#[test]
fn severity_out_of_range() {
    let text = GOOD.replace("severity: 3", "severity: 5");
    assert_eq!(
        errors(&text),
        "case.yaml:8:15: stressors[0].severity: severity 5 is outside 0 to 3\n  \
         fix: use 0 none, 1 mild, 2 moderate or 3 severe (the vocabulary says what each means for this kind)"
    );
}

#[test]
fn due_before_since() {
    let text = GOOD.replace("due: 2026-11-27", "due: 2026-08-01");
    assert_eq!(
        errors(&text),
        "case.yaml:10:10: stressors[0].due: due date 2026-08-01 is before the date it began (2026-09-01)\n  \
         fix: check both dates: `since` is when it started, `due` is when it lands"
    );
}

#[test]
fn missing_id() {
    let text = GOOD.replace("id: A-2026-0001\n", "");
    assert_eq!(
        errors(&text),
        "case.yaml:1:1: id: missing case id\n  \
         fix: add a line `id: A-2026-0042` with the pseudonymous case reference (never a name)"
    );
}

#[test]
fn malformed_yaml_reports_the_syntax_error_place() {
    let text = GOOD.replace("  age: 46", "  age: [46");
    let message = errors(&text);
    assert!(
        message.starts_with("case.yaml:4:8: person.age: invalid type: sequence"),
        "message should point at the unclosed bracket: {message}"
    );
}

#[test]
fn misspelt_field_is_named() {
    let text = GOOD.replace("    severity: 2", "    severty: 2");
    let message = errors(&text);
    assert!(
        message.starts_with("case.yaml:13:5: medical[0]: unknown field `severty`"),
        "{message}"
    );
    assert!(
        message.contains("fix: check the spelling of the field name"),
        "{message}"
    );
}

#[test]
fn bad_date_and_unknown_living_situation_are_reported_together() {
    let text = GOOD
        .replace("since: 2026-09-01", "since: 1st September")
        .replace("lives: alone", "lives: alon");
    assert_eq!(
        errors(&text),
        "case.yaml:5:10: person.lives: unknown living situation `alon`\n  \
         fix: did you mean `alone`? (all names are in rules/vocabulary.yaml under `living_situations:`)\n\
         case.yaml:9:12: stressors[0].since: `1st September` is not a date\n  \
         fix: write dates as year-month-day, for example 2026-11-27"
    );
}

#[test]
fn a_kind_recorded_twice_is_an_error() {
    let text = GOOD.replace(
        "medical:\n",
        "  - kind: eviction\n    severity: 1\nmedical:\n",
    );
    assert_eq!(
        errors(&text),
        "case.yaml:11:11: stressors[1].kind: `eviction` is recorded twice\n  \
         fix: record each kind once, with its highest severity, and put the detail in `note:`"
    );
}

#[test]
fn the_binary_exits_2_on_bad_input_and_names_the_file() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("bad.yaml");
    std::fs::write(&path, GOOD.replace("severity: 3", "severity: 9")).expect("write");
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_sicol"))
        .args(["--rules"])
        .arg(util::rules_dir())
        .arg("evaluate")
        .arg(&path)
        .output()
        .expect("run sicol");
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains(&format!(
            "{}:8:15: stressors[0].severity: severity 9 is outside 0 to 3",
            path.display()
        )),
        "{stderr}"
    );
    assert!(
        output.stdout.is_empty(),
        "nothing is printed for a bad case"
    );
}
