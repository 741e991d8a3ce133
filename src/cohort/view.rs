//! The few facts the cohort figures need from each record, read defensively from its JSON.
//!
//! Records keep the assessment, formulation and choices as JSON values, and the formulation has
//! grown over time: records made before partner resolution list `needs` (one per category) but
//! no `referrals` or `gaps`. This is the one place that knows those shapes; the figures are
//! computed from the small typed views below and never look at a record's JSON.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate};
use serde::Deserialize;
use serde_json::Value;

use crate::model::Decision;
use crate::records::{LoopStatus, Record, RecordId};

/// One record as the figures see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Entry {
    /// An assessment with its formulation and the person's choices.
    Assessment(AssessmentView),
    /// A follow-up of an assessment.
    FollowUp(FollowUpView),
    /// Where one referral of an assessment stands with its partner.
    Status(StatusView),
}

/// An assessment record, reduced to what the figures count.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AssessmentView {
    /// The record.
    pub record: RecordId,
    /// The record this one revises.
    pub supersedes: Option<RecordId>,
    /// The pseudonymous case id.
    pub case: String,
    /// The day of the assessment, in the time zone it was recorded in.
    pub assessed_on: NaiveDate,
    /// `social_led`, `mixed` or `medical_led`, if the formulation gives one.
    pub balance: Option<String>,
    /// The urgency level, if the formulation gives one.
    pub urgency: Option<String>,
    /// Stressor kinds recorded with a severity above 0, sorted, each once.
    pub stressors: Vec<String>,
    /// The referrals offered.
    pub referrals: Vec<ReferralView>,
    /// Needs no partner could take as asked.
    pub gaps: Vec<GapView>,
    /// The person's decision on each referral, by referral key.
    pub decisions: BTreeMap<String, Decision>,
    /// Whether a rule failed when the formulation was made, so that it may understate the
    /// urgency (`incomplete: true`, or any warning in records from before that flag).
    pub incomplete: bool,
    /// The Mental Health Act outcome the AMHP recorded (`mha_decision.outcome`), if any.
    pub mha_outcome: Option<String>,
    /// Whether the person agreed to the plan, when recorded with the decision.
    pub agreed_to_plan: Option<bool>,
}

/// One referral offered to the person.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReferralView {
    /// What the person's choice names: the partner id, or the category when no partner is known.
    pub key: String,
    /// The partner, when the formulation resolved one.
    pub partner: Option<String>,
    /// The referral categories it covers.
    pub categories: Vec<String>,
}

/// A need no partner could take as asked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GapView {
    /// The referral category.
    pub category: String,
    /// Whether the need was left without any referral (no partner, or none eligible), as
    /// opposed to referred less well than asked (no same-day capacity, not open).
    pub unmet: bool,
}

/// A follow-up record, reduced to what the figures count.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FollowUpView {
    /// The record.
    pub record: RecordId,
    /// The assessment record it follows.
    pub follows: RecordId,
    /// The case id.
    pub case: String,
    /// The day of the follow-up.
    pub date: NaiveDate,
    /// Whether the person was admitted.
    pub admitted: bool,
    /// Stressor kinds resolved.
    pub issues_resolved: Vec<String>,
}

/// A referral status record, reduced to what the figures count.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusView {
    /// The record.
    pub record: RecordId,
    /// The assessment record whose referral it is.
    pub follows: RecordId,
    /// The partner id.
    pub partner: String,
    /// The status.
    pub status: LoopStatus,
    /// The day it became true.
    pub date: NaiveDate,
}

/// Gap kinds that leave a need without any referral.
const UNMET_GAP_KINDS: [&str; 2] = ["no_partner", "no_eligible_partner"];

