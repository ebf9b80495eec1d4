"""A service that is already running, for objref-chain --pid:

    python3 examples/running_service.py &
    objref-chain --pid $! --count 1 --type Session

A worker thread serves requests from a queue and keeps every user's
Session in a module-global dict that nothing ever empties (the leak); the
main thread sleeps.  It serves 30 requests, prints "ready", and then waits
for more that never come: every thread is idle in a blocking call, and its
heap stays the same, so the picture in docs/ is the same every time.
"""
import os
import queue
import sys
import threading
import time

SESSIONS = {}
REQUESTS = queue.Queue()


class Session:
    def __init__(self, user):
        self.user = user
        self.history = []


def serve():
    while True:
        user = REQUESTS.get()
        SESSIONS.setdefault(user, Session(user)).history.append(("GET", "/cart"))
        REQUESTS.task_done()


def main():
    threading.Thread(target=serve, name="worker", daemon=True).start()
    for i in range(30):
        REQUESTS.put("user%d" % (i % 10))
    for i in range(10, 30):
        REQUESTS.put("user%d" % i)
    REQUESTS.join()
    print("running_service: ready, pid %d" % os.getpid())
    sys.stdout.flush()
    while True:
        time.sleep(3600)


if __name__ == '__main__':
    main()
