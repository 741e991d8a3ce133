//! The sandboxed Rhai runtime: one engine per rule set, every script compiled once, and the host
//! API through which scripts read the assessment and add to the formulation.
//!
//! Architecture invariant: scripts get no file, network, process, clock or module access; an
//! operation budget and size limits stop runaway rules, and a failing rule becomes a warning
//! while the other rules still run.

use std::cell::RefCell;
use std::collections::{BTreeSet, HashMap};
use std::sync::{Arc, Mutex};

use chrono::{Datelike, NaiveDate, Weekday};
use indexmap::IndexMap;
use rhai::packages::{Package, StandardPackage};
use rhai::Caches;
use rhai::{
    Array, Dynamic, Engine, EvalAltResult, FuncRegistration, ImmutableString, OptimizationLevel,
    Position as RhaiPosition, Scope, AST,
};

use crate::error::suggestion;
use crate::formulation::trace::{
    Contribution, FivePEntry, Note, RaisedFlag, ReferralRequest, RuleOutput, RuleWarning,
    UrgencyFloor,
};
use crate::model::{
    Assessment, Domain, FiveP, ReferralUrgency, Section, SelfCare, Trend, Urgency, Vocabulary,
};
use crate::rules::scale::TriageScale;

/// Sandbox limits, chosen so that the bundled rules use a small fraction of each while a rule
/// that loops or builds huge values is stopped within milliseconds.
pub mod limits {
    /// Operations one script may perform per assessment.
    pub const MAX_OPERATIONS: u64 = 200_000;
    /// Nested function calls.
    pub const MAX_CALL_LEVELS: usize = 32;
    /// Expression nesting depth (global, inside functions).
    pub const MAX_EXPR_DEPTH: (usize, usize) = (64, 32);
    /// Characters in one string.
    pub const MAX_STRING_SIZE: usize = 10_000;
    /// Items in one array.
    pub const MAX_ARRAY_SIZE: usize = 1_000;
    /// Entries in one object map.
    pub const MAX_MAP_SIZE: usize = 1_000;
}

/// What a host function's parameter accepts. `rules check` uses it to check the literal values
/// scripts pass, and the guide to tell a service lead what to write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParamKind {
    /// A kind from the vocabulary: a stressor, medical factor or strength.
    Kind,
    /// A kind, or several kinds joined with `+` for a combination.
    KindOrCombination,
    /// A kind or a referral category.
    KindOrCategory,
    /// A key of the vocabulary's `referral_categories`.
    Category,
    /// How soon a partner should act: `immediate` … `routine`.
    ReferralUrgency,
    /// A level of the triage scale: `routine` … `emergency`.
    Urgency,
    /// `social`, `medical` or `protective`.
    Domain,
    /// One of the 5 Ps.
    FiveP,
    /// A name under `weights:` in `ruleset.yaml`.
    WeightName,
    /// A lower_snake_case rule name.
    RuleName,
    /// A flag named under `flags:` in `ruleset.yaml`.
    FlagName,
    /// A number of days (whole or decimal).
    Days,
    /// A number (whole or decimal).
    Number,
    /// Free text.
    Text,
    /// The name of a descriptor in `triage_scale.yaml`.
    Descriptor,
}

/// One parameter of a host function.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Param {
    /// The name the guide uses for it.
    pub name: &'static str,
    /// What it accepts.
    pub kind: ParamKind,
}

/// Which part of the guide a host function belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum ApiGroup {
    /// Naming the rule that is speaking.
    Naming,
    /// Reading the assessment and the rule set's numbers.
    Reading,
    /// Adding to the formulation.
    Adding,
}

/// One function the host gives rule scripts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HostFunction {
    /// The name scripts call.
    pub name: &'static str,
    /// Its parameters, in order.
    pub params: &'static [Param],
    /// The Rhai type it returns (`()` for nothing).
    pub returns: &'static str,
    /// One line on what it does, in Markdown.
    pub doc: &'static str,
    /// Where the guide lists it.
    pub group: ApiGroup,
}

const fn param(name: &'static str, kind: ParamKind) -> Param {
    Param { name, kind }
}

const KIND: Param = param("kind", ParamKind::Kind);
const DAYS: Param = param("days", ParamKind::Days);
const WHY: Param = param("why", ParamKind::Text);

