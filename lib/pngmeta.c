/*
 * lib/pngmeta.c — text chunks in PNG files (include/objref/render.h).
 *
 * Writing: libpng writes the signature, the IHDR of the image and the iTXt
 * chunks (compressing and checksumming them); the image's other chunks are
 * copied after them unchanged with png_write_chunk, so the pixels are never
 * decoded and re-encoded (a chunk is: 4-byte big-endian length, 4-byte
 * type, data, CRC-32 over type and data).  Reading goes through libpng,
 * with the limit on the size of a chunk raised: the DOT of a large graph is
 * megabytes.
 */
#include <png.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <errno.h>
#include "objref/render.h"
#include "internal.h"

#define COMPRESS_ABOVE 1024
#define MAX_TEXT (256u << 20)

static const unsigned char signature[8] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' };

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

static void write_out(png_structp png, png_bytep data, size_t len)
{
	objref_buf *out = png_get_io_ptr(png);

	if (objref_buf_put(out, (const char *)data, len) < 0)
		png_error(png, "out of memory");
}

static void flush_out(png_structp png)
{
	(void)png;
}

/* The chunk at `at` of the n bytes of png: type, data, length; 0 when it
 * does not fit. */
static int chunk_at(const unsigned char *png, size_t n, size_t at, const unsigned char **type,
	const unsigned char **data, uint32_t *len)
{
	if (at + 12 > n)
		return 0;
	*len = get32(png + at);
	if (*len > n - at - 12)
		return 0;
	*type = png + at + 4;
	*data = png + at + 8;
	return 1;
}

/* Copy every chunk after IHDR (from `at`) as it is, IEND included. */
static void copy_chunks(png_structp png, const unsigned char *src, size_t n, size_t at)
{
	const unsigned char *type, *data;
	uint32_t len;

	while (chunk_at(src, n, at, &type, &data, &len)) {
		png_write_chunk(png, type, data, len);
		at += 12 + (size_t)len;
	}
	if (at != n)
		png_error(png, "truncated chunk");
}

int objref_png_add_text(objref_buf *out, const unsigned char *src, size_t n,
	const objref_png_text *texts, size_t ntexts)
{
	png_failure failure = { .message = "" };
	png_structp png = NULL;
	png_infop info = NULL;
	png_textp volatile t = NULL;
	const unsigned char *type, *ihdr;
	uint32_t len;
	volatile int err = 0;

	if (n < 8 || memcmp(src, signature, 8) || !chunk_at(src, n, 8, &type, &ihdr, &len) ||
	    memcmp(type, "IHDR", 4) || len != 13)
		return objref__error(OBJREF_EINVAL, "not a PNG image (no signature and IHDR)");
	/* png_write_info would want the palette set: Graphviz's (cairo's) PNGs
	 * are RGBA, so palette images are simply refused. */
	if (ihdr[9] == PNG_COLOR_TYPE_PALETTE)
		return objref__error(OBJREF_EINVAL, "palette PNG images are not supported");
	for (size_t i = 0; i < ntexts; i++) {
		if (!keyword_ok(texts[i].key))
			return objref__error(OBJREF_EINVAL, "'%s' is not a PNG keyword", texts[i].key);
		if (strlen(texts[i].text) > MAX_TEXT)
			return objref__error(OBJREF_EINVAL, "a PNG text of %zu bytes is too long",
				strlen(texts[i].text));
	}
	if (!(t = objref__calloc(ntexts + 1, sizeof(*t))))
		return OBJREF_ENOMEM;
	for (size_t i = 0; i < ntexts; i++) {
		size_t tl = strlen(texts[i].text);
		t[i].compression = tl > COMPRESS_ABOVE ? PNG_ITXT_COMPRESSION_zTXt : PNG_ITXT_COMPRESSION_NONE;
		t[i].key = (png_charp)texts[i].key;
		t[i].text = (png_charp)texts[i].text;
		t[i].itxt_length = tl;
	}
	if (!(png = png_create_write_struct(PNG_LIBPNG_VER_STRING, &failure, on_error, on_warning)) ||
	    !(info = png_create_info_struct(png))) {
		err = objref__error(OBJREF_ENOMEM, "libpng could not start writing");
		goto cleanup;
	}
	if (setjmp(failure.jmp)) {
		err = objref__error(failure.message[0] == 'o' ? OBJREF_ENOMEM : OBJREF_EINVAL,
			"libpng could not add the text chunks: %s", failure.message);
		goto cleanup;
	}
	png_set_write_fn(png, out, write_out, flush_out);
	png_set_IHDR(png, info, get32(ihdr), get32(ihdr + 4), ihdr[8], ihdr[9], ihdr[12], ihdr[10], ihdr[11]);
	png_set_text(png, info, t, (int)ntexts);
	/* signature, IHDR and the text chunks, by libpng */
	png_write_info(png, info);
	copy_chunks(png, src, n, 8 + 12 + 13);
cleanup:
	png_destroy_write_struct(png ? &png : NULL, info ? &info : NULL);
	objref__free(t);
	return err;
}

/* ---- reading -------------------------------------------------------------- */

/*
 * Every chunk's length fits in the file (f is just past the signature).
 * libpng allocates a chunk's buffer from its length field before reading
 * it: a forged length of 2 GB cost seconds of CPU on a 10 KB file.  Returns
 * 1 when the lengths fit (up to IEND, or to where the file ends), 0 when one
 * runs past the end of the file; f is left just past the signature.
 */
static int chunk_lengths_fit(FILE *f)
{
	unsigned char head[8];
	long size, at = 8;
	int fit = 1;

	if (fseek(f, 0, SEEK_END) < 0 || (size = ftell(f)) < 0)
		return fseek(f, 8, SEEK_SET), 1; /* not seekable: libpng alone decides */
	while (at + 12 <= size) {
		if (fseek(f, at, SEEK_SET) < 0 || fread(head, 1, 8, f) != 8)
			break;
		if ((unsigned long)get32(head) > (unsigned long)(size - at - 12)) {
			fit = 0;
			break;
		}
		if (!memcmp(head + 4, "IEND", 4))
			break;
		at += 12 + (long)get32(head);
	}
	fseek(f, 8, SEEK_SET);
	return fit;
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
	if (!chunk_lengths_fit(f)) {
		err = objref__error(OBJREF_EINVAL, "'%s' is a corrupt PNG: a chunk runs past the "
			"end of the file", path);
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
