"""Writes of the visibility package: policy versions, overrides, consent, shares and information requests.

Every action is keyword-only; its docstring says what the caller must have checked. Nothing is deleted: overrides are
revoked, consent is a new row, policy changes are new versions.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from inzage.accounts.models import User
from inzage.people.models import Guardian, GuardianRelation, Student
from inzage.schools.models import CalendarRange, Level, School, SchoolClass
from inzage.visibility.kinds import ALL_KINDS
from inzage.visibility.models import Consent, InformationRequest, Override, PolicyVersion, Share
from inzage.visibility.policy.document import PolicyError, PolicySpec, parse_policy
from inzage.visibility.policy.facts import active_policy
from inzage.visibility.policy.impact import PolicyImpact, policy_impact


class PolicyNeedsConfirmation(PolicyError):
    """The activation lets people see more than before: the caller must show `impact` and get a confirmation."""

    def __init__(self, impact: PolicyImpact) -> None:
        super().__init__(
            ["Dit beleid laat mensen meer zien dan nu: " + "; ".join(impact.gain_lines_nl()) + ". Bevestig dat."]
        )
        self.impact = impact


def _names(values: Iterable[object]) -> str:
    return ", ".join(f'"{v}"' for v in sorted(values, key=str))


def policy_check(*, school: School, text: str) -> PolicySpec:
    """Parse a document and check its names against the school: classes, levels, years of those levels and
    calendar range codes must exist (a typo would otherwise make a closing window close nothing). Raises
    PolicyError with a Dutch message per unknown name."""
    if not any(line.strip() and not line.strip().startswith("#") for line in text.splitlines()):
        raise PolicyError(["Het beleid is leeg: vul het hele beleid in (begin met het huidige beleid)."])
    spec = parse_policy(text)
    codes = set(CalendarRange.objects.filter(school=school).values_list("code", flat=True))
    levels = dict(Level.objects.filter(school=school).values_list("code", "years"))
    classes = set(SchoolClass.objects.filter(school_year__school=school).values_list("name", flat=True))
    errors: list[str] = []
    for i, w in enumerate(spec.windows):
        where = f"windows[{i}]"
        if w.range and w.range not in codes:
            known = f" (bestaande codes: {_names(codes)})" if codes else " (de schoolkalender heeft nog geen periodes)"
            errors.append(f'{where}.range: "{w.range}" is geen kalenderperiode van deze school{known}')
        unknown_levels = w.levels - set(levels)
        if unknown_levels:
            errors.append(
                f"{where}.levels: onbekend niveau {_names(unknown_levels)} (niveaus van deze school: "
                f"{_names(levels) or 'geen'})"
            )
        scoped = [code for code in w.levels if code in levels] or list(levels)
        most = max((levels[code] for code in scoped), default=0)
        missing_years = sorted(y for y in w.years if y > most)
        if missing_years:
            within = f"bij {_names(scoped)}" if w.levels else "bij geen niveau van deze school"
            errors.append(
                f"{where}.years: leerjaar {', '.join(map(str, missing_years))} bestaat niet {within} "
                f"(hoogste leerjaar: {most})"
            )
        unknown_classes = w.classes - classes
        if unknown_classes:
            errors.append(f"{where}.classes: onbekende klas {_names(unknown_classes)}; geen klas van deze school")
    if errors:
        raise PolicyError(errors)
    return spec


def _check_activation(*, school_id: int, spec: PolicySpec, at: dt.datetime, confirmed: bool) -> None:
    # Fail closed on activation: an unchanged policy is refused with a reason, and one that opens data to anyone
    # needs the confirmation of someone who saw how many people gain what.
    current = active_policy(school_id)
    if spec == current:
        raise PolicyError(["Dit beleid is gelijk aan het beleid dat nu geldt: er is niets te activeren."])
    impact = policy_impact(school_id=school_id, current=current, draft=spec, at=at)
    if impact.opens and not confirmed:
        raise PolicyNeedsConfirmation(impact)


def policy_version_create(
    *,
    school: School,
    text: str,
    created_by: User | None,
    at: dt.datetime,
    note: str = "",
    activate: bool = False,
    confirmed: bool = False,
) -> PolicyVersion:
    """Store a new (draft or active) version of the school's policy. Caller checked the user is an administrator
    and, for `confirmed`, that the user saw the counts of `policy_impact` and confirmed them.

    Raises PolicyError (nothing stored) when the document is invalid, or when activating it would change nothing;
    PolicyNeedsConfirmation when activating it lets anyone see more and `confirmed` is false.
    """
    spec = policy_check(school=school, text=text)
    if activate:
        _check_activation(school_id=school.pk, spec=spec, at=at, confirmed=confirmed)
    # The number is computed from the existing versions: lock the school's versions so two admins saving at once
    # get distinct numbers (the unique constraint would otherwise reject one of them).
    with transaction.atomic():
        list(PolicyVersion.objects.select_for_update().filter(school=school).values_list("pk", flat=True))
        number = (PolicyVersion.objects.filter(school=school).aggregate(n=Max("number"))["n"] or 0) + 1
        return PolicyVersion.objects.create(
            school=school,
            number=number,
            text=text,
            note=note,
            created_at=at,
            created_by=created_by,
            activated_at=at if activate else None,
            activated_by=created_by if activate else None,
        )


def policy_version_activate(
    *, version: PolicyVersion, activated_by: User | None, at: dt.datetime, confirmed: bool = False
) -> PolicyVersion:
    """Put a stored version in force. Caller checked the user is an administrator of the version's school, and for
    `confirmed` as in `policy_version_create`. Same refusals as `policy_version_create`.

    Activating an older version again stores it as a new version, so "the latest activated" stays the one in force
    and the history shows the roll-back.
    """
    spec = policy_check(school=version.school, text=version.text)
    newest = PolicyVersion.objects.filter(school_id=version.school_id).aggregate(n=Max("number"))["n"]
    if version.activated_at is not None or version.number != newest:
        return policy_version_create(
            school=version.school,
            text=version.text,
            created_by=activated_by,
            at=at,
            note=f"v{version.number} opnieuw geactiveerd",
            activate=True,
            confirmed=confirmed,
        )
    _check_activation(school_id=version.school_id, spec=spec, at=at, confirmed=confirmed)
    version.activated_at = at
    version.activated_by = activated_by
    version.save(update_fields=["activated_at", "activated_by"])
    return version


def override_create(
    *,
    student: Student,
    guardian: Guardian | None,
    effect: str,
    kinds: Iterable[str],
    starts_on: dt.date,
    until: dt.date | None,
    reason: str,
    created_by: User,
    at: dt.datetime,
) -> Override:
    """Open or close kinds for a guardian (None: all guardians) of the student. Caller checked the user is the
    student's mentor or coordinator (`may_manage_overrides`). Bad input raises ValidationError with a Dutch message
    per field (nothing stored)."""
    kinds = sorted(set(kinds))
    errors: dict[str, str] = {}
    if not kinds or not set(kinds) <= ALL_KINDS:
        errors["kinds"] = _("Kies ten minste één soort gegevens.")
    if effect not in (Override.Effect.OPEN, Override.Effect.CLOSE):
        errors["effect"] = _("Kies open of dicht.")
    if not reason.strip():
        errors["reason"] = _("Geef een reden: de leerling ziet hem bij de afspraak.")
    if guardian is not None and not GuardianRelation.objects.filter(guardian=guardian, student=student).exists():
        errors["guardian"] = _("Deze ouder of verzorger hoort niet bij deze leerling.")
    if until is not None and until < starts_on:
        errors["until"] = _("De einddatum ligt vóór de begindatum.")
    if errors:
        raise ValidationError(errors)
    return Override.objects.create(
        school_id=student.school_id,
        student=student,
        guardian=guardian,
        effect=effect,
        kinds=kinds,
        starts_on=starts_on,
        until=until,
        reason=reason.strip(),
        created_at=at,
        created_by=created_by,
    )


def override_revoke(*, override: Override, revoked_by: User, at: dt.datetime) -> Override:
    """End an override now (kept for history). Caller checked the user may manage the student's overrides."""
    if override.revoked_at is None:
        override.revoked_at = at
        override.revoked_by = revoked_by
        override.save(update_fields=["revoked_at", "revoked_by"])
    return override


