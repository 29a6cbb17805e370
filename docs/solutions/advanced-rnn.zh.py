# %% [markdown]
# # 循环神经网络高级篇：练习解答
#
# 每道题先复述题目，再讲思路、给出代码，最后总结。解题的函数都在 `lessons/advanced_rnn/exercises.py` 里，下面在调用之前原样展示。
# 答案确定的地方用 `assert` 检查，并写明容差；关于训练结果的结论，都用多个种子在验证集上检验（从不动用测试集）。


# %%
import statistics
from collections import Counter

import torch
from torch import nn

from lessons.advanced_rnn.gated_cells import gru_cell
from lessons.advanced_rnn.lesson import (
    NameClassifier,
    evaluate,
    labels,
    seed_sweep,
    train_classifier,
)
from lessons.advanced_rnn.names import SOURCES, encode, load_names, stratified_split
from lessons.advanced_rnn.reports import format_sweep
from lessons.devices import resolve_device
from lessons.seeds import generator, seeded

pairs = load_names(seed=0, max_per_class=400)
train_val, test = stratified_split(pairs, test_fraction=0.2, seed=0)
train, val = stratified_split(train_val, test_fraction=0.25, seed=0)
codes = sorted(SOURCES)
SMALL = ("ja", "pt", "tr")
SEEDS = range(5)


def summary(values):
    """Median [min, max] of ``values`` (one per seed), as text."""
    values = list(values)
    return f"{statistics.median(values):.3f} [{min(values):.3f}, {max(values):.3f}]"


# %% [markdown]
# ## 练习 1
#
# 用 `max_per_class=10**6` 训练（全部 9940 个名字）。哪些类别变好了？大类别占了主导之后，小类别会怎样？试着按类别频率的倒数给损失加权。
#
# 思路：不设上限时类别极不均衡（`pl` 一个类别就有几千个名字，`ja` 只有几十个）。损失是对名字取平均，所以梯度由大类别主导，
# 把大类别分对，模型得益最多，必要时会牺牲小类别。按 $w_c = N/(C N_c)$ 给每个类别加权（`inverse_frequency`），每个类别在损失中的总权重就相同了。
# `train_variant` 就是本讲的 `train_classifier`，只多了几个选项：类别权重、是否打包、LSTM 遗忘门的偏置。
# 为了公平比较，所有模型都在本讲的验证集上评估：完整训练集取完整数据中不在本讲验证集和测试集里的全部名字。
# 每种设置用 5 个种子（0 到 4）。为了让本页运行得快一些，训练量约为本讲的一半，并让每个模型的优化步数大致相同：
# 设了上限的训练集训练 3 个轮次（30 步），完整训练集训练 1 个轮次（33 步）。


# %%
--8<-- "lessons/advanced_rnn/exercises.py:inverse_frequency"
--8<-- "lessons/advanced_rnn/exercises.py:train_variant"


# %%
full = load_names(seed=0, max_per_class=10**6)
held_out = set(val) | set(test)
train_full = [p for p in full if p not in held_out]
counts = Counter(c for _, c in train_full)
print(f"{len(full)} names; full training set {len(train_full)}:", dict(counts.most_common()))
weight = inverse_frequency(train_full, codes)
settings = {
    "capped": {"pairs": train, "epochs": 3},
    "full": {"pairs": train_full, "epochs": 1},
    "weighted": {"pairs": train_full, "weight": weight, "epochs": 1},
}
results, capped = {name: [] for name in settings}, {}
for seed in SEEDS:
    for name, kw in settings.items():
        model = train_variant(
            kw["pairs"], codes, seed=seed, epochs=kw["epochs"], weight=kw.get("weight")
        )
        results[name].append(evaluate(model, val, codes))
        capped[seed] = model if name == "capped" else capped[seed]
print(f"{'code':<6}{'n_full':>7}" + "".join(f"{name:>10}" for name in settings))
for c in codes:
    row = "".join(f"{statistics.mean(r[1][c] for r in results[n]):>10.2f}" for n in settings)
    print(f"{c:<6}{counts[c]:>7}{row}")
overall = (f"{n} {summary(r[0] for r in results[n])}" for n in settings)
print("overall, median [min, max]:", ", ".join(overall))


def small_accuracy(result):
    """Mean accuracy over the three smallest classes."""
    return statistics.mean(result[1][c] for c in SMALL)


