//! Partner fit: whether a rule set and its partner directory send people to services that will
//! take them and can hold their risk, measured on a reference set of cases
//! (`tests/reference/partners/`). Each case is an assessment, as `sicol evaluate` reads one, with a
//! `partner_fit:` block listing the properties its referral plan must have, written from the
//! directory's descriptions and ordinary practice (never from the rules).
//!
//! Each failed expectation is one of two kinds:
//! - **wrong partner**: a partner in the plan that should not be there (a service that would turn
//!   the person away, a women's refuge for a man, a walk-in café holding a risk it cannot, a lead
//!   that cannot be reached and no one holding the case). None is accepted in the bundled set.
//! - **missing referral**: a need the case expects that the plan neither refers nor shows as a
//!   gap (a parent at risk with no children and families referral, a refuge without the helpline
//!   it is reached through).
//!
//! Besides the written expectations, every case is checked for what holds for every plan: no
//! referral to a partner whose eligibility excludes the person for the categories it covers, no
//! single-gender service for a person of another recorded gender, and a single-gender service for
//! a person whose gender is not recorded only with "confirm eligibility", never as lead.
//!
//! Pure: parsing takes text, [`measure`] takes parsed cases and a rule set, rendering returns text
//! or JSON. Reading the folder and printing sit in `files` and the CLI.

use std::fmt::Write as _;

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use crate::error::{yaml_problem, FileProblems, Problem, Problems};
use crate::formulation::{evaluate, person_facts, Formulation};
use crate::model::{Assessment, Urgency};
use crate::referrals::partners::PersonFacts;
use crate::referrals::Directory;
use crate::rules::{RuleSet, RuleSetId};

use super::cases::without_top_level_block;

/// The key of the block holding a case's expected partner properties.
pub const PARTNER_FIT_KEY: &str = "partner_fit";

/// What a case's plan must show, one entry of `partner_fit.expect`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Expectation {
    /// `{ category, partner_any_of, or_gap }`: the category is referred to one of these partners;
    /// with `or_gap`, a gap for the category will also do, as long as no other partner has it.
    Partner {
        /// The referral category.
        category: String,
        /// The partners that fit.
        any_of: Vec<String>,
        /// Whether a named gap is acceptable instead.
        or_gap: bool,
    },
    /// `{ category, holds_risk: true }`: the partner referred for the category holds the case's
    /// risk (its `max_risk`, absent meaning no limit, is at least the risk).
    HoldsRisk {
        /// The referral category.
        category: String,
    },
    /// `{ referred: category }`: some referral covers the category.
    Referred(String),
    /// `{ gap: category }`: the category is shown as a gap, of any kind.
    Gap(String),
    /// `{ never: [ids] }`: none of these partners is anywhere in the plan (referral, lead, holder).
    Never(Vec<String>),
    /// `{ lead_any_of: [ids] }`: the lead coordinator is one of these partners.
    LeadAnyOf(Vec<String>),
    /// `{ not_lead: [ids] }`: none of these partners is the lead coordinator.
    NotLead(Vec<String>),
    /// `{ lead_reachable: true }`: the lead is open at the time of the assessment, or the plan
    /// names who holds the case until it opens.
    LeadReachable,
    /// `{ route_through: via, for: target }`: when `target` is referred, `via` is referred too.
    RouteThrough {
        /// The partner the referral goes through (a helpline).
        via: String,
        /// The partner reached through it (a refuge).
        target: String,
    },
}

impl Expectation {
    /// The expectation in words, as messages name it.
    pub fn describe(&self) -> String {
        match self {
            Expectation::Partner {
                category,
                any_of,
                or_gap,
            } => format!(
                "{category} referred to {}{}",
                one_of(any_of),
                if *or_gap { ", or shown as a gap" } else { "" }
            ),
            Expectation::HoldsRisk { category } => {
                format!("the {category} partner holds the case's risk")
            }
            Expectation::Referred(category) => format!("{category} referred"),
            Expectation::Gap(category) => format!("{category} shown as a gap"),
            Expectation::Never(ids) => format!("never {}", ids.join(", ")),
            Expectation::LeadAnyOf(ids) => format!("lead coordinator {}", one_of(ids)),
            Expectation::NotLead(ids) => format!("lead coordinator not {}", ids.join(", ")),
            Expectation::LeadReachable => {
                "lead reachable now, or a named holder until it opens".to_owned()
            }
            Expectation::RouteThrough { via, target } => {
                format!("{target} reached through {via}, which is referred too")
            }
        }
    }
}

