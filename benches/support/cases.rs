//! Assessments for the benchmarks, made from the rule set's vocabulary (never a list of kinds in
//! Rust): one case recording every kind, and any number of varied cases from a fixed seed so
//! that every run measures the same work.

use chrono::{DateTime, Duration, FixedOffset};

use sicol::model::{Context, Factor, Person, Section, SelfCare, Strength, Trend};
use sicol::{Assessment, Vocabulary};

fn assessed_at() -> DateTime<FixedOffset> {
    DateTime::parse_from_rfc3339("2026-11-20T14:30:00Z").expect("fixed date")
}

/// Every stressor, medical factor and strength in the vocabulary, with severities cycling
/// 3, 2, 1 and due and since dates on some, so that most branches of most rules run.
pub fn every_kind(vocabulary: &Vocabulary) -> Assessment {
    let at = assessed_at();
    let on = at.date_naive();
    let factors = |section: Section| -> Vec<Factor> {
        vocabulary
            .kinds(section)
            .keys()
            .enumerate()
            .map(|(index, kind)| Factor {
                kind: kind.clone(),
                severity: 3 - (index % 3) as u8,
                since: (index % 2 == 0).then(|| on - Duration::days(30 + 100 * index as i64)),
                due: (index % 3 == 0).then(|| on + Duration::days(index as i64)),
                note: None,
                trend: (section == Section::Medical).then_some(Trend::Rising),
                first_episode: None,
                happening_now: None,
            })
            .collect()
    };
    Assessment {
        id: "BENCH-EVERY-KIND".to_owned(),
        assessed_at: at,
        assessor: None,
        person: Person {
            age: Some(70),
            lives: vocabulary.living_situations.keys().next().cloned(),
            dependants: Some(2),
            self_care: Some(SelfCare::NeedsHelp),
            gender: None,
        },
        context: Context {
            referral_source: vocabulary.referral_sources.keys().next().cloned(),
            setting: None,
        },
        stressors: factors(Section::Stressors),
        medical: factors(Section::Medical),
        strengths: vocabulary
            .kinds(Section::Strengths)
            .keys()
            .map(|kind| Strength {
                kind: kind.clone(),
                note: None,
            })
            .collect(),
        capacity: None,
        wishes: None,
    }
}

/// A small deterministic random number generator (xorshift64*), so the benchmarks need no
/// randomness crate and every run generates the same cases.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, bound: u64) -> u64 {
        self.next() % bound.max(1)
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
}

/// `count` varied, valid assessments: each kind recorded with some probability, severities
/// 0 to 3, dates around the assessment, and a random age, home, dependants and referral source.
pub fn generated(vocabulary: &Vocabulary, count: usize, seed: u64) -> Vec<Assessment> {
    let mut rng = Rng(seed | 1);
    let at = assessed_at();
    let lives: Vec<&String> = vocabulary.living_situations.keys().collect();
    let sources: Vec<&String> = vocabulary.referral_sources.keys().collect();
    (0..count)
        .map(|index| {
            let on = at.date_naive() + Duration::days(rng.below(700) as i64);
            let assessed = at + Duration::days((on - at.date_naive()).num_days());
            let mut factors = |section: Section, percent: u64| -> Vec<Factor> {
                let mut list = Vec::new();
                for kind in vocabulary.kinds(section).keys() {
                    if !rng.chance(percent) {
                        continue;
                    }
                    let since = rng
                        .chance(40)
                        .then(|| on - Duration::days(rng.below(700) as i64));
                    let due = rng.chance(30).then(|| {
                        let earliest = since.unwrap_or(on - Duration::days(20));
                        earliest.max(on - Duration::days(20)) + Duration::days(rng.below(90) as i64)
                    });
                    list.push(Factor {
                        kind: kind.clone(),
                        severity: rng.below(4) as u8,
                        since,
                        due,
                        note: None,
                        trend: None,
                        first_episode: None,
                        happening_now: None,
                    });
                }
                list
            };
            let stressors = factors(Section::Stressors, 22);
            let medical = factors(Section::Medical, 15);
            let strengths = vocabulary
                .kinds(Section::Strengths)
                .keys()
                .filter(|_| rng.chance(25))
                .map(|kind| Strength {
                    kind: kind.clone(),
                    note: None,
                })
                .collect();
            Assessment {
                id: format!("BENCH-{index:05}"),
                assessed_at: assessed,
                assessor: None,
                person: Person {
                    age: rng.chance(90).then(|| 16 + rng.below(80) as u32),
                    lives: rng
                        .chance(90)
                        .then(|| lives[rng.below(lives.len() as u64) as usize].clone()),
                    dependants: Some(rng.below(4) as u32),
                    self_care: None,
                    gender: None,
                },
                context: Context {
                    referral_source: rng
                        .chance(90)
                        .then(|| sources[rng.below(sources.len() as u64) as usize].clone()),
                    setting: None,
                },
                stressors,
                medical,
                strengths,
                capacity: None,
                wishes: None,
            }
        })
        .collect()
}
