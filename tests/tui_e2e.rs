//! End to end: drives the real `sicol assess` binary in a tmux terminal (send-keys, capture-pane)
//! through a whole assessment and checks the saved file; and checks that a closed terminal loses
//! nothing (the draft is offered and resumed). Needs tmux (CI installs it in .ci/run).

mod util;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::thread::sleep;
use std::time::Duration;

use chrono::Days;
use sicol::model::{Decision, MhaOutcome};
use sicol::records::{RecordId, RecordStore, Store};

/// How often and how long to poll the screen for expected text (up to 20 s in all).
const POLL: Duration = Duration::from_millis(100);
const TRIES: usize = 200;

fn tmux(args: &[&str]) -> Output {
    match Command::new("tmux").args(args).output() {
        Ok(output) => output,
        Err(error) => panic!(
            "tmux is needed for the TUI end-to-end test but could not be run ({error}); \
             install it (apt-get install tmux) — .ci/run does this in CI"
        ),
    }
}

/// A detached tmux session running one command, killed when dropped.
struct Session {
    name: String,
}

impl Session {
    fn start(name: &str, command: &str) -> Self {
        let name = format!("sicol-e2e-{name}-{}", std::process::id());
        let output = tmux(&[
            "new-session",
            "-d",
            "-s",
            &name,
            "-x",
            "100",
            "-y",
            "30",
            command,
        ]);
        assert!(
            output.status.success(),
            "tmux new-session failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        Session { name }
    }

    fn screen(&self) -> String {
        String::from_utf8_lossy(&tmux(&["capture-pane", "-p", "-t", &self.name]).stdout)
            .into_owned()
    }

    /// Polls until `text` is on screen; fails with the screen as it is.
    fn wait_for(&self, text: &str) -> String {
        let mut screen = String::new();
        for _ in 0..TRIES {
            screen = self.screen();
            if screen.contains(text) {
                return screen;
            }
            sleep(POLL);
        }
        panic!("`{text}` never appeared on screen:\n{screen}");
    }

    /// Named keys (Enter, Escape, Right, Tab) or single characters.
    fn keys(&self, keys: &[&str]) {
        for key in keys {
            tmux(&["send-keys", "-t", &self.name, key]);
            // An Escape followed at once by an arrow's escape sequence reads as Esc, `[`, `C`
            // (and `[` is "previous step"): give the terminal a moment to take Esc alone.
            if *key == "Escape" {
                sleep(Duration::from_millis(150));
            }
        }
    }

    /// Literal text, typed as is.
    fn type_text(&self, text: &str) {
        tmux(&["send-keys", "-t", &self.name, "-l", text]);
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        tmux(&["kill-session", "-t", &self.name]);
    }
}

/// `where_to` is `--out FILE` (a plain assessment file) or `--store DIR` (a record).
fn assess_command(dir: &Path, where_to: &str, path: &Path) -> String {
    assess_command_with(dir, &format!("{where_to} '{}'", path.display()))
}

/// `sicol assess` with these arguments, drafts in `dir/drafts`, and no assessor from the
/// environment or a config file unless the arguments give one.
fn assess_command_with(dir: &Path, args: &str) -> String {
    format!(
        "cd '{root}' && env -u SICOL_ASSESSOR SICOL_CONFIG='{config}' '{bin}' assess --rules '{rules}' --drafts '{drafts}' {args}; echo \"exit=$?\"; sleep 600",
        root = util::root().display(),
        config = dir.join("no-config.yaml").display(),
        bin = env!("CARGO_BIN_EXE_sicol"),
        rules = util::rules_dir().display(),
        drafts = dir.join("drafts").display(),
    )
}

fn drafts_in(dir: &Path) -> Vec<PathBuf> {
    std::fs::read_dir(dir.join("drafts"))
        .map(|entries| {
            entries
                .filter_map(|entry| entry.ok().map(|entry| entry.path()))
                .filter(|path| path.extension().is_some_and(|ext| ext == "yaml"))
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn a_whole_assessment_is_entered_and_saved() {
    let dir = tempfile::tempdir().unwrap();
    let store_dir = dir.path().join("store");
    let session = Session::start("whole", &assess_command(dir.path(), "--store", &store_dir));
    session.wait_for("Person and context");

    // Person: case id, then Tab straight into the assessor field.
    session.keys(&["Enter"]);
    session.type_text("A-E2E-7");
    session.keys(&["Tab"]);
    session.type_text("AMHP-3");
    session.keys(&["Escape"]);
    session.wait_for("AMHP-3");

    // Stressors: search the vocabulary, severity with one key, a relative due date.
    session.keys(&["Right", "a"]);
    session.wait_for("Add a stressor");
    session.type_text("evic");
    session.wait_for("›Eviction");
    session.keys(&["Enter"]);
    session.wait_for("Severity of Eviction");
    session.keys(&["3"]);
    session.wait_for("3 severe");
    session.keys(&["u"]);
    session.type_text("+7d");
    session.wait_for("in 7 days");
    session.keys(&["Escape"]);

    // Medical.
    session.keys(&["Right", "a"]);
    session.wait_for("Add a medical factor");
    session.type_text("suicidal idea");
    session.wait_for("›Suicidal ideation");
    session.keys(&["Enter"]);
    session.wait_for("Severity of Suicidal ideation");
    session.keys(&["2"]);
    session.wait_for("2 moderate");

    // Strengths and wishes.
    session.keys(&["Right", "w"]);
    session.type_text("Wants to stay at home");
    session.keys(&["Escape"]);
    session.wait_for("Wants to stay at home");

    // Referrals: the person accepts the first.
    session.keys(&["Right"]);
    session.wait_for("[to discuss]");
    session.keys(&["a"]);
    session.wait_for("[accepted]");

    // Decision: no detention, chosen from the list.
    session.keys(&["Right"]);
    session.wait_for("Decision under the Mental Health Act");
    session.keys(&["Enter"]);
    session.type_text("no det");
    session.keys(&["Enter"]);
    session.wait_for("No detention");

    // Review and save; the live formulation shows urgency in words.
    session.keys(&["Right"]);
    let review = session.wait_for("Ready to save");
    assert!(review.contains("Urgency"), "{review}");
    session.keys(&["Enter"]);
    session.wait_for("Saved: record 00000001");
    session.keys(&["q"]);
    // The terminal is given back: the shell prints what sicol said, then its exit code.
    let after = session.wait_for("exit=0");
    assert!(after.contains("saved "), "{after}");

    // The work is a formulation record, chained in a store that verifies.
    let mut store = Store::open(&store_dir).expect("the store was created");
    let verification = store.verify().expect("store verifies");
    assert!(verification.broken.is_none(), "{:?}", verification.broken);
    assert_eq!(verification.good, 1);
    let record = store.read(RecordId(1)).expect("the record reads back");
    let assessment = &record.typed_assessment().expect("assessment in the record");
    let choices = record.typed_choices().expect("choices in the record");
    assert_eq!(assessment.id, "A-E2E-7");
    assert_eq!(assessment.assessor.as_deref(), Some("AMHP-3"));
    assert!(assessment.check(&util::bundled().vocabulary).is_ok());
    assert_eq!(assessment.stressors.len(), 1);
    assert_eq!(assessment.stressors[0].kind, "eviction");
    assert_eq!(assessment.stressors[0].severity, 3);
    assert_eq!(
        assessment.stressors[0].due,
        assessment.assessed_on().checked_add_days(Days::new(7))
    );
    assert_eq!(assessment.medical[0].kind, "suicidal_ideation");
    assert_eq!(assessment.medical[0].severity, 2);
    assert_eq!(assessment.wishes.as_deref(), Some("Wants to stay at home"));
    assert_eq!(choices.0.len(), 1);
    assert_eq!(choices.0[0].decision, Decision::Accepted);
    // Choices are keyed by the partner offered, one of the plan's referrals.
    let formulation = sicol::evaluate(util::bundled(), assessment);
    assert!(
        formulation
            .referrals
            .iter()
            .any(|referral| referral.partner == choices.0[0].referral),
        "{:?}",
        choices
    );
    assert_eq!(record.ruleset, util::bundled().id);
    assert_eq!(
        record
            .mha_decision
            .as_ref()
            .map(|decision| decision.outcome),
        Some(MhaOutcome::NoDetention)
    );
    assert!(
        drafts_in(dir.path()).is_empty(),
        "the draft is removed once the work is saved"
    );
}

#[test]
fn a_closed_terminal_loses_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("assessment.yaml");
    {
        let session = Session::start("closed", &assess_command(dir.path(), "--out", &out));
        session.wait_for("Person and context");
        session.keys(&["Enter"]);
        session.type_text("A-E2E-8");
        session.wait_for("A-E2E-8");
        // Wait for the draft on disk, then close the terminal mid-edit (the session drops).
        for _ in 0..TRIES {
            if !drafts_in(dir.path()).is_empty() {
                break;
            }
            sleep(POLL);
        }
    }
    let drafts = drafts_in(dir.path());
    assert_eq!(drafts.len(), 1, "one draft was autosaved");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&drafts[0]).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "drafts are private");
    }

