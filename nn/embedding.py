"""`Embedding`: a lookup table of learnable rows, laid out as PyTorch's `weight[num][dim]`."""

from __future__ import annotations

import operator
import random
from typing import Any

from autograd import Value

from . import bridge
from .linear import check_size
from .module import Module


class Embedding(Module):
    """Row `i` of `weight` for index `i`: `emb(3)` is a list of `embedding_dim` Values.

    A list of indices gives a list of rows (nested lists keep their shape).
    The rows returned are the weight's own Values, as microgpt reads
    `wte[token_id]`, so the gradient of every use adds up in the weight, as
    PyTorch's embedding backward does. Initialised as PyTorch's: N(0, 1),
    drawn row by row from Python's global `random` (`random.gauss`).
    `padding_idx`, as PyTorch's: that row starts at zeros and gets no gradient.
    """

    def __init__(
        self, num_embeddings: int, embedding_dim: int, padding_idx: int | None = None
    ) -> None:
        self.num_embeddings = check_size("Embedding", "num_embeddings", num_embeddings)
        self.embedding_dim = check_size("Embedding", "embedding_dim", embedding_dim)
        self.weight = [
            [Value(random.gauss(0.0, 1.0)) for _ in range(embedding_dim)]
            for _ in range(num_embeddings)
        ]
        if isinstance(padding_idx, int) and -num_embeddings <= padding_idx < 0:
            padding_idx += num_embeddings  # as PyTorch: counted from the end
        self.padding_idx = None if padding_idx is None else self._index(padding_idx, "padding_idx")
        if self.padding_idx is not None:
            for w in self.weight[self.padding_idx]:
                w.data = 0.0

    def _index(self, i: object, what: str = "index") -> int:
        if isinstance(i, bool):
            raise ValueError(f"Embedding: {what} must be an int, got {i!r}")
        try:
            i = operator.index(i)
        except TypeError:
            raise ValueError(f"Embedding: {what} must be an int, got {i!r}") from None
        if not 0 <= i < self.num_embeddings:
            raise ValueError(
                f"Embedding: {what} {i} out of range for {self.num_embeddings} embeddings"
            )
        return i

    def __call__(self, indices: Any) -> list:
        if isinstance(indices, (list, tuple)):
            return [self(i) for i in indices]
        i = self._index(indices)
        if i == self.padding_idx:  # cut from the weight: no gradient, as PyTorch
            return [Value(w.data) for w in self.weight[i]]
        return list(self.weight[i])

    def __repr__(self) -> str:
        return f"Embedding({self.num_embeddings}, {self.embedding_dim})"


def _to_torch(m: Embedding) -> Any:
    torch = bridge.torch()
    out = torch.nn.Embedding(m.num_embeddings, m.embedding_dim, padding_idx=m.padding_idx)
    out = out.to(torch.float64)
    with torch.no_grad():
        out.weight.copy_(bridge.tensor(m.weight))
    return out


def _from_torch(t: Any) -> Embedding:
    for name in ("max_norm", "sparse", "scale_grad_by_freq"):
        if getattr(t, name):
            raise ValueError(
                f"from_torch: Embedding with {name}={getattr(t, name)!r} is not supported"
            )
    ours = Embedding(t.num_embeddings, t.embedding_dim, padding_idx=t.padding_idx)
    bridge.set_data(ours.weight, t.weight)
    return ours


bridge.register(Embedding, "Embedding", _to_torch, _from_torch)
