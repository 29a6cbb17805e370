# %% [markdown]
# # 逻辑斯蒂回归：练习解答
#
# 每道题先复述题目，再讲思路，然后给出解题的代码和结论。解题代码取自 `lessons/logistic_regression/exercises.py`，完整列在调用它的代码格之前。答案确定的地方用 `assert` 检查，并注明容差；与训练过程有关的结论都在多个 seed 上检验。


# %%
from collections.abc import Sequence  # noqa: F401 (the annotations of the code shown below)

import torch

from lessons.logistic_regression.exercises import plot_losses
from lessons.logistic_regression.lesson import (
    accuracy,
    fit_by_hand,
    make_data,
    make_exam_data,
    make_model,
    train,
)
from lessons.printing import table

x_data, y_data = make_data(dtype=torch.float64)
model0 = make_model(seed=0)
w0, b0 = model0.linear.weight.item(), model0.linear.bias.item()


# %% [markdown]
# ## 练习 1
#
# 把课程中的模型训练 $10^4$ 和 $10^5$ 轮，打印 $w$ 和 $x^*$。为什么 $w$ 一直变大，$x^*$ 趋向哪里？再加入学生 $(2.5, 1)$ 会怎样？
#
# 思路：三名学生 $x = 1, 2$ 不及格、$x = 3$ 及格，数据线性可分。任取一组把它们分对的 $(w, b)$，放大成 $(cw, cb)$（$c > 1$）后，每个样本的 $|z_i|$ 都变大，BCE 都变小，所以损失没有最小值点，只有当 $\|(w, b)\| \to \infty$ 时才趋于 $0$，梯度下降会让 $w$ 无限增长（只是长得很慢，约为 $\log t$ 量级）。Soudry 等人（2018）证明了，这时 $(w, b)$ 的方向收敛到最大间隔（硬间隔 SVM）的方向；在一维里，最大间隔的分界点就是最后一个不及格者与第一个及格者的中点，这里是 $2.5$。用 PyTorch 训练 $10^5$ 轮太慢，`fit_fast` 改用 Python 浮点数（float64）做同样的更新，并在指定的轮次记下 $w$、$b$、$x^* = -b/w$ 和损失；`_softplus` 直接从 logit 算 BCE，`_sigmoid` 对很大的 $|z|$ 也不会溢出。下面先核对它在前 1000 轮与 `fit_by_hand` 一致。


# %%
--8<-- "lessons/logistic_regression/exercises.py:sigmoid"
--8<-- "lessons/logistic_regression/exercises.py:fit_fast"


# %%
from lessons.logistic_regression.exercises import fit_fast

w_hand, b_hand, _ = fit_by_hand(x_data, y_data, w0, b0, epochs=1000, lr=0.01)
course = fit_fast([1.0, 2.0, 3.0], [0, 0, 1], w0, b0, checkpoints=[1000, 10_000, 100_000])
assert abs(course[0]["w"] - w_hand) < 1e-10 and abs(course[0]["b"] - b_hand) < 1e-10
extra = fit_fast([1.0, 2.0, 2.5, 3.0], [0, 0, 1, 1], w0, b0, checkpoints=[1000, 10_000, 100_000])
for name, runs in (("x = 1, 2, 3", course), ("x = 1, 2, 2.5, 3", extra)):
    for r in runs:
        print(
            f"{name:17s} t = {r['epochs']:6d}: w = {r['w']:6.3f}, b = {r['b']:7.3f}, "
            f"x* = {r['x_star']:.4f}, L = {r['loss']:.4f}"
        )
for runs, margin_mid in ((course, 2.5), (extra, 2.25)):
    ws = [r["w"] for r in runs]
    gaps = [abs(r["x_star"] - margin_mid) for r in runs]
    assert ws[0] < ws[1] < ws[2] and gaps[0] > gaps[1] > gaps[2] and gaps[2] < 0.025


# %% [markdown]
# 结论：原来的三名学生训练 $10^3$、$10^4$、$10^5$ 轮后，$w$ 依次约为 $1.11$、$4.05$、$8.45$，训练轮数每乘以 10，$w$ 只增加一个大致固定的量（对数增长）；损失从 $1.10$ 降到 $0.029$，但永远不会等于 $0$。分界点 $x^*$ 从 $2.419$ 移到 $2.453$、$2.479$，慢慢逼近最大间隔的中点 $2.5$。加入学生 $(2.5, 1)$ 后数据仍然可分，情况一样，只是间隔变成 $2$ 与 $2.5$ 之间：$x^*$ 依次为 $1.95$、$2.21$、$2.24$，趋向新的中点 $2.25$，$w$ 也照样无限增长。在可分数据上，“训练到收敛”其实做不到；实践中常加 L2 正则（权重衰减）或提前停止，让 $w$ 保持有限。


