//! Formulation records (DESIGN §4): what was assessed, what sicol concluded, what the person chose
//! and which rules and engine made it, saved so that an auditor can trust and replay it.
//!
//! This module is pure: the [`Record`] type, its canonical serialisation and its sha256, the
//! field-by-field [`diff`] of two formulations and [`replay`] under a rule set. Reading and writing
//! a store of records on disk lives in [`store`].
//!
//! A record file is the canonical JSON of the record (keys sorted, pretty-printed, one trailing
//! newline) with a `sha256` field over everything else. Each record names the `sha256` of the record
//! before it in the store (`previous`), so the store is a hash chain: changing any byte of a record
//! breaks its own hash, and rewriting a record with a fresh hash breaks the link from the next one.
//!
//! The assessment, formulation and choices are kept as JSON values rather than typed fields, so a
//! record written before `Formulation` gained a field still reads, hashes and replays; replay
//! compares values, so new fields are covered without code changes.
//!
//! A record is one of two kinds. An assessment record (format 1) holds the above. A follow-up
//! record (format 2, see [`follow_up`]) holds what happened to a case afterwards and names the
//! assessment record it follows; its assessment, formulation and choices are `null`, since it
//! re-states none of them, and its rule set is the one of the record it follows. Assessment
//! records are still written as format 1, so a sicol that predates follow-ups keeps reading them
//! and refuses only the follow-ups, plainly, as a newer format.
//!
//! A third kind, the referral status record (format 3, see [`referral_status`]), says where one
//! referral of an assessment record stands with its partner (sent, accepted, completed…); like a
//! follow-up it re-states nothing and names the record it follows.
//!
//! An assessment record may also carry `mha_decision`: what the AMHP decided under the Mental
//! Health Act, recorded beside the formulation (never part of it, so replay is unaffected). It is
//! written only when present, so a record without it keeps the bytes of format 1, and a sicol
//! that predates it still verifies a record that has it: the canonical form and the hash are
//! checked on the JSON as read, unknown fields included.

pub mod backend;
mod canonical;
pub mod diff;
pub mod follow_up;
pub mod impact;
pub mod postgres;
pub mod referral_status;
pub mod replay;
pub mod store;

use std::fmt;

use chrono::{DateTime, Utc};
use serde::ser::{SerializeMap, SerializeSeq};
use serde::{Deserialize, Serialize, Serializer};
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::formulation::Formulation;
use crate::model::{Assessment, Choices, MhaDecision};
use crate::rules::RuleSetId;

pub use backend::{RecordStore, StoreLocation, Verification};
pub use diff::{Drift, FieldChange, ItemChange, ItemChangeKind};
pub use follow_up::{FollowUp, FollowUpReport};
pub use impact::{Margin, Move, Outcome};
pub use referral_status::{LoopStatus, ReferralStatus, StatusReport};
pub use replay::{replay, CaseImpact, Impact, Replay};
pub use store::Store;

/// The newest record format this build reads.
pub const FORMAT: u32 = 3;

/// The format of assessment records, unchanged since the first, so older builds still read them.
pub const ASSESSMENT_FORMAT: u32 = 1;

/// The format of follow-up records, which first appeared in format 2.
pub const FOLLOW_UP_FORMAT: u32 = 2;

/// The format of referral status records, which first appeared in format 3. Follow-ups stay at
/// format 2, so a sicol that predates statuses still reads every other record.
pub const REFERRAL_STATUS_FORMAT: u32 = 3;

/// The field that holds a record's own hash.
const DIGEST_FIELD: &str = "sha256";

/// A record's place in its store: 1 for the first record, counting up. File names and ids are
/// this number zero-padded to eight digits, so they sort in chain order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct RecordId(pub u64);

impl RecordId {
    /// The id that follows this one.
    pub fn next(self) -> RecordId {
        RecordId(self.0 + 1)
    }

    /// The record's file name in its store.
    pub fn file_name(self) -> String {
        format!("{self}.json")
    }

