"""Container: a directed acyclic graph of layers, itself usable as a layer.

``Model`` (training) and ``Sequential`` build on it. The layer order that
Keras 1 defines here (deepest first, ties by first visit from the outputs)
decides the order of weights in saved files.
"""
from keraslike import backend as K
from .base_layer import Layer, to_list
from .node import Node


def get_source_inputs(tensor, layer=None, node_index=None):
    """The input tensors (of InputLayers) that ``tensor`` was computed from."""
    if not hasattr(tensor, '_keras_history'):
        return tensor
    if layer is None or node_index:
        layer, node_index, _ = tensor._keras_history
    if not layer.inbound_nodes:
        return [tensor]
    node = layer.inbound_nodes[node_index]
    if not node.inbound_layers:
        return node.input_tensors
    sources = []
    for i, inbound_layer in enumerate(node.inbound_layers):
        x = node.input_tensors[i]
        for s in get_source_inputs(x, inbound_layer, node.node_indices[i]):
            if not any(s is t for t in sources):
                sources.append(s)
    return sources


def _node_key(layer, node_index):
    return layer.name + '_ib-' + str(node_index)


def _node_depths(outputs):
    """Keras 1.2.2's depth map: ({node: depth}, {layer: depth}, {layer: first-visit index}, keys).

    A depth-first walk back from each output, as Keras 1 does it: a node is
    walked again whenever it is reached at a depth not yet seen from that
    output, so a layer reached by several paths (a residual shortcut, a dense
    block's concatenation) ends at its greatest depth, and a layer's inputs
    are walked from the greatest depth the layer has had so far. The walk is
    iterative: residual nets are deeper than Python's recursion limit.
    """
    node_depths, layer_depths, layer_indices, container_nodes = {}, {}, {}, set()

    def enter(layer, node_index, depth, seen):
        node = layer.inbound_nodes[node_index]
        seen.add((id(node), depth))
        container_nodes.add(_node_key(layer, node_index))
        node_depths[node] = max(depth, node_depths.get(node, depth))
        depth = max(depth, layer_depths.get(layer, depth))
        layer_depths[layer] = depth
        layer_indices.setdefault(layer, len(layer_indices))
        return [node, depth, 0]

    for x in outputs:
        layer, node_index, _ = x._keras_history
        seen = set()
        stack = [enter(layer, node_index, 0, seen)]
        while stack:
            frame = stack[-1]
            node, depth, i = frame
            if i == len(node.inbound_layers):
                stack.pop()
                continue
            frame[2] = i + 1
            inbound, inbound_index = node.inbound_layers[i], node.node_indices[i]
            # checked when this input's turn comes, after its siblings' walks, as in Keras 1
            if (id(inbound.inbound_nodes[inbound_index]), depth + 1) not in seen:
                stack.append(enter(inbound, inbound_index, depth + 1, seen))
    return node_depths, layer_depths, layer_indices, container_nodes


def _map_graph(inputs, outputs):
    """Depth of every node and layer reachable backwards from ``outputs``.

    Returns (layers in Keras 1 order, nodes_by_depth, container node keys).
    """
    node_depths, layer_depths, layer_indices, container_nodes = _node_depths(outputs)
    nodes_by_depth, layers_by_depth = {}, {}
    for node, depth in node_depths.items():
        nodes_by_depth.setdefault(depth, []).append(node)
    for layer, depth in layer_depths.items():
        layers_by_depth.setdefault(depth, []).append(layer)
    layers = []
    for depth in sorted(layers_by_depth, reverse=True):
        group = layers_by_depth[depth]
        if K.legacy_weight_ordering():
            group.sort(key=lambda layer: layer.name)
        else:
            group.sort(key=lambda layer: layer_indices[layer])
        layers.extend(group)

    counts = {}
    for layer in layers:
        counts[layer.name] = counts.get(layer.name, 0) + 1
    for name, count in counts.items():
        if count != 1:
            raise RuntimeError('The name "%s" is used %d times in the model. All layer names '
                               'should be unique.' % (name, count))

    computable = {id(x) for x in inputs}
    done = []
    for depth in sorted(nodes_by_depth, reverse=True):
        for node in nodes_by_depth[depth]:
            for x in node.input_tensors:
                if id(x) not in computable:
                    raise RuntimeError('Graph disconnected: cannot obtain value for tensor %s at '
                                       'layer "%s". The following previous layers were accessed '
                                       'without issue: %s' % (x, node.outbound_layer.name, done))
            computable.update(id(x) for x in node.output_tensors)
            done.append(node.outbound_layer.name)
    return layers, nodes_by_depth, container_nodes


