#!/usr/bin/env python3
"""Bit-exact harness: presynth codegen against hls4ml 1.3.0.

For every case (a small Keras model with seeded weights x an HLS configuration) this script
  1. builds the Keras model, saves it as ``model.keras`` and writes seeded inputs;
  2. converts it with hls4ml (``config_from_keras_model(granularity='model', backend='Vitis')``,
     ``granularity='name'`` for the ``name_*`` configs, ``convert_from_keras_model(...,
     backend='Vitis')``, ``write()``) into ``<case>/hls4ml``;
  3. runs ``presynth codegen model.keras -o <case>/presynth`` with the same settings (for the
     ``name_*`` configs with ``--config <case>/hls4ml/hls4ml_config.yml``, its ``auto`` types);
  4. compiles each project's firmware with g++ against one shared C++ driver (``HARNESS_TB`` below,
     which prints every output element as the exact double of its ap_fixed value) and runs both on
     the same inputs;
  5. compares the outputs as strings (bit-identical or not) and the normalised text of
     ``defines.h`` typedefs and ``parameters.h`` config structs (plus the other generated files).

ONNX cases (models whose spec has ``onnx=<file>``: hls4ml's example ONNX models) take the same
steps with the ONNX file: hls4ml gets it the way its documentation asks (QONNX ``cleanup_model``,
``ConvertToChannelsLastAndClean``, ``GemmToMatMul``, ``cleanup_model``, then
``config_from_onnx_model`` and ``convert_from_onnx_model``) and presynth reads the file as it is.
Their outputs must be bit-identical; their generated texts are reported but not required to match,
because hls4ml 1.3.0's ONNX flow writes a MatMul's bias as a separate ApplyAlpha layer and numbers
its layers after the graph's constants, where presynth writes the Dense with its bias.

hls4ml results are cached by a content hash of the case (spec, seed, settings, hls4ml version,
driver source) under ``--out`` (default ``target/hls4ml-ref``); compiled outputs of presynth
projects are cached by a hash of the emitted firmware text. Cases run on ``--jobs`` processes.

Usage:
  KERAS_BACKEND=jax JAX_PLATFORMS=cpu .venv/bin/python scripts/hls4ml_reference.py \
      --presynth target/debug/presynth [--jobs 2] [--cases mlp] [--out target/hls4ml-ref]
  ... --list            # list the cases
  ... --reference-only  # only build the hls4ml references (no presynth)

Exit status: 0 when every case is bit-identical and every compared file matches, 1 otherwise,
2 on a usage/tool error.
"""

import argparse
import concurrent.futures as cf
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

os.environ.setdefault('KERAS_BACKEND', 'jax')
os.environ.setdefault('JAX_PLATFORMS', 'cpu')
os.environ.setdefault('TF_CPP_MIN_LOG_LEVEL', '3')

# Bump when the way references are made changes (model building, weights, inputs).
REFERENCE_VERSION = 3
N_SAMPLES = 40
CXXFLAGS = ['-std=c++11', '-O1', '-w']

# ---------------------------------------------------------------------------------------------
# Models: small networks described as data, so that the cache key is the description itself.
# Each layer: dict(type=..., name=..., in=<name or list>, ...); 'in' defaults to the previous layer.
# ---------------------------------------------------------------------------------------------


def D(name, units, act=None, **kw):
    return dict(type='Dense', name=name, units=units, activation=act or 'linear', **kw)


