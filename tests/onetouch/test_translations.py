"""The translation catalogues: Vietnamese complete, both catalogues current with the code, .mo compiled.

Vietnamese is the default language, so a string added to the code or a template without a
Vietnamese translation shows English to every visitor. These tests fail when that happens:

- every entry of locale/vi/LC_MESSAGES/django.po is translated, in every plural form, none fuzzy;
- the catalogues hold exactly the strings `makemessages` finds in the code today;
- each committed django.mo says what its django.po says (run compilemessages after editing a .po);
- Django actually serves the Vietnamese and English strings;
- django-allauth's account pages, which the package ships no Vietnamese for, are Vietnamese too:
  locale_allauth/vi/LC_MESSAGES/django.po (the second entry of LOCALE_PATHS, which makemessages
  leaves alone) holds exactly the strings of allauth.account, all translated.

To update the catalogues after changing strings (gettext's tools are needed: apt-get install gettext):

    DEBUG=true .venv/bin/python manage.py makemessages -l vi -l en \
        --ignore=.venv --ignore=var --ignore=bench --ignore=tests --ignore=node_modules --no-obsolete
    # translate the new entries of locale/vi/LC_MESSAGES/django.po, remove "fuzzy" flags, then
    DEBUG=true .venv/bin/python manage.py compilemessages --ignore=.venv

After upgrading django-allauth, update locale_allauth as locale_allauth/README.md says (the test
test_allauth_catalogue_holds_exactly_the_account_strings_of_allauth lists what changed).
"""

import gettext
import os
import re
import shutil
import subprocess
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import allauth
import pytest
from django.conf import settings as django_settings
from django.core.management import call_command
from django.template import Context, Template
from django.urls import reverse
from django.utils import translation

BASE_DIR = Path(django_settings.BASE_DIR)
LOCALE_DIR = Path(django_settings.LOCALE_PATHS[0])
VI_PO = LOCALE_DIR / "vi" / "LC_MESSAGES" / "django.po"
EN_PO = LOCALE_DIR / "en" / "LC_MESSAGES" / "django.po"
CATALOGUES = {"vi": VI_PO, "en": EN_PO}

# Our Vietnamese translation of django-allauth's account pages, which the package ships none of.
ALLAUTH_LOCALE_DIR = BASE_DIR / "locale_allauth"
ALLAUTH_VI_PO = ALLAUTH_LOCALE_DIR / "vi" / "LC_MESSAGES" / "django.po"
# Every Vietnamese catalogue must be complete; every catalogue must be compiled.
VIETNAMESE_CATALOGUES = {"project": VI_PO, "allauth": ALLAUTH_VI_PO}
COMPILED_CATALOGUES = {**CATALOGUES, "vi-allauth": ALLAUTH_VI_PO}
# The parts of django-allauth that its account pages use: allauth.account, the shared core and
# utilities, the account templates (pages, messages, emails) and the base layout and elements.
ALLAUTH_DIR = Path(allauth.__file__).parent
ALLAUTH_ACCOUNT_SOURCES = ["account", "core", "utils.py", "templates/account", "templates/allauth"]

# The same --ignore globs as the documented makemessages command.
MAKEMESSAGES_IGNORE = [".venv", "var", "bench", "tests", "node_modules"]
# The kinds of file makemessages reads for the "django" domain.
SOURCE_SUFFIXES = {".py", ".html", ".txt"}

GETTEXT_MISSING = "gettext's tools are missing: apt-get install gettext (scripts/test.sh installs it)."


# --- A small .po reader (standard library only) ------------------------------------------------


@dataclass
class Entry:
    msgid: str = ""
    msgid_plural: str | None = None
    msgctxt: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)
    references: list[str] = field(default_factory=list)
    line: int = 0

    @property
    def key(self) -> tuple[str | None, str, str | None]:
        return (self.msgctxt, self.msgid, self.msgid_plural)

    @property
    def is_header(self) -> bool:
        return self.msgid == "" and self.msgctxt is None


