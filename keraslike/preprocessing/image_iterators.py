"""Infinite, thread-safe batch iterators over images in memory or in folders.

Each pass over the data is one permutation (when ``shuffle``); the last batch
of a pass may be shorter. As in Keras 1, a ``seed`` reseeds NumPy's global RNG
with ``seed + batches_seen`` before each batch, so the shuffling *and* the
random transforms applied to that batch are reproducible.

>>> import numpy as np
>>> from keraslike.preprocessing.image import ImageDataGenerator
>>> it = ImageDataGenerator(dim_ordering='th').flow(np.zeros((5, 1, 2, 2)), np.arange(5),
...                                                 batch_size=2, shuffle=False)
>>> [len(next(it)[1]) for _ in range(3)]
[2, 2, 1]
"""
import os
import threading

import numpy as np

from .image_io import array_to_img, img_to_array, load_img, resolve_dim_ordering

_WHITE_LIST_FORMATS = ('png', 'jpg', 'jpeg', 'bmp')


class Iterator(object):
    """Base class: yields index batches forever; subclasses turn them into data.

    >>> it = Iterator(3, 2, shuffle=False, seed=None)
    >>> [next(it.index_generator)[0].tolist() for _ in range(3)]
    [[0, 1], [2], [0, 1]]
    """

    def __init__(self, n, batch_size, shuffle, seed):
        self.n = n
        self.batch_size = batch_size
        self.shuffle = shuffle
        self.batch_index = 0
        self.total_batches_seen = 0
        self.lock = threading.Lock()
        self.index_generator = self._flow_index(n, batch_size, shuffle, seed)

    def reset(self):
        """Start the next batch at the beginning of a new pass."""
        self.batch_index = 0

    def _flow_index(self, n, batch_size=32, shuffle=False, seed=None):
        self.reset()
        index_array = np.arange(n)
        while 1:
            if seed is not None:
                np.random.seed(seed + self.total_batches_seen)
            if self.batch_index == 0:
                index_array = np.arange(n)
                if shuffle:
                    index_array = np.random.permutation(n)
            current_index = (self.batch_index * batch_size) % n
            if n > current_index + batch_size:
                current_batch_size = batch_size
                self.batch_index += 1
            else:
                current_batch_size = n - current_index
                self.batch_index = 0
            self.total_batches_seen += 1
            yield (index_array[current_index: current_index + current_batch_size],
                   current_index, current_batch_size)

    def __iter__(self):
        return self

    def __next__(self, *args, **kwargs):
        return self.next(*args, **kwargs)

    def _next_indices(self):
        with self.lock:  # only the index bookkeeping is serialised
            return next(self.index_generator)

    def _save_batch(self, batch_x, current_index):
        for i in range(len(batch_x)):
            img = array_to_img(batch_x[i], self.dim_ordering, scale=True)
            fname = '{prefix}_{index}_{hash}.{format}'.format(
                prefix=self.save_prefix, index=current_index + i,
                hash=np.random.randint(10000), format=self.save_format)
            img.save(os.path.join(self.save_to_dir, fname))


class NumpyArrayIterator(Iterator):
    """Batches ``(x, y)`` (or ``x`` alone when ``y`` is None) from 4-D image array ``x``,
    each image passed through ``random_transform`` then ``standardize``."""

    def __init__(self, x, y, image_data_generator, batch_size=32, shuffle=False, seed=None,
                 dim_ordering='default', save_to_dir=None, save_prefix='',
                 save_format='jpeg'):
        if y is not None and len(x) != len(y):
            raise ValueError('X (images tensor) and y (labels) should have the same length. '
                             'Found: X.shape = %s, y.shape = %s'
                             % (np.asarray(x).shape, np.asarray(y).shape))
        dim_ordering = resolve_dim_ordering(dim_ordering)
        self.x = np.asarray(x)
        if self.x.ndim != 4:
            raise ValueError('Input data in `NumpyArrayIterator` should have rank 4. '
                             'You passed an array with shape', self.x.shape)
        channels_axis = 3 if dim_ordering == 'tf' else 1
        if self.x.shape[channels_axis] not in {1, 3, 4}:
            raise ValueError('NumpyArrayIterator is set to use the dimension ordering '
                             'convention "' + dim_ordering + '" (channels on axis '
                             + str(channels_axis) + '), i.e. expected either 1, 3 or 4 '
                             'channels on axis ' + str(channels_axis) + '. However, it was '
                             'passed an array with shape ' + str(self.x.shape) + ' ('
                             + str(self.x.shape[channels_axis]) + ' channels).')
        self.y = np.asarray(y) if y is not None else None
        self.image_data_generator = image_data_generator
        self.dim_ordering = dim_ordering
        self.save_to_dir = save_to_dir
        self.save_prefix = save_prefix
        self.save_format = save_format
        super(NumpyArrayIterator, self).__init__(self.x.shape[0], batch_size, shuffle, seed)

    def next(self):
        from keraslike import backend as K
        index_array, current_index, current_batch_size = self._next_indices()
        batch_x = np.zeros((current_batch_size,) + self.x.shape[1:], dtype=K.floatx())
        for i, j in enumerate(index_array):
            x = self.x[j]
            x = self.image_data_generator.random_transform(x.astype(K.floatx()))
            x = self.image_data_generator.standardize(x)
            batch_x[i] = x
        if self.save_to_dir:
            self._save_batch(batch_x, current_index)
        if self.y is None:
            return batch_x
        return batch_x, self.y[index_array]


