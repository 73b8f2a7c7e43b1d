//! Calls finished where their file is read: a report over files (`callscope report`, the
//! bindings' `report_files`) or over documents in memory (`report_documents`, the bindings'
//! `report` over a list) finishes most calls of an API list page on the thread that read
//! the page, straight from their drafts, instead of packing every item and holding it until
//! the whole input is read (README "Performance", rounds 20 and 21).
//!
//! An NDJSON file or document is read the same way (round 22): its lines are cut into pieces
//! ([`Parser::piece_local`]), and each piece is a page here, read again by its byte range
//! ([`PageCalls`]'s `range`). What follows says "page" for both.
//!
//! A call's items may come from any page (a duplicate from overlapping exports, a `<Dial>`
//! leg after its parent, a webhook event), and a report's partials cannot take a call back
//! out once it is counted. So a page's calls are grouped within the page as it is read, and a
//! call is finished there once no item has joined it for a while, and only away from the
//! page's edges:
//!
//! - its last item is [`REACH`] call items behind the page's newest (the page is read in
//!   order; a Twilio leg follows its parent within a few items);
//! - none of its items is among the page's first [`REACH`] call items, and it is not still
//!   open at the page's end: calls at a page's edges, which may go on in the next page or
//!   began in the one before, are packed and held as every call was before.
//!
//! Each call finished here leaves its key hash, and each group of [`GROUP`] pages one partial.
//! Once every input is read, [`Ingestor::settle_local`] checks that no key hash of a call
//! finished here is held by any other item read (another page's call, the same page's later
//! item, a held item, an item of a streamed file). A page one of whose calls fails that check
//! may have finished a call without all of its items: its group's partial is dropped, and every
//! page of the group is read again with the calls it finished held, each in the place it had
//! among the items (a page that reads differently the second time, a file changed meanwhile,
//! makes the caller read every input again with every call held,
//! [`crate::report::compute_paths`]). Two keys whose 64-bit hashes meet only cost that
//! reading. So the report is exactly the one of holding every call.
//!
//! The report lines stay in their order: a call finished here keeps its place by the arrival
//! of its first item, and its lines are merged with the held calls' lines by that place.
//!
//! Reading a page again costs a second reading of it, so inputs whose calls are in several
//! pages by the many (an export given twice, exports that overlap by much) would be read
//! about twice over: [`Detector`] watches a sample of the key hashes as pages are read and,
//! once many pages in a row repeat calls read before, has the pages read next hold every
//! call, until pages of new calls come again.

use super::stream::{LineBatch, Piece};
use super::{
    Finished, FirstNonWs, Folded, Ingestor, Lead, LeadPath, MAX_ITEM_BYTES, Parsed, Parser,
    Pending, Prepared, Ready, ReadyKind, finish_draft, format,
};
use crate::analytics::Partial;
use crate::ingest::IngestReport;
use crate::model::{CallDraft, Provider};
use crate::providers::{Item, ItemKind, ParseCtx};
use crate::{Error, Result};
use std::collections::VecDeque;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, PoisonError};

/// How far, in call items of one page, the items of a call finished where the page is read
/// may lie apart, and how many call items at each end of a page are held instead (see the
/// module's documentation). The items of a call further apart in one page are still read
/// right: the check at the end sees the call twice and the input is read again.
pub(crate) const REACH: usize = 16;

/// Pages whose calls finished where they were read are counted into one partial (by their
/// tickets, [`Local`]): a page read again drops its group's partial, and every page of the
/// group is read again. A partial a page was 50-80 KB on the comparison data (the summary's
/// count of calls by whole second of duration, the weekday-hour table): 1,000 pages held
/// ~77 MB more at the peak than partials merged as they come.
pub(crate) const GROUP: usize = 16;

/// How [`Ingestor::settle_local_with`] reads a page again: given its source's name, its
/// number among the sources collected, and for a piece of a file's lines its range in bytes
/// (offset, length).
pub(crate) type ReadAgain<'a> =
    dyn Fn(&str, usize, Option<(u64, usize)>) -> Result<Vec<u8>> + Sync + 'a;

/// Pages read again together by [`Ingestor::settle_local`] (in parallel).
const AGAIN_BATCH: usize = 64;

/// The partials the calls finished where their pages are read are counted into: one a group
/// of [`GROUP`] pages by their tickets (taken as each page is read to its end), kept until
/// every input is read; a group one of whose pages has a call with items elsewhere has its
/// partial dropped ([`Ingestor::settle_local`]).
pub(crate) struct Local<'m, P> {
    make: &'m (dyn Fn() -> P + Sync),
    group: usize,
    next: AtomicUsize,
    /// (group, partial); a group's partial is taken out while a page's is merged into it, so a
    /// group may have several.
    groups: Mutex<Vec<(usize, P)>>,
}

impl<P> std::fmt::Debug for Local<'_, P> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Local").finish_non_exhaustive()
    }
}

impl<'m, P: Partial + Send> Local<'m, P> {
    /// Partials for calls finished where their pages are read, each made by `make`, one a
    /// group of `group` pages ([`GROUP`]).
    pub(crate) fn new(make: &'m (dyn Fn() -> P + Sync), group: usize) -> Self {
        Local {
            make,
            group: group.max(1),
            next: AtomicUsize::new(0),
            groups: Mutex::new(Vec::new()),
        }
    }

    /// The group of the page of `ticket`.
    fn group_of(&self, ticket: usize) -> usize {
        ticket / self.group
    }

    /// Count a page's partial into its group's; the page's ticket.
    fn add(&self, partial: P) -> usize {
        let ticket = self.next.fetch_add(1, Ordering::Relaxed);
        let group = self.group_of(ticket);
        let kept = {
            let mut groups = self.groups.lock().unwrap_or_else(PoisonError::into_inner);
            let at = groups.iter().rposition(|(g, _)| *g == group);
            at.map(|at| groups.swap_remove(at).1)
        };
        let merged = match kept {
            Some(kept) => kept.merge(partial),
            None => partial,
        };
        self.groups
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push((group, merged));
        ticket
    }

