//! The `partners.yaml` text an import writes: its own small entry types, never
//! [`Partner`](crate::referrals::Partner) values, so that the directory's type can grow fields
//! without this writer changing, and the text goes through `Directory::parse` like a
//! hand-written file.

use chrono::{NaiveTime, Timelike};
use serde_json::Value;

/// One partner as `partners.yaml` writes it. Built here rather than as a
/// [`Partner`](crate::referrals::Partner) so that the directory's own type can grow fields
/// without this writer changing: the text is checked by `Directory::parse` like any other.
pub(super) struct Entry {
    pub(super) id: String,
    pub(super) name: String,
    pub(super) categories: Vec<String>,
    pub(super) contact: String,
    pub(super) hours: HoursEntry,
    pub(super) eligibility: EligibilityEntry,
    /// The ORUK id, for the comment above the entry.
    pub(super) oruk_id: String,
}

pub(super) enum HoursEntry {
    Always,
    Windows(Vec<WindowEntry>),
}

pub(super) struct WindowEntry {
    pub(super) days: Vec<&'static str>,
    pub(super) open: NaiveTime,
    pub(super) close: NaiveTime,
}

#[derive(Default)]
pub(super) struct EligibilityEntry {
    pub(super) min_age: Option<u32>,
    pub(super) max_age: Option<u32>,
    pub(super) note: Option<String>,
}

impl EligibilityEntry {
    fn is_empty(&self) -> bool {
        self.min_age.is_none() && self.max_age.is_none() && self.note.is_none()
    }
}

const HEADER: &str = "\
# sicol partner directory, imported by `sicol partners import` from an Open
# Referral UK services export. Check every entry before use:
#   same_day and can_coordinate are not in ORUK and are written as false;
#   limits written in an eligibility note (gender, living situation, area)
#   are for a person to turn into fields; the import's report lists every
#   value it could not carry over.
";

/// The entries in the style of the bundled `partners.yaml`: one opening window a line, every
/// free-text value in double quotes. A JSON string is a valid YAML double-quoted scalar, so
/// serde_json does the escaping and no name or note can break the file's structure.
pub(super) fn write_yaml(entries: &[Entry]) -> String {
    use std::fmt::Write as _;
    let quoted = |text: &str| Value::String(text.to_owned()).to_string();
    let hhmm = |time: NaiveTime| format!("\"{:02}:{:02}\"", time.hour(), time.minute());
    let mut yaml = String::from(HEADER);
    yaml.push_str("\npartners:");
    if entries.is_empty() {
        yaml.push_str(" []");
    }
    yaml.push('\n');
    // Writing to a String cannot fail.
    for (index, entry) in entries.iter().enumerate() {
        if index > 0 {
            yaml.push('\n');
        }
        let _ = writeln!(yaml, "  # ORUK service {}", quoted(&entry.oruk_id));
        // A bare id reads back as text only when it starts with a letter and is no YAML word.
        let bare = entry.id.starts_with(|c: char| c.is_ascii_lowercase())
            && !matches!(
                entry.id.as_str(),
                "true" | "false" | "null" | "yes" | "no" | "on" | "off"
            );
        let id = if bare {
            entry.id.clone()
        } else {
            quoted(&entry.id)
        };
        let _ = writeln!(yaml, "  - id: {id}");
        let _ = writeln!(yaml, "    name: {}", quoted(&entry.name));
        let _ = writeln!(yaml, "    categories: [{}]", entry.categories.join(", "));
        let _ = writeln!(yaml, "    contact: {}", quoted(&entry.contact));
        match &entry.hours {
            HoursEntry::Always => yaml.push_str("    hours: always\n"),
            HoursEntry::Windows(windows) => {
                yaml.push_str("    hours:\n");
                for window in windows {
                    let _ = writeln!(
                        yaml,
                        "      - {{ days: [{}], open: {}, close: {} }}",
                        window.days.join(", "),
                        hhmm(window.open),
                        hhmm(window.close)
                    );
                }
            }
        }
        yaml.push_str("    same_day: false\n    can_coordinate: false\n");
        let eligibility = &entry.eligibility;
        if !eligibility.is_empty() {
            yaml.push_str("    eligibility:\n");
            if let Some(min) = eligibility.min_age {
                let _ = writeln!(yaml, "      min_age: {min}");
            }
            if let Some(max) = eligibility.max_age {
                let _ = writeln!(yaml, "      max_age: {max}");
            }
            if let Some(note) = &eligibility.note {
                let _ = writeln!(yaml, "      note: {}", quoted(note));
            }
        }
    }
    yaml
}