impl Entry {
    /// Reads the view of one record; an error says why the record cannot be counted.
    pub fn from_record(record: &Record) -> Result<Entry, String> {
        if let Some(follow_up) = &record.follow_up {
            return Ok(Entry::FollowUp(FollowUpView {
                record: record.id,
                follows: follow_up.follows,
                case: follow_up.case.clone(),
                date: follow_up.date,
                admitted: follow_up.admitted,
                issues_resolved: follow_up.issues_resolved.clone(),
            }));
        }
        if let Some(status) = &record.referral_status {
            return Ok(Entry::Status(StatusView {
                record: record.id,
                follows: status.follows,
                partner: status.partner.clone(),
                status: status.status,
                date: status.date,
            }));
        }
        // Only the facts below are read from the assessment, formulation and choices, straight
        // from their text (the rest is skipped unread): most of a record is the factors, the 5
        // Ps and the reasons for every referral, which no figure needs.
        let assessment = AssessmentFacts::of(record);
        let formulation = FormulationFacts::of(record);
        let case = assessment.id.as_ref().and_then(Value::as_str).unwrap_or("");
        if case.is_empty() {
            return Err("the assessment has no case id".to_owned());
        }
        let assessed_on = [&assessment.assessed_at, &formulation.assessed_at]
            .into_iter()
            .find_map(|value| value.as_ref().and_then(Value::as_str))
            .and_then(|text| DateTime::parse_from_rfc3339(text).ok())
            .map(|time| time.date_naive())
            .ok_or("the assessment has no readable assessed_at")?;
        let mut stressors: Vec<String> = items(&assessment.stressors)
            .filter(|factor| {
                factor
                    .severity
                    .as_ref()
                    .and_then(Value::as_u64)
                    .unwrap_or(0)
                    > 0
            })
            .filter_map(|factor| string(&factor.kind))
            .collect();
        stressors.sort();
        stressors.dedup();
        Ok(Entry::Assessment(AssessmentView {
            record: record.id,
            supersedes: record.supersedes,
            case: case.to_owned(),
            assessed_on,
            balance: string(&formulation.balance),
            urgency: string(&formulation.urgency),
            stressors,
            referrals: referrals_of(&formulation),
            gaps: gaps(&formulation),
            decisions: decisions(record),
            incomplete: formulation
                .incomplete
                .as_ref()
                .and_then(Value::as_bool)
                .unwrap_or(false)
                || formulation
                    .warnings
                    .as_ref()
                    .and_then(Value::as_array)
                    .is_some_and(|warnings| !warnings.is_empty()),
            mha_outcome: record
                .mha_decision
                .as_ref()
                .map(|d| d.outcome.as_str().to_owned()),
            agreed_to_plan: record
                .mha_decision
                .as_ref()
                .and_then(|decision| decision.agreed_to_plan),
        }))
    }
}

/// The facts the figures read from an assessment. Every field takes any JSON (and lists take
/// any items, see [`Items`]), so a record of an older or odd shape reads as it always did: a
/// fact that is missing or of another type is simply not there.
#[derive(Debug, Default, Deserialize)]
struct AssessmentFacts {
    #[serde(default)]
    id: Option<Value>,
    #[serde(default)]
    assessed_at: Option<Value>,
    #[serde(default)]
    stressors: Items<FactorFacts>,
}

#[derive(Debug, Default, Deserialize)]
struct FactorFacts {
    #[serde(default)]
    kind: Option<Value>,
    #[serde(default)]
    severity: Option<Value>,
}

/// The facts the figures read from a formulation (see [`AssessmentFacts`]).
#[derive(Debug, Default, Deserialize)]
struct FormulationFacts {
    #[serde(default)]
    assessed_at: Option<Value>,
    #[serde(default)]
    balance: Option<Value>,
    #[serde(default)]
    urgency: Option<Value>,
    #[serde(default)]
    incomplete: Option<Value>,
    #[serde(default)]
    warnings: Option<Value>,
    #[serde(default)]
    referrals: Items<ReferralFacts>,
    #[serde(default)]
    needs: Items<CategoryFacts>,
    #[serde(default)]
    gaps: Items<CategoryFacts>,
}

