//! The cohort report as a document: sections of sentences and tables, built once from the
//! figures with every count already suppressed or not for its audience, then written as text
//! (optionally with terminal bar charts), Markdown, or HTML (see [`super::html`]). JSON is the
//! figures themselves.
//!
//! Pure and deterministic: the same figures give the same bytes; nothing reads a clock.

use std::fmt::Write as _;
use std::str::FromStr;

use serde::Serialize;

use crate::model::{Balance, MhaOutcome, Urgency, Vocabulary};

use super::figures::{CohortFigures, DecisionTally, UNKNOWN};
use super::privacy::{Audience, Cell, THRESHOLD};

/// The report's output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ReportFormat {
    /// Plain text for the terminal; exact counts (internal use).
    Text,
    /// Markdown for a board paper; counts below 5 suppressed.
    Markdown,
    /// A self-contained HTML page with inline SVG bar charts; counts below 5 suppressed.
    Html,
    /// The figures as JSON for further processing; exact counts (internal use).
    Json,
}

impl ReportFormat {
    /// Who the format is for: text and JSON stay on the machine, Markdown and HTML are published.
    pub fn audience(self) -> Audience {
        match self {
            ReportFormat::Text | ReportFormat::Json => Audience::Internal,
            ReportFormat::Markdown | ReportFormat::Html => Audience::Published,
        }
    }
}

/// What the report is about and how much it shows.
#[derive(Debug, Clone)]
pub struct ReportOptions<'a> {
    /// The store as the user named it.
    pub source: &'a str,
    /// How many stressors and pairs of stressors to list.
    pub top: usize,
    /// Draw bar charts in the text format.
    pub chart: bool,
}

pub use super::document::{Document, Row, Section, Table};

