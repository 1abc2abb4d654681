//! Opening a page in the user's browser, for sign-ins: `$BROWSER` when set (the convention
//! of command-line tools), else the system's own opener. Nothing waits for the browser;
//! only a failure to start one is reported.

use std::process::{Command, Stdio};

/// Opens `url` in the user's browser: `$BROWSER` when set (a command, `%s` standing for the
/// address if it appears), else the system's own opener. The opener is waited for on a
/// thread of its own, so a long-running process leaves no zombie behind.
pub fn open_in_browser(url: &str) -> Result<(), String> {
    let mut command = match std::env::var("BROWSER") {
        Ok(browser) if !browser.trim().is_empty() => browser_command(&browser, url),
        _ => system_opener(url),
    };
    command
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map(|mut child| {
            std::thread::spawn(move || child.wait());
        })
        .map_err(|e| format!("no browser could be started: {e}"))
}

/// `$BROWSER`'s command for `url`: its first entry (entries are `:`-separated), split on
/// spaces, with `%s` replaced by the address or the address added last.
fn browser_command(browser: &str, url: &str) -> Command {
    let first = browser.split(':').next().unwrap_or(browser);
    let mut words = first.split_whitespace();
    let mut command = Command::new(words.next().unwrap_or(first));
    let mut placed = false;
    for word in words {
        if word.contains("%s") {
            placed = true;
            command.arg(word.replace("%s", url));
        } else {
            command.arg(word);
        }
    }
    if !placed {
        command.arg(url);
    }
    command
}

#[cfg(target_os = "macos")]
fn system_opener(url: &str) -> Command {
    let mut command = Command::new("open");
    command.arg(url);
    command
}

/// On Windows, the URL handler itself: `cmd /c start` would read the `&` of a query string
/// as the end of a command.
#[cfg(windows)]
fn system_opener(url: &str) -> Command {
    let mut command = Command::new("rundll32");
    command.arg("url.dll,FileProtocolHandler").arg(url);
    command
}

#[cfg(not(any(target_os = "macos", windows)))]
fn system_opener(url: &str) -> Command {
    let mut command = Command::new("xdg-open");
    command.arg(url);
    command
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(command: &Command) -> Vec<String> {
        std::iter::once(command.get_program())
            .chain(command.get_args())
            .map(|w| w.to_string_lossy().into_owned())
            .collect()
    }

    #[test]
    fn the_address_goes_last_or_where_browser_puts_its_placeholder() {
        let url = "https://id.example/authorize?a=1&b=2";
        assert_eq!(words(&browser_command("firefox", url)), ["firefox", url]);
        assert_eq!(
            words(&browser_command("chromium --new-window:firefox", url)),
            ["chromium", "--new-window", url]
        );
        assert_eq!(
            words(&browser_command("open-it --url=%s --quiet", url)),
            [
                "open-it".to_owned(),
                format!("--url={url}"),
                "--quiet".to_owned()
            ]
        );
    }
}
