# %% [markdown]
# # 线性模型：练习解答
#
# 每道题先复述题目，再讲思路，然后给出解题的代码和结论。解题代码取自 `lessons/linear_model/exercises.py`，完整列在调用它的代码格之前。答案确定的地方用 `assert` 检查，并注明容差。


# %%
from collections.abc import Sequence  # noqa: F401 (the annotations of the code shown below)

import numpy as np
import torch

from lessons.linear_model.exercises import format_sweep
from lessons.linear_model.lesson import (
    X_DATA,
    Y_DATA,
    argmin_2d,
    mse,
    plot_mse_curve,
    search_w,
    search_wb,
)

# %% [markdown]
# ## 练习 1
#
# 把数据改成 $y = [3, 5, 7]$（即 $y = 2x + 1$），先只用 $\hat y = xw$ 穷举，再用 $\hat y = xw + b$ 穷举，比较两者能否让 $J$ 降到 $0$。
#
# 思路：$\hat y = xw$ 只能表示过原点的直线，而 $y = 2x + 1$ 在 $x = 0$ 处等于 $1$，直线不过原点，所以 $w$ 取什么值都会留下误差。练习 2 推出的公式给出连续意义下的最优解 $w^* = \sum x_n y_n / \sum x_n^2 = 34/14 \approx 2.43$，网格上离它最近的点是 $2.4$。`best_w` 按这个公式计算：


# %%
--8<-- "lessons/linear_model/exercises.py:best_w"


# %%
from lessons.linear_model.exercises import best_w

Y_SHIFTED = (3.0, 5.0, 7.0)
ws, costs = search_w(X_DATA, Y_SHIFTED)
k = int(np.argmin(costs))
w_exact = best_w(X_DATA, Y_SHIFTED)
print(f"grid: w* = {ws[k]:.1f}, J = {costs[k]:.4f}")
print(f"exact: w* = {w_exact:.4f}, J = {mse(X_DATA, Y_SHIFTED, w_exact):.4f}")
assert abs(ws[k] - 2.4) < 1e-9  # tolerance: float rounding of the grid
assert mse(X_DATA, Y_SHIFTED, w_exact) > 0.14  # J cannot reach 0 without b

ws2 = np.arange(0.0, 4.1, 0.1)
bs = np.linspace(-2.0, 2.0, 41)
w_star, b_star, j_star = argmin_2d(search_wb(X_DATA, Y_SHIFTED, ws2, bs), ws2, bs)
print(f"with b: w* = {w_star:.1f}, b* = {b_star:.1f}, J = {j_star:.2e}")
assert abs(w_star - 2.0) < 1e-9 and abs(b_star - 1.0) < 1e-9 and j_star < 1e-12


# %% [markdown]
# 结论：只用 $xw$ 时，网格上最好的 $w$ 是 $2.4$，$J \approx 0.147$；即使取精确的 $w^* = 17/7$，$J$ 也只能降到 $1/7 \approx 0.143$，到不了 $0$。为了弥补缺失的截距，斜率被抬到了 $2$ 以上。加上偏置后，网格在 $(w, b) = (2, 1)$ 处找到 $J = 0$，因为数据恰好落在直线 $y = 2x + 1$ 上。只有模型能表示的函数中包含真实关系，误差才可能降到零。


# %% [markdown]
# ## 练习 2
#
# 由 $J(w) = \frac1N\sum_n (x_n w - y_n)^2$ 推出 $w^* = \sum_n x_n y_n / \sum_n x_n^2$，并用它验证 `search_w` 的结果。
#
# 推导：对 $w$ 求导，
#
# $$J'(w) = \frac2N\sum_n x_n (x_n w - y_n) = \frac2N\Big(w\sum_n x_n^2 - \sum_n x_n y_n\Big).$$
#
# 令 $J'(w) = 0$，得 $w^* = \sum_n x_n y_n / \sum_n x_n^2$（前提是 $\sum_n x_n^2 > 0$）。又因为 $J''(w) = \frac2N\sum_n x_n^2 > 0$，这是唯一的最小值点。对课上的数据，$w^* = (2 + 8 + 18)/(1 + 4 + 9) = 28/14 = 2$。这个公式就是练习 1 中的 `best_w`。下面从三个角度核对：公式本身、`search_w` 的网格结果，以及在 float64 下由 autograd 和有限差分分别算出的 $J'(w^*)$。


