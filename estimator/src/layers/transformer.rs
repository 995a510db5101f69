//! Transformer layers on an FPGA as hls4ml 1.3.0 builds them (io_parallel):
//!
//! - **EinsumDense** (`nnet_einsum_dense.h`, `backends/vivado/passes/einsum_dense.py`): the
//!   equation is parsed into L0 free data positions, L1 free kernel outputs, C contracted
//!   inputs and I in-place axes; `einsum_dense` calls a `DenseLatency` kernel of C × L1 (the
//!   template forces the Latency kernel whatever the strategy) for each of the L0·I (position,
//!   in-place) pairs, with `parallelization_factor` = L0 by default (`init_einsum_dense`):
//!   all L0·I kernels are built side by side, one kernel stage of latency. The transposes are
//!   wiring. hls4ml asserts io_parallel.
//! - **MultiHeadAttention**, priced as hls4ml's decomposition of HGQ2's `QMultiHeadAttention`
//!   (`converters/keras_v3/hgq2/multi_head_attention.py`): EinsumDense Q (T_q kernels of d_q ×
//!   H·k), K (T_v kernels of d_k × G·k) and V (T_v kernels of d_v × G·v) in parallel, then the
//!   Einsum Q·Kᵀ (`nnet_einsum.h`: H·T_q·T_v·k products, fully unrolled, `PIPELINE II=RF`
//!   with `multiplier_limit` = ⌈products/RF⌉), the Softmax over the T_v keys of each of the
//!   H·T_q rows (an exp-table read per score, an inverse-table read and T_v products per row),
//!   the Einsum P·V (H·T_q·T_v·v products) and the EinsumDense output projection (T_q kernels
//!   of H·v × o), one after the other. The Softmax is `softmax_multidim`
//!   (`nnet_activation.h`): its row loops are unrolled and the `allocation ... limit =
//!   parallelization_factor` is −1 by default (`core_templates.py`), so every row has its own
//!   softmax logic. The intermediate tensors use the layer's result type.
//! - **LayerNormalization** (`nnet_layernorm.h`, `layernormalize`): the `LAYERNORM_SEQ_LOOP`
//!   over the rows is pipelined around one `layernorm_1d` (`PIPELINE II=RF`), so one row's
//!   logic is built: 3·dim + 2 products of the accumulator type (hls4ml's default
//!   `ap_fixed<14,4>`: the mean, dim squares, the variance, dim × 1/√var and dim × scale), two
//!   dim-input adder trees (sum and sum of squares), dim subtract and bias adds, and one read
//!   of the 1/√x table (`table_size` 4096 × `ap_ufixed<8,5>`, hls4ml's defaults: a ROM of
//!   2 BRAM_18K). Latency: rows × RF cycles plus three dependent product/adder-tree stages.
//! - **Embedding** (`nnet_embed.h`): the table of vocab × n_out words is not partitioned
//!   (the template leaves `ARRAY_PARTITION` out), so it is a ROM (BRAM when over 1 Kb) read
//!   two words per cycle (dual port): T·n_out reads take ⌈T·n_out / 2⌉ cycles; the output is a
//!   register of T·n_out words.
//!
//! No synthesis record of the calibration data has any of these kinds: their LUT/FF use the
//! coefficients fitted on Dense/Conv kernels and activations (or the priors where those are
//! unfitted), the LayerNorm depth of three stages, the LayerNorm table's BRAM and the
//! Embedding's two reads per cycle are priors, and every estimate says so in a warning.

use super::mac::{MacSpec, UNROLL_LIMIT};
use super::{Analysis, IiRule, LayerCtx};
use crate::calibration::{Feature, Timing, NF};
use ir::{LayerKind, Strategy};

