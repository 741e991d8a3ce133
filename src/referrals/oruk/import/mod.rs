//! Open Referral UK services into `partners.yaml` entries. This module reads each service;
//! [`schedule`] turns its schedules into opening windows and [`entry`] writes the text.
//!
//! The export is read as loose JSON rather than into fixed structs: directories differ in which
//! optional fields they fill, and every field with a value must be either carried over or named
//! in a note, which needs the fields the code does not know as much as those it does.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

mod entry;
mod schedule;

use entry::{write_yaml, EligibilityEntry, Entry};

use super::mapping::SICOL_TAXONOMY;
use super::{Note, NoteKind, TaxonomyMapping};
use crate::error::{Problem, Problems};
use crate::model::Vocabulary;
use crate::source::Position;

/// The directory read from an ORUK export.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Imported {
    /// `partners.yaml` text holding every service imported, in the export's order.
    pub yaml: String,
    /// How many partners it holds.
    pub partners: usize,
    /// Every value not carried over unchanged, and every service left out, in the export's
    /// order.
    pub notes: Vec<Note>,
}

/// Reads an ORUK services export (a list of services, a page of them under `contents`, or one
/// service) into `partners.yaml` text. `file` names the export in errors.
///
/// A service is left out, with a note, when it is not active, when none of its taxonomy terms
/// maps to a sicol category, or when it has no opening hours sicol can read. A service with no
/// name, no id, no way to contact it or impossible ages is an error: every problem is reported
/// at once, each with the service's place in the export.
pub fn import(
    json: &str,
    file: &str,
    mapping: &TaxonomyMapping,
    vocabulary: &Vocabulary,
) -> Result<Imported, Problems> {
    let value: Value = serde_json::from_str(json).map_err(|error| json_problem(file, &error))?;
    let Some((services, base)) = services_of(&value) else {
        return Err(Problem::new(
            file,
            Position::default(),
            "",
            "not an Open Referral UK services export",
        )
        .with_hint("expected a list of services, a page of them under `contents`, or one service")
        .into());
    };
    let mut reader = Reader {
        file,
        mapping,
        vocabulary,
        problems: Vec::new(),
        notes: Vec::new(),
    };
    let mut entries: Vec<Entry> = Vec::new();
    let mut ids: BTreeMap<String, String> = BTreeMap::new();
    for (index, service) in services.iter().enumerate() {
        let path = match base {
            Base::List(list) => format!("{list}[{index}]"),
            Base::One => String::new(),
        };
        let Some(entry) = reader.service(&path, service) else {
            continue;
        };
        if let Some(first) = ids.get(&entry.id) {
            reader.problem(
                &field(&path, "id"),
                format!(
                    "service `{}` gives partner id `{}`, already given to the service at {first}",
                    entry.name, entry.id
                ),
                "partner ids come from the ORUK id; give the two services their own ids in the directory",
            );
            continue;
        }
        ids.insert(entry.id.clone(), place(&path));
        entries.push(entry);
    }
    if !reader.problems.is_empty() {
        return Err(Problems(reader.problems));
    }
    if !entries.is_empty() {
        for (key, text) in [
            (
                "same_day",
                "ORUK does not say whether the partner can act on a referral the same day; written as false until a person sets it",
            ),
            (
                "can_coordinate",
                "ORUK does not say whether the partner offers a worker who can coordinate the case; written as false until a person sets it",
            ),
            (
                "eligibility.lives",
                "ORUK has no living situations; none written, so each partner serves anyone until a person adds the ones it serves",
            ),
        ] {
            reader.notes.push(Note {
                kind: NoteKind::SetByHand,
                service: "every partner imported".to_owned(),
                field: key.to_owned(),
                text: text.to_owned(),
            });
        }
    }
    Ok(Imported {
        yaml: write_yaml(&entries),
        partners: entries.len(),
        notes: reader.notes,
    })
}

