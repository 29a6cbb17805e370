import pytest
import torch
from torch import nn

from lessons.advanced_rnn import gated_cells as gc
from lessons.seeds import generator, seeded

TOL = 1e-12  # float64: hand-written and PyTorch differ only by rounding


def _inputs(seed, batch=4, d=3, hidden=5):
    g = generator(seed)
    x = torch.randn(batch, d, generator=g, dtype=torch.float64)
    h = torch.randn(batch, hidden, generator=g, dtype=torch.float64)
    c = torch.randn(batch, hidden, generator=g, dtype=torch.float64)
    return x, h, c


@pytest.mark.parametrize("seed", range(3))
def test_gru_cell_matches_torch(seed):
    with seeded(seed):
        cell = nn.GRUCell(3, 5).double()
    x, h, _ = _inputs(seed + 10)
    mine = gc.gru_cell(x, h, *[p.detach() for p in cell.parameters()])
    torch.testing.assert_close(mine, cell(x, h), rtol=0, atol=TOL)


@pytest.mark.parametrize("seed", range(3))
def test_lstm_cell_matches_torch(seed):
    """One LSTM step by hand equals ``nn.LSTMCell`` in float64, both h_t and c_t, to 1e-12."""
    with seeded(seed):
        cell = nn.LSTMCell(3, 5).double()
    x, h, c = _inputs(seed + 10)
    h_mine, c_mine = gc.lstm_cell(x, (h, c), *[p.detach() for p in cell.parameters()])
    h_ref, c_ref = cell(x, (h, c))
    assert h_mine.shape == c_mine.shape == (4, 5)
    torch.testing.assert_close(h_mine, h_ref, rtol=0, atol=TOL)
    torch.testing.assert_close(c_mine, c_ref, rtol=0, atol=TOL)


def test_lstm_unrolled_matches_nn_lstm():
    """Stepping the hand-written cell over a sequence gives nn.LSTM's outputs and final state."""
    with seeded(0):
        lstm = nn.LSTM(3, 5).double()
    xs = torch.randn(6, 2, 3, generator=generator(1), dtype=torch.float64)
    out, (h_n, c_n) = lstm(xs)
    h = c = torch.zeros(2, 5, dtype=torch.float64)
    for t, x in enumerate(xs):
        h, c = gc.lstm_cell(x, (h, c), *[p.detach() for p in lstm.parameters()])
        torch.testing.assert_close(h, out[t], rtol=0, atol=TOL)
    torch.testing.assert_close(h, h_n[0], rtol=0, atol=TOL)
    torch.testing.assert_close(c, c_n[0], rtol=0, atol=TOL)


def test_parameter_counts():
    """The page's counts for d = H = 32: 3 and 4 blocks of 2·32·32 + 2·32."""
    assert sum(p.numel() for p in nn.GRU(32, 32).parameters()) == 6336
    assert sum(p.numel() for p in nn.LSTM(32, 32).parameters()) == 8448


def test_cell_checks():
    x, h, c = _inputs(0)
    params = [p.detach().double() for p in nn.GRUCell(3, 5).parameters()]
    lstm_params = [p.detach().double() for p in nn.LSTMCell(3, 5).parameters()]
    with pytest.raises(TypeError, match="x"):
        gc.gru_cell(x.tolist(), h, *params)
    with pytest.raises(ValueError, match="w_ih"):
        gc.gru_cell(x, h, *lstm_params)  # 4H rows where the GRU needs 3H
    with pytest.raises(ValueError, match="w_hh"):
        gc.gru_cell(x, h, params[0], params[1][:, :4], *params[2:])
    with pytest.raises(TypeError, match="state"):
        gc.lstm_cell(x, h, *lstm_params)
    with pytest.raises(ValueError, match="state"):
        gc.lstm_cell(x, (h, c[:, :4]), *lstm_params)
    with pytest.raises(ValueError, match="b_ih"):
        gc.lstm_cell(x, (h, c), *lstm_params[:2], params[2], lstm_params[3])
