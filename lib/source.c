/* The byte source: file or stdin, gzip through zlib, BOM removal, and
 * transcoding to UTF-8.  Encoding detection: input that is valid UTF-8 is
 * UTF-8; at the first invalid sequence the rest is read as Windows-1252.
 * When that sequence is in the first 64 KiB (checked before anything is
 * handed out), the whole input is Windows-1252; later, Windows-1252
 * starts at that sequence, so that where reads stop changes nothing. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "internal.h"
#include "banned.h"
#if FUND_AVX2
#include <cpuid.h>
#endif
#ifdef __SSE2__
#include <emmintrin.h>
#endif

static const unsigned short cp1252_hi[32] = {
	0x20AC, 0x0081, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
	0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0x008D, 0x017D, 0x008F,
	0x0090, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
	0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x009D, 0x017E, 0x0178
};

int fund_buf_reserve(struct fund_buf *b, size_t extra)
{
	size_t need = b->len + extra, cap;
	char *p;
	if (need < b->len)
		return FUND_ENOMEM;
	if (need <= b->cap)
		return 0;
	cap = b->cap ? b->cap : 256;
	while (cap < need) {
		if (cap > SIZE_MAX / 2)
			return FUND_ENOMEM;
		cap *= 2;
	}
	p = realloc(b->p, cap);
	if (!p)
		return FUND_ENOMEM;
	b->p = p;
	b->cap = cap;
	return 0;
}

void fund_buf_release(struct fund_buf *b)
{
	free(b->p);
	b->p = NULL;
	b->len = b->cap = 0;
}

int fund_spares_new(struct fund_spares **out)
{
	struct fund_spares *s = calloc(1, sizeof(*s));
	*out = NULL;
	if (!s)
		return FUND_ENOMEM;
	if (pthread_mutex_init(&s->mu, NULL)) {
		free(s);
		return FUND_ENOMEM;
	}
	*out = s;
	return 0;
}

void fund_spares_free(struct fund_spares **sp)
{
	struct fund_spares *s = *sp;
	if (!s)
		return;
	while (s->n)
		fund_buf_release(&s->b[--s->n]);
	pthread_mutex_destroy(&s->mu);
	free(s);
	*sp = NULL;
}

struct fund_buf fund_spares_take(struct fund_spares *s)
{
	struct fund_buf b = { NULL, 0, 0 };
	pthread_mutex_lock(&s->mu);
	if (s->n)
		b = s->b[--s->n];
	pthread_mutex_unlock(&s->mu);
	b.len = 0;
	return b;
}

void fund_spares_give(struct fund_spares *s, struct fund_buf *b)
{
	pthread_mutex_lock(&s->mu);
	if (b->p && s->n < FUND_PARTS_MAX) {
		s->b[s->n++] = *b;
		*b = (struct fund_buf){ NULL, 0, 0 };
	}
	pthread_mutex_unlock(&s->mu);
	fund_buf_release(b);
}

int fund_encoding_from_name(const char *name)
{
	char n[32];
	size_t i, o = 0;
	for (i = 0; name[i] && o < sizeof(n) - 1; i++) {
		char c = name[i];
		if (c == '-' || c == '_')
			continue;
		n[o++] = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
	}
	n[o] = '\0';
	if (!strcmp(n, "auto")) return FUND_ENC_AUTO;
	if (!strcmp(n, "utf8")) return FUND_ENC_UTF8;
	if (!strcmp(n, "cp1252") || !strcmp(n, "windows1252") || !strcmp(n, "win1252"))
		return FUND_ENC_CP1252;
	if (!strcmp(n, "latin1") || !strcmp(n, "iso88591") || !strcmp(n, "l1"))
		return FUND_ENC_LATIN1;
	return -1;
}

const char *fund_encoding_name(enum fund_encoding e)
{
	switch (e) {
	case FUND_ENC_UTF8: return "UTF-8";
	case FUND_ENC_CP1252: return "Windows-1252";
	case FUND_ENC_LATIN1: return "ISO-8859-1";
	default: return "auto";
	}
}

static int io_error(struct fund_error *err, const char *name, const char *what)
{
	int e = errno, code = e == ENOMEM ? FUND_ENOMEM : FUND_EIO;
	fund_error_set(err, code, "%s: %s: %s", name, what, e == ENOMEM ? "out of memory" : strerror(e));
	if (err)
		err->sys_errno = e;
	return code;
}

/* What a binary file is, from its first bytes: NULL for text.  A NUL
 * byte in the first 4 KiB is not text either. */
