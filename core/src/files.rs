//! Reading files and folders into one ingest, as the command line does: folders walked
//! recursively (sorted, hidden entries skipped), small files (API list pages) read a batch at a
//! time and parsed in parallel while the batch before is added, large files (NDJSON, big
//! arrays) streamed. A whole job runs as a task of the thread pool. The bindings'
//! `report_files` / `ingest_files` ([`crate::report::report_paths`], [`ingest_inputs`]) and
//! `callscope report` / `callscope ingest` share this code.

use crate::ingest::{DocumentPreparer, IngestOptions, Ingested, Ingestor, PiecePreparer, Prepared};
use crate::{Error, Result};
use std::io::{BufReader, Read};
use std::path::{Path, PathBuf};

/// Expand INPUT arguments: files as given, folders recursively (sorted, hidden entries
/// skipped), `-` for standard input.
pub fn expand_inputs(inputs: &[String]) -> Result<Vec<String>> {
    let mut out = Vec::new();
    for input in inputs {
        if input == "-" {
            out.push(input.clone());
            continue;
        }
        let path = Path::new(input);
        if path.is_dir() {
            let mut files = Vec::new();
            walk(path, &mut Default::default(), &mut files).map_err(|cause| Error::Io {
                source_name: input.clone(),
                cause,
            })?;
            files.sort();
            out.extend(files.into_iter().map(|p| p.to_string_lossy().into_owned()));
        } else {
            out.push(input.clone());
        }
    }
    Ok(out)
}

/// The files under `dir`, depth first, hidden entries skipped. A folder reached again (through
/// a symbolic link to itself or to an ancestor, or two links to one folder) is read once:
/// `seen` holds each folder's canonical path, so a link loop neither fails the walk ("too many
/// levels of symbolic links") nor multiplies it.
fn walk(
    dir: &Path,
    seen: &mut std::collections::HashSet<PathBuf>,
    out: &mut Vec<PathBuf>,
) -> std::io::Result<()> {
    if !seen.insert(std::fs::canonicalize(dir)?) {
        return Ok(());
    }
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let path = entry.path();
        if entry.file_name().to_string_lossy().starts_with('.') {
            continue;
        }
        if path.is_dir() {
            walk(&path, seen, out)?;
        } else {
            out.push(path);
        }
    }
    Ok(())
}

/// Files up to this size are read whole and parsed in parallel with their neighbours. The
/// tests stream files over 64 KB, so that a few thousand lines make a streamed file.
const SMALL_FILE: u64 = if cfg!(test) { 64 << 10 } else { 16 << 20 };

/// [`SMALL_FILE`] when every unmapped field is kept (`callscope ingest`): a file read whole is
/// held while its items are parsed, each about its line's size, so a 16 MB NDJSON file would
/// peak at twice its size before anything else; larger files are streamed (API list pages,
/// 1-2 MB each, are still read whole, in batches).
const KEPT_SMALL_FILE: u64 = 4 << 20;

/// Bytes of small files read before a parallel batch is parsed.
const BATCH_BYTES: usize = 32 << 20;

/// [`BATCH_BYTES`] when every unmapped field is kept (`callscope ingest`): a batch's parsed
/// items then take about as much memory as its bytes, and smaller batches keep the peak
/// lower (100k JustCall calls, 123 MB of pages: ~1.6x the input with 32 MB batches, ~1.35x
/// with 8 MB), while `report` reads ~5% faster with the larger ones.
const KEPT_BATCH_BYTES: usize = 8 << 20;

/// Files held open at most before a batch is read (a folder of many tiny webhook files would
/// otherwise open thousands at once and run into the process's file limit); also the most
/// documents in memory parsed together ([`Ingestor::add_documents`]). The tests read 16 at a
/// time, so that a few dozen small files or documents make several batches.
pub(crate) const BATCH_FILES: usize = if cfg!(test) { 16 } else { 256 };

/// Read every input into one ingest, finished into records (the records API; `callscope
/// ingest` finishes into output lines instead, see `cli::run_ingest`). `on_file` is told the
/// size of each file as it is read (for progress bars).
pub fn ingest_inputs(
    inputs: &[String],
    options: &IngestOptions,
    on_file: impl FnMut(u64) + Send,
) -> Result<Ingested> {
    on_pool(|| Ok(read_inputs(inputs, options, on_file)?.finish()))
}

