//! Python binding of callscope: converts arguments, calls one core function, converts back.
//!
//! Results are plain Python objects with snake_case keys ([`callscope::casing`]); records can
//! also leave as an Arrow C stream (`__arrow_c_stream__`) that polars reads without pyarrow.

use callscope::casing::{camel_case_keys, snake_case_keys};
use callscope::frame::{DataFrame, arrow_stream, records_frame};
use callscope::ingest::{IngestOptions, Ingested, ingest_bytes, ingest_documents};
use callscope::report::{ReportOptions, report_bytes, report_documents, report_paths};
use pyo3::create_exception;
use pyo3::exceptions::{PyException, PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyBytes, PyCapsule, PyDict, PyFloat, PyInt, PyList, PyString, PyTuple};
use serde_json::{Map, Number, Value};
use std::borrow::Cow;
use std::path::PathBuf;

/// mimalloc for the binding's own (Rust) allocations, as in the command line: a report makes and
/// frees millions of small strings from several threads, where the system allocator is slower
/// (1M Twilio calls through `report_files`: see README "Performance"). Python's objects keep
/// Python's allocator; nothing allocated on one side is freed on the other.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

create_exception!(
    callscope,
    CallscopeError,
    PyException,
    "Base class of every callscope error."
);
create_exception!(
    callscope,
    SourceReadError,
    CallscopeError,
    "A source could not be read (`Io`)."
);
create_exception!(
    callscope,
    ParseError,
    CallscopeError,
    "Invalid JSON / CSV / form text (`Syntax`)."
);
create_exception!(
    callscope,
    UnknownProviderError,
    CallscopeError,
    "No provider matches the payload's shape (`UnknownProvider`)."
);
create_exception!(
    callscope,
    RejectedError,
    CallscopeError,
    "Strict mode rejected a record (`Rejected`)."
);
create_exception!(
    callscope,
    InvalidOptionError,
    CallscopeError,
    "An option has a bad value (`InvalidOption`)."
);
create_exception!(
    callscope,
    LimitError,
    CallscopeError,
    "A size or depth limit was exceeded (`Limit`)."
);
create_exception!(
    callscope,
    SignatureError,
    CallscopeError,
    "A malformed webhook signature (`Signature`)."
);

/// The one place where core errors become Python exceptions. The exception carries `code`
/// (the core variant name, as `err.code` in Node) and a message with the cause chain.
fn to_py_err(py: Python<'_>, error: callscope::Error) -> PyErr {
    let message = message_chain(&error);
    let err = match error.code() {
        "Io" => SourceReadError::new_err(message),
        "Syntax" => ParseError::new_err(message),
        "UnknownProvider" => UnknownProviderError::new_err(message),
        "Rejected" => RejectedError::new_err(message),
        "InvalidOption" => InvalidOptionError::new_err(message),
        "Limit" => LimitError::new_err(message),
        "Signature" => SignatureError::new_err(message),
        _ => CallscopeError::new_err(message),
    };
    // Setting an attribute on a fresh exception instance cannot fail in practice; if it did,
    // the exception would still carry its class and message.
    let _ = err.value(py).setattr("code", error.code());
    err
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

/// `str` or `bytes` as bytes (a `str` is its UTF-8; the abi3 API may copy it).
fn input_bytes<'a>(input: &'a Bound<'_, PyAny>) -> PyResult<Cow<'a, [u8]>> {
    if let Ok(text) = input.cast::<PyString>() {
        Ok(match text.to_cow()? {
            Cow::Borrowed(text) => Cow::Borrowed(text.as_bytes()),
            Cow::Owned(text) => Cow::Owned(text.into_bytes()),
        })
    } else if let Ok(bytes) = input.cast::<PyBytes>() {
        Ok(Cow::Borrowed(bytes.as_bytes()))
    } else {
        Err(PyTypeError::new_err(format!(
            "input must be str or bytes, not {}",
            input.get_type().name()?
        )))
    }
}

/// The documents of a list (or tuple) input, or `None` for one `str` or `bytes` document.
fn document_list<'py>(input: &Bound<'py, PyAny>) -> PyResult<Option<Vec<Bound<'py, PyAny>>>> {
    if input.is_instance_of::<PyString>() || input.is_instance_of::<PyBytes>() {
        Ok(None)
    } else if let Ok(list) = input.cast::<PyList>() {
        Ok(Some(list.iter().collect()))
    } else if let Ok(tuple) = input.cast::<PyTuple>() {
        Ok(Some(tuple.iter().collect()))
    } else {
        Err(PyTypeError::new_err(format!(
            "input must be str or bytes, or a list of them, not {}",
            input.get_type().name()?
        )))
    }
}

