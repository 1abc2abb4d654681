//! The login a Postman pre-request script sends: the request of its `pm.sendRequest(...)`,
//! read without running the script.
//!
//! What is read: string literals (`'…'`, `"…"`, and templates with `${…}`), `+` joins,
//! numbers, `true`/`false`/`null`, object and array literals, `JSON.stringify(…)`, variables
//! (`pm.environment.get("x")`, and the same of `pm.variables`, `pm.collectionVariables`,
//! `pm.globals`, `pm.iterationData`), `pm.variables.replaceIn("{{x}}")`, and names bound
//! before by `const`/`let`/`var NAME = …;`. Anything else makes the script not understood,
//! said in words: the script is never run.

use std::collections::BTreeMap;

use serde_json::Value;

/// A request a script sends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScriptRequest {
    /// `GET` unless the script says.
    pub method: String,
    /// The URL, variables resolved.
    pub url: String,
    /// Its headers, in order.
    pub headers: Vec<(String, String)>,
    /// Its body: the raw text, or the form fields joined as `a=b&c=d`.
    pub body: Option<String>,
}

/// The request of the script's first `pm.sendRequest`, `Ok(None)` when it sends none;
/// `Err` says what could not be read. `variables` are the environment's and collection's.
pub fn sent_request(
    script: &str,
    variables: &BTreeMap<String, String>,
) -> Result<Option<ScriptRequest>, String> {
    let script = without_comments(script);
    let Some(call) = script.find("pm.sendRequest(") else {
        return Ok(None);
    };
    let mut bound = BTreeMap::new();
    // Names bound before the call, in order; one that cannot be read stays unbound (an
    // error only if the request uses it).
    let mut at = 0;
    while let Some(found) = next_binding(&script[..call], at) {
        let (name, start) = found;
        let mut reader = Reader::new(&script[..call], start, variables, &bound);
        if let Ok(value) = reader.expression() {
            bound.insert(name, value);
        }
        at = start;
    }
    let mut reader = Reader::new(&script, call + "pm.sendRequest(".len(), variables, &bound);
    let request = reader.expression()?;
    to_request(request).map(Some)
}

/// The next `const|let|var NAME =` at or after `from`: the name and where its value starts.
fn next_binding(script: &str, from: usize) -> Option<(String, usize)> {
    let mut at = from;
    loop {
        let rest = &script[at..];
        let (offset, keyword) = ["const ", "let ", "var "]
            .iter()
            .filter_map(|k| rest.find(k).map(|i| (i, *k)))
            .min_by_key(|(i, _)| *i)?;
        let after = at + offset + keyword.len();
        let text = &script[after..];
        let name_len = text
            .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == '$'))
            .unwrap_or(text.len());
        let name = text[..name_len].to_owned();
        let rest = text[name_len..].trim_start();
        if !name.is_empty() && rest.starts_with('=') && !rest.starts_with("==") {
            let value_at = script.len() - rest.len() + 1;
            return Some((name, value_at));
        }
        at = after;
    }
}

fn without_comments(script: &str) -> String {
    let mut out = String::with_capacity(script.len());
    let mut chars = script.chars().peekable();
    let mut quote: Option<char> = None;
    while let Some(c) = chars.next() {
        if let Some(q) = quote {
            out.push(c);
            if c == '\\' {
                out.extend(chars.next());
            } else if c == q {
                quote = None;
            }
            continue;
        }
        match (c, chars.peek()) {
            ('/', Some('/')) => {
                for c in chars.by_ref() {
                    if c == '\n' {
                        out.push('\n');
                        break;
                    }
                }
            }
            ('/', Some('*')) => {
                chars.next();
                let mut last = ' ';
                for c in chars.by_ref() {
                    if last == '*' && c == '/' {
                        break;
                    }
                    last = c;
                }
                out.push(' ');
            }
            _ => {
                if matches!(c, '\'' | '"' | '`') {
                    quote = Some(c);
                }
                out.push(c);
            }
        }
    }
    out
}

/// How deep expressions may nest.
const MAX_DEPTH: usize = 64;

/// A value of the script.
#[derive(Debug, Clone, PartialEq)]
enum Js {
    Text(String),
    Number(String),
    Bool(bool),
    Null,
    Object(Vec<(String, Js)>),
    Array(Vec<Js>),
}

impl Js {
    fn text(&self) -> Option<String> {
        match self {
            Js::Text(t) | Js::Number(t) => Some(t.clone()),
            Js::Bool(b) => Some(b.to_string()),
            Js::Null => Some("null".to_owned()),
            _ => None,
        }
    }

