"""Benchmarks (`make bench`); results land in bench/results.json."""
