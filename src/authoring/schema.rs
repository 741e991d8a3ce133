//! JSON Schemas for the files people edit: assessments, rule test cases, `ruleset.yaml`,
//! `vocabulary.yaml` and `partners.yaml`, written by `sicol schema` so that an editor with a YAML
//! language server validates them and completes field names and kinds as they type.
//!
//! The schemas are generated from the Rust types that read the files (with `schemars`), so they
//! cannot drift from what sicol accepts; then the vocabulary's kinds, referral categories, living
//! situations and referral sources, the rule set's recommendations and rule names are written in
//! as `enum`s, each with its label and severity anchors as the description an editor shows.
//! Draft-07, which every YAML language server supports.

use schemars::generate::SchemaSettings;
use schemars::JsonSchema;
use serde_json::{json, Value};

use super::cases::{Expect, EXPECT_KEY, NO_LEAD};
use super::declared::declared_rules;
use crate::model::{Assessment, KindInfo, Section, Vocabulary};
use crate::rules::{RuleSet, RuleSetConfig};

/// One generated schema file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SchemaFile {
    /// The file name to write it under, such as `assessment.schema.json`.
    pub file_name: &'static str,
    /// What it validates, for the command's output.
    pub validates: &'static str,
    /// The schema as pretty-printed JSON with a final newline.
    pub text: String,
}

/// The partner directory as `partners.yaml` lays it out (see the comment at the top of that
/// file). Only the schema is generated from it: `referrals::partners` reads the directory, and
/// parses `hours` by hand for better messages, so it has no typed layout to derive from. Keep the
/// two in step when a field is added to either.
#[derive(Debug, JsonSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct PartnerDirectory {
    /// The partners a formulation can refer to.
    partners: Vec<Partner>,
}

/// One partner service.
#[derive(Debug, JsonSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct Partner {
    /// Unique, lower-kebab-case; saved records refer to it, so never reuse or rename one.
    #[schemars(regex(pattern = r"^[a-z0-9]+(-[a-z0-9]+)*$"))]
    id: String,
    /// The name the assessor and the person see.
    name: String,
    /// Keys of `referral_categories` in vocabulary.yaml.
    #[schemars(length(min = 1))]
    categories: Vec<String>,
    /// A phone number (quoted) or an e-mail address.
    contact: String,
    /// `always`, or a list of opening windows in UK local time.
    hours: Hours,
    /// Whether the partner can take and act on a referral the same day.
    same_day: bool,
    /// Whether the partner can act as the case's lead coordinator (one case worker).
    #[serde(default)]
    can_coordinate: bool,
    /// Who the partner serves.
    eligibility: Option<Eligibility>,
    /// The highest triage code (A–F) the service can safely hold.
    #[schemars(regex(pattern = r"^[A-F]$"))]
    max_risk: Option<String>,
    /// How soon, in hours, it responds face to face while open.
    #[schemars(range(min = 1))]
    responds_within_hours: Option<u32>,
    /// Takes only referrals needed today.
    #[serde(default)]
    urgent_only: bool,
    /// How a referral reaches it: `professional` (default), `self`, or `{ via: [partner-id] }`.
    route: Option<Route>,
}

/// How a referral reaches a partner.
#[derive(Debug, JsonSchema)]
#[serde(untagged)]
#[allow(dead_code)]
enum Route {
    /// `professional` or `self`.
    Word(RouteWord),
    /// Only through other partners.
    Via(RouteVia),
}

/// A route in one word.
#[derive(Debug, JsonSchema)]
#[serde(rename_all = "snake_case")]
#[allow(dead_code)]
enum RouteWord {
    /// Any professional refers.
    Professional,
    /// The person can contact the partner themselves.
    #[serde(rename = "self")]
    SelfReferral,
}

/// Referrals go only through these partners.
#[derive(Debug, JsonSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct RouteVia {
    /// Partner ids, in the order to try them.
    via: Vec<String>,
}

/// The situation in which a partner serves one category.
#[derive(Debug, JsonSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct Situation {
    /// Any of these kinds recorded.
    #[serde(default)]
    recorded: Vec<String>,
    /// The severity a recorded kind must reach.
    #[schemars(range(min = 1, max = 3))]
    min_severity: Option<u8>,
    /// The severity a recorded kind must not pass.
    #[schemars(range(min = 1, max = 3))]
    max_severity: Option<u8>,
    /// Any of these medical kinds recorded as a first episode.
    #[serde(default)]
    first_episode: Vec<String>,
    /// The person has dependants.
    #[serde(default)]
    with_dependants: bool,
}

/// A gender a single-gender service serves.
#[derive(Debug, JsonSchema)]
#[serde(rename_all = "snake_case")]
#[allow(dead_code)]
enum GenderServed {
    /// Women.
    Woman,
    /// Men.
    Man,
    /// Non-binary people.
    NonBinary,
    /// Another gender.
    Other,
}

