//! Saving a finished assessment and keeping drafts: the file-system edge of the TUI.
//!
//! Every write goes to a temporary file in the target folder and is then renamed into place, so
//! a crash leaves either the old file or the new one, never half of one. A saved assessment is
//! never overwritten: if the name is taken, a numeric suffix is added. Drafts are private (mode
//! 0600 in a 0700 folder) because they hold special-category health data.

use std::io::Write;
use std::path::{Path, PathBuf};

use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::model::{Assessment, Choices};
use crate::rules::{RuleSet, RuleSetId};
use crate::tui::app::Step;
use crate::tui::form::Form;

/// Where drafts go unless `--drafts` or `SICOL_DRAFTS` says otherwise.
pub const DEFAULT_DRAFTS_DIR: &str = "formulations/.drafts";

/// What a saved assessment file holds until saved formulation records replace it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SavedAssessment {
    /// When it was saved.
    pub saved_at: DateTime<FixedOffset>,
    /// The sicol version that saved it.
    pub sicol_version: String,
    /// The rule set the formulation shown to the person came from.
    pub ruleset: RuleSetId,
    /// The assessment as entered (the DESIGN §1 shape).
    pub assessment: Assessment,
    /// The person's choices about the referrals offered.
    pub choices: Choices,
}

/// Somewhere a finished assessment can be saved. The TUI only knows this trait.
pub trait Store {
    /// Saves and returns where it went; never overwrites an earlier save. `rules` is the rule
    /// set whose formulation the person saw.
    fn save(&self, saved: &SavedAssessment, rules: &RuleSet) -> Result<PathBuf>;
}

/// Saves a formulation record (DESIGN §4) into a records store: the assessment, its formulation
/// under `rules`, the person's choices, and a kept copy of the rule set, chained to the store's
/// previous record. This is what `sicol assess` does unless `--out` asks for a plain file.
#[derive(Debug, Clone)]
pub struct RecordStore {
    /// The store folder, created (mode 0700) on the first save.
    pub dir: PathBuf,
}

impl Store for RecordStore {
    fn save(&self, saved: &SavedAssessment, rules: &RuleSet) -> Result<PathBuf> {
        let mut store = crate::records::Store::create(&self.dir)?;
        let formulation = crate::formulation::evaluate(rules, &saved.assessment);
        let draft = crate::records::Draft {
            assessment: &saved.assessment,
            formulation: &formulation,
            choices: &saved.choices,
            supersedes: None,
            saved_at: saved.saved_at.with_timezone(&chrono::Utc),
        };
        let (_, path) = store.save(&draft, rules)?;
        Ok(path)
    }
}

/// Saves to one YAML file (`--out`), or to `formulations/<case id>-assessment.yaml`.
#[derive(Debug, Clone)]
pub struct AssessmentFile {
    /// The file asked for; `None` means the default under `formulations/`.
    pub out: Option<PathBuf>,
}

impl AssessmentFile {
    /// The path a save of `case_id` aims for before any suffix is added.
    pub fn target(&self, case_id: &str) -> PathBuf {
        match &self.out {
            Some(out) => out.clone(),
            None => {
                Path::new("formulations").join(format!("{}-assessment.yaml", safe_name(case_id)))
            }
        }
    }
}

impl Store for AssessmentFile {
    fn save(&self, saved: &SavedAssessment, _rules: &RuleSet) -> Result<PathBuf> {
        let text = serde_yaml::to_string(saved).map_err(|error| {
            Error::io(
                self.target(&saved.assessment.id),
                std::io::Error::other(error.to_string()),
            )
        })?;
        write_new(&self.target(&saved.assessment.id), &text)
    }
}

/// A case id made safe as part of a file name (ids are pseudonymous, but may hold `/`).
fn safe_name(id: &str) -> String {
    let name: String = id
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    if name.is_empty() {
        "assessment".to_owned()
    } else {
        name
    }
}

/// `base`, then `base-2`, `base-3`… with the same extension.
fn numbered(base: &Path, number: u32) -> PathBuf {
    if number < 2 {
        return base.to_path_buf();
    }
    let stem = base
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let name = match base.extension() {
        Some(ext) => format!("{stem}-{number}.{}", ext.to_string_lossy()),
        None => format!("{stem}-{number}"),
    };
    base.with_file_name(name)
}

/// Writes `text` atomically to `target`, or to the first free numbered name after it.
fn write_new(target: &Path, text: &str) -> Result<PathBuf> {
    let dir = parent_dir(target);
    std::fs::create_dir_all(&dir).map_err(|source| Error::io(&dir, source))?;
    let mut file = temp_file_with(&dir, text)?;
    for number in 1..10_000 {
        let path = numbered(target, number);
        // persist_noclobber fails instead of replacing, so two sessions cannot race onto one name.
        match file.persist_noclobber(&path) {
            Ok(_) => return Ok(path),
            Err(error) if error.error.kind() == std::io::ErrorKind::AlreadyExists => {
                file = error.file;
            }
            Err(error) => return Err(Error::io(&path, error.error)),
        }
    }
    Err(Error::io(
        target,
        std::io::Error::other("no free file name after 9999 tries; choose another --out"),
    ))
}

