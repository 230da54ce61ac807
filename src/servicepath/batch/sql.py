"""The compiled law as one SQL query (built as a SQLGlot tree, never by pasting strings), so a population held in
a database or a cluster is assessed where it lies. The query reads a table of people with the same columns batch
reads (dates as DATE, booleans as BOOLEAN, citizenships as an array of strings) and writes the same result
columns, missing facts joined with ';'.

SQL's AND, OR and NOT follow Kleene's logic with NULL as unknown, as the rule language does; CASE treats an
unknown condition as false and LEAST skips NULLs, which the compiler handles as the Polars backend does."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from functools import reduce

import polars as pl
import sqlglot.expressions as exp

from servicepath.batch.columns import Selection, home_column_name, home_rule_groups
from servicepath.batch.missing import Logic, missing_conditions
from servicepath.engine.interpreter import Interpreter
from servicepath.engine.plan import ForcePlan, HomeRulePlan, Plan
from servicepath.engine.polars_backend import BatchUnsupported
from servicepath.language import ast
from servicepath.language import types as t
from servicepath.language.values import Duration, Money

DIALECTS = ("duckdb", "spark", "trino", "postgres")
TABLE = "persons"


def column(name: str) -> exp.Column:
    return exp.Column(this=exp.to_identifier(name, quoted=True))


def _named(node: exp.Expr, name: str) -> exp.Expr:
    named: exp.Expr = exp.alias_(node, name, quoted=True)
    return named


def _paren(node: exp.Expr) -> exp.Expr:
    return exp.Paren(this=node)


def _and(parts: Sequence[exp.Expr]) -> exp.Expr:
    if not parts:
        return exp.true()
    return reduce(lambda a, b: exp.And(this=_paren(a), expression=_paren(b)), parts)


def _or(parts: Sequence[exp.Expr]) -> exp.Expr:
    if not parts:
        return exp.false()
    return reduce(lambda a, b: exp.Or(this=_paren(a), expression=_paren(b)), parts)


def _not(node: exp.Expr) -> exp.Expr:
    return exp.Not(this=_paren(node))


def _is_null(node: exp.Expr) -> exp.Expr:
    return exp.Is(this=_paren(node), expression=exp.Null())


def _case(whens: Sequence[tuple[exp.Expr, exp.Expr]], default: exp.Expr | None = None) -> exp.Case:
    case = exp.Case()
    for condition, value in whens:
        case = case.when(condition, value)
    return case.else_(default) if default is not None else case


def _number(value: int | float) -> exp.Expr:
    literal = exp.Literal.number(abs(value))
    return exp.Neg(this=literal) if value < 0 else literal


def _date(value: dt.date) -> exp.Expr:
    return exp.cast(exp.Literal.string(value.isoformat()), exp.DataType.Type.DATE)


def _typed_null(kind: t.Type | None) -> exp.Expr:
    """NULL with a type, as strict dialects (Spark) want it; unknown conditions are BOOLEAN."""
    types = {
        t.Kind.DATE: exp.DataType.Type.DATE,
        t.Kind.NUMBER: exp.DataType.Type.DOUBLE,
        t.Kind.MONEY: exp.DataType.Type.DOUBLE,
        t.Kind.CODE: exp.DataType.Type.VARCHAR,
    }
    return exp.cast(exp.Null(), types.get(kind.kind, exp.DataType.Type.BOOLEAN) if kind else exp.DataType.Type.BOOLEAN)


def _contains(array: exp.Expr, element: exp.Expr) -> exp.Expr:
    """Membership with Kleene's unknown for an unknown list (some dialects' functions answer false)."""
    return _case([(_is_null(array), exp.Null())], exp.ArrayContains(this=array, expression=element))


class SqlStages:
    """As columns.Stages: each part of a rule computed once, as a column of a nested SELECT, so the query grows
    linearly with the law (no part is copied into the parts that use it)."""

    def __init__(self) -> None:
        self.names: dict[tuple[int, int, str], str] = {}
        self.levels: dict[str, int] = {}
        self.definitions: list[tuple[int, exp.Expr]] = []

    def add(self, key: tuple[int, int, str], expr: exp.Expr) -> exp.Expr:
        name = f"__part{len(self.names)}"
        used = [self.levels.get(found.name, 0) for found in expr.find_all(exp.Column)]
        level = 1 + max(used, default=0)
        self.names[key], self.levels[name] = name, level
        self.definitions.append((level, exp.alias_(expr, name, quoted=True)))
        return column(name)

    def source(self, table: str) -> exp.Expr:
        """The table of people with every part's column added, level by level."""
        source: exp.Expr = exp.Table(this=exp.to_identifier(table, quoted=True))
        for index, level in enumerate(sorted({level for level, _ in self.definitions})):
            parts = [expr for at, expr in self.definitions if at == level]
            source = exp.select(exp.Star(), *parts).from_(source).subquery(f"level{index}")
        return source