static const char *binary_kind(const unsigned char *p, size_t n)
{
	static const struct { const char *magic; size_t len; const char *what; } m[] = {
		{ "\x89PNG", 4, "a PNG image" },
		{ "%PDF-", 5, "a PDF document" },
		{ "PK\x03\x04", 4, "a ZIP archive (an .xlsx or .ods spreadsheet? save it as CSV)" },
		{ "\xD0\xCF\x11\xE0", 4, "an old Excel (.xls) or Office file (save it as CSV)" },
		{ "\xFF\xD8\xFF", 3, "a JPEG image" },
		{ "GIF8", 4, "a GIF image" },
		{ "\x7F" "ELF", 4, "a program" },
	};
	size_t i;
	for (i = 0; i < sizeof(m) / sizeof(m[0]); i++)
		if (n >= m[i].len && !memcmp(p, m[i].magic, m[i].len))
			return m[i].what;
	if (memchr(p, 0, n < 4096 ? n : 4096))
		return "binary data (a NUL byte near the start)";
	return NULL;
}

/* The two chunk buffers a source reads through, each SRC_CHUNK +
 * SRC_PAD: from spares when it has them (a part's reader used again),
 * else allocated. */
static int chunk_bufs(struct fund_source *s, struct fund_spares *spares)
{
	struct fund_buf a = { NULL, 0, 0 }, b = { NULL, 0, 0 };
	if (spares) {
		a = fund_spares_take(spares);
		b = fund_spares_take(spares);
	}
	s->raw = a.p ? (unsigned char *)a.p : malloc(SRC_CHUNK + SRC_PAD);
	s->plain = b.p ? (unsigned char *)b.p : malloc(SRC_CHUNK + SRC_PAD);
	return s->raw && s->plain ? 0 : FUND_ENOMEM;
}

static int source_open(struct fund_source *s, const char *path, const char *name,
		       enum fund_encoding enc, struct fund_spares *spares, struct fund_error *err)
{
	struct stat st;

	memset(s, 0, sizeof(*s));
	s->name = name;
	s->fd = -1;
	s->map.slot = -1;
	if (!path || !strcmp(path, "-")) {
		s->fd = 0;
	} else {
		s->fd = open(path, O_RDONLY | O_CLOEXEC);
		if (s->fd < 0)
			return io_error(err, name, "cannot open");
		s->own_fd = 1;
	}
	if (fstat(s->fd, &st) == 0) {
		if (S_ISDIR(st.st_mode)) {
			errno = EISDIR;
			io_error(err, name, "cannot read");
			fund_source_close(s);
			return FUND_EIO;
		}
		if (S_ISREG(st.st_mode))
			s->size = (uint64_t)st.st_size;
#ifdef F_SETPIPE_SZ
		/* a pipe holds 64 KiB: a larger one means fewer reads, and
		 * fewer lines cut by the end of what a read gives (an
		 * unprivileged process may go up to 1 MiB) */
		if (S_ISFIFO(st.st_mode))
			(void)fcntl(s->fd, F_SETPIPE_SZ, 1 << 20);
#endif
	}
	if (chunk_bufs(s, spares)) {
		fund_source_close(s);
		return fund_error_set(err, FUND_ENOMEM, "%s: out of memory", name);
	}
	s->enc = enc;
	s->forced = enc != FUND_ENC_AUTO;
	s->passthrough = 1;
	return 0;
}

int fund_source_open(struct fund_source *s, const char *path, const char *name,
		     enum fund_encoding enc, struct fund_error *err)
{
	return source_open(s, path, name, enc, NULL, err);
}

int fund_source_open_part(struct fund_source *s, const char *path, const char *name,
			  enum fund_encoding enc, uint64_t start, uint64_t limit, int map,
			  struct fund_spares *spares, struct fund_error *err)
{
	int rc = source_open(s, path, name, enc, spares, err);
	if (rc)
		return rc;
	/* mapped up to the part's end, or the file's as it is now (one that
	 * grew is read on with read(2), as in one pass) */
	if (map && s->size > start)
		(void)fund_map_open(&s->map, s->fd, start, limit && limit < s->size ? limit : s->size);
	if (lseek(s->fd, (off_t)start, SEEK_SET) < 0) {
		rc = io_error(err, name, "cannot seek");
		fund_source_close(s);
		return rc;
	}
	s->bytes_in = s->out_off = start;
	s->limit = limit;
	s->started = 1;
	s->gz_checked = 1;
	return 0;
}

