"""Walking and rebuilding a graph in one pass (learning-phase fixing, detaching, Dot
substitution, the graph cache's fingerprint)."""
try:
    from pytensor.graph.traversal import ancestors  # noqa: F401 (re-exported)
except ImportError:  # PyTensor < 3.1
    from pytensor.graph.basic import ancestors  # noqa: F401


def children_first(roots, children):
    """Everything reachable from ``roots`` through ``children(item)``, each item after its
    children; iterative, as graphs can be deeper than Python's recursion limit."""
    order, seen = [], set()
    stack = [(r, False) for r in roots]
    while stack:
        item, done = stack.pop()
        if done:
            order.append(item)
            continue
        if item in seen:
            continue
        seen.add(item)
        stack.append((item, True))
        stack.extend((c, False) for c in children(item) if c not in seen)
    return order


def rebuild(variables, target=None, leaf=None, rewrite=None):
    """``variables`` rebuilt in one pass over their graph, children before parents.

    ``target(v)``: the variable that stands for ``v`` (default ``v``);
    ``leaf(v)``: what a root variable becomes; ``rewrite(node, inputs)``: new
    outputs for ``node`` given its rebuilt inputs, or None. A node that is
    not rewritten is cloned only when one of its inputs changed.
    """
    target = target or (lambda v: v)
    order = children_first([target(v) for v in variables],
                           lambda v: map(target, v.owner.inputs) if v.owner is not None else ())
    memo, rebuilt = {}, {}
    for v in order:
        node = v.owner
        if node is None:
            memo[v] = leaf(v) if leaf else v
            continue
        if node not in rebuilt:
            new_inputs = [memo[target(i)] for i in node.inputs]
            outs = rewrite(node, new_inputs) if rewrite else None
            if outs is None and any(a is not b for a, b in zip(new_inputs, node.inputs)):
                outs = node.clone_with_new_inputs(new_inputs, strict=False).outputs
            rebuilt[node] = outs or node.outputs
        memo[v] = rebuilt[node][node.outputs.index(v)]
    return [memo[target(v)] for v in variables]
