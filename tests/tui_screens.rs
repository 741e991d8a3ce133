//! Every screen of `sicol assess`, drawn to ratatui's TestBackend at 80×24 and 120×40 and
//! compared with the snapshots in `snapshots/`. The snapshots hold the text of the screen only,
//! so they are the same with and without NO_COLOR.

mod util;

use chrono::{DateTime, FixedOffset};
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{Event, KeyCode, KeyEvent};
use ratatui::Terminal;

use sicol::files;
use sicol::tui::app::{App, Start};
use sicol::tui::fresh_assessment;
use sicol::tui::view::{self, Theme};

const SIZES: [(u16, u16); 2] = [(80, 24), (120, 40)];

fn at() -> DateTime<FixedOffset> {
    DateTime::parse_from_rfc3339("2026-11-20T14:30:00Z").unwrap()
}

fn start(assessment: sicol::Assessment) -> Start {
    Start {
        assessment,
        case_file: None,
        draft_name: "draft-test.yaml".into(),
        drafts: Vec::new(),
        now: at(),
        revising: None,
    }
}

fn eviction_case() -> App<'static> {
    let path = util::root().join("tests/cases/social_led_eviction.yaml");
    let assessment = files::read_assessment(&path, util::bundled()).unwrap();
    App::new(util::bundled(), start(assessment))
}

/// Presses keys: single characters, or names in angle brackets (`<right>`, `<enter>`, `<esc>`).
fn press(app: &mut App, keys: &[&str]) {
    for name in keys {
        let code = match *name {
            "<right>" => KeyCode::Right,
            "<enter>" => KeyCode::Enter,
            "<esc>" => KeyCode::Esc,
            "<tab>" => KeyCode::Tab,
            "<down>" => KeyCode::Down,
            text => {
                for c in text.chars() {
                    app.update(&Event::Key(KeyEvent::from(KeyCode::Char(c))));
                }
                continue;
            }
        };
        app.update(&Event::Key(KeyEvent::from(code)));
    }
}

fn screen(app: &App, width: u16, height: u16) -> String {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
    terminal
        .draw(|frame| {
            view::draw(frame, app, Theme::new(true));
        })
        .unwrap();
    terminal.backend().to_string()
}

/// Snapshots one screen at both sizes as `tui__<name>_<width>x<height>`.
fn check(name: &str, app: &App) {
    for (width, height) in SIZES {
        let text = screen(app, width, height);
        util::snapshot_settings().bind(|| {
            insta::assert_snapshot!(format!("tui__{name}_{width}x{height}"), text);
        });
    }
}

#[test]
fn person_step_of_a_fresh_assessment() {
    let app = App::new(util::bundled(), start(fresh_assessment(at())));
    check("person_fresh", &app);
}

#[test]
fn person_step_while_typing_the_case_id() {
    let mut app = App::new(util::bundled(), start(fresh_assessment(at())));
    press(&mut app, &["<enter>", "A-2026-0042"]);
    check("person_typing", &app);
}

#[test]
fn stressors_step() {
    let mut app = eviction_case();
    press(&mut app, &["<right>"]);
    check("stressors", &app);
}

#[test]
fn stressors_step_while_typing_a_relative_date() {
    let mut app = eviction_case();
    press(&mut app, &["<right>", "j", "u", "+7d"]);
    check("stressors_date", &app);
}

#[test]
fn medical_step() {
    let mut app = eviction_case();
    press(&mut app, &["<right>", "<right>"]);
    check("medical", &app);
}

#[test]
fn strengths_step() {
    let mut app = eviction_case();
    press(&mut app, &["<right>", "<right>", "<right>"]);
    check("strengths", &app);
}

#[test]
fn referrals_step_with_choices() {
    let mut app = eviction_case();
    press(
        &mut app,
        &[
            "<right>",
            "<right>",
            "<right>",
            "<right>",
            "a",
            "d",
            "has a solicitor",
            "<enter>",
            "f",
        ],
    );
    check("referrals", &app);
}

#[test]
fn review_step_ready_to_save() {
    let mut app = eviction_case();
    press(
        &mut app,
        &[
            "<right>", "<right>", "<right>", "<right>", "<right>", "<right>",
        ],
    );
    check("review_ready", &app);
}