/// Read and parse every input into an [`Ingestor`], not yet finished (`callscope ingest`
/// finishes it into output lines; `callscope report` reads with [`read_inputs_with`], finishing
/// calls into a [`crate::report::Streamed`] report).
pub fn read_inputs(
    inputs: &[String],
    options: &IngestOptions,
    on_file: impl FnMut(u64),
) -> Result<Ingestor> {
    read_inputs_with(inputs, options, on_file, &mut |_| {})
}

/// [`read_inputs`], calling `between` after each batch of items (a batch of small files, a
/// batch of a large file's elements or lines; see [`Ingestor::add_reader_with`]).
pub fn read_inputs_with(
    inputs: &[String],
    options: &IngestOptions,
    on_file: impl FnMut(u64),
    between: &mut dyn FnMut(&mut Ingestor),
) -> Result<Ingestor> {
    stage("start");
    let ingestor = Ingestor::new(options)?;
    let prepare = ingestor.preparer();
    read_into(
        ingestor,
        inputs,
        options,
        on_file,
        between,
        (&prepare, None),
    )
}

/// [`read_inputs`] for a report ([`crate::report::compute_paths`]): the calls of the API list
/// pages the typed fast lanes read are finished where each page is read, into partials of
/// `local` (see [`crate::ingest::Ingestor::settle_local`] for what the caller must do once
/// every input is read).
pub(crate) fn read_inputs_local<P: crate::analytics::Partial + Send>(
    inputs: &[String],
    options: &IngestOptions,
    on_file: impl FnMut(u64),
    local: &crate::ingest::Local<'_, P>,
) -> Result<Ingestor> {
    stage("start");
    let mut ingestor = Ingestor::new(options)?;
    let prepare = ingestor.local_preparer(local);
    let pieces = ingestor.local_pieces(local);
    read_into(
        ingestor,
        inputs,
        options,
        on_file,
        &mut |_| {},
        (&prepare, Some(&pieces)),
    )
}

/// Read every input into `ingestor`, each whole document (a small file) prepared by
/// `prepare` ([`Ingestor::preparer`]), and with `pieces` each piece of an NDJSON file's lines
/// ([`Ingestor::local_pieces`]; a piece may be read again by its byte range, so only regular
/// files are read so: any other is streamed with every call held).
fn read_into(
    mut ingestor: Ingestor,
    inputs: &[String],
    options: &IngestOptions,
    mut on_file: impl FnMut(u64),
    between: &mut dyn FnMut(&mut Ingestor),
    (prepare, pieces): (&DocumentPreparer<'_>, Option<&PiecePreparer<'_>>),
) -> Result<Ingestor> {
    // Small files (API list pages) are read whole and parsed in parallel, a batch at a time;
    // large ones are streamed (their array elements or lines are parsed in parallel).
    let (small, mut batch) = if options.keep_extra {
        (
            KEPT_SMALL_FILE,
            Batch::new(KEPT_BATCH_BYTES, (prepare, pieces)),
        )
    } else {
        (SMALL_FILE, Batch::new(BATCH_BYTES, (prepare, pieces)))
    };
    let inputs = expand_inputs(inputs)?;
    // The input's size, for an estimate of how many items are still to come
    // ([`Ingestor::expect_rest`], made after the first batch).
    let total: u64 = inputs
        .iter()
        .filter(|i| *i != "-")
        .filter_map(|i| std::fs::metadata(i).ok())
        .map(|m| m.len())
        .sum();
    let mut added = Added {
        done: 0,
        total,
        estimated: false,
    };
    for input in inputs {
        if input == "-" {
            added.drain(&mut batch, &mut ingestor, &mut on_file, between, true)?;
            let stdin = std::io::stdin();
            ingestor.add_reader_with("-", stdin.lock(), between)?;
            between(&mut ingestor);
            continue;
        }
        let file = std::fs::File::open(&input).map_err(|cause| Error::Io {
            source_name: input.clone(),
            cause,
        })?;
        let meta = file.metadata().ok();
        let size = meta.as_ref().map_or(0, std::fs::Metadata::len);
        // (a pipe, such as `<(zcat calls.gz)`, is streamed, whatever its size says: it can be
        // read only once, and a report may read a file's page or piece again)
        let regular = meta.as_ref().is_some_and(std::fs::Metadata::is_file);
        if size <= small && regular {
            batch.bytes += size as usize;
            batch.files.push((input, file, size));
            if batch.bytes >= batch.limit || batch.files.len() >= BATCH_FILES {
                let bytes = batch.flush(&mut ingestor, &mut on_file)?;
                added.batch(&mut ingestor, between, bytes);
            }
            continue;
        }
        added.drain(&mut batch, &mut ingestor, &mut on_file, between, true)?;
        let reader = BufReader::with_capacity(1 << 20, file);
        match pieces.filter(|_| regular) {
            Some(pieces) => ingestor.add_file_local(&input, reader, pieces)?,
            None => ingestor.add_reader_with(&input, reader, between)?,
        }
        on_file(size);
        added.batch(&mut ingestor, between, Some(size));
    }
    // (`between` after every batch but the last: the caller finishes the ingest)
    added.drain(&mut batch, &mut ingestor, &mut on_file, between, false)?;
    stage("read + parse");
    Ok(ingestor)
}