pub const EINSUM_DENSE_FORMULAS: &[&str] = &[
    "EinsumDense: L0*I DenseLatency kernels of C x L1 side by side (parallelization_factor = L0); one kernel stage",
];
pub const ATTENTION_FORMULAS: &[&str] = &[
    "MultiHeadAttention: Q, K, V projections in parallel (T kernels each), then Einsum QK^T (H*Tq*Tv*k products), Softmax over Tv per row (H*Tq rows), Einsum PV (H*Tq*Tv*v), output projection (Tq kernels of H*v x o), in sequence",
];
pub const LAYER_NORM_FORMULAS: &[&str] = &[
    "LayerNormalization: one row built: products = ceil((3*dim + 2)/RF) of 14-bit accumulators; adder_bits = 2*dim*acc; elem_bits = 2*dim*result; 1/sqrt table 4096 x 8 bits = 2 BRAM_18K (prior); latency = rows*RF + 3 latency stages (prior)",
];
pub const EMBEDDING_FORMULAS: &[&str] = &[
    "Embedding: ROM of vocab*n_out words (BRAM when > 1 Kb); latency = II = ceil(T*n_out/2) (two reads per cycle, prior); buffer_bits = T*n_out*bits",
];

/// hls4ml 1.3.0's LayerNormalization defaults (`vivado_backend.py`): accumulator
/// `ap_fixed<14,4>`, 1/√x table of 4096 entries of `ap_ufixed<8,5>`.
const LN_ACCUM_BITS: u32 = 14;
const LN_TABLE_SIZE: u64 = 4096;
const LN_TABLE_BITS: u64 = 8;

/// `copies` identical Latency dense kernels of `n_in × n_out` built side by side, with
/// `a`-bit data and `w`-bit weights: one kernel's analysis with every resource multiplied.
fn kernels(ctx: &LayerCtx, n_in: u64, n_out: u64, copies: f64, a: u32, w: u32) -> Analysis {
    let spec = MacSpec {
        n_in,
        n_out,
        n_zeros: 0,
        a,
        w,
        acc: ctx.settings.accum.width(),
        requested_rf: ctx.settings.reuse_factor as u64,
        strategy: Strategy::Latency,
        // The decomposed products are priced without their weight values (priors).
        consts: None,
    };
    let mut k = super::mac_layer(ctx, &spec, 1.0, 1.0);
    scale(&mut k, copies);
    k.coefficients = Some(Strategy::Latency);
    k
}

/// Multiply every resource of `a` by `k` (its timing is unchanged: the copies run together).
pub(super) fn scale(a: &mut Analysis, k: f64) {
    for p in &mut a.products {
        p.count *= k;
        p.dsp_cap = p.dsp_cap.map(|c| c * k);
    }
    for i in 0..NF {
        a.fixed[i] *= k;
    }
    a.multipliers *= k;
    a.weight_bram *= k;
    a.bram_kernels *= k;
    a.banked_bram *= k;
    a.extra_bram *= k;
}

/// Add the resources of `o`, which runs at the same time as `a` (no timing added).
pub(super) fn beside(a: &mut Analysis, o: Analysis) {
    let timing = a.timing;
    let base = a.timing_base;
    let ii = a.ii;
    let multipliers = a.multipliers + o.multipliers;
    a.absorb(o);
    a.timing = timing;
    a.timing_base = base;
    a.ii = ii;
    a.multipliers = multipliers;
}

/// Add `o`, which runs after `a`: resources and cycles add.
pub(super) fn after(a: &mut Analysis, o: Analysis) {
    let multipliers = a.multipliers + o.multipliers;
    a.absorb(o);
    a.multipliers = multipliers;
}

fn prior_warning(ctx: &LayerCtx, what: &str) -> String {
    format!(
        "layer '{}' ({}): no synthesis data has this kind; its LUT/FF/DSP come from coefficients fitted on Dense/Conv kernels and activations (priors where unfitted){what}",
        ctx.layer.name,
        ctx.layer.kind.name()
    )
}

fn unroll_warning(ctx: &LayerCtx, what: &str, products: f64) -> Option<String> {
    (products >= UNROLL_LIMIT).then(|| {
        format!(
            "layer '{}': the {what} unrolls {products} products in one loop (hls4ml's Einsum is fully unrolled), beyond the unroll limit of ~{UNROLL_LIMIT}: HLS may not synthesise it",
            ctx.layer.name
        )
    })
}