MODELS = {
    # MLPs, 2 to 7 Dense layers
    'mlp2_relu_softmax': dict(input=[8], layers=[D('fc1', 16, 'relu'), D('fc2', 4, 'softmax')]),
    'mlp3_tanh_sigmoid': dict(
        input=[10], layers=[D('fc1', 12, 'tanh'), D('fc2', 8, 'sigmoid'), D('fc3', 3, 'softmax')]
    ),
    # fc1 is 40 % pruned (exact zeros): n_zeros / n_nonzeros must agree
    'mlp4_relu': dict(
        input=[16],
        layers=[D('fc1', 32, 'relu', prune=0.4), D('fc2', 24, 'relu'), D('fc3', 12, 'relu'), D('fc4', 5, 'softmax')],
    ),
    'mlp7_mixed': dict(
        input=[6],
        layers=[
            D('d1', 12, 'relu'),
            D('d2', 10, 'tanh'),
            D('d3', 9, 'relu'),
            D('d4', 8, 'sigmoid'),
            D('d5', 8, 'relu'),
            D('d6', 7, 'tanh'),
            D('d7', 4),
        ],
    ),
    # separate Activation layers, Dropout (dropped by hls4ml), leaky relu
    'mlp_sep_act': dict(
        input=[12],
        layers=[
            D('fc1', 16),
            dict(type='Activation', name='act1', activation='relu'),
            dict(type='Dropout', name='drop1', rate=0.2),
            D('fc2', 8),
            dict(type='LeakyReLU', name='lrelu', negative_slope=0.1),
            D('fc3', 3, 'softmax'),
        ],
    ),
    # table activations computed by hls4ml's nnet_activation.h: softplus, softsign, selu, elu
    'mlp_table_acts': dict(
        input=[12],
        layers=[
            D('fc1', 16, 'softplus'),
            D('fc2', 8),
            dict(type='Activation', name='act2', activation='softsign'),
            D('fc3', 8, 'selu'),
            dict(type='ELU', name='elu', alpha=0.5),
            D('fc4', 8, 'elu'),
            D('out', 3),
        ],
    ),
    # convolutional stacks
    'conv1d_pool': dict(
        input=[16, 2],
        layers=[
            dict(type='Conv1D', name='conv1', filters=4, kernel_size=3, activation='relu'),
            dict(type='MaxPooling1D', name='pool1', pool_size=2),
            dict(type='Conv1D', name='conv2', filters=3, kernel_size=3, activation='relu'),
            dict(type='Flatten', name='flat'),
            D('out', 3, 'softmax'),
        ],
    ),
    'conv2d_pool': dict(
        input=[8, 8, 1],
        layers=[
            dict(type='Conv2D', name='conv1', filters=4, kernel_size=[3, 3], activation='relu'),
            dict(type='MaxPooling2D', name='pool1', pool_size=[2, 2]),
            dict(type='Flatten', name='flat'),
            D('out', 5, 'softmax'),
        ],
    ),
    'conv2d_bn': dict(
        input=[6, 6, 2],
        layers=[
            dict(type='Conv2D', name='conv1', filters=3, kernel_size=[3, 3], activation='linear'),
            dict(type='BatchNormalization', name='bn1'),
            dict(type='Activation', name='relu1', activation='relu'),
            dict(type='AveragePooling2D', name='pool1', pool_size=[2, 2]),
            dict(type='Flatten', name='flat'),
            D('out', 4, 'sigmoid'),
        ],
    ),
    # 'same' padding with stride 2 (io_parallel: pads in the config and the im2col code)
    'conv2d_same_stride': dict(
        input=[7, 7, 2],
        layers=[
            dict(type='Conv2D', name='conv1', filters=3, kernel_size=[3, 3], activation='relu', padding='same', strides=[2, 2]),
            dict(type='Flatten', name='flat'),
            D('out', 4, 'softmax'),
        ],
    ),
    # 'same' padding in io_stream: hls4ml inserts ZeroPadding1D/2D before the conv
    # (insert_zero_padding_before_conv1d/2d); stride 1 and 2, and a BatchNormalization after a conv
    'conv1d_same': dict(
        input=[12, 2],
        layers=[
            dict(type='Conv1D', name='conv1', filters=3, kernel_size=3, activation='relu', padding='same'),
            dict(type='Conv1D', name='conv2', filters=4, kernel_size=3, activation='relu', padding='same', strides=2),
            dict(type='Flatten', name='flat'),
            D('out', 3, 'softmax'),
        ],
    ),
    'conv2d_same_bn': dict(
        input=[6, 6, 2],
        layers=[
            dict(type='Conv2D', name='conv1', filters=3, kernel_size=[3, 3], activation='linear', padding='same'),
            dict(type='BatchNormalization', name='bn1'),
            dict(type='Activation', name='relu1', activation='relu'),
            dict(type='Flatten', name='flat'),
            D('out', 4, 'softmax'),
        ],
    ),
    # kernel-1 convolutions: hls4ml's optimize_pointwise_conv makes them PointwiseConv1D/2D
    'pointwise1d': dict(
        input=[10, 3],
        layers=[
            dict(type='Conv1D', name='pw1', filters=4, kernel_size=1, activation='relu'),
            dict(type='Conv1D', name='conv2', filters=2, kernel_size=3, activation='relu'),
            dict(type='Flatten', name='flat'),
            D('out', 3, 'softmax'),
        ],
    ),
    'pointwise2d': dict(
        input=[5, 5, 3],
        layers=[
            dict(type='Conv2D', name='pw1', filters=4, kernel_size=[1, 1], activation='relu'),
            dict(type='Conv2D', name='conv2', filters=2, kernel_size=[3, 3], activation='relu'),
            dict(type='Flatten', name='flat'),
            D('out', 3, 'softmax'),
        ],
    ),
    # a Dense over positions (rank-2 and rank-3 inputs): replace_multidimensional_dense_with_conv
    'dense_positions': dict(
        input=[6, 4],
        layers=[D('fc1', 5, 'relu'), dict(type='Flatten', name='flat'), D('out', 3, 'softmax')],
    ),
    'dense_positions2d': dict(
        input=[3, 3, 4],
        layers=[D('fc1', 5, 'relu'), dict(type='Flatten', name='flat'), D('out', 3, 'softmax')],
    ),
    'conv1d_gap': dict(
        input=[12, 3],
        layers=[
            dict(type='Conv1D', name='conv1', filters=5, kernel_size=3, activation='tanh'),
            dict(type='GlobalAveragePooling1D', name='gap'),
            D('out', 3, 'softmax'),
        ],
    ),
    # the pooling ranks no other case covers: AveragePooling1D and GlobalAveragePooling2D
    'avgpool1d_gap2d_1d': dict(
        input=[12, 3],
        layers=[
            dict(type='Conv1D', name='conv1', filters=4, kernel_size=3, activation='relu'),
            dict(type='AveragePooling1D', name='pool1', pool_size=2),
            dict(type='Flatten', name='flat'),
            D('out', 3, 'softmax'),
        ],
    ),
    'avgpool1d_gap2d_2d': dict(
        input=[6, 6, 2],
        layers=[
            dict(type='Conv2D', name='conv1', filters=4, kernel_size=[3, 3], activation='relu'),
            dict(type='GlobalAveragePooling2D', name='gap'),
            D('out', 3, 'softmax'),
        ],
    ),
    'dense_bn': dict(
        input=[10],
        layers=[D('fc1', 12), dict(type='BatchNormalization', name='bn1'), dict(type='Activation', name='a1', activation='tanh'), D('fc2', 4)],
    ),
    # spatial copy layers (docs/adding-a-layer.md): zero padding and nearest upsampling between
    # convolutions, cropping, and the 1-D family in one chain
    'zeropad2d_up2d': dict(
        input=[6, 6, 1],
        layers=[
            dict(type='Conv2D', name='conv1', filters=3, kernel_size=[3, 3], activation='relu'),
            dict(type='ZeroPadding2D', name='pad1', padding=[[1, 0], [2, 1]]),
            dict(type='Conv2D', name='conv2', filters=2, kernel_size=[3, 3], activation='relu'),
            dict(type='UpSampling2D', name='up1', size=[2, 2]),
            dict(type='Flatten', name='flat'),
            D('out', 3, 'softmax'),
        ],
    ),
    'crop2d': dict(
        input=[7, 7, 2],
        layers=[
            dict(type='Conv2D', name='conv1', filters=3, kernel_size=[3, 3], activation='relu'),
            dict(type='Cropping2D', name='crop1', cropping=[[1, 0], [0, 2]]),
            dict(type='Flatten', name='flat'),
            D('out', 4, 'softmax'),
        ],
    ),
    'seq1d_pad_crop_up': dict(
        input=[12, 2],
        layers=[
            dict(type='Conv1D', name='conv1', filters=3, kernel_size=3, activation='relu'),
            dict(type='ZeroPadding1D', name='pad1', padding=[1, 2]),
            dict(type='Cropping1D', name='crop1', cropping=[2, 1]),
            dict(type='UpSampling1D', name='up1', size=2),
            dict(type='Conv1D', name='conv2', filters=2, kernel_size=3, activation='relu'),
            dict(type='Flatten', name='flat'),
            D('out', 3, 'softmax'),
        ],
    ),
    # depthwise and separable convolutions (hls4ml's nnet_sepconv2d*.h): a depthwise kernel per
    # channel, and depthwise then pointwise with hls4ml's zero bias between them
    'depthwise2d': dict(
        input=[6, 6, 3],
        layers=[
            dict(type='DepthwiseConv2D', name='dw1', kernel_size=[3, 3], activation='relu'),
            dict(type='Flatten', name='flat'),
            D('out', 3, 'softmax'),
        ],
    ),
    'separable2d': dict(
        input=[7, 6, 2],
        layers=[
            dict(type='SeparableConv2D', name='sep1', filters=4, kernel_size=[3, 3], activation='relu'),
            dict(type='SeparableConv2D', name='sep2', filters=3, kernel_size=[3, 2], activation='linear', padding='same', strides=[1, 2]),
            dict(type='Flatten', name='flat'),
            D('out', 3, 'softmax'),
        ],
    ),
    # activations hls4ml maps from Keras 3's ReLU arguments (ReLU(threshold) is its
    # ThresholdedReLU, ReLU(negative_slope) its LeakyReLU), and the
    # hard sigmoid (HardActivation, hls4ml's slope 0.2 and shift 0.5). Hard tanh is left out:
    # hls4ml 1.3.0's project for it does not compile (its config lacks the slope and shift
    # nnet::hard_tanh reads), and presynth refuses it. A plain
    # Keras 3 ReLU() is left out: hls4ml 1.3.0 writes it as thresholded_relu(0.0), presynth as
    # nnet::relu (as hls4ml's tf.keras converter does): same outputs, different text.
    'mlp_relu_forms': dict(
        input=[10],
        layers=[
            D('fc1', 8),
            dict(type='ReLU', name='thr', threshold=0.25),
            D('fc3', 8),
            dict(type='ReLU', name='neg', negative_slope=0.2),
            D('fc4', 8),
            D('fc5', 6, 'hard_sigmoid'),
            D('out', 3),
        ],
    ),
    # branches
    'branch_add': dict(
        input=[8],
        layers=[
            D('a', 8, 'relu', **{'in': 'input_layer'}),
            D('b', 8, 'tanh', **{'in': 'input_layer'}),
            dict(type='Add', name='add', **{'in': ['a', 'b']}),
            D('out', 4),
        ],
    ),
    # every element-wise merge but Add: nnet::subtract/multiply/average/maximum/minimum
    'merge_ops': dict(
        input=[8],
        layers=[
            D('a', 8, 'relu', **{'in': 'input_layer'}),
            D('b', 8, 'tanh', **{'in': 'input_layer'}),
            dict(type='Subtract', name='sub', **{'in': ['a', 'b']}),
            dict(type='Multiply', name='mul', **{'in': ['a', 'b']}),
            dict(type='Average', name='avg', **{'in': ['sub', 'mul']}),
            dict(type='Maximum', name='max', **{'in': ['avg', 'a']}),
            dict(type='Minimum', name='min', **{'in': ['max', 'b']}),
            D('out', 4),
        ],
    ),
    # PReLU (hls4ml's PReLU: nnet::prelu with one alpha per element, the weight array a{N}),
    # after a Dense and after a Conv1D (alpha over (width, channels))
    'prelu': dict(
        input=[10],
        layers=[
            D('fc1', 12),
            dict(type='PReLU', name='prelu1'),
            D('out', 3),
        ],
    ),
    'prelu_conv1d': dict(
        input=[8, 2],
        layers=[
            dict(type='Conv1D', name='conv1', filters=3, kernel_size=3, activation='linear'),
            dict(type='PReLU', name='prelu1'),
            dict(type='Flatten', name='flat'),
            D('out', 3),
        ],
    ),
    # Permute (hls4ml's Transpose: nnet::transpose with the permutation tables), read by a
    # Dense over positions (a Transpose -> Flatten -> Dense hls4ml's remove_transpose_before_flatten
    # folds into the Dense's weights)
    'permute2d': dict(
        input=[6, 3],
        layers=[
            D('fc1', 4),
            dict(type='Permute', name='permute1', dims=[2, 1]),
            D('fc2', 5),
            dict(type='Flatten', name='flat'),
            D('out', 3),
        ],
    ),
    # a rank-3 Permute (nnet::transpose's general path in io_stream)
    'permute3d': dict(
        input=[4, 5, 2],
        layers=[
            dict(type='Permute', name='permute1', dims=[3, 1, 2]),
            D('fc1', 3),
            dict(type='Flatten', name='flat'),
            D('out', 2),
        ],
    ),
    # Dot of two 1-D operands (hls4ml's Dot: nnet::dot1d); io_parallel only: hls4ml 1.3.0's
    # io_stream project for it does not compile (g++: nnet::dot1d reads `product` of the
    # stream's packed type), and presynth refuses it
    'dot1d': dict(
        input=[8],
        layers=[
            D('a', 6, 'relu', **{'in': 'input_layer'}),
            D('b', 6, 'tanh', **{'in': 'input_layer'}),
            dict(type='Dot', name='dot', axes=1, **{'in': ['a', 'b']}),
            D('out', 2),
        ],
    ),
    # transformer pieces hls4ml 1.3.0 converts from plain Keras 3: EinsumDense (a projection per
    # position, one with two output axes and a fused relu), LayerNormalization (axis 2)
    'einsum_layernorm': dict(
        input=[8, 16],
        layers=[
            dict(type='EinsumDense', name='ed1', equation='abc,cd->abd', output_shape=[8, 12], bias_axes='d'),
            dict(type='LayerNormalization', name='ln1', axis=2),
            dict(type='EinsumDense', name='ed2', equation='abc,cde->abde', output_shape=[8, 2, 3], bias_axes='de', activation='relu'),
            dict(type='Flatten', name='flat'),
            D('out', 3),
        ],
    ),
    # an Embedding of integer tokens (inputs drawn from [0, vocab)), LayerNormalization with
    # epsilon 1e-5, a bias-less EinsumDense whose kernel axes are ordered unlike the input's
    'embedding_seq': dict(
        input=[8],
        int_inputs=20,
        layers=[
            dict(type='Embedding', name='emb', input_dim=20, output_dim=6),
            dict(type='LayerNormalization', name='ln1', axis=2, epsilon=1e-5),
            dict(type='EinsumDense', name='ed1', equation='abc,dc->abd', output_shape=[8, 4], bias_axes=None),
            dict(type='Flatten', name='flat'),
            D('out', 3),
        ],
    ),
    # a Softmax layer over the last axis of a (positions, features) input: hls4ml's
    # softmax_multidim (n_outer = positions), as in the attention scores
    'softmax_positions': dict(
        input=[8, 6],
        layers=[D('fc1', 5), dict(type='Softmax', name='sm'), dict(type='Flatten', name='flat'), D('out', 3)],
    ),
    'branch_concat': dict(
        input=[8],
        layers=[
            D('a', 6, 'relu', **{'in': 'input_layer'}),
            D('b', 5, 'sigmoid', **{'in': 'input_layer'}),
            dict(type='Concatenate', name='cat', **{'in': ['a', 'b']}),
            D('out', 3, 'softmax'),
        ],
    ),
    # recurrent layers (hls4ml's nnet_recurrent.h lstm_stack / gru_stack / bidirectional_stack):
    # the last state, every step's state followed by a second recurrent layer, and Keras's
    # default GRU (reset_after, the bias split into its input and recurrent rows)
    'lstm_last': dict(input=[6, 3], layers=[dict(type='LSTM', name='lstm1', units=4), D('out', 3)]),
    'lstm_seq_gru': dict(
        input=[5, 3],
        layers=[
            dict(type='LSTM', name='lstm1', units=4, return_sequences=True),
            dict(type='GRU', name='gru1', units=3),
            D('out', 2),
        ],
    ),
    'gru_seq': dict(
        input=[6, 2],
        layers=[
            dict(type='GRU', name='gru1', units=4, return_sequences=True),
            dict(type='Flatten', name='flat'),
            D('out', 3),
        ],
    ),
    'bilstm': dict(
        input=[5, 3],
        layers=[
            dict(type='Bidirectional', name='bi1', layer=dict(type='LSTM', name='lstm1', units=3)),
            D('out', 3),
        ],
    ),
    'bilstm_seq': dict(
        input=[4, 2],
        layers=[
            dict(type='Bidirectional', name='bi1', layer=dict(type='LSTM', name='lstm1', units=3, return_sequences=True)),
            dict(type='Flatten', name='flat'),
            D('out', 3),
        ],
    ),
    # without a bias: hls4ml 1.3.0's Keras 3 handler fails on a Bidirectional GRU's (2, 3·units)
    # bias ('NoneType' object has no attribute 'shape'); presynth refuses that one
    'bigru': dict(
        input=[5, 3],
        layers=[
            dict(type='Bidirectional', name='bi1', layer=dict(type='GRU', name='gru1', units=3, use_bias=False)),
            D('out', 3),
        ],
    ),
    # 1-D depthwise and separable convolutions (hls4ml's nnet_sepconv1d*.h), as the 2-D ones
    'depthwise1d': dict(
        input=[10, 3],
        layers=[
            dict(type='DepthwiseConv1D', name='dw1', kernel_size=[3], activation='relu'),
            dict(type='Flatten', name='flat'),
            D('out', 3, 'softmax'),
        ],
    ),
    'separable1d': dict(
        input=[12, 2],
        layers=[
            dict(type='SeparableConv1D', name='sep1', filters=4, kernel_size=[3], activation='relu'),
            dict(type='SeparableConv1D', name='sep2', filters=3, kernel_size=[2], activation='linear', padding='same', strides=[2]),
            dict(type='Flatten', name='flat'),
            D('out', 3, 'softmax'),
        ],
    ),
    # GlobalMaxPooling1D and Reshape: a pooled vector reshaped into a sequence for a Conv1D
    'gmp1d_reshape': dict(
        input=[8, 3],
        layers=[
            dict(type='Conv1D', name='conv1', filters=4, kernel_size=3, activation='relu'),
            dict(type='GlobalMaxPooling1D', name='gmp'),
            dict(type='Reshape', name='resh', target_shape=[2, 2]),
            dict(type='Conv1D', name='conv2', filters=3, kernel_size=2, activation='relu'),
            dict(type='Flatten', name='flat'),
            D('out', 3, 'softmax'),
        ],
    ),
    # a Dense output reshaped into an image, then GlobalMaxPooling2D
    'gmp2d_reshape': dict(
        input=[12],
        layers=[
            D('fc1', 32, 'relu'),
            dict(type='Reshape', name='resh', target_shape=[4, 4, 2]),
            dict(type='Conv2D', name='conv1', filters=3, kernel_size=[2, 2], activation='relu'),
            dict(type='GlobalMaxPooling2D', name='gmp'),
            D('out', 3, 'softmax'),
        ],
    ),
}

