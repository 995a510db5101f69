#!/usr/bin/env python3
"""Bit-exact harness, QKeras part: presynth codegen against hls4ml 1.3.0 + QKeras 0.9.0.

hls4ml converts QKeras models only through QKeras itself, which needs tf.keras 2 (TensorFlow
2.14), so these cases run in their own venv, `.venv-qkeras` (scripts/setup-qkeras.sh), apart from
the Keras 3 cases of scripts/hls4ml_reference.py, whose machinery (the shared C++ driver, the g++
build, the text comparison, the caches) this script reuses. Run by tests/cli_codegen_qkeras.rs:

    TF_CPP_MIN_LOG_LEVEL=3 .venv-qkeras/bin/python scripts/qkeras_reference.py \
        --presynth target/debug/presynth [--jobs 2] [--cases qdense] [--out target/qkeras-ref]

For every case (a small QKeras model with seeded weights, or hls4ml's example qkeras_3layer, x a
configuration) this script
  1. builds the model with QKeras and saves it in the case's format (JSON + weights HDF5, or a
     legacy full-model .h5);
  2. writes the hls4ml configuration as hls4ml users make it:
       flags: ``config_from_keras_model(granularity='model')``; presynth gets the same settings
              as flags (--precision ap_fixed<16,6> --strategy --reuse-factor);
       name:  ``config_from_keras_model(granularity='name')``, saved as YAML; presynth gets that
              YAML with --config (per-layer quantizer types, `auto`, TableSize, ...);
       model_yaml: the granularity='model' config plus LayerName overrides (Precision and
              ReuseFactor of the activation hls4ml splits off a layer, ``fc1_relu``), saved as
              YAML; presynth gets that YAML with --config;
     converts with ``convert_from_keras_model(..., backend='Vitis')`` and ``write()``;
  3. runs ``presynth codegen`` on the saved model file;
  4. compiles both projects with the shared driver and compares outputs on seeded inputs
     (bit-identical or not), and the generated text as scripts/hls4ml_reference.py does.

Outputs must be bit-identical, except for the cases in XFAIL (each with the reason; such a case
that becomes identical fails the run as XPASS, so the list stays true). The generated texts
(defines.h, parameters.h, myproject.cpp, the weight files, the file list) must be identical too,
except for the cases in TEXT_NOT_COMPARED (with the reason) and for hls4ml's keras_model.keras
(hls4ml saves the tf.keras model it was given; presynth reads JSON/H5 files and writes no model).

Exit status: 0 when every case is bit-identical and every compared file matches, 1 otherwise,
2 on a usage/tool error (no QKeras, hls4ml other than 1.3.0, no g++).
"""

import argparse
import concurrent.futures as cf
import hashlib
import json
import os
import shutil
import subprocess
import sys
import time
import warnings
from pathlib import Path

os.environ.setdefault('TF_CPP_MIN_LOG_LEVEL', '3')
warnings.filterwarnings('ignore')

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import hls4ml_reference as ref  # noqa: E402

ROOT = HERE.parent
EXAMPLES = ROOT / 'examples' / 'hls4ml-examples' / 'keras'
# Bump when the way references are made changes (model building, weights, inputs).
REFERENCE_VERSION = 1


def QD(name, units, bits, act=None):
    """QDense with kernel and bias quantized_bits(bits[0], bits[1], alpha=1)."""
    return dict(type='QDense', name=name, units=units, bits=bits, activation=act)


