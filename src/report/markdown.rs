//! Writes a [`Document`] as CommonMark, escaping every piece of text so that what a person or a
//! rule wrote can never turn into markup, a link or a broken table.

use std::fmt::Write as _;

use crate::report::document::{Block, Document, Inline, Line};

/// The document as Markdown.
pub fn to_markdown(document: &Document) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "# {}", escape(&document.title));
    for block in &document.blocks {
        out.push('\n');
        match block {
            Block::Heading(level, text) => {
                let hashes = "#".repeat(usize::from((*level).clamp(2, 6)));
                let _ = writeln!(out, "{hashes} {}", escape_at(text, false));
            }
            Block::Paragraph(line) => {
                let _ = writeln!(out, "{}", line_text(line));
            }
            Block::List { ordered, items } => {
                for (index, item) in items.iter().enumerate() {
                    let marker = if *ordered {
                        format!("{}.", index + 1)
                    } else {
                        "-".to_owned()
                    };
                    let _ = writeln!(out, "{marker} {}", line_text(item));
                }
            }
            Block::Table { header, rows } => {
                let cells: Vec<String> = header.iter().map(|cell| escape(cell)).collect();
                let _ = writeln!(out, "| {} |", cells.join(" | "));
                let _ = writeln!(out, "|{}|", vec![" --- "; header.len()].join("|"));
                for row in rows {
                    let cells: Vec<String> = row.iter().map(line_text).collect();
                    let _ = writeln!(out, "| {} |", cells.join(" | "));
                }
            }
            Block::Quote(text) => {
                for line in text.lines() {
                    let _ = writeln!(out, "> {}", escape(line));
                }
            }
        }
    }
    out
}

fn line_text(line: &Line) -> String {
    line.0
        .iter()
        .enumerate()
        .map(|(index, inline)| match inline {
            Inline::Text(text) => escape_at(text, index == 0),
            Inline::Strong(text) => format!("**{}**", escape_at(text, false)),
            Inline::Code(text) => code(text),
        })
        .collect()
}

/// Escapes Markdown punctuation that could start markup and folds line breaks, so text stays
/// text inside any block, including a table cell. Punctuation that cannot start markup where it
/// stands (an underscore inside a word, `&` not starting an entity) is left alone for readability.
pub fn escape(text: &str) -> String {
    escape_at(text, true)
}

/// [`escape`] for text that may or may not begin a line; only line starts can open a block.
fn escape_at(text: &str, line_start: bool) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    for (index, &c) in chars.iter().enumerate() {
        let before = index.checked_sub(1).map(|i| chars[i]);
        let after = chars.get(index + 1).copied();
        let escape = match c {
            '\\' | '`' | '*' | '[' | ']' | '<' | '|' | '~' => true,
            // Intraword underscores never make emphasis (CommonMark 6.2).
            '_' => {
                !(before.is_some_and(char::is_alphanumeric)
                    && after.is_some_and(char::is_alphanumeric))
            }
            '!' => after == Some('['),
            '&' => starts_entity(&chars[index + 1..]),
            '#' | '>' | '+' | '-' | '=' => line_start && index == 0,
            _ => false,
        };
        match c {
            '\n' | '\r' => out.push(' '),
            _ => {
                if escape {
                    out.push('\\');
                }
                out.push(c);
            }
        }
    }
    // A line starting "12. " or "12) " would become a numbered list.
    let digits = out.chars().take_while(char::is_ascii_digit).count();
    let mut rest = out[digits..].chars();
    if line_start
        && digits > 0
        && matches!(rest.next(), Some('.' | ')'))
        && rest.next().is_none_or(|c| c == ' ')
    {
        out.insert(digits, '\\');
    }
    out
}

/// Whether text after `&` reads as an HTML entity such as `amp;` or `#39;`.
fn starts_entity(rest: &[char]) -> bool {
    let name = rest
        .iter()
        .take_while(|c| c.is_ascii_alphanumeric() || **c == '#')
        .count();
    name > 0 && rest.get(name) == Some(&';')
}

/// A code span long enough to hold any backticks in the text; pipes escaped for tables.
fn code(text: &str) -> String {
    let text = text.replace(['\n', '\r'], " ").replace('|', "\\|");
    let longest_run = text.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let fence = "`".repeat(longest_run + 1);
    if text.starts_with('`') || text.ends_with('`') {
        format!("{fence} {text} {fence}")
    } else {
        format!("{fence}{text}{fence}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_cannot_become_markup() {
        assert_eq!(
            escape("a *b* [link](x) <script> | c\nd"),
            "a \\*b\\* \\[link\\](x) \\<script> \\| c d"
        );
        assert_eq!(escape("same_day and _x_"), "same_day and \\_x\\_");
        assert_eq!(escape("A&E &amp;"), "A&E \\&amp;");
        assert_eq!(escape("# 1. not a heading"), "\\# 1. not a heading");
        assert_eq!(escape("1. not a list"), "1\\. not a list");
        assert_eq!(escape("- not a list"), "\\- not a list");
        assert_eq!(escape("3.6"), "3.6");
        assert_eq!(escape_at("- x", false), "- x");
        assert_eq!(code("housing.eviction"), "`housing.eviction`");
        assert_eq!(code("a`b"), "``a`b``");
    }

    #[test]
    fn tables_keep_their_shape() {
        let document = Document {
            title: "T".into(),
            blocks: vec![Block::Table {
                header: vec!["a".into(), "b".into()],
                rows: vec![vec![Line::text("x | y"), Line::default().code("r|s")]],
            }],
        };
        assert_eq!(
            to_markdown(&document),
            "# T\n\n| a | b |\n| --- | --- |\n| x \\| y | `r\\|s` |\n"
        );
    }
}
