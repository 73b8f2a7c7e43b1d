//! The normalized call record (SPEC section 2).

use super::vocab::{Direction, EndedReasonCategory, Outcome, Provider};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// The largest duration (`durationS`, `talkS`, `waitS`, `wrapUpS`) a record may carry: 10^9 s,
/// about 31.7 years. Larger values break the SPEC 2 invariants (strict mode rejects the record,
/// lenient mode clears the field and warns), so sums of durations can never overflow.
pub const MAX_SECONDS: f64 = 1e9;

/// `start` plus `seconds` (rounded to the microsecond): `None` when `seconds` is not finite, is
/// negative, is over [`MAX_SECONDS`], or the sum is past the last instant chrono represents.
pub(crate) fn after_seconds(start: DateTime<Utc>, seconds: f64) -> Option<DateTime<Utc>> {
    if !(seconds.is_finite() && (0.0..=MAX_SECONDS).contains(&seconds)) {
        return None;
    }
    start.checked_add_signed(chrono::Duration::microseconds(round_non_negative(
        seconds * 1e6,
    )))
}

/// `x.round() as i64` for `x >= 0` (a half rounds up; saturating at `i64::MAX`), without the
/// software `round` that the baseline x86-64 target calls (~7 times a call in a report, here
/// and in `analytics::micros`): the truncating cast is one instruction, and `x - whole` is
/// exact (below 2^52 the two are within 1 of each other, Sterbenz; above, `x` is whole and
/// the difference is 0).
pub(crate) fn round_non_negative(x: f64) -> i64 {
    let whole = x as i64;
    if whole < i64::MAX && x - whole as f64 >= 0.5 {
        whole + 1
    } else {
        whole
    }
}

/// A JSON object of provider fields that have no column in [`CallRecord`].
pub type Extra = serde_json::Map<String, serde_json::Value>;

/// One call, whatever the source. JSON uses camelCase field names.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CallRecord {
    /// `"{provider}:{provider_call_id}"`, the dedup key.
    pub id: String,
    /// The source system.
    pub provider: Provider,
    /// The provider's own id (JustCall id, Twilio CallSid, ...).
    pub provider_call_id: String,
    /// Business / account / workspace that owns the call.
    #[serde(default)]
    pub tenant: Option<String>,
    /// Direction relative to the business.
    pub direction: Direction,
    /// What happened (SPEC 2.1).
    pub outcome: Outcome,
    /// The provider's own status / type word, unchanged.
    #[serde(default)]
    pub raw_status: Option<String>,
    /// When the call began (ringing / initiated).
    pub started_at: DateTime<Utc>,
    /// When it was connected.
    #[serde(default)]
    pub answered_at: Option<DateTime<Utc>>,
    /// When it ended; none while active.
    #[serde(default)]
    pub ended_at: Option<DateTime<Utc>>,
    /// Total seconds, start to end.
    #[serde(default)]
    pub duration_s: Option<f64>,
    /// Connected seconds (conversation time, billsec).
    #[serde(default)]
    pub talk_s: Option<f64>,
    /// Seconds from start to answer (ring / queue time).
    #[serde(default)]
    pub wait_s: Option<f64>,
    /// After-call work seconds where the source records it (joins AHT).
    #[serde(default)]
    pub wrap_up_s: Option<f64>,
    /// The human agent.
    #[serde(default)]
    pub agent: Option<Agent>,
    /// The voice-AI assistant's name.
    #[serde(default)]
    pub assistant: Option<String>,
    /// Department / queue / extension group.
    #[serde(default)]
    pub queue: Option<String>,
    /// The external party, E.164 where parseable.
    #[serde(default)]
    pub customer_number: Option<String>,
    /// The business line, E.164 where parseable.
    #[serde(default)]
    pub business_number: Option<String>,
    /// The external party's name.
    #[serde(default)]
    pub customer_name: Option<String>,
    /// Why the call ended, when the source names a reason.
    #[serde(default)]
    pub ended_reason: Option<EndedReason>,
    /// Agent-entered disposition.
    #[serde(default)]
    pub disposition: Option<String>,
    /// Agent-entered notes.
    #[serde(default)]
    pub notes: Option<String>,
    /// Free tags.
    #[serde(default)]
    pub tags: Vec<String>,
    /// Transfers, in order.
    #[serde(default)]
    pub transfers: Vec<Transfer>,
    /// Call summary (voice AI, agent notes).
    #[serde(default)]
    pub summary: Option<String>,
    /// An intent the source already classified (structured outputs); wins over text analysis.
    #[serde(default)]
    pub intent: Option<String>,
    /// Transcript turns.
    #[serde(default)]
    pub transcript: Vec<TranscriptTurn>,
    /// Recording address.
    #[serde(default)]
    pub recording_url: Option<String>,
    /// Media quality.
    #[serde(default)]
    pub quality: Option<Quality>,
    /// Cost in the provider's currency unit (USD for most).
    #[serde(default)]
    pub cost: Option<f64>,
    /// BCP-47 language tag.
    #[serde(default)]
    pub language: Option<String>,
    /// Every provider field that has no column above.
    #[serde(default)]
    pub extra: Extra,
}

