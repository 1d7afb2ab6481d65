"""Translation: partner identification, inbound files -> canonical documents, canonical -> outbound files.

One engine and one YAML profile language for X12, EDIFACT, CSV and XML (docs/profiles.md).
Profiles compile once into engine nodes; `translate` and `render` only run them.
"""

from __future__ import annotations

from gateway.translate.identify import identify, refuse_undeclared
from gateway.translate.inbound import translate
from gateway.translate.lint import lint_profiles
from gateway.translate.outbound import render
from gateway.translate.profile import Profile, ProfileRegistry

__all__ = ["Profile", "ProfileRegistry", "identify", "lint_profiles", "refuse_undeclared", "render", "translate"]
