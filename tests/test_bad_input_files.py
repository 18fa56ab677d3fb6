"""Bad files and bad paths (issue 16): read-only targets, temporaries left by killed saves,
damaged HDF5 data (Fletcher-32), by_name loads matching nothing, configs that are not model
configs, unknown function types, dataset pickles of the wrong structure.

Models are tiny and compiled in FAST_COMPILE mode; the one child process runs with a timeout.
"""
import gzip
import json
import os
import pickle
import signal
import stat
import subprocess
import sys
import textwrap
import time

import h5py
import numpy as np
import pytest

from fixture_paths import KERAS1_FIXTURES
from keraslike import backend as K
from keraslike.callbacks import ModelCheckpoint
from keraslike.datasets import cifar10, imdb, mnist, reuters
from keraslike.datasets.cifar import load_batch
from keraslike.engine import saving_hdf5
from keraslike.engine.saving_hdf5 import InvalidWeightsFileError
from keraslike.layers import Dense, Input, Lambda, merge
from keraslike.models import Model, Sequential, load_model, model_from_config, model_from_json
from keraslike.utils import data_utils
from keraslike.utils.io_utils import save_array
import slow_save

RNG = np.random.RandomState(0)
X = RNG.rand(8, 4).astype('float32')
Y = np.eye(3, dtype='float32')[RNG.randint(0, 3, 8)]


@pytest.fixture(scope='module', autouse=True)
def fast_compile():
    with K.using_mode('FAST_COMPILE'):  # back to the setting before, 'none chosen' included
        yield


@pytest.fixture(scope='module')
def m():
    model = Sequential([Dense(3, input_dim=4, activation='softmax', name='dense_a')])
    model.compile('sgd', 'categorical_crossentropy')
    return model


def read_only(path):
    os.chmod(path, stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH)


def listing(folder):
    return sorted(os.listdir(folder))


# ---------------------------------------------------------------------------- read-only targets
@pytest.mark.parametrize('how', ['save_weights', 'save', 'checkpoint', 'save_array'])
def test_a_read_only_file_is_refused_before_anything_is_written(m, tmp_path, how):
    target = tmp_path / 'locked.h5'
    target.write_bytes(b'precious')
    read_only(target)
    with pytest.raises(PermissionError, match='read-only') as info:
        if how == 'checkpoint':
            m.fit(X, Y, nb_epoch=1, verbose=0, callbacks=[ModelCheckpoint(str(target))])
        elif how == 'save_array':
            save_array(X, str(target))
        else:
            getattr(m, how)(str(target))
    assert info.value.filename.startswith(str(target))  # (-> real path) if /tmp is a link
    assert target.read_bytes() == b'precious'
    assert listing(tmp_path) == ['locked.h5']  # no temporary was created


def test_a_read_only_folder_and_a_symlink_to_a_read_only_file(m, tmp_path):
    folder = tmp_path / 'locked'
    folder.mkdir()
    os.chmod(folder, 0o555)
    try:
        with pytest.raises(PermissionError, match='folder is read-only') as info:
            m.save_weights(str(folder / 'w.h5'))
        assert info.value.filename == os.path.realpath(str(folder))
        assert listing(folder) == []
    finally:
        os.chmod(folder, 0o755)
    real = tmp_path / 'real.h5'
    m.save_weights(str(real))
    read_only(real)
    (tmp_path / 'link.h5').symlink_to(real)
    with pytest.raises(PermissionError, match='real.h5'):  # the message shows where it points
        m.save_weights(str(tmp_path / 'link.h5'))
    with pytest.raises(IsADirectoryError):
        m.save_weights(str(tmp_path))


def test_overwrite_false_refuses_a_read_only_file_before_asking(m, tmp_path, monkeypatch):
    target = tmp_path / 'locked.h5'
    m.save_weights(str(target))
    read_only(target)
    monkeypatch.setattr('builtins.input', lambda prompt: pytest.fail('asked: ' + prompt))
    with pytest.raises(PermissionError):
        m.save_weights(str(target), overwrite=False)


# ---------------------------------------------------------------------------- stale temporaries
def dead_pid():
    child = subprocess.Popen(['true'])
    child.wait()
    return child.pid