    fn field(&self, key: &str) -> Option<&Js> {
        match self {
            Js::Object(fields) => fields.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    fn json(&self) -> Value {
        match self {
            Js::Text(t) => Value::String(t.clone()),
            Js::Number(n) => serde_json::from_str(n).unwrap_or(Value::String(n.clone())),
            Js::Bool(b) => Value::Bool(*b),
            Js::Null => Value::Null,
            Js::Object(fields) => {
                Value::Object(fields.iter().map(|(k, v)| (k.clone(), v.json())).collect())
            }
            Js::Array(items) => Value::Array(items.iter().map(Js::json).collect()),
        }
    }
}

struct Reader<'a> {
    text: &'a str,
    at: usize,
    /// How deep in nested expressions reading is: a script nested deeper is refused before
    /// it can exhaust the stack.
    depth: usize,
    variables: &'a BTreeMap<String, String>,
    bound: &'a BTreeMap<String, Js>,
}

impl<'a> Reader<'a> {
    fn new(
        text: &'a str,
        at: usize,
        variables: &'a BTreeMap<String, String>,
        bound: &'a BTreeMap<String, Js>,
    ) -> Self {
        Self {
            text,
            at,
            depth: 0,
            variables,
            bound,
        }
    }

    fn rest(&self) -> &'a str {
        &self.text[self.at..]
    }

    fn skip_space(&mut self) {
        let rest = self.rest();
        self.at += rest.len() - rest.trim_start().len();
    }

    fn eat(&mut self, token: &str) -> bool {
        self.skip_space();
        if self.rest().starts_with(token) {
            self.at += token.len();
            true
        } else {
            false
        }
    }

    fn expect(&mut self, token: &str) -> Result<(), String> {
        if self.eat(token) {
            Ok(())
        } else {
            Err(format!("expected `{token}` at `{}`", self.near()))
        }
    }

    /// A few characters where reading stopped, for the error (never a string's content:
    /// it may be a password).
    fn near(&self) -> String {
        let rest = self.rest().trim_start();
        if rest.starts_with(['\'', '"', '`']) {
            return "a string".to_owned();
        }
        rest.chars().take(24).collect::<String>()
    }

    fn expression(&mut self) -> Result<Js, String> {
        if self.depth >= MAX_DEPTH {
            return Err(format!("expressions nested more than {MAX_DEPTH} deep"));
        }
        self.depth += 1;
        let value = self.sum();
        self.depth -= 1;
        value
    }

    fn sum(&mut self) -> Result<Js, String> {
        let mut value = self.term()?;
        while self.eat("+") {
            let next = self.term()?;
            let (Some(left), Some(right)) = (value.text(), next.text()) else {
                return Err("`+` of an object or an array".to_owned());
            };
            value = Js::Text(left + &right);
        }
        Ok(value)
    }

    fn term(&mut self) -> Result<Js, String> {
        self.skip_space();
        let rest = self.rest();
        let Some(first) = rest.chars().next() else {
            return Err("the script ends too early".to_owned());
        };
        match first {
            '\'' | '"' => self.string(first).map(Js::Text),
            '`' => self.template().map(Js::Text),
            '{' => self.object(),
            '[' => self.array(),
            '(' => {
                self.at += 1;
                let value = self.expression()?;
                self.expect(")")?;
                Ok(value)
            }
            c if c.is_ascii_digit() || c == '-' => {
                let len = rest[1..]
                    .find(|c: char| !(c.is_ascii_digit() || c == '.'))
                    .map_or(rest.len(), |i| i + 1);
                self.at += len;
                Ok(Js::Number(rest[..len].to_owned()))
            }
            c if c.is_alphabetic() || c == '_' || c == '$' => self.name_or_call(),
            _ => Err(format!("cannot read `{}`", self.near())),
        }
    }

    fn string(&mut self, quote: char) -> Result<String, String> {
        self.at += 1;
        let mut out = String::new();
        let mut chars = self.rest().char_indices();
        while let Some((i, c)) = chars.next() {
            match c {
                c if c == quote => {
                    self.at += i + 1;
                    return Ok(out);
                }
                '\\' => match chars.next() {
                    Some((_, 'n')) => out.push('\n'),
                    Some((_, 't')) => out.push('\t'),
                    Some((_, other)) => out.push(other),
                    None => break,
                },
                c => out.push(c),
            }
        }
        Err("a string that does not end".to_owned())
    }

    fn template(&mut self) -> Result<String, String> {
        self.at += 1;
        let mut out = String::new();
        loop {
            let rest = self.rest();
            let Some(c) = rest.chars().next() else {
                return Err("a template string that does not end".to_owned());
            };
            if c == '`' {
                self.at += 1;
                return Ok(out);
            }
            if rest.starts_with("${") {
                self.at += 2;
                let value = self.expression()?;
                out.push_str(&value.text().ok_or("an object inside a template string")?);
                self.expect("}")?;
                continue;
            }
            if c == '\\' {
                self.at += 1;
                let Some(escaped) = self.rest().chars().next() else {
                    return Err("a template string that does not end".to_owned());
                };
                out.push(if escaped == 'n' { '\n' } else { escaped });
                self.at += escaped.len_utf8();
                continue;
            }
            out.push(c);
            self.at += c.len_utf8();
        }
    }

