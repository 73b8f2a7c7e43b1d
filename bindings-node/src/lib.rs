//! Node binding of callscope: converts arguments, calls one core function, converts back.
//!
//! Results are plain objects with the core's camelCase keys. Errors are JS `Error`s whose
//! `code` is the core variant name (`Syntax`, `InvalidOption`, ...) and whose message carries
//! the cause chain. No panic crosses into JS: sync calls use napi's `catch_unwind`, the async
//! task catches on its worker thread.

use callscope::ingest::{IngestOptions as CoreOptions, ingest_bytes, ingest_documents};
use callscope::report::{
    ReportOptions as CoreReportOptions, report_bytes, report_documents, report_paths,
};
use napi::bindgen_prelude::*;
use napi_derive::napi;
use serde::Serialize;
use serde_json::Value;

/// mimalloc for the addon's own (Rust) allocations, as in the command line and the Python
/// binding: a report makes and frees millions of small strings from several threads. JS values
/// keep V8's heap; nothing allocated on one side is freed on the other.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Options of `ingest` (the core's `IngestOptions`, camelCase).
#[napi(object)]
#[derive(Debug, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct IngestOptions {
    /// Name of the input in the report and in errors (default `"input"`).
    #[serde(skip)]
    pub source: Option<String>,
    /// Read every item as this provider instead of detecting it.
    #[napi(
        ts_type = "'justcall' | 'twilio' | 'mightycall' | 'vapi' | 'retell' | 'callcenter' | 'callapi' | 'asterisk' | 'freeswitch' | 'generic'"
    )]
    pub provider: Option<String>,
    /// IANA zone of timestamps that carry no offset (default UTC).
    pub source_tz: Option<String>,
    /// Reject records that break an invariant instead of clearing the bad value.
    pub strict: Option<bool>,
    /// Column mapping of the generic reader (the core's `GenericMapping`, camelCase).
    #[napi(ts_type = "Record<string, any>")]
    pub mapping: Option<Value>,
    /// Mask phone numbers, e-mail addresses and card numbers in the records.
    pub redact: Option<bool>,
    /// Keep unmapped provider fields in `extra` (default true).
    pub keep_extra: Option<bool>,
    /// Ingest window in call items: an item more than this many call items after the
    /// previous item of its call is rejected as late (default: no window).
    pub window: Option<u32>,
}

/// Options of `report`: the ingest options plus the analytics options (camelCase, as the
/// core's `ReportOptions`).
#[napi(object)]
#[derive(Debug, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ReportOptions {
    /// Name of the input in the report and in errors (default `"input"`).
    #[serde(skip)]
    pub source: Option<String>,
    /// Read every item as this provider instead of detecting it.
    #[napi(
        ts_type = "'justcall' | 'twilio' | 'mightycall' | 'vapi' | 'retell' | 'callcenter' | 'callapi' | 'asterisk' | 'freeswitch' | 'generic'"
    )]
    pub provider: Option<String>,
    /// IANA zone of timestamps that carry no offset (default UTC).
    pub source_tz: Option<String>,
    /// Reject records that break an invariant instead of clearing the bad value.
    pub strict: Option<bool>,
    /// Column mapping of the generic reader.
    #[napi(ts_type = "Record<string, any>")]
    pub mapping: Option<Value>,
    /// Mask personal data in the records.
    pub redact: Option<bool>,
    /// Ingest window in call items (late items are rejected; default: no window).
    pub window: Option<u32>,
    /// Calls that started at or after this instant (RFC 3339).
    pub from: Option<String>,
    /// Calls that started before this instant (RFC 3339).
    pub to: Option<String>,
    /// IANA zone of calendar buckets (default UTC).
    pub time_zone: Option<String>,
    /// The "now" of active calls (RFC 3339; default: the latest instant in the data).
    pub as_of: Option<String>,
    /// Record filters (SPEC 4.7): direction, outcome, provider, tenant, agent, queue, ...
    #[napi(ts_type = "Record<string, any>")]
    pub filter: Option<Value>,
    /// Concurrency bucket: `minute`, `hour`, `day` or a number of seconds (default `hour`).
    #[napi(ts_type = "'minute' | 'hour' | 'day' | number")]
    pub granularity: Option<Value>,
    /// Service-level threshold in seconds (default 20).
    pub service_level_threshold_s: Option<f64>,
    /// Abandons shorter than this are left out of the abandon rate.
    pub short_abandon_s: Option<f64>,
    /// Allow one report over several tenants.
    pub allow_mixed_tenants: Option<bool>,
    /// Leave out intents and keywords.
    pub skip_text: Option<bool>,
    /// The analytics sections to compute (default: all; the others are null).
    #[napi(ts_type = "Array<'summary' | 'kpis' | 'agents' | 'endedReasons' | 'concurrency'>")]
    pub sections: Option<Vec<String>>,
}

