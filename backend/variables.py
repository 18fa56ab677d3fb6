"""Variables (PyTensor shared variables), placeholders, shapes and value access.

>>> from keraslike import backend as K
>>> import numpy as np
>>> w = K.variable(np.ones((2, 3)), name='w')
>>> K.int_shape(w), K.dtype(w)
((2, 3), 'float32')
"""
import numpy as np
import pytensor
import pytensor.tensor as pt
from pytensor.compile.sharedvalue import SharedVariable

from .config import floatx


def _dtype(dtype):
    return floatx() if dtype is None else str(np.dtype(dtype))


def variable(value, dtype=None, name=None):
    """A shared variable initialised to ``value`` (a NumPy array or number)."""
    value = np.asarray(value, dtype=_dtype(dtype))
    v = pytensor.shared(value, name=name, strict=False)
    v._keras_shape = value.shape
    v._uses_learning_phase = False
    return v


def is_variable(x):
    return isinstance(x, SharedVariable)


def constant(value, dtype=None, shape=None, name=None):
    value = np.asarray(value, dtype=_dtype(dtype))
    if shape is not None:
        value = np.broadcast_to(value, shape).copy()
    return pt.constant(value, name=name)


def placeholder(shape=None, ndim=None, dtype=None, sparse=False, name=None):
    """A symbolic input. ``shape`` entries may be None (unknown); batch first."""
    if sparse:
        raise NotImplementedError('Sparse placeholders are not supported by the PyTensor backend.')
    if shape is None and ndim is None:
        raise ValueError('Specify either a shape or ndim value.')
    if shape is not None:
        shape = tuple(None if s is None else int(s) for s in shape)
    else:
        shape = (None,) * ndim
    # Only the batch axis stays dynamic in the PyTensor type: known sizes help
    # the rewriter, but a fixed batch would reject the last, smaller batch.
    static = tuple(None if i == 0 else s for i, s in enumerate(shape))
    x = pt.tensor(name=name, dtype=_dtype(dtype), shape=static)
    x._keras_shape = shape
    x._uses_learning_phase = False
    return x


def shape(x):
    """The symbolic shape of ``x``."""
    return x.shape


def int_shape(x):
    """The shape as a tuple of ints or None, from Keras metadata or the static type."""
    if hasattr(x, '_keras_shape'):
        return tuple(x._keras_shape)
    if isinstance(x, SharedVariable):
        return tuple(x.get_value(borrow=True, return_internal_type=True).shape)
    if hasattr(x, 'type') and hasattr(x.type, 'shape'):
        return tuple(x.type.shape)
    return tuple(np.shape(x))


def ndim(x):
    return x.ndim


def dtype(x):
    return str(x.dtype)


def eval(x):
    """Evaluate a tensor that has no inputs and return its NumPy value."""
    from .runtime.function import function
    return function([], [x])([])[0]


def zeros(shape, dtype=None, name=None):
    return variable(np.zeros(shape), dtype, name)


def ones(shape, dtype=None, name=None):
    return variable(np.ones(shape), dtype, name)


def eye(size, dtype=None, name=None):
    return variable(np.eye(size), dtype, name)


def ones_like(x, dtype=None, name=None):
    return pt.ones_like(x, dtype=dtype)


def zeros_like(x, dtype=None, name=None):
    return pt.zeros_like(x, dtype=dtype)


def random_uniform_variable(shape, low, high, dtype=None, name=None):
    return variable(np.random.uniform(low=low, high=high, size=shape), dtype=dtype, name=name)


def random_normal_variable(shape, mean, scale, dtype=None, name=None):
    return variable(np.random.normal(loc=mean, scale=scale, size=shape), dtype=dtype, name=name)


def count_params(x):
    """Number of scalars in variable ``x``."""
    return int(np.prod(get_value(x).shape))


def cast(x, dtype):
    return pt.cast(x, dtype)


def get_value(x):
    """A writable NumPy copy of the variable's value (safe to keep while training goes on).

    In JAX mode the variable may hold a jax Array; this still returns NumPy.
    """
    return np.array(x.get_value(borrow=True, return_internal_type=True))


def batch_get_value(xs):
    return [get_value(x) for x in xs]


def set_value(x, value):
    """Assign a NumPy value, cast to the variable's dtype."""
    x.set_value(np.asarray(value, dtype=x.dtype))


def batch_set_value(tuples):
    for x, value in tuples:
        set_value(x, value)


def get_variable_shape(x):
    return get_value(x).shape


def identity(x):
    """A new tensor with the value of ``x`` (a distinct graph node)."""
    return pt.tensor_copy(x)


def print_tensor(x, message=''):
    """Return ``x``, printing its value (prefixed with ``message``) when evaluated."""
    from pytensor.printing import Print
    return Print(message)(x)


# Updates are (variable, new_value) pairs handed to K.function.
def update(x, new_x):
    return (x, new_x)


def update_add(x, increment):
    return (x, x + increment)


def update_sub(x, decrement):
    return (x, x - decrement)


def moving_average_update(variable, value, momentum):
    return (variable, variable * momentum + value * (1. - momentum))
