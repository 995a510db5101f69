//! Trains tiny models for a few seconds on generated networks and checks that the loss falls,
//! that training is deterministic for a seed, and that a save/load round trip predicts the same.
//! The labels are a known function of the network (a synthetic ground truth defined here), so
//! "the loss falls" is a real learning check, not a formality.

use surrogate::netgen::{random_network, Rng};
use surrogate::{
    extract, train, AnalyticEstimate, Arch, DeviceInfo, Hyper, Mode, Sample, TrainConfig, N_TARGETS,
};

/// Synthetic truth: LUT ~ MACs/RF * bits, FF ~ LUT/2, DSP = 0 for narrow precisions else
/// MACs/RF, BRAM ~ params*bits/18k (post-synthesis: 0.8 LUT, 1.1 FF), latency ~ RF + layers,
/// II = RF.
fn labels(net: &ir::Network) -> [f64; N_TARGETS] {
    let macs = net.total_macs() as f64;
    let params = net.total_params() as f64;
    let rf = net.config.reuse_factor as f64;
    let bits = net.config.precision.width() as f64;
    let lut = (macs / rf).ceil() * bits * 3.0 + 200.0;
    let dsp = if bits <= 6.0 { 0.0 } else { (macs / rf).ceil() };
    let bram = (params * bits / 18432.0).ceil();
    let lat = rf + net.len() as f64;
    [
        lut,
        lut / 2.0,
        dsp,
        bram,
        0.8 * lut,
        0.55 * lut,
        dsp,
        bram,
        lat,
        lat + 2.0,
        rf,
    ]
}

fn samples(n: usize, seed: u64, with_analytic: bool) -> Vec<Sample> {
    let mut rng = Rng::new(seed);
    let dev = DeviceInfo::default();
    (0..n)
        .map(|i| {
            let net = random_network(&mut rng, i);
            let y = labels(&net);
            // A deliberately biased "analytic" model: right shape, off by a factor.
            let analytic = with_analytic.then(|| y.map(|v| v * 0.7));
            let a = analytic.map(|total| AnalyticEstimate {
                total,
                ..Default::default()
            });
            Sample {
                id: net.name.clone(),
                architecture: format!("{}-{}", net.name, i % 40),
                family: "gen".into(),
                features: extract(&net, &dev, a.as_ref()).unwrap(),
                analytic,
                labels: y.map(Some),
            }
        })
        .collect()
}

fn tiny(arch: Arch, mode: Mode, epochs: usize, members: usize) -> TrainConfig {
    TrainConfig {
        arch,
        mode,
        hyper: Hyper {
            hidden: 16,
            layers: 2,
            heads: 2,
            max_depth: 16,
        },
        epochs,
        patience: epochs,
        batch_size: 32,
        seed: 11,
        members,
        ..TrainConfig::default()
    }
}

#[test]
fn loss_falls_and_round_trip_is_exact() {
    surrogate::init_threads();
    let data = samples(160, 5, false);
    for arch in [Arch::Gnn, Arch::Transformer] {
        let cfg = tiny(arch, Mode::Pure, 25, 2);
        let model = train(&data, &cfg, &mut |_| {}).unwrap();
        let s = &model.meta.training;
        assert_eq!(s.epochs.len(), 2);
        for k in 0..2 {
            assert!(
                s.last_train_loss[k] < 0.5 * s.first_train_loss[k],
                "{arch}: loss did not fall enough: {} -> {}",
                s.first_train_loss[k],
                s.last_train_loss[k]
            );
        }
        let items: Vec<_> = data.iter().take(20).map(|s| (&s.features, None)).collect();
        let before = model.predict(&items, 7).unwrap();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("m");
        model.save(&path).unwrap();
        // Saving again over the model replaces it; saving over a directory that is not a model
        // is refused.
        model.save(&path).unwrap();
        let err = model.save(dir.path()).unwrap_err();
        assert!(err.to_string().contains("not a model directory"), "{err}");
        let loaded = surrogate::Ensemble::load(&path, tch::Device::Cpu).unwrap();
        assert_eq!(loaded.meta, model.meta);
        let after = loaded.predict(&items, 7).unwrap();
        assert_eq!(
            before, after,
            "{arch}: predictions changed across save/load"
        );
        // Two members with different seeds disagree a little: the interval is not empty.
        assert!(before.iter().any(|p| p.high[0] > p.low[0]));
    }
}

