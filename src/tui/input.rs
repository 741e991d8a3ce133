//! Text entry for the assessment form: an editable text field (single or multi-line) and the
//! forgiving readers for what people type into it — dates such as `2026-11-27`, `+7d`, `today`,
//! `tomorrow` or `next monday` (counted from the assessment date, not the clock), whole numbers
//! and the assessment time. Pure: no terminal, no clock.

use chrono::{DateTime, Datelike, Days, FixedOffset, Months, NaiveDate, NaiveDateTime, Weekday};
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use serde::{Deserialize, Serialize};

/// An editable piece of text with a cursor. Serialises as its text alone, so drafts stay readable.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(from = "String", into = "String")]
pub struct TextField {
    text: String,
    /// Cursor position in characters (not bytes), 0..=len.
    cursor: usize,
}

impl From<String> for TextField {
    fn from(text: String) -> Self {
        let cursor = text.chars().count();
        Self { text, cursor }
    }
}

impl From<&str> for TextField {
    fn from(text: &str) -> Self {
        Self::from(text.to_owned())
    }
}

impl From<TextField> for String {
    fn from(field: TextField) -> Self {
        field.text
    }
}

/// What a key did to a text field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Edit {
    /// The text changed.
    Changed,
    /// Only the cursor moved (or nothing happened).
    Moved,
    /// The key is not a text-editing key; the caller decides what it means.
    Ignored,
}

impl TextField {
    /// The text as typed.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The text without surrounding blanks, or `None` when there is nothing.
    pub fn value(&self) -> Option<String> {
        let trimmed = self.text.trim();
        (!trimmed.is_empty()).then(|| trimmed.to_owned())
    }

    /// Whether there is nothing but blanks.
    pub fn is_blank(&self) -> bool {
        self.text.trim().is_empty()
    }

    /// Replaces the text and puts the cursor at its end.
    pub fn set(&mut self, text: impl Into<String>) {
        *self = Self::from(text.into());
    }

    /// The cursor as (line, column in characters), for drawing it.
    pub fn cursor_line_column(&self) -> (usize, usize) {
        let before: String = self.text.chars().take(self.cursor).collect();
        let line = before.matches('\n').count();
        let column = before
            .rsplit('\n')
            .next()
            .map_or(0, |last| last.chars().count());
        (line, column)
    }

    /// The text before the cursor on the cursor's line, to measure its display width.
    pub fn before_cursor_on_line(&self) -> String {
        let before: String = self.text.chars().take(self.cursor).collect();
        before.rsplit('\n').next().unwrap_or_default().to_owned()
    }

    fn byte_at(&self, char_index: usize) -> usize {
        self.text
            .char_indices()
            .nth(char_index)
            .map_or(self.text.len(), |(byte, _)| byte)
    }

    fn len(&self) -> usize {
        self.text.chars().count()
    }

    /// How many characters the text holds (what [`MAX_NOTE_CHARS`] counts).
    pub fn char_count(&self) -> usize {
        self.len()
    }

    /// Inserts pasted text at the cursor, all at once. Line breaks are kept where `multiline`
    /// allows them and become spaces elsewhere; a Windows `\r\n` is one break; tabs become a
    /// space and other control characters are dropped, so nothing invisible is stored.
    pub fn insert_str(&mut self, pasted: &str, multiline: bool) -> Edit {
        let cleaned = clean_paste(pasted, multiline);
        if cleaned.is_empty() {
            return Edit::Ignored;
        }
        let at = self.byte_at(self.cursor);
        self.text.insert_str(at, &cleaned);
        self.cursor += cleaned.chars().count();
        Edit::Changed
    }

    /// Empties the field.
    pub fn clear(&mut self) {
        *self = Self::default();
    }

    fn insert(&mut self, c: char) {
        let at = self.byte_at(self.cursor);
        self.text.insert(at, c);
        self.cursor += 1;
    }

    fn line_start(&self) -> usize {
        let chars: Vec<char> = self.text.chars().collect();
        let mut at = self.cursor;
        while at > 0 && chars[at - 1] != '\n' {
            at -= 1;
        }
        at
    }

    fn line_end(&self) -> usize {
        let chars: Vec<char> = self.text.chars().collect();
        let mut at = self.cursor;
        while at < chars.len() && chars[at] != '\n' {
            at += 1;
        }
        at
    }

