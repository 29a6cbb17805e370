# %% [markdown]
# # 加载数据集：练习解答
#
# 每道题先复述题目，再讲思路、给出代码，最后总结。解题用的函数都在 `lessons/dataset_and_dataloader/exercises.py` 里，下面原样展示，调用它的代码紧随其后。答案确定的地方用 `assert` 检查，并写明容差；关于训练过程的结论都在多个 seed 上验证过。
#
# 第一格导入各题代码要用到的模块，并像课上一样生成训练集和测试集。


# %%
import contextlib
import io
import runpy
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, Dataset, Subset, TensorDataset

from lessons.dataset_and_dataloader.batch_size import batch_table, iteration_table
from lessons.dataset_and_dataloader.exercises import error_summary
from lessons.dataset_and_dataloader.lesson import CsvDataset, accuracy, train_minibatch, write_csv
from lessons.devices import resolve_device
from lessons.seeds import generator
from lessons.tabular_mlp import make_mlp

folder = tempfile.TemporaryDirectory()
train_path, test_path = write_csv(folder.name)
train_set = CsvDataset(train_path)
test_set = CsvDataset(test_path, mean=train_set.mean, std=train_set.std)
print(len(train_set), len(test_set))


# %% [markdown]
# ## 练习 1
#
# $N = 569$ 时，对 $B = 16, 50, 100, 600$ 手算 $\lceil N/B\rceil$、$\lfloor N/B\rfloor$ 和最后一个批次的大小，再用 `iteration_table` 核对。
#
# 手算：最后一个批次的大小是 $N - (\lceil N/B\rceil - 1)B$，也就是 $N$ 除以 $B$ 的余数（整除时为 $B$）。
#
# | $B$ | $N/B$ | $\lceil N/B\rceil$ | $\lfloor N/B\rfloor$ | 最后一批 |
# |---:|---:|---:|---:|---:|
# | 16 | 35.56 | 36 | 35 | $569 - 35\cdot16 = 9$ |
# | 50 | 11.38 | 12 | 11 | $569 - 11\cdot50 = 19$ |
# | 100 | 5.69 | 6 | 5 | $569 - 5\cdot100 = 69$ |
# | 600 | 0.95 | 1 | 0 | $569$ |
#
# $B = 600 > N$ 时只有一个批次，装着全部 569 个样本；若设 `drop_last=True`，这个批次会被丢掉，一轮下来一次更新都没有。`loader_batch_sizes` 让真实的 `DataLoader` 遍历 $N$ 个下标，记下每个批次的大小，用它和 `iteration_table` 一起核对手算结果。


# %%
--8<-- "lessons/dataset_and_dataloader/exercises.py:loader_batch_sizes"


# %%
print(iteration_table(569, [16, 50, 100, 600]))
by_hand = {16: (36, 35, 9), 50: (12, 11, 19), 100: (6, 5, 69), 600: (1, 0, 569)}
for b, (ceil_nb, floor_nb, last) in by_hand.items():
    sizes = loader_batch_sizes(569, b)
    dropped = loader_batch_sizes(569, b, drop_last=True)
    print(
        f"B = {b}: {len(sizes)} batches, last of size {sizes[-1]}; drop_last: {len(dropped)} batches"
    )
    assert (len(sizes), len(dropped), sizes[-1]) == (ceil_nb, floor_nb, last)


# %% [markdown]
# 结论：手算结果与 `iteration_table` 一致（$\lceil N/B\rceil$ 对应 `len(DataLoader)`，$\lfloor N/B\rfloor$ 对应 `drop_last=True`），与 `DataLoader` 实际产生的批次也完全一致。


