/*
 * tests/c/test-growth.c — objgraph's peak-based growth, and trends over a
 * series of checkpoints.
 */
#include "fixtures.h"
#include "report-fixtures.h"

#define ASSERT_GROWTH(row, nm, cnt, dlt) \
	do { \
		ASSERT_STR_EQ((row).name, nm); \
		ASSERT_EQ((row).count, cnt); \
		ASSERT_EQ((row).delta, dlt); \
	} while (0)

/*
 * objgraph.growth():
 *     for name, count in stats.items():
 *         old_count = peak_stats.get(name, 0)
 *         if count > old_count:
 *             deltas[name] = count - old_count
 *             peak_stats[name] = count
 *     deltas.sort(key=itemgetter(2), reverse=True)
 */
TEST_IMPL(growth_since_peak)
{
	objref_census *peaks = NULL, *now1 = NULL, *now2 = NULL, *now3 = NULL;
	objref_growth_row *rows = NULL;
	size_t n = 99;

	ASSERT_OK(objref_census_new(&peaks));
	CHECK(fx_census(&now1, "a=5 b=3"));
	ASSERT_OK(objref_growth_since_peak(&rows, &n, peaks, now1));
	ASSERT_EQ(n, 2);
	ASSERT_GROWTH(rows[0], "a", 5, 5);
	ASSERT_GROWTH(rows[1], "b", 3, 3);
	/* names are borrowed from `now` */
	ASSERT_PTR_EQ(rows[0].name, objref_census_find(now1, "a")->name);
	objref_free(rows);
	ASSERT_EQ(objref_census_find(peaks, "a")->count, 5);
	ASSERT_EQ(objref_census_find(peaks, "b")->count, 3);

	/* a fell below its peak: not reported, peak kept */
	CHECK(fx_census(&now2, "a=4 b=10 c=1"));
	ASSERT_OK(objref_growth_since_peak(&rows, &n, peaks, now2));
	ASSERT_EQ(n, 2);
	ASSERT_GROWTH(rows[0], "b", 10, 7);
	ASSERT_GROWTH(rows[1], "c", 1, 1);
	objref_free(rows);
	ASSERT_EQ(objref_census_find(peaks, "a")->count, 5);
	ASSERT_EQ(objref_census_find(peaks, "b")->count, 10);
	ASSERT_EQ(objref_census_find(peaks, "c")->count, 1);

	/* a comes back to 5 (its peak, not above): nothing; then to 6: +1 */
	CHECK(fx_census(&now3, "a=5 b=10 c=1"));
	rows = NULL;
	ASSERT_OK(objref_growth_since_peak(&rows, &n, peaks, now3));
	ASSERT_EQ(n, 0);
	objref_free(rows);
	ASSERT_OK(objref_census_add(now3, "a", 1, 1, 0));
	ASSERT_OK(objref_growth_since_peak(&rows, &n, peaks, now3));
	ASSERT_EQ(n, 1);
	ASSERT_GROWTH(rows[0], "a", 6, 1);
	objref_free(rows);
	ASSERT_EQ(objref_census_find(peaks, "a")->count, 6);

	objref_census_free(now1);
	objref_census_free(now2);
	objref_census_free(now3);
	objref_census_free(peaks);
	return TEST_OK;
}

/* Equal deltas keep the order of `now` (Python's sort is stable, also with
 * reverse=True); counts above 32 bits are kept. */
TEST_IMPL(growth_ties_stable)
{
	objref_census *peaks = NULL, *now = NULL;
	objref_growth_row *rows = NULL;
	size_t n = 0;

	CHECK(fx_census(&peaks, "z=10 q=1"));
	CHECK(fx_census(&now, "x=2 y=5 z=12 w=2 q=5000000001"));
	ASSERT_OK(objref_growth_since_peak(&rows, &n, peaks, now));
	ASSERT_EQ(n, 5);
	ASSERT_GROWTH(rows[0], "q", 5000000001ull, 5000000000ull);
	ASSERT_GROWTH(rows[1], "y", 5, 5);
	ASSERT_GROWTH(rows[2], "x", 2, 2);
	ASSERT_GROWTH(rows[3], "z", 12, 2);
	ASSERT_GROWTH(rows[4], "w", 2, 2);
	objref_free(rows);
	objref_census_free(now);
	objref_census_free(peaks);
	return TEST_OK;
}

