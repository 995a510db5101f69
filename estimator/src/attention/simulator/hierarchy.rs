//! The exact three-level machine that checks [`crate::attention::l2`]: an LRU cache of `C`
//! words between slow memory and the thread blocks, holding whole K/V units (K_j and V_j of one
//! problem), run access by access. Blocks execute FlashAttention-2's loop order in waves of
//! `wave` blocks that advance in lockstep over the K/V blocks. Q reads and O/log-sum-exp
//! writes go straight to slow memory. A unit larger than the cache evicts everything,
//! itself included.

use std::collections::{BTreeMap, HashMap};

use crate::attention::algorithms::Tile;
use crate::attention::l2::{row_blocks, L2Traffic};
use crate::attention::shape::{blocks, Problem};

/// A fully associative LRU cache of variable-size units.
struct Lru {
    capacity: u64,
    used: u64,
    clock: u64,
    stamp: HashMap<(u64, usize), u64>,
    order: BTreeMap<u64, ((u64, usize), u64)>,
}

impl Lru {
    /// Accesses `key` of `size` words; returns whether it hit.
    fn access(&mut self, key: (u64, usize), size: u64) -> bool {
        self.clock += 1;
        if let Some(old) = self.stamp.insert(key, self.clock) {
            let entry = self.order.remove(&old).expect("stamp and order agree");
            self.order.insert(self.clock, entry);
            return true;
        }
        self.order.insert(self.clock, (key, size));
        self.used += size;
        while self.used > self.capacity {
            let (&s, &(k, sz)) = self
                .order
                .iter()
                .next()
                .expect("over capacity means non-empty");
            self.order.remove(&s);
            self.stamp.remove(&k);
            self.used -= sz;
        }
        false
    }
}

/// Runs `problems` identical problems and counts slow-memory words.
pub fn simulate_l2(p: &Problem, problems: u64, t: Tile, wave: usize, capacity: u64) -> L2Traffic {
    let rb = row_blocks(p, t);
    let units: Vec<u64> = blocks(p.keys, t.b)
        .map(|(_, kap)| (kap * (p.d_qk + p.d_v)) as u64)
        .collect();
    let all: Vec<(u64, usize)> = (0..problems)
        .flat_map(|q| (0..rb.len()).map(move |i| (q, i)))
        .collect();
    let mut cache = Lru {
        capacity,
        used: 0,
        clock: 0,
        stamp: HashMap::new(),
        order: BTreeMap::new(),
    };
    let (mut reads, mut writes, mut hits, mut req) = (0u64, 0u64, 0u64, 0u64);
    let mut waves = 0;
    for w in all.chunks(wave.max(1)) {
        waves += 1;
        for &(_, i) in w {
            reads += (rb[i].0 * p.d_qk) as u64;
        }
        let steps = w.iter().map(|&(_, i)| rb[i].1).max().unwrap_or(0);
        for (j, &size) in units.iter().enumerate().take(steps) {
            for &(q, i) in w {
                if rb[i].1 > j {
                    req += size;
                    if cache.access((q, j), size) {
                        hits += size;
                    } else {
                        reads += size;
                    }
                }
            }
        }
        for &(_, i) in w {
            writes += (rb[i].0 * (p.d_v + 1)) as u64;
        }
    }
    L2Traffic {
        hbm_reads: reads,
        hbm_writes: writes,
        l2_hits: hits,
        kv_requested: req,
        waves,
        exact: true,
    }
}
