//! Resource vectors (LUT, FF, DSP, BRAM_18K, URAM) and the device capacity they are compared
//! with. BRAM is always counted in 18K blocks here; post-synthesis reports that count 36K tiles
//! are converted on input (× 2).

use serde::{Deserialize, Serialize};
use std::ops::{Add, AddAssign};

/// One resource figure per FPGA primitive. Values are real numbers because fitted terms are.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct Resources {
    pub lut: f64,
    pub ff: f64,
    pub dsp: f64,
    pub bram_18k: f64,
    pub uram: f64,
}

/// The five resource names, in the order of [`Resources::as_array`].
pub const RESOURCE_NAMES: [&str; 5] = ["lut", "ff", "dsp", "bram_18k", "uram"];

impl Resources {
    pub fn as_array(&self) -> [f64; 5] {
        [self.lut, self.ff, self.dsp, self.bram_18k, self.uram]
    }
    pub fn from_array(a: [f64; 5]) -> Self {
        Resources {
            lut: a[0],
            ff: a[1],
            dsp: a[2],
            bram_18k: a[3],
            uram: a[4],
        }
    }
    pub fn scale(&self, k: f64) -> Self {
        Resources::from_array(self.as_array().map(|v| v * k))
    }
    /// Every figure rounded to whole primitives (BRAM to half an 18K block is not possible, so
    /// to whole blocks), never below zero.
    pub fn rounded(&self) -> Self {
        Resources::from_array(self.as_array().map(|v| v.max(0.0).round()))
    }
}

impl Add for Resources {
    type Output = Resources;
    fn add(self, o: Resources) -> Resources {
        let (a, b) = (self.as_array(), o.as_array());
        Resources::from_array(std::array::from_fn(|i| a[i] + b[i]))
    }
}
impl AddAssign for Resources {
    fn add_assign(&mut self, o: Resources) {
        *self = *self + o;
    }
}

/// What the estimator needs to know about a part: its capacity and its DSP primitive. The CLI
/// fills it from the `fpga-targets` crate.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Device {
    pub part: String,
    /// Family name as the part database gives it (e.g. `virtexuplus`), for messages.
    pub family: String,
    pub capacity: Resources,
    /// DSP multiplier operand widths (signed bits): 27×18 on DSP48E2, 25×18 on DSP48E1,
    /// 27×24 on DSP58.
    pub dsp_a_width: u32,
    pub dsp_b_width: u32,
}

impl Device {
    /// The capacity and DSP primitive of a part from the `fpga-targets` database.
    pub fn from_part(p: &fpga_targets::FpgaPart) -> Self {
        let (a, b) = p.dsp_primitive.port_widths();
        Device {
            part: p.name.clone(),
            family: p.family.clone(),
            capacity: Resources {
                lut: p.lut as f64,
                ff: p.ff as f64,
                dsp: p.dsp as f64,
                bram_18k: p.bram_18k as f64,
                uram: p.uram as f64,
            },
            dsp_a_width: a,
            dsp_b_width: b,
        }
    }

    /// Look a part up in the built-in `fpga-targets` database (name, alias or unambiguous
    /// prefix); `None` when unknown or a GPU.
    pub fn lookup(name: &str) -> Option<Self> {
        match fpga_targets::Targets::builtin().get(name) {
            Ok(fpga_targets::Target::Fpga(p)) => Some(Self::from_part(p)),
            _ => None,
        }
    }

    /// DSP slices one `a × b` product takes when it maps to DSPs: the wider operand is split in
    /// `dsp_a_width` chunks and the narrower one in `dsp_b_width` chunks. Checks: 18×24 → 1 and
    /// 19×24 → 2 on 27×18 (hls4ml issue #31); 32×32 → 4 and 16×32 → 2 on 25×18 (Churchroad #90).
    pub fn dsp_per_product(&self, a: u32, b: u32) -> u32 {
        let (hi, lo) = if a >= b { (a, b) } else { (b, a) };
        hi.div_ceil(self.dsp_a_width.max(1)).max(1) * lo.div_ceil(self.dsp_b_width.max(1)).max(1)
    }

    /// Utilisation in percent of each resource; a resource the part lacks counts as 0 % when
    /// unused and infinite when used.
    pub fn utilisation(&self, used: &Resources) -> Resources {
        let (u, c) = (used.as_array(), self.capacity.as_array());
        Resources::from_array(std::array::from_fn(|i| {
            if c[i] > 0.0 {
                100.0 * u[i] / c[i]
            } else if u[i] > 0.0 {
                f64::INFINITY
            } else {
                0.0
            }
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dev(a: u32, b: u32) -> Device {
        Device {
            part: "test".into(),
            family: "test".into(),
            capacity: Resources::default(),
            dsp_a_width: a,
            dsp_b_width: b,
        }
    }

    #[test]
    fn dsp_split_matches_measurements() {
        // hls4ml issue #31 (maintainer): 18x24 -> one DSP, 19x24 -> two (DSP48E2 27x18).
        let us = dev(27, 18);
        assert_eq!(us.dsp_per_product(18, 24), 1);
        assert_eq!(us.dsp_per_product(19, 24), 2);
        // Churchroad issue #90, Pynq-Z2 (DSP48E1 25x18) measured: 8x8 1, 16x16 1, 16x32 2, 32x32 4.
        let z = dev(25, 18);
        assert_eq!(z.dsp_per_product(8, 8), 1);
        assert_eq!(z.dsp_per_product(16, 16), 1);
        assert_eq!(z.dsp_per_product(16, 32), 2);
        assert_eq!(z.dsp_per_product(32, 32), 4);
    }

    #[test]
    fn utilisation_percent() {
        let mut d = dev(27, 18);
        d.capacity = Resources {
            lut: 1000.0,
            ff: 2000.0,
            dsp: 10.0,
            bram_18k: 4.0,
            uram: 0.0,
        };
        let u = d.utilisation(&Resources {
            lut: 500.0,
            ff: 20.0,
            dsp: 20.0,
            bram_18k: 1.0,
            uram: 0.0,
        });
        assert_eq!(u.as_array(), [50.0, 1.0, 200.0, 25.0, 0.0]);
        let u = d.utilisation(&Resources {
            uram: 1.0,
            ..Default::default()
        });
        assert!(u.uram.is_infinite());
    }
}
