//! The assessment screen's state and how each key or click changes it (the "update" of an
//! Elm-style split; `view` draws it). Pure: no terminal, no clock, no files. What needs the
//! outside world — saving, quitting, dropping a draft — is returned as a [`Command`] for the
//! shell in `tui::run` to carry out.
//!
//! The formulation is re-evaluated on every change, so the pane beside the form is always the
//! formulation of exactly what is on screen.

use std::collections::BTreeMap;

use chrono::{DateTime, FixedOffset};
use ratatui::crossterm::event::{
    Event, KeyCode, KeyEvent, KeyEventKind, KeyModifiers, MouseButton, MouseEvent, MouseEventKind,
};
use ratatui::layout::{Position, Rect};
use serde::{Deserialize, Serialize};

use crate::error::Problem;
use crate::formulation::Formulation;
use crate::model::{
    Assessment, CapacityStatus, Choices, Decision, Gender, MhaDecision, MhaOutcome, Section,
    SelfCare, Trend, Vocabulary,
};
use crate::records::{RecordId, ReferralStatus};
use crate::rules::RuleSet;
use crate::tui::form::{section_of_field, FactorEntry, Form, StrengthEntry};
use crate::tui::form::{KNOWN_SETTINGS, OTHER_SETTING};
use crate::tui::input::{
    clean_paste, format_assessed_at, parse_assessed_at, parse_date, Edit, TextField,
    ASSESSED_AT_HELP, DATE_HELP, MAX_NOTE_CHARS,
};
use crate::tui::referrals::{referral_offers, ReferralOffer};
use crate::tui::store::{Draft, SavedTo};

/// The steps of an assessment, in the order they are usually taken (any order is allowed).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Step {
    /// Who the person is and how they came to be assessed.
    Person,
    /// Social stressors.
    Stressors,
    /// Medical factors.
    Medical,
    /// Strengths and the person's wishes.
    Strengths,
    /// The referrals the formulation offers, and what the person says to each.
    Referrals,
    /// What the assessment decided under the Mental Health Act, and whether the person agreed.
    Decision,
    /// Problems to fix, then save.
    Review,
}

impl Step {
    /// Every step in order.
    pub const ALL: [Step; 7] = [
        Step::Person,
        Step::Stressors,
        Step::Medical,
        Step::Strengths,
        Step::Referrals,
        Step::Decision,
        Step::Review,
    ];

    /// The step's title.
    pub fn title(self) -> &'static str {
        match self {
            Step::Person => "Person",
            Step::Stressors => "Stressors",
            Step::Medical => "Medical",
            Step::Strengths => "Strengths",
            Step::Referrals => "Referrals",
            Step::Decision => "Decision",
            Step::Review => "Review",
        }
    }

    /// Position in [`Step::ALL`].
    pub fn index(self) -> usize {
        Step::ALL.iter().position(|step| *step == self).unwrap_or(0)
    }

    /// The section of the assessment the step lists, if it is a list of kinds.
    pub fn section(self) -> Option<Section> {
        match self {
            Step::Stressors => Some(Section::Stressors),
            Step::Medical => Some(Section::Medical),
            Step::Strengths => Some(Section::Strengths),
            _ => None,
        }
    }

    /// The fields Tab moves between on this step.
    pub fn fields(self) -> &'static [Field] {
        match self {
            // Who the person is first; the assessor and the time, usually filled in already
            // (the config file, the clock), last, so Tab does not pass them on every case.
            Step::Person => &[
                Field::Id,
                Field::Age,
                Field::Gender,
                Field::Dependants,
                Field::Lives,
                Field::ReferralSource,
                Field::Setting,
                Field::SelfCare,
                Field::Capacity,
                Field::CapacityDecision,
                Field::Assessor,
                Field::AssessedAt,
            ],
            // The way an AMHP fills a factor in: kind and severity (the list), what they were
            // told (the note), then the dates, which are often left empty.
            Step::Stressors | Step::Medical => {
                &[Field::List, Field::Note, Field::Since, Field::Due]
            }
            Step::Strengths => &[Field::List, Field::Note, Field::Wishes],
            Step::Referrals => &[Field::List],
            Step::Decision => &[Field::MhaOutcome, Field::Agreed, Field::MhaNote],
            Step::Review => &[],
        }
    }
}

/// One place the assessor can put the cursor.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Field {
    /// Case id.
    Id,
    /// Assessor reference.
    Assessor,
    /// Assessment date and time.
    AssessedAt,
    /// Age.
    Age,
    /// Number of dependants.
    Dependants,
    /// Living situation (picked).
    Lives,
    /// Referral source (picked).
    ReferralSource,
    /// Setting.
    Setting,
    /// Whether the person can care for themselves (picked).
    SelfCare,
    /// The person's gender, for single-gender services only (picked).
    Gender,
    /// Mental capacity for the decision at hand (picked).
    Capacity,
    /// The decision capacity is about.
    CapacityDecision,
    /// The step's list (kinds recorded, or referrals offered).
    List,
    /// When the selected factor began.
    Since,
    /// When the selected factor lands.
    Due,
    /// Note on the selected entry.
    Note,
    /// The person's wishes.
    Wishes,
    /// The Mental Health Act outcome (picked).
    MhaOutcome,
    /// Whether the person agreed to the plan (picked).
    Agreed,
    /// The AMHP's note on the decision.
    MhaNote,
}

impl Field {
    /// The label shown beside the field.
    pub fn label(self) -> &'static str {
        match self {
            Field::Id => "Case id",
            Field::Assessor => "Assessor",
            Field::AssessedAt => "Assessed at",
            Field::Age => "Age",
            Field::Dependants => "Dependants",
            Field::Lives => "Lives",
            Field::ReferralSource => "Referred by",
            Field::Setting => "Setting",
            Field::SelfCare => "Self-care",
            Field::Gender => "Gender",
            Field::Capacity => "Capacity",
            Field::CapacityDecision => "  for",
            Field::List => "List",
            Field::Since => "Since",
            Field::Due => "Due",
            Field::Note => "Note",
            Field::Wishes => "Wishes",
            Field::MhaOutcome => "MHA outcome",
            Field::Agreed => "Agreed to plan",
            Field::MhaNote => "Note",
        }
    }

    /// Whether Enter opens a list to pick from rather than a text field.
    pub fn is_picked(self) -> bool {
        matches!(
            self,
            Field::Lives
                | Field::ReferralSource
                | Field::Setting
                | Field::SelfCare
                | Field::Gender
                | Field::Capacity
                | Field::MhaOutcome
                | Field::Agreed
        )
    }

    /// Whether the text may run over several lines (Ctrl-J inserts a line break).
    pub fn is_multiline(self) -> bool {
        matches!(self, Field::Note | Field::Wishes | Field::MhaNote)
    }

    /// Whether the field holds a date.
    pub fn is_date(self) -> bool {
        matches!(self, Field::Since | Field::Due)
    }
}

/// What a picker is choosing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PickFor {
    /// A kind to add to a section.
    Kind(Section),
    /// The living situation.
    Lives,
    /// The referral source.
    ReferralSource,
    /// Where the assessment takes place (a known setting, or other in the assessor's words).
    Setting,
    /// Whether the person can care for themselves.
    SelfCare,
    /// The person's gender.
    Gender,
    /// Mental capacity for the decision at hand.
    Capacity,
    /// The Mental Health Act outcome.
    MhaOutcome,
    /// Whether the person agreed to the plan.
    Agreed,
}

/// One thing a picker offers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PickItem {
    /// Vocabulary key (empty for "not known").
    pub key: String,
    /// Label.
    pub label: String,
    /// Description, if the vocabulary has one.
    pub description: String,
    /// Already recorded (picking it goes to the existing entry).
    pub recorded: bool,
}

/// A search-as-you-type list over the vocabulary.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Picker {
    /// What is being chosen.
    pub purpose: PickFor,
    /// What the assessor has typed.
    pub query: TextField,
    /// Every item, in vocabulary order.
    pub items: Vec<PickItem>,
    /// Indices into `items` that match the query, best first.
    pub matches: Vec<usize>,
    /// Index into `matches`.
    pub selected: usize,
}

impl Picker {
    fn new(purpose: PickFor, items: Vec<PickItem>) -> Self {
        let mut picker = Self {
            purpose,
            query: TextField::default(),
            items,
            matches: Vec::new(),
            selected: 0,
        };
        picker.filter();
        // A closed list opens on its current value, so Enter or Tab with nothing typed keeps it.
        if !matches!(purpose, PickFor::Kind(_)) {
            picker.selected = picker
                .matches
                .iter()
                .position(|index| picker.items[*index].recorded)
                .unwrap_or(0);
        }
        picker
    }

    /// Narrows the list to items whose key, label or description hold every word typed;
    /// label matches first, so `evic` puts Eviction on top.
    fn filter(&mut self) {
        let query = self.query.text().to_lowercase();
        let words: Vec<&str> = query.split_whitespace().collect();
        let mut scored: Vec<(u8, usize)> = self
            .items
            .iter()
            .enumerate()
            .filter_map(|(index, item)| {
                let label = item.label.to_lowercase();
                let key = item.key.replace('_', " ");
                let haystack = format!("{label} {key} {}", item.description.to_lowercase());
                if !words.iter().all(|word| haystack.contains(word)) {
                    return None;
                }
                let rank = match words.first() {
                    None => 0,
                    Some(first) if label.starts_with(first) || key.starts_with(first) => 0,
                    Some(first) if label.contains(first) || key.contains(first) => 1,
                    Some(_) => 2,
                };
                Some((rank, index))
            })
            .collect();
        scored.sort();
        self.matches = scored.into_iter().map(|(_, index)| index).collect();
        self.selected = 0;
    }