for cap, fu, we in zip(*results.values(), strict=True):  # seed by seed
    assert fu[1]["pl"] > cap[1]["pl"]  # the largest class improves
    assert all(fu[1][c] == 0 for c in SMALL)  # not one small-class name right without weights
    assert small_accuracy(fu) < small_accuracy(cap) < small_accuracy(we)


# %% [markdown]
# 结论（各类准确率是 5 个种子的平均，断言则逐个种子成立）：用上全部名字后，最明显变好的是 `pl`（从约 0.6 升到约 0.9），
# `it` 和 `nl` 也有提升；在优化步数相同的情况下，其余类别大多变差了。小类别 `ja`、`pt`、`tr` 各只有 29 到 35 个训练名字，
# 而 `pl` 有 3638 个，它们一个名字都分不对了（`pt` 在设上限时就已经是 0）；
# `de`、`fr` 这样的中等类别也降到了接近 0（平均分别为 0.01 和 0.02，其中 3 个种子恰好为 0），它们的名字被吸到了大类别里。
# 在（设了上限、比较均衡的）验证集上，整体准确率从 0.52～0.55 降到约 0.40（0.399～0.413）。按类别频率的倒数加权后情况反转：小类别回来了，
# 这次甚至超过了设上限时的模型，代价由大类别承担（`pl` 降到约 0.46）。哪个模型“最好”取决于目标：若名字按自然频率出现，普通准确率偏爱不加权的模型；
# 若看各类别的平均准确率，则偏爱加权的模型。


# %% [markdown]
# ## 练习 2
#
# 用种子 0 到 4 分别训练单向和双向两个 GRU 模型（`seed_sweep` 加上 `models=("GRU", "BiGRU")`），报告验证准确率的中位数和范围。
# 双向模型的优势是否超过了不同种子之间的波动？
#
# 思路：用种子 0 到 4；为了让本页运行得快一些，训练量与练习 1 相同（3 个轮次）。单向模型直接用练习 1 中设了上限的模型
# （`train_variant` 取默认参数时，随机抽取与 `train_classifier` 完全相同）；五个双向模型用 `train_classifier` 训练（与 `seed_sweep`
# 内部的调用相同），十个模型一起通过 `trained=` 交给 `seed_sweep`，这样练习 4 和练习 5 还能接着使用。回答这个问题要看两种比较：中位数之差与各自范围的对比，以及逐个种子的差（同一种子意味着相同的批次顺序）。


# %%
trained = {("GRU", seed): model for seed, model in capped.items()}  # exercise 1's capped models
for seed in SEEDS:
    trained["BiGRU", seed] = train_classifier(train, codes, "gru", True, epochs=3, seed=seed)[0]
sweep = seed_sweep(train, val, codes, ("GRU", "BiGRU"), SEEDS, trained, epochs=3)
print(format_sweep(sweep))
gap = statistics.median(sweep["BiGRU"]) - statistics.median(sweep["GRU"])
spread = min(max(v) - min(v) for v in sweep.values())
paired = [b - u for u, b in zip(sweep["GRU"], sweep["BiGRU"], strict=True)]
print(
    f"median gap {gap:.3f}, smallest range {spread:.3f}; per seed: {[round(d, 3) for d in paired]}"
)
assert gap < spread and min(paired) >= 0
assert min(sweep["BiGRU"]) > max(sweep["GRU"])  # the ranges do not overlap (by 2 names)


# %% [markdown]
# 结论：双向 GRU 验证准确率的中位数更高，高 0.020，略小于两个模型各自在不同种子间的波动（双向 0.023，单向 0.028）。
# 不过在这 5 个种子上，两者的范围并不重叠：双向模型最差的一次（0.552）仍高于单向模型最好的一次（0.549），只多两个名字。
# 逐个种子比较（相同的初始化种子和批次顺序），双向模型每个种子都领先，领先 0.002 到 0.048；种子 0 只差两个名字（0.002）。
# 所以在这 5 个种子上优势是一致的，但按中位数之差衡量，它并没有超过种子间的波动，与单次训练的运气相当；验证集有 854 个名字，一个准确率的标准误差就已约为 0.017。


