//! The Mental Health Act decision an assessment ends in, and whether the person agreed to the
//! plan. Like the person's choices it is recorded alongside the formulation and never changes
//! it: it is what the AMHP decided, not what sicol concluded.

use serde::{Deserialize, Serialize};

use crate::model::terms::MhaOutcome;

/// What the assessment decided under the Mental Health Act.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
// No `deny_unknown_fields`: records are read back by later sicols, which may know more fields.
pub struct MhaDecision {
    /// The outcome.
    pub outcome: MhaOutcome,
    /// Whether the person agreed to the plan; absent is not recorded, never "no".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agreed_to_plan: Option<bool>,
    /// The AMHP's note, required in words for "other".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}
