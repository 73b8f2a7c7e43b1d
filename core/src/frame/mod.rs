//! Records as a polars [`DataFrame`] (feature `polars`), and its export as an Arrow C stream.
//!
//! One row per [`CallRecord`], one column per record field, in the field order of the struct,
//! named with the Rust (snake_case) field names:
//! - vocabularies (`provider`, `direction`, `outcome`) are their wire words (`String`);
//! - instants (`started_at`, `answered_at`, `ended_at`) are `Datetime(us, "UTC")`;
//! - seconds, cost and quality figures are `Float64`;
//! - `agent`, `ended_reason`, `quality` are structs (a missing value reads as a struct of
//!   nulls); `tags` is `List(String)`; `transfers` and `transcript` are lists of structs;
//! - `extra` is the JSON text of the object (its keys differ from record to record).

use crate::model::{CallRecord, Quality};
use chrono::{DateTime, Utc};
use polars::prelude::*;
use polars_arrow::ffi::export_iterator;

pub use polars::prelude::DataFrame;
pub use polars_arrow::ffi::ArrowArrayStream;

/// The records as a DataFrame (see the module doc for the columns).
pub fn records_frame(records: &[CallRecord]) -> PolarsResult<DataFrame> {
    let n = records.len();
    let text = |name: &str, get: &dyn Fn(&CallRecord) -> Option<&str>| -> Column {
        Series::new(name.into(), records.iter().map(get).collect::<Vec<_>>()).into_column()
    };
    let number = |name: &str, get: &dyn Fn(&CallRecord) -> Option<f64>| -> Column {
        Series::new(name.into(), records.iter().map(get).collect::<Vec<_>>()).into_column()
    };
    let instant = |name: &str, get: &dyn Fn(&CallRecord) -> Option<DateTime<Utc>>| -> Column {
        instants(name, records.iter().map(get)).into_column()
    };
    let agent = StructChunked::from_series(
        "agent".into(),
        n,
        [
            text_series(
                "id",
                records.iter().map(|r| r.agent.as_ref()?.id.as_deref()),
            ),
            text_series(
                "email",
                records.iter().map(|r| r.agent.as_ref()?.email.as_deref()),
            ),
            text_series(
                "name",
                records.iter().map(|r| r.agent.as_ref()?.name.as_deref()),
            ),
        ]
        .iter(),
    )?;
    let ended_reason = StructChunked::from_series(
        "ended_reason".into(),
        n,
        [
            text_series(
                "category",
                records
                    .iter()
                    .map(|r| r.ended_reason.as_ref().map(|e| e.category.as_str())),
            ),
            text_series(
                "raw",
                records
                    .iter()
                    .map(|r| r.ended_reason.as_ref().map(|e| e.raw.as_str())),
            ),
        ]
        .iter(),
    )?;
    let quality = quality_struct(records.iter().map(|r| r.quality.as_ref()), n)?;
    let tags: Vec<Series> = records
        .iter()
        .map(|r| Series::new(PlSmallStr::EMPTY, r.tags.as_slice()))
        .collect();
    let transfers = records
        .iter()
        .map(|r| {
            let t = &r.transfers;
            let fields = [
                instants("at", t.iter().map(|x| x.at)),
                text_series("to_queue", t.iter().map(|x| x.to_queue.as_deref())),
                text_series("to_agent", t.iter().map(|x| x.to_agent.as_deref())),
            ];
            Ok(
                StructChunked::from_series(PlSmallStr::EMPTY, t.len(), fields.iter())?
                    .into_series(),
            )
        })
        .collect::<PolarsResult<Vec<_>>>()?;
    let transcript = records
        .iter()
        .map(|r| {
            let t = &r.transcript;
            let fields = [
                text_series("speaker", t.iter().map(|x| Some(x.speaker.as_str()))),
                Series::new(
                    "start_s".into(),
                    t.iter().map(|x| x.start_s).collect::<Vec<_>>(),
                ),
                Series::new(
                    "end_s".into(),
                    t.iter().map(|x| x.end_s).collect::<Vec<_>>(),
                ),
                text_series("text", t.iter().map(|x| Some(x.text.as_str()))),
                Series::new(
                    "confidence".into(),
                    t.iter().map(|x| x.confidence).collect::<Vec<_>>(),
                ),
                text_series("language", t.iter().map(|x| x.language.as_deref())),
            ];
            Ok(
                StructChunked::from_series(PlSmallStr::EMPTY, t.len(), fields.iter())?
                    .into_series(),
            )
        })
        .collect::<PolarsResult<Vec<_>>>()?;
    let extra: Vec<String> = records
        .iter()
        .map(|r| serde_json::to_string(&r.extra).unwrap_or_else(|_| String::from("{}")))
        .collect();

    let columns = vec![
        text("id", &|r| Some(r.id.as_str())),
        text("provider", &|r| Some(r.provider.as_str())),
        text("provider_call_id", &|r| Some(r.provider_call_id.as_str())),
        text("tenant", &|r| r.tenant.as_deref()),
        text("direction", &|r| Some(r.direction.as_str())),
        text("outcome", &|r| Some(r.outcome.as_str())),
        text("raw_status", &|r| r.raw_status.as_deref()),
        instant("started_at", &|r| Some(r.started_at)),
        instant("answered_at", &|r| r.answered_at),
        instant("ended_at", &|r| r.ended_at),
        number("duration_s", &|r| r.duration_s),
        number("talk_s", &|r| r.talk_s),
        number("wait_s", &|r| r.wait_s),
        number("wrap_up_s", &|r| r.wrap_up_s),
        agent.into_series().into_column(),
        text("assistant", &|r| r.assistant.as_deref()),
        text("queue", &|r| r.queue.as_deref()),
        text("customer_number", &|r| r.customer_number.as_deref()),
        text("business_number", &|r| r.business_number.as_deref()),
        text("customer_name", &|r| r.customer_name.as_deref()),
        ended_reason.into_series().into_column(),
        text("disposition", &|r| r.disposition.as_deref()),
        text("notes", &|r| r.notes.as_deref()),
        list_column("tags", tags, &DataType::String),
        list_column("transfers", transfers, &transfer_dtype()),
        text("summary", &|r| r.summary.as_deref()),
        text("intent", &|r| r.intent.as_deref()),
        list_column("transcript", transcript, &transcript_dtype()),
        text("recording_url", &|r| r.recording_url.as_deref()),
        quality.into_series().into_column(),
        number("cost", &|r| r.cost),
        text("language", &|r| r.language.as_deref()),
        Series::new("extra".into(), extra).into_column(),
    ];
    DataFrame::new(n, columns)
}

