//! The `callscope` command: `ingest`, `report` and `text` (SPEC section 6).

use callscope::analytics::{AnalyticsOptions, Granularity, Section};
use callscope::cli;
use callscope::ingest::IngestOptions;
use callscope::model::Provider;
use callscope::providers::generic::GenericMapping;
use callscope::report::{Format, HtmlOptions};
use clap::{Args, Parser, Subcommand};
use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

/// mimalloc: ingest makes and frees millions of small strings from two threads, where glibc's
/// allocator spent ~30% of a 1M-call report (`perf`; README "Performance").
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser, Debug)]
#[command(
    name = "callscope",
    version,
    about = "Normalize call records from every provider and report on them"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Args, Debug)]
struct InputArgs {
    /// Zone of timestamps that carry no offset (IANA name; default UTC).
    #[arg(long = "source-tz", value_name = "ZONE")]
    source_tz: Option<String>,
    /// Read every input as this provider's instead of detecting it.
    #[arg(long, value_name = "NAME")]
    provider: Option<Provider>,
    /// Reject records that break an invariant (exit status 1 when any is rejected).
    #[arg(long)]
    strict: bool,
    /// A JSON file mapping record fields to your columns, for the generic reader.
    #[arg(long, value_name = "FILE")]
    mapping: Option<PathBuf>,
    /// Mask phone numbers, e-mail addresses and card numbers in the records.
    #[arg(long)]
    redact: bool,
    /// Fold a call's items only when at most N call items separate them; later ones are
    /// rejected as late. `report` then finishes calls while reading: memory holds about N items.
    #[arg(long, value_name = "N")]
    window: Option<usize>,
    /// Files, folders (read recursively) or `-` for standard input.
    #[arg(required = true, value_name = "INPUT")]
    inputs: Vec<String>,
}

impl InputArgs {
    // `..Default::default()` keeps later ingest options at their defaults
    #[allow(clippy::needless_update)]
    fn options(&self) -> Result<IngestOptions, callscope::Error> {
        let mapping = match &self.mapping {
            None => None,
            Some(path) => {
                let text = std::fs::read(path).map_err(|cause| callscope::Error::Io {
                    source_name: path.display().to_string(),
                    cause,
                })?;
                let mapping: GenericMapping =
                    serde_json::from_slice(&text).map_err(|e| callscope::Error::InvalidOption {
                        option: "--mapping".into(),
                        reason: format!("{}: {e}", path.display()),
                    })?;
                Some(mapping)
            }
        };
        Ok(IngestOptions {
            provider: self.provider,
            source_tz: self.source_tz.clone(),
            strict: self.strict,
            mapping,
            redact: self.redact,
            window: self.window,
            ..Default::default()
        })
    }
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Write one normalized record per line (JSON) and the ingest report to --report FILE.
    Ingest {
        #[command(flatten)]
        input: InputArgs,
        /// Where to write the ingest report (JSON).
        #[arg(long, value_name = "FILE")]
        report: Option<PathBuf>,
    },
    /// Compute the analytics report: summary, KPIs, agents, ended reasons, concurrency,
    /// intents and keywords.
    Report {
        #[command(flatten)]
        input: InputArgs,
        /// Zone of calendar buckets (IANA name; default UTC).
        #[arg(long, value_name = "ZONE")]
        tz: Option<String>,
        /// Keep calls that started at or after T (RFC 3339, or a date read in --tz).
        #[arg(long, value_name = "T")]
        from: Option<String>,
        /// Keep calls that started before T.
        #[arg(long, value_name = "T")]
        to: Option<String>,
        /// The "now" of active calls (default: the latest instant in the data).
        #[arg(long = "as-of", value_name = "T")]
        as_of: Option<String>,
        /// Report on one tenant (account / workspace) only.
        #[arg(long, value_name = "ID")]
        tenant: Option<String>,
        /// Allow one report over several tenants (refused by default).
        #[arg(long = "all-tenants")]
        all_tenants: bool,
        /// Concurrency series bucket: minute, hour, day or a number of seconds.
        #[arg(long, value_name = "G", default_value = "hour")]
        granularity: String,
        /// table, json or html.
        #[arg(long, value_name = "FORMAT", default_value = "table")]
        format: String,
        /// Write the report here instead of standard output.
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
        /// Leave out intents and keywords (faster).
        #[arg(long = "no-text")]
        no_text: bool,
        /// Compute only these analytics sections, comma-separated: summary, kpis, agents,
        /// endedReasons, concurrency (default: all; the others are null, and faster left out).
        #[arg(long, value_name = "LIST", value_delimiter = ',')]
        sections: Option<Vec<String>>,
    },
    /// Score one text per line: sentiment, keywords or intent (one JSON object per line).
    Text {
        /// sentiment, keywords or intent.
        #[arg(value_name = "KIND")]
        kind: String,
        /// Language code of the texts (default: detected).
        #[arg(long, value_name = "CODE")]
        lang: Option<String>,
    },
}

