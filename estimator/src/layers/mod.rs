//! Per-layer analytic model: one module per layer kind. Each module turns a layer, its input
//! shapes and its resolved HLS settings into an [`Analysis`]: the multipliers it instantiates,
//! the linear LUT/FF features, the BRAM formula, the timing terms and the inputs of its
//! formulas. [`finish`] applies the calibration to give the [`LayerEstimate`] of both label
//! kinds (csynth estimate and post-synthesis).

pub mod activation;
pub mod batchnorm;
pub mod constmult;
pub mod conv1d;
pub mod conv2d;
pub mod dense;
pub mod depthwise;
pub mod dot;
pub mod garnet;
pub mod kinds;
pub mod mac;
pub mod merge;
pub mod passthrough;
pub mod pooling;
pub mod prelu;
pub mod quantizer_cast;
pub mod recurrent;
pub mod spatial;
pub mod speed;
pub mod time_distributed;
pub mod transformer;
pub mod transpose;

use crate::calibration::{
    Calibration, CoefSet, Feature, LabelKind, Timing, FEATURES, NF, NT, TIMING_FEATURES,
};
use crate::postsynth::PostBasis;
use crate::resources::{Device, Resources};
use ir::settings::ResolvedSettings;
use ir::{IoType, Layer, Strategy};
use serde::Serialize;

/// The HLS tool behind hls4ml's backend: Vivado HLS (≤ 2020.1; hls4ml's `Vivado` backend) or
/// Vitis HLS (≥ 2020.2; `Vitis`). They map some structures differently (the softmax tables:
/// [`activation`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tool {
    VivadoHls,
    VitisHls,
}

impl Tool {
    /// The tool of an hls4ml backend name (`Vivado`, `VivadoAccelerator` → Vivado HLS; `Vitis`
    /// and anything else hls4ml 1.3.0 defaults to → Vitis HLS).
    pub fn of_backend(backend: &str) -> Self {
        if backend.to_ascii_lowercase().starts_with("vivado") {
            Tool::VivadoHls
        } else {
            Tool::VitisHls
        }
    }
}

/// Everything a layer model may look at.
pub struct LayerCtx<'a> {
    pub layer: &'a Layer,
    /// Output shapes of the layers feeding this one, in operand order.
    pub inputs: &'a [&'a [usize]],
    pub settings: &'a ResolvedSettings,
    /// Bit width of the incoming data (the producer's result type).
    pub input_width: u32,
    pub calib: &'a Calibration,
    pub device: &'a Device,
    /// The HLS tool (from the network's backend).
    pub tool: Tool,
    /// Target clock period in ns.
    pub clock_ns: f64,
    /// The part as the network names it: its speed grade paces the pipeline
    /// ([`speed::depth_scale`]), and `device.part` may be a stand-in of another grade of the
    /// same device (`xc7z020clg400-2` is priced on the database's `xc7z020clg400-1`).
    pub part: &'a str,
}

impl LayerCtx<'_> {
    pub fn input(&self) -> &[usize] {
        self.inputs.first().copied().unwrap_or(&[])
    }
    pub fn output(&self) -> &[usize] {
        &self.layer.output_shape
    }
    pub fn io_stream(&self) -> bool {
        self.settings.io_type == IoType::Stream
    }
}

/// A group of identical multipliers: `count` instances of an `a × b` product.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Products {
    pub count: f64,
    pub a: u32,
    pub b: u32,
    /// At most this many of them may map to DSPs (the ALLOCATION limit of a Latency layer with
    /// RF > 1); the rest of the DSP share is time-shared on those, not built in LUTs.
    pub dsp_cap: Option<f64>,
    /// The share of them that maps to DSPs where the calibration's width ramp does not apply:
    /// narrow constant weights times a wide data operand ([`crate::narrowdsp`]); `None` for the
    /// ramp.
    pub dsp_share: Option<f64>,
}

/// How a layer's initiation interval follows from its latency.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum IiRule {
    /// A fixed II in cycles.
    Fixed(f64),
    /// II = best latency + 1 (Resource strategy at RF 1, fully unrolled: pilot data).
    LatencyPlusOne,
    /// II = min(best latency + 1, the value): Latency strategy with RF > 1 asks `PIPELINE
    /// II=RF`; when the ALLOCATION-limited function takes longer than that it is not re-entered
    /// before it finishes (the pilot's RF 512/1024 rows: II = latency + 1), and when it is
    /// shorter the II is RF (Hector-Plata/hls4ml-tutorial, Vivado HLS 2019.2, RF 2: every dense
    /// reports latency 1, interval 2).
    LatencyPlusOneAtMost(f64),
}

