#!/usr/bin/env python3
"""The comparison task written as a polars user would (see ref_pandas.py for the task)."""

import glob
import json
import os
import sys

import polars as pl

sys.path.insert(0, os.path.dirname(__file__))
import common  # noqa: E402

RFC2822 = "%a, %d %b %Y %H:%M:%S %z"


def pages(folder, key):
    rows = []
    for path in sorted(glob.glob(os.path.join(folder, "**", "*.json"), recursive=True)):
        with open(path) as f:
            rows.extend(json.load(f)[key])
    return rows


def load_twilio(folder):
    df = pl.DataFrame(pages(folder, "calls"), infer_schema_length=None)
    df = df.filter(pl.col("parent_call_sid").is_null())
    direction = pl.when(pl.col("direction") == "inbound").then(pl.lit("inbound")).otherwise(pl.lit("outbound"))
    machine = pl.col("answered_by").fill_null("").str.starts_with("machine") | (pl.col("answered_by") == "fax")
    st = pl.col("status")
    outcome = (
        pl.when((st == "completed") & (pl.col("direction") != "inbound") & machine).then(pl.lit("voicemail"))
        .when(st == "completed").then(pl.lit("answered"))
        .when((st == "no-answer") & (pl.col("direction") == "inbound")).then(pl.lit("missed"))
        .when(st == "no-answer").then(pl.lit("unanswered"))
        .when(st.is_in(["busy", "failed", "canceled"])).then(st)
        .when(st.is_in(["queued", "ringing", "in-progress"])).then(pl.lit("active"))
        .otherwise(pl.lit("unknown"))
    )
    return df.select(
        start=pl.col("start_time").str.to_datetime(RFC2822, time_unit="us").dt.convert_time_zone("UTC"),
        end=pl.col("end_time").str.to_datetime(RFC2822, time_unit="us").dt.convert_time_zone("UTC"),
        direction=direction,
        outcome=outcome,
        talk=pl.col("duration").cast(pl.Float64, strict=False),
    ).with_columns(duration=(pl.col("end") - pl.col("start")).dt.total_microseconds() / 1e6)


def load_justcall(folder):
    df = pl.DataFrame(pages(folder, "data"), infer_schema_length=None).unnest("call_info", "call_duration")
    wait = pl.col("queue_wait_time") + pl.col("ring_time")
    t = pl.col("type").str.to_lowercase()
    outcome = (
        pl.when(t == "answered").then(pl.lit("answered"))
        .when(t == "missed").then(pl.lit("missed"))
        .when(t == "voicemail").then(pl.lit("voicemail"))
        .when(t == "unanswered").then(pl.lit("unanswered"))
        .when(t == "abandoned before ringing").then(pl.lit("canceled"))
        .otherwise(pl.lit("unknown"))
    )
    out = df.select(
        start=(pl.col("call_date") + " " + pl.col("call_time")).str.to_datetime("%Y-%m-%d %H:%M:%S", time_unit="us", time_zone="UTC"),
        duration=(wait + pl.col("total_duration")).cast(pl.Float64),
        direction=pl.when(pl.col("direction") == "Incoming").then(pl.lit("inbound")).otherwise(pl.lit("outbound")),
        outcome=outcome,
        talk=pl.col("conversation_time").cast(pl.Float64),
    )
    return out.with_columns(end=pl.col("start") + pl.duration(microseconds=(pl.col("duration") * 1e6).cast(pl.Int64)))