fn one_of(ids: &[String]) -> String {
    match ids {
        [only] => only.clone(),
        _ => format!("one of {}", ids.join(", ")),
    }
}

/// One reference case: an assessment and the partner properties its plan must have.
#[derive(Debug, Clone, PartialEq)]
pub struct PartnerCase {
    /// The file as named in messages.
    pub file: String,
    /// The case in one line.
    pub story: String,
    /// The assessment part.
    pub assessment: Assessment,
    /// What the plan must show.
    pub expect: Vec<Expectation>,
}

/// The `partner_fit:` block as YAML gives it, before checking.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawBlock {
    story: Option<String>,
    expect: Option<Vec<RawExpect>>,
}

/// One `expect:` entry as YAML gives it: any keys, checked into one [`Expectation`] after.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawExpect {
    category: Option<String>,
    partner_any_of: Option<Vec<String>>,
    or_gap: Option<bool>,
    holds_risk: Option<bool>,
    referred: Option<String>,
    gap: Option<String>,
    never: Option<Vec<String>>,
    lead_any_of: Option<Vec<String>>,
    not_lead: Option<Vec<String>>,
    lead_reachable: Option<bool>,
    route_through: Option<String>,
    #[serde(rename = "for")]
    target: Option<String>,
}

/// Only the `partner_fit:` block of a case file; serde skips the assessment's fields.
#[derive(Debug, Deserialize)]
struct BlockPart {
    partner_fit: Option<RawBlock>,
}

const EXPECT_HINT: &str = "write one of { category, partner_any_of, or_gap }, { category, holds_risk: true }, { referred }, { gap }, { never }, { lead_any_of }, { not_lead }, { lead_reachable: true }, { route_through, for } (see tests/reference/partners/README.md)";

impl PartnerCase {
    /// Parses and checks a case: the assessment as an assessment file would be checked, and the
    /// `partner_fit:` block, whose categories must be in the vocabulary and whose partner ids in
    /// the directory (a misspelt id in `never:` would pass unseen). Every problem names the file,
    /// line and field, with a fix.
    pub fn parse(text: &str, file: &str, ruleset: &RuleSet) -> Result<Self, Problems> {
        let mut problems = Vec::new();
        let assessment = match Assessment::parse(
            &without_top_level_block(text, PARTNER_FIT_KEY),
            file,
            &ruleset.vocabulary,
        ) {
            Ok(assessment) => Some(assessment),
            Err(found) => {
                problems.extend(found.0);
                None
            }
        };
        let block = match serde_yaml::from_str::<BlockPart>(text) {
            Ok(BlockPart {
                partner_fit: Some(raw),
            }) => {
                let mut found = FileProblems::new(file, text);
                let block = check_block(raw, ruleset, &mut found);
                problems.extend(found.into_vec());
                block
            }
            Ok(BlockPart { partner_fit: None }) => {
                problems.push(
                    Problem::new(file, Default::default(), PARTNER_FIT_KEY, "no `partner_fit:` block")
                        .with_hint("add `partner_fit:` with a one-line `story:` and the `expect:` list (see tests/reference/partners/README.md)"),
                );
                None
            }
            Err(error) => {
                // The assessment parse reports the same YAML syntax error; say it once.
                let problem = yaml_problem(file, &error);
                if !problems.contains(&problem) {
                    problems.push(problem);
                }
                None
            }
        };
        problems.sort_by_key(|problem| (problem.position.line, problem.position.column));
        match (assessment, block) {
            (Some(assessment), Some((story, expect))) if problems.is_empty() => Ok(Self {
                file: file.to_owned(),
                story,
                assessment,
                expect,
            }),
            _ => Err(Problems(problems)),
        }
    }
}

/// Parses every case file, given as (name for messages, text) pairs, and reports the problems of
/// all of them at once: a measure over part of the set would mislead.
pub fn parse_cases(
    files: &[(String, String)],
    ruleset: &RuleSet,
) -> Result<Vec<PartnerCase>, Problems> {
    super::concordance::parse_reference_set(
        files,
        |text, file| PartnerCase::parse(text, file, ruleset),
        |case| (&case.assessment.id, &case.file),
        "give each case its own id, PF-<nn> with the file's number",
    )
}

