"""Decision tables: the batch backend that evaluates the law once per combination of what the law can tell apart,
then answers each person by looking the combination up.

A unit is a set of output columns (a force's verdict, first failing requirement, missing facts and whether each
citizenship path's conditions hold; a home rule column; a path's earliest date) with its probes: the smallest parts
of its rules that read facts (the atoms under `and`, `or`, `not`, `if` and rule references), each with the facts
an unknown atom waits for. Facts read by one atom together form a group. For each group, every distinct value of
the chunk (the cross product of its facts' values) gets a signature: the values of the probes that read it. Two
values with the same signature are alike for every output, because the outputs are functions of the atoms (the
Kleene connectives above them) and of which facts an unknown atom waits for. So the unit's outputs are computed by
the same compiled Polars expressions on one representative row per combination of signatures, and each person's
answer is a gather at `sum(signature code * stride)`, the sum taken in one compiled pass (batch/kernels.py).

Signatures are kept across chunks (a registry per group), and so are the facts' codes (one coder per fact, in
batch/codes.py), so the tables are rebuilt only when a chunk shows a value not seen before. A unit whose groups
or tables would be too large (a date computed from two dates, say) is computed person by person with the same
expressions instead."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from math import prod

import numpy as np
import numpy.typing as npt
import polars as pl
import pyarrow as pa

from servicepath.batch.codes import CODE, CodedFact, FactCoder
from servicepath.batch.columns import (
    POLARS_LOGIC,
    ForceParts,
    Selection,
    Stages,
    citizenship_date,
    force_column_names,
    force_parts,
    home_column,
    home_column_name,
    home_rule_groups,
    with_start,
)
from servicepath.batch.kernels import (
    BlockColumn,
    Buffers,
    Codes,
    CompiledPass,
    DateTree,
    EarliestDate,
    Gathered,
    TableColumn,
    UnitTable,
    compile_pass,
    date_keys,
    thread_pool,
)
from servicepath.batch.missing import missing_conditions
from servicepath.engine.interpreter import Interpreter
from servicepath.engine.plan import ForcePlan, HomeRulePlan, Plan
from servicepath.engine.polars_backend import PolarsCompiler, fact_dtype, referenced_facts
from servicepath.language import ast
from servicepath.profile import fact_type

MAX_GROUP = 2_000_000
"""A group with more distinct values than this (the product of its facts' counts) is not tabled."""
MAX_TABLE = 4_000_000
"""A unit with more combinations of signatures than this is not tabled."""


@dataclass(frozen=True)
class Probe:
    facts: frozenset[str]
    value: pl.Expr


def atoms(node: ast.Node, interpreter: Interpreter) -> list[ast.Node]:
    """The parts under the connectives (and, or, not, if) and rule references that read facts."""
    found: list[ast.Node] = []

    def visit(node: ast.Node, seen: frozenset[str]) -> None:
        if not interpreter.reads_facts(node):
            return
        if isinstance(node, ast.Reference) and node.scope == "rule":
            target = interpreter.scope.rule(node.name)
            if target is not None and node.name not in seen:
                visit(target, seen | {node.name})
            return
        if isinstance(node, ast.BoolOp | ast.Not | ast.IfThenElse):
            for child in node.children():
                visit(child, seen)
            return
        found.append(node)

    visit(node, frozenset())
    return found


def atom_probes(node: ast.Node, compiler: PolarsCompiler) -> list[Probe]:
    """Each atom's value and, per fact it reads, whether an unknown atom waits for that fact."""
    probes = []
    for atom in atoms(node, compiler.interpreter):
        facts = frozenset(referenced_facts(atom, compiler.scope))
        probes.append(Probe(facts, compiler.compile(atom)))
        for fact, conditions in missing_conditions(compiler, atom, POLARS_LOGIC).items():
            probes.append(Probe(facts, POLARS_LOGIC.any_of(conditions).alias(f"waits for {fact}")))
    return probes


@dataclass
class Registry:
    """The signatures seen for one group, in order of first sight, with a representative value of each."""

    facts: tuple[str, ...]
    codes: dict[tuple[object, ...], int] = field(default_factory=dict)
    representatives: list[pl.DataFrame] = field(default_factory=list)
    seen: tuple[list[pl.Series], pl.Series] | None = None
    """The last chunk's values of the facts and the joint values' signatures, reused while they stay the same."""

    def frame(self) -> pl.DataFrame:
        return pl.concat(self.representatives) if self.representatives else pl.DataFrame()


@dataclass
class Unit:
    """Output columns computed together, from a table over the signatures of their probes' groups."""

    outputs: list[pl.Expr]
    probes: list[Probe]
    stages: Stages = field(default_factory=Stages)
    """For the person-by-person fallback: the same expressions, parts computed once."""
    per_person: list[pl.Expr] = field(default_factory=list)
    groups: list[tuple[str, ...]] = field(init=False)
    registries: list[Registry] = field(init=False)
    lookup: list[Output] | None = None
    """The unit's table as gathered per person, a column per output."""
    tabled: bool = True
    terms: tuple[list[pl.Series], Terms] | None = None
    """The last chunk's signatures and the terms made of them, kept while the signatures stay the same."""
    values: list[pl.Series] = field(default_factory=list)
    """The values of the facts of the chunk the terms were made for: while they stay the same objects, so do the
    signatures and the terms."""

    def __post_init__(self) -> None:
        self.group_facts()

    def group_facts(self) -> None:
        """Facts read by one probe together fall in one group (union-find over the probes)."""
        parent: dict[str, str] = {}

        def root(fact: str) -> str:
            while parent.setdefault(fact, fact) != fact:
                fact = parent[fact]
            return fact

        for probe in self.probes:
            first, *rest = sorted(probe.facts)
            for other in [first, *rest]:
                parent[root(other)] = root(first)
        members: dict[str, list[str]] = {}
        for fact in sorted(parent):
            members.setdefault(root(fact), []).append(fact)
        self.groups = [tuple(found) for found in members.values()]
        self.registries = [Registry(group) for group in self.groups]

    @property
    def facts(self) -> set[str]:
        return {fact for group in self.groups for fact in group}

    def given(self, coded: dict[str, CodedFact]) -> list[pl.Series]:
        return [coded[fact].values for group in self.groups for fact in group]

    def current(self, coded: dict[str, CodedFact]) -> bool:
        """Whether the terms were made for these very values (or the unit is not tabled): nothing to update."""
        return not self.tabled or (
            self.terms is not None and all(a is b for a, b in zip(self.values, self.given(coded), strict=True))
        )


def _cross_product(parts: list[pl.DataFrame]) -> pl.DataFrame:
    """Every combination of the parts' rows, the first part varying slowest (the last fastest)."""
    total = prod(part.height for part in parts)
    index = pl.int_range(total, dtype=pl.UInt64, eager=True)
    columns, stride = [], total
    for part in parts:
        stride //= part.height
        columns += part[(index // stride) % part.height].get_columns()
    return pl.DataFrame(columns) if columns else pl.DataFrame({"_": [0]})


def _joint_values(group: tuple[str, ...], coded: dict[str, CodedFact]) -> pl.DataFrame:
    """Every joint value of the group (the cross product of its facts' values), in the order of `_joint_code`."""
    return _cross_product([coded[fact].values.alias(fact).to_frame() for fact in group])


def _signatures(registry: Registry, coded: dict[str, CodedFact], probes: list[Probe]) -> tuple[pl.Series, bool]:
    """The signature code of each joint value of the group (by the probes that read it alone), registering new
    signatures; and whether any was new."""
    given = [coded[fact].values for fact in registry.facts]
    if registry.seen is not None and all(a is b or a.equals(b) for a, b in zip(registry.seen[0], given, strict=True)):
        return registry.seen[1], False
    group = set(registry.facts)
    read = [probe.value for probe in probes if probe.facts <= group]
    values = _joint_values(registry.facts, coded)
    names = [f"p{i}" for i in range(len(read))]
    # with_columns, not select: a probe the law alone decides is a literal, and must fill every row.
    found = values.with_columns(probe.alias(name) for probe, name in zip(read, names, strict=True)).select(names)
    found = found.with_row_index("at")
    distinct = found.group_by(names, maintain_order=True).agg(pl.col("at").first())
    codes, new = [], []
    for row in distinct.iter_rows():
        key, at = row[:-1], row[-1]
        code = registry.codes.get(key)
        if code is None:
            code = registry.codes[key] = len(registry.codes)
            new.append(at)
        codes.append(code)
    grew = bool(new)
    if grew:
        registry.representatives.append(values[new])
    coded_rows = distinct.with_columns(pl.Series("code", codes, dtype=CODE))
    joined = found.join(coded_rows.drop("at"), on=names, how="left", nulls_equal=True, maintain_order="left")
    registry.seen = (given, joined.get_column("code"))
    return registry.seen[1], grew


@dataclass(frozen=True)
class Output:
    """One column of a unit's table, as gathered per person by the compiled pass (batch/kernels.py) and read back
    without a copy as an Arrow array of `field`: an enum, or text, as a dictionary over `dictionary` (text over
    the table's own distinct values), booleans as 0/1 bytes."""

    name: str
    column: TableColumn
    field: pa.Field
    dictionary: pa.Array | None
    boolean: bool

    @property
    def value(self) -> pl.Expr:
        """The column as the outputs read it."""
        return (pl.col(self.name) != 0) if self.boolean else pl.col(self.name)

    def array(self, gathered: Gathered, people: int) -> pa.Array:
        values, bitmap = gathered
        buffers = [None if bitmap is None else pa.py_buffer(bitmap), pa.py_buffer(values)]
        if self.dictionary is None:
            return pa.Array.from_buffers(self.field.type, people, buffers)
        indices = pa.Array.from_buffers(self.field.type.index_type, people, buffers)
        return pa.DictionaryArray.from_arrays(indices, self.dictionary, ordered=self.field.type.ordered, safe=False)


def arrow_field(name: str, dtype: pl.DataType) -> pa.Field:
    """The Arrow field Polars gives a column of this type (an enum's field carries its categories)."""
    return pl.Series(name, [], dtype=dtype).to_frame().to_arrow().schema.field(name)


def _output(column: pl.Series) -> Output:
    name, dtype, dictionary = column.name, column.dtype, None
    boolean = dtype == pl.Boolean
    if boolean:
        column = column.cast(pl.UInt8)
    elif dtype in (pl.Utf8, pl.Categorical):
        text = column.cast(pl.Utf8)
        words = text.drop_nulls().unique(maintain_order=True)
        column = text.cast(pl.Enum(words))
        dictionary = pa.array(words.to_list(), pa.large_string())
    elif isinstance(dtype, pl.Enum):
        dictionary = pa.array(dtype.categories.to_list(), pa.large_string())
    if dictionary is not None and not isinstance(dtype, pl.Enum):
        # Text by the table's own words: indices as narrow as they fit, one value left over to mark no value
        # (Polars reads any width as a categorical; fewer bytes per person to write).
        index = next(
            width for width in (pa.uint8(), pa.uint16(), pa.uint32()) if len(dictionary) < 2**width.bit_width - 1
        )
        field = pa.field(name, pa.dictionary(index, pa.large_string()))
    else:
        field = arrow_field(name, pl.UInt8() if boolean else dtype)
    stored = field.type.index_type if dictionary is not None else field.type
    width = stored.bit_width // 8
    values = column.to_physical().fill_null(0).to_numpy()
    values = values.astype(f"i{width}" if pa.types.is_signed_integer(stored) else f"u{width}").view(f"u{width}")
    missing = None
    if column.has_nulls():
        # A value no row holds marks the rows with none.
        held = np.unique(values[column.is_not_null().to_numpy()])
        missing = int(np.flatnonzero(np.append(held != np.arange(held.size), True))[0])
        values[column.is_null().to_numpy()] = missing
    return Output(name, TableColumn(values, missing), field, dictionary, boolean)


def _build(unit: Unit) -> list[Output]:
    """The unit's outputs for every combination of its groups' signatures (the first group varies slowest)."""
    combinations = _cross_product([registry.frame() for registry in unit.registries])
    names = [output.meta.output_name() for output in unit.outputs]
    table = combinations.lazy().with_columns(unit.outputs).select(names).collect()
    return [_output(column) for column in table.get_columns()]


def _person_by_person(unit: Unit, chunk: pl.DataFrame) -> pl.DataFrame:
    """The unit's outputs computed for each person, the facts held as rules read them."""
    typed = chunk.select(
        pl.col(name).cast(fact_dtype(kind)) for name in chunk.columns if (kind := fact_type(name)) is not None
    )
    return unit.stages.apply(typed.lazy()).select(unit.per_person).collect()


Terms = list[tuple[tuple[str, ...], Codes]]
"""A unit's key as a sum of terms: for each group, a value per joint value of the group (signature code times
stride), gathered per person by the person's joint value."""


def unit_terms(unit: Unit, coded: dict[str, CodedFact]) -> Terms | None:
    """The terms of each person's row of the unit's table (the table updated first); None if the unit is not
    tabled (too many values or combinations)."""
    if not unit.tabled:
        return None
    if unit.current(coded):
        assert unit.terms is not None
        return unit.terms[1]
    unit.values = unit.given(coded)
    signatures = []
    grew = unit.lookup is None
    for group, registry in zip(unit.groups, unit.registries, strict=True):
        if prod(coded[fact].size for fact in group) > MAX_GROUP:
            unit.tabled = False
            return None
        found, new = _signatures(registry, coded, unit.probes)
        grew |= new
        signatures.append(found)
    if grew:
        if prod(len(registry.codes) for registry in unit.registries) > MAX_TABLE:
            unit.tabled = False
            return None
        unit.lookup = _build(unit)
    elif unit.terms is not None and all(a is b for a, b in zip(unit.terms[0], signatures, strict=True)):
        return unit.terms[1]
    terms: Terms = []
    stride = 1
    for group, registry, found in zip(
        reversed(unit.groups), reversed(unit.registries), reversed(signatures), strict=True
    ):
        terms.append((group, found.cast(CODE).to_numpy() * np.uint32(stride)))
        stride *= len(registry.codes)
    unit.terms = (signatures, terms)
    return terms


Tabled = tuple[list["Output"], Terms]
"""A unit's table (its columns) and its terms for the chunk at hand."""


def _tabled(unit: Unit) -> Tabled | None:
    """The unit's table and terms as last brought up to date (`unit_terms`), None if it is computed person by
    person."""
    if not unit.tabled:
        return None
    assert unit.lookup is not None and unit.terms is not None
    return unit.lookup, unit.terms[1]


@dataclass(frozen=True)
class Citizenship:
    """A force's citizenship date, computed in the compiled pass: per path, its conditions' output and its date
    (over the outputs of its parts)."""

    name: str
    paths: list[tuple[str, NamedTree]]

    def outputs(self) -> set[str]:
        """The outputs it reads."""
        found = set()

        def visit(tree: NamedTree) -> None:
            if isinstance(tree, str):
                found.add(tree)
            else:
                for argument in tree[1]:
                    visit(argument)

        for met, tree in self.paths:
            found.add(met)
            visit(tree)
        return found


def _block_column(output: Output) -> BlockColumn:
    """The column as the compiled pass reads it for the dates: `date_keys`, or conditions as 0/1."""
    table = output.column
    if output.boolean:
        return BlockColumn(table.values.astype(np.uint32))
    missing = np.zeros(table.values.size, dtype=bool) if table.missing is None else table.values == table.missing
    return BlockColumn(date_keys(table.values.view(np.int32), missing))


@dataclass(frozen=True)
class Gathering:
    """How each tabled column and citizenship date is gathered per person, built once while the tables and the
    facts' values stay the same: the facts the pass reads, in order, and the pass itself."""

    facts: list[str]
    compiled: CompiledPass
    outputs: list[Output]
    """The columns gathered for the result (those only the dates read are gathered for each block alone)."""
    citizenships: list[Citizenship]

    def run(
        self, coded: dict[str, CodedFact], people: int, buffers: Buffers | None = None
    ) -> tuple[list[tuple[Output, pa.Array]], list[pa.Array]]:
        """The gathered columns and the citizenship dates of a chunk's people, coded as when it was built."""
        codes = [coded[name].codes for name in self.facts]
        found = self.compiled.run(codes, people, pl.thread_pool_size(), buffers)
        columns = [(output, output.array(values, people)) for output, values in zip(self.outputs, found, strict=False)]
        computed = iter(found[len(self.outputs) :])
        days = []
        for citizenship in self.citizenships:
            if not citizenship.paths:
                days.append(pa.nulls(people, pa.date32()))
                continue
            values, bits = next(computed)
            days.append(pa.Array.from_buffers(pa.date32(), people, [pa.py_buffer(bits), pa.py_buffer(values)]))
        return columns, days


def gathering(coded: dict[str, CodedFact], tabled: list[Tabled], citizenships: list[Citizenship]) -> Gathering:
    """Each tabled column per person, gathered at the person's row of its unit's table: the row is the sum of
    the unit's terms at the person's joint values; then the citizenship dates, from the columns they read (which
    are gathered for them alone). One compiled pass over the people, split between threads."""
    order = list(dict.fromkeys(group for _, terms in tabled for group, _ in terms))
    names = list(dict.fromkeys(fact for group in order for fact in group))
    groups = []
    for group in order:
        strides, stride = [], 1
        for fact in reversed(group):
            strides.append((names.index(fact), stride))
            stride *= coded[fact].size
        groups.append(strides)
    read = {name for citizenship in citizenships for name in citizenship.outputs()}
    blocks = [output.name for lookup, _ in tabled for output in lookup if output.name in read]
    units = [
        UnitTable(
            [(order.index(group), term) for group, term in terms],
            [_block_column(output) if output.name in read else output.column for output in lookup],
        )
        for lookup, terms in tabled
    ]

    def tree(named: NamedTree) -> DateTree:
        return blocks.index(named) if isinstance(named, str) else (named[0], [tree(part) for part in named[1]])

    # A force with no path has no date for anyone: nothing to compute.
    dates = [
        EarliestDate([(blocks.index(met), tree(date)) for met, date in found.paths])
        for found in citizenships
        if found.paths
    ]
    outputs = [output for lookup, _ in tabled for output in lookup if output.name not in read]
    return Gathering(names, compile_pass(groups, units, dates), outputs, citizenships)


NamedTree = str | tuple[str, list["NamedTree"]]
"""How a value's parts combine: a part's output column, or ("min" | "max", arguments)."""


@dataclass
class Value:
    """A value per person (a path's earliest date): tabled parts, and how they combine (as a Polars expression
    over the parts' columns, and as a tree for the compiled pass)."""

    combine: pl.Expr
    parts: list[Unit]
    tree: NamedTree


class _Substituting(PolarsCompiler):
    """Compiles an expression with some of its parts read from columns already computed."""

    def __init__(self, compiler: PolarsCompiler, replaced: dict[int, pl.Expr]) -> None:
        super().__init__(compiler.interpreter, compiler.column)
        self.replaced = replaced

    def compile(self, node: ast.Node) -> pl.Expr:
        if id(node) in self.replaced:
            return self.replaced[id(node)]
        return super().compile(node)


def value_of(node: ast.Node, compiler: PolarsCompiler, name: str) -> Value:
    """A value read from one table when it reads one group of facts; `min`/`max` of several facts (a date from
    the service start and the birth date) from a table per argument, combined per person."""
    facts = frozenset(referenced_facts(node, compiler.scope))
    if len(facts) > 1 and isinstance(node, ast.Call) and node.function in ("min", "max"):
        parts: list[Unit] = []
        replaced = {}
        arguments = []
        for i, argument in enumerate(node.args):
            found = value_of(argument, compiler, f"{name}.{i}")
            replaced[id(argument)] = found.combine
            parts += found.parts
            arguments.append(found.tree)
        return Value(_Substituting(compiler, replaced).compile(node), parts, (node.function, arguments))
    expr = compiler.compile(node)
    probes = [Probe(facts, expr)] if facts else []
    return Value(pl.col(name), [Unit([expr.alias(name)], probes, Stages(), [expr.alias(name)])], name)


@dataclass
class ForceUnits:
    force_id: str
    decisions: Unit
    earliest: list[Value]
    paths: int


def _force_units(plan: ForcePlan, as_of: dt.date, verdict_only: bool, suffix: str = "") -> ForceUnits:
    force_id = plan.force.id
    names = force_column_names(force_id)
    met = [f"{force_id}.met{i}" for i in range(len(plan.paths))]

    def outputs(parts: ForceParts) -> list[pl.Expr]:
        if verdict_only:
            return [parts.verdict.alias(f"{force_id}.verdict{suffix}")]
        # A path whose conditions are unknown gives no date, as one whose conditions fail: no null to carry.
        decided = [
            parts.verdict,
            parts.first_failing,
            parts.missing_facts,
            *(met.fill_null(False) for met in parts.met),
        ]
        return [expr.alias(name) for expr, name in zip(decided, [*names[:3], *met], strict=True)]

    stages = Stages()
    paths = PolarsCompiler(plan.interpreter, with_start(as_of))
    compiler = PolarsCompiler(plan.interpreter)
    probes = [probe for _, compiled in plan.requirements for probe in atom_probes(compiled.node, compiler)]
    earliest = []
    if not verdict_only:
        for i, (_, date, requires) in enumerate(plan.paths):
            if requires is not None:
                probes += atom_probes(requires.node, paths)
            earliest.append(value_of(date.node, paths, f"{force_id}.earliest{i}"))
    decisions = Unit(outputs(force_parts(plan, as_of)), probes, stages, outputs(force_parts(plan, as_of, stages)))
    return ForceUnits(force_id, decisions, earliest, len(plan.paths))


def _citizenship(force: ForceUnits, name: str) -> Citizenship | None:
    """The force's citizenship date for the compiled pass, if every unit it reads is tabled for this chunk, with
    the paths' conditions as booleans and their dates' parts as dates."""
    units = [force.decisions, *(unit for value in force.earliest for unit in value.parts)]
    if not all(unit.tabled and unit.lookup is not None for unit in units):
        return None
    outputs = {output.name: output for unit in units for output in unit.lookup or []}
    met = [f"{force.force_id}.met{i}" for i in range(force.paths)]
    citizenship = Citizenship(name, list(zip(met, [value.tree for value in force.earliest], strict=True)))
    readable = all(
        outputs[read].boolean if read in met else outputs[read].field.type == pa.date32()
        for read in citizenship.outputs()
    )
    return citizenship if readable else None


@dataclass
class TableEngine:
    """Every output column of a batch run, from decision tables kept across chunks."""

    plan: Plan
    selection: Selection = field(default_factory=Selection)
    compare: Sequence[Plan] = ()
    compared: Sequence[str] = ()
    verdicts_only: bool = False
    """Only each force's verdict (no first failing requirement, missing facts, dates, nor home columns)."""
    forces: list[ForceUnits] = field(init=False)
    homes: list[Unit] = field(init=False)
    compared_units: list[tuple[str, Unit | None]] = field(init=False)
    coders: dict[str, FactCoder] = field(init=False)
    codes: npt.NDArray[np.uint32] = field(init=False)
    """A row of codes per fact, for the chunk at hand: they are read only while it is assessed, so one buffer
    serves chunk after chunk (fresh pages cost about 5 ms per 10^6 people to touch first)."""
    buffers: Buffers = field(init=False, default_factory=Buffers)
    """The output arrays, handed out again once the results of an earlier chunk are let go."""
    assembly: Assembly | None = field(init=False, default=None)

    def __post_init__(self) -> None:
        chosen = self.selection.chosen(self.plan)
        as_of = self.plan.as_of
        self.forces = [_force_units(self.plan.forces[force_id], as_of, self.verdicts_only) for force_id in chosen]
        # Home columns reading the same facts share one table (most read the nationalities alone).
        merged: dict[frozenset[str], Unit] = {}
        for (country, kind), rules in self._home_groups().items():
            probes = [Probe(frozenset({"citizenships"}), pl.col("citizenships").list.contains(pl.lit(country)))]
            for rule in rules:
                for compiled, ids in rule.person_dependent:
                    if any(force_id in chosen for force_id in ids):
                        probes += atom_probes(compiled.node, PolarsCompiler(compiled.interpreter))
            facts = frozenset(fact for probe in probes for fact in probe.facts)
            unit = merged.setdefault(facts, Unit([], []))
            unit.outputs.append(home_column(country, kind, rules, chosen))
            unit.per_person.append(home_column(country, kind, rules, chosen, unit.stages))
            unit.probes.extend(probes)
        self.homes = list(merged.values())
        for unit in self.homes:
            unit.group_facts()
        self.compared_units = []
        for day_plan in self.compare:
            suffix = f"@{day_plan.as_of.isoformat()}"
            for force_id in self.compared:
                force_plan = day_plan.forces.get(force_id)
                if force_plan is None or (self.selection.forces is not None and force_id not in self.selection.forces):
                    self.compared_units.append((f"{force_id}.verdict{suffix}", None))
                else:
                    units = _force_units(force_plan, day_plan.as_of, True, suffix)
                    self.compared_units.append((f"{force_id}.verdict{suffix}", units.decisions))
        self.coders = {name: FactCoder(name) for name in sorted(self.facts())}
        self.codes = np.empty((len(self.coders), 0), dtype=np.uint32)

    @property
    def names(self) -> list[str]:
        """The result columns in order: per force, then per nationality and kind, then verdicts compared."""
        forces = [
            [f"{force.force_id}.verdict"] if self.verdicts_only else force_column_names(force.force_id)
            for force in self.forces
        ]
        return [
            *(name for names in forces for name in names),
            *(home_column_name(country, kind) for country, kind in self._home_groups()),
            *(name for name, _ in self.compared_units),
        ]

    def _home_groups(self) -> dict[tuple[str, str], list[HomeRulePlan]]:
        return {} if self.verdicts_only else home_rule_groups(self.plan, self.selection.chosen(self.plan))

    def units(self) -> Iterable[Unit]:
        for force in self.forces:
            yield force.decisions
            yield from (part for value in force.earliest for part in value.parts)
        yield from self.homes
        for _, unit in self.compared_units:
            if unit is not None:
                yield unit

    def facts(self) -> set[str]:
        return {fact for unit in self.units() for fact in unit.facts}

    def assess(self, chunk: pl.DataFrame) -> pa.Table:
        """The result columns for a chunk of people (facts typed as batch reads them, coded or not)."""
        coded = self._code(chunk)
        units = list(self.units())
        # Units whose tables are built or grown (the first chunk, or one with values not seen before): side by
        # side, as Polars computes them with the GIL released and each unit has tables of its own.
        stale = [unit for unit in units if not unit.current(coded)]
        if len(stale) > 1:
            list(thread_pool(pl.thread_pool_size()).map(lambda unit: unit_terms(unit, coded), stale))
        elif stale:
            unit_terms(stale[0], coded)
        key = [_tabled(unit) for unit in units]
        if self.assembly is None or not self.assembly.fits(key):
            self.assembly = self._assemble(coded, units, key)
        return self.assembly.run(chunk, coded, self.buffers)

    def _code(self, chunk: pl.DataFrame) -> dict[str, CodedFact]:
        if self.codes.shape[1] < chunk.height:
            self.codes = np.empty((len(self.coders), chunk.height), dtype=np.uint32)
        # Text (coded by Polars) and lists take longest: they are coded on other threads (Polars and the compiled
        # loops release the GIL), the other columns meanwhile here, each a short compiled loop (on threads of their
        # own, their Python steps would wait on one another for the GIL).
        schema = chunk.schema

        def code(name: str, at: int) -> CodedFact:
            return self.coders[name].code(chunk.get_column(name), self.codes[at, : chunk.height])

        long = {
            name: thread_pool(pl.thread_pool_size()).submit(code, name, at)
            for at, name in enumerate(self.coders)
            if schema[name] == pl.Utf8 or isinstance(schema[name], pl.List)
        }
        coded = {name: code(name, at) for at, name in enumerate(self.coders) if name not in long}
        return coded | {name: found.result() for name, found in long.items()}

    def _assemble(self, coded: dict[str, CodedFact], units: list[Unit], key: list[Tabled | None]) -> Assembly:
        """How the result columns are put together while every unit's table and terms stay as in `key`."""
        tabled: list[Tabled] = []
        by_person: list[Unit] = []
        entries = {id(unit): entry for unit, entry in zip(units, key, strict=True)}

        def outputs(unit: Unit) -> list[pl.Expr]:
            entry = entries[id(unit)]
            if entry is None:
                by_person.append(unit)
                return [pl.col(column.meta.output_name()) for column in unit.per_person]
            tabled.append(entry)
            return [output.value for output in entry[0]]

        columns: list[pl.Expr] = []
        parts: list[pl.Expr] = []
        citizenships: list[Citizenship] = []
        for force in self.forces:
            decided = outputs(force.decisions)
            if self.verdicts_only:
                columns += decided
                continue
            found = [column for value in force.earliest for unit in value.parts for column in outputs(unit)]
            columns += decided[:3]
            name = force_column_names(force.force_id)[3]
            citizenship = _citizenship(force, name)
            if citizenship is not None:
                citizenships.append(citizenship)
                continue
            parts += found
            dates = [value.combine.cast(pl.Date) for value in force.earliest]
            columns.append(citizenship_date(decided[3:], dates).alias(name))
        for unit in self.homes:
            columns += outputs(unit)
        for name, maybe in self.compared_units:
            columns += [pl.lit(None, pl.Utf8).alias(name)] if maybe is None else outputs(maybe)
        gathers = gathering(coded, tabled, citizenships)
        # Enum, text and date columns go out as gathered, and so do the dates computed in the compiled pass; the
        # rest (columns computed person by person, and what the citizenship dates of their forces read) are
        # computed in Polars.
        names = self.names
        final = set(names)
        direct = {output.name for output in gathers.outputs if output.name in final and not output.boolean}
        direct |= {citizenship.name for citizenship in citizenships}
        rest = [column for column in columns if column.meta.output_name() not in direct]
        return Assembly(key, names, gathers, by_person, direct, rest, parts)


@dataclass(frozen=True)
class Assembly:
    """How a chunk's result columns are put together: gathered in the compiled pass, or computed by Polars from
    gathered columns and from units computed person by person. Kept while every unit's table and terms stay the
    same objects."""

    key: list[Tabled | None]
    """Per unit, its table and terms (None: computed person by person)."""
    names: list[str]
    gathering: Gathering
    by_person: list[Unit]
    direct: set[str]
    """The result columns that go out as gathered."""
    rest: list[pl.Expr]
    parts: list[pl.Expr]
    """What `rest` reads besides the gathered columns."""

    def fits(self, key: list[Tabled | None]) -> bool:
        """Whether every unit still has the same table and terms (the same objects)."""
        return len(key) == len(self.key) and all(
            new is old or (new is not None and old is not None and new[0] is old[0] and new[1] is old[1])
            for new, old in zip(key, self.key, strict=True)
        )

    def run(self, chunk: pl.DataFrame, coded: dict[str, CodedFact], buffers: Buffers) -> pa.Table:
        gathered, days = self.gathering.run(coded, chunk.height, buffers)
        direct = {output.name: (output.field, array) for output, array in gathered if output.name in self.direct}
        direct |= {
            citizenship.name: (pa.field(citizenship.name, pa.date32()), array)
            for citizenship, array in zip(self.gathering.citizenships, days, strict=True)
        }
        if self.rest:
            found = [_person_by_person(unit, chunk) for unit in self.by_person]
            inputs = [pl.Series(output.name, array) for output, array in gathered if output.name not in direct]
            late = pl.DataFrame(height=chunk.height).hstack(
                [*inputs, *(column for frame in found for column in frame.get_columns())]
            )
            computed = late.lazy().with_columns(self.parts).select(self.rest).collect().to_arrow()
            direct |= {name: (computed.schema.field(name), computed.column(name)) for name in computed.column_names}
        ordered = [direct[name] for name in self.names]
        return pa.Table.from_arrays([array for _, array in ordered], schema=pa.schema([field for field, _ in ordered]))


def table_columns(engine: TableEngine, chunk: pl.DataFrame, keep: Sequence[str] = ()) -> pa.Table:
    """`keep` columns of the chunk, then every result column."""
    kept, results = chunk.select(keep).to_arrow(), engine.assess(chunk)
    return pa.Table.from_arrays([*kept.columns, *results.columns], schema=pa.schema([*kept.schema, *results.schema]))
