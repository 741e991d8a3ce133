//! Referral resolution: turns the categories of help the rules asked for into a short list of
//! named partners, one referral per partner however many needs it covers, with a lead coordinator
//! and every need no partner can meet shown as a gap.
//!
//! Pure: a function of the needs, a few facts about the person and the time of the assessment,
//! the directory and the coordination policy.

use std::collections::BTreeMap;

use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};

use crate::formulation::{Need, NeedReason};
use crate::model::{Balance, ReferralUrgency};
use crate::referrals::partners::{Directory, Partner, PersonFacts};

/// `lead_coordinator:` in `ruleset.yaml`: for each balance, the referral categories whose partner
/// should lead the case, most preferred first.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(transparent)]
pub struct LeadPolicy(pub BTreeMap<Balance, Vec<String>>);

/// The circumstances referrals are resolved for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Situation<'a> {
    /// What is known about the person.
    pub person: PersonFacts<'a>,
    /// The assessment's local date and time, against which opening hours are read.
    pub at: NaiveDateTime,
    /// The formulation's balance, which picks the lead coordinator preference.
    pub balance: Balance,
    /// Set when a risk at or above `clinical_lead.from` is met: a clinical service then leads.
    pub clinical: Option<ClinicalBasis<'a>>,
    /// Whether, with no partner in the plan able to coordinate, the best placed one still leads
    /// (the behaviour of rule sets before 2026.12, kept for their replays); otherwise there is
    /// no lead and the assessor stays the contact.
    pub lead_without_coordinator: bool,
}

/// Why a clinical service leads this case, and which categories count as clinical.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClinicalBasis<'a> {
    /// Clinical referral categories, most preferred lead first (`clinical_lead.categories`).
    pub categories: &'a [String],
    /// The risk that asks for a clinical lead, in words.
    pub why: String,
}

/// The referral plan: referrals in order of urgency, the lead coordinator and the gaps.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ReferralPlan {
    /// One referral per partner, most urgent first.
    pub referrals: Vec<Referral>,
    /// The one partner who coordinates the case, if any referral is made.
    pub lead_coordinator: Option<LeadCoordinator>,
    /// Needs that could not be met as asked.
    pub gaps: Vec<Gap>,
}

/// One referral to one partner, covering every need it was chosen for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Referral {
    /// Partner id from `partners.yaml`.
    pub partner: String,
    /// Partner name.
    pub name: String,
    /// The categories this referral covers, most urgent first.
    pub categories: Vec<String>,
    /// The most urgent of the needs it covers.
    pub urgency: ReferralUrgency,
    /// Every reason, with its category and rule.
    pub reasons: Vec<ReferralReason>,
    /// How to reach the partner.
    pub contact: String,
    /// Whether the partner can act the same day.
    pub same_day: bool,
    /// Opening hours in words.
    pub hours: String,
    /// Whether the partner was open at the time of the assessment.
    pub open_at_assessment: bool,
    /// What the directory says about who the partner serves.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// One rule's reason for a referral.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReferralReason {
    /// The category the rule asked for.
    pub category: String,
    /// Why.
    pub why: String,
    /// Which rule.
    pub rule: String,
    /// How soon that rule asked for.
    pub urgency: ReferralUrgency,
}

/// The partner named to coordinate the case: the person's one case worker.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LeadCoordinator {
    /// Partner id.
    pub partner: String,
    /// Partner name.
    pub name: String,
    /// How to reach them.
    pub contact: String,
    /// Why this partner leads.
    pub why: String,
    /// A clinical service leads because of the risk; the social partners work alongside.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub clinical: bool,
}

/// What kind of gap.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GapKind {
    /// No partner in the directory serves the category.
    NoPartner,
    /// Partners serve the category, but none takes this person.
    NoEligiblePartner,
    /// The need is for today, but no eligible partner can act the same day.
    NoSameDayCapacity,
    /// Same-day partners exist, but none is open again today.
    NotOpenToday,
    /// The need is immediate, but no eligible same-day partner is open now.
    NotOpenNow,
}

