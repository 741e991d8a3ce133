//! Windows drawn over the form: full help, the vocabulary picker, the severity chooser with the
//! vocabulary's anchors, the trace of every factor, and the confirmations (quit, remove, resume a
//! draft, a declined referral's reason).

use ratatui::layout::{Position, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph, Wrap};
use ratatui::Frame;

use super::{centered, window_start, wrapped_height, Canvas};
use crate::formulation::round_to_cents;
use crate::model::Section;
use crate::tui::app::{severity_word, Overlay, PickFor, Picker, Target};
use crate::tui::input::{TextField, DATE_FORMS};

/// The full help, by screen.
const HELP: &[(&str, &[(&str, &str)])] = &[
    (
        "Everywhere",
        &[
            ("← → h l [ ]", "previous / next step (or click a step)"),
            (
                "Tab Shift-Tab",
                "next / previous field; from a field being filled in, it opens the next one (a list opens on its value: type to search, Tab to choose and go on)",
            ),
            ("↑ ↓ j k", "move in a list, or between fields"),
            ("Enter e", "edit the field, or choose from a list"),
            ("t", "full trace: every factor with its rule and why"),
            ("Ctrl-S", "save (goes to Review if something needs fixing)"),
            ("?  F1", "this help"),
            ("q  Ctrl-C", "quit (asks first if there is unsaved work)"),
        ],
    ),
    (
        "Editing a field",
        &[
            ("Esc", "done (dates are resolved, e.g. +7d → the date)"),
            ("Tab", "done, and edit the next field"),
            ("Enter", "done (in notes too)"),
            (
                "Ctrl-J",
                "a new line in notes, wishes and the decision's note",
            ),
            (
                "typing",
                "replaces the text of a field just entered; ← → keep it",
            ),
            ("Ctrl-A Ctrl-E", "start / end of line"),
            ("Ctrl-U Ctrl-W", "delete to start of line / previous word"),
            (
                "paste",
                "lands whole, at once; one too long for the field is refused, naming the limit",
            ),
            (
                "F1",
                "what the field accepts (dates: today, 05/12/2026, +7d…)",
            ),
        ],
    ),
    (
        "Stressors, medical, strengths",
        &[
            ("a  +", "add: search the vocabulary as you type"),
            (
                "0 1 2 3",
                "severity of the selected factor (none to severe); a new one has none until chosen",
            ),
            ("Enter", "choose severity, with what each level means"),
            ("s  u", "since / due date of the selected factor"),
            ("n", "note on the selected entry"),
            ("w", "the person's wishes (strengths step)"),
            ("x  Delete", "remove the selected entry (asks first)"),
        ],
    ),
    (
        "Referrals",
        &[
            ("a", "the person accepts"),
            ("d", "the person declines (their reason, optional)"),
            ("f", "the person wants to decide later (defer)"),
        ],
    ),
    (
        "Decision",
        &[
            (
                "Enter",
                "choose the Mental Health Act outcome, or whether the person agreed",
            ),
            ("Enter on Note", "write a note (say what \"other\" was)"),
        ],
    ),
    (
        "Review",
        &[
            ("Enter  s", "save, never overwriting an earlier record"),
            (
                "",
                "once saved, Enter does nothing until something changes;",
            ),
            (
                "",
                "then it saves a revision that supersedes the saved record",
            ),
        ],
    ),
];

