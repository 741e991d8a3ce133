//! The stressor and medical steps: the kinds recorded, with severity as dots, a number and a
//! word; below, the selected entry's description, what its severity means for that kind, its
//! dates (forgiving input, resolved as you type) and its note.

use chrono::NaiveDate;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Wrap};
use ratatui::Frame;

use super::{window_start, wrapped_height, Canvas, FieldValue, Theme};
use crate::model::Section;
use crate::tui::app::{answer_word, severity_word, Field, Target};
use crate::tui::input::{calendar_reason, parse_date};

/// Severity as dots, so it reads at a glance without colour: `●●○` is 2.
pub(crate) fn dots(severity: u8) -> String {
    (1..=3)
        .map(|level| if level <= severity { '●' } else { '○' })
        .collect()
}

/// What a typed date means, counted from the assessment day, or why it is not a date.
pub(crate) fn date_note<'a>(text: &str, today: NaiveDate, theme: Theme) -> Option<Span<'a>> {
    let text = text.trim();
    if text.is_empty() {
        return None;
    }
    match parse_date(text, today) {
        Ok(date) => {
            let days = (date - today).num_days();
            let when = match days {
                0 => "today".to_owned(),
                1 => "tomorrow".to_owned(),
                -1 => "yesterday".to_owned(),
                d if d > 0 => format!("in {d} days"),
                d => format!("{} days ago", -d),
            };
            let resolved = if date.to_string() == text {
                format!("  {when}")
            } else {
                format!("  → {date}, {when}")
            };
            Some(Span::styled(resolved, theme.dim()))
        }
        // F1 lists the forms both while typing (the field's forms) and after (the help's
        // Dates section); `?` would be typed into the field.
        Err(_) => Some(Span::styled(
            match calendar_reason(text) {
                Some(reason) => format!("  ✗ {reason} (F1: forms)"),
                None => "  ✗ not a date (F1: forms)".to_owned(),
            },
            theme.error(),
        )),
    }
}

