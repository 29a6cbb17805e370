# %% [markdown]
# # 卷积神经网络高级篇：练习解答
#
# 每道题先复述题目，再讲思路、给出代码，最后总结。解题的函数都在 `lessons/advanced_cnn/exercises.py` 里，下面在调用之前原样展示。
# 答案确定的地方用 `assert` 检查，并写明容差；关于训练结果的结论，都用 5 个种子（0 到 4）在验证集上检验。


# %%
import functools

import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.flop_counter import FlopCounterMode

from lessons import digits
from lessons.advanced_cnn.lesson import (
    Block,
    DeepNet,
    conv_grad_norms,
    make_deep,
    make_inception,
    make_plain,
    make_residual,
)
from lessons.conv_cost import conv_mults
from lessons.seeds import seeded

data = digits.load()
SEEDS = range(5)


def finals(runs, key="val"):
    """Last-epoch value of ``key`` for each seed's history."""
    return [h[key][-1] for h in runs]


# %% [markdown]
# ## 练习 1
#
# 用 `conv_mults` 计算课程 `InceptionA` 在 10 通道、12×12 输入、$k = 5$ 时每个分支的乘法次数。哪个分支最贵？
# 如果分支 2 不用 1×1 卷积，要花多少？
#
# 思路：所有分支都保持 12×12，所以每个卷积的代价是 $144 \cdot C_{\text{in}} C_{\text{out}} K^2$。
#
# - 分支 1，1×1 卷积 $10 \to 16$：$144 \cdot 10 \cdot 16 = 23040$。
# - 分支 2，先 1×1 $10 \to 16$，再 5×5 $16 \to 24$：$23040 + 144 \cdot 16 \cdot 24 \cdot 25 = 1405440$。
# - 分支 3，1×1 $10 \to 16$、3×3 $16 \to 24$、3×3 $24 \to 24$：$23040 + 497664 + 746496 = 1267200$。
# - 分支 4，平均池化（只做加法和一次除法，不与权重相乘），再 1×1 $10 \to 24$：$144 \cdot 10 \cdot 24 = 34560$。
# - 不用 1×1 的分支 2：直接 5×5 $10 \to 24$，$144 \cdot 10 \cdot 24 \cdot 25 = 864000$。
#
# `branch_mults` 按公式计算；`counted_branch_mults` 在真实的分支上用 PyTorch 的 `FlopCounterMode` 计数，下面对比两者。


# %%
--8<-- "lessons/advanced_cnn/exercises.py:branch_mults"
--8<-- "lessons/advanced_cnn/exercises.py:counted_branch_mults"


# %%
formula = branch_mults(size=12, in_channels=10, k=5)
measured = counted_branch_mults(size=12, in_channels=10, k=5)
for name in formula:
    print(f"branch {name}: {formula[name]:>9,} (formula)  {measured[name]:>9,} (FlopCounterMode)")
direct = conv_mults(12, 12, 10, 24, 5)
print(f"branch 2 without the 1x1: {direct:,}, difference: {formula['2'] - direct:+,}")
assert formula == measured  # exact integer counts
assert max(formula, key=formula.get) == "2" and formula["2"] == 1405440 and direct == 864000


# %% [markdown]
# 结论：分支 1 需要 23040 次乘法，分支 2 需要 1405440 次，分支 3 需要 1267200 次，分支 4 需要 34560 次，最贵的是分支 2。
# 去掉 1×1 卷积后它只要 864000 次，反而少了 541440 次。瓶颈层只有在减少通道数时才能省下计算：本讲的例子里它把 192 个通道压到 16 个，
# 代价降到原来的十分之一左右；这里却是从 10 个通道升到 16 个，5×5 卷积要处理的通道比输入还多，这个“瓶颈”花掉的比省下的还多。


# %% [markdown]
# ## 练习 2
#
# 为 8×8 手写数字搭一个小型 GoogLeNet 式网络：`Conv2d(1, 10, 3, padding=1)`、最大池化（$\to 4$）、`make_inception(10)`、
# `Conv2d(88, 20, 3, padding=1)`、最大池化（$\to 2$）、`make_inception(20)`，最后接一个 `Linear` 层。它的输入维度是多少？
# 用 `digits.fit` 训练它。
#
# 思路：两个 Inception 模块都输出 $16 + 24 + 24 + 24 = 88$ 个通道，并保持空间尺寸不变。各层形状依次为
# $1 \times 8 \times 8 \to 10 \times 8 \times 8 \to 10 \times 4 \times 4 \to 88 \times 4 \times 4
# \to 20 \times 4 \times 4 \to 20 \times 2 \times 2 \to 88 \times 2 \times 2$，所以 `Linear` 的输入是
# $88 \cdot 2 \cdot 2 = 352$ 维。和课程一样，每次池化之后接 ReLU。这个网络就是下面的 `SmallGoogLeNet`，
# 用 $\eta = 0.05$、5 个种子各训练 3 个轮次。