fn check_block(
    raw: RawBlock,
    ruleset: &RuleSet,
    problems: &mut FileProblems<'_>,
) -> Option<(String, Vec<Expectation>)> {
    let before = problems.count();
    let story = raw.story.map(|story| story.trim().to_owned());
    if story.as_deref().is_none_or(str::is_empty) {
        problems.add(
            "partner_fit.story",
            "missing story",
            "say the case in one line, such as `story: \"19-year-old man sleeping rough, Saturday 23:10\"`",
        );
    }
    let entries = raw.expect.unwrap_or_default();
    if entries.is_empty() {
        problems.add(
            "partner_fit.expect",
            "`expect:` lists nothing",
            "list at least one partner property the plan must have",
        );
    }
    let mut expect = Vec::new();
    for (index, entry) in entries.into_iter().enumerate() {
        let path = format!("partner_fit.expect[{index}]");
        expect.extend(check_entry(entry, &path, ruleset, problems));
    }
    (problems.count() == before).then(|| (story.unwrap_or_default(), expect))
}

/// Checks one entry into its expectations (a category entry may carry both a partner list and
/// `holds_risk`), or records why it cannot be read.
fn check_entry(
    entry: RawExpect,
    path: &str,
    ruleset: &RuleSet,
    problems: &mut FileProblems<'_>,
) -> Vec<Expectation> {
    let kinds = [
        entry.category.is_some(),
        entry.referred.is_some(),
        entry.gap.is_some(),
        entry.never.is_some(),
        entry.lead_any_of.is_some(),
        entry.not_lead.is_some(),
        entry.lead_reachable.is_some(),
        entry.route_through.is_some(),
    ];
    if kinds.iter().filter(|kind| **kind).count() != 1 {
        problems.add(
            path,
            "an expectation must say exactly one thing",
            EXPECT_HINT,
        );
        return Vec::new();
    }
    let category_only =
        entry.partner_any_of.is_some() || entry.or_gap.is_some() || entry.holds_risk.is_some();
    if entry.category.is_none() && category_only {
        problems.add(
            path,
            "partner_any_of, or_gap and holds_risk go with `category:`",
            EXPECT_HINT,
        );
        return Vec::new();
    }
    if entry.route_through.is_none() && entry.target.is_some() {
        problems.add(path, "`for:` goes with `route_through:`", EXPECT_HINT);
        return Vec::new();
    }
    let before = problems.count();
    let category = |field: &str, value: &str, problems: &mut FileProblems<'_>| {
        if !ruleset.vocabulary.referral_categories.contains_key(value) {
            problems.add(
                &format!("{path}.{field}"),
                format!("`{value}` is not a referral category"),
                "use a key of referral_categories in rules/vocabulary.yaml",
            );
        }
        value.to_owned()
    };
    let partner = |field: &str, value: &str, problems: &mut FileProblems<'_>| {
        if ruleset.partners.get(value).is_none() {
            problems.add(
                &format!("{path}.{field}"),
                format!("`{value}` is not a partner id in partners.yaml"),
                "use the `id:` of a partner in the rules' partners.yaml; for a directory of your own, point --partners at cases written for it",
            );
        }
        value.to_owned()
    };
    let partners = |field: &str, values: &[String], problems: &mut FileProblems<'_>| {
        if values.is_empty() {
            problems.add(
                &format!("{path}.{field}"),
                "the list is empty",
                "list at least one partner id",
            );
        }
        values
            .iter()
            .enumerate()
            .map(|(index, value)| partner(&format!("{field}[{index}]"), value, problems))
            .collect::<Vec<_>>()
    };
    let mut expectations = Vec::new();
    if let Some(name) = &entry.category {
        let name = category("category", name, problems);
        if entry.partner_any_of.is_none() && entry.holds_risk.is_none() {
            problems.add(
                path,
                "a `category:` entry says nothing about its partner",
                "add `partner_any_of: [ids]` (with `or_gap: true` if a gap will do) or `holds_risk: true`, or write `referred: category`",
            );
        }
        if entry.or_gap.is_some() && entry.partner_any_of.is_none() {
            problems.add(
                &format!("{path}.or_gap"),
                "`or_gap` goes with `partner_any_of`",
                "add the partners that fit, or write `gap: category`",
            );
        }
        if let Some(ids) = &entry.partner_any_of {
            expectations.push(Expectation::Partner {
                category: name.clone(),
                any_of: partners("partner_any_of", ids, problems),
                or_gap: entry.or_gap.unwrap_or(false),
            });
        }
        match entry.holds_risk {
            Some(true) => expectations.push(Expectation::HoldsRisk { category: name }),
            Some(false) => problems.add(
                &format!("{path}.holds_risk"),
                "`holds_risk: false` expects nothing",
                "write `holds_risk: true` or leave it out",
            ),
            None => {}
        }
    } else if let Some(name) = &entry.referred {
        expectations.push(Expectation::Referred(category("referred", name, problems)));
    } else if let Some(name) = &entry.gap {
        expectations.push(Expectation::Gap(category("gap", name, problems)));
    } else if let Some(ids) = &entry.never {
        expectations.push(Expectation::Never(partners("never", ids, problems)));
    } else if let Some(ids) = &entry.lead_any_of {
        expectations.push(Expectation::LeadAnyOf(partners(
            "lead_any_of",
            ids,
            problems,
        )));
    } else if let Some(ids) = &entry.not_lead {
        expectations.push(Expectation::NotLead(partners("not_lead", ids, problems)));
    } else if let Some(reachable) = entry.lead_reachable {
        if reachable {
            expectations.push(Expectation::LeadReachable);
        } else {
            problems.add(
                &format!("{path}.lead_reachable"),
                "`lead_reachable: false` expects nothing",
                "write `lead_reachable: true` or leave it out",
            );
        }
    } else if let Some(via) = &entry.route_through {
        let via = partner("route_through", via, problems);
        match &entry.target {
            Some(target) => expectations.push(Expectation::RouteThrough {
                via,
                target: partner("for", target, problems),
            }),
            None => problems.add(
                path,
                "`route_through:` without `for:`",
                "name the partner reached through it, such as `for: cv-safer-homes-refuge`",
            ),
        }
    }
    if problems.count() == before {
        expectations
    } else {
        Vec::new()
    }
}

