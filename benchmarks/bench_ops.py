"""Op-level timings: the pieces of an MLP training step, in each execution mode.

Each benchmark compiles one small function with ``K.function`` and times its
call: a forward product, the weight gradient (a product with a transposed
operand, where Numba was measured slow), relu forward+backward, softmax with
categorical cross-entropy and its gradient, a dropout mask, an RMSprop
update of a 512x512 weight, and the whole mlp step for reference. In the C
mode the mlp step is also profiled by PyTensor, per op class
(``extra_info['profile_ms']``).
"""
import numpy as np
import pytest
from conftest import bench_modes

from keraslike import backend as K
from keraslike.bench.workloads import WORKLOADS, build_keraslike

RNG = np.random.RandomState(0)
X = RNG.rand(128, 784).astype('float32')
H = RNG.randn(128, 512).astype('float32')
Y = np.eye(10, dtype='float32')[RNG.randint(0, 10, 128)]


def _ops():
    x = K.placeholder(shape=(None, 784))
    h = K.placeholder(shape=(None, 512))
    z = K.placeholder(shape=(None, 10))
    y = K.placeholder(shape=(None, 10))
    g = K.placeholder(shape=(512, 512))
    w1 = K.variable(RNG.randn(784, 512) * 0.05)
    w2 = K.variable(RNG.randn(512, 512) * 0.05)
    acc = K.variable(np.zeros((512, 512)))
    xent = K.mean(K.categorical_crossentropy(K.softmax(z), y))
    new_acc = 0.9 * acc + 0.1 * K.square(g)
    return {
        'dot_forward': ([x], [K.dot(x, w1)], [], [X]),
        'dot_weight_grad': ([x, h], [K.gradients(K.sum(K.dot(x, w1) * h), [w1])[0]], [], [X, H]),
        'relu_fwd_bwd': ([h], [K.gradients(K.sum(K.relu(h) * h), [h])[0]], [], [H]),
        'softmax_xent_grad': ([z, y], [xent, K.gradients(xent, [z])[0]], [],
                              [H[:, :10].copy(), Y]),
        'dropout_mask': ([h], [K.in_train_phase(K.dropout(h, 0.2), h)], [], [H]),
        'rmsprop_update': ([g], [], [(acc, new_acc),
                                     (w2, w2 - 0.001 * g / (K.sqrt(new_acc) + 1e-8))],
                           [H[:, :512].repeat(4, axis=0)[:512].copy()]),
    }


@pytest.fixture(scope='module', params=bench_modes())
def compiled(request):
    mode = request.param
    K.set_mode(mode)
    try:
        fns = {}
        for name, (ins, outs, updates, values) in _ops().items():
            f = K.function(ins, outs, updates=updates, givens={K.learning_phase(): 1})
            f(values)
            fns[name] = (f, values)
        model = build_keraslike('mlp')
        model.train_on_batch(X, Y)
        sw = np.ones(128, dtype='float32')
        fns['mlp_step'] = (model.model.train_function, [X, Y, sw])
        profile = _c_profile(mode)
    finally:
        K.set_mode(None)
    return mode, fns, profile


def _c_profile(mode):
    """Per-op-class milliseconds of the mlp step, from PyTensor's profiler (C mode only)."""
    if mode != 'C':
        return None
    model = build_keraslike('mlp')
    model.compile(loss='categorical_crossentropy', optimizer='rmsprop', profile=True)
    model.train_on_batch(X, Y)
    f = model.model.train_function
    for _ in range(20):
        f([X, Y, np.ones(128, dtype='float32')])
    prof = f._fn.profile
    per_class = {}
    for node, seconds in prof.apply_time.items():
        key = type(node.op).__name__
        per_class[key] = per_class.get(key, 0.) + seconds
    calls = max(1, prof.fct_callcount)
    return {k: round(1e3 * v / calls, 3) for k, v in sorted(per_class.items(),
                                                           key=lambda kv: -kv[1])}


OPS = ('dot_forward', 'dot_weight_grad', 'relu_fwd_bwd', 'softmax_xent_grad', 'dropout_mask',
       'rmsprop_update', 'mlp_step')


@pytest.mark.parametrize('op', OPS)
def test_op(benchmark, compiled, op):
    mode, fns, profile = compiled
    f, values = fns[op]
    benchmark(f, values)
    benchmark.extra_info.update(mode=mode, op=op)
    if op == 'mlp_step' and profile:
        benchmark.extra_info['profile_ms'] = profile
