"""NumPy kernels behind the pooling Ops (max and average, 1-D to 3-D, channels first).

Theano's padding semantics (Keras 1 on Theano): ``pad`` cells on *both* sides,
excluded from max and from the average's count; with ``same=True`` the output
is cropped to ``ceil(L / stride)``. Windows are visited one offset at a time
(``prod(pool)`` vectorised passes), which also gives the gradients::

    y = pool_forward(x, ws=(2, 2), strides=(2, 2), pad=(0, 0), mode='max', same=False)

Max-pool gradients go to every element equal to its window's maximum, as in
Theano (ties all receive the gradient).
"""
import itertools

import numpy as np

from ..runtime.threads import parallel_map, split, workers

try:
    from . import pool_numba
except ImportError:  # PyTensor without numba: the NumPy passes serve every case
    pool_numba = None


def pool_out_length(length, ws, stride, pad, same):
    """Output length of one pooled axis; 0 when no window fits (Theano: ``max(out, 0)``)."""
    out = (length + 2 * pad - ws) // stride + 1
    if same:
        out = min(out, (length + stride - 1) // stride)
    return max(out, 0)


def _geometry(in_len, ws, strides, pad, same):
    out_len = tuple(pool_out_length(L, w, s, p, same)
                    for L, w, s, p in zip(in_len, ws, strides, pad))
    if 0 in out_len:
        return out_len, (0,) * len(out_len)  # no window: nothing is read (see _no_window)
    # high padding actually reached by the last window (at most ``pad``)
    hi = tuple(max(0, (o - 1) * s + w - p - L)
               for o, s, w, p, L in zip(out_len, strides, ws, pad, in_len))
    return out_len, hi


def _no_window(x, out_len):
    """Whether pooling ``x`` visits no window: an empty input, or a pool larger than a
    'valid' input. The kernels below (and Numba's, which index the first window) are
    skipped then; the results are empty, and the gradients zero."""
    return x.size == 0 or 0 in out_len


def _windows(ws, strides, out_len):
    """For each window offset, the slices of the padded input it reads."""
    for k in itertools.product(*[range(w) for w in ws]):
        yield (Ellipsis,) + tuple(slice(k[i], k[i] + (out_len[i] - 1) * strides[i] + 1, strides[i])
                                  for i in range(len(ws)))


def _padded(x, pad, hi, value):
    nd = len(pad)
    if not any(pad) and not any(hi):
        return x
    widths = [(0, 0)] * (x.ndim - nd) + list(zip(pad, hi))
    return np.pad(x, widths, mode='constant', constant_values=value)


def _counts(in_len, ws, strides, pad, out_len, dtype):
    """Number of real (non-padding) cells in each window, broadcastable to the output."""
    counts = np.ones((), dtype=dtype)
    for i, (L, w, s, p, o) in enumerate(zip(in_len, ws, strides, pad, out_len)):
        start = np.arange(o) * s - p
        n = np.minimum(start + w, L) - np.maximum(start, 0)
        counts = np.multiply.outer(counts, n.astype(dtype))
    return counts


def _is_tiled(ws, strides, pad, hi):
    """Non-overlapping windows without padding (2x2 pooling, stride 2): the common case."""
    return tuple(ws) == tuple(strides) and not any(pad) and not any(hi)


def _is_2x2(ws, strides, pad, hi):
    """2-D 2x2 pooling at stride 2, no padding: Keras' default, with its own kernels."""
    return tuple(ws) == (2, 2) and _is_tiled(ws, strides, pad, hi)


def _by_planes(kernel, arrays, result, nd, params):
    """Run a Numba pooling kernel over ranges of planes on the worker threads."""
    views = [pool_numba.planes(a, nd) for a in arrays]
    dst = pool_numba.planes(result, nd)

    def chunk(bounds):
        a, b = bounds
        kernel(*(v[a:b] for v in views), *params, dst[a:b])

    parallel_map(chunk, split(dst.shape[0], workers()))


def pool_forward(x, ws, strides, pad, mode, same):
    """Max or average ('avg', padding excluded) pooling over the last ``len(ws)`` axes."""
    nd = len(ws)
    in_len = x.shape[-nd:]
    out_len, hi = _geometry(in_len, ws, strides, pad, same)
    if _no_window(x, out_len):
        return np.zeros(x.shape[:-nd] + out_len, dtype=x.dtype)
    if pool_numba is not None and nd <= 2:
        x = np.ascontiguousarray(x)
        out = np.empty(x.shape[:-nd] + out_len, dtype=x.dtype)
        if _is_2x2(ws, strides, pad, hi):
            _by_planes(pool_numba.pool2x2_forward, [x], out, nd, (mode == 'max',))
        else:
            _by_planes(pool_numba.pool2d_forward, [x], out, nd,
                       pool_numba.params(ws, strides, pad) + (mode == 'max',))
        return out
    if mode == 'max':
        xp = _padded(x, pad, hi, -np.inf)
        out = None
        for sl in _windows(ws, strides, out_len):
            out = xp[sl].copy() if out is None else np.maximum(out, xp[sl], out=out)
        return out
    xp = _padded(x, pad, hi, 0)
    out = np.zeros(x.shape[:-nd] + out_len, dtype=x.dtype)
    for sl in _windows(ws, strides, out_len):
        out += xp[sl]
    out /= _counts(in_len, ws, strides, pad, out_len, x.dtype)
    return out


def pool_grad(x, out, gz, ws, strides, pad, mode, same):
    """Gradient of :func:`pool_forward` with respect to ``x`` (``out`` is its max output)."""
    nd = len(ws)
    in_len = x.shape[-nd:]
    out_len, hi = _geometry(in_len, ws, strides, pad, same)
    dtype = np.result_type(x.dtype, gz.dtype)
    if _no_window(x, out_len):
        return np.zeros(x.shape, dtype=dtype)
    if pool_numba is not None and nd <= 2:
        x, out, gz = (np.ascontiguousarray(a, dtype=dtype) for a in (x, out, gz))
        gx = np.empty(x.shape, dtype=dtype)
        wy, wx, sy, sx, py, px = pool_numba.params(ws, strides, pad)
        if _is_2x2(ws, strides, pad, hi):
            _by_planes(pool_numba.pool2x2_grad, [x, out, gz], gx, nd, (mode == 'max',))
        elif _is_tiled(ws, strides, pad, hi):
            _by_planes(pool_numba.tiled_grad, [x, out, gz], gx, nd, (wy, wx, mode == 'max'))
        else:
            _by_planes(pool_numba.pool2d_grad, [x, out, gz], gx, nd,
                       (wy, wx, sy, sx, py, px, mode == 'max'))
        return gx
    if _is_tiled(ws, strides, pad, hi):
        # each cell is in at most one window: write the gradient in place, no padded copy
        # (measured 3x faster than accumulating into a padded buffer)
        covered = all(o * w == L for o, w, L in zip(out_len, ws, in_len))
        gx = (np.empty if covered else np.zeros)(x.shape, dtype=dtype)
        share = gz if mode == 'max' else gz / np.asarray(np.prod(ws), dtype=dtype)
        for sl in _windows(ws, strides, out_len):
            if mode == 'max':
                np.multiply(gz, x[sl] == out, out=gx[sl])
            else:
                gx[sl] = share
        return gx
    gxp = np.zeros(x.shape[:-nd] + tuple(L + p + h for L, p, h in zip(in_len, pad, hi)),
                   dtype=dtype)
    if mode == 'max':
        xp = _padded(x, pad, hi, -np.inf)
        for sl in _windows(ws, strides, out_len):
            gxp[sl] += np.where(xp[sl] == out, gz, 0)
    else:
        share = gz / _counts(in_len, ws, strides, pad, out_len, dtype)
        for sl in _windows(ws, strides, out_len):
            gxp[sl] += share
    return np.ascontiguousarray(gxp[(Ellipsis,) + tuple(slice(p, p + L)
                                                        for p, L in zip(pad, in_len))])


def max_pool_grad_grad(x, out, gg, ws, strides, pad, same):
    """Derivative of the max-pool gradient in ``gz``, applied to ``gg`` (shaped like x)."""
    nd = len(ws)
    in_len = x.shape[-nd:]
    out_len, hi = _geometry(in_len, ws, strides, pad, same)
    if _no_window(x, out_len):
        return np.zeros(out.shape, dtype=np.result_type(gg.dtype, x.dtype))
    xp = _padded(x, pad, hi, -np.inf)
    ggp = _padded(gg, pad, hi, 0)
    res = np.zeros(out.shape, dtype=np.result_type(gg.dtype, x.dtype))
    for sl in _windows(ws, strides, out_len):
        res += np.where(xp[sl] == out, ggp[sl], 0)
    return res