# %% [markdown]
# ## 练习 2
#
# 把 BCE 换成均方误差 $(\hat y - y)^2$，推导 $\partial \ell / \partial z$，说明 $\hat y \approx 0$ 而 $y = 1$ 时它趋于零；两种损失都从 $w_0 = -5, b_0 = 0$ 出发训练，比较损失曲线。
#
# 推导：$\hat y = \sigma(z)$，$\sigma'(z) = \hat y(1 - \hat y)$，由链式法则
#
# $$\frac{\partial \ell_{\text{MSE}}}{\partial z} = 2(\hat y - y)\,\hat y\,(1 - \hat y), \qquad
# \frac{\partial \ell_{\text{BCE}}}{\partial z} = \hat y - y .$$
#
# $y = 1$、$\hat y \to 0$ 时，MSE 的导数约为 $-2\hat y \to 0$：预测错得越离谱，梯度反而越小。BCE 的导数是 $-1$，正好最大。从 $w_0 = -5$ 出发，$z_3 = -15$，$\hat y_3 = \sigma(-15) \approx 3\times10^{-7}$，MSE 给那名及格学生的梯度只有 $6\times10^{-7}$ 左右，训练几乎停滞。下面的 `mse_dz` 就是这个导数，`mse_sum` 可以直接作为 `train` 的 `criterion`，`set_parameters` 把模型放到起点 $(-5, 0)$：


# %%
--8<-- "lessons/logistic_regression/exercises.py:mse_vs_bce"


# %%
from lessons.logistic_regression.exercises import mse_dz, mse_sum, set_parameters

z = torch.tensor([-15.0, -5.0, 0.0, 2.0], dtype=torch.float64, requires_grad=True)
ones = torch.ones_like(z)
((torch.sigmoid(z) - ones) ** 2).sum().backward()
assert torch.allclose(z.grad, mse_dz(z.detach(), ones), rtol=1e-12, atol=0)
print("dl/dz, MSE:", [f"{v:.2e}" for v in mse_dz(z.detach(), ones).tolist()])
print("dl/dz, BCE:", [f"{v:.2e}" for v in (torch.sigmoid(z.detach()) - 1).tolist()])

curves = {}
for label, criterion in ((r"$\mathrm{BCE}$", None), (r"$\mathrm{MSE}$", mse_sum)):
    model = set_parameters(make_model(0), -5.0, 0.0)
    curves[label] = train(model, *make_data(), epochs=1000, lr=0.01, criterion=criterion)
    w, b = model.linear.weight.item(), model.linear.bias.item()
    print(
        f"{label}: L(1) = {curves[label][0]:.4f}, L(1000) = {curves[label][-1]:.4f}, "
        f"w = {w:.4f}, b = {b:.4f}"
    )
bce_run, mse_run = curves.values()
assert bce_run[-1] < bce_run[0] / 10 and abs(mse_run[-1] - mse_run[0]) < 1e-4
fig = plot_losses(curves)


# %% [markdown]
# 结论：在 float64 下，手推的 $\partial\ell/\partial z$ 与 autograd 一致（相对误差 $10^{-12}$）。$z = -15$ 时 MSE 的导数只有 $-6.1\times10^{-7}$，而 BCE 的是 $-1.00$。训练 1000 轮后，BCE 的损失从 $15.0$ 降到 $1.31$，$w$ 从 $-5$ 变成正数；MSE 的损失停在 $1.0000$ 附近几乎不变，$w$ 仍然约为 $-5.00$：模型卡在了“所有人都不及格”这个错误的解上。这就是分类任务用交叉熵而不用 MSE 的原因：BCE 的 $-\log$ 正好抵消了 sigmoid 饱和带来的 $\sigma'(z)$ 因子。


# %% [markdown]
# ## 练习 3
#
# 改写 `LogisticRegressionModel` 让它返回 logit $z$，用 `BCEWithLogitsLoss(reduction="sum")` 训练，检查 $w, b$ 与 `BCELoss` 的结果一致。
#
# 思路：`BCEWithLogitsLoss(z, y)` 在数学上等于 `BCELoss(σ(z), y)`，只是用 softplus 的形式计算，数值上更稳定。两者从同样的初值出发、梯度相同，训练轨迹也应当相同，差别只来自舍入。`make_logit_model(0)` 在同一个 seed 下创建 `nn.Linear(1, 1)`，所以初值与 `make_model(0)` 完全一样。用 float64 训练，差别会很小。`LogitModel` 就是去掉最后那个 sigmoid 的模型：