/// The calibration-independent description of one layer.
#[derive(Debug, Clone, PartialEq)]
pub struct Analysis {
    pub products: Vec<Products>,
    /// LUT/FF features that do not depend on the DSP mapping.
    pub fixed: [f64; NF],
    /// Weight-memory BRAM_18K from the reshaping formula (Resource strategy, RF > 1).
    pub weight_bram: f64,
    /// MAC kernels whose weights live in BRAM (the BRAM offset term).
    pub bram_kernels: f64,
    /// BRAM_18K if each multiplier's weights were a separate ROM (block_factor × depth RF).
    pub banked_bram: f64,
    /// BRAM_18K of io_stream FIFOs too large for fabric (depth × width; fitted as `fifo_bram`).
    pub fifo_bram: f64,
    /// Latency-strategy kernels: the bits one pipeline register cut inside their unrolled
    /// adder trees holds ([`mac::tree_cut_bits`]); FF of the extra stages a slower part or a
    /// shorter clock adds ([`resources`]).
    pub tree_cut_bits: f64,
    /// Narrow constant products of a Latency kernel and their fitted DSP share
    /// ([`crate::narrowdsp`]).
    /// Boxed: most layers have none, and every estimate holds one per layer.
    pub narrow: Option<Box<crate::narrowdsp::Narrow>>,
    /// BRAM_18K of tables (prior formula, not fitted).
    pub extra_bram: f64,
    /// FIFOs of the layers hls4ml inserts inside this IR layer in io_stream (the ZeroPadding2D
    /// before a `same` Conv, the activation split off a Dense/Conv): `(depth, width bits)`.
    pub streams: Vec<(f64, f64)>,
    /// The network is io_stream (set by the network analysis; selects [`CoefSet::Stream`]).
    pub io_stream: bool,
    /// Cycles that follow directly from RF and the number of pixels.
    pub timing_base: f64,
    pub timing: [f64; NT],
    pub ii: IiRule,
    /// The RF the layer uses (after hls4ml's validation) and the one requested, for MAC layers.
    pub reuse_factor: Option<(u64, u64)>,
    /// Multipliers instantiated (multiplier_limit or block_factor).
    pub multipliers: f64,
    /// The formula lines and the named inputs, for `--explain`.
    pub formulas: &'static [&'static str],
    pub inputs: Vec<(&'static str, f64)>,
    pub warnings: Vec<String>,
    /// Use this strategy's coefficients instead of the layer's (Resource with RF = 1 is fully
    /// unrolled like Latency, and csynth treats it so: pilot data).
    pub coefficients: Option<Strategy>,
    /// Calls the layer makes per sample, one per pixel or position it streams (1 for a layer
    /// that works on its whole input at once): its tail after the last input is one call.
    pub calls: f64,
    /// Pipeline-depth scale of the part and clock ([`speed::depth_scale`]; 1 at the
    /// calibration's 5 ns UltraScale+): the unrolled stages' registers follow it.
    pub depth_scale: f64,
    /// C-synthesis FF multiplier of io_stream networks by tool and the network's strategy,
    /// fitted on the real corpus ([`crate::streamff`]; set by the network analysis; 1 in
    /// io_parallel and where the corpus has no rows).
    pub ff_scale: f64,
    /// C-synthesis LUT multiplier of io_stream networks, the same way ([`crate::streamff`]).
    pub lut_scale: f64,
}

impl Analysis {
    /// A layer that costs nothing and takes no cycles (Flatten, Reshape, Dropout, Input).
    pub fn free(formulas: &'static [&'static str]) -> Self {
        Analysis {
            products: Vec::new(),
            fixed: [0.0; NF],
            weight_bram: 0.0,
            bram_kernels: 0.0,
            banked_bram: 0.0,
            fifo_bram: 0.0,
            tree_cut_bits: 0.0,
            narrow: None,
            extra_bram: 0.0,
            streams: Vec::new(),
            io_stream: false,
            timing_base: 0.0,
            timing: [0.0; NT],
            ii: IiRule::Fixed(1.0),
            reuse_factor: None,
            multipliers: 0.0,
            formulas,
            inputs: Vec::new(),
            warnings: Vec::new(),
            coefficients: None,
            calls: 1.0,
            depth_scale: 1.0,
            ff_scale: 1.0,
            lut_scale: 1.0,
        }
    }
}

impl Analysis {
    /// The depth scale the Latency datapath registers follow: an io_stream layer is a DATAFLOW
    /// process of its own, a pipelined loop that keeps at least half its registers ([`resources`]).
    pub fn ff_depth(&self) -> f64 {
        if self.io_stream {
            self.depth_scale.max(0.5)
        } else {
            self.depth_scale
        }
    }

    /// The coefficient set of this layer when its network uses `strategy`.
    pub fn coef_set(&self, strategy: Strategy) -> CoefSet {
        CoefSet::of(self.coefficients.unwrap_or(strategy), self.io_stream)
    }

    /// Add another part of the same layer that runs after this one (a fused activation):
    /// resources and cycles add, the II is the larger one.
    pub fn absorb(&mut self, o: Analysis) {
        self.products.extend(o.products);
        for i in 0..NF {
            self.fixed[i] += o.fixed[i];
        }
        self.weight_bram += o.weight_bram;
        self.bram_kernels += o.bram_kernels;
        self.banked_bram += o.banked_bram;
        self.fifo_bram += o.fifo_bram;
        self.tree_cut_bits += o.tree_cut_bits;
        if self.narrow.is_none() {
            self.narrow = o.narrow;
        }
        self.extra_bram += o.extra_bram;
        self.streams.extend(o.streams);
        self.timing_base += o.timing_base;
        for i in 0..NT {
            self.timing[i] += o.timing[i];
        }
        self.ii = match (self.ii, o.ii) {
            (IiRule::Fixed(x), IiRule::Fixed(y)) => IiRule::Fixed(x.max(y)),
            (IiRule::LatencyPlusOneAtMost(r), IiRule::Fixed(y))
            | (IiRule::Fixed(y), IiRule::LatencyPlusOneAtMost(r)) => {
                IiRule::LatencyPlusOneAtMost(r.max(y))
            }
            (IiRule::LatencyPlusOneAtMost(x), IiRule::LatencyPlusOneAtMost(y)) => {
                IiRule::LatencyPlusOneAtMost(x.max(y))
            }
            (IiRule::LatencyPlusOne, _) | (_, IiRule::LatencyPlusOne) => IiRule::LatencyPlusOne,
        };
        self.warnings.extend(o.warnings);
    }
}

