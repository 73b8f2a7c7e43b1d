#!/usr/bin/env python3
"""Generate realistic native provider exports for the comparison benchmark.

Twilio: REST `Calls.json` list pages (RFC 2822 times, string durations and prices, parent calls
and `<Dial>` child legs, AMD answers), as the API returns them (pretty-printed, 2-space indent).
JustCall: v2.1 `GET /v2.1/calls` pages (`call_date` + `call_time` in UTC, `call_info`,
`call_duration` objects). Fixed seeds: the same arguments always write the same bytes.

usage: gen_exports.py twilio|justcall CALLS OUTDIR [--seed N] [--page-size N]
"""

import argparse
import json
import os
import random
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime

START = datetime(2026, 3, 2, tzinfo=timezone.utc)  # a Monday
DAYS = 14
HOUR_WEIGHTS = [1, 1, 1, 1, 1, 2, 4, 8, 14, 18, 20, 19, 16, 17, 19, 18, 15, 11, 7, 5, 4, 3, 2, 1]
AGENTS = [(1000 + i, f"Agent {i}", f"agent{i}@example.com") for i in range(40)]


def start_instant(rng):
    day = rng.randrange(DAYS)
    weekday = (START + timedelta(days=day)).weekday()
    hour = rng.choices(range(24), weights=HOUR_WEIGHTS)[0]
    if weekday >= 5 and rng.random() < 0.6:
        hour = rng.choices(range(24), weights=HOUR_WEIGHTS)[0]
    return START + timedelta(days=day, hours=hour, seconds=rng.randrange(3600))


def rfc2822(t):
    return format_datetime(t)  # 'Mon, 02 Mar 2026 09:14:03 +0000'


def sid(rng, prefix):
    return prefix + "%032x" % rng.getrandbits(128)


