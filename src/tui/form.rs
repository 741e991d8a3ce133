//! The assessment as it is being typed: text as entered (so a half-typed date or age is kept, not
//! lost), turned on every change into an [`Assessment`] for the live formulation and into the
//! problems that stop it being saved. Pure.

use chrono::{DateTime, FixedOffset, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::error::Problem;
use crate::model::{
    Assessment, Capacity, CapacityStatus, Context, Factor, Gender, MhaDecision, MhaOutcome, Person,
    Section, SelfCare, Strength, Trend,
};
use crate::source::Position;
use crate::tui::input::{
    parse_assessed_at, parse_count, parse_date, TextField, ASSESSED_AT_FORMS, DATE_FORMS,
};

/// The name problems found in the form carry instead of a file name.
pub const FORM_ORIGIN: &str = "(assessment)";

/// The settings an assessment commonly takes place in, as (key, label), offered in the
/// Setting list. The keys are what the rules read with `setting()` (`rules/context.rhai` reads
/// `place_of_safety`, `emergency_department` and `hospital_ward`); anything else is recorded
/// as "other", in the assessor's words.
pub const KNOWN_SETTINGS: [(&str, &str); 6] = [
    ("home", "At home"),
    ("place_of_safety", "Place of safety (section 136 suite)"),
    ("emergency_department", "Emergency department"),
    ("hospital_ward", "Hospital ward"),
    ("police_custody", "Police custody"),
    ("care_home", "Care home"),
];

/// The key of the "other" choice in the Setting list (it asks for the setting in words).
pub const OTHER_SETTING: &str = "other";

/// A setting as shown: a known setting's label, or the assessor's words marked as other.
pub fn setting_label(setting: &str) -> String {
    KNOWN_SETTINGS
        .iter()
        .find(|(key, _)| *key == setting)
        .map_or_else(
            || format!("{setting} (other)"),
            |(_, label)| (*label).to_owned(),
        )
}

/// Oldest age accepted, as in the assessment file checks.
const MAX_AGE: u32 = 120;
/// Most dependants accepted, as in the assessment file checks.
const MAX_DEPENDANTS: u32 = 50;

/// Everything the assessor has entered.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Form {
    /// Pseudonymous case id.
    pub id: TextField,
    /// The assessor's reference.
    pub assessor: TextField,
    /// When the assessment took place, as typed.
    pub assessed_at: TextField,
    /// Age in years, as typed.
    pub age: TextField,
    /// Number of dependants, as typed.
    pub dependants: TextField,
    /// Living situation key from the vocabulary.
    pub lives: Option<String>,
    /// Referral source key from the vocabulary.
    pub referral_source: Option<String>,
    /// Where the assessment takes place.
    pub setting: TextField,
    /// Social factors.
    pub stressors: Vec<FactorEntry>,
    /// Medical factors.
    pub medical: Vec<FactorEntry>,
    /// Protective factors.
    pub strengths: Vec<StrengthEntry>,
    /// The person's own words.
    pub wishes: TextField,
    /// Whether the person can care for themselves; `None` is not known.
    #[serde(default)]
    pub self_care: Option<SelfCare>,
    /// The person's gender, used only for single-gender services; `None` is not known.
    pub gender: Option<Gender>,
    /// Mental capacity for the decision at hand; `None` is not recorded.
    #[serde(default)]
    pub capacity: Option<CapacityStatus>,
    /// The decision capacity was assessed for.
    #[serde(default)]
    pub capacity_decision: TextField,
    /// What the assessment decided under the Mental Health Act; `None` is not recorded yet.
    #[serde(default)]
    pub mha_outcome: Option<MhaOutcome>,
    /// Whether the person agreed to the plan; `None` is not recorded, never "no".
    #[serde(default)]
    pub agreed_to_plan: Option<bool>,
    /// The AMHP's note on the decision.
    #[serde(default)]
    pub mha_note: TextField,
}

