//! The partner directory in the standard councils publish: Open Referral UK, the UK profile of
//! the Human Services Data Specification 3.0 (HSDS). [`import()`] reads a services export into
//! `partners.yaml` entries and lists every value it could not carry over; [`export()`] writes a
//! [`Directory`](crate::referrals::Directory) back as ORUK services. [`mapping`] is the taxonomy
//! mapping the service keeps, from the directory's terms to sicol's referral categories.
//!
//! Everything here is pure: text in, text and notes out. `sicol partners` reads and writes the
//! files.
//!
//! The two formats do not hold the same things. ORUK has no same-day capacity, no coordinating
//! worker and no living situation; sicol has no service areas, organisations, costs or free-text
//! descriptions beside the eligibility note. Nothing is dropped silently: each side reports what
//! the other could not take, and the import writes safe defaults (`same_day: false`,
//! `can_coordinate: false`) that a person must confirm.

mod export;
mod import;
pub mod mapping;

use std::fmt;

pub use export::{export, Exported};
pub use import::{import, Imported};
pub use mapping::{MappedTerm, TaxonomyMapping, SICOL_TAXONOMY};

/// The mapping file's name inside a rules folder.
pub const MAPPING_FILE: &str = "oruk-taxonomy.yaml";

/// What became of one value that does not pass unchanged between the formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum NoteKind {
    /// The whole service was left out of the directory written.
    NotImported,
    /// The value has no place on the other side and was not written.
    NotMapped,
    /// The value was kept as free text, where a person must read it.
    FreeText,
    /// The value was written in a changed form; check it.
    Changed,
    /// The field has no source on the other side; a default was written for a person to set.
    SetByHand,
}

impl NoteKind {
    /// The heading the report groups notes of this kind under.
    pub fn heading(self) -> &'static str {
        match self {
            NoteKind::NotImported => "not imported",
            NoteKind::NotMapped => "not mapped",
            NoteKind::FreeText => "kept as free text",
            NoteKind::Changed => "changed",
            NoteKind::SetByHand => "set by hand",
        }
    }
}

/// One value that did not pass unchanged, named by service and field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Note {
    /// What became of it.
    pub kind: NoteKind,
    /// The service or partner: its name and id.
    pub service: String,
    /// The field, such as `service_areas[0]` or `schedules[1].freq`.
    pub field: String,
    /// What it held and why it did not pass, in words.
    pub text: String,
}

impl fmt::Display for Note {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: {}: {}: {}",
            self.kind.heading(),
            self.service,
            self.field,
            self.text
        )
    }
}

/// Days as ORUK (RFC 5545 `BYDAY`) and partners.yaml write them, Monday first.
const DAYS: [(&str, &str, chrono::Weekday); 7] = [
    ("MO", "mon", chrono::Weekday::Mon),
    ("TU", "tue", chrono::Weekday::Tue),
    ("WE", "wed", chrono::Weekday::Wed),
    ("TH", "thu", chrono::Weekday::Thu),
    ("FR", "fri", chrono::Weekday::Fri),
    ("SA", "sat", chrono::Weekday::Sat),
    ("SU", "sun", chrono::Weekday::Sun),
];
