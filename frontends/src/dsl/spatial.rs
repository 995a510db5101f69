//! DSL syntax of the spatial copy layers: `zeropad1d`, `zeropad2d`, `crop1d`, `crop2d`,
//! `upsample1d`, `upsample2d` (parsing and printing, used by the table in `kinds`).
//!
//! Padding and cropping take one amount for every side (`zeropad2d(1)`), a height x width pair
//! for symmetric amounts (`zeropad2d(1x2)`), or per-side keywords, any of which override the
//! positional amount (`zeropad2d(top=1, bottom=0, left=2, right=2)`; 1-D: `left=`, `right=`).
//! Absent amounts are Keras's defaults: 1 for `zeropad1d`, `zeropad2d` and `crop1d`, 0 for
//! `crop2d`.
//! Upsampling takes a factor (`upsample1d(2)`, `upsample2d(2x3)`, `upsample2d(2)` = 2x2;
//! Keras's default 2 when absent). Only nearest-neighbour upsampling exists (hls4ml 1.3.0).

use super::kinds::{located, Args, Located, MAX_SIZE};
use super::syntax::{Spanned, Value};
use ir::layer::{Activation, LayerKind};

type Built = Result<(LayerKind, Activation), Located>;

/// Whether the DSL layer pads (`zeropad`) or crops (`crop`).
#[derive(Clone, Copy)]
pub enum Edge {
    Pad,
    Crop,
}

/// An amount in 0..=MAX_SIZE.
fn amount_of(a: &Args, v: &Spanned<Value>, param: &str) -> Result<usize, Located> {
    match v.v {
        Value::Int(n) if n >= 0 && n as u64 <= MAX_SIZE as u64 => Ok(n as usize),
        _ => located(
            v.tail,
            format!(
                "{}: {param} must be an integer from 0 to {MAX_SIZE}; found {}",
                a.spec.name,
                v.v.describe()
            ),
        ),
    }
}

/// The positional amount as (height, width): `n` or `HxW`; `default` on both axes when absent.
fn positional(a: &Args, param: &str, default: usize) -> Result<[usize; 2], Located> {
    let Some(v) = a.get(param) else {
        return Ok([default, default]);
    };
    match v.v {
        Value::Pair(h, w) if h <= MAX_SIZE as u64 && w <= MAX_SIZE as u64 => {
            Ok([h as usize, w as usize])
        }
        Value::Pair(..) => located(
            v.tail,
            format!("{}: {param} must be at most {MAX_SIZE}", a.spec.name),
        ),
        _ => {
            let n = amount_of(a, v, param)?;
            Ok([n, n])
        }
    }
}

fn side(a: &Args, param: &str, default: usize) -> Result<usize, Located> {
    a.get(param).map_or(Ok(default), |v| amount_of(a, v, param))
}

fn param(edge: Edge) -> &'static str {
    match edge {
        Edge::Pad => "padding",
        Edge::Crop => "cropping",
    }
}

pub fn build1d(a: &Args, edge: Edge) -> Built {
    let p = param(edge);
    let v = a.get(p);
    if let Some(Spanned {
        v: Value::Pair(..),
        tail,
    }) = v
    {
        return located(
            *tail,
            format!(
                "{}: a 1-D {p} is one amount; use left= and right= for different sides",
                a.spec.name
            ),
        );
    }
    // Keras's defaults: ZeroPadding1D(padding=1), Cropping1D(cropping=(1, 1))
    let [n, _] = positional(a, p, 1)?;
    let sides = [side(a, "left", n)?, side(a, "right", n)?];
    let kind = match edge {
        Edge::Pad => LayerKind::ZeroPadding1D(ir::ops::ZeroPadding1D { pad: sides }),
        Edge::Crop => LayerKind::Cropping1D(ir::ops::Cropping1D { crop: sides }),
    };
    Ok((kind, Activation::Linear))
}

pub fn build2d(a: &Args, edge: Edge) -> Built {
    // Keras's defaults: ZeroPadding2D(padding=(1, 1)), Cropping2D(cropping=((0, 0), (0, 0)))
    let default = match edge {
        Edge::Pad => 1,
        Edge::Crop => 0,
    };
    let [h, w] = positional(a, param(edge), default)?;
    let sides = [
        [side(a, "top", h)?, side(a, "bottom", h)?],
        [side(a, "left", w)?, side(a, "right", w)?],
    ];
    let kind = match edge {
        Edge::Pad => LayerKind::ZeroPadding2D(ir::ops::ZeroPadding2D { pad: sides }),
        Edge::Crop => LayerKind::Cropping2D(ir::ops::Cropping2D { crop: sides }),
    };
    Ok((kind, Activation::Linear))
}

pub fn upsample1d(a: &Args) -> Built {
    let kind = LayerKind::UpSampling1D(ir::ops::UpSampling1D {
        size: a.size("size", Some(2))?,
    });
    Ok((kind, Activation::Linear))
}

pub fn upsample2d(a: &Args) -> Built {
    let kind = LayerKind::UpSampling2D(ir::ops::UpSampling2D {
        size: a.pair("size", Some([2, 2]))?,
    });
    Ok((kind, Activation::Linear))
}

/// Arguments of a 1-D padding or cropping: `n` when both sides agree, else `left=, right=`.
pub fn print1d(args: &mut Vec<String>, [l, r]: [usize; 2]) {
    if l == r {
        args.push(l.to_string());
    } else {
        args.push(format!("left={l}"));
        args.push(format!("right={r}"));
    }
}

/// Arguments of a 2-D padding or cropping: `n` or `HxW` when symmetric, else every side.
pub fn print2d(args: &mut Vec<String>, [[t, b], [l, r]]: [[usize; 2]; 2]) {
    if t == b && l == r {
        args.push(if t == l {
            t.to_string()
        } else {
            format!("{t}x{l}")
        });
    } else {
        args.extend([
            format!("top={t}"),
            format!("bottom={b}"),
            format!("left={l}"),
            format!("right={r}"),
        ]);
    }
}
