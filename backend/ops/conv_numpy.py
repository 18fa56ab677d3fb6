"""NumPy kernels behind the convolution Ops: im2col plus a BLAS matrix product.

Everything here is channels first, ``x`` of shape ``(N, C, *L)`` and a
correlation kernel ``w`` of shape ``(F, C // groups, *K)`` (the Ops flip
Theano-style kernels before they get here). Padding is given as ``lo``/``hi``
per spatial axis, so every Keras border mode is one call::

    y = conv_forward(x, w, strides=(1, 1), dilation=(1, 1), lo=(1, 1), hi=(1, 1))

Work is done a few samples at a time so that a chunk's patch matrix stays in
cache; chunks are spread over the cores by ``threads.parallel_map`` (one
worker per core, each with a single-threaded BLAS and its own buffers).
When the last axis has stride 1, patches are taken over the whole padded
row ("full width"): each (channel, kernel offset) is then one long contiguous
run to copy, instead of one short run per output row, which made the copy
cost more than the GEMM. The few extra columns are computed and dropped.
3x3, stride-1 convolutions with enough channels are handed to
:mod:`winograd_numba` (fewer products, no patch matrix). No PyTensor here: the Ops'
``perform`` and their Numba object-mode calls run these functions.
"""
import itertools
from math import prod

import numpy as np

from ..runtime.threads import parallel_map, workspace
from . import winograd_numba

# Bytes of patch matrix per chunk (measured: 1-4 MB best on a 2-core EPYC,
# 32 MB and whole-batch patches 20-50% slower).
CHUNK_BYTES = 2 << 20
# Use full-width patches while they cost at most this much extra work.
FULL_WIDTH_MAX_WASTE = 1.5


def out_length(length, k, stride, dilation, lo, hi):
    """Output length of a correlation over ``length`` padded by ``lo``/``hi``."""
    dk = (k - 1) * dilation + 1
    return (length + lo + hi - dk) // stride + 1


