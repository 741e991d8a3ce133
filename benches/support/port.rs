//! The bundled rules (`rules/*.rhai`) hand-written in Rust: the floor against which the Rhai
//! runtime's overhead is measured. It reads the same weights from `ruleset.yaml`, honours the
//! same `when:` lists and script order, and builds the same `RuleOutput` (factors, referrals,
//! floors, 5P entries and notes, word for word), so the benchmark compares like with like; the
//! benchmark setup asserts that both give identical output before timing anything.
//!
//! This is benchmark support, not a second implementation: the rules live in `rules/`. When a
//! bundled rule changes, the setup assertion fails until this port follows.

use std::collections::HashMap;

use chrono::NaiveDate;
use indexmap::IndexMap;

use sicol::formulation::trace::{
    Contribution, FivePEntry, Note, ReferralRequest, RuleOutput, UrgencyFloor,
};
use sicol::model::{Domain, FiveP, ReferralUrgency, Section, Urgency};
use sicol::{Assessment, RuleSet, Vocabulary};

use FiveP::{Perpetuating, Precipitating, Predisposing, Presenting, Protective};
use ReferralUrgency::{Immediate, SameDay, WithinThreeDays, WithinTwoWeeks};

#[derive(Clone, Copy)]
struct Recorded {
    severity: i64,
    since: Option<NaiveDate>,
    due: Option<NaiveDate>,
}

/// The host API of `rules/README.md` (`runtime::HOST_API`), as plain Rust.
struct Ctx<'a> {
    weights: &'a IndexMap<String, f64>,
    vocabulary: &'a Vocabulary,
    today: NaiveDate,
    recorded: HashMap<&'a str, Recorded>,
    stressors: Vec<&'a str>,
    medical: Vec<&'a str>,
    strengths: Vec<&'a str>,
    age: i64,
    lives: &'a str,
    dependants: i64,
    referral_source: &'a str,
    stem: &'static str,
    rule: String,
    out: RuleOutput,
}

impl<'a> Ctx<'a> {
    fn new(ruleset: &'a RuleSet, assessment: &'a Assessment) -> Self {
        let mut recorded = HashMap::new();
        let mut stressors = Vec::new();
        let mut medical = Vec::new();
        for (section, list) in [
            (Section::Stressors, &mut stressors),
            (Section::Medical, &mut medical),
        ] {
            for factor in assessment.factors(section) {
                recorded.insert(
                    factor.kind.as_str(),
                    Recorded {
                        severity: i64::from(factor.severity),
                        since: factor.since,
                        due: factor.due,
                    },
                );
                if factor.severity > 0 {
                    list.push(factor.kind.as_str());
                }
            }
        }
        let mut strengths = Vec::new();
        for strength in &assessment.strengths {
            recorded.insert(
                strength.kind.as_str(),
                Recorded {
                    severity: 1,
                    since: None,
                    due: None,
                },
            );
            strengths.push(strength.kind.as_str());
        }
        Self {
            weights: &ruleset.config.weights,
            vocabulary: &ruleset.vocabulary,
            today: assessment.assessed_on(),
            recorded,
            stressors,
            medical,
            strengths,
            age: assessment.person.age.map_or(-1, i64::from),
            lives: assessment.person.lives.as_deref().unwrap_or(""),
            dependants: i64::from(assessment.person.dependants),
            referral_source: assessment.context.referral_source.as_deref().unwrap_or(""),
            stem: "",
            rule: String::new(),
            out: RuleOutput::default(),
        }
    }

    fn present(&self, kind: &str) -> Option<&Recorded> {
        self.recorded.get(kind).filter(|entry| entry.severity > 0)
    }
    fn has(&self, kind: &str) -> bool {
        self.present(kind).is_some()
    }
    fn sev(&self, kind: &str) -> i64 {
        self.recorded.get(kind).map_or(0, |entry| entry.severity)
    }
    fn has_due(&self, kind: &str) -> bool {
        self.present(kind).is_some_and(|entry| entry.due.is_some())
    }
    fn days_until_due(&self, kind: &str) -> i64 {
        self.present(kind)
            .and_then(|entry| entry.due)
            .map_or(0, |due| (due - self.today).num_days())
    }
    fn due_within(&self, kind: &str, days: f64) -> bool {
        self.present(kind)
            .and_then(|entry| entry.due)
            .is_some_and(|due| ((due - self.today).num_days() as f64) <= days)
    }
    fn began_within(&self, kind: &str, days: f64) -> bool {
        self.present(kind)
            .and_then(|entry| entry.since)
            .is_some_and(|since| ((self.today - since).num_days() as f64) <= days)
    }
    fn lasting_over(&self, kind: &str, days: f64) -> bool {
        self.present(kind)
            .and_then(|entry| entry.since)
            .is_some_and(|since| ((self.today - since).num_days() as f64) > days)
    }
    fn count_stressors(&self, min: i64) -> i64 {
        self.stressors
            .iter()
            .filter(|kind| self.sev(kind) >= min)
            .count() as i64
    }
    fn label(&self, kind: &str) -> &'a str {
        let vocabulary: &'a Vocabulary = self.vocabulary;
        vocabulary.kind(kind).map_or("", |info| info.label.as_str())
    }
    fn w(&self, name: &str) -> f64 {
        self.weights.get(name).copied().unwrap_or(f64::NAN)
    }
    fn wi(&self, name: &str) -> i64 {
        self.w(name) as i64
    }

    fn begin(&mut self, stem: &'static str) {
        self.stem = stem;
        self.rule = stem.to_owned();
    }
    fn rule(&mut self, name: &str) {
        self.rule = format!("{}.{name}", self.stem);
    }
    fn add(&mut self, kind: &str, domain: Domain, weight: f64, why: String) {
        self.out.contributions.push(Contribution {
            kind: kind.to_owned(),
            domain,
            weight,
            rule: self.rule.clone(),
            why,
        });
    }
    fn social(&mut self, kind: &str, weight: f64, why: String) {
        self.add(kind, Domain::Social, weight, why);
    }
    fn medical(&mut self, kind: &str, weight: f64, why: String) {
        self.add(kind, Domain::Medical, weight, why);
    }
    fn refer(&mut self, category: &str, urgency: ReferralUrgency, why: String) {
        self.out.referral_requests.push(ReferralRequest {
            category: category.to_owned(),
            urgency,
            why,
            rule: self.rule.clone(),
        });
    }
    fn floor(&mut self, level: Urgency, why: String) {
        self.out.urgency_floors.push(UrgencyFloor {
            level,
            why,
            rule: self.rule.clone(),
        });
    }
    fn five_p(&mut self, p: FiveP, text: String) {
        self.out.five_ps.push(FivePEntry {
            p,
            text,
            rule: self.rule.clone(),
        });
    }
    fn note(&mut self, text: String) {
        self.out.notes.push(Note {
            text,
            rule: self.rule.clone(),
        });
    }
}

/// Stage words by severity: 1 (or less), 2, 3 (or more).
fn stage<'s>(sev: i64, one: &'s str, two: &'s str, three: &'s str) -> &'s str {
    if sev >= 3 {
        three
    } else if sev == 2 {
        two
    } else {
        one
    }
}