/// Export a DataFrame as an Arrow C stream of struct arrays (one per chunk), the object behind
/// the Arrow PyCapsule interface (`__arrow_c_stream__`) and other Arrow C consumers.
///
/// Strings are exported as Arrow `large_utf8`, the form every Arrow reader accepts.
pub fn arrow_stream(frame: DataFrame) -> ArrowArrayStream {
    let mut frame = frame;
    frame.rechunk_mut();
    let series = frame.into_struct("records".into()).into_series();
    let compat = CompatLevel::oldest();
    let field = series.field().to_arrow(compat);
    let chunks: Vec<PolarsResult<Box<dyn polars_arrow::array::Array>>> = (0..series.n_chunks())
        .map(|i| Ok(series.to_arrow(i, compat)))
        .collect();
    export_iterator(Box::new(chunks.into_iter()), field)
}

fn text_series<'a>(name: &str, values: impl Iterator<Item = Option<&'a str>>) -> Series {
    Series::new(name.into(), values.collect::<Vec<_>>())
}

fn instants(name: &str, values: impl Iterator<Item = Option<DateTime<Utc>>>) -> Series {
    let micros: Int64Chunked = values.map(|v| v.map(|t| t.timestamp_micros())).collect();
    micros
        .with_name(name.into())
        .into_datetime(TimeUnit::Microseconds, Some(TimeZone::UTC))
        .into_series()
}

fn quality_struct<'a>(
    values: impl Iterator<Item = Option<&'a Quality>> + Clone,
    n: usize,
) -> PolarsResult<StructChunked> {
    let figure = |name: &str, get: fn(&Quality) -> Option<f64>| {
        Series::new(
            name.into(),
            values.clone().map(|q| q.and_then(get)).collect::<Vec<_>>(),
        )
    };
    let fields = [
        figure("mos", |q| q.mos),
        figure("jitter_ms", |q| q.jitter_ms),
        figure("packet_loss", |q| q.packet_loss),
        figure("rtt_ms", |q| q.rtt_ms),
        text_series(
            "codec",
            values.clone().map(|q| q.and_then(|q| q.codec.as_deref())),
        ),
    ];
    StructChunked::from_series("quality".into(), n, fields.iter())
}

/// A list column whose inner type is fixed even when every row is empty.
fn list_column(name: &str, rows: Vec<Series>, inner: &DataType) -> Column {
    let rows: Vec<Series> = rows
        .into_iter()
        .map(|s| {
            if s.is_empty() {
                Series::new_empty(PlSmallStr::EMPTY, inner)
            } else {
                s
            }
        })
        .collect();
    let mut list = Series::new(name.into(), rows);
    if list.is_empty() {
        list = Series::new_empty(name.into(), &DataType::List(Box::new(inner.clone())));
    }
    list.into_column()
}

fn transfer_dtype() -> DataType {
    DataType::Struct(vec![
        Field::new(
            "at".into(),
            DataType::Datetime(TimeUnit::Microseconds, Some(TimeZone::UTC)),
        ),
        Field::new("to_queue".into(), DataType::String),
        Field::new("to_agent".into(), DataType::String),
    ])
}

