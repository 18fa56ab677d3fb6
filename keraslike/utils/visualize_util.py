"""Drawing a model's layer graph (``keras.utils.visualize_util``) with pydot and Graphviz.

``model_to_dot`` needs only the ``pydot`` package; writing a picture (PNG,
SVG, PDF...) also needs Graphviz's ``dot`` program (``apt-get install
graphviz``). A ``.dot``/``.gv`` file is the graph source and needs no Graphviz.
Both are optional: ``pip install 'keraslike[visualize]'``.

>>> from keraslike.models import Sequential
>>> from keraslike.layers import Dense
>>> model = Sequential([Dense(4, input_dim=3, name='hidden'), Dense(1, name='out')])
>>> dot = model_to_dot(model)                           # doctest: +SKIP
>>> plot(model, to_file='model.png', show_shapes=True)  # doctest: +SKIP
"""
import os


def __getattr__(name):
    """Keras 1's visualize_util imported Sequential and Wrapper: code imports them from here."""
    # Imported here, not at the top: the engine and the layers import the utilities.
    if name == 'Sequential':
        from keraslike.engine.sequential import Sequential
        return Sequential
    if name == 'Wrapper':
        from keraslike.layers.wrappers import Wrapper
        return Wrapper
    raise AttributeError('module %r has no attribute %r' % (__name__, name))


def _pydot():
    try:
        import pydot
    except ImportError:
        raise ImportError('Model plotting needs pydot (and Graphviz for pictures): '
                          "`pip install pydot` (or `pip install 'keraslike[visualize]'`) and "
                          '`apt-get install graphviz`.')
    return pydot


def _graph_model(model):
    """The functional model to draw: a Sequential's inner model (built first if needed).

    A Sequential is recognised by its ``flattened_layers``: this module may not import the
    engine, which imports the utilities."""
    if hasattr(model, 'flattened_layers'):
        if not getattr(model, 'built', True) or getattr(model, 'model', None) is None:
            model.build()
        model = model.model
    return model


def _wrapped_layer(layer):
    inner = getattr(layer, 'layer', None)
    return inner if inner is not None and hasattr(inner, 'name') and inner is not layer else None


def _label(layer, show_shapes, show_layer_names):
    layer_name = layer.name
    class_name = layer.__class__.__name__
    inner = _wrapped_layer(layer)
    if inner is not None:  # wrappers such as TimeDistributed: name(inner), Class(InnerClass)
        layer_name = '{}({})'.format(layer_name, inner.name)
        class_name = '{}({})'.format(class_name, inner.__class__.__name__)
    label = '{}: {}'.format(layer_name, class_name) if show_layer_names else class_name
    if show_shapes:
        try:
            outputlabels = str(layer.output_shape)
        except Exception:
            outputlabels = 'multiple'
        try:
            inputlabels = str(layer.input_shape)
        except Exception:
            inputlabels = 'multiple'
        label = '%s\n|{input:|output:}|{{%s}|{%s}}' % (label, inputlabels, outputlabels)
    return label


def model_to_dot(model, show_shapes=False, show_layer_names=True, rankdir='TB'):
    """A ``pydot.Dot`` graph: one record node per layer (``'<name>: <Class>'``, with an
    ``input:/output:`` shape table when ``show_shapes``), one edge per connection used
    by the model, drawn top to bottom (``rankdir``, Keras 2)."""
    pydot = _pydot()
    dot = pydot.Dot()
    dot.set('rankdir', rankdir)
    dot.set('concentrate', True)
    dot.set_node_defaults(shape='record')
    model = _graph_model(model)
    layers = model.layers
    for layer in layers:
        dot.add_node(pydot.Node(str(id(layer)),
                                label=_label(layer, show_shapes, show_layer_names)))
    container_nodes = getattr(model, 'container_nodes', None)
    for layer in layers:
        layer_id = str(id(layer))
        for i, node in enumerate(layer.inbound_nodes):
            node_key = layer.name + '_ib-' + str(i)
            if container_nodes is None or node_key in container_nodes:
                for inbound_layer in node.inbound_layers:
                    dot.add_edge(pydot.Edge(str(id(inbound_layer)), layer_id))
    return dot


def plot(model, to_file='model.png', show_shapes=False, show_layer_names=True, rankdir='TB'):
    """Write the layer graph to ``to_file``; the format comes from the extension
    (default png). ``.dot``/``.gv`` write the graph source without Graphviz."""
    dot = model_to_dot(model, show_shapes, show_layer_names, rankdir)
    _, extension = os.path.splitext(to_file)
    fmt = extension[1:].lower() if extension else 'png'
    if fmt in ('dot', 'gv'):
        data = dot.to_string().encode('utf-8')
    else:
        try:
            data = dot.create(format=fmt)
        except (OSError, FileNotFoundError, AssertionError) as e:
            raise OSError('Could not run Graphviz to draw %s (%s). Install it with '
                          '`apt-get install graphviz` (the `dot` program must be on PATH), or '
                          'write a .dot file instead.' % (to_file, e))
    _write_atomic(to_file, data)


def _write_atomic(path, data):
    import tempfile
    folder = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix=os.path.basename(path) + '.', suffix='.tmp', dir=folder)
    try:
        with os.fdopen(fd, 'wb') as f:
            f.write(data)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.remove(tmp)
        raise


plot_model = plot
