//! The typed fast lane of Twilio REST and JustCall v2.1 documents gives exactly what the
//! general `serde_json::Value` path gives: records, the ingest report (warnings, rejections,
//! unknown words) and the SPEC 6 report, on the fixtures, on generated pages and on randomized
//! call objects, in every input layout (whole document, array, NDJSON) and mode.
#![allow(clippy::unwrap_used)]

use callscope::analytics::AnalyticsOptions;
use callscope::ingest::{IngestOptions, Ingested, Ingestor};
use callscope::model::Provider;
use proptest::prelude::*;
use serde_json::{Value, json};

/// A small deterministic generator (64-bit LCG): the same seed, the same data.
struct Gen(u64);

impl Gen {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0 >> 33
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn pick<T: Clone>(&mut self, items: &[T]) -> T {
        items[self.below(items.len() as u64) as usize].clone()
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
    fn sid(&mut self, prefix: &str) -> String {
        format!("{prefix}{:016x}{:016x}", self.next(), self.next())
    }
    fn number(&mut self, area: &str) -> String {
        format!("+1{area}{:07}", self.below(10_000_000))
    }
}

const DAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];

fn rfc2822(day: u64, secs: u64) -> String {
    let (h, m, s) = (secs / 3600 % 24, secs / 60 % 60, secs % 60);
    format!(
        "{}, {:02} Mar 2026 {h:02}:{m:02}:{s:02} +0000",
        DAYS[(day % 7) as usize],
        2 + day
    )
}

/// Put `value` at `key`, or leave the key out, or write null, as the generator decides.
fn put(g: &mut Gen, obj: &mut serde_json::Map<String, Value>, key: &str, value: Value, odd: bool) {
    if odd && g.chance(8) {
        return;
    }
    if odd && g.chance(5) {
        obj.insert(key.into(), Value::Null);
        return;
    }
    obj.insert(key.into(), value);
}

/// A value of an unexpected kind (for `odd` calls).
fn odd_value(g: &mut Gen) -> Value {
    g.pick(&[
        json!(""),
        json!("   "),
        json!(12),
        json!(-3.5),
        json!(true),
        json!([1, "a"]),
        json!({"x": 1}),
        json!("not a value"),
        json!("-7"),
        json!(1e300),
    ])
}

