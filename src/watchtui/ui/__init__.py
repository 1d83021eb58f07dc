"""The Textual user interface.  Imports the data layer; the data layer never imports this."""
