//! Small helpers to read JSON objects with paths for error messages.

use serde_json::{Map, Value};

/// A JSON value with the path it was found at.
#[derive(Debug, Clone, Copy)]
pub struct Node<'a> {
    /// The value.
    pub value: &'a Value,
    path: &'a str,
}

impl<'a> Node<'a> {
    /// Wrap a value found at `path`.
    pub fn new(value: &'a Value, path: &'a str) -> Self {
        Node { value, path }
    }

    /// The object map, if the value is an object.
    pub fn obj(&self) -> Option<&'a Map<String, Value>> {
        self.value.as_object()
    }

    /// The raw child value.
    pub fn raw(&self, key: &str) -> Option<&'a Value> {
        self.value.get(key)
    }

    /// The path of a child.
    pub fn path_of(&self, key: &str) -> String {
        if key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            format!("{}.{key}", self.path)
        } else {
            format!("{}[{key:?}]", self.path)
        }
    }

    /// A non-empty string child (numbers and booleans are written as text).
    pub fn string(&self, key: &str) -> Option<String> {
        as_text(self.value.get(key)?)
    }

    /// A child object with its path, for descending. The path string is returned alongside
    /// because a [`Node`] borrows its path.
    pub fn child(&self, key: &str) -> Option<(&'a Value, String)> {
        let v = self.value.get(key)?;
        (!v.is_null()).then(|| (v, self.path_of(key)))
    }

    /// The node's path.
    pub fn path(&self) -> &str {
        self.path
    }
}

/// A value as text: strings trimmed and non-empty, numbers and booleans printed.
pub fn as_text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => {
            let t = s.trim();
            (!t.is_empty()).then(|| t.to_string())
        }
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// Copy every field of `obj` whose key is not in `used` into `extra`.
pub fn keep_rest(obj: &Map<String, Value>, used: &[&str], extra: &mut Map<String, Value>) {
    for (k, v) in obj {
        if !used.contains(&k.as_str()) {
            extra.insert(k.clone(), v.clone());
        }
    }
}
