//! A formulation record as a FHIR R4 Bundle (`collection`), after the HL7 FHIR SDOH Clinical
//! Care pattern: the person as a Patient reduced to the pseudonymous case id; the assessment as
//! an Encounter; one Condition per recorded stressor (a social need, category SDOH, coded from the
//! vocabulary); a RiskAssessment carrying the urgency with its triage-scale code and the
//! formulation's rationale; one ServiceRequest per partner referral, with its partner as an
//! Organization and a Task carrying the referral's current status; and a Consent saying which
//! partners the person agreed to share with.
//!
//! The resources are plain `serde_json` values built here, not types from a FHIR model crate: the
//! handful of resources sicol writes are small, and the tests check every bundle against HL7's
//! official FHIR R4 JSON Schema (see ARCHITECTURE.md). Ids are derived from the record's sha256,
//! so exporting a record twice gives the same bytes.

use serde_json::{json, Map, Value};
use sha2::{Digest, Sha256};

use crate::model::codes::SNOMED_SYSTEM;
use crate::model::{Codes, Decision, Factor, ReferralUrgency, Share, Vocabulary};
use crate::records::LoopStatus;
use crate::referrals::Referral;

use super::Case;

/// The code system of sicol's vocabulary keys (stressor kinds, referral categories) when a
/// receiver has no code of its own for them.
pub const VOCABULARY_SYSTEM: &str = "urn:sicol:vocabulary";

/// The identifier system of pseudonymous case ids.
pub const CASE_ID_SYSTEM: &str = "urn:sicol:case-id";

/// The identifier system of partner ids from `partners.yaml`.
pub const PARTNER_ID_SYSTEM: &str = "urn:sicol:partner-id";

/// The code system of the UK Mental Health Triage Scale's letters (no published FHIR system
/// exists, so the URN says it is sicol's).
pub const TRIAGE_SCALE_SYSTEM: &str = "urn:sicol:uk-mental-health-triage-scale";

/// A resource in the bundle under construction: its `urn:uuid:` address and its JSON.
struct Entry {
    full_url: String,
    resource: Value,
}

/// Builds bundles for one case; every resource id is derived from the record's sha256.
struct Builder<'a> {
    case: &'a Case<'a>,
    vocabulary: &'a Vocabulary,
    entries: Vec<Entry>,
}

/// How the whole record's bundle describes its encounter.
const ASSESSMENT_ENCOUNTER: &str = "Mental-health crisis assessment";

/// The whole record as a FHIR R4 Bundle (for the service's own systems, never for a partner).
pub fn bundle(case: &Case<'_>, vocabulary: &Vocabulary) -> Value {
    let mut builder = Builder::new(case, vocabulary);
    let patient = builder.patient();
    let encounter = builder.encounter(&patient, ASSESSMENT_ENCOUNTER);
    let conditions: Vec<String> = case
        .assessment
        .stressors
        .iter()
        .filter(|factor| factor.severity > 0)
        .enumerate()
        .map(|(index, factor)| builder.condition(index, factor, &patient, &encounter))
        .collect();
    builder.risk_assessment(&patient, &encounter, &conditions);
    for referral in &case.referrals {
        builder.referral(referral, &patient, &encounter, &conditions);
    }
    builder.consent(&patient, &case.referrals);
    builder.finish("")
}

/// What one partner receives as FHIR: the Patient (its pseudonymous id), the Encounter, that
/// partner's Organization, ServiceRequest and Task, and the person's consent about that partner
/// only. No Condition, no RiskAssessment: a packet's shared detail goes in its text (see
/// [`super::packet`]), so the partner gets exactly what its categories allow.
pub fn partner_bundle(case: &Case<'_>, referral: &Referral, vocabulary: &Vocabulary) -> Value {
    let mut builder = Builder::new(case, vocabulary);
    let patient = builder.patient();
    // A partner not shared medical detail is told what the referral is for, not that it comes
    // from a mental-health crisis assessment.
    let described = if super::packet::shares_for(referral, vocabulary).contains(&Share::Medical) {
        ASSESSMENT_ENCOUNTER.to_owned()
    } else {
        let labels: Vec<&str> = referral
            .categories
            .iter()
            .map(|category| vocabulary.label(category))
            .collect();
        format!("Referral for {}", labels.join(", "))
    };
    let encounter = builder.encounter(&patient, &described);
    builder.referral(referral, &patient, &encounter, &[]);
    builder.consent(&patient, std::slice::from_ref(referral));
    builder.finish(&referral.partner)
}

