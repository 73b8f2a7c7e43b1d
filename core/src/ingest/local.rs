//! Calls finished where their file is read: a report over files (`callscope report`, the
//! bindings' `report_files`) finishes most calls of an API list page on the thread that read
//! the page, straight from their drafts, instead of packing every item and holding it until
//! the whole input is read (README "Performance", round 20).
//!
//! A call's items may come from any page (a duplicate from overlapping exports, a `<Dial>`
//! leg after its parent, a webhook event), and a report's partials cannot take a call back
//! out once it is counted. So a page's calls are grouped within the page as it is read, and a
//! call is finished there only when nothing in the page can still join it:
//!
//! - its last item is [`REACH`] call items behind the page's newest (the page is read in
//!   order; a Twilio leg follows its parent within a few items);
//! - none of its items is among the page's first [`REACH`] call items, and it is not still
//!   open at the page's end: calls at a page's edges, which may go on in the next page or
//!   began in the one before, are packed and held as every call was before.
//!
//! Each call finished here leaves its key hash. Once every input is read,
//! [`LocalCalls::conflict`] checks that no key hash of a call finished here is held by any
//! other item read (another page's call, a held item, an item of a streamed file): when one
//! is, some call was finished without all of its items, and the caller reads the input again
//! with every call held ([`crate::report::compute_paths`]). Two keys whose 64-bit hashes meet
//! only cost that second reading. So the report is exactly the one of holding every call.
//!
//! The report lines stay in their order: a call finished here keeps its place by the arrival
//! of its first item, and its lines are merged with the held calls' lines by that place.

use super::{
    Finished, FirstNonWs, Folded, Lead, LeadPath, MAX_ITEM_BYTES, Parsed, Parser, Prepared, Ready,
    ReadyKind, finish_draft, format,
};
use crate::analytics::Partial;
use crate::ingest::IngestReport;
use crate::model::{CallDraft, Provider};
use crate::providers::{Item, ItemKind, ParseCtx};
use std::collections::VecDeque;
use std::sync::{Mutex, PoisonError};

/// How far, in call items of one page, the items of a call finished where the page is read
/// may lie apart, and how many call items at each end of a page are held instead (see the
/// module's documentation). The items of a call further apart in one page are still read
/// right: the check at the end sees the call twice and the input is read again.
pub(crate) const REACH: usize = 16;

/// The partials the calls finished where their pages are read are counted into, one per
/// thread at work: a page's calls go into a partial of their own, merged into one of these
/// when the page was read to its end (a page the fast lane gives back leaves nothing).
pub(crate) struct Local<'m, P> {
    make: &'m (dyn Fn() -> P + Sync),
    /// Partials not in use (taken out while a page's partial is merged in: a thread that
    /// waits on the pool meanwhile may read another page on top).
    kept: Mutex<Vec<P>>,
}

impl<P> std::fmt::Debug for Local<'_, P> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Local").finish_non_exhaustive()
    }
}

impl<'m, P: Partial + Send> Local<'m, P> {
    /// Partials for calls finished where their pages are read, each made by `make`.
    pub(crate) fn new(make: &'m (dyn Fn() -> P + Sync)) -> Self {
        Local {
            make,
            kept: Mutex::new(Vec::new()),
        }
    }

    /// Count a page's partial in.
    fn add(&self, partial: P) {
        let kept = self
            .kept
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .pop();
        let merged = match kept {
            Some(kept) => kept.merge(partial),
            None => partial,
        };
        self.kept
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(merged);
    }

    /// Every call finished where its page was read, as one partial (`None`: no call was).
    pub(crate) fn into_partial(self) -> Option<P> {
        let kept = self
            .kept
            .into_inner()
            .unwrap_or_else(PoisonError::into_inner);
        kept.into_iter().reduce(P::merge)
    }
}

