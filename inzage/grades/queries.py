"""Reads of grades for staff pages. Every function takes what it needs explicitly (no globals, no "now")."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal
from fractions import Fraction

from django.db.models import (
    BooleanField,
    CharField,
    Exists,
    ExpressionWrapper,
    F,
    FloatField,
    OuterRef,
    Q,
    QuerySet,
    Sum,
)
from django.db.models.functions import Cast, Round

from inzage.grades.averages import (
    GradeItem,
    GradeRules,
    StudentAverages,
    YearRule,
    counts,
    period_weighted_mean,
    report_period_id,
    round_exact,
    weighted_totals,
)
from inzage.grades.models import Column, ColumnVersion, GradeSettings, Result, ResultVersion
from inzage.schools.models import Period


def results_of_columns(columns: Iterable[Column]) -> dict[tuple[int, int], Result]:
    """Existing results of the columns keyed by (column id, student id), in one query."""
    return {(r.column_id, r.student_id): r for r in Result.objects.filter(column__in=list(columns))}


def columns_of_group(group_id: int) -> QuerySet[Column]:
    """A teaching group's columns (retracted ones included, marked), with kind and period, by date."""
    return (
        Column.objects.filter(teaching_group_id=group_id)
        .select_related("kind", "period", "resit_of")
        .order_by("date", "code")
    )


def result_history(result: Result) -> QuerySet[ResultVersion]:
    """All versions of a result, oldest first, with who made them."""
    return ResultVersion.objects.filter(result=result).select_related("changed_by").order_by("version")


def column_history(column: Column) -> QuerySet[ColumnVersion]:
    """All versions of a column's settings, oldest first."""
    return ColumnVersion.objects.filter(column=column).select_related("changed_by").order_by("version")


def grade_items_by_student(results: QuerySet[Result]) -> dict[int, list[GradeItem]]:
    """The results of a queryset as averaging items per student, in two queries and without model instances.

    Pass a queryset the visibility policy has already narrowed for the viewer: averages are computed from exactly
    what it holds. The columns' facts are read once per column, not once per result (a class has ~200 columns and
    ~6,000 results: converting each result's column fields dominated the cost)."""
    rows = list(
        results.annotate(
            _retracted=ExpressionWrapper(Q(retracted_at__isnull=False), output_field=BooleanField()),
            # As text: Decimal(text) is exact and skips the backend's per-row converter (SQLite: float → Decimal).
            _value=Cast("value", CharField()),
        )
        .values_list("student_id", "column_id", "_value", "status", "_retracted")
        .order_by()
    )
    columns = {
        c[0]: c[1:]
        for c in Column.objects.filter(pk__in={r[1] for r in rows}).values_list(
            "pk",
            "subject_id",
            "period_id",
            "date",
            "weight",
            "exam_weight",
            "result_type",
            "resit_of_id",
            "resit_rule",
            "retracted_at",
            "resit_of__resit_of_id",
            # The first test of a chain (the original, or its original): a resit counts in its period, with its
            # weights. Joins rather than a second query, so the count stays the same whatever the chains.
            "resit_of__period_id",
            "resit_of__weight",
            "resit_of__exam_weight",
            "resit_of__resit_of__period_id",
            "resit_of__resit_of__weight",
            "resit_of__resit_of__exam_weight",
        )
    }
    out: dict[int, list[GradeItem]] = {}
    for student_id, column_id, value, status, retracted in rows:
        (subject_id, period_id, date, weight, exam_weight, result_type, resit_of_id, resit_rule, column_retracted,
         root_of_original, p1, w1, e1, p2, w2, e2) = columns[column_id]  # fmt: skip
        root_period, root_weight, root_exam = (p2, w2, e2) if root_of_original else (p1, w1, e1)
        out.setdefault(student_id, []).append(
            GradeItem(
                column_id=column_id,
                subject_id=subject_id,
                period_id=period_id,
                date=date,
                weight=weight,
                exam_weight=exam_weight,
                value=None if value is None else Decimal(value),
                status=status,
                result_type=result_type,
                resit_of_id=resit_of_id,
                resit_rule=resit_rule,
                retracted=bool(retracted) or column_retracted is not None,
                resit_root_id=root_of_original or resit_of_id,
                root_period_id=root_period,
                root_weight=root_weight,
                root_exam_weight=root_exam,
            )
        )
    return out


