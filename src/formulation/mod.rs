//! The formulation (DESIGN §2): the rules' contributions weighed into social, medical and
//! protective weight, a balance, an urgency on the UK Mental Health Triage Scale, the least
//! restrictive recommendation and the 5 Ps, every figure traceable to the rule that made it.
//!
//! Pure: a function of the assessment and the rule set. The same input gives byte-identical output.

pub mod render;
pub mod trace;

use chrono::{DateTime, FixedOffset};
use indexmap::IndexMap;
use serde::{Deserialize, Serialize, Serializer};

use crate::model::{Assessment, Balance, Choices, Decision, Domain, FiveP, Urgency};
use crate::referrals::{
    resolve, CaseHolder, ChoiceBasis, ClinicalBasis, Gap, LeadCoordinator, PersonFacts, Referral,
    ReferralPlan, RiskToHold, Situation,
};
pub use crate::referrals::{Need, NeedReason};
use crate::rules::config::LadderFacts;
use crate::rules::{RuleSet, RuleSetId};
use trace::{Contribution, Note, RaisedFlag, ReferralRequest, RuleOutput, RuleWarning};

/// A complete formulation of one assessment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Formulation {
    /// The assessment's case id.
    pub case: String,
    /// When the assessment took place.
    pub assessed_at: DateTime<FixedOffset>,
    /// The rule set that made this formulation.
    pub ruleset: RuleSetId,
    /// Set when any rule failed (near the top, where a reader sees it first): what that rule would have added is missing, so the weights,
    /// urgency and referrals may be too low. Absent from the output of a complete formulation,
    /// so that complete formulations read exactly as before it existed.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub incomplete: bool,
    /// Sum of social factors.
    #[serde(serialize_with = "round2")]
    pub social_weight: f64,
    /// Sum of medical factors.
    #[serde(serialize_with = "round2")]
    pub medical_weight: f64,
    /// Sum of protective factors.
    #[serde(serialize_with = "round2")]
    pub protective_weight: f64,
    /// Social-led, mixed or medical-led.
    pub balance: Balance,
    /// How the balance was decided.
    pub balance_reason: String,
    /// Urgency level.
    pub urgency: Urgency,
    /// The triage scale's letter for the urgency.
    pub triage_code: char,
    /// The response the triage scale expects.
    pub response_time: String,
    /// The score the weights give before floors.
    #[serde(serialize_with = "round2")]
    pub urgency_score: f64,
    /// How the urgency was decided: the score, then every floor a rule set.
    pub urgency_reasons: Vec<String>,
    /// The risk that sets the urgency: the highest triage-scale descriptor a rule found. Shown
    /// beside the balance so that a social-led cause is never read as "only social".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub risk: Option<Risk>,
    /// Flags rules raised (for example "already with an on-site team"), with their rules.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub flags: Vec<RaisedFlag>,
    /// The least restrictive option that is enough.
    pub recommendation: String,
    /// The option in words.
    pub recommendation_label: String,
    /// Why this option: which rung of the ladder and its conditions.
    pub recommendation_reason: String,
    /// Presenting, predisposing, precipitating, perpetuating and protective.
    pub five_ps: FivePs,
    /// Every weighed factor with its rule.
    pub factors: Vec<Contribution>,
    /// What kind of help is needed and how soon, one entry per category.
    pub needs: Vec<Need>,
    /// The needs resolved to partners: one referral per partner, most urgent first.
    pub referrals: Vec<Referral>,
    /// The one partner who coordinates the case (the person's case worker).
    pub lead_coordinator: Option<LeadCoordinator>,
    /// Needs that could not be met as asked; shown, never dropped.
    pub gaps: Vec<Gap>,
    /// Who holds the case until the lead coordinator opens, when the lead cannot be reached
    /// within the risk's response time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub holder: Option<CaseHolder>,
    /// Notes from rules to the assessor.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<Note>,
    /// Rules that failed or were stopped; the rest still ran.
    pub warnings: Vec<RuleWarning>,
    /// The scripts that ran, in order.
    pub scripts_run: Vec<String>,
}

/// The risk line of a formulation: the level the highest triage-scale descriptor sets, and which.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Risk {
    /// The level the descriptor sets.
    pub level: Urgency,
    /// The triage scale's letter for it.
    pub triage_code: char,
    /// The descriptor, in the scale's words.
    pub descriptor: String,
    /// This case's words.
    pub why: String,
    /// The rule that found it.
    pub rule: String,
}