impl<'a> Builder<'a> {
    fn new(case: &'a Case<'a>, vocabulary: &'a Vocabulary) -> Self {
        Builder {
            case,
            vocabulary,
            entries: Vec::new(),
        }
    }

    /// A stable UUID (version 8, name-based) for a resource of this record.
    fn uuid(&self, key: &str) -> String {
        let hash = Sha256::digest(format!("{}:{key}", self.case.record.sha256).as_bytes());
        let mut bytes = [0u8; 16];
        bytes.copy_from_slice(&hash[..16]);
        bytes[6] = (bytes[6] & 0x0f) | 0x80;
        bytes[8] = (bytes[8] & 0x3f) | 0x80;
        let hex: String = bytes.iter().map(|byte| format!("{byte:02x}")).collect();
        format!(
            "{}-{}-{}-{}-{}",
            &hex[..8],
            &hex[8..12],
            &hex[12..16],
            &hex[16..20],
            &hex[20..]
        )
    }

    /// Adds a resource and returns its address for references.
    fn add(&mut self, key: &str, mut resource: Value) -> String {
        let id = self.uuid(key);
        if let Value::Object(map) = &mut resource {
            map.insert("id".to_owned(), Value::String(id.clone()));
        }
        let full_url = format!("urn:uuid:{id}");
        self.entries.push(Entry {
            full_url: full_url.clone(),
            resource,
        });
        full_url
    }

    fn assessed_at(&self) -> String {
        self.case
            .assessment
            .assessed_at
            .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
    }

    fn patient(&mut self) -> String {
        let resource = json!({
            "resourceType": "Patient",
            "meta": { "security": [{
                "system": "http://terminology.hl7.org/CodeSystem/v3-ObservationValue",
                "code": "PSEUDED",
                "display": "pseudonymized"
            }]},
            "identifier": [{ "system": CASE_ID_SYSTEM, "value": self.case.assessment.id }]
        });
        self.add("patient", resource)
    }

    fn assessor(&self) -> Option<Value> {
        // FHIR strings may not be empty, so an empty assessor is left out like a missing one.
        self.case
            .assessment
            .assessor
            .as_ref()
            .filter(|assessor| !assessor.trim().is_empty())
            .map(|assessor| json!({ "identifier": { "value": assessor }, "display": assessor }))
    }

    fn encounter(&mut self, patient: &str, described: &str) -> String {
        let mut resource = json!({
            "resourceType": "Encounter",
            "status": "finished",
            "class": {
                "system": "http://terminology.hl7.org/CodeSystem/v3-ActCode",
                "code": "FLD",
                "display": "field"
            },
            "type": [{ "text": described }],
            "subject": { "reference": patient },
            "period": { "start": self.assessed_at() }
        });
        if let Some(assessor) = self.assessor() {
            resource["participant"] = json!([{ "individual": assessor }]);
        }
        self.add("encounter", resource)
    }

    /// A CodeableConcept for a vocabulary key: its codes, then the key in sicol's vocabulary.
    fn concept(&self, key: &str, codes: Option<&Codes>) -> Value {
        let label = self.vocabulary.label(key);
        let mut codings: Vec<Value> = codes
            .map(Codes::codings)
            .unwrap_or_default()
            .into_iter()
            .map(|(system, code, display)| {
                let mut coding = json!({ "system": system, "code": code });
                if let Some(display) = display {
                    coding["display"] = Value::String(display.to_owned());
                }
                coding
            })
            .collect();
        codings.push(json!({ "system": VOCABULARY_SYSTEM, "code": key, "display": label }));
        json!({ "coding": codings, "text": label })
    }

