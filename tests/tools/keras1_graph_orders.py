"""Record real Keras 1.2.2's layer order for the graphs of ``tests/graph_builders.py``.

Writes ``tests/fixtures/keras1_graph_orders.json``: for each graph, the names
of ``Model.layers`` and the shapes of ``get_weights()`` (the order weights are
saved in). Runs under an old interpreter with Keras 1.2.2 on Theano (see
``benchmarks/keras1_theano_cnn.py`` for the setup)::

    KERAS_BACKEND=theano .venv-keras1/bin/python tests/tools/keras1_graph_orders.py
"""
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))


def main():
    import theano.ifelse  # noqa: F401  (Keras 1.2.2 calls theano.ifelse without importing it)
    from keras import backend as K
    from keras import layers as L
    from keras.models import Model
    import graph_builders
    K.set_image_dim_ordering('th')
    orders = {}
    for name, build in sorted(graph_builders.BUILDERS.items()):
        inp, out = build(L)
        model = Model(input=inp, output=out)
        orders[name] = {'layers': [layer.name for layer in model.layers],
                        'weight_shapes': [list(w.shape) for w in model.get_weights()]}
    path = os.path.join(os.path.dirname(HERE), 'fixtures', 'keras1_graph_orders.json')
    with open(path, 'w') as f:
        json.dump(orders, f, indent=1, sort_keys=True)
    print('wrote', path)


if __name__ == '__main__':
    main()
