"""Dataset loaders on small files written in Keras 1's published formats (Python 2 pickles),
the restricted unpickler, and get_file against an HTTP server on 127.0.0.1 (no other
network: the download function is replaced by one that refuses, except where a test serves
files itself)."""
import gzip
import hashlib
import http.server
import io
import os
import pickle
import struct
import tarfile
import threading
import urllib.error
import zipfile

import numpy as np
import pytest

from keraslike import backend as K
from keraslike.datasets import cifar10, cifar100, imdb, mnist, reuters
from keraslike.datasets._safe_pickle import safe_loads
from keraslike.datasets.cifar import load_batch
from keraslike.utils import data_utils
from keraslike.utils.data_utils import get_file, validate_file


class Py2Pickler(pickle._Pickler):
    """Pickles like Python 2's cPickle (protocol 2): ``str``/``bytes`` become Python 2 ``str``
    (BINSTRING) and NumPy's reconstructor is named ``numpy.core.multiarray``."""
    dispatch = dict(pickle._Pickler.dispatch)

    def save_py2str(self, obj):
        data = obj.encode('latin1') if isinstance(obj, str) else obj
        if len(data) < 256:
            self.write(pickle.SHORT_BINSTRING + bytes([len(data)]) + data)
        else:
            self.write(pickle.BINSTRING + struct.pack('<i', len(data)) + data)
        self.memoize(obj)
    dispatch[str] = save_py2str
    dispatch[bytes] = save_py2str


def py2_dumps(obj):
    buf = io.BytesIO()
    Py2Pickler(buf, protocol=2).dump(obj)
    return buf.getvalue().replace(b'cnumpy._core.multiarray\n', b'cnumpy.core.multiarray\n')


def write(path, data):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, 'wb') as f:
        f.write(data)
    return path


@pytest.fixture
def download_calls():
    return []


@pytest.fixture
def cache(tmp_path, monkeypatch, download_calls):
    """An empty Keras cache (``$KERAS_HOME``); downloads fail as they would offline."""
    monkeypatch.setenv('KERAS_HOME', str(tmp_path / 'keras'))

    def offline(origin, timeout=60):
        download_calls.append(origin)
        raise urllib.error.URLError('network disabled in tests')
    monkeypatch.setattr(data_utils, '_open_url', offline)
    datasets = tmp_path / 'keras' / 'datasets'
    datasets.mkdir(parents=True)
    return datasets


# ------------------------------------------------------------------ image datasets

def test_mnist_pkl_gz(cache, download_calls):
    rng = np.random.RandomState(0)
    X_train = rng.randint(0, 256, (4, 28, 28)).astype('uint8')
    y_train = np.array([5, 0, 4, 1], dtype='uint8')
    X_test = rng.randint(0, 256, (2, 28, 28)).astype('uint8')
    y_test = np.array([7, 2], dtype='uint8')
    write(str(cache / 'mnist.pkl.gz'),
          gzip.compress(py2_dumps(((X_train, y_train), (X_test, y_test)))))
    (a, b), (c, d) = mnist.load_data()
    assert a.dtype == np.uint8 and a.shape == (4, 28, 28)
    np.testing.assert_array_equal(a, X_train)
    np.testing.assert_array_equal(b, y_train)
    np.testing.assert_array_equal(c, X_test)
    np.testing.assert_array_equal(d, y_test)
    assert download_calls == []
    np.savez(str(cache / 'mnist.npz'), x_train=X_train, y_train=y_train, x_test=X_test,
             y_test=y_test)
    (a, _), (_, d) = mnist.load_data(path='mnist.npz')
    np.testing.assert_array_equal(a, X_train)
    np.testing.assert_array_equal(d, y_test)


def test_missing_dataset_says_where_to_put_it(cache, download_calls):
    with pytest.raises(OSError) as info:
        mnist.load_data()
    message = str(info.value)
    assert str(cache / 'mnist.pkl.gz') in message
    assert 'https://s3.amazonaws.com/img-datasets/mnist.pkl.gz' in message
    assert download_calls == ['https://s3.amazonaws.com/img-datasets/mnist.pkl.gz']
    assert os.listdir(str(cache)) == []  # no partial file left behind
    with pytest.raises(OSError, match='cifar-10-batches-py'):
        cifar10.load_data()


