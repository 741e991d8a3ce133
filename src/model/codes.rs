//! Codes a vocabulary entry may carry so that what sicol records can be read by coded systems
//! (issue 15): SNOMED CT concept ids, ICD-10 codes (the Z-codes for social circumstances) and a
//! service's own local codes. The codes themselves live in `rules/vocabulary.yaml`, each with its
//! source in a comment; this module only knows their syntax, which `rules check` (and every load
//! of the vocabulary) verifies, so a mistyped code is caught before it leaves the machine.

use serde::{Deserialize, Serialize};

/// The FHIR system URI of SNOMED CT.
pub const SNOMED_SYSTEM: &str = "http://snomed.info/sct";

/// The FHIR system URI of WHO ICD-10.
pub const ICD10_SYSTEM: &str = "http://hl7.org/fhir/sid/icd-10";

/// The codes of one vocabulary entry.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Codes {
    /// SNOMED CT concept ids (digits, with a Verhoeff check digit).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    // The schema gives editors the shape; the check digit is checked on load.
    #[schemars(inner(pattern(r"^[1-9][0-9]{5,17}$")))]
    pub snomed: Vec<String>,
    /// ICD-10 codes, such as `Z59.0` (a letter, two digits, and an optional dot and digits).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schemars(inner(pattern(r"^[A-Z][0-9]{2}(\.[0-9]{1,4})?$")))]
    pub icd10: Vec<String>,
    /// A service's own codes, each in a code system the service names by a URI.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub local: Vec<LocalCode>,
}

impl Codes {
    /// Whether the entry carries no code at all.
    pub fn is_empty(&self) -> bool {
        self.snomed.is_empty() && self.icd10.is_empty() && self.local.is_empty()
    }

    /// Every code as (system URI, code, display), SNOMED first, then ICD-10, then local codes.
    pub fn codings(&self) -> Vec<(&str, &str, Option<&str>)> {
        let mut codings: Vec<(&str, &str, Option<&str>)> = Vec::new();
        codings.extend(
            self.snomed
                .iter()
                .map(|code| (SNOMED_SYSTEM, code.as_str(), None)),
        );
        codings.extend(
            self.icd10
                .iter()
                .map(|code| (ICD10_SYSTEM, code.as_str(), None)),
        );
        codings.extend(self.local.iter().map(|local| {
            (
                local.system.as_str(),
                local.code.as_str(),
                local.display.as_deref(),
            )
        }));
        codings
    }

    /// What is wrong with each code, as (field under `codes`, message, fix).
    pub fn problems(&self) -> Vec<(String, String, String)> {
        let mut problems = Vec::new();
        for (index, code) in self.snomed.iter().enumerate() {
            if let Err(why) = check_snomed(code) {
                problems.push((
                    format!("snomed[{index}]"),
                    format!("`{code}` is not a SNOMED CT concept id: {why}"),
                    "copy the concept id from the SNOMED CT browser or the published reference set"
                        .to_owned(),
                ));
            }
        }
        for (index, code) in self.icd10.iter().enumerate() {
            if !is_icd10(code) {
                problems.push((
                    format!("icd10[{index}]"),
                    format!("`{code}` is not an ICD-10 code"),
                    "write a letter, two digits and optionally a dot and more digits, such as Z59.0"
                        .to_owned(),
                ));
            }
        }
        for (index, local) in self.local.iter().enumerate() {
            if !looks_like_uri(&local.system) {
                problems.push((
                    format!("local[{index}].system"),
                    format!("`{}` is not a code system URI", local.system),
                    "name the code system by an absolute URI, such as https://example.org/codes or urn:oid:1.2.3"
                        .to_owned(),
                ));
            }
            if local.code.trim().is_empty() || local.code.trim() != local.code {
                problems.push((
                    format!("local[{index}].code"),
                    "a local code must not be empty or start or end with spaces".to_owned(),
                    "write the code exactly as the code system has it".to_owned(),
                ));
            }
        }
        problems
    }
}

/// A code in a service's own code system.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LocalCode {
    /// The code system, as an absolute URI.
    pub system: String,
    /// The code.
    pub code: String,
    /// The code system's own words for the code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display: Option<String>,
}

