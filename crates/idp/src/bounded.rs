//! A map with a cap on entries and on (approximate) bytes that forgets its oldest
//! entries first: how the IdP keeps logins, codes and tokens bounded under any traffic.

use std::collections::{HashMap, VecDeque};

/// A `HashMap<String, V>` that remembers insertion order, evicts the oldest entries past
/// `max_len` or `max_bytes`, and can drop expired entries from the old end.
#[derive(Debug)]
pub struct BoundedMap<V> {
    map: HashMap<String, (V, usize)>,
    /// Keys in insertion order; may hold keys already removed (skipped when met).
    order: VecDeque<String>,
    bytes: usize,
    max_len: usize,
    max_bytes: usize,
    weigh: fn(&V) -> usize,
}

impl<V> BoundedMap<V> {
    /// An empty map; `weigh` estimates the heap bytes of a value.
    pub fn new(max_len: usize, max_bytes: usize, weigh: fn(&V) -> usize) -> Self {
        BoundedMap {
            map: HashMap::new(),
            order: VecDeque::new(),
            bytes: 0,
            max_len,
            max_bytes,
            weigh,
        }
    }

    fn cost(&self, key: &str, value: &V) -> usize {
        // The key is stored twice (map and order) plus bookkeeping.
        2 * key.len() + (self.weigh)(value) + 64
    }

    /// Inserts (or replaces) an entry, then evicts the oldest ones past the caps.
    pub fn insert(&mut self, key: String, value: V) {
        let cost = self.cost(&key, &value);
        if let Some((_, old)) = self.map.insert(key.clone(), (value, cost)) {
            self.bytes -= old;
        } else {
            self.order.push_back(key);
        }
        self.bytes += cost;
        while self.map.len() > self.max_len || (self.bytes > self.max_bytes && self.map.len() > 1) {
            if !self.pop_oldest() {
                break;
            }
        }
        self.compact();
    }

    /// Removes entries from the oldest end while `expired` says so; stops at the first
    /// live one (entries inserted with one lifetime expire in insertion order).
    pub fn expire_oldest(&mut self, expired: impl Fn(&V) -> bool) {
        while let Some(key) = self.order.front() {
            match self.map.get(key) {
                Some((v, _)) if !expired(v) => break,
                Some(_) => {
                    self.pop_oldest();
                }
                None => {
                    self.order.pop_front();
                }
            }
        }
    }

    fn pop_oldest(&mut self) -> bool {
        while let Some(key) = self.order.pop_front() {
            if let Some((_, cost)) = self.map.remove(&key) {
                self.bytes -= cost;
                return true;
            }
        }
        false
    }

    /// Drops stale keys from the order once they outnumber live ones.
    fn compact(&mut self) {
        if self.order.len() > 2 * self.map.len() + 64 {
            let map = &self.map;
            self.order.retain(|k| map.contains_key(k));
        }
    }

    /// The value of a key.
    pub fn get(&self, key: &str) -> Option<&V> {
        self.map.get(key).map(|(v, _)| v)
    }

    /// The value of a key, to change it in place (its weight stays as inserted).
    pub fn get_mut(&mut self, key: &str) -> Option<&mut V> {
        self.map.get_mut(key).map(|(v, _)| v)
    }

    /// Whether the key is present.
    pub fn contains_key(&self, key: &str) -> bool {
        self.map.contains_key(key)
    }

    /// Removes a key.
    pub fn remove(&mut self, key: &str) -> Option<V> {
        let (v, cost) = self.map.remove(key)?;
        self.bytes -= cost;
        self.compact();
        Some(v)
    }

    /// Keeps only the entries `keep` accepts.
    pub fn retain(&mut self, mut keep: impl FnMut(&V) -> bool) {
        let mut freed = 0;
        self.map.retain(|_, (v, cost)| {
            let k = keep(v);
            if !k {
                freed += *cost;
            }
            k
        });
        self.bytes -= freed;
        self.compact();
    }

    /// Every entry, in no particular order.
    pub fn iter(&self) -> impl Iterator<Item = (&String, &V)> {
        self.map.iter().map(|(k, (v, _))| (k, v))
    }

    /// Number of entries.
    pub fn len(&self) -> usize {
        self.map.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }

    /// Approximate bytes held.
    pub fn bytes(&self) -> usize {
        self.bytes
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[allow(clippy::ptr_arg)] // the map's value type is `String`
    fn weigh(v: &String) -> usize {
        v.len()
    }

    #[test]
    fn the_oldest_go_past_the_entry_cap() {
        let mut m = BoundedMap::new(3, usize::MAX, weigh);
        for i in 0..5 {
            m.insert(format!("k{i}"), "v".to_string());
        }
        assert_eq!(m.len(), 3);
        assert!(!m.contains_key("k1") && m.contains_key("k2") && m.contains_key("k4"));
    }

    #[test]
    fn the_oldest_go_past_the_byte_cap_but_the_newest_stays() {
        let mut m = BoundedMap::new(100, 1_000, weigh);
        m.insert("a".into(), "x".repeat(400));
        m.insert("b".into(), "x".repeat(400));
        m.insert("c".into(), "x".repeat(400));
        assert!(!m.contains_key("a") && m.contains_key("b") && m.contains_key("c"));
        m.insert("huge".into(), "x".repeat(5_000));
        assert_eq!(m.len(), 1);
        assert!(m.contains_key("huge"));
        m.remove("huge");
        assert_eq!(m.bytes(), 0);
    }

    #[test]
    fn expired_entries_leave_from_the_old_end_and_removals_do_not_leak() {
        let mut m = BoundedMap::new(10, usize::MAX, weigh);
        for i in 0..6 {
            m.insert(format!("k{i}"), i.to_string());
        }
        m.expire_oldest(|v| v.parse::<u32>().unwrap() < 3);
        assert_eq!(m.len(), 3);
        for i in 0..10_000 {
            let k = format!("t{i}");
            m.insert(k.clone(), "v".into());
            m.remove(&k);
        }
        assert!(m.order.len() < 200, "{}", m.order.len());
        m.retain(|v| v != "4");
        assert_eq!(m.len(), 2);
    }
}