    fn move_vertically(&mut self, down: bool) -> bool {
        let chars: Vec<char> = self.text.chars().collect();
        let column = self.cursor - self.line_start();
        if down {
            let end = self.line_end();
            if end >= chars.len() {
                return false;
            }
            let next_start = end + 1;
            let mut next_end = next_start;
            while next_end < chars.len() && chars[next_end] != '\n' {
                next_end += 1;
            }
            self.cursor = (next_start + column).min(next_end);
        } else {
            let start = self.line_start();
            if start == 0 {
                return false;
            }
            let previous_end = start - 1;
            let mut previous_start = previous_end;
            while previous_start > 0 && chars[previous_start - 1] != '\n' {
                previous_start -= 1;
            }
            self.cursor = (previous_start + column).min(previous_end);
        }
        true
    }

    /// Applies an editing key. `multiline` lets Enter insert a line break and Up/Down move
    /// between lines; otherwise those keys are left to the caller.
    pub fn handle_key(&mut self, key: KeyEvent, multiline: bool) -> Edit {
        let control = key.modifiers.contains(KeyModifiers::CONTROL);
        match key.code {
            KeyCode::Char('a') if control => {
                self.cursor = self.line_start();
                Edit::Moved
            }
            KeyCode::Char('e') if control => {
                self.cursor = self.line_end();
                Edit::Moved
            }
            KeyCode::Char('u') if control => {
                let start = self.line_start();
                if start == self.cursor {
                    return Edit::Moved;
                }
                let (from, to) = (self.byte_at(start), self.byte_at(self.cursor));
                self.text.replace_range(from..to, "");
                self.cursor = start;
                Edit::Changed
            }
            KeyCode::Char('w') if control => {
                let chars: Vec<char> = self.text.chars().collect();
                let mut start = self.cursor;
                while start > 0 && chars[start - 1].is_whitespace() {
                    start -= 1;
                }
                while start > 0 && !chars[start - 1].is_whitespace() {
                    start -= 1;
                }
                if start == self.cursor {
                    return Edit::Moved;
                }
                let (from, to) = (self.byte_at(start), self.byte_at(self.cursor));
                self.text.replace_range(from..to, "");
                self.cursor = start;
                Edit::Changed
            }
            KeyCode::Char(_) if control || key.modifiers.contains(KeyModifiers::ALT) => {
                Edit::Ignored
            }
            KeyCode::Char(c) => {
                self.insert(c);
                Edit::Changed
            }
            KeyCode::Enter if multiline => {
                self.insert('\n');
                Edit::Changed
            }
            KeyCode::Backspace => {
                if self.cursor == 0 {
                    return Edit::Moved;
                }
                self.cursor -= 1;
                let at = self.byte_at(self.cursor);
                self.text.remove(at);
                Edit::Changed
            }
            KeyCode::Delete => {
                if self.cursor >= self.len() {
                    return Edit::Moved;
                }
                let at = self.byte_at(self.cursor);
                self.text.remove(at);
                Edit::Changed
            }
            KeyCode::Left => {
                self.cursor = self.cursor.saturating_sub(1);
                Edit::Moved
            }
            KeyCode::Right => {
                self.cursor = (self.cursor + 1).min(self.len());
                Edit::Moved
            }
            KeyCode::Home => {
                self.cursor = self.line_start();
                Edit::Moved
            }
            KeyCode::End => {
                self.cursor = self.line_end();
                Edit::Moved
            }
            KeyCode::Up | KeyCode::Down if multiline => {
                self.move_vertically(key.code == KeyCode::Down);
                Edit::Moved
            }
            _ => Edit::Ignored,
        }
    }
}

/// The most characters a note, the wishes or any other text field holds. A paste or a key that
/// would take a field past it is refused, with the limit named, rather than cut short.
pub const MAX_NOTE_CHARS: usize = 10_000;

/// Pasted text as it goes into a field: see [`TextField::insert_str`].
pub fn clean_paste(pasted: &str, multiline: bool) -> String {
    pasted
        .replace("\r\n", "\n")
        .replace('\r', "\n")
        .chars()
        .filter_map(|c| match c {
            '\n' if multiline => Some('\n'),
            '\n' | '\t' => Some(' '),
            c if c.is_control() => None,
            c => Some(c),
        })
        .collect()
}

