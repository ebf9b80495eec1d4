"""An order service that keeps every failed order's exception for a later
report.  The leak: ERRORS holds the exceptions, each its traceback, whose
frame holds the Order in a local."""
import time

ERRORS = []


class Order:
    def __init__(self, n):
        self.n = n
        self.lines = ["item%d" % i for i in range(5)]


def check(order):
    if order.n % 2:
        raise ValueError("odd order %d" % order.n)


def process(n):
    order = Order(n)
    try:
        check(order)
    except ValueError as e:
        ERRORS.append(e)


def main(seconds=2.0):
    n = 0
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        process(n)
        n += 1
        time.sleep(0.005)


if __name__ == "__main__":
    main()
