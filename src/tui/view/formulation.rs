//! The live formulation beside the form: urgency in words with its triage code and response
//! time, the balance with the weights behind it, the recommendation, the heaviest factors with
//! the rules that weighed them, and any rule that failed. Redrawn from the formulation the app
//! re-evaluates on every change.

use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Wrap};
use ratatui::Frame;

use super::Canvas;
use crate::formulation::round_to_cents;
use crate::model::Balance;
use crate::tui::app::plural;

/// The balance in words.
pub(crate) fn balance_words(balance: Balance) -> &'static str {
    match balance {
        Balance::SocialLed => "social-led",
        Balance::Mixed => "mixed",
        Balance::MedicalLed => "medical-led",
    }
}

pub(super) fn draw(canvas: &Canvas, frame: &mut Frame, area: Rect) {
    let app = canvas.app;
    let theme = canvas.theme;
    let formulation = &app.formulation;
    let vocabulary = app.vocabulary();
    let block = Block::bordered().title(Span::styled(" Formulation (live) ", theme.title()));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let urgency = formulation.urgency;
    let mut lines = vec![
        Line::from(vec![
            Span::raw("Urgency "),
            Span::styled(
                format!(
                    "{} ({})",
                    urgency.label().to_uppercase(),
                    formulation.triage_code
                ),
                theme.urgency(urgency),
            ),
        ]),
        Line::styled(format!("  {}", formulation.response_time), theme.dim()),
        Line::from(vec![
            Span::raw("Balance "),
            Span::styled(balance_words(formulation.balance), theme.title()),
        ]),
        Line::styled(
            format!(
                "  social {} · medical {} · protective {}",
                round_to_cents(formulation.social_weight),
                round_to_cents(formulation.medical_weight),
                round_to_cents(formulation.protective_weight)
            ),
            theme.dim(),
        ),
        Line::raw("Recommendation"),
        Line::styled(
            format!("  {}", formulation.recommendation_label),
            theme.title(),
        ),
        Line::from(vec![
            Span::raw("Top factors "),
            Span::styled("(t: full trace)", theme.dim()),
        ]),
    ];
    let order = app.factors_by_weight();
    if order.is_empty() {
        lines.push(Line::styled("  none weighed yet", theme.dim()));
    }
    // Leave room for the referral and warning lines below the factors.
    let room = usize::from(inner.height).saturating_sub(lines.len() + 3) / 2;
    for index in order.iter().take(room.max(1)) {
        let factor = &formulation.factors[*index];
        let label = factor
            .kind
            .split('+')
            .map(|kind| vocabulary.label(kind))
            .collect::<Vec<_>>()
            .join(" + ");
        lines.push(Line::raw(format!(
            "  {:>4} {} {label}",
            round_to_cents(factor.weight),
            factor.domain
        )));
        lines.push(Line::styled(format!("       {}", factor.rule), theme.dim()));
    }
    let decided = app
        .offers
        .iter()
        .filter(|offer| app.choices.get(&offer.key).is_some())
        .count();
    lines.push(Line::raw(format!(
        "Referrals {} · {decided} discussed",
        app.offers.len()
    )));
    if !formulation.warnings.is_empty() {
        lines.push(Line::styled(
            format!(
                "⚠ {} stopped (see t)",
                plural(formulation.warnings.len(), "rule")
            ),
            theme.error(),
        ));
    }
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
}
