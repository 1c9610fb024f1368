"""The policy document: a school's visibility rules as readable TOML, parsed into frozen dataclasses.

`parse_policy(text)` validates the whole document and raises `PolicyError` listing every problem with its location
(e.g. `windows[2].end: "2025-02-30" is not a date`). `dump_policy(spec)` writes it back; the two round-trip.
See docs/visibility.md for the format with an example.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import tomlkit
from tomlkit.exceptions import ParseError

from inzage.visibility.kinds import ALL_KINDS, DataKind

FORMAT_VERSION = 1
AUDIENCES = ("students", "guardians")
STAFF_ROLES = (
    "teacher",
    "mentor",
    "coordinator",
    "care_coordinator",
    "attendance_officer",
    "exam_secretary",
    "administrator",
)
CONSENT_MODELS = ("at_18", "from_16", "always")
# The top-level sections every document must state (besides `format`).
SECTIONS = ("base", "publication", "student_first", "consent", "staff", "windows")

_ALL_BUT_CARE = tuple(k for k in DataKind.values if k != DataKind.CARE_NOTES)

# The staff table (docs/visibility.md). Teachers see only items of their own teaching groups.
DEFAULT_STAFF: dict[str, tuple[str, ...]] = {
    "teacher": ("grades", "averages", "attendance", "homework", "timetable", "behaviour"),
    "mentor": tuple(DataKind.values),
    "coordinator": _ALL_BUT_CARE,
    "care_coordinator": tuple(DataKind.values),
    "attendance_officer": ("attendance", "timetable", "personal_data"),
    # the examination secretary keeps the exam dossiers: results, averages and reports of the candidates
    "exam_secretary": ("grades", "averages", "period_report", "personal_data"),
    "administrator": _ALL_BUT_CARE,
}


class PolicyError(ValueError):
    """The document is not a valid policy; `errors` lists each problem with its location."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__("; ".join(errors))
        self.errors = errors


@dataclass(frozen=True)
class Window:
    """A calendar window: for an audience and kinds, open or close between two inclusive dates (or on a range)."""

    audience: str
    kinds: frozenset[str]
    effect: str  # "open" or "close"
    start: dt.date | None = None
    end: dt.date | None = None
    range: str = ""  # a CalendarRange code; applies to every range with this code
    levels: frozenset[str] = frozenset()
    years: frozenset[int] = frozenset()
    classes: frozenset[str] = frozenset()
    label: str = ""

    @property
    def scope_rank(self) -> int:
        """Most specific scope wins: class (3) over level and year (2) over level or year (1) over the school (0)."""
        if self.classes:
            return 3
        return int(bool(self.levels)) + int(bool(self.years))


@dataclass(frozen=True)
class Publication:
    """Fixed publication moments: results released by a teacher appear at the next moment (e.g. 17:00)."""

    times: tuple[dt.time, ...] = ()
    school_days_only: bool = True
    kinds: frozenset[str] = frozenset({"grades"})


@dataclass(frozen=True)
class StudentFirst:
    """Guardians see an item this many school days after the student, unless the student shares it."""

    school_days: int = 0
    kinds: frozenset[str] = frozenset({"grades"})
    share_opens_closed_window: bool = True


@dataclass(frozen=True)
class ConsentModel:
    """When the student has a say over what guardians see: at 18 (law), from 16, or always."""

    model: str = "at_18"
    default_before_18: bool = True  # when the student has a say but has not chosen yet


@dataclass(frozen=True)
class PolicySpec:
    """A school's whole visibility policy."""

    students: frozenset[str] = frozenset(_ALL_BUT_CARE)
    guardians: frozenset[str] = frozenset(_ALL_BUT_CARE)
    publication: Publication = field(default_factory=Publication)
    student_first: StudentFirst = field(default_factory=StudentFirst)
    consent: ConsentModel = field(default_factory=ConsentModel)
    staff: dict[str, frozenset[str]] = field(
        default_factory=lambda: {r: frozenset(k) for r, k in DEFAULT_STAFF.items()}
    )
    windows: tuple[Window, ...] = ()

    def base(self, audience: str) -> frozenset[str]:
        return self.students if audience == "students" else self.guardians

    def __hash__(self) -> int:  # dict field: hash by identity is enough for caching per context
        return id(self)


DEFAULT_POLICY = PolicySpec()


