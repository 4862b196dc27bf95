"""Old-style addresses (63 provinces, districts, old communes) converted to the communes of today,
on real examples of every kind of change of 1 July 2025 (Resolutions of the NA Standing Committee)."""

import time

import pytest

from onetouch.models import Commune
from rosters.models import OldCommune, OldCommuneSuccessor
from rosters.selectors.addresses import address_resolve, addresses_resolve

pytestmark = pytest.mark.django_db


@pytest.fixture
def today(address_mappings):
    """A commune of today by its province's code and its name."""

    def commune(province_code: str, name: str) -> Commune:
        return Commune.objects.get(province__code=province_code, name=name)

    return commune


@pytest.mark.parametrize(
    ("province", "district", "commune", "province_code", "expected"),
    [
        # Merged provinces: Hà Giang into Tuyên Quang, Bắc Giang into Bắc Ninh, Quảng Nam into Đà Nẵng.
        ("Tỉnh Hà Giang", "Thành phố Hà Giang", "Phường Minh Khai", "08", "Phường Hà Giang 2"),
        ("Tỉnh Bắc Giang", "Thành phố Bắc Giang", "Phường Trần Phú", "24", "Phường Bắc Giang"),
        ("Tỉnh Quảng Nam", "Thành phố Hội An", "Phường Minh An", "48", "Phường Hội An"),
        ("Tỉnh Quảng Nam", "Thành phố Tam Kỳ", "Phường An Mỹ", "48", "Phường Tam Kỳ"),
        # An unchanged province whose communes merged: Hàng Bạc and six other wards became Hoàn Kiếm.
        ("Thành phố Hà Nội", "Quận Hoàn Kiếm", "Phường Hàng Bạc", "01", "Phường Hoàn Kiếm"),
        ("Thành phố Hà Nội", "Quận Ba Đình", "Phường Quán Thánh", "01", "Phường Ba Đình"),
        # Renamed whole: Tà Si Láng (Yên Bái) is Tà Xi Láng (Lào Cai); Krông Na is Buôn Đôn.
        ("Tỉnh Yên Bái", "Huyện Trạm Tấu", "Xã Tà Si Láng", "15", "Xã Tà Xi Láng"),
        ("Tỉnh Đắk Lắk", "Huyện Buôn Đôn", "Xã Krông Na", "66", "Xã Buôn Đôn"),
        # Spelt as spreadsheets spell them: no diacritics, abbreviations, numbers with a zero.
        ("Ha Giang", "TP Ha Giang", "P. Minh Khai", "08", "Phường Hà Giang 2"),
        ("TP. Hồ Chí Minh", "Quận 3", "Phường 01", "79", "Phường Bàn Cờ"),
        ("TP HCM", "Q.3", "P.1", "79", "Phường Bàn Cờ"),
        ("Tp Hồ Chí Minh", "Q3", "P1", "79", "Phường Bàn Cờ"),
        ("BRVT", "TP Vung Tau", "P1", "79", "Phường Vũng Tàu"),
        ("ĐẮK LẮK", "HUYỆN BUÔN ĐÔN", "XÃ KRÔNG NA", "66", "Xã Buôn Đôn"),
        # An island district without communes is today a special zone.
        ("Tỉnh Quảng Ngãi", "Huyện Lý Sơn", "", "51", "Đặc khu Lý Sơn"),
    ],
)
def test_an_old_style_address_converts_to_its_commune_of_today(
    today, province, district, commune, province_code, expected
):
    match = address_resolve(province=province, district=district, commune=commune)
    successor = today(province_code, expected)
    assert (match.commune_id, match.province_id, match.problem, match.converted) == (
        successor.id,
        successor.province_id,
        None,
        True,
    )


def test_an_old_commune_without_its_district_converts_when_its_name_is_unique_in_its_province(today):
    match = address_resolve(province="Hà Nội", commune="Phường Hàng Bạc")
    assert (match.commune_id, match.converted) == (today("01", "Phường Hoàn Kiếm").id, True)


