//! The attention algorithms in the two-level memory model: closed-form slow-memory word counts
//! for a given tile, the fast-memory footprint of that tile, and the tile search.
//!
//! Every count here is exact, not asymptotic: partial tiles at the edges are counted with
//! their true size and causal tiles that are fully masked are skipped, exactly as the
//! simulator in [`super::simulator`] executes the same loops (the tests check equality).
//! The closed forms are sums over row blocks of arithmetic in the block's row count `ρ_i`
//! and its key extent `E_i` ([`Problem::extent`]); without a causal mask they collapse to
//! products (e.g. FlashAttention-2 reads `R·d_qk + ⌈R/Br⌉·L·(d_qk+d_v)`).

pub mod blocked;
pub mod flash1;
pub mod flash2;
pub mod standard;

use serde::Serialize;

use super::shape::{blocks, Problem};

/// Which algorithm.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Algorithm {
    /// Materialises S = QKᵀ and P = softmax(S) in slow memory (FlashAttention paper, Alg. 0).
    Standard,
    /// FlashAttention-1 loop order: outer loop over K/V blocks, inner over Q blocks.
    Flash1,
    /// FlashAttention-2 loop order: outer loop over Q blocks, inner over K/V blocks.
    Flash2,
    /// Square-tiled matrix products through S/P, for fast memory below d² (Saha & Ye).
    Blocked,
}

impl Algorithm {
    pub const ALL: [Algorithm; 4] = [
        Algorithm::Standard,
        Algorithm::Flash1,
        Algorithm::Flash2,
        Algorithm::Blocked,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Algorithm::Standard => "standard",
            Algorithm::Flash1 => "flash1",
            Algorithm::Flash2 => "flash2",
            Algorithm::Blocked => "blocked",
        }
    }

    /// Exact slow-memory words read and written per problem with `tile` and fast memory `m`.
    pub fn traffic(self, p: &Problem, tile: Tile, m: usize) -> Traffic {
        match self {
            Algorithm::Standard => standard::traffic(p, tile, m),
            Algorithm::Flash1 => flash1::traffic(p, tile),
            Algorithm::Flash2 => flash2::traffic(p, tile),
            Algorithm::Blocked => blocked::traffic(p, tile, m),
        }
    }

    /// Peak fast-memory words the algorithm holds with `tile`.
    pub fn footprint(self, p: &Problem, tile: Tile) -> usize {
        match self {
            Algorithm::Standard => standard::footprint(p, tile),
            Algorithm::Flash1 | Algorithm::Flash2 => flash_footprint(p, tile),
            Algorithm::Blocked => blocked::footprint(p, tile),
        }
    }

    /// Names of the two tile parameters (for JSON and tables).
    pub fn tile_names(self) -> (&'static str, &'static str) {
        match self {
            Algorithm::Blocked => ("t", "s"),
            _ => ("br", "bc"),
        }
    }

    /// Why the winning tile of this algorithm minimises traffic.
    fn rationale(self, p: &Problem, t: Tile) -> String {
        match self {
            Algorithm::Standard => format!(
                "S and P ({}x{}) pass through slow memory (≈4·R·L words whatever the tile); Br={} sets how often K and V are re-read ({}x)",
                p.rows, p.keys, t.a, p.rows.div_ceil(t.a)
            ),
            Algorithm::Flash1 => format!(
                "K/V are read once; Q and the running O, m, l are re-read for each of the {} K/V blocks, so Bc={} is as large as fits next to a Br={} tile",
                p.keys.div_ceil(t.b), t.b, t.a
            ),
            Algorithm::Flash2 => format!(
                "Q is read once and O written once; K/V are re-read for each of the {} row blocks, so the largest Br={} that fits wins (Bc={} changes traffic only through causal skipping)",
                p.rows.div_ceil(t.a), t.a, t.b
            ),
            Algorithm::Blocked => format!(
                "square {0}x{0} output tiles re-read Q and K ⌈L/t⌉ and ⌈R/t⌉ times (≈2·R·L·d/t words), so the largest t with t²+2ts ≤ M wins; s={1} only sets the number of steps",
                t.a, t.b
            ),
        }
    }
}

