//! Records, the hash chain, replay and rule-change impact: the store on disk, through the library
//! and through the `sicol` binary.

mod util;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use chrono::{DateTime, Utc};
use sicol::model::{Choices, Decision};
use sicol::records::store::read_record;
use sicol::records::{Draft, Impact, RecordId, RecordStore, Store};
use sicol::{files, RuleSet};

/// A fixed clock: tests never depend on the current time.
fn at(minute: u32) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(&format!("2026-11-20T15:{minute:02}:00Z"))
        .expect("valid time")
        .with_timezone(&Utc)
}

fn case(name: &str) -> PathBuf {
    util::root()
        .join("tests/cases")
        .join(format!("{name}.yaml"))
}

/// Evaluates a case under `rules` and saves it.
fn save_case(store: &mut Store, rules: &RuleSet, name: &str, minute: u32) -> PathBuf {
    save_revision(store, rules, name, minute, None, &Choices::default())
}

fn save_revision(
    store: &mut Store,
    rules: &RuleSet,
    name: &str,
    minute: u32,
    supersedes: Option<RecordId>,
    choices: &Choices,
) -> PathBuf {
    let assessment = files::read_assessment(&case(name), rules).expect("valid case");
    let formulation = sicol::evaluate(rules, &assessment);
    let draft = Draft {
        assessment: &assessment,
        formulation: &formulation,
        choices,
        supersedes,
        saved_at: at(minute),
        mha_decision: None,
    };
    let record = store.save(&draft, rules).expect("saved");
    store.path_of(record.id)
}

/// A temporary folder with a store of three records under the bundled rules.
fn store_of_three() -> (tempfile::TempDir, PathBuf) {
    let temp = tempfile::tempdir().expect("temp dir");
    let dir = temp.path().join("formulations");
    let mut store = Store::create(&dir).expect("store");
    let rules = util::bundled();
    for (minute, name) in [
        "low_urgency_benefits",
        "social_led_eviction",
        "mixed_bereavement",
    ]
    .iter()
    .enumerate()
    {
        save_case(&mut store, rules, name, minute as u32);
    }
    (temp, dir)
}

/// A copy of the bundled rules in a temporary folder, with `edit` applied to `ruleset.yaml`.
fn edited_rules(temp: &Path, edit: impl Fn(String) -> String) -> PathBuf {
    let dir = temp.join("new-rules");
    fs::create_dir_all(&dir).expect("rules dir");
    for entry in fs::read_dir(util::rules_dir()).expect("bundled rules") {
        let path = entry.expect("entry").path();
        if path.is_file() {
            fs::copy(&path, dir.join(path.file_name().expect("name"))).expect("copied");
        }
    }
    let config = dir.join("ruleset.yaml");
    let text = fs::read_to_string(&config).expect("ruleset.yaml");
    let edited = edit(text.clone());
    assert_ne!(edited, text, "the edit must change ruleset.yaml");
    fs::write(&config, edited).expect("written");
    dir
}

