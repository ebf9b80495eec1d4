"""Shared by the examples: run a leaking tick function, checkpointing when
objref is importable."""
try:
    import objref
except ImportError:
    objref = None


def run(tick, ticks=5):
    for n in range(ticks):
        tick(n)
        if objref is not None:
            objref.checkpoint("tick %d" % n)
