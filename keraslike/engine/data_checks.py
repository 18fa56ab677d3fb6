"""Checking and normalising user data before the training loops.

Everything here runs once per ``fit``/``evaluate``/``predict`` call, never per
batch, and raises errors that name the input, the expected shape and the
shape received.
"""
import numpy as np


def _describe(names, exception_prefix):
    return exception_prefix + ' "' + names + '"'


def _as_array(value, name, exception_prefix):
    if hasattr(value, 'shape') and hasattr(value, 'dtype') and not isinstance(value, np.ndarray):
        return value  # array-like such as HDF5Matrix: sliced per batch
    try:
        array = np.asarray(value)
    except Exception as e:  # ragged lists and the like
        raise ValueError('Error when checking %s: could not convert the data to a NumPy array '
                         '(%s).' % (_describe(name, exception_prefix), e))
    if array.dtype == object or not (np.issubdtype(array.dtype, np.number)
                                     or array.dtype == np.bool_):
        raise TypeError('Error when checking %s: expected numeric data, but got an array of '
                        'dtype %s.' % (_describe(name, exception_prefix), array.dtype))
    return array


def standardize_input_data(data, names, shapes=None, check_batch_axis=True,
                           exception_prefix=''):
    """Turn ``data`` (array, list or dict keyed by name) into a list of arrays, one per name.

    1-D arrays become (n, 1). Shapes are checked against ``shapes`` (batch axis
    only when ``check_batch_axis``).
    """
    if isinstance(data, dict):
        missing = [n for n in names if n not in data]
        if missing:
            raise ValueError('No data provided for "%s". Need data for each key in: %s'
                             % (missing[0], names))
        arrays = [data[n] for n in names]
    elif isinstance(data, (list, tuple)):
        if len(data) != len(names):
            if data and hasattr(data[0], 'shape'):
                raise ValueError('Error when checking %s: the list of NumPy arrays you are '
                                 'passing to your model is not the size the model expected. '
                                 'Expected to see %d arrays but instead got %d arrays.'
                                 % (exception_prefix, len(names), len(data)))
            if len(names) == 1:
                data = [np.asarray(data)]
            else:
                raise ValueError('Error when checking %s: you are passing a list as input to '
                                 'your model, but the model expects a list of %d NumPy arrays '
                                 '(one per input: %s).' % (exception_prefix, len(names), names))
        arrays = list(data)
    else:
        if len(names) != 1:
            raise ValueError('Error when checking %s: the model expects %d input arrays (%s), '
                             'but only received one array.'
                             % (exception_prefix, len(names), names))
        arrays = [data]

    arrays = [_as_array(a, n, exception_prefix) for a, n in zip(arrays, names)]
    arrays = [np.expand_dims(a, 1) if getattr(a, 'ndim', 2) == 1 else a for a in arrays]

    if shapes:
        for name, array, shape in zip(names, arrays, shapes):
            if shape is None:
                continue
            if len(array.shape) != len(shape):
                raise ValueError('Error when checking %s: expected %s to have %d dimensions '
                                 '(shape %s), but got array with shape %s'
                                 % (exception_prefix, name, len(shape), _fmt(shape),
                                    tuple(array.shape)))
            for j, (dim, ref) in enumerate(zip(array.shape, shape)):
                if not j and not check_batch_axis:
                    continue
                if ref is not None and ref != dim:
                    raise ValueError('Error when checking %s: expected %s to have shape %s but '
                                     'got array with shape %s'
                                     % (exception_prefix, name, _fmt(shape), tuple(array.shape)))
    return arrays


def _fmt(shape):
    return '(' + ', '.join('None' if s is None else str(s) for s in shape) + (
        ',)' if len(shape) == 1 else ')')


