//! The terminal rendering of the report: titled sections, aligned columns.

use super::{counts, fmt_number, fmt_value, label, leaves, num, rows};
use serde_json::{Map, Value};
use std::fmt::Write as _;

/// Rows shown for long lists (keywords, rejected items, busiest buckets).
const KEYWORDS_SHOWN: usize = 20;
const ISSUES_SHOWN: usize = 10;
const BUCKETS_SHOWN: usize = 5;

/// A text table with right-aligned numeric columns.
struct Table {
    headers: Vec<String>,
    right: Vec<bool>,
    rows: Vec<Vec<String>>,
}

impl Table {
    fn new(headers: &[&str], right: &[bool]) -> Table {
        Table {
            headers: headers.iter().map(|s| s.to_string()).collect(),
            right: right.to_vec(),
            rows: Vec::new(),
        }
    }

    fn push(&mut self, row: Vec<String>) {
        self.rows.push(row);
    }

    fn render(&self, out: &mut String) {
        if self.rows.is_empty() {
            out.push_str("  (none)\n");
            return;
        }
        let width = |i: usize| {
            self.rows
                .iter()
                .filter_map(|r| r.get(i))
                .chain(self.headers.get(i))
                .map(|c| c.chars().count())
                .max()
                .unwrap_or(0)
        };
        let widths: Vec<usize> = (0..self.headers.len()).map(width).collect();
        let line = |cells: &[String], out: &mut String| {
            out.push(' ');
            for (i, w) in widths.iter().enumerate() {
                let cell = cells.get(i).map(String::as_str).unwrap_or("");
                let pad = w.saturating_sub(cell.chars().count());
                out.push(' ');
                if self.right.get(i).copied().unwrap_or(false) {
                    out.push_str(&" ".repeat(pad));
                    out.push_str(cell);
                } else {
                    out.push_str(cell);
                    out.push_str(&" ".repeat(pad));
                }
                out.push(' ');
            }
            while out.ends_with(' ') {
                out.pop();
            }
            out.push('\n');
        };
        line(&self.headers, out);
        let rule: Vec<String> = widths.iter().map(|w| "-".repeat(*w)).collect();
        line(&rule, out);
        for r in &self.rows {
            line(r, out);
        }
    }
}

fn section(out: &mut String, title: &str) {
    let _ = write!(out, "\n{title}\n{}\n", "=".repeat(title.chars().count()));
}

/// Key/value lines of an object's scalar leaves (nested objects one level deep).
fn key_values(out: &mut String, obj: Option<&Value>, skip: &[&str]) {
    let Some(obj) = obj.filter(|v| v.is_object()) else {
        out.push_str("  (not available)\n");
        return;
    };
    let items: Vec<_> = leaves(obj)
        .into_iter()
        .filter(|(path, _, _, _)| {
            !skip
                .iter()
                .any(|s| path == s || path.starts_with(&format!("{s}.")))
        })
        .collect();
    let width = items
        .iter()
        .map(|(p, ..)| p.chars().count())
        .max()
        .unwrap_or(0);
    for (path, key, parent, v) in items {
        let _ = writeln!(
            out,
            "  {path:<width$}  {}",
            fmt_value(&key, parent.as_deref(), &v)
        );
    }
}

/// A table of an array of objects: the given columns that occur in at least one row.
fn object_table(out: &mut String, list: Option<&Value>, columns: &[&str], limit: usize) {
    let rows = rows(list);
    let present: Vec<&str> = columns
        .iter()
        .copied()
        .filter(|c| rows.iter().any(|r| r.contains_key(*c)))
        .collect();
    let right: Vec<bool> = present
        .iter()
        .map(|c| rows.iter().any(|r| r.get(*c).is_some_and(Value::is_number)))
        .collect();
    let mut t = Table::new(&present, &right);
    for r in rows.iter().take(limit) {
        t.push(present.iter().map(|c| cell(r, c)).collect());
    }
    t.render(out);
    if rows.len() > limit {
        let _ = writeln!(out, "  ({} of {} rows shown)", limit, rows.len());
    }
}

fn cell(row: &Map<String, Value>, key: &str) -> String {
    match row.get(key) {
        Some(Value::Null) | None if is_key_column(key) => "(none)".into(),
        Some(v) => fmt_value(key, None, v),
        None => "-".into(),
    }
}