/// When a partner can be reached.
#[derive(Debug, JsonSchema)]
#[serde(untagged)]
#[allow(dead_code)]
enum Hours {
    /// Open all day, every day.
    Always(AlwaysOpen),
    /// Opening windows.
    Windows(Vec<Window>),
}

/// The word `always`.
#[derive(Debug, JsonSchema)]
#[serde(rename_all = "snake_case")]
#[allow(dead_code)]
enum AlwaysOpen {
    /// 24 hours a day, 7 days a week.
    Always,
}

/// One opening window.
#[derive(Debug, JsonSchema)]
#[allow(dead_code)]
struct Window {
    /// The days it applies to.
    days: Vec<Weekday>,
    /// Opening time, "HH:MM".
    #[schemars(regex(pattern = r"^([01][0-9]|2[0-3]):[0-5][0-9]$"))]
    open: String,
    /// Closing time, "HH:MM", later than `open`.
    #[schemars(regex(pattern = r"^([01][0-9]|2[0-3]):[0-5][0-9]$"))]
    close: String,
}

/// A day of the week.
#[derive(Debug, JsonSchema)]
#[serde(rename_all = "snake_case")]
#[allow(dead_code)]
enum Weekday {
    /// Monday.
    Mon,
    /// Tuesday.
    Tue,
    /// Wednesday.
    Wed,
    /// Thursday.
    Thu,
    /// Friday.
    Fri,
    /// Saturday.
    Sat,
    /// Sunday.
    Sun,
}

/// Who a partner serves.
#[derive(Debug, JsonSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct Eligibility {
    /// Youngest age served, inclusive.
    min_age: Option<u32>,
    /// Oldest age served, inclusive.
    max_age: Option<u32>,
    /// Living situations served (keys of `living_situations` in vocabulary.yaml); empty means all.
    #[serde(default)]
    lives: Vec<String>,
    /// A single-gender service: the genders it serves; empty means all.
    #[serde(default)]
    gender: Vec<GenderServed>,
    /// Per referral category, the situation in which the partner serves it.
    #[serde(default)]
    only_when: std::collections::BTreeMap<String, Situation>,
    /// For people: how to refer, what to expect. Never a limit.
    note: Option<String>,
}

/// Every schema, with the rule set's vocabulary, recommendations and rule names written in.
pub fn schemas(ruleset: &RuleSet) -> Vec<SchemaFile> {
    let vocabulary = &ruleset.vocabulary;
    let assessment = assessment_schema(vocabulary);
    let test_case = test_case_schema(assessment.clone(), ruleset);
    let mut config = root_schema::<RuleSetConfig>(
        "sicol rule set (ruleset.yaml)",
        "Name, version, weights, thresholds, the recommendation ladder and the scripts in evaluation order",
    );
    set_enum(
        &mut config,
        "/properties/scripts/items/properties/when/items",
        all_kinds(vocabulary),
    );
    let vocabulary_schema = root_schema::<Vocabulary>(
        "sicol vocabulary (vocabulary.yaml)",
        "Every kind, referral category, living situation and referral source sicol knows",
    );
    let mut partners = root_schema::<PartnerDirectory>(
        "sicol partner directory (partners.yaml)",
        "The local services a formulation can refer to",
    );
    set_enum(
        &mut partners,
        "/properties/partners/items/properties/categories/items",
        categories(vocabulary),
    );
    [
        ("assessment.schema.json", "assessments", assessment),
        (
            "rules-test.schema.json",
            "rule test cases (rules/tests/*.yaml)",
            test_case,
        ),
        ("ruleset.schema.json", "ruleset.yaml", config),
        (
            "vocabulary.schema.json",
            "vocabulary.yaml",
            vocabulary_schema,
        ),
        ("partners.schema.json", "partners.yaml", partners),
    ]
    .into_iter()
    .map(|(file_name, validates, schema)| SchemaFile {
        file_name,
        validates,
        text: format!(
            "{}\n",
            serde_json::to_string_pretty(&schema).unwrap_or_default()
        ),
    })
    .collect()
}

/// The schema of `T` as draft-07 JSON with every sub-schema written in place, which is what
/// editors complete best.
fn root_schema<T: JsonSchema>(title: &str, description: &str) -> Value {
    let generator = SchemaSettings::draft07()
        .with(|settings| settings.inline_subschemas = true)
        .into_generator();
    let mut schema = generator.into_root_schema_for::<T>().to_value();
    if let Some(object) = schema.as_object_mut() {
        object.insert("title".to_owned(), json!(title));
        object.insert("description".to_owned(), json!(description));
    }
    schema
}

