#!/usr/bin/env python3
"""Write callscope's demo data set: two weeks of calls of one (fictional) company, in the
native formats of six providers, into demo/data/.

    python3 demo/gen_demo.py [OUT_DIR]        # default: demo/data next to this script

Standard library only, fixed seed: the output is the same on every run (Python 3.9+,
`zoneinfo` with the system time-zone database, or the built-in US Eastern rule below).

Patterns: business hours in America/New_York (the period crosses the 2025-03-09 DST change),
a Monday peak and a late-morning / mid-afternoon peak, fewer calls on Saturday and Sunday,
more abandoned calls when the queue is busy, a pool of repeat callers, human agents in
queues, two voice-AI assistants, call summaries and transcripts that carry an intent
(English, some Spanish), a few duplicate page items and webhook retries, and three calls
still in progress at the end of the stream.

Formats (see PROVIDERS.md): Twilio REST Calls list pages (RFC 2822 dates, child legs),
JustCall v2.1 list pages, Vapi end-of-call-report and status-update webhooks (NDJSON),
Retell call_started / call_ended / call_analyzed webhooks (NDJSON), Asterisk cdr_csv
Master.csv (loguniqueid + loguserfield + newcdrcolumns, usegmtime=yes so times are UTC,
several rows per queue call), and the call-center event stream (NDJSON).
"""

import datetime as dt
import json
import math
import os
import random
import sys

SEED = 20250303
FIRST_DAY = dt.date(2025, 3, 3)  # a Monday
DAYS = 14
TENANT = "acme-dental"

try:
    from zoneinfo import ZoneInfo

    NY = ZoneInfo("America/New_York")
except Exception:  # no tz database: the US Eastern rule for March 2025
    NY = None

UTC = dt.timezone.utc


def local_to_utc(day, seconds_of_day):
    naive = dt.datetime.combine(day, dt.time()) + dt.timedelta(seconds=seconds_of_day)
    if NY is not None:
        return naive.replace(tzinfo=NY).astimezone(UTC)
    dst = naive >= dt.datetime(2025, 3, 9, 2, 0)
    return (naive + dt.timedelta(hours=4 if dst else 5)).replace(tzinfo=UTC)


def utc_to_local(t):
    if NY is not None:
        return t.astimezone(NY)
    dst = t >= dt.datetime(2025, 3, 9, 7, 0, tzinfo=UTC)
    return t.astimezone(dt.timezone(dt.timedelta(hours=-4 if dst else -5)))


R = random.Random(SEED)

# ---------------------------------------------------------------- people and numbers

FIRST = ["James", "Maria", "Robert", "Linda", "Michael", "Sofia", "David", "Aisha", "Daniel", "Emily",
         "Carlos", "Grace", "Kevin", "Priya", "Luis", "Hannah", "Omar", "Chloe", "Andre", "Mei",
         "Thomas", "Fatima", "Ryan", "Elena", "Samuel", "Nora", "Victor", "Julia", "Hassan", "Olivia"]
LAST = ["Smith", "Garcia", "Johnson", "Nguyen", "Brown", "Martinez", "Lee", "Patel", "Wilson", "Lopez",
        "Clark", "Khan", "Lewis", "Rivera", "Walker", "Hall", "Young", "Allen", "King", "Scott"]
AREAS = ["212", "646", "718", "917", "347", "201", "973", "516", "914", "631"]


def customer_pool(n):
    pool = []
    for i in range(n):
        number = "+1%s555%04d" % (R.choice(AREAS), 1000 + i)
        pool.append((number, "%s %s" % (R.choice(FIRST), R.choice(LAST))))
    return pool


CUSTOMERS = customer_pool(1400)
# Zipf-like weights: a few customers call often (repeat callers)
WEIGHTS = [1.0 / (i + 1) ** 0.55 for i in range(len(CUSTOMERS))]


def customer():
    return R.choices(CUSTOMERS, WEIGHTS)[0]


AGENTS = [
    # id, name, email, extension, queue
    ("101", "Ann Miller", "ann.miller@acme-dental.example", "201", "front-desk"),
    ("102", "Ben Carter", "ben.carter@acme-dental.example", "202", "front-desk"),
    ("103", "Chen Wei", "chen.wei@acme-dental.example", "203", "billing"),
    ("104", "Dana Ortiz", "dana.ortiz@acme-dental.example", "204", "billing"),
    ("105", "Eli Brooks", "eli.brooks@acme-dental.example", "205", "support"),
    ("106", "Farah Haddad", "farah.haddad@acme-dental.example", "206", "support"),
    ("107", "Gus Novak", "gus.novak@acme-dental.example", "207", "sales"),
    ("108", "Hana Sato", "hana.sato@acme-dental.example", "208", "sales"),
]
QUEUES = ["front-desk", "billing", "support", "sales"]
QUEUE_OF_INTENT = {
    "appointment": "front-desk", "inquiry": "front-desk", "callback-request": "front-desk",
    "billing": "billing", "account": "billing", "cancellation": "billing",
    "support": "support", "complaint": "support", "order-status": "support",
    "pricing": "sales", "purchase": "sales",
}


def agent_for(queue):
    return R.choice([a for a in AGENTS if a[4] == queue])


# ---------------------------------------------------------------- text with an intent

INTENT_WEIGHTS = [("support", 20), ("billing", 14), ("appointment", 14), ("order-status", 10),
                  ("pricing", 9), ("inquiry", 9), ("account", 6), ("complaint", 6),
                  ("cancellation", 5), ("purchase", 4), ("callback-request", 3)]

