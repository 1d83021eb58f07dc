"""Independent signals compared: the user's probes against providers' claims
(:mod:`.disagreements`), and providers against each other (:mod:`.hints`).

:mod:`.findings` holds what they conclude as plain values (imported by the overview, so it
imports nothing but the domain); :mod:`.scope` says where a signal is (feeds' regions resolved
for their kind, a probe's configured region).  This package imports nothing itself: importing
``watchtui.signals.findings`` must stay cheap.
"""
