"""Losses and softmax against torch.nn.functional: values and gradients, large logits."""

from __future__ import annotations

import math

import pytest
import torch
import torch.nn.functional as TF

from autograd import Value
from nn import functional as F

from .reference import assert_close, torch_leaves

LOGITS = [
    [0.5, -1.25, 2.0],
    [1000.0, -1000.0, 0.0],
    [-1000.0, -999.0, -1001.0],
    [3.0],
]


def check(ours_out, theirs_out, leaves, tleaves, what):
    ours_out.backward()
    theirs_out.backward()
    assert_close(ours_out.data, theirs_out.item(), f"{what} value")
    for i, (v, t) in enumerate(zip(leaves, tleaves)):
        expected = 0.0 if t.grad is None else t.grad.item()
        assert_close(v.grad, expected, f"{what} d/dx{i}")
        assert math.isfinite(v.grad)


@pytest.mark.parametrize("logits", LOGITS)
@pytest.mark.parametrize("k", [0, -1])
def test_softmax_and_log_softmax(logits, k):
    for ours, theirs in [(F.softmax, TF.softmax), (F.log_softmax, TF.log_softmax)]:
        leaves = [Value(x) for x in logits]
        tleaves = torch_leaves(logits)
        out = ours(leaves)
        tout = theirs(torch.stack(tleaves), dim=0)
        weights = [0.3 * (i + 1) for i in range(len(logits))]  # mix every output in the loss
        mixed = sum((w * o for w, o in zip(weights, out)), Value(0.0)) + out[k]
        tmixed = (torch.tensor(weights) * tout).sum() + tout[k]
        check(mixed, tmixed, leaves, tleaves, ours.__name__)


@pytest.mark.parametrize("logits", LOGITS)
def test_cross_entropy(logits):
    for target in range(len(logits)):
        leaves, tleaves = [Value(x) for x in logits], torch_leaves(logits)
        out = F.cross_entropy(leaves, target)
        tout = TF.cross_entropy(torch.stack(tleaves).unsqueeze(0), torch.tensor([target]))
        check(out, tout, leaves, tleaves, f"cross_entropy target {target}")


PAIRS = [
    ([0.5, -1.5, 2.25], [1.0, 0.0, 2.0]),
    ([1000.0, -1000.0], [0.0, 1.0]),
    ([0.0], [0.5]),
]


@pytest.mark.parametrize("preds, targets", PAIRS)
def test_mse_loss(preds, targets):
    leaves, tleaves = [Value(x) for x in preds], torch_leaves(preds)
    out = F.mse_loss(leaves, targets)
    tout = TF.mse_loss(torch.stack(tleaves), torch.tensor(targets))
    check(out, tout, leaves, tleaves, "mse_loss")


@pytest.mark.parametrize(
    "logits, targets",
    [
        ([0.5, -1.5, 2.25, 0.0], [1.0, 0.0, 1.0, 0.5]),
        ([1000.0, -1000.0, 40.0, -40.0], [0, 1, 1, 0]),
    ],
)
def test_binary_cross_entropy_with_logits(logits, targets):
    leaves, tleaves = [Value(x) for x in logits], torch_leaves(logits)
    out = F.binary_cross_entropy_with_logits(leaves, targets)
    tout = TF.binary_cross_entropy_with_logits(
        torch.stack(tleaves), torch.tensor(targets, dtype=torch.float64)
    )
    check(out, tout, leaves, tleaves, "bce_with_logits")


@pytest.mark.parametrize(
    "probs, targets",
    [
        ([0.2, 0.7, 0.99, 0.5], [0.0, 1.0, 1.0, 0.25]),
        ([1e-5, 1 - 1e-5], [1.0, 0.0]),
    ],
)
def test_binary_cross_entropy(probs, targets):
    leaves, tleaves = [Value(x) for x in probs], torch_leaves(probs)
    out = F.binary_cross_entropy(leaves, targets)
    tout = TF.binary_cross_entropy(torch.stack(tleaves), torch.tensor(targets))
    check(out, tout, leaves, tleaves, "bce")


def test_binary_cross_entropy_at_exactly_0_and_1_is_pytorchs_finite_loss():
    probs, targets = [0.0, 1.0, 0.0, 1.0], [1.0, 0.0, 0.0, 1.0]
    leaves = [Value(x) for x in probs]
    out = F.binary_cross_entropy(leaves, targets)
    tout = TF.binary_cross_entropy(torch.tensor(probs), torch.tensor(targets))
    assert_close(out.data, tout.item(), "bce clamped value")
    out.backward()
    assert all(math.isfinite(v.grad) for v in leaves)