# %%
--8<-- "lessons/logistic_regression/exercises.py:logit_model"


# %%
from lessons.logistic_regression.exercises import make_logit_model

probability_model = make_model(0).double()
logit_model = make_logit_model(0).double()
assert torch.equal(logit_model.linear.weight, probability_model.linear.weight)
losses_p = train(probability_model, x_data, y_data, epochs=1000, lr=0.01, reduction="sum")
logits_loss = torch.nn.BCEWithLogitsLoss(reduction="sum")
losses_z = train(logit_model, x_data, y_data, epochs=1000, lr=0.01, criterion=logits_loss)
w_p, b_p = probability_model.linear.weight.item(), probability_model.linear.bias.item()
w_z, b_z = logit_model.linear.weight.item(), logit_model.linear.bias.item()
print(f"BCELoss:           w = {w_p:.10f}, b = {b_p:.10f}, L = {losses_p[-1]:.10f}")
print(f"BCEWithLogitsLoss: w = {w_z:.10f}, b = {b_z:.10f}, L = {losses_z[-1]:.10f}")
print(f"max |difference| = {max(abs(w_p - w_z), abs(b_p - b_z)):.1e}")
assert abs(w_p - w_z) < 1e-12 and abs(b_p - b_z) < 1e-12  # float64 rounding over 1000 steps


# %% [markdown]
# 结论：两次训练的 $w, b$ 在 float64 下相差不到 $10^{-12}$，损失曲线也重合：改成输出 logit、用 `BCEWithLogitsLoss` 不会改变学到的模型，只改变计算方式。预测概率时再对 logit 取 $\sigma$ 即可，分界点 $z = 0$ 也不变。要到 float32 和极端的 $z$ 下，`BCEWithLogitsLoss` 的好处才显现出来，见课程页面的数值稳定性一节。


# %% [markdown]
# ## 练习 4
#
# 在带噪声的数据集上用 `reduction="sum"` 和 $\eta = 0.1$ 训练，会发生什么？$\eta$ 取多少时 `"sum"` 与 `"mean"` 的训练一样？
#
# 思路：$N = 200$，求和的梯度是平均的 200 倍，所以 `"sum"` 配 $\eta = 0.1$ 相当于 `"mean"` 配 $\eta = 20$。在 $w = 0$ 附近，平均损失的 Hessian 约为 $\frac14\,\overline{[x, 1]^\top[x, 1]}$，最大特征值约为 $8.5$，步长 $20$ 远远超过稳定上限 $2/8.5 \approx 0.24$。反过来，`"sum"` 配 $\eta = 0.1/N = 5\times10^{-4}$ 时，每一步的更新量与 `"mean"` 配 $0.1$ 完全相同。这里直接用本讲的 `train`。


# %%
x_exam, y_exam = make_exam_data(n=200, seed=0)
model_sum = make_model(0)
losses_sum = train(model_sum, x_exam, y_exam, epochs=300, lr=0.1, reduction="sum")
tail = losses_sum[-100:]
print(
    f"sum, eta = 0.1: L/N over the last 100 epochs between {min(tail) / 200:.3f} and "
    f"{max(tail) / 200:.3f}, w = {model_sum.linear.weight.item():.2f}, "
    f"accuracy = {accuracy(model_sum, x_exam, y_exam):.3f}"
)

x64, y64 = x_exam.double(), y_exam.double()
model_mean, model_small = make_model(0).double(), make_model(0).double()
losses_mean = train(model_mean, x64, y64, epochs=300, lr=0.1, reduction="mean")
losses_small = train(model_small, x64, y64, epochs=300, lr=0.1 / 200, reduction="sum")
gap = max(abs(a / 200 - b) for a, b in zip(losses_small, losses_mean, strict=True))
print(
    f"mean, eta = 0.1: L(300) = {losses_mean[-1]:.4f}; sum, eta = 5e-4: L(300)/N = "
    f"{losses_small[-1] / 200:.4f}; max |difference| = {gap:.1e}"
)
assert max(tail) / 200 > 10 * losses_mean[-1] and min(tail) / 200 > 2 * losses_mean[-1]
assert gap < 1e-12