/// A stressor or medical factor being entered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FactorEntry {
    /// Vocabulary kind (picked from the vocabulary, so always known when picked).
    pub kind: String,
    /// 0 none to 3 severe; `None` until the assessor chooses one, so a just-added factor is
    /// never weighed at a severity nobody chose. Drafts written before this was optional hold a
    /// plain number, which still reads.
    #[serde(default)]
    pub severity: Option<u8>,
    /// When it began, as typed.
    pub since: TextField,
    /// When it lands, as typed.
    pub due: TextField,
    /// The assessor's note.
    pub note: TextField,
    /// Medical factors: rising, stable or easing; `None` is not known.
    #[serde(default)]
    pub trend: Option<Trend>,
    /// Medical factors: first episode or not; `None` is not known.
    #[serde(default)]
    pub first_episode: Option<bool>,
    /// Medical factors: happening now or just happened.
    #[serde(default)]
    pub happening_now: Option<bool>,
}

/// A strength being entered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StrengthEntry {
    /// Vocabulary kind.
    pub kind: String,
    /// The assessor's note.
    pub note: TextField,
}

impl FactorEntry {
    /// A new entry of `kind` at `severity` (`None`: not chosen yet) with nothing else filled in.
    pub fn new(kind: &str, severity: Option<u8>) -> Self {
        Self {
            kind: kind.to_owned(),
            severity,
            since: TextField::default(),
            due: TextField::default(),
            note: TextField::default(),
            trend: None,
            first_episode: None,
            happening_now: None,
        }
    }
}

impl Form {
    /// The form filled in from an existing assessment (`--case`, or a fresh one).
    pub fn from_assessment(assessment: &Assessment) -> Self {
        let factor = |factor: &Factor| FactorEntry {
            kind: factor.kind.clone(),
            severity: Some(factor.severity),
            since: factor
                .since
                .map(|d| d.to_string())
                .unwrap_or_default()
                .into(),
            due: factor.due.map(|d| d.to_string()).unwrap_or_default().into(),
            note: factor.note.clone().unwrap_or_default().into(),
            trend: factor.trend,
            first_episode: factor.first_episode,
            happening_now: factor.happening_now,
        };
        Self {
            id: assessment.id.as_str().into(),
            assessor: assessment.assessor.clone().unwrap_or_default().into(),
            assessed_at: super::input::format_assessed_at(assessment.assessed_at).into(),
            age: assessment
                .person
                .age
                .map(|age| age.to_string())
                .unwrap_or_default()
                .into(),
            // Not known stays empty; a recorded 0 stays "0" (it means none).
            dependants: assessment
                .person
                .dependants
                .map(|count| count.to_string())
                .unwrap_or_default()
                .into(),
            lives: assessment.person.lives.clone(),
            referral_source: assessment.context.referral_source.clone(),
            setting: assessment
                .context
                .setting
                .clone()
                .unwrap_or_default()
                .into(),
            stressors: assessment.stressors.iter().map(factor).collect(),
            medical: assessment.medical.iter().map(factor).collect(),
            strengths: assessment
                .strengths
                .iter()
                .map(|strength| StrengthEntry {
                    kind: strength.kind.clone(),
                    note: strength.note.clone().unwrap_or_default().into(),
                })
                .collect(),
            wishes: assessment.wishes.clone().unwrap_or_default().into(),
            self_care: assessment.person.self_care,
            gender: assessment.person.gender,
            capacity: assessment.capacity.as_ref().map(|capacity| capacity.status),
            capacity_decision: assessment
                .capacity
                .as_ref()
                .and_then(|capacity| capacity.decision.clone())
                .unwrap_or_default()
                .into(),
            mha_outcome: None,
            agreed_to_plan: None,
            mha_note: TextField::default(),
        }
    }

    /// Fills the decision fields from a saved decision (a saved assessment opened to revise).
    pub fn set_mha_decision(&mut self, decision: Option<&MhaDecision>) {
        self.mha_outcome = decision.map(|decision| decision.outcome);
        self.agreed_to_plan = decision.and_then(|decision| decision.agreed_to_plan);
        self.mha_note = decision
            .and_then(|decision| decision.note.clone())
            .unwrap_or_default()
            .into();
    }

