"""Keras 1.2.2's HDF5 weight layout: atomic writes, safe reads, matching stored weights to layers.

Layout (``save_weights`` file, or the ``model_weights`` group of a ``model.save`` file)::

    /  attrs: layer_names = fixed-length byte strings, one per layer
    /<layer name>  attrs: weight_names = byte strings (an empty float64 array for no weights)
    /<layer name>/<weight name>  one dataset per weight, e.g. dense_1/dense_1_W

Files are written to a temporary file in the target's folder and moved over
the target with ``os.replace`` once complete (``utils/atomic_h5.py``), so a crash
never leaves a half-written checkpoint. Reading copies everything into memory and checks
it against the model before a single weight is assigned.

>>> with atomic_h5_file('weights.h5') as f:          # doctest: +SKIP
...     write_weights_group(f, model.layers)
>>> stored = read_weights_file('weights.h5')         # doctest: +SKIP
>>> K.batch_set_value(match_weights(model.layers, stored, source='weights.h5'))  # doctest: +SKIP
"""
import contextlib
import errno
import os

import h5py
import numpy as np

from keraslike import backend as K
# the atomic writing this layout is saved with; callbacks and tests import these from here
from keraslike.utils.atomic_h5 import (STALE_TMP_AGE_S, atomic_h5_file,  # noqa: F401
                                       check_writable)

class InvalidWeightsFileError(OSError, ValueError):
    """The file is not a readable Keras HDF5 weights/model file (catch as OSError or ValueError)."""


# ---------------------------------------------------------------------------- writing
def string_array(names):
    """Keras 1's string-list attribute: fixed-length bytes, or an empty float64 array."""
    if not names:
        return np.zeros((0,), dtype='float64')
    return np.array([n.encode('utf8') for n in names], dtype=bytes)


def weight_names(weights):
    """Dataset names: the variable names (``dense_1_W``), ``param_<i>`` for unnamed ones."""
    names = []
    for i, w in enumerate(weights):
        name = str(w.name) if getattr(w, 'name', None) else 'param_%d' % i
        while name in names:  # duplicate variable names cannot share one HDF5 group
            name = 'param_%d' % i if not name.startswith('param_') else name + '_'
        names.append(name)
    return names


def write_weight_list(group, weights):
    """Write ``weights`` (backend variables) as datasets of ``group`` with a weight_names attr."""
    names = weight_names(weights)
    values = K.batch_get_value(weights)
    group.attrs['weight_names'] = string_array(names)
    for name, value in zip(names, values):
        value = np.asarray(value)
        # Fletcher-32 checksums catch a flipped bit on read (any HDF5 reader, Keras 1's
        # included, verifies them). They need chunked storage, which scalar and empty
        # datasets cannot have (nothing to protect in the latter anyway).
        checksum = {'fletcher32': True} if value.ndim and value.size else {}
        group.create_dataset(name, value.shape, dtype=value.dtype, data=value, **checksum)


def write_weights_group(group, layers):
    """Keras 1.2.2 ``save_weights_to_hdf5_group``: layer_names, then one group per layer."""
    group.attrs['layer_names'] = string_array([layer.name for layer in layers])
    for layer in layers:
        write_weight_list(group.create_group(layer.name), layer.weights)


# ---------------------------------------------------------------------------- reading
class StoredWeights(object):
    """Weights read from a file: ``layers`` = [(layer name, [(weight name, array), ...]), ...].

    ``legacy`` is True for the pre-1.0 format (``nb_layers``, ``layer_<k>/param_<p>``).
    """

    def __init__(self, layers, legacy=False):
        self.layers = layers
        self.legacy = legacy


def invalid(source, reason):
    return InvalidWeightsFileError('%s is not a valid Keras weights file (HDF5): %s'
                                   % (source, reason))


def decode_strings(value):
    """A list of str from a string-list attribute (bytes, str, or Keras 1's empty float array)."""
    if value is None:
        return []
    if isinstance(value, (bytes, str)):
        value = [value]
    return [v.decode('utf8') if isinstance(v, bytes) else str(v)
            for v in np.asarray(value).ravel() if not isinstance(v, (float, np.floating))]


