"""IMDB movie-review sentiment (``keras.datasets.imdb``): 25000 + 25000 reviews as word indices.

Reads Keras 1's cache ``~/.keras/datasets/imdb_full.pkl`` (one pickle of
``((x_train, labels_train), (x_test, labels_test))``, lists of word-rank lists) or
the older ``imdb.pkl`` (two pickles, train then test), with a restricted unpickler.

>>> (X_train, y_train), (X_test, y_test) = load_data(nb_words=20000)  # doctest: +SKIP
"""
import numpy as np

from keraslike.utils.data_utils import get_file  # noqa: F401  (Keras 1 path)
from ._safe_pickle import ARRAY, MAPPING, SEQUENCES, check_layout
from ._text import (cached_path, default_nb_words, filter_maxlen, limit_vocabulary,
                    object_array, read_pickle, read_pickles, shift_indices, shuffled)

ORIGINS = {'imdb_full.pkl': 'https://s3.amazonaws.com/text-datasets/imdb_full.pkl',
           'imdb.pkl': 'https://s3.amazonaws.com/text-datasets/imdb.pkl',
           'imdb_word_index.pkl': 'https://s3.amazonaws.com/text-datasets/imdb_word_index.pkl'}
MD5 = {'imdb_full.pkl': 'd091312047c43cf9e4e38fef92437263',
       'imdb_word_index.pkl': '72d94b01291be4ff843198d3b0e1e4d7'}


_LAYOUT = ((SEQUENCES, ARRAY), (SEQUENCES, ARRAY))
_EXPECTED = ('((x_train, labels_train), (x_test, labels_test)): lists of word-index lists and '
             'their labels, in one pickle (imdb_full.pkl) or two (imdb.pkl)')


def _read(path):
    items = read_pickles(path)
    if len(items) == 1:  # imdb_full.pkl
        data = check_layout(items[0], _LAYOUT, path, _EXPECTED)
    elif len(items) == 2:  # imdb.pkl: two pickles
        data = check_layout(items, _LAYOUT, path, _EXPECTED, where='the pickles')
    else:
        raise ValueError('%s holds %d pickles; expected the imdb_full.pkl or imdb.pkl '
                         'layout.' % (path, len(items)))
    (x_train, labels_train), (x_test, labels_test) = data
    return list(x_train), list(labels_train), list(x_test), list(labels_test)


def load_data(path='imdb_full.pkl', nb_words=None, skip_top=0, maxlen=None, seed=113,
              start_char=1, oov_char=2, index_from=3, num_words=None):
    """``(X_train, y_train), (X_test, y_test)``: object arrays of word-index lists and label
    arrays.

    Train and test are shuffled with ``seed`` and ``2 * seed`` (as Keras 1 does, but
    NumPy's global RNG is left alone); word ranks are shifted by ``index_from`` and
    prefixed with ``start_char``; ``maxlen`` keeps sequences shorter than ``maxlen``;
    words ranked ``>= nb_words`` (Keras 2: ``num_words``) or ``< skip_top`` become
    ``oov_char``. Differences from Keras 1.2.2, on purpose: ``maxlen`` filters train and
    test separately (1.2.2 split the filtered data at the unfiltered train count, moving
    test reviews into the training set), and ``oov_char=None`` drops the out-of-range
    words (1.2.2 kept only those).

    ``path``: a file name in the cache (``imdb_full.pkl``, checked against its published
    md5, or ``imdb.pkl``) or the path of your own file in either layout.
    """
    nb_words = num_words if num_words is not None else nb_words
    path = cached_path(path, ORIGINS, 'imdb_full.pkl', MD5)
    x_train, labels_train, x_test, labels_test = _read(path)
    x_train, labels_train = shuffled(x_train, seed), shuffled(labels_train, seed)
    x_test, labels_test = shuffled(x_test, seed * 2), shuffled(labels_test, seed * 2)
    X_train, y_train = filter_maxlen(shift_indices(x_train, start_char, index_from),
                                     labels_train, maxlen)
    X_test, y_test = filter_maxlen(shift_indices(x_test, start_char, index_from),
                                   labels_test, maxlen)
    if not X_train and not X_test:
        raise ValueError('After filtering for sequences shorter than maxlen=' + str(maxlen)
                         + ', no sequence was kept. Increase maxlen.')
    if not nb_words:
        nb_words = default_nb_words(X_train + X_test)
    X_train = limit_vocabulary(X_train, nb_words, skip_top, oov_char)
    X_test = limit_vocabulary(X_test, nb_words, skip_top, oov_char)
    return ((object_array(X_train), np.array(y_train)),
            (object_array(X_test), np.array(y_test)))


def get_word_index(path='imdb_word_index.pkl'):
    """Dict word -> frequency rank (1 = most frequent), from ``imdb_word_index.pkl``."""
    path = cached_path(path, ORIGINS, 'imdb_word_index.pkl', MD5)
    return check_layout(read_pickle(path, encoding='latin1'), MAPPING, path,
                        'a dict word -> rank')
