"""microgpt's workload on microgpt's code shape, by hand: python tests/benchmarks/bench_gpt.py

A small character-level GPT (token and position embeddings, one layer of causal
multi-head attention, RMS norm, an MLP, softmax cross-entropy, Adam) trained on
the names that ship in `nn/data/names.txt`, one name per step. The model is
written as microgpt writes it: plain functions over lists of scalar Values
(`linear` as `sum(wi * xi ...)`, `softmax` with `exp` and `/`, `rmsnorm` with
`** -0.5`, `log` for the loss), parameterised by the Value class, so the same
code runs on

- `MGValue`, microgpt's own `Value` design (slots, local gradients stored as a
  tuple when a node is built, one topological backward), kept below, and
- chainrule's `autograd.Value`, swapped in unchanged.

Both start from the same numbers and see the same names in the same order;
their losses must agree to 1e-9 at every step. Printed: the time per step of
each, and the ratio chainrule / microgpt-style. A third line times `nn.gpt`,
the same workload built from nn's modules (fused `dot` nodes, LayerNorm).
"""

from __future__ import annotations

import argparse
import gc
import math
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from mgvalue import MGValue  # noqa: E402

from autograd import Value  # noqa: E402
from nn.gpt import GPT, Vocabulary, train  # noqa: E402

NAMES_FILE = Path(__file__).resolve().parents[2] / "nn" / "data" / "names.txt"

N_EMBD = 16
N_HEAD = 4
N_LAYER = 1
BLOCK_SIZE = 16
HEAD_DIM = N_EMBD // N_HEAD
LEARNING_RATE, BETA1, BETA2, EPS_ADAM = 0.01, 0.85, 0.99, 1e-8


# --- the data: names, one per step, characters as tokens plus a BOS token ---


def load_names(seed: int) -> list[str]:
    names = [line.strip() for line in NAMES_FILE.read_text().splitlines() if line.strip()]
    random.Random(seed).shuffle(names)
    return names


def vocabulary(names: list[str]) -> list[str]:
    return sorted(set("".join(names)))


def tokenize(name: str, chars: list[str]) -> list[int]:
    bos = len(chars)
    return [bos] + [chars.index(ch) for ch in name] + [bos]


# --- the model, written as microgpt writes it, for any Value class ---


def init_state(value_cls, vocab_size: int, seed: int) -> dict[str, list[list[object]]]:
    rng = random.Random(seed)

    def matrix(nout, nin, std=0.08):
        return [[value_cls(rng.gauss(0, std)) for _ in range(nin)] for _ in range(nout)]

    state = {
        "wte": matrix(vocab_size, N_EMBD),
        "wpe": matrix(BLOCK_SIZE, N_EMBD),
        "lm_head": matrix(vocab_size, N_EMBD),
    }
    for i in range(N_LAYER):
        state[f"layer{i}.attn_wq"] = matrix(N_EMBD, N_EMBD)
        state[f"layer{i}.attn_wk"] = matrix(N_EMBD, N_EMBD)
        state[f"layer{i}.attn_wv"] = matrix(N_EMBD, N_EMBD)
        state[f"layer{i}.attn_wo"] = matrix(N_EMBD, N_EMBD)
        state[f"layer{i}.mlp_fc1"] = matrix(4 * N_EMBD, N_EMBD)
        state[f"layer{i}.mlp_fc2"] = matrix(N_EMBD, 4 * N_EMBD)
    return state


def linear(x, w):
    return [sum(wi * xi for wi, xi in zip(wo, x)) for wo in w]


def softmax(logits):
    max_val = max(val.data for val in logits)
    exps = [(val - max_val).exp() for val in logits]
    total = sum(exps)
    return [e / total for e in exps]


def rmsnorm(x):
    ms = sum(xi * xi for xi in x) / len(x)
    scale = (ms + 1e-5) ** -0.5
    return [xi * scale for xi in x]


def gpt(state, token_id, pos_id, keys, values):
    tok_emb = state["wte"][token_id]
    pos_emb = state["wpe"][pos_id]
    x = [t + p for t, p in zip(tok_emb, pos_emb)]
    x = rmsnorm(x)
    for li in range(N_LAYER):
        x_residual = x
        x = rmsnorm(x)
        q = linear(x, state[f"layer{li}.attn_wq"])
        k = linear(x, state[f"layer{li}.attn_wk"])
        v = linear(x, state[f"layer{li}.attn_wv"])
        keys[li].append(k)
        values[li].append(v)
        x_attn = []
        for h in range(N_HEAD):
            hs = h * HEAD_DIM
            q_h = q[hs : hs + HEAD_DIM]
            k_h = [ki[hs : hs + HEAD_DIM] for ki in keys[li]]
            v_h = [vi[hs : hs + HEAD_DIM] for vi in values[li]]
            attn_logits = [
                sum(q_h[j] * k_h[t][j] for j in range(HEAD_DIM)) / HEAD_DIM**0.5
                for t in range(len(k_h))
            ]
            attn_weights = softmax(attn_logits)
            head_out = [
                sum(attn_weights[t] * v_h[t][j] for t in range(len(v_h))) for j in range(HEAD_DIM)
            ]
            x_attn.extend(head_out)
        x = linear(x_attn, state[f"layer{li}.attn_wo"])
        x = [a + b for a, b in zip(x, x_residual)]
        x_residual = x
        x = rmsnorm(x)
        x = linear(x, state[f"layer{li}.mlp_fc1"])
        x = [xi.relu() for xi in x]
        x = linear(x, state[f"layer{li}.mlp_fc2"])
        x = [a + b for a, b in zip(x, x_residual)]
    return linear(x, state["lm_head"])


