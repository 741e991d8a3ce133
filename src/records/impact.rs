//! What a service lead decides a rule change on: for each moved case, the outcome before and
//! after (urgency with its score, recommendation, balance, lead coordinator, partners referred
//! to), how far the new score sits from the nearest urgency cut-off, and a table of every
//! from → to move with how many cases make it.
//!
//! Pure: reads formulations as JSON values, like the rest of `records`, so that records made by
//! older versions are compared without changes here.

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::Value;

use crate::formulation::round_to_cents;
use crate::model::Urgency;
use crate::rules::RuleSet;

/// The outcome of one formulation: what a person acts on.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Outcome {
    /// The urgency level.
    pub urgency: String,
    /// The urgency score before floors.
    pub urgency_score: f64,
    /// The recommendation option.
    pub recommendation: String,
    /// The balance.
    pub balance: String,
    /// The lead coordinator's partner id, or `none`.
    pub lead_coordinator: String,
    /// Partners referred to (ids, sorted); for records from before partner resolution, the
    /// categories needed.
    pub referrals: Vec<String>,
    /// Whether the formulation is marked incomplete (a rule failed).
    pub incomplete: bool,
    /// The risk that set the urgency in a risk-led rule set: its triage code and the scale's
    /// descriptor, such as `B “acute suicidal ideation with a clear plan or means”`; `none` when
    /// no descriptor was met or the formulation has no risk line (older rules).
    pub risk: String,
}

impl Outcome {
    /// Reads the outcome from a formulation's JSON.
    pub fn of(formulation: &Value) -> Outcome {
        let text = |field: &str| {
            formulation
                .get(field)
                .and_then(Value::as_str)
                .unwrap_or("unknown")
                .to_owned()
        };
        let mut referrals: Vec<String> = match formulation.get("referrals") {
            Some(Value::Array(list)) => list
                .iter()
                .filter_map(|referral| referral.get("partner").and_then(Value::as_str))
                .map(str::to_owned)
                .collect(),
            _ => formulation
                .get("needs")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(|need| need.get("category").and_then(Value::as_str))
                .map(str::to_owned)
                .collect(),
        };
        referrals.sort();
        Outcome {
            urgency: text("urgency"),
            urgency_score: formulation
                .get("urgency_score")
                .and_then(Value::as_f64)
                .unwrap_or(0.0),
            recommendation: text("recommendation"),
            balance: text("balance"),
            lead_coordinator: formulation
                .get("lead_coordinator")
                .and_then(|lead| lead.get("partner"))
                .and_then(Value::as_str)
                .unwrap_or("none")
                .to_owned(),
            referrals,
            incomplete: formulation
                .get("incomplete")
                .and_then(Value::as_bool)
                .unwrap_or(false),
            risk: formulation
                .get("risk")
                .and_then(|risk| {
                    let code = risk.get("triage_code")?.as_str()?;
                    let descriptor = risk.get("descriptor")?.as_str()?;
                    Some(format!("{code} \u{201c}{descriptor}\u{201d}"))
                })
                .unwrap_or_else(|| "none".to_owned()),
        }
    }

    /// Whether what a person acts on differs: urgency, recommendation, lead coordinator or the
    /// partners referred to (`--only outcome`).
    pub fn differs_from(&self, other: &Outcome) -> bool {
        self.urgency != other.urgency
            || self.recommendation != other.recommendation
            || self.lead_coordinator != other.lead_coordinator
            || self.referrals != other.referrals
    }
}

/// How far a score sits from the nearest urgency cut-off of a rule set, so a reader sees whether
/// a case moved by a hair or by a mile, and which cases sit on an edge.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Margin {
    /// The level whose cut-off is nearest.
    pub level: Urgency,
    /// That cut-off.
    pub cutoff: f64,
    /// Score minus cut-off: positive above, negative below.
    pub distance: f64,
}

