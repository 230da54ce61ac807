"""The command line: assess, explain, diff, packs check, schema. Interfaces only: no law logic here."""

from __future__ import annotations

import datetime as dt
import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer
import yaml
from rich.console import Console
from rich.markup import escape
from rich.table import Table
from rich.tree import Tree

from servicepath.engine.assess import UnknownForce, assess
from servicepath.engine.assessment import json_value
from servicepath.engine.contract import assessment_json, standards_document
from servicepath.engine.explain import explain as explain_force
from servicepath.engine.standards import assess_standards
from servicepath.engine.trace import TraceNode
from servicepath.language.ast import Value
from servicepath.packs.coverage import coverage as law_coverage
from servicepath.packs.coverage import coverage_json
from servicepath.packs.diff import diff as diff_law
from servicepath.packs.errors import PackError
from servicepath.packs.lawset import LawSet, load_law, pack_files
from servicepath.profile import Profile, ProfileError, json_schema, read_profile
from servicepath.terminal import run_interview

app = typer.Typer(help="servicepath: the law of foreign military service, cited line by line.", no_args_is_help=True)
packs_app = typer.Typer(help="Check and inspect law packs.", no_args_is_help=True)
app.add_typer(packs_app, name="packs")
out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False)


class Format(StrEnum):
    table = "table"
    json = "json"


def _fail(message: str, code: int = 2) -> NoReturn:
    err.print(f"[red]error:[/red] {message}", markup=True)
    raise typer.Exit(code)


def _date(text: str | None) -> dt.date:
    if text is None:
        return dt.date.today()
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        _fail(f"'{text}' is not a date: write it as YYYY-MM-DD, e.g. 2015-06-01")


def _law(paths: list[Path] | None = None) -> LawSet:
    try:
        return load_law(paths)
    except PackError as error:
        _fail("the law packs have problems:\n" + str(error))


def _profile(path: Path) -> Profile:
    try:
        return read_profile(path)
    except ProfileError as error:
        _fail("the profile has problems:\n" + "\n".join(f"  {problem}" for problem in error.problems))


PackOption = Annotated[
    list[Path] | None, typer.Option("--packs", help="Law pack files or folders (default: the shipped packs).")
]
AsOf = Annotated[str | None, typer.Option("--as-of", help="The date asked about, YYYY-MM-DD (default: today).")]


def _show(value: Value) -> str:
    return _show_json(json_value(value))


def _show_json(shown: Any) -> str:
    if isinstance(shown, bool):
        return "true" if shown else "false"
    return escape("unknown" if shown is None else (", ".join(shown) if isinstance(shown, list) else str(shown)))


def _cited(sources: list[str], confidence: str | None = None) -> str:
    return escape(f"[{', '.join(sources)}{'; ' + confidence if confidence else ''}]")


def _mark(result: str) -> str:
    return {"true": "[green]yes[/green]", "false": "[red]no[/red]", "unknown": "[yellow]unknown[/yellow]"}[result]


@app.command("assess")
def assess_command(
    profile: Annotated[Path, typer.Argument(help="The person's profile (YAML or JSON).")],
    as_of: AsOf = None,
    force: Annotated[list[str] | None, typer.Option("--force", help="Only this force id (repeatable).")] = None,
    output: Annotated[Format, typer.Option("--format", help="table or json.")] = Format.table,
    language: Annotated[str, typer.Option("--lang", help="Language of texts: en, ru or fr.")] = "en",
    packs: PackOption = None,
) -> None:
    """May this person enlist, on what terms, with what path to citizenship and what risk at home?"""
    law, person, date = _law(packs), _profile(profile), _date(as_of)
    try:
        result = assess(person, date, law, force)
    except UnknownForce as error:
        _fail(str(error))
    data = assessment_json(result, language, assess_standards(person, date, law, force))
    if output is Format.json:
        out.print_json(json.dumps(data, ensure_ascii=False))
        return
    _print_assessment(data)


