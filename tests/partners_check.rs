//! The partner directory: `sicol rules check` rejects every `partners.yaml` that `evaluate`
//! rejects (the two use one loader), over a corpus of broken directories made from the bundled one
//! at test time, each error naming its line; and the bundled directory's structured limits keep
//! people out of services that would turn them away (issue 18).

mod util;

use sicol::authoring::lint;
use sicol::model::Assessment;
use sicol::{files, RuleFiles, RuleSet};

fn bundled() -> RuleFiles {
    let mut files = files::read_rule_files(&util::rules_dir()).expect("bundled rules readable");
    files.origin = "rules".to_owned();
    files
}

/// The bundled directory with `from` replaced by `to` once.
fn broken(from: &str, to: &str) -> RuleFiles {
    let mut files = bundled();
    let text = files
        .files
        .get("partners.yaml")
        .cloned()
        .expect("partners.yaml");
    assert!(
        text.contains(from),
        "the bundled directory contains {from:?}"
    );
    files
        .files
        .insert("partners.yaml".to_owned(), text.replacen(from, to, 1));
    files
}

/// Each break: what to replace, with what, and words the message must contain.
const CORPUS: &[(&str, &str, &str, &str)] = &[
    (
        "missing contact",
        "    contact: \"01632 960101\"\n",
        "",
        "missing field `contact`",
    ),
    (
        "hours as 24/7",
        "    hours: always\n    same_day: true\n    can_coordinate: true\n    responds_within_hours: 4",
        "    hours: 24/7\n    same_day: true\n    can_coordinate: true\n    responds_within_hours: 4",
        "opening hours must be `always`",
    ),
    (
        "unknown eligibility field",
        "      min_age: 16\n      max_age: 25\n",
        "      min_age: 16\n      max_age: 25\n      women_only: true\n",
        "unknown field `women_only`",
    ),
    (
        "duplicate id",
        "  - id: cv-tenancy-rescue",
        "  - id: cv-housing-aid",
        "already used by",
    ),
    (
        "unknown category",
        "categories: [housing_advice, advocacy]",
        "categories: [housing_advise, advocacy]",
        "unknown referral category `housing_advise`",
    ),
    (
        "unknown gender",
        "gender: [woman]",
        "gender: [female]",
        "`female` is not a gender",
    ),
    (
        "a situation for a category the partner does not serve",
        "        housing_advice: { recorded: [domestic_abuse] }\n      note: \"Emergency refuge",
        "        befriending: { recorded: [domestic_abuse] }\n      note: \"Emergency refuge",
        "`befriending` is not one of this partner's categories",
    ),
    (
        "an unknown kind in a situation",
        "        housing_advice: { recorded: [domestic_abuse] }\n      note: \"Emergency refuge",
        "        housing_advice: { recorded: [domestic_abuze] }\n      note: \"Emergency refuge",
        "unknown kind `domestic_abuze`",
    ),
    (
        "a severity out of range",
        "{ recorded: [debt], min_severity: 2 }",
        "{ recorded: [debt], min_severity: 5 }",
        "min_severity 5 is not 1, 2 or 3",
    ),
    (
        "a route via an unknown partner",
        "route: { via: [cv-da-helpline, cv-idva-service] }",
        "route: { via: [cv-da-hotline, cv-idva-service] }",
        "route via `cv-da-hotline`, which is not a partner",
    ),
    (
        "a route that is not a route",
        "route: { via: [cv-da-helpline, cv-idva-service] }",
        "route: phone",
        "`phone` is not a route",
    ),
    (
        "a triage code that is not one",
        "max_risk: D\n    responds_within_hours: 1",
        "max_risk: Z\n    responds_within_hours: 1",
        "`Z` is not a triage code",
    ),
    (
        "a response time of zero",
        "responds_within_hours: 4",
        "responds_within_hours: 0",
        "responds_within_hours is 0",
    ),
    (
        "a time that is not a time",
        "open: \"09:00\", close: \"17:00\" }\n    same_day: true\n    can_coordinate: true\n    route: self",
        "open: \"9am\", close: \"17:00\" }\n    same_day: true\n    can_coordinate: true\n    route: self",
        "`9am` is not a time",
    ),
    (
        "an unknown partner field",
        "    same_day: true\n    can_coordinate: true\n    route: self",
        "    same_day: true\n    can_coordinate: true\n    route: self\n    open_late: true",
        "unknown field `open_late`",
    ),
];

