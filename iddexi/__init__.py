"""iddexi: the ledger of the Ewenki Idexi (伊德喜) winter market."""

__version__ = "0.1.0"
