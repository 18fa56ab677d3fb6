"""Layers that only reshape images: UpSampling, ZeroPadding and Cropping in 1D, 2D and 3D.

No weights. As in Keras 1.2.2, the 2D/3D configs store only ``size`` /
``padding`` / ``cropping`` (``dim_ordering`` is not serialised).

>>> from keraslike.layers import ZeroPadding2D, Cropping2D, UpSampling2D
>>> layers = [ZeroPadding2D((1, 1)), Cropping2D(((1, 0), (0, 2))), UpSampling2D((2, 2))]
"""
import warnings

from keraslike import backend as K
from keraslike.engine.topology import InputSpec, Layer
from keraslike.utils.conv_utils import normalize_dim_ordering, normalize_tuple
from keraslike.utils.generic_utils import check_int_arg
from .keras2 import keras1_kwargs

_DATA_FORMAT = {'data_format': 'dim_ordering'}


class _Spatial(Layer):
    """A layer acting on the ``rank`` spatial axes of an image tensor."""

    rank = 2

    def _setup(self, dim_ordering, kwargs):
        kwargs = keras1_kwargs(kwargs, _DATA_FORMAT)
        self.dim_ordering = normalize_dim_ordering(kwargs.pop('dim_ordering', dim_ordering))
        self.input_spec = [InputSpec(ndim=self.rank + 2)]
        return kwargs

    def _axes(self):
        first = 2 if self.dim_ordering == 'th' else 1
        return tuple(range(first, first + self.rank))

    def _map_spatial(self, input_shape, fn):
        shape = list(input_shape)
        for i, axis in enumerate(self._axes()):
            shape[axis] = None if shape[axis] is None else fn(i, shape[axis])
        return tuple(shape)


# ------------------------------------------------------------------ upsampling
class UpSampling1D(Layer):
    """Repeat each timestep ``length`` times: ``(s, t, c)`` -> ``(s, length * t, c)``."""

    def __init__(self, length=2, **kwargs):
        self.length = check_int_arg(kwargs.pop('size', length), 'length', 'Layer UpSampling1D')
        self.input_spec = [InputSpec(ndim=3)]
        super(UpSampling1D, self).__init__(**kwargs)

    def get_output_shape_for(self, input_shape):
        steps = None if input_shape[1] is None else self.length * input_shape[1]
        return (input_shape[0], steps, input_shape[2])

    def call(self, x, mask=None):
        return K.repeat_elements(x, self.length, axis=1)

    def get_config(self):
        config = super(UpSampling1D, self).get_config()
        config['length'] = self.length
        return config


class UpSampling2D(_Spatial):
    """Nearest-neighbour upsampling: rows x ``size[0]``, cols x ``size[1]``."""

    def __init__(self, size=(2, 2), dim_ordering='default', **kwargs):
        kwargs = self._setup(dim_ordering, kwargs)
        self.size = normalize_tuple(size, self.rank, '`size`',
                                    'Layer ' + self.__class__.__name__)
        super(UpSampling2D, self).__init__(**kwargs)

    def get_output_shape_for(self, input_shape):
        return self._map_spatial(input_shape, lambda i, n: n * self.size[i])

    def call(self, x, mask=None):
        return K.resize_images(x, self.size[0], self.size[1], self.dim_ordering)

    def get_config(self):
        config = super(UpSampling2D, self).get_config()
        config['size'] = self.size
        return config


class UpSampling3D(UpSampling2D):
    """Nearest-neighbour upsampling of the three spatial axes."""

    rank = 3

    def __init__(self, size=(2, 2, 2), dim_ordering='default', **kwargs):
        super(UpSampling3D, self).__init__(size, dim_ordering, **kwargs)

    def call(self, x, mask=None):
        return K.resize_volumes(x, self.size[0], self.size[1], self.size[2], self.dim_ordering)


def _non_negative(pairs, arg, layer_name):
    """Padding/cropping amounts must be integers >= 0 (a negative one made bad shapes)."""
    return tuple(tuple(check_int_arg(v, arg, 'Layer %s' % layer_name, minimum=0) for v in pair)
                 for pair in pairs)


# ------------------------------------------------------------------ zero padding
def _pad_pairs(padding, rank, dict_keys, layer_name):
    """Keras 1 padding forms -> one (before, after) pair per spatial axis, each >= 0."""
    return _non_negative(_raw_pad_pairs(padding, rank, dict_keys, layer_name), 'padding',
                         layer_name)


