"""`lepton serve`: lepton's operations over HTTP (optional extra ``server``).

Every operation runs the CLI's own command in a worker process, so a plan fetched over HTTP is
the CLI's plan document byte for byte, with the exit code the CLI would have given.
"""