def decode_string(value):
    """A scalar string attribute as str (h5py returns str or bytes depending on its type)."""
    if value is None:
        return None
    if isinstance(value, np.ndarray):
        value = value.item()
    return value.decode('utf8') if isinstance(value, bytes) else str(value)


@contextlib.contextmanager
def open_for_reading(filepath):
    """``h5py.File(filepath, 'r')``; h5py's errors become :class:`InvalidWeightsFileError`."""
    path = os.fspath(filepath)
    if not os.path.exists(path):
        raise FileNotFoundError(errno.ENOENT, 'No such Keras weights/model file', path)
    try:
        f = h5py.File(path, 'r')
    except OSError as e:
        raise invalid(path, e) from None
    try:
        yield f
    except InvalidWeightsFileError:
        raise
    except (OSError, KeyError, TypeError, AttributeError) as e:
        # h5py raises these for truncated or damaged objects inside an openable file
        raise invalid(path, '%s: %s' % (type(e).__name__, e)) from None
    finally:
        f.close()


def read_dataset(dataset, source):
    """The whole dataset as an array; a failed read (a checksum mismatch) names the dataset."""
    try:
        return np.asarray(dataset[()])
    except OSError as e:
        why = ('its Fletcher-32 checksum does not match, so its bytes changed after it was '
               'written' if dataset.fletcher32 else 'the file is damaged')
        raise invalid(source, 'dataset "%s" cannot be read: %s (%s)'
                      % (dataset.name, why, str(e).strip())) from None


def read_weight_list(group, source, what):
    """[(name, array)] in the order of the group's weight_names attribute."""
    names = decode_strings(group.attrs.get('weight_names'))
    out = []
    for name in names:
        if name not in group:
            raise invalid(source, '%s lists weight "%s" but has no such dataset' % (what, name))
        out.append((name, read_dataset(group[name], source)))
    return out


def read_weights_group(group, source):
    """Read a weights group (topological or legacy layout) fully into memory."""
    if 'layer_names' not in group.attrs and 'nb_layers' in group.attrs:
        layers = []
        for k in range(int(group.attrs['nb_layers'])):
            g = group['layer_%d' % k]
            layers.append(('layer_%d' % k,
                           [('param_%d' % p, read_dataset(g['param_%d' % p], source))
                            for p in range(int(g.attrs['nb_params']))]))
        return StoredWeights(layers, legacy=True)
    if 'layer_names' not in group.attrs:
        raise invalid(source, 'no "layer_names" attribute (not written by save_weights or '
                              'model.save)')
    layers = []
    for name in decode_strings(group.attrs['layer_names']):
        if name not in group:
            raise invalid(source, 'layer_names lists "%s" but the file has no such group' % name)
        layers.append((name, read_weight_list(group[name], source, 'layer "%s"' % name)))
    return StoredWeights(layers)


def read_weights_file(filepath):
    """The weights of a ``save_weights`` file, or of the model_weights group of a model file."""
    with open_for_reading(filepath) as f:
        group = f
        if 'layer_names' not in f.attrs and 'nb_layers' not in f.attrs and 'model_weights' in f:
            group = f['model_weights']
        return read_weights_group(group, os.fspath(filepath))


# ---------------------------------------------------------------------------- matching
def _shape(variable):
    return tuple(K.get_variable_shape(variable))


def _legacy_conv1d(layer, values):
    """Keras < 1.0 stored Convolution1D kernels as (nb_filter, input_dim, filter_length, 1)."""
    if layer.__class__.__name__ not in ('Convolution1D', 'AtrousConvolution1D') or not values:
        return values
    w = values[0]
    expected = _shape(layer.weights[0])
    if (w.ndim == 4 and w.shape != expected
            and np.transpose(w, (2, 3, 1, 0)).shape == expected):
        return [np.transpose(w, (2, 3, 1, 0))] + list(values[1:])
    return values


