//! Values several commands read the same way: the store, a day, yes or no. Kept apart so the
//! commands share them without importing one another.

use chrono::NaiveDate;
use clap::ValueEnum;

use sicol::records::StoreLocation;

/// The default store, relative to the working folder.
pub const DEFAULT_STORE: &str = "formulations";

/// Where the commands find the store when neither `--store` nor a record file names one.
pub const STORE_ENV: &str = "SICOL_STORE";

/// Reads `--store`: a folder, or a `postgresql://` URL for a team store.
pub fn parse_store(text: &str) -> Result<StoreLocation, String> {
    if text.trim().is_empty() {
        return Err("name a store folder, or a postgresql:// URL".to_owned());
    }
    Ok(StoreLocation::parse(text))
}

/// Reads a day written as YYYY-MM-DD.
pub fn parse_date(text: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .map_err(|_| format!("`{text}` is not a date; write it as YYYY-MM-DD, such as 2026-11-20"))
}

/// Yes or no, as typed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum YesNo {
    /// Yes.
    Yes,
    /// No.
    No,
}