class SqlCompiler:
    """Compiles the expressions of one scope to SQLGlot expressions, as PolarsCompiler does to Polars."""

    def __init__(self, interpreter: Interpreter, stages: SqlStages, start_as_of: dt.date | None = None) -> None:
        self.interpreter = interpreter
        self.scope = interpreter.scope
        self.start_as_of = start_as_of
        self.stages = stages

    def compile(self, node: ast.Node) -> exp.Expr:
        key = (id(self.interpreter), id(node), f"start={self.start_as_of}")
        name = self.stages.names.get(key)
        if name is not None:
            return column(name)
        expr = self._compile(node)
        if isinstance(node, ast.Literal | ast.Reference) or not self.interpreter.reads_facts(node):
            return expr
        return self.stages.add(key, expr)

    def constant(self, node: ast.Node) -> tuple[bool, ast.Value]:
        if self.interpreter.reads_facts(node):
            return False, None
        return True, self.interpreter.evaluator(node)({})

    def literal(self, value: ast.Value, kind: t.Type | None = None) -> exp.Expr:
        if value is None:
            return _typed_null(kind)
        if isinstance(value, bool):
            return exp.true() if value else exp.false()
        if isinstance(value, Money):
            return _number(float(value.amount))
        if isinstance(value, Decimal):
            return _number(float(value))
        if isinstance(value, int):
            return _number(value)
        if isinstance(value, dt.date):
            return _date(value)
        if isinstance(value, frozenset):
            return exp.Array(expressions=[exp.Literal.string(item) for item in sorted(value)])
        if isinstance(value, Duration):
            raise BatchUnsupported("a duration can only be added to a date in SQL")
        return exp.Literal.string(value)

    def _ranked(self, expr: exp.Expr, kind: t.Type | None) -> exp.Expr:
        if kind is None or kind.domain is None or not kind.domain.ordered:
            return expr
        return _case(
            [
                (exp.EQ(this=expr, expression=exp.Literal.string(v)), _number(i))
                for i, v in enumerate(kind.domain.values)
            ]
        )

    def _compile(self, node: ast.Node) -> exp.Expr:
        is_constant, value = self.constant(node)
        if is_constant:
            return self.literal(value, self.scope.type_of(node))
        if isinstance(node, ast.Reference):
            if node.scope == "rule":
                target = self.scope.rule(node.name)
                return self.compile(target) if target is not None else exp.Null()
            if node.name == "service.start" and self.start_as_of is not None:
                return exp.Coalesce(this=column(node.name), expressions=[_date(self.start_as_of)])
            return column(node.name)
        if isinstance(node, ast.Not):
            return _not(self.compile(node.operand))
        if isinstance(node, ast.BoolOp):
            parts = [self.compile(operand) for operand in node.operands]
            return _and(parts) if node.op == "and" else _or(parts)
        if isinstance(node, ast.Binary):
            return self._binary(node)
        if isinstance(node, ast.Between):
            kind = self.scope.type_of(node.operand)
            operand = self._ranked(self.compile(node.operand), kind)
            low, high = (self._ranked(self.compile(part), kind) for part in (node.low, node.high))
            return _and([exp.GTE(this=operand, expression=low), exp.LTE(this=operand, expression=high)])
        if isinstance(node, ast.Call):
            return self._call(node)
        if isinstance(node, ast.IfThenElse):
            condition, then, otherwise = (self.compile(part) for part in node.children())
            same = _case([(exp.EQ(this=then, expression=otherwise), then)])
            return _case([(_is_null(condition), same), (condition, then)], otherwise)
        raise BatchUnsupported(f"cannot compile '{node.text}' to SQL")

    def _binary(self, node: ast.Binary) -> exp.Expr:
        left_constant, left_value = self.constant(node.left)
        right_constant, right_value = self.constant(node.right)
        if node.op in ("in", "not in"):
            element = self.compile(node.left)
            if right_constant:
                if not isinstance(right_value, frozenset):
                    found: exp.Expr = exp.Null()
                elif not right_value:
                    found = _case([(_is_null(element), exp.Null())], exp.false())
                else:
                    found = exp.In(this=element, expressions=[exp.Literal.string(v) for v in sorted(right_value)])
            else:
                found = _contains(self.compile(node.right), element)
            return _not(found) if node.op == "not in" else found
        if node.op == "intersects":
            if left_constant and not right_constant:
                left_constant, left_value = right_constant, right_value
                node = ast.Binary(node.op, node.right, node.left, text=node.text)
                right_constant, right_value = True, left_value
            if right_constant and not self.constant(node.left)[0]:
                if not isinstance(right_value, frozenset):
                    return exp.Null()
                array = self.compile(node.left)
                members = [exp.ArrayContains(this=array, expression=exp.Literal.string(v)) for v in sorted(right_value)]
                return _case([(_is_null(array), exp.Null())], _or(members))
            raise BatchUnsupported(f"'{node.text}': SQL needs one side of 'intersects' to be fixed by the law")
        if node.op in ("+", "-"):
            sign = 1 if node.op == "+" else -1
            if (left_constant and left_value is None) or (right_constant and right_value is None):
                kind = self.scope.type_of(node.left) or self.scope.type_of(node.right)
                return _typed_null(kind if kind is not None and kind.kind is not t.Kind.DURATION else None)
            if right_constant and isinstance(right_value, Duration):
                return self._shift(self.compile(node.left), right_value, sign)
            if left_constant and isinstance(left_value, Duration):
                return self._shift(self.compile(node.right), left_value, 1)
            left, right = self.compile(node.left), self.compile(node.right)
            return exp.Add(this=left, expression=right) if sign == 1 else exp.Sub(this=left, expression=right)
        kind = None if node.op in ("==", "!=") else (self.scope.type_of(node.left) or self.scope.type_of(node.right))
        left = self._ranked(self.compile(node.left), kind)
        right = self._ranked(self.compile(node.right), kind)
        operations: dict[str, type[exp.Binary]] = {
            "==": exp.EQ,
            "!=": exp.NEQ,
            "<": exp.LT,
            "<=": exp.LTE,
            ">": exp.GT,
            ">=": exp.GTE,
        }
        return operations[node.op](this=left, expression=right)

    def _shift(self, date: exp.Expr, duration: Duration, sign: int) -> exp.Expr:
        """Months first (the day kept, no later than the month's last day), then days, as the calendar does."""
        if duration.months:
            date = exp.DateAdd(this=date, expression=_number(sign * duration.months), unit=exp.Var(this="MONTH"))
        if duration.days:
            date = exp.DateAdd(this=date, expression=_number(sign * duration.days), unit=exp.Var(this="DAY"))
        return date

    def _call(self, node: ast.Call) -> exp.Expr:
        args = [self.compile(arg) for arg in node.args]

        def part(kind: type[exp.Func], value: exp.Expr) -> exp.Expr:
            return exp.cast(kind(this=value), exp.DataType.Type.INT)

        def month_day(value: exp.Expr) -> exp.Expr:
            return exp.Add(
                this=exp.Mul(this=part(exp.Month, value), expression=_number(100)), expression=part(exp.Day, value)
            )

        if node.function == "age_on":
            birth, on = args
            birthday = month_day(birth)
            if self.scope.leap_day_birthday == "feb28":
                year = part(exp.Year, on)

                def divides(n: int) -> exp.Expr:
                    return exp.EQ(this=exp.Mod(this=year, expression=_number(n)), expression=_number(0))

                leap = _or([_and([divides(4), _not(divides(100))]), divides(400)])
                birthday = _case(
                    [(_and([exp.EQ(this=birthday, expression=_number(229)), _not(leap)]), _number(228))], birthday
                )
            years = exp.Sub(this=part(exp.Year, on), expression=part(exp.Year, birth))
            before = _case([(exp.LT(this=month_day(on), expression=birthday), _number(1))], _number(0))
            return exp.Sub(this=_paren(years), expression=before)
        if node.function == "months_between":
            start, end = args
            months = exp.Add(
                this=exp.Mul(
                    this=_paren(exp.Sub(this=part(exp.Year, end), expression=part(exp.Year, start))),
                    expression=_number(12),
                ),
                expression=_paren(exp.Sub(this=part(exp.Month, end), expression=part(exp.Month, start))),
            )
            later = _case([(exp.LT(this=part(exp.Day, end), expression=part(exp.Day, start)), _number(1))], _number(0))
            return exp.Sub(this=_paren(months), expression=later)
        if node.function == "days_between":
            start, end = args
            return exp.DateDiff(this=end, expression=start, unit=exp.Var(this="DAY"))
        unknown = _or([_is_null(arg) for arg in args])
        pick = exp.Least if node.function == "min" else exp.Greatest
        return _case([(unknown, exp.Null())], pick(this=args[0], expressions=args[1:]))


