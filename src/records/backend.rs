//! The store interface: the only way commands reach records, whatever keeps them.
//!
//! Two backends implement [`RecordStore`]: the folder store ([`super::store::Store`], the
//! embedded default, one file per record) and the team store ([`super::postgres::PgStore`],
//! PostgreSQL). A backend provides a few primitives (read a page of records in chain order,
//! append a sealed record at the tip, keep and load rule set copies); everything that decides
//! something about records (what a save checks first, how the chain is verified, how a record
//! is replayed or compared under new rules) is written once here, so both backends give the
//! same answers and the same messages.
//!
//! Invariants every backend keeps:
//! - records are append-only: nothing is ever changed or removed once written;
//! - record ids count up from 1 with no gaps, and each record names the sha256 of the one before
//!   (`previous`); an append seals the record for the place it takes, and two writers never take
//!   the same place (the folder links files without replacing; PostgreSQL serialises appends);
//! - a record's bytes are the canonical JSON the folder store writes, so a copy between backends
//!   keeps every hash;
//! - rule set copies are content-addressed by their sha256 and checked against it when loaded.

use std::collections::HashMap;
use std::fmt;
use std::ops::ControlFlow;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;

use crate::error::{Error, Problem, Result};
use crate::rules::{RuleFiles, RuleSet, RuleSetId};
use crate::source::Position;

use super::replay::{checked_assessment, recompute, replay, Impact, Replay};
use super::{Draft, FollowUpDraft, Record, RecordError, RecordId, StatusDraft};

/// How many records a scan reads, checks and works on at a time: enough for every core to have
/// work, few enough that memory stays flat however large the store grows.
pub const PAGE: usize = 1024;

/// Where a store is: a folder, or a PostgreSQL database named by a `postgresql://` URL.
#[derive(Clone, PartialEq, Eq)]
pub enum StoreLocation {
    /// A folder of record files (the default, `formulations/`).
    Folder(PathBuf),
    /// A PostgreSQL connection URL (`postgresql://` or `postgres://`), as libpq reads it.
    Postgres(String),
}

impl StoreLocation {
    /// Reads `--store` or `SICOL_STORE`: a `postgresql://` URL names a team store, anything else
    /// a folder.
    pub fn parse(text: &str) -> StoreLocation {
        if text.starts_with("postgresql://") || text.starts_with("postgres://") {
            StoreLocation::Postgres(text.to_owned())
        } else {
            StoreLocation::Folder(PathBuf::from(text))
        }
    }

    /// The folder, for a folder store.
    pub fn folder(&self) -> Option<&Path> {
        match self {
            StoreLocation::Folder(dir) => Some(dir),
            StoreLocation::Postgres(_) => None,
        }
    }
}

impl fmt::Display for StoreLocation {
    /// The folder as given, or the URL without its password, so a message or a report never
    /// shows a secret.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StoreLocation::Folder(dir) => write!(f, "{}", dir.display()),
            StoreLocation::Postgres(url) => write!(f, "{}", super::postgres::redacted(url)),
        }
    }
}

impl fmt::Debug for StoreLocation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "StoreLocation({self})")
    }
}

/// One record's bytes as stored, not yet checked.
#[derive(Debug, Clone)]
pub struct RawRecord {
    /// The place the store keeps it at (a file name, a key).
    pub id: RecordId,
    /// The record's canonical JSON, as written.
    pub bytes: Vec<u8>,
}

/// What [`for_each_page`] does with each page: it is given the store and the page's records,
/// and breaks to stop.
pub type PageWork<'a, S> = dyn FnMut(&mut S, Vec<Checked>) -> Result<ControlFlow<()>> + 'a;

/// Makes the record for a place in the chain: given the id and the previous record's sha256.
pub type Seal<'a> = dyn Fn(RecordId, Option<String>) -> Result<Record> + 'a;

