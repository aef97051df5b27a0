/* An LD_PRELOAD allocation-failure injector (as curl's and SQLite's test
 * suites inject them), for tests/tools/alloc-ladder.sh:
 *   FAULT_MALLOC_AFTER=N   malloc, calloc and realloc fail (ENOMEM) from
 *                          the N-th call on (memory exhausted), or only
 *                          the N-th with FAULT_MALLOC_ONCE=1; whether one
 *                          failed is written to FAULT_MALLOC_LOG at exit
 *                          ("failed" or "never failed")
 *   FAULT_MALLOC_TRAP=1    trap at the failure (for a debugger: where)
 * Allocations inside regcomp never fail here: Debian 12's glibc (2.36)
 * frees twice in regcomp when its allocations fail one after the other
 * (re_compile_internal -> free_dfa_content / free_workarea_compile), an
 * abort inside the C library before the caller sees REG_ESPACE.
 * Not with a sanitizer or valgrind, which replace malloc themselves.
 * Build: cc -shared -fPIC -o mallocfail.so mallocfail.c -ldl */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <regex.h>
#include <stdlib.h>
#include <unistd.h>

/* ---- allocations (glibc's internal calls come here too) ---- */

extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);

static unsigned long long fail_at, calls;
static __thread int in_regcomp;
static int (*real_regcomp)(regex_t *, const char *, int);
static int fail_once, armed, failed;

static void report(void)
{
	const char *log = getenv("FAULT_MALLOC_LOG");
	int fd;
	if (!armed || !log || (fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0644)) < 0)
		return;
	if (write(fd, failed ? "failed\n" : "never failed\n", failed ? 7 : 13) < 0)
		failed = failed;
	close(fd);
}

__attribute__((constructor)) static void arm(void)
{
	const char *a = getenv("FAULT_MALLOC_AFTER");
	const char *o = getenv("FAULT_MALLOC_ONCE");
	real_regcomp = (int (*)(regex_t *, const char *, int))dlsym(RTLD_NEXT, "regcomp");
	if (a && *a) {
		fail_at = strtoull(a, NULL, 10);
		fail_once = o && *o == '1';
		armed = 1;
		atexit(report);
	}
}

static int fail_now(void)
{
	unsigned long long n;
	if (!armed || in_regcomp)
		return 0;
	n = __atomic_add_fetch(&calls, 1, __ATOMIC_RELAXED);
	if (n == fail_at || (!fail_once && n > fail_at)) {
		failed = 1;
		errno = ENOMEM;
		if (getenv("FAULT_MALLOC_TRAP"))   /* for a debugger: where */
			__builtin_trap();
		return 1;
	}
	return 0;
}

void *malloc(size_t n)
{
	return fail_now() ? NULL : __libc_malloc(n);
}

void *calloc(size_t n, size_t m)
{
	return fail_now() ? NULL : __libc_calloc(n, m);
}

void *realloc(void *p, size_t n)
{
	return fail_now() ? NULL : __libc_realloc(p, n);
}

int regcomp(regex_t *re, const char *pattern, int flags)
{
	int rc;
	in_regcomp++;
	rc = real_regcomp(re, pattern, flags);
	in_regcomp--;
	return rc;
}