impl GapKind {
    /// Whether the need is left without any referral (as opposed to referred less well).
    pub fn unmet(self) -> bool {
        matches!(self, GapKind::NoPartner | GapKind::NoEligiblePartner)
    }
}

/// A need that could not be met as asked. Gaps are shown, never dropped.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Gap {
    /// The category.
    pub category: String,
    /// How soon the rules asked for it.
    pub urgency: ReferralUrgency,
    /// What kind of gap.
    pub kind: GapKind,
    /// The gap in words.
    pub message: String,
    /// The partner the need went to anyway, when there was one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub referred_to: Option<String>,
    /// The rules' reasons, kept for unmet needs so that none is lost.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub reasons: Vec<NeedReason>,
}

/// How well a partner fits one need; lower is better.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Fit {
    /// Can act the same day and is open now (or the need is not urgent).
    Best,
    /// Can act the same day and opens later today.
    LaterToday,
    /// Can act the same day but is not open again today.
    NotToday,
    /// Cannot act the same day.
    NotSameDay,
}

/// Resolves needs into a referral plan.
pub fn resolve(
    needs: &[Need],
    situation: &Situation<'_>,
    directory: &Directory,
    policy: &LeadPolicy,
) -> ReferralPlan {
    let mut gaps = Vec::new();
    // For each need, the partners acceptable for it (all of the best fit available).
    let mut acceptable: Vec<Option<Vec<usize>>> = Vec::with_capacity(needs.len());
    for need in needs {
        let serving = directory.serving(&need.category);
        let partner = |index: usize| &directory.partners()[index];
        // One pass: the best fit among eligible partners, and every eligible partner with it.
        let mut best: Option<Fit> = None;
        let mut best_partners = Vec::new();
        for &index in serving {
            let candidate = partner(index);
            if !candidate.eligibility.admits(situation.person) {
                continue;
            }
            let candidate_fit = fit(candidate, need.urgency, situation.at);
            match best {
                Some(current) if candidate_fit > current => continue,
                Some(current) if candidate_fit == current => {}
                _ => {
                    best = Some(candidate_fit);
                    best_partners.clear();
                }
            }
            best_partners.push(index);
        }
        let Some(best) = best else {
            let serving: Vec<(usize, &Partner)> = serving
                .iter()
                .map(|&index| (index, partner(index)))
                .collect();
            gaps.push(unmet_gap(need, &serving, situation));
            acceptable.push(None);
            continue;
        };
        acceptable.push(Some(best_partners));
        if let Some(kind) = shortfall(need.urgency, best) {
            gaps.push(Gap {
                category: need.category.clone(),
                urgency: need.urgency,
                kind,
                message: shortfall_message(kind, need, situation.at),
                // Filled in once the partner is chosen.
                referred_to: None,
                reasons: Vec::new(),
            });
        }
    }

    let chosen = cover(needs, &acceptable, directory.partners());
    let mut referrals: Vec<(usize, usize, Referral)> = Vec::with_capacity(chosen.len());
    for (partner_index, need_indices) in chosen {
        let partner = &directory.partners()[partner_index];
        let covered: Vec<&Need> = need_indices.iter().map(|index| &needs[*index]).collect();
        let urgency = covered
            .iter()
            .map(|need| need.urgency)
            .min()
            .unwrap_or(ReferralUrgency::Routine);
        let reasons = covered
            .iter()
            .flat_map(|need| {
                need.reasons.iter().map(|reason| ReferralReason {
                    category: need.category.clone(),
                    why: reason.why.clone(),
                    rule: reason.rule.clone(),
                    urgency: reason.urgency,
                })
            })
            .collect();
        for gap in &mut gaps {
            if covered.iter().any(|need| need.category == gap.category) {
                gap.referred_to = Some(partner.id.clone());
            }
        }
        let first_need = need_indices.iter().copied().min().unwrap_or(0);
        referrals.push((
            first_need,
            partner_index,
            Referral {
                partner: partner.id.clone(),
                name: partner.name.clone(),
                categories: covered.iter().map(|need| need.category.clone()).collect(),
                urgency,
                reasons,
                contact: partner.contact.clone(),
                same_day: partner.same_day,
                hours: directory.hours_described(partner_index).to_owned(),
                open_at_assessment: partner.hours.is_open(situation.at),
                note: partner.eligibility.note.clone(),
            },
        ));
    }
    // Needs arrive most urgent first, so ordering by urgency and then by the first need covered
    // keeps the rules' order within one urgency.
    referrals.sort_by_key(|(first_need, _, referral)| (referral.urgency, *first_need));
    let can_coordinate: Vec<bool> = referrals
        .iter()
        .map(|(_, partner_index, _)| directory.partners()[*partner_index].can_coordinate)
        .collect();
    let referrals: Vec<Referral> = referrals
        .into_iter()
        .map(|(_, _, referral)| referral)
        .collect();
    let lead_coordinator = choose_lead(
        &referrals,
        &can_coordinate,
        policy,
        situation.balance,
        situation.clinical.as_ref(),
        situation.lead_without_coordinator,
    );
    ReferralPlan {
        referrals,
        lead_coordinator,
        gaps,
    }
}

