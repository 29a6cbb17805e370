# %% [markdown]
# # 循环神经网络基础：练习解答
#
# 每道题先复述题目，再讲思路、给出代码，最后总结。解题的函数都在 `lessons/basic_rnn/exercises.py` 里，下面在调用之前原样展示。
# 答案确定的地方用 `assert` 检查，并写明容差；关于训练结果的结论，都用多个种子检验。


# %%
import math
import statistics

import torch
from torch import nn

from lessons.basic_rnn.bptt import gradient_decay
from lessons.basic_rnn.exercises import REVERSE_VOCAB
from lessons.basic_rnn.lesson import VOCAB, CellNet, EmbedNet, seed_sweep
from lessons.seeds import seeded

# %% [markdown]
# ## 练习 1
#
# 把写法一的 `hidden_size` 改成大于 4 的值，并加一个从 $H$ 维到 4 个得分的线性层。损失的下限如何变化？十个种子里有几个能学会 `ohlol`？
#
# 思路：没有线性层时得分就是 $h_t \in (-1, 1)^4$，正确类别的概率至多为 $e/(e + 3e^{-1})$，损失至少为
# $\log(1 + 3e^{-2}) \approx 0.341$。线性层 $s_t = W h_t + b$ 给出的得分没有界：把 $W$ 放大，正确类别的概率就能趋于 1，
# 下限随之降到 0（只能逼近，达不到）。隐状态也不必再兼作得分，可以专心保存上下文。下面的
# `CellLinearNet` 就是 `CellNet` 加上这个线性层；`fit_sequence` 沿用 `train_hello` 的训练循环（Adam，$\eta = 0.1$，15 个轮次），
# `linear_head_sweep` 对每个种子训练一次，记下最后的预测。


# %%
--8<-- "lessons/basic_rnn/exercises.py:encode"
--8<-- "lessons/basic_rnn/exercises.py:one_hot"
--8<-- "lessons/basic_rnn/exercises.py:cell_linear_net"
--8<-- "lessons/basic_rnn/exercises.py:fit_sequence"
--8<-- "lessons/basic_rnn/exercises.py:linear_head_sweep"


# %%
print("lesson, H = 4, no linear layer:")
print(seed_sweep(variants=("cell",), seeds=range(10), epochs=15))
hits = {}
for hidden in (8, 16):
    finals = linear_head_sweep(hidden_size=hidden, seeds=range(10), epochs=15)
    hits[hidden] = finals.count("ohlol")
    print(f"H = {hidden:2d} + Linear: {hits[hidden]}/10  {' '.join(finals)}")
assert hits[8] == hits[16] == 10

with seeded(0):
    model = CellLinearNet(8)
losses, _ = fit_sequence(model, one_hot("hello"), encode("ohlol"), epochs=100)
floor = math.log1p(3 * math.exp(-2))
print(
    f"old floor {floor:.3f}; H = 8 + Linear: loss after 15 epochs {losses[14]:.3f}, 100: {losses[-1]:.4f}"
)
assert losses[-1] < floor / 10


# %% [markdown]
# 结论：加上线性输出层之后，损失不再有正的下限：100 个轮次后，它已远低于原来的下限 0.341，还在继续向 0 下降。
# $H = 8$ 和 $H = 16$ 时，十个种子在 15 个轮次内全部学会了 `ohlol`；而本讲中隐状态兼作得分的 $H = 4$ 模型，只有 6 个种子学会。


# %% [markdown]
# ## 练习 2
#
# 让独热的 `CellNet` 把五步的损失相加而不是取平均。用 Adam 时结果有变化吗？用普通 SGD 呢？解释原因。
#
# 思路：相加的损失是平均值的 5 倍，所以每个梯度也都是原来的 5 倍。
#
# - Adam 用梯度的滑动平均 $m_t$ 除以梯度平方的滑动平均的平方根 $\sqrt{v_t}$。把每个梯度乘以 $c$，$m_t$ 和 $\sqrt{v_t}$ 都乘以 $c$，
#   所以步长 $\eta\, \hat m_t / (\sqrt{\hat v_t} + \epsilon)$ 不变，只有很小的 $\epsilon = 10^{-8}$ 带来一点差别。
# - 普通 SGD 的一步是 $\eta g$：相加等于把学习率乘以 5。
#
# `sum_vs_mean` 在 float64 下用同一个种子把模型各训练一次（取平均、相加），下面检验两种优化器：Adam 直接比较取平均与相加；SGD 则把相加、学习率 $\eta$ 与取平均、学习率 $5\eta$ 对比。


# %%
--8<-- "lessons/basic_rnn/exercises.py:sum_vs_mean"