/// Runs the ported rules in the rule set's order, honouring each script's `when:`.
pub fn run(ruleset: &RuleSet, assessment: &Assessment) -> RuleOutput {
    let mut c = Ctx::new(ruleset, assessment);
    for script in &ruleset.config.scripts {
        let applies = script
            .when
            .as_ref()
            .is_none_or(|kinds| kinds.iter().any(|kind| c.has(kind)));
        if !applies {
            continue;
        }
        c.out.scripts_run.push(script.file.clone());
        match script.file.as_str() {
            "housing.rhai" => housing(&mut c),
            "money.rhai" => money(&mut c),
            "loss.rhai" => loss(&mut c),
            "independence.rhai" => independence(&mut c),
            "family_safety.rhai" => family_safety(&mut c),
            "legal.rhai" => legal(&mut c),
            "isolation.rhai" => isolation(&mut c),
            "combinations.rhai" => combinations(&mut c),
            "medical_risk.rhai" => medical_risk(&mut c),
            "medical_illness.rhai" => medical_illness(&mut c),
            "medical_physical.rhai" => medical_physical(&mut c),
            "strengths.rhai" => strengths(&mut c),
            "context.rhai" => context(&mut c),
            "five_ps.rhai" => five_ps(&mut c),
            other => panic!("the Rust port has no script {other}: port it or bench without it"),
        }
    }
    c.out
}

fn housing(c: &mut Ctx) {
    c.begin("housing");
    if c.has("eviction") {
        c.rule("eviction_stage");
        let sev = c.sev("eviction");
        let stage = stage(
            sev,
            "an arrears warning or informal threat",
            "a notice served",
            "a possession order or bailiff date",
        );
        let w = c.w("eviction_per_severity") * sev as f64;
        c.social(
            "eviction",
            w,
            format!("eviction at severity {sev}: {stage}"),
        );
        let mut when_text = "no date set".to_owned();
        if c.has_due("eviction") {
            let d = c.days_until_due("eviction");
            when_text = if d < 0 {
                format!("the eviction date passed {} days ago", -d)
            } else {
                format!("eviction due in {d} days")
            };
        }
        if c.due_within("eviction", c.w("eviction_soon_days")) {
            c.rule("eviction_soon");
            let w = c.w("eviction_soon_bonus");
            c.social("eviction", w, when_text.clone());
        }
        if c.due_within("eviction", c.w("eviction_imminent_days")) {
            c.rule("eviction_imminent");
            let w = c.w("eviction_imminent_bonus");
            c.social(
                "eviction",
                w,
                format!("{when_text}: the home can still be saved only if advice starts today"),
            );
        }
        c.rule("eviction_referrals");
        let imminent = c.due_within("eviction", c.w("eviction_imminent_days"));
        if imminent || sev >= 3 {
            c.refer("housing_advice", SameDay, format!("eviction at severity {sev}, {when_text}: ask for a stay or delay of the possession and a homelessness-prevention duty"));
        } else if sev == 2 {
            c.refer(
                "housing_advice",
                WithinThreeDays,
                format!(
                    "notice served, {when_text}: check the notice is valid and negotiate the arrears"
                ),
            );
        } else {
            c.refer(
                "housing_advice",
                WithinTwoWeeks,
                format!(
                    "early eviction threat ({when_text}): advice now can stop it going further"
                ),
            );
        }
        if sev >= 2 {
            if imminent || sev >= 3 {
                c.refer("legal_advice", SameDay, format!("possession proceedings at severity {sev}, {when_text}: legal aid housing advice can challenge or delay the possession"));
            } else {
                c.refer(
                    "legal_advice",
                    WithinThreeDays,
                    format!("notice served (severity {sev}): check whether it is valid before it reaches court"),
                );
            }
        }
    }
    if c.has("housing_insecurity") {
        c.rule("housing_insecurity");
        let sev = c.sev("housing_insecurity");
        let w = c.w("housing_insecurity_per_severity") * sev as f64;
        c.social(
            "housing_insecurity",
            w,
            format!("housing insecurity at severity {sev}"),
        );
        if sev >= 3 {
            c.refer("housing_advice", SameDay, "must leave within days or the home is unsafe, with nowhere to go: homelessness-prevention duty".into());
        } else if sev == 2 {
            c.refer(
                "housing_advice",
                WithinThreeDays,
                "home unsafe or unsuitable, or tenancy ending with nowhere arranged".into(),
            );
        } else {
            c.refer(
                "housing_advice",
                WithinTwoWeeks,
                "disrepair, overcrowding or worry about keeping the home".into(),
            );
        }
    }
    if c.has("homelessness") {
        c.rule("homelessness");
        let sev = c.sev("homelessness");
        let where_text = stage(
            sev,
            "sofa-surfing",
            "in emergency or temporary accommodation",
            "sleeping rough or no place to stay tonight",
        );
        let w = c.w("homelessness_per_severity") * sev as f64;
        c.social(
            "homelessness",
            w,
            format!("homeless (severity {sev}): {where_text}"),
        );
        if sev >= 3 {
            c.refer(
                "housing_advice",
                SameDay,
                format!(
                    "{where_text}: emergency accommodation tonight and a homelessness application"
                ),
            );
        } else {
            c.refer(
                "housing_advice",
                WithinThreeDays,
                format!("{where_text}: homelessness application and a route to settled housing"),
            );
        }
        if c.dependants > 0 {
            c.rule("homeless_with_dependants");
            let n = c.dependants;
            let w = c.w("homelessness_with_dependants");
            c.social("homelessness", w, format!("homeless with {n} dependant(s): priority need, and the children's housing is at stake too"));
            c.refer(
                "children_and_families",
                WithinThreeDays,
                format!("homeless with {n} dependant(s): family support alongside the housing application"),
            );
        }
    }
}

