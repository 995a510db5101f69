//! hls4ml's generated im2col `fill_buffer_N` classes for io_parallel convolutions
//! (`FPGABackend.generate_conv{1,2}d_line_buffer_fn`), shared by Conv1D and Conv2D.

/// One output pixel's window: the flat input index (`Some(i)` → `data[i]`) or a padding zero.
pub type Row = Vec<Option<usize>>;

/// The class text: `base` is `FillConv1DBuffer`/`FillConv2DBuffer`, `data_dims`/`buffer_dims`
/// the array extents hls4ml writes, `rows` one window per output pixel, split in `n_partitions`.
pub fn fill_buffer_class(
    index: usize,
    base: &str,
    data_dims: &str,
    buffer_dims: &str,
    rows: &[Row],
    n_partitions: usize,
) -> String {
    let mut s = String::with_capacity(rows.len() * rows.first().map_or(0, |r| r.len()) * 32 + 512);
    s.push_str(&format!(
        "template<class data_T, typename CONFIG_T>
class fill_buffer_{index} : public nnet::{base}<data_T, CONFIG_T> {{
    public:
    static void fill_buffer(
        data_T data[{data_dims}],
        data_T buffer[CONFIG_T::n_pixels][{buffer_dims}],
        const unsigned partition
    ) {{
"
    ));
    let per = rows.len() / n_partitions.max(1);
    for (p, chunk) in rows.chunks(per.max(1)).enumerate() {
        s.push_str(&format!("        if (partition == {p:>3}) {{\n"));
        for (pixel, row) in chunk.iter().enumerate() {
            let stmts: Vec<String> = row
                .iter()
                .enumerate()
                .map(|(j, v)| {
                    let val = match v {
                        Some(i) => format!("data[{i}]"),
                        None => "0".to_string(),
                    };
                    format!("buffer[{pixel}][{j}] = {val:>10};")
                })
                .collect();
            s.push_str("            ");
            s.push_str(&stmts.join(" "));
            s.push('\n');
        }
        s.push_str("\n        }\n");
    }
    s.push_str("    }\n};\n");
    s
}
