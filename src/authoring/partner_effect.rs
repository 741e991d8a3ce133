//! What a partner directory change does to real plans. Adding a partner to a category others
//! already serve is not "YAML only": resolution prefers the partner covering most needs, so a
//! newcomer can take referrals, and the lead coordinator role, from partners who had them. For
//! every category a partner newly serves (compared with the deployed rules), `rules check`
//! resolves each case in `rules/tests` with and without it and names the cases whose referrals
//! or lead coordinator move.

use super::cases::without_expect;
use super::findings::{Finding, Severity};
use crate::error::Problem;
use crate::formulation::{evaluate, Formulation};
use crate::model::Assessment;
use crate::referrals::{resolve, Directory, ReferralPlan};
use crate::rules::RuleSet;
use crate::source::SourceMap;
use crate::PARTNERS_FILE;

/// Warns about every category a partner of `proposed` serves that the same partner did not
/// serve in `deployed` (the directory of the rules named `deployed_origin`) while others in
/// `proposed` already do, naming the test cases (given as (name, text) pairs) whose plan moves
/// because of it. `impact_command` is the `sicol rules impact` command the hint suggests.
pub fn partner_changes(
    proposed: &RuleSet,
    deployed: &Directory,
    deployed_origin: &str,
    impact_command: &str,
    tests: &[(String, String)],
) -> Vec<Finding> {
    let directory = &proposed.partners;
    let cases: Vec<(&str, Assessment, Formulation)> = tests
        .iter()
        .filter_map(|(name, text)| {
            // A test that does not parse is reported by `rules test`; here it only cannot move.
            let assessment =
                Assessment::parse(&without_expect(text), name, &proposed.vocabulary).ok()?;
            let formulation = evaluate(proposed, &assessment);
            Some((name.as_str(), assessment, formulation))
        })
        .collect();
    let text = proposed
        .files
        .files
        .get(PARTNERS_FILE)
        .map_or("", String::as_str);
    let map = SourceMap::index(text);
    let file = proposed.files.display(PARTNERS_FILE);
    let mut findings = Vec::new();
    for (index, partner) in directory.partners().iter().enumerate() {
        // The categories this partner joins: new to it, and already served by someone else.
        let mut joined: Vec<(usize, &str, Vec<&str>)> = Vec::new();
        for (slot, category) in partner.categories.iter().enumerate() {
            let served_before = deployed
                .get(&partner.id)
                .is_some_and(|old| old.categories.contains(category));
            let others: Vec<&str> = directory
                .serving(category)
                .iter()
                .filter(|&&other| other != index)
                .map(|&other| directory.partners()[other].id.as_str())
                .collect();
            if !served_before && !others.is_empty() {
                joined.push((slot, category, others));
            }
        }
        let Some((first_slot, _, _)) = joined.first() else {
            continue;
        };
        let categories: Vec<&str> = joined.iter().map(|(_, category, _)| *category).collect();
        let without = without_categories(directory, index, &categories);
        let moved: Vec<String> = cases
            .iter()
            .filter_map(|(name, assessment, formulation)| {
                let plan = replan(proposed, assessment, formulation, &without);
                let changes = plan_changes(&plan, formulation, directory);
                (!changes.is_empty()).then(|| format!("{name} ({})", changes.join("; ")))
            })
            .collect();
        let path = format!("partners[{index}].categories[{first_slot}]");
        // Said against what: the deployed folder, or the rules of the newest saved record.
        let joins = if deployed.get(&partner.id).is_some() {
            "now also serves"
        } else {
            "is new and serves"
        };
        let served: Vec<String> = joined
            .iter()
            .map(|(_, category, others)| {
                format!("`{category}` (already served by {})", others.join(", "))
            })
            .collect();
        let message = format!(
            "compared with {deployed_origin}, partner `{}` {joins} {}: {}",
            partner.id,
            served.join(", "),
            match moved.len() {
                0 => "no case in the rules' tests changes, but saved formulations may".to_owned(),
                1 => "the referral plan of 1 test case changes".to_owned(),
                count => format!("the referral plans of {count} test cases change"),
            }
        );
        let mut hint = String::new();
        if !moved.is_empty() {
            hint.push_str(&format!("moved: {}; ", moved.join(", ")));
            hint.push_str("check that each move is meant and pin the plan in those cases' `expect:` (partners, lead_coordinator); ");
        }
        hint.push_str(&format!(
            "run `{impact_command}` to see which saved formulations move"
        ));
        findings.push(Finding {
            severity: Severity::Warning,
            problem: Problem::new(&file, map.position(&path), &path, message).with_hint(hint),
        });
    }
    findings
}

