//! `sicol report`: cohort figures over a store of records (issue 8).

use chrono::NaiveDate;
use clap::Args;

use sicol::cohort::{self, CohortFigures, DateWindow, ReportFormat, ReportOptions};
use sicol::records::StoreLocation;
use sicol::{files, Problem, Result};

use super::values::{parse_date, parse_store, DEFAULT_STORE, STORE_ENV};
use super::{Cli, EXIT_FAILED, EXIT_OK};

/// Arguments of `sicol report`.
#[derive(Debug, Args)]
pub struct ReportArgs {
    /// The store: a folder, or a postgresql:// URL for a team store
    #[arg(long, value_name = "DIR|URL", env = STORE_ENV, hide_env_values = true,
          default_value = DEFAULT_STORE, value_parser = parse_store)]
    pub store: StoreLocation,

    /// Count assessments from this day on (YYYY-MM-DD)
    #[arg(long, value_name = "DATE", value_parser = parse_date)]
    pub from: Option<NaiveDate>,

    /// Count assessments up to and including this day (YYYY-MM-DD)
    #[arg(long, value_name = "DATE", value_parser = parse_date)]
    pub to: Option<NaiveDate>,

    /// Output format: text and json show exact counts (internal use); markdown and html show
    /// counts below 5 as <5 (for publication)
    #[arg(long, value_enum, default_value_t = ReportFormat::Text)]
    pub format: ReportFormat,

    /// Draw bar charts in the text format
    #[arg(long)]
    pub chart: bool,

    /// How many stressors and stressor pairs to list
    #[arg(long, value_name = "N", default_value_t = 10)]
    pub top: usize,

    /// Going on with a broken chain
    #[command(flatten)]
    pub forensic: super::verify::ForensicArgs,
}

/// Prints the report; exit 1 when a record is damaged, 2 on bad options.
pub fn run(cli: &Cli, args: &ReportArgs) -> Result<u8> {
    if let (Some(from), Some(to)) = (args.from, args.to) {
        if from > to {
            return Err(Problem::new(
                "--from",
                Default::default(),
                "",
                format!("--from {from} is after --to {to}"),
            )
            .with_hint("give the earlier day to --from")
            .into());
        }
    }
    let rules = files::load_rules(&cli.rules_dir())?;
    let mut store = sicol::records::backend::open(&args.store)?;
    // The chain is checked in the same pass as the records are read (issue 19: chain first,
    // and issue 20: each record read once); nothing is shown until it is judged.
    let mut chain = super::verify::chain_check(store.as_mut(), args.forensic)?;
    let read = cohort::read_store(store.as_mut(), &mut chain);
    let notice =
        match super::verify::chain_verdict(&chain.finish(), &args.store.to_string(), args.forensic)
        {
            Err(code) => return Ok(code),
            Ok(notice) => notice,
        };
    let (entries, unreadable) = match read {
        Ok(read) => read,
        Err(error) if error.is_bad_input() => {
            eprintln!("error: {error}");
            eprintln!(
                "the figures would not be exact, so no report was made; run `sicol verify {}`",
                args.store
            );
            return Ok(EXIT_FAILED);
        }
        Err(error) => return Err(error),
    };
    let window = DateWindow {
        from: args.from,
        to: args.to,
    };
    let figures = CohortFigures::compute(entries, unreadable, window);
    let source = args.store.to_string();
    let options = ReportOptions {
        source: &source,
        top: args.top,
        chart: args.chart,
    };
    if args.chart && args.format != ReportFormat::Text {
        eprintln!("note: --chart draws bars in the text format; html has its own charts");
    }
    let mut text = cohort::report(&figures, &rules.vocabulary, args.format, &options);
    if let (Some(notice), ReportFormat::Text | ReportFormat::Markdown) = (notice, args.format) {
        text = format!("{notice}\n\n{text}");
    }
    // A closed pipe (sicol report | head) is not an error worth reporting.
    super::print_safe(&text);
    if figures.records == 0 {
        eprintln!("note: {} holds no records yet", args.store);
    }
    Ok(EXIT_OK)
}
