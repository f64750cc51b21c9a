"""Question banks: the bank model, validators and one importer per file format."""