fn sicol(args: &[&str], cwd: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_sicol"))
        .args(args)
        .current_dir(cwd)
        .env("NO_COLOR", "1")
        .output()
        .expect("sicol runs")
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

#[test]
fn saving_twice_never_overwrites() {
    let temp = tempfile::tempdir().expect("temp dir");
    let mut store = Store::create(&temp.path().join("store")).expect("store");
    let rules = util::bundled();
    let first = save_case(&mut store, rules, "low_urgency_benefits", 0);
    let first_bytes = fs::read(&first).expect("first record");
    let second = save_case(&mut store, rules, "low_urgency_benefits", 0);
    assert_ne!(first, second);
    assert_eq!(fs::read(&first).expect("first record"), first_bytes);
    assert_eq!(store.ids().expect("ids"), [RecordId(1), RecordId(2)]);
    let second = read_record(&second).expect("second record");
    let first = read_record(&first).expect("first record");
    assert_eq!(second.previous.as_deref(), Some(first.sha256.as_str()));
    assert_eq!(first.previous, None);
}

#[cfg(unix)]
#[test]
fn records_are_0600_in_a_0700_store() {
    use std::os::unix::fs::PermissionsExt;
    let (_temp, dir) = store_of_three();
    let mode = |path: &Path| fs::metadata(path).expect("exists").permissions().mode() & 0o777;
    assert_eq!(mode(&dir), 0o700);
    let store = Store::open(&dir).expect("store");
    for id in store.ids().expect("ids") {
        assert_eq!(mode(&store.path_of(id)), 0o600, "record {id}");
    }
    let copy = store.ruleset_dir(&util::bundled().id.sha256);
    assert_eq!(mode(&copy), 0o700);
    assert_eq!(mode(copy.parent().expect("rulesets")), 0o700);
    for entry in fs::read_dir(&copy).expect("copy") {
        let path = entry.expect("entry").path();
        assert_eq!(mode(&path), 0o600, "{}", path.display());
    }
    assert!(store.permission_warnings().is_empty());
}

#[test]
fn a_clean_store_verifies_and_replays_without_drift() {
    let (temp, dir) = store_of_three();
    let mut store = Store::open(&dir).expect("store");
    let verification = store.verify().expect("verified");
    assert_eq!(verification.good, 3);
    assert!(verification.broken.is_none());
    let output = sicol(&["verify", "formulations"], temp.path());
    assert_eq!(output.status.code(), Some(0), "{}", stdout(&output));
    let output = sicol(&["replay", "formulations"], temp.path());
    assert_eq!(output.status.code(), Some(0), "{}", stdout(&output));
    assert!(stdout(&output).contains("replayed 3 records: 3 match, 0 drifted, 0 failed"));
}

#[test]
fn tampering_with_one_byte_of_any_record_is_found_by_verify() {
    for target in 1..=3u64 {
        let (temp, dir) = store_of_three();
        let path = dir.join(RecordId(target).file_name());
        let mut bytes = fs::read(&path).expect("record");
        // Change one digit of the person's age: valid JSON, plausible, and wrong.
        let at = String::from_utf8_lossy(&bytes)
            .find("\"age\": ")
            .expect("an age")
            + "\"age\": ".len();
        bytes[at] = if bytes[at] == b'5' { b'6' } else { b'5' };
        fs::write(&path, &bytes).expect("tampered");

        let mut store = Store::open(&dir).expect("store");
        let verification = store.verify().expect("verify runs");
        let broken = verification.broken.expect("tampering is found");
        assert_eq!(broken.file, path.display().to_string());
        assert!(broken.message.contains("altered"), "{}", broken.message);
        assert_eq!(verification.good, (target - 1) as usize);

        let output = sicol(&["verify", "formulations"], temp.path());
        assert_eq!(output.status.code(), Some(1));
        assert!(stdout(&output).contains(&RecordId(target).file_name()));
    }
}

#[test]
fn a_missing_or_rewritten_record_breaks_the_chain() {
    let (_temp, dir) = store_of_three();
    // Rewriting record 2 with a fresh, self-consistent hash still breaks the link from record 3.
    let mut store = Store::open(&dir).expect("store");
    let mut second = store.read(RecordId(2)).expect("record 2");
    let mut formulation = second.formulation.value().clone();
    formulation["urgency"] = "low".into();
    second.formulation = formulation.into();
    let mut body = serde_json::to_value(&second).expect("json");
    body.as_object_mut().expect("object").remove("sha256");
    second.sha256 = sicol::records::digest(&body);
    fs::write(store.path_of(RecordId(2)), second.to_bytes()).expect("rewritten");
    let broken = store.verify().expect("verify").broken.expect("found");
    assert!(broken.file.ends_with("00000003.json"), "{}", broken.file);
    assert!(
        broken.message.starts_with("broken link"),
        "{}",
        broken.message
    );

    fs::remove_file(store.path_of(RecordId(2))).expect("removed");
    let broken = store.verify().expect("verify").broken.expect("found");
    assert!(
        broken
            .message
            .contains("missing link: record 00000002 is absent"),
        "{}",
        broken.message
    );
}

#[test]
fn a_crash_between_temp_write_and_rename_leaves_the_store_valid() {
    let (temp, dir) = store_of_three();
    // What a crash after writing the temporary file but before linking it into place leaves.
    let unfinished = dir.join(".incomplete-a1b2c3");
    let partial = fs::read(dir.join("00000003.json")).expect("record");
    fs::write(&unfinished, &partial[..partial.len() / 2]).expect("stray temp file");
    // And a rule set copy interrupted half-way.
    let half_copy = dir.join("rulesets/.incomplete-d4e5f6");
    fs::create_dir_all(&half_copy).expect("stray temp dir");
    fs::write(half_copy.join("ruleset.yaml"), "name: half").expect("partial file");

    let mut store = Store::open(&dir).expect("store");
    let verification = store.verify().expect("verify");
    assert!(verification.broken.is_none());
    assert_eq!(verification.good, 3);
    assert_eq!(verification.leftovers, [unfinished.clone(), half_copy]);
    let output = sicol(&["verify", "formulations"], temp.path());
    assert_eq!(output.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&output.stderr).contains("unfinished write"));

    // The next save chains onto the last real record, not the stray file.
    let path = save_case(&mut store, util::bundled(), "domestic_abuse", 9);
    assert!(path.ends_with("00000004.json"));
    assert_eq!(store.verify().expect("verify").good, 4);
    assert!(
        unfinished.exists(),
        "leftovers are reported, never deleted silently"
    );
}

