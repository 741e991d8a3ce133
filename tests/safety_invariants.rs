//! Safety invariants of the bundled rules, as property tests over generated assessments.
//!
//! The formulation guides decisions about a person's liberty and life, so these hold for every
//! case the vocabulary can express, not only the golden ones: every presentation of the UK Mental
//! Health Triage Scale (shared/MHTS.md) gets at least its code, whatever else is recorded; social
//! load without a mental-health factor stays at or below `high`; strengths never take a case
//! below its risk; recording more (or worse) never makes a case look lighter; every figure names
//! the rule that made it and why; the same case always gives the same output; and the bundled
//! rules never fail on a valid case.

mod generate;
mod util;

use chrono::Duration;
use proptest::prelude::*;
use proptest::sample::select;
use proptest::test_runner::FileFailurePersistence;

use sicol::formulation::render::to_yaml;
use sicol::model::{Factor, Section, SelfCare, Strength, Trend};
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

/// One presentation of the triage scale as sicol records it, and the least urgency it must get.
#[derive(Debug, Clone, Copy)]
struct Presentation {
    kind: &'static str,
    severity: u8,
    trend: Option<Trend>,
    happening_now: bool,
    /// The least urgency: the scale's code for the descriptor.
    least: Urgency,
    /// The descriptor, in the scale's words (shared/MHTS.md).
    descriptor: &'static str,
}

const fn presentation(
    kind: &'static str,
    severity: u8,
    least: Urgency,
    descriptor: &'static str,
) -> Presentation {
    Presentation {
        kind,
        severity,
        trend: None,
        happening_now: false,
        least,
        descriptor,
    }
}

/// The scale's rows as sicol's vocabulary records them. A presentation that meets several rows
/// takes the highest, so each must hold whatever else the case records.
const SCALE: &[Presentation] = &[
    Presentation {
        happening_now: true,
        ..presentation(
            "recent_suicide_attempt",
            1,
            Urgency::Emergency,
            "A: an overdose or suicide attempt just taken or in progress",
        )
    },
    Presentation {
        happening_now: true,
        ..presentation(
            "self_harm",
            1,
            Urgency::Emergency,
            "A: current actions endangering self",
        )
    },
    Presentation {
        happening_now: true,
        ..presentation(
            "harm_to_others",
            2,
            Urgency::Emergency,
            "A: violent aggression; possession of a weapon",
        )
    },
    // Hostility without intent (severity 1) happening now is not "violence under way" (issue
    // 18): the descriptor must match what was recorded, so it stays at its own row.
    Presentation {
        happening_now: true,
        ..presentation(
            "harm_to_others",
            1,
            Urgency::Moderate,
            "D: hostility without intent to harm, even when happening now",
        )
    },
    Presentation {
        happening_now: true,
        ..presentation(
            "substance_misuse",
            1,
            Urgency::Emergency,
            "A: an overdose just taken",
        )
    },
    presentation(
        "suicidal_ideation",
        3,
        Urgency::VeryHigh,
        "B: acute suicidal ideation with a clear plan or means",
    ),
    presentation(
        "harm_to_others",
        3,
        Urgency::VeryHigh,
        "B: risk of harm to others with a clear plan or means",
    ),
    presentation(
        "recent_suicide_attempt",
        3,
        Urgency::VeryHigh,
        "B: ongoing self-harm with intent",
    ),
    presentation(
        "psychosis",
        3,
        Urgency::VeryHigh,
        "B: acting on command hallucinations",
    ),
    presentation(
        "mania",
        3,
        Urgency::VeryHigh,
        "B: mania with unsafe behaviour",
    ),
    presentation(
        "cognitive_impairment",
        3,
        Urgency::VeryHigh,
        "B: delirium, dementia with very high-risk behaviour",
    ),
    presentation(
        "suicidal_ideation",
        1,
        Urgency::High,
        "C: suicidal ideation without a plan",
    ),
    presentation(
        "suicidal_ideation",
        2,
        Urgency::High,
        "C: suicidal ideation without a plan",
    ),
    presentation(
        "recent_suicide_attempt",
        1,
        Urgency::High,
        "C: a history of suicidal ideas with possible intent",
    ),
    presentation(
        "self_harm",
        3,
        Urgency::High,
        "C: self-harm with unclear intent",
    ),
    presentation(
        "harm_to_others",
        2,
        Urgency::High,
        "C: overt or unprovoked aggression",
    ),
    presentation(
        "severe_depression",
        3,
        Urgency::High,
        "C: vulnerable and unable to care for self",
    ),
    Presentation {
        trend: Some(Trend::Rising),
        ..presentation(
            "psychosis",
            1,
            Urgency::High,
            "C: rapidly increasing symptoms of psychosis",
        )
    },
    Presentation {
        trend: Some(Trend::Rising),
        ..presentation(
            "severe_depression",
            2,
            Urgency::High,
            "C: rapidly increasing symptoms of severe mood disorder",
        )
    },
    Presentation {
        trend: Some(Trend::Rising),
        ..presentation(
            "mania",
            2,
            Urgency::High,
            "C: rapidly increasing symptoms of severe mood disorder",
        )
    },
    presentation(
        "psychosis",
        1,
        Urgency::Moderate,
        "D: early symptoms of psychosis",
    ),
    presentation(
        "severe_depression",
        2,
        Urgency::Moderate,
        "D: significant distress with a serious mental illness",
    ),
];