    fn condition(
        &mut self,
        index: usize,
        factor: &Factor,
        patient: &str,
        encounter: &str,
    ) -> String {
        let info = self.vocabulary.stressors.get(&factor.kind);
        let mut resource = json!({
            "resourceType": "Condition",
            "clinicalStatus": { "coding": [{
                "system": "http://terminology.hl7.org/CodeSystem/condition-clinical",
                "code": "active"
            }]},
            "category": [
                { "coding": [{
                    "system": "http://terminology.hl7.org/CodeSystem/condition-category",
                    "code": "encounter-diagnosis",
                    "display": "Encounter Diagnosis"
                }]},
                { "coding": [{
                    "system": "http://hl7.org/fhir/us/core/CodeSystem/us-core-category",
                    "code": "sdoh",
                    "display": "SDOH"
                }], "text": "Social need" }
            ],
            "code": self.concept(&factor.kind, info.map(|info| &info.codes)),
            "subject": { "reference": patient },
            "encounter": { "reference": encounter },
            "recordedDate": self.assessed_at()
        });
        // The FHIR condition-severity value set's SNOMED CT codes for mild, moderate, severe.
        let severity = match factor.severity {
            1 => Some(("255604002", "Mild")),
            2 => Some(("6736007", "Moderate")),
            3 => Some(("24484000", "Severe")),
            _ => None,
        };
        if let Some((code, display)) = severity {
            let anchor = info
                .and_then(|info| info.severity.get(&factor.severity))
                .map(|anchor| format!("{display}: {anchor}"))
                .unwrap_or_else(|| display.to_owned());
            resource["severity"] = json!({
                "coding": [{ "system": SNOMED_SYSTEM, "code": code, "display": display }],
                "text": anchor
            });
        }
        if let Some(since) = factor.since {
            resource["onsetDateTime"] = Value::String(since.to_string());
        }
        let mut notes = Vec::new();
        if let Some(due) = factor.due {
            notes.push(json!({ "text": format!("Due (the date it lands): {due}") }));
        }
        if let Some(note) = factor.note.as_deref().filter(|note| !note.is_empty()) {
            notes.push(json!({ "text": note }));
        }
        if !notes.is_empty() {
            resource["note"] = Value::Array(notes);
        }
        self.add(&format!("condition-{index}"), resource)
    }

    fn risk_assessment(&mut self, patient: &str, encounter: &str, conditions: &[String]) {
        let case = self.case;
        let mut resource = json!({
            "resourceType": "RiskAssessment",
            "status": "final",
            "subject": { "reference": patient },
            "encounter": { "reference": encounter },
            "occurrenceDateTime": self.assessed_at(),
            "method": { "text": format!(
                "sicol formulation under rule set {} {} (sha256 {})",
                case.record.ruleset.name, case.record.ruleset.version, case.record.ruleset.sha256
            )},
            "code": { "text": "Urgency on the UK Mental Health Triage Scale (Sands, Elsom & Colgate, 2015)" }
        });
        if let Some(assessor) = self.assessor() {
            resource["performer"] = assessor;
        }
        if !conditions.is_empty() {
            resource["basis"] = Value::Array(
                conditions
                    .iter()
                    .map(|condition| json!({ "reference": condition }))
                    .collect(),
            );
        }
        let mut rationale: Vec<String> = Vec::new();
        if let Some((balance, why)) = &case.balance {
            rationale.push(format!("Balance {balance}: {why}"));
        }
        if let Some(urgency) = &case.urgency {
            let words = urgency.level.replace('_', " ");
            let mut prediction = json!({
                "outcome": { "text": "Need for a mental-health crisis response" },
                "qualitativeRisk": {
                    "text": format!("{words} ({}): {}", urgency.triage_code, urgency.response_time)
                }
            });
            // A FHIR code may not be empty: a record without a triage letter keeps only the text.
            if !urgency.triage_code.trim().is_empty() {
                prediction["qualitativeRisk"]["coding"] = json!([{
                    "system": TRIAGE_SCALE_SYSTEM,
                    "code": urgency.triage_code.trim(),
                    "display": format!("{words}: {}", urgency.response_time)
                }]);
            }
            rationale.extend(urgency.reasons.iter().cloned());
            if !rationale.is_empty() {
                prediction["rationale"] = Value::String(rationale.join("; "));
            }
            resource["prediction"] = json!([prediction]);
        }
        if let Some((label, why)) = &case.recommendation {
            resource["mitigation"] = Value::String(format!("{label}: {why}"));
        }
        self.add("risk-assessment", resource);
    }

