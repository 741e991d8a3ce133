//! One pass over a record's bytes, with no JSON tree: are they exactly the canonical text sicol
//! writes (keys sorted, pretty-printed with two-space indents, one trailing newline), and if so,
//! the record as compact JSON with where each top-level field is, from which its hash is taken
//! and its fields are read.
//!
//! Why not parse and print again: reading a record into a `serde_json::Value` and printing it to
//! compare costs most of the time of `verify` and `replay` over a large store (about 100 µs a
//! record, mostly allocating and freeing the tree). This scanner checks the same rules in one
//! pass over the bytes and allocates one buffer.
//!
//! It is strict and never lenient: it accepts only text that the canonical writer could have
//! produced, byte for byte, and says `None` for anything else, including canonical text it does
//! not try to judge (a key with an escape in it). The caller then falls back to the full check,
//! which gives the exact reason, so a `None` costs only time and can never let an edited record
//! through.

use std::ops::Range;

use sha2::{Digest, Sha256};

/// A record's canonical text, read in one pass.
#[derive(Debug)]
pub struct CanonicalText {
    /// The record as compact JSON: the canonical text without its layout whitespace, which is
    /// what serde_json writes for the same value with sorted keys.
    compact: Vec<u8>,
    /// Each top-level field in key order: where its key's characters and its whole member
    /// (`"key":value`) are in `compact`.
    fields: Vec<Field>,
}

#[derive(Debug)]
struct Field {
    key: Range<usize>,
    value: Range<usize>,
    member: Range<usize>,
}

impl CanonicalText {
    /// Reads `text` if it is a JSON object in exactly the canonical form, nested no deeper than
    /// `max_depth`; `None` otherwise (see the module documentation).
    pub fn read(text: &[u8], max_depth: usize) -> Option<CanonicalText> {
        // Valid UTF-8 once for the whole text, so strings need no check of their own.
        std::str::from_utf8(text).ok()?;
        let mut scanner = Scanner {
            text,
            at: 0,
            out: Vec::with_capacity(text.len()),
            depth: 0,
            max_depth,
        };
        let mut fields = Vec::new();
        scanner.object(0, Some(&mut fields))?;
        scanner.eat(b'\n')?;
        if scanner.at != text.len() {
            return None;
        }
        Some(CanonicalText {
            compact: scanner.out,
            fields,
        })
    }

    /// The compact JSON of the value of top-level field `name`, if the record has it.
    pub fn value(&self, name: &str) -> Option<&[u8]> {
        self.field(name)
            .map(|field| &self.compact[field.value.clone()])
    }

    /// sha256 of the record's compact JSON without top-level field `name` (the hash's own
    /// field), as lower-case hex: what serde_json writing the record without it would hash.
    /// `None` when there is no such field.
    pub fn digest_without(&self, name: &str) -> Option<String> {
        let index = self
            .fields
            .iter()
            .position(|field| &self.compact[field.key.clone()] == name.as_bytes())?;
        let member = &self.fields[index].member;
        // Leave out the member with one comma: the one after it, or, when it is the last, the
        // one before it.
        let cut = if index + 1 < self.fields.len() {
            member.start..member.end + 1
        } else if index > 0 {
            member.start - 1..member.end
        } else {
            member.clone()
        };
        let mut hasher = Sha256::new();
        hasher.update(&self.compact[..cut.start]);
        hasher.update(&self.compact[cut.end..]);
        Some(format!("{:x}", hasher.finalize()))
    }

    fn field(&self, name: &str) -> Option<&Field> {
        // Keys are sorted, so a binary search finds one.
        self.fields
            .binary_search_by(|field| self.compact[field.key.clone()].cmp(name.as_bytes()))
            .ok()
            .map(|index| &self.fields[index])
    }
}

/// Reads canonical text and writes its compact form as it goes.
struct Scanner<'a> {
    text: &'a [u8],
    at: usize,
    out: Vec<u8>,
    depth: usize,
    max_depth: usize,
}

/// A string read: where its characters (without the quotes) are in the compact output, and
/// whether it had an escape in it.
struct Token {
    chars: Range<usize>,
    escaped: bool,
}

