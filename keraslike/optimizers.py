"""Optimizers (Keras 1.2.2 ``keras.optimizers``).

``opt.get_updates(params, constraints, loss)`` returns a list of
``(variable, new_value)`` pairs for ``K.function(..., updates=...)``; it also
fills ``opt.weights`` (the optimizer state saved with a model) and
``opt.updates``. Hyper-parameters are backend variables, so they can be
changed between steps with ``K.set_value(opt.lr, 0.001)``.

>>> import numpy as np
>>> from keraslike import backend as K
>>> from keraslike import optimizers
>>> w = K.variable(np.ones(3))
>>> loss = K.sum(K.square(w))
>>> opt = optimizers.SGD(lr=0.1, momentum=0.9)
>>> step = K.function([], [loss], updates=opt.get_updates([w], {}, loss))
"""
import numpy as np

from keraslike import backend as K
from keraslike.utils.generic_utils import get_custom_objects, get_from_module  # noqa: F401


def clip_norm(g, c, n):
    """``g * c / n`` when the global norm ``n`` reaches ``c`` (> 0), else ``g``."""
    if c > 0:
        g = K.switch(K.greater_equal(n, c), g * c / n, g)
    return g


def _float(x):
    return float(K.get_value(x))


def _zeros_like_params(params):
    return [K.zeros(K.get_variable_shape(p), dtype=K.dtype(p)) for p in params]


class Optimizer(object):
    """Base class. Keyword arguments: ``clipnorm`` (clip the global gradient
    norm) and ``clipvalue`` (clip each gradient entry); others raise TypeError.
    """

    def __init__(self, **kwargs):
        allowed_kwargs = {'clipnorm', 'clipvalue'}
        for k in kwargs:
            if k not in allowed_kwargs:
                raise TypeError('Unexpected keyword argument passed to optimizer: ' + str(k))
        self.__dict__.update(kwargs)
        self.updates = []
        self.weights = []

    def get_updates(self, params, constraints, loss):
        raise NotImplementedError

    def get_gradients(self, loss, params):
        """Gradients of ``loss`` w.r.t. ``params``, after clipnorm then clipvalue.

        When ``self.gradient_source`` is set (a list of tensors, one per param, e.g.
        placeholders fed with gradients averaged across processes by
        ``keraslike.distributed``), those are used instead of differentiating ``loss``.
        """
        source = getattr(self, 'gradient_source', None)
        grads = list(source) if source is not None else K.gradients(loss, params)
        if hasattr(self, 'clipnorm') and self.clipnorm > 0:
            norm = K.sqrt(sum([K.sum(K.square(g)) for g in grads]))
            grads = [clip_norm(g, self.clipnorm, norm) for g in grads]
        if hasattr(self, 'clipvalue') and self.clipvalue > 0:
            grads = [K.clip(g, -self.clipvalue, self.clipvalue) for g in grads]
        return grads

    def _constrain(self, p, new_p, constraints):
        if constraints and p in constraints:
            new_p = constraints[p](new_p)
        return new_p

    def _decayed_lr(self):
        """``lr / (1 + decay * iterations)`` and the iteration update, if decay > 0."""
        lr = self.lr
        if self.initial_decay > 0:
            lr = lr * (1. / (1. + self.decay * self.iterations))
            self.updates.append(K.update_add(self.iterations, 1.))
        return lr

    def set_weights(self, weights):
        """Set the optimizer state from NumPy arrays (same count and shapes as get_weights)."""
        params = self.weights
        if len(params) != len(weights):
            raise ValueError('Length of the specified weight list (%d) does not match the '
                             'number of weights of the optimizer (%d).'
                             % (len(weights), len(params)))
        weight_value_tuples = []
        param_values = K.batch_get_value(params)
        for i, (pv, p, w) in enumerate(zip(param_values, params, weights)):
            w = np.asarray(w)
            if pv.shape != w.shape:
                raise ValueError('Optimizer weight %d: shape %s not compatible with provided '
                                 'weight shape %s.' % (i, pv.shape, w.shape))
            weight_value_tuples.append((p, w))
        K.batch_set_value(weight_value_tuples)

    def get_weights(self):
        """The optimizer state as a list of NumPy arrays."""
        return K.batch_get_value(self.weights)

    def get_config(self):
        config = {}
        if hasattr(self, 'clipnorm'):
            config['clipnorm'] = self.clipnorm
        if hasattr(self, 'clipvalue'):
            config['clipvalue'] = self.clipvalue
        return config

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    def _merge_config(self, config):
        base = Optimizer.get_config(self)
        base.update(config)
        return base


