"""A pool of worker threads, each keeping what it measured in a
thread-local buffer that nothing trims: the buffers grow for the whole
run, then the pool is shut down at exit, its threads joined and their
buffers cleared.  Every checkpoint but the last shows Sample growing; the
last shows it freed.  The leak while it ran: __main__.LOCAL's per-thread
dicts -> ['buffer'] -> list -> Sample."""
import sys
import threading
import time

LOCAL = threading.local()


class Sample:
    __slots__ = ('worker', 'step')

    def __init__(self, worker, step):
        self.worker = worker
        self.step = step


class Pool:
    def __init__(self, size):
        self.stopping = threading.Event()
        self.threads = [threading.Thread(target=self.work, args=(i,), name='worker-%d' % i)
                        for i in range(size)]
        self.buffers = []

    def work(self, worker):
        LOCAL.buffer = []
        self.buffers.append(LOCAL.buffer)
        step = 0
        while not self.stopping.is_set():
            LOCAL.buffer.append(Sample(worker, step % 100))
            step += 1
            time.sleep(0.01)

    def start(self):
        for t in self.threads:
            t.start()

    def shutdown(self):
        self.stopping.set()
        for t in self.threads:
            t.join()
        for b in self.buffers:
            b.clear()
        self.buffers.clear()


def main(seconds):
    pool = Pool(4)
    pool.start()
    time.sleep(seconds)
    pool.shutdown()


if __name__ == '__main__':
    main(float(sys.argv[1]) if len(sys.argv) > 1 else 3.0)
