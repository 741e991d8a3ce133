//! Safety invariants of the bundled rules, as property tests over generated assessments.
//!
//! The formulation guides decisions about a person's liberty and life, so these hold for every
//! case the vocabulary can express, not only the golden ones: a recent suicide attempt or severe
//! psychosis is never triaged below `high`; recording more (or worse) never makes a case look
//! lighter; every figure names the rule that made it and why; the same case always gives the
//! same output; and the bundled rules never fail on a valid case.

mod generate;
mod util;

use chrono::Duration;
use proptest::prelude::*;
use proptest::sample::select;
use proptest::test_runner::FileFailurePersistence;

use sicol::formulation::render::to_yaml;
use sicol::model::{Factor, Section, Strength};
use sicol::{Assessment, Formulation, Urgency};

/// Enough cases to find a counter-example among the vocabulary's combinations while keeping the
/// debug test suite quick on two cores.
fn config() -> ProptestConfig {
    ProptestConfig {
        cases: 256,
        failure_persistence: Some(Box::new(FileFailurePersistence::WithSource("regressions"))),
        ..ProptestConfig::default()
    }
}

fn formulate(assessment: &Assessment) -> Formulation {
    sicol::evaluate(util::bundled(), assessment)
}

fn vocabulary() -> &'static sicol::Vocabulary {
    &util::bundled().vocabulary
}

fn section_kinds(section: Section) -> Vec<String> {
    generate::kinds(vocabulary(), section)
}

/// A change to one kind in a section: from `before` (absent when `None`) to `after`, where
/// `after` is at least as severe.
#[derive(Debug, Clone)]
struct Worsening {
    kind: String,
    before: Option<u8>,
    after: u8,
    since: Option<i64>,
    due: Option<i64>,
    position: usize,
}

fn worsening(section: Section) -> impl Strategy<Value = Worsening> {
    (
        select(section_kinds(section)),
        proptest::option::of(0u8..=3),
        0u8..=3,
        generate::dates(),
        0usize..20,
    )
        .prop_map(|(kind, before, after, (since, due), position)| {
            let (before, after) = match before {
                Some(before) if before > after => (Some(after), before),
                other => (other, after),
            };
            Worsening {
                kind,
                before,
                after,
                since,
                due,
                position,
            }
        })
}

fn factors_mut(assessment: &mut Assessment, section: Section) -> &mut Vec<Factor> {
    match section {
        Section::Medical => &mut assessment.medical,
        _ => &mut assessment.stressors,
    }
}

/// The assessment with `kind` removed from the section and, when `severity` is given, recorded
/// again at that severity at `position`.
fn with_factor(
    assessment: &Assessment,
    section: Section,
    change: &Worsening,
    severity: Option<u8>,
) -> Assessment {
    let mut changed = assessment.clone();
    let on = changed.assessed_on();
    let list = factors_mut(&mut changed, section);
    list.retain(|factor| factor.kind != change.kind);
    if let Some(severity) = severity {
        let position = change.position % (list.len() + 1);
        list.insert(
            position,
            Factor {
                kind: change.kind.clone(),
                severity,
                since: change.since.map(|days| on + Duration::days(days)),
                due: change.due.map(|days| on + Duration::days(days)),
                note: None,
                trend: None,
                first_episode: None,
                happening_now: None,
            },
        );
    }
    changed
}

fn recorded(assessment: &Assessment, kind: &str, severity: u8) -> Assessment {
    let change = Worsening {
        kind: kind.to_owned(),
        before: None,
        after: severity,
        since: None,
        due: None,
        position: 0,
    };
    with_factor(assessment, Section::Medical, &change, Some(severity))
}

/// The script stems that ran, so that a rule name can be checked against them.
fn ran(formulation: &Formulation) -> Vec<String> {
    formulation
        .scripts_run
        .iter()
        .map(|file| file.trim_end_matches(".rhai").to_owned())
        .collect()
}

/// A rule is named `<stem>` or `<stem>.<name>` after a script that ran in this evaluation.
fn names_a_rule_that_ran(rule: &str, stems: &[String]) -> bool {
    let (stem, name) = rule.split_once('.').unwrap_or((rule, "x"));
    let snake = |text: &str| {
        !text.is_empty()
            && text
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
    };
    stems.iter().any(|ran| ran == stem) && snake(name)
}

