"""Leak held by closures kept in a global list (free variable ctx)."""
import _tick


class Context:
    def __init__(self, n):
        self.n = n


CALLBACKS = []


def make_callback(ctx):
    def callback():
        return ctx.n
    return callback


def tick(n):
    CALLBACKS.append(make_callback(Context(n)))


_tick.run(tick)
