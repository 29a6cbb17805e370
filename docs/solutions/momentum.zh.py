# %% [markdown]
# # 动量：练习解答
#
# 每道练习先复述题目，再给出推理、代码和答案。解题的代码完整列出（它们放在 `lessons/momentum/exercises.py` 里，测试也从那里导入），只有打印表格、画图的辅助函数直接导入。凡是答案确定的地方，都用 `assert` 按写明的容差检查。


# %%
import math
import random

import numpy as np
import torch
from torch import nn

from lessons.devices import resolve_device
from lessons.dynamic_net import DynamicNet, make_data, ratio_table
from lessons.momentum.exercises import F64, plot_lr_change, stability_table
from lessons.momentum.lesson import momentum_step, quadratic, quadratic_grad, steps_table
from lessons.momentum.theory import root_modulus
from lessons.seeds import generator, offset_seed, seeded

# %% [markdown]
# ## 练习 1
#
# 对 $a = 1$、$b = 25$ 算出最优的 $\eta^*$ 和 $\mu^*$，运行 `steps_table(lr=1/9, settings=((4/9, False), (0.0, False)))`，把按收敛因子 $2/3$ 预测的步数与表中的步数比较。
#
# 推理：$\kappa = 25$，$\sqrt\kappa = 5$，于是 $\eta^* = 4/(1+5)^2 = 1/9$，$\mu^* = (4/6)^2 = 4/9$，收敛因子 $r = 2/3$。若误差每步乘以 $r$，则 $f(x_t) \approx f(x_0)\,r^{2t}$，其中 $f(x_0) = \tfrac12(16 + 25) = 20.5$，由 $f(x_t) = 10^{-6}$ 解出 $t = \ln(f(x_0)/10^{-6}) / (-2\ln r)$。注意：$\eta = 1/9$ 时不加动量的梯度下降会发散，沿 $x_2$ 方向它的因子是 $|1 - \eta b| = 16/9 > 1$，表的第二行就是它。


# %%
--8<-- "lessons/momentum/exercises.py:optimal_heavy_ball"
--8<-- "lessons/momentum/exercises.py:double_root_steps"
--8<-- "lessons/momentum/exercises.py:rate_only_steps"


# %%
lr, mu, rate = optimal_heavy_ball(a=1.0, b=25.0)
print(f"lr* = {lr:.6f}, mu* = {mu:.6f}, rate = {rate:.6f}")
assert abs(lr - 1 / 9) < 1e-15 and abs(mu - 4 / 9) < 1e-15 and abs(rate - 2 / 3) < 1e-15

print(steps_table(lr=1 / 9, settings=((4 / 9, False), (0.0, False))))
predicted = rate_only_steps(a=1.0, b=25.0, start=(-4.0, 1.0), tol=1e-6)
exact = double_root_steps(a=1.0, b=25.0, start=(-4.0, 1.0), tol=1e-6)
print(f"rate only: t = {predicted:.2f}; closed form with the double root: t = {exact}")
assert 20 < predicted < 21 and exact == 30  # the table's 30, exactly


# %% [markdown]
# 只看收敛因子，预测约 21 步，表中却是 30 步，多了约 9 步。原因在于最优参数恰好让两个根重合：沿 $\lambda = a$ 方向的特征多项式 $z^2 - \tfrac43 z + \tfrac49 = (z - \tfrac23)^2$，沿 $\lambda = b$ 方向为 $(z + \tfrac23)^2$。重根使迭代的形式变为 $x_t = (x_0 + Bt)\,z^t$，多出来的线性因子 $t$ 拖慢了前几十步；用 PyTorch 的第一步 $x_1 = (1-\eta\lambda)x_0$ 定出 $B$ 后，闭式解给出的正好是表中的 30 步。表的第二行则印证了上面的提醒：$\eta = 1/9$ 时不加动量的梯度下降发散。
#
# 答案：收敛因子预测约 21 步，实测 30 步；差距来自重根带来的因子 $t$，把它算进去后，预测与实测完全一致。