#[test]
fn the_clinical_kinds_the_invariants_name_are_in_the_vocabulary() {
    let medical = section_kinds(Section::Medical);
    for kind in ["recent_suicide_attempt", "psychosis"] {
        assert!(medical.iter().any(|known| known == kind), "{kind}");
    }
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn generated_cases_are_valid_and_the_bundled_rules_run_cleanly(
        assessment in generate::assessment(vocabulary())
    ) {
        if let Err(problems) = assessment.check(vocabulary()) {
            panic!("the generator made an invalid case: {problems}\n{}", assessment.to_yaml());
        }
        let formulation = formulate(&assessment);
        prop_assert!(
            formulation.warnings.is_empty(),
            "bundled rules warned: {:?}\n{}",
            formulation.warnings,
            assessment.to_yaml()
        );
    }

    #[test]
    fn a_recent_suicide_attempt_is_never_below_high(
        assessment in generate::assessment(vocabulary()),
        severity in 1u8..=3,
    ) {
        let formulation = formulate(&recorded(&assessment, "recent_suicide_attempt", severity));
        prop_assert!(
            formulation.urgency >= Urgency::High,
            "urgency {} with a recent suicide attempt at severity {severity}",
            formulation.urgency
        );
    }

    #[test]
    fn severe_psychosis_is_never_below_high(
        assessment in generate::assessment(vocabulary()),
    ) {
        let formulation = formulate(&recorded(&assessment, "psychosis", 3));
        prop_assert!(
            formulation.urgency >= Urgency::High,
            "urgency {} with psychosis at severity 3",
            formulation.urgency
        );
    }

    #[test]
    fn adding_or_worsening_a_stressor_never_lowers_the_social_weight_or_the_urgency(
        assessment in generate::assessment(vocabulary()),
        change in worsening(Section::Stressors),
    ) {
        let before = formulate(&with_factor(&assessment, Section::Stressors, &change, change.before));
        let after = formulate(&with_factor(&assessment, Section::Stressors, &change, Some(change.after)));
        prop_assert!(
            after.social_weight >= before.social_weight,
            "social weight fell from {} to {} when {} went from {:?} to {}",
            before.social_weight, after.social_weight, change.kind, change.before, change.after
        );
        prop_assert!(
            after.urgency >= before.urgency,
            "urgency fell from {} to {} when {} went from {:?} to {}",
            before.urgency, after.urgency, change.kind, change.before, change.after
        );
    }

    #[test]
    fn adding_or_worsening_a_medical_factor_never_lowers_the_medical_weight_or_the_urgency(
        assessment in generate::assessment(vocabulary()),
        change in worsening(Section::Medical),
    ) {
        let before = formulate(&with_factor(&assessment, Section::Medical, &change, change.before));
        let after = formulate(&with_factor(&assessment, Section::Medical, &change, Some(change.after)));
        prop_assert!(
            after.medical_weight >= before.medical_weight,
            "medical weight fell from {} to {} when {} went from {:?} to {}",
            before.medical_weight, after.medical_weight, change.kind, change.before, change.after
        );
        prop_assert!(
            after.urgency >= before.urgency,
            "urgency fell from {} to {} when {} went from {:?} to {}",
            before.urgency, after.urgency, change.kind, change.before, change.after
        );
    }

    #[test]
    fn removing_a_strength_never_lowers_the_urgency(
        assessment in generate::assessment(vocabulary()),
        strength in select(section_kinds(Section::Strengths)),
        position in 0usize..10,
    ) {
        let mut with = assessment.clone();
        with.strengths.retain(|recorded| recorded.kind != strength);
        let without = with.clone();
        let position = position % (with.strengths.len() + 1);
        with.strengths.insert(position, Strength { kind: strength.clone(), note: None });
        let with = formulate(&with);
        let without = formulate(&without);
        prop_assert!(
            without.urgency >= with.urgency,
            "urgency fell from {} to {} when {strength} was removed",
            with.urgency, without.urgency
        );
    }

    #[test]
    fn every_factor_and_need_names_a_rule_that_ran_and_a_reason(
        assessment in generate::assessment(vocabulary()),
    ) {
        let formulation = formulate(&assessment);
        let stems = ran(&formulation);
        for factor in &formulation.factors {
            prop_assert!(names_a_rule_that_ran(&factor.rule, &stems), "{factor:?} ran {stems:?}");
            prop_assert!(!factor.why.trim().is_empty(), "{factor:?}");
            prop_assert!(factor.weight >= 0.0 && factor.weight.is_finite(), "{factor:?}");
            for part in factor.kind.split('+') {
                prop_assert!(vocabulary().section_of(part).is_some(), "{factor:?}");
            }
        }
        for need in &formulation.needs {
            prop_assert!(vocabulary().referral_categories.contains_key(&need.category), "{need:?}");
            prop_assert!(!need.reasons.is_empty(), "{need:?}");
            for reason in &need.reasons {
                prop_assert!(names_a_rule_that_ran(&reason.rule, &stems), "{need:?} ran {stems:?}");
                prop_assert!(!reason.why.trim().is_empty(), "{need:?}");
            }
        }
        for note in &formulation.notes {
            prop_assert!(names_a_rule_that_ran(&note.rule, &stems), "{note:?} ran {stems:?}");
        }
    }

    #[test]
    fn the_same_case_always_gives_the_same_output(
        assessment in generate::assessment(vocabulary()),
    ) {
        let first = to_yaml(&formulate(&assessment));
        let second = to_yaml(&formulate(&assessment));
        prop_assert_eq!(&first, &second);
        // The case as a file gives the same output as the case in memory.
        let reread = Assessment::parse(&assessment.to_yaml(), "case.yaml", vocabulary())
            .map_err(|problems| TestCaseError::fail(problems.to_string()))?;
        prop_assert_eq!(&first, &to_yaml(&formulate(&reread)));
    }
}
