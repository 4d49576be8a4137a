"""Table Schema: the descriptor, the one lexical rule per field type, and the strict table reader."""
