//! Referral statuses (issue 15): what became of one referral after the plan was made — sent to
//! the partner, accepted or declined by it, in progress, completed, or the person could not be
//! reached. Like a follow-up, a status is its own record appended to the chain: the assessment
//! record is never edited, and the referral's current status is the latest status record for it.
//!
//! Pure: [`ReferralStatus::check`] takes the record the referral belongs to and what the worker
//! reports, and returns the status or every problem with it.

use std::fmt;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::error::{suggestion, Problem, Problems};
use crate::model::Decision;
use crate::source::Position;

use super::{Record, RecordId};

/// Where a referral stands in the closed loop between the service and the partner.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LoopStatus {
    /// The referral went to the partner.
    Sent,
    /// The partner took the referral on.
    Accepted,
    /// The partner turned the referral down.
    Declined,
    /// The partner is working with the person.
    InProgress,
    /// The partner finished its work with the person.
    Completed,
    /// The partner tried and could not reach the person.
    NotReached,
}

impl LoopStatus {
    /// Every status, in the order the loop usually runs.
    pub const ALL: [LoopStatus; 6] = [
        LoopStatus::Sent,
        LoopStatus::Accepted,
        LoopStatus::InProgress,
        LoopStatus::Completed,
        LoopStatus::Declined,
        LoopStatus::NotReached,
    ];

    /// The name written in records.
    pub fn as_str(self) -> &'static str {
        match self {
            LoopStatus::Sent => "sent",
            LoopStatus::Accepted => "accepted",
            LoopStatus::Declined => "declined",
            LoopStatus::InProgress => "in_progress",
            LoopStatus::Completed => "completed",
            LoopStatus::NotReached => "not_reached",
        }
    }

    /// Plain words for reports.
    pub fn label(self) -> &'static str {
        match self {
            LoopStatus::Sent => "sent",
            LoopStatus::Accepted => "accepted",
            LoopStatus::Declined => "declined by the partner",
            LoopStatus::InProgress => "in progress",
            LoopStatus::Completed => "completed",
            LoopStatus::NotReached => "person not reached",
        }
    }

    /// Whether the loop is closed: the partner has given a final answer (declined, completed,
    /// or could not reach the person), so nobody needs to chase it.
    pub fn closes_loop(self) -> bool {
        matches!(
            self,
            LoopStatus::Declined | LoopStatus::Completed | LoopStatus::NotReached
        )
    }

    /// Whether the status means the partner took the referral on (accepting may go unrecorded
    /// when a partner starts or finishes straight away).
    pub fn means_accepted(self) -> bool {
        matches!(
            self,
            LoopStatus::Accepted | LoopStatus::InProgress | LoopStatus::Completed
        )
    }
}

impl fmt::Display for LoopStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A status of one referral, as recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReferralStatus {
    /// The assessment record whose referral this is.
    pub follows: RecordId,
    /// Its case id, kept so that a status names its case without reading another record.
    pub case: String,
    /// The partner id of the referral (from the record's referral plan).
    pub partner: String,
    /// Where the referral stands.
    pub status: LoopStatus,
    /// The day the status became true.
    pub date: NaiveDate,
    /// The worker's note (never a name).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// What a worker reports, before it is checked against the record it follows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusReport {
    /// The partner id, as typed.
    pub partner: String,
    /// The status.
    pub status: LoopStatus,
    /// A note.
    pub note: Option<String>,
    /// The day.
    pub date: NaiveDate,
}

