"""The desktop app: the only package that imports PySide6.

It turns Qt types into plain Python at the edge (a drop becomes bytes or a path) and
hands them to the core; analysis runs off the GUI thread.
"""