    let session = Session::start("resume", &assess_command(dir.path(), "--out", &out));
    session.wait_for("Unsaved drafts");
    session.keys(&["r"]);
    let screen = session.wait_for("resumed the draft");
    assert!(screen.contains("A-E2E-8"), "{screen}");
    // Unsaved work: q asks first.
    session.keys(&["q"]);
    session.wait_for("Quit?");
    session.keys(&["y"]);
    let after = session.wait_for("exit=0");
    assert!(after.contains("unsaved work is kept in"), "{after}");
    assert!(!out.exists(), "nothing was saved");
}

/// Runs `sicol` to completion (not in a terminal) and returns what it printed.
fn sicol(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_sicol"))
        .args(args)
        .current_dir(util::root())
        .output()
        .expect("sicol runs")
}

/// The records in a store, in chain order, as (id, supersedes).
fn chain(store_dir: &Path) -> Vec<(RecordId, Option<RecordId>)> {
    let store = Store::open(store_dir).expect("store");
    store
        .ids()
        .expect("ids")
        .into_iter()
        .map(|id| (id, store.read(id).expect("record").supersedes))
        .collect()
}

#[test]
fn save_once_then_revise_and_the_report_counts_one_person() {
    let dir = tempfile::tempdir().unwrap();
    let store_dir = dir.path().join("store");
    let args = format!("--store '{}' --assessor AMHP-9", store_dir.display());
    let session = Session::start("revise", &assess_command_with(dir.path(), &args));
    session.wait_for("Person and context");
    // The assessor comes from --assessor.
    session.wait_for("AMHP-9");
    session.keys(&["Enter"]);
    session.type_text("A-E2E-9");
    session.keys(&["Escape", "Right", "a"]);
    session.wait_for("Add a stressor");
    session.type_text("debt");
    session.keys(&["Enter"]);
    session.wait_for("Severity of");
    session.keys(&["2"]);
    session.wait_for("2 moderate");
    for _ in 0..5 {
        session.keys(&["Right"]);
    }
    session.wait_for("Ready to save");
    session.keys(&["Enter"]);
    session.wait_for("Saved: record 00000001");
    // Enter again writes nothing.
    session.keys(&["Enter"]);
    session.wait_for("already saved");
    assert_eq!(chain(&store_dir).len(), 1);
    // A correction: the severity was 3, not 2. It saves as a revision of record 1.
    for _ in 0..5 {
        session.keys(&["Left"]);
    }
    session.wait_for("+ add a stressor");
    session.keys(&["3"]);
    session.wait_for("Ctrl-S saves a revision");
    session.keys(&["C-s"]);
    session.wait_for("revision saved: record 00000002");
    session.keys(&["q"]);
    let after = session.wait_for("exit=0");
    assert!(after.contains("saved record 00000001"), "{after}");
    assert!(after.contains("saved record 00000002"), "{after}");
    // Exactly one record plus one revision.
    assert_eq!(
        chain(&store_dir),
        [(RecordId(1), None), (RecordId(2), Some(RecordId(1)))]
    );
    drop(session);

    // Later: `--revise 1` opens the newest revision (2) for correction and supersedes it.
    let args = format!("--store '{}' --revise 1", store_dir.display());
    let session = Session::start("revise-again", &assess_command_with(dir.path(), &args));
    session.wait_for("A-E2E-9");
    session.keys(&["Right"]);
    session.wait_for("3 severe");
    session.keys(&["1"]);
    session.keys(&["C-s"]);
    session.wait_for("revision saved: record 00000003");
    session.keys(&["q"]);
    session.wait_for("exit=0");
    assert_eq!(
        chain(&store_dir)[2],
        (RecordId(3), Some(RecordId(2))),
        "the correction supersedes the newest revision"
    );
    let store = Store::open(&store_dir).expect("store");
    let record = store.read(RecordId(3)).expect("record");
    let assessment = record.typed_assessment().expect("assessment");
    assert_eq!(assessment.stressors[0].severity, 1);
    assert_eq!(assessment.assessor.as_deref(), Some("AMHP-9"));

    // The store verifies, and the report counts one person.
    let verify = sicol(&["verify", &store_dir.display().to_string()]);
    assert!(verify.status.success(), "{verify:?}");
    let report = sicol(&[
        "report",
        "--store",
        &store_dir.display().to_string(),
        "--format",
        "json",
    ]);
    assert!(report.status.success(), "{report:?}");
    let figures: serde_json::Value =
        serde_json::from_slice(&report.stdout).expect("the report is JSON");
    assert_eq!(figures["figures"]["people"], 1, "{figures}");
    assert_eq!(figures["figures"]["superseded"], 2, "{figures}");
}