fn main() -> ExitCode {
    // No transparent huge pages: the allocator touches its memory a little at a time, and a
    // huge page makes the kernel zero 2 MiB at the first touch of any byte of it (measured:
    // 1.1 s instead of 2.7 s of system time on 1M calls; README "Performance"). Best effort.
    #[cfg(target_os = "linux")]
    let _ = rustix::thread::disable_transparent_huge_pages(true);
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let code = if e.use_stderr() { 2 } else { 0 };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    let result = match cli.command {
        Command::Ingest { input, report } => input.options().and_then(|options| {
            let done = cli::run_ingest(
                &input.inputs,
                &options,
                report.as_deref(),
                // (the handle, not its lock: the ingest runs on a thread of the pool)
                std::io::stdout(),
            )?;
            Ok(strict_status(&options, &done))
        }),
        Command::Report {
            input,
            tz,
            from,
            to,
            as_of,
            tenant,
            all_tenants,
            granularity,
            format,
            out,
            no_text,
            sections,
        } => run_report(ReportArgs {
            input,
            tz,
            from,
            to,
            as_of,
            tenant,
            all_tenants,
            granularity,
            format,
            out,
            no_text,
            sections,
        }),
        Command::Text { kind, lang } => {
            let stdin = std::io::stdin();
            callscope::text::run_text_command(
                &kind,
                lang.as_deref(),
                stdin.lock(),
                std::io::stdout().lock(),
            )
            .map(|()| ExitCode::SUCCESS)
        }
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("callscope: {e}");
            match e {
                callscope::Error::InvalidOption { .. } => ExitCode::from(2),
                _ => ExitCode::from(1),
            }
        }
    }
}

/// Exit 1 when strict mode rejected a record (after the output is written), else 0.
fn strict_status(options: &IngestOptions, report: &callscope::ingest::IngestReport) -> ExitCode {
    if options.strict && !report.rejected.is_empty() {
        eprintln!(
            "callscope: {} record(s) rejected in strict mode",
            report.rejected.len()
        );
        for r in report.rejected.iter().take(20) {
            eprintln!("  {}:{} {}: {}", r.source, r.index, r.path, r.reason);
        }
        return ExitCode::from(1);
    }
    ExitCode::SUCCESS
}

struct ReportArgs {
    input: InputArgs,
    tz: Option<String>,
    from: Option<String>,
    to: Option<String>,
    as_of: Option<String>,
    tenant: Option<String>,
    all_tenants: bool,
    granularity: String,
    format: String,
    out: Option<PathBuf>,
    no_text: bool,
    sections: Option<Vec<String>>,
}

fn run_report(args: ReportArgs) -> Result<ExitCode, callscope::Error> {
    // (`compute_paths` leaves out the unmapped fields: the report never shows `extra`)
    let ingest_options = args.input.options()?;
    let format: Format = args.format.parse()?;
    let mut analytics = AnalyticsOptions::default();
    if let Some(tz) = &args.tz {
        analytics = analytics.with_time_zone(tz)?;
    }
    let zone = analytics.time_zone;
    let instant = |name: &str, value: &Option<String>| match value {
        None => Ok(None),
        Some(text) => callscope::time::parse_instant(text, zone)
            .map(Some)
            .ok_or_else(|| callscope::Error::InvalidOption {
                option: name.into(),
                reason: format!("not a timestamp: {text:?}"),
            }),
    };
    analytics.from = instant("--from", &args.from)?;
    analytics.to = instant("--to", &args.to)?;
    analytics.as_of = instant("--as-of", &args.as_of)?;
    analytics.filter.tenant = args.tenant.clone();
    analytics.allow_mixed_tenants = args.all_tenants;
    analytics.granularity = args.granularity.parse::<Granularity>()?;
    analytics.sections = match &args.sections {
        None => None,
        Some(names) => Some(
            names
                .iter()
                .map(|name| {
                    name.trim().parse::<Section>().map_err(|e| match e {
                        callscope::Error::InvalidOption { reason, .. } => {
                            callscope::Error::InvalidOption {
                                option: "--sections".into(),
                                reason,
                            }
                        }
                        other => other,
                    })
                })
                .collect::<Result<_, _>>()?,
        ),
    };
    analytics.validate()?;

    let progress = progress_bar(&args.input.inputs);
    // each call is counted in as it is finished; no record list is kept (with --window,
    // calls are finished while reading)
    let options = callscope::report::ReportOptions {
        ingest: ingest_options,
        analytics,
        skip_text: args.no_text,
    };
    let (report, ingest_report) =
        callscope::report::compute_paths(&args.input.inputs, &options, |bytes| {
            if let Some(bar) = &progress {
                bar.inc(bytes);
            }
        })?;
    if let Some(bar) = progress {
        bar.finish_and_clear();
    }
    let text = match format {
        // the same text as rendering the report's value, without building the value
        Format::Json => callscope::report::report_json(&report),
        _ => {
            let html = HtmlOptions {
                tz: zone,
                ..Default::default()
            };
            callscope::report::render(&callscope::report::from_report(&report), format, &html)
        }
    };
    match &args.out {
        Some(path) => std::fs::write(path, text).map_err(|cause| callscope::Error::Io {
            source_name: path.display().to_string(),
            cause,
        })?,
        None => {
            let mut out = std::io::stdout().lock();
            out.write_all(text.as_bytes())
                .and_then(|()| out.flush())
                .map_err(|cause| callscope::Error::Io {
                    source_name: "standard output".into(),
                    cause,
                })?;
        }
    }
    cli::stage("render + write");
    Ok(strict_status(&options.ingest, &ingest_report))
}

/// A byte-count progress bar on standard error, only when it is a terminal and the inputs
/// are large enough (over 64 MB) for it to be worth showing.
fn progress_bar(inputs: &[String]) -> Option<indicatif::ProgressBar> {
    if !std::io::stderr().is_terminal() {
        return None;
    }
    let files = cli::expand_inputs(inputs).ok()?;
    let total: u64 = files
        .iter()
        .filter_map(|f| std::fs::metadata(f).ok())
        .map(|m| m.len())
        .sum();
    if total < 64 << 20 {
        return None;
    }
    let bar = indicatif::ProgressBar::new(total);
    if let Ok(style) = indicatif::ProgressStyle::with_template(
        "{spinner} reading {bytes}/{total_bytes} [{bar:30}] {bytes_per_sec} eta {eta}",
    ) {
        bar.set_style(style.progress_chars("=> "));
    }
    Some(bar)
}
