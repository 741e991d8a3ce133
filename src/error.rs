//! The library's typed errors. Every error a user can cause names the file, the place in it and,
//! where there is one, a plain fix.

use std::fmt;
use std::path::PathBuf;

use crate::source::Position;

/// One problem found in an input file, with where it is and how to fix it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// The file as the user named it.
    pub file: String,
    /// Where in the file; line 0 means the file as a whole.
    pub position: Position,
    /// The field path, such as `stressors[1].kind`; empty for the whole file.
    pub field: String,
    /// What is wrong, in lower case without a trailing period.
    pub message: String,
    /// What to do about it, if there is something specific to say.
    pub hint: Option<String>,
}

impl Problem {
    /// A problem at a place in `file`.
    pub fn new(
        file: impl Into<String>,
        position: Position,
        field: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        Self {
            file: file.into(),
            position,
            field: field.into(),
            message: message.into(),
            hint: None,
        }
    }

    /// Adds a suggested fix.
    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file)?;
        if self.position.line > 0 {
            write!(f, ":{}:{}", self.position.line, self.position.column)?;
        }
        if self.field.is_empty() {
            write!(f, ": {}", self.message)?;
        } else {
            write!(f, ": {}: {}", self.field, self.message)?;
        }
        if let Some(hint) = &self.hint {
            write!(f, "\n  fix: {hint}")?;
        }
        Ok(())
    }
}

/// Collects the problems found in one YAML file, placing each by its field path, so that a check
/// reports everything wrong with the file at once rather than one problem per run.
#[derive(Debug)]
pub struct FileProblems<'a> {
    /// The file as the user named it.
    pub file: &'a str,
    text: &'a str,
    /// Indexed only when there is a problem to place: most files have none, and indexing costs
    /// about as much as reading the YAML again.
    map: std::cell::OnceCell<crate::source::SourceMap>,
    problems: Vec<Problem>,
}

impl<'a> FileProblems<'a> {
    /// An empty list for `file`, whose content is `text`.
    pub fn new(file: &'a str, text: &'a str) -> Self {
        Self {
            file,
            text,
            map: std::cell::OnceCell::new(),
            problems: Vec::new(),
        }
    }

    /// Where each field of the file is.
    pub fn map(&self) -> &crate::source::SourceMap {
        self.map
            .get_or_init(|| crate::source::SourceMap::index(self.text))
    }

    /// Records a problem at the field `path`, with a fix.
    pub fn add(&mut self, path: &str, message: impl Into<String>, hint: impl Into<String>) {
        let position = self.map().position(path);
        self.problems
            .push(Problem::new(self.file, position, path, message).with_hint(hint));
    }

    /// Records a problem built elsewhere.
    pub fn push(&mut self, problem: Problem) {
        self.problems.push(problem);
    }

    /// How many problems so far; compare before and after a check to see whether it failed.
    pub fn count(&self) -> usize {
        self.problems.len()
    }

    /// `Ok` with `value` when nothing was found, else every problem.
    pub fn finish<T>(self, value: T) -> Result<T, Problems> {
        if self.problems.is_empty() {
            Ok(value)
        } else {
            Err(Problems(self.problems))
        }
    }

    /// The problems found, for callers that merge several files' problems.
    pub fn into_vec(self) -> Vec<Problem> {
        self.problems
    }
}

/// Every problem found in one or more input files, reported together so that a user fixes them in
/// one pass rather than one per run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problems(pub Vec<Problem>);

