//! `sicol replay`: recompute saved records and show every field that differs (DESIGN §4).

use std::collections::HashMap;
use std::io::{Seek, Write};
use std::ops::ControlFlow;
use std::path::Path;
use std::sync::Arc;

use clap::Args;
use rayon::prelude::*;

use sicol::records::backend::{
    self, damaged, for_each_page_checked, rulesets_of, ChainCheck, Checked,
};
use sicol::records::store::read_record;
use sicol::records::{replay, Record, RecordError, RecordStore, Replay, StoreLocation};
use sicol::{files, Result, RuleSet};

use super::values::{parse_store, DEFAULT_STORE, STORE_ENV};
use super::{Cli, EXIT_FAILED, EXIT_OK};

/// Arguments of `sicol replay`.
#[derive(Debug, Args)]
pub struct ReplayArgs {
    /// Record files, or stores (folders or postgresql:// URLs) to replay every record of;
    /// the store of --store when none is given
    #[arg(value_name = "RECORD|DIR|URL")]
    pub paths: Vec<String>,

    /// The store to replay when no RECORD or DIR is given
    #[arg(long, value_name = "DIR|URL", env = STORE_ENV, hide_env_values = true,
          default_value = DEFAULT_STORE, value_parser = parse_store)]
    pub store: StoreLocation,

    #[command(flatten)]
    pub forensic: super::verify::ForensicArgs,
}

/// Replays every record named; exit 1 if any drifted or could not be replayed.
pub fn run(cli: &Cli, args: &ReplayArgs) -> Result<u8> {
    // With --rules every record is compared under that rule set; without, under its own.
    let other_rules = cli.rules.as_deref().map(files::load_rules).transpose()?;
    let mut tally = Tally::default();
    let mut out = std::io::stdout().lock();
    let targets: Vec<StoreLocation> = if args.paths.is_empty() {
        vec![args.store.clone()]
    } else {
        args.paths
            .iter()
            .map(|path| StoreLocation::parse(path))
            .collect()
    };
    // Stores opened for single record files, by folder, so their rule set copies load once.
    let mut folders: HashMap<std::path::PathBuf, Box<dyn RecordStore>> = HashMap::new();
    for target in &targets {
        let file = target.folder().filter(|path| !path.is_dir());
        let Some(file) = file else {
            let mut store = backend::open(target)?;
            // Chain first: a record deleted, reordered or altered makes every replay doubtful.
            // It is checked in the same pass as the records are replayed (each is read once),
            // and the reports are held back in a spool file until it is judged, so memory
            // stays flat and nothing is shown from a store in doubt.
            let mut chain = super::verify::chain_check(store.as_mut(), args.forensic)?;
            let mut spool = tempfile::tempfile()
                .map_err(|source| sicol::Error::io(std::env::temp_dir(), source))?;
            let mut spooled = Ok(());
            let replayed = replay_store(
                store.as_mut(),
                &mut chain,
                other_rules.as_ref(),
                &mut |report| {
                    tally.count(report.kind);
                    if spooled.is_ok() {
                        spooled = spool.write_all(report.text.as_bytes());
                    }
                },
            );
            match super::verify::chain_verdict(&chain.finish(), &target.to_string(), args.forensic)
            {
                Err(code) => return Ok(code),
                Ok(Some(notice)) => super::print_safe(&format!("{notice}\n")),
                Ok(None) => {}
            }
            replayed?;
            spooled
                .and_then(|()| spool.seek(std::io::SeekFrom::Start(0)).map(|_| ()))
                .map_err(|source| sicol::Error::io(std::env::temp_dir(), source))?;
            // A closed pipe (… | head) is not worth an error; the exit code still tells.
            let _ = std::io::copy(&mut spool, &mut out);
            continue;
        };
        let dir = file
            .parent()
            .filter(|parent| !parent.as_os_str().is_empty())
            .unwrap_or(Path::new("."))
            .to_path_buf();
        if !folders.contains_key(&dir) {
            let mut store = backend::open(&StoreLocation::Folder(dir.clone()))?;
            let shown = dir.display().to_string();
            match super::verify::chain_first(store.as_mut(), &shown, args.forensic)? {
                Err(code) => return Ok(code),
                Ok(Some(notice)) => super::print_safe(&format!("{notice}\n")),
                Ok(None) => {}
            }
            folders.insert(dir.clone(), store);
        }
        let Some(store) = folders.get_mut(&dir) else {
            continue;
        };
        let shown = file.display().to_string();
        let report = match read_record(file) {
            Ok(record) => {
                let own = match other_rules {
                    Some(_) => None,
                    None => Some(
                        store
                            .ruleset(&record.ruleset)
                            .map_err(|error| error.to_string()),
                    ),
                };
                replay_one(shown, Ok(record), other_rules.as_ref(), own.as_ref()).rendered()
            }
            Err(error) => Report::Failed(shown, error.to_string()).rendered(),
        };
        tally.count(report.kind);
        let _ = write!(out, "{}", report.text);
    }
    let _ = writeln!(out, "{tally}");
    Ok(if tally.drifted + tally.failed > 0 {
        EXIT_FAILED
    } else {
        EXIT_OK
    })
}

