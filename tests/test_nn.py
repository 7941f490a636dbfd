"""nn modules: micrograd compatibility, shapes, torch equivalence, state, dropout, training."""

from __future__ import annotations

import json
import random

import numpy as np
import pytest
import torch

import nn
from autograd import Value
from nn import MLP, Dropout, Layer, Module, Neuron
from nn import functional as F

from .reference import assert_close


def test_default_init_is_micrograds_draw_order():
    random.seed(1337)
    model = MLP(2, [16, 16, 1])
    random.seed(1337)
    expected = []
    for nin, nout in [(2, 16), (16, 16), (16, 1)]:
        for _ in range(nout):
            expected += [random.uniform(-1, 1) for _ in range(nin)] + [0.0]
    assert [p.data for p in model.parameters()] == expected


def test_per_model_seed_leaves_global_random_alone():
    random.seed(5)
    state = random.getstate()
    a, b = MLP(3, [4, 2], seed=7), MLP(3, [4, 2], seed=7)
    assert random.getstate() == state
    assert [p.data for p in a.parameters()] == [p.data for p in b.parameters()]


@pytest.mark.parametrize("init, bound", [("xavier", (6 / (3 + 4)) ** 0.5), ("he", (6 / 3) ** 0.5)])
def test_xavier_and_he_bounds(init, bound):
    model = MLP(3, [4], init=init, seed=1)
    weights = [w.data for n in model.layers[0].neurons for w in n.w]
    assert all(abs(w) <= bound for w in weights) and max(map(abs, weights)) > bound / 3


def test_shapes_counts_and_reprs():
    model = MLP(2, [16, 16, 1])
    assert len(model.parameters()) == sum((a + 1) * b for a, b in zip([2, 16, 16], [16, 16, 1]))
    assert isinstance(model([1.0, 2.0]), Value)
    assert len(MLP(2, [3, 4])([1.0, 2.0])) == 4
    assert repr(Neuron(3)) == "ReLUNeuron(3)"
    assert repr(Neuron(3, nonlin=False)) == "LinearNeuron(3)"
    assert repr(Layer(2, 2)) == "Layer of [ReLUNeuron(2), ReLUNeuron(2)]"
    assert repr(MLP(2, [1])) == "MLP of [Layer of [LinearNeuron(2)]]"
    assert isinstance(Layer(3, 1)([1, 2, 3]), Value)
    assert len(Layer(3, 2).neurons) == 2 and len(MLP(1, [2, 3]).layers) == 2


@pytest.mark.parametrize("activation", ["relu", "tanh", "sigmoid", "leaky_relu", "elu", "linear"])
def test_activation_by_name(activation):
    n = Neuron(2, activation=activation)
    out = n([0.5, -1.0])
    assert out.op == ("dot" if activation == "linear" else activation)


def test_bad_arguments():
    with pytest.raises(ValueError, match="unknown activation 'swish'"):
        Neuron(2, activation="swish")
    with pytest.raises(ValueError, match="unknown init"):
        MLP(2, [1], init="zeros")
    with pytest.raises(ValueError, match="Neuron: expected 2 inputs, got 3"):
        Neuron(2)([1, 2, 3])
    with pytest.raises(ValueError, match="Layer: expected 2 inputs, got 1"):
        Layer(2, 3)([1])
    with pytest.raises(ValueError, match="expected 2 inputs, got 3"):
        MLP(2, [3, 1])([1, 2, 3])
    with pytest.raises(ValueError, match="^Neuron: nin must be a positive int, got 0"):
        Neuron(0)
    with pytest.raises(ValueError, match="^Neuron: unknown activation 'swish'"):
        Layer(2, 1, activation="swish")


@pytest.mark.parametrize(
    "make, message",
    [
        (lambda: MLP(2, [0]), r"^MLP: nouts\[0\] must be a positive int, got 0"),
        (lambda: MLP(2, [4, -1, 1]), r"^MLP: nouts\[1\] must be a positive int, got -1"),
        (lambda: MLP(0, [1]), "^MLP: nin must be a positive int, got 0"),
        (lambda: Layer(2, 0), "^Layer: nout must be a positive int, got 0"),
        (lambda: Layer(0, 2), "^Layer: nin must be a positive int, got 0"),
        (lambda: Neuron(-3), "^Neuron: nin must be a positive int, got -3"),
    ],
)
def test_widths_below_one_are_refused_when_given(make, message):
    """MLP(2, [0]) used to build and fail later with an IndexError."""
    with pytest.raises(ValueError, match=message):
        make()