/// Builds the report's document from the figures for an audience.
pub fn document(
    figures: &CohortFigures,
    vocabulary: &Vocabulary,
    audience: Audience,
    options: &ReportOptions<'_>,
) -> Document {
    let show = |count: usize| audience.cell(count).text();
    let noun_for = |count: usize| people_noun(audience.cell(count));
    let people = figures.people;
    let mut facts = vec![format!("Store: {}", options.source)];
    facts.push(match (figures.window.from, figures.window.to) {
        (None, None) => "Assessments: all dates".to_owned(),
        (Some(from), None) => format!("Assessments: from {from}"),
        (None, Some(to)) => format!("Assessments: up to {to}"),
        (Some(from), Some(to)) => format!("Assessments: {from} to {to}"),
    });
    let (records, kinds) = audience.partition(
        figures.records,
        // The unreadable are few and usually none (then unsaid), so they go with follow-ups.
        &[
            figures.assessment_records,
            figures.follow_up_records + figures.status_records + figures.unreadable.len(),
        ],
    );
    if figures.status_records == 0 {
        let follow_ups = match kinds[1] {
            Cell::Exact(_) => audience.cell(figures.follow_up_records),
            hidden => hidden,
        };
        facts.push(format!(
            "Records read: {} ({} assessments, {} follow-ups)",
            records.text(),
            kinds[0].text(),
            follow_ups.text()
        ));
    } else {
        let others = audience.split(
            kinds[1],
            &[
                figures.follow_up_records,
                figures.status_records + figures.unreadable.len(),
            ],
        );
        let statuses = match others[1] {
            Cell::Exact(_) => audience.cell(figures.status_records),
            hidden => hidden,
        };
        facts.push(format!(
            "Records read: {} ({} assessments, {} follow-ups, {} referral statuses)",
            records.text(),
            kinds[0].text(),
            others[0].text(),
            statuses.text()
        ));
    }
    facts.push(format!(
        "Set aside: {} revised by a later record, {} earlier assessments of a person assessed again, {} outside the dates",
        show(figures.superseded),
        show(figures.earlier_assessments),
        show(figures.outside_window)
    ));
    if figures.people_incomplete > 0 {
        facts.push(format!(
            "Incomplete formulations: {} {} (a rule failed when their current formulation was made, so its urgency and referrals may be too low; replay them once the rules are fixed)",
            show(figures.people_incomplete),
            noun_for(figures.people_incomplete)
        ));
    }
    if !figures.unreadable.is_empty() {
        let mut line = format!(
            "Not counted: {} records that could not be read",
            show(figures.unreadable.len())
        );
        if audience == Audience::Internal {
            let list: Vec<String> = figures
                .unreadable
                .iter()
                .map(|(id, why)| format!("{id} ({why})"))
                .collect();
            let _ = write!(line, ": {}", list.join("; "));
        }
        facts.push(line);
    }
    let notice = match audience {
        Audience::Published => format!(
            "Counts below {THRESHOLD} are shown as <{THRESHOLD}, and where a hidden count could be worked out from a total, one more count is withheld as [c], so that nobody in a small group can be identified."
        ),
        Audience::Internal => format!(
            "Exact counts, for internal use only. To publish, use --format markdown or html, which show counts below {THRESHOLD} as <{THRESHOLD}."
        ),
    };

    let mut sections = vec![Section {
        title: "People assessed".to_owned(),
        lines: vec![format!(
            "{} {} assessed: each person (case id) counted once, with their current assessment.",
            show(people),
            noun_for(people)
        )],
        table: None,
    }];
    sections.push(Section {
        title: "Balance of social and medical factors".to_owned(),
        lines: Vec::new(),
        table: Some(mix_table(
            "Balance",
            &figures.balance,
            people,
            audience,
            balance_label,
        )),
    });
    sections.push(Section {
        title: "Urgency (UK Mental Health Triage Scale)".to_owned(),
        lines: Vec::new(),
        table: Some(mix_table(
            "Urgency",
            &figures.urgency,
            people,
            audience,
            urgency_label,
        )),
    });

    let stressor_rows: Vec<Row> = figures
        .stressors
        .iter()
        .take(options.top)
        .map(|tally| {
            count_row(
                vocabulary.label(&tally.key),
                audience.share(tally.count, people),
                people,
            )
        })
        .collect();
    sections.push(Section {
        title: "Top stressors".to_owned(),
        lines: vec![format!(
            "People with each social stressor recorded at assessment (a person can have several); the {} most common of {} kinds recorded.",
            stressor_rows.len(),
            figures.stressors.len()
        )],
        table: non_empty(
            vec!["Stressor", "People", "% of people"],
            ranked(stressor_rows, audience),
        ),
    });
    let pair_rows: Vec<Row> = figures
        .stressor_pairs
        .iter()
        .take(options.top)
        .map(|pair| {
            count_row(
                &format!(
                    "{} + {}",
                    vocabulary.label(&pair.first),
                    vocabulary.label(&pair.second)
                ),
                audience.share(pair.count, people),
                people,
            )
        })
        .collect();
    sections.push(Section {
        title: "Top stressor combinations".to_owned(),
        lines: vec!["People with both stressors of a pair recorded at assessment.".to_owned()],
        table: non_empty(
            vec!["Stressors", "People", "% of people"],
            ranked(pair_rows, audience),
        ),
    });

    sections.push(Section {
        title: "Referrals by category".to_owned(),
        lines: vec![format!(
            "{} offered at least one referral. A referral covering two categories counts in each.",
            people_were(
                audience.share(figures.people_referred, people),
                "was",
                "were"
            )
        )],
        table: decision_table(
            "Category",
            &figures.referrals_by_category,
            people,
            audience,
            |key| vocabulary.label(key).to_owned(),
        ),
    });
    let partner_lines = if figures.referrals_by_partner.is_empty() {
        vec!["No partner-resolved referrals in these records: records made before partners were resolved list their needs by category only.".to_owned()]
    } else {
        Vec::new()
    };
    sections.push(Section {
        title: "Referrals by partner".to_owned(),
        lines: partner_lines,
        table: decision_table(
            "Partner",
            &figures.referrals_by_partner,
            people,
            audience,
            str::to_owned,
        ),
    });

    let gap_rows: Vec<Row> = figures
        .gaps
        .iter()
        .map(|gap| {
            let people_cell = audience.share(gap.people, people);
            let unmet = audience.split(people_cell, &[gap.unmet, gap.people - gap.unmet])[0];
            Row {
                label: vocabulary.label(&gap.category).to_owned(),
                cells: vec![people_cell.text(), unmet.text()],
                bar: people_cell.value(),
            }
        })
        .collect();
    sections.push(Section {
        title: "Gaps".to_owned(),
        lines: vec![format!(
            "{} a need that no partner could take as asked (no partner, none eligible, or none able to act in time).",
            people_were(audience.share(figures.people_with_gaps, people), "had", "had")
        )],
        table: non_empty(
            vec!["Category", "People", "Of whom no referral at all"],
            ranked(gap_rows, audience),
        ),
    });

    sections.extend(outcomes_sections(figures, vocabulary, audience));
    sections.extend(super::referral_loop::section(
        &figures.referral_loop,
        figures.status_records,
        audience,
    ));
    // Only once decisions are recorded, so reports of older stores read as before.
    if figures.mha_decisions.recorded > 0 {
        sections.push(mha_section(figures, audience));
    }
    Document {
        title: "Cohort report".to_owned(),
        facts,
        notice,
        sections,
    }
}