class Container(Layer):
    """A graph of layers from ``input`` tensor(s) to ``output`` tensor(s)."""

    def __init__(self, input, output, name=None):
        if not name:
            prefix = self.__class__.__name__.lower()
            name = prefix + '_' + str(K.get_uid(prefix))
        self.name = name
        self.supports_masking = False
        self.trainable = True
        self._per_input_losses, self._per_input_updates = {}, {}
        self.inputs = list(input) if isinstance(input, (list, tuple)) else [input]
        self.outputs = list(output) if isinstance(output, (list, tuple)) else [output]
        for i, x in enumerate(self.inputs):
            if sum(x is y for y in self.inputs) > 1:
                raise ValueError('The list of inputs passed to the model is redundant: input %d '
                                 'appears more than once.' % i)
        for x in self.inputs + self.outputs:
            if not hasattr(x, '_keras_history'):
                raise TypeError('Model inputs and outputs must be Keras tensors (the outputs of '
                                'Input() or of a layer), got %r.' % (x,))

        self.input_layers, self.input_layers_node_indices = [], []
        self.input_layers_tensor_indices = []
        for x in self.inputs:
            layer, node_index, tensor_index = x._keras_history
            self.input_layers.append(layer)
            self.input_layers_node_indices.append(node_index)
            self.input_layers_tensor_indices.append(tensor_index)
        self.output_layers, self.output_layers_node_indices = [], []
        self.output_layers_tensor_indices = []
        for x in self.outputs:
            layer, node_index, tensor_index = x._keras_history
            self.output_layers.append(layer)
            self.output_layers_node_indices.append(node_index)
            self.output_layers_tensor_indices.append(tensor_index)

        self.internal_input_shapes = [x._keras_shape for x in self.inputs]
        self.internal_output_shapes = [x._keras_shape for x in self.outputs]
        self.input_names = [layer.name for layer in self.input_layers]
        self.output_names = [layer.name for layer in self.output_layers]
        self.output_masks = [layer.inbound_nodes[n].output_masks[t] for layer, n, t in
                             (x._keras_history for x in self.outputs)]

        self.layers, self.nodes_by_depth, self.container_nodes = _map_graph(self.inputs,
                                                                            self.outputs)
        self.outbound_nodes, self.inbound_nodes = [], []
        Node(outbound_layer=self, inbound_layers=[], node_indices=[], tensor_indices=[],
             input_tensors=self.inputs, output_tensors=self.outputs,
             input_masks=[None for _ in self.inputs], output_masks=self.output_masks,
             input_shapes=self.internal_input_shapes, output_shapes=self.internal_output_shapes)
        self.built = True
        self.constraints = {}

    # ---------------------------------------------------------------- layer-like properties
    @property
    def uses_learning_phase(self):
        return any(getattr(x, '_uses_learning_phase', False) for x in self.outputs)

    @property
    def input_spec(self):
        specs = []
        for layer in self.input_layers:
            spec = getattr(layer, 'input_spec', None)
            specs.extend(to_list(spec) if spec else [None])
        return specs if len(specs) > 1 else specs[0] if specs else None

    def assert_input_compatibility(self, input):
        """Each tensor must match the shape of the model input it feeds."""
        inputs = to_list(input)
        if len(inputs) != len(self.inputs):
            raise ValueError('Model "%s" expects %d input tensor(s), but it received %d.'
                             % (self.name, len(self.inputs), len(inputs)))
        for x, expected, name in zip(inputs, self.internal_input_shapes, self.input_names):
            shape = getattr(x, '_keras_shape', None) or K.int_shape(x)
            if len(shape) != len(expected) or any(
                    a is not None and b is not None and a != b
                    for a, b in zip(shape[1:], expected[1:])):
                raise ValueError('Model "%s": input "%s" expects shape %s, but it was called on '
                                 'a tensor of shape %s.' % (self.name, name, expected, shape))

    def get_layer(self, name=None, index=None):
        """A layer by name or by index in ``self.layers`` (unknown name: None, as in Keras 1)."""
        if index is not None:
            if len(self.layers) <= index:
                raise ValueError('Was asked to retrieve layer at index %d but model only has %d '
                                 'layers.' % (index, len(self.layers)))
            return self.layers[index]
        if not name:
            raise ValueError('Provide either a layer name or layer index.')
        for layer in self.layers:
            if layer.name == name:
                return layer
        return None

    def _owned_nodes(self, layer):
        return [node for i, node in enumerate(layer.inbound_nodes)
                if _node_key(layer, i) in self.container_nodes]

    @property
    def updates(self):
        """Updates of the layers (e.g. moving averages) that belong to this graph."""
        updates = []
        for layer in self.layers:
            if not getattr(layer, 'updates', None) and not isinstance(layer, Container):
                continue
            if len(layer.inbound_nodes) == 1:
                updates += layer.updates
            else:
                for node in self._owned_nodes(layer):
                    updates += layer.get_updates_for(node.input_tensors)
                updates += layer.get_updates_for(None)
        return updates

    @property
    def state_updates(self):
        updates = []
        for layer in self.layers:
            if getattr(layer, 'stateful', False) and getattr(layer, 'updates', None):
                updates += layer.updates
        return updates

    @property
    def losses(self):
        losses = []
        for layer in self.layers:
            if not getattr(layer, 'losses', None) and not isinstance(layer, Container):
                continue
            if len(layer.inbound_nodes) == 1:
                losses += layer.losses
            else:
                for node in self._owned_nodes(layer):
                    losses += layer.get_losses_for(node.input_tensors)
                losses += layer.get_losses_for(None)
        return losses

    @losses.setter
    def losses(self, value):
        pass  # a container's losses are always those of its layers

    @updates.setter
    def updates(self, value):
        pass

    @property
    def stateful(self):
        return any(getattr(layer, 'stateful', False) for layer in self.layers)

    def reset_states(self):
        for layer in self.layers:
            if hasattr(layer, 'reset_states') and getattr(layer, 'stateful', False):
                layer.reset_states()

    @property
    def trainable_weights(self):
        if not self.trainable:
            return []
        return [w for layer in self._weight_layers() for w in layer.trainable_weights]

    @property
    def non_trainable_weights(self):
        layers = self._weight_layers()
        weights = [w for layer in layers for w in layer.non_trainable_weights]
        if not self.trainable:
            weights = [w for layer in layers for w in layer.trainable_weights] + weights
        return weights

    @property
    def constraints(self):
        cons = {}
        for layer in self.layers:
            for key, value in getattr(layer, 'constraints', {}).items():
                if key in cons and cons[key] is not value:
                    raise ValueError('Received multiple constraints for one weight tensor: %s'
                                     % (key,))
                cons[key] = value
        return cons

    @constraints.setter
    def constraints(self, value):
        pass

    def _weight_layers(self):
        """The layers whose weights make up :meth:`get_weights`, in order (Sequential flattens)."""
        return self.layers

    def get_weights(self):
        """All weights, layer by layer in ``self.layers`` order."""
        return K.batch_get_value([w for layer in self._weight_layers() for w in layer.weights])

    def set_weights(self, weights):
        """Assign a list of arrays in :meth:`get_weights` order (count and shapes checked)."""
        expected = sum(len(layer.weights) for layer in self._weight_layers())
        if len(weights) != expected:
            raise ValueError('You called `set_weights(weights)` on model "%s" with a weight list '
                             'of length %d, but the model was expecting %d weights.'
                             % (self.name, len(weights), expected))
        for layer in self._weight_layers():
            n = len(layer.weights)
            layer.set_weights(weights[:n])
            weights = weights[n:]

    def count_params(self):
        return sum(layer.count_params() for layer in self.layers)

    # ---------------------------------------------------------------- calling the graph
    def call(self, input, mask=None):
        inputs = to_list(input)
        masks = [None for _ in inputs] if mask is None else to_list(mask)
        outputs, _, _ = self.run_internal_graph(inputs, masks)
        return outputs[0] if len(outputs) == 1 else outputs

    def compute_mask(self, input, mask=None):
        inputs = to_list(input)
        masks = [None for _ in inputs] if mask is None else to_list(mask)
        _, output_masks, _ = self.run_internal_graph(inputs, masks)
        return output_masks[0] if len(output_masks) == 1 else output_masks

    def get_output_shape_for(self, input_shape):
        shapes = to_list(input_shape) if isinstance(input_shape, list) else [input_shape]
        if len(shapes) != len(self.input_layers):
            raise ValueError('Invalid input_shape argument %s: model has %d tensor inputs.'
                             % (input_shape, len(self.input_layers)))
        shape_map = {id(x): s for x, s in zip(self.inputs, shapes)}
        for depth in sorted(self.nodes_by_depth, reverse=True):
            for node in self.nodes_by_depth[depth]:
                if not node.inbound_layers:
                    continue
                in_shapes = [shape_map[id(x)] for x in node.input_tensors]
                out = node.outbound_layer.get_output_shape_for(
                    in_shapes[0] if len(in_shapes) == 1 else in_shapes)
                for x, s in zip(node.output_tensors, to_list(out) if isinstance(out, list)
                                else [out]):
                    shape_map[id(x)] = s
        outs = [shape_map[id(x)] for x in self.outputs]
        return outs[0] if len(outs) == 1 else outs

    def run_internal_graph(self, inputs, masks=None):
        """Recompute the graph on new ``inputs``: returns (outputs, masks, shapes)."""
        if masks is None:
            masks = [None for _ in inputs]
        tensor_map = {id(x): (y, m) for x, y, m in zip(self.inputs, inputs, masks)}
        for depth in sorted(self.nodes_by_depth, reverse=True):
            for node in self.nodes_by_depth[depth]:
                layer = node.outbound_layer
                if not node.inbound_layers:
                    continue
                computed = [tensor_map[id(x)] for x in node.input_tensors if id(x) in tensor_map]
                if len(computed) != len(node.input_tensors):
                    continue
                tensors = [c[0] for c in computed]
                cmasks = [c[1] for c in computed]
                if len(computed) == 1:
                    out = to_list(layer.call(tensors[0], cmasks[0]))
                    out_masks = to_list(layer.compute_mask(tensors[0], cmasks[0]))
                else:
                    out = to_list(layer.call(tensors, cmasks))
                    out_masks = to_list(layer.compute_mask(tensors, cmasks))
                self.add_update(layer.get_updates_for(tensors), inputs)
                self.add_update(layer.get_updates_for(None), None)
                self.add_loss(layer.get_losses_for(tensors), inputs)
                if all(hasattr(x, '_keras_shape') for x in tensors):
                    shapes = [x._keras_shape for x in tensors]
                    out_shapes = layer.get_output_shape_for(shapes[0] if len(shapes) == 1
                                                            else shapes)
                    out_shapes = out_shapes if isinstance(out_shapes, list) else [out_shapes]
                    uses_lp = any(getattr(x, '_uses_learning_phase', False) for x in tensors)
                    for x, s in zip(out, out_shapes):
                        x._keras_shape = s
                        x._uses_learning_phase = (getattr(x, '_uses_learning_phase', False)
                                                  or uses_lp or layer.uses_learning_phase)
                for ref, y, m in zip(node.output_tensors, out, out_masks):
                    tensor_map[id(ref)] = (y, m)
        outputs, out_masks, shapes = [], [], []
        for x in self.outputs:
            tensor, mask = tensor_map[id(x)]
            outputs.append(tensor)
            out_masks.append(mask)
            shapes.append(getattr(tensor, '_keras_shape', None))
        return outputs, out_masks, shapes

    def get_config(self):
        """Keras 1's graph config: name, layers with their inbound nodes, inputs and outputs."""
        from .graph_config import container_config  # graph_config imports this module
        return container_config(self)

    @classmethod
    def from_config(cls, config, custom_objects=None, safe_mode=None):
        """Rebuild a model from :meth:`get_config` output (lambdas need ``safe_mode=False``)."""
        from .graph_config import container_from_config  # graph_config imports this module
        return container_from_config(cls, config, custom_objects, safe_mode)

    # ---------------------------------------------------------------- files (engine/saving.py)
    # (saving is imported in each method: it imports graph_config, which imports this module)
    def save_weights(self, filepath, overwrite=True):
        """Write the weights to HDF5 in Keras 1.2.2's layout, atomically."""
        from .saving import save_weights
        save_weights(self, filepath, overwrite=overwrite)

    def load_weights(self, filepath, by_name=False):
        """Read weights saved by ``save_weights`` (or by Keras 1.2.2); all or nothing."""
        from .saving import load_weights
        load_weights(self, filepath, by_name=by_name)

    def save(self, filepath, overwrite=True):
        """Write architecture, weights and optimizer state (``keraslike.models.load_model``)."""
        from .saving import save_model
        save_model(self, filepath, overwrite=overwrite)

    def to_json(self, **kwargs):
        """The architecture as Keras 1 JSON (``keraslike.models.model_from_json`` reads it).

        >>> clone = model_from_json(model.to_json(indent=2))  # doctest: +SKIP
        """
        from .saving import model_to_json
        return model_to_json(self, **kwargs)

    def to_yaml(self, **kwargs):
        """The architecture as YAML (needs PyYAML; ``keraslike.models.model_from_yaml``)."""
        from .saving import model_to_yaml
        return model_to_yaml(self, **kwargs)

    def summary(self, line_length=100, positions=None):
        """Print the Keras 1 layer table: name (type), output shape, params, connections."""
        from .summary import print_summary  # summary imports this module
        layers = getattr(self, 'flattened_layers', None) or self.layers
        print_summary(layers, getattr(self, 'container_nodes', None), line_length=line_length,
                      positions=positions)
