"""RNN, LSTM, GRU and their cells against torch.nn in float64: outputs, states, every gradient."""

from __future__ import annotations

import math
import random
import re

import pytest
import torch

import nn
from autograd import Value, draw_dot, gradcheck
from nn import bridge
from nn.groups import recorded_keys
from nn.recurrent import GRU, LSTM, RNN, GRUCell, LSTMCell, RNNCell, hidden_grads
from tests.module_reference import (
    assert_data,
    assert_grads,
    assert_parameters,
    assert_state_keys,
    flatten,
    leaves,
    linear_loss,
    torch_linear_loss,
    uniform,
)
from tests.reference import assert_close

SEQUENCES = {
    "rnn tanh": lambda i, h, bias: RNN(i, h, bias=bias),
    "rnn relu": lambda i, h, bias: RNN(i, h, "relu", bias=bias),
    "lstm": lambda i, h, bias: LSTM(i, h, bias=bias),
    "gru": lambda i, h, bias: GRU(i, h, bias=bias),
}
CELLS = {
    "rnn cell tanh": lambda i, h, bias: RNNCell(i, h, bias=bias),
    "rnn cell relu": lambda i, h, bias: RNNCell(i, h, bias=bias, nonlinearity="relu"),
    "lstm cell": lambda i, h, bias: LSTMCell(i, h, bias=bias),
    "gru cell": lambda i, h, bias: GRUCell(i, h, bias=bias),
}


def sizes(seed: int) -> tuple[random.Random, int, int, int]:
    rng = random.Random(seed)
    return rng, rng.randint(1, 4), rng.randint(1, 4), rng.randint(1, 5)


def is_lstm(module) -> bool:
    return isinstance(module, (LSTM, LSTMCell))


def initial_state(rng, module, given: bool):
    """(the state as the module takes it, its parts, torch's parts), or (None, [], [])."""
    if not given:
        return None, [], []
    numbers = [uniform(rng, module.hidden_size) for _ in range(2 if is_lstm(module) else 1)]
    ours = [leaves(n) for n in numbers]
    theirs = [torch.tensor(n, requires_grad=True) for n in numbers]
    return (tuple(ours) if is_lstm(module) else ours[0]), ours, theirs


@pytest.mark.parametrize("kind", SEQUENCES)
@pytest.mark.parametrize("seed", range(4))
def test_sequence_equals_torch(kind, seed):
    rng, n_in, n_hidden, steps = sizes(seed)
    random.seed(seed)
    ours = SEQUENCES[kind](n_in, n_hidden, seed != 1)
    theirs = ours.to_torch()
    numbers = uniform(rng, steps, n_in)
    xs, x_t = leaves(numbers), torch.tensor(numbers, requires_grad=True)
    state, parts, state_t = initial_state(rng, ours, given=seed % 2 == 0)

    outputs, final = ours(xs, state)
    if not state_t:
        outputs_t, final_t = theirs(x_t)
    elif is_lstm(ours):
        outputs_t, final_t = theirs(x_t, tuple(s.unsqueeze(0) for s in state_t))
    else:
        outputs_t, final_t = theirs(x_t, state_t[0].unsqueeze(0))
    finals_t = list(final_t) if is_lstm(ours) else [final_t]

    loss, coefficients = linear_loss(rng, [outputs, final])
    loss.backward()
    torch_linear_loss([outputs_t, *finals_t], coefficients).backward()

    assert_data(outputs, outputs_t, f"{kind} outputs")
    assert_data(final, torch.stack(finals_t), f"{kind} final state")
    assert_parameters(ours, theirs)
    assert_grads(xs, x_t, f"{kind} inputs")
    for i, (s, s_t) in enumerate(zip(parts, state_t)):
        assert_grads(s, s_t, f"{kind} initial state {i}")


