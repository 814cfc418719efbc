import datetime as dt

import pytest

from sitegen.i18n import Strings
from sitegen.pipeline import ROOT

D = dt.date


@pytest.fixture(scope="module")
def strings() -> Strings:
    return Strings.load(ROOT / "templates" / "i18n")


@pytest.mark.parametrize(
    ("lang", "start", "end", "times", "expected"),
    [
        ("vi", D(2026, 1, 10), D(2026, 1, 11), (), "10–11 tháng 1 năm 2026"),
        ("en", D(2026, 1, 10), D(2026, 1, 11), (), "10–11 January 2026"),
        ("vi", D(2025, 4, 21), D(2025, 6, 3), (), "21 tháng 4 – 3 tháng 6 năm 2025"),
        ("en", D(2025, 4, 21), D(2025, 6, 3), (), "21 April – 3 June 2025"),
        ("en", D(2025, 12, 30), D(2026, 1, 2), (), "30 December 2025 – 2 January 2026"),
        ("vi", D(2025, 12, 10), D(2025, 12, 10), (), "10 tháng 12 năm 2025"),
        (
            "en",
            D(2025, 12, 10),
            D(2025, 12, 10),
            (dt.time(19, 30), dt.time(21)),
            "10 December 2025, 19:30 – 21:00",
        ),
    ],
)
def test_date_ranges_read_naturally(strings, lang, start, end, times, expected):
    assert strings.date_range(lang, start, end, *times) == expected


def test_lists_join_with_the_language_conjunction(strings):
    assert strings.join("vi", ["Thứ Bảy", "Chủ Nhật"]) == "Thứ Bảy và Chủ Nhật"
    assert strings.join("en", ["Mon", "Wed", "Fri"]) == "Mon, Wed and Fri"
