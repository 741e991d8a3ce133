//! Any bytes as an assessment file: never a panic; either a valid case that the bundled rules
//! formulate without warnings, or problems that each name the file.

#![no_main]

use libfuzzer_sys::fuzz_target;
use sicol::Assessment;

mod common;

const FILE: &str = "fuzzed.yaml";

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let rules = common::bundled();
    match Assessment::parse(&text, FILE, &rules.vocabulary) {
        Ok(assessment) => {
            let formulation = sicol::evaluate(rules, &assessment);
            assert!(
                formulation.warnings.is_empty(),
                "{:?}",
                formulation.warnings
            );
        }
        Err(problems) => {
            assert!(!problems.0.is_empty());
            for problem in &problems.0 {
                assert!(problem.to_string().starts_with(FILE), "{problem}");
            }
        }
    }
});
