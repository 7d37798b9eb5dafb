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

impl ItemSearch {
    /// Parses a search; the error says what is wrong and what to write instead.
    pub fn parse(input: &str) -> Result<ItemSearch, String> {
        let lower = input.to_lowercase();
        // Where each keyword starts ("status:" inside "sync status:" is not its own).
        let mut found: Vec<(usize, &str)> = Vec::new();
        for key in KEYS {
            let mut from = 0;
            while let Some(i) = lower[from..].find(key) {
                let at = from + i;
                let inside_sync = key == "status:" && lower[..at].ends_with("sync ");
                let in_quotes = lower[..at].matches('"').count() % 2 == 1;
                if !inside_sync && !in_quotes {
                    found.push((at, key));
                }
                from = at + key.len();
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
}