/// What the calls finished where their pages were read leave for the ingest report and for
/// the check at the end: the report lines of each call that has any (by the place of its
/// first item: within its page in a page's [`Parsed`], among all call items of the ingest
/// once collected), their key hashes, and counts.
#[derive(Debug, Default)]
pub(super) struct LocalCalls {
    notes: Vec<(usize, Finished)>,
    keys: Vec<u64>,
    records: u64,
    events_folded: u64,
    duplicates_merged: u64,
}

impl LocalCalls {
    /// Add a page's calls, whose first call item is the ingest's call item `base`.
    pub(super) fn add(&mut self, page: LocalCalls, base: usize) {
        self.notes
            .extend(page.notes.into_iter().map(|(at, f)| (base + at, f)));
        self.keys.extend(page.keys);
        self.records += page.records;
        self.events_folded += page.events_folded;
        self.duplicates_merged += page.duplicates_merged;
    }

    /// Whether the key hash of a call finished where its page was read is also the key hash
    /// of another call finished so, or of an item in `held` (the key hashes of the items
    /// still waiting): then a call may have been finished without all of its items.
    pub(super) fn conflict(&mut self, held: impl Iterator<Item = u64>) -> bool {
        if self.keys.is_empty() {
            return false;
        }
        let mut keys = std::mem::take(&mut self.keys);
        sort(&mut keys);
        if keys.windows(2).any(|w| w[0] == w[1]) {
            return true;
        }
        let mut held: Vec<u64> = held.collect();
        sort(&mut held);
        let (mut i, mut j) = (0, 0);
        while let (Some(a), Some(b)) = (keys.get(i), held.get(j)) {
            match a.cmp(b) {
                std::cmp::Ordering::Less => i += 1,
                std::cmp::Ordering::Greater => j += 1,
                std::cmp::Ordering::Equal => return true,
            }
        }
        false
    }

    /// Write the counts into `report`; the report lines, by the place of each call's first
    /// item, to be merged with the held calls' lines.
    pub(super) fn close(self, report: &mut IngestReport) -> Vec<(usize, Finished)> {
        report.records_out += self.records;
        report.events_folded += self.events_folded;
        report.duplicates_merged += self.duplicates_merged;
        self.notes
    }
}

fn sort(keys: &mut [u64]) {
    #[cfg(feature = "parallel")]
    {
        use rayon::prelude::*;
        keys.par_sort_unstable();
    }
    #[cfg(not(feature = "parallel"))]
    keys.sort_unstable();
}

impl Parser {
    /// [`Parser::prepare_document`], finishing the calls of a page read by the typed fast
    /// lane where it is read, into a partial of `local`.
    pub(super) fn prepare_local<P: Partial + Send>(
        &self,
        source: &str,
        bytes: &[u8],
        local: &Local<'_, P>,
    ) -> Prepared {
        let body = format::strip_bom(bytes);
        if body.first_non_ws() == Some(b'{') && body.len() <= MAX_ITEM_BYTES {
            if let Some(parsed) = self.fast_local(source, body, local) {
                return Prepared(Some(Ok(parsed)));
            }
        }
        self.prepare_document(source, bytes)
    }

    /// [`Parser::fast_lane`] of a whole document (at `$`), finishing its calls where it is
    /// read; `None` where `fast_lane` gives `None` (nothing is counted then).
    fn fast_local<P: Partial + Send>(
        &self,
        source: &str,
        body: &[u8],
        local: &Local<'_, P>,
    ) -> Option<Parsed> {
        let (text, lanes) = self.lanes(body)?;
        lanes.into_iter().flatten().find_map(|provider| {
            let mut ctx = self.ctx();
            let mut page = Page::new(self, source, (local.make)(), text.len() / 512 + 1);
            super::run_lane(provider, text, "$", &mut ctx, &mut |item, ctx| {
                page.emit(item, ctx)
            })?;
            if !page.clean {
                return None;
            }
            page.end(&mut ctx);
            let Page {
                items,
                calls,
                partial,
                ..
            } = page;
            local.add(partial);
            Some(Parsed {
                index: 0,
                items,
                unknown_words: ctx.unknown_words,
                local: Some(Box::new(calls)),
            })
        })
    }
}

