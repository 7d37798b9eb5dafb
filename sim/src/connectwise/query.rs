//! The list query parameters of ConnectWise Manage: `conditions`, `childConditions`, `orderBy`,
//! `fields`, `page`, `pageSize`, `pageId` (names case-insensitive, unknown ones ignored), and
//! their application to a collection. `childConditions` are conditions on a record's lists
//! (`types/name = "Partner"`, `communicationItems/value like "%@acme.com"`) and filter with
//! `conditions`; `customFieldConditions` are refused, as no custom field is defined here:
//! neither is ever silently ignored, which would widen a listing.

use crate::connectwise::conditions::{self, Expr};
use serde_json::{Map, Value};
use std::cmp::Ordering;

pub const DEFAULT_PAGE_SIZE: usize = 25;
pub const MAX_PAGE_SIZE: usize = 1000;

#[derive(Debug, Default)]
pub struct ListQuery {
    pub conditions: Option<Expr>,
    /// (path, descending)
    pub order_by: Vec<(Vec<String>, bool)>,
    pub fields: Vec<Vec<String>>,
    pub page: usize,
    pub page_size: usize,
    pub page_id: Option<i64>,
}

fn path(s: &str) -> Vec<String> {
    s.trim().split('/').map(|p| p.to_string()).collect()
}

impl ListQuery {
    /// Reads the query string; Err is the message of a 400.
    pub fn parse(raw: &[(String, String)]) -> Result<ListQuery, String> {
        let mut q = ListQuery {
            page: 1,
            page_size: DEFAULT_PAGE_SIZE,
            ..Default::default()
        };
        for (k, v) in raw {
            match k.to_ascii_lowercase().as_str() {
                key @ ("conditions" | "childconditions") if !v.trim().is_empty() => {
                    let name = if key == "conditions" {
                        "conditions"
                    } else {
                        "childConditions"
                    };
                    let more = conditions::parse(v).map_err(|e| format!("{name}: {e}"))?;
                    q.conditions = Some(match q.conditions.take() {
                        Some(c) => Expr::And(Box::new(c), Box::new(more)),
                        None => more,
                    });
                }
                "customfieldconditions" if !v.trim().is_empty() => {
                    return Err(
                        "customFieldConditions: no custom field is defined on this record".into(),
                    )
                }
                "orderby" => {
                    for part in v.split(',').filter(|p| !p.trim().is_empty()) {
                        let mut words = part.split_whitespace();
                        let field = words.next().unwrap_or_default();
                        let desc = match words.next().map(|w| w.to_ascii_lowercase()) {
                            None => false,
                            Some(w) if w == "asc" => false,
                            Some(w) if w == "desc" => true,
                            Some(w) => return Err(format!("orderBy: unknown direction {w:?}")),
                        };
                        q.order_by.push((path(field), desc));
                    }
                }
                "fields" => {
                    q.fields = v
                        .split(',')
                        .filter(|f| !f.trim().is_empty())
                        .map(path)
                        .collect()
                }
                "page" => {
                    q.page = v
                        .parse()
                        .ok()
                        .filter(|p| *p >= 1)
                        .ok_or("page must be a whole number from 1")?
                }
                "pagesize" => {
                    let n: usize = v.parse().map_err(|_| "pageSize must be a whole number")?;
                    q.page_size = n.clamp(1, MAX_PAGE_SIZE);
                }
                "pageid" => {
                    q.page_id = Some(v.parse().map_err(|_| "pageId must be a whole number")?)
                }
                _ => {}
            }
        }
        Ok(q)
    }

    /// The conditions as they apply to records like `sample`: `lastUpdated` is the record's
    /// `_info.lastUpdated`, and a condition on a field no sampled record has (an `_info` path
    /// included) is refused, as the real service answers 400 naming it (Err is its message),
    /// never a silently empty page. None: no conditions.
    pub fn resolve<'a>(
        &self,
        sample: impl IntoIterator<Item = &'a Value>,
    ) -> Result<Option<Expr>, String> {
        let Some(conditions) = &self.conditions else {
            return Ok(None);
        };
        let sample: Vec<&Value> = sample.into_iter().collect();
        let mut conditions = conditions.clone();
        let mut unknown = None;
        conditions.visit_paths(&mut |path| {
            let Some(head) = path.first() else { return };
            if head.eq_ignore_ascii_case("lastUpdated") && path.len() == 1 {
                *path = vec!["_info".to_string(), "lastUpdated".to_string()];
                return;
            }
            let known = !head.starts_with('_')
                && (sample.is_empty()
                    || sample.iter().any(|r| {
                        r.as_object()
                            .is_some_and(|o| o.keys().any(|k| k.eq_ignore_ascii_case(head)))
                    }));
            if !known && unknown.is_none() {
                unknown = Some(path.join("/"));
            }
        });
        if let Some(field) = unknown {
            return Err(format!(
                "conditions: {field} is not a field that can be queried"
            ));
        }
        Ok(Some(conditions))
    }

    /// The records the conditions select (see `resolve`).
    #[cfg(test)]
    pub fn filter<'a>(
        &self,
        records: impl Iterator<Item = &'a Value>,
    ) -> Result<Vec<&'a Value>, String> {
        let records: Vec<&Value> = records.collect();
        Ok(match self.resolve(records.iter().copied())? {
            None => records,
            Some(c) => records.into_iter().filter(|r| c.matches(r)).collect(),
        })
    }

    /// Whether records come in plain id order (no orderBy, or `id` ascending only).
    pub fn in_id_order(&self) -> bool {
        match self.order_by.as_slice() {
            [] => true,
            [(p, false)] => p.len() == 1 && p[0].eq_ignore_ascii_case("id"),
            _ => false,
        }
    }

    /// Sorts by orderBy, then by id (the real API's default order).
    pub fn sort(&self, records: &mut [&Value]) {
        records.sort_by(|a, b| {
            for (p, desc) in &self.order_by {
                let o = cmp(get(a, p), get(b, p));
                let o = if *desc { o.reverse() } else { o };
                if o != Ordering::Equal {
                    return o;
                }
            }
            cmp(a.get("id"), b.get("id"))
        });
    }

    /// Keeps only the requested fields (all when none were asked for).
    pub fn project(&self, record: &Value) -> Value {
        if self.fields.is_empty() {
            return record.clone();
        }
        let mut out = Value::Object(Map::new());
        for p in &self.fields {
            if let Some(v) = get(record, p) {
                insert(&mut out, p, v.clone());
            }
        }
        out
    }
}