/// The constant-product split of a MAC layer's `n_in × n_out` kernel, counted from the layer's
/// weights ([`constmult`]). Only the Latency strategy folds constants (Resource reads its
/// weights from memory); without weights `None` (the fitted width mapping of every product).
pub fn const_split(ctx: &LayerCtx, n_in: u64, n_out: u64) -> Option<constmult::ConstSplit> {
    if ctx.settings.strategy != Strategy::Latency {
        return None;
    }
    match ctx.layer.weight("kernel") {
        Some(t) if t.len() as u64 == n_in * n_out => {
            Some(constmult::count(&t.data, &ctx.settings.weight))
        }
        _ => None,
    }
}

/// hls4ml's `n_zeros` of a MAC layer's `n` kernel weights: counted from the weights, else the
/// layer's expected sparsity (a pruned model without its weights; `sparsity` in the DSL), else 0.
pub fn kernel_zeros(ctx: &LayerCtx, n: u64) -> u64 {
    match (ctx.layer.weight("kernel"), ctx.layer.settings.sparsity) {
        (Some(t), _) => t.zeros() as u64,
        (None, Some(s)) => (s * n as f64).round() as u64,
        (None, None) => 0,
    }
}

/// A layer built around one matrix-vector kernel called `invocations` times in a pipelined
/// loop (Dense positions, Conv partitions or pixels): resources of one kernel, cycles
/// `invocations × II_kernel` plus the stage depth once.
pub fn mac_layer(
    ctx: &LayerCtx,
    spec: &mac::MacSpec,
    invocations: f64,
    _stream_invocations: f64,
) -> Analysis {
    let m = mac::analyse(spec, ctx.calib, &ctx.layer.name);
    let mut warnings = m.warnings;
    let frac = ctx
        .calib
        .kind(LabelKind::Csynth)
        .get(spec.strategy)
        .dsp
        .fraction(spec.a.min(spec.w));
    if frac > 0.0 {
        if let Some(w) = mac::wide_product_warning(&ctx.layer.name, spec.a, spec.w, ctx.device) {
            warnings.push(w);
        }
    }
    let (timing_base, ii) = if invocations > 1.0 {
        let mut per = (m.rf as f64).max(1.0);
        if spec.strategy == Strategy::Latency && m.rf > 1 {
            // `PIPELINE II=RF` asks RF cycles per call, but a small kernel is done sooner: its
            // ALLOCATION-limited DSPs make ⌈DSP-mapped products / multiplier_limit⌉ rounds, plus
            // the unrolled stage and its register (pominiq/DNNonSilicon 005/007, Vivado HLS
            // 2020.1: conv2d io_stream at RF 16 takes ~13 cycles per input pixel, 10195 for 784).
            let share = m.products.dsp_share.unwrap_or(frac);
            let rounds = (m.products.count * share / m.multipliers.max(1.0)).ceil();
            let c = &ctx.calib.timing.cycles;
            per = per
                .min(rounds + c[Timing::LatencyStage] + c[Timing::LatencyRegistered])
                .max(1.0);
        }
        if ctx.io_stream() {
            per = speed::stream_pixel_cycles(spec.strategy, ctx.tool, m.rf, per);
        }
        (invocations * per, IiRule::Fixed(invocations * per))
    } else {
        (m.base, m.ii)
    };
    Analysis {
        products: vec![m.products],
        fixed: m.fixed,
        weight_bram: m.weight_bram,
        bram_kernels: m.bram_kernels,
        banked_bram: m.banked_bram,
        fifo_bram: 0.0,
        tree_cut_bits: m.tree_cut_bits,
        narrow: m.narrow.map(Box::new),
        extra_bram: 0.0,
        streams: Vec::new(),
        io_stream: false,
        timing_base,
        timing: m.timing,
        ii,
        reuse_factor: Some((m.rf, spec.requested_rf)),
        multipliers: m.multipliers,
        formulas: match spec.strategy {
            Strategy::Latency => mac::LATENCY_FORMULAS,
            Strategy::Resource => mac::RESOURCE_FORMULAS,
        },
        inputs: {
            let mut v = vec![("n_zeros", spec.n_zeros as f64)];
            match spec.consts {
                Some(c) => {
                    v.push(("const_multiply", c.multiply));
                    v.push(("const_shift_add", c.shift_add));
                }
                None if spec.strategy == Strategy::Latency => v.push(("weights_unknown", 1.0)),
                None => {}
            }
            v.extend([
                ("a_bits", spec.a as f64),
                ("w_bits", spec.w as f64),
                ("acc_bits", spec.acc as f64),
                ("RF", m.rf as f64),
                ("block_factor", m.block_factor),
            ]);
            v
        },
        warnings,
        coefficients: (spec.strategy == Strategy::Resource && m.rf == 1)
            .then_some(Strategy::Latency),
        // A Resource-strategy kernel called once in io_stream: its RF loop counts as RF calls,
        // so only its pipeline depth follows the last input. The wa-hls4ml conv2d rows (Vitis
        // HLS 2023.2) say csynth's DATAFLOW latency does not add the Resource dense head's RF
        // loop after the convolution (held-out latency SMAPE 0.06 % without, 1.1 % with it).
        depth_scale: 1.0,
        ff_scale: 1.0,
        lut_scale: 1.0,
        calls: if invocations > 1.0 {
            invocations
        } else if spec.strategy == Strategy::Resource && ctx.io_stream() {
            m.rf as f64
        } else {
            1.0
        },
    }
}

