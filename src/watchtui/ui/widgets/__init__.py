"""Small widgets of the main screen: each renders one slice of an ``Overview``."""
