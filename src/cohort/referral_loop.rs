//! The closed loop in figures (issue 15): of the referrals counted in the report, how many were
//! sent, accepted, declined, completed and not reached, by partner; the median days from sending
//! to acceptance; and the share of sent referrals whose loop is closed.
//!
//! sicol knows a referral was sent once any status is recorded for it (recording `accepted`
//! without `sent` first still means it went out). Each referral is counted from its history of
//! statuses: *accepted* if the partner ever took it on (accepted, in progress or completed), and
//! *declined*, *completed* or *not reached* by its current status (the latest by date). The loop is
//! closed when the current status is final (declined, completed, not reached). Days to acceptance
//! run from the first `sent` status, or from the assessment day when sending went unrecorded, to
//! the first status that means accepted.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::records::{LoopStatus, RecordId};

use super::document::{Row, Section, Table};
use super::privacy::{Audience, Cell, THRESHOLD};
use super::stats::median;
use super::view::{AssessmentView, StatusView};

/// Referrals under one partner and where they stand.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct LoopTally {
    /// The partner id (empty for the total).
    pub partner: String,
    /// Referrals with at least one status: they went out.
    pub sent: usize,
    /// Of those, taken on by the partner at some point.
    pub accepted: usize,
    /// Currently declined by the partner.
    pub declined: usize,
    /// Currently completed.
    pub completed: usize,
    /// Currently not reached: the partner could not reach the person.
    pub not_reached: usize,
}

impl LoopTally {
    /// Referrals whose loop is closed (declined, completed or not reached).
    pub fn closed(&self) -> usize {
        self.declined + self.completed + self.not_reached
    }

    fn add(&mut self, history: &[&StatusView]) {
        self.sent += 1;
        if history.iter().any(|status| status.status.means_accepted()) {
            self.accepted += 1;
        }
        match history.last().map(|status| status.status) {
            Some(LoopStatus::Declined) => self.declined += 1,
            Some(LoopStatus::Completed) => self.completed += 1,
            Some(LoopStatus::NotReached) => self.not_reached += 1,
            _ => {}
        }
    }
}

/// The closed-loop figures of a report.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct LoopFigures {
    /// All partners together.
    pub total: LoopTally,
    /// By partner, most sent first.
    pub by_partner: Vec<LoopTally>,
    /// Median days from sending (or the assessment) to acceptance, over accepted referrals.
    pub median_days_to_acceptance: Option<f64>,
    /// Closed loops as a share of referrals sent (0 to 1), if any were sent.
    pub loop_closure_rate: Option<f64>,
    /// Statuses that count for no referral in the report (their assessment is outside the
    /// window, set aside, or no longer refers to that partner after a revision).
    pub statuses_not_counted: usize,
}

impl LoopFigures {
    /// Counts the referrals of the counted people from the statuses, whose `follows` already
    /// names the revision that stands for the record they were recorded against.
    pub fn compute(people: &[&AssessmentView], statuses: &[StatusView]) -> LoopFigures {
        let referrals: BTreeMap<(RecordId, &str), &AssessmentView> = people
            .iter()
            .flat_map(|view| {
                view.referrals
                    .iter()
                    .filter_map(|referral| referral.partner.as_deref())
                    .map(move |partner| ((view.record, partner), *view))
            })
            .collect();
        let mut histories: BTreeMap<(RecordId, &str), Vec<&StatusView>> = BTreeMap::new();
        let mut figures = LoopFigures::default();
        for status in statuses {
            let key = (status.follows, status.partner.as_str());
            if referrals.contains_key(&key) {
                histories.entry(key).or_default().push(status);
            } else {
                figures.statuses_not_counted += 1;
            }
        }
        let mut by_partner: BTreeMap<&str, LoopTally> = BTreeMap::new();
        let mut days: Vec<i64> = Vec::new();
        for ((record, partner), mut history) in histories {
            // In date order, and of one day in the order recorded: the last is current.
            history.sort_by_key(|status| (status.date, status.record));
            figures.total.add(&history);
            by_partner.entry(partner).or_default().add(&history);
            let accepted = history.iter().find(|status| status.status.means_accepted());
            if let (Some(accepted), Some(view)) = (accepted, referrals.get(&(record, partner))) {
                let sent = history
                    .iter()
                    .find(|status| status.status == LoopStatus::Sent)
                    .map_or(view.assessed_on, |status| status.date);
                days.push((accepted.date - sent).num_days().max(0));
            }
        }
        let mut by_partner: Vec<LoopTally> = by_partner
            .into_iter()
            .map(|(partner, tally)| LoopTally {
                partner: partner.to_owned(),
                ..tally
            })
            .collect();
        by_partner.sort_by_key(|tally| std::cmp::Reverse(tally.sent));
        figures.by_partner = by_partner;
        figures.median_days_to_acceptance = median(&mut days);
        figures.loop_closure_rate = (figures.total.sent > 0)
            .then(|| figures.total.closed() as f64 / figures.total.sent as f64);
        figures
    }
}

