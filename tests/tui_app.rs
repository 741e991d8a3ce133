//! Key and mouse handling of the assessment screen, on the pure app state (no terminal).

mod util;

use chrono::{DateTime, FixedOffset};
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{
    Event, KeyCode, KeyEvent, KeyEventKind, KeyEventState, KeyModifiers, MouseButton, MouseEvent,
    MouseEventKind,
};
use ratatui::Terminal;

use sicol::model::{Decision, Section};
use sicol::tui::app::{App, Command, Overlay, Start, Step};
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
            offer: None,
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
            offer: None,
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
    keys(&mut app, "AMHP-9");
    key(&mut app, KeyCode::Tab);
    key(&mut app, KeyCode::Tab);
    keys(&mut app, "4x");
    key(&mut app, KeyCode::Esc);
    assert_eq!(app.form.id.text(), "A-2");
    assert_eq!(app.form.assessor.text(), "AMHP-9");
    assert_eq!(app.form.age.text(), "4x");
    // A half-typed age is kept and flagged, never dropped.
    assert!(app.problems.iter().any(|p| p.field == "person.age"));
    assert!(app.step_has_problems(Step::Person));
    key(&mut app, KeyCode::BackTab);
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
    assert_eq!(app.form.stressors[0].severity, 3);
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
    assert_eq!(app.form.stressors[1].severity, 0);
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
    key(&mut app, KeyCode::Enter);
    keys(&mut app, "See my sister");
    key(&mut app, KeyCode::Esc);
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
    let Command::Save {
        assessment,
        choices,
    } = key(&mut app, KeyCode::Enter)
    else {
        panic!("a valid assessment saves");
    };
    assert_eq!(assessment.id, "A-2026-0101");
    assert!(assessment.check(&util::bundled().vocabulary).is_ok());
    assert_eq!(choices.0.len(), 1);
    assert_eq!(choices.0[0].decision, Decision::Accepted);
    app.on_saved(Ok("out.yaml".into()));
    assert!(!app.dirty);
    assert_eq!(key(&mut app, KeyCode::Char('q')), Command::Quit);
}

#[test]
fn a_draft_is_offered_and_can_be_resumed_or_discarded() {
    let mut app = eviction_case();
    key(&mut app, KeyCode::Right);
    key(&mut app, KeyCode::Char('1'));
    let draft = app.draft(at());
    let start = |offer| Start {
        assessment: fresh_assessment(at()),
        case_file: None,
        draft_name: store::draft_name(at()),
        offer: Some(("draft-earlier.yaml".to_owned(), offer)),
    };

    let mut resumed = App::new(util::bundled(), start(draft.clone()));
    assert!(matches!(resumed.overlay, Some(Overlay::Resume { .. })));
    // Nothing else happens until the question is answered.
    assert_eq!(ctrl(&mut resumed, 's'), Command::None);
    key(&mut resumed, KeyCode::Char('r'));
    assert_eq!(resumed.form, draft.form);
    assert_eq!(resumed.step, Step::Stressors);
    assert_eq!(resumed.draft_name, "draft-earlier.yaml");
    assert!(resumed.dirty);

    let mut discarded = App::new(util::bundled(), start(draft));
    assert_eq!(
        key(&mut discarded, KeyCode::Char('d')),
        Command::DiscardDraft("draft-earlier.yaml".into())
    );
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
