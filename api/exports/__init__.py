"""Everything that leaves the app as a file: tables as CSV and XLSX (``tables``), a SERVQUAL
report as JSON (``report_json``) and as a terminal table or workbook (``report_files``)."""
