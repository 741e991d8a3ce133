//! Cohort figures, follow-ups and the demo store (issue 8): figures from a store built of the
//! golden cases, whose counts are known from the case files; follow-ups appended with
//! `sicol outcome` keep the chain verifiable; published formats never show a count below 5.

mod util;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use chrono::{DateTime, NaiveDate, Utc};
use sicol::cohort::demo::{self, DemoOptions, DemoStep};
use sicol::cohort::figures::{CohortFigures, DateWindow, PairTally, Tally};
use sicol::cohort::{self, view, ReportFormat, ReportOptions};
use sicol::files;
use sicol::model::{Choices, Decision};
use sicol::records::{FollowUp, FollowUpDraft, FollowUpReport, RecordId, RecordStore, Store};

/// The golden cases, in the order they are saved (record 1 is the first).
const CASES: [&str; 10] = [
    "social_led_eviction",
    "child_proceedings",
    "domestic_abuse",
    "low_urgency_benefits",
    "medical_led_psychosis",
    "mixed_bereavement",
    "no_stressors_edge",
    "older_person_independence",
    "strengths_protective",
    "suicide_attempt_emergency",
];

fn at(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text)
        .expect("valid time")
        .with_timezone(&Utc)
}

fn day(text: &str) -> NaiveDate {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").expect("valid day")
}

/// The person's choices in the test store: the first referral accepted, the second declined,
/// the third deferred, any more left undecided.
fn choices_for(formulation: &sicol::Formulation) -> Choices {
    let mut choices = Choices::default();
    let decisions = [Decision::Accepted, Decision::Declined, Decision::Deferred];
    for (referral, decision) in view::referrals(&sicol::records::to_value(formulation))
        .iter()
        .zip(decisions)
    {
        choices.set(&referral.key, decision, None);
    }
    choices
}

fn follow(store: &mut Store, follows: u64, date: &str, admitted: bool, resolved: &[&str]) {
    let record = store.read(RecordId(follows)).expect("followed record");
    let follow_up = FollowUp::check(
        &record,
        FollowUpReport {
            admitted,
            issues_resolved: resolved.iter().map(|kind| (*kind).to_owned()).collect(),
            note: Some("spoke by phone".into()),
            date: day(date),
        },
        &util::bundled().vocabulary,
        "test",
    )
    .expect("valid follow-up");
    store
        .save_follow_up(&FollowUpDraft {
            follow_up,
            ruleset: record.ruleset.clone(),
            saved_at: at(&format!("{date}T12:00:00Z")),
        })
        .expect("follow-up saved");
}

/// Ten golden cases (records 1–10), a revision of the first (11) and three follow-ups (12–14),
/// one of them naming the revised record.
fn known_store(dir: &Path) -> Store {
    let rules = util::bundled();
    let mut store = Store::create(dir).expect("store");
    let save = |store: &mut Store, name: &str, minute: usize, supersedes: Option<RecordId>| {
        let path = util::root()
            .join("tests/cases")
            .join(format!("{name}.yaml"));
        let assessment = files::read_assessment(&path, rules).expect("valid case");
        let formulation = sicol::evaluate(rules, &assessment);
        let choices = choices_for(&formulation);
        let draft = sicol::records::Draft {
            assessment: &assessment,
            formulation: &formulation,
            choices: &choices,
            supersedes,
            saved_at: at(&format!("2026-11-25T10:{minute:02}:00Z")),
            mha_decision: None,
        };
        store.save(&draft, rules).expect("saved");
    };
    for (minute, name) in CASES.iter().enumerate() {
        save(&mut store, name, minute, None);
    }
    save(&mut store, "social_led_eviction", 30, Some(RecordId(1)));
    // Follows record 1, revised by 11: counts for 11. 2026-11-20 → 2026-12-01 is 11 days.
    follow(&mut store, 1, "2026-12-01", false, &["eviction", "debt"]);
    // 2026-11-24 → 2026-11-30: 6 days.
    follow(&mut store, 10, "2026-11-30", true, &[]);
    // 2026-11-12 → 2026-11-26: 14 days.
    follow(&mut store, 4, "2026-11-26", false, &["benefits_problem"]);
    store
}

