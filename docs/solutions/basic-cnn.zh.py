# %% [markdown]
# # 卷积神经网络基础：练习解答
#
# 每道题先复述题目，再讲思路、给出代码，最后总结。解题的函数都在 `lessons/basic_cnn/exercises.py` 里，下面在调用之前原样展示。
# 答案确定的地方用 `assert` 检查，并写明容差；关于训练结果的结论，都用 5 个种子（0 到 4）在验证集上检验。


# %%
import torch
import torch.nn.functional as F
from torch import nn

from lessons import digits
from lessons.basic_cnn.lesson import CNN, conv2d, make_cnn, output_size
from lessons.conv_cost import conv_mults
from lessons.digits import make_mlp
from lessons.seeds import generator, seeded

data = digits.load()


# %% [markdown]
# ## 练习 1
#
# 先用公式算出 `conv2d(x5, k3, stride=2, padding=1)` 的输出形状，再手算它的数值，最后用代码验证。
#
# 形状：$\lfloor (5 - 3 + 2 \cdot 1)/2 \rfloor + 1 = 3$，输出为 3×3。填充 1 之后输入变成 7×7，步幅为 2 时，3×3 窗口的左上角落在填充后的第
# $0, 2, 4$ 行和第 $0, 2, 4$ 列，所以输出正是本讲步幅为 1 时结果的第 $0, 2, 4$ 行与第 $0, 2, 4$ 列。卷积核为
# $\begin{pmatrix}1&2&3\\4&5&6\\7&8&9\end{pmatrix}$，手算其中三个值：
#
# - 左上角：窗口盖住零填充的边框和 $\begin{pmatrix}3&4\\2&4\end{pmatrix}$，对应卷积核的 $5, 6, 8, 9$：
#   $5 \cdot 3 + 6 \cdot 4 + 8 \cdot 2 + 9 \cdot 4 = 91$；
# - 中心：窗口是 $x$ 的第 1–3 行、第 1–3 列，
#   $4 + 2 \cdot 6 + 3 \cdot 8 + 4 \cdot 6 + 5 \cdot 7 + 6 \cdot 8 + 7 \cdot 7 + 8 \cdot 4 + 9 \cdot 6 = 282$；
# - 右下角：只有 $\begin{pmatrix}6&2\\4&1\end{pmatrix}$ 落在卷积核的 $1, 2, 4, 5$ 上：
#   $6 + 2 \cdot 2 + 4 \cdot 4 + 5 \cdot 1 = 31$。
#
# 其余六个值的算法相同。


# %%
x5 = torch.tensor(
    [[3, 4, 6, 5, 7], [2, 4, 6, 8, 2], [1, 6, 7, 8, 4], [9, 7, 4, 6, 2], [3, 7, 5, 4, 1]]
)
x5 = x5.float().view(1, 1, 5, 5)
k3 = torch.arange(1.0, 10.0).view(1, 1, 3, 3)
by_hand = torch.tensor([[91.0, 224.0, 127.0], [192.0, 282.0, 122.0], [96.0, 110.0, 31.0]])
out = conv2d(x5, k3, stride=2, padding=1)
print("shape from the formula:", output_size(5, 3, p=1, s=2))
print(out)
assert output_size(5, 3, p=1, s=2) == 3 and torch.equal(out[0, 0], by_hand)  # small integers: exact
assert torch.equal(out, conv2d(x5, k3, padding=1)[:, :, ::2, ::2])


# %% [markdown]
# 结论：输出为 3×3 的
# $\begin{pmatrix}91&224&127\\192&282&122\\96&110&31\end{pmatrix}$，恰好是步幅为 1 时结果中下标 $(0, 2, 4)$ 的元素：
# 步幅 2 只是每隔一个位置取一个，并没有算出新的值。


# %% [markdown]
# ## 练习 2
#
# 不用 Python 循环，借助 `F.unfold` 实现 `conv2d`，并在 float64 下与 `nn.Conv2d` 比较。
#
# 思路：`F.unfold(x, K, padding=P, stride=S)` 把每个 $C \times K \times K$ 的小块取出来排成一列，得到形状
# $(N, CK^2, L)$，其中 $L = H_{\text{out}} W_{\text{out}}$。每个输出值都是一个展平的卷积核（`weight.view(O, -1)` 的一行，长度
# $CK^2$）与一列的点积，所以整个卷积就是一次矩阵乘法 $(O, CK^2) \times (N, CK^2, L) \to (N, O, L)$，再变形为
# $(N, O, H_{\text{out}}, W_{\text{out}})$。`unfold_gap` 在随机的 float64 输入上比较 `conv2d_unfold` 与 `nn.Conv2d`。


