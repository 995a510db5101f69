//! Standard attention as executed on the two-level machine: S = QKᵀ written to slow memory,
//! a row softmax into P, then O = PV — three kernels, each tiled by row blocks.

use super::{math, softmax_rows, tile_live, Machine, Mat, SimError};
use crate::attention::algorithms::Tile;
use crate::attention::shape::{blocks, Problem};

pub fn run(mc: &mut Machine, p: &Problem, t: Tile) -> Result<(), SimError> {
    mc.declare(Mat::S, p.rows, p.keys);
    mc.declare(Mat::P, p.rows, p.keys);
    // Kernel 1: S = scale · QKᵀ, skipping fully masked tiles; `ext` is each block's stored extent.
    let mut ext = Vec::new();
    for (r0, rho) in blocks(p.rows, t.a) {
        let q = mc.load(Mat::Q, r0, rho, 0, p.d_qk)?;
        let mut e = 0;
        for (c0, kap) in blocks(p.keys, t.b) {
            if !tile_live(p, r0, rho, c0) {
                continue;
            }
            let k = mc.load(Mat::K, c0, kap, 0, p.d_qk)?;
            let mut s = mc.alloc(rho, kap, 0.0)?;
            if mc.computing() {
                math::scores(p, &q, &k, &mut s, r0, c0);
            }
            mc.store(&s, Mat::S, r0, c0);
            mc.free(s);
            mc.free(k);
            e = c0 + kap;
        }
        mc.free(q);
        ext.push((r0, rho, e));
    }
    // Kernel 2: P = softmax(S).
    softmax_rows(mc, p, &ext)?;
    // Kernel 3: O = PV.
    for &(r0, rho, e) in &ext {
        let mut o = mc.alloc(rho, p.d_v, 0.0)?;
        for (c0, kap) in blocks(e, t.b) {
            let pt = mc.load(Mat::P, r0, rho, c0, kap)?;
            let v = mc.load(Mat::V, c0, kap, 0, p.d_v)?;
            if mc.computing() {
                math::add_ab(&mut o, &pt, &v);
            }
            mc.free(v);
            mc.free(pt);
        }
        mc.store(&o, Mat::O, r0, 0);
        mc.free(o);
    }
    Ok(())
}
