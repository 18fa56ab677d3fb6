"""The batch loops behind fit, evaluate and predict.

Each loop slices the (already checked) arrays into batches and calls one
compiled function per batch; nothing is re-checked or recompiled inside.
``fit_loop`` converts the data to the compiled function's input dtypes once,
before the first epoch, instead of once per batch and epoch (the values are
the same), and takes unshuffled batches as views instead of copies.
"""
import numpy as np

from keraslike import backend as K
from .interrupts import check as check_interrupt, stop_at_batch_boundary

# fit converts a whole dataset to the function's dtypes up front only below this size;
# a larger one is converted batch by batch, as before, to spare the memory of a copy
CONVERT_ONCE_MAX_BYTES = 1 << 30


def as_input_dtypes(f, ins):
    """``ins`` with each NumPy array cast to ``f``'s input dtype (when ``f`` tells them).

    Arrays already of the right dtype, non-NumPy data (HDF5 datasets, lists)
    and conversions above ``CONVERT_ONCE_MAX_BYTES`` are left as they are;
    the compiled function converts those per batch, with the same result.
    """
    dtypes = getattr(f, 'input_dtypes', None)
    if dtypes is None or not isinstance(ins, list) or len(dtypes) != len(ins):
        return ins
    out = []
    for x, dtype in zip(ins, dtypes):
        if isinstance(x, np.ndarray) and x.dtype != dtype \
                and x.size * np.dtype(dtype).itemsize <= CONVERT_ONCE_MAX_BYTES:
            x = x.astype(dtype)
        out.append(x)
    return out


def make_batches(size, batch_size):
    """(start, end) index pairs covering ``range(size)``; the last batch may be smaller."""
    nb_batch = int(np.ceil(size / float(batch_size)))
    return [(i * batch_size, min(size, (i + 1) * batch_size)) for i in range(nb_batch)]


def slice_X(X, start=None, stop=None):
    """Rows of an array (or of each array in a list) by slice bounds or by an index array."""
    if isinstance(X, list):
        if hasattr(start, '__len__'):
            if hasattr(start, 'shape'):  # an index array
                start = start.tolist() if not isinstance(X[0], np.ndarray) else start
            return [x[start] for x in X]
        return [x[start:stop] for x in X]
    if hasattr(start, '__len__'):
        if hasattr(start, 'shape') and not isinstance(X, np.ndarray):
            start = start.tolist()
        return X[start]
    return X[start:stop]


def batch_shuffle(index_array, batch_size):
    """Shuffle whole batches of indices (for HDF5 data); a ragged last batch stays last."""
    nb_batch = len(index_array) // batch_size
    last = index_array[nb_batch * batch_size:]
    index_array = index_array[:nb_batch * batch_size].reshape((nb_batch, batch_size))
    np.random.shuffle(index_array)
    return np.append(index_array.flatten(), last)


def validation_inputs(model, validation_data, call):
    """The compiled functions' input list (x + y + sample weights) for ``validation_data``,
    a tuple ``(x, y)`` or ``(x, y, sample_weight)``, checked as training data is;
    ``call`` (``'fit(): validation_data'``) names it in errors."""
    if len(validation_data) == 2:
        val_x, val_y = validation_data
        val_sample_weight = None
    elif len(validation_data) == 3:
        val_x, val_y, val_sample_weight = validation_data
    else:
        raise ValueError('validation_data should be a tuple (val_x, val_y, '
                         'val_sample_weight) or (val_x, val_y). Found: '
                         + str(validation_data)[:300])
    val_x, val_y, val_sw = model._standardize_user_data(
        val_x, val_y, sample_weight=val_sample_weight, call=call)
    return val_x + val_y + val_sw


def start_callbacks(model, callbacks, verbose, params, val_ins, progbar=None):
    """Set up a training run's callbacks as Keras 1 does: ``BaseLogger``, the user's
    ``callbacks``, the ``History`` (``model.history``), then a progress bar when
    ``verbose`` (``progbar``: its class, by default ``ProgbarLogger``).

    Returns ``(callback_list, callback_model)``; ``on_train_begin`` is left to the loop.
    """
    from keraslike import callbacks as cbks
    model.history = cbks.History()
    callback_list = [cbks.BaseLogger()] + list(callbacks or []) + [model.history]
    if verbose:
        callback_list.append((progbar or cbks.ProgbarLogger)())
    callback_list = cbks.CallbackList(callback_list)
    callback_model = getattr(model, 'callback_model', None) or model
    callback_list.set_model(callback_model)
    callback_list.set_params(params)
    # Keras 1 code reads these from the model given to callbacks (a Sequential, not
    # its inner Model) and Keras 2 code from the callback itself.
    for holder in [model, callback_model] + list(callback_list):
        holder.validation_data = val_ins
    callback_model.history = model.history
    callback_model.stop_training = False
    return callback_list, callback_model


