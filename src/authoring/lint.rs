//! `sicol rules check`: loads and compiles a rules folder the way evaluation does, but collects
//! every problem in every file instead of stopping at the first bad one, and adds static checks
//! over each compiled script that evaluation would only find when a case happens to reach the
//! line: calls to functions that do not exist, kinds, categories, urgencies, domains, 5Ps and
//! weight names in literal arguments that are not in the vocabulary or `ruleset.yaml`, partners
//! serving unknown categories, a taxonomy mapping (`oruk-taxonomy.yaml`) naming unknown
//! categories, unreachable recommendations, scripts nobody lists, and kinds and weights nothing
//! reads.
//!
//! The checks read the compiled AST (through rhai's `internals` feature), so they see exactly
//! what the engine will run, with the engine's own line and column numbers.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use rhai::{ASTNode, Expr, Stmt, Token, AST};

pub use super::declared::declared_rules;
use super::findings::{CheckReport, Finding, Severity};
use crate::error::{nearest, suggestion, yaml_problem, Problem};
use crate::model::vocabulary::is_snake_case;
use crate::model::{Domain, FiveP, ReferralUrgency, Urgency, Vocabulary};
use crate::referrals::{oruk, Directory};
use crate::rules::config::{RuleSetConfig, ScriptEntry};
use crate::rules::runtime::{host_function, HostFunction, ParamKind, HOST_API};
use crate::rules::scale::TriageScale;
use crate::rules::{
    compile_scripts, RuleFiles, RuleSet, Runtime, RULESET_FILE, TRIAGE_SCALE_FILE, VOCABULARY_FILE,
};
use crate::source::{Position, SourceMap};
use crate::PARTNERS_FILE;

/// Rhai keywords that are written like function calls but are not registered functions.
const RHAI_KEYWORD_CALLS: &[&str] = &[
    "type_of",
    "Fn",
    "call",
    "curry",
    "is_shared",
    "is_def_var",
    "is_def_fn",
    "print",
    "debug",
];

/// Where the guide lists the host API, for hints.
const API_GUIDE: &str = "rules/README.md";

/// What `rules check` looks at besides the rule files themselves.
#[derive(Debug, Clone, Copy, Default)]
pub struct CheckContext<'a> {
    /// The rules folder's test cases, (name, text), whose plans a partner change may move.
    pub tests: &'a [(String, String)],
    /// The rules deployed now, to tell which partners and categories a change adds.
    pub deployed: Option<&'a RuleFiles>,
    /// Whether `deployed` is the rule set copy of a saved record (the folder checked is the
    /// deployed one, edited in place), so `rules impact` must compare `--against recorded`.
    pub deployed_from_records: bool,
    /// The JSON Schemas kept in the rules folder (`schemas/`), file name to text, to warn when
    /// they no longer match the vocabulary; `None` when the folder keeps none.
    pub schemas: Option<&'a BTreeMap<String, String>>,
}

/// The folder inside a rules folder where `sicol schema` writes by default.
pub const SCHEMAS_DIR: &str = "schemas";

/// Checks every file of a rules folder and reports every problem found, errors and warnings:
/// the static checks, then, when the rules load, a run of every script over a generated spread
/// of assessments ([`super::exercise`]).
pub fn check(files: &RuleFiles) -> CheckReport {
    check_with(files, CheckContext::default())
}