pub(super) fn draw(canvas: &mut Canvas, frame: &mut Frame) {
    let area = frame.area();
    match &canvas.app.overlay {
        None => {}
        Some(Overlay::Help) => help(canvas, frame, area),
        Some(Overlay::Picker(picker)) => self::picker(canvas, frame, area, picker),
        Some(Overlay::Severity {
            section,
            index,
            cursor,
        }) => severity(canvas, frame, area, *section, *index, *cursor),
        Some(Overlay::Trace { selected }) => trace(canvas, frame, area, *selected),
        Some(Overlay::ConfirmQuit) => message(
            canvas,
            frame,
            " Quit? ",
            &[
                "The assessment is not saved.",
                "Everything entered is kept in a draft and offered when sicol assess starts again.",
                "",
                "y quit, keep the draft    n stay",
            ],
        ),
        Some(Overlay::ConfirmFuture { at, ahead }) => {
            let when = format!(
                "{} is {ahead}, later than now.",
                at.format("%a %d/%m/%Y %H:%M %:z")
            );
            message(
                canvas,
                frame,
                " A time in the future? ",
                &[
                    when.as_str(),
                    "An assessment is usually recorded after it took place: check the day, the year and the time.",
                    "",
                    "y keep this time    n change it",
                ],
            );
        }
        Some(Overlay::ConfirmRemove { section, index }) => {
            let app = canvas.app;
            let kind = match section {
                Section::Strengths => app.form.strengths.get(*index).map(|s| s.kind.as_str()),
                _ => app
                    .form
                    .factors(*section)
                    .get(*index)
                    .map(|f| f.kind.as_str()),
            };
            let text = format!(
                "Remove {} and its dates and note?",
                app.vocabulary().label(kind.unwrap_or(""))
            );
            message(
                canvas,
                frame,
                " Remove? ",
                &[&text, "", "y remove    n keep"],
            );
        }
        Some(Overlay::Drafts {
            drafts,
            selected,
            confirm_discard,
        }) => drafts_list(canvas, frame, area, drafts, *selected, *confirm_discard),
        Some(Overlay::Forms { title, lines }) => {
            let mut text: Vec<&str> = lines.clone();
            text.push("");
            text.push("any key: back to the field");
            message(canvas, frame, title, &text);
        }
        Some(Overlay::Reason { key, reason }) => {
            // The partner's name as the person heard it, never its id in the directory.
            let app = canvas.app;
            let label = app
                .offers
                .iter()
                .find(|offer| offer.key == *key)
                .map_or_else(
                    || app.vocabulary().label(key).to_owned(),
                    |offer| offer.name.clone(),
                );
            reason_box(canvas, frame, area, &label, reason);
        }
    }
}

/// The drafts found on start, newest first: case id, step and when it last changed.
fn drafts_list(
    canvas: &mut Canvas,
    frame: &mut Frame,
    area: Rect,
    drafts: &[(String, crate::tui::store::Draft)],
    selected: usize,
    confirm_discard: bool,
) {
    let theme = canvas.theme;
    let height = (drafts.len() as u16 + 6).min(area.height.saturating_sub(2));
    let area = centered(area, 76, height);
    let inner = boxed(
        canvas,
        frame,
        area,
        " Unsaved drafts: resume one, or start afresh ",
    );
    let list_height = inner.height.saturating_sub(3);
    let start = window_start(selected, usize::from(list_height));
    let mut lines = Vec::new();
    for (row, (_, draft)) in drafts
        .iter()
        .enumerate()
        .skip(start)
        .take(usize::from(list_height))
    {
        let form = &draft.form;
        let case = form.id.value().unwrap_or_else(|| "(no case id yet)".into());
        let revision = if draft.revises.is_some() {
            " · correction"
        } else {
            ""
        };
        let text = format!(
            "{}{case:<16} {:<10} last change {}{revision}",
            if row == selected { "›" } else { " " },
            draft.step.title(),
            draft.written_at.format("%d/%m/%Y %H:%M"),
        );
        let style = if row == selected {
            theme.selected()
        } else {
            ratatui::style::Style::new()
        };
        lines.push(Line::styled(
            super::factors::clip(&text, usize::from(inner.width)),
            style,
        ));
    }
    lines.push(Line::raw(""));
    if confirm_discard {
        let case = drafts
            .get(selected)
            .and_then(|(_, draft)| draft.form.id.value())
            .unwrap_or_else(|| "with no case id".into());
        lines.push(Line::styled(
            format!(
                "Discard the draft of case {case}? Its unsaved work is lost.  y discard  n keep"
            ),
            theme.error(),
        ));
    } else {
        lines.push(Line::styled(
            "Enter resume   d discard (asks first)   n start afresh (drafts are kept)",
            theme.dim(),
        ));
    }
    // Not trimmed: the rows line up under the selection marker.
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
}

fn boxed(canvas: &Canvas, frame: &mut Frame, area: Rect, title: &str) -> Rect {
    frame.render_widget(Clear, area);
    let block = Block::bordered().title(Span::styled(title.to_owned(), canvas.theme.title()));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    inner
}

