"""JAX implementations of the fused recurrent loops (``RNNLoop``, ``RNNLoopGrad``).

The same contract as ``rnn_numba`` (time-major arrays, gate blocks, masks
that carry states, recurrent dropout groups, the same saved values) written
with ``jax.lax.scan`` so that XLA compiles the loop (CPU or GPU). The
backward pass mirrors the Numba one: the forward saves the gate values, the
reverse scan only does the per-step chain rule and one matrix product, and
the recurrent-weight gradient is one contraction over all steps.

>>> fwd = forward('lstm', 1, 3)     # doctest: +SKIP
>>> hs, cs, zs = fwd(xp, U, h0, c0, mask, bu)     # doctest: +SKIP
"""
from ..runtime.jax_mode import import_jax
from .rnn import ACTIVATIONS

jax = import_jax()  # not a plain `import jax`: that would move np.random's stream
jnp, lax = jax.numpy, jax.lax


def _act(kind):
    return {
        'linear': lambda x: x,
        'tanh': jnp.tanh,
        'sigmoid': jax.nn.sigmoid,
        'hard_sigmoid': lambda x: jnp.clip(0.2 * x + 0.5, 0., 1.),
        'relu': lambda x: jnp.maximum(x, 0.),
    }[ACTIVATIONS[kind]]


def _dact(kind):
    """The derivative as a function of the activation's value y."""
    return {
        'linear': lambda y: jnp.ones_like(y),
        'tanh': lambda y: 1. - y * y,
        'sigmoid': lambda y: y * (1. - y),
        'hard_sigmoid': lambda y: jnp.where((y > 0.) & (y < 1.), 0.2, 0.).astype(y.dtype),
        'relu': lambda y: (y > 0.).astype(y.dtype),
    }[ACTIVATIONS[kind]]


def _recurrent(h, U, bu, H):
    """(h * bu[k]) . U_k for every gate block k, side by side."""
    G = bu.shape[0]
    if G == 0:
        return h @ U
    if G == 1:
        return (h * bu[0]) @ U
    return jnp.concatenate([(h * bu[k]) @ U[:, k * H:(k + 1) * H] for k in range(G)], axis=1)


def _recurrent_back(dz, U, bu, H):
    """The gradient reaching h_{t-1} through the recurrent products."""
    G = bu.shape[0]
    if G == 0:
        return dz @ U.T
    if G == 1:
        return (dz @ U.T) * bu[0]
    return sum((dz[:, k * H:(k + 1) * H] @ U[:, k * H:(k + 1) * H].T) * bu[k] for k in range(G))


def _weight_grad(hprev, dz, bu, H):
    """sum over steps of (h_{t-1} * bu_k)^T . dz_k, as one contraction per group."""
    G = bu.shape[0]
    if G <= 1:
        lhs = hprev if G == 0 else hprev * bu[0]
        return jnp.einsum('tbh,tbk->hk', lhs, dz)
    return jnp.concatenate([jnp.einsum('tbh,tbk->hk', hprev * bu[k], dz[..., k * H:(k + 1) * H])
                            for k in range(G)], axis=1)


def _check(xp, U, h0, mask, gates):
    """Shape checks at trace time (static shapes): clear errors instead of XLA's."""
    T, B, GH = xp.shape
    H = U.shape[0]
    if U.shape[1] != GH or GH != gates * H:
        raise ValueError('rnn_sequence: the input projections %s and the recurrent weights %s '
                         'do not match.' % (xp.shape, U.shape))
    if h0.shape != (B, H):
        raise ValueError('rnn_sequence: initial state of shape %s for a batch of %d samples of '
                         '%d units: a stateful recurrent layer needs every batch to have its '
                         'fixed batch size.' % (h0.shape, B, H))
    if mask.shape[0] and mask.shape != (T, B):
        raise ValueError('rnn_sequence: mask of shape %s for input (time, samples) = %s.'
                         % (mask.shape, (T, B)))


def _keep(m, new, old):
    return jnp.where(m[:, None] > 0, new, old)


def _zeros_if_empty(grad, like):
    """An unused state sequence arrives as an empty gradient."""
    return jnp.zeros_like(like) if grad.size == 0 else grad


def _previous(hs, h0):
    return jnp.concatenate([h0[None], hs[:-1]], axis=0)