def test_data_files_cannot_run_code(cache, tmp_path):
    marker = tmp_path / 'pwned'

    class Exploit(object):
        def __reduce__(self):
            return (os.system, ('touch %s' % marker,))
    write(str(cache / 'mnist.pkl.gz'), gzip.compress(pickle.dumps(Exploit(), protocol=2)))
    with pytest.raises(pickle.UnpicklingError, match='Refusing to load'):
        mnist.load_data()
    assert not marker.exists()
    with pytest.raises(pickle.UnpicklingError):
        safe_loads(pickle.dumps(np.random.RandomState(0)))  # arbitrary classes too


def cifar_batch(n, label_key, offset, fine_and_coarse=False):
    data = (np.arange(n * 3072) + offset).reshape(n, 3072).astype('uint8')
    labels = [(offset + i) % 10 for i in range(n)]
    d = {'batch_label': 'batch', 'data': data, label_key: labels,
         'filenames': ['f%d.png' % i for i in range(n)]}
    if fine_and_coarse:
        d['coarse_labels'] = [i % 20 for i in range(n)]
    return py2_dumps(d), data.reshape(n, 3, 32, 32), labels


def test_cifar10_batches(cache):
    folder = cache / 'cifar-10-batches-py'
    train_x, train_y = [], []
    for i in range(1, 6):
        raw, data, labels = cifar_batch(2, 'labels', i * 7)
        write(str(folder / ('data_batch_%d' % i)), raw)
        train_x.append(data)
        train_y += labels
    raw, test_x, test_y = cifar_batch(3, 'labels', 100)
    write(str(folder / 'test_batch'), raw)
    data, labels = load_batch(str(folder / 'test_batch'))
    assert data.shape == (3, 3, 32, 32) and labels == test_y
    old = K.image_dim_ordering()
    try:
        K.set_image_dim_ordering('th')
        (X_train, y_train), (X_test, y_test) = cifar10.load_data()
        assert X_train.shape == (10, 3, 32, 32) and X_train.dtype == np.uint8
        np.testing.assert_array_equal(X_train, np.concatenate(train_x))
        assert y_train.shape == (10, 1) and y_train[:, 0].tolist() == train_y
        assert X_test.shape == (3, 3, 32, 32) and y_test[:, 0].tolist() == test_y
        K.set_image_dim_ordering('tf')
        (X_tf, _), _ = cifar10.load_data()
        np.testing.assert_array_equal(X_tf, X_train.transpose(0, 2, 3, 1))
    finally:
        K.set_image_dim_ordering(old)


def test_cifar100_from_the_tar_gz(cache, tmp_path):
    src = tmp_path / 'src' / 'cifar-100-python'
    raw, train_x, fine = cifar_batch(4, 'fine_labels', 3, fine_and_coarse=True)
    write(str(src / 'train'), raw)
    raw, _, _ = cifar_batch(2, 'fine_labels', 50, fine_and_coarse=True)
    write(str(src / 'test'), raw)
    with tarfile.open(str(cache / 'cifar-100-python.tar.gz'), 'w:gz') as tar:
        tar.add(str(src), arcname='cifar-100-python')
    (X_train, y_train), (X_test, y_test) = cifar100.load_data(label_mode='fine')
    assert (cache / 'cifar-100-python' / 'train').exists()  # extracted next to the archive
    assert y_train[:, 0].tolist() == fine and X_test.shape[0] == 2
    (_, y_coarse), _ = cifar100.load_data(label_mode='coarse')
    assert y_coarse[:, 0].tolist() == [0, 1, 2, 3]
    with pytest.raises(ValueError):
        cifar100.load_data(label_mode='medium')


# ------------------------------------------------------------------ text datasets