fn is_key_column(key: &str) -> bool {
    matches!(
        key,
        "agent" | "category" | "endedReason" | "intent" | "keyword"
    )
}

fn bar(value: f64, max: f64, width: usize) -> String {
    if max <= 0.0 || !value.is_finite() {
        return String::new();
    }
    "#".repeat(((value / max) * width as f64).round() as usize)
}

fn count_table(out: &mut String, title: &str, pairs: &[(String, f64)]) {
    let max = pairs.iter().map(|p| p.1).fold(0.0, f64::max);
    let mut t = Table::new(&[title, "calls", ""], &[false, true, false]);
    for (k, n) in pairs {
        t.push(vec![k.clone(), fmt_number(*n), bar(*n, max, 30)]);
    }
    t.render(out);
}

fn ingest(out: &mut String, ingest: Option<&Value>) {
    section(out, "Ingest");
    let Some(ing) = ingest.filter(|v| v.is_object()) else {
        out.push_str("  (not available)\n");
        return;
    };
    let n = |k: &str| {
        ing.get(k)
            .and_then(Value::as_f64)
            .map_or("-".into(), fmt_number)
    };
    let len = |k: &str| ing.get(k).and_then(Value::as_array).map_or(0, Vec::len);
    let _ = writeln!(
        out,
        "  records in {}   out {}   duplicates merged {}   events folded {}   non-call items {}   rejected {}   warnings {}",
        n("recordsIn"),
        n("recordsOut"),
        n("duplicatesMerged"),
        n("eventsFolded"),
        n("nonCallItems"),
        len("rejected"),
        len("warnings"),
    );
    for kind in ["rejected", "warnings"] {
        let list = rows(ing.get(kind));
        for r in list.iter().take(ISSUES_SHOWN) {
            let _ = writeln!(
                out,
                "  {kind}: {} #{} {}: {}",
                label(r, "source"),
                label(r, "index"),
                label(r, "path"),
                label(r, "reason")
            );
        }
        if list.len() > ISSUES_SHOWN {
            let _ = writeln!(out, "  ... {} more {kind}", list.len() - ISSUES_SHOWN);
        }
    }
    if let Some(vocab) = ing.get("unknownVocabulary").and_then(Value::as_object) {
        for (provider, words) in vocab {
            let words: Vec<String> = counts(Some(words))
                .into_iter()
                .map(|(w, c)| format!("{w} ({})", fmt_number(c)))
                .collect();
            if !words.is_empty() {
                let _ = writeln!(
                    out,
                    "  unknown vocabulary, {provider}: {}",
                    words.join(", ")
                );
            }
        }
    }
}

fn concurrency(out: &mut String, conc: Option<&Value>) {
    section(out, "Concurrency");
    let Some(c) = conc.filter(|v| v.is_object()) else {
        out.push_str("  (not available)\n");
        return;
    };
    key_values(out, Some(c), &["series"]);
    let mut series = rows(c.get("series"));
    if series.is_empty() {
        return;
    }
    series.sort_by(|a, b| {
        let (pa, pb) = (num(a, "peak").unwrap_or(0.0), num(b, "peak").unwrap_or(0.0));
        pb.total_cmp(&pa).then_with(|| {
            num(a, "timestamp")
                .unwrap_or(0.0)
                .total_cmp(&num(b, "timestamp").unwrap_or(0.0))
        })
    });
    let _ = writeln!(
        out,
        "\n  busiest buckets ({} buckets in the series)",
        c["series"].as_array().map_or(0, Vec::len)
    );
    let mut t = Table::new(
        &["bucket start (UTC)", "peak", "average", "starts"],
        &[false, true, true, true],
    );
    for r in series.iter().take(BUCKETS_SHOWN) {
        let ts = num(r, "timestamp")
            .and_then(|t| chrono::DateTime::from_timestamp(t as i64, 0))
            .map_or("-".into(), |t| t.format("%Y-%m-%d %H:%M").to_string());
        t.push(vec![
            ts,
            num(r, "peak").map_or("-".into(), fmt_number),
            num(r, "average").map_or("-".into(), |a| format!("{a:.2}")),
            num(r, "starts").map_or("-".into(), fmt_number),
        ]);
    }
    t.render(out);
}

