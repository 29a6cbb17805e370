# %% [markdown]
# # 用 PyTorch 实现线性回归：练习解答
#
# 每道题先复述题目，再讲思路，然后给出解题的代码和结论。解题代码取自 `lessons/linear_regression/exercises.py`，完整列在调用它的代码格之前。答案确定的地方用 `assert` 检查，并注明容差；与训练过程有关的结论都在多个 seed 上检验。


# %%
from collections.abc import Sequence  # noqa: F401 (the annotations of the code shown below)

import numpy as np
import torch

from lessons.linear_regression.exercises import format_losses, plot_by_calls
from lessons.linear_regression.lesson import (
    OPTIMIZERS,
    make_data,
    make_model,
    plot_optimizers,
    train,
)

x64, y64 = make_data(dtype=torch.float64)
hessian = 2 * torch.tensor([[14.0, 6.0], [6.0, 3.0]], dtype=torch.float64)
lam_min, lam_max = torch.linalg.eigvalsh(hessian).tolist()
print(f"eigenvalues of H: {lam_min:.4f}, {lam_max:.4f}")


# %% [markdown]
# ## 练习 1
#
# 把 `train` 中的 `reduction="sum"` 改成 `"mean"`，仍用 $\eta = 0.01$，要多少轮才能让 $L < 10^{-6}$（按求和计）？取哪个学习率，`"mean"` 才能完全重现 `"sum"` 的训练过程？
#
# 思路：`"mean"` 的损失是 $L/N$，梯度也是 $\nabla L / N$，所以 $\eta\,\nabla(L/N) = (\eta/N)\,\nabla L$，相当于学习率变成了原来的 $1/N = 1/3$。收敛慢的方向由 $H$ 的最小特征值 $\lambda_{\min} \approx 0.72$ 决定：误差每轮乘以 $1 - \eta\lambda_{\min}$。步长只有原来的三分之一，达到同样精度所需的轮数就约为原来的 3 倍。反过来，取 $\eta = 0.03 = N \times 0.01$，每一步的更新量就与 `"sum"`、$\eta = 0.01$ 完全相同。为了看清“完全相同”，这里用 float64。
#
# `train_reduction` 是本讲 `train` 的一个变体：可以选 `reduction`，记下每一轮（按求和计的）损失和 $(w, b)$，损失低于 `until` 就停下；`first_below` 找出损失第一次低于某个水平的轮次：


# %%
--8<-- "lessons/linear_regression/exercises.py:train_reduction"
--8<-- "lessons/linear_regression/exercises.py:first_below"


# %%
from lessons.linear_regression.exercises import first_below, train_reduction

run_sum = train_reduction(make_model(0).double(), x64, y64, 5000, 0.01, "sum", until=1e-6)
run_mean = train_reduction(make_model(0).double(), x64, y64, 5000, 0.01, "mean", until=1e-6)
t_sum, t_mean = first_below(run_sum["loss_sum"], 1e-6), first_below(run_mean["loss_sum"], 1e-6)
predicted = np.log(1 - 0.01 * lam_min) / np.log(1 - 0.01 * lam_min / 3)
print(
    f"epochs to L < 1e-6: sum {t_sum}, mean {t_mean}, ratio {t_mean / t_sum:.3f} "
    f"(predicted {predicted:.3f})"
)
run_mean3 = train_reduction(make_model(0).double(), x64, y64, 300, 0.03, "mean")
gap = np.abs(np.array(run_mean3["wb"]) - np.array(run_sum["wb"][:300])).max()
print(f"max |(w, b) difference|, mean at 0.03 vs sum at 0.01, 300 epochs: {gap:.1e}")
assert (t_sum, t_mean) == (922, 2768)
assert abs(t_mean / t_sum - predicted) < 0.01 and gap < 1e-14  # float64 rounding