/// The result of `ingest`: normalized records and the ingest report (camelCase keys).
#[napi(object, object_from_js = false)]
#[derive(Debug)]
pub struct Ingested {
    /// One normalized call record per call (SPEC section 2 fields, camelCase).
    #[napi(ts_type = "Array<Record<string, any>>")]
    pub records: Vec<Value>,
    /// recordsIn, recordsOut, duplicatesMerged, eventsFolded, nonCallItems, rejected, warnings,
    /// unknownVocabulary.
    #[napi(ts_type = "Record<string, any>")]
    pub report: Value,
}

/// A step that can fail with a [`Failure`] (napi's prelude takes the name `Result`).
type Outcome<T> = std::result::Result<T, Failure>;

/// What a failed core call becomes before it is thrown: the variant name and the message.
#[derive(Debug)]
pub struct Failure {
    code: &'static str,
    message: String,
}

impl Failure {
    fn from_core(error: &callscope::Error) -> Self {
        Failure {
            code: error.code(),
            message: message_chain(error),
        }
    }

    /// A JS `Error` with `code` set, ready to throw or reject with.
    fn into_js(self, env: &Env) -> Error {
        let built = env
            .create_error(Error::new(Status::GenericFailure, self.message.clone()))
            .and_then(|mut object| {
                object.set_named_property("code", self.code)?;
                Ok(Error::from(object.to_unknown()))
            });
        built.unwrap_or_else(|_| Error::new(Status::GenericFailure, self.message))
    }
}

/// The error's message followed by each source that adds something new.
fn message_chain(error: &dyn std::error::Error) -> String {
    let mut message = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let text = cause.to_string();
        if !message.contains(&text) {
            message.push_str(": ");
            message.push_str(&text);
        }
        source = cause.source();
    }
    message
}

/// The JS option bag as the core's option struct.
fn core_options(options: &Option<IngestOptions>) -> Outcome<(String, CoreOptions)> {
    let Some(options) = options else {
        return Ok(("input".to_owned(), CoreOptions::default()));
    };
    let source = options.source.clone().unwrap_or_else(|| "input".to_owned());
    let parsed = serde_json::to_value(options)
        .and_then(|value| serde_json::from_value::<CoreOptions>(strip_nulls(value)));
    match parsed {
        Ok(core) => Ok((source, core)),
        Err(e) => Err(Failure::from_core(&callscope::Error::InvalidOption {
            option: "options".into(),
            reason: e.to_string(),
        })),
    }
}

/// The JS report options as the core's.
fn core_report_options(options: &Option<ReportOptions>) -> Outcome<(String, CoreReportOptions)> {
    let Some(options) = options else {
        return Ok(("input".to_owned(), CoreReportOptions::default()));
    };
    let source = options.source.clone().unwrap_or_else(|| "input".to_owned());
    let parsed = serde_json::to_value(options)
        .and_then(|value| serde_json::from_value::<CoreReportOptions>(strip_nulls(value)));
    match parsed {
        Ok(core) => Ok((source, core)),
        Err(e) => Err(Failure::from_core(&callscope::Error::InvalidOption {
            option: "options".into(),
            reason: e.to_string(),
        })),
    }
}

/// Absent JS properties serialize as `null`; leave them out so the core's defaults apply.
fn strip_nulls(value: Value) -> Value {
    match value {
        Value::Object(map) => {
            Value::Object(map.into_iter().filter(|(_, v)| !v.is_null()).collect())
        }
        other => other,
    }
}

/// What an ingest reads: one document, a list of documents (named `source[0]`, ...) read as
/// one input, or files and folders.
#[derive(Debug)]
enum Inputs {
    One(Vec<u8>),
    Many(Vec<(String, Vec<u8>)>),
    Paths(Vec<String>),
}

fn input_bytes(input: &Either<String, Buffer>) -> &[u8] {
    match input {
        Either::A(text) => text.as_bytes(),
        Either::B(buffer) => buffer.as_ref(),
    }
}

/// The documents of `input`, borrowed, named `source[0]`, `source[1]`, ... when a list.
fn documents<'a>(
    input: &'a Either3<String, Buffer, Vec<Either<String, Buffer>>>,
    source: &str,
) -> Either<&'a [u8], Vec<(String, &'a [u8])>> {
    match input {
        Either3::A(text) => Either::A(text.as_bytes()),
        Either3::B(buffer) => Either::A(buffer.as_ref()),
        Either3::C(items) => Either::B(
            items
                .iter()
                .enumerate()
                .map(|(i, item)| (callscope::ingest::list_source(source, i), input_bytes(item)))
                .collect(),
        ),
    }
}

