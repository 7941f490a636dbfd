"""A small GPT on names, built from nn's modules: `python -m nn.gpt` trains it and samples.

The model reads a name one character at a time and learns to predict the next
one, as Karpathy's makemore and microgpt do:

    tokens   = [BOS, e, m, m, a, BOS]             (BOS marks both ends)
    x_t      = wte[token_t] + wpe[t]                (Embedding, twice)
    x        = x + attn(ln_1(x), causal=True)       (each block: MultiheadAttention,
    x        = x + mlp_proj(relu(mlp_fc(ln_2(x))))   LayerNorm, two Linear layers)
    logits_t = lm_head(ln_f(x_t))
    loss     = mean_t cross_entropy(logits_t, token_(t+1))

Every number is a scalar `Value`, so a step's graph can be drawn (each
attention head is a draw group) and every gradient checked against PyTorch.
The names ship with the package: `nn/data/names.txt`, one lowercase name a line.
"""

from __future__ import annotations

import argparse
import math
import random
from collections.abc import Sequence
from importlib import resources

import autograd
from autograd import Value, no_grad

from .attention import MultiheadAttention
from .embedding import Embedding
from .functional import cross_entropy
from .linear import Linear, check_size
from .module import Module
from .normalization import LayerNorm
from .optim import Adam, LambdaLR


def load_names() -> list[str]:
    """The names shipped in `nn/data/names.txt`, in file order."""
    text = resources.files("nn").joinpath("data", "names.txt").read_text(encoding="utf-8")
    return [line.strip() for line in text.splitlines() if line.strip()]


class Vocabulary:
    """Characters as token ids 0..len(chars)-1, and `bos` (= len(chars)) at both ends of a name."""

    def __init__(self, names: Sequence[str]) -> None:
        self.chars = sorted(set("".join(names)))
        self.bos = len(self.chars)
        self._ids = {ch: i for i, ch in enumerate(self.chars)}

    @property
    def size(self) -> int:
        return len(self.chars) + 1

    def encode(self, name: str) -> list[int]:
        unknown = [ch for ch in name if ch not in self._ids]
        if unknown:
            raise ValueError(f"Vocabulary: character {unknown[0]!r} is not in the vocabulary")
        return [self.bos, *(self._ids[ch] for ch in name), self.bos]

    def decode(self, ids: Sequence[int]) -> str:
        return "".join(self.chars[i] for i in ids if i != self.bos)


class Block(Module):
    """One Transformer block, pre-norm: causal self-attention, then an MLP, each added back."""

    def __init__(self, n_embd: int, n_head: int) -> None:
        self.ln_1 = LayerNorm(n_embd)
        self.attn = MultiheadAttention(n_embd, n_head)
        self.ln_2 = LayerNorm(n_embd)
        self.mlp_fc = Linear(n_embd, 4 * n_embd)
        self.mlp_proj = Linear(4 * n_embd, n_embd)

    def __call__(self, xs: list[list[Value]]) -> list[list[Value]]:
        attended = self.attn(self.ln_1(xs), causal=True)
        xs = [[a + b for a, b in zip(x, y)] for x, y in zip(xs, attended)]
        hidden = [[h.relu() for h in self.mlp_fc(x)] for x in self.ln_2(xs)]
        return [[a + b for a, b in zip(x, self.mlp_proj(h))] for x, h in zip(xs, hidden)]


class GPT(Module):
    """A character-level GPT: token and position embeddings, `n_layer` blocks, a linear head."""

    def __init__(
        self,
        vocab_size: int,
        n_embd: int = 16,
        n_head: int = 4,
        n_layer: int = 1,
        block_size: int = 16,
    ) -> None:
        self.vocab_size = check_size("GPT", "vocab_size", vocab_size)
        self.block_size = check_size("GPT", "block_size", block_size)
        check_size("GPT", "n_layer", n_layer)
        self.wte = Embedding(vocab_size, n_embd)
        self.wpe = Embedding(block_size, n_embd)
        self.blocks = [Block(n_embd, n_head) for _ in range(n_layer)]
        self.ln_f = LayerNorm(n_embd)
        self.lm_head = Linear(n_embd, vocab_size, bias=False)

    def __call__(self, tokens: Sequence[int]) -> list[list[Value]]:
        """The next-token logits at each position of `tokens` (at most `block_size` of them)."""
        if not 0 < len(tokens) <= self.block_size:
            raise ValueError(
                f"GPT: expected 1 to {self.block_size} tokens (block_size), got {len(tokens)}"
            )
        xs = [
            [t + p for t, p in zip(tok, pos)]
            for tok, pos in zip(self.wte(list(tokens)), self.wpe(list(range(len(tokens)))))
        ]
        for block in self.blocks:
            xs = block(xs)
        return [self.lm_head(x) for x in self.ln_f(xs)]

    def loss(self, tokens: Sequence[int]) -> Value:
        """Mean cross-entropy of predicting each next token (the sequence cut to block_size)."""
        inputs, targets = tokens[:-1][: self.block_size], tokens[1:][: self.block_size]
        losses = [cross_entropy(logits, t) for logits, t in zip(self(inputs), targets)]
        return autograd.sum(losses) * (1.0 / len(losses))

    @no_grad()
    def generate(self, vocab: Vocabulary, rng: random.Random, temperature: float = 0.5) -> str:
        """Sample one name: start from BOS, draw each next character until BOS or block_size."""
        tokens = [vocab.bos]
        while len(tokens) <= self.block_size:
            logits = [v.data / temperature for v in self(tokens)[-1]]
            top = max(logits)
            weights = [math.exp(x - top) for x in logits]
            token = rng.choices(range(len(weights)), weights=weights)[0]
            if token == vocab.bos:
                break
            tokens.append(token)
        return vocab.decode(tokens)


def train(
    model: GPT,
    names: Sequence[str],
    vocab: Vocabulary,
    steps: int,
    lr: float = 1e-2,
    on_step=None,
) -> list[float]:
    """`steps` steps of Adam, one name each (in order, cycling), the rate decaying to 0.

    As microgpt: betas (0.85, 0.99), linear decay. Returns each step's loss.
    """
    optimizer = Adam(model.parameters(), lr=lr, betas=(0.85, 0.99))
    schedule = LambdaLR(optimizer, lambda step: 1 - step / steps)
    losses = []
    for step in range(steps):
        loss = model.loss(vocab.encode(names[step % len(names)]))
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        schedule.step()
        losses.append(loss.data)
        if on_step is not None:
            on_step(step, loss.data)
    return losses


def mean_loss(model: GPT, names: Sequence[str], vocab: Vocabulary) -> float:
    """The average per-name loss over `names`, without recording a graph."""
    with no_grad():
        return sum(model.loss(vocab.encode(name)).data for name in names) / len(names)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Train a small GPT on names, then sample some.")
    parser.add_argument("--steps", type=int, default=1000, help="training steps, one name each")
    parser.add_argument("--samples", type=int, default=20, help="names to generate after")
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args(argv)

    random.seed(args.seed)
    names = load_names()
    random.shuffle(names)
    vocab = Vocabulary(names)
    model = GPT(vocab.size)
    print(f"{len(names)} names, vocabulary {vocab.size}, {len(model.parameters())} parameters")

    def report(step: int, loss: float) -> None:
        if step % 100 == 0 or step == args.steps - 1:
            print(f"step {step + 1:5d} / {args.steps}   loss {loss:.4f}")

    train(model, names, vocab, args.steps, on_step=report)
    rng = random.Random(args.seed)
    print("generated:", ", ".join(model.generate(vocab, rng) for _ in range(args.samples)))


if __name__ == "__main__":
    main()
