//! `sicol rules …`: the service lead's tools for changing rules safely. `check` compiles and
//! lints every file of the rules folder; `test` runs the expected outcomes in `rules/tests/`;
//! `concordance` measures the rules against the MHTS reference vignettes.

use std::io::Write;

use clap::Subcommand;

use sicol::{authoring, files, Result};

use super::{Cli, EXIT_BAD_INPUT, EXIT_FAILED, EXIT_OK};

/// The `sicol rules` subcommands.
#[derive(Debug, Subcommand)]
pub enum RulesCommand {
    /// Compile and lint every rule file; list every problem with its file, line and a fix
    #[command(
        after_help = "Exit codes: 0 no errors (warnings may be listed), 1 errors found, 2 the folder cannot be read.\n\n\
        Examples:\n  sicol rules check\n  sicol rules check --rules my-rules"
    )]
    Check,
    /// Run the cases in rules/tests/ against their expected outcomes and print a pass/fail table
    #[command(
        after_help = "Each rules/tests/*.yaml file is an assessment plus an `expect:` block; see rules/README.md.\n\
        Exit codes: 0 every case passed, 1 a case failed, 2 a rule or test file is invalid.\n\n\
        Examples:\n  sicol rules test\n  sicol rules test --rules my-rules"
    )]
    Test,
    /// How a rule change moves saved formulations: replay each under its own rules and --rules
    #[command(
        after_help = "Examples:\n  sicol rules impact --rules my-new-rules\n  \
            sicol rules impact --rules my-new-rules --store /srv/sicol/formulations"
    )]
    Impact(super::rules_impact::ImpactArgs),
    /// Measure the rules against the MHTS reference vignettes: confusion matrix, under- and
    /// over-triage, exact agreement, every miss
    #[command(
        long_about = "Measure the rules against the UK Mental Health Triage Scale's reference vignettes.\n\n\
            Each vignette in the reference folder is an assessment with an `mhts:` block giving the \
            code a clinician assigns from the scale. Prints the confusion matrix (reference code \
            rows, sicol's code columns), under-triage (sicol less urgent: unsafe, none accepted), \
            over-triage and exact agreement, and every miss with the urgency reason that set \
            sicol's level. Run it after every rule change.\n\n\
            Exit codes: 0 targets met, 1 any under-triage or a missed --max-over-triage or \
            --min-agreement target, 2 a bad vignette or rule file.",
        after_help = "Examples:\n  sicol rules concordance\n  \
            sicol rules concordance --max-over-triage 20 --min-agreement 80\n  \
            sicol rules concordance --rules my-rules --format json > concordance.json\n  \
            sicol rules concordance --reference my-service/vignettes"
    )]
    Concordance(super::concordance::ConcordanceArgs),
}

/// Runs one `sicol rules` subcommand.
pub fn run(cli: &Cli, command: &RulesCommand) -> Result<u8> {
    match command {
        RulesCommand::Check => check(cli),
        RulesCommand::Test => test(cli),
        RulesCommand::Impact(args) => super::rules_impact::run(cli, args),
        RulesCommand::Concordance(args) => super::concordance::run(cli, args),
    }
}

fn check(cli: &Cli) -> Result<u8> {
    let rule_files = files::read_rule_files(&cli.rules_dir())?;
    let report = authoring::lint::check(&rule_files);
    // A closed pipe (sicol rules check | head) is not worth reporting.
    let _ = writeln!(std::io::stdout().lock(), "{report}");
    Ok(if report.has_errors() {
        EXIT_FAILED
    } else {
        EXIT_OK
    })
}

fn test(cli: &Cli) -> Result<u8> {
    let dir = cli.rules_dir();
    let ruleset = files::load_rules(&dir)?;
    let cases = files::read_rule_tests(&dir)?;
    let mut stdout = std::io::stdout().lock();
    if cases.is_empty() {
        let _ = writeln!(
            stdout,
            "no test cases in {}: add one as described in rules/README.md",
            dir.join(files::RULE_TESTS_DIR).display()
        );
        return Ok(EXIT_OK);
    }
    let report = authoring::cases::run_tests(&ruleset, &cases);
    let _ = writeln!(stdout, "{}", report.render());
    Ok(if !report.invalid.is_empty() {
        EXIT_BAD_INPUT
    } else if report.failed() > 0 {
        EXIT_FAILED
    } else {
        EXIT_OK
    })
}
