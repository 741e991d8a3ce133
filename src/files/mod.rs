//! Reading the user's files: rule folders and assessment files. This is the edge where sicol
//! touches the file system; everything it returns is plain text or checked data for the pure core.
//!
//! Every file is read through [`read_bytes`], which never reads past the size limit for its kind
//! (a 1 GB file is refused after its first megabyte, or at once from its size), and every YAML
//! file through [`read_yaml`], which also runs [`input::check_yaml`] before any parser sees the
//! text. [`write`] is the other direction: files sicol writes outside the store.

pub mod write;

use std::collections::BTreeMap;
use std::io::Read;
use std::path::Path;

use crate::error::{Error, Problem, Problems, Result};
use crate::input::{self, InputKind};
use crate::model::Assessment;
use crate::rules::{RuleFiles, RuleSet};
use crate::source::Position;

/// Reads a file of `kind` within its size limit ([`input::limits`]): a regular file over the
/// limit is refused from its size without being read, anything else (a pipe, a device) is read
/// no further than one byte past the limit. A NUL byte is refused with its line: no file sicol
/// reads is binary.
pub fn read_bytes(path: &Path, kind: InputKind) -> Result<Vec<u8>> {
    let limits = input::limits();
    let limit = limits.bytes(kind);
    let name = path.display().to_string();
    let file = std::fs::File::open(path).map_err(|source| Error::io(path, source))?;
    if let Ok(metadata) = file.metadata() {
        if metadata.is_file() && metadata.len() > limit {
            return Err(input::too_large(&name, kind, &limits).into());
        }
    }
    let mut bytes = Vec::new();
    file.take(limit.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(|source| Error::io(path, source))?;
    if bytes.len() as u64 > limit {
        return Err(input::too_large(&name, kind, &limits).into());
    }
    if let Some(offset) = bytes.iter().position(|&byte| byte == 0) {
        return Err(Problem::new(
            name,
            Position {
                line: line_of(&bytes, offset),
                column: 1,
            },
            "",
            "the file contains a NUL byte, so it is not a text file",
        )
        .with_hint(format!("give {} as YAML or JSON text", kind.noun()))
        .into());
    }
    Ok(bytes)
}

/// Reads a text file of `kind` within its size limit; text that is not UTF-8 is refused with
/// the line of the first byte that is not.
pub fn read_text(path: &Path, kind: InputKind) -> Result<String> {
    let bytes = read_bytes(path, kind)?;
    String::from_utf8(bytes).map_err(|error| {
        let line = line_of(error.as_bytes(), error.utf8_error().valid_up_to());
        Problem::new(
            path.display().to_string(),
            Position { line, column: 1 },
            "",
            "the file is not UTF-8 text",
        )
        .with_hint("save it as UTF-8 (most editors offer this under \"encoding\")")
        .into()
    })
}

/// Reads a YAML file of `kind` and checks it against the limits ([`input::check_yaml`]: depth,
/// brackets, aliases, duplicate keys) before any parser sees it.
pub fn read_yaml(path: &Path, kind: InputKind) -> Result<String> {
    let text = read_text(path, kind)?;
    input::check_yaml(&text, &path.display().to_string(), kind, &input::limits())?;
    Ok(text)
}

/// The one-based line of a byte offset.
fn line_of(bytes: &[u8], offset: usize) -> usize {
    1 + bytes[..offset.min(bytes.len())]
        .iter()
        .filter(|&&byte| byte == b'\n')
        .count()
}

/// Reads every `.yaml` and `.rhai` file at the top of a rules folder, each within the rule-file
/// limits; the limits' problems of every file are reported together.
pub fn read_rule_files(dir: &Path) -> Result<RuleFiles> {
    let entries = std::fs::read_dir(dir).map_err(|source| Error::io(dir, source))?;
    let mut files = BTreeMap::new();
    let mut problems = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|source| Error::io(dir, source))?;
        let path = entry.path();
        let is_rule_file = path
            .extension()
            .and_then(|ext| ext.to_str())
            .is_some_and(|ext| matches!(ext, "yaml" | "yml" | "rhai"));
        if !is_rule_file || !path.is_file() {
            continue;
        }
        let Some(name) = path.file_name().and_then(|name| name.to_str()) else {
            continue;
        };
        let read = if name.ends_with(".rhai") {
            read_text(&path, InputKind::RuleFile)
        } else {
            read_yaml(&path, InputKind::RuleFile)
        };
        match read {
            Ok(text) => {
                files.insert(name.to_owned(), text);
            }
            Err(Error::Invalid(found)) => problems.extend(found.0),
            Err(error) => return Err(error),
        }
    }
    if !problems.is_empty() {
        return Err(Error::Invalid(Problems(problems)));
    }
    Ok(RuleFiles {
        origin: dir.display().to_string(),
        files,
    })
}

