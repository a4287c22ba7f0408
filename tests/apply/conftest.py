pytest_plugins = ["aws_strict"]
