"""Weight initialisations (Keras 1.2.2 ``keras.initializations``).

Every initialisation has the signature ``init(shape, name=None,
dim_ordering='th')`` and returns a backend variable. Random values come from
NumPy's global generator, so ``np.random.seed(n)`` makes them reproducible.

>>> import numpy as np
>>> from keraslike import initializations
>>> np.random.seed(1337)
>>> W = initializations.get('glorot_uniform')((784, 512), name='dense_1_W')
>>> W.name
'dense_1_W'
"""
import numpy as np

from keraslike import backend as K
from keraslike.utils.generic_utils import get_from_module


def get_fans(shape, dim_ordering='th'):
    """(fan_in, fan_out) of a weight shape.

    2D: ``(shape[0], shape[1])``; 4D/5D convolution kernels use the receptive
    field for ``'th'`` (``(out, in, *rf)``) or ``'tf'`` (``(*rf, in, out)``);
    any other rank gives ``sqrt(prod(shape))`` for both.

    >>> get_fans((32, 3, 5, 5), 'th')
    (75, 800)
    """
    shape = tuple(shape)
    if len(shape) == 2:
        fan_in = shape[0]
        fan_out = shape[1]
    elif len(shape) == 4 or len(shape) == 5:
        if dim_ordering == 'th':
            receptive_field_size = int(np.prod(shape[2:]))
            fan_in = shape[1] * receptive_field_size
            fan_out = shape[0] * receptive_field_size
        elif dim_ordering == 'tf':
            receptive_field_size = int(np.prod(shape[:2]))
            fan_in = shape[-2] * receptive_field_size
            fan_out = shape[-1] * receptive_field_size
        else:
            raise ValueError('Invalid dim_ordering: ' + str(dim_ordering))
    else:
        fan_in = np.sqrt(np.prod(shape))
        fan_out = np.sqrt(np.prod(shape))
    return fan_in, fan_out


def uniform(shape, scale=0.05, name=None, dim_ordering='th'):
    """Uniform on ``[-scale, scale]``.

    >>> w = uniform((3, 4), scale=0.1)
    """
    return K.random_uniform_variable(shape, -scale, scale, name=name)


def normal(shape, scale=0.05, name=None, dim_ordering='th'):
    """Gaussian with mean 0 and standard deviation ``scale`` (not truncated)."""
    return K.random_normal_variable(shape, 0.0, scale, name=name)


def lecun_uniform(shape, name=None, dim_ordering='th'):
    """Uniform on ``[-sqrt(3/fan_in), sqrt(3/fan_in)]`` (LeCun 98)."""
    fan_in, fan_out = get_fans(shape, dim_ordering=dim_ordering)
    scale = np.sqrt(3. / fan_in)
    return uniform(shape, scale, name=name)


def glorot_normal(shape, name=None, dim_ordering='th'):
    """Gaussian with std ``sqrt(2/(fan_in+fan_out))`` (Glorot & Bengio 2010)."""
    fan_in, fan_out = get_fans(shape, dim_ordering=dim_ordering)
    s = np.sqrt(2. / (fan_in + fan_out))
    return normal(shape, s, name=name)


def glorot_uniform(shape, name=None, dim_ordering='th'):
    """Uniform on ``[-sqrt(6/(fan_in+fan_out)), +...]`` (Glorot & Bengio 2010)."""
    fan_in, fan_out = get_fans(shape, dim_ordering=dim_ordering)
    s = np.sqrt(6. / (fan_in + fan_out))
    return uniform(shape, s, name=name)


def he_normal(shape, name=None, dim_ordering='th'):
    """Gaussian with std ``sqrt(2/fan_in)`` (He et al. 2015)."""
    fan_in, fan_out = get_fans(shape, dim_ordering=dim_ordering)
    s = np.sqrt(2. / fan_in)
    return normal(shape, s, name=name)


def he_uniform(shape, name=None, dim_ordering='th'):
    """Uniform on ``[-sqrt(6/fan_in), sqrt(6/fan_in)]``."""
    fan_in, fan_out = get_fans(shape, dim_ordering=dim_ordering)
    s = np.sqrt(6. / fan_in)
    return uniform(shape, s, name=name)


def _orthogonal_array(shape, rng=np.random):
    flat_shape = (shape[0], int(np.prod(shape[1:])))
    a = rng.normal(0.0, 1.0, flat_shape)
    u, _, v = np.linalg.svd(a, full_matrices=False)
    q = u if u.shape == flat_shape else v  # the factor with the right shape
    return q.reshape(shape)


def orthogonal(shape, scale=1.1, name=None, dim_ordering='th'):
    """``scale`` times an orthogonal matrix (Saxe et al.); default scale 1.1.

    The matrix is the SVD factor of a Gaussian ``(shape[0], prod(shape[1:]))``
    matrix, reshaped to ``shape``.

    >>> q = orthogonal((4, 4))  # K.get_value(q) @ K.get_value(q).T == 1.21 * I
    """
    shape = tuple(shape)
    return K.variable(scale * _orthogonal_array(shape), name=name)


def identity(shape, scale=1, name=None, dim_ordering='th'):
    """``scale`` times the identity; only for square 2D shapes (ValueError otherwise)."""
    if len(shape) != 2 or shape[0] != shape[1]:
        raise ValueError('Identity matrix initialization can only be used '
                         'for 2D square matrices, got shape %s.' % (tuple(shape),))
    return K.variable(scale * np.identity(shape[0]), name=name)


def zero(shape, name=None, dim_ordering='th'):
    """All zeros."""
    return K.zeros(shape, name=name)


def one(shape, name=None, dim_ordering='th'):
    """All ones."""
    return K.ones(shape, name=name)


_INITIALIZATIONS = {f.__name__: f for f in (uniform, normal, lecun_uniform, glorot_normal,
                                              glorot_uniform, he_normal, he_uniform,
                                              orthogonal, identity, zero, one)}


def get(identifier, **kwargs):
    """Resolve an initialisation by name (or return a callable unchanged).

    ``kwargs`` are accepted for compatibility and ignored.

    >>> get('he_normal') is he_normal
    True
    """
    return get_from_module(identifier, _INITIALIZATIONS, 'initialization')
