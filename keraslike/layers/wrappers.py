"""Layer wrappers: TimeDistributed and Bidirectional (Keras 1.2.2).

``TimeDistributed(layer)`` applies ``layer`` to every timestep of a
(samples, timesteps, ...) input, sharing its weights across time.
``Bidirectional(rnn, merge_mode='concat')`` runs a copy of ``rnn`` forwards
and a second one backwards and merges their outputs (``'sum'``, ``'mul'``,
``'ave'``, ``'concat'`` or ``None`` for a list of both). A wrapper's weights,
losses, updates and constraints are those of the layers it wraps.

>>> from keraslike.layers import TimeDistributed, Bidirectional, Dense, LSTM
>>> td = TimeDistributed(Dense(8), input_shape=(10, 16))
>>> bi = Bidirectional(LSTM(10, return_sequences=True), merge_mode='sum')
"""
import copy

from keraslike import backend as K
from keraslike.engine.base_layer import object_list_uid, to_list
from keraslike.engine.graph_config import layer_from_config
from keraslike.engine.topology import InputSpec, Layer


def deserialize_layer(spec, custom_objects=None, safe_mode=None):
    """A layer from ``{'class_name': ..., 'config': ...}`` (keraslike.layers or custom objects).

    Goes through ``layer_from_config``, so the wrapped layer gets ``custom_objects`` and
    ``safe_mode`` too (a wrapped Lambda, a wrapped model of custom layers).
    """
    return layer_from_config(spec, custom_objects=custom_objects, safe_mode=safe_mode)


class Wrapper(Layer):
    """A layer that holds another layer (``self.layer``) and reports its weights."""

    def __init__(self, layer, **kwargs):
        if not isinstance(layer, Layer):
            raise TypeError('%s wraps a layer instance, got %r.'
                            % (self.__class__.__name__, layer))
        self.layer = layer
        self.uses_learning_phase = layer.uses_learning_phase
        self._own_losses, self._own_updates = [], []
        super(Wrapper, self).__init__(**kwargs)

    def _inner_layers(self):
        return [self.layer]

    # weights, losses, updates and constraints come from the wrapped layer(s)
    @property
    def trainable_weights(self):
        if not self.trainable:
            return []
        return [w for layer in self._inner_layers() for w in layer.trainable_weights]

    @trainable_weights.setter
    def trainable_weights(self, value):
        pass

    @property
    def non_trainable_weights(self):
        weights = [w for layer in self._inner_layers() for w in layer.non_trainable_weights]
        if not self.trainable:
            weights = [w for layer in self._inner_layers()
                       for w in layer.trainable_weights] + weights
        return weights

    @non_trainable_weights.setter
    def non_trainable_weights(self, value):
        pass

    @property
    def losses(self):
        return [loss for layer in self._inner_layers() for loss in layer.losses] + self._own_losses

    @losses.setter
    def losses(self, value):
        self._own_losses = list(value)

    @property
    def updates(self):
        return [u for layer in self._inner_layers() for u in layer.updates] + self._own_updates

    @updates.setter
    def updates(self, value):
        self._own_updates = list(value)

    @property
    def constraints(self):
        cons = {}
        for layer in self._inner_layers():
            cons.update(getattr(layer, 'constraints', {}))
        return cons

    @constraints.setter
    def constraints(self, value):
        pass

    @property
    def stateful(self):
        return any(getattr(layer, 'stateful', False) for layer in self._inner_layers())

    def reset_states(self):
        for layer in self._inner_layers():
            layer.reset_states()

    def add_loss(self, losses, inputs=None):
        if losses is None or losses == []:
            return
        losses = to_list(losses)
        self._own_losses += losses
        key = object_list_uid(inputs) if inputs is not None else None
        self._per_input_losses.setdefault(key, []).extend(losses)

    def add_update(self, updates, inputs=None):
        if updates is None or updates == []:
            return
        updates = to_list(updates)
        self._own_updates += updates
        key = object_list_uid(inputs) if inputs is not None else None
        self._per_input_updates.setdefault(key, []).extend(updates)

    def get_updates_for(self, inputs):
        own = super(Wrapper, self).get_updates_for(inputs)
        return [u for layer in self._inner_layers() for u in layer.get_updates_for(inputs)] + own

    def get_losses_for(self, inputs):
        own = super(Wrapper, self).get_losses_for(inputs)
        return [loss for layer in self._inner_layers()
                for loss in layer.get_losses_for(inputs)] + own

    def get_weights(self):
        return [w for layer in self._inner_layers() for w in layer.get_weights()]

    def set_weights(self, weights):
        self.layer.set_weights(weights)

    def get_config(self):
        config = {'layer': {'class_name': self.layer.__class__.__name__,
                            'config': self.layer.get_config()}}
        base = super(Wrapper, self).get_config()
        return dict(list(base.items()) + list(config.items()))

    @classmethod
    def from_config(cls, config, custom_objects=None, safe_mode=None):
        config = dict(config)
        layer = deserialize_layer(config.pop('layer'), custom_objects, safe_mode)
        return cls(layer, **config)


