//! The vocabulary: every stressor, medical factor, strength, referral category, living situation
//! and referral source that sicol knows, read from `rules/vocabulary.yaml`. The code holds no list
//! of kinds; a service lead adds one by editing that file alone.

use std::collections::BTreeMap;

use indexmap::IndexMap;
use serde::{Deserialize, Serialize};

use crate::error::{suggestion, yaml_problem, Problem, Problems};
use crate::model::{Codes, Share};
use crate::source::SourceMap;

/// The three lists an assessment records factors in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Section {
    /// Social factors (`stressors:`).
    Stressors,
    /// Medical factors (`medical:`).
    Medical,
    /// Protective factors (`strengths:`).
    Strengths,
}

impl Section {
    /// All sections in the order an assessment lists them.
    pub const ALL: [Section; 3] = [Section::Stressors, Section::Medical, Section::Strengths];

    /// The YAML key of this section in an assessment and in the vocabulary.
    pub fn key(self) -> &'static str {
        match self {
            Section::Stressors => "stressors",
            Section::Medical => "medical",
            Section::Strengths => "strengths",
        }
    }

    /// A short human word for one entry of this section.
    pub fn noun(self) -> &'static str {
        match self {
            Section::Stressors => "stressor",
            Section::Medical => "medical factor",
            Section::Strengths => "strength",
        }
    }
}

/// One kind of stressor, medical factor or strength.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct KindInfo {
    /// Short label shown to people.
    pub label: String,
    /// One line on what the kind covers.
    pub description: String,
    /// What severities 1, 2 and 3 mean for this kind, so that two assessors score alike.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub severity: BTreeMap<u8, String>,
    /// Codes for coded systems (SNOMED CT, ICD-10, local), each with its source in the file.
    #[serde(default, skip_serializing_if = "Codes::is_empty")]
    pub codes: Codes,
}

/// A referral category such as `housing_advice`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CategoryInfo {
    /// Short label shown to people.
    pub label: String,
    /// One line on what the category covers.
    pub description: String,
    /// Codes for coded systems (SNOMED CT, ICD-10, local), each with its source in the file.
    #[serde(default, skip_serializing_if = "Codes::is_empty")]
    pub codes: Codes,
    /// What a referral packet to a partner in this category may share beyond the referral
    /// itself (minimum necessary); nothing more when left out.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub share: Vec<Share>,
}

/// The whole vocabulary, in file order.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Vocabulary {
    /// Social stressors.
    pub stressors: IndexMap<String, KindInfo>,
    /// Medical factors.
    pub medical: IndexMap<String, KindInfo>,
    /// Protective strengths.
    pub strengths: IndexMap<String, KindInfo>,
    /// Referral categories partners serve and rules refer to.
    pub referral_categories: IndexMap<String, CategoryInfo>,
    /// Where the person lives, key to label.
    pub living_situations: IndexMap<String, String>,
    /// Who referred the person, key to label.
    pub referral_sources: IndexMap<String, String>,
}

impl Vocabulary {
    /// Parses and checks `vocabulary.yaml`; `file` names it in errors.
    pub fn parse(text: &str, file: &str) -> Result<Self, Problems> {
        let vocabulary: Vocabulary =
            serde_yaml::from_str(text).map_err(|error| yaml_problem(file, &error))?;
        vocabulary.check(file, &SourceMap::index(text))?;
        Ok(vocabulary)
    }