/// The Verhoeff multiplication table (the dihedral group D5).
const VERHOEFF_D: [[u8; 10]; 10] = [
    [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
    [1, 2, 3, 4, 0, 6, 7, 8, 9, 5],
    [2, 3, 4, 0, 1, 7, 8, 9, 5, 6],
    [3, 4, 0, 1, 2, 8, 9, 5, 6, 7],
    [4, 0, 1, 2, 3, 9, 5, 6, 7, 8],
    [5, 9, 8, 7, 6, 0, 4, 3, 2, 1],
    [6, 5, 9, 8, 7, 1, 0, 4, 3, 2],
    [7, 6, 5, 9, 8, 2, 1, 0, 4, 3],
    [8, 7, 6, 5, 9, 3, 2, 1, 0, 4],
    [9, 8, 7, 6, 5, 4, 3, 2, 1, 0],
];

/// The Verhoeff permutation table.
const VERHOEFF_P: [[u8; 10]; 8] = [
    [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
    [1, 5, 7, 6, 2, 8, 3, 0, 9, 4],
    [5, 8, 0, 3, 7, 9, 6, 1, 4, 2],
    [8, 9, 1, 6, 0, 4, 3, 5, 2, 7],
    [9, 4, 5, 3, 1, 2, 6, 8, 7, 0],
    [4, 2, 8, 6, 5, 7, 3, 9, 0, 1],
    [2, 7, 9, 3, 8, 0, 6, 4, 1, 5],
    [7, 0, 4, 6, 9, 1, 3, 2, 5, 8],
];

/// Whether a string of digits, check digit last, passes the Verhoeff check.
pub fn verhoeff_valid(digits: &str) -> bool {
    let mut check = 0u8;
    for (position, byte) in digits.bytes().rev().enumerate() {
        if !byte.is_ascii_digit() {
            return false;
        }
        let digit = usize::from(byte - b'0');
        check = VERHOEFF_D[usize::from(check)][usize::from(VERHOEFF_P[position % 8][digit])];
    }
    !digits.is_empty() && check == 0
}

/// Checks a SNOMED CT concept id: 6 to 18 digits without a leading zero, a concept partition
/// (the second and third digits from the end are `00` for the international release or `10` for
/// an extension), and a valid Verhoeff check digit. Returns why it fails.
pub fn check_snomed(code: &str) -> Result<(), &'static str> {
    if code.is_empty() || !code.bytes().all(|byte| byte.is_ascii_digit()) {
        return Err("it must be digits only");
    }
    if !(6..=18).contains(&code.len()) {
        return Err("it must be 6 to 18 digits long");
    }
    if code.starts_with('0') {
        return Err("it must not start with 0");
    }
    let partition = &code[code.len() - 3..code.len() - 1];
    if partition != "00" && partition != "10" {
        return Err("its partition digits (second and third from the end) are not those of a concept (00 or 10): it may be a description or relationship id");
    }
    if !verhoeff_valid(code) {
        return Err("its check digit is wrong (a digit may be mistyped)");
    }
    Ok(())
}

/// Whether a code has ICD-10's shape: a capital letter, two digits, and optionally a dot and one
/// to four digits (WHO codes have one; national modifications add more).
pub fn is_icd10(code: &str) -> bool {
    let bytes = code.as_bytes();
    if bytes.len() < 3 || !bytes[0].is_ascii_uppercase() {
        return false;
    }
    if !bytes[1].is_ascii_digit() || !bytes[2].is_ascii_digit() {
        return false;
    }
    match &bytes[3..] {
        [] => true,
        [b'.', rest @ ..] => (1..=4).contains(&rest.len()) && rest.iter().all(u8::is_ascii_digit),
        _ => false,
    }
}

/// Whether a code system name is an absolute URI (a scheme, a colon, and more, no spaces).
fn looks_like_uri(system: &str) -> bool {
    let Some((scheme, rest)) = system.split_once(':') else {
        return false;
    };
    !rest.is_empty()
        && !system.contains(char::is_whitespace)
        && scheme.starts_with(|c: char| c.is_ascii_alphabetic())
        && scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verhoeff_accepts_known_concept_ids_and_catches_typos() {
        // SNOMED CT's own root concept and the "Clinical finding" top-level concept.
        for code in ["138875005", "404684003"] {
            assert_eq!(check_snomed(code), Ok(()), "{code}");
        }
        // One digit changed, and two neighbours swapped: both caught by the check digit.
        assert!(check_snomed("138875006").is_err());
        assert!(check_snomed("138857005").is_err());
        assert!(check_snomed("12345").is_err());
        assert!(check_snomed("0138875005").is_err());
        assert!(check_snomed("13887a005").is_err());
    }

    #[test]
    fn description_ids_are_not_concepts() {
        // The partition digits 01 belong to description ids.
        assert!(check_snomed("1234567011")
            .err()
            .is_some_and(|why| why.contains("partition")));
    }

    #[test]
    fn icd10_shapes() {
        for good in ["Z59", "Z59.0", "Z63.4", "F32.10"] {
            assert!(is_icd10(good), "{good}");
        }
        for bad in ["z59.0", "Z5", "Z59.", "Z59-0", "Z59.00000", "ZZ9.0", "59.0"] {
            assert!(!is_icd10(bad), "{bad}");
        }
    }

    #[test]
    fn every_bad_code_is_named_with_its_place() {
        let codes = Codes {
            snomed: vec!["138875005".into(), "138875006".into()],
            icd10: vec!["Z59.0".into(), "z59".into()],
            local: vec![LocalCode {
                system: "our codes".into(),
                code: " x".into(),
                display: None,
            }],
        };
        let fields: Vec<String> = codes.problems().into_iter().map(|p| p.0).collect();
        assert_eq!(
            fields,
            ["snomed[1]", "icd10[1]", "local[0].system", "local[0].code"]
        );
        assert_eq!(codes.codings().len(), 5);
    }
}
