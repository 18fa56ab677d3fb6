"""Saving and loading: HDF5 layout, round trips, resume, atomic writes, bad files, safe loading.

Files from the real Keras 1.2.2 are tested in test_keras1_fixtures.py. Functions are compiled
in FAST_COMPILE mode to keep the compile cost low.
"""
import glob
import io
import json
import os
import signal
import subprocess
import sys
import textwrap
import time
import warnings
from concurrent.futures import ThreadPoolExecutor

import h5py
import numpy as np
import pytest

from keraslike import backend as K
from keraslike import layers as L
from keraslike import optimizers
from keraslike.engine import saving_hdf5
from keraslike.engine.saving_hdf5 import InvalidWeightsFileError
from keraslike.layers import Dense, Dropout, Input, Lambda, merge
from keraslike.engine.layer_functions import UnsafeConfigError
from keraslike.models import (Model, Sequential, load_model, model_from_config, model_from_json,
                              model_from_yaml)
import slow_save

RNG = np.random.RandomState(3)
X4 = RNG.uniform(-1, 1, (6, 4)).astype('float32')
Y2 = RNG.uniform(-1, 1, (6, 2)).astype('float32')
X4b = RNG.uniform(-1, 1, (6, 4)).astype('float32')
Y2b = RNG.uniform(-1, 1, (6, 2)).astype('float32')


@pytest.fixture(scope='module', autouse=True)
def fast_compile():
    with K.using_mode('FAST_COMPILE'):  # back to the setting before, 'none chosen' included
        yield


def mlp(prefix='d', dropout=True):
    """Dense(4, input_dim=3) -> [Dropout] -> Dense(2), with fixed layer names."""
    model = Sequential(name=prefix + '_seq')
    model.add(Dense(4, input_dim=3, name=prefix + '1'))
    if dropout:
        model.add(Dropout(0.5, name=prefix + '_drop'))
    model.add(Dense(2, name=prefix + '2'))
    return model


def assert_weights_equal(a, b):
    wa, wb = a.get_weights(), b.get_weights()
    assert len(wa) == len(wb)
    for x, y in zip(wa, wb):
        np.testing.assert_array_equal(x, y)


def without_rebuild_keys(config, original):
    """``config`` less the keys a layer rebuilt from its config gains and ``original`` lacks.

    Keras 1 does the same: Dense(input_dim=8) rebuilt from a config gets batch_input_shape and
    input_dtype (input_dim becomes input_shape).
    """
    if isinstance(config, dict) and isinstance(original, dict):
        # a re-marshalled lambda's bytecode differs in flags; its behaviour is tested apart
        return {k: 'lambda' if config.get(k + '_type') == 'lambda' else
                without_rebuild_keys(v, original.get(k)) for k, v in config.items()
                if k in original or k not in ('batch_input_shape', 'input_dtype')}
    if isinstance(config, list) and isinstance(original, list) and len(config) == len(original):
        return [without_rebuild_keys(c, o) for c, o in zip(config, original)]
    return config


def assert_same_model_config(rebuilt, original):
    original = json.loads(original.to_json())
    expected = without_rebuild_keys(original, original)
    assert without_rebuild_keys(json.loads(rebuilt.to_json()), original) == expected


def attr_strings(obj, key):
    return [v.decode('utf8') for v in obj.attrs[key]]


# ---------------------------------------------------------------------------- HDF5 layout
def test_save_weights_writes_keras1_layout_for_sequential(tmp_path):
    model = mlp()
    model.save_weights(str(tmp_path / 'w.h5'))
    with h5py.File(tmp_path / 'w.h5', 'r') as f:
        assert list(f.attrs) == ['layer_names']
        assert f.attrs['layer_names'].dtype == np.dtype('S6')  # fixed-length bytes
        assert attr_strings(f, 'layer_names') == ['d1', 'd_drop', 'd2']  # no InputLayer
        assert attr_strings(f['d1'], 'weight_names') == ['d1_W', 'd1_b']
        np.testing.assert_array_equal(f['d1/d1_W'][()], model.layers[0].get_weights()[0])
        assert f['d1/d1_W'].dtype == np.float32 and f['d1/d1_b'].shape == (4,)
        empty = f['d_drop'].attrs['weight_names']
        assert empty.dtype == np.float64 and empty.shape == (0,) and len(f['d_drop']) == 0


