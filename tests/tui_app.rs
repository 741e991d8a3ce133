//! Key and mouse handling of the assessment screen, on the pure app state (no terminal).

mod util;

use chrono::{DateTime, FixedOffset};
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{
    Event, KeyCode, KeyEvent, KeyEventKind, KeyEventState, KeyModifiers, MouseButton, MouseEvent,
    MouseEventKind,
};
use ratatui::Terminal;

use sicol::model::{Decision, MhaDecision, MhaOutcome, Section};
use sicol::records::RecordId;
use sicol::tui::app::{App, Command, Overlay, Revising, Start, Step};
use sicol::tui::store::{AssessmentFile, RecordStore, SavedAssessment, SavedTo, Store};
use sicol::tui::view::{self, Theme};
use sicol::tui::{fresh_assessment, store};
use sicol::{files, Urgency};

fn at() -> DateTime<FixedOffset> {
    DateTime::parse_from_rfc3339("2026-11-20T14:30:00Z").unwrap()
}

fn fresh() -> App<'static> {
    App::new(
        util::bundled(),
        Start {
            assessment: fresh_assessment(at()),
            case_file: None,
            draft_name: "draft-test.yaml".into(),
            drafts: Vec::new(),
            now: at(),
            revising: None,
        },
    )
}

fn eviction_case() -> App<'static> {
    let path = util::root().join("tests/cases/social_led_eviction.yaml");
    let assessment = files::read_assessment(&path, util::bundled()).unwrap();
    App::new(
        util::bundled(),
        Start {
            assessment,
            case_file: Some("social_led_eviction.yaml".into()),
            draft_name: "draft-test.yaml".into(),
            drafts: Vec::new(),
            now: at(),
            revising: None,
        },
    )
}

fn key(app: &mut App, code: KeyCode) -> Command {
    app.update(&Event::Key(KeyEvent::from(code)))
}

fn ctrl(app: &mut App, c: char) -> Command {
    app.update(&Event::Key(KeyEvent::new(
        KeyCode::Char(c),
        KeyModifiers::CONTROL,
    )))
}

fn keys(app: &mut App, text: &str) {
    for c in text.chars() {
        key(app, KeyCode::Char(c));
    }
}

/// Moves the cursor (Up, as not editing) to the Person field labelled `label`.
fn focus(app: &mut App, label: &str) {
    for _ in 0..Step::Person.fields().len() {
        if app.field().map(|field| field.label()) == Some(label) {
            return;
        }
        key(app, KeyCode::Down);
    }
    panic!("no field {label} on the Person step");
}

/// Draws once so the app knows where things are, as the real loop does before any click.
fn draw(app: &mut App) {
    let mut terminal = Terminal::new(TestBackend::new(80, 24)).unwrap();
    let mut hitmap = Default::default();
    terminal
        .draw(|frame| hitmap = view::draw(frame, app, Theme::new(false)))
        .unwrap();
    app.hitmap = hitmap;
}

fn click(app: &mut App, column: u16, row: u16) -> Command {
    app.update(&Event::Mouse(MouseEvent {
        kind: MouseEventKind::Down(MouseButton::Left),
        column,
        row,
        modifiers: KeyModifiers::NONE,
    }))
}

#[test]
fn typing_into_a_field_changes_the_form_and_marks_work_unsaved() {
    let mut app = fresh();
    assert!(!app.dirty);
    key(&mut app, KeyCode::Enter);
    assert!(app.editing);
    keys(&mut app, "A-1 q?");
    // While editing, q and ? are text, not commands.
    assert_eq!(app.form.id.text(), "A-1 q?");
    assert!(app.overlay.is_none() && !app.should_quit());
    key(&mut app, KeyCode::Backspace);
    key(&mut app, KeyCode::Backspace);
    key(&mut app, KeyCode::Backspace);
    key(&mut app, KeyCode::Esc);
    assert!(!app.editing);
    assert_eq!(app.form.id.text(), "A-1");
    assert!(app.dirty);
    assert!(app.revision >= 4, "every change bumps the revision");
}

#[test]
fn tab_while_editing_moves_on_and_keeps_editing_for_quick_entry() {
    let mut app = fresh();
    key(&mut app, KeyCode::Enter);
    keys(&mut app, "A-2");
    key(&mut app, KeyCode::Tab);
    keys(&mut app, "4x");
    // Tab carries on into the lists too: each opens on its current value, so Tab keeps it.
    key(&mut app, KeyCode::Tab);
    assert_eq!(app.field().map(|f| f.label()), Some("Gender"));
    assert!(
        matches!(app.overlay, Some(Overlay::Picker(_))),
        "Tab into Gender opens its list"
    );
    key(&mut app, KeyCode::Tab);
    assert_eq!(app.form.gender, None, "Tab keeps not known");
    assert_eq!(app.field().map(|f| f.label()), Some("Dependants"));
    key(&mut app, KeyCode::Tab);
    let Some(Overlay::Picker(picker)) = &app.overlay else {
        panic!("Tab into Lives opens its list, got {:?}", app.overlay);
    };
    assert_eq!(
        picker.current().map(|item| item.label.as_str()),
        Some("Not known")
    );
    keys(&mut app, "alone");
    key(&mut app, KeyCode::Tab);
    assert_eq!(app.form.lives.as_deref(), Some("alone"));
    // Referred by, Setting, Self-care, Capacity: kept as they are.
    for _ in 0..4 {
        assert!(matches!(app.overlay, Some(Overlay::Picker(_))));
        key(&mut app, KeyCode::Tab);
    }
    assert_eq!(app.form.referral_source, None);
    assert!(app.form.setting.is_blank());
    assert_eq!(app.field().map(|f| f.label()), Some("  for"));
    assert!(app.editing);
    key(&mut app, KeyCode::Tab);
    keys(&mut app, "AMHP-9");
    key(&mut app, KeyCode::Esc);
    assert_eq!(app.form.id.text(), "A-2");
    assert_eq!(app.form.assessor.text(), "AMHP-9");
    assert_eq!(app.form.age.text(), "4x");
    // A half-typed age is kept and flagged, never dropped.
    assert!(app.problems.iter().any(|p| p.field == "person.age"));
    assert!(app.step_has_problems(Step::Person));
    key(&mut app, KeyCode::Tab);
    assert_eq!(app.field().map(|f| f.label()), Some("Assessed at"));
}

#[test]
fn key_releases_are_ignored() {
    let mut app = fresh();
    let release = KeyEvent {
        code: KeyCode::Char('q'),
        modifiers: KeyModifiers::NONE,
        kind: KeyEventKind::Release,
        state: KeyEventState::NONE,
    };
    assert_eq!(app.update(&Event::Key(release)), Command::None);
    assert!(!app.should_quit());
}