TEST_IMPL(series_basic)
{
	objref_series *s = NULL;
	objref_census *c = NULL;
	const char *label;

	ASSERT_OK(objref_series_new(&s));
	ASSERT_EQ(objref_series_len(s), 0);
	CHECK(fx_census(&c, "a=1"));
	ASSERT_OK(objref_series_add(s, c, 1.5, "start"));
	CHECK(fx_census(&c, "a=2"));
	ASSERT_OK(objref_series_add(s, c, 2.25, NULL));
	CHECK(fx_census(&c, "a=3"));
	ASSERT_OK(objref_series_add(s, c, 7.0, "end"));
	ASSERT_EQ(objref_series_len(s), 3);
	ASSERT_DBL_NEAR(objref_series_time(s, 0), 1.5, 0);
	ASSERT_DBL_NEAR(objref_series_time(s, 1), 2.25, 0);
	ASSERT_DBL_NEAR(objref_series_time(s, 2), 7.0, 0);
	ASSERT_STR_EQ(objref_series_label(s, 0), "start");
	label = objref_series_label(s, 1);
	ASSERT(label == NULL || label[0] == '\0');
	ASSERT_STR_EQ(objref_series_label(s, 2), "end");
	ASSERT_PTR_EQ(objref_series_census(s, 2), c); /* owned, not copied */
	ASSERT_EQ(objref_census_find(objref_series_census(s, 0), "a")->count, 1);
	ASSERT_EQ(objref_census_find(objref_series_census(s, 1), "a")->count, 2);
	objref_series_clear(s);
	ASSERT_EQ(objref_series_len(s), 0);
	CHECK(fx_census(&c, "b=1"));
	ASSERT_OK(objref_series_add(s, c, 8.0, "again"));
	ASSERT_EQ(objref_series_len(s), 1);
	ASSERT_STR_EQ(objref_series_label(s, 0), "again");
	objref_series_free(s);
	return TEST_OK;
}

enum { K = 5 }; /* checkpoints in the trend tests */

/* The shapes the trend tests use, one type each. */
static const char *const shape_names[] = {
	"riser", "updown", "updown_net", "flat", "noise", "late", "newcomer", "gone",
	"spike_back",
};
static const uint64_t shape_counts[][K] = {
	{10, 20, 30, 40, 50},  /* riser: +10 each interval */
	{10, 20, 10, 20, 10},  /* updown: rises in half the intervals */
	{10, 40, 35, 60, 55},  /* updown_net: rises 2/4, net 45, falls 10 */
	{7, 7, 7, 7, 7},       /* flat */
	{10, 11, 10, 11, 12},  /* noise: rises 3/4, net 2 > falls 1 */
	{5, 5, 10, 20, 30},    /* late: flat, then steady from ckpt 1 */
	{0, 5, 10, 15, 20},    /* newcomer: no row at ckpt 0 */
	{10, 20, 30, 40, 0},   /* gone: no row at the last ckpt */
	{10, 20, 30, 40, 15},  /* spike_back: rises 3/4 but net 5 <= falls 25 */
};
static const uint64_t shape_units[] = {8, 8, 8, 8, 8, 100, 4, 8, 8};

static int shapes_series(objref_series **s)
{
	return fx_series(s, K, ARRAY_SIZE(shape_names), shape_names, &shape_counts[0][0],
		shape_units);
}

TEST_IMPL(series_growing_default)
{
	objref_series *s = NULL;
	objref_growing_row *rows = NULL;
	const objref_growing_row *r;
	size_t n = 0;

	CHECK(shapes_series(&s));
	ASSERT_OK(objref_series_growing(&rows, &n, s, NULL));
	ASSERT_EQ(n, 4);

	r = fx_growing_find(rows, n, "riser");
	ASSERT_NOT_NULL(r);
	ASSERT_EQ(r->first, 10);
	ASSERT_EQ(r->last, 50);
	ASSERT_EQ(r->last_bytes, 400);
	ASSERT_DBL_NEAR(r->objects_per_ckpt, 10.0, 1e-9);
	ASSERT_DBL_NEAR(r->bytes_per_ckpt, 80.0, 1e-9);
	ASSERT_EQ(r->rises, 4);
	ASSERT_EQ(r->falls, 0);
	ASSERT_EQ(r->intervals, 4);
	/* the name is borrowed from the last census */
	ASSERT_PTR_EQ(r->name, objref_census_find(objref_series_census(s, K - 1), "riser")->name);

	r = fx_growing_find(rows, n, "noise");
	ASSERT_NOT_NULL(r);
	ASSERT_EQ(r->rises, 3);
	ASSERT_EQ(r->falls, 1);
	ASSERT_DBL_NEAR(r->objects_per_ckpt, 0.5, 1e-9);

	r = fx_growing_find(rows, n, "late");
	ASSERT_NOT_NULL(r);
	ASSERT_EQ(r->rises, 3);
	ASSERT_EQ(r->falls, 0);
	ASSERT_DBL_NEAR(r->objects_per_ckpt, 25.0 / 4, 1e-9);
	ASSERT_DBL_NEAR(r->bytes_per_ckpt, 2500.0 / 4, 1e-9);

	r = fx_growing_find(rows, n, "newcomer");
	ASSERT_NOT_NULL(r);
	ASSERT_EQ(r->first, 0);
	ASSERT_EQ(r->last, 20);
	ASSERT_EQ(r->rises, 4);
	ASSERT_DBL_NEAR(r->objects_per_ckpt, 5.0, 1e-9);

	ASSERT_NULL(fx_growing_find(rows, n, "updown"));
	ASSERT_NULL(fx_growing_find(rows, n, "updown_net"));
	ASSERT_NULL(fx_growing_find(rows, n, "flat"));
	ASSERT_NULL(fx_growing_find(rows, n, "gone"));
	ASSERT_NULL(fx_growing_find(rows, n, "spike_back"));

	/* ranked by objects per checkpoint */
	ASSERT_STR_EQ(rows[0].name, "riser");   /* 10 */
	ASSERT_STR_EQ(rows[1].name, "late");    /* 6.25 */
	ASSERT_STR_EQ(rows[2].name, "newcomer"); /* 5 */
	ASSERT_STR_EQ(rows[3].name, "noise");   /* 0.5 */
	objref_free(rows);
	objref_series_free(s);
	return TEST_OK;
}

