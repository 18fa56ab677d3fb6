"""Sequential: a linear stack of layers (importable as ``keraslike.models.Sequential``).

>>> from keraslike.models import Sequential
>>> from keraslike.layers import Dense, Activation
>>> model = Sequential([Dense(32, input_dim=784), Activation('relu'), Dense(10),
...                     Activation('softmax')])
>>> model.output_shape
(None, 10)
"""
import warnings

from keraslike import backend as K
from keraslike.utils.generic_utils import reject_unknown_kwargs
from .base_layer import Layer
from .container import get_source_inputs
from .generator_loops import EVALUATE_GENERATOR_RENAMES, FIT_GENERATOR_RENAMES
from .merge_layer import Merge
from .node import Node
from .training import DEFAULT_NB_EPOCH, Model, resolve_epochs

_LEGACY_FIT_KWARGS = ('show_accuracy', 'accuracy', 'nb_val_worker')


def _drop_legacy_kwargs(kwargs, allowed=()):
    """Keras 0.x arguments Keras 1 still took with a warning; any other unknown one raises."""
    for key in _LEGACY_FIT_KWARGS:
        if key in kwargs:
            kwargs.pop(key)
            warnings.warn('The "%s" argument is deprecated.' % key)
    reject_unknown_kwargs(kwargs, allowed, 'Received unknown keyword arguments: %s')


