# %% [markdown]
# # 线性模型：练习解答
#
# 每道题先复述题目，再给出思路、代码和结论。代码都调用 `lessons` 里的函数，能确定答案的地方用 `assert` 检查，并注明容差。


# %%
import numpy as np
import torch

from lessons.linear_model.exercises import (
    best_w,
    curvature,
    format_sweep,
    grid_error_bound,
    grid_numel,
    memory_gib,
    selection_sweep,
)
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
# 思路：$\hat y = xw$ 只能表示过原点的直线，而 $y = 2x + 1$ 在 $x = 0$ 处等于 $1$，不过原点，所以无论 $w$ 取多少都有误差。练习 2 的公式给出连续意义下的最优解 $w^* = \sum x_n y_n / \sum x_n^2 = 34/14 \approx 2.43$，网格上最近的点是 $2.4$。


# %%
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
# 结论：只用 $xw$ 时网格上最好的 $w$ 是 $2.4$，$J \approx 0.147$；即使取精确的 $w^* = 17/7$，$J$ 也只能降到 $1/7 \approx 0.143$，到不了 $0$。为了补偿缺失的截距，斜率被抬高到 $2$ 以上。加上偏置后，网格在 $(w, b) = (2, 1)$ 处找到 $J = 0$，因为数据本身就在直线 $y = 2x + 1$ 上。模型能表示的函数里包含真实关系，误差才可能为零。


# %% [markdown]
# ## 练习 2
#
# 由 $J(w) = \frac1N\sum_n (x_n w - y_n)^2$ 推出 $w^* = \sum_n x_n y_n / \sum_n x_n^2$，并用它验证 `search_w` 的结果。
#
# 推导：对 $w$ 求导，
#
# $$J'(w) = \frac2N\sum_n x_n (x_n w - y_n) = \frac2N\Big(w\sum_n x_n^2 - \sum_n x_n y_n\Big).$$
#
# 令 $J'(w) = 0$ 得 $w^* = \sum_n x_n y_n / \sum_n x_n^2$（要求 $\sum_n x_n^2 > 0$）。又 $J''(w) = \frac2N\sum_n x_n^2 > 0$，所以这是唯一的最小值点。对课上的数据，$w^* = (2 + 8 + 18)/(1 + 4 + 9) = 28/14 = 2$。下面用三种办法核对：公式、`search_w` 的网格结果，以及 float64 下 autograd 和有限差分算出的 $J'(w^*)$。


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
# 结论：公式给出 $w^* = 2$，与 `search_w` 的网格最小值一致；在 $w^*$ 处 autograd 与有限差分给出的导数都是 $0$（误差在 $10^{-8}$ 以内）。对另外两组 $y$，公式给出的点同样让导数为零。


# %% [markdown]
# ## 练习 3
#
# 把 `search_w` 的步长改成 $0.3$。找到的 $w^*$ 还是 $2$ 吗？网格步长怎样限制最优解的精度？
#
# 思路：`np.arange(0.0, 4.1, 0.3)` 的节点是 $0, 0.3, \dots, 3.9$，其中没有 $2$，离它最近的是 $2.1$ 和 $1.8$。由练习 2，$J(w) = J(w^*) + a\,(w - w^*)^2$，其中 $a = \frac1N\sum_n x_n^2 = 14/3$。所以网格最优点就是离 $w^*$ 最近的节点，距离不超过步长的一半 $h/2$，多出的代价不超过 $a\,(h/2)^2$。


# %%
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
# 结论：步长为 $0.3$ 时找到的是 $w^* = 2.1$，不再是 $2$，$J(2.1) = 0.0467$。一般地，若真正的最优解落在网格范围内，网格解与它的距离不超过 $h/2$，代价的误差不超过 $a\,(h/2)^2$。把精度提高 10 倍，一维要多算 10 倍的点，$d$ 维要多算 $10^d$ 倍，这正是穷举法的瓶颈。


# %% [markdown]
# ## 练习 4
#
# 用 `mse_grid_torch` 在 $w$、$b$ 上各取 401 个点，`y_hat` 有多少个元素？再加一个参数、同样取 401 个点，内存大约要多少？
#
# 思路：`y_hat` 的形状是 $(W, B, N)$，元素个数为 $401 \times 401 \times 3$。多一个参数就多一个长度为 401 的维度。下面先用广播规则算出形状（不必真的分配内存），再乘以 8 字节。


# %%
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
# 结论：两个参数时 `y_hat` 有 $482\,403$ 个元素，约 $3.86$ MB；三个参数时有 $193\,443\,603$ 个元素，约 $1.55$ GB（$1.44$ GiB），每加一个参数就乘以 401。计算 `(y_hat - y) ** 2` 时还会再生成同样大小的临时张量，实际峰值更高。所以广播只适合很少的参数；参数一多，就只能靠梯度下降了。


# %% [markdown]
# ## 练习 5
#
# 用 `make_noisy_data(n=40, noise=2.0, seed=0)` 重新生成数据，再调用 `select_model`。两个模型在验证集上的差距如何变化？多试几个 `seed`，挑选结果稳定吗？
#
# 思路：缺少偏置带来的误差是固定的（约 $0.15$），与噪声大小无关；而验证集只有 8 个样本，它的代价本身的波动与 $\sigma^2$ 同阶。噪声从 $0.5$ 增大到 $2$ 时 $\sigma^2$ 放大 16 倍，差距就会被噪声淹没。下面对 10 个 seed（每个 seed 同时决定数据和划分）分别统计两种噪声下的差距 $J_{\text{dev}}(xw) - J_{\text{dev}}(xw + b)$。


# %%
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
assert rows_high[0]["gap"] > 0  # seed 0: xw+b still wins, by 0.415
assert wins_high < wins_low and spread_high > 2 * spread_low


# %% [markdown]
# 结论：`seed=0` 时带偏置的模型仍然胜出，差距约 $0.42$，但两者的验证代价都在 $2$ 左右，差距只占两成。换 seed 之后，噪声为 $0.5$ 时带偏置的模型每次都赢；噪声为 $2$ 时它只赢了一半，差距的标准差也大了好几倍，中位数接近 $0$。也就是说，高噪声下 8 个样本的验证集已经分辨不出这两个模型，挑选结果近乎掷硬币。要做出可靠的选择，需要更大的验证集，或者用交叉验证把多次划分的结果平均起来。
