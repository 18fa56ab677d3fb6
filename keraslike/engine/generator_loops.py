"""``fit_generator``, ``evaluate_generator`` and ``predict_generator`` (Keras 1.2.2 semantics).

Keras 1 counts samples (``samples_per_epoch``, ``nb_val_samples``,
``val_samples``); Keras 2 counts batches (``steps_per_epoch``,
``validation_steps``, ``steps``). Both spellings are accepted, as are the
Keras 2 names ``epochs``, ``workers``, ``use_multiprocessing`` and
``max_queue_size`` (pass the step counts by name: a second positional argument
is Keras 1's ``samples_per_epoch``). Batches are pre-fetched by a
:class:`~keraslike.engine.generator_queue.GeneratorEnqueuer`; an error raised by
the generator stops the loop and is re-raised here.

>>> import numpy as np
>>> from keraslike.models import Sequential
>>> from keraslike.layers import Dense
>>> model = Sequential([Dense(1, input_dim=3)])
>>> model.compile('sgd', 'mse')
>>> def batches():
...     while True:
...         yield np.ones((4, 3)), np.zeros((4, 1))
>>> history = model.fit_generator(batches(), samples_per_epoch=8, nb_epoch=2, verbose=0)
>>> history.epoch
[0, 1]
"""
import warnings

import numpy as np

from keraslike import backend as K
from keraslike.utils.generic_utils import reject_unknown_kwargs, rename_keras2_kwargs
from . import loops
from .data_checks import check_checkpoint_filepaths, check_epochs
from .generator_queue import GeneratorEnqueuer
from .interrupts import stop_at_batch_boundary


# Keras 2 name -> the Keras 1 name (or the internal one: steps, val_steps)
_WORKER_RENAMES = {'workers': 'nb_worker', 'use_multiprocessing': 'pickle_safe',
                   'max_queue_size': 'max_q_size'}
FIT_GENERATOR_RENAMES = dict(_WORKER_RENAMES, steps_per_epoch='steps', epochs='nb_epoch',
                             validation_steps='val_steps')
EVALUATE_GENERATOR_RENAMES = dict(_WORKER_RENAMES, steps='steps')


def _keras2_args(kwargs, renames, who):
    """The Keras 2 arguments in ``kwargs`` as ``{keras1_name: value}``; unknown names raise."""
    reject_unknown_kwargs(kwargs, renames, who + '() got unexpected keyword arguments: %s')
    return rename_keras2_kwargs(kwargs, renames)


def _worker_args(nb_worker, pickle_safe, max_q_size, k2):
    return (k2.get('nb_worker', nb_worker), k2.get('pickle_safe', pickle_safe),
            k2.get('max_q_size', max_q_size))


def _is_generator(data):
    return hasattr(data, 'next') or hasattr(data, '__next__')


def _unpack(output, allow_x_only=False):
    """``(x, y, sample_weight)`` from a generator output (``x`` alone if allowed)."""
    if isinstance(output, tuple):
        if len(output) == 2:
            return output[0], output[1], None
        if len(output) == 3:
            return output
    elif allow_x_only:
        return output, None, None
    raise ValueError('output of generator should be a tuple (x, y, sample_weight) or '
                     '(x, y). Found: ' + str(output)[:300])


def _nb_samples(x):
    if isinstance(x, list):
        x = x[0]
    elif isinstance(x, dict):
        x = list(x.values())[0]
    return len(x)


class _Budget(object):
    """Counts batches (Keras 2 ``steps``) or samples (Keras 1) towards an end."""

    def __init__(self, samples, steps, what):
        if samples is None and steps is None:
            raise ValueError('Specify %s.' % what)
        if samples is not None and steps is not None:
            raise ValueError('Specify either a number of samples or a number of steps '
                             '(%s), not both.' % what)
        self.by_steps = steps is not None
        value = steps if self.by_steps else samples
        if isinstance(value, bool) or not isinstance(value, (int, float, np.number)) \
                or not value > 0 or value == float('inf'):
            # 0 or fewer would end each epoch before a batch, silently training nothing
            raise ValueError('%s should be a positive number, got %r.' % (what, value))
        # Keras 1 compares the count with it, so a float (Python 3's 50000 / 2) works
        self.target = int(np.ceil(value))
        self.count = 0

    def add(self, nb_samples):
        self.count += 1 if self.by_steps else nb_samples

    def done(self):
        return self.count >= self.target


