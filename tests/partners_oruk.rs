//! The partner directory in and out of Open Referral UK (`sicol partners import` and
//! `sicol partners export`): the bundled example imports into a directory sicol loads, the
//! bundled directory survives a round trip in every field ORUK can carry, every value that does
//! not pass is reported, and broken inputs are refused with their place.

mod util;

use std::process::Command;

use sicol::model::Vocabulary;
use sicol::referrals::oruk::{self, NoteKind, TaxonomyMapping};
use sicol::referrals::Directory;

fn vocabulary() -> &'static Vocabulary {
    &util::bundled().vocabulary
}

fn bundled_mapping() -> TaxonomyMapping {
    let path = util::rules_dir().join(oruk::MAPPING_FILE);
    let text = std::fs::read_to_string(&path).expect("bundled mapping");
    TaxonomyMapping::parse(&text, "oruk-taxonomy.yaml", vocabulary())
        .unwrap_or_else(|problems| panic!("bundled mapping must load:\n{problems}"))
}

fn example() -> String {
    std::fs::read_to_string(util::rules_dir().join("examples/oruk-services.json"))
        .expect("bundled ORUK example")
}

fn import(json: &str) -> oruk::Imported {
    oruk::import(json, "services.json", &bundled_mapping(), vocabulary())
        .unwrap_or_else(|problems| panic!("import must succeed:\n{problems}"))
}

fn parse(yaml: &str) -> Directory {
    Directory::parse(yaml, "partners.yaml", vocabulary())
        .unwrap_or_else(|problems| panic!("imported directory must load:\n{problems}\n{yaml}"))
}

/// The notes about one service and field, as `kind: text`.
fn notes_about(imported: &oruk::Imported, service: &str, field: &str) -> Vec<String> {
    imported
        .notes
        .iter()
        .filter(|note| note.service.starts_with(service) && note.field == field)
        .map(|note| format!("{}: {}", note.kind.heading(), note.text))
        .collect()
}

fn import_errors(json: &str) -> String {
    match oruk::import(json, "services.json", &bundled_mapping(), vocabulary()) {
        Ok(imported) => panic!("import must fail, gave:\n{}", imported.yaml),
        Err(problems) => problems.to_string(),
    }
}

#[test]
fn the_bundled_example_imports_into_a_directory_sicol_loads() {
    let imported = import(&example());
    let directory = parse(&imported.yaml);
    let names: Vec<&str> = directory
        .partners()
        .iter()
        .map(|partner| partner.name.as_str())
        .collect();
    assert_eq!(
        names,
        [
            "Riverside Housing Advice Line",
            "Next Steps Youth Hub",
            "Night Light Mental Health Helpline",
            "Harbour Evening Café",
            "Money and Benefits Clinic",
            "Greenway Community Larder",
        ],
        "the swimming sessions (no mapped term) and the inactive drop-in are left out"
    );
    assert_eq!(imported.partners, 6);
    let get = |name: &str| {
        directory
            .partners()
            .iter()
            .find(|partner| partner.name == name)
            .expect("imported partner")
    };
    let youth = get("Next Steps Youth Hub");
    assert_eq!(youth.categories, ["housing_advice", "employment_support"]);
    assert_eq!(
        (youth.eligibility.min_age, youth.eligibility.max_age),
        (Some(16), Some(25))
    );
    assert_eq!(youth.contact, "01632 960302");
    assert_eq!(
        youth.hours.describe(),
        "Mon–Fri 10:00–18:00; Sat 11:00–15:00"
    );
    // One schedule a day comes back as one window per opening time.
    assert_eq!(
        get("Riverside Housing Advice Line").hours.describe(),
        "Mon–Thu 09:00–17:00; Fri 09:00–16:30"
    );
    assert_eq!(
        get("Night Light Mental Health Helpline").hours.describe(),
        "24 hours, every day"
    );
    // A night past midnight becomes two windows, the second on the following days.
    assert_eq!(
        get("Harbour Evening Café").hours.describe(),
        "Fri, Sat 18:00–23:59; Sat, Sun 00:00–02:00"
    );
    // A term standing for two categories gives both; the e-mail address is the only contact.
    let money = get("Money and Benefits Clinic");
    assert_eq!(money.categories, ["debt_advice", "welfare_benefits"]);
    assert_eq!(money.contact, "money.clinic@example.org");
    assert_eq!(money.hours.describe(), "Wed 10:00–14:00");
    // ORUK says nothing of these: the safe default, for a person to set.
    for partner in directory.partners() {
        assert!(!partner.same_day, "{}", partner.id);
        assert!(!partner.can_coordinate, "{}", partner.id);
    }
    // Ids are the ORUK ids, lower-kebab-case, so a second import gives the same ones.
    assert_eq!(
        get("Greenway Community Larder").id,
        "c21a2ee1-ae78-46d4-885c-e0ead16b46b2"
    );
    assert_eq!(
        import(&example()).yaml,
        imported.yaml,
        "the import is deterministic"
    );
}

