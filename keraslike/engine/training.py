"""Model: a Container that can be compiled, trained, evaluated and used to predict.

>>> from keraslike.engine.topology import Input
>>> from keraslike.layers import Dense
>>> from keraslike.models import Model
>>> x = Input(shape=(4,))
>>> model = Model(input=x, output=Dense(2, activation='softmax')(x))
>>> model.compile('sgd', 'categorical_crossentropy', metrics=['accuracy'])
"""
import copy

from keraslike import backend as K
from .container import Container
from .compile_utils import build_losses_and_metrics
from .data_checks import (check_array_lengths, check_batch_size, check_checkpoint_filepaths,
                          check_epochs, check_input_lengths, check_input_values,
                          check_loss_and_target_compatibility, check_not_empty,
                          check_validation_data, check_validation_split,
                          standardize_class_weights, standardize_input_data,
                          standardize_sample_or_class_weights,  # noqa: F401  (Keras 1 name)
                          standardize_sample_weights, standardize_weights)
from . import loops
# Keras 1 code imports these helpers from keras.engine.training: re-exported, not used here
from .compile_utils import collect_metrics, weighted_objective  # noqa: F401
from .generator_queue import GeneratorEnqueuer  # noqa: F401
from .loops import batch_shuffle, make_batches, slice_X  # noqa: F401
from keraslike.utils.generic_utils import Progbar  # noqa: F401
from keraslike.utils.generic_utils import reject_unknown_kwargs, rename_keras2_kwargs


def _phase(value):
    """``givens`` that compile a function for one learning phase (1 train, 0 test)."""
    lp = K.learning_phase()
    return {} if isinstance(lp, int) else {lp: value}


class _DefaultEpochs(int):
    """``fit``'s default ``nb_epoch`` (10): an int that tells "not given" from an explicit 10."""

    def __repr__(self):
        return '10'


DEFAULT_NB_EPOCH = _DefaultEpochs(10)


def resolve_epochs(nb_epoch, kwargs):
    """``nb_epoch`` (Keras 1) or ``epochs`` (Keras 2, popped from ``kwargs``), not both."""
    if nb_epoch is DEFAULT_NB_EPOCH:
        nb_epoch, given = int(nb_epoch), {}
    else:
        given = {'nb_epoch': nb_epoch}
    epochs = {'epochs': kwargs.pop('epochs')} if 'epochs' in kwargs else {}
    return rename_keras2_kwargs(epochs, {'epochs': 'nb_epoch'}, given=given,
                                who='fit()').get('nb_epoch', nb_epoch)


def _stateful_layers(layers):
    """The stateful layers among ``layers``, looking inside nested models and wrappers."""
    for layer in layers:
        inner = getattr(layer, 'layers', None)
        if inner is None and hasattr(layer, '_inner_layers'):
            inner = layer._inner_layers()
        if inner:
            for sub in _stateful_layers(inner):
                yield sub
        elif getattr(layer, 'stateful', False):
            yield layer


def _fixed_batch_size(layer):
    """The batch size a stateful layer's states were built for (None if unknown)."""
    spec = getattr(layer, 'input_spec', None)
    if spec and spec[0] is not None and spec[0].shape:
        return spec[0].shape[0]
    return (getattr(layer, 'batch_input_shape', None) or (None,))[0]