impl Risk {
    /// The risk line for the rules' highest descriptor floor ([`RuleOutput::highest_risk`]).
    fn of(output: &RuleOutput) -> Option<Self> {
        output.highest_risk().map(|floor| Risk {
            level: floor.level,
            triage_code: floor.level.triage_code(),
            descriptor: floor.descriptor.clone().unwrap_or_default(),
            why: floor.why.clone(),
            rule: floor.rule.clone(),
        })
    }
}

impl Formulation {
    /// The risk in one line for a person reading the formulation: the level and code the
    /// highest triage-scale descriptor sets, in the scale's words, and the rule. Shown above the
    /// balance, so that a social-led cause is never read as "only social".
    pub fn risk_line(&self) -> String {
        match &self.risk {
            Some(risk) => format!(
                "{} ({}): {}; triage scale: \u{201c}{}\u{201d}  [{}]",
                risk.level.label(),
                risk.triage_code,
                risk.why,
                risk.descriptor,
                risk.rule
            ),
            None => "no mental-health risk descriptor met".to_owned(),
        }
    }
}

impl Formulation {
    /// One plain sentence saying the formulation is incomplete and which rules failed; `None`
    /// when every rule ran to the end.
    pub fn incomplete_notice(&self) -> Option<String> {
        let (count, rules) = self.failed_rules()?;
        Some(format!(
            "INCOMPLETE FORMULATION: {} failed ({rules}), so what {} would have added is missing and the urgency, weights and referrals may be too low; do not rely on this formulation until the rules are fixed",
            rules_in_words(count),
            if count == 1 { "it" } else { "they" },
        ))
    }

    /// A short form of [`Formulation::incomplete_notice`] for a one-line banner.
    pub fn incomplete_banner(&self) -> Option<String> {
        let (count, rules) = self.failed_rules()?;
        Some(format!(
            "INCOMPLETE FORMULATION: {} failed ({rules}); urgency and referrals may be too low",
            rules_in_words(count)
        ))
    }

    /// How many rules failed and their names; `None` when none did.
    fn failed_rules(&self) -> Option<(usize, String)> {
        if !self.incomplete && self.warnings.is_empty() {
            return None;
        }
        let mut rules: Vec<&str> = self.warnings.iter().map(|w| w.rule.as_str()).collect();
        rules.sort_unstable();
        rules.dedup();
        Some((rules.len(), rules.join(", ")))
    }
}

/// "1 rule", "2 rules".
fn rules_in_words(count: usize) -> String {
    if count == 1 {
        "1 rule".to_owned()
    } else {
        format!("{count} rules")
    }
}

/// The 5 Ps, each a list of short statements in the order rules wrote them.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct FivePs {
    /// What the crisis looks like now.
    pub presenting: Vec<String>,
    /// What made the person vulnerable.
    pub predisposing: Vec<String>,
    /// What set the crisis off.
    pub precipitating: Vec<String>,
    /// What keeps it going.
    pub perpetuating: Vec<String>,
    /// What keeps the person safe.
    pub protective: Vec<String>,
}

impl FivePs {
    /// The list for one P.
    pub fn list_mut(&mut self, p: FiveP) -> &mut Vec<String> {
        match p {
            FiveP::Presenting => &mut self.presenting,
            FiveP::Predisposing => &mut self.predisposing,
            FiveP::Precipitating => &mut self.precipitating,
            FiveP::Perpetuating => &mut self.perpetuating,
            FiveP::Protective => &mut self.protective,
        }
    }

    /// Every P with its list, in the conventional order.
    pub fn iter(&self) -> [(FiveP, &Vec<String>); 5] {
        [
            (FiveP::Presenting, &self.presenting),
            (FiveP::Predisposing, &self.predisposing),
            (FiveP::Precipitating, &self.precipitating),
            (FiveP::Perpetuating, &self.perpetuating),
            (FiveP::Protective, &self.protective),
        ]
    }
}

/// Serialises a weight rounded to two decimals, so that output does not show float noise.
pub fn round2<S: Serializer>(value: &f64, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_f64(round_to_cents(*value))
}

