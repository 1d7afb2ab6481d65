"""The shipped base profiles, read and compiled once per test process.

`ProfileRegistry.load([])` parses and compiles every base profile: about 0.2 s of CPU, which tests
that only translate or render a document paid again and again (once per call of the odoo tests'
`read_x12`, once per module at collection, in each xdist worker). The registry holds no state a
test can see: translate and render only read it (`get` and `base_for` memoise compiled profiles,
which depend on nothing but the shipped files). A test that adds or replaces a profile loads its
own registry (`ProfileRegistry.load([folder])`) and never uses this one.
"""

from __future__ import annotations

from functools import cache

from gateway.translate import ProfileRegistry


@cache
def base_profiles() -> ProfileRegistry:
    """The base profiles with no workspace folder: shared, so never `add` to it."""
    return ProfileRegistry.load([])
