# %% [markdown]
# # What deep learning is: solutions
#
# Each exercise is restated, then worked through: the reasoning, the code that solves it and the answer. The
# solving code lives in `lessons/introduction/exercises.py` and is shown in full in the cell before the one
# that calls it. Wherever the answer is definite, an `assert` checks it with a stated tolerance, and claims
# about training runs are checked over five seeds, on test points never used for training.


# %%
import torch
from torch import nn

from lessons.introduction.lesson import format_accuracy, make_rings
from lessons.printing import table
from lessons.seeds import generator

# %% [markdown]
# ## Exercise 1
#
# Change `queries` and `n` in `dimension_table`. Does the contrast at $d = 1000$ depend much on $n$? Repeat
# with points from a standard normal distribution instead of the cube.
#
# Reasoning: in high dimension every distance $\|q - x_j\|$ is a sum of $d$ independent terms, so it is close
# to its mean, of order $\sqrt d$, with fluctuations of order 1. The nearest and farthest of $n$ points lie
# only a few standard deviations from the mean, and the extreme of $n$ roughly Gaussian values grows like
# $\sqrt{2\ln n}$, very slowly. So the contrast should scale like $\sqrt{\ln n}/\sqrt d$: strongly dependent
# on $d$, weakly on $n$. The number of queries changes only how precisely we estimate the median. The same
# argument holds for any distribution with independent coordinates, the normal one included.
#
# The function below computes the contrast for each of `queries` query points and takes the median:


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
# Answer: not much. At $d = 1000$ the median contrast grows from about 0.09 to 0.14 when $n$ goes from 100 to
# 10,000 points, less than a factor 2 for a hundredfold increase, consistent with $\sqrt{\ln n}$; changing
# the number of queries moves it only in the second digit. Going from $d = 10$ to $d = 1000$ divides it by
# more than 10 for every $n$. Standard normal points behave the same way, with almost the same numbers at
# $d = 1000$: concentration of distances is a property of many independent coordinates, not of the cube.


# %% [markdown]
# ## Exercise 2
#
# Embed the rings in $d = 100$ dimensions by appending 98 coordinates of pure noise. How do the three models
# of `compare_representations` do now? Which representation still works, and why?
#
# Reasoning: we append Gaussian noise with standard deviation 0.5 (the scale of the inner ring) and keep
# everything else as in the lesson (400 training points, 200 steps of Adam, 8 hidden units).
#
# - Raw coordinates: the classes are still not linearly separable, noise or not: chance.
# - Squares: $\varphi(x) = (x_1^2, \dots, x_{100}^2)$, and $x_1^2 + x_2^2$ is still a linear function of
#   $\varphi$; the 98 noise features are independent of the label, so logistic regression only has to learn
#   to give them small weights, which 400 points allow.
# - Learned: the hidden layer must discover, from 400 points, that 2 of the 100 directions matter. It has
#   817 weights and can also fit the training labels through the noise coordinates.
#
# `embed` appends the noise coordinates; `compare_in_dimension` repeats the lesson's comparison with the
# training and test points embedded in $d$ dimensions, and records the accuracy (`accuracy`) on both sets:


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
# Answer: the raw linear model stays at chance, as in two dimensions. The learned model, which was as good as
# the hand-made features in the plane, now also falls to chance on test points for every seed, while it
# fits its training points far better: it has learned the noise of its 400 training points instead of the
# rings. Only the hand-made squares still work (above 0.9 for every seed, a few points below the
# two-dimensional result). The designed representation carries the prior knowledge "the label depends on a
# sum of squares", which noise cannot hide. The learned one has to find that structure from data, and 400
# points in 100 dimensions are too few. This is the curse of dimensionality of the previous exercise at work:
# with more data (or more structure, such as the convolutions of later lessons) learning wins again.