def _print_assessment(data: dict[str, Any]) -> None:
    out.print(
        f"[bold]servicepath[/bold] — the law as of {data['as_of']} (packs {data['packs_version']}). "
        "Information, not legal advice."
    )
    if not data["forces"]:
        out.print("No force in the law packs admits foreign citizens on this date.")
    for force_id, force in data["forces"].items():
        out.rule(f"{force['name']} ({force_id})")
        out.print(f"Verdict: [bold]{force['verdict']}[/bold]")
        if force["missing_facts"]:
            out.print(f"Would be decided by: {', '.join(force['missing_facts'])}")
        table = Table("requirement", "met", "sources", "confidence", show_lines=False, expand=True)
        for item in force["requirements"]:
            table.add_row(escape(item["text"]), _mark(item["result"]), ", ".join(item["sources"]), item["confidence"])
        out.print(table)
        for term in force["terms"]:
            out.print(
                f"Term: {escape(term['text'])} = {escape(str(term['value']))} "
                f"{_cited(term['sources'], term['confidence'])}"
            )
        for path in force["citizenship_paths"]:
            start = f"service start {path['service_start']}" + (
                " (assumed: the date asked about)" if path["service_start_assumed"] else ""
            )
            out.print(
                f"Citizenship: {escape(path['text'])}: earliest application {path['earliest'] or 'unknown'}, "
                f"{start}; conditions met: {path['requires']} {_cited(path['sources'], path['confidence'])}"
            )
        for country, risks in force["home_risks"].items():
            for risk in risks:
                out.print(f"Risk at home ({country}): {risk['rule']} ({risk['kind']}): {_mark(risk['result'])}")
        for item in force["warnings"]:
            out.print(f"Warning: {escape(item['text'])} {_cited(item['sources'], item['confidence'])}")
    for country, rules in data["home"].items():
        out.rule(f"Law of {country} on serving abroad")
        for rule in rules:
            penalty = f" Penalty: {rule['penalty']}." if rule["penalty"] else ""
            out.print(
                f"{_mark(rule['result'])} {escape(rule['text'])}.{escape(penalty)} "
                f"{_cited(rule['sources'], rule['confidence'])}"
            )
            if rule["law_gaps"]:
                out.print("   The sources do not settle this: the answer stays unknown.")
    if data["home_missing_facts"]:
        out.print("Risks at home need the person's citizenships.")


def _tree(node: TraceNode, tree: Tree) -> None:
    for child in node.children:
        label = f"{escape(child.text)} = [bold]{_show(child.value)}[/bold]"
        if child.role == "fact" and child.value is None:
            label += " (not given)"
        elif child.role == "parameter":
            label += " (parameter in force on the date)"
        _tree(child, tree.add(label))


@app.command("explain")
def explain_command(
    profile: Annotated[Path, typer.Argument(help="The person's profile (YAML or JSON).")],
    force: Annotated[str, typer.Option("--force", help="The force id to explain.")],
    as_of: AsOf = None,
    language: Annotated[str, typer.Option("--lang", help="Language of texts: en, ru or fr.")] = "en",
    packs: PackOption = None,
) -> None:
    """Show how each requirement of one force was decided, as a tree."""
    law, person, date = _law(packs), _profile(profile), _date(as_of)
    if force not in law.forces:
        _fail(f"no force is called '{force}' (known: {', '.join(sorted(law.forces))})")
    if not law.forces[force][1].in_force(date):
        _fail(f"the force '{force}' does not admit foreign citizens on {date} in the law packs")
    result = explain_force(person, date, law, force)
    root = Tree(f"[bold]{result.name.get(language)}[/bold] on {date}: verdict [bold]{result.verdict}[/bold]")
    for requirement in result.requirements:
        shown = {True: "true", False: "false", None: "unknown"}[requirement.result]
        branch = root.add(
            f"{_mark(shown)} {escape(requirement.text.get(language))} [dim]{_cited(requirement.sources)}[/dim]"
        )
        branch_root = branch.add(f"{escape(requirement.trace.text)} = [bold]{_show(requirement.trace.value)}[/bold]")
        _tree(requirement.trace, branch_root)
    out.print(root)