/// The host API: every function a rule script can call beyond Rhai's own, with its parameters and
/// a one-line description. It is the single source for `rules check` (unknown functions, wrong
/// argument counts, unknown names in literal arguments) and for the API reference in
/// `rules/README.md`; a test checks that it matches what the engine registers.
pub const HOST_API: &[HostFunction] = &[
    HostFunction {
        name: "rule",
        params: &[param("name", ParamKind::RuleName)],
        returns: "()",
        doc: "every factor, referral, urgency floor, 5P entry and note added after this call is attributed to `<script>.<name>` (for example `housing.eviction_imminent`); before the first call the rule is `<script>`",
        group: ApiGroup::Naming,
    },
    HostFunction {
        name: "has",
        params: &[KIND],
        returns: "bool",
        doc: "the kind is recorded with severity 1 or more (a strength: recorded at all)",
        group: ApiGroup::Reading,
    },
    HostFunction {
        name: "severity",
        params: &[KIND],
        returns: "int",
        doc: "0 to 3; 0 when not recorded; a recorded strength gives 1",
        group: ApiGroup::Reading,
    },
    HostFunction {
        name: "has_due",
        params: &[KIND],
        returns: "bool",
        doc: "the kind is recorded with a `due:` date",
        group: ApiGroup::Reading,
    },
    HostFunction {
        name: "days_until_due",
        params: &[KIND],
        returns: "int",
        doc: "days from the assessment date to `due:` (negative once passed); a kind without a due date stops the rule (and marks the formulation incomplete), so check `has_due(kind)` first",
        group: ApiGroup::Reading,
    },
    HostFunction {
        name: "due_within",
        params: &[KIND, DAYS],
        returns: "bool",
        doc: "the kind has a `due:` date no more than `days` days after the assessment date (dates already passed count)",
        group: ApiGroup::Reading,
    },
    HostFunction {
        name: "began_within",
        params: &[KIND, DAYS],
        returns: "bool",
        doc: "the kind has a `since:` date no more than `days` days before the assessment date",
        group: ApiGroup::Reading,
    },
    HostFunction {
        name: "lasting_over",
        params: &[KIND, DAYS],
        returns: "bool",
        doc: "the kind has a `since:` date more than `days` days before the assessment date",
        group: ApiGroup::Reading,
    },
    HostFunction {
        name: "trend",
        params: &[KIND],
        returns: "string",
        doc: "a medical factor's course: `\"rising\"`, `\"stable\"` or `\"easing\"`; `\"\"` when not recorded or not known",
        group: ApiGroup::Reading,
    },
    HostFunction {
        name: "first_episode",
        params: &[KIND],
        returns: "string",
        doc: "whether the medical factor is a first episode: `\"yes\"`, `\"no\"`, or `\"\"` when not recorded or not known (never read \"not known\" as \"no\")",
        group: ApiGroup::Reading,
    },
    HostFunction {
        name: "happening_now",
        params: &[KIND],
        returns: "bool",
        doc: "the medical factor is recorded as happening now or just happened: an overdose just taken, violence under way, a weapon in hand",
        group: ApiGroup::Reading,
    },
    HostFunction {
        name: "has_since",
        params: &[KIND],
        returns: "bool",
        doc: "the kind is recorded with a `since:` date",
        group: ApiGroup::Reading,
    },
    HostFunction {
        name: "days_since",
        params: &[KIND],
        returns: "int",
        doc: "days from `since:` to the assessment date (negative if `since:` is later); a kind without a since date stops the rule (and marks the formulation incomplete), so check `has_since(kind)` first",
        group: ApiGroup::Reading,
    },
    HostFunction {
        name: "assessment_day",
        params: &[],
        returns: "int",
        doc: "the day of the month of the assessment, 1 to 31 (in the time zone written in `assessed_at`)",
        group: ApiGroup::Reading,
    },
    HostFunction {
        name: "assessment_month",
        params: &[],
        returns: "int",
        doc: "the month of the assessment, 1 (January) to 12 (December), for seasonal rules such as `assessment_month() == 12 || assessment_month() <= 2` for winter",
        group: ApiGroup::Reading,
    },
    HostFunction {
        name: "assessment_year",
        params: &[],
        returns: "int",
        doc: "the year of the assessment, such as 2026",
        group: ApiGroup::Reading,
    },
    HostFunction {
        name: "assessment_weekday",
        params: &[],
        returns: "string",
        doc: "the day of the week of the assessment in lower case: `\"monday\"` to `\"sunday\"`",
        group: ApiGroup::Reading,
    },
    HostFunction {
        name: "stressors",
        params: &[],
        returns: "array",
        doc: "the recorded stressor kinds (severity 1 or more), in the order entered",
        group: ApiGroup::Reading,
    },
    HostFunction {
        name: "medical_factors",
        params: &[],
        returns: "array",
        doc: "the recorded medical kinds (severity 1 or more), in the order entered",
        group: ApiGroup::Reading,
    },
    HostFunction {
        name: "strengths",
        params: &[],
        returns: "array",
        doc: "the recorded strength kinds, in the order entered",
        group: ApiGroup::Reading,
    },
    HostFunction {
        name: "count_stressors",
        params: &[param("min_severity", ParamKind::Number)],
        returns: "int",
        doc: "how many stressors are recorded with at least that severity",
        group: ApiGroup::Reading,
    },
    HostFunction {
        name: "label",
        params: &[param("kind", ParamKind::KindOrCategory)],
        returns: "string",
        doc: "the vocabulary label of a kind or referral category, for readable reasons",
        group: ApiGroup::Reading,
    },
    HostFunction {
        name: "age",
        params: &[],
        returns: "int",
        doc: "the person's age in years; `-1` when not recorded",
        group: ApiGroup::Reading,
    },
    HostFunction {
        name: "lives",
        params: &[],
        returns: "string",
        doc: "the living situation, a key of vocabulary `living_situations`; `\"\"` when not recorded",
        group: ApiGroup::Reading,
    },
    HostFunction {
        name: "dependants",
        params: &[],
        returns: "int",
        doc: "how many children or adults the person cares for; `-1` when not known (so `dependants() > 0` is only true when some are recorded)",
        group: ApiGroup::Reading,
    },
    HostFunction {
        name: "self_care",
        params: &[],
        returns: "string",
        doc: "whether the person can care for themselves: `\"able\"`, `\"needs_help\"` or `\"unable\"`; `\"\"` when not known",
        group: ApiGroup::Reading,
    },
    HostFunction {
        name: "capacity",
        params: &[],
        returns: "string",
        doc: "mental capacity for the decision at hand: `\"has\"`, `\"lacks\"` or `\"not_assessed\"`; `\"\"` when not recorded",
        group: ApiGroup::Reading,
    },
    HostFunction {
        name: "setting",
        params: &[],
        returns: "string",
        doc: "where the assessment takes place, as the assessor wrote it (such as `\"place_of_safety\"`); `\"\"` when not recorded",
        group: ApiGroup::Reading,
    },
    HostFunction {
        name: "risk_so_far",
        params: &[],
        returns: "string",
        doc: "the highest risk the rules that ran before this one found with `risk_floor` (`\"routine\"` when none; an `urgency_at_least` floor such as a physical emergency is not a mental-health risk): lets a later rule raise a risk the medical rules found, never create one",
        group: ApiGroup::Reading,
    },
    HostFunction {
        name: "referral_source",
        params: &[],
        returns: "string",
        doc: "who referred the person, a key of vocabulary `referral_sources`; `\"\"` when not recorded",
        group: ApiGroup::Reading,
    },
    HostFunction {
        name: "weight",
        params: &[param("name", ParamKind::WeightName)],
        returns: "float",
        doc: "a named number from `weights:` in ruleset.yaml; keep every tunable number there, not in scripts",
        group: ApiGroup::Reading,
    },
    HostFunction {
        name: "add_factor",
        params: &[
            param("kind", ParamKind::KindOrCombination),
            param("domain", ParamKind::Domain),
            param("weight", ParamKind::Number),
            WHY,
        ],
        returns: "()",
        doc: "weighs a factor: `domain` is `\"social\"`, `\"medical\"` or `\"protective\"`, `weight` is 0 or more, `kind` is a kind or several joined with `+` (`\"eviction+debt\"`)",
        group: ApiGroup::Adding,
    },
    HostFunction {
        name: "refer",
        params: &[
            param("category", ParamKind::Category),
            param("urgency", ParamKind::ReferralUrgency),
            WHY,
        ],
        returns: "()",
        doc: "asks for a referral: `category` is a key of vocabulary `referral_categories`, `urgency` one of `\"immediate\"`, `\"same_day\"`, `\"within_3_days\"`, `\"within_2_weeks\"`, `\"routine\"`",
        group: ApiGroup::Adding,
    },
    HostFunction {
        name: "urgency_at_least",
        params: &[param("level", ParamKind::Urgency), WHY],
        returns: "()",
        doc: "a floor: the urgency is never below `level` (`\"routine\"`, `\"low\"`, `\"moderate\"`, `\"high\"`, `\"very_high\"`, `\"emergency\"`) whatever the score",
        group: ApiGroup::Adding,
    },
    HostFunction {
        name: "risk_floor",
        params: &[
            param("level", ParamKind::Urgency),
            param("descriptor", ParamKind::Text),
            WHY,
        ],
        returns: "()",
        doc: "a floor set by a UK Mental Health Triage Scale descriptor: the urgency is never below `level`, and the trace quotes `descriptor` beside `why` (this case's words). With triage_scale.yaml in the folder, `descriptor` must be one of `level`'s row (its name or words) and `risk(descriptor, why)` is the simpler call; rule sets without the file quote the scale's words here",
        group: ApiGroup::Adding,
    },
    HostFunction {
        name: "risk",
        params: &[param("descriptor", ParamKind::Descriptor), WHY],
        returns: "()",
        doc: "a risk found: `descriptor` names a presentation in triage_scale.yaml (such as `\"plan_or_means\"`) and the urgency is never below its row's level; the trace quotes the descriptor's words beside `why` (this case's words). The level comes from the row, never from the rule",
        group: ApiGroup::Adding,
    },
    HostFunction {
        name: "flag",
        params: &[param("name", ParamKind::FlagName), WHY],
        returns: "()",
        doc: "raises a flag named under `flags:` in ruleset.yaml (such as `on_site_team`); the recommendation ladder can ask for it with `flags:` or `not_flags:`",
        group: ApiGroup::Adding,
    },
    HostFunction {
        name: "five_p",
        params: &[param("p", ParamKind::FiveP), param("text", ParamKind::Text)],
        returns: "()",
        doc: "adds a line to the 5P formulation: `p` is `\"presenting\"`, `\"predisposing\"`, `\"precipitating\"`, `\"perpetuating\"` or `\"protective\"`",
        group: ApiGroup::Adding,
    },
    HostFunction {
        name: "note",
        params: &[param("text", ParamKind::Text)],
        returns: "()",
        doc: "a free note for the assessor",
        group: ApiGroup::Adding,
    },
];