    /// Reads an id written as digits, such as `00000007` or `7`.
    pub fn parse(text: &str) -> Option<RecordId> {
        if text.is_empty() || !text.bytes().all(|byte| byte.is_ascii_digit()) {
            return None;
        }
        text.parse().ok().filter(|n| *n > 0).map(RecordId)
    }

    /// Reads a record file name such as `00000007.json`.
    pub fn from_file_name(name: &str) -> Option<RecordId> {
        let stem = name.strip_suffix(".json")?;
        // Only the canonical spelling, so that `7.json` and `00000007.json` cannot both exist.
        let id = RecordId::parse(stem)?;
        (id.to_string() == stem).then_some(id)
    }
}

impl fmt::Display for RecordId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:08}", self.0)
    }
}

impl Serialize for RecordId {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for RecordId {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        RecordId::parse(&text).ok_or_else(|| {
            serde::de::Error::custom(format!(
                "`{text}` is not a record id (digits, such as 00000007)"
            ))
        })
    }
}

/// One saved formulation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Record {
    /// The record format, [`FORMAT`] when written by this build.
    pub format: u32,
    /// Where the record stands in its store's chain.
    pub id: RecordId,
    /// The record this one revises, if it is a revision.
    #[serde(default)]
    pub supersedes: Option<RecordId>,
    /// The `sha256` of the record before it in the store; none for the first.
    pub previous: Option<String>,
    /// When it was saved.
    pub saved_at: DateTime<Utc>,
    /// The sicol version that made the formulation, to tell engine drift from rule drift.
    pub sicol_version: String,
    /// The rule set that made the formulation; its files are kept in the store under this hash.
    pub ruleset: RuleSetId,
    /// The assessment as entered (checked, in the form of DESIGN §1).
    pub assessment: JsonPart,
    /// The formulation as sicol gave it (DESIGN §2).
    pub formulation: JsonPart,
    /// The person's choices about the referrals.
    #[serde(default)]
    pub choices: JsonPart,
    /// For a follow-up record, the outcome it reports; absent in assessment records (so their
    /// bytes, and hashes, are as before follow-ups existed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub follow_up: Option<FollowUp>,
    /// What the assessment decided under the Mental Health Act, when the AMHP recorded it.
    /// Absent otherwise, so records without one keep their bytes and hashes, and an older sicol
    /// (which keeps unknown fields when it checks a record) still reads and verifies them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mha_decision: Option<MhaDecision>,
    /// For a referral status record, the status it reports; absent in every other record (so
    /// their bytes, and hashes, are as before statuses existed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub referral_status: Option<ReferralStatus>,
    /// sha256 of the record's canonical JSON without this field.
    pub sha256: String,
}

/// What a caller supplies to make a new record; the store adds id, chain link and hash.
#[derive(Debug, Clone)]
pub struct Draft<'a> {
    /// The assessment as entered.
    pub assessment: &'a Assessment,
    /// Its formulation.
    pub formulation: &'a Formulation,
    /// The person's choices.
    pub choices: &'a Choices,
    /// The record this one revises, if any.
    pub supersedes: Option<RecordId>,
    /// When it is saved (the caller's clock, so the core stays free of one).
    pub saved_at: DateTime<Utc>,
    /// The Mental Health Act decision, if recorded (never part of the formulation).
    pub mha_decision: Option<&'a MhaDecision>,
}

/// Why a record's bytes cannot be trusted or read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RecordError {
    /// Not JSON, or not a record.
    #[error("not a readable record: {0}")]
    Unreadable(String),
    /// Written by a newer sicol.
    #[error("record format {0} is newer than this sicol reads (format {FORMAT})")]
    NewerFormat(u32),
    /// The bytes are not the canonical form: the file was edited after it was written.
    #[error("the file is not in the form sicol writes, so it was edited after it was saved")]
    NotCanonical,
    /// The content does not hash to the recorded `sha256`.
    #[error(
        "its content does not match its sha256 {recorded}, so it was altered after it was saved"
    )]
    DigestMismatch {
        /// The hash the record carries.
        recorded: String,
    },
}