/// One Twilio Call resource (and maybe a `<Dial>` child leg of it).
fn twilio_calls(g: &mut Gen, odd: bool) -> Vec<Value> {
    let account = "AC0123456789abcdef0123456789abcdef";
    let direction = g.pick(&[
        "inbound",
        "inbound",
        "outbound-api",
        "outbound-dial",
        "trunking-originating",
        "trunking-terminating",
    ]);
    let status = g.pick(&[
        "completed",
        "completed",
        "no-answer",
        "busy",
        "failed",
        "canceled",
        "queued",
        "initiated",
        "ringing",
        "in-progress",
    ]);
    let day = g.below(14);
    let start = g.below(86_000);
    let talk = g.below(900);
    let end = start + talk + g.below(30);
    let sid = g.sid("CA");
    let (a, b) = (g.number("415"), g.number("628"));
    let mut o = serde_json::Map::new();
    o.insert("account_sid".into(), json!(account));
    put(g, &mut o, "annotation", Value::Null, odd);
    let answered = g.pick(&[
        Value::Null,
        json!("human"),
        json!("machine_start"),
        json!("machine_end_beep"),
        json!("machine_end_silence"),
        json!("fax"),
        json!("unknown"),
    ]);
    put(g, &mut o, "answered_by", answered.clone(), odd);
    o.insert("api_version".into(), json!("2010-04-01"));
    let caller_name = if g.chance(30) {
        json!("Ann \"Q\" O'Brien \\ caf\u{e9} [x] {y}")
    } else {
        Value::Null
    };
    put(g, &mut o, "caller_name", caller_name, odd);
    o.insert("date_created".into(), json!(rfc2822(day, start)));
    o.insert("date_updated".into(), json!(rfc2822(day, end)));
    put(g, &mut o, "direction", json!(direction), odd);
    let duration = match g.below(4) {
        0 => json!(talk),
        1 if odd => Value::Null,
        _ => json!(talk.to_string()),
    };
    put(g, &mut o, "duration", duration, odd);
    let end_time = if g.chance(10) {
        Value::Null
    } else {
        json!(rfc2822(day, end))
    };
    put(g, &mut o, "end_time", end_time, odd);
    o.insert("forwarded_from".into(), Value::Null);
    let to_client = g.chance(15);
    let (from, to) = match direction {
        "inbound" | "trunking-originating" => (a.clone(), b.clone()),
        _ if to_client => (b.clone(), "client:alice".to_string()),
        _ => (b.clone(), a.clone()),
    };
    put(g, &mut o, "from", json!(from), odd);
    o.insert("from_formatted".into(), json!("(415) 555-0100"));
    o.insert("parent_call_sid".into(), Value::Null);
    o.insert("phone_number_sid".into(), json!(g.sid("PN")));
    let price = match g.below(4) {
        0 => Value::Null,
        1 => json!(-0.0085),
        _ => json!(format!("-{:.5}", 0.0085 * (1 + talk / 60) as f64)),
    };
    put(g, &mut o, "price", price, odd);
    o.insert("price_unit".into(), json!("USD"));
    o.insert("sid".into(), json!(sid));
    put(g, &mut o, "start_time", json!(rfc2822(day, start)), odd);
    put(g, &mut o, "status", json!(status), odd);
    o.insert(
        "subresource_uris".into(),
        json!({"notifications": format!("/2010-04-01/Accounts/{account}/Calls/{sid}/Notifications.json"),
               "events": [1, 2.5, {"deep": [null, true]}]}),
    );
    put(g, &mut o, "to", json!(to), odd);
    o.insert("trunk_sid".into(), Value::Null);
    o.insert("queue_time".into(), json!(g.below(4000).to_string()));
    if g.chance(20) {
        o.insert(
            "x_unknown \"field\"".into(),
            json!({"a": ["b", {"c": "}]"}]}),
        );
    }
    if odd {
        for _ in 0..g.below(3) {
            let key = g.pick(&[
                "sid",
                "account_sid",
                "direction",
                "status",
                "start_time",
                "end_time",
                "duration",
                "price",
                "from",
                "to",
                "caller_name",
                "answered_by",
                "parent_call_sid",
                "date_created",
            ]);
            let v = odd_value(g);
            o.insert(key.into(), v);
        }
        if g.chance(5) {
            o.insert("sid".into(), json!(g.sid("RE")));
        }
    }
    let mut out = vec![Value::Object(o.clone())];
    if status == "completed" && direction == "inbound" && g.chance(40) {
        let mut leg = o;
        let leg_sid = g.sid("CA");
        leg.insert("sid".into(), json!(leg_sid));
        let parent = if g.chance(15) { g.sid("CA") } else { sid };
        leg.insert("parent_call_sid".into(), json!(parent));
        leg.insert("direction".into(), json!("outbound-dial"));
        leg.insert("price".into(), Value::Null);
        if g.chance(50) {
            leg.insert("to".into(), json!("client:bob"));
        }
        out.push(Value::Object(leg));
    }
    out
}

fn twilio_page(g: &mut Gen, calls: usize, odd: bool) -> Value {
    let mut items = Vec::new();
    while items.len() < calls {
        items.extend(twilio_calls(g, odd));
    }
    json!({
        "calls": items,
        "end": calls - 1,
        "first_page_uri": "/2010-04-01/Accounts/AC0123456789abcdef0123456789abcdef/Calls.json?PageSize=50&Page=0",
        "next_page_uri": null,
        "page": 0,
        "page_size": calls,
        "previous_page_uri": null,
        "start": 0,
        "uri": "/2010-04-01/Accounts/AC0123456789abcdef0123456789abcdef/Calls.json?PageSize=50&Page=0"
    })
}

