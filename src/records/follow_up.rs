//! Follow-ups (issue 8): what happened to a person after their assessment — whether they were
//! admitted to a psychiatric bed, and which of the social issues recorded at assessment were
//! resolved. A follow-up is its own record, appended to the chain like any other; the assessment
//! record it follows is never edited.
//!
//! Pure: [`FollowUp::check`] takes the record followed up, the vocabulary and the dates, and
//! returns the follow-up or every problem with it.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::error::{nearest, suggestion, Problem, Problems};
use crate::model::{Section, Vocabulary};
use crate::source::Position;

use super::{Record, RecordId};

/// The outcome of one case, some time after its assessment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FollowUp {
    /// The assessment record followed up.
    pub follows: RecordId,
    /// Its case id, kept so that a follow-up names its case without reading another record.
    pub case: String,
    /// The day of the follow-up.
    pub date: NaiveDate,
    /// Whether the person was admitted to a psychiatric bed after the assessment.
    pub admitted: bool,
    /// Stressor kinds recorded at assessment that have since been resolved.
    #[serde(default)]
    pub issues_resolved: Vec<String>,
    /// The follow-up worker's note (never a name).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// What a follow-up worker reports, before it is checked against the record it follows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FollowUpReport {
    /// Whether the person was admitted.
    pub admitted: bool,
    /// Resolved issues, as typed (stressor kinds).
    pub issues_resolved: Vec<String>,
    /// A note.
    pub note: Option<String>,
    /// The day of the follow-up.
    pub date: NaiveDate,
}

impl FollowUp {
    /// Checks a report against the assessment record it follows: the record must be an assessment,
    /// every resolved issue a stressor kind recorded (severity above 0) in that assessment, and the
    /// date not before the assessment. `origin` names the record in problems. (Whether the date is
    /// after today is the caller's to judge: the core reads no clock.)
    pub fn check(
        record: &Record,
        report: FollowUpReport,
        vocabulary: &Vocabulary,
        origin: &str,
    ) -> Result<FollowUp, Problems> {
        let problem = |field: &str, message: String| {
            Problem::new(origin, Position::default(), field, message)
        };
        if let Some(earlier) = &record.follow_up {
            return Err(problem(
                "",
                format!("record {} is a follow-up, not an assessment", record.id),
            )
            .with_hint(format!(
                "follow up the assessment record it names, {}",
                earlier.follows
            ))
            .into());
        }
        if let Some(status) = &record.referral_status {
            return Err(problem(
                "",
                format!(
                    "record {} is a referral status, not an assessment",
                    record.id
                ),
            )
            .with_hint(format!(
                "follow up the assessment record it names, {}",
                status.follows
            ))
            .into());
        }
        let assessment = record.typed_assessment().map_err(|error| {
            problem(
                "assessment",
                format!("the assessment in this record cannot be read: {error}"),
            )
        })?;
        let recorded: Vec<&str> = assessment
            .stressors
            .iter()
            .filter(|factor| factor.severity > 0)
            .map(|factor| factor.kind.as_str())
            .collect();
        let mut problems = Vec::new();
        let mut issues: Vec<String> = Vec::new();
        for issue in &report.issues_resolved {
            let issue = issue.trim();
            if issue.is_empty() || issues.iter().any(|seen| seen == issue) {
                continue;
            }
            match vocabulary.section_of(issue) {
                Some(Section::Stressors) => {}
                Some(other) => {
                    problems.push(
                        problem(
                            "--issues-resolved",
                            format!("`{issue}` is a {}, not a social issue", other.noun()),
                        )
                        .with_hint("list stressor kinds only, such as eviction or debt"),
                    );
                    continue;
                }
                None => {
                    problems.push(
                        problem(
                            "--issues-resolved",
                            format!("unknown stressor kind `{issue}`"),
                        )
                        .with_hint(suggestion(
                            issue,
                            vocabulary.stressors.keys().map(String::as_str),
                            "rules/vocabulary.yaml under `stressors:`",
                        )),
                    );
                    continue;
                }
            }
            if !recorded.contains(&issue) {
                let hint = match nearest(issue, recorded.iter().copied()).first() {
                    _ if recorded.is_empty() => {
                        "this assessment recorded no stressors, so leave --issues-resolved out"
                            .to_owned()
                    }
                    Some(close) => format!(
                        "did you mean `{close}`? this assessment recorded: {}",
                        recorded.join(", ")
                    ),
                    None => format!("this assessment recorded: {}", recorded.join(", ")),
                };
                problems.push(
                    problem(
                        "--issues-resolved",
                        format!(
                            "`{issue}` was not recorded as a stressor in case {} (record {})",
                            assessment.id, record.id
                        ),
                    )
                    .with_hint(hint),
                );
                continue;
            }
            issues.push(issue.to_owned());
        }
        let assessed_on = assessment.assessed_on();
        if report.date < assessed_on {
            problems.push(
                problem(
                    "--date",
                    format!(
                        "the follow-up date {} is before the assessment on {assessed_on}",
                        report.date
                    ),
                )
                .with_hint("give the day the follow-up took place, as YYYY-MM-DD"),
            );
        }
        if !problems.is_empty() {
            return Err(Problems(problems));
        }
        Ok(FollowUp {
            follows: record.id,
            case: assessment.id,
            date: report.date,
            admitted: report.admitted,
            issues_resolved: issues,
            note: report
                .note
                .map(|note| note.trim().to_owned())
                .filter(|note| !note.is_empty()),
        })
    }
}