def summary(df):
    n = df.height
    counts = dict(df.group_by("outcome").len().iter_rows())
    active, answered = counts.get("active", 0), counts.get("answered", 0)
    dur = df.get_column("duration").drop_nulls().sort()
    talk_ans = df.filter(pl.col("outcome") == "answered").get_column("talk").drop_nulls()
    by_day = df.group_by(pl.col("start").dt.strftime("%Y-%m-%d").alias("d")).len().sort("d")
    by_hour = dict(df.group_by(pl.col("start").dt.hour().alias("h")).len().iter_rows())
    return {
        "totalCalls": n,
        "inboundCalls": df.filter(pl.col("direction") == "inbound").height,
        "outboundCalls": df.filter(pl.col("direction") == "outbound").height,
        "answeredCalls": answered,
        "missedCalls": sum(counts.get(k, 0) for k in ("missed", "unanswered", "busy", "canceled")),
        "voicemailCalls": counts.get("voicemail", 0),
        "failedCalls": counts.get("failed", 0),
        "activeCalls": active,
        "answerRate": answered / (n - active) if n - active else None,
        "totalDuration": float(dur.sum()),
        "averageDuration": float(dur.mean()) if dur.len() else None,
        "totalTalkTime": float(df.get_column("talk").sum()),
        "averageTalkTime": float(talk_ans.mean()) if talk_ans.len() else None,
        "durationPercentiles": {f"p{p}": common.nearest_rank(dur.to_list(), p) for p in (50, 90, 95, 99)},
        "callsByDay": dict(by_day.iter_rows()),
        "callsByHour": {str(h): by_hour.get(h, 0) for h in range(24)},
    }


def concurrency(df, g=60):
    G = g * 1_000_000
    d = df.select(s=pl.col("start").dt.epoch("us"), e=pl.col("end").dt.epoch("us"))
    occ = d.filter(pl.col("e") > pl.col("s"))
    ev = pl.concat([
        occ.select(t=pl.col("s"), delta=pl.lit(1, pl.Int64)),
        occ.select(t=pl.col("e"), delta=pl.lit(-1, pl.Int64)),
    ]).sort(["t", "delta"]).with_columns(level=pl.col("delta").cum_sum())
    ev = ev.with_columns(nxt=pl.col("t").shift(-1).fill_null(pl.col("t").last()))
    first = d.get_column("s").min() // G * G
    last = max(d.get_column("s").max(), ev.get_column("t").max() - 1)
    buckets = pl.DataFrame({"b": pl.int_range(first, last // G * G + G, G, eager=True)})
    # the level holding at any instant, by as-of join on the last event at or before it
    ev = ev.with_columns(integral=((pl.col("nxt") - pl.col("t")) * pl.col("level")).cum_sum() - (pl.col("nxt") - pl.col("t")) * pl.col("level"))
    def integral_at(col):
        j = buckets.select(pl.col("b"), q=pl.col("b") + col).sort("q").join_asof(
            ev.select("t", "level", "integral").sort("t"), left_on="q", right_on="t", strategy="backward")
        return j.sort("b").select(
            (pl.col("integral") + pl.col("level") * (pl.col("q") - pl.col("t"))).fill_null(0)).to_series()
    at_start = buckets.join_asof(ev.select("t", "level").sort("t"), left_on="b", right_on="t", strategy="backward") \
        .sort("b").get_column("level").fill_null(0)
    avg = (integral_at(G) - integral_at(0)) / G
    inner = ev.filter(pl.col("t") % G != 0).group_by(b=pl.col("t") // G * G).agg(pk=pl.col("level").max())
    starts = d.group_by(b=pl.col("s") // G * G).agg(n=pl.len())
    out = buckets.with_columns(atStart=at_start, average=avg) \
        .join(inner, on="b", how="left").join(starts, on="b", how="left").sort("b")
    out = out.with_columns(peak=pl.max_horizontal("atStart", pl.col("pk").fill_null(0)), starts=pl.col("n").fill_null(0))
    series = [{"timestamp": b // 1_000_000, "peak": int(p), "atStart": int(a), "average": float(v), "starts": int(c)}
              for b, p, a, v, c in out.select("b", "peak", "atStart", "average", "starts").iter_rows()]
    return {"peak": int(ev.get_column("level").max() or 0), "series": series}


def main():
    provider, folder = sys.argv[1], sys.argv[2]
    df = load_twilio(folder) if provider == "twilio" else load_justcall(folder)
    common.emit({"summary": summary(df), "concurrency": concurrency(df)})


if __name__ == "__main__":
    main()