pub(super) fn draw(canvas: &mut Canvas, frame: &mut Frame, area: Rect) {
    let app = canvas.app;
    let theme = canvas.theme;
    let Some(section) = app.step.section() else {
        return;
    };
    let title = match section {
        Section::Stressors => " Social stressors ",
        _ => " Medical factors ",
    };
    let block = Block::bordered().title(Span::styled(title, theme.title()));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let entries = app.form.factors(section);
    let vocabulary = app.vocabulary();
    let rows = entries.len() + 1;
    let list_height = (rows as u16)
        .min(inner.height.saturating_sub(9).max(3))
        .min(inner.height);
    let start = window_start(app.row(), usize::from(list_height));
    let list_focused = app.field() == Some(Field::List);
    // Room for the severity (`●●○ 2 moderate`, 15) and, if any entry has one, the due date (15).
    let longest = entries
        .iter()
        .map(|entry| vocabulary.label(&entry.kind).chars().count())
        .max()
        .unwrap_or(0);
    let today = app.form.assessed_at_or(app.fallback_at).date_naive();
    // The dates a factor has, in the list: since when, and when it lands. Where the row has no
    // room for both beside a whole label, the due date stays (it is what is coming) and the
    // since date is left to the details below.
    let dates_of = |entry: &crate::tui::form::FactorEntry, with_since: bool| -> String {
        let mut dates = String::new();
        for (word, field) in [("since", &entry.since), ("due", &entry.due)] {
            if word == "since" && !with_since {
                continue;
            }
            if let Some(text) = field.value() {
                match parse_date(&text, today) {
                    Ok(date) => dates += &format!(" {word} {}", date.format("%-d %b")),
                    Err(_) => dates += &format!(" {word} ?"),
                }
            }
        }
        dates
    };
    let dates_room = |with_since: bool| {
        entries
            .iter()
            .map(|entry| dates_of(entry, with_since).chars().count())
            .max()
            .unwrap_or(0)
    };
    let width = usize::from(inner.width);
    let with_since = longest.min(16) + 17 + dates_room(true) <= width;
    // One column width for every row, so severities line up.
    let label_width = longest
        .min(width.saturating_sub(17 + dates_room(with_since)))
        .max(10);
    for (line, row) in (start..rows).enumerate().take(usize::from(list_height)) {
        let area = Rect::new(inner.x, inner.y + line as u16, inner.width, 1);
        canvas.hitmap.add(area, Target::Row(row));
        let selected = row == app.row();
        let marker = if selected { "›" } else { " " };
        let text = match entries.get(row) {
            Some(entry) => {
                let label = vocabulary.label(&entry.kind);
                let due = dates_of(entry, with_since);
                let label = clip(label, label_width);
                let severity = match entry.severity {
                    Some(severity) => {
                        format!("{} {severity} {}", dots(severity), severity_word(severity))
                    }
                    None => "○○○ ? not chosen".to_owned(),
                };
                // Dates too long for a narrow row end in "…", never a silent cut.
                clip(
                    &format!("{marker}{label:<label_width$} {severity}{due}"),
                    usize::from(inner.width),
                )
            }
            None if app.commands_work() => format!("{marker}+ add a {} (a)", section.noun()),
            None => format!("{marker}+ add a {}", section.noun()),
        };
        let style = match (selected, list_focused) {
            (true, true) => theme.selected(),
            (true, false) => theme.title(),
            _ if row == entries.len() => theme.dim(),
            _ => ratatui::style::Style::new(),
        };
        frame.render_widget(Paragraph::new(Line::styled(text, style)), area);
    }
    let top = inner.y + list_height + 1;
    if top >= inner.y + inner.height {
        return;
    }
    let detail = Rect::new(inner.x, top, inner.width, inner.y + inner.height - top);
    let Some(entry) = app.selected_factor() else {
        let text = if entries.is_empty() {
            format!(
                "No {} recorded yet. Press a (or Enter) to search the vocabulary; it is fine to leave this step empty.",
                section.noun()
            )
        } else {
            "Enter or a: search the vocabulary to add another.".to_owned()
        };
        frame.render_widget(
            Paragraph::new(Line::styled(text, theme.dim())).wrap(Wrap { trim: true }),
            detail,
        );
        return;
    };
    let info = vocabulary.kind(&entry.kind);
    let label = vocabulary.label(&entry.kind).to_owned();
    let description = format!(": {}", info.map_or("", |info| info.description.as_str()));
    let severity = match entry.severity {
        Some(level) => {
            let anchor = info
                .and_then(|info| info.severity.get(&level))
                .map_or("not present".to_owned(), |anchor| anchor.clone());
            format!("Severity {level} {}: {anchor}", severity_word(level))
        }
        None if app.commands_work() => "Severity not chosen: press 0-3 (Enter shows what each level means). Until then it is left out of the formulation.".to_owned(),
        None => "Severity not chosen: until it is, it is left out of the formulation.".to_owned(),
    };
    let mut needed = wrapped_height(&format!("{label}{description}"), detail.width)
        + wrapped_height(&severity, detail.width);
    let mut lines = vec![
        Line::from(vec![
            Span::styled(label, theme.title()),
            Span::styled(description, theme.dim()),
        ]),
        Line::raw(severity),
    ];
    if section == Section::Medical {
        // The course the triage scale asks about; "not known" is shown, never hidden as "no".
        let course = format!(
            "Trend {} · first episode {} · happening now {}  (r f !)",
            entry.trend.map_or("not known", |trend| trend.as_str()),
            answer_word(entry.first_episode),
            answer_word(entry.happening_now)
        );
        needed += wrapped_height(&course, detail.width);
        lines.push(Line::styled(course, theme.dim()));
    }
    let paragraph = Paragraph::new(lines).wrap(Wrap { trim: true });
    let described = needed.min(detail.height.saturating_sub(4).max(1));
    frame.render_widget(
        paragraph,
        Rect::new(detail.x, detail.y, detail.width, described),
    );
    let mut y = detail.y + described;
    let bottom = detail.y + detail.height;
    // Tab order, top to bottom: the note, then the dates. The dates keep their two rows at the
    // bottom; the note's text takes what is left between.
    let dates = u16::try_from(app.step.fields().len().saturating_sub(2)).unwrap_or(0);
    for (index, field) in app.step.fields().iter().copied().enumerate().skip(1) {
        if y >= bottom {
            break;
        }
        let focused = app.focus == index;
        let editing = focused && app.editing;
        let row = Rect::new(detail.x, y, detail.width, 1);
        canvas.hitmap.add(row, Target::Field(index));
        let Some(text) = app.text_field(field) else {
            continue;
        };
        // A key for another field works only when nothing is being edited: while typing, it
        // would be text.
        let key = if app.editing {
            String::new()
        } else {
            format!(
                " ({} to {})",
                field_key(field),
                if field == Field::Note { "write" } else { "set" }
            )
        };
        if field == Field::Note {
            let value = if text.is_blank() && !editing {
                FieldValue::Empty(format!("—{key}"))
            } else {
                FieldValue::Empty(String::new())
            };
            canvas.field_row(frame, row, field.label(), 6, value, focused);
            y += 1;
            // As tall as the note (one row more while typing, for the next line), so the
            // dates follow right under it; what does not fit ends in "…".
            let needed = if editing {
                text.cursor_line_column().0 as u16 + 2
            } else {
                text.text()
                    .split('\n')
                    .map(|line| {
                        super::wrap_words(line, detail.width.saturating_sub(2), "").len() as u16
                    })
                    .sum()
            };
            let height = bottom.saturating_sub(y + dates).min(needed);
            if height > 0 && (!text.is_blank() || editing) {
                let area = Rect::new(detail.x + 2, y, detail.width.saturating_sub(2), height);
                canvas.text_box(frame, area, text, editing);
                y += height;
            }
            continue;
        }
        let value = if text.is_blank() && !editing {
            FieldValue::Empty(format!("—{key}"))
        } else {
            FieldValue::Text {
                field: text,
                editing,
                after: date_note(text.text(), today, theme),
            }
        };
        canvas.field_row(frame, row, field.label(), 6, value, focused);
        y += 1;
    }
}

/// The key that goes to a factor's field from anywhere on the step.
fn field_key(field: Field) -> char {
    match field {
        Field::Since => 's',
        Field::Due => 'u',
        _ => 'n',
    }
}

/// `text` cut to `width` characters, with `…` when something was cut.
pub(crate) fn clip(text: &str, width: usize) -> String {
    if text.chars().count() <= width {
        return text.to_owned();
    }
    let mut clipped: String = text.chars().take(width.saturating_sub(1)).collect();
    clipped.push('…');
    clipped
}
