"""The benchmark harness behind ``bench/run.py``: seeding, load, cases and the report.

Cases plug in through :mod:`tbbench.cases` (``Case``, ``Result``, ``Target``, ``Bench``); see
bench/README.md.
"""
