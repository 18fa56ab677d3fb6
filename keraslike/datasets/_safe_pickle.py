"""Read Keras 1's pickled dataset caches without executing code from them.

A pickle may name any importable callable and have it called while loading.
:class:`RestrictedUnpickler` resolves only the few names that rebuild plain
data - NumPy arrays, dtypes and scalars, ``set``/``frozenset``/``complex``/
``bytearray``, ``OrderedDict`` and the ``_codecs.encode`` that Python 3 uses
for ``bytes`` in protocol-2 pickles. Lists, tuples, dicts, strings and numbers
need no lookup at all. Anything else raises ``pickle.UnpicklingError``.

>>> import io, pickle
>>> import numpy as np
>>> data = pickle.dumps(((np.arange(3), [1, 2]), {'a': 1}), protocol=2)
>>> safe_load(io.BytesIO(data))[0][0].tolist()
[0, 1, 2]
>>> safe_load(io.BytesIO(pickle.dumps(print)))  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
_pickle.UnpicklingError: Refusing to load builtins.print from a data file ...
"""
import codecs
import collections
import io
import pickle

import numpy as np


def _allowed():
    reconstruct = np.ndarray((0,)).__reduce__()[0]
    scalar = np.float64(0).__reduce__()[0]
    frombuffer = np.arange(2).__reduce_ex__(5)[0]
    table = {}
    for prefix in ('numpy.core', 'numpy._core'):
        table[(prefix + '.multiarray', '_reconstruct')] = reconstruct
        table[(prefix + '.multiarray', 'scalar')] = scalar
        table[(prefix + '.numeric', '_frombuffer')] = frombuffer
    table.update({
        ('numpy', 'ndarray'): np.ndarray,
        ('numpy', 'dtype'): np.dtype,
        ('builtins', 'set'): set, ('__builtin__', 'set'): set,
        ('builtins', 'frozenset'): frozenset, ('__builtin__', 'frozenset'): frozenset,
        ('builtins', 'complex'): complex, ('__builtin__', 'complex'): complex,
        ('builtins', 'bytearray'): bytearray, ('__builtin__', 'bytearray'): bytearray,
        ('collections', 'OrderedDict'): collections.OrderedDict,
        ('_codecs', 'encode'): codecs.encode,
    })
    return table


_ALLOWED = _allowed()


class RestrictedUnpickler(pickle.Unpickler):
    """A ``pickle.Unpickler`` whose ``find_class`` only resolves data-rebuilding names."""

    def find_class(self, module, name):
        try:
            return _ALLOWED[(module, name)]
        except KeyError:
            raise pickle.UnpicklingError(
                'Refusing to load %s.%s from a data file (only arrays, lists, tuples, dicts '
                'and plain values are allowed).' % (module, name))

    def persistent_load(self, pid):
        raise pickle.UnpicklingError('Refusing to load a persistent id from a data file.')


def safe_load(file, encoding='ASCII'):
    """Load one pickle from an open binary file, allowing only plain data.

    ``encoding`` decodes Python 2 ``str`` objects: ``'bytes'`` keeps them as
    bytes (what NumPy arrays pickled by Python 2 need), ``'latin1'`` makes text.
    """
    return RestrictedUnpickler(file, encoding=encoding).load()


def safe_load_all(file, encoding='ASCII'):
    """All the pickles stored one after another in ``file``, as a list."""
    unpickler = RestrictedUnpickler(file, encoding=encoding)
    items = []
    while True:
        try:
            items.append(unpickler.load())
        except EOFError:
            return items


def safe_loads(data, encoding='ASCII'):
    """:func:`safe_load` from bytes."""
    return safe_load(io.BytesIO(data), encoding=encoding)


