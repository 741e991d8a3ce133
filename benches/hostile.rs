//! How fast hostile input is refused (issue 19): `cargo bench --bench hostile`.
//!
//! Each input of the issue is written into a temporary folder at setup (a 1 GiB file is sparse,
//! so it costs no disk), then read as `sicol evaluate` reads a case: `files::read_assessment`,
//! which reads within the size limit, checks the text with `input::check_yaml` and only then
//! parses. Every run must end in the expected refusal; the setup asserts it, so a benchmark can
//! never time a file that was accepted. Targets on the project's 2-core machine: 100,000-deep
//! nesting in a field refused in under 100 ms, a 1 GiB input refused without reading it all,
//! peak memory under 50 MB (measured on the binary with `/usr/bin/time -v`, see BENCHMARKS.md).

use std::path::{Path, PathBuf};
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion};

use sicol::{files, RuleSet};

const HEAD: &str = "id: H-1\nassessed_at: 2026-11-20T14:30:00Z\n";

fn rules() -> RuleSet {
    files::load_rules(&Path::new(env!("CARGO_MANIFEST_DIR")).join("rules")).expect("rules")
}

/// The hostile corpus: (name, file, words the refusal must contain).
fn corpus(dir: &Path) -> Vec<(&'static str, PathBuf, &'static str)> {
    let write = |name: &str, text: String| {
        let path = dir.join(name);
        std::fs::write(&path, text).expect("written");
        path
    };
    let depth = 100_000;
    let huge = dir.join("huge.yaml");
    std::fs::File::create(&huge)
        .and_then(|file| file.set_len(1 << 30))
        .expect("sparse file");
    let mut bomb = format!(
        "{HEAD}stressors:\n  - &f {{kind: debt, severity: 2, note: \"{}\"}}\n",
        "x".repeat(200_000)
    );
    for _ in 0..999 {
        bomb.push_str("  - *f\n");
    }
    vec![
        (
            "nested_lists_100k_in_a_field",
            write(
                "lists.yaml",
                format!("{HEAD}wishes: {}{}\n", "[".repeat(depth), "]".repeat(depth)),
            ),
            "brackets",
        ),
        (
            "nested_maps_100k_in_a_field",
            write(
                "maps.yaml",
                format!(
                    "{HEAD}person: {}1{}\n",
                    "{a: ".repeat(depth),
                    "}".repeat(depth)
                ),
            ),
            "brackets",
        ),
        (
            "nested_lists_4096_worst_under_the_bracket_count",
            write(
                "worst.yaml",
                format!("{HEAD}wishes: {}{}\n", "[".repeat(4096), "]".repeat(4096)),
            ),
            "nesting",
        ),
        (
            "block_sequences_100k_deep",
            write(
                "dashes.yaml",
                format!("{HEAD}wishes:\n  {}x\n", "- ".repeat(depth)),
            ),
            "nesting",
        ),
        (
            "alias_bomb_999_of_200kb",
            write("bomb.yaml", bomb),
            "aliases",
        ),
        ("sparse_file_1gib", huge, "size limit"),
        (
            "stream_of_nuls_dev_zero",
            PathBuf::from("/dev/zero"),
            "size limit",
        ),
    ]
}

fn hostile(c: &mut Criterion) {
    let rules = rules();
    let dir = tempfile::tempdir().expect("temp dir");
    let corpus = corpus(dir.path());
    for (_, path, says) in &corpus {
        match files::read_assessment(path, &rules) {
            Ok(_) => panic!("{} was accepted", path.display()),
            Err(error) => assert!(error.to_string().contains(says), "{error}"),
        }
    }
    let mut group = c.benchmark_group("hostile");
    group.sample_size(20);
    group.measurement_time(Duration::from_secs(5));
    for (name, path, _) in &corpus {
        group.bench_function(*name, |b| {
            b.iter(|| files::read_assessment(path, &rules).is_err())
        });
    }
    group.finish();

    // What the checks cost an ordinary case, against parsing it.
    let case = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/cases/social_led_eviction.yaml"),
    )
    .expect("golden case");
    let limits = sicol::input::Limits::default();
    let mut group = c.benchmark_group("ordinary_case");
    group.bench_function("check_yaml", |b| {
        b.iter(|| {
            sicol::input::check_yaml(&case, "case.yaml", sicol::input::InputKind::Case, &limits)
        })
    });
    group.bench_function("parse", |b| {
        b.iter(|| sicol::Assessment::parse(&case, "case.yaml", &rules.vocabulary))
    });
    group.finish();
}

criterion_group!(benches, hostile);
criterion_main!(benches);
