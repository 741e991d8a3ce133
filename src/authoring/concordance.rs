//! `sicol rules concordance`: how well a rule set agrees with the UK Mental Health Triage Scale
//! on a reference set of vignettes (`tests/reference/mhts/`). Each vignette is an assessment, as
//! `sicol evaluate` reads one, with an `mhts:` block giving the code a clinician assigns from the
//! scale's descriptors and the descriptor it illustrates.
//!
//! The measures are the ones triage studies use: a confusion matrix of reference code against
//! sicol's code, **under-triage** (sicol less urgent than the reference: the unsafe direction, of
//! which none is accepted), **over-triage** (more urgent) and **exact agreement**. Every miss is
//! listed with the urgency reason that set sicol's level, so a service lead sees which rule to
//! look at.
//!
//! Pure: parsing takes text, [`measure`] takes parsed vignettes and a rule set, rendering returns
//! text or JSON. Reading the folder and printing sit in `files` and the CLI.

use std::cmp::Ordering;
use std::fmt::Write as _;

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use crate::error::{yaml_problem, Problem, Problems};
use crate::formulation::{evaluate, Formulation};
use crate::model::{Assessment, Urgency, Vocabulary};
use crate::rules::{RuleSet, RuleSetId};
use crate::source::SourceMap;

use super::cases::without_top_level_block;

/// The key of the block holding a vignette's reference triage.
pub const MHTS_KEY: &str = "mhts";

/// The triage codes in the scale's order, most urgent first: the rows and columns of the matrix.
pub const CODES: [char; 6] = ['A', 'B', 'C', 'D', 'E', 'F'];

/// The urgency level a triage code stands for (`A` is `emergency` … `F` is `routine`).
pub fn urgency_for_code(code: char) -> Option<Urgency> {
    Urgency::ALL
        .iter()
        .copied()
        .find(|urgency| urgency.triage_code() == code)
}

/// Where a code sits in [`CODES`]: 0 for A (most urgent) to 5 for F.
fn index_of(urgency: Urgency) -> usize {
    CODES
        .iter()
        .position(|code| *code == urgency.triage_code())
        // Every urgency has one of the six codes; the fallback is never taken.
        .unwrap_or(CODES.len() - 1)
}

/// The triage a clinician assigns to a vignette from the scale.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Reference {
    /// The scale's code, as an urgency level.
    pub code: Urgency,
    /// The scale's words for the presentation the vignette illustrates.
    pub descriptor: String,
}

/// One reference vignette: an assessment and the triage it should get.
#[derive(Debug, Clone, PartialEq)]
pub struct Vignette {
    /// The file as named in messages.
    pub file: String,
    /// The reference triage.
    pub reference: Reference,
    /// The assessment part.
    pub assessment: Assessment,
}

/// The `mhts:` block as YAML gives it, before checking.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawReference {
    code: Option<String>,
    descriptor: Option<String>,
}

/// Only the `mhts:` block of a vignette file; serde skips the assessment's fields.
#[derive(Debug, Deserialize)]
struct ReferencePart {
    mhts: Option<RawReference>,
}

impl Vignette {
    /// Parses and checks a vignette: the assessment as an assessment file would be checked, and
    /// the `mhts:` block. Every problem names the file, line and field, with a fix.
    pub fn parse(text: &str, file: &str, vocabulary: &Vocabulary) -> Result<Self, Problems> {
        let mut problems = Vec::new();
        let assessment =
            match Assessment::parse(&without_top_level_block(text, MHTS_KEY), file, vocabulary) {
                Ok(assessment) => Some(assessment),
                Err(found) => {
                    problems.extend(found.0);
                    None
                }
            };
        let reference = match serde_yaml::from_str::<ReferencePart>(text) {
            Ok(ReferencePart { mhts: Some(raw) }) => {
                check_reference(raw, text, file, &mut problems)
            }
            Ok(ReferencePart { mhts: None }) => {
                problems.push(
                    Problem::new(file, Default::default(), MHTS_KEY, "no `mhts:` block").with_hint(
                        "add `mhts:` with the scale's `code:` (A to F) and the `descriptor:` the vignette illustrates, in the scale's words (see tests/reference/mhts/README.md)",
                    ),
                );
                None
            }
            Err(error) => {
                // The assessment parse reports the same YAML syntax error; say it once.
                let problem = yaml_problem(file, &error);
                if !problems.contains(&problem) {
                    problems.push(problem);
                }
                None
            }
        };
        problems.sort_by_key(|problem| (problem.position.line, problem.position.column));
        match (assessment, reference) {
            (Some(assessment), Some(reference)) if problems.is_empty() => Ok(Self {
                file: file.to_owned(),
                reference,
                assessment,
            }),
            _ => Err(Problems(problems)),
        }
    }
}