# %%
w_formula = best_w(X_DATA, Y_DATA)
ws, costs = search_w(X_DATA, Y_DATA)
w_grid = ws[int(np.argmin(costs))]

x = torch.tensor(X_DATA, dtype=torch.float64)
y = torch.tensor(Y_DATA, dtype=torch.float64)
w = torch.tensor(w_formula, dtype=torch.float64, requires_grad=True)
torch.nn.functional.mse_loss(x * w, y).backward()
h = 1e-6
finite_diff = (mse(X_DATA, Y_DATA, w_formula + h) - mse(X_DATA, Y_DATA, w_formula - h)) / (2 * h)
print(f"w* = {w_formula}, grid w* = {w_grid:.1f}")
print(f"J'(w*): autograd {w.grad.item():.1e}, finite difference {finite_diff:.1e}")
assert w_formula == 2.0 and abs(w_grid - w_formula) < 1e-9
assert abs(w.grad.item()) < 1e-12 and abs(finite_diff) < 1e-8  # central difference, h = 1e-6
for shifted in [(3.0, 5.0, 7.0), (1.0, -2.0, 0.5)]:
    w_s = best_w(X_DATA, shifted)
    slope = (mse(X_DATA, shifted, w_s + h) - mse(X_DATA, shifted, w_s - h)) / (2 * h)
    assert abs(slope) < 1e-8, slope


# %% [markdown]
# 结论：公式给出 $w^* = 2$，与 `search_w` 的网格最小值一致；在 $w^*$ 处，autograd 和有限差分给出的导数都是 $0$（误差在 $10^{-8}$ 以内）。换两组 $y$，公式给出的点同样使导数为零。


# %% [markdown]
# ## 练习 3
#
# 把 `search_w` 的网格间隔从 $0.1$ 改成 $0.3$（`ws=np.arange(0.0, 4.1, 0.3)`）。找到的 $w^*$ 还是 $2$ 吗？网格间隔与最优解精度之间有什么关系？
#
# 思路：`np.arange(0.0, 4.1, 0.3)` 的节点是 $0, 0.3, \dots, 3.9$，其中没有 $2$，离它最近的是 $2.1$ 和 $1.8$。由练习 2，$J(w) = J(w^*) + a\,(w - w^*)^2$，其中 $a = \frac1N\sum_n x_n^2 = 14/3$（`curvature`）。所以网格上的最优点就是离 $w^*$ 最近的节点，与 $w^*$ 相距不超过间隔的一半 $h/2$（`grid_error_bound`），多出的代价不超过 $a\,(h/2)^2$：


# %%
--8<-- "lessons/linear_model/exercises.py:curvature"
--8<-- "lessons/linear_model/exercises.py:grid_error_bound"


# %%
from lessons.linear_model.exercises import curvature, grid_error_bound

a = curvature(X_DATA, Y_DATA)
for step in (0.1, 0.3, 0.7):
    ws, costs = search_w(X_DATA, Y_DATA, ws=np.arange(0.0, 4.1, step))
    k = int(np.argmin(costs))
    bound = grid_error_bound(step)
    print(
        f"h = {step}: w* = {ws[k]:.2f}, |w - 2| = {abs(ws[k] - 2):.2f} <= {bound:.2f}, "
        f"J = {costs[k]:.4f} <= {a * bound**2:.4f}"
    )
    assert abs(ws[k] - 2.0) <= bound + 1e-9 and costs[k] <= a * bound**2 + 1e-9
ws, costs = search_w(X_DATA, Y_DATA, ws=np.arange(0.0, 4.1, 0.3))
assert abs(ws[int(np.argmin(costs))] - 2.1) < 1e-9  # tolerance: float rounding of 7 * 0.3
fig = plot_mse_curve(ws, costs)


# %% [markdown]
# 结论：间隔为 $0.3$ 时找到的是 $w^* = 2.1$，不再是 $2$，$J(2.1) = 0.0467$。一般来说，只要真正的最优解落在网格范围之内，网格解与它相距不超过 $h/2$，代价的误差不超过 $a\,(h/2)^2$。精度每提高一位，一维时要多算 10 倍的点，$d$ 维时则要多算 $10^d$ 倍，这正是穷举法的瓶颈。


