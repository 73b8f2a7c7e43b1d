//! Timestamps in every format the providers use, read into UTC instants.
//!
//! RFC 2822 (Twilio, also with full day and month names), ISO 8601 / RFC 3339 with or without
//! an offset, `YYYY-MM-DD HH:MM:SS[.f]`, `YYYY/M/D H:MM[:SS]`, split date + time, and epoch
//! seconds / milliseconds / microseconds. A zone-less local time is read in the source zone; in
//! a DST gap it moves forward by the gap, in an overlap it takes the earlier instant.

use chrono::{
    DateTime, Datelike, LocalResult, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Timelike, Utc,
};
use chrono_tz::Tz;

/// Parse a zone name (IANA, e.g. `Europe/Berlin`, or `UTC`).
pub fn parse_tz(name: &str) -> crate::Result<Tz> {
    name.parse::<Tz>().map_err(|_| crate::Error::InvalidOption {
        option: "time zone".into(),
        reason: format!("unknown IANA zone {name:?}"),
    })
}

/// Read a local wall-clock time in `tz`.
pub fn from_local(naive: NaiveDateTime, tz: Tz) -> Option<DateTime<Utc>> {
    match tz.from_local_datetime(&naive) {
        LocalResult::Single(t) => Some(t.with_timezone(&Utc)),
        LocalResult::Ambiguous(a, _) => Some(a.with_timezone(&Utc)),
        LocalResult::None => {
            // In a spring-forward gap: the wall time does not exist; move it by the gap.
            let later = naive + chrono::Duration::hours(1);
            match tz.from_local_datetime(&later) {
                LocalResult::Single(t) | LocalResult::Ambiguous(t, _) => {
                    Some(t.with_timezone(&Utc))
                }
                LocalResult::None => None,
            }
        }
    }
}

/// Interpret an epoch number by magnitude: seconds, milliseconds or microseconds.
pub fn from_epoch(value: f64) -> Option<DateTime<Utc>> {
    if !value.is_finite() || value < 0.0 {
        return None;
    }
    let micros = if value < 1e11 {
        value * 1e6
    } else if value < 1e14 {
        value * 1e3
    } else if value < 1e17 {
        value
    } else {
        return None;
    };
    DateTime::from_timestamp_micros(micros.round() as i64)
}

/// Parse a timestamp string in any supported format; zone-less text is read in `tz`.
pub fn parse_instant(text: &str, tz: Tz) -> Option<DateTime<Utc>> {
    let s = crate::providers::json::trimmed(text);
    if s.is_empty() {
        return None;
    }
    if let Some(t) = fast_rfc2822(s.as_bytes()).or_else(|| fast_iso_utc(s.as_bytes())) {
        return Some(t);
    }
    if s.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
        return s.parse::<f64>().ok().and_then(from_epoch);
    }
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Some(t.with_timezone(&Utc));
    }
    if s.as_bytes()
        .first()
        .is_some_and(|b| b.is_ascii_alphabetic())
    {
        return parse_rfc2822ish(s);
    }
    // ISO-like with offset but a space separator or no colon in the offset.
    for fmt in [
        "%Y-%m-%d %H:%M:%S%.f%:z",
        "%Y-%m-%d %H:%M:%S%.f%z",
        "%Y-%m-%dT%H:%M:%S%.f%z",
        "%Y-%m-%d %H:%M:%S%.f %z",
    ] {
        if let Ok(t) = DateTime::parse_from_str(s, fmt) {
            return Some(t.with_timezone(&Utc));
        }
    }
    if let Some(stripped) = s.strip_suffix(" UTC").or_else(|| s.strip_suffix(" GMT")) {
        return parse_naive(stripped).and_then(|n| from_local(n, Tz::UTC));
    }
    parse_naive(s).and_then(|n| from_local(n, tz))
}

