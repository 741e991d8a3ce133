//! The last step: what will be saved — who is accountable, the risk, the recommendation and who
//! leads, the decision, and the person's "what happens next" — what still needs fixing (each
//! problem with its field and a plain fix), and whether it is saved already.

use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Wrap};
use ratatui::Frame;

use super::Canvas;
use crate::referrals::next_steps;
use crate::tui::app::{answer_word, plural};
use crate::tui::form::field_words;

pub(super) fn draw(canvas: &mut Canvas, frame: &mut Frame, area: Rect) {
    let app = canvas.app;
    let theme = canvas.theme;
    let block = Block::bordered().title(Span::styled(" Review and save ", theme.title()));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let assessment = app.assessment();
    // The plan as it stands after the person's choices (declines re-routed).
    let formulation = &app.plan;
    let mut lines = Vec::new();
    // Saved and unchanged: say so first, so nobody presses Enter expecting a save.
    match (&app.saved, app.dirty) {
        (Some(saved), false) => {
            lines.push(Line::styled(
                format!("✓ Saved: {}", saved.describe()),
                theme.good(),
            ));
            lines.push(Line::styled(
                "Enter does not save again. Change something to save a revision that supersedes it.",
                theme.dim(),
            ));
            lines.push(Line::raw(""));
        }
        (Some(saved), true) => {
            lines.push(Line::styled(
                format!(
                    "Changed since it was saved ({}): saving writes a revision that supersedes it.",
                    saved.describe()
                ),
                theme.title(),
            ));
            lines.push(Line::raw(""));
        }
        (None, _) => {}
    }
    lines.push(Line::raw(format!(
        "Case {}  ·  {}",
        if assessment.id.is_empty() {
            "(no id)"
        } else {
            &assessment.id
        },
        assessment.assessed_at.format("%d/%m/%Y %H:%M %:z")
    )));
    lines.push(match &assessment.assessor {
        Some(assessor) => Line::raw(format!("Assessor {assessor}")),
        None => Line::styled("Assessor: not given (required)", theme.error()),
    });
    let risk = match &formulation.risk {
        Some(risk) => format!(
            "Risk {} ({}): {}",
            risk.level.label(),
            risk.triage_code,
            risk.descriptor
        ),
        None => "Risk: no mental-health risk recorded".to_owned(),
    };
    lines.push(Line::raw(risk));
    lines.push(Line::raw(format!(
        "Recommendation: {}",
        formulation.recommendation_label
    )));
    lines.push(Line::raw(match &formulation.lead_coordinator {
        Some(lead) if lead.clinical => format!(
            "Lead: {} (clinical; the social partners work alongside)",
            lead.name
        ),
        Some(lead) => format!("Lead: {}", lead.name),
        None => "Lead: none in the plan can coordinate; you stay the person's contact".to_owned(),
    }));
    // Every gap the formulation reports, beside the referral it concerns: what the plan does
    // not cover is the AMHP's to arrange before the person leaves.
    if !formulation.gaps.is_empty() {
        lines.push(Line::styled(
            format!(
                "{} to arrange yourself:",
                plural(formulation.gaps.len(), "gap")
            ),
            theme.error(),
        ));
        for gap in &formulation.gaps {
            let referral = gap
                .referred_to
                .as_deref()
                .and_then(|partner| app.offers.iter().find(|offer| offer.key == partner))
                .map_or("no partner".to_owned(), |offer| offer.name.clone());
            lines.push(Line::raw(format!(
                "⚠ {} ({referral}): {}",
                app.vocabulary().label(&gap.category),
                gap.message
            )));
        }
    }
    let undecided = app
        .offers
        .iter()
        .filter(|offer| app.choices.get(&offer.key).is_none())
        .count();
    lines.push(Line::raw(format!(
        "{}, {}, {}; {} offered, {} still to discuss",
        plural(assessment.stressors.len(), "stressor"),
        plural(assessment.medical.len(), "medical factor"),
        plural(assessment.strengths.len(), "strength"),
        plural(app.offers.len(), "referral"),
        undecided
    )));
    lines.push(match app.form.mha_decision() {
        Some(decision) => Line::raw(format!(
            "Decision: {}; agreed to the plan: {}",
            decision.outcome.label(),
            answer_word(decision.agreed_to_plan)
        )),
        None => Line::styled(
            "Decision under the MHA: not recorded yet (Decision step)",
            theme.dim(),
        ),
    });
    lines.push(Line::raw(""));
    if app.problems.is_empty() {
        if app.saved.is_none() || app.dirty {
            let what = if app.saved.is_some() {
                "Ready to save the revision: press Enter (or Ctrl-S anywhere)."
            } else {
                "Ready to save: press Enter (or Ctrl-S anywhere)."
            };
            lines.push(Line::styled(what, theme.good()));
            lines.push(Line::styled(
                "Saving never overwrites an earlier record; the draft is removed once saved.",
                theme.dim(),
            ));
        }
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
                field_words(&problem.field),
                problem.message
            )));
            if let Some(hint) = &problem.hint {
                lines.push(Line::styled(format!("  fix: {hint}"), theme.dim()));
            }
        }
    }
    lines.push(Line::raw(""));
    lines.push(Line::styled(
        "What happens next (to read with the person):",
        theme.title(),
    ));
    for step in next_steps(formulation, &app.choices, app.vocabulary()) {
        lines.push(Line::raw(format!("• {step}")));
    }
    // What runs past the bottom is said to be there (never a silent cut); ↑↓ scroll to it.
    // ratatui counts the rows its own wrapping takes, so the count cannot disagree with the
    // drawing.
    let paragraph = Paragraph::new(lines).wrap(Wrap { trim: false });
    let needed = u16::try_from(paragraph.line_count(inner.width)).unwrap_or(u16::MAX);
    let more = needed > inner.height.saturating_add(app.scroll) && inner.height > 1;
    let shown = Rect {
        height: inner.height - u16::from(more),
        ..inner
    };
    frame.render_widget(paragraph.scroll((app.scroll, 0)), shown);
    if more {
        frame.render_widget(
            Paragraph::new(Line::styled(
                "▼ more below (what happens next): ↓ scrolls",
                theme.title(),
            )),
            Rect::new(inner.x, inner.y + inner.height - 1, inner.width, 1),
        );
    }
}