def _pair(layer, index, file_name, stored, source):
    symbolic = layer.weights
    values = [v for _, v in stored]
    if len(values) != len(symbolic):
        raise ValueError('Layer #%d (named "%s" in the current model) was found to correspond '
                         'to layer "%s" in %s. However the new layer %s expects %d weights, but '
                         'the saved weights have %d elements.'
                         % (index, layer.name, file_name, source, layer.name, len(symbolic),
                            len(values)))
    values = _legacy_conv1d(layer, values)
    pairs = []
    for w, v, (stored_name, _) in zip(symbolic, values, stored):
        expected = _shape(w)
        if expected != v.shape:
            raise ValueError('Layer #%d "%s" (stored as "%s" in %s): weight %s has shape %s in '
                             'the model but %s in the file. No weights were loaded.'
                             % (index, layer.name, file_name, source, w.name or stored_name,
                                expected, v.shape))
        pairs.append((w, v))
    return pairs


def match_weights(layers, stored, by_name=False, source='the file'):
    """(variable, value) pairs assigning ``stored`` to ``layers``; raises before any assignment.

    Topological (default): layers with weights are paired in order with file
    layers that have weights (names ignored, as in Keras 1). ``by_name``: every
    model layer named like a file layer receives its weights; others are kept.
    """
    if stored.legacy:
        if by_name:
            raise ValueError('%s uses the legacy (Keras < 1.0) weight format, which cannot be '
                             'loaded by_name.' % source)
        if len(stored.layers) != len(layers):
            raise ValueError('You are trying to load a weight file (legacy format) containing %d '
                             'layers into a model with %d layers.' % (len(stored.layers),
                                                                      len(layers)))
        return [p for k, (layer, (name, ws)) in enumerate(zip(layers, stored.layers))
                for p in _pair(layer, k, name, ws, source)]
    if by_name:
        index = {}
        for layer in layers:
            index.setdefault(layer.name, []).append(layer)
        _check_some_name_matches(index, stored, source)
        return [p for k, (name, ws) in enumerate(stored.layers)
                for layer in index.get(name, []) for p in _pair(layer, k, name, ws, source)]
    model_layers = [layer for layer in layers if layer.weights]
    file_layers = [(name, ws) for name, ws in stored.layers if ws]
    if len(model_layers) != len(file_layers):
        raise ValueError('You are trying to load a weight file containing %d layers into a model '
                         'with %d layers (counting layers with weights). %s No weights were '
                         'loaded.' % (len(file_layers), len(model_layers),
                                      _first_mismatch(model_layers, file_layers)))
    return [p for k, (layer, (name, ws)) in enumerate(zip(model_layers, file_layers))
            for p in _pair(layer, k, name, ws, source)]


def _check_some_name_matches(index, stored, source):
    """by_name loading that would load nothing at all is a mistake (Keras 1.2.2 said nothing):
    usually a model whose layers were named differently (automatic names, another prefix)."""
    with_weights = [name for name, ws in stored.layers if ws]
    if with_weights and not any(name in index for name in with_weights):
        raise ValueError('load_weights(by_name=True): no layer of the model has the name of a '
                         'layer with weights in %s, so nothing would be loaded. Layers in the '
                         'file: %s; layers of the model: %s. Name the layers as in the file, '
                         'or load without by_name (by position).'
                         % (source, with_weights, list(index)))


def _first_mismatch(model_layers, file_layers):
    """Describe the first position where the model's and the file's layers stop fitting."""
    for k, (layer, (name, stored)) in enumerate(zip(model_layers, file_layers)):
        expected = [_shape(w) for w in layer.weights]
        found = [v.shape for _, v in stored]
        if expected != found:
            return ('First mismatch: layer #%d "%s" expects weight shapes %s, file layer "%s" '
                    'has %s.' % (k, layer.name, expected, name, found))
    k = min(len(model_layers), len(file_layers))
    if k < len(model_layers):
        layer = model_layers[k]
        return ('First mismatch: layer #%d "%s" (weight shapes %s) has no counterpart in the '
                'file.' % (k, layer.name, [_shape(w) for w in layer.weights]))
    name, stored = file_layers[k]
    return ('First mismatch: file layer #%d "%s" (weight shapes %s) has no counterpart in the '
            'model.' % (k, name, [v.shape for _, v in stored]))
