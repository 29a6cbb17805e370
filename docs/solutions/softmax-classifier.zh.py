# %% [markdown]
# # 多分类问题：练习解答
#
# 每道题先复述题目，再讲思路、给出代码，最后总结。解题的函数都在 `lessons/softmax_classifier/exercises.py` 里，下面在调用之前原样展示。答案确定的地方用 `assert` 检查，并写明容差；关于训练结果的结论，都用 5 个种子（0 到 4）在验证集上检验。


# %%
import functools
import math

import numpy as np
import torch
from torch import nn

from lessons import digits
from lessons.digits import make_mlp
from lessons.seeds import generator
from lessons.softmax_classifier.lesson import log_softmax, plot_samples, softmax, softmax_naive

data = digits.load(flat=True)


# %% [markdown]
# ## 练习 1
#
# 证明 $K = 2$、logits 为 $(z_0, z_1)$ 时 softmax 给出 $p_1 = \sigma(z_1 - z_0)$。由此看，二分类真正需要多少个参数？
#
# 推导：分子分母同除以 $e^{z_1}$，得
#
# $$p_1 = \frac{e^{z_1}}{e^{z_0} + e^{z_1}} = \frac{1}{1 + e^{-(z_1 - z_0)}} = \sigma(z_1 - z_0),$$
#
# 而 $p_0 = 1 - p_1 = \sigma(z_0 - z_1)$。起作用的只有差值 $z_1 - z_0$。如果 $z_k = w_k^\top x + b_k$ 来自线性层，这个差值就是 $(w_1 - w_0)^\top x + (b_1 - b_0)$，即一个权重向量加一个偏置，恰好是逻辑斯蒂回归。`two_class_gap` 在 float64 下抽取 1000 对随机 logits，检验这个等式。


# %%
--8<-- "lessons/softmax_classifier/exercises.py:two_class_gap"


# %%
gap = two_class_gap(n=1000, seed=0)
print(f"max |softmax(z)_1 - sigmoid(z_1 - z_0)| = {gap:.1e}")
assert gap < 1e-15  # float64 rounding

z = torch.tensor([[0.3, -1.2]], dtype=torch.float64)
print(softmax(z), softmax(z + 5.0))  # the same: a shift of both logits changes nothing
assert torch.allclose(softmax(z), softmax(z + 5.0), rtol=0, atol=1e-15)


# %% [markdown]
# 结论：$p_1 = \sigma(z_1 - z_0)$。所有 logits 加上同一个数，softmax 不变，所以 $K$ 个 logits 中可以把一个固定为 0，只需要 $K - 1$ 个打分函数。二分类只要一个线性单元、$d + 1$ 个参数，而不是 $2(d + 1)$ 个：两输出的 softmax 白白多出一倍参数，逻辑斯蒂回归才是它最精简的形式。


# %% [markdown]
# ## 练习 2
#
# 找出使 `softmax_naive` 返回 `nan` 的最小 float32 logit；再对 `z = torch.tensor([0.0, -200.0])` 分别计算 `torch.log(softmax(z))` 和 `log_softmax(z)`。
#
# 思路：float32 能表示的最大数约为 $3.40 \cdot 10^{38}$，所以 $z$ 一旦超过 $\ln(3.40 \cdot 10^{38}) \approx 88.72$，$e^z$ 就会上溢成 `inf`，而 $\infty/\infty$ 得 `nan`。正的 float32 数的大小顺序与其二进制位模式（看作整数）的顺序相同，所以 `first_nan_logit` 在 88 与 89 之间对位模式二分查找，找出第一个得到 `nan` 的 logit。第二问中 $p_1 = e^{-200}/(1 + e^{-200}) \approx 1.4 \cdot 10^{-87}$，远小于 float32 能表示的最小正数（约 $1.4 \cdot 10^{-45}$）。


# %%
--8<-- "lessons/softmax_classifier/exercises.py:first_nan_logit"


# %%
z_nan = first_nan_logit()
below = float(np.nextafter(np.float32(z_nan), np.float32(0)))
print(f"first nan at z = {z_nan!r}; the float32 just below: {below!r}")
print(softmax_naive(torch.tensor([below])), softmax_naive(torch.tensor([z_nan])))
assert (
    abs(z_nan - math.log(float(np.finfo(np.float32).max))) < 1e-5
)  # ln(max float32), float32 grid
assert not torch.isnan(softmax_naive(torch.tensor([below]))).any()