# %% [markdown]
# ## 练习 2
#
# 运行 `steps_table(lr=0.07)`：$\mu = 0.9$ 的 Nesterov 发散，重球法不发散。用特征多项式证明重球法在 $\eta\lambda < 2(1+\mu)$ 时稳定，Nesterov 只在 $\eta\lambda < 2(1+\mu)/(1+2\mu)$ 时稳定。
#
# 推导：沿曲率为 $\lambda$ 的方向 $g_t = \lambda x_t$，记 $h = \eta\lambda$。
#
# 重球法：$x_{t+1} = (1+\mu-h)\,x_t - \mu\,x_{t-1}$，特征多项式 $p(z) = z^2 - (1+\mu-h)z + \mu$。
#
# Nesterov（PyTorch 的写法）：$v_{t+1} = \mu v_t + g_t$，$x_{t+1} = x_t - \eta(g_t + \mu v_{t+1})$。由第二式得 $\eta\mu v_{t+1} = (1-h)x_t - x_{t+1}$，同理 $\eta\mu v_t = (1-h)x_{t-1} - x_t$，代入第一式消去 $v$：
#
# $$x_{t+1} = (1+\mu)(1-h)\,x_t - \mu(1-h)\,x_{t-1},$$
#
# 特征多项式 $q(z) = z^2 - (1+\mu)(1-h)z + \mu(1-h)$。
#
# 实系数二次式 $z^2 + c_1 z + c_0$ 的两根都在单位圆内，当且仅当 $|c_0| < 1$、$1 + c_1 + c_0 > 0$、$1 - c_1 + c_0 > 0$（Jury 判据）。对 $p$：$1 + c_1 + c_0 = h > 0$，$1 - c_1 + c_0 = 2(1+\mu) - h$，$|c_0| = \mu < 1$，所以条件是 $h < 2(1+\mu)$。对 $q$：$1 + c_1 + c_0 = h > 0$，$1 - c_1 + c_0 = 1 + (1+2\mu)(1-h)$，它大于 0 当且仅当 $h < 1 + 1/(1+2\mu) = 2(1+\mu)/(1+2\mu)$；在这个范围内 $|c_0| = \mu|1-h| < 1$ 自动成立。证毕。
#
# $\mu = 0.9$ 时，重球法的上界是 $3.8$，Nesterov 的只有 $3.8/2.8 \approx 1.36$。$\eta = 0.07$ 时最陡方向 $h = 0.07 \cdot 25 = 1.75$，正好落在两者之间。


# %%
--8<-- "lessons/momentum/exercises.py:nesterov_modulus"
--8<-- "lessons/momentum/exercises.py:recursion_residual"
--8<-- "lessons/momentum/exercises.py:bound_mismatches"


# %%
print(steps_table(lr=0.07))
heavy, nesterov = root_modulus(0.07, 0.9, 25.0), nesterov_modulus(0.07, 0.9, 25.0)
print(f"max|z| along lambda = 25: heavy ball {heavy:.4f}, Nesterov {nesterov:.4f}")
assert heavy < 1 < nesterov

# the recursions are those of momentum_step (relative gap, float64)
for nest in (False, True):
    gap = recursion_residual(0.07, 0.9, 25.0, nesterov=nest, steps=60)
    print(f"Nesterov={nest}: largest relative gap to the recursion = {gap:.1e}")
    assert gap < 1e-12

# the bounds agree with the roots on a grid of 5 mu x 400 values of eta*lambda
wrong = bound_mismatches(mus=(0.0, 0.3, 0.6, 0.9, 0.99), points=400)
print(f"grid points where the bound and max|z| < 1 disagree: {wrong}")
assert wrong == 0


# %% [markdown]
# 答案：两种方法的稳定条件如上；数值上，沿 $\lambda = 25$ 方向重球法的最大根模小于 1，Nesterov 的大于 1，所以只有 Nesterov 发散。`momentum_step` 的迭代与推出的递推式只差舍入误差，两条界限在全部 2000 个网格点上都与根的模给出的结论一致。


