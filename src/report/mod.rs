//! The formulation as a document an AMHP attaches to their report: summary, balance and urgency
//! with reasons, the 5 Ps, every factor with its rule, the referral plan with its lead coordinator
//! and gaps, the person's wishes and choices, what happens next, and the rule set that made it.
//!
//! The content is built once as a [`document::Document`] and written by [`markdown`] or [`html`].
//! Pure: no files, no clock; the same inputs give the same bytes.

pub mod document;
pub mod html;
pub mod markdown;

use serde::Serialize;

use crate::formulation::render::{to_json, to_text, to_yaml};
use crate::formulation::{round_to_cents, Formulation};
use crate::model::choices::{Choices, Decision};
use crate::model::{Assessment, Vocabulary};
use crate::referrals::next_steps;
use document::{Block, Document, Line};

/// Everything a report shows: the assessment, its formulation and the person's choices.
#[derive(Debug, Clone, Copy)]
pub struct Report<'a> {
    /// The assessment as entered (for the context and the person's wishes).
    pub assessment: &'a Assessment,
    /// Its formulation.
    pub formulation: &'a Formulation,
    /// The person's choices, if they have made any yet.
    pub choices: Option<&'a Choices>,
    /// Labels for kinds and categories.
    pub vocabulary: &'a Vocabulary,
}

/// The output formats of `sicol evaluate`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum OutputFormat {
    /// The full formulation as YAML (with the choices and next steps when given).
    Yaml,
    /// The same as JSON.
    Json,
    /// A one-screen summary for the assessor.
    Text,
    /// The report as Markdown.
    Markdown,
    /// The report as one self-contained HTML page.
    Html,
}

/// A formulation with the person's choices and the to-do list, for YAML and JSON output.
#[derive(Serialize)]
struct WithChoices<'a> {
    #[serde(flatten)]
    formulation: &'a Formulation,
    choices: &'a Choices,
    what_happens_next: Vec<String>,
}

