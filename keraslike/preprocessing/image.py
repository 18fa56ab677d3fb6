"""Real-time image augmentation (``keras.preprocessing.image``): ``ImageDataGenerator``.

The transforms, iterators and file helpers live in ``image_transforms``,
``image_iterators`` and ``image_io`` and are re-exported here under their
Keras 1 names.

>>> import numpy as np
>>> gen = ImageDataGenerator(featurewise_center=True, horizontal_flip=True, dim_ordering='th')
>>> X = np.random.rand(8, 3, 4, 4)
>>> gen.fit(X)
>>> batch_x, batch_y = next(gen.flow(X, np.arange(8), batch_size=4))
>>> batch_x.shape
(4, 3, 4, 4)
"""
import warnings

import numpy as np

from .image_io import (array_to_img, img_to_array, list_pictures, load_img,  # noqa: F401
                       resolve_dim_ordering)
from .image_iterators import DirectoryIterator, Iterator, NumpyArrayIterator  # noqa: F401
from .image_transforms import (apply_transform, flip_axis, random_channel_shift,  # noqa: F401
                               random_rotation, random_shear, random_shift, random_zoom,
                               rotation_matrix, shear_matrix, transform_matrix_offset_center)

__all__ = ['ImageDataGenerator', 'Iterator', 'NumpyArrayIterator', 'DirectoryIterator',
           'array_to_img', 'img_to_array', 'load_img', 'list_pictures', 'apply_transform',
           'flip_axis', 'random_channel_shift', 'random_rotation', 'random_shear',
           'random_shift', 'random_zoom', 'transform_matrix_offset_center']