impl Draft<'_> {
    /// Seals the draft into a record with its place in the chain and its hash.
    pub fn seal(&self, id: RecordId, previous: Option<String>) -> Record {
        Record {
            supersedes: self.supersedes,
            assessment: to_value(self.assessment).into(),
            formulation: to_value(self.formulation).into(),
            choices: to_value(self.choices).into(),
            mha_decision: self.mha_decision.cloned(),
            ..Record::chained(
                ASSESSMENT_FORMAT,
                id,
                previous,
                self.saved_at,
                &self.formulation.ruleset,
            )
        }
        .sealed()
    }
}

/// What a caller supplies to append a follow-up; the store adds id, chain link and hash.
#[derive(Debug, Clone)]
pub struct FollowUpDraft {
    /// The checked follow-up (see [`FollowUp::check`]).
    pub follow_up: FollowUp,
    /// The rule set of the record followed up, so that `verify` finds its copy as for any record.
    pub ruleset: RuleSetId,
    /// When it is saved (the caller's clock).
    pub saved_at: DateTime<Utc>,
}

impl FollowUpDraft {
    /// Seals the draft into a follow-up record with its place in the chain and its hash.
    pub fn seal(&self, id: RecordId, previous: Option<String>) -> Record {
        Record {
            follow_up: Some(self.follow_up.clone()),
            ..Record::chained(FOLLOW_UP_FORMAT, id, previous, self.saved_at, &self.ruleset)
        }
        .sealed()
    }
}

/// What a caller supplies to append a referral status; the store adds id, chain link and hash.
#[derive(Debug, Clone)]
pub struct StatusDraft {
    /// The checked status (see [`ReferralStatus::check`]).
    pub status: ReferralStatus,
    /// The rule set of the record followed, so that `verify` finds its copy as for any record.
    pub ruleset: RuleSetId,
    /// When it is saved (the caller's clock).
    pub saved_at: DateTime<Utc>,
}

impl StatusDraft {
    /// Seals the draft into a referral status record with its place in the chain and its hash.
    pub fn seal(&self, id: RecordId, previous: Option<String>) -> Record {
        Record {
            referral_status: Some(self.status.clone()),
            ..Record::chained(
                REFERRAL_STATUS_FORMAT,
                id,
                previous,
                self.saved_at,
                &self.ruleset,
            )
        }
        .sealed()
    }
}

impl Record {
    /// A record of `format` at its place in the chain, with nothing in it yet: every kind of
    /// draft fills in its own part and then [`Record::sealed`] hashes it.
    fn chained(
        format: u32,
        id: RecordId,
        previous: Option<String>,
        saved_at: DateTime<Utc>,
        ruleset: &RuleSetId,
    ) -> Record {
        Record {
            format,
            id,
            supersedes: None,
            previous,
            saved_at,
            sicol_version: crate::VERSION.to_owned(),
            ruleset: ruleset.clone(),
            assessment: JsonPart::default(),
            formulation: JsonPart::default(),
            choices: JsonPart::default(),
            follow_up: None,
            mha_decision: None,
            referral_status: None,
            sha256: String::new(),
        }
    }

    /// The record with its own hash, over everything else in it.
    fn sealed(mut self) -> Record {
        self.sha256 = record_body_digest(&self);
        self
    }