# %%
--8<-- "lessons/basic_cnn/exercises.py:conv2d_unfold"
--8<-- "lessons/basic_cnn/exercises.py:unfold_gap"


# %%
print(conv2d_unfold(x5, k3, stride=2, padding=1))
for stride, padding in ((1, 0), (1, 1), (2, 1), (2, 0)):
    gap = unfold_gap(seed=0, stride=stride, padding=padding)
    print(f"S = {stride}, P = {padding}: max |unfold - nn.Conv2d| = {gap:.1e}")
    assert gap < 1e-12  # float64, only the order of the additions differs


# %% [markdown]
# 结论：矩阵乘法版本与循环版本得到相同的 3×3 结果；在 float64 下，试过的几种步幅和填充与 `nn.Conv2d` 的差别都不超过 $2.2 \cdot 10^{-16}$。
# 许多库正是靠这种 im2col 技巧把卷积变成快速的矩阵乘法，代价是每个输入像素最多要复制到 $K^2$ 列中。


# %% [markdown]
# ## 练习 3
#
# 对一张 8×8 图像，数一数我们的 CNN 中 `conv1` 和 `conv2` 各做多少次乘法，再数一数 $64 \to 64 \to 32 \to 10$
# 网络第一层的乘法次数。哪一层最贵？
#
# 思路：卷积的每个输出值是 $C_{\text{in}} K^2$ 个乘积之和，输出共有 $C_{\text{out}} H_{\text{out}} W_{\text{out}}$ 个。
#
# - `conv1`：$1 \to 10$ 通道，3×3，输出 8×8：$10 \cdot 8 \cdot 8 \cdot 1 \cdot 9 = 5760$。
# - `conv2`：$10 \to 20$ 通道，3×3，作用在池化后的 4×4 特征图上：$20 \cdot 4 \cdot 4 \cdot 10 \cdot 9 = 28800$。
# - `fc`：$80 \cdot 10 = 800$。
# - 全连接网络的第一层：$64 \cdot 64 = 4096$。
#
# 下面用 `conv_mults` 验证公式；`layer_mults` 则用前向钩子，在一次前向传播中读出各层真实的输出形状来计数。


# %%
--8<-- "lessons/basic_cnn/exercises.py:layer_mults"


# %%
image = data.x_val[:1]
cnn_counts = layer_mults(make_cnn(0), image)
mlp_counts = layer_mults(make_mlp(0), image)
print("CNN:", cnn_counts, "total", sum(cnn_counts.values()))
print("MLP:", mlp_counts, "total", sum(mlp_counts.values()))
assert cnn_counts["conv1"] == conv_mults(8, 8, 1, 10, 3) == 5760
assert cnn_counts["conv2"] == conv_mults(4, 4, 10, 20, 3) == 28800
assert mlp_counts["net.0"] == 4096 and max(cnn_counts, key=cnn_counts.get) == "conv2"


# %% [markdown]
# 结论：`conv1` 需要 5760 次乘法，`conv2` 需要 28800 次，全连接网络第一层需要 4096 次。最贵的是 `conv2`，而它只有 1820 个参数：
# 卷积在每个位置上都重复使用同一组权重，所以计算量随特征图的大小增长，而不随参数个数增长。合起来，CNN 每张图像约需 35000 次乘法，
# 全连接网络约 6500 次：CNN 的参数不到后者的一半，乘法次数却是它的 5 倍多。


# %% [markdown]
# ## 练习 4
#
# 把 `nn.MaxPool2d(2)` 换成 `nn.AvgPool2d(2)`，用五个种子重新训练，验证准确率有变化吗？
#
# 思路：`make_avg_cnn(seed)` 用同样的初始权重构造本讲的 CNN，只换掉池化层，所以同一个种子的两次训练只在池化上有差别。
# 两者都用本讲的设置（12 个轮次，$\eta = 0.05$）训练，逐个种子（0 到 4）比较最终的验证准确率。


# %%
--8<-- "lessons/basic_cnn/exercises.py:make_avg_cnn"


# %%
cnn_models, cnn_runs = digits.seed_runs(make_cnn, data, seeds=range(5), epochs=12, lr=0.05)
_, avg_runs = digits.seed_runs(make_avg_cnn, data, seeds=range(5), epochs=12, lr=0.05)
print(digits.seed_table({"MaxPool2d": cnn_runs, "AvgPool2d": avg_runs}))
print(digits.seed_table({"MaxPool2d": cnn_runs, "AvgPool2d": avg_runs}, key="loss"))
diffs = [a["val"][-1] - m["val"][-1] for a, m in zip(avg_runs, cnn_runs, strict=True)]
print("a_val(avg) - a_val(max) per seed:", [f"{d:+.4f}" for d in diffs])
assert max(diffs) < 0  # lower for every seed
assert min(h["loss"][-1] for h in avg_runs) > max(h["loss"][-1] for h in cnn_runs)


