"""Plans: the model, building one from a solution, YAML I/O with a digest, diff and verify."""
