//! Partner fit (issue 18): the measure on hand-made plans (a wrong partner and a missing referral
//! are each counted, the checks that hold for every plan), case files located like assessments,
//! the bundled rules on the bundled reference cases, the command's exit codes, and the partner
//! directory's order deciding nothing.

mod util;

use std::path::Path;
use std::process::Command;

use sicol::authoring::cases::RuleTest;
use sicol::authoring::partner_fit::{
    check_case, measure, parse_cases, CaseResult, FailureKind, FitTargets, PartnerCase, PartnerFit,
};
use sicol::formulation::Formulation;
use sicol::model::Gender;
use sicol::referrals::{Directory, Gap, GapKind, LeadCoordinator, Referral};
use sicol::{evaluate, files, Assessment, ReferralUrgency, RuleFiles, RuleSet, Urgency};

/// A case file: the block, then the assessment.
fn case_text(expect: &str, assessment: &str) -> String {
    format!("# test case\npartner_fit:\n  story: \"a test case\"\n  expect:\n{expect}{assessment}")
}

const MAN_FLEEING: &str = "id: PF-T1
assessed_at: 2026-12-08T11:00:00Z
person: { age: 34, gender: man, lives: homeless, dependants: 2 }
stressors:
  - { kind: domestic_abuse, severity: 3 }
  - { kind: homelessness, severity: 3 }
";

fn parse(text: &str) -> PartnerCase {
    match PartnerCase::parse(text, "case.yaml", util::bundled()) {
        Ok(case) => case,
        Err(problems) => panic!("the case must parse:\n{problems}"),
    }
}

/// A referral to a partner of the bundled directory for these categories, as the engine would
/// write it.
fn referral_to(id: &str, categories: &[&str], confirm: Option<&str>) -> Referral {
    let partner = util::bundled().partners.get(id).expect("a bundled partner");
    Referral {
        partner: id.to_owned(),
        name: partner.name.clone(),
        categories: categories.iter().map(|c| (*c).to_owned()).collect(),
        urgency: ReferralUrgency::SameDay,
        reasons: Vec::new(),
        contact: partner.contact.clone(),
        same_day: partner.same_day,
        hours: String::new(),
        open_at_assessment: true,
        note: None,
        route: None,
        confirm: confirm.map(str::to_owned),
        routes_to: None,
        why: Vec::new(),
        not_chosen: Vec::new(),
    }
}

/// The bundled directory with a women-only refuge, whatever the bundled one says today, so that
/// the checks on single-gender services are tested on their own.
fn with_women_only_refuge() -> Directory {
    Directory::new(
        util::bundled()
            .partners
            .partners()
            .iter()
            .cloned()
            .map(|mut partner| {
                if partner.id == "cv-safer-homes-refuge" {
                    partner.eligibility.gender = vec![Gender::Woman];
                    partner.eligibility.only_when.clear();
                }
                partner
            })
            .collect(),
    )
}

fn plan_of(case: &PartnerCase, referrals: Vec<Referral>) -> Formulation {
    let mut formulation = evaluate(util::bundled(), &case.assessment);
    formulation.referrals = referrals;
    formulation.gaps.clear();
    formulation.lead_coordinator = None;
    formulation.holder = None;
    formulation
}

fn kinds(case: &PartnerCase, formulation: &Formulation, directory: &Directory) -> Vec<FailureKind> {
    check_case(case, formulation, directory)
        .into_iter()
        .map(|failure| failure.kind)
        .collect()
}