/// What [`read_inputs_with`] has added: bytes of the files whose items are waiting (`done`,
/// of the input's `total`), and whether room was made for the items still to come.
struct Added {
    done: u64,
    total: u64,
    estimated: bool,
}

impl Added {
    /// After a batch of `bytes` was added (`None`: nothing was): `between`, and once, room for
    /// the rest ([`Ingestor::expect_rest`]).
    fn batch(
        &mut self,
        ingestor: &mut Ingestor,
        between: &mut dyn FnMut(&mut Ingestor),
        bytes: Option<u64>,
    ) {
        if let Some(bytes) = bytes {
            between(ingestor);
            self.done += bytes;
            self.estimated = self.estimated || ingestor.expect_rest(self.done, self.total);
        }
    }

    /// Add everything `batch` holds (the batch parsed last, then its files), each followed by
    /// [`Added::batch`], the last one only when `between_last`.
    fn drain(
        &mut self,
        batch: &mut Batch<'_>,
        ingestor: &mut Ingestor,
        on_file: &mut impl FnMut(u64),
        between: &mut dyn FnMut(&mut Ingestor),
        between_last: bool,
    ) -> Result<()> {
        let bytes = batch.flush(ingestor, on_file)?;
        self.batch(ingestor, between, bytes);
        let bytes = batch.flush(ingestor, on_file)?;
        if between_last {
            self.batch(ingestor, between, bytes);
        }
        Ok(())
    }
}

/// Run a whole job (`work`) as a task of the thread pool, the caller waiting, so that its
/// serial steps (collecting each batch's items, grouping's ordered passes, closing the
/// report) run on one of the pool's threads instead of on a third thread beside them; called
/// on a pool thread (a job inside a parallel iterator), `work` runs at once.
///
/// With the caller's thread doing the serial steps, three threads took turns on two cores:
/// the caller woke the pool's threads while it still ran, the scheduler put both on one core,
/// and one waited there for milliseconds while the other core was idle (`perf sched`, 1M
/// JustCall calls: 33 ms of such waits, 0.23 s of idle cores in a 1.3 s run; 8 ms and 0.20 s
/// with the job on the pool). Measured in README "Performance", round 17.
pub(crate) fn on_pool<R: Send>(work: impl FnOnce() -> R + Send) -> R {
    #[cfg(feature = "parallel")]
    if rayon::current_thread_index().is_none() {
        return rayon::join(work, || ()).0;
    }
    work()
}

/// Small files waiting to be read and parsed together, and the batch before them, parsed and
/// waiting to be added.
struct Batch<'p> {
    files: Vec<(String, std::fs::File, u64)>,
    bytes: usize,
    /// Bytes read before the batch is parsed.
    limit: usize,
    /// The documents of the batch parsed last, not yet added, and their files' bytes.
    parsed: Option<(Vec<Result<ReadFile>>, u64)>,
    /// What each file is prepared with ([`Ingestor::preparer`], [`Ingestor::local_preparer`]).
    prepare: &'p DocumentPreparer<'p>,
    /// With a report's local preparer, the pieces of an NDJSON file's lines
    /// ([`Ingestor::local_pieces`]).
    pieces: Option<&'p PiecePreparer<'p>>,
}

