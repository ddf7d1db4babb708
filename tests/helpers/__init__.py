"""Helpers shared by the reliability tests: ledger snapshots and driver scripts."""