#[test]
fn adding_a_stressor_searches_the_vocabulary_and_asks_severity_with_one_key() {
    let mut app = fresh();
    assert_eq!(app.formulation.urgency, Urgency::Routine);
    key(&mut app, KeyCode::Right);
    assert_eq!(app.step, Step::Stressors);
    key(&mut app, KeyCode::Char('a'));
    keys(&mut app, "evic");
    let Some(Overlay::Picker(picker)) = &app.overlay else {
        panic!("a opens the picker, got {:?}", app.overlay);
    };
    assert_eq!(
        picker.current().map(|item| item.key.as_str()),
        Some("eviction")
    );
    key(&mut app, KeyCode::Enter);
    assert!(matches!(app.overlay, Some(Overlay::Severity { .. })));
    key(&mut app, KeyCode::Char('3'));
    assert!(app.overlay.is_none());
    assert_eq!(app.form.stressors.len(), 1);
    assert_eq!(app.form.stressors[0].kind, "eviction");
    assert_eq!(app.form.stressors[0].severity, Some(3));
    // The live formulation follows at once.
    assert!(app.formulation.social_weight > 0.0);
    assert!(app.formulation.factors.iter().any(|f| f.kind == "eviction"));
}

#[test]
fn picking_a_recorded_kind_goes_to_it_instead_of_duplicating() {
    let mut app = eviction_case();
    key(&mut app, KeyCode::Right);
    let before = app.form.stressors.len();
    key(&mut app, KeyCode::Char('a'));
    keys(&mut app, "debt");
    key(&mut app, KeyCode::Enter);
    key(&mut app, KeyCode::Esc);
    assert_eq!(app.form.stressors.len(), before);
    assert_eq!(app.selected_factor().map(|f| f.kind.as_str()), Some("debt"));
}

#[test]
fn severity_keys_change_the_selected_factor_and_the_formulation() {
    let mut app = eviction_case();
    key(&mut app, KeyCode::Right);
    let before = app.formulation.social_weight;
    key(&mut app, KeyCode::Char('j'));
    assert_eq!(app.selected_factor().map(|f| f.kind.as_str()), Some("debt"));
    key(&mut app, KeyCode::Char('0'));
    assert_eq!(app.form.stressors[1].severity, Some(0));
    assert!(app.formulation.social_weight < before);
    key(&mut app, KeyCode::Char('k'));
    assert_eq!(app.row(), 0);
}

#[test]
fn relative_dates_resolve_to_the_date_they_mean_when_the_field_is_left() {
    let mut app = eviction_case();
    key(&mut app, KeyCode::Right);
    key(&mut app, KeyCode::Char('j'));
    key(&mut app, KeyCode::Char('u'));
    assert!(app.editing);
    keys(&mut app, "next monday");
    // Read live while typing, counted from the assessment day (Friday 2026-11-20).
    assert_eq!(
        app.assessment().stressors[1].due.map(|d| d.to_string()),
        Some("2026-11-23".into())
    );
    key(&mut app, KeyCode::Esc);
    assert_eq!(app.form.stressors[1].due.text(), "2026-11-23");
    key(&mut app, KeyCode::Char('s'));
    ctrl(&mut app, 'u');
    keys(&mut app, "someday");
    key(&mut app, KeyCode::Esc);
    assert_eq!(app.form.stressors[1].since.text(), "someday");
    assert!(app
        .problems
        .iter()
        .any(|p| p.field == "stressors[1].since" && p.message.contains("not a date")));
}

#[test]
fn removing_an_entry_asks_first() {
    let mut app = eviction_case();
    key(&mut app, KeyCode::Right);
    let count = app.form.stressors.len();
    key(&mut app, KeyCode::Char('x'));
    assert!(matches!(app.overlay, Some(Overlay::ConfirmRemove { .. })));
    key(&mut app, KeyCode::Char('n'));
    assert_eq!(app.form.stressors.len(), count);
    key(&mut app, KeyCode::Delete);
    key(&mut app, KeyCode::Char('y'));
    assert_eq!(app.form.stressors.len(), count - 1);
    assert!(app.form.stressors.iter().all(|f| f.kind != "eviction"));
}

#[test]
fn strengths_and_wishes_take_multi_line_text() {
    let mut app = fresh();
    for _ in 0..3 {
        key(&mut app, KeyCode::Char('l'));
    }
    assert_eq!(app.step, Step::Strengths);
    key(&mut app, KeyCode::Char('w'));
    keys(&mut app, "Stay at home");
    // Ctrl-J adds a line; Enter finishes, as everywhere else.
    ctrl(&mut app, 'j');
    keys(&mut app, "See my sister");
    key(&mut app, KeyCode::Enter);
    assert!(!app.editing);
    assert_eq!(
        app.assessment().wishes.as_deref(),
        Some("Stay at home\nSee my sister")
    );
    key(&mut app, KeyCode::Char('a'));
    keys(&mut app, "emotional");
    let Some(Overlay::Picker(picker)) = &app.overlay else {
        panic!("picker expected");
    };
    // Descriptions are searched too: "emotional" finds family support.
    assert_eq!(
        picker.current().map(|item| item.key.as_str()),
        Some("family_support")
    );
    key(&mut app, KeyCode::Enter);
    assert_eq!(app.form.strengths.len(), 1);
    assert!(app.overlay.is_none(), "strengths have no severity");
}

#[test]
fn the_person_accepts_declines_with_a_reason_or_defers_each_referral() {
    let mut app = eviction_case();
    for _ in 0..4 {
        key(&mut app, KeyCode::Right);
    }
    assert_eq!(app.step, Step::Referrals);
    assert!(app.offers.len() >= 3);
    let keys_offered: Vec<String> = app.offers.iter().map(|o| o.key.clone()).collect();
    key(&mut app, KeyCode::Char('a'));
    key(&mut app, KeyCode::Char('d'));
    assert!(matches!(app.overlay, Some(Overlay::Reason { .. })));
    keys(&mut app, "has a solicitor");
    key(&mut app, KeyCode::Enter);
    key(&mut app, KeyCode::Char('f'));
    let decided: Vec<(Decision, Option<&str>)> = keys_offered[..3]
        .iter()
        .map(|k| {
            let choice = app.choices.get(k).expect("decided");
            (choice.decision, choice.reason.as_deref())
        })
        .collect();
    assert_eq!(
        decided,
        [
            (Decision::Accepted, None),
            (Decision::Declined, Some("has a solicitor")),
            (Decision::Deferred, None)
        ]
    );
}

#[test]
fn quitting_with_unsaved_work_asks_first_and_ctrl_c_is_a_key() {
    let mut app = fresh();
    assert_eq!(key(&mut app, KeyCode::Char('q')), Command::Quit);

    let mut app = fresh();
    key(&mut app, KeyCode::Enter);
    keys(&mut app, "A-3");
    key(&mut app, KeyCode::Esc);
    assert_eq!(key(&mut app, KeyCode::Char('q')), Command::None);
    assert_eq!(app.overlay, Some(Overlay::ConfirmQuit));
    key(&mut app, KeyCode::Char('n'));
    assert!(app.overlay.is_none() && !app.should_quit());
    // Ctrl-C while typing also asks, and a second Ctrl-C leaves.
    key(&mut app, KeyCode::Enter);
    assert_eq!(ctrl(&mut app, 'c'), Command::None);
    assert!(!app.editing);
    assert_eq!(ctrl(&mut app, 'c'), Command::Quit);
    assert!(app.should_quit());
}

