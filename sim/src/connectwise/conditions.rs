//! ConnectWise Manage's `conditions` query language: parsed into an expression the simulator
//! evaluates against a record's JSON, and written by the connector.
//!
//! `name like "Acme*" and (status/id = 1 or types/name contains "Client")`,
//! `lastUpdated > [2026-01-02T03:04:05Z]`, `id in (1, 2, 3)`, `deletedFlag = false`.
//! Keywords and field names are case-insensitive; string comparisons are too (as on the real
//! service's SQL Server collation).

use chrono::{DateTime, FixedOffset, NaiveDateTime, Utc};
use serde_json::Value;

/// A literal on the right of an operator.
#[derive(Debug, Clone, PartialEq)]
pub enum Literal {
    Str(String),
    Num(f64),
    Bool(bool),
    Null,
    Date(DateTime<Utc>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    Contains,
    Like,
    In,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    /// `path op value`; `negated` for `not like`, `not contains`, `not in`.
    Cmp {
        path: Vec<String>,
        op: Op,
        negated: bool,
        values: Vec<Literal>,
    },
    And(Box<Expr>, Box<Expr>),
    Or(Box<Expr>, Box<Expr>),
    Not(Box<Expr>),
}

/// Why a conditions string was refused, with where.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message} at position {position}")]
pub struct ParseError {
    pub message: String,
    pub position: usize,
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Word(String),
    Str(String),
    Num(f64),
    Date(DateTime<Utc>),
    Sym(&'static str),
}

fn err<T>(message: impl Into<String>, position: usize) -> Result<T, ParseError> {
    Err(ParseError {
        message: message.into(),
        position,
    })
}

/// Parses `2026-01-02T03:04:05Z`, with or without fractional seconds, with `Z`, an offset, or none
/// (taken as UTC).
pub fn parse_datetime(s: &str) -> Option<DateTime<Utc>> {
    let s = s.trim();
    if let Ok(d) = DateTime::<FixedOffset>::parse_from_rfc3339(s) {
        return Some(d.with_timezone(&Utc));
    }
    for fmt in [
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%d %H:%M:%S%.f",
    ] {
        if let Ok(n) = NaiveDateTime::parse_from_str(s, fmt) {
            return Some(n.and_utc());
        }
    }
    None
}

fn tokenize(input: &str) -> Result<Vec<(Tok, usize)>, ParseError> {
    let chars: Vec<char> = input.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let start = i;
        match c {
            c if c.is_whitespace() => i += 1,
            '(' | ')' | ',' => {
                out.push((
                    Tok::Sym(match c {
                        '(' => "(",
                        ')' => ")",
                        _ => ",",
                    }),
                    start,
                ));
                i += 1;
            }
            '=' => {
                out.push((Tok::Sym("="), start));
                i += 1;
            }
            '!' | '<' | '>' => {
                let two = chars.get(i + 1) == Some(&'=');
                let sym = match (c, two) {
                    ('!', true) => "!=",
                    ('<', true) => "<=",
                    ('>', true) => ">=",
                    ('<', false) => "<",
                    ('>', false) => ">",
                    _ => return err("'!' must be followed by '='", start),
                };
                out.push((Tok::Sym(sym), start));
                i += if two { 2 } else { 1 };
            }
            '"' | '\'' => {
                let quote = c;
                let mut s = String::new();
                i += 1;
                loop {
                    match chars.get(i) {
                        None => return err("unterminated string", start),
                        Some('\\') if chars.get(i + 1).is_some() => {
                            s.push(chars[i + 1]);
                            i += 2;
                        }
                        Some(&q) if q == quote => {
                            i += 1;
                            break;
                        }
                        Some(&ch) => {
                            s.push(ch);
                            i += 1;
                        }
                    }
                }
                out.push((Tok::Str(s), start));
            }
            '[' => {
                let Some(end) = chars[i..].iter().position(|&ch| ch == ']') else {
                    return err("unterminated [date]", start);
                };
                let text: String = chars[i + 1..i + end].iter().collect();
                let Some(d) = parse_datetime(&text) else {
                    return err(format!("[{text}] is not a date and time"), start);
                };
                out.push((Tok::Date(d), start));
                i += end + 1;
            }
            c if c.is_ascii_digit() || c == '-' || c == '.' => {
                let mut j = i + 1;
                while j < chars.len() && (chars[j].is_ascii_digit() || chars[j] == '.') {
                    j += 1;
                }
                let text: String = chars[i..j].iter().collect();
                let Ok(n) = text.parse::<f64>() else {
                    return err(format!("{text} is not a number"), start);
                };
                out.push((Tok::Num(n), start));
                i = j;
            }
            c if c.is_alphanumeric() || c == '_' => {
                let mut j = i + 1;
                while j < chars.len()
                    && (chars[j].is_alphanumeric() || matches!(chars[j], '_' | '/' | '.'))
                {
                    j += 1;
                }
                out.push((Tok::Word(chars[i..j].iter().collect()), start));
                i = j;
            }
            other => return err(format!("unexpected character {other:?}"), start),
        }
    }
    Ok(out)
}

struct Parser {
    toks: Vec<(Tok, usize)>,
    pos: usize,
    end: usize,
}

impl Parser {
    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.pos).map(|(t, _)| t)
    }

    fn at(&self) -> usize {
        self.toks.get(self.pos).map(|(_, p)| *p).unwrap_or(self.end)
    }

    fn keyword(&self, kw: &str) -> bool {
        matches!(self.peek(), Some(Tok::Word(w)) if w.eq_ignore_ascii_case(kw))
    }

    fn sym(&self, s: &str) -> bool {
        matches!(self.peek(), Some(Tok::Sym(x)) if *x == s)
    }

    fn or(&mut self) -> Result<Expr, ParseError> {
        let mut left = self.and()?;
        while self.keyword("or") {
            self.pos += 1;
            left = Expr::Or(Box::new(left), Box::new(self.and()?));
        }
        Ok(left)
    }

    fn and(&mut self) -> Result<Expr, ParseError> {
        let mut left = self.unary()?;
        while self.keyword("and") {
            self.pos += 1;
            left = Expr::And(Box::new(left), Box::new(self.unary()?));
        }
        Ok(left)
    }

    fn unary(&mut self) -> Result<Expr, ParseError> {
        if self.keyword("not") {
            self.pos += 1;
            return Ok(Expr::Not(Box::new(self.unary()?)));
        }
        if self.sym("(") {
            self.pos += 1;
            let e = self.or()?;
            if !self.sym(")") {
                return err("expected ')'", self.at());
            }
            self.pos += 1;
            return Ok(e);
        }
        self.comparison()
    }

    fn comparison(&mut self) -> Result<Expr, ParseError> {
        let path = match self.peek() {
            Some(Tok::Word(w)) => w.split('/').map(|s| s.to_string()).collect::<Vec<_>>(),
            _ => return err("expected a field name", self.at()),
        };
        self.pos += 1;
        let negated = self.keyword("not");
        if negated {
            self.pos += 1;
        }
        let op = match self.peek() {
            Some(Tok::Sym("=")) if !negated => Op::Eq,
            Some(Tok::Sym("!=")) if !negated => Op::Ne,
            Some(Tok::Sym("<")) if !negated => Op::Lt,
            Some(Tok::Sym("<=")) if !negated => Op::Le,
            Some(Tok::Sym(">")) if !negated => Op::Gt,
            Some(Tok::Sym(">=")) if !negated => Op::Ge,
            Some(Tok::Word(w)) if w.eq_ignore_ascii_case("contains") => Op::Contains,
            Some(Tok::Word(w)) if w.eq_ignore_ascii_case("like") => Op::Like,
            Some(Tok::Word(w)) if w.eq_ignore_ascii_case("in") => Op::In,
            _ => {
                return err(
                    "expected an operator (= != < <= > >= contains like in not)",
                    self.at(),
                )
            }
        };
        self.pos += 1;
        let values = if op == Op::In {
            if !self.sym("(") {
                return err("expected '(' after in", self.at());
            }
            self.pos += 1;
            let mut values = vec![self.literal()?];
            while self.sym(",") {
                self.pos += 1;
                values.push(self.literal()?);
            }
            if !self.sym(")") {
                return err("expected ')' to close the list", self.at());
            }
            self.pos += 1;
            values
        } else {
            vec![self.literal()?]
        };
        Ok(Expr::Cmp {
            path,
            op,
            negated,
            values,
        })
    }

    fn literal(&mut self) -> Result<Literal, ParseError> {
        let lit = match self.peek() {
            Some(Tok::Str(s)) => Literal::Str(s.clone()),
            Some(Tok::Num(n)) => Literal::Num(*n),
            Some(Tok::Date(d)) => Literal::Date(*d),
            Some(Tok::Word(w)) if w.eq_ignore_ascii_case("true") => Literal::Bool(true),
            Some(Tok::Word(w)) if w.eq_ignore_ascii_case("false") => Literal::Bool(false),
            Some(Tok::Word(w)) if w.eq_ignore_ascii_case("null") => Literal::Null,
            _ => {
                return err(
                    "expected a value (a \"string\", a number, true, false, null or [date])",
                    self.at(),
                )
            }
        };
        self.pos += 1;
        Ok(lit)
    }
}