#[test]
fn a_wrong_partner_and_a_missing_referral_are_each_counted() {
    let case = parse(&case_text(
        "    - { never: [cv-safer-homes-refuge] }\n    - { referred: children_and_families }\n",
        MAN_FLEEING,
    ));
    let directory = &with_women_only_refuge();

    // The refuge for a man: `never` fails, and so does the check that holds for every plan
    // (a single-gender service for a person of another gender). No children's referral.
    let wrong = plan_of(
        &case,
        vec![referral_to(
            "cv-safer-homes-refuge",
            &["housing_advice", "domestic_abuse_service"],
            None,
        )],
    );
    let failures = check_case(&case, &wrong, directory);
    let count = |kind| failures.iter().filter(|f| f.kind == kind).count();
    assert_eq!(count(FailureKind::WrongPartner), 2, "{failures:#?}");
    assert_eq!(count(FailureKind::MissingReferral), 1, "{failures:#?}");
    let text: Vec<String> = failures.iter().map(ToString::to_string).collect();
    assert!(
        text.iter().any(|line| line.starts_with("case.yaml: WRONG PARTNER: expected never cv-safer-homes-refuge; the plan has cv-safer-homes-refuge for housing_advice, domestic_abuse_service")),
        "{text:#?}"
    );
    assert!(
        text.iter()
            .any(|line| line.contains("for a person recorded as man")),
        "{text:#?}"
    );
    assert!(
        text.iter().any(|line| line.contains("missing referral: expected children_and_families referred; the plan has no children_and_families referral and no children_and_families gap")),
        "{text:#?}"
    );

    // The figures over cases, and the limits.
    let fit = PartnerFit {
        ruleset: util::bundled().id.clone(),
        cases: vec![
            CaseResult {
                file: "case.yaml".to_owned(),
                story: case.story.clone(),
                failures,
            },
            CaseResult {
                file: "other.yaml".to_owned(),
                story: "passes".to_owned(),
                failures: Vec::new(),
            },
        ],
    };
    assert_eq!(fit.total(), 2);
    assert_eq!(fit.passing(), 1);
    assert_eq!(fit.count(FailureKind::WrongPartner), 2);
    assert_eq!(fit.count(FailureKind::MissingReferral), 1);
    assert!(fit.passed(&FitTargets::default()), "no limit, no failure");
    let zero_wrong = FitTargets {
        max_wrong_partners: Some(0),
        max_missing_referrals: None,
    };
    assert!(!fit.passed(&zero_wrong));
    assert!(fit.passed(&FitTargets {
        max_wrong_partners: Some(2),
        max_missing_referrals: Some(1),
    }));
    assert!(!fit.passed(&FitTargets {
        max_wrong_partners: None,
        max_missing_referrals: Some(0),
    }));
    let report = fit.render_text(&zero_wrong);
    assert!(
        report.contains("wrong partners       2  target ≤ 0: MISSED"),
        "{report}"
    );
    assert!(report.contains("missing referrals    1\n"), "{report}");
    // Wrong partners are listed first.
    let first_wrong = report.find("WRONG PARTNER").expect("listed");
    let first_missing = report.find("missing referral ").expect("listed");
    assert!(first_wrong < first_missing, "{report}");
    let json = fit.to_json(&zero_wrong);
    assert_eq!(json["wrong_partners"], 2);
    assert_eq!(json["missing_referrals"], 1);
    assert_eq!(json["passed"], false);
    assert_eq!(json["failures"][0]["kind"], "wrong_partner");

    // The right plan passes: the helpline and a children's service.
    let right = plan_of(
        &case,
        vec![
            referral_to("cv-da-helpline", &["domestic_abuse_service"], None),
            referral_to("cv-family-hub", &["children_and_families"], None),
        ],
    );
    assert_eq!(kinds(&case, &right, directory), Vec::new());
}

#[test]
fn partner_lists_gaps_and_routes_are_read_as_written() {
    let case = parse(&case_text(
        "    - { category: housing_advice, partner_any_of: [cv-housing-options], or_gap: true }\n    - { route_through: cv-da-helpline, for: cv-safer-homes-refuge }\n",
        &MAN_FLEEING.replace("gender: man, ", "gender: woman, "),
    ));
    let directory = &util::bundled().partners;

    // Neither referred nor a gap: missing. A gap will do.
    let mut plan = plan_of(&case, Vec::new());
    assert_eq!(
        kinds(&case, &plan, directory),
        vec![FailureKind::MissingReferral]
    );
    plan.gaps.push(Gap {
        category: "housing_advice".to_owned(),
        urgency: ReferralUrgency::SameDay,
        kind: GapKind::NotOpenNow,
        message: "no housing service open now".to_owned(),
        referred_to: None,
        reasons: Vec::new(),
    });
    assert_eq!(kinds(&case, &plan, directory), Vec::new());

    // The refuge for housing without the helpline: a wrong partner for the category (not in
    // the list) and a missing route.
    let refuge_only = plan_of(
        &case,
        vec![referral_to(
            "cv-safer-homes-refuge",
            &["housing_advice"],
            None,
        )],
    );
    assert_eq!(
        kinds(&case, &refuge_only, directory),
        vec![FailureKind::WrongPartner, FailureKind::MissingReferral]
    );
}