/* steady_since: the checkpoint from which every interval rose.  A type that
 * rose from the start is steady one checkpoint earlier than one that was
 * flat over the first interval. */
TEST_IMPL(series_growing_steady_since)
{
	objref_series *s = NULL;
	objref_growing_row *rows = NULL;
	const objref_growing_row *riser, *late, *noise;
	size_t n = 0;

	CHECK(shapes_series(&s));
	ASSERT_OK(objref_series_growing(&rows, &n, s, NULL));
	riser = fx_growing_find(rows, n, "riser");
	late = fx_growing_find(rows, n, "late");
	noise = fx_growing_find(rows, n, "noise");
	ASSERT_NOT_NULL(riser);
	ASSERT_NOT_NULL(late);
	ASSERT_NOT_NULL(noise);
	ASSERT_EQ(riser->steady_since, 0);
	ASSERT_EQ(late->steady_since, 1);
	ASSERT_EQ(noise->steady_since, 2); /* 10 -> 11 -> 12 from ckpt 2 */
	objref_free(rows);
	objref_series_free(s);
	return TEST_OK;
}

/* The options: a lower rise fraction admits updown_net (net 45 > falls 10)
 * but still not updown (net 0); min_net is a strict bound. */
TEST_IMPL(series_growing_opts)
{
	objref_series *s = NULL;
	objref_growing_row *rows = NULL;
	objref_growth_opts opts = OBJREF_GROWTH_OPTS_INIT;
	size_t n = 0;

	ASSERT_DBL_NEAR(opts.min_rise_fraction, 0.5, 0);
	ASSERT_EQ(opts.min_net, 0);
	CHECK(shapes_series(&s));

	opts.min_rise_fraction = 0.4;
	ASSERT_OK(objref_series_growing(&rows, &n, s, &opts));
	ASSERT_NOT_NULL(fx_growing_find(rows, n, "updown_net"));
	ASSERT_NULL(fx_growing_find(rows, n, "updown"));
	ASSERT_NULL(fx_growing_find(rows, n, "spike_back"));
	ASSERT_EQ(n, 5);
	objref_free(rows);

	opts.min_rise_fraction = 0.5;
	opts.min_net = 2; /* noise's net growth is exactly 2: not above */
	ASSERT_OK(objref_series_growing(&rows, &n, s, &opts));
	ASSERT_NULL(fx_growing_find(rows, n, "noise"));
	ASSERT_NOT_NULL(fx_growing_find(rows, n, "riser"));
	ASSERT_EQ(n, 3);
	objref_free(rows);

	opts.min_net = 1;
	ASSERT_OK(objref_series_growing(&rows, &n, s, &opts));
	ASSERT_NOT_NULL(fx_growing_find(rows, n, "noise"));
	ASSERT_EQ(n, 4);
	objref_free(rows);

	opts.min_net = 40; /* riser +40, late +25, newcomer +20 */
	ASSERT_OK(objref_series_growing(&rows, &n, s, &opts));
	ASSERT_EQ(n, 0);
	objref_free(rows);

	opts.min_rise_fraction = 0.75; /* more than 3/4: only 4/4 */
	opts.min_net = 0;
	ASSERT_OK(objref_series_growing(&rows, &n, s, &opts));
	ASSERT_EQ(n, 2);
	ASSERT_STR_EQ(rows[0].name, "riser");
	ASSERT_STR_EQ(rows[1].name, "newcomer");
	objref_free(rows);
	objref_series_free(s);
	return TEST_OK;
}

