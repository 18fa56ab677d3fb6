"""Numba kernels for the fused recurrent loops (LSTM, GRU, SimpleRNN), forward and backward.

Time-major arrays: ``xp`` (time, samples, gates*units) holds the input
projections (``x.W + b``, computed outside the loop as one big GEMM), ``U``
(units, gates*units) the recurrent weights, gate blocks in the order
LSTM i,f,c,o / GRU z,r,h. ``mask`` is (time, samples) of 0/1, or empty;
``bu`` is (groups, samples, units), the recurrent-dropout masks (groups: 1
shared mask, or one per gate block), or empty. A masked step keeps the
previous states. The forward kernels keep the pre-activations ``zs`` so the
backward pass needs no recomputation; recurrent-weight gradients are one
GEMM over all steps after the loop.

Activation codes: 0 linear, 1 tanh, 2 sigmoid, 3 hard_sigmoid, 4 relu
(the derivative of each is a function of its value, so the backward pass
needs only the stored pre-activations). With ``fast`` (float32 data) tanh is
a rational approximation (|error| < 3e-7) much cheaper than libm's.

>>> import numpy as np
>>> xp = np.zeros((3, 2, 16), 'float32'); U = np.zeros((4, 16), 'float32')
>>> h0 = c0 = np.zeros((2, 4), 'float32')
>>> hs, cs, zs = lstm_forward(xp, U, h0, c0, EMPTY2, EMPTY3, 1, 3, True)
"""
import numpy as np
from numba import njit

EMPTY2 = np.zeros((0, 0), 'float32')
EMPTY3 = np.zeros((0, 0, 0), 'float32')


_F32 = np.float32
_TANH_CLIP = 7.90531110763549805


@njit(cache=True, inline='always', fastmath=True)
def _fast_tanh(x):
    # Eigen's float rational approximation, in single precision (|error| < 3e-7):
    # the conditional clamps and float32 constants let LLVM vectorise the loops
    # (measured 3-4x faster than the same in double precision with min/max)
    x = _F32(-_TANH_CLIP) if x < _F32(-_TANH_CLIP) else x
    x = _F32(_TANH_CLIP) if x > _F32(_TANH_CLIP) else x
    x2 = x * x
    p = x2 * _F32(-2.76076847742355e-16) + _F32(2.00018790482477e-13)
    p = p * x2 + _F32(-8.60467152213735e-11)
    p = p * x2 + _F32(5.12229709037114e-08)
    p = p * x2 + _F32(1.48572235717979e-05)
    p = p * x2 + _F32(6.37261928875436e-04)
    p = p * x2 + _F32(4.89352455891786e-03)
    q = x2 * _F32(1.19825839466702e-06) + _F32(1.18534705686654e-04)
    q = q * x2 + _F32(2.26843463243900e-03)
    q = q * x2 + _F32(4.89352518554385e-03)
    return x * p / q


@njit(cache=True, inline='always')
def _sigmoid(x):
    return 1. / (1. + np.exp(-x))


@njit(cache=True, inline='always')
def _hard_sigmoid(x):
    y = x * 0.2 + 0.5
    return 0. if y < 0. else (1. if y > 1. else y)


# The activation kind is tested once per block, outside the loops, and each row is
# a contiguous 1-D slice, so that each loop is a plain elementwise loop that LLVM
# can vectorise.
@njit(cache=True)
def act_block(src, scol, dst, dcol, n, kind, fast):
    """dst[b, dcol + j] = activation ``kind`` of src[b, scol + j] for j < n (in place allowed)."""
    for b in range(dst.shape[0]):
        s = src[b, scol:scol + n]
        d = dst[b, dcol:dcol + n]
        if kind == 1:
            if fast:
                for j in range(n):
                    d[j] = _fast_tanh(_F32(s[j]))
            else:
                for j in range(n):
                    d[j] = np.tanh(s[j])
        elif kind == 3:
            for j in range(n):
                d[j] = _hard_sigmoid(s[j])
        elif kind == 2:
            for j in range(n):
                d[j] = _sigmoid(np.float64(s[j]))
        elif kind == 4:
            for j in range(n):
                d[j] = s[j] if s[j] > 0. else 0.
        else:
            for j in range(n):
                d[j] = s[j]