/// The directory with partner `index` no longer serving `categories` (and gone if that was all
/// it served): the plan as it was before the partner joined them.
fn without_categories(directory: &Directory, index: usize, categories: &[&str]) -> Directory {
    let partners = directory
        .partners()
        .iter()
        .enumerate()
        .filter_map(|(at, partner)| {
            let mut partner = partner.clone();
            if at == index {
                partner
                    .categories
                    .retain(|served| !categories.contains(&served.as_str()));
                if partner.categories.is_empty() {
                    return None;
                }
            }
            Some(partner)
        })
        .collect();
    Directory::new(partners)
}

/// The formulation's needs resolved against another directory.
fn replan(
    ruleset: &RuleSet,
    assessment: &Assessment,
    formulation: &Formulation,
    directory: &Directory,
) -> ReferralPlan {
    let facts = crate::formulation::person_facts(assessment);
    let situation = crate::formulation::referral_situation(
        ruleset,
        assessment,
        &facts,
        formulation.balance,
        formulation.risk.as_ref(),
        &[],
    );
    resolve(
        &formulation.needs,
        &situation,
        directory,
        &ruleset.config.lead_coordinator,
    )
}

/// How the plan `before` (without the partner) became the formulation's: each category whose
/// partner changed, and the lead coordinator.
fn plan_changes(before: &ReferralPlan, after: &Formulation, directory: &Directory) -> Vec<String> {
    let partner_for = |referrals: &[crate::referrals::Referral], category: &str| {
        referrals
            .iter()
            .find(|referral| referral.categories.iter().any(|served| served == category))
            .map_or_else(
                || "no partner".to_owned(),
                |referral| referral.partner.clone(),
            )
    };
    let mut changes = Vec::new();
    for need in &after.needs {
        let was = partner_for(&before.referrals, &need.category);
        let now = partner_for(&after.referrals, &need.category);
        if was != now {
            changes.push(format!("{}: {was} → {now}", need.category));
        }
    }
    let lead = |plan: Option<&crate::referrals::LeadCoordinator>| {
        plan.map_or_else(|| "none".to_owned(), |lead| lead.partner.clone())
    };
    let (was, now) = (
        lead(before.lead_coordinator.as_ref()),
        lead(after.lead_coordinator.as_ref()),
    );
    if was != now {
        let coordinates = directory
            .get(&now)
            .is_some_and(|partner| partner.can_coordinate);
        changes.push(format!(
            "lead coordinator: {was} → {now}{}",
            if coordinates || now == "none" {
                ""
            } else {
                " (not marked can_coordinate)"
            }
        ));
    }
    changes
}

/// Pairs of partners that tie for a category: the same limits for it, hours, same-day capacity,
/// risk they hold, response time and route, so that only the partner id decides between them.
/// Each pair is `(category, first, second)` as indexes into the directory, first < second.
pub fn ties(directory: &Directory) -> Vec<(String, usize, usize)> {
    let partners = directory.partners();
    let mut found = Vec::new();
    let mut categories: Vec<&String> = partners.iter().flat_map(|p| &p.categories).collect();
    categories.sort_unstable();
    categories.dedup();
    for category in categories {
        let serving = directory.serving(category);
        for (position, &first) in serving.iter().enumerate() {
            for &second in &serving[position + 1..] {
                let (a, b) = (&partners[first], &partners[second]);
                let limits = |p: &crate::referrals::Partner| {
                    (
                        p.eligibility.min_age,
                        p.eligibility.max_age,
                        p.eligibility.lives.clone(),
                        p.eligibility.gender.clone(),
                        p.eligibility.only_when.get(category).cloned(),
                    )
                };
                let same = limits(a) == limits(b)
                    && a.hours == b.hours
                    && a.same_day == b.same_day
                    && a.max_risk == b.max_risk
                    && a.responds_within_hours == b.responds_within_hours
                    && a.route == b.route
                    && a.urgent_only == b.urgent_only
                    && a.categories.iter().position(|c| c == category)
                        == b.categories.iter().position(|c| c == category);
                if same {
                    found.push((category.clone(), first.min(second), first.max(second)));
                }
            }
        }
    }
    found
}
