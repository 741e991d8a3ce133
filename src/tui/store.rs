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

use crate::error::Problem;
use crate::error::{Error, Result};
use crate::model::{Assessment, Choices, MhaDecision};
use crate::records::RecordId;
use crate::rules::{RuleSet, RuleSetId};
use crate::tui::app::{Revising, Step};
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
    /// What the assessment decided under the Mental Health Act, if recorded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mha_decision: Option<MhaDecision>,
    /// For a revision saved as a plain file, the file it corrects.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub supersedes: Option<String>,
}

/// Where an assessment was saved: enough to say so on screen and to save a revision of it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SavedTo {
    /// The file written.
    pub path: PathBuf,
    /// The record's id, when saved into a records store.
    #[serde(default)]
    pub record: Option<RecordId>,
    /// The records store (or the folder of a plain file).
    pub store: PathBuf,
    /// The case id saved: a revision keeps it (the records store refuses a revision of another
    /// case), so the screen can say so before trying.
    #[serde(default)]
    pub case: String,
}

impl SavedTo {
    /// "record 00000003 in formulations", or the file for a plain save.
    pub fn describe(&self) -> String {
        match self.record {
            Some(id) => format!("record {id} in {}", self.store.display()),
            None => self.path.display().to_string(),
        }
    }
}

/// Somewhere a finished assessment can be saved. The TUI only knows this trait.
pub trait Store {
    /// Saves and returns where it went; never overwrites an earlier save. `revises` is the
    /// earlier save this one corrects (the new one supersedes it); `rules` is the rule set whose
    /// formulation the person saw.
    fn save(
        &self,
        saved: &SavedAssessment,
        revises: Option<&SavedTo>,
        rules: &RuleSet,
    ) -> Result<SavedTo>;
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
    fn save(
        &self,
        saved: &SavedAssessment,
        revises: Option<&SavedTo>,
        rules: &RuleSet,
    ) -> Result<SavedTo> {
        let mut store = crate::records::backend::create(&location_of(&self.dir))?;
        let formulation = crate::formulation::evaluate(rules, &saved.assessment);
        let draft = crate::records::Draft {
            assessment: &saved.assessment,
            formulation: &formulation,
            choices: &saved.choices,
            supersedes: revises.and_then(|earlier| earlier.record),
            saved_at: saved.saved_at.with_timezone(&chrono::Utc),
            mha_decision: saved.mha_decision.as_ref(),
        };
        let record = store.save(&draft, rules)?;
        Ok(SavedTo {
            path: PathBuf::from(store.locate(record.id)),
            record: Some(record.id),
            // Shown to the person: a team store's URL without its password.
            store: PathBuf::from(location_of(&self.dir).to_string()),
            case: saved.assessment.id.clone(),
        })
    }
}