    fn organization(&mut self, referral: &Referral) -> String {
        let contact = referral.contact.trim();
        let mut resource = json!({
            "resourceType": "Organization",
            "identifier": [{ "system": PARTNER_ID_SYSTEM, "value": referral.partner }],
            "active": true,
            "name": referral.name
        });
        if !contact.is_empty() {
            let system = if contact.contains('@') {
                "email"
            } else if contact.starts_with("http") {
                "url"
            } else {
                "phone"
            };
            resource["telecom"] = json!([{ "system": system, "value": contact }]);
        }
        self.add(&format!("organization-{}", referral.partner), resource)
    }

    fn referral(
        &mut self,
        referral: &Referral,
        patient: &str,
        encounter: &str,
        conditions: &[String],
    ) {
        let case = self.case;
        let organization = self.organization(referral);
        let current = case.statuses.get(&referral.partner);
        let declined = case.decision(&referral.partner) == Some(Decision::Declined);
        let (request_status, task_status) = statuses(declined, current.map(|status| status.status));
        let categories: Vec<Value> = referral
            .categories
            .iter()
            .map(|category| {
                let codes = self
                    .vocabulary
                    .referral_categories
                    .get(category)
                    .map(|info| &info.codes);
                self.concept(category, codes)
            })
            .collect();
        let labels: Vec<&str> = referral
            .categories
            .iter()
            .map(|category| self.vocabulary.label(category))
            .collect();
        let mut notes: Vec<Value> = referral
            .reasons
            .iter()
            .map(|reason| {
                json!({ "text": format!(
                    "{} ({}, {}; rule {})",
                    reason.why,
                    self.vocabulary.label(&reason.category),
                    reason.urgency.plain(),
                    reason.rule
                )})
            })
            .collect();
        if case.lead.as_ref().map(|lead| lead.partner.as_str()) == Some(referral.partner.as_str()) {
            notes.push(json!({ "text": "This partner is the lead coordinator: the person's one case worker." }));
        }
        let mut resource = json!({
            "resourceType": "ServiceRequest",
            "status": request_status,
            "intent": "order",
            "category": categories,
            "code": { "text": format!("Referral for {}", labels.join(", ")) },
            "priority": priority(referral.urgency),
            "subject": { "reference": patient },
            "encounter": { "reference": encounter },
            "authoredOn": self.assessed_at(),
            "performer": [{ "reference": organization, "display": referral.name }],
            // FHIR strings may not be empty; a reason without words still has its note.
            "reasonCode": referral.reasons.iter()
                .filter(|reason| !reason.why.trim().is_empty())
                .map(|reason| json!({ "text": reason.why }))
                .collect::<Vec<_>>(),
            "note": notes
        });
        if let Some(assessor) = self.assessor() {
            resource["requester"] = assessor;
        }
        // FHIR arrays may not be empty.
        if let Value::Object(map) = &mut resource {
            map.retain(|_, value| value.as_array().is_none_or(|items| !items.is_empty()));
        }
        if !conditions.is_empty() {
            resource["reasonReference"] = Value::Array(
                conditions
                    .iter()
                    .map(|condition| json!({ "reference": condition }))
                    .collect(),
            );
        }
        let request = self.add(&format!("service-request-{}", referral.partner), resource);
        let mut task = json!({
            "resourceType": "Task",
            "status": task_status,
            "intent": "order",
            "focus": { "reference": request },
            "for": { "reference": patient },
            "encounter": { "reference": encounter },
            "authoredOn": self.assessed_at(),
            "owner": { "reference": organization, "display": referral.name }
        });
        if let Some(status) = current {
            task["businessStatus"] = json!({ "text": status.status.label() });
            task["lastModified"] = Value::String(format!("{}T00:00:00Z", status.date));
            if let Some(note) = &status.note {
                task["note"] = json!([{ "text": note }]);
            }
        } else if declined {
            task["statusReason"] = json!({ "text": "the person declined this referral" });
        }
        self.add(&format!("task-{}", referral.partner), task);
    }