/// [`check`], also comparing partners with the deployed rules (moved test cases) and the
/// folder's schemas with its vocabulary.
pub fn check_with(files: &RuleFiles, context: CheckContext<'_>) -> CheckReport {
    let mut lint = Lint {
        files,
        findings: Vec::new(),
    };
    let vocabulary = lint.vocabulary();
    let config = lint.config(vocabulary.as_ref());
    if let Some(config) = &config {
        lint.recommendation_ladder(config);
    }
    let served = lint.partners(vocabulary.as_ref());
    lint.taxonomy_mapping(vocabulary.as_ref());
    let scale = lint.scale();
    lint.scripts(
        vocabulary.as_ref(),
        config.as_ref(),
        served.as_ref(),
        scale.as_ref(),
    );
    // Running needs rules that load. A mistake already found by reading (an unknown kind in
    // quotes) fails at the same place when run, so it is not reported twice.
    if let Ok(ruleset) = RuleSet::from_files(files) {
        lint.run_rules(&ruleset);
        if let Some(deployed) = context.deployed {
            let directory = RuleSet::from_files(deployed)
                .map(|rules| rules.partners)
                .unwrap_or_default();
            let impact = if context.deployed_from_records {
                format!(
                    "sicol rules impact --rules {} --against recorded",
                    files.origin
                )
            } else {
                format!("sicol rules impact --rules {}", files.origin)
            };
            lint.findings.extend(super::partner_effect::partner_changes(
                &ruleset,
                &directory,
                &deployed.origin,
                &impact,
                context.tests,
            ));
        }
        if let Some(schemas) = context.schemas {
            lint.stale_schemas(&ruleset, schemas);
        }
    }
    let mut findings = lint.findings;
    // Stable: findings at the same place keep the order they were found in.
    findings.sort_by(|a, b| {
        (
            &a.problem.file,
            a.problem.position.line,
            a.problem.position.column,
        )
            .cmp(&(
                &b.problem.file,
                b.problem.position.line,
                b.problem.position.column,
            ))
    });
    CheckReport {
        origin: files.origin.clone(),
        findings,
    }
}

struct Lint<'a> {
    files: &'a RuleFiles,
    findings: Vec<Finding>,
}

/// What the script checks learn across all scripts, for the folder-wide warnings.
#[derive(Default)]
struct Usage {
    /// Every string literal in any script, wherever it appears (a `switch` case, a comparison,
    /// an array), since a kind or weight name can reach a host function through a variable.
    mentioned: BTreeSet<String>,
    /// Whether every listed script compiled, so that "never used" warnings are trustworthy.
    complete: bool,
}

