"""The dashboard pages come from a cache keyed by the fold, the language, the viewer's scope and the URL."""

import gzip
import re
import time
import zlib
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from onetouch.models import User
from onetouch.services.staff_accounts import staff_account_create
from reporting.selectors import dashboards
from reporting.selectors.dashboards import fold_stamp_get
from reporting.services.fold import statistics_fold
from reporting.views.dashboards import CSRF_PLACEHOLDER
from tests.factories import course_make
from tests.reporting.test_dashboards import measure
from tests.reporting.test_selectors import counts_add

NATIONAL = reverse("reporting:national")
HANOI = reverse("reporting:province", args=["01"])
HUE = reverse("reporting:province", args=["46"])

pytestmark = pytest.mark.django_db


def enrolments_add(province_id: int, per_day: int) -> None:
    """Enrolments of the last days, in the national and one province's rows, as the fold writes them."""
    day = timezone.localdate() - timedelta(days=1)
    counts_add(start=day, end=day, per_day=per_day)
    counts_add(start=day, end=day, per_day=per_day, province_id=province_id)


def test_the_same_view_again_is_the_cached_page_until_the_next_fold(
    client, admin_hanoi, province_hanoi, django_assert_max_num_queries
):
    """Figures written after a view do not show until a fold moves the mark, then they do at once."""
    statistics_fold()
    enrolments_add(province_hanoi.id, 3)
    client.force_login(admin_hanoi)
    first = client.get(HANOI).content.decode()
    enrolments_add(province_hanoi.id, 4)

    with django_assert_max_num_queries(3):  # the session with its account, province, fold mark: no figure read
        again = client.get(HANOI).content.decode()
    statistics_fold()  # nothing new in the event log: the mark's time still moves
    after_fold = client.get(HANOI).content.decode()

    assert measure(first, "enrolments") == measure(again, "enrolments") == "3"
    assert measure(after_fold, "enrolments") == "7"


def test_a_cached_page_is_never_served_to_another_scope(client, admin_hanoi, admin_hue, ministry_staff):
    """The Hà Nội admin's cached page is not what the ministry sees at that URL, and Huế's admin gets none of it."""
    statistics_fold()
    course_make(title="Khóa riêng của Huế", province=admin_hue.scope_province)
    client.force_login(admin_hanoi)
    hanoi_admin_page = client.get(HANOI).content.decode()

    client.force_login(admin_hue)
    hue_admin = client.get(HANOI)
    client.force_login(ministry_staff)
    ministry_page = client.get(HANOI).content.decode()
    client.force_login(admin_hanoi)
    hanoi_admin_again = client.get(HANOI).content.decode()

    assert hue_admin.status_code == 404
    assert "Khóa riêng của Huế" not in hanoi_admin_page
    assert "Khóa riêng của Huế" in ministry_page  # the ministry's course filter lists every course
    assert f'href="{NATIONAL}"' in ministry_page and f'href="{NATIONAL}"' not in hanoi_admin_page
    assert "Khóa riêng của Huế" not in hanoi_admin_again


def test_the_language_is_part_of_the_key(client, admin_hanoi):
    statistics_fold()
    client.force_login(admin_hanoi)
    vietnamese = client.get(HANOI, headers={"accept-language": "vi"}).content.decode()
    client.cookies["django_language"] = "en"
    english = client.get(HANOI).content.decode()

    assert '<html lang="vi">' in vietnamese
    assert '<html lang="en">' in english


def test_a_cached_page_carries_each_viewers_own_csrf_token(admin_hanoi, province_hanoi):
    """Two admins of one province share the page, each with a sign-out form that works for them."""
    statistics_fold()
    colleague = staff_account_create(
        email="admin2.hanoi@example.vn", full_name="Quản trị Hà Nội 2", role=User.Role.PROVINCIAL_ADMIN,
        province=province_hanoi, password="a-Strong-pass-1",
    )  # fmt: skip
    first, second = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    first.force_login(admin_hanoi)
    second.force_login(colleague)
    first.get(HANOI)

    page = second.get(HANOI).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    signed_out = second.post(reverse("account_logout"), {"csrfmiddlewaretoken": token})

    assert CSRF_PLACEHOLDER not in page
    assert signed_out.status_code == 302
    assert "_auth_user_id" not in second.session