#[test]
fn saving_checks_first_and_shows_the_problems_on_review() {
    let mut app = fresh();
    assert_eq!(ctrl(&mut app, 's'), Command::None);
    assert_eq!(app.step, Step::Review);
    assert!(app.problems.iter().any(|p| p.field == "id"));
    assert!(app.status.as_deref().unwrap_or("").contains("to fix"));

    let mut app = eviction_case();
    for _ in 0..4 {
        key(&mut app, KeyCode::Right);
    }
    key(&mut app, KeyCode::Char('a'));
    key(&mut app, KeyCode::Right);
    key(&mut app, KeyCode::Right);
    assert_eq!(app.step, Step::Review);
    let Command::Save {
        assessment,
        choices,
        mha_decision,
        revises,
    } = key(&mut app, KeyCode::Enter)
    else {
        panic!("a valid assessment saves");
    };
    assert_eq!(assessment.id, "A-2026-0101");
    assert!(assessment.check(&util::bundled().vocabulary).is_ok());
    assert_eq!(choices.0.len(), 1);
    assert_eq!(choices.0[0].decision, Decision::Accepted);
    assert_eq!((mha_decision, revises), (None, None));
    app.on_saved(Ok(saved_record(3)));
    assert!(!app.dirty);
    assert_eq!(key(&mut app, KeyCode::Char('q')), Command::Quit);
}

fn saved_record(id: u64) -> SavedTo {
    SavedTo {
        path: format!("store/{:08}.json", id).into(),
        record: Some(RecordId(id)),
        store: "store".into(),
        case: "A-2026-0101".into(),
    }
}

/// On review of the eviction case, every referral accepted: ready to save.
fn ready_to_save() -> App<'static> {
    let mut app = eviction_case();
    for _ in 0..4 {
        key(&mut app, KeyCode::Right);
    }
    for _ in 0..app.offers.len() {
        key(&mut app, KeyCode::Char('a'));
    }
    key(&mut app, KeyCode::Right);
    key(&mut app, KeyCode::Right);
    app
}

#[test]
fn a_saved_assessment_is_not_saved_again_and_a_change_saves_a_revision() {
    let mut app = ready_to_save();
    assert!(matches!(
        key(&mut app, KeyCode::Enter),
        Command::Save { .. }
    ));
    app.on_saved(Ok(saved_record(3)));
    assert!(app
        .status
        .as_deref()
        .unwrap_or("")
        .contains("record 00000003"));
    // Enter again writes nothing: the record is already there.
    assert_eq!(key(&mut app, KeyCode::Enter), Command::None);
    assert!(app
        .status
        .as_deref()
        .unwrap_or("")
        .contains("already saved"));
    assert_eq!(ctrl(&mut app, 's'), Command::None);
    assert!(!app
        .key_hints()
        .iter()
        .any(|(_, action)| action.contains("save")));
    // A correction: one stressor's severity changes, and the save supersedes record 3.
    for _ in 0..5 {
        key(&mut app, KeyCode::Char('['));
    }
    assert_eq!(app.step, Step::Stressors);
    key(&mut app, KeyCode::Char('1'));
    assert!(app.dirty);
    let Command::Save { revises, .. } = ctrl(&mut app, 's') else {
        panic!("a changed assessment saves as a revision");
    };
    assert_eq!(revises.and_then(|saved| saved.record), Some(RecordId(3)));
    app.on_saved(Ok(saved_record(4)));
    assert!(app
        .status
        .as_deref()
        .unwrap_or("")
        .contains("revision saved"));
    // The next revision supersedes the newest save, not the first.
    key(&mut app, KeyCode::Char('2'));
    let Command::Save { revises, .. } = ctrl(&mut app, 's') else {
        panic!("a second change saves again");
    };
    assert_eq!(revises.and_then(|saved| saved.record), Some(RecordId(4)));
    app.on_saved(Ok(saved_record(5)));
    // A revision keeps the case id: another id is refused before anything is written.
    for _ in 0..2 {
        key(&mut app, KeyCode::Char('['));
    }
    assert_eq!(app.step, Step::Person);
    key(&mut app, KeyCode::Enter);
    keys(&mut app, "X");
    key(&mut app, KeyCode::Esc);
    assert_eq!(ctrl(&mut app, 's'), Command::None);
    assert!(app
        .status
        .as_deref()
        .unwrap_or("")
        .contains("keeps the case id A-2026-0101"));
}

#[test]
fn a_saved_assessment_opened_to_revise_starts_saved() {
    let path = util::root().join("tests/cases/social_led_eviction.yaml");
    let assessment = files::read_assessment(&path, util::bundled()).unwrap();
    let decision = MhaDecision {
        outcome: MhaOutcome::Section136Ended,
        agreed_to_plan: Some(true),
        note: None,
    };
    let mut app = App::new(
        util::bundled(),
        Start {
            assessment,
            case_file: None,
            draft_name: "draft-test.yaml".into(),
            drafts: Vec::new(),
            now: at(),
            revising: Some(Revising {
                saved: saved_record(7),
                choices: Default::default(),
                mha_decision: Some(decision.clone()),
                referral_statuses: Default::default(),
                asked_for: None,
            }),
        },
    );
    assert!(!app.dirty);
    assert_eq!(app.form.mha_decision(), Some(decision));
    assert_eq!(ctrl(&mut app, 's'), Command::None);
    key(&mut app, KeyCode::Right);
    key(&mut app, KeyCode::Char('2'));
    let Command::Save {
        revises,
        mha_decision,
        ..
    } = ctrl(&mut app, 's')
    else {
        panic!("the corrected assessment saves");
    };
    assert_eq!(revises.and_then(|saved| saved.record), Some(RecordId(7)));
    assert_eq!(
        mha_decision.map(|decision| decision.outcome),
        Some(MhaOutcome::Section136Ended)
    );
}

#[test]
fn the_decision_step_records_the_mha_outcome_and_agreement() {
    let mut app = ready_to_save();
    key(&mut app, KeyCode::Left);
    assert_eq!(app.step, Step::Decision);
    key(&mut app, KeyCode::Enter);
    keys(&mut app, "informal");
    key(&mut app, KeyCode::Enter);
    assert_eq!(app.form.mha_outcome, Some(MhaOutcome::InformalAdmission));
    key(&mut app, KeyCode::Tab);
    key(&mut app, KeyCode::Enter);
    keys(&mut app, "yes");
    key(&mut app, KeyCode::Enter);
    assert_eq!(app.form.agreed_to_plan, Some(true));
    // The decision never changes the formulation.
    let before = app.formulation.clone();
    key(&mut app, KeyCode::Tab);
    key(&mut app, KeyCode::Enter);
    keys(&mut app, "bed at the Oaks");
    key(&mut app, KeyCode::Esc);
    assert_eq!(app.formulation, before);
    let Command::Save { mha_decision, .. } = ctrl(&mut app, 's') else {
        panic!("saves with the decision");
    };
    assert_eq!(
        mha_decision,
        Some(MhaDecision {
            outcome: MhaOutcome::InformalAdmission,
            agreed_to_plan: Some(true),
            note: Some("bed at the Oaks".into()),
        })
    );
}

