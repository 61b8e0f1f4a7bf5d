"""Operator tools that are not stages: the demo corpus generator, the WARC writer it uses, and the benchmark."""