@njit(cache=True)
def dact_block(y, col0, dst, kind):
    """dst[b, j] = derivative of activation ``kind`` given its value y[b, col0 + j]."""
    n = dst.shape[1]
    for b in range(dst.shape[0]):
        v, d = y[b, col0:col0 + n], dst[b]
        if kind == 1:
            for j in range(n):
                d[j] = 1. - v[j] * v[j]
        elif kind == 3:
            # clip's gradient: 0.2 strictly inside the linear part (Theano/PyTensor count
            # the boundaries in too; they are hit with probability zero)
            for j in range(n):
                d[j] = 0.2 if 0. < v[j] < 1. else 0.
        elif kind == 2:
            for j in range(n):
                d[j] = v[j] * (1. - v[j])
        elif kind == 4:
            for j in range(n):
                d[j] = 1. if v[j] > 0. else 0.
        else:
            for j in range(n):
                d[j] = 1.


@njit(cache=True)
def _add_into(a, b, out):
    """out[:, :n] = a + b for 2D arrays a, b of n columns (out may be wider)."""
    for i in range(a.shape[0]):
        ai, bi, oi = a[i], b[i], out[i]
        for j in range(a.shape[1]):
            oi[j] = ai[j] + bi[j]


@njit(cache=True)
def _keep_rows(mask_t, new, old, zero):
    """Masked samples keep their previous state; their saved values are zeroed."""
    for b in range(new.shape[0]):
        if mask_t[b] == 0:
            for j in range(new.shape[1]):
                new[b, j] = old[b, j]
            for j in range(zero.shape[1]):
                zero[b, j] = 0.


@njit(cache=True)
def _blocks(U, n):
    """The n column blocks of U as a contiguous (n, rows, cols/n) array."""
    w = U.shape[1] // n
    out = np.empty((n, U.shape[0], w), U.dtype)
    for k in range(n):
        out[k] = U[:, k * w:(k + 1) * w]
    return out


@njit(cache=True)
def _masked_dot(h, bu, g, Ub, out):
    """out = (h * bu[g]) . Ub, or h . Ub without recurrent dropout."""
    if bu.shape[0] == 0:
        np.dot(h, Ub, out)
    else:
        np.dot(h * bu[g], Ub, out)


@njit(cache=True)
def _recurrent(h, bu, Ublocks, out):
    """out[:, block k] = (h * bu[k]) . U_k, all blocks in one GEMM when they share a mask."""
    G = bu.shape[0]
    if G <= 1:
        _masked_dot(h, bu, 0, Ublocks[0], out)
        return
    w = Ublocks.shape[2]
    tmp = np.empty((h.shape[0], w), h.dtype)
    for k in range(G):
        np.dot(h * bu[k], Ublocks[k], tmp)
        out[:, k * w:(k + 1) * w] = tmp


@njit(cache=True)
def _recurrent_back(dz, bu, UTblocks, out):
    """out = sum_k (dz[:, block k] . U_k^T) * bu[k]."""
    G = bu.shape[0]
    if G == 0:
        np.dot(dz, UTblocks[0], out)
        return
    if G == 1:
        np.dot(dz, UTblocks[0], out)
        out *= bu[0]
        return
    w = UTblocks.shape[1]
    tmp = np.empty_like(out)
    out[:] = 0.
    for k in range(G):
        np.dot(np.ascontiguousarray(dz[:, k * w:(k + 1) * w]), UTblocks[k], tmp)
        out += tmp * bu[k]


@njit(cache=True)
def _weight_grad(hprev, dz, bu, first_block, n_blocks, G, out):
    """out[:, block] = sum_t (h_{t-1} * bu)^T . dz[:, :, block] for the selected blocks."""
    T, B, H = hprev.shape
    w = dz.shape[2] // n_blocks if G > 1 else dz.shape[2]
    hp = hprev.reshape((T * B, H))
    dz2 = dz.reshape((T * B, dz.shape[2]))
    if G <= 1:
        lhs = hp if G == 0 else (hprev * bu[0]).reshape((T * B, H))
        np.dot(np.ascontiguousarray(lhs.T), dz2, out)
        return
    for k in range(n_blocks):
        lhs = (hprev * bu[first_block + k]).reshape((T * B, H))
        out[:, k * w:(k + 1) * w] = np.dot(np.ascontiguousarray(lhs.T),
                                           np.ascontiguousarray(dz2[:, k * w:(k + 1) * w]))


