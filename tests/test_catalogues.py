"""Both languages say the same thing with the same placeholders, everywhere."""

import re

from sitegen.errors import CATALOGUE, HINTS
from sitegen.i18n import LANGS, Strings, placeholders
from sitegen.pipeline import ROOT


def _neutral(names: set[str]) -> set[str]:
    return {re.sub(r"_(vi|en)$", "", n) for n in names}


def test_error_messages_have_both_languages_with_the_same_placeholders():
    for code, (vi, en) in CATALOGUE.items():
        assert vi.strip() and en.strip(), code
        assert _neutral(placeholders(vi)) == _neutral(placeholders(en)), code
    for code, (vi, en) in HINTS.items():
        assert code in CATALOGUE, code
        assert placeholders(vi) == placeholders(en) == set(), code


def test_ui_strings_have_the_same_keys_and_placeholders():
    strings = Strings.load(ROOT / "templates" / "i18n")
    vi, en = strings.table["vi"], strings.table["en"]
    assert set(vi) == set(en)
    for key in vi:
        if not isinstance(vi[key], str):
            assert len(vi[key]) == len(en[key]), key
        elif key.startswith("date."):
            # A date format may use any of the parts the code fills, in its own order.
            for text in (vi[key], en[key]):
                assert placeholders(text) <= {"day", "end_day", "month", "month_number", "year"}, (
                    key
                )
        else:
            assert placeholders(vi[key]) == placeholders(en[key]), key


def test_templates_contain_no_interface_text():
    """Every visible word comes from the strings files: templates hold only markup."""
    tag_text = re.compile(r">([^<>{}]*[A-Za-zÀ-ỹ]{3,}[^<>{}]*)<")
    for template in (ROOT / "templates").glob("*.html"):
        source = re.sub(r"{%.*?%}|{{.*?}}|{#.*?#}", "", template.read_text(), flags=re.S)
        found = [m.strip() for m in tag_text.findall(source) if m.strip()]
        assert not found, f"{template.name}: {found}"


def test_languages_are_vi_then_en():
    assert LANGS == ("vi", "en")
