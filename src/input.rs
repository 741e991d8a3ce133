//! The limits every file sicol reads is held to, and the checks that enforce them before a parser
//! sees the text (issue 19). Pure: [`crate::files`] reads within [`Limits`], and every parser of
//! a YAML or JSON file (`Assessment::parse`, the rule files, choices, records, drafts) calls
//! [`check_yaml`] or [`check_json`] first.
//!
//! Why before the parser: libyaml's scanner is quadratic in nesting depth (100 000 levels of
//! `[[…]]` below the root took 27 s), an alias can repeat a large node hundreds of times, and
//! serde reads a file whole before it can say it is too big. Each check here is one linear pass,
//! so a hostile file is refused in the time it takes to read it once, with the line to look at.
//!
//! The limits are set in one place, [`Limits::default`], documented in the README's security
//! section, and can be raised for an unusual service with `SICOL_MAX_*` environment variables or
//! the matching `--max-*` options (the CLI calls [`set_limits`] once at start).

use std::collections::HashMap;
use std::sync::OnceLock;

use yaml_rust2::parser::{Event, Parser};
use yaml_rust2::scanner::Marker;

use crate::error::Problem;
use crate::source::Position;

/// What kind of file is being read: each kind has its own size limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputKind {
    /// An assessment (a case), a rule test case or a reference vignette.
    Case,
    /// The person's choices about a plan (`--choices`).
    Choices,
    /// A file of a rules folder: `ruleset.yaml`, `vocabulary.yaml`, `partners.yaml`, a script,
    /// a schema.
    RuleFile,
    /// A formulation record in a store.
    Record,
    /// A TUI draft or the TUI's config file.
    Draft,
}

impl InputKind {
    /// The kind in words, for messages.
    pub fn noun(self) -> &'static str {
        match self {
            InputKind::Case => "a case",
            InputKind::Choices => "a choices file",
            InputKind::RuleFile => "a rule file",
            InputKind::Record => "a record",
            InputKind::Draft => "a draft",
        }
    }

    /// The environment variable that overrides this kind's size limit.
    pub fn size_variable(self) -> &'static str {
        match self {
            InputKind::Case | InputKind::Choices | InputKind::Draft => "SICOL_MAX_CASE_BYTES",
            InputKind::RuleFile => "SICOL_MAX_RULE_FILE_BYTES",
            InputKind::Record => "SICOL_MAX_RECORD_BYTES",
        }
    }
}

/// Environment variable for the maximum nesting depth.
pub const DEPTH_VARIABLE: &str = "SICOL_MAX_DEPTH";

/// The limits on what sicol reads. One set for the whole process; see [`limits`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Largest case, choices file or draft, in bytes (1 MiB: a real case is a few KB, its notes
    /// included; a case is typed by a person).
    pub case_bytes: u64,
    /// Largest file in a rules folder, in bytes (4 MiB: the bundled files are about 20 KB).
    pub rule_file_bytes: u64,
    /// Largest record, in bytes (4 MiB: a record holds one case, its formulation and choices).
    pub record_bytes: u64,
    /// Deepest nesting of maps and lists (64: sicol's files nest at most 6 deep).
    pub max_depth: usize,
    /// How many times its own size a YAML file may grow when its aliases are expanded (4: room
    /// for a few reused blocks, none for "billion laughs").
    pub alias_expansion: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            case_bytes: 1 << 20,
            rule_file_bytes: 4 << 20,
            record_bytes: 4 << 20,
            max_depth: 64,
            alias_expansion: 4,
        }
    }
}