impl Scanner<'_> {
    fn eat(&mut self, byte: u8) -> Option<()> {
        (self.text.get(self.at) == Some(&byte)).then(|| self.at += 1)
    }

    /// The line break and indent before an item at nesting `level`.
    fn eat_line(&mut self, level: usize) -> Option<()> {
        self.eat(b'\n')?;
        let end = self.at + 2 * level;
        if !self
            .text
            .get(self.at..end)?
            .iter()
            .all(|&byte| byte == b' ')
        {
            return None;
        }
        self.at = end;
        Some(())
    }

    fn enter(&mut self) -> Option<()> {
        self.depth += 1;
        (self.depth <= self.max_depth).then_some(())
    }

    fn value(&mut self, level: usize) -> Option<()> {
        match *self.text.get(self.at)? {
            b'{' => self.object(level, None),
            b'[' => self.array(level),
            b'"' => self.string().map(|_| ()),
            b't' => self.literal(b"true"),
            b'f' => self.literal(b"false"),
            b'n' => self.literal(b"null"),
            b'-' | b'0'..=b'9' => self.number(),
            _ => None,
        }
    }

    /// An object at nesting `level`, its members in strictly increasing key order; the
    /// top-level one notes where each field is.
    fn object(&mut self, level: usize, mut fields: Option<&mut Vec<Field>>) -> Option<()> {
        self.eat(b'{')?;
        self.enter()?;
        self.out.push(b'{');
        if self.eat(b'}').is_none() {
            let mut previous: Option<Range<usize>> = None;
            loop {
                self.eat_line(level + 1)?;
                let member_start = self.out.len();
                let key = self.string()?;
                // Keys sort as strings; with an escape the written bytes may sort otherwise, so
                // such a key is left to the full check.
                if key.escaped {
                    return None;
                }
                if let Some(previous) = previous {
                    if self.out[previous] >= self.out[key.chars.clone()] {
                        return None;
                    }
                }
                self.eat(b':')?;
                self.eat(b' ')?;
                self.out.push(b':');
                let value_start = self.out.len();
                self.value(level + 1)?;
                if let Some(fields) = fields.as_deref_mut() {
                    fields.push(Field {
                        key: key.chars.clone(),
                        value: value_start..self.out.len(),
                        member: member_start..self.out.len(),
                    });
                }
                previous = Some(key.chars);
                if self.eat(b',').is_some() {
                    self.out.push(b',');
                    continue;
                }
                self.eat_line(level)?;
                self.eat(b'}')?;
                break;
            }
        }
        self.out.push(b'}');
        self.depth -= 1;
        Some(())
    }

    fn array(&mut self, level: usize) -> Option<()> {
        self.eat(b'[')?;
        self.enter()?;
        self.out.push(b'[');
        if self.eat(b']').is_none() {
            loop {
                self.eat_line(level + 1)?;
                self.value(level + 1)?;
                if self.eat(b',').is_some() {
                    self.out.push(b',');
                    continue;
                }
                self.eat_line(level)?;
                self.eat(b']')?;
                break;
            }
        }
        self.out.push(b']');
        self.depth -= 1;
        Some(())
    }

    /// A string, escaped exactly as serde_json escapes: `\"`, `\\`, the short forms of
    /// backspace, form feed, line feed, carriage return and tab, `\u00xx` (lower-case hex) for
    /// every other control character, and nothing else.
    fn string(&mut self) -> Option<Token> {
        self.eat(b'"')?;
        self.out.push(b'"');
        let start = self.out.len();
        let mut escaped = false;
        loop {
            let rest = &self.text[self.at..];
            let run = memchr::memchr2(b'"', b'\\', rest)?;
            if rest[..run].iter().any(|&byte| byte < 0x20) {
                return None;
            }
            self.out.extend_from_slice(&rest[..run]);
            self.at += run;
            if self.text[self.at] == b'"' {
                let chars = start..self.out.len();
                self.at += 1;
                self.out.push(b'"');
                return Some(Token { chars, escaped });
            }
            escaped = true;
            let length = match *self.text.get(self.at + 1)? {
                b'"' | b'\\' | b'b' | b'f' | b'n' | b'r' | b't' => 2,
                b'u' => {
                    let hex = self.text.get(self.at + 2..self.at + 6)?;
                    let low = match hex[3] {
                        digit @ b'0'..=b'9' => digit - b'0',
                        letter @ b'a'..=b'f' => letter - b'a' + 10,
                        _ => return None,
                    };
                    let code = match &hex[..3] {
                        b"000" => low,
                        b"001" => 16 + low,
                        _ => return None,
                    };
                    // These have short forms, which serde_json writes instead.
                    if matches!(code, 0x08 | 0x09 | 0x0a | 0x0c | 0x0d) {
                        return None;
                    }
                    6
                }
                _ => return None,
            };
            self.out
                .extend_from_slice(&self.text[self.at..self.at + length]);
            self.at += length;
        }
    }

    fn literal(&mut self, word: &[u8]) -> Option<()> {
        if !self.text[self.at..].starts_with(word) {
            return None;
        }
        self.at += word.len();
        self.out.extend_from_slice(word);
        Some(())
    }

    /// A number as serde_json writes the value it reads from it: an integer in range without
    /// leading zeros (and not `-0`, which it reads as a float), or a float that prints back to
    /// the same text.
    fn number(&mut self) -> Option<()> {
        let start = self.at;
        while matches!(
            self.text.get(self.at),
            Some(b'-' | b'+' | b'.' | b'e' | b'E' | b'0'..=b'9')
        ) {
            self.at += 1;
        }
        let token = std::str::from_utf8(&self.text[start..self.at]).ok()?;
        let digits = token.strip_prefix('-').unwrap_or(token);
        let is_float = token.bytes().any(|byte| matches!(byte, b'.' | b'e' | b'E'));
        let canonical = if is_float {
            serde_json::from_str::<f64>(token).is_ok_and(|number| {
                number.is_finite() && serde_json::to_string(&number).is_ok_and(|text| text == token)
            })
        } else {
            let plain = !digits.is_empty()
                && digits.bytes().all(|byte| byte.is_ascii_digit())
                && (digits == "0" || !digits.starts_with('0'));
            plain
                && if token.starts_with('-') {
                    digits != "0" && token.parse::<i64>().is_ok()
                } else {
                    token.parse::<u64>().is_ok()
                }
        };
        if !canonical {
            return None;
        }
        self.out.extend_from_slice(token.as_bytes());
        Some(())
    }
}