def test_stale_temporaries_of_the_target_are_removed_live_ones_kept(m, tmp_path):
    target = tmp_path / 'w.h5'
    hexes = iter('%012x' % i for i in range(1, 100))
    live = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(60)'])
    try:
        dead = '.w.h5.pid%d.%s.tmp' % (dead_pid(), next(hexes))
        mine = '.w.h5.pid%d.%s.tmp' % (os.getpid(), next(hexes))  # this process is not saving
        legacy = '.w.h5.%s.tmp' % next(hexes)  # name of earlier versions, no pid
        writing = '.w.h5.pid%d.%s.tmp' % (live.pid, next(hexes))  # another process's save
        old_reused_pid = '.w.h5.pid%d.%s.tmp' % (live.pid, next(hexes))
        other_target = '.w.h5.bak.pid%d.%s.tmp' % (dead_pid(), next(hexes))
        for name in (dead, mine, legacy, writing, old_reused_pid, other_target):
            (tmp_path / name).write_bytes(b'x' * 1000)
        past = time.time() - 10
        os.utime(tmp_path / legacy, (past, past))
        ancient = time.time() - saving_hdf5.STALE_TMP_AGE_S - 10
        os.utime(tmp_path / old_reused_pid, (ancient, ancient))
        m.save_weights(str(target))
        assert listing(tmp_path) == sorted([writing, other_target, 'w.h5'])
    finally:
        live.kill()
        live.wait()


KILLED_CHILD = slow_save.PROLOGUE + textwrap.dedent('''
    import sys
    from keraslike.layers import Dense
    from keraslike.models import Sequential
    model = Sequential([Dense(8, input_dim=4)] + [Dense(8) for _ in range(5)])
    print('saving', flush=True)
    model.save_weights(sys.argv[1])
''')


