//! Referrals that leave the machine (issue 15): FHIR bundles checked against HL7's official FHIR
//! R4 JSON Schema, per-partner packets that hold only that partner's data, and the closed loop of
//! referral statuses appended, verified, replayed and reported.

mod util;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

use serde_json::Value;
use sicol::export::packet::Packet;
use sicol::export::{fhir, Case, ExportError};
use sicol::records::{RecordId, Store};
use sicol::report::{html, markdown};

/// HL7's FHIR R4 (4.0) JSON Schema, vendored under `tests/fhir/` (see the README there).
fn fhir_schema() -> &'static jsonschema::Validator {
    static VALIDATOR: OnceLock<jsonschema::Validator> = OnceLock::new();
    VALIDATOR.get_or_init(|| {
        let path = util::root().join("tests/fhir/fhir.schema.json");
        let text = fs::read_to_string(&path).expect("the FHIR schema is vendored");
        let schema: Value = serde_json::from_str(&text).expect("the FHIR schema is JSON");
        jsonschema::draft6::new(&schema).expect("the FHIR schema compiles")
    })
}

/// Every problem the schema finds, one per line (empty when the resource is valid FHIR R4).
fn fhir_problems(resource: &Value) -> String {
    fhir_schema()
        .iter_errors(resource)
        .map(|error| format!("{}: {error}", error.instance_path()))
        .collect::<Vec<_>>()
        .join("\n")
}

fn examples() -> PathBuf {
    util::root().join("formulations")
}

fn example_ids() -> Vec<RecordId> {
    let store = Store::open(&examples()).expect("formulations/ exists");
    // Only the committed examples: records saved locally after them are not the repository's.
    store
        .ids()
        .expect("ids")
        .into_iter()
        .filter(|id| id.0 <= 3)
        .collect()
}

fn read_example(id: RecordId) -> sicol::records::Record {
    Store::open(&examples())
        .expect("store")
        .read(id)
        .expect("example record reads")
}

fn resources<'a>(bundle: &'a Value, kind: &str) -> Vec<&'a Value> {
    bundle["entry"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|entry| &entry["resource"])
        .filter(|resource| resource["resourceType"] == kind)
        .collect()
}

#[test]
fn the_schema_check_catches_invalid_fhir() {
    // Without this, a schema that accepted everything would pass every bundle below.
    let bad = serde_json::json!({
        "resourceType": "Bundle",
        "type": "collection",
        "entry": [{ "resource": { "resourceType": "Task", "status": "sent", "intent": "order" } }]
    });
    assert!(!fhir_problems(&bad).is_empty());
    let unknown_field = serde_json::json!({ "resourceType": "Patient", "name_of_person": "x" });
    assert!(!fhir_problems(&unknown_field).is_empty());
    let good = serde_json::json!({ "resourceType": "Patient", "identifier": [{ "value": "A-1" }] });
    assert_eq!(fhir_problems(&good), "");
}

#[test]
fn every_example_record_exports_a_valid_fhir_r4_bundle() {
    let rules = util::bundled();
    let ids = example_ids();
    assert_eq!(ids.len(), 3);
    for id in ids {
        let record = read_example(id);
        let case = Case::new(&record, &[]).expect("example exports");
        let bundle = fhir::bundle(&case, &rules.vocabulary);
        assert_eq!(fhir_problems(&bundle), "", "record {id}");
        let assessment = record.typed_assessment().expect("assessment");
        let stressors = assessment
            .stressors
            .iter()
            .filter(|factor| factor.severity > 0)
            .count();
        assert_eq!(
            resources(&bundle, "Condition").len(),
            stressors,
            "record {id}"
        );
        let referrals = record.formulation["referrals"]
            .as_array()
            .expect("referrals")
            .len();
        assert_eq!(resources(&bundle, "ServiceRequest").len(), referrals);
        assert_eq!(resources(&bundle, "Task").len(), referrals);
        assert_eq!(resources(&bundle, "Organization").len(), referrals);
        assert_eq!(resources(&bundle, "RiskAssessment").len(), 1);
        assert_eq!(resources(&bundle, "Consent").len(), 1);
        // The person is their pseudonymous id and nothing else.
        let patient = resources(&bundle, "Patient")[0];
        let mut fields: Vec<&str> = patient
            .as_object()
            .expect("object")
            .keys()
            .map(String::as_str)
            .collect();
        fields.sort_unstable();
        assert_eq!(fields, ["id", "identifier", "meta", "resourceType"]);
        assert_eq!(patient["identifier"][0]["value"], assessment.id);
        // Exporting twice gives the same bytes.
        assert_eq!(
            fhir::to_text(&bundle),
            fhir::to_text(&fhir::bundle(&case, &rules.vocabulary))
        );
    }
}

