//! WebAssembly binding of callscope: converts arguments, calls one core function, converts back.
//!
//! Results are plain JS objects with the core's camelCase keys (maps become objects). Errors
//! are JS `Error`s whose `name` is the core variant (`Syntax`, `InvalidOption`, ...); a panic
//! is reported on the console by the panic hook instead of a bare `unreachable`.

use callscope::ingest::{IngestOptions, ingest_bytes, ingest_documents};
use callscope::report::{ReportOptions, report_bytes, report_documents, report_reader};
use serde::Serialize;
use wasm_bindgen::prelude::*;

#[wasm_bindgen(typescript_custom_section)]
const TS_TYPES: &str = r#"
/** Options of `ingest` (camelCase, all optional). */
export interface IngestOptions {
  /** Name of the input in the report and in errors (default "input"). */
  source?: string;
  /** Read every item as this provider instead of detecting it. */
  provider?: 'justcall' | 'twilio' | 'mightycall' | 'vapi' | 'retell' | 'callcenter' | 'callapi' | 'asterisk' | 'freeswitch' | 'generic';
  /** IANA zone of timestamps that carry no offset (default UTC). */
  sourceTz?: string;
  /** Reject records that break an invariant instead of clearing the bad value. */
  strict?: boolean;
  /** Ingest window in call items: a later item of a call is rejected as late (default: none). */
  window?: number;
  [option: string]: unknown;
}
/** Options of `report`: the ingest options plus the analytics options (camelCase). */
export interface ReportOptions extends IngestOptions {
  /** Calls that started at or after this instant (RFC 3339). */
  from?: string;
  /** Calls that started before this instant (RFC 3339). */
  to?: string;
  /** IANA zone of calendar buckets (default UTC). */
  timeZone?: string;
  /** The "now" of active calls (RFC 3339; default: the latest instant in the data). */
  asOf?: string;
  /** Record filters (SPEC 4.7). */
  filter?: Record<string, unknown>;
  /** Concurrency bucket: minute, hour, day or seconds (default hour). */
  granularity?: 'minute' | 'hour' | 'day' | number;
  /** Allow one report over several tenants. */
  allowMixedTenants?: boolean;
  /** Leave out intents and keywords. */
  skipText?: boolean;
  /** The analytics sections to compute (default: all; the others are null). */
  sections?: Array<'summary' | 'kpis' | 'agents' | 'endedReasons' | 'concurrency'>;
}
/** The result of `ingest`: normalized records and the ingest report (camelCase). */
export interface Ingested {
  records: Array<Record<string, any>>;
  report: Record<string, any>;
}
"#;

#[wasm_bindgen]
extern "C" {
    /// `string | Uint8Array`, or an array of them, in the generated typings.
    #[wasm_bindgen(typescript_type = "string | Uint8Array | Array<string | Uint8Array>")]
    pub type Input;
    /// `IngestOptions` in the generated typings.
    #[wasm_bindgen(typescript_type = "IngestOptions")]
    pub type Options;
    /// `ReportOptions` in the generated typings.
    #[wasm_bindgen(typescript_type = "ReportOptions")]
    pub type ReportOptionsJs;
    /// A report object in the generated typings.
    #[wasm_bindgen(typescript_type = "Record<string, any>")]
    pub type ReportJs;
    /// `Ingested` in the generated typings.
    #[wasm_bindgen(typescript_type = "Ingested")]
    pub type IngestedJs;
}

/// Installs the panic hook when the module is instantiated.
#[wasm_bindgen(start)]
pub fn start() {
    console_error_panic_hook::set_once();
}

/// A JS `Error` whose `name` is the core variant and whose message has the cause chain.
fn js_error(code: &str, message: &str) -> JsValue {
    let error = js_sys::Error::new(message);
    error.set_name(code);
    error.into()
}