ONNX_DIR = 'examples/hls4ml-examples/onnx'
ONNX_MODELS = {
    'onnx_two_layer_keras': dict(onnx=f'{ONNX_DIR}/two_layer_keras.onnx'),
    'onnx_three_layer_keras': dict(onnx=f'{ONNX_DIR}/three_layer_keras.onnx'),
    'onnx_three_layer_pytorch': dict(onnx=f'{ONNX_DIR}/three_layer_pytorch.onnx'),
    'onnx_conv1d_small_keras': dict(onnx=f'{ONNX_DIR}/conv1d_small_keras.onnx'),
}
# A QONNX model made here with onnx.helper (QONNX's Quant nodes as Brevitas exports them):
# 8-bit input quantiser, 4-bit weights with scale 2^-2, float biases, 6-bit unsigned ReLU output.
ONNX_MODELS['qonnx_mlp'] = dict(onnx_builder='qonnx_mlp', input=[8], hidden=12, out=4)
MODELS.update(ONNX_MODELS)


def build_qonnx_mlp(path, spec, seed):
    import numpy as np
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    rng = np.random.default_rng(seed)
    n_in, n_h, n_out = spec['input'][0], spec['hidden'], spec['out']
    f32 = np.float32

    def c(name, v):
        return numpy_helper.from_array(np.asarray(v, dtype=f32), name)

    inits = [
        c('W1', rng.uniform(-1.5, 1.5, (n_in, n_h))),
        c('B1', rng.uniform(-0.5, 0.5, (n_h,))),
        c('W2', rng.uniform(-1.5, 1.5, (n_h, n_out))),
        c('B2', rng.uniform(-0.5, 0.5, (n_out,))),
        c('s_in', 2.0**-4),
        c('s_w', 2.0**-2),
        c('s_a', 2.0**-3),
        c('zero', 0.0),
        c('b8', 8.0),
        c('b4', 4.0),
        c('b6', 6.0),
    ]
    q = dict(domain='qonnx.custom_op.general', narrow=0, rounding_mode='ROUND')
    nodes = [
        helper.make_node('Quant', ['x', 's_in', 'zero', 'b8'], ['xq'], signed=1, **q),
        helper.make_node('Quant', ['W1', 's_w', 'zero', 'b4'], ['W1q'], signed=1, **q),
        helper.make_node('MatMul', ['xq', 'W1q'], ['h']),
        helper.make_node('Add', ['h', 'B1'], ['hb']),
        helper.make_node('Relu', ['hb'], ['hr']),
        helper.make_node('Quant', ['hr', 's_a', 'zero', 'b6'], ['hq'], signed=0, **q),
        helper.make_node('Quant', ['W2', 's_w', 'zero', 'b4'], ['W2q'], signed=1, **q),
        helper.make_node('MatMul', ['hq', 'W2q'], ['o']),
        helper.make_node('Add', ['o', 'B2'], ['y']),
    ]
    g = helper.make_graph(
        nodes,
        'qonnx_mlp',
        [helper.make_tensor_value_info('x', TensorProto.FLOAT, [1, n_in])],
        [helper.make_tensor_value_info('y', TensorProto.FLOAT, [1, n_out])],
        initializer=inits,
    )
    m = helper.make_model(g, opset_imports=[helper.make_opsetid('', 13), helper.make_opsetid('qonnx.custom_op.general', 1)])
    onnx.save(m, str(path))