impl Report<'_> {
    /// The plain-language to-do list for the person.
    pub fn next_steps(&self) -> Vec<String> {
        let none = Choices::default();
        next_steps(
            self.formulation,
            self.choices.unwrap_or(&none),
            self.vocabulary,
        )
    }

    /// Renders in the chosen format.
    pub fn render(&self, format: OutputFormat) -> String {
        let with_choices = self.choices.map(|choices| WithChoices {
            formulation: self.formulation,
            choices,
            what_happens_next: self.next_steps(),
        });
        match (format, with_choices) {
            (OutputFormat::Yaml, None) => to_yaml(self.formulation),
            (OutputFormat::Yaml, Some(full)) => serde_yaml::to_string(&full).unwrap_or_default(),
            (OutputFormat::Json, None) => to_json(self.formulation),
            (OutputFormat::Json, Some(full)) => {
                let mut text = serde_json::to_string_pretty(&full).unwrap_or_default();
                text.push('\n');
                text
            }
            (OutputFormat::Text, None) => to_text(self.formulation, self.vocabulary),
            (OutputFormat::Text, Some(_)) => {
                let mut text = to_text(self.formulation, self.vocabulary);
                text.push_str("\nWhat happens next (for the person)\n");
                for (index, step) in self.next_steps().iter().enumerate() {
                    text.push_str(&format!("  {}. {step}\n", index + 1));
                }
                text
            }
            (OutputFormat::Markdown, _) => markdown::to_markdown(&self.document()),
            (OutputFormat::Html, _) => html::to_html(&self.document()),
        }
    }

    /// The decision about one referral or gap, in words.
    fn decision_text(&self, key: &str) -> String {
        match self.choices.and_then(|choices| choices.get(key)) {
            None => "not yet decided".to_owned(),
            Some(choice) => match (&choice.decision, &choice.reason) {
                (Decision::Declined, Some(reason)) => format!("declined: “{reason}”"),
                (decision, Some(reason)) => format!("{}: “{reason}”", decision.label()),
                (decision, None) => decision.label().to_owned(),
            },
        }
    }

    fn label(&self, key: &str) -> String {
        self.vocabulary.label(key).to_owned()
    }

    fn labels(&self, keys: &[String]) -> String {
        keys.iter()
            .map(|key| self.label(key))
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// The report as a document, ready for any backend.
    pub fn document(&self) -> Document {
        let f = self.formulation;
        let a = self.assessment;
        let mut blocks = Vec::new();
        // First, so that nobody reads the urgency without knowing it may be too low.
        if let Some(notice) = f.incomplete_notice() {
            blocks.push(Block::Paragraph(Line::text(notice)));
        }

        let mut context = Line::text(format!(
            "Assessed {}",
            f.assessed_at.format("%a %d %b %Y %H:%M (UTC%:z)")
        ));
        if let Some(assessor) = &a.assessor {
            context = context.plain(" by ").plain(assessor.clone());
        }
        if let Some(source) = &a.context.referral_source {
            let label = self
                .vocabulary
                .referral_sources
                .get(source)
                .cloned()
                .unwrap_or_else(|| source.clone());
            context = context.plain(format!("; referred by {label}"));
        }
        if let Some(setting) = &a.context.setting {
            context = context.plain(format!("; setting: {setting}"));
        }
        let mut person = Vec::new();
        if let Some(age) = a.person.age {
            person.push(format!("aged {age}"));
        }
        if let Some(lives) = &a.person.lives {
            let label = self
                .vocabulary
                .living_situations
                .get(lives)
                .cloned()
                .unwrap_or_else(|| lives.clone());
            person.push(label.to_lowercase());
        }
        person.push(match a.person.dependants {
            None => "dependants not known".to_owned(),
            Some(0) => "no dependants".to_owned(),
            Some(1) => "1 dependant".to_owned(),
            Some(n) => format!("{n} dependants"),
        });
        if let Some(self_care) = a.person.self_care {
            person.push(self_care.label().to_lowercase());
        }
        if let Some(capacity) = &a.capacity {
            person.push(match &capacity.decision {
                Some(decision) => {
                    format!("{} for: {decision}", capacity.status.label().to_lowercase())
                }
                None => capacity.status.label().to_lowercase(),
            });
        }
        context = context.plain(format!(". Person: {}.", person.join(", ")));
        blocks.push(Block::Paragraph(context));

        blocks.push(Block::Heading(2, "Summary".into()));
        let lead = match &f.lead_coordinator {
            Some(lead) => Line::default()
                .strong(lead.name.clone())
                .plain(format!(" ({})", lead.contact))
                .plain(if lead.clinical {
                    "; a clinical lead because of the risk, with the social partners alongside"
                } else {
                    ""
                }),
            None if f.referrals.is_empty() => {
                Line::text("none: no referral was made; the assessor remains the contact")
            }
            None => Line::text(
                "none: no partner in this plan can coordinate a case; the assessor remains the contact",
            ),
        };
        let unmet = f.gaps.iter().filter(|gap| gap.kind.unmet()).count();
        blocks.push(Block::Table {
            header: vec!["Aspect".into(), "Finding".into()],
            rows: vec![
                vec![
                    Line::text("Urgency"),
                    Line::default()
                        .strong(f.urgency.label())
                        .plain(format!(" (triage {}): {}", f.triage_code, f.response_time)),
                ],
                vec![Line::text("Risk"), Line::text(f.risk_line())],
                vec![
                    Line::text("Cause (balance)"),
                    Line::default().strong(balance_words(f)).plain(format!(
                        ": social {}, medical {}, protective {}",
                        round_to_cents(f.social_weight),
                        round_to_cents(f.medical_weight),
                        round_to_cents(f.protective_weight)
                    )),
                ],
                vec![
                    Line::text("Recommendation"),
                    Line::text(format!("{} ", f.recommendation_label))
                        .code(f.recommendation.clone()),
                ],
                vec![Line::text("Lead coordinator"), lead],
                vec![
                    Line::text("Referral plan"),
                    Line::text(format!(
                        "{} referral{}, {} gap{} ({} without any partner)",
                        f.referrals.len(),
                        plural(f.referrals.len()),
                        f.gaps.len(),
                        plural(f.gaps.len()),
                        unmet
                    )),
                ],
            ],
        });

        blocks.push(Block::Heading(2, "Urgency and balance: why".into()));
        let mut why: Vec<Line> = f
            .urgency_reasons
            .iter()
            .map(|reason| {
                Line::default()
                    .strong("Urgency")
                    .plain(format!(": {reason}"))
            })
            .collect();
        for flag in &f.flags {
            why.push(
                Line::default()
                    .strong("Flag")
                    .plain(format!(" {}: {} ", flag.name, flag.why))
                    .code(flag.rule.clone()),
            );
        }
        why.push(
            Line::default()
                .strong("Balance")
                .plain(format!(": {}", f.balance_reason)),
        );
        why.push(
            Line::default()
                .strong("Recommendation")
                .plain(format!(": {}", f.recommendation_reason)),
        );
        blocks.push(Block::List {
            ordered: false,
            items: why,
        });

        blocks.push(Block::Heading(2, "Formulation (5 Ps)".into()));
        blocks.push(Block::Table {
            header: vec!["P".into(), "What the rules found".into()],
            rows: f
                .five_ps
                .iter()
                .into_iter()
                .map(|(p, entries)| {
                    let text = if entries.is_empty() {
                        "none recorded".to_owned()
                    } else {
                        entries.join("; ")
                    };
                    vec![Line::text(capitalise(p.as_str())), Line::text(text)]
                })
                .collect(),
        });

        blocks.push(Block::Heading(2, "Factors".into()));
        if f.factors.is_empty() {
            blocks.push(Block::Paragraph(Line::text("No factor was weighed.")));
        } else {
            blocks.push(Block::Table {
                header: vec![
                    "Weight".into(),
                    "Domain".into(),
                    "Factor".into(),
                    "Why".into(),
                    "Rule".into(),
                ],
                rows: f
                    .factors
                    .iter()
                    .map(|factor| {
                        let kinds: Vec<&str> = factor
                            .kind
                            .split('+')
                            .map(|kind| self.vocabulary.label(kind))
                            .collect();
                        vec![
                            Line::text(format!("{}", round_to_cents(factor.weight))),
                            Line::text(factor.domain.as_str()),
                            Line::text(kinds.join(" + ")),
                            Line::text(factor.why.clone()),
                            Line::default().code(factor.rule.clone()),
                        ]
                    })
                    .collect(),
            });
        }

        blocks.push(Block::Heading(2, "Referral plan".into()));
        match &f.lead_coordinator {
            Some(lead) => blocks.push(Block::Paragraph(
                Line::text("Lead coordinator: ")
                    .strong(lead.name.clone())
                    .plain(" ")
                    .code(lead.partner.clone())
                    .plain(format!(", {}. Why: {}.", lead.contact, lead.why)),
            )),
            None => blocks.push(Block::Paragraph(Line::text(
                "No lead coordinator: the plan has no referral, so the assessor remains the contact.",
            ))),
        }
        if let Some(holder) = &f.holder {
            blocks.push(Block::Paragraph(
                Line::text("Until the lead can be reached (")
                    .plain(holder.until.clone())
                    .plain("), the case is held by ")
                    .strong(holder.name.clone())
                    .plain(format!(": {}.", holder.why)),
            ));
        }
        if f.referrals.is_empty() {
            blocks.push(Block::Paragraph(Line::text("No referral was made.")));
        } else {
            blocks.push(Block::Table {
                header: vec![
                    "#".into(),
                    "Partner".into(),
                    "For".into(),
                    "How soon".into(),
                    "Contact and hours".into(),
                    "Person's choice".into(),
                ],
                rows: f
                    .referrals
                    .iter()
                    .enumerate()
                    .map(|(index, referral)| {
                        let mut availability = format!("{}; {}", referral.contact, referral.hours);
                        if referral.same_day {
                            availability.push_str("; can act the same day");
                        }
                        if referral.open_at_assessment {
                            availability.push_str("; open at the time of assessment");
                        }
                        vec![
                            Line::text(format!("{}", index + 1)),
                            Line::default()
                                .strong(referral.name.clone())
                                .plain(" ")
                                .code(referral.partner.clone()),
                            Line::text(self.labels(&referral.categories)),
                            Line::text(format!(
                                "{} ({})",
                                referral.urgency.plain(),
                                referral.urgency
                            )),
                            Line::text(availability),
                            Line::text(self.decision_text(&referral.partner)),
                        ]
                    })
                    .collect(),
            });
            for (index, referral) in f.referrals.iter().enumerate() {
                blocks.push(Block::Heading(
                    3,
                    format!("{}. {}: why", index + 1, referral.name),
                ));
                let mut items: Vec<Line> = referral
                    .reasons
                    .iter()
                    .map(|reason| {
                        Line::default()
                            .strong(self.label(&reason.category))
                            .plain(format!(" ({}): {} ", reason.urgency, reason.why))
                            .code(reason.rule.clone())
                    })
                    .collect();
                if let Some(note) = &referral.note {
                    items.push(Line::default().strong("Note").plain(format!(": {note}")));
                }
                if let Some(confirm) = &referral.confirm {
                    items.push(
                        Line::default()
                            .strong("Confirm eligibility first")
                            .plain(format!(": {confirm}")),
                    );
                }
                if let Some(route) = &referral.route {
                    items.push(Line::default().strong("Route").plain(format!(": {route}")));
                }
                if !referral.why.is_empty() {
                    items.push(
                        Line::default()
                            .strong("Chosen because")
                            .plain(format!(": {}", referral.why.join("; "))),
                    );
                }
                for other in &referral.not_chosen {
                    items.push(
                        Line::default()
                            .strong(format!("Not {}", other.name))
                            .plain(" ")
                            .code(other.partner.clone())
                            .plain(format!(
                                " for {}: {}",
                                self.label(&other.category),
                                other.why
                            )),
                    );
                }
                blocks.push(Block::List {
                    ordered: false,
                    items,
                });
            }
        }

        blocks.push(Block::Heading(2, "Gaps".into()));
        if f.gaps.is_empty() {
            blocks.push(Block::Paragraph(Line::text(
                "None: every need has a partner who can act in time.",
            )));
        } else {
            let mut items = Vec::new();
            for gap in &f.gaps {
                let mut line = Line::default()
                    .strong(self.label(&gap.category))
                    .plain(format!(" ({}): {}", gap.urgency, gap.message));
                if let Some(partner) = &gap.referred_to {
                    line = line.plain("; referred to ").code(partner.clone());
                }
                if gap.kind.unmet() {
                    line = line.plain(format!(
                        "; person's choice: {}",
                        self.decision_text(&gap.category)
                    ));
                }
                items.push(line);
                for reason in &gap.reasons {
                    items.push(
                        Line::text(format!(
                            "{} was asked for: {} ",
                            self.label(&gap.category),
                            reason.why
                        ))
                        .code(reason.rule.clone()),
                    );
                }
            }
            blocks.push(Block::List {
                ordered: false,
                items,
            });
        }

        blocks.push(Block::Heading(2, "The person's wishes and choices".into()));
        match a.wishes.as_deref().map(str::trim) {
            Some(wishes) if !wishes.is_empty() => blocks.push(Block::Quote(wishes.to_owned())),
            _ => blocks.push(Block::Paragraph(Line::text("No wishes were recorded."))),
        }
        match self.choices {
            None => blocks.push(Block::Paragraph(Line::text(
                "The person has not yet been asked about the referrals.",
            ))),
            Some(choices) if choices.0.is_empty() => blocks.push(Block::Paragraph(Line::text(
                "The person has not made any choice yet.",
            ))),
            Some(choices) => blocks.push(Block::List {
                ordered: false,
                items: choices
                    .0
                    .iter()
                    .map(|choice| {
                        let name = f
                            .referrals
                            .iter()
                            .find(|referral| referral.partner == choice.referral)
                            .map_or_else(|| self.label(&choice.referral), |r| r.name.clone());
                        Line::default()
                            .strong(name)
                            .plain(": ")
                            .plain(self.decision_text(&choice.referral))
                    })
                    .collect(),
            }),
        }

        blocks.push(Block::Heading(
            2,
            "What happens next (for the person)".into(),
        ));
        blocks.push(Block::List {
            ordered: true,
            items: self.next_steps().into_iter().map(Line::text).collect(),
        });

        if !f.notes.is_empty() {
            blocks.push(Block::Heading(2, "Notes from the rules".into()));
            blocks.push(Block::List {
                ordered: false,
                items: f
                    .notes
                    .iter()
                    .map(|note| Line::text(format!("{} ", note.text)).code(note.rule.clone()))
                    .collect(),
            });
        }
        if !f.warnings.is_empty() {
            blocks.push(Block::Heading(2, "Rules that failed".into()));
            blocks.push(Block::Paragraph(Line::text(
                "What these rules would have added is missing from this formulation.",
            )));
            blocks.push(Block::List {
                ordered: false,
                items: f
                    .warnings
                    .iter()
                    .map(|warning| Line::text(warning.to_string()))
                    .collect(),
            });
        }

        blocks.push(Block::Heading(2, "Rule set".into()));
        blocks.push(Block::Paragraph(
            Line::text(format!(
                "{} version {}, sha256 ",
                f.ruleset.name, f.ruleset.version
            ))
            .code(f.ruleset.sha256.clone())
            .plain(format!(". Scripts run: {}.", f.scripts_run.join(", "))),
        ));

        Document {
            title: format!("Crisis formulation: case {}", f.case),
            blocks,
        }
    }
}

fn balance_words(formulation: &Formulation) -> String {
    capitalise(&formulation.balance.as_str().replace('_', "-"))
}

fn plural(count: usize) -> &'static str {
    if count == 1 {
        ""
    } else {
        "s"
    }
}

fn capitalise(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}