    /// The calls finished where their pages were read, but for the pages of the `dropped`
    /// groups ([`Ingestor::settle_local`]), as one partial (`None`: no call was), merged on
    /// the pool's threads (each group's partial is copied once into one of a few).
    pub(crate) fn into_partial(self, dropped: &[usize]) -> Option<P> {
        let pages: Vec<P> = self
            .groups
            .into_inner()
            .unwrap_or_else(PoisonError::into_inner)
            .into_iter()
            .filter(|(group, _)| !dropped.contains(group))
            .map(|(_, partial)| partial)
            .collect();
        let merge = |a: Option<P>, b: P| {
            Some(match a {
                Some(a) => a.merge(b),
                None => b,
            })
        };
        #[cfg(feature = "parallel")]
        {
            use rayon::prelude::*;
            let per = pages.len().div_ceil(rayon::current_num_threads()).max(1);
            pages
                .into_par_iter()
                .with_min_len(per)
                .fold(|| None, merge)
                .reduce(
                    || None,
                    |a, b| match (a, b) {
                        (Some(a), Some(b)) => Some(a.merge(b)),
                        (a, b) => a.or(b),
                    },
                )
        }
        #[cfg(not(feature = "parallel"))]
        pages.into_iter().fold(None, merge)
    }
}

/// What the calls finished where a page was read leave for the ingest report and for the
/// check at the end: the page's ticket ([`Local`]), the places of those calls' items among
/// the page's items and how many call items the page has (to read it again the same way),
/// the report lines of each call that has any (by the place of its first item among the
/// page's call items), their key hashes, and counts.
#[derive(Debug, Default)]
pub(super) struct PageCalls {
    ticket: usize,
    /// A piece of an NDJSON file's lines: where it is in the file (offset, length) and the
    /// number of its first line, to read it again by; `None`: a whole document.
    range: Option<(u64, usize, usize)>,
    places: Vec<usize>,
    calls_seen: usize,
    notes: Vec<(usize, Finished)>,
    keys: Vec<u64>,
    records: u64,
    events_folded: u64,
    duplicates_merged: u64,
}

/// Key hashes whose top [`SAMPLE_BITS`] bits are zero are the ones [`Detector`] keeps.
const SAMPLE_BITS: u32 = 4;

/// Of the last 32 units read (documents, pieces of streamed files), how many with a key seen
/// in an earlier unit turn finishing calls where pages are read off ([`Detector`]).
const OFF_AT: u32 = 8;

/// Whether the pages read from now on are to finish their calls where they are read.
///
/// Pages whose calls have items elsewhere are read twice (once to finish their calls, once
/// again at the end with those calls held, [`Ingestor::settle_local`]): an input given twice,
/// or exports that overlap by much, would be read more than twice over. So, as the items are
/// collected, one key hash in 16 of each unit read ([`SAMPLE_BITS`]) is kept, and a unit is
/// marked when one of its kept hashes was kept from an earlier unit (a unit without a kept
/// hash is passed over). Once [`OFF_AT`] of the last 32 units are marked, the pages read next
/// are read with every call held (as the pages the fast lane gives back are); after 32 units
/// in a row without a mark, they finish their calls where read again. Pages already being read when it switches are read as they began.
/// It only decides how fast: the check at the end makes the report the one of holding every
/// call whatever it decided.
#[derive(Debug, Default)]
pub(super) struct Detector {
    /// Whether a report finishing calls where pages are read asked, over files or documents
    /// ([`Ingestor::local_preparer`]; else nothing is kept).
    active: bool,
    /// The kept key hashes.
    seen: hashbrown::HashSet<u64>,
    /// The last 32 units, newest in the lowest bit: 1 marked.
    recent: u32,
    /// Shared with the preparer of the pages ([`Ingestor::local_preparer`]): true while
    /// pages hold every call.
    off: std::sync::Arc<std::sync::atomic::AtomicBool>,
}

impl Detector {
    /// The switch the preparer of the pages reads (true: hold every call); the detector is
    /// active from now on.
    pub(super) fn switch(&mut self) -> std::sync::Arc<std::sync::atomic::AtomicBool> {
        self.active = true;
        std::sync::Arc::clone(&self.off)
    }

    /// A unit was read: the key hashes of its call items (finished where read or held).
    pub(super) fn unit(&mut self, keys: impl Iterator<Item = u64> + Clone) {
        if !self.active {
            return;
        }
        let kept = keys.filter(|k| k.leading_zeros() >= SAMPLE_BITS);
        let mut any = false;
        let marked = kept.clone().any(|k| {
            any = true;
            self.seen.contains(&k)
        });
        if !any {
            // (a unit without a kept hash tells nothing)
            return;
        }
        self.seen.extend(kept);
        self.recent = (self.recent << 1) | u32::from(marked);
        let off = self.off.load(Ordering::Relaxed);
        if !off && self.recent.count_ones() >= OFF_AT {
            self.off.store(true, Ordering::Relaxed);
        } else if off && self.recent == 0 {
            self.off.store(false, Ordering::Relaxed);
        }
    }

    /// Whether the pages read next are to hold every call.
    #[cfg(test)]
    fn is_off(&self) -> bool {
        self.off.load(Ordering::Relaxed)
    }
}

/// The pages whose calls were finished where they were read, in the order they were
/// collected: each page's calls, its source and the place of its first call item among the
/// ingest's call items.
#[derive(Debug, Default)]
pub(super) struct LocalPages(Vec<(usize, usize, PageCalls)>);

impl LocalPages {
    /// The key hashes of the calls finished where the page added last was read.
    pub(super) fn last_keys(&self) -> Option<&[u64]> {
        self.0.last().map(|(_, _, page)| &page.keys[..])
    }

    /// Add a page of source `source` whose first call item is the ingest's call item `base`.
    pub(super) fn add(&mut self, page: PageCalls, source: usize, base: usize) {
        self.0.push((source, base, page));
    }

    /// The pages (by their place in this list, in order) a call finished of which has a key
    /// hash that another call finished so, or an item in `held` (the key hashes of the items
    /// still waiting), also has: such a call may have been finished without all of its items.
    fn conflicted(&self, held: impl Iterator<Item = u64>) -> Vec<usize> {
        let mut keys: Vec<u64> = self
            .0
            .iter()
            .flat_map(|(_, _, page)| page.keys.iter().copied())
            .collect();
        if keys.is_empty() {
            return Vec::new();
        }
        sort(&mut keys);
        let mut twice: Vec<u64> = keys
            .windows(2)
            .filter(|w| w[0] == w[1])
            .map(|w| w[0])
            .collect();
        let mut held: Vec<u64> = held.collect();
        sort(&mut held);
        let (mut i, mut j) = (0, 0);
        while let (Some(a), Some(b)) = (keys.get(i), held.get(j)) {
            match a.cmp(b) {
                std::cmp::Ordering::Less => i += 1,
                std::cmp::Ordering::Greater => j += 1,
                std::cmp::Ordering::Equal => {
                    twice.push(*a);
                    i += 1;
                }
            }
        }
        if twice.is_empty() {
            return Vec::new();
        }
        twice.sort_unstable();
        self.0
            .iter()
            .enumerate()
            .filter(|(_, (_, _, page))| page.keys.iter().any(|k| twice.binary_search(k).is_ok()))
            .map(|(i, _)| i)
            .collect()
    }