    fn object(&mut self) -> Result<Js, String> {
        self.expect("{")?;
        let mut fields = Vec::new();
        while !self.eat("}") {
            self.skip_space();
            let key = match self.rest().chars().next() {
                Some(q @ ('\'' | '"')) => self.string(q)?,
                _ => self.identifier()?,
            };
            let value = if self.eat(":") {
                self.expression()?
            } else {
                // `{ username }`: shorthand for a name bound before.
                self.bound
                    .get(&key)
                    .cloned()
                    .ok_or_else(|| format!("`{key}` is not bound before the request"))?
            };
            fields.push((key, value));
            if !self.eat(",") {
                self.expect("}")?;
                break;
            }
        }
        Ok(Js::Object(fields))
    }

    fn array(&mut self) -> Result<Js, String> {
        self.expect("[")?;
        let mut items = Vec::new();
        while !self.eat("]") {
            items.push(self.expression()?);
            if !self.eat(",") {
                self.expect("]")?;
                break;
            }
        }
        Ok(Js::Array(items))
    }

    fn identifier(&mut self) -> Result<String, String> {
        self.skip_space();
        let rest = self.rest();
        let len = rest
            .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == '$'))
            .unwrap_or(rest.len());
        if len == 0 {
            return Err(format!("expected a name at `{}`", self.near()));
        }
        self.at += len;
        Ok(rest[..len].to_owned())
    }

    /// A dotted name, called or not: a variable of Postman's, `JSON.stringify`, or a name
    /// bound before.
    fn name_or_call(&mut self) -> Result<Js, String> {
        let mut path = self.identifier()?;
        while self.eat(".") {
            path.push('.');
            path.push_str(&self.identifier()?);
        }
        match path.as_str() {
            "true" => return Ok(Js::Bool(true)),
            "false" => return Ok(Js::Bool(false)),
            "null" | "undefined" => return Ok(Js::Null),
            _ => {}
        }
        if !self.eat("(") {
            return self
                .bound
                .get(&path)
                .cloned()
                .ok_or_else(|| format!("`{path}` is not bound before the request"));
        }
        let argument = self.expression()?;
        // `JSON.stringify(value, null, 2)`: the spacing arguments change nothing here.
        while self.eat(",") {
            self.expression()?;
        }
        self.expect(")")?;
        let store = [
            "environment",
            "variables",
            "collectionVariables",
            "globals",
            "iterationData",
        ];
        match path.rsplit_once('.') {
            Some(("JSON", "stringify")) => Ok(Js::Text(argument.json().to_string())),
            Some((owner, "get"))
                if owner
                    .strip_prefix("pm.")
                    .is_some_and(|o| store.contains(&o)) =>
            {
                let name = argument.text().ok_or("a variable named by an object")?;
                self.variables
                    .get(&name)
                    .map(|v| Js::Text(v.clone()))
                    .ok_or_else(|| format!("the variable `{name}`, which no environment gives"))
            }
            Some((owner, "replaceIn"))
                if owner
                    .strip_prefix("pm.")
                    .is_some_and(|o| store.contains(&o)) =>
            {
                let text = argument.text().ok_or("replaceIn of an object")?;
                super::postman::fill(&text, self.variables).map(Js::Text)
            }
            _ => Err(format!("a call of `{path}`, which is not read")),
        }
    }
}