def build_conv_pads(path, spec, seed):
    """A channels-last input (as tf2onnx exports Keras) transposed to channels-first, a Conv with
    explicit pads that are not Keras's 'same' split (hls4ml keeps them on the Conv; its io_stream
    pass moves them into a ZeroPadding layer `zp2d_<conv>`; presynth reads them as ZeroPadding +
    valid Conv), ReLU, a second Conv with symmetric pads, back to channels-last, Flatten, MatMul."""
    import numpy as np
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    rng = np.random.default_rng(seed)
    h, w, c = spec['input']
    f1, f2, n_out = 3, 2, 4
    pads1 = spec['pads']  # [top, left, bottom, right]
    h1, w1 = h + pads1[0] + pads1[2] - 2, w + pads1[1] + pads1[3] - 2
    f32 = np.float32

    def t(name, v, dt=f32):
        return numpy_helper.from_array(np.asarray(v, dtype=dt), name)

    conv = dict(kernel_shape=[3, 3], strides=[1, 1], dilations=[1, 1], group=1)
    inits = [
        t('W1', rng.uniform(-0.5, 0.5, (f1, c, 3, 3))),
        t('B1', rng.uniform(-0.3, 0.3, (f1,))),
        t('W2', rng.uniform(-0.5, 0.5, (f2, f1, 3, 3))),
        t('B2', rng.uniform(-0.3, 0.3, (f2,))),
        t('W3', rng.uniform(-0.5, 0.5, (h1 * w1 * f2, n_out))),
        t('B3', rng.uniform(-0.3, 0.3, (n_out,))),
        t('shape', [1, -1], np.int64),
    ]
    nodes = [
        helper.make_node('Transpose', ['x'], ['xc'], perm=[0, 3, 1, 2]),
        helper.make_node('Conv', ['xc', 'W1', 'B1'], ['c1'], name='conv1', pads=pads1, **conv),
        helper.make_node('Relu', ['c1'], ['r1'], name='relu1'),
        helper.make_node('Conv', ['r1', 'W2', 'B2'], ['c2'], name='conv2', pads=[1, 1, 1, 1], **conv),
        helper.make_node('Transpose', ['c2'], ['c2l'], perm=[0, 2, 3, 1]),
        helper.make_node('Reshape', ['c2l', 'shape'], ['flat']),
        helper.make_node('MatMul', ['flat', 'W3'], ['o']),
        helper.make_node('Add', ['o', 'B3'], ['y']),
    ]
    g = helper.make_graph(
        nodes,
        'conv_pads',
        [helper.make_tensor_value_info('x', TensorProto.FLOAT, [1, h, w, c])],
        [helper.make_tensor_value_info('y', TensorProto.FLOAT, [1, n_out])],
        initializer=inits,
    )
    m = helper.make_model(g, opset_imports=[helper.make_opsetid('', 13)])
    onnx.checker.check_model(m, full_check=True)
    onnx.save(m, str(path))


def build_positional_add(path, spec, seed):
    """A learned positional embedding added to a (seq, d) sequence: ONNX Add of a [1, seq, d]
    initializer (hls4ml: MergeToApplyAlpha, an ApplyAlpha with n_filt = -1; presynth: a
    PositionalAdd layer), then ReLU. (A MatMul after it is not a case: hls4ml 1.3.0 converts a
    MatMul of a 3-D tensor to a PointwiseConv1D of the wrong width.)"""
    import numpy as np
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    rng = np.random.default_rng(seed)
    seq, d = spec['input']
    pos = numpy_helper.from_array(rng.uniform(-1.0, 1.0, (1, seq, d)).astype(np.float32), 'pos')
    nodes = [
        helper.make_node('Add', ['x', 'pos'], ['a'], name='pos_add'),
        helper.make_node('Relu', ['a'], ['y'], name='relu'),
    ]
    g = helper.make_graph(
        nodes,
        'positional_add',
        [helper.make_tensor_value_info('x', TensorProto.FLOAT, [1, seq, d])],
        [helper.make_tensor_value_info('y', TensorProto.FLOAT, [1, seq, d])],
        initializer=[pos],
    )
    m = helper.make_model(g, opset_imports=[helper.make_opsetid('', 13)])
    onnx.checker.check_model(m, full_check=True)
    onnx.save(m, str(path))


ONNX_BUILDERS = {
    'qonnx_mlp': build_qonnx_mlp,
    'conv_pads': build_conv_pads,
    'positional_add': build_positional_add,
}
# Conv pads that are not Keras's 'same' split (ONNX Pad and Resize between convolutions are not
# cases: hls4ml 1.3.0 cannot convert them after QONNX's cleanup, see
# frontends/src/onnx/convert/resample.rs)
MODELS['onnx_conv2d_pads'] = dict(onnx_builder='conv_pads', input=[5, 6, 2], pads=[0, 1, 2, 0])
MODELS['onnx_positional_add'] = dict(onnx_builder='positional_add', input=[8, 4])

# QONNX BipolarQuant weights (binary +-1, scale 1): hls4ml's FuseBipolarQuantWithConstant types
# the constant XnorPrecisionType (ap_uint<1>, the 0/1 encoding) and its MatMul becomes a Dense
# with the weight_binary product; the Adds become ApplyAlpha layers (fixture and its check
# against QONNX's executor: scripts/make_qonnx_bipolar.py)
MODELS['qonnx_bipolar'] = dict(onnx='tests/fixtures/qonnx/bipolar_mlp.onnx')

CONFIGS = {
    'lat': dict(io_type='io_parallel', strategy='Latency', reuse=1),
    'lat_rf4': dict(io_type='io_parallel', strategy='Latency', reuse=4),
    'res_rf4': dict(io_type='io_parallel', strategy='Resource', reuse=4),  # RF <= n_in everywhere here
    'res_rf_gt': dict(io_type='io_parallel', strategy='Resource', reuse=0),  # 0: pick RF > n_in per model
    'stream': dict(io_type='io_stream', strategy='Latency', reuse=1),
    'stream_res': dict(io_type='io_stream', strategy='Resource', reuse=2),
    'vivado_lat': dict(io_type='io_parallel', strategy='Latency', reuse=1, backend='Vivado'),
    # config_from_keras_model(granularity='name'): accum/result types `auto`, inferred by hls4ml's
    # infer_precision pass (presynth: lower/src/passes/infer_precision.rs); presynth reads the
    # hls4ml_config.yml of hls4ml's project
    'name_lat': dict(io_type='io_parallel', strategy='Latency', reuse=1, granularity='name'),
    'name_stream': dict(io_type='io_stream', strategy='Latency', reuse=1, granularity='name'),
    # layer-level settings on the first Dense/Conv (hls4ml LayerName config; presynth --config)
    'layer_prec': dict(
        io_type='io_parallel',
        strategy='Resource',
        reuse=1,
        layer=dict(Precision=dict(weight='fixed<10,3>', result='fixed<12,4>', accum='fixed<20,8>'), ReuseFactor=2),
    ),
    # Resource with RF 3: the recurrent harness models' products all get a kernel whose
    # assertions hold (with RF 4, hls4ml 1.3.0's projects for lstm_seq_gru and bilstm abort in
    # C simulation; presynth refuses those, hls-codegen/src/lower/recurrent.rs tests)
    'res_rf3': dict(io_type='io_parallel', strategy='Resource', reuse=3),
    # per-layer types of a recurrent layer's four weight arrays (the first recurrent layer;
    # an LSTM's result and accum must stay its input's type: with others hls4ml 1.3.0's project
    # does not compile, and presynth refuses it)
    'rnn_prec': dict(
        io_type='io_parallel',
        strategy='Latency',
        reuse=1,
        layer=dict(
            Precision=dict(
                weight='fixed<10,3>',
                recurrent_weight='fixed<9,2>',
                bias='fixed<12,4>',
                recurrent_bias='fixed<8,3>',
            )
        ),
    ),
    'bidi_prec': dict(
        io_type='io_parallel',
        strategy='Latency',
        reuse=1,
        layer=dict(
            Precision=dict(
                forward_weight='fixed<10,3>',
                forward_recurrent_weight='fixed<9,2>',
                backward_weight='fixed<11,3>',
                backward_recurrent_bias='fixed<8,3>',
                result='fixed<14,5>',
            )
        ),
    ),
    # hls4ml's Static: False for the first recurrent layer (nnet::lstm/gru, lstm_class)
    'nonstatic': dict(io_type='io_parallel', strategy='Latency', reuse=1, layer=dict(Static=False)),
}

