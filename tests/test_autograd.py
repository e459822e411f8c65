"""The scalar autograd engine (nnbook.autograd), its networks (nnbook.valuenet) and its
graph drawing (nnbook.plotting_graph): every gradient agrees with torch.autograd and with
finite differences; reused nodes and accumulation behave; bad input is refused clearly."""

import gc
import math
import random

import matplotlib
import pytest
import torch

from nnbook.autograd import Value
from nnbook.plotting_graph import graph_layout, plot_graph
from nnbook.valuenet import MLP, Layer, Neuron

matplotlib.use("Agg")

# Each expression is written once and run on Values and on torch tensors alike.
EXPRESSIONS = {
    "add": lambda a, b: a + b,
    "sub": lambda a, b: a - b,
    "mul": lambda a, b: a * b,
    "div": lambda a, b: a / b,
    "neg": lambda a, b: -a + b,
    "pow_int": lambda a, b: a ** 3 + b ** 2,
    "pow_float": lambda a, b: (a * a + 1) ** 0.5 * b,
    "pow_negative": lambda a, b: a ** -2 * b,
    "radd": lambda a, b: 2 + a + b,
    "rsub": lambda a, b: 1.5 - a * b,
    "rmul": lambda a, b: -3 * a + 0.5 * b,
    "rtruediv": lambda a, b: 2 / a + 1 / b,
    "exp": lambda a, b: (a * b).exp(),
    "log": lambda a, b: (a * a + b * b).log(),
    "tanh": lambda a, b: (a + b).tanh(),
    "sigmoid": lambda a, b: (a - b).sigmoid(),
    "relu": lambda a, b: (a * b).relu() + (a + b).relu(),
    "reused": lambda a, b: (lambda h: h * h + h / b)(a.tanh() * b),
    "neuron": lambda a, b: (a * 0.7 - b * 1.3 + 0.2).tanh() * (b * a).sigmoid() + (a - 2 * b).exp().log(),
}
POINTS = [(0.8, -1.3), (-2.0, 0.5), (1.5, 2.5), (-0.3, -0.7)]


def value_grads(f, x, y):
    a, b = Value(x), Value(y)
    out = f(a, b)
    out.backward()
    return out.data, [a.grad, b.grad]


def torch_grads(f, x, y):
    a = torch.tensor(x, dtype=torch.float64, requires_grad=True)
    b = torch.tensor(y, dtype=torch.float64, requires_grad=True)
    out = f(a, b)
    out.backward()
    return out.item(), [a.grad.item(), b.grad.item()]


@pytest.mark.parametrize("point", POINTS)
@pytest.mark.parametrize("name", EXPRESSIONS)
def test_gradients_agree_with_torch(name, point):
    data, grads = value_grads(EXPRESSIONS[name], *point)
    expected_data, expected_grads = torch_grads(EXPRESSIONS[name], *point)
    assert data == pytest.approx(expected_data, rel=1e-12, abs=1e-12)
    assert grads == pytest.approx(expected_grads, rel=1e-10, abs=1e-12)


@pytest.mark.parametrize("name", EXPRESSIONS)
def test_gradients_agree_with_finite_differences(name):
    f, (x, y), h = EXPRESSIONS[name], POINTS[0], 1e-6
    _, grads = value_grads(f, x, y)
    numerical = [(f(Value(x + h), Value(y)).data - f(Value(x - h), Value(y)).data) / (2 * h),
                 (f(Value(x), Value(y + h)).data - f(Value(x), Value(y - h)).data) / (2 * h)]
    assert grads == pytest.approx(numerical, rel=1e-6, abs=1e-7)


def test_relu_gradient_is_zero_at_zero_like_torch():
    assert value_grads(lambda a, b: a.relu() + b, 0.0, 1.0)[1] == [0.0, 1.0]
    assert torch_grads(lambda a, b: a.relu() + b, 0.0, 1.0)[1] == [0.0, 1.0]


def test_sigmoid_does_not_overflow():
    assert Value(-1000.0).sigmoid().data == 0.0
    assert Value(1000.0).sigmoid().data == 1.0


def test_a_node_used_twice_gets_both_contributions():
    a = Value(3.0)
    out = a * a + a  # d/da = 2a + 1
    out.backward()
    assert a.grad == 7.0


def test_an_inner_node_reused_is_visited_once():
    x = Value(0.5)
    h = x.tanh()
    out = h * h + h
    out.backward()
    assert h.grad == pytest.approx(2 * h.data + 1)
    assert x.grad == pytest.approx((2 * h.data + 1) * (1 - h.data ** 2))