@app.command("diff")
def diff_command(
    start: Annotated[str, typer.Option("--from", help="The earlier date, YYYY-MM-DD.")],
    end: Annotated[str, typer.Option("--to", help="The later date, YYYY-MM-DD.")],
    force: Annotated[list[str] | None, typer.Option("--force", help="Only this force id (repeatable).")] = None,
    output: Annotated[Format, typer.Option("--format", help="table or json.")] = Format.json,
    packs: PackOption = None,
) -> None:
    """Which requirements, parameters and sources changed between two dates."""
    law = _law(packs)
    for force_id in force or ():
        if force_id not in law.forces:
            _fail(f"no force is called '{force_id}' (known: {', '.join(sorted(law.forces))})")
    changes = diff_law(law, _date(start), _date(end), force)
    if output is Format.json:
        out.print_json(json.dumps(changes, ensure_ascii=False))
        return
    out.print(f"Changes from {changes['from']} to {changes['to']}:")
    for force_id, entry in changes["forces"].items():
        out.rule(force_id)
        for section, change in entry.items():
            out.print(f"{section}: {json.dumps(change, ensure_ascii=False)}")
    if changes["home_rules"]:
        out.print(f"home rules: {json.dumps(changes['home_rules'])}")
    out.print(f"sources: {json.dumps(changes['sources'])}")


@packs_app.command("check")
def packs_check(
    paths: Annotated[
        list[Path] | None, typer.Argument(help="Pack files or folders (default: the shipped packs).")
    ] = None,
) -> None:
    """Validate law packs: shape, sources, dates, and every rule's syntax and types."""
    for path in paths or []:
        if not path.exists():
            _fail(f"{path}: no such file or folder")
    law = _law(paths)
    files = pack_files(paths) if paths else None
    out.print(
        f"ok: {len(files) if files is not None else len(law.packs)} pack file(s), {len(law.forces)} force(s), "
        f"{len(law.home_rules)} home rule(s), {len(law.sources)} source(s)"
    )


@packs_app.command("coverage")
def packs_coverage(
    output: Annotated[Format, typer.Option("--format", help="table or json.")] = Format.table,
    packs: PackOption = None,
) -> None:
    """What the law packs cover: forces, nationalities with home law, and how the cited items are sourced."""
    for path in packs or []:
        if not path.exists():
            _fail(f"{path}: no such file or folder")
    data = coverage_json(law_coverage(_law(packs)))
    if output is Format.json:
        out.print_json(json.dumps(data, ensure_ascii=False))
        return
    out.print(f"[bold]Law pack coverage[/bold] ({data['packs']} pack file(s), version {data['packs_version']})")
    summary = Table("what", "count", expand=True)
    summary.add_column("which", overflow="fold")
    summary.add_row("forces", str(data["forces"]["count"]), escape(", ".join(data["forces"]["ids"])))
    summary.add_row(
        "nationalities with home law",
        str(data["home_law"]["count"]),
        escape(", ".join(f"{code} ({entry['rules']})" for code, entry in data["home_law"]["countries"].items())),
    )
    summary.add_row(
        "international rules",
        str(data["international_rules"]["count"]),
        escape(", ".join(data["international_rules"]["ids"])),
    )
    out.print(summary)
    confidence = data["confidence"]
    levels = Table("confidence", "cited items (as shown: best source)", "cited items (weakest source)", "sources")
    for level in confidence["levels"]:
        levels.add_row(
            level,
            str(confidence["items_shown"][level]),
            str(confidence["items_weakest"][level]),
            str(confidence["sources"][level]),
        )
    out.print(levels)
    out.print(
        "Cited items: requirements, terms, citizenship paths, application channels, warnings, home and "
        "international rules (each dated version once)."
    )


@app.command("schema")
def schema_command() -> None:
    """Print the profile's JSON Schema."""
    sys.stdout.write(json.dumps(json_schema(), indent=2, ensure_ascii=False) + "\n")


