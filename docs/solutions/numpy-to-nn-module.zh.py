# %% [markdown]
# # 从 NumPy 到 nn.Module：练习解答
#
# 每道题先复述题目，再讲思路，然后给出解题的代码和结论。解题代码取自 `lessons/numpy_to_nn_module/exercises.py`，完整列在调用它的代码格之前。答案确定的地方用 `assert` 检查，并注明容差；与训练过程有关的结论都在多个 seed 上检验。


# %%
import math

import torch

from lessons.dynamic_net import make_data
from lessons.numpy_to_nn_module.lesson import train_raw
from lessons.printing import loss_table
from lessons.seeds import generator

# %% [markdown]
# ## 练习 1
#
# 从 `train_raw` 的副本中删掉 `w1.grad.zero_()` 和 `w2.grad.zero_()`，损失会怎样？为什么？
#
# 思路：`backward()` 把新算出的梯度加到 `.grad` 上，而不是覆盖它。不清零时，第 $t$ 步的 `.grad` 是 $\sum_{s \le t} \nabla L(\theta_s)$，更新变成 $\theta_{t+1} = \theta_t - \eta\sum_{s\le t}\nabla L(\theta_s)$。这相当于动量系数 $\mu = 1$ 的重球法：“速度”从不衰减，早已过时的梯度还在推着参数走，于是参数冲过谷底后继续向前，来回振荡，振幅越来越大。前两步的损失应当不受影响，因为第 1 步的梯度本来就只有一份，第 2 步的损失在第 1 次更新之后计算，而第 1 次更新与原来相同。`train_raw_variant` 就是本讲第 1 级的 `train_raw`，只多了两个开关：`zero_grad=False` 跳过清零，`scaled_init=True` 用于练习 2：


# %%
--8<-- "lessons/numpy_to_nn_module/exercises.py:train_raw_variant"


# %%
from lessons.numpy_to_nn_module.exercises import train_raw_variant

zeroed = train_raw(steps=500, lr=1e-6, seed=0)
kept = train_raw_variant(steps=500, lr=1e-6, seed=0, zero_grad=False)
print(loss_table({"zero_()": zeroed}))
print("without zero_(): L_t for t = 1..12:", [f"{v:.2g}" for v in kept[:12]])
print(f"without zero_(): the run stops at step {len(kept)} with L = {kept[-1]}")
assert kept[:2] == zeroed[:2] and not math.isfinite(kept[-1]) and len(kept) < 500


# %% [markdown]
# 结论：前两步的损失与原来完全相同，之后就不一样了：损失上下跳动（第 3 步 $1.0\times10^7$，第 4 步又升到 $1.2\times10^7$），整体越来越大，到第 119 步变成 `inf`，训练发散；而正常清零的训练在 500 步内平稳下降。原因正如上面所说：一直累加的梯度相当于从不衰减的动量。不过“累加”这一行为本身并没有错：[梯度累加](../../gradient-accumulation/)一课正是利用它，在几次 `backward()` 之间故意不清零，把几个小批量的梯度加起来，再做一次更新。


# %% [markdown]
# ## 练习 2
#
# 第 1 级的初始损失约为 $3\times10^7$。改用标准差 $1/\sqrt{1000}$ 初始化 $W_1$、$1/\sqrt{100}$ 初始化 $W_2$，初始损失是多少？学习率最大能取多少而不发散？
#
# 思路：$x$ 的每个元素是标准正态分布。$W_1$ 的元素标准差为 $1$ 时，$xW_1$ 的每个元素是 1000 项之和，方差为 $1000$；再乘上 $W_2$ 又放大约 $100/2$ 倍，预测值的方差约为 $5\times10^4$，$L$ 是 $64 \times 10 = 640$ 个平方误差之和，约 $3\times10^7$。按 $1/\sqrt{\text{fan-in}}$ 缩放后，$xW_1$ 的方差为 $1$，$\hat y$ 的方差约为 $1/2$，$y$ 的方差为 $1$，所以 $L \approx 640 \times 1.5 \approx 10^3$。这就是 LeCun 初始化的思路。学习率的上限先用曲率估计：只看 $W_2$ 这一块，$L$ 的 Hessian 是 $2h^\top h$（$h = \mathrm{ReLU}(xW_1)$），稳定要求 $\eta < 2/\lambda_{\max}(2h^\top h)$。再用 5 个 seed、几个学习率各训练 300 步实测一下（`train_raw_variant(scaled_init=True)`，代码见练习 1）。


