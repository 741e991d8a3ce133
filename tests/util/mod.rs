//! Shared helpers for the integration tests: the bundled rule set, loaded once per test binary,
//! and insta settings that put every snapshot in the top-level `snapshots/` folder.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use sicol::{files, RuleSet};

/// The repository root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The bundled rules folder.
pub fn rules_dir() -> PathBuf {
    root().join("rules")
}

/// The bundled rule set, compiled once per test binary.
pub fn bundled() -> &'static RuleSet {
    static RULES: OnceLock<RuleSet> = OnceLock::new();
    RULES.get_or_init(|| match files::load_rules(&rules_dir()) {
        Ok(rules) => rules,
        Err(error) => panic!("bundled rules must load:\n{error}"),
    })
}

/// The example cases, sorted by name.
pub fn example_cases() -> Vec<PathBuf> {
    let mut cases: Vec<PathBuf> = std::fs::read_dir(root().join("tests/cases"))
        .expect("tests/cases exists")
        .map(|entry| entry.expect("readable entry").path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "yaml"))
        .collect();
    cases.sort();
    cases
}

/// The file stem, for snapshot names.
pub fn stem(path: &Path) -> String {
    path.file_stem()
        .map(|stem| stem.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// insta settings with the top-level snapshots folder.
pub fn snapshot_settings() -> insta::Settings {
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path(root().join("snapshots"));
    settings.set_prepend_module_to_snapshot(false);
    settings
}