DAYNAMES = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"]

SUMMARIES = {
    "appointment": [
        "Caller wanted to book a cleaning appointment for {day} at {hour}. The appointment was scheduled and a confirmation text was sent.",
        "Patient asked to reschedule their appointment from {day} to next week; a new slot was confirmed.",
        "Customer called to confirm tomorrow's appointment time and asked what to bring.",
    ],
    "billing": [
        "Customer asked about a duplicate charge on the last invoice. The agent explained the billing cycle and issued a credit.",
        "Caller disputed a late fee on the March bill; the fee was waived as a one-time courtesy.",
        "Patient had questions about the insurance claim and the remaining balance on the invoice.",
    ],
    "pricing": [
        "Prospect asked how much teeth whitening costs and whether there is a discount for a family plan.",
        "Caller requested a price quote for braces and asked about monthly payment plans.",
        "New patient asked about the price of a check-up without insurance.",
    ],
    "support": [
        "Customer could not log in to the patient portal after a password reset; the agent walked them through it and the issue was resolved.",
        "Caller reported that the online booking page shows an error; troubleshooting did not help and a ticket was escalated to technical support.",
        "Patient could not find their x-ray results in the portal; the agent re-sent the documents by email.",
    ],
    "complaint": [
        "Customer was very unhappy about a long wait at the last visit and rude service at the front desk, and asked to speak to a manager.",
        "Caller complained that the promised callback never happened and the bill was wrong; frustrated and wants compensation.",
        "Patient is angry that the appointment was cancelled without notice; terrible experience, considering leaving.",
    ],
    "cancellation": [
        "Patient wants to cancel the membership plan at the end of the month because of cost; a discount was offered but the customer still cancelled.",
        "Caller asked to cancel their appointment and close the account.",
    ],
    "purchase": [
        "Caller wanted to order two electric toothbrush refill packs and paid by card over the phone.",
        "Customer decided to upgrade to the premium care plan and completed the purchase.",
    ],
    "order-status": [
        "Customer asked where their order of aligners is; tracking shows it is out for delivery today.",
        "Caller checked the shipping status of order {order}; it shipped yesterday and arrives Friday.",
    ],
    "account": [
        "Caller needed to update the email address and phone number on the account.",
        "Patient asked to add a family member to their account and reset the portal PIN.",
    ],
    "callback-request": [
        "Caller asked for a callback tomorrow morning from the treatment coordinator.",
        "Customer requested that the office manager call them back about the quote.",
    ],
    "inquiry": [
        "Caller asked about opening hours and whether the downtown office is open on Saturday.",
        "Prospect asked general questions about accepted insurance plans and parking near the office.",
    ],
}

SPANISH = {
    "appointment": "El paciente llamó para pedir una cita el {day} por la mañana; la cita quedó confirmada.",
    "billing": "La clienta preguntó por un cargo duplicado en la factura; se aplicó un crédito a su cuenta.",
    "support": "El cliente no podía entrar al portal de pacientes; el agente restableció la contraseña y el problema quedó resuelto.",
    "complaint": "El paciente se quejó de la larga espera y del mal servicio; está muy molesto y pide hablar con un gerente.",
}

OPENERS = {
    "appointment": "Hi, I'd like to book an appointment for a cleaning, maybe {day}?",
    "billing": "Hello, I have a question about a charge on my bill, I think I was charged twice.",
    "pricing": "Hi, how much does whitening cost? Do you have payment plans?",
    "support": "Hi, I can't log in to the patient portal, it keeps saying my password is wrong.",
    "complaint": "I'm really unhappy, I waited an hour last time and nobody called me back.",
    "cancellation": "I want to cancel my membership plan, it's too expensive for me.",
    "purchase": "I'd like to order more toothbrush refill packs please.",
    "order-status": "Hi, I'm calling about my order, where is it? It hasn't arrived.",
    "account": "I need to update the email address on my account.",
    "callback-request": "Can someone call me back tomorrow morning about the quote?",
    "inquiry": "Hi, what are your opening hours on Saturday?",
}
REPLIES = {
    "appointment": "Sure, I have {day} at {hour} available. Shall I book it?",
    "billing": "Let me check your invoice. I see the duplicate charge, I'll issue a credit.",
    "pricing": "Whitening is 350 dollars, and we offer monthly payment plans.",
    "support": "Let's reset your password. I've sent a link to your email.",
    "complaint": "I'm very sorry about that. Let me get a manager to help you.",
    "cancellation": "I can help with that. Before you go, could I offer you a discount?",
    "purchase": "Of course, two refill packs. I'll take your card details.",
    "order-status": "Your order shipped yesterday and arrives Friday.",
    "account": "Done, your email address is updated.",
    "callback-request": "Certainly, I've scheduled a callback for tomorrow at nine.",
    "inquiry": "We're open Saturday from nine to one.",
}
CLOSERS = {
    "complaint": "This is not good enough, I'm still upset.",
    "cancellation": "No thanks, please just cancel it.",
}


def fill(text):
    return text.format(day=R.choice(DAYNAMES), hour=R.choice(["9:30", "11:00", "2:15", "4:45"]),
                       order="A%05d" % R.randrange(100000))


def pick_intent():
    return R.choices([i for i, _ in INTENT_WEIGHTS], [w for _, w in INTENT_WEIGHTS])[0]


