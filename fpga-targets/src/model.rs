//! The entry types: [`FpgaPart`], [`Gpu`] and the [`Target`] that is either.

use serde::{Deserialize, Serialize};

/// The DSP slice of an FPGA family, which fixes the native multiplier width.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum DspPrimitive {
    /// 7-series: 25×18 signed multiplier.
    DSP48E1,
    /// UltraScale / UltraScale+: 27×18 signed multiplier.
    DSP48E2,
    /// Versal: 27×24 multiplier with a 58-bit accumulator.
    DSP58,
    /// Intel/Altera variable-precision DSP block (Arria 10, Stratix 10, Agilex): one 27×27 or
    /// two 18×19 multipliers. Data only: presynth's estimates are not calibrated on Intel parts.
    IntelVariablePrecision,
}

impl DspPrimitive {
    /// Width of the multiplier's wide (A) and narrow (B) input ports in bits.
    pub fn port_widths(self) -> (u32, u32) {
        match self {
            DspPrimitive::DSP48E1 => (25, 18),
            DspPrimitive::DSP48E2 => (27, 18),
            DspPrimitive::DSP58 => (27, 24),
            DspPrimitive::IntelVariablePrecision => (27, 27),
        }
    }

    /// DSP slices one `width`×`width` multiplier takes: ⌈w/A⌉·⌈w/B⌉ (18×18 → 1, 19×19 → 2,
    /// 32×32 → 4 on DSP48E1, matching the measured Pynq-Z2 counts in domain-notes §2.2).
    pub fn dsps_per_multiply(self, width: u32) -> u32 {
        let (a, b) = self.port_widths();
        let w = width.max(1);
        w.div_ceil(a) * w.div_ceil(b)
    }
}

/// A clock frequency with its provenance.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Clock {
    pub mhz: f64,
    pub source: String,
    pub verified: bool,
}

/// The board's off-chip memory that a kernel streams from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OffChipMemory {
    pub kind: String,
    /// Aggregate peak bandwidth in GB/s (1e9 bytes per second).
    pub bandwidth_gbps: f64,
    pub source: String,
    pub verified: bool,
}

/// An FPGA part with whole-device resource counts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FpgaPart {
    pub name: String,
    /// The device (die and variant) the name starts with, e.g. `xc7z020` of `xc7z020clg400-1`;
    /// needed only where no hyphen follows it (else the name up to the first hyphen).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device: Option<String>,
    #[serde(default)]
    pub aliases: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub board: Option<String>,
    pub family: String,
    pub lut: u64,
    pub ff: u64,
    pub dsp: u64,
    pub bram_18k: u64,
    pub uram: u64,
    pub dsp_primitive: DspPrimitive,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub clock: Option<Clock>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub memory: Option<OffChipMemory>,
    /// Alveo platforms (shells) for the part, the first being the default: the resources
    /// their dynamic region leaves to kernels (TOML `[[fpga.shell]]`).
    #[serde(default, rename = "shell", skip_serializing_if = "Vec::is_empty")]
    pub shells: Vec<ShellRegion>,
    /// The AI Engine array of a Versal AI Core part (TOML `[fpga.ai_engine]`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ai_engine: Option<AiEngineArray>,
    pub source: String,
    pub verified: bool,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub unverified_fields: Vec<String>,
}

/// What an Alveo platform's dynamic region leaves to kernels (the static region holds the
/// PCIe/DMA shell, memory controllers and management logic).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ShellRegion {
    /// The platform name, e.g. `xilinx_u200_gen3x16_xdma_2_202110_1`.
    pub platform: String,
    pub lut: u64,
    pub ff: u64,
    pub dsp: u64,
    pub bram_18k: u64,
    /// `None` where the source does not list URAM (the whole device's count then applies).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uram: Option<u64>,
    pub source: String,
    pub verified: bool,
}

