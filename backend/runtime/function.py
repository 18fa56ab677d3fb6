"""``K.function``: compiled functions called with a list of arrays.

``K.function`` compiles once, in the configured PyTensor mode, and returns a
callable that takes a list of arrays. Passing ``givens={K.learning_phase(): 1}``
compiles the graph for one phase: every ``K.in_train_phase`` switch is replaced
by its branch before compiling, so a test-phase function contains no dropout.

>>> from keraslike import backend as K
>>> import numpy as np
>>> x = K.placeholder(shape=(None, 2))
>>> f = K.function([x], [K.sum(x * 2., axis=1)])
>>> f([np.ones((3, 2))])[0]
array([4., 4., 4.], dtype=float32)
"""
import warnings
import weakref

import numpy as np
import pytensor.tensor as pt
from pytensor.compile.sharedvalue import SharedVariable
from pytensor.graph.basic import Constant
from pytensor.graph.replace import clone_replace

from .. import control_flow
from ..ops import parallel_dot
from ..random_ops import RNG_UPDATES
from . import compile_cache, jax_mode, memory, modes, op_registry, threads
from .graph_rebuild import ancestors, rebuild

# keyword arguments of theano.function that Keras 1 code passes through compile()
_THEANO_KWARGS = ('mode', 'givens', 'name', 'profile', 'allow_input_downcast',
                  'on_unused_input', 'accept_inplace', 'rebuild_strict')


class _InputSpec(object):
    """What a compiled function expects of one input: dtype, ndim and the fixed axis sizes."""
    __slots__ = ('dtype', 'ndim', 'fixed', 'name')

    def __init__(self, var):
        self.dtype = np.dtype(var.dtype)
        self.ndim = var.ndim
        shape = getattr(var.type, 'shape', (None,) * var.ndim)
        self.fixed = tuple((axis, size) for axis, size in enumerate(shape) if size is not None)
        self.name = var.name

    def convert(self, value):
        """``value`` as a C-contiguous array of the input's dtype, checked against its shape.

        The compiled function is then called with ``trust_input=True``: these
        checks replace PyTensor's per-call filtering (a wrong shape must not
        reach a Numba kernel unchecked).
        """
        if type(value) is not np.ndarray or value.dtype != self.dtype:
            value = np.asarray(value, dtype=self.dtype)
        if not value.flags.c_contiguous:
            value = np.ascontiguousarray(value)
        if value.ndim != self.ndim:
            raise TypeError('Input %s: expected an array with %d dimensions, got shape %s.'
                            % (self.name or '', self.ndim, value.shape))
        for axis, size in self.fixed:
            if value.shape[axis] != size:
                raise ValueError('Input %s: expected size %d on axis %d, got shape %s.'
                                 % (self.name or '', size, axis, value.shape))
        return value


