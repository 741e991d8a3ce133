//! `sicol export` and `sicol referral` (issue 15): formulation records as FHIR R4 Bundles, and
//! the packet one partner receives about its referral. The file-system edge of
//! [`sicol::export`]: reads records and the referral statuses recorded against them.

use std::collections::HashMap;
use std::ops::ControlFlow;
use std::path::{Path, PathBuf};

use clap::{Args, ValueEnum};

use sicol::export::packet::Packet;
use sicol::export::{fhir, Case};
use sicol::records::backend::{checked, for_each_page, for_each_page_checked, ChainCheck, Checked};
use sicol::records::{Record, RecordId, RecordStore, ReferralStatus, StoreLocation};
use sicol::report::{html, markdown};
use sicol::{files, Error, Problem, Result};

use super::values::{parse_store, DEFAULT_STORE, STORE_ENV};
use super::{Cli, EXIT_FAILED, EXIT_OK};

/// Formats of `sicol export`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ExportFormat {
    /// A FHIR R4 Bundle (JSON)
    Fhir,
}

/// Arguments of `sicol export`.
#[derive(Debug, Args)]
pub struct ExportArgs {
    /// Assessment records: files (formulations/00000003.json) or ids (00000003, in --store)
    #[arg(value_name = "RECORD", required = true)]
    pub records: Vec<String>,

    /// The output format
    #[arg(long, value_enum, default_value = "fhir")]
    pub format: ExportFormat,

    /// Write one file per record into DIR (<id>.fhir.json) instead of printing
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,

    /// The store (a folder, or a postgresql:// URL), when a RECORD is an id
    #[arg(long, value_name = "DIR|URL", env = STORE_ENV, hide_env_values = true,
          default_value = DEFAULT_STORE, value_parser = parse_store)]
    pub store: StoreLocation,

    /// Going on with a broken chain
    #[command(flatten)]
    pub forensic: super::verify::ForensicArgs,
}

/// Formats of `sicol referral`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum PacketFormat {
    /// A Markdown document
    Markdown,
    /// A self-contained HTML page
    Html,
    /// A FHIR R4 Bundle with this partner's request, task and consent only
    Fhir,
}

/// Arguments of `sicol referral`.
#[derive(Debug, Args)]
pub struct ReferralArgs {
    /// The assessment record: its file (formulations/00000003.json) or id (00000003)
    #[arg(value_name = "RECORD")]
    pub record: String,

    /// The partner id of the referral, as in the record's plan
    #[arg(long, value_name = "ID")]
    pub partner: String,

    /// The output format
    #[arg(long, value_enum, default_value = "markdown")]
    pub format: PacketFormat,

    /// The store (a folder, or a postgresql:// URL), when RECORD is an id
    #[arg(long, value_name = "DIR|URL", env = STORE_ENV, hide_env_values = true,
          default_value = DEFAULT_STORE, value_parser = parse_store)]
    pub store: StoreLocation,
}

/// Writes one bundle per assessment record, to stdout (one after another) or to `--out`. A store
/// (a folder, or a postgresql:// URL) names every record in it. The chain of every store read is
/// checked first. Follow-ups and referral statuses are not assessments: a status is carried as
/// its referral's Task status in the bundle of the record it follows, a follow-up is skipped;
/// each is said on stderr and the export goes on. A record that cannot be exported is reported
/// and the rest still are (exit 1).
pub fn run_export(cli: &Cli, args: &ExportArgs) -> Result<u8> {
    let rules = files::load_rules(&cli.rules_dir())?;
    if let Some(out) = &args.out {
        files::write::private_dir(out)?;
    }
    let mut targets: Vec<(StoreLocation, RecordId)> = Vec::new();
    for name in &args.records {
        let whole = match StoreLocation::parse(name) {
            StoreLocation::Folder(path) if Path::new(&path).is_dir() => {
                Some(StoreLocation::Folder(path))
            }
            StoreLocation::Folder(_) => None,
            url => Some(url),
        };
        match whole {
            Some(location) => {
                let mut store = sicol::records::backend::open(&location)?;
                targets.extend(store.ids()?.into_iter().map(|id| (location.clone(), id)));
            }
            None => targets.push(super::store::locate(name, &args.store)?),
        }
    }
    // Each store is read once, checking its chain (issue 19) and noting its referral statuses
    // (issue 20: exporting a whole store used to read it again for every record).
    let mut stores: HashMap<String, (Box<dyn RecordStore>, StatusIndex)> = HashMap::new();
    let mut failed = 0;
    for (location, id) in targets {
        let shown = location.to_string();
        if !stores.contains_key(&shown) {
            let mut store = sicol::records::backend::open(&location)?;
            let mut chain = super::verify::chain_check(store.as_mut(), args.forensic)?;
            let index = index_statuses(store.as_mut(), Some(&mut chain));
            if let Err(code) = super::verify::chain_verdict(&chain.finish(), &shown, args.forensic)
            {
                return Ok(code);
            }
            stores.insert(shown.clone(), (store, index?));
        }
        let Some((store, index)) = stores.get_mut(&shown) else {
            continue;
        };
        let name = format!("{shown}/{}", id.file_name());
        let (record, statuses) = statuses_of(store.as_mut(), index, id)?;
        if let Some(follow_up) = &record.follow_up {
            eprintln!(
                "note: {name} is a follow-up of record {}, not an assessment; FHIR R4 has no plain place for it in a referral bundle, so it is skipped",
                follow_up.follows
            );
            continue;
        }
        if let Some(status) = &record.referral_status {
            eprintln!(
                "note: {name} is a referral status of record {}; it is carried as the Task status of that referral in record {}'s bundle",
                status.follows, status.follows
            );
            continue;
        }
        let case = match Case::new(&record, &statuses) {
            Ok(case) => case,
            Err(error) => {
                eprintln!(
                    "error: {}",
                    sicol::input::terminal_safe(&problem(&name, error).to_string())
                );
                failed += 1;
                continue;
            }
        };
        let text = match args.format {
            ExportFormat::Fhir => fhir::to_text(&fhir::bundle(&case, &rules.vocabulary)),
        };
        match &args.out {
            Some(out) => {
                let file = format!(
                    "{}.fhir.json",
                    files::write::safe_stem(&record.id.to_string())
                );
                let path = files::write::write_private(out, &file, text.as_bytes())?;
                eprintln!("wrote {}", path.display());
            }
            None => super::print_safe(&text),
        }
    }
    Ok(if failed > 0 { EXIT_FAILED } else { EXIT_OK })
}