@njit(cache=True)
def _check(xp, U, h0, mask, bu, gates):
    """Raise on inconsistent shapes (the loops below do not bounds-check)."""
    T, B, GH = xp.shape
    H = U.shape[0]
    if U.shape[1] != GH or GH != gates * H:
        raise ValueError('rnn_sequence: the input projections and the recurrent weights do not '
                         'match (expected xp (time, samples, gates*units), U (units, '
                         'gates*units)).')
    if h0.shape[0] != B or h0.shape[1] != H:
        raise ValueError('rnn_sequence: the initial states do not match the batch: a stateful '
                         'recurrent layer needs every batch to have its fixed batch size.')
    if mask.shape[0] > 0 and (mask.shape[0] != T or mask.shape[1] != B):
        raise ValueError('rnn_sequence: the mask does not match the input (samples, time).')
    if bu.shape[0] > 0 and (bu.shape[1] != B or bu.shape[2] != H):
        raise ValueError('rnn_sequence: the recurrent dropout masks do not match the batch.')


@njit(cache=True)
def _previous(hs, h0):
    """States entering each step: [h0, hs[0], ..., hs[T-2]]."""
    hprev = np.empty_like(hs)
    if hs.shape[0] > 0:
        hprev[0] = h0
        hprev[1:] = hs[:-1]
    return hprev


@njit(cache=True)
def _transposed_block_stack(U, G):
    """(G, cols/G, rows): the transpose of each column block of U, contiguous."""
    w = U.shape[1] // G
    out = np.empty((G, w, U.shape[0]), U.dtype)
    for k in range(G):
        out[k] = U[:, k * w:(k + 1) * w].T
    return out


# ---------------------------------------------------------------------------------- LSTM
@njit(cache=True)
def lstm_forward(xp, U, h0, c0, mask, bu, act_kind, inner_kind, fast):
    """States (hs, cs) of every step, and ``saved`` (time, samples, 5*units): the gate
    values i, f, g = act(x_c + h.U_c), o and act(c), all the backward pass needs."""
    _check(xp, U, h0, mask, bu, 4)
    _check(xp, U, c0, mask, bu, 4)
    T, B, H4 = xp.shape
    H = H4 // 4
    Ub = _blocks(np.ascontiguousarray(U), max(bu.shape[0], 1))
    hs = np.empty((T, B, H), xp.dtype)
    cs = np.empty((T, B, H), xp.dtype)
    saved = np.empty((T, B, 5 * H), xp.dtype)
    h0 = np.ascontiguousarray(h0)
    c0 = np.ascontiguousarray(c0)
    rec = np.empty((B, H4), xp.dtype)
    masked = mask.shape[0] > 0
    # every value is written straight into its output: copies cost more than the math
    for t in range(T):
        h_prev = hs[t - 1] if t > 0 else h0
        c_prev = cs[t - 1] if t > 0 else c0
        g, h, c = saved[t], hs[t], cs[t]
        _recurrent(h_prev, bu, Ub, rec)
        _add_into(xp[t], rec, g)
        act_block(g, 0, g, 0, 2 * H, inner_kind, fast)      # i, f
        act_block(g, 2 * H, g, 2 * H, H, act_kind, fast)    # g
        act_block(g, 3 * H, g, 3 * H, H, inner_kind, fast)  # o
        for b in range(B):
            gi, gf, gg, cb, cp = g[b, :H], g[b, H:2 * H], g[b, 2 * H:3 * H], c[b], c_prev[b]
            for j in range(H):
                cb[j] = gf[j] * cp[j] + gi[j] * gg[j]
        act_block(c, 0, g, 4 * H, H, act_kind, fast)
        for b in range(B):
            go, ga, hb = g[b, 3 * H:4 * H], g[b, 4 * H:], h[b]
            for j in range(H):
                hb[j] = go[j] * ga[j]
        if masked:
            _keep_rows(mask[t], c, c_prev, g)
            _keep_rows(mask[t], h, h_prev, g)
    return hs, cs, saved