#[test]
fn a_single_gender_service_for_a_person_of_unknown_gender_is_confirmed_and_never_leads() {
    let case = parse(&case_text(
        "    - { referred: domestic_abuse_service }\n",
        &MAN_FLEEING.replace("gender: man, ", ""),
    ));
    let directory = &with_women_only_refuge();
    let mut silent = plan_of(
        &case,
        vec![referral_to(
            "cv-safer-homes-refuge",
            &["domestic_abuse_service"],
            None,
        )],
    );
    silent.lead_coordinator = Some(LeadCoordinator {
        partner: "cv-safer-homes-refuge".to_owned(),
        name: "Safer Homes Refuge".to_owned(),
        contact: "01632 960191".to_owned(),
        why: "hand-made".to_owned(),
        clinical: false,
    });
    let failures = check_case(&case, &silent, directory);
    let messages: Vec<String> = failures.iter().map(ToString::to_string).collect();
    assert_eq!(failures.len(), 2, "{messages:#?}");
    assert!(
        failures.iter().all(|f| f.kind == FailureKind::WrongPartner),
        "{messages:#?}"
    );
    assert!(
        messages.iter().any(|m| m.contains("never lead")),
        "{messages:#?}"
    );
    assert!(
        messages
            .iter()
            .any(|m| m.contains("with nothing to confirm")),
        "{messages:#?}"
    );
    let confirmed = plan_of(
        &case,
        vec![referral_to(
            "cv-safer-homes-refuge",
            &["domestic_abuse_service"],
            Some("women only, and the person's gender is not recorded"),
        )],
    );
    assert_eq!(kinds(&case, &confirmed, directory), Vec::new());
}

