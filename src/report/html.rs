//! Writes a [`Document`] as one self-contained HTML page: inline CSS for screen and print, no
//! scripts, no external resources, every piece of text escaped.

use std::fmt::Write as _;

use crate::report::document::{Block, Document, Inline, Line};

const STYLE: &str = "body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;line-height:1.45;color:#111;max-width:60rem;margin:2rem auto;padding:0 1rem}\
h1{font-size:1.6rem;border-bottom:2px solid #333;padding-bottom:.3rem}\
h2{font-size:1.25rem;margin-top:2rem;border-bottom:1px solid #999}\
h3{font-size:1.05rem;margin-bottom:.3rem}\
table{border-collapse:collapse;width:100%;margin:.5rem 0;font-size:.92rem}\
th,td{border:1px solid #999;padding:.3rem .5rem;text-align:left;vertical-align:top}\
th{background:#eee}\
code{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:.88em;background:#f3f3f3;padding:0 .2em}\
blockquote{margin:.5rem 0;padding:.3rem 1rem;border-left:4px solid #666;background:#f7f7f7}\
@media print{body{margin:0;max-width:none}h2{break-after:avoid}tr{break-inside:avoid}}";

/// The document as a complete HTML page.
pub fn to_html(document: &Document) -> String {
    let mut out = String::new();
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n<main>\n<h1>{}</h1>\n",
        escape(&document.title),
        escape(&document.title)
    );
    for block in &document.blocks {
        match block {
            Block::Heading(level, text) => {
                let level = (*level).clamp(2, 6);
                let _ = writeln!(out, "<h{level}>{}</h{level}>", escape(text));
            }
            Block::Paragraph(line) => {
                let _ = writeln!(out, "<p>{}</p>", line_html(line));
            }
            Block::List { ordered, items } => {
                let tag = if *ordered { "ol" } else { "ul" };
                let _ = writeln!(out, "<{tag}>");
                for item in items {
                    let _ = writeln!(out, "<li>{}</li>", line_html(item));
                }
                let _ = writeln!(out, "</{tag}>");
            }
            Block::Table { header, rows } => {
                out.push_str("<table>\n<thead><tr>");
                for cell in header {
                    let _ = write!(out, "<th scope=\"col\">{}</th>", escape(cell));
                }
                out.push_str("</tr></thead>\n<tbody>\n");
                for row in rows {
                    out.push_str("<tr>");
                    for cell in row {
                        let _ = write!(out, "<td>{}</td>", line_html(cell));
                    }
                    out.push_str("</tr>\n");
                }
                out.push_str("</tbody>\n</table>\n");
            }
            Block::Quote(text) => {
                let lines: Vec<String> = text.lines().map(escape).collect();
                let _ = writeln!(
                    out,
                    "<blockquote><p>{}</p></blockquote>",
                    lines.join("<br>")
                );
            }
        }
    }
    out.push_str("</main>\n</body>\n</html>\n");
    out
}

fn line_html(line: &Line) -> String {
    line.0
        .iter()
        .map(|inline| match inline {
            Inline::Text(text) => escape(text),
            Inline::Strong(text) => format!("<strong>{}</strong>", escape(text)),
            Inline::Code(text) => format!("<code>{}</code>", escape(text)),
        })
        .collect()
}

/// Escapes the five characters with meaning in HTML text and attributes.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_escaped_everywhere() {
        let document = Document {
            title: "<b>&".into(),
            blocks: vec![
                Block::Paragraph(Line::text("<script>alert('x')</script>").code("a<b")),
                Block::Quote("\"wants\" <home>\nnow".into()),
            ],
        };
        let html = to_html(&document);
        assert!(!html.contains("<script>"));
        assert!(!html.contains("<b>"));
        assert!(html.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"));
        assert!(html.contains("<code>a&lt;b</code>"));
        assert!(
            html.contains("<blockquote><p>&quot;wants&quot; &lt;home&gt;<br>now</p></blockquote>")
        );
        assert!(html.contains("<title>&lt;b&gt;&amp;</title>"));
    }
}
