"""Keras 1 initializations and Keras 2 initializers: statistics, fans, shapes,
orthogonality, errors and reproducibility (no compiled functions needed)."""
import numpy as np
import pytest

from keraslike import backend as K
from keraslike import initializations as inits
from keraslike import initializers

SHAPE = (400, 600)  # 240,000 draws: sample moments within ~0.5 %


@pytest.fixture(autouse=True)
def seeded():
    np.random.seed(1234)  # statistics checks are at >= 4 sigma; seeding makes them exact


def value(init, shape=SHAPE, **kw):
    v = init(shape, name='w', **kw)
    assert K.is_variable(v) and v.name == 'w'
    arr = K.get_value(v)
    assert arr.shape == tuple(shape) and arr.dtype == np.float32
    return arr


def check_uniform(arr, limit):
    assert arr.min() >= -limit and arr.max() <= limit
    assert arr.min() < -0.99 * limit and arr.max() > 0.99 * limit
    assert abs(arr.mean()) < 0.01 * limit
    np.testing.assert_allclose(arr.std(), limit / np.sqrt(3), rtol=0.01)


def check_normal(arr, std, truncated=False):
    assert abs(arr.mean()) < 0.01 * std
    if truncated:  # N(0,1) truncated at +-2 has std 0.8796
        assert np.abs(arr).max() <= 2 * std * (1 + 1e-6)
        np.testing.assert_allclose(arr.std(), 0.8796 * std, rtol=0.01)
    else:
        np.testing.assert_allclose(arr.std(), std, rtol=0.01)
        assert np.abs(arr).max() > 3.5 * std


@pytest.mark.parametrize('shape,ordering,fans', [
    ((20, 30), 'th', (20, 30)),
    ((20, 30), 'tf', (20, 30)),
    ((64, 32, 3, 5), 'th', (32 * 15, 64 * 15)),
    ((3, 5, 32, 64), 'tf', (32 * 15, 64 * 15)),
    ((8, 4, 2, 3, 5), 'th', (4 * 30, 8 * 30)),
    ((2, 3, 5, 4, 8), 'tf', (4 * 6, 8 * 6)),  # tf uses only the first two dims
    ((4, 9, 4), 'th', (12, 12)),
    ((16,), 'th', (4, 4)),
])
def test_get_fans(shape, ordering, fans):
    got = inits.get_fans(shape, dim_ordering=ordering)
    np.testing.assert_allclose(got, fans)


def test_get_fans_bad_ordering():
    with pytest.raises(ValueError):
        inits.get_fans((2, 3, 4, 5), dim_ordering='xx')


def test_uniform_and_normal_defaults():
    check_uniform(value(inits.uniform), 0.05)
    check_uniform(value(inits.uniform, scale=0.3), 0.3)
    check_normal(value(inits.normal), 0.05)
    check_normal(value(inits.normal, scale=2.), 2.)


def test_fan_based_initializations():
    fi, fo = SHAPE
    check_uniform(value(inits.lecun_uniform), np.sqrt(3. / fi))
    check_uniform(value(inits.glorot_uniform), np.sqrt(6. / (fi + fo)))
    check_uniform(value(inits.he_uniform), np.sqrt(6. / fi))
    check_normal(value(inits.glorot_normal), np.sqrt(2. / (fi + fo)))
    check_normal(value(inits.he_normal), np.sqrt(2. / fi))


def test_conv_kernel_uses_dim_ordering():
    th = value(inits.he_uniform, (64, 32, 5, 5), dim_ordering='th')
    check_uniform(th, np.sqrt(6. / (32 * 25)))
    tf = value(inits.he_uniform, (5, 5, 32, 64), dim_ordering='tf')
    check_uniform(tf, np.sqrt(6. / (32 * 25)))
    # the same shape read as 'th' has fan_in 5 * 5 * 64
    check_uniform(value(inits.he_uniform, (5, 5, 32, 64), dim_ordering='th'),
                  np.sqrt(6. / (5 * 32 * 64)))


@pytest.mark.parametrize('shape', [(50, 50), (30, 80), (80, 30), (16, 3, 3, 3)])
def test_orthogonal(shape):
    q = value(inits.orthogonal, shape).astype('float64')
    flat = q.reshape(shape[0], -1)
    gram = flat.dot(flat.T) if flat.shape[0] <= flat.shape[1] else flat.T.dot(flat)
    np.testing.assert_allclose(gram, 1.1 ** 2 * np.eye(len(gram)), atol=1e-5)
    q2 = value(inits.orthogonal, shape, scale=0.5).reshape(shape[0], -1).astype('float64')
    assert np.allclose(np.linalg.svd(q2, compute_uv=False), 0.5, atol=1e-5)


def test_identity_zero_one():
    np.testing.assert_array_equal(value(inits.identity, (5, 5)), np.eye(5))
    np.testing.assert_array_equal(value(inits.identity, (3, 3), scale=2.5), 2.5 * np.eye(3))
    for bad in [(3, 4), (3, 3, 3), (9,)]:
        with pytest.raises(ValueError, match='square'):
            inits.identity(bad)
    assert not value(inits.zero, (3, 4)).any()
    assert (value(inits.one, (2, 3, 4)) == 1).all()


@pytest.mark.parametrize('name', ['uniform', 'normal', 'lecun_uniform', 'glorot_normal',
                                  'glorot_uniform', 'he_normal', 'he_uniform', 'orthogonal'])
def test_reproducible_with_numpy_seed(name):
    init = inits.get(name)
    np.random.seed(1337)
    a = value(init, (20, 30))
    np.random.seed(1337)
    b = value(init, (20, 30))
    c = value(init, (20, 30))
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(b, c)


