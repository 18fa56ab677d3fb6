"""Model (graph) configs in Keras 1's JSON layout, and rebuilding layers and models from them.

A graph config lists the layers in ``model.layers`` order, each with its
``inbound_nodes`` as ``[layer_name, node_index, tensor_index]`` triples whose
node indices count only the nodes that belong to the model.

A config names each layer by its class name. The layer classes live in
``keraslike.layers``, which is built on the engine and so cannot be imported from
here: that package hands its namespace over with :func:`register_layer_namespace`
when it loads (``keraslike.models`` imports it, as Keras 1's did).
"""
import copy
import inspect

from keraslike.utils.generic_utils import custom_object_scope, get_custom_objects, get_from_module
from .container import Container
from .merge_layer import Merge
from .sequential import Sequential
from .training import Model

# The namespace of ``keraslike.layers`` (class name -> class), once that package is loaded.
_layer_namespace = {}


def register_layer_namespace(namespace):
    """Resolve the class names of layer configs in ``namespace`` (``keraslike.layers``
    passes its own ``globals()``, so names it defines later are seen too)."""
    global _layer_namespace
    _layer_namespace = namespace


def layer_from_config(config, custom_objects=None, safe_mode=None):
    """Instantiate a layer (or model) from ``{'class_name': ..., 'config': ...}``.

    ``custom_objects`` maps names to custom layers or functions; they are
    visible only during this call. ``safe_mode=False`` allows configs holding
    marshalled Python code (Keras 1 lambdas) to be rebuilt.
    """
    class_name = config['class_name']
    with custom_object_scope(custom_objects or {}):
        if class_name == 'Sequential':
            layer_class = Sequential
        elif class_name in ('Model', 'Container'):
            layer_class = Model
        elif _layer_namespace:
            layer_class = get_from_module(class_name, _layer_namespace, 'layer')
        else:  # only the engine is loaded: custom objects, or an explanation
            layer_class = get_custom_objects().get(class_name)
            if layer_class is None:
                raise ValueError('Invalid layer: %s. The layer classes are known once '
                                 'keraslike.layers is imported (keraslike.models imports it).'
                                 % class_name)
        params = inspect.signature(layer_class.from_config).parameters
        kwargs = {}
        if 'custom_objects' in params:
            kwargs['custom_objects'] = custom_objects
        if 'safe_mode' in params:
            kwargs['safe_mode'] = safe_mode
        return layer_class.from_config(config['config'], **kwargs)


def _node_key(layer, node_index):
    return layer.name + '_ib-' + str(node_index)


def container_config(container):
    """``{'name', 'layers', 'input_layers', 'output_layers'}`` for a graph model."""
    conversion = {}
    for layer in container.layers:
        # a nested model's node 0 links its own inputs to outputs and is never kept
        kept = 1 if isinstance(layer, Container) else 0
        for index, _ in enumerate(layer.inbound_nodes):
            key = _node_key(layer, index)
            if key in container.container_nodes:
                conversion[key] = kept
                kept += 1

    layer_configs = []
    for layer in container.layers:
        inbound = []
        for index, node in enumerate(layer.inbound_nodes):
            if _node_key(layer, index) not in container.container_nodes or not node.inbound_layers:
                continue
            inbound.append([[inbound_layer.name,
                             conversion.get(_node_key(inbound_layer, node_index), 0),
                             tensor_index]
                            for inbound_layer, node_index, tensor_index
                            in zip(node.inbound_layers, node.node_indices, node.tensor_indices)])
        layer_configs.append({'name': layer.name, 'class_name': layer.__class__.__name__,
                              'config': layer.get_config(), 'inbound_nodes': inbound})

    def endpoints(layers, node_indices, tensor_indices):
        return [[layer.name, conversion[_node_key(layer, n)], t]
                for layer, n, t in zip(layers, node_indices, tensor_indices)]

    return copy.deepcopy({
        'name': container.name, 'layers': layer_configs,
        'input_layers': endpoints(container.input_layers, container.input_layers_node_indices,
                                  container.input_layers_tensor_indices),
        'output_layers': endpoints(container.output_layers,
                                   container.output_layers_node_indices,
                                   container.output_layers_tensor_indices)})


