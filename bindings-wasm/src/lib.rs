//! WebAssembly binding of callscope: converts arguments, calls one core function, converts back.
//!
//! Results are plain JS objects with the core's camelCase keys (maps become objects). Errors
//! are JS `Error`s whose `name` is the core variant (`Syntax`, `InvalidOption`, ...); a panic
//! is reported on the console by the panic hook instead of a bare `unreachable`.

use callscope::ingest::{IngestOptions, ingest_bytes};
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
  [option: string]: unknown;
}
/** The result of `ingest`: normalized records and the ingest report (camelCase). */
export interface Ingested {
  records: Array<Record<string, any>>;
  report: Record<string, any>;
}
"#;

#[wasm_bindgen]
extern "C" {
    /// `string | Uint8Array` in the generated typings.
    #[wasm_bindgen(typescript_type = "string | Uint8Array")]
    pub type Input;
    /// `IngestOptions` in the generated typings.
    #[wasm_bindgen(typescript_type = "IngestOptions")]
    pub type Options;
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

/// Normalize call records: `{ records, report }` with camelCase keys.
#[wasm_bindgen]
pub fn ingest(input: Input, options: Option<Options>) -> Result<IngestedJs, JsValue> {
    let input: JsValue = input.into();
    let bytes = if let Some(text) = input.as_string() {
        text.into_bytes()
    } else if input.is_instance_of::<js_sys::Uint8Array>() {
        js_sys::Uint8Array::from(input).to_vec()
    } else {
        return Err(js_error(
            "TypeError",
            "input must be a string or a Uint8Array",
        ));
    };
    let mut source = String::from("input");
    let options: IngestOptions = match options.map(JsValue::from) {
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
        _ => IngestOptions::default(),
    };
    let ingested = ingest_bytes(&source, &bytes, &options).map_err(|e| core_error(&e))?;
    // JSON-compatible: `None` is `null` (as in the core JSON and Node), maps are objects.
    let serializer =
        serde_wasm_bindgen::Serializer::json_compatible().serialize_maps_as_objects(true);
    ingested
        .serialize(&serializer)
        .map(JsCast::unchecked_into)
        .map_err(|e| js_error("Internal", &format!("cannot convert the result: {e}")))
}

/// The package version (the workspace version, like every callscope package).
#[wasm_bindgen]
pub fn version() -> String {
    env!("CARGO_PKG_VERSION").to_owned()
}