pub fn analyse(ctx: &LayerCtx) -> Analysis {
    let (mut a, formulas) = match &ctx.layer.kind {
        LayerKind::MultiHeadAttention(m) => (attention(ctx, m), ATTENTION_FORMULAS),
        LayerKind::EinsumDense(e) => (einsum_dense(ctx, e), EINSUM_DENSE_FORMULAS),
        LayerKind::LayerNorm(_) => (layer_norm(ctx), LAYER_NORM_FORMULAS),
        LayerKind::Embedding(e) => (embedding(ctx, e), EMBEDDING_FORMULAS),
        LayerKind::Input(_)
        | LayerKind::Dense(_)
        | LayerKind::Conv1D(_)
        | LayerKind::Conv2D(_)
        | LayerKind::Pool1D(_)
        | LayerKind::Pool2D(_)
        | LayerKind::GlobalPool1D(_)
        | LayerKind::GlobalPool2D(_)
        | LayerKind::BatchNorm(_)
        | LayerKind::Activation(_)
        | LayerKind::Reshape(_)
        | LayerKind::Concatenate(_)
        | LayerKind::Dropout(_)
        | LayerKind::Flatten
        | LayerKind::Merge(_)
        | LayerKind::ZeroPadding1D(_)
        | LayerKind::ZeroPadding2D(_)
        | LayerKind::Cropping1D(_)
        | LayerKind::Cropping2D(_)
        | LayerKind::UpSampling1D(_)
        | LayerKind::DepthwiseConv2D(_)
        | LayerKind::SeparableConv2D(_)
        | LayerKind::DepthwiseConv1D(_)
        | LayerKind::SeparableConv1D(_)
        | LayerKind::ApplyAlpha
        | LayerKind::PositionalAdd
        | LayerKind::PReLU
        | LayerKind::Permute(_)
        | LayerKind::Dot
        | LayerKind::GarNet(_)
        | LayerKind::FixedPointQuantizer(_)
        | LayerKind::TimeDistributed(_)
        | LayerKind::Recurrent(_)
        | LayerKind::UpSampling2D(_) => {
            unreachable!("transformer::analyse is only called for transformer layers")
        }
    };
    if ctx.io_stream() {
        a.warnings.push(format!(
            "layer '{}' ({}): hls4ml 1.3.0 builds this kind in io_parallel only; the estimate is the io_parallel design",
            ctx.layer.name,
            ctx.layer.kind.name()
        ));
    }
    a.formulas = formulas;
    a
}

/// (L0, I, C, L1) of hls4ml's einsum recipe for an EinsumDense plan.
fn recipe(p: &ir::ops::einsum_dense::EinsumPlan) -> (u64, u64, u64, u64) {
    let prod = |f: &dyn Fn(char) -> bool| {
        p.sizes
            .iter()
            .filter(|(c, _)| f(*c))
            .fold(1u64, |acc, (_, s)| acc.saturating_mul(*s as u64))
    };
    let (inp, ker, out) = (&p.input, &p.kernel, &p.output);
    let l0 = prod(&|c| inp.contains(&c) && out.contains(&c) && !ker.contains(&c));
    let i = prod(&|c| inp.contains(&c) && out.contains(&c) && ker.contains(&c));
    (l0, i, p.n_contract(), p.n_free_kernel())
}

fn einsum_dense(ctx: &LayerCtx, e: &ir::ops::EinsumDense) -> Analysis {
    let Ok(plan) = e.plan(ctx.input()) else {
        // shape inference accepted the layer, so its plan exists
        return Analysis::free(EINSUM_DENSE_FORMULAS);
    };
    let (l0, i, c, l1) = recipe(&plan);
    let mut a = kernels(
        ctx,
        c,
        l1,
        (l0 * i) as f64,
        ctx.input_width,
        ctx.settings.weight.width(),
    );
    a.inputs = vec![
        ("L0", l0 as f64),
        ("I", i as f64),
        ("C", c as f64),
        ("L1", l1 as f64),
    ];
    super::activation::absorb_fused(ctx, &mut a);
    a.warnings.push(prior_warning(ctx, ""));
    a
}

