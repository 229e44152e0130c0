"""Stand-ins for the services the site talks to, for the tests and the benchmarks only.

Nothing in production code imports from here.
"""