# Small models: Dense and Conv, quantized_bits kernels/biases, quantized_relu both as a layer's
# activation (split off by hls4ml as `<layer>_quantized_relu`) and as a QActivation, a plain
# 'relu' activation on a QDense (split off as `fc1_relu`), and a plain Keras layer in between.
MODELS = {
    'qdense': dict(
        format='json',
        input=[10],
        layers=[
            QD('fc1', 16, (6, 0), 'relu'),
            QD('fc2', 8, (4, 0), 'quantized_relu(6,2)'),
            QD('fc3', 8, (8, 3)),
            dict(type='QActivation', name='act3', activation='quantized_relu(5,1)'),
            QD('out', 4, (8, 1)),
        ],
    ),
    'qconv2d': dict(
        format='h5',
        input=[8, 8, 1],
        layers=[
            dict(type='QConv2D', name='conv1', filters=4, kernel_size=(3, 3), bits=(6, 0), activation=None),
            dict(type='QActivation', name='relu1', activation='quantized_relu(6,2)'),
            dict(type='MaxPooling2D', name='pool1', pool_size=(2, 2)),
            dict(type='QConv2D', name='conv2', filters=3, kernel_size=(2, 2), bits=(5, 1), activation='quantized_relu(7,3)'),
            dict(type='Flatten', name='flat'),
            QD('out', 5, (8, 2)),
        ],
    ),
    'qconv1d': dict(
        format='json',
        input=[12, 2],
        layers=[
            dict(type='QConv1D', name='conv1', filters=3, kernel_size=3, bits=(6, 1), activation='quantized_relu(8,3)'),
            dict(type='Flatten', name='flat'),
            QD('out', 3, (6, 0)),
        ],
    ),
    # hls4ml's own example (fastmachinelearning/example-models, see its README): JSON + weights
    'qkeras_3layer': dict(format='json', example='qkeras_3layer'),
    # a kernel quantizer with alpha='auto_po2': hls4ml's qkeras_factorize_alpha divides the kernel
    # by its per-unit power-of-two scale and applies the scale (with the moved bias) in an
    # ApplyAlpha layer fc1_alpha (presynth: frontends/src/keras/alpha.rs, the lowering pass
    # qkeras_factorize_alpha, codegen's exponent-typed scale)
    # QDepthwiseConv2D then QBatchNormalization (hls4ml keeps it: the depthwise kernel is
    # quantized, so fuse_batch_normalization does not match even under granularity='name')
    'qdepthwise_bn': dict(
        format='h5',
        input=[6, 6, 2],
        layers=[
            dict(type='QDepthwiseConv2D', name='dw1', kernel_size=(3, 3), bits=(6, 0), activation=None),
            dict(type='QBatchNormalization', name='bn1'),
            dict(type='QActivation', name='relu1', activation='quantized_relu(6,2)'),
            dict(type='Flatten', name='flat'),
            QD('out', 3, (6, 0)),
        ],
    ),
    'qseparable': dict(
        format='json',
        input=[6, 6, 2],
        layers=[
            dict(type='QSeparableConv2D', name='sep1', filters=3, kernel_size=(3, 3), bits=(6, 0), activation=None),
            dict(type='QActivation', name='relu1', activation='quantized_relu(6,2)'),
            dict(type='Flatten', name='flat'),
            QD('out', 3, (6, 0)),
        ],
    ),
    # QConv2DBatchnorm (QKeras's convolution with its batch normalisation folded in): hls4ml's
    # Conv2DBatchnorm folds the float statistics into the kernel and bias, then quantises them;
    # a 1x1 one stays a Conv2DBatchnorm (optimize_pointwise_conv matches Conv1D/Conv2D by name)
    'qconv2d_bn': dict(
        format='h5',
        input=[6, 6, 2],
        layers=[
            dict(type='QConv2DBatchnorm', name='cbn1', filters=3, kernel_size=(3, 3), bits=(6, 0), activation=None),
            dict(type='QActivation', name='relu1', activation='quantized_relu(6,2)'),
            dict(type='QConv2DBatchnorm', name='cbn2', filters=4, kernel_size=(1, 1), bits=(8, 2), activation='quantized_relu(7,3)'),
            dict(type='Flatten', name='flat'),
            QD('out', 3, (6, 0)),
        ],
    ),
    # QSeparableConv1D: split as the 2-D one (depthwise, then a pointwise 1x1)
    'qsepconv1d': dict(
        format='json',
        input=[10, 2],
        layers=[
            dict(type='QSeparableConv1D', name='sep1', filters=3, kernel_size=3, bits=(6, 0), activation=None),
            dict(type='QActivation', name='relu1', activation='quantized_relu(6,2)'),
            dict(type='Flatten', name='flat'),
            QD('out', 3, (6, 0)),
        ],
    ),
    'qdense_alpha': dict(
        format='json',
        input=[10],
        layers=[
            dict(type='QDense', name='fc1', units=8, bits=(6, 0), alpha='auto_po2', activation=None),
            dict(type='QActivation', name='act1', activation='quantized_relu(6,2)'),
            QD('out', 4, (8, 1)),
        ],
    ),
    # QLSTM/QGRU: hls4ml 1.3.0 converts them to its LSTM/GRU with the quantizers recorded (their
    # types in a granularity='name' config) but the float weights written (LSTM/GRU.initialize add
    # them without a quantizer); activations given as quantizers: quantized_relu -> relu,
    # quantized_tanh(use_real_tanh=True) -> tanh. (QGRU defaults to reset_after=False, which
    # hls4ml 1.3.0 computes differently from Keras and presynth refuses: these use True.)
    'qlstm': dict(
        format='json',
        input=[5, 3],
        layers=[
            dict(
                type='QLSTM',
                name='rnn1',
                units=4,
                bits=(6, 0),
                state=(8, 2),
                activation=('quantized_relu', dict(bits=6, integer=2)),
                recurrent_activation='sigmoid',
            ),
            QD('out', 3, (6, 0)),
        ],
    ),
    # under granularity='name' the state quantizer is the LSTM's accum type, and an LSTM whose
    # input, result and accum types differ does not compile in hls4ml 1.3.0 (g++ on qlstm x
    # name_lat: dense<data_T, res_T> given the accum_t sums; presynth refuses it, see
    # tests/cli_codegen_qkeras.rs): this one has no state quantizer and a plain tanh
    'qlstm_nostate': dict(
        format='h5',
        input=[5, 3],
        layers=[
            dict(type='QLSTM', name='rnn1', units=4, bits=(6, 0), state=None, activation='tanh', recurrent_activation='sigmoid'),
            QD('out', 3, (6, 0)),
        ],
    ),
    'qgru': dict(
        format='h5',
        input=[4, 3],
        layers=[
            dict(
                type='QGRU',
                name='rnn1',
                units=5,
                bits=(6, 1),
                state=None,
                activation=('quantized_tanh', dict(bits=8, use_real_tanh=True)),
                recurrent_activation='sigmoid',
                return_sequences=True,
                reset_after=True,
            ),
            dict(type='Flatten', name='flat'),
            QD('out', 2, (6, 0)),
        ],
    ),
    # nested models (hls4ml's tf.keras converter flattens them: converters/keras/model.py's
    # LayerGroup, expanded by expand_layer_group; its Keras 3 converter fails on them): a
    # Sequential model holding a Sequential one, saved as JSON + weights ...
    'nested_seq': dict(
        format='json',
        sequential=True,
        input=[6],
        layers=[
            QD('fc1', 8, (6, 0), 'relu'),
            dict(type='Sequential', name='inner', layers=[QD('inner_fc', 8, (6, 0), 'relu'), dict(type='Dense', name='inner_plain', units=5)]),
            QD('out', 3, (6, 0)),
        ],
    ),
    # ... and a Functional model holding a Functional one, saved as a full-model .h5
    'nested_func': dict(
        format='h5',
        input=[5],
        layers=[
            QD('fc1', 6, (6, 0), 'quantized_relu(6,2)'),
            dict(
                type='Functional',
                name='sub',
                layers=[QD('sub_fc', 6, (6, 0), 'relu'), dict(type='QActivation', name='sub_act', activation='quantized_relu(5,1)')],
            ),
            QD('out', 2, (6, 0)),
        ],
    ),
}

