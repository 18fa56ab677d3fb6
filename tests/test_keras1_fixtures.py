"""Files written by the real Keras 1.2.2 (Theano) load here, predict and resume training as there.

For every fixture in tests/fixtures/keras1 (see its manifest.json):

* ``load_model(NAME_model.h5)`` predicts the stored ``y``; one ``train_on_batch`` gives the loss
  and predictions that real Keras got after its own ``load_model`` (``tob_out_reload``,
  ``after_reload``). Before training, the model is saved again here and the new file must have
  the layout and values of the Keras file (attributes, groups, datasets, optimizer state).
* ``model_from_json(NAME.json)`` + ``load_weights(NAME_weights.h5)`` rebuilds the same model
  with the same weights, and ``save_weights`` writes back the same file layout.

Functions are compiled in PyTensor's FAST_COMPILE mode: same graphs, far shorter compiles.
Every fixture runs: a layer keraslike lacks is a failure, not a skip.
"""
import json
import os

import h5py
import numpy as np
import pytest

from keraslike import backend as K
from keraslike import layers as layers_module
from keraslike.engine import saving
from keraslike.engine.saving_hdf5 import decode_strings
from keraslike.engine.layer_functions import UnsafeConfigError
from keraslike.models import load_model, model_from_json

from fixture_paths import KERAS1_FIXTURES as FIXTURES

MANIFEST = os.path.join(FIXTURES, 'manifest.json')
with open(MANIFEST) as _f:
    _ALL = {f['name']: f for f in json.load(_f)['fixtures'] if f['status'] == 'ok'}
LAMBDA_FIXTURES = ['lambda_layer', 'lambda_merge']
NAMES = sorted(n for n in _ALL if n not in LAMBDA_FIXTURES)

# Keras 1 code from the manifest snippets runs against keraslike with this prelude.
PRELUDE = '''import numpy as np
from keraslike import backend as K
from keraslike.models import Sequential, Model
from keraslike.layers import *
from keraslike.optimizers import SGD, RMSprop, Adagrad, Adadelta, Adam, Adamax, Nadam
'''
PRED_ATOL = 1e-5     # float32 noise (measured differences are below 3e-7)
RESUME_ATOL = 5e-5   # one training step later (BatchNormalization fixtures reach ~7e-6)


@pytest.fixture(scope='module', autouse=True)
def fast_compile():
    with K.using_mode('FAST_COMPILE'):  # back to the setting before, 'none chosen' included
        yield


def path(name, suffix):
    return os.path.join(FIXTURES, name + suffix)


def arrays(npz, prefix):
    keys = sorted((k for k in npz.files if k.startswith(prefix) and k[len(prefix):].isdigit()),
                  key=lambda k: int(k[len(prefix):]))
    return [npz[k] for k in keys]


def one_or_list(values):
    return values[0] if len(values) == 1 else values


def class_names(config):
    found = set()
    if isinstance(config, dict):
        if isinstance(config.get('class_name'), str):
            found.add(config['class_name'])
        for value in config.values():
            found |= class_names(value)
    elif isinstance(config, list):
        for value in config:
            found |= class_names(value)
    return found


def assert_layers_exist(config):
    missing = sorted(n for n in class_names(config) - {'Sequential', 'Model'}
                     if not hasattr(layers_module, n))
    assert not missing, 'keraslike.layers has no %s' % ', '.join(missing)


def fixture_json(name):
    with open(path(name, '.json')) as f:
        return json.load(f)


# ---------------------------------------------------------------------------- layout comparison
def h5_items(f):
    """{path: (kind, attrs, shape, dtype)} with string attributes decoded, for comparison."""
    items = {}

    def describe(obj):
        attrs = {}
        for key in obj.attrs:
            if key in ('model_config', 'training_config'):
                continue
            dtype = obj.attrs.get_id(key).dtype
            value = obj.attrs[key]
            if key in ('layer_names', 'weight_names'):
                # Keras 1: fixed-length byte strings, or an empty float64 array
                attrs[key] = (dtype.kind, dtype.name if dtype.kind == 'f' else None,
                              [v.decode('utf8') for v in value] if dtype.kind == 'S' else [])
            else:
                attrs[key] = (dtype.kind, h5py.check_string_dtype(dtype) is not None,
                              saving.decode_string(value))
        return attrs

    items['/'] = ('group', describe(f), None, None)
    f.visititems(lambda name, obj: items.__setitem__(
        name, ('group', describe(obj), None, None) if isinstance(obj, h5py.Group)
        else ('dataset', describe(obj), obj.shape, obj.dtype.str)))
    return items


