//! The summary of SPEC 4.1: counts by outcome and direction, answer rate, durations and their
//! percentiles, and calls per local day, hour and weekday-hour.

use super::{
    AnalyticsOptions, LocalTime, Partial, build, date_key, mean_seconds, micros, rate, seconds,
};
use crate::model::Vocabulary;
use crate::{CallRecord, Direction, Outcome, Provider};
use chrono::NaiveDate;
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::marker::PhantomData;

/// SPEC 4.1 summary. Rates are 0-1 fractions, `None` (JSON null) over an empty set.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Summary {
    /// All selected records.
    pub total_calls: u64,
    /// Inbound calls.
    pub inbound_calls: u64,
    /// Outbound calls.
    pub outbound_calls: u64,
    /// Outcome `answered`.
    pub answered_calls: u64,
    /// Outcome in `missed`, `unanswered`, `busy`, `canceled`.
    pub missed_calls: u64,
    /// Outcome `voicemail`.
    pub voicemail_calls: u64,
    /// Outcome `failed`.
    pub failed_calls: u64,
    /// Outcome `active`.
    pub active_calls: u64,
    /// answered / (total - active).
    pub answer_rate: Option<f64>,
    /// Sum of `duration_s`, seconds.
    pub total_duration: f64,
    /// totalDuration / calls with a duration.
    pub average_duration: Option<f64>,
    /// Sum of `talk_s` over all calls, seconds.
    pub total_talk_time: f64,
    /// Mean `talk_s` of answered calls that have one.
    pub average_talk_time: Option<f64>,
    /// Nearest-rank percentiles of `duration_s` over calls with a duration.
    pub duration_percentiles: Percentiles,
    /// Calls per local calendar day `YYYY-MM-DD` (days with calls only).
    pub calls_by_day: BTreeMap<String, u64>,
    /// Calls per local hour, keys `"0"` to `"23"`, all present.
    pub calls_by_hour: BTreeMap<u8, u64>,
    /// 7 rows (Monday first) of 24 local-hour counts.
    pub calls_by_weekday_hour: Vec<Vec<u64>>,
    /// Calls per outcome, every outcome present.
    pub calls_by_outcome: BTreeMap<Outcome, u64>,
    /// Calls per direction, every direction present.
    pub calls_by_direction: BTreeMap<Direction, u64>,
    /// Calls per provider, every provider present.
    pub calls_by_provider: BTreeMap<Provider, u64>,
}

/// p50, p90, p95 and p99 by nearest rank; `None` when no call has a duration.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Percentiles {
    /// Median.
    pub p50: Option<f64>,
    /// 90th percentile.
    pub p90: Option<f64>,
    /// 95th percentile.
    pub p95: Option<f64>,
    /// 99th percentile.
    pub p99: Option<f64>,
}

/// The value at position ceil(p/100 x n) (1-based) of an ascending list; `None` when empty.
/// Integer arithmetic, so p = 90 of 10 values is exactly position 9.
pub fn nearest_rank(sorted: &[f64], p: u32) -> Option<f64> {
    let n = sorted.len() as u64;
    let rank = (u64::from(p) * n).div_ceil(100).clamp(1, n.max(1));
    sorted.get(usize::try_from(rank - 1).ok()?).copied()
}

/// Mergeable state of [`Summary`]. Keeps every duration (as counts per whole second, and the
/// other values themselves) so percentiles stay exact.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SummaryPartial {
    #[serde(with = "super::tz_name")]
    time_zone: Tz,
    by_outcome: Tally<Outcome, { Outcome::ALL.len() }>,
    by_direction: Tally<Direction, { Direction::ALL.len() }>,
    by_provider: Tally<Provider, { Provider::ALL.len() }>,
    duration_sum_us: i128,
    talk_sum_us: i128,
    answered_talk_sum_us: i128,
    answered_talk_count: u64,
    durations: Durations,
    /// Serialized with `YYYY-MM-DD` keys, as the summary writes them.
    by_day: BTreeMap<NaiveDate, u64>,
    by_weekday_hour: [[u64; 24]; 7],
}

