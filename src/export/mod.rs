//! Referrals that leave the machine (issue 15): a formulation record as a FHIR R4 Bundle
//! ([`fhir`]), and the packet one partner receives about its own referral ([`packet`]).
//!
//! Both start from a [`Case`]: the record's assessment (typed), the parts of its formulation a
//! referral needs (read from the record's JSON, as the cohort views do, so records written by
//! earlier sicol versions still export), the person's choices, and the referral statuses
//! recorded against it. Pure: the caller reads the record and its statuses from the store.

pub mod fhir;
pub mod packet;

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_json::Value;

use crate::model::{Assessment, Decision};
use crate::records::referral_status::{current_statuses, person_decision};
use crate::records::{Record, RecordId, ReferralStatus};
use crate::referrals::{LeadCoordinator, Referral};

/// Why a record cannot be exported or a packet made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ExportError {
    /// A follow-up or status record: it has no plan to export.
    #[error("record {0} is not an assessment record, so it has no referral plan to export")]
    NotAnAssessment(RecordId),
    /// The assessment or formulation in the record cannot be read.
    #[error("record {record}: {what} cannot be read: {why}")]
    Unreadable {
        /// The record.
        record: RecordId,
        /// Which part.
        what: &'static str,
        /// Why.
        why: String,
    },
    /// The plan has no referral to that partner.
    #[error("record {record} has no referral to partner `{partner}` (its referrals: {known})")]
    UnknownPartner {
        /// The record.
        record: RecordId,
        /// The partner asked for.
        partner: String,
        /// The partners it does refer to, comma-separated.
        known: String,
    },
    /// The person declined this referral: nothing about them goes to that partner.
    #[error("the person declined the referral to `{partner}`, so no packet is made for it")]
    Declined {
        /// The partner.
        partner: String,
    },
}

/// The urgency the formulation gave, as recorded.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct UrgencyView {
    /// The level, such as `very_high`.
    pub level: String,
    /// The triage scale's letter.
    pub triage_code: String,
    /// The response time in words.
    pub response_time: String,
    /// Why, line by line.
    pub reasons: Vec<String>,
}

/// One record, ready to export: what a bundle or a packet says.
#[derive(Debug, Clone)]
pub struct Case<'a> {
    /// The record.
    pub record: &'a Record,
    /// Its assessment.
    pub assessment: Assessment,
    /// The urgency, if the formulation recorded one.
    pub urgency: Option<UrgencyView>,
    /// The balance and why, if recorded.
    pub balance: Option<(String, String)>,
    /// The recommendation's label and why, if recorded.
    pub recommendation: Option<(String, String)>,
    /// The partner referrals, in plan order.
    pub referrals: Vec<Referral>,
    /// The lead coordinator, if the plan names one.
    pub lead: Option<LeadCoordinator>,
    /// The current status of each referral, by partner id.
    pub statuses: BTreeMap<String, ReferralStatus>,
}

impl<'a> Case<'a> {
    /// Reads a record and the statuses recorded against it (status records of other records are
    /// ignored, so the caller may pass every status in the store).
    pub fn new(
        record: &'a Record,
        statuses: &[(RecordId, ReferralStatus)],
    ) -> Result<Case<'a>, ExportError> {
        if !record.is_assessment() {
            return Err(ExportError::NotAnAssessment(record.id));
        }
        let unreadable = |what: &'static str, why: String| ExportError::Unreadable {
            record: record.id,
            what,
            why,
        };
        let assessment = record
            .typed_assessment()
            .map_err(|error| unreadable("the assessment", error.to_string()))?;
        let formulation = &record.formulation;
        let referrals = match formulation.get("referrals") {
            Some(list) => Vec::<Referral>::deserialize(list)
                .map_err(|error| unreadable("the referral plan", error.to_string()))?,
            None => Vec::new(),
        };
        let lead = match formulation.get("lead_coordinator") {
            Some(Value::Null) | None => None,
            Some(lead) => Some(
                LeadCoordinator::deserialize(lead)
                    .map_err(|error| unreadable("the lead coordinator", error.to_string()))?,
            ),
        };
        let text = |field: &str| formulation.get(field).and_then(Value::as_str);
        let strings = |field: &str| -> Vec<String> {
            formulation
                .get(field)
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect()
        };
        let urgency = text("urgency").map(|level| UrgencyView {
            level: level.to_owned(),
            // Written as a one-letter string; read any scalar so a reworked scale still exports.
            triage_code: formulation
                .get("triage_code")
                .map(|code| match code {
                    Value::String(code) => code.clone(),
                    other => other.to_string(),
                })
                .unwrap_or_default(),
            response_time: text("response_time").unwrap_or_default().to_owned(),
            reasons: strings("urgency_reasons"),
        });
        let balance = text("balance").map(|balance| {
            (
                balance.to_owned(),
                text("balance_reason").unwrap_or_default().to_owned(),
            )
        });
        let recommendation = text("recommendation").map(|key| {
            (
                text("recommendation_label").unwrap_or(key).to_owned(),
                text("recommendation_reason").unwrap_or_default().to_owned(),
            )
        });
        let current =
            current_statuses(record.id, statuses.iter().map(|(id, status)| (*id, status)));
        let statuses = current
            .into_iter()
            .map(|(partner, status)| (partner, status.clone()))
            .collect();
        Ok(Case {
            record,
            assessment,
            urgency,
            balance,
            recommendation,
            referrals,
            lead,
            statuses,
        })
    }

    /// The referral to one partner.
    pub fn referral(&self, partner: &str) -> Result<&Referral, ExportError> {
        self.referrals
            .iter()
            .find(|referral| referral.partner == partner)
            .ok_or_else(|| ExportError::UnknownPartner {
                record: self.record.id,
                partner: partner.to_owned(),
                known: self
                    .referrals
                    .iter()
                    .map(|referral| referral.partner.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
            })
    }

    /// Whether the person said their wishes may go to this partner (`share_wishes: true` in
    /// their choice about its referral). Not said is no: wishes are the person's own words.
    pub fn wishes_shareable(&self, partner: &str) -> bool {
        self.record
            .typed_choices()
            .ok()
            .and_then(|choices| choices.get(partner).map(|choice| choice.share_wishes))
            .unwrap_or(false)
    }

    /// What the person decided about the referral to a partner.
    pub fn decision(&self, partner: &str) -> Option<Decision> {
        person_decision(self.record, partner)
    }
}