impl Limits {
    /// The default limits with any `SICOL_MAX_*` environment variable applied. A variable that is
    /// not a positive whole number is an error naming it.
    pub fn from_env() -> Result<Limits, Problem> {
        let mut limits = Limits::default();
        for (variable, slot) in [
            ("SICOL_MAX_CASE_BYTES", &mut limits.case_bytes),
            ("SICOL_MAX_RULE_FILE_BYTES", &mut limits.rule_file_bytes),
            ("SICOL_MAX_RECORD_BYTES", &mut limits.record_bytes),
        ] {
            if let Some(value) = env_number(variable)? {
                *slot = value;
            }
        }
        if let Some(depth) = env_number(DEPTH_VARIABLE)? {
            limits.max_depth = usize::try_from(depth).unwrap_or(usize::MAX);
        }
        Ok(limits)
    }

    /// The size limit for one kind of file.
    pub fn bytes(&self, kind: InputKind) -> u64 {
        match kind {
            InputKind::Case | InputKind::Choices | InputKind::Draft => self.case_bytes,
            InputKind::RuleFile => self.rule_file_bytes,
            InputKind::Record => self.record_bytes,
        }
    }
}

fn env_number(variable: &str) -> Result<Option<u64>, Problem> {
    let Ok(text) = std::env::var(variable) else {
        return Ok(None);
    };
    match text.trim().parse::<u64>() {
        Ok(value) if value > 0 => Ok(Some(value)),
        _ => Err(Problem::new(
            variable,
            Position::default(),
            "",
            format!("`{text}` is not a positive whole number"),
        )
        .with_hint("set it to a number of bytes (or levels for SICOL_MAX_DEPTH), or unset it")),
    }
}

static LIMITS: OnceLock<Limits> = OnceLock::new();

/// Sets the process's limits once, before any file is read (the CLI does, from its options and
/// the environment). Later calls are ignored: limits never change under a running command.
pub fn set_limits(limits: Limits) {
    let _ = LIMITS.set(limits);
}

/// The process's limits: those set by [`set_limits`], else the defaults with the environment
/// applied (a malformed variable falls back to the default; the CLI reports it at start).
pub fn limits() -> Limits {
    *LIMITS.get_or_init(|| Limits::from_env().unwrap_or_default())
}

/// A size in words: "1 MiB", "4.5 KiB", "12 bytes".
pub fn bytes_in_words(bytes: u64) -> String {
    const KIB: u64 = 1 << 10;
    const MIB: u64 = 1 << 20;
    const GIB: u64 = 1 << 30;
    let scaled = |unit: u64, name: &str| {
        if bytes.is_multiple_of(unit) {
            format!("{} {name}", bytes / unit)
        } else {
            format!("{:.1} {name}", bytes as f64 / unit as f64)
        }
    };
    match bytes {
        b if b >= GIB => scaled(GIB, "GiB"),
        b if b >= MIB => scaled(MIB, "MiB"),
        b if b >= KIB => scaled(KIB, "KiB"),
        b => format!("{b} bytes"),
    }
}

/// The problem for a file over its size limit.
pub fn too_large(file: &str, kind: InputKind, limits: &Limits) -> Problem {
    let limit = limits.bytes(kind);
    Problem::new(
        file,
        Position::default(),
        "",
        format!(
            "the file is larger than the size limit for {} ({}); reading stopped there",
            kind.noun(),
            bytes_in_words(limit)
        ),
    )
    .with_hint(format!(
        "check it is the file you meant; a service that needs larger files sets {} (bytes)",
        kind.size_variable()
    ))
}

/// Checks a YAML text against the limits before serde_yaml sees it: its size; how many brackets
/// it has (one pass over the bytes, see [`MAX_FLOW_COLLECTIONS`]); then, in one walk of its
/// events that stops at the first problem, its nesting depth, how far its aliases expand and
/// whether a map repeats a key. The first problem found is returned.
pub fn check_yaml(text: &str, file: &str, kind: InputKind, limits: &Limits) -> Result<(), Problem> {
    if text.len() as u64 > limits.bytes(kind) {
        return Err(too_large(file, kind, limits));
    }
    check_flow_count(text, file)?;
    check_events(text, file, limits.max_depth, limits.alias_expansion)
}

