//! How a token is handed to a person or a tool: the forms users paste. The app's copy
//! buttons and the command line's `token --format` print these same texts.

use serde::{Deserialize, Serialize};

use crate::secret::Secret;

/// A form a token is handed over in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[cfg_attr(feature = "typescript", ts(rename = "CopyFormat"))]
#[serde(rename_all = "kebab-case")]
pub enum TokenForm {
    /// The bare token.
    Raw,
    /// `Bearer <token>`.
    Bearer,
    /// `Authorization: Bearer <token>`.
    Header,
    /// A curl command that sends it to the account's base URL.
    Curl,
}

impl TokenForm {
    /// The text of `token` in this form; `base_url` is the account's, for `Curl`.
    pub fn text(self, token: &Secret, base_url: &str) -> Secret {
        let token = token.expose();
        Secret::new(match self {
            TokenForm::Raw => token.to_owned(),
            TokenForm::Bearer => format!("Bearer {token}"),
            TokenForm::Header => format!("Authorization: Bearer {token}"),
            TokenForm::Curl => format!(
                "curl -H 'Authorization: Bearer {token}' '{}/'",
                base_url.trim_end_matches('/')
            ),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_form_holds_the_token_as_the_tool_expects_it() {
        let token = Secret::new("eyJ.x.y");
        let text = |form: TokenForm| {
            form.text(&token, "https://api.example.com/v1/")
                .expose()
                .to_owned()
        };
        assert_eq!(text(TokenForm::Raw), "eyJ.x.y");
        assert_eq!(text(TokenForm::Bearer), "Bearer eyJ.x.y");
        assert_eq!(text(TokenForm::Header), "Authorization: Bearer eyJ.x.y");
        assert_eq!(
            text(TokenForm::Curl),
            "curl -H 'Authorization: Bearer eyJ.x.y' 'https://api.example.com/v1/'"
        );
    }
}
