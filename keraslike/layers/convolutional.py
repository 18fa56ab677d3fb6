"""Convolution layers (Keras 1.2.2 signatures, weight shapes and config keys).

Convolution1D/2D/3D, AtrousConvolution1D/2D, Deconvolution2D and
SeparableConvolution2D compute true convolutions (the kernel is flipped, as
on Theano), so Keras 1 weight files trained on Theano load unchanged. The
padding, cropping and upsampling layers live in ``convolutional_shapes``;
the pooling layers are re-exported from ``pooling`` as in Keras 1.

>>> from keraslike.layers import Convolution2D, Conv2D
>>> a = Convolution2D(32, 3, 3, border_mode='same', input_shape=(1, 28, 28))
>>> b = Conv2D(filters=32, kernel_size=(3, 3), padding='same')   # Keras 2 spelling
"""
import inspect

from keraslike import backend as K
from keraslike.engine.topology import InputSpec, Layer  # noqa: F401  (Keras 1 path)
from keraslike.utils.conv_utils import normalize_dim_ordering, normalize_tuple
from keraslike.utils.generic_utils import check_int_arg, take_named_args
from keraslike.utils.np_utils import conv_input_length, conv_output_length  # noqa: F401
from .convolutional_shapes import (Cropping1D, Cropping2D, Cropping3D,  # noqa: F401
                                   UpSampling1D, UpSampling2D, UpSampling3D, ZeroPadding1D,
                                   ZeroPadding2D, ZeroPadding3D)
from .dense import _WeightedLayer, config_of
from .keras2 import WEIGHTED, keras1_kwargs
from .pooling import (AveragePooling1D, AveragePooling2D, AveragePooling3D,  # noqa: F401
                      MaxPooling1D, MaxPooling2D, MaxPooling3D)

_BORDER_MODES = ('valid', 'same', 'full')
# Keras 2 spellings shared by the convolution layers ('kernel_size' is handled apart)
CONV = dict(WEIGHTED, filters='nb_filter', padding='border_mode', strides='subsample',
            data_format='dim_ordering', dilation_rate='atrous_rate')
CONV1D = dict(CONV, strides='subsample_length')


def _accepts_dim_ordering(init):
    try:
        params = inspect.signature(init).parameters.values()
    except (TypeError, ValueError):
        return True
    return any(p.name == 'dim_ordering' or p.kind == p.VAR_KEYWORD for p in params)


