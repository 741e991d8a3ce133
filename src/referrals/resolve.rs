//! Referral resolution: turns the categories of help the rules asked for into a short list of
//! named partners, one referral per partner however many needs it covers, with a lead coordinator
//! and every need no partner can meet shown as a gap. This is the one place a partner is chosen.
//!
//! How a partner is chosen for a need (rule sets from 2026.12.1, which declare `partner_choice:`
//! in `ruleset.yaml`):
//! 1. Only partners the person is eligible for (age, gender, living situation and the
//!    situation a category asks for), that the person has not declined, and — for a crisis need
//!    at a risk of `partner_choice.hold_risk.from` or above — that hold the risk (`max_risk`) and
//!    can respond within the triage code's time.
//! 2. In time: for a need wanted today, a partner that can act as soon as asked (now, or today)
//!    before one that cannot, however specific.
//! 3. The most specific: a partner whose limits this person is known to meet before a general
//!    one. A partner whose eligibility cannot be confirmed (a single-gender service for a person
//!    whose gender is not recorded) only when no other partner is eligible.
//! 4. The best fit for the time: open now and able to act the same day, before later today,
//!    before not today.
//! 5. The fewest partners (a greedy set cover), then the more urgent needs, then the partner for
//!    which the needs are its main work, then the partner id. File order never decides.
//!
//! Every referral says why its partner was chosen and, for each other partner serving the same
//! needs, why not. Rule sets before 2026.12.1 keep the choice they were made with (file order
//! breaks ties, no explanations), so that their records replay exactly.
//!
//! Pure: a function of the needs, a few facts about the person and the time of the assessment,
//! the directory and the coordination policy.

use std::collections::BTreeMap;

use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};

use crate::model::{Balance, ReferralUrgency, Urgency};
use crate::referrals::partners::{Admission, Directory, Partner, PersonFacts, Route};

/// One category of help the rules asked for, merged across rules.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Need {
    /// Referral category.
    pub category: String,
    /// The most urgent of the requests.
    pub urgency: ReferralUrgency,
    /// Every reason given, with its rule, in rule order.
    pub reasons: Vec<NeedReason>,
}

/// One rule's reason for a need.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NeedReason {
    /// Why.
    pub why: String,
    /// Which rule.
    pub rule: String,
    /// How soon that rule asked for.
    pub urgency: ReferralUrgency,
}

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
    /// How partners are chosen (rule sets from 2026.12.1); `None` keeps the choice of older rule
    /// sets, so that their records replay as they were made.
    pub choice: Option<ChoiceBasis<'a>>,
    /// Partners the person declined: never chosen again; their needs go to the next eligible
    /// partner or become a gap.
    pub declined: &'a [String],
}

/// What the choice of partner weighs besides eligibility (`partner_choice:` in `ruleset.yaml`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChoiceBasis<'a> {
    /// The case's risk, when a rule found one.
    pub risk: Option<RiskToHold>,
    /// Categories whose partner must hold the risk (`partner_choice.hold_risk.categories`).
    pub hold_categories: &'a [String],
    /// From which risk those categories must hold it (`partner_choice.hold_risk.from`).
    pub hold_from: Urgency,
}

/// A case's risk as the choice of partner reads it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RiskToHold {
    /// The risk level.
    pub level: Urgency,
    /// The most hours the triage scale allows before a response at that level (0: now).
    pub within_hours: u32,
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
    /// Who holds the case until the lead coordinator can be reached, when the lead cannot be
    /// reached within the risk's response time.
    pub holder: Option<CaseHolder>,
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
    /// What the directory says about the partner, for people (how to refer, what to expect).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// How the referral reaches the partner, in words ("only through the helpline, referred
    /// too"); absent for a professional referral, and in rule sets before 2026.12.1.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub route: Option<String>,
    /// Set when this referral is the route to another partner (a refuge reached through the
    /// helpline): that partner's id. Such a referral meets no need of its own.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub routes_to: Option<String>,
    /// Set when the person's eligibility must be confirmed before the referral is made (a
    /// single-gender service, the person's gender not recorded): what to confirm.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub confirm: Option<String>,
    /// Why this partner, each point in words.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub why: Vec<String>,
    /// Each other partner serving these needs, and why it was not chosen.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub not_chosen: Vec<NotChosen>,
}

/// A partner serving a need that was not chosen for it, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NotChosen {
    /// Partner id.
    pub partner: String,
    /// Partner name.
    pub name: String,
    /// The category it was considered for.
    pub category: String,
    /// Why not, in words ("ages 16–25", "closed until Mon 09:00").
    pub why: String,
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

