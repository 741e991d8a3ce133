//! `triage_scale.yaml`: the UK Mental Health Triage Scale's rows as data, in the project's own
//! words — each row's code, level, response and the presentations (descriptors) that meet it,
//! each under a short name. A rule floors risk by naming a descriptor (`risk("plan_or_means",
//! why)`) and the level comes from its row, so a level can never drift from its descriptor.
//!
//! The file is optional so that rule sets made before it (2026.12.0 and older) load and replay as
//! they were made; with it, `risk_floor(level, descriptor, why)` must quote a descriptor of that
//! level's row, and `rules check` refuses one that does not.

use indexmap::IndexMap;
use serde::Deserialize;

use crate::error::{yaml_problem, FileProblems, Problems};
use crate::model::Urgency;

/// The triage scale's rows, most urgent first.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TriageScale {
    /// The scale's name and source, shown in the guide.
    pub source: String,
    /// One row per code.
    pub rows: Vec<ScaleRow>,
}

/// One row of the scale.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScaleRow {
    /// The level, whose letter is the row's code.
    pub level: Urgency,
    /// The response the row asks for, in words.
    pub respond: String,
    /// The most hours before a response (0: now); `None` for advice with no urgent response.
    pub within_hours: Option<u32>,
    /// Descriptor name (lower_snake_case) to the presentation in words.
    pub descriptors: IndexMap<String, String>,
}

/// A descriptor found in the scale.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Descriptor<'a> {
    /// Its name.
    pub name: &'a str,
    /// Its words.
    pub words: &'a str,
    /// The level of its row.
    pub level: Urgency,
}

impl TriageScale {
    /// Parses and checks `triage_scale.yaml`; `file` names it in errors.
    pub fn parse(text: &str, file: &str) -> Result<Self, Problems> {
        let raw: RawScale =
            serde_yaml::from_str(text).map_err(|error| yaml_problem(file, &error))?;
        let mut problems = FileProblems::new(file, text);
        let mut rows = Vec::with_capacity(raw.rows.len());
        let mut seen_names: IndexMap<String, usize> = IndexMap::new();
        for (index, row) in raw.rows.into_iter().enumerate() {
            let path = format!("rows[{index}]");
            let level = match row.level.parse::<Urgency>() {
                Ok(level) => level,
                Err(message) => {
                    problems.add(
                        &format!("{path}.level"),
                        message,
                        "write one of routine, low, moderate, high, very_high, emergency",
                    );
                    continue;
                }
            };
            if row.code.len() != 1 || !row.code.starts_with(level.triage_code()) {
                problems.add(
                    &format!("{path}.code"),
                    format!(
                        "code `{}` does not match level {level}, whose code is {}",
                        row.code,
                        level.triage_code()
                    ),
                    "each level has one code: emergency A, very_high B, high C, moderate D, low E, routine F",
                );
            }
            if rows.iter().any(|seen: &ScaleRow| seen.level == level) {
                problems.add(
                    &format!("{path}.level"),
                    format!("level {level} has two rows"),
                    "give each level one row and list all its descriptors there",
                );
            }
            for (name, words) in &row.descriptors {
                if !crate::model::vocabulary::is_snake_case(name) {
                    problems.add(
                        &format!("{path}.descriptors.{name}"),
                        format!("descriptor name `{name}` is not lower_snake_case"),
                        "use lower-case letters, digits and `_`, such as `plan_or_means`",
                    );
                }
                if words.trim().is_empty() {
                    problems.add(
                        &format!("{path}.descriptors.{name}"),
                        format!("descriptor `{name}` has no words"),
                        "say the presentation in words, as the row describes it",
                    );
                }
                if let Some(first) = seen_names.insert(name.clone(), index) {
                    problems.add(
                        &format!("{path}.descriptors.{name}"),
                        format!("descriptor `{name}` is already in rows[{first}]"),
                        "a descriptor belongs to one row: give this one another name",
                    );
                }
            }
            rows.push(ScaleRow {
                level,
                respond: row.respond,
                within_hours: row.within_hours,
                descriptors: row.descriptors,
            });
        }
        rows.sort_by_key(|row| std::cmp::Reverse(row.level));
        problems.finish(Self {
            source: raw.source,
            rows,
        })
    }