def test_gradients_accumulate_until_reset():
    a = Value(2.0)
    out = a * 5
    out.backward()
    out.backward()
    assert a.grad == 10.0  # two calls: 5 + 5, as in PyTorch
    a.grad = 0.0
    out.backward()
    assert a.grad == 5.0


def test_operations_record_their_graph():
    a, b = Value(1.0), Value(2.0)
    c = a * b
    assert c._prev == (a, b) and c._op == "*"
    assert (a + b)._op == "+" and a.exp()._op == "exp" and (a ** 2)._op == "**2"
    assert a.grad == 0.0 and callable(a._backward)


def test_numbers_of_any_real_type_are_accepted():
    import numpy as np

    assert (Value(np.float32(0.5)) + np.int64(2)).data == 2.5
    assert repr(Value(1.23456)) == "Value(data=1.235, grad=0)"


def refuses(call, error, message):
    """``call()`` raises ``error`` with exactly ``message``, on one line."""
    with pytest.raises(error) as raised:
        call()
    assert str(raised.value) == message and "\n" not in message


@pytest.mark.parametrize("bad, shown", [("1.0", "'1.0'"), (None, "None"), ([1.0], "a list"),
                                        (True, "True"), (1 + 2j, "(1+2j)")])
def test_value_refuses_what_is_not_a_real_number(bad, shown):
    refuses(lambda: Value(bad), TypeError,
            f"data must be a real number (an int or a float), got {shown}")


def test_a_value_may_hold_an_overflowed_number():
    # the operation that overflowed is where the trouble is; the Value only carries it
    assert Value(float("inf")).data == float("inf") and (Value(1e308) * 10).data == float("inf")


def test_combining_with_a_string_is_refused():
    message = "data must be a real number (an int or a float), got '2'"
    refuses(lambda: Value(1.0) + "2", TypeError, message)
    refuses(lambda: "2" * Value(1.0), TypeError, message)


@pytest.mark.parametrize("x, shown", [(0.0, "0.0"), (-1.0, "-1.0")])
def test_log_of_a_non_positive_number_is_refused(x, shown):
    refuses(lambda: Value(x).log(), ValueError,
            f"the input of log must be a finite number > 0, got {shown}")


@pytest.mark.parametrize("exponent, shown", [(Value(3.0), "a Value"), ("3", "'3'"), (None, "None")])
def test_exponent_must_be_a_plain_number(exponent, shown):
    refuses(lambda: Value(2.0) ** exponent, TypeError,
            f"the exponent must be a real number (an int or a float), got {shown}: "
            "for a Value exponent write (exponent * base.log()).exp()")


def test_negative_base_to_a_fractional_power_is_refused():
    refuses(lambda: Value(-8.0) ** 0.5, ValueError,
            "a negative base (-8) to a fractional power (0.5) is not a real number: "
            "use a whole exponent or a positive base")
    assert (Value(-2.0) ** 3).data == -8.0 and (Value(-2.0) ** 2.0).data == 4.0


# Networks of Values


def test_neuron_layer_mlp_shapes_and_parameters():
    random.seed(0)
    assert len(Neuron(3).parameters()) == 4
    layer = Layer(3, 4)
    assert len(layer.parameters()) == 16 and len(layer([1.0, 2.0, 3.0])) == 4
    model = MLP(2, [8, 8, 1])
    assert len(model.parameters()) == (2 * 8 + 8) + (8 * 8 + 8) + (8 + 1)
    assert isinstance(model([0.5, -0.5]), Value)
    assert len(MLP(2, [3, 2])([0.5, -0.5])) == 2


def test_mlp_gradients_agree_with_torch():
    random.seed(1)
    model = MLP(2, [3, 1], activation="tanh")
    x = [0.4, -1.1]
    out = model(x)
    model.zero_grad()
    out.backward()
    hidden, last = model.layers
    W1 = torch.tensor([[w.data for w in n.w] for n in hidden.neurons], dtype=torch.float64, requires_grad=True)
    b1 = torch.tensor([n.b.data for n in hidden.neurons], dtype=torch.float64, requires_grad=True)
    w2 = torch.tensor([w.data for w in last.neurons[0].w], dtype=torch.float64, requires_grad=True)
    b2 = torch.tensor(last.neurons[0].b.data, dtype=torch.float64, requires_grad=True)
    expected = torch.tanh(W1 @ torch.tensor(x, dtype=torch.float64) + b1) @ w2 + b2
    expected.backward()
    assert out.data == pytest.approx(expected.item())
    assert [w.grad for n in hidden.neurons for w in n.w] == pytest.approx(W1.grad.flatten().tolist())
    assert [n.b.grad for n in hidden.neurons] == pytest.approx(b1.grad.tolist())
    assert [w.grad for w in last.neurons[0].w] == pytest.approx(w2.grad.tolist())


