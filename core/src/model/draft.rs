//! A partial call record as one payload item describes it, before folding.
//!
//! Providers turn each item (a REST record, a webhook, a CSV row) into a [`CallDraft`]. Items
//! with the same id are folded by sorting them by [`CallDraft::precedence`] (then by content, so
//! that the order of arrival never matters) and overlaying each on the previous: a value that a
//! later item sets wins, a value it leaves unset is kept. The result is then finished by
//! [`CallDraft::into_record`], which derives missing durations and checks the SPEC invariants.

use super::record::{
    Agent, CallRecord, EndedReason, Extra, Quality, Transcript, Transfer, after_seconds,
};
use super::vocab::{Direction, Outcome, Provider};
use chrono::{DateTime, Utc};
use serde::Serialize;

/// A warning or rejection reason tied to a field path.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct FieldIssue {
    /// JSON path (`$.calls[3].start_time`) or column name of the value.
    pub path: String,
    /// What is wrong with it.
    pub reason: String,
}

/// A partial call record. Every field is optional until folding is done.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[allow(missing_docs)]
pub struct CallDraft {
    pub provider: Option<Provider>,
    pub provider_call_id: Option<String>,
    /// Ordering among items of one call: higher overlays lower. Providers use lifecycle stage
    /// (and sequence numbers where the source has them).
    pub precedence: u64,
    pub tenant: Option<String>,
    pub direction: Option<Direction>,
    pub outcome: Option<Outcome>,
    pub raw_status: Option<String>,
    pub started_at: Option<DateTime<Utc>>,
    pub answered_at: Option<DateTime<Utc>>,
    pub ended_at: Option<DateTime<Utc>>,
    pub duration_s: Option<f64>,
    pub talk_s: Option<f64>,
    pub wait_s: Option<f64>,
    pub wrap_up_s: Option<f64>,
    pub agent: Option<Agent>,
    pub assistant: Option<String>,
    pub queue: Option<String>,
    pub customer_number: Option<String>,
    pub business_number: Option<String>,
    pub customer_name: Option<String>,
    pub ended_reason: Option<EndedReason>,
    pub disposition: Option<String>,
    pub notes: Option<String>,
    pub tags: Vec<String>,
    pub transfers: Vec<Transfer>,
    pub summary: Option<String>,
    pub intent: Option<String>,
    pub transcript: Transcript,
    pub recording_url: Option<String>,
    pub quality: Option<Quality>,
    pub cost: Option<f64>,
    pub language: Option<String>,
    pub extra: Extra,
    /// Lenient-mode warnings gathered while parsing this item.
    pub warnings: Vec<FieldIssue>,
}

macro_rules! overlay_options {
    ($self:ident, $other:ident; $($field:ident),+ $(,)?) => {
        $( if $other.$field.is_some() { $self.$field = $other.$field; } )+
    };
}

impl CallDraft {
    /// A draft for `provider` with its call id.
    pub fn new(provider: Provider, provider_call_id: impl Into<String>) -> Self {
        CallDraft {
            provider: Some(provider),
            provider_call_id: Some(provider_call_id.into()),
            ..Default::default()
        }
    }

    /// The dedup key `"{provider}:{provider_call_id}"`, when both are known.
    pub fn id(&self) -> Option<String> {
        match (&self.provider, &self.provider_call_id) {
            (Some(p), Some(id)) => Some(call_key(*p, id)),
            _ => None,
        }
    }

