//! The partner directory, `rules/partners.yaml`: the local services a formulation can refer to,
//! with the categories they serve, how to reach them, when they are open, whether they can act the
//! same day, who they serve and whether they can coordinate a case.
//!
//! Parsing happens in two steps, like an assessment: serde reads loosely typed fields so that a
//! wrong type is reported at its place, then every value is checked (categories against the
//! vocabulary, opening hours, ages, duplicate ids) with every problem reported at once.

use std::collections::{BTreeMap, HashMap};

use chrono::{Datelike, NaiveDateTime, NaiveTime, Timelike, Weekday};
use serde::Deserialize;

use crate::error::{nearest, suggestion, yaml_problem, FileProblems, Problems};
use crate::model::{Gender, Urgency, Vocabulary};

/// The whole directory, in file order (file order breaks ties between otherwise equal partners).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Directory {
    /// Every partner, in the order the file lists them.
    partners: Vec<Partner>,
    /// For each category, the partners serving it (indexes in file order). Resolution asks this
    /// for every need of every assessment; built once so it is a lookup, not a scan.
    by_category: HashMap<String, Vec<usize>>,
    /// Each partner's opening hours in words, written once rather than for every referral.
    hours_described: Vec<String>,
}

/// One local service.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Partner {
    /// Stable id; saved records and the person's choices refer to it.
    pub id: String,
    /// The name people see.
    pub name: String,
    /// Referral categories served, keys of the vocabulary's `referral_categories`.
    pub categories: Vec<String>,
    /// A phone number or e-mail address.
    pub contact: String,
    /// When the partner can be reached, in the local time of the assessment.
    pub hours: Hours,
    /// Whether the partner can take and act on a referral the same day.
    pub same_day: bool,
    /// Whether the partner offers a named worker who can coordinate the whole case.
    pub can_coordinate: bool,
    /// Who the partner serves.
    pub eligibility: Eligibility,
    /// The highest triage level the service can safely hold (a crisis café, a befriending group
    /// or a walk-in holds less than a crisis team); `None` when the directory sets no limit.
    pub max_risk: Option<Urgency>,
    /// How soon, in hours, the service responds face to face to an urgent referral while it is
    /// open; `None` when the directory does not say.
    pub responds_within_hours: Option<u32>,
    /// How a referral reaches the partner.
    pub route: Route,
    /// Takes only referrals needed today (an out-of-hours GP service, a walk-in centre): never
    /// chosen for a need that can wait.
    pub urgent_only: bool,
}

/// How a referral reaches a partner.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Route {
    /// Any professional, the assessor included, refers (the default).
    #[default]
    Professional,
    /// The person can contact the partner themselves; a professional may also refer.
    SelfReferral,
    /// Only through one of these partners (a refuge through the domestic abuse helpline or an
    /// IDVA), in the order the entry lists them.
    Via(Vec<String>),
}

impl Route {
    /// The route in words for the assessor.
    pub fn describe(&self, directory: &Directory) -> String {
        match self {
            Route::Professional => "a professional refers".to_owned(),
            Route::SelfReferral => {
                "the person can contact them directly, or a professional refers".to_owned()
            }
            Route::Via(via) => {
                let names: Vec<String> = via
                    .iter()
                    .map(|id| {
                        directory
                            .get(id)
                            .map_or_else(|| id.clone(), |p| p.name.clone())
                    })
                    .collect();
                format!("only through {}", names.join(" or "))
            }
        }
    }
}

/// A condition on the recorded situation under which a partner serves one of its categories:
/// a refuge serves `housing_advice` only for someone fleeing abuse, an Early Intervention team
/// serves `community_mental_health` only for a first episode of psychosis. Every listed
/// condition must hold; within a list, any kind will do.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Situational {
    /// Any of these kinds is recorded (stressors and medical factors at `min_severity` or more;
    /// a strength is simply recorded).
    pub recorded: Vec<String>,
    /// The severity a kind in `recorded` must reach; 1 when not set.
    pub min_severity: u8,
    /// The severity a kind in `recorded` must not pass (a service for mild to moderate
    /// depression); 3 when not set.
    pub max_severity: u8,
    /// Any of these medical kinds is recorded as a first episode.
    pub first_episode: Vec<String>,
    /// The person has dependants (recorded as 1 or more).
    pub with_dependants: bool,
}

impl Situational {
    /// Whether the condition holds for the person; a condition on something not recorded does
    /// not hold (the partner serves that category only for that situation).
    pub fn holds(&self, person: &PersonFacts<'_>) -> bool {
        let floor = self.min_severity.max(1);
        let ceiling = if self.max_severity == 0 {
            3
        } else {
            self.max_severity
        };
        (self.recorded.is_empty()
            || self.recorded.iter().any(|kind| {
                person.recorded.iter().any(|(recorded, severity)| {
                    recorded == kind && (floor..=ceiling).contains(severity)
                })
            }))
            && (self.first_episode.is_empty()
                || self
                    .first_episode
                    .iter()
                    .any(|kind| person.first_episodes.contains(&kind.as_str())))
            && (!self.with_dependants || person.dependants.is_some_and(|count| count > 0))
    }

    /// How many clauses the condition has (kinds recorded, at a severity, a first episode,
    /// dependants): each one met makes the partner more specific to the person.
    pub fn clauses(&self) -> usize {
        usize::from(!self.recorded.is_empty())
            + usize::from(self.min_severity > 1)
            + usize::from(self.max_severity > 0 && self.max_severity < 3)
            + usize::from(!self.first_episode.is_empty())
            + usize::from(self.with_dependants)
    }

    /// The condition in words: "for domestic_abuse", "for a first episode of psychosis".
    pub fn describe(&self) -> String {
        let mut parts = Vec::new();
        if !self.recorded.is_empty() {
            let ceiling = if self.max_severity == 0 {
                3
            } else {
                self.max_severity
            };
            let at = match (self.min_severity.max(1), ceiling) {
                (1, 3) => String::new(),
                (low, 3) => format!(" at severity {low} or more"),
                (1, high) => format!(" at severity {high} or less"),
                (low, high) => format!(" at severity {low} to {high}"),
            };
            parts.push(format!("for {}{at}", self.recorded.join(" or ")));
        }
        if self.with_dependants {
            parts.push("for parents and carers of dependants".to_owned());
        }
        if !self.first_episode.is_empty() {
            parts.push(format!(
                "for a first episode of {}",
                self.first_episode.join(" or ")
            ));
        }
        parts.join(" and ")
    }
}

