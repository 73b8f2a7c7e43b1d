//! The typed fast lane of JustCall v2.1 documents: a list page (`{"data": [...], ...}`) or one
//! bare call, read into borrowed structs instead of a `serde_json::Value` DOM, then mapped by
//! the same [`call_fields_item`] as the general path.
//!
//! It answers only when it can show that the general path would read the document as JustCall
//! v2.1 calls (see [`read`]); otherwise it gives `None` and the general path reads it.

use super::{
    CallFields, DurationFields, InfoFields, PartyFields, QueueField, Traits, call_fields_item,
};
use crate::providers::json::{
    List, Scalar, ScalarVisitor, Scalars, Seen, element_path_in, fill_by_value, json_object,
    spare_list,
};
use crate::providers::lane::{Bail, LaneFill, Reader};
use crate::providers::{Item, ParseCtx};
use serde::de::{self, Deserialize, Deserializer, MapAccess, Visitor};
use std::fmt;

json_object! {
    /// `call_info`.
    struct Info<'a> {
        direction: Scalar<'a> = "direction",
        kind: Scalar<'a> = "type",
        disposition: Scalar<'a> = "disposition",
        notes: Scalar<'a> = "notes",
        recording: Scalar<'a> = "recording",
        /// `null` reads as absent, as for the general path.
        call_traits: Option<Scalars<'a>> = "call_traits",
    }
}

json_object! {
    /// `call_duration`.
    struct Duration<'a> {
        total_duration: Scalar<'a> = "total_duration",
        conversation_time: Scalar<'a> = "conversation_time",
        ring_time: Scalar<'a> = "ring_time",
        queue_wait_time: Scalar<'a> = "queue_wait_time",
        wrap_up_time: Scalar<'a> = "wrap_up_time",
    }
}

json_object! {
    /// `justcall_ai`.
    struct Ai<'a> {
        call_summary: Scalar<'a> = "call_summary",
    }
}

json_object! {
    /// A `queue` object.
    struct QueueObject<'a> {
        name: Scalar<'a> = "name",
        queue_name: Scalar<'a> = "queue_name",
    }
}

/// A `queue` value: a scalar or an object.
#[derive(Debug)]
enum Queue<'a> {
    Scalar(Scalar<'a>),
    Object(QueueObject<'a>),
}

impl<'de> Deserialize<'de> for Queue<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct QueueVisitor;
        impl<'de> Visitor<'de> for QueueVisitor {
            type Value = Queue<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a queue object or a scalar")
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
                ScalarVisitor.visit_bool(v).map(Queue::Scalar)
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
                ScalarVisitor.visit_i64(v).map(Queue::Scalar)
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
                ScalarVisitor.visit_u64(v).map(Queue::Scalar)
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
                ScalarVisitor.visit_f64(v).map(Queue::Scalar)
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
                ScalarVisitor.visit_borrowed_str(v).map(Queue::Scalar)
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                ScalarVisitor.visit_str(v).map(Queue::Scalar)
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
                ScalarVisitor.visit_string(v).map(Queue::Scalar)
            }
            fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
                ScalarVisitor.visit_unit().map(Queue::Scalar)
            }
            fn visit_map<M: MapAccess<'de>>(self, map: M) -> Result<Self::Value, M::Error> {
                QueueObject::deserialize(de::value::MapAccessDeserializer::new(map))
                    .map(Queue::Object)
            }
        }
        deserializer.deserialize_any(QueueVisitor)
    }
}

fill_by_value!(Queue<'de>);

impl<'de> LaneFill<'de> for Queue<'de> {
    /// As `Queue::deserialize`: an object, or a scalar (an array gives up).
    fn lane_fill(&mut self, r: &mut Reader<'de>) -> Result<(), Bail> {
        *self = if r.object_follows() {
            let mut object = QueueObject::default();
            object.lane_fill(r)?;
            Queue::Object(object)
        } else {
            Queue::Scalar(r.scalar()?)
        };
        Ok(())
    }
}

impl Default for Queue<'_> {
    /// Only a place to read into (an `Option<Queue>` read as `Some` is always replaced).
    fn default() -> Self {
        Queue::Scalar(Scalar::Absent)
    }
}

