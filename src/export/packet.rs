//! The referral packet one partner receives (issue 15), holding what that partner needs and
//! nothing more (Caldicott: minimum necessary). Always: the case id, the assessment day and
//! assessor, this referral's categories, how soon and every reason with its rule, the person's
//! consent, the lead coordinator, and the partner as the directory has it. Beyond that, only the
//! parts of the assessment that the referral's categories list under `share:` in
//! `rules/vocabulary.yaml` (see [`crate::model::Share`]). Never other partners' referrals.
//!
//! Every section keeps to that list (issue 19): the urgency's reasons come from the health side,
//! so a partner that is not shared `medical` sees the urgency explained by its own referral's
//! reasons ("same day: the eviction is due on Friday"); the person's wishes go only to a partner
//! the person said may have them (`share_wishes: true` in their choice about it).
//!
//! The packet is built once as a [`Document`] and written as Markdown or HTML by the report's
//! backends, which escape every piece of text; [`super::fhir::partner_bundle`] is its FHIR form.

use std::collections::BTreeSet;

use crate::model::{Decision, Share, Vocabulary};
use crate::referrals::Referral;
use crate::report::document::{Block, Document, Line};

use super::{Case, ExportError};

/// One partner's packet: the referral and what its categories allow to be shared.
#[derive(Debug, Clone)]
pub struct Packet<'a> {
    /// The case.
    pub case: &'a Case<'a>,
    /// This partner's referral.
    pub referral: &'a Referral,
    /// The parts of the assessment shared, from the referral's categories.
    pub shares: BTreeSet<Share>,
}

