//! `ruleset.yaml`: the rule set's name and version, the numbers service leads tune (weights,
//! balance margin, urgency cut-offs), the ladder of recommendations from most to least
//! restrictive, and the scripts in evaluation order.

use indexmap::IndexMap;
use serde::{Deserialize, Serialize};

use crate::error::{yaml_problem, Problem, Problems};
use crate::model::{Balance, ReferralUrgency, Urgency, Vocabulary};
use crate::source::SourceMap;

/// The parsed `ruleset.yaml`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RuleSetConfig {
    /// Name of the rule set, shown in every formulation.
    pub name: String,
    /// Version the service lead gives it.
    pub version: String,
    /// One line on what it is.
    #[serde(default)]
    pub description: String,
    /// Balance margin and urgency cut-offs.
    pub thresholds: Thresholds,
    /// How the domain weights combine into the urgency score.
    pub urgency_score: UrgencyScore,
    /// Named numbers that scripts read with `weight(name)`.
    #[serde(default)]
    pub weights: IndexMap<String, f64>,
    /// From most to least restrictive; the first whose conditions hold is chosen.
    pub recommendations: Vec<Recommendation>,
    /// Scripts in evaluation order.
    pub scripts: Vec<ScriptEntry>,
    /// For each balance, the referral categories whose partner should coordinate the case.
    #[serde(default)]
    pub lead_coordinator: crate::referrals::LeadPolicy,
    /// When a risk descriptor at or above a level is met, a clinical service leads the case
    /// whatever the balance, and the social partners work alongside.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub clinical_lead: Option<ClinicalLead>,
    /// The flags rules may raise with `flag(name, why)`, each with what it means; the
    /// recommendation ladder can ask for them.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub flags: IndexMap<String, String>,
    /// How partners are chosen (rule sets from 2026.12.1): which needs must go to a partner that
    /// holds the risk, and Think Family. Absent in older rule sets, which keep the choice their
    /// records were made with.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub partner_choice: Option<PartnerChoice>,
}

/// `partner_choice:` in `ruleset.yaml`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PartnerChoice {
    /// From a risk of `from`, needs in `categories` go only to a partner whose `max_risk` covers
    /// the risk and that can respond within the triage scale's time for it; others may be
    /// offered alongside, never instead.
    pub hold_risk: HoldRisk,
    /// A parent's risk always considers the children.
    pub think_family: ThinkFamily,
}

/// `partner_choice.hold_risk`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct HoldRisk {
    /// The lowest risk from which the partner must hold it.
    pub from: Urgency,
    /// Referral categories whose partner must hold the risk.
    pub categories: Vec<String>,
}

/// `partner_choice.think_family`: with dependants and one of `kinds` at a risk of `from` or
/// above, `category` is referred for the children. Turned off only with a stated reason.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ThinkFamily {
    /// The referral category for the children, such as `children_and_families`.
    pub category: String,
    /// The lowest risk at which the children are considered.
    pub from: Urgency,
    /// Medical kinds whose presence with dependants asks for it.
    pub kinds: Vec<String>,
    /// How soon (a referral urgency), such as `same_day`.
    pub urgency: ReferralUrgency,
    /// Set to turn Think Family off: the reason, which the formulation states instead.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub off: Option<String>,
}

/// `clinical_lead:` in `ruleset.yaml`: from which urgency a clinical service leads, and which
/// categories count as clinical, most preferred first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ClinicalLead {
    /// The lowest urgency, set by a risk descriptor (`risk_floor`), from which a clinical service
    /// leads.
    pub from: Urgency,
    /// Referral categories of clinical services, most preferred lead first.
    pub categories: Vec<String>,
}

/// The cut-offs that turn weights into a balance and an urgency.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Thresholds {
    /// Social-led when the social share of social + medical weight is at least 0.5 + margin;
    /// medical-led when it is at most 0.5 − margin.
    pub balance_margin: f64,
    /// The lowest urgency score for each level above routine. Absent in a risk-led rule set:
    /// urgency then comes only from the floors rules set (the triage scale's descriptors), and
    /// the score is kept for ordering and explanation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub urgency_cutoffs: Option<UrgencyCutoffs>,
}

/// The lowest urgency score that reaches each level; below `low` is routine.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct UrgencyCutoffs {
    /// Triage code E.
    pub low: f64,
    /// Triage code D.
    pub moderate: f64,
    /// Triage code C.
    pub high: f64,
    /// Triage code B.
    pub very_high: f64,
    /// Triage code A.
    pub emergency: f64,
}