z = torch.tensor([0.0, -200.0])
print("softmax(z)        =", softmax(z))
print("log(softmax(z))   =", torch.log(softmax(z)))
print("log_softmax(z)    =", log_softmax(z))
assert torch.isinf(torch.log(softmax(z))[1]) and log_softmax(z)[1].item() == -200.0


# %% [markdown]
# 结论：第一个得到 `nan` 的 float32 logit 是 $88.72284$（比它小一格的数仍然给出 1）。对 $z = (0, -200)$，出问题的是 `torch.log(softmax(z))`：概率 $e^{-200}$ 下溢成 0，取对数得到 $-\infty$。`log_softmax` 根本不算这个概率，它算的是 $z_i - m - \log\sum_j e^{z_j - m}$，这里恰好等于 $-200 - \log(1 + e^{-200}) = -200$。建立在它之上的交叉熵始终是有限值，梯度也正确；`nn.CrossEntropyLoss` 要求输入 logits，原因就在这里。


# %% [markdown]
# ## 练习 3
#
# 在 `MLP` 最后加一层 `nn.Softmax(dim=1)`，仍用 `nn.CrossEntropyLoss` 训练，把最终的训练损失和验证准确率与本讲的结果比较，并用梯度 $p - Y$ 解释差别。
#
# 思路：`nn.CrossEntropyLoss` 内部自己会做一次 softmax，于是网络输出的 $s = \mathrm{softmax}(z)$ 被当成了 logits（`make_softmax_mlp`）。后果有两个。
#
# - 损失有下限：每个 $s_i \in [0, 1]$，最好的情况是真实类别上 $s = (1, 0, \dots, 0)$，此时损失为 $-\log\frac{e}{e + K - 1} = \log(1 + (K-1)/e)$（`loss_floor`），$K = 10$ 时约为 $1.461$。网络分得再准，损失也降不到这个值以下。
# - 梯度变弱：对 $s$ 的梯度仍是 $q - Y$，其中 $q = \mathrm{softmax}(s)$，但 $q$ 永远无法接近 $Y$；按链式法则还要再乘上 softmax 的雅可比矩阵 $\mathrm{diag}(s) - ss^\top$，而 $s$ 一旦饱和，这个矩阵的元素就趋于 0。如果某张图像的 $s$ 几乎是错误类别上的独热向量，它就几乎得不到梯度，只能一直错下去。
#
# 两个网络都用 5 个种子（0 到 4）训练，与本讲相同。


# %%
--8<-- "lessons/softmax_classifier/exercises.py:make_softmax_mlp"
--8<-- "lessons/softmax_classifier/exercises.py:loss_floor"


# %%
models, runs = digits.seed_runs(make_mlp, data, seeds=range(5), epochs=15, lr=0.1)
_, soft_runs = digits.seed_runs(make_softmax_mlp, data, seeds=range(5), epochs=15, lr=0.1)
compared = {"z": runs, "softmax(z)": soft_runs}
print(digits.seed_table(compared, key="loss"))
print(digits.seed_table(compared, key="val"))
print(f"floor log(1 + 9/e) = {loss_floor(10):.4f}")
assert all(h["loss"][-1] > loss_floor(10) for h in soft_runs)
assert all(s["val"][-1] < b["val"][-1] for s, b in zip(soft_runs, runs, strict=True))


# %% [markdown]
# 结论：多加一层 softmax 后，每个种子的最终训练损失都停在 1.5 左右（高于约 1.461 的下限，这样的输出不可能更低），而本讲的网络约为 0.001。5 个种子的验证准确率无一例外都更低（中位数 0.942 对 0.964），种子之间的差别也大得多（0.875 到 0.958，本讲的网络为 0.961 到 0.969）。这里损失的数值本身说明不了多少（它不可能接近 0），真正的损害体现在准确率上：经过第二次 softmax 的挤压，梯度 $q - Y$ 本来就小，在那些自信地分错的图像上更是几乎消失，而这些图像恰恰最需要学习。所以，最后一层之后不要再加激活函数。


