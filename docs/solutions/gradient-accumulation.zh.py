# %% [markdown]
# # 梯度累积：练习解答
#
# 每道练习先复述题目，再给出推理、代码和答案。代码调用 `lessons` 中的函数；凡是有确定答案的地方，都用 `assert` 按给定的容差检查。


# %%
from lessons.gradient_accumulation.exercises import (
    group_norm_gap,
    loader_steps,
    max_gap,
    parameter_bytes,
    saved_bytes_by_hand,
    train_variant,
)
from lessons.gradient_accumulation.lesson import grad_gap, make_data
from lessons.gradient_accumulation.memory import step_memory
from lessons.printing import table

x, y = make_data(512, seed=0)
MIB = 2**20


# %% [markdown]
# ## 练习 1
#
# 用 $K=4$、$B=16$ 代替 $8\times8$ 运行对比（写一个调用 `train` 的变体），曲线还重合吗？再把 SGD 换成 Adam：损失除以 $K$ 还重要吗？
#
# 推理：只要每步看到的是同一批 $K\cdot B = 64$ 个样本、损失除以 $K$，累积出的梯度就是大批量的梯度，与 $K$ 怎么切分无关。Adam 的更新是 $\hat m/(\sqrt{\hat v}+\epsilon)$：梯度整体乘以常数 $c$，$\hat m$ 乘以 $c$，$\sqrt{\hat v}$ 也乘以 $c$，更新不变（只有很小的 $\epsilon$ 打破这一点）。所以对 Adam，忘记除以 $K$ 几乎没有影响；对 SGD，它等于把学习率放大 $K$ 倍。`train_variant` 在 `lessons/gradient_accumulation/exercises.py` 中。


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
# 答案：$4\times16$ 与一次 64 个样本的曲线仍然重合，差别只是 float32 的舍入误差。换成 Adam 后，除不除以 $K$ 的两条曲线也只差舍入误差（不除以 $K$ 时记录的损失是 $K$ 倍，比较前已除回去）；而 SGD 不除以 $K$ 就发散了。原因是 Adam 对梯度的整体缩放不敏感，SGD 的步长却与梯度成正比。


# %% [markdown]
# ## 练习 2
#
# 写一个遍历 `DataLoader`（`batch_size=8`、`drop_last=False`）的训练循环，累积 $K=4$ 个微批次，每个损失按 $n_k/N_G$ 加权，最后一组也不例外。用 `accumulate` 检查第一步和最后一步用的梯度与同样样本组成的一个批次相同。
#
# 推理：一组的平均损失是 $J_G = \sum_{k\in G}\frac{n_k}{N_G}J_k$，所以权重 $n_k/N_G$ 对满组和不满的最后一组都精确。用课上的 $N = 76$：10 个微批次分成 4、4、2 个一组，最后一组 $N_G = 12$。每一步在更新之前，先用同一组样本算一次大批量梯度，再累积，比较两者（float64）。


# %%
steps = loader_steps(n=76, batch_size=8, accumulation_steps=4, seed=0)
print(table(steps))
assert [s["N_G"] for s in steps] == [32, 32, 12]
assert max(s["max|Δg|"] for s in steps) < 1e-12


# %% [markdown]
# 答案：三步中每一步（包括只有两个微批次、12 个样本的最后一步）的累积梯度都与同样样本的大批量梯度一致到 float64 舍入误差。


# %% [markdown]
# ## 练习 3
#
# 手算 `hidden=8192`、$K\cdot B = 512$、$K=4$ 时的 $M_{act}$，再用 `step_memory` 检查。$K$ 为多少时 $M_{act}$ 低于 $M_\theta + M_{\nabla\theta}$？
#
# 推理：每个样本保存第一层的输入（16 个数）和 ReLU 的输出（8192 个数），float32 每个数 4 字节，共 $(16 + 8192)\cdot 4 = 32\,832$ 字节。$K = 4$ 时 $B = 128$，$M_{act} = 128 \cdot 32\,832$ 字节。参数有 $16\cdot8192 + 8192 + 8192 + 1 = 147\,457$ 个，连同梯度共 $2 \cdot 147\,457 \cdot 4$ 字节。$M_{act}(K) = (512/K)\cdot 32\,832$ 字节随 $K$ 减半。