# ---------------------------------------------------------------------------------- LSTM
def _lstm_forward(a, s):
    def fwd(xp, U, h0, c0, mask, bu):
        _check(xp, U, h0, mask, 4)
        H = U.shape[0]
        masked = mask.shape[0] > 0

        def step(carry, inp):
            h, c = carry
            x_t, m_t = inp if masked else (inp, None)
            z = x_t + _recurrent(h, U, bu, H)
            i, f, g, o = s(z[:, :H]), s(z[:, H:2 * H]), a(z[:, 2 * H:3 * H]), s(z[:, 3 * H:])
            c_new = f * c + i * g
            ac = a(c_new)
            h_new = o * ac
            saved = jnp.concatenate([i, f, g, o, ac], axis=1)
            if masked:
                c_new, h_new = _keep(m_t, c_new, c), _keep(m_t, h_new, h)
                saved = _keep(m_t, saved, jnp.zeros_like(saved))
            return (h_new, c_new), (h_new, c_new, saved)
        _, (hs, cs, saved) = lax.scan(step, (h0, c0), (xp, mask) if masked else xp)
        return hs, cs, saved
    return fwd


def _lstm_backward(a, s, da, ds):
    def bwd(saved, hs, cs, U, h0, c0, mask, bu, dhs, dcs):
        dhs, dcs = _zeros_if_empty(dhs, hs), _zeros_if_empty(dcs, cs)
        H = U.shape[0]
        masked = mask.shape[0] > 0
        gi, gf, gc, go, ac = (saved[..., k * H:(k + 1) * H] for k in range(5))
        di, df, dg, do, dac = ds(gi), ds(gf), da(gc), ds(go), da(ac)
        cprev = _previous(cs, c0)

        def step(carry, inp):
            dh, dc = carry
            gi, gf, gc, ac, go, di, df, dg, do, dac, cp, dh_t, dc_t, m_t = inp
            dht = dh + dh_t
            dct = dc + dc_t + dht * go * dac
            dz = jnp.concatenate([dct * gc * di, dct * cp * df, dct * gi * dg, dht * ac * do],
                                 axis=1)
            dh_new, dc_new = _recurrent_back(dz, U, bu, H), dct * gf
            if masked:
                dz = _keep(m_t, dz, jnp.zeros_like(dz))
                dh_new, dc_new = _keep(m_t, dh_new, dht), _keep(m_t, dc_new, dc + dc_t)
            return (dh_new, dc_new), dz
        m = mask if masked else jnp.zeros(saved.shape[:1], saved.dtype)
        seqs = (gi, gf, gc, ac, go, di, df, dg, do, dac, cprev, dhs, dcs, m)
        (dh0, dc0), dz = lax.scan(step, (jnp.zeros_like(h0), jnp.zeros_like(c0)), seqs,
                                  reverse=True)
        return dz, _weight_grad(_previous(hs, h0), dz, bu, H), dh0, dc0
    return bwd


# ---------------------------------------------------------------------------------- GRU
def _gru_masks(bu, like):
    if bu.shape[0] == 0:
        ones = jnp.ones_like(like)
        return ones, ones, ones
    if bu.shape[0] == 1:
        return bu[0], bu[0], bu[0]
    return bu[0], bu[1], bu[2]


def _gru_forward(a, s):
    def fwd(xp, U, h0, mask, bu):
        _check(xp, U, h0, mask, 3)
        H = U.shape[0]
        masked = mask.shape[0] > 0
        bz, br, bh = _gru_masks(bu, h0)

        def step(h, inp):
            x_t, m_t = inp if masked else (inp, None)
            az = x_t[:, :H] + (h * bz) @ U[:, :H]
            ar = x_t[:, H:2 * H] + (h * br) @ U[:, H:2 * H]
            ah = x_t[:, 2 * H:] + (s(ar) * h * bh) @ U[:, 2 * H:]
            z, hh = s(az), a(ah)
            h_new = z * h + (1. - z) * hh
            zt = jnp.concatenate([z, s(ar), hh], axis=1)
            if masked:
                h_new = _keep(m_t, h_new, h)
                zt = _keep(m_t, zt, jnp.zeros_like(zt))
            return h_new, (h_new, zt)
        _, (hs, zs) = lax.scan(step, h0, (xp, mask) if masked else xp)
        return hs, zs
    return fwd


