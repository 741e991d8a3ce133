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

use rayon::prelude::*;

use crate::error::{Error, Problem, Result};
use crate::rules::{RuleFiles, RuleSet};
use crate::source::Position;

use super::backend::{checked, RawRecord, RecordStore, Seal, StoreLocation};
use super::{Record, RecordId};

pub use super::backend::Verification;

/// The folder, inside a store, that keeps the rule set copies.
pub const RULESETS_DIR: &str = "rulesets";

/// Prefix of files and folders that are still being written.
pub const INCOMPLETE_PREFIX: &str = ".incomplete-";

/// How often a save retries when other writers keep taking the next place.
const SAVE_ATTEMPTS: usize = 1000;

/// A folder store of records: the embedded default, and one of the two [`RecordStore`]
/// backends.
#[derive(Debug)]
pub struct Store {
    dir: PathBuf,
    /// The folder as a store location, for messages.
    location: StoreLocation,
    /// The record ids a scan is walking through, listed once at its first page, and the last
    /// id of the page it gave last (a page after any other id starts a new scan).
    listing: Vec<RecordId>,
    listed_to: Option<RecordId>,
    /// The last record this handle knows of, so a run of saves does not list the folder each time.
    /// Stale is safe: a save into a taken place fails and re-reads.
    tip: Option<(RecordId, String)>,
    /// Rule set copies already checked or loaded, by sha256.
    rulesets: HashMap<String, Arc<RuleSet>>,
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
            location: StoreLocation::Folder(dir.to_path_buf()),
            listing: Vec::new(),
            listed_to: None,
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
                warnings.push(loose_warning(path, mode, wanted));
            }
        };
        check(&self.dir, 0o700);
        if let Ok(ids) = self.ids() {
            // One stat a record: on every core, since a store holds years of them.
            let loose: Vec<(PathBuf, u32)> = ids
                .par_iter()
                .filter_map(|&id| {
                    let path = self.path_of(id);
                    loose_mode(&path, 0o600).map(|mode| (path, mode))
                })
                .collect();
            for (path, mode) in loose {
                warnings.push(loose_warning(&path, mode, 0o600));
            }
        }
        warnings
    }

    /// Writes the record `seal` makes for the next free place in the chain, retrying at the next
    /// place when another writer takes this one.
    fn append(&mut self, seal: &Seal<'_>) -> Result<Record> {
        for _ in 0..SAVE_ATTEMPTS {
            let (id, previous) = match &self.tip {
                Some((id, sha256)) => (id.next(), Some(sha256.clone())),
                None => match self.read_tip()? {
                    Some((id, sha256)) => (id.next(), Some(sha256)),
                    None => (RecordId(1), None),
                },
            };
            let record = seal(id, previous)?;
            let path = self.path_of(id);
            match write_new(&self.dir, &path, &record.to_bytes())? {
                Written::Done => {
                    self.tip = Some((id, record.sha256.clone()));
                    return Ok(record);
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
}

impl RecordStore for Store {
    fn location(&self) -> &StoreLocation {
        &self.location
    }

    fn locate(&self, id: RecordId) -> String {
        self.path_of(id).display().to_string()
    }

    fn ids(&mut self) -> Result<Vec<RecordId>> {
        Store::ids(self)
    }

    fn read_raw(&mut self, id: RecordId) -> Result<Option<Vec<u8>>> {
        let path = self.path_of(id);
        match fs::read(&path) {
            Ok(bytes) => Ok(Some(bytes)),
            Err(error) if error.kind() == io::ErrorKind::NotFound => Ok(None),
            Err(source) => Err(Error::io(path, source)),
        }
    }

    fn read_page(&mut self, after: Option<RecordId>, limit: usize) -> Result<Vec<RawRecord>> {
        if after.is_none() || after != self.listed_to {
            self.listing = Store::ids(self)?;
        }
        let start = after.map_or(0, |after| self.listing.partition_point(|id| *id <= after));
        let end = (start + limit).min(self.listing.len());
        self.listed_to = end
            .checked_sub(1)
            .and_then(|last| self.listing.get(last).copied());
        // Files are read on every core: with a warm cache, reading is mostly the copy.
        self.listing[start..end]
            .par_iter()
            .map(|&id| {
                let path = self.path_of(id);
                fs::read(&path)
                    .map(|bytes| RawRecord { id, bytes })
                    .map_err(|source| Error::io(path, source))
            })
            .collect()
    }

    fn append_sealed(&mut self, seal: &Seal<'_>) -> Result<Record> {
        self.append(seal)
    }

    fn put_ruleset_files(&mut self, rules: &RuleSet) -> Result<()> {
        let target = self.ruleset_dir(&rules.id.sha256);
        if !target.exists() {
            write_ruleset_copy(&self.dir.join(RULESETS_DIR), &target, &rules.files)?;
        }
        Ok(())
    }

    fn ruleset_files(&mut self, sha256: &str) -> Result<Option<RuleFiles>> {
        let dir = self.ruleset_dir(sha256);
        if !dir.is_dir() {
            return Ok(None);
        }
        crate::files::read_rule_files(&dir).map(Some)
    }

    fn ruleset_origin(&self, sha256: &str) -> String {
        self.ruleset_dir(sha256).display().to_string()
    }

    fn loaded_rulesets(&mut self) -> &mut HashMap<String, Arc<RuleSet>> {
        &mut self.rulesets
    }

    fn leftovers(&mut self) -> Result<Vec<PathBuf>> {
        Store::leftovers(self)
    }

    fn permission_warnings(&mut self) -> Vec<String> {
        Store::permission_warnings(self)
    }

    fn contains(&mut self, id: RecordId) -> Result<bool> {
        Ok(self.path_of(id).exists())
    }
}

/// Reads a record file and checks it; problems name the file.
pub fn read_record(path: &Path) -> Result<Record> {
    // Through the bounded reader (issue 19): a record over its size limit is refused unread.
    let bytes = crate::files::read_bytes(path, crate::input::InputKind::Record)?;
    checked(&path.display().to_string(), Record::from_bytes(&bytes))
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
fn loose_warning(path: &Path, mode: u32, wanted: u32) -> String {
    format!(
        "{} can be read by others (mode {mode:o}); fix: chmod {wanted:o} {}",
        path.display(),
        path.display()
    )
}

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