class DirectoryIterator(Iterator):
    """Batches of images read from ``directory/<class>/...`` (png, jpg, jpeg, bmp; sub-folders
    are searched recursively). Classes are the sorted sub-folder names unless ``classes`` is
    given; ``class_mode``: ``'categorical'`` (one-hot), ``'binary'``, ``'sparse'`` or None.

    Attributes: ``class_indices``, ``classes`` (label per file), ``filenames`` (relative
    paths), ``nb_sample``, ``nb_class``.
    """

    def __init__(self, directory, image_data_generator, target_size=(256, 256),
                 color_mode='rgb', dim_ordering='default', classes=None,
                 class_mode='categorical', batch_size=32, shuffle=True, seed=None,
                 save_to_dir=None, save_prefix='', save_format='jpeg', follow_links=False):
        dim_ordering = resolve_dim_ordering(dim_ordering)
        self.directory = directory
        self.image_data_generator = image_data_generator
        self.target_size = tuple(target_size)
        if color_mode not in {'rgb', 'grayscale'}:
            raise ValueError('Invalid color mode:', color_mode,
                             '; expected "rgb" or "grayscale".')
        self.color_mode = color_mode
        self.dim_ordering = dim_ordering
        channels = 3 if color_mode == 'rgb' else 1
        if dim_ordering == 'tf':
            self.image_shape = self.target_size + (channels,)
        else:
            self.image_shape = (channels,) + self.target_size
        if class_mode not in {'categorical', 'binary', 'sparse', None}:
            raise ValueError('Invalid class_mode:', class_mode, '; expected one of '
                             '"categorical", "binary", "sparse", or None.')
        self.class_mode = class_mode
        self.save_to_dir = save_to_dir
        self.save_prefix = save_prefix
        self.save_format = save_format

        if not classes:
            classes = [d for d in sorted(os.listdir(directory))
                       if os.path.isdir(os.path.join(directory, d))]
        self.nb_class = len(classes)
        self.class_indices = dict(zip(classes, range(len(classes))))

        self.filenames = []
        labels = []
        for subdir in classes:
            subpath = os.path.join(directory, subdir)
            walk = sorted(os.walk(subpath, followlinks=follow_links), key=lambda t: t[0])
            for root, _, files in walk:
                for fname in sorted(files):
                    if fname.lower().endswith(tuple('.' + e for e in _WHITE_LIST_FORMATS)):
                        labels.append(self.class_indices[subdir])
                        self.filenames.append(os.path.relpath(os.path.join(root, fname),
                                                              directory))
        self.nb_sample = len(self.filenames)
        self.classes = np.array(labels, dtype='int32')
        print('Found %d images belonging to %d classes.' % (self.nb_sample, self.nb_class))
        super(DirectoryIterator, self).__init__(self.nb_sample, batch_size, shuffle, seed)

    def next(self):
        from keraslike import backend as K
        index_array, current_index, current_batch_size = self._next_indices()
        batch_x = np.zeros((current_batch_size,) + self.image_shape, dtype=K.floatx())
        grayscale = self.color_mode == 'grayscale'
        for i, j in enumerate(index_array):
            img = load_img(os.path.join(self.directory, self.filenames[j]),
                           grayscale=grayscale, target_size=self.target_size)
            x = img_to_array(img, dim_ordering=self.dim_ordering)
            x = self.image_data_generator.random_transform(x)
            x = self.image_data_generator.standardize(x)
            batch_x[i] = x
        if self.save_to_dir:
            self._save_batch(batch_x, current_index)
        if self.class_mode == 'sparse':
            batch_y = self.classes[index_array]
        elif self.class_mode == 'binary':
            batch_y = self.classes[index_array].astype(K.floatx())
        elif self.class_mode == 'categorical':
            batch_y = np.zeros((len(batch_x), self.nb_class), dtype=K.floatx())
            for i, label in enumerate(self.classes[index_array]):
                batch_y[i, label] = 1.
        else:
            return batch_x
        return batch_x, batch_y