fn money(c: &mut Ctx) {
    c.begin("money");
    if c.has("debt") {
        c.rule("debt");
        let sev = c.sev("debt");
        let stage = stage(
            sev,
            "behind on some bills",
            "priority debts in arrears or creditors chasing",
            "enforcement action or illegal lenders",
        );
        let w = c.w("debt_per_severity") * sev as f64;
        c.social("debt", w, format!("debt at severity {sev}: {stage}"));
        if sev >= 3 {
            c.refer(
                "debt_advice",
                SameDay,
                format!(
                    "{stage}: ask for Mental Health Crisis Breathing Space to stop enforcement now"
                ),
            );
        } else if sev == 2 {
            c.refer(
                "debt_advice",
                WithinThreeDays,
                format!("{stage}: priority-debt plan and Breathing Space"),
            );
        } else {
            c.refer(
                "debt_advice",
                WithinTwoWeeks,
                format!("{stage}: budgeting and debt advice"),
            );
        }
    }
    if c.has("benefits_problem") {
        c.rule("benefits_problem");
        let sev = c.sev("benefits_problem");
        let stage = stage(
            sev,
            "claim delayed, income still coming in",
            "benefit reduced, sanctioned or refused",
            "no income at all",
        );
        let w = c.w("benefits_problem_per_severity") * sev as f64;
        c.social(
            "benefits_problem",
            w,
            format!("benefits problem at severity {sev}: {stage}"),
        );
        if sev >= 3 {
            c.refer(
                "welfare_benefits",
                SameDay,
                format!("{stage}: advance or hardship payment today, then challenge the decision"),
            );
            c.refer(
                "food_support",
                SameDay,
                format!("{stage}: food until money comes in"),
            );
        } else if sev == 2 {
            c.refer(
                "welfare_benefits",
                WithinThreeDays,
                format!("{stage}: mandatory reconsideration or appeal within the time limit"),
            );
        } else {
            c.refer(
                "welfare_benefits",
                WithinTwoWeeks,
                format!("{stage}: help with the claim"),
            );
        }
    }
    if c.has("food_insecurity") {
        c.rule("food_insecurity");
        let sev = c.sev("food_insecurity");
        let stage = stage(
            sev,
            "cutting back on meals",
            "relying on food banks or skipping meals most days",
            "no food in the home and no means to get any",
        );
        let w = c.w("food_insecurity_per_severity") * sev as f64;
        c.social(
            "food_insecurity",
            w,
            format!("food insecurity at severity {sev}: {stage}"),
        );
        if sev >= 3 {
            c.refer(
                "food_support",
                SameDay,
                format!("{stage}: emergency food parcel today"),
            );
        } else if sev == 2 {
            c.refer("food_support", WithinThreeDays, stage.to_owned());
        } else {
            c.refer(
                "food_support",
                WithinTwoWeeks,
                format!("{stage}: community pantry or meal service"),
            );
        }
        if sev >= 2 {
            c.refer(
                "welfare_benefits",
                WithinThreeDays,
                format!("{stage}: a benefits check to find out why the money runs out"),
            );
        }
    }
    if c.sev("benefits_problem") >= 3 && c.sev("food_insecurity") >= 2 {
        c.rule("destitution");
        let w = c.w("no_income_no_food");
        c.social(
            "benefits_problem+food_insecurity",
            w,
            "no income at all and not enough food: destitute".into(),
        );
    }
    if c.has("employment_loss") {
        c.rule("employment_loss");
        let sev = c.sev("employment_loss");
        let stage = stage(
            sev,
            "job under threat",
            "dismissed or made redundant recently",
            "lost job with no income, or losing the home or visa with it",
        );
        let w = c.w("employment_loss_per_severity") * sev as f64;
        c.social(
            "employment_loss",
            w,
            format!("employment loss at severity {sev}: {stage}"),
        );
        if sev >= 3 {
            c.refer(
                "welfare_benefits",
                SameDay,
                format!("{stage}: claim income now"),
            );
            c.refer(
                "employment_support",
                WithinThreeDays,
                format!("{stage}: employment rights and a route back to work"),
            );
        } else if sev == 2 {
            c.refer(
                "welfare_benefits",
                WithinThreeDays,
                format!("{stage}: benefits check and claim"),
            );
            c.refer(
                "employment_support",
                WithinTwoWeeks,
                format!("{stage}: employment rights and a route back to work"),
            );
        } else {
            c.refer(
                "employment_support",
                WithinTwoWeeks,
                format!("{stage}: advice on employment rights, reasonable adjustments and keeping the job"),
            );
        }
    }
}

fn loss(c: &mut Ctx) {
    c.begin("loss");
    if c.has("bereavement") {
        c.rule("bereavement");
        let sev = c.sev("bereavement");
        let stage = stage(
            sev,
            "past loss still grieved",
            "recent loss of someone close, daily life disrupted",
            "loss of a partner, child or main carer, or a sudden, violent or suicide death",
        );
        let w = c.w("bereavement_per_severity") * sev as f64;
        c.social(
            "bereavement",
            w,
            format!("bereavement at severity {sev}: {stage}"),
        );
        if sev >= 3 {
            c.refer("bereavement_support", WithinThreeDays, format!("{stage}: specialist bereavement support (suicide-bereavement service if the death was a suicide)"));
        } else {
            c.refer("bereavement_support", WithinTwoWeeks, stage.to_owned());
        }
        if c.began_within("bereavement", c.w("bereavement_recent_days")) {
            c.rule("bereavement_recent");
            let w = c.w("bereavement_recent_bonus");
            c.social(
                "bereavement",
                w,
                "the death was in the last few months: grief at its rawest".into(),
            );
        }
    }
    if c.has("relationship_loss") {
        c.rule("relationship_loss");
        let sev = c.sev("relationship_loss");
        let stage = stage(
            sev,
            "serious conflict or estrangement",
            "recent separation or breakdown",
            "separation that also costs home, children or main support, or ended within days",
        );
        let w = c.w("relationship_loss_per_severity") * sev as f64;
        c.social(
            "relationship_loss",
            w,
            format!("relationship loss at severity {sev}: {stage}"),
        );
        let urgency = if sev >= 3 {
            WithinThreeDays
        } else {
            WithinTwoWeeks
        };
        c.refer("relationship_support", urgency, stage.to_owned());
    }
    if c.has("bereavement") && c.has("relationship_loss") {
        c.rule("compound_loss");
        let b = c.sev("bereavement");
        let r = c.sev("relationship_loss");
        let w = c.w("compound_loss");
        c.social("bereavement+relationship_loss", w, format!("bereavement (severity {b}) and relationship loss (severity {r}) together: the loss and the support that would carry them through are both gone"));
        c.refer("befriending", WithinTwoWeeks, "lost both a loved one and a close relationship: regular human contact while support is rebuilt".into());
    }
}

