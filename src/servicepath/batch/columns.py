"""What batch writes for each person, as Polars expressions over one row per person (one column per fact).

Per force: the verdict, the first requirement that fails, the facts that would decide an unknown verdict and the
earliest citizenship date; per nationality and kind of home rule: whether the home country's law applies. Each is
defined as the single-case answer defines it (engine/assess.py), so the two agree row for row."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import reduce

import polars as pl

from servicepath.batch.missing import Logic, missing_conditions
from servicepath.engine.interpreter import Interpreter
from servicepath.engine.plan import Compiled, ForcePlan, HomeRulePlan, Plan
from servicepath.engine.polars_backend import PolarsCompiler, referenced_facts, verdict_expression
from servicepath.language import ast

HOME_KINDS = ("criminal", "citizenship_loss", "other")


@dataclass
class Stages:
    """Each part of a rule computed once, as a column of its own, in the order its parts need: a rule reads the
    columns of its parts, not copies of them, so the work stays linear in the size of the law."""

    names: dict[tuple[int, int, str], str] = field(default_factory=dict)
    levels: dict[str, int] = field(default_factory=dict)
    definitions: list[tuple[int, pl.Expr]] = field(default_factory=list)
    by_expression: dict[str, str] = field(default_factory=dict)

    def apply(self, frame: pl.LazyFrame) -> pl.LazyFrame:
        for level in sorted({level for level, _ in self.definitions}):
            frame = frame.with_columns(expr for at, expr in self.definitions if at == level)
        return frame


class StagedCompiler(PolarsCompiler):
    def __init__(
        self, interpreter: Interpreter, stages: Stages, column: Callable[[str], pl.Expr] = pl.col, tag: str = ""
    ) -> None:
        super().__init__(interpreter, column)
        self.stages, self.tag = stages, tag

    def compile(self, node: ast.Node) -> pl.Expr:
        key = (id(self.interpreter), id(node), self.tag)
        name = self.stages.names.get(key)
        if name is not None:
            return pl.col(name)
        expr = super().compile(node)
        if isinstance(node, ast.Literal | ast.Reference) or not self.interpreter.reads_facts(node):
            return expr
        # The same part under another force or rule (most home rules read no force attribute) is computed once.
        same = expr.meta.serialize(format="json")
        name = self.stages.by_expression.get(same)
        if name is None:
            name = self.stages.by_expression[same] = f"__part{len(self.stages.by_expression)}"
            level = 1 + max((self.stages.levels.get(root, 0) for root in expr.meta.root_names()), default=0)
            self.stages.levels[name] = level
            self.stages.definitions.append((level, expr.alias(name)))
        self.stages.names[key] = name
        return pl.col(name)


@dataclass(frozen=True)
class Selection:
    """The forces a batch run asks about (None: every force in force on the date)."""

    forces: tuple[str, ...] | None = None

    def chosen(self, plan: Plan) -> list[str]:
        return [force_id for force_id in (self.forces or plan.forces) if force_id in plan.forces]


TRUTH = pl.Enum(["false", "true", "unknown"])


def truth_text(value: pl.Expr) -> pl.Expr:
    return (
        pl.when(value.is_null())
        .then(pl.lit("unknown", TRUTH))
        .when(value)
        .then(pl.lit("true", TRUTH))
        .otherwise(pl.lit("false", TRUTH))
    )


def _any(values: Sequence[pl.Expr]) -> pl.Expr:
    return reduce(lambda a, b: a | b, values) if values else pl.lit(False)


POLARS_LOGIC: Logic[pl.Expr] = Logic(
    is_null=lambda value: value.is_null(),
    all_of=lambda parts: reduce(lambda a, b: a & b, parts),
    any_of=lambda parts: reduce(lambda a, b: a | b, parts),
    negate=lambda value: ~value,
)


def with_start(as_of: dt.date) -> Callable[[str], pl.Expr]:
    """Citizenship dates of a would-be recruit are counted from the date asked about, as the single-case answer
    does (it says so: `service_start_assumed`)."""

    def column(name: str) -> pl.Expr:
        return pl.col(name).fill_null(pl.lit(as_of, pl.Date)) if name == "service.start" else pl.col(name)

    return column


@dataclass(frozen=True)
class ForceParts:
    """A force's answer for a population, as expressions over fact columns."""

    verdict: pl.Expr
    first_failing: pl.Expr
    missing_facts: pl.Expr
    """The facts an unknown verdict waits for, as one text 'a;b' ('' when the verdict is decided)."""
    met: list[pl.Expr]
    """Per citizenship path: whether its conditions hold."""
    earliest: list[pl.Expr]
    """Per citizenship path: its earliest date, service counted from the date asked about if not given."""