/// The host function called `name`, if there is one.
pub fn host_function(name: &str) -> Option<&'static HostFunction> {
    HOST_API.iter().find(|function| function.name == name)
}

/// One compiled rule script.
#[derive(Debug)]
pub struct CompiledScript {
    /// File name relative to the rules folder, as listed in `ruleset.yaml`.
    pub file: String,
    /// The file name without `.rhai`; the prefix of its rules' names.
    pub stem: String,
    /// Kinds of which at least one must be recorded for the script to run; `None` runs always.
    pub when: Option<Vec<String>>,
    /// `when` as indexes into the rule set's kind index, so that the check costs no lookups.
    when_kinds: Option<Vec<usize>>,
    /// The script as written (after rhai's simple optimisation), which checks read.
    ast: AST,
    /// The script as run: fully optimised, so that `weight("…")` and `label("…")` with a literal
    /// name are constants rather than a host call on every evaluation. Kept apart from `ast`
    /// because checks must still see which weights and kinds a script names.
    run_ast: AST,
    /// The script's function-resolution cache, kept from one evaluation to the next.
    /// `Engine::run_ast` starts every run with an empty cache, and Rhai caches a function only
    /// from its second call in a run, so most host calls were resolved by searching every module
    /// again. A cache only ever serves its own script (whose own functions it may hold); a
    /// thread that finds it in use by another runs with a fresh one rather than wait.
    cache: Mutex<Caches>,
}

impl CompiledScript {
    /// The compiled script, for static checks (`rules check`).
    pub fn ast(&self) -> &AST {
        &self.ast
    }
}

/// A syntax error in a script, with its place.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompileError {
    /// Line, counted from 1 (0 when unknown).
    pub line: usize,
    /// Column, counted from 1 (0 when unknown).
    pub column: usize,
    /// Rhai's description of the error.
    pub message: String,
}

/// The engine and compiled scripts of one rule set.
pub struct Runtime {
    engine: Engine,
    kinds: Arc<KindIndex>,
    scripts: Vec<CompiledScript>,
}

/// Every vocabulary kind under a dense number, with its name and label as Rhai strings, built
/// once per rule set. Host functions are the hot path of an evaluation: with this index a call
/// such as `has("debt")` costs one hash lookup and no allocation, and the case being evaluated is
/// a plain vector indexed by kind rather than a map rebuilt from cloned strings every time.
#[derive(Debug, Default)]
struct KindIndex {
    numbers: FastMap<String, usize>,
    names: Vec<ImmutableString>,
    labels: Vec<ImmutableString>,
    category_labels: FastMap<String, ImmutableString>,
}

/// Kind names come from the rule set, not from outside, so a fast hash without flooding
/// protection is fine here.
type FastMap<K, V> = HashMap<K, V, foldhash::fast::RandomState>;

impl KindIndex {
    fn new(vocabulary: &Vocabulary) -> Self {
        let mut index = Self::default();
        for kind in vocabulary.all_kinds() {
            if index.numbers.contains_key(kind) {
                continue;
            }
            index.numbers.insert(kind.to_owned(), index.names.len());
            index.names.push(kind.into());
            index.labels.push(vocabulary.label(kind).into());
        }
        for (category, info) in &vocabulary.referral_categories {
            index
                .category_labels
                .insert(category.clone(), info.label.as_str().into());
        }
        index
    }

    fn number(&self, kind: &str) -> Option<usize> {
        self.numbers.get(kind).copied()
    }
}

impl std::fmt::Debug for Runtime {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Runtime")
            .field("scripts", &self.scripts)
            .finish_non_exhaustive()
    }
}

/// The per-assessment state the host functions read and write. It lives in a thread-local for
/// the length of one evaluation: Rhai's registered functions are fixed when the engine is built,
/// while the assessment and the output change on every call, and a thread-local keeps one
/// compiled engine shareable across threads without a lock on every host call.
struct Session {
    case: CaseView,
    output: RuleOutput,
    current_rule: String,
}

thread_local! {
    static SESSION: RefCell<Option<Session>> = const { RefCell::new(None) };
}

/// Removes the session when evaluation ends, even if a host function panics.
struct SessionGuard;

impl Drop for SessionGuard {
    fn drop(&mut self) {
        SESSION.with(|slot| slot.borrow_mut().take());
    }
}

type HostResult<T> = Result<T, Box<EvalAltResult>>;

fn with_session<T>(action: impl FnOnce(&mut Session) -> HostResult<T>) -> HostResult<T> {
    SESSION.with(|slot| match slot.borrow_mut().as_mut() {
        Some(session) => action(session),
        None => Err("sicol host functions can only be used while evaluating an assessment".into()),
    })
}

/// What the host functions need to know about one recorded kind.
#[derive(Debug, Clone, Copy)]
struct Recorded {
    severity: u8,
    since: Option<NaiveDate>,
    due: Option<NaiveDate>,
    trend: Option<Trend>,
    first_episode: Option<bool>,
    happening_now: bool,
}

/// The assessment, indexed for the questions scripts ask. Kinds are numbers of the rule set's
/// [`KindIndex`]; a checked assessment records only kinds of its vocabulary.
#[derive(Debug, Clone)]
struct CaseView {
    kinds: Arc<KindIndex>,
    assessed_on: NaiveDate,
    recorded: Vec<Option<Recorded>>,
    stressors: Vec<usize>,
    medical: Vec<usize>,
    strengths: Vec<usize>,
    age: Option<u32>,
    lives: ImmutableString,
    dependants: Option<u32>,
    referral_source: ImmutableString,
    self_care: ImmutableString,
    capacity: ImmutableString,
    setting: ImmutableString,
}

