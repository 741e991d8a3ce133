//! A small document model: headings, paragraphs, lists, tables and quotes made of plain text,
//! bold text and code. The report is built once in this model and written out by each backend
//! (Markdown, HTML), so the two formats always say the same thing and each escapes text its own
//! way.

/// A run of text with one style.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Inline {
    /// Plain text.
    Text(String),
    /// Emphasised text.
    Strong(String),
    /// An identifier such as a rule name or partner id.
    Code(String),
}

/// A line of inline runs, such as a paragraph or a table cell.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Line(pub Vec<Inline>);

impl Line {
    /// A line of plain text.
    pub fn text(text: impl Into<String>) -> Self {
        Line(vec![Inline::Text(text.into())])
    }

    /// Appends plain text.
    pub fn plain(mut self, text: impl Into<String>) -> Self {
        self.0.push(Inline::Text(text.into()));
        self
    }

    /// Appends bold text.
    pub fn strong(mut self, text: impl Into<String>) -> Self {
        self.0.push(Inline::Strong(text.into()));
        self
    }

    /// Appends code.
    pub fn code(mut self, text: impl Into<String>) -> Self {
        self.0.push(Inline::Code(text.into()));
        self
    }
}

/// One block of the document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Block {
    /// A section heading; level 2 for sections, 3 for subsections.
    Heading(u8, String),
    /// A paragraph.
    Paragraph(Line),
    /// A list, numbered or not.
    List {
        /// Whether the items are numbered.
        ordered: bool,
        /// The items.
        items: Vec<Line>,
    },
    /// A table with a header row.
    Table {
        /// Column headings.
        header: Vec<String>,
        /// Rows of cells, each as long as the header.
        rows: Vec<Vec<Line>>,
    },
    /// Someone's own words, quoted as written.
    Quote(String),
}

/// A whole document.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Document {
    /// The title.
    pub title: String,
    /// The blocks in order.
    pub blocks: Vec<Block>,
}
