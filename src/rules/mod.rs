//! A rule set: `ruleset.yaml`, `vocabulary.yaml`, and the Rhai scripts they name, compiled once
//! and identified by name, version and a sha256 over every file used.
//!
//! Loading is split in two: [`RuleFiles`] is the text of the files (read by `crate::files`, or
//! built in memory by tests and replay), and [`RuleSet::from_files`] checks and compiles them
//! without touching the file system.

pub mod config;
pub mod runtime;
pub mod scale;

use std::collections::BTreeMap;
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::error::{Problem, Problems};
use crate::formulation::trace::RuleOutput;
use crate::model::{Assessment, Vocabulary};
use crate::source::{Position, SourceMap};

pub use config::RuleSetConfig;
pub use runtime::Runtime;

/// The rule set's configuration file name.
pub const RULESET_FILE: &str = "ruleset.yaml";
/// The vocabulary file name.
pub const VOCABULARY_FILE: &str = "vocabulary.yaml";
/// The triage scale file name (optional: rule sets before 2026.12.1 have none).
pub const TRIAGE_SCALE_FILE: &str = "triage_scale.yaml";

/// The text of a rules folder: relative file name to contents.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct RuleFiles {
    /// How to name the folder in messages, such as `rules`.
    pub origin: String,
    /// Relative path to file contents.
    pub files: BTreeMap<String, String>,
}

impl RuleFiles {
    /// The display name of a file in the folder, for messages.
    pub fn display(&self, name: &str) -> String {
        if self.origin.is_empty() {
            name.to_owned()
        } else {
            format!("{}/{name}", self.origin.trim_end_matches('/'))
        }
    }

    fn required(&self, name: &str) -> Result<&str, Problems> {
        self.files.get(name).map(String::as_str).ok_or_else(|| {
            Problem::new(
                self.display(name),
                Position::default(),
                "",
                "file not found",
            )
            .with_hint(format!(
                "every rules folder needs {name}; point --rules at the folder that has it"
            ))
            .into()
        })
    }
}

/// Who made a formulation: the rule set's name, version and content hash.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RuleSetId {
    /// Name from `ruleset.yaml`.
    pub name: String,
    /// Version from `ruleset.yaml`.
    pub version: String,
    /// sha256 over every file the rule set uses, so that any edit shows.
    pub sha256: String,
}

/// A loaded, checked and compiled rule set, ready to evaluate assessments.
#[derive(Debug)]
pub struct RuleSet {
    /// The parsed `ruleset.yaml`.
    pub config: RuleSetConfig,
    /// The vocabulary every kind is checked against.
    pub vocabulary: Arc<Vocabulary>,
    /// The partner directory from `partners.yaml`; empty when the folder has none, in which
    /// case every need shows as a gap.
    pub partners: crate::referrals::Directory,
    /// The triage scale's rows (`triage_scale.yaml`); `None` in rule sets made before it.
    pub scale: Option<Arc<scale::TriageScale>>,
    /// Name, version and hash.
    pub id: RuleSetId,
    /// The files that made it (only those used), for records and replay.
    pub files: RuleFiles,
    runtime: Runtime,
}

impl RuleSet {
    /// Checks and compiles a rule set. Every problem in every file is reported at once.
    pub fn from_files(files: &RuleFiles) -> Result<Self, Problems> {
        let vocabulary_text = files.required(VOCABULARY_FILE)?;
        let vocabulary = Vocabulary::parse(vocabulary_text, &files.display(VOCABULARY_FILE))?;
        let config_text = files.required(RULESET_FILE)?;
        let config = RuleSetConfig::parse(config_text, &files.display(RULESET_FILE), &vocabulary);
        // The directory is optional: without it every need shows as a gap. Its problems are
        // reported together with the configuration's.
        let partners = match files.files.get(crate::PARTNERS_FILE) {
            Some(text) => crate::referrals::Directory::parse(
                text,
                &files.display(crate::PARTNERS_FILE),
                &vocabulary,
            ),
            None => Ok(crate::referrals::Directory::default()),
        };
        let scale = match files.files.get(TRIAGE_SCALE_FILE) {
            Some(text) => {
                scale::TriageScale::parse(text, &files.display(TRIAGE_SCALE_FILE)).map(Some)
            }
            None => Ok(None),
        };
        let (config, partners, scale) = match (config, partners, scale) {
            (Ok(config), Ok(partners), Ok(scale)) => (config, partners, scale),
            (config, partners, scale) => {
                let mut problems = Vec::new();
                problems.extend(config.err().map(|errors| errors.0).unwrap_or_default());
                problems.extend(partners.err().map(|errors| errors.0).unwrap_or_default());
                problems.extend(scale.err().map(|errors| errors.0).unwrap_or_default());
                return Err(Problems(problems));
            }
        };
        let vocabulary = Arc::new(vocabulary);
        let scale = scale.map(Arc::new);
        let mut runtime = Runtime::new(
            Arc::clone(&vocabulary),
            Arc::new(config.weights.clone()),
            Arc::new(config.flags.clone()),
            scale.clone(),
        );
        let (scripts, problems) =
            compile_scripts(files, &config.scripts, config_text, &mut runtime);
        let mut used = scripts;
        for name in [
            RULESET_FILE,
            VOCABULARY_FILE,
            crate::PARTNERS_FILE,
            TRIAGE_SCALE_FILE,
        ] {
            if let Some(text) = files.files.get(name) {
                used.insert(name.to_owned(), text.clone());
            }
        }
        if !problems.is_empty() {
            return Err(Problems(problems));
        }
        let files = RuleFiles {
            origin: files.origin.clone(),
            files: used,
        };
        let id = RuleSetId {
            name: config.name.clone(),
            version: config.version.clone(),
            sha256: fingerprint(&files),
        };
        Ok(Self {
            config,
            vocabulary,
            partners,
            scale,
            id,
            files,
            runtime,
        })
    }

