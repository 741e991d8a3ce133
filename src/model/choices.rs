//! The person's say in their plan: for each referral offered, whether they accept it, decline it
//! (with their reason, if they give one) or want to think about it. Choices are part of the saved
//! record and never change the formulation's weights.

use serde::{Deserialize, Serialize};

/// What the person decided about one referral.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Decision {
    /// The person wants this referral made.
    Accepted,
    /// The person does not want it.
    Declined,
    /// The person wants to decide later.
    Deferred,
}

impl Decision {
    /// The decision in plain words.
    pub fn label(self) -> &'static str {
        match self {
            Decision::Accepted => "accepted",
            Decision::Declined => "declined",
            Decision::Deferred => "deferred",
        }
    }
}

/// The person's choice about the referral to one partner (or, where no partner could be found,
/// one referral category).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReferralChoice {
    /// The partner id from `partners.yaml`, or the category for a gap.
    pub referral: String,
    /// What the person decided.
    pub decision: Decision,
    /// The person's reason, in their words, if they gave one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// Whether the person agrees that their wishes, in their own words, go to this partner with
    /// the referral (only where the partner's categories `share:` wishes at all). Absent is no;
    /// written only when yes, so choices without it keep their bytes.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub share_wishes: bool,
}

/// All the person's choices about one formulation's referrals.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Choices(pub Vec<ReferralChoice>);

impl Choices {
    /// The choice about one referral, if the person has made one.
    pub fn get(&self, referral: &str) -> Option<&ReferralChoice> {
        self.0.iter().find(|choice| choice.referral == referral)
    }

    /// Records or replaces the choice about one referral (whether the person's wishes may go
    /// with it is kept: that is asked on its own, [`Self::set_share_wishes`]).
    pub fn set(&mut self, referral: &str, decision: Decision, reason: Option<String>) {
        match self
            .0
            .iter_mut()
            .find(|existing| existing.referral == referral)
        {
            Some(existing) => {
                existing.decision = decision;
                existing.reason = reason;
            }
            None => self.0.push(ReferralChoice {
                referral: referral.to_owned(),
                decision,
                reason,
                share_wishes: false,
            }),
        }
    }

    /// Records whether the person's wishes may go to this referral's partner. Only a referral
    /// the person has a choice about can carry it; returns whether it was recorded.
    pub fn set_share_wishes(&mut self, referral: &str, share: bool) -> bool {
        match self
            .0
            .iter_mut()
            .find(|existing| existing.referral == referral)
        {
            Some(existing) => {
                existing.share_wishes = share;
                true
            }
            None => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn setting_a_choice_twice_replaces_it() {
        let mut choices = Choices::default();
        choices.set("cv-housing-aid", Decision::Deferred, None);
        choices.set(
            "cv-housing-aid",
            Decision::Declined,
            Some("has a solicitor".into()),
        );
        assert_eq!(choices.0.len(), 1);
        assert_eq!(
            choices.get("cv-housing-aid").map(|c| c.decision),
            Some(Decision::Declined)
        );
    }
}
