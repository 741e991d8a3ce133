//! The command line: parses arguments with clap and calls the library. Thin by design: every
//! decision lives in the library so that the TUI and the CLI agree.

mod assess;
mod batch;
mod concordance;
mod demo_store;
mod evaluate;
mod export;
mod outcome;
mod partners;
mod referral_status;
mod replay;
mod report;
mod rules;
mod rules_impact;
mod save;
mod schema;
mod store;
mod values;
mod verify;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Exit code for success.
pub const EXIT_OK: u8 = 0;
/// Exit code for drift, a failed check or a failed test.
pub const EXIT_FAILED: u8 = 1;
/// Exit code for bad input.
pub const EXIT_BAD_INPUT: u8 = 2;
/// Exit code for a team store that cannot be reached, or that refused the login.
pub const EXIT_STORE_UNREACHABLE: u8 = 3;
/// Exit code for a login that lacks a right it needs on a team store (an auditor saving).
pub const EXIT_STORE_DENIED: u8 = 4;

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
        Records are kept in a store: a folder (formulations/ by default) or a team store in \
        PostgreSQL (--store postgresql://…, or SICOL_STORE).\n\n\
        Exit codes: 0 ok, 1 drift or failed check, 2 bad input, 3 team store unreachable or \
        login refused, 4 the login lacks a right on the team store.",
    after_help = "Examples:\n  sicol evaluate tests/cases/social_led_eviction.yaml\n  \
        sicol evaluate --format text tests/cases/*.yaml\n  \
        sicol --rules my-rules evaluate case.yaml"
)]
pub struct Cli {
    /// The rules folder (ruleset.yaml, vocabulary.yaml, partners.yaml, *.rhai)
    #[arg(long, global = true, value_name = "DIR")]
    pub rules: Option<PathBuf>,

