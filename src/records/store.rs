//! A store of records on disk (by default `formulations/`): the one place records are written.
//!
//! Layout: `00000001.json`, `00000002.json`, … (the chain, in order) and `rulesets/<sha256>/`, a
//! copy of every rule set a record was made with, so replay under the original rules works after
//! `rules/` has changed. The store is 0700 and every file in it 0600 (DESIGN §7).
//!
//! Writes are crash-safe and never overwrite: a record is written to a temporary file in the store,
//! synced, then linked into place only if no file of that name exists, and the directory is synced.
//! A crash leaves at most a stray `.incomplete-*` file, which is not a record and is ignored. Two
//! writers racing for the same place both see it: the loser re-reads the tip and takes the next.

use std::collections::HashMap;
use std::fs::{self, File};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::error::{Error, Problem, Result};
use crate::rules::{RuleFiles, RuleSet, RuleSetId};
use crate::source::Position;

use super::replay::{recompute, replay, Impact, Replay};
use super::{Draft, FollowUpDraft, Record, RecordId, StatusDraft};

/// The folder, inside a store, that keeps the rule set copies.
pub const RULESETS_DIR: &str = "rulesets";

/// Prefix of files and folders that are still being written.
pub const INCOMPLETE_PREFIX: &str = ".incomplete-";

/// How often a save retries when other writers keep taking the next place.
const SAVE_ATTEMPTS: usize = 1000;

/// A store of records.
#[derive(Debug)]
pub struct Store {
    dir: PathBuf,
    /// The last record this handle knows of, so a run of saves does not list the folder each time.
    /// Stale is safe: a save into a taken place fails and re-reads.
    tip: Option<(RecordId, String)>,
    /// Rule set copies already checked or loaded, by sha256.
    rulesets: HashMap<String, Arc<RuleSet>>,
}

/// The outcome of `verify`: the chain up to the first problem.
#[derive(Debug)]
pub struct Verification {
    /// Records whose content and link checked out, in order.
    pub good: usize,
    /// The last good record and its sha256 (note it down: a later verify can then tell that
    /// nothing after it was removed or rewritten).
    pub tip: Option<(RecordId, String)>,
    /// The first broken or missing link, if any.
    pub broken: Option<Problem>,
    /// Unfinished writes left by a crash; harmless, and safe to delete.
    pub leftovers: Vec<PathBuf>,
}

impl Store {
    /// Opens an existing store for reading.
    pub fn open(dir: &Path) -> Result<Store> {
        let metadata = fs::metadata(dir).map_err(|source| Error::io(dir, source))?;
        if !metadata.is_dir() {
            return Err(Problem::new(
                dir.display().to_string(),
                Position::default(),
                "",
                "not a folder of records",
            )
            .with_hint("name the store folder, such as formulations/")
            .into());
        }
        Ok(Store {
            dir: dir.to_path_buf(),
            tip: None,
            rulesets: HashMap::new(),
        })
    }

    /// Opens a store, creating it (mode 0700) if it does not exist.
    pub fn create(dir: &Path) -> Result<Store> {
        if !dir.exists() {
            private_dir_builder()
                .recursive(true)
                .create(dir)
                .map_err(|source| Error::io(dir, source))?;
        }
        Store::open(dir)
    }

    /// The store's folder.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Where a record's file is.
    pub fn path_of(&self, id: RecordId) -> PathBuf {
        self.dir.join(id.file_name())
    }

    /// Where a rule set's copy is.
    pub fn ruleset_dir(&self, sha256: &str) -> PathBuf {
        self.dir.join(RULESETS_DIR).join(sha256)
    }

    /// Every record's id, in chain order.
    pub fn ids(&self) -> Result<Vec<RecordId>> {
        let mut ids = Vec::new();
        for entry in fs::read_dir(&self.dir).map_err(|source| Error::io(&self.dir, source))? {
            let entry = entry.map_err(|source| Error::io(&self.dir, source))?;
            if let Some(id) = entry
                .file_name()
                .to_str()
                .and_then(RecordId::from_file_name)
            {
                ids.push(id);
            }
        }
        ids.sort();
        Ok(ids)
    }

    /// Reads a record and checks that it is exactly as written.
    pub fn read(&self, id: RecordId) -> Result<Record> {
        read_record(&self.path_of(id))
    }