def standardize_sample_or_class_weights(x_weight, output_names, weight_type):
    if x_weight is None or (isinstance(x_weight, list) and not x_weight):
        return [None for _ in output_names]
    if len(output_names) == 1:
        if isinstance(x_weight, list) and len(x_weight) == 1:
            return x_weight
        if isinstance(x_weight, dict) and output_names[0] in x_weight:
            return [x_weight[output_names[0]]]
        return [x_weight]
    if isinstance(x_weight, list):
        if len(x_weight) != len(output_names):
            raise ValueError('Provided `%s` was a list of %d elements, but the model has %d '
                             'outputs. You should provide one `%s` array per model output.'
                             % (weight_type, len(x_weight), len(output_names), weight_type))
        return x_weight
    if isinstance(x_weight, dict):
        return [x_weight.get(name) for name in output_names]
    raise TypeError('The model has multiple outputs, so `%s` should be either a list or a dict. '
                    'Provided `%s` type not understood: %s'
                    % (weight_type, weight_type, type(x_weight).__name__))


def standardize_sample_weights(sample_weight, output_names):
    """``sample_weight`` (None, array, list or dict) as one entry per output."""
    return standardize_sample_or_class_weights(sample_weight, output_names, 'sample_weight')


def standardize_class_weights(class_weight, output_names):
    """``class_weight`` (None, dict, list or dict of dicts) as one entry per output."""
    return standardize_sample_or_class_weights(class_weight, output_names, 'class_weight')


def check_array_lengths(inputs, targets, weights=None, input_names=None, output_names=None):
    """Every input, target and weight array must hold the same number of samples.

    Keras 1's signature; the optional names only make the errors name the arrays.
    """
    def counts(arrays):
        return {len(a) for a in arrays if a is not None}
    x_lengths, y_lengths = counts(inputs), counts(targets)
    w_lengths = counts(weights or [])
    check_input_lengths(inputs, input_names or ['input_%d' % (i + 1) for i in range(len(inputs))])
    check_input_lengths(targets, output_names or ['output_%d' % (i + 1)
                                                  for i in range(len(targets))],
                        what='model target', kind='target arrays (y)')
    if x_lengths and y_lengths and x_lengths != y_lengths:
        raise ValueError('Input arrays should have the same number of samples as target arrays. '
                         'Found %d input samples and %d target samples.'
                         % (list(x_lengths)[0], list(y_lengths)[0]))
    if w_lengths and y_lengths and not w_lengths <= y_lengths:
        raise ValueError('Sample weight arrays should have the same number of samples as target '
                         'arrays. Found %d sample weights and %d target samples.'
                         % (sorted(w_lengths)[0], list(y_lengths)[0]))


def check_loss_and_target_compatibility(targets, losses, output_shapes, output_names=None):
    """Catch the classic mistakes: integer labels with categorical_crossentropy, and so on.

    Keras 1's signature; ``output_names`` (optional) only makes the errors name the output.
    """
    if output_names is None:
        output_names = ['output_%d' % (i + 1) for i in range(len(targets))]
    for y, loss, shape, name in zip(targets, losses, output_shapes, output_names):
        if loss is None or shape is None:
            continue
        loss_name = getattr(loss, '__name__', '')
        # as in Keras 1, also for a 1-unit output: its softmax is always 1, so the loss is
        # always 0 and the model learns nothing
        if loss_name == 'categorical_crossentropy' and y.shape[-1] == 1:
            raise ValueError('You are passing a target array of shape %s while using as loss '
                             '`categorical_crossentropy` (output "%s" has shape %s). '
                             '`categorical_crossentropy` expects targets to be binary matrices '
                             '(1s and 0s) of shape (samples, classes). If your targets are '
                             'integer classes, you can convert them to the expected format via:\n'
                             '```\nfrom keraslike.utils.np_utils import to_categorical\n'
                             'y_binary = to_categorical(y_int)\n```\nAlternatively, you can use '
                             'the loss function `sparse_categorical_crossentropy` instead, which '
                             'does expect integer targets.' % (tuple(y.shape), name, _fmt(shape)))
        if loss_name == 'sparse_categorical_crossentropy':
            if y.shape[-1] != 1:
                raise ValueError('Output "%s": `sparse_categorical_crossentropy` expects integer '
                                 'targets of shape (samples, 1), got an array of shape %s.'
                                 % (name, tuple(y.shape)))
            check_sparse_targets(y, shape[-1], name)
            continue
        if loss_name in ('mean_squared_error', 'binary_crossentropy', 'categorical_crossentropy'):
            for target_dim, out_dim in zip(y.shape[1:], shape[1:]):
                if out_dim is not None and target_dim != out_dim:
                    raise ValueError('A target array with shape %s was passed for output "%s" of '
                                     'shape %s while using as loss `%s`. This loss expects '
                                     'targets to have the same shape as the output.'
                                     % (tuple(y.shape), name, _fmt(shape), loss_name))


