//! Any bytes as an assessment, then every partner's packet (issue 19). The first byte chooses,
//! bit by bit, which referrals the person accepts or declines and whether their wishes may go
//! with each. Never a panic; a declined referral gets no packet; and no packet carries the
//! wishes, a medical note or the urgency's reasons unless its partner may have them.

#![no_main]

use chrono::{TimeZone, Utc};
use libfuzzer_sys::fuzz_target;
use sicol::export::packet::Packet;
use sicol::export::{fhir, Case, ExportError};
use sicol::model::{Assessment, Choices, Decision, Share};
use sicol::records::{Draft, RecordId};
use sicol::report::markdown;

mod common;

fuzz_target!(|data: &[u8]| {
    let Some((&bits, rest)) = data.split_first() else {
        return;
    };
    let text = String::from_utf8_lossy(rest);
    let rules = common::bundled();
    let limits = sicol::input::Limits::default();
    if sicol::input::check_yaml(&text, "fuzzed.yaml", sicol::input::InputKind::Case, &limits)
        .is_err()
    {
        return;
    }
    let Ok(assessment) = Assessment::parse(&text, "fuzzed.yaml", &rules.vocabulary) else {
        return;
    };
    let formulation = sicol::evaluate(rules, &assessment);
    let mut choices = Choices::default();
    for (index, referral) in formulation.referrals.iter().enumerate() {
        let bit = |shift: usize| bits & (1 << ((index * 2 + shift) % 8)) != 0;
        let decision = if bit(0) { Decision::Accepted } else { Decision::Declined };
        choices.set(&referral.partner, decision, None);
        choices.set_share_wishes(&referral.partner, bit(1));
    }
    let saved_at = Utc.with_ymd_and_hms(2026, 11, 21, 9, 0, 0).single().expect("time");
    let record = Draft {
        assessment: &assessment,
        formulation: &formulation,
        choices: &choices,
        supersedes: None,
        saved_at,
        mha_decision: None,
    }
    .seal(RecordId(1), None);
    let Ok(case) = Case::new(&record, &[]) else {
        return;
    };
    for referral in &case.referrals {
        let declined = choices.get(&referral.partner).map(|choice| choice.decision)
            == Some(Decision::Declined);
        let packet = match Packet::new(&case, &referral.partner, &rules.vocabulary) {
            Err(ExportError::Declined { .. }) => {
                assert!(declined);
                continue;
            }
            Err(error) => panic!("{error}"),
            Ok(packet) => packet,
        };
        assert!(!declined);
        let outputs = [
            markdown::to_markdown(&packet.document(&rules.vocabulary)),
            fhir::to_text(&fhir::partner_bundle(&case, referral, &rules.vocabulary)),
        ];
        let own = |text: &str| referral.reasons.iter().any(|reason| reason.why.contains(text));
        for output in &outputs {
            if let Some(wishes) = assessment.wishes.as_deref().filter(|w| w.len() > 8) {
                if !packet.shares.contains(&Share::Wishes) && !own(wishes) {
                    assert!(!output.contains(wishes), "{output}");
                }
            }
            if !packet.shares.contains(&Share::Medical) {
                for note in assessment.medical.iter().filter_map(|f| f.note.as_deref()) {
                    if note.len() > 8 && !own(note) {
                        assert!(!output.contains(note), "{output}");
                    }
                }
            }
        }
    }
});