def twilio_call(rng, account):
    t0 = start_instant(rng)
    direction = rng.choices(["inbound", "outbound-api"], weights=[65, 35])[0]
    status = rng.choices(
        ["completed", "no-answer", "busy", "failed", "canceled"], weights=[72, 15, 5, 3, 5]
    )[0]
    answered_by = None
    duration = None
    end = None
    start = t0
    if status == "completed":
        ring = rng.randint(2, 25)
        talk = max(1, int(rng.lognormvariate(4.9, 0.9)))
        duration = talk
        end = t0 + timedelta(seconds=ring + talk)
        if direction == "outbound-api":
            answered_by = rng.choices(["human", "machine_start", "machine_end_beep"], weights=[80, 12, 8])[0]
    elif status in ("no-answer", "canceled"):
        end = t0 + timedelta(seconds=rng.randint(5, 40))
        duration = 0
    elif status == "busy":
        end = t0 + timedelta(seconds=rng.randint(1, 5))
        duration = 0
    else:
        start = t0
        end = t0
        duration = 0
    a, b = "+1415%07d" % rng.randrange(10**7), "+1628%07d" % rng.randrange(10**7)
    frm, to = (a, b) if direction == "inbound" else (b, a)
    call_sid = sid(rng, "CA")
    return call_sid, t0, end, status, {
        "account_sid": account,
        "annotation": None,
        "answered_by": answered_by,
        "api_version": "2010-04-01",
        "caller_name": None,
        "date_created": rfc2822(t0),
        "date_updated": rfc2822(end),
        "direction": direction,
        "duration": str(duration),
        "end_time": rfc2822(end),
        "forwarded_from": None,
        "from": frm,
        "from_formatted": "(%s) %s-%s" % (frm[2:5], frm[5:8], frm[8:]),
        "group_sid": None,
        "parent_call_sid": None,
        "phone_number_sid": sid(rng, "PN"),
        "price": "-%.5f" % (0.0085 * (1 + (duration or 0) // 60)) if status == "completed" else None,
        "price_unit": "USD",
        "sid": call_sid,
        "start_time": rfc2822(start),
        "status": status,
        "subresource_uris": {
            k: f"/2010-04-01/Accounts/{account}/Calls/{call_sid}/{v}.json"
            for k, v in [
                ("notifications", "Notifications"), ("recordings", "Recordings"), ("feedback", "Feedback"),
                ("payments", "Payments"), ("events", "Events"), ("siprec", "Siprec"), ("streams", "Streams"),
            ]
        },
        "to": to,
        "to_formatted": "(%s) %s-%s" % (to[2:5], to[5:8], to[8:]),
        "trunk_sid": None,
        "uri": f"/2010-04-01/Accounts/{account}/Calls/{call_sid}.json",
        "queue_time": str(rng.randint(0, 4000)),
    }


def twilio(calls, out, seed, page_size):
    rng = random.Random(seed)
    account = "AC" + "%032x" % rng.getrandbits(128)
    os.makedirs(out, exist_ok=True)
    records = []
    made = 0
    while made < calls:
        call_sid, t0, end, status, rec = twilio_call(rng, account)
        records.append(rec)
        made += 1
        # an inbound answered call is often bridged to an agent by <Dial>: a child leg
        if rec["direction"] == "inbound" and status == "completed" and rng.random() < 0.3 and made < calls:
            child = dict(rec)
            child_sid = sid(rng, "CA")
            child.update(sid=child_sid, parent_call_sid=call_sid, direction="outbound-dial",
                         uri=f"/2010-04-01/Accounts/{account}/Calls/{child_sid}.json",
                         subresource_uris={}, price=None)
            records.append(child)
            made += 1
    write_pages(records, out, page_size, lambda page, n, items: {
        "calls": items,
        "end": page * page_size + len(items) - 1,
        "first_page_uri": f"/2010-04-01/Accounts/{account}/Calls.json?PageSize={page_size}&Page=0",
        "next_page_uri": None if (page + 1) * page_size >= n else f"/2010-04-01/Accounts/{account}/Calls.json?PageSize={page_size}&Page={page + 1}",
        "page": page,
        "page_size": page_size,
        "previous_page_uri": None,
        "start": page * page_size,
        "uri": f"/2010-04-01/Accounts/{account}/Calls.json?PageSize={page_size}&Page={page}",
    })


def justcall_call(rng, i):
    t0 = start_instant(rng)
    direction = rng.choices(["Incoming", "Outgoing"], weights=[60, 40])[0]
    if direction == "Incoming":
        ctype = rng.choices(["Answered", "Missed", "Voicemail", "Abandoned before ringing"], weights=[70, 18, 9, 3])[0]
    else:
        ctype = rng.choices(["Answered", "Unanswered", "Abandoned before ringing"], weights=[68, 29, 3])[0]
    agent = rng.choice(AGENTS)
    queue_wait = rng.randint(0, 90) if direction == "Incoming" else 0
    ring = rng.randint(3, 30)
    conv = hold = wrap = 0
    if ctype == "Answered":
        conv = max(1, int(rng.lognormvariate(5.0, 0.85)))
        hold = rng.choice([0, 0, 0, rng.randint(5, 120)])
        wrap = rng.randint(0, 90)
    elif ctype == "Voicemail":
        conv = rng.randint(5, 60)
    total = conv + hold
    return {
        "id": 100000000 + i,
        "call_sid": "CA%032x" % rng.getrandbits(128),
        "contact_number": "+1415%07d" % rng.randrange(10**7),
        "contact_name": "",
        "contact_email": "",
        "justcall_number": "+1628%07d" % rng.randrange(100),
        "justcall_line_name": rng.choice(["Sales", "Support", "Billing"]),
        "agent_id": agent[0],
        "agent_name": agent[1],
        "agent_email": agent[2],
        "agent_active": "Yes",
        "call_date": t0.strftime("%Y-%m-%d"),
        "call_time": "%d:%02d:%02d" % (t0.hour, t0.minute, t0.second),
        "call_user_date": t0.strftime("%Y-%m-%d"),
        "call_user_time": t0.strftime("%H:%M:%S"),
        "cost_incurred": round(0.01 * (1 + total // 60), 2),
        "call_info": {
            "direction": direction,
            "type": ctype,
            "missed_call_reason": "Call was not picked by any agent" if ctype == "Missed" else "",
            "status": "Unarchived",
            "disposition": "",
            "notes": "",
            "rating": "",
            "recording": f"https://recordings.example.com/{i}.mp3" if conv else "",
            "recording_child": "",
            "voicemail_transcription": "",
            "call_traits": ["QUEUE"] if queue_wait else [],
        },
        "call_duration": {
            "friendly_duration": "%02d:%02d:%02d" % (total // 3600, total // 60 % 60, total % 60),
            "total_duration": total,
            "conversation_time": conv,
            "ring_time": ring,
            "hold_time": hold,
            "wrap_up_time": wrap,
            "handle_time": total + wrap,
            "queue_wait_time": queue_wait,
        },
    }


def justcall(calls, out, seed, page_size):
    rng = random.Random(seed)
    os.makedirs(out, exist_ok=True)
    records = [justcall_call(rng, i) for i in range(calls)]
    write_pages(records, out, page_size, lambda page, n, items: {
        "status": "success",
        "count": len(items),
        "current_page": page,
        "per_page": page_size,
        "data": items,
        "next_page_link": None if (page + 1) * page_size >= n else f"https://api.justcall.io/v2.1/calls?page={page + 1}&per_page={page_size}",
        "prev_page_link": None,
    })


def write_pages(records, out, page_size, envelope):
    n = len(records)
    for page in range(0, (n + page_size - 1) // page_size):
        items = records[page * page_size:(page + 1) * page_size]
        with open(os.path.join(out, "page-%05d.json" % page), "w") as f:
            json.dump(envelope(page, n, items), f, indent=2)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("provider", choices=["twilio", "justcall"])
    ap.add_argument("calls", type=int)
    ap.add_argument("out")
    ap.add_argument("--seed", type=int, default=20260302)
    ap.add_argument("--page-size", type=int, default=1000)
    a = ap.parse_args()
    (twilio if a.provider == "twilio" else justcall)(a.calls, a.out, a.seed, a.page_size)


if __name__ == "__main__":
    main()
