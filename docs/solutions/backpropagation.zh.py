# %% [markdown]
# # 反向传播：练习解答
#
# 每道练习先复述题目，再依次给出推理、解题代码、调用和答案。代码放在 `lessons/backpropagation/exercises.py` 里，下面每个单元格都会先完整展示它，再调用它；凡是有确定答案的地方，都用 `assert` 按给定的容差检查。第一个单元格导入展示的代码要用到的名字。


# %%
import math
import warnings

import numpy as np
import torch

from lessons.backpropagation.lesson import X_DATA, Y_DATA, batch_gd, make_network_data, torch_sgd
from lessons.backpropagation.scalar import Value
from lessons.plotting import plot_curves
from lessons.printing import table
from lessons.seeds import generator, offset_seed

F64 = torch.float64


# %% [markdown]
# ## 练习 1
#
# 给模型加上偏置 $\hat y = xw + b$，画出计算图，在 $x = 2$、$y = 4$、$w = 1$、$b = 0$ 处手算 $\partial\ell/\partial w$ 和 $\partial\ell/\partial b$，再用 autograd 验证。
#
# 计算图：$w \to [\times x] \to xw \to [+\,b] \to \hat y \to [-\,y] \to r \to [(\cdot)^2] \to \ell$。前向：$xw = 2$，$\hat y = 2$，$r = \hat y - y = -2$，$\ell = 4$。反向：$\partial\ell/\partial r = 2r = -4$；加法节点把梯度原样交给两个输入，所以 $\partial\ell/\partial b = -4$；乘法节点要乘上另一个输入 $x$，所以 $\partial\ell/\partial w = -4 \cdot 2 = -8$。下面的代码两样都做：手写链式法则，再在 float64 下跑一遍 autograd。


# %%
--8<-- "lessons/backpropagation/exercises.py:bias_gradients"


# %%
from lessons.backpropagation.exercises import bias_gradients

grads = bias_gradients(x=2.0, y=4.0, w=1.0, b=0.0)
print(grads)
assert grads["hand"] == grads["autograd"] == (-8.0, -4.0)  # exact in float64


# %% [markdown]
# 答案：$\partial\ell/\partial w = -8$，$\partial\ell/\partial b = -4$，autograd 给出的值完全相同。


# %% [markdown]
# ## 练习 2
#
# 批量梯度下降每走一步，$w - 2$ 就乘上 $1 - 28\alpha/3$。学习率多大时会发散？分别用 $\alpha = 0.2$ 和 $\alpha = 0.22$ 运行 `batch_gd`，与预测比较。
#
# 推理：误差 $e_t = w_t - 2$ 满足 $e_{t+1} = c\,e_t$，其中 $c = 1 - 28\alpha/3$。$|c| > 1$ 时发散。$\alpha > 0$ 时不可能有 $c > 1$，所以发散条件是 $c < -1$，即 $\alpha > 6/28 = 3/14 \approx 0.2143$。$\alpha = 0.2$ 时 $c = -0.8667$，误差正负交替、逐步缩小；$\alpha = 0.22$ 时 $c = -1.0533$，误差正负交替、越来越大。为了实测 $c$，下面的循环直接对误差执行课上的更新，返回相邻两步误差之比。


# %%
--8<-- "lessons/backpropagation/exercises.py:error_factors"


# %%
from lessons.backpropagation.exercises import error_factors

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
# 答案：$\alpha > 3/14 \approx 0.214$ 时发散。实测的相邻误差之比与预测的 $c$ 一致到舍入误差：$\alpha = 0.2$ 时代价下降，$\alpha = 0.22$ 时代价上升。


# %% [markdown]
# ## 练习 3
#
# 给 NumPy 网络加上隐藏层偏置 $b_1$（$h = xW_1 + b_1$），证明 $\partial\ell/\partial b_1$ 是 $\partial\ell/\partial h$ 按列求和的结果，把它加进前向-反向函数，并用 autograd 检验。
#
# 推导：$h_{ij} = \sum_k x_{ik}(W_1)_{kj} + (b_1)_j$，所以 $\partial h_{ij}/\partial (b_1)_j = 1$，而且 $(b_1)_j$ 只出现在第 $j$ 列。由链式法则，$\partial\ell/\partial (b_1)_j = \sum_i \partial\ell/\partial h_{ij}$，即对 $N$ 个样本求和，得到一个长度为 $H$ 的向量，形状与 $b_1$ 相同，本该如此。写成代码只有一行 `grad_h.sum(axis=0)`；`bias_differences` 在 float64 下让同一个网络过一遍 autograd，再做比较。


# %%
--8<-- "lessons/backpropagation/exercises.py:hidden_bias"


# %%
from lessons.backpropagation.exercises import bias_differences

differences = bias_differences(seed=0)
for name, value in differences.items():
    print(f"max|hand - autograd| / max|hand| for {name}: {value:.1e}")
assert max(differences.values()) < 1e-12


# %% [markdown]
# 答案：$\partial\ell/\partial b_1 = \sum_i \partial\ell/\partial h_{i\cdot}$，即对样本求和。手写的四个量与 autograd 的相对差都在 $10^{-15}$ 左右，也就是 float64 的舍入误差。


