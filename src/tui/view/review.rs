//! The last step: what will be saved, what still needs fixing (each problem with its field and
//! a plain fix), and the key that saves.

use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Wrap};
use ratatui::Frame;

use super::Canvas;
use crate::tui::app::plural;

pub(super) fn draw(canvas: &mut Canvas, frame: &mut Frame, area: Rect) {
    let app = canvas.app;
    let theme = canvas.theme;
    let block = Block::bordered().title(Span::styled(" Review and save ", theme.title()));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let assessment = app.assessment();
    let mut lines = vec![
        Line::raw(format!(
            "Case {}  ·  {}",
            if assessment.id.is_empty() {
                "(no id)"
            } else {
                &assessment.id
            },
            assessment.assessed_at.format("%Y-%m-%d %H:%M %:z")
        )),
        Line::raw(format!(
            "{}, {}, {}",
            plural(assessment.stressors.len(), "stressor"),
            plural(assessment.medical.len(), "medical factor"),
            plural(assessment.strengths.len(), "strength")
        )),
    ];
    let undecided = app
        .offers
        .iter()
        .filter(|offer| app.choices.get(&offer.key).is_none())
        .count();
    lines.push(Line::raw(format!(
        "{} offered, {} still to discuss",
        plural(app.offers.len(), "referral"),
        undecided
    )));
    lines.push(Line::raw(if assessment.wishes.is_some() {
        "The person's wishes are recorded"
    } else {
        "The person's wishes are not recorded yet"
    }));
    lines.push(Line::raw(""));
    if app.problems.is_empty() {
        lines.push(Line::styled(
            "Ready to save: press Enter (or Ctrl-S anywhere).",
            theme.good(),
        ));
        lines.push(Line::styled(
            "Saving never overwrites an earlier file; the draft is removed once saved.",
            theme.dim(),
        ));
    } else {
        lines.push(Line::styled(
            format!(
                "{} to fix before saving:",
                plural(app.problems.len(), "problem")
            ),
            theme.error(),
        ));
        for problem in &app.problems {
            lines.push(Line::raw(format!(
                "✗ {}: {}",
                problem.field, problem.message
            )));
            if let Some(hint) = &problem.hint {
                lines.push(Line::styled(format!("  fix: {hint}"), theme.dim()));
            }
        }
    }
    if let Some(path) = &app.saved_to {
        lines.push(Line::raw(""));
        lines.push(Line::styled(
            format!("Last saved to {}", path.display()),
            theme.good(),
        ));
    }
    frame.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .scroll((app.scroll, 0)),
        inner,
    );
}