# %%
by_hand = saved_bytes_by_hand(128, d_in=16, hidden=8192)
weights = parameter_bytes(d_in=16, hidden=8192)
print(
    f"by hand: M_act(K=4) = {by_hand} B = {by_hand / MIB:.4f} MiB; M_θ+M_∇θ = {weights / MIB:.4f} MiB"
)
memory = [step_memory(512, k, hidden=8192) for k in (4, 8, 16, 32)]
print(table(memory))
assert abs(memory[0]["M_act"] - by_hand / MIB) < 1e-9
print(f"M_act < M_θ+M_∇θ when K > {512 * saved_bytes_by_hand(1) / weights:.2f}")
first = next(row["K"] for row in memory if row["M_act"] < row["M_θ+M_∇θ"])
print(f"first K (a power of 2) with M_act < M_θ+M_∇θ: {first}")
assert first == 16


# %% [markdown]
# 答案：$M_{act}(K=4) = 4\,202\,496$ 字节，约 4.01 MiB，与 `step_memory` 一致；参数和梯度约 1.125 MiB。$M_{act}$ 低于它需要 $512/K \cdot 32\,832 < 2\cdot147\,457\cdot4$，即 $K > 14.25$，在 512 的因数中第一个是 $K = 16$（$B = 32$，约 1.0 MiB）。


# %% [markdown]
# ## 练习 4
#
# 在 `make_mlp` 的副本中把 `nn.BatchNorm1d` 换成 `nn.GroupNorm(4, 32)`，运行 `grad_gap` 的对照，并用 GroupNorm 计算统计量的方式解释结果。
#
# 推理：GroupNorm 把每个样本的 32 个通道分成 4 组，在每个样本内部、每组 8 个通道上求均值和方差，不跨样本。于是损失仍是逐样本项之和，累积梯度应与大批量梯度一致；它也没有运行统计量。


# %%
batch = grad_gap(4, norm="batch")["max|Δg|"]
group = group_norm_gap(accumulation_steps=4, groups=4, seed=0)
print(f"max|Δg| with BatchNorm: {batch:.3g}; with GroupNorm(4, 32): {group:.1e}")
assert group < 1e-12 < 1e-3 < batch


# %% [markdown]
# 答案：GroupNorm 下累积梯度与大批量梯度一致到 float64 舍入误差，BatchNorm 下则差得很远。GroupNorm 的统计量只依赖单个样本，把批次切成微批次不会改变任何样本的输出；BatchNorm 的统计量依赖整批样本，所以只有它破坏了累积的等价性。


# %% [markdown]
# ## 练习 5
#
# `reduction='sum'` 时大批量的梯度随 $K\cdot B$ 增大。什么学习率能让 `'sum'` 的训练与 $\eta = 0.2$、$K\cdot B = 64$ 的 `'mean'` 训练走同一条曲线？验证它。
#
# 推理：$J_{sum} = \sum_i \ell_i = K B \cdot J_{mean}$，所以 $\nabla J_{sum} = KB\,\nabla J_{mean}$。SGD 的一步 $\eta'\nabla J_{sum}$ 与 $\eta\nabla J_{mean}$ 相同，当且仅当 $\eta' = \eta/(KB) = 0.2/64 = 0.003125$。累积时 `'sum'` 的各微批次损失直接相加、不除以 $K$。


# %%
eta_sum = 0.2 / 64
summed = train_variant(x, y, 64, 1, lr=eta_sum, reduction="sum")
summed_acc = train_variant(x, y, 8, 8, lr=eta_sum, reduction="sum", divide=False)
print(f"eta' = {eta_sum}")
print(f"max|J_sum/64 - J_mean|: one batch {max_gap(summed, sgd_64, scale=64):.1e}, ", end="")
print(f"8 x 8 accumulated {max_gap(summed_acc, sgd_64, scale=64):.1e}")
assert max_gap(summed, sgd_64, scale=64) < 1e-5 and max_gap(summed_acc, sgd_64, scale=64) < 1e-5


# %% [markdown]
# 答案：$\eta' = \eta/(K\cdot B) = 0.003125$。用这个学习率，`'sum'` 的训练（无论一次 64 个样本，还是 $8\times8$ 累积且不除以 $K$）在把损失除以 64 后与 `'mean'` 的曲线一致到 float32 舍入误差。换了 $K\cdot B$ 就得重新调学习率，这也是 `'mean'` 更常用的原因。
