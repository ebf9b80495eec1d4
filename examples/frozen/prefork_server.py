"""A pre-fork server (the gunicorn / uwsgi pattern): the master loads its
application, then calls gc.freeze() so that the workers it forks share
those pages instead of copying them when a collection touches them; then
the worker loop serves requests (here in the one process, for brevity).

Two leaks hide behind the freeze, where a capture that lists only what the
collector lists (gc.get_objects()) sees nothing of the heap:
  - every request's Session stays in SESSIONS, a dict made (and frozen)
    at load time: the holder is a frozen object, the leaked Sessions new;
  - the template loader built at load time and dropped after the freeze
    is a garbage cycle (Loader .templates -> list -> Template .loader)
    that no collection will ever free: it is frozen.

    objref-chain --type Session --every __main__:serve=500 --cycles prefork_server.py
"""
import gc
import sys


class Route:
    def __init__(self, path):
        self.path = path
        self.methods = ["GET"]


class Loader:
    def __init__(self):
        self.templates = []


class Template:
    def __init__(self, name, loader):
        self.name = name
        self.loader = loader


class Session:
    def __init__(self, rid, route):
        self.rid = rid
        self.route = route
        self.headers = {"path": route.path, "rid": str(rid)}


ROUTES = [Route("/item/%d" % i) for i in range(2000)]
SESSIONS = {}


def load_templates():
    loader = Loader()
    for name in range(20):
        loader.templates.append(Template("page-%d.html" % name, loader))
    return loader


def serve(rid):
    SESSIONS[rid] = Session(rid, ROUTES[rid % len(ROUTES)])


def main(requests):
    loader = load_templates()
    gc.collect()
    gc.freeze()        # before forking the workers
    del loader         # its cycle stays: frozen garbage
    for rid in range(requests):
        serve(rid)


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 3000)
