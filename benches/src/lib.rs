//! Benchmarks of callscope (`cargo bench -p callscope-benches`) and the generated inputs they
//! and the allocation test share: native Twilio REST and JustCall v2.1 call-list pages, in
//! the shapes `benches/compare/gen_exports.py` writes, from a fixed linear congruential
//! sequence (no data file needed).

use std::fmt::Write;

/// A deterministic pseudo-random sequence (64-bit LCG, Knuth's constants).
#[derive(Debug, Clone)]
pub struct Lcg(pub u64);

impl Lcg {
    /// The next 31-bit number.
    pub fn draw(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }

    /// The next number below `n` (`n` > 0).
    pub fn below(&mut self, n: u64) -> u64 {
        self.draw() % n
    }
}

const DAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];

/// Start instant as epoch seconds within two weeks from Monday 2026-03-02 00:00 UTC.
pub fn start(rng: &mut Lcg) -> i64 {
    1_772_409_600 + rng.below(14 * 86_400) as i64
}

fn rfc2822(t: i64) -> String {
    let dt = chrono::DateTime::from_timestamp(t, 0).unwrap_or_default();
    let day = DAYS[(t.div_euclid(86_400) + 3).rem_euclid(7) as usize];
    format!("{day}, {}", dt.format("%d %b %Y %H:%M:%S +0000"))
}

/// A Twilio REST call-list page of `n` calls (no `<Dial>` legs), from `seed`.
pub fn twilio_page(n: usize, seed: u64) -> Vec<u8> {
    {
        let mut rng = Lcg(seed);
        let account = "AC0123456789abcdef0123456789abcdef";
        let mut calls = Vec::with_capacity(n);
        for i in 0..n {
            let t0 = start(&mut rng);
            let inbound = rng.below(100) < 65;
            let (status, talk, end) = match rng.below(100) {
                0..72 => {
                    let talk = 10 + rng.below(600) as i64;
                    ("completed", talk, t0 + 5 + talk)
                }
                72..87 => ("no-answer", 0, t0 + 25),
                87..92 => ("busy", 0, t0 + 3),
                92..95 => ("failed", 0, t0),
                _ => ("canceled", 0, t0 + 12),
            };
            let a = format!("+1415{:07}", rng.below(10_000_000));
            let b = format!("+1628{:07}", rng.below(10_000_000));
            let (from, to) = if inbound { (&a, &b) } else { (&b, &a) };
            let sid = format!("CA{:016x}{:016x}", rng.draw(), i);
            let price = if status == "completed" {
                format!("\"-{:.5}\"", 0.0085 * (1 + talk / 60) as f64)
            } else {
                "null".into()
            };
            calls.push(format!(
                r#"{{"account_sid": "{account}", "annotation": null, "answered_by": null,
  "api_version": "2010-04-01", "caller_name": null, "date_created": "{c}",
  "date_updated": "{e}", "direction": "{dir}", "duration": "{talk}", "end_time": "{e}",
  "forwarded_from": null, "from": "{from}", "from_formatted": "{from}", "group_sid": null,
  "parent_call_sid": null, "phone_number_sid": "PN{i:032x}", "price": {price},
  "price_unit": "USD", "sid": "{sid}", "start_time": "{c}", "status": "{status}",
  "subresource_uris": {{"recordings": "/2010-04-01/Accounts/{account}/Calls/{sid}/Recordings.json"}},
  "to": "{to}", "to_formatted": "{to}", "trunk_sid": null,
  "uri": "/2010-04-01/Accounts/{account}/Calls/{sid}.json", "queue_time": "{q}"}}"#,
                c = rfc2822(t0),
                e = rfc2822(end),
                dir = if inbound { "inbound" } else { "outbound-api" },
                q = rng.below(4000),
            ));
        }
        format!(
            r#"{{"calls": [{}], "end": {}, "first_page_uri": "/x", "next_page_uri": null, "page": 0, "page_size": {n}, "previous_page_uri": null, "start": 0, "uri": "/x"}}"#,
            calls.join(",\n"),
            n.saturating_sub(1)
        )
        .into_bytes()
    }
}

/// A JustCall v2.1 call-list page of `n` calls, from `seed`.
pub fn justcall_page(n: usize, seed: u64) -> Vec<u8> {
    {
        let mut rng = Lcg(seed);
        let mut calls = String::new();
        for i in 0..n {
            let t0 = chrono::DateTime::from_timestamp(start(&mut rng), 0).unwrap_or_default();
            let incoming = rng.below(100) < 60;
            let kind = match (incoming, rng.below(100)) {
                (_, 0..70) => "Answered",
                (true, 70..90) => "Missed",
                (true, _) => "Voicemail",
                (false, _) => "Unanswered",
            };
            let conv = if kind == "Answered" {
                5 + rng.below(900)
            } else {
                0
            };
            let agent = rng.below(40);
            if i > 0 {
                calls.push(',');
            }
            let _ = write!(
                calls,
                r#"{{"id": {id}, "call_sid": "CA{sid:032x}", "contact_number": "+1415{c:07}",
  "contact_name": "", "contact_email": "", "justcall_number": "+1628{j:07}",
  "justcall_line_name": "Support", "agent_id": {aid}, "agent_name": "Agent {agent}",
  "agent_email": "agent{agent}@example.com", "agent_active": "Yes", "call_date": "{d}",
  "call_time": "{t}", "call_user_date": "{d}", "call_user_time": "{t}",
  "cost_incurred": 0.02, "call_info": {{"direction": "{dir}", "type": "{kind}",
  "missed_call_reason": "", "status": "Unarchived", "disposition": "", "notes": "",
  "rating": "", "recording": "", "recording_child": "", "voicemail_transcription": "",
  "call_traits": []}}, "call_duration": {{"friendly_duration": "00:00:00",
  "total_duration": {conv}, "conversation_time": {conv}, "ring_time": {ring},
  "hold_time": 0, "wrap_up_time": {wrap}, "handle_time": {conv}, "queue_wait_time": 0}}}}"#,
                id = 100_000_000 + i,
                sid = rng.draw(),
                c = rng.below(10_000_000),
                j = rng.below(100),
                aid = 1000 + agent,
                d = t0.format("%Y-%m-%d"),
                t = t0.format("%-H:%M:%S"),
                dir = if incoming { "Incoming" } else { "Outgoing" },
                ring = 3 + rng.below(27),
                wrap = rng.below(90),
            );
        }
        format!(
            r#"{{"status": "success", "count": {n}, "current_page": 0, "per_page": {n}, "data": [{calls}], "next_page_link": null, "prev_page_link": null}}"#
        )
        .into_bytes()
    }
}
