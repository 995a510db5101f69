//! The exact two-level memory simulator: a slow memory holding named matrices and a fast memory
//! of `M` words. Algorithms run as written against it — every tile is explicitly loaded,
//! allocated, stored and freed — and the machine counts each word moved, enforces the capacity
//! (exceeding it is an error, not a silent spill) and, when asked, carries the real f64 values
//! so that the attention output can be checked against naive softmax attention.
//!
//! In counting mode (`compute = false`) buffers carry no data and no arithmetic is done; the
//! loads, stores and loop structure are identical, so counts are the same in both modes.

mod blocked;
mod flash1;
mod flash2;
pub mod hierarchy;
pub mod math;
mod standard;

use std::collections::HashMap;

use super::algorithms::{Algorithm, Tile, Traffic};
use super::shape::{blocks, Problem};

/// Matrices that live in slow memory.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Mat {
    Q,
    K,
    V,
    O,
    S,
    P,
    /// Running row maximum (FlashAttention-1).
    RowMax,
    /// Running row sum (FlashAttention-1).
    RowSum,
    /// Row log-sum-exp (FlashAttention-2 output).
    Lse,
}

/// A row-major matrix in slow memory.
#[derive(Debug, Clone, PartialEq)]
pub struct Matrix {
    pub rows: usize,
    pub cols: usize,
    pub data: Vec<f64>,
}

impl Matrix {
    pub fn zeros(rows: usize, cols: usize) -> Matrix {
        Matrix {
            rows,
            cols,
            data: vec![0.0; rows * cols],
        }
    }
}

/// A tile resident in fast memory (`data` is empty in counting mode).
#[derive(Debug)]
pub struct Buf {
    pub rows: usize,
    pub cols: usize,
    pub data: Vec<f64>,
}

impl Buf {
    pub fn at(&self, r: usize, c: usize) -> f64 {
        self.data[r * self.cols + c]
    }
    pub fn at_mut(&mut self, r: usize, c: usize) -> &mut f64 {
        &mut self.data[r * self.cols + c]
    }
    pub fn row(&self, r: usize) -> &[f64] {
        &self.data[r * self.cols..(r + 1) * self.cols]
    }
    pub fn row_mut(&mut self, r: usize) -> &mut [f64] {
        &mut self.data[r * self.cols..(r + 1) * self.cols]
    }
}

/// Ways a simulated run can fail: a tile that does not fit is a bug in the tile choice.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SimError {
    #[error("fast memory overflow: {need} words needed with {used} of {capacity} in use")]
    Overflow {
        need: usize,
        used: usize,
        capacity: usize,
    },
}

/// The two-level machine.
pub struct Machine {
    capacity: usize,
    used: usize,
    peak: usize,
    traffic: Traffic,
    compute: bool,
    slow: HashMap<Mat, Matrix>,
}

impl Machine {
    pub fn new(capacity: usize, compute: bool) -> Machine {
        Machine {
            capacity,
            used: 0,
            peak: 0,
            traffic: Traffic::default(),
            compute,
            slow: HashMap::new(),
        }
    }

    pub fn computing(&self) -> bool {
        self.compute
    }

    pub fn capacity(&self) -> usize {
        self.capacity
    }

    /// Places a matrix in slow memory (initial data costs no traffic).
    pub fn put(&mut self, m: Mat, matrix: Matrix) {
        self.slow.insert(m, matrix);
    }

    /// Declares a zero-filled matrix in slow memory if it is not there yet.
    pub fn declare(&mut self, m: Mat, rows: usize, cols: usize) {
        if self.compute {
            self.slow
                .entry(m)
                .or_insert_with(|| Matrix::zeros(rows, cols));
        }
    }

    pub fn take(&mut self, m: Mat) -> Option<Matrix> {
        self.slow.remove(&m)
    }

    fn reserve(&mut self, words: usize) -> Result<(), SimError> {
        if self.used + words > self.capacity {
            return Err(SimError::Overflow {
                need: words,
                used: self.used,
                capacity: self.capacity,
            });
        }
        self.used += words;
        self.peak = self.peak.max(self.used);
        Ok(())
    }

    /// Allocates a `rows × cols` scratch tile in fast memory filled with `fill`.
    pub fn alloc(&mut self, rows: usize, cols: usize, fill: f64) -> Result<Buf, SimError> {
        self.reserve(rows * cols)?;
        let data = if self.compute {
            vec![fill; rows * cols]
        } else {
            Vec::new()
        };
        Ok(Buf { rows, cols, data })
    }

    /// Loads the `rows × cols` block of `m` at (`r0`, `c0`): `rows·cols` words read.
    pub fn load(
        &mut self,
        m: Mat,
        r0: usize,
        rows: usize,
        c0: usize,
        cols: usize,
    ) -> Result<Buf, SimError> {
        self.reserve(rows * cols)?;
        self.traffic.reads += (rows * cols) as u64;
        let mut data = Vec::new();
        if self.compute {
            let src = &self.slow[&m];
            data.reserve(rows * cols);
            for r in r0..r0 + rows {
                data.extend_from_slice(&src.data[r * src.cols + c0..r * src.cols + c0 + cols]);
            }
        }
        Ok(Buf { rows, cols, data })
    }