def test_a_process_trusts_the_fold_stamp_it_read_for_a_while(settings, monkeypatch, django_assert_num_queries):
    """Within FOLD_STAMP_TRUST_SECONDS the stamp is not read again, and a fold shows once that time is over."""
    settings.FOLD_STAMP_TRUST_SECONDS = 60
    monkeypatch.setattr(dashboards, "_stamp_seen", ("", 0.0))  # nothing read yet; put back after the test
    statistics_fold()
    stamp = fold_stamp_get()

    statistics_fold()  # the mark's time moves
    with django_assert_num_queries(0):
        assert fold_stamp_get() == stamp
    dashboards._stamp_seen = (stamp, time.monotonic() - 1)  # the minute is over
    assert fold_stamp_get() != stamp


def test_the_browser_that_has_the_page_is_told_so_until_the_next_fold(client, admin_hanoi, province_hanoi):
    """Asked again with its ETag, the page answers 304 without a body; after a fold, the new page."""
    statistics_fold()
    client.force_login(admin_hanoi)
    client.get(HANOI)  # the first page sets the browser's CSRF cookie
    first = client.get(HANOI)
    etag = first["ETag"]
    assert "private" in first["Cache-Control"] and "no-cache" in first["Cache-Control"]

    again = client.get(HANOI, headers={"if-none-match": etag})
    enrolments_add(province_hanoi.id, 5)
    statistics_fold()
    after_fold = client.get(HANOI, headers={"if-none-match": etag})

    assert (again.status_code, again.content, again["ETag"]) == (304, b"", etag)
    assert after_fold.status_code == 200 and after_fold["ETag"] != etag
    assert measure(after_fold.content.decode(), "enrolments") == "5"


def test_another_browser_or_sign_in_never_gets_a_304_for_a_page_it_does_not_hold(admin_hanoi, province_hanoi):
    """The ETag holds the browser's CSRF secret: a colleague's browser, or this one signed in anew, gets the page."""
    statistics_fold()
    mine, colleague = Client(), Client()
    for browser in (mine, colleague):
        browser.force_login(admin_hanoi)
        browser.get(HANOI)
    etag = mine.get(HANOI)["ETag"]

    theirs = colleague.get(HANOI, headers={"if-none-match": etag})
    mine.logout()
    mine.force_login(admin_hanoi)
    mine.get(HANOI)  # a new sign-in, a new CSRF secret
    signed_in_anew = mine.get(HANOI, headers={"if-none-match": etag})

    assert theirs.status_code == 200 and theirs["ETag"] != etag
    assert signed_in_anew.status_code == 200 and signed_in_anew["ETag"] != etag


def test_a_cached_page_goes_gzipped_with_only_the_viewers_token_compressed_anew(admin_hanoi, province_hanoi):
    """To a browser that takes gzip the cached page is its stored stretches and its own token, compressed alone.

    It decodes to the page the same browser gets without gzip (but for the token, masked anew
    each time), says so (Content-Encoding, Vary, a weak ETag) and still answers 304 to its ETag.
    """
    statistics_fold()
    browser = Client(headers={"accept-encoding": "gzip, deflate, br"})
    browser.force_login(admin_hanoi)
    browser.get(HANOI)  # builds the cached page and sets the CSRF cookie

    zipped = browser.get(HANOI)
    plain = browser.get(HANOI, headers={"accept-encoding": ""})
    again = browser.get(HANOI, headers={"if-none-match": zipped["ETag"]})

    page = gzip.decompress(zipped.content).decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    compressor = zlib.compressobj(1, zlib.DEFLATED, -zlib.MAX_WBITS)
    assert compressor.compress(token.encode()) + compressor.flush(zlib.Z_SYNC_FLUSH) in zipped.content
    assert zipped["Content-Encoding"] == "gzip" and "Accept-Encoding" in zipped["Vary"]
    assert zipped["ETag"] == "W/" + plain["ETag"]
    assert "Content-Encoding" not in plain
    unmasked = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')
    assert unmasked.sub("", page) == unmasked.sub("", plain.content.decode())
    assert measure(page, "enrolments") == "0"
    assert again.status_code == 304
