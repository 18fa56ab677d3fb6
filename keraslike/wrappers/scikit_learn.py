"""scikit-learn estimators around a model-building function (``keras.wrappers.scikit_learn``).

``build_fn`` returns a compiled model; the other keyword arguments
(``sk_params``) go to ``build_fn``, ``fit``, ``predict``, ``predict_classes``
and ``evaluate`` according to their argument names. A fresh model is built at
every ``fit``, so the wrappers work inside ``cross_val_score`` and
``GridSearchCV``.

>>> from keraslike.models import Sequential
>>> from keraslike.layers import Dense
>>> def build(hidden=8):
...     model = Sequential([Dense(hidden, input_dim=4, activation='relu'),
...                         Dense(3, activation='softmax')])
...     model.compile('adam', 'categorical_crossentropy', metrics=['accuracy'])
...     return model
>>> clf = KerasClassifier(build, hidden=16, nb_epoch=5, batch_size=16, verbose=0)
>>> # from sklearn.model_selection import GridSearchCV
>>> # GridSearchCV(clf, {'hidden': [4, 8]}, cv=3).fit(X, y)
"""
import copy
import inspect
import types

import numpy as np

from keraslike.models import Sequential  # noqa: F401  (Keras 1 path)
from keraslike.utils.np_utils import to_categorical

# Keras 2 names accepted in sk_params, with the method that takes them.
_KERAS2_FIT_PARAMS = ('epochs',)


def _arg_names(fn):
    try:
        params = inspect.signature(fn).parameters
    except (TypeError, ValueError):
        return []
    return [name for name, p in params.items()
            if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)]


def _sequential():
    from keraslike.models import Sequential
    return Sequential


def _loss_name(model):
    loss = model.loss
    return getattr(loss, '__name__', loss)


class BaseWrapper(object):
    """Common part of :class:`KerasClassifier` and :class:`KerasRegressor`.

    ``build_fn``: a function, an object with ``__call__``, or None to use this
    class's own ``__call__`` (subclassing). Unknown ``sk_params`` raise
    ``ValueError('<name> is not a legal parameter')``.
    """

    def __init__(self, build_fn=None, **sk_params):
        self.build_fn = build_fn
        self.sk_params = sk_params
        self.check_params(sk_params)

    def _build_callable(self):
        if self.build_fn is None:
            return self.__call__
        if not isinstance(self.build_fn, (types.FunctionType, types.MethodType)):
            return self.build_fn.__call__
        return self.build_fn

    def check_params(self, params):
        """Raise ``ValueError`` for a parameter no wrapped function accepts."""
        Sequential = _sequential()
        legal = set(_KERAS2_FIT_PARAMS)
        for fn in (Sequential.fit, Sequential.predict, Sequential.predict_classes,
                   Sequential.evaluate, self._build_callable()):
            legal.update(_arg_names(fn))
        for name in params:
            if name not in legal:
                raise ValueError('{} is not a legal parameter'.format(name))

    def get_params(self, deep=True, **params):
        """``sk_params`` plus ``build_fn`` (values are not copied, as scikit-learn's
        ``clone`` requires)."""
        res = dict(self.sk_params)
        res.update({'build_fn': self.build_fn})
        return res

    def set_params(self, **params):
        self.check_params(params)
        if 'build_fn' in params:
            self.build_fn = params.pop('build_fn')
        self.sk_params.update(params)
        return self

    def filter_sk_params(self, fn, override=None):
        """The ``sk_params`` that ``fn`` accepts, updated with ``override``."""
        override = override or {}
        fn_args = _arg_names(fn)
        if fn is _sequential().fit:
            fn_args = fn_args + list(_KERAS2_FIT_PARAMS)
        res = {name: value for name, value in self.sk_params.items() if name in fn_args}
        res.update(override)
        return res

    def _prepare_y(self, y):
        return y

    def fit(self, x, y, **kwargs):
        """Build a new model with ``build_fn`` and fit it; returns the ``History``.

        Targets are one-hot encoded for ``categorical_crossentropy`` when not 2-D.
        """
        build = self._build_callable()
        self.model = build(**self.filter_sk_params(build))
        y = self._prepare_y(y)
        if _loss_name(self.model) == 'categorical_crossentropy' and len(y.shape) != 2:
            y = to_categorical(y)
        fit_args = copy.copy(self.filter_sk_params(_sequential().fit))
        fit_args.update(kwargs)
        return self.model.fit(x, y, **fit_args)

    def __sklearn_is_fitted__(self):
        return hasattr(self, 'model')