/// One JustCall v2.1 call.
fn justcall_call(g: &mut Gen, i: u64, odd: bool) -> Value {
    let direction = g.pick(&[
        json!("Incoming"),
        json!("Outgoing"),
        json!("inbound"),
        json!("outbound"),
        json!("1"),
        json!("Sideways"),
    ]);
    let kind = g.pick(&[
        json!("Answered"),
        json!("Missed"),
        json!("Voicemail"),
        json!("Unanswered"),
        json!("Abandoned before ringing"),
        json!("Abandoned"),
        json!("Busy"),
        json!("Failed"),
        json!("Restricted"),
        json!("Blocked"),
        json!("Cancelled"),
        json!("canceled"),
        json!("In Progress"),
        json!("INCOMING_MISSED"),
        json!("outgoing-unanswered"),
        json!("Teleported"),
    ]);
    let traits = g.pick(&[
        json!([]),
        json!(["QUEUE"]),
        json!(["TRANSFER", "queue"]),
        json!(["voice_agent", "Transfer"]),
    ]);
    let conv = g.below(900);
    let mut info = serde_json::Map::new();
    put(g, &mut info, "direction", direction.clone(), odd);
    put(g, &mut info, "type", kind.clone(), odd);
    info.insert("missed_call_reason".into(), json!(""));
    info.insert("status".into(), json!("Unarchived"));
    let v = json!(g.pick(&["", "Sale", " Follow up "]));
    put(g, &mut info, "disposition", v, odd);
    put(
        g,
        &mut info,
        "notes",
        json!("said \"call me\" \\ later"),
        odd,
    );
    put(g, &mut info, "rating", json!(""), odd);
    put(
        g,
        &mut info,
        "recording",
        json!(format!("https://rec.example.com/{i}.mp3")),
        odd,
    );
    put(g, &mut info, "call_traits", traits.clone(), odd);
    let mut duration = serde_json::Map::new();
    duration.insert("friendly_duration".into(), json!("00:01:00"));
    put(g, &mut duration, "total_duration", json!(conv + 5), odd);
    put(g, &mut duration, "conversation_time", json!(conv), odd);
    let ring = if g.chance(50) {
        json!(g.below(30))
    } else {
        json!(g.below(30).to_string())
    };
    put(g, &mut duration, "ring_time", ring, odd);
    put(g, &mut duration, "hold_time", json!(0), odd);
    let v = json!(g.below(90));
    put(g, &mut duration, "wrap_up_time", v, odd);
    let v = json!(g.below(60));
    put(g, &mut duration, "queue_wait_time", v, odd);
    let mut o = serde_json::Map::new();
    let id = if g.chance(80) {
        json!(100_000_000 + i)
    } else {
        json!(format!("{}", 100_000_000 + i))
    };
    put(g, &mut o, "id", id, odd);
    let sid = if g.chance(90) {
        json!(g.sid("CA"))
    } else {
        json!("")
    };
    put(g, &mut o, "call_sid", sid, odd);
    let v = json!(g.number("415"));
    put(g, &mut o, "contact_number", v, odd);
    let v = json!(g.pick(&["", "Dana Reyes", "Zoë \"Z\""]));
    put(g, &mut o, "contact_name", v, odd);
    o.insert("contact_email".into(), json!(""));
    let v = json!(g.number("628"));
    put(g, &mut o, "justcall_number", v, odd);
    let v = json!(g.pick(&["Sales", "Support", ""]));
    put(g, &mut o, "justcall_line_name", v, odd);
    let v = json!(1000 + g.below(40));
    put(g, &mut o, "agent_id", v, odd);
    let v = json!(format!("Agent {}", g.below(40)));
    put(g, &mut o, "agent_name", v, odd);
    let v = json!(format!("Agent{}@Example.com", g.below(40)));
    put(g, &mut o, "agent_email", v, odd);
    o.insert("agent_active".into(), json!("Yes"));
    let day = 2 + g.below(14);
    put(
        g,
        &mut o,
        "call_date",
        json!(format!("2026-03-{day:02}")),
        odd,
    );
    let time = format!("{}:{:02}:{:02}", g.below(24), g.below(60), g.below(60));
    put(g, &mut o, "call_time", json!(time), odd);
    o.insert("call_user_date".into(), json!("2026-03-02"));
    let cost = if g.chance(70) {
        json!(0.02)
    } else {
        json!("0.04")
    };
    put(g, &mut o, "cost_incurred", cost, odd);
    match g.below(6) {
        0 => {
            o.insert("queue".into(), json!({"name": "Billing queue", "id": 7}));
        }
        1 => {
            o.insert("queue".into(), json!({"queue_name": " Tier 2 "}));
        }
        2 => {
            o.insert("queue".into(), json!("Escalations"));
        }
        _ => {}
    }
    o.insert("call_info".into(), Value::Object(info));
    o.insert("call_duration".into(), Value::Object(duration));
    if g.chance(20) {
        o.insert(
            "justcall_ai".into(),
            json!({"call_summary": "Customer asked about [billing] {twice}", "call_score": 7}),
        );
    }
    if odd {
        for _ in 0..g.below(3) {
            let key = g.pick(&[
                "id",
                "call_sid",
                "contact_number",
                "justcall_number",
                "agent_id",
                "agent_email",
                "call_date",
                "call_time",
                "cost_incurred",
                "queue",
                "call_info",
                "call_duration",
                "justcall_ai",
                "justcall_line_name",
            ]);
            let v = odd_value(g);
            o.insert(key.into(), v);
        }
    }
    Value::Object(o)
}

