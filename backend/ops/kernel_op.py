"""The base of the Ops computed by one NumPy function, ``self.kernel()``."""
import numpy as np
from pytensor.graph.op import Op


class KernelOp(Op):
    """An Op computed by ``self.kernel()``, a NumPy function of its input arrays (one output).

    ``perform`` runs it in the C and Python modes;
    ``runtime.op_registry.register_op`` gives the Numba and JAX implementations.
    """

    def perform(self, node, inputs, outputs):
        out = self.kernel()(*inputs)
        outputs[0][0] = np.asarray(out, dtype=node.outputs[0].dtype)

    def L_op(self, inputs, outputs, output_grads):
        # PyTensor < 3.3 calls L_op; newer versions call pullback
        return self.pullback(inputs, outputs, output_grads)
