# attach/inject_gdb.py — run by gdb (not by the target) for objref-chain --pid:
#
#   gdb -batch -nx -nw -iex "set auto-load off" ... -iex "set auto-solib-add off" /proc/PID/exe -p PID \
#       -ex "set \$objref_payload = \"/path/objref-payload-3.X.so\"" \
#       -ex "set \$objref_token = TOKEN" -ex "set \$objref_wait = SECONDS" -x inject_gdb.py
#
# It finds a point where the target may safely load a library, loads the
# payload there with dlopen() and calls objref_payload_start(TOKEN), which
# only starts a thread (attach/payload.c); then it detaches.  No Python code
# runs on the interrupted thread, scheduler-locking is never used (the other
# threads run while the two calls run), and every way out detaches.
#
# A safe point is a thread stopped in a blocking system call (sleep, select,
# poll, epoll, accept, recv, read, a condition or futex wait) with nothing
# on its stack that holds the allocator's or the dynamic loader's lock.  A
# service idle in time.sleep() or select() offers one at once.  If no thread
# does, breakpoints at the entry of interpreter functions that a running
# Python calls all the time (PyObject_Malloc, PyErr_CheckSignals, ...) give
# one within microseconds; after $objref_wait seconds without one, it gives
# up and detaches.
#
# It prints lines "OBJREF: <what>" that objref-chain reads (cli/attach.c).
import os
import re
import signal
import threading

import gdb

RTLD_NOW = 2
WAITS = ("nanosleep", "clock_nanosleep", "select", "pselect", "poll", "ppoll", "epoll_wait",
         "epoll_pwait", "accept", "accept4", "recv", "recvfrom", "recvmsg", "read", "wait4",
         "waitpid", "pause", "sigtimedwait", "sigwaitinfo", "futex_abstimed_wait_common",
         "futex_abstimed_wait_common64", "futex_wait", "pthread_cond_wait", "pthread_cond_timedwait",
         "pthread_cond_clockwait", "sem_wait", "sem_timedwait", "sem_clockwait", "do_futex_wait")
UNSAFE = ("malloc", "calloc", "realloc", "free", "memalign", "posix_memalign", "malloc_consolidate",
          "lll_lock_wait", "lll_lock_wait_private", "dlopen", "dlclose", "dlsym", "dl_open_worker",
          "pthread_create", "fork", "exit", "run_exit_handlers", "Py_FinalizeEx", "Py_Finalize")
ENTRIES = ("PyObject_Malloc", "PyErr_CheckSignals", "PyMem_Malloc", "PyObject_Free",
           "PyEval_SaveThread")


def say(what):
    print("OBJREF: " + what, flush=True)


def conv(name, default=None):
    v = gdb.convenience_variable(name)
    return default if v is None else v


def base_name(name):
    """'__GI___libc_malloc' -> 'malloc', '_int_free' -> 'free'."""
    name = (name or "").lstrip("_")
    for prefix in ("GI_", "libc_", "int_", "__"):
        if name.startswith(prefix):
            name = name[len(prefix):].lstrip("_")
    return re.sub(r"@.*$", "", name)


def stack(thread, limit=64):
    thread.switch()
    names = []
    try:
        f = gdb.newest_frame()
        while f is not None and len(names) < limit:
            names.append(base_name(f.name()))
            f = f.older()
    except gdb.error:
        pass
    return names


def safe_wait(names):
    return bool(names) and any(n in WAITS for n in names[:4]) and not any(n in UNSAFE for n in names)


def call(expr):
    return gdb.parse_and_eval(expr)


def inject(payload, token):
    handle = call('(void *)dlopen("%s", %d)' % (payload.replace("\\", "\\\\").replace('"', '\\"'), RTLD_NOW))
    if int(handle) == 0:
        err = call("(char *)dlerror()")
        say("error dlopen: %s" % (err.string() if int(err) else "unknown error"))
        return False
    fn = call('(void *)dlsym((void *)%d, "objref_payload_start")' % int(handle))
    if int(fn) == 0:
        say("error the payload has no objref_payload_start")
        return False
    rc = int(call("((int (*)(long))%d)(%d)" % (int(fn), token)))
    if rc == 1:
        say("error busy: an objref payload thread already runs in this process")
        return False
    if rc != 0:
        say("error the payload could not start its thread")
        return False
    say("started")
    return True


def wait_for_entry(seconds):
    """Breakpoints at interpreter entry points; continue until one is hit by
    a thread that holds no allocator or loader lock.  True when stopped at
    such a point; False after `seconds`."""
    bps = []
    for name in ENTRIES:
        try:
            bps.append(gdb.Breakpoint(name, internal=True))
        except (gdb.error, RuntimeError):
            pass
    if not bps:
        say("error no interpreter symbols to stop at (PyObject_Malloc ...): is this CPython?")
        return False
    timer = threading.Timer(seconds, lambda: os.kill(os.getpid(), signal.SIGINT))
    timer.start()
    hit = False
    try:
        while True:
            gdb.execute("continue", to_string=True)
            thread = gdb.selected_thread()
            if thread is None or not thread.is_valid():
                break
            names = stack(thread)
            if names and names[0] in ENTRIES and not any(n in UNSAFE for n in names[1:]):
                hit = True
                break
            if not timer.is_alive():
                break
    except gdb.error as e:
        say("note %s" % e)
    finally:
        timer.cancel()
        for bp in bps:
            try:
                bp.delete()
            except RuntimeError:
                pass
    return hit


def main():
    payload = conv("objref_payload")
    token = int(conv("objref_token", 0))
    wait = float(conv("objref_wait", 10))
    if payload is None or not token:
        say("error objref_payload and objref_token must be set")
        return
    payload = payload.string()
    say("attached")
    # objref-chain read libc's and libpython's symbols before the attach
    # ($objref_presym); else they are read now, the target stopped
    for lib in () if conv("objref_presym") else ("libc.so", "libpython"):
        try:
            gdb.execute("sharedlibrary " + lib, to_string=True)
        except gdb.error:
            pass
    try:
        call("(void *)dlopen")
    except gdb.error:
        say("error no dlopen in the target (a static binary without libc's dynamic loader?)")
        return
    # the main thread last: the calls run on the chosen thread, and the
    # others run while they do (a main loop keeps ticking if it is not the one)
    threads = sorted(gdb.selected_inferior().threads(), key=lambda t: (t.num == 1, t.num))
    chosen = None
    for t in threads:
        if safe_wait(stack(t)):
            chosen = t
            break
    if chosen is not None:
        chosen.switch()
        say("safe point: thread %d in %s" % (chosen.num, stack(chosen)[0]))
    elif wait_for_entry(wait):
        say("safe point: thread %d at %s" % (gdb.selected_thread().num, stack(gdb.selected_thread())[0]))
    else:
        say("error no safe point within %g s: every thread is busy in C code that does not call "
            "the interpreter; try again" % wait)
        return
    inject(payload, token)


try:
    main()
finally:
    try:
        gdb.execute("detach", to_string=True)
        say("detached")
    except gdb.error as e:
        say("error detach: %s" % e)
