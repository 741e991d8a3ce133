//! `sicol rules test`: the rule set's own test cases. Each file in `rules/tests/` is an assessment
//! (exactly as `sicol evaluate` reads one) with an `expect:` block saying what the rules must make
//! of it: the balance, the urgency (exactly, or at least / at most), the recommendation, referral
//! categories that must or must not be among the needs (and how soon), and the rules that must or
//! must not fire. Every difference is listed, so a service lead sees at once what a change moved.
//!
//! A rule "fires" when anything is attributed to it: a factor, a referral, an urgency floor, a 5P
//! entry, a note or a flag.

use std::collections::BTreeSet;

use indexmap::IndexMap;
use serde::{Deserialize, Serialize};

use super::declared::declared_rules;
use crate::error::{suggestion, yaml_problem, Problem, Problems};
use crate::formulation::trace::RuleOutput;
use crate::formulation::{round_to_cents, weigh, Formulation};
use crate::model::{Assessment, Balance, ReferralUrgency, Urgency};
use crate::rules::RuleSet;
use crate::source::SourceMap;

/// The key of the block with the expected outcome.
pub const EXPECT_KEY: &str = "expect";

/// What the rules must make of a test case. Every field is optional; a case must say at least one
/// thing.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Expect {
    /// The balance must be exactly this.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub balance: Option<Balance>,
    /// The urgency must be exactly this.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub urgency: Option<Urgency>,
    /// The urgency must be this or more urgent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub urgency_at_least: Option<Urgency>,
    /// The urgency must be this or less urgent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub urgency_at_most: Option<Urgency>,
    /// The recommendation must be this option of `recommendations:` in ruleset.yaml.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recommendation: Option<String>,
    /// Referral categories that must be among the needs.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub referrals: Vec<String>,
    /// Referral categories that must not be among the needs.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub no_referrals: Vec<String>,
    /// How soon a referral category must be needed, category to referral urgency.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub referral_urgency: IndexMap<String, ReferralUrgency>,
    /// Rules (`script.rule`) that must fire.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub rules_fired: Vec<String>,
    /// Rules (`script.rule`) that must not fire.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub rules_not_fired: Vec<String>,
    /// Partners (ids in partners.yaml) the plan must refer the person to.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub partners: Vec<String>,
    /// Partners (ids in partners.yaml) the plan must not refer the person to.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub no_partners: Vec<String>,
    /// The partner (id in partners.yaml) that must be lead coordinator, or `none` for a plan
    /// without one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lead_coordinator: Option<String>,
}

/// What `expect.lead_coordinator` says for a plan without a lead coordinator.
pub const NO_LEAD: &str = "none";

impl Expect {
    fn is_empty(&self) -> bool {
        self == &Expect::default()
    }
}

/// One checked test case.
#[derive(Debug, Clone, PartialEq)]
pub struct RuleTest {
    /// The file as named in messages.
    pub file: String,
    /// The assessment part.
    pub assessment: Assessment,
    /// The expected outcome.
    pub expect: Expect,
}

/// Only the `expect:` block of a test file; serde skips the assessment's fields.
#[derive(Debug, Deserialize)]
struct ExpectPart {
    expect: Option<Expect>,
}

impl RuleTest {
    /// Parses and checks a test file against the rule set: the assessment as an assessment file
    /// would be checked, the expected outcome against the vocabulary, the recommendations and the
    /// rule names. Every problem names the file, line and field.
    pub fn parse(text: &str, file: &str, ruleset: &RuleSet) -> Result<Self, Problems> {
        let mut problems = Vec::new();
        let assessment = match Assessment::parse(&without_expect(text), file, &ruleset.vocabulary) {
            Ok(assessment) => Some(assessment),
            Err(found) => {
                problems.extend(found.0);
                None
            }
        };
        let expect = match serde_yaml::from_str::<ExpectPart>(text) {
            Ok(ExpectPart {
                expect: Some(expect),
            }) => {
                problems.extend(expectation_problems(&expect, text, file, ruleset));
                Some(expect)
            }
            Ok(ExpectPart { expect: None }) => {
                problems.push(
                    Problem::new(file, Default::default(), EXPECT_KEY, "no `expect:` block")
                        .with_hint("add `expect:` with what the rules must conclude, such as `urgency: high` (see rules/README.md)"),
                );
                None
            }
            Err(error) => {
                problems.push(yaml_problem(file, &error));
                None
            }
        };
        problems.sort_by_key(|problem| (problem.position.line, problem.position.column));
        match (assessment, expect) {
            (Some(assessment), Some(expect)) if problems.is_empty() => Ok(Self {
                file: file.to_owned(),
                assessment,
                expect,
            }),
            _ => Err(Problems(problems)),
        }
    }
}

