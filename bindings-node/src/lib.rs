//! Node binding of callscope: converts arguments, calls one core function, converts back.
//!
//! Results are plain objects with the core's camelCase keys. Errors are JS `Error`s whose
//! `code` is the core variant name (`Syntax`, `InvalidOption`, ...) and whose message carries
//! the cause chain. No panic crosses into JS: sync calls use napi's `catch_unwind`, the async
//! task catches on its worker thread.

use callscope::ingest::{IngestOptions as CoreOptions, ingest_bytes};
use callscope::report::{ReportOptions as CoreReportOptions, report_bytes};
use napi::bindgen_prelude::*;
use napi_derive::napi;
use serde::Serialize;
use serde_json::Value;

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

/// One ingest call, from owned inputs to the camelCase JSON result.
fn run(source: &str, bytes: &[u8], options: &CoreOptions) -> Outcome<Ingested> {
    let ingested = ingest_bytes(source, bytes, options).map_err(|e| Failure::from_core(&e))?;
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

fn input_bytes(input: &Either<String, Buffer>) -> &[u8] {
    match input {
        Either::A(text) => text.as_bytes(),
        Either::B(buffer) => buffer.as_ref(),
    }
}

/// Normalize call records: `{ records, report }` with camelCase keys.
#[napi(catch_unwind)]
pub fn ingest(
    env: Env,
    input: Either<String, Buffer>,
    options: Option<IngestOptions>,
) -> Result<Ingested> {
    let (source, core) = core_options(&options).map_err(|f| f.into_js(&env))?;
    run(&source, input_bytes(&input), &core).map_err(|f| f.into_js(&env))
}

/// The work of `ingestAsync`, on a libuv worker thread.
#[derive(Debug)]
pub struct IngestTask {
    source: String,
    bytes: Vec<u8>,
    options: Outcome<CoreOptions>,
}

impl Task for IngestTask {
    type Output = Outcome<Ingested>;
    type JsValue = Ingested;

    fn compute(&mut self) -> Result<Self::Output> {
        let outcome = match &self.options {
            Ok(options) => {
                let (source, bytes) = (&self.source, &self.bytes);
                std::panic::catch_unwind(|| run(source, bytes, options)).unwrap_or_else(|_| {
                    Err(Failure {
                        code: "Panic",
                        message: "callscope panicked during ingest".into(),
                    })
                })
            }
            Err(failure) => Err(Failure {
                code: failure.code,
                message: failure.message.clone(),
            }),
        };
        Ok(outcome)
    }

    fn resolve(&mut self, env: Env, output: Self::Output) -> Result<Self::JsValue> {
        output.map_err(|f| f.into_js(&env))
    }
}

/// `ingest` on a worker thread: a Promise of `{ records, report }`.
#[napi(ts_return_type = "Promise<Ingested>")]
pub fn ingest_async(
    input: Either<String, Buffer>,
    options: Option<IngestOptions>,
) -> AsyncTask<IngestTask> {
    let bytes = input_bytes(&input).to_vec();
    let (source, options) = match core_options(&options) {
        Ok((source, core)) => (source, Ok(core)),
        Err(failure) => ("input".to_owned(), Err(failure)),
    };
    AsyncTask::new(IngestTask {
        source,
        bytes,
        options,
    })
}

/// The SPEC 6 report of one input: `{ ingest, summary, kpis, agents, endedReasons,
/// endedReasonsRaw, concurrency, intents, keywords }` (camelCase keys).
#[napi(catch_unwind, ts_return_type = "Record<string, any>")]
pub fn report(
    env: Env,
    input: Either<String, Buffer>,
    options: Option<ReportOptions>,
) -> Result<Value> {
    let (source, core) = core_report_options(&options).map_err(|f| f.into_js(&env))?;
    report_bytes(&source, input_bytes(&input), &core)
        .map_err(|e| Failure::from_core(&e).into_js(&env))
}

/// The package version (the workspace version, like every callscope package).
#[napi]
pub fn version() -> &'static str {
    env!("CARGO_PKG_VERSION")
}
