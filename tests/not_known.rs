//! "Not known" is never "none" (issue 12, hazard HAZ-12 in safety/hazard-log.yaml): a field the
//! assessor left out stays left out through parsing and saving, and a risk asked about and
//! denied (severity 0) stays distinct from one never asked about.

mod util;

use sicol::Assessment;

fn parse(text: &str) -> Assessment {
    match Assessment::parse(text, "case.yaml", &util::bundled().vocabulary) {
        Ok(assessment) => assessment,
        Err(problems) => panic!("{problems}\nin:\n{text}"),
    }
}

const LEFT_OUT: &str = "\
id: T-not-known
assessed_at: 2026-11-20T14:30:00Z
person: { age: 40 }
stressors:
  - { kind: debt, severity: 2 }
";

#[test]
fn a_field_left_out_stays_not_known_when_saved() {
    let assessment = parse(LEFT_OUT);
    let saved_yaml = assessment.to_yaml();
    let saved_json = serde_json::to_value(&assessment).expect("assessment as JSON");
    // Records keep the assessment as JSON, `--out` and drafts as YAML: neither may invent a value.
    for field in ["dependants", "lives"] {
        assert!(
            !saved_yaml.contains(field),
            "`{field}` was left out but is saved as:\n{saved_yaml}"
        );
        assert!(
            saved_json["person"].get(field).is_none(),
            "`{field}` was left out but is saved as {}",
            saved_json["person"]
        );
    }
    assert_eq!(
        parse(&saved_yaml),
        assessment,
        "reading back what was saved gives the same assessment"
    );
}

#[test]
fn asked_and_denied_stays_apart_from_not_asked() {
    let not_asked = parse(LEFT_OUT);
    let denied = parse(&format!(
        "{LEFT_OUT}medical:\n  - {{ kind: suicidal_ideation, severity: 0, note: \"Asked; denies\" }}\n"
    ));
    assert_ne!(not_asked, denied);
    assert!(not_asked.medical.is_empty());
    assert_eq!(denied.medical.len(), 1);
    assert_eq!(denied.medical[0].severity, 0);
    let saved = denied.to_yaml();
    assert!(saved.contains("suicidal_ideation"), "{saved}");
    assert_eq!(parse(&saved), denied);
}