/// Which way a plan failed a case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FailureKind {
    /// A partner in the plan that should not be there: excluded by its eligibility, of another
    /// gender, not holding the risk, the wrong lead, or a lead no one can reach tonight.
    WrongPartner,
    /// An expected referral or route neither referred nor an allowed gap.
    MissingReferral,
}

impl FailureKind {
    /// The kind in words, for the text report.
    pub fn label(self) -> &'static str {
        match self {
            FailureKind::WrongPartner => "WRONG PARTNER",
            FailureKind::MissingReferral => "missing referral",
        }
    }
}

/// One failed expectation of one case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Failure {
    /// The case file as named in messages.
    pub file: String,
    /// Which way it failed.
    pub kind: FailureKind,
    /// The expectation in words, or the check that holds for every plan.
    pub expected: String,
    /// What the plan had.
    pub got: String,
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}: {}: expected {}; the plan has {}",
            self.file,
            self.kind.label(),
            self.expected,
            self.got
        )
    }
}

/// What a case's plan made of its expectations.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseResult {
    /// The case file as named in messages.
    pub file: String,
    /// The case in one line.
    pub story: String,
    /// Every failed expectation, written ones first, then the checks that hold for every plan.
    pub failures: Vec<Failure>,
}

/// Checks one case's plan: its written expectations, then what holds for every plan. Takes the
/// formulation so that a plan can be checked however it was made.
pub fn check_case(
    case: &PartnerCase,
    formulation: &Formulation,
    directory: &Directory,
) -> Vec<Failure> {
    let plan = Plan { formulation };
    let fail = |kind, expected: String, got: String| Failure {
        file: case.file.clone(),
        kind,
        expected,
        got,
    };
    let mut failures = Vec::new();
    for expectation in &case.expect {
        let Some((kind, got)) = plan.check(expectation, directory) else {
            continue;
        };
        // A need that is not referred at all is one missing referral, not one per property the
        // case expects of its partner.
        let counted_already = matches!(expectation, Expectation::HoldsRisk { category }
            if kind == FailureKind::MissingReferral
                && case.expect.iter().any(|other| matches!(other,
                    Expectation::Partner { category: listed, .. } if listed == category)));
        if !counted_already {
            failures.push(fail(kind, expectation.describe(), got));
        }
    }
    let facts = person_facts(&case.assessment);
    for (expected, got) in plan.broken_invariants(&facts, directory) {
        failures.push(fail(FailureKind::WrongPartner, expected, got));
    }
    failures
}