impl SummaryPartial {
    /// An empty partial for these options.
    pub fn new(options: &AnalyticsOptions) -> Self {
        SummaryPartial {
            time_zone: options.time_zone,
            by_outcome: Tally::default(),
            by_direction: Tally::default(),
            by_provider: Tally::default(),
            duration_sum_us: 0,
            talk_sum_us: 0,
            answered_talk_sum_us: 0,
            answered_talk_count: 0,
            durations: Durations::default(),
            by_day: BTreeMap::new(),
            by_weekday_hour: [[0; 24]; 7],
        }
    }

    /// The summary.
    pub fn finish(self) -> Summary {
        let outcomes = &self.by_outcome;
        let total = outcomes.total();
        let active = outcomes.get(Outcome::Active);
        let answered = outcomes.get(Outcome::Answered);
        let missed = Outcome::ALL
            .iter()
            .filter(|o| o.is_missed_set())
            .map(|o| outcomes.get(*o))
            .sum();
        let mut calls_by_hour = BTreeMap::new();
        for hour in 0..24u8 {
            let n = self
                .by_weekday_hour
                .iter()
                .map(|row| row[usize::from(hour)])
                .sum();
            calls_by_hour.insert(hour, n);
        }
        let (with_duration, [p50, p90, p95, p99]) = self.durations.ranks([50, 90, 95, 99]);
        Summary {
            total_calls: total,
            inbound_calls: self.by_direction.get(Direction::Inbound),
            outbound_calls: self.by_direction.get(Direction::Outbound),
            answered_calls: answered,
            missed_calls: missed,
            voicemail_calls: outcomes.get(Outcome::Voicemail),
            failed_calls: outcomes.get(Outcome::Failed),
            active_calls: active,
            answer_rate: rate(answered, total.saturating_sub(active)),
            total_duration: seconds(self.duration_sum_us),
            average_duration: mean_seconds(self.duration_sum_us, with_duration),
            total_talk_time: seconds(self.talk_sum_us),
            average_talk_time: mean_seconds(self.answered_talk_sum_us, self.answered_talk_count),
            duration_percentiles: Percentiles { p50, p90, p95, p99 },
            calls_by_day: self
                .by_day
                .into_iter()
                .map(|(day, n)| (date_key(day), n))
                .collect(),
            calls_by_hour,
            calls_by_weekday_hour: self
                .by_weekday_hour
                .iter()
                .map(|row| row.to_vec())
                .collect(),
            calls_by_outcome: self.by_outcome.to_map(),
            calls_by_direction: self.by_direction.to_map(),
            calls_by_provider: self.by_provider.to_map(),
        }
    }
}

impl Partial for SummaryPartial {
    fn add(&mut self, r: &CallRecord) {
        self.by_outcome.add(r.outcome, 1);
        self.by_direction.add(r.direction, 1);
        self.by_provider.add(r.provider, 1);
        if let Some(d) = micros(r.duration_s) {
            self.duration_sum_us += d;
            // Percentiles report the microsecond-exact value too, so merge order cannot matter.
            self.durations.add(d);
        }
        if let Some(t) = micros(r.talk_s) {
            self.talk_sum_us += t;
            if r.outcome == Outcome::Answered {
                self.answered_talk_sum_us += t;
                self.answered_talk_count += 1;
            }
        }
        let local = LocalTime::of(r.started_at, self.time_zone);
        *self.by_day.entry(local.date).or_default() += 1;
        if let Some(cell) = self
            .by_weekday_hour
            .get_mut(local.weekday)
            .and_then(|row| row.get_mut(local.hour as usize))
        {
            *cell += 1;
        }
    }

    fn merge(mut self, other: Self) -> Self {
        self.by_outcome.merge(&other.by_outcome);
        self.by_direction.merge(&other.by_direction);
        self.by_provider.merge(&other.by_provider);
        for (k, v) in other.by_day {
            *self.by_day.entry(k).or_default() += v;
        }
        for (row, other_row) in self.by_weekday_hour.iter_mut().zip(other.by_weekday_hour) {
            for (cell, v) in row.iter_mut().zip(other_row) {
                *cell += v;
            }
        }
        self.duration_sum_us += other.duration_sum_us;
        self.talk_sum_us += other.talk_sum_us;
        self.answered_talk_sum_us += other.answered_talk_sum_us;
        self.answered_talk_count += other.answered_talk_count;
        self.durations.merge(other.durations);
        self
    }
}

/// Counts by value of a closed vocabulary, each at the value's [`Vocabulary::index`] (an
/// array step instead of a map lookup a call). Serialized as a map from every value to its
/// count, as the summary writes them.
#[derive(Debug, Clone, PartialEq)]
struct Tally<T, const N: usize> {
    counts: [u64; N],
    of: PhantomData<T>,
}

