# %% [markdown]
# # 反向传播：练习解答
#
# 每道练习先复述题目，再给出推理、代码和答案。代码调用 `lessons` 中的函数；凡是有确定答案的地方，都用 `assert` 按给定的容差检查。


# %%
import torch

from lessons.backpropagation.exercises import (
    bias_differences,
    bias_gradients,
    check_sigmoid,
    error_factors,
    sgd_epoch_zeroing,
)
from lessons.backpropagation.lesson import batch_gd, torch_sgd
from lessons.plotting import plot_curves

# %% [markdown]
# ## 练习 1
#
# 给模型加上偏置 $\hat y = xw + b$，画出计算图，在 $x = 2$、$y = 4$、$w = 1$、$b = 0$ 处手算 $\partial\ell/\partial w$ 和 $\partial\ell/\partial b$，再用 autograd 验证。
#
# 计算图：$w \to [\times x] \to xw \to [+\,b] \to \hat y \to [-\,y] \to r \to [(\cdot)^2] \to \ell$。前向：$xw = 2$，$\hat y = 2$，$r = \hat y - y = -2$，$\ell = 4$。反向：$\partial\ell/\partial r = 2r = -4$；加法节点把梯度原样传给两个输入，所以 $\partial\ell/\partial b = -4$；乘法节点乘上另一个输入 $x$，所以 $\partial\ell/\partial w = -4 \cdot 2 = -8$。


# %%
grads = bias_gradients(x=2.0, y=4.0, w=1.0, b=0.0)
print(grads)
assert grads["hand"] == grads["autograd"] == (-8.0, -4.0)  # exact in float64


# %% [markdown]
# 答案：$\partial\ell/\partial w = -8$，$\partial\ell/\partial b = -4$，autograd 给出相同的值。


# %% [markdown]
# ## 练习 2
#
# 批量梯度下降每步把 $w - 2$ 乘以 $1 - 28\alpha/3$。学习率为多少时发散？用 $\alpha = 0.2$ 和 $\alpha = 0.22$ 运行 `batch_gd` 并与预测比较。
#
# 推理：误差 $e_t = w_t - 2$ 满足 $e_{t+1} = c\,e_t$，$c = 1 - 28\alpha/3$。$|c| > 1$ 时发散；$c > 1$ 不可能（$\alpha > 0$），所以条件是 $c < -1$，即 $\alpha > 6/28 = 3/14 \approx 0.2143$。$\alpha = 0.2$ 时 $c = -0.8667$，误差正负交替地收敛；$\alpha = 0.22$ 时 $c = -1.0533$，误差正负交替地增大。


# %%
print(f"threshold: alpha = 3/14 = {3 / 14:.4f}")
for alpha in (0.2, 0.22):
    w_final, costs = batch_gd(w=1.0, lr=alpha, epochs=20)
    factors = error_factors(alpha, epochs=20)
    predicted = 1 - 28 * alpha / 3
    print(
        f"alpha = {alpha}: c = {predicted:.4f}, measured {min(factors):.4f}..{max(factors):.4f}, ",
        end="",
    )
    print(f"J after 0 and 20 epochs: {costs[0]:.3g} -> {costs[-1]:.3g}")
    assert max(abs(f - predicted) for f in factors) < 1e-12
    assert (costs[-1] < costs[0]) == (alpha < 3 / 14)


# %% [markdown]
# 答案：$\alpha > 3/14 \approx 0.214$ 时发散。实测的每步误差比与预测的 $c$ 一致到舍入误差：$\alpha = 0.2$ 时代价下降，$\alpha = 0.22$ 时代价上升。


# %% [markdown]
# ## 练习 3
#
# 给 NumPy 网络加上隐藏层偏置 $b_1$（$h = xW_1 + b_1$），证明 $\partial\ell/\partial b_1$ 是 $\partial\ell/\partial h$ 的列和，加入前向反向函数并用 autograd 检查。
#
# 推导：$h_{ij} = \sum_k x_{ik}(W_1)_{kj} + (b_1)_j$，所以 $\partial h_{ij}/\partial (b_1)_j = 1$，且 $(b_1)_j$ 只出现在第 $j$ 列。由链式法则 $\partial\ell/\partial (b_1)_j = \sum_i \partial\ell/\partial h_{ij}$，即对 $N$ 个样本求和，得到长度为 $H$ 的向量。形状也对得上：梯度与 $b_1$ 同形。`forward_backward_bias` 在 `lessons/backpropagation/exercises.py` 中。


# %%
differences = bias_differences(seed=0)
for name, value in differences.items():
    print(f"max|hand - autograd| / max|hand| for {name}: {value:.1e}")
assert max(differences.values()) < 1e-12


# %% [markdown]
# 答案：$\partial\ell/\partial b_1 = \sum_i \partial\ell/\partial h_{i\cdot}$（对样本求和）。手写的四个量与 autograd 的相对差都在 $10^{-15}$ 量级，即 float64 的舍入误差。


