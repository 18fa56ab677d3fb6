"""Winograd F(2x2, 3x3): the 3x3, stride-1 convolutions of :mod:`conv_numpy` in fewer products.

Each 2x2 block of output (a *tile*) is computed from a 4x4 block of input
with 16 products per channel pair instead of 36 (Lavin and Gray, 2015)::

    y_tile = A^T [ sum_c (G g_c G^T) * (B^T d_c B) ] A

The input transform ``B^T d B`` and the output transform ``A^T m A`` take
only additions; the channel sum becomes 16 matrix products ``(F, C) @ (C,
tiles)``, one per position in the 4x4 tile. The weight gradient is the
transposed computation: ``dU[e] = dM[e] @ V[e]^T`` over all tiles, with
``dM = A dY A^T``, then ``G^T dU G``.

Why: on mnist_cnn's second convolution (128 x 32 x 26 x 26 input, 32 3x3
filters) im2col copies a patch matrix nine times the input's size and BLAS
packs it again; that traffic, more than the arithmetic, bounded the three
convolution passes that were 70% of a training step. Here the transformed
input is four times the input's size (16 values per 2x2 tile) and the
products are 2.25 times fewer: the three passes went from 90 to 59 ms per
step (C-mode per-Op profile, batch 128, 2 cores), then to about 55 ms with
each sample's whole pipeline in one Numba call (``_forward_samples``).

Layout: input, output and gradient planes are split by row parity, so that
a whole plane of tiles is one loop (a row of 12 tiles was too short for
LLVM to vectorise). Indices are unsigned so that Numba adds no
negative-index checks (with them the loops stayed scalar, several times
slower). Results match im2col to float rounding (relative error ~1e-6 in
float32).

>>> import numpy as np
>>> x = np.random.rand(2, 8, 6, 6).astype('float32')
>>> w = np.random.rand(4, 8, 3, 3).astype('float32')
>>> y = forward(x, w, lo=(0, 0), hi=(0, 0))
>>> y.shape
(2, 4, 4, 4)
"""
import numpy as np
from numba import njit

from ..runtime.threads import parallel_map, split, workers, workspace

# Channel counts below this stay with im2col: the transforms cost the same
# per channel, the products they save do not pay for them.
MIN_CHANNELS = 8

_G = np.array([[1.0, 0.0, 0.0], [0.5, 0.5, 0.5], [0.5, -0.5, 0.5], [0.0, 0.0, 1.0]])
# B^T row k is input row IN_A[k] + IN_SIGN[k] * input row IN_B[k]
_IN_A, _IN_B, _IN_SIGN = (0, 1, 2, 1), (2, 2, 1, 3), (-1.0, 1.0, -1.0, -1.0)
# A row k is GRAD_ROWS[k][0] * gradient row 0 + GRAD_ROWS[k][1] * gradient row 1
_GRAD_ROWS = ((1.0, 0.0), (1.0, 1.0), (1.0, -1.0), (0.0, -1.0))
_U = np.uint64


def applies(ksize, strides, dilation, groups, channels, filters, lo, hi, dtype):
    """True when a 2-D convolution with these parameters is computed here (BLAS types only)."""
    return (tuple(ksize) == (3, 3) and tuple(strides) == (1, 1) and tuple(dilation) == (1, 1)
            and groups == 1 and min(channels, filters) >= MIN_CHANNELS
            and min(lo) >= 0 and min(hi) >= 0
            and np.dtype(dtype) in (np.dtype('float32'), np.dtype('float64')))


@njit(cache=True)
def _tile_geometry(th, tw):
    """(rows, cols, tiles) of the split planes for ``th`` x ``tw`` tiles (see :class:`_Tiling`)."""
    cols = tw + 1
    return th + 1, cols, th * cols