class SGD(Optimizer):
    """Stochastic gradient descent with momentum, Nesterov momentum and decay.

    ``v = momentum * m - lr * g; p += v`` (nesterov: ``p += momentum * v - lr * g``).

    >>> opt = SGD(lr=0.01, momentum=0.9, nesterov=True)
    """

    def __init__(self, lr=0.01, momentum=0., decay=0., nesterov=False, **kwargs):
        super(SGD, self).__init__(**kwargs)
        self.iterations = K.variable(0.)
        self.lr = K.variable(lr)
        self.momentum = K.variable(momentum)
        self.decay = K.variable(decay)
        self.initial_decay = decay
        self.nesterov = nesterov

    def get_updates(self, params, constraints, loss):
        grads = self.get_gradients(loss, params)
        self.updates = []
        lr = self._decayed_lr()
        moments = _zeros_like_params(params)
        self.weights = [self.iterations] + moments
        for p, g, m in zip(params, grads, moments):
            v = self.momentum * m - lr * g  # velocity
            self.updates.append(K.update(m, v))
            if self.nesterov:
                new_p = p + self.momentum * v - lr * g
            else:
                new_p = p + v
            self.updates.append(K.update(p, self._constrain(p, new_p, constraints)))
        return self.updates

    def get_config(self):
        return self._merge_config({'lr': _float(self.lr), 'momentum': _float(self.momentum),
                                   'decay': _float(self.decay), 'nesterov': self.nesterov})


class RMSprop(Optimizer):
    """RMSProp: ``a = rho*a + (1-rho)*g^2; p -= lr * g / (sqrt(a) + epsilon)``.

    >>> opt = RMSprop(lr=0.001)
    """

    def __init__(self, lr=0.001, rho=0.9, epsilon=1e-8, decay=0., **kwargs):
        super(RMSprop, self).__init__(**kwargs)
        self.lr = K.variable(lr)
        self.rho = K.variable(rho)
        self.epsilon = epsilon
        self.decay = K.variable(decay)
        self.initial_decay = decay
        self.iterations = K.variable(0.)

    def get_updates(self, params, constraints, loss):
        grads = self.get_gradients(loss, params)
        accumulators = _zeros_like_params(params)
        self.weights = accumulators
        self.updates = []
        lr = self._decayed_lr()
        for p, g, a in zip(params, grads, accumulators):
            new_a = self.rho * a + (1. - self.rho) * K.square(g)
            self.updates.append(K.update(a, new_a))
            new_p = p - lr * g / (K.sqrt(new_a) + self.epsilon)
            self.updates.append(K.update(p, self._constrain(p, new_p, constraints)))
        return self.updates

    def get_config(self):
        return self._merge_config({'lr': _float(self.lr), 'rho': _float(self.rho),
                                   'decay': _float(self.decay), 'epsilon': self.epsilon})


class Adagrad(Optimizer):
    """Adagrad: ``a += g^2; p -= lr * g / (sqrt(a) + epsilon)``.

    >>> opt = Adagrad(lr=0.01)
    """

    def __init__(self, lr=0.01, epsilon=1e-8, decay=0., **kwargs):
        super(Adagrad, self).__init__(**kwargs)
        self.lr = K.variable(lr)
        self.epsilon = epsilon
        self.decay = K.variable(decay)
        self.initial_decay = decay
        self.iterations = K.variable(0.)

    def get_updates(self, params, constraints, loss):
        grads = self.get_gradients(loss, params)
        accumulators = _zeros_like_params(params)
        self.weights = accumulators
        self.updates = []
        lr = self._decayed_lr()
        for p, g, a in zip(params, grads, accumulators):
            new_a = a + K.square(g)
            self.updates.append(K.update(a, new_a))
            new_p = p - lr * g / (K.sqrt(new_a) + self.epsilon)
            self.updates.append(K.update(p, self._constrain(p, new_p, constraints)))
        return self.updates

    def get_config(self):
        return self._merge_config({'lr': _float(self.lr), 'decay': _float(self.decay),
                                   'epsilon': self.epsilon})


