"""Addresses as written in a roster, resolved to a commune of today (docs/decisions/0021).

A row names a province and a commune, and sometimes a district. Written new-style (34 provinces,
3,321 communes since 1 July 2025) it is looked up in onetouch's Province and Commune; written
old-style (63 provinces, districts, old communes) it is converted through the mapping tables
(rosters.models.OldCommune). When a district is given the address is old-style (districts no longer
exist) and is converted first, as it is when the province is one of the 63 that no longer
exist; otherwise the communes of today are tried first.

Nothing is guessed: a name several places share (often once its diacritics are gone) is
"ambiguous", an old commune split between several new ones is "split"; both give the communes of
today to choose from.
"""

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from onetouch.models import Commune, Province
from rosters.models import OldCommune, OldCommuneSuccessor
from rosters.pure.addresses import NameKey, commune_key, district_key, names_matching, province_key

UNKNOWN_PROVINCE = "unknown_province"
UNKNOWN_COMMUNE = "unknown_commune"
SPLIT = "split"
AMBIGUOUS = "ambiguous"


@dataclass(frozen=True)
class AddressMatch:
    commune_id: int | None  # onetouch.models.Commune id of today (2025 units) when sure
    province_id: int | None  # Province id of today when known
    candidate_ids: tuple[int, ...]  # communes of today to choose from ("split" or "ambiguous")
    problem: str | None  # None, "unknown_province", "unknown_commune", "split", "ambiguous"
    converted: bool  # True when an old-style address was converted


@dataclass(frozen=True)
class _OldCommuneEntry:
    id: int
    key: NameKey
    district: NameKey
    successor_ids: tuple[int, ...]  # main part first


@dataclass
class _Places:
    """What the rows of one call need from the tables, read once."""

    provinces: list[tuple[NameKey, int]]
    old_provinces: list[tuple[NameKey, str]]
    communes_by_province: dict[int, list[tuple[NameKey, int]]] = field(default_factory=dict)
    commune_province: dict[int, int] = field(default_factory=dict)
    old_communes_by_province: dict[str, list[_OldCommuneEntry]] = field(default_factory=dict)
    old_province_successor: dict[str, int] = field(default_factory=dict)


def address_resolve(*, province: str, commune: str, district: str = "") -> AddressMatch:
    """Resolve one address; see addresses_resolve."""
    return addresses_resolve([(province, commune, district)])[0]


def addresses_resolve(rows: Iterable[tuple[str, str, str]]) -> list[AddressMatch]:
    """Resolve (province, commune, district) rows in order, in five queries whatever their number."""
    keyed = [(province_key(p), commune_key(c), district_key(d)) for p, c, d in rows]
    places = _places_read(keyed)
    return [_resolve(places, *row) for row in keyed]


def _places_read(keyed: list[tuple[NameKey, NameKey, NameKey]]) -> _Places:
    places = _Places(
        provinces=[(province_key(name), pk) for pk, name in Province.objects.values_list("id", "name")],
        old_provinces=[
            (province_key(name), code)
            for code, name in OldCommune.objects.order_by().values_list("province_code", "province_name").distinct()
        ],
    )
    province_keys = {row[0] for row in keyed}
    province_ids = {pk for key in province_keys for pk in names_matching(key, places.provinces)}
    old_codes = {code for key in province_keys for code in names_matching(key, places.old_provinces)}

    successors: dict[int, list[int]] = defaultdict(list)
    successor_provinces: dict[str, Counter] = defaultdict(Counter)
    links = (
        OldCommuneSuccessor.objects.filter(old_commune__province_code__in=old_codes)
        .order_by("old_commune_id", "-is_main", "commune_id")
        .values_list("old_commune_id", "commune_id", "commune__province_id", "old_commune__province_code")
    )
    for old_id, commune_id, province_id, old_code in links:
        successors[old_id].append(commune_id)
        successor_provinces[old_code][province_id] += 1
        places.commune_province[commune_id] = province_id
    places.old_province_successor = {code: count.most_common(1)[0][0] for code, count in successor_provinces.items()}
    province_ids |= set(places.old_province_successor.values())

    for pk, name, kind, province_id in Commune.objects.filter(province_id__in=province_ids).values_list(
        "id", "name", "kind", "province_id"
    ):
        key = commune_key(name)
        places.communes_by_province.setdefault(province_id, []).append((NameKey(key.exact, key.folded, kind), pk))
        places.commune_province[pk] = province_id

    for pk, name, district, code in OldCommune.objects.filter(province_code__in=old_codes).values_list(
        "id", "name", "district_name", "province_code"
    ):
        entry = _OldCommuneEntry(pk, commune_key(name), district_key(district), tuple(successors[pk]))
        places.old_communes_by_province.setdefault(code, []).append(entry)
    return places