@app.command("batch")
def batch_command(
    source: Annotated[Path, typer.Argument(help="People, one a row: a .csv or .parquet file (see docs/batch.md).")],
    output: Annotated[Path, typer.Option("--out", help="Where to write the results: .csv or .parquet.")],
    as_of: AsOf = None,
    force: Annotated[list[str] | None, typer.Option("--force", help="Only this force id (repeatable).")] = None,
    compare_dates: Annotated[
        tuple[str, str] | None,
        typer.Option("--compare-dates", help="Add the verdicts at two dates, D1 D2, and a summary of who changed."),
    ] = None,
    engine: Annotated[
        str,
        typer.Option("--engine", help="tables (default: decision tables), polars (per person) or duckdb (SQL)."),
    ] = "tables",
    rejects: Annotated[
        Path | None, typer.Option("--rejects", help="Where to write rejected rows (default: OUT.rejects.csv).")
    ] = None,
    packs: PackOption = None,
) -> None:
    """Assess every person of a file: verdicts per force, home-country risk per nationality, and a summary."""
    from servicepath.batch.report import print_summary, progress_bar
    from servicepath.batch.runner import BatchInputError, run_batch

    law, date = _law(packs), _date(as_of)
    compare = (_date(compare_dates[0]), _date(compare_dates[1])) if compare_dates else None
    try:
        with progress_bar(err) as progress:
            summary = run_batch(source, output, law, date, force, compare, engine, rejects, progress=progress)
    except BatchInputError as error:
        _fail(str(error))
    print_summary(out, summary)


@app.command("interview")
def interview_command(
    force: Annotated[list[str] | None, typer.Option("--force", help="Only this force id (repeatable).")] = None,
    as_of: AsOf = None,
    language: Annotated[str, typer.Option("--lang", help="Language of texts: en, ru or fr.")] = "en",
    packs: PackOption = None,
    save: Annotated[Path | None, typer.Option("--save", help="Write the answers to this profile file (YAML).")] = None,
) -> None:
    """Ask only the questions that can still change a verdict, then show the assessment."""
    law, date = _law(packs), _date(as_of)
    for force_id in force or ():
        if force_id not in law.forces:
            _fail(f"no force is called '{force_id}' (known: {', '.join(sorted(law.forces))})")
    person = run_interview(
        law, date, force, language, ask=lambda text: typer.prompt(text, default="", show_default=False), say=out.print
    )
    if save is not None:
        save.write_text(yaml.safe_dump(person.model_dump(mode="json", exclude_none=True), allow_unicode=True))
    _print_assessment(assessment_json(assess(person, date, law, force), language))


@app.command("serve")
def serve_command(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    database: Annotated[
        str | None, typer.Option(help="SQLAlchemy URL of the session store (default: SQLite in this folder).")
    ] = None,
    packs: PackOption = None,
) -> None:
    """Start the web app and its API (OpenAPI at /openapi.json)."""
    import uvicorn

    from servicepath.web.app import create_app

    web_app = create_app(_law(packs), database)
    # No access log: paths can carry a resume token, and nothing about a person may reach the logs.
    uvicorn.run(web_app, host=host, port=port, access_log=False, log_level="warning")


