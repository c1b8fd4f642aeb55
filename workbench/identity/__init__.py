"""Identity resolution: merge candidates (Splink), review decisions, persons and golden records."""