#[test]
fn two_writers_never_take_the_same_place() {
    let (_temp, dir) = store_of_three();
    let rules = util::bundled();
    let mut first = Store::open(&dir).expect("store");
    let mut second = Store::open(&dir).expect("store");
    assert!(save_case(&mut first, rules, "domestic_abuse", 10).ends_with("00000004.json"));
    assert!(save_case(&mut second, rules, "child_proceedings", 11).ends_with("00000005.json"));
    // `first` still believes 4 is the last; its write into 5 must fail over to 6.
    assert!(save_case(&mut first, rules, "no_stressors_edge", 12).ends_with("00000006.json"));
    let verification = Store::open(&dir).expect("store").verify().expect("verify");
    assert!(verification.broken.is_none(), "{:?}", verification.broken);
    assert_eq!(verification.good, 6);
}

#[test]
fn replay_after_a_weight_change_reports_exactly_the_changed_fields() {
    let (temp, dir) = store_of_three();
    let new_rules = edited_rules(temp.path(), |text| {
        text.replace(
            "benefits_problem_per_severity: 0.9 ",
            "benefits_problem_per_severity: 1.4 ",
        )
    });
    let rules = files::load_rules(&new_rules).expect("edited rules load");
    let mut store = Store::open(&dir).expect("store");
    // Record 1 is low_urgency_benefits: benefits problem at severity 1, its first factor.
    let record = store.read(RecordId(1)).expect("record");
    let replay = store.replay(&record, Some(&rules)).expect("replayed");
    assert!(!replay.own_rules);
    let paths: Vec<&str> = replay
        .drift
        .fields
        .iter()
        .map(|change| change.path.as_str())
        .collect();
    assert_eq!(
        paths,
        [
            "balance_reason",
            "factors[0].weight",
            "social_weight",
            "urgency_reasons[0]",
            "urgency_score"
        ]
    );
    let weight = &replay.drift.fields[1];
    assert_eq!(weight.old, Some(serde_json::json!(0.9)));
    assert_eq!(weight.new, Some(serde_json::json!(1.4)));
    assert_eq!(
        replay.drift.headlines(),
        ["factors changed: benefits_problem by money.benefits_problem"]
    );
    // The other two cases record no benefits problem and do not move.
    for id in [RecordId(2), RecordId(3)] {
        let record = store.read(id).expect("record");
        assert!(store
            .replay(&record, Some(&rules))
            .expect("replayed")
            .drift
            .is_empty());
    }

    let new_rules = new_rules.display().to_string();
    let output = sicol(
        &["replay", "--rules", &new_rules, "formulations"],
        temp.path(),
    );
    assert_eq!(output.status.code(), Some(1));
    let text = stdout(&output);
    assert!(text.contains("factors[0].weight: 0.9 → 1.4"), "{text}");
    assert!(text.contains("social_weight: 2.6 → 3.1"), "{text}");
    assert!(
        text.contains("replayed 3 records: 2 match, 1 drifted, 0 failed"),
        "{text}"
    );
}

