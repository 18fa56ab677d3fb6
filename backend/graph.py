"""Compiled functions, gradients, the learning phase and control flow.

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
import numpy as np
import pytensor
import pytensor.tensor as pt
from pytensor.graph.replace import clone_replace

try:
    from pytensor.graph.traversal import ancestors
except ImportError:  # PyTensor < 3.1
    from pytensor.graph.basic import ancestors

from . import config
from .random_ops import RNG_UPDATES

_LEARNING_PHASE = pt.scalar(dtype='uint8', name='keras_learning_phase')
_PHASE_SWITCHES = {}  # switch output -> (train branch, test branch)

# keyword arguments of theano.function that Keras 1 code passes through compile()
_THEANO_KWARGS = ('mode', 'givens', 'name', 'profile', 'allow_input_downcast',
                  'on_unused_input', 'accept_inplace', 'rebuild_strict')


def learning_phase():
    """The learning-phase placeholder (uint8 scalar: 1 = train, 0 = test), or an int once set."""
    return _LEARNING_PHASE


def set_learning_phase(value):
    """Fix the learning phase to 0 (test) or 1 (train) for graphs built from now on."""
    global _LEARNING_PHASE
    if value not in (0, 1):
        raise ValueError('Expected learning phase to be 0 or 1.')
    _LEARNING_PHASE = value


def _resolve(x):
    return x() if callable(x) else x


def in_train_phase(x, alt):
    """``x`` in the training phase, ``alt`` otherwise (either may be a callable)."""
    if isinstance(_LEARNING_PHASE, int):
        return _resolve(x) if _LEARNING_PHASE == 1 else _resolve(alt)
    x, alt = _resolve(x), _resolve(alt)
    out = pt.switch(_LEARNING_PHASE, x, alt)
    _PHASE_SWITCHES[out] = (x, alt)
    out._uses_learning_phase = True
    return out


def in_test_phase(x, alt):
    """``x`` in the test phase, ``alt`` otherwise."""
    return in_train_phase(alt, x)


def switch(condition, then_expression, else_expression):
    """Element-wise choice; a scalar condition selects a whole branch."""
    return pt.switch(condition, _resolve(then_expression), _resolve(else_expression))


def _fix_phase(variables, phase):
    """Replace each learning-phase switch by its ``phase`` branch, and the placeholder by a constant."""
    for _ in range(100):  # nested switches surface one level per pass
        present = [v for v in ancestors(variables) if v in _PHASE_SWITCHES]
        if not present:
            break
        replace = {v: _PHASE_SWITCHES[v][0 if phase else 1] for v in present}
        variables = clone_replace(variables, replace=replace)
    if isinstance(_LEARNING_PHASE, pt.TensorVariable) and _LEARNING_PHASE in set(ancestors(variables)):
        const = pt.constant(np.uint8(phase), dtype='uint8')
        variables = clone_replace(variables, replace={_LEARNING_PHASE: const})
    return variables


def _pytensor_mode(mode):
    mode = config._normalize_mode(mode) if mode is not None else config.mode()
    if mode == 'JAX':
        try:
            import jax  # noqa: F401
        except ImportError:
            raise ImportError("The JAX execution mode needs jax: pip install 'keraslike[jax]' "
                              "(or pip install jax).")
    return mode


class Function(object):
    """A compiled PyTensor function called with a list of input arrays; returns a list."""

    def __init__(self, inputs, outputs, updates=(), **kwargs):
        unknown = set(kwargs) - set(_THEANO_KWARGS)
        if unknown:
            raise ValueError('Invalid argument(s) %s passed to K.function; valid ones are %s.'
                             % (sorted(unknown), list(_THEANO_KWARGS)))
        givens = dict(kwargs.pop('givens', None) or {})
        mode = _pytensor_mode(kwargs.pop('mode', None))
        kwargs.setdefault('allow_input_downcast', True)
        kwargs.setdefault('on_unused_input', 'ignore')
        self.inputs = list(inputs)
        self.outputs = list(outputs) if isinstance(outputs, (list, tuple)) else [outputs]
        pairs = _dedupe_updates(updates)
        variables = self.outputs + [new for _, new in pairs]
        phase = givens.pop(_LEARNING_PHASE, None) if isinstance(_LEARNING_PHASE, pt.TensorVariable) else None
        if phase is not None:
            variables = _fix_phase(variables, int(phase))
        outputs, new_values = variables[:len(self.outputs)], variables[len(self.outputs):]
        pairs = [(var, new) for (var, _), new in zip(pairs, new_values)]
        pairs += _rng_updates(variables, {var for var, _ in pairs})
        self._dtypes = [str(x.dtype) for x in self.inputs]
        self._fn = pytensor.function(self.inputs, outputs, updates=pairs, givens=givens or None,
                                     mode=mode, **kwargs)

    def __call__(self, inputs):
        if len(inputs) != len(self._dtypes):
            raise ValueError('This function expects %d input arrays, got %d.'
                             % (len(self._dtypes), len(inputs)))
        values = [np.asarray(v, dtype=d) for v, d in zip(inputs, self._dtypes)]
        return self._fn(*values)


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


def gradients(loss, variables):
    """Symbolic gradients of scalar ``loss``; unconnected variables get zeros."""
    return pytensor.grad(loss, list(variables), disconnected_inputs='ignore')


def stop_gradient(variables):
    """Treat ``variables`` as constants when differentiating."""
    from pytensor.gradient import disconnected_grad
    if isinstance(variables, (list, tuple)):
        return [disconnected_grad(v) for v in variables]
    return disconnected_grad(variables)


def map_fn(fn, elems, name=None):
    """Apply ``fn`` to each element of ``elems`` along its first axis."""
    return pytensor.scan(fn, sequences=[elems], outputs_info=None, name=name)[0]


def foldl(fn, elems, initializer=None, name=None):
    """Reduce ``elems`` from the left: ``acc = fn(acc, x)``."""
    if initializer is None:
        initializer, elems = elems[0], elems[1:]
    out, _ = pytensor.scan(lambda x, acc: fn(acc, x), sequences=[elems],
                           outputs_info=[initializer], name=name)
    return out[-1]


def foldr(fn, elems, initializer=None, name=None):
    """Reduce ``elems`` from the right: ``acc = fn(acc, x)``."""
    return foldl(fn, elems[::-1], initializer=initializer, name=name)