def conversation(intent, spanish=False):
    """(summary, [(speaker, text)]) for a call with this intent."""
    if spanish and intent in SPANISH:
        summary = fill(SPANISH[intent])
        turns = [("customer", "Hola, buenas tardes."), ("agent", "Buenas tardes, ¿en qué le puedo ayudar?"),
                 ("customer", summary)]
        return summary, turns
    summary = fill(R.choice(SUMMARIES[intent]))
    turns = [("agent", "Thank you for calling Acme Dental, how can I help you today?"),
             ("customer", fill(OPENERS[intent])), ("agent", fill(REPLIES[intent]))]
    turns.append(("customer", CLOSERS.get(intent, R.choice(["Great, thank you so much.", "Perfect, thanks.", "Okay, that works."]))))
    return summary, turns


# ---------------------------------------------------------------- arrivals

HOUR_PROFILE = {7: 0.25, 8: 0.7, 9: 1.0, 10: 1.35, 11: 1.3, 12: 0.85, 13: 0.95, 14: 1.25, 15: 1.15,
                16: 0.9, 17: 0.55, 18: 0.25, 19: 0.15, 20: 0.1}
DAY_FACTOR = [1.35, 1.1, 1.0, 1.0, 0.9, 0.35, 0.12]  # Monday peak, quiet weekend


def poisson(lam):
    # Knuth; lam is small
    limit, k, p = math.exp(-lam), 0, 1.0
    while True:
        p *= R.random()
        if p <= limit:
            return k
        k += 1


def arrivals(per_hour, hours=range(8, 18), weekend_hours=range(10, 15)):
    """(start instant UTC, busyness) pairs with the business-hours pattern; per_hour is the
    mean of a Wednesday 9:00 hour, busyness the hour's load relative to it."""
    out = []
    for d in range(DAYS):
        day = FIRST_DAY + dt.timedelta(days=d)
        wd = day.weekday()
        for hour in (hours if wd < 5 else weekend_hours):
            busy = DAY_FACTOR[wd] * HOUR_PROFILE.get(hour, 0.1)
            for _ in range(poisson(per_hour * busy)):
                out.append((local_to_utc(day, hour * 3600 + R.randrange(3600)), busy))
    out.sort()
    return out


def lognormal(median, sigma, lo, hi):
    return max(lo, min(hi, int(round(median * math.exp(R.gauss(0, sigma))))))


def human_inbound_fate(load):
    """(kind, wait_s, talk_s) for an inbound call to human agents; busier hours abandon more."""
    p_missed = 0.06 + 0.10 * max(0.0, load - 0.9)
    x = R.random()
    if x < p_missed:
        return "missed", lognormal(35, 0.7, 4, 240), 0
    if x < p_missed + 0.07:
        return "voicemail", lognormal(25, 0.3, 15, 40), lognormal(35, 0.5, 8, 120)
    if x < p_missed + 0.085:
        return "abandoned-before-ring", R.randrange(1, 4), 0
    wait = lognormal(9 + 25 * max(0.0, load - 0.9), 0.6, 2, 300)
    return "answered", wait, lognormal(190, 0.7, 12, 2400)


def human_outbound_fate():
    x = R.random()
    if x < 0.56:
        return "answered", lognormal(12, 0.3, 4, 40), lognormal(150, 0.8, 10, 1800)
    if x < 0.80:
        return "unanswered", lognormal(28, 0.2, 15, 45), 0
    if x < 0.92:
        return "voicemail", lognormal(22, 0.2, 12, 35), lognormal(25, 0.5, 6, 90)
    if x < 0.98:
        return "busy", R.randrange(2, 8), 0
    return "failed", 0, 0


