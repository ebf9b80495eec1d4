"""Time against heap size, log-log, objref against objgraph per operation,
drawn with cairo (libcairo.so.2, which Graphviz brings) through ctypes: no
new dependency.  plot.draw(path, sizes) writes a PNG."""
import ctypes
import ctypes.util
import math

# (row key, label, colour); objref solid, objgraph dashed, the floor dotted
SERIES = [
    ("census", "census", (0.12, 0.38, 0.70)),
    ("chain_d12_f8", "1 chain, D=12, F=8", (0.80, 0.30, 0.10)),
    ("chains10", "10 chains", (0.15, 0.55, 0.25)),
    ("show_growth", "show_growth + gc.collect", (0.50, 0.30, 0.60)),
]
SIDE_STYLE = {"objref": ("objref", ()), "peer": ("objgraph", (9.0, 5.0)), "floor": ("C floor", (2.0, 4.0))}
W, H = 1100, 640
LEFT, RIGHT, TOP, BOTTOM = 90, 310, 60, 70


class Cairo:
    """The few cairo calls the plot needs, with their C signatures."""

    def __init__(self):
        name = ctypes.util.find_library("cairo") or "libcairo.so.2"
        lib = ctypes.CDLL(name)
        d, p, i = ctypes.c_double, ctypes.c_void_p, ctypes.c_int
        sigs = {
            "cairo_image_surface_create": (p, [i, i, i]), "cairo_create": (p, [p]),
            "cairo_set_source_rgb": (None, [p, d, d, d]), "cairo_paint": (None, [p]),
            "cairo_move_to": (None, [p, d, d]), "cairo_line_to": (None, [p, d, d]),
            "cairo_stroke": (None, [p]), "cairo_fill": (None, [p]),
            "cairo_set_line_width": (None, [p, d]),
            "cairo_set_dash": (None, [p, ctypes.POINTER(d), i, d]),
            "cairo_select_font_face": (None, [p, ctypes.c_char_p, i, i]),
            "cairo_set_font_size": (None, [p, d]), "cairo_show_text": (None, [p, ctypes.c_char_p]),
            "cairo_text_extents": (None, [p, ctypes.c_char_p, ctypes.POINTER(d * 6)]),
            "cairo_arc": (None, [p, d, d, d, d, d]), "cairo_rectangle": (None, [p, d, d, d, d]),
            "cairo_save": (None, [p]), "cairo_restore": (None, [p]), "cairo_rotate": (None, [p, d]),
            "cairo_translate": (None, [p, d, d]),
            "cairo_surface_write_to_png": (i, [p, ctypes.c_char_p]),
            "cairo_destroy": (None, [p]), "cairo_surface_destroy": (None, [p]),
        }
        for fname, (res, args) in sigs.items():
            fn = getattr(lib, fname)
            fn.restype, fn.argtypes = res, args
            setattr(self, fname[len("cairo_"):], fn)


def spread(lo, hi):
    """An axis range of some width: one size (--sizes 1e6) or one time
    would otherwise make it empty."""
    return (lo - 0.5, hi + 0.5) if hi - lo < 1e-9 else (lo, hi)


class Canvas:
    def __init__(self, c, xs, ys):
        self.c = c
        self.surface = c.image_surface_create(0, W, H)  # CAIRO_FORMAT_ARGB32
        self.cr = c.create(self.surface)
        self.x0, self.x1 = spread(math.log10(xs[0]), math.log10(xs[1]))
        self.y0, self.y1 = spread(math.log10(ys[0]), math.log10(ys[1]))

    def px(self, x, y):
        fx = (math.log10(x) - self.x0) / (self.x1 - self.x0)
        fy = (math.log10(y) - self.y0) / (self.y1 - self.y0)
        return LEFT + fx * (W - LEFT - RIGHT), H - BOTTOM - fy * (H - TOP - BOTTOM)

    def rgb(self, col):
        self.c.set_source_rgb(self.cr, *col)

    def dash(self, pattern):
        arr = (ctypes.c_double * len(pattern))(*pattern)
        self.c.set_dash(self.cr, arr, len(pattern), 0.0)

    def line(self, pts, width=1.0):
        self.c.set_line_width(self.cr, width)
        self.c.move_to(self.cr, *pts[0])
        for p in pts[1:]:
            self.c.line_to(self.cr, *p)
        self.c.stroke(self.cr)

    def text(self, x, y, s, size=14, bold=False, align=0.0, rotate=False):
        """Draw s with its baseline at y, aligned at x (0 left, 0.5 centre,
        1 right); rotate: reading upwards.  Returns the width."""
        self.c.select_font_face(self.cr, b"DejaVu Sans", 0, 1 if bold else 0)
        self.c.set_font_size(self.cr, size)
        ext = (ctypes.c_double * 6)()
        self.c.text_extents(self.cr, s.encode(), ctypes.byref(ext))
        self.c.save(self.cr)
        self.c.translate(self.cr, x, y)
        if rotate:
            self.c.rotate(self.cr, -math.pi / 2)
        self.c.move_to(self.cr, -ext[4] * align, 0)
        self.c.show_text(self.cr, s.encode())
        self.c.restore(self.cr)
        return ext[4]

    def finish(self, path):
        rc = self.c.surface_write_to_png(self.surface, path.encode())
        self.c.destroy(self.cr)
        self.c.surface_destroy(self.surface)
        if rc != 0:
            raise OSError("cairo could not write %s (status %d)" % (path, rc))


