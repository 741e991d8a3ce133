//! Reading the person's choices about their referral plan from YAML: a list of
//! `{ referral, decision, reason? }`, where `referral` is a partner id from the plan or, for a need
//! no partner could meet, its category. Choices are checked against the plan they answer, so a
//! mistyped id is caught with its line rather than silently ignored.

use std::collections::BTreeMap;

use crate::error::{suggestion, yaml_problem, Problem, Problems};
use crate::formulation::Formulation;
use crate::model::choices::{Choices, ReferralChoice};
use crate::source::SourceMap;

/// The keys a choice can name in this formulation: every referral's partner id, then the
/// category of every need left without a partner.
pub fn choice_keys(formulation: &Formulation) -> Vec<&str> {
    formulation
        .referrals
        .iter()
        .map(|referral| referral.partner.as_str())
        .chain(
            formulation
                .gaps
                .iter()
                .filter(|gap| gap.kind.unmet())
                .map(|gap| gap.category.as_str()),
        )
        .collect()
}

/// Parses and checks a choices file against the formulation it answers; `file` names it in errors.
pub fn parse_choices(
    text: &str,
    file: &str,
    formulation: &Formulation,
) -> Result<Choices, Problems> {
    if text.trim().is_empty() {
        return Ok(Choices::default());
    }
    let raw: Vec<ReferralChoice> =
        serde_yaml::from_str(text).map_err(|error| yaml_problem(file, &error))?;
    let map = SourceMap::index(text);
    let keys = choice_keys(formulation);
    let mut problems = Vec::new();
    let mut seen: BTreeMap<&str, usize> = BTreeMap::new();
    for (index, choice) in raw.iter().enumerate() {
        let path = format!("[{index}].referral");
        if !keys.contains(&choice.referral.as_str()) {
            let listed = if keys.is_empty() {
                "this plan has no referrals to choose about".to_owned()
            } else {
                suggestion(
                    &choice.referral,
                    keys.iter().copied(),
                    &format!(
                        "the plan for case {}: {}",
                        formulation.case,
                        keys.join(", ")
                    ),
                )
            };
            problems.push(
                Problem::new(
                    file,
                    map.position(&path),
                    &path,
                    format!("`{}` is not a referral in this plan", choice.referral),
                )
                .with_hint(listed),
            );
        }
        if let Some(first) = seen.insert(&choice.referral, index) {
            problems.push(
                Problem::new(
                    file,
                    map.position(&path),
                    &path,
                    format!("`{}` already has a choice at [{first}]", choice.referral),
                )
                .with_hint("keep one choice per referral: the person's latest decision"),
            );
        }
    }
    if problems.is_empty() {
        Ok(Choices(raw))
    } else {
        Err(Problems(problems))
    }
}