/// Who a partner serves. Absent limits exclude nobody.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Eligibility {
    /// Youngest age served, inclusive.
    pub min_age: Option<u32>,
    /// Oldest age served, inclusive.
    pub max_age: Option<u32>,
    /// Living situations served (keys of `living_situations`); empty means any.
    pub lives: Vec<String>,
    /// Genders served by a single-gender service; empty means any. A person whose gender is not
    /// known is offered such a service only with "confirm eligibility", never silently.
    pub gender: Vec<Gender>,
    /// Per category, the situation in which the partner serves it; a category not listed is
    /// served whatever the situation.
    pub only_when: BTreeMap<String, Situational>,
    /// Free text for people only (how to refer, what to expect); never read by the choice.
    pub note: Option<String>,
}

/// Whether a partner takes a person for one category, and how sure that is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Admission {
    /// Every limit the partner sets is met or not known to be broken, and none needs checking.
    Eligible {
        /// How many of the partner's limits this person is known to meet (an age band, a gender,
        /// a living situation, each clause of a situation for this category): the more, the more
        /// specific.
        specificity: usize,
        /// How many of its limits could not be checked because the fact is not recorded (an age
        /// band, a living situation): such a partner ranks after one that needs no such fact.
        unknown: usize,
        /// Those limits in words, for "why this partner".
        matched: Vec<String>,
    },
    /// Eligible only if something not recorded turns out right (a single-gender service for a
    /// person whose gender is not known): offered with "confirm eligibility", never chosen
    /// silently and never made lead.
    Confirm {
        /// What to confirm, in words.
        what: String,
    },
    /// Not eligible, and why, in words ("ages 16–25", "women only").
    Excluded(String),
}

/// What is known about the person when deciding eligibility. Unknown facts exclude nobody: a
/// crisis rarely gives the full picture, and a wrong exclusion is worse than a phone call.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PersonFacts<'a> {
    /// Age in years, if known.
    pub age: Option<u32>,
    /// Living situation key, if known.
    pub lives: Option<&'a str>,
    /// Gender, if known.
    pub gender: Option<Gender>,
    /// The stressor and medical kinds recorded at severity 1 or more, with their severity, and
    /// the strengths recorded (as severity 1).
    pub recorded: Vec<(&'a str, u8)>,
    /// Number of dependants, if known.
    pub dependants: Option<u32>,
    /// The medical kinds recorded as a first episode.
    pub first_episodes: Vec<&'a str>,
}

impl Eligibility {
    /// Whether the partner takes the person for `category`, with how specific the match is.
    pub fn admission(&self, person: &PersonFacts<'_>, category: &str) -> Admission {
        self.admission_in_words(person, category, true)
    }

    /// [`Eligibility::admission`], with the matched limits in words only when `words` is set:
    /// the choice weighs every partner for every need, and needs those words only for the
    /// partners it chooses.
    pub fn admission_in_words(
        &self,
        person: &PersonFacts<'_>,
        category: &str,
        words: bool,
    ) -> Admission {
        let mut matched = Vec::new();
        let mut say = |text: &dyn Fn() -> String| {
            if words {
                matched.push(text());
            }
        };
        let mut specificity = 0;
        let mut unknown = 0;
        if self.min_age.is_some() || self.max_age.is_some() {
            // The band in words only when it is said: the choice asks every partner.
            let band = || self.age_band();
            // "18 and over" only says the service is for adults, as nearly everyone an AMHP
            // assesses is; a band with an upper limit or starting later (16–25, 65 and over) is
            // for an age group, and counts.
            let for_adults = self.max_age.is_none() && self.min_age.is_some_and(|min| min <= 18);
            match person.age {
                Some(age) => {
                    let fits = self.min_age.is_none_or(|min| age >= min)
                        && self.max_age.is_none_or(|max| age <= max);
                    if !fits {
                        return Admission::Excluded(band());
                    }
                    say(&|| format!("{}: {age}", band()));
                    if !for_adults {
                        specificity += 1;
                    }
                }
                None if !for_adults => unknown += 1,
                None => {}
            }
        }
        if !self.lives.is_empty() {
            match person.lives {
                Some(lives) if !self.lives.iter().any(|allowed| allowed == lives) => {
                    return Admission::Excluded(format!(
                        "serves people who live: {}",
                        self.lives.join(", ")
                    ));
                }
                Some(lives) => {
                    say(&|| format!("lives {lives}"));
                    specificity += 1;
                }
                None => unknown += 1,
            }
        }
        if let Some(condition) = self.only_when.get(category) {
            if !condition.holds(person) {
                return Admission::Excluded(format!(
                    "serves {category} only {}",
                    condition.describe()
                ));
            }
            say(&|| format!("{category} {}", condition.describe()));
            specificity += condition.clauses();
        }
        if !self.gender.is_empty() {
            let served = self.genders_served();
            match person.gender {
                Some(gender) if self.gender.contains(&gender) => {
                    say(&|| served.clone());
                    specificity += 1;
                }
                Some(_) => return Admission::Excluded(served),
                None => {
                    return Admission::Confirm {
                        what: format!("{served}, and the person's gender is not recorded"),
                    }
                }
            }
        }
        Admission::Eligible {
            specificity,
            unknown,
            matched,
        }
    }

    /// Whether the partner can take the person for `category` (eligible, or to be confirmed).
    pub fn admits(&self, person: &PersonFacts<'_>, category: &str) -> bool {
        !matches!(self.admission(person, category), Admission::Excluded(_))
    }

    /// Why the person is not eligible for `category`, or `None` when they may be.
    pub fn excludes(&self, person: &PersonFacts<'_>, category: &str) -> Option<String> {
        match self.admission(person, category) {
            Admission::Excluded(why) => Some(why),
            _ => None,
        }
    }

