"""Adapters that touch the outside world: the GeoIP database reader and the DNS resolver.

The core never imports this package; it receives these adapters as arguments, so
"offline" is simply "no resolver given", and tests pass real local servers instead.
"""
