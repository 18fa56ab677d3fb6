"""Model graphs (visualize_util / vis_utils) and History plots: structure of the dot graph,
valid PNG and dot files. Models here are built, never compiled."""
import os
import re
import shutil

import numpy as np
import pytest

from keraslike.engine.topology import Input
from keraslike.engine.topology import merge
from keraslike.layers import Dense, Dropout
from keraslike.models import Model, Sequential

pydot = pytest.importorskip('pydot')
from keraslike.utils import vis_utils, visualize_util  # noqa: E402
from keraslike.utils.history_plot import history_series, plot_history  # noqa: E402

PNG_SIGNATURE = b'\x89PNG\r\n\x1a\n'
needs_dot = pytest.mark.skipif(shutil.which('dot') is None,
                               reason="Graphviz's `dot` program is not installed "
                                      '(apt-get install graphviz): no picture rendering')


def unquote(value):
    return value.strip('"') if isinstance(value, str) else value


def graph(dot):
    """(labels by node name, edges as label pairs) of a pydot graph."""
    labels = {n.get_name(): unquote(n.get('label')) for n in dot.get_nodes()
              if n.get_name() not in ('node', 'edge', 'graph')}
    edges = sorted((labels[unquote(e.get_source())], labels[unquote(e.get_destination())])
                   for e in dot.get_edges())
    return labels, edges


@pytest.fixture(scope='module')
def seq():
    return Sequential([Dense(4, input_dim=3, name='hidden'), Dropout(0.5, name='drop'),
                       Dense(2, name='out')])


@pytest.fixture(scope='module')
def functional():
    a = Input(shape=(3,), name='left')
    b = Input(shape=(5,), name='right')
    shared = Dense(4, name='shared')
    merged = merge([shared(a), Dense(4, name='branch')(b)], mode='concat', name='joined')
    return Model(input=[a, b], output=Dense(1, name='score')(merged))


def test_sequential_dot_graph(seq):
    dot = visualize_util.model_to_dot(seq)
    labels, edges = graph(dot)
    input_label = [v for v in labels.values() if v.endswith(': InputLayer')][0]
    assert re.match(r'dense_input_\d+: InputLayer$', input_label)  # Keras 1's input name
    assert sorted(labels.values()) == sorted([input_label, 'hidden: Dense', 'drop: Dropout',
                                              'out: Dense'])
    assert edges == sorted([(input_label, 'hidden: Dense'), ('hidden: Dense', 'drop: Dropout'),
                            ('drop: Dropout', 'out: Dense')])
    assert unquote(dot.get('rankdir')) == 'TB'
    assert unquote(dot.get_node_defaults()[0]['shape']) == 'record'
    names_only = graph(visualize_util.model_to_dot(seq, show_layer_names=False))[0]
    assert sorted(names_only.values()) == ['Dense', 'Dense', 'Dropout', 'InputLayer']


def test_functional_dot_graph_with_shapes(functional):
    labels, edges = graph(visualize_util.model_to_dot(functional, show_shapes=True))
    by_name = {v.split(':')[0]: v for v in labels.values()}
    assert sorted(by_name) == ['branch', 'joined', 'left', 'right', 'score', 'shared']
    assert by_name['joined'] == ('joined: Merge\n|{input:|output:}|'
                                 '{{[(None, 4), (None, 4)]}|{(None, 8)}}')
    assert by_name['left'] == 'left: InputLayer\n|{input:|output:}|{{(None, 3)}|{(None, 3)}}'
    short = sorted((a.split(':')[0], b.split(':')[0]) for a, b in edges)
    assert short == [('branch', 'joined'), ('joined', 'score'), ('left', 'shared'),
                     ('right', 'branch'), ('shared', 'joined')]


def test_plot_writes_dot_source_without_graphviz(seq, tmp_path):
    path = str(tmp_path / 'model.dot')
    visualize_util.plot(seq, to_file=path, show_shapes=True)
    text = open(path).read()
    assert text.startswith('digraph') and 'hidden: Dense' in text and '->' in text
    parsed = pydot.graph_from_dot_file(path)[0]
    assert len(graph(parsed)[1]) == 3


@needs_dot
def test_plot_renders_png(seq, functional, tmp_path):
    from PIL import Image
    for model, name in ((functional, 'functional.png'), (seq, 'sequential.png')):
        path = str(tmp_path / name)
        vis_utils.plot_model(model, to_file=path, show_shapes=model is functional)
        with open(path, 'rb') as f:
            assert f.read(8) == PNG_SIGNATURE
    with Image.open(str(tmp_path / 'sequential.png')) as img:
        assert img.size[1] > img.size[0]  # a chain of 4 boxes drawn top to bottom
    assert [n for n in os.listdir(str(tmp_path)) if n.endswith('.tmp')] == []


def test_missing_graphviz_message(seq, tmp_path, monkeypatch):
    monkeypatch.setenv('PATH', str(tmp_path))  # no `dot` here
    with pytest.raises(OSError, match='apt-get install graphviz'):
        visualize_util.plot(seq, to_file=str(tmp_path / 'm.png'))
    assert not (tmp_path / 'm.png').exists()


HISTORY = {'loss': [1.0, 0.6, 0.45, 0.4], 'val_loss': [1.1, 0.8, 0.7, 0.72],
           'acc': [0.5, 0.7, 0.8, 0.85], 'val_acc': [0.45, 0.6, 0.65, 0.66], 'lr': [.1] * 4}


def test_history_series():
    epochs, series = history_series(HISTORY)
    assert epochs == [1, 2, 3, 4]
    assert sorted(series) == ['acc', 'loss', 'lr']
    assert series['acc']['val'] == HISTORY['val_acc'] and series['lr']['val'] is None


def test_plot_history_png(tmp_path):
    pytest.importorskip('matplotlib')
    from PIL import Image

    class FakeHistory(object):
        history = HISTORY
        epoch = [0, 1, 2, 3]
    path = plot_history(FakeHistory(), to_file=str(tmp_path / 'history.png'),
                        metrics=['loss', 'acc'], title='run')
    with open(path, 'rb') as f:
        assert f.read(8) == PNG_SIGNATURE
    with Image.open(path) as img:
        assert img.size == (1000, 400)  # two 5x4-inch panels at 100 dpi
        pixels = np.asarray(img.convert('RGB'))
    assert len(np.unique(pixels.reshape(-1, 3), axis=0)) > 10  # something was drawn
    with pytest.raises(ValueError, match='Nothing to plot'):
        plot_history(HISTORY, to_file=str(tmp_path / 'x.png'), metrics=['f1'])
