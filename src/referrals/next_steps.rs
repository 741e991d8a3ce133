//! "What happens next": the referral plan and the person's choices as a short to-do list for the
//! person, in plain words. Who will contact them, about what and when; what they said no to and
//! how to change their mind; what is still being looked for.

use crate::formulation::Formulation;
use crate::model::choices::{Choices, Decision};
use crate::model::{Urgency, Vocabulary};
use crate::referrals::resolve::Referral;

/// The to-do list for the person, one short sentence or two per item, in the order to read them.
pub fn next_steps(
    formulation: &Formulation,
    choices: &Choices,
    vocabulary: &Vocabulary,
) -> Vec<String> {
    let mut steps = Vec::new();
    let safety = "If you feel unsafe at any time, call 999 or go to the nearest A&E.".to_owned();
    let urgent = formulation.urgency >= Urgency::High;
    if urgent {
        steps.push(safety.clone());
    }
    let decision = |key: &str| choices.get(key).map(|choice| choice.decision);
    let lead = formulation.lead_coordinator.as_ref();
    // Who the person goes back to: the lead, unless they said no to the lead.
    let contact_person = match lead {
        Some(lead) if decision(&lead.partner) != Some(Decision::Declined) => {
            format!("your main contact at {}", lead.name)
        }
        _ => "your assessor".to_owned(),
    };
    if let Some(lead) = lead {
        // With a clinical lead the person hears that their care comes first and that the help
        // with the cause carries on alongside it, not instead of it.
        let (role, story) = if lead.clinical {
            (
                "will look after your care for now and be your main contact",
                "The other services below will work alongside them on everything else, so you only tell your story once.",
            )
        } else {
            (
                "will be your main contact",
                "They will keep in touch with the other services, so you only tell your story once.",
            )
        };
        steps.push(match decision(&lead.partner) {
            Some(Decision::Accepted) => format!("{} {role}. {story}", lead.name),
            Some(Decision::Declined) => format!(
                "You said no to {}, who would have been your main contact. Your assessor will agree another main contact with you.",
                lead.name
            ),
            Some(Decision::Deferred) | None => {
                format!("If you agree, {} {role}. {story}", lead.name)
            }
        });
    }
    for referral in &formulation.referrals {
        let topics = topics(&referral.categories, vocabulary);
        let when = when(formulation, referral);
        let reach = reach(&referral.contact);
        steps.push(match decision(&referral.partner) {
            Some(Decision::Accepted) => {
                format!("{} will contact you {when} about {topics}. {reach}", referral.name)
            }
            None => format!(
                "{} can help with {topics}. If you agree, they will contact you {when}.",
                referral.name
            ),
            Some(Decision::Deferred) => format!(
                "You want to think about help from {} with {topics}. {} will ask you again.",
                referral.name,
                capitalise(&contact_person)
            ),
            Some(Decision::Declined) => format!(
                "You said no to help from {} with {topics}. You can change your mind at any time: tell {contact_person}.",
                referral.name
            ),
        });
    }
    for gap in formulation.gaps.iter().filter(|gap| gap.kind.unmet()) {
        let topic = topics(std::slice::from_ref(&gap.category), vocabulary);
        steps.push(match decision(&gap.category) {
            Some(Decision::Declined) => {
                format!("You said you do not want help with {topic} for now.")
            }
            Some(Decision::Deferred) => format!(
                "You want to think about help with {topic}. {} will ask you again.",
                capitalise(&contact_person)
            ),
            Some(Decision::Accepted) | None => format!(
                "We have not found a service for {topic} yet. {} will look for one and tell you.",
                capitalise(&contact_person)
            ),
        });
    }
    if formulation.referrals.is_empty() && !formulation.gaps.iter().any(|gap| gap.kind.unmet()) {
        steps.push("No referrals are needed now. Your assessor will tell you where to get advice if things change.".to_owned());
    }
    if !urgent {
        steps.push(safety);
    }
    steps
}

/// When the partner will be in touch, in plain words.
fn when(formulation: &Formulation, referral: &Referral) -> String {
    let short = formulation.gaps.iter().any(|gap| {
        !gap.kind.unmet() && gap.referred_to.as_deref() == Some(referral.partner.as_str())
    });
    if short {
        "as soon as they can".to_owned()
    } else {
        referral.urgency.plain().to_owned()
    }
}

/// How to reach a partner, as a sentence.
fn reach(contact: &str) -> String {
    if contact.contains('@') {
        format!("You can also email them at {contact}.")
    } else {
        format!("You can also call them on {contact}.")
    }
}

/// Category labels as a phrase: "housing advice, debt advice and advocacy".
fn topics(categories: &[String], vocabulary: &Vocabulary) -> String {
    let labels: Vec<String> = categories
        .iter()
        .map(|category| lower_first(vocabulary.label(category)))
        .collect();
    match labels.as_slice() {
        [] => "this".to_owned(),
        [only] => only.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

/// Lower-cases the first letter unless the word is an acronym such as "GP".
fn lower_first(text: &str) -> String {
    let mut chars = text.chars();
    match (chars.next(), chars.next()) {
        (Some(first), Some(second)) if first.is_uppercase() && !second.is_uppercase() => {
            first.to_lowercase().chain(text.chars().skip(1)).collect()
        }
        _ => text.to_owned(),
    }
}

fn capitalise(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_read_as_plain_phrases() {
        assert_eq!(lower_first("Housing advice"), "housing advice");
        assert_eq!(lower_first("GP or primary care"), "GP or primary care");
        let vocabulary = Vocabulary::default();
        let categories = ["a".to_owned(), "b".to_owned(), "c".to_owned()];
        assert_eq!(topics(&categories, &vocabulary), "a, b and c");
        assert_eq!(topics(&categories[..1], &vocabulary), "a");
    }

    #[test]
    fn contacts_become_sentences() {
        assert_eq!(
            reach("01632 960101"),
            "You can also call them on 01632 960101."
        );
        assert_eq!(
            reach("x@example.org"),
            "You can also email them at x@example.org."
        );
    }
}
