//! Drawing the assessment screen (the "view" of the Elm-style split): a pure function of the
//! [`App`] state onto a ratatui frame, one file per screen. It returns where the clickable things
//! were drawn, so the app can map a mouse click back to what was under it.
//!
//! Layout: the step bar on top, the form of the current step on the left, the live formulation
//! on the right, a status line and the help bar of the current keys at the bottom. Below 100
//! columns the formulation pane narrows; the whole screen works from 80×24.

mod decision;
mod factors;
mod formulation;
mod overlays;
mod person;
mod referrals;
mod review;
mod strengths;
pub mod theme;

use ratatui::layout::{Constraint, Layout, Position, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;

use crate::tui::app::{App, Hitmap, Step, Target};
use crate::tui::input::TextField;
pub use theme::Theme;

/// The smallest window the screens are drawn in; below it a message asks for more room.
pub const MIN_WIDTH: u16 = 60;
/// See [`MIN_WIDTH`].
pub const MIN_HEIGHT: u16 = 16;

/// Everything a screen needs to draw itself.
pub(crate) struct Canvas<'a, 'r> {
    /// The state to draw.
    pub app: &'a App<'r>,
    /// The styles.
    pub theme: Theme,
    /// Where clickable things went.
    pub hitmap: Hitmap,
    /// Where the text cursor goes, if a field is being edited.
    pub cursor: Option<Position>,
}

/// Draws the whole screen and returns its clickable areas.
pub fn draw(frame: &mut Frame, app: &App, theme: Theme) -> Hitmap {
    let area = frame.area();
    if area.width < MIN_WIDTH || area.height < MIN_HEIGHT {
        // Nothing is lost: the state is untouched and the screen comes back when it grows.
        let text = format!(
            "sicol assess needs a window of at least {MIN_WIDTH}×{MIN_HEIGHT} (now {}×{}); \
             make it larger, or press Ctrl-C to quit (your draft is kept)",
            area.width, area.height
        );
        frame.render_widget(
            Paragraph::new(text).wrap(ratatui::widgets::Wrap { trim: true }),
            area,
        );
        return Hitmap::default();
    }
    let mut canvas = Canvas {
        app,
        theme,
        hitmap: Hitmap::default(),
        cursor: None,
    };
    // An incomplete formulation takes a full-width row above everything else: a failed rule's
    // weight is missing, and the urgency on screen may be too low. A correction says which
    // record it corrects on a row of its own, for as long as the session revises.
    let mut banners: Vec<String> = Vec::new();
    if let Some(notice) = app.formulation.incomplete_banner() {
        let key = if app.commands_work() {
            " · t: details"
        } else {
            ""
        };
        banners.push(format!(" ⚠ {notice}{key} "));
    }
    if let Some(text) = revise_banner(app) {
        banners.push(text);
    }
    let banners: Vec<String> = banners
        .iter()
        .map(|text| factors::clip(text, usize::from(area.width)))
        .collect();
    let banner_height = banners.len() as u16;
    // Every key that works is shown: on a narrow screen the help bar takes a second row rather
    // than dropping keys.
    let hints = app.key_hints();
    let help_height = help_rows(&hints, area.width).len().max(1) as u16;
    // A long message takes a second row rather than being cut off.
    let status_height = app
        .status
        .as_deref()
        .map_or(1, |status| wrapped_height(status, area.width).clamp(1, 2));
    let [top, banner, main, status, help] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(banner_height),
        Constraint::Min(5),
        Constraint::Length(status_height),
        Constraint::Length(help_height),
    ])
    .areas(frame.area());
    canvas.step_bar(frame, top);
    for (row, text) in banners.into_iter().enumerate() {
        let line = Rect::new(banner.x, banner.y + row as u16, banner.width, 1);
        frame.render_widget(Paragraph::new(text).style(theme.banner()), line);
    }
    let pane_width = if main.width >= 110 { 44 } else { 34 };
    let [form, pane] =
        Layout::horizontal([Constraint::Min(30), Constraint::Length(pane_width)]).areas(main);
    match app.step {
        Step::Person => person::draw(&mut canvas, frame, form),
        Step::Stressors | Step::Medical => factors::draw(&mut canvas, frame, form),
        Step::Strengths => strengths::draw(&mut canvas, frame, form),
        Step::Referrals => referrals::draw(&mut canvas, frame, form),
        Step::Decision => decision::draw(&mut canvas, frame, form),
        Step::Review => review::draw(&mut canvas, frame, form),
    }
    formulation::draw(&canvas, frame, pane);
    canvas.status_line(frame, status);
    canvas.help_bar(frame, help, &hints);
    overlays::draw(&mut canvas, frame);
    if let Some(cursor) = canvas.cursor {
        frame.set_cursor_position(cursor);
    }
    canvas.hitmap
}

