"""Python's cyclic garbage collector, set for the web's process.

By default the youngest generation is collected every 700 allocations of container objects, and
every tenth of those collections takes the next generation with it. A request allocates
thousands of them (its pydantic models, its SQLAlchemy rows, the SDK's protobufs), most
freed at once by their reference counts, so the collections ran several times per request and
walked what the process had kept: under 50 actions and reads at once (`make bench ARGS="--only
load"`), 730–770 collections and 1.0–1.4 s of the web's CPU; at 10,000, 41 and 0.3–0.6 s, and the
web's largest resident size no larger (186 against 206 MiB in that run).

Not the worker's: there the cache evicts whole journeys (an event loop, its tasks and their
state: reference cycles), which then wait longer for the collection that frees them. With
10,000 live journeys the worker held 467 MiB against 277 (its collections and their 0.3–0.5 s
fell as the web's did)."""

import gc

YOUNG_GENERATION = 10_000  # container allocations between collections of the youngest generation


def tune_collector() -> None:
    _, middle, oldest = gc.get_threshold()
    gc.set_threshold(YOUNG_GENERATION, middle, oldest)