# %%
rates = (1.2e-3, 1.5e-3, 1.8e-3)
for seed in range(5):
    x, _ = make_data(seed=seed, device="cpu")  # w1 is drawn on the CPU too
    w1 = torch.randn(1000, 100, generator=generator(seed + 1)) / math.sqrt(1000)
    h = x.mm(w1).clamp(min=0).double()
    eta_est = 2 / torch.linalg.eigvalsh(2 * h.T @ h)[-1].item()
    runs = {lr: train_raw_variant(steps=300, lr=lr, seed=seed, scaled_init=True) for lr in rates}
    cells = ", ".join(f"{lr:.1e}: {r[-1]:.1e} (t={len(r)})" for lr, r in runs.items())
    print(
        f"seed {seed}: L_1 = {runs[1.2e-3][0]:.0f}, 2/lambda_max = {eta_est:.1e}; L at the end: {cells}"
    )
    assert 500 < runs[1.2e-3][0] < 2000 and eta_est < 1e-3
    assert runs[1.2e-3][-1] < 1e-4 and not math.isfinite(runs[1.8e-3][-1])


# %% [markdown]
# 结论：按 $1/\sqrt{\text{fan-in}}$ 初始化后，5 个 seed 的初始损失在 $850$ 到 $1030$ 之间（`seed=0` 时为 $853$），只有原来 $2.9\times10^7$ 的约 $1/(3\times10^4)$，与上面的估计一致。学习率也可以大得多：原来用 $10^{-6}$，现在 $\eta = 1.2\times10^{-3}$ 在 300 步内把损失降到 $10^{-4}$ 以下，$1.5\times10^{-3}$ 已经降不下去（300 步后损失还在 $0.1$ 到 $40$ 之间），$1.8\times10^{-3}$ 在 10 步内发散成 `inf`。所以上限大约在 $1.5\times10^{-3}$ 附近，比原来高了三个数量级。由初始点的曲率算出的 $2/\lambda_{\max} \approx 9.5\times10^{-4}$ 略偏保守：二次近似只在初始点附近成立，而训练时第一层也在变，网络能离开曲率大的区域。


# %% [markdown]
# ## 练习 3
#
# 写出 `MyLeakyReLU(torch.autograd.Function)`，$y = \max(x, \alpha x)$，$\alpha = 0.01$，用 `torch.autograd.gradcheck` 检查反向传播，并与 `torch.nn.functional.leaky_relu` 比较。
#
# 思路：对 $0 < \alpha < 1$，$\max(x, \alpha x)$ 在 $x > 0$ 时是 $x$，在 $x \le 0$ 时是 $\alpha x$，导数分别是 $1$ 和 $\alpha$。反向传播把上游梯度乘以这个导数。$x = 0$ 处不可导，这里与 PyTorch 一样取 $\alpha$。`gradcheck` 用 float64 的有限差分核对解析梯度，输入中不应有恰好为 $0$ 的点（那里有限差分没有意义），随机输入几乎不会碰上。


# %%
--8<-- "lessons/numpy_to_nn_module/exercises.py:leaky_relu"


# %%
from lessons.numpy_to_nn_module.exercises import MyLeakyReLU

x = torch.randn(6, 4, dtype=torch.float64, generator=generator(0)).requires_grad_()
print("gradcheck:", torch.autograd.gradcheck(MyLeakyReLU.apply, (x,)))
assert torch.autograd.gradcheck(MyLeakyReLU.apply, (x,), eps=1e-6, atol=1e-5)

x_ours = torch.cat([x.detach().flatten(), torch.zeros(1, dtype=torch.float64)]).requires_grad_()
x_torch = x_ours.detach().clone().requires_grad_()
upstream = torch.randn(x_ours.shape, dtype=torch.float64, generator=generator(1))
y_ours = MyLeakyReLU.apply(x_ours)
y_torch = torch.nn.functional.leaky_relu(x_torch, negative_slope=0.01)
(y_ours * upstream).sum().backward()
(y_torch * upstream).sum().backward()
print(
    "same forward:",
    torch.equal(y_ours, y_torch),
    " same backward:",
    torch.equal(x_ours.grad, x_torch.grad),
)
assert torch.equal(y_ours, y_torch) and torch.equal(x_ours.grad, x_torch.grad)


# %% [markdown]
# 结论：`gradcheck` 通过（默认容差 $10^{-5}$）。在 25 个输入上（包括 $x = 0$），`MyLeakyReLU` 的前向输出和反向梯度都与 `torch.nn.functional.leaky_relu(negative_slope=0.01)` 逐位相同。与 ReLU 不同，负半轴上的梯度是 $\alpha$ 而不是 $0$，所以一个单元即使一直落在负半轴，也还能得到一点梯度，不会“死掉”。


