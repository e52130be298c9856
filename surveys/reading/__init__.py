"""The reading core: what a score means, the shop's clock, and what a comment says.

Pure functions and data: nothing here imports Flask or the database, so every
rule is unit-tested without an app. Vocabulary lives in per-language data
modules under ``lexicons/``.
"""
