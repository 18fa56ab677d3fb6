"""Regressions: NumPy's seed across the lazy jax import, stateful batch sizes, slice_X in
engine.training, custom objects and safe mode inside wrappers."""
import subprocess
import sys
import textwrap

import numpy as np
import pytest

from keraslike.layers import LSTM, Dense, Lambda, SimpleRNN, TimeDistributed
from keraslike.models import Sequential, model_from_json


# ------------------------------------------------------------------ np.random across registration
def test_first_registration_keeps_numpy_random_state():
    # a fresh interpreter, so that jax and numba are imported by ensure_registered itself
    script = textwrap.dedent('''
        import sys
        import numpy as np
        from keraslike import backend as K
        from keraslike.backend.runtime import op_registry
        assert 'jax' not in sys.modules and op_registry._PENDING
        np.random.seed(123)
        expected = np.random.rand(5)
        np.random.seed(123)
        op_registry.ensure_registered()
        assert not op_registry._PENDING
        got = np.random.rand(5)
        print('jax imported:', 'jax' in sys.modules)
        np.testing.assert_array_equal(got, expected)
        print('OK')
    ''')
    result = subprocess.run([sys.executable, '-c', script], capture_output=True, text=True,
                            timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    assert 'OK' in result.stdout


# ------------------------------------------------------------------ stateful batch size
@pytest.mark.parametrize('rnn', [SimpleRNN, LSTM])
def test_stateful_rejects_another_batch_size(rnn):
    model = Sequential([rnn(3, stateful=True, batch_input_shape=(2, 3, 4), name='srnn'),
                        Dense(1)])
    model.compile('sgd', 'mse')
    x, y = np.random.rand(4, 3, 4).astype('float32'), np.zeros((4, 1), 'float32')
    # 4 samples divide into batches of 4: only the fixed batch size (2) can refuse this
    with pytest.raises(ValueError, match=r'srnn.*expects batch size 2.*Found: batch size 4'):
        model.fit(x, y, batch_size=4, nb_epoch=1, verbose=0)
    with pytest.raises(ValueError, match=r'srnn.*batch size 2.*batch size 4'):
        model.predict(x, batch_size=4)
    with pytest.raises(ValueError, match=r'srnn.*batch size 2.*batch size 4'):
        model.evaluate(x, y, batch_size=4, verbose=0)
    # the fixed batch size still works, and indivisible sample counts are still refused
    model.fit(x, y, batch_size=2, nb_epoch=1, verbose=0, shuffle=False)
    assert model.predict(x, batch_size=2).shape == (4, 1)
    with pytest.raises(ValueError, match='divided by the batch size'):
        model.predict(x[:3], batch_size=2)


# ------------------------------------------------------------------ slice_X
def test_slice_x_from_engine_training():
    from keraslike.engine.training import slice_X
    rng = np.random.RandomState(0)
    a, b = rng.rand(6, 2), rng.rand(6, 3, 1)
    np.testing.assert_array_equal(slice_X(a, 1, 4), a[1:4])
    np.testing.assert_array_equal(slice_X(a, 2), a[2:])
    np.testing.assert_array_equal(slice_X(a), a)
    both = slice_X([a, b], 0, 3)
    assert len(both) == 2
    np.testing.assert_array_equal(both[0], a[:3])
    np.testing.assert_array_equal(both[1], b[:3])
    ids = np.array([4, 0, 2])
    np.testing.assert_array_equal(slice_X(a, ids), a[ids])
    picked = slice_X([a, b], ids)
    np.testing.assert_array_equal(picked[0], a[ids])
    np.testing.assert_array_equal(picked[1], b[ids])
    np.testing.assert_array_equal(slice_X([a, b], [5, 1])[1], b[[5, 1]])


# ------------------------------------------------------------------ wrappers: custom objects
class MyDense(Dense):
    """A custom layer: only resolvable through ``custom_objects``."""

    def call(self, x, mask=None):
        return super(MyDense, self).call(x, mask) * 2.


def _assert_same_predictions(model, clone, x):
    clone.set_weights(model.get_weights())
    np.testing.assert_allclose(clone.predict(x), model.predict(x), rtol=1e-6)


def test_time_distributed_custom_layer_round_trip():
    model = Sequential([TimeDistributed(MyDense(3), input_shape=(2, 4))])
    clone = model_from_json(model.to_json(), custom_objects={'MyDense': MyDense})
    assert type(clone.layers[0].layer) is MyDense
    x = np.random.rand(2, 2, 4).astype('float32')
    _assert_same_predictions(model, clone, x)


def test_time_distributed_model_of_custom_layers_round_trip():
    # the inner config is a Sequential: the wrapper must resolve it as layer_from_config does
    inner = Sequential([MyDense(3, input_shape=(4,))])
    model = Sequential([TimeDistributed(inner, input_shape=(2, 4))])
    clone = model_from_json(model.to_json(), custom_objects={'MyDense': MyDense})
    assert type(clone.layers[0].layer.layers[0]) is MyDense
    _assert_same_predictions(model, clone, np.random.rand(2, 2, 4).astype('float32'))


def test_time_distributed_lambda_follows_safe_mode():
    from keraslike.engine.layer_functions import UnsafeConfigError
    model = Sequential([TimeDistributed(Lambda(lambda t: t * 3.), input_shape=(2, 4))])
    with pytest.raises(UnsafeConfigError):
        model_from_json(model.to_json())
    clone = model_from_json(model.to_json(), safe_mode=False)
    x = np.random.rand(2, 2, 4).astype('float32')
    np.testing.assert_allclose(clone.predict(x), 3. * x, rtol=1e-6)