int fund_source_open_mem(struct fund_source *s, const unsigned char *p, size_t n, int fd,
			 uint64_t off, const char *name, enum fund_encoding enc, struct fund_spares *spares,
			 struct fund_error *err)
{
	memset(s, 0, sizeof(*s));
	s->name = name;
	s->fd = fd;
	s->map.slot = -1;
	s->mem_then_fd = fd >= 0;
	if (chunk_bufs(s, spares)) {
		fund_source_close(s);
		return fund_error_set(err, FUND_ENOMEM, "%s: out of memory", name);
	}
	s->mem = p;
	s->is_mem = 1;
	s->mem_len = n;
	s->bytes_in = s->out_off = off;
	s->enc = enc;
	s->forced = enc != FUND_ENC_AUTO;
	s->passthrough = 1;
	s->started = 1;
	s->gz_checked = 1;
	return 0;
}

void fund_source_close_to(struct fund_source *s, struct fund_spares *spares)
{
	unsigned char **b[2] = { &s->raw, &s->plain };
	size_t i;
	for (i = 0; spares && i < 2; i++) {
		struct fund_buf k = { (char *)*b[i], 0, SRC_CHUNK + SRC_PAD };
		*b[i] = NULL;
		fund_spares_give(spares, &k);
	}
	fund_source_close(s);
}

void fund_source_close(struct fund_source *s)
{
	if (s->own_fd && s->fd >= 0)
		close(s->fd);
	s->fd = -1;
	if (s->z_open)
		inflateEnd(&s->z);
	s->z_open = 0;
	fund_map_close(&s->map);
	free(s->raw);
	free(s->plain);
	free(s->out);
	s->raw = s->plain = s->out = NULL;
	s->mem = NULL;
}

/* Read up to want bytes into buf, within s->limit: the count, 0 at the
 * end (raw_eof set), or FUND_EIO. */
static ssize_t read_some(struct fund_source *s, unsigned char *buf, size_t want, struct fund_error *err)
{
	ssize_t n;
	if (s->is_mem) {
		if (s->mem_pos < s->mem_len) {
			size_t k = s->mem_len - s->mem_pos < want ? s->mem_len - s->mem_pos : want;
			memcpy(buf, s->mem + s->mem_pos, k);
			s->mem_pos += k;
			s->bytes_in += k;
			return (ssize_t)k;
		}
		if (!s->mem_then_fd) {
			s->raw_eof = 1;
			return 0;
		}
	}
	if (s->limit) {
		if (s->bytes_in >= s->limit) {
			s->raw_eof = 1;
			return 0;
		}
		if (s->limit - s->bytes_in < want)
			want = (size_t)(s->limit - s->bytes_in);
	}
	do
		n = read(s->fd, buf, want);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return io_error(err, s->name, "read error");
	if (n == 0)
		s->raw_eof = 1;
	s->bytes_in += (uint64_t)n;
	return n;
}

/* Refill s->raw when it is used up.  0, or FUND_EIO. */
static int fill_raw(struct fund_source *s, struct fund_error *err)
{
	ssize_t n;
	if (s->raw_pos < s->raw_len || s->raw_eof)
		return 0;
	s->raw_pos = s->raw_len = 0;
	n = read_some(s, s->raw, SRC_CHUNK, err);
	if (n < 0)
		return (int)n;
	s->raw_len = (size_t)n;
	return 0;
}

