"""``plan``: the lead-flow planner, from a revenue target back to the leads needed each month."""

from __future__ import annotations

import argparse
from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING

from app.domain.contact_data import format_money, parse_money
from app.domain.errors import ValidationError
from app.domain.planning import LeadFlowPlan, Period, Stage, Verdict, parse_rate, plan_to_dict
from app.reports.plan_report import fmt_rate

if TYPE_CHECKING:
    from app.cli.context import CliContext, CommandTree

_EPILOG = """\
Works backwards through the funnel: customers = target / deal size, opportunities = customers /
opportunity-won rate, SQLs = opportunities / sql-opportunity rate, MQLs = SQLs / mql-sql rate,
leads = MQLs / lead-mql rate, each rounded up, then spread evenly over the period's months and
compared with the leads created so far (projected at the run rate since the period began).
The verdict is "on track", or "N leads short by MONTH" for the first month still to come (the
period's last once it is over) whose projected total falls below the total needed by then.

Measured rates and the average deal size count the leads created in the 12 whole months before
the period (or before this month, if that is earlier); --deal-size and --rate replace them, and
are needed where there is no history yet. Months are calendar months in UTC.

rates (--rate STAGE=VALUE, repeatable; VALUE 0.3 or 30%%):
  lead-mql          leads that become marketing-qualified
  mql-sql           MQLs that become sales-qualified
  sql-opportunity   SQLs that become opportunities (converted or won)
  opportunity-won   opportunities that are won

examples:
  %(prog)s --target 500000 --period 2027
  %(prog)s --target 120000 --period 2027-Q2 --deal-size 8000 --rate lead-mql=0.3
  %(prog)s --target 500000 --period 2027 --rate opportunity-won=25%% --pdf plan.pdf --json"""


def register(tree: CommandTree) -> None:
    command = tree.add("plan", help="plan the leads a revenue target needs, month by month",
                       description="Work back from a revenue target to the customers, "
                                   "opportunities, SQLs and leads needed each month, and say "
                                   "whether the leads created so far are on track.",
                       epilog=_EPILOG, handler=show_plan)
    command.add_argument("--target", required=True, metavar="AMOUNT",
                         help="revenue target for the period, e.g. 500000 or 500,000.00")
    command.add_argument("--period", required=True, metavar="YEAR|YEAR-Qn",
                         help="a year (2027) or a quarter (2027-Q2)")
    command.add_argument("--deal-size", metavar="AMOUNT",
                         help="average deal size (default: measured from won deals)")
    command.add_argument("--rate", action="append", default=[], metavar="STAGE=VALUE",
                         help="an estimated conversion rate replacing the measured one")
    command.add_argument("--currency", metavar="CODE",
                         help="currency of the amounts (default: the events' currency)")
    command.add_argument("--pdf", type=Path, metavar="OUT.pdf",
                         help="also write the plan as a PDF (replaced if it exists)")
    command.add_argument("--page", choices=("a4", "letter"), type=str.lower,
                         help="paper size of the PDF (default: by locale)")


def _money(text: str | None, field: str) -> int | None:
    if text is None:
        return None
    try:
        return parse_money(text)
    except ValueError as error:
        raise ValidationError.single(field, str(error)) from None


def show_plan(args: argparse.Namespace, ctx: CliContext) -> int:
    period = Period.parse(args.period)
    target = _money(args.target, "target")
    assert target is not None
    estimates: dict[Stage, Fraction] = dict(parse_rate(text) for text in args.rate)
    currency = args.currency.strip().upper() if args.currency else None
    service = ctx.services.planning
    result = service.plan(target, period, deal_size=_money(args.deal_size, "deal-size"),
                          estimates=estimates, currency=currency)
    data = plan_to_dict(result)
    pages = 0
    if args.pdf is not None:
        pages = service.write_pdf(result, args.pdf, page_size=args.page)
        data["pdf"] = {"file": str(args.pdf), "pages": pages}
    if ctx.out.json_mode:
        ctx.out.json(data)
    else:
        _print_plan(result, ctx)
        if args.pdf is not None:
            ctx.out.line(f"Wrote {args.pdf}: {pages} page(s).")
    return 0


def _print_plan(result: LeadFlowPlan, ctx: CliContext) -> None:
    inputs, out = result.inputs, ctx.out
    out.line(result.summary())
    out.line()
    deal = "measured" if inputs.deal_size_measured else "estimate"
    out.table(("INPUT", "VALUE", "FROM"),
              [("Average deal size", format_money(inputs.deal_size, inputs.currency), deal),
               *((stage.label, fmt_rate(inputs.rates[stage].rate), inputs.rates[stage].source)
                 for stage in Stage)])
    out.line()
    started = result.verdict is not Verdict.NOT_STARTED
    out.table(("MONTH", "NEEDED", "NEEDED SO FAR", "CREATED", "CREATED SO FAR", "PROJECTED"),
              [(line.name, f"{line.needed:,}", f"{line.needed_total:,}",
                "" if line.actual is None else f"{line.actual:,}",
                "" if line.actual_total is None else f"{line.actual_total:,}",
                f"{line.projected_total:,}" if started else "") for line in result.months])
    out.line()
    out.line(f"Verdict: {result.verdict_text}.")
