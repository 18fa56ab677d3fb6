"""Building a layer costs the same however deep the graph above it is (issue 15, point 5).

PyTensor's ``repeat``/``tile``/``broadcast_to``/``pad``/``alloc`` of a symbolic
shape call ``infer_static_shape``, which clones and shape-infers the whole
graph above their input: ZeroPadding, UpSampling, RepeatVector and the
recurrent layers' initial states made deep builds quadratic (24 blocks of
ZeroPadding2D + conv + concat: 83 s). No timing here: the tests count the
graph work a layer's build does (FunctionGraphs made, Apply nodes created)
at two depths, and check the padding/repeat values against NumPy.
"""
from unittest import mock

import numpy as np
import pytest
from pytensor.graph import basic as graph_basic
from pytensor.graph import fg as graph_fg

from keraslike import backend as K
from keraslike.layers import (GRU, LSTM, Convolution2D, Input, RepeatVector, SimpleRNN,
                              TimeDistributed, Dense, UpSampling1D, UpSampling2D, UpSampling3D,
                              ZeroPadding1D, ZeroPadding2D, ZeroPadding3D, merge)


class GraphWork(object):
    """Counts FunctionGraphs built and Apply nodes created inside a ``with`` block."""

    def __enter__(self):
        self.fgraphs = self.applies = 0
        fg_init, apply_init = graph_fg.FunctionGraph.__init__, graph_basic.Apply.__init__

        def count_fg(fg, *args, **kwargs):
            self.fgraphs += 1
            fg_init(fg, *args, **kwargs)

        def count_apply(node, *args, **kwargs):
            self.applies += 1
            apply_init(node, *args, **kwargs)

        self._patches = [mock.patch.object(graph_fg.FunctionGraph, '__init__', count_fg),
                         mock.patch.object(graph_basic.Apply, '__init__', count_apply)]
        for p in self._patches:
            p.start()
        return self

    def __exit__(self, *exc):
        for p in self._patches:
            p.stop()


def _stack_4d(depth, ordering):
    """``depth`` blocks of ZeroPadding2D + 3x3 conv + concat (the issue's example)."""
    shape, axis = ((2, 6, 6), 1) if ordering == 'th' else ((6, 6, 2), -1)
    x = Input(shape=shape)
    for _ in range(depth):
        y = ZeroPadding2D((1, 1), dim_ordering=ordering)(x)
        y = Convolution2D(2, 3, 3, dim_ordering=ordering)(y)
        x = merge([x, y], mode='concat', concat_axis=axis)
    return x


def _stack_3d(depth):
    x = Input(shape=(5, 3))
    for _ in range(depth):
        x = merge([x, TimeDistributed(Dense(3))(x)], mode='sum')
    return x


def _stack_2d(depth):
    x = Input(shape=(3,))
    for _ in range(depth):
        x = merge([x, Dense(3)(x)], mode='sum')
    return x


def _stack_5d(depth):
    x = Input(shape=(2, 3, 3, 3))
    for _ in range(depth):
        x = merge([x, ZeroPadding3D((0, 0, 0), dim_ordering='th')(x)], mode='sum')
        x = merge([x, UpSampling3D((1, 1, 1), dim_ordering='th')(x)], mode='sum')
    return x


LAYERS = [
    ('ZeroPadding2D th', lambda: _stack_4d, ('th',),
     lambda: ZeroPadding2D((1, 2), dim_ordering='th')),
    ('ZeroPadding2D tf', lambda: _stack_4d, ('tf',),
     lambda: ZeroPadding2D((2, 1, 0, 3), dim_ordering='tf')),
    ('UpSampling2D', lambda: _stack_4d, ('th',), lambda: UpSampling2D((2, 3), dim_ordering='th')),
    ('ZeroPadding1D', lambda: _stack_3d, (), lambda: ZeroPadding1D((1, 2))),
    ('UpSampling1D', lambda: _stack_3d, (), lambda: UpSampling1D(3)),
    ('LSTM', lambda: _stack_3d, (), lambda: LSTM(2)),
    ('GRU', lambda: _stack_3d, (), lambda: GRU(2, return_sequences=True)),
    ('SimpleRNN', lambda: _stack_3d, (), lambda: SimpleRNN(2)),
    ('RepeatVector', lambda: _stack_2d, (), lambda: RepeatVector(4)),
    ('ZeroPadding3D', lambda: _stack_5d, (), lambda: ZeroPadding3D((1, 0, 2), dim_ordering='th')),
    ('UpSampling3D', lambda: _stack_5d, (), lambda: UpSampling3D((2, 1, 2), dim_ordering='th')),
]


