"""The community's money in the JSON API: budget, history, statements, fees and their CSV exports."""

from ninja import Router

router = Router(tags=["funding"])