fn justcall_page(g: &mut Gen, calls: u64, odd: bool) -> Value {
    let items: Vec<Value> = (0..calls).map(|i| justcall_call(g, i, odd)).collect();
    json!({
        "status": "success",
        "count": calls,
        "current_page": 0,
        "per_page": calls,
        "data": items,
        "next_page_link": "https://api.justcall.io/v2.1/calls?page=1&per_page=50",
        "prev_page_link": null
    })
}

fn options(provider: Option<Provider>, strict: bool, general: bool) -> IngestOptions {
    IngestOptions {
        provider,
        strict,
        keep_extra: false,
        general_path_only: general,
        ..IngestOptions::default()
    }
}

fn run(
    inputs: &[(String, Vec<u8>)],
    options: &IngestOptions,
    batch: bool,
) -> Result<Ingested, String> {
    let mut ingestor = Ingestor::new(options).unwrap();
    if batch {
        ingestor.add_documents(inputs).map_err(|e| e.to_string())?;
    } else {
        for (name, bytes) in inputs {
            ingestor.add_bytes(name, bytes).map_err(|e| e.to_string())?;
        }
    }
    Ok(ingestor.finish())
}

/// Both lanes, every mode: the same records, ingest report and SPEC 6 report.
fn assert_same(inputs: &[(String, Vec<u8>)]) {
    for provider in [None, Some(Provider::Twilio), Some(Provider::JustCall)] {
        for strict in [false, true] {
            for batch in [false, true] {
                let general = run(inputs, &options(provider, strict, true), batch);
                let fast = run(inputs, &options(provider, strict, false), batch);
                assert_eq!(fast, general, "provider {provider:?}, strict {strict}");
                let (Ok(fast), Ok(general)) = (fast, general) else {
                    continue;
                };
                let analytics = AnalyticsOptions {
                    allow_mixed_tenants: true,
                    ..AnalyticsOptions::default()
                };
                let report = |i: &Ingested| {
                    callscope::report::build(i, &analytics, true).map_err(|e| e.to_string())
                };
                assert_eq!(report(&fast), report(&general));
            }
        }
    }
}