@pytest.mark.parametrize('name,stack,args,make', LAYERS, ids=[c[0] for c in LAYERS])
def test_layer_build_does_not_walk_the_upstream_graph(name, stack, args, make):
    work = {}
    for depth in (1, 6):
        top = stack()(depth, *args)
        layer = make()
        layer.build(top._keras_shape)   # weights aside: only the graph call is counted
        layer.built = True
        with GraphWork() as w:
            out = layer(top)
        assert out._keras_shape == layer.get_output_shape_for(top._keras_shape)
        work[depth] = (w.fgraphs, w.applies)
    # no shape inference over the whole graph (infer_static_shape builds a FunctionGraph) ...
    assert work[1][0] == work[6][0] == 0, work
    # ... and the same number of new nodes on a graph six times deeper
    assert work[1][1] == work[6][1], work


def test_deep_padded_stack_builds_in_linear_graph_work():
    """Each of the issue's blocks adds the same number of nodes, whatever its depth."""
    counts = []
    for depth in (2, 4, 8):
        with GraphWork() as w:
            _stack_4d(depth, 'th')
        counts.append(w.applies)
        assert w.fgraphs == 0
    per_block = [(b - a) / float(d2 - d1) for a, b, d1, d2 in
                 zip(counts, counts[1:], (2, 4), (4, 8))]
    assert per_block[0] == per_block[1], counts


# ---------------------------------------------------------------------------- values
rng = np.random.RandomState(0)
X3 = rng.randn(2, 4, 3).astype('float32')
X4 = rng.randn(2, 3, 4, 5).astype('float32')
X5 = rng.randn(2, 2, 3, 2, 3).astype('float32')

# (layer, input, NumPy pad widths)
PAD_CASES = [
    (lambda: ZeroPadding1D(2), X3, [(0, 0), (2, 2), (0, 0)]),
    (lambda: ZeroPadding1D((0, 3)), X3, [(0, 0), (0, 3), (0, 0)]),
    (lambda: ZeroPadding1D({'left_pad': 1, 'right_pad': 0}), X3, [(0, 0), (1, 0), (0, 0)]),
    (lambda: ZeroPadding2D((1, 2), dim_ordering='th'), X4, [(0, 0), (0, 0), (1, 1), (2, 2)]),
    (lambda: ZeroPadding2D((1, 2), dim_ordering='tf'), X4, [(0, 0), (1, 1), (2, 2), (0, 0)]),
    (lambda: ZeroPadding2D((0, 1, 3, 2), dim_ordering='th'), X4, [(0, 0), (0, 0), (0, 1), (3, 2)]),
    (lambda: ZeroPadding2D({'top_pad': 2, 'right_pad': 1}, dim_ordering='tf'), X4,
     [(0, 0), (2, 0), (0, 1), (0, 0)]),
    (lambda: ZeroPadding2D(((3, 0), (1, 1)), dim_ordering='th'), X4,
     [(0, 0), (0, 0), (3, 0), (1, 1)]),
    (lambda: ZeroPadding3D((1, 0, 2), dim_ordering='th'), X5,
     [(0, 0), (0, 0), (1, 1), (0, 0), (2, 2)]),
    (lambda: ZeroPadding3D((2, 1, 1), dim_ordering='tf'), X5,
     [(0, 0), (2, 2), (1, 1), (1, 1), (0, 0)]),
    (lambda: ZeroPadding3D(((0, 1), (2, 0), (1, 3)), dim_ordering='th'), X5,
     [(0, 0), (0, 0), (0, 1), (2, 0), (1, 3)]),
]