#[test]
fn every_value_that_does_not_pass_is_reported_with_its_service_and_field() {
    let imported = import(&example());
    let expect = |service: &str, field: &str, wanted: &str| {
        let notes = notes_about(&imported, service, field);
        assert!(
            notes.iter().any(|note| note.contains(wanted)),
            "{service} {field}: want {wanted:?} in {notes:#?}"
        );
    };
    expect(
        "Aqua Fit Swimming Sessions",
        "attributes",
        "not imported: none of its taxonomy terms maps",
    );
    expect(
        "Eastside Debt Drop-in",
        "status",
        "not imported: the service is `inactive`",
    );
    expect(
        "Riverside Housing Advice Line",
        "service_areas[0]",
        "not mapped: `City of Coventry`: sicol does not limit partners by area",
    );
    expect(
        "Riverside Housing Advice Line",
        "email",
        "`housing.line@example.org` not kept: partners.yaml keeps one contact, `01632 960301`",
    );
    expect(
        "Riverside Housing Advice Line",
        "organization",
        "`Riverside Advice Trust`",
    );
    expect(
        "Riverside Housing Advice Line",
        "description",
        "not mapped: `Free, confidential advice",
    );
    expect("Riverside Housing Advice Line", "url", "not mapped");
    expect(
        "Riverside Housing Advice Line",
        "contacts[0]",
        "contact person `Duty adviser`",
    );
    expect(
        "Riverside Housing Advice Line",
        "eligibility_description",
        "kept as free text: kept as the eligibility note",
    );
    expect(
        "Next Steps Youth Hub",
        "schedules[1].description",
        "`Drop-in only on Saturdays`",
    );
    expect(
        "Money and Benefits Clinic",
        "schedules[1]",
        "left out: it repeats every 2 weeks",
    );
    expect(
        "Greenway Community Larder",
        "schedules[1]",
        "left out: it repeats `MONTHLY`",
    );
    expect("Greenway Community Larder", "attributes[1]", "taxonomy term `Gardening and allotments` of `City Directory Service Types` has no sicol category");
    expect(
        "Greenway Community Larder",
        "cost_options",
        "no place in partners.yaml",
    );
    expect(
        "Harbour Evening Café",
        "schedules[0].closes_at",
        "changed: runs past midnight",
    );
    expect(
        "every partner imported",
        "same_day",
        "set by hand: ORUK does not say",
    );
    expect(
        "every partner imported",
        "can_coordinate",
        "set by hand: ORUK does not say",
    );
    // Nothing is reported about what was carried over whole.
    assert!(notes_about(
        &imported,
        "Night Light Mental Health Helpline",
        "schedules[0]"
    )
    .is_empty());
    assert!(imported.notes.iter().all(
        |note| note.service != "Next Steps Youth Hub" || !note.field.starts_with("minimum_age")
    ));
}

