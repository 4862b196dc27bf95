"""Browser journeys: find a course, sign up with a province and commune, enrol; with and without
JavaScript, and on a phone-sized screen.

The interface is being translated while these run, so elements are found by id, name, href or
role, and by the Vietnamese course titles (data), never by English interface text.
"""

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import Page, expect

from courses.models import Course
from courses.selectors.outline import course_outline_get
from learners.models import Enrolment, LearnerProfile
from onetouch.models import Commune, User

pytestmark = [pytest.mark.e2e, pytest.mark.usefixtures("platform_data")]

LEADER_SLUG = "chuyen-doi-so-lanh-dao-cap-xa"
LEADER_TITLE = "Chuyển đổi số cho lãnh đạo Ủy ban nhân dân cấp xã"
BASICS_TITLE = "Chuyển đổi số: những điều cơ bản cho mọi người"  # public and digital teams, not leaders
HANOI_TITLE = "Chuyển đổi số cấp xã tại Thủ đô Hà Nội"  # leaders and civil servants
PUBLIC_ONLY_TITLE = "Kỹ năng số cơ bản: dùng điện thoại thông minh"
LEADER_TITLES = {LEADER_TITLE, HANOI_TITLE, "An toàn thông tin trong cơ quan nhà nước"}

PASSWORD = "Hoc-so-cung-xa-2025!"


def card_titles(page: Page) -> list[str]:
    """The titles of the course cards of the catalogue's results, in order."""
    return [title.strip() for title in page.locator("ul.cards > li.card h3 a").all_inner_texts()]


def submit_filters(page: Page) -> None:
    with page.expect_navigation():
        page.locator("form.filters button[type=submit]").click()


def signup_submit_button(page: Page):
    """The form's main button ("Create account"): the only unnamed submit in the sign-up form."""
    return page.locator("main form[action^='/accounts/signup/'] button[type=submit]:not([name])")


def test_visitor_finds_course_signs_up_with_commune_and_enrols(page: Page, live_server) -> None:
    # Home page: search without diacritics.
    page.goto(live_server.url + "/")
    page.locator("#home-q").fill("chuyen doi so")
    with page.expect_navigation():
        page.locator("#home-q").press("Enter")
    assert urlsplit(page.url).path == "/courses/"
    assert parse_qs(urlsplit(page.url).query)["q"] == ["chuyen doi so"]

    titles = card_titles(page)
    assert {LEADER_TITLE, BASICS_TITLE, HANOI_TITLE} <= set(titles), titles
    assert len([title for title in titles if title.startswith("Chuyển đổi số")]) == 3, titles
    assert PUBLIC_ONLY_TITLE not in titles, "the search matched a course that says nothing of chuyển đổi số"
    expect(page.locator("#id_q")).to_have_value("chuyen doi so")

    # Narrow to the commune leaders: the search is kept, courses not made for them disappear.
    page.locator("#id_audience").select_option("commune_leader")
    submit_filters(page)
    query = parse_qs(urlsplit(page.url).query)
    assert query["audience"] == ["commune_leader"] and query["q"] == ["chuyen doi so"], page.url
    titles = card_titles(page)
    assert LEADER_TITLE in titles and HANOI_TITLE in titles, titles
    assert BASICS_TITLE not in titles, titles
    expect(page.locator("#id_audience")).to_have_value("commune_leader")

    # The same audience without the search words: exactly the leaders' courses, no public-only one.
    page.locator("#id_q").fill("")
    submit_filters(page)
    titles = card_titles(page)
    assert set(titles) == LEADER_TITLES, titles
    assert PUBLIC_ONLY_TITLE not in titles

    # The course page, then "sign in to enrol", which remembers the course.
    with page.expect_navigation():
        page.get_by_role("link", name=LEADER_TITLE, exact=True).click()
    course_path = f"/courses/{LEADER_SLUG}/"
    assert urlsplit(page.url).path == course_path
    expect(page.locator("main h1")).to_have_text(LEADER_TITLE)
    expect(page.locator(f"form[action='/learning/enrol/{LEADER_SLUG}/']")).to_have_count(0)

    sign_in = page.locator(".enrol-box a[href^='/accounts/login/']")
    expect(sign_in).to_have_count(1)
    with page.expect_navigation():
        sign_in.click()
    assert urlsplit(page.url).path == "/accounts/login/"
    assert parse_qs(urlsplit(page.url).query).get("next") == [course_path], page.url

    # From the sign-in page to sign-up, keeping ?next= when the page offers it.
    signup_with_next = page.locator("main a[href^='/accounts/signup/'][href*='next=']")
    keeps_next = signup_with_next.count() > 0
    with page.expect_navigation():
        if keeps_next:
            signup_with_next.first.click()
        else:
            page.locator("header a[href='/accounts/signup/']").click()
    assert urlsplit(page.url).path == "/accounts/signup/"
    if keeps_next:
        assert parse_qs(urlsplit(page.url).query).get("next") == [course_path], page.url

    # The sign-up form, with a Vietnamese name, and a commune of Huế after the script refills the list.
    email = "huong.nguyen@example.vn"
    full_name = "Nguyễn Thị Hương"
    page.locator("#id_email").fill(email)
    page.locator("#id_full_name").fill(full_name)
    page.locator("#id_password1").fill(PASSWORD)
    page.locator("#id_password2").fill(PASSWORD)
    page.locator("#id_audience_group").select_option("commune_leader")

    commune_options = page.locator("#id_commune option")
    expect(commune_options).to_have_count(1)  # only the placeholder before a province is chosen
    expect(page.locator("button[name=choose_province]")).to_be_hidden()  # the no-JS fallback
    page.locator("#id_province").select_option("46")
    hue_communes = Commune.objects.filter(province__code="46")
    expect(commune_options).to_have_count(1 + hue_communes.count())
    expect(page.locator("#id_commune")).to_be_enabled()
    option_codes = set(commune_options.evaluate_all("options => options.map(o => o.value).filter(Boolean)"))
    assert option_codes == set(hue_communes.values_list("code", flat=True))
    page.locator("#id_commune").select_option(label="Phường Thuận Hóa")

    with page.expect_navigation():
        signup_submit_button(page).click()
    if not keeps_next:
        page.goto(live_server.url + course_path)
    assert urlsplit(page.url).path == course_path, f"sign-up did not lead back to the course: {page.url}"

    # Enrol: the learner lands where they start (the outline's next lesson; the course page when it
    # has none), then My learning lists the course.
    enrol_button = page.locator(f"form[action='/learning/enrol/{LEADER_SLUG}/'] button[type=submit]")
    expect(enrol_button).to_have_count(1)
    with page.expect_navigation():
        enrol_button.click()
    learner = Enrolment.objects.get(course__slug=LEADER_SLUG).learner
    start = course_outline_get(course=Course.objects.get(slug=LEADER_SLUG), learner=learner).next_to_learn()
    expected = f"/learning/courses/{LEADER_SLUG}/{start.lesson.id}/" if start else course_path
    assert urlsplit(page.url).path == expected
    page.goto(live_server.url + "/learning/")
    expect(page.locator("main .cards").get_by_role("link", name=LEADER_TITLE, exact=True)).to_be_visible()
    assert page.js_errors == []

    # And in the database: one account, its profile in Huế, one enrolment.
    user = User.objects.get(email=email)
    assert user.full_name == full_name
    profile = LearnerProfile.objects.select_related("province", "commune").get(user=user)
    assert profile.audience_group == "commune_leader"
    assert profile.province.code == "46"
    assert (profile.commune.code, profile.commune.name) == ("19786", "Phường Thuận Hóa")
    enrolments = Enrolment.objects.filter(learner=user)
    assert enrolments.count() == 1
    enrolment = enrolments.select_related("course").get()
    assert enrolment.course.slug == LEADER_SLUG and enrolment.is_active
    assert Enrolment.objects.count() == 1


