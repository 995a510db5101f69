//! What a node of the lowered graph computes: hls4ml's layer classes with the structural
//! attributes its templates need (sizes, strides, paddings), and no weights or types. Codegen
//! renders these; the estimator prices them.

/// Activation functions hls4ml emits as `nnet::<func>`.
#[derive(Debug, Clone, PartialEq)]
pub enum ActKind {
    /// Table or plain element-wise functions: relu, sigmoid, tanh, linear.
    Plain(&'static str),
    /// A parametrised activation (hls4ml's `ParametrizedActivation`): `leaky_relu` with its
    /// slope or `elu` with its alpha; `func` is the nnet function.
    Param {
        func: &'static str,
        alpha: f64,
    },
    Softmax,
    /// hls4ml's `HardActivation` (`nnet::hard_sigmoid`): clip(slope·x + shift, 0, 1) with its
    /// constants in `ap_ufixed<16,0>` / `ap_ufixed<2,0>` types.
    HardSigmoid {
        slope: f64,
        shift: f64,
    },
    /// hls4ml's `HardActivation` made from QKeras's hard `quantized_tanh`/`quantized_sigmoid`
    /// (`nnet::hard_tanh` / `nnet::hard_sigmoid`, the function named here): QKeras's slope 0.5
    /// and shift 0.5 in `ap_ufixed<2,0>` constants, which hls4ml also declares as the layer's
    /// `<name>_slope_prec` / `<name>_shift_prec` types.
    QKerasHard(&'static str),
    /// hls4ml's `PReLU` (`nnet::prelu`): one alpha per element, from the layer's weight
    /// `alpha`, written as the array `a{index}` of the `param_t` type.
    PReLU,
}

/// What a lowered layer computes (hls4ml's layer classes), with the attributes the templates need.
#[derive(Debug, Clone, PartialEq)]
pub enum Op {
    Input,
    Dense {
        n_in: usize,
        n_out: usize,
    },
    Conv1D {
        in_width: usize,
        n_chan: usize,
        filt_width: usize,
        n_filt: usize,
        stride: usize,
        pad_left: usize,
        pad_right: usize,
        out_width: usize,
        n_partitions: usize,
        /// A kernel of 1: hls4ml's PointwiseConv1D (`optimize_pointwise_conv`).
        pointwise: bool,
        /// hls4ml's DepthwiseConv1D (a subclass of its Conv1D: the same config struct, the
        /// `DepthwiseDenseLatency` product, one kernel per channel; `n_filt == n_chan`).
        depthwise: bool,
    },
    Conv2D {
        in_height: usize,
        in_width: usize,
        n_chan: usize,
        filt_height: usize,
        filt_width: usize,
        n_filt: usize,
        stride_height: usize,
        stride_width: usize,
        pad_top: usize,
        pad_bottom: usize,
        pad_left: usize,
        pad_right: usize,
        out_height: usize,
        out_width: usize,
        n_partitions: usize,
        /// A 1x1 kernel: hls4ml's PointwiseConv2D (`optimize_pointwise_conv`).
        pointwise: bool,
        /// hls4ml's DepthwiseConv2D (a subclass of its Conv2D: the same config struct, the
        /// `DepthwiseDenseLatency` product, one kernel per channel; `n_filt == n_chan`).
        depthwise: bool,
    },
    Pool1D {
        max: bool,
        n_in: usize,
        n_out: usize,
        n_filt: usize,
        pool_width: usize,
        stride: usize,
        pad_left: usize,
        pad_right: usize,
    },
    Pool2D {
        max: bool,
        in_height: usize,
        in_width: usize,
        n_filt: usize,
        pool_height: usize,
        pool_width: usize,
        stride_height: usize,
        stride_width: usize,
        out_height: usize,
        out_width: usize,
        pad_top: usize,
        pad_bottom: usize,
        pad_left: usize,
        pad_right: usize,
    },
    GlobalPool1D {
        max: bool,
        n_in: usize,
        n_filt: usize,
    },
    GlobalPool2D {
        max: bool,
        in_height: usize,
        in_width: usize,
        n_filt: usize,
    },
    BatchNorm {
        /// `n_filt` as hls4ml writes it: -1 for 1-D inputs, else the channel count.
        n_filt: i64,
    },
    Activation {
        act: ActKind,
        /// The activation's name in the config struct (`relu`, `leakyrelu`, `softmax`, ...).
        config_name: String,
    },
    /// An element-wise merge (`nnet::add`, `nnet::subtract`, ...; hls4ml's `Merge`).
    Merge {
        op: ir::ops::MergeOp,
    },
    Concatenate {
        axis: isize,
    },
    /// Flatten or Reshape: no call, the output aliases the input (io_parallel), or a
    /// repack in io_stream when the packing changes.
    Reshape,
    /// A Keras Dropout: numbered by hls4ml's parser, then removed (`remove_dropout`); never
    /// reaches a writer.
    Dropout,
    /// io_stream fan-out: one input stream copied into `outputs.len()` streams.
    Clone,
    /// Zeros `before`/`after` the width (hls4ml `ZeroPadding1D`).
    ZeroPadding1D {
        in_width: usize,
        n_chan: usize,
        out_width: usize,
        before: usize,
        after: usize,
    },
    /// Zeros around the image, `[[top, bottom], [left, right]]` (hls4ml `ZeroPadding2D`).
    ZeroPadding2D {
        in_height: usize,
        in_width: usize,
        n_chan: usize,
        out_height: usize,
        out_width: usize,
        sides: [[usize; 2]; 2],
    },
    /// Elements removed `before`/`after` the width (hls4ml `Cropping1D`).
    Cropping1D {
        in_width: usize,
        n_chan: usize,
        out_width: usize,
        before: usize,
        after: usize,
    },
    /// Elements removed around the image (hls4ml `Cropping2D`).
    Cropping2D {
        in_height: usize,
        in_width: usize,
        n_chan: usize,
        out_height: usize,
        out_width: usize,
        sides: [[usize; 2]; 2],
    },
    /// Layer normalisation over the last axis of a (sequence, features) input (hls4ml
    /// `LayerNormalization`, `nnet::layernormalize`).
    LayerNorm {
        seq_len: usize,
        /// Features per position (the normalised axis).
        dim: usize,
        /// `-round(log10(epsilon))`: the table's lower end is `10^-p`.
        epsilon_power_of_10: u32,
    },
    /// A dense product written as an einsum with a kernel (hls4ml `EinsumDense`,
    /// `nnet::einsum_dense`): the recipe of `input,kernel->output`.
    EinsumDense {
        inp_shape: Vec<usize>,
        kernel_shape: Vec<usize>,
        out_shape: Vec<usize>,
        recipe: crate::einsum::EinsumRecipe,
        /// The IR layer's weights this product reads (`kernel`/`bias` of an EinsumDense,
        /// `query/kernel`... of a decomposed attention), and a factor folded into the kernel
        /// and bias (attention's 1/√key_dim on the query; 1 otherwise).
        kernel_weight: &'static str,
        bias_weight: Option<&'static str>,
        scale: f64,
    },
    /// A product of two tensors written as an einsum (hls4ml `Einsum`, `nnet::einsum`): the
    /// attention scores Q·Kᵀ and the weighted sum of the values in hls4ml's decomposition.
    Einsum {
        inp0_shape: Vec<usize>,
        inp1_shape: Vec<usize>,
        out_shape: Vec<usize>,
        recipe: crate::einsum::EinsumRecipe,
    },
    /// A lookup of each input token's row in a `vocab_size × n_out` table (hls4ml `Embedding`,
    /// `nnet::embedding`).
    Embedding {
        n_in: usize,
        n_out: usize,
        vocab_size: usize,
    },
    /// A separable convolution (hls4ml's SeparableConv1D/2D) as hls4ml's parser makes it;
    /// `separable_to_depthwise_and_conv` splits it into its depthwise [`Op::Conv1D`] or
    /// [`Op::Conv2D`] (`depthwise`, no bias) and a kernel-1 conv of the same rank to `n_filt`
    /// channels, so it never reaches a writer.
    SeparableConv {
        /// The depthwise part: an [`Op::Conv1D`] or [`Op::Conv2D`] with `depthwise` set.
        depthwise: Box<Op>,
        n_filt: usize,
    },
    /// The inner product of two 1-D operands of `n_in` elements (hls4ml `Dot`, `nnet::dot1d`).
    Dot {
        n_in: usize,
    },
    /// An axis permutation (hls4ml `Transpose`, `nnet::transpose`, from Keras's Permute):
    /// output axis `i` is input axis `perm[i]`.
    Transpose {
        from_shape: Vec<usize>,
        perm: Vec<usize>,
    },
    /// Nearest-neighbour resize (hls4ml `Resize`, from Keras UpSampling1D/2D; 1-D has height 1).
    Resize {
        in_height: usize,
        in_width: usize,
        n_chan: usize,
        out_height: usize,
        out_width: usize,
    },
    /// hls4ml's `LSTM` / `GRU` (`nnet::lstm_stack` / `nnet::gru_stack`) over a
    /// `(n_sequence, n_in)` input, or its `Bidirectional` of two of them
    /// (`nnet::bidirectional_stack`, io_parallel only, the two directions concatenated).
    Recurrent {
        /// LSTM or GRU (hls4ml's Vivado backend writes no SimpleRNN).
        cell: ir::ops::Cell,
        n_sequence: usize,
        n_in: usize,
        /// Units of one direction.
        n_state: usize,
        return_sequences: bool,
        bidirectional: bool,
        /// `nnet::activation::<name>` of the cell (`tanh`, `sigmoid` or `relu`: the classes of
        /// `nnet_recr_activations.h`) and of its gates.
        activation: &'static str,
        recurrent_activation: &'static str,
        /// hls4ml's `Static` (default true): one cell with static state (`lstm_static`,
        /// `lstm_class_static`), else the non-static cell.
        use_static: bool,
    },
    /// hls4ml's `FixedPointQuantizer`, which its HGQ2 converter makes of a layer's input
    /// (`<layer>_iq`) or output (`<layer>_oq`) quantizer: each element cast to its own
    /// `ap_[u]fixed<k+i+f, k+i, AP_<round>, AP_<overflow>>` (0 where it has no bits) by a
    /// function generated into nnet_code_gen.h. The bit-exact pass shrinks its mask and folds a
    /// uniform one into the type of the node before it (`lower::passes::bit_exact`).
    FixedPointQuantizer {
        /// The per-element mask (k, i, f) and modes, as hls4ml holds them (`mask_kbi`).
        quantizer: crate::passes::bit_exact::Quantizer,
        /// HGQ2's quantizer has one bit width for the whole tensor: hls4ml shrinks its mask
        /// to the largest of the elements' (`produce_kif`, the contracted axes).
        homogeneous: bool,
    },
}

impl Op {
    /// Whether the node is hls4ml's DepthwiseConv1D/2D (a depthwise [`Op::Conv1D`] or
    /// [`Op::Conv2D`]).
    pub fn is_depthwise(&self) -> bool {
        matches!(
            self,
            Op::Conv1D {
                depthwise: true,
                ..
            } | Op::Conv2D {
                depthwise: true,
                ..
            }
        )
    }
}