# %% [markdown]
# 结论：`"sum"` 用 922 轮达到 $L < 10^{-6}$；`"mean"` 在同样的 $\eta = 0.01$ 下要 2768 轮，约为前者的 3 倍，与由 $\lambda_{\min}$ 算出的比值一致。把 `"mean"` 的学习率设为 $\eta = 0.03$，即乘以 $N$，两次训练的 $(w, b)$ 在 300 轮里逐轮相同（差别只是 $10^{-16}$ 量级的舍入误差）。所以 `reduction` 和学习率是绑在一起的：换了 reduction，学习率就要按 $N$ 相应调整。


# %% [markdown]
# ## 练习 2
#
# 用上面 $H$ 的特征值预测最大的稳定学习率，再用 $\eta = 0.05$、$0.06$、$0.07$ 训练，看看损失曲线。
#
# 思路：$L$ 是二次函数，梯度下降在 $H$ 的每个特征方向上把误差乘以 $1 - \eta\lambda$。要让所有方向都收敛，需要 $|1 - \eta\lambda_{\max}| < 1$，即 $\eta < 2/\lambda_{\max}$。$\lambda_{\max} = 17 + \sqrt{265} \approx 33.28$，所以 $\eta_{\max} \approx 0.0601$。$0.06$ 只比它小一点点，因子约为 $-0.997$；$0.07$ 的因子约为 $-1.33$。这里直接用本讲的 `train`：


# %%
eta_max = 2 / lam_max
print(f"eta_max = 2 / lambda_max = {eta_max:.5f}")
curves = {}
for eta in (0.05, 0.06, 0.07):
    model = make_model(0).double()
    curves[rf"$\eta={eta:g}$"] = losses = train(model, x64, y64, epochs=300, lr=eta)
    print(
        f"eta = {eta}: factor {1 - eta * lam_max:+.4f}, "
        f"L(1) = {losses[0]:.3g}, L(100) = {losses[99]:.3g}, L(300) = {losses[-1]:.3g}"
    )
assert abs(eta_max - 0.0601) < 1e-4 and 0.06 < eta_max < 0.07
assert curves[r"$\eta=0.05$"][-1] < 1e-6 < curves[r"$\eta=0.06$"][-1] < curves[r"$\eta=0.06$"][0]
assert curves[r"$\eta=0.07$"][-1] > 1e70 * curves[r"$\eta=0.07$"][0]
fig = plot_optimizers(curves)


# %% [markdown]
# 结论：预测的上限是 $\eta_{\max} = 2/\lambda_{\max} \approx 0.0601$。$\eta = 0.05$ 收敛得很好；$\eta = 0.06$ 仍然收敛，但陡方向的因子接近 $-1$，那个方向上的误差每轮只缩小约 $0.3\%$，损失曲线下降得很慢；$\eta = 0.07$ 超过了上限，误差每轮放大到 $1.33$ 倍并来回变号，损失指数增长，300 轮后增大到原来的 $10^{70}$ 倍以上（这里用 float64，免得 float32 溢出成 `inf`）。实验与预测一致：稳定的边界落在 $0.06$ 和 $0.07$ 之间。


# %% [markdown]
# ## 练习 3
#
# 数一数 100 步 L-BFGS 中闭包被调用了多少次（给它加一个计数器），并以闭包的调用次数为横轴重画对比图。
#
# 思路：闭包每调用一次，就做一次前向传播和一次反向传播，这才是真正的计算量。其他优化器每步只调用一次闭包，L-BFGS 每步却最多做 20 次内部迭代，还可能做线搜索。`run_counted` 让闭包每次被调用时给计数器加一，并记下每一步之后的累计调用次数：


# %%
--8<-- "lessons/linear_regression/exercises.py:run_counted"


# %%
from lessons.linear_regression.exercises import run_counted

runs = {name: run_counted(name, epochs=100, lr=0.01, seed=0) for name in OPTIMIZERS}
for name, r in runs.items():
    print(f"{name:8s} closure calls {r['calls'][-1]:5d}, final L = {r['loss'][-1]:.3g}")
