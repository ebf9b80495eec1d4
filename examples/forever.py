"""A service that never ends, leaking on every iteration.

For --duration and Ctrl-C:

    objref-chain --interval 1 --duration 10 examples/forever.py

objref-chain takes a last checkpoint after 10 s, stops the loop as Ctrl-C
would, and reports the growing types (tuple, list).
"""
import sys
import time

LEAK = []


def serve_once(n):
    # 100 small tuples and one list per iteration, kept forever
    LEAK.append([(n, k) for k in range(100)])


def main():
    print('forever: serving (stop with Ctrl-C)')
    sys.stdout.flush()
    n = 0
    while True:
        serve_once(n)
        n += 1
        time.sleep(0.05)


if __name__ == '__main__':
    main()
