//! `sicol demo-store`: make a synthetic store to try `sicol report` on (issue 8).

use chrono::NaiveDate;
use clap::Args;

use sicol::cohort::demo::{self, DemoOptions};
use sicol::records::{backend, StoreLocation};
use sicol::{files, Problem, Result};

use super::{Cli, EXIT_OK};

/// Arguments of `sicol demo-store`.
#[derive(Debug, Args)]
pub struct DemoStoreArgs {
    /// A new or empty store: a folder, or a postgresql:// URL (never one holding records)
    #[arg(long, value_name = "DIR|URL", value_parser = super::values::parse_store)]
    pub out: StoreLocation,

    /// How many people to assess (revisions and follow-ups come on top)
    #[arg(long, value_name = "N", default_value_t = 300)]
    pub count: usize,

    /// The random seed: the same seed, rules and options give the same store
    #[arg(long, value_name = "S", default_value_t = 1)]
    pub seed: u64,

    /// The first day of assessments (YYYY-MM-DD)
    #[arg(long, value_name = "DATE", value_parser = super::values::parse_date, default_value = "2026-01-05")]
    pub start: NaiveDate,

    /// Over how many days the assessments are spread
    #[arg(long, value_name = "N", default_value_t = 180)]
    pub days: u32,
}

/// Generates and writes the store.
pub fn run(cli: &Cli, args: &DemoStoreArgs) -> Result<u8> {
    let exists = match &args.out {
        StoreLocation::Folder(dir) => dir.exists(),
        StoreLocation::Postgres(_) => true,
    };
    if exists && !backend::open(&args.out)?.ids()?.is_empty() {
        return Err(Problem::new(
            args.out.to_string(),
            Default::default(),
            "",
            "this folder already holds records, and demo records must never mix with real ones",
        )
        .with_hint("give a new or empty folder with --out")
        .into());
    }
    let rules = files::load_rules(&cli.rules_dir())?;
    let options = DemoOptions {
        people: args.count,
        seed: args.seed,
        start: args.start,
        days: args.days,
    };
    let steps = demo::plan(&rules, options);
    let mut store = backend::create(&args.out)?;
    let ids = demo::write(store.as_mut(), &rules, &steps)?;
    println!(
        "wrote {} synthetic records for {} people to {} (seed {}); try: sicol report --store {} --chart",
        ids.len(),
        args.count,
        args.out,
        args.seed,
        args.out
    );
    Ok(EXIT_OK)
}