impl Canvas<'_, '_> {
    fn step_bar(&mut self, frame: &mut Frame, area: Rect) {
        let app = self.app;
        let segment = |number: usize, step: Step, numbered: bool, counts: bool| {
            let mut text = if numbered {
                format!(" {} {}", number + 1, step.title())
            } else {
                format!(" {}", step.title())
            };
            if counts {
                match step {
                    Step::Stressors => text += &format!(" {}", app.form.stressors.len()),
                    Step::Medical => text += &format!(" {}", app.form.medical.len()),
                    Step::Strengths => text += &format!(" {}", app.form.strengths.len()),
                    Step::Referrals => {
                        let decided = app
                            .offers
                            .iter()
                            .filter(|offer| app.choices.get(&offer.key).is_some())
                            .count();
                        text += &format!(" {decided}/{}", app.offers.len());
                    }
                    _ => {}
                }
            }
            if app.step_has_problems(step) {
                text.push('!');
            }
            text.push(' ');
            text
        };
        // Every step stays on screen: numbers go first on a narrow screen, then the counts.
        let layouts = [(true, true), (false, true), (false, false)];
        let mut texts = Vec::new();
        for (numbered, counts) in layouts {
            texts = Step::ALL
                .into_iter()
                .enumerate()
                .map(|(number, step)| (step, segment(number, step, numbered, counts)))
                .collect::<Vec<_>>();
            let width: usize = texts
                .iter()
                .map(|(_, text)| Span::raw(text.as_str()).width())
                .sum();
            if width <= usize::from(area.width) {
                break;
            }
        }
        let mut spans = Vec::new();
        let mut x = area.x;
        for (step, text) in texts {
            let width = Span::raw(text.as_str()).width() as u16;
            let style = if step == app.step {
                self.theme.selected().patch(self.theme.title())
            } else {
                ratatui::style::Style::new()
            };
            let clipped = width.min((area.x + area.width).saturating_sub(x));
            self.hitmap
                .add(Rect::new(x, area.y, clipped, 1), Target::Step(step));
            x = x.saturating_add(width);
            spans.push(Span::styled(text, style));
        }
        frame.render_widget(Paragraph::new(Line::from(spans)), area);
    }

    fn status_line(&self, frame: &mut Frame, area: Rect) {
        let app = self.app;
        let line = match (&app.status, &app.saved, app.dirty) {
            (Some(status), _, _) => Line::styled(status.clone(), self.theme.title()),
            (None, Some(saved), false) => Line::styled(
                format!("saved: {} · draft removed", saved.describe()),
                self.theme.good(),
            ),
            (None, Some(saved), true) => Line::styled(
                format!(
                    "changed since {} was saved · Ctrl-S saves a revision",
                    saved
                        .record
                        .map_or("it".to_owned(), |id| format!("record {id}"))
                ),
                self.theme.title(),
            ),
            (None, None, true) => Line::styled(
                "unsaved · every change is kept in a draft",
                self.theme.dim(),
            ),
            (None, _, false) => Line::styled("no changes yet", self.theme.dim()),
        };
        frame.render_widget(
            Paragraph::new(line).wrap(ratatui::widgets::Wrap { trim: true }),
            area,
        );
    }

    fn help_bar(&self, frame: &mut Frame, area: Rect, hints: &[(&str, &str)]) {
        let lines: Vec<Line> = help_rows(hints, area.width)
            .into_iter()
            .map(|row| {
                let mut spans = Vec::new();
                for (index, (key, action)) in row.into_iter().enumerate() {
                    if index > 0 {
                        spans.push(Span::raw("  "));
                    }
                    spans.push(Span::styled(key.to_owned(), self.theme.key()));
                    spans.push(Span::raw(format!(" {action}")));
                }
                Line::from(spans)
            })
            .collect();
        frame.render_widget(Paragraph::new(lines), area);
    }