/// The assessment with the presentation recorded (replacing any entry of that kind).
fn presenting(assessment: &Assessment, presentation: &Presentation) -> Assessment {
    let change = Worsening {
        kind: presentation.kind.to_owned(),
        before: None,
        after: presentation.severity,
        since: None,
        due: None,
        position: 0,
    };
    let mut changed = with_factor(
        assessment,
        Section::Medical,
        &change,
        Some(presentation.severity),
    );
    if let Some(factor) = changed
        .medical
        .iter_mut()
        .find(|factor| factor.kind == presentation.kind)
    {
        factor.trend = presentation.trend;
        factor.happening_now = Some(presentation.happening_now);
    }
    changed
}

/// The highest code the scale's rows give for what the assessment records.
fn scale_code(assessment: &Assessment) -> Urgency {
    let mut least = Urgency::Routine;
    for row in SCALE {
        let meets = assessment.medical.iter().any(|factor| {
            factor.kind == row.kind
                && factor.severity >= row.severity
                && row.trend.is_none_or(|trend| factor.trend == Some(trend))
                && (!row.happening_now || factor.happening_now == Some(true))
                && !known_and_settled(row, factor)
        });
        if meets {
            least = least.max(row.least);
        }
    }
    if assessment.person.self_care == Some(SelfCare::Unable)
        && assessment.medical.iter().any(|factor| factor.severity > 0)
    {
        least = least.max(Urgency::High);
    }
    least
}

/// "Early symptoms of psychosis" (D) are not a known illness recorded as not a first episode,
/// mild (1) and stable or easing: the scale reads that as stable and low risk, needing a review
/// (E), and the rules follow it (`illness_stable_psychosis_sanction`). Without this the
/// invariant would fail on the rare generated case that records exactly that.
fn known_and_settled(row: &Presentation, factor: &sicol::model::Factor) -> bool {
    row.descriptor.starts_with("D: early symptoms of psychosis")
        && factor.severity == 1
        && factor.first_episode == Some(false)
        && matches!(factor.trend, Some(Trend::Stable | Trend::Easing))
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
    // The rule set's own policies (Think Family) speak as `ruleset.partner_choice.<name>`.
    if let Some(policy) = rule.strip_prefix("ruleset.partner_choice.") {
        return util::bundled().config.partner_choice.is_some() && !policy.is_empty();
    }
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
    for row in SCALE {
        assert!(
            medical.iter().any(|known| known == row.kind),
            "{}",
            row.kind
        );
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
    fn every_presentation_of_the_triage_scale_gets_at_least_its_code(
        assessment in generate::assessment(vocabulary()),
        row in select(SCALE.to_vec()),
    ) {
        let case = presenting(&assessment, &row);
        let formulation = formulate(&case);
        prop_assert!(
            formulation.urgency >= row.least,
            "urgency {} for {} (least {}); reasons: {:?}\n{}",
            formulation.urgency, row.descriptor, row.least, formulation.urgency_reasons, case.to_yaml()
        );
    }

    #[test]
    fn the_highest_row_a_case_meets_is_never_under_triaged(
        assessment in generate::assessment(vocabulary()),
    ) {
        let formulation = formulate(&assessment);
        let least = scale_code(&assessment);
        prop_assert!(
            formulation.urgency >= least,
            "urgency {} below the scale's {least}; reasons: {:?}\n{}",
            formulation.urgency, formulation.urgency_reasons, assessment.to_yaml()
        );
    }

    #[test]
    fn social_load_alone_stays_at_or_below_high(
        assessment in generate::assessment(vocabulary()),
    ) {
        let mut social_only = assessment.clone();
        social_only.medical.clear();
        // A section 136 is an assessment under the Mental Health Act, the scale's B, whatever
        // else is known (issue 18): a route, not a social load, so it is left out here.
        if social_only.context.referral_source.as_deref() == Some("police_s136") {
            social_only.context.referral_source = None;
        }
        let formulation = formulate(&social_only);
        prop_assert!(
            formulation.urgency <= Urgency::High,
            "social load alone reached {}: {:?}\n{}",
            formulation.urgency, formulation.urgency_reasons, social_only.to_yaml()
        );
        prop_assert!(formulation.risk.is_none(), "a risk without a medical factor: {:?}", formulation.risk);
        prop_assert!(
            !formulation.flags.iter().any(|flag| flag.name == "mha_assessment"),
            "the Act suggested for social load alone\n{}", social_only.to_yaml()
        );
    }

    #[test]
    fn strengths_never_lower_the_risk_code(
        assessment in generate::assessment(vocabulary()),
    ) {
        let mut strong = assessment.clone();
        strong.strengths = section_kinds(Section::Strengths)
            .into_iter()
            .map(|kind| Strength { kind, note: None })
            .collect();
        let mut bare = assessment.clone();
        bare.strengths.clear();
        let strong = formulate(&strong);
        let bare = formulate(&bare);
        prop_assert!(
            strong.urgency >= bare.urgency,
            "every strength took urgency from {} to {}", bare.urgency, strong.urgency
        );
        if let Some(risk) = &strong.risk {
            prop_assert!(strong.urgency >= risk.level, "urgency {} below its risk {}", strong.urgency, risk.level);
        }
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
