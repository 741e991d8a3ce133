//! `sicol outcome`: append a follow-up of a case to its store, as a new record (issue 8).

use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use clap::{Args, ValueEnum};

use sicol::records::{FollowUp, FollowUpDraft, FollowUpReport, Record, RecordId, Store};
use sicol::{files, Problem, Result};

use super::{Cli, EXIT_OK};

/// Yes or no, as typed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum YesNo {
    /// Yes.
    Yes,
    /// No.
    No,
}

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
    #[arg(long, value_name = "DATE", value_parser = super::report::parse_date)]
    pub date: Option<NaiveDate>,

    /// The store folder, when RECORD is an id
    #[arg(long, value_name = "DIR", default_value = super::save::DEFAULT_STORE)]
    pub store: PathBuf,
}

/// Checks the follow-up against the record it follows and appends it; prints the new record's
/// path on stderr.
pub fn run(cli: &Cli, args: &OutcomeArgs) -> Result<u8> {
    let Followed {
        mut store,
        id,
        path,
        record,
    } = open_followed(&args.record, &args.store)?;
    let rules = files::load_rules(&cli.rules_dir())?;
    let report = FollowUpReport {
        admitted: args.admitted == YesNo::Yes,
        issues_resolved: args.issues_resolved.clone(),
        note: args.note.clone(),
        date: day_or_today(args.date, "follow-up"),
    };
    let follow_up = FollowUp::check(
        &record,
        report,
        &rules.vocabulary,
        &path.display().to_string(),
    )?;
    let draft = FollowUpDraft {
        follow_up,
        ruleset: record.ruleset.clone(),
        saved_at: chrono::Utc::now(),
    };
    let (saved, saved_path) = store.save_follow_up(&draft)?;
    eprintln!("saved {}", saved_path.display());
    println!(
        "follow-up of case {} (record {id}) saved as record {}",
        saved.case(),
        saved.id
    );
    Ok(EXIT_OK)
}

/// The assessment record a later record (a follow-up, a referral status) is about, read from
/// the store it is in.
pub(super) struct Followed {
    /// The store, open to append to.
    pub store: Store,
    /// The record's id.
    pub id: RecordId,
    /// The record's file, to name it in problems.
    pub path: PathBuf,
    /// The record.
    pub record: Record,
}

/// Opens the store RECORD is in (with its permission warnings on stderr) and reads the record.
pub(super) fn open_followed(record: &str, store: &Path) -> Result<Followed> {
    let (dir, id) = locate(record, store)?;
    let store = Store::open(&dir)?;
    for warning in store.permission_warnings() {
        eprintln!("warning: {warning}");
    }
    let path = store.path_of(id);
    let record = store.read(id)?;
    Ok(Followed {
        store,
        id,
        path,
        record,
    })
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

/// The store and record id that RECORD names: a record file, or an id in `store`.
pub(super) fn locate(record: &str, store: &Path) -> Result<(PathBuf, RecordId)> {
    let path = Path::new(record);
    if path.is_file() {
        let id = path
            .file_name()
            .and_then(|name| name.to_str())
            .and_then(RecordId::from_file_name);
        let dir = path
            .parent()
            .filter(|parent| !parent.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        return match id {
            Some(id) => Ok((dir.to_path_buf(), id)),
            None => Err(Problem::new(
                record,
                Default::default(),
                "",
                "not a record file: record files are named like 00000003.json",
            )
            .with_hint("name a record in a store, such as formulations/00000003.json")
            .into()),
        };
    }
    match RecordId::parse(record) {
        Some(id) if store.join(id.file_name()).is_file() => Ok((store.to_path_buf(), id)),
        Some(id) => Err(Problem::new(
            store.display().to_string(),
            Default::default(),
            "",
            format!("there is no record {id} in this store"),
        )
        .with_hint("give a record id that `ls` shows in the store, or the store with --store DIR")
        .into()),
        None => Err(Problem::new(
            record,
            Default::default(),
            "",
            "no such record file, and not a record id",
        )
        .with_hint("give a record file (formulations/00000003.json) or id (00000003)")
        .into()),
    }
}
