"""Command-line entry point: ``watchtui [COMMAND]`` (``watchtui.cli:main``).

With no command, the watch screen starts.  One module per command (``status``, ``history``,
``sources``, ``probes``, ``catalog``, ``config_cmd``, ``parse``, ``collect``, ``demo``,
``watch``); ``parser`` holds the grammar, ``entry`` runs a command and turns every failure into
one line.  Exit codes follow the monitoring-plugin convention: 0 ok, 1 warning, 2 critical,
3 unknown, which is also what every error exits with (see ``parser.EPILOG``).
"""

from __future__ import annotations

from watchtui.cli.entry import main

__all__ = ["main"]
