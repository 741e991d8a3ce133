//! Replay throughput: `cargo bench --bench replay`.
//!
//! Setup writes a store of 10,000 generated records (the example cases with varied ids and
//! severities, each saved through `Store::save` like `sicol evaluate --save`) into a temporary
//! folder. The benchmark then replays every record under its own rule set copy, as
//! `sicol replay DIR` does: read the file, check its canonical form and sha256, recompute the
//! formulation, diff it against the recorded one.

use std::path::PathBuf;
use std::time::Duration;

use chrono::{DateTime, Utc};
use criterion::{criterion_group, criterion_main, Criterion, Throughput};

use sicol::model::Choices;
use sicol::records::{Draft, RecordStore, Store};
use sicol::{files, RuleSet};

const RECORDS: usize = 10_000;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Fills a new store with `count` records made from the example cases.
fn generate(dir: &std::path::Path, rules: &RuleSet, count: usize) {
    let mut cases = Vec::new();
    for entry in std::fs::read_dir(root().join("tests/cases")).expect("tests/cases") {
        let path = entry.expect("entry").path();
        if path.extension().is_some_and(|ext| ext == "yaml") {
            cases.push(files::read_assessment(&path, rules).expect("valid case"));
        }
    }
    cases.sort_by(|a, b| a.id.cmp(&b.id));
    let saved_at: DateTime<Utc> = DateTime::parse_from_rfc3339("2026-11-20T15:00:00Z")
        .expect("valid time")
        .with_timezone(&Utc);
    let mut store = Store::create(dir).expect("store");
    let choices = Choices::default();
    for n in 0..count {
        let mut assessment = cases[n % cases.len()].clone();
        assessment.id = format!("B-{n:05}");
        // Vary severities so the store is not ten cases repeated.
        for (index, factor) in assessment
            .stressors
            .iter_mut()
            .chain(assessment.medical.iter_mut())
            .enumerate()
        {
            factor.severity = ((n / cases.len() + index) % 3 + 1) as u8;
        }
        let formulation = sicol::evaluate(rules, &assessment);
        let draft = Draft {
            assessment: &assessment,
            formulation: &formulation,
            choices: &choices,
            supersedes: None,
            saved_at,
            mha_decision: None,
        };
        store.save(&draft, rules).expect("saved");
    }
}

fn replay_store(c: &mut Criterion) {
    let rules = files::load_rules(&root().join("rules")).expect("bundled rules");
    let temp = tempfile::tempdir().expect("temp dir");
    let dir = temp.path().join("formulations");
    generate(&dir, &rules, RECORDS);

    let mut group = c.benchmark_group("replay");
    group.throughput(Throughput::Elements(RECORDS as u64));
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(30));
    group.bench_function("store_of_10000_records", |b| {
        b.iter(|| {
            let mut store = Store::open(&dir).expect("store");
            let mut drifted = 0usize;
            for id in store.ids().expect("ids") {
                let record = store.read(id).expect("record");
                let replay = store.replay(&record, None).expect("replayed");
                drifted += usize::from(!replay.drift.is_empty());
            }
            assert_eq!(drifted, 0, "generated records must replay exactly");
        })
    });
    group.finish();
}

criterion_group!(benches, replay_store);
criterion_main!(benches);
