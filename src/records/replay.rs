//! Replay: recompute a record's formulation under a rule set and compare it with what was
//! recorded, and tally how a rule change moves a store of records (`sicol rules impact`).
//!
//! Pure: the caller supplies the record and the compiled rule set (the store keeps a copy of
//! every rule set a record was made with, see [`super::store`]).

use std::cmp::Ordering;
use std::collections::BTreeSet;

use serde::Serialize;
use serde_json::Value;

use crate::error::{Problem, Problems};
use crate::model::{Assessment, Vocabulary};
use crate::rules::{RuleSet, RuleSetId};
use crate::source::Position;

use super::diff::{Drift, RULESET_FIELD};
use super::impact::{moves, Margin, Move, Outcome};
use super::{to_value, JsonPart, Record, RecordId};

/// The outcome of replaying one record.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Replay {
    /// The rule set it was replayed under.
    pub under: RuleSetId,
    /// True when that is the rule set the record was made with (an exact match is then due).
    pub own_rules: bool,
    /// The recomputed formulation.
    pub recomputed: JsonPart,
    /// Every difference from the recorded formulation. Under another rule set the `ruleset`
    /// field is left out: it differs by definition.
    pub drift: Drift,
}

/// Recomputes a record's formulation under `rules`. The assessment is checked again against the
/// rule set's vocabulary, so a kind that a new vocabulary dropped is reported, not guessed at.
pub fn recompute(record: &Record, rules: &RuleSet) -> Result<Value, Problems> {
    let checked = checked_assessment(record, &rules.vocabulary)?;
    Ok(to_value(&crate::evaluate(rules, &checked)))
}

/// A record's assessment, checked again against `vocabulary` as an assessment file would be.
pub fn checked_assessment(
    record: &Record,
    vocabulary: &Vocabulary,
) -> Result<Assessment, Problems> {
    let origin = format!("record {}", record.id);
    if let Some(follows) = record.follows() {
        return Err(Problem::new(
            &origin,
            Position::default(),
            "",
            format!(
                "this is a follow-up or referral status of record {follows}, with no formulation to recompute"
            ),
        )
        .into());
    }
    // The assessment as kept is checked directly from its text; only when that fails is it
    // read the way it always was (typed, written out as YAML, parsed back), so a record that an
    // older build wrote differently, and every problem report, stay exactly as before.
    if let Ok(checked) = Assessment::from_json_text(record.assessment.text(), &origin, vocabulary) {
        return Ok(checked);
    }
    if let Ok(checked) = Assessment::from_json(&record.assessment, &origin, vocabulary) {
        return Ok(checked);
    }
    let assessment = record.typed_assessment().map_err(|error| {
        Problem::new(
            &origin,
            Position::default(),
            "assessment",
            format!("the assessment cannot be read: {error}"),
        )
    })?;
    // Checked through the same parser as an assessment file; positions would point into this
    // regenerated text, not a file the user has, so they are dropped.
    Assessment::parse(&assessment.to_yaml(), &origin, vocabulary).map_err(|problems| {
        Problems(
            problems
                .0
                .into_iter()
                .map(|problem| Problem {
                    position: Position::default(),
                    field: if problem.field.is_empty() {
                        "assessment".to_owned()
                    } else {
                        format!("assessment.{}", problem.field)
                    },
                    ..problem
                })
                .collect(),
        )
    })
}

/// Replays a record under `rules` and compares the result with the recorded formulation.
pub fn replay(record: &Record, rules: &RuleSet) -> Result<Replay, Problems> {
    let checked = checked_assessment(record, &rules.vocabulary)?;
    let formulation = crate::evaluate(rules, &checked);
    let own_rules = rules.id.sha256 == record.ruleset.sha256;
    // Nearly every replay under its own rules matches: the recomputed formulation's canonical
    // text is then the recorded one, byte for byte, and needs no value tree and no diff.
    if own_rules {
        let recomputed = JsonPart::of(&formulation);
        if recomputed == record.formulation {
            return Ok(Replay {
                under: rules.id.clone(),
                own_rules,
                recomputed,
                drift: Drift::default(),
            });
        }
    }
    let recomputed = to_value(&formulation);
    let unchanged = if own_rules {
        record.formulation.is(&recomputed)
    } else {
        same_but(&record.formulation, &recomputed, RULESET_FIELD)
    };
    let drift = if unchanged {
        Drift::default()
    } else if own_rules {
        Drift::between(&record.formulation, &recomputed)
    } else {
        Drift::between(&record.formulation, &recomputed).without(RULESET_FIELD)
    };
    Ok(Replay {
        under: rules.id.clone(),
        own_rules,
        recomputed: recomputed.into(),
        drift,
    })
}

