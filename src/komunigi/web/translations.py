"""Compile the translation catalogues so that missing translations show the English source.

Django falls back to the default language (French here) for strings a catalogue lacks; our
users reading Dutch, German or Spanish would rather read English. So, for every language but
the default one, untranslated or fuzzy entries are compiled with their English source text.
"""

import re
from pathlib import Path

import polib

# French sets a narrow no-break space before : ; ! ? and inside « » (Imprimerie nationale; the
# Unicode character U+202F, so that a line never starts with the sign). A colon between
# digits (08:34) or in an address (https://) is not punctuation and keeps no space.
NARROW_NO_BREAK_SPACE = "\u202f"
_BEFORE_SIGN = re.compile(r"(?<=\S)[ \u00a0\u202f]*([:;!?])(?=\s|$|[)\]»<\"'’])|[ \u00a0]+([:;!?])")
_AFTER_OPENING_QUOTE = re.compile(r"«[ \u00a0\u202f]*")
_BEFORE_CLOSING_QUOTE = re.compile(r"[ \u00a0\u202f]*»")


def french_typography(text: str) -> str:
    """``text`` with French spacing around its punctuation."""
    text = _BEFORE_SIGN.sub(lambda m: NARROW_NO_BREAK_SPACE + (m[1] or m[2]), text)
    text = _AFTER_OPENING_QUOTE.sub("«" + NARROW_NO_BREAK_SPACE, text)
    return _BEFORE_CLOSING_QUOTE.sub(NARROW_NO_BREAK_SPACE + "»", text)


def set_french_typography(po_path: Path) -> int:
    """Rewrite the translations of ``po_path`` with French spacing, line by line so that the
    file keeps gettext's wrapping; returns how many lines changed."""
    lines = po_path.read_text(encoding="utf-8").split("\n")
    changed = 0
    in_translation = False
    for index, line in enumerate(lines):
        if line.startswith("msgstr"):
            in_translation = True
        elif not line.startswith('"'):
            in_translation = False
        if not in_translation:
            continue
        start = line.index('"')
        fixed = line[: start + 1] + french_typography(line[start + 1 : -1]) + '"'
        if fixed != line:
            lines[index] = fixed
            changed += 1
    po_path.write_text("\n".join(lines), encoding="utf-8")
    return changed


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
