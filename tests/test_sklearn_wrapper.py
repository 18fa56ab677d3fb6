"""KerasClassifier / KerasRegressor inside scikit-learn (cross_val_score, GridSearchCV).
All models share one architecture per task, so PyTensor's compile cache is reused."""
import numpy as np
import pytest

sklearn = pytest.importorskip('sklearn')
from sklearn.base import clone, is_classifier, is_regressor  # noqa: E402
from sklearn.model_selection import GridSearchCV, cross_val_score, cross_validate  # noqa: E402

from keraslike.layers import Dense  # noqa: E402
from keraslike.models import Sequential  # noqa: E402
from keraslike.wrappers.scikit_learn import KerasClassifier, KerasRegressor  # noqa: E402

RNG = np.random.RandomState(0)
X = RNG.rand(60, 4).astype('float32')
LABELS = np.array([3, 7, 9])[X[:, :3].argmax(axis=1)]  # linearly separable, 3 classes
TARGET = (X.dot([1., -2., 0.5, 0.]) + 0.3).astype('float32')


def build_classifier(lr=0.5):
    from keraslike.optimizers import Adam
    model = Sequential([Dense(3, input_dim=4, activation='softmax')])
    model.compile(Adam(lr=lr), 'categorical_crossentropy', metrics=['accuracy'])
    return model


def build_regressor():
    from keraslike.optimizers import Adam
    model = Sequential([Dense(1, input_dim=4)])
    model.compile(Adam(lr=0.05), 'mse')
    return model


def test_classifier_grid_search():
    clf = KerasClassifier(build_classifier, nb_epoch=3, batch_size=15, verbose=0)
    assert is_classifier(clf)
    search = GridSearchCV(clf, {'nb_epoch': [1, 30], 'lr': [0.5]}, cv=2, refit=False)
    search.fit(X, LABELS)
    assert search.best_params_ == {'nb_epoch': 30, 'lr': 0.5}  # more training is better
    scores = search.cv_results_['mean_test_score']  # KerasClassifier.score: accuracy
    assert scores[1] > scores[0] and scores[1] > 0.8


def test_regressor_in_cross_validation():
    reg = KerasRegressor(build_regressor, nb_epoch=40, batch_size=10, verbose=0)
    assert is_regressor(reg)
    result = cross_validate(reg, X, TARGET, cv=2, return_estimator=True)
    scores = result['test_score']  # KerasRegressor.score: minus the loss
    assert scores.shape == (2,) and np.all(scores < 0) and np.all(scores > -0.1)
    fitted = result['estimator'][1]
    pred = fitted.predict(X[30:])  # the second fold's test half (KFold, no shuffling)
    assert pred.shape == (30,)
    np.testing.assert_allclose(-np.mean((pred - TARGET[30:]) ** 2), scores[1], rtol=1e-4)
    # cross_val_score gives the same kind of numbers (one more pair of fits)
    assert np.all(cross_val_score(reg, X, TARGET, cv=2) < 0)


def test_params_cloning_and_validation():
    clf = KerasClassifier(build_classifier, nb_epoch=2, lr=0.1)
    params = clf.get_params()
    assert params == {'build_fn': build_classifier, 'nb_epoch': 2, 'lr': 0.1}
    copy = clone(clf)
    assert copy.get_params() == params and copy is not clf
    assert clf.set_params(batch_size=4) is clf and clf.sk_params['batch_size'] == 4
    with pytest.raises(ValueError, match='not a legal parameter'):
        KerasClassifier(build_classifier, units_of_nothing=3)
    assert KerasClassifier(build_classifier, epochs=2).sk_params == {'epochs': 2}  # Keras 2


def test_build_fn_as_callable_object_and_subclass():
    class Builder(object):
        def __call__(self, lr=0.5):
            return build_classifier(lr)

    class MyClassifier(KerasClassifier):
        def __call__(self, lr=0.5):
            return build_classifier(lr)

    for clf in (KerasClassifier(Builder(), lr=0.5, nb_epoch=30, batch_size=15, verbose=0),
                MyClassifier(lr=0.5, nb_epoch=30, batch_size=15, verbose=0)):
        history = clf.fit(X, LABELS)
        assert len(history.history['loss']) == 30
        assert clf.classes_.tolist() == [3, 7, 9]
        predicted = clf.predict(X)
        assert set(predicted.tolist()) <= {3, 7, 9}  # original labels, not indices
        accuracy = np.mean(predicted == LABELS)
        assert accuracy > 0.8
        proba = clf.predict_proba(X)
        assert proba.shape == (60, 3)
        np.testing.assert_allclose(proba.sum(axis=1), 1, rtol=1e-5)
        np.testing.assert_allclose(proba.argmax(axis=1), np.searchsorted([3, 7, 9], predicted))
        np.testing.assert_allclose(clf.score(X, LABELS), accuracy, atol=1e-6)
