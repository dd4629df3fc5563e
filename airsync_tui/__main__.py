"""`python -m airsync_tui` runs the same entry point as the `airsync` script."""

from airsync_tui.cli.entry import main

raise SystemExit(main())