class Trainer:
    """microgpt's training loop, one name per step, Adam with a linearly decaying rate."""

    def __init__(self, value_cls, names, chars, num_steps: int, seed: int) -> None:
        self.names, self.chars, self.num_steps = names, chars, num_steps
        self.state = init_state(value_cls, len(chars) + 1, seed)
        self.params = [p for mat in self.state.values() for row in mat for p in row]
        self.m = [0.0] * len(self.params)
        self.v = [0.0] * len(self.params)

    def step(self, step: int) -> float:
        tokens = tokenize(self.names[step % len(self.names)], self.chars)
        n = min(BLOCK_SIZE, len(tokens) - 1)
        keys, values = [[] for _ in range(N_LAYER)], [[] for _ in range(N_LAYER)]
        losses = []
        for pos_id in range(n):
            token_id, target_id = tokens[pos_id], tokens[pos_id + 1]
            logits = gpt(self.state, token_id, pos_id, keys, values)
            probs = softmax(logits)
            losses.append(-probs[target_id].log())
        loss = (1 / n) * sum(losses)
        loss.backward()
        lr_t = LEARNING_RATE * (1 - step / self.num_steps)
        m, v = self.m, self.v
        for i, p in enumerate(self.params):
            m[i] = BETA1 * m[i] + (1 - BETA1) * p.grad
            v[i] = BETA2 * v[i] + (1 - BETA2) * p.grad**2
            m_hat = m[i] / (1 - BETA1 ** (step + 1))
            v_hat = v[i] / (1 - BETA2 ** (step + 1))
            p.data -= lr_t * m_hat / (v_hat**0.5 + EPS_ADAM)
            p.grad = 0
        return loss.data


def run(value_cls, names, chars, steps: int, seed: int) -> tuple[list[float], list[float]]:
    """(losses, seconds) per step of `steps` training steps from a fresh model."""
    trainer = Trainer(value_cls, names, chars, steps, seed)
    gc.collect()
    losses, seconds = [], []
    for step in range(steps):
        t0 = time.perf_counter()
        losses.append(trainer.step(step))
        seconds.append(time.perf_counter() - t0)
    return losses, seconds


def run_module_gpt(names, steps: int, seed: int) -> tuple[list[float], float]:
    """(losses, seconds per step) of `nn.gpt.GPT` at the same sizes, trained by `nn.gpt.train`."""
    random.seed(seed)
    vocab = Vocabulary(names)
    model = GPT(vocab.size, n_embd=N_EMBD, n_head=N_HEAD, n_layer=N_LAYER, block_size=BLOCK_SIZE)
    gc.collect()
    t0 = time.perf_counter()
    losses = train(model, names, vocab, steps, lr=LEARNING_RATE)
    return losses, (time.perf_counter() - t0) / steps


def check_same(ours: list[float], theirs: list[float], what: str) -> None:
    for step, (a, b) in enumerate(zip(ours, theirs)):
        if abs(a - b) > 1e-9 * abs(b):
            raise AssertionError(f"{what}: step {step} loss {a!r} != microgpt-style {b!r}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=30, help="training steps per run")
    parser.add_argument("--repeat", type=int, default=3, help="best of this many runs")
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args()

    names = load_names(args.seed)
    chars = vocabulary(names)
    engines = {"microgpt-style": MGValue, "chainrule": Value}
    print(
        f"microgpt's workload: vocab {len(chars) + 1}, n_embd {N_EMBD}, {N_HEAD} heads, "
        f"{N_LAYER} layer, {args.steps} steps (one name each), best of {args.repeat}"
    )
    best: dict[str, float] = {}
    losses: dict[str, list[float]] = {}
    for _ in range(args.repeat):
        for name, cls in engines.items():  # interleaved, so that drift hits both alike
            losses[name], seconds = run(cls, names, chars, args.steps, args.seed)
            best[name] = min(best.get(name, math.inf), statistics.fmean(seconds))
        losses["nn.gpt"], seconds = run_module_gpt(names, args.steps, args.seed)
        best["nn.gpt"] = min(best.get("nn.gpt", math.inf), seconds)
    check_same(losses["chainrule"], losses["microgpt-style"], "chainrule")
    base = best["microgpt-style"]
    for name, seconds in best.items():
        print(
            f"   {name:16s} {seconds * 1e3:8.2f} ms/step   {seconds / base:5.2f}x microgpt-style"
            f"   loss after {args.steps} steps {losses[name][-1]:.12f}"
        )
    print(
        "   (nn.gpt: the same sizes and names built from nn's modules, with LayerNorm and\n"
        "    biases where microgpt has RMS norm and none, so its losses differ; time only)"
    )


if __name__ == "__main__":
    main()