# ---------------------------------------------------------------------------------------------------------- parsing


class _Reader:
    def __init__(self) -> None:
        self.errors: list[str] = []

    def err(self, where: str, message: str) -> None:
        self.errors.append(f"{where}: {message}")

    def table(self, data: Any, key: str, where: str) -> dict[str, Any]:
        value = data.get(key, {})
        if not isinstance(value, dict):
            self.err(where, "must be a table")
            return {}
        return dict(value)

    def unknown_keys(self, data: dict[str, Any], allowed: Iterable[str], where: str) -> None:
        for key in data:
            if key not in allowed:
                self.err(f"{where}.{key}" if where else key, "unknown setting")

    def kinds(self, value: Any, where: str, *, allow_empty: bool = True) -> frozenset[str]:
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.err(where, "must be a list of data kinds")
            return frozenset()
        unknown = [v for v in value if v not in ALL_KINDS]
        if unknown:
            self.err(where, f"unknown data kind {unknown[0]!r} (known: {', '.join(sorted(ALL_KINDS))})")
        if not value and not allow_empty:
            self.err(where, "list at least one data kind")
        return frozenset(v for v in value if v in ALL_KINDS)

    def boolean(self, value: Any, where: str, default: bool) -> bool:
        if value is None:
            return default
        if not isinstance(value, bool):
            self.err(where, f"{_show(value)} is not true or false")
            return default
        return value

    def date(self, value: Any, where: str) -> dt.date | None:
        if value is None:
            return None
        if isinstance(value, dt.datetime):
            self.err(where, f"{_show(value)} is a date and time; give a date")
            return None
        if isinstance(value, dt.date):
            return dt.date(value.year, value.month, value.day)
        if isinstance(value, str):
            for fmt in ("%Y-%m-%d", "%d-%m-%Y"):
                try:
                    return dt.datetime.strptime(value, fmt).date()
                except ValueError:
                    continue
        self.err(where, f"{_show(value)} is not a date")
        return None

    def choice(self, value: Any, where: str, options: Iterable[str], default: str) -> str:
        if value is None:
            return default
        options = tuple(options)
        if value not in options:
            self.err(where, f"{_show(value)} is not one of {', '.join(options)}")
            return default
        return str(value)


def _show(value: Any) -> str:
    if isinstance(value, str):
        return f'"{value}"'
    return str(value)


