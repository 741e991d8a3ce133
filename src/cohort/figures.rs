//! The cohort figures: exact counts computed from the views of a store's records.
//!
//! Who counts: every case assessed in the date window counts once, with its current assessment —
//! a record a later revision supersedes is set aside wherever the revision falls, and when a case
//! was assessed more than once (not revised: assessed again) the latest assessment in the window
//! stands for it. A follow-up counts for the assessment it follows, carried forward through
//! revisions to the current record, and only when that record is the one counted; of several
//! follow-ups of one assessment the latest in the chain counts (a correction is a new follow-up).

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;
use serde::Serialize;

use crate::model::{Balance, Decision, MhaOutcome, Urgency};
use crate::records::RecordId;

use super::referral_loop::LoopFigures;
use super::stats::median;
use super::view::{AssessmentView, Entry, FollowUpView, StatusView};

/// The days of assessments a report covers, both ends included; open ends are unbounded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct DateWindow {
    /// The first day included.
    pub from: Option<NaiveDate>,
    /// The last day included.
    pub to: Option<NaiveDate>,
}

impl DateWindow {
    /// Whether a day falls in the window.
    pub fn contains(&self, day: NaiveDate) -> bool {
        self.from.is_none_or(|from| day >= from) && self.to.is_none_or(|to| day <= to)
    }
}

/// A count under a key (a balance, an urgency level, a stressor kind, a category).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Tally {
    /// The key, as in the records and the vocabulary.
    pub key: String,
    /// How many people.
    pub count: usize,
}

/// How many people had both stressors of a pair.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PairTally {
    /// The first kind (alphabetically).
    pub first: String,
    /// The second kind.
    pub second: String,
    /// How many people.
    pub count: usize,
}

/// Referrals offered under one key (a category or a partner) and what people decided.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct DecisionTally {
    /// The category or partner id.
    pub key: String,
    /// Referrals offered.
    pub offered: usize,
    /// Accepted by the person.
    pub accepted: usize,
    /// Declined.
    pub declined: usize,
    /// Deferred: the person wants to decide later.
    pub deferred: usize,
    /// No choice recorded.
    pub undecided: usize,
}

impl DecisionTally {
    fn add(&mut self, decision: Option<Decision>) {
        self.offered += 1;
        match decision {
            Some(Decision::Accepted) => self.accepted += 1,
            Some(Decision::Declined) => self.declined += 1,
            Some(Decision::Deferred) => self.deferred += 1,
            None => self.undecided += 1,
        }
    }

    /// The four parts that add up to `offered`, in display order.
    pub fn parts(&self) -> [usize; 4] {
        [self.accepted, self.declined, self.deferred, self.undecided]
    }
}

/// People with a gap in one category.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GapTally {
    /// The referral category.
    pub category: String,
    /// People with a gap in it.
    pub people: usize,
    /// Of those, people left with no referral at all for it (no partner, or none eligible).
    pub unmet: usize,
}

/// One stressor kind among the people followed up: recorded at assessment, and resolved since.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ResolvedTally {
    /// The stressor kind.
    pub key: String,
    /// People followed up who had it at assessment.
    pub recorded: usize,
    /// Of those, people for whom it was resolved.
    pub resolved: usize,
}

/// What happened after the assessments, among the people followed up.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct Outcomes {
    /// People followed up.
    pub followed_up: usize,
    /// Followed up and not admitted to a psychiatric bed: admissions avoided.
    pub not_admitted: usize,
    /// Followed up and admitted.
    pub admitted: usize,
    /// Social issues (stressors) recorded at assessment among the people followed up.
    pub issues_recorded: usize,
    /// Of those, resolved by the follow-up.
    pub issues_resolved: usize,
    /// People followed up with at least one issue resolved.
    pub people_with_issues_resolved: usize,
    /// Issues by stressor kind among the people followed up, most resolved first.
    pub by_kind: Vec<ResolvedTally>,
    /// Median days from assessment to follow-up (halves when the count is even).
    pub median_days_to_follow_up: Option<f64>,
}

