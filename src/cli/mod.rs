//! The command line: parses arguments with clap and calls the library. Thin by design: every
//! decision lives in the library so that the TUI and the CLI agree.

mod batch;
mod evaluate;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Exit code for success.
pub const EXIT_OK: u8 = 0;
/// Exit code for bad input.
pub const EXIT_BAD_INPUT: u8 = 2;

/// sicol — crisis triage that weighs social against medical factors.
#[derive(Debug, Parser)]
#[command(
    name = "sicol",
    version,
    about = "Crisis triage rules engine: weighs social against medical factors and plans referrals",
    long_about = "Crisis triage rules engine for mental-health crisis services.\n\n\
        sicol reads an assessment (YAML), runs the service's rules (Rhai scripts and YAML in a \
        rules folder) and prints a formulation: social and medical weight, balance, urgency on \
        the UK Mental Health Triage Scale, the least restrictive recommendation, the 5 Ps and \
        every factor with the rule that weighed it.\n\n\
        Exit codes: 0 ok, 1 drift or failed check, 2 bad input.",
    after_help = "Examples:\n  sicol evaluate tests/cases/social_led_eviction.yaml\n  \
        sicol evaluate --format text tests/cases/*.yaml\n  \
        sicol --rules my-rules evaluate case.yaml"
)]
pub struct Cli {
    /// The rules folder (ruleset.yaml, vocabulary.yaml, partners.yaml, *.rhai)
    #[arg(long, global = true, value_name = "DIR")]
    pub rules: Option<PathBuf>,

    /// What to do
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Formulate one or more assessments and print the result
    #[command(
        after_help = "Examples:\n  sicol evaluate tests/cases/social_led_eviction.yaml\n  \
        sicol evaluate --format text tests/cases/mixed_bereavement.yaml\n  \
        sicol evaluate --format json case.yaml > formulation.json\n  \
        sicol evaluate --batch cases/ --out formulations-out/\n  \
        sicol evaluate --format json --out out/ a.yaml b.yaml"
    )]
    Evaluate(evaluate::EvaluateArgs),
}

impl Cli {
    /// The rules folder to use: `--rules`, else `./rules`, else the one bundled with the source.
    pub fn rules_dir(&self) -> PathBuf {
        if let Some(dir) = &self.rules {
            return dir.clone();
        }
        let local = Path::new("rules");
        if local.join(sicol::rules::RULESET_FILE).is_file() {
            return local.to_path_buf();
        }
        Path::new(env!("CARGO_MANIFEST_DIR")).join("rules")
    }
}

/// Runs the parsed command and returns the process exit code.
pub fn run(cli: Cli) -> ExitCode {
    let result = match &cli.command {
        Command::Evaluate(args) => evaluate::run(&cli, args),
    };
    match result {
        Ok(code) => ExitCode::from(code),
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::from(EXIT_BAD_INPUT)
        }
    }
}