/// A formulation's referral plan, read the way the expectations ask.
struct Plan<'a> {
    formulation: &'a Formulation,
}

impl Plan<'_> {
    /// The partners referred for a category.
    fn referred_for(&self, category: &str) -> Vec<&str> {
        self.formulation
            .referrals
            .iter()
            .filter(|referral| referral.categories.iter().any(|c| c == category))
            .map(|referral| referral.partner.as_str())
            .collect()
    }

    fn is_gap(&self, category: &str) -> bool {
        self.formulation
            .gaps
            .iter()
            .any(|gap| gap.category == category)
    }

    fn is_referred(&self, partner: &str) -> bool {
        self.formulation
            .referrals
            .iter()
            .any(|referral| referral.partner == partner)
    }

    fn lead(&self) -> Option<&str> {
        self.formulation
            .lead_coordinator
            .as_ref()
            .map(|lead| lead.partner.as_str())
    }

    /// What the plan has for a category, in words: its partners and its gaps.
    fn describe_category(&self, category: &str) -> String {
        let partners = self.referred_for(category);
        let gaps: Vec<String> = self
            .formulation
            .gaps
            .iter()
            .filter(|gap| gap.category == category)
            .map(|gap| format!("a gap ({})", kind_name(gap.kind)))
            .collect();
        let mut parts = Vec::new();
        if !partners.is_empty() {
            parts.push(format!("{category} referred to {}", partners.join(", ")));
        }
        parts.extend(gaps);
        if parts.is_empty() {
            format!("no {category} referral and no {category} gap")
        } else {
            parts.join(" and ")
        }
    }

    fn describe_lead(&self) -> String {
        match self.lead() {
            Some(lead) => format!("lead coordinator {lead}"),
            None => "no lead coordinator".to_owned(),
        }
    }

    /// The case's risk as a partner must hold it: the risk line, or the urgency when no rule
    /// named a risk.
    fn risk(&self) -> Urgency {
        self.formulation
            .risk
            .as_ref()
            .map_or(self.formulation.urgency, |risk| risk.level)
    }

    /// `None` when the expectation holds, else which way it failed and what the plan had.
    fn check(
        &self,
        expectation: &Expectation,
        directory: &Directory,
    ) -> Option<(FailureKind, String)> {
        use FailureKind::{MissingReferral, WrongPartner};
        match expectation {
            Expectation::Partner {
                category,
                any_of,
                or_gap,
            } => {
                let partners = self.referred_for(category);
                let fits = |partner: &&str| any_of.iter().any(|id| id == partner);
                if partners.iter().any(|partner| !fits(partner)) {
                    Some((WrongPartner, self.describe_category(category)))
                } else if !partners.is_empty() || (*or_gap && self.is_gap(category)) {
                    None
                } else {
                    Some((MissingReferral, self.describe_category(category)))
                }
            }
            Expectation::HoldsRisk { category } => {
                let partners = self.referred_for(category);
                if partners.is_empty() {
                    return Some((MissingReferral, self.describe_category(category)));
                }
                let risk = self.risk();
                let short: Vec<String> = partners
                    .iter()
                    .filter_map(|id| {
                        let max = directory.get(id)?.max_risk?;
                        (max < risk).then(|| {
                            format!(
                                "{id} holds risk up to {}; this case is {}",
                                max.triage_code(),
                                risk.triage_code()
                            )
                        })
                    })
                    .collect();
                (!short.is_empty()).then(|| (WrongPartner, short.join("; ")))
            }
            Expectation::Referred(category) => (self.referred_for(category).is_empty())
                .then(|| (MissingReferral, self.describe_category(category))),
            Expectation::Gap(category) => (!self.is_gap(category))
                .then(|| (MissingReferral, self.describe_category(category))),
            Expectation::Never(ids) => {
                let holder = self
                    .formulation
                    .holder
                    .as_ref()
                    .and_then(|holder| holder.partner.as_deref());
                let present: Vec<String> = ids
                    .iter()
                    .filter_map(|id| {
                        if self.is_referred(id) {
                            let referral = self
                                .formulation
                                .referrals
                                .iter()
                                .find(|referral| &referral.partner == id)?;
                            Some(format!("{id} for {}", referral.categories.join(", ")))
                        } else if self.lead() == Some(id) {
                            Some(format!("{id} as lead coordinator"))
                        } else if holder == Some(id) {
                            Some(format!("{id} holding the case"))
                        } else {
                            None
                        }
                    })
                    .collect();
                (!present.is_empty()).then(|| (WrongPartner, present.join("; ")))
            }
            Expectation::LeadAnyOf(ids) => match self.lead() {
                None => Some((MissingReferral, self.describe_lead())),
                Some(lead) if ids.iter().any(|id| id == lead) => None,
                Some(_) => Some((WrongPartner, self.describe_lead())),
            },
            Expectation::NotLead(ids) => match self.lead() {
                Some(lead) if ids.iter().any(|id| id == lead) => {
                    Some((WrongPartner, self.describe_lead()))
                }
                _ => None,
            },
            Expectation::LeadReachable => {
                if self.formulation.holder.is_some() {
                    return None;
                }
                let lead = match self.lead() {
                    Some(lead) => lead,
                    None => {
                        return Some((
                            MissingReferral,
                            "no lead coordinator and no one named to hold the case".to_owned(),
                        ))
                    }
                };
                let at = self.formulation.assessed_at.naive_local();
                let open = self
                    .formulation
                    .referrals
                    .iter()
                    .find(|referral| referral.partner == lead)
                    .map(|referral| referral.open_at_assessment)
                    .or_else(|| directory.get(lead).map(|partner| partner.hours.is_open(at)))
                    .unwrap_or(false);
                (!open).then(|| {
                    (
                        WrongPartner,
                        format!("lead coordinator {lead} closed at the time of the assessment, and no one named to hold the case"),
                    )
                })
            }
            Expectation::RouteThrough { via, target } => (self.is_referred(target)
                && !self.is_referred(via))
            .then(|| (MissingReferral, format!("{target} referred without {via}"))),
        }
    }

    /// What holds for every plan, as (check, what the plan had) for each breach: no partner whose
    /// eligibility excludes the person for the categories it was referred for, no single-gender
    /// service for a person of another recorded gender, and one for a person whose gender is not
    /// recorded only to be confirmed and never as lead.
    fn broken_invariants(
        &self,
        facts: &PersonFacts<'_>,
        directory: &Directory,
    ) -> Vec<(String, String)> {
        let mut broken = Vec::new();
        for referral in &self.formulation.referrals {
            let id = referral.partner.as_str();
            let Some(partner) = directory.get(id) else {
                broken.push((
                    "every referral to a partner in the directory".to_owned(),
                    format!("{id}, which partners.yaml does not list"),
                ));
                continue;
            };
            let genders = &partner.eligibility.gender;
            if !genders.is_empty() {
                match facts.gender {
                    Some(gender) if !genders.contains(&gender) => {
                        broken.push((
                            "no single-gender service for a person of another gender".to_owned(),
                            format!(
                                "{id} (for {}) for a person recorded as {}",
                                referral.categories.join(", "),
                                gender.as_str()
                            ),
                        ));
                        continue;
                    }
                    Some(_) => {}
                    None => {
                        if referral.confirm.is_none() {
                            broken.push((
                                "a single-gender service, gender not recorded, only with \"confirm eligibility\"".to_owned(),
                                format!("{id} with nothing to confirm"),
                            ));
                        }
                        if self.lead() == Some(id) {
                            broken.push((
                                "a single-gender service, gender not recorded, never lead"
                                    .to_owned(),
                                format!("{id} as lead coordinator"),
                            ));
                        }
                    }
                }
            }
            for category in &referral.categories {
                if let Some(why) = partner.eligibility.excludes(facts, category) {
                    broken.push((
                        "no partner whose eligibility excludes the person".to_owned(),
                        format!(
                            "{id} for {category}, which serves {why}",
                            why = why.trim_start_matches("serves ")
                        ),
                    ));
                }
            }
        }
        broken
    }
}

