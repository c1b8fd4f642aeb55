"""Reading the operator's definition files (TOML): see :mod:`workbench.config.toml`."""
