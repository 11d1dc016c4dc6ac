"""The translation catalogues: complete in every language, current with the code, compiled."""

import os
import re
import shutil
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import override_settings
from django.utils import translation

from komunigi.web.translations import compile_catalogue, french_typography

LOCALE_DIR = Path(settings.LOCALE_PATHS[0])
PACKAGE_DIR = LOCALE_DIR.parent
LANGUAGES = ["fr", "nl", "de", "es"]


def catalogue(language: str) -> polib.POFile:
    return polib.pofile(str(LOCALE_DIR / language / "LC_MESSAGES" / "django.po"))


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_catalogue_is_complete(language: str) -> None:
    """French, Dutch, German and Spanish readers see their own language everywhere."""
    found = catalogue(language)
    missing = [e.msgid for e in found.untranslated_entries() + found.fuzzy_entries()]
    assert missing == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_catalogues_keep_every_placeholder(language: str) -> None:
    for entry in catalogue(language).translated_entries():
        for source, translated in _pairs(entry):
            assert _placeholders(translated) == _placeholders(source), entry.msgid


def _pairs(entry: polib.POEntry) -> list[tuple[str, str]]:
    if entry.msgid_plural:
        return [(entry.msgid_plural, text) for text in entry.msgstr_plural.values()]
    return [(entry.msgid, entry.msgstr)]


def _placeholders(text: str) -> list[str]:
    return sorted(re.findall(r"%\(\w+\)[sd]|%[sd]|</?\w+>", text))


def test_catalogues_hold_every_string_of_the_code(tmp_path: Path) -> None:
    """Like `make messages`, in a copy of the code: nothing new may appear."""
    copy = tmp_path / "komunigi"
    shutil.copytree(PACKAGE_DIR, copy, ignore=shutil.ignore_patterns("__pycache__", "*.mo"))
    cwd = Path.cwd()
    os.chdir(copy)
    try:
        with override_settings(LOCALE_PATHS=[copy / "locale"]):
            call_command(
                "makemessages",
                locale=["fr"],
                no_obsolete=True,
                add_location="file",
                ignore_patterns=["tests/*", "*/tests/*"],
                verbosity=0,
            )
    finally:
        os.chdir(cwd)
    fresh = polib.pofile(str(copy / "locale" / "fr" / "LC_MESSAGES" / "django.po"))
    committed = catalogue("fr")
    assert sorted(e.msgid for e in fresh) == sorted(e.msgid for e in committed), (
        "User-facing strings changed: run `make messages` and translate the new ones."
    )


@pytest.mark.parametrize("language", LANGUAGES)
def test_compiled_catalogues_match_their_sources(language: str) -> None:
    po_path = LOCALE_DIR / language / "LC_MESSAGES" / "django.po"
    expected = compile_catalogue(po_path, english_fallback=language != "fr")
    committed = polib.mofile(str(po_path.with_suffix(".mo")))
    assert _as_dict(committed) == _as_dict(expected), "run `make messages`"


def _as_dict(mo: polib.MOFile) -> dict[str, object]:
    """Each message by its id, prefixed with its context when it has one."""
    return {
        (f"{entry.msgctxt}|{entry.msgid}" if entry.msgctxt else entry.msgid): (
            dict(entry.msgstr_plural) if entry.msgid_plural else entry.msgstr
        )
        for entry in mo
    }


def test_untranslated_entries_compile_to_english_except_in_french(tmp_path: Path) -> None:
    po = polib.POFile()
    po.metadata = {"Content-Type": "text/plain; charset=UTF-8", "Plural-Forms": "nplurals=2;"}
    po.append(polib.POEntry(msgid="Translated", msgstr="Vertaald"))
    po.append(polib.POEntry(msgid="Missing", msgstr=""))
    po.append(polib.POEntry(msgid="Unsure", msgstr="Onzeker", flags=["fuzzy"]))
    po.append(polib.POEntry(msgid="%d file", msgid_plural="%d files", msgstr_plural={0: "", 1: ""}))
    po.save(str(tmp_path / "django.po"))

    dutch = _as_dict(compile_catalogue(tmp_path / "django.po", english_fallback=True))
    assert dutch == {
        "Translated": "Vertaald",
        "Missing": "Missing",
        "Unsure": "Unsure",
        "%d file": {0: "%d file", 1: "%d files"},
    }
    default = _as_dict(compile_catalogue(tmp_path / "django.po", english_fallback=False))
    assert set(default) == {"Translated"}


@pytest.mark.parametrize("language", ["nl", "de", "es"])
def test_other_languages_never_show_french(language: str) -> None:
    """Every string shows its own translation or the English source, never the French."""
    with translation.override(language):
        for entry in catalogue(language):
            if entry.msgid_plural or not entry.msgid:
                continue
            if entry.msgctxt:
                shown = translation.pgettext(entry.msgctxt, entry.msgid)
            else:
                shown = translation.gettext(entry.msgid)
            expected = entry.msgstr if entry.translated() else entry.msgid
            assert shown == expected, entry.msgid


def test_french_keeps_its_typography() -> None:
    """A narrow no-break space before : ; ! ? and inside « », so that a French line never
    starts with a colon or a closing quote (fix with web.translations.set_french_typography)."""
    wrong = [
        text
        for entry in catalogue("fr").translated_entries()
        for _source, text in _pairs(entry)
        if french_typography(text) != text
    ]
    assert wrong == []


@pytest.mark.parametrize(
    ("text", "typeset"),
    [
        ("Paiement reçu: BEES", "Paiement reçu\u202f: BEES"),
        ("Ligne %(line)s : %(why)s", "Ligne %(line)s\u202f: %(why)s"),
        ("« Le vrac »", "«\u202fLe vrac\u202f»"),
        ("Vraiment ?", "Vraiment\u202f?"),
        ("le 1 décembre à 08:34, https://example.org/?page=2", None),
    ],
)
def test_french_typography(text: str, typeset: str | None) -> None:
    assert french_typography(text) == (typeset or text)
