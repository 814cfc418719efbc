from sitegen.vietnamese import collation_key, fold_tones, slug_identity, slugify


def test_fold_tones_removes_tones_and_crosses_d():
    assert fold_tones("Bảo tàng Phụ nữ Việt Nam") == "Bao tang Phu nu Viet Nam"
    assert fold_tones("Đình Kim Ngân, đường") == "Dinh Kim Ngan, duong"


def test_slugify_makes_folder_names():
    assert slugify("Hội quán Quảng Đông") == "hoi-quan-quang-dong"
    assert slugify("  Phố Hàng Buồm – 22! ") == "pho-hang-buom-22"


def test_slug_identity_ignores_case_and_tones():
    assert slug_identity("Dinh-Kim-Ngan") == slug_identity("đình-kim-ngân")
    assert slug_identity("dinh-kim-ngan") != slug_identity("dinh-kim-ngan-2")


def test_collation_follows_the_vietnamese_alphabet():
    words = ["đình", "dinh", "ăn", "an", "âm", "bảo", "ê", "e", "ơ", "ô", "o", "ư", "u", "Zoo"]
    ordered = sorted(words, key=collation_key)
    assert ordered == [
        "an",
        "ăn",
        "âm",
        "bảo",
        "dinh",
        "đình",
        "e",
        "ê",
        "o",
        "ô",
        "ơ",
        "u",
        "ư",
        "Zoo",
    ]


def test_collation_breaks_ties_by_tone_in_traditional_order():
    tones = ["ma", "mà", "mả", "mã", "má", "mạ"]
    assert sorted(reversed(tones), key=collation_key) == tones


def test_collation_letters_before_tones():
    # "bà" precedes "bác": letters decide first, tones only break ties.
    assert sorted(["bác", "bà"], key=collation_key) == ["bà", "bác"]
    assert sorted(["Tràng Tiền", "Trang"], key=collation_key) == ["Trang", "Tràng Tiền"]


def test_collation_accepts_any_text():
    # found by the property tests: superscripts and other "digits" int() cannot read
    assert sorted(["b²", "a1", "a"], key=collation_key) == ["a", "a1", "b²"]
