//! `sicol schema`: writes JSON Schemas for the YAML files people edit, with the rule set's
//! vocabulary written in, so that editors validate and complete them.

use std::io::Write;
use std::path::PathBuf;

use clap::Args;

use sicol::{authoring, files, Error, Result};

use super::{Cli, EXIT_OK};

/// Arguments of `sicol schema`.
#[derive(Debug, Args)]
pub struct SchemaArgs {
    /// The folder to write the schemas to (created if missing)
    #[arg(long, value_name = "DIR", default_value = "schemas")]
    pub out: PathBuf,
}

/// Writes every schema and lists what was written.
pub fn run(cli: &Cli, args: &SchemaArgs) -> Result<u8> {
    let ruleset = files::load_rules(&cli.rules_dir())?;
    std::fs::create_dir_all(&args.out).map_err(|source| Error::io(&args.out, source))?;
    let mut stdout = std::io::stdout().lock();
    for schema in authoring::schema::schemas(&ruleset) {
        let path = args.out.join(schema.file_name);
        std::fs::write(&path, &schema.text).map_err(|source| Error::io(&path, source))?;
        let _ = writeln!(stdout, "wrote {} ({})", path.display(), schema.validates);
    }
    let _ = writeln!(
        stdout,
        "to use one, start a YAML file with `# yaml-language-server: $schema=<path to the schema>`"
    );
    Ok(EXIT_OK)
}
