//! The typed fast lane of Twilio REST documents: a Calls list page (`{"calls": [...], ...}`) or
//! one Call resource, read into borrowed structs instead of a `serde_json::Value` DOM, then
//! mapped by the same [`call_fields_item`] as the general path.
//!
//! It answers only when it can show that the general path would read the document as Twilio
//! REST calls (see [`read`]); otherwise it gives `None` and the general path reads it.

use super::{CallFields, call_fields_item};
use crate::providers::json::{List, Scalar, Seen, element_path_in, json_object, spare_list};
use crate::providers::{Item, ParseCtx};

json_object! {
    /// A Call resource, or a whole document: a list page is a "call" with `calls`.
    struct Call<'a> {
        sid: Scalar<'a> = "sid",
        parent_call_sid: Scalar<'a> = "parent_call_sid",
        account_sid: Scalar<'a> = "account_sid",
        direction: Scalar<'a> = "direction",
        answered_by: Scalar<'a> = "answered_by",
        status: Scalar<'a> = "status",
        start_time: Scalar<'a> = "start_time",
        date_created: Scalar<'a> = "date_created",
        end_time: Scalar<'a> = "end_time",
        duration: Scalar<'a> = "duration",
        price: Scalar<'a> = "price",
        from: Scalar<'a> = "from",
        to: Scalar<'a> = "to",
        caller_name: Scalar<'a> = "caller_name",
        /// The calls of a list page (`null` reads as absent, as for the general path).
        calls: Option<List<'a, Calls>> = "calls",
        // Keys that other readers or other Twilio shapes look at: with any of them present,
        // the general path decides.
        message: Seen = "message",
        id: Seen = "id",
        event: Seen = "event",
        items: Seen = "items",
        call_id: Seen = "call_id",
        specversion: Seen = "specversion",
        recordings: Seen = "recordings",
        call_summaries: Seen = "call_summaries",
        call_state: Seen = "call_state",
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
            sid: self.sid.field(),
            parent_call_sid: self.parent_call_sid.field(),
            account_sid: self.account_sid.field(),
            direction: self.direction.field(),
            answered_by: self.answered_by.field(),
            status: self.status.field(),
            start_time: self.start_time.field(),
            date_created: self.date_created.field(),
            end_time: self.end_time.field(),
            duration: self.duration.field(),
            price: self.price.field(),
            from: self.from.field(),
            to: self.to.field(),
            caller_name: self.caller_name.field(),
        }
    }

    /// None of the keys that would make Vapi or Retell detection, or another Twilio shape
    /// (Event Streams, recordings, Insights), claim the object.
    fn plain(&self) -> bool {
        !(self.message.0
            || self.id.0
            || self.event.0
            || self.items.0
            || self.call_id.0
            || self.specversion.0
            || self.recordings.0
            || self.call_summaries.0
            || self.call_state.0)
    }

    fn sid_is_call(&self) -> bool {
        matches!(&self.sid, Scalar::Str(s) if s.starts_with("CA"))
    }
}

/// The items of a Twilio REST document at `path`, handed to `emit` one by one (nothing is
/// handed before the document is read and shown to be Twilio's), exactly as `twilio::parse` gives them after
/// `providers::detect_json` (or a `provider` option naming Twilio) chose Twilio; `None` when
/// that cannot be shown cheaply (then the caller reads the document the general way).
///
/// Shown by:
/// - the document is a JSON object the general parser would accept: the same parser calls on
///   the same text, so the same validation (`text` is the whole input, already checked to be
///   UTF-8, which the general path checks string by string); any value of a mapped key that is not a scalar sends it back;
/// - Vapi needs `message`, or `id` and `createdAt`; Retell needs `event`, `items` or `call_id`;
///   none is present. Twilio's detection then sees a `calls` array whose first call has a
///   `CA…` string `sid` (a page), or, without `calls`, a `CA…` string `sid` and a string
///   `account_sid` (one call);
/// - `twilio::parse` then reads `calls` (no `specversion`), or, for one call, no `recordings`,
///   `call_summaries` or `call_state` send it elsewhere and it reads the call.
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
    match &doc.calls {
        Some(List(calls)) => {
            if !calls.first().is_some_and(Call::sid_is_call) {
                return None;
            }
            let mut at = String::new();
            for (i, c) in calls.iter().enumerate() {
                element_path_in(&mut at, path, "calls", i);
                let mut item = call_fields_item(&c.fields(), None, &at, ctx);
                emit(&mut item, ctx);
                ctx.recycle(&mut item);
            }
        }
        None => {
            let account_is_text = matches!(doc.account_sid, Scalar::Str(_));
            if !(doc.sid_is_call() && account_is_text) {
                return None;
            }
            let mut item = call_fields_item(&doc.fields(), None, path, ctx);
            emit(&mut item, ctx);
            ctx.recycle(&mut item);
        }
    }
    Some(())
}

/// How many calls `text` holds, read into this lane's structs and nothing more (no
/// detection checks, no mapping): by the lane's own JSON reader when `lane`, else by
/// serde_json; `None` when the reader gives up. A page counts its `calls` list, any other
/// object 1. For the stage benchmarks, through [`crate::providers::read_typed`].
pub(crate) fn calls_read(text: &str, lane: bool) -> Option<usize> {
    let doc: Call<'_> = if lane {
        crate::providers::lane::fill_str(text)?
    } else {
        serde_json::from_str(text).ok()?
    };
    Some(doc.calls.as_ref().map_or(1, |calls| calls.0.len()))
}