# %% [markdown]
# ## 练习 4
#
# 对固定深度 $k = 2$ 的 `DynamicNet`，计算损失、调用 `backward()`，验证 `middle_linear.weight.grad` 等于把两次使用换成两份独立副本（权重相同）时两份梯度之和。
#
# 推导：记两次使用为 $h_1 = \mathrm{ReLU}(W h_0 + b)$，$h_2 = \mathrm{ReLU}(W h_1 + b)$。若把它们看成两个不同的参数 $W^{(1)}, W^{(2)}$，损失是 $L(W^{(1)}, W^{(2)})$，而共享时 $W^{(1)} = W^{(2)} = W$。由多元链式法则，
#
# $$
# \frac{\mathrm dL}{\mathrm dW}
# = \frac{\partial L}{\partial W^{(1)}} + \frac{\partial L}{\partial W^{(2)}}\qquad (W^{(1)} = W^{(2)} = W).
# $$
#
# autograd 在计算图里遇到同一个叶子张量被用了两次，就会把两条路径的梯度加到同一个 `.grad` 上。`shared_vs_copies` 用 float64 按两种方式各算一遍：先让共享层用两次，再换成两份权重相同的独立副本。


# %%
--8<-- "lessons/numpy_to_nn_module/exercises.py:shared_vs_copies"


# %%
from lessons.numpy_to_nn_module.exercises import shared_vs_copies

for seed in range(3):
    grads = shared_vs_copies(seed=seed, depth=2)
    g1, g2 = grads["copies"]
    err = (grads["shared"] - (g1 + g2)).abs().max().item()
    scale = grads["shared"].abs().max().item()
    print(
        f"seed {seed}: max|G| = {scale:.3e}, max|G_1| = {g1.abs().max().item():.3e}, "
        f"max|G_2| = {g2.abs().max().item():.3e}, max|G - (G_1 + G_2)| = {err:.1e}"
    )
    assert err <= 1e-10 * scale and not torch.allclose(g1, g2)


# %% [markdown]
# 结论：对 3 个 seed，共享层的梯度都等于两份副本梯度之和，相对误差不超过 $10^{-10}$（float64 的舍入）；两份副本各自的梯度并不相同，可见“求和”确实有意义，并非碰巧相等。这就是 RNN 里“沿时间反向传播”对共享权重的做法：每个时间步各算一份梯度，再加起来。


# %% [markdown]
# ## 练习 5
#
# 在第 3 级中把 Adam 换成 `torch.optim.SGD(momentum=0.9)` 和 `torch.optim.RMSprop`，学习率自选。哪个用最少的步数达到 $L < 10^{-3}$？
#
# 思路：不同优化器的学习率含义不同，要公平比较就得分别调参。先在 `seed=0` 上为每个优化器试几个学习率（每个最多 300 步），选出各自最好的，再在另外 4 个 seed 上用这些学习率重复，看排名是否稳定。`steps_to_reach` 用第 3 级的 `nn.Sequential` 模型，返回损失第一次低于目标的步数：


# %%
--8<-- "lessons/numpy_to_nn_module/exercises.py:steps_to_reach"


# %%
from lessons.numpy_to_nn_module.exercises import steps_to_reach

grid = {"Adam": (1e-3, 3e-3), "SGD": (1e-4, 3e-4), "RMSprop": (1e-4, 2e-4, 3e-4)}
best, table = {}, {}
for name, lrs in grid.items():
    steps = {lr: steps_to_reach(name, lr, steps=300, seed=0) for lr in lrs}
    print(f"seed 0, {name:7s}: " + ", ".join(f"lr {lr:g}: {s}" for lr, s in steps.items()))
    best[name] = min((s, lr) for lr, s in steps.items() if s > 0)[1]
    table[name] = [steps[best[name]]] + [
        steps_to_reach(name, best[name], 300, s) for s in range(1, 5)
    ]
    print(f"{name:7s} lr {best[name]:g}: steps to L < 1e-3 for seeds 0-4: {table[name]}")
    if name == "RMSprop":
        assert steps[1e-4] > 2 * steps[2e-4] and steps[3e-4] == -1  # a narrow window
assert best == {"Adam": 3e-3, "SGD": 3e-4, "RMSprop": 2e-4}
assert all(
    0 < r < a < s for r, a, s in zip(table["RMSprop"], table["Adam"], table["SGD"], strict=True)
)


# %% [markdown]
# 结论（`-1` 表示 300 步内没有达到）：调好学习率后，在全部 5 个 seed 上 RMSprop（$\eta = 2\times10^{-4}$）最快，约 66 到 71 步；其次是 Adam（$\eta = 3\times10^{-3}$），约 110 步；带动量的 SGD（$\eta = 3\times10^{-4}$）约 117 步，三者都远快于页面上 $\eta = 10^{-4}$ 的 Adam（页面上它在第 300 步左右才降到 $10^{-3}$ 以下）。但 RMSprop 的好学习率范围很窄：$\eta = 10^{-4}$ 要 166 步，$3\times10^{-4}$ 在 `seed=0` 上 300 步都达不到。Adam 在 $10^{-3}$ 和 $3\times10^{-3}$ 下都很快（115 步和 110 步），对学习率更宽容。所以“哪个最快”取决于调没调参、在多大范围里调；在这个小问题上，调好的 RMSprop 最快，但 Adam 更省心。
