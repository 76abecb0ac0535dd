"""tongban (通办): open-source platform for cross-region government services."""

__version__ = "0.1.0"
