//! What the person is offered to accept, decline or defer. Until partner-resolved referrals land
//! in the formulation, each offer is one of the formulation's needs (one per referral category),
//! and the person's choice is keyed by the category. This is the one place to change when offers
//! become partner referrals.

use crate::formulation::Formulation;
use crate::model::{ReferralUrgency, Vocabulary};

/// One referral offered to the person.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReferralOffer {
    /// The key the person's choice is stored under (today the referral category).
    pub key: String,
    /// What it is, in words.
    pub label: String,
    /// How soon.
    pub urgency: ReferralUrgency,
    /// Why, each with the rule that asked (`why — rule`).
    pub reasons: Vec<String>,
}

/// The referrals a formulation offers, most urgent first.
pub fn referral_offers(formulation: &Formulation, vocabulary: &Vocabulary) -> Vec<ReferralOffer> {
    formulation
        .needs
        .iter()
        .map(|need| ReferralOffer {
            key: need.category.clone(),
            label: vocabulary.label(&need.category).to_owned(),
            urgency: need.urgency,
            reasons: need
                .reasons
                .iter()
                .map(|reason| format!("{} — {}", reason.why, reason.rule))
                .collect(),
        })
        .collect()
}