class Adadelta(Optimizer):
    """Adadelta (Zeiler 2012); ``lr`` scales the step (1.0 as in the paper).

    >>> opt = Adadelta()
    """

    def __init__(self, lr=1.0, rho=0.95, epsilon=1e-8, decay=0., **kwargs):
        super(Adadelta, self).__init__(**kwargs)
        self.lr = K.variable(lr)
        self.rho = rho
        self.epsilon = epsilon
        self.decay = K.variable(decay)
        self.initial_decay = decay
        self.iterations = K.variable(0.)

    def get_updates(self, params, constraints, loss):
        grads = self.get_gradients(loss, params)
        accumulators = _zeros_like_params(params)
        delta_accumulators = _zeros_like_params(params)
        self.weights = accumulators + delta_accumulators
        self.updates = []
        lr = self._decayed_lr()
        for p, g, a, d_a in zip(params, grads, accumulators, delta_accumulators):
            new_a = self.rho * a + (1. - self.rho) * K.square(g)
            self.updates.append(K.update(a, new_a))
            update = g * K.sqrt(d_a + self.epsilon) / K.sqrt(new_a + self.epsilon)
            new_p = p - lr * update
            self.updates.append(K.update(p, self._constrain(p, new_p, constraints)))
            new_d_a = self.rho * d_a + (1. - self.rho) * K.square(update)
            self.updates.append(K.update(d_a, new_d_a))
        return self.updates

    def get_config(self):
        return self._merge_config({'lr': _float(self.lr), 'rho': self.rho,
                                   'decay': _float(self.decay), 'epsilon': self.epsilon})


class _AdamBase(Optimizer):
    """Shared state of Adam and Adamax: iterations, lr, beta_1, beta_2, decay."""

    def __init__(self, lr, beta_1, beta_2, epsilon, decay, **kwargs):
        super(_AdamBase, self).__init__(**kwargs)
        self.iterations = K.variable(0.)
        self.lr = K.variable(lr)
        self.beta_1 = K.variable(beta_1)
        self.beta_2 = K.variable(beta_2)
        self.epsilon = epsilon
        self.decay = K.variable(decay)
        self.initial_decay = decay

    def get_updates(self, params, constraints, loss):
        grads = self.get_gradients(loss, params)
        self.updates = [K.update_add(self.iterations, 1.)]
        lr = self.lr
        if self.initial_decay > 0:
            lr = lr * (1. / (1. + self.decay * self.iterations))
        lr_t = self._lr_t(lr, self.iterations + 1.)
        ms = _zeros_like_params(params)
        vs = _zeros_like_params(params)
        self.weights = [self.iterations] + ms + vs
        for p, g, m, v in zip(params, grads, ms, vs):
            m_t = (self.beta_1 * m) + (1. - self.beta_1) * g
            v_t, p_t = self._step(p, g, m_t, v, lr_t)
            self.updates.append(K.update(m, m_t))
            self.updates.append(K.update(v, v_t))
            self.updates.append(K.update(p, self._constrain(p, p_t, constraints)))
        return self.updates

    def get_config(self):
        return self._merge_config({'lr': _float(self.lr), 'beta_1': _float(self.beta_1),
                                   'beta_2': _float(self.beta_2), 'decay': _float(self.decay),
                                   'epsilon': self.epsilon})


class Adam(_AdamBase):
    """Adam (Kingma & Ba): ``m = b1 m + (1-b1) g; v = b2 v + (1-b2) g^2;
    p -= lr * sqrt(1-b2^t)/(1-b1^t) * m / (sqrt(v) + epsilon)``.

    >>> opt = Adam(lr=0.001, beta_1=0.9, beta_2=0.999)
    """

    def __init__(self, lr=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-8, decay=0., **kwargs):
        super(Adam, self).__init__(lr, beta_1, beta_2, epsilon, decay, **kwargs)

    def _lr_t(self, lr, t):
        return lr * K.sqrt(1. - K.pow(self.beta_2, t)) / (1. - K.pow(self.beta_1, t))

    def _step(self, p, g, m_t, v, lr_t):
        v_t = (self.beta_2 * v) + (1. - self.beta_2) * K.square(g)
        return v_t, p - lr_t * m_t / (K.sqrt(v_t) + self.epsilon)


class Adamax(_AdamBase):
    """Adamax: Adam with the infinity norm ``u = max(b2 u, |g|)``;
    ``p -= lr/(1-b1^t) * m / (u + epsilon)``. Weights: ``[iterations] + ms + us``.

    >>> opt = Adamax(lr=0.002)
    """

    def __init__(self, lr=0.002, beta_1=0.9, beta_2=0.999, epsilon=1e-8, decay=0., **kwargs):
        super(Adamax, self).__init__(lr, beta_1, beta_2, epsilon, decay, **kwargs)

    def _lr_t(self, lr, t):
        return lr / (1. - K.pow(self.beta_1, t))

    def _step(self, p, g, m_t, u, lr_t):
        u_t = K.maximum(self.beta_2 * u, K.abs(g))
        return u_t, p - lr_t * m_t / (u_t + self.epsilon)


