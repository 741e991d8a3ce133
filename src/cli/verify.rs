//! `sicol verify`: check a store's hash chain and rule set copies (DESIGN §4).

use std::path::{Path, PathBuf};

use clap::Args;

use sicol::records::Store;
use sicol::Result;

use super::replay::short_hash;
use super::{EXIT_FAILED, EXIT_OK};

/// Arguments of `sicol verify`.
#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// The store folder
    #[arg(value_name = "DIR", default_value = super::save::DEFAULT_STORE)]
    pub store: PathBuf,
}

/// `verify`'s message for a broken chain: the first broken link, then how far the chain held.
fn broken_message(store: &Path, problem: &sicol::Problem, good: usize) -> String {
    format!(
        "{problem}\n{}: chain broken after {good} good record{}\n",
        store.display(),
        if good == 1 { "" } else { "s" }
    )
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
/// does. `Some(1)` with `verify`'s message on stderr when it is broken; with `--forensic`,
/// `None` and a notice (returned, for the command to put in its output) so the command goes on.
pub fn chain_first(
    store: &mut Store,
    forensic: ForensicArgs,
) -> Result<Result<Option<String>, u8>> {
    let verification = store.verify()?;
    let Some(problem) = &verification.broken else {
        return Ok(Ok(None));
    };
    let message = broken_message(store.dir(), problem, verification.good);
    if !forensic.forensic {
        eprint!("{}", sicol::input::terminal_safe(&message));
        eprintln!(
            "error: the store's chain is broken, so its records are not used; run `sicol verify {}` for the details, or give --forensic to examine it anyway",
            store.dir().display()
        );
        return Ok(Err(EXIT_FAILED));
    }
    let notice = format!(
        "FORENSIC: the chain of {} is broken after {} good record{}; what follows reads a damaged store and is not a record of care",
        store.dir().display(),
        verification.good,
        if verification.good == 1 { "" } else { "s" }
    );
    eprint!("{}", sicol::input::terminal_safe(&message));
    eprintln!("{notice}");
    Ok(Ok(Some(notice)))
}

/// Verifies the chain; exit 1 at the first broken or missing link.
pub fn run(args: &VerifyArgs) -> Result<u8> {
    let mut store = Store::open(&args.store)?;
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
            super::print_safe(&broken_message(&args.store, problem, verification.good));
            Ok(EXIT_FAILED)
        }
        None => {
            match &verification.tip {
                Some((id, sha256)) => println!(
                    "{}: {} record{}, chain intact; last record {id}, sha256 {sha256}",
                    args.store.display(),
                    verification.good,
                    plural(verification.good)
                ),
                None => println!("{}: no records yet", args.store.display()),
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
