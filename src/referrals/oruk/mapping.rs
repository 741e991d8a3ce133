//! The taxonomy mapping a service keeps (`rules/oruk-taxonomy.yaml`): which sicol referral
//! categories each term of the directory's taxonomies stands for. Councils classify services
//! with their own taxonomies, so no fixed table could serve every directory; the mapping is data
//! the service lead edits, checked like every other rule file.

use serde::Deserialize;

use crate::error::{suggestion, yaml_problem, FileProblems, Problems};
use crate::model::Vocabulary;

/// The taxonomy whose term codes are sicol's own referral categories. The export falls back on
/// it for a category the mapping has no term for, and the import reads it without a mapping, so
/// a directory exported by sicol always comes back with its categories.
pub const SICOL_TAXONOMY: &str = "sicol-referral-categories";

/// The checked mapping, terms in file order (the export picks the first term that fits).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TaxonomyMapping {
    terms: Vec<MappedTerm>,
}

/// One term of a directory taxonomy and the sicol categories it stands for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MappedTerm {
    /// The taxonomy's name or id, as the directory writes it in `taxonomy`, `taxonomy_id` or
    /// `taxonomy_detail.name`.
    pub taxonomy: String,
    /// The term's code or id, as the directory writes it in `code`, `id`, `term_uri`, `name` or
    /// `term`.
    pub code: String,
    /// The term's name, written by the export; the code when absent.
    pub name: Option<String>,
    /// Keys of the vocabulary's `referral_categories`, never empty.
    pub categories: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMapping {
    terms: Vec<RawTerm>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTerm {
    taxonomy: String,
    code: String,
    #[serde(default)]
    name: Option<String>,
    categories: Vec<String>,
}

/// How names in a directory are compared: a directory's spelling of case and spaces around a
/// code is not a different term.
fn same(a: &str, b: &str) -> bool {
    a.trim().eq_ignore_ascii_case(b.trim())
}

impl TaxonomyMapping {
    /// Parses and checks a mapping file; `file` names it in errors. Every unknown category,
    /// empty field and repeated term is reported with its line.
    pub fn parse(text: &str, file: &str, vocabulary: &Vocabulary) -> Result<Self, Problems> {
        let raw: RawMapping =
            serde_yaml::from_str(text).map_err(|error| yaml_problem(file, &error))?;
        let mut problems = FileProblems::new(file, text);
        let mut terms: Vec<MappedTerm> = Vec::with_capacity(raw.terms.len());
        for (index, term) in raw.terms.into_iter().enumerate() {
            let path = format!("terms[{index}]");
            for (field, value) in [("taxonomy", &term.taxonomy), ("code", &term.code)] {
                if value.trim().is_empty() {
                    problems.add(
                        &format!("{path}.{field}"),
                        format!("{field} is empty"),
                        "write the taxonomy and the term's code as the directory writes them",
                    );
                }
            }
            if let Some(first) = terms.iter().position(|seen| {
                same(&seen.taxonomy, &term.taxonomy) && same(&seen.code, &term.code)
            }) {
                problems.add(
                    &format!("{path}.code"),
                    format!(
                        "term `{}` of `{}` is already mapped by terms[{first}]",
                        term.code, term.taxonomy
                    ),
                    "map each term once, listing all its categories",
                );
            }
            if term.categories.is_empty() {
                problems.add(
                    &format!("{path}.categories"),
                    "no categories",
                    "list at least one key of referral_categories in rules/vocabulary.yaml, or remove the term",
                );
            }
            for (at, category) in term.categories.iter().enumerate() {
                if !vocabulary.referral_categories.contains_key(category) {
                    problems.add(
                        &format!("{path}.categories[{at}]"),
                        format!("unknown referral category `{category}`"),
                        suggestion(
                            category,
                            vocabulary.referral_categories.keys().map(String::as_str),
                            "referral_categories in rules/vocabulary.yaml",
                        ),
                    );
                }
            }
            terms.push(MappedTerm {
                taxonomy: term.taxonomy,
                code: term.code,
                name: term.name.filter(|name| !name.trim().is_empty()),
                categories: term.categories,
            });
        }
        problems.finish(Self { terms })
    }

    /// Every mapped term, in file order.
    pub fn terms(&self) -> &[MappedTerm] {
        &self.terms
    }

    /// The categories of the first term whose taxonomy is one of `taxonomies` and whose code is
    /// one of `codes` (the names a directory may give a taxonomy and a term).
    pub fn categories_of(&self, taxonomies: &[&str], codes: &[&str]) -> Option<&[String]> {
        self.terms
            .iter()
            .find(|term| {
                taxonomies.iter().any(|name| same(name, &term.taxonomy))
                    && codes.iter().any(|code| same(code, &term.code))
            })
            .map(|term| term.categories.as_slice())
    }

    /// The term to write for `category` of a partner serving `served`: the first term standing
    /// for that category alone, else the first standing for it and only for categories the
    /// partner serves (so that reading the export back adds no category). `None` when no term
    /// fits; the export then writes a term of [`SICOL_TAXONOMY`].
    pub fn term_for(&self, category: &str, served: &[String]) -> Option<&MappedTerm> {
        let lists_it = |term: &&MappedTerm| term.categories.iter().any(|c| c == category);
        self.terms
            .iter()
            .filter(lists_it)
            .find(|term| term.categories.len() == 1)
            .or_else(|| {
                self.terms
                    .iter()
                    .filter(lists_it)
                    .find(|term| term.categories.iter().all(|c| served.contains(c)))
            })
    }
}