/* Equal objects per checkpoint: more bytes per checkpoint first. */
TEST_IMPL(series_growing_rank_bytes)
{
	static const char *const names[] = {"small", "big", "fast"};
	static const uint64_t counts[] = {
		1, 2, 3,
		1, 2, 3,
		1, 5, 9,
	};
	static const uint64_t units[] = {8, 100, 1};
	objref_series *s = NULL;
	objref_growing_row *rows = NULL;
	size_t n = 0;

	CHECK(fx_series(&s, 3, 3, names, counts, units));
	ASSERT_OK(objref_series_growing(&rows, &n, s, NULL));
	ASSERT_EQ(n, 3);
	ASSERT_STR_EQ(rows[0].name, "fast");
	ASSERT_STR_EQ(rows[1].name, "big");
	ASSERT_STR_EQ(rows[2].name, "small");
	ASSERT_DBL_NEAR(rows[1].bytes_per_ckpt, 100.0, 1e-9);
	ASSERT_DBL_NEAR(rows[2].bytes_per_ckpt, 8.0, 1e-9);
	objref_free(rows);
	objref_series_free(s);
	return TEST_OK;
}

/* Fewer than two checkpoints: no trend can be reported. */
TEST_IMPL(series_growing_too_short)
{
	static const char *const names[] = {"a"};
	static const uint64_t counts[] = {10};
	objref_series *s = NULL;
	objref_growing_row *rows = NULL;
	size_t n = 0;
	int rc;

	ASSERT_OK(objref_series_new(&s));
	rc = objref_series_growing(&rows, &n, s, NULL);
	ASSERT(rc < 0 || n == 0);
	if (rc == 0)
		objref_free(rows);
	objref_series_free(s);

	CHECK(fx_series(&s, 1, 1, names, counts, NULL));
	rows = NULL;
	n = 0;
	rc = objref_series_growing(&rows, &n, s, NULL);
	ASSERT(rc < 0 || n == 0);
	if (rc == 0)
		objref_free(rows);
	objref_series_free(s);
	return TEST_OK;
}

/* Two checkpoints: one interval, so any rise is "most intervals". */
TEST_IMPL(series_growing_two)
{
	static const char *const names[] = {"up", "down", "same"};
	static const uint64_t counts[] = {3, 4, 9, 8, 5, 5};
	objref_series *s = NULL;
	objref_growing_row *rows = NULL;
	size_t n = 0;

	CHECK(fx_series(&s, 2, 3, names, counts, NULL));
	ASSERT_OK(objref_series_growing(&rows, &n, s, NULL));
	ASSERT_EQ(n, 1);
	ASSERT_STR_EQ(rows[0].name, "up");
	ASSERT_EQ(rows[0].intervals, 1);
	ASSERT_EQ(rows[0].rises, 1);
	ASSERT_DBL_NEAR(rows[0].objects_per_ckpt, 1.0, 1e-9);
	objref_free(rows);
	objref_series_free(s);
	return TEST_OK;
}

/* ---- growth that ended before the last checkpoint -------------------------- */

enum { E = 13 }; /* checkpoints: 0..10 rising, 11 the peak kept, 12 the end */

static const char *const ended_names[] = { "pooled", "spike", "steady", "half", "partial", "flat" };
static const uint64_t ended_counts[][E] = {
	/* pooled: +60 for 10 intervals (1..11), then freed at the end */
	{ 12, 12, 72, 132, 192, 252, 312, 372, 432, 492, 552, 612, 12 },
	/* spike: one rise, back down */
	{ 5, 5, 5, 5, 5, 5, 500, 5, 5, 5, 5, 5, 5 },
	/* steady: grows to the end (objref_series_growing's) */
	{ 10, 20, 30, 40, 50, 60, 70, 80, 90, 100, 110, 120, 130 },
	/* half: grew over the first half only, then freed */
	{ 0, 10, 20, 30, 40, 50, 60, 0, 0, 0, 0, 0, 0 },
	/* partial: +10 for 9 intervals, then 70 of the 90 freed */
	{ 100, 110, 120, 130, 140, 150, 160, 170, 180, 190, 190, 190, 120 },
	{ 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7 },
};
static const uint64_t ended_units[] = { 64, 8, 8, 8, 16, 8 };

/* The census of checkpoint k of the table above. */
static int ended_census(objref_census **out, size_t k)
{
	int err = objref_census_new(out);

	for (size_t t = 0; !err && t < ARRAY_SIZE(ended_names); t++)
		if (ended_counts[t][k])
			err = objref_census_add(*out, ended_names[t], strlen(ended_names[t]),
				ended_counts[t][k], ended_counts[t][k] * ended_units[t]);
	return err;
}

