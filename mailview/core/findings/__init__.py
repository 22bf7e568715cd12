"""Findings: small named rules, each looking at the analysed message and saying what is off.

`registry.run_rules` runs them all; `context` holds what a rule may look at and the helpers
to word a finding. This package module imports nothing, so that the parts of the core
whose modules word their own findings (auth) can use `context` without a cycle.
"""
