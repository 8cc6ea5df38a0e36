"""Benchmarks, run by hand (``python -m bench.<name>``); not part of the test suite.

Each prints ratios against a baseline measured in the same run, and ends with one JSON
line of figures.
"""
