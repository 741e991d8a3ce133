//! The `sicol` binary: parse arguments, run, exit with 0 ok, 1 drift or failed check, 2 bad input.

use std::process::ExitCode;

use clap::Parser;

mod cli;

fn main() -> ExitCode {
    cli::run(cli::Cli::parse())
}
