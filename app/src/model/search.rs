//! The item lists' search grammar: free text, plus `sync status: orphaned` (or enabled,
//! disabled, error, stand-alone), `type: Prospect` and `status: Inactive`, in any order. A value
//! runs to the next keyword (or is quoted: `type: "Former Customer"`); free text is what is not a
//! keyword's value.

use serde::{Deserialize, Serialize};

/// `sync status:` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SyncFilter {
    Enabled,
    Disabled,
    Orphaned,
    Error,
    StandAlone,
}

impl SyncFilter {
    pub fn parse(s: &str) -> Option<SyncFilter> {
        match s.trim().to_lowercase().replace(['_', ' '], "-").as_str() {
            "enabled" => Some(SyncFilter::Enabled),
            "disabled" => Some(SyncFilter::Disabled),
            "orphaned" | "orphan" | "orphans" => Some(SyncFilter::Orphaned),
            "error" => Some(SyncFilter::Error),
            "stand-alone" | "standalone" => Some(SyncFilter::StandAlone),
            _ => None,
        }
    }

    /// The stored sync state, or None for stand-alone (no PSA link).
    pub fn state(self) -> Option<&'static str> {
        match self {
            SyncFilter::Enabled => Some("enabled"),
            SyncFilter::Disabled => Some("disabled"),
            SyncFilter::Orphaned => Some("orphaned"),
            SyncFilter::Error => Some("error"),
            SyncFilter::StandAlone => None,
        }
    }
}

/// A parsed search.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ItemSearch {
    /// Words matched against the name.
    pub text: String,
    pub sync: Option<SyncFilter>,
    /// A type or status name (case-insensitive).
    pub type_name: Option<String>,
    pub status_name: Option<String>,
}

const KEYS: [&str; 3] = ["sync status:", "type:", "status:"];

/// The longest search accepted, in bytes.
pub const MAX_SEARCH_LEN: usize = 500;

impl ItemSearch {
    /// Parses a search; the error says what is wrong and what to write instead. Keywords are
    /// found in the original text itself (ASCII case-insensitively, at character boundaries),
    /// never through a lowercased copy whose byte offsets may differ ("\u{212A}" lowercases to
    /// a one-byte "k").
    pub fn parse(input: &str) -> Result<ItemSearch, String> {
        if input.len() > MAX_SEARCH_LEN {
            return Err(format!(
                "A search is at most {MAX_SEARCH_LEN} characters: shorten it"
            ));
        }
        if input.chars().any(|c| c.is_control() && !c.is_whitespace()) {
            return Err("A search cannot hold control characters: remove them".to_string());
        }
        // Where each keyword starts ("status:" inside "sync status:" is not its own).
        let mut found: Vec<(usize, &str)> = Vec::new();
        let mut quotes = 0usize;
        for (at, c) in input.char_indices() {
            if c == '"' {
                quotes += 1;
                continue;
            }
            if quotes % 2 == 1 {
                continue;
            }
            for key in KEYS {
                let Some(candidate) = input.get(at..at + key.len()) else {
                    continue;
                };
                if !candidate.eq_ignore_ascii_case(key) {
                    continue;
                }
                let inside_sync = key == "status:"
                    && at >= 5
                    && input
                        .get(at - 5..at)
                        .is_some_and(|s| s.eq_ignore_ascii_case("sync "));
                if !inside_sync && !found.iter().any(|(f, k)| at < f + k.len()) {
                    found.push((at, key));
                }
            }
        }
        found.sort();
        let mut search = ItemSearch::default();
        let mut text = vec![input[..found.first().map_or(input.len(), |f| f.0)].trim()];
        for (n, (at, key)) in found.iter().enumerate() {
            let end = found.get(n + 1).map_or(input.len(), |f| f.0);
            let raw = input[at + key.len()..end].trim();
            let (value, rest) = match raw.strip_prefix('"') {
                Some(q) => match q.find('"') {
                    Some(close) => (q[..close].to_string(), q[close + 1..].trim()),
                    None => return Err(format!("Close the quote after {key}")),
                },
                None => (raw.to_string(), ""),
            };
            text.push(rest);
            if value.is_empty() {
                return Err(format!("Say what to look for after {key}"));
            }
            match *key {
                "sync status:" => {
                    search.sync = Some(SyncFilter::parse(&value).ok_or_else(|| {
                        format!("\"{value}\" is not a sync status: use orphaned, enabled, disabled, error or stand-alone")
                    })?)
                }
                "type:" => search.type_name = Some(value),
                _ => search.status_name = Some(value),
            }
        }
        search.text = text
            .into_iter()
            .filter(|t| !t.is_empty())
            .collect::<Vec<_>>()
            .join(" ");
        Ok(search)
    }