/// What `sicol assess --revise` needs from a saved record: the assessment, the choices and the
/// decision as saved, and where. Opens the newest revision of the record named, so a correction
/// is never made to an assessment already corrected.
pub fn open_for_revision(
    dir: &Path,
    id: RecordId,
) -> Result<(Assessment, Revising, Option<RecordId>)> {
    let mut store = crate::records::backend::open(&location_of(dir))?;
    let mut current = id;
    // What the revision chain and the statuses need of each record, not the records: a store
    // holds years of them.
    struct Seen {
        id: RecordId,
        supersedes: Option<RecordId>,
        status: Option<crate::records::ReferralStatus>,
    }
    let mut records = Vec::new();
    crate::records::backend::for_each_record(store.as_mut(), None, &mut |record| {
        records.push(Seen {
            id: record.id,
            supersedes: record.supersedes,
            status: record.referral_status,
        });
        std::ops::ControlFlow::Continue(())
    })?;
    let not_found = |message: String| {
        Error::from(Problem::new(
            dir.display().to_string(),
            crate::source::Position::default(),
            "",
            message,
        )
        .with_hint("give the id of an assessment record in this store, such as 00000003 (sicol verify lists them)"))
    };
    if !records.iter().any(|record| record.id == id) {
        return Err(not_found(format!("there is no record {id} in this store")));
    }
    // Follow the chain of revisions to the newest one.
    while let Some(newer) = records
        .iter()
        .find(|record| record.supersedes == Some(current))
    {
        current = newer.id;
    }
    let record = store.read(current)?;
    if !record.is_assessment() {
        return Err(not_found(format!(
            "record {current} is a follow-up or a referral status, not an assessment"
        )));
    }
    let unreadable = |error: serde_json::Error| {
        not_found(format!(
            "record {current} cannot be opened as an assessment ({error})"
        ))
    };
    let assessment = record.typed_assessment().map_err(unreadable)?;
    let choices = record.typed_choices().map_err(unreadable)?;
    // Statuses count for the revision that now stands for the record they follow, so collect
    // those that follow the newest record or any record it (transitively) supersedes.
    let mut chain = vec![current];
    while let Some(older) = records
        .iter()
        .find(|record| Some(record.id) == chain.last().copied())
        .and_then(|record| record.supersedes)
    {
        chain.push(older);
    }
    let mut referral_statuses = std::collections::BTreeMap::new();
    for follows in chain.iter().rev() {
        let statuses = records
            .iter()
            .filter_map(|record| Some((record.id, record.status.as_ref()?)));
        for (partner, status) in
            crate::records::referral_status::current_statuses(*follows, statuses)
        {
            let newer = referral_statuses
                .get(&partner)
                .is_none_or(|known: &crate::records::ReferralStatus| known.date <= status.date);
            if newer {
                referral_statuses.insert(partner, status.clone());
            }
        }
    }
    let revising = Revising {
        saved: SavedTo {
            path: PathBuf::from(store.locate(current)),
            record: Some(current),
            store: PathBuf::from(location_of(dir).to_string()),
            case: record.case().to_owned(),
        },
        choices,
        mha_decision: record.mha_decision.clone(),
        referral_statuses,
        asked_for: (current != id).then_some(id),
    };
    Ok((assessment, revising, (current != id).then_some(current)))
}

/// The store a `--store` value names: a folder, or a `postgresql://` URL.
fn location_of(store: &Path) -> crate::records::StoreLocation {
    crate::records::StoreLocation::parse(&store.to_string_lossy())
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
    fn save(
        &self,
        saved: &SavedAssessment,
        revises: Option<&SavedTo>,
        _rules: &RuleSet,
    ) -> Result<SavedTo> {
        let mut saved = saved.clone();
        saved.supersedes = revises.map(|earlier| earlier.path.display().to_string());
        let text = serde_yaml::to_string(&saved).map_err(|error| {
            Error::io(
                self.target(&saved.assessment.id),
                std::io::Error::other(error.to_string()),
            )
        })?;
        let path = write_new(&self.target(&saved.assessment.id), &text)?;
        Ok(SavedTo {
            store: parent_dir(&path),
            path,
            record: None,
            case: saved.assessment.id.clone(),
        })
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
    crate::files::write::private_dir(&dir)?;
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
    /// The save this draft corrects, if it is a revision in progress (so resuming it still
    /// saves a revision, not a second assessment).
    #[serde(default)]
    pub revises: Option<SavedTo>,
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

/// Every readable draft in `dir`, newest first, each with its file name. Unreadable drafts are
/// skipped, never deleted: they may be from another version of sicol.
pub fn list_drafts(dir: &Path) -> Vec<(String, Draft)> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut drafts: Vec<(String, Draft)> = entries
        .filter_map(|entry| entry.ok())
        .filter_map(|entry| {
            let name = entry.file_name().to_str()?.to_owned();
            if !name.starts_with("draft-") || !name.ends_with(".yaml") {
                return None;
            }
            let text =
                crate::files::read_yaml(&entry.path(), crate::input::InputKind::Draft).ok()?;
            let draft: Draft = serde_yaml::from_str(&text).ok()?;
            Some((name, draft))
        })
        .collect();
    drafts.sort_by(|(a_name, a), (b_name, b)| (b.written_at, b_name).cmp(&(a.written_at, a_name)));
    drafts
}

/// The assessor's own settings for `sicol assess` (`config.yaml`); every key is optional.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// The assessor's name or staff reference, filled in on every new assessment.
    #[serde(default)]
    pub assessor: Option<String>,
}

/// Where the config file is looked for: `SICOL_CONFIG`, else `$XDG_CONFIG_HOME/sicol/config.yaml`,
/// else `$HOME/.config/sicol/config.yaml`. `var` reads the environment (passed in for tests).
pub fn config_path(var: impl Fn(&str) -> Option<String>) -> Option<PathBuf> {
    if let Some(path) = var("SICOL_CONFIG").filter(|path| !path.is_empty()) {
        return Some(PathBuf::from(path));
    }
    let base = var("XDG_CONFIG_HOME")
        .filter(|dir| !dir.is_empty())
        .map(PathBuf::from)
        .or_else(|| var("HOME").map(|home| Path::new(&home).join(".config")))?;
    Some(base.join("sicol").join("config.yaml"))
}

