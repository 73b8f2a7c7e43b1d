//! Contact-center KPIs of SPEC 4.2, all over inbound calls: `asa`, `aht`, `abandonRate`, the
//! four named `serviceLevel` variants, `transferRate`, `repeatCallerRate` and `occupancy`.
//!
//! Abandoned = inbound with an outcome in the `missedCalls` set (missed, unanswered, busy,
//! canceled); offered = inbound minus active. The time a caller waited before abandoning is
//! `wait_s`, else `duration_s` (SPEC 7: `wait_s` exists only for answered calls, and a missed
//! call's duration is its time ringing or queued); with neither it is unknown and never counts
//! as within a threshold, nor as a short abandon.

use super::{AnalyticsOptions, Partial, build, handle_micros, mean_seconds, micros, rate};
use crate::{CallRecord, Direction, EndedReasonCategory, Outcome};
use serde::{Deserialize, Serialize};
use std::borrow::Cow;

/// Inbound start instants per (tenant, customer number), compactly: tenants (few) in a small
/// list, and per tenant the calls whose number is `+` and 1 to 18 digits without a leading
/// zero (E.164 and the like) as a flat list of (number as an integer, start) pairs in arrival
/// order, any other number as text in a table. An E.164 caller's call costs 16 bytes appended
/// to a list (no hashing, no table to grow or to merge: merging appends); the list is sorted
/// once, by `finish`. Serialized as the sorted list of `[[tenant, number], starts]` pairs,
/// each caller's starts in arrival order.
#[derive(Debug, Clone, Default)]
struct Callers {
    tenants: Vec<(Option<String>, Numbers)>,
}

/// Equal when the same callers have the same starts, whatever order the tenants came in.
impl PartialEq for Callers {
    fn eq(&self, other: &Self) -> bool {
        self.tenants.len() == other.tenants.len()
            && self.tenants.iter().all(|(tenant, numbers)| {
                other
                    .tenants
                    .iter()
                    .any(|(t, n)| t == tenant && n == numbers)
            })
    }
}

/// One tenant's callers.
#[derive(Debug, Clone, Default)]
struct Numbers {
    /// (number, start) of each call with an integer number, in arrival order.
    digits: Vec<(u64, i64)>,
    text: hashbrown::HashMap<Box<str>, Starts>,
}

impl Numbers {
    /// `digits` grouped by number, each number's starts in arrival order (a stable sort).
    fn digits_by_number(&self) -> Vec<(u64, i64)> {
        let mut pairs = self.digits.clone();
        pairs.sort_by_key(|&(number, _)| number);
        pairs
    }
}

/// Equal when every number has the same starts in the same order (however the calls of
/// different numbers interleave).
impl PartialEq for Numbers {
    fn eq(&self, other: &Self) -> bool {
        self.text == other.text && self.digits_by_number() == other.digits_by_number()
    }
}

/// The start instants of one caller with a text number (epoch microseconds), in arrival order.
#[derive(Debug, Clone, PartialEq)]
enum Starts {
    One(i64),
    Many(Vec<i64>),
}

impl Starts {
    fn push(&mut self, start: i64) {
        match self {
            Starts::One(first) => *self = Starts::Many(vec![*first, start]),
            Starts::Many(all) => all.push(start),
        }
    }

    fn extend(&mut self, other: Starts) {
        match other {
            Starts::One(start) => self.push(start),
            Starts::Many(all) => all.into_iter().for_each(|s| self.push(s)),
        }
    }

    fn as_slice(&self) -> &[i64] {
        match self {
            Starts::One(first) => std::slice::from_ref(first),
            Starts::Many(all) => all,
        }
    }
}

