# %% [markdown]
# # 梯度下降：练习解答
#
# 每道题先复述题目，再讲思路，然后给出解题的代码和结论。解题代码取自 `lessons/gradient_descent/exercises.py`，完整列在调用它的代码格之前。答案确定的地方用 `assert` 检查，并注明容差；与训练过程有关的结论都在多个 seed 上检验。


# %%
from collections.abc import Sequence  # noqa: F401 (the annotations of the code shown below)

import numpy as np
import torch

from lessons.gradient_descent.exercises import plot_excess
from lessons.gradient_descent.lesson import (
    X_DATA,
    Y_DATA,
    best_w,
    cost,
    descend_saddle,
    ema,
    lr_sweep,
    make_data,
    plot_runs,
    plot_saddle,
)
from lessons.printing import table

# %% [markdown]
# ## 练习 1
#
# 对 $\hat y = x w + b$ 推导 $\partial J/\partial w$ 和 $\partial J/\partial b$，写出同时更新两者的批量梯度下降，并在 $y = 2x + 1$ 的数据上验证它收敛到 $(2, 1)$。
#
# 推导：记 $e_n = x_n w + b - y_n$，则 $J = \frac1N\sum_n e_n^2$。由链式法则，$\partial e_n/\partial w = x_n$，$\partial e_n/\partial b = 1$，所以
#
# $$\frac{\partial J}{\partial w} = \frac2N\sum_n x_n e_n, \qquad
# \frac{\partial J}{\partial b} = \frac2N\sum_n e_n .$$
#
# 更新规则是 $w \leftarrow w - \alpha\,\partial J/\partial w$，$b \leftarrow b - \alpha\,\partial J/\partial b$，两个偏导数都要在更新前的 $(w, b)$ 处计算。学习率怎么选？$J$ 的 Hessian 矩阵是 $H = \frac2N\begin{pmatrix}\sum x_n^2 & \sum x_n\\ \sum x_n & N\end{pmatrix}$，批量梯度下降稳定的条件是 $\alpha < 2/\lambda_{\max}(H)$，收敛的快慢则取决于最小的特征值。`gradient_wb` 按上面两个公式逐个样本累加梯度，`train_wb` 用它做批量梯度下降：


# %%
--8<-- "lessons/gradient_descent/exercises.py:gradient_wb"
--8<-- "lessons/gradient_descent/exercises.py:train_wb"


# %% [markdown]
# 先在 float64 下把手写梯度与 autograd 对比，再训练：


# %%
from lessons.gradient_descent.exercises import gradient_wb, train_wb

Y_LINE = (3.0, 5.0, 7.0)
x = torch.tensor(X_DATA, dtype=torch.float64)
y = torch.tensor(Y_LINE, dtype=torch.float64)
for w0, b0 in [(1.0, 0.0), (-0.7, 2.5)]:
    w = torch.tensor(w0, dtype=torch.float64, requires_grad=True)
    b = torch.tensor(b0, dtype=torch.float64, requires_grad=True)
    ((x * w + b - y) ** 2).mean().backward()
    by_hand = gradient_wb(X_DATA, Y_LINE, w0, b0)
    print(f"(w, b) = ({w0}, {b0}): by hand {by_hand}, autograd {(w.grad.item(), b.grad.item())}")
    assert np.allclose(by_hand, (w.grad.item(), b.grad.item()), rtol=1e-12, atol=1e-12)

hessian = 2 / 3 * np.array([[14.0, 6.0], [6.0, 3.0]])
eigenvalues = np.linalg.eigvalsh(hessian)
print("eigenvalues of H:", eigenvalues.round(3), " 2 / lambda_max =", round(2 / eigenvalues[-1], 3))
w_fit, b_fit = train_wb(X_DATA, Y_LINE, lr=0.15, epochs=2000)
print(f"after 2000 epochs at alpha = 0.15: w = {w_fit:.10f}, b = {b_fit:.10f}")
assert abs(w_fit - 2.0) < 1e-9 and abs(b_fit - 1.0) < 1e-9


