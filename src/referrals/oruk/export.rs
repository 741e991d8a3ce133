//! The partner directory as Open Referral UK services, read back by [`import`](super::import)
//! into the same partners in every field ORUK can carry.

use chrono::Timelike;
use serde_json::{json, Map, Value};

use super::mapping::SICOL_TAXONOMY;
use super::{Note, NoteKind, TaxonomyMapping, DAYS};
use crate::model::Vocabulary;
use crate::referrals::partners::{Hours, Partner};
use crate::referrals::Directory;

/// The directory as ORUK JSON.
#[derive(Debug, Clone, PartialEq)]
pub struct Exported {
    /// One page of services, as the ORUK `/services` endpoint returns them.
    pub json: String,
    /// How many services it holds.
    pub services: usize,
    /// What was not written, or written in another form.
    pub notes: Vec<Note>,
}

/// Writes every partner as an ORUK service: id, name, organisation, contact (a phone under
/// `contacts`, an e-mail address as `email`, anything else as `application_process`), weekly
/// `schedules`, `minimum_age`/`maximum_age`, the eligibility note as `eligibility_description`
/// and the categories as taxonomy terms through the mapping.
pub fn export(
    directory: &Directory,
    mapping: &TaxonomyMapping,
    vocabulary: &Vocabulary,
) -> Exported {
    let mut notes = Vec::new();
    let services: Vec<Value> = directory
        .partners()
        .iter()
        .map(|partner| service(partner, mapping, vocabulary, &mut notes))
        .collect();
    if !services.is_empty() {
        notes.push(Note {
            kind: NoteKind::NotMapped,
            service: "every partner".to_owned(),
            field: "same_day, can_coordinate".to_owned(),
            text: "ORUK has no place for them; not written".to_owned(),
        });
    }
    let count = services.len();
    let page = json!({
        "total_items": count,
        "total_pages": 1,
        "page_number": 1,
        "size": count,
        "first_page": true,
        "last_page": true,
        "empty": count == 0,
        "contents": services,
    });
    Exported {
        // `{:#}` is serde_json's pretty form; writing a `Value` cannot fail.
        json: format!("{page:#}\n"),
        services: count,
        notes,
    }
}

