//! Shared by the fuzz targets: the bundled rule set, loaded once.

#![allow(dead_code)]

use std::path::Path;
use std::sync::OnceLock;

use sicol::{files, RuleFiles, RuleSet};

/// The bundled rules folder of the repository this crate sits in.
pub fn rules_dir() -> &'static Path {
    static DIR: OnceLock<std::path::PathBuf> = OnceLock::new();
    DIR.get_or_init(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../rules"))
}

/// The bundled rule set, compiled once per fuzzing process.
pub fn bundled() -> &'static RuleSet {
    static RULES: OnceLock<RuleSet> = OnceLock::new();
    RULES.get_or_init(|| match files::load_rules(rules_dir()) {
        Ok(rules) => rules,
        Err(error) => panic!("bundled rules must load: {error}"),
    })
}

/// The bundled rule files as text.
pub fn bundled_files() -> &'static RuleFiles {
    static FILES: OnceLock<RuleFiles> = OnceLock::new();
    FILES.get_or_init(|| match files::read_rule_files(rules_dir()) {
        Ok(files) => files,
        Err(error) => panic!("bundled rules must be readable: {error}"),
    })
}
