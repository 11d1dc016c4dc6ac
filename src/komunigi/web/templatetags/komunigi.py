import datetime
import re
from decimal import Decimal
from html import unescape

from babel import Locale
from babel.core import get_global
from babel.numbers import format_percent
from django import template
from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.loader_tags import BLOCK_CONTEXT_KEY
from django.urls import translate_url
from django.utils import formats
from django.utils.html import strip_tags
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

from komunigi import dates
from komunigi.markdown import render_markdown
from komunigi.money import format_money

register = template.Library()


@register.filter
def markdown(text: str) -> SafeString:
    return mark_safe(render_markdown(text or ""))  # noqa: S308 - sanitised by nh3


@register.filter
def markdown_document(text: str) -> SafeString:
    """Markdown for a document shown on its own page (headings from h2)."""
    return mark_safe(render_markdown(text or "", top_heading=2))  # noqa: S308 - sanitised by nh3


@register.filter
def money(amount: Decimal | None) -> str:
    if amount is None:
        return ""
    return format_money(amount, settings.KOMUNIGI_CURRENCY, get_language() or "en")


@register.filter
def get_item(mapping: dict | None, key: object) -> object:
    """``mapping[key]`` in a template, or None."""
    return (mapping or {}).get(key)


@register.filter
def percent(rate: Decimal | None) -> str:
    """``0.05`` → ``5 %`` in French, ``5%`` in English."""
    if rate is None:
        return ""
    language = (get_language() or "en").replace("-", "_")
    return format_percent(rate, locale=language, decimal_quantization=False)


@register.simple_tag(takes_context=True)
def with_page(context: template.Context, number: int, param: str = "page") -> str:
    """This page's address with another page number, its other query parameters kept."""
    query = context["request"].GET.copy()
    query[param] = str(number)
    return "?" + query.urlencode()


@register.simple_tag(takes_context=True)
def page_in(context: template.Context, language: str) -> str:
    """This page's address in another language (its query kept)."""
    request = context["request"]
    path = translate_url(request.path, language)
    return f"{path}?{request.GET.urlencode()}" if request.GET else path


@register.filter
def with_local_numbers(error: ValidationError) -> str:
    """A form error's message with its figures written as the reader's language writes them:
    "au plus 10 000 caractères", "supérieure ou égale à 0,01", not 10000 and 0.01.

    The message is interpolated as Django does (a plural form picks itself from the number),
    then each figure it was given is rewritten where it appears whole."""
    if not error.params:
        return str(error.message)
    text = str(error.message % error.params)
    for value in error.params.values():
        if isinstance(value, int | Decimal) and not isinstance(value, bool):
            local = formats.number_format(value, use_l10n=True, force_grouping=True)
            text = re.sub(rf"(?<![\d.,]){re.escape(str(value))}(?![\d.,]*\d)", local, text)
    return text


@register.filter
def chart_value(value: Decimal | int | None, unit: str) -> str:
    """A chart's value as its table shows it: an amount of money, or a count."""
    if value is None:
        return "—"
    if unit == "money":
        return money(Decimal(value))
    return formats.number_format(value, use_l10n=True, force_grouping=True)


@register.simple_tag(takes_context=True)
def block_text(context: template.Context, name: str) -> str:
    """A block of this page rendered again as plain text, for the social preview's title and
    description (a Django block renders once where it is defined)."""
    blocks = context.render_context.get(BLOCK_CONTEXT_KEY)
    block = blocks.get_block(name) if blocks else None
    if block is None:
        return ""
    return " ".join(unescape(strip_tags(block.nodelist.render(context))).split())


@register.filter
def og_locale(language: str) -> str:
    """``fr`` → ``fr_FR``: Open Graph names a locale with its territory (CLDR's likely one)."""
    code = language.replace("-", "_")
    likely = get_global("likely_subtags").get(code.split("_")[0], code)
    return str(Locale.parse(code if "_" in code else likely))


@register.filter(expects_localtime=True)
def day(value: datetime.date | None) -> str:
    """``{{ meeting.starts_at|day }}``: the one way pages write a date (komunigi.dates). The
    template has put the value in the time zone wanted (the reader's, or ``|timezone:…``)."""
    return dates.format_date(value) if value else ""


@register.filter(expects_localtime=True)
def moment(value: datetime.datetime | None) -> str:
    """``{{ round.deadline|moment }}``: the one way pages write a date and time."""
    if value and not isinstance(value, datetime.datetime):
        return dates.format_date(value)
    return dates.format_moment(value) if value else ""