/// Writes a serialisable value as its canonical compact JSON (keys sorted), the text a record
/// keeps for it, without building a `serde_json::Value` first: what replay compares its
/// recomputed formulation with. Byte for byte what `serde_json` writes for the value's JSON
/// tree with sorted keys; `None` for what it does not try to match (a map key that is not a
/// string, or has an escape in it, or comes twice), which the caller then writes through a
/// tree as before.
pub fn to_canonical_json<T: serde::Serialize + ?Sized>(value: &T) -> Option<Vec<u8>> {
    let mut writer = Writer::default();
    value.serialize(&mut writer).ok()?;
    Some(writer.out)
}

/// The canonical writer: members of each object are written as they come, then put in key
/// order in place when the object ends (inner objects are already in order by then).
#[derive(Default)]
struct Writer {
    out: Vec<u8>,
    /// The members of every object being written, innermost last.
    members: Vec<Member>,
    /// Where the sorted members are assembled before they are copied back.
    scratch: Vec<u8>,
}

/// One member of an object being written: where its key's characters and the whole member
/// (`"key":value`) are in the output.
struct Member {
    key: std::ops::Range<usize>,
    whole: std::ops::Range<usize>,
}

/// Why a value is left to the tree: see [`to_canonical_json`].
#[derive(Debug)]
struct Unsupported;

impl std::fmt::Display for Unsupported {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("not written canonically here")
    }
}

impl std::error::Error for Unsupported {}

impl serde::ser::Error for Unsupported {
    fn custom<T: std::fmt::Display>(_: T) -> Self {
        Unsupported
    }
}

type Written = Result<(), Unsupported>;

/// An object being written: where it starts and where its members start in the list.
struct Object<'a> {
    writer: &'a mut Writer,
    start: usize,
    first_member: usize,
    /// The member whose key is written and whose value comes next (maps).
    pending_key: Option<(std::ops::Range<usize>, usize)>,
    /// For an enum variant: the `}` of the object that wraps it.
    wrapped: bool,
}

/// An array being written.
struct Array<'a> {
    writer: &'a mut Writer,
    first: bool,
    /// For an enum variant: the `}` of the object that wraps it.
    wrapped: bool,
}

