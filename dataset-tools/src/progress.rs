//! Progress bars (indicatif) with one look for every long-running dataset command; hidden when
//! not wanted (tests, `--format json`) or when stderr is not a terminal.

use indicatif::{ProgressBar, ProgressStyle};

pub use indicatif::ProgressBar as Bar;

/// A bar over `total` items named `what` (e.g. "projects"), or a hidden one.
pub fn bar(total: u64, what: &str, visible: bool) -> ProgressBar {
    let b = if visible {
        ProgressBar::new(total)
    } else {
        ProgressBar::hidden()
    };
    b.set_style(
        ProgressStyle::with_template(&format!(
            "{{bar:40}} {{pos}}/{{len}} {what} [{{elapsed_precise}} < {{eta}}] {{msg}}"
        ))
        .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    b
}
