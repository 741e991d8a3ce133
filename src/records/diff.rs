//! Field-by-field difference between a recorded formulation and a recomputed one.
//!
//! The diff works on JSON values, not on the `Formulation` type, so fields added to the
//! formulation later are compared without any change here. Lists of objects that carry an identity
//! (a factor's kind and rule, a need's category, a referral's partner) are matched by it, so one
//! factor more or less shows as that factor added or removed rather than every later one changed.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use serde::Serialize;
use serde_json::Value;

use crate::model::Urgency;

/// One field that differs, by its path such as `factors[3].weight`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FieldChange {
    /// Where, such as `factors[3].weight` or `five_ps.protective[1]`.
    pub path: String,
    /// The recorded value; none when the field is new.
    pub old: Option<Value>,
    /// The recomputed value; none when the field is gone.
    pub new: Option<Value>,
}

/// What happened to one identified item of a list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ItemChangeKind {
    /// Only in the recomputed formulation.
    Added,
    /// Only in the recorded one.
    Removed,
    /// In both, with different fields.
    Changed,
}

/// A factor, need or referral (or any identified list item) added, removed or changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ItemChange {
    /// The list's path, such as `factors`.
    pub list: String,
    /// The item's identity, such as `eviction by housing.eviction_imminent`.
    pub item: String,
    /// What happened to it.
    pub change: ItemChangeKind,
}

/// Everything that differs between two formulations.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct Drift {
    /// Every differing field, in document order.
    pub fields: Vec<FieldChange>,
    /// Identified list items added, removed or changed.
    pub items: Vec<ItemChange>,
}

/// Top-level fields that are expected to differ when replaying under another rule set.
pub const RULESET_FIELD: &str = "ruleset";

/// The top-level fields a reader looks at first, in that order.
pub const HEADLINE_FIELDS: &[&str] = &["balance", "urgency", "recommendation"];

/// The top-level lists whose changes count as referral changes.
pub const REFERRAL_LISTS: &[&str] = &["needs", "referrals"];

/// Fields, in order of preference, that identify an object in a list. `kind` with `rule` names a
/// factor; `partner` a referral; `category` a need; the rest cover reasons, choices and warnings.
const IDENTITY_FIELDS: &[&[&str]] = &[
    &["kind", "rule"],
    &["partner", "category"],
    &["partner"],
    &["category"],
    &["referral"],
    &["rule", "why"],
    &["file", "rule"],
];

impl Drift {
    /// Compares a recorded formulation (`old`) with a recomputed one (`new`).
    pub fn between(old: &Value, new: &Value) -> Drift {
        let mut drift = Drift::default();
        drift.compare("", old, new);
        drift
    }

    /// True when nothing differs.
    pub fn is_empty(&self) -> bool {
        self.fields.is_empty()
    }

    /// The same drift without the changes under one top-level field (for instance `ruleset`,
    /// which always differs when replaying under another rule set).
    pub fn without(mut self, field: &str) -> Drift {
        let under = |path: &str| {
            path == field
                || path.starts_with(&format!("{field}."))
                || path.starts_with(&format!("{field}["))
        };
        self.fields.retain(|change| !under(&change.path));
        self.items.retain(|item| !under(&item.list));
        self
    }

    /// The change to one top-level scalar field, such as `balance`, as (old, new) text.
    pub fn scalar(&self, field: &str) -> Option<(String, String)> {
        self.fields
            .iter()
            .find(|change| change.path == field)
            .map(|change| (short(change.old.as_ref()), short(change.new.as_ref())))
    }

    /// Whether urgency went up or down, if it changed to and from known levels.
    pub fn urgency_direction(&self) -> Option<std::cmp::Ordering> {
        let change = self.fields.iter().find(|change| change.path == "urgency")?;
        let level = |value: Option<&Value>| -> Option<Urgency> {
            value
                .and_then(Value::as_str)
                .and_then(|text| text.parse().ok())
        };
        let (old, new) = (level(change.old.as_ref())?, level(change.new.as_ref())?);
        Some(new.cmp(&old))
    }