/// A Versal AI Engine array: tiles of VLIW/SIMD vector processors beside the fabric.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AiEngineArray {
    pub tiles: u32,
    /// Array clock in MHz for the part's speed grade.
    pub clock_mhz: f64,
    /// Vector-unit multiply-accumulates per tile per clock by operand type.
    pub int8_macs_per_tile_clk: f64,
    pub int16_macs_per_tile_clk: f64,
    pub fp32_macs_per_tile_clk: f64,
    pub source: String,
    pub verified: bool,
}

impl AiEngineArray {
    /// Multiply-accumulates per tile per clock for `width`-bit operands (fixed point up to 8
    /// and 16 bits, FP32 above that): the AM009/UG1079 vector precision table.
    pub fn macs_per_tile_clk(&self, width: u32) -> f64 {
        if width <= 8 {
            self.int8_macs_per_tile_clk
        } else if width <= 16 {
            self.int16_macs_per_tile_clk
        } else {
            self.fp32_macs_per_tile_clk
        }
    }

    /// Array multiply-accumulates per second for `width`-bit operands.
    pub fn macs_per_s(&self, width: u32) -> f64 {
        f64::from(self.tiles) * self.macs_per_tile_clk(width) * self.clock_mhz * 1e6
    }
}

/// Bytes in one BRAM_18K block (18 Kb), domain-notes §2.2.
pub const BRAM18K_BYTES: u64 = 2_304;
/// Bytes in one URAM block (288 Kb), domain-notes §2.2.
pub const URAM_BYTES: u64 = 36_864;

impl FpgaPart {
    /// The device name, lower case: `device` when given, else the name up to its first hyphen.
    pub fn device_name(&self) -> String {
        self.device
            .clone()
            .unwrap_or_else(|| {
                self.name
                    .split('-')
                    .next()
                    .unwrap_or(&self.name)
                    .to_string()
            })
            .to_ascii_lowercase()
    }

    /// Total on-chip block memory (BRAM + URAM) in bytes.
    pub fn block_ram_bytes(&self) -> u64 {
        self.bram_18k * BRAM18K_BYTES + self.uram * URAM_BYTES
    }

    /// The resources a kernel may use: the default shell's dynamic region where the part has
    /// one, else the whole device. Returns (lut, ff, dsp, bram_18k, uram, platform).
    pub fn kernel_resources(&self) -> (u64, u64, u64, u64, u64, Option<&str>) {
        match self.shells.first() {
            Some(s) => (
                s.lut,
                s.ff,
                s.dsp,
                s.bram_18k,
                s.uram.unwrap_or(self.uram),
                Some(s.platform.as_str()),
            ),
            None => (self.lut, self.ff, self.dsp, self.bram_18k, self.uram, None),
        }
    }

    /// The default kernel clock in MHz (200 MHz, hls4ml's 5 ns, when the entry has none).
    pub fn clock_mhz(&self) -> f64 {
        self.clock.as_ref().map_or(200.0, |c| c.mhz)
    }
}

/// Numeric formats a GPU peak is quoted for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum GpuPrecision {
    Fp32,
    Tf32,
    Bf16,
    Fp16,
    Fp8,
}

