"""`python -m gateway.demo.child ARGS`: `edi-gateway ARGS`, ended by the kernel if the demo process dies.

The demo starts the gateway as a child; PR_SET_PDEATHSIG makes Linux send it SIGTERM (a clean
stop) when the demo goes away, even by SIGKILL, so no gateway is left running behind a demo.
Set here, in the child itself, rather than with Popen's preexec_fn, which is unsafe with threads.
"""

from __future__ import annotations

import contextlib
import ctypes
import signal
import sys

PR_SET_PDEATHSIG = 1


def main() -> int:
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    from gateway.cli import main as cli_main
    return cli_main(sys.argv[1:])


if __name__ == "__main__":
    sys.exit(main())
