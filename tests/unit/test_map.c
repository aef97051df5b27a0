/* A part of a regular file is read through a mapping of it when
 * FUNDKIT_MMAP=1 asks (read(2) is the default): its records
 * are those read(2) gives, and a file truncated under the mapping (which
 * faults with SIGBUS past its new end) reads as the error "the file shrank
 * while it was read", never as records made of what is gone. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "fund/fund.h"
#include "internal.h"
#include "reader_impl.h"
#include "unit.h"

#define LINES 200000

static char path[64];
static volatile sig_atomic_t got_bus;

static void on_bus(int sig)
{
	(void)sig;
	got_bus = 1;
}

/* header, then LINES lines "kN,N.25" */
static size_t write_file(void)
{
	FILE *f;
	size_t i, n = 0;
	snprintf(path, sizeof(path), "/tmp/fundkit-unit-map-%d", (int)getpid());
	f = fopen(path, "wb");
	n += (size_t)fprintf(f, "code,montant\n");
	for (i = 0; i < LINES; i++)
		n += (size_t)fprintf(f, "k%zu,%zu.25\n", i % 97, i);
	fclose(f);
	return n;
}

/* Parts of path: their count (2 wanted), parts[] open, *r the reader. */
static int split(struct fund_reader **r, struct fund_reader **parts)
{
	struct fund_error err FUND_ERROR_SCOPED = FUND_ERROR_INIT;
	if (fund_reader_open(r, path, NULL, &err) < 0)
		return -1;
	return fund_reader_split(*r, 2, 4096, FUND_SPLIT_LINES_LATER, parts, &err);
}

/* Records of q until the end or an error: their count, *last the code
 * of the last fund_reader_next, msg its message; every record checked to
 * be one the file holds. */
static size_t read_all(struct fund_reader *q, int *last, char *msg, size_t msz, int *bad)
{
	struct fund_error err FUND_ERROR_SCOPED = FUND_ERROR_INIT;
	const struct fund_record *rec;
	size_t n = 0;
	msg[0] = '\0';
	while ((*last = fund_reader_next(q, &rec, &err)) > 0) {
		n++;
		if (rec->n != 2 || rec->fields[0][0] != 'k' || !strstr(rec->fields[1], ".25"))
			(*bad)++;
	}
	if (*last < 0)
		snprintf(msg, msz, "%s", fund_error_msg(&err));
	return n;
}

int main(void)
{
	struct fund_reader *r = NULL, *parts[FUND_PARTS_MAX];
	char msg[256];
	int n, last, bad = 0, k;
	size_t got, total = 0;

	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_bus;
	sigemptyset(&sa.sa_mask);
	CHECK(sigaction(SIGBUS, &sa, NULL) == 0);
	write_file();
	setenv("FUNDKIT_MMAP", "1", 1);

	/* mapped parts read every record, as the one pass does */
	n = split(&r, parts);
	CHECK(n == 2);
	if (n != 2)
		UNIT_END("map");
	CHECK(parts[0]->src.map.slot >= 0);
	CHECK(parts[1]->src.map.slot >= 0);
	for (k = 0; k < n; k++) {
		total += read_all(parts[k], &last, msg, sizeof(msg), &bad);
		CHECK(last == 0);
		fund_reader_close(&parts[k]);
	}
	CHECK(total == LINES);
	CHECK(bad == 0);
	fund_reader_close(&r);

	/* parts closed give their mappings' slots back: many more parts
	 * than there are slots, one after the other, are all mapped */
	for (k = 0, bad = 0; k < 300; k++) {
		int j;
		n = split(&r, parts);
		for (j = 0; j < n; j++) {
			bad += parts[j]->src.map.slot < 0;
			fund_reader_close(&parts[j]);
		}
		fund_reader_close(&r);
	}
	CHECK(bad == 0);

	/* unset, or FUNDKIT_MMAP=0: read(2) */
	for (k = 0; k < 2; k++) {
		int j;
		if (k)
			setenv("FUNDKIT_MMAP", "0", 1);
		else
			unsetenv("FUNDKIT_MMAP");
		n = split(&r, parts);
		CHECK(n == 2);
		for (j = 0; j < n; j++) {
			CHECK(parts[j]->src.map.slot < 0);
			fund_reader_close(&parts[j]);
		}
		fund_reader_close(&r);
	}
	setenv("FUNDKIT_MMAP", "1", 1);

	/* truncated after a few records of the first part: both parts say
	 * the file shrank, and no record is made of the zeros past its end */
	n = split(&r, parts);
	CHECK(n == 2);
	if (n == 2) {
		struct fund_error err FUND_ERROR_SCOPED = FUND_ERROR_INIT;
		const struct fund_record *rec;
		for (k = 0; k < 10; k++)
			CHECK(fund_reader_next(parts[0], &rec, &err) == 1);
		CHECK(truncate(path, 5000) == 0);
		got = read_all(parts[0], &last, msg, sizeof(msg), &bad);
		CHECK(last == FUND_EIO);
		CHECK(strstr(msg, "the file shrank while it was read") != NULL);
		CHECK(got < 5000 / 8);
		CHECK(bad == 0);
		got = read_all(parts[1], &last, msg, sizeof(msg), &bad);
		CHECK(last == FUND_EIO);
		CHECK(strstr(msg, "the file shrank while it was read") != NULL);
		CHECK(got == 0);
		CHECK(bad == 0);
		for (k = 0; k < n; k++)
			fund_reader_close(&parts[k]);
	}
	fund_reader_close(&r);

	/* cut within the last page of the last part: no fault there (the
	 * page's tail reads as zeros), its size says it at the part's end */
	{
		size_t size = write_file();
		n = split(&r, parts);
		CHECK(n == 2);
		if (n == 2) {
			struct fund_error err FUND_ERROR_SCOPED = FUND_ERROR_INIT;
			const struct fund_record *rec;
			bad = 0;
			CHECK(fund_reader_next(parts[1], &rec, &err) == 1);
			CHECK(truncate(path, (off_t)(size - 100)) == 0);
			read_all(parts[1], &last, msg, sizeof(msg), &bad);
			CHECK(last == FUND_EIO);
			CHECK(strstr(msg, "the file shrank while it was read") != NULL);
			CHECK(bad == 0);
			for (k = 0; k < n; k++)
				fund_reader_close(&parts[k]);
		}
		fund_reader_close(&r);
	}

	/* a SIGBUS that is not at a mapping of libfund's goes where it
	 * went before: here, to the test's own handler */
	raise(SIGBUS);
	CHECK(got_bus == 1);
	unlink(path);
	UNIT_END("map");
}