# %% [markdown]
# ## 练习 3
#
# 给 `momentum_step` 加上 `dampening` 参数，在 `float64` 下与 `torch.optim.SGD` 对照；`dampening = μ` 时有效步长如何变化？
#
# 推理：带阻尼的缓冲区为 $v_t = \mu v_{t-1} + (1-d)\,g_t$（第一步仍是 $v_1 = g_1$）。若梯度恒为 $g$，稳态满足 $v = \mu v + (1-d)g$，即 $v = \frac{1-d}{1-\mu}\,g$，每步位移为 $\eta\,\frac{1-d}{1-\mu}\,g$。$d = 0$ 时有效步长是 $\eta/(1-\mu)$，$\mu = 0.9$ 时为 $10\eta$；$d = \mu$ 时缓冲区是梯度的指数移动平均，有效步长就是 $\eta$。


# %%
--8<-- "lessons/momentum/exercises.py:dampened_step"
--8<-- "lessons/momentum/exercises.py:dampening_gap"
--8<-- "lessons/momentum/exercises.py:constant_gradient_step"


# %%
for d in (0.0, 0.5, 0.9):
    gap = dampening_gap(lr=0.01, mu=0.9, dampening=d, steps=30)
    print(f"dampening = {d}: max |p_ours - p_torch| = {gap:.1e}")
    assert gap < 1e-12

plain = constant_gradient_step(lr=0.01, mu=0.9, dampening=0.0, steps=300)
ema = constant_gradient_step(lr=0.01, mu=0.9, dampening=0.9, steps=300)
print(f"step under a constant gradient: dampening 0 -> {plain:.6f}, dampening 0.9 -> {ema:.6f}")
assert abs(plain - 0.1) < 1e-9 and abs(ema - 0.01) < 1e-9  # eta / (1 - mu) and eta


# %% [markdown]
# 答案：带阻尼的更新与 PyTorch 只差舍入误差。`dampening = μ` 让缓冲区变成梯度的指数移动平均，不再放大步长：有效步长从 $\eta/(1-\mu)$（这里是 $0.1$）降为 $\eta$（$0.01$）。要保持原来的速度，就得把学习率乘以 $1/(1-\mu)$。


# %% [markdown]
# ## 练习 4
#
# 用 `train_dynamic(mu=0.0, lr=1e-3)` 训练 `DynamicNet`：梯度恒定时，它的步长与 $\mu = 0.9$、$\eta = 10^{-4}$ 相同。比较两者的损失。除了更大的步长，动量还带来了什么？
#
# 推理：只有当梯度在远多于 $1/(1-\mu) = 10$ 步的时间里保持不变，两种设置的步子才一样大。常见的说法是：放大学习率会把每一步的梯度连同噪声一起放大 10 倍，而动量会把噪声平均掉。这解释不了两者的差别：本课“梯度有噪声时”一节已经说明，在许多步的尺度上，动量法累积的噪声与学习率为 $\eta/(1-\mu)$ 的 SGD 完全一样多，步长小时两者表现相同。这里的步长并不小，真正的区别在于稳定性。沿曲率为 $\lambda$ 的方向，普通 SGD 只在 $\eta\lambda < 2$ 时稳定，重球法则在 $\eta\lambda < 2(1+\mu) = 3.8$ 时稳定。有效步长同为 $\eta/(1-\mu) = 10^{-3}$ 时，动量法的 $\eta = 10^{-4}$ 能承受高达 $38\,000$ 的曲率，普通 SGD 的 $\eta = 10^{-3}$ 只能承受到 $2000$。
#
# 所以我们直接测量曲率。`sharpness` 用 Hessian-向量积（两次反向传播）做幂迭代，估计固定深度 $k$ 下损失的 Hessian 的最大特征值 $\lambda_{\max}$，即锐度。`train_with_sharpness` 与 `train_dynamic` 逐步相同，只是在第 0、50、100、150 步之前，取四个深度上最大的 $\lambda_{\max}$。共 5 个种子，各训练 150 步；第一张表比较最后 50 步的平均损失，第二张表给出开始时和整个过程中最大的 $\eta\lambda_{\max}$。


