"""`edi-gateway reload`: check the configuration, then ask the running gateway to load it (SIGHUP).

README's "Adding a partner" ends with a reload. The daemon re-lints on SIGHUP and, on an error, keeps the
configuration it runs and only logs why, where a coordinator at a terminal does not look; and the pid it
needs is in `state/gateway.lock` as "pid N", which `kill -HUP $(cat ...)` does not take. This command lints
first and prints every error, so nothing is asked of the gateway that it would refuse.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import time
from pathlib import Path

from gateway.cli import EXIT_CONFIG, EXIT_ERROR, EXIT_OK, EXIT_UNAVAILABLE
from gateway.config.args import add_config_argument, running_gateway
from gateway.config.loader import ConfigErrors, find_config, load_checked, warning_text
from gateway.errors import ConfigError

STARTING_SECONDS = 30.0   # how long reload waits for a gateway that is starting (opening its journal) to take SIGHUP


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_config_argument(parser)


def run(args: argparse.Namespace) -> int:
    path = find_config(args.config)
    try:
        config = load_checked(path)
    except (ConfigErrors, ConfigError) as exc:
        errors = list(exc.errors) if isinstance(exc, ConfigErrors) else [exc]
        for error in errors:
            print(f"error: {error}", file=sys.stderr)
        print(f"not reloaded: the running gateway, if any, keeps its configuration until {len(errors)} "
              f"error{'s are' if len(errors) != 1 else ' is'} fixed", file=sys.stderr)
        return EXIT_CONFIG
    # what lint warns of (a key two partners accept, an ISA qualifier off X12's list): the daemon's reload takes it
    # without a word, and README's "Adding a partner" ends here, not with lint
    for warning in dict.fromkeys(warning_text(w) for w in config.warnings):
        print(f"warning{warning}", file=sys.stderr)
    state = config.gateway.state_dir
    pid = running_gateway(state)
    if pid is None:
        print(f"error: cannot tell which process holds {state / 'gateway.lock'} (no /proc/locks, or this user "
              "may not look into the state folder); run this as the gateway's user, send SIGHUP to the gateway "
              "yourself, or systemctl reload edi-gateway", file=sys.stderr)
        return EXIT_UNAVAILABLE
    if pid == 0:
        print(f"no gateway runs on {state}: the configuration is good, and the next `edi-gateway run` "
              "loads it", file=sys.stderr)
        return EXIT_ERROR
    if not _takes_sighup(pid):
        print(f"error: the gateway (pid {pid}) is still starting and would be ended by SIGHUP, not reloaded; it "
              "runs the configuration it read as it started: run reload again once it runs (edi-gateway status)",
              file=sys.stderr)
        return EXIT_UNAVAILABLE
    try:
        os.kill(pid, signal.SIGHUP)
    except PermissionError:
        print(f"error: the gateway (pid {pid}) runs as another user; run this as that user, or "
              "systemctl reload edi-gateway", file=sys.stderr)
        return EXIT_ERROR
    except ProcessLookupError:
        print(f"error: the gateway (pid {pid}) ended just now; the next `edi-gateway run` loads the "
              "configuration", file=sys.stderr)
        return EXIT_ERROR
    count = len(config.partners)
    print(f"reload asked of the gateway (pid {pid}): {count} partner{'s' if count != 1 else ''}, lint ok; "
          "its log says 'reloaded' when done (listener, state-folder and limit changes in gateway.yaml wait "
          "for a restart)")
    return EXIT_OK


def _takes_sighup(pid: int, wait: float = STARTING_SECONDS) -> bool:
    """Whether the gateway has its SIGHUP handler, waiting up to `wait` seconds while it starts. It holds the lock
    from before it opens its journal, and until its loop runs a SIGHUP does what it does by default: it ends the
    process (exit 129, nothing logged). Read from /proc/PID/status SigCgt; True when that cannot be read."""
    deadline = time.monotonic() + wait
    while True:
        try:
            status = Path(f"/proc/{pid}/status").read_text(encoding="ascii", errors="replace")
        except OSError:
            return True             # no /proc, or the process ended: os.kill says which
        caught = next((line.split()[1] for line in status.splitlines() if line.startswith("SigCgt:")), None)
        if caught is None or int(caught, 16) & (1 << (signal.SIGHUP - 1)):
            return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.2)
