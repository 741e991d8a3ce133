//! Rule authoring for service leads: everything that makes changing the rules safe for someone
//! who is not a programmer. [`lint`] checks a rules folder and reports every problem at once
//! (`sicol rules check`), running every script through [`exercise`] and showing the effect of
//! partner changes through [`partner_effect`]; [`cases`] runs the expected outcomes in
//! `rules/tests/` (`sicol rules test`); [`concordance`] measures the rules against the UK Mental
//! Health Triage Scale's reference vignettes (`sicol rules concordance`) and [`partner_fit`] checks
//! the referral plans of the partner reference cases beside it; [`schema`] writes JSON
//! Schemas so editors validate and complete the YAML files; [`guide`] renders the host API
//! reference of `rules/README.md` from the runtime's own table.
//!
//! Pure, like the core: these functions take the text of the files and return findings and
//! reports; reading the folder and printing sit in `files` and the CLI.

pub mod cases;
pub mod concordance;
pub mod declared;
pub mod exercise;
pub mod findings;
pub mod guide;
pub mod lint;
pub mod partner_effect;
pub mod partner_fit;
pub mod schema;

pub use findings::{CheckReport, Finding, Severity};
