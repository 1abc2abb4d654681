//! Presets: profile files shipped inside the product, one per known dialect.

use std::sync::OnceLock;

use super::Profile;

/// A built-in profile and its source text.
#[derive(Debug)]
pub struct Preset {
    /// The parsed profile.
    pub profile: Profile,
    /// The TOML it was read from, to show users as an example.
    pub source: &'static str,
}

const SOURCES: &[(&str, &str)] = &[
    ("prive", include_str!("../../presets/prive.toml")),
    ("finvera", include_str!("../../presets/finvera.toml")),
    (
        "traderevolution",
        include_str!("../../presets/traderevolution.toml"),
    ),
    (
        "private-tokens",
        include_str!("../../presets/private-tokens.toml"),
    ),
    (
        "oauth2-password",
        include_str!("../../presets/oauth2-password.toml"),
    ),
    ("simplejwt", include_str!("../../presets/simplejwt.toml")),
    (
        "oauth2-client-credentials",
        include_str!("../../presets/oauth2-client-credentials.toml"),
    ),
    ("directus", include_str!("../../presets/directus.toml")),
    (
        "oauth2-device",
        include_str!("../../presets/oauth2-device.toml"),
    ),
    ("oidc", include_str!("../../presets/oidc.toml")),
];

/// Every built-in preset, in a stable order.
pub fn presets() -> &'static [Preset] {
    static PRESETS: OnceLock<Vec<Preset>> = OnceLock::new();
    PRESETS.get_or_init(|| {
        SOURCES
            .iter()
            .map(|(id, source)| {
                let profile = Profile::from_toml(&format!("preset:{id}"), source)
                    .unwrap_or_else(|e| panic!("built-in preset {id} is invalid: {e}"));
                Preset { profile, source }
            })
            .collect()
    })
}

/// The built-in preset with this id.
pub fn preset(id: &str) -> Option<&'static Preset> {
    presets().iter().find(|p| p.profile.id == id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_preset_parses_and_its_id_matches_its_file() {
        for (id, _) in SOURCES {
            assert_eq!(preset(id).map(|p| p.profile.id.as_str()), Some(*id));
        }
    }

    #[test]
    fn only_dialects_with_a_refresh_call_have_refresh() {
        let with_refresh: Vec<&str> = presets()
            .iter()
            .filter(|p| p.profile.has_refresh())
            .map(|p| p.profile.id.as_str())
            .collect();
        assert_eq!(
            with_refresh,
            [
                "finvera",
                "traderevolution",
                "oauth2-password",
                "simplejwt",
                "directus",
                "oauth2-device",
                "oidc"
            ]
        );
    }
}

#[cfg(test)]
mod documentation {
    use super::SOURCES;

    #[test]
    fn the_profile_reference_shows_every_preset_as_shipped() {
        let reference = include_str!("../../../../docs/profiles.md");
        for (id, source) in SOURCES {
            assert!(
                reference.contains(source),
                "docs/profiles.md must show preset {id} exactly as crates/core/presets/{id}.toml"
            );
        }
    }
}
