"""The data layer the UI is handed: :mod:`.protocol` (the interface, light to import),
:mod:`.overview` (what screens show, plain dataclasses), :mod:`.engine` (``Engine``: polls, edits
the config, reads), :mod:`.rounds` and :mod:`.overview_builder` (one read of the store per round),
:mod:`.poller` (fetching), :mod:`.staleness`.
This package imports nothing itself, so importing the protocol stays cheap.
"""
