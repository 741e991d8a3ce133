//! `sicol evaluate`: formulate assessment files and print the result.

use std::io::Write;
use std::num::NonZeroUsize;
use std::path::PathBuf;

use clap::Args;

use sicol::formulation::render::{render, Format};
use sicol::{files, Result};

use super::{Cli, EXIT_OK};

/// Arguments of `sicol evaluate`.
#[derive(Debug, Args)]
pub struct EvaluateArgs {
    /// Assessment files (YAML, see DESIGN §1)
    #[arg(required_unless_present = "batch", value_name = "CASE.yaml")]
    pub cases: Vec<PathBuf>,

    /// Output format
    #[arg(long, value_enum, default_value_t = Format::Yaml)]
    pub format: Format,

    /// Formulate every *.yaml case in DIR (needs --out)
    #[arg(long, value_name = "DIR", requires = "out", conflicts_with = "cases")]
    pub batch: Option<PathBuf>,

    /// Write one output file per case into DIR (same stem, extension of the format) instead of
    /// printing; bad cases are reported and the rest still written
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,

    /// Worker threads with --out (default: one per core)
    #[arg(long, value_name = "N", requires = "out")]
    pub jobs: Option<NonZeroUsize>,
}

/// Formulates every case; stops at the first bad file so nothing half-checked is printed.
pub fn run(cli: &Cli, args: &EvaluateArgs) -> Result<u8> {
    let ruleset = files::load_rules(&cli.rules_dir())?;
    if let Some(out) = &args.out {
        return super::batch::run(&ruleset, args, out);
    }
    let mut stdout = std::io::stdout().lock();
    for (index, path) in args.cases.iter().enumerate() {
        let assessment = files::read_assessment(path, &ruleset)?;
        let formulation = sicol::evaluate(&ruleset, &assessment);
        for warning in &formulation.warnings {
            eprintln!("warning: {}: {warning}", path.display());
        }
        let text = render(&formulation, &ruleset.vocabulary, args.format);
        let separator = match (index, args.format) {
            (0, _) => "",
            (_, Format::Yaml) => "---\n",
            _ => "\n",
        };
        // A closed pipe (sicol evaluate … | head) is not an error worth reporting.
        if write!(stdout, "{separator}{text}").is_err() {
            break;
        }
    }
    Ok(EXIT_OK)
}