    /// Whether any referral list (needs, referrals) changed.
    pub fn touches_referrals(&self) -> bool {
        self.fields.iter().any(|change| {
            REFERRAL_LISTS
                .iter()
                .any(|list| top_field(&change.path) == *list)
        })
    }

    /// What a person looks at first: balance, urgency and recommendation, then every factor,
    /// need or referral (any identified item of a top-level list) added, removed or changed.
    pub fn headlines(&self) -> Vec<String> {
        let mut lines = Vec::new();
        for field in HEADLINE_FIELDS {
            if let Some((old, new)) = self.scalar(field) {
                let direction = match (*field, self.urgency_direction()) {
                    ("urgency", Some(std::cmp::Ordering::Greater)) => " (up)",
                    ("urgency", Some(std::cmp::Ordering::Less)) => " (down)",
                    _ => "",
                };
                lines.push(format!("{field}: {old} → {new}{direction}"));
            }
        }
        lines.extend(
            self.items
                .iter()
                .filter(|item| top_field(&item.list) == item.list)
                .map(ItemChange::to_string),
        );
        lines
    }

    fn compare(&mut self, path: &str, old: &Value, new: &Value) {
        match (old, new) {
            (Value::Object(old_map), Value::Object(new_map)) => {
                // Sorted explicitly so the report reads the same whatever order the maps keep.
                let keys: BTreeSet<&String> = old_map.keys().chain(new_map.keys()).collect();
                for key in keys {
                    let child = join(path, key);
                    match (old_map.get(key), new_map.get(key)) {
                        (Some(old_value), Some(new_value)) => {
                            self.compare(&child, old_value, new_value)
                        }
                        (old_value, new_value) => self.push(child, old_value, new_value),
                    }
                }
            }
            (Value::Array(old_items), Value::Array(new_items)) => {
                match (identities(old_items), identities(new_items)) {
                    (Some(old_ids), Some(new_ids)) => {
                        self.compare_identified(path, old_items, &old_ids, new_items, &new_ids)
                    }
                    _ => self.compare_by_position(path, old_items, new_items),
                }
            }
            _ if old == new => {}
            (Value::String(old_text), Value::String(new_text))
                if same_wording(old_text, new_text) => {}
            _ => self.push(path.to_owned(), Some(old), Some(new)),
        }
    }

    fn compare_by_position(&mut self, path: &str, old_items: &[Value], new_items: &[Value]) {
        for index in 0..old_items.len().max(new_items.len()) {
            let child = format!("{path}[{index}]");
            match (old_items.get(index), new_items.get(index)) {
                (Some(old), Some(new)) => self.compare(&child, old, new),
                (old, new) => self.push(child, old, new),
            }
        }
    }

    /// Matches items by identity; paths use the item's index in the recomputed list (or in the
    /// recorded list for a removed item).
    fn compare_identified(
        &mut self,
        path: &str,
        old_items: &[Value],
        old_ids: &[String],
        new_items: &[Value],
        new_ids: &[String],
    ) {
        let old_index: BTreeMap<&str, usize> = old_ids
            .iter()
            .enumerate()
            .map(|(index, id)| (id.as_str(), index))
            .collect();
        let new_set: BTreeSet<&str> = new_ids.iter().map(String::as_str).collect();
        for (index, old) in old_items.iter().enumerate() {
            if !new_set.contains(old_ids[index].as_str()) {
                self.push(format!("{path}[{index}]"), Some(old), None);
                self.item(path, &old_ids[index], ItemChangeKind::Removed);
            }
        }
        let mut matched_in_order = Vec::new();
        for (index, new) in new_items.iter().enumerate() {
            let child = format!("{path}[{index}]");
            match old_index.get(new_ids[index].as_str()) {
                Some(&old_at) => {
                    matched_in_order.push(old_at);
                    let before = self.fields.len();
                    self.compare(&child, &old_items[old_at], new);
                    if self.fields.len() > before {
                        self.item(path, &new_ids[index], ItemChangeKind::Changed);
                    }
                }
                None => {
                    self.push(child, None, Some(new));
                    self.item(path, &new_ids[index], ItemChangeKind::Added);
                }
            }
        }
        // Order carries meaning (rule order, most urgent need first), so a reordering is drift.
        if matched_in_order.windows(2).any(|pair| pair[0] > pair[1]) {
            let order = |ids: &[String]| Value::from(ids.to_vec());
            let old_order: Vec<String> = old_ids
                .iter()
                .filter(|id| new_set.contains(id.as_str()))
                .cloned()
                .collect();
            let new_order: Vec<String> = new_ids
                .iter()
                .filter(|id| old_index.contains_key(id.as_str()))
                .cloned()
                .collect();
            self.push(
                format!("{path} (order)"),
                Some(&order(&old_order)),
                Some(&order(&new_order)),
            );
        }
    }

