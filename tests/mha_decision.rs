//! The Mental Health Act decision (issue 14): recorded alongside the formulation in an assessment
//! record, it keeps the chain verifiable and replay unchanged, leaves records without one byte
//! for byte as before, and is counted in `sicol report` by outcome, with admissions avoided and
//! the usual small-count suppression. A revision counts the person once, with its decision.

mod util;

use std::path::Path;

use chrono::{DateTime, Utc};
use sicol::cohort::figures::{CohortFigures, DateWindow};
use sicol::cohort::{self, ReportFormat, ReportOptions};
use sicol::files;
use sicol::model::{Choices, MhaDecision, MhaOutcome};
use sicol::records::{Draft, RecordId, RecordStore, Store};

const CASES: [&str; 8] = [
    "social_led_eviction",
    "child_proceedings",
    "domestic_abuse",
    "low_urgency_benefits",
    "medical_led_psychosis",
    "mixed_bereavement",
    "older_person_independence",
    "suicide_attempt_emergency",
];

fn at(minute: usize) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(&format!("2026-11-25T10:{minute:02}:00Z"))
        .expect("valid time")
        .with_timezone(&Utc)
}

fn save(
    store: &mut Store,
    name: &str,
    minute: usize,
    decision: Option<MhaDecision>,
    supersedes: Option<RecordId>,
) -> RecordId {
    let rules = util::bundled();
    let path = util::root()
        .join("tests/cases")
        .join(format!("{name}.yaml"));
    let assessment = files::read_assessment(&path, rules).expect("valid case");
    let formulation = sicol::evaluate(rules, &assessment);
    let draft = Draft {
        assessment: &assessment,
        formulation: &formulation,
        choices: &Choices::default(),
        supersedes,
        saved_at: at(minute),
        mha_decision: decision.as_ref(),
    };
    store.save(&draft, rules).expect("saved").id
}

fn decided(outcome: MhaOutcome, agreed: Option<bool>) -> Option<MhaDecision> {
    Some(MhaDecision {
        outcome,
        agreed_to_plan: agreed,
        note: None,
    })
}

/// Eight people: five not detained, one section 136 ended, one informal admission, one section
/// 2 later revised to section 3; and one record (the last) with no decision at all.
fn store_with_decisions(dir: &Path) -> Store {
    let mut store = Store::create(dir).expect("store");
    let outcomes = [
        MhaOutcome::NoDetention,
        MhaOutcome::NoDetention,
        MhaOutcome::NoDetention,
        MhaOutcome::NoDetention,
        MhaOutcome::NoDetention,
        MhaOutcome::Section136Ended,
        MhaOutcome::InformalAdmission,
        MhaOutcome::Section2,
    ];
    for (minute, (name, outcome)) in CASES.iter().zip(outcomes).enumerate() {
        save(&mut store, name, minute, decided(outcome, Some(true)), None);
    }
    // The section 2 was recorded in error: the revision says section 3.
    save(
        &mut store,
        CASES[7],
        20,
        decided(MhaOutcome::Section3, Some(false)),
        Some(RecordId(8)),
    );
    save(&mut store, "strengths_protective", 21, None, None);
    store
}

fn figures_of(dir: &Path) -> CohortFigures {
    let mut store = Store::open(dir).expect("store");
    let mut chain = sicol::records::backend::ChainCheck::new(Vec::new(), false);
    let (entries, unreadable) = cohort::read_store(&mut store, &mut chain).expect("readable store");
    assert!(!chain.is_broken(), "the chain is intact");
    CohortFigures::compute(entries, unreadable, DateWindow::default())
}

fn report_of(dir: &Path, format: ReportFormat) -> String {
    let options = ReportOptions {
        source: "formulations",
        top: 5,
        chart: false,
    };
    cohort::report(
        &figures_of(dir),
        &util::bundled().vocabulary,
        format,
        &options,
    )
}

#[test]
fn a_decision_is_kept_beside_the_formulation_and_the_store_verifies_and_replays() {
    let temp = tempfile::tempdir().expect("temp dir");
    let dir = temp.path().join("formulations");
    let mut store = store_with_decisions(&dir);
    let verification = store.verify().expect("verify runs");
    assert!(verification.broken.is_none(), "{:?}", verification.broken);
    assert_eq!(verification.good, 10);
    let revision = store.read(RecordId(9)).expect("record");
    assert_eq!(revision.supersedes, Some(RecordId(8)));
    assert_eq!(
        revision
            .mha_decision
            .as_ref()
            .map(|decision| decision.outcome),
        Some(MhaOutcome::Section3)
    );
    // The decision is not part of the formulation, so replay finds nothing to report.
    let replay = store.replay(&revision, None).expect("replayed");
    assert!(replay.drift.is_empty(), "{:?}", replay.drift);
    // A record without a decision has no trace of the field: its bytes are as before.
    let plain = std::fs::read_to_string(store.path_of(RecordId(10))).expect("record file");
    assert!(!plain.contains("mha_decision"));
    let with = std::fs::read_to_string(store.path_of(RecordId(9))).expect("record file");
    assert!(with.contains("\"mha_decision\""));
    assert!(with.contains("\"outcome\": \"section_3\""));
}

