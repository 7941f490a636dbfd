"""The PyTorch bridge: to_torch / from_torch round trips, micrograd's modules as torch
Sequentials, the global random left alone, errors, and a CNN trained here then moved."""

from __future__ import annotations

import random
import subprocess
import sys
from pathlib import Path

import pytest
import torch

import autograd
import nn
from autograd import Value
from nn import bridge
from nn.datasets import make_shapes

from .reference import assert_close
from .test_layers_torch import check_against_torch, data, flat, nested

ROOT = Path(__file__).resolve().parents[1]


def ours_modules() -> list[nn.Module]:
    random.seed(0)
    return [
        nn.Linear(3, 2),
        nn.Linear(3, 2, bias=False),
        nn.Conv2d(2, 3, (2, 3), stride=(1, 2), padding=(1, 0)),
        nn.Conv2d(1, 2, 2, bias=False),
        nn.MaxPool2d(2),
        nn.MaxPool2d((2, 3), (1, 2)),
        nn.Flatten(),
        nn.ReLU(),
        nn.Tanh(),
        nn.Sigmoid(),
        nn.LeakyReLU(0.3),
        nn.ELU(0.7),
        nn.GELU("tanh"),
        nn.SiLU(),
        nn.Softmax(),
        nn.Dropout(0.25),
        nn.Sequential(nn.Conv2d(1, 2, 3), nn.ReLU(), nn.Flatten(), nn.Linear(8, 2)),
    ]


@pytest.mark.parametrize("ours", ours_modules(), ids=lambda m: type(m).__name__)
def test_ours_to_torch_and_back_keeps_every_number_and_setting(ours):
    theirs = ours.to_torch()
    assert type(theirs).__name__ == type(ours).__name__
    assert all(p.dtype == torch.float64 for p in theirs.parameters())
    back = nn.from_torch(theirs)
    assert type(back) is type(ours) and repr(back) == repr(ours)
    assert back.state_dict() == ours.state_dict()
    again = back.to_torch()
    assert repr(again) == repr(theirs)
    for (name, a), (name_b, b) in zip(theirs.state_dict().items(), again.state_dict().items()):
        assert name == name_b and torch.equal(a, b)


def test_torch_to_ours_copies_index_for_index_and_leaves_the_global_random_alone():
    torch.manual_seed(0)
    theirs = torch.nn.Sequential(
        torch.nn.Conv2d(2, 3, 3, stride=2, padding=1),
        torch.nn.Tanh(),
        torch.nn.MaxPool2d(2, 1),
        torch.nn.Flatten(),
        torch.nn.Linear(12, 4),
        torch.nn.LeakyReLU(0.1),
        torch.nn.Linear(4, 2),
    ).to(torch.float64)
    random.seed(1)
    state = random.getstate()
    ours = nn.from_torch(theirs)
    assert random.getstate() == state
    assert ours[0].weight[2][1][0][2].data == theirs[0].weight[2, 1, 0, 2].item()
    assert ours[4].bias[3].data == theirs[4].bias[3].item()
    check_against_torch(ours, nested((2, 5, 5), random.Random(2)), theirs)


def torch_layout(model) -> list:
    """Our micrograd-style parameters in the order of the torch twin's flattened tensors."""
    if isinstance(model, nn.Neuron):
        return [*model.w, model.b]
    if isinstance(model, nn.Layer):
        return [w for n in model.neurons for w in n.w] + [n.b for n in model.neurons]
    return [p for layer in model.layers for p in torch_layout(layer)]


@pytest.mark.parametrize(
    "make",
    [
        lambda: nn.Neuron(3, activation="tanh"),
        lambda: nn.Neuron(3, nonlin=False),
        lambda: nn.Layer(3, 4, activation="elu"),
        lambda: nn.Layer(2, 1, activation="leaky_relu"),
        lambda: nn.MLP(3, [4, 4, 2], activation="sigmoid"),
        lambda: nn.MLP(2, [3, 1]),
    ],
    ids=["tanh neuron", "linear neuron", "elu layer", "one-neuron layer", "MLP", "MLP to one"],
)
def test_micrograds_modules_as_torch_sequentials(make):
    random.seed(4)
    ours = make()
    for p in ours.parameters():
        p.data += random.gauss(0, 0.5)  # non-zero biases, some negative pre-activations
    theirs = ours.to_torch()
    assert isinstance(theirs, torch.nn.Sequential)
    assert isinstance(theirs[0], torch.nn.Linear)
    x = nested((theirs[0].in_features,), random.Random(5))
    rng = random.Random(6)
    out = ours(x)
    outs = out if isinstance(out, list) else [out]
    weights = [rng.gauss(0, 1) for _ in outs]
    autograd.dot(outs, weights).backward()
    xt = torch.tensor([data(x)], requires_grad=True)
    yt = theirs(xt)[0]
    (yt * torch.tensor(weights)).sum().backward()
    for i, (a, b) in enumerate(zip(outs, yt.tolist(), strict=True)):
        assert_close(a.data, b, f"output {i}")
    for i, (a, b) in enumerate(zip(flat(x), xt.grad[0].tolist(), strict=True)):
        assert_close(a.grad, b, f"input grad {i}")
    theirs_grads = [g for p in theirs.parameters() for g in p.grad.flatten().tolist()]
    for i, (p, g) in enumerate(zip(torch_layout(ours), theirs_grads, strict=True)):
        assert_close(p.grad, g, f"parameter {i}")


