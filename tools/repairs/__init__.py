"""Rule repairs: the registry and the one check-repair-recheck loop, and the rules by kind."""