    /// Unfinished writes a crash left behind.
    pub fn leftovers(&self) -> Result<Vec<PathBuf>> {
        let mut found = Vec::new();
        for dir in [self.dir.clone(), self.dir.join(RULESETS_DIR)] {
            let Ok(entries) = fs::read_dir(&dir) else {
                continue;
            };
            for entry in entries {
                let entry = entry.map_err(|source| Error::io(&dir, source))?;
                if entry
                    .file_name()
                    .to_string_lossy()
                    .starts_with(INCOMPLETE_PREFIX)
                {
                    found.push(entry.path());
                }
            }
        }
        found.sort();
        Ok(found)
    }

    /// Files and folders in the store that others can read (DESIGN §7 asks for 0600 in 0700).
    pub fn permission_warnings(&self) -> Vec<String> {
        let mut warnings = Vec::new();
        let mut check = |path: &Path, wanted: u32| {
            if let Some(mode) = loose_mode(path, wanted) {
                warnings.push(format!(
                    "{} can be read by others (mode {mode:o}); fix: chmod {wanted:o} {}",
                    path.display(),
                    path.display()
                ));
            }
        };
        check(&self.dir, 0o700);
        if let Ok(ids) = self.ids() {
            for id in ids {
                check(&self.path_of(id), 0o600);
            }
        }
        warnings
    }

    /// Saves a new record made with `rules` (whose copy is kept first) and returns it with its
    /// path. Never overwrites: the record takes the next free place in the chain.
    pub fn save(&mut self, draft: &Draft<'_>, rules: &RuleSet) -> Result<(Record, PathBuf)> {
        self.keep_ruleset(rules)?;
        if let Some(replaced) = draft.supersedes {
            self.check_supersedes(replaced, &draft.assessment.id)?;
        }
        self.append(|id, previous| draft.seal(id, previous))
    }

    /// Appends a follow-up record after checking that the record it follows is an assessment
    /// record of the same case in this store. Never overwrites, like [`Store::save`].
    pub fn save_follow_up(&mut self, draft: &FollowUpDraft) -> Result<(Record, PathBuf)> {
        let follows = draft.follow_up.follows;
        let path = self.path_of(follows);
        let shown = path.display().to_string();
        if !path.exists() {
            return Err(Problem::new(
                shown,
                Position::default(),
                "",
                format!("there is no record {follows} to follow up"),
            )
            .with_hint("give the id of an assessment record in this store, such as 00000003")
            .into());
        }
        let followed = self.read(follows)?;
        if !followed.is_assessment() || followed.case() != draft.follow_up.case {
            return Err(Problem::new(
                shown,
                Position::default(),
                "",
                format!(
                    "record {follows} is not the assessment of case {}",
                    draft.follow_up.case
                ),
            )
            .with_hint("a follow-up names the assessment record of its own case")
            .into());
        }
        self.append(|id, previous| draft.seal(id, previous))
    }

    /// Appends a referral status record after checking that the record it follows is an
    /// assessment record of the same case in this store. Never overwrites, like [`Store::save`].
    pub fn save_referral_status(&mut self, draft: &StatusDraft) -> Result<(Record, PathBuf)> {
        let follows = draft.status.follows;
        let path = self.path_of(follows);
        let shown = path.display().to_string();
        let followed = if path.exists() {
            Some(self.read(follows)?)
        } else {
            None
        };
        if !followed
            .is_some_and(|record| record.is_assessment() && record.case() == draft.status.case)
        {
            return Err(Problem::new(
                shown,
                Position::default(),
                "",
                format!(
                    "record {follows} is not the assessment of case {} in this store",
                    draft.status.case
                ),
            )
            .with_hint("a referral status names the assessment record whose plan holds it")
            .into());
        }
        self.append(|id, previous| draft.seal(id, previous))
    }

    /// Writes the record `seal` makes for the next free place in the chain, retrying at the next
    /// place when another writer takes this one.
    fn append(
        &mut self,
        seal: impl Fn(RecordId, Option<String>) -> Record,
    ) -> Result<(Record, PathBuf)> {
        for _ in 0..SAVE_ATTEMPTS {
            let (id, previous) = match &self.tip {
                Some((id, sha256)) => (id.next(), Some(sha256.clone())),
                None => match self.read_tip()? {
                    Some((id, sha256)) => (id.next(), Some(sha256)),
                    None => (RecordId(1), None),
                },
            };
            let record = seal(id, previous);
            let path = self.path_of(id);
            match write_new(&self.dir, &path, &record.to_bytes())? {
                Written::Done => {
                    self.tip = Some((id, record.sha256.clone()));
                    return Ok((record, path));
                }
                // Another writer took this place: re-read the tip and try the next one.
                Written::Taken => self.tip = None,
            }
        }
        Err(Error::io(
            &self.dir,
            io::Error::other("other writers kept taking the next place in the chain"),
        ))
    }