impl CaseView {
    fn new(assessment: &Assessment, kinds: &Arc<KindIndex>) -> Self {
        let mut recorded = vec![None; kinds.names.len()];
        let mut kinds_of = |section: Section| -> Vec<usize> {
            let mut listed = Vec::new();
            for factor in assessment.factors(section) {
                let Some(number) = kinds.number(&factor.kind) else {
                    continue;
                };
                recorded[number] = Some(Recorded {
                    severity: factor.severity,
                    since: factor.since,
                    due: factor.due,
                    trend: factor.trend,
                    first_episode: factor.first_episode,
                    happening_now: factor.happening_now == Some(true),
                });
                if factor.severity > 0 {
                    listed.push(number);
                }
            }
            listed
        };
        let stressors = kinds_of(Section::Stressors);
        let medical = kinds_of(Section::Medical);
        let mut strengths = Vec::new();
        for strength in &assessment.strengths {
            let Some(number) = kinds.number(&strength.kind) else {
                continue;
            };
            recorded[number] = Some(Recorded {
                severity: 1,
                since: None,
                due: None,
                trend: None,
                first_episode: None,
                happening_now: false,
            });
            strengths.push(number);
        }
        Self {
            kinds: Arc::clone(kinds),
            assessed_on: assessment.assessed_on(),
            recorded,
            stressors,
            medical,
            strengths,
            age: assessment.person.age,
            lives: assessment.person.lives.as_deref().unwrap_or("").into(),
            dependants: assessment.person.dependants,
            referral_source: assessment
                .context
                .referral_source
                .as_deref()
                .unwrap_or("")
                .into(),
            self_care: assessment
                .person
                .self_care
                .map_or("", SelfCare::as_str)
                .into(),
            capacity: assessment
                .capacity
                .as_ref()
                .map_or("", |capacity| capacity.status.as_str())
                .into(),
            setting: assessment
                .context
                .setting
                .as_deref()
                .map_or("", str::trim)
                .into(),
        }
    }

    fn recorded(&self, number: usize) -> Option<&Recorded> {
        self.recorded.get(number).and_then(Option::as_ref)
    }

    fn present(&self, number: usize) -> Option<&Recorded> {
        self.recorded(number).filter(|entry| entry.severity > 0)
    }

    /// The kinds as a Rhai array of their names (shared strings: no copy of the text).
    fn names(&self, numbers: &[usize]) -> Array {
        numbers
            .iter()
            .map(|&number| Dynamic::from(self.kinds.names[number].clone()))
            .collect()
    }
}

impl Runtime {
    /// Builds the sandboxed engine with the host API bound to this vocabulary, these weights and
    /// the flags `ruleset.yaml` declares.
    pub fn new(
        vocabulary: Arc<Vocabulary>,
        weights: Arc<IndexMap<String, f64>>,
        flags: Arc<IndexMap<String, String>>,
        scale: Option<Arc<TriageScale>>,
    ) -> Self {
        let kinds = Arc::new(KindIndex::new(&vocabulary));
        Self {
            engine: build_engine(vocabulary, &kinds, weights, flags, scale),
            kinds,
            scripts: Vec::new(),
        }
    }

    /// Compiles one script and adds it to the evaluation order.
    pub fn add_script(
        &mut self,
        file: &str,
        source: &str,
        when: Option<Vec<String>>,
    ) -> Result<(), CompileError> {
        let mut ast = self.engine.compile(source).map_err(|error| {
            let position = error.position();
            CompileError {
                line: position.line().unwrap_or(0),
                column: position.position().unwrap_or(0),
                message: error.err_type().to_string(),
            }
        })?;
        ast.set_source(file);
        let mut run_ast =
            self.engine
                .optimize_ast(&Scope::new(), ast.clone(), OptimizationLevel::Full);
        run_ast.set_source(file);
        let stem = file.strip_suffix(".rhai").unwrap_or(file).to_owned();
        let when_kinds = when.as_ref().map(|kinds| {
            kinds
                .iter()
                .filter_map(|kind| self.kinds.number(kind))
                .collect()
        });
        self.scripts.push(CompiledScript {
            file: file.to_owned(),
            stem,
            when,
            when_kinds,
            ast,
            run_ast,
            cache: Mutex::new(Caches::new()),
        });
        Ok(())
    }

    /// The compiled scripts in evaluation order.
    pub fn scripts(&self) -> &[CompiledScript] {
        &self.scripts
    }

    /// The configured engine (host API, limits, sandbox), for static checks that use rhai's own
    /// tokenizer.
    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    /// Every function name a script can call: the host API and Rhai's standard library (functions
    /// a script defines itself come on top). Rhai keywords that look like calls (`type_of`,
    /// `Fn`, `call`…) are not functions and are not listed.
    pub fn callable_names(&self) -> BTreeSet<String> {
        self.engine
            .collect_fn_metadata(None, |info| Some(info.metadata.name.to_string()), true)
            .into_iter()
            .collect()
    }

    /// Name and argument count of every function the host registers (without Rhai's standard
    /// library), to check [`HOST_API`] against the engine.
    pub fn host_signatures(&self) -> BTreeSet<(String, usize)> {
        self.engine
            .collect_fn_metadata(
                None,
                |info| Some((info.metadata.name.to_string(), info.metadata.num_params)),
                false,
            )
            .into_iter()
            .collect()
    }

    /// Runs every applicable script against the assessment and collects what they said.
    pub fn run(&self, assessment: &Assessment) -> RuleOutput {
        self.run_excluding(assessment, &[])
    }

    /// As [`Runtime::run`], skipping the scripts whose file is in `excluded`. `rules check`
    /// uses it to stop re-running a script it has already seen loop, which would otherwise cost
    /// the whole operation budget on every generated case.
    pub fn run_excluding(&self, assessment: &Assessment, excluded: &[String]) -> RuleOutput {
        let case = CaseView::new(assessment, &self.kinds);
        let previous = SESSION.with(|slot| {
            slot.borrow_mut().replace(Session {
                case,
                output: RuleOutput::default(),
                current_rule: String::new(),
            })
        });
        debug_assert!(previous.is_none(), "rule evaluation is not re-entrant");
        let _guard = SessionGuard;
        let mut scope = Scope::new();
        for script in &self.scripts {
            let applies = SESSION.with(|slot| {
                let slot = slot.borrow();
                let Some(session) = slot.as_ref() else {
                    return false;
                };
                script.when_kinds.as_ref().is_none_or(|kinds| {
                    kinds
                        .iter()
                        .any(|&kind| session.case.present(kind).is_some())
                })
            });
            if !applies || (!excluded.is_empty() && excluded.contains(&script.file)) {
                continue;
            }
            SESSION.with(|slot| {
                if let Some(session) = slot.borrow_mut().as_mut() {
                    session.current_rule.clear();
                    session.current_rule.push_str(&script.stem);
                    session.output.scripts_run.push(script.file.clone());
                }
            });
            scope.clear();
            if let Err(error) = self.run_script(&mut scope, script) {
                let warning = SESSION.with(|slot| {
                    let rule = slot
                        .borrow()
                        .as_ref()
                        .map(|session| session.current_rule.clone())
                        .unwrap_or_default();
                    warning_from(script, rule, &error)
                });
                SESSION.with(|slot| {
                    if let Some(session) = slot.borrow_mut().as_mut() {
                        session.output.warnings.push(warning);
                    }
                });
            }
        }
        SESSION
            .with(|slot| slot.borrow_mut().take())
            .map(|session| session.output)
            .unwrap_or_default()
    }

