//! `cargo bench`: how fast sicol formulates, and what the Rhai runtime costs.
//!
//! 1. `one_assessment/rhai/*`: one assessment through the full bundled rule set, compiled once
//!    (`sicol::evaluate`: rules plus weighing). Target: median under 50 µs.
//! 2. `one_assessment/floor/*`: everything a formulation costs except the interpreter: the
//!    weighing, urgency, ladder and referral resolution (`sicol::formulation::weigh`) over the
//!    rules' output captured once from the engine. No Rust port of the rules has to be kept in
//!    step with every rule change; the ratio rhai / floor is the interpreter's share. The setup
//!    asserts the floor gives the engine's formulation, word for word, on the benched cases, the
//!    golden cases and 10,000 generated ones, so both sides do the same weighing.
//! 3. `load/*`: reading, checking and compiling the bundled rule set.
//! 4. `batch_10000/threads/*`: `sicol::batch` over 10,000 generated case files, 1 and 2 threads.
//!
//! Figures and how to read them are in BENCHMARKS.md.

#[path = "support/cases.rs"]
mod cases;

use std::hint::black_box;
use std::num::NonZeroUsize;
use std::path::{Path, PathBuf};
use std::time::Duration;

use criterion::{
    criterion_group, criterion_main, BatchSize, BenchmarkId, Criterion, SamplingMode, Throughput,
};

use sicol::batch::{self, BatchOptions};
use sicol::formulation::weigh;
use sicol::report::OutputFormat as Format;
use sicol::{files, Assessment, RuleSet};

const BATCH_SIZE: usize = 10_000;
const SEED: u64 = 0x5_1c01;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn bundled() -> RuleSet {
    files::load_rules(&root().join("rules"))
        .unwrap_or_else(|error| panic!("bundled rules: {error}"))
}

fn golden(rules: &RuleSet, name: &str) -> Assessment {
    files::read_assessment(&root().join("tests/cases").join(name), rules)
        .unwrap_or_else(|error| panic!("{error}"))
}

/// The honesty check: weighing the captured output gives exactly the engine's formulation.
fn assert_floor_matches_engine(rules: &RuleSet, assessments: &[Assessment]) {
    for assessment in assessments {
        let output = rules.run_rules(assessment);
        assert!(
            output.warnings.is_empty(),
            "{}: {:?}",
            assessment.id,
            output.warnings
        );
        assert_eq!(
            sicol::evaluate(rules, assessment),
            weigh(rules, assessment, output),
            "{}",
            assessment.id
        );
    }
}

fn one_assessment(c: &mut Criterion) {
    let rules = bundled();
    let benched = vec![
        (
            "social_led_eviction",
            golden(&rules, "social_led_eviction.yaml"),
        ),
        ("every_kind", cases::every_kind(&rules.vocabulary)),
    ];
    let mut checked: Vec<Assessment> = benched.iter().map(|(_, a)| a.clone()).collect();
    for path in std::fs::read_dir(root().join("tests/cases")).expect("tests/cases") {
        let path = path.expect("entry").path();
        checked.push(files::read_assessment(&path, &rules).expect("golden case"));
    }
    checked.extend(cases::generated(&rules.vocabulary, BATCH_SIZE, SEED));
    assert_floor_matches_engine(&rules, &checked);

    let mut group = c.benchmark_group("one_assessment");
    for (name, assessment) in &benched {
        group.bench_with_input(BenchmarkId::new("rhai", name), assessment, |b, a| {
            b.iter(|| sicol::evaluate(&rules, black_box(a)))
        });
        let output = rules.run_rules(assessment);
        group.bench_with_input(BenchmarkId::new("floor", name), assessment, |b, a| {
            b.iter_batched(
                || output.clone(),
                |output| weigh(&rules, black_box(a), output),
                BatchSize::SmallInput,
            )
        });
    }
    group.finish();
}

fn load(c: &mut Criterion) {
    let dir = root().join("rules");
    let rule_files = files::read_rule_files(&dir).expect("rule files");
    let mut group = c.benchmark_group("load");
    group.bench_function("compile_in_memory", |b| {
        b.iter(|| RuleSet::from_files(black_box(&rule_files)).expect("compiles"))
    });
    group.bench_function("read_and_compile", |b| {
        b.iter(|| files::load_rules(black_box(&dir)).expect("loads"))
    });
    group.finish();
}

fn write_cases(rules: &RuleSet, dir: &Path) -> Vec<PathBuf> {
    cases::generated(&rules.vocabulary, BATCH_SIZE, SEED)
        .iter()
        .enumerate()
        .map(|(index, assessment)| {
            let path = dir.join(format!("case-{index:05}.yaml"));
            std::fs::write(&path, assessment.to_yaml()).expect("write case");
            path
        })
        .collect()
}

fn batch_10000(c: &mut Criterion) {
    let rules = bundled();
    let input = tempfile::tempdir().expect("temporary folder");
    let inputs = write_cases(&rules, input.path());
    let mut group = c.benchmark_group("batch_10000");
    group.sampling_mode(SamplingMode::Flat);
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(60));
    group.throughput(Throughput::Elements(BATCH_SIZE as u64));
    for threads in [1, 2] {
        let options = BatchOptions {
            format: Format::Yaml,
            threads: NonZeroUsize::new(threads).expect("non-zero"),
        };
        group.bench_with_input(
            BenchmarkId::new("threads", threads),
            &options,
            |b, options| {
                // Each run writes into a fresh folder, as a real batch does; making the folder and
                // deleting the 10,000 outputs afterwards are not timed.
                b.iter_batched(
                    || tempfile::tempdir().expect("output folder"),
                    |out| {
                        let report = batch::evaluate_files(&rules, &inputs, out.path(), *options)
                            .expect("batch runs");
                        assert_eq!(report.written(), BATCH_SIZE);
                        (report, out)
                    },
                    BatchSize::PerIteration,
                )
            },
        );
    }
    group.finish();
}

criterion_group!(benches, one_assessment, load, batch_10000);
criterion_main!(benches);