#[test]
fn other_as_the_outcome_needs_a_note() {
    let mut app = ready_to_save();
    key(&mut app, KeyCode::Left);
    key(&mut app, KeyCode::Enter);
    keys(&mut app, "other");
    key(&mut app, KeyCode::Enter);
    assert!(app.problems.iter().any(|p| p.field == "mha_decision.note"));
    assert_eq!(ctrl(&mut app, 's'), Command::None);
    assert_eq!(app.step, Step::Review);
}

#[test]
fn the_assessor_is_required_before_saving() {
    // Person step, Assessor field: clear it.
    let mut app = eviction_case();
    focus(&mut app, "Assessor");
    key(&mut app, KeyCode::Enter);
    app.update(&Event::Key(KeyEvent::new(
        KeyCode::Char('u'),
        KeyModifiers::CONTROL,
    )));
    key(&mut app, KeyCode::Esc);
    assert!(app.problems.iter().any(|p| p.field == "assessor"));
    assert_eq!(ctrl(&mut app, 's'), Command::None);
    assert_eq!(app.step, Step::Review);
}

#[test]
fn a_new_factor_has_no_severity_until_one_is_chosen() {
    let mut app = fresh();
    key(&mut app, KeyCode::Right);
    key(&mut app, KeyCode::Char('a'));
    keys(&mut app, "evic");
    key(&mut app, KeyCode::Enter);
    // Esc leaves the severity unchosen: the factor is listed but not weighed.
    key(&mut app, KeyCode::Esc);
    assert_eq!(app.form.stressors[0].severity, None);
    assert!(app.formulation.factors.is_empty());
    assert_eq!(app.formulation.urgency, Urgency::Routine);
    assert!(app
        .status
        .as_deref()
        .unwrap_or("")
        .contains("severity not chosen"));
    assert!(app
        .problems
        .iter()
        .any(|p| p.field == "stressors[0].severity"));
    // Out of range says why instead of doing nothing.
    key(&mut app, KeyCode::Char('7'));
    assert!(app
        .status
        .as_deref()
        .unwrap_or("")
        .contains("7 is not a severity"));
    assert_eq!(app.form.stressors[0].severity, None);
    key(&mut app, KeyCode::Char('3'));
    assert_eq!(app.form.stressors[0].severity, Some(3));
    assert!(!app.formulation.factors.is_empty());
}

#[test]
fn assessed_at_reads_now_today_yesterday_and_uk_dates_and_f1_lists_them() {
    for (typed, expected) in [
        ("now", "2026-11-20 14:30 +00:00"),
        ("yesterday 14:00", "2026-11-19 14:00 +00:00"),
        ("today 09:05", "2026-11-20 09:05 +00:00"),
        ("05/12/2026", "2026-12-05 14:30 +00:00"),
        ("05/12/2026 08:00", "2026-12-05 08:00 +00:00"),
    ] {
        let mut app = fresh();
        focus(&mut app, "Assessed at");
        key(&mut app, KeyCode::Enter);
        // Typing replaces the time the field held: no Ctrl-U needed.
        keys(&mut app, typed);
        assert!(
            !app.problems.iter().any(|p| p.field == "assessed_at"),
            "{typed}"
        );
        key(&mut app, KeyCode::Esc);
        // A time after the clock is asked about; y keeps it.
        if let Some(Overlay::ConfirmFuture { .. }) = app.overlay {
            assert!(typed.starts_with("05/12"), "{typed} is not in the future");
            key(&mut app, KeyCode::Char('y'));
        }
        assert_eq!(app.form.assessed_at.text(), expected, "{typed}");
    }
    // F1 inside the field lists the forms; `?` is just text there.
    let mut app = fresh();
    focus(&mut app, "Assessed at");
    key(&mut app, KeyCode::Enter);
    key(&mut app, KeyCode::F(1));
    let Some(Overlay::Forms { lines, .. }) = &app.overlay else {
        panic!("F1 shows the accepted forms, got {:?}", app.overlay);
    };
    assert!(lines.iter().any(|line| line.contains("05/12/2026")));
    key(&mut app, KeyCode::Char('x'));
    assert!(app.overlay.is_none() && app.editing);
    // Ctrl-F too, where the terminal keeps F1.
    ctrl(&mut app, 'f');
    assert!(matches!(app.overlay, Some(Overlay::Forms { .. })));
    key(&mut app, KeyCode::Esc);
    assert!(app.editing);
    key(&mut app, KeyCode::Char('?'));
    assert!(app.form.assessed_at.text().ends_with('?'));
    assert!(app
        .problems
        .iter()
        .any(|p| p.field == "assessed_at" && p.message.contains("F1")));
}

#[test]
fn since_and_due_take_uk_dates() {
    let mut app = eviction_case();
    key(&mut app, KeyCode::Right);
    key(&mut app, KeyCode::Char('u'));
    app.update(&Event::Key(KeyEvent::new(
        KeyCode::Char('u'),
        KeyModifiers::CONTROL,
    )));
    keys(&mut app, "05/12/2026");
    key(&mut app, KeyCode::Esc);
    assert_eq!(app.form.stressors[0].due.text(), "2026-12-05");
}

#[test]
fn a_draft_is_offered_and_can_be_resumed_or_discarded() {
    let mut app = eviction_case();
    key(&mut app, KeyCode::Right);
    key(&mut app, KeyCode::Char('1'));
    let draft = app.draft(at());
    let mut other = fresh();
    keys(&mut other, "e");
    keys(&mut other, "B-7");
    key(&mut other, KeyCode::Esc);
    let older = other.draft(at() - chrono::Duration::hours(2));
    let start = |newest: sicol::tui::store::Draft| Start {
        assessment: fresh_assessment(at()),
        case_file: None,
        draft_name: store::draft_name(at()),
        drafts: vec![
            ("draft-earlier.yaml".to_owned(), newest),
            ("draft-older.yaml".to_owned(), older.clone()),
        ],
        now: at(),
        revising: None,
    };

    let mut resumed = App::new(util::bundled(), start(draft.clone()));
    assert!(matches!(resumed.overlay, Some(Overlay::Drafts { .. })));
    // Nothing else happens until the question is answered.
    assert_eq!(ctrl(&mut resumed, 's'), Command::None);
    key(&mut resumed, KeyCode::Char('r'));
    assert_eq!(resumed.form, draft.form);
    assert_eq!(resumed.step, Step::Stressors);
    assert_eq!(resumed.draft_name, "draft-earlier.yaml");
    assert!(resumed.dirty);

    // Any draft can be resumed, not only the newest.
    let mut older_resumed = App::new(util::bundled(), start(draft.clone()));
    key(&mut older_resumed, KeyCode::Down);
    key(&mut older_resumed, KeyCode::Enter);
    assert_eq!(older_resumed.form.id.text(), "B-7");
    assert_eq!(older_resumed.draft_name, "draft-older.yaml");

    // Discarding asks first; `n` keeps it.
    let mut discarded = App::new(util::bundled(), start(draft));
    assert_eq!(key(&mut discarded, KeyCode::Char('d')), Command::None);
    assert!(matches!(
        discarded.overlay,
        Some(Overlay::Drafts {
            confirm_discard: true,
            ..
        })
    ));
    assert_eq!(key(&mut discarded, KeyCode::Char('n')), Command::None);
    key(&mut discarded, KeyCode::Char('d'));
    assert_eq!(
        key(&mut discarded, KeyCode::Char('y')),
        Command::DiscardDraft("draft-earlier.yaml".into())
    );
    // The other draft is still offered.
    let Some(Overlay::Drafts { drafts, .. }) = &discarded.overlay else {
        panic!("the list stays while drafts remain");
    };
    assert_eq!(drafts.len(), 1);
    key(&mut discarded, KeyCode::Char('n'));
    assert_eq!(discarded.form.id.text(), "");
}