@app.command("standards")
def standards_command(
    profile: Annotated[Path, typer.Argument(help="The person's profile (YAML or JSON) with its `results`.")],
    force: Annotated[list[str] | None, typer.Option("--force", help="Only this force id (repeatable).")] = None,
    output: Annotated[Format, typer.Option("--format", help="table or json.")] = Format.table,
    as_of: AsOf = None,
    language: Annotated[str, typer.Option("--lang", help="Language of texts: en, ru or fr.")] = "en",
    packs: PackOption = None,
) -> None:
    """Where the person's self-assessment results stand against each force's published entry standards."""
    law, person, date = _law(packs), _profile(profile), _date(as_of)
    try:
        result = assess_standards(person, date, law, force)
    except UnknownForce as error:
        _fail(str(error))
    data = standards_document(result, language)
    if output is Format.json:
        out.print_json(json.dumps(data, ensure_ascii=False))
        return
    out.print(
        f"[bold]servicepath[/bold] — entry standards as of {data['as_of']} (packs {data['packs_version']}). "
        "Where the results given stand against each published minimum; information, not advice."
    )
    if not data["standards"]:
        out.print("No entry standards in the law packs for this date.")
    marks = {
        "meets": "[green]meets[/green]",
        "does_not_meet": "[red]does not meet[/red]",
        "not_applicable": "[dim]does not apply to this person[/dim]",
    }
    for force_id, entry in data["standards"].items():
        out.rule(f"{entry['name']} ({force_id})")
        if not entry["standards"]:
            out.print("No entry standards for this force on this date.")
            continue
        table = Table("test", "minimum", "you", "result", "sources", "confidence", expand=True)
        described = [item for item in entry["standards"] if item["reason"] == "descriptive"]
        for item in entry["standards"]:
            minimums = item["minimums"]
            if item["reason"] == "descriptive":
                continue
            if item["spread"]:
                shown = f"{escape(item['spread']['lenient'])} to {escape(item['spread']['strict'])}"
                shown += " (sources disagree)" if item["disputed"] else " (depends on facts not given)"
            elif minimums:
                shown = escape(minimums[0]["value"])
            elif item["result"] == "not_applicable":
                shown = "—"
            else:
                shown = "not known for this date"
            if item["direction"] and minimums:
                shown = ("at most " if item["direction"] == "at_most" else "at least ") + shown
            mark = marks.get(item["result"], "[yellow]unknown[/yellow]")
            if item["margin"]:
                mark += f" ({escape(item['margin'])})"
            elif item["reason"] in ("disputed", "missing_facts", "no_result"):
                mark += {
                    "disputed": " (inside the spread)",
                    "missing_facts": f" (needs: {', '.join(item['missing_facts'])})",
                    "no_result": " (no result given)",
                }[item["reason"]]
            table.add_row(
                escape(item["test"]),
                shown,
                escape(item["person"] or "—"),
                mark,
                escape(", ".join(item["sources"])),
                item["confidence"],
            )
        if table.row_count:
            out.print(table)
        for item in described:
            out.print(
                f"[bold]{escape(item['test'])}[/bold] ({item['kind']}): {escape(item['text'] or '')} "
                f"{_cited(item['sources'], item['confidence'])}"
            )
        if entry["missing_results"]:
            out.print(f"No result given for: {', '.join(entry['missing_results'])}")


@app.command("sql")
def sql_command(
    dialect: Annotated[str, typer.Option("--dialect", help="duckdb, spark, trino or postgres.")] = "duckdb",
    as_of: AsOf = None,
    force: Annotated[list[str] | None, typer.Option("--force", help="Only this force id (repeatable).")] = None,
    table: Annotated[str, typer.Option("--table", help="The table of people (see docs/batch.md).")] = "persons",
    packs: PackOption = None,
) -> None:
    """Print the compiled law on a date as one SQL query over a table of people (see docs/batch.md)."""
    from servicepath.batch.columns import Selection
    from servicepath.batch.sql import DIALECTS, render
    from servicepath.engine.plan import plan_on
    from servicepath.engine.polars_backend import BatchUnsupported

    if dialect not in DIALECTS:
        _fail(f"unknown dialect '{dialect}' (use {', '.join(DIALECTS)})")
    law = _law(packs)
    for force_id in force or ():
        if force_id not in law.forces:
            _fail(f"no force is called '{force_id}' (known: {', '.join(sorted(law.forces))})")
    plan = plan_on(law, _date(as_of))
    try:
        query = render(plan, Selection(tuple(force) if force else None), dialect, table=table)
    except BatchUnsupported as error:
        _fail(f"a rule cannot be rendered as SQL: {error}")
    sys.stdout.write(query + "\n")
