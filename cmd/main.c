/* The one main() of every fundkit command (git's common-main.c): set up the
 * process, run the command, and make sure its output really was written. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "common.h"

int main(int argc, char **argv)
{
	int rc;

	signal(SIGPIPE, SIG_DFL);
	/* getopt names the program by argv[0]: the command's name, however it
	 * was called (a path, a wrapper) */
	if (argc > 0)
		argv[0] = (char *)cmd_name;
	rc = cmd_main(argc, argv);
	if (diag_lost && rc < EXIT_IO)
		rc = EXIT_IO;
	/* A report that did not reach the disk must not exit 0: with -O it
	 * must also be on the disk before it replaces the last one. */
	if (fflush(stdout) != 0 || ferror(stdout) || (output_file_active() && fsync(STDOUT_FILENO) != 0) ||
	    fclose(stdout) != 0) {
		int e = errno;
		if (e == EPIPE)
			return output_file_end(rc, 0);
		msg("write error on standard output: %s", e ? strerror(e) : "unknown error");
		return output_file_end(rc ? rc : EXIT_IO, 0);
	}
	return output_file_end(rc, 1);
}
