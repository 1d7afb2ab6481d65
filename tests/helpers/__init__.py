"""Helpers any test may use: free ports, a gateway workspace, the daemon as a subprocess, waiting."""
