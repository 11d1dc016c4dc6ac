"""Compile the translation catalogues so that missing translations show the English source.

Django falls back to the default language (French here) for strings a catalogue lacks; our
users reading Dutch, German or Spanish would rather read English. So, for every language but
the default one, untranslated or fuzzy entries are compiled with their English source text.
"""

from pathlib import Path

import polib


def compile_catalogue(po_path: Path, *, english_fallback: bool) -> polib.MOFile:
    """The .mo content for one .po file (the caller saves it)."""
    catalogue = polib.pofile(str(po_path))
    compiled = polib.MOFile(wrapwidth=0)
    compiled.metadata = catalogue.metadata
    for entry in catalogue:
        if entry.obsolete:
            continue
        translated = entry.translated()
        if not translated and not english_fallback:
            continue
        if entry.msgid_plural:
            if translated:
                plurals = dict(entry.msgstr_plural)
            else:
                plurals = {
                    index: entry.msgid if index == 0 else entry.msgid_plural
                    for index in range(_plural_count(catalogue))
                }
            compiled.append(
                polib.MOEntry(
                    msgctxt=entry.msgctxt,
                    msgid=entry.msgid,
                    msgid_plural=entry.msgid_plural,
                    msgstr_plural=plurals,
                )
            )
        else:
            compiled.append(
                polib.MOEntry(
                    msgctxt=entry.msgctxt,
                    msgid=entry.msgid,
                    msgstr=entry.msgstr if translated else entry.msgid,
                )
            )
    return compiled


def _plural_count(catalogue: polib.POFile) -> int:
    forms = catalogue.metadata.get("Plural-Forms", "nplurals=2;")
    return int(forms.split("nplurals=")[1].split(";")[0])


def compile_all(locale_dir: Path, default_language: str) -> list[Path]:
    written = []
    for po_path in sorted(locale_dir.glob("*/LC_MESSAGES/django.po")):
        language = po_path.parent.parent.name
        compiled = compile_catalogue(po_path, english_fallback=language != default_language)
        mo_path = po_path.with_suffix(".mo")
        compiled.save(str(mo_path))
        written.append(mo_path)
    return written
