//! Reading the user's files: rule folders and assessment files. This is the edge where sicol
//! touches the file system; everything it returns is plain text or checked data for the pure core.

use std::collections::BTreeMap;
use std::path::Path;

use crate::error::{Error, Result};
use crate::model::Assessment;
use crate::rules::{RuleFiles, RuleSet};

/// Reads every `.yaml` and `.rhai` file at the top of a rules folder.
pub fn read_rule_files(dir: &Path) -> Result<RuleFiles> {
    let entries = std::fs::read_dir(dir).map_err(|source| Error::io(dir, source))?;
    let mut files = BTreeMap::new();
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
        let text = std::fs::read_to_string(&path).map_err(|source| Error::io(&path, source))?;
        files.insert(name.to_owned(), text);
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

/// Reads and checks an assessment file. A rule test (`rules/tests/*.yaml`) is an assessment
/// too: its `expect:` block is set aside, so a service lead can formulate a test case directly.
pub fn read_assessment(path: &Path, ruleset: &RuleSet) -> Result<Assessment> {
    let text = std::fs::read_to_string(path).map_err(|source| Error::io(path, source))?;
    Ok(Assessment::parse(
        &crate::authoring::cases::without_expect(&text),
        &path.display().to_string(),
        &ruleset.vocabulary,
    )?)
}

/// Reads and checks the person's choices about a formulation's referrals.
pub fn read_choices(
    path: &Path,
    formulation: &crate::formulation::Formulation,
) -> Result<crate::model::choices::Choices> {
    let text = std::fs::read_to_string(path).map_err(|source| Error::io(path, source))?;
    Ok(crate::referrals::parse_choices(
        &text,
        &path.display().to_string(),
        formulation,
    )?)
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
            let text = std::fs::read_to_string(&path).map_err(|source| Error::io(&path, source))?;
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
            let text = std::fs::read_to_string(&path).map_err(|source| Error::io(&path, source))?;
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
    let text = std::fs::read_to_string(&path).map_err(|source| Error::io(&path, source))?;
    Ok(crate::model::Vocabulary::parse(
        &text,
        &path.display().to_string(),
    )?)
}

/// Writes `text` to `path` whole or not at all, readable by its owner only (0600): a temporary
/// file in the same folder, synced, then renamed over `path`, so that a reader never sees half a
/// file and a failed write leaves the old one in place.
pub fn write_private(path: &Path, text: &str) -> Result<()> {
    use std::io::Write as _;
    let dir = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    // tempfile creates the file with mode 0600.
    let mut file = tempfile::Builder::new()
        .prefix(".sicol-")
        .suffix(".tmp")
        .tempfile_in(dir)
        .map_err(|source| Error::io(dir, source))?;
    file.write_all(text.as_bytes())
        .and_then(|()| file.as_file().sync_all())
        .map_err(|source| Error::io(path, source))?;
    file.persist(path)
        .map_err(|error| Error::io(path, error.error))?;
    Ok(())
}