#[test]
fn the_bundled_directory_survives_a_round_trip_in_every_field_oruk_carries() {
    let rules = util::bundled();
    let mapping = bundled_mapping();
    let exported = oruk::export(&rules.partners, &mapping, &rules.vocabulary);
    assert_eq!(exported.services, rules.partners.partners().len());
    let imported = oruk::import(&exported.json, "export.json", &mapping, &rules.vocabulary)
        .unwrap_or_else(|problems| panic!("the export must import:\n{problems}"));
    let back = parse(&imported.yaml);
    assert_eq!(back.partners().len(), rules.partners.partners().len());
    for (before, after) in rules.partners.partners().iter().zip(back.partners()) {
        assert_eq!(after.id, before.id);
        assert_eq!(after.name, before.name, "{}", before.id);
        assert_eq!(after.categories, before.categories, "{}", before.id);
        assert_eq!(after.contact, before.contact, "{}", before.id);
        assert_eq!(
            after.hours.describe(),
            before.hours.describe(),
            "{}",
            before.id
        );
        assert_eq!(
            after.eligibility.min_age, before.eligibility.min_age,
            "{}",
            before.id
        );
        assert_eq!(
            after.eligibility.max_age, before.eligibility.max_age,
            "{}",
            before.id
        );
        assert_eq!(
            after.eligibility.note, before.eligibility.note,
            "{}",
            before.id
        );
    }
    // A second round gives the same export, byte for byte: nothing drifts on each pass.
    assert_eq!(
        oruk::export(&back, &mapping, &rules.vocabulary).json,
        exported.json
    );
    // Every category went out as one of the mapping's terms, not sicol's own fallback.
    assert!(
        !exported.json.contains(oruk::SICOL_TAXONOMY),
        "the bundled mapping has a term for every category"
    );
    // What ORUK cannot carry is said, on the way out and on the way back.
    let lives: Vec<_> = exported
        .notes
        .iter()
        .filter(|note| note.field == "eligibility.lives")
        .collect();
    let with_lives = rules
        .partners
        .partners()
        .iter()
        .filter(|partner| !partner.eligibility.lives.is_empty())
        .count();
    assert_eq!(lives.len(), with_lives, "{lives:#?}");
    assert!(lives
        .iter()
        .any(|note| note.service.contains("cv-inclusion-health")));
    // The choice's structured limits are said too: a refuge read back would serve anyone.
    assert!(exported
        .notes
        .iter()
        .any(|note| note.service.contains("cv-safer-homes-refuge")
            && note.field.contains("eligibility.gender")
            && note.field.contains("route")));
    assert!(imported
        .notes
        .iter()
        .any(|note| note.kind == NoteKind::SetByHand && note.field == "same_day"));
}

#[test]
fn a_category_the_mapping_lacks_goes_out_in_sicols_own_taxonomy_and_comes_back() {
    let rules = util::bundled();
    let empty = TaxonomyMapping::default();
    let exported = oruk::export(&rules.partners, &empty, &rules.vocabulary);
    assert!(exported
        .notes
        .iter()
        .any(|note| note.kind == NoteKind::Changed && note.field == "categories: housing_advice"));
    let imported = oruk::import(&exported.json, "export.json", &empty, &rules.vocabulary)
        .unwrap_or_else(|problems| panic!("{problems}"));
    let back = parse(&imported.yaml);
    for (before, after) in rules.partners.partners().iter().zip(back.partners()) {
        assert_eq!(after.categories, before.categories, "{}", before.id);
    }
}

#[test]
fn broken_exports_are_refused_with_their_place() {
    let not_json = import_errors("{ \"contents\": [ { \"id\": \"a\", }\n");
    assert!(not_json.starts_with("services.json:1:"), "{not_json}");
    assert!(not_json.contains("not valid JSON"), "{not_json}");

    let not_services = import_errors("{ \"hello\": 1 }");
    assert!(
        not_services.contains("not an Open Referral UK services export"),
        "{not_services}"
    );

    // A good service, then the one under test with the same hours and taxonomy term.
    let service = |fields: &str| {
        let usable = "\"schedules\": [{ \"id\": \"s\", \"byday\": \"MO\", \"opens_at\": \"09:00\", \"closes_at\": \"17:00\" }], \
             \"attributes\": [{ \"id\": \"t\", \"taxonomy_term\": { \"id\": \"CDST-120\", \"name\": \"Debt advice\", \"taxonomy\": \"City Directory Service Types\" } }]";
        format!(
            "{{ \"contents\": [ {{ \"id\": \"ok\", \"name\": \"Fine\", \"email\": \"a@example.org\", {usable} }}, \
             {{ {fields}, {usable} }} ] }}"
        )
    };
    let no_name = import_errors(&service("\"id\": \"svc-2\", \"email\": \"b@example.org\""));
    assert!(
        no_name.contains("services.json: contents[1].name: service svc-2 has no name"),
        "{no_name}"
    );
    let no_contact = import_errors(&service("\"id\": \"svc-3\", \"name\": \"Silent Service\""));
    assert!(
        no_contact.contains(
            "contents[1]: Silent Service (svc-3) has no phone, e-mail or application process"
        ),
        "{no_contact}"
    );
    let bad_ages = import_errors(&service(
        "\"id\": \"svc-4\", \"name\": \"Ages\", \"email\": \"c@example.org\", \"minimum_age\": 30, \"maximum_age\": 12",
    ));
    assert!(
        bad_ages.contains(
            "contents[1].maximum_age: Ages (svc-4): maximum_age 12 is below minimum_age 30"
        ),
        "{bad_ages}"
    );
    let same_id = import_errors(&service(
        "\"id\": \"OK\", \"name\": \"Twin\", \"email\": \"d@example.org\"",
    ));
    assert!(
        same_id.contains("contents[1].id: service `Twin` gives partner id `ok`, already given to the service at contents[0]"),
        "{same_id}"
    );
}