/// The request `pm.sendRequest` was given: a URL alone, or Postman's request object.
fn to_request(value: Js) -> Result<ScriptRequest, String> {
    if let Some(url) = value.text() {
        return Ok(ScriptRequest {
            method: "GET".to_owned(),
            url,
            headers: Vec::new(),
            body: None,
        });
    }
    let url = match value.field("url") {
        Some(url @ Js::Object(_)) => url.field("raw").and_then(Js::text),
        Some(url) => url.text(),
        None => None,
    }
    .ok_or("a request with no URL")?;
    let method = value
        .field("method")
        .and_then(Js::text)
        .unwrap_or_else(|| "GET".to_owned())
        .to_ascii_uppercase();
    let headers = match value.field("header").or_else(|| value.field("headers")) {
        // `{ 'Content-Type': 'application/json' }`
        Some(Js::Object(fields)) => fields
            .iter()
            .filter_map(|(k, v)| Some((k.clone(), v.text()?)))
            .collect(),
        // `[{ key: 'Content-Type', value: 'application/json' }]`
        Some(Js::Array(items)) => items
            .iter()
            .filter_map(|h| Some((h.field("key")?.text()?, h.field("value")?.text()?)))
            .collect(),
        // `'Content-Type: application/json'`
        Some(Js::Text(line)) => line
            .split_once(':')
            .map(|(k, v)| vec![(k.trim().to_owned(), v.trim().to_owned())])
            .unwrap_or_default(),
        _ => Vec::new(),
    };
    let body = match value.field("body") {
        None | Some(Js::Null) => None,
        Some(body) => Some(match body.field("mode").and_then(Js::text).as_deref() {
            Some("raw") => body.field("raw").and_then(Js::text).unwrap_or_default(),
            Some("urlencoded") => match body.field("urlencoded") {
                Some(Js::Array(pairs)) => pairs
                    .iter()
                    .filter_map(|p| {
                        Some(format!(
                            "{}={}",
                            p.field("key")?.text()?,
                            p.field("value")?.text()?
                        ))
                    })
                    .collect::<Vec<_>>()
                    .join("&"),
                _ => return Err("an urlencoded body that is not a list of key and value".into()),
            },
            Some(other) => return Err(format!("a body of mode `{other}`, which is not read")),
            None => return Err("a body with no mode".into()),
        }),
    };
    Ok(ScriptRequest {
        method,
        url,
        headers,
        body,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn variables() -> BTreeMap<String, String> {
        [
            ("baseUrl", "https://api.example"),
            ("user", "ana@example.com"),
            ("password", "env-secret"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect()
    }

    #[test]
    fn the_usual_login_script_gives_its_request_with_variables_resolved() {
        let script = r#"
            // Log in first, keep the token for the request.
            const body = {
                email: pm.environment.get("user"),
                password: pm.environment.get('password'),
            };
            pm.sendRequest({
                url: pm.environment.get("baseUrl") + "/kms/api/v1/auth/token",
                method: 'POST',
                header: { 'Content-Type': 'application/json' },
                body: { mode: 'raw', raw: JSON.stringify(body) }
            }, (err, res) => {
                pm.environment.set("token", res.json().data.jwt);
            });
        "#;
        let request = sent_request(script, &variables()).unwrap().unwrap();
        assert_eq!(
            request,
            ScriptRequest {
                method: "POST".into(),
                url: "https://api.example/kms/api/v1/auth/token".into(),
                headers: vec![("Content-Type".into(), "application/json".into())],
                body: Some(r#"{"email":"ana@example.com","password":"env-secret"}"#.into()),
            }
        );
    }

    #[test]
    fn a_template_string_cut_after_a_backslash_is_refused_not_a_panic() {
        let script = "pm.sendRequest({ url: `https://api.example/\\";
        let refused = sent_request(script, &variables()).unwrap_err();
        assert!(refused.contains("does not end"), "{refused}");
    }

    #[test]
    fn templates_forms_header_lists_and_replace_in_are_read() {
        let script = r#"
            let user = pm.variables.replaceIn("{{user}}");
            pm.sendRequest({
                url: `${pm.environment.get("baseUrl")}/oauth/token`,
                method: "post",
                header: [{ key: "Accept", value: "application/json" }],
                body: { mode: "urlencoded", urlencoded: [
                    { key: "grant_type", value: "password" },
                    { key: "username", value: user },
                    { key: "password", value: pm.environment.get("password") },
                ] },
            }, function (err, res) {});
        "#;
        let request = sent_request(script, &variables()).unwrap().unwrap();
        assert_eq!(request.method, "POST");
        assert_eq!(request.url, "https://api.example/oauth/token");
        assert_eq!(
            request.headers,
            [("Accept".into(), "application/json".into())]
        );
        assert_eq!(
            request.body.as_deref(),
            Some("grant_type=password&username=ana@example.com&password=env-secret")
        );
    }

    #[test]
    fn a_script_that_sends_nothing_or_what_is_not_read_is_said_without_its_strings() {
        assert_eq!(sent_request("console.log('hi')", &variables()), Ok(None));
        let unknown = sent_request(
            "pm.sendRequest({ url: pm.environment.get('idp') + '/token', body: 's3cret' })",
            &variables(),
        )
        .unwrap_err();
        assert_eq!(unknown, "the variable `idp`, which no environment gives");
        let computed = sent_request(
            "pm.sendRequest(buildLogin('s3cret-password'))",
            &variables(),
        )
        .unwrap_err();
        assert!(computed.contains("buildLogin"), "{computed}");
        assert!(!computed.contains("s3cret"), "{computed}");
        let deep = format!(
            "pm.sendRequest({}'x'{})",
            "(".repeat(10_000),
            ")".repeat(10_000)
        );
        assert_eq!(
            sent_request(&deep, &variables()),
            Err("expressions nested more than 64 deep".to_owned())
        );
    }
}