    /// Limits on the files sicol reads (see the README's security section)
    #[command(flatten)]
    pub limits: LimitArgs,

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
        sicol evaluate --format markdown --choices choices.yaml case.yaml > report.md\n  \
        sicol evaluate --format html case.yaml > report.html\n  \
        sicol evaluate --batch cases/ --out formulations-out/\n  \
        sicol evaluate --format json --out out/ a.yaml b.yaml"
    )]
    Evaluate(evaluate::EvaluateArgs),

    /// Recompute saved records and show every field that differs (exit 1 on drift)
    #[command(
        long_about = "Recompute saved records and show every field that differs.\n\n\
            Without --rules each record is recomputed under the copy of the rule set it was made \
            with, kept in its store, and must match exactly: a difference means the record or the \
            engine drifted. With --rules DIR every record is compared under that rule set instead.\n\n\
            Exit codes: 0 all match, 1 drift or a record that cannot be replayed, 2 bad input.",
        after_help = "Examples:\n  sicol replay formulations/\n  \
            sicol replay formulations/00000002.json\n  \
            sicol replay --rules rules formulations/"
    )]
    Replay(replay::ReplayArgs),

    /// Check a store's hash chain and report the first broken or missing link (exit 1)
    #[command(after_help = "Examples:\n  sicol verify formulations/")]
    Verify(verify::VerifyArgs),

    /// Check and test rule changes: the service lead's tools
    #[command(subcommand)]
    Rules(rules::RulesCommand),

    /// Append a follow-up of a case (admitted or not, issues resolved) as a new record
    #[command(
        after_help = "Examples:\n  sicol outcome formulations/00000003.json --admitted no --issues-resolved eviction,debt\n  \
            sicol outcome 00000003 --store /srv/sicol/formulations --admitted yes --date 2026-12-04"
    )]
    Outcome(outcome::OutcomeArgs),

    /// Where a referral stands with its partner (sent, accepted, completed…), as a new record
    #[command(
        after_help = "Examples:\n  sicol referral-status formulations/00000003.json --partner cv-housing-aid sent\n  \
            sicol referral-status 00000003 --partner cv-housing-aid accepted --date 2026-11-23 --note \"caseworker assigned\""
    )]
    ReferralStatus(referral_status::ReferralStatusArgs),

    /// Export formulation records as FHIR R4 Bundles (one per record)
    #[command(
        after_help = "Examples:\n  sicol export formulations/00000003.json --format fhir > case.fhir.json\n  \
            sicol export --out fhir/ formulations/00000001.json formulations/00000002.json"
    )]
    Export(export::ExportArgs),

    /// Write the packet one partner receives about its referral: only what that partner needs
    #[command(
        after_help = "Examples:\n  sicol referral formulations/00000003.json --partner cv-city-advice\n  \
            sicol referral 00000003 --partner cv-housing-aid --format html > packet.html\n  \
            sicol referral 00000003 --partner cv-housing-aid --format fhir"
    )]
    Referral(export::ReferralArgs),

    /// Cohort figures over a store: people, mixes, stressors, referrals, gaps, outcomes
    #[command(
        long_about = "Cohort figures over a store of records: people assessed, balance and urgency \
            mix, top stressors and pairs, referrals by category and partner with the person's \
            decisions, gaps, outcomes at follow-up, and the assessments' decisions under the \
            Mental Health Act (by outcome, with admissions avoided) once any are recorded.\n\n\
            Each person counts once, with their current assessment (revisions replace what they \
            revise). --from and --to select assessments by the day they took place.\n\n\
            text and json show exact counts, for internal use. markdown and html are for \
            publication: they show every count below 5 as <5 (DESIGN §7).\n\n\
            Exit codes: 0 ok, 1 a damaged record (run sicol verify), 2 bad input.",
        after_help = "Examples:\n  sicol report --chart\n  \
            sicol report --store demo --from 2026-01-01 --to 2026-03-31 --format markdown > q1.md\n  \
            sicol report --store demo --format html > board-paper.html"
    )]
    Report(report::ReportArgs),

    /// Write a synthetic store of made-up people to try `sicol report` on
    #[command(after_help = "Examples:\n  sicol demo-store --out demo\n  \
            sicol demo-store --out demo --count 500 --seed 7")]
    DemoStore(demo_store::DemoStoreArgs),

    /// Write JSON Schemas for assessments, rule tests, ruleset, vocabulary and partners files
    #[command(
        long_about = "Write JSON Schemas for assessments, rule tests, ruleset, vocabulary and partners \
            files, with the rule set's vocabulary, partners and rule names written in.\n\n\
            They go to --out DIR or, by default, to schemas/ inside the rules folder read, so that a \
            working copy of the rules (--rules my-rules) keeps schemas that match it. Run it again \
            after changing the vocabulary; `sicol rules check` warns when they no longer match.",
        after_help = "Editors with a YAML language server (VS Code's YAML extension, Neovim's yamlls) then \
        validate and complete a file that starts with a line such as\n  \
        # yaml-language-server: $schema=../schemas/rules-test.schema.json\n\n\
        Examples:\n  sicol schema --rules my-rules      # writes my-rules/schemas/\n  \
        sicol schema --out ~/sicol-schemas"
    )]
    Schema(schema::SchemaArgs),

    /// Make a team store in PostgreSQL, and copy records between stores
    #[command(subcommand)]
    Store(store::StoreCommand),

    /// Run an assessment in the terminal, with the formulation updating live, then save it
    #[command(after_help = "Examples:\n  sicol assess\n  \
        sicol assess --case tests/cases/social_led_eviction.yaml --store /srv/sicol/formulations\n  \
        sicol assess --out revised.yaml\n  \
        sicol assess --revise 00000003 --store /srv/sicol/formulations\n  \
        SICOL_ASSESSOR=AMHP-17 SICOL_DRAFTS=/secure/drafts sicol assess\n\n\
        Keys are shown at the bottom of every screen; press ? for all of them.")]
    Assess(assess::AssessArgs),

    /// The partner directory in and out of Open Referral UK (the standard councils publish)
    #[command(subcommand)]
    Partners(partners::PartnersCommand),
}

/// The limits on what sicol reads, each overridable for an unusual service; defaults in
/// `sicol::input::Limits::default`.
#[derive(Debug, clap::Args)]
pub struct LimitArgs {
    /// Largest case, choices file or draft read, in bytes [default: 1048576]
    #[arg(long, global = true, value_name = "BYTES", env = "SICOL_MAX_CASE_BYTES", hide_env_values = true, value_parser = clap::value_parser!(u64).range(1..))]
    pub max_case_bytes: Option<u64>,
    /// Largest file read from a rules folder, in bytes [default: 4194304]
    #[arg(long, global = true, value_name = "BYTES", env = "SICOL_MAX_RULE_FILE_BYTES", hide_env_values = true, value_parser = clap::value_parser!(u64).range(1..))]
    pub max_rule_file_bytes: Option<u64>,
    /// Largest record read from a store, in bytes [default: 4194304]
    #[arg(long, global = true, value_name = "BYTES", env = "SICOL_MAX_RECORD_BYTES", hide_env_values = true, value_parser = clap::value_parser!(u64).range(1..))]
    pub max_record_bytes: Option<u64>,
    /// Deepest nesting of maps and lists in a file read [default: 64]
    #[arg(long, global = true, value_name = "LEVELS", env = "SICOL_MAX_DEPTH", hide_env_values = true, value_parser = clap::value_parser!(u64).range(1..))]
    pub max_depth: Option<u64>,
}