class _Conv(_WeightedLayer):
    """Shared machinery: argument checks, weights, bias, output shapes.

    Subclasses set ``rank`` and ``layer_label`` and implement ``_kernel_shape``
    and ``_convolve``.
    """

    rank = 2
    border_modes = _BORDER_MODES

    def _init_conv(self, nb_filter, kernel_size, init, activation, weights, border_mode,
                   subsample, atrous_rate, dim_ordering, W_regularizer, b_regularizer,
                   activity_regularizer, W_constraint, b_constraint, bias, kwargs):
        label = kwargs.get('name') or self.__class__.__name__
        if nb_filter is None or kernel_size is None or None in tuple(kernel_size):
            raise TypeError('%s needs nb_filter and the kernel size (Keras 2: filters, '
                            'kernel_size).' % label)
        if border_mode not in self.border_modes:
            raise ValueError('Invalid border mode for %s: %r; expected one of %s.'
                             % (label, border_mode, ', '.join(self.border_modes)))
        self.nb_filter = check_int_arg(nb_filter, 'nb_filter', 'Layer ' + label)
        owner = 'Layer ' + label
        self.kernel_size = normalize_tuple(kernel_size, self.rank, 'the kernel size', owner)
        self.border_mode = border_mode
        self.subsample = normalize_tuple(subsample, self.rank, 'subsample (strides)', owner)
        self.atrous_rate = normalize_tuple(atrous_rate, self.rank, 'atrous_rate', owner)
        self.dim_ordering = normalize_dim_ordering(dim_ordering)
        self._setup(init, activation, weights, W_regularizer, b_regularizer,
                    activity_regularizer, W_constraint, b_constraint, bias)
        self.input_spec = [InputSpec(ndim=self.rank + 2)]
        super(_Conv, self).__init__(**kwargs)

    # -------------------------------------------------------------- shapes
    def _spatial(self, input_shape):
        return input_shape[2:] if self.dim_ordering == 'th' else input_shape[1:-1]

    def _channels(self, input_shape):
        return input_shape[1] if self.dim_ordering == 'th' else input_shape[-1]

    def _out_spatial(self, input_shape):
        out = []
        for L, k, s, d in zip(self._spatial(input_shape), self.kernel_size, self.subsample,
                              self.atrous_rate):
            n = conv_output_length(L, k, self.border_mode, s, dilation=d)
            if n is not None and n <= 0:
                raise ValueError('Layer %s: the kernel %s (dilation %s) is larger than the input '
                                 '%s with border_mode="%s".' % (self.name, self.kernel_size,
                                                                self.atrous_rate, input_shape,
                                                                self.border_mode))
            out.append(n)
        return tuple(out)

    def _with_channels(self, batch, spatial, channels):
        if self.dim_ordering == 'th':
            return (batch, channels) + tuple(spatial)
        return (batch,) + tuple(spatial) + (channels,)

    def get_output_shape_for(self, input_shape):
        return self._with_channels(input_shape[0], self._out_spatial(input_shape),
                                   self.nb_filter)

    # -------------------------------------------------------------- weights
    def _conv_weight(self, shape, suffix, init, regularizer, constraint, dim_ordering):
        """A kernel created as Keras 1 does: ``init(shape, name, dim_ordering)`` (fan rules)."""
        name = '{}_{}'.format(self.name, suffix)
        if _accepts_dim_ordering(init):
            weight = init(tuple(shape), name=name, dim_ordering=dim_ordering)
        else:  # a custom init(shape, name)
            weight = init(tuple(shape), name=name)
        if regularizer is not None:
            self.add_loss(regularizer(weight))
        if constraint is not None:
            self.constraints[weight] = constraint
        self._trainable_weights.append(weight)
        return weight

    def _bias_weight(self):
        self.b = None
        if self.bias:
            self.b = self.add_weight((self.nb_filter,), initializer='zero',
                                     name='{}_b'.format(self.name),
                                     regularizer=self.b_regularizer,
                                     constraint=self.b_constraint)

    def build(self, input_shape):
        channels = self._channels(input_shape)
        if channels is None:
            raise ValueError('Layer %s: the channel dimension of the input must be known, got '
                             'input shape %s.' % (self.name, input_shape))
        self._out_spatial(input_shape)  # clear error now if the kernel does not fit
        self.W_shape = self._kernel_shape(channels)
        self.W = self._conv_weight(self.W_shape, 'W', self.init, self.W_regularizer,
                                   self.W_constraint, self._init_ordering())
        self._bias_weight()
        self._set_initial_weights()
        self.built = True

    def _init_ordering(self):
        return self.dim_ordering

    def _kernel_shape(self, channels):
        if self.dim_ordering == 'th':
            return (self.nb_filter, channels) + self.kernel_size
        return self.kernel_size + (channels, self.nb_filter)

    # -------------------------------------------------------------- computation
    def _add_bias(self, output):
        if not self.bias:
            return output
        return K.bias_add(output, self.b, self.dim_ordering)

    def call(self, x, mask=None):
        return self.activation(self._add_bias(self._convolve(x)))

    def _conv_config(self):
        config = {'nb_filter': self.nb_filter}
        config.update(self._weighted_config())
        config['border_mode'] = self.border_mode
        return config


