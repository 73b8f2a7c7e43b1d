//! MightyCall report views. All shapes are **designed, not verified** (SPEC 5 names the
//! reports, not their fields):
//!
//! - total calls by date: `[{date, totalCalls, inboundCalls, outboundCalls, answeredCalls,
//!   missedCalls}]`, one row per local day with calls, oldest first;
//! - average duration: `{totalCalls, callsWithDuration, totalDuration, averageDuration}`;
//! - missed call rate: `{inboundCalls, missedCalls, missedCallRate}` over finished inbound
//!   calls (`missedCalls` in the SPEC 4.1 set, rate a 0-1 fraction, null when none);
//! - distribution by agent: `[{agent, totalCalls, answeredCalls, missedCalls, percentage}]`
//!   (agent key as SPEC 4.3; ranked by `totalCalls`);
//! - voicemail list: `[{id, from, to, dateTimeUtc, duration, businessNumber, callRecord: {uri},
//!   transcript}]` newest first, where `from`/`to` follow the call direction and `transcript`
//!   joins the transcript turns (or the summary) when there is one.

use super::{Totals, ViewOptions, local_day, percentage, ranked, rate, round2, sound};
use crate::model::{CallRecord, Direction, Outcome};
use serde_json::{Value, json};
use std::collections::BTreeMap;

/// Total calls by date.
pub fn calls_by_date(records: &[CallRecord], opts: &ViewOptions) -> Value {
    let mut days: BTreeMap<String, [usize; 5]> = BTreeMap::new();
    for r in records {
        let row = days
            .entry(local_day(r.started_at, opts.tz))
            .or_insert([0; 5]);
        let [total, inbound, outbound, answered, missed] = row;
        *total += 1;
        match r.direction {
            Direction::Inbound => *inbound += 1,
            Direction::Outbound => *outbound += 1,
            _ => {}
        }
        if r.outcome == Outcome::Answered {
            *answered += 1;
        } else if r.outcome.is_missed_set() {
            *missed += 1;
        }
    }
    days.into_iter()
        .map(|(date, [total, inbound, outbound, answered, missed])| {
            json!({
                "date": date,
                "totalCalls": total,
                "inboundCalls": inbound,
                "outboundCalls": outbound,
                "answeredCalls": answered,
                "missedCalls": missed,
            })
        })
        .collect()
}

/// Average call duration.
pub fn average_duration(records: &[CallRecord]) -> Value {
    let t = Totals::of(records);
    json!({
        "totalCalls": t.total,
        "callsWithDuration": t.with_duration,
        "totalDuration": t.total_duration,
        "averageDuration": t.average_duration(),
    })
}

/// Missed call rate over finished inbound calls.
pub fn missed_call_rate(records: &[CallRecord]) -> Value {
    let inbound: Vec<_> = records
        .iter()
        .filter(|r| r.direction == Direction::Inbound && r.outcome != Outcome::Active)
        .collect();
    let missed = inbound.iter().filter(|r| r.outcome.is_missed_set()).count();
    json!({
        "inboundCalls": inbound.len(),
        "missedCalls": missed,
        "missedCallRate": rate(missed, inbound.len()),
    })
}

/// Distribution of calls by agent.
pub fn agent_distribution(records: &[CallRecord]) -> Value {
    let key = |r: &CallRecord| r.agent.as_ref().and_then(|a| a.key().map(str::to_string));
    let rows = ranked(records.iter().map(key));
    rows.into_iter()
        .map(|(agent, count)| {
            let mine = records.iter().filter(|r| key(r) == agent);
            let (mut answered, mut missed) = (0, 0);
            for r in mine {
                if r.outcome == Outcome::Answered {
                    answered += 1;
                } else if r.outcome.is_missed_set() {
                    missed += 1;
                }
            }
            json!({
                "agent": agent,
                "totalCalls": count,
                "answeredCalls": answered,
                "missedCalls": missed,
                "percentage": percentage(count, records.len()),
            })
        })
        .collect()
}

