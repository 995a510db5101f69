//! A table in presynth's look (comfy-table's `UTF8_FULL_CONDENSED` preset, as
//! [`super::common::table`] sets it) written row by row, for tables too long to hold: comfy-table
//! keeps every cell and renders the whole table into one string (a 100k-layer estimate took
//! 568 MB). Column widths come from a first pass over the rows, which are made twice and never
//! stored; nothing is wrapped.

use std::io::{self, Write};

/// Display width of a cell: one column per character (presynth's cells are ASCII names,
/// numbers and short type strings).
fn width(s: &str) -> usize {
    s.chars().count()
}

fn rule(out: &mut impl Write, widths: &[usize], [l, fill, mid, r]: [char; 4]) -> io::Result<()> {
    let mut s = String::new();
    s.push(l);
    for (i, &w) in widths.iter().enumerate() {
        if i > 0 {
            s.push(mid);
        }
        s.extend(std::iter::repeat_n(fill, w + 2));
    }
    s.push(r);
    writeln!(out, "{s}")
}

fn line<S: AsRef<str>>(out: &mut impl Write, widths: &[usize], cells: &[S]) -> io::Result<()> {
    let mut s = String::from("│");
    for (i, &w) in widths.iter().enumerate() {
        if i > 0 {
            s.push('┆');
        }
        let c = cells.get(i).map_or("", |c| c.as_ref());
        s.push(' ');
        s.push_str(c);
        s.extend(std::iter::repeat_n(' ', w - width(c) + 1));
    }
    s.push('│');
    writeln!(out, "{s}")
}

/// Write a table of `header` and the `rows` rows that `row(i)` makes; returns its width in
/// characters.
pub fn write(
    out: &mut impl Write,
    header: &[&str],
    rows: usize,
    row: impl Fn(usize) -> Vec<String>,
) -> io::Result<usize> {
    let mut widths: Vec<usize> = header.iter().map(|h| width(h)).collect();
    for i in 0..rows {
        for (w, c) in widths.iter_mut().zip(row(i)) {
            *w = (*w).max(width(&c));
        }
    }
    rule(out, &widths, ['┌', '─', '┬', '┐'])?;
    line(out, &widths, header)?;
    rule(out, &widths, ['╞', '═', '╪', '╡'])?;
    for i in 0..rows {
        line(out, &widths, &row(i))?;
    }
    rule(out, &widths, ['└', '─', '┴', '┘'])?;
    Ok(widths.iter().map(|w| w + 3).sum::<usize>() + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_text_as_comfy_table_with_presynths_preset() {
        // The truth is comfy-table's own rendering of the same cells with the preset that
        // `common::table` loads (no width limit, so comfy wraps nothing either).
        let header = ["layer", "kind", "precision w/r/a", "RF", "LUT", "latency"];
        let rows: Vec<Vec<String>> = [
            ["in", "Input", "-/16,6/-", "", "0", "0"],
            ["fc1_relu", "Dense", "16,6", "1 Lat", "6089", "2"],
            [
                "output_softmax",
                "Softmax",
                "-/u18,8/-",
                "",
                "1234567",
                "15",
            ],
            ["x", "", "", "", "", ""],
        ]
        .iter()
        .map(|r| r.iter().map(|c| c.to_string()).collect())
        .collect();
        let mut t = crate::cli::common::table(&header);
        for r in &rows {
            t.add_row(r.clone());
        }
        let mut ours = Vec::new();
        let w = write(&mut ours, &header, rows.len(), |i| rows[i].clone()).unwrap();
        let ours = String::from_utf8(ours).unwrap();
        assert_eq!(ours, format!("{t}\n"));
        assert_eq!(w, ours.lines().next().unwrap().chars().count());
    }

    #[test]
    fn an_empty_table_is_its_header() {
        let mut t = crate::cli::common::table(&["a", "bb"]);
        t.set_header(["a", "bb"]);
        let mut ours = Vec::new();
        write(&mut ours, &["a", "bb"], 0, |_| Vec::new()).unwrap();
        assert_eq!(String::from_utf8(ours).unwrap(), format!("{t}\n"));
    }
}
