"""The execution-mode policy: which mode compiles a graph, and why.

:func:`choose_mode` is the one place that decides. A mode requested for one
function (``K.function(..., mode=...)``, ``model.compile(mode=...)``) or
chosen by configuration (``keraslike.json``, ``KERASLIKE_MODE``,
``K.set_mode``) is used as it is. When nothing was chosen the default is JAX
(if jax is importable), and a graph falls back to NUMBA when JAX is the wrong
tool for it:

- it holds float64 (JAX computes in 32 bits unless told otherwise; a chosen
  JAX mode runs such a graph with JAX's 64-bit types instead);
- JAX computes on the CPU and the graph holds Ops whose own CPU kernels train
  faster (convolution and pooling gradients, fused recurrent loops:
  ``op_registry.CPU_KERNEL_OPS``), unless ``cpu_kernels`` is switched off or
  those kernels work on images of unknown size (see :func:`unknown_spatial_sizes`);
- JAX fails to compile or to trace it (``failure``).

>>> from keraslike.backend.runtime.modes import choose_mode
>>> choose_mode(None, 'C')
('CVM', None)
"""
import importlib.util

from .. import config
from . import blas, jax_mode, op_registry
from .graph_rebuild import ancestors

CPU_KERNELS_REASON = 'its CPU kernels train faster than XLA on a CPU'


def default_mode():
    """The mode used when none is configured: 'JAX' if jax is importable, else 'NUMBA'.

    Chosen by measurement (``python -m keraslike.bench``): JAX compiled the
    MLP in about a second cold and had the best steady state; Numba's first
    compile of the same model takes 20 s or more.
    """
    return 'JAX' if importlib.util.find_spec('jax') is not None else 'NUMBA'


def mode():
    """The execution mode for functions compiled from now on: 'JAX', 'NUMBA', 'CVM', ...

    'CVM' is what ``set_mode('C')`` selects (PyTensor's C backend).
    """
    return choose_mode(None, None)[0]


def choose_mode(graph, requested=None, failure=None):
    """``(mode, reason)``: the mode to compile ``graph`` in, and why it is not the default.

    ``graph``: ``(inputs, outputs)``, the variables a function reads and those
    it computes (outputs and update values), or None for the mode alone,
    without the per-graph fallbacks and without importing anything. ``requested``: the mode asked
    for this function, or None. ``failure``: the exception JAX raised compiling
    or tracing the graph in the default mode. ``reason`` is None unless the
    graph falls back for its kernels or a failure (a float64 graph falls back
    silently).

    With a graph (or a failure) the mode is readied first: jax is set up (an
    ImportError says how to install it), or the C mode's BLAS is checked.
    """
    chosen = config.normalize_mode(requested) if requested is not None else None
    name = chosen or config.chosen_mode() or default_mode()
    if graph is None and failure is None:
        return name, None
    if name == 'JAX':
        jax_mode.setup()
    elif name == 'CVM':
        blas.check_c_mode_blas()
    if name != 'JAX' or requested is not None or config.chosen_mode() is not None:
        return name, None   # chosen, not defaulted: no fallback
    if failure is not None:
        return 'NUMBA', '%s: %s' % (type(failure).__name__, str(failure).split('\n')[0])
    inputs, outputs = graph
    if has_float64(list(inputs) + list(outputs)):
        return 'NUMBA', None
    nodes = [v.owner for v in ancestors(outputs) if v.owner is not None]
    if _trains_faster_in_numba({type(node.op) for node in nodes}) \
            and not unknown_spatial_sizes(nodes):
        return 'NUMBA', CPU_KERNELS_REASON
    return 'JAX', None


def holds(op_types, kinds):
    """True when one of ``op_types`` (the Op classes of a graph) is one of ``kinds``."""
    kinds = tuple(kinds)
    return bool(kinds) and any(issubclass(t, kinds) for t in op_types)


def _trains_faster_in_numba(op_types):
    """A graph with convolution/pooling gradients or fused recurrent loops, JAX on a CPU."""
    return (config.cpu_kernels() and holds(op_types, op_registry.CPU_KERNEL_OPS)
            and jax_mode.on_cpu())


def has_float64(variables):
    """Whether any variable in the graphs of ``variables`` is float64 (or complex128)."""
    return any(getattr(v, 'dtype', None) in ('float64', 'complex128')
               for v in ancestors(variables))


def unknown_spatial_sizes(nodes):
    """Whether a convolution or pooling kernel among ``nodes`` works on images of unknown size.

    The default mode then stays in JAX on a CPU too, rather than running these
    kernels in NUMBA mode: a model built with ``input_shape=(c, None, None)``
    (fully convolutional nets, spatial pyramid pooling) carries shape
    arithmetic that NUMBA compiles node by node. Measured on the SPP script
    (``benchmarks/spp_unknown_spatial.py``, 2 cores, cold caches): first fit
    154 s in NUMBA mode, 62 s for Keras 1.2.2 on Theano, about 15 s in JAX,
    which then retraces once per new image size (about 5 s each).
    """
    for node in nodes:
        op = node.op
        window = getattr(op, 'kshape', None) or getattr(op, 'ws', None)
        if type(op) not in op_registry.CPU_KERNEL_OPS or not window:
            continue
        nd = len(window)
        # a kernel's sizes are the Op's kshape, whatever its variable's static shape says
        # (a layer's weight is a shared variable, whose static shape is all None)
        kernels = set(getattr(op, 'kernel_inputs', ()))
        images = [v for i, v in enumerate(node.inputs) if i not in kernels]
        for var in images + list(node.outputs):
            shape = getattr(var.type, 'shape', None)
            if shape is not None and len(shape) >= nd + 1 and None in shape[-nd:]:
                return True
    return False
