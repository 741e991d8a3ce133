//! `sicol rules concordance`: measures a rule set against the MHTS reference vignettes and checks
//! the referral plans of the partner reference cases. Loading happens here; the measures and
//! their rendering are `sicol::authoring::concordance` and `sicol::authoring::partner_fit`.

use std::io::Write;
use std::path::{Path, PathBuf};

use clap::{Args, ValueEnum};

use sicol::authoring::concordance::{measure, parse_vignettes, Targets};
use sicol::authoring::partner_fit::{self, FitTargets, PartnerFit};
use sicol::{files, Problem, Result};

use super::{Cli, EXIT_FAILED, EXIT_OK};

/// The reference set, relative to the repository root or the working folder.
pub const DEFAULT_REFERENCE: &str = "tests/reference/mhts";

/// The partner reference cases, found the same way.
pub const DEFAULT_PARTNERS: &str = "tests/reference/partners";

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

    /// The folder of partner reference cases (default tests/reference/partners)
    #[arg(long, value_name = "DIR")]
    pub partners: Option<PathBuf>,

    /// Fail (exit 1) when more cases than this get a wrong partner (CI sets 0); wrong partners
    /// are listed whatever the limit
    #[arg(long, value_name = "N")]
    pub max_wrong_partners: Option<usize>,

    /// Fail (exit 1) when more expected referrals than this are missing
    #[arg(long, value_name = "N")]
    pub max_missing_referrals: Option<usize>,
}

impl ConcordanceArgs {
    /// The reference folder: `--reference`, else `tests/reference/mhts` in the working folder,
    /// else the one bundled with the source.
    fn reference_dir(&self) -> PathBuf {
        self.reference
            .clone()
            .unwrap_or_else(|| default_dir(DEFAULT_REFERENCE))
    }

    /// The partner cases folder: `--partners`, else found like the reference folder. `None` when
    /// not asked for and not found (an installed binary away from its source): the MHTS measure
    /// still runs.
    fn partners_dir(&self) -> Option<PathBuf> {
        match &self.partners {
            Some(dir) => Some(dir.clone()),
            None => Some(default_dir(DEFAULT_PARTNERS)).filter(|dir| dir.is_dir()),
        }
    }
}

/// `relative` in the working folder when it is there, else the one bundled with the source.
fn default_dir(relative: &str) -> PathBuf {
    let local = Path::new(relative);
    if local.is_dir() {
        return local.to_path_buf();
    }
    Path::new(env!("CARGO_MANIFEST_DIR")).join(relative)
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

/// Prints the concordance and the partner fit; exit 1 on any under-triage or a missed target, 2
/// on a bad vignette or case.
pub fn run(cli: &Cli, args: &ConcordanceArgs) -> Result<u8> {
    let ruleset = files::load_rules(&cli.rules_dir())?;
    let dir = args.reference_dir();
    let texts = read_folder(
        &dir,
        "reference vignettes",
        "--reference",
        DEFAULT_REFERENCE,
    )?;
    let vignettes = parse_vignettes(&texts, &ruleset.vocabulary)?;
    let fit = match args.partners_dir() {
        Some(dir) => {
            let texts = read_folder(
                &dir,
                "partner reference cases",
                "--partners",
                DEFAULT_PARTNERS,
            )?;
            let cases = partner_fit::parse_cases(&texts, &ruleset)?;
            Some(partner_fit::measure(&ruleset, &cases))
        }
        None if args.max_wrong_partners.is_some() || args.max_missing_referrals.is_some() => {
            return Err(Problem::new(
                DEFAULT_PARTNERS,
                Default::default(),
                "",
                "no partner reference cases to hold to --max-wrong-partners or --max-missing-referrals",
            )
            .with_hint("point --partners at the folder of partner cases, such as tests/reference/partners")
            .into());
        }
        None => None,
    };
    let concordance = measure(&ruleset, &vignettes);
    let targets = Targets {
        max_over_triage: args.max_over_triage,
        min_agreement: args.min_agreement,
    };
    let fit_targets = FitTargets {
        max_wrong_partners: args.max_wrong_partners,
        max_missing_referrals: args.max_missing_referrals,
    };
    let rendered = match args.format {
        ConcordanceFormat::Text => {
            let mut text = concordance.render_text(&targets);
            if let Some(fit) = &fit {
                text.push_str("\n\n");
                text.push_str(&fit.render_text(&fit_targets));
            }
            text
        }
        ConcordanceFormat::Json => {
            let mut json = concordance.to_json(&targets);
            if let (Some(fit), Some(object)) = (&fit, json.as_object_mut()) {
                object.insert("partner_fit".to_owned(), fit.to_json(&fit_targets));
            }
            serde_json::to_string_pretty(&json).unwrap_or_else(|_| "{}".to_owned())
        }
    };
    // A closed pipe (sicol rules concordance | head) is not worth reporting.
    let _ = writeln!(std::io::stdout().lock(), "{rendered}");
    let fit_passed = fit
        .as_ref()
        .is_none_or(|fit: &PartnerFit| fit.passed(&fit_targets));
    Ok(if concordance.passed(&targets) && fit_passed {
        EXIT_OK
    } else {
        EXIT_FAILED
    })
}

/// Every `*.yaml` in a reference folder; an empty folder is a mistake, not a pass.
fn read_folder(
    dir: &Path,
    what: &str,
    option: &str,
    example: &str,
) -> Result<Vec<(String, String)>> {
    let texts = files::read_yaml_files(dir)?;
    if texts.is_empty() {
        return Err(Problem::new(
            dir.display().to_string(),
            Default::default(),
            "",
            format!("no {what} (*.yaml) in this folder"),
        )
        .with_hint(format!(
            "point {option} at the folder of {what}, such as {example}"
        ))
        .into());
    }
    Ok(texts)
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
