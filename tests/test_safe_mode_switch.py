"""Safe mode (issue 15.7): marshalled lambdas are refused by default; the argument, the
KERASLIKE_SAFE_MODE variable, keraslike.json's "safe_mode" key and set_safe_mode() opt in.

The Lambda fixtures were written by Keras 1.2.2 on CPython 3.6, so loading them here also
exercises the 3.6-bytecode translation (keraslike/utils/legacy_bytecode.py).
"""
import json
import os
import struct
import subprocess
import sys

import numpy as np
import pytest

from keraslike import backend as K
from keraslike.engine import saving
from keraslike.engine.layer_functions import UnsafeConfigError
from keraslike.models import load_model, model_from_json
from keraslike.utils import legacy_bytecode

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURES = os.path.join(HERE, 'fixtures', 'keras1')
NAMES = ['lambda_layer', 'lambda_merge']
SWITCHES = ('safe_mode=False', 'KERASLIKE_SAFE_MODE=0', '"safe_mode": false',
            'set_safe_mode(False)')
PRED_ATOL = 1e-5  # float32 predictions of Keras 1 on Theano vs these


def fixture(name, suffix):
    return os.path.join(FIXTURES, name + suffix)


def predict_inputs(name):
    io = np.load(fixture(name, '_io.npz'))
    keys = sorted((k for k in io.files if k[0] == 'x' and k[1:].isdigit()),
                  key=lambda k: int(k[1:]))
    xs = [io[k] for k in keys]
    return (xs if len(xs) > 1 else xs[0]), io['y0']


@pytest.fixture
def global_switch():
    """Restore the process-wide setting whatever a test does to it."""
    before = K.safe_mode()
    yield
    K.set_safe_mode(before)


@pytest.mark.parametrize('name', NAMES)
def test_refused_by_default_and_the_message_names_every_switch(name, global_switch):
    K.set_safe_mode(True)
    with open(fixture(name, '.json')) as f:
        text = f.read()
    for load in (lambda: load_model(fixture(name, '_model.h5')), lambda: model_from_json(text)):
        with pytest.raises(UnsafeConfigError) as info:
            load()
        message = str(info.value)
        for switch in SWITCHES:
            assert switch in message, (switch, message)


@pytest.mark.parametrize('name', NAMES)
def test_set_safe_mode_function_lets_load_model_rebuild_the_keras1_lambdas(name, global_switch):
    saving.set_safe_mode(False)
    assert K.safe_mode() is False and saving.get_safe_mode() is False
    model = load_model(fixture(name, '_model.h5'))  # no argument: the global switch decides
    x, expected = predict_inputs(name)
    np.testing.assert_allclose(model.predict(x), expected, rtol=0, atol=PRED_ATOL)


def test_explicit_argument_wins_over_the_global_switch(global_switch):
    path = fixture('lambda_merge', '_model.h5')
    K.set_safe_mode(False)
    with pytest.raises(UnsafeConfigError):
        load_model(path, safe_mode=True)
    with open(fixture('lambda_layer', '.json')) as f:
        text = f.read()
    with pytest.raises(UnsafeConfigError):
        model_from_json(text, safe_mode=True)
    K.set_safe_mode(True)
    x, expected = predict_inputs('lambda_merge')
    np.testing.assert_allclose(load_model(path, safe_mode=False).predict(x), expected,
                               rtol=0, atol=PRED_ATOL)
    # the output_shape lambda of lambda_1 (s[0], 2 * s[1]), rebuilt from 3.6 bytecode
    assert model_from_json(text, safe_mode=False).layers[1]._output_shape((None, 4)) == (None, 8)


def test_set_safe_mode_accepts_the_environment_spellings_and_rejects_others(global_switch):
    for value, expected in (('0', False), ('off', False), ('False', False), ('1', True),
                            (False, False), (True, True), (0, False)):
        K.set_safe_mode(value)
        assert K.safe_mode() is expected, value
    with pytest.raises(TypeError, match='set_safe_mode'):
        K.set_safe_mode(None)


def test_unreadable_bytecode_gives_a_clear_error_when_allowed(global_switch):
    config = json.load(open(fixture('lambda_layer', '.json')))
    config['config'][1]['config']['function'][0] = 'not marshal data'
    with pytest.raises(ValueError, match='Rebuild the model in code and use load_weights'):
        model_from_json(json.dumps(config), safe_mode=False)


# ---------------------------------------------------------------------------- other processes
CHILD = r"""
import sys
import numpy as np
from keraslike.engine.layer_functions import UnsafeConfigError
from keraslike.models import load_model
path, npz = sys.argv[1], sys.argv[2]
try:
    load_model(path, safe_mode=True)
    print('explicit True ignored')
except UnsafeConfigError:
    pass
try:
    model = load_model(path)
except UnsafeConfigError:
    print('REFUSED')
    sys.exit(0)
io = np.load(npz)
np.testing.assert_allclose(model.predict(io['x0']), io['y0'], rtol=0, atol=%g)
print('LOADED')
""" % PRED_ATOL


