//! The report's content as sections, tables and rows, written by [`super::render`] and
//! [`super::html`] and filled in by the sections that count (such as [`super::referral_loop`]).
//! Kept apart so those sections do not import the renderer that imports them.

/// The report's content, ready to be written in any format.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Document {
    /// The heading.
    pub title: String,
    /// What the report covers: store, dates, records read.
    pub facts: Vec<String>,
    /// How counts are shown (suppressed or exact) and why.
    pub notice: String,
    /// The sections in order.
    pub sections: Vec<Section>,
}

/// One section: a heading, sentences, and perhaps a table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Section {
    /// The heading.
    pub title: String,
    /// Sentences before the table.
    pub lines: Vec<String>,
    /// The table, if the section has one.
    pub table: Option<Table>,
}

/// A table whose first column is a label and the rest counts, already shown as text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Table {
    /// Column headings, the label column first.
    pub headers: Vec<String>,
    /// The rows.
    pub rows: Vec<Row>,
}

/// One row of a table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    /// What the row counts.
    pub label: String,
    /// The counts and percentages as shown.
    pub cells: Vec<String>,
    /// The length of the row's bar in a chart, or none when the count is hidden.
    pub bar: Option<usize>,
}