/// A convolution: its kernel (n_in = window·channels, n_out = filters) called once per output
/// pixel (io_parallel) or once per (padded) input pixel (io_stream), plus its buffers.
///
/// io_stream (`conv_2d_buffer_cl`, `nnet_conv2d_stream.h`, hls4ml 1.3.0): the `ReadInputHeight`
/// / `ReadInputWidth` loop is pipelined only for the Latency strategy; with Resource each input
/// pixel runs `compute_output_buffer_2d`, whose kernel call (RF cycles) csynth counts for every
/// pixel. The kernel window `kernel_data[filt_h·filt_w·n_chan]` is a register array
/// (buffer_bits) and the `ap_shift_reg` line buffer keeps (filt_h − 1) rows of in_w·n_chan
/// words (line_buffer_bits). `same` padding is done by a ZeroPadding layer hls4ml inserts
/// before the conv (`InsertZeroPaddingBeforeConv2D`, `backends/vivado/passes/conv_same_pad.py`;
/// `conv_2d_buffer_cl` asserts zero padding), so the conv reads the padded image through one
/// more FIFO. A 1×1 kernel becomes a PointwiseConv (`OptimizePointwiseConv`,
/// `backends/vivado/passes/pointwise.py`) whose io_stream function `pointwise_conv_2d_cl`
/// (`nnet_sepconv2d_stream.h`) declares `#pragma HLS ARRAY_PARTITION variable=weights
/// complete`: its weights are registers read through the RF-way index (fabric_weight_bits),
/// not a BRAM.
pub struct ConvGeometry {
    pub n_in: usize,
    pub n_out: usize,
    /// Input pixels the kernel loop runs over (padded in io_stream).
    pub in_pixels: f64,
    pub out_pixels: f64,
    /// Line-buffer words (io_stream).
    pub line_words: f64,
    /// Pixels and channels of the inserted ZeroPadding output, when hls4ml inserts one.
    pub padded: Option<(f64, f64)>,
    /// 1×1 kernel (PointwiseConv).
    pub pointwise: bool,
}

pub fn conv_layer(ctx: &LayerCtx, g: &ConvGeometry) -> Analysis {
    let spec = mac::MacSpec {
        n_in: g.n_in as u64,
        n_out: g.n_out as u64,
        n_zeros: kernel_zeros(ctx, (g.n_in * g.n_out) as u64),
        a: ctx.input_width,
        w: ctx.settings.weight.width(),
        acc: ctx.settings.accum.width(),
        requested_rf: ctx.settings.reuse_factor as u64,
        strategy: ctx.settings.strategy,
        consts: const_split(ctx, g.n_in as u64, g.n_out as u64),
    };
    let stream = ctx.io_stream();
    let invocations = if stream { g.in_pixels } else { g.out_pixels };
    let mut a = mac_layer(ctx, &spec, invocations, invocations);
    a.fixed[Feature::BufferBits] += g.n_in as f64 * spec.a as f64;
    if stream {
        a.fixed[Feature::LineBufferBits] += g.line_words * spec.a as f64;
        if g.pointwise {
            a.fixed[Feature::FabricWeightBits] += (g.n_in * g.n_out) as f64 * spec.w as f64;
            a.weight_bram = 0.0;
            a.bram_kernels = 0.0;
            a.banked_bram = 0.0;
        }
        if let Some((pixels, chans)) = g.padded {
            a.streams.push((pixels, chans * spec.a as f64));
        }
    }
    a.inputs.insert(0, ("n_out", g.n_out as f64));
    a.inputs.insert(0, ("n_in", g.n_in as f64));
    a.inputs.push((
        if stream { "in_pixels" } else { "n_partitions" },
        invocations,
    ));
    if stream {
        a.inputs.push(("line_words", g.line_words));
    }
    activation::absorb_fused(ctx, &mut a);
    a
}

/// Total `same` padding of one axis (Keras/hls4ml: out = ⌈in/stride⌉,
/// pad = max((out − 1)·stride + k − in, 0)); 0 for `valid`.
pub fn same_pad(padding: ir::Padding, len: usize, k: usize, stride: usize) -> usize {
    match padding {
        ir::Padding::Valid => 0,
        ir::Padding::Same => {
            let (before, after) = ir::shape::same_padding(len, k, stride);
            before + after
        }
    }
}

/// Resources of one label kind plus the features that produced them (for `--explain`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct KindFigures {
    pub resources: Resources,
    #[serde(skip)]
    pub features: [f64; NF],
}