/* Append up to room bytes of plain (decompressed) data to s->plain. */
static int fill_plain(struct fund_source *s, size_t room, struct fund_error *err)
{
	int rc;

	if (s->gz_checked && !s->gz && s->raw_pos == s->raw_len) {
		/* plain text: read straight into place */
		ssize_t n = s->raw_eof ? 0 : read_some(s, s->plain + s->plain_len, room, err);
		if (n < 0)
			return (int)n;
		s->plain_len += (size_t)n;
		return 0;
	}
	if ((rc = fill_raw(s, err)) < 0)
		return rc;
	if (!s->gz_checked && (s->raw_len - s->raw_pos >= 2 || s->raw_eof)) {
		s->gz_checked = 1;
		if (s->raw_len - s->raw_pos >= 2 && s->raw[s->raw_pos] == 0x1f &&
		    s->raw[s->raw_pos + 1] == 0x8b) {
			memset(&s->z, 0, sizeof(s->z));
			if (inflateInit2(&s->z, 15 + 16) != Z_OK)
				return fund_error_set(err, FUND_ENOMEM, "%s: cannot start gzip decoder", s->name);
			s->z_open = 1;
			s->gz = 1;
		}
	}
	if (!s->gz) {
		size_t n = s->raw_len - s->raw_pos;
		if (n > room)
			n = room;
		memcpy(s->plain + s->plain_len, s->raw + s->raw_pos, n);
		s->plain_len += n;
		s->raw_pos += n;
		return 0;
	}
	for (;;) {
		size_t before;
		if ((rc = fill_raw(s, err)) < 0)
			return rc;
		if (s->raw_pos == s->raw_len) {
			if (s->z_open && s->z.total_in > 0 && s->gz != 2)
				return fund_error_set(err, FUND_EDATA, "%s: gzip data ends early (truncated file?)", s->name);
			return 0;
		}
		if (s->gz == 2) {
			/* after a member ended: another member, or trailing zeros */
			if (s->raw[s->raw_pos] == 0x1f) {
				inflateReset(&s->z);
				s->gz = 1;
			} else {
				s->raw_pos++;
				continue;
			}
		}
		s->z.next_in = s->raw + s->raw_pos;
		s->z.avail_in = (uInt)(s->raw_len - s->raw_pos);
		s->z.next_out = s->plain + s->plain_len;
		s->z.avail_out = (uInt)room;
		before = room;
		rc = inflate(&s->z, Z_NO_FLUSH);
		s->raw_pos = s->raw_len - s->z.avail_in;
		s->plain_len += before - s->z.avail_out;
		if (rc == Z_STREAM_END) {
			s->gz = 2;
			return 0;
		}
		if (rc != Z_OK && rc != Z_BUF_ERROR)
			return fund_error_set(err, FUND_EDATA, "%s: corrupt gzip data: %s", s->name,
					      s->z.msg ? s->z.msg : "inflate failed");
		if (before != s->z.avail_out)
			return 0;
	}
}

int fund_cpu_avx2, fund_cpu_hw, fund_cpu_avx512, fund_cpu_pdep;

int fund_cpu_pdep_slow(unsigned vendor_ebx, unsigned eax1)
{
	const unsigned amd = 0x68747541, hygon = 0x6f677948;   /* "Auth", "Hygo" */
	unsigned family = (eax1 >> 8) & 0xf;
	if (family == 0xf)
		family += (eax1 >> 20) & 0xff;
	return vendor_ebx == hygon || (vendor_ebx == amd && family < 0x19);
}

/* cJSON says NULL both for bad JSON and for no memory: its allocations
 * go through this, which remembers a failure for the thread */
static __thread int cjson_failed;

static void *cjson_malloc(size_t n)
{
	void *p = malloc(n);
	if (!p)
		cjson_failed = 1;
	return p;
}

int fund_cjson_nomem(int clear)
{
	int f = cjson_failed;
	if (clear)
		cjson_failed = 0;
	return f;
}

__attribute__((constructor)) static void cpu_init(void)
{
	cJSON_Hooks hooks = { cjson_malloc, free };
	cJSON_InitHooks(&hooks);
#if FUND_AVX2
	const char *e = getenv("FUNDKIT_SIMD");
	__builtin_cpu_init();
	fund_cpu_avx2 = __builtin_cpu_supports("avx2") && !(e && !strcmp(e, "sse2"));
	fund_cpu_hw = fund_cpu_avx2 && __builtin_cpu_supports("popcnt") && __builtin_cpu_supports("bmi") &&
		__builtin_cpu_supports("bmi2") && __builtin_cpu_supports("pclmul");
	fund_cpu_avx512 = fund_cpu_hw && __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
		__builtin_cpu_supports("avx512vbmi2") && !(e && !strcmp(e, "avx2"));
	{
		/* leaf 0's ebx: the vendor; leaf 1's eax: the family */
		unsigned vendor = 0, eax, ebx, ecx, edx;
		if (__get_cpuid_max(0, &vendor) >= 1 && __get_cpuid(1, &eax, &ebx, &ecx, &edx))
			fund_cpu_pdep = fund_cpu_hw && !fund_cpu_pdep_slow(vendor, eax);
	}
#endif
}