def test_functional_model_file_has_empty_groups_for_input_layers(tmp_path):
    a = Input(shape=(3,), name='in_a')
    model = Model(a, Dense(2, name='out')(Dense(4, name='hidden')(a)))
    model.save_weights(str(tmp_path / 'w.h5'))
    with h5py.File(tmp_path / 'w.h5', 'r') as f:
        assert attr_strings(f, 'layer_names') == ['in_a', 'hidden', 'out']
        assert f['in_a'].attrs['weight_names'].dtype == np.float64


def test_weights_round_trip_into_a_fresh_model_and_from_a_model_file(tmp_path):
    source, target = mlp(), mlp()
    source.save_weights(str(tmp_path / 'w.h5'))
    target.load_weights(str(tmp_path / 'w.h5'))
    assert_weights_equal(source, target)
    source.save(str(tmp_path / 'm.h5'))
    other = mlp()
    other.load_weights(str(tmp_path / 'm.h5'))  # a model.save file works too
    assert_weights_equal(source, other)


def test_topological_loading_ignores_names_and_weightless_layers(tmp_path):
    source = mlp('a', dropout=True)
    source.save_weights(str(tmp_path / 'w.h5'))
    target = mlp('b', dropout=False)
    target.load_weights(str(tmp_path / 'w.h5'))
    assert_weights_equal(source, target)


def test_load_weights_by_name_fills_only_matching_layers(tmp_path):
    source = Sequential([Dense(4, input_dim=3, name='shared_name'), Dense(2, name='src_only')])
    source.save_weights(str(tmp_path / 'w.h5'))
    target = Sequential([Dense(4, input_dim=3, name='shared_name'), Dense(5, name='other')])
    kept = target.layers[1].get_weights()
    target.load_weights(str(tmp_path / 'w.h5'), by_name=True)
    for x, y in zip(target.layers[0].get_weights(), source.layers[0].get_weights()):
        np.testing.assert_array_equal(x, y)
    for x, y in zip(target.layers[1].get_weights(), kept):
        np.testing.assert_array_equal(x, y)


def test_legacy_pre_1_0_format_loads_by_position(tmp_path):
    model = mlp()
    values = [np.full(w.shape, i + 1., dtype='float32') for i, w in enumerate(model.get_weights())]
    with h5py.File(tmp_path / 'legacy.h5', 'w') as f:
        f.attrs['nb_layers'] = 3
        for k, params in enumerate([values[:2], [], values[2:]]):
            g = f.create_group('layer_%d' % k)
            g.attrs['nb_params'] = len(params)
            for p, v in enumerate(params):
                g.create_dataset('param_%d' % p, data=v)
    model.load_weights(str(tmp_path / 'legacy.h5'))
    for got, want in zip(model.get_weights(), values):
        np.testing.assert_array_equal(got, want)
    with pytest.raises(ValueError, match='legacy'):
        model.load_weights(str(tmp_path / 'legacy.h5'), by_name=True)


def test_old_convolution1d_kernels_are_transposed(tmp_path):
    model = Sequential([L.Convolution1D(5, 3, input_shape=(7, 2), name='conv')])
    kernel, bias = model.get_weights()
    assert kernel.shape == (3, 1, 2, 5)
    old = np.transpose(RNG.randn(*kernel.shape).astype('float32'), (3, 2, 0, 1))  # (5, 2, 3, 1)
    with h5py.File(tmp_path / 'old.h5', 'w') as f:
        f.attrs['layer_names'] = [b'conv']
        g = f.create_group('conv')
        g.attrs['weight_names'] = [b'conv_W', b'conv_b']
        g.create_dataset('conv_W', data=old)
        g.create_dataset('conv_b', data=bias + 1)
    model.load_weights(str(tmp_path / 'old.h5'))
    np.testing.assert_array_equal(model.get_weights()[0], np.transpose(old, (2, 3, 1, 0)))


# ---------------------------------------------------------------------------- all or nothing
def test_wrong_layer_count_raises_and_changes_nothing(tmp_path):
    Sequential([Dense(4, input_dim=3, name='x1')]).save_weights(str(tmp_path / 'w.h5'))
    model = mlp()
    before = model.get_weights()
    expected = (r'containing 1 layers into a model with 2 layers.*'
                r'"d2" \(weight shapes \[\(4, 2\), \(2,\)\]\) has no counterpart in the file')
    with pytest.raises(ValueError, match=expected):
        model.load_weights(str(tmp_path / 'w.h5'))
    for x, y in zip(model.get_weights(), before):
        np.testing.assert_array_equal(x, y)