/// A list's documents as (source, bytes) pairs named `source[0]`, `source[1]`, ...
fn named_documents<'a>(
    items: &'a [Bound<'_, PyAny>],
    source: &str,
) -> PyResult<Vec<(String, Cow<'a, [u8]>)>> {
    items
        .iter()
        .enumerate()
        .map(|(i, item)| {
            Ok((
                callscope::ingest::list_source(source, i),
                input_bytes(item)?,
            ))
        })
        .collect()
}

/// Paths as one `str` / `os.PathLike`, or a list (any iterable) of them, as UTF-8 strings.
fn path_list(paths: &Bound<'_, PyAny>) -> PyResult<Vec<String>> {
    let one = |p: &Bound<'_, PyAny>| -> PyResult<String> {
        if p.is_instance_of::<PyBytes>() {
            return Err(PyTypeError::new_err(
                "a path must be str or os.PathLike, not bytes (documents go to ingest / report)",
            ));
        }
        let path: PathBuf = p.extract()?;
        path.into_os_string()
            .into_string()
            .map_err(|p| PyValueError::new_err(format!("a path must be valid UTF-8, got {p:?}")))
    };
    if paths.is_instance_of::<PyString>() || paths.hasattr("__fspath__")? {
        return Ok(vec![one(paths)?]);
    }
    if paths.is_instance_of::<PyBytes>() {
        return one(paths).map(|p| vec![p]);
    }
    paths.try_iter()?.map(|p| one(&p?)).collect()
}

/// Keyword arguments (snake_case) as a JSON object.
fn keywords(dict: Option<&Bound<'_, PyDict>>) -> PyResult<Map<String, Value>> {
    let mut map = Map::new();
    if let Some(dict) = dict {
        for (key, value) in dict.iter() {
            map.insert(key.extract::<String>()?, py_to_value(&value)?);
        }
    }
    Ok(map)
}

/// Options (snake_case keys) as a core option struct (camelCase serde); a bad value is an
/// `InvalidOptionError`.
fn core_options<T: serde::de::DeserializeOwned>(
    py: Python<'_>,
    map: Map<String, Value>,
) -> PyResult<T> {
    serde_json::from_value(camel_case_keys(Value::Object(map))).map_err(|e| {
        to_py_err(
            py,
            callscope::Error::InvalidOption {
                option: "options".into(),
                reason: e.to_string(),
            },
        )
    })
}

/// The ingest keyword arguments as the core's ingest options.
fn ingest_options(
    py: Python<'_>,
    provider: Option<&str>,
    source_tz: Option<&str>,
    strict: bool,
    more: Option<&Bound<'_, PyDict>>,
) -> PyResult<IngestOptions> {
    let mut map = keywords(more)?;
    map.insert(
        "provider".into(),
        provider.map_or(Value::Null, |p| Value::String(p.into())),
    );
    map.insert(
        "source_tz".into(),
        source_tz.map_or(Value::Null, |z| Value::String(z.into())),
    );
    map.insert("strict".into(), Value::Bool(strict));
    core_options(py, map)
}

fn run_ingest(
    py: Python<'_>,
    input: &Bound<'_, PyAny>,
    source: &str,
    options: &IngestOptions,
) -> PyResult<Ingested> {
    let done = match document_list(input)? {
        None => {
            let bytes = input_bytes(input)?;
            py.detach(|| ingest_bytes(source, &bytes, options))
        }
        Some(items) => {
            let docs = named_documents(&items, source)?;
            py.detach(|| ingest_documents(&docs, options))
        }
    };
    done.map_err(|e| to_py_err(py, e))
}