/// Parses every vignette file, given as (name for messages, text) pairs, and reports the
/// problems of all of them at once: a measure over part of the reference set would mislead.
pub fn parse_vignettes(
    files: &[(String, String)],
    vocabulary: &Vocabulary,
) -> Result<Vec<Vignette>, Problems> {
    parse_reference_set(
        files,
        |text, file| Vignette::parse(text, file, vocabulary),
        |vignette| (&vignette.assessment.id, &vignette.file),
        "give each vignette its own id, MHTS-<code>-<nn> with the next free number",
    )
}

/// Parses every file of a reference set with `parse` and reports the problems of all of them
/// at once, including two files with one id (which would make a miss ambiguous to report and to
/// discuss); `id_and_file` reads an entry's id and file, `hint` says how to number a new one.
pub(crate) fn parse_reference_set<T>(
    files: &[(String, String)],
    parse: impl Fn(&str, &str) -> Result<T, Problems>,
    id_and_file: impl Fn(&T) -> (&String, &String),
    hint: &str,
) -> Result<Vec<T>, Problems> {
    let mut entries: Vec<T> = Vec::new();
    let mut problems = Vec::new();
    for (file, text) in files {
        match parse(text, file) {
            Ok(entry) => {
                let (id, _) = id_and_file(&entry);
                if let Some(first) = entries.iter().find(|other| id_and_file(other).0 == id) {
                    problems.push(
                        Problem::new(
                            file,
                            SourceMap::index(text).position("id"),
                            "id",
                            format!("id `{id}` is already used by {}", id_and_file(first).1),
                        )
                        .with_hint(hint),
                    );
                }
                entries.push(entry);
            }
            Err(found) => problems.extend(found.0),
        }
    }
    if problems.is_empty() {
        Ok(entries)
    } else {
        Err(Problems(problems))
    }
}

fn check_reference(
    raw: RawReference,
    text: &str,
    file: &str,
    problems: &mut Vec<Problem>,
) -> Option<Reference> {
    let map = SourceMap::index(text);
    let mut push = |path: &str, message: String, hint: &str| {
        problems.push(Problem::new(file, map.position(path), path, message).with_hint(hint));
    };
    let code_hint = "write one of the scale's codes A, B, C, D, E or F (A emergency … F advice or referral; see tests/reference/mhts/README.md)";
    let code = match raw.code.as_deref().map(str::trim) {
        None => {
            push("mhts.code", "missing triage code".to_owned(), code_hint);
            None
        }
        Some(text) => {
            let mut chars = text.chars();
            match (chars.next(), chars.next()) {
                (Some(letter), None) => match urgency_for_code(letter) {
                    Some(urgency) => Some(urgency),
                    None => {
                        push(
                            "mhts.code",
                            format!("`{text}` is not a triage code"),
                            code_hint,
                        );
                        None
                    }
                },
                _ => {
                    push(
                        "mhts.code",
                        format!("`{text}` is not a triage code"),
                        code_hint,
                    );
                    None
                }
            }
        }
    };
    let descriptor = match raw.descriptor.map(|text| text.trim().to_owned()) {
        Some(descriptor) if !descriptor.is_empty() => Some(descriptor),
        _ => {
            push(
                "mhts.descriptor",
                "missing descriptor".to_owned(),
                "quote the scale's words for the presentation this vignette illustrates, such as `descriptor: \"acute suicidal ideation with a clear plan or means\"`",
            );
            None
        }
    };
    Some(Reference {
        code: code?,
        descriptor: descriptor?,
    })
}

/// How sicol's code compares with the reference.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// Less urgent than the reference: unsafe.
    UnderTriage,
    /// More urgent than the reference: costly, not unsafe.
    OverTriage,
    /// The same code.
    Exact,
}

/// What sicol made of one vignette.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    /// The vignette file as named in messages.
    pub file: String,
    /// The reference triage.
    pub reference: Reference,
    /// sicol's urgency.
    pub sicol: Urgency,
    /// The urgency reason that set sicol's level, from the formulation's `urgency_reasons`.
    pub reason: String,
}