fn fit(partner: &Partner, urgency: ReferralUrgency, at: NaiveDateTime) -> Fit {
    if urgency > ReferralUrgency::SameDay {
        return Fit::Best;
    }
    if !partner.same_day {
        Fit::NotSameDay
    } else if partner.hours.is_open(at) {
        Fit::Best
    } else if partner.hours.open_again_today(at) {
        Fit::LaterToday
    } else {
        Fit::NotToday
    }
}

/// The gap, if the best fit available falls short of the need's urgency.
fn shortfall(urgency: ReferralUrgency, best: Fit) -> Option<GapKind> {
    match (urgency, best) {
        (_, Fit::Best) => None,
        (ReferralUrgency::Immediate | ReferralUrgency::SameDay, Fit::NotSameDay) => {
            Some(GapKind::NoSameDayCapacity)
        }
        (ReferralUrgency::Immediate, Fit::LaterToday | Fit::NotToday) => Some(GapKind::NotOpenNow),
        (ReferralUrgency::SameDay, Fit::NotToday) => Some(GapKind::NotOpenToday),
        _ => None,
    }
}

fn shortfall_message(kind: GapKind, need: &Need, at: NaiveDateTime) -> String {
    let when = at.format("%a %d %b %H:%M");
    let category = &need.category;
    match kind {
        GapKind::NoSameDayCapacity => format!(
            "no same-day capacity for {category}: no eligible partner can act today, so the referral goes to the best partner available and the assessor should arrange interim support"
        ),
        GapKind::NotOpenToday => format!(
            "no partner with same-day capacity for {category} is open again today ({when}); the referral goes to the best partner available and the assessor should arrange interim support"
        ),
        GapKind::NotOpenNow => format!(
            "{category} was needed straight away but no eligible partner is open now ({when}); the referral goes to the first to open and the assessor should stay with the person or call emergency services"
        ),
        GapKind::NoPartner | GapKind::NoEligiblePartner => String::new(),
    }
}

fn unmet_gap(need: &Need, serving: &[(usize, &Partner)], situation: &Situation<'_>) -> Gap {
    let category = &need.category;
    let (kind, message) = if serving.is_empty() {
        (
            GapKind::NoPartner,
            format!("no partner in partners.yaml serves {category}; the assessor should find one and the service lead should add it"),
        )
    } else {
        let why: Vec<String> = serving
            .iter()
            .filter_map(|(_, partner)| {
                partner
                    .eligibility
                    .excludes(situation.person)
                    .map(|why| format!("{} {why}", partner.id))
            })
            .collect();
        (
            GapKind::NoEligiblePartner,
            format!(
                "no partner for {category} takes this person ({}); the assessor should find another service",
                why.join("; ")
            ),
        )
    };
    Gap {
        category: category.clone(),
        urgency: need.urgency,
        kind,
        message,
        referred_to: None,
        reasons: need.reasons.clone(),
    }
}