/// The voicemail list: calls whose outcome is `voicemail`, newest first.
pub fn voicemails(records: &[CallRecord]) -> Value {
    let mut vm: Vec<&CallRecord> = records
        .iter()
        .filter(|r| r.outcome == Outcome::Voicemail)
        .collect();
    vm.sort_by(|a, b| {
        b.started_at
            .cmp(&a.started_at)
            .then_with(|| a.id.cmp(&b.id))
    });
    vm.into_iter()
        .map(|r| {
            let (from, to) = match r.direction {
                Direction::Outbound => (&r.business_number, &r.customer_number),
                _ => (&r.customer_number, &r.business_number),
            };
            let transcript = if r.transcript.is_empty() {
                r.summary.clone()
            } else {
                Some(
                    r.transcript
                        .iter()
                        .map(|t| t.text.as_str())
                        .collect::<Vec<_>>()
                        .join(" "),
                )
            };
            json!({
                "id": r.provider_call_id,
                "from": from,
                "to": to,
                "dateTimeUtc": super::instant(r.started_at),
                "duration": sound(r.talk_s.or(r.duration_s)).map(round2),
                "businessNumber": r.business_number,
                "callRecord": {"uri": r.recording_url},
                "transcript": transcript,
            })
        })
        .collect()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::super::fixtures::*;
    use super::*;
    use crate::model::{Agent, TranscriptTurn};

    fn agent(name: &str) -> Option<Agent> {
        Some(Agent {
            id: None,
            email: None,
            name: Some(name.into()),
        })
    }

    fn sample() -> Vec<CallRecord> {
        let mut a = call(
            "m1",
            Direction::Inbound,
            Outcome::Answered,
            "2024-07-01T14:00:00Z",
            90.0,
        );
        a.agent = agent("Ann");
        let mut b = call(
            "m2",
            Direction::Inbound,
            Outcome::Missed,
            "2024-07-01T15:00:00Z",
            15.0,
        );
        b.agent = agent("Ann");
        let c = call(
            "m3",
            Direction::Outbound,
            Outcome::Answered,
            "2024-07-02T14:00:00Z",
            45.0,
        );
        let mut d = call(
            "m4",
            Direction::Inbound,
            Outcome::Voicemail,
            "2024-07-02T16:00:00Z",
            40.0,
        );
        d.recording_url = Some("file:///vm/m4.wav".into());
        d.transcript = vec![TranscriptTurn {
            speaker: "customer".into(),
            start_s: None,
            end_s: None,
            text: "please call back".into(),
            confidence: None,
            language: None,
        }];
        vec![a, b, c, d, active("m5", "2024-07-02T17:00:00Z", None)]
    }

    #[test]
    fn by_date() {
        let v = calls_by_date(&sample(), &ViewOptions::default());
        assert_eq!(
            v,
            json!([
                {"date": "2024-07-01", "totalCalls": 2, "inboundCalls": 2, "outboundCalls": 0, "answeredCalls": 1, "missedCalls": 1},
                {"date": "2024-07-02", "totalCalls": 3, "inboundCalls": 2, "outboundCalls": 1, "answeredCalls": 1, "missedCalls": 0},
            ])
        );
    }

    #[test]
    fn averages_and_rates() {
        // durations 90 + 15 + 45 + 40 = 190 over 4 calls (the active one has none) = 47.5
        assert_eq!(
            average_duration(&sample()),
            json!({"totalCalls": 5, "callsWithDuration": 4, "totalDuration": 190.0, "averageDuration": 47.5})
        );
        // finished inbound: m1, m2, m4 -> 1 missed of 3
        let v = missed_call_rate(&sample());
        assert_eq!(
            keys(&v),
            names(&["inboundCalls", "missedCalls", "missedCallRate"])
        );
        assert_eq!(v["inboundCalls"], 3);
        assert_eq!(v["missedCallRate"].as_f64().unwrap(), 1.0 / 3.0);
        assert_eq!(missed_call_rate(&[])["missedCallRate"], Value::Null);
    }

    #[test]
    fn by_agent() {
        let v = agent_distribution(&sample());
        assert_eq!(
            v[0],
            json!({"agent": null, "totalCalls": 3, "answeredCalls": 1, "missedCalls": 0, "percentage": 60.0})
        );
        assert_eq!(
            v[1],
            json!({"agent": "Ann", "totalCalls": 2, "answeredCalls": 1, "missedCalls": 1, "percentage": 40.0})
        );
    }

    #[test]
    fn voicemail_list() {
        let v = voicemails(&sample());
        let rows = v.as_array().unwrap();
        assert_eq!(rows.len(), 1);
        assert_eq!(
            keys(&rows[0]),
            names(&[
                "id",
                "from",
                "to",
                "dateTimeUtc",
                "duration",
                "businessNumber",
                "callRecord",
                "transcript"
            ])
        );
        assert_eq!(rows[0]["callRecord"]["uri"], "file:///vm/m4.wav");
        assert_eq!(rows[0]["transcript"], "please call back");
        assert_eq!(rows[0]["from"], "+15551230000");
        assert_eq!(rows[0]["duration"], 40.0);
    }
}