/// The calls of one page being read ([`Parser::fast_local`]).
struct Page<'p, P> {
    parser: &'p Parser,
    source: &'p str,
    /// The calls finished so far (dropped with the page when the lane gives it back).
    partial: P,
    /// The page's items in order: a call item finished here is [`ReadyKind::Local`], a held
    /// one packed (when its call is closed).
    items: Vec<Ready>,
    calls: LocalCalls,
    /// Call items handed so far (the next one's place among them).
    seen: usize,
    /// The calls still open, in slots reused once a call is closed.
    open: Vec<Open>,
    free: Vec<usize>,
    /// The open calls by key hash: (key hash, slot).
    by_key: hashbrown::HashTable<(u64, usize)>,
    /// (place of an item, its call's slot), in order: a call is closed when the entry of its
    /// last item comes up [`REACH`] call items later (earlier entries of it are passed over).
    due: VecDeque<(usize, usize)>,
    /// No item had a warning or was rejected (else the page goes to the general path).
    clean: bool,
}

/// A call of a page still open: its key hash, the places of its first and last items among
/// the page's call items, and its items (with their places in the page's items).
#[derive(Default)]
struct Open {
    hash: u64,
    first: usize,
    last: usize,
    members: Vec<(usize, Item)>,
}

/// A call item's key (provider, provider call id).
fn call_key(item: &Item) -> Option<(Provider, &str)> {
    match &item.kind {
        ItemKind::Call { draft, .. } => Some((draft.provider?, draft.provider_call_id.as_deref()?)),
        _ => None,
    }
}

fn is_event(item: &Item) -> bool {
    matches!(item.kind, ItemKind::Call { event: true, .. })
}

impl<'p, P: Partial> Page<'p, P> {
    fn new(parser: &'p Parser, source: &'p str, partial: P, room: usize) -> Self {
        Page {
            parser,
            source,
            partial,
            items: Vec::with_capacity(room),
            calls: LocalCalls::default(),
            seen: 0,
            open: Vec::new(),
            free: Vec::new(),
            by_key: hashbrown::HashTable::new(),
            due: VecDeque::new(),
            clean: true,
        }
    }

    /// Take an item the lane made (left empty in its place: the lane's next item takes its
    /// strings from `ctx`'s buffers, which the calls closed here give back).
    fn emit(&mut self, item: &mut Item, ctx: &mut ParseCtx) {
        if !self.clean {
            return;
        }
        match &item.kind {
            ItemKind::Call { draft, .. } if draft.warnings.is_empty() => {}
            ItemKind::NonCall { .. } => {
                self.items.push(self.parser.ready_from(item));
                return;
            }
            _ => {
                self.clean = false;
                return;
            }
        }
        let at = self.seen;
        self.seen += 1;
        let hash = match &item.kind {
            ItemKind::Call { draft, .. } => self.parser.key_hash(draft),
            _ => None,
        };
        let Some(hash) = hash else {
            // no call id: held, to be rejected where every held item is grouped
            self.items.push(self.parser.ready_from(item));
            return;
        };
        let place = self.items.len();
        self.items.push(Ready {
            index: 0,
            kind: ReadyKind::Local,
        });
        let item = std::mem::replace(
            item,
            Item {
                path: String::new(),
                index: 0,
                kind: ItemKind::Folded,
            },
        );
        self.join(hash, at, place, item);
        while let Some(&(last, slot)) = self.due.front() {
            if last + REACH > at {
                break;
            }
            self.due.pop_front();
            if self
                .open
                .get(slot)
                .is_some_and(|o| o.last == last && !o.members.is_empty())
            {
                self.close(slot, ctx, false);
            }
        }
    }

