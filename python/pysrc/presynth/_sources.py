"""Turn the models and configs users pass into the tagged tuples the native module reads.

A model is:
- a ``pathlib.Path`` (or any ``os.PathLike``): a model file or hls4ml project, any format the
  ``presynth`` command line reads (.json with its weights beside it or ``weights=``, .keras,
  .h5, .onnx, .psn, an hls4ml project directory or its hls4ml_config.yml);
- a ``str``: presynth DSL text (docs/dsl.md) when it holds a newline or ``->``, or when no
  file of that name exists and it starts like DSL (``input(``, ``network``, ``#``); else a
  path. Pass a ``pathlib.Path`` to force a path;
- an in-memory Keras 3 model: its ``to_json()`` and the weights of each layer as Keras saves
  them (``layer.save_own_variables``), converted to float32 in memory; no file is written.

A config is a path (hls4ml config YAML) or the dict hls4ml's ``config_from_keras_model``
returns (serialised as JSON, which the hls4ml YAML reader reads).
"""

import json
import os

_DSL_STARTS = ("network", "input", "#", "config")


def _looks_like_dsl(text):
    t = text.lstrip()
    return "\n" in text or "->" in text or t.startswith(_DSL_STARTS)


def _is_keras_model(obj):
    return hasattr(obj, "to_json") and hasattr(obj, "layers") and hasattr(obj, "get_weights")


def _keras_weights(model):
    import numpy as np

    layers = []
    for layer in model.layers:
        store = {}
        layer.save_own_variables(store)
        arrays = []
        for i in range(len(store)):
            v = store[str(i)]
            v = v.numpy() if hasattr(v, "numpy") else v  # Keras variables: no __array__ warning
            a = np.ascontiguousarray(np.asarray(v), dtype=np.float32)
            arrays.append((list(a.shape), a.tobytes()))
        if arrays:
            layers.append((layer.name, arrays))
    return layers


def model_source(model, weights=None):
    """The tagged tuple of one model (see the module docstring)."""
    if isinstance(model, os.PathLike):
        return ("path", os.fspath(model), _path_or_none(weights))
    if isinstance(model, str):
        # Text with a newline or an arrow is DSL without asking the file system (estimate_many
        # passes thousands of candidates); other text is a path unless no such file exists
        # and it looks like DSL.
        dsl = "\n" in model or "->" in model
        if not dsl and (os.path.exists(model) or not _looks_like_dsl(model)):
            return ("path", model, _path_or_none(weights))
        if weights is not None:
            raise ValueError("weights= applies to Keras .json model files, not to DSL text")
        return ("dsl", model)
    if _is_keras_model(model):
        if weights is not None:
            raise ValueError("weights= applies to Keras .json model files; an in-memory Keras model carries its own")
        name = getattr(model, "name", "model")
        return ("keras", model.to_json(), f"<in-memory Keras model '{name}'>", _keras_weights(model))
    raise TypeError(
        "model: expected a path, DSL text or a Keras 3 model, got " + type(model).__name__
    )


def _path_or_none(p):
    return None if p is None else os.fspath(p)


def _jsonable(v):
    # numpy scalars and other number-likes in hls4ml config dicts
    for cast in (int, float):
        try:
            if cast(v) == v:
                return cast(v)
        except (TypeError, ValueError):
            pass
    return str(v)


def config_source(config):
    """The tagged tuple of a config, or None."""
    if config is None:
        return None
    if isinstance(config, (str, os.PathLike)):
        return ("path", os.fspath(config))
    if isinstance(config, dict):
        return ("text", json.dumps(config, default=_jsonable))
    raise TypeError(
        "config: expected a path or the dict of hls4ml's config_from_keras_model, got "
        + type(config).__name__
    )
