import math

import pytest
import torch
from matplotlib.figure import Figure
from torch import nn

from lessons.basic_rnn import bptt as bp
from lessons.basic_rnn import lesson as br
from lessons.plotting import has_content
from lessons.seeds import generator, seeded

TOL = 1e-12  # float64: hand-written and PyTorch differ only by rounding


def rnn_params(input_size=3, hidden_size=5, seed=0):
    with seeded(seed):
        cell = nn.RNNCell(input_size, hidden_size).double()
    return cell, [p.detach().clone() for p in cell.parameters()]  # W_ih, W_hh, b_ih, b_hh


def test_rnn_cell_matches_torch():
    cell, params = rnn_params()
    g = generator(1)
    x = torch.randn(4, 3, generator=g, dtype=torch.float64)
    h = torch.randn(4, 5, generator=g, dtype=torch.float64)
    torch.testing.assert_close(bp.rnn_cell(x, h, *params), cell(x, h), rtol=0, atol=TOL)


def test_rnn_forward_matches_nn_rnn():
    _, params = rnn_params()
    with seeded(0):
        rnn = nn.RNN(3, 5).double()
    with torch.no_grad():
        for p, q in zip(rnn.parameters(), params, strict=True):
            p.copy_(q)
    g = generator(2)
    xs = torch.randn(6, 4, 3, generator=g, dtype=torch.float64)
    h0 = torch.randn(4, 5, generator=g, dtype=torch.float64)
    hs, h_t = bp.rnn_forward(xs, h0, *params)
    out, h_n = rnn(xs, h0.unsqueeze(0))
    torch.testing.assert_close(hs, out, rtol=0, atol=TOL)
    torch.testing.assert_close(h_t, h_n[0], rtol=0, atol=TOL)


def test_rnn_backward_matches_autograd():
    g = generator(3)
    xs = torch.randn(7, 2, 3, generator=g, dtype=torch.float64)
    h0 = torch.randn(2, 5, generator=g, dtype=torch.float64, requires_grad=True)
    dhs = torch.randn(7, 2, 5, generator=g, dtype=torch.float64)
    params = [p.requires_grad_() for p in rnn_params()[1]]
    hs, _ = bp.rnn_forward(xs, h0, *params)
    (hs * dhs).sum().backward()  # L = Σ_t ⟨dh_t, h_t⟩, so ∂L/∂h_t (direct) = dh_t
    dw_ih, dw_hh, db, dh0 = bp.rnn_backward(xs, h0.detach(), hs.detach(), params[1].detach(), dhs)
    for mine, ref in ((dw_ih, params[0]), (dw_hh, params[1]), (db, params[2]), (db, params[3])):
        torch.testing.assert_close(mine, ref.grad, rtol=0, atol=1e-10)
    torch.testing.assert_close(dh0, h0.grad, rtol=0, atol=1e-10)


def test_bptt_check():
    diffs = bp.bptt_check(seq_len=6, batch_size=2, input_size=3, hidden_size=4, seed=5)
    assert set(diffs) == {"W_ih", "W_hh", "b", "h_0"}
    assert max(diffs.values()) < 1e-12


def test_shape_table():
    table = br.shape_table(batch_size=3, seq_len=5, input_size=4, hidden_size=2, num_layers=2)
    lines = table.splitlines()
    assert lines[1].split() == ["RNNCell", "(3,", "4)", "(3,", "2)", "(3,", "2)", "(3,", "2)"]
    assert "(5, 3, 4)" in lines[2] and "(5, 3, 2)" in lines[2] and "(2, 3, 2)" in lines[2]
    assert "(3, 5, 4)" in lines[3] and "(3, 5, 2)" in lines[3]


@pytest.mark.parametrize(
    "name", ["batch_size", "seq_len", "input_size", "hidden_size", "num_layers"]
)
def test_shape_table_checks(name):
    with pytest.raises(ValueError, match=name):
        br.shape_table(**{name: 0})
    with pytest.raises(TypeError, match=name):
        br.shape_table(**{name: 2.0})


def test_encode_decode():
    x = br.encode_text("hello")
    assert x.tolist() == [1, 0, 2, 2, 3] and x.dtype == torch.int64
    assert br.decode(torch.tensor([3, 1, 2, 3, 2])) == "ohlol"
    for bad in ("", "help", 5):
        with pytest.raises(ValueError, match="text"):
            br.encode_text(bad)


def test_cell_net_is_the_hand_written_recurrence():
    with seeded(0):
        net = br.CellNet().double()
    x = nn.functional.one_hot(br.encode_text("hello"), 4).double().unsqueeze(1)
    hs, _ = bp.rnn_forward(x, torch.zeros(1, 4, dtype=torch.float64), *net.cell.parameters())
    torch.testing.assert_close(net(x), hs, rtol=0, atol=TOL)