/// Replays every record of a store in chain order, a page at a time on every core, checking
/// the chain as it goes, and hands each report to `report` in order, written out (on every
/// core, so that the records and their formulations are freed there too).
fn replay_store(
    store: &mut dyn RecordStore,
    chain: &mut ChainCheck,
    rules: Option<&RuleSet>,
    report: &mut dyn FnMut(Rendered),
) -> Result<()> {
    for_each_page_checked(store, chain, &mut |store, page: Vec<Checked>| {
        let own = match rules {
            Some(_) => HashMap::new(),
            None => rulesets_of(store, &page),
        };
        let origins: Vec<String> = page.iter().map(|(id, _)| store.locate(*id)).collect();
        let reports: Vec<Rendered> = page
            .into_par_iter()
            .zip(origins)
            .map(|((_, record), origin)| {
                let own = record
                    .as_ref()
                    .ok()
                    .and_then(|record| own.get(&record.ruleset.sha256));
                replay_one(origin, record, rules, own).rendered()
            })
            .collect();
        reports.into_iter().for_each(&mut *report);
        Ok(ControlFlow::Continue(()))
    })
}

/// A report written out, with what kind it is for the tally.
struct Rendered {
    kind: ReportKind,
    text: String,
}

/// The kinds of report the tally counts.
#[derive(Debug, Clone, Copy)]
enum ReportKind {
    Match,
    Drift,
    Failed,
    FollowUp,
    Status,
}

/// What replaying one record gave.
enum Report {
    Match(String, Record, Replay),
    Drift(String, Record, Replay),
    Failed(String, String),
    /// A follow-up or referral status record: it holds an outcome, not a formulation, so there
    /// is nothing to replay.
    FollowUp(String, Record),
}

/// Replays one record under `rules`, or else under its own (`own`, loaded from its store, or
/// why it could not be).
fn replay_one(
    origin: String,
    record: std::result::Result<Record, RecordError>,
    rules: Option<&RuleSet>,
    own: Option<&std::result::Result<Arc<RuleSet>, String>>,
) -> Report {
    let record = match record {
        Ok(record) => record,
        Err(error) => {
            let why = damaged(&origin, error).to_string();
            return Report::Failed(origin, why);
        }
    };
    if !record.is_assessment() {
        return Report::FollowUp(origin, record);
    }
    let rules = match (rules, own) {
        (Some(rules), _) => rules,
        (None, Some(Ok(own))) => own.as_ref(),
        (None, Some(Err(why))) => return Report::Failed(origin, why.clone()),
        (None, None) => return Report::Failed(origin, "its rule set copy was not loaded".into()),
    };
    match replay(&record, rules) {
        Ok(replay) if replay.drift.is_empty() => Report::Match(origin, record, replay),
        Ok(replay) => Report::Drift(origin, record, replay),
        Err(problems) => Report::Failed(origin, problems.to_string()),
    }
}

impl Report {
    /// The report written out.
    fn rendered(self) -> Rendered {
        let kind = match &self {
            Report::Match(..) => ReportKind::Match,
            Report::Drift(..) => ReportKind::Drift,
            Report::Failed(..) => ReportKind::Failed,
            Report::FollowUp(_, record) if record.referral_status.is_some() => ReportKind::Status,
            Report::FollowUp(..) => ReportKind::FollowUp,
        };
        Rendered {
            kind,
            text: self.to_string(),
        }
    }
}

