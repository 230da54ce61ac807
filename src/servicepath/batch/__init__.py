"""Batch assessment over populations: files in and out, the compiled Polars columns, SQL rendering, synthetic
populations."""
