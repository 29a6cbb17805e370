# %% [markdown]
# # 梯度累加：练习解答
#
# 每道练习先复述题目，再给出推理、解题代码和答案。凡是答案确定的地方，都用 `assert` 按给定的容差检查。


# %%
import torch
from torch import nn
from torch.utils.flop_counter import FlopCounterMode

from lessons.gradient_accumulation.lesson import F64, accumulate, accumulated_grad, grad_gap
from lessons.gradient_accumulation.lesson import make_data, make_mlp
from lessons.gradient_accumulation.memory import MiB, PeakMemory, make_deep, step_memory
from lessons.printing import table
from lessons.seeds import generator, seeded

x, y = make_data(512, seed=0)


# %% [markdown]
# ## 练习 1
#
# 用 $K=4$、$B=16$ 代替 $8\times8$ 做对比（写一个 `train` 的变体），两条曲线还重合吗？再把 SGD 换成 Adam：损失除不除以 $K$ 还有影响吗？
#
# 推理：只要每步用的是同样 $K\cdot B = 64$ 个样本、损失都除以 $K$，累加出的梯度就是大批量的梯度，与批次怎么切无关。Adam 的更新是 $\hat m/(\sqrt{\hat v}+\epsilon)$：所有梯度乘以同一个常数 $c$，$\hat m$ 随之乘以 $c$，$\sqrt{\hat v}$ 也乘以 $c$，更新不变（只有很小的 $\epsilon$ 会带来一点出入）。所以对 Adam 来说，忘了除以 $K$ 几乎无害；对 SGD 来说，这等于把学习率乘以 $K$。`train_variant` 就是把优化器、reduction 和是否除以 $K$ 做成选项的 `train`。


# %%
--8<-- "lessons/gradient_accumulation/exercises.py:train_variant"


# %%
sgd_64 = train_variant(x, y, 64, 1, lr=0.2)
sgd_4x16 = train_variant(x, y, 16, 4, lr=0.2)
sgd_4x16_sum = train_variant(x, y, 16, 4, lr=0.2, divide=False)
adam_64 = train_variant(x, y, 64, 1, lr=0.01, optimizer="adam")
adam_4x16 = train_variant(x, y, 16, 4, lr=0.01, optimizer="adam")
adam_4x16_sum = train_variant(x, y, 16, 4, lr=0.01, optimizer="adam", divide=False)
rows = [
    {"run": "SGD, 4 x 16, /K", "max|ΔJ|": max_gap(sgd_4x16, sgd_64)},
    {"run": "SGD, 4 x 16, no /K", "max|ΔJ|": max_gap(sgd_4x16_sum, sgd_64, scale=4)},
    {"run": "Adam, 4 x 16, /K", "max|ΔJ|": max_gap(adam_4x16, adam_64)},
    {"run": "Adam, 4 x 16, no /K", "max|ΔJ|": max_gap(adam_4x16_sum, adam_64, scale=4)},
]
print(f"reference (K=1, B=64): SGD J_T = {sgd_64[-1]:.4f}, Adam J_T = {adam_64[-1]:.4f}")
print(table(rows))
gaps = [row["max|ΔJ|"] for row in rows]
assert gaps[0] < 1e-5 and gaps[2] < 1e-5 and gaps[3] < 1e-5  # float32 rounding only
assert gaps[1] > 1.0  # SGD without /K: K times the step, and it blows up


# %% [markdown]
# 答案：$4\times16$ 与一次 64 个样本的曲线仍然重合，只差 float32 的舍入误差。换成 Adam 后，除不除以 $K$ 的两条曲线也只差舍入误差（不除以 $K$ 时记录的损失是原来的 $K$ 倍，比较前已经除回去）；SGD 不除以 $K$ 则发散。原因是 Adam 对梯度的整体缩放不敏感，而 SGD 的步长与梯度成正比。


# %% [markdown]
# ## 练习 2
#
# 在测内存的模型里，只给每隔一个的块做检查点。先根据正文的数字预测 $K=1$ 时的 $M_{fwd}$ 和多出的运算量，再用 `PeakMemory` 和 `FlopCounterMode` 测量。
#
# 推理：$K=1$ 时，一个 $1024\times256$ 的 float32 张量是 1 MiB。普通的块保留两个这样的张量（输入和激活前的值），做检查点的块只保留一个（输入），输入层的输出另算一个。第 2、4 块做检查点时，$M_{fwd} = 1 + 2\cdot2 + 2\cdot1 = 7$ MiB，介于正文的 9 MiB 和 5 MiB 之间。重算只重复做检查点的那些块的前向传播，所以多出的运算量是正文中 $2.17 - 1.63$ GFLOP 的一半，总共约 $1.90$ GFLOP。下面的函数给每隔一个的块打开检查点，测量方法与 `step_memory` 完全相同。


# %%
--8<-- "lessons/gradient_accumulation/exercises.py:partial_checkpoint"


# %%
rows = [step_memory(1), partial_checkpoint(every=2), step_memory(1, checkpointed=True)]
print(table(rows[1:2]))
print(f"GFLOP: none {rows[0]['GFLOP']:.3f}, every second {rows[1]['GFLOP']:.3f}, all {rows[2]['GFLOP']:.3f}")
assert abs(rows[1]["M_fwd"] - 7.0) < 0.01  # 7 tensors of 1 MiB, plus the output and the loss
extra = (rows[1]["GFLOP"] - rows[0]["GFLOP"]) / (rows[2]["GFLOP"] - rows[0]["GFLOP"])
assert abs(extra - 0.5) < 1e-9  # half the recomputation


