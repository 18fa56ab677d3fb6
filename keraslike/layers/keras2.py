"""Accept Keras 2 argument spellings by renaming them to the Keras 1 ones.

Each layer declares its renames once; ``keras1_kwargs`` applies them, with the
value conversions Keras 2 made (``padding`` -> ``border_mode``,
``data_format`` -> ``dim_ordering``, ``implementation`` -> ``consume_less``).

>>> keras1_kwargs({'units': 3, 'use_bias': False}, DENSE)
{'output_dim': 3, 'bias': False}
"""
from keraslike.utils.generic_utils import rename_keras2_kwargs

_VALUE_CONVERSIONS = {
    'dim_ordering': {'channels_first': 'th', 'channels_last': 'tf', None: 'default'},
    'consume_less': {0: 'cpu', 1: 'mem', 2: 'gpu'},
}

# Keras 2 name -> Keras 1 name, shared by the layers that use them
WEIGHTED = {
    'kernel_initializer': 'init', 'kernel_regularizer': 'W_regularizer',
    'bias_regularizer': 'b_regularizer', 'kernel_constraint': 'W_constraint',
    'bias_constraint': 'b_constraint', 'use_bias': 'bias',
}
DENSE = dict(WEIGHTED, units='output_dim')
DROPOUT = {'rate': 'p'}
IMAGE = {'data_format': 'dim_ordering', 'padding': 'border_mode', 'strides': 'subsample'}

# Keras 2 arguments that change nothing here and are dropped quietly
_IGNORED = {'bias_initializer': 'zeros'}


def keras1_kwargs(kwargs, renames):
    """A copy of ``kwargs`` with Keras 2 names replaced by their Keras 1 names."""
    kept = {key: value for key, value in kwargs.items()
            if not (key in _IGNORED and _is_default(value, _IGNORED[key]))}
    return rename_keras2_kwargs(kept, renames, values=_VALUE_CONVERSIONS)


def _is_default(value, default):
    return value is None or value == default or value in ('zero', 'zeros', 'Zeros')
