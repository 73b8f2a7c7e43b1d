#!/usr/bin/env python3
"""The comparison task written as a pandas user would: load a folder of provider export pages,
normalize outcome, direction and durations, and compute the summary (SPEC 4.1) and the
per-minute concurrency series (SPEC 4.5). Prints one JSON object (see common.py)."""

import glob
import json
import os
import sys

import numpy as np
import pandas as pd

sys.path.insert(0, os.path.dirname(__file__))
import common  # noqa: E402


def load_twilio(folder):
    frames = []
    for path in sorted(glob.glob(os.path.join(folder, "**", "*.json"), recursive=True)):
        with open(path) as f:
            page = json.load(f)
        frames.append(pd.DataFrame(page["calls"]))
    df = pd.concat(frames, ignore_index=True)
    df = df[df["parent_call_sid"].isna()]  # child legs fold into their parent
    start = pd.to_datetime(df["start_time"], format="%a, %d %b %Y %H:%M:%S %z", utc=True)
    end = pd.to_datetime(df["end_time"], format="%a, %d %b %Y %H:%M:%S %z", utc=True)
    direction = np.where(df["direction"] == "inbound", "inbound", "outbound")
    status = df["status"]
    machine = df["answered_by"].fillna("").str.startswith("machine") | (df["answered_by"] == "fax")
    outcome = np.select(
        [
            (status == "completed") & (direction == "outbound") & machine,
            status == "completed",
            (status == "no-answer") & (direction == "inbound"),
            status == "no-answer",
            status == "busy",
            status == "failed",
            status == "canceled",
            status.isin(["queued", "ringing", "in-progress"]),
        ],
        ["voicemail", "answered", "missed", "unanswered", "busy", "failed", "canceled", "active"],
        default="unknown",
    )
    talk = pd.to_numeric(df["duration"], errors="coerce")
    duration = (end - start).dt.total_seconds()
    return pd.DataFrame({"start": start, "end": end, "direction": direction, "outcome": outcome,
                         "duration": duration, "talk": talk.to_numpy()})


def load_justcall(folder):
    frames = []
    for path in sorted(glob.glob(os.path.join(folder, "**", "*.json"), recursive=True)):
        with open(path) as f:
            page = json.load(f)
        frames.append(pd.json_normalize(page["data"]))
    df = pd.concat(frames, ignore_index=True)
    start = pd.to_datetime(df["call_date"] + " " + df["call_time"], format="%Y-%m-%d %H:%M:%S", utc=True)
    wait = df["call_duration.queue_wait_time"] + df["call_duration.ring_time"]
    duration = wait + df["call_duration.total_duration"]
    end = start + pd.to_timedelta(duration, unit="s")
    inbound = df["call_info.direction"] == "Incoming"
    direction = np.where(inbound, "inbound", "outbound")
    t = df["call_info.type"].str.lower()
    outcome = np.select(
        [t == "answered", t == "missed", t == "voicemail", t == "unanswered", t == "abandoned before ringing"],
        ["answered", "missed", "voicemail", "unanswered", "canceled"],
        default="unknown",
    )
    return pd.DataFrame({"start": start, "end": end, "direction": direction, "outcome": outcome,
                         "duration": duration.astype(float), "talk": df["call_duration.conversation_time"].astype(float)})


def summary(df):
    n = len(df)
    oc = df["outcome"].value_counts()
    active = int(oc.get("active", 0))
    answered = int(oc.get("answered", 0))
    dur = df["duration"].dropna()
    talk_answered = df.loc[df["outcome"] == "answered", "talk"].dropna()
    srt = np.sort(dur.to_numpy())
    local = df["start"]
    return {
        "totalCalls": n,
        "inboundCalls": int((df["direction"] == "inbound").sum()),
        "outboundCalls": int((df["direction"] == "outbound").sum()),
        "answeredCalls": answered,
        "missedCalls": int(sum(oc.get(k, 0) for k in ("missed", "unanswered", "busy", "canceled"))),
        "voicemailCalls": int(oc.get("voicemail", 0)),
        "failedCalls": int(oc.get("failed", 0)),
        "activeCalls": active,
        "answerRate": answered / (n - active) if n - active else None,
        "totalDuration": float(dur.sum()),
        "averageDuration": float(dur.mean()) if len(dur) else None,
        "totalTalkTime": float(df["talk"].sum()),
        "averageTalkTime": float(talk_answered.mean()) if len(talk_answered) else None,
        "durationPercentiles": {f"p{p}": common.nearest_rank(srt, p) for p in (50, 90, 95, 99)},
        "callsByDay": {k: int(v) for k, v in local.dt.strftime("%Y-%m-%d").value_counts().sort_index().items()},
        "callsByHour": {str(h): int(v) for h, v in local.dt.hour.value_counts().reindex(range(24), fill_value=0).items()},
    }


def concurrency(df, g=60):
    s = df["start"].dt.as_unit("us").astype("int64").to_numpy()  # microseconds
    e = df["end"].dt.as_unit("us").astype("int64").to_numpy()
    occupied = e > s
    times = np.concatenate([s[occupied], e[occupied]])
    deltas = np.concatenate([np.ones(occupied.sum(), dtype=np.int64), -np.ones(occupied.sum(), dtype=np.int64)])
    order = np.lexsort((deltas, times))  # ends (-1) before starts (+1) at the same instant
    times, deltas = times[order], deltas[order]
    level = np.cumsum(deltas)
    G = g * 1_000_000
    first = s.min() // G * G
    last_occupied = max(s.max(), (times[-1] - 1) if len(times) else s.max())
    buckets = np.arange(first, last_occupied // G * G + G, G)
    # level at each bucket start: after every event at or before it
    idx = np.searchsorted(times, buckets, side="right") - 1
    at_start = np.where(idx >= 0, level[np.clip(idx, 0, None)], 0)
    # integral of the level up to each event, then at bucket edges
    seg = np.diff(times, append=times[-1]) * level
    integral = np.concatenate([[0], np.cumsum(seg)])[:-1]
    def integral_at(t):
        k = np.searchsorted(times, t, side="right") - 1
        return np.where(k >= 0, integral[np.clip(k, 0, None)] + level[np.clip(k, 0, None)] * (t - times[np.clip(k, 0, None)]), 0)
    average = (integral_at(buckets + G) - integral_at(buckets)) / G
    peak = at_start.copy()
    ev_bucket = (times - first) // G
    inside = times % G != 0
    peaks_in = pd.Series(level[inside]).groupby(ev_bucket[inside]).max()
    peak[peaks_in.index.to_numpy()] = np.maximum(peak[peaks_in.index.to_numpy()], peaks_in.to_numpy())
    starts = np.bincount((s - first) // G, minlength=len(buckets))
    series = [{"timestamp": int(b // 1_000_000), "peak": int(p), "atStart": int(a), "average": float(v), "starts": int(c)}
              for b, p, a, v, c in zip(buckets, peak, at_start, average, starts)]
    return {"peak": int(level.max()) if len(level) else 0, "series": series}


def main():
    provider, folder = sys.argv[1], sys.argv[2]
    df = load_twilio(folder) if provider == "twilio" else load_justcall(folder)
    common.emit({"summary": summary(df), "concurrency": concurrency(df)})


if __name__ == "__main__":
    main()
