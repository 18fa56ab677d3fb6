"""A process that builds model after model must not keep the old ones (issue 16).

Three things kept every model alive: the backend's registries of learning-phase
switches and of random generators (plain dicts whose values led back, through
``_keras_history``, to the layers), and, in NUMBA mode, Numba's global registry
of the ``overload``s PyTensor generates per compiled Elemwise, whose closures
hold graph nodes, hence the graph's placeholders and shared variables (with
the weights). ``benchmarks/memory_many_models.py`` measures the resident memory.
"""
import gc
import os
import subprocess
import sys
import textwrap
import weakref

import numpy as np
import pytest

from keraslike import backend as K
from keraslike.layers import Dense, Dropout
from keraslike.models import Sequential

X = np.random.RandomState(0).rand(8, 4).astype('float32')
Y = np.eye(3)[np.arange(8) % 3]


def _dropout_model():
    model = Sequential([Dense(5, input_dim=4, activation='relu'), Dropout(0.2),
                        Dense(3, activation='softmax')])
    model.compile('sgd', 'categorical_crossentropy', metrics=['accuracy'])
    return model


def test_dropped_model_with_dropout_is_garbage_collected():
    from keraslike.backend import control_flow, random_ops
    gc.collect()
    generators = len(list(random_ops.RNG_UPDATES))
    model = _dropout_model()
    model.fit(X, Y, batch_size=4, nb_epoch=1, verbose=0)
    model.predict(X)
    refs = [weakref.ref(model), weakref.ref(model.layers[0]), weakref.ref(model.layers[1])]
    switch = weakref.ref(model.layers[1].output)
    del model
    gc.collect()
    assert [r() for r in refs] == [None, None, None]
    # nor do the registries keep the dropped graph
    assert switch() is None
    assert switch not in [weakref.ref(v) for v in control_flow._PHASE_SWITCHES]
    assert len(list(random_ops.RNG_UPDATES)) <= generators


def test_function_keeps_its_variables_after_the_model_is_dropped():
    # the compiled graph runs on copies of the variables; the function holds the originals,
    # so their values (dropped when an original dies) stay while the function lives
    model = Sequential([Dense(3, input_dim=4)])
    model.compile('sgd', 'mse')
    expected = model.predict(X)
    f = K.function([model.input], [model.output])
    W = weakref.ref(model.layers[0].W)
    del model
    gc.collect()
    assert W() is not None
    np.testing.assert_allclose(f([X])[0], expected, rtol=1e-6)


def test_updates_reach_the_callers_variable():
    v = K.variable(np.zeros(2))
    x = K.placeholder(shape=(2,))
    f = K.function([x], [v * 1.], updates=[(v, v + x)])
    f([np.ones(2, 'float32')])
    f([np.ones(2, 'float32')])
    np.testing.assert_allclose(K.get_value(v), [2., 2.])


def test_op_digest_cache_is_bounded(monkeypatch):
    import pytensor.tensor as pt
    from keraslike.backend.runtime import compile_cache
    monkeypatch.setattr(compile_cache, 'MAX_OP_TOKENS', 3)
    monkeypatch.setattr(compile_cache, '_OP_TOKENS', {})
    for axis in range(8):
        compile_cache._op_token(pt.math.Sum(axis=(axis,)))
        assert len(compile_cache._OP_TOKENS) <= 3


def test_numba_mode_frees_dropped_models_and_their_weights():
    # Numba's registry holds the compiled nodes for good: the weights must not hang on them
    code = """
        import gc, weakref
        import numpy as np
        from keraslike.layers import Dense, Dropout
        from keraslike.models import Sequential

        def run():
            model = Sequential([Dense(5, input_dim=4, activation='relu'), Dropout(0.2),
                                Dense(3, activation='softmax')])
            model.compile('sgd', 'categorical_crossentropy')
            x = np.random.rand(8, 4).astype('float32')
            model.fit(x, np.eye(3)[np.arange(8) % 3], batch_size=4, nb_epoch=1, verbose=0)
            model.predict(x)
            return weakref.ref(model.layers[0]), model.layers[0].W.container

        layer, container = run()
        gc.collect()
        print(layer() is None, container.storage[0] is None)
    """
    env = dict(os.environ, KERASLIKE_MODE='NUMBA')
    result = subprocess.run([sys.executable, '-c', textwrap.dedent(code)], env=env,
                            capture_output=True, text=True, timeout=400)
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.split()[-2:] == ['True', 'True']


def test_jax_caches_cleared_once_dropped_functions_leave_none_alive(monkeypatch):
    pytest.importorskip('jax')
    from keraslike.backend.runtime import jax_mode
    cleared = []
    real_clear = jax_mode.clear_caches
    monkeypatch.setattr(jax_mode, 'clear_caches', lambda: cleared.append(1) or real_clear())
    x = K.placeholder(shape=(None, 4))
    v = K.variable(np.ones((4, 2)))

    def make():
        return K.function([x], [K.dot(x, v)], mode='JAX')

    def settle():
        gc.collect()
        jax_mode._DEAD[0] = 0

    settle()
    monkeypatch.setattr(jax_mode, '_LIVE', weakref.WeakSet())
    f = make()
    del f
    gc.collect()
    g = make()                       # one died, none alive: cleared before compiling g
    assert cleared == [1]
    np.testing.assert_allclose(g([X])[0], X @ np.ones((4, 2)), rtol=1e-6)
    h = make()                       # nothing died since: no clear
    del h
    gc.collect()
    monkeypatch.setattr(jax_mode, 'CLEAR_AFTER', 2)
    k = make()                       # one died but g is alive, under CLEAR_AFTER: no clear
    assert cleared == [1]
    del k
    gc.collect()
    make()                           # two died: cleared although g is alive...
    assert cleared == [1, 1]
    np.testing.assert_allclose(g([X])[0], X @ np.ones((4, 2)), rtol=1e-6)  # ...g still runs