def consent_record(
    *, student: Student, guardian: Guardian, kinds: Iterable[str], granted: bool, recorded_by: User, at: dt.datetime
) -> list[Consent]:
    """Record the student's choice for one guardian and kinds. Caller checked the user is the student."""
    kinds = sorted(set(kinds))
    if not set(kinds) <= ALL_KINDS:
        raise ValueError("unknown data kind")
    # One choice covering several kinds is one decision: all rows or none.
    with transaction.atomic():
        return [
            Consent.objects.create(
                school_id=student.school_id,
                student=student,
                guardian=guardian,
                kind=kind,
                granted=granted,
                recorded_at=at,
                recorded_by=recorded_by,
            )
            for kind in kinds
        ]


def share_create(*, student: Student, kind: str, item_id: int, shared_by: User, at: dt.datetime) -> Share:
    """ "Laat mijn ouders dit zien": share one item with the guardians now. Caller checked the user is the student
    and the item is the student's own and visible to them."""
    share, _ = Share.objects.get_or_create(
        student=student,
        kind=kind,
        item_id=item_id,
        defaults={"school_id": student.school_id, "shared_at": at, "shared_by": shared_by},
    )
    return share


def information_request_create(
    *, relation: GuardianRelation, kinds: Iterable[str], requested_on: dt.date
) -> InformationRequest:
    """Record a request for information by a guardian without custody. Caller checked the relation is theirs."""
    return InformationRequest.objects.create(
        school_id=relation.school_id, relation=relation, kinds=sorted(set(kinds)), requested_on=requested_on
    )