fn message(canvas: &Canvas, frame: &mut Frame, title: &str, text: &[&str]) {
    let width = 60.min(frame.area().width.saturating_sub(4));
    let height = text
        .iter()
        .map(|line| wrapped_height(line, width.saturating_sub(2)))
        .sum::<u16>()
        + 2;
    let area = centered(frame.area(), width, height);
    let inner = boxed(canvas, frame, area, title);
    let lines: Vec<Line> = text
        .iter()
        .map(|line| Line::raw(line.to_string()))
        .collect();
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: true }), inner);
}

fn help(canvas: &Canvas, frame: &mut Frame, area: Rect) {
    let theme = canvas.theme;
    let area = centered(area, 76, area.height.saturating_sub(2));
    let inner = boxed(
        canvas,
        frame,
        area,
        " Keys (↑↓ scroll, any other key closes) ",
    );
    let mut lines = Vec::new();
    // Descriptions wrap under themselves (17 columns in), never cut at the box's edge.
    let room = inner.width.saturating_sub(17);
    for (screen, keys) in HELP {
        lines.push(Line::styled(*screen, theme.title()));
        for (key, action) in *keys {
            for (index, part) in super::wrap_words(action, room, "").into_iter().enumerate() {
                let key = if index == 0 { *key } else { "" };
                lines.push(Line::from(vec![
                    Span::styled(format!("  {key:<15}"), theme.key()),
                    Span::raw(part),
                ]));
            }
        }
    }
    lines.push(Line::styled("Dates", theme.title()));
    for text in [
        format!("  {DATE_FORMS}"),
        "  counted from the assessment date; shown resolved as you type".to_owned(),
    ] {
        lines.extend(
            super::wrap_words(&text, inner.width, "  ")
                .into_iter()
                .map(Line::raw),
        );
    }
    frame.render_widget(Paragraph::new(lines).scroll((canvas.app.scroll, 0)), inner);
}

fn picker(canvas: &mut Canvas, frame: &mut Frame, area: Rect, picker: &Picker) {
    let theme = canvas.theme;
    let title = match picker.purpose {
        PickFor::Kind(section) => format!(" Add a {} ", section.noun()),
        PickFor::Lives => " Where the person lives ".to_owned(),
        PickFor::ReferralSource => " Who referred the person ".to_owned(),
        PickFor::Setting => " Where the assessment takes place ".to_owned(),
        PickFor::SelfCare => " Can the person care for themselves? ".to_owned(),
        PickFor::Gender => " Gender (used only for single-gender services) ".to_owned(),
        PickFor::Capacity => " Capacity for the decision at hand ".to_owned(),
        PickFor::MhaOutcome => " Outcome under the Mental Health Act ".to_owned(),
        PickFor::Agreed => " Did the person agree to the plan? ".to_owned(),
    };
    let area = centered(area, 76, area.height.saturating_sub(2));
    let inner = boxed(canvas, frame, area, &title);
    if inner.height < 4 {
        return;
    }
    let search = Rect::new(inner.x, inner.y, inner.width, 1);
    frame.render_widget(
        Paragraph::new(Line::from(vec![
            Span::styled("Search: ", theme.dim()),
            Span::raw(picker.query.text().to_owned()),
        ])),
        search,
    );
    let typed = Span::raw(picker.query.before_cursor_on_line()).width() as u16;
    canvas.cursor = Some(Position::new(
        (search.x + 8 + typed).min(search.x + search.width.saturating_sub(1)),
        search.y,
    ));
    // The description (and severity anchors) of the highlighted item take the bottom.
    let mut detail = Vec::new();
    if let Some(item) = picker.current() {
        if !item.description.is_empty() {
            detail.push(Line::styled(item.description.clone(), theme.dim()));
        }
        if let PickFor::Kind(_) = picker.purpose {
            if let Some(info) = canvas.app.vocabulary().kind(&item.key) {
                for (level, anchor) in &info.severity {
                    detail.push(Line::raw(format!(
                        "{level} {}: {anchor}",
                        severity_word(*level)
                    )));
                }
            }
        }
    }
    let detail_height: u16 = detail
        .iter()
        .map(|line| wrapped_height(&line.to_string(), inner.width))
        .sum::<u16>()
        .min(inner.height.saturating_sub(5));
    let list_height = inner
        .height
        .saturating_sub(2 + detail_height + u16::from(detail_height > 0));
    let start = window_start(picker.selected, usize::from(list_height));
    if picker.matches.is_empty() {
        frame.render_widget(
            Paragraph::new(Line::styled(
                "nothing matches: change the search, or Esc",
                theme.error(),
            )),
            Rect::new(inner.x, inner.y + 2, inner.width, 1),
        );
    }
    for (line, (row, index)) in picker
        .matches
        .iter()
        .enumerate()
        .skip(start)
        .take(usize::from(list_height))
        .enumerate()
    {
        let item = &picker.items[*index];
        let area = Rect::new(inner.x, inner.y + 2 + line as u16, inner.width, 1);
        canvas.hitmap.add(area, Target::PickerRow(row));
        let selected = row == picker.selected;
        let mark = match (picker.purpose, item.recorded) {
            (PickFor::Kind(_), true) => "  (recorded)",
            (_, true) => "  (current)",
            _ => "",
        };
        let key = if item.key.is_empty() {
            String::new()
        } else {
            format!("  {}", item.key)
        };
        let line = Line::from(vec![
            Span::raw(format!(
                "{}{}",
                if selected { "›" } else { " " },
                item.label
            )),
            Span::styled(format!("{key}{mark}"), theme.dim()),
        ]);
        let style = if selected {
            theme.selected()
        } else {
            ratatui::style::Style::new()
        };
        frame.render_widget(Paragraph::new(line).style(style), area);
    }
    if detail_height > 0 {
        let top = inner.y + inner.height - detail_height;
        frame.render_widget(
            Paragraph::new(detail).wrap(Wrap { trim: true }),
            Rect::new(inner.x, top, inner.width, detail_height),
        );
    }
}