/// How many of `starts` (one caller's, ascending) are repeats: a call repeats when the latest
/// strictly earlier call is at most [`REPEAT_WINDOW_S`] before it.
fn repeats_in(starts: &[i64]) -> u64 {
    let mut repeats = 0;
    let mut previous: Option<i64> = None;
    for pair in starts.windows(2) {
        if let [a, b] = *pair {
            if a < b {
                previous = Some(a);
            }
            if previous.is_some_and(|p| b - p <= REPEAT_WINDOW_S * 1_000_000) {
                repeats += 1;
            }
        }
    }
    repeats
}

/// `number` as an integer when it is `+` and 1 to 18 digits, the first not 0: exactly the
/// texts `format!("+{n}")` gives back.
fn digits_of(number: &str) -> Option<u64> {
    let digits = number.strip_prefix('+')?.as_bytes();
    if digits.is_empty() || digits.len() > 18 || digits.first() == Some(&b'0') {
        return None;
    }
    digits.iter().try_fold(0u64, |n, &d| {
        d.is_ascii_digit().then(|| n * 10 + u64::from(d - b'0'))
    })
}

impl Callers {
    /// The callers of `tenant`, added when new.
    fn tenant(&mut self, tenant: Option<&str>) -> &mut Numbers {
        let at = match self
            .tenants
            .iter()
            .position(|(t, _)| t.as_deref() == tenant)
        {
            Some(at) => at,
            None => {
                self.tenants
                    .push((tenant.map(str::to_owned), Numbers::default()));
                self.tenants.len() - 1
            }
        };
        // `at` is in range: found or just pushed
        &mut self.tenants[at].1
    }

    fn add(&mut self, tenant: Option<&str>, number: &str, start: i64) {
        let numbers = self.tenant(tenant);
        match digits_of(number) {
            Some(n) => numbers.digits.push((n, start)),
            None => match numbers.text.get_mut(number) {
                Some(starts) => starts.push(start),
                None => {
                    numbers.text.insert(number.into(), Starts::One(start));
                }
            },
        }
    }

    fn merge(&mut self, other: Callers) {
        for (tenant, theirs) in other.tenants {
            let ours = self.tenant(tenant.as_deref());
            if ours.digits.is_empty() && ours.text.is_empty() {
                *ours = theirs;
                continue;
            }
            ours.digits.extend(theirs.digits);
            for (n, starts) in theirs.text {
                match ours.text.entry(n) {
                    hashbrown::hash_map::Entry::Occupied(mut e) => e.get_mut().extend(starts),
                    hashbrown::hash_map::Entry::Vacant(e) => {
                        e.insert(starts);
                    }
                }
            }
        }
    }

    /// How many calls are repeats ([`repeats_in`]), over every caller. Sorts the integer
    /// numbers' pairs in place (by number, then start).
    fn repeats(&mut self) -> u64 {
        let mut repeats = 0;
        let mut starts: Vec<i64> = Vec::new();
        for (_, numbers) in &mut self.tenants {
            sort_pairs(&mut numbers.digits);
            for run in numbers.digits.chunk_by(|a, b| a.0 == b.0) {
                starts.clear();
                starts.extend(run.iter().map(|&(_, start)| start));
                repeats += repeats_in(&starts);
            }
            for one in numbers.text.values() {
                starts.clear();
                starts.extend_from_slice(one.as_slice());
                starts.sort_unstable();
                repeats += repeats_in(&starts);
            }
        }
        repeats
    }
}

/// `pairs` ascending (by number, then start); in parallel with the `parallel` feature.
fn sort_pairs(pairs: &mut [(u64, i64)]) {
    #[cfg(feature = "parallel")]
    {
        use rayon::slice::ParallelSliceMut;
        pairs.par_sort_unstable();
    }
    #[cfg(not(feature = "parallel"))]
    pairs.sort_unstable();
}