/// Rounds to two decimals, with negative zero made positive.
pub fn round_to_cents(value: f64) -> f64 {
    let rounded = (value * 100.0).round() / 100.0;
    if rounded == 0.0 {
        0.0
    } else {
        rounded
    }
}

/// Evaluates an assessment against a rule set: runs the rules and weighs what they said.
pub fn evaluate(ruleset: &RuleSet, assessment: &Assessment) -> Formulation {
    let output = ruleset.run_rules(assessment);
    weigh(ruleset, assessment, output)
}

/// Weighs the rules' output into a formulation.
pub fn weigh(ruleset: &RuleSet, assessment: &Assessment, output: RuleOutput) -> Formulation {
    let config = &ruleset.config;
    let sum = |domain: Domain| -> f64 {
        output
            .contributions
            .iter()
            .filter(|factor| factor.domain == domain)
            .map(|factor| factor.weight)
            .sum()
    };
    let social = sum(Domain::Social);
    let medical = sum(Domain::Medical);
    let protective = sum(Domain::Protective);

    let (balance, balance_reason) =
        decide_balance(social, medical, config.thresholds.balance_margin);

    let multipliers = &config.urgency_score;
    // Decide on the score as shown, so that the reason never reads "score 1 is below 1".
    let score = round_to_cents(
        social * multipliers.social + medical * multipliers.medical
            - protective * multipliers.protective,
    );
    let arithmetic = format!(
        "score {} = social {} × {} + medical {} × {} − protective {} × {}",
        round_to_cents(score),
        round_to_cents(social),
        multipliers.social,
        round_to_cents(medical),
        multipliers.medical,
        round_to_cents(protective),
        multipliers.protective,
    );
    let (mut urgency, mut urgency_reasons) = match &config.thresholds.urgency_cutoffs {
        Some(cutoffs) => {
            let mut by_score = Urgency::Routine;
            let mut reached_from = None;
            for (level, cutoff) in cutoffs.ladder() {
                if score >= cutoff {
                    by_score = level;
                    reached_from = Some(cutoff);
                }
            }
            let reason = format!(
                "{arithmetic}, {}",
                match reached_from {
                    Some(cutoff) => format!("which reaches {by_score} (from {cutoff})"),
                    None => format!(
                        "below the cut-off for low ({}), so routine",
                        cutoffs.low
                    ),
                }
            );
            (by_score, vec![reason])
        }
        // Risk-led: the level comes only from the floors below; the score orders cases of the
        // same level and shows the weighing, but never sets the level itself.
        None => (
            Urgency::Routine,
            vec![format!(
                "urgency follows risk: routine (F) unless a rule below finds a triage-scale presentation; the {arithmetic} orders cases and does not set the level"
            )],
        ),
    };
    for floor in &output.urgency_floors {
        let effect = if floor.level > urgency {
            urgency = floor.level;
            "raises it to"
        } else {
            "asks for at least"
        };
        match &floor.descriptor {
            Some(descriptor) => urgency_reasons.push(format!(
                "{} {effect} {} ({}), triage scale: \u{201c}{descriptor}\u{201d}: {}",
                floor.rule,
                floor.level,
                floor.level.triage_code(),
                floor.why
            )),
            None => urgency_reasons.push(format!(
                "{} {effect} {}: {}",
                floor.rule, floor.level, floor.why
            )),
        }
    }
    let risk = Risk::of(&output);
    let legacy = config.score_led();
    let mut balance_reason = balance_reason;
    if let Some(risk) = risk.as_ref().filter(|risk| risk.level >= Urgency::High) {
        // The balance names the cause; with a serious risk it must not read as "only social".
        balance_reason.push_str(&format!(
            "; this is the cause, not the risk: the risk is {} ({}) and sets the response",
            risk.level, risk.triage_code
        ));
    }
    let mut notes = output.notes.clone();
    let needs = merge_needs(
        &output,
        think_family(ruleset, assessment, risk.as_ref(), &mut notes),
    );
    let flag_names: Vec<&str> = output.flags.iter().map(|flag| flag.name.as_str()).collect();
    let facts = LadderFacts {
        urgency,
        balance,
        flags: &flag_names,
        social_weight: social,
        most_urgent_need: needs.iter().map(|need| need.urgency).min(),
    };

    let (recommendation, recommendation_label, recommendation_reason) = config
        .recommendations
        .iter()
        .enumerate()
        .find(|(_, rung)| {
            rung.when
                .as_ref()
                .is_none_or(|when| when.holds(&facts))
        })
        .map(|(index, rung)| {
            let conditions = rung
                .when
                .as_ref()
                .map_or_else(|| "no conditions".to_owned(), |when| when.describe());
            (
                rung.option.clone(),
                rung.label.clone(),
                if legacy {
                    // Score-led rule sets (before 2026.12) keep the wording their records were
                    // made with, so those records replay word for word.
                    format!(
                        "recommendations[{index}] in ruleset.yaml, the least restrictive option whose conditions hold ({conditions})"
                    )
                } else if index == 0 {
                    format!(
                        "recommendations[0] in ruleset.yaml ({conditions}): the most restrictive option, and its conditions hold"
                    )
                } else {
                    format!(
                        "recommendations[{index}] in ruleset.yaml ({conditions}): the first option, from the most restrictive down, whose conditions hold; the {index} above it did not apply"
                    )
                },
            )
        })
        // The rule set check guarantees an unconditional last rung, so this is unreachable for
        // a checked rule set; say so plainly rather than panic.
        .unwrap_or_else(|| {
            (
                "none".to_owned(),
                "No recommendation".to_owned(),
                "no option in ruleset.yaml matched".to_owned(),
            )
        });

    let mut five_ps = FivePs::default();
    for entry in &output.five_ps {
        let list = five_ps.list_mut(entry.p);
        if !list.contains(&entry.text) {
            list.push(entry.text.clone());
        }
    }

    let facts = person_facts(assessment);
    let situation = referral_situation(ruleset, assessment, &facts, balance, risk.as_ref(), &[]);
    let plan = resolve(
        &needs,
        &situation,
        &ruleset.partners,
        &config.lead_coordinator,
    );

    Formulation {
        case: assessment.id.clone(),
        assessed_at: assessment.assessed_at,
        ruleset: ruleset.id.clone(),
        social_weight: social,
        medical_weight: medical,
        protective_weight: protective,
        balance,
        balance_reason,
        urgency,
        triage_code: urgency.triage_code(),
        response_time: urgency.response_time().to_owned(),
        urgency_score: score,
        urgency_reasons,
        risk,
        flags: output.flags,
        recommendation,
        recommendation_label,
        recommendation_reason,
        five_ps,
        needs,
        referrals: plan.referrals,
        lead_coordinator: plan.lead_coordinator,
        gaps: plan.gaps,
        holder: plan.holder,
        factors: output.contributions,
        notes,
        incomplete: !output.warnings.is_empty(),
        warnings: output.warnings,
        scripts_run: output.scripts_run,
    }
}