    /// Runs one script as `Engine::run_ast_with_scope` does, but with the script's own
    /// function-resolution cache (see [`CompiledScript::cache`]).
    fn run_script(
        &self,
        scope: &mut Scope,
        script: &CompiledScript,
    ) -> Result<(), Box<EvalAltResult>> {
        let mut global = self.engine.new_global_runtime_state();
        global.source = script.run_ast.source().map(ImmutableString::from);
        global.lib.push(script.run_ast.shared_lib().clone());
        let mut fresh = Caches::new();
        let mut kept = script.cache.try_lock();
        let caches = match kept.as_deref_mut() {
            Ok(caches) => caches,
            // Another thread is running this script, or a run panicked while holding the cache:
            // a fresh cache is correct, only slower.
            Err(_) => &mut fresh,
        };
        // `eval_statements_raw` is the one public way (under `internals`) to run an AST with a
        // cache the caller keeps; rhai marks it deprecated for its next major version.
        #[allow(deprecated)]
        self.engine
            .eval_statements_raw(&mut global, caches, scope, script.run_ast.statements())
            .map(|_| ())
    }
}

fn warning_from(script: &CompiledScript, rule: String, error: &EvalAltResult) -> RuleWarning {
    let call_position = innermost_position(error);
    let message = plain_message(error);
    // Point where `rules check` would: at the literal argument the message names (an unknown
    // kind, category, weight), not at the start of the call, so both commands agree.
    let position =
        literal_argument_position(&script.ast, call_position, &message).unwrap_or(call_position);
    RuleWarning {
        file: script.file.clone(),
        line: position.line().unwrap_or(0),
        column: position.position().unwrap_or(0),
        rule,
        message,
    }
}

/// Whether a warning's message (as [`plain_message`] writes it) says the sandbox stopped the
/// rule (a loop, runaway recursion, a value grown too big) rather than the rule failing by
/// itself: such a rule costs the whole budget every time it runs.
pub fn stopped_by_sandbox(message: &str) -> bool {
    message.starts_with("it ran more than")
        || message.starts_with("functions called each other too deeply")
        || (message.starts_with("a ") && message.contains(" grew beyond the "))
}

/// What went wrong, in words a service lead can act on: never Rhai's type names or its own
/// "(line N, position M)" suffix, since the warning already says where.
pub fn plain_message(error: &EvalAltResult) -> String {
    match error {
        EvalAltResult::ErrorInFunctionCall(_, _, inner, _) => plain_message(inner),
        EvalAltResult::ErrorTooManyOperations(_) => format!(
            "it ran more than {} steps, so it probably loops forever",
            limits::MAX_OPERATIONS
        ),
        EvalAltResult::ErrorStackOverflow(_) | EvalAltResult::ErrorTooManyModules(_) => {
            "functions called each other too deeply (recursion without an end?)".to_owned()
        }
        EvalAltResult::ErrorDataTooLarge(what, _) => {
            let what = what.to_ascii_lowercase();
            if what.contains("string") {
                format!(
                    "a piece of text grew beyond the limit of {} characters",
                    limits::MAX_STRING_SIZE
                )
            } else if what.contains("array") {
                format!(
                    "a list grew beyond the limit of {} items",
                    limits::MAX_ARRAY_SIZE
                )
            } else if what.contains("map") {
                format!(
                    "a map grew beyond the limit of {} entries",
                    limits::MAX_MAP_SIZE
                )
            } else {
                "a value grew beyond the sandbox's size limit".to_owned()
            }
        }
        EvalAltResult::ErrorRuntime(value, _) => plain_types(&value.to_string()),
        EvalAltResult::ErrorFunctionNotFound(signature, _) => function_not_found(signature),
        EvalAltResult::ErrorMismatchDataType(expected, actual, _)
        | EvalAltResult::ErrorMismatchOutputType(expected, actual, _) => format!(
            "expected {}, got {}",
            type_words(expected),
            type_words(actual)
        ),
        EvalAltResult::ErrorVariableNotFound(name, _) => format!(
            "`{name}` is not defined: a kind or other name must be written in quotes, such as has(\"{name}\")"
        ),
        EvalAltResult::ErrorArrayBounds(len, index, _) => {
            format!("there is no item {index} in a list of {len}")
        }
        EvalAltResult::ErrorStringBounds(len, index, _) => {
            format!("there is no character {index} in a text of {len}")
        }
        EvalAltResult::ErrorArithmetic(what, _) => {
            format!("a calculation failed: {}", what.to_ascii_lowercase())
        }
        EvalAltResult::ErrorIndexNotFound(key, _) => format!("there is no entry `{key}`"),
        EvalAltResult::ErrorPropertyNotFound(name, _) => format!("there is no property `{name}`"),
        EvalAltResult::ErrorIndexingType(what, _) => {
            format!("{} cannot be read with [...]", type_words(what))
        }
        EvalAltResult::ErrorFor(_) => {
            "`for` can only go through a list, a range such as 0..3, or a text".to_owned()
        }
        EvalAltResult::ErrorAssignmentToConstant(name, _) => {
            format!("`{name}` is a constant and cannot be changed: use `let` for a value that changes")
        }
        other => {
            let text = other.to_string();
            let text = match text.find(" (line ") {
                Some(cut) => &text[..cut],
                None => text.as_str(),
            };
            plain_types(text)
        }
    }
}

/// `refer (&str | ImmutableString | String, &str | ImmutableString | String)` in words: which
/// function, what it was given and, for a host function, what it takes.
fn function_not_found(signature: &str) -> String {
    let (name, given) = match signature.split_once(" (") {
        Some((name, rest)) => (name.trim(), rest.trim_end_matches(')')),
        None => (signature.trim(), ""),
    };
    let given: Vec<String> = if given.trim().is_empty() {
        Vec::new()
    } else {
        given.split(", ").map(type_words).collect()
    };
    let given_words = match given.len() {
        0 => "nothing".to_owned(),
        1 => format!("1 value ({})", given[0]),
        count => format!("{count} values ({})", given.join(", ")),
    };
    // An operator (`+`, `>`, `==`…) given values it cannot combine, such as a number and text.
    if !name.starts_with(|c: char| c.is_alphabetic() || c == '_') {
        return format!(
            "`{name}` cannot be used on {}: use numbers with numbers and text with text (write numbers without quotes)",
            given.join(" and ")
        );
    }
    let Some(function) = host_function(name) else {
        return format!(
            "there is no function `{name}` that takes {given_words}: check the name and what is passed to it against rules/README.md"
        );
    };
    let names: Vec<&str> = function.params.iter().map(|param| param.name).collect();
    if given.len() != function.params.len() {
        return format!(
            "`{name}` takes {} ({}), but was given {given_words}",
            plural_values(function.params.len()),
            names.join(", ")
        );
    }
    for (param, got) in function.params.iter().zip(&given) {
        let wanted = match param.kind {
            ParamKind::Number | ParamKind::Days => "a number",
            _ => "text in quotes",
        };
        let matches = match param.kind {
            ParamKind::Number | ParamKind::Days => got.contains("number"),
            _ => got == "text",
        };
        if !matches {
            return format!(
                "`{name}` needs {wanted} for `{}`, but was given {got}",
                param.name
            );
        }
    }
    format!("`{name}` cannot take {given_words}")
}

fn plural_values(count: usize) -> String {
    match count {
        0 => "nothing".to_owned(),
        1 => "1 value".to_owned(),
        count => format!("{count} values"),
    }
}

