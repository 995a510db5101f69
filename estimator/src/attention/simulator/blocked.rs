//! The blocked algorithm as executed on the two-level machine: S = QKᵀ and O = PV as
//! square-tiled products (t×t output tiles, k-chunks of width s), the row softmax between.

use super::{math, softmax_rows, tile_live, Machine, Mat, SimError};
use crate::attention::algorithms::Tile;
use crate::attention::shape::{blocks, Problem};

pub fn run(mc: &mut Machine, p: &Problem, tile: Tile) -> Result<(), SimError> {
    let (t, s) = (tile.a.max(1), tile.b.max(1));
    mc.declare(Mat::S, p.rows, p.keys);
    mc.declare(Mat::P, p.rows, p.keys);
    let mut ext = Vec::new();
    for (r0, rho) in blocks(p.rows, t) {
        let mut e = 0;
        for (c0, kap) in blocks(p.keys, t) {
            if !tile_live(p, r0, rho, c0) {
                continue;
            }
            let mut acc = mc.alloc(rho, kap, 0.0)?;
            for (k0, sk) in blocks(p.d_qk, s) {
                let qa = mc.load(Mat::Q, r0, rho, k0, sk)?;
                let kb = mc.load(Mat::K, c0, kap, k0, sk)?;
                if mc.computing() {
                    math::add_abt(&mut acc, &qa, &kb);
                }
                mc.free(kb);
                mc.free(qa);
            }
            if mc.computing() {
                math::scale_mask(p, &mut acc, r0, c0);
            }
            mc.store(&acc, Mat::S, r0, c0);
            mc.free(acc);
            e = c0 + kap;
        }
        ext.push((r0, rho, e));
    }
    softmax_rows(mc, p, &ext)?;
    for &(r0, rho, e) in &ext {
        for (j0, tau) in blocks(p.d_v, t) {
            let mut acc = mc.alloc(rho, tau, 0.0)?;
            for (k0, sk) in blocks(e, s) {
                let pa = mc.load(Mat::P, r0, rho, k0, sk)?;
                let vb = mc.load(Mat::V, k0, sk, j0, tau)?;
                if mc.computing() {
                    math::add_ab(&mut acc, &pa, &vb);
                }
                mc.free(vb);
                mc.free(pa);
            }
            mc.store(&acc, Mat::O, r0, j0);
            mc.free(acc);
        }
    }
    Ok(())
}
