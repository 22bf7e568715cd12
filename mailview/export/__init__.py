"""Turning a `Report` into things people and scripts read. Pure Python, no Qt."""
