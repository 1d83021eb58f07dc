"""watchtui: a terminal incident watcher."""

# The one place the version lives (pyproject reads it from here); a literal, because asking
# importlib.metadata costs ~35 ms of start-up before the first paint.
__version__ = "0.1.0"