def _concat(left: exp.Expr, right: exp.Expr) -> exp.Expr:
    return exp.DPipe(this=left, expression=right)


def _truth_text(value: exp.Expr) -> exp.Expr:
    return _case(
        [(_is_null(value), exp.Literal.string("unknown")), (value, exp.Literal.string("true"))],
        exp.Literal.string("false"),
    )


SQL_LOGIC: Logic[exp.Expr] = Logic(is_null=_is_null, all_of=_and, any_of=_or, negate=_not)


def force_select(plan: ForcePlan, as_of: dt.date, stages: SqlStages, verdict_only: bool = False) -> list[exp.Expr]:
    force_id = plan.force.id
    compiler = SqlCompiler(plan.interpreter, stages)
    requirements = [(citation.id, compiler.compile(compiled.node)) for citation, compiled in plan.requirements]
    every = _and([expr for _, expr in requirements])
    verdict = _case(
        [(_is_null(every), exp.Literal.string("unknown")), (every, exp.Literal.string("eligible"))],
        exp.Literal.string("ineligible"),
    )
    if verdict_only:
        return [verdict]
    failing = (
        _case([(_not(expr), exp.Literal.string(rid)) for rid, expr in requirements]) if requirements else exp.Null()
    )
    conditions: dict[str, list[exp.Expr]] = {}
    for _, compiled in plan.requirements:
        for fact, found in missing_conditions(compiler, compiled.node, SQL_LOGIC).items():
            conditions.setdefault(fact, []).extend(found)
    unknown = _is_null(every)
    # Each missing fact written 'name;' (never NULL, so no dialect's concatenation of NULLs matters), the last ';'
    # trimmed: 'a;b', as the other backends write it.
    pieces: list[exp.Expr] = [
        _case([(_and([unknown, _or(conditions[fact])]), exp.Literal.string(f"{fact};"))], exp.Literal.string(""))
        for fact in sorted(conditions)
    ]
    missing: exp.Expr = (
        exp.Trim(this=reduce(_concat, pieces), expression=exp.Literal.string(";"), position="TRAILING")
        if pieces
        else exp.Literal.string("")
    )
    paths = SqlCompiler(plan.interpreter, stages, start_as_of=as_of)
    citizenship: exp.Expr = exp.cast(exp.Null(), exp.DataType.Type.DATE)
    for index, (_, earliest, requires) in enumerate(plan.paths):
        date = paths.compile(earliest.node)
        met = exp.true() if requires is None else paths.compile(requires.node)
        candidate = _case([(met, date)])
        if index == 0:
            citizenship = candidate
        else:
            citizenship = _case(
                [
                    (_is_null(citizenship), candidate),
                    (_is_null(candidate), citizenship),
                    (exp.LT(this=candidate, expression=citizenship), candidate),
                ],
                citizenship,
            )
    return [
        _named(verdict, f"{force_id}.verdict"),
        _named(failing, f"{force_id}.first_failing"),
        _named(missing, f"{force_id}.missing_facts"),
        _named(exp.cast(citizenship, exp.DataType.Type.DATE), f"{force_id}.citizenship_date"),
    ]


