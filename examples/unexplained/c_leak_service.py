"""A service loop whose "native" response cache leaks a reference per request.

Each request builds its response line, a fresh str, and hands it to a
native cache, as a C extension would.  The cache's Py_INCREF is never
matched by a Py_DECREF: the str stays alive with nobody holding it.  No
object of the program refers to it, so no reachable type grows and a heap
walk cannot see it; the allocator still holds its memory.

    python3 examples/unexplained/c_leak_service.py          # runs on its own
    objref-chain --every c_leak_service:handle_request=200 \\
        examples/unexplained/c_leak_service.py
    objref-chain --tracemalloc --every c_leak_service:handle_request=200 \\
        examples/unexplained/c_leak_service.py               # ... and where

The leaked reference is taken with ctypes (ctypes.pythonapi.Py_IncRef), the
very call a buggy extension makes in C.  Runs in about a second.
"""
import ctypes

REQUESTS = 3000
ROUTES = ('/login', '/items', '/cart', '/checkout')

_incref = ctypes.pythonapi.Py_IncRef
_incref.argtypes = (ctypes.py_object,)
_incref.restype = None


def native_cache_put(value):
    """The extension's cache_put(): it keeps a reference it never gives back."""
    _incref(value)                 # the bug: no matching Py_DecRef, no holder


def handle_request(n):
    route = ROUTES[n % len(ROUTES)]
    response = 'HTTP/1.1 200 OK %s request=%d user=u%05d' % (route, n, n % 997)
    native_cache_put(response)     # the response str leaks here
    return len(response)


def main():
    served = 0
    for n in range(REQUESTS):
        served += handle_request(n)
    print('c_leak_service: %d requests, %d bytes served' % (REQUESTS, served))


if __name__ == '__main__':
    main()
