"""What is made from the published tables: the series (`series`), the release bundle (`release`), the
differences between two versions (`diff`) and charts (`plot`)."""
