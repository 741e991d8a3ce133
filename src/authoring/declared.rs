//! The rules a rule set declares with `rule("name")`, read from the compiled scripts: for test
//! coverage (`rules test`), the schema of rule tests and hints about misspelt rule names.

use std::collections::BTreeSet;

use rhai::{ASTNode, Expr, Stmt, AST};

use crate::rules::RuleSet;

/// Every rule name (`<script>.<name>`) the compiled scripts of a rule set declare with
/// `rule("...")`, for test coverage and for hints about misspelt rule names.
pub fn declared_rules(ruleset: &RuleSet) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    for script in ruleset.scripts() {
        for (name, _) in rule_calls(script.ast()) {
            names.insert(format!("{}.{name}", script.stem));
        }
    }
    names
}

/// The `rule("name")` calls in a script, with where each is.
fn rule_calls(ast: &AST) -> Vec<(String, rhai::Position)> {
    let mut found = Vec::new();
    ast.walk(&mut |path: &[ASTNode]| {
        if let Some(ASTNode::Expr(Expr::FnCall(call, _)) | ASTNode::Stmt(Stmt::FnCall(call, _))) =
            path.last()
        {
            if call.name.as_str() == "rule" && call.op_token.is_none() {
                if let Some(Expr::StringConstant(name, position)) = call.args.first() {
                    found.push((name.to_string(), *position));
                }
            }
        }
        true
    });
    found
}
