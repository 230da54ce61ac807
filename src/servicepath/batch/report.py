"""What a batch run says on the terminal: a progress bar on long runs, then the summary tables."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from servicepath.batch.runner import Summary

VERDICTS = ("eligible", "ineligible", "unknown")
LONG_RUN = 200_000
"""Rows from which a progress bar is shown."""


@contextmanager
def progress_bar(console: Console) -> Iterator[Callable[[int, int], None]]:
    """A callback (rows done, rows in all) that draws a bar once the file is long enough to wait for."""
    with Progress(
        TextColumn("assessing"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=console,
        transient=True,
    ) as bar:
        task = None

        def update(done: int, total: int) -> None:
            nonlocal task
            if total < LONG_RUN:
                return
            if task is None:
                task = bar.add_task("rows", total=total)
            bar.update(task, completed=done)

        yield update


def print_summary(console: Console, summary: Summary) -> None:
    console.print(
        f"{summary.rows} row(s) read, {summary.assessed} assessed as of {summary.as_of}, "
        f"{summary.rejected} rejected" + (f" (see {summary.rejects_path})" if summary.rejects_path else "")
    )
    if summary.copied_columns:
        console.print(
            f"Copied as they are (no rule of these forces reads them): {escape(', '.join(summary.copied_columns))}"
        )
    for force_id in summary.skipped_forces:
        console.print(f"{force_id}: does not admit foreign citizens on {summary.as_of} in the law packs")
    table = Table("force", *VERDICTS, title="Verdicts per force")
    for force_id in summary.forces:
        counts: Counter[str] = summary.verdicts.get(force_id, Counter())
        table.add_row(force_id, *(str(counts.get(verdict, 0)) for verdict in VERDICTS))
    console.print(table)
    if summary.compare is None:
        return
    first, second = summary.compare
    changes = Table("force", f"verdict on {first}", f"verdict on {second}", "people", title="Who changed")
    for force_id, changed in sorted(summary.changes.items()):
        for (before, after), count in sorted(changed.items()):
            changes.add_row(force_id, before, after, str(count))
    if not changes.row_count:
        console.print(f"No verdict changed between {first} and {second}.")
    else:
        console.print(changes)