class Convolution2D(_Conv):
    """2D convolution. th input ``(s, c, rows, cols)``, W ``(nb_filter, c, nb_row, nb_col)``.

    Keras 2 spelling: ``Conv2D(filters, kernel_size, strides, padding, data_format, ...)``.
    """

    def __init__(self, nb_filter=None, nb_row=None, nb_col=None, init='glorot_uniform',
                 activation=None, weights=None, border_mode='valid', subsample=(1, 1),
                 dim_ordering='default', W_regularizer=None, b_regularizer=None,
                 activity_regularizer=None, W_constraint=None, b_constraint=None, bias=True,
                 **kwargs):
        kwargs = keras1_kwargs(kwargs, CONV)
        args = _pop_keras1(locals(), kwargs, 2, ('nb_row', 'nb_col'))
        self._init_conv(kwargs=kwargs, **args)

    def _convolve(self, x):
        return K.conv2d(x, self.W, strides=self.subsample, border_mode=self.border_mode,
                        dim_ordering=self.dim_ordering, filter_shape=self.W_shape,
                        filter_dilation=self.atrous_rate)

    def get_config(self):
        config = self._conv_config()
        config.update({'nb_row': self.kernel_size[0], 'nb_col': self.kernel_size[1],
                       'subsample': self.subsample, 'dim_ordering': self.dim_ordering})
        base = super(Convolution2D, self).get_config()
        return dict(list(base.items()) + list(config.items()))


class AtrousConvolution2D(Convolution2D):
    """Dilated 2D convolution: kernel taps ``atrous_rate`` apart."""

    def __init__(self, nb_filter=None, nb_row=None, nb_col=None, init='glorot_uniform',
                 activation=None, weights=None, border_mode='valid', subsample=(1, 1),
                 atrous_rate=(1, 1), dim_ordering='default', W_regularizer=None,
                 b_regularizer=None, activity_regularizer=None, W_constraint=None,
                 b_constraint=None, bias=True, **kwargs):
        kwargs = keras1_kwargs(kwargs, CONV)
        args = _pop_keras1(locals(), kwargs, 2, ('nb_row', 'nb_col'))
        self._init_conv(kwargs=kwargs, **args)

    def get_config(self):
        config = super(AtrousConvolution2D, self).get_config()
        config['atrous_rate'] = self.atrous_rate
        return config


class Convolution3D(_Conv):
    """3D convolution. th input ``(s, c, d1, d2, d3)``, W ``(nb_filter, c, k1, k2, k3)``."""

    rank = 3

    def __init__(self, nb_filter=None, kernel_dim1=None, kernel_dim2=None, kernel_dim3=None,
                 init='glorot_uniform', activation=None, weights=None, border_mode='valid',
                 subsample=(1, 1, 1), dim_ordering='default', W_regularizer=None,
                 b_regularizer=None, activity_regularizer=None, W_constraint=None,
                 b_constraint=None, bias=True, **kwargs):
        kwargs = keras1_kwargs(kwargs, CONV)
        args = _pop_keras1(locals(), kwargs, 3, ('kernel_dim1', 'kernel_dim2', 'kernel_dim3'))
        self._init_conv(kwargs=kwargs, **args)

    def _convolve(self, x):
        return K.conv3d(x, self.W, strides=self.subsample, border_mode=self.border_mode,
                        dim_ordering=self.dim_ordering, filter_shape=self.W_shape,
                        filter_dilation=self.atrous_rate)

    def get_config(self):
        config = self._conv_config()
        config.update({'kernel_dim1': self.kernel_size[0], 'kernel_dim2': self.kernel_size[1],
                       'kernel_dim3': self.kernel_size[2], 'subsample': self.subsample,
                       'dim_ordering': self.dim_ordering})
        base = super(Convolution3D, self).get_config()
        return dict(list(base.items()) + list(config.items()))