def test_mlp_with_dropout_maps_to_torch_dropout_after_each_hidden_layer():
    theirs = nn.MLP(2, [3, 3, 1], activation="tanh", seed=0, dropout=0.2).to_torch()
    names = [type(m).__name__ for m in theirs]
    assert names == ["Linear", "Tanh", "Dropout", "Linear", "Tanh", "Dropout", "Linear"]
    assert theirs[2].p == 0.2
    assert theirs.training and not nn.Dropout(0.5).eval().to_torch().training
    back = nn.from_torch(theirs.eval())
    assert not back.training and not back[2].training


def test_errors_name_what_has_no_equivalent():
    with pytest.raises(TypeError, match=r"^from_torch: no chainrule module for torch.nn.Bilinear"):
        nn.from_torch(torch.nn.Bilinear(2, 2, 2))
    with pytest.raises(ValueError, match="^from_torch: Conv2d with dilation=.2, 2."):
        nn.from_torch(torch.nn.Conv2d(1, 1, 2, dilation=2))
    with pytest.raises(ValueError, match="^from_torch: MaxPool2d with padding=1"):
        nn.from_torch(torch.nn.MaxPool2d(3, padding=1))
    with pytest.raises(ValueError, match="^from_torch: MaxPool2d with ceil_mode=True"):
        nn.from_torch(torch.nn.MaxPool2d(3, ceil_mode=True))
    with pytest.raises(ValueError, match=r"^from_torch: Flatten\(start_dim=0"):
        nn.from_torch(torch.nn.Flatten(0))
    with pytest.raises(ValueError, match="^from_torch: Softmax over dim 0"):
        nn.from_torch(torch.nn.Softmax(dim=0))

    class Custom(nn.Module):
        pass

    with pytest.raises(TypeError, match="^to_torch: no PyTorch equivalent known for Custom"):
        Custom().to_torch()
    layer = nn.Layer(2, 2)
    layer.neurons[1] = nn.Neuron(2, activation="tanh")
    with pytest.raises(ValueError, match="^to_torch: a Layer's neurons must share one activation"):
        layer.to_torch()


def test_without_torch_the_bridge_says_how_to_install_it(monkeypatch):
    monkeypatch.setitem(sys.modules, "torch", None)
    with pytest.raises(ImportError, match="needs torch: pip install torch"):
        nn.Linear(2, 2).to_torch()
    with pytest.raises(ImportError, match="needs torch"):
        bridge.from_torch(object())


def test_a_cnn_trained_here_moves_to_torch_with_the_same_outputs():
    random.seed(3)
    model = nn.Sequential(
        nn.Conv2d(1, 4, 3, padding=1),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Flatten(),
        nn.Linear(4 * 4 * 4, 3),
    )
    X, y = make_shapes(12, seed=3)
    theirs_before = model.to_torch()
    optimizer = nn.SGD(model.parameters(), lr=0.1, momentum=0.9)
    torch_optimizer = torch.optim.SGD(theirs_before.parameters(), lr=0.1, momentum=0.9)
    batch = torch.tensor(X)
    for _ in range(3):
        loss = autograd.sum(nn.functional.cross_entropy(model(x), t) for x, t in zip(X, y)) / 12
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        torch_loss = torch.nn.functional.cross_entropy(theirs_before(batch), torch.tensor(y))
        torch_optimizer.zero_grad()
        torch_loss.backward()
        torch_optimizer.step()
        assert_close(loss.data, torch_loss.item(), "loss")
    theirs = model.to_torch()
    for (name, a), b in zip(theirs.state_dict().items(), theirs_before.state_dict().values()):
        assert torch.allclose(a, b, rtol=1e-9, atol=1e-12), name
    outputs = theirs(batch)
    for x, row in zip(X, outputs.tolist()):
        for ours, their in zip(model(x), row):
            assert_close(ours.data, their, "output after training")
    assert isinstance(bridge.values(outputs)[0][0], Value)


def test_building_and_training_a_cnn_never_imports_torch():
    code = (
        "import sys, nn, autograd\n"
        "m = nn.Sequential(nn.Conv2d(1, 2, 3), nn.GELU(), nn.MaxPool2d(2), nn.Flatten(),"
        " nn.Linear(8, 3), nn.Softmax())\n"
        "X, y = nn.datasets.make_shapes(3, size=6, seed=0)\n"
        "autograd.sum(m(X[0])).backward()\n"
        "assert 'torch' not in sys.modules, 'torch was imported'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)
