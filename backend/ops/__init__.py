"""The custom PyTensor Ops of the backend, each module next to its kernels.

File names say what runs the code: ``conv.py``, ``pool.py``, ``rnn.py`` and
``parallel_dot.py`` hold the Op classes; ``*_numpy.py`` NumPy kernels (their
``perform``, and the NUMBA mode's object-mode calls), ``*_numba.py`` Numba
kernels, ``*_jax.py`` the ``jax.lax`` versions the JAX mode runs. Each Op is
registered once, through ``runtime.op_registry.register_op``.
"""
