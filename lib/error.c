#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "fund/fund.h"
#include "banned.h"

const char *fund_version(void)
{
	return FUND_VERSION;
}

const char *fund_strerror(int code)
{
	switch (code) {
	case FUND_OK: return "success";
	case FUND_ENOMEM: return "out of memory";
	case FUND_EIO: return "input/output error";
	case FUND_EDATA: return "bad data";
	case FUND_EUSAGE: return "request does not fit the input";
	case FUND_EOVERFLOW: return "number too large";
	case FUND_ELIMIT: return "limit exceeded";
	case FUND_ERETRY: return "partial results do not merge exactly";
	}
	return "unknown error";
}

int fund_error_set(struct fund_error *err, int code, const char *fmt, ...)
{
	if (err) {
		va_list ap;
		err->code = code;
		err->sys_errno = 0;
		va_start(ap, fmt);
		vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
		va_end(ap);
	}
	return code;
}

char *fund_quote(char *buf, size_t size, const char *s, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	size_t o = 0, i;

	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		char esc[5];
		size_t n;

		if (c == '\n') { esc[0] = '\\'; esc[1] = 'n'; n = 2; }
		else if (c == '\t') { esc[0] = '\\'; esc[1] = 't'; n = 2; }
		else if (c == '\r') { esc[0] = '\\'; esc[1] = 'r'; n = 2; }
		else if (c < 0x20 || c == 0x7f) {
			esc[0] = '\\'; esc[1] = 'x';
			esc[2] = hex[c >> 4]; esc[3] = hex[c & 15]; n = 4;
		} else { esc[0] = (char)c; n = 1; }
		if (o + n + 4 > size) {
			/* cut on a UTF-8 character boundary */
			while (o > 0 && ((unsigned char)buf[o - 1] & 0xC0) == 0x80)
				o--;
			if (o > 0 && ((unsigned char)buf[o - 1] & 0xC0) == 0xC0)
				o--;
			memcpy(buf + o, "...", 3);
			o += 3;
			break;
		}
		memcpy(buf + o, esc, n);
		o += n;
	}
	buf[o] = '\0';
	return buf;
}