def test_zero_grad_resets_every_parameter():
    random.seed(0)
    model = MLP(2, [4, 1], activation="relu")
    model([1.0, 2.0]).backward()
    assert any(p.grad != 0 for p in model.parameters())
    model.zero_grad()
    assert all(p.grad == 0 for p in model.parameters())


def test_a_few_steps_of_gradient_descent_lower_the_loss():
    random.seed(0)
    model = MLP(2, [4, 1])
    X, y = [[0.0, 1.0], [1.0, 0.0], [1.0, 1.0]], [1.0, -1.0, 0.5]
    losses = []
    for _ in range(20):
        loss = sum((model(x) - t) ** 2 for x, t in zip(X, y))
        model.zero_grad()
        loss.backward()
        for p in model.parameters():
            p.data -= 0.05 * p.grad
        losses.append(loss.data)
    assert losses[-1] < 0.5 * losses[0]


@pytest.mark.parametrize("make, error, message", [
    (lambda: Neuron(0), ValueError, "num_inputs must be an int ≥ 1, got 0"),
    (lambda: Neuron(2.5), TypeError, "num_inputs must be an int ≥ 1, got 2.5"),
    (lambda: Neuron(True), TypeError, "num_inputs must be an int ≥ 1, got True"),
    (lambda: Neuron(2, activation="step"), ValueError,
     "unknown activation 'step': choose one of sigmoid, tanh, relu, linear"),
    (lambda: Layer(2, 0), ValueError, "num_outputs must be an int ≥ 1, got 0"),
    (lambda: Layer(2, "3"), TypeError, "num_outputs must be an int ≥ 1, got '3'"),
    (lambda: Neuron(2)([1.0, 2.0, 3.0]), ValueError, "this neuron takes 2 inputs, got 3"),
    (lambda: MLP(2, 8), TypeError,
     "sizes must be a list of layer sizes such as [64, 128, 10], got 8"),
    (lambda: MLP(2, []), ValueError, "sizes must hold at least 1 layer sizes, got []"),
    (lambda: MLP(2, [8, 0]), ValueError, "sizes[1] must be an int ≥ 1, got 0"),
    (lambda: MLP(0, [8, 1]), ValueError, "num_inputs must be an int ≥ 1, got 0"),
])
def test_networks_refuse_bad_sizes(make, error, message):
    refuses(make, error, message)


def test_networks_offer_chapter_1s_trainable_activations():
    from nnbook.activations import TRAINABLE

    outputs = {name: Neuron(1, name)([0.0]).data for name in (*TRAINABLE, "linear")}
    # w·0 + b = 0 with b = 0: each activation at 0
    assert outputs == {"sigmoid": 0.5, "tanh": 0.0, "relu": 0.0, "linear": 0.0}


# Drawing the graph


def test_layout_puts_inputs_left_and_the_result_right():
    a, b = Value(2.0), Value(-3.0)
    e = a * b
    out = (e + a).tanh()
    layout = graph_layout(out)
    assert len(layout) == 5
    x = {name: layout[id(node)][1] for name, node in dict(a=a, b=b, e=e, out=out).items()}
    assert x["out"] > x["e"] > x["a"] and x["a"] == x["b"] == 0
    assert len({(xy[1], xy[2]) for xy in layout.values()}) == 5  # no two nodes on one spot


def test_plot_graph_draws_every_node():
    import matplotlib.pyplot as plt

    a, b = Value(2.0), Value(-3.0)
    out = a * b + a
    out.backward()
    ax = plot_graph(out, names=dict(a=a, b=b, out=out))
    texts = [t.get_text() for t in ax.texts]
    assert "a\ndata 2\ngrad -2" in texts and "out\ndata -4\ngrad 1" in texts
    assert "*" in texts and "+" in texts
    ax = plot_graph(out, show_grad=False)
    assert not any("grad" in t.get_text() for t in ax.texts)
    plt.close("all")


def test_plot_graph_refuses_bad_input():
    refuses(lambda: plot_graph(3.0), TypeError, "root must be a Value, got 3.0")
    refuses(lambda: plot_graph(Value(1.0), names={"a": 1.0}), TypeError,
            "names['a'] must be a Value, got 1.0")
    refuses(lambda: plot_graph(Value(1.0), names=[Value(1.0)]), TypeError,
            "names must be a dict of name → Value, such as dict(a=a, b=b), got a list")
    refuses(lambda: graph_layout([Value(1.0)]), TypeError, "root must be a Value, got a list")
    big = sum(Value(float(i)) for i in range(150))
    with pytest.raises(ValueError, match="at most 200 Values, this one has 301"):
        plot_graph(big)