# model -> configs that run for it (>= 20 combinations in total)
CASES = [
    ('mlp2_relu_softmax', ['lat', 'res_rf4', 'res_rf_gt', 'stream', 'vivado_lat', 'name_lat']),
    ('mlp3_tanh_sigmoid', ['lat', 'res_rf4', 'res_rf_gt', 'stream', 'layer_prec']),
    ('mlp4_relu', ['lat', 'res_rf_gt', 'stream_res']),
    ('mlp7_mixed', ['lat', 'res_rf4']),
    ('mlp_sep_act', ['lat', 'stream']),
    ('mlp_table_acts', ['lat', 'stream']),
    ('dense_bn', ['res_rf4', 'stream']),
    ('conv1d_pool', ['lat', 'res_rf4', 'stream', 'layer_prec', 'name_stream']),
    ('conv2d_pool', ['lat', 'res_rf4', 'stream', 'vivado_lat', 'name_lat', 'name_stream']),
    ('conv2d_bn', ['lat', 'stream']),
    ('conv2d_same_stride', ['lat', 'stream']),
    ('conv1d_same', ['lat', 'stream']),
    ('conv2d_same_bn', ['lat', 'stream']),
    ('pointwise1d', ['lat', 'stream', 'res_rf4']),
    ('pointwise2d', ['lat', 'stream', 'res_rf4']),
    ('dense_positions', ['lat', 'stream']),
    ('dense_positions2d', ['lat', 'stream']),
    ('conv1d_gap', ['lat', 'stream']),
    ('avgpool1d_gap2d_1d', ['lat', 'stream']),
    ('avgpool1d_gap2d_2d', ['lat', 'stream']),
    ('branch_add', ['lat', 'stream', 'name_lat']),
    ('merge_ops', ['lat', 'stream', 'name_lat', 'name_stream']),
    ('branch_concat', ['res_rf4', 'stream', 'name_lat', 'name_stream']),
    ('einsum_layernorm', ['lat', 'vivado_lat']),
    ('embedding_seq', ['lat']),
    ('softmax_positions', ['lat']),
    ('onnx_two_layer_keras', ['lat', 'res_rf4']),
    ('onnx_three_layer_keras', ['lat', 'stream']),
    ('onnx_three_layer_pytorch', ['lat', 'res_rf4']),
    ('onnx_conv1d_small_keras', ['lat', 'res_rf4']),
    ('qonnx_mlp', ['lat', 'res_rf4']),
    ('zeropad2d_up2d', ['lat', 'stream']),
    ('crop2d', ['lat', 'stream']),
    ('seq1d_pad_crop_up', ['lat', 'stream']),
    ('depthwise2d', ['lat', 'stream']),
    ('separable2d', ['lat', 'stream']),
    ('mlp_relu_forms', ['lat', 'stream']),
    ('onnx_conv2d_pads', ['lat', 'stream']),
    ('onnx_positional_add', ['lat', 'stream']),
    # granularity='name': result types `auto`, so hls4ml folds the BatchNormalization into the
    # Dense/Conv before it (fuse_batch_normalization; presynth: the lowering pass of that name)
    ('dense_bn', ['name_lat', 'name_stream']),
    ('conv2d_bn', ['name_lat', 'name_stream']),
    ('lstm_last', ['lat', 'res_rf4', 'stream', 'vivado_lat', 'nonstatic']),
    ('lstm_seq_gru', ['lat', 'res_rf3', 'stream', 'stream_res', 'name_lat', 'name_stream', 'rnn_prec']),
    ('gru_seq', ['lat', 'stream', 'rnn_prec', 'nonstatic']),
    ('bilstm', ['lat', 'res_rf3', 'name_lat', 'bidi_prec', 'nonstatic']),
    ('bilstm_seq', ['lat']),
    ('bigru', ['lat']),
    ('prelu', ['lat', 'stream']),
    ('prelu_conv1d', ['lat', 'stream']),
    ('permute2d', ['lat', 'stream']),
    ('permute3d', ['lat', 'stream']),
    ('dot1d', ['lat']),
    ('depthwise1d', ['lat', 'stream', 'name_lat']),
    ('separable1d', ['lat', 'stream']),
    # hls4ml's separable halves get their own config entries under granularity='name', so their
    # weight types are <layer>_depthwise_weight_t / <layer>_pointwise_weight_t
    ('separable1d', ['name_lat', 'name_stream']),
    ('separable2d', ['name_lat', 'name_stream']),
    ('gmp1d_reshape', ['lat', 'stream']),
    ('gmp2d_reshape', ['lat', 'stream']),
    ('qonnx_bipolar', ['lat', 'stream', 'res_rf4']),
]


def is_onnx(model_name):
    return 'onnx' in MODELS[model_name] or 'onnx_builder' in MODELS[model_name]


def model_file(model_name):
    return 'model.onnx' if is_onnx(model_name) else 'model.keras'


def first_weighted_layer(model_name):
    weighted = ('Dense', 'Conv1D', 'Conv2D', 'LSTM', 'GRU', 'Bidirectional')
    return next(ld['name'] for ld in MODELS[model_name]['layers'] if ld['type'] in weighted)


def case_settings(model_name, config_name):
    cfg = dict(CONFIGS[config_name])
    if 'layer' in cfg:
        cfg['layer'] = {first_weighted_layer(model_name): cfg['layer']}
    if cfg['reuse'] == 0:
        # RF > n_in for the first Dense: n_in of the model input times 2 (hls4ml picks the
        # closest valid value per layer, presynth must agree)
        spec = MODELS[model_name]
        assert 'input' in spec, 'res_rf_gt needs a Keras case'
        n_in = 1
        for d in spec['input']:
            n_in *= d
        cfg['reuse'] = 2 * n_in
    return cfg


# ---------------------------------------------------------------------------------------------
# The shared C++ driver: reads one sample per line, prints each output as an exact decimal.
# ---------------------------------------------------------------------------------------------

HARNESS_TB = r"""
#include <cstdio>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>
#include PROJECT_HEADER

namespace nnet {
bool trace_enabled = false;
std::map<std::string, void *> *trace_outputs = NULL;
size_t trace_type_size = sizeof(double);
} // namespace nnet

// Every ap_fixed here is at most 53 bits wide, so its double is exact and %.17g prints it
// uniquely: equal strings <=> equal fixed-point values.
template <class T> static void put(const T &v) { std::printf("%.17g ", v.to_double()); }

int main(int argc, char **argv) {
    std::ifstream fin(argv[1]);
    std::string line;
    while (std::getline(fin, line)) {
        std::istringstream ss(line);
        std::vector<double> v;
        double d;
        while (ss >> d)
            v.push_back(d);
#ifdef IO_STREAM
        hls::stream<input_t> sin("sin");
        hls::stream<result_t> sout("sout");
        for (unsigned i = 0; i < NIN / input_t::size; i++) {
            input_t a;
            for (unsigned j = 0; j < input_t::size; j++)
                a[j] = v[i * input_t::size + j];
            sin.write(a);
        }
        PROJECT(sin, sout);
        for (unsigned i = 0; i < NOUT / result_t::size; i++) {
            result_t a = sout.read();
            for (unsigned j = 0; j < result_t::size; j++)
                put(a[j]);
        }
#else
        input_t x[NIN];
        result_t y[NOUT];
        for (unsigned i = 0; i < NIN; i++)
            x[i] = v[i];
        PROJECT(x, y);
        for (unsigned i = 0; i < NOUT; i++)
            put(y[i]);
#endif
        std::printf("\n");
    }
    return 0;
}
"""

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent


def sha(obj):
    return hashlib.sha256(json.dumps(obj, sort_keys=True).encode()).hexdigest()[:16]


def hls4ml_version():
    # read without importing hls4ml (import is slow): the dist-info directory name
    import importlib.metadata as md

    try:
        return md.version('hls4ml')
    except md.PackageNotFoundError:
        return None


# ---------------------------------------------------------------------------------------------
# Keras model building (imported lazily: keras/jax imports take ~1 s)
# ---------------------------------------------------------------------------------------------