# Which results take part in an average (the database twin of `averages.counts`; a property test holds them together).
_COUNTS = Q(
    column__result_type=Column.ResultType.NUMBER,
    retracted_at__isnull=True,
    column__retracted_at__isnull=True,
    status=Result.Status.NORMAL,
    value__isnull=False,
)


def class_averages(
    results: QuerySet[Result],
    *,
    rounding: str = GradeSettings.Rounding.ONE_DECIMAL,
    rules: GradeRules | None = None,
) -> dict[int, StudentAverages]:
    """Every report grade and year average of every student in a queryset, in at most five queries, whatever its size.

    The same answers as `averages.student_averages` per student, by the school's `rules` (default: today's rule with
    `rounding`). Pass a queryset the visibility policy has already narrowed for the viewer. Results outside resit
    chains are summed by the database as exact integers (grades have one decimal, weights two: Σ round(10·grade) ×
    round(100·weight)); results in a chain (a resit, or an original that has resits) are combined in Python by the
    resit rule and counted in the first test's period, as `student_averages` does."""
    rules = rules or GradeRules.for_rounding(rounding)
    # The columns in resit chains, found among the (few) columns of the results, so the sums below exclude them by id
    # instead of asking per result row whether its column has resits.
    column_ids = set(results.order_by().values_list("column_id", flat=True).distinct())
    chain_ids = set(
        Column.objects.filter(pk__in=column_ids)
        .order_by()
        .filter(Q(resit_of__isnull=False) | Q(Exists(Column.objects.filter(resit_of_id=OuterRef("pk")))))
        .values_list("pk", flat=True)
    )
    weight100 = Round(F("column__weight") * 100)
    sums = (
        results.exclude(column_id__in=chain_ids)
        .values("student_id", "column__subject_id", "column__period_id")
        .annotate(
            s=Sum(Round(F("value") * 10) * weight100, filter=_COUNTS, output_field=FloatField()),
            w=Sum(weight100, filter=_COUNTS, output_field=FloatField()),
        )
        .order_by()
        .values_list("student_id", "column__subject_id", "column__period_id", "s", "w")
    )
    # Integer sums (tenths × hundredths) per (student, subject, period) and per (student, subject).
    per_period: dict[int, dict[tuple[int, int], list[int]]] = {}
    per_subject: dict[int, dict[int, list[int]]] = {}
    for student_id, subject_id, period_id, s, w in sums:
        s, w = round(s or 0), round(w or 0)  # integer-valued sums (floats on SQLite, numerics on PostgreSQL)
        per_period.setdefault(student_id, {})[(subject_id, period_id)] = [s, w]
        subject = per_subject.setdefault(student_id, {}).setdefault(subject_id, [0, 0])
        subject[0] += s
        subject[1] += w
    # Results in resit chains, combined by the resit rule per group exactly as student_averages groups them: per
    # (subject, period of the first test) for report grades, per subject for the year average. Decimal sums.
    chain_period: dict[int, dict[tuple[int, int], tuple[Decimal, Decimal]]] = {}
    chain_subject: dict[int, dict[int, tuple[Decimal, Decimal]]] = {}
    chain_items = grade_items_by_student(results.filter(column_id__in=chain_ids)) if chain_ids else {}
    for student_id, items in chain_items.items():
        by_period: dict[tuple[int, int], list[GradeItem]] = {}
        by_subject: dict[int, list[GradeItem]] = {}
        for item in items:
            group = by_period.setdefault((item.subject_id, report_period_id(item)), [])
            subject_group = by_subject.setdefault(item.subject_id, [])
            if counts(item):
                group.append(item)
                subject_group.append(item)
        chain_period[student_id] = {key: weighted_totals(group) for key, group in by_period.items()}
        chain_subject[student_id] = {key: weighted_totals(group) for key, group in by_subject.items()}
    report_decimals = 0 if rules.report_rounding == GradeSettings.Rounding.WHOLE else 1
    by_periods = rules.year_rule == YearRule.PERIOD_WEIGHTS
    # Period weights have at most two decimals (`parse_period_weights`): as integer hundredths.
    period_weight100 = {p: int(w * 100) for p, w in rules.period_weights.items()} if by_periods else {}

    def rounded(sums: list[int] | None, chain: tuple[Decimal, Decimal] | None, decimals: int) -> Decimal | None:
        s, w = sums if sums is not None else (0, 0)
        if chain is None:
            # Exact: the mean is s / (10·w); half-up to d decimals is floor((2·s·10^d + 10·w) / (20·w)).
            if w == 0:
                return None
            return Decimal((2 * s * 10**decimals + 10 * w) // (20 * w)).scaleb(-decimals)
        exact = mean(sums, chain)
        return None if exact is None else round_exact(exact, decimals)

    def mean(sums: list[int] | None, chain: tuple[Decimal, Decimal] | None) -> Fraction | None:
        s, w = sums if sums is not None else (0, 0)
        total = Fraction(s, 1000) + Fraction(chain[0] if chain else 0)
        weight = Fraction(w, 100) + Fraction(chain[1] if chain else 0)
        return None if weight == 0 else total / weight

    out: dict[int, StudentAverages] = {}
    for student_id in per_period.keys() | chain_period.keys():
        periods, subjects = per_period.get(student_id, {}), per_subject.get(student_id, {})
        c_periods, c_subjects = chain_period.get(student_id, {}), chain_subject.get(student_id, {})
        period_keys = periods.keys() | c_periods.keys()
        if by_periods:
            years = {}
            chained = {key[0] for key in c_periods}
            plain: dict[int, list[tuple[int, int, int]]] = {}
            means: dict[int, dict[int, Fraction | None]] = {}
            for key in period_keys:
                if key[0] in chained:
                    means.setdefault(key[0], {})[key[1]] = mean(periods.get(key), c_periods.get(key))
                else:
                    s, w = periods[key]
                    plain.setdefault(key[0], []).append((s, w, period_weight100.get(key[1], 0)))
            for subject_id, parts in plain.items():
                years[subject_id] = _period_weighted_rounded(parts, rules.decimals)
            for subject_id, subject_means in means.items():
                exact = period_weighted_mean(subject_means, rules.period_weights)
                years[subject_id] = None if exact is None else round_exact(exact, rules.decimals)
        else:
            years = {
                k: rounded(subjects.get(k), c_subjects.get(k), rules.decimals)
                for k in subjects.keys() | c_subjects.keys()
            }
        out[student_id] = StudentAverages(
            report_grades={k: rounded(periods.get(k), c_periods.get(k), report_decimals) for k in period_keys},
            year_averages=years,
        )
    return out


def _period_weighted_rounded(parts: list[tuple[int, int, int]], decimals: int) -> Decimal | None:
    """The year average from period sums without resit chains, exactly in integers (no Fraction: 3× faster on a
    class). `parts`: per period (s, w, period weight × 100) with the period mean s / (10·w). The weighted mean
    Σ pw·s/(10w) / Σ pw is kept as N / (D·PW) and rounded half-up as floor((2·N·10^d + D·PW) / (2·D·PW))."""
    numerator, denominator, total_weight = 0, 1, 0
    for s, w, pw in parts:
        if w == 0 or pw <= 0:
            continue  # no mean in that period, or a period that does not count
        numerator = numerator * 10 * w + pw * s * denominator
        denominator *= 10 * w
        total_weight += pw
    if total_weight == 0:
        return None
    scaled = 2 * numerator * 10**decimals + denominator * total_weight
    return Decimal(scaled // (2 * denominator * total_weight)).scaleb(-decimals)


def grade_rules(school_id: int) -> GradeRules:
    """The school's grade rules (`GradeSettings`, defaults without a row), period weights by period id. One query,
    two with the period-weights rule (the school's periods)."""
    settings = GradeSettings.objects.filter(school_id=school_id).first()
    if settings is None:
        return GradeRules()
    weights: dict[int, Decimal] = {}
    if settings.year_average_rule == YearRule.PERIOD_WEIGHTS:
        by_number = settings.period_weights_by_number()
        for period_id, number in Period.objects.filter(school_id=school_id).values_list("pk", "number"):
            weights[period_id] = by_number.get(number, Decimal(0))
    return GradeRules(
        report_rounding=settings.report_rounding,
        year_rule=settings.year_average_rule,
        period_weights=weights,
        decimals=settings.average_decimals,
        not_counting=settings.not_counting_rule,
    )


def result_versions_of(wanted: Mapping[int, int]) -> dict[int, ResultVersion]:
    """One given version of each result (result id → version number) in one query; a missing one is left out."""
    if not wanted:
        return {}
    rows = ResultVersion.objects.filter(result_id__in=list(wanted), version__in=set(wanted.values()))
    return {v.result_id: v for v in rows if wanted[v.result_id] == v.version}