def parse_policy(text: str) -> PolicySpec:
    """Parse and validate a policy document; raise PolicyError with every problem found."""
    try:
        doc = tomlkit.parse(text).unwrap()
    except ParseError as exc:
        raise PolicyError([f"line {exc.line}, column {exc.col}: {exc}"]) from exc
    r = _Reader()
    r.unknown_keys(doc, ("format", *SECTIONS), "")
    # Fail closed: a missing section used to mean "the defaults", so an empty file opened everything to parents.
    # Every section must be stated (`windows = []` when there are none); an omission names the section.
    if "format" not in doc:
        r.err("format", f"ontbreekt: zet bovenaan format = {FORMAT_VERSION}")
    for section in SECTIONS:
        if section not in doc:
            hint = "windows = [] (of [[windows]]-blokken)" if section == "windows" else f"[{section}]"
            r.err(section, f"sectie ontbreekt: vermeld {hint} expliciet; er gelden geen stille standaardwaarden")
    fmt = doc.get("format", FORMAT_VERSION)
    if fmt != FORMAT_VERSION:
        r.err("format", f"{_show(fmt)} is not a known format version (expected {FORMAT_VERSION})")

    base = r.table(doc, "base", "base")
    r.unknown_keys(base, AUDIENCES, "base")
    students = r.kinds(base.get("students", sorted(_ALL_BUT_CARE)), "base.students")
    guardians = r.kinds(base.get("guardians", sorted(_ALL_BUT_CARE)), "base.guardians")

    pub = r.table(doc, "publication", "publication")
    r.unknown_keys(pub, ("times", "school_days_only", "kinds"), "publication")
    times: list[dt.time] = []
    raw_times = pub.get("times", [])
    if not isinstance(raw_times, list):
        r.err("publication.times", 'must be a list of times like "17:00"')
        raw_times = []
    for i, t in enumerate(raw_times):
        where = f"publication.times[{i}]"
        if isinstance(t, dt.time):
            times.append(t.replace(tzinfo=None))
            continue
        try:
            times.append(dt.datetime.strptime(str(t), "%H:%M").time())
        except ValueError:
            r.err(where, f'{_show(t)} is not a time like "17:00"')
    publication = Publication(
        times=tuple(sorted(set(times))),
        school_days_only=r.boolean(pub.get("school_days_only"), "publication.school_days_only", True),
        kinds=r.kinds(pub.get("kinds", ["grades"]), "publication.kinds"),
    )

    sf = r.table(doc, "student_first", "student_first")
    r.unknown_keys(sf, ("school_days", "kinds", "share_opens_closed_window"), "student_first")
    days = sf.get("school_days", 0)
    if not isinstance(days, int) or isinstance(days, bool) or not 0 <= days <= 30:
        r.err("student_first.school_days", f"{_show(days)} is not a whole number from 0 to 30")
        days = 0
    student_first = StudentFirst(
        school_days=days,
        kinds=r.kinds(sf.get("kinds", ["grades"]), "student_first.kinds"),
        share_opens_closed_window=r.boolean(
            sf.get("share_opens_closed_window"), "student_first.share_opens_closed_window", True
        ),
    )

    con = r.table(doc, "consent", "consent")
    r.unknown_keys(con, ("model", "default_before_18"), "consent")
    default_before = con.get("default_before_18", "shared")
    if default_before not in ("shared", "not_shared"):
        r.err("consent.default_before_18", f"{_show(default_before)} is not one of shared, not_shared")
    consent = ConsentModel(
        model=r.choice(con.get("model"), "consent.model", CONSENT_MODELS, "at_18"),
        default_before_18=default_before != "not_shared",
    )

    staff_doc = r.table(doc, "staff", "staff")
    r.unknown_keys(staff_doc, STAFF_ROLES, "staff")
    staff = {role: r.kinds(staff_doc.get(role, list(DEFAULT_STAFF[role])), f"staff.{role}") for role in STAFF_ROLES}

    windows: list[Window] = []
    raw_windows = doc.get("windows", [])
    if not isinstance(raw_windows, list):
        r.err("windows", "must be an array of tables ([[windows]])")
        raw_windows = []
    for i, w in enumerate(raw_windows):
        where = f"windows[{i}]"
        if not isinstance(w, dict):
            r.err(where, "must be a table")
            continue
        r.unknown_keys(
            w, ("audience", "kinds", "effect", "start", "end", "range", "levels", "years", "classes", "label"), where
        )
        if "audience" not in w:
            r.err(f"{where}.audience", "missing (students or guardians)")
        if "effect" not in w:
            r.err(f"{where}.effect", "missing (open or close)")
        if "kinds" not in w:
            r.err(f"{where}.kinds", "missing")
        start = r.date(w.get("start"), f"{where}.start")
        end = r.date(w.get("end"), f"{where}.end")
        range_code = w.get("range", "")
        if not isinstance(range_code, str):
            r.err(f"{where}.range", "must be a calendar range code")
            range_code = ""
        has_dates = "start" in w or "end" in w
        if range_code and has_dates:
            r.err(where, "give either range or start and end, not both")
        elif not range_code and not has_dates:
            r.err(where, "give a calendar range code (range) or start and end dates")
        elif has_dates and ("start" not in w or "end" not in w):
            r.err(where, "give both start and end")
        if start and end and end < start:
            r.err(f"{where}.end", f"{end.isoformat()} is before start {start.isoformat()}")
        years = w.get("years", [])
        if not isinstance(years, list) or not all(isinstance(y, int) and 1 <= y <= 6 for y in years):
            r.err(f"{where}.years", "must be a list of years 1 to 6")
            years = []
        levels = w.get("levels", [])
        classes = w.get("classes", [])
        for key, value in (("levels", levels), ("classes", classes)):
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                r.err(f"{where}.{key}", "must be a list of codes")
        label = w.get("label", "")
        windows.append(
            Window(
                audience=r.choice(w.get("audience"), f"{where}.audience", AUDIENCES, "guardians")
                if "audience" in w
                else "guardians",
                kinds=r.kinds(w.get("kinds", []), f"{where}.kinds", allow_empty=False) if "kinds" in w else frozenset(),
                effect=r.choice(w.get("effect"), f"{where}.effect", ("open", "close"), "close")
                if "effect" in w
                else "close",
                start=start,
                end=end,
                range=range_code,
                levels=frozenset(levels) if isinstance(levels, list) else frozenset(),
                years=frozenset(years),
                classes=frozenset(classes) if isinstance(classes, list) else frozenset(),
                label=str(label),
            )
        )
    if r.errors:
        raise PolicyError(r.errors)
    return PolicySpec(
        students=students,
        guardians=guardians,
        publication=publication,
        student_first=student_first,
        consent=consent,
        staff=staff,
        windows=tuple(windows),
    )


