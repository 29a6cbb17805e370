# %% [markdown]
# # 深度学习概述：练习解答
#
# 每道题先复述题目，再讲思路，然后给出解题的代码和结论。解题代码取自 `lessons/introduction/exercises.py`，完整列在调用它的代码格之前。答案确定的地方用 `assert` 检查，并注明容差；关于训练结果的结论都在五个种子上检验，评估用的测试点从不参与训练。


# %%
import torch
from torch import nn

from lessons.introduction.lesson import format_accuracy, make_rings
from lessons.printing import table
from lessons.seeds import generator

# %% [markdown]
# ## 练习 1
#
# 改变 `dimension_table` 的 `queries` 和 `n`。$d = 1000$ 时的对比度和 $n$ 关系大吗？把立方体中的均匀分布换成标准正态分布，再做一遍。
#
# 思路：高维空间中，每个距离 $\|q - x_j\|$ 都是 $d$ 个独立项之和，因此总是落在均值（量级为 $\sqrt d$）附近，波动只有 1 的量级。$n$ 个点里最近的和最远的，离均值也不过几个标准差：$n$ 个近似正态的值，其极值只按 $\sqrt{2\ln n}$ 增长，慢得很。所以对比度大约按 $\sqrt{\ln n}/\sqrt d$ 变化——对 $d$ 很敏感，对 $n$ 很迟钝。查询点的个数只决定中位数估得准不准。这个论证对任何坐标相互独立的分布都成立，正态分布自然也在其中。
#
# 下面的函数对 `queries` 个查询点各算一次对比度，再取中位数：


# %%
--8<-- "lessons/introduction/exercises.py:median_contrast"


# %%
from lessons.introduction.exercises import median_contrast

rows = []
for normal in (False, True):
    for n, queries in ((100, 20), (1000, 20), (1000, 100), (10000, 20)):
        c10, c1000 = (
            median_contrast(d, n=n, queries=queries, seed=0, normal=normal) for d in (10, 1000)
        )
        rows.append(("normal" if normal else "cube", n, queries, c10, c1000))
columns = [("points", "<"), ("n", "d"), ("queries", "d"), ("d=10", ".3f"), ("d=1000", ".3f")]
print(table(rows, columns))
for points in ("cube", "normal"):
    at_1000 = [row[4] for row in rows if row[0] == points]
    assert max(at_1000) / min(at_1000) < 2  # n from 100 to 10000: less than a factor 2
    assert all(row[3] / row[4] > 10 for row in rows if row[0] == points)


# %% [markdown]
# 结论：关系不大。$d = 1000$ 时，点数 $n$ 从 100 增加到 10000，对比度的中位数只从约 0.09 升到 0.14：点数多了两个数量级，对比度还不到原来的两倍，和 $\sqrt{\ln n}$ 的估计相符；查询点的个数只影响第二位有效数字。反观维数，从 $d = 10$ 到 $d = 1000$，无论 $n$ 取多少，对比度都降到原来的十分之一以下。换成标准正态分布，结果也一样，$d = 1000$ 时的数值几乎相同：距离的集中源于大量相互独立的坐标，与立方体无关。


# %% [markdown]
# ## 练习 2
#
# 把圆环嵌入 $d = 100$ 维：给每个点再添 98 个纯噪声坐标。`compare_representations` 中的三个模型现在表现如何？哪种表示仍然有效，为什么？
#
# 思路：添加的是标准差为 0.5（内环的尺度）的高斯噪声，其余设置与本讲相同（400 个训练点，Adam 训练 200 步，8 个隐藏单元）。
#
# - 原始坐标：不管有没有噪声，两类都不是线性可分的，只能随机猜。
# - 平方：$\varphi(x) = (x_1^2, \dots, x_{100}^2)$，而 $x_1^2 + x_2^2$ 仍是 $\varphi$ 的线性函数。98 个噪声特征与标签无关，逻辑斯蒂回归只要学会给它们很小的权重就行，400 个点足够了。
# - 学习表示：隐藏层得从 400 个点里自己发现，100 个方向中只有 2 个有用。它有 817 个权重，也可以借噪声坐标去拟合训练标签。
#
# `embed` 添加噪声坐标，`compare_in_dimension` 照搬本讲的比较，只是把训练点和测试点都先嵌入 $d$ 维，并且同时记下训练集和测试集上的准确率（`accuracy`）：


# %%
--8<-- "lessons/introduction/exercises.py:embed"
--8<-- "lessons/introduction/exercises.py:compare_in_dimension"
--8<-- "lessons/introduction/exercises.py:accuracy"


# %%
from lessons.introduction.exercises import compare_in_dimension

