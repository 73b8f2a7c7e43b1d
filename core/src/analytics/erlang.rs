//! Erlang C staffing (SPEC 4.5): agents needed for a traffic, an average handle time and a
//! service-level target.
//!
//! Erlang B is computed with the recursion `B(0) = 1`, `B(n) = A·B(n-1) / (n + A·B(n-1))`,
//! which never forms `A^N` or `N!`, and Erlang C from it:
//! `C = N·B / (N - A·(1 - B))`. Both stay finite for thousands of erlangs.

use super::ConcurrencyBucket;
use serde::{Deserialize, Serialize};

/// A staffing answer.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Staffing {
    /// Agents needed.
    pub agents: u32,
    /// The offered traffic A in erlangs.
    pub traffic_erlangs: f64,
    /// Erlang C: probability that a call waits.
    pub probability_wait: f64,
    /// Share of calls answered within the threshold, 0-1.
    pub service_level: f64,
    /// Average speed of answer, seconds.
    pub asa_s: f64,
    /// Traffic per agent, A / N.
    pub occupancy: f64,
}

fn valid_traffic(traffic: f64) -> bool {
    traffic.is_finite() && traffic >= 0.0
}

/// Erlang B blocking probability for `traffic` erlangs on `agents` servers; `None` for a
/// traffic that is not a finite non-negative number.
pub fn erlang_b(traffic: f64, agents: u32) -> Option<f64> {
    if !valid_traffic(traffic) {
        return None;
    }
    let mut b = 1.0;
    for n in 1..=agents {
        b = traffic * b / (f64::from(n) + traffic * b);
    }
    Some(b)
}

/// Erlang C from an Erlang B value.
fn c_from_b(traffic: f64, agents: u32, b: f64) -> f64 {
    let n = f64::from(agents);
    if n <= traffic {
        // The queue never drains: every call waits.
        return 1.0;
    }
    n * b / (n - traffic * (1.0 - b))
}

/// Erlang C: the probability that a call has to wait (1 when `agents <= traffic`).
pub fn erlang_c(traffic: f64, agents: u32) -> Option<f64> {
    erlang_b(traffic, agents).map(|b| c_from_b(traffic, agents, b))
}

fn sl_from_c(traffic: f64, agents: u32, c: f64, aht_s: f64, threshold_s: f64) -> f64 {
    let n = f64::from(agents);
    if n <= traffic {
        return 0.0;
    }
    1.0 - c * (-(n - traffic) * threshold_s / aht_s).exp()
}

fn valid_times(aht_s: f64, threshold_s: f64) -> bool {
    aht_s.is_finite() && aht_s > 0.0 && threshold_s.is_finite() && threshold_s >= 0.0
}

/// Share of calls answered within `threshold_s`: `1 - C·exp(-(N - A)·T / AHT)`; 0 when
/// `agents <= traffic`.
pub fn erlang_c_service_level(
    traffic: f64,
    agents: u32,
    aht_s: f64,
    threshold_s: f64,
) -> Option<f64> {
    if !valid_times(aht_s, threshold_s) {
        return None;
    }
    erlang_c(traffic, agents).map(|c| sl_from_c(traffic, agents, c, aht_s, threshold_s))
}

/// Average speed of answer `C·AHT / (N - A)`; `None` when `agents <= traffic` (unbounded).
pub fn erlang_c_asa(traffic: f64, agents: u32, aht_s: f64) -> Option<f64> {
    if !valid_times(aht_s, 0.0) || f64::from(agents) <= traffic {
        return None;
    }
    erlang_c(traffic, agents).map(|c| c * aht_s / (f64::from(agents) - traffic))
}

/// The fewest agents whose service level within `threshold_s` reaches `target` (0-1) for
/// `traffic` erlangs with average handle time `aht_s`. `None` for invalid inputs or a target
/// not reached within `2·A + 1000` agents (a target of 1 or more).
pub fn required_agents(
    traffic: f64,
    aht_s: f64,
    threshold_s: f64,
    target: f64,
) -> Option<Staffing> {
    if !valid_traffic(traffic) || !valid_times(aht_s, threshold_s) || !(0.0..1.0).contains(&target)
    {
        return None;
    }
    let limit = (traffic * 2.0 + 1000.0).min(f64::from(u32::MAX - 1)) as u32;
    // Walk the Erlang B recursion upward, so the search is O(N) in total.
    let mut b = 1.0;
    for n in 1..=limit {
        b = traffic * b / (f64::from(n) + traffic * b);
        if f64::from(n) <= traffic {
            continue;
        }
        let c = c_from_b(traffic, n, b);
        let sl = sl_from_c(traffic, n, c, aht_s, threshold_s);
        if sl >= target {
            return Some(Staffing {
                agents: n,
                traffic_erlangs: traffic,
                probability_wait: c,
                service_level: sl,
                asa_s: c * aht_s / (f64::from(n) - traffic),
                occupancy: traffic / f64::from(n),
            });
        }
    }
    None
}

