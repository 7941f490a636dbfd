"""Speed and memory of the engine, run by hand: python tests/benchmarks/bench_engine.py

Compares chainrule with micrograd 0.1.0 (pip install micrograd==0.1.0), with a
microgpt-style `Value` written below (slots, local gradients stored as a tuple
when a node is built, one backward loop) and with a hand-derived pure-Python
forward/backward that builds no graph, and times `autograd.compile`'s replay of
the training step against both. Every figure comes from this one run; times are
the process's CPU time (`time.process_time`), so other programs on a loaded
machine skew them less.
"""

from __future__ import annotations

import argparse
import gc
import random
import sys
import time
import tracemalloc
from operator import mul
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from mgvalue import MGValue  # noqa: E402

import autograd  # noqa: E402
from autograd import Value  # noqa: E402
from nn import MLP, Adam  # noqa: E402
from nn.datasets import make_moons  # noqa: E402

SIZES = [2, 16, 16, 1]
REG = 1e-4
LR = 0.1


# --- workload 1: one full-batch training step of a 2-16-16-1 MLP on two moons ---


def initial_weights(seed: int = 1337) -> list[float]:
    """micrograd's initialisation order: per layer, per neuron, w then b."""
    rng = random.Random(seed)
    weights = []
    for nin, nout in zip(SIZES, SIZES[1:]):
        for _ in range(nout):
            weights += [rng.uniform(-1, 1) for _ in range(nin)] + [0.0]
    return weights


def moons():
    X, y = make_moons(100, noise=0.1, seed=1)
    return X, [2 * label - 1 for label in y]


def step_chainrule(model, X, Y, batch=True):
    scores = model.batch(X) if batch else [model(x) for x in X]
    losses = [(1 - y * s).relu() for y, s in zip(Y, scores)]
    params = model.parameters()
    loss = autograd.sum(losses) * (1.0 / len(losses)) + REG * autograd.dot(params, params)
    model.zero_grad()
    loss.backward()
    for p in params:
        p.data -= LR * p.grad
    return loss.data


def graph_mlp(value_cls, weights):
    """A 2-16-16-1 MLP of `value_cls` nodes, built the way micrograd builds it."""
    it = iter(weights)
    layers = []
    for nin, nout in zip(SIZES, SIZES[1:]):
        layers.append(
            [([value_cls(next(it)) for _ in range(nin)], value_cls(next(it))) for _ in range(nout)]
        )
    return layers


def step_graph(layers, X, Y):
    """One step on a plain graph engine (micrograd or microgpt-style)."""
    params = [p for layer in layers for w, b in layer for p in (*w, b)]
    scores = []
    for x in X:
        for k, layer in enumerate(layers):
            x = [sum((wi * xi for wi, xi in zip(w, x)), b) for w, b in layer]
            if k < len(layers) - 1:
                x = [v.relu() for v in x]
        scores.append(x[0])
    losses = [(1 + -y * s).relu() for y, s in zip(Y, scores)]
    loss = sum(losses) * (1.0 / len(losses)) + REG * sum(p * p for p in params)
    for p in params:
        p.grad = 0.0
    loss.backward()
    for p in params:
        p.data -= LR * p.grad
    return loss.data


def step_by_hand(params, X, Y):
    """The same step with plain floats: forward, hand-derived backward, update."""
    (W1, b1), (W2, b2), (W3, b3) = params
    gW1 = [[0.0, 0.0] for _ in W1]
    gb1 = [0.0] * len(b1)
    gW2 = [[0.0] * len(W1) for _ in W2]
    gb2 = [0.0] * len(b2)
    gW3 = [0.0] * len(W3)
    gb3 = 0.0
    n = len(X)
    data_loss = 0.0
    for (x0, x1), y in zip(X, Y):
        z1 = [w[0] * x0 + w[1] * x1 + b for w, b in zip(W1, b1)]
        h1 = [z if z > 0 else 0.0 for z in z1]
        z2 = [sum(map(mul, w, h1)) + b for w, b in zip(W2, b2)]
        h2 = [z if z > 0 else 0.0 for z in z2]
        score = sum(map(mul, W3, h2)) + b3
        margin = 1.0 - y * score
        if margin <= 0:
            continue  # a satisfied margin sends nothing back
        data_loss += margin
        ds = -y / n
        gb3 += ds
        for j, h in enumerate(h2):
            gW3[j] += ds * h
        dz2 = [ds * w if z > 0 else 0.0 for w, z in zip(W3, z2)]
        dh1 = [0.0] * len(h1)
        for j, d in enumerate(dz2):
            if d:
                gb2[j] += d
                row, w = gW2[j], W2[j]
                for k, h in enumerate(h1):
                    row[k] += d * h
                    dh1[k] += d * w[k]
        for k, (d, z) in enumerate(zip(dh1, z1)):
            if z > 0 and d:
                gb1[k] += d
                gW1[k][0] += d * x0
                gW1[k][1] += d * x1
    flat = [v for w in W1 + W2 for v in w] + W3 + b1 + b2 + [b3]
    loss = data_loss / n + REG * sum(v * v for v in flat)
    c = 2 * REG
    for W, gW in ((W1, gW1), (W2, gW2)):
        for w, g in zip(W, gW):
            for k, v in enumerate(w):
                w[k] = v - LR * (g[k] + c * v)
    for b, g in ((b1, gb1), (b2, gb2), (W3, gW3)):
        for k, v in enumerate(b):
            b[k] = v - LR * (g[k] + c * v)
    params[2] = (W3, b3 - LR * (gb3 + c * b3))
    return loss


