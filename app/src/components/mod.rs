//! Pieces of UI shared by several pages.

mod delete_dialog;
mod layout;
mod menu;
mod org_picker;
mod pager;
mod plug;
mod removal;

pub use delete_dialog::*;
pub use layout::*;
pub use menu::*;
pub use org_picker::*;
pub use pager::*;
pub use plug::*;
pub use removal::*;

/// 1243 -> "1,243".
pub fn fmt_count(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    if n < 0 {
        out.insert(0, '-');
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn counts_get_thousands_separators() {
        assert_eq!(super::fmt_count(0), "0");
        assert_eq!(super::fmt_count(999), "999");
        assert_eq!(super::fmt_count(1243), "1,243");
        assert_eq!(super::fmt_count(1_000_000), "1,000,000");
        assert_eq!(super::fmt_count(-4500), "-4,500");
    }
}
