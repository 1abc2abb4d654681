//! `exec --mask`: a command's output with the tokens it was given replaced by
//! `<tokenvault:NAME>`, as it streams: a token split across two reads is still caught,
//! and output that cannot be the start of a token is never held back.

use tokenvault_core::Secret;

/// Replaces tokens in a stream of bytes.
#[derive(Debug)]
pub struct Masker {
    /// Each token and what stands for it, longest first.
    tokens: Vec<(Secret, Vec<u8>)>,
    /// Bytes that may be the start of a token, held until the next read tells.
    held: Vec<u8>,
}

impl Masker {
    /// A masker for `tokens`: each token and the account it is of.
    pub fn new(tokens: Vec<(Secret, String)>) -> Self {
        let mut tokens: Vec<(Secret, Vec<u8>)> = tokens
            .into_iter()
            .filter(|(token, _)| !token.expose().is_empty())
            .map(|(token, account)| (token, format!("<tokenvault:{account}>").into_bytes()))
            .collect();
        tokens.sort_by_key(|(token, _)| std::cmp::Reverse(token.expose().len()));
        Self {
            tokens,
            held: Vec::new(),
        }
    }

    /// What can be written of `read` (and of what was held) now.
    pub fn pass(&mut self, read: &[u8]) -> Vec<u8> {
        self.held.extend_from_slice(read);
        let masked = self.replaced(&self.held);
        let hold = self.possible_start(&masked);
        self.held = masked[masked.len() - hold..].to_vec();
        let mut out = masked;
        out.truncate(out.len() - hold);
        out
    }

    /// What was held, at the end of the stream.
    pub fn finish(&mut self) -> Vec<u8> {
        std::mem::take(&mut self.held)
    }

    fn replaced(&self, text: &[u8]) -> Vec<u8> {
        let mut out = Vec::with_capacity(text.len());
        let mut at = 0;
        'scan: while at < text.len() {
            for (token, stand_in) in &self.tokens {
                let token = token.expose().as_bytes();
                if text[at..].starts_with(token) {
                    out.extend_from_slice(stand_in);
                    at += token.len();
                    continue 'scan;
                }
            }
            out.push(text[at]);
            at += 1;
        }
        out
    }

    /// The length of the longest end of `text` that is the start of a token (shorter than
    /// the token: a whole one was replaced already).
    fn possible_start(&self, text: &[u8]) -> usize {
        let longest = self
            .tokens
            .iter()
            .map(|(t, _)| t.expose().len() - 1)
            .max()
            .unwrap_or(0)
            .min(text.len());
        (1..=longest)
            .rev()
            .find(|&n| {
                let end = &text[text.len() - n..];
                self.tokens
                    .iter()
                    .any(|(t, _)| t.expose().as_bytes().starts_with(end))
            })
            .unwrap_or(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn masker() -> Masker {
        Masker::new(vec![
            (Secret::new("eyJhbGciOi.payload.sig"), "prive".into()),
            (Secret::new("tok-b"), "b".into()),
        ])
    }

    #[test]
    fn a_token_in_the_output_is_replaced_by_the_name_of_its_account() {
        let mut m = masker();
        let mut out = m.pass(b"Authorization: Bearer eyJhbGciOi.payload.sig and tok-b\n");
        out.extend(m.finish());
        assert_eq!(
            out,
            b"Authorization: Bearer <tokenvault:prive> and <tokenvault:b>\n"
        );
    }

    #[test]
    fn a_token_split_across_reads_is_caught_and_other_output_is_not_held_back() {
        let mut m = masker();
        assert_eq!(m.pass(b"line one\n"), b"line one\n");
        assert_eq!(m.pass(b"token: eyJhbG"), b"token: ");
        assert_eq!(
            m.pass(b"ciOi.payload.sig done."),
            b"<tokenvault:prive> done."
        );
        assert_eq!(m.pass(b" eyJ"), b" ");
        assert_eq!(m.pass(b"x"), b"eyJx");
        assert_eq!(m.finish(), b"");
    }

    #[test]
    fn what_is_held_at_the_end_is_written_as_it_was() {
        let mut m = masker();
        assert_eq!(m.pass(b"ends with eyJhb"), b"ends with ");
        assert_eq!(m.finish(), b"eyJhb");
    }
}
