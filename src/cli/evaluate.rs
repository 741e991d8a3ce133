//! `sicol evaluate`: formulate assessment files and print the result, optionally with the
//! person's choices about the referrals, as data (YAML, JSON), a summary or a report.

use std::io::Write;
use std::num::NonZeroUsize;
use std::path::PathBuf;

use clap::Args;

use sicol::report::{OutputFormat, Report};
use sicol::{files, Result};

use super::{Cli, EXIT_BAD_INPUT, EXIT_FAILED, EXIT_OK};

/// Arguments of `sicol evaluate`.
#[derive(Debug, Args)]
pub struct EvaluateArgs {
    /// Assessment files (YAML, see DESIGN §1)
    #[arg(required_unless_present = "batch", value_name = "CASE.yaml")]
    pub cases: Vec<PathBuf>,

    /// Output format: yaml and json for machines, text for a summary, markdown or html for a
    /// report to attach
    #[arg(long, value_enum, default_value_t = OutputFormat::Yaml)]
    pub format: OutputFormat,

    /// The person's choices about the referrals: a YAML list of
    /// { referral: PARTNER-ID or CATEGORY, decision: accepted|declined|deferred, reason: "...",
    /// share_wishes: true } (share_wishes: the person agrees their wishes go to that partner)
    #[arg(long, value_name = "FILE.yaml")]
    pub choices: Option<PathBuf>,

    /// Saving records
    #[command(flatten)]
    pub records: super::save::SaveArgs,

    /// Formulate every *.yaml case in DIR (needs --out)
    #[arg(long, value_name = "DIR", requires = "out", conflicts_with = "cases")]
    pub batch: Option<PathBuf>,

    /// Write one output file per case into DIR (same stem, extension of the format) instead of
    /// printing; bad cases are reported and the rest still written
    #[arg(long, value_name = "DIR", conflicts_with_all = ["choices", "save"])]
    pub out: Option<PathBuf>,

    /// Worker threads with --out (default: one per core)
    #[arg(long, value_name = "N", requires = "out")]
    pub jobs: Option<NonZeroUsize>,
}

/// Formulates every case; stops at the first bad file so nothing half-checked is printed.
pub fn run(cli: &Cli, args: &EvaluateArgs) -> Result<u8> {
    if args.choices.is_some() && args.cases.len() != 1 {
        eprintln!("error: --choices answers one case; give exactly one CASE.yaml with it");
        return Ok(EXIT_BAD_INPUT);
    }
    let ruleset = files::load_rules(&cli.rules_dir())?;
    if let Some(out) = &args.out {
        return super::batch::run(&ruleset, args, out);
    }
    let mut store = super::save::open(&args.records, args.cases.len())?;
    let decision = super::save::decision(&args.records, args.cases.len())?;
    let mut stdout = std::io::stdout().lock();
    let mut incomplete = 0;
    for (index, path) in args.cases.iter().enumerate() {
        let assessment = files::read_assessment(path, &ruleset)?;
        let formulation = sicol::evaluate(&ruleset, &assessment);
        if let Some(notice) = formulation.incomplete_notice() {
            incomplete += 1;
            eprintln!("error: {}: {notice}", path.display());
            for warning in &formulation.warnings {
                eprintln!("  {warning}");
            }
        }
        let choices = match &args.choices {
            Some(choices_path) => Some(files::read_choices(choices_path, &formulation)?),
            None => None,
        };
        if let Some((store, supersedes)) = &mut store {
            let saved = super::save::save(
                store.as_mut(),
                *supersedes,
                &ruleset,
                &assessment,
                &formulation,
                choices.as_ref(),
                decision.as_ref(),
            )?;
            eprintln!("saved {saved}");
        }
        // A declined partner's needs go to the next eligible partner or become a gap: shown
        // here; the record keeps the formulation as made, with the choices beside it.
        let shown = match &choices {
            Some(choices) => {
                std::borrow::Cow::Owned(formulation.with_choices(&ruleset, &assessment, choices))
            }
            None => std::borrow::Cow::Borrowed(&formulation),
        };
        let report = Report {
            assessment: &assessment,
            formulation: &shown,
            choices: choices.as_ref(),
            vocabulary: &ruleset.vocabulary,
        };
        let text = report.render(args.format);
        let separator = match (index, args.format) {
            (0, _) => "",
            (_, OutputFormat::Yaml) => "---\n",
            _ => "\n",
        };
        // A closed pipe (sicol evaluate … | head) is not an error worth reporting.
        let text = sicol::input::terminal_safe(&text);
        if write!(stdout, "{separator}{text}").is_err() {
            break;
        }
    }
    // The formulation is printed (and saved, flagged) all the same: the assessor needs what did
    // run, but a script or pipeline must not take it for a complete one.
    Ok(if incomplete > 0 { EXIT_FAILED } else { EXIT_OK })
}