    /// The search written back in its own grammar: "sync status: orphaned type: Prospect acme".
    pub fn describe(&self) -> String {
        let mut parts = Vec::new();
        if let Some(s) = self.sync {
            parts.push(format!(
                "sync status: {}",
                s.state().unwrap_or("stand-alone")
            ));
        }
        if let Some(t) = &self.type_name {
            parts.push(format!("type: {t}"));
        }
        if let Some(s) = &self.status_name {
            parts.push(format!("status: {s}"));
        }
        if !self.text.is_empty() {
            parts.push(self.text.clone());
        }
        parts.join(" ")
    }

    /// Anything beyond free text.
    pub fn has_filters(&self) -> bool {
        self.sync.is_some() || self.type_name.is_some() || self.status_name.is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn free_text_alone() {
        let s = ItemSearch::parse("  acme ").unwrap();
        assert_eq!(s.text, "acme");
        assert!(!s.has_filters());
    }

    #[test]
    fn keywords_in_any_order_with_text() {
        let s =
            ItemSearch::parse("acme Sync Status: Orphaned type: Former Customer status: Inactive")
                .unwrap();
        assert_eq!(s.text, "acme");
        assert_eq!(s.sync, Some(SyncFilter::Orphaned));
        assert_eq!(s.type_name.as_deref(), Some("Former Customer"));
        assert_eq!(s.status_name.as_deref(), Some("Inactive"));
        let s = ItemSearch::parse("status: Active sync status: stand-alone").unwrap();
        assert_eq!(s.sync, Some(SyncFilter::StandAlone));
        assert_eq!(s.status_name.as_deref(), Some("Active"));
        assert_eq!(s.text, "");
    }

    #[test]
    fn quoted_values_leave_the_rest_as_text() {
        let s = ItemSearch::parse("type: \"Former Customer\" harbor").unwrap();
        assert_eq!(s.type_name.as_deref(), Some("Former Customer"));
        assert_eq!(s.text, "harbor");
    }

    #[test]
    fn mistakes_say_what_to_write() {
        assert!(ItemSearch::parse("sync status: lost")
            .unwrap_err()
            .contains("use orphaned, enabled, disabled, error or stand-alone"));
        assert!(ItemSearch::parse("type:")
            .unwrap_err()
            .contains("after type:"));
        assert!(ItemSearch::parse("type: \"Lead")
            .unwrap_err()
            .contains("Close the quote"));
    }

    #[test]
    fn unicode_whose_lowercase_changes_length_parses() {
        // KELVIN SIGN lowercases to a one-byte "k": offsets into a lowercased copy would slice
        // the original mid-character.
        let s = ItemSearch::parse("\u{212A}type: x").unwrap();
        assert_eq!(s.type_name.as_deref(), Some("x"));
        assert_eq!(s.text, "\u{212A}");
        let s = ItemSearch::parse("İstanbul TYPE: Lead sync STATUS: orphaned").unwrap();
        assert_eq!(s.text, "İstanbul");
        assert_eq!(s.type_name.as_deref(), Some("Lead"));
        assert_eq!(s.sync, Some(SyncFilter::Orphaned));
    }

    #[test]
    fn huge_and_control_characters_are_refused_with_a_reason() {
        let huge = "a".repeat(MAX_SEARCH_LEN + 1);
        assert!(ItemSearch::parse(&huge).unwrap_err().contains("shorten it"));
        assert!(ItemSearch::parse("acme\u{0}")
            .unwrap_err()
            .contains("control characters"));
    }

    proptest::proptest! {
        /// Any string either parses or gives a clear error; a parsed search parses again from
        /// its own description to the same filters.
        #[test]
        fn any_string_parses_or_says_why(input in "\\PC*|(.|[\"\u{212A}\u{130}:]|type:|status:|sync status:| )*") {
            match ItemSearch::parse(&input) {
                Ok(s) => {
                    proptest::prop_assert!(s.text.len() <= input.len());
                    if let Some(t) = &s.type_name { proptest::prop_assert!(!t.is_empty()); }
                    if let Some(t) = &s.status_name { proptest::prop_assert!(!t.is_empty()); }
                }
                Err(e) => {
                    proptest::prop_assert!(!e.is_empty());
                    proptest::prop_assert!(!e.ends_with('.'));
                }
            }
        }

        #[test]
        fn keywords_with_any_values_never_panic(
            text in "\\PC{0,20}", value in "\\PC{0,20}", key in 0usize..3, upper in proptest::bool::ANY,
        ) {
            let key = if upper { KEYS[key].to_uppercase() } else { KEYS[key].to_string() };
            let input = format!("{text} {key} {value}");
            let _ = ItemSearch::parse(&input);
        }
    }
}