    fn push(&mut self, path: String, old: Option<&Value>, new: Option<&Value>) {
        self.fields.push(FieldChange {
            path,
            old: old.cloned(),
            new: new.cloned(),
        });
    }

    fn item(&mut self, list: &str, item: &str, change: ItemChangeKind) {
        self.items.push(ItemChange {
            list: list.to_owned(),
            item: item.to_owned(),
            change,
        });
    }
}

/// The identity of every item, if all are objects sharing one identifying field set and no two
/// items share an identity; otherwise lists are compared by position.
fn identities(items: &[Value]) -> Option<Vec<String>> {
    let first = items.first()?.as_object()?;
    let fields = IDENTITY_FIELDS.iter().find(|fields| {
        fields
            .iter()
            .all(|field| first.get(*field).is_some_and(is_scalar))
    })?;
    let mut seen = BTreeSet::new();
    let mut ids = Vec::with_capacity(items.len());
    for item in items {
        let object = item.as_object()?;
        let parts: Option<Vec<String>> = fields
            .iter()
            .map(|field| {
                object
                    .get(*field)
                    .filter(|value| is_scalar(value))
                    .map(|value| short(Some(value)))
            })
            .collect();
        let id = match parts?.as_slice() {
            [kind, rule] if fields == &["kind", "rule"] => format!("{kind} by {rule}"),
            [rule, why] if fields == &["rule", "why"] => format!("{rule}: {why}"),
            parts => parts.join(" / "),
        };
        if !seen.insert(id.clone()) {
            return None;
        }
        ids.push(id);
    }
    Some(ids)
}

fn is_scalar(value: &Value) -> bool {
    matches!(value, Value::String(_) | Value::Number(_) | Value::Bool(_))
}

/// Whether two texts differ only by wording fixed since without any change of meaning, so a
/// record made before the fix replays without drift: sicol 0.2.0 wrote a share of a negative
/// zero as "-0%" where it now writes "0%".
fn same_wording(old: &str, new: &str) -> bool {
    old.contains("-0%") && old.replace("-0%", "0%") == new
}

fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_owned()
    } else {
        format!("{path}.{key}")
    }
}

/// The top-level field a path starts in: `factors` for `factors[3].weight`.
pub fn top_field(path: &str) -> &str {
    let end = path.find(['.', '[', ' ']).unwrap_or(path.len());
    &path[..end]
}

/// A value in one line: strings bare, everything else as compact JSON, absence as `(none)`.
pub fn short(value: Option<&Value>) -> String {
    match value {
        None => "(none)".to_owned(),
        Some(Value::String(text)) => text.clone(),
        Some(other) => other.to_string(),
    }
}

impl fmt::Display for FieldChange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.old, &self.new) {
            (None, new) => write!(f, "{}: added {}", self.path, quoted(new.as_ref())),
            (old, None) => write!(f, "{}: removed {}", self.path, quoted(old.as_ref())),
            (old, new) => write!(
                f,
                "{}: {} → {}",
                self.path,
                quoted(old.as_ref()),
                quoted(new.as_ref())
            ),
        }
    }
}

/// Strings in quotes so that a changed sentence is easy to see; other values as JSON.
fn quoted(value: Option<&Value>) -> String {
    match value {
        Some(Value::String(text)) => format!("{text:?}"),
        other => short(other),
    }
}

