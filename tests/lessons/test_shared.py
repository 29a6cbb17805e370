"""Shared helpers: seeding, devices, argument checks, expected errors, figures."""

from __future__ import annotations

import re

import pytest
import torch

from lessons import checks, devices, plotting, printing, seeds


def test_generator_is_reproducible_and_independent_of_global_state():
    a = torch.randn(5, generator=seeds.generator(3))
    torch.manual_seed(123)
    b = torch.randn(5, generator=seeds.generator(3))
    assert torch.equal(a, b)


def test_seeded_restores_global_state():
    torch.manual_seed(7)
    expected = torch.rand(3)
    torch.manual_seed(7)
    with seeds.seeded(0):
        first = torch.nn.Linear(2, 2).weight.clone()
    assert torch.equal(torch.rand(3), expected)
    with seeds.seeded(0):
        assert torch.equal(torch.nn.Linear(2, 2).weight, first)


@pytest.mark.parametrize("bad", [-1, 1.5, "3", True])
def test_seed_is_checked(bad):
    with pytest.raises((ValueError, TypeError), match="seed"):
        seeds.generator(bad)


def test_devices():
    assert devices.resolve_device(None) == devices.default_device()
    assert devices.resolve_device("cpu") == torch.device("cpu")
    with pytest.raises(ValueError, match="device"):
        devices.resolve_device("tpu")
    with pytest.raises(TypeError, match="device"):
        devices.resolve_device(3)
    if not torch.cuda.is_available():
        with pytest.raises(ValueError, match="device"):
            devices.resolve_device("cuda")


def test_check_ints_refuses_an_empty_sequence_and_checks_each_value():
    checks.check_ints("seeds", range(3), minimum=0)
    with pytest.raises(ValueError, match="seeds must not be empty"):
        checks.check_ints("seeds", ())
    with pytest.raises(ValueError, match="seeds must be >= 0"):
        checks.check_ints("seeds", (0, -1), minimum=0)
    with pytest.raises(TypeError, match="seeds must be an int"):
        checks.check_ints("seeds", (0, 1.5))


def test_check_int_and_float():
    assert checks.check_int("k", 3, minimum=1) == 3
    with pytest.raises(ValueError, match="k must be >= 1"):
        checks.check_int("k", 0, minimum=1)
    with pytest.raises(TypeError, match="k must be an int"):
        checks.check_int("k", 2.0)
    assert checks.check_float("lr", 1, minimum=0, strict=True) == 1.0
    with pytest.raises(ValueError, match="lr must be > 0"):
        checks.check_float("lr", 0.0, minimum=0, strict=True)
    with pytest.raises(ValueError, match="lr must be finite"):
        checks.check_float("lr", float("nan"))
    with pytest.raises(TypeError, match="lr must be a number"):
        checks.check_float("lr", "0.1")


def test_expect_error_prints_and_insists(capsys):
    with printing.expect_error(ZeroDivisionError):
        1 / 0  # noqa: B018
    assert capsys.readouterr().out == "ZeroDivisionError: division by zero\n"
    with pytest.raises(AssertionError, match="expected KeyError"):
        with printing.expect_error(KeyError):
            pass
    with pytest.raises(TypeError, match="kind"):
        with printing.expect_error("oops"):
            pass


def test_svg_is_deterministic_standalone_and_renumbered():
    def draw():
        fig, ax = plotting.subplots()
        ax.fill_between([0, 1, 2], [0, 1, 0])  # a clip path: matplotlib ids it by address
        ax.plot([0, 1, 2], [1, 0, 1], label="$J$")
        ax.set_xlabel("$t$")
        ax.set_ylabel("$J$")
        ax.legend()
        return fig

    first, second = plotting.to_svg(draw(), "a"), plotting.to_svg(draw(), "a")
    assert first == second
    assert first.startswith("<svg") and 'viewBox="0 0 460.8 259.2"' in first
    assert "<metadata" not in first and "<?xml" not in first
    ids = re.findall(r'id="([^"]+)"', first)
    assert ids == [f"a-{n}" for n in range(1, len(ids) + 1)]  # in order of appearance
    assert 'clip-path="url(#a-' in first
    assert plotting.describe(draw()) == "$J$ vs $t$; $J$"