# ------------------------------------------------------------------ what a loaded pickle holds
# The restricted unpickler guarantees plain data, not the right data: a cache file of
# another dataset, or a user's own file in the wrong layout, would otherwise fail later
# with an unpacking TypeError. Layouts are nested tuples of these leaf kinds.
ARRAY = 'an array'  # a numeric NumPy array, or a list/tuple of numbers (or of such lists)
SEQUENCES = 'a list of integer sequences'  # word-index lists (imdb, reuters)
MAPPING = 'a dict'


def describe(value):
    """A short description of what was found, for error messages."""
    if isinstance(value, np.ndarray):
        return 'an array of shape %s and dtype %s' % (value.shape, value.dtype)
    if isinstance(value, dict):
        return 'a dict with keys %s' % sorted(map(str, value))[:8]
    if isinstance(value, (list, tuple)):
        if value and not isinstance(value[0], (list, tuple, dict, np.ndarray)):
            return 'a %s of %d items, the first %s %r' % (type(value).__name__, len(value),
                                                          type(value[0]).__name__, value[0])
        return 'a %s of %d items' % (type(value).__name__, len(value))
    return '%s %r' % (type(value).__name__, value)


def layout_error(path, expected, where, value, should):
    return ValueError('%s does not hold the expected data: expected %s, but %s is %s (should '
                      'be %s).' % (path, expected, where, describe(value), should))


def _is_number(value):
    return isinstance(value, (int, float, complex, np.number, np.bool_))


def _is_sequence(value):
    return isinstance(value, (list, tuple)) or (isinstance(value, np.ndarray) and value.ndim > 0)


def _leaf_ok(value, kind):
    if kind == MAPPING:
        return isinstance(value, dict)
    if not _is_sequence(value):
        return False
    if isinstance(value, np.ndarray) and value.dtype.kind != 'O':
        return value.dtype.kind in 'biufc' and (kind == ARRAY or value.ndim == 2)
    if kind == ARRAY:  # the first item stands for all (a full check would cost a copy)
        return not len(value) or _is_number(value[0]) or _is_sequence(value[0])
    for item in value:  # SEQUENCES: every item a sequence starting with an integer
        if not _is_sequence(item):
            return False
        if len(item) and not isinstance(item[0], (int, np.integer)):
            return False
    return True


def _check(value, layout, path, expected, where):
    if not isinstance(layout, tuple):
        if not _leaf_ok(value, layout):
            raise layout_error(path, expected, where, value, layout)
        return
    if not isinstance(value, (tuple, list)) or len(value) != len(layout):
        raise layout_error(path, expected, where, value, 'a tuple of %d' % len(layout))
    for i, (item, sub) in enumerate(zip(value, layout)):
        _check(item, sub, path, expected, '%s[%d]' % (where, i))
    if len(layout) == 2 and all(k in (ARRAY, SEQUENCES) for k in layout):
        if len(value[0]) != len(value[1]):  # (samples, labels): zip() would drop the excess
            raise ValueError('%s does not hold the expected data: expected %s, but %s has %d '
                             'samples and %d labels.' % (path, expected, where, len(value[0]),
                                                         len(value[1])))


def check_layout(data, layout, path, expected, where='the data'):
    """Return ``data`` if it has ``layout``, else raise ValueError naming ``path``.

    ``layout`` is a leaf kind (:data:`ARRAY`, :data:`SEQUENCES`, :data:`MAPPING`) or a
    tuple of layouts (a tuple or list of that many items). A pair of two array-like
    leaves is ``(samples, labels)`` and must have equal lengths. ``expected`` describes
    the whole layout for the message.

    >>> check_layout(((np.zeros((2, 3)), [0, 1]),), ((ARRAY, ARRAY),), 'f.pkl', '((X, y),)')[0][1]
    [0, 1]
    >>> check_layout({'a': 1}, (ARRAY, ARRAY), 'f.pkl', '(X, y)')  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: f.pkl does not hold the expected data: expected (X, y), but the data is a dict...
    """
    _check(data, layout, path, expected, where)
    return data
