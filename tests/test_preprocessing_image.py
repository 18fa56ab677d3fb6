"""keraslike.preprocessing.image: transforms against hand-computed arrays, ImageDataGenerator
(fit, standardize, random_transform, flow, flow_from_directory), image file helpers."""
import os

import numpy as np
import pytest

from keraslike.preprocessing import image
from keraslike.preprocessing.image import (ImageDataGenerator, apply_transform, array_to_img,
                                           flip_axis, img_to_array, list_pictures, load_img,
                                           random_channel_shift, random_rotation, random_shear,
                                           random_shift, random_zoom,
                                           transform_matrix_offset_center)

PIL = pytest.importorskip('PIL')
IMG = np.arange(16, dtype='float64').reshape(1, 4, 4)  # (channel, row, col)


@pytest.fixture
def draw_high(monkeypatch):
    """np.random.uniform returns its upper bound: random transforms become deterministic."""
    def uniform(low=0., high=1., size=None):
        return high if size is None else np.full(size, high, dtype='float64')
    monkeypatch.setattr(np.random, 'uniform', uniform)


# ------------------------------------------------------------------ transforms

def test_flip_axis_and_apply_transform():
    assert flip_axis(IMG, 2)[0, 0].tolist() == [3, 2, 1, 0]
    assert flip_axis(IMG, 1)[0, :, 0].tolist() == [12, 8, 4, 0]
    shift_down = np.array([[1, 0, -1], [0, 1, 0], [0, 0, 1]])  # output row r reads row r-1
    out = apply_transform(IMG, shift_down, channel_axis=0, fill_mode='constant', cval=-1)
    assert out[0].tolist() == [[-1] * 4, [0, 1, 2, 3], [4, 5, 6, 7], [8, 9, 10, 11]]
    tf_img = IMG.transpose(1, 2, 0)  # channels last
    out = apply_transform(tf_img, shift_down, channel_axis=2, fill_mode='nearest')
    assert out[:, :, 0].tolist() == [[0, 1, 2, 3], [0, 1, 2, 3], [4, 5, 6, 7], [8, 9, 10, 11]]


def test_offset_center_uses_keras1_centre():
    # Keras 1 centres at size/2 + 0.5 (not (size-1)/2): a pure translation by 1 row is left
    rot180 = np.diag([-1., -1., 1.])
    m = transform_matrix_offset_center(rot180, 4, 6)
    np.testing.assert_allclose(m, [[-1, 0, 5], [0, -1, 7], [0, 0, 1]])


def test_random_shift(draw_high):
    out = random_shift(IMG, wrg=0., hrg=0.5, row_axis=1, col_axis=2, channel_axis=0)
    # tx = 0.5 * 4 rows: output row r reads input row r + 2, nearest fill below
    assert out[0].tolist() == [[8, 9, 10, 11], [12, 13, 14, 15], [12, 13, 14, 15],
                               [12, 13, 14, 15]]
    out = random_shift(IMG, wrg=0.25, hrg=0., fill_mode='constant', cval=0.)
    assert out[0, 0].tolist() == [1, 2, 3, 0]


def test_random_rotation(draw_high):
    out = random_rotation(IMG, 90, fill_mode='constant', cval=-1)
    # 90 degrees about (2.5, 2.5): output (r, c) reads input (5 - c, r)
    assert out[0].tolist() == [[-1, -1, 12, 8], [-1, -1, 13, 9], [-1, -1, 14, 10],
                               [-1, -1, 15, 11]]


def test_random_zoom_and_shear(draw_high):
    assert random_zoom(IMG, (1, 1)).tolist() == IMG.tolist()
    with pytest.raises(ValueError):
        random_zoom(IMG, (1, 2, 3))
    out = random_zoom(IMG, (0.5, 0.5), fill_mode='constant', cval=-1)
    expected = apply_transform(IMG, transform_matrix_offset_center(np.diag([.5, .5, 1.]), 4, 4),
                               0, 'constant', -1)
    assert out.tolist() == expected.tolist()
    assert len(np.unique(out)) < len(np.unique(IMG))  # 2x magnification repeats pixels
    out = random_shear(IMG, 0.)
    assert out.tolist() == IMG.tolist()


def test_random_channel_shift(draw_high):
    x = np.stack([np.zeros((2, 2)), np.full((2, 2), 10.)])
    out = random_channel_shift(x, 4., channel_axis=0)
    assert out[0].tolist() == [[4, 4], [4, 4]]
    assert out[1].tolist() == [[10, 10], [10, 10]]  # clipped to the original max


# ------------------------------------------------------------------ ImageDataGenerator

def data_th(n=12, channels=3, seed=0):
    return np.random.RandomState(seed).rand(n, channels, 5, 6) * 10