def _chunks(n, per_sample_bytes):
    step = max(1, min(n, CHUNK_BYTES // max(1, per_sample_bytes)))
    return [(a, min(n, a + step)) for a in range(0, n, step)]


def _patch_view(buf, body_shape, ksize, strides, dilation, out_rows, width, offset=0):
    """View ``(n, C, *K, *out_rows, width)`` into a flat buffer laid out as ``body_shape``."""
    item = buf.itemsize
    nd = len(ksize)
    row = [prod(body_shape[2 + i + 1:]) * item for i in range(nd)]
    n, c = body_shape[:2]
    sc = prod(body_shape[2:]) * item
    return np.ndarray(shape=(n, c) + tuple(ksize) + tuple(out_rows) + (width,), dtype=buf.dtype,
                      buffer=buf, offset=offset * item,
                      strides=(c * sc, sc) + tuple(row[i] * dilation[i] for i in range(nd))
                      + tuple(row[i] * strides[i] for i in range(nd - 1))
                      + (row[-1] * strides[-1],))


def _source(ws, x, a, b, lo, hi, slack):
    """Flat buffer holding samples ``a:b`` of ``x`` zero-padded, readable ``slack`` items past."""
    nd = x.ndim - 2
    shape = (b - a, x.shape[1]) + tuple(x.shape[2 + i] + lo[i] + hi[i] for i in range(nd))
    padded = any(lo) or any(hi)
    in_place = x.dtype == ws.dtype and x.flags.c_contiguous and (b < x.shape[0] or not slack)
    if not padded and in_place:
        # read x in place: items past this chunk belong to the next sample
        return x.reshape(-1)[a * prod(x.shape[1:]):], shape
    size = prod(shape)
    buf = ws.flat('source', size + slack, zero=padded)
    buf[:size].reshape(shape)[(slice(None), slice(None)) + tuple(
        slice(lo[i], lo[i] + x.shape[2 + i]) for i in range(nd))] = x[a:b]
    return buf, shape


def _grid(padded_last, out_len, stride_last, patch_rows=None, filters=None):
    """Column grid of the patch matrix: full padded rows when that is cheap enough.

    Full rows save copying the patches (``patch_rows`` of them) in short
    runs, but cost a pass over the output or gradient (``filters`` rows)
    to crop or extend it. So a layer with few patch rows per filter, like a
    first layer on 1-3 channels, keeps the exact grid: mnist_cnn's first
    layer (1 -> 32 channels) forward 4.0 -> 2.5 ms and weight gradient
    5.5 -> 3.1 ms; 3 -> 64 channels 5x5 on 32x32 too; 16 -> 16 channels 5x5
    was faster on full rows.
    """
    few_rows = patch_rows is not None and patch_rows < 2 * filters
    if stride_last == 1 and padded_last <= FULL_WIDTH_MAX_WASTE * out_len[-1] and not few_rows:
        return tuple(out_len[:-1]) + (padded_last,)
    return tuple(out_len)


def _columns(ws, x, a, b, ksize, strides, dilation, lo, hi, grid):
    """Patch matrix ``(b - a, C * prod(K), prod(grid))`` of samples ``a:b``."""
    # full-width rows overrun the buffer by up to the kernel's last-axis reach
    slack = (ksize[-1] - 1) * dilation[-1] if grid[-1] == x.shape[-1] + lo[-1] + hi[-1] else 0
    buf, shape = _source(ws, x, a, b, lo, hi, slack)
    n, c = shape[:2]
    if prod(ksize) == 1 and all(s == 1 for s in strides) and tuple(shape[2:]) == tuple(grid):
        return buf[:prod(shape)].reshape(n, c, prod(grid))  # 1x1 kernel: no copy needed
    view = _patch_view(buf, shape, ksize, strides, dilation, grid[:-1], grid[-1])
    cols = ws.array('cols', view.shape)
    np.copyto(cols, view)
    return cols.reshape(n, c * prod(ksize), prod(grid))


def _on_grid(ws, y, grid, out_len):
    """``y`` (n, F, *out_len) zero-extended on the last axis to ``grid``, contiguous."""
    if tuple(grid) == tuple(out_len) and y.flags.c_contiguous and y.dtype == ws.dtype:
        return y
    ext = ws.array('grid', y.shape[:2] + tuple(grid), zero=tuple(grid) != tuple(out_len))
    ext[..., :out_len[-1]] = y
    return ext


def _geometry(x_shape, w_shape, strides, dilation, lo, hi, groups):
    c = x_shape[1]
    f, cg = w_shape[:2]
    ksize = tuple(w_shape[2:])
    if c != cg * groups:
        raise ValueError('Convolution: input has %d channels but the kernel expects %d '
                         '(kernel shape %s, %d group(s)).'
                         % (c, cg * groups, tuple(w_shape), groups))
    out_len = tuple(out_length(L, k, s, d, a, b) for L, k, s, d, a, b
                    in zip(x_shape[2:], ksize, strides, dilation, lo, hi))
    if any(o <= 0 for o in out_len):
        raise ValueError('Convolution: kernel %s (dilation %s) does not fit the padded input %s.'
                         % (ksize, tuple(dilation), tuple(x_shape[2:])))
    return f, ksize, out_len


def conv_forward(x, w, strides, dilation, lo, hi, groups=1, bias=None):
    """``y[n, f, o] = sum_{c, k} w[f, c, k] * xpad[n, c, o * stride + k * dilation] + bias[f]``.

    The bias (optional, shape ``(F,)``) is added to each chunk while it is in
    cache. As a separate graph node, PyTensor fused the broadcast add with the
    activation into a pass that took 11-13 ms per layer of mnist_cnn (C-mode
    profile of the training step, (128, 32, 26, 26) outputs); here it costs
    about 1 ms.
    """
    f, ksize, out_len = _geometry(x.shape, w.shape, strides, dilation, lo, hi, groups)
    n, c = x.shape[:2]
    dtype = np.result_type(x.dtype, w.dtype)
    if bias is not None and np.shape(bias) != (f,):
        raise ValueError('Convolution: the bias has shape %s but the kernel has %d filters.'
                         % (np.shape(bias), f))
    if winograd_numba.applies(ksize, strides, dilation, groups, c, f, lo, hi, dtype):
        return winograd_numba.forward(x, w, lo, hi, bias)
    g, fg, cgk = groups, f // groups, (c // groups) * prod(ksize)
    wm = np.ascontiguousarray(w, dtype=dtype).reshape(g, fg, cgk)
    out = np.empty((n, f) + out_len, dtype=dtype)
    grid = _grid(x.shape[-1] + lo[-1] + hi[-1], out_len, strides[-1], cgk, fg)
    p = prod(grid)
    if bias is not None:
        bias_col = np.asarray(bias, dtype=dtype).reshape(g, fg, 1)

    def chunk(bounds):
        a, b = bounds
        ws = workspace(dtype)
        cols = _columns(ws, x, a, b, ksize, strides, dilation, lo, hi, grid)
        on_grid = grid == out_len
        target = out[a:b] if on_grid else ws.array('y', (b - a, f) + grid)
        target = target.reshape(b - a, g, fg, p)
        if g == 1:
            np.matmul(wm[0], cols, out=target[:, 0])
        else:
            np.matmul(wm, cols.reshape(b - a, g, cgk, p), out=target)
        if bias is not None:
            target += bias_col
        if not on_grid:
            out[a:b] = target.reshape((b - a, f) + grid)[..., :out_len[-1]]

    parallel_map(chunk, _chunks(n, c * prod(ksize) * p * dtype.itemsize))
    return out


def channel_sum(y):
    """Sum of ``y`` (N, C, *L) over every axis but the channels: the gradient of a bias.

    A matrix-vector product per chunk (against ones) on the worker threads:
    1.3-1.6 ms for mnist_cnn's (128, 32, 26, 26) gradient in its training step,
    where PyTensor's C ``Sum`` over axes (0, 2, 3), accumulating in float64,
    took 10-11 ms.
    """
    n, c = y.shape[:2]
    flat = np.ascontiguousarray(y).reshape(n, c, -1)
    ones = np.ones(flat.shape[2], dtype=flat.dtype)

    def chunk(bounds):
        a, b = bounds
        return (flat[a:b] @ ones).sum(axis=0)

    parts = parallel_map(chunk, _chunks(n, flat[0].nbytes))
    return np.sum(parts, axis=0, dtype=y.dtype) if parts else np.zeros(c, y.dtype)


def conv_grad_weights(x, gy, ksize, strides, dilation, lo, hi, groups=1):
    """Gradient of :func:`conv_forward` with respect to ``w``: shape ``(F, C // groups, *K)``."""
    n, c = x.shape[:2]
    f = gy.shape[1]
    ksize, out_len = tuple(ksize), tuple(gy.shape[2:])
    dtype = np.result_type(x.dtype, gy.dtype)
    g, fg, cgk = groups, f // groups, (c // groups) * prod(ksize)
    if winograd_numba.applies(ksize, strides, dilation, groups, c, f, lo, hi, dtype):
        return winograd_numba.grad_weights(x, gy, lo)
    grid = _grid(x.shape[-1] + lo[-1] + hi[-1], out_len, strides[-1], cgk, fg)
    p = prod(grid)

    def chunk(bounds):
        a, b = bounds
        ws = workspace(dtype)
        cols = _columns(ws, x, a, b, ksize, strides, dilation, lo, hi, grid)
        gyc = _on_grid(ws, gy[a:b], grid, out_len).reshape(b - a, g, fg, p)
        # per-sample GEMMs (BLAS reads the transposed patches in place), then a small sum;
        # off-grid columns meet zeros in gyc
        part = ws.array('dw', (b - a, g, fg, cgk))
        np.matmul(gyc, cols.reshape(b - a, g, cgk, p).swapaxes(-1, -2), out=part)
        return part.sum(axis=0)

    parts = parallel_map(chunk, _chunks(n, c * prod(ksize) * p * dtype.itemsize))
    dw = np.sum(parts, axis=0, dtype=dtype) if parts else np.zeros((g, fg, cgk), dtype)
    return dw.reshape((f, c // groups) + ksize)


def conv_grad_inputs(w, gy, in_len, strides, dilation, lo, groups=1):
    """Gradient of :func:`conv_forward` with respect to ``x`` (spatial size ``in_len``).

    Also the transposed convolution (deconvolution) of ``gy``. Only the low
    padding matters: contributions that land past ``in_len`` are dropped.
    """
    n, f = gy.shape[:2]
    c = w.shape[1] * groups
    ksize, out_len = tuple(w.shape[2:]), tuple(gy.shape[2:])
    in_len = tuple(int(v) for v in in_len)
    if f != w.shape[0]:
        raise ValueError('Transposed convolution: input has %d channels but the kernel expects '
                         '%d (kernel shape %s).' % (f, w.shape[0], tuple(w.shape)))
    nd = len(ksize)
    if all(s == 1 for s in strides):
        # stride 1: a plain correlation of the padded gradient with the flipped,
        # transposed kernel (measured 25-35% faster than scattering patches back)
        dks = [(k - 1) * d + 1 for k, d in zip(ksize, dilation)]
        lo2 = [dk - 1 - a for dk, a in zip(dks, lo)]
        hi2 = [L - 1 + dk - o - a for L, dk, o, a in zip(in_len, dks, out_len, lo2)]
        if min(lo2) >= 0 and min(hi2) >= 0:
            cg, fg = w.shape[1], f // groups
            flipped = np.asarray(w)[(slice(None), slice(None)) + (slice(None, None, -1),) * nd]
            wt = flipped.reshape((groups, fg, cg) + ksize).swapaxes(1, 2).reshape((c, fg) + ksize)
            return conv_forward(gy, wt, strides, dilation, lo2, hi2, groups)
    dtype = np.result_type(w.dtype, gy.dtype)
    g, fg, cgk = groups, f // groups, w.shape[1] * prod(ksize)
    wt = np.ascontiguousarray(np.asarray(w, dtype=dtype).reshape(g, fg, cgk).swapaxes(1, 2))
    # padded extent reached by every (output, kernel offset) pair
    span = tuple(max(lo[i] + in_len[i], (out_len[i] - 1) * strides[i]
                     + (ksize[i] - 1) * dilation[i] + 1) for i in range(nd))
    grid = _grid(span[-1], out_len, strides[-1])
    full = grid != out_len
    slack = (ksize[-1] - 1) * dilation[-1] if full else 0
    p = prod(grid)
    dx = np.empty((n, c) + in_len, dtype=dtype)
    crop = (slice(None), slice(None)) + tuple(slice(lo[i], lo[i] + in_len[i]) for i in range(nd))
    offsets = list(itertools.product(*[range(s) for s in ksize]))

    def chunk(bounds):
        a, b = bounds
        m = b - a
        ws = workspace(dtype)
        gyc = _on_grid(ws, gy[a:b], grid, out_len).reshape(m, g, fg, p)
        dcols = ws.array('dcols', (m, g, cgk, p))
        np.matmul(wt, gyc, out=dcols)
        dcols = dcols.reshape((m, c) + ksize + grid)
        shape = (m, c) + span
        buf = ws.flat('dx', prod(shape) + slack, zero=True)
        body = buf[:prod(shape)].reshape(shape)
        for k in offsets:
            if full:  # whole padded rows: one long run per channel (off-grid columns add zeros)
                offset = sum(k[i] * dilation[i] * prod(span[i + 1:]) for i in range(nd))
                region = _patch_view(buf, shape, (1,) * nd, strides, dilation, grid[:-1],
                                     grid[-1], offset)[(slice(None), slice(None)) + (0,) * nd]
            else:
                region = body[(slice(None), slice(None)) + tuple(
                    slice(k[i] * dilation[i],
                          k[i] * dilation[i] + (out_len[i] - 1) * strides[i] + 1, strides[i])
                    for i in range(nd))]
            region += dcols[(slice(None), slice(None)) + k]
        dx[a:b] = body[crop]

    parallel_map(chunk, _chunks(n, c * prod(ksize) * p * dtype.itemsize))
    return dx