/// The readable terminal report.
pub fn to_table(report: &Value) -> String {
    let mut out = String::from("callscope report\n");
    ingest(&mut out, report.get("ingest"));

    section(&mut out, "Summary");
    let summary = report.get("summary");
    key_values(
        &mut out,
        summary,
        &[
            "callsByDay",
            "callsByHour",
            "callsByWeekdayHour",
            "callsByOutcome",
            "callsByDirection",
            "callsByProvider",
        ],
    );
    if let Some(s) = summary.filter(|v| v.is_object()) {
        for (key, title) in [
            ("callsByOutcome", "outcome"),
            ("callsByDirection", "direction"),
            ("callsByProvider", "provider"),
            ("callsByDay", "day"),
        ] {
            // zero rows (every vocabulary word is a key) are left out
            let pairs: Vec<_> = counts(s.get(key))
                .into_iter()
                .filter(|p| p.1 != 0.0)
                .collect();
            if !pairs.is_empty() {
                out.push('\n');
                count_table(&mut out, title, &pairs);
            }
        }
    }

    section(&mut out, "KPIs (inbound)");
    key_values(&mut out, report.get("kpis"), &[]);

    section(&mut out, "Agents");
    object_table(
        &mut out,
        report.get("agents"),
        &[
            "agent",
            "count",
            "percentage",
            "answered",
            "missed",
            "totalDuration",
            "averageDuration",
            "aht",
        ],
        usize::MAX,
    );

    section(&mut out, "Ended reasons");
    object_table(
        &mut out,
        report.get("endedReasons"),
        &["category", "count", "percentage"],
        usize::MAX,
    );
    out.push('\n');
    object_table(
        &mut out,
        report.get("endedReasonsRaw"),
        &["endedReason", "category", "count", "percentage"],
        usize::MAX,
    );

    concurrency(&mut out, report.get("concurrency"));

    section(&mut out, "Intents");
    object_table(
        &mut out,
        report.get("intents"),
        &["intent", "count", "percentage"],
        usize::MAX,
    );

    section(&mut out, "Keywords");
    object_table(
        &mut out,
        report.get("keywords"),
        &[
            "keyword",
            "count",
            "positiveCount",
            "neutralCount",
            "negativeCount",
            "avgSentiment",
        ],
        KEYWORDS_SHOWN,
    );
    out
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::super::sample;
    use super::*;

    #[test]
    fn every_section_is_present() {
        let text = to_table(&sample::report());
        for title in [
            "Ingest",
            "Summary",
            "KPIs (inbound)",
            "Agents",
            "Ended reasons",
            "Concurrency",
            "Intents",
            "Keywords",
        ] {
            assert!(
                text.contains(&format!("\n{title}\n")),
                "missing section {title}"
            );
        }
        assert!(text.contains("rejected: a.json #3 $.calls[2]: no start"));
        assert!(text.contains("unknown vocabulary, twilio: weird (1)"));
        assert!(text.contains("(20 of 50 rows shown)"));
    }

    #[test]
    fn columns_are_aligned() {
        let text = to_table(&sample::report());
        let lines: Vec<&str> = text.lines().collect();
        let at = lines
            .iter()
            .position(|l| l.trim_start().starts_with("agent"))
            .unwrap();
        let header = lines[at];
        let first = lines[at + 2];
        let second = lines[at + 3];
        // the count column is right-aligned: its last digit sits under the end of "count"
        let end = header.find("count").unwrap() + "count".len();
        assert_eq!(&first[end - 1..end], "4");
        assert_eq!(&second[end - 1..end], "2");
        assert!(first.starts_with("  ann@x.co"));
        assert!(second.starts_with("  (none)"));
        // 66.67 percentage and 2m 30s mean duration
        assert!(first.contains("66.67%"));
        assert!(first.contains("2m 30s"));
    }

    #[test]
    fn kpis_and_concurrency_are_formatted() {
        let text = to_table(&sample::report());
        assert!(text.contains("serviceLevel.offered"));
        assert!(text.contains("75.00%"));
        assert!(text.contains("abandonRate"));
        assert!(text.contains("25.00%"));
        // busiest bucket first: 1709636400 = 2024-03-05 11:00 UTC, peak 2
        let line = text
            .lines()
            .find(|l| l.contains("2024-03-05 11:00"))
            .unwrap();
        assert!(line.contains(" 2 "));
    }

    #[test]
    fn an_empty_report_renders() {
        let text = to_table(&Value::Null);
        assert!(text.contains("(not available)"));
        assert!(text.contains("(none)"));
    }
}