#[derive(Debug, Default, Deserialize)]
struct ReferralFacts {
    #[serde(default)]
    partner: Option<Value>,
    #[serde(default)]
    categories: Option<Value>,
    /// An earlier shape had one `category` per referral.
    #[serde(default)]
    category: Option<Value>,
}

#[derive(Debug, Default, Deserialize)]
struct CategoryFacts {
    #[serde(default)]
    category: Option<Value>,
    #[serde(default)]
    kind: Option<Value>,
}

#[derive(Debug, Default, Deserialize)]
struct ChoiceFacts {
    #[serde(default)]
    referral: Option<Value>,
    #[serde(default)]
    decision: Option<Value>,
}

impl AssessmentFacts {
    fn of(record: &Record) -> AssessmentFacts {
        facts(record.assessment.text())
    }
}

impl FormulationFacts {
    fn of(record: &Record) -> FormulationFacts {
        facts(record.formulation.text())
    }
}

/// The facts an object in `text` holds; none when it is not an object.
fn facts<T: serde::de::DeserializeOwned + Default>(text: &[u8]) -> T {
    serde_json::from_slice::<Lenient<T>>(text)
        .ok()
        .and_then(|lenient| lenient.0)
        .unwrap_or_default()
}

/// The referrals a formulation offers: its partner-resolved `referrals` when it has them, else
/// one per category in `needs` (records made before partner resolution).
pub fn referrals(formulation: &Value) -> Vec<ReferralView> {
    let facts = Lenient::<FormulationFacts>::deserialize(formulation)
        .ok()
        .and_then(|lenient| lenient.0)
        .unwrap_or_default();
    referrals_of(&facts)
}

fn referrals_of(formulation: &FormulationFacts) -> Vec<ReferralView> {
    if formulation.referrals.0.is_some() {
        return items(&formulation.referrals)
            .filter_map(|referral| {
                let partner = string(&referral.partner)?;
                let mut categories: Vec<String> = referral
                    .categories
                    .iter()
                    .filter_map(Value::as_array)
                    .flatten()
                    .filter_map(|category| category.as_str().map(str::to_owned))
                    .collect();
                categories.extend(string(&referral.category));
                Some(ReferralView {
                    key: partner.clone(),
                    partner: Some(partner),
                    categories,
                })
            })
            .collect();
    }
    items(&formulation.needs)
        .filter_map(|need| string(&need.category))
        .map(|category| ReferralView {
            key: category.clone(),
            partner: None,
            categories: vec![category],
        })
        .collect()
}

fn gaps(formulation: &FormulationFacts) -> Vec<GapView> {
    items(&formulation.gaps)
        .filter_map(|gap| {
            let category = string(&gap.category)?;
            let unmet = gap
                .kind
                .as_ref()
                .and_then(Value::as_str)
                .is_some_and(|kind| UNMET_GAP_KINDS.contains(&kind));
            Some(GapView { category, unmet })
        })
        .collect()
}

fn decisions(record: &Record) -> BTreeMap<String, Decision> {
    let choices: Items<ChoiceFacts> =
        serde_json::from_slice(record.choices.text()).unwrap_or_default();
    items(&choices)
        .filter_map(|choice| {
            let referral = string(&choice.referral)?;
            let decision = serde_json::from_value(choice.decision.clone()?).ok()?;
            Some((referral, decision))
        })
        .collect()
}

/// The objects of a list, read leniently: `None` when the value is not a list, and an item
/// that is not an object is kept as `None` (and passed over), as the figures always treated
/// them. The items' other fields are skipped unread.
#[derive(Debug)]
struct Items<T>(Option<Vec<Lenient<T>>>);

impl<T> Default for Items<T> {
    fn default() -> Self {
        Items(None)
    }
}

/// An object read as `T`, or `None` when the value is anything else.
#[derive(Debug)]
struct Lenient<T>(Option<T>);

impl<T> Default for Lenient<T> {
    fn default() -> Self {
        Lenient(None)
    }
}