#[test]
fn the_bundle_carries_codes_urgency_and_consent() {
    let rules = util::bundled();
    let record = read_example(RecordId(3));
    let case = Case::new(&record, &[]).expect("exports");
    let bundle = fhir::bundle(&case, &rules.vocabulary);
    let conditions = resources(&bundle, "Condition");
    let eviction = conditions
        .iter()
        .find(|condition| condition["code"]["text"] == "Eviction")
        .expect("an eviction condition");
    let codings = eviction["code"]["coding"].as_array().expect("codings");
    assert!(codings.iter().any(
        |coding| coding["system"] == "http://hl7.org/fhir/sid/icd-10" && coding["code"] == "Z59"
    ));
    assert_eq!(eviction["severity"]["coding"][0]["code"], "24484000");
    assert_eq!(eviction["category"][1]["coding"][0]["code"], "sdoh");

    let risk = resources(&bundle, "RiskAssessment")[0];
    let urgency = record.formulation["triage_code"].as_str().expect("code");
    assert_eq!(
        risk["prediction"][0]["qualitativeRisk"]["coding"][0]["code"],
        urgency
    );
    assert!(risk["prediction"][0]["rationale"]
        .as_str()
        .is_some_and(|text| !text.is_empty()));

    // Record 3's choices accept housing and debt advice: the partners taking those may receive
    // the person's data; every other referral is covered by the default deny.
    let consent = resources(&bundle, "Consent")[0];
    assert_eq!(consent["provision"]["type"], "deny");
    let permitted: Vec<&str> = consent["provision"]["provision"]
        .as_array()
        .expect("provisions")
        .iter()
        .filter(|provision| provision["type"] == "permit")
        .filter_map(|provision| provision["actor"][0]["reference"]["display"].as_str())
        .collect();
    assert_eq!(
        permitted,
        ["Coventry Housing Aid Centre", "City Advice Bureau"]
    );
    // Nothing has been sent yet: drafts.
    for task in resources(&bundle, "Task") {
        assert_eq!(task["status"], "draft");
    }
}