/// The human agent of a call.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Agent {
    /// Provider id of the agent.
    #[serde(default)]
    pub id: Option<String>,
    /// Lower-cased e-mail.
    #[serde(default)]
    pub email: Option<String>,
    /// Display name.
    #[serde(default)]
    pub name: Option<String>,
}

impl Agent {
    /// The breakdown key of SPEC 4.3: lower-cased email, else name, else id.
    pub fn key(&self) -> Option<&str> {
        self.email
            .as_deref()
            .or(self.name.as_deref())
            .or(self.id.as_deref())
    }

    /// Whether no field is set.
    pub fn is_empty(&self) -> bool {
        self.id.is_none() && self.email.is_none() && self.name.is_none()
    }
}

/// Why a call ended: the category and the provider's raw word.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct EndedReason {
    /// Grouped category.
    pub category: EndedReasonCategory,
    /// The provider's word, unchanged.
    pub raw: String,
}

/// One transfer of a call.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Transfer {
    /// When it happened.
    #[serde(default)]
    pub at: Option<DateTime<Utc>>,
    /// Destination queue / department / number.
    #[serde(default)]
    pub to_queue: Option<String>,
    /// Destination agent.
    #[serde(default)]
    pub to_agent: Option<String>,
}

/// Transcript turns of a call.
pub type Transcript = Vec<TranscriptTurn>;

/// One turn of a transcript.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TranscriptTurn {
    /// `agent`, `customer`, `assistant`, `bot` or the provider's word.
    pub speaker: String,
    /// Seconds from call start.
    #[serde(default)]
    pub start_s: Option<f64>,
    /// Seconds from call start.
    #[serde(default)]
    pub end_s: Option<f64>,
    /// The words.
    pub text: String,
    /// Recognition confidence 0-1.
    #[serde(default)]
    pub confidence: Option<f64>,
    /// BCP-47 tag.
    #[serde(default)]
    pub language: Option<String>,
}

/// Media quality figures.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Quality {
    /// Mean opinion score 1-5.
    #[serde(default)]
    pub mos: Option<f64>,
    /// Jitter in ms.
    #[serde(default)]
    pub jitter_ms: Option<f64>,
    /// Packet loss fraction or percent as the source gives it.
    #[serde(default)]
    pub packet_loss: Option<f64>,
    /// Round-trip time in ms.
    #[serde(default)]
    pub rtt_ms: Option<f64>,
    /// Codec name.
    #[serde(default)]
    pub codec: Option<String>,
}

impl Quality {
    /// Whether no field is set.
    pub fn is_empty(&self) -> bool {
        self.mos.is_none()
            && self.jitter_ms.is_none()
            && self.packet_loss.is_none()
            && self.rtt_ms.is_none()
            && self.codec.is_none()
    }
}

/// A broken invariant of SPEC 2: which field, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    /// camelCase field name.
    pub field: &'static str,
    /// What is wrong.
    pub reason: String,
}

