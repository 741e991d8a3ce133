//! The golden cases: every example assessment's formulation under the bundled rules, as insta
//! snapshots in `snapshots/`. A rule change that moves any outcome shows here as a reviewable diff.

mod util;

use sicol::formulation::render::{to_text, to_yaml};
use sicol::{files, Balance};

#[test]
fn every_example_case_matches_its_snapshot() {
    let rules = util::bundled();
    let cases = util::example_cases();
    assert!(
        cases.len() >= 8,
        "at least 8 example cases, found {}",
        cases.len()
    );
    for path in cases {
        let assessment = files::read_assessment(&path, rules).expect("example case is valid");
        let formulation = sicol::evaluate(rules, &assessment);
        assert!(
            formulation.warnings.is_empty(),
            "{}: bundled rules must run cleanly, got {:?}",
            path.display(),
            formulation.warnings
        );
        let name = util::stem(&path);
        util::snapshot_settings().bind(|| {
            insta::assert_snapshot!(format!("formulation__{name}"), to_yaml(&formulation));
            insta::assert_snapshot!(
                format!("summary__{name}"),
                to_text(&formulation, &rules.vocabulary)
            );
        });
    }
}

#[test]
fn evaluation_is_deterministic() {
    let rules = util::bundled();
    for path in util::example_cases() {
        let assessment = files::read_assessment(&path, rules).expect("valid");
        let first = to_yaml(&sicol::evaluate(rules, &assessment));
        let second = to_yaml(&sicol::evaluate(rules, &assessment));
        assert_eq!(first, second, "{}", path.display());
    }
}

#[test]
fn the_social_led_example_is_social_led_and_the_psychosis_example_medical_led() {
    let rules = util::bundled();
    let formulate = |name: &str| {
        let path = util::root().join("tests/cases").join(name);
        let assessment = files::read_assessment(&path, rules).expect("valid");
        sicol::evaluate(rules, &assessment)
    };
    let social = formulate("social_led_eviction.yaml");
    assert_eq!(social.balance, Balance::SocialLed);
    assert!(social.social_weight > social.medical_weight);
    let medical = formulate("medical_led_psychosis.yaml");
    assert_eq!(medical.balance, Balance::MedicalLed);
}

#[test]
fn every_factor_and_need_names_a_rule_and_a_reason() {
    let rules = util::bundled();
    for path in util::example_cases() {
        let assessment = files::read_assessment(&path, rules).expect("valid");
        let formulation = sicol::evaluate(rules, &assessment);
        let stems: Vec<&str> = rules
            .scripts()
            .iter()
            .map(|script| script.stem.as_str())
            .collect();
        for factor in &formulation.factors {
            let stem = factor.rule.split('.').next().unwrap_or_default();
            assert!(stems.contains(&stem), "{}: {factor:?}", path.display());
            assert!(
                !factor.why.trim().is_empty(),
                "{}: {factor:?}",
                path.display()
            );
        }
        for need in &formulation.needs {
            assert!(!need.reasons.is_empty());
            for reason in &need.reasons {
                assert!(!reason.why.trim().is_empty() && !reason.rule.is_empty());
            }
        }
    }
}