impl Margin {
    /// The nearest cut-off of `rules` to `score`; `None` for a risk-led rule set (no
    /// `urgency_cutoffs`), where the score does not set the level and the risk line says what did.
    pub fn of(score: f64, rules: &RuleSet) -> Option<Margin> {
        rules
            .config
            .thresholds
            .urgency_cutoffs
            .as_ref()?
            .ladder()
            .into_iter()
            .map(|(level, cutoff)| Margin {
                level,
                cutoff,
                distance: round_to_cents(score - cutoff),
            })
            .min_by(|a, b| a.distance.abs().total_cmp(&b.distance.abs()))
    }
}

impl std::fmt::Display for Margin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let side = if self.distance >= 0.0 {
            "above"
        } else {
            "below"
        };
        write!(
            f,
            "{} {side} the cut-off for {} ({})",
            round_to_cents(self.distance.abs()),
            self.level,
            self.cutoff
        )
    }
}

/// One line of the from → to table: what moved, from what to what, in how many cases.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Move {
    /// `urgency`, `recommendation`, `balance` or `lead coordinator`.
    pub what: &'static str,
    /// The value before.
    pub from: String,
    /// The value after.
    pub to: String,
    /// How many cases make this move.
    pub cases: usize,
}

/// Every from → to move of the pairs (before, after), most cases first within each kind of
/// move; urgency first, then recommendation, lead coordinator and balance.
pub fn moves<'a>(pairs: impl IntoIterator<Item = (&'a Outcome, &'a Outcome)>) -> Vec<Move> {
    const WHAT: [&str; 4] = ["urgency", "recommendation", "lead coordinator", "balance"];
    let mut counts: BTreeMap<(usize, String, String), usize> = BTreeMap::new();
    for (before, after) in pairs {
        let fields = [
            (&before.urgency, &after.urgency),
            (&before.recommendation, &after.recommendation),
            (&before.lead_coordinator, &after.lead_coordinator),
            (&before.balance, &after.balance),
        ];
        for (index, (from, to)) in fields.into_iter().enumerate() {
            if from != to {
                *counts.entry((index, from.clone(), to.clone())).or_default() += 1;
            }
        }
    }
    let mut moves: Vec<Move> = counts
        .into_iter()
        .map(|((index, from, to), cases)| Move {
            what: WHAT[index],
            from,
            to,
            cases,
        })
        .collect();
    // Stable: within one kind and count, the BTreeMap's order (from, then to) stays.
    moves.sort_by_key(|line| {
        (
            WHAT.iter().position(|what| *what == line.what),
            std::cmp::Reverse(line.cases),
        )
    });
    moves
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn an_outcome_reads_partners_and_the_lead() {
        let outcome = Outcome::of(&json!({
            "urgency": "high", "urgency_score": 8.5, "recommendation": "crisis_team",
            "balance": "mixed",
            "lead_coordinator": { "partner": "b" },
            "referrals": [{ "partner": "b" }, { "partner": "a" }],
        }));
        assert_eq!(outcome.referrals, ["a", "b"]);
        assert_eq!(outcome.lead_coordinator, "b");
        assert!(!outcome.incomplete);
    }

    #[test]
    fn moves_are_counted_by_kind_then_most_first() {
        let outcome = |urgency: &str, lead: &str| Outcome {
            urgency: urgency.into(),
            urgency_score: 0.0,
            recommendation: "r".into(),
            balance: "mixed".into(),
            lead_coordinator: lead.into(),
            referrals: Vec::new(),
            incomplete: false,
            risk: "none".into(),
        };
        let (low, moderate, high) = (
            outcome("low", "a"),
            outcome("moderate", "a"),
            outcome("high", "b"),
        );
        let table = moves([(&low, &moderate), (&moderate, &high), (&low, &moderate)]);
        let lines: Vec<String> = table
            .iter()
            .map(|m| format!("{} {} → {} {}", m.what, m.from, m.to, m.cases))
            .collect();
        assert_eq!(
            lines,
            [
                "urgency low → moderate 2",
                "urgency moderate → high 1",
                "lead coordinator a → b 1"
            ]
        );
    }
}