/// What the assessments decided under the Mental Health Act, among the people whose current
/// record has the decision (recorded in `sicol assess` since issue 14; older records have none).
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct MhaDecisions {
    /// People whose decision is recorded.
    pub recorded: usize,
    /// People by outcome, in the scale's order (every outcome listed, zeros included).
    pub by_outcome: Vec<Tally>,
    /// Decisions that admitted the person (informal admission, section 2 or 3).
    pub admitted: usize,
    /// Decisions without an admission (no detention, section 136 ended): admissions avoided.
    pub admissions_avoided: usize,
    /// Decisions of another kind, neither counted as an admission nor as one avoided.
    pub other: usize,
    /// People recorded as agreeing to the plan.
    pub agreed_to_plan: usize,
    /// People recorded as not agreeing to the plan.
    pub did_not_agree: usize,
}

/// Everything `sicol report` shows, computed exactly from the records.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct CohortFigures {
    /// The window of assessment days.
    pub window: DateWindow,
    /// Records read.
    pub records: usize,
    /// Of those, assessment records.
    pub assessment_records: usize,
    /// Of those, follow-up records.
    pub follow_up_records: usize,
    /// Assessment records set aside because a later revision supersedes them.
    pub superseded: usize,
    /// Current assessment records outside the window.
    pub outside_window: usize,
    /// Earlier assessments of a case assessed again later in the window.
    pub earlier_assessments: usize,
    /// Follow-ups that count for no assessment in the report (of an assessment outside the
    /// window or set aside, or replaced by a later follow-up of the same assessment).
    pub follow_ups_not_counted: usize,
    /// Records that could not be read as an assessment or follow-up, with why.
    pub unreadable: Vec<(RecordId, String)>,
    /// People assessed: distinct case ids.
    pub people: usize,
    /// People by balance, in the scale's order, then any other value, then `unknown`.
    pub balance: Vec<Tally>,
    /// People by urgency, most urgent first, then any other value, then `unknown`.
    pub urgency: Vec<Tally>,
    /// People by stressor kind, most first.
    pub stressors: Vec<Tally>,
    /// People by pair of stressor kinds, most first.
    pub stressor_pairs: Vec<PairTally>,
    /// People offered at least one referral.
    pub people_referred: usize,
    /// Referrals by category, most offered first.
    pub referrals_by_category: Vec<DecisionTally>,
    /// Partner-resolved referrals by partner, most offered first.
    pub referrals_by_partner: Vec<DecisionTally>,
    /// People with at least one gap.
    pub people_with_gaps: usize,
    /// People whose current formulation is incomplete: a rule failed when it was made, so it
    /// may understate the urgency and the referrals.
    #[serde(skip_serializing_if = "is_zero")]
    pub people_incomplete: usize,
    /// Gaps by category, most first.
    pub gaps: Vec<GapTally>,
    /// Outcomes of the people followed up.
    pub outcomes: Outcomes,
    /// Referral status records read.
    pub status_records: usize,
    /// Where the counted referrals stand with their partners (the closed loop).
    pub referral_loop: LoopFigures,
    /// Decisions under the Mental Health Act; left out of JSON while none is recorded, so
    /// reports of stores without them read as before.
    #[serde(skip_serializing_if = "no_decisions")]
    pub mha_decisions: MhaDecisions,
}

fn no_decisions(decisions: &MhaDecisions) -> bool {
    decisions.recorded == 0
}

/// Whether a count is zero, so that JSON leaves out what did not happen.
fn is_zero(count: &usize) -> bool {
    *count == 0
}

/// The key under which a missing balance or urgency is counted.
pub const UNKNOWN: &str = "unknown";