def assert_same_layout(mine, theirs, compare_values=True):
    with h5py.File(mine, 'r') as a, h5py.File(theirs, 'r') as b:
        items_a, items_b = h5_items(a), h5_items(b)
        assert sorted(items_a) == sorted(items_b)
        for key in items_b:
            assert items_a[key] == items_b[key], key
            if compare_values and items_b[key][0] == 'dataset':
                np.testing.assert_allclose(a[key][()], b[key][()], rtol=0, atol=1e-7,
                                           err_msg=key)


# Config values that differ from Keras 1.2.2's, each for a known reason.
def normalise_config(mine, theirs, where=''):
    """``mine`` with the differences Keras 1 itself shows after a reload taken out.

    A layer rebuilt from a config that has ``input_dim`` gets ``batch_input_shape`` and
    ``input_dtype`` (Keras 1's Dense(input_dim=...) does the same), so those keys may be extra.
    """
    if isinstance(mine, dict) and isinstance(theirs, dict):
        out = {}
        for key, value in mine.items():
            if key in ('batch_input_shape', 'input_dtype') and key not in theirs:
                continue
            out[key] = normalise_config(value, theirs.get(key), where + '/' + str(key))
        return out
    if isinstance(mine, list) and isinstance(theirs, list) and len(mine) == len(theirs):
        return [normalise_config(x, y, where) for x, y in zip(mine, theirs)]
    return mine


def assert_same_config(mine, theirs):
    mine = normalise_config(mine, theirs)
    assert json.dumps(mine, sort_keys=True) == json.dumps(theirs, sort_keys=True)


KNOWN_CONFIG_DEVIATIONS = {
    # keraslike's TimeDistributedDense records the input_dim it was built with; Keras 1 keeps None
    'core_misc': [('config', 3, 'config', 'input_dim')],
}


def drop_known_deviations(name, *configs):
    for config in configs:
        for keys in KNOWN_CONFIG_DEVIATIONS.get(name, []):
            target = config
            for key in keys[:-1]:
                target = target[key]
            target.pop(keys[-1], None)


# ---------------------------------------------------------------------------- the tests
@pytest.mark.parametrize('name', NAMES)
def test_load_model_predicts_and_resumes_like_keras(name, tmp_path):
    fx = _ALL[name]
    assert_layers_exist(fixture_json(name))
    io = np.load(path(name, '_io.npz'))
    K.reset_uids()  # auto-named nested Sequentials get the names Keras gave them
    model = load_model(path(name, '_model.h5'))

    # written back before any training: same layout and the very same values
    model.save(str(tmp_path / 'model.h5'))
    assert_same_layout(tmp_path / 'model.h5', path(name, '_model.h5'))
    with h5py.File(tmp_path / 'model.h5', 'r') as a, h5py.File(path(name, '_model.h5'), 'r') as b:
        assert json.loads(a.attrs['training_config']) == json.loads(b.attrs['training_config'])
        mine, theirs = json.loads(a.attrs['model_config']), json.loads(b.attrs['model_config'])
    drop_known_deviations(name, mine, theirs)
    assert_same_config(mine, theirs)

    x = one_or_list(arrays(io, 'x'))
    predicted = model.predict(x)
    for got, want in zip(predicted if isinstance(predicted, list) else [predicted],
                         arrays(io, 'y')):
        np.testing.assert_allclose(got, want, rtol=0, atol=PRED_ATOL)

    loss = model.train_on_batch(one_or_list(arrays(io, 'bx')), one_or_list(arrays(io, 'by')))
    if not fx['train_step_deterministic']:
        # dropout/noise masks are random here and in Keras: the step cannot be compared
        assert np.all(np.isfinite(loss))
        return
    np.testing.assert_allclose(np.ravel(loss), io['tob_out_reload'], rtol=1e-5, atol=RESUME_ATOL)
    after = model.predict(x)
    for got, want in zip(after if isinstance(after, list) else [after],
                         arrays(io, 'after_reload')):
        np.testing.assert_allclose(got, want, rtol=0, atol=RESUME_ATOL)