    /// The record's file contents: canonical pretty JSON with a trailing newline.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut bytes = Vec::new();
        // Writing into a Vec cannot fail, and the record is plain data.
        let _ = serde_json::to_writer_pretty(&mut bytes, &Sorted::all(&to_value(self)));
        bytes.push(b'\n');
        bytes
    }

    /// Reads a record and checks that its bytes are exactly as sicol wrote them and that its
    /// content matches its `sha256`, so every changed byte shows.
    ///
    /// One pass over the bytes checks the canonical form and gives the compact JSON the hash is
    /// taken over; each field is then read from its own part of it, and the assessment,
    /// formulation and choices are kept as text until a command looks inside them (see
    /// [`JsonPart`]). Bytes that pass are exactly those the full check passes; anything else
    /// (an edited file, a newer format, a damaged hash) goes to the full check, which says
    /// exactly why.
    pub fn from_bytes(bytes: &[u8]) -> Result<Record, RecordError> {
        let limits = crate::input::limits();
        if bytes.len() as u64 <= limits.bytes(crate::input::InputKind::Record) {
            if let Some(record) = canonical::CanonicalText::read(bytes, limits.max_depth)
                .and_then(|text| Record::from_canonical(&text))
            {
                return Ok(record);
            }
        }
        Record::from_bytes_in_full(bytes)
    }

    /// The record in canonical text whose hash matches and whose format this build reads;
    /// `None` for anything else, left to [`Record::from_bytes_in_full`] to explain.
    fn from_canonical(text: &canonical::CanonicalText) -> Option<Record> {
        use serde::de::DeserializeOwned;
        fn required<T: DeserializeOwned>(text: &canonical::CanonicalText, name: &str) -> Option<T> {
            serde_json::from_slice(text.value(name)?).ok()
        }
        fn optional<T: DeserializeOwned>(
            text: &canonical::CanonicalText,
            name: &str,
        ) -> Option<Option<T>> {
            match text.value(name) {
                Some(json) => serde_json::from_slice(json).ok(),
                None => Some(None),
            }
        }
        let part = |name: &str| match text.value(name) {
            Some(json) => JsonPart::from_compact(json),
            None => JsonPart::default(),
        };
        let format: u32 = required(text, "format")?;
        if format > FORMAT {
            return None;
        }
        let sha256: String = required(text, DIGEST_FIELD)?;
        if text.digest_without(DIGEST_FIELD)? != sha256 {
            return None;
        }
        Some(Record {
            format,
            id: required(text, "id")?,
            supersedes: optional(text, "supersedes")?,
            previous: optional(text, "previous")?,
            saved_at: required(text, "saved_at")?,
            sicol_version: required(text, "sicol_version")?,
            ruleset: required(text, "ruleset")?,
            assessment: part("assessment"),
            formulation: part("formulation"),
            choices: part("choices"),
            follow_up: optional(text, "follow_up")?,
            mha_decision: optional(text, "mha_decision")?,
            referral_status: optional(text, "referral_status")?,
            sha256,
        })
    }

    /// The full check of [`Record::from_bytes`], through a parsed JSON value: the limits, the
    /// format, the canonical form (printed again and compared) and the hash, each refused with
    /// its own reason.
    fn from_bytes_in_full(bytes: &[u8]) -> Result<Record, RecordError> {
        // Size and depth first, in one pass, whichever store the bytes came from.
        crate::input::check_json(
            bytes,
            "",
            crate::input::InputKind::Record,
            &crate::input::limits(),
        )
        .map_err(|problem| {
            RecordError::Unreadable(problem.to_string().trim_start_matches(": ").to_owned())
        })?;
        let value: Value = serde_json::from_slice(bytes)
            .map_err(|error| RecordError::Unreadable(error.to_string()))?;
        if let Some(format) = value.get("format").and_then(Value::as_u64) {
            if format > u64::from(FORMAT) {
                return Err(RecordError::NewerFormat(
                    u32::try_from(format).unwrap_or(u32::MAX),
                ));
            }
        }
        let canonical = is_canonical(&value, bytes);
        // Only canonical bytes get as far as their hash, and the one-pass reader takes every
        // canonical record but the odd one (a key with an escape), so here the hash is simply
        // taken over the value written out again.
        let digest = canonical.then(|| digest_of(&Sorted::without(&value, DIGEST_FIELD)));
        let record = Record::from_value(value)
            .map_err(|error| RecordError::Unreadable(error.to_string()))?;
        if !canonical {
            return Err(RecordError::NotCanonical);
        }
        if digest.as_deref() != Some(record.sha256.as_str()) {
            return Err(RecordError::DigestMismatch {
                recorded: record.sha256,
            });
        }
        Ok(record)
    }

    /// The record a parsed JSON value holds, as `serde_json::from_value` would give it, but
    /// moving the assessment, formulation and choices out of the value instead of rebuilding
    /// them node by node (they are most of a record). Unknown fields are ignored, as by the
    /// derived reader, so a newer sicol's additions still read.
    fn from_value(value: Value) -> Result<Record, serde_json::Error> {
        use serde::de::{DeserializeOwned, Error as _};
        let Value::Object(mut map) = value else {
            return Err(serde_json::Error::custom(
                "invalid type: expected a record (a JSON object)",
            ));
        };
        fn required<T: DeserializeOwned>(
            map: &mut serde_json::Map<String, Value>,
            name: &'static str,
        ) -> Result<T, serde_json::Error> {
            match map.remove(name) {
                Some(value) => T::deserialize(value),
                None => Err(serde_json::Error::missing_field(name)),
            }
        }
        fn optional<T: DeserializeOwned>(
            map: &mut serde_json::Map<String, Value>,
            name: &'static str,
        ) -> Result<Option<T>, serde_json::Error> {
            map.remove(name).map_or(Ok(None), Option::<T>::deserialize)
        }
        Ok(Record {
            format: required(&mut map, "format")?,
            id: required(&mut map, "id")?,
            supersedes: optional(&mut map, "supersedes")?,
            previous: optional(&mut map, "previous")?,
            saved_at: required(&mut map, "saved_at")?,
            sicol_version: required(&mut map, "sicol_version")?,
            ruleset: required(&mut map, "ruleset")?,
            assessment: map.remove("assessment").unwrap_or(Value::Null).into(),
            formulation: map.remove("formulation").unwrap_or(Value::Null).into(),
            choices: map.remove("choices").unwrap_or(Value::Null).into(),
            follow_up: optional(&mut map, "follow_up")?,
            mha_decision: optional(&mut map, "mha_decision")?,
            referral_status: optional(&mut map, "referral_status")?,
            sha256: required(&mut map, DIGEST_FIELD)?,
        })
    }

    /// Whether this is an assessment record (not a follow-up or a referral status), the only
    /// kind with a formulation to replay.
    pub fn is_assessment(&self) -> bool {
        self.follow_up.is_none() && self.referral_status.is_none()
    }

    /// The record this one follows, for a follow-up or a referral status.
    pub fn follows(&self) -> Option<RecordId> {
        self.follow_up
            .as_ref()
            .map(|follow_up| follow_up.follows)
            .or_else(|| self.referral_status.as_ref().map(|status| status.follows))
    }

    /// The case id, read from the assessment (or, for a follow-up or a status, from itself).
    pub fn case(&self) -> &str {
        if let Some(follow_up) = &self.follow_up {
            return &follow_up.case;
        }
        if let Some(status) = &self.referral_status {
            return &status.case;
        }
        self.assessment
            .get("id")
            .and_then(Value::as_str)
            .unwrap_or_default()
    }

    /// The assessment as a typed value (for replay the store re-checks it against a vocabulary).
    pub fn typed_assessment(&self) -> Result<Assessment, serde_json::Error> {
        self.assessment.typed()
    }

    /// The person's choices as a typed value.
    pub fn typed_choices(&self) -> Result<Choices, serde_json::Error> {
        if self.choices.is_null() {
            return Ok(Choices::default());
        }
        self.choices.typed()
    }
}