/// An ingest's records and report as the Python objects `ingest` returns.
fn ingested_to_py(py: Python<'_>, ingested: &Ingested) -> PyResult<Py<PyAny>> {
    let value = py
        .detach(|| serde_json::to_value(ingested).map(snake_case_keys))
        .map_err(|e| PyValueError::new_err(format!("cannot convert the result: {e}")))?;
    value_to_py(py, &value)
}

/// Keyword options (snake_case) as the core's report options.
fn report_options(py: Python<'_>, options: Option<&Bound<'_, PyDict>>) -> PyResult<ReportOptions> {
    core_options(py, keywords(options)?)
}

/// Normalize call records: `{"records": [...], "report": {...}}` with snake_case keys. `input`
/// is one document (`str` or `bytes`) or a list of them, read as one input.
#[pyfunction]
#[pyo3(signature = (input, *, source = "input", provider = None, source_tz = None, strict = false, **more))]
fn ingest(
    py: Python<'_>,
    input: &Bound<'_, PyAny>,
    source: &str,
    provider: Option<&str>,
    source_tz: Option<&str>,
    strict: bool,
    more: Option<&Bound<'_, PyDict>>,
) -> PyResult<Py<PyAny>> {
    let options = ingest_options(py, provider, source_tz, strict, more)?;
    let ingested = run_ingest(py, input, source, &options)?;
    ingested_to_py(py, &ingested)
}

/// `ingest` over files and folders (folders walked recursively, sorted, hidden entries
/// skipped; small files parsed in parallel, large ones streamed), as `callscope ingest` reads.
#[pyfunction]
#[pyo3(signature = (paths, *, provider = None, source_tz = None, strict = false, **more))]
fn ingest_files(
    py: Python<'_>,
    paths: &Bound<'_, PyAny>,
    provider: Option<&str>,
    source_tz: Option<&str>,
    strict: bool,
    more: Option<&Bound<'_, PyDict>>,
) -> PyResult<Py<PyAny>> {
    let options = ingest_options(py, provider, source_tz, strict, more)?;
    let ingested = run_ingest_files(py, paths, &options)?;
    ingested_to_py(py, &ingested)
}

fn run_ingest_files(
    py: Python<'_>,
    paths: &Bound<'_, PyAny>,
    options: &IngestOptions,
) -> PyResult<Ingested> {
    let paths = path_list(paths)?;
    py.detach(|| callscope::files::ingest_inputs(&paths, options, |_| {}))
        .map_err(|e| to_py_err(py, e))
}

/// The SPEC 6 report of one input (`ingest`, `summary`, `kpis`, `agents`, `endedReasons`,
/// `endedReasonsRaw`, `concurrency`, `intents`, `keywords`) with snake_case keys. Options are
/// the ingest and analytics options as keywords (`provider`, `source_tz`, `strict`, `time_zone`,
/// `granularity`, `filter`, `as_of`, `skip_text`, `sections`, ...; `sections=["summary",
/// "concurrency"]` computes only those, the others are None). `input` is one document or a list.
#[pyfunction]
#[pyo3(signature = (input, *, source = "input", **options))]
fn report(
    py: Python<'_>,
    input: &Bound<'_, PyAny>,
    source: &str,
    options: Option<&Bound<'_, PyDict>>,
) -> PyResult<Py<PyAny>> {
    let options = report_options(py, options)?;
    let value = match document_list(input)? {
        None => {
            let bytes = input_bytes(input)?;
            py.detach(|| report_bytes(source, &bytes, &options))
        }
        Some(items) => {
            let docs = named_documents(&items, source)?;
            py.detach(|| report_documents(&docs, &options))
        }
    }
    .map(snake_case_keys)
    .map_err(|e| to_py_err(py, e))?;
    value_to_py(py, &value)
}

