#!/usr/bin/env python3
"""The comparison task in DuckDB SQL, as a DuckDB user would write it (see ref_pandas.py)."""

import os
import sys

import duckdb

sys.path.insert(0, os.path.dirname(__file__))
import common  # noqa: E402

LOAD = {
    "twilio": """
        CREATE TABLE calls AS
        WITH raw AS (SELECT unnest(calls, recursive := true) FROM read_json('{glob}', maximum_object_size := 67108864))
        SELECT
            strptime(start_time, '%a, %d %b %Y %H:%M:%S %z') AS s,
            strptime(end_time, '%a, %d %b %Y %H:%M:%S %z') AS e,
            CASE WHEN direction = 'inbound' THEN 'inbound' ELSE 'outbound' END AS direction,
            CASE
                WHEN status = 'completed' AND direction <> 'inbound'
                     AND (coalesce(answered_by, '') LIKE 'machine%' OR answered_by = 'fax') THEN 'voicemail'
                WHEN status = 'completed' THEN 'answered'
                WHEN status = 'no-answer' AND direction = 'inbound' THEN 'missed'
                WHEN status = 'no-answer' THEN 'unanswered'
                WHEN status IN ('busy', 'failed', 'canceled') THEN status
                WHEN status IN ('queued', 'ringing', 'in-progress') THEN 'active'
                ELSE 'unknown' END AS outcome,
            TRY_CAST(duration AS DOUBLE) AS talk
        FROM raw WHERE parent_call_sid IS NULL;
        ALTER TABLE calls ADD COLUMN duration DOUBLE;
        UPDATE calls SET duration = epoch_us(e) / 1e6 - epoch_us(s) / 1e6;
    """,
    "justcall": """
        CREATE TABLE calls AS
        WITH raw AS (SELECT unnest(data, recursive := true) FROM read_json('{glob}', maximum_object_size := 67108864))
        SELECT
            strptime(call_date || ' ' || call_time, '%Y-%m-%d %H:%M:%S')::TIMESTAMPTZ AS s,
            s + to_microseconds(((queue_wait_time + ring_time + total_duration) * 1000000)::BIGINT) AS e,
            CASE WHEN direction = 'Incoming' THEN 'inbound' ELSE 'outbound' END AS direction,
            CASE lower(type)
                WHEN 'answered' THEN 'answered' WHEN 'missed' THEN 'missed' WHEN 'voicemail' THEN 'voicemail'
                WHEN 'unanswered' THEN 'unanswered' WHEN 'abandoned before ringing' THEN 'canceled'
                ELSE 'unknown' END AS outcome,
            conversation_time::DOUBLE AS talk,
            (queue_wait_time + ring_time + total_duration)::DOUBLE AS duration
        FROM raw;
    """,
}


