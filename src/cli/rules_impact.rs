//! `sicol rules impact`: how a rule change would move the outcomes of saved formulations.

use std::io::IsTerminal;
use std::path::PathBuf;

use clap::Args;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use sicol::records::{Impact, Store};
use sicol::{files, Result};

use super::replay::short_hash;
use super::{Cli, EXIT_FAILED, EXIT_OK};

/// Stores larger than this show a progress bar (on a terminal).
const PROGRESS_FROM: usize = 300;

/// Arguments of `sicol rules impact`.
#[derive(Debug, Args)]
pub struct ImpactArgs {
    /// The store folder whose records are compared
    #[arg(long, value_name = "DIR", default_value = super::save::DEFAULT_STORE)]
    pub store: PathBuf,
}

/// Compares every current record under its own rules and under `--rules`; exit 1 only if some
/// record could not be compared.
pub fn run(cli: &Cli, args: &ImpactArgs) -> Result<u8> {
    let rules_dir = cli.rules_dir();
    let new = files::load_rules(&rules_dir)?;
    let mut store = Store::open(&args.store)?;
    let ids = store.ids()?;
    let progress = if ids.len() > PROGRESS_FROM && std::io::stderr().is_terminal() {
        let bar =
            ProgressBar::with_draw_target(Some(ids.len() as u64), ProgressDrawTarget::stderr());
        if let Ok(style) = ProgressStyle::with_template("{bar:40} {pos}/{len} records, {eta} left")
        {
            bar.set_style(style);
        }
        bar
    } else {
        ProgressBar::hidden()
    };
    let mut impact = Impact::default();
    for id in ids {
        store.add_to_impact(id, &new, &mut impact);
        progress.inc(1);
    }
    progress.finish_and_clear();
    impact.finish();

    println!(
        "rules impact of {} ({} {}, sha256 {}) on {}, against the rules each record was made with",
        rules_dir.display(),
        new.id.name,
        new.id.version,
        short_hash(&new.id.sha256),
        args.store.display()
    );
    println!(
        "{} current records ({} superseded revisions set aside); {} would change",
        impact.records(),
        impact.superseded.len(),
        impact.changed.len()
    );
    println!("  balance changes:         {}", impact.balance());
    println!("  urgency up:              {}", impact.urgency_up());
    println!("  urgency down:            {}", impact.urgency_down());
    println!("  recommendation changes:  {}", impact.recommendation());
    println!("  referral changes:        {}", impact.referrals());
    if !impact.changed.is_empty() {
        println!("changed cases:");
        for case in &impact.changed {
            let headlines = if case.headlines.is_empty() {
                // Only wording moved (reasons, 5 Ps): say which fields.
                let fields: Vec<&str> = case
                    .drift
                    .fields
                    .iter()
                    .map(|change| change.path.as_str())
                    .collect();
                format!("wording only: {}", fields.join(", "))
            } else {
                case.headlines.join("; ")
            };
            println!("  {} case {}: {headlines}", case.record, case.case);
        }
    }
    if !impact.drifted.is_empty() {
        let ids: Vec<String> = impact.drifted.iter().map(ToString::to_string).collect();
        eprintln!(
            "warning: {} record(s) no longer match under their own rules ({}); they are compared as recomputed today; run `sicol replay` on them",
            ids.len(),
            ids.join(", ")
        );
    }
    if !impact.without_own_rules.is_empty() {
        let ids: Vec<String> = impact
            .without_own_rules
            .iter()
            .map(ToString::to_string)
            .collect();
        eprintln!(
            "warning: the rule set copy of {} record(s) is missing or damaged ({}); they are compared as recorded; run `sicol verify`",
            ids.len(),
            ids.join(", ")
        );
    }
    for (id, why) in &impact.failed {
        eprintln!("error: record {id} could not be compared: {why}");
    }
    Ok(if impact.failed.is_empty() {
        EXIT_OK
    } else {
        EXIT_FAILED
    })
}
