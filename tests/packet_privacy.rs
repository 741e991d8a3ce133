//! A partner's packet holds only what that partner's `share:` list allows, in every section and
//! every format (issue 19): for the golden cases and for cases generated over every kind of the
//! vocabulary, with every field written so that it can be told apart, no Markdown, HTML or FHIR
//! packet for any partner carries text from a part of the assessment outside its list.

mod util;

use std::collections::BTreeSet;

use chrono::{TimeZone, Utc};
use proptest::prelude::*;
use proptest::sample::subsequence;

use sicol::export::packet::Packet;
use sicol::export::{fhir, Case, ExportError};
use sicol::model::{Assessment, Choices, Decision, Section, Share};
use sicol::records::{Draft, Record, RecordId};
use sicol::report::{html, markdown};

/// Texts from each part of an assessment that must not reach a partner not shared that part.
fn texts_of(assessment: &Assessment) -> Vec<(Share, String)> {
    let vocabulary = &util::bundled().vocabulary;
    let mut texts = Vec::new();
    for factor in &assessment.medical {
        if factor.severity == 0 {
            continue;
        }
        texts.push((Share::Medical, vocabulary.label(&factor.kind).to_owned()));
        if let Some(anchor) = vocabulary
            .kind(&factor.kind)
            .and_then(|info| info.severity.get(&factor.severity))
        {
            texts.push((Share::Medical, anchor.clone()));
        }
        texts.extend(factor.note.clone().map(|note| (Share::Medical, note)));
    }
    for factor in &assessment.stressors {
        texts.extend(factor.note.clone().map(|note| (Share::Stressors, note)));
    }
    for strength in &assessment.strengths {
        texts.extend(strength.note.clone().map(|note| (Share::Strengths, note)));
    }
    texts.extend(
        assessment
            .wishes
            .clone()
            .map(|wishes| (Share::Wishes, wishes)),
    );
    texts
}

/// Seals an assessment, its formulation and choices into a record, as `evaluate --save` would.
fn record_of(assessment: &Assessment, choices: &Choices) -> Record {
    let formulation = sicol::evaluate(util::bundled(), assessment);
    let saved_at = Utc
        .with_ymd_and_hms(2026, 11, 21, 9, 0, 0)
        .single()
        .expect("time");
    Draft {
        assessment,
        formulation: &formulation,
        choices,
        supersedes: None,
        saved_at,
        mha_decision: None,
    }
    .seal(RecordId(1), None)
}

/// Checks every partner's packet of a record in every format; returns how many were checked.
fn check_packets(record: &Record) -> usize {
    let rules = util::bundled();
    let case = Case::new(record, &[]).expect("the record exports");
    let texts = texts_of(&case.assessment);
    let urgency_reasons: Vec<String> = case
        .urgency
        .as_ref()
        .map(|urgency| urgency.reasons.clone())
        .unwrap_or_default();
    let mut checked = 0;
    for referral in &case.referrals {
        let packet = match Packet::new(&case, &referral.partner, &rules.vocabulary) {
            Ok(packet) => packet,
            Err(ExportError::Declined { .. }) => continue,
            Err(error) => panic!("{error}"),
        };
        let shares: &BTreeSet<Share> = &packet.shares;
        let document = packet.document(&rules.vocabulary);
        let outputs = [
            ("markdown", markdown::to_markdown(&document)),
            ("html", html::to_html(&document)),
            (
                "fhir",
                fhir::to_text(&fhir::partner_bundle(&case, referral, &rules.vocabulary)),
            ),
        ];
        // The partner's own reasons are always its to see, whatever they quote.
        let own = |text: &str| {
            referral
                .reasons
                .iter()
                .any(|reason| reason.why.contains(text))
        };
        for (format, output) in &outputs {
            for (part, text) in &texts {
                if !shares.contains(part) && !own(text) {
                    assert!(
                        !output.contains(text.as_str()),
                        "{format} packet for {} (shares {shares:?}) carries {part:?} text `{text}`:\n{output}",
                        referral.partner
                    );
                }
            }
            if !shares.contains(&Share::Medical) {
                for reason in &urgency_reasons {
                    assert!(
                        !output.contains(reason.as_str()),
                        "{format} packet for {} carries the urgency reason `{reason}`",
                        referral.partner
                    );
                }
                assert!(
                    !output.contains("Mental-health crisis assessment"),
                    "{format} packet for {} calls the encounter a crisis assessment",
                    referral.partner
                );
            }
            if !shares.contains(&Share::Urgency) {
                assert!(!output.contains("Overall urgency"), "{output}");
            }
            if !shares.contains(&Share::Person) {
                assert!(!output.contains("About the person"), "{output}");
            }
        }
        checked += 1;
    }
    checked
}

