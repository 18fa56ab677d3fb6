"""Layer: the base class of every layer, and InputSpec.

A layer is a function of its inputs with some weights. Subclasses implement
``build(input_shape)`` (create weights with ``add_weight``), ``call(x, mask=None)``
(the symbolic computation, through ``keraslike.backend``) and
``get_output_shape_for(input_shape)``.

>>> from keraslike.engine.topology import Layer
>>> from keraslike import backend as K
>>> class Double(Layer):
...     def call(self, x, mask=None):
...         return 2 * x
"""
import numpy as np

from keraslike import backend as K
from keraslike.utils.generic_utils import check_int_arg, check_shape_arg
from .node import Node


def to_list(x):
    """A list of ``x`` (unchanged when it already is a list; a tuple is one item, a shape)."""
    if isinstance(x, list):
        return x
    return [x]


def object_list_uid(object_list):
    return ', '.join(str(abs(id(x))) for x in to_list(object_list))


class InputSpec(object):
    """Expected ndim (int or 'N+'), dtype and shape of a layer input (None = any)."""

    def __init__(self, dtype=None, shape=None, ndim=None):
        if isinstance(ndim, str) and '+' not in ndim:
            raise ValueError('When ndim is a string, it must be like "2+".')
        self.dtype = dtype
        self.shape = shape
        self.ndim = len(shape) if shape is not None else ndim


_BASE_KWARGS = {'input_shape', 'batch_input_shape', 'input_dtype', 'name', 'trainable',
                'create_input_layer', 'dtype', 'batch_size'}


def keras_histories(tensors):
    """(layers, node_indices, tensor_indices) that produced ``tensors``: a Node's inbound side."""
    histories = [t._keras_history for t in tensors]
    return ([h[0] for h in histories], [h[1] for h in histories], [h[2] for h in histories])


