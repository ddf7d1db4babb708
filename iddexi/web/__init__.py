"""`iddexi serve`: the market-day web app (stall keepers, organisers, the bureau).

Routes are thin like commands: parse, make one call into the ledger layer or the same
functions the CLI uses, render a template. Nothing here is imported by the entry
commands: only `iddexi serve`, `iddexi submissions` and `iddexi stall cards` load it.
"""