def _rule(rule: HomeRulePlan, chosen: list[str], stages: SqlStages) -> exp.Expr:
    values: list[exp.Expr] = [
        _typed_null(None) if value is None else (exp.true() if value else exp.false())
        for force_id, value in rule.fixed_by_force.items()
        if force_id in chosen
    ]
    for compiled, ids in rule.person_dependent:
        if any(force_id in chosen for force_id in ids):
            values.append(SqlCompiler(compiled.interpreter, stages).compile(compiled.node))
    return _or(values)


def select_expressions(plan: Plan, selection: Selection, stages: SqlStages) -> list[exp.Expr]:
    chosen = selection.chosen(plan)
    columns = [expr for force_id in chosen for expr in force_select(plan.forces[force_id], plan.as_of, stages)]
    citizenships = column("citizenships")
    for (country, kind), rules in home_rule_groups(plan, chosen).items():
        applies = _or([_rule(rule, chosen, stages) for rule in rules])
        value = _case(
            [
                (_is_null(citizenships), exp.Literal.string("unknown")),
                (exp.ArrayContains(this=citizenships, expression=exp.Literal.string(country)), _truth_text(applies)),
            ]
        )
        columns.append(_named(value, home_column_name(country, kind)))
    return columns


def compare_expressions(
    plan: Plan, selection: Selection, force_ids: Sequence[str], suffix: str, stages: SqlStages
) -> list[exp.Expr]:
    columns = []
    for force_id in force_ids:
        name = f"{force_id}.verdict@{suffix}"
        if force_id in plan.forces and (selection.forces is None or force_id in selection.forces):
            columns.append(_named(force_select(plan.forces[force_id], plan.as_of, stages, verdict_only=True)[0], name))
        else:
            columns.append(_named(exp.cast(exp.Null(), exp.DataType.Type.VARCHAR), name))
    return columns