/// The report's section on the closed loop, or none when the store records no statuses (so
/// reports of stores that do not track referrals are unchanged).
pub fn section(
    figures: &LoopFigures,
    status_records: usize,
    audience: Audience,
) -> Option<Section> {
    if status_records == 0 {
        return None;
    }
    let total = &figures.total;
    let (sent, parts) = cells(total, audience);
    let closed = audience.cell(total.closed());
    // A rate gives the closed count away; and with the closed count, any one hidden part of it
    // would follow by subtraction. Published, it needs every one of them shown.
    let rate = match figures.loop_closure_rate {
        None => "Loop-closure rate: no referrals sent yet.".to_owned(),
        Some(_)
            if audience == Audience::Published
                && [sent, closed, parts[1], parts[2], parts[3]]
                    .iter()
                    .any(|cell| cell.value().is_none()) =>
        {
            format!("Loop-closure rate: withheld (it would reveal a count below {THRESHOLD}).")
        }
        Some(rate) => format!(
            "Loop-closure rate: {}% of referrals sent are closed (completed, declined by the partner, or the person not reached); {} of {}.",
            (rate * 100.0).round(),
            closed.text(),
            sent.text()
        ),
    };
    let median = match figures.median_days_to_acceptance {
        None => "Median time to acceptance: no referral accepted yet.".to_owned(),
        Some(_) if audience == Audience::Published && total.accepted < THRESHOLD => format!(
            "Median time to acceptance: withheld (fewer than {THRESHOLD} referrals accepted)."
        ),
        Some(days) => format!(
            "Median time to acceptance: {} days from sending (or from the assessment, when sending was not recorded).",
            if days.fract() == 0.0 {
                format!("{days:.0}")
            } else {
                format!("{days:.1}")
            }
        ),
    };
    let mut rows: Vec<Row> = figures
        .by_partner
        .iter()
        .map(|tally| row(&tally.partner, tally, audience))
        .collect();
    if audience == Audience::Published {
        // As elsewhere in a published report: hidden rows last, alphabetically.
        let (mut shown, mut hidden): (Vec<Row>, Vec<Row>) =
            rows.into_iter().partition(|row| row.bar.is_some());
        hidden.sort_by(|a, b| a.label.cmp(&b.label));
        shown.append(&mut hidden);
        rows = shown;
    }
    rows.push(row("All partners", total, audience));
    let mut lines = vec![format!(
        "{} referrals sent to partners, of which {} accepted; a referral counts as sent once any status is recorded for it (sicol referral-status).",
        sent.text(),
        parts[0].text()
    )];
    lines.push(rate);
    lines.push(median);
    if figures.statuses_not_counted > 0 {
        lines.push(format!(
            "{} status records count for no referral in this report (assessment outside the dates, revised away, or no longer referring to that partner).",
            audience.cell(figures.statuses_not_counted).text()
        ));
    }
    Some(Section {
        title: "Referrals sent and the closed loop".to_owned(),
        lines,
        table: Some(Table {
            headers: [
                "Partner",
                "Sent",
                "Accepted",
                "Declined",
                "Completed",
                "Not reached",
            ]
            .iter()
            .map(|heading| (*heading).to_owned())
            .collect(),
            rows,
        }),
    })
}

/// A tally's sent count and its parts (accepted, declined, completed, not reached), hidden as
/// the audience needs. Accepted overlaps completed, so it is protected on its own against sent;
/// the three final statuses are protected together, as parts of sent with the open rest.
fn cells(tally: &LoopTally, audience: Audience) -> (Cell, [Cell; 4]) {
    let sent = audience.cell(tally.sent);
    let accepted = audience.split(sent, &[tally.accepted, tally.sent - tally.accepted])[0];
    let finals = audience.split(
        sent,
        &[
            tally.declined,
            tally.completed,
            tally.not_reached,
            tally.sent - tally.closed(),
        ],
    );
    (sent, [accepted, finals[0], finals[1], finals[2]])
}