/// Checks a JSON text (a record) against the limits before serde_json sees it: size and depth.
pub fn check_json(
    text: &[u8],
    file: &str,
    kind: InputKind,
    limits: &Limits,
) -> Result<(), Problem> {
    if text.len() as u64 > limits.bytes(kind) {
        return Err(too_large(file, kind, limits));
    }
    check_json_depth(text, file, limits.max_depth)
}

fn too_deep(file: &str, line: usize, max: usize) -> Problem {
    Problem::new(
        file,
        Position { line, column: 1 },
        "",
        format!("nesting is deeper than the limit of {max} levels"),
    )
    .with_hint(format!(
        "sicol's files nest a few levels deep; check the brackets and indentation here (a service that needs deeper files sets {DEPTH_VARIABLE})"
    ))
}

/// At most this many flow collections (`[`, `{`) in one YAML file, counted over every byte
/// whatever its context. Why a count and not only the depth: libyaml reads a whole flow
/// collection ahead before it yields its first event, doing work in proportion to the depth at
/// every step, so only a bound that no quoting can hide keeps the worst case small
/// (4 096 levels: about 50 ms on this project's machines); the bundled files have under 200.
pub const MAX_FLOW_COLLECTIONS: usize = 4096;

/// Counts the flow collections a YAML text could open, stopping at the first past
/// [`MAX_FLOW_COLLECTIONS`]: one pass over the bytes, nothing a file says can hide a bracket.
fn check_flow_count(text: &str, file: &str) -> Result<(), Problem> {
    let mut seen = 0usize;
    for (offset, byte) in text.bytes().enumerate() {
        if byte == b'[' || byte == b'{' {
            seen += 1;
            if seen > MAX_FLOW_COLLECTIONS {
                let line = 1 + text.as_bytes()[..offset]
                    .iter()
                    .filter(|&&b| b == b'\n')
                    .count();
                return Err(Problem::new(
                    file,
                    Position { line, column: 1 },
                    "",
                    format!("more than {MAX_FLOW_COLLECTIONS} brackets (`[` or `{{`), the limit for one file"),
                )
                .with_hint("sicol's files use a few brackets; a file with this many is not one of them"));
            }
        }
    }
    Ok(())
}

