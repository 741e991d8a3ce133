//! The cohort report as one self-contained HTML page: every table with an inline SVG bar chart
//! above it, no JavaScript, no external files, so a service lead can open it offline or paste a
//! section into a board paper. Counts arrive already suppressed (see [`super::privacy`]); a
//! hidden count gets no bar, so a chart never gives away what its table hides.

use std::fmt::Write as _;

use super::render::{Document, Table};
use crate::report::html::escape;

/// Width of the label column of a chart, in SVG units.
const LABEL_WIDTH: usize = 260;
/// The widest bar.
const BAR_WIDTH: usize = 300;
/// Room for the value after the bar.
const VALUE_WIDTH: usize = 60;
/// Height of one row.
const ROW_HEIGHT: usize = 22;

const STYLE: &str = "body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;max-width:52rem;margin:2rem auto;padding:0 1rem;color:#1b1b1b;line-height:1.45}\
h1{font-size:1.6rem}h2{font-size:1.2rem;margin-top:2rem;border-bottom:1px solid #ccc}\
table{border-collapse:collapse;margin:.5rem 0 1rem}th,td{padding:.2rem .6rem;border-bottom:1px solid #e2e2e2}\
th{text-align:left}td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}\
.notice{background:#f3f6fa;border-left:4px solid #4a6fa5;padding:.5rem .8rem}\
svg text{font-size:12px;fill:#1b1b1b}svg rect{fill:#4a6fa5}";

/// Writes the document as an HTML page.
pub fn to_html(document: &Document) -> String {
    let mut out = String::new();
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>{}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n<h1>{}</h1>\n<ul>\n",
        escape(&document.title),
        escape(&document.title)
    );
    for fact in &document.facts {
        let _ = writeln!(out, "<li>{}</li>", escape(fact));
    }
    let _ = writeln!(
        out,
        "</ul>\n<p class=\"notice\">{}</p>",
        escape(&document.notice)
    );
    for (index, section) in document.sections.iter().enumerate() {
        let _ = writeln!(
            out,
            "<section>\n<h2 id=\"s{index}\">{}</h2>",
            escape(&section.title)
        );
        for line in &section.lines {
            let _ = writeln!(out, "<p>{}</p>", escape(line));
        }
        if let Some(table) = &section.table {
            if table.rows.iter().any(|row| row.bar.is_some()) {
                write_chart(&mut out, table, &section.title);
            }
            write_table(&mut out, table);
        }
        let _ = writeln!(out, "</section>");
    }
    out.push_str("</body>\n</html>\n");
    out
}

/// A horizontal bar chart of a table's first count column.
fn write_chart(out: &mut String, table: &Table, title: &str) {
    let width = LABEL_WIDTH + BAR_WIDTH + VALUE_WIDTH;
    let height = table.rows.len() * ROW_HEIGHT + 4;
    let longest = table
        .rows
        .iter()
        .filter_map(|row| row.bar)
        .max()
        .unwrap_or(0);
    let _ = writeln!(
        out,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\" role=\"img\" aria-label=\"{}\">",
        escape(&format!("Bar chart: {title}"))
    );
    for (index, row) in table.rows.iter().enumerate() {
        let top = index * ROW_HEIGHT + 2;
        let middle = top + ROW_HEIGHT / 2 + 4;
        let _ = writeln!(
            out,
            "<text x=\"{}\" y=\"{middle}\" text-anchor=\"end\">{}</text>",
            LABEL_WIDTH - 8,
            escape(&row.label)
        );
        let length = match row.bar {
            Some(value) if value > 0 && longest > 0 => (value * BAR_WIDTH).div_ceil(longest),
            _ => 0,
        };
        if length > 0 {
            let _ = writeln!(
                out,
                "<rect x=\"{LABEL_WIDTH}\" y=\"{}\" width=\"{length}\" height=\"{}\"/>",
                top + 3,
                ROW_HEIGHT - 6
            );
        }
        let shown = row.cells.first().map_or("", String::as_str);
        let _ = writeln!(
            out,
            "<text x=\"{}\" y=\"{middle}\">{}</text>",
            LABEL_WIDTH + length + 6,
            escape(shown)
        );
    }
    out.push_str("</svg>\n");
}

fn write_table(out: &mut String, table: &Table) {
    out.push_str("<table>\n<thead><tr>");
    for (index, heading) in table.headers.iter().enumerate() {
        let class = if index == 0 { "" } else { " class=\"n\"" };
        let _ = write!(out, "<th{class}>{}</th>", escape(heading));
    }
    out.push_str("</tr></thead>\n<tbody>\n");
    for row in &table.rows {
        let _ = write!(out, "<tr><td>{}</td>", escape(&row.label));
        for index in 1..table.headers.len() {
            let cell = row.cells.get(index - 1).map_or("", String::as_str);
            let _ = write!(out, "<td class=\"n\">{}</td>", escape(cell));
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody>\n</table>\n");
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cohort::render::{Row, Section};

    #[test]
    fn hidden_counts_get_no_bar_and_text_is_escaped() {
        let document = Document {
            title: "Report <x>".into(),
            facts: vec!["Store: a&b".into()],
            notice: "n".into(),
            sections: vec![Section {
                title: "Mix".into(),
                lines: Vec::new(),
                table: Some(Table {
                    headers: vec!["Kind".into(), "People".into()],
                    rows: vec![
                        Row {
                            label: "Shown".into(),
                            cells: vec!["12".into()],
                            bar: Some(12),
                        },
                        Row {
                            label: "Hidden".into(),
                            cells: vec!["<5".into()],
                            bar: None,
                        },
                    ],
                }),
            }],
        };
        let html = to_html(&document);
        assert_eq!(html.matches("<rect").count(), 1);
        assert!(html.contains(&format!("width=\"{BAR_WIDTH}\" height")));
        assert!(html.contains("&lt;5"));
        assert!(html.contains("Report &lt;x&gt;"));
        assert!(html.contains("a&amp;b"));
        assert!(!html.contains("<script"));
    }
}