# %% [markdown]
# ## 练习 4
#
# 写一个 `MySigmoid`：保存输出 $s = \sigma(x)$，在 `backward` 中利用 $\sigma'(x) = s(1-s)$。在 float64 下用 `gradcheck` 验证它，再换成 float32 试试，并解释结果。
#
# 推理：`gradcheck` 用中心差分 $\bigl(f(x+\varepsilon) - f(x-\varepsilon)\bigr)/2\varepsilon$（$\varepsilon = 10^{-6}$）来估计导数。分子的舍入误差大约是机器精度乘以 $|f|$。float32 的机器精度约为 $1.2\times10^{-7}$，除以 $2\varepsilon$ 之后，误差达到 $10^{-2}$ 量级，远超默认容差；float64 的机器精度约为 $2.2\times10^{-16}$，误差只有 $10^{-10}$ 左右。`check_sigmoid` 除了调用 `gradcheck`，还自己算出这个差分误差。


# %%
--8<-- "lessons/backpropagation/exercises.py:my_sigmoid"
--8<-- "lessons/backpropagation/exercises.py:check_sigmoid"


# %%
from lessons.backpropagation.exercises import check_sigmoid

for dtype in (torch.float64, torch.float32):
    passed, error = check_sigmoid(dtype, seed=0, n=10)
    print(f"{dtype}: gradcheck passed = {passed}, max |numeric - analytic| = {error:.1e}")
assert check_sigmoid(torch.float64)[0] and not check_sigmoid(torch.float32)[0]


# %% [markdown]
# 答案：float64 下 `gradcheck` 通过，差分误差约为 $10^{-11}$；float32 下不通过，误差约为 $10^{-2}$。出问题的不是 `MySigmoid`，而是差分估计本身：在 $\varepsilon = 10^{-6}$ 时，float32 的精度分辨不出 $f(x\pm\varepsilon)$ 之间的差（`gradcheck` 也会为此警告输入不是双精度）。所以梯度检查一律在 float64 下做。


# %% [markdown]
# ## 练习 5
#
# 把 `torch_sgd` 改成只在每个轮次结束时清零 `w.grad`。结果有界吗？把它的轨迹与图中的两条比较一下。
#
# 推理：记 $e = w - 2$，样本 $i$ 的梯度是 $2x_i^2 e$。一个轮次之内梯度不断累加：第 1 步用 $g_1$，第 2 步用 $g_1 + g_2$，第 3 步用 $g_1 + g_2 + g_3$，每个 $g_i$ 都在算出它时的 $w$ 处求值。$\alpha = 0.01$ 时：$e_1 = (1 - 0.02)e_0 = 0.98e_0$；$e_2 = e_1 - 0.01(2e_0 + 8e_1) = 0.8816e_0$；$e_3 = e_2 - 0.01(2e_0 + 8e_1 + 18e_2) = 0.624512\,e_0$。清零之后，下一个轮次从头开始，所以每个轮次都把误差乘上同一个因子 $0.624512$，它小于 1。改动只有一处：把 `w_t.grad.zero_()` 挪到内层循环之外。


# %%
--8<-- "lessons/backpropagation/exercises.py:sgd_epoch_zeroing"


# %%
from lessons.backpropagation.exercises import sgd_epoch_zeroing

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
# 答案：有界，而且收敛到 $w^* = 2$。每个轮次误差乘上 $0.624512$，比每步都清零的 SGD（每个轮次乘上 $0.739$）收敛得还快：这个问题只有三个样本，梯度方向一致，轮次内的累加就像三步动量，反而加快了收敛。只有从不清零的那条轨迹（相当于 $\mu = 1$ 的动量）会一直振荡。换成更大的学习率，或者每个轮次的样本多得多，轮次内累加的梯度就可能越积越大，最终发散。所以正确的写法仍然是每次更新后都清零。


# %% [markdown]
# ## 练习 6
#
# 用两种方式给 `Value` 加上 sigmoid：一种用它已有的运算拼出 $\sigma(x) = 1/(1 + e^{-x})$；另一种做成单个节点，`_backward` 里用 $\sigma'(x) = s(1-s)$，就像练习 4 的 `MySigmoid`。在 $x = 0.5$ 处用 float64 拿 `torch.sigmoid` 检验两者，并数一数各自的计算图有几个节点。
#
# 推理：拼出来的版本一行反向传播代码都不用写，因为它用到的每个运算都已经有自己的反向规则；链式法则依次经过 $-x$、$e^{-x}$、$1 + e^{-x}$ 和它的倒数，得到 $e^{-x}/(1+e^{-x})^2 = s(1-s)$。单节点版本则把这个结果直接写下来，就像 `_unary` 对 `tanh` 所做的那样。数一数节点：拼出来的图里有 $x$；常数 $-1$ 和乘积 $-x$；$e^{-x}$；常数 $1$ 和它们的和 $1 + e^{-x}$；它的 $(\cdot)^{-1}$ 次幂；常数 $1$ 和最后的乘积，一共九个值。单个节点的图只有 $x$ 和 $s$ 两个。


# %%
--8<-- "lessons/backpropagation/exercises.py:value_sigmoid"
--8<-- "lessons/backpropagation/exercises.py:sigmoid_values"


# %%
from lessons.backpropagation.exercises import sigmoid_values

rows = sigmoid_values(x=0.5)
print(table(rows))
s = 1 / (1 + math.exp(-0.5))
assert all(abs(r["s"] - s) < 1e-15 and r["|Δ| torch"] < 1e-12 for r in rows)  # float64
assert [r["nodes"] for r in rows] == [9, 2]


# %% [markdown]
# 答案：两种写法都得到 $s = \sigma(0.5) \approx 0.622$、$\sigma'(0.5) = s(1-s) \approx 0.235$，与 `torch.sigmoid` 的差在 $10^{-12}$ 以内（这里恰好为零）。拼出来的图有 $9$ 个节点，单节点只有 $2$ 个。为整个函数手写反向传播，能省内存也能省时间，所以框架会把 sigmoid 这类常用函数融合成一个运算；代价是要自己推导导数，而推导必须像这里一样检验。
