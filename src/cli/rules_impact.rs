//! `sicol rules impact`: how a rule change would move the outcomes of saved formulations.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

use clap::{Args, ValueEnum};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use serde::Serialize;

use sicol::records::backend::{self, impact_of};
use sicol::records::{CaseImpact, Impact, Move, RecordId, StoreLocation};
use sicol::rules::RuleSetId;
use sicol::{files, Result};

use super::replay::short_hash;
use super::values::{parse_store, DEFAULT_STORE, STORE_ENV};
use super::{Cli, EXIT_FAILED, EXIT_OK};

/// Stores larger than this show a progress bar (on a terminal).
const PROGRESS_FROM: usize = 300;

/// Arguments of `sicol rules impact`.
#[derive(Debug, Args)]
pub struct ImpactArgs {
    /// The store whose records are compared: a folder, or a postgresql:// URL
    #[arg(long, value_name = "DIR|URL", env = STORE_ENV, hide_env_values = true,
          default_value = DEFAULT_STORE, value_parser = parse_store)]
    pub store: StoreLocation,

    /// What the proposed rules (--rules) are compared with: `current`, the rules deployed now
    /// (--current, default ./rules); or `recorded`, the rules each record was made with
    #[arg(long, value_enum, default_value_t = Against::Current)]
    pub against: Against,

    /// The rules deployed now, with --against current (default: ./rules, or the bundled rules)
    #[arg(long, value_name = "DIR")]
    pub current: Option<PathBuf>,

    /// List only the cases whose outcome moves (urgency, recommendation, lead coordinator,
    /// partners referred to), not those where only wording or weights moved
    #[arg(long, value_enum)]
    pub only: Option<Only>,

    /// text for a person, json for a board paper or a spreadsheet
    #[arg(long, value_enum, default_value_t = ImpactFormat::Text)]
    pub format: ImpactFormat,

    /// Going on with a broken chain
    #[command(flatten)]
    pub forensic: super::verify::ForensicArgs,
}

/// What a proposed rule set is compared with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Against {
    /// The rules deployed now.
    Current,
    /// The rules each record was made with.
    Recorded,
}

/// Which changed cases to list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Only {
    /// Cases whose urgency, recommendation, lead coordinator or partners move.
    Outcome,
}

/// How the impact is printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ImpactFormat {
    /// Counts, a from → to table and each case, for a person.
    Text,
    /// The same as JSON.
    Json,
}

/// The impact as JSON.
#[derive(Debug, Serialize)]
struct ImpactJson<'a> {
    proposed: &'a RuleSetId,
    against: String,
    store: String,
    records: usize,
    superseded: usize,
    changed: usize,
    outcome_changed: usize,
    balance_changes: usize,
    urgency_up: usize,
    urgency_down: usize,
    recommendation_changes: usize,
    lead_coordinator_changes: usize,
    referral_changes: usize,
    moves: Vec<Move>,
    cases: Vec<CaseJson<'a>>,
    drifted: Vec<String>,
    without_own_rules: Vec<String>,
    failed: Vec<(String, String)>,
}

/// One case in the JSON.
#[derive(Debug, Serialize)]
struct CaseJson<'a> {
    record: String,
    case: &'a str,
    before: &'a sicol::records::Outcome,
    after: &'a sicol::records::Outcome,
    margin: Option<String>,
    headlines: &'a [String],
}

