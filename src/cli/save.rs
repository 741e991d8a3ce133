//! `sicol evaluate --save`: keep each formulation as a record in a store (DESIGN §4).

use clap::Args;

use sicol::model::{Assessment, Choices, MhaDecision, MhaOutcome};
use sicol::records::{backend, Draft, RecordId, RecordStore, StoreLocation};
use sicol::{Formulation, Problem, Result, RuleSet};

use super::values::{parse_store, YesNo, DEFAULT_STORE, STORE_ENV};

/// The record-keeping options of `sicol evaluate`.
#[derive(Debug, Args)]
pub struct SaveArgs {
    /// Save each formulation as a record in the store (never overwrites; prints where the
    /// record went on stderr)
    #[arg(long)]
    pub save: bool,

    /// The store records are saved in: a folder, or a postgresql:// URL for a team store
    #[arg(long, value_name = "DIR|URL", env = STORE_ENV, hide_env_values = true,
          default_value = DEFAULT_STORE, value_parser = parse_store)]
    pub store: StoreLocation,

    /// The id of the record this one revises, such as 00000003 (one case only)
    #[arg(long, value_name = "ID", requires = "save")]
    pub supersedes: Option<String>,

    /// What the assessment decided under the Mental Health Act, kept with the record (one case
    /// only): no_detention, informal_admission, section_2, section_3, section_136_ended or other
    #[arg(long, value_name = "OUTCOME", requires = "save", value_parser = parse_outcome)]
    pub decision: Option<MhaOutcome>,

    /// Whether the person agreed to the plan: yes or no (left out: not recorded)
    #[arg(long, value_enum, requires = "decision")]
    pub agreed: Option<YesNo>,

    /// A note on the decision, in words; needed with `--decision other`
    #[arg(long = "decision-note", value_name = "TEXT", requires = "decision")]
    pub decision_note: Option<String>,
}

/// Reads an MHA outcome, listing the valid ones when it is not one of them.
fn parse_outcome(text: &str) -> std::result::Result<MhaOutcome, String> {
    text.parse()
}

/// The decision the options give, checked: one case only, and "other" says what in a note.
pub fn decision(args: &SaveArgs, cases: usize) -> Result<Option<MhaDecision>> {
    let Some(outcome) = args.decision else {
        return Ok(None);
    };
    if cases > 1 {
        return Err(Problem::new(
            "--decision",
            Default::default(),
            "",
            "a decision belongs to one assessment, but several cases were given",
        )
        .with_hint("save each case with its own decision, one at a time")
        .into());
    }
    let note = args
        .decision_note
        .as_deref()
        .map(str::trim)
        .filter(|note| !note.is_empty())
        .map(str::to_owned);
    if outcome == MhaOutcome::Other && note.is_none() {
        return Err(Problem::new(
            "--decision",
            Default::default(),
            "",
            "the decision is `other`, but nothing says what it was",
        )
        .with_hint("add --decision-note \"…\" saying what was decided")
        .into());
    }
    Ok(Some(MhaDecision {
        outcome,
        agreed_to_plan: args.agreed.map(|agreed| agreed == YesNo::Yes),
        note,
    }))
}

/// The store to save into, and the record the save revises.
pub type SaveTo = (Box<dyn RecordStore>, Option<RecordId>);

/// Opens the store if saving, checking the options before any case is evaluated.
pub fn open(args: &SaveArgs, cases: usize) -> Result<Option<SaveTo>> {
    if !args.save {
        return Ok(None);
    }
    let supersedes = match &args.supersedes {
        None => None,
        Some(text) => Some(RecordId::parse(text).ok_or_else(|| {
            Problem::new(
                "--supersedes",
                Default::default(),
                "",
                format!("`{text}` is not a record id"),
            )
            .with_hint("give the record's number as in its file name, such as 00000003")
        })?),
    };
    if supersedes.is_some() && cases > 1 {
        return Err(Problem::new(
            "--supersedes",
            Default::default(),
            "",
            "a revision supersedes one record, but several cases were given",
        )
        .with_hint("save the revision of one case at a time")
        .into());
    }
    let mut store = backend::create(&args.store)?;
    for warning in store.permission_warnings() {
        eprintln!("warning: {warning}");
    }
    Ok(Some((store, supersedes)))
}

/// Saves one formulation with the person's choices and the decision, when given.
pub fn save(
    store: &mut dyn RecordStore,
    supersedes: Option<RecordId>,
    rules: &RuleSet,
    assessment: &Assessment,
    formulation: &Formulation,
    choices: Option<&Choices>,
    mha_decision: Option<&MhaDecision>,
) -> Result<String> {
    let no_choices = Choices::default();
    let draft = Draft {
        assessment,
        formulation,
        choices: choices.unwrap_or(&no_choices),
        supersedes,
        saved_at: chrono::Utc::now(),
        mha_decision,
    };
    let record = store.save(&draft, rules)?;
    Ok(store.locate(record.id))
}