def test_the_next_save_removes_what_a_sigkilled_save_left(m, tmp_path):
    target = str(tmp_path / 'w.h5')
    m.save_weights(target)
    env = slow_save.child_env(0.5)
    child = subprocess.Popen([sys.executable, '-c', KILLED_CHILD, target], env=env,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert child.stdout.readline().strip() == 'saving', child.stderr.read()
        deadline = time.time() + 60
        while len(listing(tmp_path)) < 2 and time.time() < deadline:
            time.sleep(0.05)
        time.sleep(0.3)
    finally:
        os.kill(child.pid, signal.SIGKILL)
        child.communicate(timeout=60)
    left = [n for n in listing(tmp_path) if n != 'w.h5']
    assert len(left) == 1 and left[0].startswith('.w.h5.pid%d.' % child.pid), left
    m.save_weights(target)
    assert listing(tmp_path) == ['w.h5']


# ---------------------------------------------------------------------------- checksums
def flip_a_byte(path, dataset):
    with h5py.File(path, 'r') as f:
        dset = f[dataset]
        assert dset.fletcher32
        offset = dset.id.get_chunk_info(0).byte_offset  # chunked: get_offset() is None
    with open(path, 'r+b') as f:
        f.seek(offset + 2)
        byte = f.read(1)
        f.seek(offset + 2)
        f.write(bytes([byte[0] ^ 0x10]))


def test_a_flipped_bit_in_a_stored_kernel_is_caught(m, tmp_path):
    weights, model_file = str(tmp_path / 'w.h5'), str(tmp_path / 'm.h5')
    m.save_weights(weights)
    m.save(model_file)
    before = m.get_weights()
    flip_a_byte(weights, 'dense_a/dense_a_W')
    flip_a_byte(model_file, 'model_weights/dense_a/dense_a_W')
    with pytest.raises(InvalidWeightsFileError, match='checksum') as info:
        m.load_weights(weights)
    assert 'w.h5' in str(info.value) and '/dense_a/dense_a_W' in str(info.value)
    with pytest.raises(InvalidWeightsFileError, match='model_weights/dense_a/dense_a_W'):
        load_model(model_file)
    for a, b in zip(before, m.get_weights()):
        np.testing.assert_array_equal(a, b)


def test_scalar_and_empty_weights_are_stored_without_chunks(tmp_path):
    variables = [K.variable(np.float32(2.5), name='scalar'),
                 K.variable(np.zeros((0, 3), 'float32'), name='empty'),
                 K.variable(np.ones((2, 3), 'float32'), name='matrix')]
    with saving_hdf5.atomic_h5_file(str(tmp_path / 'v.h5')) as f:
        saving_hdf5.write_weight_list(f.create_group('g'), variables)
    with h5py.File(str(tmp_path / 'v.h5'), 'r') as f:
        assert [f['g'][n].fletcher32 for n in ('scalar', 'empty', 'matrix')] == [
            False, False, True]
        values = saving_hdf5.read_weight_list(f['g'], 'v.h5', 'g')
    assert values[0][1] == 2.5 and values[1][1].shape == (0, 3) and values[2][1].sum() == 6


def test_keras1_files_without_checksums_still_load():
    path = os.path.join(KERAS1_FIXTURES, 'dense_mlp_model.h5')
    with h5py.File(path, 'r') as f:
        checked = []
        f.visititems(lambda name, obj: checked.append(obj.fletcher32)
                     if isinstance(obj, h5py.Dataset) else None)
    assert checked and not any(checked)
    assert load_model(path).get_weights()


# ---------------------------------------------------------------------------- by_name loading
def test_by_name_matching_no_layer_raises_and_names_both_sides(m, tmp_path):
    path = str(tmp_path / 'w.h5')
    m.save_weights(path)
    other = Sequential([Dense(3, input_dim=4, name='renamed')])
    before = other.get_weights()
    with pytest.raises(ValueError, match='nothing would be loaded') as info:
        other.load_weights(path, by_name=True)
    assert "['dense_a']" in str(info.value) and "['renamed']" in str(info.value)
    assert path in str(info.value)
    np.testing.assert_array_equal(before[0], other.get_weights()[0])
    both = Sequential([Dense(3, input_dim=4, name='dense_a'), Dense(2, name='extra')])
    both.load_weights(path, by_name=True)  # one match is enough
    np.testing.assert_array_equal(both.get_weights()[0], m.get_weights()[0])


# ---------------------------------------------------------------------------- configs
@pytest.mark.parametrize('text, found', [
    ('null', 'null'), ('3', 'int 3'), ('"a"', "str 'a'"), ('[1, 2]', 'not a list'),
    ('{"config": {}}', "missing 'class_name'"), ('{"class_name": "Sequential"}', "'config'"),
    ('{"class_name": 1, "config": []}', "'class_name' must be a string"),
    ('{"class_name": "Sequential", "config": 5}', "'config' of a Sequential must be"),
])
def test_json_that_is_not_a_model_config(text, found):
    with pytest.raises(ValueError, match='model_from_json') as info:
        model_from_json(text)
    assert found in str(info.value)


def test_model_from_config_and_load_model_check_the_config(m, tmp_path):
    with pytest.raises(ValueError, match=r"model_from_config expects a model config.*got null"):
        model_from_config(None)
    with pytest.raises(TypeError, match='JSON text'):
        model_from_json({'class_name': 'Sequential'})
    path = str(tmp_path / 'm.h5')
    m.save(path)
    with h5py.File(path, 'r+') as f:
        f.attrs['model_config'] = b'[]'
    with pytest.raises(ValueError, match=r'load_model \(the model_config of .*m\.h5\)'):
        load_model(path)


def test_yaml_that_is_not_a_model_config():
    pytest.importorskip('yaml')
    from keraslike.models import model_from_yaml
    with pytest.raises(ValueError, match='model_from_yaml expects a model config'):
        model_from_yaml('null')


def lambda_config(field, value):
    x = Input(shape=(4,))
    model = Model(x, Lambda(K.abs, output_shape=(4,), name='lam')(x))
    config = json.loads(model.to_json())
    config['config']['layers'][1]['config'][field] = value
    return json.dumps(config)


@pytest.mark.parametrize('field, accepted', [
    ('function_type', "'function', 'lambda'"),
    ('output_shape_type', "'function', 'lambda', 'raw'")])
def test_unknown_function_type_names_the_layer_and_the_accepted_values(field, accepted):
    assert model_from_json(lambda_config(field, 'function' if field == 'function_type'
                                         else 'raw')).layers[1].function is K.abs
    with pytest.raises(ValueError, match='Lambda layer "lam"') as info:
        model_from_json(lambda_config(field, 'bogus'))
    assert "%s='bogus'" % field in str(info.value) and accepted in str(info.value)


def test_unknown_merge_mode_type():
    a, b = Input(shape=(2,)), Input(shape=(2,))
    config = json.loads(Model([a, b], merge([a, b], mode='sum', name='mg')).to_json())
    config['config']['layers'][2]['config']['mode_type'] = 'bogus'
    with pytest.raises(ValueError, match='mode of Merge layer "mg".*mode_type=\'bogus\''):
        model_from_json(json.dumps(config))


# ---------------------------------------------------------------------------- dataset pickles
@pytest.fixture
def cache(tmp_path, monkeypatch):
    monkeypatch.setenv('KERAS_HOME', str(tmp_path / 'keras'))

    def offline(origin, timeout=60):
        raise AssertionError('no download in these tests')
    monkeypatch.setattr(data_utils, '_open_url', offline)
    folder = tmp_path / 'keras' / 'datasets'
    folder.mkdir(parents=True)
    return folder


def pickled(path, *objects, gz=False):
    data = b''.join(pickle.dumps(o, protocol=2) for o in objects)
    path.write_bytes(gzip.compress(data) if gz else data)
    return str(path)


IMAGES = np.zeros((2, 28, 28), 'uint8')
LABELS = np.array([1, 2], 'uint8')
SEQS, SEQ_LABELS = [[1, 2], [3]], [0, 1]


@pytest.mark.parametrize('data, found', [
    ({'x_train': IMAGES}, 'the data is a dict'),
    (((IMAGES, LABELS),), 'the data is a tuple of 1 items (should be a tuple of 2)'),
    (((IMAGES, LABELS), (IMAGES, LABELS, LABELS)), 'the data[1] is a tuple of 3'),
    ((('abc', LABELS), (IMAGES, LABELS)), "the data[0][0] is str 'abc'"),
    (((IMAGES, ['a', 'b']), (IMAGES, LABELS)), "the data[0][1] is a list of 2 items, the first"),
    (((IMAGES, LABELS[:1]), (IMAGES, LABELS)), 'the data[0] has 2 samples and 1 labels'),
])
def test_mnist_pickle_of_the_wrong_structure(cache, data, found):
    pickled(cache / 'mnist.pkl.gz', data, gz=True)
    with pytest.raises(ValueError, match='mnist.pkl.gz does not hold the expected data') as info:
        mnist.load_data()
    assert found in str(info.value) and '(X_train, y_train)' in str(info.value)


def test_mnist_npz_without_the_arrays(cache):
    np.savez(str(cache / 'mnist.npz'), x_train=IMAGES)
    with pytest.raises(ValueError, match=r"mnist.npz .*lacks \['y_train', 'x_test', 'y_test'\]"):
        mnist.load_data(path='mnist.npz')


def test_imdb_and_reuters_pickles_of_the_wrong_structure(cache, tmp_path):
    path = pickled(tmp_path / 'imdb_full.pkl', ((['a b', 'c'], SEQ_LABELS), (SEQS, SEQ_LABELS)))
    with pytest.raises(ValueError, match=r"imdb_full.pkl .*the data\[0\]\[0\] is a list .*str"):
        imdb.load_data(path=path)
    path = pickled(tmp_path / 'imdb.pkl', (SEQS, SEQ_LABELS), (SEQS, SEQ_LABELS, SEQS))
    with pytest.raises(ValueError, match=r'the pickles\[1\] is a tuple of 3'):
        imdb.load_data(path=path)
    path = pickled(cache / 'reuters.pkl', (SEQS, SEQ_LABELS, SEQ_LABELS))
    with pytest.raises(ValueError, match=r'reuters.pkl .*expected \(xs, labels\)'):
        reuters.load_data()
    pickled(cache / 'reuters.pkl', (SEQS, [0]))
    with pytest.raises(ValueError, match='has 2 samples and 1 labels'):
        reuters.load_data()
    pickled(cache / 'reuters_word_index.pkl', [('oil', 1)])
    with pytest.raises(ValueError, match='reuters_word_index.pkl .*expected a dict word'):
        reuters.get_word_index()


@pytest.mark.parametrize('batch, found', [
    ([1, 2, 3], 'the data is a list of 3 items'),
    ({'data': np.zeros((2, 3072), 'uint8')}, "no 'labels' entry"),
    ({'data': 'pixels', 'labels': [0, 1]}, "('data', 'labels')[0] is str 'pixels'"),
    ({'data': np.zeros((2, 100), 'uint8'), 'labels': [0, 1]}, "'data' has shape (2, 100)"),
    ({'data': np.zeros((2, 3072), 'uint8'), 'labels': [0]}, 'has 2 samples and 1 labels'),
])
def test_cifar_batch_of_the_wrong_structure(cache, batch, found):
    folder = cache / 'cifar-10-batches-py'
    folder.mkdir()
    path = pickled(folder / 'data_batch_1', batch)
    with pytest.raises(ValueError, match='data_batch_1') as info:
        load_batch(path)
    assert found in str(info.value)
    with pytest.raises(ValueError, match='data_batch_1'):
        cifar10.load_data()


def test_model_checkpoint_onto_a_read_only_file_fails_before_training(tmp_path):
    from keraslike.callbacks import ModelCheckpoint
    from keraslike.layers import Dense
    from keraslike.models import Sequential
    target = tmp_path / 'ckpt.h5'
    target.write_bytes(b'keep me')
    target.chmod(0o444)
    model = Sequential([Dense(2, input_dim=3)])
    model.compile('sgd', 'mse')
    x, y = np.zeros((4, 3), 'float32'), np.zeros((4, 2), 'float32')
    y[:] = 1.
    before = model.get_weights()
    with pytest.raises(PermissionError, match='read-only'):
        model.fit(x, y, nb_epoch=1, verbose=0, callbacks=[ModelCheckpoint(str(target))])
    assert target.read_bytes() == b'keep me'
    for w0, w1 in zip(before, model.get_weights()):     # no epoch was trained
        np.testing.assert_array_equal(w0, w1)