    /// Lay `other` over `self`: what `other` sets wins; lists are united.
    pub fn overlay(&mut self, other: CallDraft) {
        overlay_options!(self, other; provider, provider_call_id, tenant, direction, outcome,
            raw_status, started_at, answered_at, ended_at, duration_s, talk_s, wait_s, wrap_up_s,
            assistant, queue, customer_number, business_number, customer_name, ended_reason,
            disposition, notes, summary, intent, recording_url, cost, language);
        self.precedence = self.precedence.max(other.precedence);
        match (&mut self.agent, other.agent) {
            (Some(mine), Some(theirs)) => {
                overlay_options!(mine, theirs; id, email, name);
            }
            (mine @ None, theirs @ Some(_)) => *mine = theirs,
            _ => {}
        }
        match (&mut self.quality, other.quality) {
            (Some(mine), Some(theirs)) => {
                overlay_options!(mine, theirs; mos, jitter_ms, packet_loss, rtt_ms, codec);
            }
            (mine @ None, theirs @ Some(_)) => *mine = theirs,
            _ => {}
        }
        for tag in other.tags {
            if !self.tags.contains(&tag) {
                self.tags.push(tag);
            }
        }
        for t in other.transfers {
            if !self.transfers.contains(&t) {
                self.transfers.push(t);
            }
        }
        if !other.transcript.is_empty() && other.transcript.len() >= self.transcript.len() {
            self.transcript = other.transcript;
        }
        for (k, v) in other.extra {
            if !v.is_null() || !self.extra.contains_key(&k) {
                self.extra.insert(k, v);
            }
        }
        for w in other.warnings {
            if !self.warnings.contains(&w) {
                self.warnings.push(w);
            }
        }
    }

    /// Fold the drafts of one call, whatever order they arrived in.
    ///
    /// Sorted by precedence, then by their serialized content so that equal precedences give
    /// one answer for every arrival order. Panics never; an empty input gives a default draft.
    pub fn fold(mut drafts: Vec<CallDraft>) -> CallDraft {
        if drafts.len() > 1 {
            // Stable sort by precedence; the serialized content is needed (and computed) only
            // to order drafts of equal precedence. The same order as sorting every draft by
            // (precedence, content).
            drafts.sort_by_key(|d| d.precedence);
            let mut start = 0;
            while start < drafts.len() {
                let precedence = drafts[start].precedence;
                let len = drafts[start..]
                    .iter()
                    .take_while(|d| d.precedence == precedence)
                    .count();
                if len > 1 {
                    let run = &mut drafts[start..start + len];
                    run.sort_by_cached_key(|d| serde_json::to_string(d).unwrap_or_default());
                }
                start += len;
            }
        }
        let mut iter = drafts.into_iter();
        let mut acc = iter.next().unwrap_or_default();
        for d in iter {
            acc.overlay(d);
        }
        acc
    }

    /// Fill what can be derived: durations from instants and instants from durations.
    ///
    /// `wait_s` and `answered_at` are derived only for answered calls (SPEC 7); `talk_s` is
    /// never invented from a single total duration.
    pub fn derive(&mut self) {
        let secs = |a: DateTime<Utc>, b: DateTime<Utc>| {
            (b - a).num_microseconds().map(|us| us as f64 / 1e6)
        };
        if let Some(start) = self.started_at {
            if self.duration_s.is_none() {
                // an end before the start is reported as such by `into_record`, not turned
                // into a negative duration
                if let Some(end) = self.ended_at.filter(|end| *end >= start) {
                    self.duration_s = secs(start, end);
                }
            }
            if self.ended_at.is_none() && self.outcome != Some(Outcome::Active) {
                self.ended_at = self.duration_s.and_then(|d| after_seconds(start, d));
            }
            if self.outcome == Some(Outcome::Answered) {
                if self.wait_s.is_none() {
                    if let Some(ans) = self.answered_at {
                        self.wait_s = secs(start, ans);
                    }
                }
                if self.answered_at.is_none() {
                    self.answered_at = self.wait_s.and_then(|w| after_seconds(start, w));
                }
            }
        }
    }

    /// Finish the record: check the required fields and the SPEC 2 invariants.
    ///
    /// Strict mode rejects a record that breaks one; lenient mode clears the offending value
    /// and returns a warning for it. Every returned warning includes the parse-time ones.
    pub fn into_record(self, strict: bool) -> Result<(CallRecord, Vec<FieldIssue>), FieldIssue> {
        self.into_record_keyed(strict).map_err(|(issue, _)| issue)
    }