/// One Rhai type name in words.
fn type_words(rhai_type: &str) -> String {
    let name = rhai_type.trim();
    let words = if name.contains("String") || name.contains("&str") || name == "string" {
        "text"
    } else if name == "i64" || name == "int" || name == "INT" {
        "a whole number"
    } else if name == "f64" || name == "float" || name == "FLOAT" {
        "a decimal number"
    } else if name == "bool" {
        "true or false"
    } else if name == "()" {
        "nothing (a value that was never set)"
    } else if name.contains("Array") || name == "array" {
        "a list"
    } else if name.contains("Map") || name == "map" {
        "a map"
    } else if name == "char" {
        "a character"
    } else {
        "a value"
    };
    words.to_owned()
}

/// Replaces Rhai's type names in a message it wrote itself.
fn plain_types(text: &str) -> String {
    text.replace("&str | ImmutableString | String", "text")
        .replace("ImmutableString", "text")
        .replace("&str", "text")
        .replace("i64", "whole number")
        .replace("f64", "decimal number")
}

/// The position of the string literal argument, of the call at `call`, that the message names in
/// back-quotes; `None` when there is no such call or literal.
fn literal_argument_position(ast: &AST, call: RhaiPosition, message: &str) -> Option<RhaiPosition> {
    use rhai::{ASTNode, Expr, Stmt};
    if call.is_none() {
        return None;
    }
    let mut found = None;
    ast.walk(&mut |path: &[ASTNode]| {
        if found.is_some() {
            return false;
        }
        if let Some(ASTNode::Expr(Expr::FnCall(fn_call, position)))
        | Some(ASTNode::Stmt(Stmt::FnCall(fn_call, position))) = path.last()
        {
            if *position == call {
                found = fn_call.args.iter().find_map(|arg| match arg {
                    Expr::StringConstant(text, at)
                        if message.contains(&format!("`{}`", text.as_str())) =>
                    {
                        Some(*at)
                    }
                    _ => None,
                });
            }
        }
        true
    });
    found
}

fn innermost_position(error: &EvalAltResult) -> RhaiPosition {
    match error {
        EvalAltResult::ErrorInFunctionCall(_, _, inner, position) => {
            let inner_position = innermost_position(inner);
            if inner_position.is_none() {
                *position
            } else {
                inner_position
            }
        }
        other => other.position(),
    }
}

fn build_engine(
    vocabulary: Arc<Vocabulary>,
    kinds: &Arc<KindIndex>,
    weights: Arc<IndexMap<String, f64>>,
    flags: Arc<IndexMap<String, String>>,
    scale: Option<Arc<TriageScale>>,
) -> Engine {
    let mut engine = Engine::new_raw();
    engine.register_global_module(StandardPackage::new().as_shared_module());
    engine.set_max_operations(limits::MAX_OPERATIONS);
    engine.set_max_call_levels(limits::MAX_CALL_LEVELS);
    engine.set_max_expr_depths(limits::MAX_EXPR_DEPTH.0, limits::MAX_EXPR_DEPTH.1);
    engine.set_max_string_size(limits::MAX_STRING_SIZE);
    engine.set_max_array_size(limits::MAX_ARRAY_SIZE);
    engine.set_max_map_size(limits::MAX_MAP_SIZE);
    engine.set_strict_variables(true);
    // Scripts must not run code built at run time; everything they do is visible in the file.
    engine.disable_symbol("eval");
    // print and debug would write to the terminal the TUI is drawing on.
    engine.on_print(|_| {});
    engine.on_debug(|_, _, _| {});
    register_reading(&mut engine, &vocabulary, kinds, &weights);
    register_writing(&mut engine, &vocabulary, kinds, &flags, scale);
    engine
}

/// An unknown kind, with a "did you mean".
fn unknown_kind(vocabulary: &Vocabulary, kind: &str) -> Box<EvalAltResult> {
    format!(
        "unknown kind `{kind}`: {}",
        suggestion(kind, vocabulary.all_kinds(), "rules/vocabulary.yaml")
    )
    .into()
}

/// The kind's number in the index, or the unknown-kind error.
fn kind_number(kinds: &KindIndex, vocabulary: &Vocabulary, kind: &str) -> HostResult<usize> {
    kinds
        .number(kind)
        .ok_or_else(|| unknown_kind(vocabulary, kind))
}

/// Registers a host function that reads the case being evaluated or adds to its output, marked
/// volatile: its result depends on more than its arguments, so the optimizer must never call it
/// while compiling. (`weight` and `label` are not volatile: they depend only on the rule set, and
/// calls with a literal name are folded into constants when a script is compiled.)
macro_rules! volatile {
    ($engine:expr, $name:expr, $function:expr $(,)?) => {
        FuncRegistration::new($name)
            .with_volatility(true)
            .register_into_engine($engine, $function)
    };
}