impl Lint<'_> {
    fn push(&mut self, severity: Severity, problem: Problem) {
        self.findings.push(Finding { severity, problem });
    }

    fn error(&mut self, problem: Problem) {
        self.push(Severity::Error, problem);
    }

    fn warning(&mut self, problem: Problem) {
        self.push(Severity::Warning, problem);
    }

    fn missing(&mut self, name: &str) {
        self.error(
            Problem::new(
                self.files.display(name),
                Position::default(),
                "",
                "file not found",
            )
            .with_hint(format!(
                "every rules folder needs {name}; point --rules at the folder that has it"
            )),
        );
    }

    /// The vocabulary, even when it has problems (then as serde read it), so that the other
    /// files can still be checked against it.
    fn vocabulary(&mut self) -> Option<Vocabulary> {
        let Some(text) = self.files.files.get(VOCABULARY_FILE) else {
            self.missing(VOCABULARY_FILE);
            return None;
        };
        match Vocabulary::parse(text, &self.files.display(VOCABULARY_FILE)) {
            Ok(vocabulary) => Some(vocabulary),
            Err(problems) => {
                for problem in problems.0 {
                    self.error(problem);
                }
                serde_yaml::from_str(text).ok()
            }
        }
    }

    /// `ruleset.yaml`, even when it has problems, as far as serde can read it.
    fn config(&mut self, vocabulary: Option<&Vocabulary>) -> Option<RuleSetConfig> {
        let Some(text) = self.files.files.get(RULESET_FILE) else {
            self.missing(RULESET_FILE);
            return None;
        };
        let file = self.files.display(RULESET_FILE);
        match vocabulary {
            Some(vocabulary) => match RuleSetConfig::parse(text, &file, vocabulary) {
                Ok(config) => Some(config),
                Err(problems) => {
                    for problem in problems.0 {
                        self.error(problem);
                    }
                    serde_yaml::from_str(text).ok()
                }
            },
            // Without a vocabulary the kind checks would flag every kind; the vocabulary's own
            // errors are already reported, so only read the structure here.
            None => match serde_yaml::from_str(text) {
                Ok(config) => Some(config),
                Err(error) => {
                    self.error(yaml_problem(&file, &error));
                    None
                }
            },
        }
    }

    /// Recommendations that can never be chosen.
    fn recommendation_ladder(&mut self, config: &RuleSetConfig) {
        let Some(text) = self.files.files.get(RULESET_FILE) else {
            return;
        };
        let file = self.files.display(RULESET_FILE);
        let map = SourceMap::index(text);
        let mut unconditional: Option<usize> = None;
        for (index, rung) in config.recommendations.iter().enumerate() {
            let path = format!("recommendations[{index}]");
            if let Some(above) = unconditional {
                self.warning(
                    Problem::new(
                        &file,
                        map.position(&path),
                        &path,
                        format!(
                            "recommendation `{}` can never be chosen: `{}` above it has no conditions",
                            rung.option, config.recommendations[above].option
                        ),
                    )
                    .with_hint("move the option without `when:` to the end of the list"),
                );
                continue;
            }
            let Some(when) = &rung.when else {
                unconditional = Some(index);
                continue;
            };
            if let (Some(least), Some(most)) = (when.urgency_at_least, when.urgency_at_most) {
                if least > most {
                    let field = format!("{path}.when.urgency_at_least");
                    self.error(
                        Problem::new(
                            &file,
                            map.position(&field),
                            &field,
                            format!(
                                "recommendation `{}` can never be chosen: urgency_at_least {least} is above urgency_at_most {most}",
                                rung.option
                            ),
                        )
                        .with_hint("swap the two levels, or remove one of them"),
                    );
                }
            }
            if when.balance.as_ref().is_some_and(Vec::is_empty) {
                let field = format!("{path}.when.balance");
                self.error(
                    Problem::new(
                        &file,
                        map.position(&field),
                        &field,
                        format!(
                            "recommendation `{}` can never be chosen: `balance: []` allows no balance",
                            rung.option
                        ),
                    )
                    .with_hint("list the balances it is for, such as [social_led, mixed], or remove `balance:`"),
                );
            }
        }
    }

    /// Checks the taxonomy mapping `sicol partners import` and `export` read, when the folder
    /// keeps one, with their own loader: a category renamed in the vocabulary shows here, not
    /// at the next import.
    fn taxonomy_mapping(&mut self, vocabulary: Option<&Vocabulary>) {
        let files = self.files;
        let (Some(text), Some(vocabulary)) = (files.files.get(oruk::MAPPING_FILE), vocabulary)
        else {
            return;
        };
        let file = files.display(oruk::MAPPING_FILE);
        if let Err(problems) = oruk::TaxonomyMapping::parse(text, &file, vocabulary) {
            for problem in problems.0 {
                self.error(problem);
            }
        }
    }

    /// Checks `partners.yaml` with the loader `evaluate` uses (every field, unknown fields,
    /// duplicate ids, hours, routes), so that check and evaluate never disagree, then warns about
    /// partners that tie; returns the categories partners serve.
    fn partners(&mut self, vocabulary: Option<&Vocabulary>) -> Option<BTreeSet<String>> {
        let text = self.files.files.get(PARTNERS_FILE)?;
        let file = self.files.display(PARTNERS_FILE);
        let value: serde_yaml::Value = match serde_yaml::from_str(text) {
            Ok(value) => value,
            Err(error) => {
                self.error(yaml_problem(&file, &error));
                return None;
            }
        };
        let mut served = BTreeSet::new();
        let partners = value
            .get("partners")
            .and_then(serde_yaml::Value::as_sequence)
            .map(Vec::as_slice)
            .unwrap_or_default();
        for partner in partners {
            let categories = partner
                .get("categories")
                .and_then(serde_yaml::Value::as_sequence)
                .map(Vec::as_slice)
                .unwrap_or_default();
            served.extend(
                categories
                    .iter()
                    .filter_map(serde_yaml::Value::as_str)
                    .map(str::to_owned),
            );
        }
        let vocabulary = vocabulary?;
        match Directory::parse(text, &file, vocabulary) {
            Ok(directory) => {
                let map = SourceMap::index(text);
                for (category, first, second) in super::partner_effect::ties(&directory) {
                    let path = format!("partners[{second}]");
                    let partners = directory.partners();
                    self.warning(
                        Problem::new(
                            &file,
                            map.position(&path),
                            &path,
                            format!(
                                "`{}` and `{}` tie for {category}: same limits, hours, capacity and risk, so only the partner id decides between them",
                                partners[first].id, partners[second].id
                            ),
                        )
                        .with_hint("say what sets them apart (eligibility, only_when, max_risk, hours), or keep one of them for this category"),
                    );
                }
            }
            Err(problems) => {
                for problem in problems.0 {
                    self.error(problem);
                }
            }
        }
        Some(served)
    }

    /// `triage_scale.yaml`, when the folder has one; its problems are reported.
    fn scale(&mut self) -> Option<TriageScale> {
        let text = self.files.files.get(TRIAGE_SCALE_FILE)?;
        match TriageScale::parse(text, &self.files.display(TRIAGE_SCALE_FILE)) {
            Ok(scale) => Some(scale),
            Err(problems) => {
                for problem in problems.0 {
                    self.error(problem);
                }
                None
            }
        }
    }

    /// Compiles the scripts and checks each one, then the folder-wide usage warnings.
    fn scripts(
        &mut self,
        vocabulary: Option<&Vocabulary>,
        config: Option<&RuleSetConfig>,
        served: Option<&BTreeSet<String>>,
        scale: Option<&TriageScale>,
    ) {
        let weights = config
            .map(|config| config.weights.clone())
            .unwrap_or_default();
        let flags = config
            .map(|config| config.flags.clone())
            .unwrap_or_default();
        let mut runtime = Runtime::new(
            Arc::new(vocabulary.cloned().unwrap_or_default()),
            Arc::new(weights),
            Arc::new(flags),
            scale.cloned().map(Arc::new),
        );
        let all_scripts: Vec<ScriptEntry> = self
            .files
            .files
            .keys()
            .filter(|name| name.ends_with(".rhai"))
            .map(|name| ScriptEntry {
                file: name.clone(),
                when: None,
            })
            .collect();
        // Without a readable ruleset.yaml, still compile every script for syntax errors.
        let listed = config.map_or(all_scripts.as_slice(), |config| config.scripts.as_slice());
        let config_text = self
            .files
            .files
            .get(RULESET_FILE)
            .map_or("", String::as_str);
        let (_, problems) = compile_scripts(self.files, listed, config_text, &mut runtime);
        let mut usage = Usage {
            complete: problems.is_empty() && config.is_some(),
            ..Usage::default()
        };
        for problem in problems {
            self.error(problem);
        }
        let mut unlisted = Vec::new();
        if config.is_some() {
            unlisted = self.unlisted(listed, &all_scripts);
            // Check them too: a service lead often checks a new script before listing it.
            let (_, problems) = compile_scripts(self.files, &unlisted, "", &mut runtime);
            for problem in problems {
                self.error(problem);
            }
        }
        let callable = runtime.callable_names();
        for script in runtime.scripts() {
            let Some(source) = self.files.files.get(&script.file) else {
                continue;
            };
            // What a script that never runs mentions does not count as read or used.
            if !unlisted.iter().any(|entry| entry.file == script.file) {
                usage.mentioned.extend(string_literals(&runtime, source));
            }
            let context = ScriptContext {
                file: self.files.display(&script.file),
                vocabulary,
                weights: config.map(|config| &config.weights),
                flags: config.map(|config| &config.flags),
                served,
                scale,
                callable: &callable,
            };
            let findings = context.check(script.ast());
            self.findings.extend(findings);
        }
        if usage.complete {
            if let Some(vocabulary) = vocabulary {
                self.unread_kinds(vocabulary, &usage);
            }
            if let Some(config) = config {
                self.unused_weights(config, &usage);
            }
        }
    }

    /// Warns about scripts in the folder that `ruleset.yaml` does not list, and returns them.
    fn unlisted(
        &mut self,
        listed: &[ScriptEntry],
        all_scripts: &[ScriptEntry],
    ) -> Vec<ScriptEntry> {
        let mut unlisted = Vec::new();
        for script in all_scripts {
            if listed.iter().any(|entry| entry.file == script.file) {
                continue;
            }
            unlisted.push(script.clone());
            self.warning(
                Problem::new(
                    self.files.display(&script.file),
                    Position::default(),
                    "",
                    "script is not listed under `scripts:` in ruleset.yaml, so it never runs",
                )
                .with_hint(format!(
                    "add `- file: {}` under `scripts:` in ruleset.yaml, or move the file out of the rules folder",
                    script.file
                )),
            );
        }
        unlisted
    }

    /// Runs every script on the generated spread ([`super::exercise`]), leaving out failures at
    /// a place already reported by the reading checks.
    fn run_rules(&mut self, ruleset: &RuleSet) {
        let place = |finding: &Finding| {
            let problem = &finding.problem;
            (
                problem.file.clone(),
                problem.position.line,
                problem.position.column,
            )
        };
        let found: BTreeSet<(String, usize, usize)> = self.findings.iter().map(place).collect();
        let ran = super::exercise::exercise(ruleset);
        self.findings.extend(
            ran.into_iter()
                .filter(|finding| !found.contains(&place(finding))),
        );
    }

    /// Warns when the schemas kept in the folder differ from what this folder's vocabulary and
    /// rules give. Compares content, not dates: a git checkout gives every file a new date.
    fn stale_schemas(&mut self, ruleset: &RuleSet, kept: &BTreeMap<String, String>) {
        for schema in super::schema::schemas(ruleset) {
            let name = format!("{SCHEMAS_DIR}/{}", schema.file_name);
            let message = match kept.get(schema.file_name) {
                Some(text) if *text == schema.text => continue,
                Some(_) => "out of date: it no longer matches this folder's vocabulary and rules, so editors check files against old names",
                None => "missing: the folder keeps schemas, but not this one",
            };
            self.warning(
                Problem::new(self.files.display(&name), Position::default(), "", message)
                    .with_hint(format!(
                        "run `sicol schema --rules {}` to write them again",
                        self.files.origin
                    )),
            );
        }
    }

    fn unread_kinds(&mut self, vocabulary: &Vocabulary, usage: &Usage) {
        let Some(text) = self.files.files.get(VOCABULARY_FILE) else {
            return;
        };
        let map = SourceMap::index(text);
        let file = self.files.display(VOCABULARY_FILE);
        for section in crate::model::Section::ALL {
            for kind in vocabulary.kinds(section).keys() {
                if usage.mentioned.contains(kind) {
                    continue;
                }
                let path = format!("{}.{kind}", section.key());
                self.warning(
                    Problem::new(
                        &file,
                        map.position(&path),
                        &path,
                        format!("no rule reads `{kind}`: recording it adds no weight or referral of its own"),
                    )
                    .with_hint(format!(
                        "write a rule that reads it, such as `if has(\"{kind}\") {{ ... }}` (see {API_GUIDE})"
                    )),
                );
            }
        }
    }

    fn unused_weights(&mut self, config: &RuleSetConfig, usage: &Usage) {
        let Some(text) = self.files.files.get(RULESET_FILE) else {
            return;
        };
        let map = SourceMap::index(text);
        let file = self.files.display(RULESET_FILE);
        for name in config.weights.keys() {
            if usage.mentioned.contains(name) {
                continue;
            }
            let path = format!("weights.{name}");
            self.warning(
                Problem::new(
                    &file,
                    map.position(&path),
                    &path,
                    format!("no script uses weight `{name}`"),
                )
                .with_hint(format!(
                    "read it in a rule with `weight(\"{name}\")`, or remove it"
                )),
            );
        }
    }
}

