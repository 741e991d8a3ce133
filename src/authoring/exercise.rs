//! `rules check` runs the rules, not only reads them: every script against a generated,
//! deterministic spread of assessments that covers every kind of the vocabulary at every
//! severity, every living situation, referral source and a range of ages, dates and weekdays.
//! A rule that throws, loops, recurses without end or grows a huge value is reported before it
//! is deployed, at the same file, line and column a formulation would show, with the input that
//! made it fail.
//!
//! The spread is written as assessment YAML and read through `Assessment::parse`, exactly as a
//! case file is, so the cases are valid by construction and follow the model as it grows.

use std::collections::BTreeSet;
use std::fmt::Write;
use std::time::{Duration, Instant};

use chrono::{Duration as Days, NaiveDate};

use super::findings::{Finding, Severity};
use crate::error::Problem;
use crate::model::{Assessment, Section, Vocabulary};
use crate::referrals::TIE_BROKEN_BY_ID;
use crate::rules::runtime::stopped_by_sandbox;
use crate::rules::RuleSet;
use crate::source::Position;

/// The seed of the random part of the spread: fixed, so `rules check` is repeatable.
pub const SEED: u64 = 13;
/// The most cases generated; the systematic part comes first, random mixes fill the rest.
pub const MAX_CASES: usize = 400;
/// How long the run may take at most. The bundled rules need a small fraction of it; a script
/// that loops is stopped by the operation budget once and then skipped, so this bound is only
/// reached by a rule set that is very slow everywhere, and then the check says so.
pub const TIME_BUDGET: Duration = Duration::from_secs(20);

/// One generated assessment: its YAML and a one-line description for messages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GeneratedCase {
    /// The assessment as YAML, as a case file would hold it.
    pub yaml: String,
    /// What it records, in one line, so a service lead can rebuild it.
    pub description: String,
}

/// Runs every script of the rule set against the generated spread and reports each distinct
/// failure once, as an error, with the first case that triggered it.
pub fn exercise(ruleset: &RuleSet) -> Vec<Finding> {
    exercise_within(ruleset, TIME_BUDGET)
}

/// [`exercise`] with another time limit (tests use a short one to see it reported).
pub fn exercise_within(ruleset: &RuleSet, budget: Duration) -> Vec<Finding> {
    let cases = spread(&ruleset.vocabulary);
    let started = Instant::now();
    let mut findings = Vec::new();
    let mut seen: BTreeSet<(String, usize, usize, String)> = BTreeSet::new();
    // Scripts the sandbox stopped: running them again would spend the whole operation budget on
    // every case and tell nothing new.
    let mut stopped: Vec<String> = Vec::new();
    let mut ran = 0;
    let mut unreadable: Option<(usize, String)> = None;
    // Which partners some plan chose, and which pairs only the partner id told apart.
    let mut reached: BTreeSet<String> = BTreeSet::new();
    let mut ties: std::collections::BTreeMap<(String, (String, String)), String> =
        std::collections::BTreeMap::new();
    for case in &cases {
        if started.elapsed() > budget {
            break;
        }
        // The generator writes only vocabulary names and valid dates; a case that does not
        // parse means the assessment format grew (a new required field, say). Said below, since
        // a run over no cases must not pass for a clean one.
        let assessment = match Assessment::parse(&case.yaml, "generated case", &ruleset.vocabulary)
        {
            Ok(assessment) => assessment,
            Err(problems) => {
                let first = problems.0.first().map(ToString::to_string);
                let entry = unreadable.get_or_insert((0, first.unwrap_or_default()));
                entry.0 += 1;
                continue;
            }
        };
        ran += 1;
        let output = ruleset.run_rules_excluding(&assessment, &stopped);
        let warnings = output.warnings.clone();
        let formulation = crate::formulation::weigh(ruleset, &assessment, output);
        for referral in &formulation.referrals {
            reached.insert(referral.partner.clone());
            for other in &referral.not_chosen {
                if other.why == TIE_BROKEN_BY_ID {
                    let pair = if referral.partner < other.partner {
                        (referral.partner.clone(), other.partner.clone())
                    } else {
                        (other.partner.clone(), referral.partner.clone())
                    };
                    ties.entry((other.category.clone(), pair))
                        .or_insert_with(|| case.description.clone());
                }
            }
        }
        for warning in warnings {
            let key = (
                warning.file.clone(),
                warning.line,
                warning.column,
                warning.message.clone(),
            );
            if !seen.insert(key) {
                continue;
            }
            if stopped_by_sandbox(&warning.message) && !stopped.contains(&warning.file) {
                stopped.push(warning.file.clone());
            }
            findings.push(Finding {
                severity: Severity::Error,
                problem: Problem::new(
                    ruleset.files.display(&warning.file),
                    Position {
                        line: warning.line,
                        column: warning.column,
                    },
                    "",
                    format!(
                        "rule {} fails when it runs: {}",
                        warning.rule, warning.message
                    ),
                )
                .with_hint(format!(
                    "every formulation it fails on is marked incomplete; it failed on a generated case with {}",
                    case.description
                )),
            });
        }
    }
    if ran == cases.len() && ruleset.config.partner_choice.is_some() {
        findings.extend(partner_findings(ruleset, &reached, &ties));
    }
    if let Some((count, first)) = unreadable {
        findings.push(Finding {
            severity: Severity::Warning,
            problem: Problem::new(
                ruleset.files.origin.clone(),
                Position::default(),
                "",
                format!(
                    "{count} of {} generated cases could not be read as assessments, so the rules were not run on them: {first}",
                    cases.len()
                ),
            )
            .with_hint("this is a fault in sicol's case generator (authoring::exercise), not in the rules; please report it"),
        });
    } else if ran < cases.len() {
        findings.push(Finding {
            severity: Severity::Warning,
            problem: Problem::new(
                ruleset.files.origin.clone(),
                Position::default(),
                "",
                format!(
                    "the rules were run on only {ran} of {} generated cases within {} seconds",
                    cases.len(),
                    budget.as_secs()
                ),
            )
            .with_hint("the rules are unusually slow: look for loops over large ranges"),
        });
    }
    findings
}