/// The text with the top-level `expect:` block blanked out line by line, so that the rest parses
/// as an assessment and every line keeps its number. `sicol evaluate` reads a rule test this way.
pub fn without_expect(text: &str) -> String {
    without_top_level_block(text, EXPECT_KEY)
}

/// The text with the top-level block `key:` blanked out line by line, so that the rest parses as
/// an assessment and every line keeps its number (test cases' `expect:`, vignettes' `mhts:`).
pub(crate) fn without_top_level_block(text: &str, key: &str) -> String {
    let mut inside = false;
    let mut kept = Vec::new();
    for line in text.lines() {
        let starts_top_level = line.starts_with(|c: char| !c.is_whitespace() && c != '#');
        if starts_top_level {
            let found = line.split(':').next().unwrap_or_default().trim();
            inside = found == key;
        }
        kept.push(if inside { "" } else { line });
    }
    let mut result = kept.join("\n");
    result.push('\n');
    result
}

fn expectation_problems(
    expect: &Expect,
    text: &str,
    file: &str,
    ruleset: &RuleSet,
) -> Vec<Problem> {
    let map = SourceMap::index(text);
    let mut problems = Vec::new();
    let mut push = |path: String, message: String, hint: String| {
        problems.push(Problem::new(file, map.position(&path), path, message).with_hint(hint));
    };
    if expect.is_empty() {
        push(
            EXPECT_KEY.to_owned(),
            "`expect:` says nothing".to_owned(),
            "add at least one of balance, urgency, urgency_at_least, urgency_at_most, recommendation, referrals, no_referrals, referral_urgency, rules_fired, rules_not_fired, partners, no_partners, lead_coordinator".to_owned(),
        );
    }
    if let Some(option) = &expect.recommendation {
        let options: Vec<&str> = ruleset
            .config
            .recommendations
            .iter()
            .map(|rung| rung.option.as_str())
            .collect();
        if !options.contains(&option.as_str()) {
            push(
                format!("{EXPECT_KEY}.recommendation"),
                format!("unknown recommendation `{option}`"),
                suggestion(option, options, "ruleset.yaml under `recommendations:`"),
            );
        }
    }
    let categories = &ruleset.vocabulary.referral_categories;
    let mut category = |path: String, name: &str| {
        if !categories.contains_key(name) {
            push(
                path,
                format!("unknown referral category `{name}`"),
                suggestion(
                    name,
                    categories.keys().map(String::as_str),
                    "rules/vocabulary.yaml under `referral_categories:`",
                ),
            );
        }
    };
    for (field, list) in [
        ("referrals", &expect.referrals),
        ("no_referrals", &expect.no_referrals),
    ] {
        for (index, name) in list.iter().enumerate() {
            category(format!("{EXPECT_KEY}.{field}[{index}]"), name);
        }
    }
    for name in expect.referral_urgency.keys() {
        category(format!("{EXPECT_KEY}.referral_urgency.{name}"), name);
    }
    let partner_ids: Vec<&str> = ruleset
        .partners
        .partners()
        .iter()
        .map(|partner| partner.id.as_str())
        .collect();
    let mut partner = |path: String, id: &str| {
        if !partner_ids.contains(&id) {
            push(
                path,
                format!("no partner has the id `{id}`"),
                suggestion(id, partner_ids.iter().copied(), "partners.yaml, as `id:`"),
            );
        }
    };
    for (field, list) in [
        ("partners", &expect.partners),
        ("no_partners", &expect.no_partners),
    ] {
        for (index, id) in list.iter().enumerate() {
            partner(format!("{EXPECT_KEY}.{field}[{index}]"), id);
        }
    }
    if let Some(id) = expect
        .lead_coordinator
        .as_deref()
        .filter(|id| *id != NO_LEAD)
    {
        partner(format!("{EXPECT_KEY}.lead_coordinator"), id);
    }
    let rules = declared_rules(ruleset);
    for (field, list) in [
        ("rules_fired", &expect.rules_fired),
        ("rules_not_fired", &expect.rules_not_fired),
    ] {
        for (index, name) in list.iter().enumerate() {
            if !rules.contains(name) {
                let path = format!("{EXPECT_KEY}.{field}[{index}]");
                problems.push(
                    Problem::new(
                        file,
                        map.position(&path),
                        &path,
                        format!("no rule is named `{name}`"),
                    )
                    .with_hint(suggestion(
                        name,
                        rules.iter().map(String::as_str),
                        "the `rule(\"...\")` calls of the scripts, as `script.rule`",
                    )),
                );
            }
        }
    }
    for name in &expect.referrals {
        if expect.no_referrals.contains(name) {
            let index = expect
                .no_referrals
                .iter()
                .position(|other| other == name)
                .unwrap_or_default();
            let path = format!("{EXPECT_KEY}.no_referrals[{index}]");
            problems.push(
                Problem::new(
                    file,
                    map.position(&path),
                    &path,
                    format!("`{name}` is listed under both referrals and no_referrals"),
                )
                .with_hint("keep it in one of the two lists"),
            );
        }
    }
    problems
}