test_acc, train_acc = compare_in_dimension(d=100, scale=0.5, seeds=range(5), n=400, steps=200)
print("test points:")
print(format_accuracy(test_acc))
print("training points:")
print(format_accuracy(train_acc))
assert max(test_acc["raw"]) < 0.6 and max(test_acc["learned"]) < 0.6  # chance level
assert min(test_acc["squares"]) > 0.9
assert min(train_acc["learned"]) > max(test_acc["learned"]) + 0.2  # it fits noise


# %% [markdown]
# 结论：原始坐标上的线性模型仍在随机猜测的水平，和二维时一样。学习表示的模型在平面上本来和人工特征一样好，现在在测试点上也退到了随机猜测，每个种子都是如此；可它在训练点上的准确率要高得多——它记住的是 400 个训练点上的噪声，而不是圆环。只有人工设计的平方特征依然有效：每个种子都在 0.9 以上，只比二维时低几个百分点。人工设计的表示自带“标签取决于平方和”这条先验知识，噪声掩盖不了它；学习出来的表示却要从数据中自己找出这个结构，而 100 维空间里的 400 个点实在太少。这正是上一题所说的维数灾难：数据再多一些（或者结构再多一些，比如后面几讲的卷积），学习又会胜出。


# %% [markdown]
# ## 练习 3
#
# 把 `learned` 模型的隐藏单元从 8 个改成 2 个，再改成 3 个。至少要几个 ReLU 单元才能把两个圆环分开？为什么？
#
# 思路：一个 ReLU 单元 $\mathrm{ReLU}(w^\top x + b)$ 在直线 $w^\top x + b = 0$ 的一侧为零，另一侧是线性的：它唯一的折痕是一条直线。
#
# 两个单元不够。过圆心作一条与单元 1 的直线平行的直线。在这条直线上单元 1 的值不变，输出 $z$ 只随单元 2 变化；而单元 2 是位置的线性函数再取 ReLU，沿直线是单调的。可是沿这条直线走过去，标签依次是外环、内环、内环、外环，$z$ 必须先升后降，矛盾。（若两条直线平行，$z$ 只依赖一个坐标，结论照样成立。）下面在训练好的 2 单元模型上验证这一点。
#
# 三个单元就够了。取两两夹角为 120° 的单位法向量 $n_1, n_2, n_3$，令 $z = c - \sum_i \mathrm{ReLU}(n_i^\top x)$：只有一个单元激活的区域，边界 $z = 0$ 是直线 $n_i^\top x = c$；有两个单元激活的区域，边界是 $(n_i + n_j)^\top x = c$，且 $|n_i + n_j| = 1$。合起来是一个内切圆半径为 $c$ 的正六边形。取 $c = 0.75$，它正好落在两个圆环（半径 0.5 和 1）之间。`hexagon_net` 手工搭出这个网络；`learned_accuracy` 照本讲的做法训练 `hidden` 个单元的模型；`monotone_across` 沿上面那条直线取 401 个点，检查 $z$ 是否单调：


# %%
--8<-- "lessons/introduction/exercises.py:learned_accuracy"
--8<-- "lessons/introduction/exercises.py:hexagon_net"
--8<-- "lessons/introduction/exercises.py:monotone_across"


# %%
from lessons.introduction.exercises import accuracy, hexagon_net, learned_accuracy, monotone_across

for hidden in (2, 3):
    runs = learned_accuracy(hidden=hidden, seeds=range(5), n=400, steps=200)
    print(f"{hidden} units: test accuracy per seed {[round(a, 3) for a, _ in runs]}")
    if hidden == 2:
        assert max(a for a, _ in runs) < 0.85
        assert all(monotone_across(model) for _, model in runs)  # z monotone along that line
    else:
        assert sorted(a for a, _ in runs)[1] > 0.95  # at least 4 of 5 seeds
hexagon = [accuracy(hexagon_net(0.75), *make_rings(400, seed=s)) for s in range(10)]
print(f"hexagon by hand, 10 draws: {min(hexagon):.3f} to {max(hexagon):.3f}")
assert min(hexagon) > 0.98


# %% [markdown]
# 结论：至少三个。只有 2 个单元时，每个种子的准确率都在约 0.5 到 0.78 之间，而且输出沿着过圆心、平行于第一个单元折痕的直线确实是单调的，所以不可能把内环两侧的点都分对。3 个单元就可以：手工搭的六边形在十组新抽取的数据上都分对了 98% 以上的点（分错的是噪声大到越过两环间隙的点）；训练在五个种子里有四个找到了同样好的解，第五个停在了较差的局部最小值——这也是实践中单元数要多于最低需要的原因之一。一般来说，每个 ReLU 单元贡献一段直的边界，而要把一块区域四面围住，至少需要三段。