/// A small, fast, well-mixed generator (SplitMix64), so the spread is the same on every machine.
struct SplitMix(u64);

impl SplitMix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number below `bound` (0 when `bound` is 0).
    fn below(&mut self, bound: usize) -> usize {
        if bound == 0 {
            0
        } else {
            (self.next() % bound as u64) as usize
        }
    }
}

/// When the generated assessments take place: every weekday and season, late and early hours,
/// and three time zones, since rules may read the date and partners' hours depend on the time.
const MOMENTS: [(i32, u32, u32, &str, &str); 7] = [
    (2026, 1, 5, "09:15:00", "+00:00"),
    (2026, 3, 14, "23:30:00", "+01:00"),
    (2026, 6, 21, "03:05:00", "+01:00"),
    (2026, 9, 2, "12:00:00", "+01:00"),
    (2026, 12, 25, "14:00:00", "+00:00"),
    (2027, 2, 28, "17:45:00", "-05:00"),
    (2026, 11, 20, "14:30:00", "+00:00"),
];

/// Ages across the thresholds partners and rules commonly use.
const AGES: [Option<u32>; 8] = [
    None,
    Some(15),
    Some(17),
    Some(18),
    Some(25),
    Some(46),
    Some(66),
    Some(90),
];

/// One factor of a generated case.
struct Entry<'a> {
    kind: &'a str,
    severity: u8,
    since: Option<i64>,
    due: Option<i64>,
    /// For medical factors, which course is written (see [`COURSES`]).
    course: usize,
}

/// The courses a medical factor is given in turn (trend, first episode, happening now), so that
/// every rule reading them runs; the first is "nothing recorded" (not known).
const COURSES: [&str; 4] = [
    "",
    "trend: easing, first_episode: false",
    "trend: stable, first_episode: true",
    "trend: rising, happening_now: true",
];

/// Settings, self-care and capacity answers the spread goes through in turn ("" = not recorded).
const SETTINGS: [&str; 4] = ["", "home", "place_of_safety", "emergency_department"];
const SELF_CARE: [&str; 4] = ["", "able", "needs_help", "unable"];
/// Genders the spread goes through in turn, so that single-gender partners are reached (five,
/// so that the turn does not follow the other answers' period of four).
const GENDERS: [&str; 5] = ["", "woman", "man", "non_binary", "other"];
const CAPACITY: [&str; 4] = ["", "has", "lacks", "not_assessed"];