# %% [markdown]
# ## 练习 2
#
# 把 `shuffle` 设为 `False`，用 `train_minibatch` 的同样设置训练（$B = 32$，20 轮，$\eta = 0.1$）。训练集已经被 `write_csv` 打乱过一次，差别大吗？如果先按标签排序（先全是 0，再全是 1）再关掉打乱，会怎样？
#
# 思路：`train_ordered` 就是课上的训练循环，只多了一个 `shuffle` 开关；`shuffle=True` 时它与 `train_minibatch` 完全相同。不打乱时，每一轮都按同一个顺序遍历样本。数据事先随机排列过一次的话，每个批次仍大致是一份随机样本，只是每轮都是同一批。按标签排序后（`sorted_by_label`），前 4 个批次全是 0，第 5 个批次是 31 个 0 加 1 个 1，其余 9 个批次全是 1。每个批次都是有偏的样本：每一轮里，模型先被推向“全部预测为 0”，再被推向“全部预测为 1”。三种设置各用 5 个 seed（0 到 4，决定初始权重和打乱顺序）训练；为了缩短运行时间，只训练 10 轮而不是 20 轮。训练结束后，用 `full_loss` 算整个训练集上的损失，再看测试准确率。


# %%
--8<-- "lessons/dataset_and_dataloader/exercises.py:sorted_by_label"
--8<-- "lessons/dataset_and_dataloader/exercises.py:train_ordered"
--8<-- "lessons/dataset_and_dataloader/exercises.py:full_loss"


# %%
sorted_set = sorted_by_label(train_set)
labels = [int(sorted_set[i][1].item()) for i in range(len(sorted_set))]
print("sorted labels: first", labels[:3], "last", labels[-3:], " zeros:", labels.count(0))
settings = {
    "shuffle": (train_set, True),
    "no shuffle": (train_set, False),
    "sorted": (sorted_set, False),
}
finals = {name: [] for name in settings}
for seed in range(5):
    for name, (dataset, shuffle) in settings.items():
        model, _ = train_ordered(dataset, shuffle, batch_size=32, epochs=10, lr=0.1, seed=seed)
        finals[name].append((full_loss(model, train_set), accuracy(model, test_set)))
for name, rows in finals.items():
    losses, accs = [r[0] for r in rows], [r[1] for r in rows]
    print(
        f"{name:10s} L(train): median {statistics.median(losses):.4f} ({min(losses):.4f}-{max(losses):.4f}), "
        f"test acc: median {statistics.median(accs):.3f} ({min(accs):.3f}-{max(accs):.3f})"
    )
for a, b, c in zip(*finals.values(), strict=True):
    assert abs(b[0] / a[0] - 1) < 0.1 and abs(c[0] / a[0] - 1) < 0.1
    assert c[0] > a[0]  # sorted order: always a little worse on the training set


# %% [markdown]
# 结论：在这个数据集上，差别小得出乎意料。数据已经打乱过一次时，不再每轮打乱，训练集损失与打乱时相差不到 10%，测试准确率也在同一范围内。按标签排序且不打乱时，5 个 seed 的训练集损失都比打乱时略高，但只高几个百分点（中位数 0.0659 对 0.0644）。这是因为问题太容易：两类几乎线性可分，训练几轮后大多数样本已经分对，$\hat y - y$ 很小，即使批次里全是 0 或全是 1，梯度也很小，模型被推来推去的幅度有限。这个结论不能推广。SGD 的理论假设每个批次都是整个数据集的无偏样本，排序后的批次恰恰违背了这一点；遇到更难的问题、更大的学习率，或者数据按时间、按类别成块存放（这很常见），不打乱可能让训练明显变差，甚至不收敛。每轮重新打乱几乎没有代价，应当一直开着。


# %% [markdown]
# ## 练习 3
#
# 写一个惰性的 `LazyCsvDataset`：`__init__` 只记下路径和行数，`__getitem__` 每次用 `numpy.loadtxt(path, skiprows=i + 1, max_rows=1, delimiter=",")` 读一行。它与 `CsvDataset` 返回的样本一样吗？各遍历一轮要多久？这时 `num_workers=2` 有帮助吗？
#
# 思路：`LazyCsvDataset` 放在 `lessons/dataset_and_dataloader/exercises.py` 里，因为工作进程只能使用定义在可导入模块中的类（本页在当前进程里加载，不需要工作进程）。它返回的是原始特征，所以要与不做标准化的 `CsvDataset`（$\mu = 0$、$s = 1$）比较。它每取一个样本都要打开文件、跳过 $i + 1$ 行、再解析一行，所以一轮的代价随行数平方增长；`CsvDataset` 只是在内存里的张量上取下标。`epoch_seconds` 用 `DataLoader` 遍历一轮并计时。用时取决于机器和它当时的负载，所以本页不打印用时，只打印两者各读了多少行文本，以及惰性版本遍历一轮的用时是否至少是 `CsvDataset` 的 5 倍（由断言检查）。


