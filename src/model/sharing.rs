//! What a referral packet may tell a partner beyond the referral itself (issue 15, Caldicott:
//! the minimum necessary). Each referral category in `rules/vocabulary.yaml` lists under `share:`
//! the parts of the assessment its partners need; a category that lists nothing gets only the
//! referral's own reasons, how soon, consent, and who coordinates. These names are parts of the
//! assessment (DESIGN §1), structure rather than vocabulary, so they are fixed here.

use serde::{Deserialize, Serialize};

/// A part of the assessment a packet may share.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Share {
    /// Age, where the person lives and dependants.
    Person,
    /// The social stressors recorded, with their severity, dates and notes.
    Stressors,
    /// The medical factors recorded, with their severity and notes.
    Medical,
    /// The strengths recorded.
    Strengths,
    /// The overall urgency on the triage scale and why.
    Urgency,
    /// The person's wishes, in their own words.
    Wishes,
}

impl Share {
    /// Every part, in the order a packet shows them.
    pub const ALL: [Share; 6] = [
        Share::Person,
        Share::Urgency,
        Share::Stressors,
        Share::Medical,
        Share::Strengths,
        Share::Wishes,
    ];
}