def test_layout_of_a_reused_node_uses_its_longest_path():
    x = Value(1.5)
    h = x * x
    y = h * h + h
    layout = graph_layout(y)
    assert [layout[id(n)][1] for n in (x, h, y)] == [0.0, 2.0, 6.0]


def test_module_example_runs():
    import doctest

    import nnbook.autograd

    assert doctest.testmod(nnbook.autograd).failed == 0


def test_backward_handles_math_functions_on_extreme_inputs():
    assert math.isfinite(Value(50.0).tanh().data)
    out = Value(-50.0).tanh()
    out.backward()
    assert out._prev[0].grad == 0.0


# Deep and wide graphs: backward() keeps its own stack, so depth is limited by memory only


@pytest.fixture
def no_gc():
    """Build big graphs without the collector's sweeps through torch's objects (as timeit)."""
    gc.disable()
    yield
    gc.enable()


def recursive_order(root):
    """The order micrograd's recursive depth-first search builds (Chapter 4 shows it fail)."""
    order, seen = [], set()

    def visit(node):
        if node not in seen:
            seen.add(node)
            for child in node._prev:
                visit(child)
            order.append(node)

    visit(root)
    return order


def test_backward_through_a_chain_2400_operations_deep(no_gc):
    x = Value(0.5)
    y = x
    for _ in range(1200):  # 2 operations each: deeper than Python's recursion limit
        y = y * 1.001 + 0.01
    y.backward()
    assert x.grad == pytest.approx(1.001 ** 1200, rel=1e-12)


def test_backward_through_a_chain_of_100_000_nodes(no_gc):
    x, c = Value(0.7), Value(1.000001)
    y = x
    for _ in range(100_000):
        y = y * c  # y = x·cⁿ; c is shared by every step and collects n shares
    y.backward()
    n = 100_000
    assert y.data == pytest.approx(0.7 * c.data ** n, rel=1e-9)
    assert x.grad == pytest.approx(c.data ** n, rel=1e-9)
    assert c.grad == pytest.approx(n * 0.7 * c.data ** (n - 1), rel=1e-9)


def test_a_wide_graph_with_shared_subexpressions_accumulates_every_share(no_gc):
    x, y = Value(0.3), Value(-0.8)
    u = x * y + x  # shared by every term below
    num_terms = 3000  # sum() chains the terms: 3000 additions deep as well
    out = sum((u * k).tanh() * u for k in range(1, num_terms + 1))
    out.backward()
    s = u.data
    d_out_du = sum(k * (1 - math.tanh(k * s) ** 2) * s + math.tanh(k * s)
                   for k in range(1, num_terms + 1))
    assert u.grad == pytest.approx(d_out_du, rel=1e-12)
    assert x.grad == pytest.approx(d_out_du * (y.data + 1), rel=1e-12)
    assert y.grad == pytest.approx(d_out_du * x.data, rel=1e-12)


def random_graph(rng, num_leaves=3, num_ops=25):
    """A random expression over a few leaves, reusing earlier nodes (often twice in one op)."""
    nodes = [Value(rng.uniform(-1.5, 1.5)) for _ in range(num_leaves)]
    unary = [Value.tanh, Value.sigmoid, Value.relu, lambda v: (v * 0.5).exp()]
    binary = [Value.__add__, Value.__mul__, Value.__sub__]
    for _ in range(num_ops):
        if rng.random() < 0.3:
            nodes.append(rng.choice(unary)(rng.choice(nodes)))
        else:
            nodes.append(rng.choice(binary)(rng.choice(nodes), rng.choice(nodes)))
    root = sum(nodes[-4:], nodes[0])
    return root, nodes[:num_leaves]


@pytest.mark.parametrize("seed", range(20))
def test_backward_gives_the_recursive_orders_gradients(seed):
    root, leaves = random_graph(random.Random(seed))
    root.backward()
    grads = {id(node): node.grad for node in recursive_order(root)}
    for node in recursive_order(root):
        node.grad = 0.0
    root.grad = 1.0
    for node in reversed(recursive_order(root)):
        node._backward()
    assert {id(node): node.grad for node in recursive_order(root)} == \
        pytest.approx(grads, rel=1e-12, abs=1e-12)
    assert any(leaf.grad != 0 for leaf in leaves)


def test_topological_order_is_the_recursive_order_without_recursion(no_gc):
    from nnbook.autograd import topological_order

    for seed in range(20):
        root, _ = random_graph(random.Random(seed))
        order = topological_order(root)
        assert order == recursive_order(root)
        position = {id(node): i for i, node in enumerate(order)}
        assert all(position[id(child)] < position[id(node)]
                   for node in order for child in node._prev)
    deep = sum(Value(float(i)) for i in range(5000))
    order = topological_order(deep)
    assert len(order) == 2 * 5000 + 1 and order[-1] is deep
