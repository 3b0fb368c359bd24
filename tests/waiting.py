"""Polling helper for tests that wait on real workers and processes."""

import time


def wait_for(predicate, timeout=60.0, interval=0.25):
    """The predicate's first truthy value, polled every `interval` seconds; fails after
    `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"condition not reached within {timeout:.0f} s")