    /// The item under the cursor.
    pub fn current(&self) -> Option<&PickItem> {
        self.matches
            .get(self.selected)
            .and_then(|index| self.items.get(*index))
    }
}

/// A window over the form that takes the keys until it is closed.
#[derive(Debug, Clone, PartialEq)]
pub enum Overlay {
    /// Every key, by screen.
    Help,
    /// Choosing from the vocabulary.
    Picker(Picker),
    /// Choosing a severity for a factor, with the vocabulary's anchors.
    Severity {
        /// Stressors or medical.
        section: Section,
        /// Which entry.
        index: usize,
        /// The severity under the cursor.
        cursor: u8,
    },
    /// Every weighed factor with its rule and reason, and how urgency was decided.
    Trace {
        /// Index into the factors sorted by weight.
        selected: usize,
    },
    /// Quit with unsaved work?
    ConfirmQuit,
    /// The assessment time typed is later than now: keep it, or change it?
    ConfirmFuture {
        /// The time as read.
        at: DateTime<FixedOffset>,
        /// How far ahead of the clock it is, in words ("in 3 hours").
        ahead: String,
    },
    /// Remove an entry?
    ConfirmRemove {
        /// Stressors, medical or strengths.
        section: Section,
        /// Which entry.
        index: usize,
    },
    /// Drafts from earlier sessions, newest first, to resume or discard.
    Drafts {
        /// Each draft's file name in the drafts folder, with what it holds.
        drafts: Vec<(String, Draft)>,
        /// Index into `drafts`.
        selected: usize,
        /// Asking "discard this draft?" about the selected one.
        confirm_discard: bool,
    },
    /// What a field accepts (F1 while editing it); any key closes it and editing goes on.
    Forms {
        /// The field's name.
        title: &'static str,
        /// One accepted form per line.
        lines: Vec<&'static str>,
    },
    /// The person declines a referral; their reason, if they give one.
    Reason {
        /// The referral's key.
        key: String,
        /// The reason as typed.
        reason: TextField,
    },
}

/// Something only the shell can do.
#[derive(Debug, Clone, PartialEq)]
pub enum Command {
    /// Nothing to do but redraw.
    None,
    /// Save this assessment and these choices, then call [`App::on_saved`].
    Save {
        /// The checked assessment.
        assessment: Box<Assessment>,
        /// The person's choices about the referrals now offered.
        choices: Choices,
        /// The Mental Health Act decision, if recorded.
        mha_decision: Option<MhaDecision>,
        /// The save this one revises (it supersedes it), if the assessment was saved before.
        revises: Option<SavedTo>,
    },
    /// Delete the named draft (the assessor chose not to resume it).
    DiscardDraft(String),
    /// Restore the terminal and exit.
    Quit,
}

/// Where a mouse click lands, as the view last drew it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// A step in the step bar.
    Step(Step),
    /// A field of the current step.
    Field(usize),
    /// A row of the current step's list.
    Row(usize),
    /// A row of the picker.
    PickerRow(usize),
    /// A row of the severity chooser.
    SeverityRow(u8),
    /// A row of the trace list.
    TraceRow(usize),
}

/// The clickable areas of the last frame.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Hitmap(pub Vec<(Rect, Target)>);

impl Hitmap {
    /// Records a clickable area.
    pub fn add(&mut self, area: Rect, target: Target) {
        self.0.push((area, target));
    }

    /// What is at a cell; the last drawn wins, so overlays beat what is under them.
    pub fn at(&self, column: u16, row: u16) -> Option<Target> {
        self.0
            .iter()
            .rev()
            .find(|(area, _)| area.contains(Position::new(column, row)))
            .map(|(_, target)| *target)
    }
}

/// How a session starts.
#[derive(Debug, Clone)]
pub struct Start {
    /// The assessment to start from: a `--case` file, or a fresh one stamped with the time now.
    pub assessment: Assessment,
    /// The `--case` file, if any.
    pub case_file: Option<String>,
    /// This session's draft file name.
    pub draft_name: String,
    /// Drafts from earlier sessions to offer, newest first, each with its file name.
    pub drafts: Vec<(String, Draft)>,
    /// The shell's clock when the session started: what `now` and `today` mean in "Assessed at".
    pub now: DateTime<FixedOffset>,
    /// A saved assessment opened for correction (`--revise`): where it was saved, with what
    /// the person chose and decided then. Saving supersedes it.
    pub revising: Option<Revising>,
}

/// A saved assessment opened again to correct it.
#[derive(Debug, Clone, PartialEq)]
pub struct Revising {
    /// Where it was saved.
    pub saved: SavedTo,
    /// The person's choices as saved.
    pub choices: Choices,
    /// The Mental Health Act decision as saved.
    pub mha_decision: Option<MhaDecision>,
    /// Where each referral of the saved case stands (`sicol referral-status`), by partner id:
    /// the latest status recorded against this record or any earlier revision of it.
    pub referral_statuses: BTreeMap<String, ReferralStatus>,
    /// The record `--revise` named, when it was revised since and its newest revision was
    /// opened instead (said on screen for as long as the session revises).
    pub asked_for: Option<RecordId>,
}

/// The whole state of the assessment screen.
#[derive(Debug)]
pub struct App<'r> {
    rules: &'r RuleSet,
    /// Everything entered.
    pub form: Form,
    /// The assessment time used while the typed one does not parse.
    pub fallback_at: DateTime<FixedOffset>,
    /// The person's choices about referrals.
    pub choices: Choices,
    /// The step on screen.
    pub step: Step,
    /// Index into the step's fields.
    pub focus: usize,
    /// Whether keys go into the focused text field.
    pub editing: bool,
    /// Selected row of each step's list, by step index.
    pub rows: [usize; 7],
    /// A window over the form, if one is open.
    pub overlay: Option<Overlay>,
    /// The formulation of what is on screen, as made (what a saved record keeps).
    pub formulation: Formulation,
    /// The same with its plan after the person's choices: a declined partner's needs gone to the
    /// next eligible partner or to a gap, a declined lead passed on. What the referrals step and
    /// the review show.
    pub plan: Formulation,
    /// The referrals it offers.
    pub offers: Vec<ReferralOffer>,
    /// What stops the assessment being saved.
    pub problems: Vec<Problem>,
    /// A one-line message for the assessor, cleared by the next key.
    pub status: Option<String>,
    /// Changed since the last save (or since the start).
    pub dirty: bool,
    /// Bumped on every change, so the shell knows when to write the draft.
    pub revision: u64,
    /// Where the last save went; a changed assessment saves as a revision of it.
    pub saved: Option<SavedTo>,
    /// Where each referral of a saved case stands, by partner id (empty for a new assessment).
    pub referral_statuses: BTreeMap<String, ReferralStatus>,
    /// The shell's clock at the start of the session (for `now` and `today`).
    pub now: DateTime<FixedOffset>,
    /// The clickable areas of the last frame (set by the shell after drawing).
    pub hitmap: Hitmap,
    /// This session's draft file name.
    pub draft_name: String,
    /// The `--case` file the session started from.
    pub case_file: Option<String>,
    /// Lines scrolled in the help or review text.
    pub scroll: u16,
    /// Typing replaces the focused field's text: it was just entered (Enter, Tab) and nothing
    /// but typing has happened since, as in the forms people know.
    pub replace_on_type: bool,
    /// The shell's clock now (set before each event), to tell a time in the future.
    pub clock: DateTime<FixedOffset>,
    /// Whether the session corrects a saved assessment (`--revise`, or a draft of one).
    pub revising: bool,
    /// The record `--revise` named when a newer revision of it was opened instead.
    pub revise_asked_for: Option<RecordId>,
    /// An assessment time in the future that the assessor said to keep.
    confirmed_future: Option<DateTime<FixedOffset>>,
    quit: bool,
}

/// Severity words, 0 to 3.
pub fn severity_word(severity: u8) -> &'static str {
    match severity {
        0 => "none",
        1 => "mild",
        2 => "moderate",
        _ => "severe",
    }
}

impl<'r> App<'r> {
    /// A session over `rules`, starting as `start` says.
    pub fn new(rules: &'r RuleSet, start: Start) -> Self {
        let fallback_at = start.assessment.assessed_at;
        let mut form = Form::from_assessment(&start.assessment);
        let revising = start.revising.is_some();
        let revise_asked_for = start.revising.as_ref().and_then(|r| r.asked_for);
        let (saved, choices, referral_statuses) = match start.revising {
            Some(revising) => {
                form.set_mha_decision(revising.mha_decision.as_ref());
                (
                    Some(revising.saved),
                    revising.choices,
                    revising.referral_statuses,
                )
            }
            None => (None, Choices::default(), BTreeMap::new()),
        };
        let assessment = form.to_assessment(fallback_at);
        let formulation = crate::evaluate(rules, &assessment);
        let mut app = Self {
            rules,
            form,
            fallback_at,
            choices,
            step: Step::Person,
            focus: 0,
            editing: false,
            rows: [0; 7],
            overlay: (!start.drafts.is_empty()).then_some(Overlay::Drafts {
                drafts: start.drafts,
                selected: 0,
                confirm_discard: false,
            }),
            plan: formulation.clone(),
            formulation,
            offers: Vec::new(),
            problems: Vec::new(),
            status: None,
            dirty: false,
            revision: 0,
            saved,
            referral_statuses,
            now: start.now,
            hitmap: Hitmap::default(),
            draft_name: start.draft_name,
            case_file: start.case_file,
            scroll: 0,
            replace_on_type: false,
            clock: start.now,
            revising,
            revise_asked_for,
            confirmed_future: None,
            quit: false,
        };
        app.refresh();
        app
    }

