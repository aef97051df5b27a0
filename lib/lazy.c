/* libzip and libxlsxwriter loaded on first use: see lib/lazy.h. */
#define FUND_LAZY_IMPL
#include <dlfcn.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include "lazy.h"
#include "banned.h"

/* the libraries' sonames, from the build (Makefile: objdump of the
 * development packages' libzip.so and libxlsxwriter.so) */
#ifndef FUND_LIBZIP_SONAME
#define FUND_LIBZIP_SONAME "libzip.so.4"
#endif
#ifndef FUND_LIBXLSXWRITER_SONAME
#define FUND_LIBXLSXWRITER_SONAME "libxlsxwriter.so.4"
#endif

struct fund_zip_fns fund_zipf;
struct fund_xlsx_fns fund_xlsxf;

/* A library loaded on first use: its handle once loaded, and why it
 * could not be when it was not for want of memory (for
 * fund_writer_fail, whose writer, fund_writer_open, has no error
 * record). */
struct lazy_lib {
	const char *soname, *what;
	const char *(*syms)(void *);
	void *handle;
	char *why;
};

static pthread_mutex_t lazy_mu = PTHREAD_MUTEX_INITIALIZER;

/* dlsym's object pointer into a function pointer's slot (ISO C has no
 * conversion between the two; POSIX makes them the same size) */
#define FUND_LAZY_SYM(tab, f)                          \
	if (!(p = dlsym(h, #f)))                       \
		return #f;                             \
	memcpy(&(tab).f, &p, sizeof(p));

static const char *zip_syms(void *h)
{
	void *p;
#define X(f) FUND_LAZY_SYM(fund_zipf, f)
	FUND_ZIP_FNS(X)
#undef X
	return NULL;
}

static const char *xlsx_syms(void *h)
{
	void *p;
#define X(f) FUND_LAZY_SYM(fund_xlsxf, f)
	FUND_XLSX_FNS(X)
#undef X
	return NULL;
}

static struct lazy_lib zip_lib = { FUND_LIBZIP_SONAME, "reading .xlsx and .ods workbooks", zip_syms, NULL, NULL };
static struct lazy_lib xlsx_lib = { FUND_LIBXLSXWRITER_SONAME, "writing .xlsx (-o xlsx)", xlsx_syms, NULL, NULL };

static int load(struct lazy_lib *l, struct fund_error *err)
{
	struct fund_error e = FUND_ERROR_INIT;
	int rc = 0;
	pthread_mutex_lock(&lazy_mu);
	if (!l->handle) {
		/* dlopen allocates, and says many things when an
		 * allocation fails ("cannot create shared object
		 * descriptor", ...): a second try, then whether memory is
		 * short now, tell that from a library not there */
		void *h = dlopen(l->soname, RTLD_NOW | RTLD_LOCAL);
		const char *missing;
		if (!h)
			h = dlopen(l->soname, RTLD_NOW | RTLD_LOCAL);
		missing = h ? l->syms(h) : NULL;
		if (h && !missing) {
			l->handle = h;
		} else {
			char *why = h ? NULL : dlerror(), *probe = malloc(1 << 16);
			if (!probe)
				rc = fund_error_set(&e, FUND_ENOMEM, "out of memory");
			else if (missing)
				rc = fund_error_set(&e, FUND_EIO, "cannot load %s, which %s needs: it has no %s",
						    l->soname, l->what, missing);
			else
				rc = fund_error_set(&e, FUND_EIO, "cannot load %s, which %s needs: %s", l->soname,
						    l->what, why ? why : "no reason given");
			free(probe);
			if (h)
				dlclose(h);
			if (rc == FUND_EIO && !l->why)
				l->why = strdup(fund_error_msg(&e));
		}
	}
	pthread_mutex_unlock(&lazy_mu);
	if (err)
		fund_error_move(err, &e);
	fund_error_clear(&e);
	return rc;
}

int fund_load_zip(struct fund_error *err) { return load(&zip_lib, err); }
int fund_load_xlsx(struct fund_error *err) { return load(&xlsx_lib, err); }

const char *fund_xlsx_unloaded(void)
{
	const char *why;
	pthread_mutex_lock(&lazy_mu);
	why = xlsx_lib.why;
	pthread_mutex_unlock(&lazy_mu);
	return why;
}