#[test]
fn a_partner_that_cannot_hold_the_risk_is_a_wrong_partner() {
    let case = parse(&case_text(
        "    - { category: crisis_team, holds_risk: true }\n",
        "id: PF-T2
assessed_at: 2026-12-04T20:30:00Z
person: { age: 44 }
medical:
  - { kind: suicidal_ideation, severity: 3, note: \"Plan and means\" }
",
    ));
    // A directory where the café holds risk up to D and the crisis team has no limit.
    let bundled = &util::bundled().partners;
    let mut cafe = bundled.get("cv-lantern-cafe").expect("café").clone();
    cafe.max_risk = Some(Urgency::Moderate);
    let mut team = bundled
        .get("nhs-crisis-home-treatment")
        .expect("crisis team")
        .clone();
    team.max_risk = None;
    let directory = Directory::new(vec![cafe, team]);

    let formulation = evaluate(util::bundled(), &case.assessment);
    assert!(
        formulation
            .risk
            .as_ref()
            .map_or(formulation.urgency, |risk| risk.level)
            > Urgency::Moderate,
        "a plan with means is above D: {formulation:#?}"
    );
    let cafe_plan = plan_of(
        &case,
        vec![referral_to("cv-lantern-cafe", &["crisis_team"], None)],
    );
    let failures = check_case(&case, &cafe_plan, &directory);
    assert_eq!(failures.len(), 1, "{failures:#?}");
    assert_eq!(failures[0].kind, FailureKind::WrongPartner);
    assert!(
        failures[0]
            .got
            .starts_with("cv-lantern-cafe holds risk up to D"),
        "{failures:#?}"
    );
    let team_plan = plan_of(
        &case,
        vec![referral_to(
            "nhs-crisis-home-treatment",
            &["crisis_team"],
            None,
        )],
    );
    assert_eq!(kinds(&case, &team_plan, &directory), Vec::new());
    assert_eq!(
        kinds(&case, &plan_of(&case, Vec::new()), &directory),
        vec![FailureKind::MissingReferral]
    );

    // A need not referred at all is one missing referral, however many properties of its
    // partner the case expects.
    let both = parse(&case_text(
        "    - { category: crisis_team, partner_any_of: [nhs-crisis-home-treatment], holds_risk: true }\n",
        "id: PF-T5\nassessed_at: 2026-12-04T20:30:00Z\nmedical:\n  - { kind: suicidal_ideation, severity: 3 }\n",
    ));
    assert_eq!(
        kinds(&both, &plan_of(&both, Vec::new()), &directory),
        vec![FailureKind::MissingReferral]
    );
}

#[test]
fn problems_in_a_case_are_located_with_a_fix() {
    let text = case_text(
        "    - { never: [cv-safer-homes-refug] }\n    - { referred: housing, gap: housing_advice }\n    - { category: housing_advice }\n",
        MAN_FLEEING,
    );
    let problems = match PartnerCase::parse(&text, "bad.yaml", util::bundled()) {
        Ok(case) => panic!("a case with mistakes parsed: {case:#?}"),
        Err(problems) => problems.to_string(),
    };
    assert!(
        problems.contains("bad.yaml:5:")
            && problems.contains("`cv-safer-homes-refug` is not a partner id"),
        "{problems}"
    );
    assert!(
        problems.contains("bad.yaml:6:") && problems.contains("exactly one thing"),
        "{problems}"
    );
    assert!(
        problems.contains("bad.yaml:7:") && problems.contains("says nothing about its partner"),
        "{problems}"
    );
    assert!(problems.contains("fix: "), "{problems}");

    let no_block = "id: PF-T3\nassessed_at: 2026-12-08T11:00:00Z\n";
    let problems = match PartnerCase::parse(no_block, "none.yaml", util::bundled()) {
        Ok(case) => panic!("a case without its block parsed: {case:#?}"),
        Err(problems) => problems.to_string(),
    };
    assert!(problems.contains("no `partner_fit:` block"), "{problems}");

    // The assessment part is checked as an assessment, at its own line.
    let bad_assessment = case_text(
        "    - { referred: housing_advice }\n",
        &MAN_FLEEING.replace("gender: man", "gender: male"),
    );
    let problems = match PartnerCase::parse(&bad_assessment, "gender.yaml", util::bundled()) {
        Ok(case) => panic!("an unknown gender parsed: {case:#?}"),
        Err(problems) => problems.to_string(),
    };
    assert!(problems.contains("gender.yaml:8:"), "{problems}");
}

fn bundled_cases(ruleset: &RuleSet) -> Vec<PartnerCase> {
    let texts = files::read_yaml_files(&util::root().join("tests/reference/partners"))
        .expect("tests/reference/partners readable");
    match parse_cases(&texts, ruleset) {
        Ok(cases) => cases,
        Err(problems) => panic!("every bundled partner case must parse:\n{problems}"),
    }
}

/// Issue 18: at least 30 cases, and the bundled rules and directory send nobody to a wrong
/// partner.
#[test]
fn the_bundled_rules_give_no_wrong_partner_on_the_bundled_cases() {
    let cases = bundled_cases(util::bundled());
    assert!(cases.len() >= 30, "found {} cases", cases.len());
    let fit = measure(util::bundled(), &cases);
    let report = fit.render_text(&FitTargets::default());
    assert_eq!(fit.count(FailureKind::WrongPartner), 0, "{report}");
}

fn sicol_concordance(partners: &Path, extra: &[&str]) -> (Option<i32>, String, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_sicol"))
        .args(["rules", "concordance", "--rules"])
        .arg(util::rules_dir())
        .arg("--reference")
        .arg(util::root().join("tests/reference/mhts"))
        .arg("--partners")
        .arg(partners)
        .args(extra)
        .output()
        .expect("run sicol");
    (
        output.status.code(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[test]
fn the_command_reports_every_wrong_partner_and_fails_past_the_limit() {
    let dir = tempfile::tempdir().expect("temp dir");
    // Deliberately wrong: issue 18 requires the crisis team for this man tonight.
    let wrong = case_text(
        "    - { never: [nhs-crisis-home-treatment] }\n",
        "id: PF-T4
assessed_at: 2026-12-05T21:50:00Z
person: { age: 58, gender: man, lives: alone }
context: { referral_source: police_s136, setting: place_of_safety }
medical:
  - { kind: suicidal_ideation, severity: 3, note: \"Plan to hang himself\" }
",
    );
    std::fs::write(dir.path().join("01_wrong.yaml"), &wrong).expect("write case");

    let (code, out, err) = sicol_concordance(dir.path(), &["--max-wrong-partners", "0"]);
    assert_eq!(code, Some(1), "{out}{err}");
    assert!(out.contains("Partner fit of"), "{out}");
    assert!(
        out.contains("wrong partners       1  target ≤ 0: MISSED"),
        "{out}"
    );
    assert!(out.contains("WRONG PARTNER     "), "{out}");
    assert!(
        out.contains("01_wrong.yaml\n       expected never nhs-crisis-home-treatment"),
        "{out}"
    );

    // Without a limit the wrong partner is still reported.
    let (_, out, _) = sicol_concordance(dir.path(), &[]);
    assert!(
        out.contains("01_wrong.yaml\n       expected never"),
        "{out}"
    );
    let (code, out, err) = sicol_concordance(dir.path(), &["--max-wrong-partners", "1"]);
    assert!(!out.contains("partner-fit targets MISSED"), "{out}{err}");
    assert_ne!(code, Some(2), "{err}");

    let (code, out, err) = sicol_concordance(
        dir.path(),
        &["--max-wrong-partners", "0", "--format", "json"],
    );
    assert_eq!(code, Some(1), "{err}");
    let json: serde_json::Value = serde_json::from_str(&out).expect("json output");
    assert_eq!(json["partner_fit"]["cases"], 1);
    assert_eq!(json["partner_fit"]["wrong_partners"], 1);
    let file = json["partner_fit"]["failures"][0]["file"]
        .as_str()
        .unwrap_or_default();
    assert!(file.ends_with("01_wrong.yaml"), "{out}");

    // A mistake in a case is exit 2, with no partial measure.
    std::fs::write(
        dir.path().join("02_bad.yaml"),
        wrong.replace("nhs-crisis-home-treatment", "nhs-crisis-team"),
    )
    .expect("write case");
    let (code, out, err) = sicol_concordance(dir.path(), &[]);
    assert_eq!(code, Some(2), "{out}{err}");
    assert!(err.contains("02_bad.yaml:5:"), "{err}");
    assert!(out.is_empty(), "{out}");

    let empty = tempfile::tempdir().expect("temp dir");
    let (code, _, err) = sicol_concordance(empty.path(), &[]);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("no partner reference cases"), "{err}");
}

/// The bundled rule files with `partners.yaml`'s list of partners re-ordered.
fn reordered(files: &RuleFiles, order: impl Fn(&mut Vec<serde_yaml::Value>)) -> RuleSet {
    let mut files = files.clone();
    let text = files.files.get("partners.yaml").expect("partners.yaml");
    let mut yaml: serde_yaml::Value = serde_yaml::from_str(text).expect("partners.yaml parses");
    let list = yaml
        .get_mut("partners")
        .and_then(serde_yaml::Value::as_sequence_mut)
        .expect("a partners list");
    order(list);
    files.files.insert(
        "partners.yaml".to_owned(),
        serde_yaml::to_string(&yaml).expect("partners.yaml writes"),
    );
    match RuleSet::from_files(&files) {
        Ok(ruleset) => ruleset,
        Err(problems) => panic!("re-ordered rules must load:\n{problems}"),
    }
}

/// Issue 18: moving a partner to another place in `partners.yaml` changes no plan, on every
/// partner reference case and every rule test case: the same referrals, word for word (partners,
/// needs, reasons, why and why not, in the same order), the same lead, gaps and holder.
#[test]
fn the_order_of_partners_in_the_directory_changes_no_plan() {
    let bundled = util::bundled();
    let mut assessments: Vec<(String, Assessment)> = bundled_cases(bundled)
        .into_iter()
        .map(|case| (case.file, case.assessment))
        .collect();
    let tests = files::read_rule_tests(&util::rules_dir()).expect("rules/tests readable");
    for (file, text) in &tests {
        match RuleTest::parse(text, file, bundled) {
            Ok(test) => assessments.push((test.file, test.assessment)),
            Err(problems) => panic!("every rule test must parse:\n{problems}"),
        }
    }
    assert!(assessments.len() >= 50, "{} cases", assessments.len());

    let files = files::read_rule_files(&util::rules_dir()).expect("rules readable");
    let count = bundled.partners.partners().len();
    let orders: Vec<(String, RuleSet)> = vec![
        (
            "reversed".to_owned(),
            reordered(&files, |list| list.reverse()),
        ),
        (
            "rotated by a third".to_owned(),
            reordered(&files, |list| list.rotate_left(count / 3)),
        ),
        (
            "rotated by one".to_owned(),
            reordered(&files, |list| list.rotate_right(1)),
        ),
    ];
    for (name, ruleset) in &orders {
        let ids: Vec<&str> = ruleset
            .partners
            .partners()
            .iter()
            .map(|partner| partner.id.as_str())
            .collect();
        let original: Vec<&str> = bundled
            .partners
            .partners()
            .iter()
            .map(|partner| partner.id.as_str())
            .collect();
        assert_ne!(ids, original, "{name} re-orders the directory");
        for (file, assessment) in &assessments {
            let before = evaluate(bundled, assessment);
            let after = evaluate(ruleset, assessment);
            assert_eq!(
                before.referrals, after.referrals,
                "{file}: referrals changed with the directory {name}"
            );
            assert_eq!(
                before.lead_coordinator, after.lead_coordinator,
                "{file}: lead changed with the directory {name}"
            );
            assert_eq!(
                before.gaps, after.gaps,
                "{file}: gaps changed with the directory {name}"
            );
            assert_eq!(
                before.holder, after.holder,
                "{file}: holder changed with the directory {name}"
            );
        }
    }
}