#[test]
fn replay_uses_the_kept_copy_of_the_rules_a_record_was_made_with() {
    let temp = tempfile::tempdir().expect("temp dir");
    let rules_dir = edited_rules(temp.path(), |text| {
        text.lines()
            .map(|line| {
                if line.starts_with("version:") {
                    "version: 9.9.9"
                } else {
                    line
                }
            })
            .collect::<Vec<_>>()
            .join("\n")
    });
    let rules = files::load_rules(&rules_dir).expect("rules");
    let dir = temp.path().join("formulations");
    let mut store = Store::create(&dir).expect("store");
    save_case(&mut store, &rules, "social_led_eviction", 0);
    // The rules folder it was made with is gone; its copy in the store is enough.
    fs::remove_dir_all(&rules_dir).expect("removed");
    let output = sicol(&["replay", "formulations/00000001.json"], temp.path());
    assert_eq!(output.status.code(), Some(0), "{}", stdout(&output));
    assert!(stdout(&output).contains("matches under its own rules"));

    // An altered copy is refused rather than trusted.
    let copy = store.ruleset_dir(&rules.id.sha256).join("housing.rhai");
    let mut text = fs::read_to_string(&copy).expect("copy");
    text.push_str("\n// edited\n");
    fs::write(&copy, text).expect("edited");
    // Replay checks the store first (issue 19), so it stops with verify's message.
    let output = sicol(&["replay", "formulations"], temp.path());
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("was altered"), "{stderr}");
    let output = sicol(&["verify", "formulations"], temp.path());
    assert_eq!(output.status.code(), Some(1));
}

#[test]
fn a_revision_names_the_record_it_supersedes_and_impact_counts_only_current_records() {
    let (temp, dir) = store_of_three();
    let rules = util::bundled();
    let mut store = Store::open(&dir).expect("store");
    let mut choices = Choices::default();
    choices.set("welfare_benefits", Decision::Accepted, None);
    let path = save_revision(
        &mut store,
        rules,
        "low_urgency_benefits",
        20,
        Some(RecordId(1)),
        &choices,
    );
    let revision = read_record(&path).expect("revision");
    assert_eq!(revision.supersedes, Some(RecordId(1)));
    assert_eq!(revision.typed_choices().expect("choices"), choices);

    // A revision must supersede a record of the same case that exists.
    let assessment = files::read_assessment(&case("domestic_abuse"), rules).expect("valid");
    let formulation = sicol::evaluate(rules, &assessment);
    for wrong in [RecordId(1), RecordId(99)] {
        let draft = Draft {
            assessment: &assessment,
            formulation: &formulation,
            choices: &Choices::default(),
            supersedes: Some(wrong),
            saved_at: at(30),
            mha_decision: None,
        };
        assert!(store.save(&draft, rules).is_err(), "superseding {wrong}");
    }
    let output = sicol(
        &[
            "evaluate",
            "--save",
            "--supersedes",
            "2",
            &case("domestic_abuse").display().to_string(),
        ],
        temp.path(),
    );
    assert_eq!(output.status.code(), Some(2));

    let mut impact = Impact::default();
    for id in store.ids().expect("ids") {
        store.add_to_impact(id, rules, &mut impact);
    }
    impact.finish();
    assert_eq!(impact.superseded, [RecordId(1)]);
    assert_eq!(impact.records(), 3);
    assert!(impact.changed.is_empty(), "the same rules move nothing");
}

