//! The one-file HTML report of `presynth report`: everything inline (CSS, SVG, a few lines of
//! JS, the estimate's JSON), nothing fetched from the network, so that it opens anywhere.
//!
//! Owns: the page layout — headline, utilisation bars against the part, the model graph (an
//! SVG of the layers by depth), the per-layer table (shapes, parameters, precisions, RF,
//! strategy, LUT/FF/DSP/BRAM, latency, share of the part, and the synthesised figures of each
//! layer when a project reader provides them), actual vs estimate totals of a synthesised
//! project, the sweep plot with its Pareto front and the front's table, and the warnings.

use crate::report::{pct, short_precision_str, EstimateReport, LayerReport};
use crate::resources::Resources;
use crate::sweep::Point;
use std::collections::BTreeMap;
use std::fmt::Write as _;

/// What a synthesised hls4ml project reported (for `report --project`).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Actual {
    /// The project directory.
    pub source: String,
    /// `vivado_hls` or `vitis_hls`.
    pub tool: String,
    pub csynth: Resources,
    pub latency_best: u64,
    pub latency_worst: u64,
    pub ii: u64,
    /// Vivado post-synthesis utilisation, when the project has `vivado_synth.rpt`.
    pub post_synthesis: Option<Resources>,
    /// Synthesised csynth resources per layer (by hls4ml layer name), from a reader of the
    /// per-layer (per-instance) csynth reports; empty until one is plugged in. When present,
    /// the layer table shows them beside the estimate.
    pub layers: BTreeMap<String, Resources>,
}

/// Everything the page shows.
pub struct Page<'a> {
    pub report: &'a EstimateReport,
    /// The part's capacity, for the bars.
    pub capacity: Resources,
    pub sweep: &'a [Point],
    pub actual: Option<&'a Actual>,
}

/// HTML-escape text.
pub fn esc(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&#39;"),
            c => o.push(c),
        }
    }
    o
}

fn r(v: f64) -> String {
    format!("{}", v.round() as i64)
}