# %%
--8<-- "lessons/advanced_cnn/exercises.py:small_googlenet"


# %%
net = make_googlenet(0)
print(net.fc, "parameters:", sum(p.numel() for p in net.parameters()))
assert net.fc.in_features == 352 and net(torch.zeros(2, 1, 8, 8)).shape == (2, 10)
_, google_runs = digits.seed_runs(make_googlenet, data, seeds=SEEDS, epochs=3, lr=0.05)
print(digits.seed_table({"GoogLeNet": google_runs}))
print(digits.seed_table({"GoogLeNet": google_runs}, key="loss"))
assert min(finals(google_runs)) > 0.6  # it learns, for every seed (chance is 0.1)


# %% [markdown]
# 结论：`Linear` 层需要 352 个输入。网络有 46130 个参数，大部分在两个 Inception 模块和 $88 \to 20$ 的卷积里。它训练得动：
# 3 个轮次后每个种子的验证准确率都在 0.6 以上（0.63 到 0.90，中位数约 0.80），只是不如同样训练 3 个轮次的残差网络（练习 3，都在 0.95 以上）。它最长的路径上有八个卷积，
# 和四个块的普通网络（九个卷积）差不多，而后者完全学不动（练习 4）。不过每个 Inception 模块还有一条只经过一个 1×1 卷积的路径，
# 从输入到分类器的最短路径上只有四个卷积，梯度沿着它就能传到第一层：这些并行的短路径起的作用和跳跃连接差不多。


# %% [markdown]
# ## 练习 3
#
# 对普通网络中每个卷积的权重用 `nn.init.kaiming_normal_` 重新初始化（偏置置零），分别用 `lr=0.01` 和 `lr=0.002` 训练。
# 现在它能学了吗？与残差网络差多少？
#
# 思路：PyTorch 默认初始化的权重方差约为 $1/(3\,\text{fan-in})$，所以每经过一个卷积加 ReLU，信号就缩小一些；
# 经过 11 层之后，前向信号和梯度都已微乎其微（见本讲的表格）。He 初始化取方差 $2/\text{fan-in}$，让激活值的方差逐层经过 ReLU 时保持不变。
# `make_kaiming_plain` 构造这样初始化的普通网络。先看初始化时的梯度范数，再按本讲的设置用 5 个种子各训练三个轮次。


# %%
--8<-- "lessons/advanced_cnn/exercises.py:make_kaiming_plain"


# %%
residual_runs = digits.seed_runs(make_residual, data, seeds=SEEDS, epochs=3, lr=0.05)[1]
xb, yb = data.x_train[:64], data.y_train[:64]
for name, model in (("default", make_plain(0)), ("Kaiming", make_kaiming_plain(0))):
    norms = conv_grad_norms(model, xb, yb)
    print(f"{name:8}: |dJ/dW_1| = {norms[0]:.1e}, |dJ/dW_11| = {norms[-1]:.1e}")
kaiming = {}
for lr in (0.01, 0.002):
    make = functools.partial(make_kaiming_plain, blocks=5)
    kaiming[f"He, lr={lr}"] = digits.seed_runs(make, data, seeds=SEEDS, epochs=3, lr=lr)[1]
print(digits.seed_table({**kaiming, "residual": residual_runs}))
print(digits.seed_table({**kaiming, "residual": residual_runs}, key="loss"))
fast, slow = (finals(runs) for runs in kaiming.values())
assert max(fast) < min(finals(residual_runs)) and max(slow) < min(finals(residual_runs))
assert sum(a > 0.5 for a in fast) == 4 and min(fast) < 0.11  # lr 0.01: 4 of 5 learn, 1 at chance
assert max(slow) < 0.4  # lr 0.002: no seed learns