#[test]
fn impact_counts_match_a_direct_comparison_of_the_two_rule_sets() {
    let temp = tempfile::tempdir().expect("temp dir");
    let dir = temp.path().join("formulations");
    let mut store = Store::create(&dir).expect("store");
    let old = util::bundled();
    let cases = util::example_cases();
    for (minute, path) in cases.iter().enumerate() {
        save_case(&mut store, old, &util::stem(path), minute as u32);
    }
    // Narrow when a social crisis adds to a risk (the recent bereavement case goes down from B;
    // the eviction case stays B as a section 136) and treat mild depression as D rather than E
    // (two cases go up): some cases move each way.
    let new_dir = edited_rules(temp.path(), |text| {
        text.replace(
            "acute_social_crisis_days: 7 ",
            "acute_social_crisis_days: 0 ",
        )
        .replace(
            "recent_social_loss_days: 90 ",
            "recent_social_loss_days: 0 ",
        )
    });
    let script = new_dir.join("medical_illness.rhai");
    let text = fs::read_to_string(&script).expect("medical_illness.rhai");
    let edited = text.replace(
        "risk(\"stable_needs_review\",\n            `depression: ${stage}`);",
        "risk(\"distress_with_serious_illness\", `depression: ${stage}`);",
    );
    assert_ne!(edited, text, "the edit must change medical_illness.rhai");
    fs::write(&script, edited).expect("written");
    let new = files::load_rules(&new_dir).expect("edited rules");

    let (mut up, mut down, mut balance, mut recommendation, mut needs) = (0, 0, 0, 0, 0);
    for path in &cases {
        let assessment = files::read_assessment(path, old).expect("valid");
        let (before, after) = (
            sicol::evaluate(old, &assessment),
            sicol::evaluate(&new, &assessment),
        );
        up += usize::from(after.urgency > before.urgency);
        down += usize::from(after.urgency < before.urgency);
        balance += usize::from(after.balance != before.balance);
        recommendation += usize::from(after.recommendation != before.recommendation);
        needs += usize::from(after.needs != before.needs);
    }
    assert!(
        up > 0 && down > 0,
        "the edit must move cases both ways ({up} up, {down} down)"
    );

    let mut impact = Impact::default();
    for id in store.ids().expect("ids") {
        store.add_to_impact(id, &new, &mut impact);
    }
    impact.finish();
    assert_eq!(impact.records(), cases.len());
    assert_eq!(impact.urgency_up(), up);
    assert_eq!(impact.urgency_down(), down);
    assert_eq!(impact.balance(), balance);
    assert_eq!(impact.recommendation(), recommendation);
    assert_eq!(impact.referrals(), needs);
    assert!(impact.failed.is_empty() && impact.drifted.is_empty());

    let new_dir = new_dir.display().to_string();
    let output = sicol(&["rules", "impact", "--rules", &new_dir], temp.path());
    assert_eq!(output.status.code(), Some(0));
    let text = stdout(&output);
    assert!(
        text.contains(&format!("urgency up:                {up}")),
        "{text}"
    );
    assert!(
        text.contains(&format!("urgency down:              {down}")),
        "{text}"
    );
    assert!(text.contains("changed cases:"), "{text}");
}

#[test]
fn evaluate_save_prints_the_record_path_and_keeps_stdout_for_the_formulation() {
    let temp = tempfile::tempdir().expect("temp dir");
    let case = case("social_led_eviction").display().to_string();
    let output = sicol(
        &["evaluate", "--save", "--format", "json", &case],
        temp.path(),
    );
    assert_eq!(output.status.code(), Some(0));
    assert!(serde_json::from_slice::<serde_json::Value>(&output.stdout).is_ok());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("saved formulations/00000001.json"),
        "{stderr}"
    );
    let output = sicol(
        &["evaluate", "--save", "--store", "elsewhere", &case],
        temp.path(),
    );
    assert!(String::from_utf8_lossy(&output.stderr).contains("saved elsewhere/00000001.json"));
    assert_eq!(
        sicol(&["verify", "elsewhere"], temp.path()).status.code(),
        Some(0)
    );
}