/// Paths as a list: one string, or an array of them.
fn path_list(paths: Either<String, Vec<String>>) -> Vec<String> {
    match paths {
        Either::A(one) => vec![one],
        Either::B(many) => many,
    }
}

/// The core's ingest as the camelCase JSON result.
fn ingested_js(ingested: callscope::Result<callscope::ingest::Ingested>) -> Outcome<Ingested> {
    let ingested = ingested.map_err(|e| Failure::from_core(&e))?;
    let convert = |e: serde_json::Error| Failure {
        code: "Internal",
        message: format!("cannot convert the result: {e}"),
    };
    Ok(Ingested {
        records: ingested
            .records
            .iter()
            .map(serde_json::to_value)
            .collect::<std::result::Result<_, _>>()
            .map_err(convert)?,
        report: serde_json::to_value(&ingested.report).map_err(convert)?,
    })
}

/// One ingest of owned inputs (the async task's).
fn run(source: &str, inputs: &Inputs, options: &CoreOptions) -> Outcome<Ingested> {
    ingested_js(match inputs {
        Inputs::One(bytes) => ingest_bytes(source, bytes, options),
        Inputs::Many(docs) => ingest_documents(docs, options),
        Inputs::Paths(paths) => callscope::files::ingest_inputs(paths, options, |_| {}),
    })
}

/// Normalize call records: `{ records, report }` with camelCase keys. `input` is one document
/// (string or Buffer) or an array of them, read as one input.
#[napi(catch_unwind)]
pub fn ingest(
    env: Env,
    input: Either3<String, Buffer, Vec<Either<String, Buffer>>>,
    options: Option<IngestOptions>,
) -> Result<Ingested> {
    let (source, core) = core_options(&options).map_err(|f| f.into_js(&env))?;
    ingested_js(match documents(&input, &source) {
        Either::A(bytes) => ingest_bytes(&source, bytes, &core),
        Either::B(docs) => ingest_documents(&docs, &core),
    })
    .map_err(|f| f.into_js(&env))
}

/// `ingest` over files and folders (a path or an array of paths; folders walked recursively,
/// sorted, hidden entries skipped), read as `callscope ingest` reads them.
#[napi(catch_unwind)]
pub fn ingest_files(
    env: Env,
    paths: Either<String, Vec<String>>,
    options: Option<IngestOptions>,
) -> Result<Ingested> {
    let (_, core) = core_options(&options).map_err(|f| f.into_js(&env))?;
    ingested_js(callscope::files::ingest_inputs(
        &path_list(paths),
        &core,
        |_| {},
    ))
    .map_err(|f| f.into_js(&env))
}

/// An async task's work on its worker thread: the options' failure as it is, a panic as a
/// `Panic` failure (it never reaches JS as a crash).
fn on_worker<O, T>(
    options: &Outcome<O>,
    what: &str,
    work: impl FnOnce(&O) -> Outcome<T> + std::panic::UnwindSafe,
) -> Outcome<T>
where
    O: std::panic::RefUnwindSafe,
{
    match options {
        Ok(options) => std::panic::catch_unwind(|| work(options)).unwrap_or_else(|_| {
            Err(Failure {
                code: "Panic",
                message: format!("callscope panicked during {what}"),
            })
        }),
        Err(failure) => Err(Failure {
            code: failure.code,
            message: failure.message.clone(),
        }),
    }
}

/// The work of `ingestAsync` and `ingestFilesAsync`, on a libuv worker thread.
#[derive(Debug)]
pub struct IngestTask {
    source: String,
    inputs: Inputs,
    options: Outcome<CoreOptions>,
}

impl Task for IngestTask {
    type Output = Outcome<Ingested>;
    type JsValue = Ingested;

    fn compute(&mut self) -> Result<Self::Output> {
        let (source, inputs) = (&self.source, &self.inputs);
        Ok(on_worker(&self.options, "ingest", |options| {
            run(source, inputs, options)
        }))
    }

    fn resolve(&mut self, env: Env, output: Self::Output) -> Result<Self::JsValue> {
        output.map_err(|f| f.into_js(&env))
    }
}

fn ingest_task(inputs: impl FnOnce(&str) -> Inputs, options: Option<IngestOptions>) -> IngestTask {
    let (source, options) = match core_options(&options) {
        Ok((source, core)) => (source, Ok(core)),
        Err(failure) => ("input".to_owned(), Err(failure)),
    };
    IngestTask {
        inputs: inputs(&source),
        source,
        options,
    }
}

