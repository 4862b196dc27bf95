"""Names reduced to keys: prefixes, abbreviations, diacritics, case, spaces and numbers."""

import pytest

from rosters.pure.addresses import NameKey, commune_key, district_key, names_matching, province_key


@pytest.mark.parametrize(
    "written",
    ["Phường 1", "P.01", "P. 1", "phường 01", "PHUONG 1", "  Phuong   1 ", "P.1", "P1", "p 01"],
)
def test_a_numbered_ward_gives_one_key_however_written(written):
    assert commune_key(written) == NameKey(exact="1", folded="1", kind="phuong")


@pytest.mark.parametrize(
    ("written", "kind"),
    [
        ("Xã Tà Xi Láng", "xa"),
        ("X. Tà Xi Láng", "xa"),
        ("xa ta xi lang", "xa"),
        ("Tà Xi Láng", ""),
        ("Thị trấn Tà Xi Láng", "thi_tran"),
        ("TT. Tà Xi Láng", "thi_tran"),
    ],
)
def test_commune_prefixes_and_abbreviations_are_removed(written, kind):
    key = commune_key(written)
    assert (key.folded, key.kind) == ("ta xi lang", kind)


@pytest.mark.parametrize(
    "written",
    ["Quận Ba Đình", "Q. Ba Đình", "Q.Ba Đình", "quan ba dinh", "Ba Đình"],
)
def test_district_prefixes_are_removed(written):
    assert district_key(written).folded == "ba dinh"


@pytest.mark.parametrize("written", ["Quận 3", "Q.3", "Q3", "q. 03"])
def test_a_numbered_district_gives_one_key(written):
    assert district_key(written).folded == "3"


@pytest.mark.parametrize("written", ["Thành phố Hà Giang", "TP. Hà Giang", "TP Hà Giang", "Tp Ha Giang"])
def test_a_city_within_a_province_gives_one_key(written):
    assert district_key(written).folded == "ha giang"


@pytest.mark.parametrize(
    "written",
    ["Thành phố Hà Nội", "TP. Hà Nội", "TP.Hà Nội", "Tp Hà Nội", "Ha Noi", "HÀ NỘI", "Hà  Nội", "T. Hà Nội"],
)
def test_province_prefixes_are_removed(written):
    assert province_key(written).folded == "ha noi"


def test_common_short_names_of_a_province_are_known():
    for written in ("TP HCM", "TP.HCM", "TPHCM", "Tp Hồ Chí Minh", "Sài Gòn"):
        assert province_key(written).folded == province_key("Thành phố Hồ Chí Minh").folded == "ho chi minh"


def test_d_with_stroke_folds_to_d_and_the_tone_mark_may_sit_on_either_vowel():
    assert commune_key("Đồng Hoà").exact == commune_key("đồng hòa").exact
    assert commune_key("Đồng Hoà").folded == "dong hoa"
    assert commune_key("Thuỷ Nguyên").exact == commune_key("Thủy Nguyên").exact


def test_a_name_beginning_like_an_abbreviation_keeps_its_letters():
    # "H" and "T" without their dot begin names: they are not prefixes.
    assert commune_key("Hòa Bình").folded == "hoa binh"
    assert province_key("Tây Ninh").folded == "tay ninh"
    assert district_key("Hải An").folded == "hai an"


def test_a_name_without_diacritics_matching_two_places_returns_both():
    named = [(commune_key("Xã Văn Lang"), 1), (commune_key("Xã Văn Lăng"), 2)]
    assert names_matching(commune_key("Van Lang"), named) == [1, 2]
    assert names_matching(commune_key("Văn Lăng"), named) == [2]


def test_the_kind_a_prefix_names_chooses_between_a_ward_and_a_commune_of_one_name():
    named = [(NameKey("tân an", "tan an", "phuong"), 1), (NameKey("tân an", "tan an", "xa"), 2)]
    assert names_matching(commune_key("Xã Tân An"), named) == [2]
    assert names_matching(commune_key("Tân An"), named) == [1, 2]
