"""The newsletter archive in the JSON API."""

from ninja import Router

router = Router(tags=["news"])
