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

/// Parses an assessment written in the test, as `sicol evaluate` would read it.
fn case(text: &str) -> sicol::Assessment {
    sicol::Assessment::parse(text, "case.yaml", &util::bundled().vocabulary)
        .unwrap_or_else(|problems| panic!("{problems}"))
}

const OVERDOSE_NOW: &str = "\
id: T-overdose
assessed_at: 2026-11-20T02:10:00Z
person: { age: 30, lives: alone }
medical:
  - { kind: recent_suicide_attempt, severity: 3, happening_now: true }
";

#[test]
fn on_site_emergency_is_not_sent_to_999() {
    let rules = util::bundled();
    // At home: an overdose just taken is A, and 999 is the answer.
    let at_home = sicol::evaluate(
        rules,
        &case(&format!("{OVERDOSE_NOW}context: {{ setting: home }}\n")),
    );
    assert_eq!(at_home.urgency, sicol::Urgency::Emergency);
    assert_eq!(at_home.recommendation, "emergency_services");
    // Already in the emergency department, or at a place of safety under s136: the same A, but
    // the team on site acts now instead of being told to call 999.
    for context in [
        "context: { referral_source: emergency_department, setting: emergency_department }\n",
        "context: { referral_source: police_s136, setting: place_of_safety }\n",
    ] {
        let on_site = sicol::evaluate(rules, &case(&format!("{OVERDOSE_NOW}{context}")));
        assert_eq!(on_site.urgency, sicol::Urgency::Emergency, "{context}");
        assert_eq!(
            on_site.recommendation, "immediate_on_site_response",
            "{context}"
        );
        assert!(
            !on_site.recommendation_label.contains("999"),
            "{}",
            on_site.recommendation_label
        );
        assert!(on_site.flags.iter().any(|flag| flag.name == "on_site_team"));
    }
}

#[test]
fn high_risk_case_has_a_clinical_lead() {
    let rules = util::bundled();
    // The AMHP's case from issue 12: a plan, at a place of safety, with eviction in 5 days, debt,
    // a recent bereavement, isolation and alcohol. The cause is social; the risk is B.
    let amhp = case(
        "\
id: T-amhp
assessed_at: 2026-11-20T14:30:00Z
person: { age: 52, lives: alone }
context: { referral_source: police_s136, setting: place_of_safety }
stressors:
  - { kind: eviction, severity: 3, due: 2026-11-25 }
  - { kind: debt, severity: 2 }
  - { kind: bereavement, severity: 3, since: 2026-10-30 }
  - { kind: social_isolation, severity: 2 }
medical:
  - { kind: suicidal_ideation, severity: 3 }
  - { kind: substance_misuse, severity: 2 }
",
    );
    let f = sicol::evaluate(rules, &amhp);
    assert_eq!(f.balance, Balance::SocialLed);
    assert_eq!(f.urgency, sicol::Urgency::VeryHigh);
    // At a place of safety under s136 the assessment is under way: its outcome, not "consider".
    assert_eq!(f.recommendation, "mha_assessment_outcome");
    let risk = f.risk.as_ref().expect("a risk line");
    assert_eq!(
        risk.descriptor,
        "acute suicidal ideas, or a risk of harming someone else, with a clear plan or the means to hand"
    );
    let lead = f.lead_coordinator.as_ref().expect("a lead");
    assert_eq!(lead.partner, "nhs-crisis-home-treatment");
    assert!(lead.clinical && lead.why.contains("social partners work alongside"));
    // The housing and debt partners work alongside the crisis team.
    for category in ["housing_advice", "debt_advice"] {
        assert!(
            f.referrals
                .iter()
                .any(|referral| referral.categories.iter().any(|c| c == category)),
            "{category} referred: {:?}",
            f.referrals
        );
    }
    assert!(f.balance_reason.contains("this is the cause, not the risk"));

    // The same social load without the mental-health risk, and not under s136 (which is itself
    // an urgent Mental Health Act assessment, B), stays at or below C, and the social partner
    // leads.
    let mut social_only = amhp.clone();
    social_only.medical.clear();
    social_only.context.referral_source = Some("gp".to_owned());
    social_only.context.setting = Some("home".to_owned());
    let f = sicol::evaluate(rules, &social_only);
    assert!(f.urgency <= sicol::Urgency::High, "{}", f.urgency);
    assert!(f.risk.is_none());
    let lead = f.lead_coordinator.expect("a lead");
    assert!(!lead.clinical, "{lead:?}");
    assert_ne!(lead.partner, "nhs-crisis-home-treatment");
}
