"""Campaigns (co-financing of one need) in the JSON API."""

from ninja import Router

router = Router(tags=["funding"])
