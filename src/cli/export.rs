//! `sicol export` and `sicol referral` (issue 15): formulation records as FHIR R4 Bundles, and
//! the packet one partner receives about its referral. The file-system edge of
//! [`sicol::export`]: reads records and the referral statuses recorded against them.

use std::path::{Path, PathBuf};

use clap::{Args, ValueEnum};

use sicol::export::packet::Packet;
use sicol::export::{fhir, Case};
use sicol::records::{Record, RecordId, ReferralStatus, Store};
use sicol::report::{html, markdown};
use sicol::{files, Error, Problem, Result};

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
    /// Assessment records: files (formulations/00000003.json), ids (00000003, in --store) or
    /// store folders (every record in it)
    #[arg(value_name = "RECORD|DIR", required = true)]
    pub records: Vec<String>,

    /// The output format
    #[arg(long, value_enum, default_value = "fhir")]
    pub format: ExportFormat,

    /// Write one file per record into DIR (<id>.fhir.json) instead of printing
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,

    /// The store folder, when a RECORD is an id
    #[arg(long, value_name = "DIR", default_value = super::save::DEFAULT_STORE)]
    pub store: PathBuf,

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

    /// The store folder, when RECORD is an id
    #[arg(long, value_name = "DIR", default_value = super::save::DEFAULT_STORE)]
    pub store: PathBuf,
}

/// Writes one bundle per assessment record, to stdout (one after another) or to `--out`. A store
/// folder names every record in it. The chain of every store read is checked first. Follow-ups
/// and referral statuses are not assessments: a status is carried as its referral's Task status
/// in the bundle of the record it follows, a follow-up is skipped; each is said on stderr and the
/// export goes on. A record that cannot be exported is reported and the rest still are (exit 1).
pub fn run_export(cli: &Cli, args: &ExportArgs) -> Result<u8> {
    let rules = files::load_rules(&cli.rules_dir())?;
    if let Some(out) = &args.out {
        files::write::private_dir(out)?;
    }
    let mut targets: Vec<(PathBuf, RecordId)> = Vec::new();
    for name in &args.records {
        let path = Path::new(name);
        if path.is_dir() {
            let store = Store::open(path)?;
            targets.extend(store.ids()?.into_iter().map(|id| (path.to_path_buf(), id)));
        } else {
            targets.push(super::outcome::locate(name, &args.store)?);
        }
    }
    let mut checked: Vec<PathBuf> = Vec::new();
    let mut failed = 0;
    for (dir, id) in targets {
        if !checked.contains(&dir) {
            let mut store = Store::open(&dir)?;
            if let Err(code) = super::verify::chain_first(&mut store, args.forensic)? {
                return Ok(code);
            }
            checked.push(dir.clone());
        }
        let name = dir.join(id.file_name()).display().to_string();
        let (record, statuses) = load(&dir, id)?;
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
    let (dir, id) = super::outcome::locate(&args.record, &args.store)?;
    let (record, statuses) = load(&dir, id)?;
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
fn load(dir: &Path, id: RecordId) -> Result<(Record, Vec<(RecordId, ReferralStatus)>)> {
    let store = Store::open(dir)?;
    let record = store.read(id)?;
    let mut revised = vec![id];
    let mut earlier = record.supersedes;
    // Revisions only name earlier records; the bound guards a forged cycle.
    while let Some(previous) = earlier.filter(|previous| *previous < id && revised.len() <= 1000) {
        revised.push(previous);
        earlier = store.read(previous)?.supersedes;
    }
    let mut statuses = Vec::new();
    for other in store.ids()? {
        if let Some(mut status) = store.read(other)?.referral_status {
            if revised.contains(&status.follows) {
                status.follows = id;
                statuses.push((other, status));
            }
        }
    }
    Ok((record, statuses))
}

fn problem(name: &str, error: impl std::fmt::Display) -> Error {
    Problem::new(name, Default::default(), "", error.to_string()).into()
}