    /// Stores `b` into `m` at (`r0`, `c0`): `rows·cols` words written.
    pub fn store(&mut self, b: &Buf, m: Mat, r0: usize, c0: usize) {
        self.traffic.writes += (b.rows * b.cols) as u64;
        if self.compute {
            let dst = self.slow.get_mut(&m).expect("matrix declared before store");
            for r in 0..b.rows {
                let at = (r0 + r) * dst.cols + c0;
                dst.data[at..at + b.cols].copy_from_slice(b.row(r));
            }
        }
    }

    /// Evicts `b` from fast memory (no traffic: stores are explicit).
    pub fn free(&mut self, b: Buf) {
        self.used -= b.rows * b.cols;
    }

    pub fn traffic(&self) -> Traffic {
        self.traffic
    }

    pub fn peak(&self) -> usize {
        self.peak
    }
}

/// The result of one simulated run.
#[derive(Debug, Clone)]
pub struct SimResult {
    pub traffic: Traffic,
    /// Most fast-memory words in use at once.
    pub peak_words: usize,
    /// The attention output (rows × d_v) when computed.
    pub output: Option<Matrix>,
}

/// Q (R×d_qk), K (L×d_qk), V (L×d_v) of one problem.
#[derive(Debug, Clone)]
pub struct Inputs {
    pub q: Matrix,
    pub k: Matrix,
    pub v: Matrix,
}

/// Runs `alg` with `tile` on a machine of `m` words. With `inputs`, computes the output in f64;
/// without, only counts words.
pub fn simulate(
    alg: Algorithm,
    p: &Problem,
    tile: Tile,
    m: usize,
    inputs: Option<&Inputs>,
) -> Result<SimResult, SimError> {
    let mut mc = Machine::new(m, inputs.is_some());
    if let Some(inp) = inputs {
        mc.put(Mat::Q, inp.q.clone());
        mc.put(Mat::K, inp.k.clone());
        mc.put(Mat::V, inp.v.clone());
        mc.declare(Mat::O, p.rows, p.d_v);
    }
    match alg {
        Algorithm::Standard => standard::run(&mut mc, p, tile)?,
        Algorithm::Flash1 => flash1::run(&mut mc, p, tile)?,
        Algorithm::Flash2 => flash2::run(&mut mc, p, tile)?,
        Algorithm::Blocked => blocked::run(&mut mc, p, tile)?,
    }
    Ok(SimResult {
        traffic: mc.traffic(),
        peak_words: mc.peak(),
        output: mc.take(Mat::O),
    })
}

/// Whether the tile (rows `r0..r0+rho`, keys `c0..`) has any unmasked entry: its most
/// permissive element is (last row, first key), since a row's visible keys are a prefix that
/// grows with the row.
pub(crate) fn tile_live(p: &Problem, r0: usize, rho: usize, c0: usize) -> bool {
    p.allowed(r0 + rho - 1, c0)
}

/// Row softmax of the stored part of S into P, for row blocks `(r0, rho, extent)`: a row that
/// fits with its two statistics is read once; a longer one is streamed twice in chunks of
/// M − 2 words (statistics pass, then normalising pass).
pub(crate) fn softmax_rows(
    mc: &mut Machine,
    p: &Problem,
    ext: &[(usize, usize, usize)],
) -> Result<(), SimError> {
    let cap = mc.capacity();
    for &(r0, rho, e) in ext {
        for r in r0..r0 + rho {
            let mut stats = mc.alloc(1, 2, 0.0)?;
            if mc.computing() {
                stats.data[0] = f64::NEG_INFINITY;
            }
            if e + 2 <= cap {
                let mut row = mc.load(Mat::S, r, 1, 0, e)?;
                if mc.computing() {
                    online_stats(&row, &mut stats);
                    normalise(p, &mut row, &stats, r, 0);
                }
                mc.store(&row, Mat::P, r, 0);
                mc.free(row);
            } else {
                let chunk = cap.saturating_sub(2).max(1);
                for (k0, len) in blocks(e, chunk) {
                    let c = mc.load(Mat::S, r, 1, k0, len)?;
                    if mc.computing() {
                        online_stats(&c, &mut stats);
                    }
                    mc.free(c);
                }
                for (k0, len) in blocks(e, chunk) {
                    let mut c = mc.load(Mat::S, r, 1, k0, len)?;
                    if mc.computing() {
                        normalise(p, &mut c, &stats, r, k0);
                    }
                    mc.store(&c, Mat::P, r, k0);
                    mc.free(c);
                }
            }
            mc.free(stats);
        }
    }
    Ok(())
}

/// Folds a chunk of one S row into (max, sum) held in `stats`.
fn online_stats(c: &Buf, stats: &mut Buf) {
    let (m_old, l_old) = (stats.data[0], stats.data[1]);
    let m_new = c.data.iter().copied().fold(m_old, f64::max);
    if m_new == f64::NEG_INFINITY {
        return;
    }
    let l = l_old * (m_old - m_new).exp() + c.data.iter().map(|x| (x - m_new).exp()).sum::<f64>();
    stats.data = vec![m_new, l];
}

/// P = exp(S − max)/sum for one chunk of row `r` starting at key `k0` (masked → 0).
fn normalise(p: &Problem, c: &mut Buf, stats: &Buf, r: usize, k0: usize) {
    let (m, l) = (stats.data[0], stats.data[1]);
    for (j, x) in c.data.iter_mut().enumerate() {
        *x = if p.allowed(r, k0 + j) {
            (*x - m).exp() / l
        } else {
            0.0
        };
    }
}