/// `ingest` on a worker thread: a Promise of `{ records, report }`.
#[napi(ts_return_type = "Promise<Ingested>")]
pub fn ingest_async(
    input: Either3<String, Buffer, Vec<Either<String, Buffer>>>,
    options: Option<IngestOptions>,
) -> AsyncTask<IngestTask> {
    // the inputs are copied: the JS values may change while the worker reads
    AsyncTask::new(ingest_task(
        |source| match documents(&input, source) {
            Either::A(bytes) => Inputs::One(bytes.to_vec()),
            Either::B(docs) => Inputs::Many(
                docs.into_iter()
                    .map(|(name, bytes)| (name, bytes.to_vec()))
                    .collect(),
            ),
        },
        options,
    ))
}

/// `ingestFiles` on a worker thread: a Promise of `{ records, report }`.
#[napi(ts_return_type = "Promise<Ingested>")]
pub fn ingest_files_async(
    paths: Either<String, Vec<String>>,
    options: Option<IngestOptions>,
) -> AsyncTask<IngestTask> {
    let paths = path_list(paths);
    AsyncTask::new(ingest_task(|_| Inputs::Paths(paths), options))
}

// (Reports are made into JS values by serde, as `reportFilesAsync`'s: napi's conversion of a
// `serde_json::Value` refuses more than a million values, which a minute series over months
// passes; the golden case report-files-folder spans six months by the minute.)

/// The SPEC 6 report of one input: `{ ingest, summary, kpis, agents, endedReasons,
/// endedReasonsRaw, concurrency, intents, keywords }` (camelCase keys). `input` is one
/// document or an array of them, read as one input.
#[napi(catch_unwind, ts_return_type = "Record<string, any>")]
pub fn report(
    env: Env,
    input: Either3<String, Buffer, Vec<Either<String, Buffer>>>,
    options: Option<ReportOptions>,
) -> Result<Unknown<'static>> {
    let (source, core) = core_report_options(&options).map_err(|f| f.into_js(&env))?;
    let report = match documents(&input, &source) {
        Either::A(bytes) => report_bytes(&source, bytes, &core),
        Either::B(docs) => report_documents(&docs, &core),
    }
    .map_err(|e| Failure::from_core(&e).into_js(&env))?;
    env.to_js_value(&report)
}

/// The report of files and folders (a path or an array of paths), read as `callscope
/// report` reads them: memory holds the parsed calls, not the files or the records.
#[napi(catch_unwind, ts_return_type = "Record<string, any>")]
pub fn report_files(
    env: Env,
    paths: Either<String, Vec<String>>,
    options: Option<ReportOptions>,
) -> Result<Unknown<'static>> {
    let (_, core) = core_report_options(&options).map_err(|f| f.into_js(&env))?;
    let report =
        report_paths(&path_list(paths), &core).map_err(|e| Failure::from_core(&e).into_js(&env))?;
    env.to_js_value(&report)
}

/// The work of `reportFilesAsync`, on a libuv worker thread.
#[derive(Debug)]
pub struct ReportFilesTask {
    paths: Vec<String>,
    options: Outcome<CoreReportOptions>,
}

impl Task for ReportFilesTask {
    type Output = Outcome<Value>;
    // the report as a JS value, made in `resolve` by serde: napi's conversion of a
    // `serde_json::Value` stops at a million values, which a minute series over months passes
    type JsValue = Unknown<'static>;

    fn compute(&mut self) -> Result<Self::Output> {
        let paths = &self.paths;
        Ok(on_worker(&self.options, "report", |options| {
            report_paths(paths, options).map_err(|e| Failure::from_core(&e))
        }))
    }

    fn resolve(&mut self, env: Env, output: Self::Output) -> Result<Self::JsValue> {
        let report = output.map_err(|f| f.into_js(&env))?;
        env.to_js_value(&report)
    }
}

/// `reportFiles` on a worker thread: a Promise of the report.
#[napi(ts_return_type = "Promise<Record<string, any>>")]
pub fn report_files_async(
    paths: Either<String, Vec<String>>,
    options: Option<ReportOptions>,
) -> AsyncTask<ReportFilesTask> {
    AsyncTask::new(ReportFilesTask {
        paths: path_list(paths),
        options: core_report_options(&options).map(|(_, core)| core),
    })
}

/// The package version (the workspace version, like every callscope package).
#[napi]
pub fn version() -> &'static str {
    env!("CARGO_PKG_VERSION")
}
