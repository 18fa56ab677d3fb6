"""Numba kernels for 1-D and 2-D pooling and its gradient, a plane at a time.

Same semantics as ``pool_numpy`` (Theano's): ``pad`` cells on both sides,
left out of the maximum and of the average's count; every element equal to
its window's maximum receives that window's gradient. NumPy's version makes
one pass per window offset; here each (sample, channel) plane is visited
once, and ``pool_numpy`` hands ranges of planes to the worker threads
(the kernels release the GIL). Measured on mnist_cnn's 2x2 pooling of a
(128, 32, 24, 24) batch, one thread: NumPy 8 ms forward and 22 ms gradient,
these 6 and 18 ms; two threads 3 and 8.5 ms. The gradient of
non-overlapping windows without padding (2x2 pooling, stride 2) has its own
kernel: 15.8 -> 2.9 ms for the same batch on one thread (4.8 ms instead of
10-11 ms in the profiled mnist_cnn training step, two threads).

Arrays are planes ``(P, H, W)``: any leading axes flattened, a 1-D input
given one row.

>>> import numpy as np
>>> x = np.arange(16, dtype='float32').reshape(1, 4, 4)
>>> out = np.empty((1, 2, 2), 'float32')
>>> pool2d_forward(x, 2, 2, 2, 2, 0, 0, True, out)
>>> out[0].tolist()
[[5.0, 7.0], [13.0, 15.0]]
"""
import numpy as np
from numba import njit


@njit(cache=True)
def _spans(n_out, stride, pad, size, length):
    """First and one-past-last input index of each window (padding cells left out)."""
    lo, hi = np.empty(n_out, np.int64), np.empty(n_out, np.int64)
    for o in range(n_out):
        start = o * stride - pad
        lo[o], hi[o] = max(start, 0), min(start + size, length)
    return lo, hi


@njit(cache=True, nogil=True)
def pool2d_forward(x, wy, wx, sy, sx, py, px, is_max, out):
    """``out`` (P, OH, OW) = max (or mean over real cells) of each window of ``x`` (P, H, W)."""
    oh, ow = out.shape[1], out.shape[2]
    ys0, ys1 = _spans(oh, sy, py, wy, x.shape[1])
    xs0, xs1 = _spans(ow, sx, px, wx, x.shape[2])
    for p in range(x.shape[0]):
        src, dst = x[p], out[p]
        for oy in range(oh):
            row = dst[oy]
            # row by row over the window, so each input line is read contiguously
            for ox in range(ow):
                row[ox] = src[ys0[oy], xs0[ox]] if is_max else 0
            for yy in range(ys0[oy], ys1[oy]):
                line = src[yy]
                for ox in range(ow):
                    acc = row[ox]
                    for xx in range(xs0[ox], xs1[ox]):
                        v = line[xx]
                        if is_max:
                            acc = v if v > acc else acc
                        else:
                            acc += v
                    row[ox] = acc
            if not is_max:
                for ox in range(ow):
                    row[ox] /= max(1, (ys1[oy] - ys0[oy]) * (xs1[ox] - xs0[ox]))


@njit(cache=True, nogil=True)
def pool2d_grad(x, out, gz, wy, wx, sy, sx, py, px, is_max, gx):
    """``gx`` (P, H, W): the gradient of :func:`pool2d_forward` given ``gz`` (P, OH, OW)."""
    oh, ow = out.shape[1], out.shape[2]
    ys0, ys1 = _spans(oh, sy, py, wy, x.shape[1])
    xs0, xs1 = _spans(ow, sx, px, wx, x.shape[2])
    for p in range(x.shape[0]):
        src, top, g, dst = x[p], out[p], gz[p], gx[p]
        dst[:, :] = 0
        for oy in range(oh):
            trow, grow = top[oy], g[oy]
            for yy in range(ys0[oy], ys1[oy]):
                line, dline = src[yy], dst[yy]
                for ox in range(ow):
                    gv = grow[ox]
                    if is_max:
                        m = trow[ox]
                        for xx in range(xs0[ox], xs1[ox]):
                            if line[xx] == m:
                                dline[xx] += gv
                    else:
                        share = gv / max(1, (ys1[oy] - ys0[oy]) * (xs1[ox] - xs0[ox]))
                        for xx in range(xs0[ox], xs1[ox]):
                            dline[xx] += share


