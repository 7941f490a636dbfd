"""microgpt's `Value`, kept for the benchmarks: the fastest plain design in use elsewhere.

Slots, local gradients stored as a tuple when a node is built, one iterative
topological backward. `bench_engine.py` and `bench_gpt.py` run chainrule beside it.
"""

from __future__ import annotations

import math


class MGValue:
    __slots__ = ("data", "grad", "_children", "_local_grads")

    def __init__(self, data, children=(), local_grads=()):
        self.data = data
        self.grad = 0
        self._children = children
        self._local_grads = local_grads

    def __add__(self, other):
        other = other if isinstance(other, MGValue) else MGValue(other)
        return MGValue(self.data + other.data, (self, other), (1, 1))

    def __mul__(self, other):
        other = other if isinstance(other, MGValue) else MGValue(other)
        return MGValue(self.data * other.data, (self, other), (other.data, self.data))

    def __pow__(self, other):
        return MGValue(self.data**other, (self,), (other * self.data ** (other - 1),))

    def log(self):
        return MGValue(math.log(self.data), (self,), (1 / self.data,))

    def exp(self):
        e = math.exp(self.data)
        return MGValue(e, (self,), (e,))

    def tanh(self):
        t = math.tanh(self.data)
        return MGValue(t, (self,), (1 - t * t,))

    def relu(self):
        return MGValue(max(0, self.data), (self,), (float(self.data > 0),))

    def __neg__(self):
        return self * -1

    def __radd__(self, other):
        return self + other

    def __sub__(self, other):
        return self + (-other)

    def __rsub__(self, other):
        return other + (-self)

    def __rmul__(self, other):
        return self * other

    def __truediv__(self, other):
        return self * other**-1

    def __rtruediv__(self, other):
        return other * self**-1

    def backward(self):
        topo, visited, stack = [], set(), [(self, False)]
        while stack:  # iterative, so that deep graphs work
            v, done = stack.pop()
            if done:
                topo.append(v)
            elif v not in visited:
                visited.add(v)
                stack.append((v, True))
                stack.extend((c, False) for c in v._children)
        self.grad = 1
        for v in reversed(topo):
            for child, local_grad in zip(v._children, v._local_grads):
                child.grad += local_grad * v.grad