thread_local! {
    /// The buffer each thread reads a file into and parses it from, reused for the thread's
    /// next file: its bytes are still in the core's cache when they are parsed, and again
    /// when the next file is read into them (a buffer per file, reused batch after batch,
    /// was out of the cache by then).
    static READ_BUFFER: std::cell::Cell<Vec<u8>> = const { std::cell::Cell::new(Vec::new()) };
}

/// A thread's read buffer larger than this is freed after use (one large file does not keep
/// its size on every thread).
const MAX_KEPT_BUFFER: usize = 4 << 20;

impl<'p> Batch<'p> {
    /// An empty batch, parsed once `limit` bytes of files are in it, each file by `prepare`.
    fn new(
        limit: usize,
        (prepare, pieces): (&'p DocumentPreparer<'p>, Option<&'p PiecePreparer<'p>>),
    ) -> Self {
        Batch {
            files: Vec::new(),
            bytes: 0,
            limit,
            parsed: None,
            prepare,
            pieces,
        }
    }

    /// Read the batch's files and parse them as whole documents (in parallel, each parsed on
    /// the thread that read it) while the documents of the batch parsed before are added, in
    /// order, on this thread: adding a batch (a serial step) no longer leaves the other core
    /// idle. The first read error of that batch, in order, is returned before anything of it
    /// is added. Returns the bytes of the files added, `None` when no batch was waiting.
    fn flush(
        &mut self,
        ingestor: &mut Ingestor,
        on_file: &mut impl FnMut(u64),
    ) -> Result<Option<u64>> {
        let (prepare, pieces) = (self.prepare, self.pieces);
        let files = std::mem::take(&mut self.files);
        let bytes = std::mem::take(&mut self.bytes) as u64;
        let waiting = self.parsed.take();
        let mut next = None;
        let add = || -> Result<Option<u64>> {
            let Some((docs, bytes)) = waiting else {
                return Ok(None);
            };
            let docs: Vec<ReadFile> = docs.into_iter().collect::<Result<_>>()?;
            for (name, ready, read, len) in docs {
                let read = read.as_deref().unwrap_or_default();
                ingestor.add_prepared(&name, ready, read, pieces)?;
                on_file(len as u64);
            }
            Ok(Some(bytes))
        };
        #[cfg(feature = "parallel")]
        let added = rayon::in_place_scope(|scope| {
            if !files.is_empty() {
                scope.spawn(|_| next = Some(read_batch(files, prepare)));
            }
            add()
        });
        #[cfg(not(feature = "parallel"))]
        let added = {
            if !files.is_empty() {
                next = Some(read_batch(files, prepare));
            }
            add()
        };
        self.parsed = next.map(|docs| (docs, bytes));
        added
    }
}

/// Read `files` and parse each as a whole document with `prepare`, in parallel, each file
/// parsed on the thread that read it, into a buffer the thread keeps ([`READ_BUFFER`]).
fn read_batch(
    files: Vec<(String, std::fs::File, u64)>,
    prepare: &DocumentPreparer<'_>,
) -> Vec<Result<ReadFile>> {
    let read = |(name, mut file, size): (String, std::fs::File, u64)| {
        // taken out while it is used, not borrowed: a parse that waits on the pool may run
        // another file's read on this thread, which then reads into a buffer of its own
        let mut buf = READ_BUFFER.take();
        buf.clear();
        // room for the whole file at once (`read_to_end` then reads into it without zeroing
        // it first), and a byte more to see the end
        let size = usize::try_from(size).unwrap_or(usize::MAX);
        buf.reserve(size.saturating_add(1));
        let read = file.read_to_end(&mut buf).map_err(|cause| Error::Io {
            source_name: name.clone(),
            cause,
        });
        let done = read.map(|len| {
            let ready = prepare(&name, &buf);
            // the bytes are kept only when adding the document reads them again: a buffer
            // the thread would not keep is handed over, not copied
            let bytes = ready.needs_bytes().then(|| {
                if buf.capacity() > MAX_KEPT_BUFFER {
                    std::mem::take(&mut buf)
                } else {
                    buf.clone()
                }
            });
            (name, ready, bytes, len)
        });
        if buf.capacity() <= MAX_KEPT_BUFFER {
            READ_BUFFER.set(buf);
        }
        done
    };
    #[cfg(feature = "parallel")]
    {
        use rayon::prelude::*;
        files.into_par_iter().map(read).collect()
    }
    #[cfg(not(feature = "parallel"))]
    files.into_iter().map(read).collect()
}

