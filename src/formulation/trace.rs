//! What rules contribute to a formulation, each item carrying the rule that made it. These are the
//! raw materials the rules runtime collects and the formulation weighs.

use serde::{Deserialize, Serialize};

use crate::model::{Domain, FiveP, ReferralUrgency, Urgency};

/// One weighed factor.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Contribution {
    /// A vocabulary kind, or kinds joined with `+` for a combination.
    pub kind: String,
    /// Which side it weighs on.
    pub domain: Domain,
    /// How much it weighs; never negative.
    #[serde(serialize_with = "crate::formulation::round2")]
    pub weight: f64,
    /// The rule that weighed it, `<script>.<rule>`.
    pub rule: String,
    /// Why, in words built from the record.
    pub why: String,
}

/// A rule's request that a category of partner be involved.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReferralRequest {
    /// A vocabulary referral category.
    pub category: String,
    /// How soon.
    pub urgency: ReferralUrgency,
    /// Why, in words built from the record.
    pub why: String,
    /// The rule that asked.
    pub rule: String,
}

/// A rule's demand that urgency be at least some level, whatever the score says.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UrgencyFloor {
    /// The lowest acceptable level.
    pub level: Urgency,
    /// Why.
    pub why: String,
    /// The rule that set it.
    pub rule: String,
    /// The UK Mental Health Triage Scale descriptor the presentation meets, in the scale's words,
    /// when the floor comes from a risk (`risk_floor`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub descriptor: Option<String>,
}

/// A named flag a rule raised (declared under `flags:` in `ruleset.yaml`), such as "already with
/// an on-site emergency team"; the recommendation ladder can ask for it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RaisedFlag {
    /// The flag's name.
    pub name: String,
    /// Why, in words built from the record.
    pub why: String,
    /// The rule that raised it.
    pub rule: String,
}

/// One entry of the 5 Ps, as a rule wrote it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FivePEntry {
    /// Which P.
    pub p: FiveP,
    /// The text.
    pub text: String,
    /// The rule that wrote it.
    pub rule: String,
}

/// A free note from a rule to the assessor.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Note {
    /// The note.
    pub text: String,
    /// The rule that wrote it.
    pub rule: String,
}

/// A rule that failed or was stopped; the rest of the formulation still stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RuleWarning {
    /// The script file, as named in `ruleset.yaml`.
    pub file: String,
    /// Line in the script, 0 when unknown.
    pub line: usize,
    /// Column in the script, 0 when unknown.
    pub column: usize,
    /// The rule that was speaking when it failed.
    pub rule: String,
    /// What went wrong, in words.
    pub message: String,
}

impl std::fmt::Display for RuleWarning {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}:{}:{}: rule {} stopped: {}",
            self.file, self.line, self.column, self.rule, self.message
        )
    }
}

impl RuleOutput {
    /// The risk so far: the floor of the highest level set with a triage-scale descriptor
    /// (`risk_floor`), the first one at that level. Floors without a descriptor (a physical
    /// emergency) set the urgency but are not a mental-health risk.
    pub fn highest_risk(&self) -> Option<&UrgencyFloor> {
        let mut best: Option<&UrgencyFloor> = None;
        for floor in self
            .urgency_floors
            .iter()
            .filter(|floor| floor.descriptor.is_some())
        {
            if best.is_none_or(|best| floor.level > best.level) {
                best = Some(floor);
            }
        }
        best
    }
}

/// Everything the rules said about one assessment.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct RuleOutput {
    /// Weighed factors in the order rules added them.
    pub contributions: Vec<Contribution>,
    /// Referral requests in the order rules made them.
    pub referral_requests: Vec<ReferralRequest>,
    /// Urgency floors.
    pub urgency_floors: Vec<UrgencyFloor>,
    /// Flags raised, each once, in the order first raised.
    pub flags: Vec<RaisedFlag>,
    /// 5P entries.
    pub five_ps: Vec<FivePEntry>,
    /// Notes.
    pub notes: Vec<Note>,
    /// Rules that failed or were stopped.
    pub warnings: Vec<RuleWarning>,
    /// Scripts that ran, in order (scripts skipped by their `when:` are not listed).
    pub scripts_run: Vec<String>,
}