fn register_reading(
    engine: &mut Engine,
    vocabulary: &Arc<Vocabulary>,
    kinds: &Arc<KindIndex>,
    weights: &Arc<IndexMap<String, f64>>,
) {
    // Each kind-taking function resolves the name once, then reads the case by number.
    let lookup = {
        let vocab = Arc::clone(vocabulary);
        let kinds = Arc::clone(kinds);
        move |kind: &str| kind_number(&kinds, &vocab, kind)
    };
    let number = lookup.clone();
    volatile!(engine, "has", move |kind: &str| -> HostResult<bool> {
        let kind = number(kind)?;
        with_session(|session| Ok(session.case.present(kind).is_some()))
    });
    let number = lookup.clone();
    volatile!(engine, "severity", move |kind: &str| -> HostResult<i64> {
        let kind = number(kind)?;
        with_session(|session| {
            Ok(session
                .case
                .recorded(kind)
                .map_or(0, |entry| i64::from(entry.severity)))
        })
    });
    let number = lookup.clone();
    volatile!(engine, "has_due", move |kind: &str| -> HostResult<bool> {
        let kind = number(kind)?;
        with_session(|session| {
            Ok(session
                .case
                .present(kind)
                .is_some_and(|entry| entry.due.is_some()))
        })
    });
    let number = lookup.clone();
    volatile!(
        engine,
        "days_until_due",
        move |name: &str| -> HostResult<i64> {
            let kind = number(name)?;
            with_session(|session| {
                let today = session.case.assessed_on;
                match session.case.present(kind).and_then(|entry| entry.due) {
                    Some(due) => Ok((due - today).num_days()),
                    None => Err(format!(
                        "`{name}` has no due date: check has_due(\"{name}\") before days_until_due"
                    )
                    .into()),
                }
            })
        }
    );
    let number = lookup.clone();
    volatile!(engine, "has_since", move |kind: &str| -> HostResult<bool> {
        let kind = number(kind)?;
        with_session(|session| {
            Ok(session
                .case
                .present(kind)
                .is_some_and(|entry| entry.since.is_some()))
        })
    });
    let number = lookup.clone();
    volatile!(engine, "days_since", move |name: &str| -> HostResult<i64> {
        let kind = number(name)?;
        with_session(|session| {
            let today = session.case.assessed_on;
            match session.case.present(kind).and_then(|entry| entry.since) {
                Some(since) => Ok((today - since).num_days()),
                None => Err(format!(
                    "`{name}` has no since date: check has_since(\"{name}\") before days_since"
                )
                .into()),
            }
        })
    });
    // The assessment's own date, read from the case rather than the clock: a rule must give the
    // same answer when the record is replayed years later.
    volatile!(engine, "assessment_day", || -> HostResult<i64> {
        with_session(|session| Ok(i64::from(session.case.assessed_on.day())))
    });
    volatile!(engine, "assessment_month", || -> HostResult<i64> {
        with_session(|session| Ok(i64::from(session.case.assessed_on.month())))
    });
    volatile!(engine, "assessment_year", || -> HostResult<i64> {
        with_session(|session| Ok(i64::from(session.case.assessed_on.year())))
    });
    volatile!(
        engine,
        "assessment_weekday",
        || -> HostResult<ImmutableString> {
            with_session(|session| Ok(weekday_name(session.case.assessed_on.weekday()).into()))
        }
    );
    let number = lookup.clone();
    register_day_test(engine, "due_within", move |kind, days| {
        let kind = number(kind)?;
        with_session(|session| {
            let today = session.case.assessed_on;
            Ok(session
                .case
                .present(kind)
                .and_then(|entry| entry.due)
                .is_some_and(|due| ((due - today).num_days() as f64) <= days))
        })
    });
    let number = lookup.clone();
    register_day_test(engine, "began_within", move |kind, days| {
        let kind = number(kind)?;
        with_session(|session| {
            let today = session.case.assessed_on;
            Ok(session
                .case
                .present(kind)
                .and_then(|entry| entry.since)
                .is_some_and(|since| ((today - since).num_days() as f64) <= days))
        })
    });
    let number = lookup.clone();
    volatile!(
        engine,
        "trend",
        move |kind: &str| -> HostResult<ImmutableString> {
            let kind = number(kind)?;
            with_session(|session| {
                Ok(session
                    .case
                    .present(kind)
                    .and_then(|entry| entry.trend)
                    .map_or("", Trend::as_str)
                    .into())
            })
        }
    );
    let number = lookup.clone();
    volatile!(engine, "first_episode", move |kind: &str| -> HostResult<
        ImmutableString,
    > {
        let kind = number(kind)?;
        with_session(|session| {
            let answer = session
                .case
                .present(kind)
                .and_then(|entry| entry.first_episode);
            Ok(match answer {
                Some(true) => "yes",
                Some(false) => "no",
                None => "",
            }
            .into())
        })
    });
    let number = lookup.clone();
    volatile!(
        engine,
        "happening_now",
        move |kind: &str| -> HostResult<bool> {
            let kind = number(kind)?;
            with_session(|session| {
                Ok(session
                    .case
                    .present(kind)
                    .is_some_and(|entry| entry.happening_now))
            })
        }
    );
    let number = lookup;
    register_day_test(engine, "lasting_over", move |kind, days| {
        let kind = number(kind)?;
        with_session(|session| {
            let today = session.case.assessed_on;
            Ok(session
                .case
                .present(kind)
                .and_then(|entry| entry.since)
                .is_some_and(|since| ((today - since).num_days() as f64) > days))
        })
    });
    volatile!(engine, "stressors", || -> HostResult<Array> {
        with_session(|session| Ok(session.case.names(&session.case.stressors)))
    });
    volatile!(engine, "medical_factors", || -> HostResult<Array> {
        with_session(|session| Ok(session.case.names(&session.case.medical)))
    });
    volatile!(engine, "strengths", || -> HostResult<Array> {
        with_session(|session| Ok(session.case.names(&session.case.strengths)))
    });
    let count_stressors = |min_severity: f64| -> HostResult<i64> {
        with_session(|session| {
            let count = session
                .case
                .stressors
                .iter()
                .filter_map(|&kind| session.case.recorded(kind))
                .filter(|entry| f64::from(entry.severity) >= min_severity)
                .count();
            Ok(count as i64)
        })
    };
    volatile!(engine, "count_stressors", count_stressors);
    volatile!(engine, "count_stressors", move |min_severity: i64| {
        count_stressors(min_severity as f64)
    });
    let vocab = Arc::clone(vocabulary);
    let index = Arc::clone(kinds);
    engine.register_fn("label", move |kind: &str| -> HostResult<ImmutableString> {
        if let Some(number) = index.number(kind) {
            return Ok(index.labels[number].clone());
        }
        if let Some(label) = index.category_labels.get(kind) {
            return Ok(label.clone());
        }
        Err(unknown_kind(&vocab, kind))
    });
    volatile!(engine, "age", || -> HostResult<i64> {
        with_session(|session| Ok(session.case.age.map_or(-1, i64::from)))
    });
    volatile!(engine, "lives", || -> HostResult<ImmutableString> {
        with_session(|session| Ok(session.case.lives.clone()))
    });
    volatile!(engine, "dependants", || -> HostResult<i64> {
        with_session(|session| Ok(session.case.dependants.map_or(-1, i64::from)))
    });
    volatile!(engine, "self_care", || -> HostResult<ImmutableString> {
        with_session(|session| Ok(session.case.self_care.clone()))
    });
    volatile!(engine, "capacity", || -> HostResult<ImmutableString> {
        with_session(|session| Ok(session.case.capacity.clone()))
    });
    volatile!(engine, "setting", || -> HostResult<ImmutableString> {
        with_session(|session| Ok(session.case.setting.clone()))
    });
    volatile!(engine, "risk_so_far", || -> HostResult<ImmutableString> {
        with_session(|session| {
            let level = session
                .output
                .highest_risk()
                .map_or(Urgency::Routine, |floor| floor.level);
            Ok(level.as_str().into())
        })
    });
    volatile!(
        engine,
        "referral_source",
        || -> HostResult<ImmutableString> {
            with_session(|session| Ok(session.case.referral_source.clone()))
        }
    );
    let weights = Arc::clone(weights);
    engine.register_fn("weight", move |name: &str| -> HostResult<f64> {
        weights.get(name).copied().ok_or_else(|| {
            format!(
                "no weight named `{name}` in ruleset.yaml: {}",
                suggestion(
                    name,
                    weights.keys().map(String::as_str),
                    "ruleset.yaml under `weights:`"
                )
            )
            .into()
        })
    });
}

/// The weekday in lower-case English, as rules compare it.
fn weekday_name(day: Weekday) -> &'static str {
    match day {
        Weekday::Mon => "monday",
        Weekday::Tue => "tuesday",
        Weekday::Wed => "wednesday",
        Weekday::Thu => "thursday",
        Weekday::Fri => "friday",
        Weekday::Sat => "saturday",
        Weekday::Sun => "sunday",
    }
}

/// Registers a `(kind, days)` test under one name for both integer and decimal day counts, since
/// scripts often pass a `weight(...)`, which is decimal.
fn register_day_test(
    engine: &mut Engine,
    name: &str,
    test: impl Fn(&str, f64) -> HostResult<bool> + Clone + Send + Sync + 'static,
) {
    let by_int = test.clone();
    volatile!(engine, name, move |kind: &str, days: f64| test(kind, days));
    volatile!(engine, name, move |kind: &str, days: i64| by_int(
        kind,
        days as f64
    ));
}

/// Adds one item to the output, attributed to the rule that is speaking.
fn add_output(add: impl FnOnce(&mut RuleOutput, String)) -> HostResult<()> {
    with_session(|session| {
        let rule = session.current_rule.clone();
        add(&mut session.output, rule);
        Ok(())
    })
}