/// Where the services are in the export.
enum Base {
    /// A list, at this field path (empty for a top-level list).
    List(&'static str),
    /// The export is one service.
    One,
}

fn services_of(value: &Value) -> Option<(&[Value], Base)> {
    match value {
        Value::Array(items) => Some((items, Base::List(""))),
        Value::Object(fields) => match fields.get("contents") {
            Some(Value::Array(items)) => Some((items, Base::List("contents"))),
            Some(_) => None,
            None if fields.contains_key("name") || fields.contains_key("id") => {
                Some((std::slice::from_ref(value), Base::One))
            }
            None => None,
        },
        _ => None,
    }
}

/// `path.name`, or `name` at the top.
fn field(path: &str, name: &str) -> String {
    if path.is_empty() {
        name.to_owned()
    } else {
        format!("{path}.{name}")
    }
}

/// A service's place for a message: its path, or "the top" for a single service.
fn place(path: &str) -> String {
    if path.is_empty() {
        "the top of the file".to_owned()
    } else {
        path.to_owned()
    }
}

fn json_problem(file: &str, error: &serde_json::Error) -> Problem {
    let text = error.to_string();
    let message = match text.find(" at line ") {
        Some(cut) => text[..cut].to_owned(),
        None => text,
    };
    Problem::new(
        file,
        Position {
            line: error.line(),
            column: error.column(),
        },
        "",
        format!("not valid JSON: {message}"),
    )
    .with_hint("an ORUK export is JSON; check the file is the export itself and not a web page")
}

/// A non-empty string, or a number written as text (some directories use numeric ids).
fn text_of(value: Option<&Value>) -> Option<String> {
    match value? {
        Value::String(text) if !text.trim().is_empty() => Some(text.trim().to_owned()),
        Value::Number(number) => Some(number.to_string()),
        _ => None,
    }
}

fn text(fields: &Map<String, Value>, key: &str) -> Option<String> {
    text_of(fields.get(key))
}

/// The records of an array field; none when absent or not an array.
fn records<'v>(fields: &'v Map<String, Value>, key: &str) -> &'v [Value] {
    fields
        .get(key)
        .and_then(Value::as_array)
        .map_or(&[], Vec::as_slice)
}

/// Whether a value says something: not null, not an empty string, list or record.
fn has_value(value: &Value) -> bool {
    match value {
        Value::Null => false,
        Value::String(text) => !text.trim().is_empty(),
        Value::Array(items) => !items.is_empty(),
        Value::Object(fields) => !fields.is_empty(),
        Value::Bool(_) | Value::Number(_) => true,
    }
}

fn as_strs(list: &[String]) -> Vec<&str> {
    list.iter().map(String::as_str).collect()
}

/// A value in a few words, for a note.
fn summary(value: &Value) -> String {
    match value {
        Value::String(text) => {
            let text = text.trim();
            let short: String = text.chars().take(70).collect();
            if short.len() < text.len() {
                format!("`{short}…`")
            } else {
                format!("`{short}`")
            }
        }
        Value::Array(items) if items.len() == 1 => "1 entry".to_owned(),
        Value::Array(items) => format!("{} entries", items.len()),
        Value::Object(fields) => match text(fields, "name") {
            Some(name) => format!("`{name}`"),
            None => "a record".to_owned(),
        },
        other => format!("`{other}`"),
    }
}

struct Reader<'a> {
    file: &'a str,
    mapping: &'a TaxonomyMapping,
    vocabulary: &'a Vocabulary,
    problems: Vec<Problem>,
    notes: Vec<Note>,
}

/// The fields of a service this reader carries over or explains on its own; every other field
/// with a value gets a generic "not mapped" note.
const READ: [&str; 14] = [
    "id",
    "name",
    "status",
    "email",
    "phones",
    "contacts",
    "application_process",
    "minimum_age",
    "maximum_age",
    "eligibility_description",
    "schedules",
    "attributes",
    "organization",
    "service_areas",
];