    /// [`CallDraft::into_record`], with the draft's dedup key ([`CallDraft::id`], or `""`
    /// without one) beside a rejection; a record carries its own (`CallRecord::id`).
    pub(crate) fn into_record_keyed(
        self,
        strict: bool,
    ) -> Result<(CallRecord, Vec<FieldIssue>), (FieldIssue, String)> {
        self.into_record_with(strict, String::new())
    }

    /// [`CallDraft::into_record_keyed`], the record id written into `id` (an empty buffer).
    pub(crate) fn into_record_with(
        mut self,
        strict: bool,
        id: String,
    ) -> Result<(CallRecord, Vec<FieldIssue>), (FieldIssue, String)> {
        let mut record = CallRecord::taken();
        self.take_record_into(strict, id, &mut record)
            .map(|warnings| (record, warnings))
    }

    /// [`CallDraft::into_record_with`] from a draft left where it is, written into `record`
    /// (every field replaced; its strings are dropped, so an empty record is the one to
    /// give), the warnings returned. The draft's fields are taken: what a record does not
    /// hold stays, to be dropped or recycled with the draft. Moving a draft or a record,
    /// ~820 bytes, into and out of each function on the way cost a copy every time (100k
    /// JustCall calls: about ten copies a call, 5 % of the instructions, before round 23).
    pub(crate) fn take_record_into(
        &mut self,
        strict: bool,
        id: String,
        record: &mut CallRecord,
    ) -> Result<Vec<FieldIssue>, (FieldIssue, String)> {
        let key = |d: &CallDraft| d.id().unwrap_or_default();
        self.derive();
        let Some(provider) = self.provider else {
            return Err((issue("$", "no provider"), key(self)));
        };
        let provider_call_id = match self.provider_call_id.take() {
            Some(id) if !id.is_empty() => id,
            other => {
                self.provider_call_id = other;
                return Err((issue("$", "no call id"), key(self)));
            }
        };
        let Some(started_at) = self.started_at else {
            let key = call_key(provider, &provider_call_id);
            self.provider_call_id = Some(provider_call_id);
            return Err((
                issue(
                    "startedAt",
                    "no start time: the item names no instant the call began",
                ),
                key,
            ));
        };
        record.id = call_key_in(id, provider, &provider_call_id);
        record.provider = provider;
        record.provider_call_id = provider_call_id;
        record.tenant = self.tenant.take();
        record.direction = self.direction.unwrap_or(Direction::Unknown);
        record.outcome = self.outcome.unwrap_or(Outcome::Unknown);
        record.raw_status = self.raw_status.take();
        record.started_at = started_at;
        record.answered_at = self.answered_at;
        record.ended_at = self.ended_at;
        record.duration_s = self.duration_s;
        record.talk_s = self.talk_s;
        record.wait_s = self.wait_s;
        record.wrap_up_s = self.wrap_up_s;
        record.agent = self.agent.take().filter(|a| !a.is_empty());
        record.assistant = self.assistant.take();
        record.queue = self.queue.take();
        record.customer_number = self.customer_number.take();
        record.business_number = self.business_number.take();
        record.customer_name = self.customer_name.take();
        record.ended_reason = self.ended_reason.take();
        record.disposition = self.disposition.take();
        record.notes = self.notes.take();
        record.tags = std::mem::take(&mut self.tags);
        record.transfers = std::mem::take(&mut self.transfers);
        record.summary = self.summary.take();
        record.intent = self.intent.take();
        record.transcript = std::mem::take(&mut self.transcript);
        record.recording_url = self.recording_url.take();
        record.quality = self.quality.take().filter(|q| !q.is_empty());
        record.cost = self.cost;
        record.language = self.language.take();
        record.extra = std::mem::take(&mut self.extra);
        let mut warnings = std::mem::take(&mut self.warnings);
        let violations = record.violations();
        if let Some(first) = violations.first() {
            if strict {
                return Err((
                    issue(first.field, &first.reason),
                    std::mem::take(&mut record.id),
                ));
            }
            for v in violations {
                record.clear(v.field);
                warnings.push(issue(v.field, &format!("{}; value cleared", v.reason)));
            }
        }
        Ok(warnings)
    }
}

