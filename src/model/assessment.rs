//! The assessment an AMHP records (DESIGN §1): who the person is, what brought them here, the
//! social stressors, medical factors and strengths, and their own wishes.
//!
//! Parsing happens in two steps. serde_yaml reads the text into loosely typed fields so that a
//! wrong type is reported at its place; then every value is checked against the vocabulary and
//! turned into the strict [`Assessment`], with every problem reported at once.

use chrono::{DateTime, Datelike, FixedOffset, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::error::{suggestion, yaml_problem, FileProblems, Problem, Problems};
use crate::model::terms::{CapacityStatus, Gender, SelfCare, Trend};
use crate::model::vocabulary::{Section, Vocabulary};

/// Highest severity on the 0–3 scale.
pub const MAX_SEVERITY: u8 = 3;

/// The earliest year a date in an assessment may have: anything before is a typing slip (year
/// 0000, 0226), not a date in a living person's history.
pub const EARLIEST_YEAR: i32 = 1900;

/// The latest year a date in an assessment may have.
pub const LATEST_YEAR: i32 = 2199;

/// How far in the future `assessed_at` may be when a file is read, for clocks that disagree.
pub const FUTURE_TOLERANCE: chrono::TimeDelta = chrono::TimeDelta::minutes(15);

/// A validated assessment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct Assessment {
    /// Pseudonymous case reference such as `A-2026-0042`. sicol never asks for a name; the id is
    /// accepted as written, so services must issue ids that do not identify the person.
    pub id: String,
    /// When the assessment took place, with the offset it was recorded in (partners' opening
    /// hours are read in that local time).
    pub assessed_at: DateTime<FixedOffset>,
    /// The assessor's professional reference, such as `AMHP-17`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assessor: Option<String>,
    /// About the person.
    #[serde(default)]
    pub person: Person,
    /// How the person came to be assessed.
    #[serde(default)]
    pub context: Context,
    /// Social factors.
    #[serde(default)]
    pub stressors: Vec<Factor>,
    /// Medical factors.
    #[serde(default)]
    pub medical: Vec<Factor>,
    /// Protective factors.
    #[serde(default)]
    pub strengths: Vec<Strength>,
    /// Mental capacity for the decision at hand; absent when nothing was recorded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub capacity: Option<Capacity>,
    /// The person's own words about what they want.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wishes: Option<String>,
}

/// Mental capacity for one decision, as the assessor found it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct Capacity {
    /// Has, lacks, or not assessed.
    pub status: CapacityStatus,
    /// The decision capacity was assessed for, in the assessor's words (capacity is always about
    /// a particular decision, such as "agreeing to admission").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decision: Option<String>,
}

/// About the person; every field is optional because a crisis rarely gives the full picture.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, schemars::JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct Person {
    /// Age in years.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(max = 120))]
    pub age: Option<u32>,
    /// Living situation, a key of the vocabulary's `living_situations`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lives: Option<String>,
    /// Number of dependants (children or adults the person cares for); absent when not known,
    /// which is not the same as none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(max = 50))]
    pub dependants: Option<u32>,
    /// Whether the person can care for themselves; absent when not known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub self_care: Option<SelfCare>,
    /// The person's gender, used only for single-gender services; absent when not known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gender: Option<Gender>,
}

/// How the person came to be assessed.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, schemars::JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct Context {
    /// Who referred the person, a key of the vocabulary's `referral_sources`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub referral_source: Option<String>,
    /// Where the assessment takes place, in the assessor's words.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub setting: Option<String>,
}

/// A stressor or medical factor as recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct Factor {
    /// Vocabulary kind.
    pub kind: String,
    /// 0 none, 1 mild, 2 moderate, 3 severe.
    #[schemars(range(max = 3))]
    pub severity: u8,
    /// When it began.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub since: Option<NaiveDate>,
    /// When it lands (an eviction date, a court date).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub due: Option<NaiveDate>,
    /// The assessor's note.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// Medical factors only: rising, stable or easing; absent when not known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trend: Option<Trend>,
    /// Medical factors only: whether this is a first episode; absent when not known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_episode: Option<bool>,
    /// Medical factors only: the act is happening now or has just happened (an overdose just
    /// taken, an attempt in progress, violence under way, a weapon in hand).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub happening_now: Option<bool>,
}

