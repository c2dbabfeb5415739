"""Benchmarks: coding throughput of the polars engine against a plain Python ``re`` loop.

Run ``python -m benchmarks`` (``make bench``); see ``benchmarks/README.md``.
"""
