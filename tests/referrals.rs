//! The referral plan, the person's choices and the report, end to end over the bundled rules and
//! example cases: every case gets a plan with a lead coordinator and no duplicate partner, every
//! need is referred or shown as a gap, the markdown report of every case is a snapshot, and a
//! service lead changes the plan by editing partners.yaml alone.

mod util;

use std::collections::BTreeSet;
use std::process::Command;

use sicol::model::choices::{Choices, Decision};
use sicol::referrals::{parse_choices, GapKind};
use sicol::report::{OutputFormat, Report};
use sicol::{files, Assessment, Formulation, RuleFiles, RuleSet};

fn case(name: &str) -> (Assessment, Formulation) {
    let rules = util::bundled();
    let path = util::root().join("tests/cases").join(name);
    let assessment = files::read_assessment(&path, rules).expect("example case is valid");
    let formulation = sicol::evaluate(rules, &assessment);
    (assessment, formulation)
}

fn bundled_files() -> RuleFiles {
    files::read_rule_files(&util::rules_dir()).expect("bundled rules are readable")
}

#[test]
fn every_example_case_has_a_plan_with_one_lead_and_no_duplicate_partner() {
    let rules = util::bundled();
    for path in util::example_cases() {
        let assessment = files::read_assessment(&path, rules).expect("valid");
        let f = sicol::evaluate(rules, &assessment);
        let name = path.display();
        assert!(!f.referrals.is_empty(), "{name}: no referral");
        // A lead only among partners who can coordinate; with none of them, no lead.
        let Some(lead) = f.lead_coordinator.as_ref() else {
            assert!(
                f.referrals.iter().all(|referral| !rules
                    .partners
                    .partners()
                    .iter()
                    .any(|p| p.id == referral.partner && p.can_coordinate)),
                "{name}: a partner that can coordinate was not named lead"
            );
            continue;
        };
        assert!(
            f.referrals.iter().any(|r| r.partner == lead.partner),
            "{name}: the lead must be one of the plan's partners"
        );
        let partners: BTreeSet<&str> = f.referrals.iter().map(|r| r.partner.as_str()).collect();
        assert_eq!(
            partners.len(),
            f.referrals.len(),
            "{name}: duplicate partner"
        );

        // Every need is covered by exactly one referral, or is an unmet gap; nothing is dropped.
        for need in &f.needs {
            // A referral that is only the route to another partner meets no need of its own.
            let referred = f
                .referrals
                .iter()
                .filter(|r| r.routes_to.is_none() && r.categories.contains(&need.category))
                .count();
            let unmet = f
                .gaps
                .iter()
                .any(|gap| gap.category == need.category && gap.kind.unmet());
            assert_eq!(
                referred + usize::from(unmet),
                1,
                "{name}: {} must be referred once or be a gap",
                need.category
            );
        }
        // Every referral reason names its rule; urgency is never weaker than the need's.
        for referral in &f.referrals {
            for reason in &referral.reasons {
                assert!(!reason.rule.is_empty() && !reason.why.is_empty());
                assert!(referral.categories.contains(&reason.category));
            }
            let directory = rules
                .partners
                .get(&referral.partner)
                .expect("known partner");
            for category in &referral.categories {
                assert!(directory.categories.contains(category));
            }
        }
        // Referrals are ordered most urgent first.
        let urgencies: Vec<_> = f.referrals.iter().map(|r| r.urgency).collect();
        let mut sorted = urgencies.clone();
        sorted.sort();
        assert_eq!(urgencies, sorted, "{name}: referrals out of urgency order");
    }
}

#[test]
fn the_markdown_report_of_every_example_case_matches_its_snapshot() {
    let rules = util::bundled();
    for path in util::example_cases() {
        let assessment = files::read_assessment(&path, rules).expect("valid");
        let formulation = sicol::evaluate(rules, &assessment);
        let report = Report {
            assessment: &assessment,
            formulation: &formulation,
            choices: None,
            vocabulary: &rules.vocabulary,
        };
        let name = util::stem(&path);
        util::snapshot_settings().bind(|| {
            insta::assert_snapshot!(
                format!("report__{name}"),
                report.render(OutputFormat::Markdown)
            );
        });
    }
}

#[test]
fn the_html_report_is_self_contained_and_matches_its_snapshot() {
    let (assessment, formulation) = case("social_led_eviction.yaml");
    let text = std::fs::read_to_string(util::root().join("tests/choices/social_led_eviction.yaml"))
        .expect("choices fixture");
    let choices = parse_choices(&text, "choices.yaml", &formulation).expect("valid choices");
    let report = Report {
        assessment: &assessment,
        formulation: &formulation,
        choices: Some(&choices),
        vocabulary: &util::bundled().vocabulary,
    };
    let html = report.render(OutputFormat::Html);
    assert!(html.starts_with("<!DOCTYPE html>"));
    for forbidden in ["<script", "src=", "href=", "@import", "url("] {
        assert!(
            !html.contains(forbidden),
            "html must not contain {forbidden}"
        );
    }
    util::snapshot_settings().bind(|| {
        insta::assert_snapshot!("report_html__social_led_eviction", html);
    });
}