/// A tile: `(a, b)` = `(Br, Bc)` for standard/flash, `(t, s)` for blocked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Tile {
    pub a: usize,
    pub b: usize,
}

impl Tile {
    pub fn new(a: usize, b: usize) -> Tile {
        Tile { a, b }
    }
}

/// Words moved between slow and fast memory.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct Traffic {
    pub reads: u64,
    pub writes: u64,
}

impl Traffic {
    pub fn total(self) -> u64 {
        self.reads + self.writes
    }

    pub fn scaled(self, k: u64) -> Traffic {
        Traffic {
            reads: self.reads * k,
            writes: self.writes * k,
        }
    }

    fn add(&mut self, reads: usize, writes: usize) {
        self.reads += reads as u64;
        self.writes += writes as u64;
    }
}

/// (row, K/V block) visits of an online softmax with `tile` (each visit rescales the row's
/// running output once): Σ_i ρ_i·⌈E_i/Bc⌉ for the FlashAttention orders, 0 for the algorithms
/// that materialise S.
pub fn row_steps(alg: Algorithm, p: &Problem, tile: Tile) -> u64 {
    match alg {
        Algorithm::Flash1 | Algorithm::Flash2 => row_blocks(p, tile.a, tile.b)
            .map(|(rho, e)| (rho * e.div_ceil(tile.b.max(1))) as u64)
            .sum(),
        Algorithm::Standard | Algorithm::Blocked => 0,
    }
}

/// Row blocks of height `br` with their key extent `E_i` for column blocks of width `bc`.
fn row_blocks(p: &Problem, br: usize, bc: usize) -> impl Iterator<Item = (usize, usize)> + '_ {
    blocks(p.rows, br).map(move |(r0, rho)| (rho, p.extent(r0 + rho - 1, bc)))
}

/// Fast memory of both FlashAttention loop orders: Q_i and O_i (Br×(d_qk+d_v)), the row
/// statistics m and l (2·Br), K_j and V_j (Bc×(d_qk+d_v)) and the S/P tile (Br×Bc).
pub fn flash_footprint(p: &Problem, t: Tile) -> usize {
    let (br, bc) = (t.a.min(p.rows), t.b.min(p.keys));
    br * (p.d_qk + p.d_v + 2) + bc * (p.d_qk + p.d_v) + br * bc
}

/// Row-wise softmax of a materialised S (ρ rows, E stored keys each) into P: one read pass
/// when a row and its two statistics fit (E + 2 ≤ M), otherwise a statistics pass and a
/// normalising pass; P written once.
fn softmax_traffic(rho: usize, e: usize, m: usize) -> (usize, usize) {
    let passes = if e + 2 <= m { 1 } else { 2 };
    (passes * rho * e, rho * e)
}

/// The outcome of a tile search.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TileChoice {
    pub tile: Tile,
    pub traffic: Traffic,
    pub footprint: usize,
    pub considered: usize,
    pub runner_up: Option<(Tile, Traffic)>,
    pub reason: String,
}

/// Candidate sizes for one tile dimension in `lo..=hi`: powers of two, multiples of 16 up to
/// 1024, `lo` and `hi`.
fn sizes(lo: usize, hi: usize) -> Vec<usize> {
    let mut v: Vec<usize> = (0..usize::BITS)
        .map(|k| 1usize << k)
        .take_while(|&x| x <= hi)
        .collect();
    v.extend((16..=hi.min(1024)).step_by(16));
    v.extend([lo, hi]);
    v.retain(|&x| x >= lo && x <= hi);
    v.sort_unstable();
    v.dedup();
    v
}

