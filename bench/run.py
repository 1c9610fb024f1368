"""`make bench`: run every benchmark module in bench/ and print one line per figure: `NAME VALUE UNIT`.

A benchmark module is `bench/bench_<area>.py` with a function `run() -> list[tuple[str, float, str]]`.
Each module runs in its own fresh process and database (a SQLite file under var/bench/ unless DATABASE_URL is set),
so one benchmark's data cannot skew another's.
"""

from __future__ import annotations

import importlib
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    only = sys.argv[1:]
    modules = sorted(p.stem for p in (ROOT / "bench").glob("bench_*.py"))
    if only:
        modules = [m for m in modules if any(o in m for o in only)]
    failed = 0
    for module in modules:
        code = subprocess.call([sys.executable, str(ROOT / "bench" / "run.py"), "--module", module], cwd=ROOT)
        failed += code != 0
    return 1 if failed else 0


def run_module(module: str) -> int:
    sys.path.insert(0, str(ROOT))
    sys.path.insert(0, str(ROOT / "bench"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "inzage.settings")
    if "DATABASE_URL" not in os.environ:
        db = ROOT / "var" / "bench" / f"{module}.sqlite3"
        db.parent.mkdir(parents=True, exist_ok=True)
        for suffix in ("", "-wal", "-shm"):
            Path(f"{db}{suffix}").unlink(missing_ok=True)
        os.environ["DATABASE_URL"] = f"sqlite:///{db}"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    for name, value, unit in importlib.import_module(module).run():
        print(f"{name} {value:.1f} {unit}", flush=True)
    return 0


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--module":
        raise SystemExit(run_module(sys.argv[2]))
    raise SystemExit(main())
