//! A curl command as API documentation and browsers write it ("Copy as cURL" for bash or
//! for Windows' cmd), read into the request it sends: method, URL, headers, body, a user.
//!
//! Only reading: nothing here runs the command, reads the files it names or keeps its text.

use std::fmt;

use reqwest::Url;

use crate::error::{Error, Result};
use crate::secret::Secret;

/// The request a curl command sends.
#[derive(Clone, PartialEq)]
pub struct CurlRequest {
    /// `GET`, `POST`, ...: `-X`, or what the options imply (`POST` with a body).
    pub method: String,
    /// The URL.
    pub url: Url,
    /// Headers, as given (`-H`, and `-A`, `-e`, `--json` as the headers they stand for).
    pub headers: Vec<(String, String)>,
    /// The body (`-d` and its kin, joined by `&` as curl joins them; `--json`). It may
    /// hold a password: a secret.
    pub body: Option<Secret>,
    /// `-u user[:password]`.
    pub user: Option<(String, Option<Secret>)>,
    /// `-b name=value; ...`: the cookies sent (values may be secrets).
    pub cookies: Vec<(String, Secret)>,
    /// Options read and set aside, for the user to see (`-k`, `--compressed`, ...).
    pub ignored: Vec<String>,
}

impl fmt::Debug for CurlRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CurlRequest")
            .field("method", &self.method)
            .field("url", &self.url.as_str())
            .field(
                "headers",
                &self.headers.iter().map(|(n, _)| n).collect::<Vec<_>>(),
            )
            .field("body", &self.body.as_ref().map(|_| "<redacted>"))
            .field("user", &self.user.as_ref().map(|(u, _)| u))
            .field(
                "cookies",
                &self.cookies.iter().map(|(n, _)| n).collect::<Vec<_>>(),
            )
            .finish()
    }
}

impl CurlRequest {
    /// The value of header `name` (any case), the last one given.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .rev()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

fn invalid(problem: impl Into<String>) -> Error {
    Error::InvalidImport {
        from: "curl command",
        problem: problem.into(),
    }
}

/// Reads a curl command.
pub fn parse(command: &str) -> Result<CurlRequest> {
    let words = words(command)?;
    let mut words = words.into_iter().peekable();
    match words.next() {
        Some(first) if is_curl(&first) => {}
        Some(first) => {
            return Err(invalid(format!(
                "it should start with `curl`, not `{}`",
                first.chars().take(40).collect::<String>()
            )));
        }
        None => return Err(invalid("it is empty")),
    }
    let mut method: Option<String> = None;
    let mut url: Option<String> = None;
    let mut headers = Vec::new();
    let mut data: Vec<String> = Vec::new();
    let mut json = false;
    let mut user = None;
    let mut cookies = Vec::new();
    let mut ignored = Vec::new();
    while let Some(word) = words.next() {
        let (option, attached, flags) = split_option(&word);
        ignored.extend(flags);
        let Some(option) = option else {
            if url.is_none() {
                url = Some(word);
            } else {
                ignored.push(word);
            }
            continue;
        };
        let mut value = |name: &str| -> Result<String> {
            match &attached {
                Some(value) => Ok(value.clone()),
                None => words
                    .next()
                    .ok_or_else(|| invalid(format!("`{name}` needs a value after it"))),
            }
        };
        match option.as_str() {
            "-X" | "--request" => method = Some(value(&option)?.to_ascii_uppercase()),
            "-H" | "--header" => {
                let header = value(&option)?;
                match header.split_once(':') {
                    Some((name, v)) if !name.trim().is_empty() => {
                        headers.push((name.trim().to_owned(), v.trim().to_owned()));
                    }
                    _ => ignored.push(format!(
                        "-H {}",
                        header.chars().take(40).collect::<String>()
                    )),
                }
            }
            "-d" | "--data" | "--data-raw" | "--data-binary" | "--data-ascii"
            | "--data-urlencode" => {
                let text = value(&option)?;
                if text.starts_with('@') && option != "--data-raw" {
                    return Err(invalid(format!(
                        "`{option} {text}` reads the body from a file: paste the body itself"
                    )));
                }
                data.push(text);
            }
            "--json" => {
                json = true;
                data.push(value(&option)?);
            }
            "-u" | "--user" => {
                let given = value(&option)?;
                user = Some(match given.split_once(':') {
                    Some((name, password)) => (name.to_owned(), Some(Secret::new(password))),
                    None => (given, None),
                });
            }
            "-b" | "--cookie" => {
                let given = value(&option)?;
                if given.contains('=') {
                    for pair in given.split(';') {
                        if let Some((name, v)) = pair.split_once('=') {
                            cookies.push((name.trim().to_owned(), Secret::new(v.trim())));
                        }
                    }
                } else {
                    ignored.push(format!("{option} {given} (a cookie file)"));
                }
            }
            "--url" => url = Some(value(&option)?),
            "-A" | "--user-agent" => headers.push(("User-Agent".into(), value(&option)?)),
            "-e" | "--referer" => headers.push(("Referer".into(), value(&option)?)),
            "-G" | "--get" => {
                return Err(invalid(
                    "`-G` sends the data in the URL: a login sends it in the body",
                ));
            }
            other if TAKES_VALUE.contains(&other) => {
                let v = value(other)?;
                ignored.push(format!("{other} {v}"));
            }
            other => ignored.push(other.to_owned()),
        }
    }
    let url = url.ok_or_else(|| invalid("it names no URL"))?;
    let url = Url::parse(&url).map_err(|e| invalid(format!("`{url}` is not a URL: {e}")))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(invalid(format!("`{url}` is not an http or https URL")));
    }
    if json {
        if !headers
            .iter()
            .any(|(n, _)| n.eq_ignore_ascii_case("content-type"))
        {
            headers.push(("Content-Type".into(), "application/json".into()));
        }
        if !headers
            .iter()
            .any(|(n, _)| n.eq_ignore_ascii_case("accept"))
        {
            headers.push(("Accept".into(), "application/json".into()));
        }
    }
    let body = (!data.is_empty()).then(|| Secret::new(data.join("&")));
    let method = method.unwrap_or_else(|| if body.is_some() { "POST" } else { "GET" }.to_owned());
    Ok(CurlRequest {
        method,
        url,
        headers,
        body,
        user,
        cookies,
        ignored,
    })
}