fn outcomes_sections(
    figures: &CohortFigures,
    vocabulary: &Vocabulary,
    audience: Audience,
) -> [Section; 2] {
    let outcomes = &figures.outcomes;
    let followed = audience.share(outcomes.followed_up, figures.people);
    let parts = audience.split(followed, &[outcomes.not_admitted, outcomes.admitted]);
    let median = match (
        outcomes.median_days_to_follow_up,
        audience == Audience::Published && outcomes.followed_up < THRESHOLD,
    ) {
        (None, _) => "Median time from assessment to follow-up: no follow-ups yet.".to_owned(),
        (Some(_), true) => format!(
            "Median time from assessment to follow-up: withheld (fewer than {THRESHOLD} people followed up)."
        ),
        (Some(days), false) => format!(
            "Median time from assessment to follow-up: {} days.",
            format_days(days)
        ),
    };
    let admissions = Section {
        title: "Outcomes".to_owned(),
        lines: vec![
            format!(
                "{} of {} {} followed up. Admissions avoided: people followed up who were not admitted to a psychiatric bed.",
                followed.text(),
                audience.cell(figures.people).text(),
                people_noun(audience.cell(figures.people))
            ),
            median,
        ],
        table: Some(Table {
            headers: strings(&["Outcome", "People", "% of followed up"]),
            rows: vec![
                part_row("Not admitted (admission avoided)", parts[0], followed),
                part_row("Admitted to a psychiatric bed", parts[1], followed),
            ],
        }),
    };

    let recorded = audience.cell(outcomes.issues_recorded);
    let resolved = audience.split(
        recorded,
        &[
            outcomes.issues_resolved,
            outcomes.issues_recorded - outcomes.issues_resolved,
        ],
    )[0];
    let people_resolved = audience.split(
        followed,
        &[
            outcomes.people_with_issues_resolved,
            outcomes.followed_up - outcomes.people_with_issues_resolved,
        ],
    )[0];
    let rows: Vec<Row> = outcomes
        .by_kind
        .iter()
        .map(|tally| {
            let recorded = audience.cell(tally.recorded);
            let resolved =
                audience.split(recorded, &[tally.resolved, tally.recorded - tally.resolved])[0];
            Row {
                label: vocabulary.label(&tally.key).to_owned(),
                cells: vec![
                    resolved.text(),
                    recorded.text(),
                    percent(resolved, recorded),
                ],
                bar: resolved.value(),
            }
        })
        .collect();
    let issues = Section {
        title: "Social issues resolved".to_owned(),
        lines: vec![format!(
            "{} of {} social issues recorded at assessment were resolved by follow-up, among the people followed up; {} at least one resolved.",
            resolved.text(),
            recorded.text(),
            people_were(people_resolved, "had", "had")
        )],
        table: non_empty(
            vec!["Stressor", "Resolved", "Recorded", "% resolved"],
            ranked(rows, audience),
        ),
    };
    [admissions, issues]
}

