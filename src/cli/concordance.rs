//! `sicol rules concordance`: measures a rule set against the MHTS reference vignettes. Loading
//! happens here; the measure and its rendering are `sicol::authoring::concordance`.

use std::io::Write;
use std::path::{Path, PathBuf};

use clap::{Args, ValueEnum};

use sicol::authoring::concordance::{measure, parse_vignettes, Targets};
use sicol::{files, Problem, Result};

use super::{Cli, EXIT_FAILED, EXIT_OK};

/// The reference set, relative to the repository root or the working folder.
pub const DEFAULT_REFERENCE: &str = "tests/reference/mhts";

/// How the concordance is printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ConcordanceFormat {
    /// The matrix, the rates and every miss, for a person.
    Text,
    /// The same as JSON, for CI.
    Json,
}

/// Arguments of `sicol rules concordance`.
#[derive(Debug, Args)]
pub struct ConcordanceArgs {
    /// The folder of reference vignettes (default tests/reference/mhts)
    #[arg(long, value_name = "DIR")]
    pub reference: Option<PathBuf>,

    /// Output format
    #[arg(long, value_enum, default_value_t = ConcordanceFormat::Text)]
    pub format: ConcordanceFormat,

    /// Fail (exit 1) when over-triage is above this percentage (the bundled target is 20)
    #[arg(long, value_name = "PCT", value_parser = parse_percent)]
    pub max_over_triage: Option<f64>,

    /// Fail (exit 1) when exact agreement is below this percentage (the bundled target is 80)
    #[arg(long, value_name = "PCT", value_parser = parse_percent)]
    pub min_agreement: Option<f64>,
}

impl ConcordanceArgs {
    /// The reference folder: `--reference`, else `tests/reference/mhts` in the working folder,
    /// else the one bundled with the source.
    fn reference_dir(&self) -> PathBuf {
        if let Some(dir) = &self.reference {
            return dir.clone();
        }
        let local = Path::new(DEFAULT_REFERENCE);
        if local.is_dir() {
            return local.to_path_buf();
        }
        Path::new(env!("CARGO_MANIFEST_DIR")).join(DEFAULT_REFERENCE)
    }
}

/// Reads a percentage from 0 to 100, with or without a `%` sign.
fn parse_percent(text: &str) -> std::result::Result<f64, String> {
    let number = text.trim().trim_end_matches('%');
    match number.parse::<f64>() {
        Ok(value) if (0.0..=100.0).contains(&value) => Ok(value),
        _ => Err(format!(
            "`{text}` is not a percentage; write a number from 0 to 100, such as 20"
        )),
    }
}

/// Prints the concordance; exit 1 on any under-triage or a missed target, 2 on a bad vignette.
pub fn run(cli: &Cli, args: &ConcordanceArgs) -> Result<u8> {
    let ruleset = files::load_rules(&cli.rules_dir())?;
    let dir = args.reference_dir();
    let texts = files::read_yaml_files(&dir)?;
    if texts.is_empty() {
        return Err(Problem::new(
            dir.display().to_string(),
            Default::default(),
            "",
            "no reference vignettes (*.yaml) in this folder",
        )
        .with_hint("point --reference at the folder of vignettes, such as tests/reference/mhts")
        .into());
    }
    let vignettes = parse_vignettes(&texts, &ruleset.vocabulary)?;
    let concordance = measure(&ruleset, &vignettes);
    let targets = Targets {
        max_over_triage: args.max_over_triage,
        min_agreement: args.min_agreement,
    };
    let rendered = match args.format {
        ConcordanceFormat::Text => concordance.render_text(&targets),
        ConcordanceFormat::Json => serde_json::to_string_pretty(&concordance.to_json(&targets))
            .unwrap_or_else(|_| "{}".to_owned()),
    };
    // A closed pipe (sicol rules concordance | head) is not worth reporting.
    let _ = writeln!(std::io::stdout().lock(), "{rendered}");
    Ok(if concordance.passed(&targets) {
        EXIT_OK
    } else {
        EXIT_FAILED
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentages_are_0_to_100_with_or_without_a_sign() {
        assert_eq!(parse_percent("20"), Ok(20.0));
        assert_eq!(parse_percent("12.5%"), Ok(12.5));
        assert!(parse_percent("101").is_err());
        assert!(parse_percent("-1").is_err());
        assert!(parse_percent("lots").is_err());
    }
}