_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\"}
_KEYWORD = re.compile(r'^(msgctxt|msgid_plural|msgid|msgstr(?:\[(\d+)\])?)\s+"(.*)"\s*$')
_CONTINUATION = re.compile(r'^"(.*)"\s*$')


def _unescape(text: str) -> str:
    return re.sub(r"\\(.)", lambda m: _ESCAPES.get(m.group(1), "\\" + m.group(1)), text)


def po_read(path: Path) -> list[Entry]:
    """Return the live entries of a .po file (obsolete "#~" entries are left out), header first."""
    entries: list[Entry] = []
    entry: Entry | None = None
    target: tuple[str, int | None] | None = None  # which field a continuation line extends

    def start(number: int) -> Entry:
        nonlocal entry
        if entry is None:
            entry = Entry(line=number)
        return entry

    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        text = raw.strip()
        if not text:
            if entry is not None:
                entries.append(entry)
            entry, target = None, None
        elif text.startswith("#~"):
            continue
        elif text.startswith("#,"):
            start(number).flags.update(flag.strip() for flag in text[2:].split(",") if flag.strip())
        elif text.startswith("#:"):
            start(number).references.extend(text[2:].split())
        elif text.startswith("#"):
            continue
        elif match := _KEYWORD.match(text):
            current = start(number)
            # A keyword after the msgstr lines begins the next entry when no blank line separates them.
            if match.group(1) in ("msgctxt", "msgid") and current.msgstr:
                entries.append(current)
                entry = None
                current = start(number)
            keyword, index, value = match.group(1), match.group(2), _unescape(match.group(3))
            if keyword.startswith("msgstr"):
                plural_index = int(index) if index is not None else 0
                current.msgstr[plural_index] = value
                target = ("msgstr", plural_index)
            else:
                setattr(current, keyword, value)
                target = (keyword, None)
        elif (match := _CONTINUATION.match(text)) and entry is not None and target is not None:
            name, plural_index = target
            value = _unescape(match.group(1))
            if name == "msgstr":
                entry.msgstr[plural_index] += value
            else:
                setattr(entry, name, getattr(entry, name) + value)
        else:
            raise AssertionError(f"{path}:{number}: cannot read this line: {raw!r}")
    if entry is not None:
        entries.append(entry)
    return entries


def po_header(entries: list[Entry]) -> dict[str, str]:
    header = next((e for e in entries if e.is_header), None)
    assert header is not None, "the catalogue has no header entry"
    fields = {}
    for line in header.msgstr.get(0, "").splitlines():
        name, _, value = line.partition(":")
        fields[name.strip()] = value.strip()
    return fields


def nplurals(header: dict[str, str]) -> int:
    match = re.search(r"nplurals\s*=\s*(\d+)", header.get("Plural-Forms", ""))
    assert match, f"the header has no valid Plural-Forms: {header.get('Plural-Forms')!r}"
    return int(match.group(1))


def messages(entries: list[Entry]) -> list[Entry]:
    return [e for e in entries if not e.is_header]


def describe(entry: Entry) -> str:
    context = f"[{entry.msgctxt}] " if entry.msgctxt else ""
    return f"line {entry.line}: {context}{entry.msgid!r}"


# Python-format placeholders ("%(name)s", "%s", "%%") and HTML tags must come through unchanged.
_PLACEHOLDER = re.compile(r"%(?:\([^)]*\))?[#0 +-]*\d*(?:\.\d+)?[sdifreExXgGco%]")
_TAG = re.compile(r"</?[a-zA-Z][^>]*>")


_BRACE_FIELD = re.compile(r"\{[^{}]*\}")


def placeholders(text: str, brace_format: bool = False) -> Counter:
    found = Counter(_PLACEHOLDER.findall(text)) + Counter(_TAG.findall(text))
    if brace_format:  # str.format() fields, as in allauth's "Marked {email} as verified."
        found += Counter(_BRACE_FIELD.findall(text))
    return found


def tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        pytest.fail(GETTEXT_MISSING)
    return path


# --- The Vietnamese catalogues are complete (ours and the one of allauth's pages) ----------------

vietnamese_catalogues = pytest.mark.parametrize(
    "po", list(VIETNAMESE_CATALOGUES.values()), ids=list(VIETNAMESE_CATALOGUES)
)


