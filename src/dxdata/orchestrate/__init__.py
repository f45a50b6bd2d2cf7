"""Run `dxdata` steps in order: see `dxdata.orchestrate.refresh` (the refresh, whatever runs it),
`report` (what a run says), `engines` (how `dxdata refresh` runs: in-process or through Prefect),
`prefect_flow` (the flow and its tasks) and `prefect_server` (the project's local Prefect server)."""