/// A JSON part of a record (its assessment, formulation or choices), kept as its canonical
/// compact text and read into a value only when a command first looks inside it. Most store
/// work never does for most records: `verify` reads none, and `replay` compares the text with
/// what it recomputes and reads the value only when they differ. It derefs to the value, so it
/// reads as one.
pub struct JsonPart {
    /// Compact JSON with sorted keys: what [`digest`] hashes and what serde_json writes for the
    /// value. Bytes, not `str`: it was checked as UTF-8 with the whole record, and the readers
    /// take bytes, so it is not checked again.
    text: Box<[u8]>,
    value: std::sync::OnceLock<Value>,
}

impl JsonPart {
    /// The part a serialisable value makes: its canonical compact JSON, written directly
    /// (see [`canonical::to_canonical_json`]) or, for what that does not write, through a
    /// value tree. The value is read back only if asked for.
    pub fn of<T: Serialize>(value: &T) -> JsonPart {
        match canonical::to_canonical_json(value) {
            Some(text) => JsonPart {
                text: text.into_boxed_slice(),
                value: std::sync::OnceLock::new(),
            },
            None => JsonPart::from(to_value(value)),
        }
    }

    /// The part from a record's canonical compact text.
    fn from_compact(json: &[u8]) -> JsonPart {
        JsonPart {
            text: json.into(),
            value: std::sync::OnceLock::new(),
        }
    }