/// Every text of a medical factor in a record: its label, severity anchor and note.
fn medical_texts(record: &sicol::records::Record) -> Vec<String> {
    let rules = util::bundled();
    let assessment = record.typed_assessment().expect("assessment");
    let mut texts = Vec::new();
    for factor in &assessment.medical {
        texts.push(rules.vocabulary.label(&factor.kind).to_owned());
        texts.extend(factor.note.clone());
        if let Some(anchor) = rules
            .vocabulary
            .kind(&factor.kind)
            .and_then(|info| info.severity.get(&factor.severity))
        {
            texts.push(anchor.clone());
        }
    }
    texts.extend(
        record.formulation["urgency_reasons"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .map(str::to_owned),
    );
    texts
}

#[test]
fn a_debt_advice_packet_holds_no_medical_factor_text() {
    let rules = util::bundled();
    let record = read_example(RecordId(3));
    let case = Case::new(&record, &[]).expect("exports");
    let debt = case
        .referrals
        .iter()
        .find(|referral| referral.categories.iter().any(|c| c == "debt_advice"))
        .expect("a debt-advice referral");
    let packet = Packet::new(&case, &debt.partner, &rules.vocabulary).expect("packet");
    let document = packet.document(&rules.vocabulary);
    let outputs = [
        markdown::to_markdown(&document),
        html::to_html(&document),
        fhir::to_text(&fhir::partner_bundle(&case, debt, &rules.vocabulary)),
    ];
    let medical = medical_texts(&record);
    assert!(!medical.is_empty());
    for output in &outputs {
        for text in &medical {
            assert!(
                !output.contains(text.as_str()),
                "`{text}` leaked:\n{output}"
            );
        }
        // What the partner does need.
        assert!(output.contains("priority debts in arrears"), "{output}");
    }
    // Debt advice shares the social circumstances, with their notes.
    assert!(outputs[0].contains("Council tax and energy arrears"));
}

#[test]
fn each_packet_shows_only_its_own_partner() {
    let rules = util::bundled();
    for id in example_ids() {
        let record = read_example(id);
        let case = Case::new(&record, &[]).expect("exports");
        for referral in &case.referrals {
            let packet = match Packet::new(&case, &referral.partner, &rules.vocabulary) {
                Ok(packet) => packet,
                Err(ExportError::Declined { .. }) => continue,
                Err(error) => panic!("record {id}: {error}"),
            };
            let document = packet.document(&rules.vocabulary);
            let bundle = fhir::partner_bundle(&case, referral, &rules.vocabulary);
            assert_eq!(
                fhir_problems(&bundle),
                "",
                "record {id} {}",
                referral.partner
            );
            assert_eq!(resources(&bundle, "ServiceRequest").len(), 1);
            assert!(resources(&bundle, "Condition").is_empty());
            assert!(resources(&bundle, "RiskAssessment").is_empty());
            let outputs = [markdown::to_markdown(&document), fhir::to_text(&bundle)];
            for other in case
                .referrals
                .iter()
                .filter(|other| other.partner != referral.partner)
            {
                let lead = case
                    .lead
                    .as_ref()
                    .is_some_and(|lead| lead.partner == other.partner);
                for output in &outputs {
                    assert!(
                        !output.contains(&other.partner),
                        "record {id}: the packet for {} names {}",
                        referral.partner,
                        other.partner
                    );
                    // The lead coordinator is named by design; nobody else.
                    if !lead {
                        assert!(!output.contains(&other.name), "{output}");
                    }
                    // Another referral's reasons are never given as reasons. (Their words may
                    // still appear where they quote the person's own circumstances, such as a
                    // severity anchor in a shared stressor.)
                    let reasons = output
                        .split("## The referral")
                        .nth(1)
                        .and_then(|rest| rest.split("## Consent").next())
                        .unwrap_or(output);
                    for reason in &other.reasons {
                        let own = referral.reasons.iter().any(|mine| mine.why == reason.why);
                        assert!(own || !reasons.contains(&reason.why), "{output}");
                    }
                }
            }
        }
    }
}

#[test]
fn a_packet_for_a_partner_not_in_the_plan_or_declined_is_refused() {
    let rules = util::bundled();
    let record = read_example(RecordId(3));
    let case = Case::new(&record, &[]).expect("exports");
    assert!(matches!(
        Packet::new(&case, "cv-nowhere", &rules.vocabulary),
        Err(ExportError::UnknownPartner { .. })
    ));
}

fn sicol(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_sicol"))
        .args(args)
        .env("NO_COLOR", "1")
        .current_dir(util::root())
        .output()
        .expect("sicol runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// The first assessment record in a store whose plan has two partners the person did not
/// decline, with those partners.
fn two_referrals(dir: &Path) -> (RecordId, String, String) {
    let store = Store::open(dir).expect("store");
    for id in store.ids().expect("ids") {
        let record = store.read(id).expect("record");
        if !record.is_assessment() || record.supersedes.is_some() {
            continue;
        }
        let open: Vec<String> =
            sicol::records::referral_status::planned_partners(&record.formulation)
                .into_iter()
                .filter(|partner| {
                    sicol::records::referral_status::person_decision(&record, partner)
                        != Some(sicol::model::Decision::Declined)
                })
                .collect();
        // Not superseded later either, so the report counts this very record.
        let revised = store.ids().expect("ids").into_iter().any(|other| {
            store
                .read(other)
                .is_ok_and(|later| later.supersedes == Some(id))
        });
        if open.len() >= 2 && !revised {
            return (id, open[0].clone(), open[1].clone());
        }
    }
    panic!("no record with two open referrals")
}

#[test]
fn a_status_flow_is_appended_verified_replayed_and_reported() {
    let temp = tempfile::tempdir().expect("temp dir");
    let dir = temp.path().join("demo");
    let store = dir.to_string_lossy().into_owned();
    let made = sicol(&[
        "demo-store",
        "--out",
        &store,
        "--count",
        "12",
        "--seed",
        "3",
    ]);
    assert_eq!(made.status.code(), Some(0), "{}", text(&made.stderr));
    let records_before = Store::open(&dir).expect("store").ids().expect("ids").len();
    let (id, first, second) = two_referrals(&dir);
    let record = id.to_string();
    let assessed = Store::open(&dir)
        .expect("store")
        .read(id)
        .expect("record")
        .typed_assessment()
        .expect("assessment")
        .assessed_on();
    let day = |offset: i64| (assessed + chrono::Duration::days(offset)).to_string();
    let steps: [(&str, &str, String); 5] = [
        (first.as_str(), "sent", day(0)),
        (first.as_str(), "accepted", day(3)),
        (first.as_str(), "completed", day(20)),
        (second.as_str(), "sent", day(1)),
        (second.as_str(), "declined", day(2)),
    ];
    for (partner, status, date) in &steps {
        let saved = sicol(&[
            "referral-status",
            &record,
            "--store",
            &store,
            "--partner",
            partner,
            status,
            "--date",
            date,
            "--note",
            "by phone",
        ]);
        assert_eq!(saved.status.code(), Some(0), "{}", text(&saved.stderr));
    }
    // A partner not in the plan is refused, and nothing is written.
    let refused = sicol(&[
        "referral-status",
        &record,
        "--store",
        &store,
        "--partner",
        "cv-nowhere",
        "accepted",
    ]);
    assert_eq!(refused.status.code(), Some(2));
    assert!(text(&refused.stderr).contains("no referral to partner `cv-nowhere`"));
    let ids = Store::open(&dir).expect("store").ids().expect("ids");
    assert_eq!(ids.len(), records_before + 5);

    let verify = sicol(&["verify", &store]);
    assert_eq!(verify.status.code(), Some(0), "{}", text(&verify.stdout));
    let replay = sicol(&["replay", &store]);
    assert_eq!(replay.status.code(), Some(0), "{}", text(&replay.stdout));
    assert!(text(&replay.stdout).contains("(5 referral status records skipped)"));

    let report = sicol(&["report", "--store", &store, "--format", "json"]);
    assert_eq!(report.status.code(), Some(0), "{}", text(&report.stderr));
    let json: Value = serde_json::from_slice(&report.stdout).expect("json");
    let loop_figures = &json["figures"]["referral_loop"];
    assert_eq!(json["figures"]["status_records"], 5);
    assert_eq!(loop_figures["total"]["sent"], 2);
    assert_eq!(loop_figures["total"]["accepted"], 1);
    assert_eq!(loop_figures["total"]["completed"], 1);
    assert_eq!(loop_figures["total"]["declined"], 1);
    assert_eq!(loop_figures["total"]["not_reached"], 0);
    assert_eq!(loop_figures["median_days_to_acceptance"], 3.0);
    assert_eq!(loop_figures["loop_closure_rate"], 1.0);
    let partners: Vec<&str> = loop_figures["by_partner"]
        .as_array()
        .expect("by partner")
        .iter()
        .filter_map(|tally| tally["partner"].as_str())
        .collect();
    assert_eq!(partners.len(), 2);
    assert!(partners.contains(&first.as_str()) && partners.contains(&second.as_str()));

    let internal = text(&sicol(&["report", "--store", &store]).stdout);
    assert!(
        internal.contains("Referrals sent and the closed loop"),
        "{internal}"
    );
    assert!(internal.contains("Loop-closure rate: 100%"), "{internal}");
    // Published, every count here is below 5: hidden, and the rate and median withheld.
    let published = text(&sicol(&["report", "--store", &store, "--format", "markdown"]).stdout);
    assert!(
        published.contains("Loop-closure rate: withheld"),
        "{published}"
    );
    assert!(published.contains("Median time to acceptance: withheld"));

    // The export shows each referral's current status on its Task.
    let exported = sicol(&["export", &record, "--store", &store, "--format", "fhir"]);
    assert_eq!(
        exported.status.code(),
        Some(0),
        "{}",
        text(&exported.stderr)
    );
    let bundle: Value = serde_json::from_slice(&exported.stdout).expect("bundle");
    assert_eq!(fhir_problems(&bundle), "");
    let mut statuses: Vec<&str> = resources(&bundle, "Task")
        .iter()
        .filter_map(|task| task["status"].as_str())
        .filter(|status| *status != "draft")
        .collect();
    statuses.sort_unstable();
    assert_eq!(statuses, ["completed", "rejected"]);
}

#[test]
fn sicol_referral_writes_a_packet_and_sicol_export_writes_files() {
    let packet = sicol(&[
        "referral",
        "formulations/00000003.json",
        "--partner",
        "cv-housing-aid",
        "--format",
        "html",
    ]);
    assert_eq!(packet.status.code(), Some(0), "{}", text(&packet.stderr));
    let page = text(&packet.stdout);
    assert!(page.starts_with("<!DOCTYPE html>") && page.contains("Coventry Housing Aid Centre"));
    assert!(page.contains("agreed"), "record 3 accepts housing advice");

    let unknown = sicol(&[
        "referral",
        "formulations/00000003.json",
        "--partner",
        "nobody",
    ]);
    assert_eq!(unknown.status.code(), Some(2));
    assert!(
        text(&unknown.stderr).contains("cv-housing-aid"),
        "lists the plan's partners"
    );

    let temp = tempfile::tempdir().expect("temp dir");
    let out = temp.path().to_string_lossy().into_owned();
    let exported = sicol(&[
        "export",
        "--out",
        &out,
        "formulations/00000001.json",
        "formulations/00000002.json",
    ]);
    assert_eq!(
        exported.status.code(),
        Some(0),
        "{}",
        text(&exported.stderr)
    );
    for name in ["00000001.fhir.json", "00000002.fhir.json"] {
        let bundle: Value =
            serde_json::from_str(&fs::read_to_string(temp.path().join(name)).expect("written"))
                .expect("json");
        assert_eq!(bundle["resourceType"], "Bundle");
    }
}

#[test]
fn rules_check_names_each_mistyped_code_with_its_line_and_fix() {
    let mut rules = sicol::files::read_rule_files(&util::rules_dir()).expect("bundled rules");
    rules.origin = "rules".to_owned();
    let vocabulary = rules
        .files
        .get("vocabulary.yaml")
        .cloned()
        .expect("vocabulary");
    // Two digits of the homelessness concept swapped, and a lower-case ICD-10 code.
    let broken = vocabulary
        .replacen("\"32911000\"", "\"32191000\"", 1)
        .replacen("- Z59.0 ", "- z59.0 ", 1);
    assert_ne!(broken, vocabulary);
    rules
        .files
        .insert("vocabulary.yaml".to_owned(), broken.clone());
    let report = sicol::authoring::lint::check(&rules).to_string();
    let line_of = |needle: &str| {
        broken
            .lines()
            .position(|line| line.contains(needle))
            .map(|index| index + 1)
            .expect("the broken line")
    };
    assert!(
        report.contains(&format!(
            "vocabulary.yaml:{}:11: stressors.homelessness.codes.snomed[0]: `32191000` is not a SNOMED CT concept id: its check digit is wrong",
            line_of("32191000")
        )),
        "{report}"
    );
    assert!(
        report.contains("stressors.homelessness.codes.icd10[0]: `z59.0` is not an ICD-10 code"),
        "{report}"
    );
    assert!(
        report.contains("fix: write a letter, two digits"),
        "{report}"
    );
}

#[test]
fn every_golden_case_exports_valid_fhir_with_any_choices() {
    let rules = util::bundled();
    for (index, path) in util::example_cases().into_iter().enumerate() {
        let assessment = sicol::files::read_assessment(&path, rules).expect("valid case");
        let formulation = sicol::evaluate(rules, &assessment);
        // Alternate decisions so that permits, denials and undecided referrals all occur.
        let mut choices = sicol::model::Choices::default();
        for (position, referral) in formulation.referrals.iter().enumerate() {
            let decision = match (index + position) % 3 {
                0 => sicol::model::Decision::Accepted,
                1 => sicol::model::Decision::Declined,
                _ => continue,
            };
            choices.set(&referral.partner, decision, None);
        }
        let draft = sicol::records::Draft {
            assessment: &assessment,
            formulation: &formulation,
            choices: &choices,
            supersedes: None,
            saved_at: chrono::DateTime::parse_from_rfc3339("2026-11-21T09:00:00Z")
                .expect("time")
                .with_timezone(&chrono::Utc),
            mha_decision: None,
        };
        let record = draft.seal(RecordId(1), None);
        let case = Case::new(&record, &[]).expect("exports");
        let bundle = fhir::bundle(&case, &rules.vocabulary);
        assert_eq!(fhir_problems(&bundle), "", "{}", path.display());
        for referral in &case.referrals {
            let declined = choices.get(&referral.partner).map(|choice| choice.decision)
                == Some(sicol::model::Decision::Declined);
            match Packet::new(&case, &referral.partner, &rules.vocabulary) {
                Ok(_) => assert!(!declined),
                Err(ExportError::Declined { .. }) => assert!(declined),
                Err(error) => panic!("{}: {error}", path.display()),
            }
            let partner = fhir::partner_bundle(&case, referral, &rules.vocabulary);
            assert_eq!(fhir_problems(&partner), "", "{}", path.display());
        }
    }
}

#[test]
fn a_status_recorded_against_a_revised_record_counts_for_its_revision() {
    let temp = tempfile::tempdir().expect("temp dir");
    let dir = temp.path().join("store");
    fs::create_dir(&dir).expect("store");
    for entry in fs::read_dir(examples()).expect("examples").flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if RecordId::from_file_name(&name).is_some_and(|id| id.0 <= 3) {
            fs::copy(entry.path(), dir.join(&name)).expect("copied");
        }
    }
    let copy = |from: &Path, to: &Path| {
        fs::create_dir_all(to).expect("folder");
        for entry in fs::read_dir(from).expect("folder").flatten() {
            if entry.path().is_dir() {
                continue;
            }
            fs::copy(entry.path(), to.join(entry.file_name())).expect("copied");
        }
    };
    for entry in fs::read_dir(examples().join("rulesets"))
        .expect("rule sets")
        .flatten()
    {
        copy(&entry.path(), &dir.join("rulesets").join(entry.file_name()));
    }
    let store = dir.to_string_lossy().into_owned();
    // Record 1 is revised by record 3: the worker records against the record they had.
    let saved = sicol(&[
        "referral-status",
        "00000001",
        "--store",
        &store,
        "--partner",
        "cv-housing-aid",
        "accepted",
        "--date",
        "2026-11-21",
    ]);
    assert_eq!(saved.status.code(), Some(0), "{}", text(&saved.stderr));
    assert!(text(&saved.stderr).contains("revised by record 00000003"));
    let exported = sicol(&["export", "00000003", "--store", &store]);
    assert_eq!(
        exported.status.code(),
        Some(0),
        "{}",
        text(&exported.stderr)
    );
    let bundle: Value = serde_json::from_slice(&exported.stdout).expect("bundle");
    let accepted = resources(&bundle, "Task")
        .iter()
        .filter(|task| task["status"] == "accepted")
        .count();
    assert_eq!(accepted, 1);
    let report = sicol(&["report", "--store", &store, "--format", "json"]);
    let json: Value = serde_json::from_slice(&report.stdout).expect("json");
    assert_eq!(json["figures"]["referral_loop"]["total"]["accepted"], 1);
    assert_eq!(json["figures"]["referral_loop"]["statuses_not_counted"], 0);
}