def test_train_hello_learns_ohlol():
    losses, predictions = br.train_hello("embedding", seed=0)
    assert predictions[-1] == "ohlol" and losses[-1] < 0.01
    for variant in ("cell", "rnn"):
        losses, predictions = br.train_hello(variant, seed=2)
        assert predictions[-1] == "ohlol"
        assert losses[-1] > 0.341  # the tanh floor log(1 + 3e^-2) when h_t is the score


def test_cell_and_rnn_variants_agree_and_runs_repeat():
    a = br.train_hello("cell", seed=2)
    b = br.train_hello("rnn", seed=2)
    assert a[1] == b[1]
    torch.testing.assert_close(torch.tensor(a[0]), torch.tensor(b[0]), rtol=1e-5, atol=1e-6)
    assert br.train_hello("embedding", seed=4) == br.train_hello("embedding", seed=4)


def test_train_hello_checks():
    with pytest.raises(ValueError, match="variant"):
        br.train_hello("lstm")
    with pytest.raises(ValueError, match="epochs"):
        br.train_hello("rnn", epochs=0)
    with pytest.raises(TypeError, match="epochs"):
        br.train_hello("rnn", epochs=1.5)
    with pytest.raises(ValueError, match="lr"):
        br.train_hello("rnn", lr=0.0)
    with pytest.raises(ValueError, match="source and target"):
        br.train_hello("rnn", target="ohl")
    with pytest.raises(ValueError, match="source"):
        br.train_hello("rnn", source="hallo")
    with pytest.raises(ValueError, match="target"):
        br.train_hello("rnn", target="")
    with pytest.raises(ValueError, match="seed"):
        br.train_hello("rnn", seed=-1)
    with pytest.raises(ValueError, match="device"):
        br.train_hello("rnn", device="nonsense")


def test_format_history_and_sweep():
    text = br.format_history([1.0, 0.5, 0.25, 0.125], ["a", "b", "c", "d"], every=3)
    assert text.splitlines() == ["  3  0.2500  c", "  4  0.1250  d"]
    with pytest.raises(ValueError, match="every"):
        br.format_history([1.0], ["a"], every=0)
    sweep = br.seed_sweep(variants=("embedding",), seeds=range(2))
    assert sweep.startswith("embedding  2/2")


def test_figures():
    figs = [
        br.plot_losses({"rnn": [1.0, 0.5], "embedding": [1.0, 0.1]}),
        bp.plot_gradient_decay(bp.gradient_decay(seq_len=5)),
    ]
    for fig in figs:
        assert isinstance(fig, Figure) and has_content(fig) and fig.get_label()
    with pytest.raises(ValueError, match="seq_len"):
        bp.gradient_decay(seq_len=1)
    with pytest.raises(ValueError, match="hidden_size"):
        bp.gradient_decay(hidden_size=0)


def test_gradient_decay_claims():
    """The page's statements about the gradient reaching h_0, seed 0 and seeds 0–4."""
    norms = bp.gradient_decay(seq_len=30, hidden_size=8, scales=(0.5, 1.0, 2.0), seed=0)
    ratio = {s: v[-1] / v[0] for s, v in norms.items()}
    assert 1e-8 < ratio[0.5] < 1e-7  # "seven orders of magnitude" (8.8e-8)
    assert ratio[1.0] < 1e-3  # still decays
    assert 60 < ratio[2.0] < 70  # "about 65-fold" (6.5e1)
    by_seed = {s: [] for s in (0.5, 1.0, 2.0)}
    for seed in range(5):
        for s, v in bp.gradient_decay(seed=seed).items():
            by_seed[s].append(v[-1] / v[0])
    assert max(by_seed[0.5]) < 1e-5  # vanishes for every draw: at least five orders
    assert max(by_seed[1.0]) < 1  # decays in all five
    assert [r > 1 for r in by_seed[2.0]] == [True, False, False, False, False]  # only seed 0
    assert by_seed[2.0][4] < 1e-7  # seed 4 saturates and vanishes like σ = 0.5
    lines = bp.decay_over_seeds().splitlines()
    assert lines[0].split() == ["sigma"] + [w for s in range(5) for w in ("seed", str(s))]
    assert lines[1].split()[1] == f"{by_seed[0.5][0]:.1e}"
    table = bp.format_decay(norms).splitlines()
    assert len(table) == 4 and table[1].split()[-1] == f"{norms[0.5][-1]:.2e}"


def test_tanh_floor():
    """log(1 + 3e^-2) ≈ 0.341: the least loss when the scores are h_t ∈ (−1, 1)^4."""
    assert math.log1p(3 * math.exp(-2)) == pytest.approx(0.341, abs=5e-4)