fn parent_dir(path: &Path) -> PathBuf {
    match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// A synced temporary file in `dir` holding `text` (tempfile creates it with mode 0600).
fn temp_file_with(dir: &Path, text: &str) -> Result<tempfile::NamedTempFile> {
    let mut file = tempfile::Builder::new()
        .prefix(".sicol-")
        .suffix(".tmp")
        .tempfile_in(dir)
        .map_err(|source| Error::io(dir, source))?;
    file.write_all(text.as_bytes())
        .and_then(|()| file.as_file().sync_all())
        .map_err(|source| Error::io(file.path(), source))?;
    Ok(file)
}

/// Work in progress, written on every change so that a crash or a closed terminal loses nothing.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Draft {
    /// The `--case` file the session started from, if any; a draft is offered again only to a
    /// session started the same way.
    #[serde(default)]
    pub case_file: Option<String>,
    /// When the draft was last written.
    pub written_at: DateTime<FixedOffset>,
    /// The assessment time to fall back on while the typed one does not parse.
    pub assessed_at: DateTime<FixedOffset>,
    /// The step the assessor was on.
    pub step: Step,
    /// Everything entered, as typed.
    pub form: Form,
    /// The person's choices so far.
    pub choices: Choices,
}

/// The drafts folder: created private (0700) if missing, and tightened if it exists.
pub fn private_dir(dir: &Path) -> Result<()> {
    std::fs::create_dir_all(dir).map_err(|source| Error::io(dir, source))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))
            .map_err(|source| Error::io(dir, source))?;
    }
    Ok(())
}

/// Writes a draft atomically as `dir/name` (mode 0600), replacing the previous version of it.
pub fn write_draft(dir: &Path, name: &str, draft: &Draft) -> Result<PathBuf> {
    let path = dir.join(name);
    let text = serde_yaml::to_string(draft)
        .map_err(|error| Error::io(&path, std::io::Error::other(error.to_string())))?;
    private_dir(dir)?;
    let file = temp_file_with(dir, &text)?;
    file.persist(&path)
        .map_err(|error| Error::io(&path, error.error))?;
    Ok(path)
}

/// The newest readable draft in `dir` started from `case_file`, with its file name. Unreadable
/// drafts are skipped, never deleted: they may be from another version of sicol.
pub fn newest_draft(dir: &Path, case_file: Option<&str>) -> Option<(String, Draft)> {
    let entries = std::fs::read_dir(dir).ok()?;
    entries
        .filter_map(|entry| entry.ok())
        .filter_map(|entry| {
            let name = entry.file_name().to_str()?.to_owned();
            if !name.starts_with("draft-") || !name.ends_with(".yaml") {
                return None;
            }
            let text = std::fs::read_to_string(entry.path()).ok()?;
            let draft: Draft = serde_yaml::from_str(&text).ok()?;
            (draft.case_file.as_deref() == case_file).then_some((name, draft))
        })
        .max_by_key(|(name, draft)| (draft.written_at, name.clone()))
}

/// Removes a draft once its work is saved or the assessor discards it.
pub fn remove_draft(dir: &Path, name: &str) -> Result<()> {
    let path = dir.join(name);
    match std::fs::remove_file(&path) {
        Ok(()) => Ok(()),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(error) => Err(Error::io(&path, error)),
    }
}

/// The file name of a new session's draft.
pub fn draft_name(started: DateTime<FixedOffset>) -> String {
    format!("draft-{}.yaml", started.format("%Y%m%dT%H%M%S%.3f"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn saving_never_overwrites() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("out.yaml");
        let first = write_new(&target, "one").unwrap();
        let second = write_new(&target, "two").unwrap();
        assert_eq!(first, target);
        assert_eq!(second, dir.path().join("out-2.yaml"));
        assert_eq!(std::fs::read_to_string(&first).unwrap(), "one");
        assert_eq!(std::fs::read_to_string(&second).unwrap(), "two");
    }

    #[test]
    fn case_ids_become_safe_file_names() {
        let store = AssessmentFile { out: None };
        assert_eq!(
            store.target("A/../2026 42"),
            Path::new("formulations/A____2026_42-assessment.yaml")
        );
    }

    #[cfg(unix)]
    #[test]
    fn drafts_are_private() {
        use std::os::unix::fs::PermissionsExt;
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().join("drafts");
        let at = DateTime::parse_from_rfc3339("2026-11-20T14:30:00Z").unwrap();
        let draft = Draft {
            case_file: None,
            written_at: at,
            assessed_at: at,
            step: Step::Person,
            form: Form::default(),
            choices: Choices::default(),
        };
        let path = write_draft(&dir, &draft_name(at), &draft).unwrap();
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&dir), 0o700);
        assert_eq!(mode(&path), 0o600);
        let (name, read) = newest_draft(&dir, None).unwrap();
        assert_eq!(name, "draft-20261120T143000.000.yaml");
        assert_eq!(read, draft);
        assert!(newest_draft(&dir, Some("case.yaml")).is_none());
        remove_draft(&dir, &name).unwrap();
        assert!(newest_draft(&dir, None).is_none());
    }
}