/// Reads the config file; a missing file is an empty config, a malformed one an error naming it.
pub fn read_config(path: &Path) -> Result<Config> {
    let text = match crate::files::read_yaml(path, crate::input::InputKind::Draft) {
        Ok(text) => text,
        Err(Error::Io { source, .. }) if source.kind() == std::io::ErrorKind::NotFound => {
            return Ok(Config::default())
        }
        Err(error) => return Err(error),
    };
    if text.trim().is_empty() {
        return Ok(Config::default());
    }
    serde_yaml::from_str(&text).map_err(|error| {
        crate::error::yaml_problem(&path.display().to_string(), &error)
            .with_hint("the config file holds one setting: `assessor: AMHP-17`")
            .into()
    })
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
            revises: None,
        };
        let path = write_draft(&dir, &draft_name(at), &draft).unwrap();
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&dir), 0o700);
        assert_eq!(mode(&path), 0o600);
        let later = at + chrono::Duration::minutes(5);
        let newer = Draft {
            written_at: later,
            ..draft.clone()
        };
        write_draft(&dir, &draft_name(later), &newer).unwrap();
        let listed = list_drafts(&dir);
        let names: Vec<&str> = listed.iter().map(|(name, _)| name.as_str()).collect();
        assert_eq!(
            names,
            [
                "draft-20261120T143500.000.yaml",
                "draft-20261120T143000.000.yaml"
            ]
        );
        assert_eq!(listed[1].1, draft);
        remove_draft(&dir, &listed[0].0).unwrap();
        remove_draft(&dir, &listed[1].0).unwrap();
        assert!(list_drafts(&dir).is_empty());
    }

    #[test]
    fn the_config_file_is_found_and_read() {
        let env = |vars: &'static [(&'static str, &'static str)]| {
            move |name: &str| {
                vars.iter()
                    .find(|(key, _)| *key == name)
                    .map(|(_, value)| (*value).to_owned())
            }
        };
        assert_eq!(
            config_path(env(&[
                ("SICOL_CONFIG", "/etc/sicol.yaml"),
                ("HOME", "/home/a")
            ])),
            Some(PathBuf::from("/etc/sicol.yaml"))
        );
        assert_eq!(
            config_path(env(&[("XDG_CONFIG_HOME", "/x"), ("HOME", "/home/a")])),
            Some(PathBuf::from("/x/sicol/config.yaml"))
        );
        assert_eq!(
            config_path(env(&[("HOME", "/home/a")])),
            Some(PathBuf::from("/home/a/.config/sicol/config.yaml"))
        );
        assert_eq!(config_path(env(&[])), None);

        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config.yaml");
        assert_eq!(read_config(&path).unwrap(), Config::default());
        std::fs::write(&path, "assessor: AMHP-17\n").unwrap();
        assert_eq!(
            read_config(&path).unwrap().assessor.as_deref(),
            Some("AMHP-17")
        );
        std::fs::write(&path, "asessor: AMHP-17\n").unwrap();
        let error = read_config(&path).unwrap_err().to_string();
        assert!(error.contains("config.yaml"), "{error}");
    }

    #[test]
    fn a_draft_written_before_revisions_and_decisions_still_reads() {
        // The shape sicol wrote before issue 14: a plain severity, no `revises`, no decision.
        let text = "case_file: null
written_at: 2026-11-20T14:30:00Z
assessed_at: 2026-11-20T14:30:00Z
step: stressors
form:
  id: A-1
  assessor: AMHP-17
  assessed_at: 2026-11-20 14:30 +00:00
  age: ''
  dependants: ''
  lives: null
  referral_source: null
  setting: ''
  stressors:
  - kind: debt
    severity: 2
    since: ''
    due: ''
    note: ''
  medical: []
  strengths: []
  wishes: ''
choices: []
";
        let draft: Draft = serde_yaml::from_str(text).unwrap();
        assert_eq!(draft.form.stressors[0].severity, Some(2));
        assert_eq!(draft.revises, None);
        assert_eq!(draft.form.mha_decision(), None);
        assert_eq!(draft.step, Step::Stressors);
    }
}