@njit(cache=True)
def lstm_backward(saved, hs, cs, U, h0, c0, mask, bu, dhs, dcs, act_kind, inner_kind, fast):
    """Gradients (dxp, dU, dh0, dc0) given the gradients dhs, dcs of every state."""
    T, B, H5 = saved.shape
    H = H5 // 5
    G = bu.shape[0]
    UTb = _blocks(np.ascontiguousarray(U.T), 1) if G <= 1 else _transposed_block_stack(U, G)
    c0 = np.ascontiguousarray(c0)
    dz = np.empty((T, B, 4 * H), saved.dtype)
    dh = np.zeros((B, H), saved.dtype)
    dc = np.zeros((B, H), saved.dtype)
    rec = np.empty((B, H), saved.dtype)
    di = np.empty((B, H), saved.dtype)
    df = np.empty((B, H), saved.dtype)
    dg = np.empty((B, H), saved.dtype)
    do = np.empty((B, H), saved.dtype)
    da = np.empty((B, H), saved.dtype)
    masked = mask.shape[0] > 0
    for t in range(T - 1, -1, -1):
        y = saved[t]
        dact_block(y, 0, di, inner_kind)
        dact_block(y, H, df, inner_kind)
        dact_block(y, 2 * H, dg, act_kind)
        dact_block(y, 3 * H, do, inner_kind)
        dact_block(y, 4 * H, da, act_kind)
        c_prev = cs[t - 1] if t > 0 else c0
        dzt = dz[t]
        for b in range(B):
            if masked and mask[t, b] == 0:
                # the state passed through unchanged: so does its gradient
                for j in range(H):
                    dh[b, j] += dhs[t, b, j]
                    dc[b, j] += dcs[t, b, j]
                dzt[b, :] = 0.
                continue
            # row slices: contiguous 1-D loops that LLVM vectorises
            yi, yf, yg, yo, ya = (y[b, :H], y[b, H:2 * H], y[b, 2 * H:3 * H],
                                  y[b, 3 * H:4 * H], y[b, 4 * H:])
            zi, zf, zg, zo = (dzt[b, :H], dzt[b, H:2 * H], dzt[b, 2 * H:3 * H],
                              dzt[b, 3 * H:])
            dhb, dcb, dhsb, dcsb, cp = dh[b], dc[b], dhs[t, b], dcs[t, b], c_prev[b]
            dib, dfb, dgb, dob, dab = di[b], df[b], dg[b], do[b], da[b]
            for j in range(H):
                dht = dhb[j] + dhsb[j]
                dct = dcb[j] + dcsb[j] + dht * yo[j] * dab[j]
                zi[j] = dct * yg[j] * dib[j]
                zf[j] = dct * cp[j] * dfb[j]
                zg[j] = dct * yi[j] * dgb[j]
                zo[j] = dht * ya[j] * dob[j]
                dcb[j] = dct * yf[j]
        _recurrent_back(dzt, bu, UTb, rec)
        for b in range(B):
            if masked and mask[t, b] == 0:
                continue
            for j in range(dh.shape[1]):
                dh[b, j] = rec[b, j]
    dU = np.empty((H, 4 * H), saved.dtype)
    _weight_grad(_previous(hs, h0), dz, bu, 0, max(G, 1), G, dU)
    return dz, dU, dh, dc


# ---------------------------------------------------------------------------------- GRU
@njit(cache=True)
def _gru_masks(bu, B, H, dtype):
    """The recurrent-dropout masks of the z, r and h blocks (ones when there is no dropout)."""
    G = bu.shape[0]
    if G == 0:
        ones = np.ones((B, H), dtype)
        return ones, ones, ones
    if G == 1:
        return bu[0], bu[0], bu[0]
    return bu[0], bu[1], bu[2]


