"""Loading data files into the catalog, validated row by row and applied all-or-nothing.

Each format module turns a file into ``Record``s (a table, the row's fields as written, where it came
from); ``engine.import_records`` resolves references, validates every row with ``full_clean()`` and the
database constraints, and reports per row what would be created, updated, left unchanged or refused.
"""