def standardize_weights(y, sample_weight=None, class_weight=None, sample_weight_mode=None,
                        output_name='output', n_classes=None):
    """Per-sample (or per-timestep) weights for target ``y``; ones when none are given.

    Keras 1's signature; ``output_name`` and ``n_classes`` (the output's units) only
    serve the checks of ``class_weight``.
    """
    if sample_weight_mode is not None:
        if sample_weight_mode != 'temporal':
            raise ValueError('"sample_weight_mode" should be None or "temporal". Found: %r'
                             % (sample_weight_mode,))
        if len(y.shape) < 3:
            raise ValueError('Found a sample_weight array for an input with shape %s. Timestep-'
                             'wise sample weighting (use of sample_weight_mode="temporal") is '
                             'restricted to outputs that are at least 3D, i.e. that have a time '
                             'dimension.' % (tuple(y.shape),))
        if sample_weight is not None and len(np.shape(sample_weight)) != 2:
            raise ValueError('Found a sample_weight array with shape %s. In order to use '
                             'timestep-wise sample weighting, you should pass a 2D sample_weight '
                             'array.' % (np.shape(sample_weight),))
    elif sample_weight is not None and len(np.shape(sample_weight)) != 1:
        raise ValueError('Found a sample_weight array with shape %s. In order to use timestep-'
                         'wise sample weights, you should specify sample_weight_mode="temporal" '
                         'in compile(). If you just mean to use sample-wise weights, make sure '
                         'your sample_weight array is 1D.' % (np.shape(sample_weight),))

    if sample_weight is not None:
        check_sample_weight_values(sample_weight)
        sample_weight = np.asarray(sample_weight)
        if sample_weight.shape != tuple(y.shape[:sample_weight.ndim]):
            raise ValueError('Found a sample_weight with shape %s for a target of shape %s: '
                             'expected its shape to be %s.' % (sample_weight.shape,
                                                               tuple(y.shape),
                                                               tuple(y.shape[:sample_weight.ndim])))
        return sample_weight
    if class_weight is not None:
        check_class_weight(class_weight, y, output_name, n_classes)
        if len(y.shape) > 2:
            raise ValueError('class_weight not supported for 3+ dimensional targets.')
        classes = np.argmax(y, axis=1) if y.shape[1] > 1 else np.reshape(y, y.shape[0])
        return np.asarray([class_weight.get(int(c), 1.) for c in classes])
    if sample_weight_mode is None:
        return np.ones((y.shape[0],))
    return np.ones((y.shape[0], y.shape[1]))


# ---------------------------------------------------------------------- call arguments
def _is_int(value):
    # bool is an int subclass, but batch_size=True is a mistake, not a count
    return isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_))


def check_batch_size(batch_size, call):
    """``batch_size`` must be a positive integer (NumPy integer types included)."""
    if not _is_int(batch_size):
        raise TypeError('%s(): `batch_size` should be a positive integer, got %r (%s).'
                        % (call, batch_size, type(batch_size).__name__))
    if batch_size < 1:
        raise ValueError('%s(): `batch_size` should be a positive integer, got %r (%s).'
                         % (call, batch_size, type(batch_size).__name__))


def check_epochs(nb_epoch, initial_epoch=0, call='fit'):
    """``nb_epoch`` a non-negative integer (0 trains nothing, as in Keras 1); same for
    ``initial_epoch``."""
    for name, value in (('nb_epoch', nb_epoch), ('initial_epoch', initial_epoch)):
        if not _is_int(value):
            raise TypeError('%s(): `%s` should be a non-negative integer, got %r (%s).'
                            % (call, name, value, type(value).__name__))
        if value < 0:
            raise ValueError('%s(): `%s` should be a non-negative integer, got %r (%s).'
                             % (call, name, value, type(value).__name__))


