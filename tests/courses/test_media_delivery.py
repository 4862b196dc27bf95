"""Lesson media delivery without a request: safe names, byte ranges, playlist rewriting, one table of types.

The answers themselves (who reaches a file, 206/416, headers, object storage) are tested through the
learners' views in tests/learners/test_media.py.
"""

import pytest

from courses.media.delivery import RangeNotSatisfiable, byte_range_parse, name_is_safe, playlist_rewrite


def test_name_safety_rules():
    """Plain relative names pass; traversal, absolute, backslash, empty and dot segments do not."""
    assert name_is_safe("lessons/1/2/r1/hls/360p/seg_001.ts")
    for name in ("", "../x", "a/../b", "/a", "a//b", "a/./b", "a\\b", "a/b/", "a\x00b"):
        assert not name_is_safe(name), name


def test_byte_range_parsing_edges():
    """An empty file satisfies no range; a suffix longer than the file is the whole file."""
    assert byte_range_parse("bytes=-500", 100) == (0, 99)
    assert byte_range_parse("", 100) is None
    with pytest.raises(RangeNotSatisfiable):
        byte_range_parse("bytes=-0", 100)
    with pytest.raises(RangeNotSatisfiable):
        byte_range_parse("bytes=0-", 0)


def test_playlist_rewrite_leaves_foreign_uris_alone():
    """Absolute URLs and URIs escaping the lesson are kept as written (they are then refused as media)."""
    text = "#EXTM3U\nhttps://cdn.example/seg.ts\n../../../other/seg.ts\nseg.ts\n"
    rewritten = playlist_rewrite(
        text, playlist_name="lessons/1/2/r1/hls/v.m3u8", url_for=lambda name: f"/m/{name}" if "r1" in name else None
    )
    assert rewritten.splitlines() == [
        "#EXTM3U",
        "https://cdn.example/seg.ts",
        "../../../other/seg.ts",
        "/m/lessons/1/2/r1/hls/seg.ts",
    ]