# %%
--8<-- "lessons/dataset_and_dataloader/exercises.py:lazy_csv_dataset"
--8<-- "lessons/dataset_and_dataloader/exercises.py:epoch_seconds"


# %%
lazy_set = LazyCsvDataset(train_path)
raw_set = CsvDataset(train_path, mean=np.zeros(30), std=np.ones(30))
same = all(
    torch.equal(lazy_set[i][0], raw_set[i][0]) and torch.equal(lazy_set[i][1], raw_set[i][1])
    for i in range(len(raw_set))
)
print(f"{len(lazy_set)} rows; same samples as CsvDataset: {same}")
assert len(lazy_set) == len(raw_set) == 426 and same
n = len(lazy_set)
print(
    f"lines read per epoch: CsvDataset 0 (read once, {n + 1} lines), "
    f"LazyCsvDataset {sum(i + 2 for i in range(n))}"
)
slower = epoch_seconds(lazy_set) > 5 * epoch_seconds(raw_set)
print(f"LazyCsvDataset at least 5 times slower per epoch: {slower}")
assert slower
folder.cleanup()


# %% [markdown]
# 结论：`LazyCsvDataset` 返回的 426 个样本与 `CsvDataset` 逐位相同（两者都把同样的文本解析成 float32）。但它慢得多：一轮要读 91,377 行文本，`CsvDataset` 却一行也不用读（断言要求前者用时至少是后者的 5 倍）；而且行数越多差距越大，因为第 $i$ 个样本要先跳过 $i$ 行。`num_workers=2` 有没有用要看情况：启动两个工作进程、在进程间传送数据，本身就有固定开销，对内存里的 `CsvDataset` 只会更慢；对 `LazyCsvDataset`，只有读一个样本的时间远超这些开销、机器上又确实有空闲的 CPU 核时，才会变快。这取决于机器，所以本页不打印用时，你可以用 `epoch_seconds` 在自己的机器上测一测。更好的办法是去掉病根：数据放得进内存就一次读入，否则换用支持随机访问的格式（按偏移量定位的二进制文件、内存映射的 `.npy`、分片存储），而不是靠多开进程掩盖 $O(N^2)$ 的读取。


# %% [markdown]
# ## 练习 4
#
# 在 `compare_batch_sizes` 中让学习率与批大小成正比（$\eta = 0.1\cdot B/32$），再比较四条曲线。按轮次看，大批量的劣势缩小了吗？$B = 426$ 时这个学习率还稳定吗？
#
# 思路：批大小为 $B$、学习率为 $\eta$ 时，一轮做 $N/B$ 次更新，每次沿平均梯度走 $\eta$。如果一轮之内梯度变化不大，一轮的总位移约为 $(N/B)\,\eta\,\bar g$，所以 $\eta \propto B$ 时每轮走过的总距离相同。这就是“线性缩放规则”（Goyal 等，2017）。它只在 $\eta$ 低于稳定上限时成立，而 $B = 426$ 时 $\eta = 0.1 \times 426/32 \approx 1.33$。$B = 32$ 时学习率仍是 $0.1$，与课上相同。作为对照，再用课上的 $\eta = 0.1$ 训练 $B = 128$ 和 $426$。`compare_batch_sizes` 对每个批大小、每个 seed 各调用一次 `train_minibatch`；这里每种设置用 5 个 seed（0 到 4）。


# %%
--8<-- "lessons/dataset_and_dataloader/batch_size.py:compare_batch_sizes"


# %%
scaled = {}
for b in (16, 32, 128, 426):
    scaled.update(compare_batch_sizes(train_set, [b], epochs=20, lr=0.1 * b / 32, seeds=range(5)))