    /// Write the counts into `report`; the report lines, by the place of each call's first
    /// item among the ingest's call items, to be merged with the held calls' lines.
    pub(super) fn close(self, report: &mut IngestReport) -> Vec<(usize, Finished)> {
        let mut notes = Vec::new();
        for (_, base, page) in self.0 {
            report.records_out += page.records;
            report.events_folded += page.events_folded;
            report.duplicates_merged += page.duplicates_merged;
            notes.extend(page.notes.into_iter().map(|(at, f)| (base + at, f)));
        }
        notes
    }
}

impl Ingestor {
    /// Once every input is read (a report over files, [`crate::report::compute_paths`]): read
    /// again (in parallel) every page of each group ([`GROUP`]) a page of which finished a
    /// call that may have items elsewhere ([`LocalPages::conflicted`]), the calls it finished
    /// now held, each item in the place it had (its source, index and place among the call
    /// items). The groups read again, whose partials are to be dropped
    /// ([`Local::into_partial`]); `None` when a page did not read the same way again (its file
    /// changed meanwhile): the caller must then read every input again with every call held.
    /// Errors reading a file again are returned.
    pub(crate) fn settle_local<P: Partial + Send>(
        &mut self,
        local: &Local<'_, P>,
    ) -> Result<Option<Vec<usize>>> {
        self.settle_local_with(local, &|name, _, range| {
            let io = |cause| Error::Io {
                source_name: name.to_string(),
                cause,
            };
            let Some((offset, len)) = range else {
                return std::fs::read(name).map_err(io);
            };
            // a piece of a file's lines: its bytes (fewer when the file is shorter now)
            use std::io::{Read, Seek};
            let mut file = std::fs::File::open(name).map_err(io)?;
            file.seek(std::io::SeekFrom::Start(offset)).map_err(io)?;
            let mut bytes = Vec::with_capacity(len);
            file.take(len as u64).read_to_end(&mut bytes).map_err(io)?;
            Ok(bytes)
        })
    }

    /// [`Ingestor::settle_local`], each page read again by `read` (given its source's name,
    /// its number among the sources collected, and for a piece of a file's lines its range
    /// in bytes) instead of from its file.
    pub(crate) fn settle_local_with<P: Partial + Send>(
        &mut self,
        local: &Local<'_, P>,
        read: &ReadAgain<'_>,
    ) -> Result<Option<Vec<usize>>> {
        let conflicted = self
            .local
            .conflicted(self.pending.iter().filter_map(Pending::key));
        let mut groups: Vec<usize> = (conflicted.iter())
            .filter_map(|&i| self.local.0.get(i))
            .map(|(_, _, page)| local.group_of(page.ticket))
            .collect();
        if groups.is_empty() {
            return Ok(Some(groups));
        }
        groups.sort_unstable();
        groups.dedup();
        let (again, kept): (Vec<_>, Vec<_>) = std::mem::take(&mut self.local.0)
            .into_iter()
            .partition(|(_, _, page)| groups.binary_search(&local.group_of(page.ticket)).is_ok());
        self.local.0 = kept;
        // read a batch of pages at a time: a page's items, read again, wait packed
        for pages in again.chunks(AGAIN_BATCH) {
            let (parser, sources) = (&self.parser, &self.sources);
            let read = |(source, _, page): &(usize, usize, PageCalls)| -> Result<Prepared> {
                let name = sources.get(*source).cloned().unwrap_or_default();
                let range = page.range.map(|(offset, len, _)| (offset, len));
                let bytes = read(&name, *source, range)?;
                Ok(match page.range {
                    // the piece's lines, numbered from its first line again
                    Some((offset, _, first_line)) => {
                        let piece = (0, bytes.len(), first_line);
                        let batch = LineBatch {
                            bytes,
                            pieces: Vec::new(),
                            units: 0,
                            offset,
                            last: true,
                        };
                        Prepared(Some(Ok(parser.parse_piece(&batch, &piece, false))))
                    }
                    None => parser.prepare_document(&name, &bytes),
                })
            };
            #[cfg(feature = "parallel")]
            let prepared: Vec<Result<Prepared>> = {
                use rayon::prelude::*;
                pages.par_iter().map(read).collect()
            };
            #[cfg(not(feature = "parallel"))]
            let prepared: Vec<Result<Prepared>> = pages.iter().map(read).collect();
            for ((source, base, page), prepared) in pages.iter().zip(prepared) {
                let Prepared(Some(Ok(parsed))) = prepared? else {
                    return Ok(None);
                };
                if !self.hold_again(*source, *base, page, parsed) {
                    return Ok(None);
                }
            }
        }
        self.pending.sort_unstable_by_key(|p| p.seq);
        Ok(Some(groups))
    }

    /// The items of `page` finished where it was read, from `parsed` (the page read again,
    /// every call item packed), added to the waiting items in their places; false when
    /// `parsed` is not the page read before (its call items are not as many, or those in the
    /// places of the calls finished are not of those calls, by their key hashes).
    fn hold_again(&mut self, source: usize, base: usize, page: &PageCalls, parsed: Parsed) -> bool {
        let mut places = page.places.iter().copied().peekable();
        let mut seen = 0;
        let mut again = Vec::with_capacity(page.places.len());
        for (index, ready) in parsed.items.into_iter().enumerate() {
            let ReadyKind::Call {
                draft,
                event,
                key_hash,
                ..
            } = ready.kind
            else {
                if places.peek() == Some(&index) {
                    return false;
                }
                continue;
            };
            if places.peek() == Some(&index) {
                places.next();
                again.push(Pending {
                    source,
                    // (the lines of a piece are numbered by their line, as when collected)
                    index: if page.range.is_some() {
                        ready.index
                    } else {
                        index
                    },
                    draft,
                    event,
                    keyed: key_hash.is_some(),
                    key_hash: key_hash.unwrap_or(0),
                    seq: base + seen,
                });
            }
            seen += 1;
        }
        if seen != page.calls_seen || places.next().is_some() {
            return false;
        }
        // the same calls: the key hashes of the items in those places are the calls'
        let mut read: Vec<u64> = again.iter().map(|p| p.key_hash).collect();
        let mut finished = page.keys.clone();
        read.sort_unstable();
        read.dedup();
        finished.sort_unstable();
        if read != finished {
            return false;
        }
        self.pending.extend(again);
        true
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
            page.clean.then(|| page.done(ctx, local, 0, None))
        })
    }
}

