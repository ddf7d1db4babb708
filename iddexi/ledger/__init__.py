"""The ledger layer: all SQL lives here."""