/// The outcome of one test case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseOutcome {
    /// The test file as named in messages.
    pub file: String,
    /// Every way the formulation differs from what was expected; empty when the case passes.
    pub differences: Vec<String>,
    /// The rules that fired.
    pub fired: BTreeSet<String>,
}

impl CaseOutcome {
    /// Whether the formulation matched every expectation.
    pub fn passed(&self) -> bool {
        self.differences.is_empty()
    }
}

/// Runs one checked test case.
pub fn run_case(ruleset: &RuleSet, case: &RuleTest) -> CaseOutcome {
    let output = ruleset.run_rules(&case.assessment);
    let fired = fired_rules(&output);
    let formulation = weigh(ruleset, &case.assessment, output);
    CaseOutcome {
        file: case.file.clone(),
        differences: differences(&case.expect, &formulation, &fired),
        fired,
    }
}

/// Every rule something was attributed to.
pub fn fired_rules(output: &RuleOutput) -> BTreeSet<String> {
    output
        .contributions
        .iter()
        .map(|item| &item.rule)
        .chain(output.referral_requests.iter().map(|item| &item.rule))
        .chain(output.urgency_floors.iter().map(|item| &item.rule))
        .chain(output.five_ps.iter().map(|item| &item.rule))
        .chain(output.notes.iter().map(|item| &item.rule))
        .chain(output.flags.iter().map(|item| &item.rule))
        .cloned()
        .collect()
}

fn differences(
    expect: &Expect,
    formulation: &Formulation,
    fired: &BTreeSet<String>,
) -> Vec<String> {
    let mut found = Vec::new();
    if let Some(balance) = expect.balance {
        if formulation.balance != balance {
            found.push(format!(
                "balance: expected {balance}, got {} (social {}, medical {})",
                formulation.balance,
                round_to_cents(formulation.social_weight),
                round_to_cents(formulation.medical_weight)
            ));
        }
    }
    let got = formulation.urgency;
    let score = round_to_cents(formulation.urgency_score);
    if let Some(urgency) = expect.urgency {
        if got != urgency {
            found.push(format!(
                "urgency: expected {urgency}, got {got} (score {score})"
            ));
        }
    }
    if let Some(least) = expect.urgency_at_least {
        if got < least {
            found.push(format!(
                "urgency: expected at least {least}, got {got} (score {score})"
            ));
        }
    }
    if let Some(most) = expect.urgency_at_most {
        if got > most {
            found.push(format!(
                "urgency: expected at most {most}, got {got} (score {score})"
            ));
        }
    }
    if let Some(option) = &expect.recommendation {
        if &formulation.recommendation != option {
            found.push(format!(
                "recommendation: expected {option}, got {}",
                formulation.recommendation
            ));
        }
    }
    let need = |category: &str| {
        formulation
            .needs
            .iter()
            .find(|need| need.category == category)
    };
    let needed: Vec<&str> = formulation
        .needs
        .iter()
        .map(|need| need.category.as_str())
        .collect();
    let needed = if needed.is_empty() {
        "none".to_owned()
    } else {
        needed.join(", ")
    };
    for category in &expect.referrals {
        if need(category).is_none() {
            found.push(format!(
                "referrals: expected {category}, not among the needs ({needed})"
            ));
        }
    }
    for category in &expect.no_referrals {
        if let Some(need) = need(category) {
            let rules: Vec<&str> = need
                .reasons
                .iter()
                .map(|reason| reason.rule.as_str())
                .collect();
            found.push(format!(
                "referrals: did not expect {category}, asked for by {}",
                rules.join(", ")
            ));
        }
    }
    for (category, urgency) in &expect.referral_urgency {
        match need(category) {
            Some(need) if need.urgency == *urgency => {}
            Some(need) => found.push(format!(
                "referral urgency: expected {category} {urgency}, got {}",
                need.urgency
            )),
            None => found.push(format!(
                "referral urgency: expected {category} {urgency}, not among the needs ({needed})"
            )),
        }
    }
    for rule in &expect.rules_fired {
        if !fired.contains(rule) {
            found.push(format!("rules: expected {rule} to fire, it did not"));
        }
    }
    for rule in &expect.rules_not_fired {
        if fired.contains(rule) {
            found.push(format!("rules: {rule} fired, expected it not to"));
        }
    }
    let referred: Vec<&str> = formulation
        .referrals
        .iter()
        .map(|referral| referral.partner.as_str())
        .collect();
    let referred_list = if referred.is_empty() {
        "none".to_owned()
    } else {
        referred.join(", ")
    };
    for id in &expect.partners {
        if !referred.contains(&id.as_str()) {
            found.push(format!(
                "partners: expected a referral to {id}, the plan refers to {referred_list}"
            ));
        }
    }
    for id in &expect.no_partners {
        if let Some(referral) = formulation.referrals.iter().find(|r| &r.partner == id) {
            found.push(format!(
                "partners: did not expect a referral to {id}, it takes {}",
                referral.categories.join(", ")
            ));
        }
    }
    if let Some(expected) = &expect.lead_coordinator {
        let got = formulation
            .lead_coordinator
            .as_ref()
            .map_or(NO_LEAD, |lead| lead.partner.as_str());
        if got != expected {
            found.push(format!("lead coordinator: expected {expected}, got {got}"));
        }
    }
    // A rule that stops is a broken rule, whatever else matched.
    for warning in &formulation.warnings {
        found.push(format!("rule stopped: {warning}"));
    }
    found
}