def test_targets_may_be_values():
    p, t = Value(0.3), Value(0.8)
    F.mse_loss([p], [t]).backward()
    assert t.grad == pytest.approx(-2 * (0.3 - 0.8))


def test_hinge_loss_and_l2_penalty():
    scores = [Value(0.5), Value(-2.0), Value(3.0)]
    loss = F.hinge_loss(scores, [1, 1, -1])
    assert loss.data == pytest.approx((0.5 + 3.0 + 4.0) / 3)
    params = [Value(1.0), Value(-2.0)]
    penalty = F.l2_penalty(params, 0.5)
    penalty.backward()
    assert penalty.data == 2.5 and [p.grad for p in params] == [1.0, -2.0]


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: F.mse_loss([Value(1.0)], [1.0, 2.0]), "mse_loss: 1 predictions but 2 targets"),
        (lambda: F.mse_loss([], []), "mse_loss: got an empty list"),
        (lambda: F.binary_cross_entropy([], []), "empty"),
        (lambda: F.binary_cross_entropy_with_logits([Value(1.0)], []), "1 predictions but 0"),
        (lambda: F.hinge_loss([Value(1.0)] * 2, [1]), "2 predictions but 1"),
        (lambda: F.softmax([]), "softmax: got an empty list"),
        (lambda: F.log_softmax([]), "log_softmax: got an empty list"),
        (lambda: F.cross_entropy([Value(1.0)] * 3, 3), "class index 3 out of range for 3"),
        (lambda: F.cross_entropy([Value(1.0)] * 3, -1), "out of range"),
    ],
)
def test_bad_input_is_a_clear_error(call, message):
    with pytest.raises(ValueError, match=message):
        call()


@pytest.mark.parametrize(
    "probs, targets, message",
    [
        ([0.5, 1.5], [1.0, 0.0], r"probabilities must be in \[0, 1\], got 1.5 at index 1"),
        ([-0.25], [1.0], r"probabilities must be in \[0, 1\], got -0.25 at index 0"),
        ([0.5, math.nan], [1.0, 0.0], r"probabilities must be in \[0, 1\], got nan at index 1"),
        ([0.5, 0.5], [1.0, 2.0], r"targets must be in \[0, 1\], got 2.0 at index 1"),
        ([0.5], [-1.0], r"targets must be in \[0, 1\], got -1.0 at index 0"),
        ([0.5], [math.nan], r"targets must be in \[0, 1\], got nan at index 0"),
    ],
)
def test_binary_cross_entropy_refuses_what_torch_refuses(probs, targets, message):
    """p = 1.5 gave a negative loss, p = nan a loss of 100 with no gradient: both hid a bug."""
    with pytest.raises(ValueError, match=f"^binary_cross_entropy: {message}"):
        F.binary_cross_entropy([Value(p) for p in probs], targets)
    with pytest.raises(RuntimeError, match="should be between 0 and 1"):
        TF.binary_cross_entropy(torch.tensor(probs), torch.tensor(targets))
    with pytest.raises(ValueError, match=message):
        F.binary_cross_entropy([Value(p) for p in probs], [Value(t) for t in targets])


LOSSES = {
    "mse_loss": lambda preds: F.mse_loss(preds, [1.0, 1.0]),
    "binary_cross_entropy": lambda preds: F.binary_cross_entropy(preds, [1.0, 1.0]),
    "binary_cross_entropy_with_logits": lambda preds: F.binary_cross_entropy_with_logits(
        preds, [1.0, 1.0]
    ),
    "hinge_loss": lambda preds: F.hinge_loss(preds, [1, 1]),
    "softmax": F.softmax,
    "log_softmax": F.log_softmax,
    "cross_entropy": lambda preds: F.cross_entropy(preds, 0),
    "l2_penalty": lambda preds: F.l2_penalty(preds, 0.1),
}


@pytest.mark.parametrize("name", LOSSES)
def test_plain_numbers_as_predictions_are_a_type_error(name):
    """As torch.nn.functional refuses a float for a tensor: a loss of constants trains nothing."""
    with pytest.raises(TypeError, match=rf"^{name}: .* must be Values, got float at index 1"):
        LOSSES[name]([Value(0.5), 0.5])
    with pytest.raises(TypeError, match=rf"^{name}: expected a list of Values .*, got Value"):
        LOSSES[name](Value(0.5))


def test_targets_must_be_numbers_or_values():
    with pytest.raises(
        TypeError, match=r"^mse_loss: targets must be numbers .*, got str at index 0"
    ):
        F.mse_loss([Value(1.0)], ["1"])
    with pytest.raises(TypeError, match="^cross_entropy: target must be a class index"):
        F.cross_entropy([Value(1.0)], 0.5)
