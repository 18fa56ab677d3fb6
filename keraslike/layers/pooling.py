"""Pooling layers: Max/Average 1D-3D and their global forms (no weights).

'same' pooling follows Keras 1 on Theano: output ``ceil(L / stride)``,
padding excluded from max and average.

>>> from keraslike.layers import MaxPooling2D, GlobalAveragePooling2D
>>> pool = MaxPooling2D(pool_size=(2, 2))                 # strides default to pool_size
>>> gap = GlobalAveragePooling2D()                          # (s, c, r, k) -> (s, c)

A 'valid' window larger than its input gives a zero-length axis, as Keras 1.2.2 on
Theano did (Theano's pooling output is ``max(out, 0)``), with a ``UserWarning``.
"""

from keraslike import backend as K
from keraslike.engine.topology import InputSpec, Layer
from keraslike.utils.conv_utils import normalize_dim_ordering, normalize_tuple
from keraslike.utils.np_utils import conv_output_length
from .convolutional_shapes import warn_if_empty
from .keras2 import keras1_kwargs

POOL1D = {'pool_size': 'pool_length', 'strides': 'stride', 'padding': 'border_mode'}
POOL = {'padding': 'border_mode', 'data_format': 'dim_ordering'}


def _check_border_mode(border_mode, name):
    if border_mode not in ('valid', 'same'):
        raise ValueError('Invalid border mode for %s: %r; expected "valid" or "same".'
                         % (name, border_mode))


def _pooled_length(length, pool, stride, border_mode):
    """Keras 1's ``conv_output_length``, floored at 0 as Theano's pooling floors it.

    (Keras 1's own shape could go negative, with a stride smaller than the pool:
    the tensor Theano computed had 0 there.)
    """
    out = conv_output_length(length, pool, border_mode, stride)
    return None if out is None else max(out, 0)


class _Pooling1D(Layer):
    pool_mode = 'max'

    def __init__(self, pool_length=2, stride=None, border_mode='valid', **kwargs):
        kwargs = keras1_kwargs(kwargs, POOL1D)
        pool_length = kwargs.pop('pool_length', pool_length)
        stride = kwargs.pop('stride', stride)
        border_mode = kwargs.pop('border_mode', border_mode)
        _check_border_mode(border_mode, kwargs.get('name', self.__class__.__name__))
        self.pool_length = int(pool_length)
        self.stride = self.pool_length if stride is None else int(stride)
        self.border_mode = border_mode
        self.input_spec = [InputSpec(ndim=3)]
        super(_Pooling1D, self).__init__(**kwargs)

    def build(self, input_shape):
        warn_if_empty(self, input_shape, self.get_output_shape_for(input_shape),
                      'the pool length %d is larger than its' % self.pool_length)
        self.built = True

    def get_output_shape_for(self, input_shape):
        length = _pooled_length(input_shape[1], self.pool_length, self.stride, self.border_mode)
        return (input_shape[0], length, input_shape[2])

    def call(self, x, mask=None):
        return K.pool1d(x, self.pool_length, self.stride, self.border_mode, self.pool_mode)

    def get_config(self):
        config = super(_Pooling1D, self).get_config()
        config.update({'stride': self.stride, 'pool_length': self.pool_length,
                       'border_mode': self.border_mode})
        return config


class MaxPooling1D(_Pooling1D):
    """Max over windows of ``pool_length`` timesteps: ``(s, t, c)`` -> ``(s, t', c)``."""


class AveragePooling1D(_Pooling1D):
    """Mean over windows of ``pool_length`` timesteps."""
    pool_mode = 'avg'


