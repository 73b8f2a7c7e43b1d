//! Text buffers of a call's fields, reused from one call to the next.
//!
//! On the way to a report a call's texts are written twice: into a [`CallDraft`] when its
//! item is mapped (the draft is then packed into one buffer and dropped) and into a
//! [`CallRecord`] when its items are folded (the record is then counted into the aggregates
//! and dropped). A [`Buffers`] keeps one string per field: a field's text is written into the
//! string the same field of the previous call left ([`Buffers::text`]), and a draft or record
//! that is done with hands its strings back ([`Buffers::recycle_draft`],
//! [`Buffers::recycle_record`]). Field by field, because a field's texts are of about the same
//! length from call to call (a Twilio sid is 34 bytes, a phone number 12), so that once warm
//! the buffers are large enough and nothing is allocated. Without a buffer (an empty
//! [`Buffers`]) a string is allocated as usual; the texts are the same either way.

use super::{Agent, CallDraft, CallRecord};

/// The text fields of a call, in this order (also the order ingest packs them in).
pub(crate) mod slot {
    pub(crate) const CALL_ID: usize = 0;
    pub(crate) const TENANT: usize = 1;
    pub(crate) const RAW_STATUS: usize = 2;
    pub(crate) const AGENT_ID: usize = 3;
    pub(crate) const AGENT_EMAIL: usize = 4;
    pub(crate) const AGENT_NAME: usize = 5;
    pub(crate) const ASSISTANT: usize = 6;
    pub(crate) const QUEUE: usize = 7;
    pub(crate) const CUSTOMER_NUMBER: usize = 8;
    pub(crate) const BUSINESS_NUMBER: usize = 9;
    pub(crate) const CUSTOMER_NAME: usize = 10;
    pub(crate) const ENDED_RAW: usize = 11;
    pub(crate) const DISPOSITION: usize = 12;
    pub(crate) const NOTES: usize = 13;
    pub(crate) const SUMMARY: usize = 14;
    pub(crate) const INTENT: usize = 15;
    pub(crate) const RECORDING_URL: usize = 16;
    pub(crate) const LANGUAGE: usize = 17;
    /// How many there are.
    pub(crate) const COUNT: usize = 18;
}

/// A buffer larger than this is freed rather than kept (a long note is not a typical text).
const MAX_CAPACITY: usize = 1024;

/// Hand back the text fields that a [`CallDraft`] and a [`CallRecord`] both have, under the
/// same names and types (everything but the call id): `$buffers.put` each into its slot.
macro_rules! recycle_shared_texts {
    ($buffers:expr, $x:ident) => {
        $buffers.recycle_tags(std::mem::take(&mut $x.tags));
        $buffers.put(slot::TENANT, $x.tenant.take());
        $buffers.put(slot::RAW_STATUS, $x.raw_status.take());
        $buffers.put_agent($x.agent.take());
        $buffers.put(slot::ASSISTANT, $x.assistant.take());
        $buffers.put(slot::QUEUE, $x.queue.take());
        $buffers.put(slot::CUSTOMER_NUMBER, $x.customer_number.take());
        $buffers.put(slot::BUSINESS_NUMBER, $x.business_number.take());
        $buffers.put(slot::CUSTOMER_NAME, $x.customer_name.take());
        $buffers.put(slot::ENDED_RAW, $x.ended_reason.take().map(|e| e.raw));
        $buffers.put(slot::DISPOSITION, $x.disposition.take());
        $buffers.put(slot::NOTES, $x.notes.take());
        $buffers.put(slot::SUMMARY, $x.summary.take());
        $buffers.put(slot::INTENT, $x.intent.take());
        $buffers.put(slot::RECORDING_URL, $x.recording_url.take());
        $buffers.put(slot::LANGUAGE, $x.language.take());
    };
}

/// One reusable string per text field, and one for the record id.
#[derive(Debug, Default)]
pub(crate) struct Buffers {
    texts: [String; slot::COUNT],
    id: String,
    path: String,
    /// Tag strings, and an empty list to hold them.
    tags: Vec<String>,
    tag_list: Vec<String>,
}

/// Tags kept for reuse, at most (and the longest list kept).
const MAX_TAGS: usize = 16;

impl Buffers {
    /// The (empty) buffer of field `slot`, taken out until a draft or record holding it is
    /// recycled.
    pub(crate) fn take(&mut self, slot: usize) -> String {
        let mut b = self
            .texts
            .get_mut(slot)
            .map(std::mem::take)
            .unwrap_or_default();
        b.clear();
        b
    }

    /// Put back a buffer taken from field `slot` and not used.
    pub(crate) fn give_back(&mut self, slot: usize, b: String) {
        self.put(slot, Some(b));
    }

    /// `s` as the text of field `slot`, written into its buffer.
    pub(crate) fn text(&mut self, slot: usize, s: &str) -> String {
        let mut b = self.take(slot);
        b.push_str(s);
        b
    }

    /// The (empty) buffer of a record id.
    pub(crate) fn id(&mut self) -> String {
        let mut b = std::mem::take(&mut self.id);
        b.clear();
        b
    }

    /// An empty tag list (a reused one).
    pub(crate) fn tag_list(&mut self) -> Vec<String> {
        std::mem::take(&mut self.tag_list)
    }

    /// `s` as a tag, written into a reused string.
    pub(crate) fn tag(&mut self, s: &str) -> String {
        let mut b = self.tags.pop().unwrap_or_default();
        b.clear();
        b.push_str(s);
        b
    }