# %% [markdown]
# 结论：有变化，准确率下降了。换成平均池化后，5 个种子的验证准确率无一例外都更低（中位数 0.933 对 0.969），
# 但降幅因种子而异：中位数为 0.050，最多 0.097，最少只有 0.006（360 张验证图像中的 2 张）。
# 最终训练损失也都更高（中位数 0.20 对 0.0065），可见这不是过拟合减轻了，而是连训练集都拟合得更差。原因在于 ReLU 的位置。本讲的网络计算的是
# $\mathrm{ReLU}(\mathrm{pool}(\mathrm{conv}(x)))$。最大池化与 ReLU 可以交换次序（$\max_i \mathrm{ReLU}(a_i) = \mathrm{ReLU}(\max_i a_i)$），
# 它保留窗口中最强的响应，笔画落在窗口里哪个位置都能留下来。平均池化是线性的：卷积之后再求平均，仍然是一个线性映射；
# 一个强响应和旁边的负响应在 ReLU 起作用之前就被平均掉了，网络因此少了一部分非线性。在 8×8 的图像上，
# 一个 2×2 的池化窗口就占了宽度的四分之一，这一点损失就要以准确率为代价。


# %% [markdown]
# ## 练习 5
#
# 保留课程中的 5×5 卷积核，但两个卷积都用 `padding=2`。`Linear` 层的输入维度应该是多少？训练并比较。
#
# 思路：$K = 5$、$P = 2$、$S = 1$ 时宽度不变：$8 - 5 + 4 + 1 = 8$。所以各层形状与本讲相同：$8 \to 8$，池化到 4，
# $4 \to 4$，池化到 2，`Linear` 需要 $20 \cdot 2 \cdot 2 = 80$ 个输入，和原来一样。5×5 卷积核的权重是 3×3 的
# $25/9 \approx 2.8$ 倍，乘法次数也多这么多。在 4×4 的特征图上，5×5 窗口大半落在零填充的边框上。


# %%
--8<-- "lessons/basic_cnn/exercises.py:make_cnn5"


# %%
print("widths:", output_size(8, 5, p=2), output_size(4, 5, p=2))
assert output_size(8, 5, p=2) == 8 and output_size(4, 5, p=2) == 4
model5 = make_cnn5(0)
print(model5.fc, "parameters:", sum(p.numel() for p in model5.parameters()))
print("multiplications:", layer_mults(model5, image))
assert model5.fc.in_features == 80
_, runs5 = digits.seed_runs(make_cnn5, data, seeds=range(5), epochs=12, lr=0.05)
print(digits.seed_table({"3x3, P=1": cnn_runs, "5x5, P=2": runs5}))
print(digits.seed_table({"3x3, P=1": cnn_runs, "5x5, P=2": runs5}, key="loss"))
vals3 = [h["val"][-1] for h in cnn_runs]
vals5 = [h["val"][-1] for h in runs5]
print(
    "a_val(5x5) - a_val(3x3) per seed:",
    [f"{b - a:+.4f}" for a, b in zip(vals3, vals5, strict=True)],
)
assert min(vals5) < max(vals3) and min(vals3) < max(vals5)  # the ranges overlap
assert min(b - a for a, b in zip(vals3, vals5, strict=True)) <= 0  # no win on every seed


# %% [markdown]
# 结论：`Linear(80, 10)`，与本讲相同：填充 2 让 5×5 卷积保持尺寸不变，就像填充 1 之于 3×3 卷积。
# 这个网络有 6090 个参数（原来 2730 个），每张图像需要 96800 次乘法（原来 35360 次）。在 5 个种子上，它的验证准确率中位数略高（0.981 对 0.969），
# 但并非每个种子都更好：3 个种子更高（最多高 0.019，即 7 张图像），1 个持平，1 个低 0.006。两者的范围（0.972 到 0.986 与
# 0.956 到 0.986）互相重叠，这点优势没有超出种子之间的波动，乘法次数却是原来的 2.7 倍。在 8×8 的图像上，3×3 卷积核已经能覆盖笔画的相当一部分，
# 两层 3×3 卷积中间夹一次池化就能看到整幅图像，更大的卷积核至多带来一点提升。