fn core_error(error: &callscope::Error) -> JsValue {
    js_error(error.code(), &message_chain(error))
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

fn invalid_option(reason: String) -> JsValue {
    core_error(&callscope::Error::InvalidOption {
        option: "options".into(),
        reason,
    })
}

/// The bytes of a `string | Uint8Array` input.
fn input_bytes(input: Input) -> Result<Vec<u8>, JsValue> {
    let input: JsValue = input.into();
    if let Some(text) = input.as_string() {
        Ok(text.into_bytes())
    } else if input.is_instance_of::<js_sys::Uint8Array>() {
        Ok(js_sys::Uint8Array::from(input).to_vec())
    } else {
        Err(js_error(
            "TypeError",
            "input must be a string or a Uint8Array",
        ))
    }
}

/// Documents as (source, bytes) pairs.
type Documents = Vec<(String, Vec<u8>)>;

/// The documents of an array input, named `source[0]`, `source[1]`, ... (each copied into the
/// module's memory), or `None` when `input` is not an array.
fn documents(input: &JsValue, source: &str) -> Result<Option<Documents>, JsValue> {
    if !js_sys::Array::is_array(input) {
        return Ok(None);
    }
    js_sys::Array::from(input)
        .iter()
        .enumerate()
        .map(|(i, item)| {
            if !(item.is_string() || item.is_instance_of::<js_sys::Uint8Array>()) {
                return Err(js_error(
                    "TypeError",
                    &format!("input[{i}] must be a string or a Uint8Array"),
                ));
            }
            Ok((
                callscope::ingest::list_source(source, i),
                input_bytes(item.unchecked_into())?,
            ))
        })
        .collect::<Result<_, _>>()
        .map(Some)
}

/// The option object as the core's option struct `T`, and the `source` name taken out of it.
fn options_of<T: serde::de::DeserializeOwned + Default>(
    options: Option<JsValue>,
) -> Result<(String, T), JsValue> {
    let mut source = String::from("input");
    let options = match options {
        Some(value) if !value.is_undefined() && !value.is_null() => {
            let mut map: serde_json::Map<String, serde_json::Value> =
                serde_wasm_bindgen::from_value(value).map_err(|e| invalid_option(e.to_string()))?;
            if let Some(name) = map.remove("source") {
                match name {
                    serde_json::Value::String(name) => source = name,
                    _ => return Err(invalid_option("source must be a string".into())),
                }
            }
            serde_json::from_value(serde_json::Value::Object(map))
                .map_err(|e| invalid_option(e.to_string()))?
        }
        _ => T::default(),
    };
    Ok((source, options))
}

/// A result as a plain JS object: `None` is `null` (as in the core JSON and Node), maps are
/// objects. The value goes over as JSON text and `JSON.parse` builds it: for a result of many
/// records this is several times faster than creating each property through the boundary.
fn to_js<T: Serialize>(value: &T) -> Result<JsValue, JsValue> {
    let text = serde_json::to_string(value)
        .map_err(|e| js_error("Internal", &format!("cannot convert the result: {e}")))?;
    js_sys::JSON::parse(&text)
}

/// Normalize call records: `{ records, report }` with camelCase keys. `input` is one document
/// (string or `Uint8Array`) or an array of them, read as one input.
#[wasm_bindgen]
pub fn ingest(input: Input, options: Option<Options>) -> Result<IngestedJs, JsValue> {
    let input: JsValue = input.into();
    let (source, options): (String, IngestOptions) = options_of(options.map(JsValue::from))?;
    let ingested = match documents(&input, &source)? {
        Some(docs) => ingest_documents(&docs, &options),
        None => ingest_bytes(&source, &input_bytes(input.unchecked_into())?, &options),
    }
    .map_err(|e| core_error(&e))?;
    to_js(&ingested).map(JsCast::unchecked_into)
}

/// The SPEC 6 report of one input: `{ ingest, summary, kpis, agents, endedReasons,
/// endedReasonsRaw, concurrency, intents, keywords }` (camelCase keys). `input` is one document
/// or an array of them (e.g. the pages of an API export), read as one input.
#[wasm_bindgen]
pub fn report(input: Input, options: Option<ReportOptionsJs>) -> Result<ReportJs, JsValue> {
    let input: JsValue = input.into();
    let (source, options): (String, ReportOptions) = options_of(options.map(JsValue::from))?;
    // one document is read a slice at a time: the module's memory never holds it whole
    let report = if let Some(docs) = documents(&input, &source)? {
        report_documents(&docs, &options)
    } else if input.is_instance_of::<js_sys::Uint8Array>() {
        report_reader(
            &source,
            ArraySlices::reader(input.unchecked_into()),
            &options,
        )
    } else if input.is_string() {
        report_reader(
            &source,
            StringSlices::reader(input.unchecked_into()),
            &options,
        )
    } else {
        let bytes = input_bytes(input.unchecked_into())?;
        report_bytes(&source, &bytes, &options)
    }
    .map_err(|e| core_error(&e))?;
    to_js(&report).map(JsCast::unchecked_into)
}

/// Where [`Slices`] takes its next slice from.
trait Source {
    /// Put the next slice into `buffer` (replacing what it held); an empty slice at the end.
    fn next_slice(&mut self, buffer: &mut Vec<u8>);
}

/// A JS value read as a stream, a slice at a time into one buffer: the module's memory holds
/// one slice of the input, never the whole of it.
#[derive(Debug)]
struct Slices<S> {
    source: S,
    buffer: Vec<u8>,
    /// Bytes of `buffer` consumed.
    at: usize,
}

impl<S> Slices<S> {
    fn new(source: S) -> Self {
        Slices {
            source,
            buffer: Vec::new(),
            at: 0,
        }
    }
}

impl<S: Source> std::io::Read for Slices<S> {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        use std::io::BufRead;
        let available = self.fill_buf()?;
        let n = available.len().min(out.len());
        if let (Some(to), Some(from)) = (out.get_mut(..n), available.get(..n)) {
            to.copy_from_slice(from);
        }
        self.consume(n);
        Ok(n)
    }
}