impl Outcome {
    /// Builds the outcome of a vignette from its formulation.
    pub fn from_formulation(vignette: &Vignette, formulation: &Formulation) -> Self {
        Self {
            file: vignette.file.clone(),
            reference: vignette.reference.clone(),
            sicol: formulation.urgency,
            reason: deciding_reason(formulation),
        }
    }

    /// Under-triage, over-triage or exact.
    pub fn verdict(&self) -> Verdict {
        match self.sicol.cmp(&self.reference.code) {
            Ordering::Less => Verdict::UnderTriage,
            Ordering::Greater => Verdict::OverTriage,
            Ordering::Equal => Verdict::Exact,
        }
    }

    /// How many codes apart sicol and the reference are (0 when exact).
    pub fn distance(&self) -> usize {
        index_of(self.sicol).abs_diff(index_of(self.reference.code))
    }
}

/// The urgency reason that set the level: the first reason naming the level reached (the score
/// that reached it, or the floor that raised it there; later reasons at the same level only
/// agree), else the first reason, else a plain "no reason".
///
/// Matching on the level's name keeps this independent of how the formulation words the rest
/// of its reasons.
pub fn deciding_reason(formulation: &Formulation) -> String {
    let level = formulation.urgency.as_str();
    let names_level = |reason: &&String| {
        reason
            .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .any(|word| word == level)
    };
    formulation
        .urgency_reasons
        .iter()
        .find(names_level)
        .or_else(|| formulation.urgency_reasons.first())
        .cloned()
        .unwrap_or_else(|| "no urgency reason given".to_owned())
}

/// Counts of reference code (rows) against sicol's code (columns), both in [`CODES`] order.
pub type Matrix = [[usize; 6]; 6];

/// The measures a service sets for its rule set. Under-triage has no setting: none is accepted.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Targets {
    /// The highest acceptable over-triage rate, in percent.
    pub max_over_triage: Option<f64>,
    /// The lowest acceptable exact-agreement rate, in percent.
    pub min_agreement: Option<f64>,
}

impl Targets {
    /// The targets issue 12 sets for the bundled rules: no under-triage, over-triage at most
    /// 20 %, exact agreement at least 80 %.
    pub const BUNDLED: Targets = Targets {
        max_over_triage: Some(20.0),
        min_agreement: Some(80.0),
    };
}

/// One target and whether the rule set met it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TargetResult {
    /// `under_triage`, `over_triage` or `exact_agreement`.
    pub measure: &'static str,
    /// The target in words, such as `≤ 20%`.
    pub target: String,
    /// The rate reached, in percent.
    pub rate: f64,
    /// Whether the rate meets the target.
    pub met: bool,
}

/// The outcome of every vignette under one rule set, and the measures over them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Concordance {
    /// The rule set measured.
    pub ruleset: RuleSetId,
    /// One outcome per vignette, in file order.
    pub outcomes: Vec<Outcome>,
}

/// Evaluates every vignette with the rule set.
pub fn measure(ruleset: &RuleSet, vignettes: &[Vignette]) -> Concordance {
    let outcomes = vignettes
        .iter()
        .map(|vignette| {
            Outcome::from_formulation(vignette, &evaluate(ruleset, &vignette.assessment))
        })
        .collect();
    Concordance {
        ruleset: ruleset.id.clone(),
        outcomes,
    }
}

/// A count as a percentage of `total`, 0 when there is nothing to count.
pub fn percent(count: usize, total: usize) -> f64 {
    if total == 0 {
        0.0
    } else {
        count as f64 * 100.0 / total as f64
    }
}

impl Concordance {
    /// How many vignettes were measured.
    pub fn total(&self) -> usize {
        self.outcomes.len()
    }

    /// How many outcomes have this verdict.
    pub fn count(&self, verdict: Verdict) -> usize {
        self.outcomes
            .iter()
            .filter(|outcome| outcome.verdict() == verdict)
            .count()
    }

    /// The rate of a verdict, in percent of all vignettes.
    pub fn rate(&self, verdict: Verdict) -> f64 {
        percent(self.count(verdict), self.total())
    }

    /// The confusion matrix: reference code rows against sicol's code columns.
    pub fn matrix(&self) -> Matrix {
        let mut matrix = [[0; 6]; 6];
        for outcome in &self.outcomes {
            matrix[index_of(outcome.reference.code)][index_of(outcome.sicol)] += 1;
        }
        matrix
    }