# %%
adam = sum_vs_mean("adam", lr=0.1, epochs=15, seed=0)
gap = (adam["mean"][2] - adam["sum"][2]).abs().max().item()
loss_gap = max(abs(5 * m - s) for m, s in zip(adam["mean"][0], adam["sum"][0], strict=True))
print(
    f"Adam: predictions {adam['mean'][1][-1]} / {adam['sum'][1][-1]}, max |theta_mean - theta_sum| = {gap:.1e}"
)
print(f"Adam: max |5 L_mean - L_sum| over the epochs = {loss_gap:.1e}")
assert gap < 1e-5 and adam["mean"][1] == adam["sum"][1]  # equal up to the effect of eps

sgd = sum_vs_mean("sgd", lr=0.1, epochs=15, seed=0)
sgd5 = sum_vs_mean("sgd", lr=0.5, epochs=15, seed=0)
print(f"SGD, lr = 0.1: mean -> {sgd['mean'][1][-1]} (L = {sgd['mean'][0][-1]:.3f}),")
print(f"               sum  -> {sgd['sum'][1][-1]} (L/5 = {sgd['sum'][0][-1] / 5:.3f})")
same = (sgd["sum"][2] - sgd5["mean"][2]).abs().max().item()
print(f"SGD: max |theta_sum(lr) - theta_mean(5 lr)| = {same:.1e}")
assert same < 1e-12  # float64 rounding
assert (sgd["mean"][2] - sgd["sum"][2]).abs().max().item() > 0.1


# %% [markdown]
# 结论：用 Adam 时没有实质变化：两次训练的参数只差约 $10^{-6}$（来自分母中的 $\epsilon$），每个轮次的预测都相同，只是损失的数值变成了 5 倍。
# 用普通 SGD 时结果就不同了：相加恰好等于学习率放大 5 倍的 SGD（参数一致到 $10^{-16}$），所以 $\eta = 0.1$ 时相加的版本学得更快，
# 最后的平均损失也更低。可见课程代码里的求和配上 Adam 无伤大雅；换成 SGD，有效学习率就会不知不觉地随序列长度变化。


# %% [markdown]
# ## 练习 3
#
# 用 `rnn_backward` 计算 $L = \sum_i h_T[i]$ 时的 $\|\partial L/\partial h_0\|$，取 $\sigma = 1$，`hidden_size` 分别为 8、32、128。
# 衰减速度与 $H$ 有关吗？
#
# 思路：`gradient_decay` 正是用 `rnn_backward` 对 $T = 1, \dots, 30$ 计算这个范数。每往回一步，梯度乘上
# $W_{hh}^\top \mathrm{diag}(1 - h_t^2)$。元素标准差为 $\sigma/\sqrt H$ 的随机矩阵 $W_{hh}$ 平均而言不改变随机向量的长度
# （$\mathbb E\|W^\top v\|^2 = \sigma^2\|v\|^2$），对任何 $H$ 都如此；因子 $1 - h_t^2$ 取决于状态的饱和程度，也与 $H$ 无关。
# 所以可以预期，每步的衰减因子大致相同，只是 $H$ 小时波动更大。`decay_rates` 对每个 $H$ 抽五次 $W_{hh}$，测出每步的因子 $(\|g_{30}\|/\|g_1\|)^{1/29}$。


# %%
--8<-- "lessons/basic_rnn/exercises.py:decay_rates"


# %%
rates = decay_rates(hidden_sizes=(8, 32, 128), seeds=range(5), seq_len=30)
for hidden, values in rates.items():
    med = statistics.median(values)
    print(
        f"H = {hidden:3d}: factor per step median {med:.3f}, range {min(values):.3f} to {max(values):.3f}"
    )
assert all(v < 1 for values in rates.values() for v in values)  # decays for every H and draw
spread = [max(v) - min(v) for v in rates.values()]
assert spread[0] > spread[1] > spread[2]


# %% [markdown]
# 结论：没有本质关系。无论 $H$ 取多少、哪一次抽样，梯度都按几何级数衰减，每步的因子在 0.83 到 0.98 之间。随着 $H$ 增大，中位数略向 1 靠近，
# 不同抽样之间的波动则变小（0.14、0.05、0.03）：小的随机矩阵只是其分布的一个噪声很大的样本，大的随机矩阵则接近平均行为。
# 衰减由 $\sigma$ 和 $\tanh$ 的饱和程度决定，与宽度基本无关：把 RNN 加宽，并不能让它记得更久。


# %% [markdown]
# ## 练习 4
#
# 让嵌入模型学会把 `hello world` 变成 `dlrow olleh`。为什么这比 `ohlol` 难？改用双向 RNN 会带来什么变化？
#
# 思路：词表扩充为 `hello world` 中的 8 个字符（包括空格），序列变为 11 步。更重要的是，这是一个反转任务：第 $t$ 步的输出是第
# $T + 1 - t$ 步的输入。从左到右的 RNN 在第 $t$ 步只能根据 $x_1, \dots, x_t$ 计算输出，所以它的第一个输出 `d` 根本不可能依赖最后一个输入。
# 只有一条训练字符串时，它仍然可以把答案背下来（状态里记着当前位置），但这和反转是两回事。双向 RNN 另有一个从右往左运行的 RNN，
# 把两个方向的状态拼接起来，每一步都能看到整个序列，反转才有可能实现。`ReverseNet` 由嵌入层、$H = 16$ 的 RNN 和线性层组成；
# `epochs_to_learn` 用 Adam（$\eta = 0.05$）训练它，返回预测第一次完全正确时的轮次。我们对五个种子做这个统计，并先用同一个模型对 `ohlol` 统计一遍。
# `first_output_changes` 检查第 1 步的得分是否随最后一个字符改变。