/// The estimate of one layer.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LayerEstimate {
    pub name: String,
    pub kind: String,
    pub strategy: String,
    pub reuse_factor: Option<u64>,
    pub requested_reuse_factor: Option<u64>,
    pub multipliers: u64,
    /// HLS C-synthesis estimate.
    pub csynth: Resources,
    /// Vivado logic-synthesis estimate.
    pub post_synthesis: Resources,
    pub latency_best: u64,
    pub latency_worst: u64,
    pub ii: u64,
    /// `latency_best` before rounding: the layers of one pipelined io_parallel top chain their
    /// operations across layer boundaries, so the network sums these ([`crate::network`]).
    #[serde(skip)]
    pub latency_exact: f64,
    #[serde(skip)]
    pub analysis: Analysis,
    #[serde(skip)]
    pub features: [[f64; NF]; 2],
    /// The coefficient set that priced this layer.
    #[serde(skip)]
    pub coef_set: CoefSet,
    /// Where the post-synthesis figures come from.
    #[serde(skip)]
    pub post_basis: crate::postsynth::PostBasis,
    /// Cycles after its last input arrives (one call): [`crate::dataflow`].
    #[serde(skip)]
    pub tail: f64,
}

/// Analyse one layer with the module of its kind.
pub fn analyse(ctx: &LayerCtx) -> Analysis {
    let mut a = analyse_kind(ctx);
    let part = if speed::speed_grade(ctx.part).is_some() {
        ctx.part
    } else {
        &ctx.device.part
    };
    let s = speed::depth_scale(&ctx.device.family, part, ctx.clock_ns);
    a.depth_scale = s;
    for t in [
        Timing::LatencyStage,
        Timing::LatencyRegistered,
        Timing::ElementwiseStage,
    ] {
        a.timing[t] *= s;
    }
    a
}

/// The model of the layer's kind ([`kinds::LayerModel`], one file per kind).
fn analyse_kind(ctx: &LayerCtx) -> Analysis {
    kinds::model_of(&ctx.layer.kind).analyse(ctx)
}

/// The LUT/FF feature vector of an analysis under one DSP mapping, and the DSP count.
pub fn features(
    a: &Analysis,
    calib: &Calibration,
    kind: LabelKind,
    set: CoefSet,
    device: &Device,
) -> ([f64; NF], f64) {
    let map = calib.kind(kind).get(set).dsp;
    let mut f = a.fixed;
    let mut dsp = 0.0;
    for p in &a.products {
        let frac = p.dsp_share.unwrap_or_else(|| map.fraction(p.a.min(p.b)));
        // DSP slices: with an ALLOCATION cap (Latency strategy, RF > 1) the DSP-mapped products
        // share the capped multipliers. Their fabric share (operand and adder-tree logic, the
        // `dsp_products` feature) stays per product: the pilot's csynth LUT of a layer is the
        // same at RF 512/1024 as at RF 1 (32x64 at 8 bits: 61.1k vs 61.7k LUT while its DSPs
        // drop from 452 to 4).
        let on_dsp = match p.dsp_cap {
            Some(cap) => (p.count * frac).min(cap),
            None => p.count * frac,
        };
        dsp += on_dsp * device.dsp_per_product(p.a, p.b) as f64;
        f[1] += p.count * (1.0 - frac) * (p.a * p.b) as f64;
        f[2] += p.count * frac;
    }
    (f, dsp)
}