impl Writer {
    /// Writes a primitive exactly as serde_json does.
    fn primitive<T: serde::Serialize + ?Sized>(&mut self, value: &T) -> Written {
        serde_json::to_writer(&mut self.out, value).map_err(|_| Unsupported)
    }

    /// Writes a string as serde_json does: as it is when nothing in it needs escaping (most
    /// text), else through serde_json's own escaping.
    fn string(&mut self, text: &str) -> Written {
        if text
            .bytes()
            .any(|byte| byte < 0x20 || byte == b'"' || byte == b'\\')
        {
            return self.primitive(text);
        }
        self.out.push(b'"');
        self.out.extend_from_slice(text.as_bytes());
        self.out.push(b'"');
        Ok(())
    }

    /// Writes `"key":` and returns where the key's characters are.
    fn key(&mut self, key: &str) -> Result<std::ops::Range<usize>, Unsupported> {
        let start = self.out.len() + 1;
        self.string(key)?;
        let end = self.out.len() - 1;
        // An escaped key may sort otherwise than its characters.
        if self.out[start..end].contains(&b'\\') {
            return Err(Unsupported);
        }
        self.out.push(b':');
        Ok(start..end)
    }

    fn object(&mut self, wrapped: bool) -> Object<'_> {
        self.out.push(b'{');
        let start = self.out.len();
        let first_member = self.members.len();
        Object {
            writer: self,
            start,
            first_member,
            pending_key: None,
            wrapped,
        }
    }

    /// Opens `{"variant":` for an enum variant that carries data.
    fn variant(&mut self, variant: &str) -> Written {
        self.out.push(b'{');
        self.key(variant).map(|_| ())
    }
}

impl Object<'_> {
    /// Writes the comma before every member but the first, in the order they come: when they
    /// come in key order already, the object is then done as written.
    fn separate(&mut self) {
        if self.writer.members.len() > self.first_member {
            self.writer.out.push(b',');
        }
    }

    fn member<T: serde::Serialize + ?Sized>(&mut self, key: &str, value: &T) -> Written {
        self.separate();
        let start = self.writer.out.len();
        let key = self.writer.key(key)?;
        value.serialize(&mut *self.writer)?;
        let whole = start..self.writer.out.len();
        self.writer.members.push(Member { key, whole });
        Ok(())
    }

    /// Puts the members in key order, with commas between them, and closes the object.
    fn end(self) -> Written {
        let writer = self.writer;
        let members = &mut writer.members[self.first_member..];
        let out = &writer.out;
        let in_order = members
            .windows(2)
            .all(|pair| out[pair[0].key.clone()] < out[pair[1].key.clone()]);
        if !in_order {
            members.sort_unstable_by(|a, b| out[a.key.clone()].cmp(&out[b.key.clone()]));
            if members
                .windows(2)
                .any(|pair| out[pair[0].key.clone()] == out[pair[1].key.clone()])
            {
                return Err(Unsupported);
            }
            writer.scratch.clear();
            for (index, member) in members.iter().enumerate() {
                if index > 0 {
                    writer.scratch.push(b',');
                }
                writer.scratch.extend_from_slice(&out[member.whole.clone()]);
            }
            writer.out.truncate(self.start);
            writer.out.extend_from_slice(&writer.scratch);
        }
        writer.members.truncate(self.first_member);
        writer.out.push(b'}');
        if self.wrapped {
            writer.out.push(b'}');
        }
        Ok(())
    }
}

impl Array<'_> {
    fn element<T: serde::Serialize + ?Sized>(&mut self, value: &T) -> Written {
        if !self.first {
            self.writer.out.push(b',');
        }
        self.first = false;
        value.serialize(&mut *self.writer)
    }

    fn end(self) -> Written {
        self.writer.out.push(b']');
        if self.wrapped {
            self.writer.out.push(b'}');
        }
        Ok(())
    }
}

/// Primitives are written exactly as serde_json writes them.
macro_rules! written_as_serde_json_writes {
    ($($method:ident : $primitive:ty),*) => {$(
        fn $method(self, v: $primitive) -> Written {
            self.primitive(&v)
        }
    )*};
}