/// Parse a zone-less date-time in the common layouts.
pub fn parse_naive(s: &str) -> Option<NaiveDateTime> {
    const FORMATS: &[&str] = &[
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%d %H:%M:%S%.f",
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%d %H:%M",
        "%Y/%m/%d %H:%M:%S%.f",
        "%Y/%m/%d %H:%M",
        "%m/%d/%Y %H:%M:%S",
        "%m/%d/%Y %H:%M",
    ];
    for fmt in FORMATS {
        if let Ok(n) = NaiveDateTime::parse_from_str(s, fmt) {
            return Some(n);
        }
    }
    if let Ok(d) = NaiveDate::parse_from_str(s, "%Y-%m-%d") {
        return d.and_hms_opt(0, 0, 0);
    }
    None
}

/// Join a split date (`YYYY-MM-DD`) and time (`H:MM:SS`, hour possibly unpadded) read in `tz`.
pub fn parse_date_time(date: &str, time: &str, tz: Tz) -> Option<DateTime<Utc>> {
    if let (Some(d), Some(t)) = (
        fast_date(crate::providers::json::trimmed(date).as_bytes()),
        fast_hms(crate::providers::json::trimmed(time).as_bytes()),
    ) {
        let naive = d.and_time(t);
        return if tz == Tz::UTC {
            Some(Utc.from_utc_datetime(&naive))
        } else {
            from_local(naive, tz)
        };
    }
    let d = NaiveDate::parse_from_str(date.trim(), "%Y-%m-%d")
        .or_else(|_| NaiveDate::parse_from_str(date.trim(), "%Y/%m/%d"))
        .ok()?;
    let t = NaiveTime::parse_from_str(time.trim(), "%H:%M:%S%.f")
        .or_else(|_| NaiveTime::parse_from_str(time.trim(), "%H:%M"))
        .ok()?;
    from_local(d.and_time(t), tz)
}

/// RFC 2822 as written by Twilio, tolerating full day and month names and a missing offset
/// (read as UTC, which is what Twilio documents).
fn parse_rfc2822ish(s: &str) -> Option<DateTime<Utc>> {
    if let Ok(t) = DateTime::parse_from_rfc2822(s) {
        return Some(t.with_timezone(&Utc));
    }
    let rest = match s.split_once(',') {
        Some((_, rest)) => rest.trim(),
        None => s,
    };
    let mut parts = rest.split_whitespace();
    let day: u32 = parts.next()?.parse().ok()?;
    let month = month_number(parts.next()?)?;
    let year: i32 = parts.next()?.parse().ok()?;
    let time = NaiveTime::parse_from_str(parts.next()?, "%H:%M:%S").ok()?;
    let offset_minutes = match parts.next() {
        None | Some("GMT") | Some("UT") | Some("UTC") | Some("Z") => 0,
        Some(z) => {
            let sign = match z.as_bytes().first()? {
                b'+' => 1,
                b'-' => -1,
                _ => return None,
            };
            let digits = &z[1..];
            if digits.len() != 4 || !digits.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            let h: i32 = digits[..2].parse().ok()?;
            let m: i32 = digits[2..].parse().ok()?;
            sign * (h * 60 + m)
        }
    };
    let naive = NaiveDate::from_ymd_opt(year, month, day)?.and_time(time);
    Some(Utc.from_utc_datetime(&(naive - chrono::Duration::minutes(offset_minutes as i64))))
}

/// Two ASCII digits as a number.
fn two(b: &[u8], at: usize) -> Option<u32> {
    let (hi, lo) = (*b.get(at)?, *b.get(at + 1)?);
    (hi.is_ascii_digit() && lo.is_ascii_digit())
        .then(|| u32::from(hi - b'0') * 10 + u32::from(lo - b'0'))
}

/// Four ASCII digits as a year.
fn four(b: &[u8], at: usize) -> Option<i32> {
    Some((two(b, at)? * 100 + two(b, at + 2)?) as i32)
}

