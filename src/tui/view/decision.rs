//! The decision step: what the assessment decided under the Mental Health Act and whether the
//! person agreed to the plan. Recorded beside the formulation, never weighed in it; the service's
//! outcome figures (`sicol report`) count it.

use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Wrap};
use ratatui::Frame;

use super::{Canvas, FieldValue};
use crate::tui::app::{answer_word, Field, Target};

pub(super) fn draw(canvas: &mut Canvas, frame: &mut Frame, area: Rect) {
    let app = canvas.app;
    let theme = canvas.theme;
    let block = Block::bordered().title(Span::styled(
        " Decision under the Mental Health Act ",
        theme.title(),
    ));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let mut y = inner.y;
    // Keys are named only when nothing is being typed (then they would be text).
    let (enter, type_it) = if app.editing {
        ("", "")
    } else {
        (" (Enter)", " (Enter to type)")
    };
    for (index, field) in app.step.fields().iter().copied().enumerate() {
        if y >= inner.y + inner.height {
            break;
        }
        let focused = app.focus == index;
        let editing = focused && app.editing;
        let value = match field {
            Field::MhaOutcome => match app.form.mha_outcome {
                Some(outcome) => FieldValue::Chosen(outcome.label().to_owned()),
                None => FieldValue::Empty(format!("not recorded{enter}")),
            },
            Field::Agreed => match app.form.agreed_to_plan {
                Some(agreed) => FieldValue::Chosen(answer_word(Some(agreed)).to_owned()),
                None => FieldValue::Empty(format!("not recorded{enter}")),
            },
            _ if editing => FieldValue::Empty(String::new()),
            _ if app.form.mha_note.is_blank() => FieldValue::Empty(format!("optional{type_it}")),
            _ => FieldValue::Chosen(String::new()),
        };
        let row = Rect::new(inner.x, y, inner.width, 1);
        canvas.hitmap.add(row, Target::Field(index));
        canvas.field_row(frame, row, field.label(), 14, value, focused);
        y += 1;
        if field == Field::MhaNote && (editing || !app.form.mha_note.is_blank()) {
            // The note may run over lines: a box under its label.
            let height = 3.min((inner.y + inner.height).saturating_sub(y));
            let area = Rect::new(inner.x + 2, y, inner.width.saturating_sub(2), height);
            canvas.text_box(frame, area, &app.form.mha_note, editing);
            y += height;
        }
    }
    let below = y + 1;
    if below >= inner.y + inner.height {
        return;
    }
    let mut lines = vec![Line::styled(
        "What you decided, not what sicol suggests: it is saved with the record and counted in the service's outcome figures (sicol report). It never changes the formulation. For \"other\", say what it was in the note.",
        theme.dim(),
    )];
    for problem in app
        .problems
        .iter()
        .filter(|problem| problem.field.starts_with("mha_decision"))
    {
        lines.push(Line::styled(
            format!("✗ {}", problem.message),
            theme.error(),
        ));
        if let Some(hint) = &problem.hint {
            lines.push(Line::raw(format!("  fix: {hint}")));
        }
    }
    frame.render_widget(
        Paragraph::new(lines).wrap(Wrap { trim: true }),
        Rect::new(inner.x, below, inner.width, inner.y + inner.height - below),
    );
}
