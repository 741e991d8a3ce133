//! ORUK schedules (RFC 5545 recurrence rules) as weekly opening windows. A schedule sicol cannot
//! express is left out with a note rather than widened: a partner shown open when it is closed
//! fails the person.

use chrono::{NaiveTime, Timelike};
use serde_json::{Map, Value};

use super::entry::{HoursEntry, WindowEntry};
use super::{has_value, records, summary, text, Reader};
use crate::referrals::oruk::{NoteKind, DAYS};

/// One opening window while reading: its times, and which days (Monday first) it covers.
struct Span {
    open: NaiveTime,
    close: NaiveTime,
    days: [bool; 7],
}

impl Reader<'_> {
    /// Weekly opening hours from the service's schedules; `None` when no schedule can be read.
    /// A schedule sicol cannot express (monthly, fortnightly, certain dates) is left out rather
    /// than widened to every week: a partner shown open when it is closed fails the person.
    pub(super) fn hours(&mut self, label: &str, fields: &Map<String, Value>) -> Option<HoursEntry> {
        let mut spans: Vec<Span> = Vec::new();
        for (index, schedule) in records(fields, "schedules").iter().enumerate() {
            let at = format!("schedules[{index}]");
            let Some(schedule) = schedule.as_object() else {
                continue;
            };
            match self.schedule(label, &at, schedule) {
                Ok(read) => {
                    for span in read {
                        match spans
                            .iter_mut()
                            .find(|seen| seen.open == span.open && seen.close == span.close)
                        {
                            Some(seen) => {
                                for (day, open) in span.days.iter().enumerate() {
                                    seen.days[day] |= open;
                                }
                            }
                            None => spans.push(span),
                        }
                    }
                }
                Err(reason) => {
                    self.note(
                        NoteKind::NotMapped,
                        label,
                        at,
                        format!("left out: {reason}"),
                    );
                }
            }
        }
        if spans.is_empty() {
            return None;
        }
        let midnight = NaiveTime::MIN;
        let last_minute = NaiveTime::from_hms_opt(23, 59, 0).unwrap_or(NaiveTime::MIN);
        if spans.iter().any(|span| {
            span.days.iter().all(|open| *open) && span.open == midnight && span.close >= last_minute
        }) {
            return Some(HoursEntry::Always);
        }
        Some(HoursEntry::Windows(
            spans
                .into_iter()
                .map(|span| WindowEntry {
                    days: DAYS
                        .iter()
                        .zip(span.days)
                        .filter(|(_, open)| *open)
                        .map(|((_, key, _), _)| *key)
                        .collect(),
                    open: span.open,
                    close: span.close,
                })
                .collect(),
        ))
    }

    /// One schedule as opening windows, or why it cannot be one.
    fn schedule(
        &mut self,
        label: &str,
        at: &str,
        schedule: &Map<String, Value>,
    ) -> Result<Vec<Span>, String> {
        if let Some(freq) = text(schedule, "freq") {
            if !freq.eq_ignore_ascii_case("WEEKLY") {
                return Err(format!(
                    "it repeats `{freq}`; sicol's hours repeat every week"
                ));
            }
        }
        if let Some(interval) = schedule.get("interval").filter(|value| has_value(value)) {
            let weekly =
                interval.as_f64() == Some(1.0) || interval.as_str().map(str::trim) == Some("1");
            if !weekly {
                let interval = interval
                    .as_str()
                    .map_or_else(|| interval.to_string(), str::to_owned);
                return Err(format!(
                    "it repeats every {interval} weeks; sicol's hours repeat every week"
                ));
            }
        }
        for key in ["bymonthday", "byweekno", "byyearday", "count", "until"] {
            if let Some(value) = schedule.get(key).filter(|value| has_value(value)) {
                return Err(format!(
                    "{key} {} limits it to certain dates; sicol's hours repeat every week",
                    summary(value)
                ));
            }
        }
        let Some(byday) = text(schedule, "byday") else {
            return Err("no byday: the days it is open are not given".to_owned());
        };
        let mut days = [false; 7];
        for code in byday.split(',') {
            let code = code.trim().to_ascii_uppercase();
            match DAYS.iter().position(|(key, ..)| *key == code) {
                Some(day) => days[day] = true,
                None => {
                    return Err(format!(
                        "byday `{code}` is not a day of every week (MO, TU, WE, TH, FR, SA, SU)"
                    ))
                }
            }
        }
        let (Some(opens), Some(closes)) = (text(schedule, "opens_at"), text(schedule, "closes_at"))
        else {
            return Err("no opens_at or closes_at".to_owned());
        };
        let open = self.time(label, &format!("{at}.opens_at"), &opens)?;
        let close = self.time(label, &format!("{at}.closes_at"), &closes)?;
        const DATES: &str = " not kept: sicol's hours apply every week of the year";
        const FREE_TEXT: &str = ": free text with no place in partners.yaml";
        for (key, why) in [
            ("valid_from", DATES),
            ("valid_to", DATES),
            ("dtstart", DATES),
            ("timezone", DATES),
            ("wkst", DATES),
            ("description", FREE_TEXT),
            ("notes", FREE_TEXT),
            ("attending_type", FREE_TEXT),
            ("schedule_link", FREE_TEXT),
        ] {
            if let Some(value) = schedule.get(key).filter(|value| has_value(value)) {
                self.note(
                    NoteKind::NotMapped,
                    label,
                    format!("{at}.{key}"),
                    format!("{}{why}", summary(value)),
                );
            }
        }
        let last_minute = NaiveTime::from_hms_opt(23, 59, 0).unwrap_or(NaiveTime::MIN);
        if close == open {
            return Err("it opens and closes at the same time".to_owned());
        }
        if close == NaiveTime::MIN {
            self.note(
                NoteKind::Changed,
                label,
                format!("{at}.closes_at"),
                "closes at midnight: written as 23:59, the last time a day can hold".to_owned(),
            );
            return Ok(vec![Span {
                open,
                close: last_minute,
                days,
            }]);
        }
        if close < open {
            self.note(
                NoteKind::Changed,
                label,
                format!("{at}.closes_at"),
                "runs past midnight: written as two windows, to 23:59 and from 00:00 the next day"
                    .to_owned(),
            );
            let mut next = [false; 7];
            for (day, open) in days.iter().enumerate() {
                next[(day + 1) % 7] = *open;
            }
            let mut spans = vec![Span {
                open,
                close: last_minute,
                days,
            }];
            spans.push(Span {
                open: NaiveTime::MIN,
                close,
                days: next,
            });
            return Ok(spans);
        }
        Ok(vec![Span { open, close, days }])
    }

    /// A time as ORUK writes it (`09:00`, `09:00:00`, with or without a zone such as `Z` or
    /// `+01:00`). The zone is dropped with a note: partners.yaml hours are UK local time.
    fn time(&mut self, label: &str, at: &str, written: &str) -> Result<NaiveTime, String> {
        let (clock, zone) = match written.find(['Z', 'z', '+']).or_else(|| written.rfind('-')) {
            Some(cut) => (&written[..cut], &written[cut..]),
            None => (written, ""),
        };
        let clock = clock.trim();
        let parsed = if clock == "24:00" || clock == "24:00:00" {
            Some(NaiveTime::MIN)
        } else {
            NaiveTime::parse_from_str(clock, "%H:%M:%S")
                .or_else(|_| NaiveTime::parse_from_str(clock, "%H:%M"))
                .ok()
                .and_then(|time| time.with_second(0))
                .and_then(|time| time.with_nanosecond(0))
        };
        let Some(time) = parsed else {
            return Err(format!("`{written}` at {at} is not a time"));
        };
        if !zone.is_empty() {
            self.note(
                NoteKind::Changed,
                label,
                at.to_owned(),
                format!("time zone `{zone}` dropped: partners.yaml hours are UK local time"),
            );
        }
        Ok(time)
    }
}
