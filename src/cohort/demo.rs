//! A synthetic store for trying the report (`sicol demo-store`): made-up people assessed over a
//! few months, formulated by the real rules, with choices about their referrals, some revisions
//! and follow-ups. Deterministic: the same rules, seed and options give the same records, byte
//! for byte, because every date comes from the options and never from a clock.
//!
//! Kinds are drawn from the vocabulary, never named here: earlier kinds in each list of
//! `vocabulary.yaml` are drawn more often (its lists open with the common ones), and a second
//! stressor is often a neighbour of the first in the list (related kinds sit together), which
//! gives realistic combinations. Random numbers come from SplitMix64, a ten-line generator whose
//! output is fixed by its definition, so a seed gives the same store on every platform and every
//! future build (a library generator may change its stream between versions).

use chrono::{DateTime, Duration, FixedOffset, NaiveDate, TimeZone, Utc};
use rayon::prelude::*;

use crate::error::Result;
use crate::formulation::Formulation;
use crate::model::{Assessment, Choices, Context, Decision, Factor, Person, Strength, Vocabulary};
use crate::records::{
    to_value, Draft, FollowUp, FollowUpDraft, FollowUpReport, RecordId, RecordStore,
};
use crate::rules::RuleSet;

use super::view::referrals;

/// What to generate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DemoOptions {
    /// How many people to assess.
    pub people: usize,
    /// The random seed.
    pub seed: u64,
    /// The first day of assessments.
    pub start: NaiveDate,
    /// Over how many days assessments are spread.
    pub days: u32,
}

/// One record to write, in chain order.
#[derive(Debug, Clone)]
pub enum DemoStep {
    /// An assessment and the person's choices. Its formulation is made again when it is
    /// written (the rules are deterministic), so a plan of 100,000 records holds no formulations.
    Assessment {
        /// The assessment.
        assessment: Box<Assessment>,
        /// The person's choices.
        choices: Choices,
        /// The earlier step this one revises.
        supersedes: Option<usize>,
        /// When it is saved.
        saved_at: DateTime<Utc>,
    },
    /// A follow-up of an earlier step.
    FollowUp {
        /// The step followed up.
        follows: usize,
        /// What the follow-up found.
        report: FollowUpReport,
        /// When it is saved.
        saved_at: DateTime<Utc>,
    },
}

impl DemoStep {
    fn saved_at(&self) -> DateTime<Utc> {
        match self {
            DemoStep::Assessment { saved_at, .. } | DemoStep::FollowUp { saved_at, .. } => {
                *saved_at
            }
        }
    }
}

/// SplitMix64 (Steele, Lea & Flood, 2014): small, fast and fully specified.
#[derive(Debug, Clone)]
pub struct SplitMix64(u64);

