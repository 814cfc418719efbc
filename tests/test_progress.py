"""The progress bar of long builds: drawn in place on a terminal, quiet anywhere else."""

from __future__ import annotations

import io

import build as cli


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def _run(monkeypatch, stream: io.StringIO, calls: list[tuple[float, str, int, int]]) -> str:
    clock = iter([t for t, *_ in calls])
    monkeypatch.setattr(cli.time, "monotonic", lambda: next(clock))
    progress = cli._Progress(stream)
    for _, step, done, total in calls:
        progress(step, done, total)
    return stream.getvalue()


def test_nothing_is_written_when_output_is_not_a_terminal(monkeypatch):
    calls = [(t, "photos", n, 5) for n, t in enumerate((0.5, 1.5, 2.5, 3.5, 4.5), 1)]
    assert _run(monkeypatch, io.StringIO(), calls) == ""


def test_a_bar_after_a_second_redrawn_in_place_and_erased_at_the_end(monkeypatch):
    calls = [
        (0.0, "photos", 0, 4),  # the step starts
        (0.5, "photos", 1, 4),  # too soon to show
        (1.2, "photos", 2, 4),  # shown
        (1.25, "photos", 3, 4),  # a twentieth of a second later: not redrawn
        (2.0, "photos", 4, 4),  # done: erased
    ]
    out = _run(monkeypatch, Terminal(), calls)
    assert out == "\r" + "photos  [" + "#" * 15 + "-" * 15 + "] 2/4 (1s)" + "\r\033[K"


def test_each_step_starts_its_own_clock(monkeypatch):
    calls = [(0.0, "pages", 1, 9), (5.0, "pages", 9, 9), (5.1, "search", 1, 2)]
    assert _run(monkeypatch, Terminal(), calls) == ""  # search has run a tenth of a second
