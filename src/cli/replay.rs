//! `sicol replay`: recompute saved records and show every field that differs (DESIGN §4).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use clap::Args;

use sicol::records::store::read_record;
use sicol::records::{Record, Replay, Store};
use sicol::{files, Result, RuleSet};

use super::{Cli, EXIT_FAILED, EXIT_OK};

/// Arguments of `sicol replay`.
#[derive(Debug, Args)]
pub struct ReplayArgs {
    /// Record files, or store folders to replay every record of
    #[arg(required = true, value_name = "RECORD|DIR")]
    pub paths: Vec<PathBuf>,

    /// Going on with a broken chain
    #[command(flatten)]
    pub forensic: super::verify::ForensicArgs,
}

/// Replays every record named; exit 1 if any drifted or could not be replayed.
pub fn run(cli: &Cli, args: &ReplayArgs) -> Result<u8> {
    // With --rules every record is compared under that rule set; without, under its own.
    let other_rules = cli.rules.as_deref().map(files::load_rules).transpose()?;
    let mut stores: BTreeMap<PathBuf, Store> = BTreeMap::new();
    let mut tally = Tally::default();
    for path in &args.paths {
        let (dir, records) = if path.is_dir() {
            let store = Store::open(path)?;
            let records = store
                .ids()?
                .into_iter()
                .map(|id| store.path_of(id))
                .collect();
            (path.clone(), records)
        } else {
            let dir = path
                .parent()
                .filter(|parent| !parent.as_os_str().is_empty())
                .unwrap_or(Path::new("."))
                .to_path_buf();
            (dir, vec![path.clone()])
        };
        if !stores.contains_key(&dir) {
            // Chain first: a record deleted, reordered or altered makes every replay doubtful.
            let mut store = Store::open(&dir)?;
            match super::verify::chain_first(&mut store, args.forensic)? {
                Err(code) => return Ok(code),
                Ok(Some(notice)) => super::print_safe(&format!("{notice}\n")),
                Ok(None) => {}
            }
            stores.insert(dir.clone(), store);
        }
        let Some(store) = stores.get_mut(&dir) else {
            continue;
        };
        for record_path in records {
            let report = replay_one(store, &record_path, other_rules.as_ref());
            tally.count(&report);
            // A closed pipe (… | head) is not worth an error; the exit code still tells.
            super::print_safe(&report.to_string());
        }
    }
    super::print_safe(&format!("{tally}\n"));
    Ok(if tally.drifted + tally.failed > 0 {
        EXIT_FAILED
    } else {
        EXIT_OK
    })
}

/// What replaying one file gave.
enum Report {
    Match(PathBuf, Record, Replay),
    Drift(PathBuf, Record, Replay),
    Failed(PathBuf, String),
    /// A follow-up or referral status record: it holds an outcome, not a formulation, so there
    /// is nothing to replay.
    FollowUp(PathBuf, Record),
}

fn replay_one(store: &mut Store, path: &Path, rules: Option<&RuleSet>) -> Report {
    let record = match read_record(path) {
        Ok(record) => record,
        Err(error) => return Report::Failed(path.to_path_buf(), error.to_string()),
    };
    if !record.is_assessment() {
        return Report::FollowUp(path.to_path_buf(), record);
    }
    match store.replay(&record, rules) {
        Ok(replay) if replay.drift.is_empty() => Report::Match(path.to_path_buf(), record, replay),
        Ok(replay) => Report::Drift(path.to_path_buf(), record, replay),
        Err(error) => Report::Failed(path.to_path_buf(), error.to_string()),
    }
}

impl std::fmt::Display for Report {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Report::Match(path, record, replay) => writeln!(
                f,
                "ok     {}  case {}: matches under {}",
                path.display(),
                record.case(),
                under(record, replay)
            ),
            Report::Drift(path, record, replay) => {
                writeln!(
                    f,
                    "DRIFT  {}  case {}: differs under {}",
                    path.display(),
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
                path.display(),
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
                let shown = path.display().to_string();
                let why = why.replace('\n', "\n       ");
                if why.starts_with(&shown) {
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
    fn count(&mut self, report: &Report) {
        match report {
            Report::Match(..) => self.matched += 1,
            Report::Drift(..) => self.drifted += 1,
            Report::Failed(..) => self.failed += 1,
            Report::FollowUp(_, record) => {
                if record.referral_status.is_some() {
                    self.statuses += 1;
                } else {
                    self.follow_ups += 1;
                }
            }
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
