"""Saving and loading models in Keras 1.2.2's formats (HDF5 weights and models, JSON, YAML).

Files written here can be read by Keras 1.2.2 and the other way round. Every
write is atomic (a crash leaves the previous file intact), every load checks
the whole file against the model before changing anything, and nothing read
from a file is executed: configs holding marshalled Python lambdas are refused
while safe mode is on. ``safe_mode=False`` turns it off for one call; for a
script that cannot be edited, ``KERASLIKE_SAFE_MODE=0``, ``"safe_mode": false``
in ``keraslike.json`` or :func:`set_safe_mode` turn it off for every call whose
``safe_mode`` is left at None.

>>> model.save('model.h5')                          # doctest: +SKIP
>>> from keraslike.models import load_model
>>> model = load_model('model.h5')  # compiled, optimizer state restored  # doctest: +SKIP
>>> model.save_weights('weights.h5')                # doctest: +SKIP
>>> clone = model_from_json(model.to_json())        # doctest: +SKIP
>>> clone.load_weights('weights.h5')                # doctest: +SKIP
"""
import errno
import json
import os
import sys
import warnings

import numpy as np

from keraslike import backend as K
from keraslike.backend import safe_mode as get_safe_mode, set_safe_mode  # noqa: F401
from keraslike.utils.atomic_h5 import atomic_h5_file, check_writable
from keraslike.utils.io_utils import ask_to_proceed_with_overwrite
from keraslike.utils.legacy_bytecode import load_function
from .graph_config import layer_from_config
from .layer_functions import UnsafeConfigError, opt_in_help, resolve_safe_mode
from .sequential import Sequential
from .saving_hdf5 import (InvalidWeightsFileError,  # noqa: F401
                          decode_string, invalid, match_weights, open_for_reading,
                          read_weight_list, read_weights_file, read_weights_group,
                          write_weight_list, write_weights_group)

KERAS_VERSION = '1.2.2'  # the format written (Keras 2 converts files that carry this version)
_CODE_TYPE_SUFFIX = '_type'


# ---------------------------------------------------------------------------- helpers
def _weight_layers(model):
    """Sequential: flattened_layers (no InputLayer); a functional Model: model.layers."""
    layers = getattr(model, 'flattened_layers', None)
    return layers if layers is not None else model.layers


def _proceed(filepath, overwrite):
    """False if the user declined to overwrite; FileExistsError when nobody can be asked.

    A target that cannot be written (read-only) raises PermissionError first, before the
    overwrite question is asked.
    """
    check_writable(filepath, os.path.realpath(os.fspath(filepath)))
    if overwrite or not os.path.isfile(filepath):
        return True
    stdin = sys.stdin
    if stdin is not None and stdin.isatty():
        return ask_to_proceed_with_overwrite(filepath)
    raise FileExistsError(errno.EEXIST, 'File exists and overwrite=False (stdin is not a '
                                        'terminal, so the overwrite question cannot be asked)',
                          os.fspath(filepath))


def get_json_type(obj):
    """``json.dumps`` default hook of Keras 1: configs, NumPy values, functions and types."""
    if hasattr(obj, 'get_config'):
        return {'class_name': obj.__class__.__name__, 'config': obj.get_config()}
    if isinstance(obj, np.ndarray):
        return obj.tolist()
    if type(obj).__module__ == np.__name__:
        return obj.item()
    if callable(obj) or isinstance(obj, type):
        return obj.__name__
    raise TypeError('Not JSON Serializable: %r' % (obj,))


def _model_dict(model):
    return {'class_name': model.__class__.__name__, 'config': model.get_config()}


# ---------------------------------------------------------------------------- safe mode
def find_serialized_code(config, owner=None):
    """[(layer name, field, value)] for every marshalled lambda (``<field>_type == 'lambda'``)."""
    found = []
    if isinstance(config, dict):
        if isinstance(config.get('name'), str):
            owner = config['name']
        for key, value in config.items():
            if isinstance(key, str) and key.endswith(_CODE_TYPE_SUFFIX) and value == 'lambda':
                field = key[:-len(_CODE_TYPE_SUFFIX)]
                found.append((owner, field, config.get(field)))
            else:
                found.extend(find_serialized_code(value, owner))
    elif isinstance(config, (list, tuple)):
        for value in config:
            found.extend(find_serialized_code(value, owner))
    return found


def check_config_safety(config, safe_mode=None):
    """Refuse marshalled code while safe mode is on; else check that it can be read here.

    ``safe_mode=None`` follows the global switch (:func:`get_safe_mode`).
    """
    found = find_serialized_code(config)
    if not found:
        return
    owner, field, _ = found[0]
    if resolve_safe_mode(safe_mode):
        raise UnsafeConfigError(
            'Refusing to load this model: layer "%s" stores a Python lambda (%s) as marshalled '
            'bytecode, and rebuilding it would execute code taken from the file. %s'
            % (owner, field, opt_in_help()))
    for owner, field, value in found:
        try:  # builds the function (3.6/3.7 bytecode is translated), runs none of it
            load_function(value, {})
        except Exception as e:
            raise ValueError(
                'Layer "%s": its %s is a lambda stored as marshalled Python bytecode, which this '
                'Python (%d.%d) cannot read (%s: %s). Bytecode only loads in the Python version '
                'that wrote it, or is translated when CPython 3.6/3.7 wrote a plain expression. '
                'Rebuild the model in code and use load_weights() instead.'
                % (owner, field, sys.version_info[0], sys.version_info[1], type(e).__name__,
                   e)) from None