/// Parses a conditions string.
pub fn parse(input: &str) -> Result<Expr, ParseError> {
    let toks = tokenize(input)?;
    if toks.is_empty() {
        return err("the conditions are empty", 0);
    }
    let mut p = Parser {
        toks,
        pos: 0,
        end: input.chars().count(),
    };
    let e = p.or()?;
    if p.pos != p.toks.len() {
        return err("unexpected text after the conditions", p.at());
    }
    Ok(e)
}

/// The values at a path: objects are entered by key (case-insensitive), arrays fan out.
fn lookup<'a>(v: &'a Value, path: &[String], out: &mut Vec<&'a Value>) {
    match (path.split_first(), v) {
        (None, Value::Array(items)) => out.extend(items.iter()),
        (None, v) => out.push(v),
        (Some(_), Value::Array(items)) => items.iter().for_each(|i| lookup(i, path, out)),
        (Some((head, rest)), Value::Object(map)) => {
            if let Some((_, child)) = map.iter().find(|(k, _)| k.eq_ignore_ascii_case(head)) {
                lookup(child, rest, out);
            } else {
                out.push(&Value::Null);
            }
        }
        (Some(_), _) => out.push(&Value::Null),
    }
}

fn like(text: &str, pattern: &str) -> bool {
    // `*` and `%` match any run of characters.
    let parts: Vec<&str> = pattern.split(['*', '%']).collect();
    if parts.len() == 1 {
        return text == pattern;
    }
    let mut rest = text;
    for (i, part) in parts.iter().enumerate() {
        if i == 0 {
            let Some(r) = rest.strip_prefix(part) else {
                return false;
            };
            rest = r;
        } else if i == parts.len() - 1 {
            return rest.ends_with(part);
        } else if let Some(at) = rest.find(part) {
            rest = &rest[at + part.len()..];
        } else {
            return false;
        }
    }
    true
}