/// Decisions under the Mental Health Act: counts by outcome and admissions avoided, with the same
/// small-count suppression as every other table.
fn mha_section(figures: &CohortFigures, audience: Audience) -> Section {
    let decisions = &figures.mha_decisions;
    let recorded = audience.share(decisions.recorded, figures.people);
    let counts: Vec<usize> = decisions
        .by_outcome
        .iter()
        .map(|tally| tally.count)
        .collect();
    let parts = audience.split(recorded, &counts);
    let rows = decisions
        .by_outcome
        .iter()
        .zip(parts)
        .map(|(tally, cell)| {
            let label = tally
                .key
                .parse::<MhaOutcome>()
                .map_or_else(|_| tally.key.clone(), |outcome| outcome.label().to_owned());
            part_row(&label, cell, recorded)
        })
        .collect();
    let kinds = audience.split(
        recorded,
        &[
            decisions.admissions_avoided,
            decisions.admitted,
            decisions.other,
        ],
    );
    let agreement = audience.split(
        recorded,
        &[
            decisions.agreed_to_plan,
            decisions.did_not_agree,
            decisions.recorded - decisions.agreed_to_plan - decisions.did_not_agree,
        ],
    );
    Section {
        title: "Decisions under the Mental Health Act".to_owned(),
        lines: vec![
            format!(
                "{} of {} the assessment's decision recorded.",
                recorded.text(),
                people_were(audience.cell(figures.people), "has", "have")
            ),
            format!(
                "Admissions avoided by the decision (no detention, or a section 136 ended without detention): {}; admitted (informal admission or detained): {}; other: {}.",
                kinds[0].text(),
                kinds[1].text(),
                kinds[2].text()
            ),
            format!(
                "The person agreed to the plan: {}; did not agree: {}; not recorded: {}.",
                agreement[0].text(),
                agreement[1].text(),
                agreement[2].text()
            ),
        ],
        table: Some(Table {
            headers: strings(&["Decision", "People", "% of recorded"]),
            rows,
        }),
    }
}

fn format_days(days: f64) -> String {
    if days.fract() == 0.0 {
        format!("{days:.0}")
    } else {
        format!("{days:.1}")
    }
}

fn balance_label(key: &str) -> String {
    match Balance::from_str(key) {
        Ok(Balance::SocialLed) => "Social-led".to_owned(),
        Ok(Balance::Mixed) => "Mixed".to_owned(),
        Ok(Balance::MedicalLed) => "Medical-led".to_owned(),
        Err(_) if key == UNKNOWN => "Not recorded".to_owned(),
        Err(_) => key.to_owned(),
    }
}

fn urgency_label(key: &str) -> String {
    match Urgency::from_str(key) {
        Ok(level) => format!("{} ({})", level.label(), level.triage_code()),
        Err(_) if key == UNKNOWN => "Not recorded".to_owned(),
        Err(_) => key.to_owned(),
    }
}

/// A table of a mix: people split by one field, adding up to everyone.
fn mix_table(
    heading: &str,
    tallies: &[super::figures::Tally],
    people: usize,
    audience: Audience,
    label: impl Fn(&str) -> String,
) -> Table {
    let counts: Vec<usize> = tallies.iter().map(|tally| tally.count).collect();
    let (total, cells) = audience.partition(people, &counts);
    Table {
        headers: strings(&[heading, "People", "%"]),
        rows: tallies
            .iter()
            .zip(cells)
            .map(|(tally, cell)| part_row(&label(&tally.key), cell, total))
            .collect(),
    }
}

/// A row of a count and its share of a total.
/// "person" for exactly one, else "people" (a hidden count such as "<10" stays plural).
fn people_noun(cell: Cell) -> &'static str {
    match cell {
        Cell::Exact(1) => "person",
        _ => "people",
    }
}

/// "1 person was", "12 people were", "<10 people were": the count, its noun and a verb that agree.
fn people_were(cell: Cell, singular: &str, plural: &str) -> String {
    let verb = if cell == Cell::Exact(1) {
        singular
    } else {
        plural
    };
    format!("{} {} {verb}", cell.text(), people_noun(cell))
}

fn part_row(label: &str, cell: Cell, total: Cell) -> Row {
    Row {
        label: label.to_owned(),
        cells: vec![cell.text(), percent(cell, total)],
        bar: cell.value(),
    }
}

/// A row of a count and its share of everyone assessed.
fn count_row(label: &str, cell: Cell, people: usize) -> Row {
    part_row(label, cell, Cell::Exact(people))
}