# ---------------------------------------------------------------------------- weights
def save_weights(model, filepath, overwrite=True):
    """Write the weights of ``model`` in Keras 1.2.2's HDF5 layout (atomically)."""
    if not _proceed(filepath, overwrite):
        return
    with atomic_h5_file(filepath) as f:
        write_weights_group(f, _weight_layers(model))


def load_weights(model, filepath, by_name=False):
    """Load a Keras 1 weights file (or a model file's weights); all or nothing."""
    stored = read_weights_file(filepath)
    pairs = match_weights(_weight_layers(model), stored, by_name=by_name,
                          source=os.fspath(filepath))
    K.batch_set_value(pairs)


# ---------------------------------------------------------------------------- whole models
def save_model(model, filepath, overwrite=True):
    """Architecture, weights, training config and optimizer state in one HDF5 file.

    ``optimizer_weights`` is written once a train function exists (after ``fit`` or
    ``train_on_batch``), named ``param_<i>`` in ``optimizer.weights`` order.
    """
    if not _proceed(filepath, overwrite):
        return
    model_config = json.dumps(_model_dict(model), default=get_json_type)
    training_config, optimizer_weights = None, []
    if hasattr(model, 'optimizer'):
        # a DistributedOptimizer saves the optimizer it wraps: the file resumes on any
        # number of processes, one included
        optimizer = getattr(model.optimizer, 'wrapped_optimizer', model.optimizer)
        training_config = json.dumps({
            'optimizer_config': {'class_name': optimizer.__class__.__name__,
                                 'config': optimizer.get_config()},
            'loss': model.loss, 'metrics': model.metrics,
            'sample_weight_mode': model.sample_weight_mode,
            'loss_weights': model.loss_weights}, default=get_json_type)
        optimizer_weights = list(getattr(optimizer, 'weights', None) or [])
    with atomic_h5_file(filepath) as f:
        f.attrs['keras_version'] = KERAS_VERSION.encode('utf8')
        f.attrs['model_config'] = model_config.encode('utf8')
        write_weights_group(f.create_group('model_weights'), _weight_layers(model))
        if training_config is not None:
            f.attrs['training_config'] = training_config.encode('utf8')
            if optimizer_weights:
                write_weight_list(f.create_group('optimizer_weights'), optimizer_weights)


def _read_model_file(filepath):
    source = os.fspath(filepath)
    with open_for_reading(filepath) as f:
        model_config = decode_string(f.attrs.get('model_config'))
        if model_config is None:
            raise ValueError('No model found in config file (%s has no model_config attribute; '
                             'a save_weights file needs model.load_weights).' % source)
        training_config = decode_string(f.attrs.get('training_config'))
        if 'model_weights' not in f:
            raise invalid(source, 'model file without a model_weights group')
        stored = read_weights_group(f['model_weights'], source)
        optimizer_values = None
        if 'optimizer_weights' in f:
            optimizer_values = [v for _, v in read_weight_list(
                f['optimizer_weights'], source, 'optimizer_weights')]
    try:
        model_config = json.loads(model_config)
        training_config = json.loads(training_config) if training_config else None
    except ValueError as e:
        raise invalid(source, 'its model_config or training_config is not JSON (%s)' % e)
    return model_config, training_config, stored, optimizer_values


def _convert_custom_objects(obj, custom_objects):
    if isinstance(obj, list):
        return [_convert_custom_objects(o, custom_objects) for o in obj]
    if isinstance(obj, dict):
        return {k: _convert_custom_objects(v, custom_objects) for k, v in obj.items()}
    if isinstance(obj, str) and obj in custom_objects:
        return custom_objects[obj]
    return obj


def load_model(filepath, custom_objects=None, safe_mode=None):
    """Rebuild, load and (if it was compiled) compile a model saved by ``model.save``.

    The optimizer state is restored, so training continues where it stopped.
    ``custom_objects`` maps names to custom layers, losses, metrics or optimizers.
    Configs with marshalled lambdas are refused while safe mode is on: ``safe_mode=False``
    allows them for this call; None (the default) follows the global switch
    (``KERASLIKE_SAFE_MODE``, ``keraslike.json``, :func:`set_safe_mode`).
    """
    from keraslike.optimizers import optimizer_from_config
    custom_objects = custom_objects or {}
    source = os.fspath(filepath)
    model_config, training_config, stored, optimizer_values = _read_model_file(filepath)
    model = _from_config(model_config, custom_objects, safe_mode,
                         'load_model (the model_config of %s)' % source)
    K.batch_set_value(match_weights(_weight_layers(model), stored, source=source))
    if training_config is None:
        warnings.warn('No training configuration found in save file: the model was *not* '
                      'compiled. Compile it manually.')
        return model
    optimizer = optimizer_from_config(training_config['optimizer_config'],
                                      custom_objects=custom_objects)
    model.compile(optimizer=optimizer,
                  loss=_convert_custom_objects(training_config['loss'], custom_objects),
                  metrics=_convert_custom_objects(training_config['metrics'], custom_objects),
                  loss_weights=training_config['loss_weights'],
                  sample_weight_mode=training_config['sample_weight_mode'])
    if optimizer_values is not None:
        (model.model if isinstance(model, Sequential) else model)._make_train_function()
        try:
            model.optimizer.set_weights(optimizer_values)
        except ValueError as e:
            raise ValueError('%s: the optimizer state does not fit the model (%s).'
                             % (source, e)) from None
    return model


