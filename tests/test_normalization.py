"""LayerNorm and BatchNorm1d against torch.nn in float64: outputs, gradients, running statistics."""

from __future__ import annotations

import random

import pytest
import torch

import nn
from autograd import gradcheck
from nn.normalization import BatchNorm1d, LayerNorm
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


def randomize(ours, seed: int) -> None:
    """Weights and biases away from their ones and zeros, so their gradients are tested."""
    rng = random.Random(seed)
    for p in ours.parameters():
        p.data = rng.uniform(-2, 2)


def check_against_torch(ours, theirs, numbers, seed: int) -> None:
    x, x_t = leaves(numbers), torch.tensor(numbers, requires_grad=True)
    out, out_t = ours(x), theirs(x_t)
    loss, coefficients = linear_loss(random.Random(seed), out)
    loss.backward()
    torch_linear_loss([out_t], coefficients).backward()
    assert_data(out, out_t, "output")
    assert_grads(x, x_t, "input")
    assert_parameters(ours, theirs)


LAYER_NORM_CASES = {
    "vector": ((5,), ()),
    "sequence": ((4,), (3,)),
    "two dims": ((2, 3), (2,)),
    "one feature": ((1,), ()),
}


@pytest.mark.parametrize("case", LAYER_NORM_CASES)
@pytest.mark.parametrize("affine", [True, False])
def test_layer_norm_equals_torch(case, affine):
    shape, outer = LAYER_NORM_CASES[case]
    ours = LayerNorm(shape if len(shape) > 1 else shape[0], elementwise_affine=affine)
    randomize(ours, 1)
    theirs = ours.to_torch()
    numbers = uniform(random.Random(2), *outer, *shape)
    check_against_torch(ours, theirs, numbers, 3)


def test_layer_norm_defaults_and_state_dict():
    ours = LayerNorm(4)
    assert [w.data for w in ours.weight] == [1.0] * 4
    assert [b.data for b in ours.bias] == [0.0] * 4
    assert_state_keys(ours, ours.to_torch())
    assert LayerNorm(4, bias=False).bias is None
    out = LayerNorm(3, eps=0.5)([1.0, 2.0, 6.0])
    expected = torch.nn.functional.layer_norm(torch.tensor([1.0, 2.0, 6.0]), (3,), eps=0.5)
    assert_data(out, expected, "eps")


def test_layer_norm_passes_gradcheck():
    norm = LayerNorm(3)
    randomize(norm, 5)
    assert gradcheck(lambda *xs: norm(list(xs))[0] * norm(list(xs))[2], [0.3, -1.2, 2.0])


def test_layer_norm_wrong_shapes():
    with pytest.raises(ValueError, match=r"LayerNorm: expected an input whose last dimensions"):
        LayerNorm(3)([1.0, 2.0])
    with pytest.raises(ValueError, match=r"LayerNorm: expected blocks of shape \[3\]"):
        LayerNorm(3)([[1.0, 2.0, 3.0], [1.0, 2.0]])
    with pytest.raises(ValueError, match=r"LayerNorm: normalized_shape must be a positive int"):
        LayerNorm(0)
    with pytest.raises(ValueError, match=r"LayerNorm: eps must be a positive number, got -1"):
        LayerNorm(3, eps=-1)


def batch_norm_pair(n_features: int, **settings):
    ours = BatchNorm1d(n_features, **settings)
    if ours.affine:
        randomize(ours, n_features)
    return ours, ours.to_torch()


@pytest.mark.parametrize("seed", range(4))
def test_batch_norm_training_equals_torch(seed):
    rng = random.Random(seed)
    n_batch, n_features = rng.randint(2, 6), rng.randint(1, 4)
    ours, theirs = batch_norm_pair(n_features, affine=seed != 3)
    assert theirs.training
    check_against_torch(ours, theirs, uniform(rng, n_batch, n_features), seed)
    assert_data(ours.running_mean, theirs.running_mean, "running_mean")
    assert_data(ours.running_var, theirs.running_var, "running_var")
    assert ours.num_batches_tracked == theirs.num_batches_tracked.item() == 1