class Function(object):
    """A compiled PyTensor function called with a list of input arrays; returns a list.

    It compiles once, in the mode given (``mode=``) or configured
    (:func:`K.mode`), and then only converts the inputs (dtype, contiguity,
    shape check) and calls the compiled code with ``trust_input=True``.

    JAX mode (see ``jax_mode.py``): a graph that cannot trace with a dynamic
    batch size is recompiled per distinct input shapes. When JAX is only the
    default (no mode chosen), ``modes.choose_mode`` may send a graph to NUMBA
    mode instead (``fallback_reason`` says why): float64 graphs, graphs whose
    own CPU kernels train faster, and graphs JAX cannot compile or trace;
    when JAX was chosen, such a graph raises, and float64 turns on JAX's
    64-bit mode.
    """

    def __init__(self, inputs, outputs, updates=(), **kwargs):
        unknown = set(kwargs) - set(_THEANO_KWARGS)
        if unknown:
            raise ValueError('Invalid argument(s) %s passed to K.function; valid ones are %s.'
                             % (sorted(unknown), list(_THEANO_KWARGS)))
        givens = dict(kwargs.pop('givens', None) or {})
        self._requested = kwargs.pop('mode', None)
        kwargs.setdefault('allow_input_downcast', True)
        kwargs.setdefault('on_unused_input', 'ignore')
        self.inputs = list(inputs)
        self.outputs = list(outputs) if isinstance(outputs, (list, tuple)) else [outputs]
        pairs = _dedupe_updates(updates)
        variables = self.outputs + [new for _, new in pairs]
        phase_var = control_flow.learning_phase()
        phase = (givens.pop(phase_var, None)
                 if isinstance(phase_var, pt.TensorVariable) else None)
        if phase is not None:
            variables = control_flow.fix_phase(variables, int(phase))
        self._static = {}        # JAX: input shapes -> function compiled for them
        self._needs_static = False
        self._seen_shapes = set()
        self.mode, self.fallback_reason = modes.choose_mode((self.inputs, variables),
                                                            self._requested)
        self._jax = self.mode == 'JAX'
        # JAX: trace and run this function with 64-bit types (a default-mode float64
        # graph went to NUMBA instead)
        self._x64 = self._jax and modes.has_float64(self.inputs + variables)
        op_types = {type(v.owner.op) for v in ancestors(variables) if v.owner is not None}
        has_kernels = modes.holds(op_types, op_registry.THREADED_OPS)
        if has_kernels and not self._jax:
            variables = parallel_dot.substitute(variables)  # dense layers on every core too
        outputs, new_values = variables[:len(self.outputs)], variables[len(self.outputs):]
        pairs = [(var, new) for (var, _), new in zip(pairs, new_values)]
        pairs += _rng_updates(variables, {var for var, _ in pairs})
        self._specs = [_InputSpec(x) for x in self.inputs]
        self._dtypes = [str(s.dtype) for s in self._specs]
        # the caller's variables stay alive as long as this function: see _detach
        self._originals = (self.inputs, outputs, pairs)
        self._graph_inputs = self.inputs
        if not givens:
            self._graph_inputs, outputs, pairs = _detach(self.inputs, outputs, pairs)
        self._graph = (outputs, pairs, givens or None, kwargs)
        if self._jax:
            jax_mode.track(self)
        try:
            self._fn = self._compile(self._graph_inputs)
        except Exception as e:
            self._fall_back(e)
            self._fn = self._compile(self._graph_inputs)
        self._shared = _shared_containers(self._fn)
        self._jax_calls_seen = -1
        # conv/pool kernels bring one worker thread per core: BLAS' own threads would only
        # spin beside them (measured 15-20% slower on mnist_cnn, 2 cores)
        self._one_blas_thread = not self._jax and has_kernels
        if not self._jax:
            memory.keep_freed_memory()

    @property
    def input_dtypes(self):
        """The NumPy dtype of each input, in order (callers may convert data once)."""
        return list(self._dtypes)

    def _fall_back(self, error):
        """Compile in the mode ``modes.choose_mode`` gives for JAX's ``error``, or re-raise it."""
        mode, reason = modes.choose_mode(None, self._requested, failure=error)
        if mode == self.mode:
            raise error
        self.fallback_reason = reason
        warnings.warn('JAX cannot compile this function (%s); it runs in %s mode instead.'
                      % (reason[:200], mode), RuntimeWarning, stacklevel=4)
        self.mode, self._jax = mode, mode == 'JAX'

    def _compile(self, inputs, replace=None):
        outputs, pairs, givens, kwargs = self._graph
        if replace:
            cloned = clone_replace(outputs + [new for _, new in pairs], replace=replace)
            outputs, news = cloned[:len(outputs)], cloned[len(outputs):]
            pairs = [(var, new) for (var, _), new in zip(pairs, news)]
        if self._jax:
            with jax_mode.quiet():
                fn = compile_cache.function(inputs, outputs, updates=pairs, givens=givens,
                                            mode=jax_mode.pytensor_mode(), **kwargs)
        else:
            fn = compile_cache.function(inputs, outputs, updates=pairs, givens=givens,
                                        mode=self.mode, **kwargs)
        fn.trust_input = True
        return fn

    def __call__(self, inputs):
        specs = self._specs
        if len(inputs) != len(specs):
            raise ValueError('This function expects %d input arrays, got %d.'
                             % (len(specs), len(inputs)))
        values = [spec.convert(v) for spec, v in zip(specs, inputs)]
        if self._jax:
            return self._call_jax(values)
        return self._call(values)

    def _call(self, values):
        if self._jax_calls_seen != jax_mode.calls():
            # a JAX function may have left jax Arrays in shared variables
            jax_mode.to_numpy(self._shared)
            self._jax_calls_seen = jax_mode.calls()
        if self._one_blas_thread:
            with threads.single_threaded_blas():
                return self._fn(*values)
        return self._fn(*values)

    def _call_jax(self, values):
        if self._x64:
            with jax_mode.x64():
                return self._call_jax_32_or_64(values)
        return self._call_jax_32_or_64(values)

    def _call_jax_32_or_64(self, values):
        key = tuple(v.shape for v in values)
        if key in self._seen_shapes:   # traced before: the fast path
            fn = self._static[key] if self._needs_static else self._fn
            outs = fn(*values)
        else:
            with jax_mode.quiet():     # a new shape: jax traces (and may warn) again
                outs = self._first_call_jax(values)
            if not self._jax:          # fell back to NUMBA: outputs are NumPy already
                return outs
            self._seen_shapes.add(key)
        jax_mode.note_call()
        return [np.array(o) for o in outs]

    def _first_call_jax(self, values):
        if not self._needs_static:
            try:
                return self._fn(*values)
            except jax_mode.trace_errors():
                if self._seen_shapes:
                    raise
                # the batch size flows into shapes JAX must know: fix every input shape
                self._needs_static = True
        try:
            return self._static_fn(values)(*values)
        except Exception as e:
            if self._seen_shapes:
                raise
            self._fall_back(e)
            self._fn = self._compile(self._graph_inputs)
            self._shared = _shared_containers(self._fn)
            return self._call(values)

    def _static_fn(self, values):
        """The graph compiled for these input shapes and the shared variables' current ones."""
        key = tuple(v.shape for v in values)
        fn = self._static.get(key)
        if fn is None:
            # sizes of 1 stay unknown: a static 1 makes an axis broadcastable, and an
            # update must keep its variable's broadcastable pattern
            static = lambda shape: tuple(None if d == 1 else d for d in shape)  # noqa: E731
            fixed = [pt.tensor(dtype=x.dtype, shape=static(v.shape), name=x.name)
                     for x, v in zip(self._graph_inputs, values)]
            replace = dict(zip(self._graph_inputs, fixed))
            outputs, pairs = self._graph[:2]
            for var in ancestors(outputs + [new for _, new in pairs]):
                if isinstance(var, SharedVariable) and isinstance(var.type, pt.TensorType):
                    shape = np.shape(var.get_value(borrow=True, return_internal_type=True))
                    replace[var] = pt.specify_shape(var, static(shape))
            fn = self._compile(fixed, replace=replace)
            self._static[key] = fn
        return fn