fn transcript_dtype() -> DataType {
    DataType::Struct(vec![
        Field::new("speaker".into(), DataType::String),
        Field::new("start_s".into(), DataType::Float64),
        Field::new("end_s".into(), DataType::Float64),
        Field::new("text".into(), DataType::String),
        Field::new("confidence".into(), DataType::Float64),
        Field::new("language".into(), DataType::String),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn records() -> Vec<CallRecord> {
        let one = serde_json::json!({
            "id": "twilio:CA1", "provider": "twilio", "providerCallId": "CA1",
            "direction": "inbound", "outcome": "answered", "rawStatus": "completed",
            "startedAt": "2024-01-01T10:00:00Z", "answeredAt": "2024-01-01T10:00:05Z",
            "endedAt": "2024-01-01T10:01:05Z", "durationS": 65.0, "talkS": 60.0, "waitS": 5.0,
            "agent": {"email": "a@b.co"},
            "endedReason": {"category": "other", "raw": "completed"},
            "tags": ["vip", "new"],
            "transfers": [{"at": "2024-01-01T10:00:30Z", "toQueue": "billing"}],
            "transcript": [{"speaker": "customer", "startS": 0.5, "text": "hi"}],
            "extra": {"CallSid": "CA1"}
        });
        let two = serde_json::json!({
            "id": "vapi:v2", "provider": "vapi", "providerCallId": "v2",
            "direction": "outbound", "outcome": "active",
            "startedAt": "2024-01-02T00:00:00.250Z", "quality": {"mos": 4.2}
        });
        vec![
            serde_json::from_value(one).unwrap(),
            serde_json::from_value(two).unwrap(),
        ]
    }

    #[test]
    fn one_row_per_record_one_column_per_field() {
        let frame = records_frame(&records()).unwrap();
        assert_eq!(frame.shape(), (2, 33));
        let utc = DataType::Datetime(TimeUnit::Microseconds, Some(TimeZone::UTC));
        assert_eq!(frame.column("started_at").unwrap().dtype(), &utc);
        // 2024-01-02T00:00:00.250Z = 1_704_153_600 s since the epoch, + 0.25 s, in microseconds.
        let started = frame
            .column("started_at")
            .unwrap()
            .as_materialized_series()
            .to_physical_repr();
        assert_eq!(started.i64().unwrap().get(1), Some(1_704_153_600_250_000));
        assert_eq!(frame.column("ended_at").unwrap().null_count(), 1);
        let talk = frame.column("talk_s").unwrap().f64().unwrap().get(0);
        assert_eq!(talk, Some(60.0));
        assert_eq!(
            frame.column("provider").unwrap().str().unwrap().get(1),
            Some("vapi")
        );
        assert_eq!(
            frame.column("extra").unwrap().str().unwrap().get(0),
            Some(r#"{"CallSid":"CA1"}"#)
        );
        assert_eq!(
            frame.column("extra").unwrap().str().unwrap().get(1),
            Some("{}")
        );
    }

    #[test]
    fn nested_fields_are_structs_and_lists() {
        let frame = records_frame(&records()).unwrap();
        let tags = frame.column("tags").unwrap().list().unwrap();
        assert_eq!(tags.inner_dtype(), &DataType::String);
        assert_eq!(tags.get_as_series(0).unwrap().len(), 2);
        assert_eq!(tags.get_as_series(1).unwrap().len(), 0);
        let transfers = frame.column("transfers").unwrap();
        assert_eq!(
            transfers.dtype(),
            &DataType::List(Box::new(transfer_dtype()))
        );
        let transcript = frame.column("transcript").unwrap();
        assert_eq!(
            transcript.dtype(),
            &DataType::List(Box::new(transcript_dtype()))
        );
        let agent = frame.column("agent").unwrap().struct_().unwrap().clone();
        let email = agent.field_by_name("email").unwrap();
        assert_eq!(email.str().unwrap().get(0), Some("a@b.co"));
        assert_eq!(email.str().unwrap().get(1), None);
        let quality = frame.column("quality").unwrap().struct_().unwrap().clone();
        assert_eq!(
            quality.field_by_name("mos").unwrap().f64().unwrap().get(1),
            Some(4.2)
        );
    }

    #[test]
    fn no_records_give_typed_empty_columns() {
        let frame = records_frame(&[]).unwrap();
        assert_eq!(frame.shape(), (0, 33));
        assert_eq!(
            frame.column("transcript").unwrap().dtype(),
            &DataType::List(Box::new(transcript_dtype()))
        );
    }

    #[test]
    fn arrow_stream_is_released_when_dropped() {
        let stream = arrow_stream(records_frame(&records()).unwrap());
        assert!(stream.release.is_some());
        drop(stream);
    }
}