#[test]
fn a_model_with_nan_weights_is_refused_on_load() {
    // Issue 18: a surrogate whose weights held NaN loaded fine and predicted 0 silently.
    surrogate::init_threads();
    let data = samples(40, 3, false);
    let model = train(&data, &tiny(Arch::Gnn, Mode::Pure, 1, 1), &mut |_| {}).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("m");
    model.save(&path).unwrap();
    surrogate::Ensemble::load(&path, tch::Device::Cpu).unwrap();
    let member = path.join(&model.meta.member_files[0]);
    let mut vars = tch::Tensor::read_safetensors(&member).unwrap();
    vars.sort_by(|a, b| a.0.cmp(&b.0));
    let poisoned = vars[0].0.clone();
    let _ = vars[0].1.get(0).fill_(f64::NAN);
    tch::Tensor::write_safetensors(&vars, &member).unwrap();
    let err = surrogate::Ensemble::load(&path, tch::Device::Cpu)
        .err()
        .expect("NaN weights must be refused")
        .to_string();
    assert!(
        err.contains(&poisoned) && err.contains("NaN or infinite"),
        "{err}"
    );
    assert!(err.contains(&model.meta.member_files[0]), "{err}");
}

#[test]
fn same_seed_same_model() {
    surrogate::init_threads();
    let data = samples(60, 9, true);
    let cfg = tiny(Arch::Gnn, Mode::Hybrid, 4, 1);
    let a = train(&data, &cfg, &mut |_| {}).unwrap();
    let b = train(&data, &cfg, &mut |_| {}).unwrap();
    assert_eq!(a.meta.training.best_loss, b.meta.training.best_loss);
    let items: Vec<_> = data
        .iter()
        .map(|s| (&s.features, s.analytic.as_ref()))
        .collect();
    assert_eq!(
        a.predict(&items, 64).unwrap(),
        b.predict(&items, 64).unwrap()
    );
}

#[test]
fn hybrid_learns_the_correction() {
    // The analytic figures are the truth times 0.7, so the hybrid target is the constant
    // ln(y+1) - ln(0.7y+1) ~ 0.36 for large y: a hybrid model should beat the analytic model on
    // LUT after a short training.
    surrogate::init_threads();
    let data = samples(200, 21, true);
    let cfg = tiny(Arch::Gnn, Mode::Hybrid, 30, 1);
    let model = train(&data, &cfg, &mut |_| {}).unwrap();
    let items: Vec<_> = data
        .iter()
        .map(|s| (&s.features, s.analytic.as_ref()))
        .collect();
    let pred = model.predict(&items, 64).unwrap();
    let rel = |p: f64, y: f64| (p - y).abs() / y;
    let (mut err_model, mut err_analytic) = (0.0, 0.0);
    for (p, s) in pred.iter().zip(&data) {
        let y = s.labels[0].unwrap();
        err_model += rel(p.mean[0], y);
        err_analytic += rel(s.analytic.unwrap()[0], y);
    }
    assert!(
        err_model < 0.5 * err_analytic,
        "hybrid {err_model} vs analytic {err_analytic}"
    );
    // The correction holds on architectures the member did not train on: the LUT gate of the
    // rows' group stays open.
    use surrogate::ensemble::{gate_group, GATE_GROUPS};
    let group = GATE_GROUPS[gate_group(&data[0].features)];
    let gate = model.meta.gates[group][0];
    assert!(gate.scale >= 0.75, "{group}: {gate:?}");
}

#[test]
fn networks_outside_the_training_coverage_get_the_analytic_figures() {
    // Trained on io_parallel networks only, a hybrid model has learned nothing about io_stream
    // ones: they are outside its coverage and its predictions for them are the analytic figures.
    use surrogate::ensemble::gate_group;
    surrogate::init_threads();
    let all = samples(240, 17, true);
    let (parallel, stream): (Vec<Sample>, Vec<Sample>) =
        all.into_iter().partition(|s| gate_group(&s.features) < 2);
    assert!(!parallel.is_empty() && !stream.is_empty());
    let model = train(
        &parallel,
        &tiny(Arch::Gnn, Mode::Hybrid, 10, 2),
        &mut |_| {},
    )
    .unwrap();
    assert!(model
        .meta
        .coverage
        .iter()
        .all(|k| k.ends_with("io_parallel")));
    let items: Vec<_> = stream
        .iter()
        .map(|s| (&s.features, s.analytic.as_ref()))
        .collect();
    for (p, s) in model.predict(&items, 64).unwrap().iter().zip(&stream) {
        assert!(!p.covered);
        // The analytic figure rounded to a whole count (these synthetic ones are fractional).
        let a = s.analytic.unwrap();
        assert!(
            p.mean
                .iter()
                .zip(&a)
                .all(|(p, a)| (p - a).abs() <= 0.5 + 1e-9),
            "{:?} vs {a:?}",
            p.mean
        );
    }
}