# Binary/ternary kernels and the QKeras hard/binary activations (hls4ml's XnorPrecisionType
# kernels with the weight_binary product and 0/1 weights, ap_int<2> ternary kernels with
# weight_ternary, a quantized_bits(1,1) kernel, which hls4ml also types xnor but writes as -1/1,
# HardActivation hard_tanh/hard_sigmoid with QKeras's slope/shift 0.5, and binary_tanh). The
# quantizers need alpha=1: QDense/QConv turn alpha=None into 'auto_po2', which hls4ml factorises.
MODELS['qdense_binary'] = dict(
    format='json',
    input=[10],
    layers=[
        dict(type='QDense', name='fc1', units=12, kq='binary(alpha=1)', bq='quantized_bits(6,2,alpha=1)', activation=None),
        dict(type='QActivation', name='act1', activation='quantized_tanh(6)'),
        dict(type='QDense', name='fc2', units=8, kq='ternary(alpha=1)', bq='ternary(alpha=1)', activation='quantized_sigmoid(5)'),
        dict(type='QDense', name='fc3', units=6, kq='stochastic_ternary(alpha=1, threshold=0.5)', bq='quantized_bits(8,3,alpha=1)', activation='binary(alpha=1)'),
        dict(type='QDense', name='out', units=4, kq='quantized_bits(1,1,alpha=1)', bq='binary(alpha=1)', activation=None),
    ],
)
MODELS['qconv2d_binary'] = dict(
    format='h5',
    input=[6, 6, 2],
    layers=[
        dict(type='QConv2D', name='conv1', filters=3, kernel_size=(3, 3), kq='stochastic_binary(alpha=1)', bq='binary(alpha=1)', activation=None),
        dict(type='QActivation', name='act1', activation='quantized_relu(6,2)'),
        dict(type='QConv2D', name='conv2', filters=2, kernel_size=(2, 2), kq='ternary(alpha=1, threshold=0.4)', bq='quantized_bits(6,2,alpha=1)', activation='quantized_tanh(8)'),
        dict(type='Flatten', name='flat'),
        dict(type='QDense', name='out', units=3, kq='binary(use_01=False, alpha=1)', bq='ternary(alpha=1)', activation=None),
    ],
)

# hls4ml's contrib GarNet / GarNetStack (tf.keras layers, converted by hls4ml's Keras 2 parser
# only): the vertices (V, F) and the vertex count, an int input (`uint16`, hls4ml's
# `integer_input_t`); io_parallel with collapse='mean' or none (presynth refuses what hls4ml cannot
# build: io_stream, collapse max/sum). Built as scripts/make_garnet_fixtures.py builds them, with
# seeded weights; the vertex count of each sample is drawn in 1..V.
MODELS['garnet_mean'] = dict(format='json', garnet=dict(cls='GarNet', vertices=16, features=3, args=[4, 5, 3], collapse='mean'))
MODELS['garnet_stack'] = dict(
    format='h5', garnet=dict(cls='GarNetStack', vertices=16, features=3, args=[[4, 2], [4, 5], [3, 3]], collapse='mean')
)
# quantize_transforms: hls4ml's TernaryQuantizer on FLR and Fout, the contracted input transform
# an integer type (the tf.keras layer quantizes with quantized_bits(total_bits, int_bits))
MODELS['garnet_quant'] = dict(
    format='h5',
    garnet=dict(cls='GarNet', vertices=8, features=4, args=[3, 4, 2], collapse='mean', quantize=True, mean_by_nvert=True),
)
# no collapse (one output row per vertex, partitioned cyclically) and a Dense over the vertices;
# every vertex valid: nnet_garnet.h writes no output row for a vertex at or past the count, so
# hls4ml's own C simulation prints whatever the uninitialised rows hold (seen: the last vertex's
# outputs change from run to run of the same binary with counts below V)
MODELS['garnet_vertices'] = dict(
    format='json',
    garnet=dict(cls='GarNet', vertices=8, features=4, args=[2, 3, 4], collapse=None, mean_by_nvert=True, dense=2, all_valid=True),
)

# Binary/ternary kernels with alpha='auto_po2', QKeras's default in QDense/QConv (it turns a
# kernel quantizer's alpha=None into 'auto_po2'): hls4ml's qkeras_factorize_alpha writes the
# kernel divided by QKeras's per-unit power-of-two scale (binary: the xnor 0/1, ternary: -1/0/1)
# and an ApplyAlpha `<layer>_alpha` with the scale and the moved bias (presynth:
# frontends/src/keras/alpha.rs). The activations are QActivation layers: a fused one after an
# auto_po2 kernel is refused by presynth (hls4ml applies the scale after it).
MODELS['qdense_binary_po2'] = dict(
    format='json',
    input=[10],
    layers=[
        dict(type='QDense', name='fc1', units=12, kq='binary()', bq='quantized_bits(6,2,alpha=1)', activation=None),
        dict(type='QActivation', name='act1', activation='quantized_relu(6,2)'),
        dict(type='QDense', name='fc2', units=8, kq='ternary()', bq='ternary(alpha=1)', activation=None),
        dict(type='QActivation', name='act2', activation='quantized_tanh(6)'),
        dict(type='QDense', name='fc3', units=6, kq='stochastic_ternary(number_of_unrolls=3)', bq='quantized_bits(8,3,alpha=1)', activation=None),
        dict(type='QActivation', name='act3', activation='quantized_relu(7,3)'),
        dict(type='QDense', name='out', units=4, kq='stochastic_binary()', bq='binary(alpha=1)', activation=None),
    ],
)
MODELS['qconv2d_sign_po2'] = dict(
    format='h5',
    input=[6, 6, 2],
    layers=[
        dict(type='QConv2D', name='conv1', filters=3, kernel_size=(3, 3), kq='ternary()', bq='quantized_bits(6,2,alpha=1)', activation=None),
        dict(type='QActivation', name='act1', activation='quantized_relu(6,2)'),
        dict(type='QConv2D', name='conv2', filters=2, kernel_size=(2, 2), kq='binary()', bq='quantized_bits(5,1,alpha=1)', activation=None),
        dict(type='Flatten', name='flat'),
        dict(type='QDense', name='out', units=3, kq='binary(use_01=True)', bq='quantized_bits(6,2,alpha=1)', activation=None),
    ],
)