# %% [markdown]
# ## 练习 3
#
# 把 LSTM 遗忘门的偏置初始化为 1，使 $f_t$ 一开始就在 $\sigma(1) \approx 0.73$ 附近，再做一遍五个种子的比较。LSTM 能追上 GRU，甚至反超吗？
#
# 思路：PyTorch 把 LSTM 的门按 $i, f, g, o$ 的顺序堆叠，所以每个偏置的第 $H$ 到 $2H$ 行属于 $f$。门看到的是和 $b_{if} + b_{hf}$；
# 把 `bias_ih` 的这几行设为 1、`bias_hh` 的设为 0，这个和就恰好是 1（两者都设为 1 会得到 $\sigma(2) \approx 0.88$）。默认初始化下两者都在
# $\pm 1/\sqrt H$ 内均匀分布，$f_t$ 一开始约为 $0.5$：细胞每一步都忘掉一半内容。姓氏都很短，长程记忆不像在长序列上那么重要，
# 所以预计效果不大。`set_forget_bias` 按上面的方式设置偏置。与练习 2 一样，这里用 5 个种子、3 个轮次。表中的 `LSTMf1` 就是 $b_f = 1$ 的 LSTM。


# %%
--8<-- "lessons/advanced_rnn/exercises.py:set_forget_bias"


# %%
lstms = {"LSTM": None, "LSTMf1": 1.0}
for name, bias in lstms.items():
    sweep[name] = [
        evaluate(
            train_variant(train, codes, "lstm", epochs=3, seed=s, forget_bias=bias), val, codes
        )[0]
        for s in SEEDS
    ]
with seeded(0):
    probe = NameClassifier(len(codes), cell="lstm")
set_forget_bias(probe, 1.0)
h = probe.rnn.hidden_size
f0 = torch.sigmoid(probe.rnn.bias_ih_l0[h : 2 * h] + probe.rnn.bias_hh_l0[h : 2 * h])
print(f"f_t at zero input: {f0.min().item():.4f} to {f0.max().item():.4f}")
assert torch.allclose(f0, torch.sigmoid(torch.tensor(1.0)), atol=1e-6)
print(format_sweep({k: sweep[k] for k in ("GRU", "LSTM", "LSTMf1")}))
change = [a - b for a, b in zip(sweep["LSTMf1"], sweep["LSTM"], strict=True)]
print("b_f = 1 minus default, per seed:", [round(d, 3) for d in change])
assert min(change) > 0  # higher for every seed
assert min(sweep["LSTMf1"]) < max(sweep["GRU"]) and min(sweep["GRU"]) < max(sweep["LSTMf1"])


# %% [markdown]
# 结论：追上了，但谈不上明显反超。在这么短的训练量下（3 个轮次），遗忘门偏置设为 1 后，5 个种子的验证准确率都提高了（高 0.008 到 0.037），
# 中位数与 GRU 几乎相同（0.546 对 0.547）；两者的范围互相重叠，剩下的差距在种子间的波动之内。Jozefowicz 等人（2015）发现偏置取 1
# 在有长程依赖的任务上（语言模型、长的人工任务）很重要；而一个姓氏最多几十个字符，这里的好处更可能来自训练初期更容易起步，
# 而不是更长的记忆。训练更久之后这点提升是否还在，本页没有测量。


# %% [markdown]
# ## 练习 4
#
# 用 `gru_cell` 手工运行训练好的单向模型中的 GRU，输入名字 `kowalski`，检查 $h_n$ 与 `model.rnn` 的结果相同，再打印每一步更新门 $z_t$ 的均值。
# 模型在哪里保留状态，又在哪里改写状态？
#
# 思路：GRU 第 0 层存放的 `weight_ih_l0` 就是 $[W_{ir}; W_{iz}; W_{in}]$，其余参数同理，与 `gru_cell` 的布局完全一致。用模型自己的嵌入层把字符变成向量，
# 从 $h_0 = 0$ 出发逐步计算，并在每一步重新算出 $z_t = \sigma(W_{iz}x_t + b_{iz} + W_{hz}h_{t-1} + b_{hz})$。由于
# $h_t = (1 - z_t) \odot n_t + z_t \odot h_{t-1}$，$z_t$ 接近 1 表示保留旧状态，接近 0 表示用候选状态 $n_t$ 替换它。`gru_by_hand` 完成这些计算。


# %%
--8<-- "lessons/advanced_rnn/exercises.py:gru_by_hand"


# %%
gru = trained["GRU", 0]
by_hand, by_torch, z_means = gru_by_hand(gru, "kowalski")
print(f"max |h_n by hand - h_n of nn.GRU| = {(by_hand - by_torch).abs().max().item():.1e}")
assert torch.allclose(by_hand, by_torch, rtol=0, atol=1e-5)  # float32, 8 steps
for ch, z in zip("kowalski", z_means, strict=True):
    print(f"{ch}: mean z_t = {z:.3f}")