def iso_ms(t):
    return t.strftime("%Y-%m-%dT%H:%M:%S.") + "%03dZ" % (t.microsecond // 1000)


def epoch_ms(t):
    return int(round(t.timestamp() * 1000))


def rfc2822(t):
    return t.strftime("%a, %d %b %Y %H:%M:%S +0000")


def sid(prefix, n=32):
    return prefix + "".join(R.choice("0123456789abcdef") for _ in range(n))


def write_json(path, value):
    with open(path, "w", encoding="utf-8") as f:
        json.dump(value, f, ensure_ascii=False, separators=(",", ":"))
        f.write("\n")


def write_lines(path, values):
    with open(path, "w", encoding="utf-8") as f:
        for v in values:
            f.write(json.dumps(v, ensure_ascii=False, separators=(",", ":")) + "\n")


# ---------------------------------------------------------------- Twilio

def twilio(out):
    account = "AC" + "4f" * 16
    business = "+12125550142"
    calls = []
    for start, load in arrivals(5.5):
        cust, _name = customer()
        inbound = R.random() < 0.7
        if inbound:
            kind, wait, talk = human_inbound_fate(load)
            status = {"answered": "completed", "voicemail": "completed", "missed": "no-answer",
                      "abandoned-before-ring": "canceled"}[kind]
            answered_by = None
        else:
            kind, wait, talk = human_outbound_fate()
            status = {"answered": "completed", "voicemail": "completed", "unanswered": "no-answer",
                      "busy": "busy", "failed": "failed"}[kind]
            answered_by = {"answered": "human", "voicemail": "machine_end_beep"}.get(kind)
        end = start + dt.timedelta(seconds=wait + talk)
        parent = {
            "account_sid": account, "annotation": None, "answered_by": answered_by,
            "api_version": "2010-04-01", "caller_name": None,
            "date_created": rfc2822(start), "date_updated": rfc2822(end + dt.timedelta(seconds=1)),
            "direction": "inbound" if inbound else "outbound-api",
            "duration": str(talk) if status == "completed" else "0",
            "end_time": rfc2822(end), "forwarded_from": business if inbound else None,
            "from": cust if inbound else business, "from_formatted": cust if inbound else business,
            "group_sid": None, "parent_call_sid": None, "phone_number_sid": "PN" + "7a" * 16,
            "price": ("-%.5f" % (0.0085 * max(1, math.ceil(talk / 60)))) if talk else None,
            "price_unit": "USD", "sid": sid("CA"), "start_time": rfc2822(start), "status": status,
            "queue_time": "0", "to": business if inbound else cust,
            "to_formatted": business if inbound else cust, "trunk_sid": None,
        }
        calls.append(parent)
        if inbound and kind in ("answered", "missed") and R.random() < 0.6:
            # the <Dial> leg to the agent's browser client
            agent = agent_for(R.choice(QUEUES))
            leg_start = start + dt.timedelta(seconds=min(wait, 2))
            child = dict(parent, sid=sid("CA"), parent_call_sid=parent["sid"], direction="outbound-dial",
                         to="client:" + agent[2].split("@")[0], to_formatted="client:" + agent[2].split("@")[0],
                         **{"from": business, "from_formatted": business},
                         start_time=rfc2822(leg_start), date_created=rfc2822(leg_start),
                         status="completed" if kind == "answered" else "no-answer",
                         duration=str(talk) if kind == "answered" else "0", price=None, forwarded_from=None)
            calls.append(child)
    calls.sort(key=lambda c: dt.datetime.strptime(c["date_created"], "%a, %d %b %Y %H:%M:%S +0000"), reverse=True)
    size = 50
    base = "/2010-04-01/Accounts/%s/Calls.json" % account
    pages = [calls[i:i + size] for i in range(0, len(calls), size)]
    os.makedirs(os.path.join(out, "twilio"), exist_ok=True)
    for n, page in enumerate(pages):
        for c in page:
            c["uri"] = "/2010-04-01/Accounts/%s/Calls/%s.json" % (account, c["sid"])
            c["subresource_uris"] = {"recordings": "/2010-04-01/Accounts/%s/Calls/%s/Recordings.json" % (account, c["sid"])}
        doc = {"calls": page, "end": n * size + len(page) - 1, "first_page_uri": base + "?PageSize=%d&Page=0" % size,
               "next_page_uri": (base + "?PageSize=%d&Page=%d&PageToken=PA%s" % (size, n + 1, page[-1]["sid"])) if n + 1 < len(pages) else None,
               "page": n, "page_size": size,
               "previous_page_uri": (base + "?PageSize=%d&Page=%d" % (size, n - 1)) if n else None,
               "start": n * size, "uri": base + "?PageSize=%d&Page=%d" % (size, n)}
        write_json(os.path.join(out, "twilio", "calls_page_%02d.json" % n), doc)
    return len([c for c in calls if c["parent_call_sid"] is None]), len(calls)


# ---------------------------------------------------------------- JustCall v2.1

def justcall(out):
    business, line = "+16465550187", "Acme Dental Main"
    rows = []
    next_id = 880_000_000
    for start, load in arrivals(5.0):
        next_id += R.randrange(3, 40)
        cust, name = customer()
        intent = pick_intent()
        queue = QUEUE_OF_INTENT[intent]
        agent = agent_for(queue)
        inbound = R.random() < 0.72
        if inbound:
            kind, wait, talk = human_inbound_fate(load)
            ctype = {"answered": "Answered", "missed": "Missed", "voicemail": "Voicemail",
                     "abandoned-before-ring": "Abandoned before ringing"}[kind]
        else:
            kind, wait, talk = human_outbound_fate()
            ctype = {"answered": "Answered", "unanswered": "Unanswered", "voicemail": "Unanswered",
                     "busy": "Unanswered", "failed": "Abandoned before ringing"}[kind]
            if kind == "voicemail":
                talk = 0
        queue_wait = min(wait, R.randrange(0, 30)) if inbound and kind != "abandoned-before-ring" else 0
        ring = wait - queue_wait
        hold = R.choice([0, 0, 0, 0, 15, 40, 90]) if kind == "answered" else 0
        hold = min(hold, talk // 3)
        conv = talk - hold
        wrap = R.randrange(10, 120) if kind == "answered" else 0
        total = conv + hold
        user_t = utc_to_local(start)
        summary = turns = None
        if kind == "answered":
            summary, turns = conversation(intent, spanish=R.random() < 0.05)
        rec = {
            "id": next_id, "call_sid": sid("CA"), "contact_number": cust, "contact_name": name,
            "contact_email": "", "justcall_number": business, "justcall_line_name": line,
            "agent_id": int(agent[0]), "agent_name": agent[1], "agent_email": agent[2], "agent_active": "true",
            "call_date": start.strftime("%Y-%m-%d"),
            "call_time": "%d:%02d:%02d" % (start.hour, start.minute, start.second),
            "call_user_date": user_t.strftime("%Y-%m-%d"), "call_user_time": user_t.strftime("%H:%M:%S"),
            "cost_incurred": round(0.013 * max(1, math.ceil(total / 60)), 3) if total else 0,
            "call_info": {
                "direction": "Incoming" if inbound else "Outgoing", "type": ctype,
                "missed_call_reason": R.choice(["Call was not picked by any agent", "Call never rang any of the available agents"]) if kind == "missed" else "",
                "status": "Unarchived",
                "disposition": R.choice(["Resolved", "Follow-up needed", "Information given"]) if kind == "answered" else "",
                "notes": summary if summary and R.random() < 0.3 else "",
                "rating": "", "recording": ("/recordings/justcall/%d.mp3" % next_id) if kind == "answered" else "",
                "recording_child": "", "voicemail_transcription": "Hi, please call me back about my appointment." if ctype == "Voicemail" else "",
                "call_traits": ["QUEUE"] if inbound else [],
            },
            "call_duration": {
                "friendly_duration": "%02d:%02d:%02d" % (total // 3600, total // 60 % 60, total % 60),
                "total_duration": total, "conversation_time": conv, "ring_time": ring, "hold_time": hold,
                "wrap_up_time": wrap, "handle_time": total + wrap, "queue_wait_time": queue_wait,
            },
        }
        if inbound:
            rec["queue"] = {"queue_name": queue, "queue_wait_time": queue_wait}
        if summary and R.random() < 0.6:
            rec["justcall_ai"] = {"call_summary": summary,
                                  "customer_sentiment": "Negative" if intent == "complaint" else R.choice(["Positive", "Neutral"])}
        rows.append(rec)
    rows.sort(key=lambda r: r["id"], reverse=True)
    per_page = 100
    os.makedirs(os.path.join(out, "justcall"), exist_ok=True)
    pages = [rows[i:i + per_page] for i in range(0, len(rows), per_page)]
    duplicates = 0
    for n, page in enumerate(pages):
        data = list(page)
        if n > 0 and n % 2 == 0:
            # pagination drift: the last call of the previous page is served again
            data.insert(0, pages[n - 1][-1])
            duplicates += 1
        doc = {"status": "success", "count": len(data), "current_page": n, "per_page": per_page, "data": data,
               "next_page_link": "/v2.1/calls?page=%d&per_page=%d" % (n + 1, per_page) if n + 1 < len(pages) else None,
               "prev_page_link": "/v2.1/calls?page=%d&per_page=%d" % (n - 1, per_page) if n else None}
        write_json(os.path.join(out, "justcall", "calls_page_%02d.json" % n), doc)
    return len(rows), duplicates


# ---------------------------------------------------------------- Vapi

VAPI_ASSISTANTS = [("asst_7f1c2a90", "Riley - Front Desk"), ("asst_93be04d1", "Max - Billing")]


def vapi(out):
    org = "org_2c5d8e41-6a7b-4c1d-9e0f-123456789abc"
    phone = {"id": "pn_0b6c9d2e", "number": "+17185550163"}
    lines = []
    for start, _load in arrivals(3.4, hours=range(7, 21), weekend_hours=range(9, 18)):
        cust, name = customer()
        intent = pick_intent()
        asst = VAPI_ASSISTANTS[0] if intent in ("appointment", "inquiry", "callback-request", "order-status", "support") else VAPI_ASSISTANTS[1]
        outbound = R.random() < 0.15
        ring = R.randrange(2, 9)
        x = R.random()
        if outbound and x < 0.25:
            reason = R.choice(["customer-did-not-answer", "customer-did-not-answer", "customer-busy", "voicemail"])
        elif x < 0.012:
            reason = "twilio-failed-to-connect-call"
        else:
            reason = R.choices(
                ["customer-ended-call", "assistant-ended-call", "assistant-said-end-call-phrase",
                 "assistant-forwarded-call", "silence-timed-out", "exceeded-max-duration",
                 "pipeline-error-openai-llm-failed", "call.in-progress.error-vapifault-openai-llm-failed"],
                [58, 14, 6, 10, 7, 1, 2, 1])[0]
        connected = reason not in ("customer-did-not-answer", "customer-busy", "twilio-failed-to-connect-call")
        talk = 0
        if connected:
            talk = {"exceeded-max-duration": 600, "silence-timed-out": lognormal(40, 0.4, 20, 120),
                    "voicemail": lognormal(20, 0.3, 8, 40)}.get(reason, lognormal(140, 0.6, 15, 590))
        created = start
        started = created + dt.timedelta(seconds=ring) if connected else None
        ended = (started + dt.timedelta(seconds=talk)) if connected else created + dt.timedelta(seconds=ring + (25 if reason == "customer-did-not-answer" else 1))
        call_id = "%08x-%04x-4%03x-a%03x-%012x" % (R.getrandbits(32), R.getrandbits(16), R.getrandbits(12), R.getrandbits(12), R.getrandbits(48))
        call = {"id": call_id, "orgId": org, "createdAt": iso_ms(created), "updatedAt": iso_ms(created),
                "type": "outboundPhoneCall" if outbound else "inboundPhoneCall", "status": "queued",
                "assistantId": asst[0], "phoneNumberId": phone["id"], "phoneCallProvider": "twilio",
                "phoneCallTransport": "pstn", "customer": {"number": cust}}
        if connected and R.random() < 0.15:
            lines.append((started, {"message": {"type": "status-update", "status": "in-progress",
                                                "timestamp": epoch_ms(started), "call": dict(call, status="in-progress", startedAt=iso_ms(started)),
                                                "assistant": {"id": asst[0], "name": asst[1]}, "customer": {"number": cust}, "phoneNumber": phone}}))
        msg = {"type": "end-of-call-report", "timestamp": epoch_ms(ended) + R.randrange(200, 1500), "endedReason": reason,
               "call": call, "assistant": {"id": asst[0], "name": asst[1]}, "customer": {"number": cust, "name": name},
               "phoneNumber": phone, "endedAt": iso_ms(ended)}
        if connected:
            summary, turns = conversation(intent, spanish=R.random() < 0.06)
            if reason in ("silence-timed-out", "voicemail"):
                summary = "The caller did not respond and the call ended." if reason == "silence-timed-out" else "Reached voicemail; left a short message asking for a callback."
                turns = turns[:1]
            base = epoch_ms(started)
            msgs, t = [], 1.0
            for speaker, text in turns:
                dur = max(1.0, len(text) / 14.0)
                msgs.append({"role": "bot" if speaker == "agent" else "user", "message": text,
                             "time": base + int(t * 1000), "endTime": base + int((t + dur) * 1000),
                             "secondsFromStart": round(t, 2), "duration": int(dur * 1000)})
                t += dur + 0.8
            transcript = "\n".join(("AI: " if s == "agent" else "User: ") + x for s, x in turns)
            cost = round(0.05 + 0.11 * talk / 60, 4)
            analysis = {"summary": summary, "successEvaluation": "true" if reason in ("customer-ended-call", "assistant-ended-call", "assistant-said-end-call-phrase") else "false"}
            if R.random() < 0.3:
                analysis["structuredData"] = {"intent": intent}
            msg.update({"startedAt": iso_ms(started), "durationSeconds": float(talk), "durationMs": talk * 1000,
                        "cost": cost, "costBreakdown": {"transport": round(0.01 * talk / 60, 4), "stt": round(0.01 * talk / 60, 4),
                                                        "llm": round(0.02 * talk / 60, 4), "tts": round(0.03 * talk / 60, 4),
                                                        "vapi": round(0.05 * talk / 60, 4), "total": cost},
                        "summary": summary, "transcript": transcript, "recordingUrl": "/recordings/vapi/%s.wav" % call_id,
                        "analysis": analysis, "artifact": {"messages": msgs, "transcript": transcript,
                                                           "recordingUrl": "/recordings/vapi/%s.wav" % call_id}})
        else:
            msg.update({"cost": 0, "analysis": {}, "artifact": {"messages": [], "transcript": ""}})
        lines.append((ended, {"message": msg}))
    lines.sort(key=lambda p: p[0])
    os.makedirs(os.path.join(out, "vapi"), exist_ok=True)
    write_lines(os.path.join(out, "vapi", "webhooks.ndjson"), [v for _, v in lines])
    return sum(1 for _, v in lines if v["message"]["type"] == "end-of-call-report"), len(lines)


# ---------------------------------------------------------------- Retell

RETELL_AGENTS = [("agent_4d1e8f0b2c", "Ava - Appointments"), ("agent_9a7c3e5d1f", "Leo - Collections")]


def retell(out):
    business = "+19175550119"
    events = []
    retries = 0
    for start, _load in arrivals(2.7, hours=range(8, 20), weekend_hours=range(10, 16)):
        cust, _name = customer()
        outbound = R.random() < 0.35
        agent = RETELL_AGENTS[1] if outbound else RETELL_AGENTS[0]
        intent = R.choice(["billing", "billing", "callback-request", "account"]) if outbound else R.choice(["appointment", "appointment", "inquiry", "cancellation", "support"])
        x = R.random()
        if outbound and x < 0.22:
            reason = R.choice(["dial_no_answer", "dial_no_answer", "dial_busy", "user_declined", "voicemail_reached"])
        else:
            reason = R.choices(["user_hangup", "agent_hangup", "call_transfer", "inactivity", "max_duration_reached",
                                "error_llm_websocket_lost_connection"], [60, 22, 9, 6, 1, 2])[0]
        connected = reason not in ("dial_no_answer", "dial_busy", "user_declined")
        talk = 0
        if connected:
            talk = {"max_duration_reached": 900, "inactivity": lognormal(45, 0.3, 20, 90),
                    "voicemail_reached": lognormal(18, 0.3, 8, 30)}.get(reason, lognormal(120, 0.6, 12, 800))
        ring = R.randrange(3, 20) if outbound else 1
        begin = start + dt.timedelta(seconds=ring if connected else 0)
        end = begin + dt.timedelta(seconds=talk if connected else ring + 20)
        call = {"call_id": "call_%032x" % R.getrandbits(128), "agent_id": agent[0], "agent_name": agent[1], "agent_version": 7,
                "call_type": "phone_call", "direction": "outbound" if outbound else "inbound",
                "from_number": business if outbound else cust, "to_number": cust if outbound else business,
                "metadata": {"tenant": TENANT}, "retell_llm_dynamic_variables": {}}
        if connected:
            events.append((begin, {"event": "call_started", "call": dict(call, call_status="ongoing", start_timestamp=epoch_ms(begin))}))
        ended = dict(call, call_status="ended" if connected else "not_connected",
                     start_timestamp=epoch_ms(begin), end_timestamp=epoch_ms(end),
                     duration_ms=talk * 1000 if connected else 0, disconnection_reason=reason,
                     call_cost={"combined_cost": round(7.0 * talk / 60, 2), "total_duration_seconds": talk})
        if reason.startswith("error_"):
            ended["call_status"] = "error"
        summary = None
        if connected:
            summary, turns = conversation(intent, spanish=R.random() < 0.05)
            if reason == "voicemail_reached":
                summary, turns = "The call reached voicemail and the agent left a message.", turns[:1]
            ended["transcript"] = "\n".join(("Agent: " if s == "agent" else "User: ") + t for s, t in turns)
            ended["recording_url"] = "/recordings/retell/%s.wav" % call["call_id"]
        events.append((end, {"event": "call_ended", "call": ended}))
        if connected:
            sentiment = "Negative" if intent == "complaint" or reason == "inactivity" else R.choice(["Positive", "Neutral", "Positive"])
            analyzed = dict(ended, call_analysis={"call_summary": summary, "user_sentiment": sentiment,
                                                   "call_successful": reason in ("user_hangup", "agent_hangup", "call_transfer"),
                                                   "in_voicemail": reason == "voicemail_reached", "custom_analysis_data": {}})
            at = end + dt.timedelta(seconds=R.randrange(5, 40))
            events.append((at, {"event": "call_analyzed", "call": analyzed}))
            if R.random() < 0.02:
                # a webhook retry: the same event delivered again later
                events.append((at + dt.timedelta(seconds=10), {"event": "call_analyzed", "call": analyzed}))
                retries += 1
    events.sort(key=lambda p: p[0])
    # a few deliveries arrive out of order (analyzed before ended)
    for i in range(5, len(events) - 1, 97):
        events[i], events[i + 1] = events[i + 1], events[i]
    os.makedirs(os.path.join(out, "retell"), exist_ok=True)
    write_lines(os.path.join(out, "retell", "webhooks.ndjson"), [v for _, v in events])
    return sum(1 for _, v in events if v["event"] == "call_ended"), len(events), retries


# ---------------------------------------------------------------- Asterisk cdr_csv

def asterisk(out):
    rows = []
    seq = [1000]
    base_epoch = [0]

    def q(s):
        return '"' + s.replace('"', '""') + '"'

    def stamp(t):
        return q(t.strftime("%Y-%m-%d %H:%M:%S")) if t else ""

    def row(src, dst, dcontext, clid, channel, dstchannel, lastapp, lastdata, start, answer, end, disposition, uniqueid, linkedid, userfield=""):
        seq[0] += 1
        duration = int((end - start).total_seconds())
        billsec = int((end - answer).total_seconds()) if answer else 0
        cols = [q(""), q(src), q(dst), q(dcontext), q(clid), q(channel), q(dstchannel), q(lastapp), q(lastdata),
                stamp(start), stamp(answer), stamp(end), str(duration), str(billsec), q(disposition),
                q("DOCUMENTATION"), q(uniqueid), q(userfield), q(""), q(linkedid), str(seq[0])]
        rows.append((start, ",".join(cols)))

    def chan(tech_name):
        return "PJSIP/%s-%08x" % (tech_name, R.getrandbits(32))

    calls = 0
    for start, load in arrivals(4.0):
        calls += 1
        start = start.replace(microsecond=0)
        epoch = int(start.timestamp())
        uid = "%d.%d" % (epoch, calls * 10)

        def leg(i):
            return "%d.%d" % (epoch, calls * 10 + i + 1)

        cust, name = customer()
        digits = cust.lstrip("+")
        if R.random() < 0.75:
            # inbound through a queue that rings the queue's agents
            queue = R.choice(QUEUES)
            kind, wait, talk = human_inbound_fate(load)
            trunk = chan("trunk-voip")
            clid = '"%s" <%s>' % (name, digits)
            members = [a for a in AGENTS if a[4] == queue]
            end = start + dt.timedelta(seconds=wait + talk)
            if kind == "answered":
                winner = R.choice(members)
                answer = start + dt.timedelta(seconds=wait)
                for a in members:
                    won = a is winner
                    row(digits, "6%02d" % QUEUES.index(queue), "from-pstn", clid, trunk, chan(a[3]), "Queue", "%s,t,,,300" % queue,
                        start, answer if won else None, end if won else answer, "ANSWERED" if won else "NO ANSWER",
                        uid if won else leg(members.index(a)), uid)
            elif kind == "voicemail":
                ring_end = start + dt.timedelta(seconds=wait)
                for a in members:
                    row(digits, "6%02d" % QUEUES.index(queue), "from-pstn", clid, trunk, chan(a[3]), "Queue", "%s,t,,,300" % queue,
                        start, None, ring_end, "NO ANSWER", leg(members.index(a)), uid)
                row(digits, "*%s" % members[0][3], "from-pstn", clid, trunk, "", "VoiceMail", "%s@default,u" % members[0][3],
                    ring_end, ring_end, end, "ANSWERED", uid, uid)
            else:
                for a in members:
                    row(digits, "6%02d" % QUEUES.index(queue), "from-pstn", clid, trunk, chan(a[3]), "Queue", "%s,t,,,300" % queue,
                        start, None, end, "NO ANSWER", leg(members.index(a)) if members.index(a) else uid, uid)
        else:
            agent = R.choice(AGENTS)
            kind, wait, talk = human_outbound_fate()
            disposition = {"answered": "ANSWERED", "voicemail": "ANSWERED", "unanswered": "NO ANSWER", "busy": "BUSY", "failed": "FAILED"}[kind]
            end = start + dt.timedelta(seconds=wait + talk)
            answer = start + dt.timedelta(seconds=wait) if disposition == "ANSWERED" else None
            row(agent[3], digits, "from-internal", '"%s" <%s>' % (agent[1], agent[3]), chan(agent[3]),
                chan("trunk-voip") if kind != "failed" else "", "Dial", "PJSIP/%s@trunk-voip,60" % digits,
                start, answer, end, disposition, uid, uid)
    rows.sort(key=lambda r: r[0])
    os.makedirs(os.path.join(out, "asterisk"), exist_ok=True)
    with open(os.path.join(out, "asterisk", "Master.csv"), "w", encoding="utf-8") as f:
        for _, line in rows:
            f.write(line + "\n")
    return calls, len(rows)


# ---------------------------------------------------------------- call-center event stream

def callcenter(out):
    events = []
    calls = 0
    status_of = {a[0]: "available" for a in AGENTS}

    def ev(t, name, data):
        events.append((t, {"event": name, "timestamp": iso_ms(t), "data": data}))

    for d in range(DAYS):
        day = FIRST_DAY + dt.timedelta(days=d)
        if day.weekday() < 5:
            for a in AGENTS:
                ev(local_to_utc(day, 7 * 3600 + 50 * 60 + R.randrange(600)), "agent:status", {"agentId": "a-" + a[0], "status": "available"})
                ev(local_to_utc(day, 12 * 3600 + R.randrange(3600)), "agent:status", {"agentId": "a-" + a[0], "status": "break"})
    for start, load in arrivals(4.3):
        calls += 1
        call_id = "cc-%05d" % calls
        cust, name = customer()
        intent = pick_intent()
        queue = QUEUE_OF_INTENT[intent]
        kind, wait, talk = human_inbound_fate(load)
        ev(start, "call:new", {"callId": call_id, "callerNumber": cust, "callerName": name, "status": "waiting",
                               "department": "general", "direction": "inbound", "tenantId": TENANT})
        routed = start + dt.timedelta(seconds=min(wait, R.randrange(2, 8)))
        if kind != "abandoned-before-ring":
            ev(routed, "call:routed", {"callId": call_id, "department": queue, "status": "ringing"})
        end = start + dt.timedelta(seconds=wait + talk)
        if kind == "answered":
            agent = agent_for(queue)
            answer = start + dt.timedelta(seconds=wait)
            ev(answer, "call:updated", {"callId": call_id, "status": "in-progress", "agentId": "a-" + agent[0],
                                        "agentName": agent[1], "agentEmail": agent[2]})
            ev(answer, "agent:status", {"agentId": "a-" + agent[0], "status": "busy"})
            reason = R.choices(["customer-hangup", "agent-hangup", "transferred"], [60, 30, 10])[0]
            if reason == "transferred":
                target = R.choice([q_ for q_ in QUEUES if q_ != queue])
                ev(answer + dt.timedelta(seconds=talk // 2), "call:transferred",
                   {"callId": call_id, "fromDepartment": queue, "toDepartment": target, "status": "in-progress"})
            summary, _turns = conversation(intent, spanish=R.random() < 0.04)
            ev(end, "call:ended", {"callId": call_id, "duration": wait + talk, "status": "completed",
                                   "endReason": reason, "summary": summary})
            ev(end + dt.timedelta(seconds=R.randrange(20, 90)), "agent:status", {"agentId": "a-" + agent[0], "status": "available"})
            if R.random() < 0.2:
                ev(end + dt.timedelta(seconds=30), "ticket:created", {"ticketId": "t-%05d" % calls, "callId": call_id,
                                                                      "subject": intent.replace("-", " ")})
        else:
            status = {"missed": "abandoned", "voicemail": "voicemail", "abandoned-before-ring": "abandoned"}[kind]
            ev(end, "call:ended", {"callId": call_id, "duration": wait + talk, "status": status,
                                   "endReason": "abandoned" if status == "abandoned" else "voicemail"})
        if R.random() < 0.01:
            ev(start + dt.timedelta(seconds=5), "message:new", {"messageId": "m-%05d" % calls, "text": "Is the office open today?"})
    # three calls still in progress at the end of the stream
    last = FIRST_DAY + dt.timedelta(days=DAYS - 1)
    for i, (offset, answered) in enumerate([(14 * 3600 + 55 * 60, True), (14 * 3600 + 57 * 60, True), (14 * 3600 + 58 * 60 + 30, False)]):
        calls += 1
        call_id = "cc-%05d" % calls
        cust, name = customer()
        t0 = local_to_utc(last, offset)
        ev(t0, "call:new", {"callId": call_id, "callerNumber": cust, "callerName": name, "status": "waiting",
                            "department": "general", "direction": "inbound", "tenantId": TENANT})
        ev(t0 + dt.timedelta(seconds=4), "call:routed", {"callId": call_id, "department": QUEUES[i], "status": "ringing"})
        if answered:
            agent = agent_for(QUEUES[i])
            ev(t0 + dt.timedelta(seconds=15), "call:updated", {"callId": call_id, "status": "in-progress", "agentId": "a-" + agent[0],
                                                               "agentName": agent[1], "agentEmail": agent[2]})
    events.sort(key=lambda p: p[0])
    os.makedirs(os.path.join(out, "callcenter"), exist_ok=True)
    write_lines(os.path.join(out, "callcenter", "events.ndjson"), [v for _, v in events])
    del status_of
    return calls, len(events)


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(os.path.abspath(__file__)), "data")
    os.makedirs(out, exist_ok=True)
    stats = {
        "twilio (parent calls, list items)": twilio(out),
        "justcall (calls, duplicated page items)": justcall(out),
        "vapi (calls, webhook lines)": vapi(out),
        "retell (calls, webhook lines, retries)": retell(out),
        "asterisk (calls, CDR rows)": asterisk(out),
        "callcenter (calls, event lines)": callcenter(out),
    }
    total = 0
    for name, value in stats.items():
        print("%-42s %s" % (name, value))
        total += value[0]
    print("%-42s %d" % ("calls in all", total))


if __name__ == "__main__":
    main()