def _compiler(plan: ForcePlan, stages: Stages | None, column: Callable[[str], pl.Expr], tag: str) -> PolarsCompiler:
    if stages is None:
        return PolarsCompiler(plan.interpreter, column)
    return StagedCompiler(plan.interpreter, stages, column, tag=tag)


def force_parts(plan: ForcePlan, as_of: dt.date, stages: Stages | None = None) -> ForceParts:
    """`stages`: compute each part once as a column of its own (per person); None: plain expressions."""
    compiler = _compiler(plan, stages, pl.col, "")
    requirements = [
        (citation.id, compiler.compile(compiled.node).cast(pl.Boolean)) for citation, compiled in plan.requirements
    ]
    verdict = verdict_expression([expr for _, expr in requirements])
    ids = pl.Enum(list(dict.fromkeys(requirement_id for requirement_id, _ in requirements)))
    failing: pl.Expr = pl.lit(None, ids)
    for requirement_id, expr in reversed(requirements):
        failing = pl.when(expr.not_()).then(pl.lit(requirement_id, ids)).otherwise(failing)
    conditions: dict[str, list[pl.Expr]] = {}
    for _, compiled in plan.requirements:
        for fact, found in missing_conditions(compiler, compiled.node, POLARS_LOGIC).items():
            conditions.setdefault(fact, []).extend(found)
    unknown = verdict == pl.lit("unknown")
    missing = pl.concat_str(
        [pl.when(unknown & _any(conditions[fact])).then(pl.lit(fact)) for fact in sorted(conditions)],
        separator=";",
        ignore_nulls=True,
    )
    paths = _compiler(plan, stages, with_start(as_of), f"start={as_of}")
    met, earliest = [], []
    for _, date, requires in plan.paths:
        earliest.append(paths.compile(date.node).cast(pl.Date))
        met.append(pl.lit(True) if requires is None else paths.compile(requires.node).cast(pl.Boolean))
    return ForceParts(verdict, failing, missing if conditions else pl.lit(""), met, earliest)


def citizenship_date(met: Sequence[pl.Expr], earliest: Sequence[pl.Expr]) -> pl.Expr:
    """The earliest date of the paths whose conditions hold."""
    candidates: list[pl.Expr] = [pl.when(ok).then(date) for ok, date in zip(met, earliest, strict=True)]
    if not candidates:
        return pl.lit(None, pl.Date)
    # Folded by hand: Polars 1.44's min_horizontal returns one row when no row meets any path's conditions.
    earlier = reduce(lambda a, b: pl.when(b < a).then(b).otherwise(pl.coalesce(a, b)), candidates)
    return earlier.cast(pl.Date)


def force_column_names(force_id: str) -> list[str]:
    return [f"{force_id}.{part}" for part in ("verdict", "first_failing", "missing_facts", "citizenship_date")]


def force_columns(plan: ForcePlan, as_of: dt.date, stages: Stages) -> list[pl.Expr]:
    parts = force_parts(plan, as_of, stages)
    values = [parts.verdict, parts.first_failing, parts.missing_facts, citizenship_date(parts.met, parts.earliest)]
    return [value.alias(name) for value, name in zip(values, force_column_names(plan.force.id), strict=True)]


