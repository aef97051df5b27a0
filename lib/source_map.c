/* A part of a regular file read through a mapping of it: the parser
 * reads the page cache in place, with no read(2) copying it out.
 *
 * A file truncated under a mapping faults (SIGBUS) on the pages past its
 * new end.  libfund then handles SIGBUS, for the addresses of its own
 * mappings only: the faulting page and those after it in the mapping
 * are replaced by zeros, the mapping is marked as shrunk, and the
 * reader that reads it says "the file shrank while it was read" before
 * it hands out a record that could hold those zeros (fund_map_shrank).
 * A SIGBUS at any other address goes to the handler there was before, or
 * to the default disposition, put back.
 * Only with FUNDKIT_MMAP=1: else every part is read with read(2). */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include "internal.h"
#include "banned.h"

/* The mappings a SIGBUS may be in: a slot each, found by the handler
 * without a lock.  lo 0: free; FUND_MAP_BUSY: being filled. */
#define FUND_MAP_SLOTS 128
#define FUND_MAP_BUSY ((uintptr_t)1)
static struct {
	_Atomic uintptr_t lo, hi;    /* the file's pages: [lo, hi) */
	volatile sig_atomic_t shrank;
} slots[FUND_MAP_SLOTS];

static struct sigaction before;
static uintptr_t page_size;
static int installed;
static pthread_once_t install_once = PTHREAD_ONCE_INIT;

static void on_sigbus(int sig, siginfo_t *si, void *uc)
{
	uintptr_t a = (uintptr_t)si->si_addr;
	size_t i;
	for (i = 0; si->si_code > 0 && i < FUND_MAP_SLOTS; i++) {
		uintptr_t lo = atomic_load_explicit(&slots[i].lo, memory_order_acquire);
		uintptr_t hi = atomic_load_explicit(&slots[i].hi, memory_order_relaxed);
		if (lo > FUND_MAP_BUSY && a >= lo && a < hi) {
			/* mmap is a system call: safe in a handler on Linux */
			uintptr_t pg = a & ~(page_size - 1);
			if (mmap((void *)pg, hi - pg, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) !=
			    MAP_FAILED) {
				slots[i].shrank = 1;
				return;
			}
			break;
		}
	}
	/* not a page of ours: to the handler there was before; else to the
	 * disposition before (the default), put back: a fault faults again
	 * on the same access, a signal sent is sent again */
	if (before.sa_flags & SA_SIGINFO) {
		before.sa_sigaction(sig, si, uc);
		return;
	}
	if (before.sa_handler != SIG_DFL && before.sa_handler != SIG_IGN) {
		before.sa_handler(sig);
		return;
	}
	sigaction(sig, &before, NULL);
	if (si->si_code <= 0)
		raise(sig);
}

static void install(void)
{
	struct sigaction sa;
	long ps = sysconf(_SC_PAGESIZE);
	if (ps <= 0)
		return;
	page_size = (uintptr_t)ps;
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_sigbus;
	sa.sa_flags = SA_SIGINFO | SA_NODEFER;
	sigemptyset(&sa.sa_mask);
	installed = sigaction(SIGBUS, &sa, &before) == 0;
}

/* Mapping is asked for (FUNDKIT_MMAP=1): read(2) is the default.  On
 * the project's machines (a hypervisor that builds its own page tables
 * behind the guest's) each page first touched through a new mapping
 * costs a trap: a 1 GB file read through one took 0.45 s where read(2)
 * into a buffer took 0.08 s (README, Performance). */
static int allowed(void)
{
	const char *e = getenv("FUNDKIT_MMAP");
	return e && !strcmp(e, "1");
}

int fund_map_open(struct fund_map *m, int fd, uint64_t start, uint64_t end)
{
	uintptr_t lo;
	uint64_t first;
	size_t i, len, span;
	unsigned char *res;

	memset(m, 0, sizeof(*m));
	m->slot = -1;
	if (end <= start || !allowed() || pthread_once(&install_once, install) || !installed)
		return -1;
	first = start & ~(uint64_t)(page_size - 1);
	if (end - first > SIZE_MAX - 2 * page_size)
		return -1;
	len = (size_t)(end - first);
	/* the file's pages, then one of zeros: what the fast path reads
	 * past the end of a line (up to 63 bytes) is there */
	span = ((len + page_size - 1) & ~(page_size - 1)) + page_size;
	for (i = 0; i < FUND_MAP_SLOTS; i++) {
		uintptr_t z = 0;
		if (atomic_compare_exchange_strong(&slots[i].lo, &z, FUND_MAP_BUSY))
			break;
	}
	if (i == FUND_MAP_SLOTS)
		return -1;
	res = mmap(NULL, span, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (res == MAP_FAILED ||
	    mmap(res, len, PROT_READ, MAP_PRIVATE | MAP_FIXED, fd, (off_t)first) == MAP_FAILED) {
		if (res != MAP_FAILED)
			munmap(res, span);
		atomic_store(&slots[i].lo, 0);
		return -1;
	}
	lo = (uintptr_t)res;
	slots[i].shrank = 0;
	atomic_store_explicit(&slots[i].hi, lo + ((len + page_size - 1) & ~(page_size - 1)), memory_order_relaxed);
	atomic_store_explicit(&slots[i].lo, lo, memory_order_release);
	m->base = res;
	m->span = span;
	m->p = res + (start - first);
	m->n = (size_t)(end - start);
	m->end = end;
	m->slot = (int)i;
	m->shrank = &slots[i].shrank;
	return 0;
}

/* Pages read are given back 8 MiB at a time (their PTEs dropped: the
 * page cache keeps them), so that the process's resident memory does not
 * grow with the file; the TLB of the other threads is flushed each time,
 * hence not every window. */
#define FUND_MAP_GIVE_BACK (8u << 20)

void fund_map_done(struct fund_map *m, size_t upto)
{
	size_t to = ((size_t)(m->p - m->base) + upto) & ~(size_t)(page_size - 1);
	if (m->slot < 0 || to < m->given + FUND_MAP_GIVE_BACK)
		return;
	(void)madvise(m->base + m->given, to - m->given, MADV_DONTNEED);
	m->given = to;
}

void fund_map_close(struct fund_map *m)
{
	if (m->slot < 0)
		return;
	/* the slot freed first: the addresses may be mapped again */
	atomic_store(&slots[m->slot].hi, 0);
	atomic_store(&slots[m->slot].lo, 0);
	munmap(m->base, m->span);
	m->slot = -1;
	m->base = NULL;
	m->p = NULL;
	m->n = 0;
}