/// Greedy set cover: repeatedly choose the partner acceptable for the most needs still uncovered.
/// Ties go to the partner whose covered needs are more urgent, then to the one for which those
/// needs are its main work (categories listed earlier in its entry), then to the partner listed
/// first in the directory. Returns each chosen partner with the needs it covers, in the order
/// chosen; needs must be sorted most urgent first.
fn cover(
    needs: &[Need],
    acceptable: &[Option<Vec<usize>>],
    partners: &[Partner],
) -> Vec<(usize, Vec<usize>)> {
    // Only partners acceptable for some need can be chosen: index them once, in directory
    // order, with the needs each could take (in need order, so most urgent first).
    let mut candidates: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for (need, partners_for_need) in acceptable.iter().enumerate() {
        for &partner in partners_for_need.iter().flatten() {
            candidates.entry(partner).or_default().push(need);
        }
    }
    let mut uncovered: Vec<bool> = acceptable.iter().map(Option::is_some).collect();
    let mut chosen = Vec::new();
    loop {
        // Compared without building a list per candidate: this loop runs for every candidate
        // partner in every round of every assessment.
        let mut best: Option<(usize, &[usize], usize)> = None;
        for (&index, could_take) in &candidates {
            let still = |need: &&usize| uncovered[**need];
            let count = could_take.iter().filter(still).count();
            if count == 0 {
                continue;
            }
            let better = match best {
                None => true,
                Some((best_index, best_could_take, best_count)) => {
                    let primacy = |partner: usize, list: &[usize]| -> usize {
                        list.iter()
                            .filter(still)
                            .filter_map(|need| {
                                partners[partner]
                                    .categories
                                    .iter()
                                    .position(|category| *category == needs[*need].category)
                            })
                            .sum()
                    };
                    // More needs first; then, need by need, the more urgent (lexicographic).
                    best_count
                        .cmp(&count)
                        .then_with(|| {
                            uncovered_urgencies(could_take, &uncovered, needs)
                                .cmp(uncovered_urgencies(best_could_take, &uncovered, needs))
                        })
                        .then_with(|| {
                            primacy(index, could_take).cmp(&primacy(best_index, best_could_take))
                        })
                        .then(index.cmp(&best_index))
                        .is_lt()
                }
            };
            if better {
                best = Some((index, could_take, count));
            }
        }
        let Some((partner, could_take, _)) = best else {
            return chosen;
        };
        let covers: Vec<usize> = could_take
            .iter()
            .copied()
            .filter(|&need| uncovered[need])
            .collect();
        for need in &covers {
            uncovered[*need] = false;
        }
        chosen.push((partner, covers));
    }
}

/// The urgencies of the needs in `list` still uncovered, in need order.
fn uncovered_urgencies<'a>(
    list: &'a [usize],
    uncovered: &'a [bool],
    needs: &'a [Need],
) -> impl Iterator<Item = ReferralUrgency> + 'a {
    list.iter()
        .filter(|need| uncovered[**need])
        .map(|need| needs[*need].urgency)
}

