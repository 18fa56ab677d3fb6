"""InputLayer and Input: the entry points of a model graph.

>>> from keraslike.engine.topology import Input
>>> x = Input(shape=(784,))
>>> x._keras_shape
(None, 784)
"""
from keraslike import backend as K
from keraslike.utils.generic_utils import check_shape_arg
from .base_layer import Layer
from .node import Node


class InputLayer(Layer):
    """A layer holding a placeholder; its single node has no inbound layers."""

    def __init__(self, input_shape=None, batch_input_shape=None, input_dtype=None,
                 input_tensor=None, sparse=False, name=None):
        self.input_spec = None
        self.supports_masking = False
        self.uses_learning_phase = False
        self.trainable = False
        self.built = True
        self.inbound_nodes = []
        self.outbound_nodes = []
        self._trainable_weights = []
        self._non_trainable_weights = []
        self.losses, self.updates, self.constraints = [], [], {}
        self._per_input_losses, self._per_input_updates = {}, {}
        self.sparse = sparse
        if not name:
            prefix = 'input'
            name = prefix + '_' + str(K.get_uid(prefix))
        self.name = name

        if input_shape and batch_input_shape:
            raise ValueError('Only provide the input_shape OR batch_input_shape argument to '
                             'InputLayer, not both at the same time.')
        if input_tensor is not None and batch_input_shape is None:
            batch_input_shape = K.int_shape(input_tensor)
        if not batch_input_shape:
            if not input_shape:
                raise ValueError('An Input layer should be passed either a `batch_input_shape` '
                                 'or an `input_shape`.')
            batch_input_shape = (None,) + check_shape_arg(input_shape, 'input_shape',
                                                          'InputLayer')
        else:
            batch_input_shape = check_shape_arg(batch_input_shape, 'batch_input_shape',
                                                'InputLayer', batch=True)
        self.batch_input_shape = batch_input_shape
        self.input_dtype = input_dtype or K.floatx()

        if input_tensor is None:
            input_tensor = K.placeholder(shape=batch_input_shape, dtype=self.input_dtype,
                                         sparse=sparse, name=self.name)
        else:
            input_tensor._keras_shape = batch_input_shape
        input_tensor._uses_learning_phase = False
        input_tensor._keras_history = (self, 0, 0)
        Node(self, inbound_layers=[], node_indices=[], tensor_indices=[],
             input_tensors=[input_tensor], output_tensors=[input_tensor],
             input_masks=[None], output_masks=[None],
             input_shapes=[batch_input_shape], output_shapes=[batch_input_shape])

    def get_config(self):
        return {'batch_input_shape': self.batch_input_shape, 'input_dtype': self.input_dtype,
                'sparse': self.sparse, 'name': self.name}


def Input(shape=None, batch_shape=None, name=None, dtype=None, sparse=False, tensor=None):
    """A Keras tensor to start a functional model: ``Input(shape=(784,))``.

    ``shape`` excludes the batch axis; ``batch_shape`` includes it.
    """
    if not batch_shape and tensor is None:
        if not shape:
            raise ValueError('Please provide to Input either a `shape` or a `batch_shape` '
                             'argument. Note that `shape` does not include the batch dimension.')
        batch_shape = (None,) + check_shape_arg(shape, 'shape', 'Input')
    elif batch_shape:
        batch_shape = check_shape_arg(batch_shape, 'batch_shape', 'Input', batch=True)
    layer = InputLayer(batch_input_shape=batch_shape, name=name, input_dtype=dtype or K.floatx(),
                       sparse=sparse, input_tensor=tensor)
    outputs = layer.inbound_nodes[0].output_tensors
    return outputs[0] if len(outputs) == 1 else outputs
