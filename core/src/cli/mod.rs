//! The `callscope` command line (feature `cli`): input discovery and the `ingest` command.
//! `report` and `text` live beside it.

use crate::CallRecord;
use crate::ingest::{IngestOptions, IngestReport};
use crate::{Error, Result};
use std::io::Write;
use std::path::Path;

pub use crate::files::{expand_inputs, ingest_inputs, read_inputs, read_inputs_with, stage};

/// `callscope ingest`: records as NDJSON on `out` (sorted by start time, then id), the report
/// as JSON to `report_path`; gives the report.
///
/// The output is never held: the records' order is learned first, and the calls are then
/// finished in that order a thousand at a time, each record turned into its JSON line on the
/// thread that finished it and the lines written ([`crate::ingest::Ingestor::finish_batches`]), so memory
/// holds the parsed items and one batch of lines. With an ingest window the lines of the
/// calls finished while reading are written as they come ([`crate::ingest::Ingestor::finish_idle_with`]),
/// each batch sorted by start time and id, so that memory holds about `window` items: the
/// output is then sorted within each batch, not as a whole.
pub fn run_ingest(
    inputs: &[String],
    options: &IngestOptions,
    report_path: Option<&Path>,
    out: impl Write + Send,
) -> Result<IngestReport> {
    crate::files::on_pool(|| ingest_into(inputs, options, report_path, out))
}

/// [`run_ingest`], on the thread it is called on.
fn ingest_into(
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
