//! Concurrency of SPEC 4.5: current and peak concurrent calls, and a time series with peak,
//! concurrency at the bucket start, time-weighted average (erlangs) and starts per bucket.
//!
//! Each finished call occupies the half-open interval `[started_at, ended_at)` (no `ended_at`:
//! `started_at + duration_s`); an active call occupies `[started_at, as_of)`. Calls with
//! neither an end nor a duration are left out and counted in `callsWithoutEnd`. A call is
//! active when it has no `ended_at` and its outcome is `active` (a running duration of an active
//! call is ignored); an `ended_at` always makes the call finished. An end before the start
//! (an invariant broken in lenient data) occupies nothing. An active call starting after
//! `as_of` occupies nothing but still counts in `starts`. The work is a sort of the start
//! instants and one of the end instants (plain integers: a radix sort for long lists, at most
//! O(n log n)) and one sweep over both lists and the buckets together, O(n + buckets): fixed
//! buckets are arithmetic, local days need one zone lookup per day.

use super::{AnalyticsOptions, LocalTime, Partial, build};
use crate::{CallRecord, Error, Outcome};
use chrono::{DateTime, Days, NaiveDate, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use std::str::FromStr;

/// The most buckets a series may have; more is an [`Error::InvalidOption`] on `granularity`
/// (one year by minute is 527,040 buckets).
pub const MAX_BUCKETS: u64 = 2_000_000;

const MICROS: i64 = 1_000_000;

/// Width of the concurrency buckets. JSON: `"minute"`, `"hour"`, `"day"` or a number of seconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Granularity {
    /// 60 s buckets on UTC minute boundaries.
    Minute,
    /// 3600 s buckets on UTC hour boundaries (the default).
    #[default]
    Hour,
    /// Local calendar days in the report zone (23 or 25 hours across DST changes).
    Day,
    /// Buckets of this many seconds on UTC epoch multiples.
    Seconds(u64),
}

impl Granularity {
    /// The nominal width in seconds (86400 for `day`).
    pub fn seconds(self) -> u64 {
        match self {
            Granularity::Minute => 60,
            Granularity::Hour => 3600,
            Granularity::Day => 86_400,
            Granularity::Seconds(n) => n,
        }
    }

    /// The width, checked: at least one second and representable in microseconds.
    pub(crate) fn seconds_checked(self) -> crate::Result<u64> {
        let n = self.seconds();
        if n == 0
            || i64::try_from(n)
                .ok()
                .and_then(|n| n.checked_mul(MICROS))
                .is_none()
        {
            return Err(Error::InvalidOption {
                option: "granularity".into(),
                reason: format!("must be minute, hour, day or a number of seconds >= 1, got {n}"),
            });
        }
        Ok(n)
    }
}

impl fmt::Display for Granularity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Granularity::Minute => f.write_str("minute"),
            Granularity::Hour => f.write_str("hour"),
            Granularity::Day => f.write_str("day"),
            Granularity::Seconds(n) => write!(f, "{n}"),
        }
    }
}

impl FromStr for Granularity {
    type Err = Error;

    /// `minute`, `hour`, `day` or a whole number of seconds (the CLI's `--granularity`).
    fn from_str(s: &str) -> crate::Result<Self> {
        let g = match s.trim().to_ascii_lowercase().as_str() {
            "minute" => Granularity::Minute,
            "hour" => Granularity::Hour,
            "day" => Granularity::Day,
            other => Granularity::Seconds(other.parse().map_err(|_| Error::InvalidOption {
                option: "granularity".into(),
                reason: format!("expected minute, hour, day or a number of seconds, got {s:?}"),
            })?),
        };
        g.seconds_checked()?;
        Ok(g)
    }
}

impl Serialize for Granularity {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Granularity::Seconds(n) => s.serialize_u64(*n),
            named => s.collect_str(named),
        }
    }
}

impl<'de> Deserialize<'de> for Granularity {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Repr {
            Seconds(u64),
            Name(String),
        }
        match Repr::deserialize(d)? {
            Repr::Seconds(n) => Granularity::Seconds(n)
                .seconds_checked()
                .map(|_| Granularity::Seconds(n)),
            Repr::Name(s) => s.parse(),
        }
        .map_err(serde::de::Error::custom)
    }
}

/// SPEC 4.5 / SPEC 6 `concurrency`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Concurrency {
    /// Active calls started at or before `as_of`, plus finished calls with
    /// started_at <= as_of < ended_at.
    pub current: u64,
    /// The most calls at any instant.
    pub peak: u64,
    /// The first instant the peak occurred; `None` when no call occupies any time.
    pub peak_at: Option<DateTime<Utc>>,
    /// The `as_of` used (given, else the latest instant in the data).
    pub as_of: Option<DateTime<Utc>>,
    /// Nominal bucket width (86400 for `day`).
    pub granularity_seconds: u64,
    /// One entry per bucket from the first start to the last occupied instant.
    pub series: Vec<ConcurrencyBucket>,
    /// Calls left out: no `ended_at`, no duration and not active.
    pub calls_without_end: u64,
}

/// One bucket `[timestamp, next bucket)` of the series.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ConcurrencyBucket {
    /// Bucket start, UTC epoch seconds.
    pub timestamp: i64,
    /// The most calls at any instant of the bucket.
    pub peak: u64,
    /// Calls at the bucket's first instant.
    pub at_start: u64,
    /// Time-weighted mean concurrency over the bucket's real length (erlangs).
    pub average: f64,
    /// Calls that began in the bucket (zero-length calls count here only).
    pub starts: u64,
}

/// Mergeable state of [`Concurrency`]: the start/end events (epoch microseconds).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ConcurrencyPartial {
    /// `[start, end)` of finished calls, in arrival order.
    finished: Vec<(i64, i64)>,
    /// Starts of active calls, in arrival order.
    active: Vec<i64>,
    calls_without_end: u64,
    /// The latest instant seen in any record (the default `as_of`).
    latest: Option<i64>,
}

