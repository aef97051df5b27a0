/* Functions that must not be used in libfund or the tools (git's banned.h):
 * numbers are parsed exactly, strings are bounded. */
#ifndef FUND_BANNED_H
#define FUND_BANNED_H

#define BANNED(f) sorry_##f##_is_a_banned_function

#undef atoi
#define atoi(x) BANNED(atoi)
#undef atof
#define atof(x) BANNED(atof)
#undef atol
#define atol(x) BANNED(atol)
#undef strcpy
#define strcpy(x, y) BANNED(strcpy)
#undef strcat
#define strcat(x, y) BANNED(strcat)
#undef strtok
#define strtok(x, y) BANNED(strtok)
#undef sprintf
#define sprintf(...) BANNED(sprintf)
#undef vsprintf
#define vsprintf(...) BANNED(vsprintf)
/* fund_fmt (lib/text.c): a text that does not fit is never left unseen */
#undef snprintf
#define snprintf(...) BANNED(snprintf)
#undef vsnprintf
#define vsnprintf(...) BANNED(vsnprintf)

#endif
