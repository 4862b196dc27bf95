"""Lesson text is cleaned to a small set of safe tags before it is stored."""

import re

import pytest

from courses.pure.richtext import lesson_html_clean


def test_script_tags_are_removed_with_their_content():
    """A <script> element disappears entirely, the text around it stays."""
    cleaned = lesson_html_clean("<p>Trước<script>alert('xss')</script>Sau</p>")
    assert cleaned == "<p>TrướcSau</p>"


@pytest.mark.parametrize(
    "html",
    [
        '<p onclick="alert(1)">Chữ</p>',
        '<img src="x" onerror="alert(1)">',
        "<svg onload=alert(1)><circle/></svg>",
        '<a href="https://dichvucong.gov.vn" onmouseover="alert(1)">Cổng</a>',
        '<table><tr><td onfocus="alert(1)">1</td></tr></table>',
    ],
)
def test_event_handler_attributes_are_removed(html):
    """No on* attribute survives on any tag."""
    cleaned = lesson_html_clean(html)
    assert re.search(r"\son\w+\s*=", cleaned) is None
    assert "alert" not in cleaned


@pytest.mark.parametrize(
    "href",
    [
        "javascript:alert(1)",
        "JaVaScRiPt:alert(1)",
        " javascript:alert(1)",
        "java&#x09;script:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "vbscript:msgbox(1)",
        "/accounts/logout/",
    ],
)
def test_links_other_than_http_https_and_mailto_lose_their_address(href):
    """A javascript:, data:, vbscript: or relative link keeps its text but loses its href."""
    cleaned = lesson_html_clean(f'<p><a href="{href}">Bấm vào đây</a></p>')
    assert "href" not in cleaned
    assert "Bấm vào đây" in cleaned


@pytest.mark.parametrize(
    "href", ["https://dichvucong.gov.vn/p/home.html", "http://example.vn/", "mailto:hotro@onetouch.vn"]
)
def test_safe_links_are_kept_and_opened_without_access_to_the_page(href):
    """http, https and mailto links stay, with rel="noopener noreferrer" added."""
    cleaned = lesson_html_clean(f'<a href="{href}" rel="opener" target="_blank">Cổng dịch vụ công</a>')
    assert f'href="{href}"' in cleaned
    assert 'rel="noopener noreferrer"' in cleaned
    assert "target" not in cleaned


def test_allowed_structure_survives():
    """Paragraphs, emphasis, lists, headings, quotes and simple tables are kept as written."""
    html = (
        "<h2>Bước 1</h2><h3>Chuẩn bị</h3><p><strong>Đậm</strong> và <em>nghiêng</em><br>dòng mới</p>"
        "<ul><li>Một</li></ul><ol><li>Hai</li></ol><blockquote>Trích dẫn</blockquote>"
        '<table><caption>Bảng</caption><thead><tr><th scope="col">Cột</th></tr></thead>'
        '<tbody><tr><td colspan="2">Ô</td></tr></tbody></table>'
    )
    assert lesson_html_clean(html) == html


def test_other_tags_are_removed_but_their_text_is_kept():
    """Pasted wrappers, styles, frames and forms go; the author's words stay."""
    cleaned = lesson_html_clean(
        '<div class="x" style="color:red"><span>Nội dung</span></div><h1>Tiêu đề</h1>'
        '<iframe src="https://evil.example"></iframe><form action="/x"><input name="a"></form>'
        "<style>body{display:none}</style>"
    )
    assert cleaned == "Nội dungTiêu đề"


def test_plain_text_becomes_paragraphs_and_is_escaped():
    """Text without tags is split into paragraphs, with < and & shown as characters."""
    cleaned = lesson_html_clean("Dòng một\nDòng hai\n\nĐoạn hai: 3 < 5 & 5 > 3")
    assert cleaned == "<p>Dòng một<br>Dòng hai</p>\n\n<p>Đoạn hai: 3 &lt; 5 &amp; 5 &gt; 3</p>"


def test_empty_text_stays_empty():
    """Blank input gives an empty body."""
    assert lesson_html_clean("   \n ") == ""


def test_markup_without_visible_text_counts_as_empty():
    """A body of empty paragraphs and line breaks is stored empty, so it cannot be published as text."""
    assert lesson_html_clean("<p></p><p><br></p><script>x</script>") == ""