#if FUND_AVX2
#define UTF8_GROUP 1024
/* The bytes of v0 then v1 (64) whose high bit is set. */
__attribute__((target("avx2")))
static inline uint64_t high_bits_avx2(__m256i v0, __m256i v1)
{
	return (uint64_t)(uint32_t)_mm256_movemask_epi8(v0) | (uint64_t)(uint32_t)_mm256_movemask_epi8(v1) << 32;
}

/* Their leads of two-byte sequences C2..DF (*L) and continuations 80..BF
 * (*C). */
__attribute__((target("avx2")))
static inline void utf8_classes_avx2(__m256i v0, __m256i v1, uint64_t *L, uint64_t *C)
{
	const __m256i lo = _mm256_set1_epi8(-63), hi = _mm256_set1_epi8(-32), ct = _mm256_set1_epi8(-64);
	*L = (uint64_t)(uint32_t)_mm256_movemask_epi8(_mm256_and_si256(_mm256_cmpgt_epi8(v0, lo), _mm256_cmpgt_epi8(hi, v0))) |
		(uint64_t)(uint32_t)_mm256_movemask_epi8(_mm256_and_si256(_mm256_cmpgt_epi8(v1, lo), _mm256_cmpgt_epi8(hi, v1)))
		<< 32;
	*C = (uint64_t)(uint32_t)_mm256_movemask_epi8(_mm256_cmpgt_epi8(ct, v0)) |
		(uint64_t)(uint32_t)_mm256_movemask_epi8(_mm256_cmpgt_epi8(ct, v1)) << 32;
}

/* utf8_valid's run of 64-byte blocks of ASCII and two-byte sequences,
 * 32 bytes at a time: from i, the offset of the first block that is not
 * (*carry: the block before ended with a lead byte). */
__attribute__((target("avx2")))
static size_t utf8_run_avx2(const unsigned char *p, size_t n, size_t i, uint64_t *carry)
{
	/* UTF8_GROUP blocks at once, as utf8_run_avx512 takes them */
	while (i + UTF8_GROUP <= n) {
		uint64_t err = 0, c = *carry, H, L, C;
		size_t k;
		for (k = 0; k < UTF8_GROUP; k += 64) {
			__m256i v0 = _mm256_loadu_si256((const __m256i *)(const void *)(p + i + k));
			__m256i v1 = _mm256_loadu_si256((const __m256i *)(const void *)(p + i + k + 32));
			H = high_bits_avx2(v0, v1);
			utf8_classes_avx2(v0, v1, &L, &C);
			err |= (H ^ (L | C)) | (C ^ ((L << 1) | c));
			c = L >> 63;
		}
		if (err)
			break;
		*carry = c;
		i += UTF8_GROUP;
	}
	while (i + 64 <= n) {
		__m256i v0 = _mm256_loadu_si256((const __m256i *)(const void *)(p + i));
		__m256i v1 = _mm256_loadu_si256((const __m256i *)(const void *)(p + i + 32));
		uint64_t H = high_bits_avx2(v0, v1), L, C;
		if (!H && !*carry) {
			i += 64;
			continue;
		}
		utf8_classes_avx2(v0, v1, &L, &C);
		if (H != (L | C) || C != ((L << 1) | *carry))
			break;
		*carry = L >> 63;
		i += 64;
	}
	return i;
}

/* The same on AVX-512 BW (fund_cpu_avx512): a class is one compare into
 * a mask, 64 bytes at once. */