json_object! {
    /// A v2.1 call, or a whole document: a list page is a "call" with `data`.
    struct Call<'a> {
        id: Scalar<'a> = "id",
        call_sid: Scalar<'a> = "call_sid",
        contact_number: Scalar<'a> = "contact_number",
        contact_name: Scalar<'a> = "contact_name",
        justcall_number: Scalar<'a> = "justcall_number",
        agent_id: Scalar<'a> = "agent_id",
        agent_name: Scalar<'a> = "agent_name",
        agent_email: Scalar<'a> = "agent_email",
        call_date: Scalar<'a> = "call_date",
        call_time: Scalar<'a> = "call_time",
        cost_incurred: Scalar<'a> = "cost_incurred",
        justcall_line_name: Scalar<'a> = "justcall_line_name",
        /// `null` reads as absent, as for the general path (here and below).
        queue: Option<Queue<'a>> = "queue",
        call_info: Option<Info<'a>> = "call_info",
        call_duration: Option<Duration<'a>> = "call_duration",
        justcall_ai: Option<Ai<'a>> = "justcall_ai",
        /// The calls of a list page.
        data: Option<List<'a, Calls>> = "data",
        // Keys that other readers, JustCall webhooks or JustCall's foreign-key rule look at:
        // with any of them present, the general path decides.
        kind: Seen = "type",
        message: Seen = "message",
        created_at: Seen = "createdAt",
        event: Seen = "event",
        items: Seen = "items",
        call_state: Seen = "call_state",
        calls: Seen = "calls",
        recordings: Seen = "recordings",
        call_summaries: Seen = "call_summaries",
        sid: Seen = "sid",
        call_sid_form: Seen = "CallSid",
        account_sid: Seen = "account_sid",
        specversion: Seen = "specversion",
        org_id: Seen = "orgId",
        call_id: Seen = "call_id",
        from_number: Seen = "from_number",
        to_number: Seen = "to_number",
        started_at: Seen = "started_at",
        started_at_camel: Seen = "startedAt",
        outcome: Seen = "outcome",
    }
}

spare_list!(
    /// The calls of a list page (`json::Spare`).
    Calls,
    Call
);

impl<'a> Call<'a> {
    fn fields(&self) -> CallFields<'_> {
        CallFields {
            id: self.id.field(),
            call_sid: self.call_sid.field(),
            parties: PartyFields {
                contact_number: self.contact_number.field(),
                contact_name: self.contact_name.field(),
                justcall_number: self.justcall_number.field(),
                agent_id: self.agent_id.field(),
                agent_name: self.agent_name.field(),
                agent_email: self.agent_email.field(),
            },
            call_date: self.call_date.field(),
            call_time: self.call_time.field(),
            cost_incurred: self.cost_incurred.field(),
            justcall_line_name: self.justcall_line_name.field(),
            queue: self.queue.as_ref().and_then(|q| match q {
                Queue::Scalar(s) => s.field().map(QueueField::Field),
                Queue::Object(o) => Some(QueueField::Names {
                    name: o.name.field(),
                    queue_name: o.queue_name.field(),
                }),
            }),
            call_info: self.call_info.as_ref().map(|ci| InfoFields {
                direction: ci.direction.field(),
                kind: ci.kind.field(),
                disposition: ci.disposition.field(),
                notes: ci.notes.field(),
                recording: ci.recording.field(),
                call_traits: ci.call_traits.as_ref().map(Traits::Scalars),
            }),
            call_duration: self.call_duration.as_ref().map(|cd| DurationFields {
                total_duration: cd.total_duration.field(),
                conversation_time: cd.conversation_time.field(),
                ring_time: cd.ring_time.field(),
                queue_wait_time: cd.queue_wait_time.field(),
                wrap_up_time: cd.wrap_up_time.field(),
            }),
            call_summary: self.justcall_ai.as_ref().map(|ai| ai.call_summary.field()),
        }
    }

    /// None of the keys of JustCall's foreign-key rule (`justcall::FOREIGN_KEYS`).
    fn no_foreign_keys(&self) -> bool {
        !(self.sid.0
            || self.call_sid_form.0
            || self.account_sid.0
            || self.specversion.0
            || self.org_id.0
            || self.call_id.0
            || self.from_number.0
            || self.to_number.0
            || self.started_at.0
            || self.started_at_camel.0
            || self.outcome.0)
    }

    /// None of the keys that would make Vapi, Retell or Twilio detection claim the object, or
    /// make it a JustCall webhook.
    fn plain(&self) -> bool {
        self.no_foreign_keys()
            && !(self.kind.0
                || self.message.0
                || self.created_at.0
                || self.event.0
                || self.items.0
                || self.call_state.0
                || self.calls.0
                || self.recordings.0
                || self.call_summaries.0)
    }

    /// `justcall::looks_like_call`, shown without its legacy v1 branch.
    fn looks_like_call(&self) -> bool {
        let own = self.call_info.is_some()
            || self.call_duration.is_some()
            || (self.call_date.present() && self.call_time.present())
            || self.justcall_number.present();
        self.no_foreign_keys()
            && (own
                || (self.call_sid.present()
                    && (self.contact_number.present() || self.agent_id.present())))
    }

    /// `justcall::is_v21`: read as a v2.1 call, not as a legacy v1 record.
    fn is_v21(&self) -> bool {
        self.call_sid.present()
            || self.call_info.is_some()
            || self.call_duration.is_some()
            || (self.call_date.present() && self.call_time.present())
            || self.justcall_number.present()
    }
}