    /// One labelled single-line field; places the cursor if it is being edited.
    pub fn field_row(
        &mut self,
        frame: &mut Frame,
        area: Rect,
        label: &str,
        label_width: u16,
        value: FieldValue,
        focused: bool,
    ) {
        let label_style = if focused {
            self.theme.selected()
        } else {
            self.theme.dim()
        };
        let marker = if focused { "›" } else { " " };
        let label_text = format!("{marker}{label:<width$}", width = usize::from(label_width));
        let label_span = Span::styled(label_text, label_style);
        let start = area.x + label_span.width() as u16 + 1;
        let room = (area.x + area.width).saturating_sub(start);
        let mut spans = vec![label_span, Span::raw(" ")];
        match value {
            FieldValue::Text {
                field,
                editing,
                after,
            } => {
                let (visible, cursor) = visible_text(field, room, editing);
                // Text that typing will replace is shown selected, as forms show it.
                if editing && self.app.replace_on_type {
                    spans.push(Span::styled(visible, self.theme.selected()));
                } else {
                    spans.push(Span::raw(visible));
                }
                if let Some(cursor) = cursor {
                    self.cursor = Some(Position::new(start + cursor, area.y));
                }
                // What follows the value (a resolved date, why it is not one) ends in "…"
                // where the row runs out, never a silent cut.
                let used = spans.iter().map(Span::width).sum::<usize>();
                if let Some(after) = after {
                    let left = usize::from(area.width).saturating_sub(used);
                    let text = factors::clip(&after.content, left);
                    spans.push(Span::styled(text, after.style));
                }
            }
            // A value too long for the row ends in "…", never a silent cut.
            FieldValue::Chosen(text) => {
                spans.push(Span::raw(factors::clip(&text, usize::from(room))));
            }
            FieldValue::Empty(text) => spans.push(Span::styled(
                factors::clip(&text, usize::from(room)),
                self.theme.dim(),
            )),
        }
        frame.render_widget(Paragraph::new(Line::from(spans)), area);
    }

    /// A multi-line text box; places the cursor (and scrolls to it) if it is being edited.
    pub fn text_box(&mut self, frame: &mut Frame, area: Rect, field: &TextField, editing: bool) {
        if area.height == 0 || area.width == 0 {
            return;
        }
        if !editing {
            if field.is_blank() {
                frame.render_widget(
                    Paragraph::new(Line::styled("(empty)", self.theme.dim())),
                    area,
                );
                return;
            }
            // Wrapped here, so that a note longer than the box ends in "…" on its last row
            // rather than being cut where the box ends.
            let texts: Vec<(String, Style)> = field
                .text()
                .split('\n')
                .map(|line| (line.to_owned(), Style::new()))
                .collect();
            let lines = fitted(&texts, area.width, area.height, "");
            frame.render_widget(Paragraph::new(lines), area);
            return;
        }
        // While editing, lines are not wrapped so the cursor is exactly where it looks.
        let (line, _) = field.cursor_line_column();
        let top = line.saturating_sub(usize::from(area.height) - 1);
        let before = Span::raw(field.before_cursor_on_line()).width() as u16;
        let shift = before.saturating_sub(area.width.saturating_sub(1));
        let paragraph = Paragraph::new(field.text().to_owned()).scroll((top as u16, shift));
        frame.render_widget(paragraph, area);
        self.cursor = Some(Position::new(
            area.x + before - shift,
            area.y + (line - top) as u16,
        ));
    }
}

/// What a correction revises, said on screen for the whole session: which record, and when
/// `--revise` named an older one, that its newest revision was opened instead.
fn revise_banner(app: &App) -> Option<String> {
    if !app.revising {
        return None;
    }
    let current = app
        .saved
        .as_ref()
        .and_then(|saved| saved.record)
        .map_or("the saved assessment".to_owned(), |id| {
            format!("record {id}")
        });
    Some(match app.revise_asked_for {
        Some(asked) => format!(
            " Revising {current}, the newest revision of record {asked} (revised since) · saving supersedes it "
        ),
        None => format!(" Revising {current} · saving supersedes it "),
    })
}

/// The key hints laid out in rows of `width` columns, whole hints only (a cut-off key would be
/// misleading). Two rows at most: what would need a third is left to `?`, which is first.
pub(crate) fn help_rows<'h>(
    hints: &[(&'h str, &'h str)],
    width: u16,
) -> Vec<Vec<(&'h str, &'h str)>> {
    let mut rows: Vec<Vec<(&str, &str)>> = vec![Vec::new()];
    let mut used = 0usize;
    for (key, action) in hints.iter().copied() {
        let width_of = Span::raw(format!("{key} {action}")).width();
        let gap = if used > 0 { 2 } else { 0 };
        if used + gap + width_of > usize::from(width) {
            if rows.len() == 2 {
                break;
            }
            rows.push(Vec::new());
            used = 0;
        }
        let gap = if used > 0 { 2 } else { 0 };
        used += gap + width_of;
        if let Some(row) = rows.last_mut() {
            row.push((key, action));
        }
    }
    rows
}

/// What a field row shows.
pub(crate) enum FieldValue<'a> {
    /// An editable text, with something to show after it when not editing.
    Text {
        /// The field.
        field: &'a TextField,
        /// Whether it is being edited.
        editing: bool,
        /// A note after the value (a resolved date, a problem).
        after: Option<Span<'a>>,
    },
    /// A value chosen from a list.
    Chosen(String),
    /// Nothing yet, with a hint.
    Empty(String),
}