    /// The rule set in use.
    pub fn rules(&self) -> &'r RuleSet {
        self.rules
    }

    /// The vocabulary the form is written in.
    pub fn vocabulary(&self) -> &'r Vocabulary {
        &self.rules.vocabulary
    }

    /// Whether the session is over.
    pub fn should_quit(&self) -> bool {
        self.quit
    }

    /// The assessment as far as it reads now.
    pub fn assessment(&self) -> Assessment {
        self.form.to_assessment(self.fallback_at)
    }

    /// The draft to write now; `written_at` comes from the shell's clock.
    pub fn draft(&self, written_at: DateTime<FixedOffset>) -> Draft {
        Draft {
            case_file: self.case_file.clone(),
            written_at,
            assessed_at: self.fallback_at,
            step: self.step,
            form: self.form.clone(),
            choices: self.choices.clone(),
            revises: self.saved.clone(),
        }
    }

    /// Whether single-key commands (`t`, `a`, `0`-`3`) work now: not while typing, when they
    /// are text, nor under an overlay, which takes the keys. Hints that name such a key are
    /// shown only then.
    pub fn commands_work(&self) -> bool {
        !self.editing && self.overlay.is_none()
    }

    /// The field with the cursor.
    pub fn field(&self) -> Option<Field> {
        self.step.fields().get(self.focus).copied()
    }

    /// The selected row of the current step's list.
    pub fn row(&self) -> usize {
        self.rows[self.step.index()]
    }

    /// How many rows the current step's list has (the factor lists end with an "add" row).
    pub fn row_count(&self) -> usize {
        match self.step {
            Step::Stressors => self.form.stressors.len() + 1,
            Step::Medical => self.form.medical.len() + 1,
            Step::Strengths => self.form.strengths.len() + 1,
            Step::Referrals => self.offers.len(),
            Step::Person | Step::Decision | Step::Review => 0,
        }
    }

    /// The factor entry selected on a stressor or medical step.
    pub fn selected_factor(&self) -> Option<&FactorEntry> {
        let section = self.step.section()?;
        self.form.factors(section).get(self.row())
    }

    /// The strength selected on the strengths step.
    pub fn selected_strength(&self) -> Option<&StrengthEntry> {
        (self.step == Step::Strengths)
            .then(|| self.form.strengths.get(self.row()))
            .flatten()
    }

    /// Factors sorted heaviest first, as the trace lists them (indices into the formulation).
    pub fn factors_by_weight(&self) -> Vec<usize> {
        let mut order: Vec<usize> = (0..self.formulation.factors.len()).collect();
        order.sort_by(|a, b| {
            let (a, b) = (&self.formulation.factors[*a], &self.formulation.factors[*b]);
            b.weight.total_cmp(&a.weight)
        });
        order
    }

    /// Whether a step has something to fix.
    pub fn step_has_problems(&self, step: Step) -> bool {
        self.problems.iter().any(|problem| {
            let section = section_of_field(&problem.field);
            let decision = problem.field.starts_with("mha_decision");
            match step {
                Step::Person => section.is_none() && !decision,
                Step::Stressors | Step::Medical | Step::Strengths => section == step.section(),
                Step::Decision => decision,
                Step::Referrals | Step::Review => false,
            }
        })
    }

    /// The text field under the cursor, if it is one.
    pub fn text_field(&self, field: Field) -> Option<&TextField> {
        let row = self.row();
        match field {
            Field::Id => Some(&self.form.id),
            Field::Assessor => Some(&self.form.assessor),
            Field::AssessedAt => Some(&self.form.assessed_at),
            Field::Age => Some(&self.form.age),
            Field::Dependants => Some(&self.form.dependants),
            Field::Setting => Some(&self.form.setting),
            Field::CapacityDecision => Some(&self.form.capacity_decision),
            Field::Wishes => Some(&self.form.wishes),
            Field::MhaNote => Some(&self.form.mha_note),
            Field::Since => self.selected_factor().map(|entry| &entry.since),
            Field::Due => self.selected_factor().map(|entry| &entry.due),
            Field::Note => match self.step {
                Step::Strengths => self.form.strengths.get(row).map(|entry| &entry.note),
                _ => self.selected_factor().map(|entry| &entry.note),
            },
            Field::Lives
            | Field::ReferralSource
            | Field::SelfCare
            | Field::Gender
            | Field::Capacity
            | Field::MhaOutcome
            | Field::Agreed
            | Field::List => None,
        }
    }

    fn text_field_mut(&mut self, field: Field) -> Option<&mut TextField> {
        let row = self.row();
        let section = self.step.section();
        match field {
            Field::Id => Some(&mut self.form.id),
            Field::Assessor => Some(&mut self.form.assessor),
            Field::AssessedAt => Some(&mut self.form.assessed_at),
            Field::Age => Some(&mut self.form.age),
            Field::Dependants => Some(&mut self.form.dependants),
            Field::Setting => Some(&mut self.form.setting),
            Field::CapacityDecision => Some(&mut self.form.capacity_decision),
            Field::Wishes => Some(&mut self.form.wishes),
            Field::MhaNote => Some(&mut self.form.mha_note),
            Field::Since | Field::Due | Field::Note if self.step == Step::Strengths => (field
                == Field::Note)
                .then(|| {
                    self.form
                        .strengths
                        .get_mut(row)
                        .map(|entry| &mut entry.note)
                })
                .flatten(),
            Field::Since | Field::Due | Field::Note => {
                let entry = self.form.factors_mut(section?)?.get_mut(row)?;
                Some(match field {
                    Field::Since => &mut entry.since,
                    Field::Due => &mut entry.due,
                    _ => &mut entry.note,
                })
            }
            Field::Lives
            | Field::ReferralSource
            | Field::SelfCare
            | Field::Gender
            | Field::Capacity
            | Field::MhaOutcome
            | Field::Agreed
            | Field::List => None,
        }
    }

    /// Re-reads the form: assessment, formulation, offers and problems.
    fn refresh(&mut self) {
        let assessment = self.assessment();
        self.formulation = crate::evaluate(self.rules, &assessment);
        self.plan = self
            .formulation
            .with_choices(self.rules, &assessment, &self.choices);
        self.offers = referral_offers(&self.plan, self.vocabulary());
        let mut problems = self.form.problems(self.fallback_at);
        if let Err(found) = assessment.check(self.vocabulary()) {
            // The checks are written for files; the form has its own words for the same fixes,
            // and what the form already reports (an empty id) is not said twice.
            for problem in found.0 {
                let problem = crate::tui::form::in_form_words(problem);
                if !problems.iter().any(|known| known.field == problem.field) {
                    problems.push(problem);
                }
            }
        }
        self.problems = problems;
        let rows = self.row_count();
        let index = self.step.index();
        if rows > 0 && self.rows[index] >= rows {
            self.rows[index] = rows - 1;
        }
    }

    /// Something the assessor entered changed.
    fn changed(&mut self) {
        self.dirty = true;
        self.revision += 1;
        self.refresh();
    }

    /// Handles one terminal event and says what the shell must do.
    pub fn update(&mut self, event: &Event) -> Command {
        match event {
            Event::Key(key) if key.kind == KeyEventKind::Press => self.on_key(*key),
            Event::Mouse(mouse) => self.on_mouse(*mouse),
            Event::Paste(text) => {
                self.status = None;
                self.on_paste(text);
                Command::None
            }
            _ => Command::None,
        }
    }

    /// The shell reports how a save went.
    pub fn on_saved(&mut self, result: Result<SavedTo, String>) {
        match result {
            Ok(saved) => {
                let revised = self.saved.is_some();
                self.status = Some(format!(
                    "{} {}",
                    if revised { "revision saved:" } else { "saved:" },
                    saved.describe()
                ));
                self.saved = Some(saved);
                self.dirty = false;
            }
            Err(message) => {
                self.status = Some(format!(
                    "could not save: {message} (your work is kept in the draft)"
                ));
            }
        }
    }

    fn on_key(&mut self, key: KeyEvent) -> Command {
        self.status = None;
        let control = key.modifiers.contains(KeyModifiers::CONTROL);
        if control && key.code == KeyCode::Char('c') {
            return match self.overlay {
                Some(Overlay::ConfirmQuit) => self.finish(),
                _ => self.request_quit(),
            };
        }
        if control && key.code == KeyCode::Char('s') && !self.is_modal() {
            self.stop_editing();
            // A question about what was just typed (a time in the future) is answered first.
            if self.is_modal() {
                return Command::None;
            }
            return self.request_save();
        }
        if self.overlay.is_some() {
            return self.on_overlay_key(key);
        }
        if self.editing {
            return self.on_edit_key(key);
        }
        self.on_navigation_key(key)
    }

    /// Whether an overlay that must be answered first is open.
    fn is_modal(&self) -> bool {
        matches!(
            self.overlay,
            Some(
                Overlay::Drafts { .. }
                    | Overlay::ConfirmQuit
                    | Overlay::ConfirmRemove { .. }
                    | Overlay::ConfirmFuture { .. }
            )
        )
    }

    fn finish(&mut self) -> Command {
        self.quit = true;
        Command::Quit
    }

    fn request_quit(&mut self) -> Command {
        self.stop_editing();
        if self.dirty {
            self.overlay = Some(Overlay::ConfirmQuit);
            Command::None
        } else {
            self.finish()
        }
    }

    fn request_save(&mut self) -> Command {
        // Saved and unchanged since: saving again would only write a copy of the same record.
        if let (Some(saved), false) = (&self.saved, self.dirty) {
            self.status = Some(format!(
                "already saved ({}); change something to save a revision",
                saved.describe()
            ));
            return Command::None;
        }
        // A revision is of the same case; a different case is a new assessment, not a correction.
        if let Some(saved) = self.saved.as_ref().filter(|saved| {
            saved.record.is_some()
                && !saved.case.is_empty()
                && saved.case != self.form.id.text().trim()
        }) {
            self.status = Some(format!(
                "a correction keeps the case id {}: change it back (another case is a new assessment)",
                saved.case
            ));
            return Command::None;
        }
        if !self.problems.is_empty() {
            self.go_to(Step::Review);
            self.status = Some(format!(
                "{} to fix before saving (listed below)",
                plural(self.problems.len(), "problem")
            ));
            return Command::None;
        }
        let offered: Vec<&str> = self.offers.iter().map(|offer| offer.key.as_str()).collect();
        let choices = Choices(
            self.choices
                .0
                .iter()
                .filter(|choice| offered.contains(&choice.referral.as_str()))
                .cloned()
                .collect(),
        );
        Command::Save {
            assessment: Box::new(self.assessment()),
            choices,
            mha_decision: self.form.mha_decision(),
            revises: self.saved.clone(),
        }
    }

    fn go_to(&mut self, step: Step) {
        self.stop_editing();
        if self.step != step {
            self.step = step;
            self.focus = 0;
            self.scroll = 0;
        }
    }

    fn move_step(&mut self, forward: bool) {
        let index = self.step.index();
        let next = if forward {
            (index + 1).min(Step::ALL.len() - 1)
        } else {
            index.saturating_sub(1)
        };
        self.go_to(Step::ALL[next]);
    }

    fn move_focus(&mut self, forward: bool) {
        let count = self.step.fields().len();
        if count == 0 {
            return;
        }
        self.focus = if forward {
            (self.focus + 1) % count
        } else {
            (self.focus + count - 1) % count
        };
    }

    fn move_row(&mut self, delta: isize) {
        let rows = self.row_count();
        if rows == 0 {
            return;
        }
        let index = self.step.index();
        let row = self.rows[index] as isize + delta;
        self.rows[index] = row.clamp(0, rows as isize - 1) as usize;
        // The referral details below the list start at the top for each referral.
        self.scroll = 0;
    }

    fn start_editing(&mut self) {
        match self.field() {
            Some(field) if self.text_field(field).is_some() => self.enter_text_field(field),
            Some(Field::Since | Field::Due | Field::Note) => {
                self.status = Some(match self.step {
                    Step::Strengths => "add a strength first (a)".to_owned(),
                    _ => format!(
                        "add a {} first (a)",
                        self.step
                            .section()
                            .map_or("factor", |section| section.noun())
                    ),
                });
            }
            _ => {}
        }
    }

    /// Leaves a text field; a date typed the forgiving way is rewritten as the date it means.
    fn stop_editing(&mut self) {
        if !self.editing {
            return;
        }
        self.editing = false;
        self.replace_on_type = false;
        if self.field() == Some(Field::AssessedAt) {
            // `now`, `today 14:30` or `05/12/2026` become the time they mean, so the screen and
            // the record show one unambiguous time.
            let text = self.form.assessed_at.text().to_owned();
            if let Ok(at) = parse_assessed_at(&text, self.fallback_at, self.now) {
                let resolved = format_assessed_at(at);
                if resolved != text {
                    self.form.assessed_at.set(resolved);
                    self.changed();
                }
                // An assessment is recorded after it happens: a time ahead of the clock is
                // usually a slip (a wrong year, "today 21:40" meant yesterday), so ask.
                let ahead = at.signed_duration_since(self.clock);
                if ahead > chrono::Duration::minutes(FUTURE_SLACK_MINUTES)
                    && self.confirmed_future != Some(at)
                {
                    self.overlay = Some(Overlay::ConfirmFuture {
                        at,
                        ahead: time_ahead(ahead),
                    });
                }
            }
            return;
        }
        let Some(field) = self.field().filter(|field| field.is_date()) else {
            return;
        };
        let today = self.form.assessed_at_or(self.fallback_at).date_naive();
        let resolved = self
            .text_field(field)
            .and_then(TextField::value)
            .and_then(|text| parse_date(&text, today).ok())
            .map(|date| date.to_string());
        if let (Some(resolved), Some(text)) = (resolved, self.text_field_mut(field)) {
            if text.text() != resolved {
                text.set(resolved);
                self.changed();
            }
        }
    }

    fn on_edit_key(&mut self, key: KeyEvent) -> Command {
        let Some(field) = self.field() else {
            self.editing = false;
            return Command::None;
        };
        let control = key.modifiers.contains(KeyModifiers::CONTROL);
        // Alt-Enter and Shift-Enter where the terminal tells them apart; Ctrl-J everywhere.
        let new_line = (key.code == KeyCode::Enter
            && key
                .modifiers
                .intersects(KeyModifiers::ALT | KeyModifiers::SHIFT))
            || (control && key.code == KeyCode::Char('j'));
        let replace = std::mem::take(&mut self.replace_on_type);
        match key.code {
            // Ctrl-F too, for terminals that keep F1 for their own help.
            KeyCode::F(1) => {
                self.replace_on_type = replace;
                self.show_forms(field);
            }
            KeyCode::Char('f') if control => {
                self.replace_on_type = replace;
                self.show_forms(field);
            }
            _ if new_line && field.is_multiline() => {
                self.insert_text(field, "\n", replace);
            }
            KeyCode::Esc | KeyCode::Enter => self.stop_editing(),
            KeyCode::Tab | KeyCode::BackTab => {
                self.stop_editing();
                // A question about what was typed (a time in the future) comes first.
                if self.overlay.is_none() {
                    self.move_focus(key.code == KeyCode::Tab);
                    self.enter_field_quietly();
                }
            }
            KeyCode::Char(c) if !control && !key.modifiers.contains(KeyModifiers::ALT) => {
                self.insert_text(field, &c.to_string(), replace);
            }
            // Deleting with the text still selected deletes all of it, as in other forms.
            KeyCode::Backspace | KeyCode::Delete if replace => self.clear_field(field),
            _ => {
                let edit = self
                    .text_field_mut(field)
                    .map_or(Edit::Ignored, |text| text.handle_key(key, false));
                if edit == Edit::Changed {
                    self.changed();
                }
            }
        }
        Command::None
    }

    /// Puts typed or pasted text into a field at the cursor (replacing what was there when the
    /// field was just entered), unless it would take the field past [`MAX_NOTE_CHARS`]: then
    /// nothing goes in and the status says why.
    fn insert_text(&mut self, field: Field, text: &str, replace: bool) {
        let multiline = field.is_multiline();
        let Some(current) = self.text_field(field) else {
            return;
        };
        let kept = if replace { 0 } else { current.char_count() };
        let adding = clean_paste(text, multiline).chars().count();
        if kept + adding > MAX_NOTE_CHARS {
            self.status = Some(if adding > 1 {
                format!(
                    "not pasted: {} would make {} characters, and a field holds at most {MAX_NOTE_CHARS}; shorten the text and paste again",
                    plural(adding, "character"),
                    kept + adding
                )
            } else {
                format!(
                    "{} is full: a field holds at most {MAX_NOTE_CHARS} characters",
                    field.label().trim()
                )
            });
            self.replace_on_type = replace;
            return;
        }
        let Some(target) = self.text_field_mut(field) else {
            return;
        };
        if replace {
            target.clear();
        }
        if target.insert_str(text, multiline) == Edit::Changed || replace {
            self.changed();
        }
    }

    fn clear_field(&mut self, field: Field) {
        if let Some(text) = self.text_field_mut(field) {
            if !text.text().is_empty() {
                text.clear();
                self.changed();
            }
        }
    }

    /// A paste (bracketed paste: the whole text in one event) goes where typing would.
    fn on_paste(&mut self, text: &str) {
        match &mut self.overlay {
            Some(Overlay::Picker(picker)) => {
                if picker.query.insert_str(text, false) == Edit::Changed {
                    picker.filter();
                }
                return;
            }
            Some(Overlay::Reason { reason, .. }) => {
                let adding = clean_paste(text, false).chars().count();
                if reason.char_count() + adding > MAX_NOTE_CHARS {
                    self.status = Some(format!(
                        "not pasted: a reason holds at most {MAX_NOTE_CHARS} characters"
                    ));
                } else {
                    reason.insert_str(text, false);
                }
                return;
            }
            Some(_) => return,
            None => {}
        }
        if !self.editing {
            match self.field() {
                Some(field) if self.text_field(field).is_some() => self.enter_text_field(field),
                _ => {
                    self.status = Some(
                        "nothing to paste into here: move to a note or another text field first"
                            .into(),
                    );
                    return;
                }
            }
        }
        if let Some(field) = self.field() {
            let replace = std::mem::take(&mut self.replace_on_type);
            self.insert_text(field, text, replace);
        }
    }

    /// F1 inside a field: what it accepts, one form per line. F1 rather than `?`, which is
    /// text in a field.
    fn show_forms(&mut self, field: Field) {
        let (title, lines): (&'static str, Vec<&'static str>) = match field {
            Field::AssessedAt => (
                " Assessed at: what you can type ",
                ASSESSED_AT_HELP.to_vec(),
            ),
            Field::Since | Field::Due => (" Dates: what you can type ", DATE_HELP.to_vec()),
            Field::Age => (
                " Age ",
                vec!["whole years, 0 to 120", "leave empty if not known"],
            ),
            Field::Dependants => (
                " Dependants ",
                vec![
                    "how many people the person cares for: 0 if none",
                    "leave empty if not known",
                ],
            ),
            _ => (
                " Editing ",
                vec![
                    "type freely; Enter or Esc when done",
                    "Ctrl-J: a new line (in notes, wishes and the decision's note)",
                    "Tab: done, and go on to the next field",
                    "typing into a field just entered replaces its text; ← → keep it",
                    "Ctrl-A / Ctrl-E: start / end of line",
                    "Ctrl-U / Ctrl-W: delete to start of line / previous word",
                ],
            ),
        };
        self.overlay = Some(Overlay::Forms { title, lines });
    }

    /// Starts editing a text field; a one-line field with text in it is selected, so that
    /// typing replaces it (notes keep their text: the cursor goes to the end).
    fn enter_text_field(&mut self, field: Field) {
        self.editing = true;
        self.replace_on_type =
            !field.is_multiline() && self.text_field(field).is_some_and(|text| !text.is_blank());
    }

    /// Tab from one field into the next carries on entering: a text field is edited, a list is
    /// opened to choose from, for quick entry.
    fn enter_field_quietly(&mut self) {
        let Some(field) = self.field() else {
            return;
        };
        if field.is_picked() {
            self.open_person_picker();
        } else if self.text_field(field).is_some() {
            self.enter_text_field(field);
        }
    }

    fn on_navigation_key(&mut self, key: KeyEvent) -> Command {
        let field = self.field();
        let on_list = field == Some(Field::List);
        match key.code {
            KeyCode::Char('q') => return self.request_quit(),
            KeyCode::Char('?') | KeyCode::F(1) => {
                self.scroll = 0;
                self.overlay = Some(Overlay::Help);
            }
            KeyCode::Char('t') => self.open_trace(),
            KeyCode::Left | KeyCode::Char('h') | KeyCode::Char('[') => self.move_step(false),
            KeyCode::Right | KeyCode::Char('l') | KeyCode::Char(']') => self.move_step(true),
            KeyCode::Tab => self.move_focus(true),
            KeyCode::BackTab => self.move_focus(false),
            KeyCode::Up | KeyCode::Char('k') if on_list => self.move_row(-1),
            KeyCode::Down | KeyCode::Char('j') if on_list => self.move_row(1),
            KeyCode::PageUp if on_list => self.move_row(-10),
            KeyCode::PageDown if on_list => self.move_row(10),
            KeyCode::Home | KeyCode::Char('g') if on_list => self.move_row(-10_000),
            KeyCode::End | KeyCode::Char('G') if on_list => self.move_row(10_000),
            KeyCode::Up | KeyCode::Char('k') if self.step == Step::Review => {
                self.scroll = self.scroll.saturating_sub(1);
            }
            KeyCode::Down | KeyCode::Char('j') if self.step == Step::Review => {
                self.scroll = self.scroll.saturating_add(1);
            }
            KeyCode::Up | KeyCode::Char('k') => self.move_focus(false),
            KeyCode::Down | KeyCode::Char('j') => self.move_focus(true),
            KeyCode::Char('s') if self.step == Step::Review => return self.request_save(),
            KeyCode::Enter if self.step == Step::Review => return self.request_save(),
            _ => return self.on_step_key(key),
        }
        Command::None
    }

    /// Keys that mean something on one step only.
    fn on_step_key(&mut self, key: KeyEvent) -> Command {
        let field = self.field();
        match (self.step, key.code) {
            (_, KeyCode::Enter | KeyCode::Char('e')) if field.is_some_and(Field::is_picked) => {
                self.open_person_picker();
            }
            (Step::Referrals, code) => self.on_referral_key(code),
            (step, code) if step.section().is_some() => self.on_list_step_key(code),
            (_, KeyCode::Enter | KeyCode::Char('e')) => self.start_editing(),
            _ => {}
        }
        Command::None
    }

    fn on_list_step_key(&mut self, code: KeyCode) {
        let Some(section) = self.step.section() else {
            return;
        };
        let field = self.field();
        let entries = self.row_count() - 1;
        let on_entry = self.row() < entries;
        match code {
            KeyCode::Char('a') | KeyCode::Char('+') => self.open_kind_picker(section),
            KeyCode::Enter if field == Some(Field::List) && !on_entry => {
                self.open_kind_picker(section);
            }
            KeyCode::Enter if field == Some(Field::List) => match section {
                Section::Strengths => self.edit_field(Field::Note),
                _ => {
                    let cursor = self
                        .selected_factor()
                        .and_then(|entry| entry.severity)
                        .unwrap_or(1);
                    self.overlay = Some(Overlay::Severity {
                        section,
                        index: self.row(),
                        cursor,
                    });
                }
            },
            KeyCode::Char(digit @ '0'..='3') if on_entry && section != Section::Strengths => {
                let severity = digit as u8 - b'0';
                self.set_severity(section, self.row(), severity);
            }
            KeyCode::Char(digit @ '4'..='9') if on_entry && section != Section::Strengths => {
                self.status = Some(out_of_range(digit));
            }
            KeyCode::Char('x') | KeyCode::Delete if on_entry => {
                self.overlay = Some(Overlay::ConfirmRemove {
                    section,
                    index: self.row(),
                });
            }
            KeyCode::Char('s') if section != Section::Strengths => self.edit_field(Field::Since),
            KeyCode::Char('u') if section != Section::Strengths => self.edit_field(Field::Due),
            KeyCode::Char('n') => self.edit_field(Field::Note),
            KeyCode::Char('w') if section == Section::Strengths => self.edit_field(Field::Wishes),
            KeyCode::Char('r') if on_entry && section == Section::Medical => {
                self.cycle_course(Course::Trend);
            }
            KeyCode::Char('f') if on_entry && section == Section::Medical => {
                self.cycle_course(Course::FirstEpisode);
            }
            KeyCode::Char('!') if on_entry && section == Section::Medical => {
                self.cycle_course(Course::HappeningNow);
            }
            KeyCode::Enter | KeyCode::Char('e') => self.start_editing(),
            _ => {}
        }
    }

    /// Puts the cursor on `field` and starts editing it.
    fn edit_field(&mut self, field: Field) {
        if let Some(index) = self.step.fields().iter().position(|f| *f == field) {
            self.focus = index;
            self.start_editing();
        }
    }

    /// Steps the selected medical factor's trend, first episode or happening-now through its
    /// values and back to "not known", which is never read as "no".
    fn cycle_course(&mut self, course: Course) {
        let index = self.row();
        let Some(entry) = self.form.medical.get_mut(index) else {
            return;
        };
        let said = match course {
            Course::Trend => {
                entry.trend = match entry.trend {
                    None => Some(Trend::Rising),
                    Some(Trend::Rising) => Some(Trend::Stable),
                    Some(Trend::Stable) => Some(Trend::Easing),
                    Some(Trend::Easing) => None,
                };
                format!(
                    "trend: {}",
                    entry.trend.map_or("not known", |trend| trend.as_str())
                )
            }
            Course::FirstEpisode => {
                entry.first_episode = next_answer(entry.first_episode);
                format!("first episode: {}", answer_word(entry.first_episode))
            }
            Course::HappeningNow => {
                entry.happening_now = next_answer(entry.happening_now);
                format!("happening now: {}", answer_word(entry.happening_now))
            }
        };
        self.status = Some(said);
        self.changed();
    }

    fn set_severity(&mut self, section: Section, index: usize, severity: u8) {
        let Some(entry) = self
            .form
            .factors_mut(section)
            .and_then(|entries| entries.get_mut(index))
        else {
            return;
        };
        if entry.severity != Some(severity) {
            entry.severity = Some(severity);
            self.changed();
        }
    }

    fn on_referral_key(&mut self, code: KeyCode) {
        // J and K scroll the selected referral's details when they run past the screen.
        match code {
            KeyCode::Char('J') => {
                self.scroll = self.scroll.saturating_add(1);
                return;
            }
            KeyCode::Char('K') => {
                self.scroll = self.scroll.saturating_sub(1);
                return;
            }
            _ => {}
        }
        let Some(offer) = self.offers.get(self.row()) else {
            return;
        };
        let key = offer.key.clone();
        let decision = match code {
            // Whether the person's wishes go to this partner is asked on its own (issue 19):
            // never assumed from accepting the referral.
            KeyCode::Char('s') => {
                let share = !self
                    .choices
                    .get(&key)
                    .is_some_and(|choice| choice.share_wishes);
                if self.choices.set_share_wishes(&key, share) {
                    self.changed();
                }
                return;
            }
            KeyCode::Char('a') => Decision::Accepted,
            KeyCode::Char('f') => Decision::Deferred,
            KeyCode::Char('d') => {
                let reason = self
                    .choices
                    .get(&key)
                    .and_then(|choice| choice.reason.clone())
                    .unwrap_or_default();
                self.overlay = Some(Overlay::Reason {
                    key,
                    reason: reason.into(),
                });
                return;
            }
            _ => return,
        };
        self.choices.set(&key, decision, None);
        self.changed();
        self.move_row(1);
    }

    fn open_kind_picker(&mut self, section: Section) {
        let recorded: Vec<&str> = match section {
            Section::Strengths => self
                .form
                .strengths
                .iter()
                .map(|s| s.kind.as_str())
                .collect(),
            _ => self
                .form
                .factors(section)
                .iter()
                .map(|f| f.kind.as_str())
                .collect(),
        };
        let items = self
            .vocabulary()
            .kinds(section)
            .iter()
            .map(|(key, info)| PickItem {
                key: key.clone(),
                label: info.label.clone(),
                description: info.description.clone(),
                recorded: recorded.contains(&key.as_str()),
            })
            .collect();
        self.overlay = Some(Overlay::Picker(Picker::new(PickFor::Kind(section), items)));
    }

    fn open_person_picker(&mut self) {
        // The closed scales (self-care, capacity) are picked like the vocabulary lists.
        let scale: Option<ScaleChoice> = match self.field() {
            Some(Field::SelfCare) => Some((
                PickFor::SelfCare,
                scale_options(SelfCare::ALL, SelfCare::as_str, SelfCare::label),
                self.form.self_care.map(SelfCare::as_str),
            )),
            Some(Field::Gender) => Some((
                PickFor::Gender,
                scale_options(Gender::ALL, Gender::as_str, Gender::label),
                self.form.gender.map(Gender::as_str),
            )),
            Some(Field::Capacity) => Some((
                PickFor::Capacity,
                scale_options(
                    CapacityStatus::ALL,
                    CapacityStatus::as_str,
                    CapacityStatus::label,
                ),
                self.form.capacity.map(CapacityStatus::as_str),
            )),
            Some(Field::MhaOutcome) => Some((
                PickFor::MhaOutcome,
                scale_options(MhaOutcome::ALL, MhaOutcome::as_str, MhaOutcome::label),
                self.form.mha_outcome.map(MhaOutcome::as_str),
            )),
            Some(Field::Agreed) => Some((
                PickFor::Agreed,
                vec![
                    ("yes", "Yes, the person agreed to the plan"),
                    ("no", "No, the person did not agree"),
                ],
                self.form
                    .agreed_to_plan
                    .map(|agreed| if agreed { "yes" } else { "no" }),
            )),
            _ => None,
        };
        if let Some((purpose, options, current)) = scale {
            let mut items = vec![PickItem {
                key: String::new(),
                label: "Not known".to_owned(),
                description: "not recorded: never read as \"none\", \"able\" or \"no\"".to_owned(),
                recorded: current.is_none(),
            }];
            items.extend(options.into_iter().map(|(key, label)| PickItem {
                key: key.to_owned(),
                label: label.to_owned(),
                description: String::new(),
                recorded: current == Some(key),
            }));
            self.overlay = Some(Overlay::Picker(Picker::new(purpose, items)));
            return;
        }
        if self.field() == Some(Field::Setting) {
            self.open_setting_picker();
            return;
        }
        let (purpose, map) = match self.field() {
            Some(Field::Lives) => (PickFor::Lives, &self.vocabulary().living_situations),
            Some(Field::ReferralSource) => {
                (PickFor::ReferralSource, &self.vocabulary().referral_sources)
            }
            _ => return,
        };
        let current = match purpose {
            PickFor::Lives => self.form.lives.as_deref(),
            _ => self.form.referral_source.as_deref(),
        };
        let mut items = vec![PickItem {
            key: String::new(),
            label: "Not known".to_owned(),
            description: "leave it out of the assessment".to_owned(),
            recorded: current.is_none(),
        }];
        items.extend(map.iter().map(|(key, label)| PickItem {
            key: key.clone(),
            label: label.clone(),
            description: String::new(),
            recorded: current == Some(key.as_str()),
        }));
        self.overlay = Some(Overlay::Picker(Picker::new(purpose, items)));
    }

    /// The known settings, with "other" for anything else in the assessor's words.
    fn open_setting_picker(&mut self) {
        let current = self.form.setting.value();
        let is_known = |text: &str| KNOWN_SETTINGS.iter().any(|(key, _)| *key == text);
        let mut items = vec![PickItem {
            key: String::new(),
            label: "Not known".to_owned(),
            description: "leave it out of the assessment".to_owned(),
            recorded: current.is_none(),
        }];
        items.extend(KNOWN_SETTINGS.iter().map(|(key, label)| PickItem {
            key: (*key).to_owned(),
            label: (*label).to_owned(),
            description: String::new(),
            recorded: current.as_deref() == Some(*key),
        }));
        items.push(PickItem {
            key: OTHER_SETTING.to_owned(),
            label: "Other".to_owned(),
            description: match current.as_deref() {
                Some(text) if !is_known(text) => format!("now: {text}"),
                _ => "type where, in your words".to_owned(),
            },
            recorded: current.as_deref().is_some_and(|text| !is_known(text)),
        });
        self.overlay = Some(Overlay::Picker(Picker::new(PickFor::Setting, items)));
    }

    fn open_trace(&mut self) {
        let order = self.factors_by_weight();
        if order.is_empty() {
            self.status =
                Some("no factor is weighed yet: record a stressor or medical factor".into());
            return;
        }
        // Start at the selected entry's heaviest factor, if it has one.
        let kind = self
            .selected_factor()
            .map(|entry| entry.kind.clone())
            .or_else(|| self.selected_strength().map(|entry| entry.kind.clone()));
        let selected = kind
            .and_then(|kind| {
                order.iter().position(|index| {
                    self.formulation.factors[*index]
                        .kind
                        .split('+')
                        .any(|part| part == kind)
                })
            })
            .unwrap_or(0);
        self.overlay = Some(Overlay::Trace { selected });
    }

    fn on_overlay_key(&mut self, key: KeyEvent) -> Command {
        let Some(overlay) = self.overlay.take() else {
            return Command::None;
        };
        let (kept, command) = match overlay {
            Overlay::Help => match key.code {
                KeyCode::Up | KeyCode::Char('k') => {
                    self.scroll = self.scroll.saturating_sub(1);
                    (Some(Overlay::Help), Command::None)
                }
                KeyCode::Down | KeyCode::Char('j') => {
                    self.scroll = self.scroll.saturating_add(1);
                    (Some(Overlay::Help), Command::None)
                }
                _ => {
                    self.scroll = 0;
                    (None, Command::None)
                }
            },
            Overlay::Picker(picker) => (self.on_picker_key(picker, key), Command::None),
            Overlay::Severity {
                section,
                index,
                cursor,
            } => {
                let chosen = match key.code {
                    KeyCode::Char(digit @ '0'..='3') => Some(digit as u8 - b'0'),
                    KeyCode::Char(digit @ '4'..='9') => {
                        self.status = Some(out_of_range(digit));
                        return self.keep(Overlay::Severity {
                            section,
                            index,
                            cursor,
                        });
                    }
                    KeyCode::Enter => Some(cursor),
                    KeyCode::Esc => None,
                    KeyCode::Up | KeyCode::Char('k') => {
                        let cursor = cursor.saturating_sub(1);
                        return self.keep(Overlay::Severity {
                            section,
                            index,
                            cursor,
                        });
                    }
                    KeyCode::Down | KeyCode::Char('j') => {
                        let cursor = (cursor + 1).min(3);
                        return self.keep(Overlay::Severity {
                            section,
                            index,
                            cursor,
                        });
                    }
                    _ => {
                        return self.keep(Overlay::Severity {
                            section,
                            index,
                            cursor,
                        })
                    }
                };
                if let Some(severity) = chosen {
                    self.set_severity(section, index, severity);
                } else if let Some(entry) = self
                    .form
                    .factors(section)
                    .get(index)
                    .filter(|entry| entry.severity.is_none())
                {
                    self.status = Some(format!(
                        "severity not chosen: {} is left out of the formulation until you press 0-3",
                        self.vocabulary().label(&entry.kind)
                    ));
                }
                (None, Command::None)
            }
            Overlay::Trace { selected } => {
                let count = self.formulation.factors.len();
                let selected = match key.code {
                    KeyCode::Up | KeyCode::Char('k') => selected.saturating_sub(1),
                    KeyCode::Down | KeyCode::Char('j') => {
                        (selected + 1).min(count.saturating_sub(1))
                    }
                    KeyCode::Home | KeyCode::Char('g') => 0,
                    KeyCode::End | KeyCode::Char('G') => count.saturating_sub(1),
                    // Any other key closes the trace.
                    _ => return Command::None,
                };
                (Some(Overlay::Trace { selected }), Command::None)
            }
            Overlay::ConfirmFuture { at, ahead } => match key.code {
                KeyCode::Char('y') => {
                    self.confirmed_future = Some(at);
                    self.status = Some(format!("kept the assessment time, {ahead}"));
                    (None, Command::None)
                }
                KeyCode::Char('n') | KeyCode::Esc => {
                    // Back into the field to change it, on the Person step.
                    self.go_to(Step::Person);
                    if let Some(index) = Step::Person
                        .fields()
                        .iter()
                        .position(|f| *f == Field::AssessedAt)
                    {
                        self.focus = index;
                        self.enter_text_field(Field::AssessedAt);
                    }
                    (None, Command::None)
                }
                _ => (Some(Overlay::ConfirmFuture { at, ahead }), Command::None),
            },
            Overlay::ConfirmQuit => match key.code {
                KeyCode::Char('y') | KeyCode::Char('q') => (None, self.finish()),
                _ => (None, Command::None),
            },
            Overlay::ConfirmRemove { section, index } => {
                if key.code == KeyCode::Char('y') {
                    self.remove(section, index);
                }
                (None, Command::None)
            }
            Overlay::Forms { .. } => (None, Command::None),
            Overlay::Drafts {
                drafts,
                selected,
                confirm_discard,
            } => self.on_drafts_key(drafts, selected, confirm_discard, key),
            Overlay::Reason {
                key: referral,
                mut reason,
            } => match key.code {
                KeyCode::Enter => {
                    self.choices
                        .set(&referral, Decision::Declined, reason.value());
                    self.changed();
                    self.move_row(1);
                    (None, Command::None)
                }
                KeyCode::Esc => (None, Command::None),
                KeyCode::Char(_) if reason.char_count() >= MAX_NOTE_CHARS => {
                    self.status = Some(format!(
                        "a reason holds at most {MAX_NOTE_CHARS} characters"
                    ));
                    (
                        Some(Overlay::Reason {
                            key: referral,
                            reason,
                        }),
                        Command::None,
                    )
                }
                _ => {
                    reason.handle_key(key, false);
                    (
                        Some(Overlay::Reason {
                            key: referral,
                            reason,
                        }),
                        Command::None,
                    )
                }
            },
        };
        self.overlay = kept;
        command
    }

    /// The list of drafts on start: move, resume, discard (asking first) or start afresh.
    fn on_drafts_key(
        &mut self,
        mut drafts: Vec<(String, Draft)>,
        selected: usize,
        confirm_discard: bool,
        key: KeyEvent,
    ) -> (Option<Overlay>, Command) {
        let last = drafts.len().saturating_sub(1);
        let list = |drafts, selected, confirm_discard| {
            Some(Overlay::Drafts {
                drafts,
                selected,
                confirm_discard,
            })
        };
        if confirm_discard {
            if key.code != KeyCode::Char('y') {
                return (list(drafts, selected, false), Command::None);
            }
            if selected >= drafts.len() {
                return (list(drafts, 0, false), Command::None);
            }
            let (name, _) = drafts.remove(selected);
            self.status = Some(format!("discarded the draft {name}"));
            let kept = (!drafts.is_empty())
                .then(|| list(drafts, selected.min(last.saturating_sub(1)), false))
                .flatten();
            return (kept, Command::DiscardDraft(name));
        }
        match key.code {
            KeyCode::Up | KeyCode::Char('k') => (
                list(drafts, selected.saturating_sub(1), false),
                Command::None,
            ),
            KeyCode::Down | KeyCode::Char('j') => {
                (list(drafts, (selected + 1).min(last), false), Command::None)
            }
            KeyCode::Char('r') | KeyCode::Enter if selected < drafts.len() => {
                let (name, draft) = drafts.swap_remove(selected);
                self.resume(name, draft);
                (None, Command::None)
            }
            KeyCode::Char('d') | KeyCode::Char('x') | KeyCode::Delete => {
                (list(drafts, selected, true), Command::None)
            }
            KeyCode::Char('n') | KeyCode::Esc => {
                self.status = Some(format!(
                    "started afresh; {} kept",
                    plural(drafts.len(), "earlier draft")
                ));
                (None, Command::None)
            }
            _ => (list(drafts, selected, false), Command::None),
        }
    }

    fn keep(&mut self, overlay: Overlay) -> Command {
        self.overlay = Some(overlay);
        Command::None
    }

    fn on_picker_key(&mut self, mut picker: Picker, key: KeyEvent) -> Option<Overlay> {
        let control = key.modifiers.contains(KeyModifiers::CONTROL);
        let last = picker.matches.len().saturating_sub(1);
        match key.code {
            KeyCode::Esc => return None,
            KeyCode::Enter => {
                self.pick(&picker);
                return self.overlay.take();
            }
            // In a field's list (not the kinds), Tab chooses and goes on to the next field,
            // as Tab does from a text field.
            KeyCode::Tab | KeyCode::BackTab if !matches!(picker.purpose, PickFor::Kind(_)) => {
                self.pick(&picker);
                if self.overlay.is_none() && !self.editing {
                    self.move_focus(key.code == KeyCode::Tab);
                    self.enter_field_quietly();
                }
                return self.overlay.take();
            }
            KeyCode::Up => picker.selected = picker.selected.saturating_sub(1),
            KeyCode::Char('p') if control => picker.selected = picker.selected.saturating_sub(1),
            KeyCode::Down => picker.selected = (picker.selected + 1).min(last),
            KeyCode::Char('n') if control => picker.selected = (picker.selected + 1).min(last),
            KeyCode::PageUp => picker.selected = picker.selected.saturating_sub(10),
            KeyCode::PageDown => picker.selected = (picker.selected + 10).min(last),
            _ => {
                if picker.query.handle_key(key, false) == Edit::Changed {
                    picker.filter();
                }
            }
        }
        Some(Overlay::Picker(picker))
    }

    /// Acts on the picker's current item: sets a person field, or adds a kind (going to the
    /// existing entry if it is already recorded) and asks for its severity.
    fn pick(&mut self, picker: &Picker) {
        let Some(item) = picker.current().cloned() else {
            self.status = Some("nothing matches: change the search, or Esc".into());
            self.overlay = Some(Overlay::Picker(picker.clone()));
            return;
        };
        let value = (!item.key.is_empty()).then(|| item.key.clone());
        match picker.purpose {
            PickFor::Lives => {
                self.form.lives = value;
                self.changed();
            }
            PickFor::ReferralSource => {
                self.form.referral_source = value;
                self.changed();
            }
            PickFor::Setting if item.key == OTHER_SETTING => {
                // Other: in the assessor's words. A known setting typed over is cleared first.
                let known = KNOWN_SETTINGS
                    .iter()
                    .any(|(key, _)| *key == self.form.setting.text().trim());
                if known {
                    self.form.setting.clear();
                    self.changed();
                }
                self.enter_text_field(Field::Setting);
            }
            PickFor::Setting => {
                self.form.setting.set(value.unwrap_or_default());
                self.changed();
            }
            PickFor::SelfCare => {
                self.form.self_care = value.and_then(|key| key.parse().ok());
                self.changed();
            }
            PickFor::Gender => {
                self.form.gender = value.and_then(|key| key.parse().ok());
                self.changed();
            }
            PickFor::Capacity => {
                self.form.capacity = value.and_then(|key| key.parse().ok());
                self.changed();
            }
            PickFor::MhaOutcome => {
                self.form.mha_outcome = value.and_then(|key| key.parse().ok());
                self.changed();
            }
            PickFor::Agreed => {
                self.form.agreed_to_plan = match value.as_deref() {
                    Some("yes") => Some(true),
                    Some("no") => Some(false),
                    _ => None,
                };
                self.changed();
            }
            PickFor::Kind(Section::Strengths) => {
                let existing = self.form.strengths.iter().position(|s| s.kind == item.key);
                let index = existing.unwrap_or_else(|| {
                    self.form.strengths.push(StrengthEntry {
                        kind: item.key.clone(),
                        note: TextField::default(),
                    });
                    self.form.strengths.len() - 1
                });
                if existing.is_none() {
                    self.changed();
                }
                self.select_entry(index);
            }
            PickFor::Kind(section) => {
                let Some(entries) = self.form.factors_mut(section) else {
                    return;
                };
                let existing = entries.iter().position(|f| f.kind == item.key);
                // No severity until the assessor chooses one: weighing a guess would show an
                // urgency nobody decided.
                let index = existing.unwrap_or_else(|| {
                    entries.push(FactorEntry::new(&item.key, None));
                    entries.len() - 1
                });
                if existing.is_none() {
                    self.changed();
                } else {
                    self.status = Some(format!("{} is already recorded", item.label));
                }
                self.select_entry(index);
                let cursor = self
                    .form
                    .factors(section)
                    .get(index)
                    .and_then(|entry| entry.severity)
                    .unwrap_or(1);
                self.overlay = Some(Overlay::Severity {
                    section,
                    index,
                    cursor,
                });
            }
        }
    }

    fn select_entry(&mut self, index: usize) {
        self.rows[self.step.index()] = index;
        self.focus = 0;
    }

    fn remove(&mut self, section: Section, index: usize) {
        let removed = match section {
            Section::Strengths => {
                (index < self.form.strengths.len()).then(|| self.form.strengths.remove(index).kind)
            }
            _ => self
                .form
                .factors_mut(section)
                .filter(|entries| index < entries.len())
                .map(|entries| entries.remove(index).kind),
        };
        if let Some(kind) = removed {
            self.status = Some(format!("removed {}", self.vocabulary().label(&kind)));
            self.changed();
        }
    }

    fn resume(&mut self, name: String, draft: Draft) {
        self.form = draft.form;
        self.choices = draft.choices;
        self.fallback_at = draft.assessed_at;
        self.draft_name = name;
        self.case_file = draft.case_file;
        // A draft of a correction still supersedes what it corrects.
        self.revising = draft.revises.is_some();
        self.saved = draft.revises;
        self.go_to(draft.step);
        self.status = Some("resumed the draft".into());
        // A resumed draft is unsaved work.
        self.changed();
    }

    fn on_mouse(&mut self, mouse: MouseEvent) -> Command {
        let target = self.hitmap.at(mouse.column, mouse.row);
        match mouse.kind {
            MouseEventKind::ScrollDown | MouseEventKind::ScrollUp => {
                let down = mouse.kind == MouseEventKind::ScrollDown;
                let key = KeyEvent::from(if down { KeyCode::Down } else { KeyCode::Up });
                match &self.overlay {
                    Some(Overlay::Picker(_) | Overlay::Trace { .. } | Overlay::Help) => {
                        self.on_overlay_key(key)
                    }
                    Some(_) => Command::None,
                    None if self.step == Step::Review => {
                        self.on_navigation_key(key);
                        Command::None
                    }
                    None => {
                        self.move_row(if down { 1 } else { -1 });
                        Command::None
                    }
                }
            }
            MouseEventKind::Down(MouseButton::Left) => self.click(target),
            _ => Command::None,
        }
    }

    fn click(&mut self, target: Option<Target>) -> Command {
        let Some(target) = target else {
            return Command::None;
        };
        match (target, &mut self.overlay) {
            (Target::PickerRow(row), Some(Overlay::Picker(picker))) => {
                if picker.selected == row {
                    return self.on_overlay_key(KeyEvent::from(KeyCode::Enter));
                }
                picker.selected = row.min(picker.matches.len().saturating_sub(1));
            }
            (Target::SeverityRow(severity), Some(Overlay::Severity { .. })) => {
                let digit = char::from(b'0' + severity.min(3));
                return self.on_overlay_key(KeyEvent::from(KeyCode::Char(digit)));
            }
            (Target::TraceRow(row), Some(Overlay::Trace { selected })) => *selected = row,
            (Target::Step(step), None) => self.go_to(step),
            (Target::Field(index), None) => {
                self.stop_editing();
                self.focus = index.min(self.step.fields().len().saturating_sub(1));
            }
            (Target::Row(row), None) => {
                self.stop_editing();
                self.focus = 0;
                let already = self.row() == row;
                self.rows[self.step.index()] = row.min(self.row_count().saturating_sub(1));
                // A second click on the "add" row opens the picker, like Enter.
                if already && self.step.section().is_some() && row + 1 == self.row_count() {
                    return self.on_navigation_key(KeyEvent::from(KeyCode::Enter));
                }
            }
            _ => {}
        }
        Command::None
    }

    /// The keys that work right now, as (key, what it does), for the help bar.
    pub fn key_hints(&self) -> Vec<(&'static str, &'static str)> {
        match &self.overlay {
            Some(Overlay::Help) => return vec![("↑↓", "scroll"), ("any key", "close")],
            Some(Overlay::Picker(picker)) if !matches!(picker.purpose, PickFor::Kind(_)) => {
                return vec![
                    ("type", "search"),
                    ("↑↓", "move"),
                    ("Enter", "choose"),
                    ("Tab", "choose, next field"),
                    ("Esc", "cancel"),
                ]
            }
            Some(Overlay::Picker(_)) => {
                return vec![
                    ("type", "search"),
                    ("↑↓", "move"),
                    ("Enter", "choose"),
                    ("Esc", "cancel"),
                ]
            }
            Some(Overlay::Severity { .. }) => {
                return vec![
                    ("0-3", "set"),
                    ("↑↓", "move"),
                    ("Enter", "choose"),
                    ("Esc", "cancel"),
                ]
            }
            Some(Overlay::Trace { .. }) => return vec![("↑↓ j k", "factor"), ("Esc", "close")],
            Some(Overlay::ConfirmQuit) => return vec![("y", "quit, keep draft"), ("n", "stay")],
            Some(Overlay::ConfirmFuture { .. }) => {
                return vec![("y", "keep this time"), ("n Esc", "change it")]
            }
            Some(Overlay::ConfirmRemove { .. }) => return vec![("y", "remove"), ("n", "keep")],
            Some(Overlay::Drafts {
                confirm_discard: true,
                ..
            }) => return vec![("y", "discard it"), ("n", "keep it")],
            Some(Overlay::Drafts { .. }) => {
                return vec![
                    ("↑↓", "draft"),
                    ("Enter r", "resume"),
                    ("d", "discard"),
                    ("n Esc", "new, keep drafts"),
                ]
            }
            Some(Overlay::Forms { .. }) => return vec![("any key", "back to the field")],
            Some(Overlay::Reason { .. }) => {
                return vec![("type", "reason"), ("Enter", "decline"), ("Esc", "cancel")]
            }
            None => {}
        }
        if self.editing {
            let mut hints = vec![("Enter Esc", "done"), ("Tab", "next field")];
            if self.field().is_some_and(Field::is_multiline) {
                hints.push(("^J", "new line"));
            }
            hints.extend([("^U", "clear line"), ("F1 ^F", "what to type")]);
            return hints;
        }
        // Most useful first: the help bar drops what does not fit from the end.
        let mut hints: Vec<(&str, &str)> = vec![("?", "help")];
        let field = self.field();
        match self.step {
            Step::Person if field.is_some_and(Field::is_picked) => hints.push(("Enter", "choose")),
            Step::Person => hints.push(("Enter", "edit")),
            Step::Stressors => hints.extend([
                ("a", "add"),
                ("0-3", "severity"),
                ("s u", "dates"),
                ("n", "note"),
                ("x", "remove"),
            ]),
            Step::Medical => hints.extend([
                ("a", "add"),
                ("0-3", "severity"),
                ("r f !", "trend, first, now"),
                ("s u", "dates"),
                ("n", "note"),
                ("x", "remove"),
            ]),
            Step::Strengths => hints.extend([
                ("a", "add"),
                ("n", "note"),
                ("w", "wishes"),
                ("x", "remove"),
            ]),
            Step::Referrals => hints.extend([
                ("a", "accept"),
                ("d", "decline"),
                ("f", "defer"),
                ("s", "share wishes"),
                ("J K", "details"),
            ]),
            Step::Decision => hints.push(("Enter", "choose")),
            Step::Review if self.saved.is_some() && !self.dirty => hints.push(("↑↓", "scroll")),
            Step::Review if self.saved.is_some() => {
                hints.extend([("Enter", "save revision"), ("↑↓", "scroll")]);
            }
            Step::Review => hints.extend([("Enter", "save"), ("↑↓", "scroll")]),
        }
        hints.extend([
            ("←→", "step"),
            ("q", "quit"),
            ("t", "trace"),
            ("Tab", "field"),
        ]);
        hints
    }
}