/// Options that take a value this reader sets aside.
const TAKES_VALUE: [&str; 22] = [
    "-o",
    "--output",
    "-m",
    "--max-time",
    "--connect-timeout",
    "-w",
    "--write-out",
    "--cacert",
    "--cert",
    "--key",
    "--retry",
    "-x",
    "--proxy",
    "--resolve",
    "--limit-rate",
    "-c",
    "--cookie-jar",
    "-T",
    "--upload-file",
    "--max-redirs",
    "-F",
    "--form",
];

/// Short options whose value follows them (in the same word or the next).
const SHORT_WITH_VALUE: &str = "XHdubAeomwxcTF";

fn is_curl(word: &str) -> bool {
    let name = word.rsplit(['/', '\\']).next().unwrap_or(word);
    name.eq_ignore_ascii_case("curl") || name.eq_ignore_ascii_case("curl.exe")
}

/// An option, the value attached to it, and the flags before it in a cluster: `--data=x`,
/// `-XPOST`, `-sSL` (flags alone), `-sX` (a flag, then an option whose value is the next
/// word). No option for a word that is not one.
fn split_option(word: &str) -> (Option<String>, Option<String>, Option<String>) {
    if let Some(long) = word.strip_prefix("--") {
        if long.is_empty() {
            return (None, None, None);
        }
        return match long.split_once('=') {
            Some((name, value)) => (Some(format!("--{name}")), Some(value.to_owned()), None),
            None => (Some(word.to_owned()), None, None),
        };
    }
    let Some(short) = word.strip_prefix('-') else {
        return (None, None, None);
    };
    if short.is_empty() {
        return (None, None, None);
    }
    // Flags first; the first option that takes a value ends the cluster.
    for (at, c) in short.char_indices() {
        if SHORT_WITH_VALUE.contains(c) {
            let rest = &short[at + c.len_utf8()..];
            return (
                Some(format!("-{c}")),
                (!rest.is_empty()).then(|| rest.to_owned()),
                (at > 0).then(|| format!("-{}", &short[..at])),
            );
        }
    }
    (Some(word.to_owned()), None, None)
}

