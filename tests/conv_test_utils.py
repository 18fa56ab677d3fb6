"""Helpers shared by the convolution/pooling layer tests: references, fixtures, evaluation.

References (``ref_conv``, ``ref_pool``) are independent of keraslike: SciPy's true
convolution and per-window loops, cropped/padded the way Keras 1 on Theano does.
"""
import itertools
import json
import os

import h5py
import numpy as np
from scipy import signal

from keraslike import backend as K
from keraslike.engine.topology import Input
from keraslike.utils.np_utils import conv_output_length

from fixture_paths import KERAS1_FIXTURES as FIXTURES


def dilate(w, dilation):
    """Kernel with ``dilation - 1`` zeros between taps on each spatial axis."""
    shape = w.shape[:2] + tuple((k - 1) * d + 1 for k, d in zip(w.shape[2:], dilation))
    out = np.zeros(shape, dtype=w.dtype)
    out[(slice(None), slice(None)) + tuple(slice(None, None, d) for d in dilation)] = w
    return out


def ref_conv(x, w, strides, border_mode, dilation=None):
    """Keras 1 / Theano convolution of th ``x`` (n, c, *L) with th ``w`` (f, c, *K)."""
    dilation = dilation or (1,) * (x.ndim - 2)
    wd = dilate(w, dilation)
    n, c = x.shape[:2]
    f, dk = w.shape[0], wd.shape[2:]
    full = np.zeros((n, f) + tuple(L + k - 1 for L, k in zip(x.shape[2:], dk)))
    for i, j, ch in itertools.product(range(n), range(f), range(c)):
        full[i, j] += signal.convolve(x[i, ch], wd[j, ch], mode='full')
    out = full
    for axis, (L, k, kd, s, d) in enumerate(zip(x.shape[2:], w.shape[2:], dk, strides, dilation)):
        lo = {'valid': 0, 'full': kd - 1, 'same': kd // 2}[border_mode]
        length = conv_output_length(L, k, border_mode, s, dilation=d)
        out = np.take(out, kd - 1 - lo + s * np.arange(length), axis=2 + axis)
    return out


def ref_pool(x, pool, strides, border_mode, mode):
    """Theano pooling over the last ``len(pool)`` axes ('same' pads pool-2 / pool-1 per side)."""
    nd = len(pool)
    spatial = x.shape[-nd:]
    pads = [0 if border_mode == 'valid' else max(0, p - 2 if p % 2 else p - 1) for p in pool]
    out_len = [conv_output_length(L, p, border_mode, s) for L, p, s in zip(spatial, pool, strides)]
    out = np.zeros(x.shape[:-nd] + tuple(out_len))
    for o in itertools.product(*[range(n) for n in out_len]):
        window = tuple(slice(max(0, i * s - p), min(L, i * s - p + k))
                       for i, s, p, k, L in zip(o, strides, pads, pool, spatial))
        vals = x[(Ellipsis,) + window].reshape(x.shape[:-nd] + (-1,))
        out[(Ellipsis,) + o] = vals.max(-1) if mode == 'max' else vals.mean(-1)
    return out


def th_to_tf(x):
    return np.moveaxis(x, 1, -1)


def tf_to_th(x):
    return np.moveaxis(x, -1, 1)


def kernel_th_to_tf(w):
    nd = w.ndim - 2
    return np.transpose(w, tuple(range(2, nd + 2)) + (1, 0))


def apply_layer(layer, x, phase=0):
    """Output of ``layer`` on array ``x`` (learning phase ``phase``), checking the shape.

    The computed shape must equal ``layer.get_output_shape_for`` on every known axis.
    """
    inp = Input(shape=x.shape[1:])
    out = layer(inp)
    f = K.function([inp, K.learning_phase()], [out])
    y = f([x, phase])[0]
    expected = layer.get_output_shape_for((None,) + x.shape[1:])
    assert len(expected) == y.ndim, (expected, y.shape)
    for e, a in zip(expected[1:], y.shape[1:]):
        assert e is None or e == a, (layer.name, expected, y.shape)
    assert tuple(out._keras_shape) == tuple(expected)
    return y


def round_trip_config(layer):
    """``layer.__class__.from_config(layer.get_config())`` keeps the config (JSON-safe)."""
    config = json.loads(json.dumps(layer.get_config()))
    clone = layer.__class__.from_config(config)
    again = json.loads(json.dumps(clone.get_config()))
    assert again == config
    return clone


# ---------------------------------------------------------------- Keras 1.2.2 fixtures
def fixture_manifest():
    with open(os.path.join(FIXTURES, 'manifest.json')) as f:
        return {m['name']: m for m in json.load(f)['fixtures'] if m.get('status') == 'ok'}


PRELUDE = '''import numpy as np
from keraslike import backend as K
from keraslike.models import Sequential, Model
from keraslike.layers import *
from keraslike.optimizers import SGD, RMSprop, Adagrad, Adadelta, Adam, Adamax, Nadam
'''


def h5_weights(path):
    """All weights of a Keras 1 ``save_weights`` file, read with h5py in the file's order."""
    with h5py.File(path, 'r') as f:
        out = []
        for layer in f.attrs['layer_names']:
            group = f[layer]
            out += [group[name][()] for name in group.attrs['weight_names']]
        return out


def build_fixture(name):
    """The fixture's model built from its Keras 1 snippet, with the stored trained weights."""
    manifest = fixture_manifest()[name]
    K.reset_uids()
    namespace = {}
    exec(PRELUDE + manifest['snippet'], namespace)
    model = namespace['model']
    model.set_weights(h5_weights(os.path.join(FIXTURES, name + '_weights.h5')))
    data = dict(np.load(os.path.join(FIXTURES, name + '_io.npz')))
    return model, data


def load_optimizer_state(model, name):
    """Set the optimizer slots saved in ``NAME_model.h5`` (builds the train function)."""
    inner = getattr(model, 'model', None) or model
    inner._make_train_function()
    with h5py.File(os.path.join(FIXTURES, name + '_model.h5'), 'r') as f:
        if 'optimizer_weights' in f:
            group = f['optimizer_weights']
            model.optimizer.set_weights([group[n][()] for n in group.attrs['weight_names']])