    /// Why the person is not eligible by age or living situation, in the words of rule sets
    /// before 2026.12.1 (kept so that their records replay word for word), or `None`.
    pub fn legacy_excludes(&self, person: &PersonFacts<'_>) -> Option<String> {
        if let Some(age) = person.age {
            if let Some(min) = self.min_age.filter(|min| age < *min) {
                return Some(format!("serves ages {min} and over"));
            }
            if let Some(max) = self.max_age.filter(|max| age > *max) {
                return Some(format!("serves ages up to {max}"));
            }
        }
        if let Some(lives) = person.lives {
            if !self.lives.is_empty() && !self.lives.iter().any(|allowed| allowed == lives) {
                return Some(format!("serves people who live: {}", self.lives.join(", ")));
            }
        }
        None
    }

    /// The age band in words: "ages 16–25", "ages 65 and over", "ages up to 24".
    fn age_band(&self) -> String {
        match (self.min_age, self.max_age) {
            (Some(min), Some(max)) => format!("ages {min}–{max}"),
            (Some(min), None) => format!("ages {min} and over"),
            (None, Some(max)) => format!("ages up to {max}"),
            (None, None) => "any age".to_owned(),
        }
    }

    /// "women only", "women and non-binary people only".
    fn genders_served(&self) -> String {
        let words: Vec<&str> = self
            .gender
            .iter()
            .map(|gender| match gender {
                Gender::Woman => "women",
                Gender::Man => "men",
                Gender::NonBinary => "non-binary people",
                Gender::Other => "people of another gender",
            })
            .collect();
        format!("{} only", words.join(" and "))
    }
}

/// Opening hours.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Hours {
    /// Open around the clock, every day.
    Always,
    /// Open in these windows only.
    Windows(Vec<Window>),
}

/// One opening window: the same times on each of the listed days.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Window {
    /// Days it applies to, Monday first.
    pub days: Vec<Weekday>,
    /// Opening time.
    pub open: NaiveTime,
    /// Closing time, later than `open` on the same day.
    pub close: NaiveTime,
}

impl Hours {
    /// Whether the partner is open at a local date and time.
    pub fn is_open(&self, at: NaiveDateTime) -> bool {
        match self {
            Hours::Always => true,
            Hours::Windows(windows) => windows.iter().any(|window| {
                window.days.contains(&at.weekday())
                    && window.open <= at.time()
                    && at.time() < window.close
            }),
        }
    }

    /// When the partner is next open at or after `at`: `at` itself when open now, else the
    /// next opening in the coming week; `None` for hours that never open (not possible in a
    /// checked directory).
    pub fn next_open(&self, at: NaiveDateTime) -> Option<NaiveDateTime> {
        match self {
            Hours::Always => Some(at),
            Hours::Windows(windows) => {
                if self.is_open(at) {
                    return Some(at);
                }
                (0..=7)
                    .filter_map(|offset| {
                        let day = at.date() + chrono::Days::new(offset);
                        windows
                            .iter()
                            .filter(|window| window.days.contains(&day.weekday()))
                            .map(|window| day.and_time(window.open))
                            .filter(|opens| *opens > at)
                            .min()
                    })
                    .next()
            }
        }
    }

    /// Minutes open in a week, to prefer the more available of two otherwise equal partners.
    pub fn minutes_a_week(&self) -> i64 {
        match self {
            Hours::Always => 7 * 24 * 60,
            Hours::Windows(windows) => windows
                .iter()
                .map(|window| (window.close - window.open).num_minutes() * window.days.len() as i64)
                .sum(),
        }
    }

    /// Whether the partner is open now or opens later on the same day.
    pub fn open_again_today(&self, at: NaiveDateTime) -> bool {
        match self {
            Hours::Always => true,
            Hours::Windows(windows) => windows
                .iter()
                .any(|window| window.days.contains(&at.weekday()) && at.time() < window.close),
        }
    }

    /// The hours in words, such as `Mon–Fri 09:00–17:00; Sat 10:00–13:00`.
    pub fn describe(&self) -> String {
        match self {
            Hours::Always => "24 hours, every day".to_owned(),
            Hours::Windows(windows) => {
                // Written straight into one string: this runs for every referral of every
                // assessment, and chrono's `format` re-parses its pattern on each call.
                let mut text = String::with_capacity(24 * windows.len());
                for (index, window) in windows.iter().enumerate() {
                    if index > 0 {
                        text.push_str("; ");
                    }
                    describe_days(&window.days, &mut text);
                    text.push(' ');
                    push_time(&mut text, window.open);
                    text.push('–');
                    push_time(&mut text, window.close);
                }
                text
            }
        }
    }
}

/// Appends a time as `HH:MM`.
fn push_time(text: &mut String, time: NaiveTime) {
    use std::fmt::Write as _;
    // Writing to a String cannot fail.
    let _ = write!(text, "{:02}:{:02}", time.hour(), time.minute());
}

/// Days as short names, with runs of three or more consecutive days joined: `Mon–Fri, Sun`.
fn describe_days(days: &[Weekday], text: &mut String) {
    let mut present = [false; 7];
    for day in days {
        present[day.num_days_from_monday() as usize] = true;
    }
    if present.iter().all(|&open| open) {
        text.push_str("every day");
        return;
    }
    let sorted: Vec<usize> = (0..7).filter(|&index| present[index]).collect();
    let name = |index: usize| DAY_NAMES[index].1;
    let mut first = true;
    let mut start = 0;
    while start < sorted.len() {
        let mut end = start;
        while end + 1 < sorted.len() && sorted[end + 1] == sorted[end] + 1 {
            end += 1;
        }
        let mut part = |words: &[&str]| {
            if !first {
                text.push_str(", ");
            }
            first = false;
            for word in words {
                text.push_str(word);
            }
        };
        if end - start >= 2 {
            part(&[name(sorted[start]), "–", name(sorted[end])]);
        } else {
            for &day in &sorted[start..=end] {
                part(&[name(day)]);
            }
        }
        start = end + 1;
    }
}

