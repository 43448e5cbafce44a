"""Publication outputs built from the marts: the data dictionary and the evaluation report."""