#[test]
fn choices_shape_what_happens_next_but_never_the_formulation() {
    let (assessment, formulation) = case("social_led_eviction.yaml");
    let rules = util::bundled();
    let text = std::fs::read_to_string(util::root().join("tests/choices/social_led_eviction.yaml"))
        .expect("choices fixture");
    let choices = parse_choices(&text, "choices.yaml", &formulation).expect("valid choices");
    assert_eq!(
        choices.get("cv-faith-network").map(|c| c.decision),
        Some(Decision::Declined)
    );
    let with = Report {
        assessment: &assessment,
        formulation: &formulation,
        choices: Some(&choices),
        vocabulary: &rules.vocabulary,
    };
    let steps = with.next_steps();
    let joined = steps.join("\n");
    // The risk is very high, so the crisis team leads and says the others work alongside it.
    assert!(joined.contains(
        "NHS Crisis Resolution and Home Treatment Team will look after your care for now and be your main contact. The other services below will work alongside them on everything else"
    ), "{joined}");
    assert!(joined.contains(
        "City Council Housing Options and Homelessness Team will contact you today about housing advice. You can also call them on 01632 960102."
    ), "{joined}");
    assert!(
        joined.contains("You want to think about help from Money Matters Debt Line with"),
        "{joined}"
    );
    assert!(joined.contains("Your main contact at NHS Crisis Resolution and Home Treatment Team will ask you again."), "{joined}");
    assert!(joined.contains("You said no to help from Coventry Faiths Together Network with befriending and faith and community. You can change your mind at any time: tell your main contact at NHS Crisis Resolution and Home Treatment Team."), "{joined}");
    // High urgency: the safety line comes first.
    assert!(steps[0].contains("call 999"));
    // Short sentences: no step runs on.
    for step in &steps {
        for sentence in step.split(". ") {
            assert!(
                sentence.split_whitespace().count() <= 25,
                "too long: {sentence}"
            );
        }
    }

    // The formulation part of the YAML output is the same with and without choices.
    let without = Report {
        choices: None,
        ..with
    };
    let plain = without.render(OutputFormat::Yaml);
    let full = with.render(OutputFormat::Yaml);
    assert!(
        full.starts_with(&plain),
        "choices must only add, after the formulation"
    );
    assert!(full.contains("what_happens_next:"));
    assert!(full.contains("decision: declined"));
    // And evaluating again with the choices in hand gives an identical formulation.
    assert_eq!(sicol::evaluate(rules, &assessment), formulation);
}

#[test]
fn an_unknown_referral_in_a_choices_file_is_an_error_with_its_line() {
    let (_, formulation) = case("social_led_eviction.yaml");
    let text = "- referral: cv-housing-options\n  decision: accepted\n- referral: cv-housing-optionz\n  decision: declined\n- referral: cv-housing-options\n  decision: deferred\n";
    let problems = parse_choices(text, "choices.yaml", &formulation)
        .expect_err("unknown id")
        .to_string();
    assert!(
        problems.contains(
            "choices.yaml:3:13: [1].referral: `cv-housing-optionz` is not a referral in this plan"
        ),
        "{problems}"
    );
    assert!(
        problems.contains("did you mean `cv-housing-options`?"),
        "{problems}"
    );
    assert!(
        problems.contains(
            "choices.yaml:5:13: [2].referral: `cv-housing-options` already has a choice at [0]"
        ),
        "{problems}"
    );

    let bad_decision = "- referral: cv-housing-options\n  decision: maybe\n";
    let problem = parse_choices(bad_decision, "choices.yaml", &formulation)
        .expect_err("bad decision")
        .to_string();
    assert!(problem.starts_with("choices.yaml:2:"), "{problem}");
    assert!(problem.contains("unknown variant `maybe`"), "{problem}");

    assert_eq!(
        parse_choices("", "choices.yaml", &formulation).expect("empty is fine"),
        Choices::default()
    );
}

#[test]
fn a_rules_folder_without_partners_turns_every_need_into_a_gap() {
    let mut files = bundled_files();
    files.files.remove(sicol::PARTNERS_FILE);
    let rules = RuleSet::from_files(&files).expect("partners.yaml is optional");
    assert!(rules.partners.partners().is_empty());
    let path = util::root().join("tests/cases/social_led_eviction.yaml");
    let assessment = files::read_assessment(&path, &rules).expect("valid");
    let f = sicol::evaluate(&rules, &assessment);
    assert!(f.referrals.is_empty());
    assert_eq!(f.lead_coordinator, None);
    assert_eq!(f.gaps.len(), f.needs.len());
    assert!(f.gaps.iter().all(|gap| gap.kind == GapKind::NoPartner));
    assert!(f.gaps.iter().all(|gap| !gap.reasons.is_empty()));
    // A need without a partner can still carry the person's choice, keyed by category.
    let choices = parse_choices(
        "- { referral: housing_advice, decision: deferred }\n",
        "choices.yaml",
        &f,
    )
    .expect("a gap's category is a valid key");
    let report = Report {
        assessment: &assessment,
        formulation: &f,
        choices: Some(&choices),
        vocabulary: &rules.vocabulary,
    };
    let markdown = report.render(OutputFormat::Markdown);
    assert!(markdown.contains("no partner in partners.yaml serves housing_advice"));
    assert!(markdown.contains("You want to think about help with housing advice."));
}

