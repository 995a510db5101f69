//! FlashAttention-1 as executed on the two-level machine: outer loop over K/V blocks, inner
//! loop over the Q row blocks live against it; the running O, m, l go back to slow memory
//! after every visit and are read again on the next.

use super::{math, tile_live, Machine, Mat, SimError};
use crate::attention::algorithms::Tile;
use crate::attention::shape::{blocks, Problem};

pub fn run(mc: &mut Machine, p: &Problem, t: Tile) -> Result<(), SimError> {
    mc.declare(Mat::RowMax, p.rows, 1);
    mc.declare(Mat::RowSum, p.rows, 1);
    let mut visited = vec![false; p.rows.div_ceil(t.a.max(1))];
    for (c0, kap) in blocks(p.keys, t.b) {
        if !tile_live(p, 0, p.rows, c0) {
            continue;
        }
        let k = mc.load(Mat::K, c0, kap, 0, p.d_qk)?;
        let v = mc.load(Mat::V, c0, kap, 0, p.d_v)?;
        for (ib, (r0, rho)) in blocks(p.rows, t.a).enumerate() {
            if !tile_live(p, r0, rho, c0) {
                continue;
            }
            let q = mc.load(Mat::Q, r0, rho, 0, p.d_qk)?;
            let (mut o, mut mx, mut sm) = if visited[ib] {
                (
                    mc.load(Mat::O, r0, rho, 0, p.d_v)?,
                    mc.load(Mat::RowMax, r0, rho, 0, 1)?,
                    mc.load(Mat::RowSum, r0, rho, 0, 1)?,
                )
            } else {
                (
                    mc.alloc(rho, p.d_v, 0.0)?,
                    mc.alloc(rho, 1, f64::NEG_INFINITY)?,
                    mc.alloc(rho, 1, 0.0)?,
                )
            };
            let mut s = mc.alloc(rho, kap, 0.0)?;
            if mc.computing() {
                math::scores(p, &q, &k, &mut s, r0, c0);
                math::fa1_step(&mut s, &v, &mut o, &mut mx, &mut sm);
            }
            mc.store(&o, Mat::O, r0, 0);
            mc.store(&mx, Mat::RowMax, r0, 0);
            mc.store(&sm, Mat::RowSum, r0, 0);
            visited[ib] = true;
            for b in [s, sm, mx, o, q] {
                mc.free(b);
            }
        }
        mc.free(v);
        mc.free(k);
    }
    Ok(())
}
