/* An LD_PRELOAD fault injector for the I/O tests (as jq's tests do):
 *   FAULT_READ_EIO_AFTER=N   read() fails with EIO once N bytes were read
 *                            from descriptors other than 1 and 2; a file
 *                            is not mapped (mmap of a descriptor fails:
 *                            libfund reads its parts with read() then)
 *   FAULT_OPEN_EACCES=SUBSTR open() of a path containing SUBSTR fails
 * Build: cc -shared -fPIC -o faultinject.so faultinject.c -ldl */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static unsigned long long total;

ssize_t read(int fd, void *buf, size_t n)
{
	static ssize_t (*real)(int, void *, size_t);
	const char *after = getenv("FAULT_READ_EIO_AFTER");
	ssize_t r;
	if (!real)
		real = (ssize_t (*)(int, void *, size_t))dlsym(RTLD_NEXT, "read");
	if (after && fd != 1 && fd != 2 && total >= strtoull(after, NULL, 10)) {
		errno = EIO;
		return -1;
	}
	r = real(fd, buf, n);
	if (r > 0)
		total += (unsigned long long)r;
	return r;
}

void *mmap(void *addr, size_t n, int prot, int flags, int fd, off_t off)
{
	static void *(*real)(void *, size_t, int, int, int, off_t);
	if (!real)
		real = (void *(*)(void *, size_t, int, int, int, off_t))dlsym(RTLD_NEXT, "mmap");
	if (fd >= 0 && getenv("FAULT_READ_EIO_AFTER")) {
		errno = ENODEV;
		return MAP_FAILED;
	}
	return real(addr, n, prot, flags, fd, off);
}

int open(const char *path, int flags, ...)
{
	static int (*real)(const char *, int, ...);
	const char *bad = getenv("FAULT_OPEN_EACCES");
	mode_t mode = 0;
	if (!real)
		real = (int (*)(const char *, int, ...))dlsym(RTLD_NEXT, "open");
	if (flags & O_CREAT) {
		va_list ap;
		va_start(ap, flags);
		mode = (mode_t)va_arg(ap, int);
		va_end(ap);
	}
	if (bad && *bad && strstr(path, bad)) {
		errno = EACCES;
		return -1;
	}
	return real(path, flags, mode);
}
