//! `sicol assess`: run an assessment in the terminal UI, then say where it was saved.

use std::path::PathBuf;

use clap::Args;

use sicol::error::Problem;
use sicol::records::RecordId;
use sicol::source::Position;
use sicol::tui::store::{self, AssessmentFile, RecordStore, Store, DEFAULT_DRAFTS_DIR};
use sicol::tui::view::Theme;
use sicol::{files, tui, Result};

use super::{Cli, EXIT_OK};

/// Arguments of `sicol assess`.
#[derive(Debug, Args)]
pub struct AssessArgs {
    /// Start from this assessment file (YAML, see DESIGN §1) instead of a blank one
    #[arg(long, value_name = "FILE", conflicts_with = "revise")]
    pub case: Option<PathBuf>,

    /// Correct a saved assessment: open this record of the store (its newest revision) and save
    /// the corrected assessment as a revision that supersedes it
    #[arg(long, value_name = "RECORD", conflicts_with = "out")]
    pub revise: Option<String>,

    /// Save a formulation record into this store, a folder or a postgresql:// URL (never
    /// overwritten; chained to the store's previous record)
    #[arg(
        long,
        value_name = "DIR|URL",
        env = super::values::STORE_ENV,
        hide_env_values = true,
        default_value = super::values::DEFAULT_STORE,
        conflicts_with = "out"
    )]
    pub store: PathBuf,

    /// Instead of a record, save the assessment and the person's choices as a plain YAML file
    /// here (never overwritten: a numeric suffix is added if the file exists)
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,

    /// Keep autosaved drafts in this folder (private: mode 0700)
    #[arg(long, value_name = "DIR", env = "SICOL_DRAFTS", default_value = DEFAULT_DRAFTS_DIR)]
    pub drafts: PathBuf,

    /// Your name or staff reference, filled in as the assessor of a new assessment (else
    /// `assessor:` in the config file, $SICOL_CONFIG or ~/.config/sicol/config.yaml)
    #[arg(long, value_name = "NAME", env = "SICOL_ASSESSOR")]
    pub assessor: Option<String>,
}

/// Loads the rules (and the case), runs the session and reports what was saved.
pub fn run(cli: &Cli, args: &AssessArgs) -> Result<u8> {
    let ruleset = files::load_rules(&cli.rules_dir())?;
    let case = match &args.case {
        Some(path) => Some((
            path.display().to_string(),
            files::read_assessment(path, &ruleset)?,
        )),
        None => None,
    };
    let revise = match &args.revise {
        Some(text) => {
            let id = RecordId::parse(text.trim()).ok_or_else(|| {
                Problem::new(
                    "--revise",
                    Position::default(),
                    "",
                    format!("`{text}` is not a record id"),
                )
                .with_hint("give the record's number, such as 00000003 or 3")
            })?;
            // A newer revision opened instead is said inside the screen, where it is seen.
            let (assessment, revising, _) = store::open_for_revision(&args.store, id)?;
            Some((assessment, revising))
        }
        None => None,
    };
    let assessor = match args.assessor.clone().filter(|name| !name.trim().is_empty()) {
        Some(name) => Some(name),
        None => match store::config_path(|name| std::env::var(name).ok()) {
            Some(path) => store::read_config(&path)?.assessor,
            None => None,
        },
    };
    let options = tui::Options {
        case,
        drafts_dir: args.drafts.clone(),
        store: match &args.out {
            Some(out) => Box::new(AssessmentFile {
                out: Some(out.clone()),
            }) as Box<dyn Store>,
            None => Box::new(RecordStore {
                dir: args.store.clone(),
            }),
        },
        theme: Theme::from_no_color(std::env::var("NO_COLOR").ok().as_deref()),
        revise,
        assessor,
    };
    let outcome = tui::run(&ruleset, options)?;
    for saved in &outcome.saved {
        match saved.record {
            Some(id) => println!("saved record {id}: {}", saved.path.display()),
            None => println!("saved {}", saved.path.display()),
        }
    }
    if let Some(draft) = &outcome.draft_kept {
        println!(
            "unsaved work is kept in {}; run sicol assess again to resume it",
            draft.display()
        );
    }
    Ok(EXIT_OK)
}
