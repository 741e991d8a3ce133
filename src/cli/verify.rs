//! `sicol verify`: check a store's hash chain and rule set copies (DESIGN §4).

use clap::Args;

use sicol::records::backend::ChainCheck;
use sicol::records::{backend, RecordStore, StoreLocation, Verification};
use sicol::Result;

use super::replay::short_hash;
use super::values::{parse_store, DEFAULT_STORE, STORE_ENV};
use super::{EXIT_FAILED, EXIT_OK};

/// Arguments of `sicol verify`.
#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// The store: a folder, or a postgresql:// URL for a team store
    #[arg(value_name = "DIR|URL", env = STORE_ENV, hide_env_values = true,
          default_value = DEFAULT_STORE, value_parser = parse_store)]
    pub store: StoreLocation,
}

/// Option of the commands that read a whole store: go on when its chain is broken.
#[derive(Debug, Clone, Copy, Args)]
pub struct ForensicArgs {
    /// Go on when the store's chain is broken (a record deleted, reordered or altered), to
    /// examine what is left; the output then says it comes from a broken chain
    #[arg(long)]
    pub forensic: bool,
}

/// What the commands that read a whole store do first (issue 19): check its chain as `verify`
/// does, on either backend. `Err(1)` with `verify`'s message on stderr when it is broken; with
/// `--forensic`, `Ok(Some(notice))` (for the command to put in its output) and it goes on.
pub fn chain_first(
    store: &mut dyn RecordStore,
    shown: &str,
    forensic: ForensicArgs,
) -> Result<std::result::Result<Option<String>, u8>> {
    let verification = store.verify()?;
    Ok(chain_verdict(&verification, shown, forensic))
}

/// The chain check for a command that reads every record anyway (replay, report, rules
/// impact): made in the same pass (see [`ChainCheck`]), so the store is read once; the command
/// holds back its output until [`chain_verdict`] has judged the chain.
pub fn chain_check(store: &mut dyn RecordStore, forensic: ForensicArgs) -> Result<ChainCheck> {
    Ok(ChainCheck::new(store.leftovers()?, forensic.forensic))
}

/// What a command does once the chain is checked: nothing when it is intact; when it is broken,
/// `verify`'s message on stderr and `Err(1)`, or with `--forensic` a notice to put in the
/// output, `Ok(Some(notice))`.
pub fn chain_verdict(
    verification: &Verification,
    shown: &str,
    forensic: ForensicArgs,
) -> std::result::Result<Option<String>, u8> {
    let Some(problem) = &verification.broken else {
        return Ok(None);
    };
    let good = verification.good;
    let plural = if good == 1 { "" } else { "s" };
    let message = format!("{problem}\n{shown}: chain broken after {good} good record{plural}\n");
    eprint!("{}", sicol::input::terminal_safe(&message));
    if !forensic.forensic {
        eprintln!(
            "error: the store's chain is broken, so its records are not used; run `sicol verify {shown}` for the details, or give --forensic to examine it anyway"
        );
        return Err(EXIT_FAILED);
    }
    let notice = format!(
        "FORENSIC: the chain of {shown} is broken after {good} good record{plural}; what follows reads a damaged store and is not a record of care"
    );
    eprintln!("{notice}");
    Ok(Some(notice))
}

/// Verifies the chain; exit 1 at the first broken or missing link.
pub fn run(args: &VerifyArgs) -> Result<u8> {
    let mut store = backend::open(&args.store)?;
    let verification = store.verify()?;
    for warning in store.permission_warnings() {
        eprintln!("warning: {warning}");
    }
    for leftover in &verification.leftovers {
        eprintln!(
            "note: {} is an unfinished write from an interrupted save, not a record; it is safe to delete",
            leftover.display()
        );
    }
    let plural = |n: usize| if n == 1 { "" } else { "s" };
    match &verification.broken {
        Some(problem) => {
            println!("{problem}");
            println!(
                "{}: chain broken after {} good record{}",
                args.store,
                verification.good,
                plural(verification.good)
            );
            Ok(EXIT_FAILED)
        }
        None => {
            match &verification.tip {
                Some((id, sha256)) => println!(
                    "{}: {} record{}, chain intact; last record {id}, sha256 {sha256}",
                    args.store,
                    verification.good,
                    plural(verification.good)
                ),
                None => println!("{}: no records yet", args.store),
            }
            if let Some((_, sha256)) = &verification.tip {
                println!(
                    "note the last record's sha256 ({}…) to show later that nothing after it was removed",
                    short_hash(sha256)
                );
            }
            Ok(EXIT_OK)
        }
    }
}