impl fmt::Display for ItemChange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let verb = match self.change {
            ItemChangeKind::Added => "added",
            ItemChangeKind::Removed => "removed",
            ItemChangeKind::Changed => "changed",
        };
        write!(f, "{} {verb}: {}", self.list, self.item)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_negative_zero_share_written_by_0_2_0_is_not_drift() {
        let old = json!({"balance_reason": "social weight 0 is -0% of the combined 1.3, at most 35% (0.5 − margin 0.15)"});
        let new = json!({"balance_reason": "social weight 0 is 0% of the combined 1.3, at most 35% (0.5 − margin 0.15)"});
        assert!(Drift::between(&old, &new).is_empty());
        // Any other change of the same text still is.
        let other = json!({"balance_reason": "social weight 1 is 0% of the combined 1.3, at most 35% (0.5 − margin 0.15)"});
        assert_eq!(paths(&Drift::between(&old, &other)), ["balance_reason"]);
    }

    fn paths(drift: &Drift) -> Vec<&str> {
        drift
            .fields
            .iter()
            .map(|change| change.path.as_str())
            .collect()
    }

    #[test]
    fn equal_values_have_no_drift() {
        let value = json!({ "a": [1, 2], "b": { "c": "d" } });
        assert!(Drift::between(&value, &value).is_empty());
    }

    #[test]
    fn nested_fields_are_named_by_path() {
        let old = json!({ "factors": [{ "kind": "debt", "rule": "money.debt", "weight": 1.0 }], "balance": "mixed" });
        let new = json!({ "factors": [{ "kind": "debt", "rule": "money.debt", "weight": 1.5 }], "balance": "social_led", "referrals": [] });
        let drift = Drift::between(&old, &new);
        assert_eq!(paths(&drift), ["balance", "factors[0].weight", "referrals"]);
        assert_eq!(
            drift.scalar("balance"),
            Some(("mixed".into(), "social_led".into()))
        );
        assert_eq!(drift.items.len(), 1);
        assert_eq!(
            drift.items[0].to_string(),
            "factors changed: debt by money.debt"
        );
        assert!(drift.touches_referrals());
    }

    #[test]
    fn an_inserted_factor_is_one_addition_not_a_cascade() {
        let factor =
            |kind: &str| json!({ "kind": kind, "rule": format!("r.{kind}"), "weight": 1.0 });
        let old = json!({ "factors": [factor("a"), factor("c")] });
        let new = json!({ "factors": [factor("a"), factor("b"), factor("c")] });
        let drift = Drift::between(&old, &new);
        assert_eq!(paths(&drift), ["factors[1]"]);
        assert_eq!(drift.items[0].change, ItemChangeKind::Added);
        assert_eq!(drift.items[0].item, "b by r.b");
    }

    #[test]
    fn a_reordering_of_identified_items_is_reported() {
        let need = |category: &str| json!({ "category": category, "urgency": "same_day" });
        let old = json!({ "needs": [need("a"), need("b")] });
        let new = json!({ "needs": [need("b"), need("a")] });
        let drift = Drift::between(&old, &new);
        assert_eq!(paths(&drift), ["needs (order)"]);
        assert!(drift.touches_referrals());
    }

    #[test]
    fn urgency_direction_follows_the_triage_scale() {
        let drift = Drift::between(
            &json!({ "urgency": "high" }),
            &json!({ "urgency": "moderate" }),
        );
        assert_eq!(drift.urgency_direction(), Some(std::cmp::Ordering::Less));
        let drift = Drift::between(
            &json!({ "urgency": "low" }),
            &json!({ "urgency": "emergency" }),
        );
        assert_eq!(drift.urgency_direction(), Some(std::cmp::Ordering::Greater));
    }

    #[test]
    fn the_ruleset_field_can_be_set_aside() {
        let old = json!({ "ruleset": { "sha256": "a" }, "balance": "mixed" });
        let new = json!({ "ruleset": { "sha256": "b" }, "balance": "mixed" });
        assert!(!Drift::between(&old, &new).is_empty());
        assert!(Drift::between(&old, &new).without(RULESET_FIELD).is_empty());
    }

    #[test]
    fn scalar_lists_are_compared_by_position() {
        let drift = Drift::between(
            &json!({ "p": ["x", "y"] }),
            &json!({ "p": ["x", "z", "w"] }),
        );
        assert_eq!(paths(&drift), ["p[1]", "p[2]"]);
        assert_eq!(drift.fields[1].to_string(), "p[2]: added \"w\"");
    }
}
