#!/usr/bin/env python3
"""Make the small workbooks of tests/data/sheets/, each feature of the
spreadsheet readers written by hand in the formats' own XML (Python's
zipfile, no spreadsheet library): run it to remake them, then commit.
features.xls is LibreOffice's conversion of features.xlsx (kept as a
file: make it again with tests/tools/mkbooks.py --xls, which needs
libreoffice-calc)."""
import os
import subprocess
import sys
import zipfile
import zlib

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'data', 'sheets')

CT = '''<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">
<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>
<Default Extension="xml" ContentType="application/xml"/>
<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>
%s
</Types>'''
RELS = '''<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="%s"/>
</Relationships>'''
NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" ' \
     'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'


def xlsx(path, sheets, sst=None, styles=None, date1904=False, extra=None, wbpart='xl/workbook.xml'):
    """sheets: list of (name, state, sheetData xml)"""
    z = zipfile.ZipFile(path, 'w', zipfile.ZIP_DEFLATED)
    over = '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-' \
           'officedocument.spreadsheetml.sharedStrings+xml"/><Override PartName="/xl/styles.xml" ' \
           'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
    over += ''.join('<Override PartName="/xl/worksheets/sheet%d.xml" ContentType="application/'
                   'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>' % (i + 1)
                   for i in range(len(sheets)))
    z.writestr('[Content_Types].xml', CT % over)
    z.writestr('_rels/.rels', RELS % wbpart)
    wb = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<workbook %s>' % NS
    wb += '<workbookPr%s/><sheets>' % (' date1904="1"' if date1904 else '')
    rels = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships ' \
           'xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    for i, (name, state, data) in enumerate(sheets):
        wb += '<sheet name="%s" sheetId="%d"%s r:id="rId%d"/>' % (name, i + 1,
                                                             ' state="%s"' % state if state else '', i + 1)
        rels += '<Relationship Id="rId%d" Type="http://schemas.openxmlformats.org/officeDocument/2006/' \
                'relationships/worksheet" Target="worksheets/sheet%d.xml"/>' % (i + 1, i + 1)
        if 'xl/worksheets/sheet%d.xml' % (i + 1) in (extra or {}):
            continue
        z.writestr('xl/worksheets/sheet%d.xml' % (i + 1),
                   '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet %s>'
                   '<sheetData>%s</sheetData></worksheet>' % (NS, data))
    wb += '</sheets></workbook>'
    n = len(sheets)
    if sst is not None:
        rels += '<Relationship Id="rId%d" Type="http://schemas.openxmlformats.org/officeDocument/2006/' \
                'relationships/sharedStrings" Target="sharedStrings.xml"/>' % (n + 1)
    if styles is not None:
        rels += '<Relationship Id="rId%d" Type="http://schemas.openxmlformats.org/officeDocument/2006/' \
                'relationships/styles" Target="styles.xml"/>' % (n + 2)
    rels += '</Relationships>'
    z.writestr('xl/workbook.xml', wb)
    z.writestr('xl/_rels/workbook.xml.rels', rels)
    if sst is not None:
        z.writestr('xl/sharedStrings.xml', '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                   '<sst %s count="%d" uniqueCount="%d">%s</sst>' % (NS, len(sst), len(sst), ''.join(sst)))
    if styles is not None:
        z.writestr('xl/styles.xml', '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                   '<styleSheet %s>%s</styleSheet>' % (NS, styles))
    for name, data in (extra or {}).items():
        z.writestr(name, data)
    z.close()


def features():
    sst = ['<si><t>Tableau 1 — Subventions attribuées en 2014</t></si>',   # 0
           '<si><t>beneficiaire</t></si>',                                   # 1
           '<si><t>montant</t></si>',                                        # 2
           '<si><t>date</t></si>',                                           # 3
           '<si><t>note</t></si>',                                           # 4
           '<si><r><t>Asso</t></r><r><rPr><b/></rPr><t xml:space="preserve"> des Amis</t></r>'
           '<rPh sb="0" eb="1"><t>PHONETIC</t></rPh></si>',                  # 5 rich text
           '<si><t>Commune_x000D_ de Foix</t></si>',                         # 6 escaped CR
           '<si><t>ok</t></si>',                                             # 7
           '<si><t>heure</t></si>',                                          # 8
           '<si><t>code</t></si>']                                           # 9
    # styles: 0 general, 1 date (14), 2 custom dd/mm/yyyy, 3 date-time (22),
    # 4 time (20), 5 number with decimals (not a date), 6 custom with a
    # quoted "d" (not a date)
    styles = ('<numFmts count="3"><numFmt numFmtId="164" formatCode="dd/mm/yyyy"/>'
              '<numFmt numFmtId="165" formatCode="#,##0.00\\ &quot;€&quot;"/>'
              '<numFmt numFmtId="166" formatCode="0&quot; days&quot;"/></numFmts>'
              '<cellXfs count="7"><xf numFmtId="0"/><xf numFmtId="14"/><xf numFmtId="164"/>'
              '<xf numFmtId="22"/><xf numFmtId="20"/><xf numFmtId="165"/><xf numFmtId="166"/></cellXfs>')
    rows = [
        '<row r="1"><c r="A1" t="s"><v>0</v></c></row>',
        '<row r="3"><c r="A3" t="s"><v>1</v></c><c r="B3" t="s"><v>2</v></c><c r="C3" t="s"><v>3</v></c>'
        '<c r="D3" t="s"><v>4</v></c><c r="E3" t="s"><v>8</v></c><c r="F3" t="s"><v>9</v></c></row>',
        # shared string, binary double, a date (style 1), inline string, time, a code as text
        '<row r="4"><c r="A4" t="s"><v>5</v></c><c r="B4"><v>986.01266399999997</v></c>'
        '<c r="C4" s="1"><v>42585</v></c><c r="D4" t="inlineStr"><is><t>inline</t></is></c>'
        '<c r="E4" s="4"><v>0.5</v></c><c r="F4" t="s"><v>9</v></c></row>',
        # integer stored as 4.2E1, custom date format, inline rich text, boolean
        '<row r="5"><c r="A5" t="s"><v>6</v></c><c r="B5" s="5"><v>4.2E1</v></c>'
        '<c r="C5" s="2"><v>43101</v></c><c r="D5" t="inlineStr"><is><r><t>ri</t></r><r><t>ch</t></r></is></c>'
        '<c r="E5" t="b"><v>1</v></c></row>',
        # formula with a cached value, date-time, a quoted "d" format (a number)
        '<row r="6"><c r="A6" t="str"><f>A4&amp;"!"</f><v>Asso des Amis!</v></c><c r="B6"><f>B4*2</f>'
        '<v>1972.025328</v></c><c r="C6" s="3"><v>43101.75</v></c><c r="D6" s="6"><v>12</v></c></row>',
        # error cells and a formula never computed
        '<row r="7"><c r="A7" t="inlineStr"><is><t>Erreurs</t></is></c><c r="B7" t="e"><f>1/0</f><v>#DIV/0!</v></c>'
        '<c r="C7" t="e"><v>#N/A</v></c><c r="D7"><f>SUM(B4:B6)</f></c></row>',
        # the header again, inside the data
        '<row r="8"><c r="A8" t="s"><v>1</v></c><c r="B8" t="s"><v>2</v></c><c r="C8" t="s"><v>3</v></c>'
        '<c r="D8" t="s"><v>4</v></c><c r="E8" t="s"><v>8</v></c><c r="F8" t="s"><v>9</v></c></row>',
        # sparse: cells without a reference follow the last one; a row without r
        '<row r="10"><c r="A10" t="inlineStr"><is><t>Sparse</t></is></c><c r="F10" t="inlineStr"><is><t>01234</t></is></c></row>',
        '<row><c t="inlineStr"><is><t>Sans ref</t></is></c><c><v>-0.1</v></c><c s="1"><v>60</v></c>'
        '<c s="1"><v>61</v></c></row>',
        # empty row element, then 1900's first days and large numbers
        '<row r="13"/>',
        '<row r="14"><c r="A14" t="inlineStr"><is><t>Bornes</t></is></c><c r="B14"><v>1E+21</v></c>'
        '<c r="C14" s="1"><v>1</v></c><c r="D14"><v>1.0000000000000001E-7</v></c></row>',
    ]
    autres = '<row r="1"><c r="A1" t="inlineStr"><is><t>k</t></is></c><c r="B1" t="inlineStr"><is><t>v</t></is></c></row>' \
             '<row r="2"><c r="A2" t="inlineStr"><is><t>x</t></is></c><c r="B2"><v>1.5</v></c></row>'
    secret = '<row r="1"><c r="A1" t="inlineStr"><is><t>cache</t></is></c></row>' \
             '<row r="2"><c r="A2"><v>7</v></c></row>'
    xlsx(os.path.join(OUT, 'features.xlsx'), [('Données', None, ''.join(rows)), ('Autres', None, autres),
                                              ('Secret', 'hidden', secret)], sst=sst, styles=styles)
    # the 1904 system: the same serial numbers, other days
    d = '<row r="1"><c r="A1" t="inlineStr"><is><t>date</t></is></c><c r="B1" t="inlineStr"><is><t>n</t></is></c></row>' \
        '<row r="2"><c r="A2" s="1"><v>42585</v></c><c r="B2"><v>1</v></c></row>' \
        '<row r="3"><c r="A3" s="1"><v>0</v></c><c r="B3"><v>2</v></c></row>' \
        '<row r="4"><c r="A4" s="3"><v>1.25</v></c><c r="B4"><v>3</v></c></row>'
    xlsx(os.path.join(OUT, 'dates-1904.xlsx'), [('S', None, d)], styles=styles, date1904=True)


def bad():
    ok = '<row r="1"><c r="A1" t="inlineStr"><is><t>a</t></is></c></row><row r="2"><c r="A2"><v>1</v></c></row>'
    p = os.path.join(OUT, 'features.xlsx')
    data = open(p, 'rb').read()
    open(os.path.join(OUT, 'bad-truncated.xlsx'), 'wb').write(data[:len(data) // 2])
    laughs = '<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">' \
             '<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;">]>\n<worksheet %s><sheetData><row r="1"><c r="A1" ' \
             't="inlineStr"><is><t>&lol3;</t></is></c></row></sheetData></worksheet>' % NS
    xlsx(os.path.join(OUT, 'bad-laughs.xlsx'), [('S', None, ok)], extra={'xl/worksheets/sheet1.xml': laughs})
    ext = '<?xml version="1.0"?>\n<!DOCTYPE w [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n<worksheet %s>' \
          '<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&x;</t></is></c></row></sheetData></worksheet>' % NS
    xlsx(os.path.join(OUT, 'bad-external-entity.xlsx'), [('S', None, ok)], extra={'xl/worksheets/sheet1.xml': ext})
    # a ZIP bomb: a sheet of 80 MiB of spaces, deflated a thousand times over
    z = zipfile.ZipFile(os.path.join(OUT, 'bad-bomb.xlsx'), 'w', zipfile.ZIP_DEFLATED, compresslevel=9)
    for name in ('[Content_Types].xml', '_rels/.rels', 'xl/workbook.xml', 'xl/_rels/workbook.xml.rels'):
        z.writestr(name, zipfile.ZipFile(p).read(name))
    big = b'<?xml version="1.0"?>\n<worksheet ' + NS.encode() + b'><sheetData>' + b' ' * (80 << 20)
    z.writestr('xl/worksheets/sheet1.xml', big + b'</sheetData></worksheet>')
    z.writestr('xl/worksheets/sheet2.xml', '<worksheet %s><sheetData/></worksheet>' % NS)
    z.writestr('xl/worksheets/sheet3.xml', '<worksheet %s><sheetData/></worksheet>' % NS)
    z.close()
    # .xlsb: a binary workbook part
    z = zipfile.ZipFile(os.path.join(OUT, 'bad-binary.xlsb'), 'w', zipfile.ZIP_DEFLATED)
    z.writestr('[Content_Types].xml', CT % '')
    z.writestr('_rels/.rels', RELS % 'xl/workbook.bin')
    z.writestr('xl/workbook.bin', b'\x83\x01\x00')
    z.close()
    # an encrypted workbook: an OLE2 compound file holding EncryptedPackage
    ole = bytearray(b'\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1' + b'\0' * 504)
    entry = 'EncryptedPackage'.encode('utf-16-le')
    ole += entry + b'\0' * (512 - len(entry))
    open(os.path.join(OUT, 'bad-encrypted.xlsx'), 'wb').write(bytes(ole))
    # odd values: an empty <v/>, a numeric cell holding text ("12,5")
    odd = '<row r="1"><c r="A1" t="inlineStr"><is><t>a</t></is></c><c r="B1" t="inlineStr"><is><t>montant</t></is></c></row>' \
          '<row r="2"><c r="A2" t="inlineStr"><is><t>x</t></is></c><c r="B2"><v></v></c></row>' \
          '<row r="3"><c r="A3" t="inlineStr"><is><t>y</t></is></c><c r="B3"><v>12,5</v></c></row>' \
          '<row r="4"><c r="A4" t="inlineStr"><is><t>z</t></is></c><c r="B4"><v>NaN</v></c></row>'
    xlsx(os.path.join(OUT, 'odd-values.xlsx'), [('S', None, odd)])
    # a ZIP that is no workbook
    z = zipfile.ZipFile(os.path.join(OUT, 'bad-not-a-workbook.zip'), 'w')
    z.writestr('readme.txt', 'hello')
    z.close()


ODS_HEAD = '''<?xml version="1.0" encoding="UTF-8"?>
<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"
 xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0"
 xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"
 xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" office:version="1.2">
<office:automatic-styles><style:style style:name="ta1" style:family="table"><style:table-properties table:display="true"/></style:style>
<style:style style:name="ta2" style:family="table"><style:table-properties table:display="false"/></style:style></office:automatic-styles>
<office:body><office:spreadsheet>'''


def ods():
    t = '<table:table table:name="Conventions" table:style-name="ta1">'
    t += '<table:table-column table:number-columns-repeated="1024"/>'
    t += '<table:table-row><table:table-cell office:value-type="string"><text:p>Recensement des conventions 2017</text:p>' \
         '</table:table-cell><table:table-cell table:number-columns-repeated="1023"/></table:table-row>'
    t += '<table:table-row table:number-rows-repeated="2"><table:table-cell table:number-columns-repeated="1024"/></table:table-row>'
    t += '<table:table-row>' + ''.join('<table:table-cell office:value-type="string"><text:p>%s</text:p></table:table-cell>' % h
                                       for h in ('nom', 'montant', 'date', 'heure', 'part', 'actif', 'texte')) + \
         '<table:table-cell table:number-columns-repeated="1017"/></table:table-row>'
    t += '<table:table-row><table:table-cell office:value-type="string"><text:p>La Bressola</text:p>' \
         '<office:annotation><text:p>a comment, not the value</text:p></office:annotation></table:table-cell>' \
         '<table:table-cell office:value-type="float" office:value="40000"><text:p>40 000,00</text:p></table:table-cell>' \
         '<table:table-cell office:value-type="date" office:date-value="2017-07-24"><text:p>24/07/17</text:p></table:table-cell>' \
         '<table:table-cell office:value-type="time" office:time-value="PT10H30M00S"><text:p>10:30</text:p></table:table-cell>' \
         '<table:table-cell office:value-type="percentage" office:value="0.25"><text:p>25 %</text:p></table:table-cell>' \
         '<table:table-cell office:value-type="boolean" office:boolean-value="true"><text:p>VRAI</text:p></table:table-cell>' \
         '<table:table-cell office:value-type="string"><text:p>deux<text:s text:c="2"/>espaces</text:p><text:p>et une ligne</text:p>' \
         '</table:table-cell></table:table-row>'
    # a row repeated three times, with a value repeated over two columns
    t += '<table:table-row table:number-rows-repeated="3"><table:table-cell office:value-type="string"><text:p>Copie</text:p>' \
         '</table:table-cell><table:table-cell office:value-type="currency" office:currency="EUR" office:value="986.01266399999997" ' \
         'table:number-columns-repeated="1"/><table:table-cell table:number-columns-repeated="2"/>' \
         '<table:table-cell office:value-type="float" office:value="2" table:number-columns-repeated="2"/></table:table-row>'
    # a formula showing an error, a merged cell's covered part, a date-time
    t += '<table:table-row><table:table-cell office:value-type="string" table:number-columns-spanned="2"><text:p>Fusion</text:p>' \
         '</table:table-cell><table:covered-table-cell/><table:table-cell office:value-type="date" ' \
         'office:date-value="2017-10-23T14:05:00"/><table:table-cell table:formula="of:=1/0"><text:p>#DIV/0!</text:p>' \
         '</table:table-cell></table:table-row>'
    # the header again
    t += '<table:table-row>' + ''.join('<table:table-cell office:value-type="string"><text:p>%s</text:p></table:table-cell>' % h
                                       for h in ('nom', 'montant', 'date', 'heure', 'part', 'actif', 'texte')) + '</table:table-row>'
    t += '<table:table-row><table:table-cell office:value-type="string"><text:p>Fin</text:p></table:table-cell>' \
         '<table:table-cell office:value-type="float" office:value="-12.5"/></table:table-row>'
    # a sheet "ending" at row 1,048,576
    t += '<table:table-row table:number-rows-repeated="1048560"><table:table-cell table:number-columns-repeated="1024"/></table:table-row>'
    t += '</table:table>'
    t += '<table:table table:name="Masquée" table:style-name="ta2"><table:table-row><table:table-cell office:value-type="string">' \
         '<text:p>x</text:p></table:table-cell></table:table-row><table:table-row><table:table-cell office:value-type="float" ' \
         'office:value="1"/></table:table-row></table:table>'
    body = ODS_HEAD + t + '</office:spreadsheet></office:body></office:document-content>'
    z = zipfile.ZipFile(os.path.join(OUT, 'features.ods'), 'w', zipfile.ZIP_DEFLATED)
    z.writestr(zipfile.ZipInfo('mimetype'), 'application/vnd.oasis.opendocument.spreadsheet')
    z.writestr('content.xml', body)
    z.writestr('META-INF/manifest.xml', '<?xml version="1.0" encoding="UTF-8"?>\n<manifest:manifest '
               'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"><manifest:file-entry '
               'manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
               '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
               '</manifest:manifest>')
    z.close()


def xls():
    subprocess.run(['libreoffice', '--headless', '--convert-to', 'xls', '--outdir', OUT,
                    os.path.join(OUT, 'features.xlsx')], check=True, stdout=subprocess.DEVNULL)


if __name__ == '__main__':
    os.makedirs(OUT, exist_ok=True)
    if '--xls' in sys.argv:
        xls()
    else:
        features()
        bad()
        ods()