fn kind_name(kind: crate::referrals::GapKind) -> String {
    serde_json::to_value(kind)
        .ok()
        .and_then(|value| value.as_str().map(str::to_owned))
        .unwrap_or_else(|| format!("{kind:?}"))
}

/// The limits a service sets on the partner-fit figures; `None` is no limit. Wrong partners are
/// reported whatever the limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct FitTargets {
    /// The most wrong partners accepted (the bundled rules accept none).
    pub max_wrong_partners: Option<usize>,
    /// The most missing referrals accepted.
    pub max_missing_referrals: Option<usize>,
}

/// Every case's result under one rule set, and the figures over them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartnerFit {
    /// The rule set measured.
    pub ruleset: RuleSetId,
    /// One result per case, in file order.
    pub cases: Vec<CaseResult>,
}

/// Evaluates every case with the rule set and checks its plan.
pub fn measure(ruleset: &RuleSet, cases: &[PartnerCase]) -> PartnerFit {
    let cases = cases
        .iter()
        .map(|case| {
            let formulation = evaluate(ruleset, &case.assessment);
            CaseResult {
                file: case.file.clone(),
                story: case.story.clone(),
                failures: check_case(case, &formulation, &ruleset.partners),
            }
        })
        .collect();
    PartnerFit {
        ruleset: ruleset.id.clone(),
        cases,
    }
}

