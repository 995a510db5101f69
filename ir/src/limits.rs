//! The size and dimension limits every reader shares (the DSL, Keras JSON, HDF5, `.keras` zip,
//! hls4ml YAML in this crate; CSV, JSONL records and wa-hls4ml JSON in dataset-tools), and the
//! bounded file reads they go through.
//!
//! Why limits: presynth's shape and cost arithmetic runs in `usize`/`u64`, hls4ml's reuse-factor
//! search is a divisor loop, and a model file is read whole. Without a bound, a hostile or
//! corrupted input makes the process loop for hours, wrap an integer, or read until memory runs
//! out. Every limit here is far above anything an FPGA can hold (the largest Versal has about
//! 10^4 DSPs and 10^8 bits of on-chip memory), so no real network is refused.
//!
//! Why bounded reads: `std::fs::read` on a FIFO blocks until a writer appears (forever, for a
//! FIFO nobody writes), and on `/dev/zero` reads until memory runs out. [`open_regular`] refuses
//! anything that is not a regular file before opening it, and [`read_bounded`] reads at most its
//! limit, whatever the file's metadata says.

use std::fs::File;
use std::io::{self, BufRead, Read};
use std::path::Path;

/// Largest value of one dimension: units, filters, channels, kernel or pool size, one side of
/// an input. 2^24 = 16 777 216.
pub const MAX_DIM: u64 = 1 << 24;
/// Largest number of values of one model input, per sample.
pub const MAX_INPUT_ELEMENTS: u64 = 1 << 32;
/// Largest number of values a layer may output, per sample.
pub const MAX_ELEMENTS: u128 = 1 << 40;
/// Largest parameter or multiply-accumulate count of one layer.
pub const MAX_COST: u128 = 1 << 62;
/// Largest `n_in·n_out` of a layer's multiplications for hls4ml's reuse-factor search: the
/// divisor loop of [`crate::reuse`] takes √n steps, 2^24 at this limit (about 0.1 s).
pub const MAX_REUSE_PRODUCT: u64 = 1 << 48;
/// Largest number of layers of one network.
pub const MAX_LAYERS: usize = 1 << 20;
/// Largest rank (number of dimensions) of a shape.
pub const MAX_RANK: usize = 8;
/// Largest text file read whole (DSL, Keras JSON, hls4ml YAML, a `.keras` config.json,
/// generator configs): 256 MiB.
pub const MAX_TEXT_BYTES: u64 = 256 << 20;
/// Largest line of a streamed file (one JSONL record, one CSV row): 64 MiB.
pub const MAX_LINE_BYTES: u64 = 64 << 20;
/// Largest streamed table (a CSV or JSONL file, a wa-hls4ml JSON): 64 GiB.
pub const MAX_TABLE_BYTES: u64 = 64 << 30;
/// Largest model file (`.h5`, `.keras`) and largest member extracted from a `.keras` archive:
/// 8 GiB, two billion f32 weights.
pub const MAX_MODEL_BYTES: u64 = 8 << 30;
/// Largest compression ratio (uncompressed / compressed) of a `.keras` member bigger than
/// [`ZIP_RATIO_FREE_BYTES`]. Float weights deflate by 1.1 to 3x, JSON configs by 5 to 20x;
/// deflate's own maximum is about 1032x, which is what zip bombs use.
pub const MAX_ZIP_RATIO: u64 = 100;
/// Members up to this size are not held to [`MAX_ZIP_RATIO`] (a small, very regular config).
pub const ZIP_RATIO_FREE_BYTES: u64 = 16 << 20;

fn refused(message: String) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidInput, message)
}

/// What kind of file `meta` describes, in words, when it is not a regular file.
fn not_regular(meta: &std::fs::Metadata) -> Option<&'static str> {
    use std::os::unix::fs::FileTypeExt;
    let t = meta.file_type();
    if t.is_file() {
        None
    } else if t.is_dir() {
        Some("a directory")
    } else if t.is_fifo() {
        Some("a FIFO (named pipe)")
    } else if t.is_char_device() || t.is_block_device() {
        Some("a device file")
    } else if t.is_socket() {
        Some("a socket")
    } else {
        Some("not a regular file")
    }
}