/// A record read back and checked, or why it cannot be trusted.
pub type Checked = (RecordId, std::result::Result<Record, RecordError>);

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

/// A store of records. Commands reach records only through this trait; see the module
/// documentation for the invariants every backend keeps.
pub trait RecordStore: Send {
    /// Where the store is.
    fn location(&self) -> &StoreLocation;

    /// Where one record is, for messages and listings: its file for a folder store.
    fn locate(&self, id: RecordId) -> String;

    /// Every record's id, in chain order.
    fn ids(&mut self) -> Result<Vec<RecordId>>;

    /// The bytes of one record as stored; `None` when there is no record `id`.
    fn read_raw(&mut self, id: RecordId) -> Result<Option<Vec<u8>>>;

    /// Up to `limit` records after `after` (from the first when `None`), in chain order.
    fn read_page(&mut self, after: Option<RecordId>, limit: usize) -> Result<Vec<RawRecord>>;

    /// Writes the record `seal` makes for the next place in the chain (it is given the id and
    /// the previous record's sha256) and returns it. Never overwrites; two writers never take
    /// the same place.
    /// `seal` may refuse the place (a copy must land where it was), and then nothing is written.
    fn append_sealed(&mut self, seal: &Seal<'_>) -> Result<Record>;

    /// Keeps a copy of the rule set's files, unless one is kept already.
    fn put_ruleset_files(&mut self, rules: &RuleSet) -> Result<()>;

    /// The kept copy of rule set `sha256`, or `None` when the store has none.
    fn ruleset_files(&mut self, sha256: &str) -> Result<Option<RuleFiles>>;

    /// Where the copy of rule set `sha256` is, for messages.
    fn ruleset_origin(&self, sha256: &str) -> String;

    /// Rule sets already loaded and checked, by sha256 (a per-handle cache).
    fn loaded_rulesets(&mut self) -> &mut HashMap<String, Arc<RuleSet>>;

    /// Appends records that already carry their place and link (a copy of another store), in
    /// order. Each must land exactly where it says; if another writer took a place, the copy
    /// stops there and nothing more is written.
    fn append_copies(&mut self, records: &[Record]) -> Result<()> {
        let target = self.location().to_string();
        for record in records {
            self.append_sealed(&|at, previous| {
                if at == record.id && previous == record.previous {
                    return Ok(record.clone());
                }
                Err(misplaced(&target, record.id, at))
            })?;
        }
        Ok(())
    }

    /// Unfinished writes a crash left behind (only a folder store can have any).
    fn leftovers(&mut self) -> Result<Vec<PathBuf>> {
        Ok(Vec::new())
    }

    /// Warnings about who else can read the store (a folder's file modes).
    fn permission_warnings(&mut self) -> Vec<String> {
        Vec::new()
    }

    /// Reads a record and checks that it is exactly as written.
    fn read(&mut self, id: RecordId) -> Result<Record> {
        let origin = self.locate(id);
        match self.read_raw(id)? {
            Some(bytes) => checked(&origin, Record::from_bytes(&bytes)),
            None => Err(Problem::new(
                origin,
                Position::default(),
                "",
                format!("there is no record {id} in this store"),
            )
            .with_hint("give a record id that `sicol verify` counts, such as 00000003")
            .into()),
        }
    }

    /// Whether there is a record `id`.
    fn contains(&mut self, id: RecordId) -> Result<bool> {
        Ok(self.read_raw(id)?.is_some())
    }

    /// Saves a new record made with `rules` (whose copy is kept first) and returns it. Never
    /// overwrites: the record takes the next free place in the chain.
    fn save(&mut self, draft: &Draft<'_>, rules: &RuleSet) -> Result<Record> {
        self.keep_ruleset(rules)?;
        if let Some(replaced) = draft.supersedes {
            self.check_supersedes(replaced, &draft.assessment.id)?;
        }
        self.append_sealed(&|id, previous| Ok(draft.seal(id, previous)))
    }

    /// Appends a follow-up record after checking that the record it follows is an assessment
    /// record of the same case in this store.
    fn save_follow_up(&mut self, draft: &FollowUpDraft) -> Result<Record> {
        let follows = draft.follow_up.follows;
        let shown = self.locate(follows);
        if !self.contains(follows)? {
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
        self.append_sealed(&|id, previous| Ok(draft.seal(id, previous)))
    }

    /// Appends a referral status record after checking that the record it follows is an
    /// assessment record of the same case in this store.
    fn save_referral_status(&mut self, draft: &StatusDraft) -> Result<Record> {
        let follows = draft.status.follows;
        let shown = self.locate(follows);
        let followed = if self.contains(follows)? {
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
        self.append_sealed(&|id, previous| Ok(draft.seal(id, previous)))
    }

    /// Checks that `replaced` is an assessment record of `case`, so a revision supersedes it.
    fn check_supersedes(&mut self, replaced: RecordId, case: &str) -> Result<()> {
        let shown = self.locate(replaced);
        let problem = |message: String, hint: &str| -> Error {
            Problem::new(&shown, Position::default(), "supersedes", message)
                .with_hint(hint)
                .into()
        };
        if !self.contains(replaced)? {
            return Err(problem(
                format!("there is no record {replaced} to supersede"),
                "give the id of a record in this store, such as 00000003",
            ));
        }
        let record = self.read(replaced)?;
        if !record.is_assessment() {
            return Err(problem(
                format!("record {replaced} is a follow-up or a referral status, not an assessment"),
                "a revision supersedes an earlier assessment record of the same case",
            ));
        }
        if record.case() != case {
            return Err(problem(
                format!("record {replaced} is case {}, not {case}", record.case()),
                "a revision supersedes an earlier record of the same case",
            ));
        }
        Ok(())
    }

    /// Keeps a copy of the rule set unless there is one already, and checks it.
    fn keep_ruleset(&mut self, rules: &RuleSet) -> Result<()> {
        if self.loaded_rulesets().contains_key(&rules.id.sha256) {
            return Ok(());
        }
        self.put_ruleset_files(rules)?;
        // Whether just written or already there, it must be the same rule set.
        self.ruleset(&rules.id)?;
        Ok(())
    }

    /// The rule set a record was made with, from the store's copy, checked against its hash.
    fn ruleset(&mut self, id: &RuleSetId) -> Result<Arc<RuleSet>> {
        if let Some(rules) = self.loaded_rulesets().get(&id.sha256) {
            return Ok(Arc::clone(rules));
        }
        let origin = self.ruleset_origin(&id.sha256);
        let files = if is_hex_digest(&id.sha256) {
            self.ruleset_files(&id.sha256)?
        } else {
            None
        };
        let Some(files) = files else {
            return Err(Problem::new(
                origin,
                Position::default(),
                "",
                format!("the copy of rule set {} {} is missing", id.name, id.version),
            )
            .with_hint(
                "restore the store's rule set copies from a backup, or replay with --rules DIR",
            )
            .into());
        };
        let rules = RuleSet::from_files(&files)?;
        if rules.id.sha256 != id.sha256 {
            return Err(Problem::new(
                origin,
                Position::default(),
                "",
                format!(
                    "the copy of rule set {} {} was altered: its files hash to {}",
                    id.name, id.version, rules.id.sha256
                ),
            )
            .with_hint("restore the store's rule set copies from a backup")
            .into());
        }
        let rules = Arc::new(rules);
        self.loaded_rulesets()
            .insert(id.sha256.clone(), Arc::clone(&rules));
        Ok(rules)
    }

    /// Replays a record under `rules`, or, when none is given, under the store's copy of the
    /// rule set it was made with (where only an exact match will do).
    fn replay(&mut self, record: &Record, rules: Option<&RuleSet>) -> Result<Replay> {
        let rules = match rules {
            Some(rules) => return Ok(replay(record, rules)?),
            None => self.ruleset(&record.ruleset)?,
        };
        Ok(replay(record, &rules)?)
    }

    /// Adds one record to a rule-change impact, compared with the rules it was made with (see
    /// [`compare_for_impact`]).
    fn add_to_impact(&mut self, id: RecordId, new: &RuleSet, impact: &mut Impact) {
        self.add_to_impact_against(id, None, new, impact);
    }

    /// As [`RecordStore::add_to_impact`], comparing against `current` (the rules deployed now)
    /// when given, instead of the rules each record was made with.
    fn add_to_impact_against(
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
        let own = match current {
            None if record.is_assessment() => self.ruleset(&record.ruleset).ok(),
            _ => None,
        };
        compare_for_impact(&record, own.as_deref(), current, new).add_to(&record, new, impact);
    }

    /// Checks the chain from the first record: each present, unaltered, in its place, linked to
    /// the one before, and made with a rule set whose copy is in the store. Stops at the first
    /// problem, since everything after a broken link is in doubt. Records are checked on every
    /// core, a page at a time.
    fn verify(&mut self) -> Result<Verification> {
        let mut chain = ChainCheck::new(self.leftovers()?, false);
        for_each_page_checked(self, &mut chain, &mut |_, _| Ok(ControlFlow::Continue(())))?;
        Ok(chain.finish())
    }
}

/// The chain check of `verify`, made record by record as a scan reads the store, so that a
/// command that reads every record anyway (replay, report, rules impact) checks the chain in the
/// same pass instead of reading the store twice (see [`for_each_page_checked`]).
#[derive(Debug)]
pub struct ChainCheck {
    verification: Verification,
    expected: RecordId,
    /// Whether the scan goes on past a broken link (`--forensic`).
    go_on_when_broken: bool,
}

impl ChainCheck {
    /// A check from the first record; `leftovers` are the unfinished writes the store holds,
    /// reported with the outcome.
    pub fn new(leftovers: Vec<PathBuf>, go_on_when_broken: bool) -> ChainCheck {
        ChainCheck {
            verification: Verification {
                good: 0,
                tip: None,
                broken: None,
                leftovers,
            },
            expected: RecordId(1),
            go_on_when_broken,
        }
    }

    /// Whether a link was found broken so far.
    pub fn is_broken(&self) -> bool {
        self.verification.broken.is_some()
    }

    /// The outcome: the chain up to the first problem.
    pub fn finish(self) -> Verification {
        self.verification
    }

    /// Checks the next records in chain order, up to the first problem (records after a broken
    /// link are not checked). Breaks when the chain is broken and the scan should stop.
    fn check_page<S: RecordStore + ?Sized>(
        &mut self,
        store: &mut S,
        page: &[Checked],
    ) -> ControlFlow<()> {
        for (id, record) in page {
            if self.is_broken() {
                break;
            }
            if let Some(problem) = self.check(store, *id, record) {
                self.verification.broken = Some(problem);
            }
        }
        match self.is_broken() && !self.go_on_when_broken {
            true => ControlFlow::Break(()),
            false => ControlFlow::Continue(()),
        }
    }

    /// Checks one record: what is wrong with it, if anything.
    fn check<S: RecordStore + ?Sized>(
        &mut self,
        store: &mut S,
        id: RecordId,
        record: &std::result::Result<Record, RecordError>,
    ) -> Option<Problem> {
        // Where the record is, named only in a problem (most records have none).
        let display = || store.locate(id);
        let problem = |message: String, hint: &str| {
            Some(Problem::new(display(), Position::default(), "", message).with_hint(hint))
        };
        let verification = &mut self.verification;
        if id != self.expected {
            let before = verification
                .tip
                .as_ref()
                .map_or("the start".to_owned(), |(tip, _)| format!("record {tip}"));
            return problem(
                format!(
                    "missing link: record {} is absent ({id} follows {before})",
                    self.expected
                ),
                "restore the missing record from a backup; records are never deleted",
            );
        }
        let record = match record {
            Ok(record) => record,
            Err(error) => {
                let display = display();
                return Some(problem_of(damaged(&display, error.clone()), &display));
            }
        };
        let previous = verification.tip.as_ref().map(|(_, sha256)| sha256.as_str());
        if record.id != id {
            return problem(
                format!("the file holds record {}, not {id}", record.id),
                "records must not be renamed; restore the original file name",
            );
        }
        if record.previous.as_deref() != previous {
            return problem(
                format!(
                    "broken link: it names the previous record's sha256 as {}, but that record's is {}",
                    record.previous.as_deref().unwrap_or("(none)"),
                    previous.unwrap_or("(none, it is the first)")
                ),
                "a record before it was rewritten, removed or put in its place; restore the store from a backup",
            );
        }
        if let Err(error) = store.ruleset(&record.ruleset) {
            return Some(problem_of(error, &store.locate(id)));
        }
        verification.good += 1;
        verification.tip = Some((id, record.sha256.clone()));
        self.expected = id.next();
        None
    }
}

/// As [`for_each_page`], checking the chain as it goes (see [`ChainCheck`]): each page is
/// checked before `work` sees it, and the scan stops at a broken link unless the check goes on
/// past one. The caller reads the outcome from `chain` once the scan is done.
pub fn for_each_page_checked<S: RecordStore + ?Sized>(
    store: &mut S,
    chain: &mut ChainCheck,
    work: &mut PageWork<'_, S>,
) -> Result<()> {
    for_each_page(store, &mut |store, page| {
        if chain.check_page(store, &page).is_break() {
            return Ok(ControlFlow::Break(()));
        }
        work(store, page)
    })
}

/// Reads every record of `store` in chain order a page at a time, checks each page's records on
/// every core while the next page is read, and hands each page to `work` with the store (to load
/// rule sets from), until `work` breaks. Memory holds two pages, never the store.
pub fn for_each_page<S: RecordStore + ?Sized>(
    store: &mut S,
    work: &mut PageWork<'_, S>,
) -> Result<()> {
    for_each_page_after(store, None, work)
}

/// As [`for_each_page`], from the record after `after` (from the first when `None`).
pub fn for_each_page_after<S: RecordStore + ?Sized>(
    store: &mut S,
    mut after: Option<RecordId>,
    work: &mut PageWork<'_, S>,
) -> Result<()> {
    let mut page = store.read_page(after, PAGE)?;
    loop {
        let Some(last) = page.last() else {
            return Ok(());
        };
        after = Some(last.id);
        // The next page is read while this one is checked on the other cores: a team store's
        // query then waits on the network while the records already here are checked.
        let mut checked: Vec<Checked> = Vec::new();
        let next = rayon::in_place_scope(|scope| {
            let checked = &mut checked;
            scope.spawn(move |_| {
                *checked = page
                    .into_par_iter()
                    .map(|raw| (raw.id, Record::from_bytes(&raw.bytes)))
                    .collect();
            });
            store.read_page(after, PAGE)
        });
        if work(store, checked)?.is_break() {
            return Ok(());
        }
        page = next?;
    }
}

/// Every record after `after` (from the first when `None`), checked, in chain order, to
/// `visit` until it breaks; a damaged record is an error naming it.
pub fn for_each_record<S: RecordStore + ?Sized>(
    store: &mut S,
    after: Option<RecordId>,
    visit: &mut dyn FnMut(Record) -> ControlFlow<()>,
) -> Result<()> {
    for_each_page_after(store, after, &mut |store, page| {
        for (id, record) in page {
            if visit(checked(&store.locate(id), record)?).is_break() {
                return Ok(ControlFlow::Break(()));
            }
        }
        Ok(ControlFlow::Continue(()))
    })
}

/// Loads, once per page, the rule set copy of every assessment record on it, so the page can
/// then be worked on in parallel without the store. A copy that cannot be loaded is kept as why.
pub fn rulesets_of<S: RecordStore + ?Sized>(
    store: &mut S,
    page: &[Checked],
) -> HashMap<String, std::result::Result<Arc<RuleSet>, String>> {
    let mut found = HashMap::new();
    for (_, record) in page {
        let Ok(record) = record else { continue };
        if !record.is_assessment() || found.contains_key(&record.ruleset.sha256) {
            continue;
        }
        let loaded = store
            .ruleset(&record.ruleset)
            .map_err(|error| error.to_string());
        found.insert(record.ruleset.sha256.clone(), loaded);
    }
    found
}

/// Adds one record to a rule-change impact: its outcome under `current` (the rules deployed
/// now) when given, else under the rules it was made with (`own`, from [`rulesets_of`]),
/// against its outcome under `new`. A record whose own rules no longer reproduce it is compared
/// from the recomputed outcome and noted as drifted; one without its rule set copy is compared
/// from the recorded outcome. Follow-up records hold no outcome of the rules and are passed over.
/// Pure, so pages of records are compared in parallel and added in chain order.
pub fn compare_for_impact(
    record: &Record,
    own: Option<&RuleSet>,
    current: Option<&RuleSet>,
    new: &RuleSet,
) -> ImpactEntry {
    if !record.is_assessment() {
        return ImpactEntry::Passed;
    }
    if let Some(current) = current {
        return compare_recomputed(record, current, new);
    }
    let mut drifted = false;
    let mut own_missing = false;
    let baseline = match own.map(|own| replay(record, own)) {
        Some(Ok(own)) => {
            drifted = !own.drift.is_empty();
            own.recomputed.into_value()
        }
        _ => {
            own_missing = true;
            record.formulation.value().clone()
        }
    };
    match recompute(record, new) {
        Ok(outcome) => ImpactEntry::Compared {
            baseline,
            outcome,
            drifted,
            own_missing,
        },
        Err(problems) => ImpactEntry::Failed(problems.to_string()),
    }
}

/// A record's outcome under `current` against its outcome under `new`, both recomputed. The
/// assessment is checked once when both rule sets share a vocabulary, and the two formulations
/// are compared as they are (apart from naming their rule sets, which differ by definition)
/// before any JSON is made: nearly every case is unchanged, and then needs none.
fn compare_recomputed(record: &Record, current: &RuleSet, new: &RuleSet) -> ImpactEntry {
    let checked = match checked_assessment(record, &current.vocabulary) {
        Ok(checked) => checked,
        Err(problems) => return ImpactEntry::Failed(problems.to_string()),
    };
    let baseline = crate::evaluate(current, &checked);
    let checked_new = if new.same_vocabulary(current) {
        checked
    } else {
        match checked_assessment(record, &new.vocabulary) {
            Ok(checked) => checked,
            Err(problems) => return ImpactEntry::Failed(problems.to_string()),
        }
    };
    let mut outcome = crate::evaluate(new, &checked_new);
    let named = std::mem::replace(&mut outcome.ruleset, baseline.ruleset.clone());
    let unchanged = outcome == baseline;
    outcome.ruleset = named;
    if unchanged {
        return ImpactEntry::Unchanged;
    }
    ImpactEntry::Compared {
        baseline: super::to_value(&baseline),
        outcome: super::to_value(&outcome),
        drifted: false,
        own_missing: false,
    }
}

/// How `new` moves the records of `store` (see [`compare_for_impact`]), compared a page at a
/// time on every core and added in chain order, with the chain checked in the same pass (read
/// `chain` before trusting the impact); `progress` hears how many records each page held.
pub fn impact_of<S: RecordStore + ?Sized>(
    store: &mut S,
    chain: &mut ChainCheck,
    current: Option<&RuleSet>,
    new: &RuleSet,
    progress: &mut dyn FnMut(usize),
) -> Result<Impact> {
    let mut impact = Impact::default();
    for_each_page_checked(store, chain, &mut |store, page| {
        let own = match current {
            Some(_) => HashMap::new(),
            None => rulesets_of(store, &page),
        };
        let count = page.len();
        let compared: Vec<Compared> = page
            .into_par_iter()
            .map(|(id, record)| {
                let compared = record.map(|record| {
                    let own = own
                        .get(&record.ruleset.sha256)
                        .and_then(|own| own.as_ref().ok());
                    let entry = compare_for_impact(&record, own.map(Arc::as_ref), current, new);
                    (record, entry)
                });
                (id, compared)
            })
            .collect();
        for (id, compared) in compared {
            match compared {
                Ok((record, entry)) => entry.add_to(&record, new, &mut impact),
                Err(error) => impact.add_failed(id, damaged(&store.locate(id), error).to_string()),
            }
        }
        progress(count);
        Ok(ControlFlow::Continue(()))
    })?;
    impact.finish();
    Ok(impact)
}

/// One record compared for an impact, or why it cannot be trusted.
type Compared = (
    RecordId,
    std::result::Result<(Record, ImpactEntry), RecordError>,
);

/// What comparing one record for a rule-change impact gave (see [`compare_for_impact`]).
#[derive(Debug)]
pub enum ImpactEntry {
    /// Not an assessment record: nothing to compare.
    Passed,
    /// Could not be compared, with why.
    Failed(String),
    /// Compared, and its outcome is the same under both rule sets.
    Unchanged,
    /// Compared: the outcome before and after.
    Compared {
        /// The outcome under the rules compared against.
        baseline: serde_json::Value,
        /// The outcome under the new rules.
        outcome: serde_json::Value,
        /// Its own rules no longer reproduce it.
        drifted: bool,
        /// Its own rule set copy could not be loaded.
        own_missing: bool,
    },
}

impl ImpactEntry {
    /// Adds this comparison of `record` to `impact`.
    pub fn add_to(self, record: &Record, new: &RuleSet, impact: &mut Impact) {
        match self {
            ImpactEntry::Passed => {}
            ImpactEntry::Unchanged => {
                impact.note_supersedes(record);
                impact.add_unchanged(record);
            }
            ImpactEntry::Failed(why) => {
                impact.note_supersedes(record);
                impact.add_failed(record.id, why);
            }
            ImpactEntry::Compared {
                baseline,
                outcome,
                drifted,
                own_missing,
            } => {
                impact.note_supersedes(record);
                if drifted {
                    impact.add_drifted(record.id);
                }
                if own_missing {
                    impact.add_without_own_rules(record.id);
                }
                impact.add(record, &baseline, &outcome, new);
            }
        }
    }
}

/// A checked record, or its problem naming where it is.
pub fn checked(origin: &str, record: std::result::Result<Record, RecordError>) -> Result<Record> {
    record.map_err(|error| damaged(origin, error))
}

/// Why the record at `origin` cannot be trusted, with what to do about it.
pub fn damaged(origin: &str, error: RecordError) -> Error {
    Problem::new(origin, Position::default(), "", error.to_string())
        .with_hint("records are never edited; restore it from a backup, and record a correction as a revision (`sicol evaluate --save --supersedes ID`)")
        .into()
}

/// The first problem an error describes, naming `file` when it is an I/O or store error.
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
        Error::Store {
            store,
            message,
            hint,
            ..
        } => Problem::new(store, Position::default(), "", message).with_hint(hint),
    }
}

/// A copied record that would land at `at` instead of its own place `id`.
pub fn misplaced(store: &str, id: RecordId, at: RecordId) -> Error {
    Problem::new(
        store,
        Position::default(),
        "",
        format!("record {id} would land at {at}: another writer is saving into this store"),
    )
    .with_hint("copy into a store no one else is saving into")
    .into()
}

/// Whether `text` is a sha256 in hex, as a rule set copy's name must be.
pub fn is_hex_digest(text: &str) -> bool {
    text.len() == 64 && text.bytes().all(|byte| byte.is_ascii_hexdigit())
}

/// Opens the store at `location` for reading and appending. A folder store must exist; a team
/// store must have been made with `sicol store init`.
pub fn open(location: &StoreLocation) -> Result<Box<dyn RecordStore>> {
    match location {
        StoreLocation::Folder(dir) => Ok(Box::new(super::store::Store::open(dir)?)),
        StoreLocation::Postgres(url) => Ok(Box::new(super::postgres::PgStore::connect(url)?)),
    }
}

/// Opens the store at `location`, creating a folder store (mode 0700) if it does not exist.
pub fn create(location: &StoreLocation) -> Result<Box<dyn RecordStore>> {
    match location {
        StoreLocation::Folder(dir) => Ok(Box::new(super::store::Store::create(dir)?)),
        StoreLocation::Postgres(url) => Ok(Box::new(super::postgres::PgStore::connect(url)?)),
    }
}

/// What `sicol store copy` did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Copied {
    /// Records copied.
    pub records: usize,
    /// Rule set copies copied.
    pub rulesets: usize,
}