/// Choices accepting every referral, with the person's wishes shareable with each or none.
fn accept_all(record: &Record, share_wishes: bool) -> Choices {
    let mut choices = Choices::default();
    let referrals = record.formulation["referrals"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    for referral in referrals {
        let partner = referral["partner"].as_str().unwrap_or_default();
        choices.set(partner, Decision::Accepted, None);
        choices.set_share_wishes(partner, share_wishes);
    }
    choices
}

#[test]
fn golden_cases_share_only_what_each_partner_may_have() {
    let rules = util::bundled();
    let mut checked = 0;
    for path in util::example_cases() {
        let text = std::fs::read_to_string(&path).expect("case");
        let assessment = Assessment::parse(&text, &path.display().to_string(), &rules.vocabulary)
            .expect("golden cases are valid");
        let bare = record_of(&assessment, &Choices::default());
        checked += check_packets(&bare);
        for share_wishes in [false, true] {
            let choices = accept_all(&bare, share_wishes);
            checked += check_packets(&record_of(&assessment, &choices));
        }
    }
    assert!(checked > 30, "only {checked} packets checked");
}

#[test]
fn wishes_go_only_where_the_person_agreed_and_the_category_allows() {
    let rules = util::bundled();
    let path = util::root().join("tests/cases/social_led_eviction.yaml");
    let text = std::fs::read_to_string(&path).expect("case");
    let mut assessment =
        Assessment::parse(&text, "case", &rules.vocabulary).expect("valid golden case");
    assessment.wishes = Some("Wants to stay in the flat with the cat".to_owned());
    let bare = record_of(&assessment, &Choices::default());
    for share_wishes in [false, true] {
        let record = record_of(&assessment, &accept_all(&bare, share_wishes));
        let case = Case::new(&record, &[]).expect("exports");
        let mut allowed = 0;
        for referral in &case.referrals {
            let packet =
                Packet::new(&case, &referral.partner, &rules.vocabulary).expect("a packet");
            let text = markdown::to_markdown(&packet.document(&rules.vocabulary));
            let category_allows = referral.categories.iter().any(|category| {
                rules.vocabulary.referral_categories[category]
                    .share
                    .contains(&Share::Wishes)
            });
            let expected = share_wishes && category_allows;
            allowed += usize::from(expected);
            assert_eq!(
                text.contains("stay in the flat with the cat"),
                expected,
                "{}: {text}",
                referral.partner
            );
        }
        assert_eq!(
            allowed > 0,
            share_wishes,
            "a partner whose category shares wishes"
        );
    }
}

/// One generated case: a selection of every section's kinds, each field marked so that its
/// text is told apart from every other's.
fn generated() -> impl Strategy<Value = (Assessment, bool)> {
    let vocabulary = &util::bundled().vocabulary;
    let kinds =
        |section: Section| -> Vec<String> { vocabulary.kinds(section).keys().cloned().collect() };
    let stressors = kinds(Section::Stressors);
    let medical = kinds(Section::Medical);
    let strengths = kinds(Section::Strengths);
    (
        subsequence(stressors.clone(), 0..=stressors.len().min(6)),
        subsequence(medical.clone(), 0..=medical.len().min(4)),
        subsequence(strengths.clone(), 0..=strengths.len().min(3)),
        prop::collection::vec(1u8..=3, 16),
        any::<bool>(),
    )
        .prop_map(|(stressors, medical, strengths, severities, share_wishes)| {
            let mut yaml = String::from(
                "id: P-1\nassessed_at: 2026-11-20T14:30:00Z\nassessor: AMHP-1\nperson:\n  age: 40\n  lives: alone\n  dependants: 1\nwishes: \"WISHESqz the person's own words\"\n",
            );
            let mut section = |name: &str, kinds: &[String], marker: &str, severity: bool| {
                if kinds.is_empty() {
                    return;
                }
                yaml.push_str(&format!("{name}:\n"));
                for (index, kind) in kinds.iter().enumerate() {
                    yaml.push_str(&format!("  - kind: {kind}\n"));
                    if severity {
                        yaml.push_str(&format!(
                            "    severity: {}\n    due: 2026-11-25\n",
                            severities[index % severities.len()]
                        ));
                    }
                    yaml.push_str(&format!("    note: \"{marker}{index}qz\"\n"));
                }
            };
            section("stressors", &stressors, "STRESSNOTE", true);
            section("medical", &medical, "MEDNOTE", true);
            section("strengths", &strengths, "STRENGTHNOTE", false);
            let assessment = Assessment::parse(&yaml, "generated", &util::bundled().vocabulary)
                .unwrap_or_else(|problems| panic!("{problems}\n{yaml}"));
            (assessment, share_wishes)
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn generated_cases_share_only_what_each_partner_may_have(
        (assessment, share_wishes) in generated()
    ) {
        let bare = record_of(&assessment, &Choices::default());
        check_packets(&bare);
        check_packets(&record_of(&assessment, &accept_all(&bare, share_wishes)));
    }
}