impl CallRecord {
    /// A record with nothing in it: what is left in the place of one moved out of a
    /// borrowed slot (`std::mem::replace`), where records are made in place and lent out.
    pub(crate) fn taken() -> CallRecord {
        CallRecord {
            id: String::new(),
            provider: Provider::Generic,
            provider_call_id: String::new(),
            tenant: None,
            direction: Direction::Unknown,
            outcome: Outcome::Unknown,
            raw_status: None,
            started_at: DateTime::UNIX_EPOCH,
            answered_at: None,
            ended_at: None,
            duration_s: None,
            talk_s: None,
            wait_s: None,
            wrap_up_s: None,
            agent: None,
            assistant: None,
            queue: None,
            customer_number: None,
            business_number: None,
            customer_name: None,
            ended_reason: None,
            disposition: None,
            notes: None,
            tags: Vec::new(),
            transfers: Vec::new(),
            summary: None,
            intent: None,
            transcript: Vec::new(),
            recording_url: None,
            quality: None,
            cost: None,
            language: None,
            extra: Extra::new(),
        }
    }

    /// The end instant used by concurrency: `ended_at`, else `started_at + duration_s`
    /// (`None` when the duration is not a valid one or the end is not a representable instant).
    pub fn effective_end(&self) -> Option<DateTime<Utc>> {
        self.ended_at
            .or_else(|| after_seconds(self.started_at, self.duration_s?))
    }

    /// The SPEC 2 invariants this record breaks (empty when it is sound).
    pub fn violations(&self) -> Vec<Violation> {
        let mut out = Vec::new();
        for (field, value) in [
            ("durationS", self.duration_s),
            ("talkS", self.talk_s),
            ("waitS", self.wait_s),
            ("wrapUpS", self.wrap_up_s),
            ("cost", self.cost),
        ] {
            if let Some(v) = value {
                if !v.is_finite() {
                    out.push(Violation {
                        field,
                        reason: format!("{field} is not finite"),
                    });
                } else if v < 0.0 && field != "cost" {
                    out.push(Violation {
                        field,
                        reason: format!("{field} is negative ({v})"),
                    });
                } else if v > MAX_SECONDS && field != "cost" {
                    out.push(Violation {
                        field,
                        reason: format!("{field} {v} is over the limit of {MAX_SECONDS} s"),
                    });
                }
            }
        }
        if let Some(end) = self.ended_at {
            if end < self.started_at {
                out.push(Violation {
                    field: "endedAt",
                    reason: format!("endedAt {end} is before startedAt {}", self.started_at),
                });
            }
        }
        if let Some(ans) = self.answered_at {
            if ans < self.started_at {
                out.push(Violation {
                    field: "answeredAt",
                    reason: format!("answeredAt {ans} is before startedAt {}", self.started_at),
                });
            }
        }
        if let (Some(talk), Some(dur)) = (self.talk_s, self.duration_s) {
            if talk.is_finite() && dur.is_finite() && talk > dur + 1e-6 {
                out.push(Violation {
                    field: "talkS",
                    reason: format!("talkS {talk} exceeds durationS {dur}"),
                });
            }
        }
        out
    }