def build_keras(spec, seed):
    import keras
    import numpy as np

    rng = np.random.default_rng(seed)
    layers = {}
    inp = keras.Input(shape=tuple(spec['input']), name='input_layer')
    layers['input_layer'] = inp
    prev = inp
    for ld in spec['layers']:
        src = ld.get('in')
        if src is None:
            x_in = prev
        elif isinstance(src, list):
            x_in = [layers[s] for s in src]
        else:
            x_in = layers[src]
        t = ld['type']
        n = ld['name']
        if t == 'Dense':
            lay = keras.layers.Dense(ld['units'], activation=ld['activation'], name=n)
        elif t == 'Activation':
            lay = keras.layers.Activation(ld['activation'], name=n)
        elif t == 'ELU':
            lay = keras.layers.ELU(alpha=ld['alpha'], name=n)
        elif t == 'LeakyReLU':
            lay = keras.layers.LeakyReLU(negative_slope=ld['negative_slope'], name=n)
        elif t == 'ReLU':
            kw = {k: ld[k] for k in ('max_value', 'threshold', 'negative_slope') if k in ld}
            lay = keras.layers.ReLU(name=n, **kw)
        elif t == 'PReLU':
            lay = keras.layers.PReLU(name=n)
        elif t == 'Dropout':
            lay = keras.layers.Dropout(ld['rate'], name=n)
        elif t == 'Conv1D':
            lay = keras.layers.Conv1D(
                ld['filters'],
                ld['kernel_size'],
                strides=ld.get('strides', 1),
                padding=ld.get('padding', 'valid'),
                activation=ld['activation'],
                name=n,
            )
        elif t == 'Conv2D':
            lay = keras.layers.Conv2D(
                ld['filters'],
                tuple(ld['kernel_size']),
                strides=tuple(ld.get('strides', [1, 1])),
                padding=ld.get('padding', 'valid'),
                activation=ld['activation'],
                name=n,
            )
        elif t in ('DepthwiseConv1D', 'DepthwiseConv2D'):
            lay = getattr(keras.layers, t)(
                tuple(ld['kernel_size']),
                strides=tuple(ld.get('strides', [1] * len(ld['kernel_size']))),
                padding=ld.get('padding', 'valid'),
                depth_multiplier=ld.get('depth_multiplier', 1),
                activation=ld['activation'],
                name=n,
            )
        elif t in ('SeparableConv1D', 'SeparableConv2D'):
            lay = getattr(keras.layers, t)(
                ld['filters'],
                tuple(ld['kernel_size']),
                strides=tuple(ld.get('strides', [1] * len(ld['kernel_size']))),
                padding=ld.get('padding', 'valid'),
                depth_multiplier=ld.get('depth_multiplier', 1),
                activation=ld['activation'],
                name=n,
            )
        elif t == 'Dot':
            lay = keras.layers.Dot(axes=ld['axes'], name=n)
        elif t == 'Permute':
            lay = keras.layers.Permute(tuple(ld['dims']), name=n)
        elif t in ('GlobalAveragePooling1D', 'GlobalAveragePooling2D'):
            lay = getattr(keras.layers, t)(name=n)
        elif t == 'AveragePooling1D':
            lay = keras.layers.AveragePooling1D(ld['pool_size'], name=n)
        elif t in ('GlobalMaxPooling1D', 'GlobalMaxPooling2D'):
            lay = getattr(keras.layers, t)(name=n)
        elif t == 'Reshape':
            lay = keras.layers.Reshape(tuple(ld['target_shape']), name=n)
        elif t == 'MaxPooling1D':
            lay = keras.layers.MaxPooling1D(ld['pool_size'], name=n)
        elif t == 'MaxPooling2D':
            lay = keras.layers.MaxPooling2D(tuple(ld['pool_size']), name=n)
        elif t == 'AveragePooling2D':
            lay = keras.layers.AveragePooling2D(tuple(ld['pool_size']), name=n)
        elif t == 'BatchNormalization':
            lay = keras.layers.BatchNormalization(name=n)
        elif t == 'Flatten':
            lay = keras.layers.Flatten(name=n)
        elif t == 'ZeroPadding1D':
            lay = keras.layers.ZeroPadding1D(tuple(ld['padding']), name=n)
        elif t == 'ZeroPadding2D':
            lay = keras.layers.ZeroPadding2D(tuple(tuple(p) for p in ld['padding']), name=n)
        elif t == 'Cropping1D':
            lay = keras.layers.Cropping1D(tuple(ld['cropping']), name=n)
        elif t == 'Cropping2D':
            lay = keras.layers.Cropping2D(tuple(tuple(p) for p in ld['cropping']), name=n)
        elif t == 'UpSampling1D':
            lay = keras.layers.UpSampling1D(ld['size'], name=n)
        elif t == 'UpSampling2D':
            lay = keras.layers.UpSampling2D(tuple(ld['size']), name=n)
        elif t in ('Add', 'Subtract', 'Multiply', 'Average', 'Maximum', 'Minimum'):
            lay = getattr(keras.layers, t)(name=n)
        elif t == 'Softmax':
            lay = keras.layers.Softmax(name=n)
        elif t == 'EinsumDense':
            lay = keras.layers.EinsumDense(
                ld['equation'],
                output_shape=tuple(ld['output_shape']),
                bias_axes=ld['bias_axes'],
                activation=ld.get('activation'),
                name=n,
            )
        elif t == 'LayerNormalization':
            lay = keras.layers.LayerNormalization(axis=ld['axis'], epsilon=ld.get('epsilon', 1e-3), name=n)
        elif t == 'Embedding':
            lay = keras.layers.Embedding(ld['input_dim'], ld['output_dim'], name=n)
        elif t == 'Concatenate':
            lay = keras.layers.Concatenate(name=n)
        elif t in ('LSTM', 'GRU'):
            lay = recurrent_layer(keras, ld, n)
        elif t == 'Bidirectional':
            lay = keras.layers.Bidirectional(recurrent_layer(keras, ld['layer'], ld['layer']['name']), name=n)
        else:
            raise ValueError(f'unknown layer type {t}')
        out = lay(x_in)
        layers[n] = out
        prev = out
    model = keras.Model(inp, prev, name='m')
    prune_of = {ld['name']: ld.get('prune', 0.0) for ld in spec['layers']}
    # seeded weights: kernels/biases uniform in +-1/sqrt(fan_in)*1.5; BN statistics in sane ranges
    for lay in model.layers:
        ws = lay.get_weights()
        if not ws:
            continue
        new = []
        if isinstance(lay, keras.layers.BatchNormalization):
            gamma, beta, mean, var = ws
            new = [
                rng.uniform(0.5, 1.5, gamma.shape),
                rng.uniform(-0.5, 0.5, beta.shape),
                rng.uniform(-0.5, 0.5, mean.shape),
                rng.uniform(0.5, 1.5, var.shape),
            ]
        else:
            for w in ws:
                fan_in = int(np.prod(w.shape[:-1])) if w.ndim > 1 else 4
                lim = 1.5 / np.sqrt(fan_in)
                new.append(rng.uniform(-lim, lim, w.shape))
            prune = prune_of.get(lay.name, 0.0)
            if prune:
                new[0] = np.where(rng.uniform(0, 1, new[0].shape) < prune, 0.0, new[0])
        lay.set_weights([np.asarray(a, dtype='float32') for a in new])
    return model


def recurrent_layer(keras, ld, n):
    return getattr(keras.layers, ld['type'])(
        ld['units'], return_sequences=ld.get('return_sequences', False), use_bias=ld.get('use_bias', True), name=n
    )


def patch_keras3_separable():
    """hls4ml 1.3.0's Keras 3 ConvHandler reads ``layer.kernel`` of every convolution, which a
    Keras 3 SeparableConv1D/2D does not have (its kernels are ``depthwise_kernel`` and
    ``pointwise_kernel``): conversion fails with AttributeError. The handler then uses that
    value as ``depthwise_data``, as hls4ml's tf.keras converter (converters/keras/convolution.py)
    reads ``depthwise_kernel``; so the reference gets the depthwise kernel under that name, and
    the project is what hls4ml writes for the same layer from tf.keras."""
    from keras.src.layers.convolutional.base_separable_conv import BaseSeparableConv

    if not hasattr(BaseSeparableConv, 'kernel'):
        BaseSeparableConv.kernel = property(lambda self: self.depthwise_kernel)


def hls4ml_settings(model, settings):
    import hls4ml

    patch_keras3_separable()

    cfg = hls4ml.utils.config_from_keras_model(
        model, granularity=settings.get('granularity', 'model'), backend=settings.get('backend', 'Vitis')
    )
    cfg['Model']['Strategy'] = settings['strategy']
    cfg['Model']['ReuseFactor'] = settings['reuse']
    if settings.get('layer'):
        cfg['LayerName'] = settings['layer']
    return cfg


def write_inputs(path, model, seed, vocab=None):
    if vocab:
        return write_int_inputs(path, model.input_shape[1:], seed, vocab)
    return write_inputs_shape(path, model.input_shape[1:], seed)