static int make_ended(objref_series **s, const char *last_label)
{
	int err = objref_series_new(s);

	for (size_t k = 0; !err && k < E; k++) {
		objref_census *c = NULL;
		if ((err = ended_census(&c, k)) != 0) {
			objref_census_free(c);
			break;
		}
		err = objref_series_add(*s, c, 0.5 * (double)k, k + 1 == E ? last_label : "interval");
	}
	return err;
}

/* Growth over most of the run, then a drop: reported with its rate while
 * it grew and how long; a spike, a first-half growth and a flat type are
 * not; a type growing to the end stays objref_series_growing's. */
TEST_IMPL(series_ended_rule)
{
	objref_series *s = NULL;
	objref_ended_row *rows = NULL;
	objref_growing_row *grow = NULL;
	size_t n = 0, ng = 0;

	CHECK(make_ended(&s, "end"));
	ASSERT_OK(objref_series_ended(&rows, &n, s, NULL));
	ASSERT_EQ(n, 2);
	ASSERT_STR_EQ(rows[0].name, "pooled");
	ASSERT_EQ(rows[0].first, 12);
	ASSERT_EQ(rows[0].peak, 612);
	ASSERT_EQ(rows[0].last, 12);
	ASSERT_EQ(rows[0].peak_at, 11);  /* the first checkpoint at the maximum */
	ASSERT_EQ(rows[0].rises, 10);
	ASSERT_EQ(rows[0].intervals, 12);
	ASSERT_DBL_NEAR(rows[0].objects_per_ckpt, 600.0 / 11, 1e-9);
	ASSERT_DBL_NEAR(rows[0].bytes_per_ckpt, 600.0 * 64 / 11, 1e-9);
	ASSERT_DBL_NEAR(rows[0].peak_seconds, 5.5, 1e-9);
	ASSERT_STR_EQ(rows[0].last_label, "end");
	ASSERT_EQ(rows[0].fell_at, 12);
	/* the name is borrowed from the census of the peak */
	ASSERT_PTR_EQ(rows[0].name, objref_census_find(objref_series_census(s, 11), "pooled")->name);
	ASSERT_STR_EQ(rows[1].name, "partial");
	ASSERT_EQ(rows[1].peak_at, 9);
	ASSERT_EQ(rows[1].rises, 9);
	ASSERT_DBL_NEAR(rows[1].objects_per_ckpt, 10.0, 1e-9);
	ASSERT_EQ(rows[1].last, 120);
	ASSERT_EQ(rows[1].fell_at, 12);
	objref_free(rows);

	/* the steady riser is growing, as before; pooled is not */
	ASSERT_OK(objref_series_growing(&grow, &ng, s, NULL));
	ASSERT_EQ(ng, 1);
	ASSERT_STR_EQ(grow[0].name, "steady");
	objref_free(grow);
	objref_series_free(s);
	return TEST_OK;
}

/* The rule on short series: a type that rose once and fell is a spike; four
 * checkpoints with two rises before the fall are enough; a type absent
 * from the last census (all freed) is found. */
TEST_IMPL(series_ended_short)
{
	static const char *const names[] = { "up2", "up1" };
	static const uint64_t counts[] = { 1, 2, 3, 0, 1, 1, 9, 1 };
	objref_series *s = NULL;
	objref_ended_row *rows = NULL;
	size_t n = 9;

	CHECK(fx_series(&s, 3, 2, names, counts, NULL));
	ASSERT_OK(objref_series_ended(&rows, &n, s, NULL));
	ASSERT_EQ(n, 0);
	objref_free(rows);
	objref_series_free(s);

	CHECK(fx_series(&s, 4, 2, names, counts, NULL));
	ASSERT_OK(objref_series_ended(&rows, &n, s, NULL));
	ASSERT_EQ(n, 1);
	ASSERT_STR_EQ(rows[0].name, "up2");
	ASSERT_EQ(rows[0].peak, 3);
	ASSERT_EQ(rows[0].last, 0);
	ASSERT_EQ(rows[0].peak_at, 2);
	ASSERT_DBL_NEAR(rows[0].objects_per_ckpt, 1.0, 1e-9);
	ASSERT_EQ(rows[0].fell_at, 3);
	objref_free(rows);
	objref_series_free(s);
	return TEST_OK;
}

/* Freed before the end, not at it: the text names the checkpoint it was
 * freed by, even when the last one is the program's end. */
