//! `sicol verify`: check a store's hash chain and rule set copies (DESIGN §4).

use clap::Args;

use sicol::records::{backend, StoreLocation};
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
