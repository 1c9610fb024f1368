"""The demo extension hook: other packages add their own demo data after the core school exists.

Each module named here may define

    seed_demo_data(*, school: School, rng: random.Random, today: datetime.date) -> None

`seed_demo` imports every module that exists and calls the function, in this order, each with its own random
generator derived from the seed and the module name (so adding an extension does not change another's data).
A module that does not exist (yet) is skipped; an import error inside an existing module is raised, not hidden.
"""

from __future__ import annotations

import datetime as dt
import importlib
import random
import time
from collections.abc import Callable
from types import ModuleType

from inzage.schools.models import School

DEMO_EXTENSIONS = [
    "inzage.grades.demo",
    "inzage.visibility.demo",
    "inzage.care.demo",
    "inzage.reports.demo",
    "inzage.accounts.demo",
    # The timetable's lessons first: attendance registers the past ones (and creates none itself).
    "inzage.timetable.demo",
    "inzage.attendance.demo",
]


def _import_if_present(name: str) -> ModuleType | None:
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as error:
        # Only "this module is not there" means skip; a missing import *inside* the module is a real error.
        if error.name is not None and (name == error.name or name.startswith(error.name + ".")):
            return None
        raise


def extension_rng(seed: int, name: str) -> random.Random:
    """A generator per extension: deterministic for (seed, module name)."""
    return random.Random(f"{seed}:{name}")


def extensions_run(
    *, school: School, seed: int, today: dt.date, out: Callable[[str], None], names: list[str] | None = None
) -> list[tuple[str, float | None]]:
    """Run every present extension; returns (module, seconds or None when skipped). Caller holds the transaction."""
    timings: list[tuple[str, float | None]] = []
    for name in DEMO_EXTENSIONS if names is None else names:
        module = _import_if_present(name)
        hook = getattr(module, "seed_demo_data", None) if module else None
        if hook is None:
            out(f"  {name}: overgeslagen (niet aanwezig)")
            timings.append((name, None))
            continue
        started = time.perf_counter()
        hook(school=school, rng=extension_rng(seed, name), today=today)
        seconds = time.perf_counter() - started
        out(f"  {name}: {seconds:.1f} s")
        timings.append((name, seconds))
    return timings