/// Check that `path` (symbolic links followed) is a regular file of at most `max` bytes.
/// The error says what the file is instead, or its size and the limit.
pub fn check_regular(path: &Path, max: u64) -> io::Result<std::fs::Metadata> {
    let meta = std::fs::metadata(path)?;
    if let Some(what) = not_regular(&meta) {
        return Err(refused(format!(
            "{what}, not a regular file (presynth reads model and data files only)"
        )));
    }
    if meta.len() > max {
        return Err(refused(format!(
            "{} bytes, more than the limit of {max} bytes",
            meta.len()
        )));
    }
    Ok(meta)
}

/// Open `path` for reading after [`check_regular`], and check again on the open file (the
/// path could have been swapped in between).
pub fn open_regular(path: &Path, max: u64) -> io::Result<File> {
    check_regular(path, max)?;
    let f = File::open(path)?;
    let meta = f.metadata()?;
    if let Some(what) = not_regular(&meta) {
        return Err(refused(format!("{what}, not a regular file")));
    }
    Ok(f)
}

/// Read at most `max` bytes from `r`; more is an error (`what` names the content).
pub fn read_to_end_bounded(r: impl Read, max: u64, what: &str) -> io::Result<Vec<u8>> {
    let mut buf = Vec::new();
    r.take(max.saturating_add(1)).read_to_end(&mut buf)?;
    if buf.len() as u64 > max {
        return Err(refused(format!(
            "{what} is larger than the limit of {max} bytes"
        )));
    }
    Ok(buf)
}

/// Read a whole regular file of at most `max` bytes.
pub fn read_bounded(path: &Path, max: u64) -> io::Result<Vec<u8>> {
    read_to_end_bounded(open_regular(path, max)?, max, "the file")
}

/// Read a whole regular UTF-8 text file of at most [`MAX_TEXT_BYTES`].
pub fn read_text(path: &Path) -> io::Result<String> {
    String::from_utf8(read_bounded(path, MAX_TEXT_BYTES)?)
        .map_err(|e| io::Error::new(io::ErrorKind::InvalidData, format!("not UTF-8 text ({e})")))
}

/// Read one line (with its newline) into `buf`, refusing a line longer than `max` bytes.
/// Returns the bytes read, 0 at the end.
pub fn read_line_bounded(r: &mut impl BufRead, buf: &mut String, max: u64) -> io::Result<usize> {
    let n = r.take(max.saturating_add(1)).read_line(buf)?;
    if n as u64 > max {
        return Err(refused(format!(
            "a line is longer than the limit of {max} bytes"
        )));
    }
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn device_files_and_directories_are_refused_without_reading() {
        let t = std::time::Instant::now();
        let e = read_bounded(Path::new("/dev/zero"), MAX_TEXT_BYTES).unwrap_err();
        assert!(e.to_string().contains("a device file"), "{e}");
        let e = read_text(Path::new("/tmp")).unwrap_err();
        assert!(e.to_string().contains("a directory"), "{e}");
        assert!(t.elapsed().as_secs() < 2);
    }

    #[test]
    fn fifo_is_refused_instead_of_blocking() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("model.json");
        let st = std::process::Command::new("mkfifo")
            .arg(&p)
            .status()
            .unwrap();
        assert!(st.success());
        // Opening a FIFO with no writer blocks forever; the check must come before the open.
        let e = read_text(&p).unwrap_err();
        assert!(e.to_string().contains("FIFO"), "{e}");
    }

    #[test]
    fn sizes_and_lines_are_bounded() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("big.txt");
        std::fs::write(&p, vec![b'a'; 1000]).unwrap();
        let e = read_bounded(&p, 999).unwrap_err();
        assert!(
            e.to_string()
                .contains("1000 bytes, more than the limit of 999"),
            "{e}"
        );
        assert_eq!(read_bounded(&p, 1000).unwrap().len(), 1000);
        // A reader whose length is unknown (a stream) is cut at the limit too.
        let e = read_to_end_bounded(std::io::repeat(0), 4096, "the stream").unwrap_err();
        assert!(e.to_string().contains("the stream is larger"), "{e}");

        let mut r = std::io::Cursor::new(b"short\nxxxxxxxxxxxxxxxxxxxxxxx\n".to_vec());
        let mut line = String::new();
        assert_eq!(read_line_bounded(&mut r, &mut line, 10).unwrap(), 6);
        line.clear();
        assert!(read_line_bounded(&mut r, &mut line, 10).is_err());
    }
}