impl ConcurrencyPartial {
    /// An empty partial.
    pub fn new() -> Self {
        Self::default()
    }

    /// The latest instant seen so far (the default `as_of`).
    pub fn latest(&self) -> Option<DateTime<Utc>> {
        self.latest.and_then(DateTime::from_timestamp_micros)
    }

    /// Current, peak and the series by `granularity` (`day` buckets in `tz`), at `as_of`
    /// (default: [`latest`](Self::latest)). Errors when the series would exceed
    /// [`MAX_BUCKETS`] or the granularity is zero.
    pub fn finish(
        self,
        as_of: Option<DateTime<Utc>>,
        granularity: Granularity,
        tz: Tz,
    ) -> crate::Result<Concurrency> {
        let granularity_seconds = granularity.seconds_checked()?;
        let as_of_us = as_of.map(|t| t.timestamp_micros()).or(self.latest);
        let occupancy = Occupancy::new(&self.finished, &self.active, as_of_us);
        let (level, series) = sweep(&occupancy, granularity, granularity_seconds, tz)?;
        Ok(Concurrency {
            current: occupancy.current,
            peak: level.peak.max(0) as u64,
            peak_at: level.peak_at.and_then(DateTime::from_timestamp_micros),
            as_of: as_of_us.and_then(DateTime::from_timestamp_micros),
            granularity_seconds,
            series,
            calls_without_end: self.calls_without_end,
        })
    }
}

impl Partial for ConcurrencyPartial {
    fn add(&mut self, r: &CallRecord) {
        let start = r.started_at.timestamp_micros();
        let end = r.ended_at.or_else(|| {
            if r.outcome == Outcome::Active {
                None
            } else {
                r.effective_end()
            }
        });
        let end_us = end.map(|t| t.timestamp_micros());
        // The latest of start, answer and end; instants compare without converting.
        let answered_us = r
            .answered_at
            .filter(|a| *a > r.started_at && end.is_none_or(|e| *a > e))
            .map(|a| a.timestamp_micros());
        let seen = start
            .max(end_us.unwrap_or(start))
            .max(answered_us.unwrap_or(start));
        self.latest = self.latest.max(Some(seen));
        match end_us {
            // An end before the start breaks an invariant; it occupies nothing.
            Some(end) => self.finished.push((start, end.max(start))),
            None if r.outcome == Outcome::Active => self.active.push(start),
            None => self.calls_without_end += 1,
        }
    }

    fn merge(mut self, other: Self) -> Self {
        self.finished.extend(other.finished);
        self.active.extend(other.active);
        self.calls_without_end += other.calls_without_end;
        self.latest = self.latest.max(other.latest);
        self
    }
}

/// The concurrency of the records `options` selects, at `options.as_of`.
pub fn concurrency(
    records: &[CallRecord],
    options: &AnalyticsOptions,
) -> crate::Result<Concurrency> {
    build(records, options, ConcurrencyPartial::new).finish(
        options.as_of,
        options.granularity,
        options.time_zone,
    )
}

/// The occupied intervals of a finish as two ascending lists of instants (epoch microseconds).
///
/// Every interval `[s, e)` gives one start and one end, the end raised to the start (an end
/// before the start occupies nothing), so a zero-length call adds and removes itself at the same
/// instant: it nets out of every level and counts only in `starts`.
struct Occupancy {
    /// Every start, ascending (also the `starts` of the buckets).
    starts: Vec<i64>,
    /// Every end, ascending.
    ends: Vec<i64>,
    /// The last occupied instant: one microsecond before an end, or a zero-length call's start.
    last_instant: Option<i64>,
    /// Calls occupying `as_of` (active calls started at or before it included).
    current: u64,
}

impl Occupancy {
    fn new(finished: &[(i64, i64)], active: &[i64], as_of: Option<i64>) -> Self {
        let n = finished.len() + if as_of.is_some() { active.len() } else { 0 };
        let mut starts = Vec::with_capacity(n);
        let mut ends = Vec::with_capacity(n);
        let mut last_instant = None;
        let mut current = 0u64;
        let mut push = |s: i64, e: i64| {
            let e = e.max(s);
            starts.push(s);
            ends.push(e);
            last_instant = last_instant.max(Some(if e > s { e - 1 } else { s }));
        };
        for &(s, e) in finished {
            push(s, e);
            current += u64::from(as_of.is_some_and(|now| s <= now && now < e));
        }
        if let Some(now) = as_of {
            // An active call that starts after as_of occupies nothing (it still counts in starts).
            for &s in active {
                push(s, now);
                current += u64::from(s <= now);
            }
        }
        #[cfg(feature = "parallel")]
        let (starts, ends) = rayon::join(|| sort_instants(starts), || sort_instants(ends));
        #[cfg(not(feature = "parallel"))]
        let (starts, ends) = (sort_instants(starts), sort_instants(ends));
        Occupancy {
            starts,
            ends,
            last_instant,
            current,
        }
    }

    /// The (instant, net change) events of these intervals.
    fn events(&self) -> NetEvents<'_> {
        NetEvents {
            starts: &self.starts,
            ends: &self.ends,
        }
    }
}

/// Lists shorter than this are sorted by comparison; longer ones by radix.
const RADIX_MIN_LEN: usize = 1 << 12;
/// Bits per radix digit: 2,048 counters stay in the L1 cache.
const RADIX_BITS: u32 = 11;