    /// Every outcome that is not exact: under-triage first (the unsafe ones), the furthest off
    /// first within each, then in file order.
    pub fn misses(&self) -> Vec<&Outcome> {
        let mut misses: Vec<&Outcome> = self
            .outcomes
            .iter()
            .filter(|outcome| outcome.verdict() != Verdict::Exact)
            .collect();
        misses.sort_by(|a, b| {
            a.verdict()
                .cmp(&b.verdict())
                .then_with(|| b.distance().cmp(&a.distance()))
                .then_with(|| a.file.cmp(&b.file))
        });
        misses
    }

    /// Each target with the rate reached and whether it is met: under-triage always (none is
    /// accepted), over-triage and agreement when the targets set them.
    pub fn targets(&self, targets: &Targets) -> Vec<TargetResult> {
        let total = self.total();
        let mut results = vec![TargetResult {
            measure: "under_triage",
            target: "0".to_owned(),
            rate: self.rate(Verdict::UnderTriage),
            met: self.count(Verdict::UnderTriage) == 0,
        }];
        // Compare counts rather than rounded rates, so 20 % of 50 is exactly 10 and meets ≤ 20 %.
        if let Some(max) = targets.max_over_triage {
            let over = self.count(Verdict::OverTriage);
            results.push(TargetResult {
                measure: "over_triage",
                target: format!("≤ {}%", trim_number(max)),
                rate: self.rate(Verdict::OverTriage),
                met: over as f64 * 100.0 <= max * total as f64,
            });
        }
        if let Some(min) = targets.min_agreement {
            let exact = self.count(Verdict::Exact);
            results.push(TargetResult {
                measure: "exact_agreement",
                target: format!("≥ {}%", trim_number(min)),
                rate: self.rate(Verdict::Exact),
                // Agreement on nothing is no agreement.
                met: total > 0 && exact as f64 * 100.0 >= min * total as f64,
            });
        }
        results
    }

    /// Whether every target is met (no under-triage, and the rates asked for).
    pub fn passed(&self, targets: &Targets) -> bool {
        self.targets(targets).iter().all(|result| result.met)
    }

    /// The report for a person: the matrix, the rates against their targets, and every miss.
    pub fn render_text(&self, targets: &Targets) -> String {
        let mut text = String::new();
        let total = self.total();
        let _ = writeln!(
            text,
            "MHTS concordance of {} {} on {total} reference {}",
            self.ruleset.name,
            self.ruleset.version,
            if total == 1 { "vignette" } else { "vignettes" }
        );
        text.push('\n');
        text.push_str(&render_matrix(&self.matrix()));
        text.push('\n');

        let results = self.targets(targets);
        let target_of = |measure: &str| {
            results
                .iter()
                .find(|result| result.measure == measure)
                .map(|result| {
                    format!(
                        "  target {}: {}",
                        result.target,
                        if result.met { "met" } else { "MISSED" }
                    )
                })
                .unwrap_or_default()
        };
        for (label, verdict, measure) in [
            ("exact agreement", Verdict::Exact, "exact_agreement"),
            ("over-triage", Verdict::OverTriage, "over_triage"),
            ("under-triage", Verdict::UnderTriage, "under_triage"),
        ] {
            let _ = writeln!(
                text,
                "{label:<16} {:>3} of {total}  {:>5.1}%{}",
                self.count(verdict),
                self.rate(verdict),
                target_of(measure)
            );
        }

        let misses = self.misses();
        if misses.is_empty() {
            text.push_str("\nno misses: every vignette got its reference code\n");
        } else {
            let _ = writeln!(
                text,
                "\n{} {} (under-triage first):",
                misses.len(),
                if misses.len() == 1 { "miss" } else { "misses" }
            );
            for outcome in misses {
                let word = match outcome.verdict() {
                    Verdict::UnderTriage => "UNDER",
                    Verdict::OverTriage => "over",
                    Verdict::Exact => "exact",
                };
                let _ = writeln!(text, "{word:<5}  {}", outcome.file);
                let _ = writeln!(
                    text,
                    "       reference {} {}: {}",
                    outcome.reference.code.triage_code(),
                    outcome.reference.code,
                    outcome.reference.descriptor
                );
                let _ = writeln!(
                    text,
                    "       sicol     {} {}: {}",
                    outcome.sicol.triage_code(),
                    outcome.sicol,
                    outcome.reason
                );
            }
        }
        let verdict = if self.passed(targets) {
            "targets met"
        } else {
            "targets MISSED"
        };
        let _ = write!(text, "\n{verdict}");
        text
    }