    /// Runs the rules on an assessment, without weighing the result.
    pub fn run_rules(&self, assessment: &Assessment) -> RuleOutput {
        self.runtime.run(assessment)
    }

    /// Runs the rules on an assessment, skipping the scripts named in `excluded` (file names as
    /// listed in `ruleset.yaml`).
    pub fn run_rules_excluding(&self, assessment: &Assessment, excluded: &[String]) -> RuleOutput {
        self.runtime.run_excluding(assessment, excluded)
    }

    /// Whether `other` checks assessments against the same vocabulary: told from the file when
    /// it is the same text (cheap enough for every record of a rule-change impact), else by
    /// comparing the vocabularies.
    pub fn same_vocabulary(&self, other: &RuleSet) -> bool {
        Arc::ptr_eq(&self.vocabulary, &other.vocabulary)
            || self.files.files.get(VOCABULARY_FILE) == other.files.files.get(VOCABULARY_FILE)
            || self.vocabulary == other.vocabulary
    }

    /// The compiled scripts in evaluation order.
    pub fn scripts(&self) -> &[runtime::CompiledScript] {
        self.runtime.scripts()
    }
}

/// Compiles the scripts `ruleset.yaml` lists (`scripts`) into `runtime`, in evaluation order.
/// Returns the text of every script compiled and every problem found: scripts that are missing,
/// listed twice, or do not compile. `config_text` is the text of `ruleset.yaml`, to place problems.
pub fn compile_scripts(
    files: &RuleFiles,
    scripts: &[config::ScriptEntry],
    config_text: &str,
    runtime: &mut Runtime,
) -> (BTreeMap<String, String>, Vec<Problem>) {
    let map = SourceMap::index(config_text);
    let mut problems = Vec::new();
    let mut used = BTreeMap::new();
    for (index, entry) in scripts.iter().enumerate() {
        let Some(source) = files.files.get(&entry.file) else {
            let path = format!("scripts[{index}].file");
            problems.push(
                Problem::new(
                    files.display(RULESET_FILE),
                    map.position(&path),
                    path,
                    format!(
                        "script `{}` does not exist in {}",
                        entry.file,
                        files.display("")
                    ),
                )
                .with_hint("check the file name, or remove the entry"),
            );
            continue;
        };
        if used.contains_key(&entry.file) {
            let path = format!("scripts[{index}].file");
            problems.push(
                Problem::new(
                    files.display(RULESET_FILE),
                    map.position(&path),
                    path,
                    format!("script `{}` is listed twice", entry.file),
                )
                .with_hint("list each script once; its place in the list is its turn"),
            );
            continue;
        }
        used.insert(entry.file.clone(), source.clone());
        if let Err(error) = runtime.add_script(&entry.file, source, entry.when.clone()) {
            problems.push(
                Problem::new(
                    files.display(&entry.file),
                    Position {
                        line: error.line,
                        column: error.column,
                    },
                    "",
                    format!("syntax error: {}", error.message),
                )
                .with_hint(syntax_hint(&error.message)),
            );
        }
    }
    (used, problems)
}

/// A plain fix for the commonest Rhai syntax errors.
fn syntax_hint(message: &str) -> String {
    let lower = message.to_lowercase();
    if lower.contains("expecting ';'") || lower.contains("missing ;") {
        "end the statement on the line before with `;`".to_owned()
    } else if lower.contains("'}'") || lower.contains("'{'") {
        "check that every `{` has a matching `}`".to_owned()
    } else if lower.contains("')'")
        || lower.contains("'('")
        || lower.contains("to separate the arguments")
    {
        "check that every `(` has a matching `)`".to_owned()
    } else if lower.contains("string") {
        "check that every string has its closing quote".to_owned()
    } else {
        "compare the line with the examples in rules/README.md".to_owned()
    }
}

/// sha256 over the files' names and contents in name order. Lengths are included so that no two
/// different sets of files can hash the same by moving text across a file boundary.
pub fn fingerprint(files: &RuleFiles) -> String {
    let mut hasher = Sha256::new();
    for (name, text) in &files.files {
        hasher.update(name.as_bytes());
        hasher.update([0]);
        hasher.update((text.len() as u64).to_le_bytes());
        hasher.update(text.as_bytes());
    }
    format!("{:x}", hasher.finalize())
}
