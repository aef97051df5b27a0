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

static pthread_mutex_t lazy_mu = PTHREAD_MUTEX_INITIALIZER;
static void *zip_handle, *xlsx_handle;
/* why libxlsxwriter could not be loaded, for fund_writer_fail (whose
 * writer, fund_writer_open, has no error record) */
static char *xlsx_why;

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

static int load(void **handle, const char *soname, const char *(*syms)(void *), const char *what,
		char **why_kept, struct fund_error *err)
{
	int rc = 0;
	pthread_mutex_lock(&lazy_mu);
	if (!*handle) {
		/* dlopen allocates, and says many things when an
		 * allocation fails ("cannot create shared object
		 * descriptor", ...): a second try, then whether memory is
		 * short now, tell that from a library not there */
		void *h = dlopen(soname, RTLD_NOW | RTLD_LOCAL);
		const char *missing;
		if (!h)
			h = dlopen(soname, RTLD_NOW | RTLD_LOCAL);
		missing = h ? syms(h) : NULL;
		if (h && !missing) {
			*handle = h;
		} else {
			char *why = h ? NULL : dlerror(), *probe = malloc(1 << 16);
			if (!probe)
				rc = fund_error_set(err, FUND_ENOMEM, "out of memory");
			else if (missing)
				rc = fund_error_set(err, FUND_EIO, "cannot load %s, which %s needs: it has no %s",
						    soname, what, missing);
			else
				rc = fund_error_set(err, FUND_EIO, "cannot load %s, which %s needs: %s", soname,
						    what, why ? why : "no reason given");
			free(probe);
			if (h)
				dlclose(h);
			if (why_kept && rc == FUND_EIO && !*why_kept && err)
				*why_kept = strdup(fund_error_msg(err));
		}
	}
	pthread_mutex_unlock(&lazy_mu);
	return rc;
}

int fund_load_zip(struct fund_error *err)
{
	return load(&zip_handle, FUND_LIBZIP_SONAME, zip_syms, "reading .xlsx and .ods workbooks", NULL, err);
}

int fund_load_xlsx(struct fund_error *err)
{
	struct fund_error e = FUND_ERROR_INIT;
	int rc = load(&xlsx_handle, FUND_LIBXLSXWRITER_SONAME, xlsx_syms, "writing .xlsx (-o xlsx)", &xlsx_why, &e);
	if (err)
		fund_error_move(err, &e);
	fund_error_clear(&e);
	return rc;
}

const char *fund_xlsx_unloaded(void)
{
	const char *why;
	pthread_mutex_lock(&lazy_mu);
	why = xlsx_why;
	pthread_mutex_unlock(&lazy_mu);
	return why;
}