    /// The value, read from the text the first time it is asked for.
    pub fn value(&self) -> &Value {
        // The text passed the canonical check (or was written from a value), so it reads; if
        // it ever did not, `null` is shown and replay reports the difference.
        self.value
            .get_or_init(|| serde_json::from_slice(&self.text).unwrap_or(Value::Null))
    }

    /// The value, owned.
    pub fn into_value(self) -> Value {
        match self.value.into_inner() {
            Some(value) => value,
            None => serde_json::from_slice(&self.text).unwrap_or(Value::Null),
        }
    }

    /// The part's canonical compact JSON text.
    pub fn text(&self) -> &[u8] {
        &self.text
    }

    /// The part as a typed value, read straight from its text (no value tree in between).
    pub fn typed<T: serde::de::DeserializeOwned>(&self) -> Result<T, serde_json::Error> {
        serde_json::from_slice(&self.text)
    }

    /// Whether `value` is this part exactly, told by writing it out against the text (no
    /// allocation, no value read from the text).
    pub fn is(&self, value: &Value) -> bool {
        let mut same = SameBytes::new(&self.text);
        serde_json::to_writer(&mut same, &Sorted::all(value)).is_ok() && same.is_whole()
    }
}

impl From<Value> for JsonPart {
    fn from(value: Value) -> JsonPart {
        let mut text = Vec::new();
        // Writing a value into a Vec cannot fail.
        let _ = serde_json::to_writer(&mut text, &Sorted::all(&value));
        JsonPart {
            text: text.into(),
            value: std::sync::OnceLock::from(value),
        }
    }
}

impl Default for JsonPart {
    fn default() -> JsonPart {
        JsonPart::from(Value::Null)
    }
}

impl Clone for JsonPart {
    fn clone(&self) -> JsonPart {
        JsonPart {
            text: self.text.clone(),
            value: self.value.clone(),
        }
    }
}

impl std::ops::Deref for JsonPart {
    type Target = Value;

    fn deref(&self) -> &Value {
        self.value()
    }
}

/// Equal text is equal value: both are canonical.
impl PartialEq for JsonPart {
    fn eq(&self, other: &JsonPart) -> bool {
        self.text == other.text
    }
}

impl fmt::Debug for JsonPart {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&String::from_utf8_lossy(&self.text))
    }
}

impl Serialize for JsonPart {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.value().serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for JsonPart {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<JsonPart, D::Error> {
        Value::deserialize(deserializer).map(JsonPart::from)
    }
}

/// The record's hash: over its JSON without its own hash field.
fn record_body_digest(record: &Record) -> String {
    digest_of(&Sorted::without(&to_value(record), DIGEST_FIELD))
}

/// Any serialisable value as JSON. The types sicol records (plain data, string keys) cannot fail
/// to serialise; if one ever did, `null` is recorded and replay reports it as drift.
pub fn to_value<T: Serialize>(value: &T) -> Value {
    serde_json::to_value(value).unwrap_or(Value::Null)
}

/// sha256 of a value's canonical compact JSON, as lower-case hex.
pub fn digest(value: &Value) -> String {
    digest_of(&Sorted::all(value))
}

/// sha256 of the compact JSON of `value`, hashed as it is written (no text in memory).
fn digest_of(value: &Sorted<'_>) -> String {
    let mut hasher = HashWriter(Sha256::new());
    // Hashing cannot fail; a value that cannot be written hashes as far as it got, which no
    // record's own hash matches.
    let _ = serde_json::to_writer(&mut hasher, value);
    format!("{:x}", hasher.0.finalize())
}

/// A JSON value written with every object's keys in sorted order, whatever order serde_json's
/// map keeps (its `preserve_order` feature may be switched on by another crate in the build),
/// optionally without one top-level field. Writes what `serde_json` writes for a value whose
/// maps are sorted, byte for byte, without making that sorted copy.
struct Sorted<'a> {
    value: &'a Value,
    skip: Option<&'a str>,
}