#[test]
fn every_draft_is_listed_and_any_can_be_resumed_or_discarded() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("assessment.yaml");
    // Two sessions closed mid-way leave two drafts.
    for case in ["A-DRAFT-1", "A-DRAFT-2"] {
        let before = drafts_in(dir.path()).len();
        let session = Session::start("draft", &assess_command(dir.path(), "--out", &out));
        session.wait_for("Person and context");
        if before > 0 {
            session.wait_for("Unsaved drafts");
            session.keys(&["n"]);
        }
        session.keys(&["Enter"]);
        session.type_text(case);
        session.wait_for(case);
        for _ in 0..TRIES {
            if drafts_in(dir.path()).len() > before {
                break;
            }
            sleep(POLL);
        }
        // Drafts are named by the time they started, to the millisecond.
        sleep(Duration::from_millis(20));
    }
    assert_eq!(drafts_in(dir.path()).len(), 2);

    let session = Session::start("drafts", &assess_command(dir.path(), "--out", &out));
    let screen = session.wait_for("Unsaved drafts");
    assert!(
        screen.contains("A-DRAFT-1") && screen.contains("A-DRAFT-2"),
        "{screen}"
    );
    // Newest first: A-DRAFT-2 is selected. Discard it, asking first.
    session.keys(&["d"]);
    session.wait_for("Discard the draft of case A-DRAFT-2?");
    session.keys(&["y"]);
    session.wait_for("discarded the draft");
    assert_eq!(drafts_in(dir.path()).len(), 1);
    // The older one is still listed and resumes.
    session.keys(&["Enter"]);
    let screen = session.wait_for("resumed the draft");
    assert!(screen.contains("A-DRAFT-1"), "{screen}");
}