#[test]
fn rules_check_rejects_every_directory_that_evaluate_rejects() {
    for (name, from, to, words) in CORPUS {
        let files = broken(from, to);
        let loaded = RuleSet::from_files(&files);
        let Err(problems) = loaded else {
            panic!("{name}: evaluate's loader accepted the broken directory");
        };
        let loader_text = problems.to_string();
        assert!(
            loader_text.contains(words),
            "{name}: the loader says {loader_text}"
        );
        assert!(
            loader_text.contains("rules/partners.yaml:"),
            "{name}: the loader names the file and line: {loader_text}"
        );
        let report = lint::check(&files);
        assert!(report.has_errors(), "{name}: rules check passed:\n{report}");
        let text = report.to_string();
        assert!(text.contains(words), "{name}: rules check says {text}");
    }
}

#[test]
fn a_floor_whose_level_and_descriptor_disagree_is_refused_by_rules_check() {
    // Lowering "rising self-harm" from C to E while quoting C's descriptor.
    let mut files = bundled();
    let script = files
        .files
        .get("medical_risk.rhai")
        .cloned()
        .expect("medical_risk.rhai");
    let lowered = script.replacen(
        "risk(\"rapidly_rising_symptoms\", `${stage}, and getting worse`);",
        "risk_floor(\"low\", \"rapidly_rising_symptoms\", `${stage}, and getting worse`);",
        1,
    );
    assert_ne!(
        lowered, script,
        "the fixture changes the rising self-harm floor"
    );
    files.files.insert("medical_risk.rhai".to_owned(), lowered);
    let report = lint::check(&files);
    assert!(report.has_errors(), "{report}");
    assert!(
        report
            .to_string()
            .contains("is row C (high) of triage_scale.yaml, not E (low)"),
        "{report}"
    );
}

fn formulate(yaml: &str) -> sicol::Formulation {
    let rules = util::bundled();
    let assessment = Assessment::parse(yaml, "case.yaml", &rules.vocabulary).expect("valid case");
    sicol::evaluate(rules, &assessment)
}

fn partners(formulation: &sicol::Formulation) -> Vec<&str> {
    formulation
        .referrals
        .iter()
        .map(|referral| referral.partner.as_str())
        .collect()
}

#[test]
fn a_young_man_sleeping_rough_on_a_saturday_night_never_goes_to_the_refuge() {
    let formulation = formulate(
        "id: T-1
assessed_at: 2026-12-05T23:10:00Z
person: { age: 19, lives: homeless, gender: man }
stressors:
  - { kind: homelessness, severity: 3 }
",
    );
    let sent = partners(&formulation);
    assert!(!sent.contains(&"cv-safer-homes-refuge"), "{sent:?}");
    let housing = formulation
        .referrals
        .iter()
        .find(|referral| referral.categories.iter().any(|c| c == "housing_advice"))
        .expect("housing is referred");
    // Housing is needed today: the out-of-hours line is open now; the youth foyer, more specific
    // to him, is closed until Monday and is said so, never chosen to leave him a gap tonight.
    assert_eq!(housing.partner, "cv-housing-out-of-hours");
    assert!(housing
        .not_chosen
        .iter()
        .any(|other| other.partner == "cv-youth-foyer" && other.why.contains("closed until Mon")));
    assert!(housing
        .not_chosen
        .iter()
        .any(|other| other.partner == "cv-safer-homes-refuge"
            && other.why.contains("domestic_abuse")));
}

#[test]
fn a_section_136_with_nothing_else_known_is_an_urgent_mha_assessment() {
    let formulation = formulate(
        "id: T-2
assessed_at: 2026-12-05T22:30:00Z
context: { referral_source: police_s136 }
",
    );
    assert_eq!(formulation.triage_code, 'B');
    assert_eq!(formulation.recommendation, "mha_assessment_outcome");
    assert_eq!(partners(&formulation), ["nhs-crisis-home-treatment"]);
    assert!(formulation.holder.is_none(), "the crisis team is open now");
}

