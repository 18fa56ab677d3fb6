"""Keras 1's graph-level functions: the learning phase, ``switch``, gradients, map and folds.

``K.in_train_phase`` builds a switch on the learning-phase placeholder; when a
function is compiled for one phase (``givens={K.learning_phase(): 1}``),
:func:`fix_phase` replaces every such switch by its branch, so a test-phase
function contains no dropout.

>>> from keraslike import backend as K
>>> x = K.placeholder(shape=(None, 2))
>>> y = K.in_train_phase(x * 0., x)
"""
import weakref

import numpy as np
import pytensor
import pytensor.tensor as pt

from .runtime.graph_rebuild import rebuild

_LEARNING_PHASE = pt.scalar(dtype='uint8', name='keras_learning_phase')
# The learning-phase switches (outputs of K.in_train_phase), held weakly: a global dict
# switch -> branches kept every model's graph, hence (through _keras_history) every
# layer and model, alive for the life of the process. The branches sit on the switch's
# tag (a clone's copied tag is ignored: clones are not in the set).
_PHASE_SWITCHES = weakref.WeakSet()


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
    out.tag.keras_phase_branches = (x, alt)
    _PHASE_SWITCHES.add(out)
    out._uses_learning_phase = True
    return out


def in_test_phase(x, alt):
    """``x`` in the test phase, ``alt`` otherwise."""
    return in_train_phase(alt, x)


def switch(condition, then_expression, else_expression):
    """Element-wise choice; a scalar condition selects a whole branch."""
    return pt.switch(condition, _resolve(then_expression), _resolve(else_expression))


def fix_phase(variables, phase):
    """Rebuild ``variables`` with each learning-phase switch replaced by its ``phase`` branch.

    Every registered switch is swapped for its branch (repeatedly, for a
    branch that is itself a switch) and the placeholder becomes a constant.
    Nothing of the other branch survives, so a test-phase graph has no
    dropout draws, and no generator among its inputs.
    """
    branch = 0 if phase else 1
    placeholder = _LEARNING_PHASE if isinstance(_LEARNING_PHASE, pt.TensorVariable) else None
    const = pt.constant(np.uint8(phase), dtype='uint8')

    def target(v):
        while v in _PHASE_SWITCHES:
            v = v.tag.keras_phase_branches[branch]
        return v

    return rebuild(variables, target=target, leaf=lambda v: const if v is placeholder else v)


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