def _rule_expression(rule: HomeRulePlan, chosen: list[str], stages: Stages | None) -> pl.Expr:
    """Whether the rule applies for any chosen force (Kleene `or`), as the single-case answer's `result`."""
    values: list[pl.Expr] = [
        pl.lit(value, pl.Boolean) for force_id, value in rule.fixed_by_force.items() if force_id in chosen
    ]
    for compiled, ids in rule.person_dependent:
        if any(force_id in chosen for force_id in ids):
            compiler = (
                PolarsCompiler(compiled.interpreter) if stages is None else StagedCompiler(compiled.interpreter, stages)
            )
            values.append(compiler.compile(compiled.node).cast(pl.Boolean))
    return _any(values)


def home_rule_groups(plan: Plan, chosen: list[str]) -> dict[tuple[str, str], list[HomeRulePlan]]:
    """Home rules by (nationality, kind), those that bind a chosen force."""
    groups: dict[tuple[str, str], list[HomeRulePlan]] = {}
    for country in sorted(plan.home_rules_by_country):
        for rule in plan.home_rules_by_country[country]:
            if any(force_id in rule.by_force for force_id in chosen):
                groups.setdefault((country, rule.kind), []).append(rule)
    return dict(sorted(groups.items()))


def home_column_name(country: str, kind: str) -> str:
    return f"home.{country}.{kind}"


def home_column(
    country: str, kind: str, rules: list[HomeRulePlan], chosen: list[str], stages: Stages | None = None
) -> pl.Expr:
    """'true', 'false' or 'unknown' for people who hold the nationality, null for people who do not, and
    'unknown' when the person's citizenships are not given."""
    citizenships = pl.col("citizenships")
    applies = _any([_rule_expression(rule, chosen, stages) for rule in rules])
    return (
        pl.when(citizenships.is_null())
        .then(pl.lit("unknown", TRUTH))
        .when(citizenships.list.contains(pl.lit(country)))
        .then(truth_text(applies))
        .otherwise(pl.lit(None, TRUTH))
        .alias(home_column_name(country, kind))
    )


def home_columns(plan: Plan, chosen: list[str], stages: Stages) -> list[pl.Expr]:
    """One column per nationality with home rules and kind of rule (home_column)."""
    groups = home_rule_groups(plan, chosen).items()
    return [home_column(country, kind, rules, chosen, stages) for (country, kind), rules in groups]


def result_columns(plan: Plan, selection: Selection, stages: Stages) -> list[pl.Expr]:
    chosen = selection.chosen(plan)
    return [
        *(column for force_id in chosen for column in force_columns(plan.forces[force_id], plan.as_of, stages)),
        *home_columns(plan, chosen, stages),
    ]


def assess_frame(
    frame: pl.DataFrame | pl.LazyFrame, plan: Plan, selection: Selection = Selection(), keep: Sequence[str] = ()
) -> pl.DataFrame:
    """The result columns for every row of a frame of facts (typed as batch reads them), with `keep` first."""
    stages = Stages()
    columns = result_columns(plan, selection, stages)
    return stages.apply(frame.lazy()).select(*(pl.col(name) for name in keep), *columns).collect()


def _compiled_of(plan: Plan, chosen: list[str]) -> Iterable[tuple[Interpreter, Compiled]]:
    for force_id in chosen:
        force = plan.forces[force_id]
        for _, compiled in force.requirements:
            yield force.interpreter, compiled
        for _, earliest, requires in force.paths:
            yield force.interpreter, earliest
            if requires is not None:
                yield force.interpreter, requires
    for rules in home_rule_groups(plan, chosen).values():
        for rule in rules:
            for compiled, _ in rule.person_dependent:
                yield compiled.interpreter, compiled


def facts_needed(plan: Plan, selection: Selection) -> set[str]:
    """Every fact column the result columns read (through `rule.` references too)."""
    names = {"citizenships"}
    for interpreter, compiled in _compiled_of(plan, selection.chosen(plan)):
        names |= referenced_facts(compiled.node, interpreter.scope)
    return names