class Layer(object):
    """Base layer.

    Keyword arguments: input_shape, batch_input_shape, input_dtype, name, trainable.
    """

    def __init__(self, **kwargs):
        if not hasattr(self, 'input_spec'):
            self.input_spec = None
        if not hasattr(self, 'supports_masking'):
            self.supports_masking = False
        if not hasattr(self, 'uses_learning_phase'):
            self.uses_learning_phase = False
        self.inbound_nodes = []
        self.outbound_nodes = []
        self._trainable_weights = []
        self._non_trainable_weights = []
        self.losses = []
        self.updates = []
        self._per_input_losses = {}
        self._per_input_updates = {}
        self.constraints = {}
        self.built = False

        for kwarg in kwargs:
            if kwarg not in _BASE_KWARGS:
                raise TypeError('Keyword argument not understood: %r (layer %s)'
                                % (kwarg, self.__class__.__name__))
        name = kwargs.get('name')
        if not name:
            prefix = self.__class__.__name__.lower()
            name = prefix + '_' + str(K.get_uid(prefix))
        self.name = name
        self.trainable = kwargs.get('trainable', True)

        # None means "not given" (as in Keras 2): a Sequential whose first layer got
        # input_shape=None then says that it needs an input shape, instead of tuple(None)
        # failing here with "'NoneType' object is not iterable".
        if kwargs.get('batch_input_shape') is not None or kwargs.get('input_shape') is not None:
            owner = 'Layer %s' % self.__class__.__name__
            if kwargs.get('batch_input_shape') is not None:
                batch_input_shape = check_shape_arg(kwargs['batch_input_shape'],
                                                    'batch_input_shape', owner, batch=True)
            else:
                batch_size = kwargs.get('batch_size')
                if batch_size is not None:
                    batch_size = check_int_arg(batch_size, 'batch_size', owner)
                batch_input_shape = (batch_size,) + check_shape_arg(kwargs['input_shape'],
                                                                    'input_shape', owner)
            self.batch_input_shape = batch_input_shape
            self.input_dtype = kwargs.get('input_dtype') or kwargs.get('dtype') or K.floatx()
            if kwargs.get('create_input_layer'):
                self.create_input_layer(batch_input_shape, self.input_dtype)

    # ---------------------------------------------------------------- weights
    @property
    def trainable_weights(self):
        return list(self._trainable_weights) if self.trainable else []

    @trainable_weights.setter
    def trainable_weights(self, weights):
        self._trainable_weights = list(weights)

    @property
    def non_trainable_weights(self):
        if self.trainable:
            return list(self._non_trainable_weights)
        return list(self._trainable_weights) + list(self._non_trainable_weights)

    @non_trainable_weights.setter
    def non_trainable_weights(self, weights):
        self._non_trainable_weights = list(weights)

    @property
    def weights(self):
        return self.trainable_weights + self.non_trainable_weights

    @property
    def regularizers(self):
        return []

    def add_weight(self, shape, initializer, name=None, trainable=True, regularizer=None,
                   constraint=None):
        """Create a weight variable with ``initializer(shape, name=name)`` and track it."""
        from keraslike import initializations
        weight = initializations.get(initializer)(tuple(shape), name=name)
        if regularizer is not None:
            self.add_loss(regularizer(weight))
        if constraint is not None:
            self.constraints[weight] = constraint
        if trainable:
            self._trainable_weights.append(weight)
        else:
            self._non_trainable_weights.append(weight)
        return weight

    def get_weights(self):
        """The weights as a list of NumPy arrays, in Keras 1 order."""
        return K.batch_get_value(self.weights)

    def set_weights(self, weights):
        """Assign NumPy arrays to the weights; the count and every shape must match."""
        params = self.weights
        if len(params) != len(weights):
            raise ValueError('You called `set_weights(weights)` on layer "%s" with a weight list '
                             'of length %d, but the layer was expecting %d weights. Provided '
                             'weights: %s...' % (self.name, len(weights), len(params),
                                                 str(weights)[:50]))
        if not params:
            return
        pairs = []
        for p, w in zip(params, weights):
            w = np.asarray(w)
            expected = K.get_variable_shape(p)
            if tuple(expected) != w.shape:
                raise ValueError('Layer weight shape %s not compatible with provided weight '
                                 'shape %s (layer "%s", weight %s).'
                                 % (tuple(expected), w.shape, self.name, p.name))
            pairs.append((p, w))
        K.batch_set_value(pairs)

    def count_params(self):
        """Number of scalars in the layer's weights (the layer must be built)."""
        # (models, Sequential included, count their layers instead: Container.count_params)
        if not self.built:
            raise RuntimeError('You tried to call `count_params` on %s, but the layer '
                               'isn\'t built. You can build it manually via: '
                               '`%s.build(batch_input_shape)`.' % (self.name, self.name))
        return sum(K.count_params(p) for p in self.weights)

    # ---------------------------------------------------------------- the layer's function
    def build(self, input_shape):
        """Create the layer's weights; called once, on the first call."""
        self.built = True

    def call(self, x, mask=None):
        return x

    def get_output_shape_for(self, input_shape):
        return input_shape

    def check_input_data(self, array, source):
        """Refuse data fed straight from a model input that this layer would silently
        misread (an index out of range...); ``source`` names the input in the error.
        Layers with no such rule accept everything."""

    # Keras 2 spelling
    def compute_output_shape(self, input_shape):
        return self.get_output_shape_for(input_shape)

    def compute_mask(self, input, input_mask=None):
        if not self.supports_masking:
            if input_mask is not None:
                masks = to_list(input_mask)
                if any(m is not None for m in masks):
                    raise TypeError('Layer ' + self.name + ' does not support masking, but was '
                                    'passed an input_mask: ' + str(input_mask))
            return None
        return input_mask

    def assert_input_compatibility(self, input):
        """Check ``input`` against ``self.input_spec``; the error names the layer."""
        if not self.input_spec:
            return
        inputs = to_list(input)
        specs = to_list(self.input_spec)
        if len(inputs) != len(specs):
            raise ValueError('Layer %s expects %d inputs, but it received %d input tensors.'
                             % (self.name, len(specs), len(inputs)))
        for i, (x, spec) in enumerate(zip(inputs, specs)):
            if spec is None:
                continue
            if spec.ndim is not None:
                if isinstance(spec.ndim, str):
                    least = int(spec.ndim[:-1])
                    if x.ndim < least:
                        raise ValueError('Input %d is incompatible with layer %s: expected '
                                         'ndim >= %d, found ndim=%d'
                                         % (i, self.name, least, x.ndim))
                elif x.ndim != spec.ndim:
                    raise ValueError('Input %d is incompatible with layer %s: expected ndim=%d, '
                                     'found ndim=%d' % (i, self.name, spec.ndim, x.ndim))
            if spec.dtype is not None and K.dtype(x) != spec.dtype:
                raise ValueError('Input %d is incompatible with layer %s: expected dtype=%s, '
                                 'found dtype=%s' % (i, self.name, spec.dtype, K.dtype(x)))
            if spec.shape is not None:
                x_shape = K.int_shape(x)
                for spec_dim, dim in zip(spec.shape, x_shape):
                    if spec_dim is not None and dim is not None and spec_dim != dim:
                        raise ValueError('Input %d is incompatible with layer %s: expected shape '
                                         '%s, found shape %s' % (i, self.name, spec.shape, x_shape))

    def __call__(self, x, mask=None):
        """Apply the layer to a tensor (or list of tensors); builds it on first use."""
        if not self.built:
            self.assert_input_compatibility(x)
            shapes = [t._keras_shape if hasattr(t, '_keras_shape') else K.int_shape(t)
                      for t in to_list(x)]
            self.build(shapes[0] if len(shapes) == 1 else shapes)
            self.built = True
        self.assert_input_compatibility(x)

        input_tensors = to_list(x)
        if all(hasattr(t, '_keras_history') for t in input_tensors):
            self.add_inbound_node(*keras_histories(input_tensors))
            outputs = self.inbound_nodes[-1].output_tensors
            output = outputs[0] if len(outputs) == 1 else outputs
        else:
            output = self.call(x, mask)

        regularizer = getattr(self, 'activity_regularizer', None)
        if regularizer is not None:
            self.add_loss([regularizer(o) for o in to_list(output)], input_tensors)
        return output

    def add_inbound_node(self, inbound_layers, node_indices=None, tensor_indices=None):
        Node.create_node(self, to_list(inbound_layers), to_list(node_indices or []),
                         to_list(tensor_indices or []))

    def create_input_layer(self, batch_input_shape, input_dtype=None, name=None):
        """Connect this layer to a new InputLayer (used by the first layer of a Sequential)."""
        from .input_layer import InputLayer
        if not name:
            prefix = self.__class__.__name__.lower() + '_input_'
            name = prefix + str(K.get_uid(prefix))
        self.batch_input_shape = batch_input_shape
        self.input_dtype = input_dtype or K.floatx()
        x = InputLayer(batch_input_shape=batch_input_shape, input_dtype=self.input_dtype,
                       name=name).inbound_nodes[0].output_tensors[0]
        self(x)

    # ---------------------------------------------------------------- node accessors
    def _node_attr(self, node_index, attr, what):
        if not self.inbound_nodes:
            raise Exception('The layer has never been called and thus has no defined ' + what + '.')
        if len(self.inbound_nodes) <= node_index:
            raise Exception('Asked to get %s at node %d, but the layer has only %d inbound nodes.'
                            % (what, node_index, len(self.inbound_nodes)))
        values = getattr(self.inbound_nodes[node_index], attr)
        return values[0] if len(values) == 1 else values

    def get_input_at(self, node_index):
        return self._node_attr(node_index, 'input_tensors', 'input')

    def get_output_at(self, node_index):
        return self._node_attr(node_index, 'output_tensors', 'output')

    def get_input_shape_at(self, node_index):
        return self._node_attr(node_index, 'input_shapes', 'input shape')

    def get_output_shape_at(self, node_index):
        return self._node_attr(node_index, 'output_shapes', 'output shape')

    def get_input_mask_at(self, node_index):
        return self._node_attr(node_index, 'input_masks', 'input mask')

    def get_output_mask_at(self, node_index):
        return self._node_attr(node_index, 'output_masks', 'output mask')

    def _single_node(self, attr, what):
        if len(self.inbound_nodes) > 1:
            raise AttributeError('Layer ' + self.name + ' has multiple inbound nodes, hence the '
                                 'notion of "layer ' + what + '" is ill-defined. Use `get_' +
                                 what.replace(' ', '_') + '_at(node_index)` instead.')
        if not self.inbound_nodes:
            raise AttributeError('Layer ' + self.name + ' is not connected, no ' + what + '.')
        return self._node_attr(0, attr, what)

    @property
    def input(self):
        return self._single_node('input_tensors', 'input')

    @property
    def output(self):
        return self._single_node('output_tensors', 'output')

    @property
    def input_mask(self):
        return self._single_node('input_masks', 'input mask')

    @property
    def output_mask(self):
        return self._single_node('output_masks', 'output mask')

    def _unique_shape(self, attr, what):
        if not self.inbound_nodes:
            raise AttributeError('The layer has never been called and thus has no defined '
                                 + what + '.')
        shapes = {str(getattr(node, attr)) for node in self.inbound_nodes}
        if len(shapes) != 1:
            raise AttributeError('The layer "' + self.name + '" has multiple inbound nodes with '
                                 'different ' + what + 's. Use `get_' + what.replace(' ', '_') +
                                 '_at(node_index)` instead.')
        values = getattr(self.inbound_nodes[0], attr)
        return values[0] if len(values) == 1 else values

    @property
    def input_shape(self):
        return self._unique_shape('input_shapes', 'input shape')

    @property
    def output_shape(self):
        return self._unique_shape('output_shapes', 'output shape')

    # ---------------------------------------------------------------- losses and updates
    def add_loss(self, losses, inputs=None):
        if losses is None or losses == []:
            return
        losses = to_list(losses)
        self.losses = list(self.losses) + losses
        key = object_list_uid(inputs) if inputs is not None else None
        self._per_input_losses.setdefault(key, []).extend(losses)

    def add_update(self, updates, inputs=None):
        if updates is None or updates == []:
            return
        updates = to_list(updates)
        self.updates = list(self.updates) + updates
        key = object_list_uid(inputs) if inputs is not None else None
        self._per_input_updates.setdefault(key, []).extend(updates)

    def get_updates_for(self, inputs):
        key = object_list_uid(inputs) if inputs is not None else None
        return self._per_input_updates.get(key, [])

    def get_losses_for(self, inputs):
        key = object_list_uid(inputs) if inputs is not None else None
        return self._per_input_losses.get(key, [])

    # ---------------------------------------------------------------- config
    def get_config(self):
        """The layer's constructor arguments, JSON-serialisable (Keras 1 keys)."""
        config = {'name': self.name, 'trainable': self.trainable}
        if hasattr(self, 'batch_input_shape'):
            config['batch_input_shape'] = self.batch_input_shape
        if hasattr(self, 'input_dtype'):
            config['input_dtype'] = self.input_dtype
        return config

    @classmethod
    def from_config(cls, config):
        return cls(**config)