@njit(cache=True)
def gru_forward(xp, U, h0, mask, bu, act_kind, inner_kind, fast):
    """States hs and ``saved``: the gate values z, r and hh = act(x_h + (r*h).U_h)."""
    _check(xp, U, h0, mask, bu, 3)
    T, B, H3 = xp.shape
    H = H3 // 3
    Uz = np.ascontiguousarray(U[:, :H])
    Ur = np.ascontiguousarray(U[:, H:2 * H])
    Uzr = np.ascontiguousarray(U[:, :2 * H])
    Uh = np.ascontiguousarray(U[:, 2 * H:])
    bz, br, bh = _gru_masks(bu, B, H, xp.dtype)
    G = bu.shape[0]
    hs = np.empty((T, B, H), xp.dtype)
    saved = np.empty((T, B, H3), xp.dtype)
    h0 = np.ascontiguousarray(h0)
    mzr = np.empty((B, 2 * H), xp.dtype)
    mz = np.empty((B, H), xp.dtype)
    mr = np.empty((B, H), xp.dtype)
    rh = np.empty((B, H), xp.dtype)
    q = np.empty((B, H), xp.dtype)
    masked = mask.shape[0] > 0
    for t in range(T):
        h_prev = hs[t - 1] if t > 0 else h0
        g, h = saved[t], hs[t]
        if G <= 1:
            np.dot(h_prev * bz, Uzr, mzr)
            for b in range(B):
                for j in range(2 * H):
                    g[b, j] = xp[t, b, j] + mzr[b, j]
        else:
            np.dot(h_prev * bz, Uz, mz)
            np.dot(h_prev * br, Ur, mr)
            for b in range(B):
                for j in range(H):
                    g[b, j] = xp[t, b, j] + mz[b, j]
                    g[b, H + j] = xp[t, b, H + j] + mr[b, j]
        act_block(g, 0, g, 0, 2 * H, inner_kind, fast)    # z, r
        for b in range(B):
            for j in range(H):
                rh[b, j] = g[b, H + j] * h_prev[b, j] * bh[b, j]
        np.dot(rh, Uh, q)
        for b in range(B):
            for j in range(H):
                g[b, 2 * H + j] = xp[t, b, 2 * H + j] + q[b, j]
        act_block(g, 2 * H, g, 2 * H, H, act_kind, fast)  # hh
        for b in range(B):
            for j in range(H):
                z = g[b, j]
                h[b, j] = z * h_prev[b, j] + (1. - z) * g[b, 2 * H + j]
        if masked:
            _keep_rows(mask[t], h, h_prev, g)
    return hs, saved


@njit(cache=True)
def gru_backward(zs, hs, U, h0, mask, bu, dhs, act_kind, inner_kind, fast):
    """Gradients (dxp, dU, dh0) of a GRU given the gradients dhs of every state."""
    T, B, H3 = zs.shape
    H = H3 // 3
    UzT = np.ascontiguousarray(U[:, :H].T)
    UrT = np.ascontiguousarray(U[:, H:2 * H].T)
    UhT = np.ascontiguousarray(U[:, 2 * H:].T)
    bz, br, bh = _gru_masks(bu, B, H, zs.dtype)
    hprev = _previous(hs, h0)
    dz = np.empty((T, B, H3), zs.dtype)
    dh = np.zeros((B, H), zs.dtype)
    dnew = np.zeros((B, H), zs.dtype)
    dah = np.empty((B, H), zs.dtype)
    daz = np.empty((B, H), zs.dtype)
    dar = np.empty((B, H), zs.dtype)
    drh = np.empty((B, H), zs.dtype)
    tmp = np.empty((B, H), zs.dtype)
    dgz = np.empty((B, H), zs.dtype)
    dgr = np.empty((B, H), zs.dtype)
    dgh = np.empty((B, H), zs.dtype)
    masked = mask.shape[0] > 0
    for t in range(T - 1, -1, -1):
        zt = zs[t]
        hp = hprev[t]
        dact_block(zt, 0, dgz, inner_kind)
        dact_block(zt, H, dgr, inner_kind)
        dact_block(zt, 2 * H, dgh, act_kind)
        dzt = dz[t]
        for b in range(B):
            if masked and mask[t, b] == 0:
                for j in range(H):
                    dh[b, j] += dhs[t, b, j]
                    dah[b, j] = 0.
                    daz[b, j] = 0.
                    dar[b, j] = 0.
                dzt[b, :] = 0.
                continue
            for j in range(H):
                dht = dh[b, j] + dhs[t, b, j]
                d_ah = dht * (1. - zt[b, j]) * dgh[b, j]
                d_az = dht * (hp[b, j] - zt[b, 2 * H + j]) * dgz[b, j]
                dah[b, j] = d_ah
                daz[b, j] = d_az
                dzt[b, 2 * H + j] = d_ah
                dzt[b, j] = d_az
                dnew[b, j] = dht * zt[b, j]
        np.dot(dah, UhT, drh)
        for b in range(B):
            if masked and mask[t, b] == 0:
                continue
            for j in range(H):
                d_ar = drh[b, j] * hp[b, j] * bh[b, j] * dgr[b, j]
                dar[b, j] = d_ar
                dzt[b, H + j] = d_ar
                dnew[b, j] += drh[b, j] * zt[b, H + j] * bh[b, j]
        np.dot(daz, UzT, tmp)
        for b in range(B):
            for j in range(H):
                dnew[b, j] += tmp[b, j] * bz[b, j]
        np.dot(dar, UrT, tmp)
        for b in range(B):
            if masked and mask[t, b] == 0:
                continue
            for j in range(H):
                dh[b, j] = dnew[b, j] + tmp[b, j] * br[b, j]
    TB = T * B
    dz2 = dz.reshape((TB, H3))
    rhs = np.empty((T, B, H), zs.dtype)
    for t in range(T):
        for b in range(B):
            for j in range(H):
                rhs[t, b, j] = zs[t, b, H + j] * hprev[t, b, j] * bh[b, j]
    dU = np.empty((H, H3), zs.dtype)
    dU[:, :H] = np.dot(np.ascontiguousarray((hprev * bz).reshape((TB, H)).T),
                       np.ascontiguousarray(dz2[:, :H]))
    dU[:, H:2 * H] = np.dot(np.ascontiguousarray((hprev * br).reshape((TB, H)).T),
                            np.ascontiguousarray(dz2[:, H:2 * H]))
    dU[:, 2 * H:] = np.dot(np.ascontiguousarray(rhs.reshape((TB, H)).T),
                           np.ascontiguousarray(dz2[:, 2 * H:]))
    return dz, dU, dh