impl CohortFigures {
    /// Computes the figures from every record's view (in any order) and the records that could
    /// not be read, for assessments within `window`.
    pub fn compute(
        entries: impl IntoIterator<Item = Entry>,
        unreadable: Vec<(RecordId, String)>,
        window: DateWindow,
    ) -> CohortFigures {
        let mut assessments: Vec<AssessmentView> = Vec::new();
        let mut follow_ups: Vec<FollowUpView> = Vec::new();
        let mut statuses: Vec<StatusView> = Vec::new();
        for entry in entries {
            match entry {
                Entry::Assessment(view) => assessments.push(view),
                Entry::FollowUp(view) => follow_ups.push(view),
                Entry::Status(view) => statuses.push(view),
            }
        }
        assessments.sort_by_key(|view| view.record);
        follow_ups.sort_by_key(|view| view.record);
        let mut figures = CohortFigures {
            window,
            records: assessments.len() + follow_ups.len() + statuses.len() + unreadable.len(),
            status_records: statuses.len(),
            assessment_records: assessments.len(),
            follow_up_records: follow_ups.len(),
            unreadable,
            ..CohortFigures::default()
        };

        // Which record revises which, to set revised records aside and carry follow-ups forward.
        let revised_by: BTreeMap<RecordId, RecordId> = assessments
            .iter()
            .filter_map(|view| view.supersedes.map(|old| (old, view.record)))
            .collect();
        let mut counted: BTreeMap<&str, &AssessmentView> = BTreeMap::new();
        for view in &assessments {
            if revised_by.contains_key(&view.record) {
                figures.superseded += 1;
            } else if !window.contains(view.assessed_on) {
                figures.outside_window += 1;
            } else if counted.insert(&view.case, view).is_some() {
                // In chain order, so the later assessment replaces the earlier one.
                figures.earlier_assessments += 1;
            }
        }
        let counted_records: BTreeMap<RecordId, &AssessmentView> =
            counted.values().map(|view| (view.record, *view)).collect();

        let mut latest_follow_up: BTreeMap<RecordId, &FollowUpView> = BTreeMap::new();
        for follow_up in &follow_ups {
            let current = current_revision(follow_up.follows, &revised_by);
            if counted_records.contains_key(&current) {
                if latest_follow_up.insert(current, follow_up).is_some() {
                    figures.follow_ups_not_counted += 1;
                }
            } else {
                figures.follow_ups_not_counted += 1;
            }
        }

        let people: Vec<&AssessmentView> = counted.values().copied().collect();
        figures.people = people.len();
        figures.balance = scale_tally(
            &people,
            |view| view.balance.as_deref(),
            Balance::ALL.iter().map(|level| level.as_str()),
        );
        figures.urgency = scale_tally(
            &people,
            |view| view.urgency.as_deref(),
            Urgency::ALL.iter().rev().map(|level| level.as_str()),
        );

        let mut stressors: BTreeMap<&str, usize> = BTreeMap::new();
        let mut pairs: BTreeMap<(&str, &str), usize> = BTreeMap::new();
        let mut by_category: BTreeMap<&str, DecisionTally> = BTreeMap::new();
        let mut by_partner: BTreeMap<&str, DecisionTally> = BTreeMap::new();
        let mut gaps: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
        for view in &people {
            for (index, kind) in view.stressors.iter().enumerate() {
                *stressors.entry(kind).or_default() += 1;
                for other in &view.stressors[index + 1..] {
                    *pairs.entry((kind, other)).or_default() += 1;
                }
            }
            if !view.referrals.is_empty() {
                figures.people_referred += 1;
            }
            if view.incomplete {
                figures.people_incomplete += 1;
            }
            for referral in &view.referrals {
                let decision = view.decisions.get(&referral.key).copied();
                // A referral covering two categories counts once in each; once per person.
                let categories: BTreeSet<&str> =
                    referral.categories.iter().map(String::as_str).collect();
                for category in categories {
                    by_category.entry(category).or_default().add(decision);
                }
                if let Some(partner) = &referral.partner {
                    by_partner.entry(partner).or_default().add(decision);
                }
            }
            let mut gap_categories: BTreeMap<&str, bool> = BTreeMap::new();
            for gap in &view.gaps {
                *gap_categories.entry(&gap.category).or_default() |= gap.unmet;
            }
            if !gap_categories.is_empty() {
                figures.people_with_gaps += 1;
            }
            for (category, unmet) in gap_categories {
                let entry = gaps.entry(category).or_default();
                entry.0 += 1;
                entry.1 += usize::from(unmet);
            }
        }
        figures.stressors = most_first(
            stressors
                .into_iter()
                .map(|(key, count)| Tally {
                    key: key.to_owned(),
                    count,
                })
                .collect(),
            |tally| tally.count,
        );
        figures.stressor_pairs = most_first(
            pairs
                .into_iter()
                .map(|((first, second), count)| PairTally {
                    first: first.to_owned(),
                    second: second.to_owned(),
                    count,
                })
                .collect(),
            |pair| pair.count,
        );
        let decision_tallies = |map: BTreeMap<&str, DecisionTally>| {
            most_first(
                map.into_iter()
                    .map(|(key, tally)| DecisionTally {
                        key: key.to_owned(),
                        ..tally
                    })
                    .collect(),
                |tally| tally.offered,
            )
        };
        figures.referrals_by_category = decision_tallies(by_category);
        figures.referrals_by_partner = decision_tallies(by_partner);
        figures.gaps = most_first(
            gaps.into_iter()
                .map(|(category, (people, unmet))| GapTally {
                    category: category.to_owned(),
                    people,
                    unmet,
                })
                .collect(),
            |gap| gap.people,
        );
        figures.outcomes = outcomes(&latest_follow_up, &counted_records);
        // Statuses follow the record whose plan was sent; a revision stands for it today.
        for status in &mut statuses {
            status.follows = current_revision(status.follows, &revised_by);
        }
        figures.referral_loop = LoopFigures::compute(&people, &statuses);
        figures.mha_decisions = mha_decisions(&people);
        figures
    }
}

