"""Optimizers and learning-rate schedulers with `torch.optim`'s update rules.

Each optimizer keeps its state per parameter in lists parallel to `params`,
and reads and writes only `.data` and `.grad`.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable

from autograd import Value


class Optimizer:
    """A list of parameters and a writable learning rate `lr`."""

    def __init__(self, params: Iterable[Value], lr: float) -> None:
        self.params = list(params)
        if not self.params:
            raise ValueError(f"{type(self).__name__}: got an empty parameter list")
        for p in self.params:
            if not isinstance(p, Value):
                raise TypeError(
                    f"{type(self).__name__}: parameters must be Values, got {type(p).__name__}"
                )
        if not lr >= 0:
            raise ValueError(f"{type(self).__name__}: lr must be >= 0, got {lr!r}")
        self.lr = lr

    def zero_grad(self) -> None:
        for p in self.params:
            p.grad = 0.0

    def step(self) -> None:
        raise NotImplementedError


def _check_range(name: str, value: float, low: float, high: float) -> None:
    if not low <= value < high:
        raise ValueError(f"{name} must be in [{low}, {high}), got {value!r}")


class SGD(Optimizer):
    """Stochastic gradient descent, with momentum, dampening, Nesterov and L2 decay."""

    def __init__(
        self,
        params: Iterable[Value],
        lr: float,
        momentum: float = 0.0,
        dampening: float = 0.0,
        weight_decay: float = 0.0,
        nesterov: bool = False,
    ) -> None:
        super().__init__(params, lr)
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("SGD: nesterov needs momentum > 0 and dampening == 0")
        self.momentum, self.dampening = momentum, dampening
        self.weight_decay, self.nesterov = weight_decay, nesterov
        self.buffers: list[float | None] = [None] * len(self.params)

    def step(self) -> None:
        lr, momentum, wd = self.lr, self.momentum, self.weight_decay
        for i, p in enumerate(self.params):
            g = p.grad
            if wd:
                g = g + wd * p.data
            if momentum:
                buf = self.buffers[i]
                buf = g if buf is None else momentum * buf + (1 - self.dampening) * g
                self.buffers[i] = buf
                g = g + momentum * buf if self.nesterov else buf
            p.data -= lr * g


class Adam(Optimizer):
    """Adam (and AMSGrad); weight decay added to the gradient, as torch.optim.Adam."""

    decoupled = False

    def __init__(
        self,
        params: Iterable[Value],
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0.0,
        amsgrad: bool = False,
    ) -> None:
        super().__init__(params, lr)
        _check_range("betas[0]", betas[0], 0.0, 1.0)
        _check_range("betas[1]", betas[1], 0.0, 1.0)
        self.betas, self.eps, self.weight_decay, self.amsgrad = betas, eps, weight_decay, amsgrad
        n = len(self.params)
        self.steps = 0
        self.exp_avg, self.exp_avg_sq, self.max_exp_avg_sq = [0.0] * n, [0.0] * n, [0.0] * n

    def step(self) -> None:
        self.steps += 1
        beta1, beta2 = self.betas
        lr, eps, wd = self.lr, self.eps, self.weight_decay
        step_size = lr / (1 - beta1**self.steps)
        correction2_sqrt = math.sqrt(1 - beta2**self.steps)
        m, v, v_max = self.exp_avg, self.exp_avg_sq, self.max_exp_avg_sq
        for i, p in enumerate(self.params):
            g = p.grad
            if wd:
                if self.decoupled:
                    p.data *= 1 - lr * wd
                else:
                    g = g + wd * p.data
            m[i] += (g - m[i]) * (1 - beta1)
            v[i] = v[i] * beta2 + (1 - beta2) * g * g
            if self.amsgrad:
                v_max[i] = max(v_max[i], v[i])
                denom = math.sqrt(v_max[i]) / correction2_sqrt + eps
            else:
                denom = math.sqrt(v[i]) / correction2_sqrt + eps
            p.data -= step_size * (m[i] / denom)


class AdamW(Adam):
    """Adam with decoupled weight decay: the parameter shrinks by lr * wd first."""

    decoupled = True

    def __init__(
        self,
        params: Iterable[Value],
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 1e-2,
        amsgrad: bool = False,
    ) -> None:
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad)


class RMSprop(Optimizer):
    """RMSprop, with momentum and the centered variant."""

    def __init__(
        self,
        params: Iterable[Value],
        lr: float = 1e-2,
        alpha: float = 0.99,
        eps: float = 1e-8,
        weight_decay: float = 0.0,
        momentum: float = 0.0,
        centered: bool = False,
    ) -> None:
        super().__init__(params, lr)
        self.alpha, self.eps, self.weight_decay = alpha, eps, weight_decay
        self.momentum, self.centered = momentum, centered
        n = len(self.params)
        self.square_avg, self.grad_avg, self.buffers = [0.0] * n, [0.0] * n, [0.0] * n

    def step(self) -> None:
        lr, alpha, eps, wd = self.lr, self.alpha, self.eps, self.weight_decay
        momentum = self.momentum
        for i, p in enumerate(self.params):
            g = p.grad
            if wd:
                g = g + wd * p.data
            sq = self.square_avg[i] = self.square_avg[i] * alpha + (1 - alpha) * g * g
            if self.centered:
                ga = self.grad_avg[i]
                ga = self.grad_avg[i] = ga + (g - ga) * (1 - alpha)
                avg = math.sqrt(sq - ga * ga) + eps
            else:
                avg = math.sqrt(sq) + eps
            if momentum > 0:
                buf = self.buffers[i] = self.buffers[i] * momentum + g / avg
                p.data -= lr * buf
            else:
                p.data -= lr * (g / avg)


class Adagrad(Optimizer):
    """Adagrad, with learning-rate decay and an initial accumulator value."""

    def __init__(
        self,
        params: Iterable[Value],
        lr: float = 1e-2,
        lr_decay: float = 0.0,
        weight_decay: float = 0.0,
        initial_accumulator_value: float = 0.0,
        eps: float = 1e-10,
    ) -> None:
        super().__init__(params, lr)
        self.lr_decay, self.weight_decay, self.eps = lr_decay, weight_decay, eps
        self.steps = 0
        self.sums = [float(initial_accumulator_value)] * len(self.params)

    def step(self) -> None:
        self.steps += 1
        clr = self.lr / (1 + (self.steps - 1) * self.lr_decay)
        for i, p in enumerate(self.params):
            g = p.grad
            if self.weight_decay:
                g = g + self.weight_decay * p.data
            self.sums[i] += g * g
            p.data -= clr * (g / (math.sqrt(self.sums[i]) + self.eps))


# --- learning-rate schedulers, with PyTorch's step() semantics ---


class LRScheduler:
    """Changes `optimizer.lr` each `step()`; `last_epoch` counts the steps taken."""

    def __init__(self, optimizer: Optimizer) -> None:
        if not isinstance(optimizer, Optimizer):
            raise TypeError(f"expected an Optimizer, got {type(optimizer).__name__}")
        self.optimizer = optimizer
        self.base_lr = optimizer.lr
        self.last_epoch = -1
        self.step()

    def step(self) -> None:
        self.last_epoch += 1
        self.optimizer.lr = self.next_lr()
        self._last_lr = [self.optimizer.lr]

    def get_last_lr(self) -> list[float]:
        return self._last_lr

    def next_lr(self) -> float:
        raise NotImplementedError


class StepLR(LRScheduler):
    """Multiply the learning rate by `gamma` every `step_size` steps."""

    def __init__(self, optimizer: Optimizer, step_size: int, gamma: float = 0.1) -> None:
        if isinstance(step_size, bool) or not isinstance(step_size, int) or step_size < 1:
            raise ValueError(f"StepLR: step_size must be a positive int, got {step_size!r}")
        self.step_size, self.gamma = step_size, gamma
        super().__init__(optimizer)

    def next_lr(self) -> float:
        lr = self.optimizer.lr
        if self.last_epoch == 0 or self.last_epoch % self.step_size:
            return lr
        return lr * self.gamma


class ExponentialLR(LRScheduler):
    """Multiply the learning rate by `gamma` every step."""

    def __init__(self, optimizer: Optimizer, gamma: float) -> None:
        self.gamma = gamma
        super().__init__(optimizer)

    def next_lr(self) -> float:
        lr = self.optimizer.lr
        return lr if self.last_epoch == 0 else lr * self.gamma


class LambdaLR(LRScheduler):
    """Set the learning rate to base_lr * lr_lambda(step)."""

    def __init__(self, optimizer: Optimizer, lr_lambda: Callable[[int], float]) -> None:
        if not callable(lr_lambda):
            raise TypeError(f"LambdaLR: lr_lambda must be callable, got {type(lr_lambda).__name__}")
        self.lr_lambda = lr_lambda
        super().__init__(optimizer)

    def next_lr(self) -> float:
        return self.base_lr * self.lr_lambda(self.last_epoch)