    /// The Mental Health Act decision as entered, once an outcome is chosen.
    pub fn mha_decision(&self) -> Option<MhaDecision> {
        Some(MhaDecision {
            outcome: self.mha_outcome?,
            agreed_to_plan: self.agreed_to_plan,
            note: self.mha_note.value(),
        })
    }

    /// The factor list of a section (strengths have their own list).
    pub fn factors(&self, section: Section) -> &[FactorEntry] {
        match section {
            Section::Stressors => &self.stressors,
            Section::Medical => &self.medical,
            Section::Strengths => &[],
        }
    }

    /// The factor list of a section, to edit; `None` for strengths, which have no severity.
    pub fn factors_mut(&mut self, section: Section) -> Option<&mut Vec<FactorEntry>> {
        match section {
            Section::Stressors => Some(&mut self.stressors),
            Section::Medical => Some(&mut self.medical),
            Section::Strengths => None,
        }
    }

    /// The assessment time the form says, or `fallback` while it is being retyped.
    pub fn assessed_at_or(&self, fallback: DateTime<FixedOffset>) -> DateTime<FixedOffset> {
        parse_assessed_at(self.assessed_at.text(), fallback, fallback).unwrap_or(fallback)
    }

    /// The assessment as far as it can be read now: what does not parse yet is left out (and
    /// reported by [`Form::problems`]), so the live formulation always has something to weigh.
    pub fn to_assessment(&self, fallback_at: DateTime<FixedOffset>) -> Assessment {
        let assessed_at = self.assessed_at_or(fallback_at);
        let today = assessed_at.date_naive();
        let date = |field: &TextField| -> Option<NaiveDate> {
            field.value().and_then(|text| parse_date(&text, today).ok())
        };
        // A factor whose severity is not chosen yet is left out rather than weighed at a guess;
        // the pane says so and `problems` stops it being saved.
        let factor = |entry: &FactorEntry| {
            Some(Factor {
                kind: entry.kind.clone(),
                severity: entry.severity?,
                since: date(&entry.since),
                due: date(&entry.due),
                note: entry.note.value(),
                trend: entry.trend,
                first_episode: entry.first_episode,
                happening_now: entry.happening_now,
            })
        };
        Assessment {
            id: self.id.value().unwrap_or_default(),
            assessed_at,
            assessor: self.assessor.value(),
            person: Person {
                age: self
                    .age
                    .value()
                    .and_then(|text| parse_count(&text, MAX_AGE, "age").ok()),
                lives: self.lives.clone(),
                dependants: self
                    .dependants
                    .value()
                    .and_then(|text| parse_count(&text, MAX_DEPENDANTS, "dependants").ok()),
                self_care: self.self_care,
                gender: self.gender,
            },
            context: Context {
                referral_source: self.referral_source.clone(),
                setting: self.setting.value(),
            },
            stressors: self.stressors.iter().filter_map(factor).collect(),
            medical: self.medical.iter().filter_map(factor).collect(),
            strengths: self
                .strengths
                .iter()
                .map(|entry| Strength {
                    kind: entry.kind.clone(),
                    note: entry.note.value(),
                })
                .collect(),
            wishes: self.wishes.value(),
            capacity: self.capacity.map(|status| Capacity {
                status,
                decision: self.capacity_decision.value(),
            }),
        }
    }

