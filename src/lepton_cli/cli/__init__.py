"""The command line: the only layer that prints, reads flags or exits."""