/// What one script is checked against.
struct ScriptContext<'a> {
    file: String,
    vocabulary: Option<&'a Vocabulary>,
    weights: Option<&'a indexmap::IndexMap<String, f64>>,
    flags: Option<&'a indexmap::IndexMap<String, String>>,
    served: Option<&'a BTreeSet<String>>,
    scale: Option<&'a TriageScale>,
    callable: &'a BTreeSet<String>,
}

impl ScriptContext<'_> {
    fn check(&self, ast: &AST) -> Vec<Finding> {
        let defined: BTreeMap<String, usize> = ast
            .iter_functions()
            .map(|function| (function.name.to_owned(), function.params.len()))
            .collect();
        let mut findings = Vec::new();
        ast.walk(&mut |path: &[ASTNode]| {
            match path.last() {
                Some(ASTNode::Expr(Expr::FnCall(call, position)))
                | Some(ASTNode::Stmt(Stmt::FnCall(call, position)))
                    if call.op_token.is_none() =>
                {
                    let args: Vec<&Expr> = call.args.iter().collect();
                    self.call(&call.name, &args, *position, &defined, &mut findings);
                }
                Some(ASTNode::Expr(Expr::MethodCall(call, position))) => {
                    self.method(&call.name, *position, &defined, &mut findings);
                }
                _ => {}
            }
            true
        });
        findings
    }

    fn problem(&self, position: rhai::Position, message: String, hint: String) -> Problem {
        Problem::new(&self.file, to_position(position), "", message).with_hint(hint)
    }

    fn call(
        &self,
        name: &str,
        args: &[&Expr],
        position: rhai::Position,
        defined: &BTreeMap<String, usize>,
        findings: &mut Vec<Finding>,
    ) {
        if !is_identifier(name) || defined.contains_key(name) {
            return;
        }
        if let Some(function) = host_function(name) {
            if let (
                Some(scale),
                "risk_floor",
                [Expr::StringConstant(level, _), Expr::StringConstant(descriptor, position), ..],
            ) = (self.scale, name, args)
            {
                if let Ok(level) = level.parse::<Urgency>() {
                    if let Some((message, hint)) = scale.disagreement(level, descriptor) {
                        findings.push(Finding {
                            severity: Severity::Error,
                            problem: self.problem(*position, message, hint),
                        });
                    }
                }
            }
            if args.len() == function.params.len() {
                for (param, arg) in function.params.iter().zip(args) {
                    self.argument(function, param.kind, arg, findings);
                }
            } else {
                findings.push(Finding {
                    severity: Severity::Error,
                    problem: self.problem(
                        position,
                        format!("`{name}` takes {}, not {}", arguments(function), args.len()),
                        format!("write it as `{}` (see {API_GUIDE})", signature(function)),
                    ),
                });
            }
            return;
        }
        if self.callable.contains(name) || RHAI_KEYWORD_CALLS.contains(&name) {
            return;
        }
        findings.push(Finding {
            severity: Severity::Error,
            problem: self.problem(
                position,
                format!("unknown function `{name}`"),
                self.function_hint(name, defined),
            ),
        });
    }

    fn method(
        &self,
        name: &str,
        position: rhai::Position,
        defined: &BTreeMap<String, usize>,
        findings: &mut Vec<Finding>,
    ) {
        if !is_identifier(name)
            || defined.contains_key(name)
            || self.callable.contains(name)
            || RHAI_KEYWORD_CALLS.contains(&name)
        {
            return;
        }
        findings.push(Finding {
            severity: Severity::Error,
            problem: self.problem(
                position,
                format!("unknown method `.{name}()`"),
                self.method_hint(name),
            ),
        });
    }

    /// "Did you mean" over the host API and the script's own functions first, since those are
    /// what a rule usually meant, then over Rhai's standard library.
    fn function_hint(&self, name: &str, defined: &BTreeMap<String, usize>) -> String {
        let own: Vec<&str> = HOST_API
            .iter()
            .map(|function| function.name)
            .chain(defined.keys().map(String::as_str))
            .collect();
        if !nearest(name, own.iter().copied()).is_empty() {
            return suggestion(name, own, &format!("the host API in {API_GUIDE}"));
        }
        if !nearest(name, self.callable.iter().map(String::as_str)).is_empty() {
            return suggestion(
                name,
                self.callable.iter().map(String::as_str),
                "Rhai's standard library",
            );
        }
        format!("use a function of the host API in {API_GUIDE}, or define it in the script with `fn {name}(...) {{ ... }}`")
    }

    /// "Did you mean" for a method: methods are mostly Rhai's own (`.len()`, `.to_float()`).
    fn method_hint(&self, name: &str) -> String {
        if nearest(name, self.callable.iter().map(String::as_str)).is_empty() {
            "check the name against Rhai's standard library (https://rhai.rs/book/)".to_owned()
        } else {
            suggestion(
                name,
                self.callable.iter().map(String::as_str),
                "Rhai's standard library",
            )
        }
    }

    /// Checks a literal argument against what the parameter accepts.
    fn argument(
        &self,
        function: &HostFunction,
        kind: ParamKind,
        arg: &Expr,
        findings: &mut Vec<Finding>,
    ) {
        let mut error = |position: rhai::Position, message: String, hint: String| {
            findings.push(Finding {
                severity: Severity::Error,
                problem: self.problem(position, message, hint),
            });
        };
        if let ParamKind::Number | ParamKind::Days = kind {
            let value = match arg {
                Expr::IntegerConstant(value, _) => Some(*value as f64),
                Expr::FloatConstant(value, _) => Some(**value),
                _ => None,
            };
            if let Some(value) = value.filter(|value| *value < 0.0) {
                error(
                    arg.position(),
                    format!(
                        "`{}` needs a number of 0 or more, not {value}",
                        function.name
                    ),
                    if function.name == "add_factor" {
                        "weights only add; use the \"protective\" domain for what keeps a person safe".to_owned()
                    } else {
                        "use 0 or a positive number".to_owned()
                    },
                );
            }
            return;
        }
        let Expr::StringConstant(text, position) = arg else {
            return;
        };
        let text = text.as_str();
        let position = *position;
        match kind {
            ParamKind::Kind => {
                if let Some(vocabulary) = self.vocabulary {
                    if vocabulary.section_of(text).is_none() {
                        error(
                            position,
                            format!("unknown kind `{text}`"),
                            kind_hint(vocabulary, text),
                        );
                    }
                }
            }
            ParamKind::KindOrCombination => {
                if let Some(vocabulary) = self.vocabulary {
                    for part in text.split('+') {
                        if vocabulary.section_of(part).is_none() {
                            let message = if part == text {
                                format!("unknown kind `{part}`")
                            } else {
                                format!("unknown kind `{part}` in `{text}`")
                            };
                            error(position, message, kind_hint(vocabulary, part));
                        }
                    }
                }
            }
            ParamKind::KindOrCategory => {
                if let Some(vocabulary) = self.vocabulary {
                    if vocabulary.section_of(text).is_none()
                        && !vocabulary.referral_categories.contains_key(text)
                    {
                        let names = vocabulary
                            .all_kinds()
                            .chain(vocabulary.referral_categories.keys().map(String::as_str));
                        error(
                            position,
                            format!("unknown kind or referral category `{text}`"),
                            suggestion(text, names, "rules/vocabulary.yaml"),
                        );
                    }
                }
            }
            ParamKind::Category => {
                let Some(vocabulary) = self.vocabulary else {
                    return;
                };
                if !vocabulary.referral_categories.contains_key(text) {
                    error(
                        position,
                        format!("unknown referral category `{text}`"),
                        suggestion(
                            text,
                            vocabulary.referral_categories.keys().map(String::as_str),
                            "rules/vocabulary.yaml under `referral_categories:`",
                        ),
                    );
                } else if self.served.is_some_and(|served| !served.contains(text)) {
                    findings.push(Finding {
                        severity: Severity::Warning,
                        problem: self.problem(
                            position,
                            format!("no partner in partners.yaml serves `{text}`, so this referral will find no partner"),
                            format!("add `{text}` to the `categories:` of a partner in partners.yaml, or refer to another category"),
                        ),
                    });
                }
            }
            ParamKind::ReferralUrgency => {
                scale_check::<ReferralUrgency>(text, "referral urgency", position, &mut error)
            }
            ParamKind::Urgency => scale_check::<Urgency>(text, "urgency", position, &mut error),
            ParamKind::Domain => scale_check::<Domain>(text, "domain", position, &mut error),
            ParamKind::FiveP => scale_check::<FiveP>(text, "5P", position, &mut error),
            ParamKind::WeightName => {
                if let Some(weights) = self.weights {
                    if !weights.contains_key(text) {
                        error(
                            position,
                            format!("no weight named `{text}` in ruleset.yaml"),
                            match nearest(text, weights.keys().map(String::as_str)).first() {
                                Some(close) => format!("did you mean `{close}`? or add `{text}: <number>` under `weights:` in ruleset.yaml"),
                                None => format!("add `{text}: <number>` under `weights:` in ruleset.yaml"),
                            },
                        );
                    }
                }
            }
            ParamKind::FlagName => {
                if let Some(flags) = self.flags {
                    if !flags.contains_key(text) {
                        error(
                            position,
                            format!("unknown flag `{text}`"),
                            suggestion(
                                text,
                                flags.keys().map(String::as_str),
                                "ruleset.yaml under `flags:`",
                            ),
                        );
                    }
                }
            }
            ParamKind::RuleName => {
                if !is_snake_case(text) {
                    error(
                        position,
                        format!("rule name `{text}` must be lower_snake_case"),
                        "use lower-case letters, digits and `_`, such as `eviction_imminent`"
                            .to_owned(),
                    );
                }
            }
            ParamKind::Text => {
                if function.name == "add_factor" && text.trim().is_empty() {
                    error(
                        position,
                        "`add_factor` needs a reason".to_owned(),
                        "say in words why this weighs, such as \"eviction due in 5 days\""
                            .to_owned(),
                    );
                }
            }
            ParamKind::Descriptor => {
                if let Some(scale) = self.scale {
                    if scale.descriptor(text).is_none() {
                        error(
                            position,
                            format!("unknown triage scale descriptor `{text}`"),
                            suggestion(
                                text,
                                scale.all().map(|found| found.name),
                                "the descriptors in triage_scale.yaml",
                            ),
                        );
                    }
                } else {
                    error(
                        position,
                        "`risk` needs triage_scale.yaml in the rules folder".to_owned(),
                        "add triage_scale.yaml (the scale's rows), or use risk_floor(level, descriptor, why)".to_owned(),
                    );
                }
            }
            ParamKind::Number | ParamKind::Days => {}
        }
    }
}

