/* libFuzzer, differential: the same records as CSV and as JSON.  The CSV
 * reader reads arbitrary bytes; its records are written as a JSON array
 * of objects (cJSON), which the JSON reader must read back to the same
 * columns and the same values, field by field (a field the CSV record
 * lacks is a missing member, read back as null). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cjson/cJSON.h>
#include "fund/fund.h"
#include "common.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	struct fund_reader_opts o;
	struct fund_reader *r = NULL, *j = NULL;
	struct fund_error err FUND_ERROR_SCOPED = FUND_ERROR_INIT;
	const struct fund_record *rec;
	cJSON *arr, **rows = NULL;
	char *text;
	size_t ncols, i, nrows = 0, k;

	if (size < 1 || memchr(data, 0, size))
		return 0;   /* a NUL cannot be in a JSON string */
	memset(&o, 0, sizeof(o));
	o.format = FUND_IN_CSV;
	o.delim = data[0] & 1 ? ';' : ',';
	if (fund_reader_open(&r, fuzz_dump("csv", data + 1, size - 1), &o, &err) < 0)
		return 0;
	ncols = fund_reader_ncols(r);
	arr = cJSON_CreateArray();
	for (i = 0; i < ncols; i++)
		if (!fund_reader_colname(r, i)[0] || strchr(fund_reader_colname(r, i), '.'))
			goto out;   /* "" and dotted names have no place in a flat object */
	while (fund_reader_next(r, &rec, &err) > 0) {
		cJSON *obj = cJSON_CreateObject();
		if (rec->n > ncols) {
			cJSON_Delete(obj);
			continue;   /* extra fields have no name */
		}
		for (i = 0; i < rec->n; i++)
			cJSON_AddItemToObject(obj, fund_reader_colname(r, i), cJSON_CreateString(rec->fields[i]));
		cJSON_AddItemToArray(arr, obj);
		nrows++;
	}
	if (nrows == 0)
		goto out;
	text = cJSON_PrintUnformatted(arr);
	if (!text)
		abort();
	memset(&o, 0, sizeof(o));
	o.format = FUND_IN_JSON;
	if (fund_reader_open(&j, fuzz_dump("json", text, strlen(text)), &o, &err) < 0)
		abort();
	cJSON_free(text);
	/* the JSON reader takes its columns from the first record */
	rows = calloc(nrows, sizeof(*rows));
	for (i = 0, k = 0; k < nrows; k++) {
		cJSON *obj = cJSON_GetArrayItem(arr, (int)k);
		if (fund_reader_next(j, &rec, &err) != 1)
			abort();
		for (i = 0; i < rec->n; i++) {
			/* a name twice: its column reads the member of that rank */
			const char *name = fund_reader_colname(j, i);
			const cJSON *v;
			size_t m = 0, x;
			for (x = 0; x < i; x++)
				m += !strcmp(fund_reader_colname(j, x), name);
			for (v = obj->child; v; v = v->next)
				if (!strcmp(v->string, name) && m-- == 0)
					break;
			if (v ? rec->is_null[i] || strcmp(v->valuestring, rec->fields[i]) : !rec->is_null[i])
				abort();
		}
	}
	if (fund_reader_next(j, &rec, &err) != 0)
		abort();
out:
	free(rows);
	cJSON_Delete(arr);
	fund_reader_close(&j);
	fund_reader_close(&r);
	return 0;
}
