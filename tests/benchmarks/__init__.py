"""Benchmarks: coding throughput of the polars engine against a plain Python ``re`` loop.

Run ``python -m tests.benchmarks`` (``make bench``); see ``tests/benchmarks/README.md``.
"""
