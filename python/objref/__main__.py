"""python -m objref [objref-chain's options] SCRIPT [ARGS...]
python -m objref [objref-chain's options] -m MODULE [ARGS...]

objref-chain, run by the interpreter already running: the same C code
(objref_cli_main in the extension), options, report and exit statuses.
"""
import ctypes
import os
import sys

import objref


def main(prog=None):
    # PyDLL: the call keeps the GIL, as objref-chain's code requires.
    lib = ctypes.PyDLL(objref._ext.__file__)
    entry = lib.objref_cli_main
    entry.argtypes = (ctypes.c_int, ctypes.POINTER(ctypes.c_char_p), ctypes.c_int)
    entry.restype = ctypes.c_int
    args = [prog or '%s -m objref' % os.path.basename(sys.executable)] + sys.argv[1:]
    argv = (ctypes.c_char_p * (len(args) + 1))(*[os.fsencode(a) for a in args], None)
    return entry(len(args), argv, 1)


def console():
    """The objref-chain entry point pip installs: this interpreter runs it."""
    sys.exit(main('objref-chain'))


if __name__ == '__main__':
    sys.exit(main())
