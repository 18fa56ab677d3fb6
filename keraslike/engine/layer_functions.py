"""Python functions held by layers (Lambda's ``function``, Merge's ``mode``, their
``output_shape``): how a config stores them, how they are rebuilt, and the output shape
inferred from PyTensor when none is given.

Keras 1.2.2 writes a function as its name (``'function'``), as marshalled bytecode
(``'lambda'``) or a plain value (``'raw'``) in a ``<field>_type`` entry beside it.
Rebuilding a lambda executes code from the config, so it is refused while safe mode is on
(:class:`UnsafeConfigError`); :func:`opt_in_help` lists the switches. Both the engine
(Merge, model loading) and ``keras.layers.Lambda`` use this module.

>>> value, kind = serialize_function(len)
>>> (value, kind)
('len', 'function')
"""
import types

from keraslike import activations
from keraslike import backend as K
from keraslike.utils.generic_utils import func_dump, get_custom_objects
from keraslike.utils.legacy_bytecode import load_function


class UnsafeConfigError(ValueError):
    """A config holds serialised code, and the caller did not opt in to running it."""


def resolve_safe_mode(safe_mode):
    """An explicit ``safe_mode`` argument wins; None means the global ``K.safe_mode()``."""
    return K.safe_mode() if safe_mode is None else bool(safe_mode)


def opt_in_help():
    """How to allow marshalled code: every switch, so a script can run unchanged."""
    return ('If you trust its source, turn safe mode off with any one of: the argument '
            'safe_mode=False (load_model, model_from_json/yaml/config); the environment '
            'variable KERASLIKE_SAFE_MODE=0; "safe_mode": false in keraslike.json (%s); or '
            'keraslike.backend.set_safe_mode(False) (also keraslike.engine.saving.'
            'set_safe_mode).' % K.config_dir())


def serialize_function(fn):
    if isinstance(fn, types.LambdaType) and fn.__name__ == '<lambda>':
        return func_dump(fn), 'lambda'
    if callable(fn):
        return fn.__name__, 'function'
    return fn, 'raw'


# The ``<field>_type`` values Keras 1.2.2 writes beside a stored function or value.
FUNCTION_TYPES = ('function', 'lambda')
VALUE_TYPES = FUNCTION_TYPES + ('raw',)


def deserialize_function(value, value_type, custom_objects=None, safe_mode=None, what='function',
                         accepted=VALUE_TYPES, type_key='function_type'):
    """Rebuild a function stored by :func:`serialize_function`.

    Lambdas (marshalled code) only when safe mode is off (``safe_mode=False``, or None
    with the global switch off). ``value_type`` (the config's ``type_key``) must be one of
    ``accepted``: a field that must hold a function accepts no 'raw' value.
    """
    if value_type not in accepted:
        raise ValueError('The %s is stored with %s=%r, which is not a type Keras writes; '
                         'expected one of %s.' % (what, type_key, value_type,
                                                 ', '.join(repr(t) for t in accepted)))
    if value_type == 'function':
        if not isinstance(value, str):
            raise ValueError('The %s has %s=\'function\', so it must be a function name (a '
                             'string), got %r.' % (what, type_key, value))
        lookup = dict(get_custom_objects())
        lookup.update(custom_objects or {})
        if value in lookup:
            return lookup[value]
        for module in (activations, K):
            if hasattr(module, value):
                return getattr(module, value)
        raise ValueError('Unknown function "%s" (the %s): pass it in `custom_objects`.'
                         % (value, what))
    if value_type == 'lambda':
        if resolve_safe_mode(safe_mode):
            raise UnsafeConfigError(
                'This config contains a Python lambda (%s) stored as marshalled bytecode; '
                'rebuilding it would execute code from the file. %s' % (what, opt_in_help()))
        # Keras 1 ran these in keras.layers.core's namespace, where `K` is the backend
        return load_function(value, dict(vars(K), K=K))
    if isinstance(value, list):
        return tuple(value)
    return value


def infer_output_shape(call, input_shape):
    """Run ``call`` on placeholders of ``input_shape`` and read PyTensor's static output shape."""
    shapes = input_shape if isinstance(input_shape, list) else [input_shape]
    xs = [K.placeholder(shape=s) for s in shapes]
    out = call(xs if isinstance(input_shape, list) else xs[0])
    batch = shapes[0][0]
    if isinstance(out, (list, tuple)):
        return [(batch,) + tuple(K.int_shape(o)[1:]) for o in out]
    return (batch,) + tuple(K.int_shape(out)[1:])
