"""The visibility engine: one decision per (viewer, item, instant), and the same answer as a queryset filter.

How it works. For one viewer, one student and one instant, `Context` works out everything that does not depend on
the item (the viewer's relation to the student, court orders, overrides, consent, the calendar window in force, the
release cutoffs). Per data kind it then builds a `Gate`: an ordered list of clauses, each "if <predicate on the item>
then <decision>", the first match deciding. The predicates are few (wrong student, retracted, held back, released by
a cutoff, shared, in one of these groups) and each one can both test an `Item` in Python and compile to a Django `Q`
on a model's fields. `decide` walks the clauses for one item; `filter_items` compiles the same clauses into one
`Q` ("clause i matches and no earlier clause matches", OR-ed over the clauses that show). Because both read the same
clause list, they cannot drift apart; a hypothesis test checks it anyway.

Precedence (docs/visibility.md has the table): see `_guardian_clauses`, `_student_clauses`, `_staff_clauses`.

Linked items. An item that reveals another item (a resit reveals its original test) carries that item in `links`,
and is visible only when it is itself visible *and* every linked item is, each judged by its own kind's gate. The
queryset side is the same conjunction: `ItemFields.links` says where the linked item's fields are on the same row,
and `Context.q` ANDs the linked item's compiled gate to the item's own. Links are flattened (a resit of a resit
carries both earlier attempts) and bounded (`RESIT_DEPTH_MAX`); a longer chain hides the item (fail closed).

Versions (corrections). A changed value of a result is released under the same rules as a new result: each
version of a result is released at max(column release, first entry, the version's own change instant), and a
student or guardian sees the latest version whose release their gate admits (the release rules are monotone in the
release instant, so the versions they see are a prefix of the history). Until a correction's moment each viewer keeps
the previous value, and averages computed from it. `Item.versions` carries the candidates (`Context.shown_version`
picks one); `visible_results` does the same in SQL (`VERSION_FIELDS`, a correlated subquery evaluated only for
results with more than one version) and puts the shown version's value on each row. Staff see the current version.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from django.db.models import Case, Exists, IntegerField, OuterRef, Q, QuerySet, Subquery, Value, When
from django.db.models.query import ModelIterable
from django.utils.translation import get_language

from inzage.grades.models import RESIT_DEPTH_MAX, NoDeleteQuerySet
from inzage.people.models import GuardianRelation
from inzage.schools.calendar import SchoolCalendar
from inzage.visibility.kinds import ALL_KINDS, DataKind
from inzage.visibility.policy import moments
from inzage.visibility.policy.document import PolicySpec, Window
from inzage.visibility.policy.facts import StudentFacts, Viewer, load_facts
from inzage.visibility.policy.messages import explain, rule_name

# ------------------------------------------------------------------------------------------------ items, decisions


@dataclass(frozen=True, slots=True)
class Item:
    """One piece of student data as the engine sees it.

    `released_at` is when the item was released to its student before publication moments (for a result:
    max(column.release_at, result.entered_at)); None means held back. Kinds without a release step (timetable,
    attendance...) use the moment the data was recorded. `links` are the items this one reveals (a resit: its
    original, and the original's original), flattened; the item is visible only when each of them is too.
    """

    kind: str
    id: int
    student_id: int
    released_at: dt.datetime | None
    subject: str = ""
    subject_name: str = ""
    group_id: int | None = None
    period_id: int | None = None
    date: dt.date | None = None
    retracted: bool = False
    label: str = ""
    links: tuple[Item, ...] = ()
    # Corrections: the result's versions that can be shown, oldest first, as (version number, release instant);
    # empty for a result with one version (the common case). `released_at` is then the first one's release.
    versions: tuple[tuple[int, dt.datetime | None], ...] = ()


class Decision:
    """Visible or not, why (reason code, explanation in Dutch and English), the rule that decided, and when the item
    becomes visible for this viewer where the release rules know it (`visible_from`).

    Immutable by convention. `visible_from` may be given, or worked out on first read by `moment` (a function of no
    arguments): a parent's page decides hundreds of hidden items and reads none of their moments, and the calendar
    arithmetic for a moment costs more than the decision itself.
    """

    __slots__ = ("_from", "_moment", "params", "reason", "rule", "visible")

    def __init__(
        self,
        visible: bool,
        reason: str,
        rule: str,
        visible_from: dt.datetime | None = None,
        params: tuple[tuple[str, Any], ...] = (),  # fill the explanation in; formatted only when someone reads it
        *,
        moment: Callable[[], dt.datetime | None] | None = None,
    ) -> None:
        self.visible = visible
        self.reason = reason
        self.rule = rule
        self.params = params
        self._from = visible_from
        self._moment = moment

    @property
    def visible_from(self) -> dt.datetime | None:
        if self._moment is not None:
            self._from, self._moment = self._moment(), None
        return self._from

    def moved(self, *, visible_from: dt.datetime | None = None, moment: Callable[[], Any] | None = None) -> Decision:
        """The same decision with another (or a lazily computed) moment."""
        return Decision(self.visible, self.reason, self.rule, visible_from, self.params, moment=moment)

    def _key(self) -> tuple[Any, ...]:
        return (self.visible, self.reason, self.rule, self.visible_from, self.params)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Decision) and self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __repr__(self) -> str:
        return (
            f"Decision(visible={self.visible!r}, reason={self.reason!r}, rule={self.rule!r}, "
            f"visible_from={self.visible_from!r}, params={self.params!r})"
        )

    @property
    def explanation_nl(self) -> str:
        return explain(self.reason, **dict(self.params), moment=self.visible_from)[0]

    @property
    def explanation_en(self) -> str:
        return explain(self.reason, **dict(self.params), moment=self.visible_from)[1]

    @property
    def explanation(self) -> str:
        return self.explanation_en if (get_language() or "nl").startswith("en") else self.explanation_nl

    @property
    def rule_name(self) -> str:
        """The rule that decided, named for people ("basisinstelling voor ouders"), in the active language."""
        nl, en = rule_name(self.rule, str(dict(self.params).get("label") or ""))
        return en if (get_language() or "nl").startswith("en") else nl


@dataclass(frozen=True)
class ItemFields:
    """Where a model keeps the fields the engine needs, as ORM paths (for `filter_items`).

    `links`: the items a row reveals, found on the same row (see `LinkFields`); `aliases` adds the annotations those
    paths need (subqueries) to the queryset before it is filtered.
    """

    kind: str
    release: tuple[str, ...]
    student: str = "student_id"
    id: str = "pk"
    retracted: tuple[str, ...] = ()
    group: str | None = None
    links: tuple[LinkFields, ...] = ()
    aliases: Callable[[QuerySet[Any]], QuerySet[Any]] | None = None


@dataclass(frozen=True)
class LinkFields:
    """One item a row reveals, as ORM paths on that row.

    `absent` holds when the row has no such link. Otherwise the link is judged by the fields of the shape whose
    condition holds (conditions exclude each other: a resit's original with and without the student's own result in
    it); a present link that matches no shape hides the row (fail closed: no `shapes` means "never visible").
    """

    absent: Q
    shapes: tuple[tuple[Q, ItemFields], ...] = ()


def _resit_link_fields(depth: int) -> LinkFields:
    """The `depth`-th original of a resit result: its column by joins, the same student's result in it by the
    annotations of `_resit_aliases`."""
    path = "__".join(["column"] + ["resit_of"] * depth)
    alias = f"link{depth}"
    if depth > RESIT_DEPTH_MAX:  # a chain longer than we follow: hidden whenever it exists
        return LinkFields(absent=Q(**{f"{path}__isnull": True}))
    common: dict[str, Any] = {"kind": DataKind.GRADES, "id": f"{alias}_id", "group": f"{path}__teaching_group_id"}
    with_result = ItemFields(
        release=(f"{path}__release_at", f"{alias}_entered"),
        retracted=(f"{path}__retracted_at", f"{alias}_retracted"),
        **common,
    )
    # No result of the student's own in the original column: the column's release and retraction still count,
    # because the resit's name alone reveals that the test exists.
    without_result = ItemFields(release=(f"{path}__release_at",), retracted=(f"{path}__retracted_at",), **common)
    return LinkFields(
        absent=Q(**{f"{path}__isnull": True}),
        shapes=(
            (Q(**{f"{alias}_id__isnull": False}), with_result),
            (Q(**{f"{alias}_id__isnull": True}), without_result),
        ),
    )


def _resit_aliases(queryset: QuerySet[Any]) -> QuerySet[Any]:
    """Per result row, the same student's result in each original column (id, entered, retracted): correlated
    subqueries, so the list stays one SQL query whatever its length."""
    from inzage.grades.models import Result

    for depth in range(1, RESIT_DEPTH_MAX + 1):
        path = "__".join(["column"] + ["resit_of"] * depth)
        original = Result.objects.filter(column_id=OuterRef(path), student_id=OuterRef("student_id"))
        queryset = queryset.alias(
            **{
                f"link{depth}_id": Subquery(original.values("pk")[:1]),
                f"link{depth}_entered": Subquery(original.values("entered_at")[:1]),
                f"link{depth}_retracted": Subquery(original.values("retracted_at")[:1]),
            }
        )
    return queryset


# One version row (grades.ResultVersion) of a result, as the engine sees it: released at max(column release, first
# entry, the version's own change); everything else is the result's.
VERSION_FIELDS = ItemFields(
    kind=DataKind.GRADES,
    release=("result__column__release_at", "result__entered_at", "changed_at"),
    student="result__student_id",
    id="result_id",
    retracted=("result__retracted_at", "result__column__retracted_at"),
    group="result__column__teaching_group_id",
)

RESULT_FIELDS = ItemFields(
    kind=DataKind.GRADES,
    release=("column__release_at", "entered_at"),
    retracted=("retracted_at", "column__retracted_at"),
    group="column__teaching_group_id",
    links=tuple(_resit_link_fields(depth) for depth in range(1, RESIT_DEPTH_MAX + 2)),
    aliases=_resit_aliases,
)


def _released(release_at: dt.datetime | None, entered_at: dt.datetime | None) -> dt.datetime | None:
    if release_at is None or entered_at is None:
        return None
    return max(release_at, entered_at)


def _version_candidates(
    base: dt.datetime | None, rows: Sequence[tuple[int, str, dt.datetime]]
) -> tuple[tuple[int, dt.datetime | None], ...]:
    """The versions of a result that may be shown, with their release instants: every version after the latest
    retraction (a value withdrawn by a retraction never shows again), released at max(base, its change instant)."""
    from inzage.grades.models import ResultVersion

    out: list[tuple[int, dt.datetime | None]] = []
    for version, action, changed_at in sorted(rows):
        if action == ResultVersion.Action.RETRACT:
            out = []
        else:
            out.append((version, None if base is None else max(base, changed_at)))
    return tuple(out)


def _column_item(
    column: Any,
    student_id: int,
    result: Any | None,
    links: tuple[Item, ...] = (),
    version_rows: Sequence[tuple[int, str, dt.datetime]] | None = None,
) -> Item:
    """A grades item for a column and one student's result in it; without a result, the column alone (id 0).
    `version_rows` ((version, action, changed at) of a result with more than one version) give its candidates."""
    versions: tuple[tuple[int, dt.datetime | None], ...] = ()
    if result is None:
        released, retracted, item_id = column.release_at, False, 0
    else:
        released = _released(column.release_at, result.entered_at)
        retracted, item_id = result.retracted_at is not None, result.pk
        if version_rows is not None:
            versions = _version_candidates(released, version_rows)
            # Released when its first showable version is; none (history missing or all retracted): held.
            released = versions[0][1] if versions else None
    return Item(
        kind=DataKind.GRADES,
        id=item_id,
        student_id=student_id,
        released_at=released,
        subject=column.subject.code,
        subject_name=column.subject.name,
        group_id=column.teaching_group_id,
        period_id=column.period_id,
        date=column.date,
        retracted=retracted or column.retracted_at is not None,
        label=column.name,
        links=links,
        versions=versions,
    )


def _version_rows(results: Sequence[Any]) -> dict[int, list[tuple[int, str, dt.datetime]]]:
    """(version, action, changed at) per result that has more than one version: one query, none when no result
    was ever changed."""
    from inzage.grades.models import ResultVersion

    changed = [r.pk for r in results if getattr(r, "version", 1) > 1]
    out: dict[int, list[tuple[int, str, dt.datetime]]] = {pk: [] for pk in changed}
    if changed:
        for result_id, version, action, changed_at in ResultVersion.objects.filter(result_id__in=changed).values_list(
            "result_id", "version", "action", "changed_at"
        ):
            out[result_id].append((version, action, changed_at))
    return out


def items_from_results(results: Sequence[Any]) -> list[Item]:
    """The engine's view of grades.Results (column and subject loaded: select_related), each with the items it
    reveals: a resit carries its original (and the original's original), and a changed result its versions. Two
    extra queries for resits, one for changed results, none without either."""
    from inzage.grades.models import Column, Result

    history = _version_rows(results)
    first = {r.column.resit_of_id for r in results if r.column.resit_of_id is not None}
    if not first:
        return [_column_item(r.column, r.student_id, r, version_rows=history.get(r.pk)) for r in results]
    columns: dict[int, Any] = {}
    for loaded in Column.objects.filter(pk__in=first).select_related("subject", "resit_of", "resit_of__subject"):
        columns[loaded.pk] = loaded
        if loaded.resit_of is not None:
            columns.setdefault(loaded.resit_of.pk, loaded.resit_of)
    originals = {
        (o.column_id, o.student_id): o
        for o in Result.objects.filter(
            column_id__in=list(columns), student_id__in={r.student_id for r in results}
        ).only("pk", "column_id", "student_id", "entered_at", "retracted_at")
    }
    out = []
    for r in results:
        links: list[Item] = []
        current = r.column.resit_of_id
        while current is not None:
            col = columns.get(current)
            if col is None or len(links) == RESIT_DEPTH_MAX:
                # Deeper than we follow (or a cycle): a stand-in that nobody sees, so the resit stays hidden.
                label = links[-1].label if links else r.column.name
                links.append(
                    Item(DataKind.GRADES, 0, r.student_id, released_at=None, retracted=True, label=f"{label} …")
                )
                break
            links.append(_column_item(col, r.student_id, originals.get((col.pk, r.student_id))))
            current = col.resit_of_id
        out.append(_column_item(r.column, r.student_id, r, tuple(links), version_rows=history.get(r.pk)))
    return out


def item_from_result(result: Any) -> Item:
    """The engine's view of one grades.Result (with its column and subject loaded: select_related); a resit's
    originals are loaded here (two queries). For lists use `items_from_results`."""
    return items_from_results([result])[0]


# ------------------------------------------------------------------------------------------------------ predicates

_NOTHING = Q(pk__in=[])


class Pred:
    """A predicate on an item, testable in Python and compilable to a Q. `const` is True/False when it is one."""

    const: bool | None = None

    def test(self, item: Item) -> bool:
        raise NotImplementedError

    def q(self, f: ItemFields) -> Q:
        raise NotImplementedError


class Const(Pred):
    def __init__(self, value: bool) -> None:
        self.const = value

    def test(self, item: Item) -> bool:
        return bool(self.const)

    def q(self, f: ItemFields) -> Q:
        return Q() if self.const else _NOTHING


ALWAYS = Const(True)
NEVER = Const(False)


class WrongStudent(Pred):
    def __init__(self, student_id: int) -> None:
        self.student_id = student_id

    def test(self, item: Item) -> bool:
        return item.student_id != self.student_id

    def q(self, f: ItemFields) -> Q:
        return ~Q(**{f.student: self.student_id})


class Retracted(Pred):
    def test(self, item: Item) -> bool:
        return item.retracted

    def q(self, f: ItemFields) -> Q:
        if not f.retracted:
            return _NOTHING
        out = Q()
        for path in f.retracted:
            out |= Q(**{f"{path}__isnull": False})
        return out


class Held(Pred):
    def test(self, item: Item) -> bool:
        return item.released_at is None

    def q(self, f: ItemFields) -> Q:
        out = Q()
        for path in f.release:
            out |= Q(**{f"{path}__isnull": True})
        return out


class ReleasedBy(Pred):
    """The item's release instant (the max of its release fields) is within the cutoff."""

    def __init__(self, cutoff: moments.Cutoff | None) -> None:
        self.cutoff = cutoff
        if cutoff is None:
            self.const = False

    def test(self, item: Item) -> bool:
        return self.cutoff is not None and item.released_at is not None and self.cutoff.admits(item.released_at)

    def q(self, f: ItemFields) -> Q:
        if self.cutoff is None:
            return _NOTHING
        op = "lte" if self.cutoff.inclusive else "lt"
        out = Q()
        for path in f.release:
            out &= Q(**{f"{path}__isnull": False, f"{path}__{op}": self.cutoff.at})
        return out


class NotReleasedBy(ReleasedBy):
    def __init__(self, cutoff: moments.Cutoff | None) -> None:
        super().__init__(cutoff)
        self.const = True if cutoff is None else None

    def test(self, item: Item) -> bool:
        # Not `not super().test(item)`: every item of a page passes here, and the extra call shows in the bench.
        cutoff, released = self.cutoff, item.released_at
        return cutoff is None or released is None or not cutoff.admits(released)

    def q(self, f: ItemFields) -> Q:
        return Q() if self.cutoff is None else ~super().q(f)


class IdIn(Pred):
    def __init__(self, ids: Iterable[int]) -> None:
        self.ids = frozenset(ids)
        if not self.ids:
            self.const = False

    def test(self, item: Item) -> bool:
        return item.id in self.ids

    def q(self, f: ItemFields) -> Q:
        if not self.ids:
            return _NOTHING
        if f.id == "pk":
            return Q(pk__in=sorted(self.ids))
        # A nullable path (a linked item that may not exist): "NOT (NULL IN ...)" is NULL in SQL, not true.
        return Q(**{f"{f.id}__isnull": False, f"{f.id}__in": sorted(self.ids)})


class GroupIn(Pred):
    def __init__(self, ids: Iterable[int]) -> None:
        self.ids = frozenset(ids)
        if not self.ids:
            self.const = False

    def test(self, item: Item) -> bool:
        return item.group_id is not None and item.group_id in self.ids

    def q(self, f: ItemFields) -> Q:
        if not self.ids or not f.group:
            return _NOTHING
        return Q(**{f"{f.group}__in": sorted(self.ids)})


# ------------------------------------------------------------------------------------------------------ the gate


@dataclass(frozen=True, slots=True)
class Clause:
    pred: Pred
    decision: Decision
    visible_from: str = ""  # "student" / "guardian": compute the item's moment for a hidden decision


@dataclass(frozen=True)
class Gate:
    """The ordered clauses for one kind in one context; the first clause whose predicate holds decides."""

    clauses: tuple[Clause, ...]

    @cached_property
    def shows(self) -> bool:
        """Whether any clause shows: compiling this gate into a query can read something."""
        return any(clause.decision.visible for clause in self.clauses)

    def q(self, f: ItemFields) -> Q:
        shown = _NOTHING
        shown_any = False
        earlier = Q()
        for clause in self.clauses:
            if clause.decision.visible:
                shown = (earlier & clause.pred.q(f)) if not shown_any else shown | (earlier & clause.pred.q(f))
                shown_any = True
            if clause.pred.const is True:
                break
            earlier &= ~clause.pred.q(f)
        return shown


def _decision(visible: bool, reason: str, rule: str, **params: Any) -> Decision:
    return Decision(visible=visible, reason=reason, rule=rule, params=tuple(sorted(params.items())))


class _Builder:
    """Collects clauses, dropping those that can never match and everything after one that always matches."""

    def __init__(self) -> None:
        self.clauses: list[Clause] = []
        self.closed = False

    def add(self, pred: Pred, decision: Decision, visible_from: str = "") -> None:
        if self.closed or pred.const is False:
            return
        self.clauses.append(Clause(pred, decision, visible_from))
        if pred.const is True:
            self.closed = True

    def always(self, decision: Decision) -> None:
        self.add(ALWAYS, decision)

    def gate(self) -> Gate:
        if not self.closed:  # fail closed: a gate that falls through hides
            self.always(_decision(False, "no_rule", "engine"))
        return Gate(tuple(self.clauses))


# ------------------------------------------------------------------------------------------------------- context


@dataclass
class Context:
    """Everything item-independent for one viewer, one student and one instant. Build with `context_for`."""

    viewer: Viewer
    facts: StudentFacts | None
    at: dt.datetime
    audience: str  # "student", "guardian", "staff" or "none"
    relation: GuardianRelation | None = None
    _gates: dict[str, Gate] = field(default_factory=dict)
    # The kinds this context let through (the access log's hook): `decide` adds an item's kind when it is visible,
    # `gate`/`q`/`filter` add the kind when its gate can show anything. `inzage.access_log` writes them at the end
    # of the request for viewers built by `viewer_for` for the request's own account (docs/access-log.md).
    reads: set[str] = field(default_factory=set)

    # -- derived, item-independent facts
    @property
    def policy(self) -> PolicySpec:
        assert self.facts is not None
        return self.facts.policy

    @property
    def calendar(self) -> SchoolCalendar:
        assert self.facts is not None
        return self.facts.calendar

    @property
    def today(self) -> dt.date:
        return self.calendar.local_date(self.at)

    @property
    def student_id(self) -> int:
        assert self.facts is not None
        return self.facts.student.pk

    def age(self) -> int:
        assert self.facts is not None
        return self.facts.student.age_on(self.today)

    def publication_for(self, kind: str) -> Any:
        pub = self.policy.publication
        return pub if pub.times and kind in pub.kinds else None

    def window(self, audience: str, kind: str) -> tuple[int, Window, dt.date, dt.date] | None:
        """The calendar window for an audience and kind in force today (most specific wins), with its dates."""
        assert self.facts is not None
        return self.facts.window_on(audience, kind, self.today)

    # -- the decision
    def gate(self, kind: str) -> Gate:
        """The kind's gate, for compiling into a query: a read of the kind (access log) when it can show anything."""
        gate = self._gate(kind)
        if gate.shows:
            self.reads.add(kind)
        return gate

    def _gate(self, kind: str) -> Gate:
        gate = self._gates.get(kind)
        if gate is None:
            gate = self._build_gate(kind)
            self._gates[kind] = gate
        return gate

    def decide(self, item: Item) -> Decision:
        """The decision for one item (of any student: another student's item is "not found"), its links included.
        A visible item is a read of its kind (the access log); `peek` asks without reading."""
        decision = self._decide_one(item) if not item.links else self.peek(item)
        if decision.visible:
            self.reads.add(item.kind)
        return decision

    def peek(self, item: Item) -> Decision:
        """The same decision as `decide`, for questions about other instants or other viewers that show nothing
        (transitions, notifications' planning): not recorded as a read."""
        if not item.links:  # the common case first: most items reveal nothing else
            return self._decide_one(item)
        own = self._decide_one(item)
        if not own.visible and own.visible_from is None:
            return own
        latest: tuple[Item, Decision] | None = None  # the hidden link that becomes visible last
        for link in item.links:
            found = self._decide_one(link)
            if found.visible:
                continue
            if found.visible_from is None:  # hidden with no known moment: so is the item
                return _decision(False, "linked_hidden", "link", linked=link.label)
            if latest is None or found.visible_from > latest[1].visible_from:  # type: ignore[operator]
                latest = (link, found)
        if latest is None:
            return own
        link, found = latest
        if not own.visible and own.visible_from >= found.visible_from:  # type: ignore[operator]
            return own  # the item's own moment is the later one: its own reason is the true one
        return _decision(False, "linked_hidden", "link", linked=link.label).moved(visible_from=found.visible_from)

    def shown_version(self, item: Item) -> int | None:
        """Which version of a changed result this viewer sees (None: the result has one version, or is hidden).

        Students and guardians see the latest version whose own release their gate admits: a correction waits for
        the publication moment (and, for guardians, student-first) like a new result. Staff see the current one."""
        if not item.versions or not self.peek(item).visible:  # the read itself is recorded where it is decided
            return None
        if self.audience not in ("student", "guardian"):
            return item.versions[-1][0]
        for version, released in reversed(item.versions[1:]):
            later = Item(
                kind=item.kind,
                id=item.id,
                student_id=item.student_id,
                released_at=released,
                group_id=item.group_id,
                retracted=item.retracted,
            )
            if self._decide_one(later).visible:
                return version
        return item.versions[0][0]

    def version_decision(self, item: Item, version: int) -> Decision:
        """The decision on one version of a changed result (its `visible_from`: when this viewer sees that value)."""
        released = dict(item.versions).get(version, item.released_at)
        return self.peek(Item(**{**{n: getattr(item, n) for n in Item.__slots__}, "released_at": released}))

    def _decide_one(self, item: Item) -> Decision:
        # The hot loop of a page (hundreds of items per student): one dict lookup for the gate, and the always-true
        # clause that ends every gate is not asked to test anything.
        gate = self._gates.get(item.kind)
        if gate is None:
            if item.kind not in ALL_KINDS:
                return _decision(False, "unknown_kind", "engine")
            gate = self._gate(item.kind)
        for clause in gate.clauses:
            if clause.pred.const is True or clause.pred.test(item):
                if clause.visible_from and not clause.decision.visible:
                    return self._with_moment(clause, item)
                return clause.decision
        return _decision(False, "no_rule", "engine")  # unreachable: gates end with an always-clause

    def q(self, fields: ItemFields) -> Q:
        """The Q of the items this viewer may see now: the item's own gate AND, per link, "no such link, or the
        linked item passes its own gate" (the same conjunction as `decide`)."""
        out = self.gate(fields.kind).q(fields)
        for link in fields.links:
            shown = link.absent
            for when, linked in link.shapes:
                shown |= when & self._gate(linked.kind).q(linked)
            out &= shown
        return out

    def filter(self, queryset: QuerySet[Any], fields: ItemFields) -> QuerySet[Any]:
        """The queryset narrowed to the items this viewer may see now: the same clauses as `decide`."""
        if fields.aliases is not None:
            queryset = fields.aliases(queryset)
        return queryset.filter(self.q(fields))

    def _with_moment(self, clause: Clause, item: Item) -> Decision:
        released_at = item.released_at
        if released_at is None:
            return clause.decision
        return clause.decision.moved(moment=lambda: self._moment_of(clause, item.kind, released_at))

    def _moment_of(self, clause: Clause, kind: str, released_at: dt.datetime) -> dt.datetime | None:
        """When a released item hidden by this clause becomes visible (publication, student-first), if known."""
        pub = self.publication_for(kind)
        moment = moments.student_moment(self.calendar, pub, released_at)
        if moment is not None and clause.visible_from == "guardian":
            moment = moments.guardian_moment(self.calendar, pub, self.policy.student_first.school_days, moment)
        return None if moment is None else moment.astimezone(self.calendar.timezone)

    def _build_gate(self, kind: str) -> Gate:
        b = _Builder()
        if self.facts is None or self.audience == "none":
            b.always(_decision(False, "not_related", "relation"))
            return b.gate()
        b.add(WrongStudent(self.student_id), _decision(False, "not_related", "relation"))
        b.add(Retracted(), _decision(False, "retracted", "release"))
        if self.audience == "student":
            self._student_clauses(b, kind)
        elif self.audience == "guardian":
            self._guardian_clauses(b, kind)
        else:
            self._staff_clauses(b, kind)
        return b.gate()

    def _release_clauses(self, b: _Builder, kind: str, moment: str = "student") -> moments.Cutoff | None:
        pub = self.publication_for(kind)
        cutoff = moments.student_cutoff(self.calendar, pub, self.at)
        b.add(Held(), _decision(False, "held_back", "release"))
        b.add(
            NotReleasedBy(cutoff),
            _decision(False, "publication" if pub else "not_released", "publication" if pub else "release"),
            visible_from=moment,
        )
        return cutoff

    def _window_clause(self, b: _Builder, audience: str, kind: str) -> Window | None:
        """Adds the closing clause of a closed window; returns the open window in force, if any."""
        found = self.window(audience, kind)
        if found is None:
            return None
        index, window, start, end = found
        if window.effect == "open":
            return window
        b.always(_decision(False, "window_closed", f"windows[{index}]", label=window.label, start=start, end=end))
        return None

    def _student_clauses(self, b: _Builder, kind: str) -> None:
        self._release_clauses(b, kind)
        found = self.window("students", kind)
        if found is not None:
            index, window, start, end = found
            visible = window.effect == "open"
            b.always(
                _decision(
                    visible,
                    "window_open" if visible else "window_closed",
                    f"windows[{index}]",
                    label=window.label,
                    start=start,
                    end=end,
                )
            )
        visible = kind in self.policy.students
        b.always(_decision(visible, "base_visible" if visible else "base_hidden", "base.students", kind=kind))

    def _guardian_clauses(self, b: _Builder, kind: str) -> None:
        assert self.facts is not None and self.relation is not None
        facts, relation, today = self.facts, self.relation, self.today
        court = facts.court_restriction(relation.pk, kind, today)
        if court is not None:
            b.always(_decision(False, "court_restriction", f"court_restriction#{court.pk}"))
            return
        sf_applies = self.policy.student_first.school_days > 0 and kind in self.policy.student_first.kinds
        self._release_clauses(b, kind, "guardian" if sf_applies else "student")
        request = facts.granted_request(relation.pk, kind, self.at)
        minor = self.age() < 18
        if kind == DataKind.PERIOD_REPORT and minor and (relation.has_gezag or request is not None):
            rule = "legal_floor" if relation.has_gezag else f"information_request#{request.pk if request else ''}"
            b.always(_decision(True, "legal_floor", rule))
            return
        if relation.custody == GuardianRelation.Custody.WITHOUT_GEZAG and request is None:
            b.always(_decision(False, "no_custody", "custody"))
            return
        override = facts.override_for(relation.guardian_id, kind, today, self.at)
        if override is not None:
            visible = override.effect == "open"
            b.always(
                _decision(
                    visible,
                    "override_open" if visible else "override_close",
                    f"override#{override.pk}",
                    until=override.until,
                )
            )
            return
        age = self.age()
        model = self.policy.consent.model
        student_has_say = age >= 18 or model == "always" or (model == "from_16" and age >= 16)
        if student_has_say:
            given = facts.consent(relation.guardian_id, kind, self.at)
            if given is None:
                given = self.policy.consent.default_before_18 if age < 18 else False
            if not given:
                b.always(_decision(False, "no_consent_adult" if age >= 18 else "no_consent", f"consent.{model}"))
                return
        sf = self.policy.student_first
        shared = IdIn(facts.shared_ids(kind, self.at))
        shared_decision = _decision(True, "shared", "share")
        found = self.window("guardians", kind)
        open_window: Window | None = None
        if found is not None:
            index, window, start, end = found
            if window.effect == "close":
                if sf.share_opens_closed_window:
                    b.add(shared, shared_decision)
                b.always(
                    _decision(False, "window_closed", f"windows[{index}]", label=window.label, start=start, end=end)
                )
                return
            open_window = window
        if sf.school_days > 0 and kind in sf.kinds:
            b.add(shared, shared_decision)
            cutoff = moments.guardian_cutoff(self.calendar, self.publication_for(kind), sf.school_days, self.at)
            b.add(
                NotReleasedBy(cutoff),
                _decision(False, "student_first", "student_first", days=sf.school_days),
                visible_from="guardian",
            )
        if open_window is not None:
            assert found is not None
            index, window, start, end = found
            b.always(_decision(True, "window_open", f"windows[{index}]", label=window.label, start=start, end=end))
            return
        visible = kind in self.policy.guardians
        b.always(_decision(visible, "base_visible" if visible else "base_hidden", "base.guardians", kind=kind))

    def _staff_clauses(self, b: _Builder, kind: str) -> None:
        assert self.facts is not None
        roles = self.facts.staff_roles_for(self.viewer, self.today)
        for role in roles:
            if kind in self.policy.staff.get(role, frozenset()):
                b.always(_decision(True, "staff_role", f"staff.{role}", role=role))
                return
        groups = self.facts.student_group_ids & self.viewer.group_ids
        if groups and kind in self.policy.staff.get("teacher", frozenset()):
            b.add(GroupIn(groups), _decision(True, "staff_teacher", "staff.teacher"))
            b.always(_decision(False, "staff_other_group", "staff.teacher"))
            return
        if roles or groups:
            b.always(_decision(False, "staff_kind", "staff", kind=kind))
        else:
            b.always(_decision(False, "not_related", "relation"))


def context_for(*, viewer: Viewer, student_id: int, at: dt.datetime) -> Context:
    """The context for a viewer, a student and an instant; cached on the viewer (one per request)."""
    if at.tzinfo is None:
        raise ValueError("the instant must be timezone-aware")
    key = (student_id, at)
    cached = viewer.contexts.get(key)
    if cached is not None:
        return cached
    facts = viewer.facts.get(student_id)
    if facts is None and student_id not in viewer.facts:
        facts = load_facts(viewer=viewer, student_id=student_id)
        viewer.facts[student_id] = facts
    ctx = _make_context(viewer, facts, at)
    viewer.contexts[key] = ctx
    return ctx


def _make_context(viewer: Viewer, facts: StudentFacts | None, at: dt.datetime) -> Context:
    if facts is None:
        return Context(viewer=viewer, facts=None, at=at, audience="none")
    today = facts.calendar.local_date(at)
    if viewer.student_id == facts.student.pk:
        return Context(viewer=viewer, facts=facts, at=at, audience="student")
    relation = facts.relation
    if relation is not None and relation.is_current_on(today):
        return Context(viewer=viewer, facts=facts, at=at, audience="guardian", relation=relation)
    if viewer.staff_id is not None:
        return Context(viewer=viewer, facts=facts, at=at, audience="staff")
    return Context(viewer=viewer, facts=facts, at=at, audience="none")


# ------------------------------------------------------------------------------------------------------ the API


def decide(*, viewer: Viewer, item: Item, at: dt.datetime) -> Decision:
    """May this viewer see this item at this instant, and why."""
    return context_for(viewer=viewer, student_id=item.student_id, at=at).decide(item)


def filter_items(
    *, viewer: Viewer, student_id: int, at: dt.datetime, queryset: QuerySet[Any], fields: ItemFields
) -> QuerySet[Any]:
    """The queryset of one student's items narrowed to what the viewer may see at the instant."""
    return context_for(viewer=viewer, student_id=student_id, at=at).filter(queryset, fields)


# A row of `visible_results` carries the value of the version the viewer sees; reading these fields with
# values()/values_list() would bypass that, so it is refused (read the rows).
VERSIONED_FIELDS = frozenset({"value", "judgement", "text", "status", "updated_at"})


def _shown_version_subquery(ctx: Context) -> Subquery:
    """The latest showable version of the outer result whose own release this viewer's gate admits."""
    from inzage.grades.models import ResultVersion

    retracted_later = ResultVersion.objects.filter(
        result_id=OuterRef("result_id"), action=ResultVersion.Action.RETRACT, version__gt=OuterRef("version")
    )
    versions = (
        ResultVersion.objects.filter(result_id=OuterRef("pk"))
        .exclude(action=ResultVersion.Action.RETRACT)
        .exclude(Exists(retracted_later))
        .filter(ctx.gate(VERSION_FIELDS.kind).q(VERSION_FIELDS))
        .order_by("-version")
        .values("version")[:1]
    )
    return Subquery(versions, output_field=IntegerField())


def _apply_shown_versions(rows: list[Any]) -> None:
    """Put the shown version's value, judgement, text and status on the rows that show an older version (one
    query, none when every row shows its current version)."""
    from inzage.grades.models import ResultVersion

    older = {r.pk: r for r in rows if getattr(r, "shown_version", None) not in (None, r.version)}
    if not older:
        return
    wanted = {(pk, r.shown_version) for pk, r in older.items()}
    for v in ResultVersion.objects.filter(result_id__in=list(older)).only(
        "result_id", "version", "value", "judgement", "text", "status", "changed_at"
    ):
        if (v.result_id, v.version) in wanted:
            r = older[v.result_id]
            r.value, r.judgement, r.text, r.status, r.updated_at = v.value, v.judgement, v.text, v.status, v.changed_at


def _hide_not_counting_values(rows: list[Any]) -> None:
    """A school whose grade settings hide "telt niet mee" (`GradeSettings.not_counting_rule`): students and
    parents see that such a result does not count, not its grade. One query, only when a row holds such a grade."""
    from inzage.grades.models import GradeSettings, Result

    marked = [r for r in rows if r.status == Result.Status.NOT_COUNTING and r.value is not None]
    if not marked:
        return
    hidden = GradeSettings.objects.filter(
        school_id__in={r.school_id for r in marked}, not_counting_rule=GradeSettings.NotCountingRule.HIDDEN
    ).values_list("school_id", flat=True)
    schools = set(hidden)
    for r in marked:
        if r.school_id in schools:
            r.value = None


class _ShownVersionIterable(ModelIterable):
    def __iter__(self):
        rows = list(super().__iter__())
        _apply_shown_versions(rows)
        if getattr(self.queryset, "_for_students_and_parents", False):
            _hide_not_counting_values(rows)
        return iter(rows)


class VisibleResultQuerySet(NoDeleteQuerySet):
    """Results narrowed by the engine whose rows carry the version the viewer sees (`shown_version`)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._iterable_class = _ShownVersionIterable
        self._for_students_and_parents = False  # True: the school's "telt niet mee" rule applies to the rows

    def _clone(self) -> VisibleResultQuerySet:
        clone = super()._clone()  # type: ignore[misc]  # QuerySet._clone is private, untyped in the stubs
        clone._for_students_and_parents = self._for_students_and_parents
        return clone

    def _refuse_versioned(self, fields: Sequence[Any]) -> None:
        names = {str(x).split("__")[0] for x in fields if isinstance(x, str)}
        if not fields or names & VERSIONED_FIELDS:
            raise TypeError("visible_results: read the rows; values() would show the current, unpublished version")

    def values(self, *fields: Any, **expressions: Any) -> QuerySet[Any]:
        self._refuse_versioned(fields)
        return super().values(*fields, **expressions)

    def values_list(self, *fields: Any, flat: bool = False, named: bool = False) -> QuerySet[Any]:
        self._refuse_versioned(fields)
        return super().values_list(*fields, flat=flat, named=named)


def visible_results(*, viewer: Viewer, student: Any, at: dt.datetime) -> QuerySet[Any]:
    """One student's results this viewer may see at the instant (with column and subject joined); for students and
    guardians each row carries the value of the version they see (a correction waits for its own release)."""
    from inzage.grades.models import Result

    # column__resit_of: averages group a resit of a resit with the first test (grades.averages._resit_root).
    # column__resit_of__resit_of: a resit counts in the period (and with the weights) of the first test of its chain.
    queryset = Result.objects.filter(student_id=student.pk).select_related(
        "column", "column__subject", "column__resit_of", "column__resit_of__resit_of"
    )
    ctx = context_for(viewer=viewer, student_id=student.pk, at=at)
    narrowed = ctx.filter(queryset, RESULT_FIELDS)
    if ctx.audience in ("student", "guardian"):
        # The version subquery runs only for changed results (CASE is evaluated lazily by SQLite and PostgreSQL).
        narrowed = narrowed.annotate(
            shown_version=Case(
                When(version=1, then=Value(1)), default=_shown_version_subquery(ctx), output_field=IntegerField()
            )
        ).filter(shown_version__isnull=False)
    shown: VisibleResultQuerySet = VisibleResultQuerySet(model=Result, query=narrowed.query, using=narrowed.db)
    shown._for_students_and_parents = ctx.audience in ("student", "guardian")
    return shown