class ImageDataGenerator(object):
    """Generate batches of images with real-time augmentation and normalisation.

    Arguments (Keras 1.2.2): ``featurewise_center``, ``samplewise_center``,
    ``featurewise_std_normalization``, ``samplewise_std_normalization``,
    ``zca_whitening``, ``rotation_range`` (degrees), ``width_shift_range`` and
    ``height_shift_range`` (fractions of the size), ``shear_range`` (radians),
    ``zoom_range`` (float z for ``[1-z, 1+z]`` or a pair), ``channel_shift_range``,
    ``fill_mode`` (``'constant'``, ``'nearest'``, ``'reflect'``, ``'wrap'``), ``cval``,
    ``horizontal_flip``, ``vertical_flip``, ``rescale``, ``preprocessing_function``
    and ``dim_ordering`` (``'th'``, ``'tf'``, ``'default'``; Keras 2:
    ``data_format``).

    >>> gen = ImageDataGenerator(rotation_range=20, zoom_range=0.1)
    >>> gen.zoom_range
    [0.9, 1.1]
    """

    def __init__(self, featurewise_center=False, samplewise_center=False,
                 featurewise_std_normalization=False, samplewise_std_normalization=False,
                 zca_whitening=False, rotation_range=0., width_shift_range=0.,
                 height_shift_range=0., shear_range=0., zoom_range=0.,
                 channel_shift_range=0., fill_mode='nearest', cval=0., horizontal_flip=False,
                 vertical_flip=False, rescale=None, preprocessing_function=None,
                 dim_ordering='default', data_format=None):
        if data_format is not None:
            dim_ordering = data_format
        dim_ordering = resolve_dim_ordering(dim_ordering)
        self.featurewise_center = featurewise_center
        self.samplewise_center = samplewise_center
        self.featurewise_std_normalization = featurewise_std_normalization
        self.samplewise_std_normalization = samplewise_std_normalization
        self.zca_whitening = zca_whitening
        self.rotation_range = rotation_range
        self.width_shift_range = width_shift_range
        self.height_shift_range = height_shift_range
        self.shear_range = shear_range
        self.channel_shift_range = channel_shift_range
        self.fill_mode = fill_mode
        self.cval = cval
        self.horizontal_flip = horizontal_flip
        self.vertical_flip = vertical_flip
        self.rescale = rescale
        self.preprocessing_function = preprocessing_function
        self.dim_ordering = dim_ordering
        if dim_ordering == 'th':
            self.channel_axis, self.row_axis, self.col_axis = 1, 2, 3
        else:
            self.channel_axis, self.row_axis, self.col_axis = 3, 1, 2
        self.mean = None
        self.std = None
        self.principal_components = None
        if np.isscalar(zoom_range):
            self.zoom_range = [1 - zoom_range, 1 + zoom_range]
        elif len(zoom_range) == 2:
            self.zoom_range = [zoom_range[0], zoom_range[1]]
        else:
            raise ValueError('zoom_range should be a float or a tuple or list of two floats. '
                             'Received arg: ', zoom_range)

    def flow(self, X, y=None, batch_size=32, shuffle=True, seed=None, save_to_dir=None,
             save_prefix='', save_format='jpeg'):
        """An infinite :class:`NumpyArrayIterator` over ``X`` (4-D) and ``y``."""
        return NumpyArrayIterator(X, y, self, batch_size=batch_size, shuffle=shuffle,
                                  seed=seed, dim_ordering=self.dim_ordering,
                                  save_to_dir=save_to_dir, save_prefix=save_prefix,
                                  save_format=save_format)

    def flow_from_directory(self, directory, target_size=(256, 256), color_mode='rgb',
                            classes=None, class_mode='categorical', batch_size=32, shuffle=True,
                            seed=None, save_to_dir=None, save_prefix='', save_format='jpeg',
                            follow_links=False):
        """An infinite :class:`DirectoryIterator` over one sub-folder per class."""
        return DirectoryIterator(directory, self, target_size=target_size,
                                 color_mode=color_mode, classes=classes,
                                 class_mode=class_mode, dim_ordering=self.dim_ordering,
                                 batch_size=batch_size, shuffle=shuffle, seed=seed,
                                 save_to_dir=save_to_dir, save_prefix=save_prefix,
                                 save_format=save_format, follow_links=follow_links)

    def standardize(self, x):
        """Normalise one image (modified in place when it is a float array): in order
        ``preprocessing_function``, ``rescale``, sample-wise centre/std (over the channel
        axis, eps 1e-7), feature-wise centre/std (from :meth:`fit`), ZCA whitening."""
        if self.preprocessing_function:
            x = self.preprocessing_function(x)
        if self.rescale:
            x *= self.rescale
        img_channel_axis = self.channel_axis - 1
        if self.samplewise_center:
            x -= np.mean(x, axis=img_channel_axis, keepdims=True)
        if self.samplewise_std_normalization:
            x /= (np.std(x, axis=img_channel_axis, keepdims=True) + 1e-7)
        if self.featurewise_center:
            if self.mean is not None:
                x -= self.mean
            else:
                warnings.warn(self._not_fit('featurewise_center'))
        if self.featurewise_std_normalization:
            if self.std is not None:
                x /= (self.std + 1e-7)
            else:
                warnings.warn(self._not_fit('featurewise_std_normalization'))
        if self.zca_whitening:
            if self.principal_components is not None:
                flatx = np.reshape(x, (x.size,))
                whitex = np.dot(flatx, self.principal_components)
                x = np.reshape(whitex, x.shape)
            else:
                warnings.warn(self._not_fit('zca_whitening'))
        return x

    @staticmethod
    def _not_fit(option):
        return ('This ImageDataGenerator specifies `%s`, but it hasn\'t been fit on any '
                'training data. Fit it first by calling `.fit(numpy_data)`.' % option)

    def random_transform(self, x):
        """Randomly augment one image: rotation, shift, shear and zoom composed into one affine
        map about the centre, then channel shift, then flips (each with p = 0.5)."""
        img_row_axis = self.row_axis - 1
        img_col_axis = self.col_axis - 1
        img_channel_axis = self.channel_axis - 1
        theta = 0
        if self.rotation_range:
            theta = np.pi / 180 * np.random.uniform(-self.rotation_range, self.rotation_range)
        tx = 0
        if self.height_shift_range:
            tx = (np.random.uniform(-self.height_shift_range, self.height_shift_range)
                  * x.shape[img_row_axis])
        ty = 0
        if self.width_shift_range:
            ty = (np.random.uniform(-self.width_shift_range, self.width_shift_range)
                  * x.shape[img_col_axis])
        translation_matrix = np.array([[1, 0, tx], [0, 1, ty], [0, 0, 1]])
        shear = 0
        if self.shear_range:
            shear = np.random.uniform(-self.shear_range, self.shear_range)
        if self.zoom_range[0] == 1 and self.zoom_range[1] == 1:
            zx, zy = 1, 1
        else:
            zx, zy = np.random.uniform(self.zoom_range[0], self.zoom_range[1], 2)
        zoom_matrix = np.array([[zx, 0, 0], [0, zy, 0], [0, 0, 1]])
        transform_matrix = np.dot(np.dot(np.dot(rotation_matrix(theta), translation_matrix),
                                         shear_matrix(shear)), zoom_matrix)
        h, w = x.shape[img_row_axis], x.shape[img_col_axis]
        transform_matrix = transform_matrix_offset_center(transform_matrix, h, w)
        if not np.allclose(transform_matrix, np.eye(3)):
            x = apply_transform(x, transform_matrix, img_channel_axis,
                                fill_mode=self.fill_mode, cval=self.cval)
        if self.channel_shift_range != 0:
            x = random_channel_shift(x, self.channel_shift_range, img_channel_axis)
        if self.horizontal_flip and np.random.random() < 0.5:
            x = flip_axis(x, img_col_axis)
        if self.vertical_flip and np.random.random() < 0.5:
            x = flip_axis(x, img_row_axis)
        return x

    def fit(self, X, augment=False, rounds=1, seed=None):
        """Compute the feature-wise statistics that :meth:`standardize` uses: per-channel
        ``mean`` and ``std`` (shaped to broadcast over one image) and the ZCA matrix
        ``principal_components`` (``U diag(1/sqrt(S + 10e-7)) U^T``). With ``augment``, the
        statistics are taken over ``rounds`` randomly transformed copies of ``X``."""
        from keraslike import backend as K
        X = np.asarray(X)
        if X.ndim != 4:
            raise ValueError('Input to `.fit()` should have rank 4. Got array with shape: '
                             + str(X.shape))
        if X.shape[self.channel_axis] not in {1, 3, 4}:
            raise ValueError('Expected input to be images (as Numpy array) following the '
                             'dimension ordering convention "' + self.dim_ordering + '" '
                             '(channels on axis ' + str(self.channel_axis) + '), i.e. expected '
                             'either 1, 3 or 4 channels on axis ' + str(self.channel_axis)
                             + '. However, it was passed an array with shape ' + str(X.shape)
                             + ' (' + str(X.shape[self.channel_axis]) + ' channels).')
        if seed is not None:
            np.random.seed(seed)
        X = np.array(X, dtype='float64')
        if augment:
            aX = np.zeros((rounds * X.shape[0],) + X.shape[1:])
            for r in range(rounds):
                for i in range(X.shape[0]):
                    aX[i + r * X.shape[0]] = self.random_transform(X[i])
            X = aX
        broadcast_shape = [1, 1, 1]
        broadcast_shape[self.channel_axis - 1] = X.shape[self.channel_axis]
        if self.featurewise_center:
            self.mean = np.mean(X, axis=(0, self.row_axis, self.col_axis))
            self.mean = np.reshape(self.mean, broadcast_shape)
            X -= self.mean
        if self.featurewise_std_normalization:
            self.std = np.std(X, axis=(0, self.row_axis, self.col_axis))
            self.std = np.reshape(self.std, broadcast_shape)
            X /= (self.std + K.epsilon())
        if self.zca_whitening:
            from scipy import linalg
            flatX = np.reshape(X, (X.shape[0], X.shape[1] * X.shape[2] * X.shape[3]))
            sigma = np.dot(flatX.T, flatX) / flatX.shape[0]
            U, S, _ = linalg.svd(sigma)
            self.principal_components = np.dot(np.dot(U, np.diag(1. / np.sqrt(S + 10e-7))),
                                               U.T)
