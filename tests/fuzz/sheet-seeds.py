#!/usr/bin/env python3
"""Seeds of fuzz_sheet: the XML parts of the test workbooks, each behind
the mode byte the harness reads (1: a worksheet, then its shared strings
and styles after NUL bytes; 2: an ODS content.xml; 3: a workbook part),
and two whole small files (mode 0)."""
import glob
import os
import sys
import zipfile

out = sys.argv[1]
os.makedirs(out, exist_ok=True)
n = 0
for f in sorted(glob.glob('tests/data/sheets/*.xlsx') + glob.glob('tests/data/sheets/*.ods')):
    try:
        z = zipfile.ZipFile(f)
    except zipfile.BadZipFile:
        continue
    names = z.namelist()
    if 'content.xml' in names:
        parts = [(b'\x02', z.read('content.xml'))]
    else:
        sst = z.read('xl/sharedStrings.xml') if 'xl/sharedStrings.xml' in names else b''
        sty = z.read('xl/styles.xml') if 'xl/styles.xml' in names else b''
        parts = [(b'\x01', z.read(s) + b'\0' + sst + b'\0' + sty) for s in names if s.startswith('xl/worksheets/')]
        parts.append((b'\x03', z.read('xl/workbook.xml')))
    for mode, data in parts:
        if len(data) < 60000:
            open(os.path.join(out, 'seed%d' % n), 'wb').write(mode + data)
            n += 1
for f in ('features.xlsx', 'dates-1904.xlsx'):
    open(os.path.join(out, 'seed%d' % n), 'wb').write(b'\x00' + open('tests/data/sheets/' + f, 'rb').read())
    n += 1