#[test]
fn gated_corrections_do_not_hurt_unseen_rows() {
    // The analytic LUT is the truth times a per-row random factor e^{±0.4} that no feature
    // explains (other targets exact): whatever the networks fit on their training rows cannot
    // help rows they did not see, so after the out-of-fold gates the hybrid model must not be
    // worse than the analytic figure alone on fresh networks (within 3 %).
    surrogate::init_threads();
    let noisy = |seed: u64, n: usize| {
        let mut data = samples(n, seed, true);
        let mut rng = Rng::new(seed ^ 0x5eed);
        for s in &mut data {
            let mut a = s.labels.map(|l| l.unwrap());
            let u = rng.below(1001) as f64 / 1000.0;
            a[0] *= (0.8 * u - 0.4).exp();
            s.analytic = Some(a);
        }
        data
    };
    let cfg = tiny(Arch::Gnn, Mode::Hybrid, 40, 3);
    let model = train(&noisy(41, 200), &cfg, &mut |_| {}).unwrap();
    let fresh = noisy(77, 120);
    let items: Vec<_> = fresh
        .iter()
        .map(|s| (&s.features, s.analytic.as_ref()))
        .collect();
    let pred = model.predict(&items, 64).unwrap();
    let log_err = |p: f64, y: f64| (p.ln_1p() - y.ln_1p()).abs();
    let (mut e_model, mut e_analytic) = (0.0, 0.0);
    for (p, s) in pred.iter().zip(&fresh) {
        let y = s.labels[0].unwrap();
        e_model += log_err(p.mean[0], y);
        e_analytic += log_err(s.analytic.unwrap()[0], y);
    }
    assert!(
        e_model <= 1.03 * e_analytic,
        "gated hybrid {e_model} vs analytic {e_analytic} (gates {:?})",
        model.meta.gates
    );
}

#[test]
fn exact_analytic_targets_stay_exact() {
    // The "analytic model" is exact on every target but LUT (truth × 0.7 there): the gates
    // fitted on out-of-fold rows must keep the exact targets exact instead of adding noise.
    surrogate::init_threads();
    let mut data = samples(160, 33, true);
    for s in &mut data {
        let mut a = s.labels.map(|l| l.unwrap());
        a[0] *= 0.7;
        s.analytic = Some(a);
    }
    let cfg = tiny(Arch::Gnn, Mode::Hybrid, 20, 1);
    let model = train(&data, &cfg, &mut |_| {}).unwrap();
    assert!(model.meta.gates.values().all(|g| g.len() == N_TARGETS));
    let items: Vec<_> = data
        .iter()
        .map(|s| (&s.features, s.analytic.as_ref()))
        .collect();
    let pred = model.predict(&items, 64).unwrap();
    let ii = surrogate::Target::Ii.index();
    let exact = pred
        .iter()
        .zip(&data)
        .filter(|(p, s)| p.mean[ii] == s.labels[ii].unwrap())
        .count();
    assert!(
        exact * 10 >= data.len() * 9,
        "only {exact} of {} II predictions exact",
        data.len()
    );
}

/// Issue 11 item 6: the model records why each member's training ended.
#[test]
fn training_records_why_it_stopped() {
    use surrogate::ensemble::StopReason;
    surrogate::init_threads();
    let data = samples(64, 9, false);
    // Patience as long as the run: every member runs all its epochs.
    let model = train(&data, &tiny(Arch::Gnn, Mode::Pure, 3, 2), &mut |_| {}).unwrap();
    let t = &model.meta.training;
    assert_eq!(t.stopped, vec![StopReason::EpochLimit; 2]);
    assert_eq!(t.epochs, vec![3, 3]);
    // Patience 0: the first epoch is the best so far and no later one is waited for, so each
    // member stops after one epoch of the five.
    let cfg = TrainConfig {
        patience: 0,
        ..tiny(Arch::Gnn, Mode::Pure, 5, 2)
    };
    let model = train(&data, &cfg, &mut |_| {}).unwrap();
    let t = &model.meta.training;
    assert_eq!(t.stopped, vec![StopReason::Patience; 2]);
    assert_eq!(t.epochs, vec![1, 1]);
    // A learning rate that sends the weights to infinity in the first epoch: an error that
    // says so, not a model of NaN weights.
    let cfg = TrainConfig {
        learning_rate: 1e30,
        ..tiny(Arch::Gnn, Mode::Pure, 5, 1)
    };
    let err = match train(&data, &cfg, &mut |_| {}) {
        Ok(_) => panic!("a diverging training returned a model"),
        Err(e) => e.to_string(),
    };
    assert!(err.contains("in the first epoch"), "{err}");
    // The reason survives save and load (model.json).
    let dir = tempfile::tempdir().unwrap();
    model.save(&dir.path().join("m")).unwrap();
    let text = std::fs::read_to_string(dir.path().join("m/model.json")).unwrap();
    assert!(text.contains("\"stopped\""), "{text}");
}