def _step_progbar_logger():
    """A ProgbarLogger whose bar counts batches (Keras 2's ``count_mode='steps'``)."""
    from keraslike.callbacks import ProgbarLogger

    class StepProgbarLogger(ProgbarLogger):
        def on_batch_end(self, batch, logs=None):
            logs = dict(logs or {})
            logs['size'] = 1
            super(StepProgbarLogger, self).on_batch_end(batch, logs)

    return StepProgbarLogger()


# Ctrl-C: GeneratorEnqueuer.get, called before each batch, raises the KeyboardInterrupt.
@stop_at_batch_boundary
def fit_generator(model, generator, samples_per_epoch=None, nb_epoch=None, verbose=1,
                  callbacks=None, validation_data=None, nb_val_samples=None,
                  class_weight=None, max_q_size=10, nb_worker=1, pickle_safe=False,
                  initial_epoch=0, **kwargs):
    """Train ``model`` on batches from ``generator``; returns the ``History``.

    An epoch ends once ``samples_per_epoch`` samples (or ``steps_per_epoch``
    batches) were seen. ``validation_data`` is a tuple ``(x, y[, sw])`` or a
    generator (then ``nb_val_samples`` or ``validation_steps`` is required).
    """
    k2 = _keras2_args(kwargs, FIT_GENERATOR_RENAMES, 'fit_generator')
    nb_worker, pickle_safe, max_q_size = _worker_args(nb_worker, pickle_safe, max_q_size, k2)
    nb_epoch = k2.get('nb_epoch', nb_epoch)
    nb_epoch = 1 if nb_epoch is None else nb_epoch
    check_epochs(nb_epoch, 0, 'fit_generator')
    budget = _Budget(samples_per_epoch, k2.get('steps'),
                     '`samples_per_epoch` (Keras 1) or `steps_per_epoch` (Keras 2)')
    val_steps = k2.get('val_steps')

    do_validation = bool(validation_data)
    model._make_train_function()
    if do_validation:
        model._make_test_function()
    val_gen = _is_generator(validation_data)
    if val_gen and not (nb_val_samples or val_steps):
        raise ValueError('When using a generator for validation data, you must specify a '
                         'value for "nb_val_samples" (or "validation_steps").')

    out_labels = model.metrics_names
    callback_metrics = out_labels + ['val_' + n for n in out_labels]
    params = {'nb_epoch': nb_epoch, 'nb_sample': budget.target, 'verbose': verbose,
              'do_validation': do_validation, 'metrics': callback_metrics}
    if budget.by_steps:  # what Keras 2 callbacks read; the bar then counts batches
        params.update({'epochs': nb_epoch, 'steps': budget.target})
    val_ins = None
    if do_validation and not val_gen:
        val_ins = loops.validation_inputs(model, validation_data, 'fit()')
    callback_list, callback_model = loops.start_callbacks(
        model, callbacks, verbose, params, val_ins,
        progbar=_step_progbar_logger if budget.by_steps else None)
    # before an epoch is spent; Keras 1 lists val_ metrics even when nothing validates
    check_checkpoint_filepaths(callbacks, callback_metrics if do_validation else out_labels)
    callback_list.on_train_begin()

    enqueuer = None
    try:
        enqueuer = GeneratorEnqueuer(generator, pickle_safe=pickle_safe)
        enqueuer.start(nb_worker=nb_worker, max_q_size=max_q_size, wait_time=0.01)
        epoch = initial_epoch
        while epoch < nb_epoch:
            callback_list.on_epoch_begin(epoch)
            budget.count = 0
            batch_index = 0
            epoch_logs = {}
            while not budget.done():
                x, y, sample_weight = _unpack(enqueuer.get())
                batch_size = _nb_samples(x)
                batch_logs = {'batch': batch_index, 'size': batch_size}
                callback_list.on_batch_begin(batch_index, batch_logs)
                outs = model.train_on_batch(x, y, sample_weight=sample_weight,
                                            class_weight=class_weight)
                outs = outs if isinstance(outs, list) else [outs]
                for label, value in zip(out_labels, outs):
                    batch_logs[label] = float(value)
                callback_list.on_batch_end(batch_index, batch_logs)
                batch_index += 1
                budget.add(batch_size)
                if not budget.by_steps and budget.count > budget.target:
                    warnings.warn('Epoch comprised more than `samples_per_epoch` samples, '
                                  'which might affect learning results. Set '
                                  '`samples_per_epoch` correctly to avoid this warning.')
                if budget.done() and do_validation:
                    if val_gen:
                        val_outs = evaluate_generator(
                            model, validation_data, nb_val_samples, max_q_size=max_q_size,
                            nb_worker=nb_worker, pickle_safe=pickle_safe,
                            **({'steps': val_steps} if val_steps else {}))
                    else:
                        val_outs = loops.test_loop(model.test_function, val_ins,
                                                   batch_size=batch_size, verbose=0)
                    val_outs = val_outs if isinstance(val_outs, list) else [val_outs]
                    for label, value in zip(out_labels, val_outs):
                        epoch_logs['val_' + label] = value
            callback_list.on_epoch_end(epoch, epoch_logs)
            epoch += 1
            if callback_model.stop_training:
                break
    finally:
        if enqueuer is not None:
            enqueuer.stop()
    callback_list.on_train_end()
    return model.history


