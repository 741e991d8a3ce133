//! The referrals step: what the formulation offers, most urgent first, and what the person says
//! to each — accepted, declined (with their reason) or deferred — in words, not only colour.
//! The list gives one line per referral (a name too long for it ends in "…", never a silent
//! cut); below it, the selected referral in full: the partner's whole name, whether it leads,
//! how to reach it and when, how soon and why.

use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Wrap};
use ratatui::Frame;

use super::factors::clip;
use super::{window_start, wrapped_height, Canvas};
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
    // The list keeps at least 8 rows for the selected referral's details below it.
    let list_height = (app.offers.len() as u16)
        .min(inner.height.saturating_sub(8).max(3))
        .min(inner.height);
    let start = window_start(app.row(), usize::from(list_height));
    let focused = app.field() == Some(Field::List);
    let width = usize::from(inner.width);
    let word_of = |key: &str| match app.choices.get(key).map(|choice| choice.decision) {
        Some(decision) => format!("[{}]", decision.label()),
        None => "[to discuss]".to_owned(),
    };
    // Columns as wide as their widest entry, so the names get the rest of the row.
    let word_width = app
        .offers
        .iter()
        .map(|o| word_of(&o.key).chars().count())
        .max()
        .unwrap_or(0);
    let soon_width = app
        .offers
        .iter()
        .map(|offer| offer.urgency.plain().chars().count())
        .max()
        .unwrap_or(0);
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
        let word = word_of(&offer.key);
        let lead = if offer.lead.is_some() { "LEAD " } else { "" };
        // A referral that falls short of what was asked says so in the list, not only below.
        let gap = if offer.gaps.is_empty() { "" } else { "GAP " };
        // A saved case's referral shows where it stands now, before the name.
        let status = app
            .referral_statuses
            .get(&offer.key)
            .map_or(String::new(), |status| {
                format!("({}) ", status.status.label())
            });
        // How soon and the decision come first, so the name is what a narrow screen shortens,
        // with an ellipsis; the full name is below.
        let text = format!(
            "{}{word:<word_width$} {:<soon_width$} {lead}{gap}{status}{}",
            if selected { "›" } else { " " },
            offer.urgency.plain(),
            offer.name,
        );
        let style = match (selected && focused, decision) {
            (true, _) => theme.selected(),
            (false, Some(Decision::Accepted)) => theme.good(),
            (false, Some(_)) => ratatui::style::Style::new(),
            (false, None) => theme.title(),
        };
        frame.render_widget(
            Paragraph::new(Line::styled(clip(&text, width), style)),
            area,
        );
    }
    let top = inner.y + list_height + 1;
    if top >= inner.y + inner.height {
        return;
    }
    let Some(offer) = app.offers.get(app.row()) else {
        return;
    };
    let mut lines = vec![Line::styled(offer.name.clone(), theme.title())];
    if let Some(lead) = &offer.lead {
        let role = if lead.clinical {
            "LEAD coordinator (clinical: the risk needs a clinical service to lead; the others work alongside)"
        } else {
            "LEAD coordinator: the person's one case worker"
        };
        lines.push(Line::styled(role, theme.good()));
    }
    lines.push(Line::raw(format!(
        "Helps with: {}",
        offer.categories.join(", ")
    )));
    // The gap first, where it cannot be missed: what the referral does not cover is for the
    // AMHP to arrange now.
    for gap in &offer.gaps {
        lines.push(Line::styled(format!("⚠ Gap: {gap}"), theme.error()));
    }
    if let (Some(contact), Some(hours)) = (&offer.contact, &offer.hours) {
        lines.push(Line::raw(format!("Contact: {contact}")));
        lines.push(Line::raw(format!("Hours: {hours}")));
    }
    lines.push(Line::raw(format!(
        "How soon: {}. Why:",
        offer.urgency.plain()
    )));
    if let Some(lead) = &offer.lead {
        lines.push(Line::styled(format!("• leads: {}", lead.why), theme.dim()));
    }
    for reason in &offer.reasons {
        lines.push(Line::styled(format!("• {reason}"), theme.dim()));
    }
    // Why this partner and not the others: the AMHP can check the choice before making it.
    if !offer.explanation.is_empty() {
        lines.push(Line::raw("Chosen:"));
        for line in &offer.explanation {
            lines.push(Line::styled(format!("• {line}"), theme.dim()));
        }
    }
    if let Some(status) = app.referral_statuses.get(&offer.key) {
        let mut text = format!(
            "Status: {} since {} (sicol referral-status)",
            status.status.label(),
            status.date
        );
        if let Some(note) = &status.note {
            text += &format!(": {note}");
        }
        lines.push(Line::styled(text, theme.title()));
    }
    if let Some(choice) = app.choices.get(&offer.key) {
        let mut text = format!("The person {} this referral", choice.decision.label());
        if let Some(reason) = &choice.reason {
            text += &format!(": “{reason}”");
        }
        lines.push(Line::raw(text));
        lines.push(Line::raw(if choice.share_wishes {
            "Their wishes may go to this partner (s to withdraw)"
        } else {
            "Their wishes stay with us (s if they agree to share them)"
        }));
    }
    let detail = Rect::new(inner.x, top, inner.width, inner.y + inner.height - top);
    let needed: u16 = lines
        .iter()
        .map(|line| wrapped_height(&line.to_string(), detail.width))
        .sum();
    // Details longer than the room scroll with J and K, and say so on their last row: never a
    // silent cut.
    let scroll = app.scroll.min(needed.saturating_sub(detail.height));
    let more = needed > detail.height + scroll;
    let shown = Rect {
        height: detail.height - u16::from(more && detail.height > 1),
        ..detail
    };
    frame.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: true })
            .scroll((scroll, 0)),
        shown,
    );
    if more && detail.height > 1 {
        frame.render_widget(
            Paragraph::new(Line::styled(
                "▼ more below: J scrolls, K back",
                theme.title(),
            )),
            Rect::new(detail.x, detail.y + detail.height - 1, detail.width, 1),
        );
    }
}