impl<'a> serde::Serializer for &'a mut Writer {
    type Ok = ();
    type Error = Unsupported;
    type SerializeSeq = Array<'a>;
    type SerializeTuple = Array<'a>;
    type SerializeTupleStruct = Array<'a>;
    type SerializeTupleVariant = Array<'a>;
    type SerializeMap = Object<'a>;
    type SerializeStruct = Object<'a>;
    type SerializeStructVariant = Object<'a>;

    written_as_serde_json_writes!(
        serialize_bool: bool,
        serialize_i8: i8,
        serialize_i16: i16,
        serialize_i32: i32,
        serialize_i64: i64,
        serialize_u8: u8,
        serialize_u16: u16,
        serialize_u32: u32,
        serialize_u64: u64,
        serialize_f64: f64,
        serialize_char: char
    );
    // A JSON tree keeps every float as an f64, so an f32 is written as one.
    fn serialize_f32(self, v: f32) -> Written {
        self.primitive(&f64::from(v))
    }
    fn serialize_str(self, v: &str) -> Written {
        self.string(v)
    }
    fn serialize_bytes(self, v: &[u8]) -> Written {
        self.primitive(v)
    }
    fn serialize_none(self) -> Written {
        self.out.extend_from_slice(b"null");
        Ok(())
    }
    fn serialize_some<T: serde::Serialize + ?Sized>(self, value: &T) -> Written {
        value.serialize(self)
    }
    fn serialize_unit(self) -> Written {
        self.serialize_none()
    }
    fn serialize_unit_struct(self, _: &'static str) -> Written {
        self.serialize_none()
    }
    fn serialize_unit_variant(self, _: &'static str, _: u32, variant: &'static str) -> Written {
        self.string(variant)
    }
    fn serialize_newtype_struct<T: serde::Serialize + ?Sized>(
        self,
        _: &'static str,
        value: &T,
    ) -> Written {
        value.serialize(self)
    }
    fn serialize_newtype_variant<T: serde::Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        value: &T,
    ) -> Written {
        self.variant(variant)?;
        value.serialize(&mut *self)?;
        self.out.push(b'}');
        Ok(())
    }
    fn serialize_seq(self, _: Option<usize>) -> Result<Array<'a>, Unsupported> {
        self.out.push(b'[');
        Ok(Array {
            writer: self,
            first: true,
            wrapped: false,
        })
    }
    fn serialize_tuple(self, len: usize) -> Result<Array<'a>, Unsupported> {
        self.serialize_seq(Some(len))
    }
    fn serialize_tuple_struct(self, _: &'static str, len: usize) -> Result<Array<'a>, Unsupported> {
        self.serialize_seq(Some(len))
    }
    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        _: usize,
    ) -> Result<Array<'a>, Unsupported> {
        self.variant(variant)?;
        self.out.push(b'[');
        Ok(Array {
            writer: self,
            first: true,
            wrapped: true,
        })
    }
    fn serialize_map(self, _: Option<usize>) -> Result<Object<'a>, Unsupported> {
        Ok(self.object(false))
    }
    fn serialize_struct(self, _: &'static str, _: usize) -> Result<Object<'a>, Unsupported> {
        Ok(self.object(false))
    }
    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        _: usize,
    ) -> Result<Object<'a>, Unsupported> {
        self.variant(variant)?;
        Ok(self.object(true))
    }
}

/// serde's four kinds of list (sequence, tuple, tuple struct, tuple variant) are all written
/// as a JSON array.
macro_rules! written_as_array {
    ($($kind:ident :: $add:ident),*) => {$(
        impl serde::ser::$kind for Array<'_> {
            type Ok = ();
            type Error = Unsupported;
            fn $add<T: serde::Serialize + ?Sized>(&mut self, value: &T) -> Written {
                self.element(value)
            }
            fn end(self) -> Written {
                Array::end(self)
            }
        }
    )*};
}

written_as_array!(
    SerializeSeq::serialize_element,
    SerializeTuple::serialize_element,
    SerializeTupleStruct::serialize_field,
    SerializeTupleVariant::serialize_field
);