    /// Keep one tag string.
    pub(crate) fn recycle_tag(&mut self, tag: String) {
        if self.tags.len() < MAX_TAGS && tag.capacity() <= MAX_CAPACITY {
            self.tags.push(tag);
        }
    }

    /// Keep a tag list and its strings.
    fn recycle_tags(&mut self, mut list: Vec<String>) {
        for tag in list.drain(..) {
            self.recycle_tag(tag);
        }
        if list.capacity() <= MAX_TAGS {
            self.tag_list = list;
        }
    }

    /// `path` as an item's path, written into the path buffer.
    pub(crate) fn path(&mut self, path: &str) -> String {
        let mut b = std::mem::take(&mut self.path);
        b.clear();
        b.push_str(path);
        b
    }

    /// Keep an item's path string (its text was copied).
    pub(crate) fn recycle_path(&mut self, path: String) {
        if path.capacity() > 0 && path.capacity() <= MAX_CAPACITY {
            self.path = path;
        }
    }

    fn put(&mut self, slot: usize, s: Option<String>) {
        if let (Some(s), Some(b)) = (s, self.texts.get_mut(slot)) {
            if s.capacity() <= MAX_CAPACITY {
                *b = s;
            }
        }
    }

    /// Keep the strings of a draft that is done with (its texts were copied); its text
    /// fields are left empty.
    pub(crate) fn recycle_draft(&mut self, d: &mut CallDraft) {
        self.put(slot::CALL_ID, d.provider_call_id.take());
        recycle_shared_texts!(self, d);
    }

    /// Keep the strings of a record that has been counted and is not kept; its text fields
    /// are left empty.
    pub(crate) fn recycle_record(&mut self, r: &mut CallRecord) {
        let id = std::mem::take(&mut r.id);
        if id.capacity() <= MAX_CAPACITY {
            self.id = id;
        }
        self.put(slot::CALL_ID, Some(std::mem::take(&mut r.provider_call_id)));
        recycle_shared_texts!(self, r);
    }

    fn put_agent(&mut self, agent: Option<Agent>) {
        if let Some(a) = agent {
            self.put(slot::AGENT_ID, a.id);
            self.put(slot::AGENT_EMAIL, a.email);
            self.put(slot::AGENT_NAME, a.name);
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // a failed unwrap is a failed test
mod tests {
    use super::*;
    use crate::model::Provider;

    #[test]
    fn a_recycled_draft_lends_each_field_its_own_buffer_back() {
        let mut buffers = Buffers::default();
        let mut d = CallDraft::new(Provider::Twilio, "CA1");
        d.tenant = Some(String::with_capacity(40));
        d.customer_number = Some(String::from("+14155550100"));
        let tenant_at = d.tenant.as_ref().unwrap().as_ptr();
        let number_at = d.customer_number.as_ref().unwrap().as_ptr();
        buffers.recycle_draft(&mut d);
        let tenant = buffers.text(slot::TENANT, "AC2");
        let number = buffers.text(slot::CUSTOMER_NUMBER, "+14155550111");
        assert_eq!((tenant.as_str(), number.as_str()), ("AC2", "+14155550111"));
        assert_eq!(tenant.as_ptr(), tenant_at);
        assert_eq!(number.as_ptr(), number_at);
        // taken: the next call of the same field gets a new buffer
        assert_eq!(buffers.take(slot::TENANT).capacity(), 0);
        assert_eq!(buffers.text(slot::COUNT, "out of range"), "out of range");
    }

    #[test]
    fn a_buffer_given_back_unused_serves_the_next_text_of_its_field() {
        let mut buffers = Buffers::default();
        buffers.give_back(slot::QUEUE, String::with_capacity(16));
        let b = buffers.take(slot::QUEUE);
        let at = b.as_ptr();
        // an absent field: the buffer goes back, not away
        buffers.give_back(slot::QUEUE, b);
        let queue = buffers.text(slot::QUEUE, "support");
        assert_eq!((queue.as_str(), queue.as_ptr()), ("support", at));
    }

    #[test]
    fn a_recycled_record_lends_its_id_call_id_and_texts_back() {
        let mut d = CallDraft::new(Provider::JustCall, "42");
        d.started_at = chrono::DateTime::from_timestamp(1_700_000_000, 0);
        d.queue = Some(String::from("Support"));
        d.tags = vec![String::from("vip")];
        let (mut r, _) = d.into_record(false).unwrap();
        let at = |s: &str| s.as_ptr();
        let (id, call_id, queue, tag) = (
            at(&r.id),
            at(&r.provider_call_id),
            at(r.queue.as_deref().unwrap()),
            at(&r.tags[0]),
        );
        let mut buffers = Buffers::default();
        buffers.recycle_record(&mut r);
        assert!(r.queue.is_none() && r.tags.is_empty() && r.id.is_empty());
        assert_eq!(at(&buffers.id()), id);
        assert_eq!(at(&buffers.text(slot::CALL_ID, "43")), call_id);
        assert_eq!(at(&buffers.text(slot::QUEUE, "Sales")), queue);
        assert_eq!(at(&buffers.tag("new")), tag);
    }

    #[test]
    fn large_buffers_are_freed_not_kept() {
        let mut buffers = Buffers::default();
        let mut d = CallDraft::new(Provider::Vapi, "c");
        d.notes = Some(String::with_capacity(MAX_CAPACITY + 1));
        buffers.recycle_draft(&mut d);
        assert_eq!(buffers.take(slot::NOTES).capacity(), 0);
        assert!(buffers.take(slot::CALL_ID).capacity() > 0);
    }
}