#[test]
fn the_report_counts_decisions_by_outcome_once_per_person() {
    let temp = tempfile::tempdir().expect("temp dir");
    let dir = temp.path().join("formulations");
    store_with_decisions(&dir);
    let figures = figures_of(&dir);
    assert_eq!(figures.people, 9);
    assert_eq!(figures.superseded, 1);
    let decisions = &figures.mha_decisions;
    assert_eq!(decisions.recorded, 8);
    let count = |key: &str| {
        decisions
            .by_outcome
            .iter()
            .find(|tally| tally.key == key)
            .map_or(0, |tally| tally.count)
    };
    assert_eq!(count("no_detention"), 5);
    assert_eq!(count("section_2"), 0, "the revised record no longer counts");
    assert_eq!(count("section_3"), 1);
    assert_eq!(decisions.admissions_avoided, 6);
    assert_eq!(decisions.admitted, 2);
    assert_eq!((decisions.agreed_to_plan, decisions.did_not_agree), (7, 1));

    let text = report_of(&dir, ReportFormat::Text);
    assert!(
        text.contains("Decisions under the Mental Health Act"),
        "{text}"
    );
    assert!(text.contains("Admissions avoided by the decision (no detention, or a section 136 ended without detention): 6; admitted (informal admission or detained): 2"), "{text}");
    // Published: every count under 5 is hidden, and one more where subtraction would tell.
    let markdown = report_of(&dir, ReportFormat::Markdown);
    assert!(markdown.contains("| No detention | 5 |"), "{markdown}");
    assert!(
        markdown.contains("| Detained: section 3 | <5 |"),
        "{markdown}"
    );
    assert!(
        markdown.contains("admitted (informal admission or detained): <5"),
        "{markdown}"
    );
    for line in markdown.lines().filter(|line| line.starts_with('|')) {
        for cell in line.split('|').map(str::trim).skip(2) {
            if let Ok(number) = cell.parse::<usize>() {
                assert!(number >= 5, "small count {number} in `{line}`");
            }
        }
    }
    let json = report_of(&dir, ReportFormat::Json);
    assert!(json.contains("\"mha_decisions\""));
}

#[test]
fn a_store_without_decisions_reports_as_before() {
    let temp = tempfile::tempdir().expect("temp dir");
    let dir = temp.path().join("formulations");
    let mut store = Store::create(&dir).expect("store");
    save(&mut store, "social_led_eviction", 0, None, None);
    let text = report_of(&dir, ReportFormat::Text);
    assert!(!text.contains("Mental Health Act"));
    assert!(!report_of(&dir, ReportFormat::Json).contains("mha_decisions"));
}

fn sicol(args: &[&str], cwd: &Path) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_sicol"))
        .args(args)
        .current_dir(cwd)
        .env("NO_COLOR", "1")
        .output()
        .expect("sicol runs")
}

#[test]
fn evaluate_save_records_the_decision_given_on_the_command_line() {
    let temp = tempfile::tempdir().expect("temp dir");
    let case = util::root()
        .join("tests/cases/social_led_eviction.yaml")
        .display()
        .to_string();
    let saved = sicol(
        &[
            "evaluate",
            "--save",
            "--store",
            "store",
            "--decision",
            "section_136_ended",
            "--agreed",
            "yes",
            &case,
        ],
        temp.path(),
    );
    assert_eq!(
        saved.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&saved.stderr)
    );
    let store = Store::open(&temp.path().join("store")).expect("store");
    let record = store.read(RecordId(1)).expect("record");
    assert_eq!(
        record.mha_decision,
        Some(MhaDecision {
            outcome: MhaOutcome::Section136Ended,
            agreed_to_plan: Some(true),
            note: None,
        })
    );
    // "other" must say what it was; nothing is written without it.
    let refused = sicol(
        &[
            "evaluate",
            "--save",
            "--store",
            "store",
            "--decision",
            "other",
            &case,
        ],
        temp.path(),
    );
    assert_eq!(refused.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&refused.stderr)
        .contains("error: --decision: the decision is `other`, but nothing says what it was"));
    assert_eq!(store.ids().expect("ids"), [RecordId(1)]);
    // The report counts it as an admission avoided.
    let report = sicol(&["report", "--store", "store"], temp.path());
    let text = String::from_utf8_lossy(&report.stdout);
    assert!(
        text.contains("Admissions avoided by the decision (no detention, or a section 136 ended without detention): 1;"),
        "{text}"
    );
}
