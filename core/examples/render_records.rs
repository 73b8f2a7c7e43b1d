//! Render the report of normalized records (the NDJSON that `callscope ingest` writes).
//!
//!     cargo run -p callscope --example render_records -- TZ table|json|html FILE...

use callscope::CallRecord;
use callscope::analytics::{AnalyticsOptions, Report};
use callscope::report::{Format, HtmlOptions, from_report, render};
use std::io::BufRead;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [tz, format, files @ ..] = args.as_slice() else {
        return Err("usage: render_records TZ table|json|html FILE...".into());
    };
    let mut records = Vec::new();
    for file in files {
        for line in std::io::BufReader::new(std::fs::File::open(file)?).lines() {
            let line = line?;
            if !line.trim().is_empty() {
                records.push(serde_json::from_str::<CallRecord>(&line)?);
            }
        }
    }
    let options = AnalyticsOptions::default().with_time_zone(tz)?;
    let report = Report::compute(&records, &options)?;
    let html = HtmlOptions {
        tz: options.time_zone,
        ..HtmlOptions::default()
    };
    print!(
        "{}",
        render(&from_report(&report), format.parse::<Format>()?, &html)
    );
    Ok(())
}