/// The result of running every test case of a rule set.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TestReport {
    /// One outcome per valid test file, in file order.
    pub outcomes: Vec<CaseOutcome>,
    /// Problems in test files that could not be run.
    pub invalid: Vec<Problem>,
    /// Rules of the rule set that no case fired, so a service lead sees what is untested.
    pub untested_rules: Vec<String>,
}

impl TestReport {
    /// How many cases passed.
    pub fn passed(&self) -> usize {
        self.outcomes
            .iter()
            .filter(|outcome| outcome.passed())
            .count()
    }

    /// How many cases failed.
    pub fn failed(&self) -> usize {
        self.outcomes.len() - self.passed()
    }

    /// The pass/fail table, the differences of every failed case, and a summary.
    pub fn render(&self) -> String {
        let width = self
            .outcomes
            .iter()
            .map(|outcome| outcome.file.chars().count())
            .chain(["case".len()])
            .max()
            .unwrap_or(4);
        let mut text = format!("{:<6}  {:<width$}  differences\n", "result", "case");
        for outcome in &self.outcomes {
            let result = if outcome.passed() { "pass" } else { "FAIL" };
            match outcome.differences.split_first() {
                None => text.push_str(&format!("{result:<6}  {}\n", outcome.file)),
                Some((first, rest)) => {
                    text.push_str(&format!("{result:<6}  {:<width$}  {first}\n", outcome.file));
                    for difference in rest {
                        text.push_str(&format!("{:<6}  {:<width$}  {difference}\n", "", ""));
                    }
                }
            }
        }
        for problem in &self.invalid {
            text.push_str(&format!("invalid: {problem}\n"));
        }
        if !self.untested_rules.is_empty() {
            text.push_str(&format!(
                "rules no case fires: {}\n",
                self.untested_rules.join(", ")
            ));
        }
        let cases = self.outcomes.len();
        let mut summary = format!(
            "{cases} {}: {} passed, {} failed",
            if cases == 1 { "case" } else { "cases" },
            self.passed(),
            self.failed()
        );
        if !self.invalid.is_empty() {
            summary.push_str(&format!(", {} problems in test files", self.invalid.len()));
        }
        text.push_str(&summary);
        text
    }
}

/// Parses and runs every test file, given as (name for messages, text) pairs.
pub fn run_tests(ruleset: &RuleSet, files: &[(String, String)]) -> TestReport {
    let mut report = TestReport::default();
    let mut fired = BTreeSet::new();
    for (file, text) in files {
        match RuleTest::parse(text, file, ruleset) {
            Ok(case) => {
                let outcome = run_case(ruleset, &case);
                fired.extend(outcome.fired.iter().cloned());
                report.outcomes.push(outcome);
            }
            Err(problems) => report.invalid.extend(problems.0),
        }
    }
    report.untested_rules = declared_rules(ruleset)
        .into_iter()
        .filter(|rule| !fired.contains(rule))
        .collect();
    report
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_expect_block_is_blanked_wherever_it_is_and_lines_keep_their_numbers() {
        let text = "id: A-1\nexpect:\n  urgency: high\n  # a comment\n\n  referrals: [debt_advice]\nassessed_at: 2026-11-20T14:30:00Z\n# trailing\n";
        let stripped = without_expect(text);
        assert_eq!(
            stripped,
            "id: A-1\n\n\n\n\n\nassessed_at: 2026-11-20T14:30:00Z\n# trailing\n"
        );
        assert_eq!(stripped.lines().count(), text.lines().count());
    }

    #[test]
    fn a_key_that_only_starts_with_expect_is_kept() {
        let text = "expected_by: x\nid: A-1\n";
        assert_eq!(without_expect(text), text);
    }
}