/// Copies every record of `from`, byte for byte, and every rule set copy they name, into the
/// empty store `to`; verifies `from` first, so a damaged store is never spread. Each record keeps
/// its id, link and hash, so `verify` and `replay` give the same results on both.
pub fn copy(from: &mut dyn RecordStore, to: &mut dyn RecordStore) -> Result<Copied> {
    let verification = from.verify()?;
    if let Some(problem) = verification.broken {
        return Err(problem
            .with_hint("the store to copy from is damaged; run `sicol verify` on it and restore it from a backup first")
            .into());
    }
    if !to.ids()?.is_empty() {
        return Err(Problem::new(
            to.location().to_string(),
            Position::default(),
            "",
            "this store already holds records, and a copy never mixes with them",
        )
        .with_hint("copy into a new folder, or a database just made with `sicol store init`")
        .into());
    }
    let mut copied = Copied {
        records: 0,
        rulesets: 0,
    };
    let mut kept: HashMap<String, ()> = HashMap::new();
    for_each_page(from, &mut |from, page| {
        for (_, record) in &page {
            let Ok(record) = record else { continue };
            if !kept.contains_key(&record.ruleset.sha256) {
                let rules = from.ruleset(&record.ruleset)?;
                to.keep_ruleset(&rules)?;
                kept.insert(record.ruleset.sha256.clone(), ());
                copied.rulesets += 1;
            }
        }
        let records: Vec<Record> = page
            .into_iter()
            .map(|(id, record)| checked(&from.locate(id), record))
            .collect::<Result<_>>()?;
        copied.records += records.len();
        to.append_copies(&records)?;
        Ok(ControlFlow::Continue(()))
    })?;
    Ok(copied)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_store_is_a_folder_unless_it_is_a_postgresql_url_and_never_shows_a_password() {
        assert_eq!(
            StoreLocation::parse("formulations"),
            StoreLocation::Folder(PathBuf::from("formulations"))
        );
        assert_eq!(
            StoreLocation::parse("postgres-notes/"),
            StoreLocation::Folder(PathBuf::from("postgres-notes/"))
        );
        let team = StoreLocation::parse("postgresql://amhp17:pw@db/sicol");
        assert!(team.folder().is_none());
        assert_eq!(team.to_string(), "postgresql://amhp17:***@db/sicol");
        assert_eq!(
            format!("{team:?}"),
            "StoreLocation(postgresql://amhp17:***@db/sicol)"
        );
        assert!(matches!(
            StoreLocation::parse("postgres://db/sicol"),
            StoreLocation::Postgres(_)
        ));
    }
}
