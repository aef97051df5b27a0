/* libFuzzer, a command whole: its cmd_main (cmd/fund-NAME.c, linked in
 * by the Makefile as build-fuzz/fuzz_cmd_NAME) run in-process on a fuzzed
 * argument vector and a fuzzed input file, so that a crash anywhere
 * between the options and the last byte written is found.
 *
 * The input: up to 12 arguments, one per line, then a NUL, then the
 * file's bytes; a second NUL in them splits a second file (fund-diff's
 * NEW; the other commands get both files).  Arguments that would write a
 * file (-O, --output-file, --unmatched) are dropped.  exit() from the
 * command (a usage error, --help) comes back here (the harness is linked
 * with --wrap=exit); standard output goes to /dev/null; the reference
 * geography is the tree's data/ (FUNDKIT_DATA).  Leaks are valgrind's to
 * find (tests/run.sh): run with -detect_leaks=0, as tests/fuzz/run.sh
 * does. */
#include <getopt.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "common.h"

int cmd_main(int argc, char **argv);
extern const char *const cmd_name;
extern int diag_lost;   /* cmd/common.c: a problem said only as "out of memory" */
int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);
void __wrap_exit(int status) __attribute__((noreturn));
void __real_exit(int status) __attribute__((noreturn));

/* what a usage error leaves allocated when it comes back here is not a
 * leak of the command's: valgrind checks the commands' own (tests/run.sh) */
const char *__asan_default_options(void);
const char *__asan_default_options(void)
{
	return "detect_leaks=0";
}

static jmp_buf back;
static int in_cmd;

void __wrap_exit(int status)
{
	if (in_cmd)
		longjmp(back, status + 1);
	__real_exit(status);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	if (!freopen("/dev/null", "w", stdout))
		abort();
	setenv("FUNDKIT_DATA", "data", 0);
	setenv("FUNDKIT_THREADS", "2", 0);
	setenv("FUNDKIT_PART_MIN", "64", 0);
	return 0;
}

/* an argument that would write a file */
static int writes(const char *a)
{
	if (!strncmp(a, "--", 2))
		return !strncmp(a, "--output-", 9) || !strncmp(a, "--un", 4);
	return a[0] == '-' && strchr(a, 'O') != NULL;
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	const unsigned char *nul = memchr(data, 0, size), *second;
	char *args, *argv[16], *p, *line;
	const char *f1, *f2;
	int argc = 0;
	size_t alen, rest;

	if (!nul)
		return 0;
	alen = (size_t)(nul - data);
	rest = size - alen - 1;
	second = memchr(nul + 1, 0, rest);
	if (second) {
		f1 = fuzz_dump("cmd-a", nul + 1, (size_t)(second - nul - 1));
		f2 = fuzz_dump("cmd-b", second + 1, (size_t)(data + size - second - 1));
	} else {
		f1 = f2 = fuzz_dump("cmd-a", nul + 1, rest);
	}
	if (!(args = malloc(alen + 1)))
		abort();
	memcpy(args, data, alen);
	args[alen] = '\0';
	argv[argc++] = (char *)cmd_name;
	for (p = args; argc < 13 && (line = strsep(&p, "\n"));)
		if (*line && !writes(line))
			argv[argc++] = line;
	argv[argc++] = (char *)f1;
	argv[argc++] = (char *)f2;
	argv[argc] = NULL;
	optind = 0;      /* getopt from scratch */
	opterr = 1;
	in_cmd = 1;
	diag_lost = 0;
	if (!setjmp(back))
		cmd_main(argc, argv);
	in_cmd = 0;
	fflush(stdout);
	clearerr(stdout);
	free(args);
	return 0;
}
