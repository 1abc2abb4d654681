//! `tokenvault presets` and `tokenvault profile check`: what needs no vault.

use std::path::Path;

use serde_json::{Value, json};
use tokenvault_core::profile::{Profile, presets as all_presets};

use super::Outcome;
use crate::exit::Failure;
use crate::output;

/// `tokenvault presets`.
pub fn presets(json: bool) -> Outcome {
    let all = all_presets();
    if json {
        let list: Vec<Value> = all
            .iter()
            .map(|p| {
                let p = &p.profile;
                let mut calls = Vec::new();
                if p.validate.is_some() {
                    calls.push("validate");
                }
                if p.ott.is_some() {
                    calls.push("ott");
                }
                if p.private_tokens.is_some() {
                    calls.push("private-tokens");
                }
                json!({
                    "id": p.id,
                    "name": p.name,
                    "description": p.description,
                    "flow": p.login.flow,
                    "client_auth": p.client.as_ref().map(|c| c.auth),
                    "refresh": p.has_refresh(),
                    "calls": calls
                })
            })
            .collect();
        output::json(&Value::Array(list));
    } else {
        let rows: Vec<Vec<String>> = all
            .iter()
            .map(|p| vec![p.profile.id.clone(), p.profile.description.clone()])
            .collect();
        output::table(&["PRESET", "DIALECT"], &rows);
    }
    Ok(())
}

/// `tokenvault profile check FILE`.
pub fn check(file: &Path) -> Outcome {
    let text = std::fs::read_to_string(file)
        .map_err(|e| Failure::Usage(format!("cannot read {}: {e}", file.display())))?;
    let profile = Profile::from_toml(&file.display().to_string(), &text)?;
    let renewal = if profile.has_refresh() {
        "refresh"
    } else {
        "login again"
    };
    output::line(&format!(
        "{}: valid profile `{}` ({}); renews by {renewal}",
        file.display(),
        profile.id,
        profile.name
    ));
    Ok(())
}