/// Who holds the case until the lead coordinator opens: a partner in the plan that is reachable
/// within the risk's response time, or the assessor.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseHolder {
    /// The partner id, or `None` when the assessor holds the case.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub partner: Option<String>,
    /// Who, in words.
    pub name: String,
    /// Until when (the lead's next opening), in words.
    pub until: String,
    /// Why, in words.
    pub why: String,
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
    /// The person declined every partner that could meet the need.
    Declined,
    /// No eligible partner can hold the risk and respond within the triage code's time.
    NoPartnerHoldsRisk,
}

impl GapKind {
    /// Whether the need is left without any referral (as opposed to referred less well).
    pub fn unmet(self) -> bool {
        matches!(
            self,
            GapKind::NoPartner | GapKind::NoEligiblePartner | GapKind::Declined
        )
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

/// Why-not of a partner that was as good a choice as the one chosen: only the partner id
/// decided (`rules check` warns when a generated case shows one).
pub const TIE_BROKEN_BY_ID: &str = "an equal choice; the partner id breaks the tie";

/// How well a partner fits one need for the time; lower is better.
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

/// How a candidate ranks for one need; lower is better. In older rule sets only `fit` counts.
/// `late` puts a partner that can act as soon as the need asks (now for an immediate need,
/// today for a same-day one) before a more specific one that cannot: a same-day need met on
/// Monday is not met.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct Rank {
    /// Whether choosing it would leave a gap in time (`false` sorts first).
    late: bool,
    /// Eligibility still to be confirmed ranks after every confirmed partner.
    confirm: bool,
    /// A partner whose `max_risk` is below the case's risk ranks after those that can hold it:
    /// offered alongside, never instead.
    below_risk: bool,
    /// More of the person's known facts matched ranks first.
    specificity: std::cmp::Reverse<usize>,
    /// Then fewer limits that could not be checked (a fact not recorded).
    unknown: usize,
    /// Then the fit for the time.
    fit: Fit,
}

/// One partner considered for one need.
struct Considered {
    partner: usize,
    /// `Ok(rank)` when it can take the need, else why not.
    outcome: Result<Rank, String>,
    /// What to confirm, when eligibility is not certain.
    confirm: Option<String>,
}

/// Resolves needs into a referral plan.
pub fn resolve(
    needs: &[Need],
    situation: &Situation<'_>,
    directory: &Directory,
    policy: &LeadPolicy,
) -> ReferralPlan {
    let partners = directory.partners();
    let explain = situation.choice.is_some();
    let mut gaps = Vec::new();
    // For each need, every partner considered, and those acceptable (all of the best rank).
    let mut considered: Vec<Vec<Considered>> = Vec::with_capacity(needs.len());
    let mut acceptable: Vec<Option<Vec<usize>>> = Vec::with_capacity(needs.len());
    for need in needs {
        let serving = directory.serving(&need.category);
        let mut candidates: Vec<Considered> = serving
            .iter()
            .map(|&index| consider(index, &partners[index], need, situation))
            .collect();
        if explain {
            // Why-nots and gap messages list partners by id, so that file order shows nowhere.
            candidates.sort_by(|a, b| partners[a.partner].id.cmp(&partners[b.partner].id));
        }
        let best = candidates
            .iter()
            .filter_map(|candidate| candidate.outcome.as_ref().ok())
            .min()
            .copied();
        let Some(best) = best else {
            gaps.push(unmet_gap(need, &candidates, partners, situation));
            acceptable.push(None);
            considered.push(candidates);
            continue;
        };
        acceptable.push(Some(
            candidates
                .iter()
                .filter(|candidate| candidate.outcome.as_ref().ok() == Some(&best))
                .map(|candidate| candidate.partner)
                .collect(),
        ));
        if let Some(kind) = shortfall(need.urgency, best.fit) {
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
        considered.push(candidates);
    }

    let chosen = cover(
        needs,
        &acceptable,
        partners,
        explain.then_some(situation.at),
    );
    let mut referrals: Vec<(usize, usize, Referral)> = Vec::with_capacity(chosen.len());
    for (partner_index, need_indices) in &chosen {
        let partner = &partners[*partner_index];
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
        let (why, not_chosen, confirm) = if explain {
            explain_choice(
                *partner_index,
                need_indices,
                needs,
                &considered,
                directory,
                situation,
            )
        } else {
            (Vec::new(), Vec::new(), None)
        };
        let first_need = need_indices.iter().copied().min().unwrap_or(0);
        referrals.push((
            first_need,
            *partner_index,
            Referral {
                partner: partner.id.clone(),
                name: partner.name.clone(),
                categories: covered.iter().map(|need| need.category.clone()).collect(),
                urgency,
                reasons,
                contact: partner.contact.clone(),
                same_day: partner.same_day,
                hours: directory.hours_described(*partner_index).to_owned(),
                open_at_assessment: partner.hours.is_open(situation.at),
                note: partner.eligibility.note.clone(),
                route: None,
                routes_to: None,
                confirm,
                why,
                not_chosen,
            },
        ));
    }
    if explain {
        add_routes(&mut referrals, directory, situation);
    }
    // Needs arrive most urgent first, so ordering by urgency and then by the first need covered
    // keeps the rules' order within one urgency.
    referrals.sort_by_key(|(first_need, _, referral)| (referral.urgency, *first_need));
    // Only a partner whose eligibility is certain may lead: a referral still to be confirmed
    // may not happen at all.
    let can_coordinate: Vec<bool> = referrals
        .iter()
        .map(|(_, partner_index, referral)| {
            partners[*partner_index].can_coordinate && referral.confirm.is_none()
        })
        .collect();
    let referral_partners: Vec<usize> = referrals.iter().map(|(_, index, _)| *index).collect();
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
    let holder = situation.choice.as_ref().and_then(|choice| {
        case_holder(
            lead_coordinator.as_ref(),
            &referrals,
            &referral_partners,
            directory,
            choice,
            situation,
        )
    });
    ReferralPlan {
        referrals,
        lead_coordinator,
        gaps,
        holder,
    }
}

/// Weighs one partner for one need: whether it can take it and, if so, how well it ranks.
fn consider(index: usize, partner: &Partner, need: &Need, situation: &Situation<'_>) -> Considered {
    let not = |why: String| Considered {
        partner: index,
        outcome: Err(why),
        confirm: None,
    };
    if situation.declined.contains(&partner.id) {
        return not("declined by the person".to_owned());
    }
    let fit = fit(partner, need.urgency, situation.at);
    let Some(choice) = &situation.choice else {
        // Older rule sets: age and living situation only, ranked by the fit for the time.
        return match partner.eligibility.legacy_excludes(&situation.person) {
            Some(why) => not(why),
            None => Considered {
                partner: index,
                outcome: Ok(Rank {
                    late: false,
                    confirm: false,
                    below_risk: false,
                    specificity: std::cmp::Reverse(0),
                    unknown: 0,
                    fit,
                }),
                confirm: None,
            },
        };
    };
    // The matched limits in words are needed only for the partner chosen (`explain_choice`
    // asks again), so they are not written here for every partner of every need.
    let (specificity, unknown, confirm) =
        match partner
            .eligibility
            .admission_in_words(&situation.person, &need.category, false)
        {
            Admission::Excluded(why) => return not(why),
            Admission::Confirm { what } => (0, 0, Some(what)),
            Admission::Eligible {
                specificity,
                unknown,
                ..
            } => (specificity, unknown, None),
        };
    if partner.urgent_only && need.urgency > ReferralUrgency::SameDay {
        return not("takes only referrals needed today".to_owned());
    }
    if let Some(why) = cannot_hold(partner, need, choice, situation.at) {
        return not(why);
    }
    let below_risk = choice
        .risk
        .is_some_and(|risk| partner.max_risk.is_some_and(|max| max < risk.level));
    Considered {
        partner: index,
        outcome: Ok(Rank {
            late: shortfall(need.urgency, fit).is_some(),
            confirm: confirm.is_some(),
            below_risk,
            specificity: std::cmp::Reverse(specificity),
            unknown,
            fit,
        }),
        confirm,
    }
}

/// Why a partner cannot take a crisis need at this risk, or `None` when it can (or the need
/// does not ask it to hold the risk). A partner that cannot may be offered alongside, never
/// instead.
fn cannot_hold(
    partner: &Partner,
    need: &Need,
    choice: &ChoiceBasis<'_>,
    at: NaiveDateTime,
) -> Option<String> {
    let risk = choice.risk?;
    if risk.level < choice.hold_from || !choice.hold_categories.contains(&need.category) {
        return None;
    }
    let code = risk.level.triage_code();
    if let Some(max) = partner.max_risk.filter(|max| *max < risk.level) {
        return Some(format!(
            "holds risk up to {}; this case is {code}",
            max.triage_code()
        ));
    }
    let Some(hours) = partner.responds_within_hours else {
        return Some(format!(
            "the directory does not say how soon it responds; this case is {code}, within {} hours",
            risk.within_hours
        ));
    };
    let Some(opens) = partner.hours.next_open(at) else {
        return Some("never open".to_owned());
    };
    let waiting = (opens - at).num_minutes().max(0);
    let response = waiting + i64::from(hours) * 60;
    if response > i64::from(risk.within_hours) * 60 {
        let when = if waiting > 0 {
            format!(
                "{}, then responds within {hours} hours",
                closed_until(opens)
            )
        } else {
            format!("responds within {hours} hours")
        };
        return Some(format!(
            "{when}; this case is {code}, within {} hours",
            risk.within_hours
        ));
    }
    None
}

/// "closed until Mon 09:00".
fn closed_until(opens: NaiveDateTime) -> String {
    format!("closed until {}", opens.format("%a %H:%M"))
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

/// Why this partner and, for every other partner that serves the needs it covers, why not.
fn explain_choice(
    partner_index: usize,
    need_indices: &[usize],
    needs: &[Need],
    considered: &[Vec<Considered>],
    directory: &Directory,
    situation: &Situation<'_>,
) -> (Vec<String>, Vec<NotChosen>, Option<String>) {
    let partners = directory.partners();
    let partner = &partners[partner_index];
    let mut why = Vec::new();
    let mut not_chosen = Vec::new();
    let mut confirm = None;
    for &need_index in need_indices {
        let need = &needs[need_index];
        let Some(own) = considered[need_index]
            .iter()
            .find(|candidate| candidate.partner == partner_index)
        else {
            continue;
        };
        let matched = match partner
            .eligibility
            .admission(&situation.person, &need.category)
        {
            Admission::Eligible { matched, .. } => matched,
            _ => Vec::new(),
        };
        if matched.is_empty() {
            why.push(format!("{}: open to anyone", need.category));
        } else {
            why.push(format!(
                "{}: eligible ({})",
                need.category,
                matched.join("; ")
            ));
        }
        if own.confirm.is_some() {
            confirm.clone_from(&own.confirm);
        }
        for other in &considered[need_index] {
            if other.partner == partner_index {
                continue;
            }
            let other_partner = &partners[other.partner];
            let reason = match (&other.outcome, &own.outcome) {
                (Err(why), _) => why.clone(),
                (Ok(theirs), Ok(ours)) if theirs.late && !ours.late => format!(
                    "needed {}: {}",
                    need.urgency.plain(),
                    time_reason(other_partner, need.urgency, situation.at)
                ),
                (Ok(theirs), Ok(ours)) if theirs.confirm && !ours.confirm => format!(
                    "eligibility not certain ({})",
                    other.confirm.as_deref().unwrap_or("to be confirmed")
                ),
                (Ok(theirs), Ok(ours)) if theirs.below_risk && !ours.below_risk => {
                    let level = situation
                        .choice
                        .as_ref()
                        .and_then(|choice| choice.risk)
                        .map_or('?', |risk| risk.level.triage_code());
                    format!(
                        "holds risk up to {}; this case is {level}",
                        other_partner.max_risk.map_or('?', |max| max.triage_code())
                    )
                }
                (Ok(theirs), Ok(ours)) if theirs.specificity > ours.specificity => {
                    "less specific to this person".to_owned()
                }
                (Ok(theirs), Ok(ours))
                    if theirs.specificity == ours.specificity && theirs.unknown > ours.unknown =>
                {
                    "its limits need facts not recorded (age or living situation)".to_owned()
                }
                (Ok(theirs), Ok(ours)) if theirs.fit > ours.fit => {
                    time_reason(other_partner, need.urgency, situation.at)
                }
                _ if need_indices.len() > 1 => format!(
                    "{} covers this with other needs, so fewer partners",
                    partner.name
                ),
                _ => {
                    let main = |p: &Partner| p.categories.iter().position(|c| *c == need.category);
                    let (ours, theirs) = (
                        availability(partner, situation.at),
                        availability(other_partner, situation.at),
                    );
                    if main(partner) < main(other_partner) {
                        format!("{} is more of {}'s main work", need.category, partner.name)
                    } else if ours.0 && !theirs.0 {
                        "cannot act the same day".to_owned()
                    } else if ours.1 && !theirs.1 {
                        "closed at the time of the assessment".to_owned()
                    } else if ours.2 > theirs.2 {
                        format!("open fewer hours a week than {}", partner.name)
                    } else {
                        TIE_BROKEN_BY_ID.to_owned()
                    }
                }
            };
            not_chosen.push(NotChosen {
                partner: other_partner.id.clone(),
                name: other_partner.name.clone(),
                category: need.category.clone(),
                why: reason,
            });
        }
    }
    if need_indices
        .iter()
        .any(|&need| needs[need].urgency <= ReferralUrgency::SameDay)
    {
        why.push(
            match (partner.same_day, partner.hours.next_open(situation.at)) {
                (true, Some(opens)) if opens == situation.at => {
                    "open now and acts the same day".to_owned()
                }
                (true, Some(opens)) => format!("acts the same day; {}", closed_until(opens)),
                (false, _) => "cannot act the same day, and no eligible partner can".to_owned(),
                (true, None) => "acts the same day".to_owned(),
            },
        );
    }
    if let Some(choice) = &situation.choice {
        if let Some(risk) = choice.risk.filter(|risk| risk.level >= choice.hold_from) {
            let holds = need_indices
                .iter()
                .any(|&need| choice.hold_categories.contains(&needs[need].category));
            if holds {
                why.push(format!(
                    "holds a risk of {} and responds within {} hours",
                    risk.level.triage_code(),
                    partner.responds_within_hours.unwrap_or(0)
                ));
            }
        }
    }
    if need_indices.len() > 1 {
        why.push(format!("one partner for {} needs", need_indices.len()));
    }
    (why, not_chosen, confirm)
}

/// Why a partner fits the time worse: closed, or not able to act the same day.
fn time_reason(partner: &Partner, urgency: ReferralUrgency, at: NaiveDateTime) -> String {
    if !partner.same_day {
        return "cannot act the same day".to_owned();
    }
    match partner.hours.next_open(at) {
        Some(opens) if opens > at && urgency <= ReferralUrgency::SameDay => closed_until(opens),
        _ => "fits the time less well".to_owned(),
    }
}

/// Partners reached only through another: the route goes into the referral, and the partner
/// it goes through is referred too when the plan does not already include one of them.
fn add_routes(
    referrals: &mut Vec<(usize, usize, Referral)>,
    directory: &Directory,
    situation: &Situation<'_>,
) {
    let partners = directory.partners();
    let mut added: Vec<(usize, usize, Referral)> = Vec::new();
    for (first_need, partner_index, referral) in referrals.iter_mut() {
        let partner = &partners[*partner_index];
        match &partner.route {
            Route::Professional => {}
            Route::SelfReferral => referral.route = Some(partner.route.describe(directory)),
            Route::Via(via) => {
                let in_plan = |id: &String, list: &[(usize, usize, Referral)]| {
                    list.iter().any(|(_, _, other)| other.partner == *id)
                };
                let already = via.iter().find(|id| in_plan(id, &added));
                let through = already.cloned().or_else(|| {
                    via.iter()
                        .find(|id| {
                            directory.get(id).is_some_and(|through| {
                                !situation.declined.contains(id)
                                    && through.categories.iter().any(|category| {
                                        through.eligibility.admits(&situation.person, category)
                                    })
                            })
                        })
                        .cloned()
                });
                referral.route = Some(match &through {
                    Some(id) => format!(
                        "{}; the referral goes through {}",
                        partner.route.describe(directory),
                        directory.get(id).map_or(id.as_str(), |p| p.name.as_str())
                    ),
                    None => format!(
                        "{}, and none of them can take this person: the assessor should arrange the route",
                        partner.route.describe(directory)
                    ),
                });
                let Some(id) = through else { continue };
                if already.is_some() {
                    continue;
                }
                let Some(through_index) = partners.iter().position(|p| p.id == id) else {
                    continue;
                };
                added.push((
                    *first_need,
                    through_index,
                    route_referral(through_index, partner, referral, directory, situation),
                ));
            }
        }
    }
    for entry in added {
        // The plan may already refer to that partner for a need of its own: then the route
        // reason joins that referral instead of making a second one.
        match referrals
            .iter_mut()
            .find(|(_, _, existing)| existing.partner == entry.2.partner)
        {
            Some((_, _, existing)) => existing.reasons.extend(entry.2.reasons),
            None => referrals.push(entry),
        }
    }
}

/// The referral to the partner a route goes through.
fn route_referral(
    through_index: usize,
    routed: &Partner,
    routed_referral: &Referral,
    directory: &Directory,
    situation: &Situation<'_>,
) -> Referral {
    let through = &directory.partners()[through_index];
    let category = through
        .categories
        .iter()
        .find(|category| routed_referral.categories.contains(category))
        .or_else(|| through.categories.first())
        .cloned()
        .unwrap_or_default();
    Referral {
        partner: through.id.clone(),
        name: through.name.clone(),
        categories: vec![category.clone()],
        urgency: routed_referral.urgency,
        reasons: vec![ReferralReason {
            category,
            why: format!(
                "the way to {}, which takes referrals only through {}",
                routed.name, through.name
            ),
            rule: format!("partners.{}.route", routed.id),
            urgency: routed_referral.urgency,
        }],
        contact: through.contact.clone(),
        same_day: through.same_day,
        hours: directory.hours_described(through_index).to_owned(),
        open_at_assessment: through.hours.is_open(situation.at),
        note: through.eligibility.note.clone(),
        route: None,
        routes_to: Some(routed.id.clone()),
        confirm: None,
        why: vec![format!("the route to {}", routed.name)],
        not_chosen: Vec::new(),
    }
}

/// When the lead cannot be reached within the risk's response time, who holds the case until it
/// opens: the first partner in the plan serving a category that holds the risk and reachable in
/// time, else the assessor.
fn case_holder(
    lead: Option<&LeadCoordinator>,
    referrals: &[Referral],
    referral_partners: &[usize],
    directory: &Directory,
    choice: &ChoiceBasis<'_>,
    situation: &Situation<'_>,
) -> Option<CaseHolder> {
    let lead = lead?;
    let risk = choice.risk?;
    let partners = directory.partners();
    let window = chrono::Duration::hours(i64::from(risk.within_hours));
    let reachable = |index: usize| {
        partners[index]
            .hours
            .next_open(situation.at)
            .is_some_and(|opens| opens - situation.at <= window)
    };
    let lead_index = referrals
        .iter()
        .position(|referral| referral.partner == lead.partner)
        .map(|position| referral_partners[position])?;
    if reachable(lead_index) {
        return None;
    }
    let until = partners[lead_index]
        .hours
        .next_open(situation.at)
        .map_or_else(
            || "it opens".to_owned(),
            |opens| opens.format("%a %d %b %H:%M").to_string(),
        );
    let why = format!(
        "{} leads but is closed until {until}; a risk of {} needs a response within {} hours",
        lead.name,
        risk.level.triage_code(),
        risk.within_hours
    );
    let holder = referrals
        .iter()
        .zip(referral_partners)
        .find(|(referral, index)| {
            referral
                .categories
                .iter()
                .any(|category| choice.hold_categories.contains(category))
                && reachable(**index)
        })
        .map(|(referral, _)| referral);
    Some(match holder {
        Some(referral) => CaseHolder {
            partner: Some(referral.partner.clone()),
            name: referral.name.clone(),
            until,
            why,
        },
        None => CaseHolder {
            partner: None,
            name: "the assessor".to_owned(),
            until,
            why,
        },
    })
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
        _ => String::new(),
    }
}

fn unmet_gap(
    need: &Need,
    candidates: &[Considered],
    partners: &[Partner],
    situation: &Situation<'_>,
) -> Gap {
    let category = &need.category;
    let why: Vec<String> = candidates
        .iter()
        .filter_map(|candidate| {
            candidate
                .outcome
                .as_ref()
                .err()
                .map(|why| format!("{} {why}", partners[candidate.partner].id))
        })
        .collect();
    let all_declined = !candidates.is_empty()
        && candidates
            .iter()
            .all(|candidate| situation.declined.contains(&partners[candidate.partner].id));
    let holds_risk = situation.choice.as_ref().is_some_and(|choice| {
        choice
            .risk
            .is_some_and(|risk| risk.level >= choice.hold_from)
            && choice.hold_categories.contains(category)
    });
    let (kind, message) = if candidates.is_empty() {
        (
            GapKind::NoPartner,
            format!("no partner in partners.yaml serves {category}; the assessor should find one and the service lead should add it"),
        )
    } else if all_declined {
        (
            GapKind::Declined,
            format!(
                "the person declined every partner for {category} ({}); the assessor should talk through another way to meet this need",
                why.join("; ")
            ),
        )
    } else if holds_risk
        && candidates.iter().any(|candidate| {
            partners[candidate.partner]
                .eligibility
                .admits(&situation.person, category)
        })
    {
        (
            GapKind::NoPartnerHoldsRisk,
            format!(
                "no eligible partner for {category} can hold this risk in time ({}); the assessor should stay with the person or call emergency services",
                why.join("; ")
            ),
        )
    } else {
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
/// needs are its main work (categories listed earlier in its entry), then to the partner id (in
/// older rule sets, to the partner listed first in the directory). Returns each chosen partner
/// with the needs it covers, in the order chosen; needs must be sorted most urgent first.
fn cover(
    needs: &[Need],
    acceptable: &[Option<Vec<usize>>],
    partners: &[Partner],
    by_availability_then_id: Option<NaiveDateTime>,
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
                        .then_with(|| match by_availability_then_id {
                            Some(at) => availability(&partners[best_index], at)
                                .cmp(&availability(&partners[index], at))
                                .then_with(|| partners[index].id.cmp(&partners[best_index].id)),
                            None => index.cmp(&best_index),
                        })
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

/// How available a partner is, higher is better: able to act the same day, open at the time of
/// the assessment, then open more hours in the week. Decides between partners equal on
/// everything else before the partner id does.
fn availability(partner: &Partner, at: NaiveDateTime) -> (bool, bool, i64) {
    (
        partner.same_day,
        partner.hours.is_open(at),
        partner.hours.minutes_a_week(),
    )
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
            max_risk: None,
            responds_within_hours: None,
            route: Route::Professional,
            urgent_only: false,
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
                ..PersonFacts::default()
            },
            at: NaiveDateTime::parse_from_str(&format!("2026-11-20 {time}"), "%Y-%m-%d %H:%M")
                .expect("valid"),
            balance: Balance::SocialLed,
            clinical: None,
            lead_without_coordinator: false,
            choice: None,
            declined: &[],
        }
    }

    const CRISIS: &[String] = &[];

    /// [`friday`] with the choice of rule sets from 2026.12.1, at a risk `level` that crisis
    /// partners must hold within `within_hours`.
    fn chosen_friday(
        time: &str,
        risk: Option<(Urgency, u32)>,
        hold: &'static [String],
    ) -> Situation<'static> {
        Situation {
            choice: Some(ChoiceBasis {
                risk: risk.map(|(level, within_hours)| RiskToHold {
                    level,
                    within_hours,
                }),
                hold_categories: hold,
                hold_from: Urgency::High,
            }),
            ..friday(time)
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

    fn crisis_categories() -> &'static [String] {
        static CATEGORIES: std::sync::OnceLock<Vec<String>> = std::sync::OnceLock::new();
        CATEGORIES.get_or_init(|| vec!["crisis_team".to_owned()])
    }

    #[test]
    fn the_most_specific_eligible_partner_wins_and_says_why_not_the_others() {
        let mut youth = partner("youth-foyer", &["housing_advice"], true, Hours::Always);
        youth.eligibility.min_age = Some(16);
        youth.eligibility.max_age = Some(25);
        let general = partner("council", &["housing_advice"], true, Hours::Always);
        let mut refuge = partner("refuge", &["housing_advice"], true, Hours::Always);
        refuge.eligibility.gender = vec![crate::model::Gender::Woman];
        let mut situation = chosen_friday("10:00", None, CRISIS);
        situation.person.age = Some(19);
        situation.person.gender = Some(crate::model::Gender::Man);
        let plan = plan(
            &[need("housing_advice", ReferralUrgency::SameDay)],
            &situation,
            vec![general, refuge, youth],
        );
        assert_eq!(ids(&plan), ["youth-foyer"]);
        let referral = &plan.referrals[0];
        assert!(
            referral.why[0].contains("ages 16–25: 19"),
            "{:?}",
            referral.why
        );
        let why_not: Vec<(&str, &str)> = referral
            .not_chosen
            .iter()
            .map(|other| (other.partner.as_str(), other.why.as_str()))
            .collect();
        assert_eq!(
            why_not,
            [
                ("council", "less specific to this person"),
                ("refuge", "women only")
            ]
        );
    }

    #[test]
    fn file_order_never_decides() {
        let make = || {
            let mut a = partner("b-advice", &["debt_advice"], true, Hours::Always);
            a.can_coordinate = true;
            let mut b = partner("a-advice", &["debt_advice"], true, Hours::Always);
            b.can_coordinate = true;
            vec![a, b]
        };
        let situation = chosen_friday("10:00", None, CRISIS);
        let needs = [need("debt_advice", ReferralUrgency::WithinThreeDays)];
        let forward = plan(&needs, &situation, make());
        let mut reversed_partners = make();
        reversed_partners.reverse();
        let reversed = plan(&needs, &situation, reversed_partners);
        assert_eq!(forward, reversed);
        assert_eq!(ids(&forward), ["a-advice"]);
        assert_eq!(
            forward.referrals[0].not_chosen[0].why,
            "an equal choice; the partner id breaks the tie"
        );
    }

    #[test]
    fn a_crisis_need_at_high_risk_goes_only_to_a_partner_that_holds_it_in_time() {
        let mut cafe = partner("cafe", &["crisis_team"], true, Hours::Always);
        cafe.max_risk = Some(Urgency::Moderate);
        cafe.responds_within_hours = Some(1);
        let mut slow = partner(
            "day-team",
            &["crisis_team"],
            true,
            weekdays("09:00", "17:00"),
        );
        slow.responds_within_hours = Some(2);
        let mut team = partner("crisis-team", &["crisis_team"], true, Hours::Always);
        team.responds_within_hours = Some(4);
        team.eligibility.min_age = Some(18);
        let situation = chosen_friday("22:00", Some((Urgency::VeryHigh, 4)), crisis_categories());
        let plan = plan(
            &[need("crisis_team", ReferralUrgency::Immediate)],
            &situation,
            vec![cafe, slow, team],
        );
        assert_eq!(ids(&plan), ["crisis-team"]);
        let why_not: Vec<&str> = plan.referrals[0]
            .not_chosen
            .iter()
            .map(|other| other.why.as_str())
            .collect();
        assert_eq!(
            why_not,
            [
                "holds risk up to D; this case is B",
                "closed until Mon 09:00, then responds within 2 hours; this case is B, within 4 hours"
            ]
        );
        assert!(plan.gaps.is_empty());
    }

    #[test]
    fn with_no_partner_able_to_hold_the_risk_the_need_is_a_named_gap() {
        let mut cafe = partner("cafe", &["crisis_team"], true, Hours::Always);
        cafe.max_risk = Some(Urgency::Moderate);
        let situation = chosen_friday("22:00", Some((Urgency::VeryHigh, 4)), crisis_categories());
        let plan = plan(
            &[need("crisis_team", ReferralUrgency::Immediate)],
            &situation,
            vec![cafe],
        );
        assert!(plan.referrals.is_empty());
        assert_eq!(plan.gaps[0].kind, GapKind::NoPartnerHoldsRisk);
        assert!(plan.gaps[0].message.contains("cafe holds risk up to D"));
    }

    #[test]
    fn a_partner_reached_only_through_another_brings_that_partner_into_the_plan() {
        let mut refuge = partner("refuge", &["housing_advice"], true, Hours::Always);
        refuge.route = Route::Via(vec!["helpline".to_owned()]);
        let helpline = partner("helpline", &["domestic_abuse_service"], true, Hours::Always);
        let plan = plan(
            &[need("housing_advice", ReferralUrgency::SameDay)],
            &chosen_friday("10:00", None, CRISIS),
            vec![refuge, helpline],
        );
        assert_eq!(ids(&plan), ["refuge", "helpline"]);
        assert_eq!(
            plan.referrals[0].route.as_deref(),
            Some("only through helpline service; the referral goes through helpline service")
        );
        assert_eq!(plan.referrals[1].reasons[0].rule, "partners.refuge.route");
    }

    #[test]
    fn a_declined_partner_passes_its_need_to_the_next_or_leaves_a_gap() {
        let declined = ["council".to_owned()];
        let situation = Situation {
            declined: &declined,
            ..chosen_friday("10:00", None, CRISIS)
        };
        let partners = || {
            vec![
                partner("council", &["housing_advice"], true, Hours::Always),
                partner("charity", &["housing_advice"], true, Hours::Always),
            ]
        };
        let needs = [need("housing_advice", ReferralUrgency::SameDay)];
        let rerouted = plan(&needs, &situation, partners());
        assert_eq!(ids(&rerouted), ["charity"]);
        let alone = plan(&needs, &situation, partners()[..1].to_vec());
        assert!(alone.referrals.is_empty());
        assert_eq!(alone.gaps[0].kind, GapKind::Declined);
        assert!(alone.gaps[0].kind.unmet());
    }

    #[test]
    fn a_lead_closed_beyond_the_risks_response_time_names_who_holds_the_case() {
        let mut housing = partner(
            "housing",
            &["housing_advice"],
            true,
            weekdays("09:00", "17:00"),
        );
        housing.can_coordinate = true;
        let mut team = partner("crisis-team", &["crisis_team"], true, Hours::Always);
        team.responds_within_hours = Some(4);
        let policy = LeadPolicy(BTreeMap::from([(
            Balance::SocialLed,
            vec!["housing_advice".to_owned()],
        )]));
        let plan = resolve(
            &[
                need("crisis_team", ReferralUrgency::Immediate),
                need("housing_advice", ReferralUrgency::SameDay),
            ],
            &chosen_friday("21:00", Some((Urgency::High, 24)), crisis_categories()),
            &Directory::new(vec![housing, team]),
            &policy,
        );
        assert_eq!(
            plan.lead_coordinator
                .as_ref()
                .map(|lead| lead.partner.as_str()),
            Some("housing")
        );
        // Friday 21:00 to Monday 09:00 is beyond 24 hours: the crisis team holds the case.
        let holder = plan.holder.expect("a holder");
        assert_eq!(holder.partner.as_deref(), Some("crisis-team"));
        assert_eq!(holder.until, "Mon 23 Nov 09:00");
    }
}
