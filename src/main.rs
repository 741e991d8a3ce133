//! The `sicol` binary: parse arguments, run, exit with 0 ok, 1 drift or failed check, 2 bad input,
//! 3 team store unreachable, 4 a right missing on the team store.

use std::process::ExitCode;

use clap::Parser;

mod cli;

/// Store work reads, checks and replays records on every core, allocating many small JSON
/// values per record; glibc's allocator spends a quarter of that time consolidating and
/// unlinking chunks across threads, mimalloc's per-thread heaps do not.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    cli::run(cli::Cli::parse())
}