fn parse_term<T: std::str::FromStr<Err = String>>(what: &str, text: &str) -> HostResult<T> {
    text.parse::<T>()
        .map_err(|message| format!("{what}: {message}").into())
}

fn register_writing(
    engine: &mut Engine,
    vocabulary: &Arc<Vocabulary>,
    kinds: &Arc<KindIndex>,
    flags: &Arc<IndexMap<String, String>>,
    scale: Option<Arc<TriageScale>>,
) {
    volatile!(engine, "rule", |name: &str| -> HostResult<()> {
        if !crate::model::vocabulary::is_snake_case(name) {
            return Err(format!("rule name `{name}` must be lower_snake_case").into());
        }
        with_session(|session| {
            // `<stem>.<name>`, rewritten in place: rules are named many times per evaluation.
            let rule = &mut session.current_rule;
            let stem_len = rule.find('.').unwrap_or(rule.len());
            rule.truncate(stem_len);
            rule.push('.');
            rule.push_str(name);
            Ok(())
        })
    });
    let vocab = Arc::clone(vocabulary);
    let index = Arc::clone(kinds);
    let add_factor = move |kind: &str, domain: &str, weight: f64, why: &str| -> HostResult<()> {
        for part in kind.split('+') {
            kind_number(&index, &vocab, part)?;
        }
        let domain: Domain = parse_term("domain", domain)?;
        if !(weight.is_finite() && weight >= 0.0) {
            return Err(format!(
                "weight {weight} for `{kind}` must be a number of 0 or more (protective factors use the \"protective\" domain)"
            )
            .into());
        }
        if why.trim().is_empty() {
            return Err(format!("add_factor for `{kind}` needs a reason").into());
        }
        add_output(|output, rule| {
            output.contributions.push(Contribution {
                kind: kind.to_owned(),
                domain,
                weight,
                rule,
                why: why.to_owned(),
            })
        })
    };
    let add_factor_int = add_factor.clone();
    volatile!(engine, "add_factor", add_factor);
    volatile!(
        engine,
        "add_factor",
        move |kind: &str, domain: &str, weight: i64, why: &str| {
            add_factor_int(kind, domain, weight as f64, why)
        },
    );
    let vocab = Arc::clone(vocabulary);
    let refer = move |category: &str, urgency: &str, why: &str| -> HostResult<()> {
        if !vocab.referral_categories.contains_key(category) {
            return Err(format!(
                "unknown referral category `{category}`: {}",
                suggestion(
                    category,
                    vocab.referral_categories.keys().map(String::as_str),
                    "rules/vocabulary.yaml under `referral_categories:`"
                )
            )
            .into());
        }
        let urgency: ReferralUrgency = parse_term("referral urgency", urgency)?;
        add_output(|output, rule| {
            output.referral_requests.push(ReferralRequest {
                category: category.to_owned(),
                urgency,
                why: why.to_owned(),
                rule,
            })
        })
    };
    volatile!(engine, "refer", refer);
    let urgency_at_least = |level: &str, why: &str| -> HostResult<()> {
        let level: Urgency = parse_term("urgency", level)?;
        add_output(|output, rule| {
            output.urgency_floors.push(UrgencyFloor {
                level,
                why: why.to_owned(),
                rule,
                descriptor: None,
            })
        })
    };
    volatile!(engine, "urgency_at_least", urgency_at_least);
    let floor_scale = scale.clone();
    volatile!(engine, "risk_floor", move |level: &str,
                                          descriptor: &str,
                                          why: &str|
          -> HostResult<()> {
        let level: Urgency = parse_term("urgency", level)?;
        if descriptor.trim().is_empty() {
            return Err("risk_floor needs the triage scale's descriptor in its words".into());
        }
        // With the scale in the rule set, a floor must quote a descriptor of its level's row, so
        // a level cannot be lowered without its descriptor saying so.
        let words = match floor_scale.as_deref() {
            Some(scale) => {
                if let Some((message, hint)) = scale.disagreement(level, descriptor) {
                    return Err(format!("{message}: {hint}").into());
                }
                scale
                    .find(descriptor)
                    .map_or_else(|| descriptor.to_owned(), |found| found.words.to_owned())
            }
            None => descriptor.to_owned(),
        };
        add_output(|output, rule| {
            output.urgency_floors.push(UrgencyFloor {
                level,
                why: why.to_owned(),
                rule,
                descriptor: Some(words),
            })
        })
    });
    volatile!(engine, "risk", move |descriptor: &str,
                                    why: &str|
          -> HostResult<()> {
        let Some(scale) = scale.as_deref() else {
            return Err("risk(descriptor, why) needs triage_scale.yaml in the rules folder".into());
        };
        let Some(found) = scale.descriptor(descriptor) else {
            return Err(format!(
                "unknown triage scale descriptor `{descriptor}`: {}",
                suggestion(
                    descriptor,
                    scale.all().map(|found| found.name),
                    "the descriptors in triage_scale.yaml"
                )
            )
            .into());
        };
        add_output(|output, rule| {
            output.urgency_floors.push(UrgencyFloor {
                level: found.level,
                why: why.to_owned(),
                rule,
                descriptor: Some(found.words.to_owned()),
            })
        })
    });
    let flags = Arc::clone(flags);
    volatile!(engine, "flag", move |name: &str,
                                    why: &str|
          -> HostResult<()> {
        if !flags.contains_key(name) {
            return Err(format!(
                "unknown flag `{name}`: {}",
                suggestion(
                    name,
                    flags.keys().map(String::as_str),
                    "ruleset.yaml under `flags:`"
                )
            )
            .into());
        }
        add_output(|output, rule| {
            if !output.flags.iter().any(|flag| flag.name == name) {
                output.flags.push(RaisedFlag {
                    name: name.to_owned(),
                    why: why.to_owned(),
                    rule,
                });
            }
        })
    });
    volatile!(engine, "five_p", |p: &str, text: &str| -> HostResult<()> {
        let p: FiveP = parse_term("5P", p)?;
        add_output(|output, rule| {
            output.five_ps.push(FivePEntry {
                p,
                text: text.to_owned(),
                rule,
            })
        })
    });
    volatile!(engine, "note", |text: &str| -> HostResult<()> {
        add_output(|output, rule| {
            output.notes.push(Note {
                text: text.to_owned(),
                rule,
            })
        })
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_host_api_table_lists_exactly_what_the_engine_registers() {
        let runtime = Runtime::new(Arc::default(), Arc::default(), Arc::default(), None);
        let registered = runtime.host_signatures();
        let documented: BTreeSet<(String, usize)> = HOST_API
            .iter()
            .map(|function| (function.name.to_owned(), function.params.len()))
            .collect();
        assert_eq!(registered, documented);
    }

    #[test]
    fn callable_names_include_the_host_api_and_the_standard_library() {
        let runtime = Runtime::new(Arc::default(), Arc::default(), Arc::default(), None);
        let names = runtime.callable_names();
        for function in HOST_API {
            assert!(names.contains(function.name), "{}", function.name);
        }
        for builtin in ["to_float", "len", "contains", "abs", "max"] {
            assert!(names.contains(builtin), "{builtin}");
        }
        assert!(!names.contains("hass"));
    }
}
