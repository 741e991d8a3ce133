//! sicol: a crisis triage rules engine for mental-health crisis services. It weighs the social
//! causes of a crisis against the medical ones, with rules a service lead writes in Rhai and YAML,
//! and gives a traceable formulation and referral plan.
//!
//! The core — [`model`], [`rules`], [`formulation`] — is pure: a formulation is a function of an
//! assessment and a rule set. [`files`] reads the user's files; the CLI is a thin shell over both.

pub mod authoring;
pub mod batch;
pub mod cohort;
pub mod error;
pub mod export;
pub mod files;
pub mod formulation;
pub mod input;
pub mod model;
pub mod records;
pub mod referrals;
pub mod report;
pub mod rules;
pub mod source;
pub mod tui;

pub use error::{Error, Problem, Problems, Result};
pub use formulation::{evaluate, Formulation};
pub use model::{Assessment, Balance, Domain, ReferralUrgency, Urgency, Vocabulary};
pub use rules::{RuleFiles, RuleSet};

/// The partner directory's file name in a rules folder.
pub const PARTNERS_FILE: &str = "partners.yaml";

/// This build's version, written into records so replay can tell engine drift from rule drift.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
