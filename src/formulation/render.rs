//! Renders a formulation for people and programs: YAML and JSON for machines and records, and a
//! one-screen text summary for the assessor.

use std::fmt::Write as _;

use crate::formulation::{round_to_cents, Formulation};
use crate::model::Vocabulary;

/// The full formulation as YAML.
pub fn to_yaml(formulation: &Formulation) -> String {
    // Serialising plain data with string keys cannot fail.
    serde_yaml::to_string(formulation).unwrap_or_default()
}

/// The full formulation as pretty JSON with a trailing newline.
pub fn to_json(formulation: &Formulation) -> String {
    let mut text = serde_json::to_string_pretty(formulation).unwrap_or_default();
    text.push('\n');
    text
}

/// A readable summary: the decision first, then why, then what to do.
pub fn to_text(formulation: &Formulation, vocabulary: &Vocabulary) -> String {
    let mut out = String::new();
    let f = formulation;
    // First, so that nobody reads the urgency below without knowing it may be too low.
    if let Some(notice) = f.incomplete_notice() {
        let _ = writeln!(out, "!!! {notice}\n");
    }
    let _ = writeln!(
        out,
        "Case {}  ({})",
        f.case,
        f.assessed_at.format("%Y-%m-%d %H:%M %:z")
    );
    let _ = writeln!(
        out,
        "Urgency: {} ({}, triage {}): {}",
        f.urgency.label(),
        f.urgency,
        f.triage_code,
        f.response_time
    );
    let _ = writeln!(out, "Risk: {}", f.risk_line());
    let _ = writeln!(
        out,
        "Cause (balance): {}  (social {} / medical {} / protective {})",
        f.balance.as_str().replace('_', "-"),
        round_to_cents(f.social_weight),
        round_to_cents(f.medical_weight),
        round_to_cents(f.protective_weight)
    );
    let _ = writeln!(
        out,
        "Recommendation: {} ({})",
        f.recommendation_label, f.recommendation
    );
    let _ = writeln!(out, "\nWhy this urgency");
    for reason in &f.urgency_reasons {
        let _ = writeln!(out, "  - {reason}");
    }
    let mut factors: Vec<_> = f.factors.iter().collect();
    factors.sort_by(|a, b| b.weight.total_cmp(&a.weight));
    let _ = writeln!(out, "\nTop factors");
    if factors.is_empty() {
        let _ = writeln!(out, "  (none weighed)");
    }
    for factor in factors.iter().take(8) {
        let _ = writeln!(
            out,
            "  {:>5}  {:<10} {}: {}  [{}]",
            round_to_cents(factor.weight),
            factor.domain,
            factor
                .kind
                .split('+')
                .map(|kind| vocabulary.label(kind))
                .collect::<Vec<_>>()
                .join(" + "),
            factor.why,
            factor.rule
        );
    }
    if factors.len() > 8 {
        let _ = writeln!(
            out,
            "  … and {} more (see --format yaml)",
            factors.len() - 8
        );
    }
    let _ = writeln!(out, "\nReferral plan");
    match &f.lead_coordinator {
        Some(lead) => {
            let _ = writeln!(
                out,
                "  Lead coordinator: {} ({}){}",
                lead.name,
                lead.contact,
                if lead.clinical {
                    ": a clinical lead because of the risk; the social partners work alongside"
                } else {
                    ""
                }
            );
        }
        None => {
            if f.referrals.is_empty() {
                let _ = writeln!(out, "  (no referral asked for)");
            } else {
                let _ = writeln!(
                    out,
                    "  Lead coordinator: none (no partner in this plan can coordinate a case); the assessor stays the contact"
                );
            }
        }
    }
    if let Some(holder) = &f.holder {
        let _ = writeln!(
            out,
            "  Holds the case until {}: {} ({})",
            holder.until, holder.name, holder.why
        );
    }
    for referral in &f.referrals {
        let _ = writeln!(
            out,
            "  {:<14} {} [{}]: {}  ({})",
            referral.urgency.as_str(),
            referral.name,
            referral.partner,
            referral
                .categories
                .iter()
                .map(|category| vocabulary.label(category))
                .collect::<Vec<_>>()
                .join(", "),
            referral.contact
        );
        for line in referral_explanation(referral) {
            let _ = writeln!(out, "  {:<14} {line}", "");
        }
    }
    for gap in &f.gaps {
        let _ = writeln!(out, "  gap: {}", gap.message);
    }
    let _ = writeln!(out, "\n5 Ps");
    for (p, entries) in f.five_ps.iter() {
        if !entries.is_empty() {
            let _ = writeln!(out, "  {:<14} {}", p.as_str(), entries.join("; "));
        }
    }
    if !f.warnings.is_empty() {
        let _ = writeln!(
            out,
            "\nRules that failed: what they would have added is missing from this formulation"
        );
        for warning in &f.warnings {
            let _ = writeln!(out, "  ! {warning}");
        }
    }
    let _ = writeln!(
        out,
        "\nRule set {} {} (sha256 {})",
        f.ruleset.name,
        f.ruleset.version,
        &f.ruleset.sha256[..f.ruleset.sha256.len().min(12)]
    );
    out
}

/// A referral's explanation, one line per point: what to confirm first, the route, why this
/// partner and, for each other partner considered, why not. Empty for older rule sets.
pub fn referral_explanation(referral: &crate::referrals::Referral) -> Vec<String> {
    let mut lines = Vec::new();
    if let Some(confirm) = &referral.confirm {
        lines.push(format!("confirm eligibility first: {confirm}"));
    }
    if let Some(route) = &referral.route {
        lines.push(format!("route: {route}"));
    }
    if !referral.why.is_empty() {
        lines.push(format!("why: {}", referral.why.join("; ")));
    }
    for other in &referral.not_chosen {
        lines.push(format!(
            "not {} ({}): {}",
            other.name, other.category, other.why
        ));
    }
    lines
}
