"""Every list page shows a page of rows at a time: one helper, one way to read the page number
(a missing, wrong or too large number shows the nearest page, never an error)."""

from collections.abc import Sequence
from typing import Any, TypeVar

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest
from ninja.pagination import PageNumberPagination

T = TypeVar("T")


def paginate(
    request: HttpRequest, rows: Sequence[T] | Any, per_page: int, param: str = "page"
) -> Page:
    """The page of ``rows`` (a queryset or a list) that ``?<param>=`` asks for."""
    return Paginator(rows, per_page).get_page(request.GET.get(param))


class ApiPages(PageNumberPagination):
    """The API's pages (django-ninja's page numbers): a page past the last one is empty, with
    the count, whatever its number; ninja's own slices the query there, and a number too
    large for the database's integers made it answer 500."""

    def paginate_queryset(
        self, queryset: QuerySet, pagination: PageNumberPagination.Input, request: HttpRequest,
        **params: Any,
    ) -> dict[str, Any]:  # fmt: skip
        page_size = self._get_page_size(pagination.page_size)
        count = self._items_count(queryset)
        offset = (pagination.page - 1) * page_size
        items = queryset[offset : offset + page_size] if offset < count else queryset[:0]
        return {self.items_attribute: items, "count": count}
