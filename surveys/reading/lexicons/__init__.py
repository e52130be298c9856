"""Word lists owned by the project: sentiment lexicons and topic keywords (es, en).

Scores are on a -4..+4 scale (like VADER's); forms are written in plain lowercase
and matched accent-insensitively, so "pesimo" finds "pésimo".
"""