    /// Keeps a copy of the rule set under `rulesets/<sha256>/` unless there is one already.
    pub fn keep_ruleset(&mut self, rules: &RuleSet) -> Result<()> {
        let sha256 = &rules.id.sha256;
        if self.rulesets.contains_key(sha256) {
            return Ok(());
        }
        let target = self.ruleset_dir(sha256);
        if !target.exists() {
            write_ruleset_copy(&self.dir.join(RULESETS_DIR), &target, &rules.files)?;
        }
        // Whether just written or already there, it must be the same rule set.
        self.ruleset(&rules.id)?;
        Ok(())
    }

    /// The rule set a record was made with, from the store's copy, checked against its hash.
    pub fn ruleset(&mut self, id: &RuleSetId) -> Result<Arc<RuleSet>> {
        if let Some(rules) = self.rulesets.get(&id.sha256) {
            return Ok(Arc::clone(rules));
        }
        let dir = self.ruleset_dir(&id.sha256);
        let display = dir.display().to_string();
        if !is_hex_digest(&id.sha256) || !dir.is_dir() {
            return Err(Problem::new(
                display,
                Position::default(),
                "",
                format!("the copy of rule set {} {} is missing", id.name, id.version),
            )
            .with_hint(
                "restore the store's rulesets/ folder from a backup, or replay with --rules DIR",
            )
            .into());
        }
        let files = crate::files::read_rule_files(&dir)?;
        let rules = RuleSet::from_files(&files)?;
        if rules.id.sha256 != id.sha256 {
            return Err(Problem::new(
                display,
                Position::default(),
                "",
                format!(
                    "the copy of rule set {} {} was altered: its files hash to {}",
                    id.name, id.version, rules.id.sha256
                ),
            )
            .with_hint("restore the store's rulesets/ folder from a backup")
            .into());
        }
        let rules = Arc::new(rules);
        self.rulesets.insert(id.sha256.clone(), Arc::clone(&rules));
        Ok(rules)
    }

    /// Replays a record under `rules`, or, when none is given, under the store's copy of the
    /// rule set it was made with (where only an exact match will do).
    pub fn replay(&mut self, record: &Record, rules: Option<&RuleSet>) -> Result<Replay> {
        let rules = match rules {
            Some(rules) => return Ok(replay(record, rules)?),
            None => self.ruleset(&record.ruleset)?,
        };
        Ok(replay(record, &rules)?)
    }

    /// Adds one record to a rule-change impact: its outcome under the rules it was made with
    /// against its outcome under `new`. A record whose own rules no longer reproduce it is
    /// compared from the recomputed outcome and noted as drifted; one without its rule set copy
    /// is compared from the recorded outcome. Follow-up records hold no outcome of the rules and
    /// are passed over.
    pub fn add_to_impact(&mut self, id: RecordId, new: &RuleSet, impact: &mut Impact) {
        self.add_to_impact_against(id, None, new, impact);
    }

    /// As [`Store::add_to_impact`], comparing against `current` (the rules deployed now) when
    /// given, instead of the rules each record was made with.
    pub fn add_to_impact_against(
        &mut self,
        id: RecordId,
        current: Option<&RuleSet>,
        new: &RuleSet,
        impact: &mut Impact,
    ) {
        let record = match self.read(id) {
            Ok(record) => record,
            Err(error) => return impact.add_failed(id, error.to_string()),
        };
        if !record.is_assessment() {
            return;
        }
        impact.note_supersedes(&record);
        let baseline = match current {
            Some(current) => match recompute(&record, current) {
                Ok(outcome) => outcome,
                Err(problems) => return impact.add_failed(id, problems.to_string()),
            },
            None => match self.replay(&record, None) {
                Ok(own) => {
                    if !own.drift.is_empty() {
                        impact.add_drifted(id);
                    }
                    own.recomputed
                }
                Err(_) => {
                    impact.add_without_own_rules(id);
                    record.formulation.clone()
                }
            },
        };
        match recompute(&record, new) {
            Ok(outcome) => impact.add(&record, &baseline, &outcome, new),
            Err(problems) => impact.add_failed(id, problems.to_string()),
        }
    }