TEST_IMPL(series_ended_mid_run)
{
	static const char *const names[] = { "cache" };
	/* 90 % of the fall (to 4) is made by checkpoint 9: one more object at
	   the end's is noise */
	static const uint64_t counts[] = { 0, 100, 200, 300, 400, 500, 600, 700, 80, 5, 4 };
	objref_series *s = NULL;
	objref_ended_row *rows = NULL;
	objref_buf b = { 0 };
	size_t n = 0;

	ASSERT_OK(objref_series_new(&s));
	for (size_t k = 0; k < ARRAY_SIZE(counts); k++) {
		objref_census *c = NULL;
		ASSERT_OK(objref_census_new(&c));
		if (counts[k])
			ASSERT_OK(objref_census_add(c, names[0], 5, counts[k], 8 * counts[k]));
		ASSERT_OK(objref_series_add(s, c, (double)k, k + 1 == ARRAY_SIZE(counts) ? "end" : NULL));
	}
	ASSERT_OK(objref_series_ended(&rows, &n, s, NULL));
	ASSERT_EQ(n, 1);
	ASSERT_EQ(rows[0].peak_at, 7);
	ASSERT_EQ(rows[0].fell_at, 9);
	ASSERT_OK(objref_format_ended(&b, rows, n));
	ASSERT_STR_EQ(b.data, "  cache +100/ckpt  (+800 B)  for 7 checkpoints, up to 700 at ckpt 8; "
		"696 of 700 freed by ckpt 10\n");
	objref_buf_dispose(&b);
	objref_free(rows);
	objref_series_free(s);
	return TEST_OK;
}

/* The text and JSON of the rows: "at exit" only after a checkpoint "end". */
TEST_IMPL(format_ended)
{
	objref_series *s = NULL;
	objref_ended_row *rows = NULL;
	objref_buf b = { 0 };
	objref_json w = OBJREF_JSON_INIT(&b);
	size_t n = 0;

	CHECK(make_ended(&s, "end"));
	ASSERT_OK(objref_series_ended(&rows, &n, s, NULL));
	ASSERT_OK(objref_format_ended(&b, rows, n));
	ASSERT_STR_EQ(b.data,
		"  pooled  +55/ckpt  (+3.4 KB)  for 11 checkpoints, up to 612 at ckpt 12; freed at exit (12 left)\n"
		"  partial +10/ckpt  (+160 B)   for 9 checkpoints, up to 190 at ckpt 10; 70 of 90 freed at exit\n");
	objref_buf_dispose(&b);
	ASSERT_OK(objref_ended_json(&w, rows, 1));
	ASSERT_NOT_NULL(strstr(b.data, "\"type\": \"pooled\""));
	ASSERT_NOT_NULL(strstr(b.data, "\"peak_checkpoint\": 12"));
	ASSERT_NOT_NULL(strstr(b.data, "\"freed_by_checkpoint\": 13"));
	ASSERT_NOT_NULL(strstr(b.data, "\"freed_at_exit\": true"));
	objref_buf_dispose(&b);
	objref_free(rows);
	objref_series_free(s);

	CHECK(make_ended(&s, "duration"));
	ASSERT_OK(objref_series_ended(&rows, &n, s, NULL));
	ASSERT_OK(objref_format_ended(&b, rows, 1));
	/* not the program's end: the checkpoint it was freed by */
	ASSERT_NOT_NULL(strstr(b.data, "freed by ckpt 13 (12 left)"));
	objref_buf_dispose(&b);
	objref_free(rows);
	objref_series_free(s);
	return TEST_OK;
}

/* When the chains of a growing type are due: at the confirmed checkpoints
 * 2, 4, 8 ..., and once after the fastest-growing type changed; never for
 * a type that does not grow. */
