"""Odoo manifests read as data, never run (no Django here).

A manifest (`__manifest__.py`, `__openerp__.py` before 10.0) is a Python file holding one
dict literal. It comes from repositories we do not control, so it is parsed with `ast` and
evaluated only if it is nothing but literals (`ast.literal_eval`): a call, an import, a name
or a comprehension is refused with its reason, as are huge files and deep nesting.
"""

import ast
import re
from dataclasses import dataclass, field

MANIFEST_NAMES = ("__manifest__.py", "__openerp__.py")
MAX_BYTES = 64 * 1024
MAX_DEPTH = 8
SERIES = re.compile(r"^(\d{1,2})\.0$")
VERSION_SERIES = re.compile(r"^(\d{1,2}\.0)\.\d+\.\d+\.\d+$")

# What each field must be, when present.
STRINGS = ("name", "summary", "version", "license", "author", "website", "category")
LISTS = ("depends", "maintainers")
BOOLEANS = ("installable", "application", "auto_install")


class ManifestError(ValueError):
    """Why a manifest was skipped, in plain words (shown in the import's report)."""


@dataclass(frozen=True)
class Manifest:
    name: str
    summary: str = ""
    version: str = ""
    license: str = ""
    authors: list[str] = field(default_factory=list)
    maintainers: list[str] = field(default_factory=list)
    website: str = ""
    category: str = ""
    depends: list[str] = field(default_factory=list)
    installable: bool = True
    development_status: str = ""


def _depth(node: ast.AST) -> int:
    children = list(ast.iter_child_nodes(node))
    return 1 + max((_depth(child) for child in children), default=0)


def parse(source: bytes) -> Manifest:
    """The manifest in ``source``, or ManifestError saying why not."""
    if len(source) > MAX_BYTES:
        raise ManifestError(f"too large ({len(source)} bytes, at most {MAX_BYTES})")
    try:
        tree = ast.parse(source.decode("utf-8"), mode="exec")
    except (SyntaxError, UnicodeDecodeError, ValueError, RecursionError, MemoryError) as error:
        raise ManifestError(f"not readable as Python: {error}") from None
    body = [node for node in tree.body if not _is_docstring_or_comment(node)]
    if len(body) != 1 or not isinstance(body[0], ast.Expr):
        raise ManifestError("not a single expression")
    expression = body[0].value
    if not isinstance(expression, ast.Dict):
        raise ManifestError("not a dict")
    if _depth(expression) > MAX_DEPTH * 2:
        raise ManifestError("nested too deeply")
    try:
        data = ast.literal_eval(expression)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        raise ManifestError("not made of literals only (a call, a name or an import)") from None
    return _checked(data)


def _is_docstring_or_comment(node: ast.stmt) -> bool:
    """Manifests often start with a licence header as a string before the dict."""
    return (
        isinstance(node, ast.Expr)
        and isinstance(node.value, ast.Constant)
        and isinstance(node.value.value, str)
    )


def _checked(data: dict) -> Manifest:
    for key in STRINGS:
        if key in data and not isinstance(data[key], str):
            raise ManifestError(f"“{key}” is not a string")
    for key in LISTS:
        if key in data and not (
            isinstance(data[key], list | tuple) and all(isinstance(v, str) for v in data[key])
        ):
            raise ManifestError(f"“{key}” is not a list of strings")
    for key in BOOLEANS:
        if key in data and not isinstance(data[key], bool):
            raise ManifestError(f"“{key}” is not true or false")
    if not data.get("name"):
        raise ManifestError("no “name”")
    author = data.get("author", "")
    return Manifest(
        name=data["name"].strip()[:200],
        summary=data.get("summary", "").strip()[:500],
        version=data.get("version", "").strip()[:50],
        license=data.get("license", "").strip()[:50],
        authors=[a.strip() for a in author.split(",") if a.strip()],
        maintainers=list(data.get("maintainers", [])),
        website=data.get("website", "").strip()[:200],
        category=data.get("category", "").strip()[:100],
        depends=list(dict.fromkeys(data.get("depends", []))),
        installable=data.get("installable", True),
        development_status=str(data.get("development_status", ""))[:50],
    )


def series_of(manifest: Manifest, given: str | None) -> str:
    """The Odoo series: the one given, or the manifest version's first two numbers."""
    if given:
        if not SERIES.match(given):
            raise ManifestError(f"“{given}” is not an Odoo series such as 12.0")
        return given
    match = VERSION_SERIES.match(manifest.version)
    if match is None:
        raise ManifestError("no series: give --series, or a version such as 12.0.1.0.0")
    return match[1]