class _Tiling(object):
    """Tile geometry of an ``out_h`` x ``out_w`` output, and the per-sample buffer sizes.

    Planes are split by row parity: ``(..., 2, rows, 2 * cols)`` holds
    row ``2 i + r`` at ``[r, i]``, in rows ``2 * cols = 2 * (tw + 1)`` long,
    so that tile ``(i, j)`` is the flat position ``t = i * cols + j`` and
    its columns start at ``2 t`` of every plane: a whole plane is then one
    loop long enough to vectorise (a row of 12 tiles was not). The extra
    tile per row (``j = tw``) is computed and never read back.
    """

    def __init__(self, out_h, out_w):
        self.out_h, self.out_w = out_h, out_w
        self.th, self.tw = -(-out_h // 2), -(-out_w // 2)
        self.rows, self.cols, self.tiles = _tile_geometry(self.th, self.tw)

    def input_size(self, channels):
        """Items of a split, padded input; two more than the planes, which the extra tiles read."""
        return channels * 2 * self.rows * 2 * self.cols + 2

    def output_size(self, filters):
        """Items of a split output or gradient."""
        return filters * 2 * self.th * 2 * self.cols

    def transformed_size(self, channels):
        """Items of the 16 transformed planes of ``channels`` channels."""
        return 16 * channels * self.tiles


@njit(cache=True, nogil=True, fastmath=True, boundscheck=False)
def _input_transform(xf, c_in, rows, cols, tiles, signs, vf):
    """``v`` (16, C, tiles) = ``B^T d B`` of every 4x4 tile of one sample.

    ``xf``: the split input ``(C, 2, rows, 2 * cols)`` flattened, with two
    items of slack. ``signs`` holds :data:`_IN_SIGN` in the data's type (a
    float64 constant would turn the float32 loops into float64 ones).
    """
    plane = _U(rows * 2 * cols)
    spread = _U(c_in * tiles)
    for c in range(c_in):
        base = _U(c * 2) * plane
        for k in range(4):
            a, b = _IN_A[k], _IN_B[k]
            pa = base + _U(a % 2) * plane + _U((a // 2) * 2 * cols)
            pb = base + _U(b % 2) * plane + _U((b // 2) * 2 * cols)
            sign = signs[k]
            o = _U((4 * k * c_in + c) * tiles)
            for tt in range(tiles):
                t = _U(tt)
                u = t + t
                c0 = xf[pa + u] + sign * xf[pb + u]
                c1 = xf[pa + u + _U(1)] + sign * xf[pb + u + _U(1)]
                c2 = xf[pa + u + _U(2)] + sign * xf[pb + u + _U(2)]
                c3 = xf[pa + u + _U(3)] + sign * xf[pb + u + _U(3)]
                vf[o + t] = c0 - c2
                vf[o + spread + t] = c1 + c2
                vf[o + _U(2) * spread + t] = c2 - c1
                vf[o + _U(3) * spread + t] = c1 - c3


@njit(cache=True, nogil=True, fastmath=True, boundscheck=False)
def _output_transform(mf, filters, tiles, bias, yf):
    """``y`` (F, 2, tiles * 2) = ``A^T m A + bias`` of every tile of ``m`` (16, F, tiles)."""
    spread, p = _U(filters * tiles), _U(2 * tiles)
    for f in range(filters):
        bf = bias[f]
        o = _U(f * tiles)
        y0 = _U(f * 2) * p
        for tt in range(tiles):
            t = o + _U(tt)
            m0, m1, m2, m3 = mf[t], mf[t + spread], mf[t + _U(2) * spread], mf[t + _U(3) * spread]
            m4, m5 = mf[t + _U(4) * spread], mf[t + _U(5) * spread]
            m6, m7 = mf[t + _U(6) * spread], mf[t + _U(7) * spread]
            m8, m9 = mf[t + _U(8) * spread], mf[t + _U(9) * spread]
            m10, m11 = mf[t + _U(10) * spread], mf[t + _U(11) * spread]
            m12, m13 = mf[t + _U(12) * spread], mf[t + _U(13) * spread]
            m14, m15 = mf[t + _U(14) * spread], mf[t + _U(15) * spread]
            a0, a1, a2, a3 = m0 + m4 + m8, m1 + m5 + m9, m2 + m6 + m10, m3 + m7 + m11
            b0, b1, b2, b3 = m4 - m8 - m12, m5 - m9 - m13, m6 - m10 - m14, m7 - m11 - m15
            y = y0 + _U(2 * tt)
            yf[y] = a0 + a1 + a2 + bf
            yf[y + _U(1)] = a1 - a2 - a3 + bf
            yf[y + p] = b0 + b1 + b2 + bf
            yf[y + p + _U(1)] = b1 - b2 - b3 + bf


@njit(cache=True, nogil=True, fastmath=True, boundscheck=False)
def _grad_transform(gf, filters, tiles, coefs, dmf):
    """``dm`` (16, F, tiles) = ``A dY A^T`` of every 2x2 tile of one sample's split gradient ``gf``.

    ``gf`` is ``(F, 2, tiles * 2)`` flattened; ``coefs`` (4, 2) holds
    :data:`_GRAD_ROWS` in the data's type.
    """
    spread, p = _U(filters * tiles), _U(2 * tiles)
    for f in range(filters):
        g0 = _U(f * 2) * p      # gradient rows 2 i at g0, 2 i + 1 at g0 + p
        for k in range(4):
            alpha, beta = coefs[k, 0], coefs[k, 1]
            o = _U((4 * k * filters + f) * tiles)
            for tt in range(tiles):
                t = _U(tt)
                u = g0 + t + t
                ce = alpha * gf[u] + beta * gf[u + p]
                co = alpha * gf[u + _U(1)] + beta * gf[u + p + _U(1)]
                dmf[o + t] = ce
                dmf[o + spread + t] = ce + co
                dmf[o + _U(2) * spread + t] = ce - co
                dmf[o + _U(3) * spread + t] = -co


@njit(cache=True, nogil=True, boundscheck=False)
def _split_rows(src, lo0, lo1, dst):
    """``dst`` (C, 2, rows, width) = ``src`` (C, H, W) zero-padded by ``lo0``/``lo1``, rows split by parity."""
    dst[:] = 0
    w = src.shape[2]
    for c in range(src.shape[0]):
        for h in range(src.shape[1]):
            ph = h + lo0
            dst[c, ph % 2, ph // 2, lo1:lo1 + w] = src[c, h]


@njit(cache=True, nogil=True, fastmath=True, boundscheck=False)
def _forward_samples(x, u, bias, lo0, lo1, th, tw, signs, xq, v, m, y, out):
    """:func:`forward` of the samples of ``x`` into ``out``, one sample at a time.

    A sample's split input, transformed input ``v``, products ``m`` and split
    output ``y`` (the per-worker buffers passed in) stay in the core's cache
    between the steps; with NumPy calls per chunk of samples in between they
    did not (chunks small enough to stay cached cost more in call overhead):
    1.2-1.35x faster on mnist_cnn's second layer.
    """
    c_in, filters = x.shape[1], u.shape[1]
    rows, cols, tiles = _tile_geometry(th, tw)
    out_h, out_w = out.shape[2], out.shape[3]
    xq4 = xq[:c_in * 2 * rows * 2 * cols].reshape(c_in, 2, rows, 2 * cols)
    v3, m3 = v.reshape(16, c_in, tiles), m.reshape(16, filters, tiles)
    y4 = y.reshape(filters, 2, th, 2 * cols)
    for s in range(x.shape[0]):
        _split_rows(x[s], lo0, lo1, xq4)
        _input_transform(xq, c_in, rows, cols, tiles, signs, v)
        for e in range(16):
            np.dot(u[e], v3[e], m3[e])
        _output_transform(m, filters, tiles, bias, y)
        for f in range(filters):
            for oy in range(out_h):
                out[s, f, oy] = y4[f, oy % 2, oy // 2, :out_w]


@njit(cache=True, nogil=True, fastmath=True, boundscheck=False)
def _grad_samples(x, gy, lo0, lo1, th, tw, signs, coefs, xq, v, gq, dm, prod, du):
    """Add the ``dU`` (16, F, C) of the samples of ``x`` and ``gy`` to ``du`` (float64)."""
    c_in, filters = x.shape[1], gy.shape[1]
    rows, cols, tiles = _tile_geometry(th, tw)
    xq4 = xq[:c_in * 2 * rows * 2 * cols].reshape(c_in, 2, rows, 2 * cols)
    # zeros past the gradient's edge and in the extra tiles: they meet the input's
    gq4 = gq.reshape(filters, 2, th, 2 * cols)
    v3, dm3 = v.reshape(16, c_in, tiles), dm.reshape(16, filters, tiles)
    for s in range(x.shape[0]):
        _split_rows(x[s], lo0, lo1, xq4)
        _input_transform(xq, c_in, rows, cols, tiles, signs, v)
        _split_rows(gy[s], 0, 0, gq4)
        _grad_transform(gq, filters, tiles, coefs, dm)
        for e in range(16):
            np.dot(dm3[e], v3[e].T, prod)
            du[e] += prod


def _batches(n):
    """Sample ranges for the workers: a few per worker, so a slow core does not hold up the rest."""
    return split(n, 4 * workers())


def weight_transform(w):
    """``U`` (16, F, C) = ``G g G^T`` of each 3x3 correlation kernel of ``w`` (F, C, 3, 3)."""
    u = np.einsum('ak,fckl,bl->abfc', _G, np.asarray(w, dtype=np.float64), _G)
    return np.ascontiguousarray(u.reshape((16,) + w.shape[:2]), dtype=w.dtype)


def forward(x, w, lo, hi, bias=None):
    """Correlation of ``x`` (N, C, H, W) padded by ``lo``/``hi`` with ``w`` (F, C, 3, 3), plus ``bias``."""
    n, c = x.shape[:2]
    f = w.shape[0]
    tiling = _Tiling(x.shape[2] + lo[0] + hi[0] - 2, x.shape[3] + lo[1] + hi[1] - 2)
    dtype = np.result_type(x.dtype, w.dtype)
    x = np.ascontiguousarray(x, dtype=dtype)
    u = weight_transform(np.asarray(w, dtype=dtype))
    bias = np.zeros(f, dtype) if bias is None else np.asarray(bias, dtype=dtype)
    out = np.empty((n, f, tiling.out_h, tiling.out_w), dtype=dtype)
    signs = np.array(_IN_SIGN, dtype)

    def batch(bounds):
        a, b = bounds
        ws = workspace(dtype)
        _forward_samples(x[a:b], u, bias, lo[0], lo[1], tiling.th, tiling.tw, signs,
                         ws.flat('wino_x', tiling.input_size(c)),
                         ws.flat('wino_v', tiling.transformed_size(c)),
                         ws.flat('wino_m', tiling.transformed_size(f)),
                         ws.flat('wino_y', tiling.output_size(f)), out[a:b])

    parallel_map(batch, _batches(n))
    return out


def grad_weights(x, gy, lo):
    """Gradient of :func:`forward` with respect to ``w``: shape ``(F, C, 3, 3)``."""
    n, c = x.shape[:2]
    f = gy.shape[1]
    tiling = _Tiling(*gy.shape[2:])
    dtype = np.result_type(x.dtype, gy.dtype)
    x, gy = np.ascontiguousarray(x, dtype=dtype), np.ascontiguousarray(gy, dtype=dtype)
    signs, coefs = np.array(_IN_SIGN, dtype), np.array(_GRAD_ROWS, dtype)

    def batch(bounds):
        a, b = bounds
        ws = workspace(dtype)
        du = np.zeros((16, f, c))
        _grad_samples(x[a:b], gy[a:b], lo[0], lo[1], tiling.th, tiling.tw, signs, coefs,
                      ws.flat('wino_x', tiling.input_size(c)),
                      ws.flat('wino_v', tiling.transformed_size(c)),
                      ws.flat('wino_g', tiling.output_size(f)),
                      ws.flat('wino_m', tiling.transformed_size(f)), ws.array('wino_p', (f, c)), du)
        return du

    parts = parallel_map(batch, _batches(n))     # an empty batch is one range: zeros
    du = np.sum(parts, axis=0).reshape((4, 4, f, c))
    return np.einsum('ak,abfc,bl->fckl', _G, du, _G).astype(dtype)
