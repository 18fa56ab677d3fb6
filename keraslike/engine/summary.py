"""Model summaries (``model.summary()``) and parameter counts; Keras 1 exported them from
``keras.utils.layer_utils``, which still re-exports them.

>>> from keraslike.engine.summary import count_total_params
"""
from keraslike import backend as K
from .container import Container


def count_total_params(layers, layer_set=None):
    """(trainable, non-trainable) scalar counts, recursing into nested models once each."""
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
