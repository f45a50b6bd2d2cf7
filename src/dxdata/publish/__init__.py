"""Publishing: raw files planned into chunks and each chunk built into Parquet parts (`chunks`), the
extraction cache that makes a rebuild cheap (`cache`), and the versioned store (`store`)."""