impl ReferralStatus {
    /// Checks a report against the assessment record it follows: the record must be an
    /// assessment, the partner one its plan refers to, the person must not have declined that
    /// referral (nothing is sent against their wish), and the date not before the assessment.
    /// `origin` names the record in problems.
    pub fn check(
        record: &Record,
        report: StatusReport,
        origin: &str,
    ) -> Result<ReferralStatus, Problems> {
        let problem = |field: &str, message: String| {
            Problem::new(origin, Position::default(), field, message)
        };
        if !record.is_assessment() {
            return Err(problem(
                "",
                format!("record {} is not an assessment record", record.id),
            )
            .with_hint("give the assessment record whose referral plan holds the referral")
            .into());
        }
        let assessment = record.typed_assessment().map_err(|error| {
            problem(
                "assessment",
                format!("the assessment in this record cannot be read: {error}"),
            )
        })?;
        let partner = report.partner.trim();
        let partners = planned_partners(&record.formulation);
        let mut problems = Vec::new();
        if !partners.iter().any(|known| known == partner) {
            let hint = if partners.is_empty() {
                "this record's plan refers to no partner, so there is no referral to track"
                    .to_owned()
            } else {
                suggestion(
                    partner,
                    partners.iter().map(String::as_str),
                    &format!("the referrals of record {}", record.id),
                )
            };
            problems.push(
                problem(
                    "--partner",
                    format!(
                        "record {} has no referral to partner `{partner}`",
                        record.id
                    ),
                )
                .with_hint(hint),
            );
        } else if person_decision(record, partner) == Some(Decision::Declined) {
            problems.push(
                problem(
                    "--partner",
                    format!("the person declined the referral to `{partner}`"),
                )
                .with_hint(
                    "a declined referral is not sent; if the person changed their mind, save a \
                     revision with their new choice (sicol evaluate --save --supersedes) first",
                ),
            );
        }
        let assessed_on = assessment.assessed_on();
        if report.date < assessed_on {
            problems.push(
                problem(
                    "--date",
                    format!(
                        "the status date {} is before the assessment on {assessed_on}",
                        report.date
                    ),
                )
                .with_hint("give the day the status became true, as YYYY-MM-DD"),
            );
        }
        if !problems.is_empty() {
            return Err(Problems(problems));
        }
        Ok(ReferralStatus {
            follows: record.id,
            case: assessment.id,
            partner: partner.to_owned(),
            status: report.status,
            date: report.date,
            note: report
                .note
                .map(|note| note.trim().to_owned())
                .filter(|note| !note.is_empty()),
        })
    }
}

/// The partner ids a recorded formulation refers to, in plan order.
pub fn planned_partners(formulation: &Value) -> Vec<String> {
    formulation
        .get("referrals")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|referral| referral.get("partner").and_then(Value::as_str))
        .map(str::to_owned)
        .collect()
}

/// What the person decided about the referral to `partner` in a record. Choices name the
/// partner; records made before partners were resolved name categories instead, so a referral
/// without a choice of its own takes the choices about its categories: accepted if any was
/// accepted, else deferred if any was deferred, else declined if any was.
pub fn person_decision(record: &Record, partner: &str) -> Option<Decision> {
    let choices = record.typed_choices().ok()?;
    if let Some(choice) = choices.get(partner) {
        return Some(choice.decision);
    }
    let referral = record
        .formulation
        .get("referrals")
        .and_then(Value::as_array)?
        .iter()
        .find(|referral| referral.get("partner").and_then(Value::as_str) == Some(partner))?;
    let decisions: Vec<Decision> = referral
        .get("categories")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .filter_map(|category| choices.get(category))
        .map(|choice| choice.decision)
        .collect();
    [Decision::Accepted, Decision::Deferred, Decision::Declined]
        .into_iter()
        .find(|wanted| decisions.contains(wanted))
}