@vietnamese_catalogues
def test_vietnamese_catalogue_header_is_valid(po):
    entries = po_read(po)
    header = po_header(entries)
    assert header.get("Language") == "vi"
    assert "charset=UTF-8" in header.get("Content-Type", "")
    assert header.get("Plural-Forms", "").replace(" ", "") == "nplurals=1;plural=0;"
    assert "fuzzy" not in next(e for e in entries if e.is_header).flags


@vietnamese_catalogues
def test_every_vietnamese_entry_is_translated_and_not_fuzzy(po):
    entries = po_read(po)
    forms = nplurals(po_header(entries))
    found = messages(entries)
    assert len(found) > 100, "the Vietnamese catalogue is suspiciously small"

    problems = []
    for entry in found:
        if "fuzzy" in entry.flags:
            problems.append(f"{describe(entry)} is fuzzy")
        expected = set(range(forms)) if entry.msgid_plural is not None else {0}
        if set(entry.msgstr) != expected:
            problems.append(f"{describe(entry)} has forms {sorted(entry.msgstr)}, expected {sorted(expected)}")
        empty = [index for index, text in entry.msgstr.items() if not text.strip()]
        if empty:
            problems.append(f"{describe(entry)} is untranslated (form {empty})")
    assert not problems, f"{po.relative_to(BASE_DIR)} incomplete:\n" + "\n".join(problems)


@vietnamese_catalogues
def test_vietnamese_translations_keep_placeholders_and_markup(po):
    problems = []
    for entry in messages(po_read(po)):
        # A plural translation may follow either source form (Vietnamese has one form for both).
        sources = [entry.msgid] if entry.msgid_plural is None else [entry.msgid, entry.msgid_plural]
        brace = "python-brace-format" in entry.flags
        for text in entry.msgstr.values():
            if text and all(placeholders(source, brace) != placeholders(text, brace) for source in sources):
                problems.append(
                    f"{describe(entry)}: {sorted(placeholders(sources[-1], brace))} "
                    f"became {sorted(placeholders(text, brace))}"
                )
    assert not problems, "placeholders or markup changed in translation:\n" + "\n".join(problems)


@vietnamese_catalogues
def test_msgfmt_counts_every_vietnamese_message_as_translated(po):
    result = subprocess.run(
        [tool("msgfmt"), "--check", "--statistics", "-o", "/dev/null", str(po)],
        capture_output=True,
        text=True,
        env={**os.environ, "LC_ALL": "C", "LANGUAGE": ""},
    )
    assert result.returncode == 0, result.stderr
    statistics = result.stderr.strip().splitlines()[-1]
    assert re.fullmatch(r"\d+ translated messages?\.", statistics), statistics
    assert int(statistics.split()[0]) == len(messages(po_read(po)))