impl Serialize for Callers {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        /// `[[tenant, number], starts]`
        type Pair<'a> = ((Option<&'a str>, Cow<'a, str>), Cow<'a, [i64]>);
        let mut pairs: Vec<Pair<'_>> = Vec::new();
        for (tenant, numbers) in &self.tenants {
            let tenant = tenant.as_deref();
            let digits = numbers.digits_by_number();
            for run in digits.chunk_by(|a, b| a.0 == b.0) {
                if let Some(&(n, _)) = run.first() {
                    let starts = run.iter().map(|&(_, st)| st).collect();
                    pairs.push(((tenant, Cow::Owned(format!("+{n}"))), Cow::Owned(starts)));
                }
            }
            pairs.extend(
                numbers
                    .text
                    .iter()
                    .map(|(n, st)| ((tenant, Cow::Borrowed(&**n)), Cow::Borrowed(st.as_slice()))),
            );
        }
        pairs.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        s.collect_seq(pairs)
    }
}

impl<'de> Deserialize<'de> for Callers {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let pairs = Vec::<((Option<String>, String), Vec<i64>)>::deserialize(d)?;
        let mut callers = Callers::default();
        for ((tenant, number), starts) in pairs {
            for start in starts {
                callers.add(tenant.as_deref(), &number, start);
            }
        }
        Ok(callers)
    }
}

/// The window of `repeatCallerRate`: an earlier inbound call at most 7 days before.
pub const REPEAT_WINDOW_S: i64 = 7 * 24 * 3600;

/// SPEC 4.2 KPIs. Rates are 0-1 fractions; `None` (JSON null) over an empty set.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Kpis {
    /// Inbound calls.
    pub inbound_calls: u64,
    /// Inbound minus active.
    pub offered_calls: u64,
    /// Answered inbound calls.
    pub answered_calls: u64,
    /// Inbound calls with an outcome in the missed set.
    pub abandoned_calls: u64,
    /// Average speed of answer: mean `wait_s` of answered inbound calls that have one, seconds.
    pub asa: Option<f64>,
    /// Average handle time: mean `talk_s` + `wrap_up_s` of answered inbound calls with a talk
    /// time, seconds.
    pub aht: Option<f64>,
    /// Abandoned / offered, short abandons left out of both.
    pub abandon_rate: Option<f64>,
    /// Service level at the threshold, four ways.
    pub service_level: ServiceLevel,
    /// Answered inbound calls with a transfer (or ended-reason `transferred`) / answered inbound.
    pub transfer_rate: Option<f64>,
    /// Inbound calls whose customer number called inbound before, within 7 days, in the same
    /// tenant / inbound calls.
    pub repeat_caller_rate: Option<f64>,
    /// Share of staffed time agents were busy; only where agent-state time is known (the live
    /// aggregator sets it with [`occupancy`]); absent from JSON otherwise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub occupancy: Option<f64>,
}

/// `serviceLevel(T)` in the four variants real systems use (SPEC 4.2).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ServiceLevel {
    /// The threshold T in seconds.
    pub threshold_s: f64,
    /// Answered within T / offered (the default variant).
    pub offered: Option<f64>,
    /// Answered within T / answered.
    pub answered: Option<f64>,
    /// Answered within T / (answered + abandoned after T).
    pub abandoned_after_target: Option<f64>,
    /// (Answered within T + abandoned within T) / (answered + abandoned).
    pub abandons_meet_target: Option<f64>,
}

/// Occupancy from agent-state time: busy / (busy + available); `None` when both are zero or a
/// value is not a finite non-negative number.
pub fn occupancy(busy_s: f64, available_s: f64) -> Option<f64> {
    let ok = |x: f64| x.is_finite() && x >= 0.0;
    (ok(busy_s) && ok(available_s) && busy_s + available_s > 0.0)
        .then(|| busy_s / (busy_s + available_s))
}

/// Mergeable state of [`Kpis`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct KpiPartial {
    threshold_us: i128,
    short_abandon_us: Option<i128>,
    inbound: u64,
    active: u64,
    answered: u64,
    answered_within: u64,
    abandoned: u64,
    abandoned_within: u64,
    short_abandoned: u64,
    wait_sum_us: i128,
    wait_count: u64,
    handle_sum_us: i128,
    handle_count: u64,
    answered_transferred: u64,
    /// Start instants (epoch microseconds) of inbound calls per (tenant, customer number), in
    /// arrival order; sorted by `finish`.
    callers: Callers,
}