def _detach(inputs, outputs, pairs):
    """The graph rebuilt on copies of its root variables, for compiling.

    PyTensor's NUMBA linker registers a Numba ``overload`` per compiled Elemwise
    whose closure holds the node, in Numba's global registry, for good. Through
    the node's ancestors that kept the graph's placeholders (whose
    ``_keras_history`` leads to every layer, hence the model) and shared
    variables (with the weight values) alive: memory grew with every model a
    process built. Here the compiled graph starts from copies instead: a fresh
    placeholder per input, and per shared variable a clone sharing its
    container (its value and updates are the variable's own). When the original
    variable dies (this function, which holds it, died too) the container's
    value is dropped, so whatever PyTensor or Numba still holds is only graph.
    """
    def leaf(v):
        if isinstance(v, SharedVariable):
            _drop_value_with(v)
            return v.clone()
        return v if isinstance(v, Constant) else v.type(name=v.name)

    news = [new for _, new in pairs]
    every = list(inputs) + [var for var, _ in pairs] + list(outputs) + news
    rebuilt = rebuild(every, leaf=leaf)
    n_in, n_up, n_out = len(inputs), len(pairs), len(outputs)
    new_inputs = rebuilt[:n_in]
    targets = rebuilt[n_in:n_in + n_up]
    new_outputs = rebuilt[n_in + n_up:n_in + n_up + n_out]
    new_pairs = list(zip(targets, rebuilt[n_in + n_up + n_out:]))
    return new_inputs, new_outputs, new_pairs


_VALUE_DROPPERS = weakref.WeakSet()   # shared variables with a finalizer from _drop_value_with


def _drop_value_with(var):
    """When ``var`` is garbage collected, empty its container (shared with the clones)."""
    if var in _VALUE_DROPPERS:
        return
    _VALUE_DROPPERS.add(var)
    weakref.finalize(var, _empty, var.container)


def _empty(container):
    container.storage[0] = None


def _shared_containers(fn):
    """The containers of the shared variables a compiled function reads."""
    maker = fn.maker
    return [c for c, spec in zip(fn.input_storage, maker.inputs) if getattr(spec, 'shared', False)]


def _rng_updates(variables, updated):
    """Advance every generator that ``variables`` draw from.

    The next state is taken from the draw found in this very graph (after the
    phase was fixed the draw may be a clone of the one first registered).
    """
    pairs = []
    for v in ancestors(variables):
        node = v.owner
        if node is None:
            continue
        for rng in node.inputs:
            if rng in RNG_UPDATES and rng not in updated and node.outputs[0].type == rng.type:
                pairs.append((rng, node.outputs[0]))
                updated.add(rng)
    return pairs


def _dedupe_updates(updates):
    """Keep the first update of each variable (Keras 1 on Theano does the same)."""
    seen, pairs = set(), []
    for upd in updates or ():
        var, new = upd if isinstance(upd, tuple) else tuple(upd)
        if var in seen:
            continue
        seen.add(var)
        if hasattr(new, 'dtype') and new.dtype != var.dtype:
            new = pt.cast(new, var.dtype)
        pairs.append((var, new))
    return pairs


def function(inputs, outputs, updates=(), **kwargs):
    """Compile ``outputs`` (and ``updates``) as a function of the ``inputs`` placeholders."""
    return Function(inputs, outputs, updates=updates, **kwargs)