#[test]
fn a_service_lead_adds_a_partner_by_editing_yaml_only() {
    let mut files = bundled_files();
    let partners = files
        .files
        .get_mut(sicol::PARTNERS_FILE)
        .expect("bundled partners.yaml");
    // A one-stop service for adults facing a possession order, open every day and able to act
    // today: more specific to this case than the general services, wherever it is listed.
    *partners = partners.replacen(
        "partners:\n",
        "partners:\n  - id: cv-eviction-one-stop\n    name: Eviction One-Stop Shop\n    \
         categories: [housing_advice, legal_advice, debt_advice]\n    contact: \"01632 960999\"\n    \
         hours: always\n    same_day: true\n    can_coordinate: true\n    eligibility:\n      \
         min_age: 18\n      max_age: 120\n      only_when:\n        \
         housing_advice: { recorded: [eviction], min_severity: 3 }\n        \
         legal_advice: { recorded: [eviction] }\n        debt_advice: { recorded: [eviction] }\n",
        1,
    );
    let rules = RuleSet::from_files(&files).expect("edited partners.yaml is valid");
    let path = util::root().join("tests/cases/social_led_eviction.yaml");
    let assessment = files::read_assessment(&path, &rules).expect("valid");
    let f = sicol::evaluate(&rules, &assessment);
    let one_stop = f
        .referrals
        .iter()
        .find(|referral| referral.partner == "cv-eviction-one-stop")
        .expect("the new partner takes the housing needs");
    assert_eq!(
        one_stop.categories,
        ["housing_advice", "legal_advice", "debt_advice"]
    );
    // The risk is very high (B), so the crisis team leads and the one-stop shop works alongside.
    let lead = f.lead_coordinator.expect("a lead");
    assert_eq!(lead.partner, "nhs-crisis-home-treatment");
    assert!(lead.clinical, "{lead:?}");
    assert_ne!(
        rules.id.sha256,
        util::bundled().id.sha256,
        "the hash sees the edit"
    );
}

#[test]
fn a_partner_with_an_unknown_category_fails_the_rule_set_with_its_line() {
    let mut files = bundled_files();
    let partners = files
        .files
        .get_mut(sicol::PARTNERS_FILE)
        .expect("bundled partners.yaml");
    *partners = partners.replacen(
        "categories: [housing_advice, advocacy]",
        "categories: [housing_advise, advocacy]",
        1,
    );
    let problems = RuleSet::from_files(&files)
        .expect_err("unknown category")
        .to_string();
    assert!(
        problems.contains("partners.yaml:") && problems.contains(
            "partners[0].categories[0]: unknown referral category `housing_advise`\n  fix: did you mean `housing_advice`?"
        ),
        "{problems}"
    );
}

#[test]
fn evaluate_with_choices_on_the_command_line() {
    let run = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_sicol"))
            .current_dir(util::root())
            .args(args)
            .output()
            .expect("sicol runs")
    };
    let ok = run(&[
        "evaluate",
        "--format",
        "markdown",
        "--choices",
        "tests/choices/social_led_eviction.yaml",
        "tests/cases/social_led_eviction.yaml",
    ]);
    assert_eq!(
        ok.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    let stdout = String::from_utf8_lossy(&ok.stdout);
    assert!(
        stdout.contains("| declined: “Would rather go back to the gurdwara” |"),
        "{stdout}"
    );

    let dir = tempfile::tempdir().expect("temp dir");
    let bad = dir.path().join("choices.yaml");
    std::fs::write(&bad, "- referral: nobody\n  decision: accepted\n").expect("write");
    let failed = run(&[
        "evaluate",
        "--choices",
        bad.to_str().expect("utf-8 path"),
        "tests/cases/social_led_eviction.yaml",
    ]);
    assert_eq!(failed.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&failed.stderr);
    assert!(
        stderr.contains("choices.yaml:1:13: [0].referral: `nobody` is not a referral in this plan"),
        "{stderr}"
    );

    let two_cases = run(&[
        "evaluate",
        "--choices",
        "tests/choices/social_led_eviction.yaml",
        "tests/cases/social_led_eviction.yaml",
        "tests/cases/domestic_abuse.yaml",
    ]);
    assert_eq!(two_cases.status.code(), Some(2));
}