class Nadam(Optimizer):
    """Nesterov Adam (Dozat 2015) with the momentum warm-up schedule; no lr decay.

    >>> opt = Nadam(lr=0.002, schedule_decay=0.004)
    """

    def __init__(self, lr=0.002, beta_1=0.9, beta_2=0.999, epsilon=1e-8,
                 schedule_decay=0.004, **kwargs):
        super(Nadam, self).__init__(**kwargs)
        self.iterations = K.variable(0.)
        self.m_schedule = K.variable(1.)
        self.lr = K.variable(lr)
        self.beta_1 = K.variable(beta_1)
        self.beta_2 = K.variable(beta_2)
        self.epsilon = epsilon
        self.schedule_decay = schedule_decay

    def get_updates(self, params, constraints, loss):
        grads = self.get_gradients(loss, params)
        self.updates = [K.update_add(self.iterations, 1.)]
        t = self.iterations + 1.
        # momentum warm-up (Timothy Dozat's recommendation)
        momentum_cache_t = self.beta_1 * (1. - 0.5 * K.pow(K.cast_to_floatx(0.96),
                                                           t * self.schedule_decay))
        momentum_cache_t_1 = self.beta_1 * (1. - 0.5 * K.pow(K.cast_to_floatx(0.96),
                                                             (t + 1.) * self.schedule_decay))
        m_schedule_new = self.m_schedule * momentum_cache_t
        m_schedule_next = self.m_schedule * momentum_cache_t * momentum_cache_t_1
        self.updates.append((self.m_schedule, m_schedule_new))
        ms = _zeros_like_params(params)
        vs = _zeros_like_params(params)
        self.weights = [self.iterations] + ms + vs
        for p, g, m, v in zip(params, grads, ms, vs):
            g_prime = g / (1. - m_schedule_new)
            m_t = self.beta_1 * m + (1. - self.beta_1) * g
            m_t_prime = m_t / (1. - m_schedule_next)
            v_t = self.beta_2 * v + (1. - self.beta_2) * K.square(g)
            v_t_prime = v_t / (1. - K.pow(self.beta_2, t))
            m_t_bar = (1. - momentum_cache_t) * g_prime + momentum_cache_t_1 * m_t_prime
            self.updates.append(K.update(m, m_t))
            self.updates.append(K.update(v, v_t))
            p_t = p - self.lr * m_t_bar / (K.sqrt(v_t_prime) + self.epsilon)
            self.updates.append(K.update(p, self._constrain(p, p_t, constraints)))
        return self.updates

    def get_config(self):
        return self._merge_config({'lr': _float(self.lr), 'beta_1': _float(self.beta_1),
                                   'beta_2': _float(self.beta_2), 'epsilon': self.epsilon,
                                   'schedule_decay': self.schedule_decay})


class TFOptimizer(Optimizer):
    """Wrapper of a TensorFlow optimizer: TensorFlow only, unavailable on PyTensor."""

    def __init__(self, optimizer=None):
        raise NotImplementedError('TFOptimizer wraps a tf.train.Optimizer and needs the '
                                  'TensorFlow backend; keraslike runs on PyTensor.')


# Aliases
sgd, rmsprop, adagrad, adadelta = SGD, RMSprop, Adagrad, Adadelta
adam, adamax, nadam = Adam, Adamax, Nadam

_OPTIMIZERS = {cls.__name__: cls for cls in (SGD, RMSprop, Adagrad, Adadelta, Adam, Adamax,
                                             Nadam)}
_OPTIMIZERS.update({name.lower(): cls for name, cls in list(_OPTIMIZERS.items())})


def optimizer_from_config(config, custom_objects=None):
    """Build an optimizer from ``{'class_name': ..., 'config': {...}}``.

    ``class_name`` is matched case-insensitively against the built-in
    optimizers, after ``custom_objects``.

    >>> optimizer_from_config({'class_name': 'Adam', 'config': {'lr': 0.01}}).get_config()['lr']
    0.009999999776482582
    """
    all_classes = dict(_OPTIMIZERS, tfoptimizer=TFOptimizer)
    class_name = config['class_name']
    if custom_objects and class_name in custom_objects:
        cls = custom_objects[class_name]
    else:
        if class_name.lower() not in all_classes:
            raise ValueError('Optimizer class not found: %s. Valid names are: %s.'
                             % (class_name, ', '.join(sorted(_OPTIMIZERS))))
        cls = all_classes[class_name.lower()]
    return cls.from_config(config.get('config') or {})


def get(identifier, kwargs=None):
    """An optimizer instance from a name (built with ``kwargs`` or defaults), a
    ``{'class_name', 'config'}`` dict, or an instance (returned unchanged).

    >>> isinstance(get('rmsprop'), RMSprop)
    True
    """
    if isinstance(identifier, dict) and 'class_name' in identifier:
        return optimizer_from_config(identifier)
    return get_from_module(identifier, _OPTIMIZERS, 'optimizer', instantiate=True,
                           kwargs=kwargs)
