//! The live formulation beside the form: urgency in words with its triage code and response
//! time, the balance with the weights behind it, the recommendation, the heaviest factors with
//! the rules that weighed them, and any rule that failed. Redrawn from the formulation the app
//! re-evaluates on every change.

use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph};
use ratatui::Frame;

use super::factors::clip;
use super::{wrap_words, Canvas};
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
    let width = inner.width;
    let dim_wrapped = |text: &str| -> Vec<Line<'static>> {
        wrap_words(text, width, "  ")
            .into_iter()
            .map(|line| Line::styled(line, theme.dim()))
            .collect()
    };
    let mut lines = vec![Line::from(vec![
        Span::raw("Urgency "),
        Span::styled(
            format!(
                "{} ({})",
                urgency.label().to_uppercase(),
                formulation.triage_code
            ),
            theme.urgency(urgency),
        ),
    ])];
    lines.extend(dim_wrapped(&format!("  {}", formulation.response_time)));
    // A factor with no severity is not weighed; say so where the urgency is read, so nobody
    // takes the urgency as the whole picture.
    let unchosen: Vec<&str> = [&app.form.stressors, &app.form.medical]
        .into_iter()
        .flatten()
        .filter(|entry| entry.severity.is_none())
        .map(|entry| vocabulary.label(&entry.kind))
        .collect();
    if !unchosen.is_empty() {
        lines.extend(
            wrap_words(
                &format!(
                    "⚠ severity not chosen: {} (left out until chosen)",
                    unchosen.join(", ")
                ),
                width,
                "  ",
            )
            .into_iter()
            .map(|line| Line::styled(line, theme.error())),
        );
    }
    // The risk comes before the balance: a social-led cause must never read as "only social".
    match &formulation.risk {
        Some(risk) => {
            lines.push(Line::from(vec![
                Span::raw("Risk "),
                Span::styled(
                    format!("{} ({})", risk.level.label(), risk.triage_code),
                    theme.urgency(risk.level),
                ),
            ]));
            lines.extend(dim_wrapped(&format!(
                "  \u{201c}{}\u{201d}",
                risk.descriptor
            )));
        }
        None => {
            lines.push(Line::from(vec![
                Span::raw("Risk "),
                Span::styled("none found", theme.title()),
            ]));
            lines.extend(dim_wrapped("  no triage-scale risk descriptor met"));
        }
    }
    lines.push(Line::from(vec![
        Span::raw("Cause "),
        Span::styled(balance_words(formulation.balance), theme.title()),
    ]));
    lines.extend(dim_wrapped(&format!(
        "  social {} · medical {} · protective {}",
        round_to_cents(formulation.social_weight),
        round_to_cents(formulation.medical_weight),
        round_to_cents(formulation.protective_weight)
    )));
    lines.push(Line::raw("Recommendation"));
    lines.extend(
        wrap_words(
            &format!("  {}", formulation.recommendation_label),
            width,
            "  ",
        )
        .into_iter()
        .map(|line| Line::styled(line, theme.title())),
    );
    lines.push(Line::from(vec![
        Span::raw("Top factors "),
        Span::styled(
            if app.commands_work() {
                "(t: trace)"
            } else {
                ""
            },
            theme.dim(),
        ),
    ]));
    let order = app.factors_by_weight();
    if order.is_empty() {
        lines.push(Line::styled("  none weighed yet", theme.dim()));
    }
    // Leave room for the referral and warning lines below the factors.
    let room = usize::from(inner.height).saturating_sub(lines.len() + 2) / 2;
    let clip_to = usize::from(width);
    for index in order.iter().take(room.max(1)) {
        let factor = &formulation.factors[*index];
        let label = factor
            .kind
            .split('+')
            .map(|kind| vocabulary.label(kind))
            .collect::<Vec<_>>()
            .join(" + ");
        let text = format!(
            "  {:>4} {} {label}",
            round_to_cents(factor.weight),
            factor.domain
        );
        lines.push(Line::raw(clip(&text, clip_to)));
        lines.push(Line::styled(
            clip(&format!("       {}", factor.rule), clip_to),
            theme.dim(),
        ));
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
    frame.render_widget(Paragraph::new(lines), inner);
}