fn severity(
    canvas: &mut Canvas,
    frame: &mut Frame,
    area: Rect,
    section: Section,
    index: usize,
    cursor: u8,
) {
    let app = canvas.app;
    let theme = canvas.theme;
    let Some(entry) = app.form.factors(section).get(index) else {
        return;
    };
    let info = app.vocabulary().kind(&entry.kind);
    let label = app.vocabulary().label(&entry.kind);
    let width = 70.min(area.width.saturating_sub(4));
    let texts: Vec<String> = (0..=3u8)
        .map(|level| {
            let anchor = match level {
                0 => "not present now".to_owned(),
                _ => info
                    .and_then(|info| info.severity.get(&level))
                    .cloned()
                    .unwrap_or_default(),
            };
            format!(
                "{} {level} {}: {anchor}",
                if level == cursor { "›" } else { " " },
                severity_word(level)
            )
        })
        .collect();
    // Wrapped here, under the level's words, so the box is exactly as tall as its text: a
    // long anchor wraps, never cut at the border.
    let wrapped: Vec<Vec<String>> = texts
        .iter()
        .map(|text| super::wrap_words(text, width.saturating_sub(2), "      "))
        .collect();
    let heights: Vec<u16> = wrapped.iter().map(|lines| lines.len() as u16).collect();
    let height = heights.iter().sum::<u16>() + 2;
    let area = centered(area, width, height);
    let inner = boxed(canvas, frame, area, &format!(" Severity of {label} (0-3) "));
    let mut y = inner.y;
    for (level, (lines, height)) in wrapped.into_iter().zip(heights).enumerate() {
        let height = height.min((inner.y + inner.height).saturating_sub(y));
        if height == 0 {
            break;
        }
        let row = Rect::new(inner.x, y, inner.width, height);
        canvas.hitmap.add(row, Target::SeverityRow(level as u8));
        let style = if level as u8 == cursor {
            theme.selected()
        } else {
            ratatui::style::Style::new()
        };
        let lines: Vec<Line> = lines.into_iter().map(Line::raw).collect();
        frame.render_widget(Paragraph::new(lines).style(style), row);
        y += height;
    }
}

