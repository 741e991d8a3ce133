//! proptest strategies for assessments written in the bundled vocabulary. Every kind, living
//! situation and referral source is read from the loaded rule set, never listed here, so that a
//! kind a service lead adds is generated (and checked) without touching this file.

#![allow(dead_code)]

use chrono::{DateTime, Duration, FixedOffset, NaiveDate, TimeZone};
use proptest::prelude::*;
use proptest::sample::{select, subsequence};

use sicol::model::{
    Capacity, CapacityStatus, Context, Factor, Gender, Person, Section, SelfCare, Strength, Trend,
};
use sicol::{Assessment, Vocabulary};

/// The kinds of one vocabulary section, in file order.
pub fn kinds(vocabulary: &Vocabulary, section: Section) -> Vec<String> {
    vocabulary.kinds(section).keys().cloned().collect()
}

/// When an assessment took place: any day over three years, any hour, in UTC or UK summer time.
pub fn assessed_at() -> impl Strategy<Value = DateTime<FixedOffset>> {
    (0i64..3 * 365, 0u32..24, select(vec![0i32, 3600])).prop_map(|(day, hour, offset)| {
        let zone = FixedOffset::east_opt(offset).unwrap_or(FixedOffset::east_opt(0).unwrap());
        let start = NaiveDate::from_ymd_opt(2025, 1, 1).unwrap_or_default();
        let local = (start + Duration::days(day))
            .and_hms_opt(hour, 30, 0)
            .unwrap_or_default();
        zone.from_local_datetime(&local)
            .single()
            .unwrap_or_else(|| zone.from_utc_datetime(&local))
    })
}

/// Optional `since` and `due` dates, as day offsets from the assessment date, with due >= since
/// and since on or before the assessment day (a later one is an error since issue 19).
pub fn dates() -> impl Strategy<Value = (Option<i64>, Option<i64>)> {
    (
        proptest::option::of(-900i64..=0),
        proptest::option::of(-60i64..=200),
    )
        .prop_map(|(since, due)| match (since, due) {
            (Some(since), Some(due)) if due < since => (Some(due), Some(since)),
            other => other,
        })
}

/// What only medical factors record: trend, first episode, happening now (each may be unknown).
pub fn course() -> impl Strategy<Value = (Option<Trend>, Option<bool>, Option<bool>)> {
    (
        proptest::option::of(select(Trend::ALL.to_vec())),
        proptest::option::of(any::<bool>()),
        proptest::option::of(any::<bool>()),
    )
}

/// One recorded stressor or medical factor of a given kind, dated around `on`; medical factors
/// also get a course.
pub fn factor_of(kind: String, on: NaiveDate, medical: bool) -> impl Strategy<Value = Factor> {
    (0u8..=3, dates(), course()).prop_map(
        move |(severity, (since, due), (trend, first_episode, happening_now))| Factor {
            kind: kind.clone(),
            severity,
            since: since.map(|days| on + Duration::days(days)),
            due: due.map(|days| on + Duration::days(days)),
            note: None,
            trend: trend.filter(|_| medical),
            first_episode: first_episode.filter(|_| medical),
            happening_now: happening_now.filter(|_| medical),
        },
    )
}

/// Any selection of a section's kinds, in any order, each with a severity and dates (and a course
/// when `medical`).
pub fn factors(
    kinds: Vec<String>,
    on: NaiveDate,
    medical: bool,
) -> impl Strategy<Value = Vec<Factor>> {
    let most = kinds.len();
    subsequence(kinds, 0..=most)
        .prop_shuffle()
        .prop_flat_map(move |chosen| {
            chosen
                .into_iter()
                .map(|kind| factor_of(kind, on, medical))
                .collect::<Vec<_>>()
        })
}

/// Any selection of strengths, in any order.
pub fn strengths(kinds: Vec<String>) -> impl Strategy<Value = Vec<Strength>> {
    let most = kinds.len();
    subsequence(kinds, 0..=most)
        .prop_shuffle()
        .prop_map(|chosen| {
            chosen
                .into_iter()
                .map(|kind| Strength { kind, note: None })
                .collect()
        })
}

/// An optional key from a vocabulary list (living situations, referral sources).
fn maybe_key(keys: Vec<String>) -> impl Strategy<Value = Option<String>> {
    proptest::option::of(select(keys))
}

/// A valid assessment in the given vocabulary.
pub fn assessment(vocabulary: &Vocabulary) -> impl Strategy<Value = Assessment> {
    let stressor_kinds = kinds(vocabulary, Section::Stressors);
    let medical_kinds = kinds(vocabulary, Section::Medical);
    let strength_kinds = kinds(vocabulary, Section::Strengths);
    let lives: Vec<String> = vocabulary.living_situations.keys().cloned().collect();
    let sources: Vec<String> = vocabulary.referral_sources.keys().cloned().collect();
    // Settings the bundled rules read, an ordinary one, and none.
    let settings = proptest::option::of(select(vec![
        "home".to_owned(),
        "place_of_safety".to_owned(),
        "emergency_department".to_owned(),
    ]));
    let person_facts = (
        proptest::option::of(0u32..=100),
        maybe_key(lives),
        proptest::option::of(0u32..=4),
        proptest::option::of(select(SelfCare::ALL.to_vec())),
        proptest::option::of(select(Gender::ALL.to_vec())),
    );
    let capacity = proptest::option::of(select(CapacityStatus::ALL.to_vec()));
    (
        assessed_at(),
        person_facts,
        maybe_key(sources),
        settings,
        capacity,
    )
        .prop_flat_map(move |(at, person, source, setting, capacity)| {
            let on = at.date_naive();
            (
                Just((at, person, source, setting, capacity)),
                factors(stressor_kinds.clone(), on, false),
                factors(medical_kinds.clone(), on, true),
                strengths(strength_kinds.clone()),
            )
        })
        .prop_map(
            |(
                (at, (age, lives, dependants, self_care, gender), source, setting, capacity),
                stressors,
                medical,
                strengths,
            )| Assessment {
                id: "P-0001".to_owned(),
                assessed_at: at,
                assessor: None,
                person: Person {
                    age,
                    lives,
                    dependants,
                    self_care,
                    gender,
                },
                context: Context {
                    referral_source: source,
                    setting,
                },
                stressors,
                medical,
                strengths,
                capacity: capacity.map(|status| Capacity {
                    status,
                    decision: None,
                }),
                wishes: None,
            },
        )
}
