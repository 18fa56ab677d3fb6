"""Keras 1's ``keras.utils.layer_utils``: converting convolution kernels, and the names
that module re-exported.

Keras 1's layer_utils did ``from ..layers import *``, imported ``Model`` and
``Sequential``, and defined ``layer_from_config``, ``print_summary`` and
``count_total_params``: code imports all of them from here. They now live in the engine and
the layers, which are built on the utilities, so they are looked up on first access
(the module-level ``__getattr__`` below): importing this module loads neither.

>>> from keraslike.utils.layer_utils import count_total_params, layer_from_config
"""
from keraslike import backend as K
from keraslike.utils.generic_utils import get_custom_objects, get_from_module  # noqa: F401
from keraslike.utils.np_utils import convert_kernel


def __getattr__(name):
    """The Keras 1 re-exports: every public name of ``keraslike.layers``, ``Model``,
    ``Sequential``, ``layer_from_config``, ``print_summary``, ``count_total_params``."""
    if name.startswith('_'):  # private and dunder look-ups (introspection) load nothing
        raise AttributeError('module %r has no attribute %r' % (__name__, name))
    # Imported here, not at the top: the engine and the layers import the utilities.
    from keraslike import layers
    from keraslike.engine import graph_config, sequential, summary, training
    exports = {'Model': training.Model, 'Sequential': sequential.Sequential,
               'layer_from_config': graph_config.layer_from_config,
               'print_summary': summary.print_summary,
               'count_total_params': summary.count_total_params}
    if name in exports:
        return exports[name]
    if hasattr(layers, name):
        return getattr(layers, name)
    raise AttributeError('module %r has no attribute %r' % (__name__, name))


def convert_all_kernels_in_model(model):
    """Flip the convolution kernels of every convolution layer in ``model`` in place
    (Theano <-> TensorFlow kernels, see ``np_utils.convert_kernel``), as Keras 1 does for
    ``Convolution1D/2D/3D``, ``AtrousConvolution1D/2D`` and ``Deconvolution2D`` (and their
    Keras 2 names); other layers are left alone.

    >>> # convert_all_kernels_in_model(model)  # after loading weights saved by TensorFlow
    """
    # by class name, as Keras 1 matched them: the classes live in keraslike.layers, which
    # this module may not import (the layers import the utilities)
    conv_classes = {'Convolution1D', 'Convolution2D', 'Convolution3D', 'AtrousConvolution1D',
                    'AtrousConvolution2D', 'Deconvolution2D', 'Conv1D', 'Conv2D', 'Conv3D',
                    'Conv2DTranspose'}
    layers = getattr(model, 'flattened_layers', None) or model.layers
    to_assign = []
    for layer in layers:
        if layer.__class__.__name__ in conv_classes:
            kernel = getattr(layer, 'W', None)
            if kernel is None:
                kernel = getattr(layer, 'kernel')
            to_assign.append((kernel, convert_kernel(K.get_value(kernel))))
    K.batch_set_value(to_assign)
