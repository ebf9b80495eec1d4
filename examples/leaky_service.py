"""A small service loop that leaks a little on every tick.

Each tick "handles requests" and, by mistake, keeps what it should drop:

  - 1,000 event tuples like (i, 'a') appended to the module-global EVENTS;
  - 1,000 small dicts like {'n': i} stored in the global CACHE, never evicted;
  - 3 Session objects kept alive by the class-attribute registry
    Session.registry.

The tuples and dicts hold only atomic values (ints, strs), so the cyclic
collector does not track them and gc.get_objects() never shows them:
objref counts them anyway.

    python3 examples/leaky_service.py                        # runs on its own
    objref-chain --growth examples/leaky_service.py          # what grows
    objref-chain --every leaky_service:handle_tick=5 examples/leaky_service.py

It calls objref.checkpoint() once per tick when objref is importable (it
always is under objref-chain), and runs in well under a second.
"""
import time

try:
    import objref
except ImportError:  # plain python without objref installed
    objref = None

TICKS = 30
PAUSE = 0.01          # seconds between ticks
PER_TICK = 1000

EVENTS = []           # leak 1: grows by PER_TICK tuples per tick
CACHE = {}            # leak 2: grows by PER_TICK dicts per tick


class Session:
    registry = []     # leak 3: every Session ever opened

    def __init__(self, user):
        self.user = user
        Session.registry.append(self)


def handle_tick(tick):
    base = tick * PER_TICK
    for i in range(base, base + PER_TICK):
        EVENTS.append((i, 'a'))
        CACHE[i] = {'n': i}
    for k in range(3):
        Session('user%d' % (base + k))


def main():
    for tick in range(TICKS):
        handle_tick(tick)
        if objref is not None:
            objref.checkpoint('tick %d' % tick)
        time.sleep(PAUSE)
    print('leaky_service: %d ticks, %d events, %d cached, %d sessions'
          % (TICKS, len(EVENTS), len(CACHE), len(Session.registry)))


if __name__ == '__main__':
    main()