# %% [markdown]
# 结论：手写梯度与 autograd 在 $10^{-12}$ 以内一致。$H$ 的特征值约为 $0.24$ 和 $11.09$，所以学习率必须小于 $2/11.09 \approx 0.18$。取 $\alpha = 0.15$ 时，慢方向上的误差每轮只缩小到原来的 $1 - 0.15 \times 0.24 \approx 0.96$，2000 轮后 $(w, b)$ 与 $(2, 1)$ 相差不到 $10^{-9}$。两个特征值之比约为 46，等高线因此被拉得很长：$w$ 与 $b$ 相互关联，只用一个学习率时，陡的方向限制了步长，平的方向就只能慢慢挪。


# %% [markdown]
# ## 练习 2
#
# 用 `lr_sweep` 试 $\alpha = 0.1$、$0.107$、$0.21$、$0.22$，哪个收敛最快？用因子 $1 - \alpha J''$ 解释。
#
# 思路：$J(w) = J''\,(w - 2)^2/2$ 是二次函数，$J'' = \frac2N\sum_n x_n^2 = 28/3$。更新一步得 $w_{k+1} - 2 = (1 - \alpha J'')(w_k - 2)$，所以 $w_k - 2 = (1 - \alpha J'')^k (w_0 - 2)$：因子的绝对值越小，收敛越快；绝对值大于 $1$ 就发散。取 $\alpha = 1/J''$ 时因子为 $0$，一步就落到 $w = 2$，这一步恰好是牛顿法的一步。下面逐轮比较每个 $\alpha$ 实测的 $w_k - 2$ 与公式的预测。


# %%
j2 = 2 * sum(v * v for v in X_DATA) / len(X_DATA)
lrs = [0.1, 0.107, 0.21, 0.22, 3 / 28]
runs = lr_sweep(X_DATA, Y_DATA, lrs, epochs=30)
for lr, h in zip(lrs, runs.values(), strict=True):
    factor = 1 - lr * j2
    predicted = [factor**k * (1.0 - 2.0) for k in range(31)]
    measured = [w - 2.0 for w in h.epoch_ws]
    assert np.allclose(measured, predicted, rtol=1e-9, atol=1e-12)
    print(
        f"alpha = {lr:.4f}: factor {factor:+.5f}, |w_1 - 2| = {abs(measured[1]):.2e}, "
        f"J(w_30) = {h.epoch_costs[-1]:.2e}"
    )
assert abs(runs[r"$\alpha=0.107143$"].epoch_ws[1] - 2.0) < 1e-15
fig = plot_runs({k: v for k, v in runs.items() if "0.107143" not in k})


# %% [markdown]
# 结论：四个学习率的因子依次是 $0.067$、$0.0013$、$-0.96$、$-1.053$。$\alpha = 0.107$ 最快，一轮后 $|w_1 - 2|$ 只剩 $1.3\times10^{-3}$；$\alpha = 0.1$ 也很快，误差每轮缩小到原来的 $1/15$，只是比不上前者；$\alpha = 0.21$ 的因子接近 $-1$，$w$ 在 $2$ 的两侧来回摆动，30 轮后 $J$ 还有 $0.40$；$\alpha = 0.22$ 的因子绝对值超过 $1$，摆幅越来越大，最终发散。精确取 $\alpha = 3/28$ 时因子为 $0$，实测一步后 $w_1 = 2$（误差在 $10^{-15}$ 以内）。每一轮实测的 $w_k$ 都与公式 $(1 - \alpha J'')^k(w_0 - 2)$ 吻合，相对误差小于 $10^{-9}$。


# %% [markdown]
# ## 练习 3
#
# 在 `compare_methods` 中给 SGD 用更小的学习率（如 $0.002$），$J - J^*$ 最后的抖动幅度和收敛速度怎样变化？由此说明逐渐减小学习率为什么有用。
#
# 思路：SGD 每一步只用一个样本的梯度，它在 $w^*$ 处也不为零，所以 $w$ 不会停在 $w^*$ 上，而是在它附近随机游走。步长越小，每一步被推开得越少，抖动也越小，但走到 $w^*$ 附近要花的步数也越多。我们用同一份数据（`make_data(n=64, noise=0.5, seed=0)`）做 30 轮 SGD（$B = 1$），比较三种学习率：始终为 $0.01$；始终为 $0.002$；前 10 轮 $0.01$、后 20 轮 $0.002$。速度用 $J - J^*$ 首次低于 $10^{-2}$ 时的更新次数衡量，抖动用最后 10 轮（640 次更新）中 $J - J^*$ 的中位数衡量。每种设置跑 5 个 seed（seed 决定样本的访问顺序）。
#
# `sgd_schedule` 把本讲的 `train` 分段调用：每段用自己的学习率，从上一段结束的 $w$ 接着训练；`sgd_summary` 从逐次更新后的代价中读出上面两个指标：


