"""Tools for the people who work on dxdata: scoring extraction against gold (`evaluate`) and synthetic
articles for benchmarks (`synth`)."""