def test_a_split_commune_is_flagged_with_its_candidates_not_guessed(today):
    # Đội Cấn (Ba Đình) was shared between the wards Ngọc Hà and Ba Đình.
    match = address_resolve(province="Thành phố Hà Nội", district="Quận Ba Đình", commune="Phường Đội Cấn")
    assert match.problem == "split"
    assert match.commune_id is None
    assert set(match.candidate_ids) == {today("01", "Phường Ngọc Hà").id, today("01", "Phường Ba Đình").id}
    assert match.province_id == today("01", "Phường Ba Đình").province_id
    assert match.converted


def test_a_commune_split_four_ways_lists_all_four(today):
    match = address_resolve(province="Ha Noi", district="Huyen Thanh Tri", commune="Xa Tan Trieu")
    names = {"Phường Thanh Liệt", "Phường Định Công", "Phường Khương Đình", "Phường Hà Đông"}
    assert (match.problem, set(match.candidate_ids)) == ("split", {today("01", name).id for name in names})


def test_an_unknown_commune_is_said_with_its_province(today):
    match = address_resolve(province="Tỉnh Hà Giang", district="Thành phố Hà Giang", commune="Phường Không Có")
    assert (match.problem, match.commune_id, match.candidate_ids) == ("unknown_commune", None, ())
    assert match.province_id == today("08", "Phường Hà Giang 2").province_id


def test_a_name_several_communes_share_without_diacritics_is_ambiguous(today):
    # Thái Nguyên has both Xã Văn Lang and Xã Văn Lăng.
    match = address_resolve(province="Thai Nguyen", commune="Van Lang")
    assert (match.problem, match.commune_id) == ("ambiguous", None)
    assert set(match.candidate_ids) == {today("19", "Xã Văn Lang").id, today("19", "Xã Văn Lăng").id}
    assert address_resolve(province="Thai Nguyen", commune="Xã Văn Lăng").commune_id == today("19", "Xã Văn Lăng").id


def test_an_old_ward_number_without_its_district_is_ambiguous(today):
    # Nearly every old district of Hồ Chí Minh City had a Phường 1.
    match = address_resolve(province="TP HCM", commune="Phường 1")
    assert match.problem == "ambiguous"
    assert today("79", "Phường Bàn Cờ").id in match.candidate_ids


def test_conversion_reads_the_tables_so_a_reform_is_a_data_change(today):
    hang_bac = OldCommune.objects.get(name="Phường Hàng Bạc", district_name="Quận Hoàn Kiếm")
    OldCommuneSuccessor.objects.filter(old_commune=hang_bac).update(commune=today("01", "Phường Cửa Nam"))
    match = address_resolve(province="Hà Nội", district="Hoàn Kiếm", commune="Hàng Bạc")
    assert match.commune_id == today("01", "Phường Cửa Nam").id


def test_ten_thousand_rows_resolve_in_five_queries_and_well_under_a_minute(today, django_assert_max_num_queries):
    rows = [
        ("Tỉnh Hà Giang", "Phường Minh Khai", "Thành phố Hà Giang"),
        ("Thành phố Hà Nội", "Phường Ba Đình", ""),
        ("Ha Noi", "Doi Can", "Ba Dinh"),
        ("Thai Nguyen", "Van Lang", ""),
        ("TP HCM", "P.01", "Q.3"),
    ] * 2000
    started = time.monotonic()
    with django_assert_max_num_queries(5):
        matches = addresses_resolve(rows)
    assert time.monotonic() - started < 10
    assert [m.problem for m in matches[:5]] == [None, None, "split", "ambiguous", None]
    assert len(matches) == 10_000


def test_an_old_province_with_a_commune_of_today_finds_it_in_the_province_it_merged_into(today):
    match = address_resolve(province="Tỉnh Bắc Giang", commune="Phường Bắc Giang")
    assert (match.commune_id, match.problem, match.converted) == (today("24", "Phường Bắc Giang").id, None, True)
