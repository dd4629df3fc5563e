"""`python -m airsync_tui.emulator` = `airsync emulator`."""

from airsync_tui.emulator.server import main

raise SystemExit(main())