def test_get_and_custom_initialisation():
    for name in ('uniform', 'normal', 'lecun_uniform', 'glorot_normal', 'glorot_uniform',
                 'he_normal', 'he_uniform', 'orthogonal', 'identity', 'zero', 'one'):
        assert inits.get(name) is getattr(inits, name)
        assert inits.get(name).__name__ == name
    assert inits.get('glorot_uniform', dim_ordering='th') is inits.glorot_uniform

    def my_init(shape, name=None):
        return inits.normal(shape, scale=0.001, name=name)
    assert inits.get(my_init) is my_init
    with pytest.raises(ValueError) as e:
        inits.get('xavier')
    assert 'xavier' in str(e.value) and 'glorot_uniform' in str(e.value)


# ----- Keras 2 initializers -------------------------------------------------------------

def test_keras2_classes():
    assert not value(initializers.Zeros()).any()
    assert (value(initializers.Ones(), (3, 2)) == 1).all()
    assert (value(initializers.Constant(0.25), (3, 2)) == 0.25).all()
    check_uniform(value(initializers.RandomUniform(-0.2, 0.2)), 0.2)
    arr = value(initializers.RandomUniform(1., 3.))
    assert arr.min() >= 1 and arr.max() <= 3 and abs(arr.mean() - 2) < 0.01
    arr = value(initializers.RandomNormal(mean=1., stddev=0.5))
    assert abs(arr.mean() - 1) < 0.01 and abs(arr.std() - 0.5) < 0.005
    check_normal(value(initializers.TruncatedNormal(stddev=0.3)), 0.3, truncated=True)
    q = value(initializers.Orthogonal(), (40, 40)).astype('float64')
    np.testing.assert_allclose(q.dot(q.T), np.eye(40), atol=1e-5)  # Keras 2 gain is 1
    np.testing.assert_array_equal(value(initializers.Identity(gain=3.), (4, 4)), 3 * np.eye(4))
    with pytest.raises(ValueError):
        initializers.Identity()((4, 5))


def test_variance_scaling():
    fi, fo = SHAPE
    check_uniform(value(initializers.glorot_uniform()), np.sqrt(6. / (fi + fo)))
    check_uniform(value(initializers.he_uniform()), np.sqrt(6. / fi))
    check_uniform(value(initializers.lecun_uniform()), np.sqrt(3. / fi))
    check_normal(value(initializers.he_normal()), np.sqrt(2. / fi), truncated=True)
    check_normal(value(initializers.glorot_normal()), np.sqrt(2. / (fi + fo)), truncated=True)
    vs = initializers.VarianceScaling(scale=3., mode='fan_out', distribution='uniform')
    check_uniform(value(vs), np.sqrt(9. / fo))
    tf = initializers.he_uniform()((5, 5, 32, 64), dim_ordering='tf')
    check_uniform(K.get_value(tf), np.sqrt(6. / (25 * 32)))
    # Keras 2 fan rule for 3D (Conv1D) kernels (length, in, out)
    check_uniform(K.get_value(initializers.he_uniform()((30, 100, 80), dim_ordering='tf')),
                  np.sqrt(6. / (30 * 100)))
    for bad in (dict(scale=0.), dict(mode='fan_sum'), dict(distribution='cauchy')):
        with pytest.raises(ValueError):
            initializers.VarianceScaling(**bad)


def test_keras2_seed_and_numpy_seed():
    a = value(initializers.RandomNormal(seed=5), (10, 10))
    b = value(initializers.RandomNormal(seed=5), (10, 10))
    np.testing.assert_array_equal(a, b)
    np.random.seed(7)
    c = value(initializers.glorot_normal(), (10, 10))
    np.random.seed(7)
    d = value(initializers.glorot_normal(), (10, 10))
    np.testing.assert_array_equal(c, d)


def test_keras2_get():
    assert isinstance(initializers.get('glorot_uniform'), initializers.VarianceScaling)
    assert initializers.get('glorot_uniform').distribution == 'uniform'
    for name, cls in (('zeros', initializers.Zeros), ('zero', initializers.Zeros),
                      ('Zeros', initializers.Zeros), ('ones', initializers.Ones),
                      ('one', initializers.Ones), ('uniform', initializers.RandomUniform),
                      ('random_normal', initializers.RandomNormal),
                      ('normal', initializers.RandomNormal),
                      ('truncated_normal', initializers.TruncatedNormal),
                      ('orthogonal', initializers.Orthogonal),
                      ('identity', initializers.Identity), ('Constant', initializers.Constant)):
        assert type(initializers.get(name)) is cls
    inst = initializers.Constant(2.)
    assert initializers.get(inst) is inst
    assert initializers.get(inits.he_normal) is inits.he_normal  # Keras 1 function
    got = initializers.get({'class_name': 'RandomUniform', 'config': {'minval': 0., 'maxval': 1.}})
    assert type(got) is initializers.RandomUniform and got.maxval == 1.
    assert initializers.get({'name': 'Constant', 'value': 3.}).value == 3.
    cfg = initializers.serialize(initializers.VarianceScaling(scale=2.))
    assert cfg == {'class_name': 'VarianceScaling',
                   'config': {'scale': 2., 'mode': 'fan_in', 'distribution': 'normal',
                              'seed': None}}
    assert initializers.get(cfg).get_config() == cfg['config']
    with pytest.raises(ValueError) as e:
        initializers.get('glorot_uniformm')
    assert 'glorot_uniformm' in str(e.value) and 'VarianceScaling' in str(e.value)
    with pytest.raises(ValueError):
        initializers.get({'class_name': 'Nope', 'config': {}})
    with pytest.raises(ValueError):
        initializers.get(42)
