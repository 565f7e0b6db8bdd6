"""Helpers shared by the test suites: paths and settings, fakes, servers on loopback.

Test modules import from here and from nowhere else under ``tests`` (never from another test
module or from a ``conftest.py``), so moving or deleting a test never breaks another.
"""