# %%
--8<-- "lessons/gradient_descent/exercises.py:sgd_schedule"
--8<-- "lessons/gradient_descent/exercises.py:sgd_summary"


# %%
from lessons.gradient_descent.exercises import sgd_schedule, sgd_summary

xs, ys = make_data(n=64, noise=0.5, seed=0)
j_star = cost(xs, ys, best_w(xs, ys))
settings = {
    "0.01": ([0.01], [30]),
    "0.002": ([0.002], [30]),
    "0.01 -> 0.002": ([0.01, 0.002], [10, 20]),
}
stats = {name: [] for name in settings}
for seed in range(5):
    for name, (lrs, epochs) in settings.items():
        step_costs = sgd_schedule(xs, ys, lrs, epochs, seed=seed)
        stats[name].append(sgd_summary(step_costs, j_star, n=640, tol=1e-2))
rows = []
for name, summaries in stats.items():
    first = [s["first"] for s in summaries]
    floor = [s["floor"] for s in summaries]
    spread = f"{min(floor):.1e}-{max(floor):.1e}"
    rows.append((name, np.median(first), f"{min(first)}-{max(first)}", np.median(floor), spread))
columns = [("alpha", "<"), ("first t", ".0f"), ("min-max", ">"), ("floor", ".1e"), ("min-max", ">")]
title = [
    "first t: first update with J - J* < 1e-2; floor: J - J* over the last 640 updates",
    "(medians over 5 seeds)",
]
print(table(rows, columns, title=title))
for fast, slow, both in zip(*stats.values(), strict=True):
    assert slow["first"] > 3 * fast["first"] and slow["floor"] < fast["floor"] / 3
    assert both["first"] == fast["first"] and both["floor"] < fast["floor"] / 3
fig = plot_excess(
    {
        r"$\alpha=0.01$": sgd_schedule(xs, ys, [0.01], [30], seed=0),
        r"$\alpha=0.002$": sgd_schedule(xs, ys, [0.002], [30], seed=0),
        r"$0.01 \to 0.002$": sgd_schedule(xs, ys, [0.01, 0.002], [10, 20], seed=0),
    },
    j_star,
)


# %% [markdown]
# 结论：在全部 5 个 seed 上，把学习率从 $0.01$ 降到 $0.002$，最后的抖动 $J - J^*$ 都降到原来的三分之一以下（中位数从约 $3\times10^{-3}$ 降到约 $2\times10^{-4}$），但首次进入 $10^{-2}$ 以内所需的更新次数变成原来的三倍以上（中位数从约 40 次增加到约 200 次）。先大后小的学习率两头都占：前 10 轮与 $\alpha = 0.01$ 完全相同，所以一样快；后 20 轮的抖动与 $\alpha = 0.002$ 在同一量级。道理在于：离 $w^*$ 还远时，梯度中的信号远大于采样噪声，大步长走得快；到了 $w^*$ 附近就只剩噪声了，抖动的幅度与步长成正比，只有减小步长才能进一步逼近 $w^*$。学习率衰减（分段、指数、余弦等）都基于这个思路。


# %% [markdown]
# ## 练习 4
#
# 证明对常数序列 $\ell_t \equiv c$，修正后的 $\hat s_t$ 恒等于 $c$；不修正时 $s_t$ 是多少？用 `ema` 验证。
#
# 推导：从 $s_0 = 0$ 出发，把 $s_t = \beta s_{t-1} + (1-\beta)\ell_t$ 逐项展开，
#
# $$s_t = (1-\beta)\sum_{k=1}^{t}\beta^{t-k}\ell_k .$$
#
# 当 $\ell_k = c$ 时，
#
# $$
# s_t = c\,(1-\beta)\sum_{j=0}^{t-1}\beta^j
# = c\,(1-\beta)\frac{1-\beta^t}{1-\beta} = c\,(1-\beta^t),
# $$
#
# 于是 $\hat s_t = s_t/(1-\beta^t) = c$。不修正时，$s_t = c(1-\beta^t)$ 从 $0$ 开始慢慢爬向 $c$：$\beta = 0.9$ 时 $s_1 = 0.1c$，要到 $t \approx 22$ 才超过 $0.9c$；$\beta = 0.99$ 时则要到 $t \approx 230$。`ema_uncorrected` 就是本讲的 `ema` 去掉修正那一步：


