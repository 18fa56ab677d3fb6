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

from keraslike.engine.layer_functions import (FUNCTION_TYPES, deserialize_function,
                                              infer_output_shape, serialize_function)
from keraslike.engine.topology import Layer


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