calls_to_target = {}
for name in ("LBFGS", "Rprop"):
    t = first_below(runs[name]["loss"], 1e-6)
    calls_to_target[name] = runs[name]["calls"][t - 1]
    print(f"{name} reaches L < 1e-6 at step {t}, after {calls_to_target[name]} closure calls")
sgd_long = run_counted("SGD", epochs=1000, lr=0.01, seed=0)
calls_to_target["SGD"] = first_below(sgd_long["loss"], 1e-6)
print(f"SGD reaches L < 1e-6 after {calls_to_target['SGD']} closure calls")
at_100 = max(t for t, c in enumerate(runs["LBFGS"]["calls"]) if c <= 100)
lbfgs_100, sgd_100 = runs["LBFGS"]["loss"][at_100], runs["SGD"]["loss"][-1]
print(f"after 100 calls: LBFGS L = {lbfgs_100:.3g}, SGD L = {sgd_100:.3g}")
assert runs["LBFGS"]["calls"][-1] == 1128
assert all(r["calls"][-1] == 100 for name, r in runs.items() if name != "LBFGS")
assert 0.9 < calls_to_target["LBFGS"] / calls_to_target["SGD"] < 1.1
assert calls_to_target["Rprop"] < calls_to_target["LBFGS"] / 10 and lbfgs_100 > 10 * sgd_100
fig = plot_by_calls(runs)


# %% [markdown]
# 结论：100 步 L-BFGS 一共调用了 1128 次闭包，平均每步 11 次以上，而其他七个优化器都是每步 1 次。以调用次数为横轴，L-BFGS 的曲线向右拉长了 10 倍以上，优势几乎荡然无存：它要调用 900 次才让 $L < 10^{-6}$，而学习率为 $0.01$ 的普通 SGD 也只要 922 次（练习 1），两者相差不到一成；只调用 100 次时，L-BFGS 的损失（约 $9.1$）反而比 SGD（约 $0.15$）大得多。Rprop 只要 69 次调用，它才是真正的赢家。比较优化器时，横轴应当是真正的计算量（损失和梯度的计算次数，或者运行时间），而不是步数。


# %% [markdown]
# ## 练习 4
#
# 分别为 Adam 和 Adagrad 调学习率（试 $0.1$、$0.3$、$1$），100 轮后它们离 L-BFGS 和 Rprop 有多近？
#
# 思路：Adam 每步在每个坐标上大约移动 $\eta$，要走完约为 2 的距离，$\eta = 0.01$ 需要几百步，调大 $\eta$ 会快得多；Adagrad 的步长按 $\eta/\sqrt t$ 衰减，更需要大的 $\eta$。为了让结论不依赖某一次初始化，对 5 个 seed（它决定初始的 $w_0, b_0$）各跑一遍，L-BFGS 和 Rprop 沿用页面上的 $\eta = 0.01$。`final_losses` 对每个优化器、每个学习率各训练 100 轮，返回最后的损失：


# %%
--8<-- "lessons/linear_regression/exercises.py:final_losses"


# %%
from lessons.linear_regression.exercises import final_losses

for seed in range(5):
    tuned = final_losses(("Adam", "Adagrad"), (0.01, 0.1, 0.3, 1.0), seed)
    reference = final_losses(("LBFGS", "Rprop"), (0.01,), seed)
    print(f"seed {seed}:", format_losses(tuned), "|", format_losses(reference))
    for values in tuned.values():
        best = min(values[1:])
        assert best < values[0] / 100  # tuning gains at least two orders of magnitude
        assert best > 100 * reference["LBFGS"][0] and best > reference["Rprop"][0]