def _raw_pad_pairs(padding, rank, dict_keys, layer_name):
    if isinstance(padding, dict):
        unknown = set(padding) - set(dict_keys)
        if unknown:
            raise ValueError('Layer %s: unexpected key(s) %s in the `padding` dictionary; keys '
                             'have to be in %s.' % (layer_name, sorted(unknown), list(dict_keys)))
        values = [int(padding.get(k, 0)) for k in dict_keys]
        return tuple(zip(values[0::2], values[1::2]))
    if isinstance(padding, int):
        return ((padding, padding),) * rank
    padding = tuple(padding)
    if len(padding) == rank and all(isinstance(p, (tuple, list)) for p in padding):
        return tuple((int(a), int(b)) for a, b in padding)  # Keras 2: ((top, bottom), ...)
    if len(padding) == rank:
        return tuple((int(p), int(p)) for p in padding)
    if len(padding) == 2 * rank:
        return tuple(zip(padding[0::2], padding[1::2]))
    raise ValueError('Layer %s: `padding` should be an int, a tuple of %d or %d ints, or a dict '
                     'with keys %s; got %r.' % (layer_name, rank, 2 * rank, list(dict_keys),
                                                padding))


def _zero_pad(x, pairs, axes):
    """Zero-pad ``x`` by ``(before, after)`` on each of ``axes``.

    Through ``K.*_padding``, whose build does not depend on the depth of the
    graph above ``x`` (``K.repeat_elements`` of a zero slice, used before,
    shape-inferred the whole upstream graph: quadratic build times).
    """
    if len(axes) == 1:
        return K.asymmetric_temporal_padding(x, *pairs[0])
    ordering = 'th' if axes[0] == 2 else 'tf'
    if len(axes) == 2:
        (top, bottom), (left, right) = pairs
        return K.asymmetric_spatial_2d_padding(x, top, bottom, left, right, ordering)
    return K.spatial_3d_padding(x, pairs, ordering)


class ZeroPadding1D(Layer):
    """Zeros around the time axis: int, ``(left, right)`` or dict ``left_pad``/``right_pad``."""

    def __init__(self, padding=1, **kwargs):
        self.padding = padding
        self.pairs = _pad_pairs(padding, 1, ('left_pad', 'right_pad'),
                                kwargs.get('name', 'ZeroPadding1D'))
        self.left_pad, self.right_pad = self.pairs[0]
        self.input_spec = [InputSpec(ndim=3)]
        super(ZeroPadding1D, self).__init__(**kwargs)

    def get_output_shape_for(self, input_shape):
        steps = None if input_shape[1] is None else input_shape[1] + self.left_pad + self.right_pad
        return (input_shape[0], steps, input_shape[2])

    def call(self, x, mask=None):
        return _zero_pad(x, self.pairs, (1,))

    def get_config(self):
        config = super(ZeroPadding1D, self).get_config()
        config['padding'] = self.padding
        return config


class ZeroPadding2D(_Spatial):
    """Zero rows/cols: ``(rows, cols)`` symmetric, ``(top, bottom, left, right)``, or a dict."""

    _keys = ('top_pad', 'bottom_pad', 'left_pad', 'right_pad')

    def __init__(self, padding=(1, 1), dim_ordering='default', **kwargs):
        kwargs = self._setup(dim_ordering, kwargs)
        self.padding = padding
        self.pairs = _pad_pairs(padding, self.rank, self._keys,
                                kwargs.get('name', self.__class__.__name__))
        super(ZeroPadding2D, self).__init__(**kwargs)

    def get_output_shape_for(self, input_shape):
        return self._map_spatial(input_shape, lambda i, n: n + sum(self.pairs[i]))

    def call(self, x, mask=None):
        return _zero_pad(x, self.pairs, self._axes())

    def get_config(self):
        config = super(ZeroPadding2D, self).get_config()
        config['padding'] = self.padding
        return config


class ZeroPadding3D(ZeroPadding2D):
    """Zero padding of the three spatial axes: ``(p1, p2, p3)`` on both sides of each
    (Keras 2's ``((before, after),) * 3`` form works too)."""

    rank = 3
    _keys = ('dim1_left', 'dim1_right', 'dim2_left', 'dim2_right', 'dim3_left', 'dim3_right')

    def __init__(self, padding=(1, 1, 1), dim_ordering='default', **kwargs):
        super(ZeroPadding3D, self).__init__(padding, dim_ordering, **kwargs)


# ------------------------------------------------------------------ cropping
# Cropping that removes every step of an axis leaves a zero-length axis, as in Keras 1.2.2
# on Theano (its slice ``a:L - b`` came out empty), with a UserWarning naming the layer.
# Keras 1's own output shape could even go negative when the cropping exceeded the length;
# the tensor had length 0 (the slice clamps), which is the shape given here.
def _cropped_length(length, before, after):
    return None if length is None else max(length - before - after, 0)


