//! The HTML rendering: one self-contained page (inline CSS, inline SVG charts drawn here, no
//! script, no external address) that opens offline. The report JSON is embedded in a
//! `<script type="application/json" id="report-data">` block for reuse by other tools.

use super::{counts, fmt_number, fmt_value, label, leaves, num, rows};
use chrono::DateTime;
use chrono_tz::Tz;
use serde_json::Value;
use std::fmt::Write as _;

/// Settings of the HTML page.
#[derive(Debug, Clone, PartialEq)]
pub struct HtmlOptions {
    /// Page title and heading.
    pub title: String,
    /// Zone of the time axis labels of the concurrency chart (the report's `--tz`).
    pub tz: Tz,
}

impl Default for HtmlOptions {
    fn default() -> Self {
        HtmlOptions {
            title: "callscope dashboard".into(),
            tz: Tz::UTC,
        }
    }
}

/// The ids of the chart sections, in page order.
pub const CHART_IDS: [&str; 8] = [
    "chart-calls-per-day",
    "chart-weekday-hour",
    "chart-concurrency",
    "chart-outcomes",
    "chart-ended-reasons",
    "chart-agents",
    "chart-intents",
    "chart-keywords",
];

const PALETTE: [&str; 8] = [
    "#2563eb", "#16a34a", "#dc2626", "#d97706", "#7c3aed", "#0891b2", "#db2777", "#4b5563",
];