    /// Checks the chain from the first record: each present, unaltered, in its place, linked to
    /// the one before, and made with a rule set whose copy is in the store. Stops at the first
    /// problem, since everything after a broken link is in doubt.
    pub fn verify(&mut self) -> Result<Verification> {
        let mut verification = Verification {
            good: 0,
            tip: None,
            broken: None,
            leftovers: self.leftovers()?,
        };
        let mut expected = RecordId(1);
        for id in self.ids()? {
            let path = self.path_of(id);
            let display = path.display().to_string();
            let problem = |message: String, hint: &str| {
                Some(Problem::new(&display, Position::default(), "", message).with_hint(hint))
            };
            if id != expected {
                let before = verification
                    .tip
                    .as_ref()
                    .map_or("the start".to_owned(), |(tip, _)| format!("record {tip}"));
                verification.broken = problem(
                    format!("missing link: record {expected} is absent ({id} follows {before})"),
                    "restore the missing record from a backup; records are never deleted",
                );
                break;
            }
            let record = match read_record(&path) {
                Ok(record) => record,
                Err(error) => {
                    verification.broken = Some(problem_of(error, &display));
                    break;
                }
            };
            let previous = verification.tip.as_ref().map(|(_, sha256)| sha256.clone());
            if record.id != id {
                verification.broken = problem(
                    format!("the file holds record {}, not {id}", record.id),
                    "records must not be renamed; restore the original file name",
                );
                break;
            }
            if record.previous != previous {
                verification.broken = problem(
                    format!(
                        "broken link: it names the previous record's sha256 as {}, but that record's is {}",
                        record.previous.as_deref().unwrap_or("(none)"),
                        previous.as_deref().unwrap_or("(none, it is the first)")
                    ),
                    "a record before it was rewritten, removed or put in its place; restore the store from a backup",
                );
                break;
            }
            if let Err(error) = self.ruleset(&record.ruleset) {
                verification.broken = Some(problem_of(error, &display));
                break;
            }
            verification.good += 1;
            verification.tip = Some((id, record.sha256));
            expected = id.next();
        }
        Ok(verification)
    }

    /// The last record and its sha256, refusing to chain onto a damaged one.
    fn read_tip(&self) -> Result<Option<(RecordId, String)>> {
        let Some(&id) = self.ids()?.last() else {
            return Ok(None);
        };
        let record = self.read(id).map_err(|error| match error {
            Error::Invalid(mut problems) => {
                for problem in &mut problems.0 {
                    problem.hint = Some(
                        "the last record is damaged, so a new one cannot be chained to it; run `sicol verify` and restore the store from a backup".to_owned(),
                    );
                }
                Error::Invalid(problems)
            }
            other => other,
        })?;
        Ok(Some((id, record.sha256)))
    }

    fn check_supersedes(&self, replaced: RecordId, case: &str) -> Result<()> {
        let path = self.path_of(replaced);
        if !path.exists() {
            return Err(Problem::new(
                path.display().to_string(),
                Position::default(),
                "supersedes",
                format!("there is no record {replaced} to supersede"),
            )
            .with_hint("give the id of a record in this store, such as 00000003")
            .into());
        }
        let record = self.read(replaced)?;
        if !record.is_assessment() {
            return Err(Problem::new(
                path.display().to_string(),
                Position::default(),
                "supersedes",
                format!("record {replaced} is a follow-up or a referral status, not an assessment"),
            )
            .with_hint("a revision supersedes an earlier assessment record of the same case")
            .into());
        }
        if record.case() != case {
            return Err(Problem::new(
                path.display().to_string(),
                Position::default(),
                "supersedes",
                format!("record {replaced} is case {}, not {case}", record.case()),
            )
            .with_hint("a revision supersedes an earlier record of the same case")
            .into());
        }
        Ok(())
    }
}

/// Reads a record file and checks it; problems name the file.
pub fn read_record(path: &Path) -> Result<Record> {
    let bytes = crate::files::read_bytes(path, crate::input::InputKind::Record)?;
    Record::from_bytes(&bytes).map_err(|error| {
        Problem::new(
            path.display().to_string(),
            Position::default(),
            "",
            error.to_string(),
        )
        .with_hint("records are never edited; restore it from a backup, and record a correction as a revision (`sicol evaluate --save --supersedes ID`)")
        .into()
    })
}

/// The first problem an error describes, naming `file` when it is an I/O error.
fn problem_of(error: Error, file: &str) -> Problem {
    match error {
        Error::Invalid(problems) => problems
            .0
            .into_iter()
            .next()
            .unwrap_or_else(|| Problem::new(file, Position::default(), "", "unreadable")),
        Error::Io { path, source } => Problem::new(
            path.display().to_string(),
            Position::default(),
            "",
            source.to_string(),
        ),
    }
}