def _resolve(places: _Places, province: NameKey, commune: NameKey, district: NameKey) -> AddressMatch:
    province_ids = names_matching(province, places.provinces)
    old_codes = names_matching(province, places.old_provinces)
    if not province_ids and not old_codes:
        return AddressMatch(None, None, (), UNKNOWN_PROVINCE, False)
    attempts = [_as_new_style, _as_old_style]
    if district.folded or not province_ids:
        attempts.reverse()
    for attempt in attempts:
        match = attempt(places, province_ids, old_codes, commune, district)
        if match:
            return match
    known = province_ids or [places.old_province_successor[c] for c in old_codes if c in places.old_province_successor]
    province_id = known[0] if len(set(known)) == 1 else None
    return AddressMatch(None, province_id, (), UNKNOWN_COMMUNE, bool(old_codes) and not province_ids)


def _as_new_style(places, province_ids, old_codes, commune: NameKey, district: NameKey) -> AddressMatch | None:
    # An old province's name with a commune of today ("Bắc Giang, Phường Bắc Giang"): the province
    # it merged into, and the address was converted.
    in_old_province = not province_ids
    if in_old_province:
        province_ids = {places.old_province_successor[c] for c in old_codes if c in places.old_province_successor}
    named = [entry for pk in province_ids for entry in places.communes_by_province.get(pk, [])]
    return _match(places, names_matching(commune, named), converted=in_old_province)


def _as_old_style(places, province_ids, old_codes, commune: NameKey, district: NameKey) -> AddressMatch | None:
    entries = [entry for code in old_codes for entry in places.old_communes_by_province.get(code, [])]
    if not commune.folded:
        # An island district had no communes (Lý Sơn, Côn Đảo, …): the district is the place.
        commune = district
    if district.folded:
        # A district that matches none (misspelt, or a new-style row with a stray district) does
        # not narrow the search: the commune's name may still be unique in its province.
        districts = names_matching(district, [(entry.district, entry.district.folded) for entry in entries])
        entries = [entry for entry in entries if entry.district.folded in districts] or entries
    found = names_matching(commune, [(entry.key, entry) for entry in entries])
    if not found:
        return None
    candidate_ids = tuple(dict.fromkeys(pk for entry in found for pk in entry.successor_ids))
    if len(found) == 1 and len(candidate_ids) > 1:
        return AddressMatch(None, _one_province(places, candidate_ids), candidate_ids, SPLIT, True)
    return _match(places, list(candidate_ids), converted=True)


def _match(places: _Places, commune_ids: list[int], *, converted: bool) -> AddressMatch | None:
    if not commune_ids:
        return None
    if len(commune_ids) == 1:
        pk = commune_ids[0]
        return AddressMatch(pk, places.commune_province[pk], (), None, converted)
    ids = tuple(commune_ids)
    return AddressMatch(None, _one_province(places, ids), ids, AMBIGUOUS, converted)


def _one_province(places: _Places, commune_ids: tuple[int, ...]) -> int | None:
    provinces = {places.commune_province[pk] for pk in commune_ids}
    return provinces.pop() if len(provinces) == 1 else None