fn dot(a: &[f64; NF], b: &[f64; NF]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// Resources of one label kind.
pub fn resources(
    a: &Analysis,
    calib: &Calibration,
    kind: LabelKind,
    set: CoefSet,
    device: &Device,
) -> ([f64; NF], Resources) {
    let c = calib.kind(kind).get(set);
    let (f, dsp) = features(a, calib, kind, set, device);
    // The Latency strategy's registers sit between its unrolled stages: as many more as the
    // part and clock need stages (speed.rs; 1 where the coefficients were fitted). That holds
    // for the datapath features (products, adders, accumulators, muxes, element-wise logic,
    // table reads) in both io types: an io_stream Latency kernel is the same unrolled
    // dense_latency code called once per pixel (taitashaw/hls4ml-fpga-classifier, the
    // KERAS_3layer MLP in io_stream at 10 ns on Vitis HLS 2025.2: 5.1k FF for 3.3k DSPs;
    // fastmachinelearning/hls4ml's 16→5 Dense in io_stream at 5 ns on the xc7z020-1: 8.0k FF
    // for 80 DSPs). The storage features (buffers, line buffers, weights in fabric) are
    // registers whatever the clock. An io_stream layer is a DATAFLOW process of its own, a
    // pipelined loop that keeps at least one register stage however long the clock: the fitted
    // Latency layers are two stages deep at 5 ns on the U250 (latency_stage and the registered
    // output), so its datapath registers fall to half at most (pominiq/DNNonSilicon 007/011,
    // the MNIST CNN in io_stream at 25 ns on the xcu50: 15.6–15.7k FF, where the unclamped 0.2
    // scale gives 5.3k). An io_parallel Latency network is one pipelined function whose layers
    // chain (crate::network): at 25 ns it is nearly combinational (Alezander9/ML_FPGAonPixel
    // 001–007: 0–1 cycle, 0.6–0.9k FF for 0.3–0.7k DSPs), and the full scale holds.
    let ff_depth = a.ff_depth();
    let ff_of =
        |range: std::ops::Range<usize>| -> f64 { range.map(|i| c.ff[i] * f[i]).sum::<f64>() };
    let storage = Feature::BufferBits as usize;
    let ff_raw = if set == CoefSet::Latency {
        ff_of(0..storage) * ff_depth + ff_of(storage..NF) + tree_stage_ff(a, calib, ff_depth)
    } else {
        dot(&c.ff, &f)
    };
    let r = Resources {
        lut: dot(&c.lut, &f).max(0.0)
            * if kind == LabelKind::Csynth {
                a.lut_scale
            } else {
                1.0
            },
        ff: ff_raw.max(0.0)
            * if kind == LabelKind::Csynth {
                a.ff_scale
            } else {
                1.0
            },
        dsp,
        bram_18k: (c.bram[0] * a.weight_bram
            + c.bram[1] * a.bram_kernels
            + c.bram[2] * a.banked_bram
            + c.bram[3] * a.fifo_bram)
            .max(0.0)
            + a.extra_bram,
        uram: 0.0,
    };
    (f, r)
}

/// FF of the pipeline registers a Latency-strategy kernel gains inside its adder trees when
/// the part and clock need more stages than where the coefficients were fitted: the
/// unrolled stage's cycles grow from `latency_stage` to `latency_stage × depth` (speed.rs),
/// each extra cycle one more register cut of [`mac::tree_cut_bits`] bits. Physically derived,
/// no coefficient (0 at depth ≤ 1). Read against the corpus' io_parallel jet tagger at RF 1
/// (Vivado HLS): 13 cycles and 14.5k FF on the xcu250 (depth 1), 23–31 cycles and 83k on the
/// xc7vx690t and 18–22 cycles and 117–119k on the xcku115 (depth 2), where the fitted
/// coefficients alone, scaled by the depth, gave 42k.
pub fn tree_stage_ff(a: &Analysis, calib: &Calibration, depth: f64) -> f64 {
    let extra_cuts = (depth - 1.0).max(0.0) * calib.timing.cycles[Timing::LatencyStage];
    extra_cuts * a.tree_cut_bits
}

/// Best latency in cycles of an analysis.
pub fn best_cycles(a: &Analysis, calib: &Calibration) -> f64 {
    let t: f64 = a
        .timing
        .iter()
        .zip(&calib.timing.cycles)
        .map(|(x, c)| x * c)
        .sum();
    (a.timing_base + t).max(0.0)
}

/// Apply the calibration to an analysis.
pub fn finish(
    layer: &ir::Layer,
    strategy: Strategy,
    calib: &Calibration,
    device: &Device,
    a: Analysis,
) -> LayerEstimate {
    let coeffs = a.coef_set(strategy);
    let (fc, csynth) = resources(&a, calib, LabelKind::Csynth, coeffs, device);
    let (fp, mut post) = resources(&a, calib, LabelKind::PostSynthesis, coeffs, device);
    let post_basis = if !calib.post_copies_csynth(coeffs) {
        PostBasis::Fitted
    } else if coeffs == CoefSet::Latency && strategy == Strategy::Latency {
        // Only Latency-strategy layers: the ratios were fitted on those. A Resource layer at
        // RF 1 priced with the Latency coefficients keeps (and says it keeps) the copy; the
        // shipped hybrid surrogate was trained on those figures.
        post = crate::postsynth::apply(&csynth);
        PostBasis::CsynthRatio
    } else {
        PostBasis::CopyOfCsynth
    };
    let exact = best_cycles(&a, calib);
    let best = exact.round();
    let worst =
        best + (a.timing[Timing::ResourceStage] * calib.timing.worst_extra_per_stage).round();
    let ii = match a.ii {
        IiRule::Fixed(v) => v,
        IiRule::LatencyPlusOne => best + 1.0,
        IiRule::LatencyPlusOneAtMost(r) => (best + 1.0).min(r),
    };
    let calls = a.calls.max(1.0);
    let tail = (best - (calls - 1.0) * ii.max(1.0) / calls).max(0.0);
    LayerEstimate {
        name: layer.name.clone(),
        kind: layer.kind.name().to_string(),
        strategy: strategy.to_string(),
        reuse_factor: a.reuse_factor.map(|r| r.0),
        requested_reuse_factor: a.reuse_factor.map(|r| r.1),
        multipliers: a.multipliers.round() as u64,
        csynth,
        post_synthesis: post,
        latency_best: best as u64,
        latency_worst: worst as u64,
        ii: ii.max(1.0).round() as u64,
        latency_exact: exact,
        analysis: a,
        features: [fc, fp],
        coef_set: coeffs,
        post_basis,
        tail,
    }
}

impl LayerEstimate {
    /// The formulas and inputs behind every figure of this layer, one line each.
    pub fn explain(&self, calib: &Calibration) -> Vec<String> {
        let a = &self.analysis;
        let mut out = Vec::new();
        out.push(format!("{} ({}, {}):", self.name, self.kind, self.strategy));
        if !a.inputs.is_empty() {
            let ins: Vec<String> = a
                .inputs
                .iter()
                .map(|(n, v)| format!("{n}={}", fmt_num(*v)))
                .collect();
            out.push(format!("  inputs: {}", ins.join(", ")));
        }
        for f in a.formulas {
            out.push(format!("  {f}"));
        }
        for p in &a.products {
            out.push(format!(
                "  products: {} × ({}-bit × {}-bit)",
                fmt_num(p.count),
                p.a,
                p.b
            ));
        }
        if let Some(n) = &a.narrow {
            out.push(format!("  {}", crate::narrowdsp::explain(n)));
        }
        for (k, kind) in [LabelKind::Csynth, LabelKind::PostSynthesis]
            .into_iter()
            .enumerate()
        {
            if kind == LabelKind::PostSynthesis && self.post_basis == PostBasis::CsynthRatio {
                // Not the coefficients' terms: the csynth figures times the corpus ratios.
                let p = &self.post_synthesis;
                out.push(format!(
                    "  [post_synthesis] lut {}, ff {}, dsp {}, bram_18k {} {}",
                    fmt_num(p.lut),
                    fmt_num(p.ff),
                    fmt_num(p.dsp),
                    fmt_num(p.bram_18k),
                    crate::postsynth::explain()
                ));
                continue;
            }
            let c = calib.kind(kind).get(self.coef_set);
            let f = &self.features[k];
            let r = if k == 0 {
                &self.csynth
            } else {
                &self.post_synthesis
            };
            let terms = |coef: &[f64; NF]| -> String {
                let t: Vec<String> = (0..NF)
                    .filter(|&i| f[i] != 0.0 && coef[i] != 0.0)
                    .map(|i| format!("{}×{}={}", fmt_num(coef[i]), FEATURES[i], fmt_num(f[i])))
                    .collect();
                if t.is_empty() {
                    "0".into()
                } else {
                    t.join(" + ")
                }
            };
            out.push(format!(
                "  [{} {}] DSP share of products: clamp((w−{})/({}−{}),0,1) → dsp {}",
                kind.name(),
                self.coef_set,
                fmt_num(c.dsp.w0),
                fmt_num(c.dsp.w1),
                fmt_num(c.dsp.w0),
                fmt_num(r.dsp)
            ));
            out.push(format!(
                "  [{}] lut {} = {}{}",
                kind.name(),
                fmt_num(r.lut),
                terms(&c.lut),
                if kind == LabelKind::Csynth && a.lut_scale != 1.0 {
                    format!(
                        " × lut_scale {} (io_stream LUT by tool and strategy, fitted on the real corpus: estimator/calibration/stream-ff.json)",
                        fmt_num(a.lut_scale)
                    )
                } else {
                    String::new()
                }
            ));
            let tree_ff = if self.coef_set == CoefSet::Latency {
                tree_stage_ff(a, calib, a.ff_depth())
            } else {
                0.0
            };
            out.push(format!(
                "  [{}] ff {} = {}{}{}{}",
                kind.name(),
                fmt_num(r.ff),
                terms(&c.ff),
                if self.coef_set == CoefSet::Latency && a.ff_depth() != 1.0 {
                    format!(
                        " (the terms before buffer_bits × depth {}: speed.rs)",
                        fmt_num(a.ff_depth())
                    )
                } else {
                    String::new()
                },
                if tree_ff > 0.0 {
                    format!(
                        " + tree_stage_ff {} (no coefficient: (depth {} − 1) × latency_stage {} extra register cuts × tree_cut_bits {})",
                        fmt_num(tree_ff),
                        fmt_num(a.depth_scale),
                        fmt_num(calib.timing.cycles[Timing::LatencyStage]),
                        fmt_num(a.tree_cut_bits)
                    )
                } else {
                    String::new()
                },
                if kind == LabelKind::Csynth && a.ff_scale != 1.0 {
                    format!(
                        " × ff_scale {} (io_stream FF by tool and strategy, fitted on the real corpus: estimator/calibration/stream-ff.json)",
                        fmt_num(a.ff_scale)
                    )
                } else {
                    String::new()
                }
            ));
            out.push(format!(
                "  [{} {}] bram_18k {} = {}×weight_bram({}) + {}×bram_kernels({}) + {}×banked_bram({}) + {}×fifo_bram({}) + tables {}",
                kind.name(),
                self.coef_set,
                fmt_num(r.bram_18k),
                fmt_num(c.bram[0]),
                fmt_num(a.weight_bram),
                fmt_num(c.bram[1]),
                fmt_num(a.bram_kernels),
                fmt_num(c.bram[2]),
                fmt_num(a.banked_bram),
                fmt_num(c.bram[3]),
                fmt_num(a.fifo_bram),
                fmt_num(a.extra_bram)
            ));
        }
        match self.post_basis {
            PostBasis::Fitted | PostBasis::CsynthRatio => {}
            PostBasis::CopyOfCsynth => out.push(
                "  [post_synthesis] copies csynth: no post-synthesis coefficients of this strategy"
                    .to_string(),
            ),
        }
        let t: Vec<String> = (0..NT)
            .filter(|&i| a.timing[i] != 0.0)
            .map(|i| {
                format!(
                    "{}×{}={}",
                    fmt_num(calib.timing.cycles[i]),
                    TIMING_FEATURES[i],
                    fmt_num(a.timing[i])
                )
            })
            .collect();
        out.push(format!(
            "  latency best {} = base {}{}{}; worst {}; II {}",
            self.latency_best,
            fmt_num(a.timing_base),
            if t.is_empty() { "" } else { " + " },
            t.join(" + "),
            self.latency_worst,
            self.ii
        ));
        out
    }
}

/// A number as a short string: integers without decimals, others with up to 3.
pub fn fmt_num(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else {
        let s = format!("{v:.3}");
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    }
}

/// Number of elements of a shape.
pub fn elements(shape: &[usize]) -> f64 {
    shape.iter().product::<usize>() as f64
}

/// Pixels (all but the channel axis) of a channels-last shape.
pub fn pixels(shape: &[usize]) -> f64 {
    if shape.len() <= 1 {
        1.0
    } else {
        shape[..shape.len() - 1].iter().product::<usize>() as f64
    }
}

/// BRAM_18K for a memory of `depth` words of `width` bits, using the 18K aspect ratios
/// (16K×1, 8K×2, 4K×4, 2K×9, 1K×18, 512×36).
pub fn bram18_for(depth: u64, width: u64) -> u64 {
    if depth == 0 || width == 0 {
        return 0;
    }
    const SHAPES: [(u64, u64); 6] = [
        (512, 36),
        (1024, 18),
        (2048, 9),
        (4096, 4),
        (8192, 2),
        (16384, 1),
    ];
    let (d, w) = SHAPES
        .iter()
        .copied()
        .find(|(d, _)| depth <= *d)
        .unwrap_or((16384, 1));
    width.div_ceil(w) * depth.div_ceil(d)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use ir::{Activation, FixedType, HlsConfig, Layer, LayerKind, Network};

    /// The Alveo U250 (xcu250-figd2104-2L-e) counts from domain-notes §2.2 and its DSP48E2.
    pub fn u250() -> Device {
        Device {
            part: "xcu250-figd2104-2L-e".into(),
            family: "virtexuplus".into(),
            capacity: Resources {
                lut: 1_728_000.0,
                ff: 3_456_000.0,
                dsp: 12_288.0,
                bram_18k: 5_376.0,
                uram: 1_280.0,
            },
            dsp_a_width: 27,
            dsp_b_width: 18,
        }
    }

    pub fn one_layer_net_io(
        input: Vec<usize>,
        kind: LayerKind,
        act: Activation,
        strategy: Strategy,
        rf: u32,
        bits: u32,
        io: IoType,
    ) -> Network {
        let mut net = Network::new("t");
        net.config = HlsConfig {
            precision: FixedType::fixed(bits, 6.min(bits as i32)),
            reuse_factor: rf,
            strategy,
            io_type: io,
            ..HlsConfig::default()
        };
        net.add_layer(
            Layer::new("in", LayerKind::Input(ir::ops::Input { shape: input })),
            &[],
        )
        .unwrap();
        net.add_layer(Layer::new("fc", kind).with_activation(act), &["in"])
            .unwrap();
        net.infer_shapes().unwrap();
        net
    }

    pub fn one_layer_net(
        input: Vec<usize>,
        kind: LayerKind,
        act: Activation,
        strategy: Strategy,
        rf: u32,
        bits: u32,
    ) -> Network {
        one_layer_net_io(input, kind, act, strategy, rf, bits, IoType::Parallel)
    }

    /// Estimate a network with the bundled calibration and return the named layer.
    pub fn estimate_one(net: &Network, name: &str) -> LayerEstimate {
        let e = crate::network::estimate(net, &u250(), &Calibration::builtin()).unwrap();
        e.layers.into_iter().find(|l| l.name == name).unwrap()
    }

    #[test]
    fn bram_aspect_ratios() {
        // 512×36 fits one 18K block; 513×36 needs two (1K×18 each); 1024×1 one.
        assert_eq!(bram18_for(512, 36), 1);
        assert_eq!(bram18_for(513, 36), 2);
        assert_eq!(bram18_for(1024, 1), 1);
        // 1024 words × 672 bits (block_factor 48 × 14 bits): 672/18 = 37.3 → 38 blocks.
        assert_eq!(bram18_for(1024, 672), 38);
        assert_eq!(bram18_for(20000, 1), 2);
    }

    #[test]
    fn same_padding_totals() {
        // Keras `same`: out = ceil(in/stride), pad = max((out-1)*stride + k - in, 0). The
        // hls4ml 1.3.0 project of wa-hls4ml conv2d_204 pads 37×46 (k4, s2) to 40×48
        // (zeropad2d config8: top 1 + bottom 2, left 1 + right 1).
        assert_eq!(same_pad(ir::Padding::Same, 37, 4, 2), 3);
        assert_eq!(same_pad(ir::Padding::Same, 46, 4, 2), 2);
        // 1×1 stride 2 on 19×23 (its second conv): out 10×12, no padding (config9 pads 0).
        assert_eq!(same_pad(ir::Padding::Same, 19, 1, 2), 0);
        assert_eq!(same_pad(ir::Padding::Same, 23, 1, 2), 0);
        assert_eq!(same_pad(ir::Padding::Valid, 37, 4, 2), 0);
    }

    #[test]
    fn number_format() {
        assert_eq!(
            (fmt_num(3.0), fmt_num(0.25), fmt_num(1.0 / 3.0)),
            ("3".into(), "0.25".into(), "0.333".into())
        );
    }
}