/// The objects of a list, skipping items that are not objects.
fn items<T>(list: &Items<T>) -> impl Iterator<Item = &T> {
    list.0.iter().flatten().filter_map(|item| item.0.as_ref())
}

fn string(value: &Option<Value>) -> Option<String> {
    value.as_ref().and_then(Value::as_str).map(str::to_owned)
}

/// The visitor methods of [`Items`] and [`Lenient`] for a value that is neither a list nor an
/// object: it is simply not there.
macro_rules! anything_else_is_none {
    ($read:ty) => {
        fn visit_bool<E>(self, _: bool) -> Result<$read, E> {
            Ok(<$read>::default())
        }

        fn visit_i64<E>(self, _: i64) -> Result<$read, E> {
            Ok(<$read>::default())
        }

        fn visit_u64<E>(self, _: u64) -> Result<$read, E> {
            Ok(<$read>::default())
        }

        fn visit_f64<E>(self, _: f64) -> Result<$read, E> {
            Ok(<$read>::default())
        }

        fn visit_str<E>(self, _: &str) -> Result<$read, E> {
            Ok(<$read>::default())
        }

        fn visit_unit<E>(self) -> Result<$read, E> {
            Ok(<$read>::default())
        }

        fn visit_none<E>(self) -> Result<$read, E> {
            Ok(<$read>::default())
        }
    };
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Items<T> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(ItemsVisitor(std::marker::PhantomData))
    }
}

struct ItemsVisitor<T>(std::marker::PhantomData<T>);

impl<'de, T: Deserialize<'de>> serde::de::Visitor<'de> for ItemsVisitor<T> {
    type Value = Items<T>;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Items<T>, A::Error> {
        let mut list = Vec::new();
        while let Some(item) = seq.next_element::<Lenient<T>>()? {
            list.push(item);
        }
        Ok(Items(Some(list)))
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Items<T>, A::Error> {
        while map
            .next_entry::<serde::de::IgnoredAny, serde::de::IgnoredAny>()?
            .is_some()
        {}
        Ok(Items(None))
    }

    anything_else_is_none!(Items<T>);
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Lenient<T> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(LenientVisitor(std::marker::PhantomData))
    }
}

struct LenientVisitor<T>(std::marker::PhantomData<T>);