#[test]
fn the_trace_opens_at_the_selected_factor() {
    let mut app = eviction_case();
    key(&mut app, KeyCode::Right);
    key(&mut app, KeyCode::Char('j'));
    key(&mut app, KeyCode::Char('t'));
    let Some(Overlay::Trace { selected }) = app.overlay else {
        panic!("t opens the trace");
    };
    let order = app.factors_by_weight();
    assert_eq!(app.formulation.factors[order[selected]].kind, "debt");
    key(&mut app, KeyCode::Esc);
    assert!(app.overlay.is_none());
}

#[test]
fn help_opens_with_question_mark_and_the_help_bar_follows_the_screen() {
    let mut app = fresh();
    assert!(app.key_hints().contains(&("Enter", "edit")));
    key(&mut app, KeyCode::Right);
    assert!(app.key_hints().contains(&("0-3", "severity")));
    key(&mut app, KeyCode::Char('?'));
    assert_eq!(app.overlay, Some(Overlay::Help));
    assert!(app.key_hints().contains(&("any key", "close")));
    key(&mut app, KeyCode::Char('x'));
    assert!(app.overlay.is_none());
}

#[test]
fn clicking_a_step_or_a_row_selects_it_and_the_wheel_scrolls() {
    let mut app = eviction_case();
    draw(&mut app);
    // The step bar is the top row: " 1 Person  2 Stressors 3 …"; column 14 is in "Stressors".
    click(&mut app, 14, 0);
    assert_eq!(app.step, Step::Stressors);
    draw(&mut app);
    // Rows start inside the form's border: row 2 on screen is the list's second entry.
    click(&mut app, 5, 3);
    assert_eq!(app.row(), 1);
    app.update(&Event::Mouse(MouseEvent {
        kind: MouseEventKind::ScrollDown,
        column: 5,
        row: 3,
        modifiers: KeyModifiers::NONE,
    }));
    assert_eq!(app.row(), 2);
    // Clicking the "add" row twice opens the picker, like Enter.
    let add_row = app.form.factors(Section::Stressors).len() as u16 + 2;
    draw(&mut app);
    click(&mut app, 5, add_row);
    click(&mut app, 5, add_row);
    assert!(matches!(app.overlay, Some(Overlay::Picker(_))));
}

#[test]
fn the_course_of_a_medical_factor_is_recorded_with_keys_and_moves_the_urgency() {
    let mut app = fresh();
    key(&mut app, KeyCode::Right);
    key(&mut app, KeyCode::Right);
    assert_eq!(app.step, Step::Medical);
    key(&mut app, KeyCode::Char('a'));
    keys(&mut app, "psychosis");
    key(&mut app, KeyCode::Enter);
    key(&mut app, KeyCode::Char('2'));
    assert_eq!(app.formulation.urgency, Urgency::Moderate);
    // Not known until the assessor says; r steps the trend, and rising is "rapidly increasing".
    assert_eq!(app.form.medical[0].trend, None);
    key(&mut app, KeyCode::Char('r'));
    assert_eq!(app.form.medical[0].trend, Some(sicol::model::Trend::Rising));
    assert_eq!(app.formulation.urgency, Urgency::High);
    assert_eq!(app.status.as_deref(), Some("trend: rising"));
    // f: first episode yes, then no, then back to not known; never "no" by default.
    key(&mut app, KeyCode::Char('f'));
    assert_eq!(app.form.medical[0].first_episode, Some(true));
    key(&mut app, KeyCode::Char('f'));
    assert_eq!(app.form.medical[0].first_episode, Some(false));
    key(&mut app, KeyCode::Char('f'));
    assert_eq!(app.form.medical[0].first_episode, None);
    // The saved assessment carries what was recorded and leaves out what was not.
    let yaml = app.assessment().to_yaml();
    assert!(yaml.contains("trend: rising"), "{yaml}");
    assert!(!yaml.contains("first_episode"), "{yaml}");
}

#[test]
fn self_care_and_capacity_are_picked_and_unknown_dependants_stay_unknown() {
    let mut app = fresh();
    let field = |app: &App, wanted: &str| {
        app.step
            .fields()
            .iter()
            .position(|field| field.label() == wanted)
            .unwrap()
    };
    app.focus = field(&app, "Self-care");
    key(&mut app, KeyCode::Enter);
    let Some(Overlay::Picker(picker)) = &app.overlay else {
        panic!("Enter opens the picker, got {:?}", app.overlay);
    };
    assert_eq!(
        picker.current().map(|item| item.label.as_str()),
        Some("Not known")
    );
    keys(&mut app, "unable");
    key(&mut app, KeyCode::Enter);
    assert_eq!(app.form.self_care, Some(sicol::model::SelfCare::Unable));
    app.focus = field(&app, "Capacity");
    key(&mut app, KeyCode::Enter);
    keys(&mut app, "lacks");
    key(&mut app, KeyCode::Enter);
    assert_eq!(app.form.capacity, Some(sicol::model::CapacityStatus::Lacks));
    let assessment = app.assessment();
    assert_eq!(assessment.person.dependants, None, "empty means not known");
    assert_eq!(
        assessment.capacity.map(|capacity| capacity.status),
        Some(sicol::model::CapacityStatus::Lacks)
    );
    let yaml = app.assessment().to_yaml();
    assert!(
        !yaml.contains("dependants"),
        "not known is left out, never 0: {yaml}"
    );
}

fn saved_assessment(app: &App) -> SavedAssessment {
    SavedAssessment {
        saved_at: at(),
        sicol_version: "test".into(),
        ruleset: util::bundled().id.clone(),
        assessment: app.assessment(),
        choices: Default::default(),
        mha_decision: app.form.mha_decision(),
        supersedes: None,
    }
}

