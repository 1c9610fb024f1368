"""A demo extension used by the tests: records its calls."""

CALLS: list[dict] = []


def seed_demo_data(*, school, rng, today) -> None:
    CALLS.append({"school": school, "first_random": rng.random(), "today": today})