# %% [markdown]
# ## 练习 4
#
# 写一个保存输出 $s = \sigma(x)$、在 `backward` 中用 $\sigma'(x) = s(1-s)$ 的 `MySigmoid`，在 float64 下用 `gradcheck` 验证；再试 float32 并解释。
#
# 推理：`gradcheck` 用中心差分 $\bigl(f(x+\varepsilon) - f(x-\varepsilon)\bigr)/2\varepsilon$（$\varepsilon = 10^{-6}$）估计导数。分子的舍入误差约为机器精度乘以 $|f|$：float32 的机器精度约 $1.2\times10^{-7}$，除以 $2\varepsilon$ 后误差达到 $10^{-2}$ 的量级，远大于默认容差；float64 的机器精度约 $2.2\times10^{-16}$，误差只有约 $10^{-10}$。`MySigmoid` 在 `lessons/backpropagation/exercises.py` 中。


# %%
for dtype in (torch.float64, torch.float32):
    passed, error = check_sigmoid(dtype, seed=0, n=10)
    print(f"{dtype}: gradcheck passed = {passed}, max |numeric - analytic| = {error:.1e}")
assert check_sigmoid(torch.float64)[0] and not check_sigmoid(torch.float32)[0]


# %% [markdown]
# 答案：float64 下 `gradcheck` 通过，差分误差约 $10^{-11}$；float32 下失败，误差约 $10^{-2}$。出错的不是 `MySigmoid`，而是差分估计本身：float32 的精度不足以在 $\varepsilon = 10^{-6}$ 下分辨 $f(x\pm\varepsilon)$ 的差（`gradcheck` 也会为此警告输入不是双精度）。所以梯度检查一律在 float64 下做。


# %% [markdown]
# ## 练习 5
#
# 让 `torch_sgd` 只在每个 epoch 结束时清零 `w.grad`。结果有界吗？把轨迹与图中的两条比较。
#
# 推理：记 $e = w - 2$，样本 $i$ 的梯度为 $2x_i^2 e$。一个 epoch 内梯度不断累加：第 1 步用 $g_1$，第 2 步用 $g_1 + g_2$，第 3 步用 $g_1 + g_2 + g_3$，其中每个 $g_i$ 在它被计算时的 $w$ 处求值。$\alpha = 0.01$ 时：$e_1 = (1 - 0.02)e_0 = 0.98e_0$；$e_2 = e_1 - 0.01(2e_0 + 8e_1) = 0.8816e_0$；$e_3 = e_2 - 0.01(2e_0 + 8e_1 + 18e_2) = 0.624512\,e_0$。清零之后下一个 epoch 从头开始，所以每个 epoch 把误差乘以同一个因子 $0.624512$，小于 1。


# %%
w_epoch = sgd_epoch_zeroing(w=1.0, lr=0.01, epochs=100)
w_zeroed, w_forgot = torch_sgd(zero_grad=True), torch_sgd(zero_grad=False)
factors = [(w_epoch[3 * k + 2] - 2) / (w_epoch[3 * k - 1] - 2) for k in range(1, 6)]
print("error factor per epoch:", [round(f, 9) for f in factors])
print(f"SGD zeroed after every step: factor per epoch {(w_zeroed[5] - 2) / (w_zeroed[2] - 2):.4f}")
print(f"|w - 2| after 100 epochs: epoch zeroing {abs(w_epoch[-1] - 2):.1e}, ", end="")
print(f"zeroed every step {abs(w_zeroed[-1] - 2):.1e}, never zeroed {abs(w_forgot[-1] - 2):.2f}")
assert max(abs(f - 0.624512) for f in factors) < 1e-9
assert max(abs(w - 2) for w in w_epoch) <= 1.0  # bounded by |w_0 - 2|
plot_curves(
    {
        r"$g \leftarrow \nabla \ell_k$": w_zeroed,
        r"$g \leftarrow g + \nabla \ell_k$": w_forgot,
        r"$g \leftarrow \sum_{j=1}^{k} \nabla \ell_j$": w_epoch,
    },
    "$w_k$",
    "$k$",
    log=False,
    hline=(2.0, "$w^*=2$"),
)


# %% [markdown]
# 答案：有界，而且收敛到 $w^* = 2$。每个 epoch 误差乘以 $0.624512$，比每步清零的 SGD（每个 epoch 乘以 $0.739$）还快：在一个只有三个样本、梯度方向一致的问题上，epoch 内的累加相当于一个三步的动量，加速了收敛。只有从不清零时（相当于 $\mu = 1$ 的动量）轨迹才会一直振荡。换成学习率更大或样本更多的情形，epoch 内累加的梯度可能越积越大而发散，所以正确的做法仍是每次更新后清零。
