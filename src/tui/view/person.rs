//! The first step: case id, assessor, time, who the person is and how they came to be assessed.

use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Wrap};
use ratatui::Frame;

use super::{Canvas, FieldValue};
use crate::tui::app::{Field, Target};

/// Where each field's problems are reported.
fn path(field: Field) -> &'static str {
    match field {
        Field::Id => "id",
        Field::AssessedAt => "assessed_at",
        Field::Assessor => "assessor",
        Field::Age => "person.age",
        Field::Dependants => "person.dependants",
        Field::Lives => "person.lives",
        Field::ReferralSource => "context.referral_source",
        Field::SelfCare => "person.self_care",
        Field::Gender => "person.gender",
        Field::Capacity => "capacity.status",
        _ => "",
    }
}

pub(super) fn draw(canvas: &mut Canvas, frame: &mut Frame, area: Rect) {
    let app = canvas.app;
    let theme = canvas.theme;
    let block = Block::bordered().title(Span::styled(" Person and context ", theme.title()));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let vocabulary = app.vocabulary();
    let fields = app.step.fields();
    // Enter names what it does only when nothing is being typed: then it would end the typing.
    let (choose, type_it) = if app.editing {
        ("", "")
    } else {
        (" (Enter to choose)", " (Enter to type)")
    };
    for (index, field) in fields.iter().copied().enumerate() {
        if index as u16 >= inner.height {
            break;
        }
        let row = Rect::new(inner.x, inner.y + index as u16, inner.width, 1);
        canvas.hitmap.add(row, Target::Field(index));
        let focused = app.focus == index;
        let value = match field {
            Field::Lives => match &app.form.lives {
                Some(key) => FieldValue::Chosen(
                    vocabulary
                        .living_situations
                        .get(key)
                        .cloned()
                        .unwrap_or_else(|| key.clone()),
                ),
                None => FieldValue::Empty(format!("not known{choose}")),
            },
            Field::SelfCare => match app.form.self_care {
                Some(value) => FieldValue::Chosen(value.label().to_owned()),
                None => FieldValue::Empty(format!("not known{choose}")),
            },
            Field::Gender => match app.form.gender {
                Some(value) => FieldValue::Chosen(value.label().to_owned()),
                None => FieldValue::Empty(format!("not known{choose}")),
            },
            Field::Capacity => match app.form.capacity {
                Some(value) => FieldValue::Chosen(value.label().to_owned()),
                None => FieldValue::Empty(format!("not recorded{choose}")),
            },
            // While typing "other", the words themselves; otherwise the setting's label.
            Field::Setting if !(focused && app.editing) => match app.form.setting.value() {
                Some(setting) => FieldValue::Chosen(crate::tui::form::setting_label(&setting)),
                None => FieldValue::Empty(format!("not known{choose}")),
            },
            Field::ReferralSource => match &app.form.referral_source {
                Some(key) => FieldValue::Chosen(
                    vocabulary
                        .referral_sources
                        .get(key)
                        .cloned()
                        .unwrap_or_else(|| key.clone()),
                ),
                None => FieldValue::Empty(format!("not known{choose}")),
            },
            _ => match app.text_field(field) {
                Some(text) if text.is_blank() && !(focused && app.editing) => {
                    FieldValue::Empty(match field {
                        Field::Id => format!("never a name{type_it}"),
                        Field::Dependants => "not known".into(),
                        Field::CapacityDecision => format!("the decision{type_it}"),
                        _ => "—".into(),
                    })
                }
                Some(text) => {
                    let problem = app
                        .problems
                        .iter()
                        .find(|problem| !path(field).is_empty() && problem.field == path(field));
                    FieldValue::Text {
                        field: text,
                        editing: focused && app.editing,
                        after: problem.map(|_| Span::styled("  ✗ fix", theme.error())),
                    }
                }
                None => FieldValue::Empty(String::new()),
            },
        };
        canvas.field_row(frame, row, field.label(), 12, value, focused);
    }
    // What the focused field needs, or its problem, under the fields.
    let below = fields.len() as u16 + 1;
    if inner.height <= below {
        return;
    }
    let hint_area = Rect::new(inner.x, inner.y + below, inner.width, inner.height - below);
    let mut lines = Vec::new();
    if let Some(field) = app.field() {
        lines.push(Line::styled(
            match field {
                Field::Id => "The case reference your service issued, e.g. A-2026-0042. Never a name.",
                Field::AssessedAt => "When the assessment took place, e.g. now, today 14:30, yesterday 09:00, 05/12/2026 14:30 (F1 while typing lists every form). Relative dates count from it.",
                Field::Assessor => "Your name or staff reference: required, it names who is accountable. --assessor, SICOL_ASSESSOR or the config file fill it in.",
                Field::Age => "Age in whole years; leave empty if not known.",
                Field::Dependants => "Children or adults the person cares for: 0 if none, empty if not known.",
                Field::SelfCare => "Can the person care for themselves now (eat, drink, wash, keep safe)? Not known is never read as able.",
                Field::Gender => "Only for single-gender services (a women's refuge): not known offers them only with \"confirm eligibility\".",
                Field::Capacity => "Mental capacity for the decision at hand (Mental Capacity Act): has, lacks, or not assessed.",
                Field::CapacityDecision => "The decision capacity was assessed for, e.g. agreeing to treatment at home.",
                Field::Setting if app.editing => "Where the assessment takes place, in your words (Enter when done).",
                Field::Setting => "Where the assessment takes place: a known setting, or other in your words.",
                Field::Lives => "Where the person lives, from the vocabulary.",
                Field::ReferralSource => "Who referred the person, from the vocabulary.",
                _ => "Where the assessment takes place, in your words.",
            },
            theme.dim(),
        ));
        for problem in app
            .problems
            .iter()
            .filter(|p| !path(field).is_empty() && p.field == path(field))
        {
            lines.push(Line::styled(
                format!("✗ {}", problem.message),
                theme.error(),
            ));
            if let Some(hint) = &problem.hint {
                lines.push(Line::raw(format!("  fix: {hint}")));
            }
        }
    }
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: true }), hint_area);
}
