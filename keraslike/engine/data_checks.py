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


def check_array_lengths(inputs, targets, weights=None):
    """Every input, target and weight array must hold the same number of samples."""
    def counts(arrays):
        return {len(a) for a in arrays if a is not None}
    x_lengths, y_lengths = counts(inputs), counts(targets)
    w_lengths = counts(weights or [])
    if len(x_lengths) > 1:
        raise ValueError('All input arrays (x) should have the same number of samples; got %s.'
                         % [len(a) for a in inputs])
    if len(y_lengths) > 1:
        raise ValueError('All target arrays (y) should have the same number of samples; got %s.'
                         % [len(a) for a in targets])
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
        if loss_name == 'categorical_crossentropy' and y.shape[-1] == 1 and shape[-1] != 1:
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
            continue
        if loss_name in ('mean_squared_error', 'binary_crossentropy', 'categorical_crossentropy'):
            for target_dim, out_dim in zip(y.shape[1:], shape[1:]):
                if out_dim is not None and target_dim != out_dim:
                    raise ValueError('A target array with shape %s was passed for output "%s" of '
                                     'shape %s while using as loss `%s`. This loss expects '
                                     'targets to have the same shape as the output.'
                                     % (tuple(y.shape), name, _fmt(shape), loss_name))


def standardize_weights(y, sample_weight=None, class_weight=None, sample_weight_mode=None):
    """Per-sample (or per-timestep) weights for target ``y``; ones when none are given."""
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
        sample_weight = np.asarray(sample_weight)
        if sample_weight.shape != tuple(y.shape[:sample_weight.ndim]):
            raise ValueError('Found a sample_weight with shape %s for a target of shape %s: '
                             'expected its shape to be %s.' % (sample_weight.shape,
                                                               tuple(y.shape),
                                                               tuple(y.shape[:sample_weight.ndim])))
        return sample_weight
    if isinstance(class_weight, dict):
        if len(y.shape) > 2:
            raise ValueError('class_weight not supported for 3+ dimensional targets.')
        classes = np.argmax(y, axis=1) if y.shape[1] > 1 else np.reshape(y, y.shape[0])
        return np.asarray([class_weight.get(int(c), 1.) for c in classes])
    if sample_weight_mode is None:
        return np.ones((y.shape[0],))
    return np.ones((y.shape[0], y.shape[1]))