# %% [markdown]
# ## 练习 4
#
# 用 `mse_grid_torch` 在 $w$、$b$ 上各取 401 个点，`y_hat` 有多少个元素？再加一个参数、同样取 401 个点，内存大约要多少？
#
# 思路：`y_hat` 的形状是 $(W, B, N)$，共 $401 \times 401 \times 3$ 个元素。每多一个参数，就多一个长度为 401 的维度。下面先按广播规则算出形状（不必真的分配内存），再乘以每个元素的 8 字节：


# %%
--8<-- "lessons/linear_model/exercises.py:grid_numel"
--8<-- "lessons/linear_model/exercises.py:memory_gib"


# %%
from lessons.linear_model.exercises import grid_numel, memory_gib

shape2 = torch.broadcast_shapes((401, 1, 1), (1, 401, 1), (3,))
shape3 = torch.broadcast_shapes((401, 1, 1, 1), (1, 401, 1, 1), (1, 1, 401, 1), (3,))
n2, n3 = grid_numel(401, 2, 3), grid_numel(401, 3, 3)
print(f"2 parameters: shape {tuple(shape2)}, {n2:,} elements, {n2 * 8 / 1e6:.2f} MB")
print(
    f"3 parameters: shape {tuple(shape3)}, {n3:,} elements, {n3 * 8 / 1e9:.2f} GB "
    f"= {memory_gib(n3):.2f} GiB"
)
assert n2 == shape2.numel() == 482_403 and n3 == shape3.numel() == 193_443_603


# %% [markdown]
# 结论：两个参数时，`y_hat` 有 $482\,403$ 个元素，约 $3.86$ MB；三个参数时有 $193\,443\,603$ 个元素，约 $1.55$ GB（$1.44$ GiB）。每加一个参数，元素个数就乘以 401。计算 `(y_hat - y) ** 2` 时还会生成同样大小的临时张量，实际的内存峰值更高。所以把网格广播开来，只适用于寥寥几个参数；参数一多，就只能靠梯度下降了。


# %% [markdown]
# ## 练习 5
#
# 用 `make_noisy_data(n=40, noise=2.0, seed=0)` 重新生成数据，再调用 `select_model`。两个模型在验证集上的差距如何变化？多试几个 `seed`，挑选的结果稳定吗？
#
# 思路：缺少偏置带来的误差是固定的（约 $0.15$），与噪声大小无关；而验证集只有 8 个样本，它上面的代价本身就有与 $\sigma^2$ 同量级的波动。噪声从 $0.5$ 增大到 $2$，$\sigma^2$ 变为原来的 16 倍，这点差距就被噪声淹没了。`selection_sweep` 对每个 seed（它同时决定数据和划分）调用一次 `select_model`，记下两种噪声下的差距 $J_{\text{dev}}(xw) - J_{\text{dev}}(xw + b)$：


# %%
--8<-- "lessons/linear_model/exercises.py:selection_sweep"


# %%
from lessons.linear_model.exercises import selection_sweep

seeds = range(10)
rows_low = selection_sweep(seeds, noise=0.5)
rows_high = selection_sweep(seeds, noise=2.0)
print("noise = 0.5\n" + format_sweep(rows_low))
print("noise = 2.0\n" + format_sweep(rows_high))
wins_low = sum(r["winner"] for r in rows_low)
wins_high = sum(r["winner"] for r in rows_high)
spread_high = np.std([r["gap"] for r in rows_high])
spread_low = np.std([r["gap"] for r in rows_low])
print(f"std of the gap: {spread_low:.3f} (0.5) vs {spread_high:.3f} (2.0)")
assert rows_high[0]["gap"] > 0  # seed 0: xw+b still wins, by 0.384
assert wins_high < wins_low and spread_high > 2 * spread_low


# %% [markdown]
# 结论：`seed=0` 时，带偏置的模型仍然胜出，差距约 $0.38$，但两者的验证代价都在 $2$ 左右，差距只占两成。换几个 seed 看：噪声为 $0.5$ 时，带偏置的模型每次都赢；噪声为 $2$ 时，它只赢了一半，差距的标准差也大了好几倍，中位数接近 $0$。也就是说，在这么大的噪声下，8 个样本的验证集已经分不出这两个模型的高下，挑选结果近乎掷硬币。要做出可靠的选择，需要更大的验证集，或者用交叉验证把多次划分的结果平均起来。
