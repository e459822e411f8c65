"""Draw the computational graph behind a :class:`~nnbook.autograd.Value` with matplotlib (Chapter 4).

Each Value is a box with its name, ``data`` and (optionally) ``grad``; each operation
is a circle between its inputs and its output. Inputs are on the left, the result on
the right. Meant for small graphs (a few dozen nodes).
"""

from nnbook.plotting import OKABE_ITO
from nnbook.validation import as_having, as_instance

# What a Value has, by duck typing, so that the Value a reader builds in Chapter 4 is
# drawn too.
VALUE_PARTS = ("data", "grad", "_prev", "_op")


def _check_graph(root, names):
    """Check plot_graph's arguments; returns the labels, a dict id(Value) → name."""
    as_having(root, "root", VALUE_PARTS, "a Value")
    names = {} if names is None else as_instance(
        names, "names", dict, "a dict of name → Value, such as dict(a=a, b=b)")
    for name, node in names.items():
        as_having(node, f"names[{name!r}]", VALUE_PARTS, "a Value")
    return {id(v): str(k) for k, v in names.items()}


MAX_NODES = 200  # beyond that the boxes overlap and the figure says nothing


def _root_first(root):
    """Every Value ``root`` depends on, each after all the Values that use it (Kahn's algorithm)."""
    uses, stack, seen = {}, [root], {id(root)}
    while stack:
        for child in stack.pop()._prev:
            uses[id(child)] = uses.get(id(child), 0) + 1
            if id(child) not in seen:
                seen.add(id(child))
                stack.append(child)
    order, ready = [], [root]
    while ready:
        node = ready.pop()
        order.append(node)
        for child in node._prev:
            uses[id(child)] -= 1
            if uses[id(child)] == 0:
                ready.append(child)
    return order


def graph_layout(root):
    """Positions of the graph's Values: dict id(node) → (node, x, y).

    x grows from the inputs (left) to ``root`` (right) in steps of 2, leaving room
    for an operation circle at x − 1; a node's column is its longest distance from
    the root; nodes in one column are spread along y.
    """
    _check_graph(root, None)
    order = _root_first(root)
    if len(order) > MAX_NODES:
        raise ValueError(f"plot_graph draws graphs of at most {MAX_NODES} Values, this one has {len(order)}: "
                         "draw a smaller expression")
    depth = {id(root): 0}
    for node in order:
        for child in node._prev:
            depth[id(child)] = max(depth.get(id(child), 0), depth[id(node)] + 1)
    deepest, columns = max(depth.values()), {}
    for node in order:
        columns.setdefault(depth[id(node)], []).append(node)
    layout = {}
    for d, nodes in columns.items():
        for i, node in enumerate(nodes):
            layout[id(node)] = (node, 2.0 * (deepest - d), (len(nodes) - 1) / 2 - i)
    return layout


def _draw_node(ax, node, x, y, label, show_grad, arrow):
    """One Value's box, and for a computed Value its operation's circle and arrows."""
    lines = ([label] if label else []) + [f"data {node.data:.3g}"]
    lines += [f"grad {node.grad:.3g}"] if show_grad else []
    colour = OKABE_ITO[4] if not node._prev else "white"
    ax.text(x, y, "\n".join(lines), ha="center", va="center", fontsize=9,
            bbox=dict(boxstyle="round", fc=colour, ec="0.3", alpha=0.9))
    if node._prev:
        ax.text(x - 1, y, node._op, ha="center", va="center", fontsize=9,
                bbox=dict(boxstyle="circle", fc="0.9", ec="0.3"))
        ax.annotate("", (x, y), (x - 1, y), arrowprops=dict(arrow, shrinkA=10, shrinkB=26))


def plot_graph(root, names=None, show_grad=True, ax=None):
    """Draw the graph that computes ``root``; ``names``: dict name → Value for the labels.

    show_grad: also write each node's ``grad`` (after ``root.backward()``). Returns the Axes.
    """
    import matplotlib.pyplot as plt

    labels = _check_graph(root, names)
    layout = graph_layout(root)
    width = max(x for _, x, _ in layout.values()) + 2
    height = max(abs(y) for _, _, y in layout.values()) * 2 + 1.5
    if ax is None:
        ax = plt.subplots(figsize=(1.1 * width, 0.9 * height + 0.6))[1]
    arrow = dict(arrowstyle="->", color="0.4", lw=1, shrinkA=26, shrinkB=10)
    for node, x, y in layout.values():
        _draw_node(ax, node, x, y, labels.get(id(node)), show_grad, arrow)
        for child in dict.fromkeys(node._prev):
            _, cx, cy = layout[id(child)]
            bend = "arc3,rad=0.35" if x - cx > 2 else "arc3,rad=0"  # skip over the columns between
            ax.annotate("", (x - 1, y), (cx, cy), arrowprops=dict(arrow, connectionstyle=bend))
    ax.set(xlim=(-0.8, width - 1.2), ylim=(-height / 2, height / 2))
    ax.axis("off")
    return ax