def hand_params(weights):
    it = iter(weights)
    layers = []
    for nin, nout in zip(SIZES, SIZES[1:]):
        W, b = [], []
        for _ in range(nout):
            W.append([next(it) for _ in range(nin)])
            b.append(next(it))
        layers.append((W, b))
    W3, b3 = layers[2]
    layers[2] = (W3[0], b3[0])
    return layers


def best_of(fn, repeat):
    times, result = [], None
    for _ in range(repeat):
        gc.collect()
        t0 = time.process_time()
        result = fn()
        times.append(time.process_time() - t0)
    return min(times), result


def step_graph_chainrule(model, X, Y):
    """The graph of `step_chainrule`'s loss, built once to be compiled."""
    scores = model.batch(X)
    losses = [(1 - y * s).relu() for y, s in zip(Y, scores)]
    params = model.parameters()
    return autograd.sum(losses) * (1.0 / len(losses)) + REG * autograd.dot(params, params)


def step_compiled(tape, params):
    loss = tape.forward()
    for p in params:
        p.grad = 0.0
    tape.backward()
    for p in params:
        p.data -= LR * p.grad
    return loss


def model_with(weights):
    model = MLP(2, SIZES[1:])
    for p, w in zip(model.parameters(), weights):
        p.data = w
    return model


def bench_compiled(repeat: int, steps: int = 100):
    """The compiled step; compile time; compile + `steps` replays against `steps` dynamic steps."""
    X, Y = moons()
    weights = initial_weights()
    model = model_with(weights)
    t0 = time.process_time()
    tape = autograd.compile(step_graph_chainrule(model, X, Y))
    compile_time = time.process_time() - t0
    params = model.parameters()
    step = best_of(lambda: step_compiled(tape, params), repeat)

    model = model_with(weights)
    params = model.parameters()
    gc.collect()
    t0 = time.process_time()
    tape = autograd.compile(step_graph_chainrule(model, X, Y))
    compiled_losses = [step_compiled(tape, params) for _ in range(steps)]
    compiled_run = time.process_time() - t0

    model = model_with(weights)
    gc.collect()
    t0 = time.process_time()
    dynamic_losses = [step_chainrule(model, X, Y) for _ in range(steps)]
    dynamic_run = time.process_time() - t0
    assert compiled_losses == dynamic_losses, "the compiled run must equal the dynamic run"
    return step, compile_time, compiled_run, dynamic_run


def bench_training(repeat: int):
    import micrograd.engine
    import micrograd.nn

    X, Y = moons()
    weights = initial_weights()
    results = {}

    model = MLP(2, SIZES[1:])
    for p, w in zip(model.parameters(), weights):
        p.data = w
    results["chainrule"] = best_of(lambda: step_chainrule(model, X, Y), repeat)
    model = MLP(2, SIZES[1:])
    for p, w in zip(model.parameters(), weights):
        p.data = w
    results["  per point"] = best_of(lambda: step_chainrule(model, X, Y, batch=False), repeat)
    Value(1000.0).exp() * 0.0  # an overflow elsewhere: the next pass must not slow down
    model = model_with(weights)
    results["  after overflow"] = best_of(lambda: step_chainrule(model, X, Y), repeat)

    mg = micrograd.nn.MLP(2, SIZES[1:])
    for p, w in zip(mg.parameters(), weights):
        p.data = w
    results["micrograd 0.1.0"] = best_of(lambda: step_graph_mg(mg, X, Y), repeat)

    layers = graph_mlp(MGValue, weights)
    results["microgpt-style"] = best_of(lambda: step_graph(layers, X, Y), repeat)

    params = hand_params(weights)
    results["hand-derived"] = best_of(lambda: step_by_hand(params, X, Y), repeat)
    return results


def step_graph_mg(model, X, Y):
    import micrograd.engine

    inputs = [list(map(micrograd.engine.Value, xrow)) for xrow in X]  # as micrograd's demo
    scores = list(map(model, inputs))
    losses = [(1 + -y * s).relu() for y, s in zip(Y, scores)]
    loss = sum(losses) * (1.0 / len(losses)) + REG * sum(p * p for p in model.parameters())
    model.zero_grad()
    loss.backward()
    for p in model.parameters():
        p.data -= LR * p.grad
    return loss.data


