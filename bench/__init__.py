"""Benchmark of the collection against plain Postfix procedures (see README "Performance" and ``python -m bench -h``)."""
