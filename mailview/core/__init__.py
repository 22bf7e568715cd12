"""The analysis core: bytes in, frozen `Report` out. No Qt, no network, no global state.

Entry points live in `mailview.core.analyze` (`analyze_bytes`, `analyze_path`,
`analyze_text`); the value types in `mailview.core.model`; the one exception in
`mailview.core.errors`. This package module imports nothing so that using one part of
the core (the Received parser, say) does not load the rest.
"""