fn service(
    partner: &Partner,
    mapping: &TaxonomyMapping,
    vocabulary: &Vocabulary,
    notes: &mut Vec<Note>,
) -> Value {
    let id = &partner.id;
    let label = format!("{} ({id})", partner.name);
    let mut service = Map::new();
    service.insert("id".into(), json!(id));
    service.insert("name".into(), json!(partner.name));
    service.insert("status".into(), json!("active"));
    // sicol keeps no organisations: each partner is written as its own.
    service.insert(
        "organization".into(),
        json!({ "id": id, "name": partner.name }),
    );
    let contact = partner.contact.trim();
    if is_email(contact) {
        service.insert("email".into(), json!(contact));
    } else if is_phone(contact) {
        service.insert(
            "contacts".into(),
            json!([{ "id": format!("{id}-contact"), "phones": [{ "id": format!("{id}-phone"), "number": contact }] }]),
        );
    } else {
        service.insert("application_process".into(), json!(contact));
    }
    let eligibility = &partner.eligibility;
    if let Some(min) = eligibility.min_age {
        service.insert("minimum_age".into(), json!(min));
    }
    if let Some(max) = eligibility.max_age {
        service.insert("maximum_age".into(), json!(max));
    }
    if let Some(note) = &eligibility.note {
        service.insert("eligibility_description".into(), json!(note));
    }
    if !eligibility.lives.is_empty() {
        notes.push(Note {
            kind: NoteKind::NotMapped,
            service: label.clone(),
            field: "eligibility.lives".to_owned(),
            text: format!(
                "serves people who live: {}; ORUK has no place for it, so a directory read back serves anyone",
                eligibility.lives.join(", ")
            ),
        });
    }
    // The choice's structured limits (issue 18) have no ORUK field: each one dropped is said,
    // since a directory read back without them would send people where they are turned away.
    let mut structured = Vec::new();
    if !eligibility.gender.is_empty() {
        structured.push("eligibility.gender");
    }
    if !eligibility.only_when.is_empty() {
        structured.push("eligibility.only_when");
    }
    if partner.max_risk.is_some() {
        structured.push("max_risk");
    }
    if partner.responds_within_hours.is_some() {
        structured.push("responds_within_hours");
    }
    if partner.urgent_only {
        structured.push("urgent_only");
    }
    if partner.route != crate::referrals::Route::Professional {
        structured.push("route");
    }
    if !structured.is_empty() {
        notes.push(Note {
            kind: NoteKind::NotMapped,
            service: label.clone(),
            field: structured.join(", "),
            text: "ORUK has no place for them; not written, so a directory read back must have them set by hand".to_owned(),
        });
    }
    service.insert(
        "schedules".into(),
        Value::Array(schedules(id, &partner.hours)),
    );
    let mut attributes = Vec::new();
    let mut covered: Vec<&str> = Vec::new();
    for category in &partner.categories {
        if covered.contains(&category.as_str()) {
            continue;
        }
        let term = match mapping.term_for(category, &partner.categories) {
            Some(term) => {
                covered.extend(term.categories.iter().map(String::as_str));
                json!({
                    "id": term.code,
                    "code": term.code,
                    "name": term.name.as_deref().unwrap_or(&term.code),
                    "description": term.name.as_deref().unwrap_or(&term.code),
                    "taxonomy": term.taxonomy,
                })
            }
            None => {
                covered.push(category);
                notes.push(Note {
                    kind: NoteKind::Changed,
                    service: label.clone(),
                    field: format!("categories: {category}"),
                    text: format!(
                        "no term in the taxonomy mapping stands for it; written as a term of `{SICOL_TAXONOMY}`"
                    ),
                });
                let info = vocabulary.referral_categories.get(category);
                json!({
                    "id": format!("{SICOL_TAXONOMY}:{category}"),
                    "code": category,
                    "name": info.map_or(category.as_str(), |info| info.label.as_str()),
                    "description": info.map_or("", |info| info.description.as_str()),
                    "taxonomy": SICOL_TAXONOMY,
                })
            }
        };
        let term_id = term.get("id").cloned().unwrap_or(Value::Null);
        attributes.push(json!({
            "id": format!("{id}-category-{}", attributes.len() + 1),
            "link_type": "service",
            "taxonomy_term_id": term_id,
            "taxonomy_term": term,
        }));
    }
    service.insert("attributes".into(), Value::Array(attributes));
    Value::Object(service)
}

/// Weekly schedules; `always` is every day from 00:00 to 23:59, which the import reads back as
/// `always`.
fn schedules(id: &str, hours: &Hours) -> Vec<Value> {
    let hhmm = |time: chrono::NaiveTime| format!("{:02}:{:02}", time.hour(), time.minute());
    let schedule = |index: usize, days: Vec<&str>, open: String, close: String| {
        json!({
            "id": format!("{id}-schedule-{index}"),
            "freq": "WEEKLY",
            "byday": days.join(","),
            "opens_at": open,
            "closes_at": close,
        })
    };
    match hours {
        Hours::Always => vec![schedule(
            1,
            DAYS.iter().map(|(code, ..)| *code).collect(),
            "00:00".to_owned(),
            "23:59".to_owned(),
        )],
        Hours::Windows(windows) => windows
            .iter()
            .enumerate()
            .map(|(index, window)| {
                let days = DAYS
                    .iter()
                    .filter(|(.., day)| window.days.contains(day))
                    .map(|(code, ..)| *code)
                    .collect();
                schedule(index + 1, days, hhmm(window.open), hhmm(window.close))
            })
            .collect(),
    }
}

fn is_email(contact: &str) -> bool {
    contact.contains('@') && !contact.contains(char::is_whitespace)
}

/// A phone number: digits with the usual separators, at least six digits.
fn is_phone(contact: &str) -> bool {
    let number = contact.split(" ext. ").next().unwrap_or(contact);
    number.chars().filter(char::is_ascii_digit).count() >= 6
        && number
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, ' ' | '+' | '(' | ')' | '-' | '.'))
}