# %%
--8<-- "lessons/gradient_descent/exercises.py:ema_uncorrected"


# %%
from lessons.gradient_descent.exercises import ema_uncorrected

c, steps = 3.7, 300
for beta in (0.9, 0.99):
    corrected = ema([c] * steps, beta)
    raw = ema_uncorrected([c] * steps, beta)
    formula = [c * (1 - beta**t) for t in range(1, steps + 1)]
    assert np.allclose(corrected, c, rtol=1e-12)
    assert np.allclose(raw, formula, rtol=1e-12)
    t90 = next(t for t, s in enumerate(raw, start=1) if s > 0.9 * c)
    print(f"beta = {beta}: s_1 = {raw[0]:.3f}, s_10 = {raw[9]:.3f}, first t with s_t > 0.9c: {t90}")


# %% [markdown]
# 结论：取 $c = 3.7$，`ema` 给出的 $\hat s_t$ 在前 300 步全都等于 $c$（相对误差在 $10^{-12}$ 以内）；未修正的 $s_t$ 与 $c(1-\beta^t)$ 一致：$\beta = 0.9$ 时到第 22 步才超过 $0.9c$，$\beta = 0.99$ 时要到第 230 步。不加修正，平滑后的曲线开头会严重偏低，看起来就像损失一开始就很小。


# %% [markdown]
# ## 练习 5
#
# 把 `descend_saddle` 的起点改成 $(1, 10^{-8})$、噪声设为 $0$，它还会停在鞍点吗？大约多少步后 $|y|$ 超过 $1$？
#
# 思路：$\nabla f = (2x, -2y)$，所以更新为 $x \leftarrow (1-2\alpha)x$，$y \leftarrow (1+2\alpha)y$，两个坐标互不影响。$\alpha = 0.1$ 时，$x_t = 0.8^t$ 趋于 $0$，而 $y_t = 1.2^t \times 10^{-8}$ 指数增长。$|y_t| > 1$ 要求 $1.2^t > 10^8$，即 $t > 8\ln 10/\ln 1.2 \approx 101.03$，所以是第 102 步。`escape_steps` 把这个计算写成一般形式：


# %%
--8<-- "lessons/gradient_descent/exercises.py:escape_steps"


# %%
from lessons.gradient_descent.exercises import escape_steps

path = descend_saddle((1.0, 1e-8), lr=0.1, steps=110, noise=0.0)
t_escape = int(torch.nonzero(path[:, 1].abs() > 1)[0])
print("predicted:", escape_steps(1e-8, 0.1), " measured:", t_escape)
print("(x, y) at t = 60:", path[60].tolist(), " at t = 110:", path[110].tolist())
assert t_escape == escape_steps(1e-8, 0.1) == 102
assert torch.allclose(path[:, 1], 1e-8 * 1.2 ** torch.arange(111, dtype=torch.float64), rtol=1e-10)
fig = plot_saddle({0.0: path[:104]})


# %% [markdown]
# 结论：不会停在鞍点。第 60 步时 $(x, y) \approx (1.5\times10^{-6}, 5.6\times10^{-4})$，梯度很小，看上去已经停住了；但 $y$ 每一步都乘以 $1.2$，到第 102 步 $|y|$ 超过 $1$，与预测一致，此后 $f = x^2 - y^2$ 无下界地下降。起点 $y_0 = 0$ 恰好落在鞍点的稳定流形上，这种情况出现的概率为零；只要有一丁点偏离（舍入误差或 SGD 的噪声），梯度下降迟早都会离开鞍点，只是偏离越小，需要的步数越多（与 $\ln(1/|y_0|)$ 成正比）。