    /// Clear the value named by a violation (lenient mode).
    pub fn clear(&mut self, field: &str) {
        match field {
            "durationS" => self.duration_s = None,
            "talkS" => self.talk_s = None,
            "waitS" => self.wait_s = None,
            "wrapUpS" => self.wrap_up_s = None,
            "cost" => self.cost = None,
            "endedAt" => self.ended_at = None,
            "answeredAt" => self.answered_at = None,
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(crate) fn sample() -> CallRecord {
        CallRecord {
            id: "twilio:CA1".into(),
            provider: Provider::Twilio,
            provider_call_id: "CA1".into(),
            tenant: Some("AC1".into()),
            direction: Direction::Inbound,
            outcome: Outcome::Answered,
            raw_status: Some("completed".into()),
            started_at: "2024-01-01T10:00:00Z".parse().unwrap(),
            answered_at: Some("2024-01-01T10:00:05Z".parse().unwrap()),
            ended_at: Some("2024-01-01T10:01:05Z".parse().unwrap()),
            duration_s: Some(65.0),
            talk_s: Some(60.0),
            wait_s: Some(5.0),
            wrap_up_s: None,
            agent: Some(Agent {
                id: Some("7".into()),
                email: Some("a@b.co".into()),
                name: None,
            }),
            assistant: None,
            queue: Some("sales".into()),
            customer_number: Some("+15551234567".into()),
            business_number: None,
            customer_name: None,
            ended_reason: Some(EndedReason {
                category: EndedReasonCategory::Other,
                raw: "completed".into(),
            }),
            disposition: None,
            notes: None,
            tags: vec!["vip".into()],
            transfers: vec![],
            summary: None,
            intent: None,
            transcript: vec![TranscriptTurn {
                speaker: "customer".into(),
                start_s: Some(0.5),
                end_s: None,
                text: "hi".into(),
                confidence: None,
                language: None,
            }],
            recording_url: None,
            quality: None,
            cost: Some(0.02),
            language: Some("en".into()),
            extra: Extra::new(),
        }
    }

    #[test]
    fn serde_round_trip_is_lossless_and_camel_case() {
        let r = sample();
        let json = serde_json::to_value(&r).unwrap();
        assert_eq!(json["providerCallId"], "CA1");
        assert_eq!(json["startedAt"], "2024-01-01T10:00:00Z");
        assert_eq!(json["endedReason"]["category"], "other");
        assert_eq!(json["transcript"][0]["startS"], 0.5);
        let back: CallRecord = serde_json::from_value(json).unwrap();
        assert_eq!(back, r);
    }

    #[test]
    fn invariants_are_reported() {
        let mut r = sample();
        assert!(r.violations().is_empty());
        r.talk_s = Some(100.0);
        r.wait_s = Some(-1.0);
        r.ended_at = Some("2024-01-01T09:00:00Z".parse().unwrap());
        let fields: Vec<_> = r.violations().iter().map(|v| v.field).collect();
        assert_eq!(fields, vec!["waitS", "endedAt", "talkS"]);
        r.duration_s = Some(f64::NAN);
        assert!(r.violations().iter().any(|v| v.field == "durationS"));
    }

    #[test]
    fn durations_over_the_limit_are_violations_and_ends_never_overflow() {
        let mut r = sample();
        r.ended_at = None;
        r.talk_s = None;
        // 10^9 s is allowed, one more second is not; cost has no upper limit.
        r.duration_s = Some(1e9);
        r.cost = Some(1e300);
        assert!(r.violations().is_empty());
        r.duration_s = Some(1e9 + 1.0);
        let fields: Vec<_> = r.violations().iter().map(|v| v.field).collect();
        assert_eq!(fields, vec!["durationS"]);
        // 10^300 s after 2024 is past chrono's last year: no end, no panic.
        r.duration_s = Some(1e300);
        assert_eq!(r.effective_end(), None);
        r.started_at = DateTime::<Utc>::MAX_UTC;
        r.duration_s = Some(1.0);
        assert_eq!(r.effective_end(), None);
    }

    #[test]
    fn effective_end_uses_duration_when_no_end() {
        let mut r = sample();
        r.ended_at = None;
        assert_eq!(
            r.effective_end(),
            Some("2024-01-01T10:01:05Z".parse().unwrap())
        );
        r.duration_s = None;
        assert_eq!(r.effective_end(), None);
    }
}

#[cfg(test)]
mod round_tests {
    use super::round_non_negative;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn rounding_is_what_f64_round_gives(
            x in prop_oneof![
                0.0..1e7f64,
                0.0..1e19f64,
                // halves and their neighbours
                (0u64..1u64 << 53).prop_map(|n| n as f64 + 0.5),
                (0u64..1u64 << 52).prop_map(|n| f64::from_bits((n as f64 + 0.5).to_bits() - 1)),
                (0u64..u64::MAX).prop_map(|b| f64::from_bits(b >> 1)).prop_filter("finite", |x| x.is_finite()),
            ]
        ) {
            prop_assert_eq!(round_non_negative(x), x.round() as i64, "{}", x);
        }
    }
}