@pytest.mark.parametrize("momentum", [0.1, 0.5, None])
def test_batch_norm_running_stats_follow_torch_then_eval_uses_them(momentum):
    rng = random.Random(9)
    ours, theirs = batch_norm_pair(3, momentum=momentum)
    for n_batch in (2, 5, 3):  # unbiased variance for the running var: n / (n - 1)
        numbers = uniform(rng, n_batch, 3)
        ours(numbers)
        theirs(torch.tensor(numbers))
    assert_data(ours.running_mean, theirs.running_mean, "running_mean")
    assert_data(ours.running_var, theirs.running_var, "running_var")
    assert ours.num_batches_tracked == 3
    ours.eval()
    theirs.eval()
    before = list(ours.running_mean)
    check_against_torch(ours, theirs, uniform(rng, 1, 3), 4)  # eval takes a batch of 1
    check_against_torch(ours, theirs, uniform(rng, 4, 3), 5)
    assert ours.running_mean == before
    assert ours.num_batches_tracked == 3


def test_batch_norm_without_running_stats_uses_the_batch_in_eval():
    rng = random.Random(1)
    ours, theirs = batch_norm_pair(2, track_running_stats=False)
    ours.eval()
    theirs.eval()
    check_against_torch(ours, theirs, uniform(rng, 3, 2), 2)
    assert ours.running_mean is None
    assert set(ours.state_dict()) == {"weight.0", "weight.1", "bias.0", "bias.1"}


def test_batch_norm_state_dict_holds_running_stats_as_torch():
    ours, theirs = batch_norm_pair(3)
    ours([[1.0, 2.0, 3.0], [4.0, 0.0, -1.0]])
    assert_state_keys(ours, theirs)
    state = ours.state_dict()
    assert state["num_batches_tracked"] == 1
    assert state["running_mean.0"] == ours.running_mean[0] == pytest.approx(0.25)
    fresh = BatchNorm1d(3)
    fresh.load_state_dict(state)
    assert fresh.state_dict() == state
    del state["running_var.2"]
    with pytest.raises(
        ValueError, match=r"BatchNorm1d.load_state_dict: missing key 'running_var.2'"
    ):
        fresh.load_state_dict(state)


def test_batch_norm_from_torch_round_trip():
    theirs = torch.nn.BatchNorm1d(3, eps=1e-3, momentum=0.2)
    theirs(torch.randn(4, 3, dtype=torch.float64))
    torch.nn.init.normal_(theirs.weight)
    theirs.eval()
    ours = nn.from_torch(theirs)
    assert not ours.training
    assert (ours.eps, ours.momentum) == (1e-3, 0.2)
    assert_parameters(ours, theirs, grads=False)
    assert ours.running_var == theirs.running_var.tolist()
    back = ours.to_torch()
    for key, value in theirs.state_dict().items():
        assert torch.equal(back.state_dict()[key], value), key
    assert not back.training


def test_batch_norm_errors_name_the_module():
    norm = BatchNorm1d(2)
    with pytest.raises(ValueError, match=r"BatchNorm1d: expected more than 1 value per channel"):
        norm([[1.0, 2.0]])
    with pytest.raises(ValueError, match=r"BatchNorm1d: expected 2 features in sample 1, got 3"):
        norm([[1.0, 2.0], [1.0, 2.0, 3.0]])
    with pytest.raises(ValueError, match=r"BatchNorm1d: momentum must be in \[0, 1\] or None"):
        BatchNorm1d(2, momentum=2)
    assert norm.num_batches_tracked == 0


def test_batch_norm_output_has_the_batch_shape():
    out = BatchNorm1d(2)([[1, 2], [3, 5], [0, 0]])
    assert len(out) == 3 and all(len(row) == 2 for row in out)
    column = [row[0].data for row in out]
    assert_close(sum(column), 0.0)
    assert len(flatten(out)) == 6