impl serde::ser::SerializeMap for Object<'_> {
    type Ok = ();
    type Error = Unsupported;
    fn serialize_key<T: serde::Serialize + ?Sized>(&mut self, key: &T) -> Written {
        // Only string keys: a tree would turn other keys into strings its own way.
        self.separate();
        let start = self.writer.out.len();
        let serde_json::Value::String(name) = key
            .serialize(serde_json::value::Serializer)
            .map_err(|_| Unsupported)?
        else {
            return Err(Unsupported);
        };
        let key = self.writer.key(&name)?;
        self.pending_key = Some((key, start));
        Ok(())
    }
    fn serialize_value<T: serde::Serialize + ?Sized>(&mut self, value: &T) -> Written {
        let (key, start) = self.pending_key.take().ok_or(Unsupported)?;
        value.serialize(&mut *self.writer)?;
        let whole = start..self.writer.out.len();
        self.writer.members.push(Member { key, whole });
        Ok(())
    }
    fn end(self) -> Written {
        Object::end(self)
    }
}

impl serde::ser::SerializeStruct for Object<'_> {
    type Ok = ();
    type Error = Unsupported;
    fn serialize_field<T: serde::Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Written {
        self.member(key, value)
    }
    fn end(self) -> Written {
        Object::end(self)
    }
}