#[test]
fn the_input_forms_are_accepted_in_a_real_terminal() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("assessment.yaml");
    let session = Session::start("forms", &assess_command(dir.path(), "--out", &out));
    session.wait_for("Person and context");
    // Assessed at: F1 lists the forms inside the field; a UK date with a time is read.
    session.keys(&["Tab", "Tab", "Enter", "C-u"]);
    session.keys(&["F1"]);
    session.wait_for("what you can type");
    session.keys(&["Escape"]);
    session.type_text("05/12/2026 09:15");
    session.keys(&["Escape"]);
    session.wait_for("2026-12-05 09:15");
    for (typed, shown) in [("yesterday 14:00", "14:00"), ("today", "Assessed at")] {
        session.keys(&["Enter", "C-u"]);
        session.type_text(typed);
        session.keys(&["Escape"]);
        let screen = session.wait_for(shown);
        assert!(!screen.contains("is not a date"), "{typed}: {screen}");
    }
    session.keys(&["Enter", "C-u"]);
    session.type_text("now");
    session.keys(&["Escape"]);
    session.wait_for("Assessed at");
    // A new factor has no severity until chosen; out of range says why.
    session.keys(&["Right", "a"]);
    session.type_text("debt");
    session.keys(&["Enter"]);
    session.wait_for("Severity of");
    session.keys(&["Escape"]);
    session.wait_for("severity not chosen");
    session.keys(&["7"]);
    session.wait_for("7 is not a severity");
    // A UK date in a date field.
    session.keys(&["u"]);
    session.type_text("24/12/2026");
    session.keys(&["Escape"]);
    session.wait_for("2026-12-24");
}

#[test]
fn revise_names_a_record_or_says_why_not() {
    let dir = tempfile::tempdir().unwrap();
    let store_dir = dir.path().join("store");
    let store = store_dir.display().to_string();
    let rules = util::rules_dir().display().to_string();
    // Not a record id: refused before the terminal is touched, exit 2.
    let output = sicol(&[
        "assess", "--rules", &rules, "--store", &store, "--revise", "abc",
    ]);
    assert_eq!(output.status.code(), Some(2), "{output:?}");
    assert!(String::from_utf8_lossy(&output.stderr).contains("`abc` is not a record id"));
    // A record the store does not have.
    let case = util::root().join("tests/cases/social_led_eviction.yaml");
    let saved = sicol(&[
        "evaluate",
        "--rules",
        &rules,
        "--save",
        "--store",
        &store,
        &case.display().to_string(),
    ]);
    assert!(saved.status.success(), "{saved:?}");
    let output = sicol(&[
        "assess", "--rules", &rules, "--store", &store, "--revise", "7",
    ]);
    assert_eq!(output.status.code(), Some(2), "{output:?}");
    assert!(
        String::from_utf8_lossy(&output.stderr).contains("there is no record 00000007"),
        "{output:?}"
    );
}