/// [`required_agents`] for the traffic of one concurrency bucket (its `average`, in erlangs).
pub fn staffing_for(
    bucket: &ConcurrencyBucket,
    aht_s: f64,
    threshold_s: f64,
    target: f64,
) -> Option<Staffing> {
    required_agents(bucket.average, aht_s, threshold_s, target)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // a failed unwrap is a failed test
mod tests {
    use super::*;

    #[test]
    fn spec_worked_example() {
        // 100 calls in 30 min with AHT 180 s: A = 100 * 180 / 1800 = 10 erlangs.
        // Target 80 % within 20 s: N = 13 gives 0.7956 (< 0.8), N = 14 gives 0.8883500.
        let s = required_agents(10.0, 180.0, 20.0, 0.8).unwrap();
        assert_eq!(s.agents, 14);
        assert!(
            (s.probability_wait - 0.1741319).abs() < 5e-8,
            "{}",
            s.probability_wait
        );
        assert!(
            (s.service_level - 0.8883500).abs() < 5e-8,
            "{}",
            s.service_level
        );
        assert!((s.asa_s - 7.8359).abs() < 5e-5, "{}", s.asa_s);
        assert!((s.occupancy - 0.7142857).abs() < 5e-8, "{}", s.occupancy);
        let sl13 = erlang_c_service_level(10.0, 13, 180.0, 20.0).unwrap();
        assert!((sl13 - 0.7955948).abs() < 5e-7 && sl13 < 0.8);
        assert_eq!(erlang_c(10.0, 14), Some(s.probability_wait));
        assert_eq!(erlang_c_asa(10.0, 14, 180.0), Some(s.asa_s));
    }

    #[test]
    fn small_cases_by_hand() {
        // Erlang B, A = 1: B(1) = 1 / (1 + 1) = 0.5; B(2) = 0.5 / (2 + 0.5) = 0.2.
        assert_eq!(erlang_b(1.0, 1), Some(0.5));
        assert_eq!(erlang_b(1.0, 2), Some(0.2));
        // Erlang C, A = 1, N = 2: 2 * 0.2 / (2 - 1 * 0.8) = 0.4 / 1.2 = 1/3.
        assert!((erlang_c(1.0, 2).unwrap() - 1.0 / 3.0).abs() < 1e-15);
        // N <= A: everybody waits, no service level, unbounded ASA.
        assert_eq!(erlang_c(5.0, 5), Some(1.0));
        assert_eq!(erlang_c_service_level(5.0, 4, 180.0, 20.0), Some(0.0));
        assert_eq!(erlang_c_asa(5.0, 5, 180.0), None);
        // no traffic: nobody waits, one agent suffices
        assert_eq!(erlang_c(0.0, 1), Some(0.0));
        assert_eq!(
            required_agents(0.0, 180.0, 20.0, 0.8).map(|s| s.agents),
            Some(1)
        );
    }

    #[test]
    fn hundreds_of_erlangs_do_not_overflow() {
        for a in [250.0, 500.0, 1000.0, 5000.0] {
            let s = required_agents(a, 300.0, 20.0, 0.8).unwrap();
            assert!(s.probability_wait.is_finite() && (0.0..=1.0).contains(&s.probability_wait));
            assert!(s.service_level >= 0.8 && s.service_level <= 1.0);
            assert!(f64::from(s.agents) > a);
            // one agent fewer misses the target (the answer is the minimum)
            let below = erlang_c_service_level(a, s.agents - 1, 300.0, 20.0).unwrap();
            assert!(below < 0.8, "{a}: {below}");
        }
    }

    #[test]
    fn invalid_inputs_give_none() {
        assert_eq!(erlang_b(f64::NAN, 3), None);
        assert_eq!(erlang_b(-1.0, 3), None);
        assert_eq!(required_agents(10.0, 0.0, 20.0, 0.8), None);
        assert_eq!(required_agents(10.0, 180.0, 20.0, 1.0), None);
        assert_eq!(required_agents(f64::INFINITY, 180.0, 20.0, 0.8), None);
    }

    #[test]
    fn staffing_for_a_bucket_uses_its_average() {
        let b = ConcurrencyBucket {
            timestamp: 0,
            peak: 12,
            at_start: 9,
            average: 10.0,
            starts: 100,
        };
        assert_eq!(
            staffing_for(&b, 180.0, 20.0, 0.8).map(|s| s.agents),
            Some(14)
        );
    }
}
