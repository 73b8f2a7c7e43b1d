//! `callscope text` without the CLI feature: `callscope_text sentiment|keywords|intent [LANG]`
//! reads one text per line on standard input and writes one JSON object per line (used by the
//! VADER parity harness in tests/vader_parity/).

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let kind = args.first().map(String::as_str).unwrap_or("sentiment");
    let lang = args.get(1).map(String::as_str);
    let stdin = std::io::stdin().lock();
    let stdout = std::io::BufWriter::new(std::io::stdout().lock());
    if let Err(error) = callscope::text::run_text_command(kind, lang, stdin, stdout) {
        eprintln!("callscope_text: {error}");
        std::process::exit(1);
    }
}