fn row(label: &str, tally: &LoopTally, audience: Audience) -> Row {
    let (sent, parts) = cells(tally, audience);
    let mut shown = vec![sent.text()];
    shown.extend(parts.iter().map(|cell| cell.text()));
    Row {
        label: label.to_owned(),
        cells: shown,
        bar: sent.value(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cohort::view::ReferralView;
    use chrono::NaiveDate;

    fn day(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap_or_default()
    }

    fn person(record: u64, partners: &[&str]) -> AssessmentView {
        AssessmentView {
            record: RecordId(record),
            supersedes: None,
            case: format!("A-{record}"),
            assessed_on: day("2026-11-01"),
            balance: None,
            urgency: None,
            stressors: Vec::new(),
            referrals: partners
                .iter()
                .map(|partner| ReferralView {
                    key: (*partner).into(),
                    partner: Some((*partner).into()),
                    categories: Vec::new(),
                })
                .collect(),
            gaps: Vec::new(),
            decisions: BTreeMap::new(),
            incomplete: false,
            mha_outcome: None,
            agreed_to_plan: None,
        }
    }

    fn status(
        record: u64,
        follows: u64,
        partner: &str,
        status: LoopStatus,
        on: &str,
    ) -> StatusView {
        StatusView {
            record: RecordId(record),
            follows: RecordId(follows),
            partner: partner.into(),
            status,
            date: day(on),
        }
    }

    #[test]
    fn each_referral_is_counted_from_its_history() {
        let people = [person(1, &["housing", "debt"]), person(2, &["housing"])];
        let people: Vec<&AssessmentView> = people.iter().collect();
        let statuses = [
            status(3, 1, "housing", LoopStatus::Sent, "2026-11-02"),
            status(4, 1, "housing", LoopStatus::Accepted, "2026-11-05"),
            status(5, 1, "housing", LoopStatus::Completed, "2026-11-20"),
            status(6, 1, "debt", LoopStatus::Sent, "2026-11-02"),
            status(7, 1, "debt", LoopStatus::Declined, "2026-11-03"),
            // Accepted without a recorded sending: days count from the assessment.
            status(8, 2, "housing", LoopStatus::Accepted, "2026-11-08"),
            // No such referral: not counted.
            status(9, 2, "debt", LoopStatus::Sent, "2026-11-02"),
        ];
        let figures = LoopFigures::compute(&people, &statuses);
        assert_eq!(
            figures.total,
            LoopTally {
                partner: String::new(),
                sent: 3,
                accepted: 2,
                declined: 1,
                completed: 1,
                not_reached: 0,
            }
        );
        assert_eq!(figures.by_partner[0].partner, "housing");
        assert_eq!(figures.by_partner[0].sent, 2);
        assert_eq!(figures.statuses_not_counted, 1);
        // 3 days (sent 2nd, accepted 5th) and 7 days (assessed 1st, accepted 8th).
        assert_eq!(figures.median_days_to_acceptance, Some(5.0));
        assert_eq!(figures.loop_closure_rate, Some(2.0 / 3.0));
    }

    #[test]
    fn a_store_without_statuses_has_no_section_and_small_counts_are_hidden_when_published() {
        assert_eq!(
            section(&LoopFigures::default(), 0, Audience::Internal),
            None
        );
        let people = [person(1, &["housing"])];
        let people: Vec<&AssessmentView> = people.iter().collect();
        let statuses = [status(2, 1, "housing", LoopStatus::Completed, "2026-11-09")];
        let figures = LoopFigures::compute(&people, &statuses);
        let Some(published) = section(&figures, 1, Audience::Published) else {
            panic!("expected a section")
        };
        let text = format!("{published:?}");
        assert!(!text.contains("\"1\""), "a count of 1 is shown: {text}");
        assert!(text.contains("withheld"));
        let Some(internal) = section(&figures, 1, Audience::Internal) else {
            panic!("expected a section")
        };
        assert!(internal.lines[1].contains("100%"));
    }
}