    /// The descriptor with this name.
    pub fn descriptor(&self, name: &str) -> Option<Descriptor<'_>> {
        self.all().find(|descriptor| descriptor.name == name)
    }

    /// The descriptor whose name or words are `text` (older rules quote the words).
    pub fn find(&self, text: &str) -> Option<Descriptor<'_>> {
        self.all()
            .find(|descriptor| descriptor.name == text || descriptor.words == text)
    }

    /// Every descriptor, most urgent row first.
    pub fn all(&self) -> impl Iterator<Item = Descriptor<'_>> {
        self.rows.iter().flat_map(|row| {
            row.descriptors.iter().map(move |(name, words)| Descriptor {
                name,
                words,
                level: row.level,
            })
        })
    }

    /// The row of a level.
    pub fn row(&self, level: Urgency) -> Option<&ScaleRow> {
        self.rows.iter().find(|row| row.level == level)
    }

    /// Why `risk_floor(level, descriptor, ...)` disagrees with the scale, or `None` when the
    /// descriptor is one of that level's row.
    pub fn disagreement(&self, level: Urgency, descriptor: &str) -> Option<(String, String)> {
        match self.find(descriptor) {
            Some(found) if found.level == level => None,
            Some(found) => Some((
                format!(
                    "the descriptor `{descriptor}` is row {} ({}) of triage_scale.yaml, not {} ({})",
                    found.level.triage_code(),
                    found.level,
                    level.triage_code(),
                    level
                ),
                format!(
                    "name the descriptor and let its row set the level: risk(\"{}\", why); a level changes only with the clinical lead's sign-off",
                    found.name
                ),
            )),
            None => Some((
                format!("`{descriptor}` is not a descriptor in triage_scale.yaml"),
                "use risk(\"descriptor_name\", why) with a name from triage_scale.yaml".to_owned(),
            )),
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawScale {
    #[serde(default)]
    source: String,
    rows: Vec<RawRow>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRow {
    code: String,
    level: String,
    respond: String,
    #[serde(default)]
    within_hours: Option<u32>,
    descriptors: IndexMap<String, String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    const SCALE: &str = "source: test
rows:
  - code: B
    level: very_high
    respond: within 4 hours
    within_hours: 4
    descriptors:
      plan_or_means: a clear plan or means
  - code: C
    level: high
    respond: within 24 hours
    within_hours: 24
    descriptors:
      no_plan: ideas without a plan
";

    #[test]
    fn a_descriptor_names_its_row() {
        let scale = TriageScale::parse(SCALE, "triage_scale.yaml").expect("valid");
        let found = scale.descriptor("plan_or_means").expect("listed");
        assert_eq!(found.level, Urgency::VeryHigh);
        assert_eq!(
            scale.find("ideas without a plan").map(|d| d.name),
            Some("no_plan")
        );
        assert_eq!(
            scale.row(Urgency::High).and_then(|row| row.within_hours),
            Some(24)
        );
    }

    #[test]
    fn a_floor_whose_level_and_descriptor_disagree_is_named() {
        let scale = TriageScale::parse(SCALE, "triage_scale.yaml").expect("valid");
        assert_eq!(scale.disagreement(Urgency::High, "no_plan"), None);
        let (message, hint) = scale
            .disagreement(Urgency::Low, "ideas without a plan")
            .expect("disagrees");
        assert!(message.contains("row C (high)"), "{message}");
        assert!(hint.contains("risk(\"no_plan\""), "{hint}");
        assert!(scale.disagreement(Urgency::High, "made up").is_some());
    }

    #[test]
    fn a_code_that_does_not_match_its_level_is_refused() {
        let text = SCALE.replace("code: C", "code: D");
        let problems = TriageScale::parse(&text, "triage_scale.yaml").expect_err("bad code");
        assert!(problems.0[0].message.contains("does not match level high"));
    }
}