    /// Add `item` (call item `at`, item `place` of the page) to its open call, or open one.
    fn join(&mut self, hash: u64, at: usize, place: usize, item: Item) {
        let open = &self.open;
        let key = call_key(&item);
        let found = self
            .by_key
            .find(hash, |&(h, slot)| {
                h == hash
                    && open
                        .get(slot)
                        .and_then(|o| o.members.first())
                        .is_some_and(|(_, first)| call_key(first) == key)
            })
            .map(|&(_, slot)| slot);
        let slot = match found {
            Some(slot) => slot,
            None => {
                let slot = self.free.pop().unwrap_or_else(|| {
                    self.open.push(Open::default());
                    self.open.len() - 1
                });
                if let Some(o) = self.open.get_mut(slot) {
                    o.hash = hash;
                    o.first = at;
                }
                self.by_key.insert_unique(hash, (hash, slot), |&(h, _)| h);
                slot
            }
        };
        if let Some(o) = self.open.get_mut(slot) {
            o.last = at;
            o.members.push((place, item));
        }
        self.due.push_back((at, slot));
    }

    /// Close the call in `slot`: held (packed in its items' places) when it is at the page's
    /// start or `at_end`, else finished here.
    fn close(&mut self, slot: usize, ctx: &mut ParseCtx, at_end: bool) {
        let Some(open) = self.open.get_mut(slot) else {
            return;
        };
        let (hash, first) = (open.hash, open.first);
        let mut members = std::mem::take(&mut open.members);
        if let Ok(entry) = self.by_key.find_entry(hash, |&(_, s)| s == slot) {
            entry.remove();
        }
        if at_end || first < REACH {
            for (place, item) in &mut members {
                if let Some(ready) = self.items.get_mut(*place) {
                    *ready = self.parser.ready_from(item);
                }
                ctx.recycle(item);
            }
        } else {
            self.finish(hash, first, &mut members, ctx);
        }
        members.clear();
        if let Some(open) = self.open.get_mut(slot) {
            open.members = members;
        }
        self.free.push(slot);
    }

    /// Finish a call's items (as [`super::finish_group`] does) and count it into the page's
    /// partial; its strings go back to `ctx`'s buffers.
    fn finish(
        &mut self,
        hash: u64,
        first: usize,
        members: &mut [(usize, Item)],
        ctx: &mut ParseCtx,
    ) {
        let lead = members
            .iter()
            .position(|(_, item)| !is_event(item))
            .unwrap_or(0);
        let mut folded = Folded {
            all_events: members.iter().all(|(_, item)| is_event(item)),
            events_folded: 0,
            duplicates_merged: 0,
        };
        for (i, (_, item)) in members.iter().enumerate() {
            if i != lead {
                if is_event(item) {
                    folded.events_folded += 1;
                } else {
                    folded.duplicates_merged += 1;
                }
            }
        }
        let take = |item: &mut Item| match &mut item.kind {
            ItemKind::Call { draft, .. } => std::mem::take(draft),
            _ => CallDraft::default(),
        };
        let draft = match &mut *members {
            [(_, one)] => take(one),
            many => CallDraft::fold(many.iter_mut().map(|(_, item)| take(item)).collect()),
        };
        let options = &self.parser.options;
        let partial = &mut self.partial;
        let (place, path) = members
            .get(lead)
            .map_or((0, ""), |(place, item)| (*place, item.path.as_str()));
        let lead = Lead {
            source: self.source,
            index: place,
            path: LeadPath::Text(path),
        };
        let (record, mut finished) = finish_draft(
            draft,
            &lead,
            folded,
            options,
            &mut ctx.buffers,
            |mut r, buffers| {
                if options.redact {
                    crate::redact::redact(&mut r);
                }
                partial.add(&r);
                buffers.recycle_record(&mut r);
            },
        );
        let calls = &mut self.calls;
        if record.is_some() {
            calls.records += 1;
        }
        calls.events_folded += std::mem::take(&mut finished.events_folded);
        calls.duplicates_merged += std::mem::take(&mut finished.duplicates_merged);
        if !finished.warnings.is_empty() || finished.rejection.is_some() {
            calls.notes.push((first, finished));
        }
        calls.keys.push(hash);
        for (_, item) in members.iter_mut() {
            ctx.recycle(item);
        }
    }