# QSeparableConv2D/1D whose depthwise and pointwise quantizers differ (`dq`, `pq`): hls4ml's
# separable_to_depthwise_and_conv gives each half its own quantizer, so its own kernel type
# (presynth: the layer's `depthwise`/`pointwise` precision entries, keras/layers.rs)
MODELS['qseparable_mixed'] = dict(
    format='json',
    input=[6, 6, 2],
    layers=[
        dict(
            type='QSeparableConv2D',
            name='sep1',
            filters=3,
            kernel_size=(3, 3),
            bits=(6, 0),
            dq='quantized_bits(4,0,alpha=1)',
            pq='quantized_bits(8,2,alpha=1)',
            activation=None,
        ),
        dict(type='QActivation', name='relu1', activation='quantized_relu(6,2)'),
        dict(type='Flatten', name='flat'),
        QD('out', 3, (6, 0)),
    ],
)
MODELS['qsepconv1d_mixed'] = dict(
    format='h5',
    input=[10, 2],
    layers=[
        dict(
            type='QSeparableConv1D',
            name='sep1',
            filters=3,
            kernel_size=3,
            bits=(6, 0),
            dq='quantized_bits(8,3,alpha=1)',
            pq='quantized_bits(4,1,alpha=1)',
            activation=None,
        ),
        dict(type='QActivation', name='relu1', activation='quantized_relu(6,2)'),
        dict(type='Flatten', name='flat'),
        QD('out', 3, (6, 0)),
    ],
)

# TimeDistributed (hls4ml's tf.keras converter only: parse_time_distributed_layer; the pass
# expand_time_distributed puts the wrapped layer between the wrapper and a `td_end` marker,
# written as a `for (ts ...)` loop of read_time_step, the wrapped call and write_time_step;
# io_parallel only). The wrapped layer's activation is dropped by hls4ml (td_dense's relu).
MODELS['td_dense'] = dict(
    format='json',
    input=[5, 3],
    layers=[
        dict(type='TimeDistributed', name='td', layer=dict(type='Dense', name='td_fc', units=4, activation='relu')),
        dict(type='Dense', name='out', units=3),
    ],
)
MODELS['td_qdense'] = dict(
    format='h5',
    input=[5, 3],
    layers=[
        dict(type='TimeDistributed', name='td', layer=QD('td_fc', 4, (6, 0))),
        dict(type='Flatten', name='flat'),
        QD('out', 3, (6, 0)),
    ],
)
# a Dense over a (T, W, C) input: one step is (W, C), a Dense over positions that hls4ml makes a
# PointwiseConv1D (read_time_step_3d). (Plain Dense layers where a Dense works over positions:
# a QDense there loses its quantizer types in hls4ml's replace_multidimensional_dense_with_conv,
# which presynth does not mirror yet, TimeDistributed or not.) (A wrapped Conv1D/Conv2D/pooling is not a case:
# parse_time_distributed_layer takes the wrapped handler's output shape, which for those drops
# the time axis, so hls4ml's project declares the output array T times too small and the next
# layer reads past it; presynth refuses it, see tests/cli_codegen_td.rs.)
MODELS['td_dense3d'] = dict(
    format='json',
    input=[4, 3, 2],
    layers=[
        dict(type='TimeDistributed', name='td', layer=dict(type='Dense', name='td_fc', units=5)),
        dict(type='Flatten', name='flat'),
        QD('out', 2, (6, 0)),
    ],
)

SPLIT_OVERRIDE = {'fc1_relu': {'Precision': {'result': 'fixed<10,4,RND,SAT>'}, 'ReuseFactor': 2}}

CONFIGS = {
    'flags_lat': dict(io_type='io_parallel', config='flags', strategy='Latency', reuse=1),
    'flags_stream': dict(io_type='io_stream', config='flags', strategy='Latency', reuse=1),
    'flags_res': dict(io_type='io_parallel', config='flags', strategy='Resource', reuse=2),
    'name_lat': dict(io_type='io_parallel', config='name'),
    'name_stream': dict(io_type='io_stream', config='name'),
    'split_override': dict(io_type='io_parallel', config='model_yaml', layer=SPLIT_OVERRIDE),
    'split_override_stream': dict(io_type='io_stream', config='model_yaml', layer=SPLIT_OVERRIDE),
}

# Cases whose outputs differ today, with the cause (found by reading both projects' defines.h and
# parameters.h). An XFAIL case that becomes bit-identical is reported as XPASS and fails the run.
# (The six `name_*` cases, whose `auto` accum/result types hls4ml infers with its
# infer_precision pass, are bit-identical since presynth's lowering runs the same inference:
# lower/src/passes/infer_precision.rs.)
XFAIL = {}
# Cases whose generated texts are reported, not compared, with the reason. (Before presynth
# named a quantizer's weight type `weight<index>_t` and mirrored hls4ml's Keras 2 parser, which
# makes and later removes a `<layer>_linear` activation per QDense/QConv, every case was here.)
TEXT_NOT_COMPARED = {}
# hls4ml writes the tf.keras model it converted; presynth does not (it reads JSON/H5 files)
HLS4ML_ONLY_FILES = {'keras_model.keras'}


def text_diffs(hls4ml_dir, presynth_dir):
    """scripts/hls4ml_reference.py's text comparison, without hls4ml's keras_model.keras."""
    diffs = ref.compare_texts(hls4ml_dir, presynth_dir)
    fa = [f for f in ref.file_list(hls4ml_dir) if f not in HLS4ML_ONLY_FILES]
    if fa == ref.file_list(presynth_dir):
        diffs = [d for d in diffs if d[0] != '<file list>']
    return diffs

