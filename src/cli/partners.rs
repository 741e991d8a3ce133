//! `sicol partners …`: the partner directory in and out of Open Referral UK, the standard
//! councils publish their service directories in. The file-system edge of
//! [`sicol::referrals::oruk`]: reads the export, the mapping and the rules folder, writes the
//! result, and prints every note to stderr so that stdout holds only the file written.

use std::io::Write;
use std::path::{Path, PathBuf};

use clap::{Args, Subcommand, ValueEnum};

use sicol::input::InputKind;
use sicol::referrals::oruk::{self, Note, NoteKind, TaxonomyMapping};
use sicol::{files, Error, Result};

use super::{Cli, EXIT_OK};

/// The `sicol partners` subcommands.
#[derive(Debug, Subcommand)]
pub enum PartnersCommand {
    /// Read an Open Referral UK services export (JSON) into partners.yaml entries
    #[command(
        long_about = "Read an Open Referral UK services export (HSDS 3.0, UK profile) into \
            partners.yaml entries: name, contact, weekly opening hours, minimum and maximum age, \
            the eligibility description as the note, and the taxonomy terms as referral \
            categories through the taxonomy mapping (DIR/oruk-taxonomy.yaml).\n\n\
            The entries go to stdout, or to --out FILE. Every value that could not be carried \
            over goes to stderr: services left out (not active, no mapped category, no \
            readable hours), fields with no place in partners.yaml, and the fields ORUK does not \
            have (same_day, can_coordinate), written as false for a person to set.\n\n\
            Exit codes: 0 imported, 2 a bad export or mapping (each problem with its place).",
        after_help = "Examples:\n  sicol partners import council-services.json > partners.yaml\n  \
            sicol partners import rules/examples/oruk-services.json --out my-rules/partners.yaml\n  \
            sicol partners import feed.json --mapping my-rules/oruk-taxonomy.yaml"
    )]
    Import(ImportArgs),
    /// Write the partner directory as Open Referral UK services (JSON)
    #[command(
        long_about = "Write the partner directory of the rules folder as Open Referral UK services \
            (one page, as the /services endpoint returns them). Categories become taxonomy terms \
            through the taxonomy mapping; a category with no term there is written as a term of \
            sicol's own taxonomy, which the import reads back. Fields ORUK has no place for \
            (same_day, can_coordinate, living situations) are listed on stderr.",
        after_help = "Examples:\n  sicol partners export --format oruk > directory.json\n  \
            sicol partners export --rules my-rules --format oruk --out directory.json"
    )]
    Export(ExportArgs),
}

/// Arguments of `sicol partners import`.
#[derive(Debug, Args)]
pub struct ImportArgs {
    /// The ORUK export: a list of services, a page of them, or one service
    #[arg(value_name = "FILE.json")]
    pub file: PathBuf,

    /// The taxonomy mapping (default: oruk-taxonomy.yaml in the rules folder)
    #[arg(long, value_name = "FILE")]
    pub mapping: Option<PathBuf>,

    /// Write the partners.yaml text here (atomically, mode 0600) instead of to stdout
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
}

/// Formats `sicol partners export` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DirectoryFormat {
    /// Open Referral UK (HSDS 3.0) services, JSON
    Oruk,
}

/// Arguments of `sicol partners export`.
#[derive(Debug, Args)]
pub struct ExportArgs {
    /// The format to write
    #[arg(long, value_enum)]
    pub format: DirectoryFormat,

    /// The taxonomy mapping (default: oruk-taxonomy.yaml in the rules folder)
    #[arg(long, value_name = "FILE")]
    pub mapping: Option<PathBuf>,

    /// Write the JSON here (atomically, mode 0600) instead of to stdout
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
}

/// Runs one `sicol partners` subcommand.
pub fn run(cli: &Cli, command: &PartnersCommand) -> Result<u8> {
    match command {
        PartnersCommand::Import(args) => import(cli, args),
        PartnersCommand::Export(args) => export(cli, args),
    }
}