@stop_at_batch_boundary
def evaluate_generator(model, generator, val_samples=None, max_q_size=10, nb_worker=1,
                       pickle_safe=False, **kwargs):
    """Loss (and metrics) over ``val_samples`` samples (or ``steps`` batches) from
    ``generator``: batch results averaged with weights = batch sizes."""
    k2 = _keras2_args(kwargs, EVALUATE_GENERATOR_RENAMES, 'evaluate_generator')
    nb_worker, pickle_safe, max_q_size = _worker_args(nb_worker, pickle_safe, max_q_size, k2)
    budget = _Budget(val_samples, k2.get('steps'), '`val_samples` (Keras 1) or `steps` '
                     '(Keras 2)')
    model._make_test_function()
    all_outs, weights = [], []
    enqueuer = None
    try:
        enqueuer = GeneratorEnqueuer(generator, pickle_safe=pickle_safe)
        enqueuer.start(nb_worker=nb_worker, max_q_size=max_q_size, wait_time=0.01)
        while not budget.done():
            x, y, sample_weight = _unpack(enqueuer.get())
            outs = model.test_on_batch(x, y, sample_weight=sample_weight)
            nb = _nb_samples(x)
            all_outs.append(outs)
            weights.append(nb)
            budget.add(nb)
    finally:
        if enqueuer is not None:
            enqueuer.stop()
    if not isinstance(all_outs[0], list):
        return float(np.average(np.asarray(all_outs, dtype='float64'), weights=weights))
    return [float(np.average([out[i] for out in all_outs], weights=weights))
            for i in range(len(all_outs[0]))]


@stop_at_batch_boundary
def predict_generator(model, generator, val_samples=None, max_q_size=10, nb_worker=1,
                      pickle_safe=False, verbose=0, **kwargs):
    """Outputs for ``val_samples`` samples (or ``steps`` batches) from ``generator``.

    The generator may yield ``x`` alone or ``(x, y[, sample_weight])`` tuples.
    Keras 1 counting returns exactly ``val_samples`` rows (a larger last batch
    is cut, with a warning); Keras 2 counting concatenates ``steps`` batches.
    """
    from keraslike.utils.generic_utils import Progbar
    k2 = _keras2_args(kwargs, EVALUATE_GENERATOR_RENAMES, 'predict_generator')
    nb_worker, pickle_safe, max_q_size = _worker_args(nb_worker, pickle_safe, max_q_size, k2)
    budget = _Budget(val_samples, k2.get('steps'), '`val_samples` (Keras 1) or `steps` '
                     '(Keras 2)')
    model._make_predict_function()
    progbar = Progbar(target=budget.target) if verbose == 1 else None
    chunks = []
    enqueuer = None
    try:
        enqueuer = GeneratorEnqueuer(generator, pickle_safe=pickle_safe)
        enqueuer.start(nb_worker=nb_worker, max_q_size=max_q_size, wait_time=0.01)
        while not budget.done():
            x, _, _ = _unpack(enqueuer.get(), allow_x_only=True)
            outs = model.predict_on_batch(x)
            chunks.append(outs if isinstance(outs, list) else [outs])
            budget.add(_nb_samples(x))
            if progbar is not None:
                progbar.update(min(budget.count, budget.target), force=budget.done())
    finally:
        if enqueuer is not None:
            enqueuer.stop()
    results = [np.concatenate([c[i] for c in chunks], axis=0).astype(K.floatx(), copy=False)
               for i in range(len(chunks[0]))]
    if not budget.by_steps and budget.count > budget.target:
        warnings.warn('The generator yielded %d samples for val_samples=%d; the extra samples '
                      'were dropped.' % (budget.count, budget.target))
        results = [r[:budget.target] for r in results]
    return results[0] if len(results) == 1 else results