# ---------------------------------------------------------------------------- JSON / YAML
def model_to_json(model, **kwargs):
    """``{"class_name", "config", "keras_version"}`` as JSON (``json.dumps`` kwargs allowed)."""
    config = dict(_model_dict(model), keras_version=KERAS_VERSION)
    return json.dumps(config, default=get_json_type, **kwargs)


def _yaml():
    try:
        import yaml
    except ImportError:
        raise ImportError('YAML model files need PyYAML, which is not installed: '
                          '`pip install pyyaml` (or use to_json / model_from_json).') from None
    return yaml


def model_to_yaml(model, **kwargs):
    """The JSON description as YAML (plain types only, readable with ``yaml.safe_load``)."""
    yaml = _yaml()
    return yaml.safe_dump(json.loads(model_to_json(model)), **kwargs)


class InvalidModelConfigError(ValueError, TypeError):
    """Not a model config ``{'class_name': ..., 'config': ...}`` (catch as ValueError or
    TypeError: a list was a TypeError before)."""


def _describe(value):
    if isinstance(value, dict):
        return 'a dict with keys %s' % sorted(map(str, value))[:10]
    if isinstance(value, (list, tuple)):
        return 'a %s of %d items' % (type(value).__name__, len(value))
    return '%s %r' % (type(value).__name__, value) if value is not None else 'null (None)'


def check_model_config(config, source='model_from_config'):
    """Raise unless ``config`` looks like ``{'class_name': str, 'config': dict or list}``."""
    expected = ("a model config, a dict {'class_name': ..., 'config': ...} (as written by "
                "model.to_json() / model.to_yaml())")
    if isinstance(config, list):
        raise InvalidModelConfigError(
            '%s expects a dictionary, not a list (%s). Maybe you meant to use '
            '`Sequential.from_config(config)`?' % (source, _describe(config)))
    if not isinstance(config, dict):
        raise InvalidModelConfigError('%s expects %s; got %s.'
                                      % (source, expected, _describe(config)))
    missing = [key for key in ('class_name', 'config') if key not in config]
    if missing:
        raise InvalidModelConfigError('%s expects %s; got %s (missing %s).'
                                      % (source, expected, _describe(config),
                                         ' and '.join(repr(k) for k in missing)))
    if not isinstance(config['class_name'], str):
        raise InvalidModelConfigError("%s: 'class_name' must be a string such as "
                                      "'Sequential' or 'Model', got %s."
                                      % (source, _describe(config['class_name'])))
    if not isinstance(config['config'], (dict, list)):
        raise InvalidModelConfigError("%s: the 'config' of a %s must be a dict (a list for a "
                                      "Sequential), got %s." % (source, config['class_name'],
                                                                _describe(config['config'])))


def _from_config(config, custom_objects, safe_mode, source):
    check_model_config(config, source)
    check_config_safety(config, safe_mode)
    return layer_from_config(config, custom_objects=custom_objects, safe_mode=safe_mode)


def model_from_config(config, custom_objects=None, safe_mode=None):
    """A model (or layer) from ``{'class_name': ..., 'config': ...}``."""
    return _from_config(config, custom_objects, safe_mode, 'model_from_config')


def model_from_json(json_string, custom_objects=None, safe_mode=None):
    """Rebuild a model from :func:`model_to_json` output (or a Keras 1.2.2 ``to_json``)."""
    if not isinstance(json_string, (str, bytes, bytearray)):
        raise TypeError('`model_from_json` expects the JSON text written by model.to_json(), '
                        'got %s.' % _describe(json_string))
    return _from_config(json.loads(json_string), custom_objects, safe_mode, 'model_from_json')


def model_from_yaml(yaml_string, custom_objects=None, safe_mode=None):
    """Rebuild a model from YAML. Only plain data is read (tuples allowed), never objects."""
    yaml = _yaml()

    class _Loader(yaml.SafeLoader):
        pass

    def _tuple(loader, node):  # Keras 1's yaml.dump writes shapes as !!python/tuple
        return tuple(loader.construct_sequence(node))

    _Loader.add_constructor('tag:yaml.org,2002:python/tuple', _tuple)
    _Loader.add_constructor('tag:yaml.org,2002:python/unicode',
                            lambda loader, node: loader.construct_scalar(node))
    return _from_config(yaml.load(yaml_string, Loader=_Loader), custom_objects, safe_mode,
                        'model_from_yaml')
