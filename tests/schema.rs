//! `sicol schema`: the JSON Schemas generated from the Rust types, with the vocabulary written in.
//! Snapshots show any change to them as a diff; the copies shipped in `schemas/` must match.

mod util;

use std::process::Command;

use serde_json::Value;
use sicol::authoring::schema::schemas;
use sicol::model::Section;

fn parsed(file_name: &str) -> Value {
    let schema = schemas(util::bundled())
        .into_iter()
        .find(|schema| schema.file_name == file_name)
        .unwrap_or_else(|| panic!("no {file_name}"));
    serde_json::from_str(&schema.text).expect("valid JSON")
}

fn enum_at(schema: &Value, pointer: &str) -> Vec<String> {
    schema
        .pointer(&format!("{pointer}/enum"))
        .and_then(Value::as_array)
        .unwrap_or_else(|| panic!("no enum at {pointer}"))
        .iter()
        .filter_map(|value| value.as_str().map(str::to_owned))
        .collect()
}

#[test]
fn every_schema_matches_its_snapshot() {
    for schema in schemas(util::bundled()) {
        let name = schema.file_name.trim_end_matches(".schema.json").to_owned();
        util::snapshot_settings()
            .bind(|| insta::assert_snapshot!(format!("schema__{name}"), schema.text));
    }
}

#[test]
fn the_shipped_schemas_are_current() {
    let dir = util::root().join("schemas");
    let update = std::env::var_os("SICOL_UPDATE_SCHEMAS").is_some();
    for schema in schemas(util::bundled()) {
        let path = dir.join(schema.file_name);
        if update {
            std::fs::write(&path, &schema.text).expect("write schema");
            continue;
        }
        let shipped = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            shipped == schema.text,
            "{} is out of date: run `sicol schema` (or SICOL_UPDATE_SCHEMAS=1 cargo test --test schema)",
            path.display()
        );
    }
}

#[test]
fn the_vocabulary_is_written_in_as_enums() {
    let vocabulary = &util::bundled().vocabulary;
    let assessment = parsed("assessment.schema.json");
    for section in Section::ALL {
        let kinds: Vec<String> = vocabulary.kinds(section).keys().cloned().collect();
        assert_eq!(
            enum_at(
                &assessment,
                &format!("/properties/{}/items/properties/kind", section.key())
            ),
            kinds
        );
    }
    let living: Vec<String> = vocabulary.living_situations.keys().cloned().collect();
    assert_eq!(
        enum_at(&assessment, "/properties/person/properties/lives"),
        living
    );

    let categories: Vec<String> = vocabulary.referral_categories.keys().cloned().collect();
    let partners = parsed("partners.schema.json");
    assert_eq!(
        enum_at(
            &partners,
            "/properties/partners/items/properties/categories/items"
        ),
        categories
    );
    let test_case = parsed("rules-test.schema.json");
    assert_eq!(
        enum_at(&test_case, "/properties/expect/properties/referrals/items"),
        categories
    );
    let rules = enum_at(
        &test_case,
        "/properties/expect/properties/rules_fired/items",
    );
    assert!(rules.contains(&"housing.eviction_imminent".to_owned()));
    let ruleset = parsed("ruleset.schema.json");
    let when = enum_at(&ruleset, "/properties/scripts/items/properties/when/items");
    assert!(when.contains(&"eviction".to_owned()) && when.contains(&"insight".to_owned()));
}

#[test]
fn the_schemas_follow_what_sicol_accepts() {
    let assessment = parsed("assessment.schema.json");
    assert_eq!(assessment["additionalProperties"], Value::Bool(false));
    assert_eq!(
        assessment.pointer("/properties/stressors/items/properties/severity/maximum"),
        Some(&Value::from(3))
    );
    let required: Vec<&str> = assessment["required"]
        .as_array()
        .expect("required list")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert!(required.contains(&"id") && required.contains(&"assessed_at"));
    let test_case = parsed("rules-test.schema.json");
    assert!(test_case["required"]
        .as_array()
        .expect("required list")
        .contains(&Value::from("expect")));
}

#[test]
fn the_command_writes_every_schema() {
    let dir = tempfile::tempdir().expect("temp dir");
    let output = Command::new(env!("CARGO_BIN_EXE_sicol"))
        .args(["schema", "--out"])
        .arg(dir.path())
        .output()
        .expect("run sicol");
    assert_eq!(output.status.code(), Some(0));
    for schema in schemas(util::bundled()) {
        let written =
            std::fs::read_to_string(dir.path().join(schema.file_name)).expect("schema written");
        assert_eq!(written, schema.text, "{}", schema.file_name);
    }
}
