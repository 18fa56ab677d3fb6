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