/// What the choice of partner knows about the person: age, living situation, gender, and the
/// kinds recorded (for partners that serve a category only in a situation).
pub fn person_facts(assessment: &Assessment) -> PersonFacts<'_> {
    let recorded = |factor: &&crate::model::Factor| factor.severity > 0;
    PersonFacts {
        age: assessment.person.age,
        lives: assessment.person.lives.as_deref(),
        gender: assessment.person.gender,
        recorded: assessment
            .stressors
            .iter()
            .chain(&assessment.medical)
            .filter(recorded)
            .map(|factor| (factor.kind.as_str(), factor.severity))
            // A strength is recorded or not; it counts as severity 1 for `only_when`.
            .chain(
                assessment
                    .strengths
                    .iter()
                    .map(|strength| (strength.kind.as_str(), 1)),
            )
            .collect(),
        dependants: assessment.person.dependants,
        first_episodes: assessment
            .medical
            .iter()
            .filter(recorded)
            .filter(|factor| factor.first_episode == Some(true))
            .map(|factor| factor.kind.as_str())
            .collect(),
    }
}

/// What referral resolution needs to know about a case: the person, the local time, the balance,
/// when the risk reaches `clinical_lead.from` why a clinical service leads, the risk the crisis
/// partners must hold, and the partners the person declined. One place, so that every caller
/// that re-plans a formulation's needs (the person's choices, `rules check`'s partner
/// comparison) chooses the way the formulation did.
pub fn referral_situation<'a>(
    ruleset: &'a RuleSet,
    assessment: &'a Assessment,
    facts: &PersonFacts<'a>,
    balance: Balance,
    risk: Option<&Risk>,
    declined: &'a [String],
) -> Situation<'a> {
    Situation {
        person: facts.clone(),
        at: assessment.assessed_at.naive_local(),
        balance,
        // Score-led rule sets (before 2026.12) named the best placed partner when none could
        // coordinate; they keep doing so, so that their records replay as they were made.
        lead_without_coordinator: ruleset.config.score_led(),
        clinical: ruleset.config.clinical_lead.as_ref().and_then(|clinical| {
            let risk = risk.filter(|risk| risk.level >= clinical.from)?;
            Some(ClinicalBasis {
                categories: &clinical.categories,
                why: format!(
                    "the risk is {} ({}): \u{201c}{}\u{201d} (clinical_lead.from {} in ruleset.yaml)",
                    risk.level, risk.triage_code, risk.descriptor, clinical.from
                ),
            })
        }),
        choice: ruleset.config.partner_choice.as_ref().map(|choice| ChoiceBasis {
            risk: risk.and_then(|risk| {
                // At A the response now is emergency services or the team on site (the
                // recommendation); the partners that follow must hold what comes after, B.
                let level = risk.level.min(Urgency::VeryHigh);
                let within_hours = ruleset
                    .scale
                    .as_deref()
                    .and_then(|scale| scale.row(level))
                    .and_then(|row| row.within_hours)?;
                Some(RiskToHold {
                    level,
                    within_hours,
                })
            }),
            hold_categories: &choice.hold_risk.categories,
            hold_from: choice.hold_risk.from,
        }),
        declined,
    }
}