/// The command's words, as a POSIX shell (or, for a command copied for Windows' cmd, cmd)
/// would hand them to curl.
pub fn words(command: &str) -> Result<Vec<String>> {
    let command = command.trim().trim_start_matches("$ ");
    if looks_like_cmd(command) {
        words_posix(&uncaret(command), true)
    } else {
        words_posix(command, false)
    }
}

/// A command copied for cmd: `^"` quotes, and `^` at the ends of lines.
fn looks_like_cmd(command: &str) -> bool {
    command.contains("^\"") || command.lines().any(|l| l.trim_end().ends_with(" ^"))
}

/// cmd's caret escapes undone: `^X` is `X`, a caret at the end of a line joins it to the next.
fn uncaret(command: &str) -> String {
    let mut out = String::with_capacity(command.len());
    let mut chars = command.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '^' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('\r') => {
                if chars.peek() == Some(&'\n') {
                    chars.next();
                }
            }
            Some('\n') | None => {}
            Some(next) => out.push(next),
        }
    }
    out
}

/// Words as a POSIX shell splits them: `'...'` as it is, `"..."` with `\"`, `\\`, `\$`
/// and `` \` `` escapes, `$'...'` with C escapes, `\` before a newline joining lines.
/// `cmd`: the text came from cmd, where only `\"` (and `\\` before it) escape in double
/// quotes, as Windows programs read their arguments.
fn words_posix(text: &str, cmd: bool) -> Result<Vec<String>> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut in_word = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            c if c.is_whitespace() => {
                if in_word {
                    words.push(std::mem::take(&mut word));
                    in_word = false;
                }
            }
            '\\' if !cmd => match chars.next() {
                Some('\n') => {}
                Some('\r') if chars.peek() == Some(&'\n') => {
                    chars.next();
                }
                Some('\r') => {}
                Some(next) => {
                    word.push(next);
                    in_word = true;
                }
                None => {}
            },
            '\'' if !cmd => {
                in_word = true;
                loop {
                    match chars.next() {
                        Some('\'') => break,
                        Some(inner) => word.push(inner),
                        None => return Err(invalid("a single quote (') is not closed")),
                    }
                }
            }
            '$' if !cmd && chars.peek() == Some(&'\'') => {
                chars.next();
                in_word = true;
                ansi_c(&mut chars, &mut word)?;
            }
            '"' => {
                in_word = true;
                loop {
                    match chars.next() {
                        Some('"') => break,
                        Some('\\') => match chars.peek().copied() {
                            Some(next @ ('"' | '\\')) => {
                                chars.next();
                                word.push(next);
                            }
                            Some(next @ ('$' | '`')) if !cmd => {
                                chars.next();
                                word.push(next);
                            }
                            Some('\n') if !cmd => {
                                chars.next();
                            }
                            _ => word.push('\\'),
                        },
                        Some(inner) => word.push(inner),
                        None => return Err(invalid("a double quote (\") is not closed")),
                    }
                }
            }
            other => {
                word.push(other);
                in_word = true;
            }
        }
    }
    if in_word {
        words.push(word);
    }
    Ok(words)
}