#[test]
fn a_revision_in_a_records_store_supersedes_and_opens_again_at_its_newest() {
    let dir = tempfile::tempdir().unwrap();
    let store = RecordStore {
        dir: dir.path().join("store"),
    };
    let rules = util::bundled();
    let mut app = ready_to_save();
    let first = store
        .save(&saved_assessment(&app), None, rules)
        .expect("saved");
    assert_eq!(first.record, Some(RecordId(1)));
    key(&mut app, KeyCode::Char('1'));
    let second = store
        .save(&saved_assessment(&app), Some(&first), rules)
        .expect("revision saved");
    assert_eq!(second.record, Some(RecordId(2)));
    let records = sicol::records::Store::open(&store.dir).unwrap();
    assert_eq!(
        records.read(RecordId(2)).unwrap().supersedes,
        Some(RecordId(1))
    );
    // Asking to revise record 1 opens record 2, its newest revision.
    let (assessment, revising, newer) =
        sicol::tui::store::open_for_revision(&store.dir, RecordId(1)).expect("opens");
    assert_eq!(newer, Some(RecordId(2)));
    assert_eq!(revising.saved.record, Some(RecordId(2)));
    assert_eq!(assessment.id, "A-2026-0101");
    // A revision must be of the same case.
    let mut other = saved_assessment(&app);
    other.assessment.id = "B-1".into();
    let error = store.save(&other, Some(&second), rules).unwrap_err();
    assert!(
        error.to_string().contains("is case A-2026-0101, not B-1"),
        "{error}"
    );
}

#[test]
fn a_revision_saved_as_a_plain_file_names_the_file_it_corrects() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("assessment.yaml");
    let store = AssessmentFile {
        out: Some(out.clone()),
    };
    let app = ready_to_save();
    let first = store
        .save(&saved_assessment(&app), None, util::bundled())
        .expect("saved");
    assert_eq!((first.path.clone(), first.record), (out.clone(), None));
    let second = store
        .save(&saved_assessment(&app), Some(&first), util::bundled())
        .expect("revision saved");
    assert_ne!(second.path, first.path, "nothing is overwritten");
    let text = std::fs::read_to_string(&second.path).unwrap();
    assert!(
        text.contains(&format!("supersedes: {}", out.display())),
        "{text}"
    );
    assert!(!std::fs::read_to_string(&out)
        .unwrap()
        .contains("supersedes"));
}

#[test]
fn a_saved_case_opened_again_shows_where_each_referral_stands() {
    let dir = tempfile::tempdir().unwrap();
    let store = RecordStore {
        dir: dir.path().join("store"),
    };
    let rules = util::bundled();
    let mut app = ready_to_save();
    let partner = app.offers[0].key.clone();
    let first = store
        .save(&saved_assessment(&app), None, rules)
        .expect("saved");
    // The partner accepts the referral of record 1 (issue 15's closed loop)...
    let status = std::process::Command::new(env!("CARGO_BIN_EXE_sicol"))
        .args(["referral-status", "00000001", "--store"])
        .arg(&store.dir)
        .args(["--partner", &partner, "accepted", "--date", "2026-11-22"])
        .args(["--note", "first visit booked"])
        .output()
        .expect("sicol runs");
    assert!(
        status.status.success(),
        "{}",
        String::from_utf8_lossy(&status.stderr)
    );
    // ...then the assessment is corrected: the status counts for the revision too.
    key(&mut app, KeyCode::Char('1'));
    store
        .save(&saved_assessment(&app), Some(&first), rules)
        .expect("revision saved");
    let (assessment, revising, _) =
        sicol::tui::store::open_for_revision(&store.dir, RecordId(1)).expect("opens");
    let standing = revising.referral_statuses.get(&partner).expect("a status");
    assert_eq!(standing.status.label(), "accepted");
    let mut reopened = App::new(
        rules,
        Start {
            assessment,
            case_file: None,
            draft_name: "draft-test.yaml".into(),
            drafts: Vec::new(),
            now: at(),
            revising: Some(revising),
        },
    );
    for _ in 0..4 {
        key(&mut reopened, KeyCode::Right);
    }
    assert_eq!(reopened.step, Step::Referrals);
    let mut terminal = Terminal::new(TestBackend::new(120, 40)).unwrap();
    terminal
        .draw(|frame| {
            view::draw(frame, &reopened, Theme::new(false));
        })
        .unwrap();
    let screen: String = terminal
        .backend()
        .buffer()
        .content()
        .iter()
        .map(|cell| cell.symbol())
        .collect();
    assert!(screen.contains("(accepted)"), "{screen}");
    assert!(
        screen.contains("Status: accepted since 2026-11-22 (sicol referral-status): first visit"),
        "{screen}"
    );
}

#[test]
fn whether_the_wishes_go_to_a_partner_is_asked_on_its_own() {
    let mut app = eviction_case();
    for _ in 0..4 {
        key(&mut app, KeyCode::Right);
    }
    assert_eq!(app.step, Step::Referrals);
    let first = app.offers[0].key.clone();
    // Nothing decided yet: there is no choice to carry it.
    key(&mut app, KeyCode::Char('s'));
    assert!(app.choices.get(&first).is_none());
    key(&mut app, KeyCode::Char('a'));
    key(&mut app, KeyCode::Up);
    let shared = |app: &App| app.choices.get(&first).map(|c| c.share_wishes);
    assert_eq!(
        shared(&app),
        Some(false),
        "accepting does not share the wishes"
    );
    key(&mut app, KeyCode::Char('s'));
    assert_eq!(shared(&app), Some(true));
    // Changing the decision keeps what the person said about their wishes.
    key(&mut app, KeyCode::Char('f'));
    key(&mut app, KeyCode::Up);
    assert_eq!(shared(&app), Some(true));
    key(&mut app, KeyCode::Char('s'));
    assert_eq!(shared(&app), Some(false));
}

fn case(name: &str) -> App<'static> {
    let path = util::root().join(format!("tests/cases/{name}.yaml"));
    let assessment = files::read_assessment(&path, util::bundled()).unwrap();
    App::new(
        util::bundled(),
        Start {
            assessment,
            case_file: None,
            draft_name: "draft-test.yaml".into(),
            drafts: Vec::new(),
            now: at(),
            revising: None,
        },
    )
}

fn paste(app: &mut App, text: &str) -> Command {
    app.update(&Event::Paste(text.to_owned()))
}

fn screen_text(app: &mut App, width: u16, height: u16) -> String {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
    let mut hitmap = Default::default();
    terminal
        .draw(|frame| hitmap = view::draw(frame, app, Theme::new(false)))
        .unwrap();
    app.hitmap = hitmap;
    terminal.backend().to_string()
}