/// Compares every current record under the proposed rules (`--rules`) with the rules deployed
/// now or the rules it was made with; exit 1 only if some record could not be compared.
pub fn run(cli: &Cli, args: &ImpactArgs) -> Result<u8> {
    let rules_dir = cli.rules_dir();
    let new = files::load_rules(&rules_dir)?;
    let current_dir = match args.against {
        Against::Recorded => None,
        Against::Current => Some(
            args.current
                .clone()
                .or_else(|| super::deployed_rules_dir(cli))
                .unwrap_or_else(|| rules_dir.clone()),
        ),
    };
    let current = match &current_dir {
        Some(dir) => Some(files::load_rules(dir)?),
        None => None,
    };
    if current
        .as_ref()
        .is_some_and(|current| current.id.sha256 == new.id.sha256)
    {
        eprintln!(
            "note: the proposed rules are the rules deployed now (same sha256), so nothing can move; name the proposed folder with --rules DIR"
        );
    }
    let mut store = backend::open(&args.store)?;
    let mut chain = super::verify::chain_check(store.as_mut(), args.forensic)?;
    let on_terminal = std::io::stderr().is_terminal();
    let total = if on_terminal { store.ids()?.len() } else { 0 };
    let progress = if total > PROGRESS_FROM {
        let bar = ProgressBar::with_draw_target(Some(total as u64), ProgressDrawTarget::stderr());
        if let Ok(style) = ProgressStyle::with_template("{bar:40} {pos}/{len} records, {eta} left")
        {
            bar.set_style(style);
        }
        bar
    } else {
        ProgressBar::hidden()
    };
    // The chain is checked in the same pass as the records are compared (issue 19: chain
    // first, and issue 20: each record read once); nothing is shown until it is judged.
    let impact = impact_of(
        store.as_mut(),
        &mut chain,
        current.as_ref(),
        &new,
        &mut |count| progress.inc(count as u64),
    );
    progress.finish_and_clear();
    if let Err(code) =
        super::verify::chain_verdict(&chain.finish(), &args.store.to_string(), args.forensic)
    {
        return Ok(code);
    }
    let impact = impact?;

    let only_outcome = args.only == Some(Only::Outcome);
    let against = match (&current, &current_dir) {
        (Some(current), Some(dir)) => format!(
            "the rules deployed now, {} ({} {}, sha256 {})",
            dir.display(),
            current.id.name,
            current.id.version,
            short_hash(&current.id.sha256)
        ),
        _ => "the rules each record was made with".to_owned(),
    };
    let listed: Vec<&CaseImpact> = impact
        .changed
        .iter()
        .filter(|case| !only_outcome || case.outcome_changed())
        .collect();
    let moves = impact.moves(only_outcome);
    let ids = |list: &[RecordId]| list.iter().map(ToString::to_string).collect::<Vec<_>>();
    if args.format == ImpactFormat::Json {
        let json = ImpactJson {
            proposed: &new.id,
            against,
            store: args.store.to_string(),
            records: impact.records(),
            superseded: impact.superseded.len(),
            changed: impact.changed.len(),
            outcome_changed: impact.outcome(),
            balance_changes: impact.balance(),
            urgency_up: impact.urgency_up(),
            urgency_down: impact.urgency_down(),
            recommendation_changes: impact.recommendation(),
            lead_coordinator_changes: impact.lead(),
            referral_changes: impact.referrals(),
            moves,
            cases: listed
                .iter()
                .map(|case| CaseJson {
                    record: case.record.to_string(),
                    case: &case.case,
                    before: &case.before,
                    after: &case.after,
                    margin: case.margin.as_ref().map(ToString::to_string),
                    headlines: &case.headlines,
                })
                .collect(),
            drifted: ids(&impact.drifted),
            without_own_rules: ids(&impact.without_own_rules),
            failed: impact
                .failed
                .iter()
                .map(|(id, why)| (id.to_string(), why.clone()))
                .collect(),
        };
        let mut text = serde_json::to_string_pretty(&json).unwrap_or_default();
        text.push('\n');
        let _ = std::io::stdout().lock().write_all(text.as_bytes());
    } else {
        let _ = write_text(
            &mut std::io::stdout().lock(),
            &TextView {
                rules_dir: &rules_dir,
                new: &new,
                against: &against,
                store: &args.store,
                impact: &impact,
                listed: &listed,
                moves: &moves,
                only_outcome,
            },
        );
    }
    report_problems(&impact);
    Ok(if impact.failed.is_empty() {
        EXIT_OK
    } else {
        EXIT_FAILED
    })
}

/// What the text report shows.
struct TextView<'a> {
    rules_dir: &'a Path,
    new: &'a sicol::RuleSet,
    against: &'a str,
    store: &'a StoreLocation,
    impact: &'a Impact,
    listed: &'a [&'a CaseImpact],
    moves: &'a [Move],
    only_outcome: bool,
}

fn write_text(out: &mut impl Write, view: &TextView<'_>) -> std::io::Result<()> {
    let impact = view.impact;
    writeln!(
        out,
        "rules impact of {} ({} {}, sha256 {}) on {}, against {}",
        view.rules_dir.display(),
        view.new.id.name,
        view.new.id.version,
        short_hash(&view.new.id.sha256),
        view.store,
        view.against
    )?;
    writeln!(
        out,
        "{} current records ({} superseded revisions set aside); {} would change, {} in outcome (urgency, recommendation, lead coordinator or partners)",
        impact.records(),
        impact.superseded.len(),
        impact.changed.len(),
        impact.outcome()
    )?;
    writeln!(out, "  balance changes:           {}", impact.balance())?;
    writeln!(out, "  urgency up:                {}", impact.urgency_up())?;
    writeln!(
        out,
        "  urgency down:              {}",
        impact.urgency_down()
    )?;
    writeln!(
        out,
        "  recommendation changes:    {}",
        impact.recommendation()
    )?;
    writeln!(out, "  lead coordinator changes:  {}", impact.lead())?;
    writeln!(out, "  referral changes:          {}", impact.referrals())?;
    if view.moves.is_empty() && !impact.changed.is_empty() {
        writeln!(
            out,
            "moves: none in urgency, recommendation, lead coordinator or balance"
        )?;
    }
    if !view.moves.is_empty() {
        writeln!(out, "moves:")?;
        let width = |column: fn(&Move) -> usize, title: &str| {
            view.moves
                .iter()
                .map(column)
                .chain([title.chars().count()])
                .max()
                .unwrap_or(0)
        };
        let (what, from, to) = (
            width(|line| line.what.chars().count(), "what"),
            width(|line| line.from.chars().count(), "from"),
            width(|line| line.to.chars().count(), "to"),
        );
        writeln!(
            out,
            "  {:<what$}  {:<from$}    {:<to$}  cases",
            "what", "from", "to"
        )?;
        for line in view.moves {
            writeln!(
                out,
                "  {:<what$}  {:<from$} →  {:<to$}  {:>5}",
                line.what, line.from, line.to, line.cases
            )?;
        }
    }
    if !view.listed.is_empty() {
        writeln!(
            out,
            "{}:",
            if view.only_outcome {
                "cases whose outcome changes"
            } else {
                "changed cases"
            }
        )?;
        for case in view.listed {
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
            writeln!(
                out,
                "  {} case {}: {}",
                case.record,
                case.case,
                case.magnitude()
            )?;
            writeln!(out, "      {headlines}")?;
        }
    }
    Ok(())
}

fn report_problems(impact: &Impact) {
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
}