/// Counts the recorded decisions of the people counted (their current revision's).
fn mha_decisions(people: &[&AssessmentView]) -> MhaDecisions {
    let decided: Vec<&AssessmentView> = people
        .iter()
        .copied()
        .filter(|view| view.mha_outcome.is_some())
        .collect();
    let mut decisions = MhaDecisions {
        recorded: decided.len(),
        by_outcome: scale_tally(
            &decided,
            |view| view.mha_outcome.as_deref(),
            MhaOutcome::ALL.iter().map(|outcome| outcome.as_str()),
        ),
        ..MhaDecisions::default()
    };
    for view in &decided {
        let outcome = view
            .mha_outcome
            .as_deref()
            .and_then(|key| key.parse::<MhaOutcome>().ok());
        match outcome.and_then(MhaOutcome::admits) {
            Some(true) => decisions.admitted += 1,
            Some(false) => decisions.admissions_avoided += 1,
            None => decisions.other += 1,
        }
        match view.agreed_to_plan {
            Some(true) => decisions.agreed_to_plan += 1,
            Some(false) => decisions.did_not_agree += 1,
            None => {}
        }
    }
    decisions
}

/// The record that stands for `record` today: itself, or the last revision of it.
pub(super) fn current_revision(
    record: RecordId,
    revised_by: &BTreeMap<RecordId, RecordId>,
) -> RecordId {
    let mut current = record;
    // Revisions only name earlier records, so the walk ends; the bound guards a forged cycle.
    for _ in 0..=revised_by.len() {
        match revised_by.get(&current) {
            Some(next) if *next > current => current = *next,
            _ => break,
        }
    }
    current
}

fn outcomes(
    latest: &BTreeMap<RecordId, &FollowUpView>,
    counted: &BTreeMap<RecordId, &AssessmentView>,
) -> Outcomes {
    let mut outcomes = Outcomes::default();
    let mut by_kind: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    let mut days: Vec<i64> = Vec::new();
    for (record, follow_up) in latest {
        let Some(assessment) = counted.get(record) else {
            continue;
        };
        outcomes.followed_up += 1;
        if follow_up.admitted {
            outcomes.admitted += 1;
        } else {
            outcomes.not_admitted += 1;
        }
        outcomes.issues_recorded += assessment.stressors.len();
        // Only issues recorded in the assessment counted: a revision may have dropped one.
        let resolved_here: BTreeSet<&str> = follow_up
            .issues_resolved
            .iter()
            .map(String::as_str)
            .filter(|kind| assessment.stressors.iter().any(|recorded| recorded == kind))
            .collect();
        if !resolved_here.is_empty() {
            outcomes.people_with_issues_resolved += 1;
        }
        outcomes.issues_resolved += resolved_here.len();
        for kind in &assessment.stressors {
            let entry = by_kind.entry(kind).or_default();
            entry.0 += 1;
            entry.1 += usize::from(resolved_here.contains(kind.as_str()));
        }
        days.push((follow_up.date - assessment.assessed_on).num_days());
    }
    let mut by_kind: Vec<ResolvedTally> = by_kind
        .into_iter()
        .map(|(key, (recorded, resolved))| ResolvedTally {
            key: key.to_owned(),
            recorded,
            resolved,
        })
        .collect();
    by_kind.sort_by_key(|tally| std::cmp::Reverse((tally.resolved, tally.recorded)));
    outcomes.by_kind = by_kind;
    outcomes.median_days_to_follow_up = median(&mut days);
    outcomes
}

