"""Every list page shows a page of rows at a time: one helper, one way to read the page number
(a missing, wrong or too large number shows the nearest page, never an error)."""

from collections.abc import Sequence
from typing import Any, TypeVar

from django.core.paginator import Page, Paginator
from django.http import HttpRequest

T = TypeVar("T")


def paginate(
    request: HttpRequest, rows: Sequence[T] | Any, per_page: int, param: str = "page"
) -> Page:
    """The page of ``rows`` (a queryset or a list) that ``?<param>=`` asks for."""
    return Paginator(rows, per_page).get_page(request.GET.get(param))
