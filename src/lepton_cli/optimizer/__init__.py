"""The optimiser: problem data, the MILP of DESIGN.md, and the greedy baseline."""