/// The items of a JustCall v2.1 document at `path`, exactly as `justcall::parse` gives them
/// after `providers::detect_json` (or a `provider` option naming JustCall) chose JustCall;
/// `None` when that cannot be shown cheaply (then the caller reads the document the general
/// way).
///
/// Shown by:
/// - the document is a JSON object the general parser would accept: the same parser calls on
///   the same text, so the same validation (`text` is the whole input, already checked to be
///   UTF-8, which the general path checks string by string); any value of a mapped key of an unexpected type sends it back;
/// - Vapi needs `message`, or `id` and `createdAt`; Retell `event`, `items` or `call_id`;
///   Twilio `calls`, `recordings`, `call_summaries`, `sid`, `specversion` or `call_state`
///   (with `call_sid`): none is present, nor any key of JustCall's foreign-key rule, nor
///   `type` (a webhook);
/// - JustCall's detection then sees a `data` array whose first call looks like a v2.1 call
///   (a page), or, without `data`, the document itself looks like one (one call); and every
///   call read is a v2.1 call (not a legacy v1 record).
///
/// Only for `keep_extra == false`: the unmapped fields are never seen.
pub(crate) fn read(
    text: &str,
    path: &str,
    ctx: &mut ParseCtx,
    emit: &mut impl FnMut(&mut Item, &mut ParseCtx),
) -> Option<()> {
    if ctx.keep_extra {
        return None;
    }
    // the fast reader when it can, serde_json when it gives up (the same value either way)
    let doc: Call<'_> =
        crate::providers::lane::fill_str(text).or_else(|| serde_json::from_str(text).ok())?;
    if !doc.plain() {
        return None;
    }
    match &doc.data {
        Some(List(calls)) => {
            if !calls.first().is_some_and(Call::looks_like_call) || !calls.iter().all(Call::is_v21)
            {
                return None;
            }
            let mut at = String::new();
            for (i, c) in calls.iter().enumerate() {
                element_path_in(&mut at, path, "data", i);
                let mut item = call_fields_item(&c.fields(), None, &at, ctx, None);
                emit(&mut item, ctx);
                ctx.recycle(&mut item);
            }
        }
        None => {
            if !(doc.looks_like_call() && doc.is_v21()) {
                return None;
            }
            let mut item = call_fields_item(&doc.fields(), None, path, ctx, None);
            emit(&mut item, ctx);
            ctx.recycle(&mut item);
        }
    }
    Some(())
}

/// How many calls `text` holds, read into this lane's structs and nothing more (no
/// detection checks, no mapping): by the lane's own JSON reader when `lane`, else by
/// serde_json; `None` when the reader gives up. A page counts its `data` list, any other
/// object 1. For the stage benchmarks, through [`crate::providers::read_typed`].
pub(crate) fn calls_read(text: &str, lane: bool) -> Option<usize> {
    let doc: Call<'_> = if lane {
        crate::providers::lane::fill_str(text)?
    } else {
        serde_json::from_str(text).ok()?
    };
    Some(doc.data.as_ref().map_or(1, |calls| calls.0.len()))
}