impl KpiPartial {
    /// An empty partial for these options (threshold, short-abandon limit).
    pub fn new(options: &AnalyticsOptions) -> Self {
        KpiPartial {
            threshold_us: micros(Some(options.service_level_threshold_s)).unwrap_or(0),
            short_abandon_us: micros(options.short_abandon_s),
            inbound: 0,
            active: 0,
            answered: 0,
            answered_within: 0,
            abandoned: 0,
            abandoned_within: 0,
            short_abandoned: 0,
            wait_sum_us: 0,
            wait_count: 0,
            handle_sum_us: 0,
            handle_count: 0,
            answered_transferred: 0,
            callers: Callers::default(),
        }
    }

    /// The KPIs (`occupancy` stays `None`: call records carry no agent-state time).
    pub fn finish(self) -> Kpis {
        let offered = self.inbound.saturating_sub(self.active);
        let answered = self.answered;
        let within = self.answered_within;
        let abandoned_after = self.abandoned.saturating_sub(self.abandoned_within);
        let mut callers = self.callers;
        let repeats = callers.repeats();
        Kpis {
            inbound_calls: self.inbound,
            offered_calls: offered,
            answered_calls: answered,
            abandoned_calls: self.abandoned,
            asa: mean_seconds(self.wait_sum_us, self.wait_count),
            aht: mean_seconds(self.handle_sum_us, self.handle_count),
            abandon_rate: rate(
                self.abandoned.saturating_sub(self.short_abandoned),
                offered.saturating_sub(self.short_abandoned),
            ),
            service_level: ServiceLevel {
                threshold_s: super::seconds(self.threshold_us),
                offered: rate(within, offered),
                answered: rate(within, answered),
                abandoned_after_target: rate(within, answered + abandoned_after),
                abandons_meet_target: rate(
                    within + self.abandoned_within,
                    answered + self.abandoned,
                ),
            },
            transfer_rate: rate(self.answered_transferred, answered),
            repeat_caller_rate: rate(repeats, self.inbound),
            occupancy: None,
        }
    }
}

impl Partial for KpiPartial {
    fn add(&mut self, r: &CallRecord) {
        if r.direction != Direction::Inbound {
            return;
        }
        self.inbound += 1;
        if let Some(number) = r
            .customer_number
            .as_deref()
            .map(str::trim)
            .filter(|n| !n.is_empty())
        {
            self.callers
                .add(r.tenant.as_deref(), number, r.started_at.timestamp_micros());
        }
        let wait = micros(r.wait_s);
        match r.outcome {
            Outcome::Active => self.active += 1,
            Outcome::Answered => {
                self.answered += 1;
                if let Some(w) = wait {
                    self.wait_sum_us += w;
                    self.wait_count += 1;
                    if w <= self.threshold_us {
                        self.answered_within += 1;
                    }
                }
                if let Some(h) = handle_micros(r) {
                    self.handle_sum_us += h;
                    self.handle_count += 1;
                }
                let transferred = !r.transfers.is_empty()
                    || r.ended_reason
                        .as_ref()
                        .is_some_and(|e| e.category == EndedReasonCategory::Transferred);
                if transferred {
                    self.answered_transferred += 1;
                }
            }
            o if o.is_missed_set() => {
                self.abandoned += 1;
                let waited = wait.or_else(|| micros(r.duration_s));
                if waited.is_some_and(|w| w <= self.threshold_us) {
                    self.abandoned_within += 1;
                }
                if let (Some(w), Some(short)) = (waited, self.short_abandon_us) {
                    if w < short {
                        self.short_abandoned += 1;
                    }
                }
            }
            _ => {}
        }
    }