impl Parser {
    /// The lines of one piece of an NDJSON file (`piece` of `batch`, whose lines begin at
    /// byte `start` of the file) through the typed fast lanes, finishing its calls where it is
    /// read (as [`Parser::fast_local`] does a page's), into a partial of `local`; `None` when a
    /// line is not one the first lane [`Parser::lanes`] names reads cleanly (the piece is then
    /// read as [`Parser::parse_piece`] reads it; nothing is counted).
    pub(super) fn piece_local<P: Partial + Send>(
        &self,
        source: &str,
        (batch, piece, start): (&LineBatch, &Piece, u64),
        local: &Local<'_, P>,
    ) -> Option<Parsed> {
        let &(from, to, first_line) = piece;
        let mut ctx = self.ctx();
        let mut page = Page::new(self, source, (local.make)(), (to - from) / 512 + 1);
        page.lines = true;
        for (line_no, line) in batch.units(piece) {
            let (text, [provider, _]) = self.lanes(line.trim_ascii())?;
            super::run_lane(provider?, text, "$", &mut ctx, &mut |item, ctx| {
                // (numbered by its line, as `parse_piece` numbers it)
                if item.index == 0 {
                    item.index = line_no;
                }
                page.emit(item, ctx)
            })?;
            if !page.clean {
                return None;
            }
        }
        let range = (start + batch.offset + from as u64, to - from, first_line);
        Some(page.done(ctx, local, first_line, Some(range)))
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
    calls: PageCalls,
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
    /// A piece of NDJSON lines: an item is numbered by its line, not by its place.
    lines: bool,
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
            calls: PageCalls::default(),
            seen: 0,
            open: Vec::new(),
            free: Vec::new(),
            by_key: hashbrown::HashTable::new(),
            due: VecDeque::new(),
            clean: true,
            lines: false,
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
            index: item.index,
            kind: ReadyKind::Local,
        });
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

    /// Add `item` (call item `at`, item `place` of the page) to its open call, or open one;
    /// an empty item is left in its place. (Moved here, not in [`Page::emit`]: each move of
    /// an item, ~860 bytes, is a copy.)
    fn join(&mut self, hash: u64, at: usize, place: usize, item: &mut Item) {
        let open = &self.open;
        let key = call_key(item);
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
            let empty = Item {
                path: String::new(),
                index: 0,
                kind: ItemKind::Folded,
            };
            o.members.push((place, std::mem::replace(item, empty)));
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
        let lines = self.lines;
        let place_of = |place: usize, item: &Item| if lines { item.index } else { place };
        // a call of one item (most) is finished in its item, not moved out of it
        let mut folded_draft = None;
        let (draft, place, path) = match &mut *members {
            [(place, one)] => {
                let index = place_of(*place, one);
                let Item { path, kind, .. } = one;
                let draft = match kind {
                    ItemKind::Call { draft, .. } => draft,
                    _ => folded_draft.insert(CallDraft::default()),
                };
                (draft, index, path.as_str())
            }
            many => {
                let draft = folded_draft.insert(CallDraft::fold(
                    many.iter_mut().map(|(_, item)| take(item)).collect(),
                ));
                let (place, path) = many.get(lead).map_or((0, ""), |(place, item)| {
                    (place_of(*place, item), item.path.as_str())
                });
                (draft, place, path)
            }
        };
        let options = &self.parser.options;
        let partial = &mut self.partial;
        let lead = Lead {
            source: self.source,
            index: place,
            path: LeadPath::Text(path),
        };
        let (record, finished) = finish_draft(
            draft,
            &lead,
            folded,
            options,
            &mut ctx.buffers,
            |r, buffers| {
                if options.redact {
                    crate::redact::redact(r);
                }
                partial.add(r);
                buffers.recycle_record(r);
            },
        );
        let calls = &mut self.calls;
        finished.count_into(
            first,
            record.is_some(),
            &mut calls.notes,
            [
                &mut calls.records,
                &mut calls.events_folded,
                &mut calls.duplicates_merged,
            ],
        );
        calls.keys.push(hash);
        for (place, item) in members.iter_mut() {
            calls.places.push(*place);
            ctx.recycle(item);
        }
    }

    /// The page is read (cleanly): its calls still open are held, its partial is counted
    /// into `local`, and its items and calls are what [`Parsed`] (numbered `index`) takes;
    /// `range`: where it is in its NDJSON file ([`PageCalls`]).
    fn done(
        mut self,
        mut ctx: ParseCtx,
        local: &Local<'_, P>,
        index: usize,
        range: Option<(u64, usize, usize)>,
    ) -> Parsed
    where
        P: Send,
    {
        self.end(&mut ctx);
        let Page {
            items,
            mut calls,
            partial,
            seen,
            ..
        } = self;
        calls.ticket = local.add(partial);
        calls.calls_seen = seen;
        // (added as each call was finished)
        calls.places.sort_unstable();
        calls.range = range;
        Parsed {
            index,
            items,
            unknown_words: ctx.unknown_words,
            local: Some(Box::new(calls)),
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

        /// `calls` as the lines of one NDJSON file in a fresh folder (after a byte order mark
        /// with `bom`; every 97th line blank and every 5th ending in `\r\n`), padded with
        /// Twilio's sub-resource links to ~1 KB a line (over 64 KB, the file is streamed).
        fn ndjson(calls: &[Value], bom: bool) -> Self {
            let dir = Pages::new(&[]);
            let mut text = if bom {
                "\u{feff}".to_string()
            } else {
                String::new()
            };
            for (i, c) in calls.iter().enumerate() {
                let mut c = c.clone();
                let uri = format!("/2010-04-01/Accounts/AC1/Calls/{}", c["sid"]);
                c["subresource_uris"] = json!({
                    "notifications": format!("{uri}/Notifications.json"),
                    "recordings": format!("{uri}/Recordings.json"),
                    "payments": format!("{uri}/Payments.json"),
                    "events": format!("{uri}/Events.json"),
                    "siprec": format!("{uri}/Siprec.json"),
                    "streams": format!("{uri}/Streams.json"),
                    "transcriptions": format!("{uri}/Transcriptions.json"),
                    "user_defined_message_subscriptions": format!("{uri}/UserDefinedMessageSubscriptions.json"),
                });
                text.push_str(&c.to_string());
                text.push_str(if i % 5 == 4 { "\r\n" } else { "\n" });
                if i % 97 == 96 {
                    text.push_str("  \n");
                }
            }
            std::fs::write(dir.0.join("calls.ndjson"), text).unwrap();
            dir
        }

        /// The NDJSON file [`Pages::ndjson`] wrote.
        fn file(&self) -> String {
            self.0.join("calls.ndjson").to_string_lossy().into_owned()
        }
    }

    impl Drop for Pages {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    /// The report (with its ingest report) of `dir`, calls finished where read or all held.
    fn report(dir: &str, options: &ReportOptions, local: bool) -> String {
        report_in(dir, options, local.then_some(GROUP))
    }

    /// [`report`], finishing calls where read in groups of `group` pages.
    fn report_in(dir: &str, options: &ReportOptions, group: Option<usize>) -> String {
        let (report, ingest) = compute_paths_as(&[dir.to_owned()], options, |_| {}, group).unwrap();
        assert!(ingest.is_balanced(), "{ingest:?}");
        report_json(&report)
    }

    fn options(strict: bool, redact: bool) -> ReportOptions {
        let mut o = ReportOptions::default();
        o.ingest.strict = strict;
        o.ingest.redact = redact;
        o.ingest.provider = Some(Provider::Twilio);
        o
    }

    /// The ingest options a report reads with (`compute_paths_as`): no unmapped field kept.
    fn ingest_of(o: &ReportOptions) -> IngestOptions {
        IngestOptions {
            keep_extra: false,
            ..o.ingest.clone()
        }
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
        let local = Local::new(&make, GROUP);
        let ingest = ingest_of(&o);
        let ingestor: Ingestor =
            crate::files::read_inputs_local(&[dir.to_owned()], &ingest, |_| {}, &local).unwrap();
        let conflicted = ingestor
            .local
            .conflicted(ingestor.pending.iter().filter_map(Pending::key));
        (ingestor.waiting(), !conflicted.is_empty())
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

    /// Reads `pages` finishing calls where read: the ingest and the partials.
    fn read_pages<'m>(
        pages: &Pages,
        local: &Local<'m, crate::analytics::ReportPartial>,
    ) -> Ingestor {
        let ingest = ingest_of(&options(false, false));
        crate::files::read_inputs_local(&[pages.path()], &ingest, |_| {}, local).unwrap()
    }

    #[test]
    fn only_the_pages_whose_calls_have_items_elsewhere_are_read_again() {
        let mut pages = plain_pages(150, 50);
        // the third page's 20th call is the first page's 25th (finished where it was read)
        pages[2][20] = pages[0][25].clone();
        let dir = Pages::new(&pages);
        let o = options(false, false);
        let make = || crate::analytics::ReportPartial::new(&o.analytics);
        // groups of one page: each page read again on its own
        let local = Local::new(&make, 1);
        let mut ingestor = read_pages(&dir, &local);
        let held = ingestor.waiting();
        assert_eq!(held, 3 * 2 * REACH);
        // pages 0 and 2 are read again: their 18 calls finished where read wait now
        // (tickets are taken as pages are prepared, in parallel: in any order)
        let dropped = ingestor.settle_local(&local).unwrap().unwrap();
        assert_eq!(dropped.len(), 2);
        assert_eq!(ingestor.waiting(), held + 2 * (50 - 2 * REACH));
        let left: Vec<&str> = (ingestor.local.0.iter())
            .map(|(source, _, _)| &*ingestor.sources[*source])
            .collect();
        assert!(
            left.len() == 1 && left[0].ends_with("page-0001.json"),
            "{left:?}"
        );
        let seqs: Vec<usize> = ingestor.pending.iter().map(|p| p.seq).collect();
        assert!(seqs.windows(2).all(|w| w[0] < w[1]), "{seqs:?}");
        let local = report(&dir.path(), &o, true);
        assert_eq!(local, report(&dir.path(), &o, false));
        assert!(local.contains("\"duplicatesMerged\": 1"), "{local}");
    }

    #[test]
    fn a_page_that_reads_differently_the_second_time_asks_for_everything_again() {
        let mut pages = plain_pages(100, 50);
        pages[1][25] = pages[0][25].clone();
        let dir = Pages::new(&pages);
        let o = options(false, false);
        let make = || crate::analytics::ReportPartial::new(&o.analytics);
        let local = Local::new(&make, GROUP);
        let mut ingestor = read_pages(&dir, &local);
        // the first page loses a call before it is read again
        let fewer = json!({"calls": &pages[0][1..]});
        std::fs::write(dir.0.join("page-0000.json"), fewer.to_string()).unwrap();
        assert_eq!(ingestor.settle_local(&local).unwrap(), None);
        // as many calls, in the same places, but other calls (other ids)
        let dir3 = Pages::new(&pages);
        let mut ingestor = read_pages(&dir3, &local);
        let other: Vec<Value> = plain_pages(150, 50)[2].clone();
        let other = json!({"calls": other});
        std::fs::write(dir3.0.join("page-0000.json"), other.to_string()).unwrap();
        assert_eq!(ingestor.settle_local(&local).unwrap(), None);
        // a page gone: the error names it
        let dir2 = Pages::new(&pages);
        let mut ingestor = read_pages(&dir2, &local);
        std::fs::remove_file(dir2.0.join("page-0001.json")).unwrap();
        let error = ingestor.settle_local(&local).unwrap_err().to_string();
        assert!(error.contains("page-0001.json"), "{error}");
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
        let local = Local::new(&make, GROUP);
        let ingest = ingest_of(&o);
        let ingestor =
            crate::files::read_inputs_local(&[dir.path()], &ingest, |_| {}, &local).unwrap();
        // 40 calls: the 8 between the edges are finished; 10 calls: all held
        assert_eq!(ingestor.waiting(), 32 + 10);
        let local = report(&dir.path(), &o, true);
        assert_eq!(local, report(&dir.path(), &o, false));
        assert!(local.contains("\"recordsOut\": 50"), "{local}");
    }

    #[test]
    fn the_detector_turns_off_after_8_marked_units_of_32_and_on_after_32_clean_ones() {
        let mut d = Detector::default();
        // inactive: nothing kept
        d.unit([1, 2].into_iter());
        d.unit([1, 2].into_iter());
        assert!(d.seen.is_empty() && !d.is_off());
        let _switch = d.switch();
        // unit i holds the keys 10i..10i+5 (all kept: small numbers), and one not kept
        let unit = |i: u64| (10 * i..10 * i + 5).chain([u64::MAX - i]);
        for i in 0..40 {
            d.unit(unit(i));
        }
        assert!(!d.is_off());
        // 7 units seen before, among new ones: still on
        for i in 0..7 {
            d.unit(unit(i));
            d.unit(unit(100 + i));
        }
        assert!(!d.is_off());
        // a unit whose keys are none kept is passed over; the 8th unit seen before turns it off
        d.unit([u64::MAX, u64::MAX - 1].into_iter());
        assert!(!d.is_off());
        d.unit([7, 1000].into_iter());
        assert!(d.is_off());
        // 31 new units: still off; the 32nd turns it on again
        for i in 200..231 {
            d.unit(unit(i));
        }
        assert!(d.is_off());
        d.unit(unit(231));
        assert!(!d.is_off());
        // a key hash kept is one of 16 (its top 4 bits zero)
        let mut d = Detector::default();
        let _switch = d.switch();
        d.unit([1 << 60, 1 << 59, 3 << 59].into_iter());
        assert_eq!(d.seen.len(), 1);
    }

    /// The tickets of the pages finished where read (by their file names' numbers).
    fn local_pages(ingestor: &Ingestor) -> Vec<usize> {
        let mut pages: Vec<usize> = (ingestor.local.0.iter())
            .filter_map(|(source, _, _)| {
                let name = &*ingestor.sources[*source];
                name.rsplit_once("page-")?
                    .1
                    .strip_suffix(".json")?
                    .parse()
                    .ok()
            })
            .collect();
        pages.sort_unstable();
        pages
    }

    #[test]
    fn an_input_given_twice_is_read_with_every_call_held_once_seen_and_new_pages_are_not() {
        let a = Pages::new(&plain_pages(64 * 40, 40));
        let b = Pages::new(&[]);
        let shifted: Vec<Vec<Value>> = plain_pages(160 * 40, 40).split_off(64);
        for (i, calls) in shifted.iter().enumerate() {
            let page = json!({"calls": calls, "page": i});
            std::fs::write(
                b.0.join(format!("page-{:04}.json", 100 + i)),
                page.to_string(),
            )
            .unwrap();
        }
        let o = options(false, false);
        let make = || crate::analytics::ReportPartial::new(&o.analytics);
        let ingest = ingest_of(&o);
        // A then A again: the second reading's pages hold their calls from a batch (16 files)
        // after its 8th page on (the batch read meanwhile goes either way)
        let local = Local::new(&make, GROUP);
        let paths = [a.path(), a.path()];
        let twice = crate::files::read_inputs_local(&paths, &ingest, |_| {}, &local).unwrap();
        assert!(twice.detector.is_off());
        let pages = local_pages(&twice);
        assert!(pages.len() <= 64 + 32 && pages.len() >= 64 + 8, "{pages:?}");
        assert!(
            pages.iter().filter(|&&p| p >= 32).count() <= 32 + 16,
            "{pages:?}"
        );
        // A, A and B (96 pages of new calls): on again after 32-40 of B's pages (a page without
        // a kept hash is passed over), in the batch of B's pages 32-47 at the latest; B's
        // last 32 pages finished where read
        let local = Local::new(&make, GROUP);
        let paths = [a.path(), a.path(), b.path()];
        let ingestor = crate::files::read_inputs_local(&paths, &ingest, |_| {}, &local).unwrap();
        assert!(!ingestor.detector.is_off());
        let pages = local_pages(&ingestor);
        assert!((164..196).all(|p| pages.contains(&p)), "{pages:?}");
        // the report is the one of holding every call
        for paths in [&[a.path(), a.path()][..], &[a.path(), a.path(), b.path()]] {
            let held = compute_paths_as(paths, &o, |_| {}, None).unwrap();
            let read = compute_paths_as(paths, &o, |_| {}, Some(GROUP)).unwrap();
            assert_eq!(report_json(&read.0), report_json(&held.0));
            assert_eq!(format!("{:?}", read.1), format!("{:?}", held.1));
        }
    }

    #[test]
    fn documents_in_memory_are_finished_where_read_and_read_again_from_memory() {
        let mut pages = plain_pages(150, 50);
        // the third page's 20th call is the first page's 25th
        pages[2][20] = pages[0][25].clone();
        let page = |calls: &Vec<Value>| json!({"calls": calls}).to_string();
        let docs: Vec<(String, String)> = [("a", &pages[0]), ("b", &pages[1]), ("c", &pages[2])]
            .into_iter()
            .map(|(name, calls)| (name.to_owned(), page(calls)))
            .collect();
        let o = options(false, false);
        let make = || crate::analytics::ReportPartial::new(&o.analytics);
        let ingest = ingest_of(&o);
        // groups of one page: the first and third are read again, from their documents
        let local = Local::new(&make, 1);
        let mut ingestor = Ingestor::new(&ingest).unwrap();
        let documents = ingestor.add_documents_local(&docs, &local).unwrap();
        assert_eq!(ingestor.waiting(), 3 * 2 * REACH);
        let read = |_: &str, source: usize, _: Option<(u64, usize)>| {
            Ok(docs[documents[source]].1.as_bytes().to_vec())
        };
        let dropped = ingestor.settle_local_with(&local, &read).unwrap().unwrap();
        assert_eq!(dropped.len(), 2);
        assert_eq!(ingestor.waiting(), 3 * 2 * REACH + 2 * (50 - 2 * REACH));
        let held = crate::report::compute_documents_as(&docs, &o, None).unwrap();
        let read = crate::report::compute_documents_as(&docs, &o, Some(GROUP)).unwrap();
        assert_eq!(report_json(&read.0), report_json(&held.0));
        assert_eq!(format!("{:?}", read.1), format!("{:?}", held.1));
        assert_eq!(read.1.duplicates_merged, 1);
    }

    #[test]
    fn documents_given_twice_are_held_once_the_detector_sees_it() {
        let page = |calls: &Vec<Value>| json!({"calls": calls}).to_string();
        let pages: Vec<String> = plain_pages(64 * 40, 40).iter().map(page).collect();
        let docs: Vec<(String, &str)> = (pages.iter().chain(&pages).enumerate())
            .map(|(i, p)| (format!("doc-{i}"), p.as_str()))
            .collect();
        let o = options(false, false);
        let make = || crate::analytics::ReportPartial::new(&o.analytics);
        let local = Local::new(&make, GROUP);
        let mut ingestor = Ingestor::new(&ingest_of(&o)).unwrap();
        ingestor.add_documents_local(&docs, &local).unwrap();
        // runs of 16: the second copy's from the run after the one in which the 8th repeated
        // document is added (the run prepared meanwhile goes either way)
        assert!(ingestor.detector.is_off());
        let finished = ingestor.local.0.len();
        assert!((64 + 8..=64 + 32).contains(&finished), "{finished}");
        let held = crate::report::compute_documents_as(&docs, &o, None).unwrap();
        let read = crate::report::compute_documents_as(&docs, &o, Some(GROUP)).unwrap();
        assert_eq!(report_json(&read.0), report_json(&held.0));
        assert_eq!(format!("{:?}", read.1), format!("{:?}", held.1));
    }

    /// The report and the ingest report of `inputs`, calls finished where read in groups of
    /// `group` pages or pieces, or all held.
    fn both(inputs: &[String], o: &ReportOptions, group: Option<usize>) -> (String, String) {
        let (report, ingest) = compute_paths_as(inputs, o, |_| {}, group).unwrap();
        assert!(ingest.is_balanced(), "{ingest:?}");
        (report_json(&report), format!("{ingest:?}"))
    }

    /// Calls 0..n of one minute each, 3 seconds apart, answered, as Twilio REST resources.
    fn plain_calls(n: usize) -> Vec<Value> {
        (0..n)
            .map(|i| call(i, None, (0, i), (i as u32 * 3, 60, 30), false))
            .collect()
    }

    #[test]
    fn ndjson_lines_are_finished_where_read_and_read_again_by_their_range() {
        let mut calls = plain_calls(1200);
        // line 102's call (after a blank line) talks longer than it lasts (a warning, told
        // by its line number); line 911's is the same call: both pieces are read again (by
        // their ranges)
        calls[100] = call(100, None, (0, 0), (300, 60, 90), false);
        calls[900] = calls[100].clone();
        let o = options(false, false);
        let make = || crate::analytics::ReportPartial::new(&o.analytics);
        let ingest = ingest_of(&o);
        for bom in [false, true] {
            let file = Pages::ndjson(&calls, bom);
            let local = Local::new(&make, 1);
            let mut ingestor =
                crate::files::read_inputs_local(&[file.file()], &ingest, |_| {}, &local).unwrap();
            // 30 pieces of 40 lines, each holding the calls of its first and last 16 lines
            assert_eq!(ingestor.local.0.len(), 30);
            assert_eq!(ingestor.waiting(), 30 * 2 * REACH);
            let dropped = ingestor.settle_local(&local).unwrap();
            assert_eq!(dropped.map(|d| d.len()), Some(2), "read again the same way");
            assert_eq!(ingestor.waiting(), 30 * 2 * REACH + 2 * (40 - 2 * REACH));
            let (report, ingest) =
                compute_paths_as(&[file.file()], &o, |_| {}, Some(GROUP)).unwrap();
            let indexes: Vec<usize> = ingest.warnings.iter().map(|w| w.index).collect();
            assert_eq!(indexes, [102], "{ingest:?}");
            let read = (report_json(&report), format!("{ingest:?}"));
            assert_eq!(read, both(&[file.file()], &o, None));
            assert!(read.0.contains("\"duplicatesMerged\": 1"), "{}", read.0);
        }
    }

    #[test]
    fn ndjson_lines_finished_where_read_are_told_by_their_line_numbers() {
        // line 301 (after three blank lines): more talk than length, rejected where finished
        let mut calls = plain_calls(600);
        calls[300] = call(300, None, (0, 0), (900, 60, 90), false);
        let file = Pages::ndjson(&calls, false);
        let o = options(true, false);
        let (report, ingest) = compute_paths_as(&[file.file()], &o, |_| {}, Some(GROUP)).unwrap();
        assert_eq!(ingest.rejected.len(), 1, "{ingest:?}");
        assert_eq!(ingest.rejected[0].index, 304);
        assert_eq!(ingest.rejected[0].source, file.file());
        let held = both(&[file.file()], &o, None);
        assert_eq!((report_json(&report), format!("{ingest:?}")), held);
    }

    #[test]
    fn a_small_ndjson_file_and_an_ndjson_document_are_finished_where_read_too() {
        // 50 lines, under 64 KB: read whole, in a batch of files; line 46's call is line 21's
        let mut calls = plain_calls(50);
        calls[45] = calls[20].clone();
        let o = options(false, false);
        let make = || crate::analytics::ReportPartial::new(&o.analytics);
        let ingest = ingest_of(&o);
        let file = Pages::ndjson(&calls, true);
        assert!(std::fs::metadata(file.file()).unwrap().len() < 64 << 10);
        let local = Local::new(&make, 1);
        let mut ingestor =
            crate::files::read_inputs_local(&[file.file()], &ingest, |_| {}, &local).unwrap();
        // two pieces (40 and 10 lines): the first finished lines 17-24, the second none
        assert_eq!(ingestor.local.0.len(), 2);
        assert_eq!(ingestor.waiting(), 50 - 8);
        let dropped = ingestor.settle_local(&local).unwrap();
        assert_eq!(dropped.map(|d| d.len()), Some(1), "read again the same way");
        assert_eq!(ingestor.waiting(), 50);
        let read = both(&[file.file()], &o, Some(GROUP));
        assert_eq!(read, both(&[file.file()], &o, None));
        assert!(read.0.contains("\"duplicatesMerged\": 1"), "{}", read.0);
        // the same text as a document in memory, after a page: read again from the document
        let text = std::fs::read(file.file()).unwrap();
        let page = json!({"calls": plain_calls(3)}).to_string().into_bytes();
        let docs = [("page".to_string(), page), ("lines".to_string(), text)];
        let local = Local::new(&make, 1);
        let mut ingestor = Ingestor::new(&ingest).unwrap();
        let documents = ingestor.add_documents_local(&docs, &local).unwrap();
        assert_eq!(ingestor.local.0.len(), 3);
        let again = |_: &str, source: usize, range: Option<(u64, usize)>| {
            let doc = &docs[documents[source]].1;
            Ok(match range {
                Some((at, len)) => doc[at as usize..at as usize + len].to_vec(),
                None => doc.clone(),
            })
        };
        let dropped = ingestor.settle_local_with(&local, &again).unwrap();
        assert_eq!(dropped.map(|d| d.len()), Some(1), "read again the same way");
        let held = crate::report::compute_documents_as(&docs, &o, None).unwrap();
        let read = crate::report::compute_documents_as(&docs, &o, Some(GROUP)).unwrap();
        assert_eq!(report_json(&read.0), report_json(&held.0));
        assert_eq!(format!("{:?}", read.1), format!("{:?}", held.1));
    }

    /// A named pipe at `path` that `text` is written into once, by a thread.
    #[cfg(unix)]
    fn pipe(path: &std::path::Path, text: String) -> std::thread::JoinHandle<()> {
        let made = std::process::Command::new("mkfifo").arg(path).status();
        assert!(made.is_ok_and(|s| s.success()), "mkfifo");
        let path = path.to_owned();
        std::thread::spawn(move || {
            use std::io::Write;
            let mut pipe = std::fs::OpenOptions::new().write(true).open(path).unwrap();
            // (the reader may stop early on an error: not this test's concern)
            let _ = pipe.write_all(text.as_bytes());
        })
    }

    #[cfg(unix)]
    #[test]
    fn a_pipe_is_read_once_with_every_call_held() {
        // a page and NDJSON lines through pipes, each with a call of a page file after them
        let pages = plain_pages(200, 50);
        let calls = plain_calls(400).split_off(300);
        let dir = Pages::new(&[pages[0].clone(), pages[1].clone()]);
        let mut last = pages[1].clone();
        last[25] = pages[0][25].clone();
        last[26] = calls[50].clone();
        let last = Pages::new(&[last]);
        let lines = Pages::ndjson(&calls, false);
        let fifo_page = dir.0.join("pipe-page.json");
        let fifo_lines = dir.0.join("pipe-lines.ndjson");
        let inputs = [
            fifo_page.display().to_string(),
            fifo_lines.display().to_string(),
            last.path(),
        ];
        let o = options(false, false);
        let writers = [
            pipe(&fifo_page, json!({"calls": pages[0]}).to_string()),
            pipe(&fifo_lines, std::fs::read_to_string(lines.file()).unwrap()),
        ];
        let read = both(&inputs, &o, Some(GROUP));
        writers.into_iter().for_each(|w| w.join().unwrap());
        // the report of the same bytes in files
        std::fs::remove_file(&fifo_page).unwrap();
        std::fs::remove_file(&fifo_lines).unwrap();
        std::fs::write(&fifo_page, json!({"calls": pages[0]}).to_string()).unwrap();
        std::fs::copy(lines.file(), &fifo_lines).unwrap();
        assert_eq!(read, both(&inputs, &o, None));
        assert!(read.0.contains("\"duplicatesMerged\": 2"), "{}", read.0);
    }

    #[test]
    fn an_ndjson_file_given_twice_is_held_once_the_detector_sees_it() {
        let file = Pages::ndjson(&plain_calls(1200), false);
        let o = options(false, false);
        let make = || crate::analytics::ReportPartial::new(&o.analytics);
        let local = Local::new(&make, GROUP);
        let paths = [file.file(), file.file()];
        let twice =
            crate::files::read_inputs_local(&paths, &ingest_of(&o), |_| {}, &local).unwrap();
        assert!(twice.detector.is_off());
        // the first reading's 30 pieces, and the second's up to its 8th piece with a kept key
        // hash (the key hasher's seed is random: a 40-line piece keeps none of its 40 hashes
        // 7.6% of the time, and is passed over) and the rest of that batch's 3 pieces
        let pieces = twice.local.0.len();
        assert!((30 + 8..=30 + 18).contains(&pieces), "{pieces}");
        let read = both(&paths, &o, Some(GROUP));
        assert_eq!(read, both(&paths, &o, None));
        assert!(read.0.contains("\"duplicatesMerged\": 1200"), "{}", read.0);
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(48))]
        /// Whatever the calls, their legs and duplicates (near, far, in other pages), calls
        /// without a start, warnings and rejections where calls are finished, items that are
        /// not calls and pages the fast lane gives back: finishing calls where their pages are
        /// read gives the report, ingest report and its lines in their order included, of
        /// holding every call until the end, whatever the pages read again together.
        #[test]
        fn finishing_where_read_gives_the_report_of_holding_every_call(
            items in proptest::collection::vec(
                (0u8..12, 0usize..80, (0usize..6, 0usize..2), (0u32..3600, 0u32..900, 0u32..1000), proptest::bool::weighted(0.04)),
                0..160,
            ),
            cuts in proptest::collection::vec(1usize..70, 1..8),
            strict: bool,
            redact: bool,
            group in 1usize..4,
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
                report_in(&pages.path(), &o, Some(group)),
                report(&pages.path(), &o, false)
            );
            // the same pages as documents in memory
            let mut names: Vec<_> = std::fs::read_dir(&pages.0).unwrap().map(|e| e.unwrap().path()).collect();
            names.sort();
            let docs: Vec<(String, Vec<u8>)> = names
                .iter()
                .map(|p| (p.display().to_string(), std::fs::read(p).unwrap()))
                .collect();
            let held = crate::report::compute_documents_as(&docs, &o, None).unwrap();
            let read = crate::report::compute_documents_as(&docs, &o, Some(group)).unwrap();
            proptest::prop_assert_eq!(report_json(&read.0), report_json(&held.0));
            proptest::prop_assert_eq!(format!("{:?}", read.1), format!("{:?}", held.1));
            // the same calls as the lines of an NDJSON file (streamed from ~64 calls on), and
            // as one document in memory (`report_bytes`, finishing calls where read)
            let file = Pages::ndjson(&calls, strict);
            let text = std::fs::read(file.file()).unwrap();
            let file = [file.file()];
            proptest::prop_assert_eq!(both(&file, &o, Some(group)), both(&file, &o, None));
            let held = crate::report::compute_documents_as(&[("lines", &text)], &o, None).unwrap();
            let read = crate::report::report_bytes("lines", &text, &o).unwrap();
            proptest::prop_assert_eq!(read, crate::report::from_report(&held.0));
        }
    }
}
