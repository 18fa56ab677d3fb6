"""Shared word-index processing of the imdb and reuters loaders (Keras 1.2.2 rules).

>>> X = shift_indices([[5, 1]], start_char=1, index_from=3)
>>> X, limit_vocabulary(X, nb_words=7, skip_top=0, oov_char=2)
([[1, 8, 4]], [[1, 2, 4]])
"""
import os

import numpy as np

from keraslike.utils.data_utils import get_file
from ._safe_pickle import safe_load, safe_load_all


def shuffled(items, seed):
    """``items`` (a list) permuted as ``np.random.seed(seed); np.random.shuffle(items)`` would,
    without touching NumPy's global random state."""
    items = list(items)
    np.random.RandomState(seed).shuffle(items)
    return items


def shift_indices(X, start_char, index_from):
    """Shift word ranks by ``index_from`` and prepend ``start_char`` (if not None)."""
    if start_char is not None:
        return [[start_char] + [w + index_from for w in x] for x in X]
    if index_from:
        return [[w + index_from for w in x] for x in X]
    return [list(x) for x in X]


def default_nb_words(X):
    """Keras 1's default vocabulary bound: the largest index present (which therefore
    itself becomes out-of-vocabulary, as in Keras 1.2.2)."""
    return max([max(x) for x in X if len(x)] or [0])


def limit_vocabulary(X, nb_words, skip_top, oov_char):
    """Words ``>= nb_words`` or ``< skip_top`` become ``oov_char``, or are dropped when
    ``oov_char`` is None."""
    if oov_char is not None:
        return [[oov_char if (w >= nb_words or w < skip_top) else w for w in x] for x in X]
    return [[w for w in x if skip_top <= w < nb_words] for x in X]


def filter_maxlen(X, labels, maxlen):
    if not maxlen:
        return X, labels
    kept = [(x, y) for x, y in zip(X, labels) if len(x) < maxlen]
    return [x for x, _ in kept], [y for _, y in kept]


def cached_path(path, origins, default_name, md5s=None):
    """``get_file`` for a dataset file: known names download from their published origin
    (with the published md5 when there is one); any other path is the user's own file."""
    name = os.path.basename(path)
    origin = origins.get(name, origins[default_name])
    md5 = (md5s or {}).get(path)
    return get_file(path, origin=origin, md5_hash=md5)


def read_pickles(path, encoding='ASCII'):
    """All pickles in a (possibly gzipped) file, restricted to plain data."""
    import gzip
    opener = gzip.open if path.endswith('.gz') else open
    with opener(path, 'rb') as f:
        return safe_load_all(f, encoding=encoding)


def read_pickle(path, encoding='ASCII'):
    import gzip
    opener = gzip.open if path.endswith('.gz') else open
    with opener(path, 'rb') as f:
        return safe_load(f, encoding=encoding)


def object_array(lists):
    """A 1-D object array holding the given lists (NumPy 2 refuses ragged ``np.array``)."""
    out = np.empty(len(lists), dtype=object)
    for i, x in enumerate(lists):
        out[i] = x
    return out
