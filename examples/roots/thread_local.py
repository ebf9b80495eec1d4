"""Leak held by a local variable of a function running in another thread.

The worker never returns (a daemon blocked on an event, as a service's
worker waiting for work): its local `pending` keeps the Jobs alive."""
import threading

import _tick


class Job:
    pass


stop = threading.Event()
jobs_ready = threading.Event()


def worker():
    pending = [Job() for _ in range(5)]   # the leak: a local of a running frame
    jobs_ready.set()
    stop.wait()
    return pending


t = threading.Thread(target=worker, name="worker-1", daemon=True)
t.start()
jobs_ready.wait()
_tick.run(lambda n: None, ticks=2)
