"""Interface strings and date formats in both languages. Knows no page.

Receives templates/i18n/{vi,en}.yaml (maintainers' files, so a broken one is a bug and raises);
returns Strings, which templates call as t("nav.spaces") and the model uses to format dates.
"""

from __future__ import annotations

import datetime as dt
import string
from dataclasses import dataclass
from pathlib import Path

import yaml

LANGS = ("vi", "en")


def _flatten(data: dict[str, object], prefix: str = "") -> dict[str, object]:
    out: dict[str, object] = {}
    for key, value in data.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            out.update(_flatten(value, name + "."))
        else:
            out[name] = value
    return out


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


@dataclass(frozen=True)
class Strings:
    table: dict[str, dict[str, object]]

    @classmethod
    def load(cls, folder: Path) -> Strings:
        table = {}
        for lang in LANGS:
            with open(folder / f"{lang}.yaml", encoding="utf-8") as f:
                table[lang] = _flatten(yaml.safe_load(f))
        missing = set(table["vi"]) ^ set(table["en"])
        if missing:
            raise ValueError(f"UI strings missing in one language: {sorted(missing)}")
        return cls(table)

    def t(self, lang: str, key: str, **values: object) -> str:
        text = self.table[lang][key]
        if not isinstance(text, str):
            raise TypeError(f"UI string {key} is not text")
        return text.format(**values) if values else text

    def list(self, lang: str, key: str) -> list[str]:
        value = self.table[lang][key]
        assert isinstance(value, list)
        return value

    def date(self, lang: str, day: dt.date, *, year: bool = True) -> str:
        month = self.list(lang, "date.months")[day.month - 1]
        key = "date.day" if year else "date.day_no_year"
        return self.t(lang, key, day=day.day, month=month, year=day.year)

    def month(self, lang: str, year: int, month: int) -> str:
        name = self.list(lang, "date.months")[month - 1]
        return self.t(lang, "date.month_year", month=name, month_number=month, year=year)

    def date_range(
        self,
        lang: str,
        start: dt.date,
        end: dt.date,
        start_time: dt.time | None = None,
        end_time: dt.time | None = None,
    ) -> str:
        """'21 April – 3 June 2025', '10 December 2025, 19:30 – 21:00'."""
        dash = self.t(lang, "date.range")
        if start == end:
            text = self.date(lang, start)
            if start_time:
                text += f", {start_time:%H:%M}"
                if end_time and end_time != start_time:
                    text += f"{dash}{end_time:%H:%M}"
            return text
        if (start.year, start.month) == (end.year, end.month) and not (start_time or end_time):
            month = self.list(lang, "date.months")[start.month - 1]
            return self.t(
                lang, "date.day_span", day=start.day, end_day=end.day, month=month, year=end.year
            )
        first = self.date(lang, start, year=start.year != end.year)
        if start_time:
            first += f", {start_time:%H:%M}"
        last = self.date(lang, end)
        if end_time:
            last += f", {end_time:%H:%M}"
        return f"{first}{dash}{last}"

    def join(self, lang: str, items: list[str]) -> str:
        if len(items) <= 1:
            return "".join(items)
        return ", ".join(items[:-1]) + self.t(lang, "date.list_and") + items[-1]

    def weekday(self, lang: str, index: int) -> str:
        return self.list(lang, "date.weekdays")[index]