impl<'de, T: Deserialize<'de>> serde::de::Visitor<'de> for LenientVisitor<T> {
    type Value = Lenient<T>;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, map: A) -> Result<Lenient<T>, A::Error> {
        T::deserialize(serde::de::value::MapAccessDeserializer::new(map))
            .map(|item| Lenient(Some(item)))
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Lenient<T>, A::Error> {
        while seq.next_element::<serde::de::IgnoredAny>()?.is_some() {}
        Ok(Lenient(None))
    }

    anything_else_is_none!(Lenient<T>);
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    use crate::records::{digest, FollowUp, FORMAT};
    use crate::rules::RuleSetId;

    fn record(assessment: Value, formulation: Value, choices: Value) -> Record {
        let mut record = Record {
            format: FORMAT,
            id: RecordId(4),
            supersedes: Some(RecordId(2)),
            previous: None,
            saved_at: chrono::DateTime::default(),
            sicol_version: "0.1.0".into(),
            ruleset: RuleSetId {
                name: "t".into(),
                version: "1".into(),
                sha256: "ab".repeat(32),
            },
            assessment: assessment.into(),
            formulation: formulation.into(),
            choices: choices.into(),
            follow_up: None,
            mha_decision: None,
            referral_status: None,
            sha256: String::new(),
        };
        record.sha256 = digest(&crate::records::to_value(&record));
        record
    }

    fn assessment_view(record: &Record) -> AssessmentView {
        match Entry::from_record(record) {
            Ok(Entry::Assessment(view)) => view,
            other => panic!("expected an assessment view, got {other:?}"),
        }
    }

    #[test]
    fn a_record_from_before_partner_resolution_refers_by_need() {
        let view = assessment_view(&record(
            json!({
                "id": "A-1",
                "assessed_at": "2026-11-20T23:30:00-02:00",
                "stressors": [
                    { "kind": "eviction", "severity": 3 },
                    { "kind": "debt", "severity": 0 },
                    { "kind": "eviction", "severity": 2 },
                    { "kind": "bereavement", "severity": 1 }
                ]
            }),
            json!({
                "balance": "social_led",
                "urgency": "high",
                "needs": [{ "category": "housing_advice" }, { "category": "debt_advice" }]
            }),
            json!([
                { "referral": "housing_advice", "decision": "accepted" },
                { "referral": "debt_advice", "decision": "maybe" }
            ]),
        ));
        assert_eq!(view.case, "A-1");
        assert_eq!(view.supersedes, Some(RecordId(2)));
        // The local day of the assessment, not the UTC one.
        assert_eq!(view.assessed_on.to_string(), "2026-11-20");
        assert_eq!(view.balance.as_deref(), Some("social_led"));
        assert_eq!(view.urgency.as_deref(), Some("high"));
        // Severity 0 is "none" and repeats count once.
        assert_eq!(view.stressors, ["bereavement", "eviction"]);
        let keys: Vec<&str> = view.referrals.iter().map(|r| r.key.as_str()).collect();
        assert_eq!(keys, ["housing_advice", "debt_advice"]);
        assert!(view.referrals.iter().all(|r| r.partner.is_none()));
        assert!(view.gaps.is_empty());
        // An unreadable decision is left out rather than guessed.
        assert_eq!(
            view.decisions,
            BTreeMap::from([("housing_advice".to_owned(), Decision::Accepted)])
        );
    }

    #[test]
    fn partner_resolved_referrals_and_gaps_are_read_when_present() {
        let view = assessment_view(&record(
            json!({ "id": "A-2", "assessed_at": "2026-11-21T10:00:00Z" }),
            json!({
                "needs": [{ "category": "housing_advice" }],
                "referrals": [
                    { "partner": "cv-housing-aid", "categories": ["housing_advice", "advocacy"] },
                    { "name": "no partner id" }
                ],
                "gaps": [
                    { "category": "immigration_advice", "kind": "no_partner" },
                    { "category": "crisis_team", "kind": "no_same_day_capacity" }
                ]
            }),
            Value::Null,
        ));
        assert_eq!(
            view.referrals,
            [ReferralView {
                key: "cv-housing-aid".into(),
                partner: Some("cv-housing-aid".into()),
                categories: vec!["housing_advice".into(), "advocacy".into()],
            }]
        );
        assert_eq!(
            view.gaps,
            [
                GapView {
                    category: "immigration_advice".into(),
                    unmet: true
                },
                GapView {
                    category: "crisis_team".into(),
                    unmet: false
                }
            ]
        );
        assert!(view.decisions.is_empty());
        assert!(view.balance.is_none());
    }

    #[test]
    fn a_record_without_a_date_is_refused_with_a_reason() {
        let error = Entry::from_record(&record(json!({ "id": "A-3" }), json!({}), Value::Null));
        assert_eq!(
            error,
            Err("the assessment has no readable assessed_at".to_owned())
        );
    }

    #[test]
    fn a_follow_up_is_read_from_its_own_part() {
        let mut follow_up = record(Value::Null, Value::Null, Value::Null);
        follow_up.follow_up = Some(FollowUp {
            follows: RecordId(2),
            case: "A-1".into(),
            date: NaiveDate::from_ymd_opt(2026, 12, 1).unwrap_or_default(),
            admitted: false,
            issues_resolved: vec!["debt".into()],
            note: None,
        });
        let Ok(Entry::FollowUp(view)) = Entry::from_record(&follow_up) else {
            panic!("expected a follow-up view");
        };
        assert_eq!(view.follows, RecordId(2));
        assert_eq!(view.case, "A-1");
        assert!(!view.admitted);
        assert_eq!(view.issues_resolved, ["debt"]);
    }
}