#[test]
fn a_paste_lands_whole_in_one_event_and_one_over_the_limit_is_refused_with_the_limit() {
    use sicol::tui::input::MAX_NOTE_CHARS;
    let mut app = eviction_case();
    key(&mut app, KeyCode::Right);
    key(&mut app, KeyCode::Char('n'));
    assert!(app.editing);
    let before = app.form.stressors[0].note.text().to_owned();
    let long: String = "Rent arrears since March; bailiffs booked. "
        .chars()
        .cycle()
        .take(5_000)
        .collect();
    paste(&mut app, &long);
    let note = app.form.stressors[0].note.text().to_owned();
    assert_eq!(note.chars().count(), before.chars().count() + 5_000);
    assert!(note.ends_with(&long));
    // Escape right after the paste is a key of its own: editing ends.
    key(&mut app, KeyCode::Esc);
    assert!(!app.editing);
    // A paste that would pass the limit is refused whole, and the status names the limit.
    key(&mut app, KeyCode::Char('n'));
    let too_long = "x".repeat(MAX_NOTE_CHARS);
    paste(&mut app, &too_long);
    assert_eq!(app.form.stressors[0].note.text(), note, "nothing was added");
    let status = app.status.clone().unwrap_or_default();
    assert!(
        status.contains(&MAX_NOTE_CHARS.to_string()) && status.contains("not pasted"),
        "{status}"
    );
    // Line breaks are kept in a note; a one-line field gets spaces, and no control characters.
    paste(&mut app, "\r\nline two\u{7}");
    assert!(app.form.stressors[0].note.text().ends_with("\nline two"));
    key(&mut app, KeyCode::Esc);
    focus_list_then_person(&mut app);
    focus(&mut app, "Case id");
    key(&mut app, KeyCode::Enter);
    paste(&mut app, "B-1\nB-2\t");
    assert_eq!(app.form.id.text(), "B-1 B-2 ");
}

/// Back to the Person step.
fn focus_list_then_person(app: &mut App) {
    for _ in 0..7 {
        key(app, KeyCode::Left);
    }
    assert_eq!(app.step, Step::Person);
}

#[test]
fn typing_into_a_field_just_entered_replaces_it_and_arrows_keep_it() {
    let mut app = eviction_case();
    focus(&mut app, "Age");
    let age = app.form.age.text().to_owned();
    assert!(!age.is_empty());
    key(&mut app, KeyCode::Enter);
    assert!(app.replace_on_type);
    keys(&mut app, "58");
    assert_eq!(app.form.age.text(), "58");
    key(&mut app, KeyCode::Esc);
    // An arrow first keeps the text and moves in it.
    key(&mut app, KeyCode::Enter);
    key(&mut app, KeyCode::Left);
    assert!(!app.replace_on_type);
    keys(&mut app, "1");
    assert_eq!(app.form.age.text(), "518");
    key(&mut app, KeyCode::Esc);
    // Backspace on the selected text deletes all of it.
    key(&mut app, KeyCode::Enter);
    key(&mut app, KeyCode::Backspace);
    assert_eq!(app.form.age.text(), "");
    key(&mut app, KeyCode::Esc);
    // Tab into a filled field selects it too.
    focus(&mut app, "Assessor");
    key(&mut app, KeyCode::Enter);
    key(&mut app, KeyCode::Tab);
    assert_eq!(app.field().map(|f| f.label()), Some("Assessed at"));
    assert!(app.replace_on_type);
    // A note is never replaced by a key: the cursor goes to its end.
    key(&mut app, KeyCode::Esc);
    key(&mut app, KeyCode::Right);
    let note = app.form.stressors[0].note.text().to_owned();
    key(&mut app, KeyCode::Char('n'));
    assert!(!app.replace_on_type);
    keys(&mut app, "!");
    assert_eq!(app.form.stressors[0].note.text(), format!("{note}!"));
    // Ctrl-U is in the help bar while editing.
    assert!(app.key_hints().iter().any(|(key, _)| *key == "^U"));
}

#[test]
fn enter_finishes_a_note_and_ctrl_j_adds_a_line() {
    let mut app = eviction_case();
    key(&mut app, KeyCode::Right);
    key(&mut app, KeyCode::Char('n'));
    ctrl(&mut app, 'u');
    keys(&mut app, "Bailiffs due in 5 days");
    key(&mut app, KeyCode::Enter);
    assert!(!app.editing, "Enter finishes the note");
    // The next keys are commands again: `a` opens the picker, not text in the note.
    key(&mut app, KeyCode::Char('a'));
    assert!(matches!(app.overlay, Some(Overlay::Picker(_))));
    key(&mut app, KeyCode::Esc);
    assert_eq!(app.form.stressors[0].note.text(), "Bailiffs due in 5 days");
    key(&mut app, KeyCode::Char('n'));
    ctrl(&mut app, 'j');
    keys(&mut app, "Rent arrears");
    app.update(&Event::Key(KeyEvent::new(
        KeyCode::Enter,
        KeyModifiers::ALT,
    )));
    keys(&mut app, "Debt");
    key(&mut app, KeyCode::Enter);
    assert_eq!(
        app.form.stressors[0].note.text(),
        "Bailiffs due in 5 days\nRent arrears\nDebt"
    );
    // The help bar says so while a note is edited.
    key(&mut app, KeyCode::Char('n'));
    let hints = app.key_hints();
    assert!(hints.contains(&("^J", "new line")), "{hints:?}");
    assert!(hints.contains(&("Enter Esc", "done")), "{hints:?}");
}

#[test]
fn date_messages_say_why_and_a_future_time_is_asked_about() {
    let mut app = fresh();
    focus(&mut app, "Assessed at");
    for (typed, why) in [
        ("31/02/2026", "February 2026 has 28 days"),
        ("29/02/2027", "February 2027 has 28 days"),
        ("31/04/2026 10:00", "April 2026 has 30 days"),
        ("2026-13-01 09:00", "there is no month 13"),
    ] {
        key(&mut app, KeyCode::Enter);
        keys(&mut app, typed);
        let problem = app
            .problems
            .iter()
            .find(|p| p.field == "assessed_at")
            .unwrap_or_else(|| panic!("{typed} is not a date"));
        assert!(
            problem.message.contains(why),
            "{typed}: {}",
            problem.message
        );
        key(&mut app, KeyCode::Esc);
    }
    // 29 February is a date in a leap year.
    key(&mut app, KeyCode::Enter);
    keys(&mut app, "29/02/2028 10:00");
    assert!(!app.problems.iter().any(|p| p.field == "assessed_at"));
    // ... but in the future: asked about, and n goes back to change it.
    key(&mut app, KeyCode::Esc);
    let Some(Overlay::ConfirmFuture { ahead, .. }) = &app.overlay else {
        panic!("a future time is asked about, got {:?}", app.overlay);
    };
    assert_eq!(ahead, "in 1 year");
    key(&mut app, KeyCode::Char('n'));
    assert!(app.editing && app.field().map(|f| f.label()) == Some("Assessed at"));
    // "today 21:40" at 14:30 is later today: asked too; y keeps it and is not asked again.
    keys(&mut app, "today 21:40");
    key(&mut app, KeyCode::Enter);
    let Some(Overlay::ConfirmFuture { ahead, .. }) = &app.overlay else {
        panic!("later today is asked about, got {:?}", app.overlay);
    };
    assert_eq!(ahead, "in 7 hours");
    key(&mut app, KeyCode::Char('y'));
    assert_eq!(app.form.assessed_at.text(), "2026-11-20 21:40 +00:00");
    key(&mut app, KeyCode::Enter);
    key(&mut app, KeyCode::Esc);
    assert!(
        app.overlay.is_none(),
        "a kept time is not asked about again"
    );
    // A past time is not asked about.
    key(&mut app, KeyCode::Enter);
    keys(&mut app, "yesterday 21:40");
    key(&mut app, KeyCode::Enter);
    assert!(app.overlay.is_none());
    // In a date field, the reason is beside the date, with a key that works there.
    let mut app = eviction_case();
    key(&mut app, KeyCode::Right);
    key(&mut app, KeyCode::Char('u'));
    keys(&mut app, "31/02/2026");
    let text = screen_text(&mut app, 120, 40);
    assert!(
        text.contains("✗ February 2026 has 28 days (F1: forms)"),
        "{text}"
    );
    assert!(!text.contains("?: forms"), "{text}");
}