# %%
--8<-- "lessons/basic_rnn/exercises.py:reverse_net"
--8<-- "lessons/basic_rnn/exercises.py:make_reverse_net"
--8<-- "lessons/basic_rnn/exercises.py:epochs_to_learn"


# %%
--8<-- "lessons/basic_rnn/exercises.py:first_output_changes"


# %%
tasks = {"hello -> ohlol": ("hello", "ohlol"), "hello world -> dlrow olleh": ("hello world", None)}
epochs = {}
for name, (source, target) in tasks.items():
    for bi in (False, True):
        epochs[name, bi] = [epochs_to_learn(s, bi, source, target, epochs=60) for s in range(5)]
        print(f"{name:27} bidirectional={bi!s:5}: epochs to learn per seed {epochs[name, bi]}")
uni, bi = epochs["hello world -> dlrow olleh", False], epochs["hello world -> dlrow olleh", True]
assert None not in uni + bi and all(b <= u for u, b in zip(uni, bi, strict=True))
assert statistics.median(uni) > statistics.median(epochs["hello -> ohlol", False])

for bidirectional in (False, True):
    net = make_reverse_net(0, bidirectional)
    changes = first_output_changes(net, "hello world", "hello wordl")
    print(f"bidirectional={bidirectional}: step-1 scores depend on the last character: {changes}")
    assert changes == bidirectional


# %% [markdown]
# 结论：学会反转比学会 `ohlol` 要多花轮次（单向模型的中位数分别为 6 和 4）：类别更多，序列更长，重复出现的 `l` 和 `o`
# 在不同位置上要给出不同的输出，这全靠状态来区分。两种模型都能学会这一条训练字符串，但单向模型只是把它背了下来：
# 它的第一个输出不可能依赖最后一个字符（上面已经验证：把 `world` 改成 `wordl`，第 1 步的得分不变），所以它无法反转任意的字符串。
# 双向 RNN 每一步都能看到整个输入；它在每个种子上都用了更少的轮次，而且只有它有可能在足够多不同的训练字符串上把反转当作规则学会。


# %% [markdown]
# ## 练习 5
#
# 打印几个不同种子训练出的 `EmbedNet` 的 `embedding.weight`。`l` 和 `o` 两行接近吗？它们应该接近吗？
#
# 思路：两个符号的嵌入会变得相近，是因为它们在大量数据中出现在相似的上下文里（词向量学到的正是这一点）。这里只有一条五个字符的训练字符串，
# 任务只要求四个输入彼此可以区分：对嵌入做任何可逆的线性变换，都能被 RNN 的 $W_{ih}$ 吸收。所以没有什么力量会把 `l` 和 `o` 拉到一起。
# `trained_embeddings` 完全按 `train_hello` 的方式训练本讲的 `EmbedNet`，返回训练前后的嵌入表；取五个种子，打印种子 0 训练后的表，
# 并对每个种子给出 `l`–`o` 的距离在六个两两距离中的名次（1 表示最近的一对）。


# %%
--8<-- "lessons/basic_rnn/exercises.py:trained_embeddings"


# %%
initial, trained = trained_embeddings(seed=0, epochs=15)
print("rows:", list(VOCAB))
print(trained)
ranks = []
for seed in range(5):
    before, after = trained_embeddings(seed=seed, epochs=15)
    d = torch.cdist(after, after)
    pairs = sorted(d[i, j].item() for i in range(4) for j in range(i + 1, 4))
    l_o = d[VOCAB.index("l"), VOCAB.index("o")].item()
    ranks.append(pairs.index(l_o) + 1)
    moved = ((after - before).norm(dim=1) / before.norm(dim=1)).median().item()
    print(
        f"seed {seed}: |e_l - e_o| = {l_o:.2f}, rank {ranks[-1]} of 6; median relative change {moved:.2f}"
    )
assert len(set(ranks)) > 1  # no consistent closeness


# %% [markdown]
# 结论：不接近。在六个两两距离中，`l` 与 `o` 的距离随种子不同，排在第 1（最近）到第 4 之间，找不到对所有种子都成立的规律。训练确实移动了这些行
# （移动量约为各行长度的一半），但只移动到四个输入都能给出正确输出为止；众多同样好的嵌入表中最后落到哪一个，取决于随机的起点。
# 它们也不应该接近：`l` 和 `o` 在这里的作用不同，一条五个字符的字符串也提供不了任何相似性的证据。嵌入要有意义的几何结构，需要大量上下文，
# word2vec 就是这样。