impl<S: Source> std::io::BufRead for Slices<S> {
    fn fill_buf(&mut self) -> std::io::Result<&[u8]> {
        if self.at >= self.buffer.len() {
            self.source.next_slice(&mut self.buffer);
            self.at = 0;
        }
        Ok(self.buffer.get(self.at..).unwrap_or_default())
    }

    fn consume(&mut self, n: usize) {
        self.at = (self.at + n).min(self.buffer.len());
    }
}

/// A `Uint8Array`, 1 MiB at a time.
#[derive(Debug)]
struct ArraySlices {
    array: js_sys::Uint8Array,
    /// Bytes copied so far.
    taken: u32,
}

impl ArraySlices {
    fn reader(array: js_sys::Uint8Array) -> Slices<Self> {
        Slices::new(ArraySlices { array, taken: 0 })
    }
}

impl Source for ArraySlices {
    fn next_slice(&mut self, buffer: &mut Vec<u8>) {
        let end = self.array.length().min(self.taken.saturating_add(1 << 20));
        // `copy_to` needs a destination exactly as long as the slice
        buffer.resize((end - self.taken) as usize, 0);
        self.array.subarray(self.taken, end).copy_to(buffer);
        self.taken = end;
    }
}

/// A JS string as UTF-8, 1 Mi UTF-16 units at a time, never between the two halves of a
/// surrogate pair (so each slice converts as it would within the whole string: a lone
/// surrogate becomes U+FFFD either way).
#[derive(Debug)]
struct StringSlices {
    text: js_sys::JsString,
    /// UTF-16 units converted so far.
    taken: u32,
}

impl StringSlices {
    fn reader(text: js_sys::JsString) -> Slices<Self> {
        Slices::new(StringSlices { text, taken: 0 })
    }
}

impl Source for StringSlices {
    fn next_slice(&mut self, buffer: &mut Vec<u8>) {
        let len = self.text.length();
        let mut end = len.min(self.taken.saturating_add(1 << 20));
        // a slice that would end after a high surrogate ends before it instead
        let last = self.text.char_code_at(end.saturating_sub(1));
        if end < len && end > self.taken + 1 && (0xD800..0xDC00).contains(&(last as u32)) {
            end -= 1;
        }
        *buffer = String::from(self.text.slice(self.taken, end)).into_bytes();
        self.taken = end;
    }
}

/// The package version (the workspace version, like every callscope package).
#[wasm_bindgen]
pub fn version() -> String {
    env!("CARGO_PKG_VERSION").to_owned()
}