impl<T: Vocabulary, const N: usize> Default for Tally<T, N> {
    fn default() -> Self {
        Tally {
            counts: [0; N],
            of: PhantomData,
        }
    }
}

impl<T: Vocabulary, const N: usize> Tally<T, N> {
    fn add(&mut self, value: T, n: u64) {
        // `N` is `T::ALL.len()`: every index is in range
        if let Some(count) = self.counts.get_mut(value.index()) {
            *count += n;
        }
    }

    fn get(&self, value: T) -> u64 {
        self.counts.get(value.index()).copied().unwrap_or(0)
    }

    fn total(&self) -> u64 {
        self.counts.iter().sum()
    }

    fn merge(&mut self, other: &Self) {
        for (count, n) in self.counts.iter_mut().zip(other.counts) {
            *count += n;
        }
    }

    /// Every value with its count.
    fn to_map(&self) -> BTreeMap<T, u64> {
        T::ALL.iter().map(|v| (*v, self.get(*v))).collect()
    }
}

impl<T: Vocabulary + Serialize, const N: usize> Serialize for Tally<T, N> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.to_map().serialize(serializer)
    }
}

impl<'de, T: Vocabulary + Deserialize<'de>, const N: usize> Deserialize<'de> for Tally<T, N> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let mut tally = Tally::default();
        for (value, n) in BTreeMap::<T, u64>::deserialize(deserializer)? {
            tally.add(value, n);
        }
        Ok(tally)
    }
}

/// Whole seconds below this are counted per second; other durations are kept as values.
const WHOLE_SECONDS: usize = 1 << 14;

/// Every duration of a summary, exactly, in memory that does not grow with the calls where
/// the source gives whole seconds (Twilio and JustCall do): a count per whole second below
/// [`WHOLE_SECONDS`] (about 4.5 hours), and the other values themselves.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "DurationsForm", into = "DurationsForm")]
struct Durations {
    /// Calls lasting `i` whole seconds at `i`, grown to the longest such call.
    whole: Vec<u64>,
    /// Durations that are not a whole number of seconds below [`WHOLE_SECONDS`], in arrival
    /// order.
    other: Vec<f64>,
}

impl Durations {
    /// A duration of `us` microseconds (never negative: [`micros`] gives none).
    fn add(&mut self, us: i128) {
        let second = usize::try_from(us / 1_000_000).ok();
        match second.filter(|s| us % 1_000_000 == 0 && *s < WHOLE_SECONDS) {
            Some(s) => self.add_whole(s, 1),
            None => self.other.push(seconds(us)),
        }
    }

    /// `n` calls of `second` whole seconds (below [`WHOLE_SECONDS`]).
    fn add_whole(&mut self, second: usize, n: u64) {
        if self.whole.len() <= second {
            self.whole.resize(second + 1, 0);
        }
        if let Some(count) = self.whole.get_mut(second) {
            *count += n;
        }
    }

    fn merge(&mut self, other: Durations) {
        if self.whole.len() < other.whole.len() {
            self.whole.resize(other.whole.len(), 0);
        }
        for (n, m) in self.whole.iter_mut().zip(other.whole) {
            *n += m;
        }
        self.other.extend(other.other);
    }

    /// How many durations there are, and the value at each nearest rank `p` (SPEC 4.1: the
    /// value at position ceil(p/100 x n) of the ascending list; `p` ascending), `None` when
    /// there are none. The list is walked as the merge of the whole seconds and the other
    /// values sorted: a value below a whole second comes before it.
    fn ranks<const K: usize>(mut self, p: [u32; K]) -> (u64, [Option<f64>; K]) {
        // values equal under `total_cmp` have the same bits: an unstable sort gives one list
        #[cfg(feature = "parallel")]
        {
            use rayon::slice::ParallelSliceMut;
            self.other.par_sort_unstable_by(f64::total_cmp);
        }
        #[cfg(not(feature = "parallel"))]
        self.other.sort_unstable_by(f64::total_cmp);
        let n = self.whole.iter().sum::<u64>() + self.other.len() as u64;
        let mut found = [None; K];
        if n == 0 {
            return (n, found);
        }
        let ranks = p.map(|p| (u64::from(p) * n).div_ceil(100).clamp(1, n));
        let mut next = 0;
        let mut seen = 0u64;
        // `count` more values equal to `value` follow the `seen` before them
        let mut pass = |value: f64, count: u64, next: &mut usize| {
            seen += count;
            while ranks.get(*next).is_some_and(|rank| *rank <= seen) {
                if let Some(slot) = found.get_mut(*next) {
                    *slot = Some(value);
                }
                *next += 1;
            }
        };
        let mut other = self.other.iter().copied().peekable();
        for (second, count) in self.whole.iter().enumerate() {
            if *count == 0 {
                continue;
            }
            let value = second as f64;
            while let Some(x) = other.next_if(|x| x.total_cmp(&value).is_lt()) {
                pass(x, 1, &mut next);
            }
            pass(value, *count, &mut next);
        }
        for x in other {
            pass(x, 1, &mut next);
        }
        (n, found)
    }
}