def write_int_inputs(path, shape, seed, vocab):
    """Token inputs of an Embedding: integers uniform in [0, vocab)."""
    import numpy as np

    rng = np.random.default_rng(seed + 1000)
    x = rng.integers(0, vocab, (N_SAMPLES,) + tuple(shape))
    flat = x.reshape(N_SAMPLES, -1)
    with open(path, 'w') as f:
        for row in flat:
            f.write(' '.join(str(int(v)) for v in row) + '\n')
    return flat.shape[1]


def compile_and_run(project_dir, io_type, n_in, n_out, inputs, project='myproject', tb_text=HARNESS_TB):
    """Compile the project's firmware with the shared driver (or `tb_text`) and run it; returns
    stdout text."""
    project_dir = Path(project_dir).resolve()
    tb = project_dir / 'harness_tb.cpp'
    tb.write_text(tb_text)
    exe = project_dir / 'harness_tb'
    cmd = [
        'g++',
        *CXXFLAGS,
        f'-I{project_dir}/firmware/ap_types',
        f'-I{project_dir}/firmware',
        f'-I{project_dir}',
        f'-DWEIGHTS_DIR="{project_dir}/firmware/weights"',
        f'-DPROJECT_HEADER="firmware/{project}.h"',
        f'-DPROJECT={project}',
        f'-DNIN={n_in}',
        f'-DNOUT={n_out}',
        *(['-DIO_STREAM'] if io_type == 'io_stream' else []),
        str(project_dir / 'firmware' / f'{project}.cpp'),
        str(tb),
        '-o',
        str(exe),
    ]
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode != 0:
        raise RuntimeError(f'g++ failed in {project_dir}:\n{r.stderr[-3000:]}')
    r = subprocess.run([str(exe), str(inputs)], capture_output=True, text=True, timeout=300)
    if r.returncode != 0:
        raise RuntimeError(f'testbench failed in {project_dir}:\n{r.stderr[-3000:]}')
    exe.unlink()
    return r.stdout


def qonnx_clean(path):
    """The preprocessing hls4ml's documentation asks for before convert_from_onnx_model."""
    from qonnx.core.modelwrapper import ModelWrapper
    from qonnx.transformation.channels_last import ConvertToChannelsLastAndClean
    from qonnx.transformation.gemm_to_matmul import GemmToMatMul
    from qonnx.util.cleanup import cleanup_model

    m = cleanup_model(ModelWrapper(str(path)))
    m = m.transform(ConvertToChannelsLastAndClean())
    m = m.transform(GemmToMatMul())
    return cleanup_model(m)


def write_inputs_shape(path, shape, seed):
    import numpy as np

    rng = np.random.default_rng(seed + 1000)
    x = rng.uniform(-3.0, 3.0, (N_SAMPLES,) + tuple(shape)).astype('float32')
    flat = x.reshape(N_SAMPLES, -1)
    with open(path, 'w') as f:
        for row in flat:
            f.write(' '.join(repr(float(v)) for v in row) + '\n')
    return flat.shape[1]


def make_onnx_reference(case_dir, model_name, settings, seed):
    import hls4ml
    import numpy as np

    spec = MODELS[model_name]
    if 'onnx_builder' in spec:
        ONNX_BUILDERS[spec['onnx_builder']](case_dir / 'model.onnx', spec, seed)
    else:
        shutil.copyfile(ROOT / spec['onnx'], case_dir / 'model.onnx')
    m = qonnx_clean(case_dir / 'model.onnx')
    in_shape = m.get_tensor_shape(m.graph.input[0].name)[1:]
    out_shape = m.get_tensor_shape(m.graph.output[0].name)[1:]
    n_in = write_inputs_shape(case_dir / 'inputs.dat', in_shape, seed)
    n_out = int(np.prod(out_shape))
    cfg = hls4ml.utils.config_from_onnx_model(m, granularity='model', backend=settings.get('backend', 'Vitis'))
    cfg['Model']['Strategy'] = settings['strategy']
    cfg['Model']['ReuseFactor'] = settings['reuse']
    hmodel = hls4ml.converters.convert_from_onnx_model(
        m,
        output_dir=str(case_dir / 'hls4ml'),
        backend=settings.get('backend', 'Vitis'),
        io_type=settings['io_type'],
        hls_config=cfg,
    )
    hmodel.write()
    return n_in, n_out


def make_reference(case_dir, model_name, config_name, key):
    """Build model + hls4ml project + reference outputs (cached by key)."""
    case_dir = Path(case_dir)
    meta_path = case_dir / 'reference.json'
    if meta_path.exists():
        meta = json.loads(meta_path.read_text())
        if meta.get('key') == key and (case_dir / 'hls4ml_outputs.txt').exists():
            return meta, True
    import hls4ml

    if case_dir.exists():
        shutil.rmtree(case_dir)
    case_dir.mkdir(parents=True)
    spec = MODELS[model_name]
    settings = case_settings(model_name, config_name)
    seed = int(hashlib.sha256(model_name.encode()).hexdigest()[:8], 16)
    if is_onnx(model_name):
        n_in, n_out = make_onnx_reference(case_dir, model_name, settings, seed)
        out = compile_and_run(case_dir / 'hls4ml', settings['io_type'], n_in, n_out, case_dir / 'inputs.dat')
        (case_dir / 'hls4ml_outputs.txt').write_text(out)
        meta = dict(key=key, n_in=n_in, n_out=n_out, settings=settings)
        meta_path.write_text(json.dumps(meta, indent=1))
        return meta, False
    model = build_keras(spec, seed)
    model.save(case_dir / 'model.keras')
    n_in = write_inputs(case_dir / 'inputs.dat', model, seed, spec.get('int_inputs'))
    n_out = int(__import__('numpy').prod(model.output_shape[1:]))
    cfg = hls4ml_settings(model, settings)
    hmodel = hls4ml.converters.convert_from_keras_model(
        model,
        output_dir=str(case_dir / 'hls4ml'),
        backend=settings.get('backend', 'Vitis'),
        io_type=settings['io_type'],
        hls_config=cfg,
    )
    hmodel.write()
    out = compile_and_run(case_dir / 'hls4ml', settings['io_type'], n_in, n_out, case_dir / 'inputs.dat')
    (case_dir / 'hls4ml_outputs.txt').write_text(out)
    meta = dict(key=key, n_in=n_in, n_out=n_out, settings=settings)
    meta_path.write_text(json.dumps(meta, indent=1))
    return meta, False


# ---------------------------------------------------------------------------------------------
# Text comparison
# ---------------------------------------------------------------------------------------------


def normalise(text):
    lines = []
    for ln in text.splitlines():
        s = ' '.join(ln.split())
        if not s:
            continue
        if re.search(r'(Date|Time|timestamp|Stamp|LIB_STAMP=)', s) or re.match(r'^//\s*(Date|Version)', s):
            continue
        lines.append(s)
    return lines


def defines_typedefs(text):
    return [ln for ln in normalise(text) if ln.startswith('typedef')]


def parameters_structs(text):
    out = []
    inside = False
    for ln in normalise(text):
        if ln.startswith('struct '):
            inside = True
        if inside or ln.startswith('#include'):
            out.append(ln)
        if ln == '};':
            inside = False
    return out


COMPARED_FILES = [
    ('firmware/defines.h', defines_typedefs),
    ('firmware/parameters.h', parameters_structs),
    ('firmware/myproject.cpp', normalise),
    ('firmware/myproject.h', normalise),
    ('myproject_test.cpp', normalise),
    ('myproject_bridge.cpp', normalise),
    ('build_lib.sh', normalise),
    ('project.tcl', normalise),
    ('firmware/nnet_utils/nnet_code_gen.h', normalise),
]


def file_list(d):
    skip = {'harness_tb.cpp', 'harness_tb'}
    return sorted(str(p.relative_to(d)) for p in Path(d).rglob('*') if p.is_file() and p.name not in skip)


def compare_texts(a_dir, b_dir):
    """List of (file, first differing line pair) for files that differ (weights included),
    plus the project file lists (nnet_utils/, ap_types/, scripts)."""
    diffs = []
    fa, fb = file_list(a_dir), file_list(b_dir)
    if fa != fb:
        only_a = sorted(set(fa) - set(fb))[:5]
        only_b = sorted(set(fb) - set(fa))[:5]
        diffs.append(('<file list>', f'only in hls4ml: {only_a}; only in presynth: {only_b}'))
    files = list(COMPARED_FILES)
    for w in sorted((Path(a_dir) / 'firmware' / 'weights').glob('*')):
        files.append((f'firmware/weights/{w.name}', normalise))
    for rel, fn in files:
        pa, pb = Path(a_dir) / rel, Path(b_dir) / rel
        if not pb.exists():
            diffs.append((rel, 'missing in presynth project'))
            continue
        la, lb = fn(pa.read_text()), fn(pb.read_text())
        if la != lb:
            for i in range(max(len(la), len(lb))):
                x = la[i] if i < len(la) else '<end>'
                y = lb[i] if i < len(lb) else '<end>'
                if x != y:
                    diffs.append((rel, f'line {i + 1}: hls4ml `{x}` vs presynth `{y}`'))
                    break
    return diffs


