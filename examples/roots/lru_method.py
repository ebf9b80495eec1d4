"""Leak held by functools.lru_cache on a method: the cache keeps self."""
import functools

import _tick


class Handler:
    def __init__(self, n):
        self.n = n

    @functools.lru_cache(maxsize=None)
    def render(self, key):
        return "%s-%s" % (self.n, key)


def tick(n):
    Handler(n).render("home")


_tick.run(tick)
