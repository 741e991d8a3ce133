//! Where things are in a YAML file: a map from field paths (`stressors[1].kind`) to the line and
//! column where that field's value starts, so that checks made after deserialisation can still
//! point a service lead or an AMHP at the exact place to fix.
//!
//! serde_yaml reports positions only for its own errors; our checks (unknown kinds, dates out of
//! order) run on typed values, so we index the same text once more with a marked event parser.

use std::collections::HashMap;

use yaml_rust2::parser::{Event, MarkedEventReceiver, Parser};
use yaml_rust2::scanner::Marker;

/// A one-based line and column in a source file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Position {
    /// Line, counted from 1.
    pub line: usize,
    /// Column, counted from 1.
    pub column: usize,
}

/// Field path to position index of one YAML document.
#[derive(Debug, Default, Clone)]
pub struct SourceMap {
    positions: HashMap<String, Position>,
}

impl SourceMap {
    /// Indexes `text`. Text that is not valid YAML gives an empty map: the caller reports the
    /// syntax error through serde_yaml, which already knows where it is.
    pub fn index(text: &str) -> Self {
        let mut builder = Builder::default();
        let mut parser = Parser::new_from_str(text);
        if parser.load(&mut builder, false).is_err() {
            return Self::default();
        }
        Self {
            positions: builder.positions,
        }
    }

    /// Position of the value at `path`, or of its nearest indexed parent, or line 1.
    pub fn position(&self, path: &str) -> Position {
        let mut candidate = path;
        loop {
            if let Some(position) = self.positions.get(candidate) {
                return *position;
            }
            match parent_path(candidate) {
                Some(parent) => candidate = parent,
                None => {
                    return self
                        .positions
                        .get("")
                        .copied()
                        .unwrap_or(Position { line: 1, column: 1 })
                }
            }
        }
    }

    /// Whether the document has a value at exactly `path`.
    pub fn contains(&self, path: &str) -> bool {
        self.positions.contains_key(path)
    }
}

fn parent_path(path: &str) -> Option<&str> {
    if path.is_empty() {
        return None;
    }
    let cut = path.rfind(['.', '[']).unwrap_or(0);
    Some(&path[..cut])
}

/// One open collection while walking the event stream.
enum Frame {
    Mapping {
        path: String,
        pending_key: Option<String>,
    },
    Sequence {
        path: String,
        next_index: usize,
    },
}

#[derive(Default)]
struct Builder {
    stack: Vec<Frame>,
    positions: HashMap<String, Position>,
}

impl Builder {
    /// The path the next value will have, advancing the parent's position.
    fn next_value_path(&mut self) -> Option<String> {
        match self.stack.last_mut() {
            None => Some(String::new()),
            Some(Frame::Sequence { path, next_index }) => {
                let child = format!("{path}[{next_index}]");
                *next_index += 1;
                Some(child)
            }
            Some(Frame::Mapping { path, pending_key }) => {
                let key = pending_key.take()?;
                Some(if path.is_empty() {
                    key
                } else {
                    format!("{path}.{key}")
                })
            }
        }
    }

    /// True when the next scalar in the current mapping is a key rather than a value.
    fn expecting_key(&self) -> bool {
        matches!(
            self.stack.last(),
            Some(Frame::Mapping {
                pending_key: None,
                ..
            })
        )
    }

    fn record(&mut self, path: &str, mark: Marker) {
        // The whole document is "line 1": the parser marks its mapping at the first value.
        if path.is_empty() {
            self.positions
                .entry(String::new())
                .or_insert(Position { line: 1, column: 1 });
            return;
        }
        self.positions.entry(path.to_owned()).or_insert(Position {
            line: mark.line(),
            column: mark.col() + 1,
        });
    }
}

impl MarkedEventReceiver for Builder {
    fn on_event(&mut self, event: Event, mark: Marker) {
        match event {
            Event::Scalar(value, ..) => {
                if self.expecting_key() {
                    if let Some(Frame::Mapping { pending_key, .. }) = self.stack.last_mut() {
                        *pending_key = Some(value);
                    }
                } else if let Some(path) = self.next_value_path() {
                    self.record(&path, mark);
                }
            }
            Event::Alias(_) => {
                if let Some(path) = self.next_value_path() {
                    self.record(&path, mark);
                }
            }
            Event::MappingStart(..) => {
                // A mapping used as a key is not something our files do; index it under "".
                let path = self.next_value_path().unwrap_or_default();
                self.record(&path, mark);
                self.stack.push(Frame::Mapping {
                    path,
                    pending_key: None,
                });
            }
            Event::SequenceStart(..) => {
                let path = self.next_value_path().unwrap_or_default();
                self.record(&path, mark);
                self.stack.push(Frame::Sequence {
                    path,
                    next_index: 0,
                });
            }
            Event::MappingEnd | Event::SequenceEnd => {
                self.stack.pop();
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn indexes_nested_fields_with_one_based_lines() {
        let text = "id: A-1\nperson:\n  age: 40\nstressors:\n  - kind: debt\n    severity: 2\n  - kind: eviction\n";
        let map = SourceMap::index(text);
        assert_eq!(map.position("id"), Position { line: 1, column: 5 });
        assert_eq!(map.position("person.age"), Position { line: 3, column: 8 });
        assert_eq!(map.position("stressors[1].kind").line, 7);
        assert_eq!(map.position("stressors[0].severity").line, 6);
        // A missing field falls back to its parent.
        assert_eq!(map.position("stressors[1].due").line, 7);
    }
}