/// Whether two formulations are equal in every top-level field but `field` (which differs by
/// definition under another rule set): the cheap test that spares the diff when nothing moved.
fn same_but(a: &Value, b: &Value, field: &str) -> bool {
    match (a, b) {
        (Value::Object(a), Value::Object(b)) => {
            let count = |map: &serde_json::Map<String, Value>| {
                map.keys().filter(|key| key.as_str() != field).count()
            };
            count(a) == count(b)
                && a.iter()
                    .filter(|(key, _)| key.as_str() != field)
                    .all(|(key, value)| b.get(key) == Some(value))
        }
        _ => a == b,
    }
}

/// One case whose outcome a rule change moves.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CaseImpact {
    /// The record.
    pub record: RecordId,
    /// The case id.
    pub case: String,
    /// What moved, headline first (see [`Drift::headlines`]).
    pub headlines: Vec<String>,
    /// The outcome before the change.
    pub before: Outcome,
    /// The outcome after the change.
    pub after: Outcome,
    /// How far the new score sits from the nearest urgency cut-off of the new rules.
    pub margin: Option<Margin>,
    /// Every changed field.
    pub drift: Drift,
}

impl CaseImpact {
    fn balance_changed(&self) -> bool {
        self.drift.scalar("balance").is_some()
    }

    fn urgency(&self) -> Option<Ordering> {
        self.drift.urgency_direction()
    }

    fn recommendation_changed(&self) -> bool {
        self.drift.scalar("recommendation").is_some()
    }

    /// Whether what a person acts on moved: urgency, recommendation, lead coordinator or the
    /// partners referred to.
    pub fn outcome_changed(&self) -> bool {
        self.before.differs_from(&self.after)
    }

    /// The score and urgency before → after, with the margin to the nearest cut-off (rule sets
    /// with `urgency_cutoffs`) or the triage-scale descriptor that set the level (risk-led rule
    /// sets), such as `score 7.4 → 8.6, moderate → high, 0.6 above the cut-off for high (8)` or
    /// `score 9.1 → 9.1, high → very_high, risk C “…” → B “…”`.
    pub fn magnitude(&self) -> String {
        let mut text = format!(
            "score {} → {}",
            self.before.urgency_score, self.after.urgency_score
        );
        if self.before.urgency == self.after.urgency {
            text.push_str(&format!(", {} (unchanged)", self.after.urgency));
        } else {
            text.push_str(&format!(
                ", {} → {}",
                self.before.urgency, self.after.urgency
            ));
        }
        if let Some(margin) = &self.margin {
            text.push_str(&format!(", {margin}"));
        }
        // In a risk-led rule set the level comes from a descriptor, not a cut-off: say which.
        if self.before.risk != self.after.risk {
            text.push_str(&format!(
                ", risk {} → {}",
                self.before.risk, self.after.risk
            ));
        } else if self.margin.is_none() && self.after.risk != "none" {
            text.push_str(&format!(", risk {} (unchanged)", self.after.risk));
        }
        text
    }
}

/// How a new rule set moves a store's records, compared with the rules each was made with.
/// Only current records count: one that a later revision supersedes is set aside.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct Impact {
    /// Every record compared.
    pub compared: Vec<RecordId>,
    /// Records set aside because a later revision supersedes them.
    pub superseded: Vec<RecordId>,
    /// Cases with any change at all (including reasons and 5P wording).
    pub changed: Vec<CaseImpact>,
    /// Records whose own rules no longer give the recorded formulation: the engine or the record
    /// drifted, so their comparison is against the recomputed, not the recorded, outcome.
    pub drifted: Vec<RecordId>,
    /// Records whose rule set copy is missing or damaged, compared from the recorded outcome.
    pub without_own_rules: Vec<RecordId>,
    /// Records that could not be compared, with why.
    pub failed: Vec<(RecordId, String)>,
}