fn import(cli: &Cli, args: &ImportArgs) -> Result<u8> {
    let rules_dir = cli.rules_dir();
    let vocabulary = files::read_vocabulary(&rules_dir)?;
    let mapping = read_mapping(&rules_dir, args.mapping.as_deref(), &vocabulary)?;
    let json = read(&args.file)?;
    let imported = oruk::import(
        &json,
        &args.file.display().to_string(),
        &mapping,
        &vocabulary,
    )?;
    write_out(args.out.as_deref(), &imported.yaml)?;
    report(
        &imported.notes,
        &format!(
            "imported {} partner(s) from {}",
            imported.partners,
            args.file.display()
        ),
    );
    Ok(EXIT_OK)
}

fn export(cli: &Cli, args: &ExportArgs) -> Result<u8> {
    let DirectoryFormat::Oruk = args.format;
    let rules_dir = cli.rules_dir();
    let ruleset = files::load_rules(&rules_dir)?;
    let mapping = read_mapping(&rules_dir, args.mapping.as_deref(), &ruleset.vocabulary)?;
    let exported = oruk::export(&ruleset.partners, &mapping, &ruleset.vocabulary);
    write_out(args.out.as_deref(), &exported.json)?;
    report(
        &exported.notes,
        &format!("exported {} service(s)", exported.services),
    );
    Ok(EXIT_OK)
}

/// A directory export or a mapping, through the bounded reader with a rule file's limits; an
/// export is JSON and also checked for depth before serde_json reads it.
fn read(path: &Path) -> Result<String> {
    let text = files::read_text(path, InputKind::RuleFile)?;
    if path.extension().is_some_and(|ext| ext == "json") {
        sicol::input::check_json(
            text.as_bytes(),
            &path.display().to_string(),
            InputKind::RuleFile,
            &sicol::input::limits(),
        )?;
    } else {
        sicol::input::check_yaml(
            &text,
            &path.display().to_string(),
            InputKind::RuleFile,
            &sicol::input::limits(),
        )?;
    }
    Ok(text)
}

/// The mapping named, else the rules folder's; a folder without one maps no terms (the import
/// then reads only terms of sicol's own taxonomy, and says so for every other term).
fn read_mapping(
    rules_dir: &Path,
    named: Option<&Path>,
    vocabulary: &sicol::model::Vocabulary,
) -> Result<TaxonomyMapping> {
    let path = match named {
        Some(path) => path.to_path_buf(),
        None => {
            let path = rules_dir.join(oruk::MAPPING_FILE);
            if !path.is_file() {
                return Ok(TaxonomyMapping::default());
            }
            path
        }
    };
    let text = read(&path)?;
    Ok(TaxonomyMapping::parse(
        &text,
        &path.display().to_string(),
        vocabulary,
    )?)
}

fn write_out(out: Option<&Path>, text: &str) -> Result<()> {
    match out {
        Some(path) => files::write::write_private_path(path, text.as_bytes()).map(|_| ()),
        None => {
            let mut stdout = std::io::stdout().lock();
            stdout
                .write_all(text.as_bytes())
                .map_err(|source| Error::io("standard output", source))
        }
    }
}

/// The notes on stderr, grouped by what became of each value, after a one-line summary.
fn report(notes: &[Note], summary: &str) {
    let mut stderr = std::io::stderr().lock();
    let _ = writeln!(stderr, "{summary}");
    let mut kinds: Vec<NoteKind> = notes.iter().map(|note| note.kind).collect();
    kinds.sort();
    kinds.dedup();
    for kind in kinds {
        let _ = writeln!(stderr, "{}:", kind.heading());
        for note in notes.iter().filter(|note| note.kind == kind) {
            let _ = writeln!(stderr, "  {}: {}: {}", note.service, note.field, note.text);
        }
    }
}