TEST_IMPL(growth_watch_due)
{
	static const char *const names[] = { "a", "b" };
	/* a leads from the start; b overtakes it from checkpoint 6 */
	static const uint64_t counts[2][12] = {
		{ 0, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100, 110 },
		{ 0, 1, 2, 3, 4, 5, 100, 200, 300, 400, 500, 600 },
	};
	objref_growth_watch w = OBJREF_GROWTH_WATCH_INIT, wb = OBJREF_GROWTH_WATCH_INIT,
		wc = OBJREF_GROWTH_WATCH_INIT;
	objref_series *s = NULL;
	const char *type;
	char got[12][4];
	int due[12];

	ASSERT_OK(objref_series_new(&s));
	for (size_t k = 0; k < 12; k++) {
		objref_census *c = NULL;
		ASSERT_OK(objref_census_new(&c));
		for (size_t t = 0; t < 2; t++)
			if (counts[t][k])
				ASSERT_OK(objref_census_add(c, names[t], 1, counts[t][k], 0));
		ASSERT_OK(objref_series_add(s, c, (double)k, NULL));
		due[k] = objref_growth_watch_due(&type, &w, s, NULL, 1e9);
		ASSERT(due[k] >= 0);
		snprintf(got[k], sizeof(got[k]), "%s", due[k] ? type : "-");
		if (!due[k])
			ASSERT_NULL(type);
	}
	/* confirmed from checkpoint 1 (two censuses): numbers 1..11 */
	ASSERT_EQ(w.confirmed, 11);
	ASSERT_STR_EQ(got[0], "-");
	ASSERT_STR_EQ(got[1], "-");  /* confirmed 1: not yet */
	ASSERT_STR_EQ(got[2], "a");  /* 2 */
	ASSERT_STR_EQ(got[3], "-");
	ASSERT_STR_EQ(got[4], "a");  /* 4 */
	ASSERT_STR_EQ(got[5], "-");
	ASSERT_STR_EQ(got[6], "b");  /* b leads (100/6 > 60/6): the change */
	ASSERT_STR_EQ(got[7], "-");
	ASSERT_STR_EQ(got[8], "b");  /* 8 */
	ASSERT_STR_EQ(got[11], "-");
	{
		int changes = 0;
		for (size_t k = 5; k < 12; k++)
			changes += due[k] && k != 8;
		ASSERT_EQ(changes, 1);
	}
	objref_growth_watch_dispose(&w);
	ASSERT_NULL(w.type);

	/* only "b" (as --type module.b): its own confirmations */
	ASSERT_EQ(objref_growth_watch_due(&type, &wb, s, "mod.b", 1e9), 0); /* confirmed 1 */
	ASSERT_EQ(objref_growth_watch_due(&type, &wb, s, "mod.b", 1e9), 1); /* confirmed 2 */
	ASSERT_STR_EQ(type, "mod.b");
	objref_growth_watch_dispose(&wb);
	ASSERT_EQ(objref_growth_watch_due(&type, &wc, s, "c", 1e9), 0);
	ASSERT_EQ(wc.confirmed, 0);
	objref_growth_watch_dispose(&wc);
	objref_series_free(s);
	return TEST_OK;
}

/* A long run: takes at the confirmed checkpoints 2, 4, 8 ... only; a type
 * that starts growing late (after 16 checkpoints) is confirmed at the
 * first ranking at which it grows, and followed between rankings. */
TEST_IMPL(growth_watch_long)
{
	enum { N = 70 };
	objref_growth_watch w = OBJREF_GROWTH_WATCH_INIT, late = OBJREF_GROWTH_WATCH_INIT;
	objref_series *s = NULL;
	const char *type;
	size_t takes = 0, late_takes = 0, last_late = 0;

	ASSERT_OK(objref_series_new(&s));
	for (size_t k = 0; k < N; k++) {
		objref_census *c = NULL;
		ASSERT_OK(objref_census_new(&c));
		ASSERT_OK(objref_census_add(c, "steady", 6, 10 * k + 1, 0));
		if (k >= 20)
			ASSERT_OK(objref_census_add(c, "late", 4, 5 * (k - 19), 0));
		ASSERT_OK(objref_series_add(s, c, (double)k, NULL));
		if (objref_growth_watch_due(&type, &w, s, NULL, 1e9) == 1) {
			ASSERT_STR_EQ(type, "steady");
			takes++;
		}
		if (objref_growth_watch_due(&type, &late, s, "late", 1e9) == 1) {
			ASSERT_STR_EQ(type, "late");
			late_takes++;
			last_late = k;
		}
	}
	ASSERT_EQ(w.confirmed, N - 1);
	ASSERT_EQ(takes, 6); /* confirmed 2, 4, 8, 16, 32, 64 (checkpoint k is confirmed k) */
	/* late rose in 12 of the 31 intervals at the ranking of 32 checkpoints:
	   not growing yet; at 64's (44 of 63) it is (confirmed 1), then followed
	   between rankings: 65 (2) and 67 (4) */
	ASSERT_EQ(late.confirmed, 7);
	ASSERT_EQ(late_takes, 2);
	ASSERT_EQ(last_late, 66);
	objref_growth_watch_dispose(&w);
	objref_growth_watch_dispose(&late);
	objref_series_free(s);
	return TEST_OK;
}

/* The rule, its text and JSON, and the watch over a growing series: text
 * gets every output. */