/// A protective factor as recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct Strength {
    /// Vocabulary kind.
    pub kind: String,
    /// The assessor's note.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

impl Assessment {
    /// The recorded factors of one section (strengths have no severity and are not included).
    pub fn factors(&self, section: Section) -> &[Factor] {
        match section {
            Section::Stressors => &self.stressors,
            Section::Medical => &self.medical,
            Section::Strengths => &[],
        }
    }

    /// The calendar day of the assessment, from which `due` and `since` are counted.
    pub fn assessed_on(&self) -> NaiveDate {
        self.assessed_at.date_naive()
    }

    /// Serialises the assessment back to the YAML form of DESIGN §1.
    pub fn to_yaml(&self) -> String {
        serde_yaml::to_string(self).unwrap_or_default()
    }

    /// Parses and checks an assessment. `file` names the source in every problem.
    pub fn parse(text: &str, file: &str, vocabulary: &Vocabulary) -> Result<Self, Problems> {
        let raw: RawAssessment =
            serde_yaml::from_str(text).map_err(|error| yaml_problem(file, &error))?;
        let mut checker = Checker {
            vocabulary,
            problems: FileProblems::new(file, text),
            assessed_on: None,
        };
        let assessment = checker.assessment(raw);
        // A missing id or time is always reported as a problem, so `None` ends in the error arm.
        checker.problems.finish(assessment)?.ok_or_else(|| {
            Problem::new(file, Default::default(), "", "the assessment is incomplete").into()
        })
    }

    /// Refuses an assessment dated after `now` by more than [`FUTURE_TOLERANCE`]: an assessment
    /// records what was found, so it cannot have taken place yet. Kept apart from [`Self::parse`]
    /// because parsing is pure; the file edge passes the clock. `text` places the problem.
    pub fn check_not_in_future(
        &self,
        now: DateTime<chrono::Utc>,
        file: &str,
        text: &str,
    ) -> Result<(), Problem> {
        if self.assessed_at.with_timezone(&chrono::Utc) <= now + FUTURE_TOLERANCE {
            return Ok(());
        }
        Err(Problem::new(
            file,
            crate::source::SourceMap::index(text).position("assessed_at"),
            "assessed_at",
            format!(
                "the assessment time {} is in the future",
                self.assessed_at.to_rfc3339()
            ),
        )
        .with_hint(
            "check the date, the time and the time zone (Z is UTC; the UK in summer is +01:00)",
        ))
    }

    /// Checks an assessment kept as JSON (in a record) exactly as a file would be checked, but
    /// without writing it out as YAML and parsing that back: replay re-checks every record, so
    /// the round trip would cost a tenth of its time. Problems carry no line, as there is no
    /// file to point into.
    pub fn from_json(
        value: &serde_json::Value,
        origin: &str,
        vocabulary: &Vocabulary,
    ) -> Result<Self, Problems> {
        Assessment::check_raw(RawAssessment::deserialize(value), origin, vocabulary)
    }

    /// As [`Assessment::from_json`], from the JSON text (a record's part as kept), with no value
    /// tree in between.
    pub fn from_json_text(
        text: &[u8],
        origin: &str,
        vocabulary: &Vocabulary,
    ) -> Result<Self, Problems> {
        Assessment::check_raw(serde_json::from_slice(text), origin, vocabulary)
    }

    fn check_raw(
        raw: Result<RawAssessment, serde_json::Error>,
        origin: &str,
        vocabulary: &Vocabulary,
    ) -> Result<Self, Problems> {
        let raw = raw.map_err(|error| {
            Problems(vec![Problem::new(
                origin,
                Default::default(),
                "",
                format!("the assessment cannot be read: {error}"),
            )])
        })?;
        let mut checker = Checker {
            vocabulary,
            problems: FileProblems::new(origin, ""),
            assessed_on: None,
        };
        let assessment = checker.assessment(raw);
        checker.problems.finish(assessment)?.ok_or_else(|| {
            Problem::new(
                origin,
                Default::default(),
                "",
                "the assessment is incomplete",
            )
            .into()
        })
    }

    /// Checks an assessment built in memory (by the TUI) exactly as a file would be checked.
    pub fn check(&self, vocabulary: &Vocabulary) -> Result<(), Problems> {
        Self::parse(&self.to_yaml(), "(assessment)", vocabulary).map(|_| ())
    }
}

