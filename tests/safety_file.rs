//! The clinical safety file (`safety/hazard-log.yaml`) stays true: every hazard has controls,
//! every control names the tests that evidence it, every named test exists, and every risk
//! rating is the one the log's own matrix gives. A renamed or deleted test therefore fails here
//! until the hazard log is updated with it, so the log never points at evidence that is gone.

mod util;

use std::collections::{BTreeMap, BTreeSet};

use serde::Deserialize;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct HazardLog {
    system: String,
    intended_use: String,
    risk_matrix: RiskMatrix,
    hazards: Vec<Hazard>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RiskMatrix {
    severities: Vec<String>,
    likelihoods: Vec<String>,
    rating: BTreeMap<String, Vec<u8>>,
    severity_meaning: BTreeMap<String, String>,
    likelihood_meaning: BTreeMap<String, String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Hazard {
    id: String,
    title: String,
    description: String,
    cause: String,
    effect: String,
    initial_risk: Risk,
    #[serde(default)]
    controls: Vec<Control>,
    residual_risk: Risk,
    residual_note: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Risk {
    severity: String,
    likelihood: String,
    rating: u8,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Control {
    control: String,
    #[serde(default)]
    evidence: Vec<String>,
}

fn log() -> HazardLog {
    let path = util::root().join("safety/hazard-log.yaml");
    let text = std::fs::read_to_string(&path).expect("safety/hazard-log.yaml readable");
    match serde_yaml::from_str(&text) {
        Ok(log) => log,
        Err(error) => panic!("safety/hazard-log.yaml: {error}"),
    }
}

#[test]
fn the_log_states_its_use_and_matrix_and_names_each_hazard_once() {
    let log = log();
    assert!(!log.system.trim().is_empty());
    assert!(
        log.intended_use.to_lowercase().contains("decision support"),
        "{}",
        log.intended_use
    );
    let matrix = &log.risk_matrix;
    assert_eq!(matrix.severities.len(), 5);
    assert_eq!(matrix.likelihoods.len(), 5);
    for likelihood in &matrix.likelihoods {
        let row = matrix.rating.get(likelihood).expect("a row per likelihood");
        assert_eq!(row.len(), matrix.severities.len(), "row {likelihood}");
        assert!(
            row.windows(2).all(|pair| pair[0] <= pair[1]),
            "row {likelihood} rises with severity"
        );
        assert!(
            matrix.likelihood_meaning.contains_key(likelihood),
            "{likelihood} explained"
        );
    }
    for severity in &matrix.severities {
        assert!(
            matrix.severity_meaning.contains_key(severity),
            "{severity} explained"
        );
    }
    assert!(
        log.hazards.len() >= 12,
        "found {} hazards",
        log.hazards.len()
    );
    let ids: BTreeSet<&str> = log
        .hazards
        .iter()
        .map(|hazard| hazard.id.as_str())
        .collect();
    assert_eq!(ids.len(), log.hazards.len(), "hazard ids are unique");
    for hazard in &log.hazards {
        for (field, text) in [
            ("title", &hazard.title),
            ("description", &hazard.description),
            ("cause", &hazard.cause),
            ("effect", &hazard.effect),
            ("residual_note", &hazard.residual_note),
        ] {
            assert!(!text.trim().is_empty(), "{}: empty {field}", hazard.id);
        }
    }
}

#[test]
fn every_hazard_has_a_control_and_every_control_its_evidence() {
    let log = log();
    let mut missing = Vec::new();
    for hazard in &log.hazards {
        if hazard.controls.is_empty() {
            missing.push(format!("{}: no control", hazard.id));
        }
        for (index, control) in hazard.controls.iter().enumerate() {
            if control.control.trim().is_empty() {
                missing.push(format!("{}: controls[{index}] says nothing", hazard.id));
            }
            if control.evidence.is_empty() {
                missing.push(format!("{}: controls[{index}] has no evidence", hazard.id));
            }
        }
    }
    assert!(missing.is_empty(), "{}", missing.join("\n"));
}

#[test]
fn every_risk_rating_is_the_matrix_rating_and_controls_never_raise_it() {
    let log = log();
    let matrix = &log.risk_matrix;
    let rating = |risk: &Risk| -> Option<u8> {
        let column = matrix.severities.iter().position(|s| *s == risk.severity)?;
        matrix.rating.get(&risk.likelihood)?.get(column).copied()
    };
    let mut wrong = Vec::new();
    for hazard in &log.hazards {
        for (which, risk) in [
            ("initial", &hazard.initial_risk),
            ("residual", &hazard.residual_risk),
        ] {
            match rating(risk) {
                Some(expected) if expected == risk.rating => {}
                Some(expected) => wrong.push(format!(
                    "{}: {which} risk {} × {} is rated {} in the matrix, not {}",
                    hazard.id, risk.severity, risk.likelihood, expected, risk.rating
                )),
                None => wrong.push(format!(
                    "{}: {which} risk {} × {} is not in the matrix",
                    hazard.id, risk.severity, risk.likelihood
                )),
            }
        }
        if hazard.residual_risk.rating > hazard.initial_risk.rating {
            wrong.push(format!(
                "{}: residual risk above the initial risk",
                hazard.id
            ));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

/// Where `fn name(` is defined in `source` as a test: with `#[test]` among the attributes right
/// above it, or inside a `proptest! { … }` block.
fn defines_test(source: &str, name: &str) -> bool {
    let needle = format!("fn {name}(");
    source.match_indices(&needle).any(|(at, _)| {
        let starts_word = source[..at]
            .chars()
            .next_back()
            .is_none_or(|c| !(c.is_alphanumeric() || c == '_'));
        starts_word && (has_test_attribute(&source[..at]) || inside_proptest(source, at))
    })
}

/// Whether the lines just above a function (attributes, doc comments, blank lines) hold `#[test]`.
fn has_test_attribute(before: &str) -> bool {
    // Only whole lines above the one `fn` is on.
    let above = &before[..before.rfind('\n').unwrap_or(0)];
    for line in above.lines().rev() {
        let line = line.trim();
        if line == "#[test]" {
            return true;
        }
        let is_preamble = line.is_empty() || line.starts_with("#[") || line.starts_with("//");
        if !is_preamble {
            return false;
        }
    }
    false
}

/// Whether byte `at` falls inside the braces of a `proptest!` invocation.
fn inside_proptest(source: &str, at: usize) -> bool {
    source.match_indices("proptest!").any(|(start, _)| {
        let Some(open) = source[start..].find('{').map(|offset| start + offset) else {
            return false;
        };
        let mut depth = 0usize;
        for (offset, c) in source[open..].char_indices() {
            match c {
                '{' => depth += 1,
                '}' => {
                    depth -= 1;
                    if depth == 0 {
                        return open < at && at < open + offset;
                    }
                }
                _ => {}
            }
        }
        false
    })
}

/// Checks one evidence reference, `tests/FILE.rs::name` or `src/PATH.rs::tests::name`.
fn evidence_problem(
    reference: &str,
    sources: &mut BTreeMap<String, Option<String>>,
) -> Option<String> {
    let Some((path, rest)) = reference.split_once("::") else {
        return Some(format!("`{reference}` is not written FILE.rs::test_name"));
    };
    let name = rest.rsplit("::").next().unwrap_or(rest);
    let in_place =
        (path.starts_with("tests/") || path.starts_with("src/")) && path.ends_with(".rs");
    if !in_place {
        return Some(format!(
            "`{reference}`: evidence must be a test under tests/ or src/"
        ));
    }
    let source = sources
        .entry(path.to_owned())
        .or_insert_with(|| std::fs::read_to_string(util::root().join(path)).ok());
    match source {
        None => Some(format!("`{reference}`: there is no file {path}")),
        Some(source) if !defines_test(source, name) => {
            Some(format!("`{reference}`: {path} has no test `fn {name}`"))
        }
        Some(_) => None,
    }
}

#[test]
fn every_test_named_as_evidence_exists() {
    let log = log();
    let mut sources = BTreeMap::new();
    let mut problems = Vec::new();
    for hazard in &log.hazards {
        for control in &hazard.controls {
            for reference in &control.evidence {
                if let Some(problem) = evidence_problem(reference, &mut sources) {
                    problems.push(format!("{}: {problem}", hazard.id));
                }
            }
        }
    }
    assert!(
        problems.is_empty(),
        "the hazard log names evidence that does not exist; add the test or correct the log:\n{}",
        problems.join("\n")
    );
}

#[test]
fn the_evidence_finder_knows_a_test_from_a_helper() {
    let source = "\
fn helper() {}

/// Documented.
#[test]
#[should_panic]
fn plain_test() {}

proptest! {
    #![proptest_config(config())]
    fn generated(x in 0..3) { helper(); }
}

fn not_a_test_either() {}
";
    assert!(defines_test(source, "plain_test"));
    assert!(defines_test(source, "generated"));
    assert!(!defines_test(source, "helper"));
    assert!(!defines_test(source, "not_a_test_either"));
    assert!(
        !defines_test(source, "test"),
        "a name inside another name is not a match"
    );
    let mut sources = BTreeMap::new();
    assert!(evidence_problem(
        "tests/safety_file.rs::the_evidence_finder_knows_a_test_from_a_helper",
        &mut sources
    )
    .is_none());
    assert!(evidence_problem("tests/safety_file.rs::log", &mut sources).is_some());
    assert!(evidence_problem("tests/nowhere.rs::x", &mut sources).is_some());
    assert!(evidence_problem("README.md::x", &mut sources).is_some());
    assert!(evidence_problem("just_a_name", &mut sources).is_some());
}