/// A file read and prepared ([`Ingestor::preparer`]): its name, its parse, its bytes when
/// adding it needs them, and its length.
type ReadFile = (String, Prepared, Option<Vec<u8>>, usize);

/// With `CALLSCOPE_TIMINGS` set, print the wall time since the previous stage mark (and, on
/// Linux, the process's user and system CPU time over the stage and the resident memory now and
/// at its peak) to standard error (a profile of where a run's time goes; README "Performance").
/// The CPU time over the wall time says how many cores the stage kept busy.
pub fn stage(name: &str) {
    use std::sync::Mutex;
    use std::time::Instant;
    /// When the previous stage ended, and the CPU times then.
    type Mark = (Instant, Option<(f64, f64)>);
    static LAST: Mutex<Option<Mark>> = Mutex::new(None);
    if std::env::var_os("CALLSCOPE_TIMINGS").is_none() {
        return;
    }
    let now = (Instant::now(), cpu_times());
    let mut last = LAST.lock().unwrap_or_else(|e| e.into_inner());
    if let Some((before, cpu_before)) = *last {
        let cpu = match (cpu_before, now.1) {
            (Some((u0, s0)), Some((u1, s1))) => {
                format!(", cpu user {:.2} s sys {:.2} s", u1 - u0, s1 - s0)
            }
            _ => String::new(),
        };
        eprintln!(
            "{name}: {:.3} s{cpu}{}",
            (now.0 - before).as_secs_f64(),
            memory_note()
        );
    }
    *last = Some(now);
}

/// The process's user and system CPU seconds so far, from `/proc/self/stat` (Linux; fields 14
/// and 15, in clock ticks of 1/100 s), or `None` elsewhere.
fn cpu_times() -> Option<(f64, f64)> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // the command name (field 2) is in parentheses and may hold spaces: count after it
    let rest = stat.get(stat.rfind(')')? + 1..)?;
    let mut fields = rest.split_whitespace().skip(11);
    let ticks = |f: Option<&str>| f?.parse::<f64>().ok().map(|t| t / 100.0);
    Some((ticks(fields.next())?, ticks(fields.next())?))
}

/// ", memory N MB, peak N MB" from `/proc/self/status` (Linux), or nothing elsewhere.
fn memory_note() -> String {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let mb = |key: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(key))
            .and_then(|rest| rest.split_whitespace().next()?.parse::<u64>().ok())
            .map(|kb| kb / 1024)
    };
    match (mb("VmRSS:"), mb("VmHWM:")) {
        (Some(now), Some(peak)) => format!(", memory {now} MB, peak {peak} MB"),
        _ => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(feature = "parallel")]
    #[test]
    fn a_job_runs_on_a_thread_of_the_pool_and_a_job_inside_one_where_it_is() {
        // from outside the pool: on one of its threads, the caller waiting for the result
        assert_eq!(rayon::current_thread_index(), None);
        let on = on_pool(|| (rayon::current_thread_index(), std::thread::current().id()));
        assert!(on.0.is_some());
        assert_ne!(on.1, std::thread::current().id());
        // on a pool thread: at once, on that thread
        rayon::scope(|_| {
            let here = std::thread::current().id();
            assert_eq!(on_pool(|| std::thread::current().id()), here);
        });
    }

    #[test]
    fn a_job_gives_back_what_it_made_and_what_it_borrowed_is_changed() {
        let mut seen = Vec::new();
        let sum = on_pool(|| {
            seen.extend([1u64, 2, 3]);
            seen.iter().sum::<u64>()
        });
        assert_eq!((sum, seen), (6, vec![1, 2, 3]));
    }
}