/// `"{provider}:{provider_call_id}"`, built directly (it is made for every item).
pub(crate) fn call_key(provider: Provider, provider_call_id: &str) -> String {
    call_key_in(String::new(), provider, provider_call_id)
}

/// [`call_key`], written into `key` (an empty buffer).
fn call_key_in(mut key: String, provider: Provider, provider_call_id: &str) -> String {
    let name = provider.as_str();
    key.reserve_exact(name.len() + 1 + provider_call_id.len());
    key.push_str(name);
    key.push(':');
    key.push_str(provider_call_id);
    key
}

fn issue(path: &str, reason: &str) -> FieldIssue {
    FieldIssue {
        path: path.to_string(),
        reason: reason.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    /// A draft with every field set (a lenient-mode violation included: talk over duration).
    fn full() -> CallDraft {
        let mut d = CallDraft::new(Provider::Vapi, "call-9");
        d.tenant = Some("org-1".into());
        d.direction = Some(Direction::Outbound);
        d.outcome = Some(Outcome::Answered);
        d.raw_status = Some("ended".into());
        d.started_at = Some(at("2024-01-01T10:00:00Z"));
        d.answered_at = Some(at("2024-01-01T10:00:05Z"));
        d.ended_at = Some(at("2024-01-01T10:01:00Z"));
        d.duration_s = Some(60.0);
        d.talk_s = Some(90.0);
        d.wait_s = Some(5.0);
        d.wrap_up_s = Some(3.0);
        d.agent = Some(Agent {
            id: Some("a1".into()),
            email: Some("a@example.com".into()),
            name: Some("Ann".into()),
        });
        d.assistant = Some("asst".into());
        d.queue = Some("sales".into());
        d.customer_number = Some("+14155550100".into());
        d.business_number = Some("+14155550199".into());
        d.customer_name = Some("Bo".into());
        d.ended_reason = Some(EndedReason {
            category: crate::model::vocab::EndedReasonCategory::CustomerEnded,
            raw: "customer-ended-call".into(),
        });
        d.disposition = Some("sold".into());
        d.notes = Some("n".into());
        d.tags = vec!["vip".into()];
        d.transfers = vec![Transfer {
            at: None,
            to_queue: Some("billing".into()),
            to_agent: None,
        }];
        d.summary = Some("s".into());
        d.intent = Some("billing".into());
        d.transcript = vec![crate::model::record::TranscriptTurn {
            speaker: "agent".into(),
            start_s: Some(1.0),
            end_s: Some(2.0),
            text: "hi".into(),
            confidence: None,
            language: None,
        }];
        d.recording_url = Some("https://example.com/r.mp3".into());
        d.quality = Some(Quality {
            mos: Some(4.2),
            ..Default::default()
        });
        d.cost = Some(0.12);
        d.language = Some("en".into());
        d.extra.insert("k".into(), serde_json::json!(1));
        d.warnings = vec![FieldIssue {
            path: "$.x".into(),
            reason: "odd".into(),
        }];
        d
    }

    /// A record written into a slot that held another is the record of the draft alone:
    /// every field is replaced (one left out would keep the last call's value).
    #[test]
    fn a_record_taken_into_a_used_slot_is_the_drafts_own() {
        let sparse = || {
            let mut d = CallDraft::new(Provider::Twilio, "CA1");
            d.started_at = Some(at("2024-02-02T09:00:00Z"));
            d
        };
        for strict in [false, true] {
            let mut slot = CallRecord::taken();
            let mut first = full();
            let taken = first.take_record_into(false, String::new(), &mut slot);
            assert_eq!(
                taken.unwrap().len(),
                2,
                "the parse warning and the cleared talk"
            );
            assert_eq!(slot.customer_name.as_deref(), Some("Bo"));
            let mut second = sparse();
            let warnings = second.take_record_into(strict, String::new(), &mut slot);
            assert_eq!(warnings, Ok(Vec::new()));
            let (alone, _) = sparse().into_record(strict).unwrap();
            assert_eq!(slot, alone);
            assert_eq!(slot.id, "twilio:CA1");
            assert_eq!(slot.tenant, None);
            assert!(slot.extra.is_empty() && slot.tags.is_empty() && slot.transcript.is_empty());
        }
    }

    /// Taking a record leaves the draft without what the record holds, and gives the record
    /// (and warnings) that consuming a copy of the draft gives.
    #[test]
    fn taking_a_record_empties_the_draft_of_what_the_record_holds() {
        let mut d = full();
        let (want, want_warnings) = d.clone().into_record(false).unwrap();
        let mut slot = CallRecord::taken();
        let warnings = d.take_record_into(false, String::new(), &mut slot).unwrap();
        assert_eq!(slot, want);
        assert_eq!(warnings, want_warnings);
        assert_eq!(slot.talk_s, None, "talk over duration cleared");
        assert_eq!(d.provider_call_id, None);
        assert_eq!(d.tenant, None);
        assert_eq!(d.agent, None);
        assert_eq!(d.customer_number, None);
        assert!(d.tags.is_empty() && d.transfers.is_empty() && d.transcript.is_empty());
        assert!(d.extra.is_empty() && d.warnings.is_empty());
        // a draft without a start keeps its call id (its buffer goes back with the draft)
        let mut no_start = CallDraft::new(Provider::Twilio, "CA2");
        let err = no_start.take_record_into(false, String::new(), &mut slot);
        assert_eq!(err.unwrap_err().1, "twilio:CA2");
        assert_eq!(no_start.provider_call_id.as_deref(), Some("CA2"));
    }

    fn events() -> Vec<CallDraft> {
        let mut ringing = CallDraft::new(Provider::Twilio, "CA1");
        ringing.precedence = 1;
        ringing.outcome = Some(Outcome::Active);
        ringing.started_at = Some(at("2024-01-01T10:00:00Z"));
        let mut answered = CallDraft::new(Provider::Twilio, "CA1");
        answered.precedence = 2;
        answered.outcome = Some(Outcome::Active);
        answered.answered_at = Some(at("2024-01-01T10:00:04Z"));
        answered.tags = vec!["a".into()];
        let mut done = CallDraft::new(Provider::Twilio, "CA1");
        done.precedence = 3;
        done.outcome = Some(Outcome::Answered);
        done.ended_at = Some(at("2024-01-01T10:01:00Z"));
        done.talk_s = Some(56.0);
        done.tags = vec!["b".into()];
        vec![ringing, answered, done]
    }

    #[test]
    fn fold_is_order_independent() {
        let base = CallDraft::fold(events());
        let mut rev = events();
        rev.reverse();
        assert_eq!(CallDraft::fold(rev), base);
        let mut rot = events();
        rot.rotate_left(1);
        assert_eq!(CallDraft::fold(rot), base);
        assert_eq!(base.outcome, Some(Outcome::Answered));
        assert_eq!(base.answered_at, Some(at("2024-01-01T10:00:04Z")));
    }

    #[test]
    fn fold_is_idempotent_for_copies() {
        let mut twice = events();
        twice.extend(events());
        assert_eq!(CallDraft::fold(twice), CallDraft::fold(events()));
    }

    #[test]
    fn into_record_derives_durations() {
        let (r, w) = CallDraft::fold(events()).into_record(true).unwrap();
        assert!(w.is_empty());
        assert_eq!(r.duration_s, Some(60.0));
        assert_eq!(r.wait_s, Some(4.0));
        assert_eq!(r.id, "twilio:CA1");
    }

    #[test]
    fn strict_rejects_and_lenient_clears() {
        let mut d = CallDraft::fold(events());
        d.ended_at = Some(at("2024-01-01T09:00:00Z"));
        d.duration_s = Some(10.0);
        let err = d.clone().into_record(true).unwrap_err();
        assert_eq!(err.path, "endedAt");
        let (r, w) = d.into_record(false).unwrap();
        assert_eq!(r.ended_at, None);
        assert!(w[0].reason.contains("value cleared"));
    }

    #[test]
    fn missing_start_is_rejected() {
        let d = CallDraft::new(Provider::Vapi, "x");
        assert_eq!(d.into_record(false).unwrap_err().path, "startedAt");
    }
}