/// `YYYY-MM-DD` exactly; anything else is left to the general parser.
fn fast_date(b: &[u8]) -> Option<NaiveDate> {
    if b.len() != 10 || b.get(4) != Some(&b'-') || b.get(7) != Some(&b'-') {
        return None;
    }
    NaiveDate::from_ymd_opt(four(b, 0)?, two(b, 5)?, two(b, 8)?)
}

/// `H:MM:SS` or `HH:MM:SS` exactly (no fraction, no leap second); anything else is left to the
/// general parser.
fn fast_hms(b: &[u8]) -> Option<NaiveTime> {
    let (h, rest) = match b.len() {
        8 => (two(b, 0)?, b.get(2..)?),
        7 => {
            let d = *b.first()?;
            (
                d.is_ascii_digit().then(|| u32::from(d - b'0'))?,
                b.get(1..)?,
            )
        }
        _ => return None,
    };
    if rest.first() != Some(&b':') || rest.get(3) != Some(&b':') {
        return None;
    }
    let (m, s) = (two(rest, 1)?, two(rest, 4)?);
    if s > 59 {
        return None;
    }
    NaiveTime::from_hms_opt(h, m, s)
}

/// The exact RFC 2822 layout Twilio writes, `Mon, 02 Mar 2026 09:14:03 +0000`, read without
/// the general parser. The weekday must match the date; any other text (or any doubt) returns
/// `None` so that the general parser decides, which keeps the results identical.
fn fast_rfc2822(b: &[u8]) -> Option<DateTime<Utc>> {
    if b.len() != 31 {
        return None;
    }
    let fixed = [
        (3, b','),
        (4, b' '),
        (7, b' '),
        (11, b' '),
        (16, b' '),
        (19, b':'),
        (22, b':'),
        (25, b' '),
    ];
    if !fixed.iter().all(|&(i, c)| b.get(i) == Some(&c)) {
        return None;
    }
    let three = |at: usize| b.get(at..at + 3).and_then(|w| <[u8; 3]>::try_from(w).ok());
    let weekday = match three(0)? {
        [b'M', b'o', b'n'] => 0,
        [b'T', b'u', b'e'] => 1,
        [b'W', b'e', b'd'] => 2,
        [b'T', b'h', b'u'] => 3,
        [b'F', b'r', b'i'] => 4,
        [b'S', b'a', b't'] => 5,
        [b'S', b'u', b'n'] => 6,
        _ => return None,
    };
    let month = match three(8)? {
        [b'J', b'a', b'n'] => 1,
        [b'F', b'e', b'b'] => 2,
        [b'M', b'a', b'r'] => 3,
        [b'A', b'p', b'r'] => 4,
        [b'M', b'a', b'y'] => 5,
        [b'J', b'u', b'n'] => 6,
        [b'J', b'u', b'l'] => 7,
        [b'A', b'u', b'g'] => 8,
        [b'S', b'e', b'p'] => 9,
        [b'O', b'c', b't'] => 10,
        [b'N', b'o', b'v'] => 11,
        [b'D', b'e', b'c'] => 12,
        _ => return None,
    };
    let date = NaiveDate::from_ymd_opt(four(b, 12)?, month, two(b, 5)?)?;
    if date.weekday().num_days_from_monday() != weekday {
        return None;
    }
    let (h, m, s) = (two(b, 17)?, two(b, 20)?, two(b, 23)?);
    if s > 59 {
        return None;
    }
    let time = NaiveTime::from_hms_opt(h, m, s)?;
    let sign = match b.get(26)? {
        b'+' => 1,
        b'-' => -1,
        _ => return None,
    };
    let (oh, om) = (two(b, 27)?, two(b, 29)?);
    if oh > 23 || om > 59 {
        return None;
    }
    let offset = sign * i64::from(oh * 60 + om);
    let local = date.and_time(time);
    // `+0000` (what Twilio writes) needs no shift
    if offset == 0 {
        return Some(local.and_utc());
    }
    Some(Utc.from_utc_datetime(&(local - chrono::Duration::minutes(offset))))
}