def test_featurewise_center_and_std_normalization():
    X = data_th()
    gen = ImageDataGenerator(featurewise_center=True, featurewise_std_normalization=True,
                             dim_ordering='th')
    gen.fit(X)
    assert gen.mean.shape == (3, 1, 1) and gen.std.shape == (3, 1, 1)
    np.testing.assert_allclose(gen.mean[:, 0, 0], X.mean(axis=(0, 2, 3)))
    out = np.stack([gen.standardize(x.copy()) for x in X])
    np.testing.assert_allclose(out.mean(axis=(0, 2, 3)), 0, atol=1e-9)
    np.testing.assert_allclose(out.std(axis=(0, 2, 3)), 1, rtol=1e-5)
    tf_gen = ImageDataGenerator(featurewise_center=True, dim_ordering='tf')
    tf_gen.fit(X.transpose(0, 2, 3, 1))
    assert tf_gen.mean.shape == (1, 1, 3)
    np.testing.assert_allclose(tf_gen.mean[0, 0], gen.mean[:, 0, 0])


def test_samplewise_rescale_and_preprocessing_function_order():
    gen = ImageDataGenerator(samplewise_center=True, samplewise_std_normalization=True,
                             rescale=2., preprocessing_function=lambda x: x + 1,
                             dim_ordering='th')
    x = data_th(1)[0]
    out = gen.standardize(x.copy())
    y = (x + 1) * 2
    y = y - y.mean(axis=0, keepdims=True)  # Keras 1: statistics over the channel axis
    y = y / (y.std(axis=0, keepdims=True) + 1e-7)
    np.testing.assert_allclose(out, y)


def test_zca_whitening_decorrelates():
    X = np.random.RandomState(1).rand(300, 1, 2, 2)
    X[:, 0, 1, 1] = X[:, 0, 0, 0] * 0.9 + 0.1 * X[:, 0, 1, 1]  # correlated pixels
    gen = ImageDataGenerator(zca_whitening=True, dim_ordering='th')
    gen.fit(X)
    assert gen.principal_components.shape == (4, 4)
    flat = np.stack([gen.standardize(x.copy()) for x in X]).reshape(300, 4)
    np.testing.assert_allclose(flat.T.dot(flat) / 300, np.eye(4), atol=1e-3)


def test_unfit_generator_warns():
    gen = ImageDataGenerator(featurewise_center=True, dim_ordering='th')
    with pytest.warns(UserWarning, match='fit'):
        gen.standardize(data_th(1)[0])


def test_random_transform_flips_and_identity(monkeypatch):
    x = data_th(1)[0]
    assert ImageDataGenerator(dim_ordering='th').random_transform(x).tolist() == x.tolist()
    monkeypatch.setattr(np.random, 'random', lambda *a: 0.)  # every coin flip succeeds
    gen = ImageDataGenerator(horizontal_flip=True, vertical_flip=True, dim_ordering='th')
    assert gen.random_transform(x).tolist() == x[:, ::-1, ::-1].tolist()
    gen = ImageDataGenerator(horizontal_flip=True, dim_ordering='tf')
    xt = x.transpose(1, 2, 0)
    assert gen.random_transform(xt).tolist() == xt[:, ::-1].tolist()


def test_random_transform_composes_into_one_affine(draw_high):
    gen = ImageDataGenerator(rotation_range=90, fill_mode='constant', cval=-1,
                             dim_ordering='th')
    assert gen.random_transform(IMG.copy()).tolist() == \
        random_rotation(IMG, 90, fill_mode='constant', cval=-1).tolist()
    gen = ImageDataGenerator(height_shift_range=0.5, dim_ordering='th')
    assert gen.random_transform(IMG.copy()).tolist() == random_shift(IMG, 0., 0.5).tolist()


def test_zoom_range_forms_and_invalid_inputs():
    assert ImageDataGenerator(zoom_range=0.2).zoom_range == [0.8, 1.2]
    assert ImageDataGenerator(zoom_range=(0.5, 2)).zoom_range == [0.5, 2]
    with pytest.raises(ValueError):
        ImageDataGenerator(zoom_range=(1, 2, 3))
    gen = ImageDataGenerator(dim_ordering='th')
    with pytest.raises(ValueError, match='rank 4'):
        gen.fit(np.zeros((3, 5, 5)))
    with pytest.raises(ValueError, match='channels'):
        gen.fit(np.zeros((3, 2, 5, 5)))
    with pytest.raises(ValueError, match='same length'):
        gen.flow(np.zeros((3, 1, 2, 2)), np.zeros(2))
    with pytest.raises(ValueError, match='dim_ordering'):
        ImageDataGenerator(dim_ordering='xy')


