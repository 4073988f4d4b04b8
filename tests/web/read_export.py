"""Reads an export back with an independent reader and prints it as JSON,
for tests/web/*_export_test.cpp to check: Python's csv module (RFC 4180,
utf-8-sig) for CSV, openpyxl for XLSX (cell types, bold header, frozen
panes, one entry per sheet). A file either reader refuses exits non-zero."""
import csv
import datetime
import json
import sys


def read_csv(path):
    with open(path, newline="", encoding="utf-8-sig", errors="strict") as source:
        return {"rows": list(csv.reader(source, strict=True))}


def xlsx_cell(cell):
    value = cell.value
    if isinstance(value, datetime.datetime):
        value = value.isoformat()
    return {"type": cell.data_type, "value": value, "bold": bool(cell.font and cell.font.b),
            "format": cell.number_format}


def read_xlsx(path):
    import openpyxl

    book = openpyxl.load_workbook(path)
    sheets = []
    for sheet in book.worksheets:
        rows = [[xlsx_cell(cell) for cell in row] for row in sheet.iter_rows()]
        sheets.append({"title": sheet.title, "freeze": sheet.freeze_panes, "rows": rows})
    return {"sheets": sheets}


def main():
    kind, path = sys.argv[1], sys.argv[2]
    result = read_csv(path) if kind == "csv" else read_xlsx(path)
    json.dump(result, sys.stdout, ensure_ascii=True)


if __name__ == "__main__":
    main()
