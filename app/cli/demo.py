"""``demo``: fill the database with realistic demo data, with progress and clean Ctrl+C."""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType
from typing import TYPE_CHECKING, Any

from app.cli.args import positive_int
from app.domain.leads import LeadQuery
from app.domain.serialise import to_jsonable

if TYPE_CHECKING:
    from app.cli.context import CliContext, CommandTree

EXIT_INTERRUPTED = 130


def register(tree: CommandTree) -> None:
    demo = tree.add("demo", help="generate demo data (users, events, leads, tasks, history)",
                    handler=run_demo,
                    description="Fill the database with realistic demo data. The same --seed "
                                "gives the same data. Ctrl+C stops cleanly and keeps the leads "
                                "generated so far.",
                    epilog="example:\n  %(prog)s --leads 100000 --seed 7 --db demo.sqlite")
    demo.add_argument("--leads", type=positive_int, required=True, metavar="N",
                      help="how many leads to generate")
    demo.add_argument("--seed", type=int, default=1, metavar="S",
                      help="random seed (default 1)")


class Progress:
    """A percentage line on stderr: redrawn in place on a terminal, one line per 10% otherwise."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self.tty = enabled and sys.stderr.isatty()
        self._shown = -1
        self._open_line = False

    def __call__(self, done: int, total: int) -> None:
        if not self.enabled or total <= 0:
            return
        percent = min(100, max(0, done * 100 // total))
        step = percent if self.tty else percent - percent % 10
        if step == self._shown:
            return
        self._shown = step
        text = f"demo: {percent:3d}% ({done:,} of {total:,} leads)"
        if self.tty:
            print(f"\r{text}", end="", file=sys.stderr, flush=True)
            self._open_line = True
        else:
            print(text, file=sys.stderr, flush=True)

    def finish(self) -> None:
        if self._open_line:
            print(file=sys.stderr, flush=True)
            self._open_line = False


@contextmanager
def cancel_on_sigint(cancel: threading.Event) -> Iterator[None]:
    """First Ctrl+C asks the generator to stop at its next batch; a second one stops at once."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def _handler(signum: int, frame: FrameType | None) -> None:
        if cancel.is_set():
            raise KeyboardInterrupt
        cancel.set()
        print("\ndemo: stopping after the current batch (Ctrl+C again to stop at once)",
              file=sys.stderr, flush=True)

    previous = signal.signal(signal.SIGINT, _handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def run_demo(args: argparse.Namespace, ctx: CliContext) -> int:
    try:
        from app.services.demo_service import DemoService
    except ModuleNotFoundError as error:
        if error.name != "app.services.demo_service":
            raise
        ctx.out.error("the demo data generator is not part of this build")
        return 1
    services = ctx.services
    before = services.leads.count(LeadQuery())
    cancel = threading.Event()
    progress = Progress(enabled=not ctx.out.json_mode)
    try:
        with cancel_on_sigint(cancel):
            summary = DemoService(services.context).generate(
                leads=args.leads, seed=args.seed, progress=progress, cancelled=cancel.is_set)
    except KeyboardInterrupt:
        progress.finish()
        kept = services.leads.count(LeadQuery()) - before
        _report_cancelled(ctx, kept, None)
        return EXIT_INTERRUPTED
    progress.finish()
    if cancel.is_set() and summary.leads < args.leads:
        _report_cancelled(ctx, int(summary.leads), summary)
        return EXIT_INTERRUPTED
    ctx.out.result(
        summary,
        f"Demo data created in {summary.seconds:.1f} s: {summary.leads:,} leads, "
        f"{summary.events:,} events, {summary.users:,} users, {summary.tasks:,} tasks, "
        f"{summary.activities:,} activities.")
    return 0


def _report_cancelled(ctx: CliContext, kept: int, summary: Any) -> None:
    message = f"cancelled: {kept:,} demo leads were kept; the rest were not generated"
    ctx.out.error(message)
    if ctx.out.json_mode:
        data: dict[str, Any] = {"cancelled": True, "leads": kept}
        if summary is not None:
            data = {**to_jsonable(summary), "cancelled": True}
        ctx.out.json(data)