#[test]
fn a_mapping_to_an_unknown_category_is_refused_with_its_line() {
    let text = "terms:\n  - taxonomy: T\n    code: A\n    categories: [housing_advice]\n  - taxonomy: T\n    code: B\n    categories: [debt_advise]\n  - taxonomy: t\n    code: a \n    categories: []\n";
    let problems = TaxonomyMapping::parse(text, "oruk-taxonomy.yaml", vocabulary())
        .expect_err("invalid mapping")
        .to_string();
    for expected in [
        "oruk-taxonomy.yaml:7:18: terms[1].categories[0]: unknown referral category `debt_advise`",
        "did you mean `debt_advice`?",
        "oruk-taxonomy.yaml:9:11: terms[2].code: term `a` of `t` is already mapped by terms[0]",
        "terms[2].categories: no categories",
    ] {
        assert!(
            problems.contains(expected),
            "missing {expected:?} in:\n{problems}"
        );
    }
}

#[test]
fn the_command_line_writes_the_file_privately_and_reports_on_stderr() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = dir.path().join("partners.yaml");
    let example = util::rules_dir().join("examples/oruk-services.json");
    let output = Command::new(env!("CARGO_BIN_EXE_sicol"))
        .arg("--rules")
        .arg(util::rules_dir())
        .args(["partners", "import"])
        .arg(&example)
        .arg("--out")
        .arg(&out)
        .output()
        .expect("run sicol");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    assert!(output.stdout.is_empty(), "the file goes to --out only");
    assert!(stderr.contains("imported 6 partner(s)"), "{stderr}");
    assert!(
        stderr.contains("not imported:\n  Aqua Fit Swimming Sessions"),
        "{stderr}"
    );
    let written = std::fs::read_to_string(&out).expect("written");
    parse(&written);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&out)
            .expect("metadata")
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }

    let export = Command::new(env!("CARGO_BIN_EXE_sicol"))
        .arg("--rules")
        .arg(util::rules_dir())
        .args(["partners", "export", "--format", "oruk"])
        .output()
        .expect("run sicol");
    assert_eq!(export.status.code(), Some(0));
    let json: serde_json::Value = serde_json::from_slice(&export.stdout).expect("JSON on stdout");
    assert_eq!(json["contents"][0]["id"], "cv-housing-aid");
    assert_eq!(
        json["contents"][0]["contacts"][0]["phones"][0]["number"],
        "01632 960101"
    );

    let broken = dir.path().join("broken.json");
    std::fs::write(&broken, "[ { \"id\": \"x\" } ]").expect("write");
    let refused = Command::new(env!("CARGO_BIN_EXE_sicol"))
        .arg("--rules")
        .arg(util::rules_dir())
        .args(["partners", "import"])
        .arg(&broken)
        .output()
        .expect("run sicol");
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert_eq!(refused.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("[0].name: service x has no name"),
        "{stderr}"
    );
}

