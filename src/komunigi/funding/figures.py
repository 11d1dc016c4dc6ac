"""The charts of the co-financing and transparency pages, as figures (``web.figures``): each
chart's geometry with its title, its text alternative and the names of its series, in the
reader's language. The views hand them to ``web/charts/`` templates."""

import datetime
import functools
from collections.abc import Sequence
from decimal import Decimal

from django.conf import settings
from django.utils import formats
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _

from komunigi.funding import budget, services, split, statements
from komunigi.money import format_money
from komunigi.web import charts
from komunigi.web.figures import Figure


def share_curve(
    points: Sequence[split.CurvePoint], today: int, *, figure_id: str = "share-curve"
) -> Figure:
    """A split's curve as a chart: a row per number of supermarkets with what one of average
    weight pays, today's number highlighted. The simulator, a collecting campaign and the
    roadmap draw it alike."""
    labels = {point.participants: supermarkets_text(point.participants) for point in points}
    first, last = points[0], points[-1]
    summary = _(
        "The share of a supermarket of average weight falls from %(most)s with %(first)s to "
        "%(least)s with %(last)s."
    ) % {
        "first": labels[first.participants],
        "most": money_text(first.share),
        "last": labels[last.participants],
        "least": money_text(last.share),
    }
    now = next((point for point in points if point.participants == today), None)
    if now is not None:
        summary += " " + _("Today: %(today)s, %(share)s each.") % {
            "today": labels[today],
            "share": money_text(now.share),
        }
    return Figure(
        figure_id,
        _("The more we are, the less each pays"),
        summary,
        charts.bars(
            [(labels[point.participants], [point.share]) for point in points],
            series=["share"],
            current=labels[today] if now is not None else None,
        ),
        series={"share": _("Each pays")},
        row_heading=_("Supermarkets"),
    )


@functools.lru_cache(maxsize=1024)
def curve_from(to_raise: Decimal, today: int) -> tuple[split.CurvePoint, ...]:
    """The engine's curve for ``to_raise`` from today's number of supermarkets (one at least)
    to five more: compact where the whole curve, from one supermarket, would take a row per
    pledge. Equal participants give it, as they give its average-weight shares. Remembered:
    a campaign's page is polled every ten seconds, and splitting among a thousand pledges
    takes milliseconds."""
    counted = max(today, 1)
    equal = split.split(to_raise, [split.Participant(str(n)) for n in range(counted)])
    return equal.curve[counted - 1 :]


def supermarkets_text(count: int) -> str:
    return ngettext("%(count)d supermarket", "%(count)d supermarkets", count) % {"count": count}


def pledges_meter(figures: services.Outlook, to_raise: Decimal) -> Figure:
    """What the firm pledges would pay if the campaign closed now, and what pending boards
    would add once they agree, against the amount to raise.

    "Firm" is the sum of the firm pledges' shares if closed now (the API's ``totals.firm``):
    the whole amount to raise or nothing, since a close that fails raises nothing. Not what
    their limits cover: that would draw as raised money a failing close does not raise (the
    page says in words what the limits leave uncovered). Both figures follow from what the
    page says in words (funded if closed now, funded once every board agrees, the amount to
    raise), so they are shown to whoever reads: hidden amounts are what each pays."""
    firm = sum(figures.shares_now.values(), split.ZERO)
    once_all_agree = sum(figures.shares_once_all_agree.values(), split.ZERO)
    pending = max(once_all_agree - firm, split.ZERO)  # nothing if they would not fund it
    amounts = {"to_raise": money_text(to_raise), "firm": money_text(firm)}
    if figures.pending:
        summary = _(
            "Of the %(to_raise)s to raise, the firm pledges would pay %(firm)s if the campaign "
            "closed now; once every pending board agrees, %(pending)s more."
        ) % {**amounts, "pending": money_text(pending)}
    else:
        closed_now = _(
            "Of the %(to_raise)s to raise, the firm pledges would pay %(firm)s if the campaign "
            "closed now."
        )
        summary = closed_now % amounts
    return Figure(
        "campaign-money",
        _("What the pledges would raise"),
        summary,
        charts.meter([("firm", firm), ("pending", pending)], marks=[("to_raise", to_raise)]),
        series={
            "firm": _("Firm pledges, if closed now"),
            "pending": _("Once pending boards agree"),
        },
        marks={"to_raise": _("To raise")},
    )


def payments_meter(raised: Decimal, rows: list[statements.ShareRow]) -> Figure:
    """What is paid of the shares and what is still due, against the amount raised: summed
    over every share (the rows are all of them; the table shows a page of them). An
    overpayment is no negative debt to draw."""
    paid = max(sum((row.paid for row in rows), split.ZERO), split.ZERO)
    due = max(sum((row.due for row in rows), split.ZERO), split.ZERO)
    return Figure(
        "campaign-money",
        _("What is paid"),
        _("Of the %(raised)s raised, %(paid)s is paid and %(due)s still due.")
        % {"raised": money_text(raised), "paid": money_text(paid), "due": money_text(due)},
        charts.meter([("paid", paid), ("due", due)], marks=[("raised", raised)]),
        series={"paid": _("Paid"), "due": _("Still due")},
        marks={"raised": _("Raised")},
    )