/// Names the lead coordinator among the partners referred to that can coordinate (none if no
/// partner in the plan can): the one serving the category earliest in the preference list (the
/// clinical one with a high risk, else the balance's); then the most urgent referral; then the
/// one covering most needs; then the order of the plan.
/// `can_coordinate[i]` says whether the partner of `referrals[i]` can coordinate.
fn choose_lead(
    referrals: &[Referral],
    can_coordinate: &[bool],
    policy: &LeadPolicy,
    balance: Balance,
    clinical: Option<&ClinicalBasis<'_>>,
    lead_without_coordinator: bool,
) -> Option<LeadCoordinator> {
    // With a risk at or above `clinical_lead.from`, a clinical service in the plan leads whatever
    // the balance; without one in the plan, the balance's preference decides as usual.
    let clinical = clinical.filter(|basis| {
        referrals.iter().any(|referral| {
            referral
                .categories
                .iter()
                .any(|category| basis.categories.contains(category))
        })
    });
    let preference = match clinical {
        Some(basis) => basis.categories,
        None => policy.0.get(&balance).map(Vec::as_slice).unwrap_or(&[]),
    };
    let rank = |referral: &Referral| {
        referral
            .categories
            .iter()
            .filter_map(|category| preference.iter().position(|wanted| wanted == category))
            .min()
    };
    // Only a partner that offers a named worker can be the person's one case worker; with none
    // in the plan there is no lead and the assessor stays the contact (never a partner that
    // cannot coordinate, which a new partner taking over referrals could otherwise become).
    let any_can = can_coordinate.iter().any(|&can| can);
    let fallback = lead_without_coordinator && !any_can;
    let (lead, preferred) = referrals
        .iter()
        .zip(can_coordinate)
        .filter(|(_, &can)| can || fallback)
        .map(|(referral, _)| referral)
        .enumerate()
        .min_by_key(|(order, referral)| {
            (
                rank(referral).unwrap_or(usize::MAX),
                referral.urgency,
                std::cmp::Reverse(referral.categories.len()),
                *order,
            )
        })
        .map(|(_, referral)| (referral, rank(referral)))?;
    let mut why = vec![if fallback {
        "no partner in this plan is marked can_coordinate in partners.yaml, so the best placed one leads".to_owned()
    } else {
        "offers a named worker who can coordinate the case".to_owned()
    }];
    match (clinical, preferred) {
        (Some(basis), Some(position)) => why.push(format!(
            "a clinical service leads because {}; {} is the most preferred clinical category in this plan (clinical_lead.categories[{position}] in ruleset.yaml); the social partners work alongside",
            basis.why, preference[position]
        )),
        (_, Some(position)) => why.push(format!(
            "the case is {balance} and {} is the most preferred category in this plan (lead_coordinator.{balance}[{position}] in ruleset.yaml)",
            preference[position]
        )),
        (_, None) => why.push(format!(
            "no category in lead_coordinator.{balance} in ruleset.yaml is in this plan, so the most urgent referral leads"
        )),
    }
    Some(LeadCoordinator {
        partner: lead.partner.clone(),
        name: lead.name.clone(),
        contact: lead.contact.clone(),
        why: why.join("; "),
        clinical: clinical.is_some() && preferred.is_some(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::referrals::partners::{Eligibility, Hours, Window};
    use chrono::{NaiveTime, Weekday};

    fn partner(id: &str, categories: &[&str], same_day: bool, hours: Hours) -> Partner {
        Partner {
            id: id.to_owned(),
            name: format!("{id} service"),
            categories: categories.iter().map(|c| (*c).to_owned()).collect(),
            contact: "01632 960000".to_owned(),
            hours,
            same_day,
            can_coordinate: false,
            eligibility: Eligibility::default(),
        }
    }

    fn weekdays(open: &str, close: &str) -> Hours {
        use Weekday::*;
        let time = |text| NaiveTime::parse_from_str(text, "%H:%M").expect("valid");
        Hours::Windows(vec![Window {
            days: vec![Mon, Tue, Wed, Thu, Fri],
            open: time(open),
            close: time(close),
        }])
    }

    fn need(category: &str, urgency: ReferralUrgency) -> Need {
        Need {
            category: category.to_owned(),
            urgency,
            reasons: vec![NeedReason {
                why: format!("needs {category}"),
                rule: format!("test.{category}"),
                urgency,
            }],
        }
    }

    /// Friday 2026-11-20 at the given time, a 40-year-old living alone, social-led.
    fn friday(time: &str) -> Situation<'static> {
        Situation {
            person: PersonFacts {
                age: Some(40),
                lives: Some("alone"),
            },
            at: NaiveDateTime::parse_from_str(&format!("2026-11-20 {time}"), "%Y-%m-%d %H:%M")
                .expect("valid"),
            balance: Balance::SocialLed,
            clinical: None,
            lead_without_coordinator: false,
        }
    }

    fn plan(needs: &[Need], situation: &Situation<'_>, partners: Vec<Partner>) -> ReferralPlan {
        resolve(
            needs,
            situation,
            &Directory::new(partners),
            &LeadPolicy::default(),
        )
    }

    fn ids(plan: &ReferralPlan) -> Vec<&str> {
        plan.referrals.iter().map(|r| r.partner.as_str()).collect()
    }

    #[test]
    fn one_partner_covering_several_needs_gets_one_referral_with_every_reason() {
        let needs = [
            need("housing_advice", ReferralUrgency::WithinThreeDays),
            need("debt_advice", ReferralUrgency::WithinThreeDays),
            need("befriending", ReferralUrgency::Routine),
        ];
        let partners = vec![
            partner("housing-only", &["housing_advice"], false, Hours::Always),
            partner("debt-only", &["debt_advice"], false, Hours::Always),
            partner(
                "advice-centre",
                &["housing_advice", "debt_advice"],
                false,
                Hours::Always,
            ),
            partner("friends", &["befriending"], false, Hours::Always),
        ];
        let plan = plan(&needs, &friday("10:00"), partners);
        assert_eq!(ids(&plan), ["advice-centre", "friends"]);
        let advice = &plan.referrals[0];
        assert_eq!(advice.categories, ["housing_advice", "debt_advice"]);
        let rules: Vec<&str> = advice.reasons.iter().map(|r| r.rule.as_str()).collect();
        assert_eq!(rules, ["test.housing_advice", "test.debt_advice"]);
        assert!(plan.gaps.is_empty());
    }

    #[test]
    fn no_partner_appears_twice() {
        let needs = [
            need("housing_advice", ReferralUrgency::SameDay),
            need("debt_advice", ReferralUrgency::Routine),
            need("befriending", ReferralUrgency::Routine),
        ];
        let partners = vec![
            partner("a", &["housing_advice", "befriending"], true, Hours::Always),
            partner("b", &["debt_advice", "befriending"], true, Hours::Always),
        ];
        let plan = plan(&needs, &friday("10:00"), partners);
        let mut seen = ids(&plan);
        seen.sort_unstable();
        seen.dedup();
        assert_eq!(seen.len(), plan.referrals.len());
        let covered: usize = plan.referrals.iter().map(|r| r.categories.len()).sum();
        assert_eq!(covered, 3, "each need goes to exactly one partner");
    }

    #[test]
    fn ties_go_to_more_urgent_needs_then_to_the_partners_main_work() {
        let needs = [
            need("children_and_families", ReferralUrgency::SameDay),
            need("advocacy", ReferralUrgency::WithinThreeDays),
            need("relationship_support", ReferralUrgency::WithinTwoWeeks),
            need("befriending", ReferralUrgency::Routine),
        ];
        let partners = vec![
            // Listed first, but covers the less urgent pair.
            partner(
                "separation-line",
                &["relationship_support", "children_and_families"],
                true,
                Hours::Always,
            ),
            partner(
                "parents-advocacy",
                &["children_and_families", "advocacy"],
                true,
                Hours::Always,
            ),
            partner(
                "counselling",
                &["relationship_support"],
                false,
                Hours::Always,
            ),
            // Befriending is a side line here, and the main work of the next partner.
            partner(
                "migrant-support",
                &["food_support", "befriending"],
                false,
                Hours::Always,
            ),
            partner("friends", &["befriending"], false, Hours::Always),
        ];
        let plan = plan(&needs, &friday("10:00"), partners);
        assert_eq!(
            ids(&plan),
            ["parents-advocacy", "separation-line", "friends"]
        );
    }

    #[test]
    fn partners_that_exclude_the_person_by_age_are_not_offered() {
        let mut young = partner("youth", &["housing_advice"], true, Hours::Always);
        young.eligibility.max_age = Some(25);
        let adults = partner("adults", &["housing_advice"], true, Hours::Always);
        let plan = plan(
            &[need("housing_advice", ReferralUrgency::Routine)],
            &friday("10:00"),
            vec![young, adults],
        );
        assert_eq!(ids(&plan), ["adults"]);
    }

    #[test]
    fn a_need_no_eligible_partner_takes_is_an_unmet_gap_with_its_reasons() {
        let mut older = partner("later-life", &["befriending"], true, Hours::Always);
        older.eligibility.min_age = Some(65);
        let plan = plan(
            &[need("befriending", ReferralUrgency::Routine)],
            &friday("10:00"),
            vec![older],
        );
        assert!(plan.referrals.is_empty());
        assert_eq!(plan.gaps.len(), 1);
        let gap = &plan.gaps[0];
        assert_eq!(gap.kind, GapKind::NoEligiblePartner);
        assert!(gap.message.contains("later-life serves ages 65 and over"));
        assert_eq!(gap.reasons[0].rule, "test.befriending");
        assert_eq!(plan.lead_coordinator, None);
    }

    #[test]
    fn a_category_no_partner_serves_is_a_gap_never_dropped() {
        let plan = plan(
            &[
                need("immigration_advice", ReferralUrgency::WithinTwoWeeks),
                need("housing_advice", ReferralUrgency::Routine),
            ],
            &friday("10:00"),
            vec![partner(
                "housing",
                &["housing_advice"],
                false,
                Hours::Always,
            )],
        );
        assert_eq!(ids(&plan), ["housing"]);
        assert_eq!(plan.gaps.len(), 1);
        assert_eq!(plan.gaps[0].kind, GapKind::NoPartner);
        assert_eq!(plan.gaps[0].category, "immigration_advice");
        assert!(plan.gaps[0].kind.unmet());
    }

    #[test]
    fn same_day_needs_go_to_partners_with_same_day_capacity() {
        let plan = plan(
            &[need("housing_advice", ReferralUrgency::SameDay)],
            &friday("10:00"),
            vec![
                partner(
                    "slow",
                    &["housing_advice"],
                    false,
                    weekdays("09:00", "17:00"),
                ),
                partner(
                    "fast",
                    &["housing_advice"],
                    true,
                    weekdays("09:00", "17:00"),
                ),
            ],
        );
        assert_eq!(ids(&plan), ["fast"]);
        assert!(plan.gaps.is_empty());
    }

    #[test]
    fn without_same_day_capacity_the_need_is_still_referred_and_the_gap_shown() {
        let plan = plan(
            &[need("debt_advice", ReferralUrgency::SameDay)],
            &friday("10:00"),
            vec![partner("slow", &["debt_advice"], false, Hours::Always)],
        );
        assert_eq!(ids(&plan), ["slow"]);
        assert_eq!(plan.gaps.len(), 1);
        assert_eq!(plan.gaps[0].kind, GapKind::NoSameDayCapacity);
        assert_eq!(plan.gaps[0].referred_to.as_deref(), Some("slow"));
        assert!(plan.gaps[0]
            .message
            .starts_with("no same-day capacity for debt_advice"));
    }

    #[test]
    fn urgent_needs_prefer_partners_open_at_the_assessment_time() {
        let partners = || {
            vec![
                partner("day", &["crisis_team"], true, weekdays("09:00", "17:00")),
                partner("night", &["crisis_team"], true, Hours::Always),
            ]
        };
        let needs = [need("crisis_team", ReferralUrgency::Immediate)];
        assert_eq!(ids(&plan(&needs, &friday("10:00"), partners())), ["day"]);
        let night = plan(&needs, &friday("23:00"), partners());
        assert_eq!(ids(&night), ["night"]);
        assert!(night.gaps.is_empty());
    }

    #[test]
    fn an_immediate_need_with_nobody_open_now_is_a_gap() {
        let plan = plan(
            &[need("crisis_team", ReferralUrgency::Immediate)],
            &friday("07:00"),
            vec![partner(
                "day",
                &["crisis_team"],
                true,
                weekdays("09:00", "17:00"),
            )],
        );
        assert_eq!(ids(&plan), ["day"]);
        assert_eq!(plan.gaps[0].kind, GapKind::NotOpenNow);
    }

    #[test]
    fn a_same_day_need_after_closing_time_is_a_gap() {
        let plan = plan(
            &[need("housing_advice", ReferralUrgency::SameDay)],
            &friday("18:30"),
            vec![partner(
                "day",
                &["housing_advice"],
                true,
                weekdays("09:00", "17:00"),
            )],
        );
        assert_eq!(plan.gaps[0].kind, GapKind::NotOpenToday);
        assert!(plan.gaps[0].message.contains("(Fri 20 Nov 18:30)"));
    }

    #[test]
    fn routine_needs_ignore_opening_hours() {
        let plan = plan(
            &[
                need("befriending", ReferralUrgency::Routine),
                need("debt_advice", ReferralUrgency::Routine),
            ],
            &friday("23:00"),
            vec![
                partner("open", &["befriending"], false, Hours::Always),
                partner(
                    "both",
                    &["befriending", "debt_advice"],
                    false,
                    weekdays("09:00", "17:00"),
                ),
            ],
        );
        assert_eq!(ids(&plan), ["both"]);
        assert!(!plan.referrals[0].open_at_assessment);
    }

    #[test]
    fn referrals_are_ordered_by_urgency() {
        let plan = plan(
            &[
                need("housing_advice", ReferralUrgency::Immediate),
                need("debt_advice", ReferralUrgency::WithinThreeDays),
                need("befriending", ReferralUrgency::Routine),
            ],
            &friday("10:00"),
            vec![
                partner("friends", &["befriending"], false, Hours::Always),
                partner("debt", &["debt_advice"], false, Hours::Always),
                partner("housing", &["housing_advice"], true, Hours::Always),
            ],
        );
        assert_eq!(ids(&plan), ["housing", "debt", "friends"]);
    }

    #[test]
    fn the_lead_coordinator_follows_the_policy_among_partners_who_can_coordinate() {
        let mut debt = partner("debt", &["debt_advice"], true, Hours::Always);
        debt.can_coordinate = true;
        let mut housing = partner("housing", &["housing_advice"], true, Hours::Always);
        housing.can_coordinate = true;
        let crisis = partner("crisis", &["crisis_team"], true, Hours::Always);
        let needs = [
            need("crisis_team", ReferralUrgency::Immediate),
            need("debt_advice", ReferralUrgency::SameDay),
            need("housing_advice", ReferralUrgency::SameDay),
        ];
        let policy = LeadPolicy(BTreeMap::from([(
            Balance::SocialLed,
            vec!["crisis_team".to_owned(), "housing_advice".to_owned()],
        )]));
        let plan = resolve(
            &needs,
            &friday("10:00"),
            &Directory::new(vec![debt, housing, crisis]),
            &policy,
        );
        let lead = plan.lead_coordinator.expect("a lead");
        // The crisis partner cannot coordinate, so the preferred coordinator is housing.
        assert_eq!(lead.partner, "housing");
        assert!(
            lead.why.contains("lead_coordinator.social_led[1]"),
            "{}",
            lead.why
        );
    }

    #[test]
    fn without_a_partner_who_can_coordinate_there_is_no_lead() {
        let plan = plan(
            &[
                need("befriending", ReferralUrgency::Routine),
                need("housing_advice", ReferralUrgency::SameDay),
            ],
            &friday("10:00"),
            vec![
                partner("friends", &["befriending"], false, Hours::Always),
                partner("housing", &["housing_advice"], true, Hours::Always),
            ],
        );
        // Nobody can coordinate: no lead, and the assessor stays the contact.
        assert_eq!(plan.lead_coordinator, None);
    }
}