def test_widths_that_are_not_ints_are_a_type_error():
    with pytest.raises(TypeError, match=r"^MLP: nouts\[0\] must be an int, got float"):
        MLP(2, [2.5])
    with pytest.raises(TypeError, match="^Layer: nout must be an int, got str"):
        Layer(2, "3")
    with pytest.raises(TypeError, match="^MLP: nouts must be a list of layer sizes, got int"):
        MLP(2, 3)


def test_mlp_matches_torch_forward_and_gradients():
    model = MLP(3, [4, 5, 2], activation="tanh", seed=3)
    x = [0.3, -1.2, 2.0]
    outs = model(x)
    loss = outs[0] * outs[1] + outs[1].exp()
    loss.backward()

    layers = []
    for k, layer in enumerate(model.layers):
        lin = torch.nn.Linear(len(layer.neurons[0].w), len(layer.neurons))
        with torch.no_grad():
            lin.weight.copy_(torch.tensor([[w.data for w in n.w] for n in layer.neurons]))
            lin.bias.copy_(torch.tensor([n.b.data for n in layer.neurons]))
        layers.append(lin)
        if k < len(model.layers) - 1:
            layers.append(torch.nn.Tanh())
    net = torch.nn.Sequential(*layers).double()
    tout = net(torch.tensor(x))
    tloss = tout[0] * tout[1] + tout[1].exp()
    tloss.backward()
    assert_close(loss.data, tloss.item(), "loss")
    for layer, lin in zip(model.layers, layers[::2]):
        for j, n in enumerate(layer.neurons):
            for i, w in enumerate(n.w):
                assert_close(w.grad, lin.weight.grad[j, i].item(), f"w[{j},{i}]")
            assert_close(n.b.grad, lin.bias.grad[j].item(), f"b[{j}]")


def test_state_dict_names_and_round_trip(tmp_path):
    model = MLP(2, [2, 1], seed=1)
    state = model.state_dict()
    assert list(state)[:4] == [
        "layers.0.neurons.0.w.0",
        "layers.0.neurons.0.w.1",
        "layers.0.neurons.0.b",
        "layers.0.neurons.1.w.0",
    ]
    assert len(state) == len(model.parameters())
    assert Neuron(2).state_dict().keys() == {"w.0", "w.1", "b"}
    assert list(Layer(1, 2).state_dict()) == [
        "neurons.0.w.0",
        "neurons.0.b",
        "neurons.1.w.0",
        "neurons.1.b",
    ]
    json.dumps(state)
    other = MLP(2, [2, 1], seed=2)
    other.load_state_dict(state)
    assert other.state_dict() == state
    path = tmp_path / "model.json"
    model.save(path)
    third = MLP(2, [2, 1], seed=3).load(path)
    assert third.state_dict() == state
    x = [0.1, 0.2]
    assert third(x).data == model(x).data


def test_load_state_dict_is_strict():
    model = MLP(2, [1])
    state = model.state_dict()
    with pytest.raises(ValueError, match="missing key 'layers.0.neurons.0.b'"):
        model.load_state_dict({k: v for k, v in state.items() if not k.endswith(".b")})
    with pytest.raises(ValueError, match="unexpected key 'extra'"):
        model.load_state_dict({**state, "extra": 1.0})
    with pytest.raises(ValueError, match="'layers.0.neurons.0.w.0' must be a real number, got str"):
        model.load_state_dict({**state, "layers.0.neurons.0.w.0": "1"})
    with pytest.raises(ValueError, match="got bool"):
        model.load_state_dict({**state, "layers.0.neurons.0.w.0": True})


def test_train_eval_reach_every_submodule_and_return_the_module():
    model = MLP(2, [3, 1], dropout=0.5)
    assert model.eval() is model
    assert all(not m.training for m in model.modules())
    assert model.train() is model and all(m.training for m in model.modules())


def test_dropout_only_in_training():
    xs = [Value(1.0) for _ in range(2000)]
    drop = Dropout(0.25)
    random.seed(0)
    out = drop(xs)
    zeros = sum(v.data == 0 for v in out)
    assert 400 < zeros < 600
    assert {v.data for v in out if v.data} == {1 / 0.75}
    drop.eval()
    assert drop(xs) is xs
    assert Dropout(0.0)(xs) is xs
    assert all(v.data == 0 for v in Dropout(1.0)(xs[:5]))
    for p in (-0.1, 1.5):
        with pytest.raises(ValueError, match="p must be in"):
            Dropout(p)


def test_module_zero_grad_and_custom_modules():
    class Pair(Module):
        def __init__(self):
            self.a = Value(1.0)
            self.inner = Neuron(1)

    pair = Pair()
    assert [name for name, _ in pair.named_parameters()] == ["a", "inner.w.0", "inner.b"]
    assert pair.parameters() == [pair.a, *pair.inner.w, pair.inner.b]
    for p in pair.parameters():
        p.grad = 3.0
    pair.zero_grad()
    assert all(p.grad == 0.0 for p in pair.parameters())