/// How [`Durations`] serialize: the whole seconds as `[second, count]` pairs (those with
/// calls), and the other values.
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct DurationsForm {
    whole_seconds: Vec<(u32, u64)>,
    other: Vec<f64>,
}

impl From<Durations> for DurationsForm {
    fn from(d: Durations) -> Self {
        DurationsForm {
            whole_seconds: (0u32..).zip(d.whole).filter(|(_, n)| *n > 0).collect(),
            other: d.other,
        }
    }
}

impl TryFrom<DurationsForm> for Durations {
    type Error = String;

    fn try_from(form: DurationsForm) -> Result<Self, String> {
        let mut d = Durations {
            whole: Vec::new(),
            other: form.other,
        };
        for (second, n) in form.whole_seconds {
            let s = usize::try_from(second)
                .ok()
                .filter(|s| *s < WHOLE_SECONDS)
                .ok_or_else(|| format!("whole second {second} is not below {WHOLE_SECONDS}"))?;
            d.add_whole(s, n);
        }
        Ok(d)
    }
}

/// The SPEC 4.1 summary of the records `options` selects.
pub fn summary(records: &[CallRecord], options: &AnalyticsOptions) -> Summary {
    build(records, options, || SummaryPartial::new(options)).finish()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // a failed unwrap is a failed test
mod tests {
    use super::*;
    use crate::analytics::testing::{call, finished};
    use proptest::prelude::*;

    #[test]
    fn nearest_rank_positions() {
        let v: Vec<f64> = (1..=10).map(f64::from).collect();
        // n = 10: p50 -> ceil(5) = 5th = 5; p90 -> 9th = 9; p95 -> ceil(9.5) = 10th; p99 -> ceil(9.9) = 10th.
        assert_eq!(nearest_rank(&v, 50), Some(5.0));
        assert_eq!(nearest_rank(&v, 90), Some(9.0));
        assert_eq!(nearest_rank(&v, 95), Some(10.0));
        assert_eq!(nearest_rank(&v, 99), Some(10.0));
        // n = 1: every percentile is the only value; p = 0 clamps to the first.
        assert_eq!(nearest_rank(&[7.0], 99), Some(7.0));
        assert_eq!(nearest_rank(&v, 0), Some(1.0));
        assert_eq!(nearest_rank(&[], 50), None);
        // n = 3 [10, 20, 30]: p50 -> ceil(1.5) = 2nd = 20; p90 -> ceil(2.7) = 3rd = 30.
        assert_eq!(nearest_rank(&[10.0, 20.0, 30.0], 50), Some(20.0));
        assert_eq!(nearest_rank(&[10.0, 20.0, 30.0], 90), Some(30.0));
    }

    fn day() -> Vec<CallRecord> {
        use Direction::*;
        use Outcome::*;
        let mut a = finished("a", Inbound, Answered, "2024-01-01T09:00:00Z", 100.0);
        a.talk_s = Some(90.0);
        let mut b = finished("b", Outbound, Answered, "2024-01-01T09:30:00Z", 50.0);
        b.talk_s = Some(40.0);
        let c = finished("c", Inbound, Missed, "2024-01-01T23:30:00Z", 30.0);
        let mut d = finished("d", Inbound, Voicemail, "2024-01-02T01:00:00Z", 60.0);
        d.talk_s = Some(20.0); // a voicemail can have talk time
        let e = call("e", Inbound, Active, "2024-01-02T02:00:00Z");
        let mut f = call("f", Outbound, Busy, "2024-01-02T03:00:00Z");
        f.provider = Provider::Twilio;
        vec![a, b, c, d, e, f]
    }

    #[test]
    fn a_small_day_by_hand() {
        let s = summary(&day(), &AnalyticsOptions::default());
        assert_eq!(s.total_calls, 6);
        assert_eq!(s.inbound_calls, 4);
        assert_eq!(s.outbound_calls, 2);
        assert_eq!(s.answered_calls, 2);
        assert_eq!(s.missed_calls, 2); // missed c + busy f
        assert_eq!(s.voicemail_calls, 1);
        assert_eq!(s.failed_calls, 0);
        assert_eq!(s.active_calls, 1);
        // answered / (total - active) = 2 / 5
        assert_eq!(s.answer_rate, Some(0.4));
        // durations 100 + 50 + 30 + 60 = 240 over 4 calls = 60
        assert_eq!(s.total_duration, 240.0);
        assert_eq!(s.average_duration, Some(60.0));
        // talk over all calls 90 + 40 + 20 = 150; answered only (90 + 40) / 2 = 65
        assert_eq!(s.total_talk_time, 150.0);
        assert_eq!(s.average_talk_time, Some(65.0));
        // sorted [30, 50, 60, 100]: p50 -> 2nd = 50; p90 -> ceil(3.6) = 4th = 100
        assert_eq!(s.duration_percentiles.p50, Some(50.0));
        assert_eq!(s.duration_percentiles.p90, Some(100.0));
        assert_eq!(s.duration_percentiles.p99, Some(100.0));
        assert_eq!(s.calls_by_day.get("2024-01-01"), Some(&3));
        assert_eq!(s.calls_by_day.get("2024-01-02"), Some(&3));
        assert_eq!(s.calls_by_hour.len(), 24);
        assert_eq!(s.calls_by_hour[&9], 2);
        assert_eq!(s.calls_by_hour[&23], 1);
        assert_eq!(s.calls_by_hour[&4], 0);
        // 2024-01-01 is a Monday: row 0; 2024-01-02 Tuesday: row 1.
        assert_eq!(s.calls_by_weekday_hour[0][9], 2);
        assert_eq!(s.calls_by_weekday_hour[1][1], 1);
        assert_eq!(s.calls_by_outcome[&Outcome::Busy], 1);
        assert_eq!(s.calls_by_outcome[&Outcome::Failed], 0);
        assert_eq!(s.calls_by_provider[&Provider::Twilio], 1);
        assert_eq!(s.calls_by_provider[&Provider::Generic], 5);
    }

    #[test]
    fn time_zone_moves_day_and_hour_boundaries() {
        // In Europe/Berlin (UTC+1 in January) 23:30Z on Jan 1 is 00:30 on Jan 2, and 09:00Z is 10:00.
        let o = AnalyticsOptions::default()
            .with_time_zone("Europe/Berlin")
            .unwrap();
        let s = summary(&day(), &o);
        assert_eq!(s.calls_by_day.get("2024-01-01"), Some(&2));
        assert_eq!(s.calls_by_day.get("2024-01-02"), Some(&4));
        assert_eq!(s.calls_by_hour[&10], 2);
        assert_eq!(s.calls_by_hour[&0], 1);
        assert_eq!(s.calls_by_hour[&23], 0);
        // Tuesday 00:30 local
        assert_eq!(s.calls_by_weekday_hour[1][0], 1);
        // In America/Los_Angeles (UTC-8) 01:00Z Jan 2 is 17:00 Monday Jan 1: 5 calls on Jan 1.
        let o = AnalyticsOptions::default()
            .with_time_zone("America/Los_Angeles")
            .unwrap();
        let s = summary(&day(), &o);
        assert_eq!(s.calls_by_day.get("2024-01-01"), Some(&6));
        assert_eq!(s.calls_by_day.len(), 1);
    }

    #[test]
    fn local_hours_across_dst_in_new_york() {
        use Direction::Inbound;
        use Outcome::Answered;
        // Spring forward 2024-03-10: 06:30Z = 01:30 EST, 07:30Z = 03:30 EDT (no 02:xx hour).
        // Fall back 2024-11-03: 05:30Z = 01:30 EDT and 06:30Z = 01:30 EST: hour 1 twice.
        let records = vec![
            call("a", Inbound, Answered, "2024-03-10T06:30:00Z"),
            call("b", Inbound, Answered, "2024-03-10T07:30:00Z"),
            call("c", Inbound, Answered, "2024-11-03T05:30:00Z"),
            call("d", Inbound, Answered, "2024-11-03T06:30:00Z"),
            // 04:30Z on Mar 10 is 23:30 EST on Mar 9 (a Saturday: weekday row 5)
            call("e", Inbound, Answered, "2024-03-10T04:30:00Z"),
        ];
        let o = AnalyticsOptions::default()
            .with_time_zone("America/New_York")
            .unwrap();
        let s = summary(&records, &o);
        assert_eq!(s.calls_by_hour[&1], 3);
        assert_eq!(s.calls_by_hour[&2], 0);
        assert_eq!(s.calls_by_hour[&3], 1);
        assert_eq!(s.calls_by_hour[&23], 1);
        assert_eq!(s.calls_by_day.get("2024-03-09"), Some(&1));
        assert_eq!(s.calls_by_day.get("2024-03-10"), Some(&2));
        assert_eq!(s.calls_by_day.get("2024-11-03"), Some(&2));
        assert_eq!(s.calls_by_weekday_hour[5][23], 1);
        // Sundays (row 6): 01:xx three times, 03:xx once
        assert_eq!(s.calls_by_weekday_hour[6][1], 3);
        assert_eq!(s.calls_by_weekday_hour[6][3], 1);
    }

    #[test]
    fn empty_input_gives_null_rates_and_zero_counts() {
        let s = summary(&[], &AnalyticsOptions::default());
        assert_eq!(s.total_calls, 0);
        assert_eq!(s.answer_rate, None);
        assert_eq!(s.average_duration, None);
        assert_eq!(s.average_talk_time, None);
        assert_eq!(s.duration_percentiles.p50, None);
        let json = serde_json::to_value(&s).unwrap();
        assert!(json["answerRate"].is_null());
        let hours = json["callsByHour"].as_object().unwrap();
        let keys: Vec<&str> = hours.keys().map(String::as_str).collect();
        let expected: Vec<String> = (0..24).map(|h| h.to_string()).collect();
        assert_eq!(
            keys,
            expected.iter().map(String::as_str).collect::<Vec<_>>()
        );
        assert_eq!(json["callsByWeekdayHour"].as_array().unwrap().len(), 7);
        assert_eq!(json["callsByOutcome"]["answered"], 0);
        // results read back from their JSON
        let back: Summary = serde_json::from_value(json).unwrap();
        assert_eq!(back, s);
    }

    #[test]
    fn all_active_gives_null_answer_rate() {
        let r = call(
            "x",
            Direction::Inbound,
            Outcome::Active,
            "2024-01-01T00:00:00Z",
        );
        assert_eq!(
            summary(&[r], &AnalyticsOptions::default()).answer_rate,
            None
        );
    }

    #[test]
    fn durations_are_counted_per_whole_second_and_kept_otherwise() {
        let mut d = Durations::default();
        // 3 s, 2.5 s, 2 s, 20,000 s (past the whole-second counts), 2 s, 0 s
        for us in [
            3_000_000,
            2_500_000,
            2_000_000,
            20_000_000_000,
            2_000_000,
            0,
        ] {
            d.add(us);
        }
        assert_eq!(d.whole, vec![1, 0, 2, 1]);
        assert_eq!(d.other, vec![2.5, 20_000.0]);
        // as a partial serializes it, and back
        let json = serde_json::to_value(&d).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"wholeSeconds": [[0, 1], [2, 2], [3, 1]], "other": [2.5, 20000.0]})
        );
        let back: Durations = serde_json::from_value(json).unwrap();
        assert_eq!(back, d);
        let too_long = serde_json::json!({"wholeSeconds": [[16384, 1]], "other": []});
        let err = serde_json::from_value::<Durations>(too_long).unwrap_err();
        assert!(err.to_string().contains("whole second 16384"), "{err}");
        // sorted [0, 2, 2, 2.5, 3, 20000], n = 6: p50 -> 3rd = 2; p90 -> ceil(5.4) = 6th;
        // p10 -> ceil(0.6) = 1st = 0; p60 -> ceil(3.6) = 4th = 2.5; p70 -> ceil(4.2) = 5th = 3
        assert_eq!(
            d.ranks([10, 50, 60, 70, 90]),
            (
                6,
                [Some(0.0), Some(2.0), Some(2.5), Some(3.0), Some(20_000.0)]
            )
        );
        assert_eq!(Durations::default().ranks([50]), (0, [None]));
    }

    #[test]
    fn a_partial_serializes_counts_by_value_and_days_by_their_key() {
        let mut p = SummaryPartial::new(&AnalyticsOptions::default());
        day().iter().for_each(|r| p.add(r));
        let json = serde_json::to_value(&p).unwrap();
        assert_eq!(json["byOutcome"]["answered"], 2);
        assert_eq!(json["byOutcome"]["unknown"], 0);
        assert_eq!(json["byOutcome"].as_object().unwrap().len(), 9);
        assert_eq!(json["byDirection"]["inbound"], 4);
        assert_eq!(json["byProvider"]["twilio"], 1);
        assert_eq!(
            json["byDay"],
            serde_json::json!({"2024-01-01": 3, "2024-01-02": 3})
        );
    }

    fn arb_duration() -> impl Strategy<Value = f64> {
        prop_oneof![
            // whole seconds, around the end of the per-second counts too
            (0u32..200).prop_map(f64::from),
            (16_380u32..16_390).prop_map(f64::from),
            // microsecond values, some of them whole seconds
            (0u64..300_000_000).prop_map(|us| us as f64 / 1e6),
            (0u32..4).prop_map(|x| f64::from(x) + 0.5),
        ]
    }

    proptest! {
        #[test]
        fn duration_ranks_are_the_nearest_ranks_of_the_sorted_list(
            values in proptest::collection::vec(arb_duration(), 0..80),
            cut in 0usize..80,
            p in proptest::collection::vec(0u32..=100, 4),
        ) {
            let mut p: [u32; 4] = [p[0], p[1], p[2], p[3]];
            p.sort_unstable();
            let us: Vec<i128> = values.iter().filter_map(|v| micros(Some(*v))).collect();
            // the reference: every value in one sorted list
            let mut sorted: Vec<f64> = us.iter().map(|u| seconds(*u)).collect();
            sorted.sort_by(f64::total_cmp);
            let expected = p.map(|p| nearest_rank(&sorted, p));
            let part = |us: &[i128]| {
                let mut d = Durations::default();
                us.iter().for_each(|u| d.add(*u));
                d
            };
            let cut = cut.min(us.len());
            let mut merged = part(&us[cut..]);
            merged.merge(part(&us[..cut]));
            prop_assert_eq!(merged.ranks(p), (sorted.len() as u64, expected));
        }
    }

    fn arb_record() -> impl Strategy<Value = CallRecord> {
        (
            0usize..9,
            0usize..4,
            0i64..200_000,
            proptest::option::of(0u32..5000),
            proptest::option::of(0u32..3000),
        )
            .prop_map(|(o, d, start, dur, talk)| {
                let mut r = call(
                    "p",
                    Direction::ALL[d],
                    Outcome::ALL[o],
                    "2024-03-09T00:00:00Z",
                );
                r.started_at += chrono::Duration::seconds(start);
                r.duration_s = dur.map(|x| f64::from(x) / 10.0);
                r.talk_s = talk.map(|x| f64::from(x) / 10.0);
                r
            })
    }

    proptest! {
        #[test]
        fn merge_over_any_split_equals_the_whole(records in proptest::collection::vec(arb_record(), 0..60), cut in 0usize..60, cut2 in 0usize..60) {
            let o = AnalyticsOptions::default().with_time_zone("America/New_York").unwrap();
            let whole = summary(&records, &o);
            let n = records.len();
            let (i, j) = { let a = cut.min(n); let b = cut2.min(n); (a.min(b), a.max(b)) };
            let part = |rs: &[CallRecord]| {
                let mut p = SummaryPartial::new(&o);
                rs.iter().for_each(|r| p.add(r));
                p
            };
            // (c + a) + b: a different grouping and order than the input
            let merged = part(&records[j..]).merge(part(&records[..i])).merge(part(&records[i..j]));
            prop_assert_eq!(merged.finish(), whole.clone());
            // partials survive serde
            let p = part(&records);
            let back: SummaryPartial = serde_json::from_str(&serde_json::to_string(&p).unwrap()).unwrap();
            prop_assert_eq!(back.finish(), whole);
        }
    }
}