/// The report of files and folders, read as `callscope report` reads them (memory holds the
/// parsed calls, not the files or the records).
#[pyfunction]
#[pyo3(signature = (paths, **options))]
fn report_files(
    py: Python<'_>,
    paths: &Bound<'_, PyAny>,
    options: Option<&Bound<'_, PyDict>>,
) -> PyResult<Py<PyAny>> {
    let options = report_options(py, options)?;
    let paths = path_list(paths)?;
    let value = py
        .detach(|| report_paths(&paths, &options).map(snake_case_keys))
        .map_err(|e| to_py_err(py, e))?;
    value_to_py(py, &value)
}

/// The records of an ingest as an Arrow table (`__arrow_c_stream__`), for polars and friends.
#[pyfunction]
#[pyo3(signature = (input, *, source = "input", provider = None, source_tz = None, strict = false, **more))]
fn ingest_arrow(
    py: Python<'_>,
    input: &Bound<'_, PyAny>,
    source: &str,
    provider: Option<&str>,
    source_tz: Option<&str>,
    strict: bool,
    more: Option<&Bound<'_, PyDict>>,
) -> PyResult<RecordsTable> {
    let options = ingest_options(py, provider, source_tz, strict, more)?;
    let ingested = run_ingest(py, input, source, &options)?;
    records_table(py, &ingested)
}

/// The records of `ingest_files` as an Arrow table.
#[pyfunction]
#[pyo3(signature = (paths, *, provider = None, source_tz = None, strict = false, **more))]
fn ingest_files_arrow(
    py: Python<'_>,
    paths: &Bound<'_, PyAny>,
    provider: Option<&str>,
    source_tz: Option<&str>,
    strict: bool,
    more: Option<&Bound<'_, PyDict>>,
) -> PyResult<RecordsTable> {
    let options = ingest_options(py, provider, source_tz, strict, more)?;
    let ingested = run_ingest_files(py, paths, &options)?;
    records_table(py, &ingested)
}

fn records_table(py: Python<'_>, ingested: &Ingested) -> PyResult<RecordsTable> {
    let frame = py
        .detach(|| records_frame(&ingested.records))
        .map_err(|e| PyValueError::new_err(format!("cannot build the records table: {e}")))?;
    Ok(RecordsTable { frame })
}

/// Records as an Arrow table: `pl.DataFrame(table)` or `table.to_polars()` reads it.
#[pyclass(module = "callscope", frozen)]
struct RecordsTable {
    frame: DataFrame,
}

#[pymethods]
impl RecordsTable {
    /// Arrow PyCapsule interface: a fresh `arrow_array_stream` capsule on every call.
    #[pyo3(signature = (requested_schema = None))]
    fn __arrow_c_stream__<'py>(
        &self,
        py: Python<'py>,
        requested_schema: Option<Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyCapsule>> {
        // The schema is fixed; a consumer asking for another one casts on its side.
        let _ = requested_schema;
        let stream = arrow_stream(self.frame.clone());
        PyCapsule::new_with_value(py, stream, c"arrow_array_stream")
    }

    /// The table as a polars DataFrame (needs the `polars` package, not pyarrow).
    fn to_polars<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyAny>> {
        let polars = slf.py().import("polars")?;
        polars.getattr("DataFrame")?.call1((slf,))
    }

    fn __len__(&self) -> usize {
        self.frame.height()
    }

    fn __repr__(&self) -> String {
        format!(
            "RecordsTable(rows={}, columns={})",
            self.frame.height(),
            self.frame.width()
        )
    }
}

/// The key conversion Python sees (camelCase -> snake_case, `extra` kept), for test runners.
#[pyfunction]
fn _snake_case_keys(py: Python<'_>, value: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
    value_to_py(py, &snake_case_keys(py_to_value(value)?))
}