fn independence(c: &mut Ctx) {
    c.begin("independence");
    if c.has("loss_of_independence") {
        c.rule("loss_of_independence");
        let sev = c.sev("loss_of_independence");
        let stage = stage(
            sev,
            "needs some help with tasks",
            "needs help with personal care or cannot leave home unaided",
            "cannot manage safely at home",
        );
        let w = c.w("loss_of_independence_per_severity") * sev as f64;
        c.social(
            "loss_of_independence",
            w,
            format!("loss of independence at severity {sev}: {stage}"),
        );
        if sev >= 3 {
            c.refer(
                "independent_living",
                SameDay,
                format!("{stage}: urgent social-care assessment and reablement so they can stay at home safely"),
            );
        } else if sev == 2 {
            c.refer(
                "independent_living",
                WithinThreeDays,
                format!("{stage}: Care Act needs assessment, aids and adaptations"),
            );
        } else {
            c.refer(
                "independent_living",
                WithinTwoWeeks,
                format!("{stage}: aids, adaptations or a little home help"),
            );
        }
        if sev >= 2 {
            c.refer(
                "advocacy",
                WithinThreeDays,
                format!("{stage}: Care Act advocate so their wishes shape the care plan"),
            );
        }
    }
    if c.has("loss_of_service_access") {
        c.rule("loss_of_service_access");
        let sev = c.sev("loss_of_service_access");
        let stage = stage(
            sev,
            "service reduced or waiting list lengthened",
            "key service withdrawn or discharged without a handover",
            "left with no support for essential needs",
        );
        let w = c.w("loss_of_service_access_per_severity") * sev as f64;
        c.social(
            "loss_of_service_access",
            w,
            format!("loss of service access at severity {sev}: {stage}"),
        );
        if sev >= 3 {
            c.refer(
                "independent_living",
                SameDay,
                format!("{stage}: restore essential care today"),
            );
            c.refer(
                "gp_or_primary_care",
                SameDay,
                format!("{stage}: check medication and prescriptions are not interrupted"),
            );
            c.refer(
                "advocacy",
                WithinThreeDays,
                format!("{stage}: advocate to challenge the withdrawal"),
            );
        } else if sev == 2 {
            c.refer(
                "advocacy",
                WithinThreeDays,
                format!("{stage}: advocate to get the service reinstated or handed over"),
            );
        } else {
            c.refer(
                "advocacy",
                WithinTwoWeeks,
                format!("{stage}: help to chase the service"),
            );
        }
    }
    if c.has("physical_health_decline") {
        c.rule("physical_health_decline");
        let sev = c.sev("physical_health_decline");
        let stage = stage(
            sev,
            "new or worse symptoms",
            "new diagnosis or chronic pain limiting daily life",
            "serious or life-limiting diagnosis, or illness preventing self-care",
        );
        let w = c.w("physical_health_decline_per_severity") * sev as f64;
        c.social(
            "physical_health_decline",
            w,
            format!("physical health decline at severity {sev}: {stage}"),
        );
        if sev >= 2 {
            c.refer(
                "gp_or_primary_care",
                WithinThreeDays,
                format!("{stage}: review of treatment and pain"),
            );
        } else {
            c.refer(
                "gp_or_primary_care",
                WithinTwoWeeks,
                format!("{stage}: GP review"),
            );
        }
        if sev >= 3 {
            c.refer(
                "physical_health",
                WithinThreeDays,
                format!("{stage}: specialist or community health team (palliative care if life-limiting)"),
            );
        }
    }
    if c.has("carer_strain") {
        c.rule("carer_strain");
        let sev = c.sev("carer_strain");
        let stage = stage(
            sev,
            "caring is tiring but they are coping",
            "caring most days with little break, own health suffering",
            "caring has broken down or they cannot go on",
        );
        let w = c.w("carer_strain_per_severity") * sev as f64;
        c.social(
            "carer_strain",
            w,
            format!("carer strain at severity {sev}: {stage}"),
        );
        if sev >= 3 {
            c.refer(
                "carers_support",
                SameDay,
                format!("{stage}: carer's assessment and an emergency break"),
            );
            c.refer(
                "independent_living",
                SameDay,
                format!("{stage}: replacement care for the person they look after, so neither is left unsafe"),
            );
        } else if sev == 2 {
            c.refer(
                "carers_support",
                WithinThreeDays,
                format!("{stage}: carer's assessment and regular breaks"),
            );
        } else {
            c.refer(
                "carers_support",
                WithinTwoWeeks,
                format!("{stage}: carers' group and information"),
            );
        }
    }
    let a = c.age;
    if a >= c.wi("older_age_years")
        && (c.has("loss_of_independence")
            || c.has("physical_health_decline")
            || c.has("loss_of_service_access"))
    {
        c.rule("older_person");
        let kinds: Vec<&str> = [
            "loss_of_independence",
            "physical_health_decline",
            "loss_of_service_access",
        ]
        .into_iter()
        .filter(|kind| c.has(kind))
        .collect();
        let w = c.w("older_age_independence_loss");
        c.social(&kinds.join("+"), w, format!("aged {a} and losing independence, health or services: high risk that a crisis becomes a long admission or a care-home move"));
        c.refer(
            "independent_living",
            WithinThreeDays,
            format!("aged {a}: older people's social care and reablement to keep them at home"),
        );
    }
}

fn family_safety(c: &mut Ctx) {
    c.begin("family_safety");
    if c.has("child_statutory_proceedings") {
        c.rule("child_proceedings");
        let sev = c.sev("child_statutory_proceedings");
        let stage = stage(
            sev,
            "child in need plan or early help",
            "child protection plan or pre-proceedings letter",
            "care proceedings issued, child removed, or court hearing set",
        );
        let w = c.w("child_proceedings_per_severity") * sev as f64;
        c.social(
            "child_statutory_proceedings",
            w,
            format!("children's proceedings at severity {sev}: {stage}"),
        );
        if sev >= 3 {
            c.refer(
                "children_and_families",
                SameDay,
                format!("{stage}: family support and parent advocacy"),
            );
            c.refer(
                "legal_advice",
                SameDay,
                format!(
                    "{stage}: legal aid family solicitor (non-means-tested in care proceedings)"
                ),
            );
            c.refer(
                "advocacy",
                WithinThreeDays,
                format!("{stage}: parent advocate for meetings and court"),
            );
        } else if sev == 2 {
            c.refer(
                "children_and_families",
                WithinThreeDays,
                format!("{stage}: family support to work with the plan"),
            );
            c.refer(
                "legal_advice",
                WithinThreeDays,
                format!("{stage}: legal advice before the pre-proceedings meeting"),
            );
            c.refer(
                "advocacy",
                WithinTwoWeeks,
                format!("{stage}: parent advocate for child protection meetings"),
            );
        } else {
            c.refer(
                "children_and_families",
                WithinTwoWeeks,
                format!("{stage}: family support"),
            );
        }
        if c.due_within(
            "child_statutory_proceedings",
            c.w("child_hearing_imminent_days"),
        ) {
            c.rule("child_hearing_imminent");
            let d = c.days_until_due("child_statutory_proceedings");
            let when_text = if d < 0 {
                "hearing date has passed".to_owned()
            } else {
                format!("hearing in {d} days")
            };
            let w = c.w("child_hearing_imminent_bonus");
            c.social(
                "child_statutory_proceedings",
                w,
                format!("{when_text}: the parent needs representation and support now"),
            );
            c.refer(
                "legal_advice",
                SameDay,
                format!("{when_text}: representation at the hearing"),
            );
        }
    }
    if c.has("domestic_abuse") {
        c.rule("domestic_abuse");
        let sev = c.sev("domestic_abuse");
        let stage = stage(
            sev,
            "past abuse or controlling behaviour",
            "ongoing abuse, threats, stalking or harassment",
            "high risk: recent violence, strangulation, threats to kill or escalation",
        );
        let w = c.w("domestic_abuse_per_severity") * sev as f64;
        c.social(
            "domestic_abuse",
            w,
            format!("domestic abuse at severity {sev}: {stage}"),
        );
        if sev >= 3 {
            c.refer(
                "domestic_abuse_service",
                Immediate,
                format!("{stage}: IDVA and safety plan now, MARAC referral, refuge if needed"),
            );
        } else if sev == 2 {
            c.refer(
                "domestic_abuse_service",
                SameDay,
                format!("{stage}: IDVA and safety planning"),
            );
        } else {
            c.refer(
                "domestic_abuse_service",
                WithinThreeDays,
                format!("{stage}: specialist support and safety planning"),
            );
        }
        if sev >= 3 {
            c.rule("domestic_abuse_high_risk");
            c.floor(
                Urgency::High,
                format!("domestic abuse at severity {sev}: {stage}"),
            );
            c.note("High-risk domestic abuse: if the person is in immediate danger call 999. Complete a DASH risk assessment and refer to MARAC; do not send letters to the shared address.".into());
        }
        if c.dependants > 0 {
            c.rule("domestic_abuse_with_children");
            let n = c.dependants;
            c.refer("children_and_families", SameDay, format!("domestic abuse at severity {sev} with {n} dependant(s): safeguarding for the children and support for the non-abusing parent"));
        }
    }
    if c.dependants > 0 && c.count_stressors(2) >= 1 {
        c.rule("dependants_under_strain");
        let n = c.dependants;
        let m = c.count_stressors(2);
        let kinds: Vec<&str> = c
            .stressors
            .iter()
            .copied()
            .filter(|kind| c.sev(kind) >= 2)
            .collect();
        let w = c.w("dependants_under_strain");
        c.social(
            &kinds.join("+"),
            w,
            format!(
                "{n} dependant(s) relying on them while facing {m} moderate or severe stressor(s)"
            ),
        );
        c.note(format!(
            "Has {n} dependant(s): any plan (and any admission) must say who looks after them."
        ));
    }
}

