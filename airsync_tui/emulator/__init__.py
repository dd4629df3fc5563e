"""The embedded emulator: a local, simulated Airbyte (and Hightouch) served over HTTP.

Import the public API from `airsync_tui.emulator.server` (`EmulatorOptions`,
`build_app`, `start_emulator`, `RunningEmulator`, `main`) and fault injection
from `airsync_tui.emulator.faults` (`FaultConfig`). This package module stays
import-light on purpose: the Hightouch sub-package lives here too.
"""