impl LimitArgs {
    /// The limits these options give, the defaults elsewhere.
    pub fn limits(&self) -> sicol::input::Limits {
        let mut limits = sicol::input::Limits::default();
        if let Some(bytes) = self.max_case_bytes {
            limits.case_bytes = bytes;
        }
        if let Some(bytes) = self.max_rule_file_bytes {
            limits.rule_file_bytes = bytes;
        }
        if let Some(bytes) = self.max_record_bytes {
            limits.record_bytes = bytes;
        }
        if let Some(depth) = self.max_depth {
            limits.max_depth = usize::try_from(depth).unwrap_or(usize::MAX);
        }
        limits
    }
}

impl Cli {
    /// The rules folder to use: `--rules`, else `./rules`, else the one bundled with the source.
    pub fn rules_dir(&self) -> PathBuf {
        if let Some(dir) = &self.rules {
            return dir.clone();
        }
        default_rules_dir()
    }
}

/// The rules deployed now, as the commands that compare a proposed rule set with them see it:
/// the folder used when `--rules` is not given. `None` when `--rules` names that same folder.
pub fn deployed_rules_dir(cli: &Cli) -> Option<PathBuf> {
    let deployed = default_rules_dir();
    match &cli.rules {
        Some(dir) if rules::same_folder(dir, &deployed) => None,
        _ => Some(deployed),
    }
}

/// `./rules` when it holds a rule set, else the rules bundled with the source.
fn default_rules_dir() -> PathBuf {
    let local = Path::new("rules");
    if local.join(sicol::rules::RULESET_FILE).is_file() {
        return local.to_path_buf();
    }
    Path::new(env!("CARGO_MANIFEST_DIR")).join("rules")
}

/// Prints text to stdout with every control character but newline and tab escaped
/// (`sicol::input::terminal_safe`): output quotes what people wrote, and an escape sequence in a
/// note must not clear or recolour the terminal. A closed pipe (`… | head`) is not an error.
pub fn print_safe(text: &str) {
    use std::io::Write;
    let _ = std::io::stdout()
        .lock()
        .write_all(sicol::input::terminal_safe(text).as_bytes());
}

/// Runs the parsed command and returns the process exit code.
pub fn run(cli: Cli) -> ExitCode {
    sicol::input::set_limits(cli.limits.limits());
    let result = match &cli.command {
        Command::Evaluate(args) => evaluate::run(&cli, args),
        Command::Replay(args) => replay::run(&cli, args),
        Command::Verify(args) => verify::run(args),
        Command::Rules(command) => rules::run(&cli, command),
        Command::Schema(args) => schema::run(&cli, args),
        Command::Outcome(args) => outcome::run(&cli, args),
        Command::Report(args) => report::run(&cli, args),
        Command::ReferralStatus(args) => referral_status::run(args),
        Command::Export(args) => export::run_export(&cli, args),
        Command::Referral(args) => export::run_referral(&cli, args),
        Command::DemoStore(args) => demo_store::run(&cli, args),
        Command::Assess(args) => assess::run(&cli, args),
        Command::Partners(command) => partners::run(&cli, command),
        Command::Store(command) => store::run(command),
    };
    match result {
        Ok(code) => ExitCode::from(code),
        Err(error) => {
            // Messages quote what the user wrote; a control character in it must not reach the
            // terminal raw.
            eprintln!("error: {}", sicol::input::terminal_safe(&error.to_string()));
            ExitCode::from(match &error {
                sicol::Error::Store { kind, .. } => match kind {
                    sicol::error::StoreFailure::Unreachable => EXIT_STORE_UNREACHABLE,
                    sicol::error::StoreFailure::Denied => EXIT_STORE_DENIED,
                    sicol::error::StoreFailure::Unusable => EXIT_BAD_INPUT,
                },
                _ => EXIT_BAD_INPUT,
            })
        }
    }
}