class Convolution1D(_Conv):
    """Temporal convolution: ``(s, steps, input_dim)`` -> ``(s, new_steps, nb_filter)``.

    W has Keras 1's shape ``(filter_length, 1, input_dim, nb_filter)``.
    """

    rank = 1

    def __init__(self, nb_filter=None, filter_length=None, init='glorot_uniform',
                 activation=None, weights=None, border_mode='valid', subsample_length=1,
                 W_regularizer=None, b_regularizer=None, activity_regularizer=None,
                 W_constraint=None, b_constraint=None, bias=True, input_dim=None,
                 input_length=None, **kwargs):
        kwargs = keras1_kwargs(kwargs, CONV1D)
        args = _pop_keras1(locals(), kwargs, 1, ('filter_length',))
        self.input_dim = input_dim
        self.input_length = input_length
        if input_dim:
            kwargs['input_shape'] = (input_length, input_dim)
        self._init_conv(kwargs=kwargs, **args)

    def _kernel_shape(self, channels):
        return (self.kernel_size[0], 1, channels, self.nb_filter)

    def _init_ordering(self):
        return 'th'  # Keras 1 quirk: th fan rules on this tf-layout kernel

    def _convolve(self, x):
        return K.conv1d(x, self.W, stride=self.subsample[0], border_mode=self.border_mode,
                        filter_shape=self.W_shape, filter_dilation=self.atrous_rate[0])

    def get_config(self):
        config = self._conv_config()
        config.update({'filter_length': self.kernel_size[0],
                       'subsample_length': self.subsample[0],
                       'input_dim': self.input_dim, 'input_length': self.input_length})
        base = super(Convolution1D, self).get_config()
        return dict(list(base.items()) + list(config.items()))


class AtrousConvolution1D(Convolution1D):
    """Dilated temporal convolution (kernel taps ``atrous_rate`` steps apart)."""

    def __init__(self, nb_filter=None, filter_length=None, init='glorot_uniform',
                 activation=None, weights=None, border_mode='valid', subsample_length=1,
                 atrous_rate=1, W_regularizer=None, b_regularizer=None,
                 activity_regularizer=None, W_constraint=None, b_constraint=None, bias=True,
                 **kwargs):
        kwargs = keras1_kwargs(kwargs, CONV1D)
        args = _pop_keras1(locals(), kwargs, 1, ('filter_length',))
        self.input_dim = kwargs.pop('input_dim', None)
        self.input_length = kwargs.pop('input_length', None)
        if self.input_dim:
            kwargs['input_shape'] = (self.input_length, self.input_dim)
        self._init_conv(kwargs=kwargs, **args)

    def get_config(self):
        config = super(AtrousConvolution1D, self).get_config()
        config['atrous_rate'] = self.atrous_rate[0]
        return config


def _pop_keras1(args, kwargs, rank, size_names):
    """Collect a conv constructor's Keras 1 arguments, letting Keras 2 names override them.

    ``kernel_size`` (Keras 2) or a tuple in the first size slot gives the kernel size;
    a single int there means a square/cubic kernel, as ``Conv2D(32, 3)`` in Keras 2.
    """
    names = ('nb_filter', 'init', 'activation', 'weights', 'border_mode', 'W_regularizer',
             'b_regularizer', 'activity_regularizer', 'W_constraint', 'b_constraint', 'bias')
    out = take_named_args(kwargs, {name: args.get(name) for name in names})
    subsample = 'subsample_length' if rank == 1 else 'subsample'
    out['subsample'] = kwargs.pop(subsample, args.get(subsample, 1))
    out['atrous_rate'] = kwargs.pop('atrous_rate', args.get('atrous_rate', 1))
    out['dim_ordering'] = kwargs.pop('dim_ordering', args.get('dim_ordering', 'tf'))
    sizes = [kwargs.pop(n, args.get(n)) for n in size_names]
    kernel_size = kwargs.pop('kernel_size', None)
    if kernel_size is None:
        first = sizes[0]
        if isinstance(first, (tuple, list)):
            kernel_size = tuple(first)
        elif first is not None and all(s is None for s in sizes[1:]):
            kernel_size = (first,) * rank
        else:
            kernel_size = tuple(sizes)
    if isinstance(kernel_size, int):
        kernel_size = (kernel_size,) * rank
    out['kernel_size'] = kernel_size
    return out


