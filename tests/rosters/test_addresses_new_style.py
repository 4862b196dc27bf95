"""New-style addresses (34 provinces, 3,321 communes) resolve, however they are spelt."""

import pytest

from onetouch.models import Commune
from rosters.selectors.addresses import address_resolve

pytestmark = pytest.mark.django_db


def test_a_new_style_address_resolves_exactly(admin_units):
    match = address_resolve(province="Thành phố Hà Nội", commune="Phường Ba Đình")
    ba_dinh = Commune.objects.get(name="Phường Ba Đình", province__name="Thành phố Hà Nội")
    assert (match.commune_id, match.province_id, match.problem, match.converted) == (
        ba_dinh.id,
        ba_dinh.province_id,
        None,
        False,
    )


@pytest.mark.parametrize(
    ("province", "commune"),
    [
        ("Ha Noi", "Phuong Ba Dinh"),
        ("TP. Hà Nội", "P. Ba Đình"),
        ("  thành phố  HÀ NỘI ", "ba đình"),
        ("Hà Nội", "P.Ba Đình"),
    ],
)
def test_a_new_style_address_resolves_without_diacritics_prefixes_or_case(admin_units, province, commune):
    ba_dinh = Commune.objects.get(name="Phường Ba Đình", province__name="Thành phố Hà Nội")
    assert address_resolve(province=province, commune=commune).commune_id == ba_dinh.id


def test_an_unknown_province_is_said(admin_units):
    assert address_resolve(province="Atlantis", commune="Phường Ba Đình").problem == "unknown_province"