fn attention(ctx: &LayerCtx, m: &ir::ops::MultiHeadAttention) -> Analysis {
    let dims = |i: usize| match ctx.inputs.get(i) {
        Some([t, d]) => (*t as u64, *d as u64),
        _ => (0, 0),
    };
    let (tq, dq) = dims(0);
    let (tv, dv) = dims(1);
    let dk = if ctx.inputs.len() > 2 { dims(2).1 } else { dv };
    let (h, g, k, v) = (
        m.heads as u64,
        m.kv_heads as u64,
        m.key_dim as u64,
        m.value_dim as u64,
    );
    let o = *ctx.output().last().unwrap_or(&0) as u64;
    let (x, w, r) = (
        ctx.input_width,
        ctx.settings.weight.width(),
        ctx.settings.result.width(),
    );
    // Q, K and V projections run side by side
    let mut a = kernels(ctx, dq, h * k, tq as f64, x, w);
    beside(&mut a, kernels(ctx, dk, g * k, tv as f64, x, w));
    beside(&mut a, kernels(ctx, dv, g * v, tv as f64, x, w));
    // scores Q·Kᵀ: for each (head, query) a k × T_v product
    after(&mut a, kernels(ctx, k, tv, (h * tq) as f64, r, r));
    // softmax over the T_v keys of each of the H·T_q rows
    let mut sm =
        super::activation::cost(ir::Activation::Softmax, tv as f64, r, 1.0, false, ctx.tool);
    scale(&mut sm, (h * tq) as f64);
    after(&mut a, sm);
    // weighted sum P·V: for each (head, query) a T_v × v product
    after(&mut a, kernels(ctx, tv, v, (h * tq) as f64, r, r));
    // output projection
    after(&mut a, kernels(ctx, h * v, o, tq as f64, r, w));
    let scores = (h * tq * tv) as f64;
    a.inputs = vec![
        ("Tq", tq as f64),
        ("Tv", tv as f64),
        ("heads", h as f64),
        ("kv_heads", g as f64),
        ("key_dim", k as f64),
        ("value_dim", v as f64),
        ("scores", scores),
    ];
    a.reuse_factor = None;
    a.warnings
        .extend(unroll_warning(ctx, "Einsum Q·Kᵀ", scores * k as f64));
    a.warnings
        .extend(unroll_warning(ctx, "Einsum P·V", scores * v as f64));
    a.warnings.push(prior_warning(
        ctx,
        "; priced as hls4ml's decomposition of HGQ2's QMultiHeadAttention (hls4ml 1.3.0 refuses a plain Keras MultiHeadAttention)",
    ));
    if m.causal {
        a.warnings.push(format!(
            "layer '{}': hls4ml 1.3.0 has no causal mask (its converter refuses mask inputs); the estimate is of the unmasked attention",
            ctx.layer.name
        ));
    }
    a
}

fn layer_norm(ctx: &LayerCtx) -> Analysis {
    let input = ctx.input();
    let dim = *input.last().unwrap_or(&1) as f64;
    let rows = super::pixels(input);
    let rf = (ctx.settings.reuse_factor as f64).max(1.0);
    let r = ctx.settings.result.width() as f64;
    let mut a = Analysis::free(LAYER_NORM_FORMULAS);
    let products = ((3.0 * dim + 2.0) / rf).ceil();
    a.products.push(super::Products {
        count: products,
        a: LN_ACCUM_BITS,
        b: LN_ACCUM_BITS,
        dsp_cap: None,
        dsp_share: None,
    });
    a.multipliers = products;
    a.fixed[Feature::AdderBits] = 2.0 * dim * LN_ACCUM_BITS as f64;
    a.fixed[Feature::ElemBits] = 2.0 * dim * r;
    a.fixed[Feature::TableReads] = 1.0;
    a.extra_bram = super::bram18_for(LN_TABLE_SIZE, LN_TABLE_BITS) as f64;
    a.timing[Timing::LatencyStage] = 3.0;
    a.timing_base = rows * rf;
    a.ii = IiRule::Fixed(rows * rf);
    a.inputs = vec![("rows", rows), ("dim", dim), ("RF", rf)];
    a.warnings.push(prior_warning(
        ctx,
        "; its 3-stage row depth and the 1/sqrt table's BRAM are priors",
    ));
    if input.len() != 2 {
        a.warnings.push(format!(
            "layer '{}': hls4ml 1.3.0 converts LayerNormalization only on (sequence, features) inputs over the last axis; input {input:?}",
            ctx.layer.name
        ));
    }
    a
}