def test_moons_learned_to_95_percent_in_100_steps():
    X, y = nn.datasets.make_moons(100, noise=0.1, seed=1)
    random.seed(1337)
    model = MLP(2, [16, 16, 1])
    opt = nn.SGD(model.parameters(), lr=0.1)
    for _ in range(100):
        scores = [model(x) for x in X]
        loss = F.hinge_loss(scores, [2 * t - 1 for t in y]) + F.l2_penalty(model.parameters(), 1e-4)
        opt.zero_grad()
        loss.backward()
        opt.step()
    accuracy = sum((model(x).data > 0) == (t == 1) for x, t in zip(X, y)) / len(y)
    assert accuracy >= 0.95


def test_micrograds_demo_loop_runs_unchanged():
    """micrograd's demo.ipynb training loop, with only the imports pointed here."""
    from autograd import Value  # micrograd.engine
    from nn import MLP  # micrograd.nn

    np.random.seed(1337)
    random.seed(1337)
    Xl, yl = nn.datasets.make_moons(100, noise=0.1, seed=3)
    X, y = np.array(Xl), np.array(yl) * 2 - 1  # NumPy arrays, labels -1 or 1
    model = MLP(2, [16, 16, 1])

    def loss(batch_size=None):
        Xb, yb = X, y
        inputs = [list(map(Value, xrow)) for xrow in Xb]
        scores = list(map(model, inputs))
        losses = [(1 + -yi * scorei).relu() for yi, scorei in zip(yb, scores)]
        data_loss = sum(losses) * (1.0 / len(losses))
        alpha = 1e-4
        reg_loss = alpha * sum(p * p for p in model.parameters())
        total_loss = data_loss + reg_loss
        accuracy = [(yi > 0) == (scorei.data > 0) for yi, scorei in zip(yb, scores)]
        return total_loss, sum(accuracy) / len(accuracy)

    for k in range(20):
        total_loss, acc = loss()
        model.zero_grad()
        total_loss.backward()
        learning_rate = 1.0 - 0.9 * k / 100
        for p in model.parameters():
            p.data -= learning_rate * p.grad
    assert isinstance(total_loss, Value) and acc > 0.8


def test_an_attribute_holding_an_op_result_is_not_a_parameter():
    """Only leaf Values (and lists of them, and submodules) are parameters, as in PyTorch."""

    class Scaled(Module):
        def __init__(self):
            self.w = Value(2.0)
            self.x = Value(3.0)
            self.out = self.w * self.x  # a computed value, remembered for a plot
            self.history = [self.out, self.out + 1, Value(0.5)]

    m = Scaled()
    assert [name for name, _ in m.named_parameters()] == ["w", "x", "history.2"]
    assert m.parameters() == [m.w, m.x, m.history[2]]
    assert list(m.state_dict()) == ["w", "x", "history.2"]
    m.load_state_dict({"w": 1.0, "x": 1.0, "history.2": 1.0})
    assert m.out.data == 6.0  # the op result was left alone


@pytest.mark.parametrize(
    "module",
    [Neuron(3), Neuron(2, nonlin=False), Layer(3, 4), MLP(2, [3, 4, 1], dropout=0.1), Dropout()],
    ids=repr,
)
def test_parameters_and_named_parameters_agree_in_micrograds_order(module):
    named = [p for _, p in module.named_parameters()]
    assert module.parameters() == named
    assert [id(p) for p in module.parameters()] == [id(p) for p in named]
    assert len(module.state_dict()) == len(named)


def test_parameters_in_micrograds_order():
    """Per layer, per neuron: w then b, as micrograd's hand-written parameters()."""
    model = MLP(2, [3, 2])
    expected = [p for layer in model.layers for n in layer.neurons for p in [*n.w, n.b]]
    assert model.parameters() == expected


def test_load_state_dict_changes_nothing_when_it_raises():
    model = MLP(2, [2, 1], seed=0)
    before = model.state_dict()
    state = {key: 0.25 for key in before}
    state["layers.1.neurons.0.b"] = 10**400  # the last key: every other value was fine
    with pytest.raises(ValueError, match="'layers.1.neurons.0.b' is too large for a float"):
        model.load_state_dict(state)
    assert model.state_dict() == before
    state["layers.1.neurons.0.b"] = "0.5"
    with pytest.raises(ValueError, match="^MLP.load_state_dict: 'layers.1.neurons.0.b' must be"):
        model.load_state_dict(state)
    assert model.state_dict() == before
    with pytest.raises(ValueError, match="^MLP.load_state_dict: expected a dict, got list"):
        model.load_state_dict([])
