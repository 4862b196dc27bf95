"""Names of provinces, districts and communes reduced to keys that compare. Pure functions, no ORM.

A spreadsheet writes one place many ways: "Phường 1", "P.01", "phuong 1"; "Thành phố Hà Nội",
"TP. Hà Nội", "Ha Noi"; "Hòa" and "Hoà" (two placements of the tone mark, both taught). Each name
gives two keys:

- `exact`: the kind prefix and punctuation removed, lower case, numbers without leading zeros, the
  tone mark at one place, diacritics kept. Two different places almost never share it.
- `folded`: the same without diacritics ("đ" as "d"). Written without diacritics, two places can
  share it ("Phú Hòa" and "Phù Hoa" are both "phu hoa"): a caller compares `exact` first and treats
  several matches on `folded` as a question for a person, never as an answer.

The kind named by the prefix ("Phường" → ward) is kept apart, to choose between a ward and a
commune of the same name.
"""

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from courses.pure.search import fold

# The kinds a prefix names; the values are the kinds of onetouch.models.Commune and Province.
WARD, COMMUNE, SPECIAL_ZONE, TOWNSHIP = "phuong", "xa", "dac_khu", "thi_tran"
PROVINCE, CITY = "tinh", "thanh_pho"
URBAN_DISTRICT, RURAL_DISTRICT, TOWN = "quan", "huyen", "thi_xa"

# Prefixes, folded, longest first so "thi tran" wins over "thi". One-letter abbreviations count
# only with their dot ("P.", "T."), or before a number ("P1", "Q 3"): "T" or "H" alone may begin
# a name. "TP", "TX", "TT" begin no Vietnamese word, so they count without it.
COMMUNE_PREFIXES = (
    ("thi tran ", TOWNSHIP),
    ("tt ", TOWNSHIP),
    ("dac khu ", SPECIAL_ZONE),
    ("phuong ", WARD),
    ("xa ", COMMUNE),
    ("tt.", TOWNSHIP),
    ("p.", WARD),
    ("x.", COMMUNE),
)
DISTRICT_PREFIXES = (
    ("thanh pho ", CITY),
    ("thi xa ", TOWN),
    ("tp ", CITY),
    ("tx ", TOWN),
    ("quan ", URBAN_DISTRICT),
    ("huyen ", RURAL_DISTRICT),
    ("tp.", CITY),
    ("tx.", TOWN),
    ("q.", URBAN_DISTRICT),
    ("h.", RURAL_DISTRICT),
)
PROVINCE_PREFIXES = (
    ("thanh pho ", CITY),
    ("tinh ", PROVINCE),
    ("tp ", CITY),
    ("tp.", CITY),
    ("t.", PROVINCE),
)

# Names by which people write a province that its official name does not give (folded keys).
PROVINCE_ALIASES = {
    "hcm": "ho chi minh",
    "tp hcm": "ho chi minh",
    "tphcm": "ho chi minh",
    "sai gon": "ho chi minh",
    "hn": "ha noi",
    "thua thien hue": "hue",
    "brvt": "ba ria vung tau",
    "ba ria vt": "ba ria vung tau",
}

_PUNCTUATION = re.compile(r"[.,;:\-–—_/()\"]+")
_APOSTROPHES = re.compile(r"['’ʼ`]")
_SPACES = re.compile(r"\s+")
_NUMBER = re.compile(r"\b0+(\d)")
_LETTER_BEFORE_NUMBER = re.compile(r"^([PpQqXx])\s*(?=\d)")
# In decomposed text, a tone mark written on the second vowel of "oa", "oe", "uy" ("hoà", "thuỷ")
# moves to the first ("hòa", "thủy"): both spellings give one key.
_TONE_ON_SECOND_VOWEL = re.compile("([oOuU])([aAeEyY])([\u0300\u0301\u0303\u0309\u0323])")


@dataclass(frozen=True)
class NameKey:
    """A place's name as compared: `kind` is the kind its prefix named, or "" when none."""

    exact: str
    folded: str
    kind: str = ""


def _strip_prefix(text: str, prefixes: tuple[tuple[str, str], ...]) -> tuple[str, str]:
    """Remove one leading kind prefix from `text`; return (rest, kind). Compared on the folded form,
    cut on the original, whose letters stand at the same places (folding only removes marks)."""
    folded = fold(text)
    for prefix, kind in prefixes:
        rest = folded[len(prefix) :]
        if folded.startswith(prefix) and rest.strip():
            return _cut_letters(text, len(prefix)), kind
    return text, ""


def _cut_letters(text: str, count: int) -> str:
    """Drop the first `count` letters of `text` as `fold` counted them (marks and spaces collapsed)."""
    bare = unicodedata.normalize("NFC", _SPACES.sub(" ", text).strip())
    return bare[count:]


def _key(text: str) -> str:
    text = _APOSTROPHES.sub("", text)
    text = _PUNCTUATION.sub(" ", text)
    text = unicodedata.normalize("NFD", text.lower())
    text = _TONE_ON_SECOND_VOWEL.sub(r"\1\3\2", text)
    text = _NUMBER.sub(r"\1", text)
    return unicodedata.normalize("NFC", _SPACES.sub(" ", text).strip())


def _name_key(text: str, prefixes: tuple[tuple[str, str], ...]) -> NameKey:
    text = _SPACES.sub(" ", (text or "").replace("\u00a0", " ")).strip()
    # "TP.Hà Nội", "P.01": an abbreviation's dot may touch the name; a prefix is compared with its
    # dot, so a space after the dot is dropped first.
    text = re.sub(r"^(\w{1,2})\.\s+", r"\1.", text)
    text = _LETTER_BEFORE_NUMBER.sub(r"\1.", text)
    rest, kind = _strip_prefix(text, prefixes)
    exact = _key(rest)
    return NameKey(exact=exact, folded=fold(exact), kind=kind)


@lru_cache(maxsize=50_000)
def commune_key(name: str) -> NameKey:
    """The key of a commune, ward, township or special zone: "P.01" and "Phường 1" give "1"."""
    return _name_key(name, COMMUNE_PREFIXES)


@lru_cache(maxsize=50_000)
def district_key(name: str) -> NameKey:
    """The key of a pre-2025 district: "Q. Ba Đình", "Quận Ba Đình" and "Ba Dinh" compare."""
    return _name_key(name, DISTRICT_PREFIXES)


@lru_cache(maxsize=50_000)
def province_key(name: str) -> NameKey:
    """The key of a province or centrally governed city, common short names included ("TP HCM")."""
    key = _name_key(name, PROVINCE_PREFIXES)
    alias = PROVINCE_ALIASES.get(key.folded)
    if alias:
        return NameKey(exact=alias, folded=alias, kind=key.kind)
    return key


def names_matching(key: NameKey, named: list[tuple[NameKey, object]]) -> list[object]:
    """The values whose key matches `key`: same exact key if any, else same folded key.

    When the prefix named a kind and several match, those of that kind win ("Phường Tân An" beside
    "Xã Tân An"). Several values left mean the name alone cannot tell.
    """
    if not key.folded:
        return []
    found = [value for other, value in named if other.exact == key.exact]
    if not found:
        found = [value for other, value in named if other.folded == key.folded]
    if len(found) > 1 and key.kind:
        of_kind = [value for other, value in named if other.kind == key.kind and value in found]
        if of_kind:
            found = of_kind
    return list(dict.fromkeys(found))