# %% [markdown]
# 结论：每行依次是 $\eta = 0.01, 0.1, 0.3, 1$ 时 100 轮后的损失。在全部 5 个 seed 上，调过学习率的 Adam 和 Adagrad 都比 $\eta = 0.01$ 时好至少两个数量级：Adam 最好时落在 $1.1\times10^{-4}$ 到 $1.2\times10^{-3}$ 之间；Adagrad 在 $\eta = 1$ 时最好，落在 $7.5\times10^{-4}$ 到 $0.1$ 之间。但它们仍比 L-BFGS（约 $2\times10^{-8}$）高出至少两个数量级，也都不如 Rprop。原因在于这个问题只有两个参数、没有噪声，又是二次函数：利用曲率的 L-BFGS，和只看梯度符号、步长每次乘以 $1.2$ 的 Rprop，都正好占了便宜；而 Adam 的步长上限约为 $\eta$，接近最优点时还会因为动量来回摆动。换到有噪声的大规模问题上，排名就不一样了。


# %% [markdown]
# ## 练习 5
#
# 加入一个不在直线上的数据点，如 $(4, 9)$，重新训练，把得到的 $w, b$ 与正规方程 $X^\top X \theta = X^\top y$ 的最小二乘解比较。
#
# 思路：$X = \begin{pmatrix}1&2&3&4\\1&1&1&1\end{pmatrix}^\top$，$X^\top X = \begin{pmatrix}30 & 10\\ 10 & 4\end{pmatrix}$，$X^\top y = (64, 21)^\top$，解得 $w = (4\cdot 64 - 10\cdot 21)/20 = 2.3$，$b = (30\cdot 21 - 10\cdot 64)/20 = -0.5$。梯度下降最小化的 $L = \|X\theta - y\|^2$ 正是这个最小二乘问题，所以应当收敛到同一个解。新的 Hessian 矩阵 $2X^\top X$ 的最大特征值约为 $66.8$，$\eta = 0.01$ 仍在稳定范围内（上限约为 $0.030$）。`normal_equations` 在 float64 下解这个 $2 \times 2$ 方程组：


# %%
--8<-- "lessons/linear_regression/exercises.py:normal_equations"


# %%
from lessons.linear_regression.exercises import normal_equations

x4 = torch.tensor([[1.0], [2.0], [3.0], [4.0]], dtype=torch.float64)
y4 = torch.tensor([[2.0], [4.0], [6.0], [9.0]], dtype=torch.float64)
w_ls, b_ls = normal_equations(x4, y4)
model = make_model(0).double()
losses = train(model, x4, y4, epochs=2000, lr=0.01)
w_gd, b_gd = model.linear.weight.item(), model.linear.bias.item()
print(f"normal equations: w = {w_ls:.6f}, b = {b_ls:.6f}")
print(f"gradient descent: w = {w_gd:.6f}, b = {b_gd:.6f}, L = {losses[-1]:.6f}")
lam_max4 = torch.linalg.eigvalsh(2 * torch.tensor([[30.0, 10.0], [10.0, 4.0]]))[-1].item()
print(f"lambda_max of 2 X^T X: {lam_max4:.1f}, so eta < {2 / lam_max4:.4f}")
assert abs(w_ls - 2.3) < 1e-12 and abs(b_ls + 0.5) < 1e-12
assert abs(w_gd - w_ls) < 1e-8 and abs(b_gd - b_ls) < 1e-8 and abs(losses[-1] - 0.3) < 1e-8


# %% [markdown]
# 结论：正规方程给出 $w = 2.3$，$b = -0.5$；梯度下降 2000 轮后得到同样的 $(w, b)$，差距小于 $10^{-8}$。这时损失停在 $L = 0.30$，而不是 $0$：残差是 $0.2, -0.1, -0.4, 0.3$，没有哪条直线能穿过全部四个点，$0.30$ 就是最小二乘意义下最小的误差平方和。偏离直线的那个点把斜率拉大、把截距拉低了。对线性回归，正规方程一步就能求出精确解；梯度下降的价值在于，它对没有闭式解的模型同样适用。
