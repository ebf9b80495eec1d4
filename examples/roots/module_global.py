"""Leak held by a module global: STATE['sessions'] -> list -> .history -> tuple."""
import _tick


class Payload:
    def __init__(self, n):
        self.n = n


class Session:
    def __init__(self):
        self.history = []


STATE = {"sessions": []}


def tick(n):
    s = Session()
    s.history.append((n, Payload(n)))
    STATE["sessions"].append(s)


_tick.run(tick)
