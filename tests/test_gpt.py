"""Embedding against torch.nn.Embedding, and the small GPT on the shipped names."""

from __future__ import annotations

import random

import pytest
import torch

import nn
from nn.embedding import Embedding
from nn.gpt import GPT, Vocabulary, load_names, mean_loss, train
from tests.module_reference import (
    assert_data,
    assert_parameters,
    assert_state_keys,
    attribute,
    linear_loss,
    torch_linear_loss,
)
from tests.reference import assert_close


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


# --- the small GPT on names ---


def small_gpt(seed: int = 0, **sizes) -> tuple[GPT, Vocabulary, list[str]]:
    random.seed(seed)
    names = load_names()
    random.shuffle(names)
    vocab = Vocabulary(names)
    return GPT(vocab.size, **sizes), vocab, names


def test_names_ship_with_the_package():
    names = load_names()
    assert len(names) >= 1500
    assert len(set(names)) == len(names)
    assert all(name.isalpha() and name.islower() for name in names)
    vocab = Vocabulary(names)
    assert vocab.size == 27 and vocab.bos == 26
    assert vocab.encode("emma") == [26, 4, 12, 12, 0, 26]
    assert vocab.decode(vocab.encode("emma")) == "emma"
    with pytest.raises(ValueError, match=r"Vocabulary: character 'Z' is not in the vocabulary"):
        vocab.encode("Zoe")


def torch_gpt_loss(model: GPT, tokens: list[int]) -> tuple[torch.Tensor, dict]:
    """The same forward pass written with torch.nn modules holding the same numbers."""
    parts = {
        "wte": model.wte.to_torch(),
        "wpe": model.wpe.to_torch(),
        "ln_f": model.ln_f.to_torch(),
        "lm_head": model.lm_head.to_torch(),
    }
    inputs, targets = tokens[:-1], tokens[1:]
    x = parts["wte"](torch.tensor(inputs)) + parts["wpe"](torch.arange(len(inputs)))
    for i, block in enumerate(model.blocks):
        for name in ("ln_1", "attn", "ln_2", "mlp_fc", "mlp_proj"):
            parts[f"blocks.{i}.{name}"] = getattr(block, name).to_torch()
        p = lambda name, i=i: parts[f"blocks.{i}.{name}"]  # noqa: E731
        h = p("ln_1")(x).unsqueeze(0)
        mask = torch.triu(torch.ones(len(inputs), len(inputs), dtype=torch.bool), diagonal=1)
        x = x + p("attn")(h, h, h, need_weights=False, attn_mask=mask)[0][0]
        x = x + p("mlp_proj")(torch.relu(p("mlp_fc")(p("ln_2")(x))))
    logits = parts["lm_head"](parts["ln_f"](x))
    return torch.nn.functional.cross_entropy(logits, torch.tensor(targets)), parts


def test_gpt_loss_and_every_gradient_equal_torch():
    model, vocab, _ = small_gpt(3, n_embd=4, n_head=2, n_layer=2, block_size=8)
    rng = random.Random(3)
    for p in model.parameters():  # LayerNorm and attention biases away from 1 and 0
        p.data += rng.uniform(-0.3, 0.3)
    tokens = vocab.encode("anna")
    loss = model.loss(tokens)
    loss.backward()
    loss_t, parts = torch_gpt_loss(model, tokens)
    loss_t.backward()
    assert_close(loss.data, loss_t.item(), "loss")
    for prefix, module in parts.items():
        assert_parameters(attribute(model, prefix), module)


def test_gpt_learns_names_in_100_steps():
    """Stated target: from above ln(27) = 3.30 to below 2.8 on 100 held-out names in 100 steps."""
    model, vocab, names = small_gpt(0)
    train_names, held_out = names[:-100], names[-100:]
    assert mean_loss(model, held_out, vocab) > 3.2
    losses = train(model, train_names, vocab, steps=100)
    assert len(losses) == 100
    assert mean_loss(model, held_out, vocab) < 2.8


def test_gpt_generates_names_reproducibly():
    model, vocab, names = small_gpt(1, block_size=6)
    rng, rng_again = random.Random(5), random.Random(5)
    first = [model.generate(vocab, rng) for _ in range(5)]
    assert first == [model.generate(vocab, rng_again) for _ in range(5)]
    assert len(set(first)) > 1
    assert all(len(name) <= 6 and set(name) <= set(vocab.chars) for name in first)


def test_gpt_errors_name_the_module():
    model, vocab, _ = small_gpt(2, block_size=4)
    with pytest.raises(ValueError, match=r"GPT: expected 1 to 4 tokens \(block_size\), got 5"):
        model([0, 1, 2, 3, 4])
    with pytest.raises(ValueError, match=r"MultiheadAttention: embed_dim 6 is not divisible"):
        GPT(vocab.size, n_embd=6, n_head=4)
    loss = model.loss(vocab.encode("christopher"))  # cut to block_size, as microgpt
    assert loss.data > 0