fn trace(canvas: &mut Canvas, frame: &mut Frame, area: Rect, selected: usize) {
    let app = canvas.app;
    let theme = canvas.theme;
    let formulation = &app.formulation;
    let vocabulary = app.vocabulary();
    let area = centered(area, 100, area.height.saturating_sub(2));
    let inner = boxed(
        canvas,
        frame,
        area,
        " Trace: every factor and the rule that weighed it ",
    );
    let order = app.factors_by_weight();
    // Header: how urgency, balance and recommendation were decided. Wrapped here so that what
    // does not fit in half the box ends in "…".
    let mut header: Vec<(String, Style)> = vec![(
        format!(
            "Urgency {} ({}), {}",
            formulation.urgency.label(),
            formulation.triage_code,
            formulation.response_time
        ),
        theme.urgency(formulation.urgency),
    )];
    for reason in &formulation.urgency_reasons {
        header.push((format!("  {reason}"), theme.dim()));
    }
    header.push((
        format!("Balance: {}", formulation.balance_reason),
        theme.dim(),
    ));
    header.push((
        format!(
            "{}: {}",
            formulation.recommendation_label, formulation.recommendation_reason
        ),
        theme.dim(),
    ));
    for warning in &formulation.warnings {
        header.push((format!("⚠ {warning}"), theme.error()));
    }
    let header = super::fitted(&header, inner.width, inner.height / 2, "  ");
    let header_height = header.len() as u16;
    frame.render_widget(
        Paragraph::new(header),
        Rect::new(inner.x, inner.y, inner.width, header_height),
    );
    // Detail of the selected factor at the bottom; the list in between.
    let detail = order
        .get(selected)
        .map(|index| &formulation.factors[*index]);
    let detail_texts = detail.map_or(Vec::new(), |factor| {
        vec![
            (format!("Rule {}", factor.rule), theme.title()),
            (
                format!(
                    "{} weight {} on {}",
                    factor.kind,
                    round_to_cents(factor.weight),
                    factor.domain
                ),
                Style::new(),
            ),
            (format!("Why: {}", factor.why), Style::new()),
        ]
    });
    let detail_lines = super::fitted(
        &detail_texts,
        inner.width,
        inner.height.saturating_sub(header_height + 3),
        "  ",
    );
    let detail_height = detail_lines.len() as u16;
    let list_top = inner.y + header_height + 1;
    let list_height = (inner.y + inner.height).saturating_sub(list_top + detail_height + 1);
    let start = window_start(selected, usize::from(list_height));
    for (line, (row, index)) in order
        .iter()
        .enumerate()
        .skip(start)
        .take(usize::from(list_height))
        .enumerate()
    {
        let factor = &formulation.factors[*index];
        let label = factor
            .kind
            .split('+')
            .map(|kind| vocabulary.label(kind))
            .collect::<Vec<_>>()
            .join(" + ");
        let area = Rect::new(inner.x, list_top + line as u16, inner.width, 1);
        canvas.hitmap.add(area, Target::TraceRow(row));
        let is_selected = row == selected;
        let text = super::factors::clip(
            &format!(
                "{}{:>5} {:<10} {label}  ({})",
                if is_selected { "›" } else { " " },
                round_to_cents(factor.weight),
                factor.domain.as_str(),
                factor.rule
            ),
            usize::from(inner.width),
        );
        let style = if is_selected {
            theme.selected()
        } else {
            ratatui::style::Style::new()
        };
        frame.render_widget(Paragraph::new(Line::styled(text, style)), area);
    }
    if detail_height > 0 {
        frame.render_widget(
            Paragraph::new(detail_lines),
            Rect::new(
                inner.x,
                inner.y + inner.height - detail_height,
                inner.width,
                detail_height,
            ),
        );
    }
}

fn reason_box(canvas: &mut Canvas, frame: &mut Frame, area: Rect, label: &str, reason: &TextField) {
    let width = 64.min(area.width.saturating_sub(4));
    let area = centered(area, width, 6);
    // A long partner name ends in "…" rather than running off the box's border.
    let title = super::factors::clip(
        &format!(" Declines {label}"),
        usize::from(width.saturating_sub(3)),
    );
    let inner = boxed(canvas, frame, area, &format!("{title} "));
    let lines = vec![
        Line::styled(
            "Their reason, in their words (optional):",
            canvas.theme.dim(),
        ),
        Line::raw(reason.text().to_owned()),
        Line::raw(""),
        Line::styled("Enter record the decline    Esc cancel", canvas.theme.dim()),
    ];
    frame.render_widget(Paragraph::new(lines), inner);
    let typed = Span::raw(reason.before_cursor_on_line()).width() as u16;
    canvas.cursor = Some(Position::new(
        (inner.x + typed).min(inner.x + inner.width.saturating_sub(1)),
        inner.y + 1,
    ));
}
