//! End to end: drives the real `sicol assess` binary in a tmux terminal (send-keys, capture-pane)
//! through a whole assessment and checks the saved file; and checks that a closed terminal loses
//! nothing (the draft is offered and resumed). Needs tmux (CI installs it in .ci/run).

mod util;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::thread::sleep;
use std::time::Duration;

use chrono::Days;
use sicol::model::Decision;
use sicol::records::{RecordId, Store};

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
    format!(
        "cd '{root}' && '{bin}' assess --rules '{rules}' --drafts '{drafts}' {where_to} '{path}'; echo \"exit=$?\"; sleep 600",
        root = util::root().display(),
        bin = env!("CARGO_BIN_EXE_sicol"),
        rules = util::rules_dir().display(),
        drafts = dir.join("drafts").display(),
        path = path.display(),
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

    // Review and save; the live formulation shows urgency in words.
    session.keys(&["Right"]);
    let review = session.wait_for("Ready to save");
    assert!(review.contains("Urgency"), "{review}");
    session.keys(&["Enter"]);
    session.wait_for("saved to");
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
    session.wait_for("Resume draft?");
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