def _crop_slice(length, before, after, symbolic_length):
    """The slice keeping ``length - before - after`` cells (empty when that is <= 0).

    With a known length the stop is a Python int, clamped: a negative stop
    would wrap around in the slice and keep cells.
    """
    if length is None:
        return slice(before, symbolic_length - after)
    return slice(min(before, length), max(before, length - after))


def warn_if_empty(layer, input_shape, output_shape, what):
    """Warn, naming the layer, when a spatial axis of its output has length 0 (Keras 1.2.2
    on Theano builds such a layer; ``what`` says why, e.g. 'cropping (2, 2) of its')."""
    emptied = [i for i, (a, b) in enumerate(zip(input_shape, output_shape))
               if i and b == 0 and a != 0]
    if emptied:
        warnings.warn('Layer %s: %s input shape %s leaves a zero-length axis: output shape %s '
                      '(as Keras 1.2.2 on Theano). Its outputs are empty arrays, and a '
                      'following Flatten refuses the shape.'
                      % (layer.name, what, tuple(input_shape), tuple(output_shape)),
                      UserWarning, stacklevel=3)


def _crop_pairs(cropping, rank, layer_name):
    return _non_negative(_raw_crop_pairs(cropping, rank, layer_name), 'cropping', layer_name)


def _raw_crop_pairs(cropping, rank, layer_name):
    if isinstance(cropping, int):
        return ((cropping, cropping),) * rank
    cropping = tuple(cropping)
    if rank == 1 and len(cropping) == 2 and all(isinstance(c, int) for c in cropping):
        return (tuple(cropping),)
    if len(cropping) == rank and all(isinstance(c, int) for c in cropping):
        return tuple((c, c) for c in cropping)
    if len(cropping) == rank and all(len(tuple(c)) == 2 for c in cropping):
        return tuple((int(c[0]), int(c[1])) for c in cropping)
    raise ValueError('Layer %s: `cropping` should have %d (before, after) pairs; got %r.'
                     % (layer_name, rank, cropping))


class Cropping1D(Layer):
    """Remove ``cropping = (left, right)`` timesteps."""

    def __init__(self, cropping=(1, 1), **kwargs):
        self.cropping = tuple(cropping) if not isinstance(cropping, int) else (cropping, cropping)
        self.pairs = _crop_pairs(self.cropping, 1, kwargs.get('name', 'Cropping1D'))
        self.input_spec = [InputSpec(ndim=3)]
        super(Cropping1D, self).__init__(**kwargs)

    def build(self, input_shape):
        warn_if_empty(self, input_shape, self.get_output_shape_for(input_shape),
                      'cropping %s of its' % (self.cropping,))
        self.built = True

    def get_output_shape_for(self, input_shape):
        return (input_shape[0], _cropped_length(input_shape[1], *self.cropping), input_shape[2])

    def call(self, x, mask=None):
        length = K.int_shape(x)[1]
        return x[:, _crop_slice(length, self.cropping[0], self.cropping[1], x.shape[1]), :]

    def get_config(self):
        config = super(Cropping1D, self).get_config()
        config['cropping'] = self.cropping
        return config


class Cropping2D(_Spatial):
    """Remove ``((top, bottom), (left, right))`` rows and columns."""

    def __init__(self, cropping=((0, 0), (0, 0)), dim_ordering='default', **kwargs):
        kwargs = self._setup(dim_ordering, kwargs)
        self.cropping = _crop_pairs(cropping, self.rank, kwargs.get('name', 'Cropping'))
        super(Cropping2D, self).__init__(**kwargs)

    def build(self, input_shape):
        warn_if_empty(self, input_shape, self.get_output_shape_for(input_shape),
                      'cropping %s of its' % (self.cropping,))
        self.built = True

    def get_output_shape_for(self, input_shape):
        return self._map_spatial(input_shape, lambda i, n: _cropped_length(n, *self.cropping[i]))

    def call(self, x, mask=None):
        index = [slice(None)] * (self.rank + 2)
        static = K.int_shape(x)
        for (a, b), axis in zip(self.cropping, self._axes()):
            index[axis] = _crop_slice(static[axis], a, b, x.shape[axis])
        return x[tuple(index)]

    def get_config(self):
        config = super(Cropping2D, self).get_config()
        config['cropping'] = self.cropping
        return config


class Cropping3D(Cropping2D):
    """Remove ``((before, after),) * 3`` cells from the three spatial axes."""

    rank = 3

    def __init__(self, cropping=((1, 1), (1, 1), (1, 1)), dim_ordering='default', **kwargs):
        super(Cropping3D, self).__init__(cropping, dim_ordering, **kwargs)