fn assessment_schema(vocabulary: &Vocabulary) -> Value {
    let mut schema = root_schema::<Assessment>(
        "sicol assessment",
        "One crisis assessment: the person, how they came, stressors, medical factors, strengths and wishes; kinds are those of rules/vocabulary.yaml",
    );
    for section in Section::ALL {
        let kinds = vocabulary
            .kinds(section)
            .iter()
            .map(|(kind, info)| (kind.clone(), describe_kind(info)))
            .collect();
        set_enum(
            &mut schema,
            &format!("/properties/{}/items/properties/kind", section.key()),
            kinds,
        );
    }
    let labelled = |map: &indexmap::IndexMap<String, String>| -> Vec<(String, String)> {
        map.iter()
            .map(|(key, label)| (key.clone(), label.clone()))
            .collect()
    };
    set_enum(
        &mut schema,
        "/properties/person/properties/lives",
        labelled(&vocabulary.living_situations),
    );
    set_enum(
        &mut schema,
        "/properties/context/properties/referral_source",
        labelled(&vocabulary.referral_sources),
    );
    schema
}

fn test_case_schema(mut schema: Value, ruleset: &RuleSet) -> Value {
    let mut expect = root_schema::<Expect>("", "");
    if let Some(object) = expect.as_object_mut() {
        object.remove("$schema");
        object.remove("title");
        object.insert(
            "description".to_owned(),
            json!("What the rules must make of this case; every field is optional"),
        );
    }
    let options = ruleset
        .config
        .recommendations
        .iter()
        .map(|rung| (rung.option.clone(), rung.label.clone()))
        .collect();
    set_enum(&mut expect, "/properties/recommendation", options);
    let categories = categories(&ruleset.vocabulary);
    for list in ["referrals", "no_referrals"] {
        set_enum(
            &mut expect,
            &format!("/properties/{list}/items"),
            categories.clone(),
        );
    }
    if let Some(urgency) = expect.pointer_mut("/properties/referral_urgency") {
        let keys: Vec<&str> = categories.iter().map(|(key, _)| key.as_str()).collect();
        urgency["propertyNames"] = json!({ "enum": keys });
    }
    let rules: Vec<(String, String)> = declared_rules(ruleset)
        .into_iter()
        .map(|rule| (rule, String::new()))
        .collect();
    for list in ["rules_fired", "rules_not_fired"] {
        set_enum(
            &mut expect,
            &format!("/properties/{list}/items"),
            rules.clone(),
        );
    }
    let partners: Vec<(String, String)> = ruleset
        .partners
        .partners()
        .iter()
        .map(|partner| (partner.id.clone(), partner.name.clone()))
        .collect();
    for list in ["partners", "no_partners"] {
        set_enum(
            &mut expect,
            &format!("/properties/{list}/items"),
            partners.clone(),
        );
    }
    let mut leads = partners;
    leads.push((
        NO_LEAD.to_owned(),
        "The plan has no lead coordinator".to_owned(),
    ));
    set_enum(&mut expect, "/properties/lead_coordinator", leads);
    if let Some(object) = schema.as_object_mut() {
        object.insert("title".to_owned(), json!("sicol rule test case"));
        object.insert(
            "description".to_owned(),
            json!("An assessment plus the outcome the rules must give it (see rules/README.md)"),
        );
    }
    if let Some(properties) = schema.get_mut("properties").and_then(Value::as_object_mut) {
        properties.insert(EXPECT_KEY.to_owned(), expect);
    }
    if let Some(required) = schema.get_mut("required").and_then(Value::as_array_mut) {
        required.push(json!(EXPECT_KEY));
    }
    schema
}

/// A kind's label, description and severity anchors, as an editor shows them.
fn describe_kind(info: &KindInfo) -> String {
    let mut text = format!("{}: {}", info.label, info.description);
    for (level, meaning) in &info.severity {
        text.push_str(&format!(" | {level}: {meaning}"));
    }
    text
}

fn all_kinds(vocabulary: &Vocabulary) -> Vec<(String, String)> {
    Section::ALL
        .into_iter()
        .flat_map(|section| {
            vocabulary.kinds(section).iter().map(move |(kind, info)| {
                (kind.clone(), format!("{} ({})", info.label, section.noun()))
            })
        })
        .collect()
}

fn categories(vocabulary: &Vocabulary) -> Vec<(String, String)> {
    vocabulary
        .referral_categories
        .iter()
        .map(|(key, info)| (key.clone(), format!("{}: {}", info.label, info.description)))
        .collect()
}

/// Makes the string at `pointer` one of `values` (name, description). The pointers name fields
/// of sicol's own types, so a missing one is a bug the schema tests catch.
fn set_enum(schema: &mut Value, pointer: &str, values: Vec<(String, String)>) {
    let Some(target) = schema.pointer_mut(pointer).and_then(Value::as_object_mut) else {
        debug_assert!(false, "no schema at {pointer}");
        return;
    };
    let (names, descriptions): (Vec<String>, Vec<String>) = values.into_iter().unzip();
    target.insert("type".to_owned(), json!("string"));
    target.insert("enum".to_owned(), json!(names));
    if descriptions
        .iter()
        .any(|description| !description.is_empty())
    {
        // Not part of JSON Schema; VS Code and yaml-language-server show them beside each value.
        target.insert("enumDescriptions".to_owned(), json!(descriptions));
    }
}