def run_child(tmp_path, env_extra, home_config=None):
    home = tmp_path / 'home'
    home.mkdir()
    if home_config is not None:
        (home / 'keraslike.json').write_text(json.dumps(home_config))
    env = {k: v for k, v in os.environ.items() if k != 'KERASLIKE_SAFE_MODE'}
    env.update(KERASLIKE_HOME=str(home), **env_extra)
    out = subprocess.run([sys.executable, '-c', CHILD, fixture('lambda_layer', '_model.h5'),
                          fixture('lambda_layer', '_io.npz')],
                         env=env, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    return out.stdout.split()


def test_environment_variable_turns_safe_mode_off_at_start_up(tmp_path):
    assert run_child(tmp_path, {'KERASLIKE_SAFE_MODE': '0'}) == ['LOADED']


def test_config_file_key_turns_safe_mode_off_and_the_variable_overrides_it(tmp_path):
    assert run_child(tmp_path, {}, {'safe_mode': False}) == ['LOADED']
    other = tmp_path / 'again'
    other.mkdir()
    assert run_child(other, {'KERASLIKE_SAFE_MODE': '1'}, {'safe_mode': False}) == ['REFUSED']


# ---------------------------------------------------------------------------- bytecode translation
def _marshal36(value):
    """The few marshal (version 4) types a hand-made CPython 3.6 code object needs."""
    if value is None:
        return b'N'
    if isinstance(value, int):
        return b'i' + struct.pack('<i', value)
    if isinstance(value, str):
        return b'z' + bytes([len(value)]) + value.encode('ascii')
    if isinstance(value, bytes):
        return b's' + struct.pack('<i', len(value)) + value
    if isinstance(value, tuple):
        return b')' + bytes([len(value)]) + b''.join(_marshal36(v) for v in value)
    raise TypeError(value)


def _code36(argcount, ops, consts, names, varnames, freevars=()):
    head = b'c' + struct.pack('<5i', argcount, 0, len(varnames), 8, 0x43 if not freevars else 0x13)
    body = [bytes(ops), consts, names, varnames, freevars, (), '<test>', '<lambda>']
    return head + b''.join(_marshal36(v) for v in body) + struct.pack('<i', 1) + _marshal36(b'')


def test_translated_conditional_slice_closure_and_defaults():
    # lambda x, n=2: x[:n] * c if x is not None else -x     (c from the enclosing scope)
    ops = [124, 0, 100, 0, 107, 9, 114, 24,                  # x is not None, else -> 24
           124, 0, 100, 0, 124, 1, 133, 2, 25, 0,            # x[None:n]
           136, 0, 20, 0, 83, 0,                             # * c; return
           124, 0, 11, 0, 83, 0]                             # 24: return -x
    data = _code36(2, ops, (None,), (), ('x', 'n'), ('c',))
    fn = legacy_bytecode.load_function([data.decode('raw_unicode_escape'), [2], [10]], {})
    np.testing.assert_array_equal(fn(np.arange(5)), [0, 10])
    np.testing.assert_array_equal(fn(np.arange(5), 3), [0, 10, 20])
    np.testing.assert_array_equal(fn(np.array([1.5, -2.0, 7.0])), [15.0, -20.0])
    with pytest.raises(TypeError, match='unary -'):  # the else branch: -None
        fn(None)


def test_translated_keyword_call_and_boolean_operators():
    # lambda a, b: f(a, axis=b) or (a and b)
    ops = [116, 0, 124, 0, 124, 1, 100, 0, 141, 2,          # f(a, axis=b)
           112, 18, 124, 0, 111, 18, 124, 1, 83, 0]          # or (a and b); 18: return
    data = _code36(2, ops, (('axis',),), ('f',), ('a', 'b'))
    calls = []

    def f(a, axis):
        calls.append((a, axis))
        return len(a) * axis

    fn = legacy_bytecode.load_function(data.decode('raw_unicode_escape'), {'f': f})
    assert fn([1, 1], 3) == 6  # `or` keeps a true left side
    assert fn([], 5) == []  # `and` stops at a false a
    assert fn([1], 0) == 0  # ... else gives b
    assert calls == [([1, 1], 3), ([], 5), ([1], 0)]  # f runs once per use


def test_unsupported_bytecode_is_refused_clearly():
    ops = [100, 0, 100, 1, 132, 0, 83, 0]  # a nested function: MAKE_FUNCTION
    data = _code36(0, ops, (None, 'inner'), (), ())
    with pytest.raises(legacy_bytecode.LegacyCodeError, match='not supported'):
        legacy_bytecode.load_function(data.decode('raw_unicode_escape'), {})