def dump_policy(spec: PolicySpec) -> str:
    """The document for a spec, readable and in a stable order (parse_policy(dump_policy(s)) == s)."""
    doc = tomlkit.document()
    doc.add(tomlkit.comment("Inzage visibility policy. See docs/visibility.md for every setting."))
    doc.add("format", FORMAT_VERSION)
    if not spec.windows:
        # Every section is stated, also "no windows"; a top-level key must come before the first table.
        doc.add(tomlkit.comment("Calendar windows: none ([[windows]] tables replace this line)."))
        doc.add("windows", tomlkit.array())
    base = tomlkit.table()
    base.add(tomlkit.comment("Kinds each audience sees when no other rule decides."))
    base.add("students", sorted(spec.students))
    base.add("guardians", sorted(spec.guardians))
    doc.add("base", base)
    pub = tomlkit.table()
    pub.add(tomlkit.comment('Released items appear only at these times (school time), e.g. ["17:00"].'))
    pub.add("times", [t.strftime("%H:%M") for t in spec.publication.times])
    pub.add("school_days_only", spec.publication.school_days_only)
    pub.add("kinds", sorted(spec.publication.kinds))
    doc.add("publication", pub)
    sf = tomlkit.table()
    sf.add(tomlkit.comment("Guardians see these kinds N school days after the student, unless the student shares."))
    sf.add("school_days", spec.student_first.school_days)
    sf.add("kinds", sorted(spec.student_first.kinds))
    sf.add("share_opens_closed_window", spec.student_first.share_opens_closed_window)
    doc.add("student_first", sf)
    con = tomlkit.table()
    con.add(tomlkit.comment("model: at_18 (the law), from_16 or always; default_before_18: shared or not_shared."))
    con.add("model", spec.consent.model)
    con.add("default_before_18", "shared" if spec.consent.default_before_18 else "not_shared")
    doc.add("consent", con)
    staff = tomlkit.table()
    staff.add(tomlkit.comment("Kinds each staff role sees of the students it relates to."))
    for role in STAFF_ROLES:
        staff.add(role, sorted(spec.staff.get(role, frozenset())))
    doc.add("staff", staff)
    if spec.windows:
        aot = tomlkit.aot()
        for w in spec.windows:
            t = tomlkit.table()
            if w.label:
                t.add("label", w.label)
            t.add("audience", w.audience)
            t.add("effect", w.effect)
            t.add("kinds", sorted(w.kinds))
            if w.range:
                t.add("range", w.range)
            else:
                assert w.start is not None and w.end is not None
                t.add("start", w.start)
                t.add("end", w.end)
            if w.levels:
                t.add("levels", sorted(w.levels))
            if w.years:
                t.add("years", sorted(w.years))
            if w.classes:
                t.add("classes", sorted(w.classes))
            aot.append(t)
        doc.add("windows", aot)
    return tomlkit.dumps(doc)


def state_missing_sections(text: str) -> str:
    """The text with every section it leaves out stated explicitly, with the values that applied when it was
    written (the defaults of format 1). Pure; for versions stored before sections were required (a data
    migration) and for tests that are about one section. Raises PolicyError when the text is not TOML."""
    try:
        doc = tomlkit.parse(text)
    except ParseError as exc:
        raise PolicyError([f"line {exc.line}, column {exc.col}: {exc}"]) from exc
    defaults = tomlkit.parse(dump_policy(DEFAULT_POLICY))
    # Top-level keys must come before the first table: `format` and an empty `windows` go in front.
    head = "" if "format" in doc else f"format = {FORMAT_VERSION}\n"
    head += "" if "windows" in doc else "windows = []\n"
    tail = "".join(
        "\n" + tomlkit.dumps({section: defaults[section]})
        for section in SECTIONS
        if section != "windows" and section not in doc
    )
    if tail and text and not text.endswith("\n"):
        text += "\n"
    return head + text + tail