def information_request_decide(
    *,
    request: InformationRequest,
    granted: bool,
    reason: str,
    custodial_parent_told_on: dt.date | None,
    decided_by: User,
    at: dt.datetime,
) -> InformationRequest:
    """Grant or refuse a request. Caller checked the user is a coordinator or administrator of the school.

    A refusal needs a reason (law); a grant takes effect only once the custodial parent was told.
    """
    if not granted and not reason.strip():
        raise ValueError("a refusal needs a reason")
    request.status = InformationRequest.Status.GRANTED if granted else InformationRequest.Status.REFUSED
    request.reason = reason.strip()
    request.custodial_parent_told_on = custodial_parent_told_on
    request.decided_at = at
    request.decided_by = decided_by
    request.save()
    return request


def information_request_told(
    *, request: InformationRequest, told_on: dt.date, recorded_by: User, at: dt.datetime
) -> InformationRequest:
    """Record, after a grant, the day the custodial parent was told; from then the grant counts. Caller checked the
    user may handle the student's requests, and that `told_on` lies between the request date and today.

    Raises ValueError when the request is not granted, already has a told date, or `told_on` is before the request.
    """
    with transaction.atomic():  # re-read under a lock: two people recording at once must not overwrite each other
        current = InformationRequest.objects.select_for_update().get(pk=request.pk)
        if current.status != InformationRequest.Status.GRANTED or current.custodial_parent_told_on is not None:
            raise ValueError("only a granted request without a told date can get one")
        if told_on < current.requested_on:
            raise ValueError("told before the request was made")
        current.custodial_parent_told_on = told_on
        current.told_recorded_at = at
        current.told_recorded_by = recorded_by
        current.save(update_fields=["custodial_parent_told_on", "told_recorded_at", "told_recorded_by"])
    return current
