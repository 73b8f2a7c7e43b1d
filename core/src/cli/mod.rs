//! The `callscope` command line (feature `cli`): input discovery and the `ingest` command.
//! `report` and `text` live beside it.

use crate::CallRecord;
use crate::ingest::{IngestOptions, IngestReport, Ingested, Ingestor};
use crate::{Error, Result};
use std::io::{BufReader, Read, Write};
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
            walk(path, &mut files).map_err(|cause| Error::Io {
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

fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let path = entry.path();
        if entry.file_name().to_string_lossy().starts_with('.') {
            continue;
        }
        if path.is_dir() {
            walk(&path, out)?;
        } else {
            out.push(path);
        }
    }
    Ok(())
}

/// Files up to this size are read whole and parsed in parallel with their neighbours.
const SMALL_FILE: u64 = 16 << 20;

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
/// otherwise open thousands at once and run into the process's file limit).
const BATCH_FILES: usize = 256;

/// Read every input into one ingest, finished into records (the records API; `callscope
/// ingest` finishes into output lines instead, see [`run_ingest`]). `on_file` is told the
/// size of each file as it is read (for progress bars).
pub fn ingest_inputs(
    inputs: &[String],
    options: &IngestOptions,
    on_file: impl FnMut(u64),
) -> Result<Ingested> {
    let ingestor = read_inputs(inputs, options, on_file)?;
    let ingested = ingestor.finish();
    stage("finish (fold, records, sort)");
    Ok(ingested)
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
    mut on_file: impl FnMut(u64),
    between: &mut dyn FnMut(&mut Ingestor),
) -> Result<Ingestor> {
    stage("start");
    let mut ingestor = Ingestor::new(options)?;
    // Small files (API list pages) are read whole and parsed in parallel, a batch at a time;
    // large ones are streamed (their array elements or lines are parsed in parallel).
    let (small, mut batch) = if options.keep_extra {
        (KEPT_SMALL_FILE, Batch::new(KEPT_BATCH_BYTES))
    } else {
        (SMALL_FILE, Batch::new(BATCH_BYTES))
    };
    for input in expand_inputs(inputs)? {
        if input == "-" {
            batch.flush(&mut ingestor, &mut on_file)?;
            between(&mut ingestor);
            let stdin = std::io::stdin();
            ingestor.add_reader_with("-", stdin.lock(), between)?;
            between(&mut ingestor);
            continue;
        }
        let file = std::fs::File::open(&input).map_err(|cause| Error::Io {
            source_name: input.clone(),
            cause,
        })?;
        let size = file.metadata().map(|m| m.len()).unwrap_or(0);
        if size <= small {
            batch.bytes += size as usize;
            batch.files.push((input, file, size));
            if batch.bytes >= batch.limit || batch.files.len() >= BATCH_FILES {
                batch.flush(&mut ingestor, &mut on_file)?;
                between(&mut ingestor);
            }
            continue;
        }
        batch.flush(&mut ingestor, &mut on_file)?;
        between(&mut ingestor);
        ingestor.add_reader_with(&input, BufReader::with_capacity(1 << 20, file), between)?;
        between(&mut ingestor);
        on_file(size);
    }
    batch.flush(&mut ingestor, &mut on_file)?;
    stage("read + parse");
    Ok(ingestor)
}

/// Small files waiting to be read and parsed together, and the buffers of the last batch,
/// reused so that reading does not touch fresh memory for every file.
struct Batch {
    files: Vec<(String, std::fs::File, u64)>,
    bytes: usize,
    /// Bytes read before the batch is parsed.
    limit: usize,
    spare: Vec<Vec<u8>>,
}

impl Batch {
    /// An empty batch, parsed once `limit` bytes of files are in it.
    fn new(limit: usize) -> Self {
        Batch {
            files: Vec::new(),
            bytes: 0,
            limit,
            spare: Vec::new(),
        }
    }