def test_wrong_shape_names_the_layer_and_shapes_and_changes_nothing(tmp_path):
    Sequential([Dense(4, input_dim=3), Dense(5)]).save_weights(str(tmp_path / 'w.h5'))
    model = mlp()
    before = model.get_weights()
    with pytest.raises(ValueError, match=r'"d2".*\(4, 2\) in the model but \(4, 5\) in the file'):
        model.load_weights(str(tmp_path / 'w.h5'))
    # the first layer matched, but nothing was assigned
    for x, y in zip(model.get_weights(), before):
        np.testing.assert_array_equal(x, y)


def test_wrong_weight_count_in_a_layer(tmp_path):
    Sequential([Dense(4, input_dim=3, bias=False, name='n1'), Dense(2, name='n2')]).save_weights(
        str(tmp_path / 'w.h5'))
    with pytest.raises(ValueError, match='expects 2 weights, but the saved weights have 1'):
        mlp().load_weights(str(tmp_path / 'w.h5'))


@pytest.mark.parametrize('content', ['truncated', 'garbage', 'empty', 'text', 'plain_hdf5'])
def test_unreadable_files_raise_a_clear_error(tmp_path, content):
    target = tmp_path / 'bad.h5'
    if content == 'truncated':
        model = mlp()
        model.save(str(target))
        data = target.read_bytes()
        target.write_bytes(data[:len(data) // 2])
    elif content == 'garbage':
        target.write_bytes(RNG.bytes(5000))
    elif content == 'empty':
        target.write_bytes(b'')
    elif content == 'text':
        target.write_text('{"class_name": "Sequential"}')
    else:
        with h5py.File(target, 'w') as f:
            f.create_dataset('data', data=np.arange(3))
    with pytest.raises(InvalidWeightsFileError,
                       match='is not a valid Keras weights file \\(HDF5\\)') as info:
        mlp().load_weights(str(target))
    assert isinstance(info.value, ValueError) and isinstance(info.value, OSError)
    expected = 'No model found' if content == 'plain_hdf5' else 'not a valid Keras weights file'
    with pytest.raises(ValueError, match=expected):
        load_model(str(target))


def test_missing_file_and_weights_file_given_to_load_model(tmp_path):
    with pytest.raises(FileNotFoundError):
        mlp().load_weights(str(tmp_path / 'nope.h5'))
    mlp().save_weights(str(tmp_path / 'w.h5'))
    with pytest.raises(ValueError, match='No model found in config file'):
        load_model(str(tmp_path / 'w.h5'))


# ---------------------------------------------------------------------------- atomic writes
def test_overwrite_false_without_a_terminal_raises_and_keeps_the_file(tmp_path, monkeypatch):
    target = str(tmp_path / 'w.h5')
    first = mlp()
    first.save_weights(target)
    monkeypatch.setattr(sys, 'stdin', io.StringIO(''))
    for save in (mlp().save_weights, mlp().save):
        with pytest.raises(FileExistsError, match='overwrite=False'):
            save(target, overwrite=False)
    check = mlp()
    check.load_weights(target)
    assert_weights_equal(first, check)


def test_overwrite_false_on_a_terminal_asks(tmp_path, monkeypatch):
    class Tty(io.StringIO):
        def isatty(self):
            return True

    target = str(tmp_path / 'w.h5')
    first, second = mlp(), mlp()
    first.save_weights(target)
    monkeypatch.setattr(sys, 'stdin', Tty())
    answers = iter(['maybe', 'n', 'y'])
    monkeypatch.setattr('builtins.input', lambda prompt='': next(answers))
    second.save_weights(target, overwrite=False)  # 'maybe' asks again, then 'n': kept
    check = mlp()
    check.load_weights(target)
    assert_weights_equal(first, check)
    second.save_weights(target, overwrite=False)  # 'y'
    check.load_weights(target)
    assert_weights_equal(second, check)


def test_a_failing_save_leaves_the_previous_file_and_no_temporary(tmp_path, monkeypatch):
    target = str(tmp_path / 'm.h5')
    first = mlp()
    first.save(target)
    calls = []

    def failing(group, weights):
        calls.append(group.name)
        if len(calls) == 2:
            raise RuntimeError('disk full')
        return original(group, weights)

    original = saving_hdf5.write_weight_list
    monkeypatch.setattr(saving_hdf5, 'write_weight_list', failing)
    with pytest.raises(RuntimeError, match='disk full'):
        mlp().save(target)
    assert sorted(os.listdir(tmp_path)) == ['m.h5']
    monkeypatch.undo()
    assert_weights_equal(first, load_model(target))


def test_saving_keeps_permissions_and_writes_through_symlinks(tmp_path):
    real = tmp_path / 'real.h5'
    mlp().save_weights(str(real))
    os.chmod(real, 0o640)
    link = tmp_path / 'link.h5'
    link.symlink_to(real)
    model = mlp()
    model.save_weights(str(link))
    assert link.is_symlink() and oct(os.stat(real).st_mode & 0o777) == oct(0o640)
    check = mlp()
    check.load_weights(str(real))
    assert_weights_equal(model, check)


KILLED_CHILD = slow_save.PROLOGUE + textwrap.dedent('''
    import sys
    import numpy as np
    from keraslike.layers import Dense
    from keraslike.models import Sequential
    model = Sequential([Dense(64, input_dim=32, name='k1')] +
                       [Dense(64, name='k%d' % i) for i in range(2, 7)])
    model.set_weights([np.full(w.shape, 2., dtype='float32') for w in model.get_weights()])
    if sys.argv[1] == 'save':
        model.compile('sgd', 'mse')
    print('saving', flush=True)
    getattr(model, sys.argv[1])(sys.argv[2])
    print('done', flush=True)
''')


def killable_model(value):
    model = Sequential([Dense(64, input_dim=32, name='k1')] +
                       [Dense(64, name='k%d' % i) for i in range(2, 7)])
    model.set_weights([np.full(w.shape, value, dtype='float32') for w in model.get_weights()])
    return model


def save_and_get_killed(method, target):
    """Run KILLED_CHILD saving over ``target``; SIGKILL it in the middle of the write."""
    env = slow_save.child_env(0.3)
    child = subprocess.Popen([sys.executable, '-c', KILLED_CHILD, method, target], env=env,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert child.stdout.readline().strip() == 'saving', child.stderr.read()
        time.sleep(0.8)  # writing the 6 layer groups takes at least 6 x 0.3 s
    finally:
        os.kill(child.pid, signal.SIGKILL)
        child.wait()
    assert child.returncode == -signal.SIGKILL
    assert 'done' not in child.stdout.read()


def test_sigkill_during_save_weights_and_save_leaves_the_previous_file(tmp_path):
    """A child process is killed while it writes; the file saved before it stays loadable.

    The child's prologue (``slow_save``) makes it pause after each layer group, so the
    kill lands in the middle of the write; the temporary file it leaves behind proves it.
    """
    previous = killable_model(1.)
    targets = {}
    for method in ('save_weights', 'save'):
        (tmp_path / method).mkdir()
        targets[method] = str(tmp_path / method / 'model.h5')
        getattr(previous, method)(targets[method])
    with ThreadPoolExecutor(2) as pool:  # both children at once: one startup cost
        for done in [pool.submit(save_and_get_killed, m, t) for m, t in targets.items()]:
            done.result()
    for method, target in targets.items():
        if method == 'save':
            check = load_model(target)
        else:
            check = killable_model(0.)
            check.load_weights(target)
        assert all(np.all(w == 1.) for w in check.get_weights())
        assert glob.glob(os.path.join(os.path.dirname(target), '.model.h5.*.tmp'))  # mid-write


# ---------------------------------------------------------------------------- JSON, YAML, configs
def test_to_json_layout_and_round_trip():
    model = mlp()
    config = json.loads(model.to_json())
    assert config['keras_version'] == '1.2.2' and config['class_name'] == 'Sequential'
    assert config['config'][0]['config']['batch_input_shape'] == [None, 3]
    assert json.loads(model.to_json(indent=2)) == config
    clone = model_from_json(model.to_json())
    assert [layer.name for layer in clone.layers] == ['d1', 'd_drop', 'd2']
    assert_same_model_config(clone, model)
    assert tuple(clone.layers[2].get_config()['batch_input_shape']) == (None, 4)  # as Keras 1


def test_functional_json_round_trip_keeps_shared_layers_and_outputs():
    a, b = Input(shape=(3,), name='a'), Input(shape=(3,), name='b')
    shared = Dense(2, name='shared')
    out = Dense(1, name='out')(merge([shared(a), shared(b)], mode='concat', name='m'))
    model = Model([a, b], [out, shared(a)], name='two_out')
    clone = model_from_json(model.to_json())
    assert clone.name == 'two_out' and clone.output_names == ['out', 'shared']
    assert_same_model_config(clone, model)


def test_model_from_config_rejects_a_list():
    with pytest.raises(TypeError, match='expects a dictionary, not a list'):
        model_from_config(mlp().get_config())


def test_yaml_round_trip():
    pytest.importorskip('yaml')
    model = mlp()
    clone = model_from_yaml(model.to_yaml())
    assert_same_model_config(clone, model)
    # Keras 1's own yaml.dump writes tuples with a python/tuple tag
    keras1_yaml = model.to_yaml().replace('batch_input_shape:\n    - null\n    - 3\n',
                                          'batch_input_shape: !!python/tuple [null, 3]\n')
    assert '!!python/tuple' in keras1_yaml
    assert model_from_yaml(keras1_yaml).layers[0].batch_input_shape == (None, 3)


def test_yaml_refuses_python_objects():
    yaml = pytest.importorskip('yaml')
    with pytest.raises(yaml.YAMLError):
        model_from_yaml('!!python/object/apply:os.system ["echo unsafe"]')


def test_yaml_without_pyyaml_gives_a_clear_error(monkeypatch):
    monkeypatch.setitem(sys.modules, 'yaml', None)
    with pytest.raises(ImportError, match='pip install pyyaml'):
        mlp().to_yaml()
    with pytest.raises(ImportError, match='pip install pyyaml'):
        model_from_yaml('class_name: Sequential')


class ScaledDense(Dense):
    """A user's layer: Dense with its output multiplied by ``scale``."""

    def __init__(self, output_dim, scale=1., **kwargs):
        self.scale = scale
        super(ScaledDense, self).__init__(output_dim, **kwargs)

    def call(self, x, mask=None):
        return super(ScaledDense, self).call(x, mask) * self.scale

    def get_config(self):
        return dict(super(ScaledDense, self).get_config(), scale=self.scale)


def scaled_mse(y_true, y_pred):
    return K.mean(K.square(y_pred - y_true), axis=-1) * 2.


def test_custom_objects_for_layers_and_losses(tmp_path):
    model = Sequential([ScaledDense(2, scale=3., input_dim=4, name='scaled')])
    model.compile('sgd', scaled_mse)
    model.save(str(tmp_path / 'm.h5'))
    with h5py.File(tmp_path / 'm.h5', 'r') as f:
        assert json.loads(f.attrs['training_config'])['loss'] == 'scaled_mse'
    with pytest.raises(ValueError, match='ScaledDense'):
        load_model(str(tmp_path / 'm.h5'))
    loaded = load_model(str(tmp_path / 'm.h5'),
                        custom_objects={'ScaledDense': ScaledDense, 'scaled_mse': scaled_mse})
    assert isinstance(loaded.layers[0], ScaledDense) and loaded.layers[0].scale == 3.
    assert loaded.model.loss_functions[0] is scaled_mse
    assert_weights_equal(model, loaded)


def test_uncompiled_and_untrained_models(tmp_path):
    model = mlp()
    model.save(str(tmp_path / 'plain.h5'))
    with h5py.File(tmp_path / 'plain.h5', 'r') as f:
        assert sorted(f.attrs) == ['keras_version', 'model_config']
        assert h5py.check_string_dtype(f.attrs.get_id('model_config').dtype) is not None
        assert sorted(f) == ['model_weights']
    with pytest.warns(UserWarning, match='not\\* compiled'):
        loaded = load_model(str(tmp_path / 'plain.h5'))
    assert not hasattr(loaded, 'optimizer')
    assert_weights_equal(model, loaded)
    model.compile(optimizers.Adam(lr=0.01), 'mse', metrics=['mae'])
    model.save(str(tmp_path / 'compiled.h5'))
    with h5py.File(tmp_path / 'compiled.h5', 'r') as f:
        training = json.loads(f.attrs['training_config'])
        assert 'optimizer_weights' not in f  # no train function yet, as in Keras 1
    assert training == {'optimizer_config': {'class_name': 'Adam', 'config': model.optimizer
                                             .get_config()},
                        'loss': 'mse', 'metrics': ['mae'], 'sample_weight_mode': None,
                        'loss_weights': None}
    assert training['optimizer_config']['config']['lr'] == pytest.approx(0.01)


# ---------------------------------------------------------------------------- safe loading
def lambda_model():
    model = Sequential([Dense(3, input_dim=4, name='l_in')])
    model.add(Lambda(lambda x, k: abs(x) * k, arguments={'k': 2.}, name='lam'))
    return model


def test_marshalled_lambdas_are_refused_by_default(tmp_path):
    model = lambda_model()
    config = json.loads(model.to_json())
    model.save(str(tmp_path / 'm.h5'))
    for load in (lambda: load_model(str(tmp_path / 'm.h5')),
                 lambda: model_from_json(model.to_json()),
                 lambda: model_from_config(config),
                 lambda: Sequential.from_config(config['config'])):
        with pytest.raises(UnsafeConfigError, match='safe_mode=False'):
            load()


def test_lambdas_load_when_the_caller_opts_in(tmp_path):
    model = lambda_model()
    model.save(str(tmp_path / 'm.h5'))
    loaded = load_model(str(tmp_path / 'm.h5'), safe_mode=False)
    assert loaded.layers[1].arguments == {'k': 2.}
    assert_weights_equal(model, loaded)
    W, b = model.layers[0].get_weights()
    np.testing.assert_allclose(loaded.predict(X4), np.abs(X4.dot(W) + b) * 2., rtol=1e-5)


def test_nothing_is_unpickled_or_executed_from_a_crafted_config():
    crafted = {'class_name': 'Sequential', 'config': [{'class_name': 'Lambda', 'config': {
        'name': 'evil', 'function': ['not bytecode', None, None], 'function_type': 'lambda',
        'output_shape': None, 'output_shape_type': 'raw', 'arguments': {},
        'batch_input_shape': [None, 2], 'input_dtype': 'float32'}}]}
    with pytest.raises(UnsafeConfigError):
        model_from_config(crafted)
    with pytest.raises(ValueError, match='marshalled Python bytecode'):
        model_from_config(crafted, safe_mode=False)


# ---------------------------------------------------------------------------- resume training
def optimizer_cases():
    return [
        ('SGD', optimizers.SGD(lr=0.1, momentum=0.9, decay=0.01, nesterov=True), None),
        ('RMSprop', optimizers.RMSprop(lr=0.01), None),
        ('Adagrad', optimizers.Adagrad(lr=0.1), None),
        ('Adadelta', optimizers.Adadelta(), None),
        ('Adam', optimizers.Adam(lr=0.01, decay=0.01), None),
        ('Adamax', optimizers.Adamax(lr=0.02), None),
        # Keras 1 files do not hold Nadam's m_schedule: after loading it restarts at 1
        ('Nadam', optimizers.Nadam(lr=0.01), 'm_schedule'),
    ]


@pytest.mark.parametrize('case', range(7), ids=[c[0] for c in optimizer_cases()])
def test_training_resumes_exactly_after_load_model(case, tmp_path):
    name, optimizer, not_saved = optimizer_cases()[case]
    model = Sequential([Dense(3, input_dim=4, activation='tanh', name='r1'),
                        Dense(2, name='r2')])
    model.compile(optimizer, 'mse')
    model.train_on_batch(X4, Y2)
    model.save(str(tmp_path / 'm.h5'))
    with h5py.File(tmp_path / 'm.h5', 'r') as f:
        names = attr_strings(f['optimizer_weights'], 'weight_names')
        assert names == ['param_%d' % i for i in range(len(model.optimizer.weights))]
        for n, w in zip(names, model.optimizer.get_weights()):
            np.testing.assert_array_equal(f['optimizer_weights'][n][()], w)
    loaded = load_model(str(tmp_path / 'm.h5'))
    assert type(loaded.optimizer).__name__ == name
    assert loaded.optimizer.get_config() == model.optimizer.get_config()
    if not_saved:
        K.set_value(getattr(model.optimizer, not_saved), 1.)
    for x, y in ((X4b, Y2b), (X4, Y2)):
        np.testing.assert_allclose(loaded.train_on_batch(x, y), model.train_on_batch(x, y),
                                   rtol=1e-6)
    for got, want in zip(loaded.get_weights(), model.get_weights()):
        np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-7)


def test_functional_multi_output_training_config_and_resume(tmp_path):
    a = Input(shape=(4,), name='inp')
    h = Dense(3, activation='tanh', name='h')(a)
    model = Model(a, [Dense(2, name='o1')(h), Dense(1, activation='sigmoid', name='o2')(h)])
    model.compile(optimizers.Adam(lr=0.01), loss={'o1': scaled_mse, 'o2': 'binary_crossentropy'},
                  metrics={'o2': 'accuracy'}, loss_weights=[1., 0.5])
    y2 = (Y2[:, :1] > 0).astype('float32')
    model.train_on_batch(X4, [Y2, y2])
    model.save(str(tmp_path / 'm.h5'))
    loaded = load_model(str(tmp_path / 'm.h5'), custom_objects={'scaled_mse': scaled_mse})
    assert loaded.metrics_names == model.metrics_names
    assert loaded.loss_weights == [1., 0.5]
    np.testing.assert_allclose(loaded.train_on_batch(X4b, [Y2b, y2]),
                               model.train_on_batch(X4b, [Y2b, y2]), rtol=1e-6)
    for got, want in zip(loaded.get_weights(), model.get_weights()):
        np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-7)


# ---------------------------------------------------------------------------- layer families
def needs(*names):
    missing = [n for n in names if not hasattr(L, n)]
    assert not missing, 'keraslike.layers has no %s' % ', '.join(missing)
    return [getattr(L, n) for n in names]


def dense_family():
    (Highway, MaxoutDense, PReLU, SReLU, ParametricSoftplus, ELU, LeakyReLU, ThresholdedReLU,
     BatchNormalization, GaussianNoise, GaussianDropout, TimeDistributedDense) = needs(
        'Highway', 'MaxoutDense', 'PReLU', 'SReLU', 'ParametricSoftplus', 'ELU', 'LeakyReLU',
        'ThresholdedReLU', 'BatchNormalization', 'GaussianNoise', 'GaussianDropout',
        'TimeDistributedDense')
    model = Sequential([Dense(6, input_dim=4), Highway(activation='tanh'),
                        MaxoutDense(6, nb_feature=2), PReLU(), BatchNormalization(momentum=0.8),
                        SReLU(), ParametricSoftplus(), ELU(alpha=0.5), LeakyReLU(0.2),
                        ThresholdedReLU(theta=0.1), GaussianNoise(0.1), Dropout(0.3),
                        L.Reshape((2, 3)), L.Permute((2, 1)), TimeDistributedDense(2),
                        GaussianDropout(0.2), L.Flatten(), L.RepeatVector(2),
                        L.TimeDistributed(Dense(2)), L.Flatten(), Dense(2)])
    return model, X4


def conv2d_family():
    (Convolution2D, ZeroPadding2D, MaxPooling2D, AveragePooling2D, UpSampling2D, Cropping2D,
     AtrousConvolution2D, Deconvolution2D, LocallyConnected2D) = needs(
        'Convolution2D', 'ZeroPadding2D', 'MaxPooling2D', 'AveragePooling2D', 'UpSampling2D',
        'Cropping2D', 'AtrousConvolution2D', 'Deconvolution2D', 'LocallyConnected2D')
    model = Sequential([Convolution2D(3, 3, 2, border_mode='same', input_shape=(2, 7, 6)),
                        ZeroPadding2D((1, 1)), MaxPooling2D((2, 2)),
                        AveragePooling2D((2, 2), strides=(1, 1)), UpSampling2D((2, 2)),
                        Cropping2D(((1, 1), (1, 0))),
                        AtrousConvolution2D(2, 2, 2, atrous_rate=(2, 2))])
    _, c, r, w = model.output_shape
    model.add(Deconvolution2D(2, 2, 2, output_shape=(None, 2, r + 1, w + 1)))
    model.add(LocallyConnected2D(2, 2, 2))
    model.add(L.Flatten())
    model.add(Dense(2))
    return model, RNG.uniform(-1, 1, (3, 2, 7, 6)).astype('float32')


def conv1d_3d_family():
    (Convolution1D, ZeroPadding1D, MaxPooling1D, AtrousConvolution1D, UpSampling1D, Cropping1D,
     LocallyConnected1D, GlobalAveragePooling1D, Convolution3D, MaxPooling3D) = needs(
        'Convolution1D', 'ZeroPadding1D', 'MaxPooling1D', 'AtrousConvolution1D', 'UpSampling1D',
        'Cropping1D', 'LocallyConnected1D', 'GlobalAveragePooling1D', 'Convolution3D',
        'MaxPooling3D')
    a, b = Input(shape=(9, 2)), Input(shape=(1, 4, 4, 4))
    h = Convolution1D(3, 2, border_mode='same')(a)
    for layer in (ZeroPadding1D(1), MaxPooling1D(2), AtrousConvolution1D(2, 2, atrous_rate=2),
                  UpSampling1D(2), Cropping1D((1, 1)), LocallyConnected1D(2, 2),
                  GlobalAveragePooling1D()):
        h = layer(h)
    g = L.Flatten()(MaxPooling3D((2, 2, 2))(Convolution3D(2, 2, 2, 2, border_mode='same')(b)))
    model = Model([a, b], Dense(2)(merge([h, g], mode='concat')))
    return model, [RNG.uniform(-1, 1, (3, 9, 2)).astype('float32'),
                   RNG.uniform(-1, 1, (3, 1, 4, 4, 4)).astype('float32')]


def recurrent_family():
    Embedding, LSTM, GRU, SimpleRNN, Bidirectional, TimeDistributed = needs(
        'Embedding', 'LSTM', 'GRU', 'SimpleRNN', 'Bidirectional', 'TimeDistributed')
    model = Sequential([Embedding(10, 4, input_length=5, mask_zero=True),
                        LSTM(3, return_sequences=True, consume_less='mem'),
                        TimeDistributed(Dense(3)),
                        Bidirectional(GRU(2, return_sequences=True), merge_mode='sum'),
                        SimpleRNN(2, go_backwards=True), Dense(2)])
    x = RNG.randint(1, 10, (3, 5)).astype('int32')
    x[0, :2] = 0
    return model, x


def graph_family():
    a, b = Input(shape=(3,), name='ga'), Input(shape=(3,), name='gb')
    inner = Sequential([Dense(3, input_dim=3), Dense(3)])
    ha, hb = inner(a), inner(b)
    shared = Dense(3, name='g_shared')
    m = merge([shared(ha), shared(hb)], mode='concat')
    doubled = Lambda(lambda t: t * 2., name='g_lambda')(m)
    model = Model([a, b], [Dense(2, name='g_out')(doubled), hb])
    return model, [X4[:, :3], X4b[:, :3]]


def convlstm_family():
    ConvLSTM2D, = needs('ConvLSTM2D')
    model = Sequential([ConvLSTM2D(2, 2, 2, input_shape=(3, 1, 4, 4)), L.Flatten(), Dense(2)])
    return model, RNG.uniform(-1, 1, (2, 3, 1, 4, 4)).astype('float32')


FAMILIES = {'dense_activations_normalization_noise': dense_family, 'conv2d': conv2d_family,
            'conv1d_conv3d_local': conv1d_3d_family, 'recurrent_wrappers': recurrent_family,
            'graph_nested_lambda': graph_family, 'convlstm2d': convlstm_family}


def as_list(x):
    return x if isinstance(x, list) else [x]


@pytest.mark.parametrize('family', sorted(FAMILIES))
def test_layer_family_round_trip(family, tmp_path):
    K.reset_uids()  # a nested Sequential's name is not in its config: it is re-numbered
    model, x = FAMILIES[family]()
    model.set_weights([RNG.uniform(0.5, 1.5, w.shape).astype(w.dtype)
                       for w in model.get_weights()])  # BN variances stay positive
    model.save(str(tmp_path / 'm.h5'))
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        K.reset_uids()
        loaded = load_model(str(tmp_path / 'm.h5'), safe_mode=False)
    assert_same_model_config(loaded, model)
    assert_weights_equal(model, loaded)
    for got, want in zip(as_list(loaded.predict(x)), as_list(model.predict(x))):
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)
    # the other path: JSON plus a weights file
    model.save_weights(str(tmp_path / 'w.h5'))
    K.reset_uids()
    clone = model_from_json(model.to_json(), safe_mode=False)
    clone.load_weights(str(tmp_path / 'w.h5'))
    assert_weights_equal(model, clone)
    assert_same_model_config(clone, model)