/// Why numbers that look like a date name no day on the calendar, such as "February 2026 has
/// 28 days" for `31/02/2026` or "there is no month 13"; `None` when the text is not written as
/// a day, month and year (`05/12/2026` or `2026-12-05`) or is a real date.
pub fn calendar_reason(text: &str) -> Option<String> {
    let numbers = |parts: Vec<&str>| -> Option<Vec<i64>> {
        parts.iter().map(|part| part.parse().ok()).collect()
    };
    let (day, month, year) = if text.contains('/') {
        match numbers(text.split('/').collect())?.as_slice() {
            [day, month, year] => (*day, *month, *year),
            _ => return None,
        }
    } else {
        match numbers(text.splitn(3, '-').collect())?.as_slice() {
            [year, month, day] if text.len() >= 8 => (*day, *month, *year),
            _ => return None,
        }
    };
    if !(1..=12).contains(&month) {
        return Some(format!("there is no month {month}: months run 1 to 12"));
    }
    let year = i32::try_from(year).ok()?;
    let month = u32::try_from(month).ok()?;
    let first = NaiveDate::from_ymd_opt(year, month, 1)?;
    let days = first
        .checked_add_months(Months::new(1))
        .map_or(31, |next| (next - first).num_days());
    if (1..=days).contains(&day) {
        return None;
    }
    let name = first.format("%B %Y");
    Some(if day < 1 {
        format!("days start at 1 ({name} has {days} days)")
    } else {
        format!("{name} has {days} days")
    })
}

/// What a date field accepts, for hints and messages.
pub const DATE_FORMS: &str =
    "today, +7d, -2w, next monday, 05/12/2026, 2026-12-05 (F1 lists every form)";

/// Reads a date the way people say it, counting relative dates from `today` (the assessment
/// date). Accepts `2026-11-27`, `today`, `tomorrow`, `yesterday`, `+7d`/`-3d`, weeks (`+2w`),
/// months (`+1m`), `next monday`, `last friday` and a bare weekday (the next one).
pub fn parse_date(text: &str, today: NaiveDate) -> Result<NaiveDate, String> {
    let cleaned = text.trim().to_lowercase();
    let words: Vec<&str> = cleaned.split_whitespace().collect();
    let not_a_date = || format!("`{}` is not a date: write {DATE_FORMS}", text.trim());
    match words.as_slice() {
        [] => Err("empty".to_owned()),
        ["today"] => Ok(today),
        ["tomorrow"] => today.checked_add_days(Days::new(1)).ok_or_else(not_a_date),
        ["yesterday"] => today.checked_sub_days(Days::new(1)).ok_or_else(not_a_date),
        ["next", day] => {
            let weekday = weekday(day).ok_or_else(not_a_date)?;
            Ok(next_weekday(today, weekday))
        }
        ["last", day] => {
            let weekday = weekday(day).ok_or_else(not_a_date)?;
            let mut date = today.pred_opt().ok_or_else(not_a_date)?;
            while date.weekday() != weekday {
                date = date.pred_opt().ok_or_else(not_a_date)?;
            }
            Ok(date)
        }
        [word] => {
            if let Some(weekday) = weekday(word) {
                return Ok(next_weekday(today, weekday));
            }
            if let Some(date) = relative(word, today) {
                return date.ok_or_else(not_a_date);
            }
            NaiveDate::parse_from_str(word, "%Y-%m-%d")
                .or_else(|_| NaiveDate::parse_from_str(word, "%d/%m/%Y"))
                .map_err(|_| match calendar_reason(word) {
                    Some(reason) => format!("`{}` is not a date: {reason}", text.trim()),
                    None => not_a_date(),
                })
        }
        _ => Err(not_a_date()),
    }
}