@njit(cache=True, nogil=True)
def tiled_grad(x, out, gz, wy, wx, is_max, gx):
    """:func:`pool2d_grad` for ``wy x wx`` windows at stride ``wy x wx``, no padding.

    Each cell is in at most one window, so it is written once, with no
    zeroing pass first and no accumulation.
    """
    oh, ow = out.shape[1], out.shape[2]
    for p in range(x.shape[0]):
        src, top, g, dst = x[p], out[p], gz[p], gx[p]
        for oy in range(oh):
            trow, grow = top[oy], g[oy]
            for dy in range(wy):
                line, dline = src[oy * wy + dy], dst[oy * wy + dy]
                for ox in range(ow):
                    m, gv = trow[ox], grow[ox]
                    if not is_max:
                        gv /= wy * wx
                    for dx in range(ox * wx, ox * wx + wx):
                        dline[dx] = gv if (not is_max or line[dx] == m) else 0
            for yy in range(oy * wy, oy * wy + wy):  # cells past the last whole window
                dst[yy, ow * wx:] = 0
        dst[oh * wy:, :] = 0


_U = np.uint64


@njit(cache=True, inline='always')
def _window_rows(x, out, p, oy):
    """Flat offsets of the two input rows under output row ``oy`` of plane ``p``, and of that row."""
    h, w = x.shape[1], x.shape[2]
    r0 = _U((p * h + 2 * oy) * w)
    return r0, r0 + _U(w), _U((p * out.shape[1] + oy) * out.shape[2])


@njit(cache=True, nogil=True, fastmath=True, boundscheck=False)
def pool2x2_forward(x, is_max, out):
    """:func:`pool2d_forward` for 2x2 windows at stride 2, no padding (Keras' default pooling).

    Unsigned flat indices let LLVM vectorise the window loads (with Numba's
    signed-index checks the loops stayed scalar): a (128, 32, 24, 24) batch
    on one thread took 0.5-0.8 ms instead of 3.5-6.4.
    """
    oh, ow = out.shape[1], out.shape[2]
    xf, of = x.reshape(-1), out.reshape(-1)
    for p in range(x.shape[0]):
        for oy in range(oh):
            r0, r1, o = _window_rows(x, out, p, oy)
            for i in range(ow):
                ox = _U(i)
                c = ox + ox
                a, b = xf[r0 + c], xf[r0 + c + _U(1)]
                d, e = xf[r1 + c], xf[r1 + c + _U(1)]
                if is_max:
                    of[o + ox] = max(max(a, b), max(d, e))
                else:
                    of[o + ox] = (a + b + d + e) / 4


@njit(cache=True, nogil=True, fastmath=True, boundscheck=False)
def pool2x2_grad(x, out, gz, is_max, gx):
    """:func:`tiled_grad` for 2x2 windows (1.6-1.9 ms instead of 4.2 on one thread, same batch)."""
    oh, ow = out.shape[1], out.shape[2]
    xf, of, gf, df = x.reshape(-1), out.reshape(-1), gz.reshape(-1), gx.reshape(-1)
    for p in range(x.shape[0]):
        for oy in range(oh):
            r0, r1, o = _window_rows(x, out, p, oy)
            for i in range(ow):
                ox = _U(i)
                c = ox + ox
                g = gf[o + ox]
                if is_max:
                    m = of[o + ox]
                    df[r0 + c] = g if xf[r0 + c] == m else 0
                    df[r0 + c + _U(1)] = g if xf[r0 + c + _U(1)] == m else 0
                    df[r1 + c] = g if xf[r1 + c] == m else 0
                    df[r1 + c + _U(1)] = g if xf[r1 + c + _U(1)] == m else 0
                else:
                    g = g / 4
                    df[r0 + c] = g
                    df[r0 + c + _U(1)] = g
                    df[r1 + c] = g
                    df[r1 + c + _U(1)] = g
        # cells past the last whole window (odd sizes) get no gradient
        gx[p, :, 2 * ow:] = 0
        gx[p, 2 * oh:, :] = 0


def planes(a, nd):
    """``a`` viewed as (P, H, W) planes over its last ``nd`` (1 or 2) axes."""
    if nd == 1:
        return a.reshape(-1, 1, a.shape[-1])
    return a.reshape((-1,) + a.shape[-2:])


def params(ws, strides, pad):
    """(wy, wx, sy, sx, py, px) of a 1-D or 2-D pooling."""
    if len(ws) == 1:
        return (1, ws[0], 1, strides[0], 0, pad[0])
    return (ws[0], ws[1], strides[0], strides[1], pad[0], pad[1])