fn legal(c: &mut Ctx) {
    c.begin("legal");
    if c.has("legal_problems") {
        c.rule("legal_problems");
        let sev = c.sev("legal_problems");
        let stage = stage(
            sev,
            "civil dispute or legal letter",
            "under investigation, charged, or a civil case in court",
            "court appearance imminent, facing prison, or just released",
        );
        let w = c.w("legal_problems_per_severity") * sev as f64;
        c.social(
            "legal_problems",
            w,
            format!("legal problems at severity {sev}: {stage}"),
        );
        if sev >= 3 {
            c.refer(
                "legal_advice",
                SameDay,
                format!("{stage}: solicitor or duty solicitor now"),
            );
        } else if sev == 2 {
            c.refer(
                "legal_advice",
                WithinThreeDays,
                format!("{stage}: legal advice and representation"),
            );
        } else {
            c.refer(
                "legal_advice",
                WithinTwoWeeks,
                format!("{stage}: free legal advice"),
            );
        }
        if c.due_within("legal_problems", c.w("legal_imminent_days")) {
            c.rule("court_date_imminent");
            let d = c.days_until_due("legal_problems");
            let when_text = if d < 0 {
                "court date has passed (possible missed hearing or warrant)".to_owned()
            } else {
                format!("court date in {d} days")
            };
            let w = c.w("legal_imminent_bonus");
            c.social("legal_problems", w, when_text.clone());
            c.refer(
                "legal_advice",
                SameDay,
                format!("{when_text}: representation at court"),
            );
            c.refer(
                "advocacy",
                WithinThreeDays,
                format!("{when_text}: support to attend and be heard"),
            );
        }
    }
    if c.has("immigration_status") {
        c.rule("immigration_status");
        let sev = c.sev("immigration_status");
        let stage = stage(
            sev,
            "visa or status renewal pending",
            "application refused or no recourse to public funds",
            "facing removal or detention, or destitute without status",
        );
        let w = c.w("immigration_status_per_severity") * sev as f64;
        c.social(
            "immigration_status",
            w,
            format!("immigration status at severity {sev}: {stage}"),
        );
        if sev >= 3 {
            c.refer(
                "immigration_advice",
                SameDay,
                format!("{stage}: regulated immigration advice now"),
            );
            c.refer(
                "advocacy",
                WithinThreeDays,
                format!("{stage}: advocate for dealings with the Home Office and services"),
            );
            c.refer(
                "food_support",
                WithinThreeDays,
                format!("{stage}: food while without recourse to public funds"),
            );
        } else if sev == 2 {
            c.refer(
                "immigration_advice",
                WithinThreeDays,
                format!("{stage}: appeal, fresh claim or change of conditions"),
            );
        } else {
            c.refer(
                "immigration_advice",
                WithinTwoWeeks,
                format!("{stage}: renew in time"),
            );
        }
        if sev >= 2 {
            c.note("Insecure immigration status: check for no recourse to public funds (NRPF). Mainstream benefits and homelessness help may be closed; ask the local authority about support under the Care Act or Children Act.".into());
        }
    }
}

fn isolation(c: &mut Ctx) {
    c.begin("isolation");
    if c.has("social_isolation") {
        c.rule("social_isolation");
        let sev = c.sev("social_isolation");
        let stage = stage(
            sev,
            "sees people less than they would like",
            "in contact with someone less than once a week",
            "no one to turn to and no regular contact with anyone",
        );
        let w = c.w("social_isolation_per_severity") * sev as f64;
        c.social(
            "social_isolation",
            w,
            format!("social isolation at severity {sev}: {stage}"),
        );
        if sev >= 3 {
            c.refer(
                "befriending",
                WithinThreeDays,
                format!("{stage}: regular contact starting this week"),
            );
        } else {
            c.refer("befriending", WithinTwoWeeks, stage.to_owned());
        }
        if sev >= 2 {
            c.refer(
                "faith_and_community",
                WithinTwoWeeks,
                format!("{stage}: a welcoming community group or faith group near home"),
            );
        }
        if c.lives == "alone" {
            c.rule("isolated_living_alone");
            let w = c.w("isolated_living_alone");
            c.social(
                "social_isolation",
                w,
                format!("isolated (severity {sev}) and lives alone: nobody at home either"),
            );
        }
    }
}

fn combinations(c: &mut Ctx) {
    c.begin("combinations");
    if c.has("eviction") && c.has("debt") {
        c.rule("eviction_debt");
        let e = c.sev("eviction");
        let d = c.sev("debt");
        let w = c.w("combo_eviction_debt");
        c.social("eviction+debt", w, format!("eviction (severity {e}) driven by debt (severity {d}): the arrears must be dealt with to save the home"));
        c.refer(
            "debt_advice",
            WithinThreeDays,
            "debt behind an eviction: a plan for the arrears to put before the landlord or court"
                .into(),
        );
        if c.has("social_isolation") {
            c.rule("eviction_debt_isolation");
            let i = c.sev("social_isolation");
            let w = c.w("combo_eviction_debt_isolation");
            c.social(
                "eviction+debt+social_isolation",
                w,
                format!(
                    "losing the home, in debt and isolated (severity {i}): nobody to help carry it"
                ),
            );
            c.note("Eviction, debt and isolation together: appoint one SICol lead worker to coordinate housing, debt and befriending so the person tells their story once.".into());
        }
    }
    if c.has("debt") && c.has("employment_loss") {
        c.rule("debt_employment_loss");
        let d = c.sev("debt");
        let w2 = c.sev("employment_loss");
        let w = c.w("combo_debt_employment");
        c.social(
            "debt+employment_loss",
            w,
            format!(
                "debt (severity {d}) after losing work (severity {w2}): no income to pay it back"
            ),
        );
        c.refer(
            "welfare_benefits",
            WithinThreeDays,
            "lost work and in debt: income maximisation before any debt plan".into(),
        );
    }
    let severe = c.count_stressors(3);
    let moderate = c.count_stressors(2);
    let mut severe_kinds = String::new();
    let mut severe_labels = String::new();
    let mut moderate_kinds = String::new();
    for &k in &c.stressors {
        if c.sev(k) >= 3 {
            if !severe_kinds.is_empty() {
                severe_kinds.push('+');
                severe_labels.push_str(", ");
            }
            severe_kinds.push_str(k);
            severe_labels.push_str(c.label(k));
        }
        if c.sev(k) >= 2 {
            if !moderate_kinds.is_empty() {
                moderate_kinds.push('+');
            }
            moderate_kinds.push_str(k);
        }
    }
    if severe >= c.wi("combo_severe_stressors_min") {
        c.rule("several_severe_stressors");
        let w = c.w("combo_severe_stressors");
        c.social(&severe_kinds, w, format!("{severe} severe stressors at once ({severe_labels}): each takes away the strength to face the others"));
        c.note(format!(
            "{severe} severe stressors at once: one SICol lead worker should coordinate every referral."
        ));
    }
    if severe >= c.wi("combo_many_severe_stressors_min") {
        c.rule("many_severe_stressors");
        let w = c.w("combo_many_severe_stressors");
        c.social(
            &severe_kinds,
            w,
            format!(
                "{severe} severe stressors at once ({severe_labels}): overwhelming social load"
            ),
        );
    }
    if moderate >= c.wi("combo_moderate_stressors_min") {
        c.rule("many_moderate_stressors");
        let w = c.w("combo_moderate_stressors");
        c.social(
            &moderate_kinds,
            w,
            format!("{moderate} stressors at moderate or severe level at the same time"),
        );
    }
}