/// Think Family (`partner_choice.think_family`): a parent or carer with a listed medical kind at
/// a risk of `from` or above has the children considered, whatever the rules asked. Returns the
/// need to add, if any; a rule set that turns it off says why in a note.
fn think_family(
    ruleset: &RuleSet,
    assessment: &Assessment,
    risk: Option<&Risk>,
    notes: &mut Vec<Note>,
) -> Option<ReferralRequest> {
    let policy = &ruleset.config.partner_choice.as_ref()?.think_family;
    let dependants = assessment.person.dependants.filter(|count| *count > 0)?;
    let risk = risk.filter(|risk| risk.level >= policy.from)?;
    let kinds: Vec<&str> = assessment
        .medical
        .iter()
        .filter(|factor| factor.severity > 0 && policy.kinds.contains(&factor.kind))
        .map(|factor| factor.kind.as_str())
        .collect();
    if kinds.is_empty() {
        return None;
    }
    if let Some(reason) = &policy.off {
        notes.push(Note {
            text: format!("Think Family is off in this rule set: {reason}"),
            rule: "ruleset.partner_choice.think_family".to_owned(),
        });
        return None;
    }
    Some(ReferralRequest {
        category: policy.category.clone(),
        urgency: policy.urgency,
        why: format!(
            "a parent or carer of {dependants} with {} at a risk of {} ({}): consider the children's safety and needs (Think Family)",
            kinds.join(", "),
            risk.level,
            risk.triage_code
        ),
        rule: "ruleset.partner_choice.think_family".to_owned(),
    })
}

impl Formulation {
    /// This formulation with its plan as it stands after the person's choices
    /// ([`after_choices`]), for showing; the formulation as made is what a record keeps.
    pub fn with_choices(
        &self,
        ruleset: &RuleSet,
        assessment: &Assessment,
        choices: &Choices,
    ) -> Formulation {
        let mut shown = self.clone();
        if let Some(plan) = after_choices(ruleset, assessment, self, choices) {
            shown.referrals = plan.referrals;
            shown.lead_coordinator = plan.lead_coordinator;
            shown.gaps = plan.gaps;
            shown.holder = plan.holder;
        }
        shown
    }
}