    fn merge(mut self, other: Self) -> Self {
        self.inbound += other.inbound;
        self.active += other.active;
        self.answered += other.answered;
        self.answered_within += other.answered_within;
        self.abandoned += other.abandoned;
        self.abandoned_within += other.abandoned_within;
        self.short_abandoned += other.short_abandoned;
        self.wait_sum_us += other.wait_sum_us;
        self.wait_count += other.wait_count;
        self.handle_sum_us += other.handle_sum_us;
        self.handle_count += other.handle_count;
        self.answered_transferred += other.answered_transferred;
        self.callers.merge(other.callers);
        self
    }
}

/// The SPEC 4.2 KPIs of the records `options` selects.
pub fn kpis(records: &[CallRecord], options: &AnalyticsOptions) -> Kpis {
    build(records, options, || KpiPartial::new(options)).finish()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // a failed unwrap is a failed test
mod tests {
    use super::*;
    use crate::analytics::testing::{call, finished};
    use crate::{EndedReason, Transfer};
    use proptest::prelude::*;

    fn answered(id: &str, wait: f64) -> CallRecord {
        let mut r = finished(
            id,
            Direction::Inbound,
            Outcome::Answered,
            "2024-01-01T10:00:00Z",
            wait + 60.0,
        );
        r.wait_s = Some(wait);
        r.talk_s = Some(60.0);
        r
    }

    fn abandoned(id: &str, after: f64) -> CallRecord {
        finished(
            id,
            Direction::Inbound,
            Outcome::Missed,
            "2024-01-01T10:00:00Z",
            after,
        )
    }

    /// SPEC 4.2 test vector: 10 answered (6 within 20 s), 4 abandoned (1 within 20 s).
    fn spec_vector() -> Vec<CallRecord> {
        let mut v: Vec<CallRecord> = [5.0, 10.0, 15.0, 20.0, 20.0, 3.0, 21.0, 30.0, 45.0, 90.0]
            .iter()
            .enumerate()
            .map(|(i, w)| answered(&format!("a{i}"), *w))
            .collect();
        v.extend(
            [12.0, 25.0, 40.0, 300.0]
                .iter()
                .enumerate()
                .map(|(i, w)| abandoned(&format!("m{i}"), *w)),
        );
        v
    }

    #[test]
    fn spec_service_level_vector() {
        let k = kpis(&spec_vector(), &AnalyticsOptions::default());
        let pct = |x: Option<f64>| x.map(|v| crate::analytics::round2(v * 100.0));
        assert_eq!(k.service_level.threshold_s, 20.0);
        // offered: 6 / 14 = 42.857 %
        assert_eq!(pct(k.service_level.offered), Some(42.86));
        // answered: 6 / 10 = 60 %
        assert_eq!(pct(k.service_level.answered), Some(60.0));
        // abandonedAfterTarget: 6 / (10 + 3) = 46.154 %
        assert_eq!(pct(k.service_level.abandoned_after_target), Some(46.15));
        // abandonsMeetTarget: (6 + 1) / (10 + 4) = 50 %
        assert_eq!(pct(k.service_level.abandons_meet_target), Some(50.0));
        // abandon rate 4 / 14
        assert_eq!(k.abandon_rate, Some(4.0 / 14.0));
        // asa = (5+10+15+20+20+3+21+30+45+90) / 10 = 259 / 10
        assert_eq!(k.asa, Some(25.9));
        assert_eq!(k.aht, Some(60.0));
    }

    #[test]
    fn every_kpi_on_a_small_day() {
        use Direction::*;
        // Tenant T, customer +1555 calls at 09:00 (answered, wait 10, talk 100, wrap 20,
        // transferred), again at 11:00 (answered, wait 30, talk 200, no wrap), and
        // customer +1666 at 12:00 (missed after 8 s), +1666 at 12:05 in tenant U (missed
        // after 40 s: a different tenant, so no repeat), one active inbound (+1555, 13:00),
        // one voicemail (+1777), and one outbound answered call (ignored by every KPI).
        let mut a = answered("a", 10.0);
        a.started_at = crate::analytics::testing::at("2024-01-01T09:00:00Z");
        a.talk_s = Some(100.0);
        a.wrap_up_s = Some(20.0);
        a.transfers = vec![Transfer {
            at: None,
            to_queue: Some("billing".into()),
            to_agent: None,
        }];
        let mut b = answered("b", 30.0);
        b.started_at = crate::analytics::testing::at("2024-01-01T11:00:00Z");
        b.talk_s = Some(200.0);
        let mut c = abandoned("c", 8.0);
        let mut d = abandoned("d", 40.0);
        d.tenant = Some("U".into());
        let mut e = call("e", Inbound, Outcome::Active, "2024-01-01T13:00:00Z");
        e.customer_number = Some("+1555".into());
        let mut f = finished(
            "f",
            Inbound,
            Outcome::Voicemail,
            "2024-01-01T14:00:00Z",
            30.0,
        );
        f.customer_number = Some("+1777".into());
        let mut g = answered("g", 1.0);
        g.direction = Outbound;
        g.customer_number = Some("+1555".into());
        for (r, n) in [
            (&mut a, "+1555"),
            (&mut b, "+1555"),
            (&mut c, "+1666"),
            (&mut d, "+1666"),
        ] {
            r.customer_number = Some(n.into());
        }
        for r in [&mut a, &mut b, &mut c, &mut e, &mut f, &mut g] {
            r.tenant = Some("T".into());
        }
        let records = vec![a, b, c, d, e, f, g];
        let k = kpis(&records, &AnalyticsOptions::default());
        assert_eq!(k.inbound_calls, 6);
        assert_eq!(k.offered_calls, 5); // minus the active one
        assert_eq!(k.answered_calls, 2);
        assert_eq!(k.abandoned_calls, 2);
        // asa = (10 + 30) / 2 = 20
        assert_eq!(k.asa, Some(20.0));
        // aht = ((100 + 20) + 200) / 2 = 160
        assert_eq!(k.aht, Some(160.0));
        // abandon = 2 / 5
        assert_eq!(k.abandon_rate, Some(0.4));
        // within 20 s: answered a (10 s) only; abandoned within: c (8 s)
        assert_eq!(k.service_level.offered, Some(1.0 / 5.0));
        assert_eq!(k.service_level.answered, Some(1.0 / 2.0));
        // answered + abandoned after T (d, 40 s) = 3
        assert_eq!(k.service_level.abandoned_after_target, Some(1.0 / 3.0));
        // (1 + 1) / (2 + 2)
        assert_eq!(k.service_level.abandons_meet_target, Some(0.5));
        // 1 of 2 answered inbound calls was transferred
        assert_eq!(k.transfer_rate, Some(0.5));
        // repeats: b (+1555 T, 2 h after a) and e (+1555 T, 4 h after a) -> 2 / 6 inbound
        assert_eq!(k.repeat_caller_rate, Some(2.0 / 6.0));
        assert_eq!(k.occupancy, None);
        assert!(serde_json::to_value(&k).unwrap().get("occupancy").is_none());

        // shortAbandonS = 10: c (8 s) leaves numerator and denominator: 1 / 4
        let o = AnalyticsOptions {
            short_abandon_s: Some(10.0),
            ..Default::default()
        };
        assert_eq!(kpis(&records, &o).abandon_rate, Some(0.25));
        // a wider threshold T = 30 counts b (30 s, inclusive) as within
        let o = AnalyticsOptions {
            service_level_threshold_s: 30.0,
            ..Default::default()
        };
        assert_eq!(kpis(&records, &o).service_level.answered, Some(1.0));
    }

    #[test]
    fn ended_reason_transferred_counts_as_transfer_and_null_wait_is_never_within() {
        let mut a = answered("a", 0.0);
        a.wait_s = None;
        a.ended_reason = Some(EndedReason {
            category: EndedReasonCategory::Transferred,
            raw: "call_transfer".into(),
        });
        let k = kpis(&[a], &AnalyticsOptions::default());
        assert_eq!(k.transfer_rate, Some(1.0));
        assert_eq!(k.asa, None); // the only answered call has no wait
        assert_eq!(k.service_level.answered, Some(0.0));
    }

    #[test]
    fn repeat_window_is_seven_days_inclusive_and_strictly_earlier() {
        let mk = |id: &str, start: &str| {
            let mut r = abandoned(id, 5.0);
            r.started_at = crate::analytics::testing::at(start);
            r.customer_number = Some("+1555".into());
            r
        };
        // b is exactly 7 days after a (repeat); c is 7 days and 1 s after b (not a repeat);
        // d starts at the same instant as c: an equal start is not "before", and the latest
        // strictly earlier call (b) is 7 days and 1 s back, so d is not a repeat either: 1 / 4.
        let records = vec![
            mk("a", "2024-01-01T00:00:00Z"),
            mk("b", "2024-01-08T00:00:00Z"),
            mk("c", "2024-01-15T00:00:01Z"),
            mk("d", "2024-01-15T00:00:01Z"),
        ];
        assert_eq!(
            kpis(&records, &AnalyticsOptions::default()).repeat_caller_rate,
            Some(0.25)
        );
    }

    #[test]
    fn empty_and_outbound_only_give_null_rates() {
        for records in [
            vec![],
            vec![answered("x", 1.0)]
                .into_iter()
                .map(|mut r| {
                    r.direction = Direction::Outbound;
                    r
                })
                .collect(),
        ] {
            let k = kpis(&records, &AnalyticsOptions::default());
            assert_eq!(k.inbound_calls, 0);
            assert_eq!(k.asa, None);
            assert_eq!(k.aht, None);
            assert_eq!(k.abandon_rate, None);
            assert_eq!(k.service_level.offered, None);
            assert_eq!(k.service_level.abandons_meet_target, None);
            assert_eq!(k.transfer_rate, None);
            assert_eq!(k.repeat_caller_rate, None);
            assert!(serde_json::to_value(&k).unwrap()["asa"].is_null());
        }
    }

    #[test]
    fn occupancy_from_agent_time() {
        assert_eq!(occupancy(30.0, 10.0), Some(0.75));
        assert_eq!(occupancy(0.0, 0.0), None);
        assert_eq!(occupancy(f64::NAN, 1.0), None);
    }

    proptest! {
        #[test]
        fn merge_over_any_split_equals_the_whole(
            spec in proptest::collection::vec((0usize..9, 0usize..2, 0i64..1_000_000, proptest::option::of(0u32..120), 0u8..4, proptest::option::of(0u8..2)), 0..50),
            cut in 0usize..50,
        ) {
            let records: Vec<CallRecord> = spec.iter().enumerate().map(|(i, (o, d, start, wait, num, tenant))| {
                let mut r = call(&i.to_string(), Direction::ALL[*d], Outcome::ALL[*o], "2024-01-01T00:00:00Z");
                r.started_at += chrono::Duration::seconds(*start);
                r.wait_s = wait.map(f64::from);
                r.duration_s = wait.map(|w| f64::from(w) + 10.0);
                r.talk_s = Some(10.0);
                // E.164 numbers (kept as integers) and other texts (kept as text)
            r.customer_number = match num { 0 => None, 1 => Some("anonymous".into()), n => Some(format!("+1{n}")) };
                r.tenant = tenant.map(|t| t.to_string());
                r
            }).collect();
            let o = AnalyticsOptions { short_abandon_s: Some(5.0), ..Default::default() };
            let whole = kpis(&records, &o);
            let cut = cut.min(records.len());
            let part = |rs: &[CallRecord]| { let mut p = KpiPartial::new(&o); rs.iter().for_each(|r| p.add(r)); p };
            prop_assert_eq!(part(&records[cut..]).merge(part(&records[..cut])).finish(), whole.clone());
            let back: KpiPartial = serde_json::from_str(&serde_json::to_string(&part(&records)).unwrap()).unwrap();
            prop_assert_eq!(back.finish(), whole);
        }

        #[test]
        fn repeats_match_a_pairwise_reference(
            calls in proptest::collection::vec((0u8..2, 0u8..4, 0i64..40), 0..60),
            cut in 0usize..60,
        ) {
            // starts in half days over 20 days, so that gaps fall on both sides of 7 days
            let half_day = 12 * 3600 * 1_000_000i64;
            let number = |n: u8| if n == 3 { "anonymous".to_owned() } else { format!("+4420{n}") };
            // the reference: a call repeats when, among the other calls of its tenant and
            // number, the latest strictly earlier one is at most 7 days before it
            let want = calls.iter().enumerate().filter(|&(i, &(t, n, at))| {
                calls.iter().enumerate()
                    .filter(|&(j, &(t2, n2, at2))| j != i && t2 == t && n2 == n && at2 < at)
                    .map(|(_, &(_, _, at2))| at2)
                    .max()
                    .is_some_and(|latest| (at - latest) * half_day <= REPEAT_WINDOW_S * 1_000_000)
            }).count() as u64;
            let cut = cut.min(calls.len());
            let fill = |part: &[(u8, u8, i64)]| {
                let mut c = Callers::default();
                for &(t, n, at) in part {
                    c.add(Some(&t.to_string()), &number(n), at * half_day);
                }
                c
            };
            let mut whole = fill(&calls);
            let mut merged = fill(&calls[..cut]);
            merged.merge(fill(&calls[cut..]));
            prop_assert_eq!(&merged, &whole);
            prop_assert_eq!(whole.repeats(), want);
            prop_assert_eq!(merged.repeats(), want);
        }

        #[test]
        fn a_number_kept_as_an_integer_reads_back_as_the_same_text(text in "\\+?[0-9]{0,20}|\\PC{0,8}") {
            if let Some(n) = digits_of(&text) {
                prop_assert_eq!(format!("+{n}"), text);
            }
        }
    }

    #[test]
    fn numbers_are_integers_only_when_the_text_comes_back_exactly() {
        assert_eq!(digits_of("+14155550100"), Some(14_155_550_100));
        assert_eq!(
            digits_of("+999999999999999999"),
            Some(999_999_999_999_999_999)
        );
        for text in [
            "14155550100",
            "+",
            "+0415",
            "+1415555010a",
            "+1 415",
            "+1999999999999999999",
            "anonymous",
            "",
        ] {
            assert_eq!(digits_of(text), None, "{text}");
        }
    }

    #[test]
    fn callers_serialize_as_sorted_tenant_number_pairs() {
        let mut c = Callers::default();
        c.add(Some("t2"), "+14155550100", 5);
        c.add(None, "anonymous", 3);
        c.add(Some("t2"), "+14155550100", 1);
        c.add(Some("t2"), "+0800", 2);
        c.add(None, "+442071838750", 4);
        let text = serde_json::to_string(&c).unwrap();
        assert_eq!(
            text,
            r#"[[[null,"+442071838750"],[4]],[[null,"anonymous"],[3]],[["t2","+0800"],[2]],[["t2","+14155550100"],[5,1]]]"#
        );
        let back: Callers = serde_json::from_str(&text).unwrap();
        assert_eq!(back, c);
        assert_eq!(serde_json::to_string(&back).unwrap(), text);
        // tenants met in another order: the same callers
        let mut d = Callers::default();
        d.add(None, "anonymous", 3);
        d.add(None, "+442071838750", 4);
        d.add(Some("t2"), "+14155550100", 5);
        d.add(Some("t2"), "+0800", 2);
        d.add(Some("t2"), "+14155550100", 1);
        assert_eq!(d, c);
    }
}
