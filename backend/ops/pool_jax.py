"""The JAX mode's pooling: ``jax.lax.reduce_window`` for the Ops of ``pool.py``.

This is the GPU path. A max-pool gradient goes to one maximum per window
(JAX's rule) instead of all ties. Each function takes the Op and its node
and returns what JAX traces (``runtime.op_registry.register_op``'s ``jax_impl``).
"""
import numpy as np

from ..runtime.jax_mode import import_jax
from . import pool_numpy


def _jax_pool(op):
    jax = import_jax()
    jnp, lax = jax.numpy, jax.lax

    def pool(x):
        nd, lead = op.nd, x.ndim - op.nd
        in_len = x.shape[-nd:]
        out_len, hi = pool_numpy._geometry(in_len, op.ws, op.strides, op.pad, op.same)
        if pool_numpy._no_window(x, out_len):
            # reduce_window refuses a window larger than its (padded) input; shapes are
            # static under jit, so this branch is taken while tracing (gradient: zeros)
            return jnp.zeros(x.shape[:lead] + out_len, dtype=x.dtype)
        window = (1,) * lead + op.ws
        strides = (1,) * lead + op.strides
        padding = [(0, 0)] * lead + list(zip(op.pad, hi))
        if op.mode == 'max':
            # NumPy scalars let JAX pick its differentiable max/sum window primitives
            return lax.reduce_window(x, np.array(-np.inf, dtype=x.dtype), lax.max, window,
                                     strides, padding)
        total = lax.reduce_window(x, np.array(0, dtype=x.dtype), lax.add, window, strides,
                                  padding)
        counts = pool_numpy._counts(in_len, op.ws, op.strides, op.pad, out_len,
                                    np.dtype(x.dtype))
        return total / counts
    return pool


def pool(op, node):
    return _jax_pool(op)


def pool_grad(op, node):
    jax = import_jax()
    pool = _jax_pool(op)

    def pool_grad(x, out, gz):
        return jax.vjp(pool, x)[1](gz)[0]
    return pool_grad


def max_pool_grad_grad(op, node):
    jax = import_jax()
    pool = _jax_pool(op)

    def grad_grad(x, out, gg):
        return jax.jvp(pool, (x,), (gg,))[1]
    return grad_grad
