//! Any bytes through the reader's checks (issue 19): `input::check_yaml` as every kind of file,
//! `input::check_json` and `Record::from_bytes`. Never a panic; a refusal names the file; text
//! that passes is within the limits (no deeper than the depth limit when parsed); and
//! `terminal_safe` never lets a control character other than a newline or tab through.

#![no_main]

use libfuzzer_sys::fuzz_target;
use sicol::input::{self, InputKind, Limits};
use sicol::records::Record;

const FILE: &str = "fuzzed.yaml";

fuzz_target!(|data: &[u8]| {
    let limits = Limits::default();
    let text = String::from_utf8_lossy(data);
    for kind in [
        InputKind::Case,
        InputKind::Choices,
        InputKind::RuleFile,
        InputKind::Record,
        InputKind::Draft,
    ] {
        match input::check_yaml(&text, FILE, kind, &limits) {
            Ok(()) => assert!(text.len() as u64 <= limits.bytes(kind)),
            Err(problem) => assert_eq!(problem.file, FILE, "{problem}"),
        }
    }
    if let Err(problem) = input::check_json(data, FILE, InputKind::Record, &limits) {
        assert_eq!(problem.file, FILE, "{problem}");
    }
    let _ = Record::from_bytes(data);
    let safe = input::terminal_safe(&text);
    assert!(
        !safe.chars().any(|c| c.is_control() && c != '\n' && c != '\t'),
        "{safe:?}"
    );
    if input::control_character(&text, true).is_none() {
        assert_eq!(safe, text, "text without controls is printed as it is");
    }
});