fn medical_risk(c: &mut Ctx) {
    c.begin("medical_risk");
    if c.has("suicidal_ideation") {
        c.rule("suicidal_ideation");
        let sev = c.sev("suicidal_ideation");
        let stage = stage(
            sev,
            "fleeting thoughts of death",
            "persistent ideas of suicide without a plan",
            "a plan, the means to hand, or preparations made",
        );
        let w = c.w("suicidal_ideation_per_severity") * sev as f64;
        c.medical(
            "suicidal_ideation",
            w,
            format!("suicidal ideation at severity {sev}: {stage}"),
        );
        if sev >= 3 {
            c.floor(Urgency::High, format!("suicidal ideation with {stage}"));
            c.refer(
                "crisis_team",
                SameDay,
                format!(
                    "{stage}: crisis assessment and safety plan today; remove means where possible"
                ),
            );
        } else if sev == 2 {
            c.floor(Urgency::Moderate, stage.to_owned());
            c.refer(
                "community_mental_health",
                WithinThreeDays,
                format!("{stage}: assessment and a safety plan"),
            );
            c.note("Persistent suicidal ideas: give the crisis line number and agree a safety plan before the person leaves.".into());
        } else {
            c.refer(
                "gp_or_primary_care",
                WithinTwoWeeks,
                format!("{stage}: GP follow-up"),
            );
        }
    }
    if c.has("recent_suicide_attempt") {
        c.rule("recent_suicide_attempt");
        let sev = c.sev("recent_suicide_attempt");
        let stage = stage(
            sev,
            "attempt some weeks ago, now regretted",
            "attempt in the last few weeks, or ambivalent about having survived",
            "attempt in the last days, high lethality, or regrets surviving",
        );
        let w = c.w("recent_suicide_attempt_per_severity") * sev as f64;
        c.medical(
            "recent_suicide_attempt",
            w,
            format!("recent suicide attempt at severity {sev}: {stage}"),
        );
        c.floor(Urgency::High, format!("recent suicide attempt: {stage}"));
        c.refer(
            "crisis_team",
            Immediate,
            format!("recent suicide attempt ({stage}): crisis team assessment and follow-up"),
        );
        if sev >= 3 {
            c.rule("suicide_attempt_severe");
            c.floor(
                Urgency::VeryHigh,
                format!("{stage}: face-to-face assessment within 4 hours"),
            );
        }
        if sev >= 3 && c.sev("suicidal_ideation") >= 3 {
            c.rule("suicide_attempt_with_plan");
            c.floor(Urgency::Emergency, "a suicide attempt in the last days and a current plan or means: immediate danger to life".into());
        }
    }
    if c.has("self_harm") {
        c.rule("self_harm");
        let sev = c.sev("self_harm");
        let stage = stage(
            sev,
            "occasional superficial self-harm",
            "frequent or escalating self-harm",
            "self-harm needing medical treatment, or with unclear intent",
        );
        let w = c.w("self_harm_per_severity") * sev as f64;
        c.medical(
            "self_harm",
            w,
            format!("self-harm at severity {sev}: {stage}"),
        );
        if sev >= 3 {
            c.floor(Urgency::High, stage.to_owned());
            c.refer(
                "physical_health",
                SameDay,
                format!("{stage}: treat the injury"),
            );
            c.refer(
                "crisis_team",
                SameDay,
                format!("{stage}: psychosocial assessment"),
            );
        } else if sev == 2 {
            c.refer(
                "community_mental_health",
                WithinThreeDays,
                format!("{stage}: assessment and support"),
            );
        } else {
            c.refer(
                "gp_or_primary_care",
                WithinTwoWeeks,
                format!("{stage}: GP follow-up and wound care advice"),
            );
        }
    }
    if c.sev("suicidal_ideation") >= 2 && c.sev("substance_misuse") >= 2 {
        c.rule("risk_with_substance_use");
        let s = c.sev("suicidal_ideation");
        let u = c.sev("substance_misuse");
        let w = c.w("risk_with_substance_use");
        c.medical("suicidal_ideation+substance_misuse", w, format!("suicidal ideation (severity {s}) with substance misuse (severity {u}): disinhibition raises the risk of acting on it"));
    }
}