impl UrgencyCutoffs {
    /// The cut-offs from least to most urgent, paired with their level.
    pub fn ladder(&self) -> [(Urgency, f64); 5] {
        [
            (Urgency::Low, self.low),
            (Urgency::Moderate, self.moderate),
            (Urgency::High, self.high),
            (Urgency::VeryHigh, self.very_high),
            (Urgency::Emergency, self.emergency),
        ]
    }
}

/// Multipliers in `score = social × social_weight + medical × medical_weight − protective × protective_weight`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct UrgencyScore {
    /// Multiplier of the social weight.
    pub social: f64,
    /// Multiplier of the medical weight.
    pub medical: f64,
    /// Multiplier of the protective weight (subtracted).
    pub protective: f64,
}

/// One rung of the recommendation ladder.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Recommendation {
    /// The option's key, such as `intensive_community_support`.
    pub option: String,
    /// The option in words.
    pub label: String,
    /// The conditions under which it is chosen; none means always.
    #[serde(default)]
    pub when: Option<RecommendationWhen>,
}

/// Conditions for a recommendation; all given conditions must hold.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RecommendationWhen {
    /// Urgency must be at least this.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub urgency_at_least: Option<Urgency>,
    /// Urgency must be at most this.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub urgency_at_most: Option<Urgency>,
    /// Balance must be one of these.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub balance: Option<Vec<Balance>>,
    /// Every one of these flags must have been raised by a rule.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub flags: Option<Vec<String>>,
    /// None of these flags may have been raised.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub not_flags: Option<Vec<String>>,
    /// The social weight must be at least this (a heavy social load).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub social_weight_at_least: Option<f64>,
    /// Some need must be wanted at least this soon (for example `same_day`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub referral_at_least: Option<ReferralUrgency>,
}

/// What a recommendation's conditions are tested against.
#[derive(Debug, Clone, Copy)]
pub struct LadderFacts<'a> {
    /// The decided urgency.
    pub urgency: Urgency,
    /// The decided balance.
    pub balance: Balance,
    /// The flags rules raised.
    pub flags: &'a [&'a str],
    /// The social weight.
    pub social_weight: f64,
    /// How soon the most urgent need is wanted, if any need was asked for.
    pub most_urgent_need: Option<ReferralUrgency>,
}

impl RecommendationWhen {
    /// Whether the conditions hold for these facts.
    pub fn holds(&self, facts: &LadderFacts<'_>) -> bool {
        self.urgency_at_least
            .is_none_or(|least| facts.urgency >= least)
            && self.urgency_at_most.is_none_or(|most| facts.urgency <= most)
            && self
                .balance
                .as_ref()
                .is_none_or(|allowed| allowed.contains(&facts.balance))
            && self.flags.as_ref().is_none_or(|wanted| {
                wanted
                    .iter()
                    .all(|flag| facts.flags.contains(&flag.as_str()))
            })
            && self.not_flags.as_ref().is_none_or(|unwanted| {
                !unwanted
                    .iter()
                    .any(|flag| facts.flags.contains(&flag.as_str()))
            })
            && self
                .social_weight_at_least
                .is_none_or(|least| facts.social_weight >= least)
            // ReferralUrgency orders most urgent first.
            && self.referral_at_least.is_none_or(|least| {
                facts
                    .most_urgent_need
                    .is_some_and(|most_urgent| most_urgent <= least)
            })
    }

    /// The conditions in words, for the recommendation's reason.
    pub fn describe(&self) -> String {
        let mut parts = Vec::new();
        if let Some(least) = self.urgency_at_least {
            parts.push(format!("urgency at least {least}"));
        }
        if let Some(most) = self.urgency_at_most {
            parts.push(format!("urgency at most {most}"));
        }
        if let Some(balance) = &self.balance {
            let names: Vec<&str> = balance.iter().map(|b| b.as_str()).collect();
            parts.push(format!("balance {}", names.join(" or ")));
        }
        if let Some(flags) = &self.flags {
            parts.push(format!("flagged {}", flags.join(" and ")));
        }
        if let Some(flags) = &self.not_flags {
            parts.push(format!("not flagged {}", flags.join(" or ")));
        }
        if let Some(least) = self.social_weight_at_least {
            parts.push(format!("social weight at least {least}"));
        }
        if let Some(least) = self.referral_at_least {
            parts.push(format!("a referral wanted {} or sooner", least.plain()));
        }
        if parts.is_empty() {
            "no conditions".to_owned()
        } else {
            parts.join(" and ")
        }
    }
}