    /// The same as JSON, for CI dashboards: the matrix, counts, rates, targets and misses.
    pub fn to_json(&self, targets: &Targets) -> Value {
        let measure = |verdict: Verdict| {
            json!({
                "count": self.count(verdict),
                "rate": round1(self.rate(verdict)),
            })
        };
        let misses: Vec<Value> = self
            .misses()
            .into_iter()
            .map(|outcome| {
                json!({
                    "file": outcome.file,
                    "verdict": outcome.verdict(),
                    "reference": {
                        "code": outcome.reference.code.triage_code().to_string(),
                        "urgency": outcome.reference.code,
                        "descriptor": outcome.reference.descriptor,
                    },
                    "sicol": {
                        "code": outcome.sicol.triage_code().to_string(),
                        "urgency": outcome.sicol,
                        "reason": outcome.reason,
                    },
                })
            })
            .collect();
        let results: Vec<Value> = self
            .targets(targets)
            .into_iter()
            .map(|result| {
                json!({
                    "measure": result.measure,
                    "target": result.target,
                    "rate": round1(result.rate),
                    "met": result.met,
                })
            })
            .collect();
        json!({
            "ruleset": self.ruleset,
            "vignettes": self.total(),
            "matrix": {
                "rows": "reference",
                "columns": "sicol",
                "codes": CODES.iter().map(char::to_string).collect::<Vec<_>>(),
                "counts": self.matrix(),
            },
            "exact_agreement": measure(Verdict::Exact),
            "over_triage": measure(Verdict::OverTriage),
            "under_triage": measure(Verdict::UnderTriage),
            "targets": results,
            "passed": self.passed(targets),
            "misses": misses,
        })
    }
}

/// The confusion matrix as a text table: reference rows, sicol columns, a total per row and
/// column. Zeros off the diagonal are shown as `.` so the misses stand out; the diagonal (exact
/// agreement) is in brackets.
pub fn render_matrix(matrix: &Matrix) -> String {
    let mut text = String::new();
    let _ = writeln!(text, "{:<16}sicol", "");
    let _ = write!(text, "{:<16}", "reference");
    for code in CODES {
        let _ = write!(text, "{code:>5}");
    }
    let _ = writeln!(text, "{:>7}", "total");
    let mut column_totals = [0usize; 6];
    for (row, code) in CODES.iter().enumerate() {
        let level = urgency_for_code(*code).map_or("", Urgency::as_str);
        let _ = write!(text, "{code} {level:<14}");
        for (column, count) in matrix[row].iter().enumerate() {
            column_totals[column] += count;
            let cell = if row == column {
                format!("[{count}]")
            } else if *count == 0 {
                ".".to_owned()
            } else {
                count.to_string()
            };
            let _ = write!(text, "{cell:>5}");
        }
        let _ = writeln!(text, "{:>7}", matrix[row].iter().sum::<usize>());
    }
    let _ = write!(text, "{:<16}", "total");
    for total in column_totals {
        let _ = write!(text, "{total:>5}");
    }
    let _ = writeln!(text, "{:>7}", column_totals.iter().sum::<usize>());
    text
}

/// A percentage as written in a target: `20` rather than `20.0`, `12.5` as it is.
fn trim_number(value: f64) -> String {
    if value.fract() == 0.0 {
        format!("{value:.0}")
    } else {
        format!("{value}")
    }
}

/// Rounds to one decimal, as the rates are shown.
fn round1(value: f64) -> f64 {
    (value * 10.0).round() / 10.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_map_to_urgency_levels_and_back() {
        for (code, urgency) in CODES.iter().zip(Urgency::ALL.iter().rev()) {
            assert_eq!(urgency_for_code(*code), Some(*urgency));
            assert_eq!(urgency.triage_code(), *code);
        }
        assert_eq!(urgency_for_code('G'), None);
        assert_eq!(urgency_for_code('a'), None);
    }

    #[test]
    fn percentages_are_of_the_total_and_zero_when_there_is_nothing() {
        assert_eq!(percent(1, 4), 25.0);
        assert_eq!(percent(0, 0), 0.0);
        assert_eq!(trim_number(20.0), "20");
        assert_eq!(trim_number(12.5), "12.5");
        assert_eq!(round1(83.333), 83.3);
    }
}