impl Impact {
    /// Adds one record: `baseline` is its formulation under the rules compared against (the
    /// rules deployed now, or its own, or the recorded one when those cannot be had), `new` the
    /// formulation under `new_rules`.
    pub fn add(&mut self, record: &Record, baseline: &Value, new: &Value, new_rules: &RuleSet) {
        self.compared.push(record.id);
        if same_but(baseline, new, RULESET_FIELD) {
            return;
        }
        let drift = Drift::between(baseline, new).without(RULESET_FIELD);
        if drift.is_empty() {
            return;
        }
        let after = Outcome::of(new);
        self.changed.push(CaseImpact {
            record: record.id,
            case: record.case().to_owned(),
            headlines: drift.headlines(),
            before: Outcome::of(baseline),
            margin: Margin::of(after.urgency_score, new_rules),
            after,
            drift,
        });
    }

    /// Adds one record whose outcome the change leaves exactly as it was.
    pub fn add_unchanged(&mut self, record: &Record) {
        self.compared.push(record.id);
    }

    /// The from → to table over every changed case (or only those whose outcome moved).
    pub fn moves(&self, only_outcome: bool) -> Vec<Move> {
        moves(
            self.changed
                .iter()
                .filter(|case| !only_outcome || case.outcome_changed())
                .map(|case| (&case.before, &case.after)),
        )
    }

    /// Cases whose outcome (urgency, recommendation, lead coordinator, partners) moves.
    pub fn outcome(&self) -> usize {
        self.count(CaseImpact::outcome_changed)
    }

    /// Cases whose lead coordinator changes.
    pub fn lead(&self) -> usize {
        self.count(|case| case.before.lead_coordinator != case.after.lead_coordinator)
    }

    /// Notes a record whose own rules no longer reproduce it.
    pub fn add_drifted(&mut self, record: RecordId) {
        self.drifted.push(record);
    }

    /// Notes a record whose rule set copy could not be loaded.
    pub fn add_without_own_rules(&mut self, record: RecordId) {
        self.without_own_rules.push(record);
    }

    /// Notes a record that could not be compared.
    pub fn add_failed(&mut self, record: RecordId, why: impl Into<String>) {
        self.failed.push((record, why.into()));
    }

    /// Remembers which record a revision replaces; call for every record read, even one that
    /// could not be compared, so that [`Impact::finish`] sets the right ones aside.
    pub fn note_supersedes(&mut self, record: &Record) {
        if let Some(replaced) = record.supersedes {
            self.superseded.push(replaced);
        }
    }

    /// Sets aside the records that later revisions supersede; call once all records are added.
    pub fn finish(&mut self) {
        self.superseded.sort();
        self.superseded.dedup();
        let superseded: BTreeSet<RecordId> = self.superseded.iter().copied().collect();
        self.compared.retain(|id| !superseded.contains(id));
        self.changed
            .retain(|case| !superseded.contains(&case.record));
        self.drifted.retain(|id| !superseded.contains(id));
        self.without_own_rules.retain(|id| !superseded.contains(id));
        self.failed.retain(|(id, _)| !superseded.contains(id));
    }

    /// Current records compared.
    pub fn records(&self) -> usize {
        self.compared.len()
    }

    /// Cases whose balance changes.
    pub fn balance(&self) -> usize {
        self.count(CaseImpact::balance_changed)
    }

    /// Cases whose urgency goes up.
    pub fn urgency_up(&self) -> usize {
        self.count(|case| case.urgency() == Some(Ordering::Greater))
    }

    /// Cases whose urgency goes down.
    pub fn urgency_down(&self) -> usize {
        self.count(|case| case.urgency() == Some(Ordering::Less))
    }

    /// Cases whose recommendation changes.
    pub fn recommendation(&self) -> usize {
        self.count(CaseImpact::recommendation_changed)
    }

    /// Cases whose needs or referrals change.
    pub fn referrals(&self) -> usize {
        self.count(|case| case.drift.touches_referrals())
    }

    fn count(&self, test: impl Fn(&CaseImpact) -> bool) -> usize {
        self.changed.iter().filter(|case| test(case)).count()
    }
}