fn percent(part: Cell, total: Cell) -> String {
    match (part.value(), total.value()) {
        (Some(part), Some(total)) if total > 0 => {
            format!("{}%", (part as f64 * 100.0 / total as f64).round())
        }
        _ => String::new(),
    }
}

fn decision_table(
    heading: &str,
    tallies: &[DecisionTally],
    people: usize,
    audience: Audience,
    label: impl Fn(&str) -> String,
) -> Option<Table> {
    let rows = tallies
        .iter()
        .map(|tally| {
            // Nearly always one referral per person under a key: treat the rest as people too.
            let offered = audience.share(tally.offered, people);
            let parts = audience.split(offered, &tally.parts());
            let mut cells = vec![offered.text()];
            cells.extend(parts.iter().map(|cell| cell.text()));
            Row {
                label: label(&tally.key),
                cells,
                bar: offered.value(),
            }
        })
        .collect();
    let rows = ranked(rows, audience);
    non_empty(
        vec![
            heading,
            "Offered",
            "Accepted",
            "Declined",
            "Deferred",
            "No choice yet",
        ],
        rows,
    )
}

/// In a published ranking, rows whose count is hidden go last in alphabetical order, so their
/// order does not rank the hidden counts.
fn ranked(rows: Vec<Row>, audience: Audience) -> Vec<Row> {
    if audience == Audience::Internal {
        return rows;
    }
    let (mut shown, mut hidden): (Vec<Row>, Vec<Row>) =
        rows.into_iter().partition(|row| row.bar.is_some());
    hidden.sort_by(|a, b| a.label.cmp(&b.label));
    shown.append(&mut hidden);
    shown
}

fn non_empty(headers: Vec<&str>, rows: Vec<Row>) -> Option<Table> {
    (!rows.is_empty()).then(|| Table {
        headers: strings(&headers),
        rows,
    })
}

fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|item| (*item).to_owned()).collect()
}

/// The widest a text bar gets, in characters.
const TEXT_BAR_WIDTH: usize = 30;

/// Writes the document as plain text; with `chart`, each table row gets a bar.
pub fn to_text(document: &Document, chart: bool) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{}", document.title.to_uppercase());
    for fact in &document.facts {
        let _ = writeln!(out, "{fact}");
    }
    let _ = writeln!(out, "{}", document.notice);
    for section in &document.sections {
        let _ = writeln!(out, "\n{}", section.title);
        let _ = writeln!(out, "{}", "-".repeat(section.title.chars().count()));
        for line in &section.lines {
            let _ = writeln!(out, "{line}");
        }
        if let Some(table) = &section.table {
            write_text_table(&mut out, table, chart);
        }
    }
    out
}

fn write_text_table(out: &mut String, table: &Table, chart: bool) {
    let columns = table.headers.len();
    let mut widths: Vec<usize> = table.headers.iter().map(|h| h.chars().count()).collect();
    for row in &table.rows {
        widths[0] = widths[0].max(row.label.chars().count());
        for (index, cell) in row.cells.iter().enumerate().take(columns - 1) {
            widths[index + 1] = widths[index + 1].max(cell.chars().count());
        }
    }
    let longest = table
        .rows
        .iter()
        .filter_map(|row| row.bar)
        .max()
        .unwrap_or(0);
    let mut header = format!("  {:<width$}", table.headers[0], width = widths[0]);
    for (index, heading) in table.headers.iter().enumerate().skip(1) {
        let _ = write!(header, "  {heading:>width$}", width = widths[index]);
    }
    let _ = writeln!(out, "{}", header.trim_end());
    for row in &table.rows {
        let mut line = format!("  {:<width$}", row.label, width = widths[0]);
        for (index, width) in widths.iter().enumerate().skip(1) {
            let cell = row.cells.get(index - 1).map_or("", String::as_str);
            let _ = write!(line, "  {cell:>width$}");
        }
        if chart {
            let _ = write!(line, "  {}", text_bar(row.bar, longest));
        }
        let _ = writeln!(out, "{}", line.trim_end());
    }
}