# %% [markdown]
# ## 练习 4
#
# 仿照 `gradient_two_ways`，对 $L = \sigma(wx)$ 分别用 autograd 和手推求 $\mathrm{d}L/\mathrm{d}w$，并在 float64 下比较。
#
# 推导：$\sigma(u) = 1/(1 + e^{-u})$ 的导数为 $\sigma'(u) = e^{-u}/(1 + e^{-u})^2 = \sigma(u)\,(1 - \sigma(u))$。令 $u = wx$，由链式法则得
#
# $$\frac{\mathrm{d}L}{\mathrm{d}w} = \sigma(wx)\,\bigl(1 - \sigma(wx)\bigr)\,x.$$
#
# 代码里两种算法并排：先让 autograd 对叶子张量 $w$ 求导，再按上式手算。


# %%
--8<-- "lessons/introduction/exercises.py:sigmoid_gradient_two_ways"


# %%
from lessons.introduction.exercises import sigmoid_gradient_two_ways

print(sigmoid_gradient_two_ways(w=1.5, x=2.0))
g = generator(0)
pairs = (4 * torch.randn(1000, 2, generator=g, dtype=torch.float64)).tolist()
gaps = [abs(a - b) for a, b in (sigmoid_gradient_two_ways(w, x) for w, x in pairs)]
print(f"1000 random (w, x): max |autograd - by hand| = {max(gaps):.1e}")
assert max(gaps) < 1e-15  # float64 rounding; the gradients are at most |x|/4


# %% [markdown]
# 结论：在 $w = 1.5$、$x = 2$ 处，两种算法都得到 $\sigma(3)(1 - \sigma(3)) \cdot 2 \approx 0.0904$；在 1000 组随机取值上，二者之差也都在 float64 的舍入误差之内。注意因子 $\sigma(1 - \sigma) \le 1/4$：正是它让多层 sigmoid 叠起来很难训练，这也是后来改用 ReLU 的原因之一。


# %% [markdown]
# ## 练习 5
#
# 在 VGG 和 GoogLeNet 的论文中查出它们的 top-5 错误率，把它们排到 AlexNet 和 ResNet 之间。每个网络贡献了哪种基本模块，本课程后面哪一课用到了它？
#
# 论文中的数字（ImageNet ILSVRC 测试集，top-5 错误率）：
#
# - VGG（Simonyan 和 Zisserman 2015，ICLR，arXiv:1409.1556）：ILSVRC-2014 提交的结果（7 个网络的集成）为 7.3%，赛后只用 2 个网络就达到 6.8%；2014 年分类任务第二名。
# - GoogLeNet（Szegedy 等 2015，CVPR，arXiv:1409.4842）：7 个网络的集成为 6.67%；2014 年第一名。
#
# 基本模块：VGG 从头到尾只堆叠 3×3 卷积（步幅 1、填充 1）。两个 3×3 卷积的感受野与一个 5×5 卷积相同，权重却更少（$2 \cdot 9C^2 = 18C^2$，而不是 $25C^2$），中间还多了一次非线性。[卷积神经网络基础](../../basic-cnn/)中的网络和[卷积神经网络高级篇](../../advanced-cnn/)中的残差块用的正是这种卷积。GoogLeNet 贡献了 Inception 模块和其中的 1×1 瓶颈卷积，我们在[卷积神经网络高级篇](../../advanced-cnn/)中搭过它。


# %%
top5 = {"AlexNet 2012": 15.3, "VGG 2014": 7.3, "GoogLeNet 2014": 6.67, "ResNet 2015": 3.57}
print(table(top5.items(), [("network", "<"), ("top-5 error %", ".2f")]))
assert list(top5.values()) == sorted(top5.values(), reverse=True)  # each one better

c = 64
two_3x3 = sum(p.numel() for p in nn.Sequential(nn.Conv2d(c, c, 3), nn.Conv2d(c, c, 3)).parameters())
one_5x5 = sum(p.numel() for p in nn.Conv2d(c, c, 5).parameters())
print(f"C = {c}: two 3x3 convolutions {two_3x3} parameters, one 5x5 {one_5x5}")
assert two_3x3 - 2 * c == 18 * c * c and one_5x5 - c == 25 * c * c  # weights without the biases


# %% [markdown]
# 结论：依次是 AlexNet 15.3%、VGG 7.3%（赛后 6.8%）、GoogLeNet 6.67%、ResNet 3.57%：三年间，top-5 错误率降到了原来的四分之一左右。VGG 贡献了填充为 1 的 3×3 卷积的规整堆叠，两讲卷积神经网络都在用；GoogLeNet 贡献了带 1×1 瓶颈的 Inception 模块，在卷积神经网络高级篇中搭过。同一讲搭建的 ResNet 残差块，则让更深的网络也能训练起来。
