//! Secrets longer than one keyring entry holds. Windows' Credential Manager keeps at most
//! 2,560 bytes per credential, and the keyring crate stores text as UTF-16: 1,280 units,
//! fewer than a private token or a long password may have. Such a secret is kept as
//! parts, each an entry of its own (`NAME#GEN.1`, `NAME#GEN.2`, ...), and the entry NAME
//! holds only a head naming them (`tokenvault-parts:GEN/COUNT`).
//!
//! A write stores the new parts under a new generation before it replaces the head, so a
//! process stopped half-way leaves the old secret whole; the old parts are deleted last.
//! A delete removes the head first. Either way, what a stop can leave behind is parts no
//! head names, never a head whose parts are gone.

use std::hash::BuildHasher;

use zeroize::Zeroizing;

use crate::error::Error;
use crate::secret::Secret;

/// Named entries of one store, each holding text of a limited length.
pub(super) trait Entries {
    /// The entry's text, or `None`.
    fn get(&self, name: &str) -> Result<Option<Secret>, Error>;
    /// Stores (or replaces) an entry.
    fn set(&self, name: &str, value: &str) -> Result<(), Error>;
    /// Removes an entry; a missing one is not an error.
    fn delete(&self, name: &str) -> Result<(), Error>;
}

const HEAD: &str = "tokenvault-parts:";

/// What a head entry says: the generation of the parts and how many there are.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Head {
    generation: String,
    count: usize,
}

impl Head {
    fn read(text: &str) -> Option<Head> {
        let (generation, count) = text.strip_prefix(HEAD)?.split_once('/')?;
        let count = count.parse().ok().filter(|n| *n > 0)?;
        Some(Head {
            generation: generation.to_owned(),
            count,
        })
    }

    fn text(&self) -> String {
        format!("{HEAD}{}/{}", self.generation, self.count)
    }

    fn part(&self, name: &str, index: usize) -> String {
        format!("{name}#{}.{index}", self.generation)
    }
}

/// Secrets of any length over entries that hold at most `units` UTF-16 code units each.
pub(super) struct Parted<E> {
    entries: E,
    units: usize,
}

impl<E: Entries> Parted<E> {
    /// Secrets over `entries`, each of which holds at most `units` UTF-16 units (at least
    /// as many as a head takes).
    pub(super) fn new(entries: E, units: usize) -> Self {
        Self {
            entries,
            units: units.max(64),
        }
    }

    /// The whole secret of `name`, or `None`.
    pub(super) fn get(&self, name: &str) -> Result<Option<Secret>, Error> {
        let Some(stored) = self.entries.get(name)? else {
            return Ok(None);
        };
        let Some(head) = Head::read(stored.expose()) else {
            return Ok(Some(stored));
        };
        let mut whole = Zeroizing::new(String::new());
        for index in 1..=head.count {
            let part = self.entries.get(&head.part(name, index))?.ok_or_else(|| {
                Error::KeyringUnavailable {
                    reason: format!(
                        "the keyring entry {name} is kept in {} parts and part {index} is missing",
                        head.count
                    ),
                }
            })?;
            whole.push_str(part.expose());
        }
        Ok(Some(Secret::new(std::mem::take(&mut *whole))))
    }

    /// Stores the secret of `name`, replacing any, in one entry if it fits.
    pub(super) fn set(&self, name: &str, value: &Secret) -> Result<(), Error> {
        let old = self.head(name)?;
        let text = value.expose();
        if text.encode_utf16().count() <= self.units && !text.starts_with(HEAD) {
            self.entries.set(name, text)?;
        } else {
            let pieces = split(text, self.units);
            let head = Head {
                generation: new_generation(old.as_ref()),
                count: pieces.len(),
            };
            for (index, piece) in pieces.iter().enumerate() {
                self.entries.set(&head.part(name, index + 1), piece)?;
            }
            self.entries.set(name, &head.text())?;
        }
        if let Some(old) = old {
            self.delete_parts(name, &old);
        }
        Ok(())
    }

    /// Removes the secret of `name` with all its parts.
    pub(super) fn delete(&self, name: &str) -> Result<(), Error> {
        let old = self.head(name)?;
        self.entries.delete(name)?;
        if let Some(old) = old {
            self.delete_parts(name, &old);
        }
        Ok(())
    }

    fn head(&self, name: &str) -> Result<Option<Head>, Error> {
        Ok(self
            .entries
            .get(name)?
            .and_then(|stored| Head::read(stored.expose())))
    }

    /// Best effort: a part left behind is unreachable, and harmless.
    fn delete_parts(&self, name: &str, head: &Head) {
        for index in 1..=head.count {
            let _ = self.entries.delete(&head.part(name, index));
        }
    }
}

