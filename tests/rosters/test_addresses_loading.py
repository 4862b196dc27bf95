"""The mapping tables load from the source data, and loading again changes nothing."""

import pytest
from django.core.management import call_command

from onetouch.models import Commune
from rosters.models import OldCommune, OldCommuneSuccessor
from rosters.services.addresses import address_mappings_load

pytestmark = pytest.mark.django_db


def _tables() -> tuple[list, list]:
    old = list(OldCommune.objects.order_by("code").values_list("id", "code", "name", "key", "district_key"))
    links = list(
        OldCommuneSuccessor.objects.order_by("old_commune_id", "commune_id").values_list(
            "old_commune_id", "commune_id", "is_main"
        )
    )
    return old, links


def test_every_old_commune_is_loaded_with_at_least_one_commune_of_today(address_mappings):
    assert OldCommune.objects.count() == 10_040
    assert not OldCommune.objects.filter(successor_links__isnull=True).exists()
    # Every commune of today took in at least one old commune.
    assert not Commune.objects.filter(predecessor_links__isnull=True).exists()


def test_a_split_commune_has_one_main_part_and_a_merged_one_a_single_successor(address_mappings):
    doi_can = OldCommune.objects.get(name="Phường Đội Cấn", district_name="Quận Ba Đình")
    assert sorted(doi_can.successor_links.values_list("commune__name", "is_main")) == [
        ("Phường Ba Đình", False),
        ("Phường Ngọc Hà", True),
    ]
    hang_bac = OldCommune.objects.get(name="Phường Hàng Bạc")
    assert list(hang_bac.successor_links.values_list("commune__name", "is_main")) == [("Phường Hoàn Kiếm", True)]


def test_loading_again_changes_nothing_and_puts_back_what_was_changed(address_mappings, capsys):
    before = _tables()
    hang_bac = OldCommune.objects.get(name="Phường Hàng Bạc")
    hang_bac.successor_links.update(commune=Commune.objects.get(province__code="01", name="Phường Cửa Nam"))
    OldCommuneSuccessor.objects.create(
        old_commune=hang_bac, commune=Commune.objects.get(province__code="01", name="Phường Ba Đình")
    )
    OldCommune.objects.create(code="99999", name="Xã Cũ", district_code="999", province_code="99")

    call_command("load_address_mappings")

    assert _tables() == before
    assert "10040 pre-2025 communes" in capsys.readouterr().out


def test_the_counts_loaded_are_reported(address_mappings):
    loaded = address_mappings_load()
    assert (loaded.old_communes, loaded.successors, loaded.splits) == (
        10_040,
        OldCommuneSuccessor.objects.count(),
        471,
    )