/// The part of a single-line text that fits in `room` columns, and the cursor's column in it
/// when editing (the text scrolls left to keep the cursor in view).
fn visible_text(field: &TextField, room: u16, editing: bool) -> (String, Option<u16>) {
    let text = field.text().replace('\n', " ");
    if !editing {
        // What does not fit ends in "…", never a silent cut.
        if Span::raw(text.as_str()).width() <= usize::from(room) {
            return (text, None);
        }
        let mut shown = String::new();
        for c in text.chars() {
            if Span::raw(format!("{shown}{c}…")).width() as u16 > room {
                break;
            }
            shown.push(c);
        }
        shown.push('…');
        return (shown, None);
    }
    let before = field.before_cursor_on_line();
    let before_width = Span::raw(before.as_str()).width() as u16;
    let skip_width = before_width.saturating_sub(room.saturating_sub(1));
    let mut skipped = 0u16;
    let mut shown = String::new();
    for c in text.chars() {
        let width = Span::raw(c.to_string()).width() as u16;
        if skipped < skip_width {
            skipped += width;
            continue;
        }
        shown.push(c);
    }
    (shown, Some(before_width - skipped))
}

/// The first row to show so that `selected` is visible in `height` rows.
pub(crate) fn window_start(selected: usize, height: usize) -> usize {
    if height == 0 {
        return 0;
    }
    selected.saturating_sub(height - 1)
}

/// A rectangle of at most `width`×`height` in the middle of `area`.
pub(crate) fn centered(area: Rect, width: u16, height: u16) -> Rect {
    let width = width.min(area.width);
    let height = height.min(area.height);
    Rect::new(
        area.x + (area.width - width) / 2,
        area.y + (area.height - height) / 2,
        width,
        height,
    )
}

/// How many rows `text` takes when word-wrapped to `width` columns (as ratatui wraps it).
pub(crate) fn wrapped_height(text: &str, width: u16) -> u16 {
    let width = usize::from(width.max(1));
    let mut rows = 0u16;
    for line in text.split('\n') {
        let mut used = 0usize;
        rows += 1;
        for word in line.split_whitespace() {
            let length = Span::raw(word).width();
            let needed = if used == 0 { length } else { used + 1 + length };
            if needed <= width {
                used = needed;
            } else {
                rows += 1 + (length.saturating_sub(1) / width) as u16;
                used = length % width;
            }
        }
    }
    rows
}

/// Styled texts word-wrapped to `width` columns (continuations indented by `indent`), in at
/// most `rows` rows; when they need more, the last row shown ends in "…", never a silent cut.
pub(crate) fn fitted(
    texts: &[(String, Style)],
    width: u16,
    rows: u16,
    indent: &str,
) -> Vec<Line<'static>> {
    let mut lines: Vec<(String, Style)> = texts
        .iter()
        .flat_map(|(text, style)| {
            wrap_words(text, width, indent)
                .into_iter()
                .map(move |part| (part, *style))
        })
        .collect();
    if lines.len() > usize::from(rows) {
        lines.truncate(usize::from(rows));
        if let Some((last, _)) = lines.last_mut() {
            *last = factors::clip(&format!("{last} …"), usize::from(width));
            if !last.ends_with('…') {
                last.push('…');
            }
        }
    }
    lines
        .into_iter()
        .map(|(text, style)| Line::styled(text, style))
        .collect()
}

/// `text` word-wrapped to `width` columns, each line after the first indented by `indent`.
pub(crate) fn wrap_words(text: &str, width: u16, indent: &str) -> Vec<String> {
    let width = usize::from(width.max(1));
    let leading: String = text.chars().take_while(|c| *c == ' ').collect();
    let mut lines = vec![leading];
    // A word wider than a row (a pasted link, a long code) is broken into rows of its own
    // rather than run past the edge.
    let room = width.saturating_sub(Span::raw(indent).width()).max(1);
    let words = text.split_whitespace().flat_map(|word| {
        let chars: Vec<char> = word.chars().collect();
        if Span::raw(word).width() <= room {
            vec![word.to_owned()]
        } else {
            chars
                .chunks(room)
                .map(|chunk| chunk.iter().collect())
                .collect()
        }
    });
    for word in words {
        let word = word.as_str();
        let Some(line) = lines.last_mut() else {
            break;
        };
        let blank = line.trim().is_empty();
        let needed =
            Span::raw(line.as_str()).width() + usize::from(!blank) + Span::raw(word).width();
        if blank || needed <= width {
            if !blank {
                line.push(' ');
            }
            line.push_str(word);
        } else {
            lines.push(format!("{indent}{word}"));
        }
    }
    lines
}
