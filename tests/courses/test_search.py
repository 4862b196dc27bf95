"""Vietnamese diacritic folding, the heart of catalogue search."""

import pytest

from courses.pure.search import fold, query_terms


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("Chuyển đổi số", "chuyen doi so"),
        ("ĐẶC KHU Phú Quốc", "dac khu phu quoc"),
        ("Thành phố Huế", "thanh pho hue"),
        ("  An   toàn\tthông tin ", "an toan thong tin"),
        ("Ủy ban nhân dân", "uy ban nhan dan"),
    ],
)
def test_fold_removes_marks_case_and_extra_spaces(text, folded):
    """Folding lower-cases, strips every Vietnamese mark, turns đ into d and squeezes spaces."""
    assert fold(text) == folded


def test_query_terms_split_folded_words():
    """A query becomes its folded words; an empty query has none."""
    assert query_terms("Chuyển  ĐỔI số") == ["chuyen", "doi", "so"]
    assert query_terms("   ") == []