/// `text` cut at character boundaries into pieces of at most `units` UTF-16 units.
fn split(text: &str, units: usize) -> Vec<Zeroizing<String>> {
    let mut pieces = Vec::new();
    let mut piece = Zeroizing::new(String::new());
    let mut used = 0;
    for c in text.chars() {
        if used + c.len_utf16() > units {
            pieces.push(std::mem::take(&mut piece));
            used = 0;
        }
        piece.push(c);
        used += c.len_utf16();
    }
    pieces.push(piece);
    pieces
}

/// A generation name unlike `old`'s.
fn new_generation(old: Option<&Head>) -> String {
    let random = std::collections::hash_map::RandomState::new();
    let mut seed = std::process::id() as u64;
    loop {
        let generation = format!("{:08x}", random.hash_one(seed) as u32);
        if old.is_none_or(|old| old.generation != generation) {
            return generation;
        }
        seed += 1;
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;
    use std::sync::Mutex;

    use super::*;

    /// Entries in memory that refuse text longer than `units`, as Credential Manager does.
    #[derive(Default)]
    struct Limited {
        units: usize,
        entries: Mutex<BTreeMap<String, String>>,
    }

    impl Limited {
        fn names(&self) -> Vec<String> {
            self.entries.lock().unwrap().keys().cloned().collect()
        }
    }

    impl Entries for &Limited {
        fn get(&self, name: &str) -> Result<Option<Secret>, Error> {
            Ok(self
                .entries
                .lock()
                .unwrap()
                .get(name)
                .map(|v| Secret::new(v.as_str())))
        }

        fn set(&self, name: &str, value: &str) -> Result<(), Error> {
            if value.encode_utf16().count() > self.units {
                return Err(Error::KeyringUnavailable {
                    reason: "too long".into(),
                });
            }
            self.entries
                .lock()
                .unwrap()
                .insert(name.into(), value.into());
            Ok(())
        }

        fn delete(&self, name: &str) -> Result<(), Error> {
            self.entries.lock().unwrap().remove(name);
            Ok(())
        }
    }

    fn store(entries: &Limited) -> Parted<&Limited> {
        Parted::new(entries, entries.units)
    }

    fn limited() -> Limited {
        Limited {
            units: 64,
            ..Limited::default()
        }
    }

    #[test]
    fn a_secret_that_fits_is_one_entry_as_it_is() {
        let entries = limited();
        store(&entries)
            .set("a/password", &"hunter2".into())
            .unwrap();
        assert_eq!(entries.names(), ["a/password"]);
        assert_eq!(
            store(&entries).get("a/password").unwrap(),
            Some("hunter2".into())
        );
    }

    #[test]
    fn a_longer_secret_is_kept_in_parts_that_each_fit_and_read_back_whole() {
        let entries = limited();
        // 4,000 characters with some outside the BMP, which take two UTF-16 units each.
        let long: String = (0..4000)
            .map(|i| if i % 7 == 0 { '🔑' } else { 'x' })
            .collect();
        store(&entries)
            .set("a/private/1", &long.clone().into())
            .unwrap();
        assert!(entries.names().len() > 4000 / 64);
        assert_eq!(
            store(&entries).get("a/private/1").unwrap(),
            Some(long.into())
        );
    }

    #[test]
    fn replacing_or_deleting_a_parted_secret_leaves_no_part_behind() {
        let entries = limited();
        let vault = store(&entries);
        vault.set("a/private/1", &"y".repeat(300).into()).unwrap();
        vault.set("a/private/1", &"z".repeat(200).into()).unwrap();
        assert_eq!(entries.names().len(), 1 + 4, "a head and four parts");
        vault.set("a/private/1", &"short".into()).unwrap();
        assert_eq!(entries.names(), ["a/private/1"]);
        vault.set("a/private/1", &"y".repeat(300).into()).unwrap();
        vault.delete("a/private/1").unwrap();
        assert!(entries.names().is_empty());
        assert_eq!(vault.get("a/private/1").unwrap(), None);
    }

    #[test]
    fn a_short_secret_that_looks_like_a_head_is_still_itself() {
        let entries = limited();
        let lookalike = Secret::from("tokenvault-parts:00000000/1");
        store(&entries).set("a/password", &lookalike).unwrap();
        assert_eq!(store(&entries).get("a/password").unwrap(), Some(lookalike));
    }

    #[test]
    fn a_missing_part_is_an_error_naming_the_entry_never_a_cut_secret() {
        let entries = limited();
        store(&entries)
            .set("a/private/1", &"y".repeat(300).into())
            .unwrap();
        let second = entries
            .names()
            .into_iter()
            .find(|name| name.ends_with(".2"))
            .unwrap();
        entries.entries.lock().unwrap().remove(&second);
        let error = store(&entries).get("a/private/1").unwrap_err().to_string();
        assert!(
            error.contains("a/private/1") && error.contains("part 2 is missing"),
            "{error}"
        );
    }
}