/// The deepest nesting of a JSON text, measured in one pass (strings are skipped with their
/// escapes), stopping at the first level past `max`.
pub fn check_json_depth(text: &[u8], file: &str, max: usize) -> Result<(), Problem> {
    let mut depth = 0usize;
    let mut line = 1;
    let mut in_string = false;
    let mut escaped = false;
    for &byte in text {
        if byte == b'\n' {
            line += 1;
        }
        if in_string {
            match byte {
                _ if escaped => escaped = false,
                b'\\' => escaped = true,
                b'"' => in_string = false,
                _ => {}
            }
            continue;
        }
        match byte {
            b'"' => in_string = true,
            b'[' | b'{' => {
                depth += 1;
                if depth > max {
                    return Err(too_deep(file, line, max));
                }
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    Ok(())
}

/// Walks the YAML events once, stopping at the first problem: nesting past `max_depth`, aliases
/// expanding past `factor` times the file's size, a key repeated in one map. Runs after
/// [`check_flow_count`], so the parser's look-ahead is bounded.
fn check_events(text: &str, file: &str, max_depth: usize, factor: u64) -> Result<(), Problem> {
    let mut walk = EventWalk {
        budget: (text.len() as u64).max(1).saturating_mul(factor),
        expanded: text.len() as u64,
        max_depth,
        ..EventWalk::default()
    };
    let mut parser = Parser::new_from_str(text);
    loop {
        match parser.next_token() {
            // This parser counts flow levels in a byte, so past 255 it stops, deeper than any
            // limit a service would set.
            Err(error) if error.info().contains("recursion limit") => {
                walk.problem = Some(WalkProblem::Depth {
                    line: error.marker().line(),
                });
                break;
            }
            // With aliases in the text, a file this walk cannot read is refused: serde_yaml's
            // parser might read it and expand aliases that were never counted.
            Err(error) if text.contains('&') && text.contains('*') => {
                return Err(Problem::new(
                    file,
                    Position {
                        line: error.marker().line(),
                        column: error.marker().col() + 1,
                    },
                    "",
                    format!("the YAML cannot be read here ({})", error.info()),
                )
                .with_hint(
                    "check the indentation and the anchors (`&name`) and aliases (`*name`)",
                ));
            }
            // Otherwise a syntax error is the YAML parser's to report, with its own place.
            Err(_) | Ok((Event::StreamEnd, _)) => break,
            Ok((event, mark)) => {
                walk.on_event(event, mark);
                if walk.problem.is_some() {
                    break;
                }
            }
        }
    }
    match walk.problem {
        Some(WalkProblem::Depth { line }) => Err(too_deep(file, line, max_depth)),
        Some(WalkProblem::Aliases { line }) => Err(Problem::new(
            file,
            Position { line, column: 1 },
            "",
            format!("aliases expand the file to more than {factor} times its size"),
        )
        .with_hint("write the repeated part out, or use fewer aliases (`*name`) of large parts")),
        Some(WalkProblem::Duplicate {
            key,
            first,
            again,
            column,
        }) => Err(Problem::new(
            file,
            Position {
                line: again,
                column,
            },
            key.clone(),
            format!("`{key}` is given twice in the same map, on lines {first} and {again}"),
        )
        .with_hint("keep one of them: YAML would silently use the last")),
        None => Ok(()),
    }
}

enum WalkProblem {
    Depth {
        line: usize,
    },
    Aliases {
        line: usize,
    },
    Duplicate {
        key: String,
        first: usize,
        again: usize,
        column: usize,
    },
}

struct Open {
    anchor: usize,
    start: usize,
    /// What aliases inside this node add when it is expanded.
    extra: u64,
    /// For a map: its keys so far with their lines, and whether the next node is a key.
    keys: Option<(HashMap<String, usize>, bool)>,
}

#[derive(Default)]
struct EventWalk {
    open: Vec<Open>,
    /// Expanded size of each anchored node, by anchor id.
    sizes: HashMap<usize, u64>,
    budget: u64,
    expanded: u64,
    max_depth: usize,
    problem: Option<WalkProblem>,
}

impl EventWalk {
    /// Whether the next node is a map key; flips the map between key and value.
    fn key_slot(&mut self) -> bool {
        match self.open.last_mut() {
            Some(Open {
                keys: Some((_, expecting)),
                ..
            }) => {
                let is_key = *expecting;
                *expecting = !*expecting;
                is_key
            }
            _ => false,
        }
    }

    fn add_expansion(&mut self, size: u64, mark: Marker) {
        if let Some(parent) = self.open.last_mut() {
            parent.extra = parent.extra.saturating_add(size);
        }
        self.expanded = self.expanded.saturating_add(size);
        if self.expanded > self.budget {
            self.problem = Some(WalkProblem::Aliases { line: mark.line() });
        }
    }

    fn on_event(&mut self, event: Event, mark: Marker) {
        match event {
            Event::Scalar(value, _, anchor, _) => {
                if self.key_slot() {
                    if let Some(Open {
                        keys: Some((keys, _)),
                        ..
                    }) = self.open.last_mut()
                    {
                        if let Some(&first) = keys.get(&value) {
                            self.problem = Some(WalkProblem::Duplicate {
                                key: value,
                                first,
                                again: mark.line(),
                                column: mark.col() + 1,
                            });
                            return;
                        }
                        keys.insert(value.clone(), mark.line());
                    }
                }
                if anchor > 0 {
                    self.sizes.insert(anchor, value.len() as u64);
                }
            }
            Event::Alias(id) => {
                self.key_slot();
                let size = self.sizes.get(&id).copied().unwrap_or(0);
                self.add_expansion(size, mark);
            }
            Event::MappingStart(anchor, _) | Event::SequenceStart(anchor, _) => {
                self.key_slot();
                if self.open.len() >= self.max_depth {
                    self.problem = Some(WalkProblem::Depth { line: mark.line() });
                    return;
                }
                let keys = matches!(event, Event::MappingStart(..)).then(|| (HashMap::new(), true));
                self.open.push(Open {
                    anchor,
                    start: mark.index(),
                    extra: 0,
                    keys,
                });
            }
            Event::MappingEnd | Event::SequenceEnd => {
                if let Some(node) = self.open.pop() {
                    let size =
                        (mark.index().saturating_sub(node.start) as u64).saturating_add(node.extra);
                    if node.anchor > 0 {
                        self.sizes.insert(node.anchor, size);
                    }
                    if let Some(parent) = self.open.last_mut() {
                        parent.extra = parent.extra.saturating_add(node.extra);
                    }
                }
            }
            _ => {}
        }
    }
}

/// Whether a character is a C0 or C1 control character (or DEL).
fn is_control(c: char) -> bool {
    c.is_control()
}

/// The first control character in a text field, if any: C0 and C1 controls are refused in every
/// field, except newline and tab in free text (notes, wishes). Returns the character's position
/// (line within the value, counted from 0) and a name for it.
pub fn control_character(value: &str, free_text: bool) -> Option<(usize, String)> {
    let mut line = 0;
    for c in value.chars() {
        if c == '\n' {
            if !free_text {
                return Some((line, "a line break".to_owned()));
            }
            line += 1;
            continue;
        }
        if c == '\t' && free_text {
            continue;
        }
        if is_control(c) {
            return Some((line, control_name(c)));
        }
    }
    None
}

/// A control character's name in a message: `U+001B (escape)`.
fn control_name(c: char) -> String {
    let name = match c {
        '\0' => " (NUL)",
        '\t' => " (tab)",
        '\r' => " (carriage return)",
        '\u{1b}' => " (escape)",
        '\u{7f}' => " (delete)",
        _ => "",
    };
    format!("control character U+{:04X}{name}", c as u32)
}

/// Text made safe to print on a terminal: every control character except newline and tab is
/// shown as a visible escape (`\u{1b}`), so a field cannot clear the screen, move the cursor or
/// change colours, and a reader still sees that something was there.
pub fn terminal_safe(text: &str) -> std::borrow::Cow<'_, str> {
    if !text
        .chars()
        .any(|c| is_control(c) && c != '\n' && c != '\t')
    {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if is_control(c) && c != '\n' && c != '\t' {
            out.push_str(&format!("\\u{{{:x}}}", c as u32));
        } else {
            out.push(c);
        }
    }
    std::borrow::Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn depth_problem(text: &str) -> Option<usize> {
        check_yaml(text, "f.yaml", InputKind::Case, &Limits::default())
            .err()
            .map(|problem| problem.position.line)
    }

    #[test]
    fn ordinary_shapes_pass_and_deep_ones_are_caught_at_their_line() {
        let case = "id: A\nstressors:\n  - kind: debt\n    severity: 2\n    note: \"a [b] {c}\"\n";
        assert_eq!(depth_problem(case), None);
        let deep = format!("id: A\nnote: {}{}\n", "[".repeat(100), "]".repeat(100));
        assert_eq!(depth_problem(&deep), Some(2));
        let dashes = format!("id: A\nlist:\n  {}x\n", "- ".repeat(100));
        assert_eq!(depth_problem(&dashes), Some(3));
        let very = format!("id: A\nnote: {}{}\n", "[".repeat(4000), "]".repeat(4000));
        let problem =
            check_yaml(&very, "f.yaml", InputKind::Case, &Limits::default()).expect_err("too deep");
        assert!(problem.message.contains("nesting"), "{problem}");
        let maps = format!("id: A\nnote: {}1{}\n", "{a: ".repeat(100), "}".repeat(100));
        assert_eq!(depth_problem(&maps), Some(2));
    }

    #[test]
    fn brackets_in_text_count_towards_the_file_limit_whatever_quotes_say() {
        let text = format!("a: '{}'\n", "[".repeat(MAX_FLOW_COLLECTIONS));
        assert_eq!(depth_problem(&text), None);
        let text = format!("a: '{}'\nb: 1\n", "[".repeat(MAX_FLOW_COLLECTIONS + 1));
        let problem = check_yaml(&text, "f.yaml", InputKind::Case, &Limits::default())
            .expect_err("over the count");
        assert!(problem.message.contains("brackets"), "{problem}");
    }

    #[test]
    fn json_nesting_is_measured_too() {
        let deep = format!("{}{}", "[".repeat(200), "]".repeat(200));
        assert!(check_json(
            deep.as_bytes(),
            "r.json",
            InputKind::Record,
            &Limits::default()
        )
        .is_err());
        assert!(check_json(
            b"{\"a\": [1, {\"b\": \"[[[[\"}]}",
            "r.json",
            InputKind::Record,
            &Limits::default()
        )
        .is_ok());
    }

    #[test]
    fn aliases_are_bounded_by_a_multiple_of_the_size() {
        let note = "x".repeat(1000);
        let mut text = format!("base: &n \"{note}\"\nlist:\n");
        for _ in 0..10 {
            text.push_str("  - *n\n");
        }
        let problem = check_yaml(&text, "c.yaml", InputKind::Case, &Limits::default())
            .expect_err("ten copies of most of the file is more than four times its size");
        assert!(problem.message.contains("aliases expand"), "{problem}");
        let few = format!("base: &n \"{note}\"\nlist:\n  - *n\n");
        assert!(check_yaml(&few, "c.yaml", InputKind::Case, &Limits::default()).is_ok());
    }

    #[test]
    fn aliases_in_a_file_this_walk_cannot_read_are_refused_not_passed_on() {
        let text = "a: &x [1, 2\nb: *x\n";
        let problem = check_yaml(text, "c.yaml", InputKind::Case, &Limits::default())
            .expect_err("unreadable with aliases");
        assert!(problem.message.contains("cannot be read"), "{problem}");
        // Without aliases the parser's own message is kept for serde to give.
        assert!(check_yaml("a: [1, 2\n", "c.yaml", InputKind::Case, &Limits::default()).is_ok());
    }

    #[test]
    fn a_duplicate_key_in_a_rule_file_names_both_lines() {
        let text = "weights:\n  debt: 1\n  eviction: 2\n  debt: 3\n";
        let problem = check_yaml(
            text,
            "ruleset.yaml",
            InputKind::RuleFile,
            &Limits::default(),
        )
        .expect_err("duplicate");
        assert_eq!(problem.position.line, 4);
        assert!(problem.message.contains("lines 2 and 4"), "{problem}");
        // The same key in two different maps is fine.
        let fine = "a:\n  debt: 1\nb:\n  debt: 2\n";
        assert!(check_yaml(
            fine,
            "ruleset.yaml",
            InputKind::RuleFile,
            &Limits::default()
        )
        .is_ok());
    }

    #[test]
    fn control_characters_are_found_and_escaped() {
        assert_eq!(control_character("plain", false), None);
        assert_eq!(control_character("two\nlines\tok", true), None);
        assert!(control_character("two\nlines", false).is_some());
        let (line, name) = control_character("a\nb\u{1b}[2J", true).expect("escape");
        assert_eq!(line, 1);
        assert!(name.contains("U+001B"), "{name}");
        assert!(control_character("c1 \u{9b} csi", true).is_some());
        assert_eq!(terminal_safe("A\u{1b}[2J\nB"), "A\\u{1b}[2J\nB");
    }
}