def _gru_backward(a, s, da, ds):
    def bwd(zs, hs, U, h0, mask, bu, dhs):
        dhs = _zeros_if_empty(dhs, hs)
        H = U.shape[0]
        masked = mask.shape[0] > 0
        bz, br, bh = _gru_masks(bu, h0)
        gz, gr, gh = zs[..., :H], zs[..., H:2 * H], zs[..., 2 * H:]
        dgz, dgr, dgh = ds(gz), ds(gr), da(gh)
        hprev = _previous(hs, h0)
        Uz, Ur, Uh = U[:, :H], U[:, H:2 * H], U[:, 2 * H:]

        def step(dh, inp):
            gz, gr, gh, dgz, dgr, dgh, hp, dh_t, m_t = inp
            dht = dh + dh_t
            d_ah = dht * (1. - gz) * dgh
            d_az = dht * (hp - gh) * dgz
            drh = d_ah @ Uh.T
            d_ar = drh * hp * bh * dgr
            dh_new = dht * gz + drh * gr * bh + (d_az @ Uz.T) * bz + (d_ar @ Ur.T) * br
            dz = jnp.concatenate([d_az, d_ar, d_ah], axis=1)
            if masked:
                dz = _keep(m_t, dz, jnp.zeros_like(dz))
                dh_new = _keep(m_t, dh_new, dht)
            return dh_new, dz
        m = mask if masked else jnp.zeros(zs.shape[:1], zs.dtype)
        dh0, dz = lax.scan(step, jnp.zeros_like(h0), (gz, gr, gh, dgz, dgr, dgh, hprev, dhs, m),
                           reverse=True)
        dU = jnp.concatenate([
            jnp.einsum('tbh,tbk->hk', hprev * bz, dz[..., :H]),
            jnp.einsum('tbh,tbk->hk', hprev * br, dz[..., H:2 * H]),
            jnp.einsum('tbh,tbk->hk', gr * hprev * bh, dz[..., 2 * H:])], axis=1)
        return dz, dU, dh0
    return bwd


# ---------------------------------------------------------------------------------- SimpleRNN
def _simple_forward(a, s):
    def fwd(xp, U, h0, mask, bu):
        _check(xp, U, h0, mask, 1)
        H = U.shape[0]
        masked = mask.shape[0] > 0

        def step(h, inp):
            x_t, m_t = inp if masked else (inp, None)
            z = x_t + _recurrent(h, U, bu, H)
            h_new = a(z)
            if masked:
                h_new = _keep(m_t, h_new, h)
                z = _keep(m_t, z, jnp.zeros_like(z))
            return h_new, (h_new, z)
        _, (hs, zs) = lax.scan(step, h0, (xp, mask) if masked else xp)
        return hs, zs
    return fwd


def _simple_backward(a, s, da, ds):
    def bwd(zs, hs, U, h0, mask, bu, dhs):
        dhs = _zeros_if_empty(dhs, hs)
        H = U.shape[0]
        masked = mask.shape[0] > 0
        dg = da(a(zs))

        def step(dh, inp):
            dg_t, dh_t, m_t = inp
            dht = dh + dh_t
            dz = dht * dg_t
            dh_new = _recurrent_back(dz, U, bu, H)
            if masked:
                dz = _keep(m_t, dz, jnp.zeros_like(dz))
                dh_new = _keep(m_t, dh_new, dht)
            return dh_new, dz
        m = mask if masked else jnp.zeros(zs.shape[:1], zs.dtype)
        dh0, dz = lax.scan(step, jnp.zeros_like(h0), (dg, dhs, m), reverse=True)
        return dz, _weight_grad(_previous(hs, h0), dz, bu, H), dh0
    return bwd


_FORWARD = {'lstm': _lstm_forward, 'gru': _gru_forward, 'simple': _simple_forward}
_BACKWARD = {'lstm': _lstm_backward, 'gru': _gru_backward, 'simple': _simple_backward}


def forward(cell, act, inner):
    """The JAX forward of ``cell`` with activation codes ``act`` and ``inner``."""
    return _FORWARD[cell](_act(act), _act(inner))


def backward(cell, act, inner):
    """The JAX backward of ``cell``: (dxp, dU, d initial states...)."""
    return _BACKWARD[cell](_act(act), _act(inner), _dact(act), _dact(inner))