IMDB_TRAIN = [[1, 2, 3], [4, 5], [6, 7, 8, 9], [1]]
IMDB_TEST = [[2, 2], [9, 8, 7, 6, 5], [3]]
LABELS_TRAIN, LABELS_TEST = [0, 1, 1, 0], [1, 0, 1]


def keras1_shuffle(items, seed):
    items = list(items)
    np.random.seed(seed)
    np.random.shuffle(items)
    return items


def test_imdb_full_pkl(cache, tmp_path):
    path = write(str(tmp_path / 'imdb_full.pkl'),
                 py2_dumps(((IMDB_TRAIN, LABELS_TRAIN), (IMDB_TEST, LABELS_TEST))))
    state = np.random.get_state()[1].copy()
    (X_train, y_train), (X_test, y_test) = imdb.load_data(path=path)
    np.testing.assert_array_equal(np.random.get_state()[1], state)  # global RNG untouched
    order_train = keras1_shuffle(range(4), 113)
    order_test = keras1_shuffle(range(3), 226)
    assert X_train.dtype == object and len(X_train) == 4
    assert y_train.tolist() == [LABELS_TRAIN[i] for i in order_train]
    assert y_test.tolist() == [LABELS_TEST[i] for i in order_test]
    # start_char 1, indices + 3; default nb_words = largest index (12), itself out of range
    expected = [[1] + [w + 3 if w + 3 < 12 else 2 for w in IMDB_TRAIN[i]] for i in order_train]
    assert list(X_train) == expected
    (X_train, _), (X_test, _) = imdb.load_data(path=path, nb_words=8, skip_top=5, maxlen=4,
                                               start_char=None, index_from=0, oov_char=0)
    # maxlen filters train and test separately; words < 5 or >= 8 become 0
    assert sorted(map(tuple, X_train)) == [(0,), (0, 0, 0), (0, 5)]
    assert sorted(map(tuple, X_test)) == [(0,), (0, 0)]
    (X_train, _), _ = imdb.load_data(path=path, num_words=8, oov_char=None, start_char=None,
                                     index_from=0, skip_top=2)
    assert sorted(map(tuple, X_train)) == [(), (2, 3), (4, 5), (6, 7)]  # out of range dropped


def test_imdb_old_two_pickle_layout_and_word_index(cache, tmp_path):
    write(str(cache / 'imdb.pkl'), py2_dumps((IMDB_TRAIN, LABELS_TRAIN))
          + py2_dumps((IMDB_TEST, LABELS_TEST)))
    (X_train, _), (X_test, _) = imdb.load_data(path='imdb.pkl')
    assert len(X_train) == 4 and len(X_test) == 3
    index = write(str(tmp_path / 'idx.pkl'), py2_dumps({'the': 1, 'caf\xe9': 2}))
    assert imdb.get_word_index(path=index) == {'the': 1, 'caf\xe9': 2}


def test_imdb_cache_file_with_wrong_hash(cache):
    write(str(cache / 'imdb_full.pkl'), py2_dumps(((IMDB_TRAIN, LABELS_TRAIN),
                                                    (IMDB_TEST, LABELS_TEST))))
    with pytest.raises(OSError, match='does not match its published hash'):
        imdb.load_data()
    assert (cache / 'imdb_full.pkl').exists()  # the user's file is not deleted


def test_reuters(cache):
    xs = [[1, 2], [3], [4, 5, 6], [7, 8], [9]]
    labels = [3, 1, 4, 1, 5]
    write(str(cache / 'reuters.pkl'), py2_dumps((xs, labels)))
    (X_train, y_train), (X_test, y_test) = reuters.load_data(test_split=0.4)
    order = keras1_shuffle(range(5), 113)
    assert isinstance(X_train, list) and len(X_train) == 3 and len(X_test) == 2
    assert y_train + y_test == [labels[i] for i in order]
    assert X_train[0] == [1] + [w + 3 for w in xs[order[0]]]
    (X_train, _), _ = reuters.load_data(nb_words=6, test_split=0.)
    assert max(max(x) for x in X_train) <= 5 and 2 in sum(X_train, [])
    write(str(cache / 'reuters_word_index.pkl'), py2_dumps({'oil': 1}))
    assert reuters.get_word_index() == {'oil': 1}


