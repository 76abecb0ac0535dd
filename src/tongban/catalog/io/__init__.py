"""Catalogue import/export: the Excel template, the all-or-nothing importer with its
row-by-row error report, and the xlsx/JSON exporters."""