    /// The page is read: the calls still open are held.
    fn end(&mut self, ctx: &mut ParseCtx) {
        while let Some((last, slot)) = self.due.pop_front() {
            if self
                .open
                .get(slot)
                .is_some_and(|o| o.last == last && !o.members.is_empty())
            {
                self.close(slot, ctx, true);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::{IngestOptions, Ingestor};
    use crate::report::{ReportOptions, compute_paths_as, report_json};
    use serde_json::{Value, json};
    use std::sync::atomic::{AtomicUsize, Ordering};

    /// A Twilio REST call: `sid` and `parent` numbered, `status` and `direction` by index,
    /// starting `start` seconds after 09:00, lasting `len` seconds with `talk` seconds
    /// connected (more talk than length is a warning, or a rejection when strict, where the
    /// call is finished), without a start when `no_start`.
    fn call(
        sid: usize,
        parent: Option<usize>,
        (status, direction): (usize, usize),
        (start, len, talk): (u32, u32, u32),
        no_start: bool,
    ) -> Value {
        let statuses = [
            "completed",
            "busy",
            "no-answer",
            "failed",
            "canceled",
            "in-progress",
        ];
        let directions = ["inbound", "outbound-api"];
        let at = |s: u32| {
            let t = chrono::DateTime::from_timestamp(1_772_442_000 + i64::from(s), 0)
                .unwrap_or_default();
            t.format("%a, %d %b %Y %H:%M:%S +0000").to_string()
        };
        let mut c = json!({
            "sid": format!("CA{sid:032}"),
            "account_sid": "AC1",
            "status": statuses[status % statuses.len()],
            "direction": if parent.is_some() { "outbound-dial" } else { directions[direction % 2] },
            "end_time": at(start + len),
            "duration": talk.to_string(),
            "from": format!("+1415555{:04}", sid % 7),
            "to": if parent.is_some() { "client:alice".to_string() } else { "+14155550199".to_string() },
            "price": "-0.017",
        });
        if !no_start {
            c["start_time"] = json!(at(start));
        }
        if let Some(p) = parent {
            c["parent_call_sid"] = json!(format!("CA{p:032}"));
        }
        c
    }

    static DIRS: AtomicUsize = AtomicUsize::new(0);

    /// `pages` written as Twilio list pages into a fresh folder (removed when dropped).
    struct Pages(std::path::PathBuf);

    impl Pages {
        fn new(pages: &[Vec<Value>]) -> Self {
            let dir = std::env::temp_dir().join(format!(
                "callscope-local-{}-{}",
                std::process::id(),
                DIRS.fetch_add(1, Ordering::Relaxed)
            ));
            std::fs::create_dir_all(&dir).unwrap();
            for (i, calls) in pages.iter().enumerate() {
                let page = json!({"calls": calls, "page": i, "page_size": calls.len()});
                std::fs::write(dir.join(format!("page-{i:04}.json")), page.to_string()).unwrap();
            }
            Pages(dir)
        }

        fn path(&self) -> String {
            self.0.to_string_lossy().into_owned()
        }
    }

    impl Drop for Pages {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    /// The report (with its ingest report) of `dir`, calls finished where read or all held.
    fn report(dir: &str, options: &ReportOptions, local: bool) -> String {
        let (report, ingest) = compute_paths_as(&[dir.to_owned()], options, |_| {}, local).unwrap();
        assert!(ingest.is_balanced());
        report_json(&report)
    }

    fn options(strict: bool, redact: bool) -> ReportOptions {
        let mut o = ReportOptions::default();
        o.ingest.strict = strict;
        o.ingest.redact = redact;
        o.ingest.provider = Some(Provider::Twilio);
        o
    }

    /// `n` plain calls, `per` to a page.
    fn plain_pages(n: usize, per: usize) -> Vec<Vec<Value>> {
        let calls: Vec<Value> = (0..n)
            .map(|i| call(i, None, (i % 3, i % 2), (i as u32 * 60, 30, 20), false))
            .collect();
        calls.chunks(per).map(<[Value]>::to_vec).collect()
    }

    /// Reads `dir` finishing calls where read: the items left waiting, whether the check at
    /// the end finds a conflict.
    fn read_local(dir: &str) -> (usize, bool) {
        let o = options(false, false);
        let make = || crate::analytics::ReportPartial::new(&o.analytics);
        let local = Local::new(&make);
        let ingest = IngestOptions {
            keep_extra: false,
            ..o.ingest.clone()
        };
        let mut ingestor: Ingestor =
            crate::files::read_inputs_local(&[dir.to_owned()], &ingest, |_| {}, &local).unwrap();
        (ingestor.waiting(), ingestor.local_conflict())
    }

    #[test]
    fn a_page_holds_only_the_calls_at_its_edges() {
        // 3 pages of 100 calls: 16 calls at each end of each page wait, the rest are finished
        let pages = Pages::new(&plain_pages(300, 100));
        assert_eq!(read_local(&pages.path()), (3 * 2 * REACH, false));
        // a page of fewer than twice REACH calls: every call waits
        let small = Pages::new(&plain_pages(20, 20));
        assert_eq!(read_local(&small.path()), (20, false));
        assert_eq!(
            report(&pages.path(), &options(false, false), true),
            report(&pages.path(), &options(false, false), false)
        );
    }

    #[test]
    fn a_leg_next_to_its_parent_is_folded_where_read_and_far_from_it_is_a_conflict() {
        let mut calls: Vec<Value> = (0..60)
            .map(|i| call(i, None, (0, 0), (i as u32 * 60, 30, 20), false))
            .collect();
        // call 30's leg right after it: one call of two items, finished where read
        calls.insert(
            31,
            call(100, Some(30), (0, 1), (30 * 60 + 2, 28, 20), false),
        );
        let near = Pages::new(&[calls.clone()]);
        assert_eq!(read_local(&near.path()), (2 * REACH, false));
        // call 20's leg 30 items after it: call 20 is finished before its leg is read
        calls.insert(
            52,
            call(101, Some(20), (0, 1), (20 * 60 + 2, 28, 20), false),
        );
        let far = Pages::new(&[calls]);
        assert!(read_local(&far.path()).1);
        for pages in [&near, &far] {
            let o = options(false, false);
            let local = report(&pages.path(), &o, true);
            assert_eq!(local, report(&pages.path(), &o, false));
            assert!(local.contains("\"eventsFolded\": 1") || local.contains("\"eventsFolded\": 2"));
        }
    }

    #[test]
    fn a_page_read_twice_is_a_conflict_and_gives_the_report_of_holding_every_call() {
        let pages = plain_pages(100, 100);
        let twice = Pages::new(&[pages[0].clone(), pages[0].clone()]);
        assert!(read_local(&twice.path()).1);
        let o = options(false, false);
        let local = report(&twice.path(), &o, true);
        assert_eq!(local, report(&twice.path(), &o, false));
        assert!(local.contains("\"duplicatesMerged\": 100"), "{local}");
    }

    #[test]
    fn justcall_pages_are_finished_where_read_too() {
        let fixture: Value =
            serde_json::from_str(include_str!("../../../tests/data/justcall/list_v21.json"))
                .unwrap();
        let first = &fixture["data"][0];
        let calls: Vec<Value> = (0..50)
            .map(|i| {
                let mut c = first.clone();
                c["id"] = json!(100 + i);
                c["call_sid"] = json!(format!("CA{i:032}"));
                c["contact_number"] = json!(format!("1415867{:04}", i % 9));
                c
            })
            .collect();
        let dir = Pages::new(&[]);
        for (i, page) in calls.chunks(40).enumerate() {
            let page = json!({"status": "success", "count": page.len(), "data": page});
            std::fs::write(dir.0.join(format!("page-{i}.json")), page.to_string()).unwrap();
        }
        let mut o = options(false, false);
        o.ingest.provider = None;
        let make = || crate::analytics::ReportPartial::new(&o.analytics);
        let local = Local::new(&make);
        let ingest = IngestOptions {
            keep_extra: false,
            ..o.ingest.clone()
        };
        let ingestor =
            crate::files::read_inputs_local(&[dir.path()], &ingest, |_| {}, &local).unwrap();
        // 40 calls: the 8 between the edges are finished; 10 calls: all held
        assert_eq!(ingestor.waiting(), 32 + 10);
        let local = report(&dir.path(), &o, true);
        assert_eq!(local, report(&dir.path(), &o, false));
        assert!(local.contains("\"recordsOut\": 50"), "{local}");
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(48))]
        /// Whatever the calls, their legs and duplicates (near, far, in other pages), calls
        /// without a start, warnings and rejections where calls are finished, items that are
        /// not calls and pages the fast lane gives back: finishing calls where their pages are
        /// read gives the report, ingest report and its lines in their order included, of
        /// holding every call until the end.
        #[test]
        fn finishing_where_read_gives_the_report_of_holding_every_call(
            items in proptest::collection::vec(
                (0u8..12, 0usize..80, (0usize..6, 0usize..2), (0u32..3600, 0u32..900, 0u32..1000), proptest::bool::weighted(0.04)),
                0..160,
            ),
            cuts in proptest::collection::vec(1usize..70, 1..8),
            strict: bool,
            redact: bool,
        ) {
            let mut made: Vec<usize> = Vec::new();
            let mut calls = Vec::new();
            for (i, (kind, of, words, times, no_start)) in items.into_iter().enumerate() {
                // a call read a few items before, or any call read before
                let near = (!made.is_empty()).then(|| made[made.len() - 1 - of % made.len().min(3)]);
                let far = (!made.is_empty()).then(|| made[of % made.len()]);
                let c = match (kind, near, far) {
                    // a duplicate (another status, the same id)
                    (0, Some(e), _) => call(e, None, words, times, no_start),
                    (5, _, Some(e)) if of < 3 => call(e, None, words, times, no_start),
                    // a leg of a call read before, or of one never read
                    (1, Some(e), _) => call(1000 + i, Some(e), words, times, no_start),
                    (6, _, Some(e)) if of < 3 => call(1000 + i, Some(e), words, times, no_start),
                    (2, _, _) => call(1000 + i, Some(5000 + of), words, times, no_start),
                    // not a call
                    (3, _, _) => json!({"sid": format!("RE{i:032}"), "account_sid": "AC1"}),
                    // a bad value: the whole page goes to the general path
                    (4, _, _) if of == 0 => {
                        let mut c = call(i, None, words, times, no_start);
                        c["duration"] = json!("soon");
                        made.push(i);
                        c
                    }
                    _ => {
                        made.push(i);
                        call(i, None, words, times, no_start)
                    }
                };
                calls.push(c);
            }
            let mut pages = Vec::new();
            let mut rest = &calls[..];
            for &n in cuts.iter().cycle() {
                if rest.is_empty() {
                    break;
                }
                let (page, tail) = rest.split_at(n.min(rest.len()));
                pages.push(page.to_vec());
                rest = tail;
            }
            let pages = Pages::new(&pages);
            let o = options(strict, redact);
            proptest::prop_assert_eq!(
                report(&pages.path(), &o, true),
                report(&pages.path(), &o, false)
            );
        }
    }
}