impl Reader<'_> {
    fn problem(&mut self, path: &str, message: String, hint: &str) {
        self.problems
            .push(Problem::new(self.file, Position::default(), path, message).with_hint(hint));
    }

    fn note(&mut self, kind: NoteKind, service: &str, field: String, text: String) {
        self.notes.push(Note {
            kind,
            service: service.to_owned(),
            field,
            text,
        });
    }

    fn service(&mut self, path: &str, value: &Value) -> Option<Entry> {
        let Some(fields) = value.as_object() else {
            self.problem(
                &place(path),
                "a service must be a record with fields".to_owned(),
                "each service is a JSON object with at least id and name",
            );
            return None;
        };
        let oruk_id = text(fields, "id");
        let name = text(fields, "name");
        let label = match (&name, &oruk_id) {
            (Some(name), Some(id)) => format!("{name} ({id})"),
            (Some(name), None) => name.clone(),
            (None, Some(id)) => format!("service {id}"),
            (None, None) => format!("the service at {}", place(path)),
        };
        if name.is_none() {
            self.problem(
                &field(path, "name"),
                format!("{label} has no name"),
                "every partner needs the name people will see; add it in the directory",
            );
        }
        if oruk_id.is_none() {
            self.problem(
                &field(path, "id"),
                format!("{label} has no id"),
                "every ORUK service has an id; the partner id is made from it",
            );
        }
        let (Some(name), Some(oruk_id)) = (name, oruk_id) else {
            return None;
        };
        if let Some(status) = text(fields, "status") {
            if !status.eq_ignore_ascii_case("active") {
                self.note(
                    NoteKind::NotImported,
                    &label,
                    "status".to_owned(),
                    format!("the service is `{status}`, so it is not offered"),
                );
                return None;
            }
        }
        let id = partner_id(&oruk_id, &name);
        if id.is_empty() {
            self.problem(
                &field(path, "id"),
                format!("{label}: no partner id can be made from its id or name"),
                "give the service an id with letters or digits",
            );
            return None;
        }
        let before = self.problems.len();
        // A minimum of 0 excludes nobody, so it is written as no minimum.
        let min_age = self
            .age(path, &label, fields, "minimum_age")
            .filter(|min| *min > 0);
        let max_age = match self.age(path, &label, fields, "maximum_age") {
            // Some directories write 0 for "no limit"; read literally it would turn everyone
            // away, which no service means.
            Some(0) => {
                self.note(
                    NoteKind::Changed,
                    &label,
                    "maximum_age".to_owned(),
                    "0 read as no upper age limit; check it".to_owned(),
                );
                None
            }
            max => max,
        };
        if let (Some(min), Some(max)) = (min_age, max_age) {
            if min > max {
                self.problem(
                    &field(path, "maximum_age"),
                    format!("{label}: maximum_age {max} is below minimum_age {min}"),
                    "correct the ages in the directory",
                );
            }
        }
        let contact = self.contact(path, &label, fields);
        let categories = self.categories(&label, fields);
        let hours = self.hours(&label, fields);
        let note = text(fields, "eligibility_description");
        if note.is_some() {
            self.note(
                NoteKind::FreeText,
                &label,
                "eligibility_description".to_owned(),
                "kept as the eligibility note, which people read and sicol does not: write any limit in it as a field by hand".to_owned(),
            );
        }
        self.unmapped_fields(&label, &name, fields);
        if self.problems.len() > before {
            return None;
        }
        let contact = contact?;
        if categories.is_empty() {
            self.note(
                NoteKind::NotImported,
                &label,
                "attributes".to_owned(),
                "none of its taxonomy terms maps to a sicol referral category; map one in the taxonomy mapping if it should be offered".to_owned(),
            );
            return None;
        }
        let Some(hours) = hours else {
            self.note(
                NoteKind::NotImported,
                &label,
                "schedules".to_owned(),
                "no weekly opening hours sicol can read; add the partner by hand with its hours"
                    .to_owned(),
            );
            return None;
        };
        Some(Entry {
            id,
            name,
            categories,
            contact,
            hours,
            eligibility: EligibilityEntry {
                min_age,
                max_age,
                note,
            },
            oruk_id,
        })
    }

    fn age(
        &mut self,
        path: &str,
        label: &str,
        fields: &Map<String, Value>,
        key: &str,
    ) -> Option<u32> {
        let value = fields.get(key).filter(|value| has_value(value))?;
        let years = match value {
            Value::Number(number) => number.as_u64().or_else(|| {
                number
                    .as_f64()
                    .filter(|x| x.fract() == 0.0 && *x >= 0.0)
                    .map(|x| x as u64)
            }),
            Value::String(text) => text.trim().parse::<u64>().ok(),
            _ => None,
        };
        match years
            .and_then(|years| u32::try_from(years).ok())
            .filter(|years| *years <= 150)
        {
            Some(years) => Some(years),
            None => {
                self.problem(
                    &field(path, key),
                    format!(
                        "{label}: {key} {} is not an age in whole years",
                        summary(value)
                    ),
                    "write the age as a whole number of years, or leave it out",
                );
                None
            }
        }
    }

    /// The one contact partners.yaml keeps: the first phone, else the first e-mail address,
    /// else the application process. Phones come first because a crisis referral is made by
    /// phone.
    fn contact(&mut self, path: &str, label: &str, fields: &Map<String, Value>) -> Option<String> {
        let mut found: Vec<(String, String)> = Vec::new();
        // Free text about a phone ("text only", "for professionals"), noted once it is read.
        let mut described: Vec<(String, String)> = Vec::new();
        let mut phones = |records: &[Value], at: &str, found: &mut Vec<(String, String)>| {
            for (index, phone) in records.iter().enumerate() {
                let Some(phone) = phone.as_object() else {
                    continue;
                };
                if let Some(number) = text(phone, "number") {
                    let number = match text(phone, "extension") {
                        Some(extension) => format!("{number} ext. {extension}"),
                        None => number,
                    };
                    found.push((format!("{at}[{index}].number"), number));
                }
                if let Some(description) = text(phone, "description") {
                    described.push((format!("{at}[{index}].description"), description));
                }
            }
        };
        phones(records(fields, "phones"), "phones", &mut found);
        let contacts = records(fields, "contacts");
        for (index, contact) in contacts.iter().enumerate() {
            if let Some(contact) = contact.as_object() {
                phones(
                    records(contact, "phones"),
                    &format!("contacts[{index}].phones"),
                    &mut found,
                );
            }
        }
        for (at, description) in described {
            self.note(
                NoteKind::NotMapped,
                label,
                at,
                format!("`{description}`: free text with no place in partners.yaml"),
            );
        }
        if let Some(email) = text(fields, "email") {
            found.push(("email".to_owned(), email));
        }
        for (index, contact) in contacts.iter().enumerate() {
            let Some(contact) = contact.as_object() else {
                continue;
            };
            if let Some(email) = text(contact, "email") {
                found.push((format!("contacts[{index}].email"), email));
            }
            let person: Vec<String> = ["name", "title", "department"]
                .iter()
                .filter_map(|key| text(contact, key))
                .collect();
            if !person.is_empty() {
                self.note(
                    NoteKind::NotMapped,
                    label,
                    format!("contacts[{index}]"),
                    format!(
                        "contact person `{}`: partners.yaml names no people",
                        person.join(", ")
                    ),
                );
            }
        }
        let process = text(fields, "application_process");
        let mut kept: Option<String> = None;
        for (at, value) in found {
            match &kept {
                None => kept = Some(value),
                Some(first) if *first == value => {}
                Some(first) => self.note(
                    NoteKind::NotMapped,
                    label,
                    at,
                    format!("`{value}` not kept: partners.yaml keeps one contact, `{first}`"),
                ),
            }
        }
        match (kept, process) {
            (Some(contact), Some(process)) => {
                self.note(
                    NoteKind::NotMapped,
                    label,
                    "application_process".to_owned(),
                    format!(
                        "{}: free text with no place in partners.yaml",
                        summary(&Value::String(process))
                    ),
                );
                Some(contact)
            }
            (Some(contact), None) => Some(contact),
            (None, Some(process)) => {
                self.note(
                    NoteKind::Changed,
                    label,
                    "application_process".to_owned(),
                    "no phone or e-mail: the application process is written as the contact; check it tells an assessor how to refer".to_owned(),
                );
                Some(process)
            }
            (None, None) => {
                self.problem(
                    &place(path),
                    format!("{label} has no phone, e-mail or application process"),
                    "partners.yaml needs a contact for every partner: add one in the directory, or leave the service out of the export",
                );
                None
            }
        }
    }

    /// The sicol categories of the service's taxonomy terms, in the order of its terms.
    fn categories(&mut self, label: &str, fields: &Map<String, Value>) -> Vec<String> {
        let mut categories: Vec<String> = Vec::new();
        for (index, attribute) in records(fields, "attributes").iter().enumerate() {
            let at = format!("attributes[{index}]");
            let term = attribute
                .as_object()
                .and_then(|attribute| attribute.get("taxonomy_term"))
                .and_then(Value::as_object);
            let Some(term) = term else {
                self.note(
                    NoteKind::NotMapped,
                    label,
                    at,
                    format!(
                        "{}: no taxonomy term written inside it; export the services with their taxonomy terms",
                        summary(attribute)
                    ),
                );
                continue;
            };
            let detail = term.get("taxonomy_detail").and_then(Value::as_object);
            let taxonomies: Vec<String> = [
                detail.and_then(|detail| text(detail, "name")),
                detail.and_then(|detail| text(detail, "id")),
                text(term, "taxonomy"),
                text(term, "taxonomy_id"),
            ]
            .into_iter()
            .flatten()
            .collect();
            let codes: Vec<String> = ["code", "id", "term_uri", "name", "term"]
                .iter()
                .filter_map(|key| text(term, key))
                .collect();
            let own = taxonomies
                .iter()
                .any(|name| name == SICOL_TAXONOMY)
                .then(|| text(term, "code"))
                .flatten()
                .filter(|code| self.vocabulary.referral_categories.contains_key(code));
            let found: Vec<String> = match own {
                Some(code) => vec![code],
                None => self
                    .mapping
                    .categories_of(&as_strs(&taxonomies), &as_strs(&codes))
                    .map(<[String]>::to_vec)
                    .unwrap_or_default(),
            };
            if found.is_empty() {
                let name = text(term, "name")
                    .or_else(|| codes.first().cloned())
                    .unwrap_or_default();
                let scheme = taxonomies
                    .first()
                    .cloned()
                    .unwrap_or_else(|| "no taxonomy".to_owned());
                self.note(
                    NoteKind::NotMapped,
                    label,
                    at,
                    format!("taxonomy term `{name}` of `{scheme}` has no sicol category in the taxonomy mapping"),
                );
            }
            for category in found {
                if !categories.contains(&category) {
                    categories.push(category);
                }
            }
        }
        categories
    }

    /// A note for every field with a value that [`READ`] does not cover, and for the ones it
    /// covers only to say they have no place.
    fn unmapped_fields(&mut self, label: &str, name: &str, fields: &Map<String, Value>) {
        for (index, area) in records(fields, "service_areas").iter().enumerate() {
            let area_name = area
                .as_object()
                .and_then(|area| text(area, "name").or_else(|| text(area, "service_area")))
                .unwrap_or_else(|| "an area".to_owned());
            self.note(
                NoteKind::NotMapped,
                label,
                format!("service_areas[{index}]"),
                format!("`{area_name}`: sicol does not limit partners by area; import only services that cover yours"),
            );
        }
        if let Some(organization) = fields.get("organization").and_then(Value::as_object) {
            let organization_name = text(organization, "name");
            if organization_name.as_deref() != Some(name) {
                self.note(
                    NoteKind::NotMapped,
                    label,
                    "organization".to_owned(),
                    format!(
                        "{}: partners.yaml keeps services, not the organisations that run them",
                        summary(&Value::Object(organization.clone()))
                    ),
                );
            }
        }
        for (key, value) in fields {
            if READ.contains(&key.as_str()) || !has_value(value) {
                continue;
            }
            self.note(
                NoteKind::NotMapped,
                label,
                key.clone(),
                format!("{}: no place in partners.yaml", summary(value)),
            );
        }
    }
}