/// One script in the evaluation order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ScriptEntry {
    /// File name relative to the rules folder.
    pub file: String,
    /// Run only if at least one of these kinds is recorded; absent means always.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub when: Option<Vec<String>>,
}

impl RuleSetConfig {
    /// Whether the score sets the urgency through `urgency_cutoffs`, as in every rule set before
    /// 2026.12. Such rule sets are weighed exactly as then (wording and lead choice included),
    /// so that the records made under them replay unchanged.
    pub fn score_led(&self) -> bool {
        self.thresholds.urgency_cutoffs.is_some()
    }

    /// Parses `ruleset.yaml` and checks it against the vocabulary; `file` names it in errors.
    pub fn parse(text: &str, file: &str, vocabulary: &Vocabulary) -> Result<Self, Problems> {
        let config: RuleSetConfig =
            serde_yaml::from_str(text).map_err(|error| yaml_problem(file, &error))?;
        let problems = config.problems(file, &SourceMap::index(text), vocabulary);
        if problems.is_empty() {
            Ok(config)
        } else {
            Err(Problems(problems))
        }
    }

    /// Everything wrong with the configuration, all at once.
    fn problems(&self, file: &str, map: &SourceMap, vocabulary: &Vocabulary) -> Vec<Problem> {
        let mut problems = Vec::new();
        let mut push = |path: &str, message: String, hint: &str| {
            problems.push(Problem::new(file, map.position(path), path, message).with_hint(hint));
        };
        let margin = self.thresholds.balance_margin;
        if !(0.0..0.5).contains(&margin) {
            push(
                "thresholds.balance_margin",
                format!("balance margin {margin} is outside 0 to 0.5"),
                "a margin of 0.15 means social-led from a 65% social share; 0 makes every case social- or medical-led",
            );
        }
        if let Some(cutoffs) = &self.thresholds.urgency_cutoffs {
            cutoff_problems(cutoffs, &mut push);
        }
        for (name, value) in [
            ("social", self.urgency_score.social),
            ("medical", self.urgency_score.medical),
            ("protective", self.urgency_score.protective),
        ] {
            if !(value.is_finite() && value >= 0.0) {
                push(
                    &format!("urgency_score.{name}"),
                    format!("multiplier {value} must be a number of 0 or more"),
                    "use a plain number such as 1.0",
                );
            }
        }
        for (name, value) in &self.weights {
            if !(value.is_finite() && *value >= 0.0) {
                push(
                    &format!("weights.{name}"),
                    format!("weight {value} must be a number of 0 or more"),
                    "weights only add; protective factors have their own domain rather than negative weights",
                );
            }
        }
        if self.recommendations.is_empty() {
            push(
                "recommendations",
                "no recommendations".into(),
                "list the options from most to least restrictive, ending with one that has no `when:`",
            );
        } else if let Some(last) = self.recommendations.last() {
            if last.when.is_some() {
                let path = format!("recommendations[{}]", self.recommendations.len() - 1);
                push(
                    &path,
                    format!("the last recommendation `{}` has conditions", last.option),
                    "end the list with an option that has no `when:` so every case gets a recommendation",
                );
            }
        }
        // Every category the configuration names, with where: checked against the vocabulary
        // in one place.
        let mut named: Vec<(String, &String)> = Vec::new();
        for (balance, categories) in &self.lead_coordinator.0 {
            named.extend(categories.iter().enumerate().map(|(index, category)| {
                (format!("lead_coordinator.{balance}[{index}]"), category)
            }));
        }
        if let Some(clinical) = &self.clinical_lead {
            named.extend(
                clinical
                    .categories
                    .iter()
                    .enumerate()
                    .map(|(index, category)| {
                        (format!("clinical_lead.categories[{index}]"), category)
                    }),
            );
        }
        if let Some(choice) = &self.partner_choice {
            named.extend(choice.hold_risk.categories.iter().enumerate().map(
                |(index, category)| {
                    (
                        format!("partner_choice.hold_risk.categories[{index}]"),
                        category,
                    )
                },
            ));
            named.push((
                "partner_choice.think_family.category".to_owned(),
                &choice.think_family.category,
            ));
        }
        for (path, category) in named {
            if !vocabulary.referral_categories.contains_key(category) {
                let hint = crate::error::suggestion(
                    category,
                    vocabulary.referral_categories.keys().map(String::as_str),
                    "referral_categories in rules/vocabulary.yaml",
                );
                push(
                    &path,
                    format!("unknown referral category `{category}`"),
                    &hint,
                );
            }
        }
        if let Some(choice) = &self.partner_choice {
            for (index, kind) in choice.think_family.kinds.iter().enumerate() {
                if !vocabulary.medical.contains_key(kind) {
                    let hint = crate::error::suggestion(
                        kind,
                        vocabulary.medical.keys().map(String::as_str),
                        "medical in rules/vocabulary.yaml",
                    );
                    push(
                        &format!("partner_choice.think_family.kinds[{index}]"),
                        format!("unknown medical kind `{kind}`"),
                        &hint,
                    );
                }
            }
            if choice
                .think_family
                .off
                .as_ref()
                .is_some_and(|reason| reason.trim().is_empty())
            {
                push(
                    "partner_choice.think_family.off",
                    "Think Family is turned off without a reason".into(),
                    "say why the children are considered elsewhere, or remove `off:`",
                );
            }
        }
        for name in self.flags.keys() {
            if !crate::model::vocabulary::is_snake_case(name) {
                push(
                    &format!("flags.{name}"),
                    format!("flag name `{name}` must be lower_snake_case"),
                    "use lower-case letters, digits and `_`, such as `on_site_team`",
                );
            }
        }
        for (index, rung) in self.recommendations.iter().enumerate() {
            let Some(when) = &rung.when else { continue };
            for (key, names) in [("flags", &when.flags), ("not_flags", &when.not_flags)] {
                for (flag_index, name) in names.iter().flatten().enumerate() {
                    if !self.flags.contains_key(name) {
                        let hint = crate::error::suggestion(
                            name,
                            self.flags.keys().map(String::as_str),
                            "`flags:` in ruleset.yaml",
                        );
                        push(
                            &format!("recommendations[{index}].when.{key}[{flag_index}]"),
                            format!("unknown flag `{name}`"),
                            &hint,
                        );
                    }
                }
            }
            if let Some(least) = when.social_weight_at_least {
                if !(least.is_finite() && least >= 0.0) {
                    push(
                        &format!("recommendations[{index}].when.social_weight_at_least"),
                        format!("social weight {least} must be a number of 0 or more"),
                        "use a plain number such as 8.0",
                    );
                }
            }
        }
        for (index, entry) in self.scripts.iter().enumerate() {
            for (kind_index, kind) in entry.when.iter().flatten().enumerate() {
                if vocabulary.section_of(kind).is_none() {
                    let path = format!("scripts[{index}].when[{kind_index}]");
                    let hint = crate::error::suggestion(
                        kind,
                        vocabulary.all_kinds(),
                        "rules/vocabulary.yaml",
                    );
                    push(&path, format!("unknown kind `{kind}`"), &hint);
                }
            }
            if !entry.file.ends_with(".rhai") || entry.file.contains("..") {
                push(
                    &format!("scripts[{index}].file"),
                    format!("`{}` is not a rule script name", entry.file),
                    "name a `.rhai` file in the rules folder, such as housing.rhai",
                );
            }
        }
        problems
    }
}

/// Cut-offs must rise from low to emergency, and low must be above 0.
fn cutoff_problems(cutoffs: &UrgencyCutoffs, push: &mut impl FnMut(&str, String, &str)) {
    let ladder = cutoffs.ladder();
    for pair in ladder.windows(2) {
        let ((lower, low_score), (higher, high_score)) = (pair[0], pair[1]);
        if high_score.partial_cmp(&low_score) != Some(std::cmp::Ordering::Greater) {
            push(
                &format!("thresholds.urgency_cutoffs.{higher}"),
                format!("cut-off for {higher} ({high_score}) is not above the cut-off for {lower} ({low_score})"),
                "urgency cut-offs must increase from low to emergency",
            );
        }
    }
    if ladder[0].1.partial_cmp(&0.0) != Some(std::cmp::Ordering::Greater) {
        push(
            "thresholds.urgency_cutoffs.low",
            format!("cut-off for low ({}) must be above 0", ladder[0].1),
            "a case with nothing recorded scores 0 and must stay routine",
        );
    }
}