assert min(range(1, 8), key=lambda t: z_means[t]) == 6  # the k of -ski, after the first step


# %% [markdown]
# 结论：手写的 GRU 与 `nn.GRU` 给出的 $h_n$ 在 float32 的舍入误差内相同。更新门的均值一直处在中间范围（约 0.38 到 0.63），
# 所以每一步都是在旧状态和候选状态之间折中：有的单元保留，有的单元改写。模型改写得最多的是第一个字母（此时 $h_0 = 0$，本来就没有值得保留的内容）
# 和词尾 `-ski` 中的 `k`，而正是这个词尾表明它是波兰姓氏；保留得最多的是名字中间（`o`、`w`、`a`、`s`，均值 0.55 到 0.63）。
# 32 个单元的均值只是粗略的概括，而且这只是一个训练好的模型（种子 0，3 个轮次），但这个规律与分类器的判断方式吻合：看词尾。


# %% [markdown]
# ## 练习 5
#
# 训练时也使用 `packed=False`（直接输入填充后的批次，对 `output[:, -1]` 分类）。模型还能学会吗？为什么这种做法对双向模型的伤害比对单向模型更大？
#
# 思路：填充之后，凡是比批次中最长名字短的名字，后面都跟着若干填充步。填充索引的嵌入为零（`padding_idx=0`），所以名字读完后，
# 前向 GRU 一直收到同样的零输入；既然训练要求的正是这一点，它可以学会在这些步里保持状态。反向的情况更糟：反向 GRU 的 `output[:, -1]`
# 是它走完第一步后的状态，只读过位置 $T - 1$，而除了最长的名字，那里都是填充。于是双向分类器的一半特征与名字毫无关系。
# 用种子 0 到 4 训练不打包的两个模型（3 个轮次），并与练习 2 中打包训练的模型（相同种子）比较。


# %%
padded = {name: [] for name in ("GRU", "BiGRU")}
for name, bidirectional in (("GRU", False), ("BiGRU", True)):
    for seed in SEEDS:
        model = train_variant(train, codes, "gru", bidirectional, epochs=3, seed=seed, packed=False)
        padded[name].append(evaluate(model, val, codes, packed=False)[0])
largest = max(Counter(c for _, c in val).values()) / len(val)
drops = {}
for name in padded:
    drops[name] = [p - q for p, q in zip(sweep[name], padded[name], strict=True)]
    print(
        f"{name:6} packed {summary(sweep[name])}  padded {summary(padded[name])}"
        f"  drop {summary(drops[name])}"
    )
more = [b - u for u, b in zip(drops["GRU"], drops["BiGRU"], strict=True)]
print("BiGRU drop minus GRU drop, per seed:", [round(d, 3) for d in more])
print(f"largest class: {largest:.3f}")
assert min(min(v) for v in padded.values()) > 3 * largest  # it learns
assert min(min(d) for d in drops.values()) > 0  # but worse than packed, every seed
assert min(padded["BiGRU"]) < max(padded["GRU"]) and min(padded["GRU"]) < max(padded["BiGRU"])
assert statistics.median(more) > 0 and min(more) < 0  # BiGRU loses more on most seeds, not all


# %% [markdown]
# 结论：能学会。用填充后的批次训练，两个模型的验证准确率都在约 0.31 到 0.40 之间，是总猜最大类别（0.094）的三倍以上。
# 但与打包相比，两者在 5 个种子上都损失了约 15 到 25 个百分点（0.145 到 0.254）。在这 5 个种子上，双向模型的损失往往更大：
# 它损失的中位数是 0.246，单向 GRU 是 0.204，5 个种子中有 4 个是双向模型损失更多；但种子 0 例外（少 0.049），
# 两者损失的范围也互相重叠（0.170 到 0.254 对 0.145 到 0.219），所以在这么短的训练里这只是一种倾向，并非每个种子都成立。
# 它的优势则没有了：不打包时双向模型的中位数甚至略低（0.321 对 0.330），两个模型的范围互相重叠（0.310 到 0.382 对 0.314 到 0.402），
# 尽管双向模型的特征多了一倍。
# 前向可以学会在零输入的填充步中保持状态；反向却无法找回 `output[:, -1]` 中从来没有的信息：除了最长的名字，它在最后一个位置的状态只看到过填充。
# 打包让每个方向都从自己真正的第一步开始、在真正的最后一步结束，这正是本讲使用它的原因。
