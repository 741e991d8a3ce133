//! The referrals step: what the formulation offers, most urgent first, and what the person says
//! to each — accepted, declined (with their reason) or deferred — in words, not only colour.

use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Wrap};
use ratatui::Frame;

use super::{window_start, Canvas};
use crate::model::Decision;
use crate::tui::app::{Field, Target};

pub(super) fn draw(canvas: &mut Canvas, frame: &mut Frame, area: Rect) {
    let app = canvas.app;
    let theme = canvas.theme;
    let block = Block::bordered().title(Span::styled(
        " Referrals: the person's choice ",
        theme.title(),
    ));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    if app.offers.is_empty() {
        frame.render_widget(
            Paragraph::new(Line::styled(
                "The formulation offers no referral yet. Record stressors and medical factors first; referrals follow from the rules.",
                theme.dim(),
            ))
            .wrap(Wrap { trim: true }),
            inner,
        );
        return;
    }
    let list_height = (app.offers.len() as u16)
        .min(inner.height.saturating_sub(6).max(3))
        .min(inner.height);
    let start = window_start(app.row(), usize::from(list_height));
    let focused = app.field() == Some(Field::List);
    for (line, (row, offer)) in app
        .offers
        .iter()
        .enumerate()
        .skip(start)
        .take(usize::from(list_height))
        .enumerate()
    {
        let area = Rect::new(inner.x, inner.y + line as u16, inner.width, 1);
        canvas.hitmap.add(area, Target::Row(row));
        let selected = row == app.row();
        let decision = app.choices.get(&offer.key).map(|choice| choice.decision);
        let word = match decision {
            Some(decision) => format!("[{}]", decision.label()),
            None => "[to discuss]".to_owned(),
        };
        // How soon comes before the partner's name, so that a narrow screen cuts the name
        // rather than the time.
        let text = format!(
            "{}{word:<13} {:<14} {}",
            if selected { "›" } else { " " },
            offer.urgency.plain(),
            offer.label,
        );
        let style = match (selected && focused, decision) {
            (true, _) => theme.selected(),
            (false, Some(Decision::Accepted)) => theme.good(),
            (false, Some(_)) => ratatui::style::Style::new(),
            (false, None) => theme.title(),
        };
        frame.render_widget(Paragraph::new(Line::styled(text, style)), area);
    }
    let top = inner.y + list_height + 1;
    if top >= inner.y + inner.height {
        return;
    }
    let Some(offer) = app.offers.get(app.row()) else {
        return;
    };
    let mut lines = vec![Line::from(vec![
        Span::styled(offer.label.clone(), theme.title()),
        Span::raw(format!(", {} — why:", offer.urgency.plain())),
    ])];
    for reason in &offer.reasons {
        lines.push(Line::styled(format!("• {reason}"), theme.dim()));
    }
    if let Some(choice) = app.choices.get(&offer.key) {
        let mut text = format!("The person {} this referral", choice.decision.label());
        if let Some(reason) = &choice.reason {
            text += &format!(": “{reason}”");
        }
        lines.push(Line::raw(text));
    }
    frame.render_widget(
        Paragraph::new(lines).wrap(Wrap { trim: true }),
        Rect::new(inner.x, top, inner.width, inner.y + inner.height - top),
    );
}
