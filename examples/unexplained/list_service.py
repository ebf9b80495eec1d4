"""The same service loop as c_leak_service.py, leaking in Python instead:
every response str is appended to a module-global list.  The heap walk
reaches every one of them (str grows, held by HISTORY), so the report
explains the memory and says nothing of memory no object explains.

    objref-chain --every list_service:handle_request=200 \\
        examples/unexplained/list_service.py
"""
REQUESTS = 3000
ROUTES = ('/login', '/items', '/cart', '/checkout')
HISTORY = []                       # the leak: every response, never trimmed


def handle_request(n):
    route = ROUTES[n % len(ROUTES)]
    response = 'HTTP/1.1 200 OK %s request=%d user=u%05d' % (route, n, n % 997)
    HISTORY.append(response)
    return len(response)


def main():
    served = 0
    for n in range(REQUESTS):
        served += handle_request(n)
    print('list_service: %d requests, %d bytes served' % (REQUESTS, served))


if __name__ == '__main__':
    main()