@pytest.mark.parametrize('name', NAMES)
def test_model_from_json_and_load_weights(name, tmp_path):
    config = fixture_json(name)
    assert_layers_exist(config)
    with h5py.File(path(name, '_model.h5'), 'r') as f:
        # the .json and the model file describe the same model (to_json adds keras_version)
        in_model_file = json.loads(f.attrs['model_config'])
    assert in_model_file == {k: v for k, v in config.items() if k != 'keras_version'}
    K.reset_uids()
    model = model_from_json(json.dumps(config))
    model.load_weights(path(name, '_weights.h5'))
    # same config and the file's weights, in Keras' order: the model of the test above
    with h5py.File(path(name, '_weights.h5'), 'r') as f:
        stored = [f[layer][w][()] for layer in decode_strings(f.attrs['layer_names'])
                  for w in decode_strings(f[layer].attrs['weight_names'])]
    got = model.get_weights()
    assert len(got) == len(stored) == len(_ALL[name]['get_weights_names'])
    for a, b in zip(got, stored):
        np.testing.assert_array_equal(a, b)
    model.save_weights(str(tmp_path / 'weights.h5'))
    assert_same_layout(tmp_path / 'weights.h5', path(name, '_weights.h5'))
    mine = json.loads(model.to_json())
    drop_known_deviations(name, mine, config)
    assert_same_config(mine, config)


# ---------------------------------------------------------------------------- Lambda fixtures
@pytest.mark.parametrize('name', LAMBDA_FIXTURES)
def test_lambda_fixture_is_refused_without_opt_in(name):
    with pytest.raises(UnsafeConfigError, match='safe_mode=False'):
        load_model(path(name, '_model.h5'))
    with pytest.raises(UnsafeConfigError, match='safe_mode=False'):
        model_from_json(json.dumps(fixture_json(name)))


@pytest.mark.parametrize('name', LAMBDA_FIXTURES)
def test_lambda_fixture_bytecode_from_python36_is_translated_when_allowed(name):
    # Keras 1 stores lambdas as marshalled CPython 3.6 bytecode, unreadable by marshal here:
    # utils/legacy_bytecode.py rebuilds the expressions (bad bytecode: test_safe_mode_switch.py)
    io = np.load(path(name, '_io.npz'))
    model = load_model(path(name, '_model.h5'), safe_mode=False)
    np.testing.assert_allclose(model.predict(one_or_list(arrays(io, 'x'))), io['y0'],
                               rtol=0, atol=PRED_ATOL)


@pytest.mark.parametrize('name', LAMBDA_FIXTURES)
def test_lambda_fixture_weights_and_optimizer_state_load_into_model_built_in_code(name):
    fx = _ALL[name]
    io = np.load(path(name, '_io.npz'))
    K.reset_uids()
    namespace = {}
    exec(PRELUDE + fx['snippet'], namespace)  # the snippet's own Keras 1 code, compiled here
    model = namespace['model']
    model.load_weights(path(name, '_weights.h5'))
    x = one_or_list(arrays(io, 'x'))
    np.testing.assert_allclose(model.predict(x), io['y0'], rtol=0, atol=PRED_ATOL)

    model.load_weights(path(name, '_model.h5'))  # a model file's weights load as well
    _, _, _, optimizer_values = saving._read_model_file(path(name, '_model.h5'))
    (getattr(model, 'model', None) or model)._make_train_function()
    model.optimizer.set_weights(optimizer_values)
    loss = model.train_on_batch(one_or_list(arrays(io, 'bx')), one_or_list(arrays(io, 'by')))
    np.testing.assert_allclose(np.ravel(loss), io['tob_out_reload'], rtol=1e-5, atol=RESUME_ATOL)
    np.testing.assert_allclose(model.predict(x), io['after_reload0'], rtol=0, atol=RESUME_ATOL)
