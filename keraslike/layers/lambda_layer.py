"""Lambda: wrap an arbitrary expression of the backend as a layer.

Unlike Keras 1 on Theano, the output shape is inferred from PyTensor's static
shape information when ``output_shape`` is not given.

Serialising a Lambda stores its function as marshalled bytecode (Keras 1's
format). Rebuilding it from a config executes that code, so ``from_config``
refuses unless safe mode is off: the argument ``safe_mode=False``, or the
global switch (``KERASLIKE_SAFE_MODE=0``, ``"safe_mode": false`` in
``keraslike.json``, ``K.set_safe_mode(False)``) when the argument is None.
Bytecode written by Keras 1 on Python 3.6/3.7 is translated for this Python
(``utils/legacy_bytecode.py``).

>>> from keraslike.layers.core import Lambda
>>> from keraslike import backend as K
>>> square = Lambda(lambda x: K.square(x))
"""
import inspect
import types

from keraslike import backend as K
from keraslike.engine.topology import Layer
from keraslike.utils.generic_utils import func_dump, get_custom_objects


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
        from keraslike import backend, activations
        for module in (activations, backend):
            if hasattr(module, value):
                return getattr(module, value)
        raise ValueError('Unknown function "%s" (the %s): pass it in `custom_objects`.'
                         % (value, what))
    if value_type == 'lambda':
        if resolve_safe_mode(safe_mode):
            raise UnsafeConfigError(
                'This config contains a Python lambda (%s) stored as marshalled bytecode; '
                'rebuilding it would execute code from the file. %s' % (what, opt_in_help()))
        from keraslike.utils.legacy_bytecode import load_function
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


class Lambda(Layer):
    """``Lambda(function, output_shape=None, arguments=None)``: ``function(x, **arguments)``.

    ``output_shape`` is a tuple (without the batch axis) or a function of the
    input shape; if ``function`` takes a ``mask`` argument it receives the mask.
    """

    def __init__(self, function, output_shape=None, arguments=None, **kwargs):
        self.function = function
        self.arguments = arguments if arguments else {}
        self.supports_masking = False
        self._output_shape = output_shape
        super(Lambda, self).__init__(**kwargs)

    def _accepts_mask(self):
        try:
            return 'mask' in inspect.signature(self.function).parameters
        except (TypeError, ValueError):
            return False

    def call(self, x, mask=None):
        arguments = dict(self.arguments)
        if self._accepts_mask():
            arguments['mask'] = mask
        return self.function(x, **arguments)

    def get_output_shape_for(self, input_shape):
        if self._output_shape is None:
            return self._infer_output_shape(input_shape)
        if isinstance(self._output_shape, (tuple, list)):
            batch = input_shape[0][0] if isinstance(input_shape, list) else input_shape[0]
            return (batch,) + tuple(self._output_shape)
        shape = self._output_shape(input_shape)
        if not isinstance(shape, (list, tuple)):
            raise ValueError('Lambda layer "%s": the output_shape function must return a tuple, '
                             'got %r.' % (self.name, shape))
        return tuple(shape)

    def _infer_output_shape(self, input_shape):
        return infer_output_shape(self.call, input_shape)

    def get_config(self):
        function, function_type = serialize_function(self.function)
        output_shape, output_shape_type = serialize_function(self._output_shape)
        config = {'function': function, 'function_type': function_type,
                  'output_shape': output_shape, 'output_shape_type': output_shape_type,
                  'arguments': self.arguments}
        base = super(Lambda, self).get_config()
        return dict(list(base.items()) + list(config.items()))

    @classmethod
    def from_config(cls, config, custom_objects=None, safe_mode=None):
        config = dict(config)
        config['function'] = deserialize_function(
            config.pop('function'), config.pop('function_type', 'function'), custom_objects,
            safe_mode, 'function of Lambda layer "%s"' % config.get('name'),
            accepted=FUNCTION_TYPES)
        config['output_shape'] = deserialize_function(
            config.pop('output_shape', None), config.pop('output_shape_type', 'raw'),
            custom_objects, safe_mode, 'output_shape of Lambda layer "%s"' % config.get('name'),
            type_key='output_shape_type')
        return cls(**config)