#[test]
fn times_zones_and_odd_schedules_are_read_safely() {
    // One service, written in sicol's own taxonomy so no mapping is needed.
    let json = r#"{
      "id": "SVC_77", "name": "Odd Hours", "minimum_age": "18", "maximum_age": 0,
      "phones": [{ "id": "p", "number": "01632 960399", "extension": 12, "description": "Text only" }],
      "attributes": [{ "id": "a", "taxonomy_term": { "id": "x", "code": "befriending", "name": "Befriending", "taxonomy": "sicol-referral-categories" } }],
      "schedules": [
        { "id": "1", "freq": "WEEKLY", "interval": 1.0, "byday": "mo, tu", "opens_at": "09:00:00Z", "closes_at": "12:30:00Z", "valid_from": "2026-01-01" },
        { "id": "2", "byday": "WE", "opens_at": "20:00", "closes_at": "24:00" },
        { "id": "3", "freq": "MONTHLY", "byday": "2TH", "opens_at": "10:00", "closes_at": "12:00" },
        { "id": "4", "byday": "FR", "opens_at": "10:00", "closes_at": "10:00" },
        { "id": "5", "byday": "SA", "opens_at": "ten", "closes_at": "12:00" }
      ]
    }"#;
    let imported = oruk::import(json, "one.json", &TaxonomyMapping::default(), vocabulary())
        .unwrap_or_else(|problems| panic!("{problems}"));
    let directory = parse(&imported.yaml);
    let partner = &directory.partners()[0];
    assert_eq!(partner.id, "svc-77");
    assert_eq!(partner.categories, ["befriending"]);
    assert_eq!(partner.contact, "01632 960399 ext. 12");
    assert_eq!(partner.eligibility.min_age, Some(18));
    assert_eq!(
        partner.eligibility.max_age, None,
        "0 is no limit, not 'nobody'"
    );
    assert_eq!(
        partner.hours.describe(),
        "Mon, Tue 09:00–12:30; Wed 20:00–23:59"
    );
    let expect = |field: &str, wanted: &str| {
        let notes = notes_about(&imported, "Odd Hours", field);
        assert!(
            notes.iter().any(|note| note.contains(wanted)),
            "{field}: want {wanted:?} in {notes:#?}"
        );
    };
    expect("schedules[0].opens_at", "changed: time zone `Z` dropped");
    expect(
        "schedules[0].valid_from",
        "not kept: sicol's hours apply every week",
    );
    expect("schedules[1].closes_at", "changed: closes at midnight");
    expect("schedules[2]", "left out: it repeats `MONTHLY`");
    expect(
        "schedules[3]",
        "left out: it opens and closes at the same time",
    );
    expect(
        "schedules[4]",
        "left out: `ten` at schedules[4].opens_at is not a time",
    );
    expect("phones[0].description", "`Text only`");
    expect("maximum_age", "changed: 0 read as no upper age limit");

    // With no schedule left, the service is not imported, and says why.
    let closed = json
        .replace("\"byday\": \"mo, tu\"", "\"byday\": \"1MO\"")
        .replace("\"byday\": \"WE\"", "\"byday\": \"-1WE\"");
    let imported = oruk::import(
        &closed,
        "one.json",
        &TaxonomyMapping::default(),
        vocabulary(),
    )
    .unwrap_or_else(|problems| panic!("{problems}"));
    assert_eq!(imported.partners, 0);
    assert!(
        notes_about(&imported, "Odd Hours", "schedules")
            .iter()
            .any(|note| note.starts_with("not imported: no weekly opening hours")),
        "{:#?}",
        imported.notes
    );
    parse(&imported.yaml);
}

#[test]
fn rules_check_reports_a_mapping_to_an_unknown_category_with_its_line() {
    let mut files = sicol::files::read_rule_files(&util::rules_dir()).expect("bundled rules");
    files.origin = "rules".to_owned();
    let clean = sicol::authoring::lint::check(&files);
    assert!(
        clean
            .findings
            .iter()
            .all(|finding| !finding.problem.file.ends_with(oruk::MAPPING_FILE)),
        "the bundled mapping is clean"
    );
    let text = files.files[oruk::MAPPING_FILE].replacen(
        "categories: [crisis_team]",
        "categories: [crisis_teams]",
        1,
    );
    let line = 1 + text
        .lines()
        .position(|line| line.contains("crisis_teams"))
        .expect("edited line");
    files.files.insert(oruk::MAPPING_FILE.to_owned(), text);
    let report = sicol::authoring::lint::check(&files);
    let errors: Vec<String> = report
        .findings
        .iter()
        .filter(|finding| finding.severity == sicol::authoring::Severity::Error)
        .map(|finding| finding.problem.to_string())
        .collect();
    let wanted = format!(
        "rules/oruk-taxonomy.yaml:{line}:18: terms[10].categories[0]: unknown referral category `crisis_teams`"
    );
    assert!(
        errors.iter().any(|error| error.starts_with(&wanted)),
        "want {wanted:?} in {errors:#?}"
    );
}