# %%
--8<-- "lessons/momentum/exercises.py:sharpness"
--8<-- "lessons/momentum/exercises.py:train_with_sharpness"


# %%
settings = ((0.0, 1e-3), (0.9, 1e-4))  # (mu, lr): same step along a constant gradient
runs = {s: {(m, lr): train_with_sharpness(m, lr, 150, s) for m, lr in settings} for s in range(5)}
losses = {s: (r[settings[0]][0], r[settings[1]][0]) for s, r in runs.items()}
print("mu=0: eta = 1e-3; mu>0: mu = 0.9, eta = 1e-4")
print(ratio_table(losses, last=50))
print(stability_table(runs))
sgd0 = losses[0][0]
print(f"seed 0, plain SGD: L_0 = {sgd0[0]:.1f}, L_20 = {sgd0[20]:.1f}")
assert min(sum(a[-50:]) / sum(b[-50:]) for a, b in losses.values()) > 1  # momentum ends lower
for r in runs.values():
    assert 1e-3 * max(r[settings[0]][1].values()) > 2  # plain SGD: past its limit 2
    assert 1e-4 * max(r[settings[1]][1].values()) < 2 * (1 + 0.9)  # momentum: inside 2(1 + mu)


# %% [markdown]
# 答案：每个种子上，动量（$\mu = 0.9$、$\eta = 10^{-4}$）最后 50 步的平均损失都低于学习率放大到十倍的普通 SGD。原因是稳定性，而不是对噪声的平均。学习率为 $10^{-3}$ 的普通 SGD 一开始 $\eta\lambda_{\max}$ 就在 1.42 到 1.55 之间，离上限 2 不远；随着训练进行，每个种子上的锐度都超过了 $2/\eta$，于是沿最陡的方向每一步都会冲过头，损失甚至会高于起点（种子 0：$L_{20} > L_0$）。动量法训练时锐度同样在上升，但 $\eta = 10^{-4}$ 时，每个种子都始终留在重球法更大的稳定区域 $\eta\lambda_{\max} < 2(1+\mu) = 3.8$ 之内。全批量训练中锐度一路上升、直到逼近所用方法的稳定上限，这是已知的现象，称为“稳定性边缘”（edge of stability；J. Cohen, S. Kaur, Y. Li, J. Z. Kolter, A. Talwalkar, Gradient Descent on Neural Networks Typically Occurs at the Edge of Stability, ICLR 2021）。除了更大的步长，动量带来的是：学习率相同时，稳定上限是原来的 $1+\mu$ 倍；有效步长相同时，则是 $(1+\mu)/(1-\mu) = 19$ 倍。


# %% [markdown]
# ## 练习 5
#
# 实现笔记中的写法 $\Delta p_t = \mu\Delta p_{t-1} - \eta_t g_t$，在二次函数上与 `momentum_step` 并排运行，第 50 步把 $\eta$ 减半，画出两者的 $f(x_t)$，并解释学习率改变之后的差别。
#
# 推理：PyTorch 的写法是 $v_t = \mu v_{t-1} + g_t$，$p_t = p_{t-1} - \eta_t v_t$。学习率不变时，$\Delta p_t = -\eta v_t$，两种写法完全相同。学习率改变后，PyTorch 把新的 $\eta_t$ 乘到整个缓冲区上，连同过去积累的速度一起减半；笔记的写法只让新梯度的贡献减半，已有的 $\Delta p_{t-1}$ 照旧保留，速度要经过约 $1/(1-\mu)$ 步才慢慢降下来。


# %%
--8<-- "lessons/momentum/exercises.py:lr_change_runs"


