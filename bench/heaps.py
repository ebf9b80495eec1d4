"""The benchmark's heaps behind one interface, so that every row runs on
each: build(name, n) returns an object with

    plant()              plant the leaks (run with the collector disabled)
    leaf(key)            one leaked object of chain_d3 / chain_d12 / chain_d12_f8,
                         fetched afresh (call it inside the timed call)
    chain_length(key)    objects in its chain from a proper module, both ends included
    TEN, leaves10()      whether `objref.chains(type, samples=10)` can single out
                         the planted leaks, and the ten leaves for objgraph's side
    TEXT                 what the heap models, for the report

"objref": bench/heap.py.  "service": ../shared/bench/heapgen.py (users with
friends, orders pointing back at users, trees with parent pointers, sets,
many small strs and tuples; leaked tuples 3, 12 and 12-with-8-observers
steps below a module), imported as it is from the shared folder beside the
checkout, or from the directory named by OBJREF_HEAPGEN.
"""
import os
import sys

import heap

HERE = os.path.dirname(os.path.abspath(__file__))
NAMES = ("objref", "service")
CHAINS = {"chain_d3": (3, 0), "chain_d12": (12, 0), "chain_d12_f8": (12, 8)}


class OurHeap:
    TEN = True
    TEXT = ("bench/heap.py, seeded: instances with `__dict__` and `__slots__`, dicts, lists, tuples, sets, "
            "str and int inside, live parent/child cycles; 10 Leak objects planted at each of D=3, D=12 and "
            "D=12 with F=8 extra referrers per step")

    def __init__(self, n):
        self.keep = heap.build(n)

    def plant(self):
        heap.plant(3, 0, key="d3")
        heap.plant(12, 0, key="d12")
        heap.plant(12, 8, key="d12f8")  # last: chains() takes the newest Leaks first

    def leaf(self, key):
        depth, extra = CHAINS[key]
        return heap.leaf_of(heap.PLANTED["d%d%s" % (depth, "f%d" % extra if extra else "")][0], depth)

    def chain_length(self, key):
        return CHAINS[key][0] + 4  # module heap, its __dict__, PLANTED, the list, then the chain

    def leaves10(self):
        return [heap.leaf_of(top, 12) for top in heap.PLANTED["d12f8"]]


def import_heapgen():
    """heapgen from OBJREF_HEAPGEN, else ../shared/bench beside the checkout;
    ImportError saying where it looked."""
    places = [os.environ.get("OBJREF_HEAPGEN"),
              os.path.join(os.path.dirname(os.path.dirname(HERE)), "shared", "bench")]
    for place in [p for p in places if p]:
        if os.path.isfile(os.path.join(place, "heapgen.py")):
            sys.path.insert(0, place)
            try:
                import heapgen
            finally:
                sys.path.remove(place)
            return heapgen
    raise ImportError("heapgen.py not found in %s (set OBJREF_HEAPGEN to its directory)" %
                      " or ".join(p for p in places if p))


def heapgen_available():
    try:
        import_heapgen()
        return True
    except ImportError:
        return False


class ServiceHeap:
    TEN = False
    TEN_WHY = ("the planted leaks are tuples among the heap's own tuples: chains('tuple') cannot single "
               "them out")
    TEXT = ("../shared/bench/heapgen.py, seeded: User instances with friends and orders (orders point back "
            "at their user), Record instances with a materialised __dict__, TreeNode parent/child cycles, "
            "sets, lists of ints and strs, many small strs and atomic tuples (untracked); leaked tuples "
            "D+4 references below the module for D=3, D=12 and D=12 with 8 observers per step")

    def __init__(self, n):
        self.hg = import_heapgen()
        self.n = n

    def plant(self):
        # heapgen plants while it builds; it leaves the collector enabled
        self.hg.build(n=self.n, depths=(3, 12), fanout_chains=((12, 8),), seed=1)
        import gc
        gc.collect()
        gc.disable()

    def leaf(self, key):
        depth, fanout = CHAINS[key]
        return self.hg.sample(depth, fanout=fanout)

    def chain_length(self, key):
        """hops_to_module(D) + 1, plus one hop per LeakNode level where an
        instance's attributes live in a separate __dict__ object (before 3.11,
        or any build without inline values): I_k, k % 3 == 0, for k < D."""
        depth = CHAINS[key][0]
        extra = (depth - 1) // 3 if self.separate_instance_dict() else 0
        return self.hg.hops_to_module(depth) + 1 + extra

    def separate_instance_dict(self):
        import gc
        node = self.hg.LeakNode(None, 0)
        return any(type(r) is dict for r in gc.get_referents(node))


def build(name, n):
    if name == "objref":
        return OurHeap(n)
    return ServiceHeap(n)