/// A "did you mean" for a kind, over every section of the vocabulary.
fn kind_hint(vocabulary: &Vocabulary, kind: &str) -> String {
    suggestion(kind, vocabulary.all_kinds(), "rules/vocabulary.yaml")
}

/// Checks a name on one of the fixed scales (`terms.rs`), listing them all in the hint.
fn scale_check<T: std::str::FromStr + ScaleNames>(
    text: &str,
    what: &str,
    position: rhai::Position,
    error: &mut impl FnMut(rhai::Position, String, String),
) {
    if text.parse::<T>().is_ok() {
        return;
    }
    let names = T::all_names();
    let close = nearest(text, names.iter().copied());
    let listed = names.join(", ");
    let hint = match close.first() {
        Some(close) => format!("did you mean `{close}`? ({what} is one of {listed})"),
        None => format!("{what} is one of {listed}"),
    };
    error(position, format!("unknown {what} `{text}`"), hint);
}

/// The names of a fixed scale, for hints.
trait ScaleNames {
    fn all_names() -> Vec<&'static str>;
}

macro_rules! scale_names {
    ($($scale:ty),+) => {
        $(impl ScaleNames for $scale {
            fn all_names() -> Vec<&'static str> {
                Self::ALL.iter().map(|value| value.as_str()).collect()
            }
        })+
    };
}