class _Pooling2D(Layer):
    pool_mode = 'max'
    rank = 2

    def __init__(self, pool_size=None, strides=None, border_mode='valid', dim_ordering='default',
                 **kwargs):
        kwargs = keras1_kwargs(kwargs, POOL)
        border_mode = kwargs.pop('border_mode', border_mode)
        dim_ordering = kwargs.pop('dim_ordering', dim_ordering)
        label = kwargs.get('name', self.__class__.__name__)
        _check_border_mode(border_mode, label)
        pool_size = (2,) * self.rank if pool_size is None else pool_size
        self.pool_size = normalize_tuple(pool_size, self.rank, 'pool_size', 'Layer ' + label)
        self.strides = self.pool_size if strides is None else normalize_tuple(
            strides, self.rank, 'strides', 'Layer ' + label)
        self.border_mode = border_mode
        self.dim_ordering = normalize_dim_ordering(dim_ordering)
        self.input_spec = [InputSpec(ndim=self.rank + 2)]
        super(_Pooling2D, self).__init__(**kwargs)

    def build(self, input_shape):
        warn_if_empty(self, input_shape, self.get_output_shape_for(input_shape),
                      'the pool size %s is larger than its' % (self.pool_size,))
        self.built = True

    def get_output_shape_for(self, input_shape):
        first = 2 if self.dim_ordering == 'th' else 1
        shape = list(input_shape)
        for i in range(self.rank):
            shape[first + i] = _pooled_length(input_shape[first + i], self.pool_size[i],
                                              self.strides[i], self.border_mode)
        return tuple(shape)

    def call(self, x, mask=None):
        pool = K.pool2d if self.rank == 2 else K.pool3d
        return pool(x, self.pool_size, strides=self.strides, border_mode=self.border_mode,
                    dim_ordering=self.dim_ordering, pool_mode=self.pool_mode)

    def get_config(self):
        config = super(_Pooling2D, self).get_config()
        config.update({'pool_size': self.pool_size, 'border_mode': self.border_mode,
                       'strides': self.strides, 'dim_ordering': self.dim_ordering})
        return config


class MaxPooling2D(_Pooling2D):
    """Max over ``pool_size`` windows of images; ``strides`` default to ``pool_size``."""


class AveragePooling2D(_Pooling2D):
    """Mean over ``pool_size`` windows of images."""
    pool_mode = 'avg'


class MaxPooling3D(_Pooling2D):
    """Max over ``pool_size`` windows of volumes."""
    rank = 3


class AveragePooling3D(_Pooling2D):
    """Mean over ``pool_size`` windows of volumes."""
    rank = 3
    pool_mode = 'avg'


class _GlobalPooling1D(Layer):
    def __init__(self, **kwargs):
        self.input_spec = [InputSpec(ndim=3)]
        super(_GlobalPooling1D, self).__init__(**kwargs)

    def get_output_shape_for(self, input_shape):
        return (input_shape[0], input_shape[2])


class GlobalMaxPooling1D(_GlobalPooling1D):
    """Max over time: ``(s, t, c)`` -> ``(s, c)``."""

    def call(self, x, mask=None):
        return K.max(x, axis=1)


class GlobalAveragePooling1D(_GlobalPooling1D):
    """Mean over time: ``(s, t, c)`` -> ``(s, c)``."""

    def call(self, x, mask=None):
        return K.mean(x, axis=1)


class _GlobalPooling2D(Layer):
    rank = 2

    def __init__(self, dim_ordering='default', **kwargs):
        kwargs = keras1_kwargs(kwargs, {'data_format': 'dim_ordering'})
        self.dim_ordering = normalize_dim_ordering(kwargs.pop('dim_ordering', dim_ordering))
        self.input_spec = [InputSpec(ndim=self.rank + 2)]
        super(_GlobalPooling2D, self).__init__(**kwargs)

    def _axes(self):
        first = 2 if self.dim_ordering == 'th' else 1
        return tuple(range(first, first + self.rank))

    def get_output_shape_for(self, input_shape):
        return (input_shape[0], input_shape[1 if self.dim_ordering == 'th' else -1])

    def get_config(self):
        config = super(_GlobalPooling2D, self).get_config()
        config['dim_ordering'] = self.dim_ordering
        return config


class GlobalMaxPooling2D(_GlobalPooling2D):
    """Max over rows and columns: -> ``(s, channels)``."""

    def call(self, x, mask=None):
        return K.max(x, axis=list(self._axes()))


class GlobalAveragePooling2D(_GlobalPooling2D):
    """Mean over rows and columns: -> ``(s, channels)``."""

    def call(self, x, mask=None):
        return K.mean(x, axis=list(self._axes()))


class GlobalMaxPooling3D(GlobalMaxPooling2D):
    """Max over the three spatial axes."""
    rank = 3


class GlobalAveragePooling3D(GlobalAveragePooling2D):
    """Mean over the three spatial axes."""
    rank = 3


# Keras 2 aliases
MaxPool1D, MaxPool2D, MaxPool3D = MaxPooling1D, MaxPooling2D, MaxPooling3D
AvgPool1D, AvgPool2D, AvgPool3D = AveragePooling1D, AveragePooling2D, AveragePooling3D
GlobalMaxPool1D, GlobalMaxPool2D, GlobalMaxPool3D = (GlobalMaxPooling1D, GlobalMaxPooling2D,
                                                     GlobalMaxPooling3D)
GlobalAvgPool1D, GlobalAvgPool2D, GlobalAvgPool3D = (GlobalAveragePooling1D,
                                                     GlobalAveragePooling2D,
                                                     GlobalAveragePooling3D)