fn figures_of(dir: &Path, window: DateWindow) -> CohortFigures {
    let mut store = Store::open(dir).expect("store");
    let mut chain = sicol::records::backend::ChainCheck::new(Vec::new(), false);
    let (entries, unreadable) = cohort::read_store(&mut store, &mut chain).expect("readable store");
    assert!(!chain.is_broken(), "the chain is intact");
    CohortFigures::compute(entries, unreadable, window)
}

fn tally(key: &str, count: usize) -> Tally {
    Tally {
        key: key.into(),
        count,
    }
}

fn count(tallies: &[Tally], key: &str) -> Option<usize> {
    tallies.iter().find(|t| t.key == key).map(|t| t.count)
}

#[test]
fn figures_of_a_store_with_known_counts() {
    let temp = tempfile::tempdir().expect("temp dir");
    let dir = temp.path().join("formulations");
    known_store(&dir);
    let figures = figures_of(&dir, DateWindow::default());

    assert_eq!(figures.records, 14);
    assert_eq!(figures.assessment_records, 11);
    assert_eq!(figures.follow_up_records, 3);
    assert_eq!(figures.superseded, 1);
    assert_eq!(figures.earlier_assessments, 0);
    assert_eq!(figures.follow_ups_not_counted, 0);
    assert!(figures.unreadable.is_empty());
    assert_eq!(figures.people, 10);
    // From the golden snapshots.
    assert_eq!(
        figures.balance,
        [
            tally("social_led", 6),
            tally("mixed", 1),
            tally("medical_led", 3)
        ]
    );
    assert_eq!(
        figures.urgency,
        [
            tally("emergency", 0),
            tally("very_high", 4),
            tally("high", 1),
            tally("moderate", 0),
            tally("low", 4),
            tally("routine", 1),
        ]
    );
    // From the case files: five kinds twice, ten once.
    assert_eq!(figures.stressors.len(), 15);
    let twice: Vec<&str> = figures.stressors[..5]
        .iter()
        .map(|t| t.key.as_str())
        .collect();
    assert_eq!(
        twice,
        [
            "debt",
            "employment_loss",
            "housing_insecurity",
            "relationship_loss",
            "social_isolation"
        ]
    );
    assert!(figures.stressors[..5].iter().all(|t| t.count == 2));
    assert!(figures.stressors[5..].iter().all(|t| t.count == 1));
    assert_eq!(count(&figures.stressors, "eviction"), Some(1));
    // 1 + 1 + 3 + 1 + 6 + 3 + 1 pairs, each in one case.
    assert_eq!(figures.stressor_pairs.len(), 16);
    assert!(figures.stressor_pairs.iter().all(|pair| pair.count == 1));
    assert_eq!(
        figures.stressor_pairs[0],
        PairTally {
            first: "benefits_problem".into(),
            second: "employment_loss".into(),
            count: 1
        }
    );

    // Decisions follow the rule of `choices_for`, applied to each current formulation.
    let rules = util::bundled();
    let mut expected = [0usize; 4];
    let mut referred = 0;
    for name in CASES {
        let path = util::root()
            .join("tests/cases")
            .join(format!("{name}.yaml"));
        let assessment = files::read_assessment(&path, rules).expect("valid case");
        let n = view::referrals(&sicol::records::to_value(&sicol::evaluate(
            rules,
            &assessment,
        )))
        .len();
        referred += usize::from(n > 0);
        expected[0] += n.min(1);
        expected[1] += usize::from(n >= 2);
        expected[2] += usize::from(n >= 3);
        expected[3] += n.saturating_sub(3);
    }
    assert_eq!(figures.people_referred, referred);
    let mut decided = [0usize; 4];
    for tally in &figures.referrals_by_category {
        assert_eq!(
            tally.offered,
            tally.parts().iter().sum::<usize>(),
            "{tally:?}"
        );
        for (sum, part) in decided.iter_mut().zip(tally.parts()) {
            *sum += part;
        }
    }
    // Today's formulations refer by category, one category each, so the totals match exactly.
    if figures.referrals_by_partner.is_empty() {
        assert_eq!(decided, expected);
    }

    let outcomes = &figures.outcomes;
    assert_eq!(outcomes.followed_up, 3);
    assert_eq!(outcomes.admitted, 1);
    assert_eq!(outcomes.not_admitted, 2);
    // Eviction case 3 stressors, emergency case 1, benefits case 3.
    assert_eq!(outcomes.issues_recorded, 7);
    assert_eq!(outcomes.issues_resolved, 3);
    assert_eq!(outcomes.people_with_issues_resolved, 2);
    assert_eq!(outcomes.median_days_to_follow_up, Some(11.0));
}