static int ended_path(objref_buf *text, void *arg)
{
	objref_series *s = NULL;
	objref_ended_row *rows = NULL;
	objref_growth_watch w = OBJREF_GROWTH_WATCH_INIT;
	objref_json j = OBJREF_JSON_INIT(text);
	const char *type;
	size_t n = 0;
	int rc;

	(void)arg;
	if ((rc = objref_series_new(&s)) != 0)
		goto cleanup;
	for (size_t k = 0; k < E; k++) {
		objref_census *c = NULL;
		if ((rc = ended_census(&c, k)) != 0) {
			objref_census_free(c);
			goto cleanup;
		}
		if ((rc = objref_series_add(s, c, (double)k, k + 1 == E ? "end" : NULL)) != 0)
			goto cleanup;
		if ((rc = objref_growth_watch_due(&type, &w, s, NULL, 1e9)) < 0)
			goto cleanup;
		if (rc == 1 && (rc = objref_buf_printf(text, "due %zu %s\n", k, type)) != 0)
			goto cleanup;
	}
	if ((rc = objref_series_ended(&rows, &n, s, NULL)) != 0 ||
	    (rc = objref_format_ended(text, rows, n)) != 0 ||
	    (rc = objref_ended_json(&j, rows, n)) != 0)
		goto cleanup;
cleanup:
	objref_growth_watch_dispose(&w);
	objref_free(rows);
	objref_series_free(s);
	return rc;
}

TEST_IMPL(fault_series_ended)
{
	return rf_fault_each(ended_path, NULL, 20);
}

/* The budget: a take that would pause the program more than a fifth of
 * its time so far waits for a later confirmed checkpoint; the cost is
 * estimated from the last take's seconds per object. */
TEST_IMPL(growth_watch_budget)
{
	objref_growth_watch w = OBJREF_GROWTH_WATCH_INIT;
	objref_series *s = NULL;
	const char *type;
	int due[12];

	ASSERT_OK(objref_series_new(&s));
	for (size_t k = 0; k < 12; k++) {
		objref_census *c = NULL;
		ASSERT_OK(objref_census_new(&c));
		/* a heap of 9e5 objects: 0.9 s a take at 1 us an object */
		ASSERT_OK(objref_census_add(c, "base", 4, 900000, 0));
		ASSERT_OK(objref_census_add(c, "leak", 4, 100 * k + 1, 0));
		ASSERT_OK(objref_series_add(s, c, (double)k, NULL));
		/* one second a checkpoint: the budget is 0.2 s a second run */
		due[k] = objref_growth_watch_due(&type, &w, s, NULL, (double)k + 1);
		ASSERT(due[k] >= 0);
		if (due[k])
			objref_growth_watch_taken(&w, 0.5, 1000000); /* 0.5 us an object */
	}
	/* confirmed 2 at checkpoint 2 (3 s run): 0.9 s > 0.6 s, and > 0.8 s at
	   checkpoint 3: deferred to checkpoint 4 (5 s run: 1 s) */
	ASSERT_EQ(due[2], 0);
	ASSERT_EQ(due[3], 0);
	ASSERT_EQ(due[4], 1);
	/* confirmed 8 at checkpoint 8 (9 s): 0.5 + 0.45 <= 1.8 */
	ASSERT_EQ(due[5] + due[6] + due[7], 0);
	ASSERT_EQ(due[8], 1);
	ASSERT_EQ(due[9] + due[10] + due[11], 0);
	ASSERT_DBL_NEAR(w.per_object, 5e-7, 1e-15);
	ASSERT_DBL_NEAR(w.paused, 1.0, 1e-12);
	objref_growth_watch_dispose(&w);
	ASSERT_EQ(w.paused, 0);
	objref_series_free(s);
	return TEST_OK;
}

/* Beside a type growing to the end, only a growth that ended and dwarfs it
 * (10 times its rate) is reported; with none growing, every one is. */
TEST_IMPL(series_ended_reported)
{
	static const char *const names[] = { "pool", "slow", "small" };
	static const uint64_t counts[] = {
		0, 100, 200, 300, 400, 500, 0,   /* pool: +100, freed */
		1, 2, 3, 4, 5, 6, 7,             /* slow: +1 to the end */
		0, 5, 10, 15, 20, 25, 0,         /* small: +5, freed: not 10 x slow */
	};
	objref_series *s = NULL;
	objref_ended_row *rows = NULL;
	size_t n = 0;

	CHECK(fx_series(&s, 7, 3, names, counts, NULL));
	ASSERT_OK(objref_series_ended(&rows, &n, s, NULL));
	ASSERT_EQ(n, 2);
	objref_free(rows);
	ASSERT_OK(objref_series_ended_reported(&rows, &n, s, NULL));
	ASSERT_EQ(n, 1);
	ASSERT_STR_EQ(rows[0].name, "pool");
	objref_free(rows);
	objref_series_free(s);

	/* the ended fixture: steady (+10) grows to the end; pooled (+54.5) and
	   partial (+10) do not dwarf it */
	CHECK(make_ended(&s, "end"));
	ASSERT_OK(objref_series_ended_reported(&rows, &n, s, NULL));
	ASSERT_EQ(n, 0);
	objref_free(rows);
	objref_series_free(s);
	return TEST_OK;
}