def _slice_batch(ins, batch_ids):
    try:
        return slice_X(ins, batch_ids)
    except TypeError:
        raise TypeError('TypeError while preparing batch. If using HDF5 input data, '
                        'pass shuffle="batch".')


@stop_at_batch_boundary
def fit_loop(model, f, ins, out_labels=None, batch_size=32, nb_epoch=100, verbose=1,
             callbacks=None, val_f=None, val_ins=None, shuffle=True, callback_metrics=None,
             initial_epoch=0, sync_indices=None):
    """Train ``f`` on ``ins`` for epochs ``initial_epoch .. nb_epoch-1``; returns a History.

    ``sync_indices`` (distributed training) makes every process use one shuffled order.
    """
    do_validation = bool(val_f and val_ins)
    if do_validation and verbose:
        print('Train on %d samples, validate on %d samples' % (len(ins[0]), len(val_ins[0])))
    nb_train_sample = len(ins[0])
    index_array = np.arange(nb_train_sample)
    ins = as_input_dtypes(f, ins)
    # callbacks see the validation data as given; the loop uses a converted copy
    val_ins_f = as_input_dtypes(val_f, val_ins) if do_validation else val_ins

    params = {'batch_size': batch_size, 'nb_epoch': nb_epoch, 'nb_sample': nb_train_sample,
              'verbose': verbose, 'do_validation': do_validation,
              'metrics': callback_metrics or []}
    callback_list, callback_model = start_callbacks(model, callbacks, verbose, params, val_ins)
    callback_list.on_train_begin()
    out_labels = out_labels or []

    for epoch in range(initial_epoch, nb_epoch):
        callback_list.on_epoch_begin(epoch)
        if shuffle == 'batch':
            index_array = batch_shuffle(index_array, batch_size)
        elif shuffle:
            np.random.shuffle(index_array)
        if shuffle and sync_indices is not None:
            index_array = sync_indices(index_array)
        batches = make_batches(nb_train_sample, batch_size)
        epoch_logs = {}
        for batch_index, (batch_start, batch_end) in enumerate(batches):
            batch_ids = index_array[batch_start:batch_end]
            if shuffle:
                ins_batch = _slice_batch(ins, batch_ids)
            else:  # rows in order: views of the data, no copy
                ins_batch = slice_X(ins, batch_start, batch_end)
            batch_logs = {'batch': batch_index, 'size': len(batch_ids)}
            callback_list.on_batch_begin(batch_index, batch_logs)
            outs = f(ins_batch)
            for label, value in zip(out_labels, outs):
                batch_logs[label] = float(value)
            callback_list.on_batch_end(batch_index, batch_logs)
            check_interrupt()  # a Ctrl-C is raised here, between batches
            if batch_index == len(batches) - 1 and do_validation:
                val_outs = test_loop(val_f, val_ins_f, batch_size=batch_size, verbose=0)
                val_outs = val_outs if isinstance(val_outs, list) else [val_outs]
                for label, value in zip(out_labels, val_outs):
                    epoch_logs['val_' + label] = value
        callback_list.on_epoch_end(epoch, epoch_logs)
        if callback_model.stop_training:
            break
    callback_list.on_train_end()
    return model.history


@stop_at_batch_boundary
def test_loop(f, ins, batch_size=32, verbose=0):
    """Batch-size-weighted mean of each output of ``f`` over ``ins``: a float or list."""
    from keraslike.utils.generic_utils import Progbar
    nb_sample = len(ins[0])
    totals = []
    progbar = Progbar(target=nb_sample) if verbose == 1 else None
    for batch_start, batch_end in make_batches(nb_sample, batch_size):
        batch_outs = f(slice_X(ins, batch_start, batch_end))
        if not totals:
            totals = [0. for _ in batch_outs]
        for i, value in enumerate(batch_outs):
            totals[i] += float(value) * (batch_end - batch_start)
        check_interrupt()
        if progbar is not None:
            progbar.update(batch_end, force=batch_end == nb_sample)
    outs = [t / nb_sample for t in totals]
    return outs[0] if len(outs) == 1 else outs


@stop_at_batch_boundary
def predict_loop(f, ins, batch_size=32, verbose=0):
    """Concatenate ``f``'s outputs over batches: an array, or a list for several outputs."""
    from keraslike.utils.generic_utils import Progbar
    nb_sample = len(ins[0])
    outs = []
    progbar = Progbar(target=nb_sample) if verbose == 1 else None
    for batch_start, batch_end in make_batches(nb_sample, batch_size):
        batch_outs = f(slice_X(ins, batch_start, batch_end))
        if not outs:
            outs = [np.zeros((nb_sample,) + tuple(o.shape[1:]), dtype=K.floatx())
                    for o in batch_outs]
        for out, value in zip(outs, batch_outs):
            out[batch_start:batch_end] = value
        check_interrupt()
        if progbar is not None:
            progbar.update(batch_end, force=batch_end == nb_sample)
    return outs[0] if len(outs) == 1 else outs
