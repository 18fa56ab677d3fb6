"""Node: one call of a layer on some inputs, linking the layers of a graph.

Each time a layer is called on Keras tensors, a Node is appended to the
layer's ``inbound_nodes`` and to each input layer's ``outbound_nodes``. A
tensor's ``_keras_history = (layer, node_index, tensor_index)`` names the node
that produced it.
"""


class Node(object):
    """The connection made when ``outbound_layer`` is called on ``input_tensors``."""

    def __init__(self, outbound_layer, inbound_layers, node_indices, tensor_indices,
                 input_tensors, output_tensors, input_masks, output_masks,
                 input_shapes, output_shapes):
        self.outbound_layer = outbound_layer
        self.inbound_layers = inbound_layers
        self.node_indices = node_indices
        self.tensor_indices = tensor_indices
        self.input_tensors = input_tensors
        self.output_tensors = output_tensors
        self.input_masks = input_masks
        self.output_masks = output_masks
        self.input_shapes = input_shapes
        self.output_shapes = output_shapes

        for layer in inbound_layers:
            if layer is not None:
                layer.outbound_nodes.append(self)
        outbound_layer.inbound_nodes.append(self)

    @classmethod
    def create_node(cls, outbound_layer, inbound_layers, node_indices=None, tensor_indices=None):
        """Run ``outbound_layer`` on the outputs of the given nodes and record the call."""
        from .base_layer import to_list
        if not node_indices:
            node_indices = [0 for _ in inbound_layers]
        if not tensor_indices:
            tensor_indices = [0 for _ in inbound_layers]
        input_tensors, input_masks, input_shapes = [], [], []
        for layer, node_index, tensor_index in zip(inbound_layers, node_indices, tensor_indices):
            inbound_node = layer.inbound_nodes[node_index]
            input_tensors.append(inbound_node.output_tensors[tensor_index])
            input_masks.append(inbound_node.output_masks[tensor_index])
            input_shapes.append(inbound_node.output_shapes[tensor_index])

        if len(input_tensors) == 1:
            output_tensors = to_list(outbound_layer.call(input_tensors[0], mask=input_masks[0]))
            output_masks = to_list(outbound_layer.compute_mask(input_tensors[0], input_masks[0]))
            output_shapes = to_list(outbound_layer.get_output_shape_for(input_shapes[0]))
        else:
            output_tensors = to_list(outbound_layer.call(input_tensors, mask=input_masks))
            output_masks = to_list(outbound_layer.compute_mask(input_tensors, input_masks))
            output_shapes = to_list(outbound_layer.get_output_shape_for(input_shapes))

        if not output_tensors or output_tensors[0] is None:
            raise TypeError('The `call` method of layer "%s" should return a tensor. Found: %s'
                            % (outbound_layer.name, output_tensors[0] if output_tensors else None))
        if len(output_tensors) != len(output_shapes):
            raise ValueError('The `get_output_shape_for` method of layer "%s" should return one '
                             'shape tuple per output tensor (%d), got %d.'
                             % (outbound_layer.name, len(output_tensors), len(output_shapes)))
        if len(output_tensors) != len(output_masks):
            raise ValueError('The `compute_mask` method of layer "%s" should return one mask per '
                             'output tensor (%d), got %d.'
                             % (outbound_layer.name, len(output_tensors), len(output_masks)))

        # A layer may return an input unchanged; give it its own node so that
        # writing the Keras metadata below does not rewrite the input's history.
        from keraslike import backend as K
        output_tensors = [K.identity(x) if any(x is t for t in input_tensors) else x
                          for x in output_tensors]
        uses_lp = any(getattr(x, '_uses_learning_phase', False) for x in input_tensors)
        uses_lp = uses_lp or outbound_layer.uses_learning_phase
        node_index = len(outbound_layer.inbound_nodes)
        for i, x in enumerate(output_tensors):
            x._keras_shape = output_shapes[i]
            x._uses_learning_phase = getattr(x, '_uses_learning_phase', False) or uses_lp
            x._keras_history = (outbound_layer, node_index, i)

        return cls(outbound_layer, inbound_layers, node_indices, tensor_indices,
                   input_tensors, output_tensors, input_masks, output_masks,
                   input_shapes, output_shapes)

    def get_config(self):
        return {'outbound_layer': self.outbound_layer.name if self.outbound_layer else None,
                'inbound_layers': [layer.name if layer else None for layer in self.inbound_layers],
                'node_indices': self.node_indices,
                'tensor_indices': self.tensor_indices}
