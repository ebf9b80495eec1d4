/*
 * tests/c/test-error.c — version, error codes and the per-thread message.
 */
#include <pthread.h>

#include "test.h"

TEST_IMPL(version)
{
	ASSERT_STR_EQ(objref_version(), OBJREF_VERSION);
	return TEST_OK;
}

/* A failure leaves a message; success does not erase it; clear does. */
TEST_IMPL(error_message)
{
	objref_snapshot *snap = NULL;
	objref_builder *b = NULL;
	const objref_id *targets;
	const objref_label *labels;
	size_t n;
	char saved[512];

	objref_error_clear();
	ASSERT_STR_EQ(objref_error_last(), "");

	ASSERT_OK(objref_builder_new(&b));
	ASSERT_OK(objref_builder_finish(&snap, b));
	ASSERT_ERR(objref_snapshot_edges(&targets, &labels, &n, snap, 0), OBJREF_EINVAL);
	ASSERT_NE(objref_error_last()[0], '\0');
	snprintf(saved, sizeof(saved), "%s", objref_error_last());

	ASSERT_OK(objref_snapshot_validate(snap));
	ASSERT_STR_EQ(objref_error_last(), saved);

	objref_error_clear();
	ASSERT_STR_EQ(objref_error_last(), "");
	objref_snapshot_free(snap);
	return TEST_OK;
}

struct thread_result {
	objref_snapshot *snap;
	int rc;
	char msg[256];
};

static void *fail_in_thread(void *arg)
{
	struct thread_result *r = arg;
	const objref_id *targets;
	const objref_label *labels;
	size_t n;

	r->rc = objref_snapshot_edges(&targets, &labels, &n, r->snap, 7);
	snprintf(r->msg, sizeof(r->msg), "%s", objref_error_last());
	return NULL;
}

/* The message is per thread: a failure in another thread is not seen here. */
TEST_IMPL(error_thread_local)
{
	struct thread_result r;
	objref_builder *b = NULL;
	pthread_t th;

	memset(&r, 0, sizeof(r));
	ASSERT_OK(objref_builder_new(&b));
	ASSERT_OK(objref_builder_finish(&r.snap, b));
	objref_error_clear();
	ASSERT_EQ(pthread_create(&th, NULL, fail_in_thread, &r), 0);
	ASSERT_EQ(pthread_join(th, NULL), 0);
	ASSERT_EQ(r.rc, OBJREF_EINVAL);
	ASSERT_NE(r.msg[0], '\0');
	ASSERT_STR_EQ(objref_error_last(), "");
	objref_snapshot_free(r.snap);
	return TEST_OK;
}

/* The codes the header promises, so bindings can rely on them. */
TEST_IMPL(error_codes)
{
	ASSERT_EQ(OBJREF_OK, 0);
	ASSERT_EQ(OBJREF_ERROR, -1);
	ASSERT_EQ(OBJREF_ENOMEM, -2);
	ASSERT_EQ(OBJREF_EINVAL, -3);
	ASSERT_EQ(OBJREF_ENOTFOUND, -4);
	ASSERT_EQ(OBJREF_EIO, -5);
	ASSERT_EQ(OBJREF_EPYTHON, -6);
	ASSERT_EQ(OBJREF_ECORRUPT, -7);
	/* free functions accept NULL */
	objref_snapshot_free(NULL);
	objref_builder_free(NULL);
	objref_census_free(NULL);
	objref_series_free(NULL);
	objref_free(NULL);
	return TEST_OK;
}