impl serde::ser::SerializeStructVariant for Object<'_> {
    type Ok = ();
    type Error = Unsupported;
    fn serialize_field<T: serde::Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Written {
        self.member(key, value)
    }
    fn end(self) -> Written {
        Object::end(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{json, Value};

    /// The canonical text of a value as the record writer makes it (sorted keys: serde_json's
    /// map is a BTreeMap in this build).
    fn canonical(value: &Value) -> Vec<u8> {
        let mut text = serde_json::to_vec_pretty(value).unwrap_or_default();
        text.push(b'\n');
        text
    }

    fn sample() -> Value {
        json!({
            "a": [],
            "b": {},
            "c": [1, -2, 2.5, 1e300, -0.001, true, false, null, "x"],
            "d": { "nested": [{ "k": "v" }, [[]]] },
            "e": "quote \" backslash \\ controls \u{1} \u{8} \t \n é ✓ \u{7f} / <",
            "sha256": "abc",
            "z": 18446744073709551615u64,
            "zz": -9223372036854775808i64
        })
    }

    #[test]
    fn canonical_text_reads_to_its_compact_form_and_hash() {
        let value = sample();
        let text = CanonicalText::read(&canonical(&value), 64);
        let Some(text) = text else {
            panic!("canonical text was not read");
        };
        assert_eq!(
            text.compact,
            serde_json::to_vec(&value).unwrap_or_default(),
            "compact form"
        );
        let mut without = value.clone();
        if let Some(map) = without.as_object_mut() {
            map.remove("sha256");
        }
        let expected = format!(
            "{:x}",
            Sha256::digest(serde_json::to_vec(&without).unwrap_or_default())
        );
        assert_eq!(text.digest_without("sha256"), Some(expected));
        assert_eq!(
            text.value("d"),
            Some(&br#"{"nested":[{"k":"v"},[[]]]}"#[..])
        );
        assert_eq!(text.value("missing"), None);
    }

    #[test]
    fn the_hash_leaves_out_a_first_or_last_field_with_its_comma() {
        for value in [
            json!({ "a": 1, "b": 2 }),
            json!({ "b": 2, "c": 3 }),
            json!({ "b": 2 }),
        ] {
            let Some(text) = CanonicalText::read(&canonical(&value), 64) else {
                panic!("not read");
            };
            let mut without = value.clone();
            if let Some(map) = without.as_object_mut() {
                map.remove("b");
            }
            let expected = format!(
                "{:x}",
                Sha256::digest(serde_json::to_vec(&without).unwrap_or_default())
            );
            assert_eq!(text.digest_without("b"), Some(expected), "{value}");
        }
    }

    #[test]
    fn every_text_that_is_not_canonical_is_left_to_the_full_check() {
        let good = String::from_utf8(canonical(&sample())).unwrap_or_default();
        let edits = [
            ("\"a\": []", "\"a\":  []"),
            ("\"a\": []", "\"a\": [ ]"),
            ("\"b\": {}", "\"b\": { }"),
            ("2.5", "2.50"),
            // serde_json writes large floats as `1e+300`.
            ("1e+300", "1e300"),
            ("1e+300", "1E+300"),
            ("1e+300", "1.0e+300"),
            ("-0.001", "-1e-3"),
            ("\\u0001", "\\u0001 \\/"),
            ("\\u0001", "\\u0041"),
            ("\\u0001", "\\u001F"),
            ("\\t", "\\u0009"),
            ("✓", "\\u2713"),
            ("  \"c\"", "\t\"c\""),
            ("\"a\": []", "\"a\": [],\n  \"a\": []"),
            ("\"d\"", "\"0d\""),
            ("true", "tru"),
            ("18446744073709551615", "18446744073709551616"),
            ("-9223372036854775808", "-9223372036854775809"),
            ("null", "-0"),
            ("null", "01"),
        ];
        for (from, to) in edits {
            assert!(good.contains(from), "{from} is in the sample");
            let edited = good.replacen(from, to, 1);
            assert!(
                CanonicalText::read(edited.as_bytes(), 64).is_none(),
                "{from} → {to} was taken as canonical"
            );
        }
        let without_newline = good.trim_end();
        assert!(CanonicalText::read(without_newline.as_bytes(), 64).is_none());
        assert!(CanonicalText::read(format!("{good}\n").as_bytes(), 64).is_none());
        // The sample nests five deep: the record, "d", "nested", `[[]]` and `[]`.
        assert!(CanonicalText::read(good.as_bytes(), 4).is_none(), "depth");
        assert!(
            CanonicalText::read(good.as_bytes(), 5).is_some(),
            "depth 5 is enough"
        );
        assert!(CanonicalText::read(b"[]\n", 64).is_none(), "not an object");
        assert!(CanonicalText::read(b"{\"a\": \"\xff\"}\n", 64).is_none());
    }

    #[test]
    fn a_key_with_an_escape_is_left_to_the_full_check() {
        let value = json!({ "a\"b": 1 });
        assert!(CanonicalText::read(&canonical(&value), 64).is_none());
    }

    #[derive(serde::Serialize)]
    #[allow(dead_code)]
    enum Shape {
        Unit,
        Newtype(u8),
        Tuple(i32, String),
        Struct { zeta: bool, alpha: Option<f32> },
    }

    #[derive(serde::Serialize)]
    struct Sample {
        zulu: Vec<Shape>,
        alpha: std::collections::BTreeMap<String, f64>,
        mike: Option<String>,
        nested: Vec<std::collections::HashMap<String, Vec<u64>>>,
        #[serde(skip_serializing_if = "Option::is_none")]
        skipped: Option<u8>,
        text: String,
        ratio: f32,
        nan: f64,
    }

    /// What the record writer keeps for a value: its tree, written with sorted keys.
    fn through_tree<T: serde::Serialize>(value: &T) -> Vec<u8> {
        serde_json::to_vec(&serde_json::to_value(value).unwrap_or(Value::Null)).unwrap_or_default()
    }

    #[test]
    fn a_value_is_written_canonically_as_its_tree_would_be() {
        let sample = Sample {
            zulu: vec![
                Shape::Unit,
                Shape::Newtype(7),
                Shape::Tuple(-3, "x".into()),
                Shape::Struct {
                    zeta: true,
                    alpha: Some(0.1),
                },
            ],
            alpha: [
                ("b".to_owned(), 2.5),
                ("a".to_owned(), 1e300),
                ("é".to_owned(), -0.0),
            ]
            .into_iter()
            .collect(),
            mike: None,
            nested: vec![
                [("z".to_owned(), vec![1, 2]), ("y".to_owned(), vec![])]
                    .into_iter()
                    .collect(),
                std::collections::HashMap::new(),
            ],
            skipped: None,
            text: "quote \" backslash \\ \u{1} ✓".into(),
            ratio: 0.1,
            nan: f64::NAN,
        };
        assert_eq!(
            to_canonical_json(&sample).map(String::from_utf8),
            Some(Ok(
                String::from_utf8(through_tree(&sample)).unwrap_or_default()
            ))
        );
        assert_eq!(
            to_canonical_json(&json!({ "b": [{}], "a": null })),
            Some(through_tree(&json!({ "a": null, "b": [{}] })))
        );
    }

    #[test]
    fn keys_it_does_not_write_are_left_to_the_tree() {
        let numbered: std::collections::BTreeMap<u8, u8> = [(1, 2)].into_iter().collect();
        assert_eq!(to_canonical_json(&numbered), None);
        assert_eq!(to_canonical_json(&json!({ "a\"b": 1 })), None);
    }
}
