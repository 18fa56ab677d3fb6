"""Reuters newswire topics (``keras.datasets.reuters``): 11228 wires in 46 topics, as word indices.

Reads Keras 1's cache ``~/.keras/datasets/reuters.pkl`` (a pickle of ``(xs, labels)``)
with a restricted unpickler.

>>> (X_train, y_train), (X_test, y_test) = load_data(nb_words=1000)  # doctest: +SKIP
"""
from keraslike.utils.data_utils import get_file  # noqa: F401  (Keras 1 path)
from ._safe_pickle import ARRAY, MAPPING, SEQUENCES, check_layout
from ._text import (cached_path, default_nb_words, filter_maxlen, limit_vocabulary,
                    read_pickle, shift_indices, shuffled)

ORIGINS = {'reuters.pkl': 'https://s3.amazonaws.com/text-datasets/reuters.pkl',
           'reuters_word_index.pkl':
               'https://s3.amazonaws.com/text-datasets/reuters_word_index.pkl'}


def load_data(path='reuters.pkl', nb_words=None, skip_top=0, maxlen=None, test_split=0.2,
              seed=113, start_char=1, oov_char=2, index_from=3, num_words=None):
    """``(X_train, y_train), (X_test, y_test)`` as Python lists (Keras 1.2.2 returns lists).

    Wires and labels are shuffled with ``seed`` (NumPy's global RNG untouched), indexed
    as in ``imdb.load_data`` and split at ``int(len(X) * (1 - test_split))``. As there,
    ``oov_char=None`` drops out-of-range words (1.2.2 kept only those).
    """
    nb_words = num_words if num_words is not None else nb_words
    path = cached_path(path, ORIGINS, 'reuters.pkl')
    X, labels = check_layout(read_pickle(path), (SEQUENCES, ARRAY), path,
                             '(xs, labels): a list of word-index lists and their labels')
    X, labels = shuffled(X, seed), shuffled(labels, seed)
    X, labels = filter_maxlen(shift_indices(X, start_char, index_from), labels, maxlen)
    if not nb_words:
        nb_words = default_nb_words(X)
    X = limit_vocabulary(X, nb_words, skip_top, oov_char)
    split = int(len(X) * (1 - test_split))
    return (X[:split], labels[:split]), (X[split:], labels[split:])


def get_word_index(path='reuters_word_index.pkl'):
    """Dict word -> frequency rank, from ``reuters_word_index.pkl``."""
    path = cached_path(path, ORIGINS, 'reuters_word_index.pkl')
    return check_layout(read_pickle(path, encoding='latin1'), MAPPING, path,
                        'a dict word -> rank')
