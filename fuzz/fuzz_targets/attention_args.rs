//! Fuzz `presynth attention`'s arguments: one argument per input line, parsed by the CLI's own
//! clap definition and run (shape limits, dtype and sweep parsing, target lookup, analysis,
//! tables). Never panics, hangs or runs out of memory. `--plot`, `--targets-file` and
//! `--target host` are skipped (files and host measurement are not what is fuzzed); run with
//! `-close_fd_mask=1` to drop the tables.
#![no_main]

use clap::Parser;
use libfuzzer_sys::fuzz_target;

#[derive(Parser)]
struct Cli {
    #[command(flatten)]
    args: presynth::cli::attention::Args,
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let argv = std::iter::once("attention").chain(text.lines());
    let Ok(cli) = Cli::try_parse_from(argv) else {
        return;
    };
    let a = cli.args;
    if a.plot.is_some() || a.targets_file.is_some() || a.target.eq_ignore_ascii_case("host") {
        return;
    }
    let _ = presynth::cli::attention::run(a);
});