/// Who the person is in a generated case.
#[derive(Clone, Copy, Default)]
struct Person<'a> {
    age: Option<u32>,
    lives: Option<&'a str>,
    dependants: u32,
    source: Option<&'a str>,
    /// Index into [`SETTINGS`], [`SELF_CARE`] and [`CAPACITY`] (each taken modulo its length).
    answers: usize,
}

/// The dates a factor of this severity gets, in days from the assessment: none at 1; recent
/// and soon at 2; long-standing and already passed at 3, so both sides of every date test run.
fn dates_for(severity: u8) -> (Option<i64>, Option<i64>) {
    match severity {
        2 => (Some(-10), Some(2)),
        3 => (Some(-400), Some(-3)),
        _ => (None, None),
    }
}

/// Partners no generated case reached, and pairs of partners only the partner id told apart,
/// each at the partner's place in `partners.yaml`.
fn partner_findings(
    ruleset: &RuleSet,
    reached: &BTreeSet<String>,
    ties: &std::collections::BTreeMap<(String, (String, String)), String>,
) -> Vec<Finding> {
    let Some(text) = ruleset.files.files.get(crate::PARTNERS_FILE) else {
        return Vec::new();
    };
    let file = ruleset.files.display(crate::PARTNERS_FILE);
    let map = crate::source::SourceMap::index(text);
    let partners = ruleset.partners.partners();
    let place = |id: &str| {
        let index = partners
            .iter()
            .position(|partner| partner.id == id)
            .unwrap_or(0);
        let path = format!("partners[{index}]");
        (map.position(&path), path)
    };
    let mut findings = Vec::new();
    let warning = |id: &str, message: String, hint: &str| {
        let (position, path) = place(id);
        Finding {
            severity: Severity::Warning,
            problem: Problem::new(&file, position, path, message).with_hint(hint),
        }
    };
    for partner in partners
        .iter()
        .filter(|partner| !reached.contains(&partner.id))
    {
        findings.push(warning(
            &partner.id,
            format!(
                "no generated case reaches `{}`: every case that needs {} goes to another partner",
                partner.id,
                partner.categories.join(", ")
            ),
            "check its eligibility (ages, gender, only_when), max_risk and categories; a partner nobody is sent to is a directory mistake or a service the rules never ask for",
        ));
    }
    for ((category, (first, second)), description) in ties {
        findings.push(warning(
            second,
            format!(
                "`{first}` and `{second}` tie for {category}: only the partner id chose between them (for example on a generated case with {description})"
            ),
            "say what sets them apart (eligibility, only_when, max_risk, hours, same_day), or keep one of them for this category",
        ));
    }
    findings
}

/// The deterministic spread of assessments for a vocabulary.
pub fn spread(vocabulary: &Vocabulary) -> Vec<GeneratedCase> {
    let mut cases = Vec::new();
    let mut moment = 0usize;
    let mut next_moment = || {
        moment += 1;
        moment % MOMENTS.len()
    };
    let graded = [Section::Stressors, Section::Medical];
    // Nothing recorded at all.
    cases.push(case(next_moment(), Person::default(), &[]));
    // Every kind alone, at every severity.
    for section in graded {
        for kind in vocabulary.kinds(section).keys() {
            for severity in 1..=3 {
                let (since, due) = dates_for(severity);
                let entry = Entry {
                    kind,
                    severity,
                    since,
                    due,
                    course: usize::from(severity),
                };
                cases.push(case_in(next_moment(), Person::default(), section, entry));
            }
        }
    }
    for kind in vocabulary.kinds(Section::Strengths).keys() {
        let entry = Entry {
            kind,
            severity: 1,
            since: None,
            due: None,
            course: 0,
        };
        cases.push(case_in(
            next_moment(),
            Person::default(),
            Section::Strengths,
            entry,
        ));
    }
    // Everything at once, at each severity.
    for severity in 1..=3 {
        let (since, due) = dates_for(severity);
        let mut entries = Vec::new();
        for section in Section::ALL {
            for kind in vocabulary.kinds(section).keys() {
                entries.push((
                    section,
                    Entry {
                        kind,
                        severity,
                        since,
                        due,
                        course: usize::from(severity),
                    },
                ));
            }
        }
        let person = Person {
            age: Some(46),
            lives: vocabulary
                .living_situations
                .keys()
                .next()
                .map(String::as_str),
            dependants: 2,
            source: vocabulary
                .referral_sources
                .keys()
                .next()
                .map(String::as_str),
            answers: usize::from(severity),
        };
        cases.push(case(next_moment(), person, &entries));
    }
    // Random mixes, each with a different person, until the spread is full. Every living
    // situation, referral source and age comes round in turn.
    let mut random = SplitMix(SEED);
    let lives: Vec<&str> = vocabulary
        .living_situations
        .keys()
        .map(String::as_str)
        .collect();
    let sources: Vec<&str> = vocabulary
        .referral_sources
        .keys()
        .map(String::as_str)
        .collect();
    let mut turn = 0usize;
    while cases.len() < MAX_CASES {
        let person = Person {
            age: AGES[turn % AGES.len()],
            lives: lives.get(turn % lives.len().max(1)).copied(),
            dependants: (random.below(4)) as u32,
            source: sources.get(turn % sources.len().max(1)).copied(),
            answers: turn,
        };
        turn += 1;
        let mut entries = Vec::new();
        for section in Section::ALL {
            for kind in vocabulary.kinds(section).keys() {
                if random.below(5) != 0 {
                    continue;
                }
                let severity = if section == Section::Strengths {
                    1
                } else {
                    random.below(4) as u8
                };
                let (since, due) = dates_for(random.below(4) as u8);
                entries.push((
                    section,
                    Entry {
                        kind,
                        severity,
                        since,
                        due,
                        course: random.below(COURSES.len()),
                    },
                ));
            }
        }
        cases.push(case(random.below(MOMENTS.len()), person, &entries));
    }
    cases
}

