/* ZIP members as XML streams (libzip, expat), with the limits that keep a
 * hostile workbook from costing more than its size: an inflation limit
 * (ZIP bombs), no DTD at all (entity expansion, external entities). */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "sheet.h"
#include "banned.h"

#define ZX_CHUNK 65536

void zx_fail(struct zx *x, const char *fmt, ...)
{
	va_list ap;
	if (x->failed)
		return;
	x->failed = 1;
	va_start(ap, fmt);
	if (vasprintf(&x->fail, fmt, ap) < 0)
		x->fail = NULL;
	va_end(ap);
	XML_StopParser(x->p, XML_FALSE);
}

/* Office files never declare a DTD: one is refused, which refuses entity
 * expansion ("billion laughs") and external entities with it. */
static void on_doctype(void *ud, const XML_Char *name, const XML_Char *sysid, const XML_Char *pubid,
		       int has_internal)
{
	struct zx *x = *(struct zx **)ud;
	(void)name; (void)sysid; (void)pubid; (void)has_internal;
	zx_fail(x, "a document type declaration (DTD): refused, as entity declarations are");
}

static void on_entity(void *ud, const XML_Char *name, int is_param, const XML_Char *value, int len,
		      const XML_Char *base, const XML_Char *sysid, const XML_Char *pubid,
		      const XML_Char *notation)
{
	struct zx *x = *(struct zx **)ud;
	(void)name; (void)is_param; (void)value; (void)len; (void)base; (void)sysid; (void)pubid;
	(void)notation;
	zx_fail(x, "an XML entity declaration: refused");
}

const char *zx_local(const char *name)
{
	const char *c = strrchr(name, ':');
	return c ? c + 1 : name;
}

const char *zx_attr(const char **atts, const char *local)
{
	size_t i;
	for (i = 0; atts[i]; i += 2)
		if (!strcmp(zx_local(atts[i]), local))
			return atts[i + 1];
	return NULL;
}

int zx_has(zip_t *zip, const char *part)
{
	return zip_name_locate(zip, part, 0) >= 0;
}

static int zip_fail(const char *book, const char *part, zip_error_t *ze, struct fund_error *err)
{
	if (zip_error_code_zip(ze) == ZIP_ER_MEMORY ||
	    (zip_error_code_zip(ze) == ZIP_ER_ZLIB && zip_error_code_system(ze) == Z_MEM_ERROR))
		return fund_error_set(err, FUND_ENOMEM, "out of memory");
	return fund_error_set(err, FUND_EDATA, "%s: %s: a damaged ZIP member: %s", book, part,
			      zip_error_strerror(ze));
}

static int member(zip_t *zip, const char *book, const char *part, zip_file_t **f,
		  uint64_t *csize, struct fund_error *err)
{
	zip_stat_t st;
	zip_int64_t i = zip_name_locate(zip, part, 0);
	if (i < 0)
		return fund_error_set(err, FUND_EDATA, "%s: the workbook has no part %s", book, part);
	zip_stat_init(&st);
	if (zip_stat_index(zip, (zip_uint64_t)i, 0, &st))
		return zip_fail(book, part, zip_get_error(zip), err);
	if ((st.valid & ZIP_STAT_ENCRYPTION_METHOD) && st.encryption_method != ZIP_EM_NONE)
		return fund_error_set(err, FUND_EDATA, "%s: password-protected: cannot read it", book);
	if ((st.valid & ZIP_STAT_COMP_METHOD) && !zip_compression_method_supported(st.comp_method, 0))
		return fund_error_set(err, FUND_EDATA, "%s: %s: a ZIP compression method that cannot be read (%d)",
				      book, part, (int)st.comp_method);
	*csize = (st.valid & ZIP_STAT_COMP_SIZE) ? st.comp_size : 0;
	if (!(*f = zip_fopen_index(zip, (zip_uint64_t)i, 0)))
		return zip_fail(book, part, zip_get_error(zip), err);
	return 0;
}

static int inflate_check(const char *book, const char *part, uint64_t inflated, uint64_t csize,
			 struct fund_error *err)
{
	if (inflated > SHEET_XML_MAX || (inflated > SHEET_RATIO_FROM && inflated / SHEET_RATIO > csize))
		return fund_error_set(err, FUND_ELIMIT, "%s: %s inflates to more than %s its compressed "
				      "size of %llu bytes (a ZIP bomb? see LIMITS in fundkit(7))", book, part,
				      inflated > SHEET_XML_MAX ? "8 GiB, past" : "256 times",
				      (unsigned long long)csize);
	return 0;
}