def container_from_config(cls, config, custom_objects=None, safe_mode=None):
    """Re-create the layers of a graph config and call them as recorded."""
    created = {}
    queues = {}  # layer name -> its recorded nodes not yet created, in order

    def input_tensors(node_data):
        tensors = []
        for name, node_index, tensor_index in node_data:
            layer = created.get(name)
            if layer is None or len(layer.inbound_nodes) <= node_index:
                return None
            tensors.append(layer.inbound_nodes[node_index].output_tensors[tensor_index])
        return tensors

    for layer_data in config['layers']:
        name = layer_data['name']
        if name in created:
            raise ValueError('The model config lists layer "%s" twice.' % name)
        created[name] = layer_from_config(layer_data, custom_objects=custom_objects,
                                          safe_mode=safe_mode)
        queues[name] = list(layer_data['inbound_nodes'])
        # A shared layer's later node may need layers listed after it: create every node
        # whose inputs exist, keeping each layer's nodes in their recorded order.
        progress = True
        while progress:
            progress = False
            for layer_name, queue in queues.items():
                while queue:
                    tensors = input_tensors(queue[0])
                    if tensors is None:
                        break
                    created[layer_name](tensors[0] if len(tensors) == 1 else tensors)
                    queue.pop(0)
                    progress = True
    waiting = [(n, q[0]) for n, q in queues.items() if q]
    if waiting:
        raise ValueError('Could not rebuild the model: the inputs of layer "%s" (%s) are not '
                         'produced by any layer of the config.' % waiting[0])

    def endpoints(key):
        tensors = []
        for name, node_index, tensor_index in config[key]:
            if name not in created:
                raise ValueError('The model config names %s layer "%s", which it does not '
                                 'define.' % (key.split('_')[0], name))
            tensors.append(created[name].inbound_nodes[node_index].output_tensors[tensor_index])
        return tensors

    return cls(input=endpoints('input_layers'), output=endpoints('output_layers'),
               name=config.get('name'))


def sequential_config(model):
    """A Sequential's config: a list of layer configs; a leading Merge carries its branches."""
    configs = []
    for i, layer in enumerate(model.layers):
        config = layer.get_config()
        if i == 0 and isinstance(layer, Merge) and layer.layers:
            config['layers'] = [{'class_name': branch.__class__.__name__,
                                 'config': branch.get_config()} for branch in layer.layers]
        configs.append({'class_name': layer.__class__.__name__, 'config': config})
    return copy.deepcopy(configs)


def sequential_from_config(cls, config, custom_objects=None, safe_mode=None):
    """Rebuild a Sequential from its list config (also Keras 0.x configs without class_name)."""
    if not isinstance(config, list):
        raise TypeError('A Sequential config is a list of layer configs, got %s.'
                        % type(config).__name__)
    model = cls()
    for i, conf in enumerate(config):
        if 'class_name' not in conf:  # legacy: class name in 'name', layer name in 'custom_name'
            conf = dict(conf)
            conf = {'class_name': conf.pop('name'), 'config': dict(conf, name=conf.get(
                'custom_name'))}
        if i == 0 and conf['class_name'] == 'Merge' and 'layers' in conf['config']:
            merge_config = dict(conf['config'])
            merge_config['layers'] = [
                layer_from_config(c, custom_objects=custom_objects, safe_mode=safe_mode)
                for c in merge_config['layers']]
            model.add(Merge.from_config(merge_config, custom_objects=custom_objects,
                                        safe_mode=safe_mode))
        else:
            model.add(layer_from_config(conf, custom_objects=custom_objects,
                                        safe_mode=safe_mode))
    return model