CASES = [
    ('qdense', ['flags_lat', 'flags_stream', 'flags_res', 'name_lat', 'name_stream', 'split_override', 'split_override_stream']),
    ('qconv2d', ['flags_lat', 'flags_stream', 'name_lat', 'name_stream']),
    ('qconv1d', ['flags_lat', 'name_stream']),
    ('qkeras_3layer', ['flags_lat', 'name_lat']),
    ('qdense_alpha', ['flags_lat', 'flags_stream', 'name_lat']),
    ('qdepthwise_bn', ['flags_lat', 'flags_stream', 'name_lat']),
    ('qseparable', ['flags_lat', 'flags_stream', 'name_lat']),
    ('qconv2d_bn', ['flags_lat', 'flags_stream', 'name_lat', 'name_stream']),
    ('qsepconv1d', ['flags_lat', 'flags_stream', 'name_lat']),
    ('qlstm', ['flags_lat', 'flags_stream']),
    ('qlstm_nostate', ['name_lat', 'name_stream']),
    ('qgru', ['flags_lat', 'flags_stream', 'name_lat']),
    ('qdense_binary', ['flags_lat', 'flags_stream', 'name_lat']),
    ('qconv2d_binary', ['flags_lat', 'flags_stream', 'name_stream']),
    ('nested_seq', ['flags_lat', 'name_stream']),
    ('nested_func', ['flags_lat', 'name_lat']),
    ('garnet_mean', ['flags_lat', 'name_lat', 'flags_res']),
    ('garnet_stack', ['flags_lat', 'name_lat']),
    ('garnet_quant', ['flags_lat']),
    ('garnet_vertices', ['flags_lat']),
    ('qdense_binary_po2', ['flags_lat', 'flags_stream', 'name_lat']),
    ('qconv2d_sign_po2', ['flags_lat', 'flags_stream', 'name_stream']),
    ('qseparable_mixed', ['flags_lat', 'flags_stream', 'name_lat']),
    ('qsepconv1d_mixed', ['flags_lat', 'name_stream']),
    ('td_dense', ['flags_lat', 'name_lat']),
    ('td_qdense', ['flags_lat', 'flags_res', 'name_lat']),
    ('td_dense3d', ['flags_lat', 'name_lat']),
]

# The driver of the two-input GarNet projects: each line holds the V x F vertex features, then
# the vertex count (`integer_input_t`).
GARNET_TB = ref.HARNESS_TB.replace(
    '''        input_t x[NIN];
        result_t y[NOUT];
        for (unsigned i = 0; i < NIN; i++)
            x[i] = v[i];
        PROJECT(x, y);''',
    '''        input_t x[NIN];
        integer_input_t nv[1];
        result_t y[NOUT];
        for (unsigned i = 0; i < NIN; i++)
            x[i] = v[i];
        nv[0] = v[NIN];
        PROJECT(x, nv, y);''',
)
assert GARNET_TB != ref.HARNESS_TB


def build_garnet(spec, seed):
    """A GarNet/GarNetStack model on (x: (V, F), n: (1,) uint16), weights seeded uniform in
    [-1.5, 1.5] (so that the ternary quantizer's thresholds are crossed)."""
    import numpy as np
    import tensorflow as tf

    from hls4ml.contrib.garnet import GarNet, GarNetStack

    g = spec['garnet']
    x = tf.keras.Input(shape=(g['vertices'], g['features']), name='x')
    n = tf.keras.Input(shape=(1,), dtype='uint16', name='n')
    cls = GarNet if g['cls'] == 'GarNet' else GarNetStack
    quant = dict(quantize_transforms=True, total_bits=8, int_bits=3) if g.get('quantize') else {}
    if g['cls'] == 'GarNetStack' and not quant:
        quant = dict(quantize_transforms=None)
    y = cls(
        *g['args'],
        simplified=True,
        collapse=g['collapse'],
        input_format='xn',
        output_activation=None,
        mean_by_nvert=g.get('mean_by_nvert', False),
        name='gar_1',
        **quant,
    )([x, n])
    if g.get('dense'):
        y = tf.keras.layers.Dense(g['dense'], name='fc')(y)
    model = tf.keras.Model([x, n], y, name='garnet')
    rng = np.random.default_rng(seed)
    model.set_weights([rng.uniform(-1.5, 1.5, w.shape).astype('float32') for w in model.get_weights()])
    return model


def write_garnet_inputs(path, spec, seed):
    """Vertex features uniform in [-3, 3], then a vertex count in 1..V, one sample per line."""
    import numpy as np

    g = spec['garnet']
    rng = np.random.default_rng(seed + 1000)
    n_in = g['vertices'] * g['features']
    with open(path, 'w') as f:
        for _ in range(ref.N_SAMPLES):
            x = rng.uniform(-3.0, 3.0, n_in).astype('float32')
            nv = int(rng.integers(1, g['vertices'] + 1))
            if g.get('all_valid'):
                nv = g['vertices']
            f.write(' '.join(repr(float(v)) for v in x) + f' {nv}\n')
    return n_in