/// `+7d`, `-2w`, `+1m`: `None` when the text is not of that shape, `Some(None)` when the date
/// falls off the calendar.
fn relative(word: &str, today: NaiveDate) -> Option<Option<NaiveDate>> {
    let (sign, rest) = match word.as_bytes().first()? {
        b'+' => (1, &word[1..]),
        b'-' => (-1, &word[1..]),
        _ => return None,
    };
    let unit = rest.chars().last()?;
    let count: u32 = rest[..rest.len() - unit.len_utf8()].parse().ok()?;
    let date = match (unit, sign) {
        ('d', 1) => today.checked_add_days(Days::new(count.into())),
        ('d', _) => today.checked_sub_days(Days::new(count.into())),
        ('w', 1) => today.checked_add_days(Days::new(u64::from(count) * 7)),
        ('w', _) => today.checked_sub_days(Days::new(u64::from(count) * 7)),
        ('m', 1) => today.checked_add_months(Months::new(count)),
        ('m', _) => today.checked_sub_months(Months::new(count)),
        _ => return None,
    };
    Some(date)
}

fn weekday(word: &str) -> Option<Weekday> {
    const NAMES: [(&str, Weekday); 7] = [
        ("monday", Weekday::Mon),
        ("tuesday", Weekday::Tue),
        ("wednesday", Weekday::Wed),
        ("thursday", Weekday::Thu),
        ("friday", Weekday::Fri),
        ("saturday", Weekday::Sat),
        ("sunday", Weekday::Sun),
    ];
    // "mon", "tues" and "monday" name a day; "month" does not.
    NAMES
        .iter()
        .find(|(name, _)| word.len() >= 3 && name.starts_with(word))
        .map(|(_, day)| *day)
}

/// The first `weekday` strictly after `today`.
fn next_weekday(today: NaiveDate, weekday: Weekday) -> NaiveDate {
    let ahead = (7 + weekday.num_days_from_monday() - today.weekday().num_days_from_monday()) % 7;
    let ahead = if ahead == 0 { 7 } else { ahead };
    today + Days::new(u64::from(ahead))
}

/// Reads a whole number within `range`, naming `what` in the message.
pub fn parse_count(text: &str, max: u32, what: &str) -> Result<u32, String> {
    match text.trim().parse::<u32>() {
        Ok(value) if value <= max => Ok(value),
        Ok(value) => Err(format!("{what} {value} is more than {max}")),
        Err(_) => Err(format!("`{}` is not a whole number", text.trim())),
    }
}

/// What "Assessed at" accepts, for hints, messages and the F1 list (examples, not real dates).
pub const ASSESSED_AT_FORMS: &str =
    "now, today 14:30, yesterday 09:00, 05/12/2026 14:30, 2026-12-05 14:30";

/// Every accepted form of "Assessed at", one per line with what it means, for the F1 list.
pub const ASSESSED_AT_HELP: [&str; 7] = [
    "now                  the time the session started",
    "today 14:30          today at that time (today alone: the time already entered)",
    "yesterday 09:00      yesterday at that time",
    "05/12/2026 14:30     UK day/month/year, then the time",
    "05/12/2026           that day, keeping the time already entered",
    "2026-12-05 14:30     year-month-day, then the time",
    "2026-12-05 14:30 +01:00, or 2026-12-05T14:30:00Z   with a time zone",
];

/// Every accepted form of a date field (since, due), one per line, for the F1 list.
pub const DATE_HELP: [&str; 7] = [
    "today, tomorrow, yesterday",
    "+7d, -3d             days after or before the assessment date",
    "+2w, +1m             weeks or months after the assessment date (- for before)",
    "next monday, last fri, fri",
    "05/12/2026           UK day/month/year",
    "2026-12-05           year-month-day",
    "Dates count from the assessment date, not from today.",
];