/// A document as a whole file, as an array of its calls, and as NDJSON lines of its calls.
fn layouts(name: &str, doc: &Value, list_key: &str) -> Vec<(String, Vec<u8>)> {
    let mut out = vec![
        (
            format!("{name}.json"),
            serde_json::to_vec_pretty(doc).unwrap(),
        ),
        (format!("{name}.min.json"), serde_json::to_vec(doc).unwrap()),
    ];
    if let Some(items) = doc.get(list_key).and_then(Value::as_array) {
        out.push((
            format!("{name}.array.json"),
            serde_json::to_vec(items).unwrap(),
        ));
        let lines: Vec<String> = items.iter().map(Value::to_string).collect();
        out.push((format!("{name}.ndjson"), lines.join("\n").into_bytes()));
        if let Some(first) = items.first() {
            out.push((
                format!("{name}.one.json"),
                serde_json::to_vec_pretty(first).unwrap(),
            ));
        }
    }
    out
}

#[test]
fn fixtures_read_the_same_on_both_lanes() {
    let root = format!("{}/../tests/data", env!("CARGO_MANIFEST_DIR"));
    let mut n = 0;
    for dir in ["twilio", "justcall"] {
        for entry in std::fs::read_dir(format!("{root}/{dir}")).unwrap() {
            let path = entry.unwrap().path();
            let bytes = std::fs::read(&path).unwrap();
            let name = path.display().to_string();
            assert_same(&[(name.clone(), bytes.clone())]);
            if let Ok(doc) = serde_json::from_slice::<Value>(&bytes) {
                for key in ["calls", "data"] {
                    assert_same(&layouts(&name, &doc, key));
                }
            }
            n += 1;
        }
    }
    assert!(n >= 10);
}

#[test]
fn generated_pages_read_the_same_on_both_lanes() {
    let mut g = Gen(7);
    for round in 0..6 {
        let odd = round % 3 == 2;
        let tw = twilio_page(&mut g, 60, odd);
        let jc = justcall_page(&mut g, 60, odd);
        let mut inputs = layouts(&format!("tw{round}"), &tw, "calls");
        inputs.extend(layouts(&format!("jc{round}"), &jc, "data"));
        assert_same(&inputs);
    }
}

