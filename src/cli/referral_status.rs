//! `sicol referral-status`: append where one referral stands with its partner, as a new record
//! (issue 15). The assessment record is never edited; `sicol report` counts the statuses.

use std::ops::ControlFlow;

use chrono::NaiveDate;
use clap::{Args, ValueEnum};

use sicol::records::backend::for_each_record;
use sicol::records::{
    LoopStatus, RecordId, RecordStore, ReferralStatus, StatusReport, StoreLocation,
};
use sicol::Result;

use super::values::{parse_date, parse_store, DEFAULT_STORE, STORE_ENV};
use super::EXIT_OK;

/// The statuses as typed on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum StatusArg {
    /// The referral went to the partner
    Sent,
    /// The partner took it on
    Accepted,
    /// The partner turned it down
    Declined,
    /// The partner is working with the person
    InProgress,
    /// The partner finished its work
    Completed,
    /// The partner could not reach the person
    NotReached,
}

impl From<StatusArg> for LoopStatus {
    fn from(status: StatusArg) -> LoopStatus {
        match status {
            StatusArg::Sent => LoopStatus::Sent,
            StatusArg::Accepted => LoopStatus::Accepted,
            StatusArg::Declined => LoopStatus::Declined,
            StatusArg::InProgress => LoopStatus::InProgress,
            StatusArg::Completed => LoopStatus::Completed,
            StatusArg::NotReached => LoopStatus::NotReached,
        }
    }
}

/// Arguments of `sicol referral-status`.
#[derive(Debug, Args)]
pub struct ReferralStatusArgs {
    /// The assessment record whose plan holds the referral: its file
    /// (formulations/00000003.json) or its id (00000003, in --store)
    #[arg(value_name = "RECORD")]
    pub record: String,

    /// The partner id of the referral, as in the record's plan
    #[arg(long, value_name = "ID")]
    pub partner: String,

    /// Where the referral stands now
    #[arg(value_enum, value_name = "STATUS")]
    pub status: StatusArg,

    /// A short note (never a name)
    #[arg(long, value_name = "TEXT")]
    pub note: Option<String>,

    /// The day the status became true (YYYY-MM-DD); today if left out
    #[arg(long, value_name = "DATE", value_parser = parse_date)]
    pub date: Option<NaiveDate>,

    /// The store (a folder, or a postgresql:// URL), when RECORD is an id
    #[arg(long, value_name = "DIR|URL", env = STORE_ENV, hide_env_values = true,
          default_value = DEFAULT_STORE, value_parser = parse_store)]
    pub store: StoreLocation,
}

/// Checks the status against the record's plan and appends it; prints the new record's path on
/// stderr.
pub fn run(args: &ReferralStatusArgs) -> Result<u8> {
    let super::store::Followed {
        mut store,
        id,
        origin,
        record,
    } = super::store::open_followed(&args.record, &args.store)?;
    let report = StatusReport {
        partner: args.partner.clone(),
        status: args.status.into(),
        note: args.note.clone(),
        date: super::outcome::day_or_today(args.date, "status"),
    };
    if let Some(revision) = revised_by(store.as_mut(), id)? {
        eprintln!(
            "warning: record {id} is revised by record {revision}; the report and export count this status for the revision"
        );
    }
    let status = ReferralStatus::check(&record, report, &origin)?;
    // A declined referral is refused above; one the person has not agreed to yet may still go
    // out (consent is sometimes given on the phone later), but never unremarked.
    let decision = sicol::records::referral_status::person_decision(&record, &status.partner);
    if decision != Some(sicol::model::Decision::Accepted) {
        eprintln!(
            "warning: the record does not show the person agreeing to the referral to {} ({}); make sure they consent before it is sent",
            status.partner,
            decision.map_or("no choice recorded", |decision| decision.label())
        );
    }
    let draft = sicol::records::StatusDraft {
        status,
        ruleset: record.ruleset.clone(),
        saved_at: chrono::Utc::now(),
    };
    let saved = store.save_referral_status(&draft)?;
    eprintln!("saved {}", store.locate(saved.id));
    println!(
        "referral of case {} (record {id}) to {}: {} on {}, saved as record {}",
        saved.case(),
        args.partner.trim(),
        LoopStatus::from(args.status).label(),
        draft.status.date,
        saved.id
    );
    Ok(EXIT_OK)
}

/// The record that revises `id`, if any (the latest one found).
fn revised_by(store: &mut dyn RecordStore, id: RecordId) -> Result<Option<RecordId>> {
    let mut revision = None;
    for_each_record(store, Some(id), &mut |other| {
        if other.supersedes == Some(id) {
            revision = Some(other.id);
        }
        ControlFlow::Continue(())
    })?;
    Ok(revision)
}