fn case_in(moment: usize, person: Person<'_>, section: Section, entry: Entry<'_>) -> GeneratedCase {
    case(moment, person, &[(section, entry)])
}

/// Writes one generated case as YAML, with its description.
fn case(moment: usize, person: Person<'_>, entries: &[(Section, Entry<'_>)]) -> GeneratedCase {
    let (year, month, day, time, offset) = MOMENTS[moment % MOMENTS.len()];
    let date = NaiveDate::from_ymd_opt(year, month, day).unwrap_or_default();
    let mut yaml = format!("id: G-{moment}\nassessed_at: {date}T{time}{offset}\n");
    let mut description = format!("assessed_at {date}T{time}{offset} ({})", date.format("%A"));
    let mut about = Vec::new();
    let mut person_yaml = Vec::new();
    if let Some(age) = person.age {
        person_yaml.push(format!("age: {age}"));
        about.push(format!("age {age}"));
    }
    if let Some(lives) = person.lives {
        person_yaml.push(format!("lives: {lives}"));
        about.push(format!("lives {lives}"));
    }
    if person.dependants > 0 {
        person_yaml.push(format!("dependants: {}", person.dependants));
        about.push(format!("{} dependants", person.dependants));
    }
    let gender = GENDERS[person.answers % GENDERS.len()];
    if !gender.is_empty() {
        person_yaml.push(format!("gender: {gender}"));
        about.push(format!("gender {gender}"));
    }
    let self_care = SELF_CARE[person.answers % SELF_CARE.len()];
    if !self_care.is_empty() {
        person_yaml.push(format!("self_care: {self_care}"));
        about.push(format!("self-care {self_care}"));
    }
    if !person_yaml.is_empty() {
        let _ = writeln!(yaml, "person: {{ {} }}", person_yaml.join(", "));
    }
    let mut context_yaml = Vec::new();
    if let Some(source) = person.source {
        context_yaml.push(format!("referral_source: {source}"));
        about.push(format!("referred by {source}"));
    }
    let setting = SETTINGS[person.answers % SETTINGS.len()];
    if !setting.is_empty() {
        context_yaml.push(format!("setting: {setting}"));
        about.push(format!("seen at {setting}"));
    }
    if !context_yaml.is_empty() {
        let _ = writeln!(yaml, "context: {{ {} }}", context_yaml.join(", "));
    }
    let capacity = CAPACITY[person.answers % CAPACITY.len()];
    if !capacity.is_empty() {
        let _ = writeln!(yaml, "capacity: {{ status: {capacity} }}");
        about.push(format!("capacity {capacity}"));
    }
    if !about.is_empty() {
        let _ = write!(description, ", {}", about.join(", "));
    }
    for section in Section::ALL {
        let listed: Vec<&Entry> = entries
            .iter()
            .filter(|(at, _)| *at == section)
            .map(|(_, entry)| entry)
            .collect();
        if listed.is_empty() {
            continue;
        }
        let _ = writeln!(yaml, "{}:", section.key());
        let mut words = Vec::new();
        for entry in listed {
            let mut fields = vec![format!("kind: {}", entry.kind)];
            let mut word = entry.kind.to_owned();
            if section != Section::Strengths {
                fields.push(format!("severity: {}", entry.severity));
                word.push_str(&format!(" {}", entry.severity));
            }
            let course = COURSES[entry.course % COURSES.len()];
            if section == Section::Medical && !course.is_empty() {
                fields.push(course.to_owned());
                word.push_str(&format!(" [{course}]"));
            }
            let mut dated = Vec::new();
            // Strengths carry no dates.
            let (since, due) = if section == Section::Strengths {
                (None, None)
            } else {
                (entry.since, entry.due)
            };
            if let Some(offset) = since {
                let since = date + Days::days(offset);
                fields.push(format!("since: {since}"));
                dated.push(format!("since {since}"));
            }
            if let Some(offset) = due {
                let due = date + Days::days(offset);
                fields.push(format!("due: {due}"));
                dated.push(format!("due {due}"));
            }
            if !dated.is_empty() {
                word.push_str(&format!(" ({})", dated.join(", ")));
            }
            let _ = writeln!(yaml, "  - {{ {} }}", fields.join(", "));
            words.push(word);
        }
        let _ = write!(description, "; {}: {}", section.key(), words.join(", "));
    }
    if entries.is_empty() {
        description.push_str("; nothing recorded");
    }
    GeneratedCase { yaml, description }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vocabulary() -> Vocabulary {
        let text = "\
stressors:
  debt: { label: Debt, description: d, severity: { 1: a, 2: b, 3: c } }
  eviction: { label: Eviction, description: d, severity: { 1: a, 2: b, 3: c } }
medical:
  psychosis: { label: Psychosis, description: d, severity: { 1: a, 2: b, 3: c } }
strengths:
  insight: { label: Insight, description: d }
referral_categories:
  debt_advice: { label: Debt advice, description: d }
living_situations: { alone: Alone, with_family: With family }
referral_sources: { gp: GP, self: Self }
";
        Vocabulary::parse(text, "vocabulary.yaml").expect("test vocabulary")
    }

    #[test]
    fn the_spread_is_deterministic_and_covers_every_kind_and_severity() {
        let vocabulary = vocabulary();
        let cases = spread(&vocabulary);
        assert_eq!(cases, spread(&vocabulary));
        assert_eq!(cases.len(), MAX_CASES);
        for kind in ["debt", "eviction", "psychosis"] {
            for severity in 1..=3 {
                let wanted = format!("kind: {kind}, severity: {severity}");
                assert!(
                    cases.iter().any(|case| case.yaml.contains(&wanted)),
                    "{wanted}"
                );
            }
        }
        for case in &cases {
            Assessment::parse(&case.yaml, "generated", &vocabulary)
                .unwrap_or_else(|problems| panic!("{}\n{problems}", case.yaml));
        }
    }

    #[test]
    fn the_spread_records_the_course_self_care_capacity_and_setting() {
        let cases = spread(&vocabulary());
        for wanted in [
            "trend: rising, happening_now: true",
            "trend: easing, first_episode: false",
            "self_care: unable",
            "capacity: { status: lacks }",
            "setting: place_of_safety",
        ] {
            assert!(
                cases.iter().any(|case| case.yaml.contains(wanted)),
                "no generated case records `{wanted}`"
            );
        }
    }

    #[test]
    fn a_case_describes_what_it_records() {
        let entries = [(
            Section::Stressors,
            Entry {
                kind: "eviction",
                severity: 3,
                since: Some(-400),
                due: Some(-3),
                course: 0,
            },
        )];
        let person = Person {
            age: Some(17),
            lives: Some("alone"),
            dependants: 0,
            source: None,
            answers: 0,
        };
        let generated = case(0, person, &entries);
        assert_eq!(
            generated.description,
            "assessed_at 2026-01-05T09:15:00+00:00 (Monday), age 17, lives alone; stressors: eviction 3 (since 2024-12-01, due 2026-01-02)"
        );
    }
}