class Sequential(Model):
    """A stack of layers.

    The first needs ``input_shape``, ``batch_input_shape`` or ``input_dim``.
    """

    def __init__(self, layers=None, name=None):
        self.layers = []
        self.model = None
        self.inputs = []
        self.outputs = []
        self._trainable = True
        self._initial_weights = None
        self.inbound_nodes = []
        self.outbound_nodes = []
        self.built = False
        self._flattened_layers = None
        self._per_input_losses, self._per_input_updates = {}, {}
        self.supports_masking = False
        if not name:
            prefix = 'sequential_'
            name = prefix + str(K.get_uid(prefix))
        self.name = name
        for layer in layers or []:
            self.add(layer)

    # ---------------------------------------------------------------- building the stack
    def add(self, layer):
        """Append ``layer`` to the stack, connecting it to the current output."""
        if not isinstance(layer, Layer):
            raise TypeError('The added layer must be an instance of class Layer. Found: %r%s'
                            % (layer, ' (a class: call it, e.g. Dense(32))'
                               if isinstance(layer, type) else ''))
        if not self.outputs:
            if not layer.inbound_nodes:
                if not hasattr(layer, 'batch_input_shape'):
                    raise ValueError('The first layer in a Sequential model must get an '
                                     '`input_shape` or `batch_input_shape` argument (layer "%s" '
                                     'of type %s has neither; e.g. Dense(32, input_dim=784)).'
                                     % (layer.name, layer.__class__.__name__))
                layer.create_input_layer(layer.batch_input_shape,
                                         getattr(layer, 'input_dtype', None))
            if len(layer.inbound_nodes) != 1:
                raise ValueError('A layer added to a Sequential model must not already be '
                                 'connected somewhere else. Model received layer %s which has '
                                 '%d pre-existing inbound connections.'
                                 % (layer.name, len(layer.inbound_nodes)))
            if len(layer.inbound_nodes[0].output_tensors) != 1:
                raise ValueError('All layers in a Sequential model should have a single output '
                                 'tensor. For multi-output layers, use the functional API.')
            self.outputs = [layer.inbound_nodes[0].output_tensors[0]]
            self.inputs = get_source_inputs(self.outputs[0])
            Node(outbound_layer=self, inbound_layers=[], node_indices=[], tensor_indices=[],
                 input_tensors=self.inputs, output_tensors=self.outputs,
                 input_masks=[None for _ in self.inputs], output_masks=[None],
                 input_shapes=[x._keras_shape for x in self.inputs],
                 output_shapes=[self.outputs[0]._keras_shape])
        else:
            output_tensor = layer(self.outputs[0])
            if isinstance(output_tensor, list):
                raise ValueError('All layers in a Sequential model should have a single output '
                                 'tensor. For multi-output layers, use the functional API.')
            self.outputs = [output_tensor]
            self.inbound_nodes[0].output_tensors = self.outputs
            self.inbound_nodes[0].output_shapes = [self.outputs[0]._keras_shape]
        self.layers.append(layer)
        self.built = False
        self.model = None
        self._flattened_layers = None

    def pop(self):
        """Remove the last layer."""
        if not self.layers:
            raise TypeError('There are no layers in the model.')
        self.layers.pop()
        if not self.layers:
            self.outputs, self.inbound_nodes, self.outbound_nodes = [], [], []
        else:
            self.layers[-1].outbound_nodes = []
            self.outputs = [self.layers[-1].get_output_at(-1)]
            self.inbound_nodes[0].output_tensors = self.outputs
            self.inbound_nodes[0].output_shapes = [self.outputs[0]._keras_shape]
        self.built = False
        self.model = None
        self._flattened_layers = None

    def build(self, input_shape=None):
        """Create the underlying functional Model (done automatically by compile)."""
        if not self.inputs or not self.outputs:
            raise TypeError('Sequential model cannot be built: model is empty. Add some layers '
                            'first.')
        self.model = Model(self.inputs, self.outputs[0], name=self.name + '_model')
        self.model.trainable = self.trainable
        for attr in ('supports_masking', 'input_layers', 'input_layers_node_indices',
                     'input_layers_tensor_indices', 'output_layers',
                     'output_layers_node_indices', 'output_layers_tensor_indices',
                     'nodes_by_depth', 'container_nodes', 'output_names', 'input_names',
                     'internal_input_shapes', 'internal_output_shapes', 'output_masks'):
            setattr(self, attr, getattr(self.model, attr))
        self.model.callback_model = self
        self.built = True

    def _built_model(self):
        if self.model is None:
            self.build()
        return self.model

    def assert_input_compatibility(self, input):
        self._built_model()
        super(Sequential, self).assert_input_compatibility(input)

    def get_layer(self, name=None, index=None):
        return self._built_model().get_layer(name, index)

    def call(self, x, mask=None):
        return self._built_model().call(x, mask)

    def compute_mask(self, input, mask=None):
        return self._built_model().compute_mask(input, mask)

    def get_output_shape_for(self, input_shape):
        return self._built_model().get_output_shape_for(input_shape)

    def run_internal_graph(self, inputs, masks=None):
        return self._built_model().run_internal_graph(inputs, masks)

    @property
    def input_spec(self):
        return self._built_model().input_spec if self.outputs else None

    @property
    def uses_learning_phase(self):
        return self._built_model().uses_learning_phase

    @property
    def flattened_layers(self):
        """The layers, with a leading legacy Merge expanded into its branches' layers."""
        if self._flattened_layers is not None:
            return self._flattened_layers
        layers = []
        if self.layers and isinstance(self.layers[0], Merge):
            for branch in self.layers[0].layers:
                sublayers = getattr(branch, 'flattened_layers', None) or getattr(
                    branch, 'layers', None) or [branch]
                for layer in sublayers:
                    if layer not in layers:
                        layers.append(layer)
            rest = self.layers[1:]
        else:
            rest = self.layers
        for layer in rest:
            if layer not in layers:
                layers.append(layer)
        self._flattened_layers = layers
        return layers

    # ---------------------------------------------------------------- weights
    @property
    def trainable(self):
        return self._trainable

    @trainable.setter
    def trainable(self, value):
        if self.model is not None:
            self.model.trainable = value
        self._trainable = value

    @property
    def updates(self):
        return self._built_model().updates

    @updates.setter
    def updates(self, value):
        pass

    @property
    def state_updates(self):
        return self._built_model().state_updates

    @property
    def losses(self):
        return self._built_model().losses

    @losses.setter
    def losses(self, value):
        pass

    @property
    def constraints(self):
        cons = {}
        for layer in self.flattened_layers:
            cons.update(getattr(layer, 'constraints', {}))
        return cons

    @constraints.setter
    def constraints(self, value):
        pass

    def _weight_layers(self):
        return self.flattened_layers

    # ---------------------------------------------------------------- training
    def compile(self, optimizer, loss, metrics=None, sample_weight_mode=None, **kwargs):
        """As ``Model.compile``; ``class_mode`` (Keras 0.x) is accepted and ignored."""
        model = self._built_model()
        if 'class_mode' in kwargs:
            warnings.warn('"class_mode" argument is deprecated, please remove it.')
            kwargs.pop('class_mode')
        model.compile(optimizer, loss, metrics=metrics, sample_weight_mode=sample_weight_mode,
                      **kwargs)
        for attr in ('optimizer', 'loss', 'total_loss', 'loss_weights', 'metrics',
                     'metrics_tensors', 'metrics_names', 'sample_weight_mode',
                     'sample_weights', 'targets', 'loss_functions', 'sample_weight_modes'):
            setattr(self, attr, getattr(model, attr))

    def _compiled_model(self):
        if self.model is None or not hasattr(self.model, 'optimizer'):
            raise RuntimeError('The model needs to be compiled before being used: '
                               '`model.compile(optimizer, loss)`.')
        return self.model

    def fit(self, x, y, batch_size=32, nb_epoch=DEFAULT_NB_EPOCH, verbose=1, callbacks=None,
            validation_split=0., validation_data=None, shuffle=True, class_weight=None,
            sample_weight=None, initial_epoch=0, **kwargs):
        nb_epoch = resolve_epochs(nb_epoch, kwargs)
        _drop_legacy_kwargs(kwargs)
        return self._compiled_model().fit(
            x, y, batch_size=batch_size, nb_epoch=nb_epoch, verbose=verbose,
            callbacks=callbacks, validation_split=validation_split,
            validation_data=validation_data, shuffle=shuffle, class_weight=class_weight,
            sample_weight=sample_weight, initial_epoch=initial_epoch)

    def evaluate(self, x, y, batch_size=32, verbose=1, sample_weight=None, **kwargs):
        _drop_legacy_kwargs(kwargs)
        return self._compiled_model().evaluate(x, y, batch_size=batch_size, verbose=verbose,
                                               sample_weight=sample_weight)

    def predict(self, x, batch_size=32, verbose=0):
        return self._built_model().predict(x, batch_size=batch_size, verbose=verbose)

    def predict_on_batch(self, x):
        return self._built_model().predict_on_batch(x)

    def train_on_batch(self, x, y, class_weight=None, sample_weight=None, **kwargs):
        _drop_legacy_kwargs(kwargs)
        return self._compiled_model().train_on_batch(x, y, sample_weight=sample_weight,
                                                     class_weight=class_weight)

    def test_on_batch(self, x, y, sample_weight=None, **kwargs):
        _drop_legacy_kwargs(kwargs)
        return self._compiled_model().test_on_batch(x, y, sample_weight=sample_weight)

    def fit_generator(self, generator, samples_per_epoch=None, nb_epoch=None, verbose=1,
                      callbacks=None, validation_data=None, nb_val_samples=None,
                      class_weight=None, max_q_size=10, nb_worker=1, pickle_safe=False,
                      initial_epoch=0, **kwargs):
        _drop_legacy_kwargs(kwargs, allowed=FIT_GENERATOR_RENAMES)
        return self._compiled_model().fit_generator(
            generator, samples_per_epoch, nb_epoch, verbose=verbose, callbacks=callbacks,
            validation_data=validation_data, nb_val_samples=nb_val_samples,
            class_weight=class_weight, max_q_size=max_q_size, nb_worker=nb_worker,
            pickle_safe=pickle_safe, initial_epoch=initial_epoch, **kwargs)

    def evaluate_generator(self, generator, val_samples=None, max_q_size=10, nb_worker=1,
                           pickle_safe=False, **kwargs):
        if 'verbose' in kwargs:
            kwargs.pop('verbose')
            warnings.warn('The "verbose" argument is deprecated.')
        _drop_legacy_kwargs(kwargs, allowed=EVALUATE_GENERATOR_RENAMES)
        return self._compiled_model().evaluate_generator(
            generator, val_samples, max_q_size=max_q_size, nb_worker=nb_worker,
            pickle_safe=pickle_safe, **kwargs)

    def predict_generator(self, generator, val_samples=None, max_q_size=10, nb_worker=1,
                          pickle_safe=False, **kwargs):
        return self._built_model().predict_generator(
            generator, val_samples, max_q_size=max_q_size, nb_worker=nb_worker,
            pickle_safe=pickle_safe, **kwargs)

    def predict_proba(self, x, batch_size=32, verbose=1):
        """Class probabilities (``predict``, warning if values fall outside [0, 1])."""
        preds = self.predict(x, batch_size, verbose)
        if preds.min() < 0. or preds.max() > 1.:
            warnings.warn('Network returning invalid probability values. The last layer might '
                          'not normalize predictions into probabilities (like softmax or '
                          'sigmoid would).')
        return preds

    def predict_classes(self, x, batch_size=32, verbose=1):
        """Class indices: argmax of the outputs, or ``p > 0.5`` for a single output unit."""
        proba = self.predict(x, batch_size=batch_size, verbose=verbose)
        if proba.shape[-1] > 1:
            return proba.argmax(axis=-1)
        return (proba > 0.5).astype('int32')

    # ---------------------------------------------------------------- config
    def get_config(self):
        """A list of ``{'class_name', 'config'}``, one per layer (Keras 1's Sequential format)."""
        from .graph_config import sequential_config  # graph_config imports this module
        return sequential_config(self)

    @classmethod
    def from_config(cls, config, custom_objects=None, safe_mode=None):
        from .graph_config import sequential_from_config  # graph_config imports this module
        return sequential_from_config(cls, config, custom_objects, safe_mode)
