"""Diacritic-insensitive search text for Vietnamese. Pure functions, no ORM.

Both the stored `Course.search_text` and the visitor's query are folded the same way, so a plain
substring match works identically on SQLite and PostgreSQL: "chuyen doi so" finds "Chuyển đổi số".
"""

import re
import unicodedata

# "đ" is a letter of its own, not "d" with a mark, so Unicode decomposition leaves it alone.
_LETTERS_WITHOUT_DECOMPOSITION = str.maketrans({"đ": "d", "Đ": "d"})
_SPACES = re.compile(r"\s+")


def fold(text: str) -> str:
    """Return the text lower-cased, without Vietnamese diacritics, with single spaces."""
    decomposed = unicodedata.normalize("NFD", text.translate(_LETTERS_WITHOUT_DECOMPOSITION))
    bare = "".join(char for char in decomposed if not unicodedata.combining(char))
    return _SPACES.sub(" ", bare.casefold()).strip()


def query_terms(query: str, *, max_terms: int = 8) -> list[str]:
    """Split a search query into folded words, each of which a match must contain."""
    folded = fold(query)
    return folded.split(" ")[:max_terms] if folded else []