/// A bar of full blocks scaled to the longest in its table; a non-zero count always shows one.
fn text_bar(value: Option<usize>, longest: usize) -> String {
    match value {
        Some(value) if value > 0 && longest > 0 => {
            let length = (value * TEXT_BAR_WIDTH).div_ceil(longest).max(1);
            "█".repeat(length.min(TEXT_BAR_WIDTH))
        }
        _ => String::new(),
    }
}

/// Writes the document as Markdown (GitHub tables, numbers right-aligned).
pub fn to_markdown(document: &Document) -> String {
    let mut blocks: Vec<String> = vec![format!("# {}", markdown_text(&document.title))];
    let facts: Vec<String> = document
        .facts
        .iter()
        .map(|fact| format!("- {}", markdown_text(fact)))
        .collect();
    blocks.push(facts.join("\n"));
    blocks.push(format!("> {}", markdown_text(&document.notice)));
    for section in &document.sections {
        blocks.push(format!("## {}", markdown_text(&section.title)));
        blocks.extend(section.lines.iter().map(|line| markdown_text(line)));
        if let Some(table) = &section.table {
            let headers: Vec<String> = table.headers.iter().map(|h| markdown_text(h)).collect();
            let rule: Vec<&str> = (0..headers.len())
                .map(|index| if index == 0 { "---" } else { "---:" })
                .collect();
            let mut lines = vec![
                format!("| {} |", headers.join(" | ")),
                format!("| {} |", rule.join(" | ")),
            ];
            for row in &table.rows {
                let mut cells = vec![markdown_text(&row.label)];
                cells.extend(row.cells.iter().map(|cell| markdown_text(cell)));
                cells.resize(headers.len(), String::new());
                lines.push(format!("| {} |", cells.join(" | ")));
            }
            blocks.push(lines.join("\n"));
        }
    }
    let mut out = blocks.join("\n\n");
    out.push('\n');
    out
}

/// Escapes what would break a table or start Markdown markup. `<` only before a letter, `/` or
/// `!` (an HTML tag), so that "<5" stays readable in the source of the paper too.
fn markdown_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        let starts_tag = c == '<'
            && chars
                .peek()
                .is_some_and(|next| next.is_ascii_alphabetic() || matches!(next, '/' | '!'));
        if starts_tag || matches!(c, '|' | '\\' | '*' | '_' | '`') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// The JSON output: the exact figures with a note on what they are.
#[derive(Debug, Serialize)]
pub struct JsonReport<'a> {
    /// How the counts are shown.
    pub notice: &'a str,
    /// The store as the user named it.
    pub source: &'a str,
    /// The figures.
    pub figures: &'a CohortFigures,
}

/// Writes the exact figures as pretty JSON.
pub fn to_json(figures: &CohortFigures, source: &str) -> String {
    let report = JsonReport {
        notice: "exact counts, for internal use only: not for publication (DESIGN §7)",
        source,
        figures,
    };
    let mut text = serde_json::to_string_pretty(&report).unwrap_or_default();
    text.push('\n');
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_person_is_a_person() {
        assert_eq!(people_were(Cell::Exact(1), "was", "were"), "1 person was");
        assert_eq!(people_were(Cell::Exact(2), "was", "were"), "2 people were");
        assert_eq!(
            people_were(Cell::Suppressed, "was", "were"),
            "<5 people were"
        );
    }

    #[test]
    fn bars_scale_to_the_longest_and_hidden_counts_have_none() {
        assert_eq!(text_bar(Some(10), 10).chars().count(), TEXT_BAR_WIDTH);
        assert_eq!(text_bar(Some(1), 1000).chars().count(), 1);
        assert_eq!(text_bar(Some(0), 10), "");
        assert_eq!(text_bar(None, 10), "");
    }

    #[test]
    fn markdown_escapes_what_would_become_markup() {
        assert_eq!(markdown_text("<5 | a_b <b>"), "<5 \\| a\\_b \\<b>");
    }

    #[test]
    fn percentages_need_both_counts_shown() {
        assert_eq!(percent(Cell::Exact(1), Cell::Exact(3)), "33%");
        assert_eq!(percent(Cell::Suppressed, Cell::Exact(30)), "");
        assert_eq!(percent(Cell::Exact(6), Cell::Withheld), "");
        assert_eq!(percent(Cell::Exact(0), Cell::Exact(0)), "");
    }
}