__attribute__((target("avx512f,avx512bw")))
static size_t utf8_run_avx512(const unsigned char *p, size_t n, size_t i, uint64_t *carry)
{
	const __m512i c2 = _mm512_set1_epi8((char)0xC2), n2 = _mm512_set1_epi8(0x1E), ct = _mm512_set1_epi8(-64);
	/* UTF8_GROUP blocks at once, with no branch a block (whether a
	 * block holds a byte that is not ASCII is a coin toss in French
	 * text, and the processor's guesses missed): their mismatches
	 * gathered, the group taken whole when there is none, else looked
	 * at block by block below */
	while (i + UTF8_GROUP <= n) {
		uint64_t err = 0, c = *carry, H, L, C;
		size_t k;
		for (k = 0; k < UTF8_GROUP; k += 64) {
			const __m512i v = _mm512_loadu_si512((const void *)(p + i + k));
			H = _mm512_movepi8_mask(v);
			L = _mm512_cmplt_epu8_mask(_mm512_sub_epi8(v, c2), n2);
			C = _mm512_cmplt_epi8_mask(v, ct);
			err |= (H ^ (L | C)) | (C ^ ((L << 1) | c));
			c = L >> 63;
		}
		if (err)
			break;
		*carry = c;
		i += UTF8_GROUP;
	}
	while (i + 64 <= n) {
		const __m512i v = _mm512_loadu_si512((const void *)(p + i));
		uint64_t H = _mm512_movepi8_mask(v), L, C;
		if (!H && !*carry) {
			i += 64;
			continue;
		}
		/* leads C2..DF, continuations 80..BF */
		L = _mm512_cmplt_epu8_mask(_mm512_sub_epi8(v, c2), n2);
		C = _mm512_cmplt_epi8_mask(v, ct);
		if (H != (L | C) || C != ((L << 1) | *carry))
			break;
		*carry = L >> 63;
		i += 64;
	}
	return i;
}
#endif

/* Length of the valid UTF-8 prefix of p[0..n); *incomplete set when what
 * stops it is a sequence cut by the end of the buffer. */
static size_t utf8_valid(const unsigned char *p, size_t n, int *incomplete)
{
	size_t i = 0;
	*incomplete = 0;
	while (i < n) {
		unsigned char c;
		size_t k, need;
		unsigned cp;
#ifdef __SSE2__
		/* 64 bytes at a time while they are ASCII or two-byte
		 * sequences (é, à, ç: what French text holds): every byte
		 * with the high bit is a lead C2..DF followed by a
		 * continuation 80..BF, or that continuation */
		uint64_t carry = 0;
#if FUND_AVX2
		if (fund_cpu_avx512)
			i = utf8_run_avx512(p, n, i, &carry);
		else if (fund_cpu_avx2)
			i = utf8_run_avx2(p, n, i, &carry);
		else
#endif
		while (i + 64 <= n) {
			const __m128i lo = _mm_set1_epi8(-63), hi = _mm_set1_epi8(-32), ct = _mm_set1_epi8(-64);
			uint64_t H = 0, L = 0, C = 0;
			int q;
			for (q = 0; q < 64; q += 16)
				H |= (uint64_t)(unsigned)_mm_movemask_epi8(
					_mm_loadu_si128((const __m128i *)(const void *)(p + i + (size_t)q))) << q;
			if (!H && !carry) {
				i += 64;
				continue;
			}
			for (q = 0; q < 64; q += 16) {
				__m128i v = _mm_loadu_si128((const __m128i *)(const void *)(p + i + (size_t)q));
				L |= (uint64_t)(unsigned)_mm_movemask_epi8(
					_mm_and_si128(_mm_cmpgt_epi8(v, lo), _mm_cmpgt_epi8(hi, v))) << q;
				C |= (uint64_t)(unsigned)_mm_movemask_epi8(_mm_cmpgt_epi8(ct, v)) << q;
			}
			if (H != (L | C) || C != ((L << 1) | carry))
				break;
			carry = L >> 63;
			i += 64;
		}
		if (carry)
			i--;    /* back to the lead whose continuation follows */
		/* ASCII 16 bytes at a time, straight to the first byte that is
		 * not (French text has a few per line) */
		while (i + 16 <= n) {
			unsigned m = (unsigned)_mm_movemask_epi8(
				_mm_loadu_si128((const __m128i *)(const void *)(p + i)));
			if (m) {
				i += (size_t)__builtin_ctz(m);
				break;
			}
			i += 16;
		}
#endif
		while (i < n && p[i] < 0x80)
			i++;
		if (i == n)
			break;
		c = p[i];
		if (c >= 0xC2 && c <= 0xDF) {
			/* the common case, é à ç: two bytes */
			if (i + 1 < n && (p[i + 1] & 0xC0) == 0x80) {
				i += 2;
				continue;
			}
			need = 1;
			cp = c & 0x1F;
		}
		else if (c >= 0xE0 && c <= 0xEF) { need = 2; cp = c & 0x0F; }
		else if (c >= 0xF0 && c <= 0xF4) { need = 3; cp = c & 0x07; }
		else return i;
		for (k = 1; k <= need; k++) {
			if (i + k >= n) {
				*incomplete = 1;
				return i;
			}
			if ((p[i + k] & 0xC0) != 0x80)
				return i;
			cp = (cp << 6) | (p[i + k] & 0x3F);
		}
		if ((need == 2 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) ||
		    (need == 3 && (cp < 0x10000 || cp > 0x10FFFF)))
			return i;
		i += need + 1;
	}
	return i;
}