/// A GPU (or other tensor accelerator) with dense peak throughputs and its memory system.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Gpu {
    pub name: String,
    #[serde(default)]
    pub aliases: Vec<String>,
    /// Architecture: `sm_80`, `sm_86`, `sm_89`, `sm_90`, `sm_100` (NVIDIA compute capability),
    /// `cdna3` (AMD) or `tpu-v5e` (Google); decides which kernel tiles and MMA shapes apply.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub arch: Option<String>,
    /// Streaming multiprocessors (NVIDIA), compute units (AMD) or TensorCores (TPU).
    pub sms: u32,
    /// Clock in MHz at which the dense tensor peak is quoted (peak / (SMs × FLOP per clock
    /// per SM)); the exponential unit's rate is taken at the same clock.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub clock_mhz: Option<f64>,
    /// Highest SM clock in MHz the vendor's figures imply (NVIDIA quotes the FP32 peak at it:
    /// fp32 / (SMs × 2 × FP32 lanes per SM)); ceilings that must hold at any clock use it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_clock_mhz: Option<f64>,
    /// Shared-memory bytes per clock per SM (NVIDIA: 32 banks × 4 B); `None`: not modelled.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub smem_bytes_per_sm_clk: Option<f64>,
    /// Non-tensor-core FP32, TFLOP/s (an FMA counts 2); `None` where not published.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fp32_tflops: Option<f64>,
    /// Dense tensor-core peaks, TFLOP/s.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tf32_tflops: Option<f64>,
    pub bf16_tflops: f64,
    pub fp16_tflops: f64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fp8_tflops: Option<f64>,
    /// Special-function-unit results (exp2) per clock per SM.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sfu_per_sm_clk: Option<f64>,
    pub memory_kind: String,
    pub memory_gb: f64,
    /// Peak DRAM bandwidth in GB/s.
    pub bandwidth_gbps: f64,
    /// Last-level on-chip cache in front of DRAM (L2; AMD: Infinity Cache); `None` if absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub l2_kib: Option<u64>,
    /// Maximum shared-memory carve-out per SM.
    pub smem_per_sm_kib: u64,
    /// Most shared memory one thread block may use (opt-in); the per-SM figure if absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub smem_per_block_kib: Option<u64>,
    /// 32-bit registers per SM (also the most one thread block may use on NVIDIA parts).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub regs_per_sm: Option<u64>,
    pub source: String,
    pub verified: bool,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub unverified_fields: Vec<String>,
}

impl Gpu {
    /// Dense peak in TFLOP/s for `p`, or `None` where the GPU has no such path or the figure
    /// is not published.
    pub fn peak_tflops(&self, p: GpuPrecision) -> Option<f64> {
        match p {
            GpuPrecision::Fp32 => self.fp32_tflops,
            GpuPrecision::Tf32 => self.tf32_tflops,
            GpuPrecision::Bf16 => Some(self.bf16_tflops),
            GpuPrecision::Fp16 => Some(self.fp16_tflops),
            GpuPrecision::Fp8 => self.fp8_tflops,
        }
    }

    /// Shared memory one thread block may use, KiB.
    pub fn smem_per_block(&self) -> u64 {
        self.smem_per_block_kib.unwrap_or(self.smem_per_sm_kib)
    }

    /// Exponentials per second on the special-function units (SMs × per-clock rate × clock).
    pub fn exp_per_s(&self) -> Option<f64> {
        Some(f64::from(self.sms) * self.sfu_per_sm_clk? * self.clock_mhz? * 1e6)
    }
}

/// Which kind of hardware an entry describes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TargetKind {
    Fpga,
    Gpu,
}

/// One entry of the database.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum Target {
    Fpga(FpgaPart),
    Gpu(Gpu),
}

impl Target {
    pub fn name(&self) -> &str {
        match self {
            Target::Fpga(p) => &p.name,
            Target::Gpu(g) => &g.name,
        }
    }

    pub fn aliases(&self) -> &[String] {
        match self {
            Target::Fpga(p) => &p.aliases,
            Target::Gpu(g) => &g.aliases,
        }
    }

    pub fn kind(&self) -> TargetKind {
        match self {
            Target::Fpga(_) => TargetKind::Fpga,
            Target::Gpu(_) => TargetKind::Gpu,
        }
    }

    pub fn source(&self) -> &str {
        match self {
            Target::Fpga(p) => &p.source,
            Target::Gpu(g) => &g.source,
        }
    }

    pub fn verified(&self) -> bool {
        match self {
            Target::Fpga(p) => p.verified,
            Target::Gpu(g) => g.verified,
        }
    }
}