# %% [markdown]
# 结论：有时能学。He 初始化修好了起点处的信号：第一层的梯度不再比最后一层小好几个数量级。$\eta = 0.01$ 时，5 个种子中有四个学得动
# （三个轮次后验证准确率在 0.67 到 0.80 之间），另一个停在随机猜测的水平（0.10）；$\eta = 0.002$ 时步长太小，三个轮次内没有一个种子超过 0.4（最高 0.397）。
# 两种学习率都远远落后于残差网络，后者每个种子都在 0.95 以上：好的初始化让深的普通网络变得可以训练，跳跃连接则让它容易训练。


# %% [markdown]
# ## 练习 4
#
# 把 `blocks` 改为 1、2、4，用五个种子记录普通网络最终的验证准确率。从多深开始它学不动了？
#
# 思路：有 $B$ 个块的普通网络共有 $2B + 1$ 个卷积。本讲已经看到，5 个块（11 个卷积）学不动；按信号逐层缩小的解释，
# 随着 $B$ 增大，训练应当逐渐变差。


# %%
depth_runs = {}
for blocks in (1, 2, 4):
    make = functools.partial(make_deep, blocks=blocks, skip=False)
    depth_runs[f"B={blocks} ({2 * blocks + 1} conv)"] = digits.seed_runs(
        make, data, seeds=SEEDS, epochs=3, lr=0.05
    )[1]
print(digits.seed_table(depth_runs))
one, two, four = (finals(runs) for runs in depth_runs.values())
assert min(one) > 0.8 and max(two) < 0.4 and max(four) < 0.11  # chance is 0.1


# %% [markdown]
# 结论：一个块（3 个卷积）时，普通网络在每个种子上都学得会（三个轮次后验证准确率在 0.84 到 0.94 之间）。两个块（5 个卷积）时已经很吃力：
# 每个种子都低于 0.4（0.10 到 0.38），有的接近随机猜测。四个块（9 个卷积）时每个种子都停在随机猜测的 0.10，和本讲的五个块一样。
# 所以在默认初始化和三个轮次的训练量下，普通网络从 5 个卷积左右开始学不动，到 9 个卷积时完全学不动。


# %% [markdown]
# ## 练习 5
#
# 在 `Block` 中计算 `F.relu(y) + x` 而不是 `F.relu(y + x)`，重新训练并比较。为什么这样的块只能让输入变大？
#
# 思路：$\mathrm{ReLU}(y)$ 的每个元素都非负，所以块的输出 $\mathrm{ReLU}(F(x)) + x$ 逐元素不小于 $x$：每个块只能往输入上加东西，
# 不能去掉任何东西。从 $\mathrm{ReLU}(\text{stem})$ 开始，激活值逐块只增不减，前面某层打开的特征，后面再也关不掉。
# 原来的块让和 $F(x) + x$ 整体经过 ReLU，$F(x)$ 可以取负值，抵消 $x$ 的一部分。`ReluThenAdd` 直接包装本讲的块，
# 所以两个网络从相同的权重出发；`block_growth` 记录主干之后和每个块之后的平均激活值。


# %%
--8<-- "lessons/advanced_cnn/exercises.py:relu_then_add"
--8<-- "lessons/advanced_cnn/exercises.py:block_growth"


# %%
relu_first_runs = digits.seed_runs(make_relu_then_add, data, seeds=SEEDS, epochs=3, lr=0.05)[1]
print(digits.seed_table({"ReLU(F(x)+x)": residual_runs, "ReLU(F(x))+x": relu_first_runs}))
growth = block_growth(make_relu_then_add(0), xb)
print("mean activation after the stem and each block:", [f"{m:.3f}" for m in growth])
assert growth == sorted(growth)  # never decreases
assert all(a <= b for a, b in zip(finals(relu_first_runs), finals(residual_runs), strict=True))


# %% [markdown]
# 结论：网络仍然训练得动（恒等路径完好，梯度照样能传到前面的层），但每个种子的验证准确率都不高于本讲的残差网络（有一个种子两者相同），中位数低不到一个百分点（0.953 对 0.961）。
# 平均激活值每经过一个块都会变大，这是必然的：输出等于输入加上一个非负项。这样的块只能添加特征，不能抑制特征，激活值的尺度随深度不断增长。
# He 等人（2016，“Identity mappings in deep residual networks”，ECCV，arXiv:1603.05027）在 CIFAR-10 上试过这种“先 ReLU 再相加”的变体，
# 结果比原始的块差，原因相同；他们最好的变体让恒等路径上不经过任何激活函数。