    /// Read the batch's files (in parallel) and parse them as whole documents, in order; the
    /// first read error, in order, is returned before anything of the batch is parsed.
    fn flush(&mut self, ingestor: &mut Ingestor, on_file: &mut impl FnMut(u64)) -> Result<()> {
        if self.files.is_empty() {
            return Ok(());
        }
        let jobs: Vec<((String, std::fs::File, u64), Vec<u8>)> = self
            .files
            .drain(..)
            .map(|f| (f, self.spare.pop().unwrap_or_default()))
            .collect();
        self.bytes = 0;
        let read = |((name, mut file, size), mut buf): ((String, std::fs::File, u64), Vec<u8>)| {
            buf.clear();
            buf.reserve(size as usize);
            match file.read_to_end(&mut buf) {
                Ok(_) => Ok((name, buf)),
                Err(cause) => Err(Error::Io {
                    source_name: name,
                    cause,
                }),
            }
        };
        let read: Vec<Result<(String, Vec<u8>)>> = {
            use rayon::prelude::*;
            jobs.into_par_iter().map(read).collect()
        };
        let docs: Vec<(String, Vec<u8>)> = read.into_iter().collect::<Result<_>>()?;
        ingestor.add_documents(&docs)?;
        for (_, buf) in docs {
            on_file(buf.len() as u64);
            self.spare.push(buf);
        }
        Ok(())
    }
}

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

/// `callscope ingest`: records as NDJSON on `out` (sorted by start time, then id), the report
/// as JSON to `report_path`; gives the report.
///
/// The output is never held: the records' order is learned first, and the calls are then
/// finished in that order a thousand at a time, each record turned into its JSON line on the
/// thread that finished it and the lines written ([`Ingestor::finish_batches`]), so memory
/// holds the parsed items and one batch of lines. With an ingest window the lines of the
/// calls finished while reading are written as they come ([`Ingestor::finish_idle_with`]),
/// each batch sorted by start time and id, so that memory holds about `window` items: the
/// output is then sorted within each batch, not as a whole.
pub fn run_ingest(
    inputs: &[String],
    options: &IngestOptions,
    report_path: Option<&Path>,
    out: impl Write,
) -> Result<IngestReport> {
    let io = |cause| Error::Io {
        source_name: "standard output".into(),
        cause,
    };
    // in large writes: standard output flushes at every line break otherwise
    let mut out = std::io::BufWriter::with_capacity(1 << 20, out);
    let write = |out: &mut dyn Write, lines: Vec<serde_json::Result<Box<[u8]>>>| {
        for line in lines {
            out.write_all(&line.map_err(|e| io(e.into()))?)
                .map_err(io)?;
        }
        Ok::<(), Error>(())
    };
    // the first error writing early lines; reading goes on, nothing more is written
    let mut early: Result<()> = Ok(());
    let ingestor = read_inputs_with(inputs, options, |_| {}, &mut |ingestor| {
        if early.is_ok() {
            early = write(&mut out, ingestor.finish_idle_with(json_line));
        }
    })?;
    early?;
    let report = ingestor.finish_batches(json_line, |lines| write(&mut out, lines))?;
    out.flush().map_err(io)?;
    stage("finish and write (sort, fold, records, lines)");
    if let Some(path) = report_path {
        let text = serde_json::to_string_pretty(&report).unwrap_or_default();
        std::fs::write(path, text + "\n").map_err(|cause| Error::Io {
            source_name: path.display().to_string(),
            cause,
        })?;
    }
    Ok(report)
}

/// A record's JSON line, kept at its exact size: the serializer's buffer grew by doubling (up
/// to twice the line), and the allocator keeps a block shrunk by less than half.
fn json_line(record: CallRecord) -> serde_json::Result<Box<[u8]>> {
    let mut line = serde_json::to_vec(&record)?;
    line.push(b'\n');
    Ok(Box::from(line.as_slice()))
}