/// Reads the assessment time the way people say it. `current` is the time already entered: its
/// offset is used when none is typed, and its time of day when only a day is typed. `now` is the
/// session's clock (passed in, so this stays pure) for `now`, `today` and `yesterday`.
///
/// Accepts RFC 3339 (`2026-11-20T14:30:00Z`), `2026-11-20 14:30 +01:00`, `2026-11-20 14:30`,
/// the UK `20/11/2026 [14:30]`, `now`, and `today`/`yesterday` with or without a time.
pub fn parse_assessed_at(
    text: &str,
    current: DateTime<FixedOffset>,
    now: DateTime<FixedOffset>,
) -> Result<DateTime<FixedOffset>, String> {
    let text = text.trim();
    if let Ok(at) = DateTime::parse_from_rfc3339(text) {
        return Ok(at);
    }
    if let Ok(at) = DateTime::parse_from_str(text, "%Y-%m-%d %H:%M %:z") {
        return Ok(at);
    }
    let wrong = || {
        format!("`{text}` is not a date and time: write {ASSESSED_AT_FORMS} (F1 lists every form)")
    };
    let lower = text.to_lowercase();
    let words: Vec<&str> = lower.split_whitespace().collect();
    let (day, time) = match words.as_slice() {
        [] => return Err(format!("empty: write {ASSESSED_AT_FORMS}")),
        ["now"] => return Ok(now),
        [day] => (*day, None),
        [day, time] => (*day, Some(*time)),
        _ => return Err(wrong()),
    };
    let date = match day {
        "today" => now.date_naive(),
        "yesterday" => now.date_naive().pred_opt().ok_or_else(wrong)?,
        other => NaiveDate::parse_from_str(other, "%d/%m/%Y")
            .or_else(|_| NaiveDate::parse_from_str(other, "%Y-%m-%d"))
            .map_err(|_| match calendar_reason(other) {
                Some(reason) => format!("`{other}` is not a date: {reason}"),
                None => wrong(),
            })?,
    };
    let time = match time {
        Some(time) => chrono::NaiveTime::parse_from_str(time, "%H:%M").map_err(|_| {
            format!("`{time}` is not a time of day: write it as 24-hour hh:mm, such as 14:30")
        })?,
        None if day == "today" || day == "yesterday" => now.time(),
        None => current.time(),
    };
    let offset = if matches!(day, "today" | "yesterday") {
        *now.offset()
    } else {
        *current.offset()
    };
    NaiveDateTime::new(date, time)
        .and_local_timezone(offset)
        .single()
        .ok_or_else(wrong)
}