@pytest.fixture(scope='module')
def padded():
    """Every case's output from one compiled function (one compile for the module)."""
    inputs, outputs, layers = [], [], []
    for make, value, _ in PAD_CASES:
        layer = make()
        x = Input(shape=value.shape[1:])
        inputs.append(x)
        outputs.append(layer(x))
        layers.append(layer)
    f = K.function(inputs, outputs)
    return layers, outputs, f([v for _, v, _ in PAD_CASES])


@pytest.mark.parametrize('i', range(len(PAD_CASES)))
def test_zero_padding_matches_numpy_pad(padded, i):
    layers, outputs, values = padded
    _, value, widths = PAD_CASES[i]
    expected = np.pad(value, widths, mode='constant')
    np.testing.assert_array_equal(values[i], expected)
    # the Keras shape and the static type agree with the values
    assert layers[i].get_output_shape_for((None,) + value.shape[1:]) == \
        (None,) + expected.shape[1:]
    assert outputs[i].type.shape == (None,) + expected.shape[1:]


def test_backend_padding_and_repeats_match_numpy():
    x4 = K.placeholder(shape=(None, 3, 4, 5))
    x3 = K.placeholder(ndim=3)               # no static sizes at all
    x2 = K.placeholder(shape=(None, 3))
    xi = K.placeholder(shape=(None, 2, 2), dtype='int32')
    outs = [K.spatial_2d_padding(x4, (2, 0), 'th'),
            K.asymmetric_spatial_2d_padding(x4, 0, 1, 2, 3, 'tf'),
            K.temporal_padding(x3, 2),
            K.asymmetric_temporal_padding(xi, 1, 2),
            K.repeat_elements(x4, 3, axis=2),
            K.repeat_elements(x3, 2, axis=-1),
            K.resize_images(x4, 2, 3, 'th'),
            K.repeat(x2, 4),
            K.tile(x2, (2, 3)),
            K.tile(x3, 2),
            K.tile(xi, (1, 3, 1))]
    v4, v3 = X4, X3
    v2 = rng.randn(5, 3).astype('float32')
    vi = rng.randint(-9, 9, (3, 2, 2)).astype('int32')
    got = K.function([x4, x3, x2, xi], outs)([v4, v3, v2, vi])
    expected = [np.pad(v4, [(0, 0), (0, 0), (2, 2), (0, 0)]),
                np.pad(v4, [(0, 0), (0, 1), (2, 3), (0, 0)]),
                np.pad(v3, [(0, 0), (2, 2), (0, 0)]),
                np.pad(vi, [(0, 0), (1, 2), (0, 0)]),
                np.repeat(v4, 3, axis=2),
                np.repeat(v3, 2, axis=-1),
                np.repeat(np.repeat(v4, 2, axis=2), 3, axis=3),
                np.repeat(v2[:, None, :], 4, axis=1),
                np.tile(v2, (2, 3)),
                np.tile(v3, 2),
                np.tile(vi, (1, 3, 1))]
    for out, g, e in zip(outs, got, expected):
        assert g.dtype == e.dtype, out
        np.testing.assert_array_equal(g, e)
    assert outs[0].type.shape == (None, 3, 8, 5)
    assert outs[4].type.shape == (None, 3, 12, 5)
    assert outs[7].type.shape == (None, 4, 3)


def test_padding_an_empty_axis_and_its_gradient():
    x = K.placeholder(ndim=3)
    padded = K.asymmetric_temporal_padding(x, 1, 2)
    grad = K.gradients(K.sum(padded * padded), [x])[0]
    f = K.function([x], [padded, grad])
    out, _ = f([np.ones((2, 0, 3), dtype='float32')])
    np.testing.assert_array_equal(out, np.zeros((2, 3, 3), dtype='float32'))
    out, g = f([X3])
    np.testing.assert_array_equal(out, np.pad(X3, [(0, 0), (1, 2), (0, 0)]))
    np.testing.assert_allclose(g, 2 * X3, rtol=1e-6)   # the zeros take no gradient


def test_negative_padding_is_an_error():
    with pytest.raises(ValueError, match='>= 0'):
        K.spatial_2d_padding(K.placeholder(shape=(None, 1, 3, 3)), (-1, 1), 'th')