def test_signup_without_javascript_uses_the_show_communes_button(new_page, live_server) -> None:
    page = new_page(java_script_enabled=False)
    page.goto(live_server.url + "/accounts/signup/")
    email = "tran.van.minh@example.vn"
    full_name = "Trần Văn Minh"
    page.locator("#id_email").fill(email)
    page.locator("#id_full_name").fill(full_name)
    page.locator("#id_password1").fill(PASSWORD)
    page.locator("#id_password2").fill(PASSWORD)
    page.locator("#id_audience_group").select_option("digital_team")
    page.locator("#id_province").select_option("01")
    expect(page.locator("#id_commune option")).to_have_count(1)  # nothing refills it without a script

    # The fallback button posts the form back and the page returns with Hà Nội's communes.
    refresh = page.locator("button[name=choose_province]")
    expect(refresh).to_be_visible()
    with page.expect_navigation():
        refresh.click()
    assert urlsplit(page.url).path == "/accounts/signup/"
    assert not User.objects.filter(email=email).exists(), "pressing the province button created the account"
    hanoi_communes = Commune.objects.filter(province__code="01").count()
    expect(page.locator("#id_commune option")).to_have_count(1 + hanoi_communes)
    # What was typed is kept (passwords excepted, as browsers and Django never echo them).
    expect(page.locator("#id_email")).to_have_value(email)
    expect(page.locator("#id_full_name")).to_have_value(full_name)
    expect(page.locator("#id_audience_group")).to_have_value("digital_team")
    expect(page.locator("#id_province")).to_have_value("01")

    page.locator("#id_commune").select_option(label="Phường Hoàn Kiếm")
    page.locator("#id_password1").fill(PASSWORD)
    page.locator("#id_password2").fill(PASSWORD)
    with page.expect_navigation():
        signup_submit_button(page).click()
    assert urlsplit(page.url).path != "/accounts/signup/", "the sign-up form was refused"

    user = User.objects.get(email=email)
    assert user.full_name == full_name
    profile = LearnerProfile.objects.select_related("province", "commune").get(user=user)
    assert profile.audience_group == "digital_team"
    assert profile.province.code == "01"
    assert (profile.commune.code, profile.commune.name) == ("00070", "Phường Hoàn Kiếm")


def test_catalogue_fits_a_phone_and_starts_with_the_skip_link(new_page, live_server) -> None:
    page = new_page(viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True)
    page.goto(live_server.url + "/courses/")
    expect(page.locator("ul.cards > li.card").first).to_be_visible()

    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= 360, f"the catalogue scrolls sideways on a 360 px screen ({scroll_width} px wide)"

    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.className")
    assert "skip-link" in focused.split(), f"the first Tab focused {focused!r}, not the skip link"
    skip_link = page.locator("a.skip-link")
    expect(skip_link).to_be_focused()
    expect(skip_link).to_have_attribute("href", "#main")
    expect(skip_link).to_be_in_viewport()  # shown while focused, not left off-screen

    # Following it moves the keyboard to the main content.
    page.keyboard.press("Enter")
    expect(page.locator("main#main")).to_be_focused()
    assert re.search(r"#main$", page.url)
    assert page.js_errors == []
