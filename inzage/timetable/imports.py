"""CSV import of the weekly pattern (lesrooster) for the administrator: decode → check (every line, a preview) →
apply (`actions.pattern_import_apply`, all-or-nothing).

Format: one lesson a line, fields separated by `;`, tab or `,` (whichever the first line uses most):

    klas/groep;dag;lesuur;vak;docentcode;lokaal;week;geldig vanaf;geldig tot
    h3a-wi;ma;1;wi;JAN;B104;;;
    H3A;wo;3;en;PIE;A201;A;01-09-2025;31-01-2026

- klas/groep: a teaching group's name, or a class name, meaning that class's teaching group for the subject (the
  group of the subject whose students are in the class);
- dag: ma, di, wo, do, vr (or maandag … vrijdag, or 1–5); lesuur: the number of a lesson hour on that day;
- vak: the subject code (must be the group's subject); docentcode: the teacher's code; lokaal: a room code (empty:
  no room; an unknown code is a new room, listed in the preview);
- week: empty (every week), A or B; geldig vanaf/tot: dd-mm-jjjj (or jjjj-mm-dd), inclusive, inside the school year;
  empty: from today (or the year's first day, if later) to the year's last day. "Geldig vanaf" cannot lie in the past:
  lessons already given stay as they were.

The first line may be a header (its first field is "klas", "groep", "klas/groep" or "lesgroep"). Fewer than five
fields is an error, and so is a line with more fields than the header (or, without a header, more than nine): data
beyond them is never cut off without a word. Empty fields at the end of a line (Excel's trailing `;;`) hold nothing
and do not count. Clashes are errors too: a teacher, room or group twice in the same hour of the same week within
overlapping dates, within the file or with the pattern of groups the file does not name.

The file replaces the pattern of every group it names from that group's earliest "geldig vanaf".

Encodings: whatever Excel saves (`inzage.web.csvfiles.csv_decode`, the view's job): UTF-8 with or without a BOM,
UTF-16 ("Unicode-tekst", tab-separated) and Windows-1252 ("CSV" on Dutch Windows). A NUL character in the text
(UTF-16 without a BOM) is an error on its line.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from inzage.people.models import Staff
from inzage.schools.models import ClassMembership, SchoolClass, SchoolYear, Subject, TeachingGroup
from inzage.timetable.models import PatternEntry, Room, Slot, Weekday
from inzage.web.csvfiles import DELIMITER_NAMES, csv_delimiter, nul_character

MAX_BYTES = 2_000_000
MAX_LINES = 20_000
MAX_ERRORS_SHOWN = 200
FIELDS = 9
MIN_FIELDS = 5
HEADER_WORDS = {"klas", "groep", "klas/groep", "lesgroep"}
DAYS = {
    "ma": 1, "maandag": 1, "1": 1, "di": 2, "dinsdag": 2, "2": 2, "wo": 3, "woensdag": 3, "3": 3,
    "do": 4, "donderdag": 4, "4": 4, "vr": 5, "vrijdag": 5, "5": 5,
}  # fmt: skip
_DUTCH_DATE = re.compile(r"^(\d{1,2})-(\d{1,2})-(\d{4})$")
_ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")


@dataclass(frozen=True)
class LineError:
    """One refused line: its number in the file (1-based, the header counts), the field, and a Dutch message."""

    line: int
    field: str
    message: str


@dataclass(frozen=True)
class PatternLine:
    line: int
    group_id: int
    weekday: int
    slot_number: int
    teacher_id: int
    room_code: str
    week: str
    valid_from: dt.date
    valid_until: dt.date


@dataclass
class PatternCheck:
    """What applying the text would do. Any error → nothing may be stored."""

    lines: list[PatternLine] = field(default_factory=list)
    errors: list[LineError] = field(default_factory=list)
    groups: dict[int, str] = field(default_factory=dict)  # the groups the file names (their pattern is replaced)
    new_rooms: list[str] = field(default_factory=list)
    cut: dict[int, dt.date] = field(default_factory=dict)  # per named group: from when the file's pattern applies
    ending: int = 0  # current entries of the named groups that end or are replaced
    delimiter: str = ";"

    @property
    def ok(self) -> bool:
        return not self.errors and bool(self.lines)

    @property
    def delimiter_name(self) -> str:
        """The delimiter in words, for the preview."""
        return str(DELIMITER_NAMES.get(self.delimiter, self.delimiter))


def _parse_date(text: str) -> dt.date | None:
    match = _DUTCH_DATE.match(text)
    try:
        if match:
            return dt.date(int(match[3]), int(match[2]), int(match[1]))
        match = _ISO_DATE.match(text)
        if match:
            return dt.date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        return None
    return None


def _weeks_overlap(a: str, b: str) -> bool:
    return not a or not b or a == b


@dataclass
class _Lookups:
    """The school year's groups, classes, subjects, teachers, rooms and hours, loaded once (a few queries)."""

    groups: dict[str, tuple[int, str, str]]  # lower name → (pk, name, subject code)
    classes: dict[str, int]  # lower name → class pk
    subjects: set[str]
    staff: dict[str, int]  # upper code → staff pk
    rooms: dict[str, str]  # upper code → code as stored
    slots: set[tuple[int, int]]
    class_groups: dict[tuple[int, str], list[int]] = field(default_factory=dict)  # (class, subject) → groups

    @classmethod
    def load(cls, school_year: SchoolYear) -> _Lookups:
        school_id = school_year.school_id
        return cls(
            groups={
                name.lower(): (pk, name, code)
                for pk, name, code in TeachingGroup.objects.filter(school_year=school_year).values_list(
                    "pk", "name", "subject__code"
                )
            },
            classes={
                name.lower(): pk
                for pk, name in SchoolClass.objects.filter(school_year=school_year).values_list("pk", "name")
            },
            subjects={c.lower() for c in Subject.objects.filter(school_id=school_id).values_list("code", flat=True)},
            staff={c.upper(): pk for pk, c in Staff.objects.filter(school_id=school_id).values_list("pk", "code")},
            rooms={c.upper(): c for c in Room.objects.filter(school_id=school_id).values_list("code", flat=True)},
            slots=set(Slot.objects.filter(school_year=school_year).values_list("weekday", "number")),
        )

    def class_group(self, school_year: SchoolYear, class_pk: int, subject: str) -> list[int]:
        """The class's teaching groups of a subject: groups of that subject with students of the class (loaded once
        per class)."""
        if (class_pk, "") not in self.class_groups:
            students = ClassMembership.objects.filter(school_class_id=class_pk).values("student_id")
            found: dict[str, set[int]] = {}
            for pk, code in (
                TeachingGroup.students.through.objects.filter(
                    student_id__in=students, teachinggroup__school_year=school_year
                )
                .values_list("teachinggroup_id", "teachinggroup__subject__code")
                .distinct()
            ):
                found.setdefault(code.lower(), set()).add(pk)
            for code, pks in found.items():
                self.class_groups[(class_pk, code)] = sorted(pks)
            self.class_groups[(class_pk, "")] = []
        return self.class_groups.get((class_pk, subject), [])