@pytest.mark.parametrize("kind", CELLS)
@pytest.mark.parametrize("seed", range(3))
def test_cell_equals_torch(kind, seed):
    rng, n_in, n_hidden, _ = sizes(seed)
    random.seed(seed)
    ours = CELLS[kind](n_in, n_hidden, seed != 2)
    theirs = ours.to_torch()
    numbers = uniform(rng, n_in)
    x, x_t = leaves(numbers), torch.tensor(numbers, requires_grad=True)
    state, parts, state_t = initial_state(rng, ours, given=seed != 1)

    out = ours(x, state)
    out_t = theirs(x_t, None if not state_t else (tuple(state_t) if is_lstm(ours) else state_t[0]))
    outs_t = list(out_t) if is_lstm(ours) else [out_t]

    loss, coefficients = linear_loss(rng, out)
    loss.backward()
    torch_linear_loss(outs_t, coefficients).backward()

    assert_data(out, torch.stack(outs_t), f"{kind} output")
    assert_parameters(ours, theirs)
    assert_grads(x, x_t, f"{kind} input")
    for i, (s, s_t) in enumerate(zip(parts, state_t)):
        assert_grads(s, s_t, f"{kind} state {i}")


@pytest.mark.parametrize("kind", [*SEQUENCES, *CELLS])
def test_layout_init_and_state_dict_follow_torch(kind):
    make = {**SEQUENCES, **CELLS}[kind]
    random.seed(7)
    ours = make(3, 5, True)
    theirs = ours.to_torch()
    assert_state_keys(ours, theirs)
    assert [name for name, _ in theirs.named_parameters()] == list(
        dict.fromkeys(name.split(".")[0] for name, _ in ours.named_parameters())
    )
    bound = 1 / math.sqrt(5)
    assert all(-bound <= p.data <= bound for p in ours.parameters())
    random.seed(7)  # drawn from the global random, weight_ih first, row by row
    assert ours.parameters()[0].data == random.uniform(-bound, bound)
    assert len({p.data for p in ours.parameters()}) == len(ours.parameters())


@pytest.mark.parametrize("kind", [*SEQUENCES, *CELLS])
def test_from_torch_round_trip(kind):
    make = {**SEQUENCES, **CELLS}[kind]
    torch.manual_seed(3)
    theirs = make(2, 3, True).to_torch()
    for p in theirs.parameters():
        torch.nn.init.normal_(p)
    ours = nn.from_torch(theirs)
    assert type(ours).__name__ == type(theirs).__name__
    assert_parameters(ours, theirs, grads=False)
    back = ours.to_torch()
    for (name, a), (_, b) in zip(theirs.named_parameters(), back.named_parameters()):
        assert torch.equal(a, b), name
    if hasattr(theirs, "nonlinearity"):
        assert back.nonlinearity == theirs.nonlinearity


def test_from_torch_refuses_what_it_cannot_hold():
    with pytest.raises(ValueError, match="from_torch: LSTM with num_layers=2"):
        nn.from_torch(torch.nn.LSTM(2, 3, num_layers=2))
    with pytest.raises(ValueError, match="from_torch: GRU with bidirectional=True"):
        nn.from_torch(torch.nn.GRU(2, 3, bidirectional=True))


def test_wrong_shapes_and_settings_name_the_module():
    rnn, lstm = RNN(3, 2), LSTM(3, 2)
    with pytest.raises(ValueError, match=r"RNN: expected an input of size 3 at step 1, got 2"):
        rnn([[1, 2, 3], [1, 2]])
    with pytest.raises(ValueError, match=r"RNN: expected a non-empty list of inputs"):
        rnn([])
    with pytest.raises(ValueError, match=r"RNN: expected a hidden state of size 2, got 3"):
        rnn([[1, 2, 3]], [0, 0, 0])
    with pytest.raises(ValueError, match=r"LSTM: the state must be a pair \(h, c\)"):
        lstm([[1, 2, 3]], [0, 0])
    with pytest.raises(ValueError, match=r"LSTM: expected a cell state of size 2, got 1"):
        lstm([[1, 2, 3]], ([0, 0], [0]))
    with pytest.raises(ValueError, match=r"GRUCell: expected an input of size 3, got 4"):
        GRUCell(3, 2)([1, 2, 3, 4])
    with pytest.raises(ValueError, match=r"RNN: nonlinearity must be 'tanh' or 'relu', got 'gelu'"):
        RNN(3, 2, "gelu")
    with pytest.raises(ValueError, match=r"LSTMCell: hidden_size must be a positive int, got 0"):
        LSTMCell(3, 0)


