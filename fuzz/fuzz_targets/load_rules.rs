//! The bundled rules folder with one file replaced by the fuzzer's text: loading never panics
//! and either fails with problems naming a file of the folder, or gives a rule set that
//! formulates the golden case with any failure reported as a warning.

#![no_main]

use libfuzzer_sys::fuzz_target;
use sicol::{files, RuleSet};

mod common;

fuzz_target!(|data: &[u8]| {
    let Some((&which, text)) = data.split_first() else {
        return;
    };
    let mut rule_files = common::bundled_files().clone();
    let names: Vec<String> = rule_files.files.keys().cloned().collect();
    let name = &names[usize::from(which) % names.len()];
    rule_files
        .files
        .insert(name.clone(), String::from_utf8_lossy(text).into_owned());
    match RuleSet::from_files(&rule_files) {
        Err(problems) => {
            assert!(!problems.0.is_empty());
            for problem in &problems.0 {
                let shown = problem.to_string();
                assert!(
                    names
                        .iter()
                        .any(|file| shown.starts_with(&rule_files.display(file))),
                    "{shown}"
                );
            }
        }
        Ok(rules) => {
            let case = common::rules_dir().join("../tests/cases/social_led_eviction.yaml");
            if let Ok(assessment) = files::read_assessment(&case, &rules) {
                for warning in sicol::evaluate(&rules, &assessment).warnings {
                    assert!(rules
                        .scripts()
                        .iter()
                        .any(|script| script.file == warning.file));
                }
            }
        }
    }
});