class TimeDistributed(Wrapper):
    """Apply ``layer`` to every temporal slice: (s, t, ...) -> (s, t) + layer output[1:].

    The input is reshaped to (s*t, ...), passed through the layer once and
    reshaped back (Keras 1 loops with K.rnn when the batch size is fixed; the
    result is the same). A mask passes through unchanged.
    """

    def __init__(self, layer, **kwargs):
        self.supports_masking = True
        super(TimeDistributed, self).__init__(layer, **kwargs)

    def _child_shape(self, input_shape):
        if len(input_shape) < 3:
            raise ValueError('Layer %s (TimeDistributed) expects input of shape (samples, '
                             'timesteps, ...) with at least 3 dimensions, got %s.'
                             % (self.name, tuple(input_shape)))
        return (input_shape[0],) + tuple(input_shape[2:])

    def build(self, input_shape):
        child_shape = self._child_shape(input_shape)
        self.input_spec = [InputSpec(shape=tuple(input_shape))]
        if not self.layer.built:
            self.layer.build(child_shape)
            self.layer.built = True
        self.built = True

    def get_output_shape_for(self, input_shape):
        child_output = self.layer.get_output_shape_for(self._child_shape(input_shape))
        return (child_output[0], input_shape[1]) + tuple(child_output[1:])

    def call(self, X, mask=None):
        input_shape = getattr(X, '_keras_shape', None) or self.input_spec[0].shape
        inner = tuple(input_shape[2:])
        # explicit sizes rather than -1: JAX needs every reshape size to be static
        dynamic = K.shape(X)
        samples = dynamic[0]
        timesteps = input_shape[1] if input_shape[1] is not None else dynamic[1]
        flat_shape = [samples * timesteps] + [dynamic[i + 2] if d is None else d
                                              for i, d in enumerate(inner)]
        flat = K.reshape(X, tuple(flat_shape))
        flat._keras_shape = (None,) + inner
        y = self.layer.call(flat)
        output_shape = self.get_output_shape_for(input_shape)
        y_dynamic = K.shape(y)
        tail = [y_dynamic[i + 1] if d is None else d for i, d in enumerate(output_shape[2:])]
        y = K.reshape(y, tuple([samples, timesteps] + tail))
        regularizer = getattr(self.layer, 'activity_regularizer', None)
        if regularizer is not None:
            self.add_loss(regularizer(y), X)
        return y


class Bidirectional(Wrapper):
    """Run ``layer`` forwards and a copy backwards, then merge (``merge_mode``).

    The backward outputs are reversed in time before merging, so both align
    with the input steps. Weights: the forward layer's, then the backward's.
    """
    _MERGE_MODES = ('sum', 'mul', 'ave', 'concat', None)

    def __init__(self, layer, merge_mode='concat', weights=None, **kwargs):
        if merge_mode not in self._MERGE_MODES:
            raise ValueError('Invalid merge mode %r. Merge mode should be one of {"sum", "mul", '
                             '"ave", "concat", None}.' % (merge_mode,))
        if not hasattr(layer, 'go_backwards'):
            raise TypeError('Bidirectional wraps a recurrent layer (with `go_backwards`), got '
                            '%s.' % layer.__class__.__name__)
        self.forward_layer = copy.copy(layer)
        if not layer.built:
            # the shallow copy must not share the original's bookkeeping lists
            for attr, value in (('_trainable_weights', []), ('_non_trainable_weights', []),
                                ('losses', []), ('updates', []), ('constraints', {}),
                                ('_per_input_losses', {}), ('_per_input_updates', {}),
                                ('inbound_nodes', []), ('outbound_nodes', [])):
                setattr(self.forward_layer, attr, copy.copy(value))
        config = layer.get_config()
        config['go_backwards'] = not config['go_backwards']
        self.backward_layer = layer.__class__.from_config(config)
        self.forward_layer.name = 'forward_' + self.forward_layer.name
        self.backward_layer.name = 'backward_' + self.backward_layer.name
        self.merge_mode = merge_mode
        if weights:
            half = len(weights) // 2
            self.forward_layer.initial_weights = weights[:half]
            self.backward_layer.initial_weights = weights[half:]
        self.return_sequences = layer.return_sequences
        self.supports_masking = True
        super(Bidirectional, self).__init__(layer, **kwargs)

    def _inner_layers(self):
        return [self.forward_layer, self.backward_layer]

    def set_weights(self, weights):
        n_forward = len(self.forward_layer.weights)
        if len(weights) != n_forward + len(self.backward_layer.weights):
            raise ValueError('Layer %s expects %d weights (forward then backward), got %d.'
                             % (self.name, n_forward + len(self.backward_layer.weights),
                                len(weights)))
        self.forward_layer.set_weights(weights[:n_forward])
        self.backward_layer.set_weights(weights[n_forward:])

    def build(self, input_shape):
        self.forward_layer.build(input_shape)
        self.backward_layer.build(input_shape)
        self.built = True

    def get_output_shape_for(self, input_shape):
        shape = self.forward_layer.get_output_shape_for(input_shape)
        if self.merge_mode == 'concat':
            return tuple(shape[:-1]) + (shape[-1] * 2 if shape[-1] is not None else None,)
        if self.merge_mode is None:
            return [shape, shape]
        return shape

    def call(self, X, mask=None):
        y = self.forward_layer.call(X, mask)
        y_rev = self.backward_layer.call(X, mask)
        if self.return_sequences:
            y_rev = K.reverse(y_rev, 1)
        if self.merge_mode == 'concat':
            return K.concatenate([y, y_rev], axis=-1)
        if self.merge_mode == 'sum':
            return y + y_rev
        if self.merge_mode == 'ave':
            return (y + y_rev) / 2.
        if self.merge_mode == 'mul':
            return y * y_rev
        return [y, y_rev]

    def compute_mask(self, input, mask=None):
        if not self.return_sequences:
            return [None, None] if self.merge_mode is None else None
        return [mask, mask] if self.merge_mode is None else mask

    def get_config(self):
        config = super(Bidirectional, self).get_config()
        config['merge_mode'] = self.merge_mode
        return config