def torch_hidden_grad_norms(kind, module, numbers):
    """The same quantity from torch: each step's hidden state retained, loss on the last."""
    cell_cls = {"rnn tanh": torch.nn.RNNCell, "lstm": torch.nn.LSTMCell, "gru": torch.nn.GRUCell}
    cell = cell_cls[kind](module.input_size, module.hidden_size)
    with torch.no_grad():
        for name, values in zip(("weight_ih", "weight_hh", "bias_ih", "bias_hh"), module.weights()):
            getattr(cell, name).copy_(bridge.tensor(values))
    h = torch.zeros(module.hidden_size)
    c = torch.zeros(module.hidden_size)
    hs = []
    for x in torch.tensor(numbers):
        if kind == "lstm":
            h, c = cell(x, (h, c))
        else:
            h = cell(x, h)
        h.retain_grad()
        hs.append(h)
    hs[-1].sum().backward()
    return [h.grad.norm().item() for h in hs]


@pytest.mark.parametrize("kind", ["rnn tanh", "lstm", "gru"])
def test_hidden_grads_show_bptt_as_torch(kind):
    random.seed(11)
    module = SEQUENCES[kind](2, 3, True)
    numbers = uniform(random.Random(5), 8, 2)
    outputs, _ = module(numbers)
    sum(outputs[-1]).backward()
    norms = hidden_grads(outputs)
    assert len(norms) == 8
    assert_close(norms[-1], math.sqrt(3))  # the loss's own gradient: ones
    for t, (a, b) in enumerate(zip(norms, torch_hidden_grad_norms(kind, module, numbers))):
        assert_close(a, b, f"{kind} step {t}")


def test_tanh_rnn_gradient_fades_through_time():
    random.seed(0)
    rnn = RNN(1, 4)
    for row in rnn.weight_hh_l0:
        for w in row:
            w.data *= 0.5
    outputs, final = rnn([[1.0]] * 20)
    sum(final).backward()
    norms = hidden_grads(outputs)
    assert norms[0] < 1e-3 * norms[-1]


def test_gru_passes_gradcheck():
    random.seed(4)
    gru = GRU(2, 2)

    def f(*xs):
        outputs, final = gru([list(xs[:2]), list(xs[2:])])
        return sum(flatten(outputs)) * final[0]

    assert gradcheck(f, [0.3, -0.7, 0.5, 0.1])


def test_each_time_step_is_a_draw_group():
    random.seed(1)
    lstm = LSTM(2, 2)
    outputs, (h, c) = lstm([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])
    nodes = [v for out in outputs for v in out] + c
    keys = recorded_keys(lstm, nodes)
    assert [keys[out[0]] for out in outputs] == ["step 0", "step 1", "step 2"]
    assert keys[c[1]] == "step 2"


def test_inputs_may_be_numbers_and_states_reused():
    random.seed(2)
    rnn = RNN(2, 3)
    out1, h1 = rnn([[1, 2]])
    out2, h2 = rnn([[3, 4]], h1)
    both, h_both = rnn([[1, 2], [3, 4]])
    assert [v.data for v in h2] == [v.data for v in h_both]
    assert all(isinstance(v, Value) for v in h2)


def test_a_two_step_rnn_draws_one_cluster_per_step():
    random.seed(0)
    rnn = RNN(1, 2)
    _, h = rnn([[1.0], [2.0]])
    source = draw_dot(sum(h), groups=rnn).source
    assert re.findall(r'label="?(step \d)', source) == ["step 0", "step 1"]


def test_a_number_input_is_one_leaf_read_by_every_row():
    random.seed(3)
    rnn = RNN(2, 3)
    _, h = rnn([[1.5, -2.0]])
    dots = [v.parents[0].parents[0] for v in h]  # tanh(dot + b_hh)
    assert all(d.op == "dot" for d in dots)
    leaves_read = {id(p) for d in dots for p in d.parents}
    assert len(leaves_read) == 3 * (2 + 3) + 3 + 2 + 3  # weights, b_ih, x, h0: each once
    with pytest.raises(TypeError, match=r"RNN: expected numbers or Values, got str"):
        rnn([[1.0, "2"]])
