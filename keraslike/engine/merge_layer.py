"""Merge layer and merge() function: combine several tensors into one.

Modes: 'sum' (default), 'mul', 'concat' (``concat_axis``), 'ave', 'max',
'dot' (``dot_axes``), 'cos', or a callable with an ``output_shape``.

>>> from keraslike.engine.topology import Input, merge
>>> a, b = Input(shape=(3,)), Input(shape=(3,))
>>> merge([a, b], mode='concat')._keras_shape
(None, 6)
"""
import inspect

from keraslike import backend as K
from .base_layer import Layer, keras_histories
from .layer_functions import deserialize_function, infer_output_shape, serialize_function

_MODES = ('sum', 'mul', 'concat', 'ave', 'cos', 'dot', 'max')


class Merge(Layer):
    """Merge the outputs of several layers (or models) into one tensor.

    Legacy use as the first layer of a Sequential:
    ``Merge([left_branch, right_branch], mode='concat')``.
    """

    def __init__(self, layers=None, mode='sum', concat_axis=-1, dot_axes=-1, output_shape=None,
                 output_mask=None, arguments=None, node_indices=None, tensor_indices=None,
                 name=None):
        self.layers = layers
        self.mode = mode
        self.concat_axis = concat_axis
        self.dot_axes = dot_axes
        self._output_shape = output_shape
        self.node_indices = node_indices
        self._output_mask = output_mask
        self.arguments = arguments if arguments else {}
        super(Merge, self).__init__(name=name)
        self.supports_masking = True
        if layers:
            node_indices = node_indices or [0 for _ in layers]
            self._validate(layers, node_indices, tensor_indices)
            self.built = True
            self.add_inbound_node(layers, node_indices, tensor_indices)

    def _validate(self, layers, node_indices, tensor_indices):
        if not callable(self.mode) and self.mode not in _MODES:
            raise ValueError('Invalid merge mode: %r; expected one of %s or a callable.'
                             % (self.mode, list(_MODES)))
        if not isinstance(layers, (list, tuple)) or len(layers) < 2:
            raise TypeError('A Merge should only be applied to a list of layers with at least 2 '
                            'elements. Found: %s' % (layers,))
        tensor_indices = tensor_indices or [None for _ in layers]
        shapes = []
        for layer, node_index, tensor_index in zip(layers, node_indices, tensor_indices):
            shape = layer.get_output_shape_at(node_index)
            if isinstance(shape, list):
                shape = shape[tensor_index or 0]
            shapes.append(tuple(shape))
        names = [layer.name for layer in layers]
        if self.mode in ('sum', 'mul', 'ave', 'cos', 'max') and len(set(shapes)) > 1:
            raise ValueError('Merge "%s": only layers of same output shape can be merged using '
                             '%s mode. Layer shapes: %s (layers %s)'
                             % (self.name, self.mode, shapes, names))
        if self.mode in ('cos', 'dot'):
            if len(layers) > 2:
                raise ValueError('%s merge takes exactly 2 layers, got %d (%s).'
                                 % (self.mode, len(layers), names))
            n1, n2 = len(shapes[0]), len(shapes[1])
            if isinstance(self.dot_axes, int):
                self.dot_axes = ([self.dot_axes % n1, self.dot_axes % n2] if self.dot_axes < 0
                                 else [self.dot_axes] * 2)
            if not isinstance(self.dot_axes, (list, tuple)) or len(self.dot_axes) != 2:
                raise ValueError('Invalid dot_axes %r: expected an int or two ints.'
                                 % (self.dot_axes,))
            self.dot_axes = [int(a) for a in self.dot_axes]
            d1, d2 = shapes[0][self.dot_axes[0]], shapes[1][self.dot_axes[1]]
            if d1 != d2:
                raise ValueError('Dimension incompatibility using dot mode: %s != %s. Layer '
                                 'shapes: %s, %s (layers %s)' % (d1, d2, shapes[0], shapes[1],
                                                                 names))
        elif self.mode == 'concat':
            reduced = set()
            for shape in shapes:
                rest = list(shape)
                del rest[self.concat_axis]
                reduced.add(tuple(rest))
            if len(reduced) > 1:
                raise ValueError('"concat" mode can only merge layers with matching output shapes '
                                 'except for the concat axis. Layer shapes: %s (layers %s)'
                                 % (shapes, names))

    def call(self, inputs, mask=None):
        if not isinstance(inputs, list) or len(inputs) <= 1:
            raise TypeError('Merge must be called on a list of tensors (at least 2). Got: %s'
                            % (inputs,))
        if callable(self.mode):
            arguments = dict(self.arguments)
            params = inspect.signature(self.mode).parameters
            if 'mask' in params:
                arguments['mask'] = mask
            positional = [p for name, p in params.items() if name != 'mask' and
                          p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD) and
                          p.default is p.empty and name not in arguments]
            if len(positional) == len(inputs):
                # one argument per input, as in the guide's `mode=lambda x, y: x - y`
                return self.mode(*inputs, **arguments)
            return self.mode(inputs, **arguments)
        if self.mode in ('sum', 'ave'):
            s = inputs[0]
            for x in inputs[1:]:
                s = s + x
            return s / len(inputs) if self.mode == 'ave' else s
        if self.mode == 'concat':
            return K.concatenate(inputs, axis=self.concat_axis)
        if self.mode == 'mul':
            s = inputs[0]
            for x in inputs[1:]:
                s = s * x
            return s
        if self.mode == 'max':
            s = inputs[0]
            for x in inputs[1:]:
                s = K.maximum(s, x)
            return s
        l1, l2 = inputs
        if self.mode == 'dot':
            return K.batch_dot(l1, l2, self.dot_axes)
        # the floor under the square root (same value as Keras 1's max(sqrt(.), eps)), so an
        # all-zero vector has a finite gradient rather than 0 * inf = NaN
        denominator = K.sqrt(K.maximum(K.batch_dot(l1, l1, self.dot_axes) *
                                       K.batch_dot(l2, l2, self.dot_axes), K.epsilon() ** 2))
        # K.batch_dot already returns (batch, 1) for vectors; Keras 1 on Theano expanded it
        # once more, disagreeing with its own declared output shape (batch, 1).
        return K.batch_dot(l1, l2, self.dot_axes) / denominator

    def __call__(self, inputs, mask=None):
        if not isinstance(inputs, list):
            raise TypeError('Merge can only be called on a list of tensors, not a single tensor. '
                            'Received: %s' % (inputs,))
        if self.built:
            raise RuntimeError('A Merge layer cannot be used more than once, please use the '
                               '"merge" function instead: `merged_tensor = merge([tensor_1, '
                               'tensor2])`.')
        if all(hasattr(x, '_keras_history') for x in inputs):
            layers, node_indices, tensor_indices = keras_histories(inputs)
            self._validate(layers, node_indices, tensor_indices)
            self.built = True
            self.add_inbound_node(layers, node_indices, tensor_indices)
            return self.inbound_nodes[-1].output_tensors[0]
        return self.call(inputs, mask)

    def get_output_shape_for(self, input_shape):
        if callable(self.mode):
            if callable(self._output_shape):
                return tuple(self._output_shape(input_shape))
            if self._output_shape is not None:
                return (input_shape[0][0],) + tuple(self._output_shape)
            # Keras 1 on Theano needed output_shape here; PyTensor's static shapes suffice.
            return infer_output_shape(lambda xs: self.call(xs), list(input_shape))
        if self.mode in ('sum', 'mul', 'ave', 'max'):
            return tuple(input_shape[0])
        if self.mode == 'concat':
            output_shape = list(input_shape[0])
            for shape in input_shape[1:]:
                if output_shape[self.concat_axis] is None or shape[self.concat_axis] is None:
                    output_shape[self.concat_axis] = None
                    break
                output_shape[self.concat_axis] += shape[self.concat_axis]
            return tuple(output_shape)
        shape1, shape2 = list(input_shape[0]), list(input_shape[1])
        shape1.pop(self.dot_axes[0])
        shape2.pop(self.dot_axes[1])
        shape2.pop(0)
        output_shape = shape1 + shape2
        if len(output_shape) == 1:
            output_shape += [1]
        return tuple(output_shape)

    def compute_mask(self, inputs, mask=None):
        if mask is None or all(m is None for m in mask):
            return None
        if self.mode in ('sum', 'mul', 'ave'):
            masks = [K.expand_dims(m, 0) for m in mask if m is not None]
            return K.all(K.concatenate(masks, axis=0), axis=0)
        if self.mode == 'concat':
            masks = []
            for x, m in zip(inputs, mask):
                if m is None:
                    masks.append(K.cast(K.ones_like(x), 'uint8'))
                elif K.ndim(m) < K.ndim(x):
                    masks.append(K.cast(K.expand_dims(m), 'uint8'))
                else:
                    masks.append(K.cast(m, 'uint8'))
            return K.all(K.concatenate(masks, axis=self.concat_axis), axis=-1)
        if self.mode in ('cos', 'dot'):
            return None
        if callable(self.mode):
            return self._output_mask(mask) if callable(self._output_mask) else self._output_mask
        raise ValueError('Merge "%s": mode %r cannot combine masks.' % (self.name, self.mode))

    def get_config(self):
        mode, mode_type = serialize_function(self.mode)
        output_shape, output_shape_type = serialize_function(self._output_shape)
        output_mask, output_mask_type = serialize_function(self._output_mask)
        return {'name': self.name, 'mode': mode, 'mode_type': mode_type,
                'concat_axis': self.concat_axis, 'dot_axes': self.dot_axes,
                'output_shape': output_shape, 'output_shape_type': output_shape_type,
                'output_mask': output_mask, 'output_mask_type': output_mask_type,
                'arguments': self.arguments}

    @classmethod
    def from_config(cls, config, custom_objects=None, safe_mode=None):
        config = dict(config)
        name = config.get('name')
        for key in ('mode', 'output_shape', 'output_mask'):
            config[key] = deserialize_function(config.get(key), config.pop(key + '_type', 'raw'),
                                               custom_objects, safe_mode,
                                               '%s of Merge layer "%s"' % (key, name),
                                               type_key=key + '_type')
        return cls(**config)


def merge(inputs, mode='sum', concat_axis=-1, dot_axes=-1, output_shape=None, output_mask=None,
          arguments=None, name=None):
    """Functional merge of a list of tensors: ``merge([a, b], mode='concat')``."""
    if all(hasattr(x, '_keras_history') for x in inputs):
        layers, node_indices, tensor_indices = keras_histories(inputs)
        layer = Merge(layers, mode=mode, concat_axis=concat_axis, dot_axes=dot_axes,
                      output_shape=output_shape, output_mask=output_mask, arguments=arguments,
                      node_indices=node_indices, tensor_indices=tensor_indices, name=name)
        return layer.inbound_nodes[0].output_tensors[0]
    layer = Merge(mode=mode, concat_axis=concat_axis, dot_axes=dot_axes,
                  output_shape=output_shape, output_mask=output_mask, arguments=arguments,
                  name=name)
    return layer(inputs)
