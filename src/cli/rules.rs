//! `sicol rules …`: the service lead's tools for changing rules safely. `check` compiles and
//! lints every file of the rules folder; `test` runs the expected outcomes in `rules/tests/`;
//! `concordance` measures the rules against the MHTS reference vignettes.

use std::io::Write;
use std::path::{Path, PathBuf};

use clap::Subcommand;

use sicol::records::StoreLocation;
use sicol::RuleFiles;
use sicol::{authoring, files, Result};

use super::{Cli, EXIT_BAD_INPUT, EXIT_FAILED, EXIT_OK};

/// The `sicol rules` subcommands.
#[derive(Debug, Subcommand)]
pub enum RulesCommand {
    /// Compile and lint every rule file; list every problem with its file, line and a fix
    #[command(
        long_about = "Compile and lint every rule file, then run every script on a generated spread of \
            assessments (every kind at every severity, every living situation and referral source, \
            a range of ages and dates; the same every time) so that rules that throw, loop or grow \
            huge values are found before they are deployed.\n\n\
            When the folder checked is not the deployed one, partners that join a category others \
            already serve are listed with the test cases in DIR/tests whose referrals or lead \
            coordinator move. When the folder keeps schemas (DIR/schemas), they are compared with \
            what its vocabulary gives.",
        after_help = "Exit codes: 0 no errors (warnings may be listed), 1 errors found, 2 the folder cannot be read.\n\n\
        Examples:\n  sicol rules check\n  sicol rules check --rules my-rules\n  \
        sicol rules check --rules my-rules --current /srv/sicol/rules"
    )]
    Check(CheckArgs),
    /// Run the cases in rules/tests/ against their expected outcomes and print a pass/fail table
    #[command(
        after_help = "Each rules/tests/*.yaml file is an assessment plus an `expect:` block; see rules/README.md.\n\
        Exit codes: 0 every case passed, 1 a case failed, 2 a rule or test file is invalid.\n\n\
        Examples:\n  sicol rules test\n  sicol rules test --rules my-rules"
    )]
    Test,
    /// How a rule change moves saved formulations: the deployed rules against --rules
    #[command(
        long_about = "How a rule change moves saved formulations: every current record is recomputed \
            under the proposed rules (--rules DIR) and under the rules deployed now (--current DIR, \
            default ./rules), or with --against recorded under the rules it was made with. Prints \
            counts, a table of from → to moves, and each moved case with its score and urgency \
            before → after and the margin to the nearest urgency cut-off.\n\n\
            Run it after any change to rules or to partners.yaml.",
        after_help = "Examples:\n  sicol rules impact --rules my-new-rules\n  \
            sicol rules impact --rules my-new-rules --only outcome --store /srv/sicol/formulations\n  \
            sicol rules impact --rules my-new-rules --format json > impact.json\n  \
            sicol rules impact --rules rules --against recorded"
    )]
    Impact(super::rules_impact::ImpactArgs),
    /// Measure the rules against the MHTS reference vignettes (confusion matrix, under- and
    /// over-triage, exact agreement, every miss) and the partner reference cases (wrong partners,
    /// missing referrals)
    #[command(
        long_about = "Measure the rules against the UK Mental Health Triage Scale's reference vignettes.\n\n\
            Each vignette in the reference folder is an assessment with an `mhts:` block giving the \
            code a clinician assigns from the scale. Prints the confusion matrix (reference code \
            rows, sicol's code columns), under-triage (sicol less urgent: unsafe, none accepted), \
            over-triage and exact agreement, and every miss with the urgency reason that set \
            sicol's level. Then checks the referral plan of every partner reference case \
            (tests/reference/partners, or --partners DIR): wrong partners (a service that would \
            turn the person away or cannot hold the risk) and missing referrals, each failure \
            listed. Run it after every rule or directory change.\n\n\
            Exit codes: 0 targets met, 1 any under-triage or a missed --max-over-triage, \
            --min-agreement, --max-wrong-partners or --max-missing-referrals target, 2 a bad \
            vignette, case or rule file.",
        after_help = "Examples:\n  sicol rules concordance\n  \
            sicol rules concordance --max-over-triage 20 --min-agreement 80 --max-wrong-partners 0\n  \
            sicol rules concordance --rules my-rules --format json > concordance.json\n  \
            sicol rules concordance --reference my-service/vignettes"
    )]
    Concordance(super::concordance::ConcordanceArgs),
}

/// Arguments of `sicol rules check`.
#[derive(Debug, clap::Args)]
pub struct CheckArgs {
    /// The rules deployed now, to compare partners with (default: ./rules, or the bundled rules,
    /// when --rules names another folder)
    #[arg(long, value_name = "DIR")]
    pub current: Option<PathBuf>,

    /// When the folder checked is the deployed one (edited in place), partners are compared with
    /// the rules the newest record in this store was made with
    #[arg(long, value_name = "DIR|URL", env = super::values::STORE_ENV, hide_env_values = true,
          default_value = super::values::DEFAULT_STORE, value_parser = super::values::parse_store)]
    pub store: StoreLocation,
}

/// Runs one `sicol rules` subcommand.
pub fn run(cli: &Cli, command: &RulesCommand) -> Result<u8> {
    match command {
        RulesCommand::Check(args) => check(cli, args),
        RulesCommand::Test => test(cli),
        RulesCommand::Impact(args) => super::rules_impact::run(cli, args),
        RulesCommand::Concordance(args) => super::concordance::run(cli, args),
    }
}

fn check(cli: &Cli, args: &CheckArgs) -> Result<u8> {
    let dir = cli.rules_dir();
    let rule_files = files::read_rule_files(&dir)?;
    let tests = files::read_rule_tests(&dir)?;
    let current = match &args.current {
        Some(current) => Some(current.clone()),
        None => super::deployed_rules_dir(cli),
    };
    let mut deployed_from_records = false;
    let deployed = match current.filter(|current| !same_folder(current, &dir)) {
        Some(current) => Some(files::read_rule_files(&current)?),
        // Checking the deployed folder itself, perhaps edited in place: the rules the service
        // last formulated with are what a partner change moves away from.
        None => match rules_of_newest_record(&args.store) {
            Some(mut files) => {
                files.origin = format!("the rules of the newest record in {}", args.store);
                deployed_from_records = true;
                Some(files)
            }
            None => None,
        },
    };
    let schemas = files::read_schemas(&dir.join(authoring::lint::SCHEMAS_DIR))?;
    let context = authoring::lint::CheckContext {
        tests: &tests,
        deployed: deployed.as_ref(),
        deployed_from_records,
        schemas: schemas.as_ref(),
    };
    let report = authoring::lint::check_with(&rule_files, context);
    // A closed pipe (sicol rules check | head) is not worth reporting.
    let _ = writeln!(std::io::stdout().lock(), "{report}");
    Ok(if report.has_errors() {
        EXIT_FAILED
    } else {
        EXIT_OK
    })
}

/// The rule set copy the newest assessment record of a store was made with, if the store and the
/// copy exist.
fn rules_of_newest_record(location: &StoreLocation) -> Option<RuleFiles> {
    if location.folder().is_some_and(|dir| !dir.is_dir()) {
        return None;
    }
    let mut store = sicol::records::backend::open(location).ok()?;
    let ids = store.ids().ok()?;
    ids.into_iter().rev().find_map(|id| {
        let record = store.read(id).ok()?;
        if record.follow_up.is_some() {
            return None;
        }
        store.ruleset_files(&record.ruleset.sha256).ok().flatten()
    })
}

/// Whether two paths name the same folder (as far as the file system can tell).
pub(super) fn same_folder(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => a == b,
    }
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