#[test]
fn the_58_year_old_at_a_place_of_safety_with_a_plan_gets_the_crisis_team_and_a_lead_tonight() {
    let formulation = formulate(
        "id: T-3
assessed_at: 2026-12-05T22:30:00Z
person: { age: 58, lives: alone, gender: man }
context: { referral_source: police_s136, setting: place_of_safety }
stressors:
  - { kind: relationship_loss, severity: 3, since: 2026-11-10 }
  - { kind: debt, severity: 2 }
medical:
  - { kind: suicidal_ideation, severity: 3, note: plan to hang himself }
  - { kind: substance_misuse, severity: 2 }
",
    );
    assert_eq!(formulation.triage_code, 'B');
    let crisis = formulation
        .referrals
        .iter()
        .find(|referral| referral.categories.iter().any(|c| c == "crisis_team"))
        .expect("a crisis service");
    assert_eq!(crisis.partner, "nhs-crisis-home-treatment");
    assert!(crisis
        .not_chosen
        .iter()
        .any(|other| other.partner == "cv-lantern-cafe"
            && other.why == "holds risk up to D; this case is B"));
    let lead = formulation.lead_coordinator.as_ref().expect("a lead");
    assert_eq!(lead.partner, "nhs-crisis-home-treatment");
    assert!(formulation.holder.is_none());
    assert!(!formulation.recommendation_label.contains("Consider"));
}

#[test]
fn a_first_episode_of_psychosis_goes_to_early_intervention() {
    let formulation = formulate(
        "id: T-4
assessed_at: 2026-12-02T11:00:00Z
person: { age: 22, lives: with_family }
medical:
  - { kind: psychosis, severity: 2, first_episode: true, trend: rising }
",
    );
    assert!(
        partners(&formulation).contains(&"nhs-early-intervention"),
        "{:?}",
        partners(&formulation)
    );
}

#[test]
fn a_parent_who_self_harms_has_the_children_considered() {
    let formulation = formulate(
        "id: T-5
assessed_at: 2026-12-02T11:00:00Z
person: { age: 31, lives: with_family, dependants: 2 }
medical:
  - { kind: self_harm, severity: 3 }
",
    );
    let family = formulation
        .referrals
        .iter()
        .find(|referral| {
            referral
                .categories
                .iter()
                .any(|c| c == "children_and_families")
        })
        .expect("children and families referred");
    assert_eq!(family.partner, "cv-family-hub");
    assert!(family
        .reasons
        .iter()
        .any(|reason| reason.rule == "ruleset.partner_choice.think_family"));
}

#[test]
fn a_refuge_is_reached_through_the_helpline_which_is_referred_too() {
    let formulation = formulate(
        "id: T-6
assessed_at: 2026-12-02T11:00:00Z
person: { age: 34, lives: with_partner, gender: woman, dependants: 1 }
stressors:
  - { kind: domestic_abuse, severity: 3 }
",
    );
    let sent = partners(&formulation);
    assert!(sent.contains(&"cv-safer-homes-refuge"), "{sent:?}");
    assert!(
        sent.contains(&"cv-da-helpline") || sent.contains(&"cv-idva-service"),
        "{sent:?}"
    );
    let refuge = formulation
        .referrals
        .iter()
        .find(|referral| referral.partner == "cv-safer-homes-refuge")
        .expect("refuge");
    assert!(refuge
        .route
        .as_deref()
        .is_some_and(|route| route.contains("goes through")));
}

#[test]
fn a_single_gender_service_is_not_chosen_when_gender_is_not_recorded() {
    let formulation = formulate(
        "id: T-7
assessed_at: 2026-12-02T11:00:00Z
person: { age: 34, lives: with_partner }
stressors:
  - { kind: domestic_abuse, severity: 3 }
",
    );
    for referral in &formulation.referrals {
        if referral.partner == "cv-safer-homes-refuge" {
            assert!(referral.confirm.is_some(), "offered only to be confirmed");
        }
    }
    assert_ne!(
        formulation
            .lead_coordinator
            .as_ref()
            .map(|lead| lead.partner.as_str()),
        Some("cv-safer-homes-refuge")
    );
}