# %% [markdown]
# ## Exercise 3
#
# Give the `learned` model 2 hidden units instead of 8, then 3. What is the smallest number of ReLU units that
# can separate the rings, and why?
#
# Reasoning: one ReLU unit $\mathrm{ReLU}(w^\top x + b)$ is zero on one side of the line $w^\top x + b = 0$ and
# linear on the other: its only kink is a straight line.
#
# Two units are not enough. Take the line through the center parallel to unit 1's line. Along it unit 1 is
# constant, so the output $z$ changes only through unit 2, a ReLU of a linear function of the position, which
# is monotone. But along that line the labels go outer, inner, inner, outer: $z$ would have to rise and then
# fall. (If the two lines are parallel, $z$ depends on one coordinate only and the same holds.) We check this
# on the trained 2-unit models.
#
# Three units are enough. With unit normals $n_1, n_2, n_3$ at 120° and $z = c - \sum_i \mathrm{ReLU}(n_i^\top x)$,
# the boundary $z = 0$ is the line $n_i^\top x = c$ where one unit is active and $(n_i + n_j)^\top x = c$ where
# two are, with $|n_i + n_j| = 1$: a regular hexagon of inradius $c$. With $c = 0.75$ it lies between the
# rings (radii 0.5 and 1). `hexagon_net` builds it by hand; `learned_accuracy` trains the model with `hidden`
# units as the lesson does; `monotone_across` checks, at 401 points along the line above, whether $z$ is
# monotone:


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
# Answer: three. With 2 units the model stays between about 0.5 and 0.78 on every seed, and its output is indeed
# monotone along the line through the center parallel to its first unit's kink, so it cannot label both sides
# of the inner ring correctly. Three units can: the hexagon built by hand classifies more than 98% of the
# points of ten fresh draws (the rest are noisy points that cross between the rings), and training finds an
# equally good solution for four of the five seeds; the fifth stops in a worse local minimum, which is one
# reason to use more units than the minimum. In general each ReLU unit contributes one straight piece of
# boundary, and a region enclosed on all sides needs at least three.


# %% [markdown]
# ## Exercise 4
#
# Following `gradient_two_ways`, compute $\mathrm{d}L/\mathrm{d}w$ for $L = \sigma(wx)$ by autograd and by hand,
# and compare them in float64.
#
# Derivation: $\sigma(u) = 1/(1 + e^{-u})$ has
# $\sigma'(u) = e^{-u}/(1 + e^{-u})^2 = \sigma(u)\,(1 - \sigma(u))$, and by the chain rule with $u = wx$:
#
# $$\frac{\mathrm{d}L}{\mathrm{d}w} = \sigma(wx)\,\bigl(1 - \sigma(wx)\bigr)\,x.$$
#
# The code puts the two side by side: autograd differentiates with respect to the leaf tensor $w$, then the
# formula above computes the same number by hand.


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
# Answer: both give $\sigma(3)(1 - \sigma(3)) \cdot 2 \approx 0.0904$ at $w = 1.5$, $x = 2$, and they agree to
# float64 rounding on 1000 random pairs. Note the factor $\sigma(1 - \sigma) \le 1/4$: it is what makes deep
# stacks of sigmoids hard to train, and one reason for ReLU.


# %% [markdown]
# ## Exercise 5
#
# Look up the top-5 errors of VGG and GoogLeNet in their papers and place them between AlexNet and ResNet. Which
# building block does each network contribute that a later lesson of this course uses?
#
# From the papers (ImageNet ILSVRC test set, top-5 error):
#
# - VGG (Simonyan and Zisserman 2015, ICLR, arXiv:1409.1556): 7.3% for the ILSVRC-2014 submission (an
#   ensemble of 7 networks), 6.8% after the challenge with 2 networks; second place in classification in 2014.
# - GoogLeNet (Szegedy et al. 2015, CVPR, arXiv:1409.4842): 6.67% with an ensemble of 7 networks; first place in
#   2014.
#
# The building blocks: VGG uses only 3×3 convolutions (stride 1, padding 1) in stacks, since two of them cover
# a 5×5 receptive field with fewer weights ($2 \cdot 9C^2 = 18C^2$ instead of $25C^2$) and an extra
# nonlinearity. The [basic CNN](../../basic-cnn/) and the residual blocks of the
# [advanced CNN](../../advanced-cnn/) use exactly these. GoogLeNet contributes the Inception module and its 1×1
# bottleneck convolutions, built in the [advanced CNN](../../advanced-cnn/) lesson.


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
# Answer: in order, AlexNet 15.3%, VGG 7.3% (6.8% after the challenge), GoogLeNet 6.67%, ResNet 3.57%: in three
# years the top-5 error fell to about a quarter. VGG contributes the uniform stack of 3×3 convolutions
# with padding 1, used by the CNN lessons; GoogLeNet the Inception module with 1×1 bottlenecks, built in the
# advanced CNN lesson. ResNet's residual block, also built there, is what made still deeper networks trainable.
