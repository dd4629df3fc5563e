"""The simulated Airbyte deployment: one world of workspaces, connections and jobs.

`world` holds the state machine, `catalog` the demo/scaled content, `logs` the
attempt-log generator, `serialize` the wire shapes, and `routes_public` /
`routes_config` the two HTTP APIs. The split keeps the wire format (which must
match Airbyte byte-for-byte in places) apart from the simulation (which only has
to be plausible and deterministic).
"""