/// `instants` ascending. Long lists get an LSD radix sort of the offsets from the minimum in
/// the coarsest unit that divides them all (whole seconds or milliseconds in most exports),
/// with only as many 11-bit passes as that range needs (2 for two weeks of whole seconds): a
/// few linear passes instead of O(n log n) comparisons.
fn sort_instants(mut instants: Vec<i64>) -> Vec<i64> {
    if instants.len() < RADIX_MIN_LEN {
        instants.sort_unstable();
        return instants;
    }
    let (Some(&min), Some(&max)) = (instants.iter().min(), instants.iter().max()) else {
        return instants;
    };
    // Constant units, so that the divisions compile to multiplications.
    if all_multiples::<1_000_000>(&instants, min) {
        radix_sort::<1_000_000>(instants, min, max)
    } else if all_multiples::<1_000>(&instants, min) {
        radix_sort::<1_000>(instants, min, max)
    } else {
        radix_sort::<1>(instants, min, max)
    }
}

/// The offset of `t` from `min` as an unsigned key: order-preserving for any i64 range.
fn offset(t: i64, min: i64) -> u64 {
    (t as u64).wrapping_sub(min as u64)
}

/// Whether every instant is a whole number of `UNIT`s after `min`.
fn all_multiples<const UNIT: u64>(instants: &[i64], min: i64) -> bool {
    instants.iter().all(|t| offset(*t, min) % UNIT == 0)
}

/// LSD radix sort of the offsets from `min` in `UNIT`s (every offset is a multiple of it).
fn radix_sort<const UNIT: u64>(instants: Vec<i64>, min: i64, max: i64) -> Vec<i64> {
    let bits = u64::BITS - (offset(max, min) / UNIT).leading_zeros();
    let mut keys: Vec<u64> = instants
        .into_iter()
        .map(|t| offset(t, min) / UNIT)
        .collect();
    let mut scratch = vec![0u64; keys.len()];
    let mask = (1u64 << RADIX_BITS) - 1;
    let mut shift = 0;
    while shift < bits {
        let mut slots = [0usize; 1 << RADIX_BITS];
        for key in &keys {
            slots[((key >> shift) & mask) as usize] += 1;
        }
        let mut sum = 0;
        for slot in slots.iter_mut() {
            let count = *slot;
            *slot = sum;
            sum += count;
        }
        for key in &keys {
            let slot = &mut slots[((key >> shift) & mask) as usize];
            scratch[*slot] = *key;
            *slot += 1;
        }
        std::mem::swap(&mut keys, &mut scratch);
        shift += RADIX_BITS;
    }
    keys.into_iter()
        .map(|k| (k * UNIT).wrapping_add(min as u64) as i64)
        .collect()
}

/// (instant, net change) for every instant where calls start or end, ascending, from the sorted
/// starts and ends. Instants whose changes cancel are left out; netting all changes of one
/// instant makes a call ending there leave before one starting there is counted (half-open
/// intervals).
struct NetEvents<'a> {
    starts: &'a [i64],
    ends: &'a [i64],
}

impl Iterator for NetEvents<'_> {
    type Item = (i64, i64);

    fn next(&mut self) -> Option<(i64, i64)> {
        loop {
            let t = match (self.starts.first(), self.ends.first()) {
                (Some(&s), Some(&e)) => s.min(e),
                (Some(&s), None) => s,
                (None, Some(&e)) => e,
                (None, None) => return None,
            };
            let started = self.starts.iter().take_while(|s| **s == t).count();
            let ended = self.ends.iter().take_while(|e| **e == t).count();
            self.starts = &self.starts[started..];
            self.ends = &self.ends[ended..];
            let delta = started as i64 - ended as i64;
            if delta != 0 {
                return Some((t, delta));
            }
        }
    }
}

/// Bucket boundaries: fixed UTC epoch multiples, or local calendar days.
enum Buckets {
    Fixed(i64),
    Day(Tz),
}

impl Buckets {
    fn start_of(&self, t: i64) -> i64 {
        match self {
            Buckets::Fixed(g) => t.saturating_sub(t.rem_euclid(*g)),
            Buckets::Day(tz) => match DateTime::from_timestamp_micros(t) {
                Some(instant) => day_start(LocalTime::of(instant, *tz).date, *tz),
                None => t,
            },
        }
    }

    /// The start of the bucket after the one starting at `b`: arithmetic for fixed widths, one
    /// zone lookup per day for `day` (so a 23- or 25-hour day ends where the next one starts).
    fn next(&self, b: i64) -> i64 {
        match self {
            Buckets::Fixed(g) => b.saturating_add(*g),
            Buckets::Day(tz) => DateTime::from_timestamp_micros(b)
                .and_then(|instant| {
                    LocalTime::of(instant, *tz)
                        .date
                        .checked_add_days(Days::new(1))
                })
                .map(|d| day_start(d, *tz))
                .filter(|n| *n > b)
                .unwrap_or(b.saturating_add(86_400 * MICROS)),
        }
    }

    /// How many buckets from the one starting at `first` to the one starting at `last`.
    fn count(&self, first: i64, last: i64) -> u64 {
        match self {
            Buckets::Fixed(g) => {
                u64::try_from((i128::from(last) - i128::from(first)) / i128::from(*g) + 1)
                    .unwrap_or(u64::MAX)
            }
            Buckets::Day(tz) => {
                let date =
                    |t| DateTime::from_timestamp_micros(t).map(|i| LocalTime::of(i, *tz).date);
                match (date(first), date(last)) {
                    (Some(a), Some(b)) => (b - a).num_days().max(0) as u64 + 1,
                    _ => 1,
                }
            }
        }
    }
}

/// The first instant of a local calendar day (midnight, or the end of a DST gap at midnight).
fn day_start(date: NaiveDate, tz: Tz) -> i64 {
    let midnight = date.and_time(chrono::NaiveTime::MIN);
    crate::time::from_local(midnight, tz)
        .unwrap_or_else(|| midnight.and_utc())
        .timestamp_micros()
}