/// The plan after the person's choices: every partner they declined is left out and its needs
/// go to the next eligible partner or become a gap; a declined lead passes to another partner
/// and the plan says why. The declined referrals stay in the list, after the others, so that
/// the person's decision is still shown. `None` when nothing was declined.
pub fn after_choices(
    ruleset: &RuleSet,
    assessment: &Assessment,
    formulation: &Formulation,
    choices: &Choices,
) -> Option<ReferralPlan> {
    let declined: Vec<String> = choices
        .0
        .iter()
        .filter(|choice| choice.decision == Decision::Declined)
        .filter(|choice| {
            formulation
                .referrals
                .iter()
                .any(|referral| referral.partner == choice.referral)
        })
        .map(|choice| choice.referral.clone())
        .collect();
    if declined.is_empty() {
        return None;
    }
    let facts = person_facts(assessment);
    let situation = referral_situation(
        ruleset,
        assessment,
        &facts,
        formulation.balance,
        formulation.risk.as_ref(),
        &declined,
    );
    let mut plan = resolve(
        &formulation.needs,
        &situation,
        &ruleset.partners,
        &ruleset.config.lead_coordinator,
    );
    if let (Some(before), Some(after)) = (
        formulation.lead_coordinator.as_ref(),
        plan.lead_coordinator.as_mut(),
    ) {
        if declined.contains(&before.partner) {
            after.why = format!(
                "{} would have led, but the person declined it; {}",
                before.name, after.why
            );
        }
    }
    plan.referrals.extend(
        formulation
            .referrals
            .iter()
            .filter(|referral| declined.contains(&referral.partner))
            .cloned(),
    );
    Some(plan)
}

fn decide_balance(social: f64, medical: f64, margin: f64) -> (Balance, String) {
    let total = social + medical;
    if total <= 0.0 {
        return (
            Balance::Mixed,
            "no social or medical factor was weighed".to_owned(),
        );
    }
    let share = social / total;
    let percent = |value: f64| format!("{:.0}%", value * 100.0);
    let describe = format!(
        "social weight {} is {} of the combined {}",
        round_to_cents(social),
        percent(share),
        round_to_cents(total)
    );
    if share >= 0.5 + margin {
        (
            Balance::SocialLed,
            format!(
                "{describe}, at least {} (0.5 + margin {margin})",
                percent(0.5 + margin)
            ),
        )
    } else if share <= 0.5 - margin {
        (
            Balance::MedicalLed,
            format!(
                "{describe}, at most {} (0.5 − margin {margin})",
                percent(0.5 - margin)
            ),
        )
    } else {
        (
            Balance::Mixed,
            format!(
                "{describe}, between {} and {}",
                percent(0.5 - margin),
                percent(0.5 + margin)
            ),
        )
    }
}

/// One need per category, most urgent first, then in the order rules first asked (a need the
/// rule set's policy asks for comes after the rules').
fn merge_needs(output: &RuleOutput, policy: Option<ReferralRequest>) -> Vec<Need> {
    let mut needs: IndexMap<&str, Need> = IndexMap::new();
    for request in output.referral_requests.iter().chain(policy.as_ref()) {
        let need = needs.entry(&request.category).or_insert_with(|| Need {
            category: request.category.clone(),
            urgency: request.urgency,
            reasons: Vec::new(),
        });
        // ReferralUrgency orders most urgent first.
        need.urgency = need.urgency.min(request.urgency);
        if !need
            .reasons
            .iter()
            .any(|reason| reason.why == request.why && reason.rule == request.rule)
        {
            need.reasons.push(NeedReason {
                why: request.why.clone(),
                rule: request.rule.clone(),
                urgency: request.urgency,
            });
        }
    }
    let mut needs: Vec<Need> = needs.into_values().collect();
    // Stable sort keeps first-asked order within one urgency.
    needs.sort_by_key(|need| need.urgency);
    needs
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn balance_uses_the_margin_around_half() {
        assert_eq!(decide_balance(8.0, 2.0, 0.15).0, Balance::SocialLed);
        assert_eq!(decide_balance(2.0, 8.0, 0.15).0, Balance::MedicalLed);
        assert_eq!(decide_balance(5.0, 4.0, 0.15).0, Balance::Mixed);
        assert_eq!(decide_balance(0.0, 0.0, 0.15).0, Balance::Mixed);
        // Exactly on the boundary counts as led.
        assert_eq!(decide_balance(6.5, 3.5, 0.15).0, Balance::SocialLed);
    }

    #[test]
    fn rounding_hides_float_noise() {
        assert_eq!(round_to_cents(0.1 + 0.2), 0.3);
        assert_eq!(round_to_cents(-0.001), 0.0);
    }
}
