"""A service that disables the collector (to avoid its pauses) and makes a
Request <-> Response cycle per request: memory only a collection would free.

    objref-chain --cycles examples/cycles/gc_disabled.py
"""
import gc
import sys


class Request:
    def __init__(self, path):
        self.path = path
        self.response = None


class Response:
    def __init__(self, request, body):
        self.request = request      # back to the request: the cycle
        self.body = body


def handle(path):
    req = Request(path)
    req.response = Response(req, b"x" * 64)
    return len(req.response.body)


def tick(requests=10):
    """One tick of the service: `requests` requests, each leaving a cycle."""
    for i in range(requests):
        handle("/item/%d" % i)


def main(ticks=20):
    gc.disable()
    for _ in range(ticks):
        tick()


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 20)
