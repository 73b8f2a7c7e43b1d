"""Records as a polars DataFrame through the Arrow C stream (no pyarrow needed)."""

from datetime import datetime, timezone
from pathlib import Path

import polars as pl

import callscope

# A JustCall v2.1 call: call_date 2024-05-06 + call_time 7:05:09 (UTC), ring 30 s,
# total_duration 0 -> duration 0 + 0 + 30 = 30 s, ended 07:05:39.
JUSTCALL = (Path(__file__).resolve().parents[2] / "tests" / "data" / "justcall" / "call_v21.json").read_text()


def test_ingest_frame_is_a_polars_dataframe_with_utc_instants():
    frame = callscope.ingest_frame(JUSTCALL)
    assert isinstance(frame, pl.DataFrame)
    assert frame.height == 1
    assert frame.schema["started_at"] == pl.Datetime("us", "UTC")
    row = frame.row(0, named=True)
    assert row["id"] == "justcall:CAe1b2c3d4e5f60718293a4b5c6d7e8f93"
    assert row["started_at"] == datetime(2024, 5, 6, 7, 5, 9, tzinfo=timezone.utc)
    assert row["ended_at"] == datetime(2024, 5, 6, 7, 5, 39, tzinfo=timezone.utc)
    assert row["duration_s"] == 30.0
    assert row["agent"] == {"id": "20013", "email": "lee@example.com", "name": "Lee Park"}
    assert frame.columns[:3] == ["id", "provider", "provider_call_id"]


def test_the_table_speaks_the_arrow_pycapsule_interface():
    table = callscope.ingest_arrow(JUSTCALL)
    assert len(table) == 1
    # Any Arrow consumer can read it; polars reads it twice from the same table.
    assert pl.DataFrame(table).equals(table.to_polars())


def test_frame_matches_the_dict_records():
    records = callscope.ingest(JUSTCALL)["records"]
    frame = callscope.ingest_frame(JUSTCALL)
    assert frame["provider_call_id"].to_list() == [r["provider_call_id"] for r in records]
    assert frame["outcome"].to_list() == [r["outcome"] for r in records]


def test_no_records_give_an_empty_typed_frame():
    frame = callscope.ingest_frame("[]")
    assert frame.height == 0
    assert frame.schema["transcript"] == pl.List(
        pl.Struct(
            {
                "speaker": pl.String,
                "start_s": pl.Float64,
                "end_s": pl.Float64,
                "text": pl.String,
                "confidence": pl.Float64,
                "language": pl.String,
            }
        )
    )
