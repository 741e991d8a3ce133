//! `sicol evaluate --out DIR` (with `--batch DIR` or case files): formulate many cases on every
//! core, one output file per case, reporting each bad case against its file.

use std::path::Path;

use sicol::batch::{self, BatchOptions};
use sicol::{Result, RuleSet};

use super::evaluate::EvaluateArgs;
use super::{EXIT_BAD_INPUT, EXIT_FAILED, EXIT_OK};

/// Runs the batch and prints one line per problem or warning and a closing summary on stderr.
pub fn run(ruleset: &RuleSet, args: &EvaluateArgs, out: &Path) -> Result<u8> {
    let inputs = match &args.batch {
        Some(dir) => batch::case_files(dir)?,
        None => args.cases.clone(),
    };
    let mut options = BatchOptions::all_cores(args.format);
    if let Some(jobs) = args.jobs {
        options.threads = jobs;
    }
    let report = batch::evaluate_files(ruleset, &inputs, out, options)?;
    let mut with_warnings = 0;
    for outcome in &report.outcomes {
        match &outcome.result {
            Ok(written) if !written.warnings.is_empty() => {
                with_warnings += 1;
                eprintln!(
                    "error: {}: incomplete formulation: a rule failed, so what it would have added is missing",
                    outcome.input.display()
                );
                for warning in &written.warnings {
                    eprintln!("  {warning}");
                }
            }
            Ok(_) => {}
            Err(error) => eprintln!("error: {}", sicol::input::terminal_safe(&error.to_string())),
        }
    }
    let failed = report.failures().count();
    eprintln!(
        "formulated {} of {} case(s) into {}{}{}",
        report.written(),
        report.outcomes.len(),
        out.display(),
        if with_warnings > 0 {
            format!(", {with_warnings} INCOMPLETE (a rule failed)")
        } else {
            String::new()
        },
        if failed > 0 {
            format!("; {failed} could not be formulated (see above)")
        } else {
            String::new()
        },
    );
    Ok(if failed > 0 {
        EXIT_BAD_INPUT
    } else if with_warnings > 0 {
        EXIT_FAILED
    } else {
        EXIT_OK
    })
}
