"""What apps above the catalogue add to a module's page (who funded it, its maintenance), so
that the catalogue imports none of them. Each section gives the template it is shown with and
that template's context; sections register when their app is ready."""

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest

from komunigi.commons.models import Module

Section = Callable[[HttpRequest, Module], tuple[str, dict[str, Any]]]
_SECTIONS: list[Section] = []


def register(section: Section) -> Section:
    if section not in _SECTIONS:
        _SECTIONS.append(section)
    return section


def of_module(request: HttpRequest, module: Module) -> tuple[list[str], dict[str, Any]]:
    """The sections' templates, in the order they registered, and their merged context."""
    templates: list[str] = []
    context: dict[str, Any] = {}
    for section in _SECTIONS:
        template, found = section(request, module)
        templates.append(template)
        context.update(found)
    return templates, context
