//! The example records in the top-level `formulations/` folder, made from the golden cases, so an
//! auditor can try `sicol replay formulations/` and `sicol verify formulations/` straight away.
//!
//! They must replay without drift under the rule set copy they carry. When the engine changes a
//! formulation on purpose (a new field, a reworded reason), they drift like any real record would;
//! then rebuild them with `SICOL_UPDATE_EXAMPLES=1 cargo test --test example_records`, review the
//! diff, and commit it. The rebuild uses fixed times, so it is reproducible.

mod util;

use std::fs;
use std::path::PathBuf;

use chrono::{DateTime, Utc};
use sicol::files;
use sicol::model::{Choices, Decision};
use sicol::records::store::RULESETS_DIR;
use sicol::records::{Draft, RecordId, RecordStore, Store};

fn examples_dir() -> PathBuf {
    util::root().join("formulations")
}

/// Rebuilds the examples: two cases, then a revision of the first recording the person's choices.
fn rebuild() {
    let dir = examples_dir();
    if let Ok(entries) = fs::read_dir(&dir) {
        for entry in entries.flatten() {
            let path = entry.path();
            let name = entry.file_name().to_string_lossy().into_owned();
            if RecordId::from_file_name(&name).is_some() {
                fs::remove_file(&path).expect("old example removed");
            } else if name == RULESETS_DIR {
                fs::remove_dir_all(&path).expect("old rule set copies removed");
            }
        }
    }
    let mut store = Store::create(&dir).expect("examples store");
    let rules = util::bundled();
    let mut save = |name: &str, saved_at: &str, supersedes: Option<RecordId>, choices: Choices| {
        let path = util::root()
            .join("tests/cases")
            .join(format!("{name}.yaml"));
        let assessment = files::read_assessment(&path, rules).expect("valid case");
        let formulation = sicol::evaluate(rules, &assessment);
        let saved_at: DateTime<Utc> = DateTime::parse_from_rfc3339(saved_at)
            .expect("valid time")
            .with_timezone(&Utc);
        let draft = Draft {
            assessment: &assessment,
            formulation: &formulation,
            choices: &choices,
            supersedes,
            saved_at,
            mha_decision: None,
        };
        store.save(&draft, rules).expect("example saved");
    };
    save(
        "social_led_eviction",
        "2026-11-20T15:05:00Z",
        None,
        Choices::default(),
    );
    save(
        "medical_led_psychosis",
        "2026-11-21T10:40:00Z",
        None,
        Choices::default(),
    );
    let mut choices = Choices::default();
    choices.set("housing_advice", Decision::Accepted, None);
    choices.set("debt_advice", Decision::Accepted, None);
    choices.set(
        "faith_and_community",
        Decision::Declined,
        Some("Not religious; would rather see friends".into()),
    );
    choices.set("befriending", Decision::Deferred, None);
    save(
        "social_led_eviction",
        "2026-11-20T15:30:00Z",
        Some(RecordId(1)),
        choices,
    );
}

#[test]
fn the_example_records_verify_and_replay_without_drift() {
    if std::env::var_os("SICOL_UPDATE_EXAMPLES").is_some() {
        rebuild();
    }
    let mut store = Store::open(&examples_dir()).expect("formulations/ exists");
    let verification = store.verify().expect("verify runs");
    assert!(
        verification.broken.is_none(),
        "{:?}",
        verification.broken.map(|problem| problem.to_string())
    );
    // Records saved locally after the examples (untracked, see .gitignore) may follow them.
    let ids = store.ids().expect("ids");
    assert!(
        ids.starts_with(&[RecordId(1), RecordId(2), RecordId(3)]),
        "{ids:?}"
    );
    assert!(verification.good >= 3);
    for id in [RecordId(1), RecordId(2), RecordId(3)] {
        let record = store.read(id).expect("example reads");
        let replay = store.replay(&record, None).expect("example replays");
        assert!(replay.own_rules);
        let changes: Vec<String> = replay
            .drift
            .fields
            .iter()
            .map(ToString::to_string)
            .collect();
        assert!(
            changes.is_empty(),
            "example record {id} drifted; if the engine changed on purpose, rebuild the examples \
             with SICOL_UPDATE_EXAMPLES=1 cargo test --test example_records\n{}",
            changes.join("\n")
        );
    }
    let revision = store.read(RecordId(3)).expect("revision");
    assert_eq!(revision.supersedes, Some(RecordId(1)));
    assert_eq!(revision.typed_choices().expect("choices").0.len(), 4);
}

/// Records made before urgency followed risk (sicol 0.1.0 with the score-led rules 2026.11.0,
/// kept byte for byte under `tests/fixtures/store-2026.11.1/`) still verify and replay under
/// their own rule-set copy with no drift at all: old assessments (no trend, self-care, capacity,
/// and `dependants: 0` written out) parse as they did, and a rule set with `urgency_cutoffs`
/// is weighed as it was.
#[test]
fn records_made_before_risk_led_urgency_replay_unchanged_under_their_own_rules() {
    let fixture = util::root().join("tests/fixtures/store-2026.11.1");
    // Work on a copy: opening a store may check and tighten file modes.
    let temp = tempfile::tempdir().expect("temp dir");
    let dir = temp.path().join("store");
    copy_tree(&fixture, &dir);
    let mut store = Store::open(&dir).expect("old store opens");
    let verification = store.verify().expect("verify runs");
    assert!(verification.broken.is_none(), "{:?}", verification.broken);
    assert_eq!(verification.good, 3);
    for id in [RecordId(1), RecordId(2), RecordId(3)] {
        let record = store.read(id).expect("old record reads");
        let replay = store.replay(&record, None).expect("old record replays");
        assert!(replay.own_rules, "{id} replayed under its own rules");
        let changes: Vec<String> = replay
            .drift
            .fields
            .iter()
            .map(ToString::to_string)
            .collect();
        assert!(
            changes.is_empty(),
            "record {id} drifted:\n{}",
            changes.join("\n")
        );
    }
}

fn copy_tree(from: &std::path::Path, to: &std::path::Path) {
    fs::create_dir_all(to).expect("folder");
    for entry in fs::read_dir(from).expect("readable") {
        let path = entry.expect("entry").path();
        let target = to.join(path.file_name().expect("name"));
        if path.is_dir() {
            copy_tree(&path, &target);
        } else {
            fs::copy(&path, &target).expect("copied");
        }
    }
}