# ---------------------------------------------------------------------------------- SimpleRNN
@njit(cache=True)
def simple_forward(xp, U, h0, mask, bu, act_kind, inner_kind, fast):
    """States hs and pre-activations zs of ``h = act(xp + (h * bu) . U)``."""
    _check(xp, U, h0, mask, bu, 1)
    T, B, H = xp.shape
    U = np.ascontiguousarray(U)
    hs = np.empty((T, B, H), xp.dtype)
    zs = np.empty((T, B, H), xp.dtype)
    h0 = np.ascontiguousarray(h0)
    rec = np.empty((B, H), xp.dtype)
    masked = mask.shape[0] > 0
    for t in range(T):
        h_prev = hs[t - 1] if t > 0 else h0
        _masked_dot(h_prev, bu, 0, U, rec)
        _add_into(xp[t], rec, zs[t])
        act_block(zs[t], 0, hs[t], 0, H, act_kind, fast)
        if masked:
            _keep_rows(mask[t], hs[t], h_prev, zs[t])
    return hs, zs


@njit(cache=True)
def simple_backward(zs, hs, U, h0, mask, bu, dhs, act_kind, inner_kind, fast):
    """Gradients (dxp, dU, dh0) of a SimpleRNN."""
    T, B, H = zs.shape
    UTb = _blocks(np.ascontiguousarray(U.T), 1)
    dz = np.empty((T, B, H), zs.dtype)
    dh = np.zeros((B, H), zs.dtype)
    rec = np.empty((B, H), zs.dtype)
    dg = np.empty((B, H), zs.dtype)
    masked = mask.shape[0] > 0
    for t in range(T - 1, -1, -1):
        dact_block(hs[t], 0, dg, act_kind)
        dzt = dz[t]
        for b in range(B):
            if masked and mask[t, b] == 0:
                for j in range(H):
                    dh[b, j] += dhs[t, b, j]
                dzt[b, :] = 0.
                continue
            for j in range(H):
                dzt[b, j] = (dh[b, j] + dhs[t, b, j]) * dg[b, j]
        _recurrent_back(dzt, bu, UTb, rec)
        for b in range(B):
            if masked and mask[t, b] == 0:
                continue
            for j in range(dh.shape[1]):
                dh[b, j] = rec[b, j]
    dU = np.empty((H, H), zs.dtype)
    _weight_grad(_previous(hs, h0), dz, bu, 0, 1, min(bu.shape[0], 1), dU)
    return dz, dU, dh