    fn check(&self, file: &str, map: &SourceMap) -> Result<(), Problems> {
        let mut problems = Vec::new();
        let mut seen: BTreeMap<&str, Section> = BTreeMap::new();
        for section in Section::ALL {
            for (kind, info) in self.kinds(section) {
                let path = format!("{}.{kind}", section.key());
                if !is_snake_case(kind) {
                    problems.push(
                        Problem::new(file, map.position(&path), &path, "kind names must be lower_snake_case")
                            .with_hint("use lower-case letters, digits and `_`, for example `housing_insecurity`"),
                    );
                }
                if let Some(other) = seen.insert(kind, section) {
                    problems.push(
                        Problem::new(
                            file,
                            map.position(&path),
                            &path,
                            format!("`{kind}` is listed under both {} and {}", other.key(), section.key()),
                        )
                        .with_hint("a kind belongs to one section: keep one and rename or remove the other"),
                    );
                }
                if section != Section::Strengths {
                    for level in 1..=3u8 {
                        if !info.severity.contains_key(&level) {
                            problems.push(
                                Problem::new(
                                    file,
                                    map.position(&path),
                                    format!("{path}.severity"),
                                    format!("no anchor for severity {level}"),
                                )
                                .with_hint("say what severities 1, 2 and 3 mean for this kind so that assessors score alike"),
                            );
                        }
                    }
                }
                if let Some(level) = info
                    .severity
                    .keys()
                    .find(|level| **level > 3 || **level == 0)
                {
                    problems.push(
                        Problem::new(
                            file,
                            map.position(&format!("{path}.severity")),
                            format!("{path}.severity"),
                            format!("severity anchors are for 1, 2 and 3, not {level}"),
                        )
                        .with_hint("0 always means none; remove the extra anchor"),
                    );
                }
            }
        }
        self.check_codes(file, map, &mut problems);
        if problems.is_empty() {
            Ok(())
        } else {
            Err(Problems(problems))
        }
    }

    /// Checks the syntax of every code (issue 15), so a mistyped code never leaves the machine.
    fn check_codes(&self, file: &str, map: &SourceMap, problems: &mut Vec<Problem>) {
        let kinds = Section::ALL.into_iter().flat_map(|section| {
            self.kinds(section)
                .iter()
                .map(move |(kind, info)| (format!("{}.{kind}", section.key()), &info.codes))
        });
        let categories = self
            .referral_categories
            .iter()
            .map(|(category, info)| (format!("referral_categories.{category}"), &info.codes));
        for (path, codes) in kinds.chain(categories) {
            for (field, message, fix) in codes.problems() {
                let field = format!("{path}.codes.{field}");
                let position = map.position(&field);
                problems.push(Problem::new(file, position, field, message).with_hint(fix));
            }
        }
    }

    /// The kinds of one section, in file order.
    pub fn kinds(&self, section: Section) -> &IndexMap<String, KindInfo> {
        match section {
            Section::Stressors => &self.stressors,
            Section::Medical => &self.medical,
            Section::Strengths => &self.strengths,
        }
    }

    /// Which section a kind belongs to, if it is known at all.
    pub fn section_of(&self, kind: &str) -> Option<Section> {
        Section::ALL
            .into_iter()
            .find(|section| self.kinds(*section).contains_key(kind))
    }

    /// The information about a kind in any section.
    pub fn kind(&self, kind: &str) -> Option<&KindInfo> {
        Section::ALL
            .into_iter()
            .find_map(|section| self.kinds(section).get(kind))
    }

    /// The label of a kind or referral category, or the key itself when unknown.
    pub fn label<'a>(&'a self, key: &'a str) -> &'a str {
        if let Some(info) = self.kind(key) {
            return &info.label;
        }
        if let Some(info) = self.referral_categories.get(key) {
            return &info.label;
        }
        key
    }

    /// Every kind name in every section.
    pub fn all_kinds(&self) -> impl Iterator<Item = &str> {
        Section::ALL
            .into_iter()
            .flat_map(move |section| self.kinds(section).keys().map(String::as_str))
    }

    /// A problem for a kind that is not in `section`, with the nearest valid names, or a pointer to
    /// the section it does belong to.
    pub fn unknown_kind_problem(
        &self,
        kind: &str,
        section: Section,
        file: &str,
        map: &SourceMap,
        path: &str,
    ) -> Problem {
        match self.section_of(kind) {
            Some(actual) => Problem::new(
                file,
                map.position(path),
                path,
                format!("`{kind}` is a {}, not a {}", actual.noun(), section.noun()),
            )
            .with_hint(format!("move this entry under `{}:`", actual.key())),
            None => Problem::new(
                file,
                map.position(path),
                path,
                format!("unknown {} kind `{kind}`", section.noun()),
            )
            .with_hint(suggestion(
                kind,
                self.kinds(section).keys().map(String::as_str),
                &format!("rules/vocabulary.yaml under `{}:`", section.key()),
            )),
        }
    }
}

/// Whether a name is lower_snake_case, the form of every vocabulary key.
pub fn is_snake_case(name: &str) -> bool {
    !name.is_empty()
        && name.starts_with(|c: char| c.is_ascii_lowercase())
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}