def check_validation_split(validation_split, nb_sample):
    """A fraction in [0, 1) that leaves samples on both sides of the split of ``nb_sample``
    (``None``: only the range is checked)."""
    if isinstance(validation_split, (bool, np.bool_)) or not isinstance(
            validation_split, (int, float, np.integer, np.floating)):
        raise TypeError('fit(): `validation_split` should be a float in [0, 1), got %r (%s).'
                        % (validation_split, type(validation_split).__name__))
    if not 0. <= validation_split < 1.:
        raise ValueError('fit(): `validation_split` should be a float in [0, 1), got %r.'
                         % (validation_split,))
    if validation_split and nb_sample is not None:
        split_at = int(nb_sample * (1. - validation_split))
        if split_at == 0 or split_at == nb_sample:
            raise ValueError('fit(): `validation_split=%r` of %d samples leaves %d training and '
                             '%d validation samples; both need at least one.'
                             % (validation_split, nb_sample, split_at, nb_sample - split_at))


def check_validation_data(validation_data):
    """``(val_x, val_y)`` or ``(val_x, val_y, val_sample_weight)``."""
    if not isinstance(validation_data, (tuple, list)):
        raise TypeError('fit(): `validation_data` should be a tuple (val_x, val_y) or '
                        '(val_x, val_y, val_sample_weight), got %s.'
                        % type(validation_data).__name__)
    if len(validation_data) not in (2, 3):
        raise ValueError('fit(): `validation_data` should be a tuple (val_x, val_y, '
                         'val_sample_weight) or (val_x, val_y). Found a tuple of %d elements.'
                         % len(validation_data))


def check_not_empty(arrays, names, what):
    """Fail on 0 samples: the loops would return ``{}``/``[]`` (or a NaN loss) silently."""
    for array, name in zip(arrays, names):
        if array is not None and len(array) == 0:
            raise ValueError('%s: "%s" got 0 samples (array of shape %s); at least one sample '
                             'is needed.' % (what, name, tuple(np.shape(array))))


def check_input_values(input_layers, arrays, names, what, finite=True):
    """What the compiled graph would get wrong silently, checked on the NumPy data.

    ``finite``: NaN or inf in training data turns every weight into NaN after one
    step. Each layer fed straight from an input also checks the data
    (``Layer.check_input_data``: an Embedding's index range).
    """
    for layer, array, name in zip(input_layers, arrays, names):
        if not isinstance(array, np.ndarray):      # HDF5Matrix and the like: not loaded here
            continue
        if finite and np.issubdtype(array.dtype, np.floating) and not np.isfinite(array).all():
            where = tuple(int(i) for i in np.argwhere(~np.isfinite(array))[0])
            raise ValueError('%s: "%s" holds %s at index %s; training on it would make every '
                             'weight NaN.' % (what, name, array[where], where))
        for node in getattr(layer, 'outbound_nodes', ()):
            node.outbound_layer.check_input_data(array, '%s "%s"' % (what, name))


def check_input_lengths(arrays, names, what='model input', kind='input arrays (x)'):
    """Every array must hold the same number of samples (each named in the error)."""
    if len({len(a) for a in arrays if a is not None}) > 1:
        raise ValueError('All %s should have the same number of samples; got %s (%s).'
                         % (kind, ', '.join('%d for "%s"' % (len(a), n) for a, n
                                            in zip(arrays, names) if a is not None), what))


# ---------------------------------------------------------------------- target values
def check_sparse_targets(y, n_classes, name):
    """Integer class indices in [0, n_classes): others index out of the softmax silently."""
    if not isinstance(y, np.ndarray) or y.size == 0:
        return  # HDF5 data and the like are not read in full here
    with np.errstate(invalid='ignore'):
        bad = y < 0
        if n_classes is not None:
            bad |= y >= n_classes
        if np.issubdtype(y.dtype, np.floating):
            bad |= ~np.isfinite(y) | (y != np.floor(y))
    if bad.any():
        value = y[bad][0].item()
        raise ValueError('Output "%s": `sparse_categorical_crossentropy` expects integer class '
                         'indices in [0, %s), got the value %r in the target array.'
                         % (name, n_classes if n_classes is not None else 'n_classes', value))