impl<'a> Sorted<'a> {
    fn all(value: &'a Value) -> Self {
        Sorted { value, skip: None }
    }

    fn without(value: &'a Value, field: &'a str) -> Self {
        Sorted {
            value,
            skip: Some(field),
        }
    }
}

impl Serialize for Sorted<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self.value {
            // serde_json's map is sorted already unless `preserve_order` is on: then the
            // entries are written as they come, without sorting or looking each key up again.
            Value::Object(map) if map.keys().is_sorted() => {
                let count =
                    map.len() - usize::from(self.skip.is_some_and(|skip| map.contains_key(skip)));
                let mut out = serializer.serialize_map(Some(count))?;
                for (key, item) in map {
                    if Some(key.as_str()) != self.skip {
                        out.serialize_entry(key, &Sorted::all(item))?;
                    }
                }
                out.end()
            }
            Value::Object(map) => {
                let mut keys: Vec<&String> = map
                    .keys()
                    .filter(|key| Some(key.as_str()) != self.skip)
                    .collect();
                keys.sort_unstable();
                let mut out = serializer.serialize_map(Some(keys.len()))?;
                for key in keys {
                    if let Some(item) = map.get(key) {
                        out.serialize_entry(key, &Sorted::all(item))?;
                    }
                }
                out.end()
            }
            Value::Array(items) => {
                let mut out = serializer.serialize_seq(Some(items.len()))?;
                for item in items {
                    out.serialize_element(&Sorted::all(item))?;
                }
                out.end()
            }
            other => other.serialize(serializer),
        }
    }
}

/// Feeds what is written into a sha256.
struct HashWriter(Sha256);

impl std::io::Write for HashWriter {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.update(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Whether `bytes` are exactly the canonical text of `value` (with its trailing newline). The
/// text is written into a buffer kept per thread, so checking 100,000 records allocates once.
fn is_canonical(value: &Value, bytes: &[u8]) -> bool {
    thread_local! {
        static BUFFER: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
    }
    BUFFER.with(|buffer| {
        let Ok(mut buffer) = buffer.try_borrow_mut() else {
            let mut same = SameBytes::new(bytes);
            return serde_json::to_writer_pretty(&mut same, &Sorted::all(value)).is_ok()
                && std::io::Write::write_all(&mut same, b"\n").is_ok()
                && same.is_whole();
        };
        buffer.clear();
        serde_json::to_writer_pretty(&mut *buffer, &Sorted::all(value)).is_ok() && {
            buffer.push(b'\n');
            buffer.as_slice() == bytes
        }
    })
}

/// Compares what is written with `expected` as it comes, so the canonical check needs no copy.
struct SameBytes<'a> {
    expected: &'a [u8],
    at: usize,
    same: bool,
}

impl<'a> SameBytes<'a> {
    fn new(expected: &'a [u8]) -> Self {
        SameBytes {
            expected,
            at: 0,
            same: true,
        }
    }

    /// Whether everything written matched and covered all of `expected`.
    fn is_whole(&self) -> bool {
        self.same && self.at == self.expected.len()
    }
}

impl std::io::Write for SameBytes<'_> {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        let end = self.at + bytes.len();
        if self.same && self.expected.get(self.at..end) != Some(bytes) {
            self.same = false;
        }
        self.at = end;
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Record {
        let mut record = Record {
            format: FORMAT,
            id: RecordId(3),
            supersedes: Some(RecordId(1)),
            previous: Some("ab".repeat(32)),
            saved_at: DateTime::parse_from_rfc3339("2026-11-20T15:00:00Z")
                .map(|time| time.with_timezone(&Utc))
                .unwrap_or_default(),
            sicol_version: "0.1.0".into(),
            ruleset: RuleSetId {
                name: "test".into(),
                version: "1".into(),
                sha256: "cd".repeat(32),
            },
            assessment: serde_json::json!({ "id": "A-1", "note": "Zoë × 2 − 1" }).into(),
            formulation: serde_json::json!({ "weight": 2.6, "factors": [{ "w": 0.1 }] }).into(),
            choices: serde_json::json!([]).into(),
            follow_up: None,
            mha_decision: None,
            referral_status: None,
            sha256: String::new(),
        };
        record.sha256 = record_body_digest(&record);
        record
    }