/// Counts people by a field whose values form a fixed scale: every level of the scale in order
/// (zeros included, so tables keep their shape), then other values, then those without one.
fn scale_tally<'a>(
    people: &[&'a AssessmentView],
    field: impl Fn(&'a AssessmentView) -> Option<&'a str>,
    scale: impl Iterator<Item = &'static str>,
) -> Vec<Tally> {
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for view in people {
        *counts.entry(field(view).unwrap_or(UNKNOWN)).or_default() += 1;
    }
    let mut tallies: Vec<Tally> = scale
        .map(|key| Tally {
            key: key.to_owned(),
            count: counts.remove(key).unwrap_or(0),
        })
        .collect();
    let unknown = counts.remove(UNKNOWN);
    tallies.extend(counts.into_iter().map(|(key, count)| Tally {
        key: key.to_owned(),
        count,
    }));
    if let Some(count) = unknown {
        tallies.push(Tally {
            key: UNKNOWN.to_owned(),
            count,
        });
    }
    tallies
}

/// Sorts by count, most first; ties keep their (alphabetical) order.
fn most_first<T>(mut items: Vec<T>, count: impl Fn(&T) -> usize) -> Vec<T> {
    items.sort_by_key(|item| std::cmp::Reverse(count(item)));
    items
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cohort::view::{GapView, ReferralView};

    fn day(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap_or_default()
    }

    fn assessment(record: u64, case: &str, on: &str, stressors: &[&str]) -> AssessmentView {
        AssessmentView {
            record: RecordId(record),
            supersedes: None,
            case: case.into(),
            assessed_on: day(on),
            balance: Some("social_led".into()),
            urgency: Some("high".into()),
            stressors: stressors.iter().map(|kind| (*kind).to_owned()).collect(),
            referrals: Vec::new(),
            gaps: Vec::new(),
            decisions: BTreeMap::new(),
            incomplete: false,
            mha_outcome: None,
            agreed_to_plan: None,
        }
    }

    fn follow_up(record: u64, follows: u64, on: &str, admitted: bool, resolved: &[&str]) -> Entry {
        Entry::FollowUp(FollowUpView {
            record: RecordId(record),
            follows: RecordId(follows),
            case: String::new(),
            date: day(on),
            admitted,
            issues_resolved: resolved.iter().map(|kind| (*kind).to_owned()).collect(),
        })
    }

    fn referral(partner: &str, categories: &[&str]) -> ReferralView {
        ReferralView {
            key: partner.into(),
            partner: Some(partner.into()),
            categories: categories.iter().map(|c| (*c).to_owned()).collect(),
        }
    }

    fn count(tallies: &[Tally], key: &str) -> usize {
        tallies
            .iter()
            .find(|tally| tally.key == key)
            .map_or(0, |tally| tally.count)
    }

    /// Six records of four cases, with a revision, a re-assessment and three follow-ups.
    fn cohort() -> Vec<Entry> {
        let mut first = assessment(1, "A", "2026-01-10", &["debt", "eviction"]);
        first.referrals = vec![
            referral("cv-housing-aid", &["housing_advice", "advocacy"]),
            referral("cv-debt", &["debt_advice"]),
        ];
        first.decisions = BTreeMap::from([
            ("cv-housing-aid".to_owned(), Decision::Accepted),
            ("cv-debt".to_owned(), Decision::Declined),
        ]);
        // Record 3 revises record 1: same case, one more stressor, same referrals.
        let mut revision = first.clone();
        revision.record = RecordId(3);
        revision.supersedes = Some(RecordId(1));
        revision.stressors = vec!["debt".into(), "eviction".into(), "social_isolation".into()];
        revision.balance = Some("mixed".into());
        revision.gaps = vec![
            GapView {
                category: "befriending".into(),
                unmet: true,
            },
            GapView {
                category: "befriending".into(),
                unmet: false,
            },
        ];
        let mut second = assessment(2, "B", "2026-01-12", &["debt"]);
        second.urgency = Some("emergency".into());
        second.referrals = vec![referral("cv-debt", &["debt_advice"])];
        second.decisions = BTreeMap::from([("cv-debt".to_owned(), Decision::Deferred)]);
        let mut third = assessment(4, "C", "2026-02-01", &[]);
        third.balance = None;
        // Case B assessed again (not a revision) later in the window.
        let again = assessment(6, "B", "2026-02-20", &["debt", "eviction"]);
        let outside = assessment(7, "D", "2026-04-01", &["eviction"]);
        vec![
            Entry::Assessment(first),
            Entry::Assessment(second),
            Entry::Assessment(revision),
            Entry::Assessment(third),
            // Follows record 1, which was revised: counts for record 3, 20 days on.
            follow_up(5, 1, "2026-01-30", false, &["eviction", "benefits_problem"]),
            Entry::Assessment(again),
            Entry::Assessment(outside),
            // Follows case B's first assessment, which the re-assessment replaced.
            follow_up(8, 2, "2026-01-20", true, &[]),
            follow_up(9, 6, "2026-03-01", true, &["debt"]),
            // A later follow-up of record 6 replaces record 9's.
            follow_up(10, 6, "2026-03-03", false, &["debt", "eviction"]),
            follow_up(11, 4, "2026-02-06", false, &[]),
        ]
    }

    fn window() -> DateWindow {
        DateWindow {
            from: Some(day("2026-01-01")),
            to: Some(day("2026-03-31")),
        }
    }

    #[test]
    fn every_figure_of_a_known_cohort() {
        let figures = CohortFigures::compute(
            cohort(),
            vec![(RecordId(12), "unreadable".into())],
            window(),
        );
        assert_eq!(figures.records, 12);
        assert_eq!(figures.assessment_records, 6);
        assert_eq!(figures.follow_up_records, 5);
        assert_eq!(figures.superseded, 1);
        assert_eq!(figures.outside_window, 1);
        assert_eq!(figures.earlier_assessments, 1);
        assert_eq!(figures.follow_ups_not_counted, 2);
        // A (record 3), B (record 6), C (record 4).
        assert_eq!(figures.people, 3);
        assert_eq!(
            figures.balance,
            [
                Tally {
                    key: "social_led".into(),
                    count: 1
                },
                Tally {
                    key: "mixed".into(),
                    count: 1
                },
                Tally {
                    key: "medical_led".into(),
                    count: 0
                },
                Tally {
                    key: UNKNOWN.into(),
                    count: 1
                },
            ]
        );
        let urgency: Vec<&str> = figures.urgency.iter().map(|t| t.key.as_str()).collect();
        assert_eq!(
            urgency,
            [
                "emergency",
                "very_high",
                "high",
                "moderate",
                "low",
                "routine"
            ]
        );
        // B's emergency was its replaced first assessment; all three counted are high.
        assert_eq!(count(&figures.urgency, "high"), 3);
        assert_eq!(count(&figures.urgency, "emergency"), 0);
        assert_eq!(count(&figures.stressors, "debt"), 2);
        assert_eq!(count(&figures.stressors, "eviction"), 2);
        assert_eq!(count(&figures.stressors, "social_isolation"), 1);
        assert_eq!(figures.stressors[0].key, "debt", "ties sort alphabetically");
        assert_eq!(
            figures.stressor_pairs[0],
            PairTally {
                first: "debt".into(),
                second: "eviction".into(),
                count: 2
            }
        );
        assert_eq!(figures.stressor_pairs.len(), 3);
        // Only A's current record has referrals (B's re-assessment has none).
        assert_eq!(figures.people_referred, 1);
        assert_eq!(
            figures.referrals_by_category,
            [
                DecisionTally {
                    key: "advocacy".into(),
                    offered: 1,
                    accepted: 1,
                    ..DecisionTally::default()
                },
                DecisionTally {
                    key: "debt_advice".into(),
                    offered: 1,
                    declined: 1,
                    ..DecisionTally::default()
                },
                DecisionTally {
                    key: "housing_advice".into(),
                    offered: 1,
                    accepted: 1,
                    ..DecisionTally::default()
                },
            ]
        );
        assert_eq!(figures.referrals_by_partner.len(), 2);
        assert_eq!(figures.people_with_gaps, 1);
        assert_eq!(
            figures.gaps,
            [GapTally {
                category: "befriending".into(),
                people: 1,
                unmet: 1
            }]
        );
        let outcomes = &figures.outcomes;
        // A (via its revision), B (record 10), C (record 11).
        assert_eq!(outcomes.followed_up, 3);
        assert_eq!(outcomes.not_admitted, 3);
        assert_eq!(outcomes.admitted, 0);
        // A: 3 recorded, eviction resolved (benefits_problem was never recorded); B: 2 of 2; C: 0.
        assert_eq!(outcomes.issues_recorded, 5);
        assert_eq!(outcomes.issues_resolved, 3);
        assert_eq!(outcomes.people_with_issues_resolved, 2);
        let kind = |key: &str| {
            outcomes
                .by_kind
                .iter()
                .find(|tally| tally.key == key)
                .map(|tally| (tally.recorded, tally.resolved))
        };
        assert_eq!(kind("eviction"), Some((2, 2)));
        assert_eq!(kind("debt"), Some((2, 1)));
        assert_eq!(kind("social_isolation"), Some((1, 0)));
        assert_eq!(kind("benefits_problem"), None);
        assert_eq!(outcomes.by_kind[0].key, "eviction", "most resolved first");
        // Days: A 20, B 11, C 5.
        assert_eq!(outcomes.median_days_to_follow_up, Some(11.0));
    }

    #[test]
    fn an_open_window_counts_everyone_and_dates_filter_by_assessment_day() {
        let all = CohortFigures::compute(cohort(), Vec::new(), DateWindow::default());
        assert_eq!(all.people, 4);
        assert_eq!(all.outside_window, 0);
        let january = CohortFigures::compute(
            cohort(),
            Vec::new(),
            DateWindow {
                from: None,
                to: Some(day("2026-01-31")),
            },
        );
        // A and B's first assessment; B's later one falls outside.
        assert_eq!(january.people, 2);
        assert_eq!(count(&january.urgency, "emergency"), 1);
        // B's first assessment is counted now, so its follow-up (admitted) is too.
        assert_eq!(january.outcomes.followed_up, 2);
        assert_eq!(january.outcomes.admitted, 1);
        assert_eq!(january.outcomes.median_days_to_follow_up, Some(14.0));
    }

    #[test]
    fn the_median_of_an_even_count_is_halfway() {
        assert_eq!(median(&mut []), None);
        assert_eq!(median(&mut [9, 1, 4, 6]), Some(5.0));
        assert_eq!(median(&mut [3, 4]), Some(3.5));
    }

    #[test]
    fn decisions_are_counted_by_outcome_for_the_current_revision_only() {
        let decided = |record: u64, case: &str, outcome: &str, agreed: Option<bool>| {
            let mut view = assessment(record, case, "2026-11-20", &[]);
            view.mha_outcome = Some(outcome.to_owned());
            view.agreed_to_plan = agreed;
            view
        };
        let mut revised = decided(5, "A-1", "no_detention", Some(true));
        revised.supersedes = Some(RecordId(1));
        let entries = vec![
            // Revised by record 5: its section 2 no longer counts, so A-1 is one person.
            Entry::Assessment(decided(1, "A-1", "section_2", None)),
            Entry::Assessment(decided(2, "A-2", "section_136_ended", Some(false))),
            Entry::Assessment(decided(3, "A-3", "informal_admission", Some(true))),
            Entry::Assessment(decided(4, "A-4", "other", None)),
            Entry::Assessment(assessment(6, "A-5", "2026-11-20", &[])),
            Entry::Assessment(revised),
        ];
        let figures = CohortFigures::compute(entries, Vec::new(), DateWindow::default());
        let decisions = &figures.mha_decisions;
        assert_eq!(figures.people, 5);
        assert_eq!(decisions.recorded, 4);
        assert_eq!(count(&decisions.by_outcome, "no_detention"), 1);
        assert_eq!(count(&decisions.by_outcome, "section_2"), 0);
        assert_eq!(count(&decisions.by_outcome, "section_136_ended"), 1);
        assert_eq!(
            (
                decisions.admissions_avoided,
                decisions.admitted,
                decisions.other
            ),
            (2, 1, 1)
        );
        assert_eq!((decisions.agreed_to_plan, decisions.did_not_agree), (2, 1));
    }
}
