//! How long `sicol assess` takes to answer a keypress: handle the key (which re-evaluates the
//! whole formulation with the bundled rules) and redraw the full screen at 120×40. The budget is
//! one frame at 60 Hz (16 ms); run with `cargo bench --bench tui`.

use std::hint::black_box;
use std::path::Path;

use criterion::{criterion_group, criterion_main, Criterion};
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{Event, KeyCode, KeyEvent};
use ratatui::Terminal;

use sicol::files;
use sicol::tui::app::{App, Start};
use sicol::tui::view::{self, Theme};

fn keypress_and_redraw(c: &mut Criterion) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let rules = files::load_rules(&root.join("rules")).expect("bundled rules load");
    let assessment =
        files::read_assessment(&root.join("tests/cases/social_led_eviction.yaml"), &rules)
            .expect("example case loads");
    let mut app = App::new(
        &rules,
        Start {
            assessment,
            case_file: None,
            draft_name: "draft-bench.yaml".into(),
            drafts: Vec::new(),
            now: chrono::Local::now().fixed_offset(),
            revising: None,
        },
    );
    let mut terminal = Terminal::new(TestBackend::new(120, 40)).expect("test backend");
    // On the stressors step, alternate the first factor's severity so every key is a change.
    app.update(&Event::Key(KeyEvent::from(KeyCode::Right)));
    let keys = [
        Event::Key(KeyEvent::from(KeyCode::Char('2'))),
        Event::Key(KeyEvent::from(KeyCode::Char('3'))),
    ];
    let mut next = 0;
    c.bench_function("keypress + redraw 120x40 (bundled rules)", |b| {
        b.iter(|| {
            black_box(app.update(&keys[next % 2]));
            next += 1;
            let mut hitmap = Default::default();
            terminal
                .draw(|frame| hitmap = view::draw(frame, &app, Theme::new(true)))
                .expect("draw");
            app.hitmap = black_box(hitmap);
        })
    });
}

criterion_group!(benches, keypress_and_redraw);
criterion_main!(benches);