const CSS: &str = r#"
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:24px;color:#1d2330;background:#fff}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px;border-bottom:1px solid #dde;padding-bottom:4px}
.meta{color:#556;font-size:13px}
.headline{font-size:18px;font-weight:600;padding:10px 14px;border-radius:6px;margin:14px 0}
.ok{background:#e3f5e6;color:#14532d}.bad{background:#fde2e1;color:#7f1d1d}
.bars{display:grid;grid-template-columns:110px 1fr 260px;gap:6px 10px;align-items:center;max-width:900px}
.bar{background:#eef0f5;border-radius:4px;height:18px;position:relative;overflow:hidden}
.bar span{display:block;height:100%;background:#3b82f6}.bar span.over{background:#dc2626}
table{border-collapse:collapse;font-size:13px}th,td{border:1px solid #dde;padding:3px 7px;text-align:right}
th{background:#f3f4f8;cursor:pointer;user-select:none}td.l,th.l{text-align:left}
tr:nth-child(even) td{background:#fafbfd}
.warn li{margin:3px 0;color:#7c2d12}
svg text{font-family:system-ui,sans-serif}
.note{color:#556;font-size:12px}
"#;

/// Sorts a table by the clicked column (numbers numerically), and marks the page as rendered.
const JS: &str = r#"
document.querySelectorAll('table.sortable th').forEach(function(th,i){
  th.addEventListener('click',function(){
    var tb=th.closest('table').tBodies[0];var rows=Array.prototype.slice.call(tb.rows);
    var dir=th.dataset.dir==='asc'?-1:1;th.dataset.dir=dir>0?'asc':'desc';
    rows.sort(function(a,b){var x=a.cells[i].textContent,y=b.cells[i].textContent;
      var nx=parseFloat(x.replace(/[^0-9.eE+-]/g,'')),ny=parseFloat(y.replace(/[^0-9.eE+-]/g,''));
      if(!isNaN(nx)&&!isNaN(ny))return dir*(nx-ny);return dir*x.localeCompare(y);});
    rows.forEach(function(r){tb.appendChild(r);});});});
var d=JSON.parse(document.getElementById('estimate-data').textContent);
document.getElementById('rendered').textContent='rendered from '+d.layers.length+' layers, estimator '+d.estimator;
document.body.dataset.rendered='yes';
"#;

/// The whole page.
pub fn render(p: &Page) -> String {
    let e = p.report;
    let mut h = String::new();
    let _ = write!(
        h,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>presynth report: {}</title><style>{CSS}</style></head><body>\n",
        esc(&e.model)
    );
    let _ = writeln!(
        h,
        "<h1>{} on {}</h1><div class=\"meta\">estimator {} · clock {} ns · {} · {} · presynth {}</div>",
        esc(&e.model),
        esc(&e.part),
        esc(&e.estimator),
        e.clock_period_ns,
        esc(&e.io_type),
        esc(&e.pipeline),
        env!("CARGO_PKG_VERSION")
    );
    let ok = e.fits && e.will_synthesise;
    let _ = writeln!(
        h,
        "<div id=\"headline\" class=\"headline {}\">{}</div>",
        if ok { "ok" } else { "bad" },
        esc(&e.headline())
    );
    let _ = writeln!(
        h,
        "<div class=\"meta\" id=\"latency\">latency {} cycles (worst {}) = {:.1} ns · II {} cycles</div>",
        e.total.latency_cycles, e.latency_worst_cycles, e.total.latency_ns, e.total.ii
    );
    bars(&mut h, p);
    h.push_str("<h2>Model graph</h2>\n");
    graph(&mut h, &e.layers);
    h.push_str("<h2>Layers</h2>\n");
    layer_table(&mut h, p);
    if let Some(a) = p.actual {
        actual_table(&mut h, e, a);
    }
    h.push_str("<h2>Sweep: reuse factor × strategy × precision</h2>\n");
    sweep(&mut h, p.sweep);
    if !e.warnings.is_empty() {
        h.push_str("<h2>Warnings</h2>\n<ul class=\"warn\" id=\"warnings\">\n");
        for w in &e.warnings {
            let _ = writeln!(h, "<li>{}</li>", esc(w));
        }
        h.push_str("</ul>\n");
    }
    // The estimate itself, for scripts (`</` cannot end the script element early).
    let json = serde_json::to_string(e)
        .unwrap_or_default()
        .replace("</", "<\\/");
    let _ = write!(
        h,
        "<p class=\"note\" id=\"rendered\"></p>\n<script type=\"application/json\" id=\"estimate-data\">{json}</script>\n<script>{JS}</script>\n</body></html>\n"
    );
    h
}

fn bars(h: &mut String, p: &Page) {
    let e = p.report;
    h.push_str("<h2>Utilisation of the part (post-synthesis estimate)</h2>\n<div class=\"bars\" id=\"bars\">\n");
    let used = e.post_synthesis.as_array();
    let cap = p.capacity.as_array();
    let util = e.utilization.as_array();
    for (i, name) in ["LUT", "FF", "DSP", "BRAM (18K)", "URAM"]
        .iter()
        .enumerate()
    {
        if cap[i] == 0.0 && used[i] == 0.0 {
            continue;
        }
        let u = util[i];
        let w = if u.is_finite() {
            u.clamp(0.0, 100.0)
        } else {
            100.0
        };
        let _ = writeln!(
            h,
            "<div>{name}</div><div class=\"bar\"><span class=\"{}\" style=\"width:{w:.2}%\"></span></div><div>{} of {} ({})</div>",
            if u > 100.0 { "over" } else { "" },
            r(used[i]),
            r(cap[i]),
            pct(u)
        );
    }
    h.push_str("</div>\n");
}

/// Layers placed by depth (longest path from an input), one row per depth.
fn graph(h: &mut String, layers: &[LayerReport]) {
    let index: BTreeMap<&str, usize> = layers
        .iter()
        .enumerate()
        .map(|(i, l)| (l.name.as_str(), i))
        .collect();
    let mut depth = vec![0usize; layers.len()];
    for (i, l) in layers.iter().enumerate() {
        depth[i] = l
            .inputs
            .iter()
            .filter_map(|n| index.get(n.as_str()))
            .map(|&p| depth[p] + 1)
            .max()
            .unwrap_or(0);
    }
    let mut col = vec![0usize; layers.len()];
    let mut per_row: BTreeMap<usize, usize> = BTreeMap::new();
    for i in 0..layers.len() {
        let c = per_row.entry(depth[i]).or_insert(0);
        col[i] = *c;
        *c += 1;
    }
    let (bw, bh, dx, dy) = (200.0, 40.0, 230.0, 64.0);
    let cols = per_row.values().copied().max().unwrap_or(1) as f64;
    let rows = per_row.len().max(1) as f64;
    let (w, ht) = (cols * dx + 20.0, rows * dy + 10.0);
    let pos = |i: usize| (10.0 + col[i] as f64 * dx, 10.0 + depth[i] as f64 * dy);
    let _ = writeln!(
        h,
        "<svg id=\"graph\" width=\"{w}\" height=\"{ht}\" viewBox=\"0 0 {w} {ht}\" role=\"img\" aria-label=\"model graph\"><defs><marker id=\"arrow\" viewBox=\"0 0 10 10\" refX=\"9\" refY=\"5\" markerWidth=\"7\" markerHeight=\"7\" orient=\"auto\"><path d=\"M0,0 L10,5 L0,10 z\" fill=\"#667\"/></marker></defs>"
    );
    for (i, l) in layers.iter().enumerate() {
        let (x, y) = pos(i);
        for p in l.inputs.iter().filter_map(|n| index.get(n.as_str())) {
            let (px, py) = pos(*p);
            let _ = writeln!(
                h,
                "<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"#667\" stroke-width=\"1.3\" marker-end=\"url(#arrow)\"/>",
                px + bw / 2.0,
                py + bh,
                x + bw / 2.0,
                y - 1.0
            );
        }
    }
    for (i, l) in layers.iter().enumerate() {
        let (x, y) = pos(i);
        // network inputs, layers built around a multiplier array (those with a reuse factor:
        // Dense, the convolutions, ...), the others
        let fill = if l.inputs.is_empty() {
            "#e0e7ff"
        } else if l.reuse_factor.is_some() {
            "#dbeafe"
        } else {
            "#f1f5f9"
        };
        let shape = l
            .output_shape
            .iter()
            .map(|v| v.to_string())
            .collect::<Vec<_>>()
            .join("×");
        let _ = writeln!(
            h,
            "<g><title>{} ({}), output {}, {} parameters</title><rect x=\"{x}\" y=\"{y}\" width=\"{bw}\" height=\"{bh}\" rx=\"6\" fill=\"{fill}\" stroke=\"#94a3b8\"/><text x=\"{}\" y=\"{}\" font-size=\"12\" text-anchor=\"middle\" font-weight=\"600\">{}</text><text x=\"{}\" y=\"{}\" font-size=\"11\" text-anchor=\"middle\" fill=\"#445\">{} · {}</text></g>",
            esc(&l.name),
            esc(&l.kind),
            shape,
            l.params,
            x + bw / 2.0,
            y + 16.0,
            esc(&l.name),
            x + bw / 2.0,
            y + 31.0,
            esc(&l.kind),
            shape
        );
    }
    h.push_str("</svg>\n");
}

fn layer_table(h: &mut String, p: &Page) {
    let e = p.report;
    let actual = p.actual.filter(|a| !a.layers.is_empty());
    h.push_str("<table class=\"sortable\" id=\"layers\"><thead><tr><th class=\"l\">layer</th><th class=\"l\">kind</th><th>input</th><th>output</th><th>params</th><th class=\"l\">precision weight / result / accum</th><th>RF</th><th class=\"l\">strategy</th><th>LUT</th><th>FF</th><th>DSP</th><th>BRAM</th><th>latency</th><th>II</th><th>share of part</th>");
    if actual.is_some() {
        h.push_str("<th>actual LUT</th><th>actual FF</th><th>actual DSP</th><th>actual BRAM</th>");
    }
    h.push_str("</tr></thead><tbody>\n");
    let shape = |s: &[usize]| {
        s.iter()
            .map(|v| v.to_string())
            .collect::<Vec<_>>()
            .join("×")
    };
    for l in &e.layers {
        let pr = &l.precision;
        let prec = if l.params == 0 {
            format!("– / {} / –", short_precision_str(&pr.result))
        } else {
            format!(
                "{} / {} / {}",
                short_precision_str(&pr.weight),
                short_precision_str(&pr.result),
                short_precision_str(&pr.accum)
            )
        };
        let share = l.share.as_array().into_iter().fold(0.0, f64::max);
        let c = l.csynth;
        let _ = write!(
            h,
            "<tr><td class=\"l\">{}</td><td class=\"l\">{}</td><td>{}</td><td>{}</td><td>{}</td><td class=\"l\" title=\"{} / {} / {}\">{}</td><td>{}</td><td class=\"l\">{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td>",
            esc(&l.name),
            esc(&l.kind),
            l.input_shape.iter().map(|s| shape(s)).collect::<Vec<_>>().join(", "),
            shape(&l.output_shape),
            l.params,
            esc(&pr.weight),
            esc(&pr.result),
            esc(&pr.accum),
            esc(&prec),
            l.reuse_factor.map(|v| v.to_string()).unwrap_or_default(),
            esc(l.strategy.as_deref().unwrap_or("")),
            r(c.lut),
            r(c.ff),
            r(c.dsp),
            r(c.bram_18k),
            l.latency_best,
            l.ii,
            pct(share)
        );
        if let Some(a) = actual {
            match a.layers.get(&l.name) {
                Some(x) => {
                    let _ = write!(
                        h,
                        "<td>{}</td><td>{}</td><td>{}</td><td>{}</td>",
                        r(x.lut),
                        r(x.ff),
                        r(x.dsp),
                        r(x.bram_18k)
                    );
                }
                None => h.push_str("<td></td><td></td><td></td><td></td>"),
            }
        }
        h.push_str("</tr>\n");
    }
    let t = &e.total;
    let _ = writeln!(
        h,
        "</tbody><tfoot><tr><td class=\"l\">total (csynth estimate)</td><td></td><td></td><td></td><td>{}</td><td></td><td></td><td></td><td id=\"total-lut\">{}</td><td>{}</td><td id=\"total-dsp\">{}</td><td>{}</td><td>{}</td><td>{}</td><td></td></tr></tfoot></table>",
        e.layers.iter().map(|l| l.params).sum::<u64>(),
        r(t.lut),
        r(t.ff),
        r(t.dsp),
        r(t.bram_18k),
        t.latency_cycles,
        t.ii
    );
    let _ = writeln!(
        h,
        "<p class=\"note\">Figures per layer are the csynth estimate; the share of the part is the post-synthesis estimate's largest resource. Precisions in short form: 16,6 = ap_fixed&lt;16,6&gt;, u8,0 = ap_ufixed&lt;8,0&gt; (hover for the full types).{}</p>",
        if actual.is_none() {
            " Synthesised per-layer figures appear here when the project's per-layer reports are read (report --project)."
        } else {
            ""
        }
    );
}

fn actual_table(h: &mut String, e: &EstimateReport, a: &Actual) {
    let _ = writeln!(
        h,
        "<h2>Synthesised project vs estimate</h2><p class=\"meta\">{} ({})</p><table id=\"actual\"><thead><tr><th class=\"l\">figure</th><th>actual</th><th>estimate</th><th>error</th></tr></thead><tbody>",
        esc(&a.source),
        esc(&a.tool)
    );
    let mut row = |name: &str, actual: f64, est: f64| {
        let err = if actual > 0.0 {
            format!("{:+.1}%", 100.0 * (est - actual) / actual)
        } else {
            String::new()
        };
        let _ = writeln!(
            h,
            "<tr><td class=\"l\">{name}</td><td>{}</td><td>{}</td><td>{err}</td></tr>",
            r(actual),
            r(est)
        );
    };
    let (c, t) = (a.csynth, &e.total);
    row("csynth LUT", c.lut, t.lut);
    row("csynth FF", c.ff, t.ff);
    row("csynth DSP", c.dsp, t.dsp);
    row("csynth BRAM (18K)", c.bram_18k, t.bram_18k);
    row(
        "latency best (cycles)",
        a.latency_best as f64,
        t.latency_cycles as f64,
    );
    row(
        "latency worst (cycles)",
        a.latency_worst as f64,
        e.latency_worst_cycles as f64,
    );
    row("II (cycles)", a.ii as f64, t.ii as f64);
    if let Some(p) = a.post_synthesis {
        let q = e.post_synthesis;
        row("post-synthesis LUT", p.lut, q.lut);
        row("post-synthesis FF", p.ff, q.ff);
        row("post-synthesis DSP", p.dsp, q.dsp);
        row("post-synthesis BRAM (18K)", p.bram_18k, q.bram_18k);
    }
    h.push_str("</tbody></table>\n");
}

fn sweep(h: &mut String, points: &[Point]) {
    let shown: Vec<&Point> = points
        .iter()
        .filter(|p| p.will_synthesise && p.latency_ns > 0.0)
        .collect();
    let skipped = points.len() - shown.len();
    if shown.is_empty() {
        let _ = writeln!(
            h,
            "<p id=\"sweep-empty\">None of the {} configurations is predicted to synthesise: nothing to plot.</p>",
            points.len()
        );
        return;
    }
    let (w, ht, ml, mr, mt, mb) = (760.0, 420.0, 64.0, 20.0, 16.0, 48.0);
    let (lo, hi) = shown.iter().fold((f64::MAX, 0.0f64), |(a, b), p| {
        (a.min(p.latency_ns), b.max(p.latency_ns))
    });
    let (xlo, xhi) = ((lo / 1.5).log10(), (hi * 1.5).log10());
    let ymax = shown
        .iter()
        .map(|p| p.binding_utilization)
        .filter(|v| v.is_finite())
        .fold(100.0f64, f64::max)
        * 1.1;
    let x = |v: f64| ml + (v.log10() - xlo) / (xhi - xlo).max(1e-9) * (w - ml - mr);
    let y = |v: f64| mt + (1.0 - v.min(ymax) / ymax) * (ht - mt - mb);
    let _ = writeln!(
        h,
        "<svg id=\"sweep\" width=\"{w}\" height=\"{ht}\" viewBox=\"0 0 {w} {ht}\" role=\"img\" aria-label=\"sweep\"><rect x=\"{ml}\" y=\"{mt}\" width=\"{}\" height=\"{}\" fill=\"#fbfcfe\" stroke=\"#ccd\"/>",
        w - ml - mr,
        ht - mt - mb
    );
    // x ticks at decades (and 2×, 5× when the range is short), y ticks every 25 % or so.
    let mut dec = xlo.floor() as i32;
    while (dec as f64) <= xhi {
        for m in [1.0, 2.0, 5.0] {
            let v = m * 10f64.powi(dec);
            let lv = v.log10();
            if lv < xlo || lv > xhi || (m != 1.0 && xhi - xlo > 2.5) {
                continue;
            }
            let _ = writeln!(
                h,
                "<line x1=\"{0}\" x2=\"{0}\" y1=\"{mt}\" y2=\"{1}\" stroke=\"#e5e7eb\"/><text x=\"{0}\" y=\"{2}\" font-size=\"11\" text-anchor=\"middle\">{3}</text>",
                x(v),
                ht - mb,
                ht - mb + 15.0,
                if v >= 1000.0 { format!("{:.0}k", v / 1000.0) } else { format!("{v}") }
            );
        }
        dec += 1;
    }
    let step = if ymax > 400.0 {
        100.0
    } else if ymax > 150.0 {
        50.0
    } else {
        25.0
    };
    let mut t = 0.0;
    while t <= ymax {
        let _ = writeln!(
            h,
            "<line x1=\"{ml}\" x2=\"{0}\" y1=\"{1}\" y2=\"{1}\" stroke=\"#e5e7eb\"/><text x=\"{2}\" y=\"{3}\" font-size=\"11\" text-anchor=\"end\">{t}%</text>",
            w - mr,
            y(t),
            ml - 6.0,
            y(t) + 4.0
        );
        t += step;
    }
    let _ = writeln!(
        h,
        "<line x1=\"{ml}\" x2=\"{0}\" y1=\"{1}\" y2=\"{1}\" stroke=\"#dc2626\" stroke-dasharray=\"5,4\"/><text x=\"{2}\" y=\"{3}\" font-size=\"11\" fill=\"#dc2626\" text-anchor=\"end\">100 % of the part</text>",
        w - mr,
        y(100.0),
        w - mr - 4.0,
        y(100.0) - 4.0
    );
    let _ = writeln!(
        h,
        "<text x=\"{}\" y=\"{}\" font-size=\"12\" text-anchor=\"middle\">latency (ns, log scale)</text><text transform=\"translate(14,{}) rotate(-90)\" font-size=\"12\" text-anchor=\"middle\">binding-resource utilisation</text>",
        ml + (w - ml - mr) / 2.0,
        ht - 8.0,
        mt + (ht - mt - mb) / 2.0
    );
    let mut front: Vec<&&Point> = shown.iter().filter(|p| p.pareto).collect();
    front.sort_by(|a, b| a.latency_ns.total_cmp(&b.latency_ns));
    if front.len() > 1 {
        let path: Vec<String> = front
            .iter()
            .map(|p| format!("{:.1},{:.1}", x(p.latency_ns), y(p.binding_utilization)))
            .collect();
        let _ = writeln!(
            h,
            "<polyline points=\"{}\" fill=\"none\" stroke=\"#2563eb\" stroke-width=\"2\"/>",
            path.join(" ")
        );
    }
    for p in &shown {
        let (fill, rad) = if p.pareto {
            ("#2563eb", 5.5)
        } else if p.fits {
            ("#9ca3af", 3.5)
        } else {
            ("#f87171", 3.5)
        };
        let _ = writeln!(
            h,
            "<circle cx=\"{:.1}\" cy=\"{:.1}\" r=\"{rad}\" fill=\"{fill}\"><title>{}: {:.1} ns, {} {:.1}%{}</title></circle>",
            x(p.latency_ns),
            y(p.binding_utilization),
            esc(&p.label()),
            p.latency_ns,
            p.binding_resource.to_uppercase(),
            p.binding_utilization,
            if p.fits { "" } else { " (does not fit)" }
        );
    }
    h.push_str("</svg>\n");
    let _ = writeln!(
        h,
        "<p class=\"note\">{} configurations; blue: Pareto front of the designs that fit and synthesise; grey: fits; red: does not fit{}. Hover a point for its settings; 'model' is the model's own setting.</p>",
        points.len(),
        if skipped > 0 {
            format!("; {skipped} predicted not to synthesise are not drawn")
        } else {
            String::new()
        }
    );
    h.push_str("<table class=\"sortable\" id=\"pareto\"><thead><tr><th class=\"l\">strategy</th><th class=\"l\">precision</th><th>RF</th><th>latency (cycles)</th><th>latency (ns)</th><th>II</th><th class=\"l\">binding</th><th>utilisation</th></tr></thead><tbody>\n");
    // Configurations with the same figures (e.g. the model's own strategy named explicitly)
    // are one design: the first one stands for them.
    front.dedup_by(|a, b| {
        a.latency_cycles == b.latency_cycles && a.binding_utilization == b.binding_utilization
    });
    for p in front {
        let _ = writeln!(
            h,
            "<tr><td class=\"l\">{}</td><td class=\"l\">{}</td><td>{}</td><td>{}</td><td>{:.1}</td><td>{}</td><td class=\"l\">{}</td><td>{:.1}%</td></tr>",
            esc(p.strategy.as_deref().unwrap_or("model")),
            esc(&p.precision.as_deref().map_or("model".into(), short_precision_str)),
            p.reuse_factor.map_or("model".into(), |v| v.to_string()),
            p.latency_cycles,
            p.latency_ns,
            p.ii,
            p.binding_resource.to_uppercase(),
            p.binding_utilization
        );
    }
    h.push_str("</tbody></table>\n");
}

#[cfg(test)]
mod tests {
    use super::esc;

    #[test]
    fn escapes_markup() {
        assert_eq!(
            esc("<a href=\"x\">ap_fixed<16,6> & 'q'</a>"),
            "&lt;a href=&quot;x&quot;&gt;ap_fixed&lt;16,6&gt; &amp; &#39;q&#39;&lt;/a&gt;"
        );
    }
}