impl<'a> Packet<'a> {
    /// The packet for `partner`. Refused when the plan has no referral to it, or when the person
    /// declined the referral: nothing about them goes to a partner they said no to.
    pub fn new(
        case: &'a Case<'a>,
        partner: &str,
        vocabulary: &Vocabulary,
    ) -> Result<Packet<'a>, ExportError> {
        let referral = case.referral(partner)?;
        if case.decision(partner) == Some(Decision::Declined) {
            return Err(ExportError::Declined {
                partner: partner.to_owned(),
            });
        }
        let mut shares = shares_for(referral, vocabulary);
        if !case.wishes_shareable(partner) {
            shares.remove(&Share::Wishes);
        }
        Ok(Packet {
            case,
            referral,
            shares,
        })
    }

    /// Whether the person has agreed to this referral (and so to sharing this packet).
    pub fn consented(&self) -> bool {
        self.case.decision(&self.referral.partner) == Some(Decision::Accepted)
    }

    /// The packet as a document for the Markdown and HTML backends.
    pub fn document(&self, vocabulary: &Vocabulary) -> Document {
        let case = self.case;
        let referral = self.referral;
        let assessment = &case.assessment;
        let mut blocks = Vec::new();
        blocks.push(Block::Paragraph(
            Line::text("For ")
                .strong(&referral.name)
                .plain(" (")
                .code(&referral.partner)
                .plain(format!(
                    "), from the assessment of case {} on {}",
                    assessment.id,
                    assessment.assessed_at.format("%Y-%m-%d %H:%M %:z")
                ))
                .plain(match &assessment.assessor {
                    Some(assessor) => format!(" by {assessor}."),
                    None => ".".to_owned(),
                }),
        ));
        blocks.push(Block::Paragraph(Line::text(
            "This packet holds only what this referral needs. Keep it confidential; the case id is pseudonymous.",
        )));

        blocks.push(Block::Heading(2, "The referral".to_owned()));
        let labels: Vec<&str> = referral
            .categories
            .iter()
            .map(|category| vocabulary.label(category))
            .collect();
        blocks.push(Block::Paragraph(
            Line::text("For: ")
                .strong(labels.join(", "))
                .plain(". How soon: ")
                .strong(referral.urgency.plain())
                .plain(format!(" ({}).", referral.urgency)),
        ));
        blocks.push(Block::Table {
            header: vec![
                "Reason".to_owned(),
                "For".to_owned(),
                "How soon".to_owned(),
                "Rule".to_owned(),
            ],
            rows: referral
                .reasons
                .iter()
                .map(|reason| {
                    vec![
                        Line::text(&reason.why),
                        Line::text(vocabulary.label(&reason.category)),
                        Line::text(reason.urgency.plain()),
                        Line::default().code(&reason.rule),
                    ]
                })
                .collect(),
        });
        if let Some(status) = case.statuses.get(&referral.partner) {
            let mut line = Line::text("Status: ")
                .strong(status.status.label())
                .plain(format!(" since {}", status.date));
            if let Some(note) = &status.note {
                line = line.plain(format!(" ({note})"));
            }
            blocks.push(Block::Paragraph(line));
        }

        blocks.push(Block::Heading(2, "Consent".to_owned()));
        let consent = match case.decision(&referral.partner) {
            Some(Decision::Accepted) => Line::text("The person ")
                .strong("agreed")
                .plain(" to this referral and to this information being shared with you."),
            Some(Decision::Deferred) => Line::text("The person ")
                .strong("has not decided yet")
                .plain(": confirm their consent before acting on this packet."),
            _ => Line::text("The person's consent is ")
                .strong("not recorded")
                .plain(": confirm it with the referrer before acting on this packet."),
        };
        blocks.push(Block::Paragraph(consent));

        blocks.push(Block::Heading(2, "Who to contact".to_owned()));
        let mut contacts = Vec::new();
        if let Some(assessor) = &assessment.assessor {
            contacts.push(Line::text("Referrer: ").code(assessor));
        }
        match &case.lead {
            Some(lead) if lead.partner == referral.partner => {
                contacts.push(Line::text("Lead coordinator: ").strong("you").plain(
                    " — you are the person's one case worker and coordinate the other help.",
                ))
            }
            Some(lead) => contacts.push(
                Line::text("Lead coordinator (the person's one case worker): ")
                    .strong(&lead.name)
                    .plain(format!(", {}", lead.contact)),
            ),
            None => contacts.push(Line::text("No lead coordinator is named in this plan.")),
        }
        contacts.push(
            Line::text("Your entry in the partner directory: ").plain(format!(
                "{}, {} ({})",
                referral.name, referral.contact, referral.hours
            )),
        );
        blocks.push(Block::List {
            ordered: false,
            items: contacts,
        });

        for share in Share::ALL {
            if self.shares.contains(&share) {
                self.shared_part(share, vocabulary, &mut blocks);
            }
        }
        Document {
            title: format!("Referral to {}: case {}", referral.name, assessment.id),
            blocks,
        }
    }

    fn shared_part(&self, share: Share, vocabulary: &Vocabulary, blocks: &mut Vec<Block>) {
        let assessment = &self.case.assessment;
        match share {
            Share::Person => {
                let person = &assessment.person;
                let mut items = Vec::new();
                if let Some(age) = person.age {
                    items.push(Line::text(format!("Age: {age}")));
                }
                if let Some(lives) = &person.lives {
                    let label = vocabulary
                        .living_situations
                        .get(lives)
                        .map_or(lives.as_str(), String::as_str);
                    items.push(Line::text(format!("Lives: {label}")));
                }
                items.push(Line::text(match person.dependants {
                    Some(count) => format!("Dependants: {count}"),
                    None => "Dependants: not known".to_owned(),
                }));
                blocks.push(Block::Heading(2, "About the person".to_owned()));
                blocks.push(Block::List {
                    ordered: false,
                    items,
                });
            }
            Share::Urgency => {
                if let Some(urgency) = &self.case.urgency {
                    blocks.push(Block::Heading(2, "Overall urgency".to_owned()));
                    blocks.push(Block::Paragraph(
                        Line::text("Triage scale: ")
                            .strong(format!(
                                "{} ({})",
                                urgency.level.replace('_', " "),
                                urgency.triage_code
                            ))
                            .plain(format!(", {}.", urgency.response_time)),
                    ));
                    // The formulation's reasons name the risks found; they are health detail.
                    let reasons: Vec<Line> = if self.shares.contains(&Share::Medical) {
                        urgency.reasons.iter().map(Line::text).collect()
                    } else {
                        self.referral
                            .reasons
                            .iter()
                            .map(|reason| {
                                Line::text(format!("{}: {}", reason.urgency.plain(), reason.why))
                            })
                            .collect()
                    };
                    if !reasons.is_empty() {
                        blocks.push(Block::List {
                            ordered: false,
                            items: reasons,
                        });
                    }
                }
            }
            Share::Stressors | Share::Medical => {
                let (title, factors) = if share == Share::Stressors {
                    ("Social circumstances", &assessment.stressors)
                } else {
                    ("Health", &assessment.medical)
                };
                let rows: Vec<Vec<Line>> = factors
                    .iter()
                    .filter(|factor| factor.severity > 0)
                    .map(|factor| {
                        let anchor = vocabulary
                            .kind(&factor.kind)
                            .and_then(|info| info.severity.get(&factor.severity))
                            .map(|anchor| format!("{}: {anchor}", factor.severity))
                            .unwrap_or_else(|| factor.severity.to_string());
                        let mut dates = Vec::new();
                        if let Some(since) = factor.since {
                            dates.push(format!("since {since}"));
                        }
                        if let Some(due) = factor.due {
                            dates.push(format!("due {due}"));
                        }
                        vec![
                            Line::text(vocabulary.label(&factor.kind)),
                            Line::text(anchor),
                            Line::text(dates.join(", ")),
                            Line::text(factor.note.clone().unwrap_or_default()),
                        ]
                    })
                    .collect();
                if !rows.is_empty() {
                    blocks.push(Block::Heading(2, title.to_owned()));
                    blocks.push(Block::Table {
                        header: ["What", "Severity", "Dates", "Note"]
                            .map(str::to_owned)
                            .to_vec(),
                        rows,
                    });
                }
            }
            Share::Strengths => {
                if !assessment.strengths.is_empty() {
                    blocks.push(Block::Heading(2, "Strengths".to_owned()));
                    blocks.push(Block::List {
                        ordered: false,
                        items: assessment
                            .strengths
                            .iter()
                            .map(|strength| {
                                let mut line = Line::text(vocabulary.label(&strength.kind));
                                if let Some(note) = &strength.note {
                                    line = line.plain(format!(": {note}"));
                                }
                                line
                            })
                            .collect(),
                    });
                }
            }
            Share::Wishes => {
                if let Some(wishes) = &assessment.wishes {
                    blocks.push(Block::Heading(2, "The person's wishes".to_owned()));
                    blocks.push(Block::Quote(wishes.clone()));
                }
            }
        }
    }
}

/// What a referral's categories allow to be shared (the union of their `share:` lists), before
/// the person's say about their wishes.
pub fn shares_for(referral: &Referral, vocabulary: &Vocabulary) -> BTreeSet<Share> {
    referral
        .categories
        .iter()
        .filter_map(|category| vocabulary.referral_categories.get(category))
        .flat_map(|info| info.share.iter().copied())
        .collect()
}
