//! What the person is offered to accept, decline or defer: one offer per partner referral in the
//! formulation's plan (keyed by partner id, as `sicol evaluate --choices` is), and one per need
//! no partner could take (keyed by its category), so that the person can still say whether they
//! want it looked for. Each offer carries what an AMHP needs to act on it there and then: the
//! partner's full name, whether it leads, how to reach it and when, how soon and why.

use crate::formulation::Formulation;
use crate::model::{ReferralUrgency, Vocabulary};

/// One referral offered to the person.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReferralOffer {
    /// The key the person's choice is stored under: the partner id, or the category of a gap.
    pub key: String,
    /// The partner's full name, or the need's category for a need no partner could take.
    pub name: String,
    /// What it helps with, in the vocabulary's words.
    pub categories: Vec<String>,
    /// What it is, in words: the name with what it helps with.
    pub label: String,
    /// Whether it coordinates the case, and how.
    pub lead: Option<Lead>,
    /// Phone or e-mail; `None` for a need without a partner.
    pub contact: Option<String>,
    /// Opening hours in words, with whether it was open at the time of the assessment.
    pub hours: Option<String>,
    /// How soon.
    pub urgency: ReferralUrgency,
    /// Why, each with the rule that asked (`why — rule`), each said once.
    pub reasons: Vec<String>,
    /// What the referral falls short of, as the formulation says it (no same-day capacity, not
    /// open in time, no partner at all): the AMHP must arrange what is missing.
    pub gaps: Vec<String>,
    /// Why this partner and why not the others, what to confirm first and the route, one line
    /// each, as the text summary says them (`formulation::render::referral_explanation`).
    pub explanation: Vec<String>,
}

/// How the lead coordinator leads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lead {
    /// A clinical service leads because of the risk; social partners work alongside.
    pub clinical: bool,
    /// Why this partner leads.
    pub why: String,
}

/// The referrals a formulation offers, most urgent first (the plan's order), then the needs left
/// without a partner.
pub fn referral_offers(formulation: &Formulation, vocabulary: &Vocabulary) -> Vec<ReferralOffer> {
    let partners = formulation.referrals.iter().map(|referral| {
        let categories: Vec<String> = referral
            .categories
            .iter()
            .map(|category| vocabulary.label(category).to_owned())
            .collect();
        let lead = formulation
            .lead_coordinator
            .as_ref()
            .filter(|lead| lead.partner == referral.partner)
            .map(|lead| Lead {
                clinical: lead.clinical,
                why: lead.why.clone(),
            });
        let open = if referral.open_at_assessment {
            "open at the time of the assessment"
        } else {
            "closed at the time of the assessment"
        };
        let same_day = if referral.same_day {
            ", can act the same day"
        } else {
            ""
        };
        let reasons = distinct_reasons(
            referral
                .reasons
                .iter()
                .map(|reason| (reason.why.as_str(), reason.rule.as_str())),
        );
        ReferralOffer {
            key: referral.partner.clone(),
            name: referral.name.clone(),
            label: format!("{} ({})", referral.name, categories.join(", ")),
            categories,
            lead,
            contact: Some(referral.contact.clone()),
            hours: Some(format!("{} ({open}{same_day})", referral.hours)),
            urgency: referral.urgency,
            reasons,
            gaps: formulation
                .gaps
                .iter()
                .filter(|gap| gap.referred_to.as_deref() == Some(referral.partner.as_str()))
                .map(|gap| gap.message.clone())
                .collect(),
            explanation: crate::formulation::render::referral_explanation(referral),
        }
    });
    let unmet = formulation
        .gaps
        .iter()
        .filter(|gap| gap.kind.unmet())
        .map(|gap| {
            let name = vocabulary.label(&gap.category).to_owned();
            let missing = if gap.kind == crate::referrals::GapKind::Declined {
                "declined; no other partner"
            } else {
                "no partner found"
            };
            ReferralOffer {
                key: gap.category.clone(),
                label: format!("{name} ({missing})"),
                categories: vec![name.clone()],
                name,
                lead: None,
                contact: None,
                hours: None,
                urgency: gap.urgency,
                reasons: distinct_reasons(
                    gap.reasons
                        .iter()
                        .map(|reason| (reason.why.as_str(), reason.rule.as_str())),
                ),
                gaps: vec![gap.message.clone()],
                explanation: Vec::new(),
            }
        });
    partners.chain(unmet).collect()
}

/// Each reason once, as `why — rule`. One rule often asks for two categories of the same partner
/// with the same words, or with the same words and a clause more ("less than once a week" and
/// "less than once a week: a welcoming community group"); the longer says it all, so only it is
/// kept.
pub fn distinct_reasons<'a>(reasons: impl Iterator<Item = (&'a str, &'a str)>) -> Vec<String> {
    let reasons: Vec<(&str, &str)> = reasons.collect();
    let mut kept: Vec<String> = Vec::new();
    for (index, (why, rule)) in reasons.iter().enumerate() {
        let said_more_elsewhere = reasons.iter().enumerate().any(|(other, (longer, by))| {
            other != index && by == rule && longer.len() > why.len() && longer.starts_with(why)
        });
        let text = format!("{why} — {rule}");
        if !said_more_elsewhere && !kept.contains(&text) {
            kept.push(text);
        }
    }
    kept
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reason_is_said_once() {
        let reasons = distinct_reasons(
            [
                ("less than once a week", "isolation.social_isolation"),
                (
                    "less than once a week: a community group",
                    "isolation.social_isolation",
                ),
                ("debts", "money.debt"),
                ("debts", "money.debt"),
                ("less than once a week", "other.rule"),
            ]
            .into_iter(),
        );
        assert_eq!(
            reasons,
            [
                "less than once a week: a community group — isolation.social_isolation",
                "debts — money.debt",
                "less than once a week — other.rule",
            ]
        );
    }
}