impl std::fmt::Display for Report {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Report::Match(path, record, replay) => writeln!(
                f,
                "ok     {}  case {}: matches under {}",
                path,
                record.case(),
                under(record, replay)
            ),
            Report::Drift(path, record, replay) => {
                writeln!(
                    f,
                    "DRIFT  {}  case {}: differs under {}",
                    path,
                    record.case(),
                    under(record, replay)
                )?;
                writeln!(
                    f,
                    "       recorded {} by sicol {} with {} {} (sha256 {})",
                    record.saved_at.format("%Y-%m-%d %H:%M:%S UTC"),
                    record.sicol_version,
                    record.ruleset.name,
                    record.ruleset.version,
                    short_hash(&record.ruleset.sha256)
                )?;
                if replay.own_rules {
                    let why = if record.sicol_version == sicol::VERSION {
                        "the same rules and the same sicol version should give the same formulation, so the record or the engine has drifted".to_owned()
                    } else {
                        format!(
                            "the record was made by sicol {}, this is sicol {}: the engine changed",
                            record.sicol_version,
                            sicol::VERSION
                        )
                    };
                    writeln!(f, "       {why}")?;
                }
                for line in replay.drift.headlines() {
                    writeln!(f, "       {line}")?;
                }
                writeln!(f, "       changed fields:")?;
                for change in &replay.drift.fields {
                    writeln!(f, "         {change}")?;
                }
                Ok(())
            }
            Report::FollowUp(path, record) => writeln!(
                f,
                "skip   {}  case {}: {} of record {}, nothing to recompute",
                path,
                record.case(),
                if record.referral_status.is_some() {
                    "referral status"
                } else {
                    "follow-up"
                },
                record
                    .follows()
                    .map(|follows| follows.to_string())
                    .unwrap_or_default()
            ),
            Report::Failed(path, why) => {
                // Most errors already start with the file's name.
                let shown = path;
                let why = why.replace('\n', "\n       ");
                if why.starts_with(shown.as_str()) {
                    writeln!(f, "FAILED {why}")
                } else {
                    writeln!(f, "FAILED {shown}: {why}")
                }
            }
        }
    }
}

fn under(record: &Record, replay: &Replay) -> String {
    let which = if replay.own_rules {
        "its own rules"
    } else if replay.under.name == record.ruleset.name
        && replay.under.version == record.ruleset.version
    {
        // Same name and version but different files: worth saying, since it is easy to miss.
        "other rules with the same name and version"
    } else {
        "other rules"
    };
    format!(
        "{which} ({} {}, sha256 {})",
        replay.under.name,
        replay.under.version,
        short_hash(&replay.under.sha256)
    )
}

/// The first 12 hex digits, enough to tell rule sets apart by eye.
pub fn short_hash(sha256: &str) -> &str {
    sha256.get(..12).unwrap_or(sha256)
}

#[derive(Default)]
struct Tally {
    matched: usize,
    drifted: usize,
    failed: usize,
    follow_ups: usize,
    statuses: usize,
}

impl Tally {
    fn count(&mut self, kind: ReportKind) {
        match kind {
            ReportKind::Match => self.matched += 1,
            ReportKind::Drift => self.drifted += 1,
            ReportKind::Failed => self.failed += 1,
            ReportKind::FollowUp => self.follow_ups += 1,
            ReportKind::Status => self.statuses += 1,
        }
    }
}

impl std::fmt::Display for Tally {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let total = self.matched + self.drifted + self.failed;
        let plural = if total == 1 { "" } else { "s" };
        write!(
            f,
            "replayed {total} record{plural}: {} match, {} drifted, {} failed",
            self.matched, self.drifted, self.failed
        )?;
        if self.follow_ups > 0 {
            let plural = if self.follow_ups == 1 { "" } else { "s" };
            write!(f, " ({} follow-up record{plural} skipped)", self.follow_ups)?;
        }
        if self.statuses > 0 {
            let plural = if self.statuses == 1 { "" } else { "s" };
            write!(
                f,
                " ({} referral status record{plural} skipped)",
                self.statuses
            )?;
        }
        Ok(())
    }
}