def budget_figures(
    years: list[budget.Year], months: list[tuple[datetime.date, Decimal]]
) -> list[Figure]:
    """Each year's income and expenses, where the money came from and went to, and the
    balance month by month."""
    return [_years_figure(years), *_source_figures(years), _balance_figure(months)]


def _years_figure(years: list[budget.Year]) -> Figure:
    """A row for every calendar year from the first with money to the last, oldest first (a
    time axis reads forward); a year without any movement has no bars, so that a gap shows."""
    by_year = {year.year: year for year in years}
    first, last = min(by_year), max(by_year)
    rows: list[tuple[str, list[Decimal | None]]] = []
    for number in range(first, last + 1):
        year = by_year.get(number)
        shown = [_drawn(year.total_income), _drawn(year.total_expenses)] if year else [None, None]
        rows.append((str(number), shown))
    oldest_first = [by_year[number] for number in sorted(by_year)]
    return Figure(
        "budget-years",
        _("Income and expenses per year"),
        _years_summary(oldest_first, last - first + 1),
        charts.bars(rows, series=["income", "expenses"]),
        series={"income": _("Income"), "expenses": _("Expenses")},
        row_heading=_("Year"),
    )


def _years_summary(years: list[budget.Year], span: int) -> str:
    if len(years) == 1:
        return _("In %(year)s, the fund received %(income)s and spent %(expenses)s.") % {
            "year": years[0].year,
            "income": money_text(years[0].total_income),
            "expenses": money_text(years[0].total_expenses),
        }
    income = max(years, key=lambda year: year.total_income)
    expenses = max(years, key=lambda year: year.total_expenses)
    summary = _(
        "From %(first)s to %(last)s, income was highest in %(income_year)s (%(income)s) and "
        "expenses in %(expenses_year)s (%(expenses)s)."
    ) % {
        "first": years[0].year,
        "last": years[-1].year,
        "income_year": income.year,
        "income": money_text(income.total_income),
        "expenses_year": expenses.year,
        "expenses": money_text(expenses.total_expenses),
    }
    if quiet := span - len(years):
        summary += " " + ngettext(
            "No money moved in %(count)d of these years.",
            "No money moved in %(count)d of these years.",
            quiet,
        ) % {"count": quiet}
    return summary


def _source_figures(years: list[budget.Year]) -> list[Figure]:
    """Income by source and expenses by use over all years together rather than the latest
    year: the year tables below already give each year's, a year just begun says little, and
    over all years each correction cancels what it corrects (no negative total); so a
    treasurer sees at once what the fund lives on and what it pays for."""
    income, expenses = budget.by_source(years)
    sides = [
        (
            "income",
            income,
            _("Income by source, all years together"),
            _("The largest source of income over all years: %(line)s, %(amount)s of %(total)s."),
            _("Income"),
        ),
        (
            "expenses",
            expenses,
            _("Expenses by use, all years together"),
            _("The largest expense over all years: %(line)s, %(amount)s of %(total)s."),
            _("Expenses"),
        ),
    ]
    figures = []
    for key, lines, title, summary, heading in sides:
        if not lines:
            continue
        label, largest = max(lines, key=lambda line: line[1])
        total = sum((amount for _label, amount in lines), Decimal("0.00"))
        figures.append(
            Figure(
                f"budget-{key}-by-source",
                title,
                summary
                % {"line": label, "amount": money_text(largest), "total": money_text(total)},
                charts.bars(
                    [(str(name), [_drawn(amount)]) for name, amount in lines], series=[key]
                ),
                series={key: _("Amount")},
                row_heading=heading,
            )
        )
    return figures


def _balance_figure(months: list[tuple[datetime.date, Decimal]]) -> Figure:
    (first, _opening), (last, balance) = months[0], months[-1]
    if len(months) == 1:
        summary = _("At the end of %(month)s, the fund's balance was %(balance)s.") % {
            "month": month_text(last),
            "balance": money_text(balance),
        }
    else:
        high = max(months, key=lambda point: point[1])
        low = min(months, key=lambda point: point[1])
        summary = _(
            "From %(first)s to %(last)s, the fund's balance was highest at the end of "
            "%(high_month)s (%(high)s) and lowest at the end of %(low_month)s (%(low)s); it "
            "ends at %(balance)s."
        ) % {
            "first": month_text(first),
            "last": month_text(last),
            "high_month": month_text(high[0]),
            "high": money_text(high[1]),
            "low_month": month_text(low[0]),
            "low": money_text(low[1]),
            "balance": money_text(balance),
        }
    return Figure(
        "budget-balance",
        _("The community fund's balance at the end of each month"),
        summary,
        charts.step_line(months),
        series={"value": _("Balance")},
        row_heading=_("End of month"),
    )


def _drawn(amount: Decimal) -> Decimal | None:
    """A bar's value: a year's total below zero (a correction of an earlier year's entry,
    larger than the year's own entries) has no bar to draw; the year's table shows it."""
    return amount if amount >= 0 else None


def money_text(amount: Decimal) -> str:
    return format_money(amount, settings.KOMUNIGI_CURRENCY, get_language())


def month_text(day: datetime.date) -> str:
    return formats.date_format(day, "YEAR_MONTH_FORMAT")