def build_qkeras(spec, seed):
    import numpy as np
    import tensorflow as tf
    from qkeras import QActivation, QConv1D, QConv2D, QDense, quantized_bits

    def qb(bits, alpha=1):
        return quantized_bits(bits[0], bits[1], alpha=alpha)

    def kq(ld, key, default):
        """The layer's kernel/bias quantizer: a QKeras quantizer string (`kq`/`bq`) or
        quantized_bits of its `bits`."""
        from qkeras.quantizers import get_quantizer

        return get_quantizer(ld[key]) if key in ld else default

    rng = np.random.default_rng(seed)

    def make(ld, x):
        """The layer `ld` describes, given its input tensor `x` (a nested model's input shape)."""
        t, n = ld['type'], ld['name']
        if t == 'Sequential':
            return tf.keras.Sequential(
                [tf.keras.layers.InputLayer(x.shape[1:], name=f'{n}_input')] + [make(l, None) for l in ld['layers']], name=n
            )
        if t == 'Functional':
            i = tf.keras.Input(shape=x.shape[1:], name=f'{n}_input')
            y = i
            for l in ld['layers']:
                y = make(l, y)(y)
            return tf.keras.Model(i, y, name=n)
        if t == 'QDense':
            lay = QDense(
                ld['units'],
                kernel_quantizer=kq(ld, 'kq', None) or qb(ld['bits'], ld.get('alpha', 1)),
                bias_quantizer=kq(ld, 'bq', None) or qb(ld['bits']),
                activation=ld['activation'],
                name=n,
            )
        elif t == 'QConv2D':
            lay = QConv2D(
                ld['filters'],
                ld['kernel_size'],
                kernel_quantizer=kq(ld, 'kq', None) or qb(ld['bits']),
                bias_quantizer=kq(ld, 'bq', None) or qb(ld['bits']),
                activation=ld['activation'],
                name=n,
            )
        elif t == 'QConv1D':
            lay = QConv1D(
                ld['filters'], ld['kernel_size'], kernel_quantizer=qb(ld['bits']), bias_quantizer=qb(ld['bits']), activation=ld['activation'], name=n
            )
        elif t == 'QDepthwiseConv2D':
            from qkeras import QDepthwiseConv2D

            lay = QDepthwiseConv2D(
                ld['kernel_size'], depthwise_quantizer=qb(ld['bits']), bias_quantizer=qb(ld['bits']), activation=ld['activation'], name=n
            )
        elif t in ('QSeparableConv1D', 'QSeparableConv2D'):
            import qkeras

            lay = getattr(qkeras, t)(
                ld['filters'],
                ld['kernel_size'],
                depthwise_quantizer=kq(ld, 'dq', None) or qb(ld['bits']),
                pointwise_quantizer=kq(ld, 'pq', None) or qb(ld['bits']),
                bias_quantizer=qb(ld['bits']),
                activation=ld['activation'],
                name=n,
            )
        elif t == 'QConv2DBatchnorm':
            from qkeras import QConv2DBatchnorm

            lay = QConv2DBatchnorm(
                ld['filters'], ld['kernel_size'], kernel_quantizer=qb(ld['bits']), bias_quantizer=qb(ld['bits']), activation=ld['activation'], name=n
            )
        elif t == 'QBatchNormalization':
            # QKeras's default quantizers for gamma/beta/mean/variance; hls4ml 1.3.0 records them
            # (parse_qbatchnorm_layer) but its BatchNormalization uses the float statistics
            from qkeras import QBatchNormalization

            lay = QBatchNormalization(name=n)
        elif t == 'QActivation':
            lay = QActivation(ld['activation'], name=n)
        elif t in ('QLSTM', 'QGRU'):
            import qkeras
            from tensorflow.python.util import nest

            from tensorflow.python.ops import array_ops

            # QKeras 0.9.0's QGRUCell calls nest.is_sequence and array_ops.unstack, which
            # TensorFlow 2.14 no longer has under those names (now nest.is_nested, tf.unstack:
            # the same functions); needed only to build the graph that hls4ml reads
            if not hasattr(nest, 'is_sequence'):
                nest.is_sequence = nest.is_nested
            if not hasattr(array_ops, 'unstack'):
                array_ops.unstack = tf.unstack
            act = ld['activation']
            if isinstance(act, tuple):
                act = getattr(qkeras, act[0])(**act[1])
            lay = getattr(qkeras, t)(
                ld['units'],
                kernel_quantizer=qb(ld['bits']),
                recurrent_quantizer=qb(ld['bits']),
                bias_quantizer=qb(ld['bits']),
                state_quantizer=qb(ld['state']) if ld['state'] else None,
                activation=act,
                recurrent_activation=ld['recurrent_activation'],
                return_sequences=ld.get('return_sequences', False),
                name=n,
                **({'reset_after': ld['reset_after']} if 'reset_after' in ld else {}),
            )
        elif t == 'TimeDistributed':
            lay = tf.keras.layers.TimeDistributed(make(ld['layer'], None), name=n)
        elif t == 'MaxPooling2D':
            lay = tf.keras.layers.MaxPooling2D(ld['pool_size'], name=n)
        elif t == 'Flatten':
            lay = tf.keras.layers.Flatten(name=n)
        elif t == 'Dense':
            lay = tf.keras.layers.Dense(ld['units'], activation=ld.get('activation'), name=n)
        else:
            raise ValueError(f'layer type {t} not handled')
        return lay

    inp = tf.keras.Input(shape=tuple(spec['input']), name='input_layer')
    if spec.get('sequential'):
        # a Sequential model: its layers are made in order, each given the one before's output
        model = tf.keras.Sequential([tf.keras.layers.InputLayer(tuple(spec['input']), name='input_layer')], name='outer')
        for ld in spec['layers']:
            model.add(make(ld, model.output))
    else:
        x = inp
        for ld in spec['layers']:
            x = make(ld, x)(x)
        model = tf.keras.Model(inp, x)
    # seeded float weights, spread over more than the quantizers' ranges so that rounding and
    # wrapping both happen
    # (a QConv2DBatchnorm's int64 `iteration` counter takes its draw rounded)
    model.set_weights([rng.uniform(-1.5, 1.5, w.shape).astype('float32').astype(w.dtype) for w in model.get_weights()])
    for lay in model.layers:
        if 'BatchNormalization' in type(lay).__name__:
            # a variance must be positive: |v| + 0.1
            g, b, m, v = lay.get_weights()
            lay.set_weights([g, b, m, (np.abs(v) + 0.1).astype('float32')])
        elif type(lay).__name__ == 'QConv2DBatchnorm':
            ws = lay.get_weights()
            for i, var in enumerate(lay.weights):
                if 'moving_variance' in var.name:
                    ws[i] = (np.abs(ws[i]) + 0.1).astype('float32')
            lay.set_weights(ws)
    return model


