//! `sicol schema`: writes JSON Schemas for the YAML files people edit, with the rule set's
//! vocabulary written in, so that editors validate and complete them.

use std::io::Write;
use std::path::PathBuf;

use clap::Args;

use sicol::{authoring, files, Result};

use super::{Cli, EXIT_OK};

/// Arguments of `sicol schema`.
#[derive(Debug, Args)]
pub struct SchemaArgs {
    /// The folder to write the schemas to (created if missing); default: `schemas/` inside the
    /// rules folder read, so a working copy of the rules keeps schemas that match it
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
}

/// Writes every schema and lists what was written.
pub fn run(cli: &Cli, args: &SchemaArgs) -> Result<u8> {
    let rules_dir = cli.rules_dir();
    let ruleset = files::load_rules(&rules_dir)?;
    let out = args
        .out
        .clone()
        .unwrap_or_else(|| rules_dir.join(authoring::lint::SCHEMAS_DIR));
    files::write::private_dir(&out)?;
    let mut stdout = std::io::stdout().lock();
    for schema in authoring::schema::schemas(&ruleset) {
        let path = files::write::write_private(&out, schema.file_name, schema.text.as_bytes())?;
        let _ = writeln!(stdout, "wrote {} ({})", path.display(), schema.validates);
    }
    let _ = writeln!(
        stdout,
        "to use one, start a YAML file with `# yaml-language-server: $schema=<path to the schema>`"
    );
    Ok(EXIT_OK)
}