def _deconv_extra(k, border_mode):
    """Output size beyond ``(L - 1) * stride`` of a transposed convolution."""
    return {'valid': k, 'same': 1, 'full': 2 - k}[border_mode]


class Deconvolution2D(Convolution2D):
    """Transposed 2D convolution; ``output_shape`` is the full output shape (batch may be None).

    Without ``output_shape`` (Keras 2's Conv2DTranspose) the output is the
    smallest size whose convolution gives back the input. W has Convolution2D's shape
    for the input channels, th ``(nb_filter, c_in, nb_row, nb_col)``.
    """

    def __init__(self, nb_filter=None, nb_row=None, nb_col=None, output_shape=None,
                 init='glorot_uniform', activation=None, weights=None, border_mode='valid',
                 subsample=(1, 1), dim_ordering='default', W_regularizer=None,
                 b_regularizer=None, activity_regularizer=None, W_constraint=None,
                 b_constraint=None, bias=True, **kwargs):
        self.output_shape_ = None if output_shape is None else tuple(output_shape)
        if self.output_shape_ is not None and len(self.output_shape_) != 4:
            raise ValueError('Deconvolution2D: output_shape must have 4 entries (batch included), '
                             'got %r.' % (output_shape,))
        kwargs = keras1_kwargs(kwargs, CONV)
        args = _pop_keras1(locals(), kwargs, 2, ('nb_row', 'nb_col'))
        self._init_conv(kwargs=kwargs, **args)

    def _target_spatial(self, input_shape):
        s = self.output_shape_
        if s is None:  # Keras 2 (Conv2DTranspose): the smallest output that maps back to the input
            return tuple(None if L is None else (L - 1) * st + _deconv_extra(k, self.border_mode)
                         for L, k, st in zip(self._spatial(input_shape), self.kernel_size,
                                             self.subsample))
        return tuple(s[2:]) if self.dim_ordering == 'th' else tuple(s[1:3])

    def _full_output_shape(self, input_shape):
        spatial = self._target_spatial(input_shape)
        return self._with_channels(input_shape[0], spatial, self.nb_filter)

    def _out_spatial(self, input_shape):
        target = self._target_spatial(input_shape)
        for L_in, L_out, k, s in zip(self._spatial(input_shape), target, self.kernel_size,
                                     self.subsample):
            if L_in is not None and conv_output_length(L_out, k, self.border_mode, s) != L_in:
                raise ValueError('Layer %s: output_shape %s cannot come from input shape %s '
                                 '(a %s convolution of the output, kernel %s, strides %s, '
                                 'would have spatial size %s).'
                                 % (self.name, self.output_shape_, input_shape, self.border_mode,
                                    self.kernel_size, self.subsample,
                                    tuple(conv_output_length(t, kk, self.border_mode, ss)
                                          for t, kk, ss in zip(target, self.kernel_size,
                                                               self.subsample))))
        return target

    def _convolve(self, x):
        output_shape = self._full_output_shape(getattr(x, '_keras_shape', K.int_shape(x)))
        return K.deconv2d(x, self.W, output_shape, strides=self.subsample,
                          border_mode=self.border_mode, dim_ordering=self.dim_ordering,
                          filter_shape=self.W_shape)

    def get_config(self):
        config = super(Deconvolution2D, self).get_config()
        config['output_shape'] = self.output_shape_
        return config