/// The running level of a sweep over net events, with the first instant of its maximum.
#[derive(Default)]
struct Level {
    level: i64,
    peak: i64,
    peak_at: Option<i64>,
}

impl Level {
    fn step(&mut self, (t, delta): (i64, i64)) {
        self.level += delta;
        if self.level > self.peak {
            self.peak = self.level;
            self.peak_at = Some(t);
        }
    }
}

/// One sweep over the events and the buckets together: the overall peak and the series.
fn sweep(
    occupancy: &Occupancy,
    granularity: Granularity,
    granularity_seconds: u64,
    tz: Tz,
) -> crate::Result<(Level, Vec<ConcurrencyBucket>)> {
    let mut events = occupancy.events().peekable();
    let mut level = Level::default();
    let mut out = Vec::new();
    if let (Some(&first_start), Some(last_instant)) =
        (occupancy.starts.first(), occupancy.last_instant)
    {
        let buckets = match granularity {
            Granularity::Day => Buckets::Day(tz),
            // seconds_checked has verified that this product fits.
            _ => Buckets::Fixed(granularity_seconds as i64 * MICROS),
        };
        let first = buckets.start_of(first_start);
        let last = buckets.start_of(last_instant);
        let count = buckets.count(first, last);
        if count > MAX_BUCKETS {
            return Err(Error::InvalidOption {
                option: "granularity".into(),
                reason: format!(
                    "{granularity} gives {count} buckets over this data (max {MAX_BUCKETS}); use a coarser one"
                ),
            });
        }
        out.reserve_exact(count as usize);
        let mut starts = occupancy.starts.as_slice();
        let mut b0 = first;
        while b0 <= last {
            let b1 = buckets.next(b0);
            while let Some(&event) = events.peek().filter(|(t, _)| *t <= b0) {
                level.step(event);
                events.next();
            }
            let at_start = level.level;
            let mut peak = at_start;
            let mut area: i128 = 0;
            let mut cursor = b0;
            while let Some(&event) = events.peek().filter(|(t, _)| *t < b1) {
                area += i128::from(level.level) * i128::from(event.0 - cursor);
                cursor = event.0;
                level.step(event);
                events.next();
                peak = peak.max(level.level);
            }
            area += i128::from(level.level) * i128::from(b1 - cursor);
            // a linear count: most minute buckets hold a few starts or none
            let in_bucket = starts.iter().take_while(|s| **s < b1).count();
            starts = &starts[in_bucket..];
            out.push(ConcurrencyBucket {
                timestamp: b0.div_euclid(MICROS),
                peak: peak.max(0) as u64,
                at_start: at_start.max(0) as u64,
                // the same value as `area as f64`, without the slow 128-bit conversion
                average: i64::try_from(area).map_or(area as f64, |a| a as f64) / (b1 - b0) as f64,
                starts: in_bucket as u64,
            });
            if b1 <= b0 {
                break; // the end of time: no further bucket
            }
            b0 = b1;
        }
    }
    // Ends after the last bucket lower the level only; the peak needs every event all the same.
    events.for_each(|event| level.step(event));
    Ok((level, out))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // a failed unwrap is a failed test
mod tests {
    use super::*;
    use crate::Direction;
    use crate::analytics::testing::{at, call, finished};
    use proptest::prelude::*;

    fn fin(id: &str, start: &str, secs: f64) -> CallRecord {
        finished(id, Direction::Inbound, Outcome::Answered, start, secs)
    }

    fn run(records: &[CallRecord], as_of: Option<&str>, g: Granularity, tz: &str) -> Concurrency {
        let o = AnalyticsOptions {
            as_of: as_of.map(at),
            granularity: g,
            ..Default::default()
        }
        .with_time_zone(tz)
        .unwrap();
        concurrency(records, &o).unwrap()
    }

    fn epoch(s: &str) -> i64 {
        at(s).timestamp()
    }

    #[test]
    fn back_to_back_calls_never_count_as_two() {
        // [10:00, 10:05) then [10:05, 10:10): at 10:05 the first has left.
        let r = vec![
            fin("a", "2024-01-01T10:00:00Z", 300.0),
            fin("b", "2024-01-01T10:05:00Z", 300.0),
        ];
        let c = run(&r, None, Granularity::Minute, "UTC");
        assert_eq!(c.peak, 1);
        assert_eq!(c.peak_at, Some(at("2024-01-01T10:00:00Z")));
        // as_of defaults to the latest instant, 10:10, when nothing is running
        assert_eq!(c.as_of, Some(at("2024-01-01T10:10:00Z")));
        assert_eq!(c.current, 0);
        // minutes 10:00 .. 10:09 -> 10 buckets, each exactly one call
        assert_eq!(c.series.len(), 10);
        assert!(
            c.series
                .iter()
                .all(|b| b.peak == 1 && b.at_start == 1 && b.average == 1.0)
        );
        assert_eq!(c.series[5].starts, 1);
        assert_eq!(c.series[5].timestamp, epoch("2024-01-01T10:05:00Z"));
        assert_eq!(c.series.iter().map(|b| b.starts).sum::<u64>(), 2);
    }

    #[test]
    fn same_second_overlap_and_hour_average() {
        // Three calls start at 10:00:00; lengths 30 min, 30 min, 90 min.
        let r = vec![
            fin("a", "2024-01-01T10:00:00Z", 1800.0),
            fin("b", "2024-01-01T10:00:00Z", 1800.0),
            fin("c", "2024-01-01T10:00:00Z", 5400.0),
        ];
        let c = run(&r, Some("2024-01-01T10:29:59Z"), Granularity::Hour, "UTC");
        assert_eq!(c.peak, 3);
        assert_eq!(c.peak_at, Some(at("2024-01-01T10:00:00Z")));
        assert_eq!(c.current, 3);
        assert_eq!(c.series.len(), 2);
        // hour 10: 3 calls for 30 min + 1 call for 30 min = (3*1800 + 1800) / 3600 = 2.0 erlangs
        assert_eq!(c.series[0].average, 2.0);
        assert_eq!(c.series[0].peak, 3);
        assert_eq!(c.series[0].at_start, 3);
        assert_eq!(c.series[0].starts, 3);
        // hour 11: c runs until 11:30 -> average 0.5, at start 1
        assert_eq!(
            c.series[1],
            ConcurrencyBucket {
                timestamp: epoch("2024-01-01T11:00:00Z"),
                peak: 1,
                at_start: 1,
                average: 0.5,
                starts: 0
            }
        );
    }

    #[test]
    fn active_calls_run_to_as_of_and_count_in_current() {
        // a: finished [10:00, 10:20); b: active since 10:10; c: active since 10:50 (after as_of);
        // d: no end, no duration, not active -> left out and counted.
        let a = fin("a", "2024-01-01T10:00:00Z", 1200.0);
        let b = call(
            "b",
            Direction::Inbound,
            Outcome::Active,
            "2024-01-01T10:10:00Z",
        );
        let c = call(
            "c",
            Direction::Inbound,
            Outcome::Active,
            "2024-01-01T10:50:00Z",
        );
        let d = call(
            "d",
            Direction::Inbound,
            Outcome::Answered,
            "2024-01-01T10:15:00Z",
        );
        let out = run(
            &[a, b, c, d],
            Some("2024-01-01T10:30:00Z"),
            Granularity::Hour,
            "UTC",
        );
        // at 10:30: a ended at 10:20, b is running, c starts later -> 1
        assert_eq!(out.current, 1);
        assert_eq!(out.calls_without_end, 1);
        assert_eq!(out.peak, 2); // 10:10-10:20: a and b
        assert_eq!(out.peak_at, Some(at("2024-01-01T10:10:00Z")));
        assert_eq!(out.series.len(), 1);
        // occupied: a 20 min + b 20 min (10:10-10:30) = 40 min over the full hour = 2/3
        let avg = out.series[0].average;
        assert!((avg - 2.0 / 3.0).abs() < 1e-12, "{avg}");
        // starts: a, b and c (zero-length after as_of); d is left out
        assert_eq!(out.series[0].starts, 3);

        // Default as_of: the latest instant in the data is c's start, 10:50 -> b and c current.
        let a = fin("a", "2024-01-01T10:00:00Z", 1200.0);
        let b = call(
            "b",
            Direction::Inbound,
            Outcome::Active,
            "2024-01-01T10:10:00Z",
        );
        let c = call(
            "c",
            Direction::Inbound,
            Outcome::Active,
            "2024-01-01T10:50:00Z",
        );
        let out = run(&[a, b, c], None, Granularity::Hour, "UTC");
        assert_eq!(out.as_of, Some(at("2024-01-01T10:50:00Z")));
        assert_eq!(out.current, 2);
    }

    #[test]
    fn zero_length_calls_count_only_in_starts() {
        let r = vec![
            fin("z", "2024-01-01T10:00:30Z", 0.0),
            fin("z2", "2024-01-01T10:02:00Z", 0.0),
        ];
        let c = run(&r, None, Granularity::Minute, "UTC");
        assert_eq!(c.peak, 0);
        assert_eq!(c.peak_at, None);
        // from the minute of the first start to the minute of the last: 10:00, 10:01, 10:02
        assert_eq!(c.series.len(), 3);
        assert_eq!(
            c.series.iter().map(|b| b.starts).collect::<Vec<_>>(),
            vec![1, 0, 1]
        );
        assert!(c.series.iter().all(|b| b.peak == 0 && b.average == 0.0));
    }

    #[test]
    fn empty_buckets_are_present_and_empty_input_gives_empty_series() {
        let r = vec![
            fin("a", "2024-01-01T10:00:00Z", 60.0),
            fin("b", "2024-01-01T13:30:00Z", 60.0),
        ];
        let c = run(&r, None, Granularity::Hour, "UTC");
        assert_eq!(c.series.len(), 4);
        assert_eq!(
            c.series[1],
            ConcurrencyBucket {
                timestamp: epoch("2024-01-01T11:00:00Z"),
                peak: 0,
                at_start: 0,
                average: 0.0,
                starts: 0
            }
        );
        // the first bucket: one call for 60 s of 3600 s
        assert_eq!(c.series[0].average, 60.0 / 3600.0);
        let e = run(&[], None, Granularity::Hour, "UTC");
        assert_eq!((e.current, e.peak, e.peak_at, e.as_of), (0, 0, None, None));
        assert!(e.series.is_empty());
        assert_eq!(e.granularity_seconds, 3600);
    }

    #[test]
    fn a_call_ending_exactly_on_a_boundary_stays_in_its_bucket() {
        // [10:00, 11:00) occupies hour 10 only; the series stops there.
        let c = run(
            &[fin("a", "2024-01-01T10:00:00Z", 3600.0)],
            None,
            Granularity::Hour,
            "UTC",
        );
        assert_eq!(c.series.len(), 1);
        assert_eq!(c.series[0].average, 1.0);
    }

    #[test]
    fn custom_seconds_buckets_are_epoch_multiples() {
        // 900 s buckets: 10:07 falls in [10:00, 10:15); a 20-minute call spans 10:07-10:27.
        let c = run(
            &[fin("a", "2024-01-01T10:07:00Z", 1200.0)],
            None,
            Granularity::Seconds(900),
            "UTC",
        );
        assert_eq!(c.granularity_seconds, 900);
        let ts: Vec<i64> = c.series.iter().map(|b| b.timestamp).collect();
        assert_eq!(
            ts,
            vec![epoch("2024-01-01T10:00:00Z"), epoch("2024-01-01T10:15:00Z")]
        );
        // 8 of 15 minutes, then 12 of 15 minutes
        assert_eq!(c.series[0].average, 8.0 / 15.0);
        assert_eq!(c.series[1].average, 12.0 / 15.0);
        assert_eq!(c.series[0].at_start, 0);
        assert_eq!(c.series[1].at_start, 1);
    }

    #[test]
    fn dst_day_in_new_york_is_23_hours() {
        // 2024-03-10 in America/New_York starts 05:00Z (EST) and the next day starts 04:00Z (EDT):
        // 23 hours. One call occupies the whole local day -> average exactly 1.0 over 23 h; a
        // second call of 23 min on Mar 11 (local) gives 23 min / 24 h.
        let r = vec![
            fin("a", "2024-03-10T05:00:00Z", 23.0 * 3600.0),
            fin("b", "2024-03-11T12:00:00Z", 23.0 * 60.0),
        ];
        let c = run(&r, None, Granularity::Day, "America/New_York");
        assert_eq!(c.granularity_seconds, 86_400);
        assert_eq!(c.series.len(), 2);
        assert_eq!(c.series[0].timestamp, epoch("2024-03-10T05:00:00Z"));
        assert_eq!(c.series[1].timestamp, epoch("2024-03-11T04:00:00Z"));
        assert_eq!(c.series[0].average, 1.0);
        assert_eq!(c.series[0].at_start, 1);
        assert_eq!(c.series[1].average, 23.0 * 60.0 / 86_400.0);
        assert_eq!(c.series[1].at_start, 0); // a left at 04:00Z, the boundary
    }

    #[test]
    fn dst_day_in_berlin_is_25_hours() {
        // 2024-10-27 in Europe/Berlin runs 2024-10-26T22:00Z (CEST) to 2024-10-27T23:00Z (CET): 25 h.
        // A 5-hour call inside it: average 5 / 25 = 0.2.
        let r = vec![fin("a", "2024-10-27T01:00:00Z", 5.0 * 3600.0)];
        let c = run(&r, None, Granularity::Day, "Europe/Berlin");
        assert_eq!(c.series.len(), 1);
        assert_eq!(c.series[0].timestamp, epoch("2024-10-26T22:00:00Z"));
        assert_eq!(c.series[0].average, 0.2);
        // By UTC day the same call is 5 / 24.
        let c = run(&r, None, Granularity::Day, "UTC");
        assert_eq!(c.series[0].timestamp, epoch("2024-10-27T00:00:00Z"));
        assert_eq!(c.series[0].average, 5.0 / 24.0);
    }

    #[test]
    fn too_many_buckets_is_an_error_not_an_allocation() {
        // one call spanning ~100 days at 1 s buckets = 8.6 M buckets
        let r = vec![fin("a", "2024-01-01T00:00:00Z", 100.0 * 86_400.0)];
        let o = AnalyticsOptions {
            granularity: Granularity::Seconds(1),
            ..Default::default()
        };
        assert!(matches!(
            concurrency(&r, &o),
            Err(Error::InvalidOption { .. })
        ));
    }

    #[test]
    fn granularity_words() {
        assert_eq!(
            "minute".parse::<Granularity>().unwrap(),
            Granularity::Minute
        );
        assert_eq!("DAY".parse::<Granularity>().unwrap(), Granularity::Day);
        assert_eq!(
            "900".parse::<Granularity>().unwrap(),
            Granularity::Seconds(900)
        );
        assert!("0".parse::<Granularity>().is_err());
        assert!("weekly".parse::<Granularity>().is_err());
        assert_eq!(
            serde_json::to_string(&Granularity::Hour).unwrap(),
            "\"hour\""
        );
        assert_eq!(
            serde_json::to_string(&Granularity::Seconds(30)).unwrap(),
            "30"
        );
        assert_eq!(
            serde_json::from_str::<Granularity>("\"900\"").unwrap(),
            Granularity::Seconds(900)
        );
        assert!(serde_json::from_str::<Granularity>("0").is_err());
    }

    /// Calls with whole-second starts and lengths within two hours of 10:00.
    fn arb_calls() -> impl Strategy<Value = Vec<CallRecord>> {
        proptest::collection::vec((0i64..7200, 0u32..1800, 0u8..6), 0..40).prop_map(|v| {
            v.into_iter()
                .enumerate()
                .map(|(i, (start, len, kind))| {
                    let mut r = fin(&i.to_string(), "2024-01-01T10:00:00Z", f64::from(len));
                    r.started_at += chrono::Duration::seconds(start);
                    r.ended_at = r
                        .started_at
                        .checked_add_signed(chrono::Duration::seconds(i64::from(len)));
                    match kind {
                        0 => {
                            r.outcome = Outcome::Active;
                            r.ended_at = None;
                        }
                        1 => r.ended_at = None, // end from the duration
                        2 => {
                            r.ended_at = None;
                            r.duration_s = None; // left out
                        }
                        _ => {}
                    }
                    r
                })
                .collect()
        })
    }

    proptest! {
        #[test]
        fn never_negative_returns_to_zero_and_matches_a_brute_force_count(records in arb_calls(), as_of in 0i64..9000) {
            let now = at("2024-01-01T10:00:00Z") + chrono::Duration::seconds(as_of);
            let o = AnalyticsOptions { as_of: Some(now), granularity: Granularity::Minute, ..Default::default() };
            let c = concurrency(&records, &o).unwrap();
            // intervals as the module reads them, in whole seconds
            let mut iv: Vec<(i64, i64)> = Vec::new();
            for r in &records {
                let s = r.started_at.timestamp();
                if r.outcome == Outcome::Active { iv.push((s, now.timestamp().max(s))); }
                else if let Some(e) = r.effective_end() { iv.push((s, e.timestamp())); }
            }
            let events: Vec<(i64, i64)> = Occupancy::new(&iv, &[], None).events().collect();
            let mut level = 0;
            for (_, d) in &events { level += d; prop_assert!(level >= 0); }
            prop_assert_eq!(level, 0);
            // brute force per second: level on [t, t+1)
            let at_sec = |t: i64| iv.iter().filter(|(s, e)| *s <= t && t < *e).count() as u64;
            for b in &c.series {
                let secs: Vec<u64> = (b.timestamp..b.timestamp + 60).map(at_sec).collect();
                prop_assert_eq!(b.at_start, secs[0]);
                prop_assert_eq!(b.peak, *secs.iter().max().unwrap());
                let mean = secs.iter().sum::<u64>() as f64 / 60.0;
                prop_assert!((b.average - mean).abs() < 1e-9);
                prop_assert_eq!(b.starts, iv.iter().filter(|(s, _)| *s >= b.timestamp && *s < b.timestamp + 60).count() as u64);
            }
            let overall = (0..10_000).map(|k| at_sec(at("2024-01-01T10:00:00Z").timestamp() + k)).max().unwrap_or(0);
            prop_assert_eq!(c.peak, overall);
            prop_assert_eq!(c.series.iter().map(|b| b.peak).max().unwrap_or(0), c.peak);
            // traffic is conserved: the buckets' erlang-seconds add up to the occupied seconds
            let occupied: i64 = iv.iter().map(|(s, e)| e - s).sum();
            let traffic: f64 = c.series.iter().map(|b| b.average * 60.0).sum();
            prop_assert!((traffic - occupied as f64).abs() < 1e-6);
        }

        #[test]
        fn merge_over_any_split_equals_the_whole(records in arb_calls(), cut in 0usize..40) {
            let o = AnalyticsOptions { granularity: Granularity::Seconds(300), ..Default::default() };
            let whole = concurrency(&records, &o).unwrap();
            let cut = cut.min(records.len());
            let part = |rs: &[CallRecord]| { let mut p = ConcurrencyPartial::new(); rs.iter().for_each(|r| p.add(r)); p };
            let merged = part(&records[cut..]).merge(part(&records[..cut]));
            prop_assert_eq!(merged.finish(None, o.granularity, o.time_zone).unwrap(), whole.clone());
            let back: ConcurrencyPartial = serde_json::from_str(&serde_json::to_string(&part(&records)).unwrap()).unwrap();
            prop_assert_eq!(back.finish(None, o.granularity, o.time_zone).unwrap(), whole);
        }
    }

    /// The bucket starts (UTC epoch microseconds) from the bucket of `first` to the bucket of
    /// `last`, worked out the plain way: epoch multiples, or every local midnight in `tz`
    /// (the zones tested have no gap at midnight; an ambiguous midnight is its earlier instant).
    fn reference_buckets(first: i64, last: i64, g: Granularity, tz: Tz) -> Vec<(i64, i64)> {
        use chrono::TimeZone;
        let mut out = Vec::new();
        if let Granularity::Day = g {
            let day = |t: i64| {
                DateTime::from_timestamp_micros(t)
                    .unwrap()
                    .with_timezone(&tz)
                    .date_naive()
            };
            let midnight = |d: NaiveDate| {
                tz.from_local_datetime(&d.and_hms_opt(0, 0, 0).unwrap())
                    .earliest()
                    .unwrap()
                    .timestamp_micros()
            };
            let mut d = day(first);
            while d <= day(last) {
                let next = d.succ_opt().unwrap();
                out.push((midnight(d), midnight(next)));
                d = next;
            }
        } else {
            let w = g.seconds() as i64 * MICROS;
            let mut b = first.div_euclid(w) * w;
            while b <= last {
                out.push((b, b + w));
                b += w;
            }
        }
        out
    }

    /// SPEC 4.5 by brute force: every bucket looks at every interval.
    fn reference(
        records: &[CallRecord],
        as_of: Option<DateTime<Utc>>,
        g: Granularity,
        tz: Tz,
    ) -> Concurrency {
        let us = |t: DateTime<Utc>| t.timestamp_micros();
        let latest = records
            .iter()
            .flat_map(|r| {
                let end = if r.outcome == Outcome::Active {
                    r.ended_at
                } else {
                    r.effective_end()
                };
                [Some(r.started_at), r.answered_at, end]
            })
            .flatten()
            .max();
        let now = as_of.or(latest).map(us);
        let mut iv: Vec<(i64, i64)> = Vec::new();
        let mut without_end = 0;
        let mut current = 0;
        for r in records {
            let s = us(r.started_at);
            let end = r.ended_at.or(if r.outcome == Outcome::Active {
                None
            } else {
                r.effective_end()
            });
            match (end, now) {
                (Some(e), _) => {
                    let e = us(e).max(s);
                    current += u64::from(now.is_some_and(|n| s <= n && n < e));
                    iv.push((s, e));
                }
                (None, Some(n)) if r.outcome == Outcome::Active => {
                    current += u64::from(s <= n);
                    iv.push((s, n.max(s)));
                }
                (None, _) if r.outcome == Outcome::Active => {}
                (None, _) => without_end += 1,
            }
        }
        let level = |t: i64| iv.iter().filter(|(s, e)| *s <= t && t < *e).count() as u64;
        // The level only rises at a start: the peak is at a start instant.
        let mut candidates: Vec<i64> = iv.iter().map(|(s, _)| *s).collect();
        candidates.sort_unstable();
        let peak = candidates.iter().map(|t| level(*t)).max().unwrap_or(0);
        let peak_at = candidates
            .iter()
            .find(|t| peak > 0 && level(**t) == peak)
            .map(|t| DateTime::from_timestamp_micros(*t).unwrap());
        let mut series = Vec::new();
        if let Some(first) = iv.iter().map(|(s, _)| *s).min() {
            let last = iv
                .iter()
                .map(|(s, e)| if e > s { e - 1 } else { *s })
                .max()
                .unwrap();
            for (b0, b1) in reference_buckets(first, last, g, tz) {
                let in_bucket: Vec<i64> = iv
                    .iter()
                    .map(|(s, _)| *s)
                    .filter(|s| (b0..b1).contains(s))
                    .collect();
                let area: i128 = iv
                    .iter()
                    .map(|(s, e)| i128::from((*e).min(b1) - (*s).max(b0)).max(0))
                    .sum();
                series.push(ConcurrencyBucket {
                    timestamp: b0.div_euclid(MICROS),
                    peak: in_bucket
                        .iter()
                        .map(|t| level(*t))
                        .fold(level(b0), u64::max),
                    at_start: level(b0),
                    // the same value as `area as f64`, without the slow 128-bit conversion
                    average: i64::try_from(area).map_or(area as f64, |a| a as f64)
                        / (b1 - b0) as f64,
                    starts: in_bucket.len() as u64,
                });
            }
        }
        Concurrency {
            current,
            peak,
            peak_at,
            as_of: now.and_then(DateTime::from_timestamp_micros),
            granularity_seconds: g.seconds(),
            series,
            calls_without_end: without_end,
        }
    }

    /// Calls over three days around a DST change (America/New_York springs forward on
    /// 2026-03-08 and falls back on 2026-11-01), many of them starting or ending exactly on a
    /// minute, quarter-hour, hour or local-midnight boundary.
    fn arb_dst_calls() -> impl Strategy<Value = (usize, Vec<CallRecord>)> {
        let call = (
            0i64..3 * 86_400,
            prop_oneof![Just(1i64), Just(60), Just(900), Just(3600)],
            0i64..36 * 3600,
            prop_oneof![Just(1i64), Just(60), Just(3600)],
            0u8..8,
        );
        (0usize..2, proptest::collection::vec(call, 0..30)).prop_map(|(window, v)| {
            // Local midnight in New York before the change, as a UTC instant.
            let base = ["2026-03-07T05:00:00Z", "2026-10-31T04:00:00Z"][window];
            let records = v
                .into_iter()
                .enumerate()
                .map(|(i, (start, align, len, len_align, kind))| {
                    let start = start - start % align;
                    let len = if kind == 7 { 0 } else { len - len % len_align };
                    let mut r = fin(&i.to_string(), base, len as f64);
                    r.started_at += chrono::Duration::seconds(start);
                    r.ended_at = Some(r.started_at + chrono::Duration::seconds(len));
                    match kind {
                        0 => {
                            r.outcome = Outcome::Active;
                            r.ended_at = None;
                        }
                        1 => r.ended_at = None, // end from the duration
                        2 => {
                            r.ended_at = None;
                            r.duration_s = None; // left out
                        }
                        3 => {
                            // an end before the start (lenient data): occupies nothing
                            r.ended_at = Some(r.started_at - chrono::Duration::seconds(len));
                        }
                        _ => {}
                    }
                    r
                })
                .collect();
            (window, records)
        })
    }

    proptest! {
        #[test]
        fn equals_a_brute_force_reference_across_dst_and_on_boundaries(
            (window, records) in arb_dst_calls(),
            as_of in proptest::option::of(0i64..4 * 86_400),
            g in prop_oneof![
                Just(Granularity::Minute),
                Just(Granularity::Hour),
                Just(Granularity::Day),
                Just(Granularity::Seconds(900)),
                Just(Granularity::Seconds(7)),
            ],
            zone in prop_oneof![Just("America/New_York"), Just("Europe/Berlin"), Just("UTC"), Just("Australia/Lord_Howe")],
        ) {
            let base = ["2026-03-07T05:00:00Z", "2026-10-31T04:00:00Z"][window];
            let as_of = as_of.map(|s| at(base) + chrono::Duration::seconds(s));
            let o = AnalyticsOptions { as_of, granularity: g, ..Default::default() }
                .with_time_zone(zone)
                .unwrap();
            let tz = o.time_zone;
            prop_assert_eq!(concurrency(&records, &o).unwrap(), reference(&records, as_of, g, tz));
        }

        #[test]
        fn long_lists_sort_like_the_standard_sort(
            v in prop_oneof![
                // whole seconds, whole milliseconds, then anything
                proptest::collection::vec((1_772_409_600i64..1_773_619_200).prop_map(|s| s * MICROS), RADIX_MIN_LEN..RADIX_MIN_LEN + 300),
                proptest::collection::vec((-1_000_000i64..1_000_000).prop_map(|ms| ms * 1000), RADIX_MIN_LEN..RADIX_MIN_LEN + 300),
                proptest::collection::vec(
                    prop_oneof![any::<i64>(), -5i64..5, 1_772_409_600_000_000i64..1_773_619_200_000_000],
                    RADIX_MIN_LEN..RADIX_MIN_LEN + 300,
                ),
            ],
        ) {
            let mut expected = v.clone();
            expected.sort_unstable();
            prop_assert_eq!(sort_instants(v), expected);
        }
    }

    #[test]
    fn radix_sort_handles_the_whole_i64_range() {
        let v: Vec<i64> = (0..RADIX_MIN_LEN as i64 * 2)
            .map(|i| match i % 4 {
                0 => i64::MIN + i,
                1 => i64::MAX - i,
                2 => -i,
                _ => i * 1_000_003,
            })
            .collect();
        let mut expected = v.clone();
        expected.sort_unstable();
        assert_eq!(sort_instants(v), expected);
    }
}