def check_class_weight(class_weight, y, name, n_classes=None):
    """A dict {class index: weight}; the keys must be classes of output ``name``.

    ``n_classes`` is the output's number of units (one-hot or sparse integer
    targets); it does not depend on which classes one batch holds, so a
    generator's batch without some class still accepts that class's weight.
    With one unit (binary, or -1/1 labels for hinge) the classes are the target
    values themselves, which one batch cannot tell: only integral keys are required.
    """
    if not isinstance(class_weight, dict):
        raise TypeError('`class_weight` for output "%s" should be a dict {class index: weight}, '
                        'got %s: %r.' % (name, type(class_weight).__name__, class_weight))
    if len(y.shape) == 2 and y.shape[1] > 1:
        n_classes = y.shape[1]
    for key, weight in class_weight.items():
        integral = not isinstance(key, (bool, np.bool_)) and isinstance(
            key, (int, float, np.integer, np.floating)) and float(key).is_integer()
        if not integral or (n_classes and n_classes > 1 and not 0 <= key < n_classes):
            raise ValueError('`class_weight` has the key %r, which is not a class of output "%s" '
                             '(classes: %s).' % (key, name, 'range(%d)' % n_classes
                                                 if n_classes and n_classes > 1
                                                 else 'integers'))
        if not isinstance(weight, (int, float, np.integer, np.floating)) \
                or not np.isfinite(weight) or weight < 0:
            raise ValueError('`class_weight[%r]` should be a finite number >= 0, got %r.'
                             % (key, weight))


def check_sample_weight_values(sample_weight):
    """Finite and non-negative: a negative weight rewards the loss it should penalise."""
    sample_weight = np.asarray(sample_weight)
    if not (np.issubdtype(sample_weight.dtype, np.number) or sample_weight.dtype == np.bool_):
        raise TypeError('`sample_weight` should be numeric, got an array of dtype %s.'
                        % sample_weight.dtype)
    bad = ~np.isfinite(sample_weight) | (sample_weight < 0)
    if bad.any():
        raise ValueError('`sample_weight` should hold finite numbers >= 0, got %r at index %s.'
                         % (sample_weight[bad][0].item(), tuple(int(i) for i in
                                                            np.argwhere(bad)[0])))


# ---------------------------------------------------------------------- callbacks
def _format_fields(filepath):
    """The top-level names of ``filepath``'s format fields ('val_acc' for '{val_acc:.2f}')."""
    import string
    try:
        fields = [f for _, f, _, _ in string.Formatter().parse(filepath) if f is not None]
    except ValueError as e:
        raise ValueError('ModelCheckpoint: `filepath` %r is not a valid format string (%s).'
                         % (filepath, e))
    return [f.split('.')[0].split('[')[0] for f in fields]


def check_checkpoint_filepaths(callbacks, metrics):
    """Every ``{key}`` in a ModelCheckpoint's ``filepath`` must be one the epochs will log.

    ``metrics`` is what the training logs (``callback_list.params['metrics']``);
    ``epoch`` is always given. Without this, a missing key (``{val_acc}`` with no
    validation data) is a KeyError after the first epoch has trained. A
    callback of the user's own placed before the checkpoint may add keys to the
    epoch logs, so then a missing key is only a warning.
    """
    import warnings
    from keraslike.callbacks.training import ModelCheckpoint, ReduceLROnPlateau
    available = ['epoch'] + list(metrics)
    for i, callback in enumerate(callbacks or []):
        if not isinstance(callback, ModelCheckpoint) or not isinstance(callback.filepath, str):
            continue
        before = callbacks[:i]
        keys = available + (['lr'] if any(isinstance(c, ReduceLROnPlateau) for c in before)
                            else [])
        for field in _format_fields(callback.filepath):
            if field in keys:
                continue
            if not field or field.isdigit():
                raise ValueError('ModelCheckpoint: `filepath` %r has a positional field {%s}; '
                                 'use named fields such as {epoch:02d} or {val_loss:.2f}.'
                                 % (callback.filepath, field))
            message = ('ModelCheckpoint: `filepath` %r uses the key "%s", which the training '
                       'will not log. Available keys: %s.%s'
                       % (callback.filepath, field, keys, ' (Keys starting with "val_" need '
                          'validation data.)' if field.startswith('val_') else ''))
            if any(not type(c).__module__.startswith('keraslike.') for c in before):
                warnings.warn(message + ' A callback before it may add the key.')
            else:
                raise ValueError(message)