const CSS: &str = "
:root{--fg:#111827;--muted:#6b7280;--line:#e5e7eb;--bg:#f9fafb;--card:#fff;--accent:#2563eb}
*{box-sizing:border-box}
body{margin:0;font:14px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;color:var(--fg);background:var(--bg)}
header{padding:20px 28px;background:#111827;color:#fff}
header h1{margin:0;font-size:20px}
header p{margin:4px 0 0;color:#d1d5db;font-size:13px}
main{padding:20px 28px;display:grid;grid-template-columns:repeat(auto-fit,minmax(460px,1fr));gap:18px}
.cards{grid-column:1/-1;display:grid;grid-template-columns:repeat(auto-fit,minmax(150px,1fr));gap:12px}
.card{background:var(--card);border:1px solid var(--line);border-radius:8px;padding:12px 14px}
.card .v{font-size:22px;font-weight:600}
.card .k{color:var(--muted);font-size:12px;text-transform:uppercase;letter-spacing:.04em}
section{background:var(--card);border:1px solid var(--line);border-radius:8px;padding:14px 16px;overflow-x:auto}
section.wide{grid-column:1/-1}
section h2{margin:0 0 10px;font-size:15px}
svg{display:block;max-width:100%;height:auto}
svg text{font-size:11px;fill:#374151}
svg .axis{stroke:#9ca3af;stroke-width:1}
svg .grid{stroke:var(--line);stroke-width:1}
table{border-collapse:collapse;width:100%;font-size:13px}
th,td{padding:4px 8px;border-bottom:1px solid var(--line);text-align:left;white-space:nowrap}
td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}
.empty{color:var(--muted);font-style:italic}
.legend span{display:inline-block;margin-right:14px;font-size:12px}
.legend i{display:inline-block;width:10px;height:10px;margin-right:4px;border-radius:2px}
";

/// Escape text for HTML element content and attribute values.
fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A count axis: `(top, step)` with a step of 1, 2 or 5 times a power of ten (at least 1)
/// giving about five intervals, and the top a multiple of the step at least `max`.
fn axis(max: f64) -> (f64, f64) {
    if !max.is_finite() || max <= 0.0 {
        return (1.0, 1.0);
    }
    let raw = max / 5.0;
    let p = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 5.0, 10.0]
        .into_iter()
        .map(|m| m * p)
        .find(|s| *s >= raw)
        .unwrap_or(10.0 * p)
        .max(1.0);
    (step * (max / step).ceil(), step)
}

/// The tick values of an axis, 0 to top.
fn ticks(top: f64, step: f64) -> Vec<f64> {
    let n = (top / step).round() as usize;
    (0..=n).map(|i| step * i as f64).collect()
}

fn empty(out: &mut String) {
    out.push_str("<p class=\"empty\">no data</p>");
}

/// Vertical bars with a value axis.
fn column_chart(out: &mut String, points: &[(String, f64)], color: &str) {
    if points.is_empty() {
        return empty(out);
    }
    let (w, h, left, bottom, top) = (920.0, 260.0, 44.0, 46.0, 12.0);
    let plot_w = w - left - 10.0;
    let plot_h = h - bottom - top;
    let (max, step) = axis(points.iter().map(|p| p.1).fold(0.0, f64::max));
    let _ = write!(out, "<svg viewBox=\"0 0 {w} {h}\" role=\"img\">");
    for v in ticks(max, step) {
        let y = top + plot_h - plot_h * v / max;
        let _ = write!(
            out,
            "<line class=\"grid\" x1=\"{left}\" x2=\"{}\" y1=\"{y:.1}\" y2=\"{y:.1}\"/><text x=\"{}\" y=\"{:.1}\" text-anchor=\"end\">{}</text>",
            w - 10.0,
            left - 6.0,
            y + 4.0,
            fmt_number(v)
        );
    }
    let slot = plot_w / points.len() as f64;
    let label_every = (points.len() as f64 / 16.0).ceil().max(1.0) as usize;
    for (i, (k, v)) in points.iter().enumerate() {
        let bh = if max > 0.0 { plot_h * v / max } else { 0.0 };
        let x = left + slot * i as f64 + slot * 0.15;
        let y = top + plot_h - bh;
        let _ = write!(
            out,
            "<rect x=\"{x:.1}\" y=\"{y:.1}\" width=\"{:.1}\" height=\"{bh:.1}\" fill=\"{color}\"><title>{}: {}</title></rect>",
            slot * 0.7,
            esc(k),
            fmt_number(*v)
        );
        if i % label_every == 0 {
            let short = k.get(5..).unwrap_or(k);
            let _ = write!(
                out,
                "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{}</text>",
                x + slot * 0.35,
                top + plot_h + 16.0,
                esc(short)
            );
        }
    }
    let _ = write!(
        out,
        "<line class=\"axis\" x1=\"{left}\" x2=\"{}\" y1=\"{:.1}\" y2=\"{:.1}\"/></svg>",
        w - 10.0,
        top + plot_h,
        top + plot_h
    );
}

/// Horizontal bars with labels on the left; `values` formats the number shown at the bar end.
fn bar_chart(out: &mut String, bars: &[(String, f64, String, String)]) {
    if bars.is_empty() {
        return empty(out);
    }
    let row_h = 22.0;
    let (w, left) = (660.0, 210.0);
    let h = row_h * bars.len() as f64 + 8.0;
    let max = bars.iter().map(|b| b.1).fold(0.0, f64::max);
    let plot_w = w - left - 90.0;
    let _ = write!(out, "<svg viewBox=\"0 0 {w} {h}\" role=\"img\">");
    for (i, (name, v, shown, color)) in bars.iter().enumerate() {
        let y = 4.0 + row_h * i as f64;
        let bw = if max > 0.0 { plot_w * v / max } else { 0.0 };
        let mut name_short: String = name.chars().take(26).collect();
        if name.chars().count() > 26 {
            name_short.push('…');
        }
        let _ = write!(
            out,
            "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\">{}</text><rect x=\"{left}\" y=\"{:.1}\" width=\"{bw:.1}\" height=\"{:.1}\" rx=\"2\" fill=\"{color}\"><title>{}: {}</title></rect><text x=\"{:.1}\" y=\"{:.1}\">{}</text>",
            left - 8.0,
            y + 14.0,
            esc(&name_short),
            y + 3.0,
            row_h - 6.0,
            esc(name),
            esc(shown),
            left + bw + 6.0,
            y + 14.0,
            esc(shown)
        );
    }
    out.push_str("</svg>");
}

/// Bars of `{key, count, percentage}` rows.
fn rows_chart(out: &mut String, list: Option<&Value>, key: &str, limit: usize, colored: bool) {
    let bars: Vec<_> = rows(list)
        .into_iter()
        .take(limit)
        .enumerate()
        .map(|(i, r)| {
            let n = num(r, "count").unwrap_or(0.0);
            let shown = match num(r, "percentage") {
                Some(p) => format!("{} ({p:.1}%)", fmt_number(n)),
                None => fmt_number(n),
            };
            let color = if colored {
                PALETTE[i % PALETTE.len()]
            } else {
                PALETTE[0]
            };
            (label(r, key), n, shown, color.to_string())
        })
        .collect();
    bar_chart(out, &bars);
}

/// A weekday x hour heat map of `callsByWeekdayHour`.
fn heat_map(out: &mut String, grid: Option<&Value>) {
    let Some(days) = grid.and_then(Value::as_array).filter(|d| !d.is_empty()) else {
        return empty(out);
    };
    let cells: Vec<Vec<f64>> = days
        .iter()
        .map(|d| {
            d.as_array()
                .map(|h| h.iter().map(|v| v.as_f64().unwrap_or(0.0)).collect())
                .unwrap_or_default()
        })
        .collect();
    let max = cells.iter().flatten().copied().fold(0.0, f64::max);
    let (cw, ch, left, top) = (34.0, 22.0, 40.0, 18.0);
    let w = left + cw * 24.0 + 4.0;
    let h = top + ch * 7.0 + 4.0;
    let _ = write!(out, "<svg viewBox=\"0 0 {w} {h}\" role=\"img\">");
    for hour in (0..24).step_by(2) {
        let _ = write!(
            out,
            "<text x=\"{:.1}\" y=\"12\" text-anchor=\"middle\">{hour}h</text>",
            left + cw * f64::from(hour) + cw / 2.0
        );
    }
    for (d, name) in ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
        .iter()
        .enumerate()
    {
        let y = top + ch * d as f64;
        let _ = write!(out, "<text x=\"2\" y=\"{:.1}\">{name}</text>", y + 15.0);
        for hour in 0..24 {
            let v = cells
                .get(d)
                .and_then(|r| r.get(hour))
                .copied()
                .unwrap_or(0.0);
            let a = if max > 0.0 {
                0.06 + 0.94 * v / max
            } else {
                0.06
            };
            let _ = write!(
                out,
                "<rect x=\"{:.1}\" y=\"{y:.1}\" width=\"{:.1}\" height=\"{:.1}\" fill=\"#2563eb\" fill-opacity=\"{a:.3}\"><title>{name} {hour}h: {}</title></rect>",
                left + cw * hour as f64,
                cw - 2.0,
                ch - 2.0,
                fmt_number(v)
            );
        }
    }
    out.push_str("</svg>");
}

/// Peak and average concurrency per bucket over time.
fn concurrency_chart(out: &mut String, conc: Option<&Value>, tz: Tz) {
    let series: Vec<(f64, f64, f64)> = rows(conc.and_then(|c| c.get("series")))
        .into_iter()
        .filter_map(|r| {
            Some((
                num(r, "timestamp")?,
                num(r, "peak").unwrap_or(0.0),
                num(r, "average").unwrap_or(0.0),
            ))
        })
        .collect();
    let (Some(first), Some(last)) = (series.first(), series.last()) else {
        return empty(out);
    };
    let (w, h, left, bottom, top) = (920.0, 260.0, 44.0, 40.0, 12.0);
    let plot_w = w - left - 10.0;
    let plot_h = h - bottom - top;
    let span = (last.0 - first.0).max(1.0);
    let (max, step) = axis(series.iter().map(|p| p.1).fold(0.0, f64::max));
    let x = |t: f64| left + plot_w * (t - first.0) / span;
    let y = |v: f64| top + plot_h - plot_h * v / max;
    let _ = write!(out, "<svg viewBox=\"0 0 {w} {h}\" role=\"img\">");
    for v in ticks(max, step) {
        let _ = write!(
            out,
            "<line class=\"grid\" x1=\"{left}\" x2=\"{}\" y1=\"{:.1}\" y2=\"{:.1}\"/><text x=\"{}\" y=\"{:.1}\" text-anchor=\"end\">{}</text>",
            w - 10.0,
            y(v),
            y(v),
            left - 6.0,
            y(v) + 4.0,
            fmt_number(v)
        );
    }
    for i in 0..=6 {
        let t = first.0 + span * f64::from(i) / 6.0;
        let text = DateTime::from_timestamp(t as i64, 0)
            .map(|d| d.with_timezone(&tz).format("%m-%d %H:%M").to_string())
            .unwrap_or_default();
        let _ = write!(
            out,
            "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"{}\">{}</text>",
            x(t),
            top + plot_h + 16.0,
            match i {
                0 => "start",
                6 => "end",
                _ => "middle",
            },
            esc(&text)
        );
    }
    for (pick, color, name) in [(1usize, PALETTE[0], "peak"), (2, PALETTE[3], "average")] {
        let pts: Vec<String> = series
            .iter()
            .map(|p| {
                let v = if pick == 1 { p.1 } else { p.2 };
                format!("{:.1},{:.1}", x(p.0), y(v))
            })
            .collect();
        let _ = write!(
            out,
            "<polyline fill=\"none\" stroke=\"{color}\" stroke-width=\"1.5\" points=\"{}\"><title>{name}</title></polyline>",
            pts.join(" ")
        );
    }
    let _ = write!(
        out,
        "<line class=\"axis\" x1=\"{left}\" x2=\"{}\" y1=\"{:.1}\" y2=\"{:.1}\"/></svg>",
        w - 10.0,
        top + plot_h,
        top + plot_h
    );
    let _ = write!(
        out,
        "<p class=\"legend\"><span><i style=\"background:{}\"></i>peak concurrent calls</span><span><i style=\"background:{}\"></i>average (erlangs)</span><span>time zone {}</span></p>",
        PALETTE[0],
        PALETTE[3],
        esc(tz.name())
    );
}

/// An HTML table of an array of objects over the given columns.
fn html_table(out: &mut String, list: Option<&Value>, columns: &[&str], limit: usize) {
    let rs = rows(list);
    if rs.is_empty() {
        return empty(out);
    }
    let present: Vec<&str> = columns
        .iter()
        .copied()
        .filter(|c| rs.iter().any(|r| r.contains_key(*c)))
        .collect();
    out.push_str("<table><thead><tr>");
    for c in &present {
        let n = rs.iter().any(|r| r.get(*c).is_some_and(Value::is_number));
        let _ = write!(
            out,
            "<th{}>{}</th>",
            if n { " class=\"n\"" } else { "" },
            esc(c)
        );
    }
    out.push_str("</tr></thead><tbody>");
    for r in rs.iter().take(limit) {
        out.push_str("<tr>");
        for c in &present {
            match r.get(*c) {
                Some(v @ Value::Number(_)) => {
                    let _ = write!(out, "<td class=\"n\">{}</td>", esc(&fmt_value(c, None, v)));
                }
                Some(Value::Null) | None => out.push_str("<td>(none)</td>"),
                Some(v) => {
                    let _ = write!(out, "<td>{}</td>", esc(&fmt_value(c, None, v)));
                }
            }
        }
        out.push_str("</tr>");
    }
    out.push_str("</tbody></table>");
}

fn open_section(out: &mut String, id: &str, title: &str, wide: bool) {
    let _ = write!(
        out,
        "<section id=\"{id}\"{}><h2>{}</h2>",
        if wide { " class=\"wide\"" } else { "" },
        esc(title)
    );
}

fn cards(out: &mut String, report: &Value) {
    let s = report.get("summary");
    let k = report.get("kpis");
    let c = report.get("concurrency");
    let pick = |obj: Option<&Value>, key: &str, parent: Option<&str>| {
        let v = obj.and_then(|o| o.get(key)).cloned().unwrap_or(Value::Null);
        fmt_value(key, parent, &v)
    };
    let service = k.and_then(|k| k.get("serviceLevel"));
    let service_text = match service {
        Some(Value::Object(m)) => fmt_value(
            "offered",
            Some("serviceLevel"),
            m.get("offered").unwrap_or(&Value::Null),
        ),
        Some(v) => fmt_value("serviceLevel", Some("serviceLevel"), v),
        None => "-".into(),
    };
    let items = [
        ("total calls", pick(s, "totalCalls", None)),
        ("answer rate", pick(s, "answerRate", None)),
        ("missed", pick(s, "missedCalls", None)),
        ("avg duration", pick(s, "averageDuration", None)),
        ("ASA", pick(k, "asa", None)),
        ("AHT", pick(k, "aht", None)),
        ("abandon rate", pick(k, "abandonRate", None)),
        ("service level", service_text),
        ("peak concurrent", pick(c, "peak", None)),
    ];
    out.push_str("<div class=\"cards\">");
    for (name, value) in items {
        let _ = write!(
            out,
            "<div class=\"card\"><div class=\"k\">{}</div><div class=\"v\">{}</div></div>",
            esc(name),
            esc(&value)
        );
    }
    out.push_str("</div>");
}

/// JSON for a `<script type="application/json">` block: `<`, `>` and `&` escaped so that the
/// text cannot close the element.
fn embedded_json(report: &Value) -> String {
    serde_json::to_string(report)
        .unwrap_or_else(|_| "null".into())
        .replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
}

/// The self-contained dashboard page.
pub fn to_html(report: &Value, options: &HtmlOptions) -> String {
    let mut out = String::with_capacity(64 * 1024);
    let title = esc(&options.title);
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width,initial-scale=1\"><title>{title}</title><style>{CSS}</style></head><body>"
    );
    let subtitle = report
        .get("ingest")
        .filter(|i| i.is_object())
        .map(|i| {
            let n = |k: &str| {
                i.get(k)
                    .and_then(Value::as_f64)
                    .map_or("-".into(), fmt_number)
            };
            format!(
                "{} items read, {} calls, {} rejected · calendar time zone {}",
                n("recordsIn"),
                n("recordsOut"),
                i.get("rejected")
                    .and_then(Value::as_array)
                    .map_or(0, Vec::len),
                options.tz.name()
            )
        })
        .unwrap_or_default();
    let _ = write!(
        out,
        "<header><h1>{title}</h1><p>{}</p></header><main>",
        esc(&subtitle)
    );
    cards(&mut out, report);
    let summary = report.get("summary");

    open_section(&mut out, "chart-calls-per-day", "Calls per day", true);
    column_chart(
        &mut out,
        &counts(summary.and_then(|s| s.get("callsByDay"))),
        PALETTE[0],
    );
    out.push_str("</section>");

    open_section(
        &mut out,
        "chart-weekday-hour",
        "Calls by weekday and hour",
        true,
    );
    heat_map(&mut out, summary.and_then(|s| s.get("callsByWeekdayHour")));
    out.push_str("</section>");

    open_section(&mut out, "chart-concurrency", "Concurrent calls", true);
    concurrency_chart(&mut out, report.get("concurrency"), options.tz);
    out.push_str("</section>");

    open_section(&mut out, "chart-outcomes", "Outcomes", false);
    let outcomes: Vec<_> = counts(summary.and_then(|s| s.get("callsByOutcome")))
        .into_iter()
        .filter(|p| p.1 != 0.0)
        .map(|(k, n)| {
            let color = match k.as_str() {
                "answered" => PALETTE[1],
                "missed" | "unanswered" | "canceled" | "busy" => PALETTE[2],
                "voicemail" => PALETTE[3],
                "failed" => PALETTE[6],
                "active" => PALETTE[0],
                _ => PALETTE[7],
            };
            (k, n, fmt_number(n), color.to_string())
        })
        .collect();
    bar_chart(&mut out, &outcomes);
    out.push_str("</section>");

    open_section(&mut out, "chart-ended-reasons", "Ended reasons", false);
    rows_chart(&mut out, report.get("endedReasons"), "category", 20, true);
    out.push_str("<h2 style=\"margin-top:14px\">Top raw reasons</h2>");
    html_table(
        &mut out,
        report.get("endedReasonsRaw"),
        &["endedReason", "category", "count", "percentage"],
        15,
    );
    out.push_str("</section>");

    open_section(&mut out, "chart-agents", "Agents", false);
    rows_chart(&mut out, report.get("agents"), "agent", 15, false);
    html_table(
        &mut out,
        report.get("agents"),
        &[
            "agent",
            "count",
            "answered",
            "missed",
            "averageDuration",
            "aht",
        ],
        50,
    );
    out.push_str("</section>");

    open_section(&mut out, "chart-intents", "Intents", false);
    rows_chart(&mut out, report.get("intents"), "intent", 20, true);
    out.push_str("</section>");

    open_section(
        &mut out,
        "chart-keywords",
        "Keywords (color: average sentiment)",
        false,
    );
    let keywords: Vec<_> = rows(report.get("keywords"))
        .into_iter()
        .take(25)
        .map(|r| {
            let n = num(r, "count").unwrap_or(0.0);
            let color = match num(r, "avgSentiment") {
                Some(s) if s >= 0.05 => PALETTE[1],
                Some(s) if s <= -0.05 => PALETTE[2],
                _ => PALETTE[7],
            };
            (label(r, "keyword"), n, fmt_number(n), color.to_string())
        })
        .collect();
    bar_chart(&mut out, &keywords);
    out.push_str("</section>");

    open_section(&mut out, "details", "Summary and KPIs", true);
    out.push_str("<table><tbody>");
    for (name, obj) in [("summary", summary), ("kpis", report.get("kpis"))] {
        // the calls-by-* count objects are charted above
        let scalars = obj.map(leaves).unwrap_or_default();
        for (path, key, parent, v) in scalars.into_iter().filter(|l| !l.0.starts_with("callsBy")) {
            let _ = write!(
                out,
                "<tr><td>{}.{}</td><td class=\"n\">{}</td></tr>",
                name,
                esc(&path),
                esc(&fmt_value(&key, parent.as_deref(), &v))
            );
        }
    }
    out.push_str("</tbody></table></section></main>");
    let _ = writeln!(
        out,
        "<script type=\"application/json\" id=\"report-data\">{}</script></body></html>",
        embedded_json(report)
    );
    out
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::super::sample;
    use super::*;

    fn page() -> String {
        to_html(
            &sample::report(),
            &HtmlOptions {
                tz: chrono_tz::America::New_York,
                ..HtmlOptions::default()
            },
        )
    }

    #[test]
    fn no_external_resources() {
        let html = page();
        assert!(!html.contains("http://"), "page links http");
        assert!(!html.contains("https://"), "page links https");
        assert!(!html.contains(" src="));
        assert!(!html.contains("<link"));
        assert!(!html.contains("@import"));
        assert!(html.starts_with("<!DOCTYPE html>"));
        assert!(html.contains("<style>"));
    }

    #[test]
    fn every_chart_section_is_present_with_a_chart() {
        let html = page();
        for id in CHART_IDS {
            let start = html
                .find(&format!("<section id=\"{id}\""))
                .unwrap_or_else(|| panic!("missing {id}"));
            let body = &html[start..];
            let end = body.find("</section>").unwrap();
            assert!(body[..end].contains("<svg"), "{id} has no chart");
        }
        // 2 days of calls -> 2 bars titled with their counts
        assert!(html.contains("<title>2024-03-04: 2</title>"));
        assert!(html.contains("<title>2024-03-05: 4</title>"));
        // 3 series points -> a polyline with 3 points per line
        let poly = html.find("<polyline").unwrap();
        let pts = &html[poly..];
        let pts = &pts[pts.find("points=\"").unwrap() + 8..];
        let pts = &pts[..pts.find('"').unwrap()];
        assert_eq!(pts.split(' ').count(), 3);
    }

    #[test]
    fn user_text_is_escaped() {
        let html = page();
        assert!(!html.contains("<script>alert"));
        assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
        // the embedded data cannot close its element early
        let data_at = html.find("id=\"report-data\">").unwrap();
        let data = &html[data_at..];
        assert_eq!(data.matches("</script>").count(), 1);
        assert!(data.contains("\\u003cscript\\u003e"));
    }

    #[test]
    fn cards_and_empty_report() {
        let html = page();
        // answer rate 0.6667 -> 66.67%, service level offered 0.75 -> 75.00%
        assert!(html.contains("<div class=\"v\">66.67%</div>"));
        assert!(html.contains("<div class=\"v\">75.00%</div>"));
        let empty = to_html(&Value::Null, &HtmlOptions::default());
        for id in CHART_IDS {
            assert!(empty.contains(&format!("<section id=\"{id}\"")));
        }
        assert!(empty.contains("no data"));
    }

    #[test]
    fn count_axes() {
        // 215 / 5 = 43 -> step 50, top 250
        assert_eq!(axis(215.0), (250.0, 50.0));
        // 8 / 5 = 1.6 -> step 2, top 8
        assert_eq!(axis(8.0), (8.0, 2.0));
        // small counts keep a step of 1
        assert_eq!(axis(2.0), (2.0, 1.0));
        assert_eq!(axis(0.0), (1.0, 1.0));
        assert_eq!(ticks(8.0, 2.0), vec![0.0, 2.0, 4.0, 6.0, 8.0]);
    }
}