# %% [markdown]
# ## 练习 4
#
# 训练 `make_mlp(sizes=(64, 512, 256, 128, 64, 10))` 15 个轮次。在五个种子上看，验证集上是否更好？也比较最后的训练损失。
#
# 思路：这个网络更深、也宽得多，约有 20 万个参数，小网络只有约 6500 个，而训练图像只有 1077 张。小网络若已经能拟合训练集，更大的容量就帮不上忙；学习率不变时，它反而可能让训练更不平稳。


# %%
make_deep = functools.partial(make_mlp, sizes=(64, 512, 256, 128, 64, 10))
_, deep_runs = digits.seed_runs(make_deep, data, seeds=range(5), epochs=15, lr=0.1)
compared = {"64-64-32-10": runs, "64-512-...-10": deep_runs}
for name, make in (("64-64-32-10", make_mlp), ("64-512-...-10", make_deep)):
    print(f"{name}: {sum(p.numel() for p in make(0).parameters())} parameters")
print(digits.seed_table(compared, key="val"))
print(digits.seed_table(compared, key="loss"))
deep_val = [h["val"][-1] for h in deep_runs]
small_val = [h["val"][-1] for h in runs]
assert min(deep_val) <= max(small_val)  # the ranges overlap: no win that holds for every seed
assert min(small_val) <= max(deep_val)  # ... and no loss that holds for every seed
assert min(h["loss"][-1] for h in deep_runs) > max(h["loss"][-1] for h in runs)


# %% [markdown]
# 结论：没有更好。深网络验证准确率的中位数略低（0.958 对 0.964），5 个种子的范围（0.950 到 0.978）更宽，而且与小网络的范围（0.961 到 0.969）重叠：既找不到对每个种子都成立的提升，也找不到对每个种子都成立的下降。它的最终训练损失在每个种子上都更高：参数多了 30 倍而学习率不变，15 个轮次内 SGD 还没能把训练集拟合得那么紧。对 1077 张 64 像素的图像，小网络已经够用；课程中的结构是为 MNIST 的 6 万张 784 像素图像设计的。


# %% [markdown]
# ## 练习 5
#
# 用 `torch.softmax(model(data.x_val), dim=1)` 找出预测类别概率最低的验证图像，用 `plot_samples` 画出来。人看了也会犹豫吗？
#
# 思路：最大概率 $\max_k p_k$ 衡量模型有多自信。`least_confident` 取出这个概率最低的 $n$ 张图像。我们看种子 0 的模型最不自信的十张，打印预测类别及其概率，再连同真实标签画出来。为了检验低置信度是否对应真正难以分辨的图像，`error_rates` 对练习 3 中 5 个种子的模型分别算出这十张图像上的错误率和整个验证集上的错误率。


# %%
--8<-- "lessons/softmax_classifier/exercises.py:least_confident"
--8<-- "lessons/softmax_classifier/exercises.py:error_rates"


# %%
model = models[0]
idx, top, pred = least_confident(model, data.x_val, n=10)
for i, p, k in zip(idx.tolist(), top.tolist(), pred.tolist(), strict=True):
    print(f"image {i:3d}: y = {int(data.y_val[i])}, y_hat = {k}, p = {p:.3f}")
rates = [error_rates(m, data, n=10) for m in models]
for seed, (low, overall) in enumerate(rates):
    print(f"seed {seed}: error among the 10 least confident = {low:.2f}, overall = {overall:.3f}")
assert min(low for low, _ in rates) > max(overall for _, overall in rates)
fig = plot_samples(data.x_val[idx], data.y_val[idx], n=10)


# %% [markdown]
# 结论：种子 0 的模型最不自信的十张图像中有八张分错了，而且错得和图上看到的一样：一个涂成一团的 9（被认成 1），一个缺了下半个圈、像 P 的 8（被认成 4 或 1），一个顶部封口、像 9 的 7，一个弯成 6 的 4。在 8×8 的分辨率下，其中大多数让人看也会犹豫。5 个模型无一例外，最不自信的十张图像上的错误率（0.4 到 0.9）都远高于整个验证集上的错误率（0.031 到 0.039）。这个概率并没有校准，但它给出的排序确实指向了那些难以分辨的样本。