# --- workload 2: a chain of a million ops ---


def chain(value_cls, n_ops: int):
    x = value_cls(1.0)
    y = x
    for _ in range(n_ops // 2):
        y = y * 1.0001 + 0.0001
    y.backward()
    return x.grad


def micrograd_depth_limit() -> str:
    import micrograd.engine

    try:
        chain(micrograd.engine.Value, 2_000)
    except RecursionError:
        return "RecursionError at 2,000 ops"
    return "no error at 2,000 ops"


# --- workload 3: bytes per node ---


def bytes_per_node(value_cls, n: int = 100_000) -> float:
    leaves = [value_cls(float(i)) for i in range(1000)]
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    nodes = [leaves[i % 1000] * leaves[(i + 7) % 1000] for i in range(n)]
    gc.collect()
    used = tracemalloc.get_traced_memory()[0] - before - sys.getsizeof(nodes)
    tracemalloc.stop()
    return used / n


# --- workload 4: binary ops and the built-in sum only ---


def unfused(value_cls, n_terms: int = 20_000):
    rng = random.Random(0)
    ws = [value_cls(rng.uniform(-1, 1)) for _ in range(n_terms)]
    xs = [value_cls(rng.uniform(-1, 1)) for _ in range(n_terms)]
    s = sum(w * x for w, x in zip(ws, xs))
    out = (s.tanh() + 2.0).log()
    out.backward()
    return out.data


def bench_adam(repeat: int):
    model = MLP(2, SIZES[1:])
    for p in model.parameters():
        p.grad = 0.5
    opt = Adam(model.parameters(), lr=1e-3)
    return best_of(lambda: [opt.step() for _ in range(100)], repeat)[0] / 100


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="best of this many runs")
    parser.add_argument("--chain", type=int, default=1_000_000, help="ops in the chain")
    args = parser.parse_args()

    print("1. one training step, MLP 2-16-16-1, 100 two-moons points, hinge loss + L2")
    results = bench_training(args.repeat)
    losses = [loss for _, loss in results.values()]
    assert max(losses) - min(losses) <= 1e-9 * max(abs(v) for v in losses), losses
    mg = results["micrograd 0.1.0"][0]
    hand = results["hand-derived"][0]
    for name, (seconds, loss) in results.items():
        print(
            f"   {name:16s} {seconds * 1e3:9.2f} ms   {mg / seconds:7.1f}x micrograd"
            f"   {seconds / hand:5.2f}x hand-derived   loss {loss:.12f}"
        )

    (seconds, loss), compile_time, compiled_run, dynamic_run = bench_compiled(args.repeat)
    print(
        f"   {'compiled':16s} {seconds * 1e3:9.2f} ms   {mg / seconds:7.1f}x micrograd"
        f"   {seconds / hand:5.2f}x hand-derived   loss {loss:.12f}"
        f"   (compile {compile_time * 1e3:.0f} ms)"
    )
    print(
        f"   100 steps: compile + 100 replays {compiled_run:.2f} s, 100 dynamic steps"
        f" {dynamic_run:.2f} s: {compiled_run / dynamic_run:.2f}x"
    )

    print(f"2. a chain of {args.chain:,} ops, built and backpropagated")
    for name, cls in (("chainrule", Value), ("microgpt-style", MGValue)):
        seconds, grad = best_of(lambda cls=cls: chain(cls, args.chain), 1)
        print(f"   {name:16s} {seconds:9.2f} s    dx = {grad:.6f}")
    print(f"   {'micrograd 0.1.0':16s} {micrograd_depth_limit()}")

    print("3. bytes per node, 100,000 binary ops between Values")
    import micrograd.engine

    sizes = {
        "chainrule": bytes_per_node(Value),
        "microgpt-style": bytes_per_node(MGValue),
        "micrograd 0.1.0": bytes_per_node(micrograd.engine.Value),
    }
    for name, size in sizes.items():
        print(f"   {name:16s} {size:7.0f} B   {size / sizes['micrograd 0.1.0']:.2f}x micrograd")

    print("4. 20,000 terms sum(w_i * x_i) with the built-in sum, then tanh and log")
    ours, out1 = best_of(lambda: unfused(Value), args.repeat)
    theirs, out2 = best_of(lambda: unfused(MGValue), args.repeat)
    assert abs(out1 - out2) <= 1e-9 * abs(out2)
    print(f"   {'chainrule':16s} {ours * 1e3:9.2f} ms   {theirs / ours:.2f}x microgpt-style")
    print(f"   {'microgpt-style':16s} {theirs * 1e3:9.2f} ms")

    print(f"5. one Adam step over {len(MLP(2, SIZES[1:]).parameters())} parameters")
    print(f"   {'chainrule':16s} {bench_adam(args.repeat) * 1e6:9.1f} us")


if __name__ == "__main__":
    main()