/// The partner id for an ORUK service: its ORUK id in lower-kebab-case (letters and digits
/// kept, lower-cased, every other run of characters one `-`), so that importing the same
/// directory again gives the same ids and saved records keep pointing at their partners. The
/// name is used only when the id has no letter or digit at all.
fn partner_id(oruk_id: &str, name: &str) -> String {
    let kebab = |text: &str| {
        let mut id = String::with_capacity(text.len());
        for c in text.chars() {
            if c.is_ascii_alphanumeric() {
                id.push(c.to_ascii_lowercase());
            } else if !id.is_empty() && !id.ends_with('-') {
                id.push('-');
            }
        }
        id.trim_end_matches('-').to_owned()
    };
    let id = kebab(oruk_id);
    if id.is_empty() {
        kebab(name)
    } else {
        id
    }
}

#[cfg(test)]
mod tests {
    use super::partner_id;

    #[test]
    fn partner_ids_come_from_the_oruk_id_in_lower_kebab_case() {
        assert_eq!(
            partner_id("AC148810-D857-441C-9679-408F346DE14B", "x"),
            "ac148810-d857-441c-9679-408f346de14b"
        );
        assert_eq!(partner_id("SVC_0042", "x"), "svc-0042");
        assert_eq!(partner_id("  cv-housing-aid ", "x"), "cv-housing-aid");
        assert_eq!(partner_id("--", "Spires Youth Foyer"), "spires-youth-foyer");
        assert_eq!(partner_id("__", "!!"), "");
    }
}