def _sklearn_tags(estimator, estimator_type):
    from sklearn.utils import ClassifierTags, RegressorTags, Tags, TargetTags, InputTags
    tags = Tags(estimator_type=estimator_type, target_tags=TargetTags(required=True),
                input_tags=InputTags())
    if estimator_type == 'classifier':
        tags.classifier_tags = ClassifierTags()
    else:
        tags.regressor_tags = RegressorTags()
    return tags


class KerasClassifier(BaseWrapper):
    """scikit-learn classifier: ``predict`` returns labels, ``score`` the accuracy.

    Labels may be any sortable values (``classes_`` holds them; the model sees
    indices ``0..n_classes-1``, as Keras 2 does) or one-hot rows.
    """

    _estimator_type = 'classifier'

    def __sklearn_tags__(self):
        return _sklearn_tags(self, 'classifier')

    def _prepare_y(self, y):
        y = np.asarray(y)
        if y.ndim == 2 and y.shape[1] > 1:
            self.classes_ = np.arange(y.shape[1])
        elif (y.ndim == 2 and y.shape[1] == 1) or y.ndim == 1:
            self.classes_ = np.unique(y)
            y = np.searchsorted(self.classes_, y)
        else:
            raise ValueError('Invalid shape for y: ' + str(y.shape))
        self.n_classes_ = len(self.classes_)
        return y

    def _to_indices(self, y):
        y = np.asarray(y)
        if y.ndim == 2 and y.shape[1] > 1 or not hasattr(self, 'classes_'):
            return y
        return np.searchsorted(self.classes_, y)

    def predict(self, x, **kwargs):
        """Class labels (``predict_classes`` mapped through ``classes_``)."""
        kwargs = self.filter_sk_params(_sequential().predict_classes, kwargs)
        kwargs.setdefault('verbose', 0)
        classes = np.asarray(self.model.predict_classes(x, **kwargs))
        if classes.ndim == 2 and classes.shape[1] == 1:
            classes = classes[:, 0]
        return self.classes_[classes] if hasattr(self, 'classes_') else classes

    def predict_proba(self, x, **kwargs):
        """Class probabilities ``(n, n_classes)`` (a single sigmoid output gives ``[1-p, p]``)."""
        kwargs = self.filter_sk_params(_sequential().predict_proba, kwargs)
        kwargs.setdefault('verbose', 0)
        probs = self.model.predict_proba(x, **kwargs)
        if probs.shape[1] == 1:
            probs = np.hstack([1 - probs, probs])
        return probs

    def score(self, x, y, **kwargs):
        """The model's ``'acc'`` on ``(x, y)``; ``ValueError`` if accuracy is not compiled."""
        y = self._to_indices(y)
        kwargs = self.filter_sk_params(_sequential().evaluate, kwargs)
        kwargs.setdefault('verbose', 0)
        if _loss_name(self.model) == 'categorical_crossentropy' and len(y.shape) != 2:
            y = to_categorical(y, self.model.output_shape[-1])
        outputs = self.model.evaluate(x, y, **kwargs)
        outputs = outputs if isinstance(outputs, list) else [outputs]
        for name, output in zip(self.model.metrics_names, outputs):
            if name == 'acc':
                return float(output)
        raise ValueError('The model is not configured to compute accuracy. You should pass '
                         '`metrics=["accuracy"]` to the `model.compile()` method.')


class KerasRegressor(BaseWrapper):
    """scikit-learn regressor: ``predict`` returns squeezed outputs, ``score`` minus the loss.

    Keras 1.2.2 returned the loss itself, which scikit-learn's searches (they
    maximise scores) would have minimised the wrong way; like Keras >= 2.1 the
    score here is ``-loss``, so higher is better.
    """

    _estimator_type = 'regressor'

    def __sklearn_tags__(self):
        return _sklearn_tags(self, 'regressor')

    def predict(self, x, **kwargs):
        kwargs = self.filter_sk_params(_sequential().predict, kwargs)
        return np.squeeze(self.model.predict(x, **kwargs))

    def score(self, x, y, **kwargs):
        kwargs = self.filter_sk_params(_sequential().evaluate, kwargs)
        kwargs.setdefault('verbose', 0)
        loss = self.model.evaluate(x, y, **kwargs)
        if isinstance(loss, list):
            return -float(loss[0])
        return -float(loss)