#[test]
fn rules_impact_against_the_current_rules_shows_magnitudes_and_a_table_of_moves() {
    let temp = tempfile::tempdir().expect("temp dir");
    let store = temp.path().join("demo");
    let made = sicol(
        &[
            "demo-store",
            "--out",
            &store.to_string_lossy(),
            "--count",
            "40",
        ],
        &util::root(),
    );
    assert!(
        made.status.success(),
        "{}",
        String::from_utf8_lossy(&made.stderr)
    );
    // The proposal: debt weighs more.
    // The proposal: the first weight (eviction) weighs more, and a lighter social load counts as
    // heavy enough for intensive support (urgency follows risk, so weights alone move no
    // outcome; the ladder does).
    let new = edited_rules(temp.path(), |text| {
        raise_first_weight(&text).replace(
            "when: { social_weight_at_least: 8.0, balance: [social_led, mixed] }",
            "when: { social_weight_at_least: 3.0, balance: [social_led, mixed] }",
        )
    });
    let output = sicol(
        &[
            "rules",
            "impact",
            "--rules",
            &new.to_string_lossy(),
            "--current",
            &util::rules_dir().to_string_lossy(),
            "--store",
            &store.to_string_lossy(),
            "--only",
            "outcome",
        ],
        &util::root(),
    );
    let text = stdout(&output);
    assert_eq!(output.status.code(), Some(0), "{text}");
    assert!(
        text.contains(", against the rules deployed now, "),
        "{text}"
    );
    assert!(text.contains("\nmoves:\n  what"), "{text}");
    assert!(text.contains("\ncases whose outcome changes:\n"), "{text}");
    let magnitude = text
        .lines()
        .find(|line| line.contains(": score "))
        .unwrap_or_else(|| panic!("a case with its magnitude: {text}"));
    assert!(magnitude.contains(" → "), "{magnitude}");
    // The bundled rules are risk-led: the level comes from a descriptor, not a cut-off.
    assert!(!magnitude.contains(" the cut-off for "), "{magnitude}");

    let json = sicol(
        &[
            "rules",
            "impact",
            "--rules",
            &new.to_string_lossy(),
            "--current",
            &util::rules_dir().to_string_lossy(),
            "--store",
            &store.to_string_lossy(),
            "--format",
            "json",
        ],
        &util::root(),
    );
    let value: serde_json::Value = serde_json::from_str(&stdout(&json)).expect("JSON");
    assert!(
        value["outcome_changed"].as_u64().unwrap_or(0) > 0,
        "{value}"
    );
    assert!(value["moves"][0]["from"].is_string(), "{value}");
    assert!(
        value["cases"][0]["after"]["urgency_score"].is_number(),
        "{value}"
    );
}

/// The rule set text with its first weight under `weights:` doubled plus two, so that outcomes
/// move whatever the weights are.
fn raise_first_weight(text: &str) -> String {
    let mut inside = false;
    let mut done = false;
    let mut lines = Vec::new();
    for line in text.lines() {
        if line.starts_with("weights:") {
            inside = true;
        } else if inside && !done && line.starts_with("  ") && !line.trim_start().starts_with('#') {
            if let Some((name, rest)) = line.split_once(':') {
                let number: String = rest
                    .trim()
                    .chars()
                    .take_while(|c| c.is_ascii_digit() || *c == '.')
                    .collect();
                if let Ok(value) = number.parse::<f64>() {
                    lines.push(format!("{name}: {}", value * 2.0 + 2.0));
                    done = true;
                    continue;
                }
            }
        }
        lines.push(line.to_owned());
    }
    lines.join("\n") + "\n"
}

/// Replay recognises an unchanged formulation by writing it straight to canonical JSON (no
/// value tree): for every golden case that text must be exactly what a record keeps.
#[test]
fn a_formulation_written_directly_is_the_text_a_record_keeps() {
    let rules = files::load_rules(&util::root().join("rules")).expect("bundled rules");
    let mut cases = 0;
    for entry in fs::read_dir(util::root().join("tests/cases")).expect("cases") {
        let path = entry.expect("entry").path();
        if path.extension().and_then(|ext| ext.to_str()) != Some("yaml") {
            continue;
        }
        let assessment = files::read_assessment(&path, &rules).expect("case reads");
        let formulation = sicol::evaluate(&rules, &assessment);
        let direct = sicol::records::JsonPart::of(&formulation);
        let through_tree = sicol::records::JsonPart::from(sicol::records::to_value(&formulation));
        assert_eq!(direct, through_tree, "{}", path.display());
        cases += 1;
    }
    assert!(cases >= 10, "the golden cases were read ({cases})");
}