static size_t put_utf8(unsigned char *o, unsigned cp)
{
	if (cp < 0x80) { o[0] = (unsigned char)cp; return 1; }
	if (cp < 0x800) {
		o[0] = (unsigned char)(0xC0 | (cp >> 6));
		o[1] = (unsigned char)(0x80 | (cp & 0x3F));
		return 2;
	}
	o[0] = (unsigned char)(0xE0 | (cp >> 12));
	o[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
	o[2] = (unsigned char)(0x80 | (cp & 0x3F));
	return 3;
}

static int ensure_out(struct fund_source *s, size_t need)
{
	unsigned char *p;
	if (need <= s->out_cap)
		return 0;
	p = realloc(s->out, need + SRC_PAD);
	if (!p)
		return FUND_ENOMEM;
	s->out = p;
	s->out_cap = need;
	return 0;
}

/* Windows-1252 or Latin-1 to UTF-8, appended at s->out + o. */
static size_t single_byte(struct fund_source *s, size_t o, const unsigned char *p, size_t n)
{
	size_t i;
	for (i = 0; i < n; i++) {
		unsigned c = p[i];
		if (c >= 0x80 && c < 0xA0 && s->enc == FUND_ENC_CP1252)
			c = cp1252_hi[c - 0x80];
		o += put_utf8(s->out + o, c);
	}
	return o;
}

int fund_source_lost(struct fund_source *s, struct fund_error *err)
{
	struct stat st;
	/* a page that could not be read in faults too */
	if (fstat(s->fd, &st) == 0 && (uint64_t)st.st_size >= s->map.end) {
		errno = EIO;
		return io_error(err, s->name, "read error");
	}
	return fund_error_set(err, FUND_EIO, "%s: the file shrank while it was read", s->name);
}

/* The next bytes of a mapped part, in place, SRC_CHUNK at most (what the
 * parser reads stays in the processor's cache), ended before a UTF-8
 * sequence that the next ones end: their count; 0 when the rest is read
 * with read(2): the mapping's end, or bytes that are not UTF-8 (read as
 * an unmapped part reads them); or FUND_EIO once the file shrank. */
static ssize_t mapped(struct fund_source *s, const unsigned char **data, struct fund_error *err)
{
	const unsigned char *p = s->map.p + s->map_pos;
	size_t n = s->map.n - s->map_pos, v;
	int incomplete;
	if (fund_map_shrank(&s->map))
		return fund_source_lost(s, err);
	fund_map_done(&s->map, s->map_pos);    /* what came before is read */
	if (n > SRC_CHUNK)
		n = SRC_CHUNK;
	if (n) {
		v = utf8_valid(p, n, &incomplete);
		if (v < n && incomplete && n - v < 4 && s->map_pos + n < s->map.n && v)
			n = v;
		/* validating read every page: one past the file's end has
		 * been seen by now */
		if (fund_map_shrank(&s->map))
			return fund_source_lost(s, err);
		if (v == n) {
			s->map_pos += n;
			s->out_off += n;
			s->bytes_in += n;
			s->mapped_out = 1;
			*data = p;
			return (ssize_t)n;
		}
	}
	/* a file cut within the mapping's last page reads as zeros there,
	 * with no fault: its size says it, before the last line is ended */
	if (!n) {
		struct stat st;
		if (fstat(s->fd, &st) == 0 && (uint64_t)st.st_size < s->map.end)
			return fund_error_set(err, FUND_EIO, "%s: the file shrank while it was read", s->name);
	}
	/* from here with read(2) */
	fund_map_close(&s->map);
	s->bytes_in = s->out_off;
	if (lseek(s->fd, (off_t)s->out_off, SEEK_SET) < 0)
		return io_error(err, s->name, "cannot seek");
	return 0;
}

ssize_t fund_source_read(struct fund_source *s, const unsigned char **data,
			 size_t want, struct fund_error *err)
{
	unsigned char *p;
	size_t n, o = 0;
	int rc;

	if (s->eof)
		return 0;
	s->mapped_out = 0;
	if (s->map.slot >= 0) {
		ssize_t m = mapped(s, data, err);
		if (m)
			return m;
	}
	if (want > SRC_CHUNK)
		want = SRC_CHUNK;
	s->plain_len = 0;
	if (s->ncarry) {
		memcpy(s->plain, s->carry, s->ncarry);
		s->plain_len = s->ncarry;
		s->ncarry = 0;
	}
	do {
		size_t before = s->plain_len;
		if ((rc = fill_plain(s, SRC_CHUNK - s->plain_len, err)) < 0)
			return rc;
		if (s->plain_len == before && s->raw_eof && s->raw_pos == s->raw_len)
			break;
	} while (s->plain_len < (want ? want : 1) || (!s->started && s->plain_len < 4 && !s->raw_eof));

	p = s->plain;
	n = s->plain_len;
	if (!s->started) {
		s->started = 1;
		if (n >= 3 && p[0] == 0xEF && p[1] == 0xBB && p[2] == 0xBF) {
			p += 3;
			n -= 3;
			s->out_off += 3;
		} else if (n >= 2 && ((p[0] == 0xFF && p[1] == 0xFE) || (p[0] == 0xFE && p[1] == 0xFF))) {
			return fund_error_set(err, FUND_EDATA,
				"%s: UTF-16 input is not supported; convert it first: iconv -f UTF-16 -t UTF-8", s->name);
		} else {
			const char *what = binary_kind(p, n);
			if (what && !s->gz && (s->sheet_kind = fund_sheet_magic(p, n)) != 0)
				return fund_error_set(err, FUND_EDATA, "%s: a spreadsheet", s->name);
			if (what)
				return fund_error_set(err, FUND_EDATA, "%s: not a text table: %s", s->name, what);
		}
	}
	if (n == 0) {
		s->eof = 1;
		return 0;
	}
	if (ensure_out(s, n * 3 + 4) < 0)
		return fund_error_set(err, FUND_ENOMEM, "%s: out of memory", s->name);

	if (s->enc == FUND_ENC_AUTO || s->enc == FUND_ENC_UTF8) {
		int incomplete;
		size_t v = utf8_valid(p, n, &incomplete);
		int at_end = s->raw_eof && s->raw_pos == s->raw_len;
		if (v == n || (incomplete && !at_end && n - v < 4)) {
			/* all valid, possibly but a sequence cut by the buffer */
			memcpy(s->carry, p + v, n - v);
			s->ncarry = n - v;
			*data = p;
			s->out_off += v;
			memset(p + v, 0, SRC_PAD);   /* bytes a SIMD scan may read */
			if (v == 0 && s->ncarry)
				return fund_source_read(s, data, want, err);
			return (ssize_t)v;
		}
		if (s->enc == FUND_ENC_UTF8) {
			/* forced UTF-8: invalid bytes become U+FFFD; a sequence
			 * cut by the end of the buffer waits for its end, so
			 * that the result does not depend on where reads stop */
			size_t i = 0;
			s->passthrough = 0;
			while (i < n) {
				v = utf8_valid(p + i, n - i, &incomplete);
				memcpy(s->out + o, p + i, v);
				o += v;
				i += v;
				if (i < n && incomplete && !at_end && n - i < 4) {
					memcpy(s->carry, p + i, n - i);
					s->ncarry = n - i;
					break;
				}
				if (i < n) {
					o += put_utf8(s->out + o, 0xFFFD);
					i++;
				}
			}
			*data = s->out;
			memset(s->out + o, 0, SRC_PAD);
			return (ssize_t)o;
		}
		s->enc = FUND_ENC_CP1252;
		if (s->passthrough && s->out_off + v >= 65536) {
			/* past the first 64 KiB: what was valid UTF-8 stays
			 * UTF-8, and Windows-1252 starts at the first invalid
			 * byte, wherever reads happened to stop (a pipe's do
			 * not stop in the same places twice) */
			memcpy(s->out, p, v);
			s->passthrough = 0;
			o = single_byte(s, v, p + v, n - v);
			*data = s->out;
			memset(s->out + o, 0, SRC_PAD);
			return (ssize_t)o;
		}
	}
	s->passthrough = 0;
	o = single_byte(s, 0, p, n);
	*data = s->out;
	memset(s->out + o, 0, SRC_PAD);
	return (ssize_t)o;
}