/// `YYYY-MM-DDTHH:MM:SSZ` and `YYYY-MM-DDTHH:MM:SS.fffZ` (1-9 fraction digits) read without the
/// general parser; anything else returns `None`.
fn fast_iso_utc(b: &[u8]) -> Option<DateTime<Utc>> {
    if b.len() < 20 || b.last() != Some(&b'Z') || b.get(10) != Some(&b'T') {
        return None;
    }
    let date = fast_date(b.get(..10)?)?;
    let hms = b.get(11..19)?;
    let time = fast_hms(hms)?;
    let frac = b.get(19..b.len() - 1)?;
    let nanos = match frac {
        [] => 0,
        [b'.', digits @ ..] if (1..=9).contains(&digits.len()) => {
            let mut n: u32 = 0;
            for d in digits {
                if !d.is_ascii_digit() {
                    return None;
                }
                n = n * 10 + u32::from(d - b'0');
            }
            n * 10u32.pow(9 - digits.len() as u32)
        }
        _ => return None,
    };
    let time = time.with_nanosecond(nanos)?;
    Some(Utc.from_utc_datetime(&date.and_time(time)))
}

fn month_number(word: &str) -> Option<u32> {
    const MONTHS: [&str; 12] = [
        "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
    ];
    let w = word.to_ascii_lowercase();
    let prefix = w.get(..3)?;
    MONTHS
        .iter()
        .position(|m| *m == prefix)
        .map(|i| i as u32 + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The byte-level fast paths agree with chrono's general parsers on every instant of a
    /// sweep (a step of 7,919 s, a prime, crosses every weekday, hour, month and leap day of
    /// 2023-2026), with a zero, a positive and a negative offset.
    #[test]
    fn fast_paths_match_the_general_parsers() {
        let mut t = 1_672_531_200; // 2023-01-01T00:00:00Z
        while t < 1_798_761_600 {
            let utc_t = DateTime::from_timestamp(t, 0).unwrap();
            for offset in ["+0000", "+0530", "-0800"] {
                let text = format!(
                    "{}",
                    utc_t.format(&format!("%a, %d %b %Y %H:%M:%S {offset}"))
                );
                let general = DateTime::parse_from_rfc2822(&text)
                    .unwrap()
                    .with_timezone(&Utc);
                assert_eq!(fast_rfc2822(text.as_bytes()), Some(general), "{text}");
            }
            let iso = utc_t.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string();
            let general = DateTime::parse_from_rfc3339(&iso)
                .unwrap()
                .with_timezone(&Utc);
            assert_eq!(fast_iso_utc(iso.as_bytes()), Some(general), "{iso}");
            let (date, time) = (
                utc_t.format("%Y-%m-%d").to_string(),
                utc_t.format("%-H:%M:%S").to_string(),
            );
            let naive = NaiveDate::parse_from_str(&date, "%Y-%m-%d")
                .unwrap()
                .and_time(NaiveTime::parse_from_str(&time, "%H:%M:%S").unwrap());
            assert_eq!(
                parse_date_time(&date, &time, Tz::UTC),
                Some(naive.and_utc())
            );
            t += 7_919;
        }
    }

    mod fast_paths {
        use super::*;
        use chrono::{Datelike, Timelike};
        use proptest::prelude::*;

        /// What the fast RFC 2822 path gave when it used chrono's calendar (its first form,
        /// kept as the reference): the layout checked the same way, the date and weekday by
        /// `NaiveDate`, the time by `NaiveTime`.
        fn by_chrono(text: &str) -> Option<DateTime<Utc>> {
            let b = text.as_bytes();
            if b.len() != 31 || b.get(3) != Some(&b',') {
                return None;
            }
            let weekday = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
                .iter()
                .position(|d| text.get(0..3) == Some(*d))?;
            let month = month_number(text.get(8..11)?)?;
            let date = NaiveDate::from_ymd_opt(text.get(12..16)?.parse().ok()?, month, two(b, 5)?)?;
            if date.weekday().num_days_from_monday() as usize != weekday {
                return None;
            }
            let (h, m, s) = (two(b, 17)?, two(b, 20)?, two(b, 23)?);
            let time = NaiveTime::from_hms_opt(h, m, s).filter(|_| s < 60)?;
            let sign = if b.get(26)? == &b'-' { -1 } else { 1 };
            let (oh, om) = (two(b, 27)?, two(b, 29)?);
            if oh > 23 || om > 59 {
                return None;
            }
            let offset = sign * i64::from(oh * 60 + om);
            Some(Utc.from_utc_datetime(&(date.and_time(time) - chrono::Duration::minutes(offset))))
        }

        proptest! {
            // most texts name a wrong weekday (both paths decline): enough cases for many real ones
            #![proptest_config(ProptestConfig::with_cases(4096))]

            /// Any day, month (days 29-31 included, in every month) and weekday of years
            /// 0000-9999, any time and offset: the arithmetic calendar agrees with chrono's,
            /// whether the text names a real date or not.
            #[test]
            fn the_calendar_is_chronos(
                year in 0u32..10_000,
                month in 0usize..12,
                day in 1u32..32,
                weekday in 0usize..7,
                (h, m, s) in (0u32..25, 0u32..61, 0u32..61),
                (sign, oh, om) in (prop::sample::select(vec!['+', '-']), 0u32..25, 0u32..61),
            ) {
                const DAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
                const MONTHS: [&str; 12] = [
                    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
                ];
                let text = format!(
                    "{}, {day:02} {} {year:04} {h:02}:{m:02}:{s:02} {sign}{oh:02}{om:02}",
                    DAYS[weekday], MONTHS[month]
                );
                prop_assert_eq!(fast_rfc2822(text.as_bytes()), by_chrono(&text), "{}", text);
                let date = format!("{year:04}-{:02}-{day:02}", month + 1);
                let real = NaiveDate::from_ymd_opt(year as i32, month as u32 + 1, day);
                prop_assert_eq!(fast_date(date.as_bytes()), real);
            }

            /// The weekday a real date is written with is the one the fast path wants.
            #[test]
            fn real_instants_read_back(secs in -62_167_219_200i64..253_402_300_800, nanos in 0u32..1_000_000_000) {
                let t = DateTime::from_timestamp(secs, nanos).unwrap();
                let text = t.format("%a, %d %b %Y %H:%M:%S +0000").to_string();
                prop_assert_eq!(fast_rfc2822(text.as_bytes()), Some(t.with_nanosecond(0).unwrap()));
                let iso = t.format("%Y-%m-%dT%H:%M:%S%.9fZ").to_string();
                prop_assert_eq!(fast_iso_utc(iso.as_bytes()), Some(t));
            }
        }
    }

    /// Text the fast paths do not claim goes to the general parsers with the old results.
    #[test]
    fn fast_paths_decline_other_text() {
        // 2 March 2026 is a Monday; "Tue" is wrong, so the fast path declines and the lenient
        // reader (which ignores the weekday) reads it
        assert_eq!(fast_rfc2822(b"Tue, 02 Mar 2026 09:14:03 +0000"), None);
        assert_eq!(
            parse_instant("Tue, 02 Mar 2026 09:14:03 +0000", Tz::UTC),
            Some(utc("2026-03-02T09:14:03Z"))
        );
        assert_eq!(fast_rfc2822(b"Mon, 02 Mar 2026 09:14:60 +0000"), None);
        assert_eq!(fast_iso_utc(b"2026-03-02T09:14:03+00:00"), None);
        assert_eq!(fast_iso_utc(b"2026-03-02T24:00:00Z"), None);
        assert_eq!(fast_hms(b"9:5:03"), None);
        // zone-less date and time in another zone: 09:14:03 in Berlin (UTC+1 in March) is 08:14:03Z
        let berlin: Tz = "Europe/Berlin".parse().unwrap();
        assert_eq!(
            parse_date_time("2026-03-02", "9:14:03", berlin),
            Some(utc("2026-03-02T08:14:03Z"))
        );
    }

    fn utc(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    #[test]
    fn rfc2822_variants() {
        let tz = Tz::UTC;
        assert_eq!(
            parse_instant("Tue, 31 Aug 2010 20:36:28 +0000", tz),
            Some(utc("2010-08-31T20:36:28Z"))
        );
        assert_eq!(
            parse_instant("Sun, 25 Mar 2018 09:53:19 -0500", tz),
            Some(utc("2018-03-25T14:53:19Z"))
        );
        // The hand-edited BoomerRang fixture: full day and month names.
        assert_eq!(
            parse_instant("Thurs, 20 July 1989 11:41:11 +0000", tz),
            Some(utc("1989-07-20T11:41:11Z"))
        );
        assert_eq!(
            parse_instant("Thu, 01 Jan 2015 00:00:00", tz),
            Some(utc("2015-01-01T00:00:00Z"))
        );
    }

    #[test]
    fn iso_with_and_without_offset() {
        let berlin: Tz = "Europe/Berlin".parse().unwrap();
        assert_eq!(
            parse_instant("2025-06-10T09:07:00.649Z", berlin),
            Some(utc("2025-06-10T09:07:00.649Z"))
        );
        assert_eq!(
            parse_instant("2021-08-25T03:40:25+02:00", berlin),
            Some(utc("2021-08-25T01:40:25Z"))
        );
        // zone-less: read in the source zone (CEST = UTC+2 in June)
        assert_eq!(
            parse_instant("2024-06-01 12:00:00", berlin),
            Some(utc("2024-06-01T10:00:00Z"))
        );
        assert_eq!(
            parse_instant("2024-01-27 16:16:36", Tz::UTC),
            Some(utc("2024-01-27T16:16:36Z"))
        );
        assert_eq!(
            parse_instant("2020/2/10 22:41", Tz::UTC),
            Some(utc("2020-02-10T22:41:00Z"))
        );
        assert_eq!(
            parse_instant("2024-03-01 10:00:00.123456+00:00", Tz::UTC),
            Some(utc("2024-03-01T10:00:00.123456Z"))
        );
    }

    #[test]
    fn epochs_by_magnitude() {
        let s = utc("2023-11-14T22:13:20Z");
        assert_eq!(from_epoch(1_700_000_000.0), Some(s));
        assert_eq!(from_epoch(1_700_000_000_000.0), Some(s));
        assert_eq!(from_epoch(1_700_000_000_000_000.0), Some(s));
        assert_eq!(parse_instant("1700000000", Tz::UTC), Some(s));
        assert_eq!(from_epoch(f64::NAN), None);
        assert_eq!(from_epoch(-1.0), None);
    }

    #[test]
    fn split_date_time_unpadded_hour() {
        assert_eq!(
            parse_date_time("2024-02-29", "8:25:43", Tz::UTC),
            Some(utc("2024-02-29T08:25:43Z"))
        );
    }

    #[test]
    fn dst_gap_and_overlap() {
        let ny: Tz = "America/New_York".parse().unwrap();
        // 2024-03-10 02:30 does not exist in New York: moved forward to 03:30 EDT = 07:30Z
        assert_eq!(
            parse_instant("2024-03-10 02:30:00", ny),
            Some(utc("2024-03-10T07:30:00Z"))
        );
        // 2024-11-03 01:30 happens twice: the earlier (EDT, UTC-4) is taken
        assert_eq!(
            parse_instant("2024-11-03 01:30:00", ny),
            Some(utc("2024-11-03T05:30:00Z"))
        );
    }

    #[test]
    fn garbage_is_none() {
        for s in [
            "",
            "yesterday",
            "2024-13-45 99:99:99",
            "Mon, 99 Foo 2020 10:00:00 +0000",
            "1e400",
        ] {
            assert_eq!(parse_instant(s, Tz::UTC), None, "{s}");
        }
    }
}
