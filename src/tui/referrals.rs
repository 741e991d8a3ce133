//! What the person is offered to accept, decline or defer: one offer per partner referral in the
//! formulation's plan (keyed by partner id, as `sicol evaluate --choices` is), and one per need
//! no partner could take (keyed by its category), so that the person can still say whether they
//! want it looked for.

use crate::formulation::Formulation;
use crate::model::{ReferralUrgency, Vocabulary};

/// One referral offered to the person.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReferralOffer {
    /// The key the person's choice is stored under: the partner id, or the category of a gap.
    pub key: String,
    /// What it is, in words.
    pub label: String,
    /// How soon.
    pub urgency: ReferralUrgency,
    /// Why, each with the rule that asked (`why — rule`); first, for the lead coordinator, why
    /// this partner leads.
    pub reasons: Vec<String>,
}

/// The referrals a formulation offers, most urgent first (the plan's order), then the needs left
/// without a partner.
pub fn referral_offers(formulation: &Formulation, vocabulary: &Vocabulary) -> Vec<ReferralOffer> {
    let partners = formulation.referrals.iter().map(|referral| {
        let categories: Vec<&str> = referral
            .categories
            .iter()
            .map(|category| vocabulary.label(category))
            .collect();
        let lead = formulation
            .lead_coordinator
            .as_ref()
            .filter(|lead| lead.partner == referral.partner)
            .map(|lead| {
                format!(
                    "lead coordinator, the person's one case worker: {}",
                    lead.why
                )
            });
        ReferralOffer {
            key: referral.partner.clone(),
            label: format!("{} ({})", referral.name, categories.join(", ")),
            urgency: referral.urgency,
            reasons: lead
                .into_iter()
                .chain(
                    referral
                        .reasons
                        .iter()
                        .map(|reason| format!("{} — {}", reason.why, reason.rule)),
                )
                .collect(),
        }
    });
    let unmet = formulation
        .gaps
        .iter()
        .filter(|gap| gap.kind.unmet())
        .map(|gap| ReferralOffer {
            key: gap.category.clone(),
            label: format!("{} (no partner found)", vocabulary.label(&gap.category)),
            urgency: gap.urgency,
            reasons: vec![gap.message.clone()],
        });
    partners.chain(unmet).collect()
}