/// Shows the assessment time the way [`parse_assessed_at`] reads it back.
pub fn format_assessed_at(at: DateTime<FixedOffset>) -> String {
    at.format("%Y-%m-%d %H:%M %:z").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::crossterm::event::KeyEvent;

    fn day(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
    }

    // 2026-11-20 is a Friday.
    const FRIDAY: &str = "2026-11-20";

    #[test]
    fn dates_are_read_forgivingly_from_the_assessment_date() {
        let today = day(FRIDAY);
        for (text, expected) in [
            ("2026-11-27", "2026-11-27"),
            (" today ", "2026-11-20"),
            ("Tomorrow", "2026-11-21"),
            ("yesterday", "2026-11-19"),
            ("+7d", "2026-11-27"),
            ("-3d", "2026-11-17"),
            ("+2w", "2026-12-04"),
            ("+1m", "2026-12-20"),
            ("next monday", "2026-11-23"),
            ("next friday", "2026-11-27"),
            ("fri", "2026-11-27"),
            ("last friday", "2026-11-13"),
            ("last tue", "2026-11-17"),
        ] {
            assert_eq!(parse_date(text, today), Ok(day(expected)), "{text}");
        }
    }

    #[test]
    fn nonsense_dates_say_what_is_accepted() {
        let today = day(FRIDAY);
        for text in ["2026-13-01", "+7x", "next month", "soon", "mon day"] {
            let error = parse_date(text, today).unwrap_err();
            assert!(error.contains("is not a date"), "{text}: {error}");
        }
    }

    #[test]
    fn editing_keys_insert_delete_and_move_by_character() {
        let mut field = TextField::from("ab");
        assert_eq!(
            field.handle_key(KeyEvent::from(KeyCode::Left), false),
            Edit::Moved
        );
        assert_eq!(
            field.handle_key(KeyEvent::from(KeyCode::Char('é')), false),
            Edit::Changed
        );
        assert_eq!(field.text(), "aéb");
        field.handle_key(KeyEvent::from(KeyCode::Backspace), false);
        field.handle_key(KeyEvent::from(KeyCode::Backspace), false);
        assert_eq!(field.text(), "b");
        assert_eq!(
            field.handle_key(KeyEvent::from(KeyCode::Enter), false),
            Edit::Ignored
        );
    }

    #[test]
    fn multiline_fields_take_enter_and_move_between_lines() {
        let mut field = TextField::from("first");
        field.handle_key(KeyEvent::from(KeyCode::Enter), true);
        for c in "second line".chars() {
            field.handle_key(KeyEvent::from(KeyCode::Char(c)), true);
        }
        assert_eq!(field.text(), "first\nsecond line");
        field.handle_key(KeyEvent::from(KeyCode::Up), true);
        assert_eq!(field.cursor_line_column(), (0, 5));
        field.handle_key(KeyEvent::from(KeyCode::Char('!')), true);
        assert_eq!(field.text(), "first!\nsecond line");
    }

    #[test]
    fn control_w_deletes_the_previous_word() {
        let mut field = TextField::from("rent arrears");
        let ctrl_w = KeyEvent::new(KeyCode::Char('w'), KeyModifiers::CONTROL);
        assert_eq!(field.handle_key(ctrl_w, false), Edit::Changed);
        assert_eq!(field.text(), "rent ");
    }

    #[test]
    fn the_assessment_time_keeps_its_offset() {
        let current = DateTime::parse_from_rfc3339("2026-11-20T14:30:00+01:00").unwrap();
        let parsed = parse_assessed_at("2026-11-21 09:15", current, current).unwrap();
        assert_eq!(parsed.to_rfc3339(), "2026-11-21T09:15:00+01:00");
        assert!(parse_assessed_at("tomorrow", current, current).is_err());
        assert_eq!(
            parse_assessed_at(&format_assessed_at(current), current, current),
            Ok(current)
        );
    }

    #[test]
    fn the_assessment_time_is_read_the_ways_people_say_it() {
        let current = DateTime::parse_from_rfc3339("2026-11-20T14:30:00+00:00").unwrap();
        let now = DateTime::parse_from_rfc3339("2026-12-05T16:45:00+00:00").unwrap();
        for (text, expected) in [
            ("now", "2026-12-05T16:45:00+00:00"),
            ("Today", "2026-12-05T16:45:00+00:00"),
            ("today 09:00", "2026-12-05T09:00:00+00:00"),
            ("yesterday 14:00", "2026-12-04T14:00:00+00:00"),
            ("05/12/2026", "2026-12-05T14:30:00+00:00"),
            ("05/12/2026 08:15", "2026-12-05T08:15:00+00:00"),
            ("2026-12-01 10:00", "2026-12-01T10:00:00+00:00"),
        ] {
            let at = parse_assessed_at(text, current, now).map(|at| at.to_rfc3339());
            assert_eq!(at.as_deref(), Ok(expected), "{text}");
        }
        for text in [
            "13/13/2026",
            "today 25:00",
            "soon",
            "05/12/2026 14:30 extra",
        ] {
            let error = parse_assessed_at(text, current, now).unwrap_err();
            assert!(error.contains("not a"), "{text}: {error}");
        }
    }

    #[test]
    fn a_date_that_is_not_one_says_why() {
        for (text, why) in [
            ("31/02/2026", "February 2026 has 28 days"),
            ("29/02/2027", "February 2027 has 28 days"),
            ("2026-04-31", "April 2026 has 30 days"),
            ("12/13/2026", "there is no month 13"),
            ("00/01/2026", "days start at 1"),
        ] {
            assert!(
                calendar_reason(text).is_some_and(|reason| reason.contains(why)),
                "{text}: {:?}",
                calendar_reason(text)
            );
            let error = parse_date(text, day(FRIDAY)).unwrap_err();
            assert!(error.contains(why), "{text}: {error}");
        }
        // Real dates and other forms have no calendar reason.
        for text in ["29/02/2028", "2026-12-05", "+7d", "-2w", "soon"] {
            assert_eq!(calendar_reason(text), None, "{text}");
        }
    }

    #[test]
    fn a_paste_keeps_line_breaks_only_where_they_belong() {
        assert_eq!(clean_paste("a\r\nb\rc\td\u{1b}e", true), "a\nb\nc de");
        assert_eq!(clean_paste("a\r\nb", false), "a b");
        let mut field = TextField::from("ab");
        field.handle_key(KeyEvent::from(KeyCode::Left), false);
        assert_eq!(field.insert_str("XY", false), Edit::Changed);
        assert_eq!(field.text(), "aXYb");
        assert_eq!(field.cursor_line_column(), (0, 3));
        assert_eq!(field.insert_str("\u{7}", false), Edit::Ignored);
    }

    #[test]
    fn uk_dates_are_read_in_date_fields() {
        assert_eq!(parse_date("05/12/2026", day(FRIDAY)), Ok(day("2026-12-05")));
    }
}
