"""Input/output helpers (Keras 1.2.2 ``keras.utils.io_utils``).

>>> from keraslike.utils.io_utils import ask_to_proceed_with_overwrite
>>> ask_to_proceed_with_overwrite('weights.h5')  # doctest: +SKIP
[WARNING] weights.h5 already exists - overwrite? [y/n]
"""


def ask_to_proceed_with_overwrite(filepath):
    """Ask on the terminal whether to overwrite ``filepath``: True for 'y', False for 'n'."""
    answer = input('[WARNING] %s already exists - overwrite? [y/n]' % filepath)
    while answer.strip().lower() not in ('y', 'n'):
        answer = input('Enter "y" (overwrite) or "n" (cancel).')
    if answer.strip().lower() == 'n':
        return False
    print('[TIP] Next time specify overwrite=True!')
    return True


# ---------------------------------------------------------------- HDF5 data

class HDF5Matrix(object):
    """An array-like view of rows ``start:end`` of an HDF5 dataset, read on demand.

    Pass it to ``fit``/``evaluate``/``predict`` in place of a NumPy array to
    train straight from disk; use ``shuffle='batch'`` (whole batches are
    shuffled, so each read is one contiguous block). Other index orders work
    too, at the cost of a sorted read then a reordering. ``normalizer`` is
    applied to every block read. Files stay open (read-only) and are shared
    between instances, as in Keras 1.

    >>> X_train = HDF5Matrix('data.h5', 'features', start=0, end=1000)  # doctest: +SKIP
    >>> model.fit(X_train, Y_train, shuffle='batch')                     # doctest: +SKIP
    """

    refs = {}

    def __init__(self, datapath, dataset, start=0, end=None, normalizer=None):
        import h5py
        f = self.refs.get(datapath)
        if f is None or not f.id.valid:
            f = h5py.File(datapath, 'r')
            self.refs[datapath] = f
        self.data = f[dataset]
        self.start = start
        self.end = self.data.shape[0] if end is None else end
        self.normalizer = normalizer

    def __len__(self):
        return self.end - self.start

    @property
    def shape(self):
        return (self.end - self.start,) + tuple(self.data.shape[1:])

    @property
    def dtype(self):
        return self.data.dtype

    @property
    def ndim(self):
        return len(self.shape)

    def _read(self, idx):
        values = self.data[idx]
        return self.normalizer(values) if self.normalizer is not None else values

    def __getitem__(self, key):
        import numpy as np
        if isinstance(key, slice):
            start, stop, step = key.indices(len(self))
            if step != 1:
                return self[np.arange(start, stop, step)]
            return self._read(slice(start + self.start, stop + self.start))
        if isinstance(key, (int, np.integer)):
            if key < 0:
                key += len(self)
            if not 0 <= key < len(self):
                raise IndexError('index %d is out of range for %d rows' % (key, len(self)))
            return self._read(int(key) + self.start)
        if isinstance(key, (list, np.ndarray)):
            idx = np.asarray(key, dtype='int64').ravel()
            if idx.size == 0:
                return self._read(slice(self.start, self.start))
            if idx.min() < 0 or idx.max() >= len(self):
                raise IndexError('indices out of range for %d rows' % len(self))
            unique, inverse = np.unique(idx, return_inverse=True)
            block = self._read((unique + self.start).tolist())
            if len(unique) == len(idx) and np.all(unique == idx):
                return block
            return np.asarray(block)[inverse]
        raise TypeError('HDF5Matrix indices must be integers, slices, lists or arrays, '
                        'not %s' % type(key).__name__)

    def __array__(self, dtype=None, copy=None):
        import numpy as np
        return np.asarray(self[:], dtype=dtype)


def save_array(array, name):
    """Write ``array`` to the HDF5 file ``name`` as dataset ``data``, atomically and refusing a
    read-only ``name`` as the model savers do (``utils.atomic_h5.atomic_h5_file``). Keras 1
    used PyTables; its files hold the same ``data`` node, which :func:`load_array` reads."""
    from .atomic_h5 import atomic_h5_file  # here, as h5py below: it loads h5py
    with atomic_h5_file(name) as f:
        f.create_dataset('data', data=array)


def load_array(name):
    """The ``data`` array of an HDF5 file written by :func:`save_array` (or Keras 1)."""
    import h5py
    with h5py.File(name, 'r') as f:
        return f['data'][()]