def pattern_check(*, school_year: SchoolYear, text: str, today: dt.date) -> PatternCheck:
    """Read and check every line of the text against the school year (nothing is written)."""
    check = PatternCheck()
    text = text.removeprefix("\ufeff")  # a pasted UTF-8 file's BOM
    nul = nul_character(text)
    if nul is not None:
        check.errors.append(LineError(nul.line, "", nul.message))
        return check
    raw_lines = text.splitlines()
    if len(raw_lines) > MAX_LINES:
        check.errors.append(
            LineError(
                MAX_LINES + 1,
                "",
                _("Te veel regels (ten hoogste %(n)d). Splits het bestand, bijvoorbeeld per leerjaar.")
                % {"n": MAX_LINES},
            )
        )
        return check
    first = next((line for line in raw_lines if line.strip()), "")
    delimiter = check.delimiter = csv_delimiter(first)
    look = _Lookups.load(school_year)
    default_from = max(school_year.start, today)
    try:
        records = list(csv.reader(raw_lines, delimiter=delimiter, strict=True))
    except csv.Error as err:
        check.errors.append(LineError(0, "", _("Het bestand is geen geldige CSV (%(error)s).") % {"error": err}))
        return check
    new_rooms: dict[str, str] = {}
    header_width = 0
    for number, record in enumerate(records, start=1):
        values = [v.strip() for v in record]
        while values and not values[-1]:
            values.pop()  # trailing empty fields hold nothing: not counted, nothing is lost
        if not values:
            continue
        if number == 1 and values[0].lower() in HEADER_WORDS:
            header_width = len(values)
            continue
        errors_before = len(check.errors)

        def error(field_name: str, message: str, number: int = number) -> None:
            check.errors.append(LineError(number, field_name, message))

        if header_width and len(values) > header_width:
            error(
                "",
                _("Deze regel heeft %(n)d velden, de kopregel %(h)d. Staat er een %(d)s te veel, of een in een waarde?")
                % {"n": len(values), "h": header_width, "d": DELIMITER_NAMES[delimiter]},
            )
            continue
        if len(values) > FIELDS:
            error(
                "",
                _("%(n)d velden; een regel heeft er ten hoogste %(max)d.") % {"n": len(values), "max": FIELDS},
            )
            continue
        if len(values) < MIN_FIELDS:
            error(
                "",
                _("%(n)d velden; nodig zijn klas/groep, dag, lesuur, vak en docentcode (gescheiden door een %(d)s).")
                % {"n": len(values), "d": DELIMITER_NAMES[delimiter]},
            )
            continue
        values += [""] * (FIELDS - len(values))
        who, day_text, hour_text, subject, teacher_code, room_code, week, from_text, until_text = values
        subject = subject.lower()
        group_id = 0
        if not subject:
            error(_("vak"), _("Vul de vakcode in."))
        elif subject not in look.subjects:
            error(_("vak"), _("Onbekende vakcode „%(code)s”.") % {"code": subject})
        found = look.groups.get(who.lower())
        if not who:
            error(_("klas/groep"), _("Vul een klas of lesgroep in."))
        elif found is not None:
            group_id = found[0]
            if subject and subject in look.subjects and found[2].lower() != subject:
                error(
                    _("vak"),
                    _("Lesgroep %(group)s heeft vak %(has)s, niet %(code)s.")
                    % {"group": found[1], "has": found[2], "code": subject},
                )
        elif who.lower() in look.classes:
            if subject in look.subjects:
                candidates = look.class_group(school_year, look.classes[who.lower()], subject)
                if len(candidates) == 1:
                    group_id = candidates[0]
                elif not candidates:
                    error(
                        _("klas/groep"),
                        _("Klas %(klas)s heeft geen lesgroep voor %(code)s.") % {"klas": who, "code": subject},
                    )
                else:
                    error(
                        _("klas/groep"),
                        _("Klas %(klas)s heeft meer lesgroepen voor %(code)s: noem de lesgroep.")
                        % {"klas": who, "code": subject},
                    )
        else:
            error(_("klas/groep"), _("Onbekende klas of lesgroep „%(name)s”.") % {"name": who})
        weekday = DAYS.get(day_text.lower(), 0)
        if not weekday:
            error(_("dag"), _("„%(day)s” is geen schooldag: ma, di, wo, do of vr.") % {"day": day_text})
        slot = int(hour_text) if hour_text.isdigit() and len(hour_text) < 4 else 0
        if not slot:
            error(_("lesuur"), _("„%(hour)s” is geen lesuur: een getal, bijvoorbeeld 3.") % {"hour": hour_text})
        elif weekday and (weekday, slot) not in look.slots:
            error(
                _("lesuur"),
                _("Er is geen %(hour)de uur op %(day)s in dit schooljaar.")
                % {"hour": slot, "day": Weekday(weekday).label},
            )
        teacher_id = look.staff.get(teacher_code.upper(), 0)
        if not teacher_id:
            error(
                _("docentcode"),
                _("Onbekende docentcode „%(code)s”.") % {"code": teacher_code}
                if teacher_code
                else _("Vul de docentcode in."),
            )
        room = ""
        if room_code:
            if len(room_code) > 16:
                error(_("lokaal"), _("Een lokaalcode heeft ten hoogste 16 tekens."))
            else:
                room = look.rooms.get(room_code.upper()) or new_rooms.setdefault(room_code.upper(), room_code)
        week = week.upper()
        if week not in ("", "A", "B"):
            error(_("week"), _("„%(week)s”: laat leeg (elke week) of vul A of B in.") % {"week": week})
        valid_from = _parse_date(from_text) if from_text else default_from
        valid_until = _parse_date(until_text) if until_text else school_year.end
        for label, value, given in (
            (_("geldig vanaf"), valid_from, from_text),
            (_("geldig tot"), valid_until, until_text),
        ):
            if value is None:
                error(label, _("„%(date)s” is geen datum: schrijf dd-mm-jjjj.") % {"date": given})
            elif not school_year.start <= value <= school_year.end:
                error(
                    label,
                    _("%(date)s ligt buiten schooljaar %(year)s (%(start)s t/m %(end)s).")
                    % {
                        "date": f"{value:%d-%m-%Y}",
                        "year": school_year.name,
                        "start": f"{school_year.start:%d-%m-%Y}",
                        "end": f"{school_year.end:%d-%m-%Y}",
                    },
                )
        if valid_from is not None and from_text and valid_from < today and school_year.start <= valid_from:
            error(
                _("geldig vanaf"),
                _("%(date)s ligt in het verleden: gegeven lessen blijven zoals ze waren. Kies vandaag of later.")
                % {"date": f"{valid_from:%d-%m-%Y}"},
            )
        if valid_from is not None and valid_until is not None and valid_until < valid_from:
            error(_("geldig tot"), _("De laatste dag ligt vóór de eerste."))
        if len(check.errors) == errors_before:
            assert valid_from is not None and valid_until is not None
            check.lines.append(
                PatternLine(number, group_id, weekday, slot, teacher_id, room, week, valid_from, valid_until)
            )
    check.new_rooms = sorted(new_rooms.values())
    if not check.lines and not check.errors:
        check.errors.append(LineError(1, "", _("Er staat geen enkele les in.")))
    if check.errors:
        return check
    _check_clashes(check, school_year=school_year, look=look)
    return check