/// The assessment as YAML gives it, before checking.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAssessment {
    id: Option<String>,
    assessed_at: Option<String>,
    assessor: Option<String>,
    #[serde(default)]
    person: RawPerson,
    #[serde(default)]
    context: RawContext,
    #[serde(default)]
    stressors: Option<Vec<RawFactor>>,
    #[serde(default)]
    medical: Option<Vec<RawFactor>>,
    #[serde(default)]
    strengths: Option<Vec<RawStrength>>,
    capacity: Option<RawCapacity>,
    wishes: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCapacity {
    status: Option<String>,
    decision: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPerson {
    age: Option<i64>,
    lives: Option<String>,
    dependants: Option<i64>,
    self_care: Option<String>,
    gender: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawContext {
    referral_source: Option<String>,
    setting: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFactor {
    kind: Option<String>,
    severity: Option<i64>,
    since: Option<String>,
    due: Option<String>,
    note: Option<String>,
    trend: Option<String>,
    first_episode: Option<bool>,
    happening_now: Option<bool>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawStrength {
    kind: Option<String>,
    note: Option<String>,
}

struct Checker<'a> {
    vocabulary: &'a Vocabulary,
    problems: FileProblems<'a>,
    /// The assessment's day once read, to check that nothing began after it.
    assessed_on: Option<NaiveDate>,
}

impl Checker<'_> {
    fn problem(&mut self, path: &str, message: String, hint: impl Into<String>) {
        self.problems.add(path, message, hint);
    }

    /// A text field as written, refusing control characters: C0 and C1 controls (escape, NUL,
    /// carriage return…) could rewrite a terminal and make exported FHIR invalid. Free text
    /// (notes, wishes) may have line breaks and tabs; names and references may not.
    fn text(&mut self, path: &str, value: Option<String>, free_text: bool) -> Option<String> {
        let value = value?;
        if let Some((line, name)) = crate::input::control_character(&value, free_text) {
            let place = if line > 0 {
                format!(" (on its line {})", line + 1)
            } else {
                String::new()
            };
            self.problem(
                path,
                format!("the text has a {name}{place}, which is not allowed"),
                if free_text {
                    "remove it: free text may have line breaks and tabs, no other control characters"
                } else {
                    "remove it: this field is one line of plain text"
                },
            );
        }
        Some(value)
    }

    /// A date in the range a person's history can have.
    fn plausible(&mut self, path: &str, year: i32, shown: &str) -> bool {
        if (EARLIEST_YEAR..=LATEST_YEAR).contains(&year) {
            return true;
        }
        self.problem(
            path,
            format!("{shown} is not a plausible date (the year is {year:04})"),
            format!("check the year: dates from {EARLIEST_YEAR} to {LATEST_YEAR} are accepted"),
        );
        false
    }

    fn assessment(&mut self, raw: RawAssessment) -> Option<Assessment> {
        let id = match self
            .text("id", raw.id, false)
            .map(|id| id.trim().to_owned())
        {
            Some(id) if !id.is_empty() => Some(id),
            _ => {
                self.problem(
                    "id",
                    "missing case id".into(),
                    "add a line `id: A-2026-0042` with the pseudonymous case reference (never a name)",
                );
                None
            }
        };
        let assessed_at = match raw.assessed_at {
            None => {
                self.problem(
                    "assessed_at",
                    "missing assessment time".into(),
                    "add a line `assessed_at: 2026-11-20T14:30:00Z` (date, time and time zone)",
                );
                None
            }
            Some(text) => match DateTime::parse_from_rfc3339(text.trim()) {
                Ok(at)
                    if !self.plausible("assessed_at", at.year(), &format!("`{}`", text.trim())) =>
                {
                    None
                }
                Ok(at) => Some(at),
                Err(_) => {
                    self.problem(
                        "assessed_at",
                        format!("`{text}` is not a date and time with a time zone"),
                        "write it like 2026-11-20T14:30:00Z (Z for UTC) or 2026-11-20T14:30:00+01:00",
                    );
                    None
                }
            },
        };
        self.assessed_on = assessed_at.map(|at| at.date_naive());
        let assessor = self.text("assessor", raw.assessor, false);
        let wishes = self.text("wishes", raw.wishes, true);
        let person = self.person(raw.person);
        let context = self.context(raw.context);
        let stressors = self.factors(Section::Stressors, raw.stressors.unwrap_or_default());
        let medical = self.factors(Section::Medical, raw.medical.unwrap_or_default());
        let strengths = self.strengths(raw.strengths.unwrap_or_default());
        let capacity = raw.capacity.and_then(|raw| self.capacity(raw));
        Some(Assessment {
            id: id?,
            assessed_at: assessed_at?,
            assessor,
            person,
            context,
            stressors,
            medical,
            strengths,
            capacity,
            wishes,
        })
    }

    /// Reads a closed scale's value (self-care, trend, capacity), reporting an unknown one.
    fn scale<T: std::str::FromStr<Err = String>>(
        &mut self,
        path: &str,
        text: Option<String>,
        hint: &str,
    ) -> Option<T> {
        let text = text?;
        match text.trim().parse::<T>() {
            Ok(value) => Some(value),
            Err(message) => {
                self.problem(path, message, hint);
                None
            }
        }
    }

    fn capacity(&mut self, raw: RawCapacity) -> Option<Capacity> {
        let Some(status) = raw.status else {
            self.problem(
                "capacity.status",
                "capacity is recorded without its status".into(),
                "add `status: has`, `lacks` or `not_assessed`, or leave out the whole `capacity:` block",
            );
            return None;
        };
        let status = self.scale(
            "capacity.status",
            Some(status),
            "write has, lacks or not_assessed (capacity for the decision at hand)",
        )?;
        let decision = self.text("capacity.decision", raw.decision, true);
        Some(Capacity { status, decision })
    }

    fn person(&mut self, raw: RawPerson) -> Person {
        let age = match raw.age {
            Some(age) if (0..=120).contains(&age) => Some(age as u32),
            Some(age) => {
                self.problem(
                    "person.age",
                    format!("age {age} is outside 0 to 120"),
                    "write the age in whole years, or leave the line out if it is not known",
                );
                None
            }
            None => None,
        };
        let dependants = match raw.dependants {
            Some(count) if (0..=50).contains(&count) => Some(count as u32),
            Some(count) => {
                self.problem(
                    "person.dependants",
                    format!("{count} dependants is not a plausible number"),
                    "write how many children or adults the person cares for, 0 if none, or leave the line out if it is not known",
                );
                None
            }
            None => None,
        };
        let self_care = self.scale(
            "person.self_care",
            raw.self_care,
            "write able, needs_help or unable, or leave the line out if it is not known",
        );
        let gender = self.scale(
            "person.gender",
            raw.gender,
            "write woman, man, non_binary or other, or leave the line out if it is not known",
        );
        let lives = raw.lives.filter(|lives| {
            self.known_key(
                "person.lives",
                lives,
                "living situation",
                self.vocabulary
                    .living_situations
                    .keys()
                    .map(String::as_str)
                    .collect(),
                "rules/vocabulary.yaml under `living_situations:`",
            )
        });
        Person {
            age,
            lives,
            dependants,
            self_care,
            gender,
        }
    }

    fn context(&mut self, raw: RawContext) -> Context {
        let referral_source = raw.referral_source.filter(|source| {
            self.known_key(
                "context.referral_source",
                source,
                "referral source",
                self.vocabulary
                    .referral_sources
                    .keys()
                    .map(String::as_str)
                    .collect(),
                "rules/vocabulary.yaml under `referral_sources:`",
            )
        });
        Context {
            referral_source,
            setting: self.text("context.setting", raw.setting, true),
        }
    }

    fn known_key(
        &mut self,
        path: &str,
        value: &str,
        what: &str,
        valid: Vec<&str>,
        where_listed: &str,
    ) -> bool {
        if valid.contains(&value) {
            return true;
        }
        let hint = suggestion(value, valid.iter().copied(), where_listed);
        self.problem(path, format!("unknown {what} `{value}`"), hint);
        false
    }

    fn kind(&mut self, section: Section, path: &str, kind: Option<String>) -> Option<String> {
        let Some(kind) = kind else {
            self.problem(
                path,
                format!("missing kind of {}", section.noun()),
                format!(
                    "add `kind:` with a name from rules/vocabulary.yaml under `{}:`",
                    section.key()
                ),
            );
            return None;
        };
        if self.vocabulary.kinds(section).contains_key(&kind) {
            Some(kind)
        } else {
            let problem = self.vocabulary.unknown_kind_problem(
                &kind,
                section,
                self.problems.file,
                self.problems.map(),
                path,
            );
            self.problems.push(problem);
            None
        }
    }

    fn date(&mut self, path: &str, text: Option<String>) -> Option<NaiveDate> {
        let text = text?;
        match NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d") {
            Ok(date) if !self.plausible(path, date.year(), &format!("`{}`", text.trim())) => None,
            Ok(date) => Some(date),
            Err(_) => {
                self.problem(
                    path,
                    format!("`{text}` is not a date"),
                    "write dates as year-month-day, for example 2026-11-27",
                );
                None
            }
        }
    }

    fn factors(&mut self, section: Section, raw: Vec<RawFactor>) -> Vec<Factor> {
        let mut factors: Vec<Factor> = Vec::new();
        for (index, entry) in raw.into_iter().enumerate() {
            let base = format!("{}[{index}]", section.key());
            let kind = self.kind(section, &format!("{base}.kind"), entry.kind);
            let severity = match entry.severity {
                Some(severity) if (0..=i64::from(MAX_SEVERITY)).contains(&severity) => {
                    Some(severity as u8)
                }
                Some(severity) => {
                    self.problem(
                        &format!("{base}.severity"),
                        format!("severity {severity} is outside 0 to 3"),
                        "use 0 none, 1 mild, 2 moderate or 3 severe (the vocabulary says what each means for this kind)",
                    );
                    None
                }
                None => {
                    self.problem(
                        &format!("{base}.severity"),
                        "missing severity".into(),
                        "add `severity:` 0 none, 1 mild, 2 moderate or 3 severe",
                    );
                    None
                }
            };
            let trend: Option<Trend> = self.scale(
                &format!("{base}.trend"),
                entry.trend,
                "write rising, stable or easing, or leave the line out if it is not known",
            );
            if section != Section::Medical {
                for (field, given) in [
                    ("trend", trend.is_some()),
                    ("first_episode", entry.first_episode.is_some()),
                    ("happening_now", entry.happening_now.is_some()),
                ] {
                    if given {
                        self.problem(
                            &format!("{base}.{field}"),
                            format!("`{field}` is recorded on a {}", section.noun()),
                            format!("`{field}` belongs to medical factors only; remove it here or move the factor under `medical:`"),
                        );
                    }
                }
            }
            let since = self.date(&format!("{base}.since"), entry.since);
            let due = self.date(&format!("{base}.due"), entry.due);
            let note = self.text(&format!("{base}.note"), entry.note, true);
            if let (Some(since), Some(assessed_on)) = (since, self.assessed_on) {
                if since > assessed_on {
                    // Read as "began in the last days" it would weigh as recent; it is a slip.
                    self.problem(
                        &format!("{base}.since"),
                        format!("it began on {since}, after the assessment on {assessed_on}"),
                        "`since` is when it started, on or before the assessment day; a date still to come goes in `due`",
                    );
                }
            }
            if let (Some(since), Some(due)) = (since, due) {
                if due < since {
                    self.problem(
                        &format!("{base}.due"),
                        format!("due date {due} is before the date it began ({since})"),
                        "check both dates: `since` is when it started, `due` is when it lands",
                    );
                }
            }
            let (Some(kind), Some(severity)) = (kind, severity) else {
                continue;
            };
            if factors.iter().any(|factor| factor.kind == kind) {
                self.problem(
                    &format!("{base}.kind"),
                    format!("`{kind}` is recorded twice"),
                    "record each kind once, with its highest severity, and put the detail in `note:`",
                );
                continue;
            }
            factors.push(Factor {
                kind,
                severity,
                since,
                due,
                note,
                trend,
                first_episode: entry.first_episode,
                happening_now: entry.happening_now,
            });
        }
        factors
    }

    fn strengths(&mut self, raw: Vec<RawStrength>) -> Vec<Strength> {
        let mut strengths: Vec<Strength> = Vec::new();
        for (index, entry) in raw.into_iter().enumerate() {
            let path = format!("strengths[{index}].kind");
            let note = self.text(&format!("strengths[{index}].note"), entry.note, true);
            let Some(kind) = self.kind(Section::Strengths, &path, entry.kind) else {
                continue;
            };
            if strengths.iter().any(|strength| strength.kind == kind) {
                self.problem(
                    &path,
                    format!("`{kind}` is recorded twice"),
                    "record each strength once and put the detail in `note:`",
                );
                continue;
            }
            strengths.push(Strength { kind, note });
        }
        strengths
    }
}
