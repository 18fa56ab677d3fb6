"""The runtime under the backend: what compiles and runs a graph.

- ``function``: ``K.function``'s :class:`Function` (compile once, convert inputs, call);
- ``modes``: the execution-mode policy, :func:`choose_mode`;
- ``jax_mode``, ``jax_shapes``: the JAX execution mode;
- ``blas``: finding a BLAS for the C mode;
- ``compile_cache``: the disk cache of rewritten graphs;
- ``op_registry``: :func:`register_op`, which gives the custom Ops of ``backend/ops``
  their Numba and JAX implementations and cache keys (``source_keys``);
- ``threads``, ``memory``: worker threads for the kernels, glibc's malloc thresholds;
- ``graph_rebuild``: rebuilding a graph in one pass.
"""