fn medical_illness(c: &mut Ctx) {
    c.begin("medical_illness");
    if c.has("psychosis") {
        c.rule("psychosis");
        let sev = c.sev("psychosis");
        let stage = stage(
            sev,
            "unusual beliefs or perceptual disturbance with insight",
            "hallucinations or delusions affecting daily life",
            "acting on delusions or voices, or unable to care for self",
        );
        let w = c.w("psychosis_per_severity") * sev as f64;
        c.medical(
            "psychosis",
            w,
            format!("psychosis at severity {sev}: {stage}"),
        );
        if sev >= 3 {
            c.floor(Urgency::High, format!("psychosis: {stage}"));
            c.refer(
                "crisis_team",
                SameDay,
                format!("{stage}: crisis assessment and home treatment"),
            );
        } else if sev == 2 {
            c.refer(
                "community_mental_health",
                WithinThreeDays,
                format!("{stage}: community team or early intervention in psychosis"),
            );
        } else {
            c.refer(
                "community_mental_health",
                WithinTwoWeeks,
                format!("{stage}: early intervention in psychosis assessment"),
            );
        }
    }
    if c.has("mania") {
        c.rule("mania");
        let sev = c.sev("mania");
        let stage = stage(
            sev,
            "elevated mood and reduced sleep",
            "pressured speech, disinhibition or reckless spending",
            "no sleep for days, unsafe behaviour or psychotic features",
        );
        let w = c.w("mania_per_severity") * sev as f64;
        c.medical("mania", w, format!("mania at severity {sev}: {stage}"));
        if sev >= 3 {
            c.floor(Urgency::High, format!("mania: {stage}"));
            c.refer(
                "crisis_team",
                SameDay,
                format!("{stage}: crisis assessment and home treatment"),
            );
        } else if sev == 2 {
            c.refer(
                "community_mental_health",
                WithinThreeDays,
                format!("{stage}: medication review"),
            );
        } else {
            c.refer(
                "community_mental_health",
                WithinTwoWeeks,
                format!("{stage}: review before it escalates"),
            );
        }
        if sev >= 2 && c.has("debt") {
            c.note("Mania with debt: reckless spending may be part of the illness. Debt advisers can ask creditors to write off or pause debts run up while unwell.".into());
        }
    }
    if c.has("severe_depression") {
        c.rule("severe_depression");
        let sev = c.sev("severe_depression");
        let stage = stage(
            sev,
            "low mood most days, still managing",
            "withdrawn, not managing daily tasks, hopeless",
            "not eating or drinking, not getting up, or depressive stupor or delusions",
        );
        let w = c.w("severe_depression_per_severity") * sev as f64;
        c.medical(
            "severe_depression",
            w,
            format!("severe depression at severity {sev}: {stage}"),
        );
        if sev >= 3 {
            c.floor(Urgency::High, format!("severe depression: {stage}"));
            c.refer(
                "crisis_team",
                SameDay,
                format!("{stage}: crisis assessment"),
            );
            c.refer(
                "gp_or_primary_care",
                SameDay,
                format!("{stage}: physical check for dehydration and malnutrition"),
            );
        } else if sev == 2 {
            c.refer(
                "community_mental_health",
                WithinThreeDays,
                format!("{stage}: treatment review"),
            );
        } else {
            c.refer(
                "gp_or_primary_care",
                WithinTwoWeeks,
                format!("{stage}: GP review and talking therapies"),
            );
        }
    }
    if c.has("substance_misuse") {
        c.rule("substance_misuse");
        let sev = c.sev("substance_misuse");
        let stage = stage(
            sev,
            "use increased under stress",
            "daily use or dependence",
            "intoxication or withdrawal posing risk, or a recent overdose",
        );
        let w = c.w("substance_misuse_per_severity") * sev as f64;
        c.medical(
            "substance_misuse",
            w,
            format!("substance misuse at severity {sev}: {stage}"),
        );
        if sev >= 3 {
            c.floor(Urgency::High, format!("substance misuse: {stage}"));
            c.refer(
                "substance_misuse_service",
                SameDay,
                format!("{stage}: urgent treatment and harm reduction (naloxone)"),
            );
            c.refer(
                "physical_health",
                SameDay,
                format!("{stage}: medical check for intoxication, withdrawal or overdose"),
            );
        } else if sev == 2 {
            c.refer(
                "substance_misuse_service",
                WithinThreeDays,
                format!("{stage}: treatment and recovery support"),
            );
        } else {
            c.refer(
                "substance_misuse_service",
                WithinTwoWeeks,
                format!("{stage}: brief advice and recovery support"),
            );
        }
    }
    if c.has("medication_nonadherence") {
        c.rule("medication_nonadherence");
        let sev = c.sev("medication_nonadherence");
        let stage = stage(
            sev,
            "missing some doses",
            "stopped medication in the last weeks",
            "stopped for some time with relapse, or depot missed",
        );
        let w = c.w("medication_nonadherence_per_severity") * sev as f64;
        c.medical(
            "medication_nonadherence",
            w,
            format!("medication non-adherence at severity {sev}: {stage}"),
        );
        if sev >= 2 {
            c.refer(
                "community_mental_health",
                WithinThreeDays,
                format!("{stage}: medication review, asking why they stopped (side effects, cost, belief)"),
            );
        } else {
            c.refer(
                "gp_or_primary_care",
                WithinTwoWeeks,
                format!("{stage}: medication review"),
            );
        }
    }
    if c.sev("medication_nonadherence") >= 2 && (c.has("psychosis") || c.has("mania")) {
        c.rule("relapse_off_medication");
        let n = c.sev("medication_nonadherence");
        let mut kinds = "medication_nonadherence".to_owned();
        let mut illness = String::new();
        if c.has("psychosis") {
            kinds.push_str("+psychosis");
            illness.push_str("psychosis");
        }
        if c.has("mania") {
            kinds.push_str("+mania");
            if !illness.is_empty() {
                illness.push_str(" and ");
            }
            illness.push_str("mania");
        }
        let w = c.w("relapse_off_medication");
        c.medical(
            &kinds,
            w,
            format!("stopped medication (severity {n}) with {illness} present: the usual route to relapse"),
        );
        c.refer(
            "community_mental_health",
            SameDay,
            format!(
                "off medication with {illness}: restart or review treatment before relapse deepens"
            ),
        );
    }
    if c.has("previous_admissions") {
        c.rule("previous_admissions");
        let sev = c.sev("previous_admissions");
        let stage = stage(
            sev,
            "one admission more than two years ago",
            "several admissions, or one in the last two years",
            "detained under the Mental Health Act in the last year, or repeatedly",
        );
        let w = c.w("previous_admissions_per_severity") * sev as f64;
        c.medical(
            "previous_admissions",
            w,
            format!("previous admissions at severity {sev}: {stage}"),
        );
        c.note(format!("Previous admissions ({stage}): look for an existing crisis plan or advance statement and follow the person's stated wishes."));
    }
}

fn medical_physical(c: &mut Ctx) {
    c.begin("medical_physical");
    if c.has("cognitive_impairment") {
        c.rule("cognitive_impairment");
        let sev = c.sev("cognitive_impairment");
        let stage = stage(
            sev,
            "forgetful, manages with prompts",
            "disoriented at times, misses meals or medication without support",
            "cannot recognise risks or keep safe, or delirium suspected",
        );
        let w = c.w("cognitive_impairment_per_severity") * sev as f64;
        c.medical(
            "cognitive_impairment",
            w,
            format!("cognitive impairment at severity {sev}: {stage}"),
        );
        if sev >= 3 {
            c.floor(Urgency::High, format!("cognitive impairment: {stage}"));
            c.refer(
                "physical_health",
                SameDay,
                format!("{stage}: rule out delirium (infection, dehydration, medication)"),
            );
            c.refer(
                "independent_living",
                SameDay,
                format!("{stage}: care to keep them safe at home"),
            );
        } else if sev == 2 {
            c.refer(
                "gp_or_primary_care",
                WithinThreeDays,
                format!("{stage}: memory assessment and medication support"),
            );
            c.refer(
                "independent_living",
                WithinThreeDays,
                format!("{stage}: prompts and care at home"),
            );
        } else {
            c.refer(
                "gp_or_primary_care",
                WithinTwoWeeks,
                format!("{stage}: memory assessment"),
            );
        }
        if sev >= 2 {
            c.refer(
                "advocacy",
                WithinTwoWeeks,
                format!(
                    "{stage}: advocate for care decisions; assess capacity decision by decision"
                ),
            );
        }
    }
    if c.has("acute_physical_illness") {
        c.rule("acute_physical_illness");
        let sev = c.sev("acute_physical_illness");
        let stage = stage(
            sev,
            "minor illness under treatment",
            "illness needing medical review today",
            "needs emergency medical care now",
        );
        let w = c.w("acute_physical_illness_per_severity") * sev as f64;
        c.medical(
            "acute_physical_illness",
            w,
            format!("acute physical illness at severity {sev}: {stage}"),
        );
        if sev >= 3 {
            c.floor(
                Urgency::Emergency,
                format!("acute physical illness: {stage}"),
            );
            c.refer(
                "physical_health",
                Immediate,
                format!("{stage}: emergency department"),
            );
        } else if sev == 2 {
            c.refer(
                "gp_or_primary_care",
                SameDay,
                format!("{stage}: same-day medical review"),
            );
            c.note("Acute physical illness needing review today: rule out a physical cause (infection, dehydration, delirium) before concluding the crisis is psychiatric.".into());
        } else {
            c.refer(
                "gp_or_primary_care",
                WithinTwoWeeks,
                format!("{stage}: GP follow-up"),
            );
        }
    }
}