def test_empty_figure_has_no_content():
    fig, _ = plotting.subplots()
    assert not plotting.has_content(fig)


def test_offset_seed_shifts_every_source(monkeypatch):
    from lessons import digits
    from lessons.gradient_descent import lesson as gradient_descent

    assert seeds.offset_seed(3) == 3
    split0, data0 = digits.load(seed=0).y_test, gradient_descent.make_data(n=8, seed=0)
    monkeypatch.setenv("LESSONS_SEED", "1")
    assert seeds.offset_seed(3) == 4
    assert not torch.equal(digits.load(seed=0).y_test, split0)  # scikit-learn's split
    assert gradient_descent.make_data(n=8, seed=0) != data0  # random.Random
    with pytest.raises(ValueError, match="seed"):
        seeds.offset_seed(-1)


def test_progress_is_off_unless_asked(monkeypatch, capsys):
    monkeypatch.delenv("LESSONS_PROGRESS", raising=False)
    assert list(printing.progress(range(3))) == [0, 1, 2]
    assert capsys.readouterr().err == ""
    monkeypatch.setenv("LESSONS_PROGRESS", "1")
    assert list(printing.progress(["a", "b"], "step")) == ["a", "b"]
    err = capsys.readouterr().err
    assert "\r  step 1/2 [" in err and err.endswith("step 2/2 [" + "#" * 24 + "]\n")


def test_checked_runs_the_check_with_every_argument_by_name():
    from lessons.checks import check_float, checked

    seen = []

    def check(lr, steps, **_):
        seen.append((lr, steps))
        check_float("lr", lr, minimum=0.0, strict=True)

    @checked(check)
    def train(lr, steps=3):
        """Doc kept."""
        return lr * steps

    assert train(0.5) == 1.5 and seen == [(0.5, 3)]
    assert train.__doc__ == "Doc kept." and train.__name__ == "train"
    with pytest.raises(ValueError, match="lr must be > 0"):
        train(0.0)
    with pytest.raises(TypeError):
        train(0.5, 3, 4)
    with pytest.raises(TypeError, match="check must be callable"):
        checked(3)


def test_plot_curves_covers_every_lesson():
    fig = plotting.plot_curves({"$a$": [3.0, 2.0, 1.0]}, "$L$")
    assert fig.axes[0].get_yscale() == "log" and fig.axes[0].get_xlabel() == "$t$"
    assert fig.get_label() == "$L$ vs $t$: $a$" and plotting.has_content(fig)
    fig = plotting.plot_curves(
        {"$a$": [1.0, 3.0], "$b$": [2.0, 2.5]}, "$w_k$", "$k$", log=False, hline=(2.0, "$w^*$")
    )
    ax = fig.axes[0]
    assert ax.get_yscale() == "linear" and len(ax.lines) == 3 and ax.get_legend() is not None
    for bad in ({}, [1.0], None):
        with pytest.raises(ValueError, match="curves"):
            plotting.plot_curves(bad, "$L$")


def test_plot_curves_and_gap():
    fig = plotting.plot_curves_and_gap(
        {"$a$": [1.0, 2.0], "$b$": [1.0, 2.5]}, "$J$", ylim=(0.1, 10)
    )
    gap = fig.axes[1].lines[0].get_ydata()
    assert list(gap) == [0.0, 0.5] and fig.axes[0].get_ylim() == (0.1, 10)
    with pytest.raises(ValueError, match="curves"):
        plotting.plot_curves_and_gap({"$a$": [1.0]}, "$J$")
    with pytest.raises(ValueError, match="curves"):
        plotting.plot_curves_and_gap({"$a$": [1.0], "$b$": [1.0, 2.0]}, "$J$")
