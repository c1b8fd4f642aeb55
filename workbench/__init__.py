"""workbench: a terminal workbench for the people who run a company's marketing database."""

__version__ = "0.1.0"