# %% [markdown]
# 结论：`"sum"` 配 $\eta = 0.1$ 时训练完全失控：每一步都跳得太远，损失在很大的范围里乱跳，最后 100 轮里 $L/N$ 的最大值是 `"mean"` 训练的十倍以上，连最小值也是它的两倍多，$w$ 被推到很大的值。BCE 的梯度有界（$|\hat y - y| \le 1$），所以它不会像线性回归那样发散到无穷，但也收敛不了。取 $\eta = 0.1/200 = 5\times10^{-4}$ 时，`"sum"` 的 $L/N$ 与 `"mean"` 的 $L$ 在 300 轮里逐轮相同（float64 下差别小于 $10^{-12}$）。`"mean"` 的好处是学习率不必随数据集大小调整。


# %% [markdown]
# ## 练习 5
#
# 训练前先标准化：$x' = (x - \bar x)/s$。现在要多少轮才能达到同样的损失？为什么中心化对梯度下降有帮助？
#
# 思路：$\sigma(w'x' + b')$ 与 $\sigma(wx + b)$ 表示的是同一族函数（$w = w'/s$，$b = b' - w'\bar x/s$），所以两者的损失可以直接比较。平均 BCE 的 Hessian 是 $\overline{\sigma'(z)\,[x, 1]^\top[x, 1]}$。$x \in [0, 10)$、$\bar x \approx 5$ 时，$x$ 与常数 $1$ 这两列高度相关，Hessian 矩阵很扁：沿“同时增大 $w$、减小 $b$”的方向非常平，梯度下降在这个方向上走得很慢。标准化后 $x'$ 的均值为 $0$，两列正交，尺度也相同，条件数大大减小。下面对 5 个 seed（同时决定数据和初值）做实验：目标损失是原始特征、$\eta = 0.1$ 训练 2000 轮后的损失，再数标准化后达到它需要的轮数；训练用 `fit_mean_gd`（手写梯度、float64，比 autograd 快）；`standardize` 做标准化，`hessian_condition` 算出 Hessian 矩阵的条件数：


# %%
--8<-- "lessons/logistic_regression/exercises.py:standardize"
--8<-- "lessons/logistic_regression/exercises.py:fit_mean_gd"


# %%
from lessons.logistic_regression.exercises import fit_mean_gd, hessian_condition, standardize

rows = []
for seed in range(5):
    x_raw, y_raw = make_exam_data(n=200, seed=seed)
    x_std = standardize(x_raw)
    start = make_model(seed)
    w_s, b_s = start.linear.weight.item(), start.linear.bias.item()
    target = fit_mean_gd(x_raw, y_raw, w_s, b_s, epochs=2000, lr=0.1)[-1]
    epochs_std = [
        len(fit_mean_gd(x_std, y_raw, w_s, b_s, 5000, lr, until=target)) for lr in (0.1, 1.0, 10.0)
    ]
    raw_fast = fit_mean_gd(x_raw, y_raw, w_s, b_s, epochs=300, lr=3.0)
    kappa_raw, kappa_std = hessian_condition(x_raw, 1.5, -7.5), hessian_condition(x_std, 3.0, 0.0)
    rows.append((seed, target, kappa_raw, kappa_std, 2000, *epochs_std, raw_fast[-1]))
    assert epochs_std[0] < 1000 and epochs_std[1] < 100 and epochs_std[2] <= 5
    assert kappa_raw > 100 * kappa_std and min(raw_fast[-10:]) > 1.5 * target
columns = [("seed", "d"), ("L_target", ".4f"), ("kappa(raw)", ".0f"), ("kappa(std)", ".2f")]
columns += [("epochs: raw 0.1", "d"), ("std 0.1", "d"), ("std 1", "d"), ("std 10", "d")]
print(table(rows, columns + [("raw 3: L(300)", ".3f")]))


# %% [markdown]
# 结论：在全部 5 个 seed 上，同样用 $\eta = 0.1$，标准化后只需 521 到 717 轮就达到原始特征 2000 轮的损失；更重要的是标准化后可以放心用大得多的学习率：$\eta = 1$ 时 52 到 71 轮，$\eta = 10$ 时只要 2 到 3 轮。原始特征用 $\eta = 3$ 则来回振荡，300 轮后损失仍在目标的 1.5 倍以上跳动。原因在于条件数：在真实参数 $(w, b) = (1.5, -7.5)$ 附近，原始特征的 Hessian 矩阵条件数约为 490 到 610，标准化后只有 3 左右。梯度下降的学习率受最陡方向限制，所需轮数则由最平的方向决定，大致与条件数成正比。中心化去掉了 $x$ 与偏置之间的相关，缩放让各方向的曲率相近，于是一个学习率能同时适合所有方向。注意 $\bar x$ 和 $s$ 只能在训练集上计算，下一课还会讲到这一点。
