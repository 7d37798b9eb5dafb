//! Autotask REST's query filter (`{"filter":[{"op","field","value"} | {"op":"and"|"or","items":[…]}]}`),
//! parsed into an expression and evaluated against a record's JSON, as the simulator serves
//! queries and as the connector writes them. The top-level list is an implicit `and`.
//! Operators: eq noteq gt gte lt lte beginsWith endsWith contains exist notExist in notIn;
//! names are case-insensitive, string comparisons too (Autotask's database collation), and
//! dates compare as instants.

use chrono::{DateTime, Utc};
use serde_json::Value;
use std::cmp::Ordering;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Eq,
    NotEq,
    Gt,
    Gte,
    Lt,
    Lte,
    BeginsWith,
    EndsWith,
    Contains,
    Exist,
    NotExist,
    In,
    NotIn,
}

impl Op {
    fn parse(s: &str) -> Option<Op> {
        Some(match s.to_ascii_lowercase().as_str() {
            "eq" => Op::Eq,
            "noteq" => Op::NotEq,
            "gt" => Op::Gt,
            "gte" => Op::Gte,
            "lt" => Op::Lt,
            "lte" => Op::Lte,
            "beginswith" => Op::BeginsWith,
            "endswith" => Op::EndsWith,
            "contains" => Op::Contains,
            "exist" => Op::Exist,
            "notexist" => Op::NotExist,
            "in" => Op::In,
            "notin" => Op::NotIn,
            _ => return None,
        })
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum Filter {
    Cmp { field: String, op: Op, value: Value },
    And(Vec<Filter>),
    Or(Vec<Filter>),
}

/// Parses a query body's `filter` list. Err is the message Autotask answers with.
pub fn parse(filter: &Value) -> Result<Filter, String> {
    let Value::Array(items) = filter else {
        return Err("Value cannot be null. Parameter name: filters".into());
    };
    Ok(Filter::And(
        items.iter().map(parse_one).collect::<Result<_, _>>()?,
    ))
}

fn parse_one(v: &Value) -> Result<Filter, String> {
    let op = v
        .get("op")
        .and_then(Value::as_str)
        .ok_or("Every filter item needs an op")?;
    match op.to_ascii_lowercase().as_str() {
        "and" | "or" => {
            let items = v
                .get("items")
                .and_then(Value::as_array)
                .ok_or_else(|| format!("The {op} filter item needs items"))?;
            let items = items.iter().map(parse_one).collect::<Result<Vec<_>, _>>()?;
            Ok(if op.eq_ignore_ascii_case("and") {
                Filter::And(items)
            } else {
                Filter::Or(items)
            })
        }
        other => {
            let op = Op::parse(other).ok_or_else(|| format!("Unknown operator: {other}"))?;
            let field = v
                .get("field")
                .and_then(Value::as_str)
                .ok_or("A filter item needs a field")?
                .to_string();
            let value = v.get("value").cloned().unwrap_or(Value::Null);
            if matches!(op, Op::In | Op::NotIn) && !value.is_array() {
                return Err(format!("The {other} operator needs a list of values"));
            }
            Ok(Filter::Cmp { field, op, value })
        }
    }
}

impl Filter {
    /// Every field the filter names.
    pub fn fields(&self) -> Vec<&str> {
        match self {
            Filter::Cmp { field, .. } => vec![field.as_str()],
            Filter::And(items) | Filter::Or(items) => {
                items.iter().flat_map(Filter::fields).collect()
            }
        }
    }

    /// Does `record` satisfy the filter? An empty top-level list matches nothing (as Autotask
    /// answers it); an empty nested `and` matches everything.
    pub fn matches(&self, record: &Value) -> bool {
        match self {
            Filter::And(items) => items.iter().all(|f| f.matches(record)),
            Filter::Or(items) => items.iter().any(|f| f.matches(record)),
            Filter::Cmp { field, op, value } => {
                let have = record
                    .as_object()
                    .and_then(|o| o.iter().find(|(k, _)| k.eq_ignore_ascii_case(field)))
                    .map(|(_, v)| v)
                    .unwrap_or(&Value::Null);
                compare(have, *op, value)
            }
        }
    }

    /// The top-level list is empty: Autotask returns no rows for it.
    pub fn is_empty(&self) -> bool {
        matches!(self, Filter::And(items) if items.is_empty())
    }
}

fn text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.to_lowercase()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// An Autotask timestamp (RFC 3339, or without an offset, meaning UTC).
pub fn parse_instant(s: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(s)
        .map(|d| d.with_timezone(&Utc))
        .ok()
        .or_else(|| {
            chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S%.f")
                .ok()
                .map(|d| d.and_utc())
        })
}

fn instant(v: &Value) -> Option<DateTime<Utc>> {
    parse_instant(v.as_str()?)
}

/// Orders two values: numbers (and booleans as 0/1) numerically, dates as instants, other text
/// case-insensitively.
fn order(a: &Value, b: &Value) -> Option<Ordering> {
    let num = |v: &Value| match v {
        Value::Number(n) => n.as_f64(),
        Value::Bool(b) => Some(f64::from(u8::from(*b))),
        Value::String(s) => s.parse::<f64>().ok(),
        _ => None,
    };
    if let (Some(x), Some(y)) = (num(a), num(b)) {
        return x.partial_cmp(&y);
    }
    if let (Some(x), Some(y)) = (instant(a), instant(b)) {
        return Some(x.cmp(&y));
    }
    Some(text(a)?.cmp(&text(b)?))
}

fn compare(have: &Value, op: Op, want: &Value) -> bool {
    match op {
        Op::Exist => !have.is_null() && have.as_str() != Some(""),
        Op::NotExist => have.is_null() || have.as_str() == Some(""),
        Op::Eq => order(have, want) == Some(Ordering::Equal),
        Op::NotEq => order(have, want) != Some(Ordering::Equal),
        Op::Gt => order(have, want) == Some(Ordering::Greater),
        Op::Gte => matches!(order(have, want), Some(Ordering::Greater | Ordering::Equal)),
        Op::Lt => order(have, want) == Some(Ordering::Less),
        Op::Lte => matches!(order(have, want), Some(Ordering::Less | Ordering::Equal)),
        Op::BeginsWith => {
            matches!((text(have), text(want)), (Some(h), Some(w)) if h.starts_with(&w))
        }
        Op::EndsWith => matches!((text(have), text(want)), (Some(h), Some(w)) if h.ends_with(&w)),
        Op::Contains => matches!((text(have), text(want)), (Some(h), Some(w)) if h.contains(&w)),
        Op::In => want
            .as_array()
            .is_some_and(|l| l.iter().any(|w| order(have, w) == Some(Ordering::Equal))),
        Op::NotIn => want
            .as_array()
            .is_some_and(|l| !l.iter().any(|w| order(have, w) == Some(Ordering::Equal))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn f(v: Value) -> Filter {
        parse(&v).unwrap()
    }

    #[test]
    fn operators_on_numbers_text_dates_and_lists() {
        let r = json!({"id": 12, "companyName": "Harbor Dental", "isActive": true,
                       "lastTrackedModifiedDateTime": "2026-03-04T10:20:30.123Z", "parentCompanyID": null});
        assert!(f(json!([{"op": "gt", "field": "id", "value": 11}])).matches(&r));
        assert!(f(json!([{"op": "eq", "field": "ID", "value": "12"}])).matches(&r));
        assert!(
            f(json!([{"op": "beginsWith", "field": "companyname", "value": "harbor"}])).matches(&r)
        );
        assert!(
            f(json!([{"op": "contains", "field": "companyName", "value": "DENT"}])).matches(&r)
        );
        assert!(!f(json!([{"op": "endsWith", "field": "companyName", "value": "x"}])).matches(&r));
        assert!(f(json!([{"op": "eq", "field": "isActive", "value": true}])).matches(&r));
        assert!(f(json!([{"op": "gte", "field": "lastTrackedModifiedDateTime", "value": "2026-03-04T10:20:30Z"}])).matches(&r));
        assert!(!f(json!([{"op": "gt", "field": "lastTrackedModifiedDateTime", "value": "2026-03-05T00:00:00"}])).matches(&r));
        assert!(f(json!([{"op": "notExist", "field": "parentCompanyID"}])).matches(&r));
        assert!(f(json!([{"op": "in", "field": "id", "value": [1, 12]}])).matches(&r));
        assert!(f(json!([{"op": "notIn", "field": "id", "value": [1, 2]}])).matches(&r));
        assert!(f(json!([{"op": "or", "items": [{"op": "eq", "field": "id", "value": 1}, {"op": "eq", "field": "id", "value": 12}]}])).matches(&r));
        assert!(!f(json!([{"op": "and", "items": [{"op": "eq", "field": "id", "value": 12}, {"op": "eq", "field": "isActive", "value": false}]}])).matches(&r));
    }

    #[test]
    fn malformed_filters_say_what_is_wrong() {
        assert_eq!(
            parse(&Value::Null).unwrap_err(),
            "Value cannot be null. Parameter name: filters"
        );
        assert!(parse(&json!([{"op": "like", "field": "id", "value": 1}]))
            .unwrap_err()
            .contains("Unknown operator"));
        assert!(parse(&json!([{"op": "in", "field": "id", "value": 1}])).is_err());
        assert!(f(json!([])).is_empty());
        assert_eq!(f(json!([{"op": "or", "items": [{"op": "eq", "field": "a", "value": 1}, {"op": "exist", "field": "b"}]}])).fields(), vec!["a", "b"]);
    }
}
