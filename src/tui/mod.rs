//! `sicol assess`: the terminal UI an AMHP runs the assessment in, over the same library API as
//! the CLI. Split Elm-style: [`app`] is the state and what each key does (pure), [`view`] draws
//! it (pure), [`form`] and [`input`] hold what is typed and read it forgivingly, [`referrals`]
//! says what the person is offered, [`store`] saves and keeps drafts (file system), and
//! [`terminal`] owns the terminal. [`run`] is the thin loop that joins them.

pub mod app;
pub mod form;
pub mod input;
pub mod referrals;
pub mod store;
pub mod terminal;
pub mod view;

use std::path::PathBuf;
use std::time::Duration;

use chrono::{DateTime, FixedOffset, Local};
use ratatui::crossterm::event;
use ratatui::DefaultTerminal;

use crate::error::{Error, Result};
use crate::model::{Assessment, Context, Person};
use crate::rules::RuleSet;
use app::{App, Command, Start};
use store::{SavedAssessment, Store};
use view::Theme;

/// How `sicol assess` was asked to run.
pub struct Options {
    /// The assessment to start from (`--case`), already checked, with the file it came from.
    pub case: Option<(String, Assessment)>,
    /// Where drafts are kept.
    pub drafts_dir: PathBuf,
    /// Where a finished assessment is saved.
    pub store: Box<dyn Store>,
    /// Draw without colour (`NO_COLOR`).
    pub theme: Theme,
    /// A saved assessment to correct (`--revise`), opened with [`store::open_for_revision`].
    pub revise: Option<(Assessment, app::Revising)>,
    /// The assessor to fill in when the assessment names none (`--assessor`, `SICOL_ASSESSOR`
    /// or the config file).
    pub assessor: Option<String>,
}

/// What happened in a session, to report once the terminal is back.
#[derive(Debug, Default)]
pub struct Outcome {
    /// Every save, in order.
    pub saved: Vec<store::SavedTo>,
    /// The draft left behind with unsaved work, if any.
    pub draft_kept: Option<PathBuf>,
}

/// A blank assessment stamped with the time it starts.
pub fn fresh_assessment(assessed_at: DateTime<FixedOffset>) -> Assessment {
    Assessment {
        id: String::new(),
        assessed_at,
        assessor: None,
        person: Person::default(),
        context: Context::default(),
        stressors: Vec::new(),
        medical: Vec::new(),
        strengths: Vec::new(),
        capacity: None,
        wishes: None,
    }
}

fn now() -> DateTime<FixedOffset> {
    Local::now().fixed_offset()
}

/// Runs an assessment session in the terminal until the assessor quits.
pub fn run(ruleset: &RuleSet, options: Options) -> Result<Outcome> {
    let started = now();
    let case_file = options.case.as_ref().map(|(file, _)| file.clone());
    let mut drafts = store::list_drafts(&options.drafts_dir);
    // A correction offers only the drafts of the same correction; a new assessment offers all.
    if let Some((_, revising)) = &options.revise {
        drafts.retain(|(_, draft)| {
            draft.revises.as_ref().and_then(|saved| saved.record) == revising.saved.record
        });
    }
    let (mut assessment, revising) = match (&options.revise, &options.case) {
        (Some((assessment, revising)), _) => (assessment.clone(), Some(revising.clone())),
        (None, Some((_, assessment))) => (assessment.clone(), None),
        (None, None) => (fresh_assessment(started), None),
    };
    if assessment.assessor.is_none() {
        assessment.assessor = options.assessor.clone();
    }
    let mut app = App::new(
        ruleset,
        Start {
            assessment,
            case_file,
            draft_name: store::draft_name(started),
            drafts,
            now: started,
            revising,
        },
    );
    let mut terminal = terminal::enter().map_err(|source| Error::io("the terminal", source))?;
    let result = event_loop(&mut terminal, &mut app, &options);
    terminal::leave();
    result
}

fn event_loop(terminal: &mut DefaultTerminal, app: &mut App, options: &Options) -> Result<Outcome> {
    let mut outcome = Outcome::default();
    let mut written = app.revision;
    let draft_path = |app: &App| options.drafts_dir.join(&app.draft_name);
    loop {
        let mut hitmap = app.hitmap.clone();
        terminal
            .draw(|frame| hitmap = view::draw(frame, app, options.theme))
            .map_err(|source| Error::io("the terminal", source))?;
        app.hitmap = hitmap;
        if app.should_quit() {
            break;
        }
        // Everything already waiting is handled before the next draw: keys typed or pasted
        // faster than a frame draws (a terminal without bracketed paste sends a paste as keys)
        // land at once instead of one redraw per key.
        let mut events = vec![event::read().map_err(|source| Error::io("the terminal", source))?];
        while events.len() < MAX_EVENTS_PER_FRAME
            && event::poll(Duration::ZERO).map_err(|source| Error::io("the terminal", source))?
        {
            events.push(event::read().map_err(|source| Error::io("the terminal", source))?);
        }
        for event in &events {
            if app.should_quit() {
                break;
            }
            app.clock = now();
            handle(app, event, options, &mut outcome, &mut written);
        }
        if app.dirty && app.revision != written {
            match store::write_draft(&options.drafts_dir, &app.draft_name, &app.draft(now())) {
                Ok(_) => written = app.revision,
                Err(error) => app.status = Some(format!("could not write the draft: {error}")),
            }
        }
    }
    if app.dirty {
        outcome.draft_kept = Some(draft_path(app));
    }
    Ok(outcome)
}

/// At most this many waiting events are handled between two draws, so the screen still moves
/// during a very long stream of keys.
const MAX_EVENTS_PER_FRAME: usize = 4096;

/// Carries out one event: the app's update, then whatever command it returns.
fn handle(
    app: &mut App,
    event: &event::Event,
    options: &Options,
    outcome: &mut Outcome,
    written: &mut u64,
) {
    match app.update(event) {
        Command::None | Command::Quit => {}
        Command::DiscardDraft(name) => {
            if let Err(error) = store::remove_draft(&options.drafts_dir, &name) {
                app.status = Some(format!("could not remove the draft: {error}"));
            }
        }
        Command::Save {
            assessment,
            choices,
            mha_decision,
            revises,
        } => {
            let saved = SavedAssessment {
                saved_at: now(),
                sicol_version: crate::VERSION.to_owned(),
                ruleset: app.rules().id.clone(),
                assessment: *assessment,
                choices,
                mha_decision,
                supersedes: None,
            };
            let result = options.store.save(&saved, revises.as_ref(), app.rules());
            if let Ok(saved) = &result {
                outcome.saved.push(saved.clone());
                // The work is safe in the saved file; the draft has done its job.
                let _ = store::remove_draft(&options.drafts_dir, &app.draft_name);
                *written = app.revision;
            }
            app.on_saved(result.map_err(|error| error.to_string()));
        }
    }
}