/// Day keys as written in the file, and their display names, Monday first.
const DAY_NAMES: [(&str, &str, Weekday); 7] = [
    ("mon", "Mon", Weekday::Mon),
    ("tue", "Tue", Weekday::Tue),
    ("wed", "Wed", Weekday::Wed),
    ("thu", "Thu", Weekday::Thu),
    ("fri", "Fri", Weekday::Fri),
    ("sat", "Sat", Weekday::Sat),
    ("sun", "Sun", Weekday::Sun),
];

impl Directory {
    /// A directory of these partners, in this order.
    pub fn new(partners: Vec<Partner>) -> Self {
        let mut by_category: HashMap<String, Vec<usize>> = HashMap::new();
        for (index, partner) in partners.iter().enumerate() {
            for category in &partner.categories {
                let serving = by_category.entry(category.clone()).or_default();
                // A category listed twice by one partner still makes one candidate.
                if serving.last() != Some(&index) {
                    serving.push(index);
                }
            }
        }
        let hours_described = partners
            .iter()
            .map(|partner| partner.hours.describe())
            .collect();
        Self {
            partners,
            by_category,
            hours_described,
        }
    }

    /// The opening hours of the partner at `index` in words ([`Hours::describe`]).
    pub fn hours_described(&self, index: usize) -> &str {
        self.hours_described.get(index).map_or("", String::as_str)
    }

    /// Every partner, in file order.
    pub fn partners(&self) -> &[Partner] {
        &self.partners
    }

    /// The partners serving a category, as indexes into [`Directory::partners`], in file order.
    pub fn serving(&self, category: &str) -> &[usize] {
        self.by_category.get(category).map_or(&[], Vec::as_slice)
    }

    /// Parses and checks `partners.yaml`; `file` names it in errors.
    pub fn parse(text: &str, file: &str, vocabulary: &Vocabulary) -> Result<Self, Problems> {
        let raw: RawDirectory =
            serde_yaml::from_str(text).map_err(|error| yaml_problem(file, &error))?;
        let mut checker = Checker {
            vocabulary,
            problems: FileProblems::new(file, text),
            routes: Vec::new(),
        };
        let mut seen: BTreeMap<String, usize> = BTreeMap::new();
        let mut partners = Vec::with_capacity(raw.partners.len());
        for (index, raw_partner) in raw.partners.into_iter().enumerate() {
            let path = format!("partners[{index}]");
            if let Some(first) = seen.insert(raw_partner.id.clone(), index) {
                checker.problem(
                    &format!("{path}.id"),
                    format!(
                        "partner id `{}` is already used by partners[{first}]",
                        raw_partner.id
                    ),
                    "give every partner its own id; records and choices refer to partners by id",
                );
            }
            if let Some(partner) = checker.partner(&path, raw_partner) {
                partners.push(partner);
            }
        }
        // Routes name other partners, so they are checked once every id is known.
        for (path, ids) in std::mem::take(&mut checker.routes) {
            for (index, id) in ids.iter().enumerate() {
                if !seen.contains_key(id) {
                    let hint = suggestion(
                        id,
                        seen.keys().map(String::as_str),
                        "the partner ids in this file",
                    );
                    checker.problem(
                        &format!("{path}.via[{index}]"),
                        format!("route via `{id}`, which is not a partner in this file"),
                        hint,
                    );
                }
            }
        }
        checker.problems.finish(Self::new(partners))
    }