# %% [markdown]
# 答案：$M_{fwd} = 7.00$ MiB（多出的 $0.004$ MiB 是输出和损失），运算量 $1.90$ GFLOP，与预测一致：每给一个块做检查点，就少存一个 $B\times W$ 的张量，多做一次这个块的前向传播。检查点可以逐块调节，不是非开即关：每多加一个块，省下的内存和多花的运算量都一样。


# %% [markdown]
# ## 练习 3
#
# 手算 `width=512`、$K\cdot B=1024$、$K=4$ 时的 $M_{fwd}$，再用 `step_memory` 验证。$K$ 从多少起，梯度 $M_{\nabla\theta}$ 占 $M_{peak}$ 的一半以上？
#
# 推理：一次传播保留输入层的输出，以及 4 个块中每块的激活前的值和 GELU 的输出，共 $1 + 2\cdot4 = 9$ 个 $B\times W$ 的张量。$K = 4$ 时 $B = 256$，$M_{fwd} = 9\cdot256\cdot512\cdot4$ 字节 $= 4.5$ MiB。梯度的个数与参数相同：$16\cdot512 + 512 + 4\,(512^2 + 512) + 512 + 1 = 1\,059\,841$，即 $4.04$ MiB，与 $K$ 无关。


# %%
--8<-- "lessons/gradient_accumulation/exercises.py:by_hand"


# %%
by_hand, grads = saved_bytes_by_hand(256, width=512), parameter_bytes(width=512)
print(f"by hand: M_fwd(K=4) = {by_hand / MiB:.4f} MiB, M_∇θ = {grads / MiB:.4f} MiB")
memory = [step_memory(k, width=512) for k in (2, 4, 8, 16)]
print(table(memory))
assert abs(memory[1]["M_fwd"] - by_hand / MiB) < 0.01  # plus the output and the loss
first = next(r["K"] for r in memory if r["M_∇θ"] > r["M_peak"] / 2)
print(f"first K with M_∇θ > M_peak / 2: {first}")
assert first == 8


# %% [markdown]
# 答案：$M_{fwd}(K=4) = 4.5$ MiB，与实测一致。从 $K=8$（$B = 128$）起，梯度占峰值的一半以上：再把 $B$ 减半也省不了多少；何况这里没有计入的参数和优化器状态，还要再占同样多甚至更多的内存。


# %% [markdown]
# ## 练习 4
#
# 把 `make_mlp` 的归一化层换成 `nn.GroupNorm(4, 32)`（在副本里改），比较累加梯度与大批量梯度，并根据 GroupNorm 计算统计量的方式解释结果。
#
# 推理：GroupNorm 把每个样本的 32 个通道分成 4 组，在单个样本内部、每组 8 个通道上求均值和方差，从不跨样本。损失因此仍是逐样本项之和，累加梯度应当与大批量梯度相等；它也没有滑动统计量。


# %%
--8<-- "lessons/gradient_accumulation/exercises.py:group_norm"


# %%
batch = grad_gap(4, norm="batch")["max|Δg|"]
group = group_norm_gap(accumulation_steps=4, groups=4, seed=0)
print(f"max|Δg| with BatchNorm: {batch:.3g}; with GroupNorm(4, 32): {group:.1e}")
assert group < 1e-12 < 1e-3 < batch


# %% [markdown]
# 答案：用 GroupNorm 时，累加梯度与大批量梯度相等到 float64 的舍入误差；用 BatchNorm 时则相差很远。GroupNorm 的统计量只取决于单个样本，把批次切成微批次不会改变任何样本的输出；BatchNorm 的统计量取决于整个批次，所以破坏等价性的只有它。


# %% [markdown]
# ## 练习 5
#
# 用 `reduction='sum'` 时，大批量的梯度随 $K\cdot B$ 增长。学习率取多少，才能让 `'sum'` 的训练与 $\eta = 0.2$、$K\cdot B = 64$ 的 `'mean'` 训练走出同一条曲线？动手验证。
#
# 推理：$J_{sum} = \sum_i \ell_i = K B \cdot J_{mean}$，所以 $\nabla J_{sum} = KB\,\nabla J_{mean}$。SGD 的一步 $\eta'\nabla J_{sum}$ 与 $\eta\nabla J_{mean}$ 相等，当且仅当 $\eta' = \eta/(KB) = 0.2/64 = 0.003125$。用 `'sum'` 累加时，各微批次的损失直接相加，不除以 $K$。


# %%
eta_sum = 0.2 / 64
summed = train_variant(x, y, 64, 1, lr=eta_sum, reduction="sum")
summed_acc = train_variant(x, y, 8, 8, lr=eta_sum, reduction="sum", divide=False)
print(f"eta' = {eta_sum}")
print(f"max|J_sum/64 - J_mean|: one batch {max_gap(summed, sgd_64, scale=64):.1e}, ", end="")
print(f"8 x 8 accumulated {max_gap(summed_acc, sgd_64, scale=64):.1e}")
assert max_gap(summed, sgd_64, scale=64) < 1e-5 and max_gap(summed_acc, sgd_64, scale=64) < 1e-5


# %% [markdown]
# 答案：$\eta' = \eta/(K\cdot B) = 0.003125$。用这个学习率，`'sum'` 的训练——无论是一次 64 个样本，还是 $8\times8$ 累加且不除以 $K$——把损失除以 64 之后，与 `'mean'` 的曲线只差 float32 的舍入误差。$K\cdot B$ 一变就得重新调学习率，这也是 `'mean'` 更常用的原因之一。