#[test]
fn the_setting_is_chosen_from_the_known_settings_or_typed_as_other() {
    let mut app = fresh();
    focus(&mut app, "Setting");
    key(&mut app, KeyCode::Enter);
    let Some(Overlay::Picker(picker)) = &app.overlay else {
        panic!("Setting opens a list, got {:?}", app.overlay);
    };
    assert!(picker
        .items
        .iter()
        .any(|item| item.key == "place_of_safety"));
    keys(&mut app, "place of safety");
    key(&mut app, KeyCode::Enter);
    assert_eq!(app.form.setting.text(), "place_of_safety");
    assert_eq!(
        app.assessment().context.setting.as_deref(),
        Some("place_of_safety")
    );
    // Other: typed in the assessor's words.
    key(&mut app, KeyCode::Enter);
    keys(&mut app, "other");
    key(&mut app, KeyCode::Enter);
    assert!(app.editing, "other asks for the setting in words");
    assert_eq!(app.form.setting.text(), "", "the known setting is cleared");
    keys(&mut app, "a friend's flat");
    key(&mut app, KeyCode::Enter);
    assert_eq!(
        app.assessment().context.setting.as_deref(),
        Some("a friend's flat")
    );
    let text = screen_text(&mut app, 120, 40);
    assert!(text.contains("a friend's flat (other)"), "{text}");
    // Opened again, the list starts on "Other", and Enter keeps the words.
    key(&mut app, KeyCode::Enter);
    key(&mut app, KeyCode::Tab);
    assert_eq!(
        app.assessment().context.setting.as_deref(),
        Some("a friend's flat")
    );
}

#[test]
fn every_gap_shows_beside_its_referral_and_in_the_review() {
    let mut app = case("domestic_abuse");
    let gap = app.formulation.gaps[0].clone();
    let partner = gap.referred_to.clone().expect("referred anyway");
    let offer = app
        .offers
        .iter()
        .find(|offer| offer.key == partner)
        .expect("the partner is offered");
    assert_eq!(offer.gaps, std::slice::from_ref(&gap.message));
    let row = app
        .offers
        .iter()
        .position(|offer| offer.key == partner)
        .unwrap();
    for _ in 0..4 {
        key(&mut app, KeyCode::Right);
    }
    for _ in 0..row {
        key(&mut app, KeyCode::Down);
    }
    let text = screen_text(&mut app, 120, 40);
    assert!(text.contains("⚠ Gap: no partner with same-day"), "{text}");
    assert!(text.contains("GAP"), "{text}");
    key(&mut app, KeyCode::Right);
    key(&mut app, KeyCode::Right);
    let text = screen_text(&mut app, 120, 40);
    assert!(text.contains("1 gap to arrange yourself"), "{text}");
    assert!(text.contains("arrange interim support"), "{text}");
}

#[test]
fn a_revision_says_which_record_it_revises_on_screen_all_along() {
    let path = util::root().join("tests/cases/social_led_eviction.yaml");
    let assessment = files::read_assessment(&path, util::bundled()).unwrap();
    let mut app = App::new(
        util::bundled(),
        Start {
            assessment,
            case_file: None,
            draft_name: "draft-test.yaml".into(),
            drafts: Vec::new(),
            now: at(),
            revising: Some(Revising {
                saved: saved_record(2),
                choices: Default::default(),
                mha_decision: None,
                referral_statuses: Default::default(),
                asked_for: Some(RecordId(1)),
            }),
        },
    );
    for step in 0..7 {
        let text = screen_text(&mut app, 120, 40);
        let banner = text.lines().nth(1).unwrap_or_default();
        assert!(
            banner.contains("Revising record 00000002, the newest revision of record 00000001"),
            "step {step}: {text}"
        );
        key(&mut app, KeyCode::Right);
    }
    // At 80 columns it still names the record, ending in "…" where it is cut.
    let text = screen_text(&mut app, 80, 24);
    assert!(text.contains("Revising record 00000002"), "{text}");
}

#[test]
fn ctrl_s_with_a_future_time_asks_before_saving() {
    let mut app = ready_to_save();
    focus_list_then_person(&mut app);
    focus(&mut app, "Assessed at");
    key(&mut app, KeyCode::Enter);
    keys(&mut app, "01/01/2030 10:00");
    assert_eq!(ctrl(&mut app, 's'), Command::None, "nothing is saved yet");
    assert!(matches!(app.overlay, Some(Overlay::ConfirmFuture { .. })));
    key(&mut app, KeyCode::Char('y'));
    assert!(matches!(ctrl(&mut app, 's'), Command::Save { .. }));
}

#[test]
fn declining_a_partner_sends_its_need_to_the_next_and_the_review_says_so() {
    let mut app = eviction_case();
    for _ in 0..4 {
        key(&mut app, KeyCode::Right);
    }
    assert_eq!(app.step, Step::Referrals);
    let housing = |app: &App| {
        app.offers
            .iter()
            .filter(|offer| offer.categories.iter().any(|c| c == "Housing advice"))
            .map(|offer| offer.key.clone())
            .collect::<Vec<_>>()
    };
    assert_eq!(housing(&app), ["cv-housing-options"]);
    let row = app
        .offers
        .iter()
        .position(|offer| offer.key == "cv-housing-options")
        .expect("offered");
    for _ in 0..row {
        key(&mut app, KeyCode::Down);
    }
    key(&mut app, KeyCode::Char('d'));
    key(&mut app, KeyCode::Enter);
    // The declined partner stays offered (the person may change their mind), and the housing
    // need now goes to the next eligible partner, which says why.
    let now = housing(&app);
    assert_eq!(now.len(), 2, "{now:?}");
    assert!(now.contains(&"cv-housing-options".to_owned()));
    let next = app
        .offers
        .iter()
        .find(|offer| offer.key != "cv-housing-options" && now.contains(&offer.key))
        .expect("the next housing partner");
    assert!(
        next.explanation
            .iter()
            .any(|line| line.contains("declined by the person")),
        "{:?}",
        next.explanation
    );
    // The formulation a record keeps is as made; the plan shown is re-routed.
    assert!(app
        .formulation
        .referrals
        .iter()
        .any(|referral| referral.partner == "cv-housing-options"));
    assert_eq!(
        app.plan
            .referrals
            .last()
            .map(|referral| referral.partner.as_str()),
        Some("cv-housing-options")
    );
    // Every offer says why its partner was chosen.
    assert!(app
        .offers
        .iter()
        .filter(|offer| offer.contact.is_some())
        .all(|offer| offer
            .explanation
            .iter()
            .any(|line| line.starts_with("why: "))));
}
