//! The text Conv1D and Conv2D share: their `config{N}_mult` product, the reuse/strategy
//! lines and the kernel typedefs of `conv{1,2}d_config`.

use super::{dense, Ctx};

/// The pieces of a convolution's config text that do not depend on its rank.
pub struct ConvText {
    /// The `config{N}_mult` struct (hls4ml's `conv_mult_config`), written before the config.
    pub mult: String,
    /// `reuse_factor` .. `implementation`: the product's sizing lines inside the config.
    pub product: String,
    /// `fill_buffer` .. `mult_config`: the im2col class and the typedefs inside the config.
    pub types: String,
}

/// The shared text of a `rank`-D convolution ("1D"/"2D") whose product has `n_in` inputs
/// (kernel taps x channels) and `n_filt` outputs.
pub fn text(c: &Ctx, rank: &str, n_in: usize, n_filt: usize) -> ConvText {
    let idx = c.index();
    let fill = if c.m.is_stream() {
        format!("nnet::FillConv{rank}Buffer")
    } else {
        format!("nnet::fill_buffer_{idx}")
    };
    ConvText {
        mult: dense::conv_mult_config(c, n_in, n_filt),
        product: format!(
            "    static const unsigned reuse_factor = {rf};
    static const unsigned n_zeros = {nz};
    static const unsigned multiplier_limit =
        DIV_ROUNDUP(kernel_size * n_chan * n_filt, reuse_factor) - n_zeros / reuse_factor;
    static const bool store_weights_in_bram = false;
    static const unsigned strategy = nnet::{strategy};
    static const nnet::conv_implementation implementation = nnet::conv_implementation::linebuffer;
",
            rf = c.reuse(),
            nz = c.weight_zeros(0),
            strategy = c.strategy(),
        ),
        types: format!(
            "    template<class data_T, class CONFIG_T>
    using fill_buffer = {fill}<data_T, CONFIG_T>;
{typedefs}    typedef config{idx}_mult mult_config;
",
            typedefs = c.weight_typedefs(),
        ),
    }
}
