"""objref-chain --pid, measured from the target's side.

A ticking service (its main thread wakes every millisecond in time.sleep
and records every gap between two ticks above 3 ms, with when it began)
holds TRACKED tracked objects (dicts in a global dict, lists, tuples;
its collector disabled, so no collection makes a gap) and a worker thread that keeps allocating.
objref-chain --pid takes COUNT dumps of it; then the service reports its
gaps.  The first gap is gdb's stop (attach, find a safe point, dlopen the
payload, start its thread, detach); the others are the forks of the dumps.

    python3 bench/attach_bench.py [--tracked 100000 1000000] [--repeat 3]
        [--chain build/cli/objref-chain] [--json FILE]

Prints one row per heap size: gdb's stop (median, worst), the fork pause
objref-chain reports, the largest gap the target saw, and objref-chain's
wall time.  Needs gdb and ptrace permission (root, or ptrace_scope 0).
"""
import argparse
import json
import os
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE = os.path.dirname(HERE)

SERVICE = r'''
import gc, json, os, signal, sys, threading, time
STATE, TRACKED = sys.argv[1], int(sys.argv[2])
gc.disable()  # a full collection of a big heap would be a gap that is not ours
# TRACKED tracked objects: a dict per "session" holding a list and a tuple
HEAP = {}
for i in range(TRACKED // 3):
    HEAP["k%d" % i] = {"id": i, "hist": [i, (i, "x")]}
LEAK = []
def worker():
    while True:
        LEAK.append([(1, 2), {"a": 1}])
        if len(LEAK) > 20000:
            del LEAK[:10000]
        time.sleep(0.0005)
threading.Thread(target=worker, daemon=True).start()
gaps = []
tasks = len(os.listdir("/proc/self/task"))
payload_seen = [None]
def report(*_):
    with open(STATE + ".tmp", "w") as f:
        json.dump({"gaps": gaps, "payload_seen": payload_seen[0]}, f)
    os.rename(STATE + ".tmp", STATE)
signal.signal(signal.SIGUSR1, report)
report()
last = time.perf_counter()
while True:
    time.sleep(0.001)
    now = time.perf_counter()
    if now - last > 0.003:
        gaps.append([last, now - last])
    if payload_seen[0] is None and len(os.listdir("/proc/self/task")) > tasks:
        payload_seen[0] = now  # the payload's thread: gdb has made its calls
    last = now
'''


def state(proc, path):
    if os.path.exists(path):
        os.remove(path)
    proc.send_signal(signal.SIGUSR1)
    deadline = time.time() + 30
    while not os.path.exists(path):
        if time.time() > deadline or proc.poll() is not None:
            raise SystemExit('the service does not answer')
        time.sleep(0.02)
    with open(path) as f:
        return json.load(f)


def one(chain, tracked, count, python):
    tmp = tempfile.mkdtemp(prefix='objref-attach-bench-')
    script = os.path.join(tmp, 'service.py')
    path = os.path.join(tmp, 'state.json')
    with open(script, 'w') as f:
        f.write(SERVICE)
    proc = subprocess.Popen([python, script, path, str(tracked)])
    try:
        deadline = time.time() + 120
        while not os.path.exists(path):
            if time.time() > deadline or proc.poll() is not None:
                raise SystemExit('the service did not start')
            time.sleep(0.05)
        time.sleep(0.5)
        before = len(state(proc, path)['gaps'])
        t0 = time.perf_counter()
        r = subprocess.run([chain, '--pid', str(proc.pid), '--count', str(count), '--interval', '0.5',
                            '--no-picture', '--dump-dir', os.path.join(tmp, 'dumps')],
                           capture_output=True, text=True, timeout=600, cwd=tmp)
        wall = time.perf_counter() - t0
        if r.returncode != 0:
            raise SystemExit('objref-chain failed: %s' % r.stderr)
        time.sleep(0.1)
        st = state(proc, path)
        seen = st['payload_seen'] or float('inf')
        gdb_gaps = [g for at, g in st['gaps'][before:] if t0 <= at <= seen + 0.2]
        gaps = [g for at, g in st['gaps'][before:] if at >= t0]
        forks = [float(m) for m in re.findall(r'paused ([0-9.]+) ms', r.stderr)]
        # gdb's stop: the largest gap before the payload's thread appeared
        # (and just after: gdb detaches after its last call); the target's
        # threads run during gdb's calls, so its stop comes in pieces
        return {'gdb_stop_ms': max(gdb_gaps) * 1e3 if gdb_gaps else 0.0,
                'fork_ms': max(forks) if forks else 0.0,
                'largest_gap_ms': max(gaps) * 1e3 if gaps else 0.0,
                'gaps_ms': [round(g * 1e3, 1) for g in gaps],
                'wall_s': wall}
    finally:
        proc.kill()
        proc.wait()
        subprocess.run(['rm', '-rf', tmp])


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--tracked', type=int, nargs='+', default=[100000, 1000000])
    ap.add_argument('--repeat', type=int, default=3)
    ap.add_argument('--count', type=int, default=2)
    ap.add_argument('--chain', default=os.path.join(SOURCE, 'build', 'cli', 'objref-chain'))
    ap.add_argument('--python', default=sys.executable)
    ap.add_argument('--json')
    a = ap.parse_args()
    rows = []
    print('%10s %14s %14s %12s %14s %8s' % ('tracked', 'gdb stop ms', 'gdb stop max', 'fork ms',
                                              'largest gap ms', 'wall s'))
    for n in a.tracked:
        runs = [one(a.chain, n, a.count, a.python) for _ in range(a.repeat)]
        row = {'tracked': n,
               'gdb_stop_ms': statistics.median(r['gdb_stop_ms'] for r in runs),
               'gdb_stop_max_ms': max(r['gdb_stop_ms'] for r in runs),
               'fork_ms': statistics.median(r['fork_ms'] for r in runs),
               'largest_gap_ms': max(r['largest_gap_ms'] for r in runs),
               'wall_s': statistics.median(r['wall_s'] for r in runs),
               'runs': runs}
        rows.append(row)
        print('%10d %14.1f %14.1f %12.1f %14.1f %8.2f' % (n, row['gdb_stop_ms'], row['gdb_stop_max_ms'],
                                                         row['fork_ms'], row['largest_gap_ms'],
                                                         row['wall_s']))
        sys.stdout.flush()
    if a.json:
        with open(a.json, 'w') as f:
            json.dump(rows, f, indent=1)


if __name__ == '__main__':
    main()
