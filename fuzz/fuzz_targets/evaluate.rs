//! Any valid assessment the vocabulary can express, built from the fuzzer's bytes: the bundled
//! rules never warn, every factor names a rule, a recent suicide attempt is never below high, and
//! the output is the same twice.

#![no_main]

use chrono::{Duration, NaiveDate};
use libfuzzer_sys::arbitrary::{Result, Unstructured};
use libfuzzer_sys::fuzz_target;
use sicol::formulation::render::to_yaml;
use sicol::model::{Context, Factor, Person, Section, Strength};
use sicol::{Assessment, Urgency, Vocabulary};

mod common;

fn factors(
    u: &mut Unstructured,
    vocabulary: &Vocabulary,
    section: Section,
    on: NaiveDate,
) -> Result<Vec<Factor>> {
    let mut list = Vec::new();
    for kind in vocabulary.kinds(section).keys() {
        if !u.arbitrary::<bool>()? {
            continue;
        }
        let since = if u.arbitrary()? {
            Some(on - Duration::days(u.int_in_range(-5..=900)?))
        } else {
            None
        };
        let due = if u.arbitrary()? {
            let due = on + Duration::days(u.int_in_range(-60..=200)?);
            Some(since.map_or(due, |since| due.max(since)))
        } else {
            None
        };
        list.push(Factor {
            kind: kind.clone(),
            severity: u.int_in_range(0..=3)?,
            since,
            due,
            note: None,
            trend: None,
            first_episode: None,
            happening_now: None,
        });
    }
    Ok(list)
}

fn assessment(u: &mut Unstructured, vocabulary: &Vocabulary) -> Result<Assessment> {
    let at = chrono::DateTime::parse_from_rfc3339("2026-01-01T12:00:00Z").expect("fixed date")
        + Duration::days(u.int_in_range(0..=1000)?);
    let on = at.date_naive();
    let pick = |u: &mut Unstructured, keys: Vec<&String>| -> Result<Option<String>> {
        Ok(if u.arbitrary()? {
            Some((*u.choose(&keys)?).clone())
        } else {
            None
        })
    };
    Ok(Assessment {
        id: "FUZZ-1".to_owned(),
        assessed_at: at,
        assessor: None,
        capacity: None,
        person: Person {
            age: if u.arbitrary()? {
                Some(u.int_in_range(0..=120)?)
            } else {
                None
            },
            lives: pick(u, vocabulary.living_situations.keys().collect())?,
            dependants: if u.arbitrary()? {
                Some(u.int_in_range(0..=6)?)
            } else {
                None
            },
            self_care: None,
        },
        context: Context {
            referral_source: pick(u, vocabulary.referral_sources.keys().collect())?,
            setting: None,
        },
        stressors: factors(u, vocabulary, Section::Stressors, on)?,
        medical: factors(u, vocabulary, Section::Medical, on)?,
        strengths: vocabulary
            .kinds(Section::Strengths)
            .keys()
            .filter(|_| u.arbitrary().unwrap_or(false))
            .map(|kind| Strength {
                kind: kind.clone(),
                note: None,
            })
            .collect(),
        wishes: None,
    })
}

fuzz_target!(|data: &[u8]| {
    let rules = common::bundled();
    let Ok(assessment) = assessment(&mut Unstructured::new(data), &rules.vocabulary) else {
        return;
    };
    let formulation = sicol::evaluate(rules, &assessment);
    assert!(
        formulation.warnings.is_empty(),
        "{:?}",
        formulation.warnings
    );
    for factor in &formulation.factors {
        assert!(
            !factor.rule.is_empty() && !factor.why.is_empty(),
            "{factor:?}"
        );
    }
    if assessment
        .medical
        .iter()
        .any(|f| f.kind == "recent_suicide_attempt" && f.severity > 0)
    {
        assert!(formulation.urgency >= Urgency::High);
    }
    assert_eq!(
        to_yaml(&formulation),
        to_yaml(&sicol::evaluate(rules, &assessment))
    );
});
