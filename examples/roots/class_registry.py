"""Leak held by a class attribute: Registry.items -> list -> Plugin."""
import _tick


class Plugin:
    def __init__(self, n):
        self.n = n


class Registry:
    items = []


def tick(n):
    Registry.items.append(Plugin(n))


_tick.run(tick)
