//! `sicol outcome`: append a follow-up of a case to its store, as a new record (issue 8).

use chrono::NaiveDate;
use clap::Args;

use sicol::records::{FollowUp, FollowUpDraft, FollowUpReport, StoreLocation};
use sicol::{files, Result};

use super::store::{open_followed, Followed};
use super::values::{parse_date, parse_store, YesNo, DEFAULT_STORE, STORE_ENV};
use super::{Cli, EXIT_OK};

/// Arguments of `sicol outcome`.
#[derive(Debug, Args)]
pub struct OutcomeArgs {
    /// The assessment record followed up: its file (formulations/00000003.json) or its id
    /// (00000003, in --store)
    #[arg(value_name = "RECORD")]
    pub record: String,

    /// Whether the person was admitted to a psychiatric bed after the assessment
    #[arg(long, value_enum, value_name = "yes|no")]
    pub admitted: YesNo,

    /// Stressor kinds recorded at the assessment that are now resolved, comma-separated
    #[arg(long, value_name = "KIND,...", value_delimiter = ',')]
    pub issues_resolved: Vec<String>,

    /// A short note (never a name)
    #[arg(long, value_name = "TEXT")]
    pub note: Option<String>,

    /// The day of the follow-up (YYYY-MM-DD); today if left out
    #[arg(long, value_name = "DATE", value_parser = parse_date)]
    pub date: Option<NaiveDate>,

    /// The store (a folder, or a postgresql:// URL), when RECORD is an id
    #[arg(long, value_name = "DIR|URL", env = STORE_ENV, hide_env_values = true,
          default_value = DEFAULT_STORE, value_parser = parse_store)]
    pub store: StoreLocation,
}

/// Checks the follow-up against the record it follows and appends it; prints the new record's
/// path on stderr.
pub fn run(cli: &Cli, args: &OutcomeArgs) -> Result<u8> {
    let Followed {
        mut store,
        id,
        origin,
        record,
    } = open_followed(&args.record, &args.store)?;
    let rules = files::load_rules(&cli.rules_dir())?;
    let report = FollowUpReport {
        admitted: args.admitted == YesNo::Yes,
        issues_resolved: args.issues_resolved.clone(),
        note: args.note.clone(),
        date: day_or_today(args.date, "follow-up"),
    };
    let follow_up = FollowUp::check(&record, report, &rules.vocabulary, &origin)?;
    let draft = FollowUpDraft {
        follow_up,
        ruleset: record.ruleset.clone(),
        saved_at: chrono::Utc::now(),
    };
    let saved = store.save_follow_up(&draft)?;
    eprintln!("saved {}", store.locate(saved.id));
    println!(
        "follow-up of case {} (record {id}) saved as record {}",
        saved.case(),
        saved.id
    );
    Ok(EXIT_OK)
}

/// The day given, or today; a day after today is kept but warned about, since it is more
/// likely a typing slip than a report from the future. `what` names the record in the warning.
pub(super) fn day_or_today(date: Option<NaiveDate>, what: &str) -> NaiveDate {
    let today = chrono::Local::now().date_naive();
    if let Some(date) = date.filter(|date| *date > today) {
        eprintln!("warning: the {what} date {date} is after today ({today}); check it is right");
    }
    date.unwrap_or(today)
}