def decades(lo, hi):
    """The powers of ten spanning [lo, hi], widened to whole decades (a
    value within 5% of a decade's log counts as on it: 1.0017e7 is 1e7)."""
    a, b = math.log10(lo), math.log10(hi)
    return 10.0 ** math.floor(a + 0.02), 10.0 ** math.ceil(b - 0.02)


def series(sizes):
    """[(label, colour, dash, [(tracked, seconds)], side)], each with a point."""
    out = []
    for key, label, colour in SERIES:
        for side, (who, dash) in SIDE_STYLE.items():
            pts = [(s["tracked"], s["rows"].get(key, {}).get(side, {}).get("median")) for s in sizes]
            pts = [(x, y) for x, y in pts if y]
            if pts:
                out.append(("%s: %s" % (who, label), colour, dash, pts, side))
    return out


def fmt_secs(v):
    return ("%g s" % v) if v >= 1 else ("%g ms" % (v * 1e3))


def fmt_count(v):
    for div, suffix in ((1e9, "G"), (1e6, "M"), (1e3, "k")):
        if v >= div:
            return "%g%s" % (v / div, suffix)
    return "%g" % v


def minor_grid(cv, xs, ys):
    """Faint lines at 2..9 of each decade."""
    cv.rgb((0.94, 0.94, 0.94))
    cv.dash(())
    for lo, hi, vertical in ((xs[0], xs[1], True), (ys[0], ys[1], False)):
        d = lo
        while d < hi:
            for k in range(2, 10):
                if vertical:
                    x, _ = cv.px(d * k, ys[0])
                    cv.line([(x, TOP), (x, H - BOTTOM)])
                else:
                    _, y = cv.px(xs[0], d * k)
                    cv.line([(LEFT, y), (W - RIGHT, y)])
            d *= 10


def draw_axes(cv, xs, ys):
    minor_grid(cv, xs, ys)
    cv.rgb((0.80, 0.80, 0.80))
    cv.dash(())
    e = math.log10(xs[0])
    while e <= math.log10(xs[1]) + 1e-9:
        x, _ = cv.px(10 ** e, ys[0])
        cv.line([(x, TOP), (x, H - BOTTOM)])
        cv.rgb((0.2, 0.2, 0.2))
        cv.text(x, H - BOTTOM + 22, fmt_count(10 ** e), 13, align=0.5)
        cv.rgb((0.80, 0.80, 0.80))
        e += 1
    e = math.log10(ys[0])
    while e <= math.log10(ys[1]) + 1e-9:
        _, y = cv.px(xs[0], 10 ** e)
        cv.line([(LEFT, y), (W - RIGHT, y)])
        cv.rgb((0.2, 0.2, 0.2))
        cv.text(LEFT - 8, y + 5, fmt_secs(10 ** e), 13, align=1.0)
        cv.rgb((0.80, 0.80, 0.80))
        e += 1
    cv.rgb((0.2, 0.2, 0.2))
    cv.line([(LEFT, TOP), (LEFT, H - BOTTOM), (W - RIGHT, H - BOTTOM)], 1.5)
    cv.text((LEFT + W - RIGHT) / 2, H - 22, "GC-tracked objects in the heap", 15, align=0.5)
    cv.text(28, (TOP + H - BOTTOM) / 2, "time (median)", 15, align=0.5, rotate=True)


def marker(cv, x, y, side):
    """objref a filled disc, objgraph a white disc with a ring, the floor a square."""
    if side == "floor":
        cv.c.rectangle(cv.cr, x - 3.5, y - 3.5, 7, 7)
        cv.c.fill(cv.cr)
        return
    cv.c.arc(cv.cr, x, y, 4.5, 0, 2 * math.pi)
    cv.c.fill(cv.cr)
    if side == "peer":
        cv.c.save(cv.cr)
        cv.rgb((1, 1, 1))
        cv.c.arc(cv.cr, x, y, 2.5, 0, 2 * math.pi)
        cv.c.fill(cv.cr)
        cv.c.restore(cv.cr)


def draw(path, sizes, title):
    data = series(sizes)
    if not data:
        raise ValueError("nothing to plot")
    xs = decades(min(x for d in data for x, _ in d[3]), max(x for d in data for x, _ in d[3]))
    ys = decades(min(y for d in data for _, y in d[3]), max(y for d in data for _, y in d[3]))
    cv = Canvas(Cairo(), xs, ys)
    cv.rgb((1, 1, 1))
    cv.c.paint(cv.cr)
    draw_axes(cv, xs, ys)
    cv.rgb((0.1, 0.1, 0.1))
    cv.text(LEFT, 34, title, 17, bold=True)
    ly = TOP + 10
    for label, colour, dash, pts, side in data:
        cv.rgb(colour)
        cv.dash(dash)
        xy = [cv.px(x, y) for x, y in pts]
        if len(xy) > 1:
            cv.line(xy, 2.5)
        cv.dash(())
        for x, y in xy:
            marker(cv, x, y, side)
        lx = W - RIGHT + 20
        cv.dash(dash)
        cv.line([(lx, ly), (lx + 40, ly)], 2.5)
        cv.dash(())
        marker(cv, lx + 20, ly, side)
        cv.rgb((0.1, 0.1, 0.1))
        cv.text(lx + 48, ly + 5, label, 13)
        ly += 24
    cv.finish(path)