    #[test]
    fn a_record_reads_back_exactly() {
        let record = sample();
        let bytes = record.to_bytes();
        assert_eq!(Record::from_bytes(&bytes), Ok(record.clone()));
        assert_eq!(record.case(), "A-1");
        assert!(String::from_utf8_lossy(&bytes).contains("\"id\": \"00000003\""));
    }

    #[test]
    fn the_hash_read_from_canonical_bytes_is_the_hash_of_the_body() {
        let mut last = sample();
        // A record whose hash is its last field, and one with strings that look like layout.
        last.assessment =
            serde_json::json!({ "note": "a \"b\"\n  \"sha256\": \"x\", c \\" }).into();
        last.sha256 = record_body_digest(&last);
        for record in [sample(), last] {
            let bytes = record.to_bytes();
            let text = canonical::CanonicalText::read(&bytes, 64);
            assert_eq!(
                text.and_then(|text| text.digest_without(DIGEST_FIELD)),
                Some(record.sha256.clone())
            );
            assert_eq!(Record::from_bytes(&bytes), Ok(record));
        }
    }

    #[test]
    fn every_changed_byte_is_caught() {
        let bytes = sample().to_bytes();
        for index in 0..bytes.len() {
            let mut tampered = bytes.clone();
            tampered[index] = if tampered[index] == b'0' { b'1' } else { b'0' };
            assert!(
                Record::from_bytes(&tampered).is_err(),
                "changing byte {index} went unnoticed"
            );
        }
    }

    #[test]
    fn a_follow_up_record_reads_back_and_assessment_records_keep_their_shape() {
        let assessment = sample();
        assert!(!String::from_utf8_lossy(&assessment.to_bytes()).contains("follow_up"));
        let draft = FollowUpDraft {
            follow_up: FollowUp {
                follows: RecordId(3),
                case: "A-1".into(),
                date: chrono::NaiveDate::from_ymd_opt(2026, 12, 1).unwrap_or_default(),
                admitted: false,
                issues_resolved: vec!["debt".into()],
                note: None,
            },
            ruleset: assessment.ruleset.clone(),
            saved_at: assessment.saved_at,
        };
        let record = draft.seal(RecordId(4), Some(assessment.sha256.clone()));
        assert_eq!(record.format, FOLLOW_UP_FORMAT);
        assert_eq!(record.case(), "A-1");
        assert_eq!(Record::from_bytes(&record.to_bytes()), Ok(record.clone()));
        assert!(record.assessment.is_null() && record.formulation.is_null());
    }

    #[test]
    fn a_newer_format_is_refused_plainly() {
        let mut record = sample();
        record.format = FORMAT + 1;
        record.sha256 = record_body_digest(&record);
        assert_eq!(
            Record::from_bytes(&record.to_bytes()),
            Err(RecordError::NewerFormat(FORMAT + 1))
        );
    }

    #[test]
    fn ids_sort_in_chain_order_and_parse_only_their_own_spelling() {
        assert_eq!(RecordId(7).file_name(), "00000007.json");
        assert_eq!(RecordId::from_file_name("00000007.json"), Some(RecordId(7)));
        assert_eq!(RecordId::from_file_name("7.json"), None);
        assert_eq!(RecordId::from_file_name("00000000.json"), None);
        assert_eq!(RecordId::from_file_name(".incomplete-x.json"), None);
        assert_eq!(RecordId::parse("7"), Some(RecordId(7)));
        assert!(RecordId(9).file_name() < RecordId(10).file_name());
    }
}