# ------------------------------------------------------------------ get_file over HTTP

class _Files(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        self.server.hits.append(self.path)
        body = self.server.files.get(self.path)
        if body is None:
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header('Content-Length', str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def served(cache, monkeypatch):
    server = http.server.HTTPServer(('127.0.0.1', 0), _Files)
    server.files, server.hits = {}, []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    import urllib.request
    monkeypatch.setattr(data_utils, '_open_url',  # loopback only
                        lambda origin, timeout=60: urllib.request.urlopen(origin, timeout=5))
    server.url = 'http://127.0.0.1:%d' % server.server_address[1]
    yield server
    server.shutdown()
    server.server_close()


def tgz(files):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode='w:gz') as tar:
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return buf.getvalue()


def test_get_file_downloads_caches_and_checks_hashes(served, cache, capsys):
    payload = os.urandom(100000)
    served.files['/data.bin'] = payload
    md5 = hashlib.md5(payload).hexdigest()
    sha = hashlib.sha256(payload).hexdigest()
    path = get_file('data.bin', served.url + '/data.bin', md5_hash=md5)
    assert path == str(cache / 'data.bin') and open(path, 'rb').read() == payload
    assert 'Downloading data from' in capsys.readouterr().out
    assert get_file('data.bin', served.url + '/data.bin', file_hash=sha) == path
    assert served.hits == ['/data.bin']  # cached: no second request
    assert validate_file(path, sha) and validate_file(path, md5)
    write(path, b'corrupted')
    get_file('data.bin', served.url + '/data.bin', file_hash=sha)
    assert open(path, 'rb').read() == payload and len(served.hits) == 2
    assert [n for n in os.listdir(str(cache)) if n.endswith('.part')] == []


def test_get_file_rejects_a_download_with_the_wrong_hash(served, cache):
    served.files['/bad.bin'] = b'unexpected content'
    with pytest.raises(ValueError, match='does not match the expected hash'):
        get_file('bad.bin', served.url + '/bad.bin', md5_hash='0' * 32)
    assert os.listdir(str(cache)) == []  # nothing under the final name, no temporary file
    with pytest.raises(OSError, match='404') as info:
        get_file('absent.bin', served.url + '/absent.bin')
    assert str(cache / 'absent.bin') in str(info.value)


def test_get_file_untar_extract_and_cache_dir(served, cache, tmp_path):
    served.files['/pack.tar.gz'] = tgz({'pack/a.txt': b'A', 'pack/sub/b.txt': b'B'})
    path = get_file('pack', served.url + '/pack.tar.gz', untar=True)
    assert path == str(cache / 'pack') and open(os.path.join(path, 'sub', 'b.txt')).read() == 'B'
    assert get_file('pack', served.url + '/pack.tar.gz', untar=True) == path
    assert served.hits == ['/pack.tar.gz']
    zbuf = io.BytesIO()
    with zipfile.ZipFile(zbuf, 'w') as z:
        z.writestr('zipped/c.txt', 'C')
    served.files['/z.zip'] = zbuf.getvalue()
    other = tmp_path / 'elsewhere'
    path = get_file('z.zip', served.url + '/z.zip', extract=True, cache_dir=str(other),
                    cache_subdir='stuff')
    assert path == str(other / 'stuff' / 'z.zip')
    assert (other / 'stuff' / 'zipped' / 'c.txt').read_text() == 'C'


def test_get_file_refuses_archive_members_outside_the_cache(served, cache):
    served.files['/evil.tar.gz'] = tgz({'../escaped.txt': b'x'})
    with pytest.raises((tarfile.TarError, ValueError)):
        get_file('evil', served.url + '/evil.tar.gz', untar=True)
    assert not (cache.parent / 'escaped.txt').exists()
    assert not (cache / 'evil').exists()
