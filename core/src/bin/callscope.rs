//! The `callscope` command: `ingest`, `report` and `text`.

use callscope::cli;
use callscope::ingest::IngestOptions;
use callscope::model::Provider;
use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;

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
    /// Zone of timestamps that carry no offset (IANA name).
    #[arg(long = "source-tz", value_name = "ZONE")]
    source_tz: Option<String>,
    /// Read every input as this provider's instead of detecting it.
    #[arg(long, value_name = "NAME")]
    provider: Option<Provider>,
    /// Reject records that break an invariant (exit status 1 when any is rejected).
    #[arg(long)]
    strict: bool,
    /// Mask phone numbers, e-mail addresses and card numbers in the records.
    #[arg(long)]
    redact: bool,
    /// Files, folders (read recursively) or `-` for standard input.
    #[arg(required = true, value_name = "INPUT")]
    inputs: Vec<String>,
}

impl InputArgs {
    fn options(&self) -> IngestOptions {
        IngestOptions {
            provider: self.provider,
            source_tz: self.source_tz.clone(),
            strict: self.strict,
            redact: self.redact,
        }
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
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let code = if e.use_stderr() { 2 } else { 0 };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    match cli.command {
        Command::Ingest { input, report } => {
            let options = input.options();
            match cli::run_ingest(
                &input.inputs,
                &options,
                report.as_deref(),
                std::io::stdout().lock(),
            ) {
                Ok(done) if options.strict && !done.report.rejected.is_empty() => {
                    eprintln!(
                        "callscope: {} record(s) rejected in strict mode",
                        done.report.rejected.len()
                    );
                    for r in done.report.rejected.iter().take(20) {
                        eprintln!("  {}:{} {}: {}", r.source, r.index, r.path, r.reason);
                    }
                    ExitCode::from(1)
                }
                Ok(_) => ExitCode::SUCCESS,
                Err(e) => exit_for(&e),
            }
        }
    }
}

fn exit_for(e: &callscope::Error) -> ExitCode {
    eprintln!("callscope: {e}");
    match e {
        callscope::Error::InvalidOption { .. } => ExitCode::from(2),
        _ => ExitCode::from(1),
    }
}
