//! Rule authoring for service leads: everything that makes changing the rules safe for someone
//! who is not a programmer. [`lint`] checks a rules folder and reports every problem at once
//! (`sicol rules check`), running every script through [`exercise`] and showing the effect of
//! partner changes through [`partner_effect`]; [`cases`] runs the expected outcomes in
//! `rules/tests/` (`sicol rules test`); [`concordance`] measures the rules against the UK Mental
//! Health Triage Scale's reference vignettes (`sicol rules concordance`); [`schema`] writes JSON
//! Schemas so editors validate and complete the YAML files; [`guide`] renders the host API
//! reference of `rules/README.md` from the runtime's own table.
//!
//! Pure, like the core: these functions take the text of the files and return findings and
//! reports; reading the folder and printing sit in `files` and the CLI.

pub mod cases;
pub mod concordance;
pub mod exercise;
pub mod guide;
pub mod lint;
pub mod partner_effect;
pub mod schema;

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
