"""A plugin loader that makes one module per tenant at run time, registers
it in sys.modules and fills its rule table; tenants are never unloaded.
The leak: sys.modules keeps every tenant module, each holding its
RuleTable.  The modules are new roots: the chain must walk through them to
sys.modules."""
import sys
import time
import types


class RuleTable:
    def __init__(self, n):
        self.rules = [("rule%d" % i, i) for i in range(n)]


def load_tenant(i):
    name = "_tenant_%d" % i
    mod = types.ModuleType(name)
    exec("TABLE = None\n", mod.__dict__)
    mod.TABLE = RuleTable(20)
    sys.modules[name] = mod


def main(seconds=2.0):
    i = 0
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        load_tenant(i)
        i += 1
        time.sleep(0.01)


if __name__ == "__main__":
    main()
