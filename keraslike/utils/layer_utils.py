"""Model summaries and parameter counts.

>>> from keraslike.utils.layer_utils import count_total_params
"""
from keraslike import backend as K
# Keras 1's layer_utils did `from ..layers import *`: code imports layers from here
from keraslike.layers import *  # noqa: F401,F403
from keraslike.models import Model, Sequential  # noqa: F401
from keraslike.utils.generic_utils import get_custom_objects, get_from_module  # noqa: F401
from keraslike.utils.np_utils import convert_kernel  # noqa: F401


def count_total_params(layers, layer_set=None):
    """(trainable, non-trainable) scalar counts, recursing into nested models once each."""
    from keraslike.engine.container import Container
    if layer_set is None:
        layer_set = set()
    trainable, non_trainable = 0, 0
    for layer in layers:
        if layer in layer_set:
            continue
        layer_set.add(layer)
        if isinstance(layer, Container) or hasattr(layer, 'flattened_layers'):
            t, nt = count_total_params(layer.layers, layer_set)
            trainable += t
            non_trainable += nt
        else:
            trainable += sum(K.count_params(p) for p in layer.trainable_weights)
            non_trainable += sum(K.count_params(p) for p in layer.non_trainable_weights)
    return trainable, non_trainable


def _print_row(fields, positions):
    line = ''
    for field, stop in zip(fields, positions):
        line += str(field)
        line = line[:stop]
        line += ' ' * (stop - len(line))
    print(line)


def print_summary(layers, relevant_nodes=None, line_length=100, positions=None):
    """Print Keras 1's summary table for ``layers`` (column stops at 33/55/67/100%)."""
    positions = positions or [.33, .55, .67, 1.]
    if positions[-1] <= 1:
        positions = [int(line_length * p) for p in positions]
    print('_' * line_length)
    _print_row(['Layer (type)', 'Output Shape', 'Param #', 'Connected to'], positions)
    print('=' * line_length)
    for i, layer in enumerate(layers):
        try:
            output_shape = layer.output_shape
        except (AttributeError, Exception):
            output_shape = 'multiple'
        connections = []
        for node_index, node in enumerate(layer.inbound_nodes):
            if relevant_nodes and layer.name + '_ib-' + str(node_index) not in relevant_nodes:
                continue
            for inbound, n, t in zip(node.inbound_layers, node.node_indices, node.tensor_indices):
                connections.append('%s[%d][%d]' % (inbound.name, n, t))
        _print_row([layer.name + ' (' + layer.__class__.__name__ + ')', output_shape,
                    layer.count_params(), connections[0] if connections else ''], positions)
        for extra in connections[1:]:
            _print_row(['', '', '', extra], positions)
        print(('=' if i == len(layers) - 1 else '_') * line_length)
    trainable, non_trainable = count_total_params(layers)
    print('Total params: {:,}'.format(trainable + non_trainable))
    print('Trainable params: {:,}'.format(trainable))
    print('Non-trainable params: {:,}'.format(non_trainable))
    print('_' * line_length)


def layer_from_config(config, custom_objects=None, safe_mode=None):
    """Instantiate a layer (or model) from ``{'class_name': ..., 'config': ...}``.

    ``custom_objects`` maps names to custom layers or functions; they are
    visible only during this call. ``safe_mode=False`` allows configs holding
    marshalled Python code (Keras 1 lambdas) to be rebuilt.
    """
    import inspect
    from keraslike import layers as layers_module
    from keraslike.engine.training import Model
    from keraslike.sequential import Sequential
    from keraslike.utils.generic_utils import custom_object_scope, get_from_module
    class_name = config['class_name']
    with custom_object_scope(custom_objects or {}):
        if class_name == 'Sequential':
            layer_class = Sequential
        elif class_name in ('Model', 'Container'):
            layer_class = Model
        else:
            layer_class = get_from_module(class_name, vars(layers_module), 'layer')
        params = inspect.signature(layer_class.from_config).parameters
        kwargs = {}
        if 'custom_objects' in params:
            kwargs['custom_objects'] = custom_objects
        if 'safe_mode' in params:
            kwargs['safe_mode'] = safe_mode
        return layer_class.from_config(config['config'], **kwargs)


def convert_all_kernels_in_model(model):
    """Flip the convolution kernels of every convolution layer in ``model`` in place
    (Theano <-> TensorFlow kernels, see ``np_utils.convert_kernel``), as Keras 1 does for
    ``Convolution1D/2D/3D``, ``AtrousConvolution1D/2D`` and ``Deconvolution2D`` (and their
    Keras 2 names); other layers are left alone.

    >>> # convert_all_kernels_in_model(model)  # after loading weights saved by TensorFlow
    """
    from keraslike.utils.np_utils import convert_kernel
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
