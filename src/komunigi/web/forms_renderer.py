"""The form renderer: Django's own, whose few widget templates the site replaces are looked up
first in web/form_templates/ (a textarea without `maxlength`, which a browser applies by cutting
what is pasted without a word; error lists with figures written the reader's way)."""

from functools import cached_property
from pathlib import Path
from typing import Any

import django.forms
from django.forms.renderers import DjangoTemplates

OURS = Path(__file__).parent / "form_templates"
DJANGOS = Path(django.forms.__file__).parent / "templates"


class FormRenderer(DjangoTemplates):
    """Django's renderer and engine (the apps' widget templates too), ours looked up first."""

    @cached_property
    def engine(self) -> Any:
        return self.backend(
            {"APP_DIRS": True, "DIRS": [OURS, DJANGOS], "NAME": "djangoforms", "OPTIONS": {}}
        )