/// Prints one partner's packet.
pub fn run_referral(cli: &Cli, args: &ReferralArgs) -> Result<u8> {
    let rules = files::load_rules(&cli.rules_dir())?;
    let (record, statuses) = load(&args.record, &args.store)?;
    let case = Case::new(&record, &statuses).map_err(|error| problem(&args.record, error))?;
    let partner = args.partner.trim();
    let packet = Packet::new(&case, partner, &rules.vocabulary)
        .map_err(|error| problem(&args.record, error))?;
    if !packet.consented() {
        eprintln!(
            "warning: the person's consent to the referral to {partner} is not recorded as given; confirm it before sending"
        );
    }
    let text = match args.format {
        PacketFormat::Markdown => markdown::to_markdown(&packet.document(&rules.vocabulary)),
        PacketFormat::Html => html::to_html(&packet.document(&rules.vocabulary)),
        PacketFormat::Fhir => fhir::to_text(&fhir::partner_bundle(
            &case,
            packet.referral,
            &rules.vocabulary,
        )),
    };
    super::print_safe(&text);
    Ok(EXIT_OK)
}

/// Reads a record and the referral statuses that stand for its referrals: those recorded
/// against it and, for a revision, against the records it revises (the report carries them
/// forward the same way), as if recorded against this record.
fn load(name: &str, store: &StoreLocation) -> Result<(Record, Vec<(RecordId, ReferralStatus)>)> {
    let (location, id) = super::store::locate(name, store)?;
    load_at(&location, id)
}

/// [`load`] for a record already located.
fn load_at(
    location: &StoreLocation,
    id: RecordId,
) -> Result<(Record, Vec<(RecordId, ReferralStatus)>)> {
    let mut store = sicol::records::backend::open(location)?;
    let index = index_statuses(store.as_mut(), None)?;
    statuses_of(store.as_mut(), &index, id)
}

/// A store's referral statuses by the record they follow, each with its own record id, in
/// chain order.
type StatusIndex = HashMap<RecordId, Vec<(RecordId, ReferralStatus)>>;

/// Reads every referral status of a store in one pass, checking the chain as it goes when
/// `chain` is given (the caller then judges it before using the index).
fn index_statuses(
    store: &mut dyn RecordStore,
    chain: Option<&mut ChainCheck>,
) -> Result<StatusIndex> {
    let mut index = StatusIndex::new();
    match chain {
        Some(chain) => for_each_page_checked(store, chain, &mut |store, page| {
            note_statuses(&mut index, store, page)
        })?,
        None => for_each_page(store, &mut |store, page| {
            note_statuses(&mut index, store, page)
        })?,
    }
    Ok(index)
}

/// Adds the referral statuses of a page of records to `index`; a damaged record is an error.
fn note_statuses(
    index: &mut StatusIndex,
    store: &mut dyn RecordStore,
    page: Vec<Checked>,
) -> Result<ControlFlow<()>> {
    for (id, record) in page {
        let record = checked(&store.locate(id), record)?;
        if let Some(status) = record.referral_status {
            index
                .entry(status.follows)
                .or_default()
                .push((record.id, status));
        }
    }
    Ok(ControlFlow::Continue(()))
}

/// Reads a record and the referral statuses that stand for its referrals, from `index`.
fn statuses_of(
    store: &mut dyn RecordStore,
    index: &StatusIndex,
    id: RecordId,
) -> Result<(Record, Vec<(RecordId, ReferralStatus)>)> {
    let record = store.read(id)?;
    let mut revised = vec![id];
    let mut earlier = record.supersedes;
    // Revisions only name earlier records; the bound guards a forged cycle.
    while let Some(previous) = earlier.filter(|previous| *previous < id && revised.len() <= 1000) {
        revised.push(previous);
        earlier = store.read(previous)?.supersedes;
    }
    let mut statuses: Vec<(RecordId, ReferralStatus)> = revised
        .iter()
        .filter_map(|follows| index.get(follows))
        .flatten()
        .map(|(status_id, status)| {
            let mut status = status.clone();
            status.follows = id;
            (*status_id, status)
        })
        .collect();
    // In chain order, as they were read.
    statuses.sort_by_key(|(status_id, _)| *status_id);
    Ok((record, statuses))
}

fn problem(name: &str, error: impl std::fmt::Display) -> Error {
    Problem::new(name, Default::default(), "", error.to_string()).into()
}