fn embedding(ctx: &LayerCtx, e: &ir::ops::Embedding) -> Analysis {
    let tokens = super::elements(ctx.input());
    let words = tokens * e.output_dim as f64;
    let w = ctx.settings.weight.width() as u64;
    let table_words = (e.input_dim * e.output_dim) as u64;
    let mut a = Analysis::free(EMBEDDING_FORMULAS);
    if table_words * w > 1024 {
        a.extra_bram = super::bram18_for(table_words, w) as f64;
    } else {
        a.fixed[Feature::FabricWeightBits] = (table_words * w) as f64;
    }
    a.fixed[Feature::BufferBits] = words * ctx.settings.result.width() as f64;
    let cycles = (words / 2.0).ceil();
    a.timing_base = cycles;
    a.ii = IiRule::Fixed(cycles);
    a.timing[Timing::ElementwiseStage] = 1.0;
    a.inputs = vec![
        ("tokens", tokens),
        ("n_out", e.output_dim as f64),
        ("table_words", table_words as f64),
    ];
    a.warnings.push(prior_warning(
        ctx,
        "; its two table reads per cycle are a prior",
    ));
    a
}

#[cfg(test)]
mod tests {
    use crate::calibration::{Feature, Timing};
    use crate::layers::tests::{estimate_one, u250};
    use ir::{FixedType, HlsConfig, Layer, LayerKind, Network, Strategy};

    fn net_of(inputs: &[Vec<usize>], kind: LayerKind) -> Network {
        let mut net = Network::new("t");
        net.config = HlsConfig {
            precision: FixedType::fixed(16, 6),
            reuse_factor: 1,
            strategy: Strategy::Latency,
            ..HlsConfig::default()
        };
        let mut names = Vec::new();
        for (i, s) in inputs.iter().enumerate() {
            let n = format!("in{i}");
            net.add_layer(
                Layer::new(&n, LayerKind::Input(ir::ops::Input { shape: s.clone() })),
                &[],
            )
            .unwrap();
            names.push(n);
        }
        let refs: Vec<&str> = names.iter().map(String::as_str).collect();
        net.add_layer(Layer::new("l", kind), &refs).unwrap();
        net.infer_shapes().unwrap();
        net
    }

