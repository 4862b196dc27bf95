"""Loading the mapping of pre-2025 communes onto the communes of today (docs/decisions/0021).

The source is the data shipped with the `vietnamadminunits` package (pinned in requirements.txt):
its SQLite dataset of the 10,040 old units with their official codes and names, and its table of
which commune of today took in each old one, with the splits listed part by part. Only those files
are read; the package's code (which, given a street, would geocode it over the network to choose
one part of a split) is never imported. Conversion at runtime reads our tables
(rosters.selectors.addresses), so a future reform is a new data version loaded by the same command.
"""

import json
import sqlite3
from collections import defaultdict
from dataclasses import dataclass
from importlib.util import find_spec
from pathlib import Path

from django.db import transaction

from onetouch.models import Commune, Province
from rosters.models import OldCommune, OldCommuneSuccessor
from rosters.pure.addresses import commune_key, district_key, province_key

SOURCE_PACKAGE = "vietnamadminunits"


class AddressMappingError(Exception):
    """The source data does not fit the communes of today: nothing was loaded."""


@dataclass(frozen=True)
class _OldUnit:
    code: str
    name: str
    district_code: str
    district_name: str
    province_code: str
    province_name: str


@dataclass(frozen=True)
class AddressMappingsLoaded:
    old_communes: int
    successors: int
    splits: int


def _source_folder() -> Path:
    spec = find_spec(SOURCE_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise AddressMappingError(f"The package {SOURCE_PACKAGE} is not installed (requirements.txt).")
    return Path(next(iter(spec.submodule_search_locations))) / "data"


def _source_read() -> tuple[dict[str, _OldUnit], dict[str, tuple[str, str]], dict[str, list[tuple[str, bool]]]]:
    """Read the package's files: old units by their path key, new units' (province code, name) by
    their key, and for each old path key its successors' keys with the "main part" mark."""
    folder = _source_folder()
    with sqlite3.connect(f"file:{folder / 'dataset.db'}?mode=ro", uri=True) as connection:
        legacy = connection.execute(
            "SELECT provinceKey, districtKey, wardKey, wardCode, ward, districtCode, district, districtShort,"
            " provinceCode, province FROM admin_units_legacy"
        ).fetchall()
        current = connection.execute("SELECT provinceKey, wardKey, provinceCode, ward FROM admin_units").fetchall()
    old_units = {}
    for p_key, d_key, w_key, code, name, d_code, d_name, d_short, p_code, p_name in legacy:
        if code is None:
            # An island district without communes (Lý Sơn, Côn Đảo, …), today a special zone: the
            # district stands for its own commune, named as people write it ("Lý Sơn").
            code, name, w_key = f"d{d_code}", d_short, ""
        old_units[f"{p_key}_{d_key}_{w_key}"] = _OldUnit(code, name, d_code, d_name, p_code, p_name)
    new_units = {f"{p_key}_{w_key}": (p_code, name) for p_key, w_key, p_code, name in current}

    converter = json.loads((folder / "converter_2025.json").read_text(encoding="utf-8"))
    successors: dict[str, list[tuple[str, bool]]] = defaultdict(list)
    for new_province, wards in converter["DICT_PROVINCE_WARD_NO_DIVIDED"].items():
        for new_ward, old_paths in wards.items():
            for old_path in old_paths:
                successors[old_path].append((f"{new_province}_{new_ward}", True))
    for new_province, old_paths in converter["DICT_PROVINCE_WARD_DIVIDED"].items():
        for old_path, parts in old_paths.items():
            for part in parts:
                successors[old_path].append((f"{new_province}_{part['newWardKey']}", part["isDefaultNewWard"]))
    return old_units, new_units, successors


@transaction.atomic
def address_mappings_load() -> AddressMappingsLoaded:
    """Insert or update the old communes and their successors from the source data; remove what the
    data no longer holds. Safe to run any number of times; all or nothing."""
    old_units, new_units, successors = _source_read()
    province_codes = dict(Province.objects.values_list("id", "code"))
    commune_ids = {
        (province_codes[province_id], commune_key(name).exact): pk
        for pk, name, province_id in Commune.objects.values_list("id", "name", "province_id")
    }
    if not commune_ids:
        raise AddressMappingError("Load the communes of today first (manage.py load_admin_units).")
    new_unit_ids = {}
    for key, (province_code, name) in new_units.items():
        pk = commune_ids.get((province_code, commune_key(name).exact))
        if pk is None:
            raise AddressMappingError(f"The commune {name} ({province_code}) of the source is not one of today's.")
        new_unit_ids[key] = pk

    OldCommune.objects.bulk_create(
        [
            OldCommune(
                code=unit.code,
                name=unit.name,
                district_code=unit.district_code,
                district_name=unit.district_name,
                province_code=unit.province_code,
                province_name=unit.province_name,
                key=commune_key(unit.name).folded,
                district_key=district_key(unit.district_name).folded,
                province_key=province_key(unit.province_name).folded,
            )
            for unit in old_units.values()
        ],
        batch_size=2000,
        update_conflicts=True,
        unique_fields=["code"],
        update_fields=["name", "district_code", "district_name", "province_code", "province_name", "key"]
        + ["district_key", "province_key"],
    )
    OldCommune.objects.exclude(code__in=[unit.code for unit in old_units.values()]).delete()
    old_ids = dict(OldCommune.objects.values_list("code", "id"))

    links = {}
    for old_path, parts in successors.items():
        unit = old_units.get(old_path)
        if unit is None:
            continue
        only_one = len(parts) == 1
        for new_key, is_main in parts:
            links[(old_ids[unit.code], new_unit_ids[new_key])] = is_main or only_one
    OldCommuneSuccessor.objects.bulk_create(
        [OldCommuneSuccessor(old_commune_id=o, commune_id=c, is_main=main) for (o, c), main in links.items()],
        batch_size=2000,
        update_conflicts=True,
        unique_fields=["old_commune", "commune"],
        update_fields=["is_main"],
    )
    _stale_successors_delete(set(links))
    counts = defaultdict(int)
    for old_id, _commune_id in links:
        counts[old_id] += 1
    return AddressMappingsLoaded(
        old_communes=len(old_ids),
        successors=len(links),
        splits=sum(1 for count in counts.values() if count > 1),
    )


def _stale_successors_delete(kept: set[tuple[int, int]]) -> None:
    """Remove the links the data no longer holds (a part of a split given back to another commune)."""
    stale = [
        pk
        for pk, old_id, commune_id in OldCommuneSuccessor.objects.values_list("id", "old_commune_id", "commune_id")
        if (old_id, commune_id) not in kept
    ]
    OldCommuneSuccessor.objects.filter(id__in=stale).delete()