/// Every value of a closed scale as (key, label), in order, for a picker.
fn scale_options<T: Copy>(
    all: &[T],
    key: fn(T) -> &'static str,
    label: fn(T) -> &'static str,
) -> Vec<(&'static str, &'static str)> {
    all.iter()
        .map(|&value| (key(value), label(value)))
        .collect()
}

/// A closed scale offered in a picker: its purpose, every (key, label), and the current key.
type ScaleChoice = (
    PickFor,
    Vec<(&'static str, &'static str)>,
    Option<&'static str>,
);

/// Which part of a medical factor's course a key changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Course {
    /// Rising, stable or easing.
    Trend,
    /// First episode or not.
    FirstEpisode,
    /// Happening now or just happened.
    HappeningNow,
}

/// Not known → yes → no → not known.
fn next_answer(answer: Option<bool>) -> Option<bool> {
    match answer {
        None => Some(true),
        Some(true) => Some(false),
        Some(false) => None,
    }
}

/// An answer in words, with "not known" kept apart from "no".
pub fn answer_word(answer: Option<bool>) -> &'static str {
    match answer {
        None => "not known",
        Some(true) => "yes",
        Some(false) => "no",
    }
}

/// Why a severity key above 3 did nothing.
fn out_of_range(digit: char) -> String {
    format!("{digit} is not a severity: the scale runs 0 none, 1 mild, 2 moderate, 3 severe")
}

/// "1 problem", "3 problems".
pub fn plural(count: usize, noun: &str) -> String {
    if count == 1 {
        format!("1 {noun}")
    } else {
        format!("{count} {noun}s")
    }
}

/// Minutes an assessment time may run ahead of the clock without a question: clocks differ a
/// little, and "now" typed a moment before the minute turns is not a slip.
const FUTURE_SLACK_MINUTES: i64 = 5;

/// How far ahead a time is, in words: "in 3 hours", "in 2 days", "in 3 years".
fn time_ahead(ahead: chrono::Duration) -> String {
    let minutes = ahead.num_minutes();
    let (count, unit) = match minutes {
        ..=119 => (minutes, "minute"),
        120..=2879 => (minutes / 60, "hour"),
        2880..=525_959 => (minutes / 1440, "day"),
        _ => (minutes / 525_960, "year"),
    };
    format!("in {}", plural(usize::try_from(count).unwrap_or(0), unit))
}