def run_presynth(presynth, case_dir, settings, model='model.keras'):
    case_dir = Path(case_dir)
    out = case_dir / 'presynth'
    if out.exists():
        shutil.rmtree(out)
    cmd = [
        str(presynth),
        'codegen',
        str(case_dir / model),
        '-o',
        str(out),
        '--backend',
        settings.get('backend', 'Vitis'),
        '--io-type',
        settings['io_type'],
        '--strategy',
        settings['strategy'],
        '--reuse-factor',
        str(settings['reuse']),
        '--precision',
        'ap_fixed<16,6>',
    ]
    if settings.get('granularity') == 'name':
        cmd += ['--config', str(case_dir / 'hls4ml' / 'hls4ml_config.yml')]
    elif settings.get('layer'):
        import yaml

        cfg_file = case_dir / 'presynth_config.yml'
        cfg_file.write_text(yaml.safe_dump({'HLSConfig': {'LayerName': settings['layer']}}))
        cmd += ['--config', str(cfg_file)]
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode != 0:
        raise RuntimeError(f'presynth codegen failed: {" ".join(cmd)}\n{r.stderr[-3000:]}')
    return out, r.stderr


def firmware_hash(project_dir):
    h = hashlib.sha256()
    fw = Path(project_dir) / 'firmware'
    for p in sorted(fw.rglob('*')):
        if p.is_file() and 'ap_types' not in p.parts:
            h.update(str(p.relative_to(fw)).encode())
            h.update(p.read_bytes())
    h.update(HARNESS_TB.encode())
    h.update(' '.join(CXXFLAGS).encode())
    return h.hexdigest()[:16]


def run_case(args_tuple):
    model_name, config_name, out_root, presynth = args_tuple
    case = f'{model_name}__{config_name}'
    case_dir = Path(out_root) / case
    settings = case_settings(model_name, config_name)
    key = sha(
        dict(
            v=REFERENCE_VERSION,
            spec=MODELS[model_name],
            settings=settings,
            hls4ml=hls4ml_version(),
            tb=HARNESS_TB,
            cxx=CXXFLAGS,
            n=N_SAMPLES,
        )
    )
    if 'onnx' in MODELS[model_name]:
        key = sha(dict(key=key, model=hashlib.sha256((ROOT / MODELS[model_name]['onnx']).read_bytes()).hexdigest()))
    res = dict(case=case, model=model_name, config=config_name, cached=False)
    t0 = time.time()
    try:
        meta, cached = make_reference(case_dir, model_name, config_name, key)
        res['cached'] = cached
        res['ref'] = 'cached' if cached else 'built'
        if presynth is None:
            res['status'] = 'reference'
            return res
        pdir, warnings = run_presynth(presynth, case_dir, settings, model_file(model_name))
        res['warnings'] = [w for w in warnings.splitlines() if 'warning' in w.lower()]
        fh = firmware_hash(pdir)
        cache = case_dir / f'presynth_outputs.{fh}.txt'
        res['build'] = 'cached' if cache.exists() else 'compiled'
        if cache.exists():
            pout = cache.read_text()
        else:
            for old in case_dir.glob('presynth_outputs.*.txt'):
                old.unlink()
            pout = compile_and_run(pdir, settings['io_type'], meta['n_in'], meta['n_out'], case_dir / 'inputs.dat')
            cache.write_text(pout)
        ref = (case_dir / 'hls4ml_outputs.txt').read_text()
        res['identical'] = pout == ref
        if not res['identical']:
            rl, pl = ref.splitlines(), pout.splitlines()
            bad = [i for i in range(max(len(rl), len(pl))) if (rl[i:i + 1] != pl[i:i + 1])]
            res['first_diff'] = (
                f'sample {bad[0]}: hls4ml [{rl[bad[0]][:120] if bad[0] < len(rl) else ""}] '
                f'presynth [{pl[bad[0]][:120] if bad[0] < len(pl) else ""}]; {len(bad)}/{len(rl)} samples differ'
            )
        res['text_diffs'] = compare_texts(case_dir / 'hls4ml', pdir)
        if is_onnx(model_name):
            # see the module note: the ONNX flow's layer list differs by design
            res['text_info'] = res.pop('text_diffs')
            res['text_diffs'] = []
        res['status'] = 'ok'
    except Exception as e:  # noqa: BLE001 - report per case, keep going
        res['status'] = 'error'
        res['error'] = str(e)
    res['seconds'] = round(time.time() - t0, 1)
    return res


def export_models(out_dir, names):
    """The architectures of the harness's Keras models (seeded weights left out), for tests that
    check presynth's view of the same networks without Python (estimator/tests/lowered_layers.rs)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    for name in names:
        seed = int(hashlib.sha256(name.encode()).hexdigest()[:8], 16)
        model = build_keras(MODELS[name], seed)
        cfg = json.loads(model.to_json())
        (out_dir / f'{name}.json').write_text(json.dumps(cfg, indent=1, sort_keys=True) + '\n')
        print(f'{out_dir / name}.json')
    return 0


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--out', default=str(ROOT / 'target' / 'hls4ml-ref'))
    ap.add_argument('--presynth', help='path of the presynth binary (omit with --reference-only)')
    ap.add_argument('--jobs', type=int, default=2)
    ap.add_argument('--cases', default='', help='substring filter on <model>__<config>')
    ap.add_argument('--list', action='store_true')
    ap.add_argument('--reference-only', action='store_true')
    ap.add_argument('--json', help='also write the results as JSON to this file')
    ap.add_argument(
        '--export-models',
        metavar='DIR',
        help='write each Keras model of the cases as DIR/<model>.json (architecture only) and exit',
    )
    args = ap.parse_args()

    cases = [(m, c) for m, cs in CASES for c in cs if args.cases in f'{m}__{c}']
    if args.list:
        for m, c in cases:
            print(f'{m}__{c}')
        return 0
    if args.export_models:
        return export_models(Path(args.export_models), sorted({m for m, _ in cases if not is_onnx(m)}))
    if hls4ml_version() != '1.3.0':
        print(f'error: hls4ml 1.3.0 is required, found {hls4ml_version()} (run scripts/setup-python.sh)')
        return 2
    if shutil.which('g++') is None:
        print('error: g++ not found')
        return 2
    if any(is_onnx(m) for m, _ in cases):
        import importlib.util

        missing = [p for p in ('onnx', 'qonnx') if importlib.util.find_spec(p) is None]
        if missing:
            print(f'error: python packages {missing} are missing for the ONNX cases (run scripts/setup-python.sh)')
            return 2
    presynth = None if args.reference_only else args.presynth
    if not args.reference_only and not presynth:
        print('error: --presynth BIN is required (or --reference-only)')
        return 2
    Path(args.out).mkdir(parents=True, exist_ok=True)
    t0 = time.time()
    work = [(m, c, args.out, presynth) for m, c in cases]
    with cf.ProcessPoolExecutor(max_workers=max(1, args.jobs)) as ex:
        results = list(ex.map(run_case, work))

    failed = 0
    rows = []
    for r in results:
        if r['status'] == 'reference':
            verdict = 'reference built'
        elif r['status'] == 'error':
            verdict = 'ERROR'
            failed += 1
        else:
            ok = r['identical']
            verdict = 'identical' if ok else 'DIFFERENT'
            texts = 'same' if not r['text_diffs'] else f'{len(r["text_diffs"])} file(s) differ'
            if r.get('text_info'):
                texts = f'{len(r["text_info"])} file(s) differ (ONNX: not compared)'
            if not ok or r['text_diffs']:
                failed += 1
            verdict = f'{verdict:<10} | text {texts}'
        rows.append(
            (
                r['model'],
                r['config'],
                verdict,
                f'ref {r.get("ref", "-")}, presynth {r.get("build", "-")}, {r.get("seconds", 0)} s',
            )
        )
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
            if not r['identical']:
                print(f'\n[{r["case"]}] outputs differ: {r["first_diff"]}')
            for f, d in r['text_diffs']:
                print(f'[{r["case"]}] {f}: {d}')
            for f, d in r.get('text_info', [])[:3]:
                print(f'[{r["case"]}] (not compared) {f}: {d}')
            for w in r.get('warnings', []):
                print(f'[{r["case"]}] presynth: {w}')
    n_ok = sum(1 for r in results if r['status'] == 'ok' and r['identical'])
    print(f'\n{n_ok}/{len(results)} bit-identical, {failed} failing, {time.time() - t0:.0f} s')
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1))
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