class Model(Container):
    """A graph of layers with training: ``Model(input=x, output=y)``.

    Keras 2 spelling: ``Model(inputs=x, outputs=y)``.
    """

    def __init__(self, input=None, output=None, name=None, inputs=None, outputs=None):
        input = inputs if input is None else input
        output = outputs if output is None else output
        if input is None or output is None:
            raise TypeError('Model needs `input` and `output` tensors (or `inputs`/`outputs`).')
        super(Model, self).__init__(input, output, name=name)

    # ------------------------------------------------------------------ compile
    def compile(self, optimizer, loss, metrics=None, loss_weights=None,
                sample_weight_mode=None, **kwargs):
        """Configure training: optimizer, loss(es), metrics, loss weights.

        Extra keyword arguments go to ``K.function`` (e.g. ``mode='JAX'``).
        """
        from keraslike import optimizers
        if optimizer is None:
            raise TypeError('compile(): `optimizer` should be an optimizer name (e.g. \'sgd\') '
                            'or an Optimizer instance, got None.')
        optimizer = optimizers.get(optimizer)
        if not (hasattr(optimizer, 'get_updates') or hasattr(optimizer, 'build_train_function')):
            raise TypeError('compile(): `optimizer` should be an optimizer name (e.g. \'sgd\') '
                            'or an Optimizer instance, got %r (%s).'
                            % (optimizer, type(optimizer).__name__))
        build_losses_and_metrics(self, loss, metrics, loss_weights, sample_weight_mode)
        self.optimizer = optimizer
        self.loss = loss
        self.loss_weights = loss_weights
        self.sample_weight_mode = sample_weight_mode
        self._function_kwargs = kwargs
        self.train_function = None
        self.test_function = None
        self.predict_function = None
        # Keras 1 sorts the trainable weights by name; it fixes the optimizer slot order.
        self._collected_trainable_weights = sorted(
            self.trainable_weights, key=lambda w: w.name or '')

    def _function(self, inputs, outputs, updates, phase):
        kwargs = dict(self._function_kwargs) if hasattr(self, '_function_kwargs') else {}
        givens = dict(kwargs.pop('givens', None) or {})
        givens.update(_phase(phase))
        return K.function(inputs, outputs, updates=updates, givens=givens, **kwargs)

    def _check_compiled(self):
        if not hasattr(self, 'optimizer'):
            raise RuntimeError('You must compile your model before using it: '
                               '`model.compile(optimizer, loss)`.')

    def _make_train_function(self):
        self._check_compiled()
        if self.train_function is None:
            inputs = self.inputs + self.targets + self.sample_weights
            outputs = [self.total_loss] + self.metrics_tensors
            if hasattr(self.optimizer, 'build_train_function'):  # keraslike.distributed
                self.train_function = self.optimizer.build_train_function(
                    self, inputs, outputs, self.updates, self._function)
                return
            training_updates = self.optimizer.get_updates(self._collected_trainable_weights,
                                                          self.constraints, self.total_loss)
            self.train_function = self._function(inputs, outputs,
                                                 self.updates + training_updates, phase=1)

    def _make_test_function(self):
        self._check_compiled()
        if self.test_function is None:
            inputs = self.inputs + self.targets + self.sample_weights
            outputs = [self.total_loss] + self.metrics_tensors
            self.test_function = self._function(inputs, outputs, self.state_updates, phase=0)
            distribution = self._distribution()
            if distribution is not None:
                self.test_function = distribution.test_function(self, self.test_function,
                                                                len(outputs))

    def _distribution(self):
        """The keraslike.distributed run this model trains in, if any."""
        return getattr(getattr(self, 'optimizer', None), 'distribution', None)

    def _make_predict_function(self):
        if getattr(self, 'predict_function', None) is None:
            kwargs = getattr(self, '_function_kwargs', {})
            self._function_kwargs = kwargs
            self.predict_function = self._function(self.inputs, self.outputs,
                                                   self.state_updates, phase=0)

    # ------------------------------------------------------------------ data
    def _target_shapes(self):
        shapes = []
        for shape, fn in zip(self.internal_output_shapes, self.loss_functions):
            name = getattr(fn, '__name__', None)
            if name == 'sparse_categorical_crossentropy':
                shapes.append(tuple(shape[:-1]) + (1,))
            elif name not in _BUILTIN_LOSSES:
                shapes.append(None)  # a custom loss may take targets of any shape
            else:
                shapes.append(shape)
        return shapes

    def _standardize_user_data(self, x, y, sample_weight=None, class_weight=None,
                               batch_size=None, call='fit()'):
        """``call`` ('fit()', 'fit(): validation_data', ...) only names the data in errors."""
        self._check_compiled()
        x = standardize_input_data(x, self.input_names, self.internal_input_shapes,
                                   check_batch_axis=False, exception_prefix='model input')
        y = standardize_input_data(y, self.output_names, None, exception_prefix='model target')
        check_input_lengths(x, self.input_names)
        check_not_empty(x, self.input_names, call + ' model input')
        check_not_empty(y, self.output_names, call + ' model target')
        check_input_values(self.input_layers, x, self.input_names, call + ' model input')
        check_loss_and_target_compatibility(y, self.loss_functions, self.internal_output_shapes,
                                            self.output_names)
        # after it: sparse labels get the message that names their range
        check_input_values([None] * len(y), y, self.output_names, call + ' model target')
        y = standardize_input_data(y, self.output_names, self._target_shapes(),
                                   check_batch_axis=False, exception_prefix='model target')
        sample_weights = standardize_sample_weights(sample_weight, self.output_names)
        class_weights = standardize_class_weights(class_weight, self.output_names)
        sample_weights = [standardize_weights(ref, sw, cw, mode, name, shape[-1])
                          for ref, sw, cw, mode, name, shape
                          in zip(y, sample_weights, class_weights, self.sample_weight_modes,
                                 self.output_names, self.internal_output_shapes)]
        check_array_lengths(x, y, sample_weights, self.input_names, self.output_names)
        if batch_size:  # Keras 1 checks only here, for the batch loops
            self._check_stateful_batch(x, batch_size)
        return x, y, sample_weights

    def _check_stateful_batch(self, x, batch_size, what='the model'):
        """Fail early, naming the layer, when a loop would run a batch a stateful layer can't take.

        ``batch_size`` is the loop's argument (``None``: one batch of all of ``x``,
        as in ``*_on_batch``). As in Keras 1.2.2's ``predict``, the samples must
        divide into batches only when there are more of them than ``batch_size``;
        fewer run as one batch of all of them, so ``predict(x)`` with the default
        ``batch_size=32`` works when ``x`` holds exactly the stateful batch. (Keras
        1.2.2's ``fit``/``evaluate`` also refused ``samples % batch_size != 0`` when
        there were fewer samples than ``batch_size``; here they follow ``predict``'s
        rule, which accepts every call Keras 1 accepted.) Keras 1 then left a batch
        of any other size to Theano's shape error inside the loop; here the size of
        the batches actually run is checked against each stateful layer's states.
        """
        if not self.stateful or not x:
            return
        nb_sample = len(x[0])
        if batch_size and nb_sample > batch_size and nb_sample % batch_size:
            raise ValueError('In a stateful network, you should only pass inputs with a number of '
                             'samples that can be divided by the batch size. Found: %d samples. '
                             'Batch size: %d.' % (nb_sample, batch_size))
        run = min(nb_sample, batch_size) if batch_size else nb_sample
        if not run:
            return
        how = ('runs batches of min(samples, batch_size): %d samples, batch_size=%d'
               % (nb_sample, batch_size) if batch_size else 'runs all its samples as one batch')
        for layer in _stateful_layers(self.layers):
            fixed = _fixed_batch_size(layer)
            if fixed and run != fixed:
                # the states are sized for the fixed batch: another size fails deep in the
                # compiled function (or broadcasts silently from a batch of 1)
                raise ValueError('In a stateful network, every batch must have the batch size '
                                 'the stateful layers were built with. Layer %s expects batch '
                                 'size %d (its `batch_input_shape[0]`). Found: batch size %d (%s '
                                 '%s).' % (layer.name, fixed, run, what, how))

    # ------------------------------------------------------------------ training
    def fit(self, x=None, y=None, batch_size=32, nb_epoch=DEFAULT_NB_EPOCH, verbose=1,
            callbacks=None, validation_split=0., validation_data=None, shuffle=True,
            class_weight=None, sample_weight=None, initial_epoch=0, **kwargs):
        """Train for ``nb_epoch`` epochs (Keras 2: ``epochs``); returns a ``History``."""
        nb_epoch = resolve_epochs(nb_epoch, kwargs)
        reject_unknown_kwargs(kwargs, (), 'Unrecognized keyword arguments: %s')
        # every argument is checked here, before the first batch trains
        check_batch_size(batch_size, 'fit')
        check_epochs(nb_epoch, initial_epoch)
        if validation_data is not None:
            check_validation_data(validation_data)
        # stateful batches are checked below, on the data each loop runs after any split
        x, y, sample_weights = self._standardize_user_data(
            x, y, sample_weight=sample_weight, class_weight=class_weight)
        # Keras 1 ignores validation_split when validation_data is given: only its range counts
        check_validation_split(validation_split, len(x[0]) if validation_data is None else None)
        val_ins = None
        if validation_data is not None:
            val_ins = loops.validation_inputs(self, validation_data, 'fit(): validation_data')
        elif validation_split:
            split_at = int(len(x[0]) * (1. - validation_split))
            x, val_x = loops.slice_X(x, 0, split_at), loops.slice_X(x, split_at)
            y, val_y = loops.slice_X(y, 0, split_at), loops.slice_X(y, split_at)
            sample_weights, val_sw = (loops.slice_X(sample_weights, 0, split_at),
                                      loops.slice_X(sample_weights, split_at))
            val_ins = val_x + val_y + val_sw
        self._check_stateful_batch(x, batch_size, 'fit')
        if val_ins:
            self._check_stateful_batch(val_ins, batch_size, 'the validation in fit')

        self._make_train_function()
        val_f = None
        if val_ins:
            self._make_test_function()
            val_f = self.test_function
        out_labels = _dedupe_labels(self.metrics_names)
        callback_metrics = copy.copy(out_labels)
        if val_ins:
            callback_metrics += ['val_' + n for n in out_labels]
        check_checkpoint_filepaths(callbacks, callback_metrics)
        sync_indices = None
        distribution = self._distribution()
        if distribution is not None:
            callbacks = distribution.filter_callbacks(callbacks)
            verbose = verbose if distribution.is_root else 0
            sync_indices = distribution.sync_indices
        return loops.fit_loop(self, self.train_function, x + y + sample_weights,
                              out_labels=out_labels, batch_size=batch_size, nb_epoch=nb_epoch,
                              verbose=verbose, callbacks=callbacks, val_f=val_f,
                              val_ins=val_ins, shuffle=shuffle,
                              callback_metrics=callback_metrics, initial_epoch=initial_epoch,
                              sync_indices=sync_indices)

    def evaluate(self, x, y, batch_size=32, verbose=1, sample_weight=None):
        """Loss (and metrics) on ``x``/``y``: a float, or a list in ``metrics_names`` order."""
        check_batch_size(batch_size, 'evaluate')
        x, y, sample_weights = self._standardize_user_data(x, y, sample_weight=sample_weight,
                                                           call='evaluate()')
        self._check_stateful_batch(x, batch_size, 'evaluate')
        self._make_test_function()
        return loops.test_loop(self.test_function, x + y + sample_weights,
                               batch_size=batch_size, verbose=verbose)

    def predict(self, x, batch_size=32, verbose=0):
        """Outputs for ``x``, batch by batch: an array, or a list for several outputs."""
        check_batch_size(batch_size, 'predict')
        x = standardize_input_data(x, self.input_names, self.internal_input_shapes,
                                   check_batch_axis=False, exception_prefix='model input')
        check_input_lengths(x, self.input_names)
        check_not_empty(x, self.input_names, 'predict(): model input')
        check_input_values(self.input_layers, x, self.input_names, 'predict(): model input',
                           finite=False)
        self._check_stateful_batch(x, batch_size, 'predict')
        self._make_predict_function()
        return loops.predict_loop(self.predict_function, x, batch_size=batch_size,
                                  verbose=verbose)

    def train_on_batch(self, x, y, sample_weight=None, class_weight=None):
        """One gradient step on one batch; returns the loss (and metrics)."""
        x, y, sample_weights = self._standardize_user_data(
            x, y, sample_weight=sample_weight, class_weight=class_weight,
            call='train_on_batch()')
        self._check_stateful_batch(x, None, 'train_on_batch')
        self._make_train_function()
        outputs = self.train_function(x + y + sample_weights)
        return outputs[0] if len(outputs) == 1 else outputs

    def test_on_batch(self, x, y, sample_weight=None):
        x, y, sample_weights = self._standardize_user_data(
            x, y, sample_weight=sample_weight, call='test_on_batch()')
        self._check_stateful_batch(x, None, 'test_on_batch')
        self._make_test_function()
        outputs = self.test_function(x + y + sample_weights)
        return outputs[0] if len(outputs) == 1 else outputs

    def predict_on_batch(self, x):
        x = standardize_input_data(x, self.input_names, self.internal_input_shapes,
                                   exception_prefix='model input')
        check_input_lengths(x, self.input_names)
        check_not_empty(x, self.input_names, 'predict_on_batch(): model input')
        check_input_values(self.input_layers, x, self.input_names,
                           'predict_on_batch(): model input', finite=False)
        self._check_stateful_batch(x, None, 'predict_on_batch')
        self._make_predict_function()
        outputs = self.predict_function(x)
        return outputs[0] if len(outputs) == 1 else outputs

    # ------------------------------------------------------------------ generators
    def fit_generator(self, generator, samples_per_epoch=None, nb_epoch=None, verbose=1,
                      callbacks=None, validation_data=None, nb_val_samples=None,
                      class_weight=None, max_q_size=10, nb_worker=1, pickle_safe=False,
                      initial_epoch=0, **kwargs):
        """Train on batches from a Python generator (see ``engine/generator_loops.py``)."""
        from .generator_loops import fit_generator
        return fit_generator(self, generator, samples_per_epoch, nb_epoch, verbose=verbose,
                             callbacks=callbacks, validation_data=validation_data,
                             nb_val_samples=nb_val_samples, class_weight=class_weight,
                             max_q_size=max_q_size, nb_worker=nb_worker,
                             pickle_safe=pickle_safe, initial_epoch=initial_epoch, **kwargs)

    def evaluate_generator(self, generator, val_samples=None, max_q_size=10, nb_worker=1,
                           pickle_safe=False, **kwargs):
        from .generator_loops import evaluate_generator
        return evaluate_generator(self, generator, val_samples, max_q_size=max_q_size,
                                  nb_worker=nb_worker, pickle_safe=pickle_safe, **kwargs)

    def predict_generator(self, generator, val_samples=None, max_q_size=10, nb_worker=1,
                          pickle_safe=False, **kwargs):
        from .generator_loops import predict_generator
        return predict_generator(self, generator, val_samples, max_q_size=max_q_size,
                                 nb_worker=nb_worker, pickle_safe=pickle_safe, **kwargs)


def _dedupe_labels(labels):
    """An output layer shared by several outputs repeats names: suffix them _2, _3, ..."""
    out = []
    for i, label in enumerate(labels):
        if labels.count(label) > 1:
            label += '_' + str(labels[:i].count(label) + 1)
        out.append(label)
    return out


_BUILTIN_LOSSES = {
    'mean_squared_error', 'mean_absolute_error', 'mean_absolute_percentage_error',
    'mean_squared_logarithmic_error', 'squared_hinge', 'hinge', 'categorical_crossentropy',
    'sparse_categorical_crossentropy', 'binary_crossentropy', 'kullback_leibler_divergence',
    'poisson', 'cosine_proximity'}