impl SplitMix64 {
    /// A generator started from a seed.
    pub fn new(seed: u64) -> Self {
        SplitMix64(seed)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (0 when `n` is 0), without modulo bias worth mentioning.
    pub fn below(&mut self, n: usize) -> usize {
        ((u128::from(self.next_u64()) * n as u128) >> 64) as usize
    }

    /// True with probability `p`.
    pub fn chance(&mut self, p: f64) -> bool {
        ((self.next_u64() >> 11) as f64 / (1u64 << 53) as f64) < p
    }

    /// An index in `0..weights.len()` drawn in proportion to the weights.
    pub fn weighted(&mut self, weights: &[u32]) -> usize {
        let total: u32 = weights.iter().sum();
        let mut pick = self.below(total as usize) as u32;
        for (index, weight) in weights.iter().enumerate() {
            if pick < *weight {
                return index;
            }
            pick -= weight;
        }
        0
    }

    /// An index in `0..n`, earlier ones more often (weights 1, 1/2, 1/3, …).
    pub fn early(&mut self, n: usize) -> usize {
        let weights: Vec<u32> = (1..=n).map(|rank| (1000 / rank) as u32).collect();
        self.weighted(&weights)
    }
}

/// Why a person might decline a referral, in their words.
const DECLINE_REASONS: [&str; 4] = [
    "already getting help with this elsewhere",
    "wants to sort it out with family first",
    "not ready to talk to anyone about it",
    "had a poor experience with them before",
];

/// Plans the records of a demo store: the assessments, revisions and follow-ups, in the order
/// they are saved.
pub fn plan(rules: &RuleSet, options: DemoOptions) -> Vec<DemoStep> {
    let vocabulary = &rules.vocabulary;
    let mut random = SplitMix64::new(options.seed);
    let mut steps: Vec<DemoStep> = Vec::new();
    let year = options.start.format("%Y");
    for person in 0..options.people {
        let day = options.start + Duration::days(random.below(options.days.max(1) as usize) as i64);
        let hour = 8 + random.below(14) as u32;
        let minute = random.below(60) as u32;
        let assessed_at = FixedOffset::east_opt(0)
            .and_then(|utc| {
                utc.from_local_datetime(&day.and_hms_opt(hour, minute, 0)?)
                    .single()
            })
            .unwrap_or_default();
        let mut assessment = person_assessment(
            &mut random,
            vocabulary,
            format!("D-{year}-{:04}", person + 1),
            assessed_at,
        );
        let saved_at =
            assessed_at.with_timezone(&Utc) + Duration::minutes(20 + random.below(100) as i64);
        let formulation = crate::evaluate(rules, &assessment);
        let choices = choose(&mut random, &formulation);
        let mut current = steps.len();
        let mut current_formulation = formulation.clone();
        let mut current_choices = choices.clone();
        let mut current_saved = saved_at;
        steps.push(DemoStep::Assessment {
            assessment: Box::new(assessment.clone()),
            choices,
            supersedes: None,
            saved_at,
        });
        // One in twenty assessments is revised a day or two later: a severity corrected.
        if random.chance(0.05) && !assessment.stressors.is_empty() {
            let index = random.below(assessment.stressors.len());
            let factor = &mut assessment.stressors[index];
            factor.severity = if factor.severity < 3 {
                factor.severity + 1
            } else {
                2
            };
            let revised = crate::evaluate(rules, &assessment);
            let choices = choose(&mut random, &revised);
            current_saved =
                saved_at + Duration::days(1 + random.below(2) as i64) + Duration::hours(2);
            steps.push(DemoStep::Assessment {
                assessment: Box::new(assessment.clone()),
                choices: choices.clone(),
                supersedes: Some(current),
                saved_at: current_saved,
            });
            current = steps.len() - 1;
            current_formulation = revised;
            current_choices = choices;
        }
        // Two in three people are followed up, one to eight weeks on.
        if random.chance(0.65) {
            let date = day + Duration::days(7 + random.below(50) as i64);
            let report = follow_up(
                &mut random,
                &assessment,
                &current_formulation,
                &current_choices,
                date,
            );
            let saved_at = (date.and_hms_opt(10, 0, 0).unwrap_or_default().and_utc()
                + Duration::minutes(random.below(420) as i64))
            .max(current_saved + Duration::minutes(1));
            steps.push(DemoStep::FollowUp {
                follows: current,
                report,
                saved_at,
            });
        }
    }
    // Records are saved in time order; a stable sort keeps each revision after its original.
    let mut order: Vec<usize> = (0..steps.len()).collect();
    order.sort_by_key(|index| (steps[*index].saved_at(), *index));
    let mut position = vec![0; steps.len()];
    for (new, old) in order.iter().enumerate() {
        position[*old] = new;
    }
    // Steps move into their place (no copies: a plan can be large).
    let mut slots: Vec<Option<DemoStep>> = steps.into_iter().map(Some).collect();
    let mut sorted: Vec<DemoStep> = order
        .iter()
        .filter_map(|index| slots.get_mut(*index).and_then(Option::take))
        .collect();
    for step in &mut sorted {
        match step {
            DemoStep::Assessment {
                supersedes: Some(earlier),
                ..
            } => *earlier = position[*earlier],
            DemoStep::FollowUp { follows, .. } => *follows = position[*follows],
            DemoStep::Assessment { .. } => {}
        }
    }
    sorted
}

/// How many planned records are formulated at a time, on every core, before being saved.
const WRITE_PAGE: usize = 512;

/// Writes planned records into a store, in order; returns the id of each. Formulations are
/// made a page at a time on every core and written as they come, so memory holds one page.
pub fn write(
    store: &mut dyn RecordStore,
    rules: &RuleSet,
    steps: &[DemoStep],
) -> Result<Vec<RecordId>> {
    let mut ids: Vec<RecordId> = Vec::with_capacity(steps.len());
    for page in steps.chunks(WRITE_PAGE) {
        let formulations: Vec<Option<Formulation>> = page
            .par_iter()
            .map(|step| match step {
                DemoStep::Assessment { assessment, .. } => Some(crate::evaluate(rules, assessment)),
                DemoStep::FollowUp { .. } => None,
            })
            .collect();
        for (step, formulation) in page.iter().zip(formulations) {
            let id = write_step(store, rules, step, formulation.as_ref(), &ids)?;
            ids.push(id);
        }
    }
    Ok(ids)
}

/// Writes one planned record; `ids` are those of the steps written before it.
fn write_step(
    store: &mut dyn RecordStore,
    rules: &RuleSet,
    step: &DemoStep,
    formulation: Option<&Formulation>,
    ids: &[RecordId],
) -> Result<RecordId> {
    Ok(match (step, formulation) {
        (
            DemoStep::Assessment {
                assessment,
                choices,
                supersedes,
                saved_at,
            },
            Some(formulation),
        ) => {
            let draft = Draft {
                assessment,
                formulation,
                choices,
                supersedes: supersedes.and_then(|index| ids.get(index).copied()),
                saved_at: *saved_at,
                mha_decision: None,
            };
            store.save(&draft, rules)?.id
        }
        (DemoStep::Assessment { assessment, .. }, None) => {
            let formulation = crate::evaluate(rules, assessment);
            return write_step(store, rules, step, Some(&formulation), ids);
        }
        (
            DemoStep::FollowUp {
                follows,
                report,
                saved_at,
            },
            _,
        ) => {
            let followed = ids.get(*follows).copied().unwrap_or(RecordId(1));
            let record = store.read(followed)?;
            let follow_up = FollowUp::check(
                &record,
                report.clone(),
                &rules.vocabulary,
                &store.locate(followed),
            )?;
            let draft = FollowUpDraft {
                follow_up,
                ruleset: record.ruleset.clone(),
                saved_at: *saved_at,
            };
            store.save_follow_up(&draft)?.id
        }
    })
}

fn person_assessment(
    random: &mut SplitMix64,
    vocabulary: &Vocabulary,
    id: String,
    assessed_at: DateTime<FixedOffset>,
) -> Assessment {
    let living: Vec<&String> = vocabulary.living_situations.keys().collect();
    let sources: Vec<&String> = vocabulary.referral_sources.keys().collect();
    let stressor_kinds: Vec<&String> = vocabulary.stressors.keys().collect();
    let medical_kinds: Vec<&String> = vocabulary.medical.keys().collect();
    let strength_kinds: Vec<&String> = vocabulary.strengths.keys().collect();
    let stressor_count = random.weighted(&[8, 25, 32, 22, 13]);
    let medical_count = random.weighted(&[20, 40, 28, 12]);
    let strength_count = random.weighted(&[25, 35, 25, 15]);
    let factors = |random: &mut SplitMix64, indices: Vec<usize>, kinds: &[&String]| {
        indices
            .into_iter()
            .map(|index| Factor {
                kind: kinds[index].clone(),
                severity: 1 + random.weighted(&[32, 40, 28]) as u8,
                since: None,
                due: None,
                note: None,
                trend: None,
                first_episode: None,
                happening_now: None,
            })
            .collect::<Vec<Factor>>()
    };
    let stressor_indices = pick_kinds(random, stressor_kinds.len(), stressor_count, true);
    let medical_indices = pick_kinds(random, medical_kinds.len(), medical_count, false);
    let strength_indices = pick_kinds(random, strength_kinds.len(), strength_count, false);
    Assessment {
        id,
        assessed_at,
        assessor: Some(format!("AMHP-{}", 1 + random.below(12))),
        capacity: None,
        person: Person {
            age: Some(18 + random.below(70) as u32),
            lives: (!living.is_empty()).then(|| living[random.early(living.len())].clone()),
            dependants: Some(if random.chance(0.3) {
                1 + random.below(3) as u32
            } else {
                0
            }),
            self_care: None,
            gender: None,
        },
        context: Context {
            referral_source: (!sources.is_empty())
                .then(|| sources[random.early(sources.len())].clone()),
            setting: None,
        },
        stressors: factors(random, stressor_indices, &stressor_kinds),
        medical: factors(random, medical_indices, &medical_kinds),
        strengths: strength_indices
            .into_iter()
            .map(|index| Strength {
                kind: strength_kinds[index].clone(),
                note: None,
            })
            .collect(),
        wishes: None,
    }
}

/// Distinct kind indices: the first drawn early-weighted; each further one, when `related`, half
/// the time a neighbour (within three places) of one already drawn.
fn pick_kinds(random: &mut SplitMix64, kinds: usize, count: usize, related: bool) -> Vec<usize> {
    let mut picked: Vec<usize> = Vec::new();
    let count = count.min(kinds);
    let mut attempts = 0;
    while picked.len() < count && attempts < 100 {
        attempts += 1;
        let index = if related && !picked.is_empty() && random.chance(0.5) {
            let anchor = picked[random.below(picked.len())] as i64;
            let offset = 1 + random.below(3) as i64;
            let signed = if random.chance(0.5) { offset } else { -offset };
            (anchor + signed).clamp(0, kinds as i64 - 1) as usize
        } else {
            random.early(kinds)
        };
        if !picked.contains(&index) {
            picked.push(index);
        }
    }
    picked
}

/// The person's choices: most referrals accepted, some declined with a reason, some deferred, a
/// few not yet decided.
fn choose(random: &mut SplitMix64, formulation: &Formulation) -> Choices {
    let mut choices = Choices::default();
    for referral in referrals(&to_value(formulation)) {
        match random.weighted(&[72, 13, 10, 5]) {
            0 => choices.set(&referral.key, Decision::Accepted, None),
            1 => {
                let reason = DECLINE_REASONS[random.below(DECLINE_REASONS.len())];
                choices.set(&referral.key, Decision::Declined, Some(reason.to_owned()));
            }
            2 => choices.set(&referral.key, Decision::Deferred, None),
            _ => {}
        }
    }
    choices
}

/// A plausible follow-up: admission likelier when the crisis was medical-led or urgent; issues
/// resolved likelier when the person accepted help.
fn follow_up(
    random: &mut SplitMix64,
    assessment: &Assessment,
    formulation: &Formulation,
    choices: &Choices,
    date: NaiveDate,
) -> FollowUpReport {
    use crate::model::{Balance, Urgency};
    let mut admission = match formulation.balance {
        Balance::SocialLed => 0.04,
        Balance::Mixed => 0.10,
        Balance::MedicalLed => 0.22,
    };
    admission += match formulation.urgency {
        Urgency::Emergency => 0.25,
        Urgency::VeryHigh => 0.08,
        _ => 0.0,
    };
    let accepted = choices
        .0
        .iter()
        .any(|choice| choice.decision == Decision::Accepted);
    let resolve = if accepted { 0.55 } else { 0.25 };
    let issues_resolved = assessment
        .stressors
        .iter()
        .filter(|factor| factor.severity > 0)
        .filter(|_| random.chance(resolve))
        .map(|factor| factor.kind.clone())
        .collect();
    FollowUpReport {
        admitted: random.chance(admission),
        issues_resolved,
        note: None,
        date,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splitmix_gives_its_published_stream() {
        // The first outputs for seed 0, as in the reference implementation.
        let mut random = SplitMix64::new(0);
        assert_eq!(random.next_u64(), 0xE220_A839_7B1D_CDAF);
        assert_eq!(random.next_u64(), 0x6E78_9E6A_A1B9_65F4);
    }

    #[test]
    fn draws_stay_in_range_and_follow_their_weights() {
        let mut random = SplitMix64::new(7);
        let mut counts = [0usize; 3];
        for _ in 0..3000 {
            counts[random.weighted(&[1, 0, 2])] += 1;
            assert!(random.below(5) < 5);
        }
        assert_eq!(counts[1], 0);
        assert!(counts[2] > counts[0], "{counts:?}");
        let picked = pick_kinds(&mut random, 4, 10, true);
        let mut sorted = picked.clone();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(
            sorted.len(),
            4,
            "distinct and capped at the number of kinds"
        );
    }
}