int zx_open(struct zx *x, zip_t *zip, const char *book, const char *part, void *ud,
	    XML_StartElementHandler st, XML_EndElementHandler en, XML_CharacterDataHandler ch,
	    struct fund_error *err)
{
	int rc;
	memset(x, 0, sizeof(*x));
	x->zip = zip;
	x->book = book;
	x->part = part;
	if ((rc = member(zip, book, part, &x->f, &x->compressed, err)))
		return rc;
	if (!(x->p = XML_ParserCreate("UTF-8"))) {
		zip_fclose(x->f);
		x->f = NULL;
		return fund_error_set(err, FUND_ENOMEM, "out of memory");
	}
	/* the handlers' user data starts with a struct zx * */
	XML_SetUserData(x->p, ud);
	XML_SetElementHandler(x->p, st, en);
	XML_SetCharacterDataHandler(x->p, ch);
	XML_SetStartDoctypeDeclHandler(x->p, on_doctype);
	XML_SetEntityDeclHandler(x->p, on_entity);
	XML_SetParamEntityParsing(x->p, XML_PARAM_ENTITY_PARSING_NEVER);
	return 0;
}

static int xml_error(struct zx *x, struct fund_error *err)
{
	unsigned long line = (unsigned long)XML_GetCurrentLineNumber(x->p);
	if (x->fail)
		return fund_error_set(err, x->failed == 2 ? FUND_ENOMEM : FUND_EDATA, "%s: %s: %s", x->book,
				      x->part, x->fail);
	if (x->failed || XML_GetErrorCode(x->p) == XML_ERROR_NO_MEMORY)
		return fund_error_set(err, FUND_ENOMEM, "out of memory");
	return fund_error_set(err, FUND_EDATA, "%s: %s: XML line %lu: %s (a damaged workbook?)", x->book,
			      x->part, line, XML_ErrorString(XML_GetErrorCode(x->p)));
}

int zx_step(struct zx *x, struct fund_error *err)
{
	for (;;) {
		enum XML_Status s;
		if (x->suspended) {
			x->suspended = 0;
			s = XML_ResumeParser(x->p);
		} else {
			void *buf;
			zip_int64_t n;
			int rc;
			if (x->done)
				return 0;
			if (!(buf = XML_GetBuffer(x->p, ZX_CHUNK)))
				return fund_error_set(err, FUND_ENOMEM, "out of memory");
			n = zip_fread(x->f, buf, ZX_CHUNK);
			if (n < 0)
				return zip_fail(x->book, x->part, zip_file_get_error(x->f), err);
			x->inflated += (uint64_t)n;
			if ((rc = inflate_check(x->book, x->part, x->inflated, x->compressed, err)))
				return rc;
			if (n == 0)
				x->done = 1;
			s = XML_ParseBuffer(x->p, (int)n, n == 0);
		}
		if (s == XML_STATUS_ERROR)
			return xml_error(x, err);
		if (s == XML_STATUS_SUSPENDED) {
			x->suspended = 1;
			return 1;
		}
		if (x->done)
			return 0;
	}
}

void zx_close(struct zx *x)
{
	if (x->p)
		XML_ParserFree(x->p);
	if (x->f)
		zip_fclose(x->f);
	free(x->fail);
	memset(x, 0, sizeof(*x));
}

void zbook_nomem(struct zbook *z)
{
	z->nomem = 1;
	z->x.failed = 2;
	XML_StopParser(z->x.p, XML_FALSE);
}

int zbook_step(struct zbook *z, struct fund_error *err)
{
	int rc = zx_step(&z->x, err);
	if (rc <= 0 && z->nomem)
		return fund_error_set(err, FUND_ENOMEM, "out of memory");
	return rc;
}

void zbook_end(struct fund_book *b)
{
	struct zbook *z = b->fmt;
	if (z && z->open) {
		zx_close(&z->x);
		z->open = 0;
	}
}

void *zbook_new(struct fund_book *b, size_t size, zip_t *zip, const char *kind, const struct book_ops *ops)
{
	struct zbook *z = calloc(1, size);
	b->kind = kind;
	b->ops = ops;
	if (!z) {
		zip_discard(zip);
		return NULL;
	}
	z->self = &z->x;
	z->zip = zip;
	z->b = b;
	b->fmt = z;
	return z;
}