#[test]
fn the_date_window_selects_by_the_day_of_assessment() {
    let temp = tempfile::tempdir().expect("temp dir");
    let dir = temp.path().join("formulations");
    known_store(&dir);
    let figures = figures_of(
        &dir,
        DateWindow {
            from: Some(day("2026-11-18")),
            to: Some(day("2026-11-21")),
        },
    );
    // Bereavement (18th), child proceedings (19th), eviction (20th), psychosis (21st).
    assert_eq!(figures.people, 4);
    assert_eq!(figures.outside_window, 6);
    assert_eq!(figures.outcomes.followed_up, 1);
    assert_eq!(figures.follow_ups_not_counted, 2);
    assert_eq!(figures.outcomes.median_days_to_follow_up, Some(11.0));
}

fn sicol(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_sicol"))
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .expect("sicol runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn record_files(dir: &Path) -> Vec<PathBuf> {
    let store = Store::open(dir).expect("store");
    store
        .ids()
        .expect("ids")
        .into_iter()
        .map(|id| store.path_of(id))
        .collect()
}

#[test]
fn sicol_outcome_appends_a_checked_follow_up_and_keeps_the_chain() {
    let temp = tempfile::tempdir().expect("temp dir");
    let dir = temp.path().join("formulations");
    known_store(&dir);
    let store = dir.to_string_lossy().into_owned();
    let first = dir.join("00000002.json").to_string_lossy().into_owned();
    let before = record_files(&dir).len();

    let typo = sicol(&[
        "outcome",
        &first,
        "--admitted",
        "no",
        "--issues-resolved",
        "child_statutory_procedings",
        "--date",
        "2026-12-01",
    ]);
    assert_eq!(typo.status.code(), Some(2));
    assert!(
        text(&typo.stderr).contains("did you mean `child_statutory_proceedings`"),
        "{}",
        text(&typo.stderr)
    );
    let medical = sicol(&[
        "outcome",
        "00000002",
        "--store",
        &store,
        "--admitted",
        "no",
        "--issues-resolved",
        "substance_misuse",
        "--date",
        "2026-12-01",
    ]);
    assert_eq!(medical.status.code(), Some(2));
    assert!(text(&medical.stderr).contains("is a medical factor, not a social issue"));
    let not_recorded = sicol(&[
        "outcome",
        &first,
        "--admitted",
        "no",
        "--issues-resolved",
        "eviction",
        "--date",
        "2026-12-01",
    ]);
    assert_eq!(not_recorded.status.code(), Some(2));
    assert!(
        text(&not_recorded.stderr).contains("`eviction` was not recorded as a stressor"),
        "{}",
        text(&not_recorded.stderr)
    );
    let early = sicol(&[
        "outcome",
        &first,
        "--admitted",
        "no",
        "--date",
        "2026-11-01",
    ]);
    assert_eq!(early.status.code(), Some(2));
    assert!(text(&early.stderr).contains("before the assessment on 2026-11-19"));
    let of_follow_up = sicol(&[
        "outcome",
        "12",
        "--store",
        &store,
        "--admitted",
        "no",
        "--date",
        "2026-12-01",
    ]);
    assert_eq!(of_follow_up.status.code(), Some(2));
    assert!(text(&of_follow_up.stderr).contains("is a follow-up, not an assessment"));
    assert_eq!(
        record_files(&dir).len(),
        before,
        "refused follow-ups write nothing"
    );

    let saved = sicol(&[
        "outcome",
        &first,
        "--admitted",
        "no",
        "--issues-resolved",
        "relationship_loss, child_statutory_proceedings",
        "--note",
        "back in touch with the family court adviser",
        "--date",
        "2026-12-03",
    ]);
    assert_eq!(saved.status.code(), Some(0), "{}", text(&saved.stderr));
    assert!(text(&saved.stderr).contains("00000015.json"));
    let record = sicol::records::store::read_record(&dir.join("00000015.json")).expect("record");
    let assessed = sicol::records::store::read_record(&dir.join("00000002.json")).expect("record");
    let follow_up = record.follow_up.clone().expect("a follow-up record");
    assert_eq!(follow_up.follows, RecordId(2));
    assert_eq!(follow_up.case, assessed.case());
    assert_eq!(
        follow_up.issues_resolved,
        ["relationship_loss", "child_statutory_proceedings"]
    );
    assert!(record.assessment.is_null() && record.formulation.is_null());

    let verify = sicol(&["verify", &store]);
    assert_eq!(verify.status.code(), Some(0), "{}", text(&verify.stdout));
    assert!(text(&verify.stdout).contains("15 records, chain intact"));
    let replay = sicol(&["replay", &store]);
    assert_eq!(replay.status.code(), Some(0), "{}", text(&replay.stdout));
    assert!(text(&replay.stdout)
        .contains("11 match, 0 drifted, 0 failed (4 follow-up records skipped)"));
    let report = sicol(&["report", "--store", &store, "--format", "json"]);
    assert_eq!(report.status.code(), Some(0));
    let json: serde_json::Value = serde_json::from_slice(&report.stdout).expect("json");
    assert_eq!(json["figures"]["outcomes"]["followed_up"], 4);
    assert_eq!(json["figures"]["outcomes"]["issues_resolved"], 5);
}

#[test]
fn a_damaged_record_stops_the_report() {
    let temp = tempfile::tempdir().expect("temp dir");
    let dir = temp.path().join("formulations");
    known_store(&dir);
    let path = dir.join("00000003.json");
    let damaged = fs::read_to_string(&path)
        .expect("record")
        .replace("\"high\"", "\"low\"");
    fs::write(&path, damaged).expect("written");
    let report = sicol(&["report", "--store", &dir.to_string_lossy()]);
    assert_eq!(report.status.code(), Some(1));
    assert!(text(&report.stderr).contains("sicol verify"));
    assert!(report.stdout.is_empty());
    let bad_dates = sicol(&[
        "report",
        "--store",
        &dir.to_string_lossy(),
        "--from",
        "2026-12-01",
        "--to",
        "2026-11-01",
    ]);
    assert_eq!(bad_dates.status.code(), Some(2));
}

fn report_of(dir: &Path, format: ReportFormat, chart: bool) -> String {
    let options = ReportOptions {
        source: "formulations",
        top: 5,
        chart,
    };
    cohort::report(
        &figures_of(dir, DateWindow::default()),
        &util::bundled().vocabulary,
        format,
        &options,
    )
}

/// Every number in a published table cell is 5 or more; small counts read "<5".
fn assert_no_small_counts(published: &str) {
    for line in published.lines().filter(|line| line.starts_with('|')) {
        for cell in line.split('|').map(str::trim).skip(2) {
            if let Ok(number) = cell.parse::<usize>() {
                assert!(number >= 5, "small count {number} in `{line}`");
            }
        }
    }
}

#[test]
fn published_reports_never_show_a_count_below_five() {
    let temp = tempfile::tempdir().expect("temp dir");
    let dir = temp.path().join("formulations");
    known_store(&dir);
    let markdown = report_of(&dir, ReportFormat::Markdown, false);
    assert_no_small_counts(&markdown);
    assert!(markdown.contains("| Social-led | 6 | 60% |"));
    // Mixed (1) and medical-led (3) are hidden, so social-led can stay.
    assert!(markdown.contains("| Mixed | <5 |  |"));
    assert!(markdown.contains("Counts below 5 are shown as <5"));
    // Three follow-ups: the median of so few is withheld too.
    assert!(markdown.contains("withheld (fewer than 5 people followed up)"));
    let html = report_of(&dir, ReportFormat::Html, false);
    assert!(html.contains("<svg"));
    assert!(html.contains("&lt;5"));
    for line in html.lines().filter(|line| line.starts_with("<tr><td>")) {
        for cell in line.split("<td class=\"n\">").skip(1) {
            let cell = cell.split('<').next().unwrap_or_default();
            if let Ok(number) = cell.parse::<usize>() {
                assert!(number >= 5, "small count {number} in `{line}`");
            }
        }
    }
    // The internal text format is exact and says so.
    let text = report_of(&dir, ReportFormat::Text, false);
    assert!(text.contains("Exact counts, for internal use only"));
    let mixed = text
        .lines()
        .find(|line| line.trim_start().starts_with("Mixed"))
        .expect("a mixed row");
    assert_eq!(
        mixed.split_whitespace().collect::<Vec<_>>(),
        ["Mixed", "1", "10%"]
    );
}

#[test]
fn report_snapshots() {
    let temp = tempfile::tempdir().expect("temp dir");
    let dir = temp.path().join("formulations");
    known_store(&dir);
    util::snapshot_settings().bind(|| {
        insta::assert_snapshot!(
            "cohort_report_text",
            report_of(&dir, ReportFormat::Text, true)
        );
        insta::assert_snapshot!(
            "cohort_report_markdown",
            report_of(&dir, ReportFormat::Markdown, false)
        );
    });
}

#[test]
fn the_demo_store_is_reproducible_and_verifies() {
    let temp = tempfile::tempdir().expect("temp dir");
    let rules = util::bundled();
    let options = DemoOptions {
        people: 40,
        seed: 11,
        start: day("2026-01-05"),
        days: 60,
    };
    let plan = demo::plan(rules, options);
    let follow_ups = plan
        .iter()
        .filter(|step| matches!(step, DemoStep::FollowUp { .. }))
        .count();
    let mut stores = Vec::new();
    for name in ["a", "b"] {
        let dir = temp.path().join(name);
        let mut store = Store::create(&dir).expect("store");
        let ids = demo::write(&mut store, rules, &demo::plan(rules, options)).expect("written");
        assert_eq!(ids.len(), plan.len());
        let verification = store.verify().expect("verify runs");
        assert!(verification.broken.is_none(), "{:?}", verification.broken);
        stores.push(dir);
    }
    for (a, b) in record_files(&stores[0])
        .iter()
        .zip(record_files(&stores[1]))
    {
        assert_eq!(fs::read(a).expect("a"), fs::read(b).expect("b"), "{a:?}");
    }
    let other = demo::plan(
        rules,
        DemoOptions {
            seed: 12,
            ..options
        },
    );
    assert_ne!(format!("{other:?}"), format!("{plan:?}"));

    let figures = figures_of(&stores[0], DateWindow::default());
    assert_eq!(figures.people, 40);
    assert_eq!(figures.follow_up_records, follow_ups);
    assert!(figures.unreadable.is_empty());
    assert_eq!(
        figures.outcomes.followed_up + figures.follow_ups_not_counted,
        follow_ups
    );
    assert_eq!(
        figures.assessment_records - figures.superseded,
        40,
        "one current assessment per person"
    );

    // The command refuses a folder that holds records.
    let refused = sicol(&["demo-store", "--out", &stores[0].to_string_lossy()]);
    assert_eq!(refused.status.code(), Some(2));
    assert!(text(&refused.stderr).contains("already holds records"));
}