print("eta = 0.1 * B / 32")
print(batch_table(scaled))
control = compare_batch_sizes(train_set, [128, 426], epochs=20, lr=0.1, seeds=range(5))
print("eta = 0.1")
print(batch_table(control))
last = {b: [h["epoch_loss"][-1] for h in runs] for b, runs in scaled.items()}
rises = [
    sum(v > u for u, v in zip(h["epoch_loss"][:-1], h["epoch_loss"][1:], strict=True))
    for h in scaled[426]
]
print("B = 426, eta = 1.33: epochs whose mean loss rose, per seed:", rises)
medians = [statistics.median(v) for v in last.values()]
assert max(medians) < 1.2 * min(medians)
for b in (128, 426):
    assert max(last[b]) < min(h["epoch_loss"][-1] for h in control[b])
assert rises == [0] * 5


# %% [markdown]
# 结论：学习率按 $\eta = 0.1\cdot B/32$ 缩放后，四种批大小训练 20 轮后的平均损失几乎相同（中位数都在 $0.041$ 到 $0.044$ 之间，最大的中位数比最小的高不到 10%，断言允许 20%），大批量按轮次计的劣势基本消失。对照组的学习率固定为 $0.1$，$B = 128$ 和 $426$ 的最终损失要高得多，每个 seed 都是如此。$B = 426$（全批量）时 $\eta \approx 1.33$ 仍然稳定：5 个 seed 的每轮平均损失都在逐轮下降。线性缩放并非处处成立：学习率总有稳定上限，大批量训练通常还需要预热（开始时先用小学习率）；批量越大，每轮的更新次数越少，这条规则也越早失效。在这里，它让大批量用少得多的更新次数达到了同样的损失。


# %% [markdown]
# ## 练习 5
#
# 写一个不带守卫的脚本，在顶层创建 `DataLoader(..., num_workers=2, multiprocessing_context="spawn")` 并遍历它，读一读报错信息；再把代码放进 `main()`、加上守卫，重新运行。
#
# 思路：用 spawn 启动的工作进程是一个全新的 Python 解释器，它要重新导入主脚本，才能找到所需的定义。没有守卫时，导入主脚本就会执行顶层的 `main()`，子进程于是又去创建 `DataLoader`、启动自己的工作进程，multiprocessing 检测到这种情况就会报错。`spawn_script` 生成两个版本的脚本；`run_script` 把不带守卫的版本写进临时文件夹，用当前的 Python 解释器运行（同样带 `-W error`），下面打印退出码和报错中的关键几行。每个子进程都要重新导入 torch，所以这一格比其他格慢；为了少启动几个解释器，脚本里用的是 `num_workers=1`，一个工作进程就足以触发同样的错误。带守卫的版本不再真正启动进程，而是由 `import_as_worker` 在当前进程里按工作进程的方式导入（模块名为 `__mp_main__`），看导入时会执行些什么。


# %%
--8<-- "lessons/dataset_and_dataloader/exercises.py:spawn_script"
--8<-- "lessons/dataset_and_dataloader/exercises.py:run_script"
--8<-- "lessons/dataset_and_dataloader/exercises.py:import_as_worker"


# %%
with tempfile.TemporaryDirectory() as scratch:
    print(spawn_script(guarded=False))
    unguarded = run_script(spawn_script(guarded=False), scratch)
    print("exit code:", unguarded.returncode)
    print("\n".join(error_summary(unguarded.stderr)))
    printed, names = import_as_worker(spawn_script(guarded=True), scratch)
    print("with the guard, imported as __mp_main__: printed", repr(printed), "| defined", names)
assert unguarded.returncode != 0 and "bootstrapping phase" in unguarded.stderr
assert printed == "" and "main" in names  # main() is defined but not called


# %% [markdown]
# 结论：不带守卫时，脚本以非零退出码结束。子进程里报的是 multiprocessing 的 `RuntimeError`：“An attempt has been made to start a new process before the current process has finished its bootstrapping phase”，并提示在主模块里使用 `if __name__ == '__main__':` 的写法；主进程随后报告 `RuntimeError: DataLoader worker (pid ...) exited unexpectedly`，真正的原因只能到子进程的输出里找。把代码放进 `main()` 并加上守卫后，按工作进程的方式导入脚本只会定义 `main` 等名字，既不执行什么，也不打印什么，子进程也就不会再去启动自己的工作进程。
