"""The API-usage recorder's queue (domain/usage/recorder.py): requests are queued and folded in
batches, and none is lost or counted twice, whichever thread folds them and when."""

from __future__ import annotations

import threading

from polytask.core.actor import Actor
from polytask.domain.usage.recorder import FOLD_EVERY, HISTOGRAM, LATENCY_US, RATE_LIMITED, REQUESTS, UsageRecorder
from polytask.models.usage import LATENCY_BOUNDS_MS

T0 = 1_800_000_000.0  # a whole minute: 2027-01-15 08:00:00 UTC
KEY = Actor(user_id=1, global_role="user", credential_id=7, credential_kind="api_key", workspace_id=3)
TOKEN = Actor(user_id=2, global_role="user", credential_id=4, credential_kind="oauth_token", client_id=9)


def test_a_request_counts_in_the_minute_it_was_recorded_not_the_one_it_was_folded() -> None:
    now = [T0 + 59.5]
    recorder = UsageRecorder(clock=lambda: now[0])
    recorder.record("native", KEY, 200, 0.003)
    now[0] = T0 + 125  # two minutes on before anything folds
    recorder.record("native", KEY, 200, 0.003)
    counts = recorder.take()
    assert sorted((ident[0], row[REQUESTS]) for ident, row in counts.items()) == [(T0, 1), (T0 + 120, 1)]


def test_the_key_the_client_the_workspace_and_the_histogram() -> None:
    recorder = UsageRecorder(clock=lambda: T0)
    recorder.record("native", KEY, 200, 0.003)
    recorder.record("native", KEY, 200, 0.003)
    recorder.record("taskip", TOKEN, 429, 0.0001, rate_limited=True)
    recorder.record("taskforce", None, 401, 5.0)
    counts = recorder.take()
    assert set(counts) == {
        (int(T0), "native", 7, 0, 3, 200),
        (int(T0), "taskip", 0, 9, 0, 429),
        (int(T0), "taskforce", 0, 0, 0, 401),
    }
    key = counts[(int(T0), "native", 7, 0, 3, 200)]
    assert (key[REQUESTS], key[RATE_LIMITED], key[LATENCY_US]) == (2, 0, 6000)
    up_to_4ms = HISTOGRAM + next(i for i, bound in enumerate(LATENCY_BOUNDS_MS) if bound >= 3)
    assert LATENCY_BOUNDS_MS[up_to_4ms - HISTOGRAM] == 4.0
    assert [i for i, n in enumerate(key) if n and i >= HISTOGRAM] == [up_to_4ms]
    assert key[up_to_4ms] == 2
    refused = counts[(int(T0), "taskip", 0, 9, 0, 429)]
    assert (refused[REQUESTS], refused[RATE_LIMITED], refused[HISTOGRAM]) == (1, 1, 1)  # under 0.5 ms
    slow = counts[(int(T0), "taskforce", 0, 0, 0, 401)]
    assert slow[-1] == 1  # past the last bound: the overflow bucket
    assert recorder.take() == {}


def test_a_full_queue_is_folded_by_the_request_that_fills_it() -> None:
    recorder = UsageRecorder(clock=lambda: T0)
    for _ in range(FOLD_EVERY - 1):
        recorder.record("native", KEY, 200, 0.001)
    assert len(recorder._queue) == FOLD_EVERY - 1
    assert recorder._counts == {}
    recorder.record("native", KEY, 200, 0.001)
    assert len(recorder._queue) == 0
    assert [row[REQUESTS] for row in recorder._counts.values()] == [FOLD_EVERY]


def test_nothing_is_lost_or_doubled_while_threads_record_and_another_takes() -> None:
    recorder = UsageRecorder(clock=lambda: T0)
    threads, per_thread = 4, 3 * FOLD_EVERY + 17
    taken: list[int] = []
    done = threading.Event()

    def taker() -> None:
        while not done.is_set():
            taken.extend(row[REQUESTS] for row in recorder.take().values())
        taken.extend(row[REQUESTS] for row in recorder.take().values())

    def worker(status: int) -> None:
        for _ in range(per_thread):
            recorder.record("native", KEY, status, 0.002)

    take_thread = threading.Thread(target=taker)
    take_thread.start()
    workers = [threading.Thread(target=worker, args=(200 + i,)) for i in range(threads)]
    for thread in workers:
        thread.start()
    for thread in workers:
        thread.join()
    done.set()
    take_thread.join()
    assert sum(taken) == threads * per_thread
    assert recorder.pending() == 0
