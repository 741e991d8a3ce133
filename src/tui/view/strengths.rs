//! The strengths step: protective factors recorded (no severity), the selected one's note, and
//! the person's wishes in their own words.

use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Wrap};
use ratatui::Frame;

use super::{window_start, wrapped_height, Canvas, FieldValue};
use crate::tui::app::{Field, Target};

pub(super) fn draw(canvas: &mut Canvas, frame: &mut Frame, area: Rect) {
    let app = canvas.app;
    let theme = canvas.theme;
    let block = Block::bordered().title(Span::styled(" Strengths and wishes ", theme.title()));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let vocabulary = app.vocabulary();
    let entries = &app.form.strengths;
    let rows = entries.len() + 1;
    let list_height = (rows as u16)
        .min(inner.height.saturating_sub(10).max(3))
        .min(inner.height);
    let start = window_start(app.row(), usize::from(list_height));
    let list_focused = app.field() == Some(Field::List);
    for (line, row) in (start..rows).enumerate().take(usize::from(list_height)) {
        let area = Rect::new(inner.x, inner.y + line as u16, inner.width, 1);
        canvas.hitmap.add(area, Target::Row(row));
        let selected = row == app.row();
        let marker = if selected { "›" } else { " " };
        let text = match entries.get(row) {
            Some(entry) => {
                let noted = if entry.note.is_blank() { "" } else { "  ✎" };
                format!("{marker}{}{noted}", vocabulary.label(&entry.kind))
            }
            None if app.commands_work() => format!("{marker}+ add a strength (a)"),
            None => format!("{marker}+ add a strength"),
        };
        let style = match (selected, list_focused) {
            (true, true) => theme.selected(),
            (true, false) => theme.title(),
            _ if row == entries.len() => theme.dim(),
            _ => ratatui::style::Style::new(),
        };
        frame.render_widget(Paragraph::new(Line::styled(text, style)), area);
    }
    let mut y = inner.y + list_height + 1;
    let bottom = inner.y + inner.height;
    // The selected strength: description and note.
    if let Some(entry) = app.selected_strength() {
        if y < bottom {
            let description = vocabulary
                .kind(&entry.kind)
                .map_or(String::new(), |info| info.description.clone());
            // Wrapped in full (a description cut mid-sentence misleads), leaving room below
            // for the note and the wishes.
            let height =
                wrapped_height(&description, inner.width).min(bottom.saturating_sub(y + 4).max(1));
            frame.render_widget(
                Paragraph::new(Line::styled(description, theme.dim())).wrap(Wrap { trim: true }),
                Rect::new(inner.x, y, inner.width, height),
            );
            y += height;
        }
        if y < bottom {
            let index = 1;
            let focused = app.focus == index;
            let editing = focused && app.editing;
            let row = Rect::new(inner.x, y, inner.width, 1);
            canvas.hitmap.add(row, Target::Field(index));
            let value = if entry.note.is_blank() && !editing {
                FieldValue::Empty(
                    if app.editing {
                        "—"
                    } else {
                        "— (n to write)"
                    }
                    .into(),
                )
            } else {
                FieldValue::Text {
                    field: &entry.note,
                    editing,
                    after: None,
                }
            };
            canvas.field_row(frame, row, "Note", 6, value, focused);
            y += 2;
        }
    } else {
        y += 1;
    }
    if y >= bottom {
        return;
    }
    let index = 2;
    let focused = app.focus == index;
    let editing = focused && app.editing;
    let row = Rect::new(inner.x, y, inner.width, 1);
    canvas.hitmap.add(row, Target::Field(index));
    canvas.field_row(
        frame,
        row,
        "Wishes",
        6,
        FieldValue::Empty(if app.form.wishes.is_blank() {
            if app.editing {
                "the person's own words"
            } else {
                "the person's own words (w to write)"
            }
            .into()
        } else {
            String::new()
        }),
        focused,
    );
    if y + 1 < bottom {
        let area = Rect::new(
            inner.x + 2,
            y + 1,
            inner.width.saturating_sub(2),
            bottom - y - 1,
        );
        canvas.text_box(frame, area, &app.form.wishes, editing);
    }
}
