//! What `rules check` reports: findings, each an error or a warning with its place, and the
//! report over a folder. A leaf module, so that every check can use it without the checks
//! importing one another through the module root.

use std::fmt;

use crate::error::Problem;

/// How serious a finding is: errors fail `rules check` (exit 1), warnings are reported only.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Severity {
    /// Probably a mistake, but the rule set still works as written.
    Warning,
    /// The rule set is broken or will misbehave: fix before use.
    Error,
}

impl Severity {
    /// The word printed before the finding.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

/// One problem found by `rules check`, with how serious it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// Error or warning.
    pub severity: Severity,
    /// Where it is, what is wrong and how to fix it.
    pub problem: Problem,
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.severity.as_str(), self.problem)
    }
}

/// Everything `rules check` found in one rules folder.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CheckReport {
    /// The folder as named in messages.
    pub origin: String,
    /// Findings ordered by file, then place in the file.
    pub findings: Vec<Finding>,
}

impl CheckReport {
    /// How many findings have this severity.
    pub fn count(&self, severity: Severity) -> usize {
        self.findings
            .iter()
            .filter(|finding| finding.severity == severity)
            .count()
    }

    /// Whether any finding is an error, which makes the check fail.
    pub fn has_errors(&self) -> bool {
        self.count(Severity::Error) > 0
    }

    /// The last line of the report, such as `rules: 2 errors, 1 warning`.
    pub fn summary(&self) -> String {
        let plural = |count: usize, word: &str| {
            if count == 1 {
                format!("1 {word}")
            } else {
                format!("{count} {word}s")
            }
        };
        let (errors, warnings) = (self.count(Severity::Error), self.count(Severity::Warning));
        if errors == 0 && warnings == 0 {
            format!("{}: no problems found", self.origin)
        } else {
            format!(
                "{}: {}, {}",
                self.origin,
                plural(errors, "error"),
                plural(warnings, "warning")
            )
        }
    }
}

impl fmt::Display for CheckReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for finding in &self.findings {
            writeln!(f, "{finding}")?;
        }
        write!(f, "{}", self.summary())
    }
}