#[test]
fn clean_generated_pages_take_the_fast_lane_and_give_records() {
    let mut g = Gen(11);
    let tw = serde_json::to_vec_pretty(&twilio_page(&mut g, 200, false)).unwrap();
    let jc = serde_json::to_vec_pretty(&justcall_page(&mut g, 200, false)).unwrap();
    for bytes in [tw, jc] {
        let inputs = vec![("page.json".to_string(), bytes)];
        let fast = run(&inputs, &options(None, false, false), true);
        assert!(fast.as_ref().unwrap().records.len() > 100);
        assert_eq!(fast, run(&inputs, &options(None, false, true), true));
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn random_twilio_calls_read_the_same(seed in any::<u64>(), odd in any::<bool>(), n in 1usize..12) {
        let mut g = Gen(seed);
        let page = twilio_page(&mut g, n, odd);
        assert_same(&layouts("tw", &page, "calls"));
    }

    #[test]
    fn random_justcall_calls_read_the_same(seed in any::<u64>(), odd in any::<bool>(), n in 1u64..12) {
        let mut g = Gen(seed);
        let page = justcall_page(&mut g, n, odd);
        assert_same(&layouts("jc", &page, "data"));
    }
}

/// Texts where a skipping parser could accept what the general parser rejects, or read a
/// repeated key differently: both lanes must agree (the same error or the same items).
#[test]
fn edge_texts_read_the_same_on_both_lanes() {
    let call = |extra: &str| {
        format!(
            r#"{{"sid": "CA01", "account_sid": "AC1", "direction": "inbound", "status": "completed",
            "start_time": "Mon, 02 Mar 2026 09:00:00 +0000", "end_time": "Mon, 02 Mar 2026 09:01:00 +0000",
            "duration": "50", "from": "+14155550100", "to": "+14155550199"{extra}}}"#
        )
    };
    let jc = |extra: &str| {
        format!(
            r#"{{"id": 7, "call_sid": "CA77", "justcall_number": "+16285550100", "call_date": "2026-03-02",
            "call_time": "9:00:00", "call_info": {{"direction": "Incoming", "type": "Answered"}},
            "call_duration": {{"total_duration": 60, "conversation_time": 55}}{extra}}}"#
        )
    };
    let extras = [
        "",
        // repeated keys: the last one counts
        r#", "status": "busy""#,
        r#", "sid": "CA02""#,
        r#", "direction": "outbound-api", "direction": "inbound""#,
        // values a skipping parser would not check
        r#", "x": "\ud800""#,
        r#", "x": "\udc00\ud800""#,
        r#", "x": "\u00e9\ud83d\ude00""#,
        r#", "x": 1e400"#,
        r#", "x": -1e400"#,
        r#", "x": 123456789012345678901234567890"#,
        r#", "x": "\q""#,
        r#", "x": "tab	inside""#,
        r#", "x": [1, 2,]"#,
        // keys other readers look at
        r#", "message": {"type": "end-of-call-report"}"#,
        r#", "calls": null"#,
        r#", "data": null"#,
        r#", "type": "call.completed""#,
        r#", "call_state": "completed""#,
        r#", "queue": {"name": ["x"]}"#,
    ];
    let deep = format!(r#", "x": {}1{}"#, "[".repeat(200), "]".repeat(200));
    let mut inputs = Vec::new();
    for (i, extra) in extras.iter().copied().chain([deep.as_str()]).enumerate() {
        let tw = call(extra);
        let j = jc(extra);
        inputs.push((format!("tw{i}.json"), tw.clone().into_bytes()));
        inputs.push((
            format!("twpage{i}.json"),
            format!(r#"{{"calls": [{tw}, {}]}}"#, call("")).into_bytes(),
        ));
        inputs.push((format!("jc{i}.json"), j.clone().into_bytes()));
        inputs.push((
            format!("jcpage{i}.json"),
            format!(r#"{{"data": [{j}, {}], "per_page": 2}}"#, jc("")).into_bytes(),
        ));
        inputs.push((
            format!("tw{i}.ndjson"),
            format!("{tw}\n{}\n", call("")).into_bytes(),
        ));
        inputs.push((
            format!("jc{i}.array.json"),
            format!("[{j}, {}]", jc("")).into_bytes(),
        ));
    }
    // page-level repeats, a byte-order mark, invalid UTF-8, a second document, trailing text
    let page = format!(r#"{{"calls": [{}]}}"#, call(""));
    let whole = [
        format!(
            r#"{{"calls": [{}], "calls": [{}]}}"#,
            call(""),
            call(r#", "sid": "CA09""#)
        )
        .into_bytes(),
        [b"\xEF\xBB\xBF".as_slice(), page.as_bytes()].concat(),
        page.replace("Mon, 02", "Mon,\u{e9}02").into_bytes(),
        [page.as_bytes(), b"\n", page.as_bytes()].concat(),
        [page.as_bytes(), b" x"].concat(),
        page.replacen("+14155550100", "+1415\u{80}", 1).into_bytes(),
    ];
    let mut bad_utf8 = page.clone().into_bytes();
    if let Some(at) = bad_utf8.iter().position(|b| *b == b'+') {
        bad_utf8[at] = 0xFF;
    }
    for (i, bytes) in whole.into_iter().chain([bad_utf8]).enumerate() {
        inputs.push((format!("whole{i}.json"), bytes));
    }
    for input in &inputs {
        assert_same(std::slice::from_ref(input));
    }
}