/// Reads, checks and compiles the rule set in a folder.
pub fn load_rules(dir: &Path) -> Result<RuleSet> {
    let files = read_rule_files(dir)?;
    Ok(RuleSet::from_files(&files)?)
}

/// Reads and checks an assessment file, refusing one dated in the future (the clock is read
/// here, at the edge, never by the pure parser). A rule test (`rules/tests/*.yaml`) is an assessment
/// too: its `expect:` block is set aside, so a service lead can formulate a test case directly.
pub fn read_assessment(path: &Path, ruleset: &RuleSet) -> Result<Assessment> {
    let text = read_yaml(path, InputKind::Case)?;
    let file = path.display().to_string();
    let assessment = Assessment::parse(
        &crate::authoring::cases::without_expect(&text),
        &file,
        &ruleset.vocabulary,
    )?;
    assessment.check_not_in_future(chrono::Utc::now(), &file, &text)?;
    Ok(assessment)
}

/// Reads and checks the person's choices about a formulation's referrals.
pub fn read_choices(
    path: &Path,
    formulation: &crate::formulation::Formulation,
) -> Result<crate::model::choices::Choices> {
    let text = read_yaml(path, InputKind::Choices)?;
    let file = path.display().to_string();
    let choices = crate::referrals::parse_choices(&text, &file, formulation)?;
    // The person's reasons are free text and go into records and packets: no control characters.
    let mut problems = crate::error::FileProblems::new(&file, &text);
    for (index, choice) in choices.0.iter().enumerate() {
        if let Some(reason) = &choice.reason {
            if let Some((_, name)) = input::control_character(reason, true) {
                problems.add(
                    &format!("[{index}].reason"),
                    format!("the text has a {name}, which is not allowed"),
                    "remove it: free text may have line breaks and tabs, no other control characters",
                );
            }
        }
    }
    Ok(problems.finish(choices)?)
}

/// The folder inside a rules folder that holds the rule set's test cases.
pub const RULE_TESTS_DIR: &str = "tests";

/// Reads the test cases in `<rules>/tests/*.yaml`, sorted by file name, as (name for messages,
/// text) pairs; none when the folder does not exist.
pub fn read_rule_tests(rules_dir: &Path) -> Result<Vec<(String, String)>> {
    let dir = rules_dir.join(RULE_TESTS_DIR);
    if !dir.is_dir() {
        return Ok(Vec::new());
    }
    read_yaml_files(&dir)
}

/// Reads every `*.yaml` (or `*.yml`) file at the top of a folder, sorted by file name, as (name
/// for messages, text) pairs. A folder that cannot be read is an error.
pub fn read_yaml_files(dir: &Path) -> Result<Vec<(String, String)>> {
    let entries = std::fs::read_dir(dir).map_err(|source| Error::io(dir, source))?;
    let mut paths = Vec::new();
    for entry in entries {
        let path = entry.map_err(|source| Error::io(dir, source))?.path();
        let is_yaml = path
            .extension()
            .and_then(|ext| ext.to_str())
            .is_some_and(|ext| matches!(ext, "yaml" | "yml"));
        if is_yaml && path.is_file() {
            paths.push(path);
        }
    }
    paths.sort();
    paths
        .into_iter()
        .map(|path| {
            let text = read_yaml(&path, InputKind::Case)?;
            Ok((path.display().to_string(), text))
        })
        .collect()
}

/// Reads the JSON Schemas (`*.json`) in a folder, file name to text; `None` when the folder
/// does not exist (the rules folder keeps no schemas).
pub fn read_schemas(dir: &Path) -> Result<Option<BTreeMap<String, String>>> {
    if !dir.is_dir() {
        return Ok(None);
    }
    let entries = std::fs::read_dir(dir).map_err(|source| Error::io(dir, source))?;
    let mut schemas = BTreeMap::new();
    for entry in entries {
        let path = entry.map_err(|source| Error::io(dir, source))?.path();
        let is_schema = path.extension().and_then(|ext| ext.to_str()) == Some("json");
        let Some(name) = path.file_name().and_then(|name| name.to_str()) else {
            continue;
        };
        if is_schema && path.is_file() {
            let text = read_text(&path, InputKind::RuleFile)?;
            schemas.insert(name.to_owned(), text);
        }
    }
    Ok(Some(schemas))
}

/// Reads and checks the vocabulary of a rules folder alone, for the commands that need its
/// names but not a rule set that compiles (importing a directory into a folder whose
/// `partners.yaml` is being replaced).
pub fn read_vocabulary(rules_dir: &Path) -> Result<crate::model::Vocabulary> {
    let path = rules_dir.join(crate::rules::VOCABULARY_FILE);
    let text = read_yaml(&path, InputKind::RuleFile)?;
    Ok(crate::model::Vocabulary::parse(
        &text,
        &path.display().to_string(),
    )?)
}
