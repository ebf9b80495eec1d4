/*
 * lib/pngmeta.c — text chunks in PNG files (include/objref/render.h).
 *
 * Writing inserts iTXt chunks right after IHDR without decoding the image
 * (a chunk is: 4-byte big-endian length, 4-byte type, data, CRC-32 over
 * type and data).  Reading goes through libpng, with the limit on the size
 * of a chunk raised: the DOT of a large graph is megabytes.
 */
#include <png.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <errno.h>
#include <zlib.h>
#include "objref/render.h"
#include "internal.h"

#define COMPRESS_ABOVE 1024
#define MAX_TEXT (256u << 20)

static const unsigned char signature[8] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' };

static void put32(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)(v >> 24);
	p[1] = (unsigned char)(v >> 16);
	p[2] = (unsigned char)(v >> 8);
	p[3] = (unsigned char)v;
}

static uint32_t get32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* PNG keywords: 1-79 printable Latin-1 characters, no leading, trailing or
 * double spaces (ASCII here: our keywords are). */
static int keyword_ok(const char *k)
{
	size_t n = strlen(k);

	if (n < 1 || n > 79 || k[0] == ' ' || k[n - 1] == ' ' || strstr(k, "  "))
		return 0;
	for (size_t i = 0; i < n; i++)
		if (k[i] < 32 || k[i] > 126)
			return 0;
	return 1;
}

/* Append one iTXt chunk for t to out. */
static int itxt(objref_buf *out, const objref_png_text *t)
{
	size_t klen = strlen(t->key), tlen = strlen(t->text);
	int compress = tlen > COMPRESS_ABOVE;
	uLongf zlen = compress ? compressBound((uLong)tlen) : (uLongf)tlen;
	size_t head = klen + 5, size;
	unsigned char *chunk;
	int err = 0;

	if (!keyword_ok(t->key))
		return objref__error(OBJREF_EINVAL, "'%s' is not a PNG keyword", t->key);
	if (tlen > MAX_TEXT)
		return objref__error(OBJREF_EINVAL, "a PNG text of %zu bytes is too long", tlen);
	if (!(chunk = objref__malloc(8 + head + zlen + 4)))
		return OBJREF_ENOMEM;
	memcpy(chunk + 4, "iTXt", 4);
	memcpy(chunk + 8, t->key, klen + 1);
	/* compression flag, method 0, empty language tag, empty translated keyword */
	chunk[8 + klen + 1] = (unsigned char)compress;
	chunk[8 + klen + 2] = 0;
	chunk[8 + klen + 3] = 0;
	chunk[8 + klen + 4] = 0;
	if (compress) {
		if (compress2(chunk + 8 + head, &zlen, (const Bytef *)t->text, (uLong)tlen, 6) != Z_OK) {
			err = objref__error(OBJREF_ENOMEM, "zlib could not compress the text '%s'", t->key);
			goto cleanup;
		}
	} else {
		memcpy(chunk + 8 + head, t->text, tlen);
	}
	size = head + zlen;
	put32(chunk, (uint32_t)size);
	put32(chunk + 8 + size, (uint32_t)crc32(crc32(0, Z_NULL, 0), chunk + 4, (uInt)(4 + size)));
	if (objref_buf_put(out, (const char *)chunk, 8 + size + 4) < 0)
		err = OBJREF_ENOMEM;
cleanup:
	objref__free(chunk);
	return err;
}

int objref_png_add_text(objref_buf *out, const unsigned char *png, size_t len,
	const objref_png_text *texts, size_t n)
{
	size_t ihdr_end = 8 + 8 + 13 + 4;

	if (len < ihdr_end || memcmp(png, signature, 8) || memcmp(png + 12, "IHDR", 4) ||
	    get32(png + 8) != 13)
		return objref__error(OBJREF_EINVAL, "not a PNG image (no signature and IHDR)");
	if (objref_buf_put(out, (const char *)png, ihdr_end) < 0)
		return OBJREF_ENOMEM;
	for (size_t i = 0; i < n; i++) {
		int err = itxt(out, &texts[i]);
		if (err < 0)
			return err;
	}
	return objref_buf_put(out, (const char *)png + ihdr_end, len - ihdr_end) < 0 ? OBJREF_ENOMEM : 0;
}

/* ---- reading -------------------------------------------------------------- */

typedef struct {
	jmp_buf jmp;
	char message[200];
} png_failure;

static void on_error(png_structp png, png_const_charp msg)
{
	png_failure *f = png_get_error_ptr(png);

	snprintf(f->message, sizeof(f->message), "%s", msg);
	longjmp(f->jmp, 1);
}

static void on_warning(png_structp png, png_const_charp msg)
{
	(void)png;
	(void)msg;
}

int objref_png_get_text(char **out, size_t *len, const char *path, const char *key)
{
	png_failure failure = { .message = "" };
	png_structp png = NULL;
	png_infop info = NULL;
	png_textp texts;
	unsigned char sig[8];
	FILE *volatile f = fopen(path, "rb");
	volatile int err = OBJREF_ENOTFOUND;
	int ntexts = 0;

	*out = NULL;
	*len = 0;
	if (!f)
		return objref__error(OBJREF_EIO, "cannot read '%s': %s", path, strerror(errno));
	if (fread(sig, 1, 8, f) != 8 || memcmp(sig, signature, 8)) {
		err = objref__error(OBJREF_EINVAL, "'%s' is not a PNG file", path);
		goto cleanup;
	}
	if (!(png = png_create_read_struct(PNG_LIBPNG_VER_STRING, &failure, on_error, on_warning)) ||
	    !(info = png_create_info_struct(png))) {
		err = objref__error(OBJREF_ENOMEM, "libpng could not start reading '%s'", path);
		goto cleanup;
	}
	if (setjmp(failure.jmp)) {
		err = objref__error(OBJREF_EINVAL, "'%s' is a corrupt PNG: %s", path, failure.message);
		goto cleanup;
	}
	png_set_chunk_malloc_max(png, MAX_TEXT);
	png_init_io(png, f);
	png_set_sig_bytes(png, 8);
	png_read_info(png, info);
	png_get_text(png, info, &texts, &ntexts);
	for (int i = 0; i < ntexts; i++) {
		if (strcmp(texts[i].key, key))
			continue;
		size_t n = texts[i].compression >= PNG_ITXT_COMPRESSION_NONE ? texts[i].itxt_length
									    : texts[i].text_length;
		err = (*out = objref__strndup(texts[i].text, n)) ? 0 : OBJREF_ENOMEM;
		*len = n;
		goto cleanup;
	}
	err = objref__error(OBJREF_ENOTFOUND, "'%s' has no '%s' text chunk (not made by objref?)", path, key);
cleanup:
	png_destroy_read_struct(png ? &png : NULL, info ? &info : NULL, NULL);
	fclose(f);
	return err;
}
