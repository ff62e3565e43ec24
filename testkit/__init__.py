"""What the tests and the benchmarks share: synthetic diaries and courses, and
helpers for the local processes (Redis, a worker, an SMTP sink) they start."""