    /// One Consent: sharing is denied unless permitted, and each referral the person accepted is
    /// permitted to its partner (the recipient); each they declined is denied explicitly.
    fn consent(&mut self, patient: &str, referrals: &[Referral]) {
        let case = self.case;
        let mut provisions: Vec<Value> = Vec::new();
        for referral in referrals {
            let kind = match case.decision(&referral.partner) {
                Some(Decision::Accepted) => "permit",
                Some(Decision::Declined) => "deny",
                Some(Decision::Deferred) | None => continue,
            };
            let organization = format!(
                "urn:uuid:{}",
                self.uuid(&format!("organization-{}", referral.partner))
            );
            provisions.push(json!({
                "type": kind,
                "actor": [{
                    "role": { "coding": [{
                        "system": "http://terminology.hl7.org/CodeSystem/v3-ParticipationType",
                        "code": "IRCP",
                        "display": "information recipient"
                    }]},
                    "reference": { "reference": organization, "display": referral.name }
                }],
                "purpose": [{
                    "system": "http://terminology.hl7.org/CodeSystem/v3-ActReason",
                    "code": "TREAT",
                    "display": "treatment"
                }]
            }));
        }
        let mut provision = Map::new();
        provision.insert("type".to_owned(), Value::String("deny".to_owned()));
        if !provisions.is_empty() {
            provision.insert("provision".to_owned(), Value::Array(provisions));
        }
        let resource = json!({
            "resourceType": "Consent",
            "status": "active",
            "scope": { "coding": [{
                "system": "http://terminology.hl7.org/CodeSystem/consentscope",
                "code": "patient-privacy",
                "display": "Privacy Consent"
            }]},
            "category": [{ "coding": [{
                "system": "http://loinc.org",
                "code": "59284-0",
                "display": "Patient Consent"
            }]}],
            "patient": { "reference": patient },
            "dateTime": case.record.saved_at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            "policyRule": { "coding": [{
                "system": "http://terminology.hl7.org/CodeSystem/v3-ActCode",
                "code": "OPTIN",
                "display": "opt-in"
            }]},
            "provision": provision
        });
        self.add("consent", resource);
    }

    fn finish(self, scope: &str) -> Value {
        let identifier = self.uuid(&format!("bundle{scope}"));
        let entries: Vec<Value> = self
            .entries
            .into_iter()
            .map(|entry| json!({ "fullUrl": entry.full_url, "resource": entry.resource }))
            .collect();
        json!({
            "resourceType": "Bundle",
            "identifier": { "system": "urn:ietf:rfc:3986", "value": format!("urn:uuid:{identifier}") },
            "type": "collection",
            "timestamp": self.case.record.saved_at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            "entry": entries
        })
    }
}

/// The ServiceRequest's and the Task's statuses from the person's decision and the referral's
/// latest loop status. A referral with no status yet has not been sent: a draft, or revoked and
/// cancelled if the person declined it.
fn statuses(declined_by_person: bool, current: Option<LoopStatus>) -> (&'static str, &'static str) {
    match (declined_by_person, current) {
        (true, None) => ("revoked", "cancelled"),
        (false, None) => ("draft", "draft"),
        (_, Some(LoopStatus::Sent)) => ("active", "requested"),
        (_, Some(LoopStatus::Accepted)) => ("active", "accepted"),
        (_, Some(LoopStatus::InProgress)) => ("active", "in-progress"),
        (_, Some(LoopStatus::Completed)) => ("completed", "completed"),
        (_, Some(LoopStatus::Declined)) => ("revoked", "rejected"),
        (_, Some(LoopStatus::NotReached)) => ("revoked", "failed"),
    }
}

/// FHIR's request priority for how soon a partner should act.
fn priority(urgency: ReferralUrgency) -> &'static str {
    match urgency {
        ReferralUrgency::Immediate => "stat",
        ReferralUrgency::SameDay => "asap",
        ReferralUrgency::WithinThreeDays => "urgent",
        ReferralUrgency::WithinTwoWeeks | ReferralUrgency::Routine => "routine",
    }
}

/// The bundle as the file `sicol export` writes: pretty JSON with a trailing newline.
pub fn to_text(bundle: &Value) -> String {
    let mut text = serde_json::to_string_pretty(bundle).unwrap_or_default();
    text.push('\n');
    text
}