    /// Text that does not read as what its field needs, each as a problem at its field path.
    pub fn problems(&self, fallback_at: DateTime<FixedOffset>) -> Vec<Problem> {
        let mut problems = Vec::new();
        let mut push = |field: String, message: String, hint: &str| {
            problems.push(
                Problem::new(FORM_ORIGIN, Position::default(), field, message).with_hint(hint),
            );
        };
        if self.assessor.is_blank() {
            // A saved assessment names the professional accountable for it.
            push(
                "assessor".into(),
                "no assessor: say who is accountable for this assessment".into(),
                "write your name or staff reference in Assessor on the Person step (sicol assess --assessor, SICOL_ASSESSOR or the config file fill it in for you)",
            );
        }
        if let Err(message) = parse_assessed_at(self.assessed_at.text(), fallback_at, fallback_at) {
            push(
                "assessed_at".into(),
                message,
                &format!("write when the assessment took place, such as {ASSESSED_AT_FORMS}"),
            );
        }
        if let Some(Err(message)) = self
            .age
            .value()
            .map(|text| parse_count(&text, MAX_AGE, "age"))
        {
            push(
                "person.age".into(),
                message,
                "write the age in whole years, or leave it empty if it is not known",
            );
        }
        if let Some(Err(message)) = self
            .dependants
            .value()
            .map(|text| parse_count(&text, MAX_DEPENDANTS, "dependants"))
        {
            push(
                "person.dependants".into(),
                message,
                "write how many children or adults the person cares for, 0 if none",
            );
        }
        if self.mha_outcome == Some(MhaOutcome::Other) && self.mha_note.is_blank() {
            push(
                "mha_decision.note".into(),
                "the outcome is \"other\" but the note does not say what it was".into(),
                "on the Decision step, say in the note what was decided",
            );
        }
        if self.mha_outcome.is_none()
            && (self.agreed_to_plan.is_some() || !self.mha_note.is_blank())
        {
            push(
                "mha_decision.outcome".into(),
                "the decision has a note or an answer but no outcome".into(),
                "on the Decision step, choose the Mental Health Act outcome",
            );
        }
        let today = self.assessed_at_or(fallback_at).date_naive();
        for section in [Section::Stressors, Section::Medical] {
            for (index, entry) in self.factors(section).iter().enumerate() {
                if entry.severity.is_none() {
                    push(
                        format!("{}[{index}].severity", section.key()),
                        format!("severity not chosen for {}", entry.kind.replace('_', " ")),
                        "select it and press 0 none, 1 mild, 2 moderate or 3 severe (Enter shows what each means)",
                    );
                }
                for (name, field) in [("since", &entry.since), ("due", &entry.due)] {
                    if let Some(Err(message)) = field.value().map(|text| parse_date(&text, today)) {
                        push(
                            format!("{}[{index}].{name}", section.key()),
                            message,
                            &format!("write a date such as {DATE_FORMS}, or leave it empty"),
                        );
                    }
                }
            }
        }
        problems
    }
}

/// A problem from the assessment file checks, reworded for someone at the form: the checks
/// speak of YAML lines and keys, the form of its fields and steps.
pub fn in_form_words(mut problem: Problem) -> Problem {
    let (message, hint) = match problem.field.as_str() {
        "id" => (
            "no case id".to_owned(),
            "write the pseudonymous case reference your service issued (never a name) in Case id on the Person step",
        ),
        "assessed_at" => (
            problem.message.clone(),
            "write when the assessment took place in Assessed at on the Person step (F1 while typing lists the forms)",
        ),
        _ => (problem.message.clone(), ""),
    };
    problem.message = message;
    let file_words = |hint: &str| {
        ["yaml", "`", "line", "add a line", "vocabulary"]
            .iter()
            .any(|word| hint.contains(word))
    };
    if !hint.is_empty() {
        problem.hint = Some(hint.to_owned());
    } else if problem.hint.as_deref().is_some_and(file_words) {
        problem.hint = Some(format!(
            "check {} on its step, or remove the entry and add it again",
            field_words(&problem.field)
        ));
    }
    problem
}

