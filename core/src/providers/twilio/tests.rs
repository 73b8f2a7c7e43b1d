//! Unit tests of the Twilio module, with values worked out by hand from tests/data/twilio/.

use super::*;
use crate::model::CallRecord;
use crate::providers::ItemKind;

const CA_A: &str = "CAaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
const CA_A0: &str = "CAaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa0";
const AC_A: &str = "ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
const PARENT_F: &str = "CAdeadbeefdeadbeefdeadbeefdeadbeef";
const PARENT_E: &str = "CAdeadbeefdeadbeefdeadbeefdeadbeee";

fn data(name: &str) -> String {
    let path = format!("{}/../tests/data/twilio/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn json(name: &str) -> Value {
    serde_json::from_str(&data(name)).unwrap()
}

fn form(text: &str) -> Vec<(String, String)> {
    form_urlencoded::parse(text.trim().as_bytes())
        .into_owned()
        .collect()
}

fn strict() -> ParseCtx {
    ParseCtx::new(Tz::UTC, true)
}

fn at(s: &str) -> DateTime<Utc> {
    s.parse().unwrap()
}

fn call(item: &Item) -> (&CallDraft, bool) {
    match &item.kind {
        ItemKind::Call { draft, event } => (draft, *event),
        other => panic!("not a call: {other:?}"),
    }
}

fn record(mut draft: CallDraft) -> CallRecord {
    finalize(&mut draft);
    let (rec, warnings) = draft.into_record(true).unwrap();
    assert!(warnings.is_empty(), "{warnings:?}");
    rec
}

/// The Call resource as a call of its own (what a parent record looks like).
fn standalone(value: &Value, ctx: &mut ParseCtx) -> CallDraft {
    let sid = value["sid"].as_str().unwrap();
    rest_call(&CallFields::of(value), value.as_object(), "$", sid, ctx).0
}

fn reason(rec: &CallRecord) -> (EndedReasonCategory, &str) {
    let r = rec.ended_reason.as_ref().unwrap();
    (r.category, r.raw.as_str())
}

// ---------------------------------------------------------------- vocabularies

#[test]
fn call_status_words() {
    use CallState::*;
    let expected = [
        ("queued", Queued),
        ("initiated", Queued),
        ("ringing", Ringing),
        ("in-progress", InProgress),
        ("completed", Completed),
        ("busy", Busy),
        ("no-answer", NoAnswer),
        ("failed", Failed),
        ("canceled", Canceled),
    ];
    assert_eq!(CALL_STATUS.len(), expected.len());
    for (w, st) in expected {
        assert_eq!(lookup(CALL_STATUS, w), Some(st), "{w}");
    }
    assert_eq!(lookup(CALL_STATUS, "fail"), None);
}

#[test]
fn dial_call_status_words() {
    use CallState::*;
    let expected = [
        ("completed", Completed),
        ("answered", Completed),
        ("busy", Busy),
        ("no-answer", NoAnswer),
        ("failed", Failed),
        ("canceled", Canceled),
    ];
    assert_eq!(DIAL_CALL_STATUS.len(), expected.len());
    for (w, st) in expected {
        assert_eq!(lookup(DIAL_CALL_STATUS, w), Some(st), "{w}");
    }
}

#[test]
fn insights_call_state_words() {
    use CallState::*;
    let expected = [
        ("ringing", Ringing),
        ("completed", Completed),
        ("busy", Busy),
        ("fail", Failed),
        ("noanswer", NoAnswer),
        ("canceled", Canceled),
        ("answered", Completed),
        ("undialed", Canceled),
    ];
    assert_eq!(INSIGHTS_CALL_STATE.len(), expected.len());
    for (w, st) in expected {
        assert_eq!(lookup(INSIGHTS_CALL_STATE, w), Some(st), "{w}");
    }
    assert_eq!(lookup(INSIGHTS_CALL_STATE, "no-answer"), None);
}

#[test]
fn vocabularies_agree_where_they_overlap() {
    for table in [DIAL_CALL_STATUS, INSIGHTS_CALL_STATE] {
        for (w, st) in table {
            if let Some(other) = lookup(CALL_STATUS, w) {
                assert_eq!(other, *st, "{w}");
            }
            assert_eq!(any_state(w), Some(*st), "{w}");
        }
    }
}

#[test]
fn state_outcomes_and_reasons() {
    use CallState::*;
    let (inb, out) = (Direction::Inbound, Direction::Outbound);
    for st in [Queued, Ringing, InProgress] {
        assert_eq!(st.outcome(inb, None), Outcome::Active);
        assert_eq!(st.ended_category(), None);
    }
    assert_eq!(
        Completed.outcome(inb, Some(AnsweredBy::Human)),
        Outcome::Answered
    );
    assert_eq!(
        Completed.outcome(out, Some(AnsweredBy::Machine)),
        Outcome::Voicemail
    );
    assert_eq!(
        Completed.outcome(out, Some(AnsweredBy::Fax)),
        Outcome::Voicemail
    );
    assert_eq!(
        Completed.outcome(out, Some(AnsweredBy::Unknown)),
        Outcome::Answered
    );
    assert_eq!(Completed.outcome(out, None), Outcome::Answered);
    // AMD runs on outbound calls; an inbound call answered "by a machine" is still answered.
    assert_eq!(
        Completed.outcome(inb, Some(AnsweredBy::Machine)),
        Outcome::Answered
    );
    assert_eq!(Busy.outcome(inb, None), Outcome::Busy);
    assert_eq!(NoAnswer.outcome(inb, None), Outcome::Missed);
    assert_eq!(NoAnswer.outcome(out, None), Outcome::Unanswered);
    assert_eq!(
        NoAnswer.outcome(Direction::Unknown, None),
        Outcome::Unanswered
    );
    assert_eq!(Failed.outcome(out, None), Outcome::Failed);
    assert_eq!(Canceled.outcome(out, None), Outcome::Canceled);
    assert_eq!(Completed.ended_category(), Some(EndedReasonCategory::Other));
    assert_eq!(Busy.ended_category(), Some(EndedReasonCategory::Busy));
    assert_eq!(
        NoAnswer.ended_category(),
        Some(EndedReasonCategory::NoAnswer)
    );
    assert_eq!(Failed.ended_category(), Some(EndedReasonCategory::Error));
    assert_eq!(
        Canceled.ended_category(),
        Some(EndedReasonCategory::Canceled)
    );
}

#[test]
fn direction_words() {
    let expected = [
        ("inbound", Direction::Inbound),
        ("outbound-api", Direction::Outbound),
        ("outbound-dial", Direction::Outbound),
        ("trunking-originating", Direction::Inbound),
        ("trunking-terminating", Direction::Outbound),
        ("outbound_api", Direction::Outbound),
        ("outbound_dial", Direction::Outbound),
        ("trunking_originating", Direction::Inbound),
        ("trunking_terminating", Direction::Outbound),
    ];
    assert_eq!(DIRECTIONS.len(), expected.len());
    for (w, d) in expected {
        assert_eq!(lookup(DIRECTIONS, w), Some(d), "{w}");
    }
}

#[test]
fn answered_by_words() {
    let expected = [
        ("human", AnsweredBy::Human),
        ("machine", AnsweredBy::Machine),
        ("machine_start", AnsweredBy::Machine),
        ("machine_end_beep", AnsweredBy::Machine),
        ("machine_end_silence", AnsweredBy::Machine),
        ("machine_end_other", AnsweredBy::Machine),
        ("fax", AnsweredBy::Fax),
        ("unknown", AnsweredBy::Unknown),
    ];
    assert_eq!(ANSWERED_BY.len(), expected.len());
    for (w, a) in expected {
        assert_eq!(lookup(ANSWERED_BY, w), Some(a), "{w}");
    }
}

#[test]
fn unknown_words_are_counted_and_give_unknown() {
    let mut ctx = strict();
    let v = serde_json::json!({
        "sid": "CA1", "account_sid": "AC1", "status": "teleported", "direction": "sideways",
        "answered_by": "robot", "start_time": "Tue, 31 Aug 2010 20:36:28 +0000"
    });
    let items = parse(&v, "$", &mut ctx);
    let (d, event) = call(&items[0]);
    assert!(!event);
    assert_eq!(d.outcome, Some(Outcome::Unknown));
    assert_eq!(d.direction, Some(Direction::Unknown));
    assert_eq!(d.ended_reason, None);
    let words: Vec<&str> = ctx.unknown_words.iter().map(|(_, w)| w.as_str()).collect();
    assert_eq!(words, vec!["sideways", "robot", "teleported"]);
    assert!(
        ctx.unknown_words
            .iter()
            .all(|(p, _)| *p == Provider::Twilio)
    );
    // The direction is unknown, so the numbers stay in extra (here there are none).
    let rec = record(d.clone());
    assert_eq!(rec.outcome, Outcome::Unknown);
    assert_eq!(rec.raw_status.as_deref(), Some("teleported"));
}

// ---------------------------------------------------------------- detect

#[test]
fn detect_every_fixture() {
    for name in [
        "call_fetch.json",
        "call_list_page1.json",
        "call_list_empty_fun_date_formats.json",
        "call_recording_fetch.json",
        "insights_call_summary_fetch.json",
        "insights_call_summaries_list.json",
    ] {
        assert!(detect(&json(name)), "{name}");
    }
    let page = json("call_list_page1.json");
    assert!(detect(&page["calls"][0]));
    let list = json("insights_call_summaries_list.json");
    assert!(detect(&list["call_summaries"][1]));
}

#[test]
fn whole_array_documents() {
    let page = json("call_list_page1.json");
    let list = json("insights_call_summaries_list.json");
    let doc = serde_json::json!([
        page["calls"][0].clone(),
        list["call_summaries"][0].clone(),
        5
    ]);
    assert!(detect(&doc));
    let items = parse(&doc, "$", &mut strict());
    let paths: Vec<&str> = items.iter().map(|i| i.path.as_str()).collect();
    assert_eq!(paths, vec!["$[0]", "$[1]", "$[2]"]);
    assert_eq!(
        call(&items[0]).0.provider_call_id.as_deref(),
        Some(PARENT_F)
    );
    assert_eq!(call(&items[1]).0.provider_call_id.as_deref(), Some(CA_A));
    assert!(matches!(&items[2].kind, ItemKind::Rejected(i) if i.path == "$[2]"));
    assert!(!detect(&serde_json::json!([1, [2]])));
}

#[test]
fn detect_refuses_other_shapes() {
    for v in [
        serde_json::json!([]),
        serde_json::json!({"calls": [{"id": 1, "call_date": "2024-01-01"}]}),
        serde_json::json!({"calls": [], "meta": {}}),
        serde_json::json!({"sid": "SMaaaa", "account_sid": "AC1"}),
        serde_json::json!({"sid": "CAaaaa"}),
        serde_json::json!({"call_sid": "CA1"}),
        serde_json::json!({"sid": "REaaaa"}),
        serde_json::json!({"id": "c1", "type": "outboundPhoneCall", "status": "ended"}),
        serde_json::json!({"call_summaries": {}}),
    ] {
        assert!(!detect(&v), "{v}");
    }
}

// ---------------------------------------------------------------- REST calls

#[test]
fn call_list_page1_items_are_legs_of_their_parents() {
    let page = json("call_list_page1.json");
    let mut ctx = strict();
    let items = parse(&page, "$", &mut ctx);
    assert_eq!(items.len(), 2);
    assert_eq!(items[0].path, "$.calls[0]");
    assert_eq!(items[1].path, "$.calls[1]");

    // Both calls carry parent_call_sid: each is an event of its parent, lowest precedence.
    let (leg0, event0) = call(&items[0]);
    assert!(event0);
    assert_eq!(
        leg0.id().as_deref(),
        Some(format!("twilio:{PARENT_F}").as_str())
    );
    assert_eq!(leg0.tenant.as_deref(), Some(AC_A));
    assert!(leg0.precedence < TIER_UNIT);
    assert_eq!(leg0.started_at, None);
    assert_eq!(leg0.outcome, None);
    assert_eq!(leg0.agent, None);
    let s0 = &leg0.extra[&format!("leg:{CA_A}")];
    assert_eq!(s0["sid"], CA_A);
    assert_eq!(s0["status"], "completed");
    // outbound-api + completed + machine_start = voicemail
    assert_eq!(s0["outcome"], "voicemail");
    assert_eq!(s0["direction"], "outbound");
    assert_eq!(s0["answered_by"], "machine_start");
    assert_eq!(s0["from"], "+13051416799");
    assert_eq!(s0["to"], "+13051913581");
    assert_eq!(s0["started_at"], "2019-10-18T17:02:00Z");
    assert_eq!(s0["ended_at"], "2019-10-18T17:03:00Z");
    assert_eq!(s0["talk_s"], 4.0);
    assert_eq!(s0["duration_s"], 60.0);
    // price "-0.200" -> cost 0.2
    assert_eq!(s0["cost"], 0.2);
    assert_eq!(s0["price_unit"], "USD");
    assert_eq!(s0["queue_time"], "1000");

    let (leg1, event1) = call(&items[1]);
    assert!(event1);
    assert_eq!(
        leg1.id().as_deref(),
        Some(format!("twilio:{PARENT_E}").as_str())
    );
    let s1 = &leg1.extra[&format!("leg:{CA_A0}")];
    assert_eq!(s1["outcome"], "answered");
    assert_eq!(s1["direction"], "inbound");
    assert_eq!(s1["talk_s"], 3.0);
    assert_eq!(s1["cost"], 0.1);
    assert_eq!(s1["price_unit"], "JPY");
    assert_eq!(s1["caller_name"], "callerid2");
    assert!(ctx.unknown_words.is_empty());
}

#[test]
fn call_list_page1_mapping_of_each_call() {
    let page = json("call_list_page1.json");
    let mut ctx = strict();

    // calls[0]: outbound-api, completed, answered_by machine_start.
    let r0 = record(standalone(&page["calls"][0], &mut ctx));
    assert_eq!(r0.id, format!("twilio:{CA_A}"));
    assert_eq!(r0.tenant.as_deref(), Some(AC_A));
    assert_eq!(r0.direction, Direction::Outbound);
    assert_eq!(r0.outcome, Outcome::Voicemail);
    assert_eq!(r0.raw_status.as_deref(), Some("completed"));
    assert_eq!(reason(&r0), (EndedReasonCategory::Other, "completed"));
    assert_eq!(r0.started_at, at("2019-10-18T17:02:00Z"));
    assert_eq!(r0.ended_at, Some(at("2019-10-18T17:03:00Z")));
    // The vendor quirk: duration "4" is talk; the start/end gap is 60 s; 4 <= 60 holds.
    assert_eq!(r0.talk_s, Some(4.0));
    assert_eq!(r0.duration_s, Some(60.0));
    // Not answered by a person: no answered_at / wait.
    assert_eq!(r0.answered_at, None);
    assert_eq!(r0.wait_s, None);
    assert_eq!(r0.cost, Some(0.2));
    // Outbound: the customer is `to`, the business `from`.
    assert_eq!(r0.customer_number.as_deref(), Some("+13051913581"));
    assert_eq!(r0.business_number.as_deref(), Some("+13051416799"));
    assert_eq!(r0.customer_name, None);
    assert_eq!(r0.extra["caller_name"], "callerid1");
    assert_eq!(r0.extra["parent_call_sid"], PARENT_F);
    assert_eq!(r0.extra["annotation"], "billingreferencetag1");

    // calls[1]: inbound, completed, human.
    let r1 = record(standalone(&page["calls"][1], &mut ctx));
    assert_eq!(r1.id, format!("twilio:{CA_A0}"));
    assert_eq!(r1.direction, Direction::Inbound);
    assert_eq!(r1.outcome, Outcome::Answered);
    assert_eq!(r1.started_at, at("2019-10-18T16:02:00Z"));
    assert_eq!(r1.ended_at, Some(at("2019-10-18T16:03:00Z")));
    assert_eq!(r1.talk_s, Some(3.0));
    assert_eq!(r1.duration_s, Some(60.0));
    // wait = 60 - 3 = 57; answered_at = 16:02:00 + 57 s
    assert_eq!(r1.wait_s, Some(57.0));
    assert_eq!(r1.answered_at, Some(at("2019-10-18T16:02:57Z")));
    assert_eq!(r1.cost, Some(0.1));
    assert_eq!(r1.extra["price_unit"], "JPY");
    // Inbound: the customer is `from`, and caller_name is the customer's name.
    assert_eq!(r1.customer_number.as_deref(), Some("+13051416798"));
    assert_eq!(r1.business_number.as_deref(), Some("+13051913580"));
    assert_eq!(r1.customer_name.as_deref(), Some("callerid2"));
    assert!(!r1.extra.contains_key("caller_name"));
    assert_eq!(r1.extra["from_formatted"], "(305) 141-6798");
}

#[test]
fn call_fetch_is_a_leg_with_the_same_mapping() {
    let v = json("call_fetch.json");
    let mut ctx = strict();
    let items = parse(&v, "$", &mut ctx);
    assert_eq!(items.len(), 1);
    assert_eq!(items[0].path, "$");
    let (leg, event) = call(&items[0]);
    assert!(event);
    assert_eq!(leg.provider_call_id.as_deref(), Some(PARENT_F));
    let s = &leg.extra[&format!("leg:{CA_A}")];
    assert_eq!(s["outcome"], "voicemail");
    assert_eq!(s["annotation"], "billingreferencetag");

    let r = record(standalone(&v, &mut ctx));
    assert_eq!(r.id, format!("twilio:{CA_A}"));
    assert_eq!(r.outcome, Outcome::Voicemail);
    assert_eq!(r.direction, Direction::Outbound);
    assert_eq!(r.tenant.as_deref(), Some(AC_A));
    assert_eq!(r.started_at, at("2019-10-18T17:02:00Z"));
    assert_eq!(r.ended_at, Some(at("2019-10-18T17:03:00Z")));
    assert_eq!(
        (r.talk_s, r.duration_s, r.wait_s),
        (Some(4.0), Some(60.0), None)
    );
    assert_eq!(r.cost, Some(0.2));
    assert_eq!(r.customer_number.as_deref(), Some("+13051913581"));
    assert_eq!(r.business_number.as_deref(), Some("+13051416799"));
}

#[test]
fn empty_call_list_has_no_items() {
    let v = json("call_list_empty_fun_date_formats.json");
    let mut ctx = strict();
    assert!(parse(&v, "$", &mut ctx).is_empty());
}

fn parent_json(status: &str, direction: &str) -> Value {
    serde_json::json!({
        "sid": PARENT_F, "account_sid": AC_A, "parent_call_sid": null, "status": status,
        "direction": direction, "from": "+14158675309", "to": "+18005551212",
        "start_time": "Fri, 18 Oct 2019 17:01:00 +0000", "end_time": "Fri, 18 Oct 2019 17:03:30 +0000",
        "duration": "120", "price": "-0.0085", "price_unit": "USD", "answered_by": null
    })
}

#[test]
fn parent_and_leg_fold_in_any_order() {
    let mut ctx = strict();
    let parent = call(&parse(&parent_json("completed", "inbound"), "$", &mut ctx)[0])
        .0
        .clone();
    let leg = call(&parse(&json("call_fetch.json"), "$", &mut ctx)[0])
        .0
        .clone();
    let a = CallDraft::fold(vec![parent.clone(), leg.clone()]);
    let b = CallDraft::fold(vec![leg, parent]);
    assert_eq!(a, b);
    let r = record(a);
    assert_eq!(r.id, format!("twilio:{PARENT_F}"));
    // The parent's own values win everywhere.
    assert_eq!(r.direction, Direction::Inbound);
    assert_eq!(r.outcome, Outcome::Answered);
    assert_eq!(r.started_at, at("2019-10-18T17:01:00Z"));
    // duration 150 s (17:01:00 -> 17:03:30), talk 120, wait 30
    assert_eq!(
        (r.duration_s, r.talk_s, r.wait_s),
        (Some(150.0), Some(120.0), Some(30.0))
    );
    assert_eq!(r.cost, Some(0.0085));
    assert_eq!(r.customer_number.as_deref(), Some("+14158675309"));
    // ...and the leg is there, in extra.
    assert_eq!(r.extra[&format!("leg:{CA_A}")]["to"], "+13051913581");
}

#[test]
fn leg_without_its_parent_stands_in_for_it() {
    // read for `ingest` (the leg's summary object kept in `extra`) and for a report
    // (`keep_extra` off: its encoded view), the leg stands in with the same values
    for keep_extra in [true, false] {
        let mut ctx = strict();
        ctx.keep_extra = keep_extra;
        let mut leg = call(&parse(&json("call_fetch.json"), "$", &mut ctx)[0])
            .0
            .clone();
        let kept = &leg.extra[&format!("leg:{CA_A}")];
        assert_eq!(kept.is_string(), !keep_extra, "{kept}");
        finalize(&mut leg);
        let (r, _) = leg.into_record(true).unwrap();
        // the parent CAdeadbeef... is not in the input: its leg CAaaa... stands in. From the
        // file: start 17:02:00, end 17:03:00 (60 s), duration "4" = talk, outbound-api
        // answered by machine_start -> voicemail, price -0.200 -> cost 0.2
        assert_eq!(r.id, "twilio:CAdeadbeefdeadbeefdeadbeefdeadbeef");
        assert_eq!(r.started_at.to_rfc3339(), "2019-10-18T17:02:00+00:00");
        assert_eq!((r.duration_s, r.talk_s), (Some(60.0), Some(4.0)));
        assert_eq!(r.outcome, Outcome::Voicemail);
        assert_eq!(r.direction, Direction::Outbound);
        assert_eq!(r.cost, Some(0.2));
        assert_eq!(r.extra["legStandsIn"], "CAaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
    }
}

#[test]
fn rest_statuses() {
    let mut ctx = strict();
    let rec = |status: &str, dir: &str, ctx: &mut ParseCtx| {
        record(standalone(&parent_json(status, dir), ctx))
    };
    let r = rec("no-answer", "inbound", &mut ctx);
    assert_eq!(
        (r.outcome, reason(&r)),
        (
            Outcome::Missed,
            (EndedReasonCategory::NoAnswer, "no-answer")
        )
    );
    assert_eq!((r.answered_at, r.wait_s), (None, None));
    let r = rec("no-answer", "outbound-api", &mut ctx);
    assert_eq!(r.outcome, Outcome::Unanswered);
    let r = rec("busy", "outbound-dial", &mut ctx);
    assert_eq!(
        (r.outcome, reason(&r)),
        (Outcome::Busy, (EndedReasonCategory::Busy, "busy"))
    );
    let r = rec("failed", "trunking-terminating", &mut ctx);
    assert_eq!(
        (r.outcome, reason(&r)),
        (Outcome::Failed, (EndedReasonCategory::Error, "failed"))
    );
    let r = rec("canceled", "trunking-originating", &mut ctx);
    assert_eq!(
        (r.outcome, r.direction),
        (Outcome::Canceled, Direction::Inbound)
    );
    assert_eq!(reason(&r), (EndedReasonCategory::Canceled, "canceled"));
    for active in ["queued", "ringing", "in-progress"] {
        let r = rec(active, "inbound", &mut ctx);
        assert_eq!(r.outcome, Outcome::Active, "{active}");
        assert_eq!(
            (r.ended_reason.clone(), r.ended_at, r.talk_s, r.duration_s),
            (None, None, None, None)
        );
    }
}

#[test]
fn queued_call_starts_at_date_created_and_keeps_numbers_without_direction() {
    let v = serde_json::json!({
        "sid": "CA9", "account_sid": "AC9", "status": "queued", "start_time": null,
        "date_created": "Tue, 31 Aug 2010 20:36:28 +0000", "from": "+14158675309", "to": "client:alice"
    });
    let r = record(standalone(&v, &mut strict()));
    assert_eq!(r.started_at, at("2010-08-31T20:36:28Z"));
    assert_eq!(r.direction, Direction::Unknown);
    assert_eq!(r.customer_number, None);
    assert_eq!(r.extra["from"], "+14158675309");
    assert_eq!(r.extra["to"], "client:alice");
}

#[test]
fn bad_values_strict_and_lenient() {
    let mut v = parent_json("completed", "inbound");
    v["start_time"] = Value::String("yesterday".into());
    v["duration"] = Value::String("-5".into());
    let items = parse(&v, "$.x", &mut strict());
    match &items[0].kind {
        ItemKind::Rejected(issue) => {
            assert_eq!(issue.path, "$.x.start_time");
            assert!(issue.reason.contains("not a timestamp"));
        }
        other => panic!("{other:?}"),
    }
    let mut lenient = ParseCtx::new(Tz::UTC, false);
    let items = parse(&v, "$", &mut lenient);
    let (d, _) = call(&items[0]);
    assert_eq!(d.started_at, None);
    assert_eq!(d.talk_s, None);
    let paths: Vec<&str> = d.warnings.iter().map(|w| w.path.as_str()).collect();
    assert_eq!(paths, vec!["$.start_time", "$.duration"]);
}

#[test]
fn unusable_documents_are_rejected() {
    let mut ctx = strict();
    let items = parse(&serde_json::json!({"hello": 1}), "$[4]", &mut ctx);
    assert!(matches!(&items[0].kind, ItemKind::Rejected(i) if i.path == "$[4]"));
    let items = parse(
        &serde_json::json!({"calls": [7, {"status": "completed"}]}),
        "$",
        &mut ctx,
    );
    assert!(matches!(&items[0].kind, ItemKind::Rejected(i) if i.path == "$.calls[0]"));
    assert!(matches!(&items[1].kind, ItemKind::Rejected(i) if i.path == "$.calls[1].sid"));
}

// ---------------------------------------------------------------- recordings

#[test]
fn recording_fetch_folds_into_its_call() {
    let v = json("call_recording_fetch.json");
    let items = parse(&v, "$", &mut strict());
    assert_eq!(items.len(), 1);
    let (d, event) = call(&items[0]);
    assert!(event);
    assert_eq!(d.id().as_deref(), Some(format!("twilio:{CA_A}").as_str()));
    assert_eq!(d.tenant.as_deref(), Some(AC_A));
    assert_eq!(
        d.recording_url.as_deref(),
        Some(
            "https://api.twilio.com/2010-04-01/Accounts/ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa/Recordings/REaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
        )
    );
    assert_eq!(d.precedence / TIER_UNIT, TIER_RECORDING);
    let kept = &d.extra["recording:REaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"];
    assert_eq!(kept["duration"], "4");
    assert_eq!(kept["source"], "StartCallRecordingAPI");
    // The recording never overrides the call's own fields.
    assert_eq!((d.started_at, d.outcome, d.cost), (None, None, None));

    // Folded with the call it belongs to (calls[0] mapped as a call of its own).
    let page = json("call_list_page1.json");
    let own = standalone(&page["calls"][0], &mut strict());
    let r = record(CallDraft::fold(vec![d.clone(), own]));
    assert_eq!(r.outcome, Outcome::Voicemail);
    assert!(r.recording_url.is_some());
}

#[test]
fn recording_without_media_sets_no_url() {
    let v = serde_json::json!({"sid": "RE1", "call_sid": "CA1", "account_sid": "AC1", "status": "absent"});
    let items = parse(&v, "$", &mut strict());
    assert_eq!(call(&items[0]).0.recording_url, None);
    let conf = serde_json::json!({"sid": "RE2", "call_sid": null, "conference_sid": "CF1"});
    assert!(matches!(
        parse(&conf, "$", &mut strict())[0].kind,
        ItemKind::NonCall { .. }
    ));
}

// ---------------------------------------------------------------- Voice Insights

#[test]
fn insights_list_summaries() {
    let v = json("insights_call_summaries_list.json");
    let mut ctx = strict();
    let items = parse(&v, "$", &mut ctx);
    assert_eq!(items.len(), 2);
    assert_eq!(items[1].path, "$.call_summaries[1]");
    let (d0, event0) = call(&items[0]);
    assert!(!event0);
    assert_eq!(d0.precedence, precedence(TIER_CALL, 4, RANK_INSIGHTS, 0));
    let r0 = record(d0.clone());
    assert_eq!(r0.id, format!("twilio:{CA_A}"));
    assert_eq!(r0.tenant.as_deref(), Some(AC_A));
    assert_eq!(r0.direction, Direction::Inbound);
    // completed + inbound: answered (machine_start only makes outbound calls voicemail)
    assert_eq!(r0.outcome, Outcome::Answered);
    assert_eq!(reason(&r0), (EndedReasonCategory::Other, "completed"));
    assert_eq!(r0.started_at, at("2021-08-25T03:40:25Z"));
    assert_eq!(r0.ended_at, Some(at("2021-08-25T03:40:45Z")));
    // 20 s span, connect_duration 20 -> wait 0
    assert_eq!(
        (r0.duration_s, r0.talk_s, r0.wait_s),
        (Some(20.0), Some(20.0), Some(0.0))
    );
    assert_eq!(r0.customer_number.as_deref(), Some("+15555555555"));
    assert_eq!(r0.business_number.as_deref(), Some("+15555555556"));
    assert_eq!(r0.tags, vec!["high_packet_loss", "high_jitter"]);
    // jitter avg: inbound 0.483035, outbound 0.364434 -> worst 0.483035; loss 0.0 both ways
    let q = r0.quality.clone().unwrap();
    assert_eq!(q.jitter_ms, Some(0.483035));
    assert_eq!(q.packet_loss, Some(0.0));
    assert_eq!(q.codec.as_deref(), Some("pcmu"));
    assert_eq!((q.mos, q.rtt_ms), (None, None));
    assert_eq!(r0.extra["call_type"], "carrier");
    assert_eq!(r0.extra["duration"], 20);
    assert_eq!(r0.extra["to"]["carrier"], "AT&T Wireless");

    let r1 = record(call(&items[1]).0.clone());
    assert_eq!(r1.started_at, at("2021-08-25T02:20:25Z"));
    // 02:20:25 -> 02:40:45 is 1220 s; connect_duration 18; wait 1220 - 18 = 1202
    assert_eq!(
        (r1.duration_s, r1.talk_s, r1.wait_s),
        (Some(1220.0), Some(18.0), Some(1202.0))
    );
    assert!(r1.tags.is_empty());
    assert!(ctx.unknown_words.is_empty());
}

#[test]
fn insights_fetch_ringing_summary() {
    let v = json("insights_call_summary_fetch.json");
    let items = parse(&v, "$", &mut strict());
    let (d, event) = call(&items[0]);
    assert!(!event);
    assert_eq!(d.precedence, precedence(TIER_CALL, 2, RANK_INSIGHTS, 0));
    let r = record(d.clone());
    assert_eq!(r.id, format!("twilio:{CA_A}"));
    assert_eq!(r.outcome, Outcome::Active);
    assert_eq!(r.raw_status.as_deref(), Some("ringing"));
    assert_eq!(r.ended_reason, None);
    assert_eq!(r.direction, Direction::Unknown);
    assert_eq!(r.started_at, at("2015-07-30T20:00:00Z"));
    // Active: no end, no talk (connect_duration 99 and end_time stay in extra).
    assert_eq!((r.ended_at, r.talk_s, r.duration_s), (None, None, None));
    assert_eq!(r.extra["connect_duration"], 99);
    assert_eq!(r.extra["end_time"], "2015-07-30T20:00:00Z");
    assert_eq!(r.tags, vec!["tags"]);
    assert_eq!(r.quality, None);
    assert_eq!(
        (r.customer_number.clone(), r.business_number.clone()),
        (None, None)
    );
    assert_eq!(
        r.extra["annotation"]["connectivity_issue"],
        "invalid_number"
    );
}

#[test]
fn rest_status_beats_insights_and_insights_adds_quality() {
    let mut ctx = strict();
    let list = json("insights_call_summaries_list.json");
    let insights = call(&parse(&list["call_summaries"][0], "$", &mut ctx)[0])
        .0
        .clone();
    // The REST record of the same call says no-answer (outbound).
    let mut rest = parent_json("no-answer", "outbound-api");
    rest["sid"] = Value::String(CA_A.into());
    rest["duration"] = Value::String("0".into());
    let rest = call(&parse(&rest, "$", &mut ctx)[0]).0.clone();
    let folded = CallDraft::fold(vec![rest.clone(), insights.clone()]);
    assert_eq!(folded, CallDraft::fold(vec![insights, rest]));
    let r = record(folded);
    assert_eq!(r.outcome, Outcome::Unanswered);
    assert_eq!(r.raw_status.as_deref(), Some("no-answer"));
    assert_eq!(r.started_at, at("2019-10-18T17:01:00Z"));
    assert_eq!(r.talk_s, Some(0.0));
    assert_eq!(r.quality.and_then(|q| q.jitter_ms), Some(0.483035));
    assert_eq!(r.tags, vec!["high_packet_loss", "high_jitter"]);
}

#[test]
fn insights_child_leg_is_not_a_call() {
    let v = serde_json::json!({"call_sid": "CA2", "call_state": "completed", "properties": {"direction": "outbound_dial"}});
    assert!(matches!(
        parse(&v, "$", &mut strict())[0].kind,
        ItemKind::NonCall { .. }
    ));
}

#[test]
fn insights_other_words() {
    let mut ctx = strict();
    for (state, dir, outcome) in [
        ("noanswer", "inbound", Outcome::Missed),
        ("noanswer", "outbound_api", Outcome::Unanswered),
        ("fail", "trunking_terminating", Outcome::Failed),
        ("undialed", "outbound_api", Outcome::Canceled),
        ("answered", "trunking_originating", Outcome::Answered),
    ] {
        let v = serde_json::json!({
            "call_sid": "CA3", "call_state": state, "properties": {"direction": dir},
            "start_time": "2021-08-25T03:40:25Z", "end_time": "2021-08-25T03:40:45Z"
        });
        let r = record(call(&parse(&v, "$", &mut ctx)[0]).0.clone());
        assert_eq!(r.outcome, outcome, "{state}");
        // The finalize pass reads the Insights word too.
        assert_eq!(r.raw_status.as_deref(), Some(state));
    }
}

#[test]
fn edge_quality_reads_mos_and_rtt() {
    let v = serde_json::json!({"carrier_edge": null, "sdk_edge": {"metrics": {
        "inbound": {"mos": {"avg": 4.1}, "rtt": {"avg": 80.0}, "jitter": {"avg": 3.0}, "packets_loss_percentage": 1.5},
        "outbound": {"mos": {"avg": 3.9}, "rtt": {"avg": 95.0}, "codec_name": "opus"}
    }}});
    let q = edge_quality(&v).unwrap();
    assert_eq!(
        (q.mos, q.rtt_ms, q.jitter_ms, q.packet_loss),
        (Some(3.9), Some(95.0), Some(3.0), Some(1.5))
    );
    assert_eq!(q.codec.as_deref(), Some("opus"));
    assert_eq!(edge_quality(&serde_json::json!({"sip_edge": {}})), None);
}

// ---------------------------------------------------------------- status callbacks

#[test]
fn human_form_fixture_terminal_only() {
    let mut ctx = strict();
    let item = parse_form(
        &form(&data("status_callback_completed_human.form")),
        &mut ctx,
    );
    assert_eq!(item.path, "$");
    let (d, event) = call(&item);
    assert!(event);
    assert_eq!(d.precedence, precedence(TIER_CALL, 4, RANK_CALLBACK, 0));
    let r = record(d.clone());
    assert_eq!(r.id, "twilio:CAf19604a3eec3e63d157870c5f7f3b3a0");
    assert_eq!(
        r.tenant.as_deref(),
        Some("AC8d88ba5085adeac4015ea92ec9a81ded")
    );
    assert_eq!(r.direction, Direction::Outbound);
    assert_eq!(r.outcome, Outcome::Answered);
    assert_eq!(reason(&r), (EndedReasonCategory::Other, "completed"));
    // "Thurs, 20 July 1989 18:30:43 +0000" (hand-edited, non-RFC day and month names)
    assert_eq!(r.ended_at, Some(at("1989-07-20T18:30:43Z")));
    // Only the terminal event: start = 18:30:43 - CallDuration 42 = 18:30:01; no answer time.
    assert_eq!(r.started_at, at("1989-07-20T18:30:01Z"));
    assert_eq!((r.talk_s, r.duration_s), (Some(42.0), Some(42.0)));
    assert_eq!((r.answered_at, r.wait_s), (None, None));
    assert!(r.extra.contains_key("started_at_estimated"));
    // outbound-api: customer = To, business = From
    assert_eq!(r.customer_number.as_deref(), Some("+15005550006"));
    assert_eq!(r.business_number.as_deref(), Some("+15107571675"));
    assert_eq!(r.extra["AnsweredBy"], "human");
    assert_eq!(r.extra["CalledCity"], "NEW YORK");
    assert_eq!(
        r.extra["Timestamp.completed"],
        "Thurs, 20 July 1989 18:30:43 +0000"
    );
    assert!(ctx.unknown_words.is_empty());
}

#[test]
fn machine_form_fixture_without_call_duration() {
    let mut ctx = strict();
    let item = parse_form(
        &form(&data("status_callback_completed_machine.form")),
        &mut ctx,
    );
    let r = record(call(&item).0.clone());
    // outbound-api, completed, AnsweredBy=machine (the legacy AMD word) -> voicemail
    assert_eq!(r.outcome, Outcome::Voicemail);
    assert_eq!(reason(&r), (EndedReasonCategory::Other, "completed"));
    // No CallDuration and no earlier event: the Timestamp is the only instant known.
    assert_eq!(r.started_at, at("1989-07-20T18:30:43Z"));
    assert_eq!((r.ended_at, r.duration_s, r.talk_s), (None, None, None));
    assert!(ctx.unknown_words.is_empty());
}

fn cb(status: &str, seq: u32, ts: &str, extra: &str) -> String {
    format!(
        "CallSid=CA100&AccountSid=AC1&From=%2B14158675309&To=%2B18005551212&Direction=inbound\
         &CallStatus={status}&SequenceNumber={seq}&Timestamp={ts}&CallbackSource=call-progress-events{extra}"
    )
}

fn lifecycle() -> Vec<String> {
    vec![
        cb("ringing", 0, "Mon,+01+Jan+2024+10:00:00+%2B0000", ""),
        cb("in-progress", 1, "Mon,+01+Jan+2024+10:00:05+%2B0000", ""),
        cb("completed", 2, "Mon,+01+Jan+2024+10:01:05+%2B0000", "&CallDuration=60&Duration=1"),
        // A recording status callback of the call.
        "AccountSid=AC1&CallSid=CA100&RecordingSid=RE100&RecordingUrl=https%3A%2F%2Fapi.twilio.com%2F2010-04-01%2FAccounts%2FAC1%2FRecordings%2FRE100\
         &RecordingStatus=completed&RecordingDuration=58&RecordingChannels=1&RecordingSource=DialVerb"
            .to_string(),
        // The dialed agent's leg (a child: ParentCallSid), completed after 58 s.
        "CallSid=CA200&ParentCallSid=CA100&AccountSid=AC1&From=%2B14158675309&To=client%3Aalice\
         &Direction=outbound-dial&CallStatus=completed&SequenceNumber=3&CallDuration=58\
         &Timestamp=Mon,+01+Jan+2024+10:01:05+%2B0000"
            .to_string(),
    ]
}

fn fold_forms(bodies: &[String]) -> CallDraft {
    let mut ctx = strict();
    let drafts: Vec<CallDraft> = bodies
        .iter()
        .map(|b| {
            let item = parse_form(&form(b), &mut ctx);
            let (d, event) = call(&item);
            assert!(event);
            d.clone()
        })
        .collect();
    CallDraft::fold(drafts)
}

fn permutations(n: usize) -> Vec<Vec<usize>> {
    if n == 0 {
        return vec![vec![]];
    }
    let mut out = Vec::new();
    for p in permutations(n - 1) {
        for i in 0..=p.len() {
            let mut q = p.clone();
            q.insert(i, n - 1);
            out.push(q);
        }
    }
    out
}

#[test]
fn callbacks_fold_in_every_order() {
    let bodies = lifecycle();
    let orders = permutations(bodies.len());
    assert_eq!(orders.len(), 120);
    let base = fold_forms(&bodies);
    for order in &orders {
        let shuffled: Vec<String> = order.iter().map(|i| bodies[*i].clone()).collect();
        assert_eq!(fold_forms(&shuffled), base, "{order:?}");
    }
    let r = record(base);
    assert_eq!(r.id, "twilio:CA100");
    assert_eq!(r.tenant.as_deref(), Some("AC1"));
    assert_eq!(r.direction, Direction::Inbound);
    assert_eq!(r.outcome, Outcome::Answered);
    assert_eq!(r.raw_status.as_deref(), Some("completed"));
    assert_eq!(reason(&r), (EndedReasonCategory::Other, "completed"));
    // ringing 10:00:00, in-progress 10:00:05, completed 10:01:05, CallDuration 60
    assert_eq!(r.started_at, at("2024-01-01T10:00:00Z"));
    assert_eq!(r.answered_at, Some(at("2024-01-01T10:00:05Z")));
    assert_eq!(r.ended_at, Some(at("2024-01-01T10:01:05Z")));
    assert_eq!(
        (r.duration_s, r.talk_s, r.wait_s),
        (Some(65.0), Some(60.0), Some(5.0))
    );
    assert_eq!(r.customer_number.as_deref(), Some("+14158675309"));
    assert_eq!(r.business_number.as_deref(), Some("+18005551212"));
    assert_eq!(
        r.recording_url.as_deref(),
        Some("https://api.twilio.com/2010-04-01/Accounts/AC1/Recordings/RE100")
    );
    assert_eq!(r.extra["recording:RE100"]["RecordingDuration"], "58");
    // The child leg: the agent, and its summary.
    assert_eq!(
        r.agent.as_ref().and_then(|a| a.id.as_deref()),
        Some("alice")
    );
    assert_eq!(r.extra["leg:CA200"]["to"], "client:alice");
    assert_eq!(r.extra["leg:CA200"]["talk_s"], 58.0);
    assert_eq!(
        r.extra["Timestamp.ringing"],
        "Mon, 01 Jan 2024 10:00:00 +0000"
    );
    assert_eq!(r.extra["Duration"], "1");
    assert!(!r.extra.contains_key("started_at_estimated"));
}

#[test]
fn every_subset_of_the_lifecycle_gives_a_sound_record() {
    let bodies = lifecycle();
    let call_events = &bodies[..3];
    // ringing + completed (no in-progress): wait = (10:01:05 - 10:00:00) - 60 = 5
    let r = record(fold_forms(&[
        call_events[0].clone(),
        call_events[2].clone(),
    ]));
    assert_eq!(
        (r.duration_s, r.talk_s, r.wait_s),
        (Some(65.0), Some(60.0), Some(5.0))
    );
    assert_eq!(r.answered_at, Some(at("2024-01-01T10:00:05Z")));
    // ringing + in-progress: active, answered so far, no end.
    let r = record(fold_forms(&[
        call_events[1].clone(),
        call_events[0].clone(),
    ]));
    assert_eq!(r.outcome, Outcome::Active);
    assert_eq!(r.raw_status.as_deref(), Some("in-progress"));
    assert_eq!((r.ended_at, r.ended_reason.clone()), (None, None));
    assert_eq!(r.answered_at, Some(at("2024-01-01T10:00:05Z")));
    // in-progress + completed: no start event, so the start is estimated as
    // 10:01:05 - 60 s = 10:00:05 (here equal to the known answer instant).
    let r = record(fold_forms(&[
        call_events[2].clone(),
        call_events[1].clone(),
    ]));
    assert_eq!(r.started_at, at("2024-01-01T10:00:05Z"));
    assert_eq!(r.answered_at, Some(at("2024-01-01T10:00:05Z")));
    assert_eq!((r.duration_s, r.talk_s), (Some(60.0), Some(60.0)));
    // in-progress alone: an active call, started (at the latest) when it was answered.
    let r = record(fold_forms(&[call_events[1].clone()]));
    assert_eq!(r.outcome, Outcome::Active);
    assert_eq!(r.started_at, at("2024-01-01T10:00:05Z"));
    assert_eq!(r.answered_at, Some(at("2024-01-01T10:00:05Z")));
    assert_eq!(r.extra["started_at_estimated"], "answered_at");
    // Duplicates (Twilio retries) change nothing.
    let mut twice = bodies.clone();
    twice.extend(bodies.clone());
    assert_eq!(fold_forms(&twice), fold_forms(&bodies));
}

#[test]
fn earliest_start_event_wins() {
    let initiated = cb("initiated", 0, "Mon,+01+Jan+2024+09:59:58+%2B0000", "");
    let ringing = cb("ringing", 1, "Mon,+01+Jan+2024+10:00:00+%2B0000", "");
    let done = cb(
        "no-answer",
        2,
        "Mon,+01+Jan+2024+10:00:30+%2B0000",
        "&CallDuration=0",
    );
    for order in permutations(3) {
        let all = [&initiated, &ringing, &done];
        let bodies: Vec<String> = order.iter().map(|i| all[*i].clone()).collect();
        let r = record(fold_forms(&bodies));
        assert_eq!(r.started_at, at("2024-01-01T09:59:58Z"), "{order:?}");
        // 09:59:58 -> 10:00:30 = 32 s; inbound no-answer -> missed, no wait
        assert_eq!(r.duration_s, Some(32.0));
        assert_eq!(
            (r.outcome, r.wait_s, r.answered_at),
            (Outcome::Missed, None, None)
        );
    }
}

#[test]
fn sequence_number_orders_events_of_one_stage() {
    // Two terminal callbacks (a retry with a later sequence number carries the price-time
    // CallDuration); the higher SequenceNumber wins, whatever the arrival order.
    let a = cb(
        "completed",
        2,
        "Mon,+01+Jan+2024+10:01:05+%2B0000",
        "&CallDuration=59",
    );
    let b = cb(
        "completed",
        3,
        "Mon,+01+Jan+2024+10:01:05+%2B0000",
        "&CallDuration=60",
    );
    assert_eq!(fold_forms(&[a.clone(), b.clone()]).talk_s, Some(60.0));
    assert_eq!(fold_forms(&[b, a]).talk_s, Some(60.0));
}

#[test]
fn answered_by_from_an_earlier_event_makes_voicemail() {
    let base =
        "CallSid=CA7&AccountSid=AC1&From=%2B18005551212&To=%2B14158675309&Direction=outbound-api";
    let answered = format!(
        "{base}&CallStatus=in-progress&SequenceNumber=1&AnsweredBy=machine_end_beep&Timestamp=Mon,+01+Jan+2024+10:00:05+%2B0000"
    );
    let done = format!(
        "{base}&CallStatus=completed&SequenceNumber=2&CallDuration=20&Timestamp=Mon,+01+Jan+2024+10:00:25+%2B0000"
    );
    for bodies in [[answered.clone(), done.clone()], [done, answered]] {
        let r = record(fold_forms(&bodies));
        assert_eq!(r.outcome, Outcome::Voicemail);
        // voicemail: talk kept, answer time and wait dropped
        assert_eq!(
            (r.talk_s, r.answered_at, r.wait_s),
            (Some(20.0), None, None)
        );
        assert_eq!(r.customer_number.as_deref(), Some("+14158675309"));
    }
}

#[test]
fn dial_action_callback_records_the_leg() {
    let body = "CallSid=CA100&AccountSid=AC1&From=%2B14158675309&To=%2B18005551212&Direction=inbound\
                &CallStatus=in-progress&DialCallStatus=no-answer&DialCallSid=CA300&DialCallDuration=0\
                &DialBridged=false&RecordingUrl=https%3A%2F%2Fapi.twilio.com%2Frec%2FRE9";
    let item = parse_form(&form(body), &mut strict());
    let (d, event) = call(&item);
    assert!(event);
    assert_eq!(d.provider_call_id.as_deref(), Some("CA100"));
    assert_eq!(d.extra["leg:CA300"]["status"], "no-answer");
    assert_eq!(d.extra["leg:CA300"]["outcome"], "unanswered");
    assert_eq!(d.extra["leg:CA300"]["talk_s"], 0.0);
    assert_eq!(
        d.recording_url.as_deref(),
        Some("https://api.twilio.com/rec/RE9")
    );
    assert_eq!(d.outcome, Some(Outcome::Active));
}

#[test]
fn child_leg_answered_by_machine_names_no_agent() {
    let body = "CallSid=CA201&ParentCallSid=CA100&AccountSid=AC1&To=client%3Abob&Direction=outbound-dial\
                &CallStatus=completed&AnsweredBy=machine_start&CallDuration=3";
    let item = parse_form(&form(body), &mut strict());
    let d = call(&item).0;
    assert_eq!(d.provider_call_id.as_deref(), Some("CA100"));
    assert_eq!(d.agent, None);
    assert_eq!(d.extra["leg:CA201"]["outcome"], "voicemail");
    let ringing = "CallSid=CA202&ParentCallSid=CA100&To=client%3Acarol&Direction=outbound-dial&CallStatus=ringing";
    assert_eq!(
        call(&parse_form(&form(ringing), &mut strict())).0.agent,
        None
    );
}

#[test]
fn forms_that_are_not_calls() {
    let mut ctx = strict();
    let sms = parse_form(&form("MessageSid=SM1&AccountSid=AC1&Body=hi"), &mut ctx);
    assert!(matches!(sms.kind, ItemKind::NonCall { .. }));
    let junk = parse_form(&form("foo=bar"), &mut ctx);
    assert!(matches!(&junk.kind, ItemKind::Rejected(i) if i.path == "CallSid"));
    let bad_ts = parse_form(
        &form("CallSid=CA1&CallStatus=completed&Timestamp=soon"),
        &mut ctx,
    );
    assert!(matches!(&bad_ts.kind, ItemKind::Rejected(i) if i.path == "Timestamp"));
    let mut lenient = ParseCtx::new(Tz::UTC, false);
    let item = parse_form(
        &form("CallSid=CA1&CallStatus=completed&CallDuration=abc&SequenceNumber=x"),
        &mut lenient,
    );
    let paths: Vec<&str> = call(&item)
        .0
        .warnings
        .iter()
        .map(|w| w.path.as_str())
        .collect();
    assert_eq!(paths, vec!["SequenceNumber", "CallDuration"]);
}

#[test]
fn finalize_leaves_other_providers_alone() {
    let mut d = CallDraft::new(Provider::Vapi, "x");
    d.raw_status = Some("completed".into());
    let before = d.clone();
    finalize(&mut d);
    assert_eq!(d, before);
}

// ---------------------------------------------------------------- Event Streams

#[test]
fn event_streams_status_callback_and_summary() {
    let ev = serde_json::json!({
        "specversion": "1.0", "type": "com.twilio.voice.status-callback.call.completed",
        "source": "/2010-04-01/Accounts/AC1/Calls/CA100.json", "id": "EZ1",
        "datacontenttype": "application/json",
        "data": {"sid": "CA100", "timestamp": "2024-01-01T10:01:05Z", "request": {
            "method": "POST", "url": "https://example.com/hook",
            "parameters": {
                "CallSid": "CA100", "AccountSid": "AC1", "CallStatus": "completed",
                "Direction": "inbound", "From": "+14158675309", "To": "+18005551212",
                "Timestamp": "Mon, 01 Jan 2024 10:01:05 +0000", "CallDuration": "60",
                "SequenceNumber": 2
            }
        }}
    });
    assert!(detect(&ev));
    let mut ctx = strict();
    let items = parse(&ev, "$[0]", &mut ctx);
    assert_eq!(items.len(), 1);
    assert_eq!(items[0].path, "$[0]");
    let (d, event) = call(&items[0]);
    assert!(event);
    assert_eq!(d.precedence, precedence(TIER_CALL, 4, RANK_CALLBACK, 2));
    assert_eq!(d.ended_at, Some(at("2024-01-01T10:01:05Z")));
    assert_eq!(d.talk_s, Some(60.0));
    // Folds with the ringing form body like any other callback of the call:
    // 10:00:00 -> 10:01:05 = 65 s, talk 60, wait 5.
    let ringing = parse_form(&form(&lifecycle()[0]), &mut ctx);
    let r = record(CallDraft::fold(vec![d.clone(), call(&ringing).0.clone()]));
    assert_eq!(
        (r.duration_s, r.talk_s, r.wait_s),
        (Some(65.0), Some(60.0), Some(5.0))
    );

    let list = json("insights_call_summaries_list.json");
    let summary = serde_json::json!({
        "specversion": "1.0", "type": "com.twilio.voice.insights.call-summary.complete",
        "data": list["call_summaries"][0].clone()
    });
    assert!(detect(&summary));
    let items = parse(&summary, "$", &mut ctx);
    assert_eq!(items[0].path, "$.data");
    let (d, event) = call(&items[0]);
    assert!(!event);
    assert_eq!(d.quality.as_ref().and_then(|q| q.jitter_ms), Some(0.483035));

    let metrics = serde_json::json!({"specversion": "1.0", "type": "com.twilio.voice.insights.call-metrics.gateway", "data": {"call_sid": "CA1"}});
    assert!(matches!(
        parse(&metrics, "$", &mut ctx)[0].kind,
        ItemKind::NonCall { .. }
    ));
    let empty = serde_json::json!({"specversion": "1.0", "type": "com.twilio.voice.status-callback.call.ringing"});
    assert!(
        matches!(&parse(&empty, "$", &mut ctx)[0].kind, ItemKind::Rejected(i) if i.path == "$.data")
    );
    let other = serde_json::json!({"specversion": "1.0", "type": "com.twilio.messaging.inbound-message.received", "data": {}});
    assert!(!detect(&other));
}

#[test]
fn non_call_resources_in_a_list() {
    let v = serde_json::json!({"calls": [{"sid": "SMaaaa", "account_sid": "AC1"}]});
    let items = parse(&v, "$", &mut strict());
    assert!(matches!(&items[0].kind, ItemKind::NonCall { what } if what.contains("SMaaaa")));
}

// ---------------------------------------------------------------- odd values

fn odd_values() -> Vec<Value> {
    serde_json::json!([
        null, "", " ", 0, -1, 1e300, -0.0, true, [], {}, [1, "a"], {"a": {"b": null}},
        "Thu, 99 Foo 2020 99:99:99 +9999", "-5", "NaN", "1e400", "\u{0}", "é✓😀",
        "client:", "+", "CA", "RE", "machine_start", "completed", "no-answer", "outbound-dial"
    ])
    .as_array()
    .cloned()
    .unwrap_or_default()
}

fn settle(items: Vec<Item>) {
    for item in items {
        if let ItemKind::Call { mut draft, .. } = item.kind {
            finalize(&mut draft);
            let _ = draft.clone().into_record(true);
            if let Ok((rec, _)) = draft.into_record(false) {
                assert!(rec.violations().is_empty(), "{:?}", rec.violations());
            }
        }
    }
}

#[test]
fn odd_values_in_every_field_never_panic() {
    let docs = [
        json("call_fetch.json"),
        parent_json("completed", "inbound"),
        json("call_recording_fetch.json"),
        json("insights_call_summary_fetch.json"),
        json("insights_call_summaries_list.json")["call_summaries"][0].clone(),
    ];
    for doc in docs {
        let keys: Vec<String> = doc.as_object().unwrap().keys().cloned().collect();
        for key in keys {
            for odd in odd_values() {
                let mut v = doc.clone();
                v[&key] = odd.clone();
                for strict_mode in [true, false] {
                    let mut ctx = ParseCtx::new(Tz::UTC, strict_mode);
                    settle(parse(&v, "$", &mut ctx));
                }
            }
        }
    }
    for odd in odd_values() {
        for doc in [
            serde_json::json!({"calls": [odd.clone()], "uri": "/2010-04-01/Accounts/AC1/Calls.json"}),
            serde_json::json!({"call_summaries": odd.clone(), "meta": {}}),
            serde_json::json!({"specversion": "1.0", "type": "com.twilio.voice.x", "data": {"request": {"parameters": odd.clone()}}}),
            odd.clone(),
        ] {
            let _ = detect(&doc);
            settle(parse(&doc, "$", &mut ParseCtx::new(Tz::UTC, false)));
        }
    }
}

#[test]
fn odd_form_values_never_panic() {
    let bodies: Vec<String> = lifecycle()
        .into_iter()
        .chain([data("status_callback_completed_human.form")])
        .collect();
    let odd_texts = [
        "",
        "-1",
        "1e400",
        "NaN",
        "abc",
        "Thurs, 99 July 1989",
        "client:",
        "99999999999999999999",
        "completed",
        "machine",
        "in-progress",
    ];
    for body in bodies {
        let pairs = form(&body);
        for i in 0..pairs.len() {
            for odd in odd_texts {
                let mut p = pairs.clone();
                p[i].1 = odd.to_string();
                for strict_mode in [true, false] {
                    let mut ctx = ParseCtx::new(Tz::UTC, strict_mode);
                    settle(vec![parse_form(&p, &mut ctx)]);
                }
            }
        }
    }
    // Huge talk with a terminal event only: the start estimate stays in range or is skipped.
    let body = "CallSid=CA1&CallStatus=completed&Timestamp=Mon,+01+Jan+0001+00:00:00+%2B0000&CallDuration=999999999";
    settle(vec![parse_form(
        &form(body),
        &mut ParseCtx::new(Tz::UTC, false),
    )]);
}

#[test]
fn a_string_that_is_no_encoded_leg_is_no_leg() {
    assert_eq!(LegView::decode("not a leg"), None);
    assert_eq!(LegView::decode("[[null],[],[]]"), None);
    let mut d = CallDraft::new(P, PARENT_F);
    d.extra
        .insert(format!("leg:{CA_A}"), Value::String("{}".into()));
    stand_in_for_parent(&mut d);
    assert_eq!(d.started_at, None);
}

mod lean_legs {
    use super::*;
    use proptest::prelude::*;

    fn instant() -> impl Strategy<Value = DateTime<Utc>> {
        // chrono's whole range (years -262143..=262142), and years 1..=9999 more often
        prop_oneof![
            (
                -8_334_601_228_800i64..8_210_266_876_799,
                0u32..1_000_000_000
            ),
            (-62_135_596_800i64..253_402_300_799, 0u32..1_000_000_000),
            (
                0i64..2_000_000_000,
                prop::sample::select(vec![0u32, 500_000_000, 1])
            )
        ]
        .prop_filter_map("in range", |(s, n)| DateTime::from_timestamp(s, n))
    }

    fn number() -> impl Strategy<Value = f64> {
        prop_oneof![
            any::<f64>(),
            prop::sample::select(vec![0.0, -0.0, f64::NAN, f64::INFINITY, 4.0, 0.2]),
        ]
    }

    fn text() -> impl Strategy<Value = String> {
        prop_oneof![
            "[ -~]{0,12}",
            "\\PC{0,6}",
            prop::sample::select(vec![
                "+14155550100".to_string(),
                "client:ann".to_string(),
                "completed".to_string(),
                "inbound".to_string(),
                "answered".to_string(),
                "2019-10-18T17:02:00Z".to_string(),
                "a\"b\\\n\u{1f}".to_string(),
            ]),
        ]
    }

    fn value() -> impl Strategy<Value = Value> {
        prop_oneof![
            text().prop_map(Value::String),
            number().prop_map(Value::from),
            any::<i64>().prop_map(Value::from),
            Just(Value::Null),
        ]
    }

    prop_compose! {
        fn leg()(
            status in prop::option::of(text()),
            outcome in prop::option::of(prop::sample::select(Outcome::ALL)),
            direction in prop::option::of(prop::sample::select(Direction::ALL)),
            times in [prop::option::of(instant()), prop::option::of(instant()), prop::option::of(instant())],
            talk in prop::option::of(number()),
            cost in prop::option::of(number()),
            extra in prop::collection::vec((prop::sample::select(vec![
                "sid", "status", "outcome", "direction", "from", "to", "started_at",
                "answered_at", "ended_at", "talk_s", "cost", "other",
            ]), value()), 0..6),
        ) -> CallDraft {
            let mut d = CallDraft::new(P, CA_A);
            d.raw_status = status;
            d.outcome = outcome;
            d.direction = direction;
            [d.started_at, d.answered_at, d.ended_at] = times;
            d.talk_s = talk;
            d.cost = cost;
            d.extra = extra.into_iter().map(|(k, v)| (k.to_string(), v)).collect();
            d
        }
    }

    proptest! {
        /// A report's view of a leg, taken from the leg, is what reading its JSON summary
        /// gives (floats compared by their bits: `Debug` tells -0.0 from 0.0), and encoding
        /// it loses nothing.
        #[test]
        fn the_view_of_a_leg_is_the_view_of_its_summary(
            leg in leg(),
            from in prop::option::of(text()),
            to in prop::option::of(text()),
        ) {
            let facts = LegFacts {
                from: from.as_deref().map(Cow::Borrowed),
                to: to.as_deref().map(Cow::Borrowed),
                ..LegFacts::default()
            };
            let view = LegView::of(&leg, CA_A, &facts);
            let read = LegView::read(&leg_summary(&leg, CA_A, &facts));
            prop_assert_eq!(format!("{view:?}"), format!("{read:?}"));
            let back = LegView::decode(&view.encode());
            prop_assert_eq!(format!("{back:?}"), format!("{:?}", Some(view)));
        }

        /// Where `as_reread` skips the text, the text gives the instant back.
        #[test]
        fn an_instant_of_years_1_to_9999_reads_back_from_its_text(t in instant()) {
            let written = rfc3339(t);
            let reread = written
                .as_str()
                .and_then(|s| crate::time::parse_instant(s, Tz::UTC));
            prop_assert_eq!(as_reread(t), reread);
        }
    }
}