def test_english_catalogue_is_valid():
    entries = po_read(EN_PO)
    header = po_header(entries)
    assert header.get("Language") == "en"
    assert "charset=UTF-8" in header.get("Content-Type", "")
    assert header.get("Plural-Forms", "").replace(" ", "") == "nplurals=2;plural=(n!=1);"
    forms = nplurals(header)
    problems = [
        describe(e)
        for e in messages(entries)
        if "fuzzy" in e.flags or (e.msgid_plural is not None and set(e.msgstr) != set(range(forms)))
    ]
    assert not problems, "English catalogue entries fuzzy or with wrong plural forms:\n" + "\n".join(problems)
    result = subprocess.run([tool("msgfmt"), "--check", "-o", "/dev/null", str(EN_PO)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_catalogue_strings_come_from_the_project_only():
    """No string from the virtualenv, var/, bench/ or the tests leaks into the catalogue."""
    leaked, stale = [], []
    for entry in messages(po_read(VI_PO)):
        for reference in entry.references:
            path = reference.rsplit(":", 1)[0]
            if Path(path).parts[0] in MAKEMESSAGES_IGNORE or "site-packages" in path or Path(path).is_absolute():
                leaked.append(f"{describe(entry)} comes from {reference}")
            elif not (BASE_DIR / path).is_file():
                stale.append(f"{describe(entry)} points to {reference}, which no longer exists")
    assert not leaked, "strings from outside the project's code:\n" + "\n".join(leaked)
    assert not stale, "run makemessages (see this module's docstring):\n" + "\n".join(stale)


# --- The catalogues are up to date with the code ----------------------------------------------


def _copy_sources(destination: Path) -> None:
    """Copy the project's .py/.html/.txt files, as makemessages would see them, without locale/."""

    def ignore(directory: str, names: list[str]) -> set[str]:
        skipped = set()
        for name in names:
            path = Path(directory) / name
            if name.startswith(".") or name == "__pycache__" or name in MAKEMESSAGES_IGNORE:
                skipped.add(name)
            elif path.is_file() and path.suffix not in SOURCE_SUFFIXES:
                skipped.add(name)
        return skipped

    for child in BASE_DIR.iterdir():
        if child.name in MAKEMESSAGES_IGNORE or child.name.startswith(".") or child == LOCALE_DIR:
            continue
        if child.is_dir():
            shutil.copytree(child, destination / child.name, ignore=ignore, symlinks=False)
        elif child.suffix in SOURCE_SUFFIXES:
            shutil.copy2(child, destination / child.name)


def test_catalogues_hold_exactly_the_strings_of_the_code(tmp_path, monkeypatch, settings):
    """Run makemessages on a copy of the sources into an empty locale/ and compare the msgids."""
    for program in ("xgettext", "msgmerge", "msguniq", "msgattrib"):
        tool(program)
    project = tmp_path / "project"
    project.mkdir()
    _copy_sources(project)
    (project / "locale").mkdir()
    # makemessages writes under the first locale path; the committed catalogues stay untouched.
    settings.LOCALE_PATHS = [project / "locale"]
    monkeypatch.chdir(project)

    call_command("makemessages", locale=["vi"], ignore_patterns=list(MAKEMESSAGES_IGNORE), verbosity=0)

    extracted = {e.key: e for e in messages(po_read(project / "locale" / "vi" / "LC_MESSAGES" / "django.po"))}
    assert len(extracted) > 100, "makemessages found suspiciously few strings in the copied sources"
    for language, path in CATALOGUES.items():
        committed = {e.key for e in messages(po_read(path))}
        missing = sorted(set(extracted) - committed, key=str)
        stale = sorted(committed - set(extracted), key=str)
        report = [f"missing from {language}: {key[1]!r} ({' '.join(extracted[key].references)})" for key in missing]
        report += [f"no longer in the code, still in {language}: {key[1]!r}" for key in stale]
        assert not report, (
            f"{path.relative_to(BASE_DIR)} is out of date with the code; run makemessages "
            "(see this module's docstring) and translate:\n" + "\n".join(report)
        )


# --- The compiled .mo files match the .po files ------------------------------------------------


def _mo_read(path: Path) -> gettext.GNUTranslations:
    with path.open("rb") as handle:
        return gettext.GNUTranslations(handle)


@pytest.mark.parametrize("language", sorted(COMPILED_CATALOGUES))
def test_compiled_catalogue_matches_its_source(language, tmp_path):
    po = COMPILED_CATALOGUES[language]
    committed_mo = po.with_suffix(".mo")
    assert committed_mo.is_file(), f"{committed_mo.relative_to(BASE_DIR)} is missing: run compilemessages"
    fresh_mo = tmp_path / "django.mo"
    result = subprocess.run(
        [tool("msgfmt"), "--check-format", "-o", str(fresh_mo), str(po)], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr

    committed, fresh = _mo_read(committed_mo), _mo_read(fresh_mo)
    # The header's dates change with every makemessages run; what matters of it is compared below.
    committed_catalog = {k: v for k, v in committed._catalog.items() if k != ""}
    fresh_catalog = {k: v for k, v in fresh._catalog.items() if k != ""}
    hint = f"{committed_mo.relative_to(BASE_DIR)} is stale: run compilemessages"
    assert committed_catalog == fresh_catalog, hint
    for name in ("language", "plural-forms", "content-type"):
        assert committed.info().get(name) == fresh.info().get(name), f"{hint} ({name} differs)"


# --- Django serves the translations ------------------------------------------------------------

KEY_STRINGS = {
    "Sign in": "Đăng nhập",
    "Sign up": "Đăng ký",
    "Course catalogue": "Danh mục khóa học",
    "Enrol": "Đăng ký học",
    "My learning": "Khóa học của tôi",
}


@pytest.mark.parametrize(("source", "vietnamese"), sorted(KEY_STRINGS.items()), ids=sorted(KEY_STRINGS))
def test_vietnamese_is_served(source, vietnamese):
    with translation.override("vi"):
        assert translation.gettext(source) == vietnamese
    with translation.override("en"):
        assert translation.gettext(source) == source


def test_plurals_and_lazy_labels_are_served():
    from onetouch.models import AudienceGroup, User

    with translation.override("vi"):
        for count in (1, 5):
            text = translation.ngettext("%(counter)s course", "%(counter)s courses", count) % {"counter": count}
            assert text == f"{count} khóa học"
        assert str(AudienceGroup.COMMUNE_LEADER.label) == "Lãnh đạo UBND cấp xã"
        assert str(User.Role.PROVINCIAL_ADMIN.label) == "Quản trị viên cấp tỉnh"
    with translation.override("en"):
        assert translation.ngettext("%(counter)s course", "%(counter)s courses", 1) == "%(counter)s course"
        assert translation.ngettext("%(counter)s course", "%(counter)s courses", 5) == "%(counter)s courses"
        assert str(AudienceGroup.COMMUNE_LEADER.label) == "Commune People's Committee leaders"


def test_templates_render_in_the_active_language():
    template = Template(
        '{% load i18n %}{% translate "Sign in" %}|'
        "{% blocktranslate count counter=total %}{{ counter }} learner{% plural %}{{ counter }} learners"
        "{% endblocktranslate %}"
    )
    with translation.override("vi"):
        assert template.render(Context({"total": 3})) == "Đăng nhập|3 học viên"
    with translation.override("en"):
        assert template.render(Context({"total": 3})) == "Sign in|3 learners"
        assert template.render(Context({"total": 1})) == "Sign in|1 learner"


# --- django-allauth's pages are Vietnamese -----------------------------------------------------
# django-allauth ships no Vietnamese catalogue, and makemessages --no-obsolete drops from ours any
# msgid that is not in our code, so the project keeps its own Vietnamese translation of the strings
# of allauth.account (pages, form labels, errors, messages, emails) in locale_allauth/, the second
# entry of LOCALE_PATHS, which makemessages does not rewrite.

ALLAUTH_STRINGS = {
    "Sign In": "Đăng nhập",
    "Forgot your password?": "Quên mật khẩu?",
    "Remember Me": "Ghi nhớ đăng nhập",
    "Password Reset": "Đặt lại mật khẩu",
    "Too many failed login attempts. Try again later.": "Bạn đã đăng nhập sai quá nhiều lần. Vui lòng thử lại sau.",
}


def test_allauth_catalogue_is_on_the_locale_paths_after_ours():
    """Ours comes first (makemessages writes there, and it wins on a shared msgid); allauth's is read too."""
    paths = [Path(path) for path in django_settings.LOCALE_PATHS]
    assert paths[0] == LOCALE_DIR
    assert ALLAUTH_LOCALE_DIR in paths[1:], "locale_allauth is missing from LOCALE_PATHS"


def test_allauth_pages_are_vietnamese():
    with translation.override("vi"):
        untranslated = [source for source in ALLAUTH_STRINGS if translation.gettext(source) == source]
        served = {source: translation.gettext(source) for source in ALLAUTH_STRINGS}
        assert translation.pgettext("field label", "Login") == "Tài khoản đăng nhập"
    assert not untranslated, f"allauth strings still in English on the Vietnamese site: {untranslated}"
    assert served == ALLAUTH_STRINGS
    with translation.override("en"):
        assert [translation.gettext(source) for source in ALLAUTH_STRINGS] == list(ALLAUTH_STRINGS)


def _copy_allauth_account_sources(destination: Path) -> None:
    """Copy the account parts of the installed django-allauth under destination/allauth/."""
    for part in ALLAUTH_ACCOUNT_SOURCES:
        source, target = ALLAUTH_DIR / part, destination / "allauth" / part
        if source.is_dir():
            shutil.copytree(source, target, ignore=shutil.ignore_patterns("__pycache__", "locale", "tests"))
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)


def test_allauth_catalogue_holds_exactly_the_account_strings_of_allauth(tmp_path, monkeypatch, settings):
    """Run makemessages on a copy of allauth.account's sources and compare the msgids.

    Fails after an upgrade of django-allauth that adds, changes or removes strings of its account
    pages: locale_allauth/README.md says how to merge them in.
    """
    for program in ("xgettext", "msgmerge", "msguniq", "msgattrib"):
        tool(program)
    sources = tmp_path / "allauth-sources"
    _copy_allauth_account_sources(sources)
    (sources / "locale").mkdir()
    settings.LOCALE_PATHS = [sources / "locale"]
    monkeypatch.chdir(sources)

    call_command("makemessages", locale=["vi"], verbosity=0)

    extracted = {e.key: e for e in messages(po_read(sources / "locale" / "vi" / "LC_MESSAGES" / "django.po"))}
    assert len(extracted) > 100, "makemessages found suspiciously few strings in django-allauth"
    committed = {e.key for e in messages(po_read(ALLAUTH_VI_PO))}
    report = [
        f"missing: {key[1]!r} ({' '.join(extracted[key].references)})"
        for key in sorted(set(extracted) - committed, key=str)
    ]
    report += [f"no longer in django-allauth: {key[1]!r}" for key in sorted(committed - set(extracted), key=str)]
    assert not report, (
        f"{ALLAUTH_VI_PO.relative_to(BASE_DIR)} is out of date with django-allauth {allauth.__version__}; "
        "see locale_allauth/README.md:\n" + "\n".join(report)
    )


ALLAUTH_ENGLISH = ["Sign In", "Forgot your password?", "Password Reset", "Remember Me", "Reset My Password"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("url_name", "english_heading", "vietnamese_heading", "vietnamese"),
    [
        ("account_login", "Sign In", "Đăng nhập", ["Quên mật khẩu?", "Ghi nhớ đăng nhập", "Email hoặc số điện thoại"]),
        ("account_reset_password", "Password Reset", "Đặt lại mật khẩu", ["Quên mật khẩu?", "Địa chỉ email"]),
    ],
    ids=["login", "password-reset"],
)
def test_allauth_pages_render_in_vietnamese(
    client, settings, url_name, english_heading, vietnamese_heading, vietnamese
):
    response = client.get(reverse(url_name))
    assert response.status_code == 200
    assert response["Content-Language"] == "vi"
    page = response.content.decode()
    assert re.search(rf"<h1[^>]*>\s*{re.escape(vietnamese_heading)}\s*</h1>", page), page
    assert [text for text in vietnamese if text not in page] == []
    assert [text for text in ALLAUTH_ENGLISH if text in page] == [], "English left on the Vietnamese page"

    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = client.get(reverse(url_name)).content.decode()
    assert re.search(rf"<h1[^>]*>\s*{re.escape(english_heading)}\s*</h1>", english)


@pytest.mark.django_db
def test_allauth_login_errors_are_vietnamese(client, learner_hanoi):
    """A wrong password, then the rate limit of failed logins, both said in Vietnamese."""
    login = reverse("account_login")
    wrong = {"login": learner_hanoi.email, "password": "sai-mat-khau"}
    page = client.post(login, wrong).content.decode()
    assert "Địa chỉ email hoặc mật khẩu không đúng." in page
    assert "not correct" not in page
    for _ in range(4):
        client.post(login, wrong)
    page = client.post(login, wrong).content.decode()
    assert "Tạm dừng đăng nhập vào tài khoản này từ đây trong vài phút" in page
    assert "Đặt lại mật khẩu qua email để đăng nhập ngay" in page
    assert "paused" not in page