def _parenthesize(tree: exp.Expr) -> exp.Expr:
    """Wrap every operand that is itself an operation in parentheses, so no dialect's precedence (or ban on
    chained comparisons) can change what the rule means."""
    for node in list(tree.walk()):
        if isinstance(node, exp.Binary | exp.Not):
            for arg in ("this", "expression"):
                child = node.args.get(arg)
                if isinstance(child, exp.Binary | exp.Not | exp.Neg):
                    node.set(arg, exp.Paren(this=child))
    return tree


def query(
    plan: Plan,
    selection: Selection,
    copied: Sequence[str] = (),
    table: str = TABLE,
    compare: Sequence[tuple[Plan, Sequence[str]]] = (),
    verdict_only: bool = False,
) -> exp.Select:
    """SELECT copied columns and every result column FROM the table of people (with the parts' columns added by
    nested SELECTs); `compare` adds the verdicts of the given forces under other dates' law."""
    stages = SqlStages()
    if verdict_only:
        outputs = [
            _named(force_select(plan.forces[force_id], plan.as_of, stages, verdict_only=True)[0], f"{force_id}.verdict")
            for force_id in selection.chosen(plan)
        ]
    else:
        outputs = select_expressions(plan, selection, stages)
    for day_plan, force_ids in compare:
        outputs += compare_expressions(day_plan, selection, force_ids, day_plan.as_of.isoformat(), stages)
    select = exp.select(*(column(name) for name in copied), *outputs).from_(stages.source(table))
    tree = _parenthesize(select)
    assert isinstance(tree, exp.Select)
    return tree


def render(plan: Plan, selection: Selection, dialect: str, copied: Sequence[str] = ("row",), table: str = TABLE) -> str:
    return query(plan, selection, copied, table).sql(dialect=dialect, pretty=True)


class DuckRunner:
    """Runs the query on each chunk in an in-process DuckDB."""

    def __init__(self, plan: Plan, selection: Selection, plans: Sequence[Plan], compared: Sequence[str]) -> None:
        import duckdb

        self.connection = duckdb.connect()
        self.plan, self.selection = plan, selection
        self.compare = [(day_plan, compared) for day_plan in plans]

    def run(self, frame: pl.DataFrame, copied: Sequence[str]) -> pl.DataFrame:
        sql = query(self.plan, self.selection, copied, "chunk", self.compare).sql(dialect="duckdb")
        self.connection.register("chunk", frame.to_arrow())
        try:
            result: pl.DataFrame = self.connection.sql(sql).pl()
        finally:
            self.connection.unregister("chunk")
        return result