#[test]
fn decision_step_with_an_outcome() {
    let mut app = eviction_case();
    press(
        &mut app,
        &[
            "<right>", "<right>", "<right>", "<right>", "<right>", "<enter>", "136", "<enter>",
            "<tab>",
        ],
    );
    check("decision", &app);
}

#[test]
fn review_step_once_saved() {
    let mut app = eviction_case();
    press(
        &mut app,
        &[
            "<right>", "<right>", "<right>", "<right>", "<right>", "<right>",
        ],
    );
    app.on_saved(Ok(sicol::tui::store::SavedTo {
        path: "formulations/00000003.json".into(),
        record: Some(sicol::records::RecordId(3)),
        store: "formulations".into(),
        case: "A-2026-0101".into(),
    }));
    app.status = None;
    check("review_saved", &app);
}

/// The bundled rules with the advice partner renamed to a long name, as some services' are.
fn rules_with_a_long_partner_name() -> &'static sicol::RuleSet {
    let mut rules = files::read_rule_files(&util::rules_dir()).unwrap();
    let partners = rules.files.get("partners.yaml").cloned().unwrap();
    // The debt line is in the eviction case's plan; its name is made long.
    assert!(partners.contains("name: Money Matters Debt Line\n"));
    rules.files.insert(
        "partners.yaml".into(),
        partners.replace(
            "name: Money Matters Debt Line\n",
            "name: City Advice Bureau and Citizens' Money, Debt and Legal Advice Partnership\n",
        ),
    );
    Box::leak(Box::new(sicol::RuleSet::from_files(&rules).unwrap()))
}

fn eviction_case_with_a_long_partner_name() -> App<'static> {
    let rules = rules_with_a_long_partner_name();
    let path = util::root().join("tests/cases/social_led_eviction.yaml");
    let assessment = files::read_assessment(&path, rules).unwrap();
    App::new(rules, start(assessment))
}

#[test]
fn referrals_step_with_a_long_partner_name() {
    let mut app = eviction_case_with_a_long_partner_name();
    press(&mut app, &["<right>", "<right>", "<right>", "<right>"]);
    let long = "City Advice Bureau and Citizens' Money, Debt and Legal Advice Partnership";
    let row = app
        .offers
        .iter()
        .position(|offer| offer.name == long)
        .expect("the advice partner is offered");
    for _ in 0..row {
        press(&mut app, &["<down>"]);
    }
    for (width, height) in SIZES {
        let text = screen(&app, width, height);
        // Never a silent cut: the list ends a long name with "…", and the full name is below.
        assert!(
            text.contains("City Advice B") && text.contains('…'),
            "{text}"
        );
        assert!(
            text.contains("City Advice Bureau and Citizens' Money, Debt"),
            "{text}"
        );
        assert!(text.contains("Legal Advice Partnership"), "{text}");
    }
    check("referrals_long_name", &app);
    // Declining names the partner, not its id.
    press(&mut app, &["d"]);
    let text = screen(&app, 80, 24);
    assert!(text.contains("Declines City Advice"), "{text}");
    assert!(!text.contains("Declines city-advice"), "{text}");
}

#[test]
fn review_step_with_a_long_partner_name() {
    let mut app = eviction_case_with_a_long_partner_name();
    press(
        &mut app,
        &[
            "<right>", "<right>", "<right>", "<right>", "a", "a", "<right>", "<right>",
        ],
    );
    check("review_long_name", &app);
}

#[test]
fn the_help_bar_and_the_step_bar_keep_everything_at_80_columns() {
    let mut app = eviction_case();
    // Every step, then editing a field and an overlay.
    let mut states: Vec<&[&str]> = vec![&[]];
    states.extend(std::iter::repeat_n(&["<right>"][..], 6));
    // Back to stressors, editing the since date; then the picker.
    states.extend([&["[[[[[", "s"][..], &["<esc>", "a"]]);
    for keys in states {
        press(&mut app, keys);
        let text = screen(&app, 80, 24);
        for (key, action) in app.key_hints() {
            assert!(
                text.contains(&format!("{key} {action}")),
                "`{key} {action}` missing at 80 columns:\n{text}"
            );
        }
        let steps = text.lines().next().unwrap_or_default();
        for step in sicol::tui::app::Step::ALL {
            assert!(steps.contains(step.title()), "{step:?} missing:\n{text}");
        }
    }
}

