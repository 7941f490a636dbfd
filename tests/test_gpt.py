"""Embedding against torch.nn.Embedding, and the small GPT on the shipped names."""

from __future__ import annotations

import random

import pytest
import torch

import nn
from nn.embedding import Embedding
from tests.module_reference import (
    assert_data,
    assert_parameters,
    assert_state_keys,
    linear_loss,
    torch_linear_loss,
)


@pytest.mark.parametrize("seed", range(3))
def test_embedding_equals_torch(seed):
    rng = random.Random(seed)
    random.seed(seed)
    ours = Embedding(rng.randint(1, 6), rng.randint(1, 4))
    theirs = ours.to_torch()
    indices = [[rng.randrange(ours.num_embeddings) for _ in range(3)] for _ in range(2)]
    out, out_t = ours(indices), theirs(torch.tensor(indices))
    loss, coefficients = linear_loss(rng, out)
    loss.backward()
    torch_linear_loss([out_t], coefficients).backward()
    assert_data(out, out_t, "rows")
    assert_parameters(ours, theirs)  # repeated indices add up in the weight


def test_embedding_init_layout_and_single_index():
    random.seed(3)
    ours = Embedding(4, 2)
    random.seed(3)
    assert ours.weight[0][0].data == random.gauss(0.0, 1.0)  # N(0, 1), row by row
    assert ours(2) == ours.weight[2] and ours(2) is not ours.weight[2]
    assert_state_keys(ours, ours.to_torch())


def test_embedding_padding_row_is_zero_and_gets_no_gradient():
    ours = Embedding(3, 2, padding_idx=-1)
    assert ours.padding_idx == 2
    theirs = ours.to_torch()
    assert theirs.padding_idx == 2
    rng = random.Random(0)
    out, out_t = ours([2, 0, 2]), theirs(torch.tensor([2, 0, 2]))
    loss, coefficients = linear_loss(rng, out)
    loss.backward()
    torch_linear_loss([out_t], coefficients).backward()
    assert_data(out, out_t, "rows")
    assert_parameters(ours, theirs)
    assert [w.grad for w in ours.weight[2]] == [0.0, 0.0]


def test_embedding_from_torch_round_trip():
    theirs = torch.nn.Embedding(5, 3, dtype=torch.float64)
    ours = nn.from_torch(theirs)
    assert_parameters(ours, theirs, grads=False)
    assert torch.equal(ours.to_torch().weight, theirs.weight)
    with pytest.raises(ValueError, match=r"from_torch: Embedding with max_norm=1.0"):
        nn.from_torch(torch.nn.Embedding(5, 3, max_norm=1.0))


def test_embedding_errors_name_the_module():
    emb = Embedding(3, 2)
    with pytest.raises(ValueError, match=r"Embedding: index 3 out of range for 3 embeddings"):
        emb(3)
    with pytest.raises(ValueError, match=r"Embedding: index -1 out of range for 3 embeddings"):
        emb([0, -1])
    with pytest.raises(ValueError, match=r"Embedding: index must be an int, got 1.0"):
        emb(1.0)
    with pytest.raises(ValueError, match=r"Embedding: index must be an int, got True"):
        emb(True)
    with pytest.raises(ValueError, match=r"Embedding: embedding_dim must be a positive int"):
        Embedding(3, 0)