/// Issue 13.4: a hybrid's interval is never zero-width, even with every correction gate
/// closed (the analytic figure stands, and the interval is the out-of-fold residual spread, at
/// least 1 %), and it widens with the distance to the training rows: a network far outside them
/// (a much larger network on another clock) gets a wider interval than a training row, for
/// every target.
#[test]
fn hybrid_interval_is_never_zero_and_widens_far_from_the_training_rows() {
    surrogate::init_threads();
    let data = samples(120, 9, true);
    let mut model = train(&data, &tiny(Arch::Gnn, Mode::Hybrid, 4, 2), &mut |_| {}).unwrap();
    for gates in model.meta.gates.values_mut() {
        for g in gates.iter_mut() {
            *g = surrogate::ensemble::Gate::CLOSED;
        }
    }
    let support = model
        .meta
        .support
        .as_ref()
        .expect("training records the support");
    assert!(support.reference > 0.0);
    // Far from every training row: a 24-layer chain of 2048-wide dense layers on a 1 ns clock
    // (the generator's networks are a few layers of at most a few hundred units).
    let mut far_net = ir::Network::new("far");
    far_net
        .add_layer(
            ir::Layer::new(
                "in",
                ir::LayerKind::Input(ir::ops::Input { shape: vec![2048] }),
            ),
            &[],
        )
        .unwrap();
    let mut prev = "in".to_string();
    for i in 0..24 {
        let name = format!("d{i}");
        let dense = ir::LayerKind::Dense(ir::ops::Dense {
            units: 2048,
            use_bias: true,
        });
        far_net
            .add_layer(ir::Layer::new(&name, dense), &[&prev])
            .unwrap();
        prev = name;
    }
    far_net.default_outputs();
    far_net.config.reuse_factor = 1;
    far_net.infer_shapes().unwrap();
    let dev = DeviceInfo {
        clock_period_ns: 1.0,
        ..DeviceInfo::default()
    };
    let y = labels(&far_net).map(|v| v * 0.7);
    let a = AnalyticEstimate {
        total: y,
        ..Default::default()
    };
    let f = extract(&far_net, &dev, Some(&a)).unwrap();
    // A training row of the same gate group: in the cloud, so the distance factor is 1 and every half-width is at
    // least the 1 % floor (gates closed: the members' spread does not count).
    let group = surrogate::ensemble::gate_group(&f);
    let near = data
        .iter()
        .find(|s| surrogate::ensemble::gate_group(&s.features) == group)
        .expect("a training row of the far network's gate group");
    let p = model
        .predict(&[(&near.features, near.analytic.as_ref())], 1)
        .unwrap()
        .remove(0);
    assert_eq!(p.distance_factor, 1.0);
    for j in 0..N_TARGETS {
        assert!(
            p.log_spread[j] >= surrogate::interval::MIN_SPREAD,
            "{j}: {:?}",
            p.log_spread
        );
        // Closed gates: the mean is the analytic figure (0.7 × the synthetic truth, rounded).
        assert_eq!(p.mean[j], near.analytic.unwrap()[j].round(), "{j}");
    }
    let q = model.predict(&[(&f, Some(&y))], 1).unwrap().remove(0);
    assert!(q.distance_factor > 1.5, "factor {}", q.distance_factor);
    for j in 0..N_TARGETS {
        // Gates closed: both half-widths are the group's residual spread (floored at 1 %)
        // times the distance factor, 1 near and > 1.5 far.
        assert!(
            q.log_spread[j] > 1.5 * p.log_spread[j],
            "{j}: far {} vs near {}",
            q.log_spread[j],
            p.log_spread[j]
        );
        assert!(q.high[j] > q.low[j], "{j}: {} – {}", q.low[j], q.high[j]);
    }
}