def load_example(name):
    import tensorflow as tf
    from qkeras.utils import _add_supported_quantized_objects

    co = {}
    _add_supported_quantized_objects(co)
    model = tf.keras.models.model_from_json((EXAMPLES / f'{name}.json').read_text(), custom_objects=co)
    model.load_weights(str(EXAMPLES / f'{name}_weights.h5'))
    return model


def save_model(model, case_dir, fmt):
    """The model file presynth reads: JSON + X_weights.h5 (as hls4ml's examples) or a full .h5."""
    if fmt == 'json':
        (case_dir / 'model.json').write_text(model.to_json())
        model.save_weights(str(case_dir / 'model_weights.h5'))
        return 'model.json'
    model.save(str(case_dir / 'model.h5'))
    return 'model.h5'


def hls4ml_config(model, settings):
    import hls4ml

    gran = 'name' if settings['config'] == 'name' else 'model'
    cfg = hls4ml.utils.config_from_keras_model(model, granularity=gran, backend='Vitis')
    if settings['config'] == 'flags':
        cfg['Model']['Strategy'] = settings['strategy']
        cfg['Model']['ReuseFactor'] = settings['reuse']
    if settings.get('layer'):
        cfg['LayerName'] = json.loads(json.dumps(settings['layer']))
    return cfg


def make_reference(case_dir, model_name, config_name, key):
    """Model file + hls4ml project + reference outputs (cached by key)."""
    import numpy as np
    import yaml

    meta_path = case_dir / 'reference.json'
    if meta_path.exists():
        meta = json.loads(meta_path.read_text())
        if meta.get('key') == key and (case_dir / 'hls4ml_outputs.txt').exists():
            return meta, True
    import hls4ml

    shutil.rmtree(case_dir, ignore_errors=True)
    case_dir.mkdir(parents=True)
    spec = MODELS[model_name]
    settings = CONFIGS[config_name]
    seed = int(hashlib.sha256(model_name.encode()).hexdigest()[:8], 16)
    if 'example' in spec:
        model = load_example(spec['example'])
    elif 'garnet' in spec:
        model = build_garnet(spec, seed)
    else:
        model = build_qkeras(spec, seed)
    model_file = save_model(model, case_dir, spec['format'])
    cfg = hls4ml_config(model, settings)
    config_file = None
    if settings['config'] != 'flags':
        config_file = 'config.yml'
        (case_dir / config_file).write_text(yaml.safe_dump(cfg, sort_keys=False))
    hm = hls4ml.converters.convert_from_keras_model(
        model, output_dir=str(case_dir / 'hls4ml'), backend='Vitis', io_type=settings['io_type'], hls_config=cfg
    )
    hm.write()
    if 'garnet' in spec:
        n_in = write_garnet_inputs(case_dir / 'inputs.dat', spec, seed)
    else:
        n_in = ref.write_inputs_shape(case_dir / 'inputs.dat', model.input_shape[1:], seed)
    n_out = int(np.prod(model.output_shape[1:]))
    out = ref.compile_and_run(case_dir / 'hls4ml', settings['io_type'], n_in, n_out, case_dir / 'inputs.dat', tb_text=driver(spec))
    (case_dir / 'hls4ml_outputs.txt').write_text(out)
    meta = dict(key=key, n_in=n_in, n_out=n_out, model_file=model_file, config_file=config_file)
    meta_path.write_text(json.dumps(meta, indent=1))
    return meta, False


def driver(spec):
    """The C++ driver of a case: the shared one, or GARNET_TB for the two-input GarNet models."""
    return GARNET_TB if 'garnet' in spec else ref.HARNESS_TB


def run_presynth(presynth, case_dir, settings, meta):
    out = case_dir / 'presynth'
    shutil.rmtree(out, ignore_errors=True)
    cmd = [str(presynth), 'codegen', str(case_dir / meta['model_file']), '-o', str(out)]
    cmd += ['--backend', 'Vitis', '--io-type', settings['io_type']]
    if meta['config_file']:
        cmd += ['--config', str(case_dir / meta['config_file'])]
    else:
        cmd += ['--strategy', settings['strategy'], '--reuse-factor', str(settings['reuse']), '--precision', 'ap_fixed<16,6>']
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode != 0:
        raise RuntimeError(f'presynth codegen failed: {" ".join(cmd)}\n{r.stderr[-3000:]}')
    return out, r.stderr


def versions():
    import importlib.metadata as md

    return {p: md.version(p) for p in ('hls4ml', 'qkeras', 'tensorflow-cpu')}