/// The rest of a `$'...'` string, its C escapes read.
fn ansi_c(chars: &mut std::iter::Peekable<std::str::Chars<'_>>, word: &mut String) -> Result<()> {
    loop {
        match chars.next() {
            Some('\'') => return Ok(()),
            Some('\\') => {
                let escaped = chars
                    .next()
                    .ok_or_else(|| invalid("a $'...' string is not closed"))?;
                match escaped {
                    'n' => word.push('\n'),
                    't' => word.push('\t'),
                    'r' => word.push('\r'),
                    'x' | 'u' | 'U' => {
                        let most = match escaped {
                            'x' => 2,
                            'u' => 4,
                            _ => 8,
                        };
                        let mut hex = String::new();
                        while hex.len() < most && chars.peek().is_some_and(char::is_ascii_hexdigit)
                        {
                            hex.extend(chars.next());
                        }
                        let code = u32::from_str_radix(&hex, 16).map_err(|_| {
                            invalid(format!("`\\{escaped}` needs hex digits in $'...'"))
                        })?;
                        word.push(char::from_u32(code).unwrap_or(char::REPLACEMENT_CHARACTER));
                    }
                    other => word.push(other),
                }
            }
            Some(inner) => word.push(inner),
            None => return Err(invalid("a $'...' string is not closed")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_finvera_documentations_login_reads_as_a_json_post() {
        let request = parse(
            "curl -X POST https://api.finvera.news/kms/api/v1/auth/token \\\n\
             -H \"Content-Type: application/json\" \\\n\
             -d '{\n\"email\": \"you@example.com\",\n\"password\": \"your_password\"\n}'",
        )
        .expect("a curl command");
        assert_eq!(request.method, "POST");
        assert_eq!(
            request.url.as_str(),
            "https://api.finvera.news/kms/api/v1/auth/token"
        );
        assert_eq!(request.header("content-type"), Some("application/json"));
        let body = request.body.expect("a body");
        assert!(body.expose().contains("\"email\": \"you@example.com\""));
        assert!(
            !format!(
                "{:?}",
                parse("curl -d 'password=hunter2' https://x.example/l").unwrap()
            )
            .contains("hunter2")
        );
    }

    #[test]
    fn chromes_copy_as_curl_for_bash_reads_with_its_dollar_quotes() {
        let request = parse(
            "curl 'https://app.example.com/api/login' \\\n  -H 'accept: application/json' \\\n  \
             -H 'content-type: application/json' \\\n  -b 'theme=dark; sid=abc' \\\n  \
             --data-raw $'{\"username\":\"ana\",\"password\":\"it\\'s\\u00e9\"}' \\\n  --compressed",
        )
        .expect("a curl command");
        assert_eq!(request.method, "POST");
        assert_eq!(
            request.body.expect("a body").expose(),
            "{\"username\":\"ana\",\"password\":\"it's\u{e9}\"}"
        );
        assert_eq!(request.cookies.len(), 2);
        assert_eq!(request.ignored, ["--compressed"]);
    }

    #[test]
    fn chromes_copy_as_curl_for_cmd_reads_with_its_carets() {
        let request = parse(
            "curl ^\"https://app.example.com/api/login^\" ^\r\n  -H ^\"content-type: application/json^\" ^\r\n  \
             --data-raw ^\"^{^\\^\"username^\\^\":^\\^\"ana^\\^\",^\\^\"password^\\^\":^\\^\"p^&q^\\^\"^}^\"",
        )
        .expect("a curl command");
        assert_eq!(request.url.as_str(), "https://app.example.com/api/login");
        assert_eq!(request.header("Content-Type"), Some("application/json"));
        assert_eq!(
            request.body.expect("a body").expose(),
            "{\"username\":\"ana\",\"password\":\"p&q\"}"
        );
    }

    #[test]
    fn short_options_cluster_and_long_options_take_values_after_an_equals_sign() {
        let request =
            parse("curl -sSXPOST --url=https://x.example/login --data=a=1 -d b=2 -uana:pw")
                .expect("a curl command");
        assert_eq!(request.method, "POST");
        assert_eq!(request.url.as_str(), "https://x.example/login");
        assert_eq!(request.body.expect("a body").expose(), "a=1&b=2");
        let (user, password) = request.user.expect("a user");
        assert_eq!(user, "ana");
        assert_eq!(password.expect("a password").expose(), "pw");
        assert_eq!(request.ignored, ["-sS"]);
    }

    #[test]
    fn json_is_a_post_with_its_content_type() {
        let request =
            parse(r#"curl --json '{"login":"a","password":"b"}' https://x.example/auth/token"#)
                .expect("a curl command");
        assert_eq!(request.method, "POST");
        assert_eq!(request.header("content-type"), Some("application/json"));
    }

    #[test]
    fn what_cannot_be_read_is_said_plainly() {
        let said = |text: &str| parse(text).expect_err("refused").to_string();
        assert!(said("curl -d '{\"a\": 1} https://x.example").contains("single quote"));
        assert!(said("curl -d \"x https://x.example").contains("double quote"));
        assert!(said("wget https://x.example").contains("start with `curl`"));
        assert!(said("curl -X POST").contains("names no URL"));
        assert!(said("curl -d @body.json https://x.example").contains("from a file"));
        assert!(said("curl ftp://x.example").contains("not an http"));
        assert!(said("curl -H").contains("needs a value"));
        assert_eq!(parse("   ").expect_err("empty").code(), "invalid_import");
    }
}
