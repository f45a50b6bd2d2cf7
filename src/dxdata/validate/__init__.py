"""Validation: rows as tables (`tables`), checked against the pandera schemas (`schemas`); a row that fails
goes to the rejects table with the failed check (`rows`)."""