    /// The partner with this id.
    pub fn get(&self, id: &str) -> Option<&Partner> {
        self.partners.iter().find(|partner| partner.id == id)
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDirectory {
    partners: Vec<RawPartner>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPartner {
    id: String,
    name: String,
    categories: Vec<String>,
    contact: String,
    hours: serde_yaml::Value,
    same_day: bool,
    #[serde(default)]
    can_coordinate: bool,
    #[serde(default)]
    eligibility: Option<RawEligibility>,
    #[serde(default)]
    max_risk: Option<String>,
    #[serde(default)]
    responds_within_hours: Option<u32>,
    #[serde(default)]
    route: Option<serde_yaml::Value>,
    #[serde(default)]
    urgent_only: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawEligibility {
    #[serde(default)]
    min_age: Option<u32>,
    #[serde(default)]
    max_age: Option<u32>,
    #[serde(default)]
    lives: Vec<String>,
    #[serde(default)]
    gender: Vec<String>,
    #[serde(default)]
    only_when: BTreeMap<String, RawSituational>,
    #[serde(default)]
    note: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSituational {
    #[serde(default)]
    recorded: Vec<String>,
    #[serde(default)]
    min_severity: Option<u8>,
    #[serde(default)]
    max_severity: Option<u8>,
    #[serde(default)]
    first_episode: Vec<String>,
    #[serde(default)]
    with_dependants: bool,
}

struct Checker<'a> {
    vocabulary: &'a Vocabulary,
    problems: FileProblems<'a>,
    /// Every `route: { via: [...] }` seen, with its path, checked against the ids at the end.
    routes: Vec<(String, Vec<String>)>,
}

impl Checker<'_> {
    fn problem(&mut self, path: &str, message: String, hint: impl Into<String>) {
        self.problems.add(path, message, hint);
    }

    fn partner(&mut self, path: &str, raw: RawPartner) -> Option<Partner> {
        let before = self.problems.count();
        if !is_kebab_case(&raw.id) {
            self.problem(
                &format!("{path}.id"),
                format!("partner id `{}` is not lower-kebab-case", raw.id),
                "use lower-case letters, digits and `-`, for example `cv-housing-aid`",
            );
        }
        for (field, value) in [("name", &raw.name), ("contact", &raw.contact)] {
            if value.trim().is_empty() {
                self.problem(
                    &format!("{path}.{field}"),
                    format!("{field} is empty"),
                    format!("every partner needs a {field} the assessor can use"),
                );
            }
        }
        if raw.categories.is_empty() {
            self.problem(
                &format!("{path}.categories"),
                "no categories".to_owned(),
                "list at least one key of referral_categories in rules/vocabulary.yaml",
            );
        }
        for (index, category) in raw.categories.iter().enumerate() {
            if !self.vocabulary.referral_categories.contains_key(category) {
                let hint = suggestion(
                    category,
                    self.vocabulary
                        .referral_categories
                        .keys()
                        .map(String::as_str),
                    "referral_categories in rules/vocabulary.yaml",
                );
                self.problem(
                    &format!("{path}.categories[{index}]"),
                    format!("unknown referral category `{category}`"),
                    hint,
                );
            }
        }
        let hours = self.hours(&format!("{path}.hours"), &raw.hours);
        let eligibility = self.eligibility(
            &format!("{path}.eligibility"),
            raw.eligibility,
            &raw.categories,
        );
        let max_risk = raw
            .max_risk
            .as_deref()
            .and_then(|text| self.max_risk(&format!("{path}.max_risk"), text));
        if raw.responds_within_hours == Some(0) {
            self.problem(
                &format!("{path}.responds_within_hours"),
                "responds_within_hours is 0".to_owned(),
                "write how many hours the service takes to respond face to face while open, such as 4, or leave the line out",
            );
        }
        let route = self.route(&format!("{path}.route"), raw.route.as_ref(), &raw.id);
        if self.problems.count() > before {
            return None;
        }
        Some(Partner {
            id: raw.id,
            name: raw.name,
            categories: raw.categories,
            contact: raw.contact,
            hours: hours?,
            same_day: raw.same_day,
            can_coordinate: raw.can_coordinate,
            eligibility,
            max_risk,
            responds_within_hours: raw.responds_within_hours,
            route: route?,
            urgent_only: raw.urgent_only,
        })
    }

    fn max_risk(&mut self, path: &str, text: &str) -> Option<Urgency> {
        let by_code = Urgency::ALL
            .iter()
            .copied()
            .find(|level| text.len() == 1 && level.triage_code().to_string() == text);
        let found = by_code.or_else(|| text.parse::<Urgency>().ok());
        if found.is_none() {
            self.problem(
                path,
                format!("`{text}` is not a triage code"),
                "write the highest triage code the service can safely hold, A to F (for example D for a crisis café), or a level name such as moderate",
            );
        }
        found
    }

    fn route(
        &mut self,
        path: &str,
        value: Option<&serde_yaml::Value>,
        own_id: &str,
    ) -> Option<Route> {
        const HINT: &str = "write route: professional, route: self, or route: { via: [partner-id, ...] } for a partner reached only through others";
        let Some(value) = value else {
            return Some(Route::Professional);
        };
        match value {
            serde_yaml::Value::String(word) if word == "professional" => Some(Route::Professional),
            serde_yaml::Value::String(word) if word == "self" => Some(Route::SelfReferral),
            serde_yaml::Value::Mapping(fields) => {
                let via = fields.get("via");
                let unknown = fields.keys().any(|key| key.as_str() != Some("via"));
                let ids: Option<Vec<String>> = match via {
                    Some(serde_yaml::Value::String(id)) => Some(vec![id.clone()]),
                    Some(serde_yaml::Value::Sequence(items)) if !items.is_empty() => items
                        .iter()
                        .map(|item| item.as_str().map(str::to_owned))
                        .collect(),
                    _ => None,
                };
                match ids {
                    Some(ids) if !unknown => {
                        if ids.iter().any(|id| id == own_id) {
                            self.problem(
                                path,
                                format!("partner `{own_id}` is reached via itself"),
                                "name the partners a referral must go through, not this one",
                            );
                            return None;
                        }
                        self.routes.push((path.to_owned(), ids.clone()));
                        Some(Route::Via(ids))
                    }
                    _ => {
                        self.problem(
                            path,
                            "a route via others must list partner ids".to_owned(),
                            HINT,
                        );
                        None
                    }
                }
            }
            other => {
                self.problem(
                    path,
                    format!("`{}` is not a route", yaml_scalar_text(other)),
                    HINT,
                );
                None
            }
        }
    }

    fn eligibility(
        &mut self,
        path: &str,
        raw: Option<RawEligibility>,
        categories: &[String],
    ) -> Eligibility {
        let Some(raw) = raw else {
            return Eligibility::default();
        };
        let mut gender = Vec::new();
        for (index, text) in raw.gender.iter().enumerate() {
            match text.parse::<Gender>() {
                Ok(value) => gender.push(value),
                Err(_) => self.problem(
                    &format!("{path}.gender[{index}]"),
                    format!("`{text}` is not a gender sicol records"),
                    format!("write one or more of {}", Gender::names()),
                ),
            }
        }
        let mut only_when = BTreeMap::new();
        for (category, condition) in raw.only_when {
            let at = format!("{path}.only_when.{category}");
            if !categories.contains(&category) {
                self.problem(
                    &at,
                    format!("`{category}` is not one of this partner's categories"),
                    format!(
                        "only_when names a category the partner serves: {}",
                        categories.join(", ")
                    ),
                );
            }
            if condition.recorded.is_empty()
                && condition.first_episode.is_empty()
                && !condition.with_dependants
            {
                self.problem(
                    &at,
                    "the condition is empty".to_owned(),
                    "write { recorded: [kind, ...] }, { first_episode: [kind, ...] } or { with_dependants: true }",
                );
            }
            for (field, value) in [
                ("min_severity", condition.min_severity),
                ("max_severity", condition.max_severity),
            ] {
                match value {
                    Some(severity) if !(1..=3).contains(&severity) => self.problem(
                        &format!("{at}.{field}"),
                        format!("{field} {severity} is not 1, 2 or 3"),
                        "severities run from 1 mild to 3 severe",
                    ),
                    Some(_) if condition.recorded.is_empty() => self.problem(
                        &format!("{at}.{field}"),
                        format!("{field} without `recorded:`"),
                        format!("{field} applies to the kinds listed under recorded"),
                    ),
                    _ => {}
                }
            }
            if let (Some(low), Some(high)) = (condition.min_severity, condition.max_severity) {
                if low > high {
                    self.problem(
                        &format!("{at}.max_severity"),
                        format!("max_severity {high} is below min_severity {low}"),
                        "both are inclusive: min_severity 1 and max_severity 2 take mild and moderate",
                    );
                }
            }
            for (index, kind) in condition.recorded.iter().enumerate() {
                let known = self.vocabulary.section_of(kind).is_some();
                if !known {
                    let hint = suggestion(
                        kind,
                        self.vocabulary.all_kinds(),
                        "stressors, medical and strengths in rules/vocabulary.yaml",
                    );
                    self.problem(
                        &format!("{at}.recorded[{index}]"),
                        format!("unknown kind `{kind}`"),
                        hint,
                    );
                }
            }
            for (index, kind) in condition.first_episode.iter().enumerate() {
                if !self.vocabulary.medical.contains_key(kind) {
                    let hint = suggestion(
                        kind,
                        self.vocabulary.medical.keys().map(String::as_str),
                        "medical in rules/vocabulary.yaml",
                    );
                    self.problem(
                        &format!("{at}.first_episode[{index}]"),
                        format!("unknown medical kind `{kind}`"),
                        hint,
                    );
                }
            }
            only_when.insert(
                category,
                Situational {
                    recorded: condition.recorded,
                    min_severity: condition.min_severity.unwrap_or(1),
                    max_severity: condition.max_severity.unwrap_or(3),
                    first_episode: condition.first_episode,
                    with_dependants: condition.with_dependants,
                },
            );
        }
        if let (Some(min), Some(max)) = (raw.min_age, raw.max_age) {
            if min > max {
                self.problem(
                    &format!("{path}.max_age"),
                    format!("max_age {max} is below min_age {min}"),
                    "both ages are inclusive: min_age 18 and max_age 64 serve 18 to 64",
                );
            }
        }
        for (index, lives) in raw.lives.iter().enumerate() {
            if !self.vocabulary.living_situations.contains_key(lives) {
                let hint = suggestion(
                    lives,
                    self.vocabulary.living_situations.keys().map(String::as_str),
                    "living_situations in rules/vocabulary.yaml",
                );
                self.problem(
                    &format!("{path}.lives[{index}]"),
                    format!("unknown living situation `{lives}`"),
                    hint,
                );
            }
        }
        Eligibility {
            min_age: raw.min_age,
            max_age: raw.max_age,
            lives: raw.lives,
            gender,
            only_when,
            note: raw.note.filter(|note| !note.trim().is_empty()),
        }
    }

    fn hours(&mut self, path: &str, value: &serde_yaml::Value) -> Option<Hours> {
        const HINT: &str =
            "write `always`, or a list of { days: [mon, tue], open: \"09:00\", close: \"17:00\" }";
        match value {
            serde_yaml::Value::String(word) if word == "always" => Some(Hours::Always),
            serde_yaml::Value::Sequence(windows) if !windows.is_empty() => {
                let before = self.problems.count();
                let windows: Vec<Option<Window>> = windows
                    .iter()
                    .enumerate()
                    .map(|(index, window)| self.window(&format!("{path}[{index}]"), window))
                    .collect();
                if self.problems.count() > before {
                    return None;
                }
                windows
                    .into_iter()
                    .collect::<Option<Vec<_>>>()
                    .map(Hours::Windows)
            }
            _ => {
                self.problem(
                    path,
                    "opening hours must be `always` or a list of opening windows".to_owned(),
                    HINT,
                );
                None
            }
        }
    }

    fn window(&mut self, path: &str, value: &serde_yaml::Value) -> Option<Window> {
        let serde_yaml::Value::Mapping(fields) = value else {
            self.problem(
                path,
                "an opening window must be a mapping".to_owned(),
                "write { days: [mon, tue], open: \"09:00\", close: \"17:00\" }",
            );
            return None;
        };
        for key in fields.keys() {
            let name = key.as_str().unwrap_or_default();
            if !matches!(name, "days" | "open" | "close") {
                self.problem(
                    path,
                    format!("unknown field `{name}` in an opening window"),
                    "an opening window has only days, open and close",
                );
            }
        }
        let days = self.days(&format!("{path}.days"), fields.get("days"));
        let open = self.time(&format!("{path}.open"), fields.get("open"));
        let close = self.time(&format!("{path}.close"), fields.get("close"));
        let (days, open, close) = (days?, open?, close?);
        if close <= open {
            self.problem(
                &format!("{path}.close"),
                format!(
                    "closes at {} but opens at {}",
                    close.format("%H:%M"),
                    open.format("%H:%M")
                ),
                "close must be later than open on the same day; split a night service into two windows, or use `always`",
            );
            return None;
        }
        Some(Window { days, open, close })
    }

    fn days(&mut self, path: &str, value: Option<&serde_yaml::Value>) -> Option<Vec<Weekday>> {
        let Some(serde_yaml::Value::Sequence(items)) = value else {
            self.problem(
                path,
                "days must be a list of days".to_owned(),
                "write days: [mon, tue, wed, thu, fri]",
            );
            return None;
        };
        let mut days = Vec::new();
        let mut ok = !items.is_empty();
        if items.is_empty() {
            self.problem(
                path,
                "no days".to_owned(),
                "list at least one of mon, tue, wed, thu, fri, sat, sun",
            );
        }
        for (index, item) in items.iter().enumerate() {
            let text = item.as_str().unwrap_or_default();
            match DAY_NAMES.iter().find(|(key, ..)| *key == text) {
                Some((.., day)) => days.push(*day),
                None => {
                    ok = false;
                    let close =
                        nearest(&text.to_lowercase(), DAY_NAMES.iter().map(|(key, ..)| *key));
                    let hint = match close.first() {
                        Some(day) => format!(
                            "did you mean `{day}`? days are mon, tue, wed, thu, fri, sat, sun"
                        ),
                        None => "write days as mon, tue, wed, thu, fri, sat, sun".to_owned(),
                    };
                    self.problem(
                        &format!("{path}[{index}]"),
                        format!("`{}` is not a day", yaml_scalar_text(item)),
                        hint,
                    );
                }
            }
        }
        ok.then_some(days)
    }

    fn time(&mut self, path: &str, value: Option<&serde_yaml::Value>) -> Option<NaiveTime> {
        let parsed = value
            .and_then(serde_yaml::Value::as_str)
            .and_then(|text| NaiveTime::parse_from_str(text, "%H:%M").ok());
        if parsed.is_none() {
            let shown = value.map_or_else(|| "nothing".to_owned(), yaml_scalar_text);
            self.problem(
                path,
                format!("`{shown}` is not a time"),
                "write the time in quotes as \"HH:MM\" on the 24-hour clock, such as \"09:30\"",
            );
        }
        parsed
    }
}

/// A scalar as the user wrote it, for messages.
fn yaml_scalar_text(value: &serde_yaml::Value) -> String {
    match value {
        serde_yaml::Value::String(text) => text.clone(),
        other => serde_yaml::to_string(other)
            .unwrap_or_default()
            .trim()
            .to_owned(),
    }
}

fn is_kebab_case(id: &str) -> bool {
    !id.is_empty()
        && !id.starts_with('-')
        && !id.ends_with('-')
        && id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::vocabulary::CategoryInfo;

    pub(crate) fn vocabulary() -> Vocabulary {
        let mut vocabulary = Vocabulary::default();
        for key in [
            "housing_advice",
            "debt_advice",
            "crisis_team",
            "befriending",
        ] {
            vocabulary.referral_categories.insert(
                key.to_owned(),
                CategoryInfo {
                    label: key.replace('_', " "),
                    description: String::new(),
                    codes: Default::default(),
                    share: Vec::new(),
                },
            );
        }
        for key in ["alone", "homeless"] {
            vocabulary
                .living_situations
                .insert(key.to_owned(), key.to_owned());
        }
        vocabulary
    }

    fn at(text: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M").expect("valid test time")
    }

    const GOOD: &str = "partners:
  - id: housing
    name: Housing Aid
    categories: [housing_advice, debt_advice]
    contact: \"01632 960101\"
    hours:
      - { days: [mon, tue, wed, thu, fri], open: \"09:00\", close: \"17:00\" }
      - { days: [sat], open: \"10:00\", close: \"13:00\" }
    same_day: true
    can_coordinate: true
  - id: crisis
    name: Crisis Team
    categories: [crisis_team]
    contact: \"01632 960170\"
    hours: always
    same_day: true
    eligibility: { min_age: 18, lives: [alone] }
";

    #[test]
    fn parses_a_good_directory() {
        let directory = Directory::parse(GOOD, "partners.yaml", &vocabulary()).expect("valid");
        assert_eq!(directory.partners.len(), 2);
        let housing = &directory.partners[0];
        assert!(housing.can_coordinate);
        assert_eq!(
            housing.hours.describe(),
            "Mon–Fri 09:00–17:00; Sat 10:00–13:00"
        );
        assert_eq!(directory.partners[1].hours, Hours::Always);
        assert_eq!(directory.partners[1].eligibility.min_age, Some(18));
    }

    #[test]
    fn opening_hours_follow_the_local_clock() {
        let directory = Directory::parse(GOOD, "partners.yaml", &vocabulary()).expect("valid");
        let hours = &directory.partners[0].hours;
        // 2026-11-20 is a Friday, 2026-11-22 a Sunday.
        assert!(hours.is_open(at("2026-11-20 09:00")));
        assert!(!hours.is_open(at("2026-11-20 17:00")), "close is exclusive");
        assert!(!hours.is_open(at("2026-11-20 08:59")));
        assert!(hours.open_again_today(at("2026-11-20 08:00")));
        assert!(!hours.open_again_today(at("2026-11-20 18:00")));
        assert!(!hours.open_again_today(at("2026-11-22 11:00")));
    }

    #[test]
    fn eligibility_by_age_and_living_situation() {
        let limits = Eligibility {
            min_age: Some(18),
            max_age: Some(64),
            lives: vec!["homeless".into()],
            ..Eligibility::default()
        };
        let person = |age, lives| PersonFacts {
            age,
            lives,
            ..PersonFacts::default()
        };
        let excludes = |facts: PersonFacts<'_>| limits.excludes(&facts, "housing_advice");
        assert_eq!(excludes(person(Some(30), Some("homeless"))), None);
        assert_eq!(
            excludes(person(Some(17), None)).as_deref(),
            Some("ages 18–64")
        );
        assert_eq!(
            limits.legacy_excludes(&person(Some(65), None)).as_deref(),
            Some("serves ages up to 64")
        );
        assert!(excludes(person(Some(30), Some("alone"))).is_some());
        // What is not known excludes nobody.
        assert_eq!(excludes(person(None, None)), None);
        // The quick test agrees with the worded one at and around every limit, and with the
        // wording of older rule sets.
        for age in [None, Some(17), Some(18), Some(64), Some(65)] {
            for lives in [None, Some("homeless"), Some("alone")] {
                let facts = person(age, lives);
                assert_eq!(
                    limits.admits(&facts, "housing_advice"),
                    limits.excludes(&facts, "housing_advice").is_none(),
                    "{age:?} {lives:?}"
                );
                assert_eq!(
                    limits.admits(&facts, "housing_advice"),
                    limits.legacy_excludes(&facts).is_none(),
                    "{age:?} {lives:?}"
                );
            }
        }
    }

    #[test]
    fn a_single_gender_service_is_never_chosen_silently() {
        let limits = Eligibility {
            gender: vec![Gender::Woman],
            ..Eligibility::default()
        };
        let with = |gender| PersonFacts {
            gender,
            ..PersonFacts::default()
        };
        assert!(matches!(
            limits.admission(&with(Some(Gender::Woman)), "housing_advice"),
            Admission::Eligible { specificity: 1, .. }
        ));
        assert_eq!(
            limits
                .excludes(&with(Some(Gender::Man)), "housing_advice")
                .as_deref(),
            Some("women only")
        );
        // Not known is never read as any gender: the service is offered only to be confirmed.
        assert!(matches!(
            limits.admission(&with(None), "housing_advice"),
            Admission::Confirm { .. }
        ));
    }

    #[test]
    fn a_category_served_only_in_a_situation_needs_that_situation_recorded() {
        let mut limits = Eligibility::default();
        limits.only_when.insert(
            "housing_advice".into(),
            Situational {
                recorded: vec!["domestic_abuse".into()],
                ..Situational::default()
            },
        );
        let fleeing = PersonFacts {
            recorded: vec![("domestic_abuse", 2), ("homelessness", 3)],
            ..PersonFacts::default()
        };
        let sleeping_rough = PersonFacts {
            recorded: vec![("homelessness", 3)],
            ..PersonFacts::default()
        };
        assert!(limits.admits(&fleeing, "housing_advice"));
        assert_eq!(
            limits
                .excludes(&sleeping_rough, "housing_advice")
                .as_deref(),
            Some("serves housing_advice only for domestic_abuse")
        );
        // Other categories are served whatever the situation.
        assert!(limits.admits(&sleeping_rough, "domestic_abuse_service"));
    }

    #[test]
    fn next_opening_is_found_across_the_weekend() {
        let directory = Directory::parse(GOOD, "partners.yaml", &vocabulary()).expect("valid");
        let hours = &directory.partners[0].hours;
        // Saturday 2026-11-21 at 22:00: next open Monday 09:00.
        assert_eq!(
            hours.next_open(at("2026-11-21 22:00")),
            Some(at("2026-11-23 09:00"))
        );
        assert_eq!(
            hours.next_open(at("2026-11-20 10:00")),
            Some(at("2026-11-20 10:00"))
        );
        assert_eq!(
            directory.partners[1]
                .hours
                .next_open(at("2026-11-21 22:00")),
            Some(at("2026-11-21 22:00"))
        );
    }

    #[test]
    fn reports_every_problem_with_its_line() {
        let text = "partners:
  - id: housing
    name: Housing Aid
    categories: [housing_advise]
    contact: \"1\"
    hours:
      - { days: [mon, funday], open: \"17:00\", close: \"09:00\" }
    same_day: true
  - id: housing
    name: Second
    categories: [debt_advice]
    contact: \"2\"
    hours: sometimes
    same_day: false
    eligibility: { min_age: 65, max_age: 18, lives: [castle] }
";
        let problems = Directory::parse(text, "partners.yaml", &vocabulary())
            .expect_err("invalid")
            .to_string();
        for expected in [
            "partners.yaml:4:18: partners[0].categories[0]: unknown referral category `housing_advise`",
            "did you mean `housing_advice`?",
            "partners.yaml:7:23: partners[0].hours[0].days[1]: `funday` is not a day",
            "partners.yaml:9:9: partners[1].id: partner id `housing` is already used by partners[0]",
            "partners.yaml:13:12: partners[1].hours: opening hours must be `always` or a list",
            "partners[1].eligibility.max_age: max_age 18 is below min_age 65",
            "partners[1].eligibility.lives[0]: unknown living situation `castle`",
        ] {
            assert!(problems.contains(expected), "missing {expected:?} in:\n{problems}");
        }
    }

    #[test]
    fn a_closing_time_before_opening_is_an_error() {
        let text = "partners:
  - id: late
    name: Late
    categories: [befriending]
    contact: \"1\"
    hours: [{ days: [fri], open: \"22:00\", close: \"02:00\" }]
    same_day: false
";
        let problems = Directory::parse(text, "partners.yaml", &vocabulary())
            .expect_err("invalid")
            .to_string();
        assert!(
            problems.contains("partners[0].hours[0].close: closes at 02:00 but opens at 22:00"),
            "{problems}"
        );
    }

    #[test]
    fn unquoted_or_malformed_times_are_explained() {
        let text = "partners:
  - id: odd
    name: Odd
    categories: [befriending]
    contact: \"1\"
    hours: [{ days: [fri], open: 9, close: \"25:00\" }]
    same_day: false
";
        let problems = Directory::parse(text, "partners.yaml", &vocabulary())
            .expect_err("invalid")
            .to_string();
        assert!(problems.contains("partners[0].hours[0].open: `9` is not a time"));
        assert!(problems.contains("partners[0].hours[0].close: `25:00` is not a time"));
    }

    #[test]
    fn days_are_described_compactly() {
        use Weekday::*;
        let describe_days = |days: &[Weekday]| {
            let mut text = String::new();
            super::describe_days(days, &mut text);
            text
        };
        assert_eq!(describe_days(&[Mon, Tue, Wed, Thu, Fri]), "Mon–Fri");
        assert_eq!(describe_days(&[Mon, Wed, Fri]), "Mon, Wed, Fri");
        assert_eq!(describe_days(&[Tue, Thu, Sat]), "Tue, Thu, Sat");
        assert_eq!(describe_days(&[Sat, Sun, Mon, Tue]), "Mon, Tue, Sat, Sun");
        assert_eq!(
            describe_days(&[Mon, Tue, Wed, Thu, Fri, Sat, Sun]),
            "every day"
        );
    }

    #[test]
    fn serving_lists_each_partner_of_a_category_once_in_file_order() {
        let partner = |id: &str, categories: &[&str]| Partner {
            id: id.to_owned(),
            name: id.to_owned(),
            categories: categories.iter().map(|c| (*c).to_owned()).collect(),
            contact: "0".to_owned(),
            hours: Hours::Always,
            same_day: false,
            can_coordinate: false,
            eligibility: Eligibility::default(),
            max_risk: None,
            responds_within_hours: None,
            route: Route::Professional,
            urgent_only: false,
        };
        let directory = Directory::new(vec![
            partner("a", &["debt_advice", "debt_advice", "housing_advice"]),
            partner("b", &["housing_advice"]),
            partner("c", &["debt_advice"]),
        ]);
        assert_eq!(directory.serving("debt_advice"), &[0, 2]);
        assert_eq!(directory.serving("housing_advice"), &[0, 1]);
        assert!(directory.serving("befriending").is_empty());
        assert_eq!(directory.partners()[1].id, "b");
    }

    #[test]
    fn hours_are_described_window_by_window() {
        let at = |text: &str| NaiveTime::parse_from_str(text, "%H:%M").expect("time");
        let hours = Hours::Windows(vec![
            Window {
                days: vec![
                    Weekday::Mon,
                    Weekday::Tue,
                    Weekday::Wed,
                    Weekday::Thu,
                    Weekday::Fri,
                ],
                open: at("09:00"),
                close: at("17:30"),
            },
            Window {
                days: vec![Weekday::Sat],
                open: at("10:05"),
                close: at("13:00"),
            },
        ]);
        assert_eq!(hours.describe(), "Mon–Fri 09:00–17:30; Sat 10:05–13:00");
        assert_eq!(Hours::Always.describe(), "24 hours, every day");
    }
}