class SeparableConvolution2D(Convolution2D):
    """Depthwise (``depth_multiplier`` filters per input channel) then pointwise 1x1 convolution.

    Weights: ``depthwise_kernel`` th ``(depth_multiplier, c_in, nb_row, nb_col)``,
    ``pointwise_kernel`` th ``(nb_filter, depth_multiplier * c_in, 1, 1)``, ``b``.
    (Keras 1 offered this on TensorFlow only; here kernels are flipped like all convolutions.)
    """

    border_modes = ('valid', 'same')

    def __init__(self, nb_filter=None, nb_row=None, nb_col=None, init='glorot_uniform',
                 activation=None, weights=None, border_mode='valid', subsample=(1, 1),
                 depth_multiplier=1, dim_ordering='default', depthwise_regularizer=None,
                 pointwise_regularizer=None, b_regularizer=None, activity_regularizer=None,
                 depthwise_constraint=None, pointwise_constraint=None, b_constraint=None,
                 bias=True, **kwargs):
        from keraslike import constraints, regularizers
        kwargs = dict(kwargs)
        kwargs.pop('pointwise_initializer', None)  # Keras 1 initialises both kernels with `init`
        kwargs = keras1_kwargs(kwargs, dict(CONV, depthwise_initializer='init'))
        self.depth_multiplier = check_int_arg(kwargs.pop('depth_multiplier', depth_multiplier),
                                              'depth_multiplier', 'Layer SeparableConvolution2D')
        self.depthwise_regularizer = regularizers.get(depthwise_regularizer)
        self.pointwise_regularizer = regularizers.get(pointwise_regularizer)
        self.depthwise_constraint = constraints.get(depthwise_constraint)
        self.pointwise_constraint = constraints.get(pointwise_constraint)
        args = _pop_keras1(locals(), kwargs, 2, ('nb_row', 'nb_col'))
        self._init_conv(kwargs=kwargs, **args)

    def build(self, input_shape):
        channels = self._channels(input_shape)
        if channels is None:
            raise ValueError('Layer %s: the channel dimension of the input must be known, got '
                             'input shape %s.' % (self.name, input_shape))
        self._out_spatial(input_shape)
        dm, r, c = self.depth_multiplier, self.kernel_size[0], self.kernel_size[1]
        if self.dim_ordering == 'th':
            depthwise_shape = (dm, channels, r, c)
            pointwise_shape = (self.nb_filter, dm * channels, 1, 1)
        else:
            depthwise_shape = (r, c, channels, dm)
            pointwise_shape = (1, 1, dm * channels, self.nb_filter)
        self.depthwise_kernel = self._conv_weight(depthwise_shape, 'depthwise_kernel', self.init,
                                                  self.depthwise_regularizer,
                                                  self.depthwise_constraint, self.dim_ordering)
        self.pointwise_kernel = self._conv_weight(pointwise_shape, 'pointwise_kernel', self.init,
                                                  self.pointwise_regularizer,
                                                  self.pointwise_constraint, self.dim_ordering)
        self._bias_weight()
        self._set_initial_weights()
        self.built = True

    def _convolve(self, x):
        return K.separable_conv2d(x, self.depthwise_kernel, self.pointwise_kernel,
                                  strides=self.subsample, border_mode=self.border_mode,
                                  dim_ordering=self.dim_ordering)

    def get_config(self):
        config = super(SeparableConvolution2D, self).get_config()
        for key in ('W_regularizer', 'W_constraint'):
            config.pop(key, None)
        config.update({'depth_multiplier': self.depth_multiplier,
                       'depthwise_regularizer': config_of(self.depthwise_regularizer),
                       'pointwise_regularizer': config_of(self.pointwise_regularizer),
                       'depthwise_constraint': config_of(self.depthwise_constraint),
                       'pointwise_constraint': config_of(self.pointwise_constraint)})
        return config


# Aliases (Keras 1.2.2 defines the first seven; the rest are Keras 2 names)
Conv1D = Convolution1D
Conv2D = Convolution2D
Conv3D = Convolution3D
Deconv2D = Deconvolution2D
AtrousConv1D = AtrousConvolution1D
AtrousConv2D = AtrousConvolution2D
SeparableConv2D = SeparableConvolution2D
Conv2DTranspose = Deconvolution2D