/// The current status of each referral of one assessment record, from all the status records
/// that follow it: the latest by date, and of several on one day the one recorded last.
pub fn current_statuses<'a>(
    follows: RecordId,
    statuses: impl IntoIterator<Item = (RecordId, &'a ReferralStatus)>,
) -> std::collections::BTreeMap<String, &'a ReferralStatus> {
    let mut ordered: Vec<(RecordId, &ReferralStatus)> = statuses
        .into_iter()
        .filter(|(_, status)| status.follows == follows)
        .collect();
    ordered.sort_by_key(|(id, status)| (status.date, *id));
    let mut current = std::collections::BTreeMap::new();
    for (_, status) in ordered {
        current.insert(status.partner.clone(), status);
    }
    current
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::records::{digest, FORMAT};
    use chrono::{DateTime, Utc};
    use serde_json::json;

    fn record(choices: Value) -> Record {
        Record {
            format: FORMAT,
            id: RecordId(3),
            supersedes: None,
            previous: None,
            saved_at: DateTime::parse_from_rfc3339("2026-11-20T15:00:00Z")
                .map(|time| time.with_timezone(&Utc))
                .unwrap_or_default(),
            sicol_version: "0.1.0".into(),
            ruleset: crate::rules::RuleSetId {
                name: "t".into(),
                version: "1".into(),
                sha256: digest(&Value::Null),
            },
            assessment: json!({
                "id": "A-1", "assessed_at": "2026-11-20T14:30:00Z", "assessor": "AMHP-1",
                "person": {}, "context": {}, "stressors": [], "medical": [], "strengths": []
            })
            .into(),
            formulation: json!({ "referrals": [
                { "partner": "cv-housing-aid", "categories": ["housing_advice"] },
                { "partner": "cv-mens-shed", "categories": ["befriending", "faith_and_community"] }
            ]})
            .into(),
            choices: choices.into(),
            follow_up: None,
            referral_status: None,
            mha_decision: None,
            sha256: String::new(),
        }
    }

    fn report(partner: &str, date: &str) -> StatusReport {
        StatusReport {
            partner: partner.into(),
            status: LoopStatus::Accepted,
            note: Some("  ".into()),
            date: date.parse().unwrap_or_default(),
        }
    }

    #[test]
    fn a_status_of_a_planned_referral_is_kept_with_its_case() {
        let status = ReferralStatus::check(
            &record(json!([])),
            report("cv-housing-aid", "2026-11-21"),
            "r",
        );
        let Ok(status) = status else {
            panic!("expected a status, got {status:?}")
        };
        assert_eq!(status.case, "A-1");
        assert_eq!(status.follows, RecordId(3));
        assert_eq!(status.note, None, "a blank note is dropped");
    }

    #[test]
    fn unknown_partners_declined_referrals_and_early_dates_are_refused_together() {
        let Err(problems) = ReferralStatus::check(
            &record(json!([])),
            report("cv-housing-aide", "2026-11-19"),
            "r",
        ) else {
            panic!("expected problems")
        };
        assert_eq!(problems.0.len(), 2);
        assert!(problems.0[0].to_string().contains("cv-housing-aid"));
        let declined = record(json!([{ "referral": "cv-mens-shed", "decision": "declined" }]));
        let refused = ReferralStatus::check(&declined, report("cv-mens-shed", "2026-11-21"), "r");
        assert!(matches!(refused, Err(problems) if problems.0[0].to_string().contains("declined")));
    }

    #[test]
    fn choices_by_category_decide_for_older_records() {
        let old = record(json!([
            { "referral": "faith_and_community", "decision": "declined" },
            { "referral": "befriending", "decision": "deferred" }
        ]));
        assert_eq!(
            person_decision(&old, "cv-mens-shed"),
            Some(Decision::Deferred)
        );
        assert_eq!(person_decision(&old, "cv-housing-aid"), None);
    }

    #[test]
    fn the_latest_status_by_date_is_current() {
        let status = |partner: &str, status: LoopStatus, date: &str| ReferralStatus {
            follows: RecordId(3),
            case: "A-1".into(),
            partner: partner.into(),
            status,
            date: date.parse().unwrap_or_default(),
            note: None,
        };
        let all = [
            (
                RecordId(9),
                status("a", LoopStatus::Completed, "2026-12-05"),
            ),
            (RecordId(5), status("a", LoopStatus::Accepted, "2026-11-22")),
            // Recorded later but dated earlier: a late entry does not undo the completion.
            (RecordId(12), status("a", LoopStatus::Sent, "2026-11-21")),
            (RecordId(6), status("b", LoopStatus::Declined, "2026-11-23")),
        ];
        let current = current_statuses(RecordId(3), all.iter().map(|(id, s)| (*id, s)));
        assert_eq!(current["a"].status, LoopStatus::Completed);
        assert_eq!(current["b"].status, LoopStatus::Declined);
        assert!(LoopStatus::NotReached.closes_loop() && !LoopStatus::Accepted.closes_loop());
    }
}