fn strengths(c: &mut Ctx) {
    c.begin("strengths");
    let strengths = c.strengths.clone();
    for k in strengths {
        let name = c.label(k);
        let protective = |c: &mut Ctx, weight: &str, why: &str| {
            let w = c.w(weight);
            c.add(k, Domain::Protective, w, why.to_owned());
        };
        match k {
            "family_support" => {
                c.rule("family_support");
                protective(
                    c,
                    "strength_family_support",
                    "family who stay in touch and can help",
                );
                c.five_p(
                    Protective,
                    format!("{name}: family can help carry the plan"),
                );
                c.note(
                    "Family support recorded: with the person's consent, involve them in the plan."
                        .into(),
                );
            }
            "friend_support" => {
                c.rule("friend_support");
                protective(
                    c,
                    "strength_friend_support",
                    "friends or neighbours they can call on",
                );
                c.five_p(
                    Protective,
                    format!("{name}: friends or neighbours to call on"),
                );
            }
            "stable_housing" => {
                c.rule("stable_housing");
                protective(c, "strength_stable_housing", "a secure, suitable home");
                c.five_p(Protective, format!("{name}: a secure home to recover in"));
                if c.has("eviction") || c.has("homelessness") || c.has("housing_insecurity") {
                    c.note("Stable housing is recorded as a strength but a housing stressor is also recorded: check which is right.".into());
                }
            }
            "engaged_with_services" => {
                c.rule("engaged_with_services");
                protective(
                    c,
                    "strength_engaged_with_services",
                    "attends and works with GP or support services",
                );
                c.five_p(Protective, format!("{name}: already working with services"));
                c.note("Engaged with services: tell the existing care coordinator or GP about this crisis.".into());
            }
            "faith_or_community" => {
                c.rule("faith_or_community");
                protective(
                    c,
                    "strength_faith_or_community",
                    "belongs to a faith or community group",
                );
                c.five_p(
                    Protective,
                    format!("{name}: belongs to a faith or community group"),
                );
                c.refer("faith_and_community", ReferralUrgency::Routine, "already belongs to a faith or community group: with consent, let them help with practical support and company".into());
            }
            "employment_or_purpose" => {
                c.rule("employment_or_purpose");
                protective(
                    c,
                    "strength_employment_or_purpose",
                    "work, volunteering or study giving structure and meaning",
                );
                c.five_p(
                    Protective,
                    format!("{name}: a role that gives structure and meaning"),
                );
            }
            "caring_role_or_pet" => {
                c.rule("caring_role_or_pet");
                protective(
                    c,
                    "strength_caring_role_or_pet",
                    "someone or an animal to care for, a reason to keep going",
                );
                c.five_p(Protective, format!("{name}: a reason to keep going"));
                c.note("Caring role or pet: any plan that takes the person away from home must arrange care for whoever depends on them.".into());
            }
            "insight" => {
                c.rule("insight");
                protective(
                    c,
                    "strength_insight",
                    "understands what is happening and accepts help",
                );
                c.five_p(
                    Protective,
                    format!("{name}: understands what is happening and accepts help"),
                );
            }
            "coping_skills" => {
                c.rule("coping_skills");
                protective(
                    c,
                    "strength_coping_skills",
                    "has ways of managing distress that worked before",
                );
                c.five_p(
                    Protective,
                    format!("{name}: coping strategies that worked before"),
                );
            }
            _ => {
                c.rule("other_strength");
                let w = c.w("strength_other");
                c.add(
                    k,
                    Domain::Protective,
                    w,
                    format!("{name} recorded as a strength"),
                );
                c.five_p(Protective, name.to_owned());
            }
        }
    }
}

fn context(c: &mut Ctx) {
    c.begin("context");
    if c.referral_source == "police_s136" {
        c.rule("section_136");
        c.note("Police section 136: the person can be held for up to 24 hours for assessment. If the formulation is social-led, a SICol lead worker can take the plan forward so the person can go home.".into());
    } else if c.referral_source == "emergency_department" {
        c.rule("emergency_department");
        c.note("Referred from the emergency department: check physical causes have been ruled out, and agree the discharge plan with ED staff.".into());
    }
    if c.lives == "hospital" {
        c.rule("in_hospital");
        c.note("The person is in hospital: plan for discharge now, so that social problems (housing, money, care) are solved before they leave, not after.".into());
    }
}

fn five_ps(c: &mut Ctx) {
    c.begin("five_ps");
    let began_days = c.wi("precipitating_began_within_days");
    let due_days = c.wi("precipitating_due_within_days");
    let lasting_days = c.wi("perpetuating_lasting_over_days");

    c.rule("presenting");
    let mut presenting_count = 0;
    let medical = c.medical.clone();
    for m in medical {
        let history = m == "previous_admissions" || (m == "cognitive_impairment" && c.sev(m) < 3);
        if !history {
            let sev = c.sev(m);
            let text = format!("{} (severity {sev})", c.label(m));
            c.five_p(Presenting, text);
            presenting_count += 1;
        }
    }
    if presenting_count == 0 && c.count_stressors(1) > 0 {
        let names: Vec<&str> = c.stressors.iter().map(|s| c.label(s)).collect();
        c.five_p(
            Presenting,
            format!("Distress in a social crisis: {}", names.join(", ")),
        );
    }

    c.rule("predisposing");
    for kind in ["previous_admissions", "cognitive_impairment"] {
        if c.has(kind) {
            let sev = c.sev(kind);
            let text = format!("{} (severity {sev})", c.label(kind));
            c.five_p(Predisposing, text);
        }
    }
    match c.lives {
        "alone" => c.five_p(Predisposing, "Lives alone".into()),
        "homeless" => c.five_p(Predisposing, "No settled home".into()),
        "supported_housing" => c.five_p(Predisposing, "Lives in supported housing".into()),
        _ => {}
    }
    let a = c.age;
    if a >= c.wi("older_age_years") {
        c.five_p(Predisposing, format!("Older age ({a})"));
    }

    c.rule("precipitating");
    let stressors = c.stressors.clone();
    for &s in &stressors {
        let sev = c.sev(s);
        if c.has_due(s) && c.due_within(s, due_days as f64) {
            let d = c.days_until_due(s);
            let text = if d < 0 {
                format!(
                    "{} (severity {sev}): date passed {} days ago",
                    c.label(s),
                    -d
                )
            } else {
                format!("{} (severity {sev}): due in {d} days", c.label(s))
            };
            c.five_p(Precipitating, text);
        } else if c.began_within(s, began_days as f64) {
            let text = format!(
                "{} (severity {sev}): began in the last {began_days} days",
                c.label(s)
            );
            c.five_p(Precipitating, text);
        }
    }
    if c.has("medication_nonadherence")
        && c.began_within("medication_nonadherence", began_days as f64)
    {
        let sev = c.sev("medication_nonadherence");
        let text = format!(
            "{} (severity {sev}): began in the last {began_days} days",
            c.label("medication_nonadherence")
        );
        c.five_p(Precipitating, text);
    }

    c.rule("perpetuating");
    for &s in &stressors {
        let sev = c.sev(s);
        if c.lasting_over(s, lasting_days as f64) {
            let text = format!(
                "{} (severity {sev}): ongoing for more than {lasting_days} days",
                c.label(s)
            );
            c.five_p(Perpetuating, text);
        } else if sev >= 3 {
            let text = format!("{} (severity {sev}): severe and unresolved", c.label(s));
            c.five_p(Perpetuating, text);
        }
    }
    for m in ["substance_misuse", "medication_nonadherence"] {
        if c.has(m) && c.lasting_over(m, lasting_days as f64) {
            let sev = c.sev(m);
            let text = format!(
                "{} (severity {sev}): ongoing for more than {lasting_days} days",
                c.label(m)
            );
            c.five_p(Perpetuating, text);
        }
    }
}
