"""watchtui: a terminal incident watcher."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("watchtui")
except PackageNotFoundError:  # running from a source tree without installing
    __version__ = "0.0.0"