/// Largest `x` in `lo..=hi` with `fits(x)`, for `fits` monotone decreasing in `x`.
fn largest(lo: usize, hi: usize, fits: impl Fn(usize) -> bool) -> Option<usize> {
    if lo > hi || !fits(lo) {
        return None;
    }
    let (mut ok, mut bad) = (lo, hi + 1);
    while bad - ok > 1 {
        let mid = ok + (bad - ok) / 2;
        if fits(mid) {
            ok = mid;
        } else {
            bad = mid;
        }
    }
    Some(ok)
}

impl Algorithm {
    /// Tiles worth evaluating: for each candidate first dimension the largest second one that
    /// fits in `m` words (and vice versa), plus the candidate grid where it fits.
    pub fn candidates(self, p: &Problem, m: usize, min_tile: usize) -> Vec<Tile> {
        let (max_a, max_b) = match self {
            Algorithm::Blocked => {
                let dim = p.rows.max(p.keys).max(p.d_v);
                (dim, p.d_qk.max(p.keys))
            }
            _ => (p.rows, p.keys),
        };
        let lo_a = min_tile.clamp(1, max_a);
        let lo_b = if self == Algorithm::Blocked {
            1
        } else {
            min_tile.clamp(1, max_b)
        };
        let fits = |t: Tile| self.footprint(p, t) <= m;
        let mut out = Vec::new();
        let grid_a = if self == Algorithm::Blocked {
            // t ≤ √M always; every value is cheap to try.
            (lo_a..=max_a.min(isqrt(m).max(lo_a))).collect()
        } else {
            sizes(lo_a, max_a)
        };
        for &a in &grid_a {
            if let Some(b) = largest(lo_b, max_b, |b| fits(Tile::new(a, b))) {
                out.push(Tile::new(a, b));
                if p.causal && self != Algorithm::Blocked {
                    out.extend(sizes(lo_b, b).into_iter().map(|b| Tile::new(a, b)));
                }
            }
        }
        if self != Algorithm::Blocked {
            for b in sizes(lo_b, max_b) {
                if let Some(a) = largest(lo_a, max_a, |a| fits(Tile::new(a, b))) {
                    out.push(Tile::new(a, b));
                }
            }
        }
        out.sort_unstable_by_key(|t| (t.a, t.b));
        out.dedup();
        out
    }

    /// The tile with the fewest slow-memory words that fits in `m` words (ties: the larger
    /// tile, then the larger second dimension), or `None` when no tile of at least
    /// `min_tile` rows fits.
    pub fn best_tile(self, p: &Problem, m: usize, min_tile: usize) -> Option<TileChoice> {
        let mut scored: Vec<(Tile, Traffic)> = self
            .candidates(p, m, min_tile)
            .into_iter()
            .map(|t| (t, self.traffic(p, t, m)))
            .collect();
        scored.sort_by_key(|(t, tr)| (tr.total(), std::cmp::Reverse((t.a * t.b, t.b))));
        let (tile, traffic) = *scored.first()?;
        let runner_up = scored
            .iter()
            .find(|(_, tr)| tr.total() > traffic.total())
            .copied();
        let mut reason = format!(
            "fewest words of {} tiles that fit in M = {m} words: {}",
            scored.len(),
            self.rationale(p, tile)
        );
        if let Some((t, tr)) = runner_up {
            let (na, nb) = self.tile_names();
            reason.push_str(&format!(
                "; next best {na}={} {nb}={} moves {:.1}% more",
                t.a,
                t.b,
                100.0 * (tr.total() as f64 / traffic.total() as f64 - 1.0)
            ));
        }
        Some(TileChoice {
            tile,
            traffic,
            footprint: self.footprint(p, tile),
            considered: scored.len(),
            runner_up,
            reason,
        })
    }
}

fn isqrt(m: usize) -> usize {
    let mut r = (m as f64).sqrt() as usize;
    while r * r > m {
        r -= 1;
    }
    while (r + 1) * (r + 1) <= m {
        r += 1;
    }
    r
}
