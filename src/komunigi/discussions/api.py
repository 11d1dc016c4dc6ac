"""Mailing lists and their threads in the JSON API."""

from ninja import Router

router = Router(tags=["discussions"])
