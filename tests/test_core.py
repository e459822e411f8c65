"""repro, device, progress, classes, activations."""

import os
import random
import re
import subprocess
import sys

import numpy as np
import pytest
import torch

from nnbook import activations
from nnbook.classes import add_to_class
from nnbook.device import best_device
from nnbook.progress import progress_enabled
from nnbook.repro import set_seed


def test_set_seed_makes_python_numpy_and_torch_repeat():
    draws = []
    for _ in range(2):
        set_seed(7)
        draws.append((random.random(), np.random.rand(), torch.rand(1).item()))
    assert draws[0] == draws[1]
    assert torch.are_deterministic_algorithms_enabled()
    assert os.environ["CUBLAS_WORKSPACE_CONFIG"]


def test_set_seed_leaves_torch_unloaded_when_the_notebook_does_not_use_it():
    code = ("import sys; from nnbook.repro import set_seed; import numpy as np; set_seed(3); "
            "a = np.random.rand(); assert 'torch' not in sys.modules; "
            "import torch; set_seed(3); assert np.random.rand() == a; "
            "assert torch.initial_seed() == 3 and torch.are_deterministic_algorithms_enabled()")
    subprocess.run([sys.executable, "-c", code], check=True)


def test_every_notebook_imports_torch_before_seeding():
    from notebooks import CHAPTERS, SOLUTIONS, read
    for path in CHAPTERS + SOLUTIONS:
        cells = [c.source for c in read(path).cells if c.cell_type == "code"]
        seeded = next((i for i, s in enumerate(cells) if "set_seed(" in s), None)
        uses_torch = [i for i, s in enumerate(cells) if re.search(r"^\s*(import|from) torch", s, re.M)]
        assert not uses_torch or (seeded is not None and uses_torch[0] <= seeded), (
            f"{path.name}: import torch in the set-up cell, before set_seed(), or torch is not seeded")


@pytest.mark.parametrize("seed, error, got", [(-1, ValueError, "-1"), (1.5, TypeError, "1.5"),
                                             ("0", TypeError, "'0'"), (True, TypeError, "True"),
                                             (2**32, ValueError, "4294967296"),
                                             (2**70, ValueError, str(2**70))])
def test_set_seed_rejects_bad_seeds(seed, error, got):
    """2**70 used to pass numpy (seeded modulo 2**32) and fail in torch.manual_seed."""
    import torch  # noqa: F401 - set_seed seeds torch once it is imported

    with pytest.raises(error) as raised:
        set_seed(seed)
    assert str(raised.value) == f"seed must be an int from 0 to 2**32 - 1, got {got}"
    assert set_seed(2**32 - 1) == 2**32 - 1


def test_importing_nnbook_has_no_side_effects():
    code = ("import random, numpy as np; np.random.seed(1); random.seed(1); a = (np.random.rand(), random.random());"
            "np.random.seed(1); random.seed(1);"
            "import matplotlib as mpl; rc = dict(mpl.rcParams);"
            "import nnbook, nnbook.datasets, nnbook.plotting, nnbook.checks, nnbook.activations, nnbook.widgets.neuron;"
            "assert (np.random.rand(), random.random()) == a; assert dict(mpl.rcParams) == rc; assert 'torch' not in __import__('sys').modules")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""


def test_best_device_on_this_machine():
    device = best_device()
    assert isinstance(device, torch.device)
    assert device.type == ("cuda" if torch.cuda.is_available() else device.type)
    torch.zeros(1, device=device)


def test_progress_switch(monkeypatch):
    monkeypatch.setenv("NNBOOK_PROGRESS", "0")
    assert not progress_enabled()
    monkeypatch.setenv("NNBOOK_PROGRESS", "1")
    assert progress_enabled()


def test_add_to_class():
    class Box:
        pass

    @add_to_class(Box)
    def double(self, x):
        return 2 * x

    assert Box().double(3) == 6
    with pytest.raises(TypeError, match=r"^cls must be a class \(add_to_class\(MyClass\) above a def\), got a Box$"):
        add_to_class(Box())
    with pytest.raises(TypeError, match=r"^fn must be a function \(add_to_class decorates a def\), got 42$"):
        add_to_class(Box)(42)


Z = np.array([-800.0, -3.0, -1e-3, 0.0, 1e-3, 3.0, 800.0])


def test_activations_values():
    np.testing.assert_array_equal(activations.step(Z), [0, 0, 0, 1, 1, 1, 1])
    np.testing.assert_allclose(activations.sigmoid(Z[1:-1]), 1 / (1 + np.exp(-Z[1:-1])))
    with np.errstate(all="raise"):
        np.testing.assert_allclose(activations.sigmoid(Z[[0, -1]]), [0.0, 1.0])
    np.testing.assert_allclose(activations.tanh(Z), np.tanh(Z))
    np.testing.assert_array_equal(activations.relu(Z), np.maximum(Z, 0))
    assert activations.sigmoid(0) == 0.5 and np.shape(activations.relu(-2)) == ()


@pytest.mark.parametrize("name", activations.ACTIVATIONS)
def test_derivatives_match_finite_differences(name):
    f, df = activations.ACTIVATIONS[name], activations.DERIVATIVES[name]
    z = np.array([-2.5, -0.7, 0.4, 1.9])  # away from the kinks
    numeric = (f(z + 1e-6) - f(z - 1e-6)) / 2e-6
    np.testing.assert_allclose(df(z), numeric, atol=1e-6)
    assert df(z.reshape(2, 2)).shape == (2, 2)


def test_derivatives_match_torch():
    z = torch.tensor([-2.5, -0.7, 0.4, 1.9], dtype=torch.float64, requires_grad=True)
    for name, fn in (("sigmoid", torch.sigmoid), ("tanh", torch.tanh), ("relu", torch.relu)):
        (grad,) = torch.autograd.grad(fn(z).sum(), z)
        np.testing.assert_allclose(activations.DERIVATIVES[name](z.detach().numpy()), grad.numpy())


def test_get_activation():
    assert activations.get_activation("relu") is activations.relu
    for name, message in (("gelu", "unknown activation 'gelu'"), (None, "unknown activation None")):
        with pytest.raises(ValueError) as raised:
            activations.get_activation(name)
        assert str(raised.value) == f"{message}: choose one of step, sigmoid, tanh, relu"


def test_one_table_of_activations():
    # every choice of activation in the package is drawn from ACTIVATIONS
    assert set(activations.ACTIVATIONS) == set(activations.DERIVATIVES)
    assert activations.TRAINABLE == ("sigmoid", "tanh", "relu")
    z = np.linspace(-3, 3, 7)
    for name in activations.TRAINABLE:  # a slope to follow somewhere
        assert np.any(activations.DERIVATIVES[name](z) != 0)
    assert not np.any(activations.step_grad(z))


def test_sigmoid_keeps_float32_and_takes_ints():
    z32 = np.array([-100.0, 0.0, 100.0], dtype=np.float32)
    with np.errstate(all="raise"):
        assert activations.sigmoid(z32).dtype == np.float32
        np.testing.assert_array_equal(activations.sigmoid(z32), [0.0, 0.5, 1.0])
    assert activations.sigmoid(np.array([0, 1])).dtype == np.float64
    assert activations.sigmoid([0, 0]).tolist() == [0.5, 0.5]