# %%
curves = lr_change_runs(lr=0.01, mu=0.9, steps=120, change_at=50)
f_v, f_delta = curves.values()
before = max(abs(a - b) for a, b in zip(f_v[:51], f_delta[:51], strict=True))
print(f"t <= 50: max |f_v - f_delta| = {before:.1e}")
for t in (51, 52, 55, 60, 80, 120):
    print(f"t = {t:3d}: f(x_t) PyTorch form {f_v[t]:.3e}, notes' form {f_delta[t]:.3e}")
assert before < 1e-12  # identical while eta is constant
assert abs(f_v[51] - f_delta[51]) > 1e-3  # and different right after the change
plot_lr_change(curves, change_at=50)


# %% [markdown]
# 答案：第 50 步之前两条曲线重合（只差舍入误差），之后立刻分开。PyTorch 的写法在改变学习率的那一步就把整步（连同动量部分）减半，笔记的写法却仍以原来的速度冲过谷底，要再过若干步才适应新的学习率。两者最终都收敛，但在学习率调度（如分段衰减、预热）下，同一组超参数在两种写法中表现不同：照搬笔记公式的代码与 `torch.optim.SGD` 并不等价。


# %% [markdown]
# ## 练习 6
#
# 固定 $\eta\lambda = h$，$0 < h < 4$。证明使 $\max|z|$ 最小的 $\mu$ 是 $\mu = (1-\sqrt h)^2$，收敛因子为 $|1-\sqrt h|$；在一组 $\mu$ 的网格上用 `root_modulus` 验证，并在 $h = 0.01$ 时与梯度下降的 $|1-h|$ 比较。
#
# 推导：记 $p(z) = z^2 - s z + \mu$，$s = 1 + \mu - h$。两根为复数时 $\max|z| = \sqrt\mu$，随 $\mu$ 增大而增大。两根为实数时，先看 $0 < h < 1$（此时 $s > 0$）和较大的根 $z_+$：在 $z_+ < 1$ 处 $\partial p/\partial\mu = 1 - z > 0$，且 $\partial p/\partial z > 0$，由隐函数求导得 $dz_+/d\mu = -(1 - z_+)/(2z_+ - s) < 0$，即加大动量会降低收敛因子，直到两根相遇。相遇时判别式 $s^2 - 4\mu$ 为零，即 $1 + \mu - h = 2\sqrt\mu$，也就是 $(1 - \sqrt\mu)^2 = h$，所以 $\mu = (1-\sqrt h)^2$，重根 $z = s/2 = \sqrt\mu = 1 - \sqrt h$。$1 < h < 4$ 时对负根做同样的论证，边界是 $\mu = (\sqrt h - 1)^2$，收敛因子为 $\sqrt h - 1$。两种情形合起来就是 $\mu = (1-\sqrt h)^2$，收敛因子 $|1-\sqrt h|$。


# %%
--8<-- "lessons/momentum/exercises.py:best_momentum"


# %%
for h in (0.01, 0.04, 0.25, 2.25):
    mu, rate = best_momentum(h, points=2000)
    edge, floor = (1 - math.sqrt(h)) ** 2, abs(1 - math.sqrt(h))
    print(f"h = {h}: best mu {mu:.4f}, (1 - sqrt h)^2 = {edge:.4f}; rate {rate:.4f}, "
          f"|1 - sqrt h| = {floor:.4f}, gradient descent |1 - h| = {abs(1 - h):.4f}")
    assert abs(mu - edge) <= 1 / 2000 and abs(rate - floor) <= 1 / 2000  # the grid's spacing


# %% [markdown]
# 答案：在间距为 $1/2000$ 的网格上，最好的 $\mu$ 及其收敛因子与 $(1-\sqrt h)^2$、$|1-\sqrt h|$ 的差别都不超过网格间距。$h = 0.01$ 相当于病态问题中最慢的方向，最好的动量给出收敛因子 $0.9$，梯度下降则是 $0.99$：每步误差对数分别下降约 $0.105$ 和 $0.010$，前者快了十倍，因为 $\sqrt h$ 取代了 $h$。这正是正文里的 $\sqrt\kappa$，只不过是逐个方向来看。