def run_case(args_tuple):
    import logging

    logging.getLogger('tensorflow').setLevel(logging.ERROR)
    model_name, config_name, out_root, presynth = args_tuple
    case = f'{model_name}__{config_name}'
    case_dir = Path(out_root) / case
    settings = CONFIGS[config_name]
    spec = MODELS[model_name]
    key = ref.sha(
        dict(v=REFERENCE_VERSION, spec=spec, settings=settings, versions=versions(), tb=driver(spec), cxx=ref.CXXFLAGS, n=ref.N_SAMPLES)
    )
    if 'example' in spec:
        h = hashlib.sha256()
        for suffix in ('.json', '_weights.h5'):
            h.update((EXAMPLES / f'{spec["example"]}{suffix}').read_bytes())
        key = ref.sha(dict(key=key, example=h.hexdigest()))
    res = dict(case=case, model=model_name, config=config_name)
    t0 = time.time()
    try:
        meta, cached = make_reference(case_dir, model_name, config_name, key)
        res['ref'] = 'cached' if cached else 'built'
        pdir, warnings = run_presynth(presynth, case_dir, settings, meta)
        res['warnings'] = [w for w in warnings.splitlines() if 'warning' in w.lower()]
        fh = ref.sha([ref.firmware_hash(pdir), driver(spec)])
        cache = case_dir / f'presynth_outputs.{fh}.txt'
        res['build'] = 'cached' if cache.exists() else 'compiled'
        if cache.exists():
            pout = cache.read_text()
        else:
            for old in case_dir.glob('presynth_outputs.*.txt'):
                old.unlink()
            pout = ref.compile_and_run(
                pdir, settings['io_type'], meta['n_in'], meta['n_out'], case_dir / 'inputs.dat', tb_text=driver(spec)
            )
            cache.write_text(pout)
        want = (case_dir / 'hls4ml_outputs.txt').read_text()
        res['identical'] = pout == want
        if not res['identical']:
            wl, pl = want.splitlines(), pout.splitlines()
            bad = [i for i in range(max(len(wl), len(pl))) if wl[i : i + 1] != pl[i : i + 1]]
            res['first_diff'] = (
                f'sample {bad[0]}: hls4ml [{wl[bad[0]][:120] if bad[0] < len(wl) else ""}] '
                f'presynth [{pl[bad[0]][:120] if bad[0] < len(pl) else ""}]; {len(bad)}/{len(wl)} samples differ'
            )
        res['text_info'] = text_diffs(case_dir / 'hls4ml', pdir)
        res['status'] = 'ok'
    except Exception as e:  # noqa: BLE001 - report per case, keep going
        res['status'] = 'error'
        res['error'] = str(e)
    res['seconds'] = round(time.time() - t0, 1)
    return res


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--presynth', help='path of the presynth binary')
    ap.add_argument('--out', default=str(ROOT / 'target' / 'qkeras-ref'))
    ap.add_argument('--jobs', type=int, default=2)
    ap.add_argument('--cases', default='', help='substring filter on <model>__<config>')
    ap.add_argument('--list', action='store_true')
    args = ap.parse_args()

    cases = [(m, c) for m, cs in CASES for c in cs if args.cases in f'{m}__{c}']
    if args.list:
        for m, c in cases:
            print(f'{m}__{c}')
        return 0
    import importlib.util

    missing = [p for p in ('tensorflow', 'qkeras', 'hls4ml') if importlib.util.find_spec(p) is None]
    if missing:
        print(f'error: python packages {missing} are missing (run scripts/setup-qkeras.sh and use .venv-qkeras/bin/python)')
        return 2
    if ref.hls4ml_version() != '1.3.0':
        print(f'error: hls4ml 1.3.0 is required, found {ref.hls4ml_version()}')
        return 2
    if shutil.which('g++') is None:
        print('error: g++ not found')
        return 2
    if not args.presynth:
        print('error: --presynth BIN is required')
        return 2
    Path(args.out).mkdir(parents=True, exist_ok=True)
    t0 = time.time()
    work = [(m, c, args.out, args.presynth) for m, c in cases]
    with cf.ProcessPoolExecutor(max_workers=max(1, args.jobs)) as ex:
        results = list(ex.map(run_case, work))

    failed = 0
    rows = []
    for r in results:
        xfail = XFAIL.get(r['case'])
        if r['status'] == 'error':
            verdict = 'ERROR'
            failed += 1
        else:
            ok = r['identical']
            if ok and xfail:
                verdict = 'XPASS'
                failed += 1
            elif ok:
                verdict = 'identical'
            elif xfail:
                verdict = 'xfail'
            else:
                verdict = 'DIFFERENT'
                failed += 1
            n_text = len(r['text_info'])
            if r['case'] in TEXT_NOT_COMPARED:
                texts = f'{n_text} file(s) differ (not compared)'
            elif n_text:
                texts = f'{n_text} file(s) differ'
                failed += 1
            else:
                texts = 'same'
            verdict = f'{verdict:<10} | text {texts}'
        rows.append((r['model'], r['config'], verdict, f'ref {r.get("ref", "-")}, presynth {r.get("build", "-")}, {r["seconds"]} s'))
    w0 = max(len(x[0]) for x in rows)
    w1 = max(len(x[1]) for x in rows)
    print(f'{"model":<{w0}} | {"config":<{w1}} | outputs    | texts')
    print('-' * (w0 + w1 + 40))
    for m, c, v, t in rows:
        print(f'{m:<{w0}} | {c:<{w1}} | {v}   ({t})')
    for r in results:
        if r['status'] == 'error':
            print(f'\n[{r["case"]}] ERROR: {r["error"]}')
        elif r['status'] == 'ok':
            if r['identical'] and r['case'] in XFAIL:
                print(f'\n[{r["case"]}] XPASS: bit-identical now; remove it from XFAIL')
            if not r['identical']:
                why = f' (xfail: {XFAIL[r["case"]]})' if r['case'] in XFAIL else ''
                print(f'\n[{r["case"]}] outputs differ: {r["first_diff"]}{why}')
            compared = r['case'] not in TEXT_NOT_COMPARED
            for f, d in r['text_info'][:4]:
                note = '' if compared else f' (not compared: {TEXT_NOT_COMPARED[r["case"]]})'
                print(f'[{r["case"]}] text {f}: {d[:160]}{note}')
            for w in r.get('warnings', []):
                print(f'[{r["case"]}] presynth: {w}')
    n_ok = sum(1 for r in results if r['status'] == 'ok' and r['identical'])
    n_xfail = sum(1 for r in results if r['status'] == 'ok' and not r['identical'] and r['case'] in XFAIL)
    print(f'\n{n_ok}/{len(results)} bit-identical, {n_xfail} xfail, {failed} failing, {time.time() - t0:.0f} s')
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