def main():
    provider, folder = sys.argv[1], sys.argv[2]
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    con.execute(LOAD[provider].format(glob=os.path.join(folder, "**", "*.json")))
    n, inbound, outbound, answered, missed, voicemail, failed, active, tot, avg, talk_tot, talk_avg = con.execute("""
        SELECT count(*), count(*) FILTER (direction = 'inbound'), count(*) FILTER (direction = 'outbound'),
               count(*) FILTER (outcome = 'answered'),
               count(*) FILTER (outcome IN ('missed', 'unanswered', 'busy', 'canceled')),
               count(*) FILTER (outcome = 'voicemail'), count(*) FILTER (outcome = 'failed'),
               count(*) FILTER (outcome = 'active'),
               sum(duration), avg(duration), sum(talk), avg(talk) FILTER (outcome = 'answered')
        FROM calls""").fetchone()
    pct = {}
    for p in (50, 90, 95, 99):
        pct[f"p{p}"] = con.execute(f"""
            SELECT duration FROM (SELECT duration, row_number() OVER (ORDER BY duration) AS k,
                                  count(*) OVER () AS n FROM calls WHERE duration IS NOT NULL)
            WHERE k = greatest(1, ceil({p} / 100 * n))""").fetchone()[0]
    by_day = dict(con.execute("SELECT strftime(s, '%Y-%m-%d') d, count(*) FROM calls GROUP BY d ORDER BY d").fetchall())
    by_hour = dict(con.execute("SELECT hour(s), count(*) FROM calls GROUP BY 1").fetchall())
    # The series in steps (temporary tables): written as one query with CTEs referenced twice,
    # DuckDB 2.0 recomputed them per reference and took ~70 s for 100k calls instead of ~0.2 s.
    for step in (
        """CREATE TEMP TABLE ev AS
            SELECT epoch_us(s) AS t, 1 AS delta FROM calls WHERE e > s
            UNION ALL SELECT epoch_us(e), -1 FROM calls WHERE e > s""",
        """CREATE TEMP TABLE lv AS
            SELECT t, sum(delta) OVER (ORDER BY t, delta ROWS UNBOUNDED PRECEDING) AS level,
                   row_number() OVER (ORDER BY t, delta) AS k FROM ev""",
        """CREATE TEMP TABLE acc AS
            WITH last_at AS (SELECT t, level, k FROM lv QUALIFY row_number() OVER (PARTITION BY t ORDER BY k DESC) = 1),
                 seg AS (SELECT t, level, lead(t, 1, t) OVER (ORDER BY k) AS nxt, k FROM last_at)
            SELECT t, level, sum((nxt - t) * level) OVER (ORDER BY k ROWS UNBOUNDED PRECEDING) - (nxt - t) * level AS integral
            FROM seg""",
        """CREATE TEMP TABLE b AS
            WITH bounds AS (SELECT (min(epoch_us(s)) // 60000000) * 60000000 AS lo,
                                   greatest(max(epoch_us(s)), (SELECT max(t) - 1 FROM ev)) // 60000000 * 60000000 AS hi
                            FROM calls)
            SELECT range AS b, range + 60000000 AS b1 FROM bounds, range(lo, hi + 60000000, 60000000)""",
        """CREATE TEMP TABLE a0 AS
            SELECT b.b, coalesce(acc.level, 0) AS at_start, coalesce(acc.integral + acc.level * (b.b - acc.t), 0) AS i0
            FROM b ASOF LEFT JOIN acc ON b.b >= acc.t""",
        """CREATE TEMP TABLE a1 AS
            SELECT b.b, coalesce(acc.integral + acc.level * (b.b1 - acc.t), 0) AS i1
            FROM b ASOF LEFT JOIN acc ON b.b1 >= acc.t""",
    ):
        con.execute(step)
    series = con.execute("""
        WITH inner_pk AS (SELECT t // 60000000 * 60000000 AS b, max(level) AS pk FROM lv WHERE t % 60000000 <> 0 GROUP BY 1),
             st AS (SELECT epoch_us(s) // 60000000 * 60000000 AS b, count(*) AS n FROM calls GROUP BY 1)
        SELECT a0.b // 1000000, greatest(a0.at_start, coalesce(inner_pk.pk, 0)), a0.at_start,
               (a1.i1 - a0.i0) / 60000000.0, coalesce(st.n, 0)
        FROM a0 JOIN a1 USING (b) LEFT JOIN inner_pk USING (b) LEFT JOIN st USING (b) ORDER BY a0.b""").fetchall()
    peak = con.execute("SELECT coalesce(max(level), 0) FROM lv").fetchone()[0]
    common.emit({
        "summary": {
            "totalCalls": n, "inboundCalls": inbound, "outboundCalls": outbound, "answeredCalls": answered,
            "missedCalls": missed, "voicemailCalls": voicemail, "failedCalls": failed, "activeCalls": active,
            "answerRate": answered / (n - active) if n - active else None,
            "totalDuration": tot, "averageDuration": avg, "totalTalkTime": talk_tot, "averageTalkTime": talk_avg,
            "durationPercentiles": pct, "callsByDay": by_day,
            "callsByHour": {str(h): by_hour.get(h, 0) for h in range(24)},
        },
        "concurrency": {"peak": int(peak or 0), "series": [
            {"timestamp": int(b), "peak": int(p), "atStart": int(a), "average": float(v), "starts": int(c)}
            for b, p, a, v, c in series]},
    })


if __name__ == "__main__":
    main()