#[test]
fn review_step_with_problems() {
    let mut app = App::new(util::bundled(), start(fresh_assessment(at())));
    press(
        &mut app,
        &["<tab>", "<tab>", "<tab>", "<enter>", "4x", "<esc>"],
    );
    app.update(&Event::Key(KeyEvent::new(
        KeyCode::Char('s'),
        ratatui::crossterm::event::KeyModifiers::CONTROL,
    )));
    check("review_problems", &app);
}

#[test]
fn picker_overlay() {
    let mut app = eviction_case();
    press(&mut app, &["<right>", "a", "hous"]);
    check("picker", &app);
}

#[test]
fn severity_overlay() {
    let mut app = eviction_case();
    press(&mut app, &["<right>", "<enter>"]);
    check("severity", &app);
}

#[test]
fn trace_overlay() {
    let mut app = eviction_case();
    press(&mut app, &["<right>", "t"]);
    check("trace", &app);
}

#[test]
fn help_overlay() {
    let mut app = eviction_case();
    press(&mut app, &["?"]);
    check("help", &app);
}

#[test]
fn confirm_quit_overlay() {
    let mut app = eviction_case();
    press(&mut app, &["<right>", "2", "q"]);
    check("confirm_quit", &app);
}

#[test]
fn resume_draft_overlay() {
    let mut earlier = eviction_case();
    press(&mut earlier, &["<right>"]);
    let draft = earlier.draft(at());
    let mut other = App::new(util::bundled(), start(fresh_assessment(at())));
    press(&mut other, &["<enter>", "B-2026-0007", "<esc>"]);
    let older = other.draft(at() - chrono::Duration::hours(3));
    let app = App::new(
        util::bundled(),
        Start {
            drafts: vec![
                ("draft-earlier.yaml".into(), draft),
                ("draft-older.yaml".into(), older),
            ],
            ..start(fresh_assessment(at()))
        },
    );
    check("resume", &app);
}

#[test]
fn tiny_terminals_do_not_panic() {
    let mut app = eviction_case();
    for keys in [
        &["<right>"][..],
        &["t"],
        &["<esc>", "a"],
        &["<esc>", "<enter>"],
        &["<esc>", "?"],
    ] {
        press(&mut app, keys);
        for (width, height) in [(1, 1), (10, 5), (40, 10), (60, 16), (61, 17), (79, 23)] {
            screen(&app, width, height);
        }
    }
}

#[test]
fn no_color_draws_no_colour_and_urgency_still_reads_in_words() {
    let mut app = eviction_case();
    press(&mut app, &["<right>"]);
    let mut terminal = Terminal::new(TestBackend::new(120, 40)).unwrap();
    terminal
        .draw(|frame| {
            view::draw(frame, &app, Theme::new(false));
        })
        .unwrap();
    let buffer = terminal.backend().buffer();
    assert!(buffer
        .content()
        .iter()
        .all(|cell| cell.fg == ratatui::style::Color::Reset
            && cell.bg == ratatui::style::Color::Reset));
    assert!(terminal
        .backend()
        .to_string()
        .contains("Urgency VERY HIGH (B)"));
}

#[test]
fn an_incomplete_formulation_shows_a_banner_across_the_screen() {
    let mut rules = files::read_rule_files(&util::rules_dir()).unwrap();
    let ruleset = rules.files.get("ruleset.yaml").cloned().unwrap();
    rules.files.insert(
        "ruleset.yaml".into(),
        format!("{ruleset}  - file: boom.rhai\n"),
    );
    rules.files.insert(
        "boom.rhai".into(),
        "rule(\"boom\");\nthrow \"no data\";\n".into(),
    );
    let rules: &'static sicol::RuleSet =
        Box::leak(Box::new(sicol::RuleSet::from_files(&rules).unwrap()));
    let path = util::root().join("tests/cases/social_led_eviction.yaml");
    let assessment = files::read_assessment(&path, rules).unwrap();
    let app = App::new(rules, start(assessment));
    for (width, height) in SIZES {
        let text = screen(&app, width, height);
        let banner = text.lines().nth(1).unwrap_or_default();
        assert!(
            banner.contains("⚠ INCOMPLETE FORMULATION: 1 rule failed (boom.boom)"),
            "{text}"
        );
    }
    check("incomplete_formulation_banner", &app);
    // A complete formulation has no banner: the form starts right under the step bar.
    let complete = screen(&eviction_case(), 80, 24);
    assert!(!complete.contains("INCOMPLETE"), "{complete}");
}