/// A problem's field path in the form's words: `stressors[1].since` → "stressor 2, since".
pub fn field_words(path: &str) -> String {
    let named = [
        ("id", "Case id"),
        ("assessor", "Assessor"),
        ("assessed_at", "Assessed at"),
        ("person.age", "Age"),
        ("person.dependants", "Dependants"),
        ("person.lives", "Lives"),
        ("context.referral_source", "Referred by"),
        ("mha_decision.note", "the decision's note"),
        ("mha_decision.outcome", "MHA outcome"),
    ];
    if let Some((_, words)) = named.iter().find(|(key, _)| *key == path) {
        return (*words).to_owned();
    }
    for (section, noun) in [
        ("stressors", "stressor"),
        ("medical", "medical factor"),
        ("strengths", "strength"),
    ] {
        let Some(rest) = path.strip_prefix(section).and_then(|r| r.strip_prefix('[')) else {
            continue;
        };
        let (index, field) = rest.split_once(']').unwrap_or((rest, ""));
        let number = index.parse::<usize>().map_or(0, |index| index + 1);
        let field = field.trim_start_matches('.');
        return if field.is_empty() {
            format!("{noun} {number}")
        } else {
            format!("{noun} {number}, {field}")
        };
    }
    path.to_owned()
}

/// Which step of the assessment a problem's field belongs to, by its path.
pub fn section_of_field(field: &str) -> Option<Section> {
    Section::ALL
        .into_iter()
        .find(|section| field.starts_with(section.key()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at() -> DateTime<FixedOffset> {
        DateTime::parse_from_rfc3339("2026-11-20T14:30:00Z").unwrap()
    }

    #[test]
    fn relative_dates_are_resolved_from_the_assessment_date() {
        let mut form = Form {
            assessed_at: "2026-11-20 14:30".into(),
            assessor: "AMHP-17".into(),
            ..Form::default()
        };
        let mut entry = FactorEntry::new("eviction", Some(3));
        entry.due = "+7d".into();
        form.stressors.push(entry);
        let assessment = form.to_assessment(at());
        assert_eq!(
            assessment.stressors[0].due,
            NaiveDate::from_ymd_opt(2026, 11, 27)
        );
        assert!(form.problems(at()).is_empty());
    }

    #[test]
    fn half_typed_values_are_problems_not_losses() {
        let mut form = Form {
            assessed_at: "2026-11-20 14:30".into(),
            assessor: "AMHP-17".into(),
            age: "4x".into(),
            ..Form::default()
        };
        let mut entry = FactorEntry::new("debt", Some(2));
        entry.since = "last blursday".into();
        form.stressors.push(entry);
        let fields: Vec<String> = form
            .problems(at())
            .into_iter()
            .map(|problem| problem.field)
            .collect();
        assert_eq!(fields, ["person.age", "stressors[0].since"]);
        // The text is kept as typed, and the rest still reaches the formulation.
        assert_eq!(form.age.text(), "4x");
        assert_eq!(form.to_assessment(at()).stressors[0].kind, "debt");
    }

    #[test]
    fn a_factor_without_a_severity_is_left_out_and_stops_the_save() {
        let mut form = Form {
            assessed_at: "2026-11-20 14:30".into(),
            assessor: "AMHP-17".into(),
            ..Form::default()
        };
        form.stressors.push(FactorEntry::new("debt", None));
        assert!(form.to_assessment(at()).stressors.is_empty());
        let problems = form.problems(at());
        assert_eq!(problems[0].field, "stressors[0].severity");
        assert!(problems[0].message.contains("severity not chosen"));
    }

    #[test]
    fn drafts_written_with_a_plain_severity_still_read() {
        let entry: FactorEntry =
            serde_yaml::from_str("kind: debt\nseverity: 2\nsince: ''\ndue: ''\nnote: ''\n")
                .unwrap();
        assert_eq!(entry.severity, Some(2));
    }

    #[test]
    fn the_assessor_is_required() {
        let form = Form {
            assessed_at: "2026-11-20 14:30".into(),
            ..Form::default()
        };
        assert!(form.problems(at()).iter().any(|p| p.field == "assessor"));
    }

    #[test]
    fn field_paths_are_said_in_the_forms_words() {
        assert_eq!(field_words("stressors[1].since"), "stressor 2, since");
        assert_eq!(field_words("id"), "Case id");
    }
}