fn is_hex_digest(text: &str) -> bool {
    text.len() == 64 && text.bytes().all(|byte| byte.is_ascii_hexdigit())
}

/// What happened to an attempt to write a new file.
enum Written {
    /// The file is in place and on disk.
    Done,
    /// A file of that name already exists; nothing was changed.
    Taken,
}

/// Writes `bytes` to a new file at `path` in `dir`: temporary file, fsync, link into place without
/// replacing anything, fsync the folder.
fn write_new(dir: &Path, path: &Path, bytes: &[u8]) -> Result<Written> {
    // tempfile creates the file with mode 0600 on Unix.
    let mut temp = tempfile::Builder::new()
        .prefix(INCOMPLETE_PREFIX)
        .tempfile_in(dir)
        .map_err(|source| Error::io(dir, source))?;
    temp.write_all(bytes)
        .and_then(|()| temp.as_file().sync_all())
        .map_err(|source| Error::io(temp.path(), source))?;
    match temp.persist_noclobber(path) {
        Ok(_) => {
            sync_dir(dir)?;
            Ok(Written::Done)
        }
        // The temporary file is removed when the error is dropped.
        Err(error) if error.error.kind() == io::ErrorKind::AlreadyExists => Ok(Written::Taken),
        Err(error) => Err(Error::io(path, error.error)),
    }
}

/// Writes a rule set's files into a temporary folder, syncs them, then renames the folder into
/// place, so a copy is either complete or absent.
fn write_ruleset_copy(parent: &Path, target: &Path, files: &RuleFiles) -> Result<()> {
    if !parent.exists() {
        private_dir_builder()
            .create(parent)
            .or_else(|error| match error.kind() {
                io::ErrorKind::AlreadyExists => Ok(()),
                _ => Err(error),
            })
            .map_err(|source| Error::io(parent, source))?;
    }
    let temp = tempfile::Builder::new()
        .prefix(INCOMPLETE_PREFIX)
        .tempdir_in(parent)
        .map_err(|source| Error::io(parent, source))?;
    make_private_dir(temp.path())?;
    for (name, text) in &files.files {
        if name.contains(['/', '\\']) || name.starts_with('.') {
            return Err(Problem::new(
                files.display(name),
                Position::default(),
                "",
                "a rule file name must be a plain file name to be kept with records",
            )
            .into());
        }
        let path = temp.path().join(name);
        let mut file = private_file(&path).map_err(|source| Error::io(&path, source))?;
        file.write_all(text.as_bytes())
            .and_then(|()| file.sync_all())
            .map_err(|source| Error::io(&path, source))?;
    }
    sync_dir(temp.path())?;
    match fs::rename(temp.path(), target) {
        Ok(()) => {
            // Now at `target`; make sure the temporary handle does not try to remove it.
            let _ = temp.keep();
            sync_dir(parent)
        }
        // Another writer kept the same rule set first; theirs is identical by its hash.
        Err(_) if target.is_dir() => Ok(()),
        Err(error) => Err(Error::io(target, error)),
    }
}

fn sync_dir(dir: &Path) -> Result<()> {
    #[cfg(unix)]
    {
        File::open(dir)
            .and_then(|handle| handle.sync_all())
            .map_err(|source| Error::io(dir, source))?;
    }
    #[cfg(not(unix))]
    let _ = dir;
    Ok(())
}

fn private_dir_builder() -> fs::DirBuilder {
    #[allow(unused_mut)]
    let mut builder = fs::DirBuilder::new();
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder
}

/// Narrows a folder's mode to 0700 (tempfile leaves a new folder to the umask).
fn make_private_dir(dir: &Path) -> Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(dir, fs::Permissions::from_mode(0o700))
            .map_err(|source| Error::io(dir, source))?;
    }
    #[cfg(not(unix))]
    let _ = dir;
    Ok(())
}

fn private_file(path: &Path) -> io::Result<File> {
    let mut options = fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options.open(path)
}

/// The mode of `path` if it grants more than `wanted` (Unix only).
fn loose_mode(path: &Path, wanted: u32) -> Option<u32> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = fs::metadata(path).ok()?.permissions().mode() & 0o777;
        (mode & !wanted != 0).then_some(mode)
    }
    #[cfg(not(unix))]
    {
        let _ = (path, wanted);
        None
    }
}
