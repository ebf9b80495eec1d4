/*
 * tests/c/test-headers.c — the public headers as a user includes them:
 * objref/objref.h alone declares all of libobjref (the buffer, views,
 * rendering), objref/sys/builder.h the builder.
 */
#include "objref/objref.h"
#include "objref/sys/builder.h"
#include "test.h"

TEST_IMPL(header_umbrella)
{
	objref_buf b = OBJREF_BUF_INIT;
	/* declared by the umbrella (view.h, render.h, common.h): */
	int (*dot)(objref_buf *, const objref_view *, const objref_dot_options *) = objref_view_dot;
	void (*free_fn)(void *) = objref_free;
	objref_builder *builder = NULL;

	ASSERT_NE(dot, NULL);
	ASSERT_NE(free_fn, NULL);
	ASSERT_EQ(b.data, NULL);
	ASSERT_EQ(b.len, 0);
	ASSERT_OK(objref_buf_printf(&b, "%d objects", 3));
	ASSERT_STR_EQ(b.data, "3 objects");
	ASSERT_EQ(objref_buf_failed(&b), 0);
	objref_buf_dispose(&b);
	ASSERT_OK(objref_builder_new(&builder));
	objref_builder_free(builder);
	return TEST_OK;
}
