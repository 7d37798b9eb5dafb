//! A simulator's collection of records, kept as compact JSON text in id order and parsed only
//! when a page is served or a filter reads a record. A `serde_json::Value` tree costs several
//! kilobytes a record (a map node, a `String` key and a `Value` per field, nested references
//! included), so the XL dataset held 5.9 GB; as text a record costs its length. Ids are unique
//! and sorted, so a record by id and the position after a page's last id are binary searches:
//! a page costs the same wherever it is in the collection.

use serde_json::Value;

#[derive(Debug, Clone, Default)]
pub struct Collection {
    ids: Vec<i64>,
    texts: Vec<Box<str>>,
    /// Counts changes, so that what was derived from the records (a simulator's cached
    /// matches) knows when it is stale.
    version: u64,
}

fn id_of(v: &Value) -> i64 {
    v.get("id").and_then(Value::as_i64).unwrap_or_default()
}

fn text(v: &Value) -> Box<str> {
    serde_json::to_string(v)
        .expect("a JSON value serialises")
        .into_boxed_str()
}

fn parse(t: &str) -> Value {
    serde_json::from_str(t).expect("stored JSON parses")
}

impl Collection {
    /// The records in id order (the last of two with one id wins).
    pub fn from_values(values: impl IntoIterator<Item = Value>) -> Collection {
        let mut rows: Vec<(i64, Box<str>)> =
            values.into_iter().map(|v| (id_of(&v), text(&v))).collect();
        rows.sort_by_key(|r| r.0);
        rows.dedup_by(|later, earlier| {
            if later.0 == earlier.0 {
                std::mem::swap(later, earlier);
                true
            } else {
                false
            }
        });
        let (ids, texts) = rows.into_iter().unzip();
        Collection {
            ids,
            texts,
            version: 0,
        }
    }

    /// Changes so far (see `version`).
    pub fn version(&self) -> u64 {
        self.version
    }

    pub fn len(&self) -> usize {
        self.ids.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    /// The record at `index` (in id order).
    pub fn get(&self, index: usize) -> Option<Value> {
        self.texts.get(index).map(|t| parse(t))
    }

    /// Every record in id order, each parsed as it is reached.
    pub fn iter(&self) -> impl Iterator<Item = Value> + '_ {
        self.texts.iter().map(|t| parse(t))
    }

    /// Records from `index` on, in id order.
    pub fn iter_from(&self, index: usize) -> impl Iterator<Item = Value> + '_ {
        self.texts[index.min(self.texts.len())..]
            .iter()
            .map(|t| parse(t))
    }

    pub fn ids(&self) -> &[i64] {
        &self.ids
    }

    pub fn contains(&self, id: i64) -> bool {
        self.ids.binary_search(&id).is_ok()
    }

    pub fn find(&self, id: i64) -> Option<Value> {
        self.ids
            .binary_search(&id)
            .ok()
            .map(|i| parse(&self.texts[i]))
    }

    /// The index of the first record whose id is greater than `id`.
    pub fn start_after(&self, id: i64) -> usize {
        self.ids.partition_point(|x| *x <= id)
    }

    /// Changes record `id` in place (its id must stay); false when there is none.
    pub fn update(&mut self, id: i64, change: impl FnOnce(&mut Value)) -> bool {
        let Ok(i) = self.ids.binary_search(&id) else {
            return false;
        };
        let mut v = parse(&self.texts[i]);
        change(&mut v);
        debug_assert_eq!(id_of(&v), id, "a record keeps its id");
        self.texts[i] = text(&v);
        self.version += 1;
        true
    }

    /// Puts a record in its place by id, replacing one with the same id.
    pub fn upsert(&mut self, v: Value) {
        let id = id_of(&v);
        self.version += 1;
        match self.ids.binary_search(&id) {
            Ok(i) => self.texts[i] = text(&v),
            Err(i) => {
                self.ids.insert(i, id);
                self.texts.insert(i, text(&v));
            }
        }
    }

    /// Removes record `id`; false when there is none.
    pub fn remove(&mut self, id: i64) -> bool {
        let Ok(i) = self.ids.binary_search(&id) else {
            return false;
        };
        self.ids.remove(i);
        self.texts.remove(i);
        self.version += 1;
        true
    }

    /// Keeps the records `keep` says yes to.
    pub fn retain(&mut self, mut keep: impl FnMut(&Value) -> bool) {
        let mut ids = Vec::with_capacity(self.ids.len());
        let mut texts = Vec::with_capacity(self.texts.len());
        for (id, t) in self.ids.drain(..).zip(self.texts.drain(..)) {
            if keep(&parse(&t)) {
                ids.push(id);
                texts.push(t);
            }
        }
        self.ids = ids;
        self.texts = texts;
        self.version += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn keeps_records_in_id_order_and_finds_them_by_id() {
        let mut c = Collection::from_values([
            json!({"id": 5, "name": "e"}),
            json!({"id": 1, "name": "a"}),
            json!({"id": 3, "name": "c"}),
        ]);
        assert_eq!(c.ids(), &[1, 3, 5]);
        assert_eq!(c.find(3).unwrap()["name"], "c");
        assert!(c.find(4).is_none());
        assert_eq!(c.start_after(0), 0);
        assert_eq!(c.start_after(3), 2);
        assert_eq!(c.start_after(9), 3);
        assert!(c.update(3, |v| v["name"] = json!("C")));
        assert_eq!(c.get(1).unwrap()["name"], "C");
        c.upsert(json!({"id": 2, "name": "b"}));
        c.upsert(json!({"id": 5, "name": "E"}));
        assert_eq!(c.ids(), &[1, 2, 3, 5]);
        assert_eq!(c.iter().last().unwrap()["name"], "E");
        assert!(c.remove(1) && !c.remove(1));
        c.retain(|v| v["name"] != "b");
        assert_eq!(c.ids(), &[3, 5]);
        assert_eq!(c.iter_from(1).count(), 1);
    }
}