fn get<'a>(v: &'a Value, path: &[String]) -> Option<&'a Value> {
    path.iter().try_fold(v, |v, k| {
        v.as_object().and_then(|m| {
            m.iter()
                .find(|(key, _)| key.eq_ignore_ascii_case(k))
                .map(|(_, v)| v)
        })
    })
}

fn insert(out: &mut Value, path: &[String], v: Value) {
    let Some((head, rest)) = path.split_first() else {
        return;
    };
    let map = out.as_object_mut().expect("an object");
    if rest.is_empty() {
        map.insert(head.clone(), v);
    } else {
        let child = map
            .entry(head.clone())
            .or_insert_with(|| Value::Object(Map::new()));
        insert(child, rest, v);
    }
}

fn cmp(a: Option<&Value>, b: Option<&Value>) -> Ordering {
    match (a, b) {
        (Some(Value::Number(x)), Some(Value::Number(y))) => x
            .as_f64()
            .partial_cmp(&y.as_f64())
            .unwrap_or(Ordering::Equal),
        (Some(Value::String(x)), Some(Value::String(y))) => x.to_lowercase().cmp(&y.to_lowercase()),
        (Some(Value::Bool(x)), Some(Value::Bool(y))) => x.cmp(y),
        (None | Some(Value::Null), None | Some(Value::Null)) => Ordering::Equal,
        (None | Some(Value::Null), _) => Ordering::Less,
        (_, None | Some(Value::Null)) => Ordering::Greater,
        _ => Ordering::Equal,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn q(pairs: &[(&str, &str)]) -> Result<ListQuery, String> {
        ListQuery::parse(
            &pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect::<Vec<_>>(),
        )
    }

    #[test]
    fn names_are_case_insensitive_and_unknown_ones_ignored() {
        let l = q(&[("PAGESIZE", "5000"), ("Page", "3"), ("whatever", "x")]).unwrap();
        assert_eq!((l.page, l.page_size), (3, MAX_PAGE_SIZE));
        assert_eq!(q(&[]).unwrap().page_size, DEFAULT_PAGE_SIZE);
        assert!(q(&[("page", "0")]).is_err());
        assert!(q(&[("conditions", "id =")])
            .unwrap_err()
            .starts_with("conditions:"));
        assert!(q(&[("orderBy", "name sideways")]).is_err());
    }

    #[test]
    fn sorts_filters_and_projects() {
        let rows = [
            json!({"id": 1, "name": "b", "status": {"name": "Active"}}),
            json!({"id": 2, "name": "a", "status": {"name": "Inactive"}}),
            json!({"id": 3, "name": "c", "status": {"name": "Active"}}),
        ];
        let l = q(&[
            ("conditions", "status/name = \"Active\""),
            ("orderBy", "name desc"),
            ("fields", "id,status/name"),
        ])
        .unwrap();
        let mut hits = l.filter(rows.iter()).unwrap();
        l.sort(&mut hits);
        let out: Vec<Value> = hits.iter().map(|r| l.project(r)).collect();
        assert_eq!(
            out,
            vec![
                json!({"id": 3, "status": {"name": "Active"}}),
                json!({"id": 1, "status": {"name": "Active"}})
            ]
        );
    }

    #[test]
    fn last_updated_is_the_records_info_and_unknown_fields_are_refused() {
        let rows = [
            json!({"id": 1, "_info": {"lastUpdated": "2026-01-02T00:00:00Z"}}),
            json!({"id": 2, "_info": {"lastUpdated": "2025-12-01T00:00:00Z"}}),
        ];
        let l = q(&[("conditions", "lastUpdated > [2026-01-01T00:00:00Z]")]).unwrap();
        let hits = l.filter(rows.iter()).unwrap();
        assert_eq!(hits.len(), 1);
        assert_eq!(hits[0]["id"], 1);
        for bad in [
            "nosuchfield = 1",
            "_info/lastUpdated > [2026-01-01T00:00:00Z]",
        ] {
            let l = q(&[("conditions", bad)]).unwrap();
            assert!(
                l.filter(rows.iter())
                    .unwrap_err()
                    .contains("is not a field"),
                "{bad}"
            );
        }
    }
}
