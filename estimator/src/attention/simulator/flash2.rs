//! FlashAttention-2 as executed on the two-level machine: outer loop over Q row blocks, inner
//! loop over K/V blocks, O and the log-sum-exp written once per row block.

use super::{math, tile_live, Machine, Mat, SimError};
use crate::attention::algorithms::Tile;
use crate::attention::shape::{blocks, Problem};

pub fn run(mc: &mut Machine, p: &Problem, t: Tile) -> Result<(), SimError> {
    mc.declare(Mat::Lse, p.rows, 1);
    for (r0, rho) in blocks(p.rows, t.a) {
        let q = mc.load(Mat::Q, r0, rho, 0, p.d_qk)?;
        let mut o = mc.alloc(rho, p.d_v, 0.0)?;
        let mut mx = mc.alloc(rho, 1, f64::NEG_INFINITY)?;
        let mut sm = mc.alloc(rho, 1, 0.0)?;
        for (c0, kap) in blocks(p.keys, t.b) {
            if !tile_live(p, r0, rho, c0) {
                continue;
            }
            let k = mc.load(Mat::K, c0, kap, 0, p.d_qk)?;
            let v = mc.load(Mat::V, c0, kap, 0, p.d_v)?;
            let mut s = mc.alloc(rho, kap, 0.0)?;
            if mc.computing() {
                math::scores(p, &q, &k, &mut s, r0, c0);
                math::online_step(&mut s, &v, &mut o, &mut mx, &mut sm);
            }
            mc.free(s);
            mc.free(v);
            mc.free(k);
        }
        if mc.computing() {
            for r in 0..rho {
                let l = sm.data[r];
                o.row_mut(r).iter_mut().for_each(|x| *x /= l);
                mx.data[r] += l.ln();
            }
        }
        mc.store(&o, Mat::O, r0, 0);
        mc.store(&mx, Mat::Lse, r0, 0);
        for b in [sm, mx, o, q] {
            mc.free(b);
        }
    }
    Ok(())
}
