//! The host API reference of the rule-writing guide (`rules/README.md`), rendered from
//! [`HOST_API`], the runtime's own table of the functions it registers. A test compares the guide
//! with this rendering, so the guide cannot describe a function that does not exist or miss one
//! that does.

use crate::rules::runtime::{ApiGroup, HOST_API};

/// The line that opens the generated section in the guide.
pub const API_START: &str = "<!-- host-api:start: generated from HOST_API in src/rules/runtime.rs; run `SICOL_UPDATE_GUIDE=1 cargo test --test guide` after changing it -->";
/// The line that closes the generated section in the guide.
pub const API_END: &str = "<!-- host-api:end -->";

/// The API reference as Markdown, between (and including) the two marker lines.
pub fn host_api_markdown() -> String {
    let mut text = format!("{API_START}\n");
    for (group, heading) in [
        (ApiGroup::Naming, "Naming the rule that is speaking"),
        (ApiGroup::Reading, "Reading the assessment"),
        (ApiGroup::Adding, "Adding to the formulation"),
    ] {
        text.push_str(&format!("\n#### {heading}\n\n"));
        for function in HOST_API.iter().filter(|function| function.group == group) {
            let params: Vec<&str> = function.params.iter().map(|param| param.name).collect();
            let returns = if function.returns == "()" {
                String::new()
            } else {
                format!(" → `{}`", function.returns)
            };
            text.push_str(&format!(
                "- `{}({})`{returns}: {}\n",
                function.name,
                params.join(", "),
                function.doc
            ));
        }
    }
    text.push_str(&format!("\n{API_END}"));
    text
}

/// Replaces the generated section of `guide` with the current rendering; `None` when the guide
/// has no (or a broken) pair of markers.
pub fn with_current_api(guide: &str) -> Option<String> {
    let start = guide.find(API_START)?;
    let end = guide[start..].find(API_END)? + start + API_END.len();
    Some(format!(
        "{}{}{}",
        &guide[..start],
        host_api_markdown(),
        &guide[end..]
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_host_function_is_listed_once() {
        let text = host_api_markdown();
        for function in HOST_API {
            let needle = format!("- `{}(", function.name);
            assert_eq!(text.matches(&needle).count(), 1, "{}", function.name);
        }
    }

    #[test]
    fn the_section_is_replaced_in_place() {
        let guide = format!("before\n{API_START}\nstale\n{API_END}\nafter\n");
        let updated = with_current_api(&guide).expect("markers present");
        assert!(updated.starts_with("before\n"));
        assert!(updated.ends_with("\nafter\n"));
        assert!(!updated.contains("stale"));
        assert!(updated.contains("`add_factor(kind, domain, weight, why)`"));
        assert_eq!(with_current_api("no markers"), None);
    }
}