fn compare(value: &Value, op: Op, lit: &Literal) -> bool {
    use std::cmp::Ordering;
    let ord: Option<Ordering> = match (value, lit) {
        (Value::Null, Literal::Null) => Some(Ordering::Equal),
        (_, Literal::Null) | (Value::Null, _) => None,
        (Value::Bool(b), Literal::Bool(l)) => Some(b.cmp(l)),
        (Value::Number(n), Literal::Num(l)) => n.as_f64().and_then(|n| n.partial_cmp(l)),
        (Value::String(s), Literal::Date(d)) => parse_datetime(s).map(|v| v.cmp(d)),
        (Value::String(s), Literal::Str(l)) => Some(s.to_lowercase().cmp(&l.to_lowercase())),
        (Value::String(s), Literal::Num(l)) => s.parse::<f64>().ok().and_then(|n| n.partial_cmp(l)),
        _ => None,
    };
    let text = |v: &Value| match v {
        Value::String(s) => Some(s.to_lowercase()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    };
    let needle = match lit {
        Literal::Str(s) => Some(s.to_lowercase()),
        Literal::Num(n) => Some(n.to_string()),
        _ => None,
    };
    match op {
        Op::Eq | Op::In => ord == Some(Ordering::Equal),
        Op::Ne => ord != Some(Ordering::Equal),
        Op::Lt => ord == Some(Ordering::Less),
        Op::Le => matches!(ord, Some(Ordering::Less | Ordering::Equal)),
        Op::Gt => ord == Some(Ordering::Greater),
        Op::Ge => matches!(ord, Some(Ordering::Greater | Ordering::Equal)),
        Op::Contains => matches!((text(value), needle), (Some(t), Some(n)) if t.contains(&n)),
        Op::Like => matches!((text(value), needle), (Some(t), Some(n)) if like(&t, &n)),
    }
}

impl Expr {
    /// Calls `f` on the field path of every comparison (it may rewrite them).
    pub fn visit_paths(&mut self, f: &mut dyn FnMut(&mut Vec<String>)) {
        match self {
            Expr::And(a, b) | Expr::Or(a, b) => {
                a.visit_paths(f);
                b.visit_paths(f);
            }
            Expr::Not(e) => e.visit_paths(f),
            Expr::Cmp { path, .. } => f(path),
        }
    }

    /// Does `record` (a ConnectWise JSON record) satisfy the conditions?
    pub fn matches(&self, record: &Value) -> bool {
        match self {
            Expr::And(a, b) => a.matches(record) && b.matches(record),
            Expr::Or(a, b) => a.matches(record) || b.matches(record),
            Expr::Not(e) => !e.matches(record),
            Expr::Cmp {
                path,
                op,
                negated,
                values,
            } => {
                let mut found = Vec::new();
                lookup(record, path, &mut found);
                let hit = found
                    .iter()
                    .any(|v| values.iter().any(|lit| compare(v, *op, lit)));
                // `!=` holds only when no value equals.
                let hit = if *op == Op::Ne {
                    found
                        .iter()
                        .all(|v| values.iter().all(|lit| compare(v, *op, lit)))
                } else {
                    hit
                };
                hit != *negated
            }
        }
    }
}

/// Writes a datetime as the API takes it in conditions: `[2026-01-02T03:04:05Z]`.
pub fn datetime_literal(d: DateTime<Utc>) -> String {
    format!("[{}]", d.format("%Y-%m-%dT%H:%M:%SZ"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn company() -> Value {
        json!({
            "id": 250,
            "identifier": "AcmeDental",
            "name": "Acme Dental LLC",
            "status": { "id": 1, "name": "Active" },
            "types": [ { "id": 1, "name": "Customer" }, { "id": 5, "name": "Partner" } ],
            "deletedFlag": false,
            "phoneNumber": null,
            "_info": { "lastUpdated": "2026-03-04T10:20:30Z" }
        })
    }

    fn m(conditions: &str) -> bool {
        parse(conditions)
            .unwrap_or_else(|e| panic!("{conditions}: {e}"))
            .matches(&company())
    }

    #[test]
    fn compares_numbers_strings_booleans_and_null() {
        assert!(m("id = 250"));
        assert!(m("id != 251"));
        assert!(!m("id != 250"));
        assert!(m("id >= 250 and id <= 250 and id > 249 and id < 251"));
        assert!(
            m("name = \"acme dental llc\""),
            "strings compare case-insensitively"
        );
        assert!(m("identifier = 'AcmeDental'"));
        assert!(m("deletedFlag = false"));
        assert!(!m("deletedFlag = true"));
        assert!(m("phoneNumber = null"));
        assert!(!m("name = null"));
    }

    #[test]
    fn follows_nested_paths_and_arrays() {
        assert!(m("status/id = 1"));
        assert!(m("STATUS/NAME = \"Active\""), "paths are case-insensitive");
        assert!(
            m("types/name = \"Partner\""),
            "any element of an array matches"
        );
        assert!(!m("types/name = \"Vendor\""));
        assert!(m("types/id in (3, 5)"));
        assert!(!m("missing/field = 1"));
    }

    #[test]
    fn contains_like_in_and_their_negations() {
        assert!(m("name contains \"dental\""));
        assert!(m("name like \"Acme*\""));
        assert!(m("name like \"%Dental%\""));
        assert!(!m("name like \"Dental*\""));
        assert!(m("name not like \"Dental*\""));
        assert!(m("name not contains \"Law\""));
        assert!(m("id in (1, 250, 3)"));
        assert!(m("id not in (1, 2)"));
        assert!(m("status/name in (\"Inactive\", \"Active\")"));
    }

    #[test]
    fn combines_with_and_or_not_and_parentheses() {
        assert!(m("id = 1 or id = 250"));
        assert!(!m("id = 1 or id = 2"));
        assert!(m("(id = 1 or id = 250) and deletedFlag = false"));
        assert!(
            !m("id = 1 or id = 250 and deletedFlag = true"),
            "and binds tighter than or"
        );
        assert!(m("not (id = 1)"));
        assert!(
            m("ID = 250 AND Name Like \"acme*\""),
            "keywords are case-insensitive"
        );
    }

    #[test]
    fn compares_bracketed_datetimes_in_every_form() {
        assert!(m("_info/lastUpdated > [2026-01-02T03:04:05Z]"));
        assert!(m("_info/lastUpdated > [2026-01-02T03:04:05.123Z]"));
        assert!(m("_info/lastUpdated >= [2026-03-04T10:20:30]"));
        assert!(!m("_info/lastUpdated < [2026-03-04T12:20:29+02:00]"));
        assert!(m("_info/lastUpdated < [2026-03-04T12:20:31+02:00]"));
        assert!(!m("_info/lastUpdated > [2027-01-01T00:00:00Z]"));
    }

    #[test]
    fn refuses_malformed_conditions_with_a_position() {
        for (bad, what) in [
            ("", "empty"),
            ("id =", "expected a value"),
            ("id 250", "expected an operator"),
            ("(id = 1", "expected ')'"),
            ("name = \"open", "unterminated string"),
            ("_info/lastUpdated > [yesterday]", "not a date"),
            ("id = 1 id = 2", "unexpected text"),
            ("id in 1", "expected '('"),
            ("id ! 1", "'!' must be followed"),
        ] {
            let e = parse(bad).expect_err(bad);
            assert!(e.message.contains(what), "{bad}: {e}");
        }
    }

    #[test]
    fn writes_datetimes_the_api_reads_back() {
        let d = parse_datetime("2026-01-02T03:04:05Z").unwrap();
        let text = format!("_info/lastUpdated > {}", datetime_literal(d));
        assert_eq!(text, "_info/lastUpdated > [2026-01-02T03:04:05Z]");
        assert!(parse(&text).is_ok());
    }
}
