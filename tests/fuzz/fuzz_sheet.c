/* libFuzzer: the workbook readers (libzip, expat and fundkit's handlers)
 * on arbitrary bytes.  The first byte chooses: the bytes as a file (the
 * ZIP reader), or a well-formed ZIP whose worksheet (and shared strings
 * and styles, after NUL bytes), whose ODS content.xml, or whose workbook
 * part they are; and a header row.  Every record must be NUL-terminated
 * and as wide as the header at least. */
#include <zip.h>
#include "fund/fund.h"
#include "common.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

static const char CT[] = "<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\"/>";
static const char RELS[] = "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
	"<Relationship Id=\"rId1\" Type=\"x/officeDocument\" Target=\"xl/workbook.xml\"/></Relationships>";
static const char WB[] = "<workbook><workbookPr date1904=\"1\"/><sheets><sheet name=\"S\" sheetId=\"1\" r:id=\"rId1\"/>"
	"<sheet name=\"T\" state=\"hidden\" sheetId=\"2\" r:id=\"rId2\"/></sheets></workbook>";
static const char WBRELS[] = "<Relationships><Relationship Id=\"rId1\" Target=\"worksheets/sheet1.xml\"/>"
	"<Relationship Id=\"rId2\" Target=\"/xl/worksheets/sheet1.xml\"/></Relationships>";
static const char SHEET[] = "<worksheet><sheetData><row r=\"1\"><c r=\"A1\" t=\"s\"><v>0</v></c><c r=\"B1\" "
	"t=\"inlineStr\"><is><t>b</t></is></c></row><row r=\"2\"><c r=\"A2\" s=\"1\"><v>42585</v></c></row></sheetData></worksheet>";

static void add(zip_t *z, const char *name, const void *p, size_t n)
{
	zip_source_t *s = zip_source_buffer(z, p, n, 0);
	if (!s || zip_file_add(z, name, s, ZIP_FL_OVERWRITE) < 0)
		abort();
}

/* the parts of data cut at NUL bytes */
static size_t part(const unsigned char *data, size_t size, int k, const unsigned char **p)
{
	size_t i = 0, start = 0;
	for (;;) {
		const unsigned char *nul = memchr(data + start, 0, size - start);
		size_t end = nul ? (size_t)(nul - data) : size;
		if (i++ == (size_t)k) {
			*p = data + start;
			return end - start;
		}
		if (!nul)
			return 0;
		start = end + 1;
	}
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	struct fund_reader_opts o;
	struct fund_reader *r;
	struct fund_error err FUND_ERROR_SCOPED = FUND_ERROR_INIT;
	const struct fund_record *rec;
	struct fund_sheet_entry *list;
	size_t nlist;
	const char *path;
	int mode;

	if (size < 1)
		return 0;
	mode = data[0] & 3;
	memset(&o, 0, sizeof(o));
	o.header_row = (data[0] >> 2) & 3;
	o.sheet = data[0] & 16 ? "2" : NULL;
	data++;
	size--;
	if (mode == 0) {
		/* a ZIP's signature in front: the bytes are read as a workbook */
		unsigned char *buf = malloc(size + 4);
		if (!buf)
			return 0;
		memcpy(buf, "PK\x03\x04", 4);
		if (size)
			memcpy(buf + 4, data, size);
		path = fuzz_dump("sheet", size >= 4 && !memcmp(data, "PK\x03\x04", 4) ? data : buf,
				 size >= 4 && !memcmp(data, "PK\x03\x04", 4) ? size : size + 4);
		free(buf);
	} else {
		const unsigned char *a = data, *b = NULL, *c = NULL;
		size_t na = part(data, size, 0, &a), nb = part(data, size, 1, &b), nc = part(data, size, 2, &c);
		int zerr;
		zip_t *z;
		path = fuzz_dump("sheet", "", 0);
		if (!(z = zip_open(path, ZIP_CREATE | ZIP_TRUNCATE, &zerr)))
			abort();
		if (mode == 2) {
			add(z, "mimetype", "application/vnd.oasis.opendocument.spreadsheet", 46);
			add(z, "content.xml", a, na);
		} else {
			add(z, "[Content_Types].xml", CT, sizeof(CT) - 1);
			add(z, "_rels/.rels", RELS, sizeof(RELS) - 1);
			add(z, "xl/_rels/workbook.xml.rels", WBRELS, sizeof(WBRELS) - 1);
			if (mode == 1) {
				add(z, "xl/workbook.xml", WB, sizeof(WB) - 1);
				add(z, "xl/worksheets/sheet1.xml", a, na);
			} else {
				add(z, "xl/workbook.xml", a, na);
				add(z, "xl/worksheets/sheet1.xml", SHEET, sizeof(SHEET) - 1);
			}
			if (b)
				add(z, "xl/sharedStrings.xml", b, nb);
			if (c)
				add(z, "xl/styles.xml", c, nc);
		}
		if (zip_close(z) < 0)
			abort();
	}
	if (fund_sheets_list(path, &list, &nlist, &err) == 0)
		fund_sheets_free(list, nlist);
	fund_error_clear(&err);
	if (fund_reader_open(&r, path, &o, &err) < 0)
		return 0;
	while (fund_reader_next(r, &rec, &err) > 0) {
		size_t i;
		if (rec->n < fund_reader_ncols(r) || !rec->sheet)
			abort();
		for (i = 0; i < rec->n; i++)
			if (rec->fields[i][rec->len[i]] != '\0' || strlen(rec->fields[i]) > rec->len[i]) {
				fprintf(stderr, "field %zu of line %lu: len %zu, strlen %zu\n", i, rec->line, rec->len[i],
					strlen(rec->fields[i]));
				abort();
			}
	}
	fund_reader_close(&r);
	return 0;
}