def _check_clashes(check: PatternCheck, *, school_year: SchoolYear, look: _Lookups) -> None:
    """A teacher, room or group twice in one hour of one week on overlapping dates: in the file, or with the pattern
    that stays (groups the file does not name)."""
    names = {pk: name for pk, name, _code in look.groups.values()}
    staff_codes = {pk: code for code, pk in look.staff.items()}
    for line in check.lines:
        check.groups.setdefault(line.group_id, names.get(line.group_id, ""))
        cut = check.cut.get(line.group_id)
        check.cut[line.group_id] = line.valid_from if cut is None else min(cut, line.valid_from)
    # (what, weekday, slot) → [(week, from, until, where)]
    taken: dict[tuple[str, object, int, int], list[tuple[str, dt.date, dt.date, str]]] = {}
    kept = PatternEntry.objects.filter(school_year=school_year, superseded_by__isnull=True).values_list(
        "group_id", "weekday", "slot_number", "teacher_id", "room__code", "week", "valid_from", "valid_until"
    )
    ending = 0
    key: tuple[str, object, int, int]
    for group_id, weekday, slot, teacher_id, room_code, week, start, end in kept:
        if group_id in check.cut:
            ending += end >= check.cut[group_id]
            end = min(end, check.cut[group_id] - dt.timedelta(days=1))
            if end < start:
                continue
        where = _("het rooster van %(group)s dat blijft") % {"group": names.get(group_id, "?")}
        for key in (("t", teacher_id, weekday, slot), ("r", (room_code or "").upper(), weekday, slot)):
            if key[1]:
                taken.setdefault(key, []).append((week, start, end, where))
        taken.setdefault(("g", group_id, weekday, slot), []).append((week, start, end, where))
    check.ending = ending
    for line in check.lines:
        where = _("regel %(n)d") % {"n": line.line}
        checks: list[tuple[str, object, str]] = [
            ("t", line.teacher_id, _("docentcode")),
            ("r", line.room_code.upper(), _("lokaal")),
            ("g", line.group_id, _("klas/groep")),
        ]
        for kind, value, field_name in checks:
            if not value:
                continue
            key = (kind, value, line.weekday, line.slot_number)
            for week, start, end, other in taken.get(key, []):
                if _weeks_overlap(week, line.week) and start <= line.valid_until and line.valid_from <= end:
                    what = {
                        "t": _("Docent %(x)s") % {"x": staff_codes.get(line.teacher_id, "")},
                        "r": _("Lokaal %(x)s") % {"x": line.room_code},
                        "g": _("Lesgroep %(x)s") % {"x": names.get(line.group_id, "")},
                    }[kind]
                    check.errors.append(
                        LineError(
                            line.line,
                            field_name,
                            _("%(what)s heeft op %(day)s het %(hour)de uur al les (%(other)s).")
                            % {
                                "what": what,
                                "day": Weekday(line.weekday).label,
                                "hour": line.slot_number,
                                "other": other,
                            },
                        )
                    )
                    break
            taken.setdefault(key, []).append((line.week, line.valid_from, line.valid_until, where))
    check.errors.sort(key=lambda e: e.line)