scale_names!(ReferralUrgency, Urgency, Domain, FiveP);

fn is_identifier(name: &str) -> bool {
    name.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

fn to_position(position: rhai::Position) -> Position {
    Position {
        line: position.line().unwrap_or(0),
        column: position.position().unwrap_or(0),
    }
}

/// "3 arguments (category, urgency, why)".
fn arguments(function: &HostFunction) -> String {
    let names: Vec<&str> = function.params.iter().map(|param| param.name).collect();
    match names.len() {
        0 => "no arguments".to_owned(),
        1 => format!("1 argument ({})", names[0]),
        count => format!("{count} arguments ({})", names.join(", ")),
    }
}

/// `refer(category, urgency, why)`.
pub fn signature(function: &HostFunction) -> String {
    let names: Vec<&str> = function.params.iter().map(|param| param.name).collect();
    format!("{}({})", function.name, names.join(", "))
}

/// Every string literal in a script, including `switch` cases, which the compiled AST keeps only
/// as hashes. Uses rhai's own tokenizer, steering it through interpolated strings the way its
/// parser does, so that text inside `` `...` `` is never mistaken for code.
fn string_literals(runtime: &Runtime, source: &str) -> BTreeSet<String> {
    let mut literals = BTreeSet::new();
    let (tokens, control) = runtime.engine().lex([&source]);
    // One entry per open interpolation `${ ... }`: how many braces are open inside it.
    let mut interpolations: Vec<usize> = Vec::new();
    for (token, _) in tokens {
        match token {
            Token::StringConstant(text) => {
                literals.insert(text.to_string());
            }
            Token::InterpolatedString(_) => interpolations.push(0),
            Token::LeftBrace | Token::MapStart => {
                if let Some(open) = interpolations.last_mut() {
                    *open += 1;
                }
            }
            Token::RightBrace => {
                if let Some(open) = interpolations.last_mut() {
                    *open = open.saturating_sub(1);
                    if *open == 0 {
                        interpolations.pop();
                        control.borrow_mut().is_within_text = true;
                    }
                }
            }
            Token::EOF => break,
            _ => {}
        }
    }
    literals
}
