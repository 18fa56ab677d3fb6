"""The JAX mode's convolutions: ``jax.lax.conv_general_dilated`` for the Ops of ``conv.py``.

This is the GPU path. Each function takes the Op and its node and returns
what JAX traces (``runtime.op_registry.register_op``'s ``jax_impl``).
"""
from pytensor.graph.basic import Constant

from ..runtime.jax_mode import import_jax

_LAYOUTS = {1: ('NCH', 'OIH', 'NCH'), 2: ('NCHW', 'OIHW', 'NCHW'), 3: ('NCDHW', 'OIDHW', 'NCDHW')}


def _jax_corr(op, hi=None):
    lax = import_jax().lax

    def corr(x, w, b=None):
        y = lax.conv_general_dilated(x, w, window_strides=op.strides,
                                     padding=list(zip(op.lo, op.hi if hi is None else hi)),
                                     rhs_dilation=op.dilation,
                                     dimension_numbers=_LAYOUTS[op.nd],
                                     feature_group_count=op.groups)
        return y if b is None else y + b.reshape((1, -1) + (1,) * op.nd)
    return corr


def corr(op, node):
    return _jax_corr(op)


def grad_inputs(op, node):
    jax = import_jax()
    jnp = jax.numpy
    shape_var = node.inputs[2]
    donor = shape_var.ndim == op.nd + 2
    if not donor and not isinstance(shape_var, Constant):
        raise NotImplementedError('JAX mode needs the output shape of a transposed convolution '
                                  'to be known when the function is compiled.')
    static_len = None if donor else tuple(int(v) for v in shape_var.data)

    def grad_inputs(w, gy, in_shape):
        # a donor's shape is concrete while jax traces, whatever the image size
        in_len = tuple(in_shape.shape[2:]) if donor else static_len
        # the high padding that makes the forward of an in_len input exactly gy's size
        # (a transposed convolution may ask for any in_len that fits)
        hi = [(o - 1) * s + (k - 1) * d + 1 - L - a for o, s, k, d, L, a
              in zip(gy.shape[2:], op.strides, op.kshape, op.dilation, in_len, op.lo)]
        x0 = jnp.zeros((gy.shape[0], w.shape[1] * op.groups) + in_len, dtype=gy.dtype)
        return jax.vjp(lambda x: _jax_corr(op, hi)(x, w), x0)[1](gy)[0]
    return grad_inputs


def grad_weights(op, node):
    jax = import_jax()
    jnp = jax.numpy
    corr = _jax_corr(op)

    def grad_weights(x, gy):
        w0 = jnp.zeros((gy.shape[1], x.shape[1] // op.groups) + op.kshape, dtype=gy.dtype)
        return jax.vjp(lambda w: corr(x, w), w0)[1](gy)[0]
    return grad_weights


def channel_sum(op, node):
    jnp = import_jax().numpy
    axes = (0,) + tuple(range(2, node.inputs[0].ndim))
    return lambda y: jnp.sum(y, axis=axes)