def test_flow_batches_order_reshuffle_and_seed():
    X = np.arange(5, dtype='float64').reshape(5, 1, 1, 1) * np.ones((1, 1, 2, 2))
    y = np.arange(5)
    gen = ImageDataGenerator(dim_ordering='th')
    it = gen.flow(X, y, batch_size=2, shuffle=False)
    got = [next(it) for _ in range(4)]
    assert [b[1].tolist() for b in got] == [[0, 1], [2, 3], [4], [0, 1]]
    assert got[0][0].shape == (2, 1, 2, 2) and got[0][0][1, 0, 0, 0] == 1
    a = [next(gen.flow(X, y, batch_size=5, seed=3))[1].tolist() for _ in range(2)]
    assert a[0] == a[1] and sorted(a[0]) == [0, 1, 2, 3, 4]
    it = gen.flow(np.zeros((4, 1, 1, 1)), np.arange(4), batch_size=2, shuffle=True, seed=1)
    passes = [sorted(np.concatenate([next(it)[1], next(it)[1]]).tolist()) for _ in range(3)]
    assert passes == [[0, 1, 2, 3]] * 3  # every pass is a permutation (batch size divides n)
    assert next(gen.flow(X, batch_size=2, shuffle=False)).shape == (2, 1, 2, 2)  # x only


def test_flow_save_to_dir(tmp_path):
    gen = ImageDataGenerator(dim_ordering='th')
    it = gen.flow(data_th(3), batch_size=3, save_to_dir=str(tmp_path), save_prefix='aug',
                  save_format='png')
    next(it)
    saved = sorted(os.listdir(str(tmp_path)))
    assert len(saved) == 3 and all(n.startswith('aug_') and n.endswith('.png') for n in saved)


# ------------------------------------------------------------------ files

def make_image_tree(root):
    from PIL import Image
    colors = {'cats': (255, 0, 0), 'dogs': (0, 0, 255)}
    for label, color in colors.items():
        os.makedirs(os.path.join(root, label, 'sub'))
        for i in range(3):
            sub = 'sub' if i == 2 else ''
            Image.new('RGB', (8, 6), color).save(os.path.join(root, label, sub,
                                                              '%s%d.png' % (label, i)))
    with open(os.path.join(root, 'cats', 'notes.txt'), 'w') as f:
        f.write('not an image')


def test_flow_from_directory(tmp_path, capsys):
    root = str(tmp_path / 'images')
    make_image_tree(root)
    gen = ImageDataGenerator(rescale=1. / 255, dim_ordering='th')
    it = gen.flow_from_directory(root, target_size=(4, 5), batch_size=4, shuffle=False)
    assert capsys.readouterr().out == 'Found 6 images belonging to 2 classes.\n'
    assert it.class_indices == {'cats': 0, 'dogs': 1}
    assert it.nb_sample == 6 and it.nb_class == 2 and it.classes.tolist() == [0, 0, 0, 1, 1, 1]
    assert it.filenames[2] == os.path.join('cats', 'sub', 'cats2.png')
    x, y = next(it)
    assert x.shape == (4, 3, 4, 5) and y.tolist() == [[1, 0], [1, 0], [1, 0], [0, 1]]
    np.testing.assert_allclose(x[0, :, 0, 0], [1, 0, 0])  # red, rescaled
    np.testing.assert_allclose(x[3, :, 0, 0], [0, 0, 1])
    x, y = next(it)
    assert x.shape[0] == 2  # the rest of the pass
    gray = ImageDataGenerator(dim_ordering='tf').flow_from_directory(
        root, target_size=(4, 5), color_mode='grayscale', class_mode='sparse',
        classes=['dogs'], batch_size=3, shuffle=False)
    x, y = next(gray)
    assert x.shape == (3, 4, 5, 1) and y.tolist() == [0, 0, 0]
    binary = gen.flow_from_directory(root, target_size=(2, 2), class_mode='binary',
                                     batch_size=6, shuffle=False)
    assert next(binary)[1].tolist() == [0, 0, 0, 1, 1, 1]
    assert next(gen.flow_from_directory(root, target_size=(2, 2), class_mode=None,
                                        batch_size=2)).shape == (2, 3, 2, 2)
    with pytest.raises(ValueError):
        gen.flow_from_directory(root, class_mode='multi')


def test_image_file_helpers(tmp_path):
    rgb = np.random.RandomState(0).rand(3, 4, 5)  # th
    before = rgb.copy()
    img = array_to_img(rgb, dim_ordering='th')
    assert rgb.tolist() == before.tolist()  # not scaled in place
    assert img.mode == 'RGB' and img.size == (5, 4)
    back = img_to_array(img, dim_ordering='th')
    assert back.shape == (3, 4, 5) and back.dtype == np.float32
    scaled = (rgb - 0) / rgb.max() * 255
    np.testing.assert_array_equal(back, scaled.astype('uint8'))
    path = str(tmp_path / 'pic.png')
    img.save(path)
    loaded = load_img(path, target_size=(2, 3))
    assert loaded.size == (3, 2) and loaded.mode == 'RGB'
    gray = load_img(path, grayscale=True)
    assert img_to_array(gray, dim_ordering='tf').shape == (4, 5, 1)
    assert img_to_array(gray, dim_ordering='th').shape == (1, 4, 5)
    assert array_to_img(np.zeros((4, 5, 1)), dim_ordering='tf').mode == 'L'
    with pytest.raises(ValueError):
        array_to_img(np.zeros((4, 5)))
    assert list_pictures(str(tmp_path)) == [path]
    assert image.Iterator is not None and image.NumpyArrayIterator is not None