    #[test]
    fn attention_products_are_the_layers_macs() {
        // Self-attention on (16, 32), 4 heads of 8, at 16 bits and RF 1: hls4ml's
        // decomposition builds every multiply of the layer at once: Q, K, V and the output
        // projection 16·32·32 = 16384 each, Q·Kᵀ and P·V 4·16·16·8 = 8192 each (81920, the
        // IR's MAC count), plus the softmax's 4·16 rows × 16 products = 1024.
        let kind = LayerKind::MultiHeadAttention(ir::ops::MultiHeadAttention {
            heads: 4,
            kv_heads: 4,
            key_dim: 8,
            value_dim: 8,
            use_bias: true,
            key_bias: true,
            causal: false,
            output_dim: None,
        });
        // self-attention: the input feeds both operands
        let mut n2 = Network::new("t");
        n2.config = net_of(&[vec![4]], LayerKind::Flatten).config;
        n2.add_layer(
            Layer::new(
                "in0",
                LayerKind::Input(ir::ops::Input {
                    shape: vec![16, 32],
                }),
            ),
            &[],
        )
        .unwrap();
        n2.add_layer(Layer::new("l", kind), &["in0", "in0"])
            .unwrap();
        n2.infer_shapes().unwrap();
        let e = estimate_one(&n2, "l");
        let products: f64 = e.analysis.products.iter().map(|p| p.count).sum();
        assert_eq!(products, 81920.0 + 1024.0);
        assert_eq!(e.multipliers, 81920 + 1024);
        // softmax: 16 exp reads + 1 inverse read per row, 64 rows
        assert_eq!(e.analysis.fixed[Feature::TableReads], 64.0 * 17.0);
        // four sequential kernel stages (projections, QK, PV, output) and the softmax stage,
        // which takes 1 + SOFTMAX_EXTRA_CYCLES (4 cycles in the Vivado HLS 2019.2 report the
        // softmax model was read from)
        assert_eq!(e.analysis.timing[Timing::LatencyStage], 4.0);
        assert_eq!(
            e.analysis.timing[Timing::ElementwiseStage],
            1.0 + super::super::activation::SOFTMAX_EXTRA_CYCLES
        );
        assert_eq!(e.ii, 1);
        // 16-bit products on DSPs: at least one DSP per product in use
        assert!(e.csynth.dsp > 0.0);
        assert!(e
            .analysis
            .warnings
            .iter()
            .any(|w| w.contains("no synthesis data")));
        assert!(e
            .analysis
            .warnings
            .iter()
            .any(|w| w.contains("unroll limit")));
    }

    #[test]
    fn einsum_dense_kernels_follow_the_recipe() {
        // abc,cde->abde on (10, 4) -> (10, 2, 3): L0 = 10 positions, I = 1, C = 4, L1 = 6:
        // 10 kernels of 4 × 6 = 240 products (the MAC count), one kernel stage.
        let net = net_of(
            &[vec![10, 4]],
            LayerKind::EinsumDense(ir::ops::EinsumDense {
                equation: "abc,cde->abde".into(),
                output_shape: vec![None, Some(2), Some(3)],
                bias_axes: Some("de".into()),
            }),
        );
        let e = estimate_one(&net, "l");
        assert_eq!(e.multipliers, 240);
        assert_eq!(e.analysis.timing[Timing::LatencyStage], 1.0);
        let ins = &e.analysis.inputs;
        assert_eq!(
            ins.iter().map(|(_, v)| *v).collect::<Vec<_>>(),
            vec![10.0, 1.0, 4.0, 6.0]
        );
    }

    #[test]
    fn layer_norm_builds_one_row() {
        // (16, 32) at RF 1: 3·32 + 2 = 98 products of 14 bits, adder bits 2·32·14 = 896,
        // 1/sqrt table 4096 × 8 bits = 2 BRAM_18K (4K×4 aspect: 2 blocks), 16 rows = 16
        // cycles + three latency stages; II 16.
        let net = net_of(
            &[vec![16, 32]],
            LayerKind::LayerNorm(ir::ops::LayerNorm {
                axes: vec![-1],
                epsilon: 1e-3,
                center: true,
                scale: true,
            }),
        );
        let e = estimate_one(&net, "l");
        assert_eq!(e.multipliers, 98);
        assert_eq!(e.analysis.fixed[Feature::AdderBits], 896.0);
        assert_eq!(e.csynth.bram_18k, 2.0);
        assert_eq!(e.ii, 16);
        assert!(e.latency_best >= 17, "{}", e.latency_best);
        let _ = u250();
    }

    #[test]
    fn embedding_is_a_rom_read_two_words_a_cycle() {
        // 64 × 32 table at 16 bits = 32768 bits: BRAM 2048 words × 16 bits -> 2K×9 aspect,
        // 2 blocks; 16 tokens × 32 = 512 reads at 2 per cycle = 256 cycles.
        let net = net_of(
            &[vec![16]],
            LayerKind::Embedding(ir::ops::Embedding {
                input_dim: 64,
                output_dim: 32,
            }),
        );
        let e = estimate_one(&net, "l");
        assert_eq!(e.csynth.bram_18k, 2.0);
        assert_eq!(e.ii, 256);
        assert_eq!(e.multipliers, 0);
    }
}