fn value_to_py(py: Python<'_>, value: &Value) -> PyResult<Py<PyAny>> {
    Ok(match value {
        Value::Null => py.None(),
        Value::Bool(b) => PyBool::new(py, *b).to_owned().into_any().unbind(),
        Value::Number(n) => number_to_py(py, n)?,
        Value::String(s) => PyString::new(py, s).into_any().unbind(),
        Value::Array(items) => {
            let list = PyList::empty(py);
            for item in items {
                list.append(value_to_py(py, item)?)?;
            }
            list.into_any().unbind()
        }
        Value::Object(map) => {
            let dict = PyDict::new(py);
            for (key, item) in map {
                dict.set_item(key, value_to_py(py, item)?)?;
            }
            dict.into_any().unbind()
        }
    })
}

fn number_to_py(py: Python<'_>, n: &Number) -> PyResult<Py<PyAny>> {
    if let Some(i) = n.as_i64() {
        Ok(i.into_pyobject(py)?.into_any().unbind())
    } else if let Some(u) = n.as_u64() {
        Ok(u.into_pyobject(py)?.into_any().unbind())
    } else {
        Ok(PyFloat::new(py, n.as_f64().unwrap_or(f64::NAN))
            .into_any()
            .unbind())
    }
}

fn py_to_value(value: &Bound<'_, PyAny>) -> PyResult<Value> {
    if value.is_none() {
        Ok(Value::Null)
    } else if let Ok(b) = value.cast::<PyBool>() {
        Ok(Value::Bool(b.is_true()))
    } else if value.is_instance_of::<PyInt>() {
        if let Ok(i) = value.extract::<i64>() {
            Ok(Value::from(i))
        } else {
            Ok(Value::from(value.extract::<u64>()?))
        }
    } else if let Ok(f) = value.cast::<PyFloat>() {
        Number::from_f64(f.value())
            .map(Value::Number)
            .ok_or_else(|| PyValueError::new_err("a number option must be finite"))
    } else if let Ok(s) = value.cast::<PyString>() {
        Ok(Value::String(s.to_cow()?.into_owned()))
    } else if let Ok(list) = value.cast::<PyList>() {
        list.iter()
            .map(|item| py_to_value(&item))
            .collect::<PyResult<_>>()
            .map(Value::Array)
    } else if let Ok(tuple) = value.cast::<PyTuple>() {
        tuple
            .iter()
            .map(|item| py_to_value(&item))
            .collect::<PyResult<_>>()
            .map(Value::Array)
    } else if let Ok(dict) = value.cast::<PyDict>() {
        let mut map = Map::new();
        for (key, item) in dict.iter() {
            map.insert(key.extract::<String>()?, py_to_value(&item)?);
        }
        Ok(Value::Object(map))
    } else {
        Err(PyTypeError::new_err(format!(
            "cannot pass a {} as an option value",
            value.get_type().name()?
        )))
    }
}

/// The native module `callscope._callscope`; the package `callscope` re-exports it.
#[pymodule]
fn _callscope(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add_function(wrap_pyfunction!(ingest, m)?)?;
    m.add_function(wrap_pyfunction!(ingest_arrow, m)?)?;
    m.add_function(wrap_pyfunction!(report, m)?)?;
    m.add_function(wrap_pyfunction!(ingest_files, m)?)?;
    m.add_function(wrap_pyfunction!(ingest_files_arrow, m)?)?;
    m.add_function(wrap_pyfunction!(report_files, m)?)?;
    m.add_function(wrap_pyfunction!(_snake_case_keys, m)?)?;
    m.add_class::<RecordsTable>()?;
    m.add("CallscopeError", py.get_type::<CallscopeError>())?;
    m.add("SourceReadError", py.get_type::<SourceReadError>())?;
    m.add("ParseError", py.get_type::<ParseError>())?;
    m.add(
        "UnknownProviderError",
        py.get_type::<UnknownProviderError>(),
    )?;
    m.add("RejectedError", py.get_type::<RejectedError>())?;
    m.add("InvalidOptionError", py.get_type::<InvalidOptionError>())?;
    m.add("LimitError", py.get_type::<LimitError>())?;
    m.add("SignatureError", py.get_type::<SignatureError>())?;
    Ok(())
}