impl PartnerFit {
    /// How many cases were checked.
    pub fn total(&self) -> usize {
        self.cases.len()
    }

    /// Every failure, in file order.
    pub fn failures(&self) -> impl Iterator<Item = &Failure> {
        self.cases.iter().flat_map(|case| &case.failures)
    }

    /// How many failures are of this kind.
    pub fn count(&self, kind: FailureKind) -> usize {
        self.failures()
            .filter(|failure| failure.kind == kind)
            .count()
    }

    /// How many cases passed every expectation.
    pub fn passing(&self) -> usize {
        self.cases
            .iter()
            .filter(|case| case.failures.is_empty())
            .count()
    }

    /// Whether the figures are within the limits set.
    pub fn passed(&self, targets: &FitTargets) -> bool {
        let within = |limit: Option<usize>, kind| limit.is_none_or(|max| self.count(kind) <= max);
        within(targets.max_wrong_partners, FailureKind::WrongPartner)
            && within(targets.max_missing_referrals, FailureKind::MissingReferral)
    }

    /// The report for a person: the figures against their limits and every failure, wrong
    /// partners first.
    pub fn render_text(&self, targets: &FitTargets) -> String {
        let mut text = String::new();
        let total = self.total();
        let _ = writeln!(
            text,
            "Partner fit of {} {} on {total} reference {}",
            self.ruleset.name,
            self.ruleset.version,
            if total == 1 { "case" } else { "cases" }
        );
        text.push('\n');
        let _ = writeln!(
            text,
            "{:<18} {:>3} of {total}",
            "cases passing",
            self.passing()
        );
        for (label, kind, limit) in [
            (
                "wrong partners",
                FailureKind::WrongPartner,
                targets.max_wrong_partners,
            ),
            (
                "missing referrals",
                FailureKind::MissingReferral,
                targets.max_missing_referrals,
            ),
        ] {
            let count = self.count(kind);
            let target = limit.map_or_else(String::new, |max| {
                format!(
                    "  target ≤ {max}: {}",
                    if count <= max { "met" } else { "MISSED" }
                )
            });
            let _ = writeln!(text, "{label:<18} {count:>3}{target}");
        }
        let mut failures: Vec<&Failure> = self.failures().collect();
        failures.sort_by_key(|failure| failure.kind);
        if failures.is_empty() {
            text.push_str("\nevery case got the partners it expects\n");
        } else {
            let _ = writeln!(text, "\nfailures (wrong partners first):");
            for failure in failures {
                let _ = writeln!(text, "{:<17} {}", failure.kind.label(), failure.file);
                let _ = writeln!(text, "       expected {}", failure.expected);
                let _ = writeln!(text, "       plan has {}", failure.got);
            }
        }
        let verdict = if self.passed(targets) {
            "partner-fit targets met"
        } else {
            "partner-fit targets MISSED"
        };
        let _ = write!(text, "\n{verdict}");
        text
    }

    /// The same as JSON, for CI dashboards: the figures, the limits and every failure.
    pub fn to_json(&self, targets: &FitTargets) -> Value {
        let failures: Vec<&Failure> = self.failures().collect();
        json!({
            "ruleset": self.ruleset,
            "cases": self.total(),
            "passing": self.passing(),
            "wrong_partners": self.count(FailureKind::WrongPartner),
            "missing_referrals": self.count(FailureKind::MissingReferral),
            "max_wrong_partners": targets.max_wrong_partners,
            "max_missing_referrals": targets.max_missing_referrals,
            "passed": self.passed(targets),
            "failures": failures,
        })
    }
}