impl fmt::Display for Problems {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (index, problem) in self.0.iter().enumerate() {
            if index > 0 {
                writeln!(f)?;
            }
            write!(f, "{problem}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Problems {}

impl From<Problem> for Problems {
    fn from(problem: Problem) -> Self {
        Problems(vec![problem])
    }
}

/// The library's error type.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A file could not be read or written.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file or folder involved.
        path: PathBuf,
        /// What the operating system said.
        #[source]
        source: std::io::Error,
    },
    /// An input file (assessment, rule set, vocabulary, partners, script) is wrong.
    #[error("{0}")]
    Invalid(#[from] Problems),
    /// A team store (PostgreSQL) could not be reached, refused the login, or refused a right.
    /// The message never holds record contents, only what went wrong and where.
    #[error("{store}: {message}\n  fix: {hint}")]
    Store {
        /// The store, as shown to the user (never with a password).
        store: String,
        /// What kind of failure, which sets the exit code.
        kind: StoreFailure,
        /// What went wrong.
        message: String,
        /// What to do about it.
        hint: String,
    },
}

/// Why a team store refused to work, each with its own exit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StoreFailure {
    /// The server cannot be reached, or refused the login (exit 3).
    Unreachable,
    /// The login lacks a right it needs, such as an auditor trying to save (exit 4).
    Denied,
    /// The server answered, but the store is not in the shape sicol needs (exit 2).
    Unusable,
}

impl Error {
    /// Wraps an I/O error with the path it concerns.
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io {
            path: path.into(),
            source,
        }
    }

    /// True when the user's input is at fault (exit code 2), as opposed to the environment.
    pub fn is_bad_input(&self) -> bool {
        matches!(self, Error::Invalid(_))
    }

    /// A store failure with what to do about it.
    pub fn store(
        store: impl Into<String>,
        kind: StoreFailure,
        message: impl Into<String>,
        hint: impl Into<String>,
    ) -> Self {
        Error::Store {
            store: store.into(),
            kind,
            message: message.into(),
            hint: hint.into(),
        }
    }
}

impl From<Problem> for Error {
    fn from(problem: Problem) -> Self {
        Error::Invalid(problem.into())
    }
}

/// Shorthand for results of this library.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// The valid names closest to `wanted`, best first, for "did you mean" hints.
pub fn nearest<'a>(wanted: &str, candidates: impl IntoIterator<Item = &'a str>) -> Vec<&'a str> {
    let mut scored: Vec<(f64, &str)> = candidates
        .into_iter()
        .map(|candidate| (strsim::jaro_winkler(wanted, candidate), candidate))
        .filter(|(score, _)| *score >= 0.75)
        .collect();
    scored.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.cmp(b.1)));
    scored.into_iter().take(3).map(|(_, name)| name).collect()
}

/// A "did you mean" sentence, or a pointer at the list of valid names when nothing is close.
pub fn suggestion<'a>(
    wanted: &str,
    candidates: impl IntoIterator<Item = &'a str>,
    where_listed: &str,
) -> String {
    let close = nearest(wanted, candidates);
    if close.is_empty() {
        format!("use one of the names listed in {where_listed}")
    } else {
        let quoted: Vec<String> = close.iter().map(|name| format!("`{name}`")).collect();
        format!(
            "did you mean {}? (all names are in {where_listed})",
            quoted.join(" or ")
        )
    }
}

/// Converts a serde_yaml error into a [`Problem`] at the place serde_yaml found it.
pub fn yaml_problem(file: &str, error: &serde_yaml::Error) -> Problem {
    let position = error
        .location()
        .map(|location| Position {
            line: location.line(),
            column: location.column(),
        })
        .unwrap_or_default();
    let text = error.to_string();
    // serde_yaml prefixes the field path and appends " at line N column M"; split them apart.
    let text = match text.find(" at line ") {
        Some(cut) => text[..cut].to_owned(),
        None => text,
    };
    let (field, message) = match text.split_once(": ") {
        Some((path, rest)) if !path.contains(' ') => (path.to_owned(), rest.to_owned()),
        _ => (String::new(), text),
    };
    let hint = if message.starts_with("unknown field") {
        Some("check the spelling of the field name, or remove it".to_owned())
    } else if message.contains("did not find expected") || message.contains("mapping values") {
        Some("check the indentation and that values containing `:` are in quotes".to_owned())
    } else {
        None
    };
    Problem {
        file: file.to_owned(),
        position,
        field,
        message,
        hint,
    }
}
