"""X12 structure definitions (JSON data, read with importlib.resources); a package so wheels ship them."""
